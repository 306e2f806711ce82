"""`image-agent host status|start|stop`: the warm model host (tools/model_host.py), the one
process that keeps the embedded model and MiniLM loaded for the CLI runs of a data dir."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.console import Console

from tools import model_host
from tools.errors import UserError

console = Console(stderr=True, highlight=False, soft_wrap=True)


def add_parser(sub: Any) -> None:
    host = sub.add_parser("host", help="the warm model host that CLI runs share")
    actions = host.add_subparsers(dest="action", required=True)
    status = actions.add_parser("status", help="whether a host runs, and its figures")
    status.add_argument("--json", action="store_true", help="print JSON on stdout")
    actions.add_parser("start", help="start one now (CLI runs start one when needed)")
    actions.add_parser("stop", help="end the running host (the next CLI run starts one)")


def cmd_host(args: argparse.Namespace) -> int:
    if args.action == "stop":
        console.print("host stopped" if model_host.stop() else "no model host runs")
        return 0
    if args.action == "start":
        if not model_host.enabled():
            raise UserError(f"{model_host.ENV}=0 turns the model host off")
        host = model_host.client()
        if host is None:
            raise UserError("the model host did not start (see IMAGE_AGENT_HOME/model-host.log)")
        console.print(f"model host pid {host.pid} on 127.0.0.1:{host.port}, idle limit "
                      f"{host.idle_s:.0f} s")  # fmt: skip
        return 0
    info = model_host.status()
    if args.json:
        sys.stdout.write(json.dumps(info) + "\n")
    elif info is None:
        console.print("no model host runs")
    else:
        loads = ", ".join(f"{k} {v}" for k, v in info["loads"].items()) or "nothing yet"
        stale = "" if info["current"] else " (other code or settings: the next run replaces it)"
        console.print(
            f"model host pid {info['pid']} on 127.0.0.1:{info['port']}{stale}: up "
            f"{info['up_s']:.0f} s, {info['calls']} calls, idle {info['idle_s']:.0f} of "
            f"{info['idle_limit_s']:.0f} s; loaded: {loads}"
        )
    return 0


def say_if_started() -> None:
    """One line when this command started the warm model host, so nobody wonders what the
    process it left running is."""
    if model_host.started_pid is not None:
        console.print(
            f"the embedded model stays loaded in process {model_host.started_pid} for later runs "
            f"({model_host.idle_seconds():.0f} s idle; `image-agent host stop` ends it, "
            f"{model_host.ENV}=0 turns it off)"
        )
        model_host.started_pid = None
