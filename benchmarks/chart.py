"""The bench's bar chart (chart.png), drawn off-screen with matplotlib."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from benchmarks.config import BenchConfig


def chart(config: BenchConfig, info: Mapping[str, Any], path: Path) -> None:
    """Bars: PR per capability (WISE: score per category), agent against direct."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    group = "category" if config.kind == "wise" else "capability"
    field = "score" if config.kind == "wise" else "pr"
    names = list(info["agent"][group])
    sides = [("agent", "agent", "#2b6cb0"), ("baseline", "direct", "#a0aec0")]
    sides = [s for s in sides if s[0] in info]
    width = 0.8 / len(sides)
    fig, ax = plt.subplots(figsize=(max(4.0, 1.4 * len(names) + 2), 4))
    for k, (side, label, colour) in enumerate(sides):
        values = [100 * info[side][group].get(n, {}).get(field, 0.0) for n in names]
        xs = [i + (k - (len(sides) - 1) / 2) * width for i in range(len(names))]
        ax.bar(xs, values, width, label=label, color=colour)
    ax.set_xticks(range(len(names)), names)
    ax.set_ylim(0, 100)
    ax.set_ylabel("PR %" if config.kind == "ia" else "explicit %")
    title = "WISE" if config.kind == "wise" else "Pass rate per capability"
    ax.set_title(f"{title} ({config.mode}, {info['cases']} cases)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
