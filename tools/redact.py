"""Keeping secrets out of everything written: error text, progress lines, logs, state.

The secrets are the values of environment variables named like a credential (`*_API_KEY`,
`*_TOKEN`, `*_SECRET`, `*_PASSWORD`). A provider's error may quote a key, whole or masked
(its first and last characters around a run of `*`): `redact` replaces the key, any piece
of it 6 characters or longer, and any masked-looking token with `[redacted]`.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

CREDENTIAL = re.compile(r"(API_KEY|TOKEN|SECRET|PASSWORD)$", re.IGNORECASE)
MASKED = re.compile(r"[\w-]*\*{4,}[\w-]*")
PIECE = 6  # the shortest piece of a secret that is hidden
MARK = "[redacted]"


def secrets_in_env() -> list[str]:
    names = [name for name in os.environ if CREDENTIAL.search(name)]  # values decoded only here
    values = {value for name in names if len(value := os.environ.get(name, "").strip()) >= 8}
    return sorted(values, key=len, reverse=True)


def hide_secrets(text: str, secrets: list[str] | None = None) -> str:
    """`text` without any secret or piece of one (PIECE characters or more)."""
    for secret in secrets_in_env() if secrets is None else secrets:
        if secret in text:
            text = text.replace(secret, MARK)
        for start in range(len(secret) - PIECE + 1):
            piece = secret[start : start + PIECE]
            if piece in text:
                text = text.replace(piece, MARK)
    return text


def redact(text: str) -> str:
    """Error text without secrets, pieces of them, or masked keys."""
    return MASKED.sub(MARK, hide_secrets(str(text)))


def redact_tree(value: Any, secrets: list[str] | None = None) -> Any:
    """A JSON-like value with `hide_secrets` applied to every string in it."""
    secrets = secrets_in_env() if secrets is None else secrets
    if not secrets:
        return value
    if isinstance(value, str):
        return hide_secrets(value, secrets)
    if isinstance(value, dict):
        return {key: redact_tree(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_tree(item, secrets) for item in value]
    return value


def redact_exception(exc: BaseException) -> None:
    """Redact an exception's arguments in place: its text and repr (what a checkpoint
    keeps of a failed node) then hold no secret."""
    if secrets_in_env():
        exc.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in exc.args)


class RedactingFilter(logging.Filter):
    """A handler filter: the record's message and traceback, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
