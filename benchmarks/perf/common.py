"""What every section shares: a scripted model written to a file, an isolated data dir,
the agent's Context for a bench run, figures (percentiles) and loaded-model counts."""

from __future__ import annotations

import json
import os
import statistics
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

NULL_RENDERER = "py:benchmarks.perf.null_renderer:NullRenderer"
# an invented request and its plan (no benchmark case's or evaluation set's wording)
REQUEST = "A field guide page for the bird that builds the largest nest, drawn in ink"
# modules whose presence means a model (or its runtime) was loaded
MODEL_MODULES = ("torch", "xllamacpp", "sentence_transformers", "transformers", "diffusers")


def gap(i: int) -> dict[str, Any]:
    return {
        "question": f"Which bird builds nest number {i + 1} of the survey?",
        "kind": "commonsense",
        "best_guess": f"bird {i + 1}",
        "tool": "none",
    }


def plan(gaps: int) -> dict[str, Any]:
    return {
        "subject": "a nesting bird",
        "described": [],
        "names": [],
        "gaps": [gap(i) for i in range(gaps)],
        "objects": [{"name": "bird", "position": "center", "size": "large"}],
        "setting": "tree top",
        "style": "ink drawing",
        "palette": ["black", "white"],
        "text": "",
        "checklist": ["A bird is shown", "A large nest is shown", "The drawing is in ink"],
        "n_images": 1,
    }


def rules(gaps: int, reason_delay: float = 0.0) -> list[dict[str, Any]]:
    """Answers for every structured call one run makes; `reason_delay`: each reason call's
    fixed latency (a model that takes that long to answer)."""
    reasoned = {"question": "Which bird?", "answer": "bird 1", "visible": "a bird on a nest"}
    return [
        {"schema": "PlanDraft", "response": plan(gaps)},
        {"schema": "Reasoned", "delay": reason_delay, "response": reasoned},
        {
            "schema": "Composed",
            "response": {
                "prompt": "An ink field guide drawing of a bird on a large nest in a tree top",
                "negative_prompt": "colour",
            },
        },
        {
            "schema": "Judged",
            "response": {
                "verdicts": [{"item": "x", "passed": True, "reason": "shown"} for _ in range(3)]
            },
        },
        {"schema": "Facts", "response": {"facts": []}},
        {"response": "{}"},
    ]


def script(folder: Path, gaps: int, reason_delay: float = 0.0) -> str:
    """Write the rules to a file; the `scripted:FILE` model spec."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"script-{gaps}-{reason_delay}.json"
    path.write_text(json.dumps({"rules": rules(gaps, reason_delay)}))
    return f"scripted:{path}"


@contextmanager
def isolated_home(folder: Path) -> Iterator[Path]:
    """IMAGE_AGENT_HOME and the output dir set to `folder` for the block."""
    keys = ("IMAGE_AGENT_HOME", "IMAGE_AGENT_OUTPUT_DIR", "IMAGE_AGENT_SEARCH")
    saved = {key: os.environ.get(key) for key in keys}
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        {
            "IMAGE_AGENT_HOME": str(folder / "home"),
            "IMAGE_AGENT_OUTPUT_DIR": str(folder / "outputs"),
            "IMAGE_AGENT_SEARCH": "none",
        }
    )
    try:
        yield folder
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def context(llm: str, out: Path, **extra: Any) -> Any:
    """A non-interactive Context for a bench run (built by field name: a baseline commit's
    Context may lack a setting, which is then left out)."""
    from dataclasses import fields

    from nodes.context import Context

    known = {f.name for f in fields(Context)}
    values: dict[str, Any] = {
        "llm": llm,
        "renderer": NULL_RENDERER,
        "search": "none",
        "output_dir": str(out),
        "interactive": False,
        "width": 256,
        "height": 256,
        **extra,
    }
    return Context(**{k: v for k, v in values.items() if k in known})


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile (nearest rank) of `values`; 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def loads() -> dict[str, int]:
    """What this process has loaded so far: tools.loads' counts where the code keeps them
    (a baseline commit may not), else the model runtimes it has imported, counted once."""
    try:
        from tools.loads import counts
    except ImportError:
        return {name: 1 for name in MODEL_MODULES if name in sys.modules}
    return counts()


def runtimes_imported() -> list[str]:
    """The model runtimes imported so far (an import that loads no model is still slow)."""
    return [name for name in MODEL_MODULES if name in sys.modules]


def ms(seconds: float) -> float:
    return round(1000 * seconds, 2)
