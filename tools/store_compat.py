"""A fix for LangGraph's `InMemoryStore` (the `langgraph dev` server's store) with an index.

`InMemoryStore` embeds each distinct text of a batch of puts once, then pairs the vectors
with the *flattened* list of places that text goes: when two puts in one batch index the
same text (two runs with the same subject, or a request equal to its subject) it raises
`ValueError: Number of embeddings (N) does not match number of indices (M)` and the run
fails (langchain-ai/langgraph#8822, open; langgraph-checkpoint 4.3.2 has it). The server
batches puts from concurrent runs, so this is how `remember` failed under `langgraph dev`.

`fix_inmemory_store()` replaces that one method with the version that gives each distinct
text's vector to every place it goes. It is idempotent and leaves a fixed upstream alone.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

_FIXED = "_image_agent_fixed"


def _insert_by_text(
    self: Any,
    to_embed: dict[str, list[tuple[tuple[str, ...], str, str]]],
    embeddings: list[list[float]],
) -> None:
    if len(to_embed) != len(embeddings):
        raise ValueError(
            f"Number of embeddings ({len(embeddings)}) does not match the number of "
            f"distinct texts ({len(to_embed)})"
        )
    for embedding, targets in zip(embeddings, to_embed.values(), strict=True):
        for namespace, key, path in targets:
            self._vectors[namespace][key][path] = embedding


def _has_bug(store_class: Any) -> bool:
    """Does the installed method pair vectors with places instead of texts?"""

    class Probe:
        def __init__(self) -> None:
            self._vectors: Any = defaultdict(lambda: defaultdict(dict))

    same_text_twice = {"same": [(("a",), "1", "$"), (("a",), "2", "$")]}
    try:
        store_class._insertinmem_store(Probe(), same_text_twice, [[0.0]])
    except ValueError:
        return True
    return False


def fix_inmemory_store() -> bool:
    """Patch `InMemoryStore` when the installed one has the bug; True when patched."""
    from langgraph.store.memory import InMemoryStore

    if getattr(InMemoryStore, _FIXED, False):
        return True
    if not hasattr(InMemoryStore, "_insertinmem_store") or not _has_bug(InMemoryStore):
        return False
    InMemoryStore._insertinmem_store = _insert_by_text  # type: ignore[method-assign]
    setattr(InMemoryStore, _FIXED, True)
    return True
