"""reason: the node (`node.py`), its prompts (`prompts.py`), the tool path (`tool.py`) and
the cross-check of the model's answers (`crosscheck.py`)."""

from nodes.reason.node import reason

__all__ = ["reason"]
