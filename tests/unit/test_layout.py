"""Module size and package inits of graph/, nodes/, tools/, renderers/.

Every module stays under MAX_LINES lines (split a bigger one by concern); the `__init__.py`
of each of the four packages is empty or nearly: a docstring, `__all__`, nothing that runs
at import (no calls, no model or heavy-library imports).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("graph", "nodes", "tools", "renderers")
MAX_LINES = 300
MAX_INIT_LINES = 10
HEAVY = ("torch", "transformers", "diffusers", "sentence_transformers", "xllamacpp", "faiss")


def _modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        if "__pycache__" not in path.parts
    )


def test_no_module_over_max_lines() -> None:
    too_long = {
        str(path.relative_to(REPO)): n
        for path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    if too_long:
        pytest.fail(
            f"{len(too_long)} module(s) over {MAX_LINES} lines; split them by concern:\n"
            + "\n".join(f"{path}: {n} lines" for path, n in sorted(too_long.items())),
            pytrace=False,
        )


def _init_problems(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    problems = []
    if (n := len(text.splitlines())) >= MAX_INIT_LINES:
        problems.append(f"{n} lines (under {MAX_INIT_LINES})")
    tree = ast.parse(text)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            problems.append(f"line {node.lineno}: a call at import time")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            heavy = [n for n in names if n.split(".")[0] in HEAVY]
            if heavy:
                problems.append(f"line {node.lineno}: imports {', '.join(heavy)}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            problems.append(f"line {node.lineno}: defines {node.name} (belongs in a module)")
    return problems


@pytest.mark.parametrize("package", PACKAGES)
def test_package_init_is_nearly_empty(package: str) -> None:
    path = REPO / package / "__init__.py"
    assert path.is_file(), f"{package}/ is not a package"
    problems = _init_problems(path)
    assert not problems, f"{package}/__init__.py: " + "; ".join(problems)


def test_init_check_catches_a_loader(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    init.write_text('"""Tools."""\n\nimport torch\n\nMODEL = torch.load("m.pt")\n')
    problems = _init_problems(init)
    assert any("imports torch" in p for p in problems), problems
    assert any("a call at import time" in p for p in problems), problems
    init.write_text('"""Tools: one module per concern."""\n')
    assert _init_problems(init) == []
