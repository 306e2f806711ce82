"""Errors a user can cause. The CLI prints their message on one line and exits with code 2."""

from __future__ import annotations


class UserError(ValueError):
    """Bad input from the user: a bad spec string, a missing folder, an invalid id."""


class SpecError(UserError):
    """A spec string (`local`, `openai:MODEL`, `local:DIR`, `sketch`, ...) that cannot be used."""
