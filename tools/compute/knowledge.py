"""The tools' tables: JSON files in `tools/compute/data/`, each row validated at load time.

A table is a JSON list of rows; `load_rows(path, Model)` validates every row with its
pydantic model and fails on the first bad one with the file, the row index and the field
("substances.json row 12 (butter): melts_c: Input should be a valid number"). The
accessors below load each file once (cached) and add the checks that span rows: names
and aliases unique, the light table covering every hour once.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Protocol, Self, TypeVar, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from tools.compute.spec import validation_message

DATA = Path(__file__).parent / "data"

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class KnowledgeError(ValueError):
    """A data file is missing, is not JSON, or has a row its schema rejects."""


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LightRow(Row):
    """Local hours `first`..`last` are `period`; `words` name it; `sky` is what it looks like."""

    first: int = Field(ge=0, le=23)
    last: int = Field(ge=0, le=23)
    period: Name
    words: tuple[Name, ...] = Field(min_length=1)
    sky: Text

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.last < self.first:
            raise ValueError(f"last hour {self.last} is before first hour {self.first}")
        return self


class Substance(Row):
    """Melting and boiling points at sea-level pressure, in °C; no boiling point: it burns
    or decomposes first. Equal points: it sublimes. Optional looks per state."""

    name: Name
    aliases: tuple[Name, ...] = ()
    melts_c: float = Field(ge=-273.15, le=5000)
    boils_c: float | None = Field(default=None, ge=-273.15, le=6000)
    solid: Text = ""
    liquid: Text = ""
    gas: Text = ""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.boils_c is not None and self.boils_c < self.melts_c:
            raise ValueError(f"boils_c {self.boils_c} is below melts_c {self.melts_c}")
        return self


class ColourRange(Row):
    """The colour shown below pH `up_to` (the last range is open: `up_to` null)."""

    up_to: float | None = Field(ge=0, le=14)
    colour: Name
    words: tuple[Name, ...] = ()  # other words for this colour: colourless, clear


class Indicator(Row):
    name: Name
    aliases: tuple[Name, ...] = ()
    start: Name | None = None  # the colour before it meets a liquid (phenolphthalein: colourless)
    ranges: tuple[ColourRange, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _ascending(self) -> Self:
        bounds = [r.up_to for r in self.ranges]
        if bounds[-1] is not None or None in bounds[:-1]:
            raise ValueError("only the last range is open (up_to null)")
        closed = [b for b in bounds if b is not None]
        if closed != sorted(set(closed)):
            raise ValueError(f"up_to must rise: {closed}")
        return self


class Liquid(Row):
    name: Name
    aliases: tuple[Name, ...] = ()
    ph: float = Field(ge=-1, le=15)


class Polygon(Row):
    """A polygon's name by side count, and the names of its equal-sided, equal-angled and
    regular forms where they have their own (a square, a rhombus)."""

    sides: int = Field(ge=3, le=1000)
    name: Name
    regular: Name | None = None
    equal_sides: Name | None = None
    equal_angles: Name | None = None


class Solid(Row):
    """A solid with `faces` identical faces of `face_sides` sides (Euler's formula holds)."""

    name: Name
    faces: int = Field(ge=4, le=200)
    face_sides: int = Field(ge=3, le=20)
    vertices: int = Field(ge=4, le=400)
    edges: int = Field(ge=6, le=600)

    @model_validator(mode="after")
    def _euler(self) -> Self:
        if self.vertices - self.edges + self.faces != 2:
            raise ValueError("vertices - edges + faces must be 2")
        if self.faces * self.face_sides != 2 * self.edges:
            raise ValueError("faces x face_sides must be twice the edges")
        return self


R = TypeVar("R", bound=Row)


def load_rows(path: Path, row: type[R]) -> tuple[R, ...]:
    """Every row of the JSON list at `path`, validated as `row`."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KnowledgeError(f"{path.name}: cannot read: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise KnowledgeError(f"{path.name}: not JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(data, list) or not data:
        raise KnowledgeError(f"{path.name}: must be a non-empty JSON list of rows")
    rows: list[R] = []
    for index, item in enumerate(data):
        try:
            rows.append(row.model_validate(item))
        except ValidationError as exc:
            label = item.get("name") or item.get("period") if isinstance(item, dict) else None
            where = f"row {index}" + (f" ({label})" if label else "")
            raise KnowledgeError(f"{path.name} {where}: {validation_message(exc)}") from exc
    return tuple(rows)


def normalise(text: str) -> str:
    """Lower case, accents and punctuation away, a plural `s` folded: the key names are
    matched by ("Crème brûlée" and "creme brulee" meet; "ice cubes" has "ice cube")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    words = re.findall(r"[a-z0-9]+", text.replace("'s", ""))
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words)


class Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...


N = TypeVar("N", bound=Named)


def _keys(row: Named) -> list[str]:
    return [normalise(k) for k in (row.name, *row.aliases)]


def unique_names(path: Path, rows: Iterable[Named]) -> None:
    """Fail when two rows share a name or an alias."""
    seen: dict[str, str] = {}
    for row in rows:
        for key in _keys(row):
            if key in seen and seen[key] != row.name:
                raise KnowledgeError(f"{path.name}: {key!r} names both {seen[key]} and {row.name}")
            seen[key] = row.name


def find(rows: Iterable[N], text: str) -> N | None:
    """The row `text` names: a name or alias equal to it, else the longest one it contains
    as whole words ("a bar of dark chocolate" names chocolate)."""
    wanted = normalise(text)
    if not wanted:
        return None
    best: tuple[int, int, N] | None = None
    padded = f" {wanted} "
    for row in rows:
        for key in _keys(row):
            if key == wanted:
                return row
            if key and f" {key} " in padded:
                rank = (len(key.split()), len(key))
                if best is None or rank > best[:2]:
                    best = (*rank, row)
    return best[2] if best else None


@cache
def light(path: Path = DATA / "light.json") -> tuple[LightRow, ...]:
    rows = load_rows(path, LightRow)
    hours = [h for row in rows for h in range(row.first, row.last + 1)]
    if sorted(hours) != list(range(24)):
        missing = sorted(set(range(24)) - set(hours))
        twice = sorted({h for h in hours if hours.count(h) > 1})
        raise KnowledgeError(f"{path.name}: hours 0-23 once each; missing {missing}, twice {twice}")
    return rows


def named_rows(path: Path, model: type[R]) -> tuple[R, ...]:
    """Rows of a table looked up by name: every name and alias once."""
    rows = load_rows(path, model)
    unique_names(path, cast(Iterable[Named], rows))
    return rows


@cache
def substances(path: Path = DATA / "substances.json") -> tuple[Substance, ...]:
    return named_rows(path, Substance)


@cache
def indicators(path: Path = DATA / "indicators.json") -> tuple[Indicator, ...]:
    return named_rows(path, Indicator)


@cache
def liquids(path: Path = DATA / "liquids.json") -> tuple[Liquid, ...]:
    return named_rows(path, Liquid)


@cache
def polygons(path: Path = DATA / "polygons.json") -> tuple[Polygon, ...]:
    rows = load_rows(path, Polygon)
    sides = [row.sides for row in rows]
    if len(set(sides)) != len(sides):
        raise KnowledgeError(f"{path.name}: a side count appears twice")
    return rows


@cache
def solids(path: Path = DATA / "solids.json") -> tuple[Solid, ...]:
    rows = load_rows(path, Solid)
    keys = [(row.faces, row.face_sides) for row in rows]
    if len(set(keys)) != len(keys):
        raise KnowledgeError(f"{path.name}: two solids have the same faces")
    return rows
