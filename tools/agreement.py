"""Whether short answers name the same thing: normalised words first, then meaning.

Two answers agree when, after normalising (lower case, articles and generic words dropped,
inflections folded, spaces and hyphens ignored), one's words hold the other's ("saffron
threads" and "saffron"), or when the embedded MiniLM puts them within SAME of each other
("sofa" and "couch"). `groups` clusters several answers by that relation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from tools.embeddings import embed
from tools.wording import content_stems, fold

if TYPE_CHECKING:
    import numpy as np

# Cosine similarity (all-MiniLM-L6-v2, unit vectors) at or above which two answers agree.
# Measured on pairs written for this purpose:
#   same thing:  sofa/couch 0.86, puffin/Atlantic puffin 0.82, jacket potato/baked potato
#                0.77, saffron threads/saffron 0.74, courgette/zucchini 0.46,
#                aubergine/eggplant 0.41, cormorant/shag 0.24
#   different:   pine/spruce 0.71, violin/cello 0.68, cat/dog 0.66, sparrow/robin 0.66,
#                salmon/trout 0.64, tea/coffee 0.62, lion/dragon 0.54, saffron/turmeric 0.37
# Different things reach 0.71 and single-word synonyms can score far lower, so no threshold
# separates them all. 0.75 is above every different pair measured: a false agreement would
# hide a wrong answer, while a false disagreement only sends the gap on to search, the user
# or the uncertain mark. Synonyms that share a word are caught by the word rule first.
SAME = 0.75


def _squashed(text: str) -> str:
    """The text without a leading article, spaces, hyphens or punctuation."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"^\s*(the|an?)\s+", "", text.lower()))


def words_agree(a: str, b: str) -> bool:
    """The normalised words of one answer hold the other's, or the two are written alike
    but for spaces and hyphens ("moon cake", "mooncake")."""
    if _squashed(a) and _squashed(a) == _squashed(b):
        return True
    wa, wb = _folded(a), _folded(b)
    return bool(wa and wb) and (wa <= wb or wb <= wa)


def _folded(text: str) -> set[str]:
    """The content words in one form each: "racing" and "race", "grapes" and "grape"."""
    return {fold(word) for word in content_stems(text)}


def agreement_matrix(values: Sequence[str]) -> np.ndarray:
    """agree[i, j]: values i and j name the same thing (by words, else by embedding)."""
    import numpy as np

    n = len(values)
    agree = np.eye(n, dtype=bool)
    pending = [(i, j) for i in range(n) for j in range(i + 1, n)]
    for i, j in pending:
        agree[i, j] = agree[j, i] = words_agree(values[i], values[j])
    if any(not agree[i, j] for i, j in pending):
        vectors = embed([v.strip() for v in values])
        similar = vectors @ vectors.T >= SAME
        agree |= similar
    return agree


def groups(values: Sequence[str]) -> list[list[int]]:
    """The indices of `values` clustered by agreement (linked pairs join), first seen first."""
    agree = agreement_matrix(values)
    seen: set[int] = set()
    out: list[list[int]] = []
    for start in range(len(values)):
        if start in seen:
            continue
        group, frontier = [], [start]
        while frontier:
            i = frontier.pop()
            if i in seen:
                continue
            seen.add(i)
            group.append(i)
            frontier += [j for j in range(len(values)) if agree[i, j] and j not in seen]
        out.append(sorted(group))
    return out
