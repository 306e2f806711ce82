"""The report's lines for cross-checked answers: the candidates, what decided, and a
warning for every answer the candidates disagreed on and nothing settled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

DECIDED = {
    "agreement": "agreement (every candidate names the same thing)",
    "search": "search (the candidates disagreed; a cited passage settled it)",
    "user": "the user (the candidates disagreed; the user chose)",
    "majority": "majority (the candidates disagreed and nothing settled it)",
}


def _values(values: list[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def crosscheck_lines(row: Mapping[str, Any]) -> list[str]:
    """The gap's cross-check: each candidate with its source, then what decided."""
    check = row.get("crosscheck")
    if not check:
        return []
    shown = " · ".join(f"{c['source']} '{c['value']}'" for c in check.get("candidates", []))
    decided = str(check.get("decided_by", ""))
    line = f"- Cross-check: {shown} → decided by {DECIDED.get(decided, decided)}"
    if check.get("alternatives"):
        line += f"; set aside: {_values(list(check['alternatives']))}"
    return [line.replace("\n", " ")]


def uncertain_lines(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """One warning line per uncertain answer, for the top of the gaps section."""
    out = []
    for row in rows:
        if not row.get("uncertain"):
            continue
        others = list((row.get("crosscheck") or {}).get("alternatives", []))
        out.append(
            f"> **WARNING: uncertain answer** for {row['id']} ({row['question']}): "
            f"'{row.get('answer', '')}' is the majority of answers that disagree; "
            f"alternatives: {_values(others) or '-'}. Check it before trusting the image."
        )
    return [*out, ""] if out else []
