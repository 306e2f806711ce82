"""Search: providers behind one small interface, chosen by a spec string.

`base` holds the interface, the result types and spec resolution; `chunking` splits the
local corpus into passages; the providers are `local` (`local:DIR`, FAISS over a folder of
documents) and `tavily` (web search). This package loads neither provider on import:
`get_search` imports the one a spec names when it is first asked for.
"""

from tools.search.base import (
    PROVIDERS,
    NoSearch,
    Passage,
    SearchError,
    SearchProvider,
    SearchResult,
    find,
    get_search,
    provider_class,
    resolve_search_spec,
    validate_search_spec,
)
from tools.search.chunking import MAX_CHARS, MIN_CHARS, SUFFIXES, chunk_text, corpus_files

__all__ = [
    "MAX_CHARS",
    "MIN_CHARS",
    "PROVIDERS",
    "SUFFIXES",
    "NoSearch",
    "Passage",
    "SearchError",
    "SearchProvider",
    "SearchResult",
    "chunk_text",
    "corpus_files",
    "find",
    "get_search",
    "provider_class",
    "resolve_search_spec",
    "validate_search_spec",
]
