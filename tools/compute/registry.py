"""The tools by name. Adding a tool: a module defining its `SPEC`, and one line here."""

from __future__ import annotations

from tools.compute import arithmetic, date_math, indicator, ordering, phase, shape, timezone
from tools.compute.spec import ToolError, ToolSpec

TOOLS: dict[str, ToolSpec] = {
    s.name: s
    for s in (
        timezone.SPEC,
        arithmetic.SPEC,
        ordering.SPEC,
        date_math.SPEC,
        phase.SPEC,
        indicator.SPEC,
        shape.SPEC,
    )
}


def tool(name: str) -> ToolSpec:
    """The tool called `name`; an unknown name is a ToolError."""
    try:
        return TOOLS[name]
    except KeyError:
        raise ToolError(f"unknown tool {name!r}; known: {', '.join(TOOLS)}") from None
