"""Ids that become folder names and namespace labels: letters, digits, '-' and '_' only."""

from __future__ import annotations

import re

from tools.errors import UserError

ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def validate_id(value: str, what: str) -> str:
    """Return `value`, or raise UserError naming `what` when it is not a safe id."""
    if not ID_PATTERN.fullmatch(value):
        raise UserError(
            f"invalid {what} {value!r}: use letters, digits, '-' and '_' (at most 64 characters)"
        )
    return value
