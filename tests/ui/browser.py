"""A real headless Chromium (Debian's `chromium` and `chromium-driver`) driven by selenium.

`.ci/run` installs both when missing. Elsewhere the browser tests skip when they are absent,
unless IMAGE_AGENT_REQUIRE_BROWSER=1 (CI) makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("IMAGE_AGENT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("IMAGE_AGENT_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
DESKTOP = (1280, 900)
# the run's panel in view when it is shown, else the top of the page
SHOW_RESULT = (
    "const run = document.getElementById('run');"
    "if (run && !run.hidden && run.offsetParent) run.scrollIntoView(); else window.scrollTo(0, 0);"
)
PHONE = (390, 844)


def require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not (Path(p).is_file() or shutil.which(p))]
    if not missing:
        return
    message = f"not installed: {', '.join(missing)} (apt-get install chromium chromium-driver)"
    if os.environ.get("IMAGE_AGENT_REQUIRE_BROWSER") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def chromium(profile: Path) -> Any:
    """A fresh headless Chromium with its own profile folder, at desktop size."""
    require_browser()
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium-manager must not look online
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*FLAGS, f"--user-data-dir={profile}", f"--window-size={DESKTOP[0]},{DESKTOP[1]}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(120)
    return driver


def wait_for(driver: Any, check: Callable[[Any], Any], timeout: float = 180.0) -> Any:
    """Poll `check(driver)` until it returns something truthy; fail with the page's state."""
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    # the page redraws on state updates: an element read mid-redraw is polled again
    wait = WebDriverWait(
        driver, timeout, poll_frequency=0.2, ignored_exceptions=[StaleElementReferenceException]
    )
    try:
        return wait.until(check)
    except TimeoutException:
        status = driver.execute_script(
            "const s = document.getElementById('run-status');"
            "const e = document.getElementById('error');"
            "return [s && s.dataset.status, e && e.textContent,"
            " document.getElementById('log') && document.getElementById('log').innerText];"
        )
        pytest.fail(f"the page did not get there in {timeout:.0f}s: {status}", pytrace=False)


def screenshots(driver: Any, folder: Path, name: str) -> list[Path]:
    """The page at desktop and at phone width, saved under `folder`; back to desktop after."""
    saved = []
    for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
        driver.set_window_size(width, height)
        driver.execute_script(SHOW_RESULT)
        path = folder / f"{name}-{label}.png"
        driver.save_screenshot(str(path))
        saved.append(path)
    driver.set_window_size(*DESKTOP)
    return saved
