"""Deterministic tools for the computable gaps of image requests.

Some gaps are not knowledge but computation: the local time at Big Ben when Singapore
reaches noon, the number of legs on three spiders and two cats, the order of animals by
size, which animal stands on the left when the smallest must, the weekday or season of a
date. A 1.5B model gets these wrong often; code gets them right every time. So computation belongs to code, and the model only fills slots:

1. `detect_tool(question, request)` says, from clear wording cues, which tool fits a gap;
2. the model fills that tool's slot model (`TOOLS[name][0]`) as constrained JSON, guided by
   the short field descriptions and the worked `EXAMPLES`;
3. `run_tool(name, slots)` validates the slots and computes a `ToolResult`: the short
   answer the image must name, what the image must show because of it, and the normalised
   inputs actually used (for the report).

Every tool is a pure function of its slots (today's date is injectable). Invalid or
insufficient slots raise `ToolError` with a one-line message; the caller then falls back
to the model's own reasoning.

Modules: `result` (ToolResult, ToolError), `places` (place -> IANA zone), one module per
tool (`timezone`, `arithmetic`, `ordering`, `arrange`, `date_math`, `viewpoint`,
`shape`, `compass`, `phase`, `indicator`),
`registry`
(run_tool, TOOLS, EXAMPLES), `detect` (detect_tool) and `clock` (reading a time-zone
request).
"""

from tools.compute.arithmetic import ArithmeticSlots, arithmetic, evaluate_expression
from tools.compute.arrange import ArrangeSlots, arrange, arrangement_rules, place_layout
from tools.compute.clock import clock_in, clock_places, orient_timezone
from tools.compute.compass import CompassSlots, compass, compass_facts, describes_directions
from tools.compute.date_math import DateMathSlots, add_months, date_math, season
from tools.compute.detect import detect_tool
from tools.compute.indicator import IndicatorSlots, describes_indicator, indicator
from tools.compute.ordering import OrderingSlots, OrderItem, ordering
from tools.compute.phase import PhaseSlots, describes_phase, phase, temperature_c
from tools.compute.places import LANDMARKS, PLACES, places_in, resolve_zone
from tools.compute.registry import EXAMPLES, TOOLS, run_tool
from tools.compute.result import ToolError, ToolResult
from tools.compute.shape import ShapeSlots, describes_shape, shape, shape_counts
from tools.compute.timezone import TimezoneSlots, light_at, timezone
from tools.compute.viewpoint import ViewpointSlots, viewpoint, viewpoints_in

__all__ = [
    "EXAMPLES",
    "LANDMARKS",
    "PLACES",
    "TOOLS",
    "ArithmeticSlots",
    "ArrangeSlots",
    "CompassSlots",
    "DateMathSlots",
    "IndicatorSlots",
    "OrderItem",
    "OrderingSlots",
    "PhaseSlots",
    "ShapeSlots",
    "TimezoneSlots",
    "ToolError",
    "ToolResult",
    "ViewpointSlots",
    "add_months",
    "arithmetic",
    "arrange",
    "arrangement_rules",
    "clock_in",
    "clock_places",
    "compass",
    "compass_facts",
    "date_math",
    "describes_directions",
    "describes_indicator",
    "describes_phase",
    "describes_shape",
    "detect_tool",
    "evaluate_expression",
    "indicator",
    "light_at",
    "ordering",
    "orient_timezone",
    "phase",
    "place_layout",
    "places_in",
    "resolve_zone",
    "run_tool",
    "season",
    "shape",
    "shape_counts",
    "temperature_c",
    "timezone",
    "viewpoint",
    "viewpoints_in",
]
