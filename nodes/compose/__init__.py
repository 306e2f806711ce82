"""compose: the node (`node.py`), its prompt (`prompt.py`), its declared repair steps
(`steps.py`), the constraint check (`constraints.py`) and the other repairs."""

from nodes.compose.constraints import contains
from nodes.compose.node import compose

__all__ = ["compose", "contains"]
