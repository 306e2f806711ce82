"""plan: the node (`node.py`), its prompts (`prompt.py`), routing (`routing.py`, cues as
data in `cues.json`) and checklist (`checklist.py`)."""

from nodes.plan.node import plan

__all__ = ["plan"]
