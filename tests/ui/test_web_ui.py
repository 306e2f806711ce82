"""The web UI at /ui, in a real headless Chromium, against a real `langgraph dev`.

One server per module (graph.dev.start, the code behind `make dev`) on a free loopback port,
the `sketch` renderer, and scripted chat models: the server's default, or one per test typed
into the page's own settings form (the `llm` field). One browser per module; each test opens
the page afresh. Screenshots at desktop and phone width go to each test's tmp folder.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import default_rules, plan_with
from tests.ui.browser import screenshots, wait_for
from tests.ui.page import Page, ancestry, parent_id, served_page, server_variables


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    root = tmp_path_factory.mktemp("ui")
    variables = server_variables(root, 192, IMAGE_AGENT_SCRIPT_LOG="1")
    with served_page(root, variables) as served:
        yield served


def test_submit_shows_gaps_then_the_image_and_verdicts(page: Page, tmp_path: Path) -> None:
    slow = [{"schema": "Composed", "delay": 3.0, "response": default_rules()[3]["response"]}]
    page.open()
    page.submit("A poster of the pastry eaten at the autumn moon festival", llm=page.script(slow))
    wait_for(page.driver, lambda d: page.texts("#plan .gaps li"))
    assert page.texts("#rounds img") == [], "the image came before the gaps"
    assert "reason" in page.texts("#plan .gaps li")[0]
    page.wait_status("done")
    assert page.loaded_images("#rounds img") == 1
    rounds = page.client.threads.get_state(page.thread())["values"]["rounds"]
    shown = page.attrs("#rounds .verdicts li", "data-passed")
    assert shown and shown == [str(v["passed"]).lower() for v in rounds[-1]["verdicts"]]
    assert page.texts("#rounds .verdicts li")[0].startswith(rounds[-1]["verdicts"][0]["item"])
    assert "mooncake" in page.by_id("prompt").text
    assert "mooncake" in page.texts("#answers .value")[0]
    nodes = set(page.attrs("#timings li", "data-node"))
    assert {"plan", "compose", "render", "evaluate"} <= nodes
    shots = screenshots(page.driver, tmp_path, "finished-run")
    assert all(p.stat().st_size > 1000 for p in shots)


def test_an_interrupt_is_answered_on_the_page(page: Page, tmp_path: Path) -> None:
    gaps = [{"question": "What is your shop called?", "kind": "ambiguous", "best_guess": "Shop"}]
    spec = page.script([{"schema": "PlanDraft", "response": plan_with(gaps)}])
    page.open()
    page.submit("A sign for my shop", llm=spec)
    page.wait_status("waiting")
    assert page.by_id("run-status").text == "waiting for you"
    field = page.driver.find_element("css selector", "#question-fields input")
    assert field.get_attribute("value") == "Shop"  # the best guess, filled in
    label = page.driver.find_element("css selector", "#question-fields label")
    assert label.text == "What is your shop called?"
    screenshots(page.driver, tmp_path, "question")
    field.clear()
    field.send_keys("Tin Lantern")
    page.by_id("answer").click()
    page.wait_status("done")
    assert "Tin Lantern" in page.texts("#answers .value")
    values = page.client.threads.get_state(page.thread())["values"]
    assert values["answers"][0]["provenance"] == "user"
    assert "Tin Lantern" in values["final_prompt"]


def test_use_the_guesses_resumes_at_once(page: Page) -> None:
    gaps = [
        {"question": "Which town is the market in?", "kind": "ambiguous", "best_guess": "Rye"},
        {"question": "Which season is it?", "kind": "ambiguous", "best_guess": "winter"},
    ]
    spec = page.script([{"schema": "PlanDraft", "response": plan_with(gaps)}])
    page.open()
    page.submit("A flyer for the market", llm=spec)
    page.wait_status("waiting")
    assert len(page.texts("#question-fields label")) == 2
    page.by_id("use-guesses").click()
    page.wait_status("done")
    answers = page.client.threads.get_state(page.thread())["values"]["answers"]
    assert {(a["answer"], a["provenance"]) for a in answers} == {
        ("Rye", "assumed"),
        ("winter", "assumed"),
    }
    assert sorted(page.texts("#answers .value")) == ["Rye", "winter"]


def test_correcting_an_answer_reruns_from_compose(page: Page, tmp_path: Path) -> None:
    fixes = ["red bean bun", "lotus seed paste"]
    spec = page.script(
        [
            {
                "schema": "Composed",
                "match": fix,
                "response": {"prompt": f"A poster of {fix}", "negative_prompt": ""},
            }
            for fix in fixes
        ]
    )
    page.open()
    page.submit("A poster of the pastry eaten at the autumn moon festival", llm=spec)
    page.wait_status("done")
    folders = {Path(str(page.attrs("#rounds img", "data-path")[0])).parent}
    for fix in fixes:
        made = len(page.calls(spec))
        page.correct(fix)
        assert page.texts("#answers .value") == [fix]
        assert page.loaded_images("#rounds img") == 1
        folders.add(Path(str(page.attrs("#rounds img", "data-path")[0])).parent)
        rerun = {call["schema"] for call in page.calls(spec)[made:]}
        assert "Composed" in rerun
        assert not rerun & {"PlanDraft", "Reasoned"}, "the rerun started over instead of forking"
    assert len(folders) == 3  # each rerun renders into its own folder
    # LangGraph's forks: state updates on the checkpoint where compose was first about to
    # run (no draft yet), the second on the first; the first run's checkpoints stay
    history = page.client.threads.get_history(page.thread(), limit=200)
    by_id = {c["checkpoint"]["checkpoint_id"]: c for c in history}
    first, second = [c for c in reversed(history) if c["metadata"].get("source") == "update"]
    start = by_id[parent_id(first)]
    assert first["next"] == second["next"] == start["next"] == ["compose"]
    assert parent_id(second) == first["checkpoint"]["checkpoint_id"]  # keeps the first fix
    assert not first["values"].get("draft") and not second["values"].get("draft")
    assert second["values"]["answers"][0]["answer"] == fixes[1]
    assert len([c for c in history if parent_id(c) == parent_id(first)]) == 2  # two branches
    assert len([c for c in history if parent_id(c) == parent_id(second)]) == 2
    head = ancestry(history, history[0])  # the thread now: the second fork's rerun
    assert second in head and first in head and start in head
    screenshots(page.driver, tmp_path, "corrected")


def test_history_lists_runs_and_opens_a_report(page: Page, tmp_path: Path) -> None:
    page.open()
    page.submit("A poster of the pastry eaten at the autumn moon festival")
    page.wait_status("done")
    page.by_id("tab-history").click()
    wait_for(page.driver, lambda d: page.loaded_images("#history img") >= 1)
    entries = page.driver.find_elements("css selector", "#history li button")
    assert entries and "autumn moon festival" in entries[0].text
    assert "idle" in entries[0].text
    screenshots(page.driver, tmp_path, "history")
    entries[0].click()
    wait_for(
        page.driver,
        lambda d: page.by_id("view-run").is_displayed() and page.loaded_images("#rounds img"),
    )
    assert page.texts("#plan .gaps li") and "mooncake" in page.by_id("prompt").text
    assert page.by_id("request").get_attribute("value").startswith("A poster of the pastry")


def test_forget_one_memory_item(page: Page, tmp_path: Path) -> None:
    user = "ui-memory-user"
    namespace = ["users", user, "profile"]
    page.client.store.put_item(namespace, "style", {"fact": "The user's preferred style: linocut"})
    page.client.store.put_item(namespace, "pet", {"fact": "The user's cat is called Pixel"})
    page.open()
    page.by_id("tab-memory").click()
    page.by_id("memory-user").clear()
    page.by_id("memory-user").send_keys(user)
    page.by_id("memory-show").click()
    wait_for(page.driver, lambda d: len(page.texts("#memory-profile li[data-key]")) == 2)
    screenshots(page.driver, tmp_path, "memory")
    item = page.driver.find_element("css selector", '#memory-profile li[data-key="pet"] button')
    item.click()
    wait_for(page.driver, lambda d: len(page.texts("#memory-profile li[data-key]")) == 1)
    assert "linocut" in page.texts("#memory-profile li[data-key]")[0]
    left = page.client.store.search_items(namespace)["items"]
    assert [i["key"] for i in left] == ["style"]


def test_forget_everything_asks_then_empties_the_users_memory(page: Page) -> None:
    user, other = "ui-forget-all", "ui-kept-user"
    for who in (user, other):
        page.client.store.put_item(["users", who, "profile"], "style", {"fact": "ink"})
        page.client.store.put_item(["users", who, "history"], "r1", {"request": "a kite"})
    page.open()
    page.by_id("tab-memory").click()
    page.by_id("memory-user").clear()
    page.by_id("memory-user").send_keys(user)
    page.by_id("memory-show").click()
    wait_for(page.driver, lambda d: len(page.texts("#memory-history li[data-key]")) == 1)
    page.by_id("forget-all").click()
    page.driver.switch_to.alert.dismiss()  # asked first: "no" keeps everything
    assert len(page.texts("#memory-profile li[data-key]")) == 1
    page.by_id("forget-all").click()
    page.driver.switch_to.alert.accept()
    wait_for(page.driver, lambda d: not page.texts("#memory-profile li[data-key]"))
    wait_for(page.driver, lambda d: not page.texts("#memory-history li[data-key]"))
    for kind in ("profile", "history"):
        assert page.client.store.search_items(["users", user, kind])["items"] == []
        assert len(page.client.store.search_items(["users", other, kind])["items"]) == 1


def test_a_bad_request_shows_one_line_error(page: Page) -> None:
    page.open()
    page.submit("A poster of a kite", user="not a valid id!")
    page.wait_status("failed")
    error = page.by_id("error")
    assert error.is_displayed()
    assert "invalid user id" in error.text
    assert "\n" not in error.get_attribute("textContent")
    assert "Traceback" not in error.get_attribute("textContent")


def test_a_second_tab_watches_the_same_run(page: Page, tmp_path: Path) -> None:
    slow = [{"schema": "Composed", "delay": 4.0, "response": default_rules()[3]["response"]}]
    page.open()
    page.submit("A poster of the pastry eaten at the autumn moon festival", llm=page.script(slow))
    link = wait_for(page.driver, lambda d: page.thread_link())
    first = page.driver.current_window_handle
    page.driver.switch_to.new_window("tab")
    try:
        page.driver.get(link)
        wait_for(page.driver, lambda d: page.status() == "running")
        page.wait_status("done")
        assert page.loaded_images("#rounds img") == 1
        assert page.texts("#rounds .verdicts li")
        assert page.by_id("request").get_attribute("value").startswith("A poster of the pastry")
        screenshots(page.driver, tmp_path, "second-tab")
    finally:
        page.driver.close()
        page.driver.switch_to.window(first)
    page.wait_status("done")


def test_images_come_from_the_output_folder_only(page: Page, tmp_path: Path) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    fake = page.root / "outputs" / "fake.png"
    fake.parent.mkdir(exist_ok=True)
    fake.write_text("not an image")
    for path, code in [
        (str(outside), 404),
        (str(page.root / "outputs" / ".." / "default.json"), 404),
        (str(fake), 415),
    ]:
        url = f"{page.server.url}/web-ui/image?path={urllib.request.quote(path)}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=30)
        assert refused.value.code == code, path


@pytest.mark.integration
@pytest.mark.timeout(1800)  # the 1.5B model on CPU; minutes more on a shared, loaded box
def test_a_run_with_the_embedded_model(page: Page, tmp_path: Path) -> None:
    page.open()
    page.setting("llm", "local")
    page.by_id("setting-interactive").click()  # off: questions take the planner's guess
    assert not page.by_id("setting-interactive").is_selected()
    page.submit("A poster of a red kite over a green hill")
    page.wait_status("done", "failed", timeout=1700)
    assert page.status() == "done", page.by_id("error").text
    assert page.loaded_images("#rounds img") >= 1
    assert page.by_id("prompt").text.strip()
    screenshots(page.driver, tmp_path, "embedded")
