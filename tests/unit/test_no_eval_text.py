"""The code (graph/, nodes/, tools/, renderers/: every file) holds no 5-word run and no
distinctive name of the evaluation material (tests/tools/eval_text.py says how)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.eval_text import (
    FINGERPRINTS,
    WISE_PATH,
    Material,
    case_texts,
    fingerprint,
    fingerprints_of,
    is_generic,
    read_fingerprints,
    scan_code,
    shingles,
    tokens,
    wise_texts,
)


@pytest.fixture(scope="module")
def material() -> Material:
    return Material.load()


def test_code_holds_no_evaluation_text(material: Material) -> None:
    hits = scan_code(material)
    if hits:
        pytest.fail(
            f"{len(hits)} piece(s) of evaluation text in the code; write the code from the "
            "task, not from the cases, corpus or WISE:\n" + "\n".join(str(h) for h in hits),
            pytrace=False,
        )


def test_committed_fingerprints_are_used_and_current() -> None:
    committed = read_fingerprints(FINGERPRINTS)
    # always used, so never allowed to be empty: a scan without WISE would pass silently
    assert len(committed.get("wise", ())) > 1000, f"{FINGERPRINTS} lacks the [wise] section"
    if WISE_PATH.is_file():
        current = fingerprints_of(wise_texts(WISE_PATH))
        assert committed["wise"] == current, (
            f"{FINGERPRINTS} is out of date with {WISE_PATH} "
            f"({len(current - committed['wise'])} new, {len(committed['wise'] - current)} gone): "
            "run `make eval-fingerprints`"
        )


def test_generic_shingles_are_not_fingerprints() -> None:
    assert is_generic(tuple(tokens("in the middle of the")))
    assert not is_generic(tuple(tokens("in the middle of town")))
    assert fingerprints_of(["in the middle of the"]) == set()
    assert fingerprints_of(["It's 'in' the Middle of town"]) == {
        fingerprint(("in", "the", "middle", "of", "town"))
    }


def _case_run() -> str:
    """Five consecutive words of a case that are not all function words."""
    for text in case_texts():
        for shingle in shingles(tokens(text)):
            if not is_generic(shingle):
                return " ".join(shingle)
    raise AssertionError("no case text of five words")


def test_scanner_reports_a_case_run_and_a_name(tmp_path: Path, material: Material) -> None:
    run = _case_run()
    name = sorted(material.singles)[0]
    # a name made of words that are not names on their own ("golden heron")
    phrase = " ".join(next(p for p in sorted(material.phrases) if not set(p) & material.singles))
    code = tmp_path / "nodes"
    code.mkdir()
    (code / "step.py").write_text(
        "def draw() -> str:\n"
        f"    # e.g. {run.upper()}\n"
        f"    return 'a portrait of {name.title()}'\n",
        encoding="utf-8",
    )
    (code / "examples.json").write_text(f'{{"x": "{phrase.title()}"}}\n', encoding="utf-8")
    (code / "clean.py").write_text("# a quiet module about nothing in particular\n")

    hits = {str(h) for h in scan_code(material, root=tmp_path, dirs=["nodes"])}
    assert any(h.startswith("nodes/step.py:2: 5-word run") and run in h for h in hits), hits
    assert f'nodes/step.py:3: name "{name}" from cases/corpus' in hits, hits
    assert any(h.startswith("nodes/examples.json:1: name") and phrase in h for h in hits), hits
    assert not any(h.startswith("nodes/clean.py") for h in hits), hits


def test_scanner_reports_a_fingerprinted_run_across_lines(tmp_path: Path) -> None:
    secret = ("purple", "ocelots", "juggle", "seven", "lanterns", "nightly")
    material = Material({fingerprint(secret[:5]): {"wise"}, fingerprint(secret[1:]): {"wise"}},
                        set(), set())  # fmt: skip
    path = tmp_path / "tools" / "prompts.py"
    path.parent.mkdir()
    path.write_text('TEXT = (\n    "Purple ocelots juggle "\n    "seven lanterns, nightly"\n)\n')

    hits = scan_code(material, root=tmp_path, dirs=["tools"])
    assert [str(h) for h in hits] == [
        f'tools/prompts.py:2-3: 6-word run "{" ".join(secret)}" from wise '
        f"[{fingerprint(secret[:5])}]"
    ]
