"""Suggest a tool for a question by meaning: embedding similarity between the question and
each tool's purpose and worked-example questions (the embedded MiniLM, no model call).

Used only when the planner named no tool; the suggestion still has to survive the input
check (grounded inputs), so a wrong suggestion falls back to reasoning.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from tools.compute.registry import TOOLS
from tools.embeddings import embed

if TYPE_CHECKING:
    import numpy as np

THRESHOLD = 0.5  # cosine; below it the question is not clearly any tool's kind
MARGIN = 0.1  # and the best tool must stand clear of the next one


@functools.cache
def _tool_vectors() -> tuple[list[str], np.ndarray]:
    names: list[str] = []
    texts: list[str] = []
    for spec in TOOLS.values():
        for text in (spec.purpose, *(example.question for example in spec.examples)):
            names.append(spec.name)
            texts.append(text)
    return names, embed(texts)


def rank_tools(question: str) -> list[tuple[str, float]]:
    """Every tool with its best similarity to `question`, best first."""
    if not question.strip():
        return []
    names, vectors = _tool_vectors()
    scores = vectors @ embed([question])[0]
    best: dict[str, float] = {}
    for name, score in zip(names, scores.tolist(), strict=True):
        best[name] = max(best.get(name, -1.0), float(score))
    return sorted(best.items(), key=lambda item: item[1], reverse=True)


def suggest_tool(question: str, threshold: float = THRESHOLD, margin: float = MARGIN) -> str:
    """The tool whose purpose or examples `question` is clearly close to, else ""."""
    ranked = rank_tools(question)
    if not ranked or ranked[0][1] < threshold:
        return ""
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < margin:
        return ""
    return ranked[0][0]
