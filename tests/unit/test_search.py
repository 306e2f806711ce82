"""Search providers with real files, real FAISS and the real embedding model."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tools.errors import SpecError, UserError
from tools.search import (
    MAX_CHARS,
    NoSearch,
    SearchProvider,
    chunk_text,
    get_search,
    validate_search_spec,
)
from tools.search.local import LocalCorpusSearch

FESTIVALS = """# Festivals

## Lantern Festival
The Lantern Festival falls on the fifteenth day of the first lunar month. Families eat
tangyuan, sweet glutinous rice balls filled with black sesame paste, and hang red lanterns.

## Dragon Boat Festival
Dragon boat races are held on the fifth day of the fifth lunar month, and people eat
zongzi, sticky rice dumplings wrapped in bamboo leaves.
"""

TULIPS = """# Tulip mania
During the Dutch tulip mania of the 1630s the most prized bulb was the Semper Augustus,
a white tulip with flame-like crimson streaks on its petals.
"""

LONDON = """Big Ben is the nickname of the great bell in the clock tower at the north end of the
Palace of Westminster in London. Parliament Square lies just beneath it.
"""


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_AGENT_HOME", str(tmp_path / "home"))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "notes").mkdir(parents=True)
    (root / "notes" / "festivals.md").write_text(FESTIVALS, "utf-8")
    (root / "tulips.md").write_text(TULIPS, "utf-8")
    (root / "london.txt").write_text(LONDON, "utf-8")
    return root


def _cache_files(provider: LocalCorpusSearch) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in provider.cache_dir.iterdir()}


def test_relevant_passage_ranks_first(corpus: Path) -> None:
    search = LocalCorpusSearch(corpus)
    hits = search.search("which flower was most prized in the Dutch tulip mania?", k=3)
    assert len(hits) == 3
    assert hits[0]["source"] == "tulips.md#1"
    assert "Semper Augustus" in hits[0]["quote"]
    assert hits[0]["quote"].startswith("Tulip mania\n")  # heading kept as prefix
    assert hits[0]["score"] > hits[1]["score"] >= hits[2]["score"]

    pastry = search.search("what sweet food do people eat at the Lantern Festival", k=2)
    assert pastry[0]["source"].startswith("notes/festivals.md#")
    assert "tangyuan" in pastry[0]["quote"]

    square = search.search("square beneath the clock tower in London", k=1)
    assert square[0]["source"] == "london.txt#1"
    assert all(isinstance(h["score"], float) for h in hits)


def test_cache_is_reused_on_second_open(corpus: Path) -> None:
    first = LocalCorpusSearch(corpus)
    first.search("tulips")
    before = _cache_files(first)
    assert set(before) == {".lock", "chunks.json", "vectors.npy", "manifest.json"}

    second = LocalCorpusSearch(corpus)
    assert second.cache_dir == first.cache_dir
    hits = second.search("tulips")
    assert _cache_files(second) == before
    assert hits[0]["source"] == "tulips.md#1"


def test_editing_a_file_changes_results(corpus: Path) -> None:
    search = LocalCorpusSearch(corpus)
    query = "what colour is the Semper Augustus tulip?"
    assert search.search(query, k=1)[0]["source"] == "tulips.md#1"
    before = _cache_files(search)

    (corpus / "tulips.md").write_text("# Bread\nSourdough needs a lively starter.\n", "utf-8")
    (corpus / "notes" / "flowers.md").write_text(
        "# Semper Augustus\nThe Semper Augustus tulip is white with crimson flames.\n", "utf-8"
    )
    hits = search.search(query, k=1)  # the same instance notices the change
    assert hits[0]["source"] == "notes/flowers.md#1"
    assert _cache_files(search) != before

    reopened = LocalCorpusSearch(corpus)
    assert reopened.search(query, k=1)[0]["source"] == "notes/flowers.md#1"
    assert _cache_files(reopened) == _cache_files(search)


def test_corrupt_cache_is_rebuilt(corpus: Path) -> None:
    first = LocalCorpusSearch(corpus)
    first.load()
    (first.cache_dir / "vectors.npy").write_bytes(b"garbage")
    hits = LocalCorpusSearch(corpus).search("Dutch tulip mania", k=1)
    assert hits[0]["source"] == "tulips.md#1"


def test_chunking() -> None:
    long_paragraph = " ".join(f"Sentence number {i} talks about lanterns." for i in range(60))
    text = f"# Title\n\n## Part\n{long_paragraph}\n\nShort.\n\n```\n# not a heading\n```\n"
    chunks = chunk_text(text)
    assert len(chunks) > 2
    assert all(len(c) <= MAX_CHARS for c in chunks)
    assert all(c.startswith("Title / Part\n") for c in chunks)
    assert all(c.endswith("lanterns.") for c in chunks[:-1])  # split at sentence ends
    assert "lanterns.\nShort." in chunks[-1]  # a tiny paragraph is merged, not left alone
    assert chunks[-1].endswith("\n# not a heading")  # fenced "#" lines are text, not headings
    assert chunk_text("# heading in a text file\nbody", markdown=False) == [
        "# heading in a text file body"
    ]


def test_k_and_empty_query(corpus: Path) -> None:
    search = LocalCorpusSearch(corpus)
    assert search.search("", k=3) == []
    assert search.search("tulip", k=0) == []
    assert len(search.search("tulip", k=100)) == len(search._chunks)


def test_validate_search_spec(tmp_path: Path, corpus: Path) -> None:
    validate_search_spec("none")
    validate_search_spec(f"local:{corpus}")

    with pytest.raises(SpecError, match="none, local:DIR"):
        validate_search_spec("bing")
    with pytest.raises(SpecError, match="does not exist"):
        validate_search_spec(f"local:{tmp_path / 'missing'}")
    with pytest.raises(SpecError, match="not a folder"):
        validate_search_spec(f"local:{corpus / 'london.txt'}")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "image.png").write_bytes(b"png")
    with pytest.raises(SpecError, match=r"no \.md or \.txt"):
        validate_search_spec(f"local:{empty}")
    with pytest.raises(UserError):
        validate_search_spec("local:")
    for bad in ("bing", f"local:{tmp_path / 'missing'}"):
        with pytest.raises(SpecError) as info:
            validate_search_spec(bad)
        assert "\n" not in str(info.value)


def test_validate_loads_nothing(corpus: Path) -> None:
    validate_search_spec(f"local:{corpus}")
    assert not (Path.cwd() / "corpus").exists()
    provider = get_search(f"local:{corpus}")
    assert isinstance(provider, LocalCorpusSearch)
    assert provider._index is None  # nothing is read or embedded until the first search


def test_get_search_one_per_spec(corpus: Path) -> None:
    none = get_search("none")
    assert isinstance(none, NoSearch) and isinstance(none, SearchProvider)
    assert none.name == "none" and none.search("anything") == []
    assert get_search("none") is none

    found: list[SearchProvider] = []
    threads = [
        threading.Thread(target=lambda: found.append(get_search(f"local:{corpus}")))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(p) for p in found}) == 1
    assert get_search(f"local:{corpus}/") is found[0]
    assert isinstance(found[0], SearchProvider)


def test_only_changed_files_are_embedded_again(corpus: Path) -> None:
    search = LocalCorpusSearch(corpus)
    search.load()
    assert search.last_refresh["reused_files"] == 0
    assert len(search.last_refresh["embedded_files"]) == 3

    fresh = LocalCorpusSearch(corpus)  # another process: reuses the cache, embeds nothing
    fresh.load()
    assert fresh.last_refresh["embedded_files"] == [] and fresh.last_refresh["reused_files"] == 3

    tulips = corpus / "tulips.md"
    tulips.write_text(tulips.read_text("utf-8") + "\nTulips came to Holland from Turkey.\n")
    hits = search.search("where did tulips come from", k=1)
    assert search.last_refresh["embedded_files"] == ["tulips.md"]
    assert search.last_refresh["reused_files"] == 2
    assert "Turkey" in hits[0]["quote"]

    os.utime(corpus / "london.txt")  # touched, same content: hashed, not embedded
    search.search("clock tower", k=1)
    assert search.last_refresh["embedded_files"] == []

    (corpus / "london.txt").unlink()
    hits = search.search("square beneath the clock tower in London", k=3)
    assert search.last_refresh["removed_files"] == ["london.txt"]
    assert all(not h["source"].startswith("london.txt") for h in hits)


def test_cited_detail_keeps_the_passage_sentences_that_add_to_the_answer() -> None:
    from tools.search.reader import DETAIL_CHARS, cited_detail

    quote = "# Mirela Kostadin, chef\n\nHer signature dish is beetroot dumplings. She wears a silver buzz cut."
    assert cited_detail(quote, "beetroot dumplings") == (
        "Her signature dish is beetroot dumplings. She wears a silver buzz cut."
    )
    assert cited_detail("# Fest\n\n14 March", "14 March") == ""  # adds nothing
    long = " ".join(f"Sentence number {i} is here." for i in range(40))
    detail = cited_detail(long, "x")
    assert len(detail) <= DETAIL_CHARS and detail.endswith("is here.")
