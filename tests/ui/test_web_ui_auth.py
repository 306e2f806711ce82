"""The web UI on a server with a LangGraph custom auth handler (examples/token_auth.py in
langgraph.json's "auth"): the page is as closed as the API. A real `langgraph dev`, real
HTTP requests, and a real headless Chromium that signs in with the token.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

from tests.ui.browser import wait_for
from tests.ui.page import Page, served_page, server_variables

TOKEN = "Qx7vLm2Pz9Kd4Wq"  # random-looking: the agent redacts any 6-char piece of it


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    root = tmp_path_factory.mktemp("ui-auth")
    variables = server_variables(root, 128, IMAGE_AGENT_API_TOKEN=TOKEN)
    with served_page(root, variables, auth="examples/token_auth.py:auth") as served:
        yield served


def call(url: str, body: dict[str, Any] | None = None, token: str = "") -> tuple[int, bytes]:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as refused:
        return int(refused.code), bytes(refused.read())


def test_without_the_token_the_api_and_the_pages_data_routes_refuse_alike(page: Page) -> None:
    image = page.root / "outputs" / "run-1" / "round-1.png"
    image.parent.mkdir(parents=True)
    Image.new("RGB", (8, 8), "red").save(image)
    url = page.server.url
    requests: list[tuple[str, dict[str, Any] | None]] = [
        (f"{url}/threads/search", {"limit": 1}),  # history
        (f"{url}/store/items/search", {"namespace_prefix": ["users"]}),  # memory
        (f"{url}/web-ui/settings", None),
        (f"{url}/web-ui/image?path={urllib.request.quote(str(image))}", None),
    ]
    refusals = set()
    for target, body in requests:
        for wrong in ("", "not-the-token"):
            status, text = call(target, body, wrong)
            assert status == 401, (target, wrong, status)
            refusals.add(text)
        status, text = call(target, body, TOKEN)
        assert status == 200, (target, status, text[:200])
    assert len(refusals) == 1, refusals  # the same refusal from the API and the page's routes
    assert (
        call(f"{url}/web-ui/image?path={urllib.request.quote(str(image))}", None, TOKEN)[1]
        == image.read_bytes()
    )
    status, text = call(f"{url}/ui/")  # the page itself: static, no data in it
    assert status == 200 and b'id="sign-in"' in text
    assert call(f"{url}/ui/no-such-page")[0] == 404


def test_the_page_asks_for_the_token_then_runs_with_it(page: Page) -> None:
    page.driver.get(f"{page.server.url}/ui/")
    wait_for(page.driver, lambda d: page.by_id("sign-in").is_displayed())
    assert "401" in page.by_id("error").text and "\n" not in page.by_id("error").text
    assert not page.driver.find_elements("id", "setting-llm")  # the settings were refused
    page.by_id("token").send_keys("not-the-token")
    page.by_id("sign-in-button").click()
    wait_for(page.driver, lambda d: "401" in page.by_id("error").text)
    assert page.by_id("sign-in").is_displayed()
    page.by_id("token").send_keys(TOKEN)
    page.by_id("sign-in-button").click()
    wait_for(page.driver, lambda d: page.driver.find_elements("id", "setting-llm"))
    assert not page.by_id("sign-in").is_displayed() and not page.by_id("error").is_displayed()
    page.submit("A poster of the pastry eaten at the autumn moon festival", user="auth-user")
    page.wait_status("done")
    assert "mooncake" in page.by_id("prompt").text
    wait_for(page.driver, lambda d: page.loaded_images("#rounds img") == 1)  # fetched with it
    page.by_id("tab-history").click()
    wait_for(page.driver, lambda d: page.loaded_images("#history img") >= 1)
    page.by_id("tab-memory").click()
    page.by_id("memory-user").clear()
    page.by_id("memory-user").send_keys("auth-user")
    page.by_id("memory-show").click()
    wait_for(page.driver, lambda d: page.texts("#memory-history li[data-key]"))
    assert "autumn moon festival" in page.texts("#memory-history li[data-key]")[0]
