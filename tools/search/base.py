"""Search providers behind one small interface, chosen by a spec string.

Specs: `none` (no search), `local:DIR` (a folder of `.md` / `.txt` documents, searched by
embedding similarity, tools/search/local.py), `tavily` (web search, tools/search/tavily.py)
and `auto`: `tavily` when TAVILY_API_KEY is set, else `local:$IMAGE_AGENT_CORPUS` when that
is set, else `none`. `validate_search_spec` checks a spec cheaply (it loads nothing);
`get_search` returns one provider per spec per process; `find()` asks any provider for
passages (and image URLs where the provider has them).

The providers import this module, never the other way: `get_search` finds a provider's
class by the module path named in `PROVIDERS`, loaded on first use (so neither FAISS nor
the Tavily client is imported before a search needs it).
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypedDict, runtime_checkable

from tools.errors import SpecError
from tools.search.chunking import corpus_files

__all__ = [
    "PROVIDERS",
    "NoSearch",
    "Passage",
    "SearchError",
    "SearchProvider",
    "SearchResult",
    "find",
    "get_search",
    "provider_class",
    "resolve_search_spec",
    "validate_search_spec",
]

logger = logging.getLogger(__name__)

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


# The provider class of each spec kind, as "module:class" (the module is imported on first use).
PROVIDERS: dict[str, str] = {
    "local": "tools.search.local:LocalCorpusSearch",
    "tavily": "tools.search.tavily:TavilySearch",
}


def provider_class(kind: str) -> Callable[..., SearchProvider]:
    """The provider class for a spec kind (`local`, `tavily`), its module loaded if need be."""
    module, _, name = PROVIDERS[kind].partition(":")
    factory: Callable[..., SearchProvider] = getattr(importlib.import_module(module), name)
    return factory


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
                provider = provider_class("tavily")()
            elif directory is None:
                provider = NoSearch()
            else:
                provider = provider_class("local")(directory)
            _providers[key] = provider
        return provider
