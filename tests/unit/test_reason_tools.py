"""reason: computable gaps go to code; the scripted model only fills the tool's slots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import plan_with
from tests.unit.test_graph import calls, make_context, run

REQUEST = "The square beneath Big Ben when Singapore reaches noon"
TZ_GAP = {
    "question": "What time is it at Big Ben when it is noon in Singapore?",
    "kind": "commonsense",
    "best_guess": "night",
}


def tz_slots(**extra: Any) -> dict[str, Any]:
    slots = {
        "from_place": "Singapore",
        "from_zone": "Asia/Singapore",
        "hour": 12,
        "minute": 0,
        "to_place": "Big Ben",
        "to_zone": "Europe/London",
        "date": "2026-07-01",
    }
    return {**slots, **extra}


def test_time_zone_gap_is_computed_by_code(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([TZ_GAP])},
            {"schema": "TimezoneSlots", "response": tz_slots()},
        ]
    )
    state = run(make_context(spec, tmp_path), REQUEST)
    (answer,) = state["answers"]
    assert answer["provenance"] == "tool" and answer["resolved"]
    assert "05:00" in answer["answer"]  # noon SGT (UTC+8) is 05:00 BST on 1 July
    assert answer["evidence"][0]["source"] == "tool:timezone"
    assert "Europe/London" in answer["evidence"][0]["quote"]
    assert "Reasoned" not in [c["schema"] for c in calls(spec)]  # no free-form reasoning
    report = Path(state["report"]).read_text()
    assert "from a deterministic tool" in report and "`tool:timezone`" in report


def test_winter_date_moves_the_answer_an_hour(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([TZ_GAP])},
            {"schema": "TimezoneSlots", "response": tz_slots(date="2026-01-15")},
        ]
    )
    state = run(make_context(spec, tmp_path), REQUEST)
    assert "04:00" in state["answers"][0]["answer"]  # GMT in January


def test_slots_that_do_not_compute_fall_back_to_reasoning(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([TZ_GAP])},
            {"schema": "TimezoneSlots", "response": tz_slots(to_place="Atlantis", to_zone="")},
            {
                "schema": "Reasoned",
                "response": {"question": "q", "answer": "night in London", "visible": "dark"},
            },
        ]
    )
    # no "when" in the request: code cannot orient the slots, the model's stand (and fail)
    state = run(make_context(spec, tmp_path), "Big Ben and Singapore, both at noon")
    (answer,) = state["answers"]
    assert answer["provenance"] == "model" and answer["answer"] == "night in London"
    assert "the timezone tool could not be used" in answer["note"]


def test_arithmetic_gap_counts_by_code(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    gap = {
        "question": "How many legs do 3 spiders and 2 cats have in total?",
        "kind": "commonsense",
        "best_guess": "30",
    }
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([gap])},
            {"schema": "ArithmeticSlots", "response": {"expression": "3*8+2*4", "unit": "legs"}},
        ]
    )
    state = run(
        make_context(spec, tmp_path), "A sign showing how many legs 3 spiders and 2 cats have"
    )
    (answer,) = state["answers"]
    assert answer["answer"].startswith("32") and answer["provenance"] == "tool"
    assert "32" in state["final_prompt"]  # retention puts a dropped answer back


def test_slots_the_model_swapped_are_put_right_by_code(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    swapped = tz_slots(
        from_place="Big Ben", from_zone="Europe/London", to_place="Singapore", hour=5
    )
    swapped["to_zone"] = "Asia/Singapore"
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([TZ_GAP])},
            {"schema": "TimezoneSlots", "response": swapped},
        ]
    )
    state = run(make_context(spec, tmp_path), REQUEST)
    (answer,) = state["answers"]
    assert "05:00" in answer["answer"] and "Big Ben" in answer["answer"]


def test_the_composer_may_not_keep_the_other_places_clock(
    home: Path, tmp_path: Path, script: Callable[..., str]
) -> None:
    composed = "The square beneath Big Ben at noon, the Singapore skyline at noon, a poster"
    spec = script(
        first=[
            {"schema": "PlanDraft", "response": plan_with([TZ_GAP])},
            {"schema": "TimezoneSlots", "response": tz_slots()},
            {"schema": "Composed", "response": {"prompt": composed, "negative_prompt": ""}},
        ]
    )
    state = run(make_context(spec, tmp_path), REQUEST)
    final = state["final_prompt"]
    assert "noon" not in final and "Singapore" not in final
    assert final.startswith("The square beneath Big Ben, a poster")
    assert "05:00 local time at Big Ben" in final  # the computed answer, put back
    record = state["rounds"][0]
    assert record["clock_dropped"] == ["noon", "the Singapore skyline at noon"]
    report = Path(state["report"]).read_text()
    assert "Another place's clock, dropped from the composer's prompt" in report
