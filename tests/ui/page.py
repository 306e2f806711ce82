"""Driving the web UI: the page's server, its browser, and helpers to read and click."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.dev import DevServer
from tests.server.test_dev_server import Env
from tests.ui.browser import wait_for


class Page(Env):
    """The running server, the browser, and helpers to drive the page."""

    def __init__(self, server: DevServer, root: Path, driver: Any) -> None:
        super().__init__(server, root)  # the server, its SDK client, script() and calls()
        self.driver = driver

    def open(self, fragment: str = "") -> None:
        self.driver.get(f"{self.server.url}/ui/{fragment}")
        wait_for(self.driver, lambda d: d.find_elements("id", "setting-llm"))

    def by_id(self, element_id: str) -> Any:
        return self.driver.find_element("id", element_id)

    def setting(self, name: str, value: str) -> None:
        self.by_id("settings").click() if not self.by_id("settings").get_attribute("open") else None
        field = self.by_id(f"setting-{name}")
        field.clear()
        field.send_keys(value)

    def submit(self, request: str, *, llm: str = "", user: str = "") -> None:
        self.by_id("request").clear()
        self.by_id("request").send_keys(request)
        self.by_id("user").clear()
        if user:
            self.by_id("user").send_keys(user)
        if llm:
            self.setting("llm", llm)
        self.by_id("submit").click()

    def status(self) -> str:
        return str(self.by_id("run-status").get_attribute("data-status"))

    def wait_status(self, *wanted: str, timeout: float = 180.0) -> str:
        return str(
            wait_for(self.driver, lambda d: self.status() in wanted and self.status(), timeout)
        )

    def texts(self, css: str) -> list[str]:
        script = "return [...document.querySelectorAll(arguments[0])].map(e => e.innerText);"
        return list(self.driver.execute_script(script, css))

    def attrs(self, css: str, name: str) -> list[str | None]:
        script = (
            "return [...document.querySelectorAll(arguments[0])]"
            ".map(e => e.getAttribute(arguments[1]));"
        )
        return list(self.driver.execute_script(script, css, name))

    def thread_link(self) -> str:
        """The address of the page's thread ("" before the page has one)."""
        href = str(self.attrs("#run-link", "href")[0] or "")
        return f"{self.server.url}/ui/{href}" if href.startswith("#thread=") else ""

    def thread(self) -> str:
        href = str(self.by_id("run-link").get_attribute("href"))
        assert "#thread=" in href, href
        return href.rsplit("=", 1)[1]

    def correct(self, text: str) -> None:
        """Correct the first grounded answer to `text`; return once its rerun is done."""
        shown = self.attrs("#rounds img", "data-path")
        # the page redraws on every state update: find and click in one step, again if redrawn
        wait_for(self.driver, lambda d: click(d, "#answers button.edit"))
        fix = self.driver.find_element("css selector", "#answers .edit-answer input")
        fix.clear()
        fix.send_keys(text)
        wait_for(self.driver, lambda d: click(d, "#answers .edit-answer button"))
        wait_for(self.driver, lambda d: text in self.by_id("prompt").text)
        # "done" is still shown from the run before until the fork starts: wait for its image
        wait_for(
            self.driver,
            lambda d: (
                self.loaded_images("#rounds img") == 1
                and self.attrs("#rounds img", "data-path") != shown
            ),
        )
        self.wait_status("done")

    def loaded_images(self, css: str) -> int:
        script = (
            "return [...document.querySelectorAll(arguments[0])]"
            ".filter(i => i.complete && i.naturalWidth > 0).length;"
        )
        return int(self.driver.execute_script(script, css))


def click(driver: Any, css: str) -> bool:
    """Click the element `css` selects; False when the page redrew it meanwhile."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        driver.find_element("css selector", css).click()
    except StaleElementReferenceException:
        return False
    return True


def ancestry(history: list[dict[str, Any]], node: dict[str, Any]) -> list[dict[str, Any]]:
    """`node` and its ancestors in a thread's `history`, newest first (forks leave others)."""
    by_id = {c["checkpoint"]["checkpoint_id"]: c for c in history}
    chain: list[dict[str, Any]] = []
    while node:
        chain.append(node)
        node = by_id.get(parent_id(node))
    return chain


def parent_id(checkpoint: dict[str, Any]) -> str:
    return str((checkpoint["parent_checkpoint"] or {}).get("checkpoint_id", ""))


def server_variables(root: Path, size: int, **extra: str) -> dict[str, str]:
    """The environment of a `langgraph dev` the page tests drive: the scripted model with
    the default rules, the sketch renderer, one round, its data under `root`."""
    from tests.conftest import default_rules
    from tests.server.dev_config import REPO

    (root / "default.json").write_text(json.dumps({"rules": default_rules()}))
    return {
        "IMAGE_AGENT_LLM": f"scripted:{root / 'default.json'}",
        "IMAGE_AGENT_RENDERER": "sketch",
        "IMAGE_AGENT_SEARCH": "none",
        "IMAGE_AGENT_HOME": str(root / "home"),
        "IMAGE_AGENT_OUTPUT_DIR": str(root / "outputs"),
        "IMAGE_AGENT_WIDTH": str(size),
        "IMAGE_AGENT_HEIGHT": str(size),
        "IMAGE_AGENT_MAX_ROUNDS": "1",
        "PYTHONPATH": str(REPO),
        **extra,
    }


@contextlib.contextmanager
def served_page(root: Path, variables: dict[str, str], auth: str | None = None) -> Iterator[Page]:
    """A real `langgraph dev` with `variables` (and an auth handler) and a Chromium
    driving its page; both stopped on exit."""
    from graph.dev import start
    from tests.server.dev_config import absolute_config, free_port
    from tests.ui.browser import chromium

    server = start(
        port=free_port(), config=absolute_config(root, auth=auth), cwd=root, env=variables
    )
    driver = None
    try:
        driver = chromium(root / "profile")
        yield Page(server, root, driver)
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
