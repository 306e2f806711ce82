"""The web UI's own routes (graph/ui/), through Starlette's test client: the page, the
settings form from the Context schema, and images from the output folder only."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from PIL import Image
from starlette.testclient import TestClient

from graph.ui.app import app
from nodes.context import Context


@pytest.fixture
def outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "outputs"
    (folder / "run-1").mkdir(parents=True)
    monkeypatch.setenv("IMAGE_AGENT_OUTPUT_DIR", str(folder))
    return folder


@pytest.fixture
def client() -> TestClient:
    return TestClient(app)


def test_the_page_and_its_modules_are_served(client: TestClient) -> None:
    redirect = client.get("/ui", follow_redirects=False)
    assert redirect.status_code == 307 and redirect.headers["location"].endswith("/ui/")
    page = client.get("/ui/")
    assert page.status_code == 200 and 'id="request-form"' in page.text
    module = client.get("/ui/static/js/main.js")
    assert module.status_code == 200
    assert "javascript" in module.headers["content-type"]
    assert module.headers["cache-control"] == "no-cache"
    assert client.get("/ui/static/../app.py").status_code == 404


def test_settings_are_the_context_fields_with_the_environments_defaults(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, outputs: Path
) -> None:
    monkeypatch.setenv("IMAGE_AGENT_MAX_ROUNDS", "2")
    monkeypatch.setenv("IMAGE_AGENT_RENDERER", "py:somewhere:Thing")
    monkeypatch.setenv("IMAGE_AGENT_SEED", "not-a-number")
    body = client.get("/web-ui/settings").json()
    by_name = {field["name"]: field for field in body["fields"]}
    assert list(by_name) == [f.name for f in fields(Context)]
    assert by_name["max_rounds"]["default"] == 2 and by_name["max_rounds"]["type"] == "integer"
    assert by_name["renderer"]["default"] == "py:somewhere:Thing"
    assert by_name["interactive"]["type"] == "boolean"
    assert by_name["guidance"]["type"] == "number"
    assert "IMAGE_AGENT_SEED" in by_name["seed"]["error"]  # shown, not a server error
    assert by_name["output_dir"]["placement"] == "server"
    assert by_name["user_id"]["placement"] == "request"
    assert all(field["description"] for field in body["fields"])
    assert body["output_dir"] == str(outputs)


def test_an_image_in_the_output_folder_is_served(client: TestClient, outputs: Path) -> None:
    image = outputs / "run-1" / "round-1.png"
    Image.new("RGB", (4, 4), "red").save(image)
    response = client.get("/web-ui/image", params={"path": str(image)})
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == image.read_bytes()
    relative = client.get("/web-ui/image", params={"path": "run-1/round-1.png"})
    assert relative.status_code == 200


def test_nothing_outside_the_output_folder_is_served(
    client: TestClient, outputs: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "private.png"
    Image.new("RGB", (4, 4), "blue").save(outside)
    (outputs / "run-1" / "link.png").symlink_to(outside)
    fake = outputs / "run-1" / "notes.png"
    fake.write_text("a text file named like an image")
    text = outputs / "run-1" / "report.md"
    text.write_text("# report")
    cases = {
        str(outside): 404,
        str(outputs / "run-1" / ".." / ".." / "private.png"): 404,
        "../private.png": 404,
        str(outputs / "run-1" / "link.png"): 404,
        str(outputs / "run-1" / "missing.png"): 404,
        "": 404,
        str(fake): 415,
        str(text): 415,
    }
    for path, code in cases.items():
        response = client.get("/web-ui/image", params={"path": path})
        assert response.status_code == code, (path, response.text)
        assert not response.headers["content-type"].startswith("image/"), path
