"""The CLI's parser: usage errors in one line, and the subcommands other packages add to
`image-agent` through the entry-point group `image_agent.commands` (the bench is one), so
the CLI imports none of them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Collection
from importlib.metadata import entry_points
from typing import Any, NoReturn

from tools.database import ENV as DB_ENV
from tools.text import one_line

Handler = Callable[[argparse.Namespace], int]
COMMANDS = "image_agent.commands"


class OneLineParser(argparse.ArgumentParser):
    """Usage errors in one line (`image-agent: error: ...`), exit 2; `--help` shows usage."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"image-agent: error: {one_line(message)} (see `{self.prog} --help`)\n")
        sys.exit(2)


DB_COMMANDS = ("run", "resume", "runs", "memory", "bench", "show", "forget", "export", "import")


def add_db_option(sub: Any) -> None:
    """`--db URL` on the commands that keep runs or memory (and each action of those with
    actions): run, resume, runs, memory (show, forget, export, import) and bench."""
    for name, parser in sub.choices.items():
        if name not in DB_COMMANDS:
            continue
        nested = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        for actions in nested:
            add_db_option(actions)
        if not nested and not any("--db" in a.option_strings for a in parser._actions):
            parser.add_argument(
                "--db",
                metavar="URL",
                help="a postgresql:// URL: runs and memory on PostgreSQL (default: "
                f"${DB_ENV}, "
                "else the data dir)",
            )


def load_commands(sub: Any, taken: Collection[str]) -> dict[str, Handler]:
    """The subcommands other packages declare in the entry-point group `image_agent.commands`.

    Each entry point names a `register(subparsers)` that adds its parser and returns the
    handler of the parsed arguments. One that cannot load (or takes a name already taken) is
    left out with a one-line warning on stderr; every other command still works."""
    handlers: dict[str, Handler] = {}
    for point in sorted(entry_points(group=COMMANDS), key=lambda p: p.name):
        if point.name in taken or point.name in handlers:
            _warn(f"command {point.name!r} ({point.value}) left out: the name is taken")
            continue
        try:
            handler = point.load()(sub)
        except Exception as exc:
            _warn(f"command {point.name!r} ({point.value}) left out: {type(exc).__name__}: {exc}")
            continue
        if not callable(handler):
            _warn(f"command {point.name!r} ({point.value}) left out: register returned no handler")
            continue
        handlers[point.name] = handler
    return handlers


def _warn(message: str) -> None:
    sys.stderr.write(f"image-agent: warning: {message}".splitlines()[0][:300] + "\n")
