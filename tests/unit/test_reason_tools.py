"""reason: a gap with a tool goes to code; the scripted model only fills the tool's typed
inputs, code checks them against the request and computes; the answer's constraint rules
the other values out of the prompt."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import plan_with
from tests.unit.test_graph import calls, make_context, run

REQUEST = "A market square in Lima when it is 8 pm in Oslo"
TZ_GAP = {
    "question": "What time is it in Lima when it is 8 pm in Oslo?",
    "kind": "commonsense",
    "best_guess": "afternoon",
    "tool": "timezone",
}


def tz_inputs(**extra: Any) -> dict[str, Any]:
    inputs = {
        "from_place": "Oslo",
        "from_zone": "Europe/Oslo",
        "hour": 20,
        "minute": 0,
        "to_place": "Lima",
        "to_zone": "America/Lima",
        "date": "",
    }
    return {**inputs, **extra}


def tz_script(script: Callable[..., str], inputs: dict[str, Any], *more: dict[str, Any]) -> str:
    return script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([TZ_GAP])},
            {"schema": "TimezoneInputs", "response": inputs},
            *more,
        ]
    )


def test_the_planners_tool_computes_the_gap(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = tz_script(script, tz_inputs(date=""))
    state = run(make_context(spec, tmp_path), REQUEST)
    (answer,) = state["answers"]
    assert answer["provenance"] == "tool" and answer["resolved"]
    assert "local time in Lima" in answer["answer"]
    assert answer["evidence"][0]["source"] == "tool:timezone"
    assert "America/Lima" in answer["evidence"][0]["quote"]
    assert answer["constraint"]["attribute"] == "time of day" and answer["constraint"]["excludes"]
    assert "Reasoned" not in [c["schema"] for c in calls(spec)]  # no free-form reasoning
    report = Path(state["report"]).read_text()
    assert "from a deterministic tool" in report and "`tool:timezone`" in report


def test_a_summer_date_and_a_winter_date_differ_by_the_clock_change(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    request = "A market square in Lima on 2027-07-01 when it is 8 pm in Oslo"
    summer = run(make_context(tz_script(script, tz_inputs(date="2027-07-01")), tmp_path), request)
    assert "13:00" in summer["answers"][0]["answer"]  # CEST (UTC+2) 20:00 is 13:00 in Lima
    request = "A market square in Lima on 2027-01-15 when it is 8 pm in Oslo"
    winter = run(make_context(tz_script(script, tz_inputs(date="2027-01-15")), tmp_path), request)
    assert "14:00" in winter["answers"][0]["answer"]  # CET (UTC+1)


def test_an_input_the_request_does_not_state_falls_back_to_reasoning(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    reasoned = {
        "schema": "Reasoned",
        "response": {"question": "q", "answer": "early afternoon in Lima", "visible": "sun"},
    }
    # the model put Tokyo in for Oslo: not in the request, so the tool refuses it
    spec = tz_script(script, tz_inputs(from_place="Tokyo", from_zone="Asia/Tokyo"), reasoned)
    state = run(make_context(spec, tmp_path), REQUEST)
    (answer,) = state["answers"]
    assert answer["provenance"] == "model" and answer["answer"] == "early afternoon in Lima"
    assert "the timezone tool's inputs were rejected twice" in answer["note"]
    assert "from_place='Tokyo'" in answer["note"]
    schemas = [c["schema"] for c in calls(spec)]
    assert schemas.count("TimezoneInputs") == 2 and "Reasoned" in schemas


def test_rejected_inputs_are_asked_for_again_once(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    wrong = {
        "schema": "TimezoneInputs",
        "times": 1,
        "response": tz_inputs(to_place="Peru", to_zone="America/Lima"),
    }
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([TZ_GAP])},
            wrong,
            {"schema": "TimezoneInputs", "response": tz_inputs()},
        ]
    )
    state = run(make_context(spec, tmp_path), REQUEST)
    (answer,) = state["answers"]
    assert answer["provenance"] == "tool" and "local time in Lima" in answer["answer"]
    retry = [c for c in calls(spec) if c["schema"] == "TimezoneInputs"][1]
    assert (
        "to_place='Peru'" in retry["text"] and "exactly as the request writes it" in retry["text"]
    )


def test_inputs_that_do_not_validate_fall_back_to_reasoning(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    reasoned = {
        "schema": "Reasoned",
        "response": {"question": "q", "answer": "afternoon", "visible": "sun"},
    }
    spec = tz_script(script, tz_inputs(hour=31), reasoned)
    state = run(make_context(spec, tmp_path), REQUEST)
    assert "the timezone tool could not be used" in state["answers"][0]["note"]


def test_arithmetic_counts_by_code_with_known_facts(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    gap = {
        "question": "How many wheels do 4 tricycles and 2 bicycles have?",
        "kind": "commonsense",
        "best_guess": "12",
        "tool": "arithmetic",
    }
    inputs = {
        "expression": "4*3+2*2",
        "unit": "wheels",
        "known": [
            {"name": "wheels of a tricycle", "value": 3},
            {"name": "wheels of a bicycle", "value": 2},
        ],
        "start": None,
    }
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([gap])},
            {"schema": "ArithmeticInputs", "response": inputs},
        ]
    )
    state = run(
        make_context(spec, tmp_path), "A sign counting the wheels of 4 tricycles and 2 bikes"
    )
    (answer,) = state["answers"]
    assert answer["answer"] == "16 wheels" and answer["provenance"] == "tool"
    assert "16 wheels" in state["final_prompt"]  # the constraint check puts it back


def test_the_composer_may_not_keep_a_ruled_out_time_of_day(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    composed = "A market square in Lima, bright midday sun, the Oslo skyline at night, a poster"
    spec = tz_script(
        script,
        tz_inputs(hour=23, date="2027-07-01"),
        {"schema": "Composed", "response": {"prompt": composed, "negative_prompt": ""}},
    )
    request = "A market square in Lima on 2027-07-01 when it is 11 pm in Oslo"
    state = run(make_context(spec, tmp_path), request)
    final = state["final_prompt"]
    assert "midday" not in final and "night" not in final
    assert final.startswith("A market square in Lima, a poster")
    assert "afternoon, 16:00 local time in Lima" in final  # the computed answer, put back
    record = state["rounds"][0]
    assert record["repairs"]["contradictions"] == [
        "bright midday sun",
        "the Oslo skyline at night",
    ]
    report = Path(state["report"]).read_text()
    assert "What contradicts a grounded answer, dropped" in report


def test_the_embedding_suggests_a_tool_when_the_planner_named_none(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    gap = {
        "question": "What day of the week is 40 days after 2027-03-01?",
        "kind": "commonsense",
        "best_guess": "",
        "tool": "none",
    }
    inputs = {"start": "2027-03-01", "days": 40, "weeks": 0, "months": 0, "years": 0}
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([gap])},
            {"schema": "DateMathInputs", "response": {**inputs, "ask": "weekday"}},
        ]
    )
    state = run(make_context(spec, tmp_path), "A calendar page 40 days after 2027-03-01")
    (answer,) = state["answers"]
    assert answer["provenance"] == "tool" and "Saturday" in answer["answer"]
    assert "nearest tool by meaning: date_math" in state["plan"]["gaps"][0]["why"]
