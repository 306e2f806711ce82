"""The typed compute tools, each exercised through `SPEC.run(raw, sources=...)`: answers,
zone resolution, grounding, validation, the data tables and what each result excludes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from tools.compute import knowledge
from tools.compute.registry import TOOLS, tool
from tools.compute.spec import ToolError, ToolResult, UngroundedInputs, numbers_in
from tools.compute.timezone import light_at, resolve_zone

TODAY = date(2026, 7, 1)


def run(name: str, raw: dict[str, Any], sources: str, today: date = TODAY) -> ToolResult:
    return tool(name).run(raw, sources=sources, today=today)


# --------------------------------------------------------------------------- registry


def test_the_registry_names_every_tool_once() -> None:
    assert set(TOOLS) == {
        "timezone",
        "arithmetic",
        "ordering",
        "date_math",
        "phase",
        "indicator",
        "shape",
    }
    assert all(spec.name == name for name, spec in TOOLS.items())
    with pytest.raises(ToolError, match="unknown tool 'compass'"):
        tool("compass")


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_each_worked_example_runs_grounded_in_its_own_question(name: str) -> None:
    spec = TOOLS[name]
    assert len(spec.examples) == 2 and spec.purpose
    for example in spec.examples:
        raw = json.loads(example.inputs)
        assert set(raw) == set(spec.inputs.model_fields)  # every field written out
        result = spec.run(raw, sources=example.question, today=TODAY)
        assert result.tool == name and result.answer and result.attribute


def _models(model: type[BaseModel]) -> list[type[BaseModel]]:
    found = [model]
    for info in model.model_fields.values():
        for arg in getattr(info.annotation, "__args__", (info.annotation,)):
            inner = getattr(arg, "__args__", (arg,))
            found += [
                m
                for a in inner
                if isinstance(a, type) and issubclass(a, BaseModel)
                for m in _models(a)
            ]
    return found


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_every_input_field_is_described_and_strings_are_bounded(name: str) -> None:
    for model in _models(TOOLS[name].inputs):
        schema = model.model_json_schema()
        for field, prop in schema["properties"].items():
            assert prop.get("description"), f"{model.__name__}.{field} has no description"
            if prop.get("type") == "string":
                assert "maxLength" in prop or "enum" in prop, f"{model.__name__}.{field}"


# --------------------------------------------------------------------------- spec helpers


def test_numbers_in_reads_digits_words_and_clock_words() -> None:
    found = numbers_in("twenty-four cats, a dozen eggs, two hundred ants at 9pm and noon")
    assert {24.0, 12.0, 200.0, 21.0, 9.0}.issubset(found)
    assert {21.0, 22.0, 15.0} <= numbers_in("nine in the evening, 10 at night, 3 in the afternoon")
    assert 13.0 not in numbers_in("one at night")


# --------------------------------------------------------------------------- timezone


def tz(from_place: str, hour: int, to_place: str, sources: str, **extra: Any) -> ToolResult:
    raw = {"from_place": from_place, "hour": hour, "to_place": to_place, **extra}
    return run("timezone", raw, sources)


def test_noon_in_singapore_is_before_dawn_in_london_in_summer_time() -> None:
    result = tz(
        "Singapore",
        12,
        "London",
        "London when Singapore reaches noon on 1 July 2026",
        date="2026-07-01",
    )
    assert result.answer == "pre-dawn twilight, 05:00 local time in London"
    assert result.inputs["to_utc_offset"] == "UTC+01:00"
    assert result.inputs["from_utc_offset"] == "UTC+08:00"
    assert (result.subject, result.attribute) == ("London", "time of day")


def test_noon_in_singapore_is_night_in_london_in_winter() -> None:
    result = tz(
        "Singapore", 12, "London", "London at noon in Singapore, 15 January 2026", date="2026-01-15"
    )
    assert result.answer == "night, 04:00 local time in London"
    assert result.inputs["to_utc_offset"] == "UTC+00:00"
    assert "night-time" in result.visible


@pytest.mark.parametrize(
    ("day", "spoken", "sydney", "offset"),
    [
        ("2026-01-15", "15 January 2026", "2026-01-16T13:00+11:00", "UTC+11:00"),
        ("2026-03-20", "20 March 2026", "2026-03-21T12:00+11:00", "UTC+11:00"),
        ("2026-07-01", "1 July 2026", "2026-07-02T11:00+10:00", "UTC+10:00"),
    ],
)
def test_both_daylight_saving_rules_follow_the_date(
    day: str, spoken: str, sydney: str, offset: str
) -> None:
    sources = f"Sydney when it is 9pm in New York on {spoken}"
    result = tz("New York", 21, "Sydney", sources, date=day)
    assert result.inputs["to_time"] == sydney
    assert result.inputs["to_utc_offset"] == offset
    assert result.inputs["day_shift"] == 1


def test_an_empty_date_is_the_injected_today() -> None:
    result = tz("Lima", 0, "Tokyo", "Tokyo at midnight in Lima")
    assert result.inputs["from_time"] == "2026-07-01T00:00-05:00"
    assert result.answer == "afternoon, 14:00 local time in Tokyo"


def test_zones_are_found_in_geonames_before_the_models_zone() -> None:
    result = tz("Lima", 9, "Nairobi", "Nairobi at 9 am in Lima", from_zone="Not/AZone")
    assert result.inputs["from_zone"] == "America/Lima"
    assert result.inputs["from_zone_source"].startswith("geonames: city Lima, PE")
    assert result.inputs["to_zone_source"].startswith("geonames: city Nairobi")
    assert resolve_zone("Peru", "")[1] == "geonames: capital of Peru, Lima"
    assert resolve_zone("Brazil", "")[0] == "America/Sao_Paulo"


def test_the_models_zone_settles_a_name_several_cities_share() -> None:
    assert resolve_zone("Saint Petersburg", "")[0] == "Europe/Moscow"
    zone, how = resolve_zone("St Petersburg", "Europe/Moscow")
    assert zone == "Europe/Moscow" and "agreeing with the model's zone" in how


def test_a_landmark_takes_the_models_zone_and_is_said_with_at() -> None:
    sources = "The Golden Gate Bridge when Berlin clocks show 18:00 on 10 December 2026"
    result = tz(
        "Berlin",
        18,
        "Golden Gate Bridge",
        sources,
        to_zone="America/Los_Angeles",
        date="2026-12-10",
    )
    assert result.inputs["to_zone_source"] == "the model's zone (not in geonames)"
    assert result.answer == "morning, 09:00 local time at Golden Gate Bridge"


def test_a_landmark_takes_the_zone_of_the_city_the_model_places_it_in() -> None:
    sources = "The Golden Gate Bridge when Berlin clocks show 18:00 on 10 December 2026"
    result = tz(
        "Berlin", 18, "Golden Gate Bridge", sources, to_city="San Francisco", date="2026-12-10"
    )
    assert result.inputs["to_zone"] == "America/Los_Angeles"
    assert result.inputs["to_zone_source"].startswith("Golden Gate Bridge is in San Francisco;")
    assert result.answer == "morning, 09:00 local time at Golden Gate Bridge"
    # the city is the model's knowledge, not the request's: it is not grounded, the place is
    with pytest.raises(UngroundedInputs):
        tz("Berlin", 18, "San Francisco", sources, date="2026-12-10")


def test_no_zone_anywhere_is_a_tool_error() -> None:
    with pytest.raises(ToolError, match="no time zone for 'Gondor Keep'"):
        tz("Paris", 12, "Gondor Keep", "Gondor Keep at noon in Paris", to_zone="Middle/Earth")


@pytest.mark.parametrize(
    ("raw", "sources"),
    [
        ({"from_place": "Paris", "hour": 12, "to_place": "Oslo"}, "Rome at noon in Paris"),
        ({"from_place": "Paris", "hour": 22, "to_place": "Oslo"}, "Oslo at 9pm in Paris"),
        (
            {"from_place": "Paris", "hour": 21, "to_place": "Oslo", "date": "2026-05-04"},
            "Oslo at 9pm in Paris on 4 June 2026",
        ),
    ],
)
def test_a_place_hour_or_date_the_request_does_not_state_is_ungrounded(
    raw: dict[str, Any], sources: str
) -> None:
    with pytest.raises(UngroundedInputs):
        run("timezone", raw, sources)


@pytest.mark.parametrize(
    "raw",
    [
        {"from_place": "Paris", "hour": 24, "to_place": "Oslo"},
        {"from_place": "Paris", "hour": 9, "to_place": "Oslo", "date": "4 June"},
        {"from_place": "Paris", "to_place": "Oslo"},
    ],
)
def test_invalid_timezone_inputs_are_tool_errors(raw: dict[str, Any]) -> None:
    with pytest.raises(ToolError, match=r"^timezone: "):
        run("timezone", raw, "Oslo at 9 or 24 in Paris")


def test_the_night_excludes_the_other_periods_words_but_not_its_own() -> None:
    result = tz("Lima", 0, "Lima", "Lima at midnight")
    assert result.answer.startswith("night")
    assert {"noon", "morning", "sunrise", "afternoon"} <= set(result.excludes)
    assert not {"night", "midnight", "evening", "starry"} & set(result.excludes)


def test_every_hour_has_one_light_row() -> None:
    periods = [light_at(hour)[0].period for hour in range(24)]
    assert periods[0] == periods[23] == "night" and periods[12] == "midday"


# --------------------------------------------------------------------------- arithmetic


def test_known_facts_ground_the_numbers_the_request_does_not_state() -> None:
    raw = {
        "expression": "3*8+2*4",
        "unit": "legs",
        "known": [{"name": "legs of a spider", "value": 8}, {"name": "legs of a cat", "value": 4}],
    }
    result = run("arithmetic", raw, "three spiders and two cats on a rug")
    assert result.answer == "32 legs" and result.inputs["value"] == 32
    assert "exactly 32 legs" in result.visible
    with pytest.raises(UngroundedInputs, match="expression number 8; expression number 4"):
        run("arithmetic", {"expression": "3*8+2*4", "unit": "legs"}, "three spiders, two cats")


def test_number_words_ground_the_expression() -> None:
    result = run(
        "arithmetic",
        {"expression": "24 - 7", "unit": "candles"},
        "twenty-four candles, seven blown out",
    )
    assert result.answer == "17 candles"


def test_a_duration_is_added_to_a_clock() -> None:
    raw = {"expression": "2.5", "unit": "hours", "start": {"hour": 22, "minute": 45}}
    result = run("arithmetic", raw, "a train leaves at 10:45 pm and runs 2.5 hours")
    assert result.inputs["clock"] == "01:15" and result.inputs["day_shift"] == 1
    assert result.answer.startswith("01:15 the next day")
    with pytest.raises(UngroundedInputs, match=r"start\.hour=21"):
        raw = {"expression": "30", "unit": "minutes", "start": {"hour": 21}}
        run("arithmetic", raw, "a bus at 8 pm takes 30 minutes")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("__import__('os').system('x')", "not allowed"),
        ("4/0", "division by zero"),
        ("2**400", "too large"),
        ("3 +", "not an arithmetic expression"),
    ],
)
def test_unsafe_or_broken_expressions_are_tool_errors(expression: str, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        run("arithmetic", {"expression": expression}, "3 4 0 2 400 os x")


# --------------------------------------------------------------------------- ordering


def item(name: str, value: float | str, unit: str = "") -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit}


def test_values_in_different_units_are_compared_by_pint() -> None:
    raw = {
        "items": [item("giraffe", 5.5, "m"), item("rabbit", 40, "cm"), item("horse", 63, "inches")],
        "order": "descending",
        "layout": "left_to_right",
    }
    result = run("ordering", raw, "a giraffe, a rabbit and a horse, tallest on the left")
    assert result.inputs["sorted"] == ["giraffe", "horse", "rabbit"]
    assert result.placement == {"axis": "horizontal", "order": ["giraffe", "horse", "rabbit"]}
    assert result.answer == "largest to smallest: giraffe, horse, rabbit"


@pytest.mark.parametrize(
    ("layout", "axis"),
    [("front_to_back", "depth"), ("top_to_bottom", "vertical"), ("none", None)],
)
def test_the_layout_names_the_axis(layout: str, axis: str | None) -> None:
    raw = {
        "items": [item("kettle", 1.2, "kg"), item("anvil", 50, "lb")],
        "order": "ascending",
        "layout": layout,
    }
    result = run("ordering", raw, "an anvil and a kettle")
    assert (result.placement or {}).get("axis") == axis
    assert result.inputs["sorted"] == ["kettle", "anvil"]


def test_dates_including_bce_years_sort_and_pick() -> None:
    raw = {
        "items": [
            item("Taj Mahal", "1653"),
            item("Great Pyramid", "-2560"),
            item("Colosseum", "80"),
        ],
        "order": "ascending",
        "pick": "first",
    }
    result = run("ordering", raw, "the Taj Mahal, the Great Pyramid and the Colosseum")
    assert result.answer == "Great Pyramid (earliest)"
    raw["pick"] = "last"
    assert run("ordering", raw, "Taj Mahal, Great Pyramid, Colosseum").answer == (
        "Taj Mahal (latest)"
    )


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([item("rope", 3, "m"), item("sack", 3, "kg")], "cannot compare"),
        ([item("rope", 3, "m"), item("sack", 3, "zorbs")], "unknown unit"),
        ([item("rope", 3, "m"), item("sack", "1900")], "mix numbers and dates"),
        ([item("rope", "1900-13-01"), item("sack", "1900")], "not a real date"),
        ([item("rope", 3, "m"), item("sack", 3)], "some values have a unit"),
    ],
)
def test_incomparable_values_are_tool_errors(items: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(ToolError, match=message):
        run("ordering", {"items": items, "order": "ascending"}, "a rope and a sack")


def test_an_item_the_request_does_not_name_is_ungrounded() -> None:
    raw = {"items": [item("whale", 30, "m"), item("shark", 6, "m")], "order": "ascending"}
    with pytest.raises(UngroundedInputs, match=r"items\[0\]\.name='whale'"):
        run("ordering", raw, "a dolphin and a shark")


# --------------------------------------------------------------------------- date_math


def test_a_weekday_after_days() -> None:
    raw = {"start": "2027-09-12", "days": 45, "ask": "weekday"}
    result = run("date_math", raw, "a party 45 days after 12 September 2027")
    assert result.answer == "Wednesday" and result.inputs["date"] == "2027-10-27"
    assert "Sunday" in result.excludes and "Wednesday" not in result.excludes


def test_today_is_not_grounded_and_months_clamp() -> None:
    result = run(
        "date_math", {"months": 8, "ask": "date"}, "eight months from now", today=date(2027, 6, 30)
    )
    assert result.answer == "Tuesday 2028-02-29"
    assert run("date_math", {"start": "today", "ask": "season_south"}, "now").answer.startswith(
        "winter"
    )


def test_seasons_per_hemisphere_exclude_the_other_seasons() -> None:
    raw = {"start": "2026-01-10", "ask": "season_north"}
    north = run("date_math", raw, "a park on 10 Jan 2026")
    assert north.answer.startswith("winter") and "autumn" in north.excludes
    south = run("date_math", {**raw, "ask": "season_south"}, "a park on 10 Jan 2026")
    assert south.answer.startswith("summer") and "winter" in south.excludes


def test_a_start_date_the_request_does_not_state_is_ungrounded() -> None:
    with pytest.raises(UngroundedInputs, match="start='2027-09-12'"):
        run("date_math", {"start": "2027-09-12", "days": 3}, "3 days after 12 October 2027")
    with pytest.raises(ToolError, match="date_math: start"):
        run("date_math", {"start": "12/09/2027"}, "12/09/2027")


# --------------------------------------------------------------------------- phase


@pytest.mark.parametrize(
    ("raw", "sources", "state", "look"),
    [
        ({"substance": "water", "temperature": -20}, "water at minus 20 degrees", "solid", "ice"),
        ({"substance": "mercury", "setting": "freezer"}, "mercury in a freezer", "liquid", "metal"),
        (
            {"substance": "dark chocolate", "temperature": 104, "unit": "F"},
            "dark chocolate in a car at 104 °F",
            "liquid",
            "glossy",
        ),
        (
            {"substance": "tin", "temperature": 500, "unit": "F", "bound": "above"},
            "tin above 500 °F",
            "liquid",
            "molten",
        ),
        (
            {"substance": "liquid nitrogen", "temperature": 77, "unit": "K"},
            "liquid nitrogen at 77 K",
            "liquid",
            "fog",
        ),
        (
            {"substance": "dry ice", "setting": "room temperature"},
            "dry ice at room temperature",
            "gas",
            "invisible",
        ),
        ({"substance": "olive oil", "temperature": 10}, "olive oil at 10 °C", "liquid", "oil"),
        (
            {"substance": "butter", "temperature": 34, "bound": "below"},
            "butter kept below 34 degrees",
            "solid",
            "block",
        ),
    ],
)
def test_the_state_follows_from_the_tables_points(
    raw: dict[str, Any], sources: str, state: str, look: str
) -> None:
    result = run("phase", raw, sources)
    assert result.answer.startswith(f"{state}: ") and look in result.answer
    assert result.inputs["state"] == state and (result.attribute, result.subject) == (
        "state",
        raw["substance"],
    )


def test_phase_excludes_the_other_states_words_but_not_the_subjects() -> None:
    frozen = run("phase", {"substance": "water", "temperature": -5}, "water at -5 °C")
    assert {"melted", "molten", "steam", "vapour", "boiling"} <= set(frozen.excludes)
    assert not {"solid", "frozen", "ice"} & set(frozen.excludes)
    melted = run("phase", {"substance": "ice cream", "temperature": 30}, "ice cream at 30°C")
    assert "frozen" in melted.excludes and "ice" not in melted.excludes


@pytest.mark.parametrize(
    ("raw", "sources"),
    [
        ({"substance": "lead", "temperature": 400}, "a tin bar at 400 °C"),
        ({"substance": "tin", "temperature": 450}, "a tin bar at 400 °C"),
        ({"substance": "tin", "setting": "freezer"}, "a tin bar in a fridge"),
    ],
)
def test_a_substance_or_temperature_not_stated_is_ungrounded(
    raw: dict[str, Any], sources: str
) -> None:
    with pytest.raises(UngroundedInputs):
        run("phase", raw, sources)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"substance": "kryptonite", "temperature": 20}, "no melting and boiling points"),
        ({"substance": "tin"}, "either a temperature or a setting"),
        ({"substance": "tin", "temperature": 20, "setting": "fridge"}, "either a temperature"),
        ({"substance": "tin", "temperature": 20, "unit": "R"}, "phase: unit"),
        ({"substance": "tin", "temperature": -300}, "below absolute zero"),
    ],
)
def test_unknown_substances_and_bad_inputs_are_tool_errors(
    raw: dict[str, Any], message: str
) -> None:
    with pytest.raises(ToolError, match=message):
        run("phase", raw, "kryptonite and tin at 20 or minus 300 degrees in a fridge")


# --------------------------------------------------------------------------- indicator


@pytest.mark.parametrize(
    ("indicator", "liquid", "answer"),
    [
        ("blue litmus paper", "lemon juice", "the blue litmus paper turns red"),
        ("red litmus paper", "soapy water", "the red litmus paper turns blue"),
        ("blue litmus paper", "bleach", "the blue litmus paper stays blue"),
        ("blue litmus paper", "distilled water", "the blue litmus paper stays blue"),
        ("litmus", "vinegar", "the litmus turns red"),
        ("phenolphthalein", "hydrochloric acid", "the phenolphthalein stays colourless"),
        ("phenolphthalein", "household ammonia", "the phenolphthalein turns magenta"),
        ("universal indicator", "distilled water", "the universal indicator turns green"),
        ("bromothymol blue", "vinegar", "the bromothymol blue turns yellow"),
        ("red cabbage juice", "baking soda", "the red cabbage juice turns blue"),
        ("methyl orange", "milk", "the methyl orange turns yellow"),
    ],
)
def test_the_colour_follows_from_the_ph(indicator: str, liquid: str, answer: str) -> None:
    sources = f"{indicator} added to {liquid}"
    result = run("indicator", {"indicator": indicator, "liquid": liquid}, sources)
    assert result.answer == f"{answer} in {liquid}"
    assert result.inputs["ph_source"].startswith("table") and "pH about" in result.visible


def test_the_models_ph_serves_a_liquid_the_table_lacks() -> None:
    raw = {"indicator": "litmus", "liquid": "tamarind syrup", "ph": 3.2}
    result = run("indicator", raw, "litmus in tamarind syrup")
    assert result.answer.startswith("the litmus turns red")
    assert result.inputs["ph_source"] == "the model"
    with pytest.raises(ToolError, match="no pH for 'tamarind syrup'"):
        run(
            "indicator",
            {"indicator": "litmus", "liquid": "tamarind syrup"},
            "litmus, tamarind syrup",
        )


def test_indicator_excludes_its_other_colours() -> None:
    result = run(
        "indicator",
        {"indicator": "phenolphthalein", "liquid": "vinegar"},
        "phenolphthalein in vinegar",
    )
    assert {"pink", "magenta", "fuchsia"} <= set(result.excludes)
    assert not {"colourless", "colorless", "clear"} & set(result.excludes)
    paper = run(
        "indicator",
        {"indicator": "blue litmus paper", "liquid": "vinegar"},
        "blue litmus paper in vinegar",
    )
    assert "purple" in paper.excludes and "blue" not in paper.excludes  # the subject's own word


def test_unknown_indicator_or_ungrounded_liquid() -> None:
    with pytest.raises(ToolError, match="no colour table"):
        run("indicator", {"indicator": "beet dye", "liquid": "vinegar"}, "beet dye in vinegar")
    with pytest.raises(UngroundedInputs, match="liquid='bleach'"):
        run("indicator", {"indicator": "litmus", "liquid": "bleach"}, "litmus in vinegar")


# --------------------------------------------------------------------------- shape


def flat(**fields: Any) -> dict[str, Any]:
    return {"kind": "flat", **fields}


@pytest.mark.parametrize(
    ("raw", "sources", "name"),
    [
        (
            flat(sides=6, equal_sides=True, equal_angles=True),
            "a regular polygon, six sides",
            "regular hexagon",
        ),
        (flat(sides=6, equal_sides=True), "six equal sides", "equilateral hexagon"),
        (flat(sides=3, equal_sides=True), "three equal sides", "equilateral triangle"),
        (
            flat(sides=4, equal_sides=True, equal_angles=True),
            "four equal sides, equal angles",
            "square",
        ),
        (flat(sides=4, equal_sides=True), "a figure with four equal sides", "rhombus"),
        (flat(sides=4, equal_angles=True), "four sides, all angles equal", "rectangle"),
        (
            flat(interior_angle=135, equal_sides=True),
            "regular, interior angles of 135 degrees",
            "regular octagon",
        ),
        (flat(exterior_angle=72), "exterior angles of 72 degrees", "equiangular pentagon"),
        (flat(angle_sum=1080), "angles adding up to 1080 degrees", "octagon"),
        (flat(sides=8), "a stop sign with eight sides", "octagon"),
        ({"kind": "solid", "faces": 6, "face_sides": 4}, "a solid with six square faces", "cube"),
        ({"kind": "solid", "faces": 20, "face_sides": 3}, "twenty triangular faces", "icosahedron"),
    ],
)
def test_the_shape_is_named_from_its_counts(raw: dict[str, Any], sources: str, name: str) -> None:
    result = run("shape", raw, sources)
    assert result.answer == name and result.attribute == "shape"
    assert name.split()[-1] in result.visible


def test_shape_excludes_other_names_and_takes_its_thing_as_subject() -> None:
    raw = flat(thing="road sign", sides=6, equal_sides=True, equal_angles=True)
    result = run("shape", raw, "a road sign shaped like a regular polygon with 6 sides")
    assert result.subject == "road sign"
    assert {"pentagon", "octagon", "square"} <= set(result.excludes)
    assert "hexagon" not in result.excludes
    square = run("shape", flat(sides=4, equal_sides=True, equal_angles=True), "4 sides")
    assert {"rhombus", "rectangle"} <= set(square.excludes) and "square" not in square.excludes


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (flat(interior_angle=100), "no polygon has interior angles of 100"),
        (flat(sides=5, interior_angle=90), "the counts disagree"),
        ({"kind": "solid", "faces": 7, "face_sides": 4}, "no named solid"),
        ({"kind": "solid", "faces": 6}, "needs its face count"),
        (flat(sides=21), "no name for a polygon with 21 sides"),
        (flat(), "no count of sides"),
        (flat(sides=2), "shape: sides"),
    ],
)
def test_impossible_shapes_are_tool_errors(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ToolError, match=message):
        run("shape", raw, "2 5 6 7 21 sides faces 90 100 degrees")


def test_a_count_the_request_does_not_state_is_ungrounded() -> None:
    with pytest.raises(UngroundedInputs, match="sides=6"):
        run("shape", flat(sides=6), "a tile with five sides")


# --------------------------------------------------------------------------- knowledge


def test_the_tables_load_with_broad_coverage() -> None:
    assert len(knowledge.substances()) >= 60 and len(knowledge.liquids()) >= 60
    assert len(knowledge.indicators()) >= 8 and len(knowledge.light()) >= 8
    assert {p.sides for p in knowledge.polygons()} >= set(range(3, 13))
    assert {s.name for s in knowledge.solids()} >= {"tetrahedron", "cube", "icosahedron"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("a bar of dark chocolate", "chocolate"),
        ("Ice cubes", "water"),
        ("CRÈME of white chocolate", "white chocolate"),
        ("salt water", "sea water"),
        ("unobtainium", None),
    ],
)
def test_find_matches_names_aliases_and_contained_words(text: str, name: str | None) -> None:
    row = knowledge.find(knowledge.substances(), text)
    assert (row.name if row else None) == name


def write(tmp_path: Path, name: str, rows: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(rows) if not isinstance(rows, str) else rows, encoding="utf-8")
    return path


def test_a_malformed_row_names_the_file_the_row_and_the_field(tmp_path: Path) -> None:
    rows = [{"name": "tin", "melts_c": 232, "boils_c": 2602}, {"name": "butter", "melts_c": "warm"}]
    with pytest.raises(
        knowledge.KnowledgeError, match=r"substances.json row 1 \(butter\): melts_c"
    ):
        knowledge.substances(write(tmp_path, "substances.json", rows))


@pytest.mark.parametrize(
    ("name", "loader", "rows", "message"),
    [
        (
            "substances.json",
            knowledge.substances,
            [{"name": "wax", "melts_c": 60, "boils_c": 20}],
            r"row 0 \(wax\): .*boils_c 20",
        ),
        (
            "substances.json",
            knowledge.substances,
            [{"name": "wax", "melts_c": 60}, {"name": "tallow", "aliases": ["wax"], "melts_c": 40}],
            "'wax' names both wax and tallow",
        ),
        (
            "liquids.json",
            knowledge.liquids,
            [{"name": "tea", "ph": 5, "colour": "brown"}],
            r"row 0 \(tea\): colour: Extra inputs",
        ),
        (
            "indicators.json",
            knowledge.indicators,
            [
                {
                    "name": "dye",
                    "ranges": [{"up_to": 7, "colour": "red"}, {"up_to": 5, "colour": "blue"}],
                }
            ],
            "only the last range is open",
        ),
        (
            "light.json",
            knowledge.light,
            [{"first": 0, "last": 22, "period": "day", "words": ["day"], "sky": "light"}],
            r"missing \[23\]",
        ),
        (
            "solids.json",
            knowledge.solids,
            [{"name": "lump", "faces": 6, "face_sides": 4, "vertices": 9, "edges": 12}],
            "Euler|- edges",
        ),
        ("polygons.json", knowledge.polygons, "[{", "not JSON"),
        ("polygons.json", knowledge.polygons, {"sides": 3}, "non-empty JSON list"),
    ],
)
def test_data_validation_fails_with_a_clear_message(
    tmp_path: Path, name: str, loader: Any, rows: Any, message: str
) -> None:
    with pytest.raises(knowledge.KnowledgeError, match=message):
        loader(write(tmp_path, name, rows))


def test_a_missing_file_is_a_knowledge_error(tmp_path: Path) -> None:
    with pytest.raises(knowledge.KnowledgeError, match=r"liquids\.json: cannot read"):
        knowledge.liquids(tmp_path / "liquids.json")
