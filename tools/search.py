"""Search providers behind one small interface, chosen by a spec string.

Specs: `none` (no search), `local:DIR` (a folder of `.md` / `.txt` documents, searched by
embedding similarity), `tavily` (web search, tools/tavily_search.py) and `auto`: `tavily`
when TAVILY_API_KEY is set, else `local:$IMAGE_AGENT_CORPUS` when that is set, else `none`.
`validate_search_spec` checks a spec cheaply (it loads nothing); `get_search` returns one
provider per spec per process; `find()` asks any provider for passages (and image URLs
where the provider has them).

The local corpus (tools/corpus_search.py) is chunked here by markdown headings and
blank-line paragraphs; its index is cached in the data dir and refreshed incrementally
(only new or edited files are embedded again).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, TypedDict, runtime_checkable

from tools.errors import SpecError

__all__ = [
    "NoSearch",
    "Passage",
    "SearchError",
    "SearchProvider",
    "SearchResult",
    "find",
    "get_search",
    "resolve_search_spec",
    "validate_search_spec",
]

logger = logging.getLogger(__name__)

SUFFIXES = frozenset({".md", ".txt"})
MIN_CHARS = 80
MAX_CHARS = 600
_ACCEPTED = "accepted forms: auto, none, local:DIR, tavily"


class Passage(TypedDict):
    """One search hit: where it came from, the passage text, and its relevance."""

    source: str  # e.g. "notes/festivals.md#2": file relative to the corpus dir + passage number
    quote: str  # the passage text, at most ~600 characters
    score: float  # cosine similarity to the query (higher is closer)


class SearchResult(TypedDict):
    passages: list[Passage]
    images: list[dict[str, str]]  # candidate reference images: {url, description}


class SearchError(RuntimeError):
    """A search service failed (after its retries); the message is one line."""


@runtime_checkable
class SearchProvider(Protocol):
    name: str

    def search(self, query: str, k: int = 4) -> list[Passage]: ...


def find(
    provider: SearchProvider, question: str, k: int = 4, *, images: bool = False
) -> SearchResult:
    """Passages for `question` and, where the provider returns them, image URLs."""
    finder = getattr(provider, "find", None)
    if callable(finder):
        result: SearchResult = finder(question, k, images=images)
        return result
    return {"passages": provider.search(question, k), "images": []}


class NoSearch:
    """The `none` provider: finds nothing."""

    name = "none"

    def search(self, query: str, k: int = 4) -> list[Passage]:
        return []


# -------------------------------------------------------------------- chunking

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"')\]])\s+")


def _sections(text: str, markdown: bool) -> list[tuple[str, list[str]]]:
    """(heading trail, paragraphs) per section; headings only count in markdown files."""
    sections: list[tuple[str, list[str]]] = []
    trail: list[tuple[int, str]] = []
    paragraphs: list[str] = []
    lines: list[str] = []
    in_fence = False

    def end_paragraph() -> None:
        if lines:
            paragraphs.append(" ".join(lines))
            lines.clear()

    def end_section() -> None:
        end_paragraph()
        if paragraphs:
            sections.append((" / ".join(title for _, title in trail)[:200], list(paragraphs)))
            paragraphs.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if markdown and line.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        heading = _HEADING.match(line) if markdown and not in_fence else None
        if heading:
            end_section()
            level = len(heading.group(1))
            trail = [entry for entry in trail if entry[0] < level]
            if heading.group(2):
                trail.append((level, heading.group(2)))
        elif not line and not in_fence:
            end_paragraph()
        elif line:
            lines.append(line)
    end_section()
    return sections


def _split_long(paragraph: str, budget: int) -> list[str]:
    """Split a paragraph longer than `budget` at sentence ends (at spaces if it must)."""
    if len(paragraph) <= budget:
        return [paragraph]
    pieces: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(paragraph):
        while len(sentence) > budget:  # one sentence too long: cut at the last space
            cut = sentence.rfind(" ", 0, budget)
            cut = cut if cut > budget // 2 else budget
            head, sentence = sentence[:cut].strip(), sentence[cut:].strip()
            if current:
                pieces.append(current)
                current = ""
            pieces.append(head)
        if not sentence:
            continue
        if current and len(current) + 1 + len(sentence) > budget:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        pieces.append(current)
    return pieces


def chunk_text(text: str, markdown: bool = True) -> list[str]:
    """Passages of about MIN_CHARS..MAX_CHARS, each prefixed by its heading trail."""
    chunks: list[str] = []
    for heading, paragraphs in _sections(text, markdown):
        budget = max(MAX_CHARS - len(heading) - 1, 200) if heading else MAX_CHARS
        pieces = [piece for para in paragraphs for piece in _split_long(para, budget)]
        bodies: list[str] = []
        for piece in pieces:
            if (
                bodies
                and (len(bodies[-1]) < MIN_CHARS or len(piece) < MIN_CHARS)
                and len(bodies[-1]) + 1 + len(piece) <= budget
            ):
                bodies[-1] = f"{bodies[-1]}\n{piece}"
            else:
                bodies.append(piece)
        chunks.extend(f"{heading}\n{body}" if heading else body for body in bodies)
    return chunks


# -------------------------------------------------------------------- local corpus


def corpus_files(root: Path) -> Iterator[Path]:
    """The corpus's .md / .txt files, hidden folders and files skipped, in a stable order."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES:
                path = Path(dirpath) / name
                if path.is_file():
                    yield path


# -------------------------------------------------------------------- specs


def resolve_search_spec(spec: str) -> str:
    """`auto` -> `tavily` (TAVILY_API_KEY set), `local:$IMAGE_AGENT_CORPUS`, or `none`."""
    text = (spec or "").strip()
    if text.lower() != "auto":
        return text
    if os.environ.get("TAVILY_API_KEY", "").strip():
        return "tavily"
    corpus = os.environ.get("IMAGE_AGENT_CORPUS", "").strip()
    return f"local:{corpus}" if corpus else "none"


def _parse(spec: str) -> tuple[str, Path | None]:
    """('none' | 'tavily', None) or ('local', absolute dir); raises SpecError."""
    text = resolve_search_spec(spec)
    if text.lower() == "none":
        return "none", None
    if text.lower() == "tavily":
        return "tavily", None
    kind, sep, rest = text.partition(":")
    if kind.lower() != "local" or not sep:
        raise SpecError(f"unknown search spec {spec!r} ({_ACCEPTED})")
    if not rest.strip():
        raise SpecError(f"search spec {spec!r} names no folder ({_ACCEPTED})")
    directory = Path(rest.strip()).expanduser().resolve()
    if not directory.exists():
        raise SpecError(f"search folder {str(directory)!r} does not exist (from {spec!r})")
    if not directory.is_dir():
        raise SpecError(f"search folder {str(directory)!r} is not a folder (from {spec!r})")
    if next(corpus_files(directory), None) is None:
        raise SpecError(f"search folder {str(directory)!r} holds no .md or .txt files")
    return "local", directory


def validate_search_spec(spec: str) -> None:
    """Raise SpecError (one line) unless `spec` is `auto`, `none`, `tavily` or `local:DIR`
    with documents (TAVILY_API_KEY is optional: without it Tavily's keyless mode is used)."""
    _parse(spec)


_providers: dict[tuple[str, str], SearchProvider] = {}
_providers_lock = threading.Lock()


def get_search(spec: str) -> SearchProvider:
    """The provider for `spec`, one per spec per process (the index loads on first search)."""
    kind, directory = _parse(spec)
    key = (kind, str(directory or ""))
    if kind == "tavily":  # a changed key or endpoint gets its own client
        account = os.environ.get("TAVILY_API_KEY", "") + "|" + os.environ.get("TAVILY_BASE_URL", "")
        key = (kind, hashlib.sha256(account.encode("utf-8")).hexdigest())
    with _providers_lock:
        provider = _providers.get(key)
        if provider is None:
            if kind == "tavily":
                from tools.tavily_search import TavilySearch

                provider = TavilySearch()
            elif directory is None:
                provider = NoSearch()
            else:
                from tools.corpus_search import LocalCorpusSearch

                provider = LocalCorpusSearch(directory)
            _providers[key] = provider
        return provider
