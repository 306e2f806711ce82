"""`image-agent`: run, resume and list runs from the command line.

Logs and progress go to stderr; `--json` prints exactly one JSON object on stdout.
Errors the user can cause print one line and exit 2; a run that fails exits 1 and can be
continued with `image-agent resume RUN_ID` (its id is the first line on stderr).
Other packages add subcommands (`bench` is one) through the entry points `image_agent.commands`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from rich.console import Console

from graph.host_cli import add_parser as add_host_parser
from graph.host_cli import cmd_host, say_if_started
from graph.memory_cli import add_parser as add_memory_parser
from graph.memory_cli import cmd_memory
from graph.plugins import Handler, OneLineParser, add_db_option, load_commands
from graph.validate import validate_context, validate_prompt
from nodes.context import Context
from tools import model_host
from tools.database import ENV as DB_ENV
from tools.database import database_url
from tools.errors import UserError
from tools.redact import RedactingFilter, redact
from tools.text import one_line

console = Console(stderr=True, highlight=False, soft_wrap=True)
EXIT_USAGE, EXIT_FAILED, EXIT_INTERRUPTED = 2, 1, 130


def _parser() -> tuple[argparse.ArgumentParser, dict[str, Handler]]:
    parser = OneLineParser(
        prog="image-agent",
        description="Close the context gap: plan, ground, compose, render, check, remember.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="generate an image for a request")
    run.add_argument("prompt", help="what you want, in your own words")
    run.add_argument("--user", help="user id whose memory to use (default: default)")
    run.add_argument("--thread", help="conversation id this turn belongs to")
    run.add_argument("--llm", help="planner/reasoner model spec (local, openai:MODEL)")
    run.add_argument("--vlm", help="vision judge (openai:MODEL); default: the --llm judges as text")
    run.add_argument("--search", help="search spec (auto, tavily, local:DIR, none)")
    run.add_argument(
        "--renderer",
        help="renderer spec (sketch, diffusers:PATH_OR_HUB_ID, openai:gpt-image-1, py:module:attr)",
    )
    run.add_argument("--max-rounds", type=int, help="render attempts in all (default 3)")
    run.add_argument("--out", help="output folder (default ./outputs)")
    run.add_argument("--no-input", action="store_true", help="never ask; take best guesses")
    run.add_argument(
        "--sequential", action="store_true", help="ground gaps one after another, not at once"
    )
    run.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    resume = sub.add_parser("resume", help="continue a run that crashed or was interrupted")
    resume.add_argument("run_id")
    resume.add_argument("--no-input", action="store_true", help="never ask; take best guesses")
    resume.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    add_memory_parser(sub)
    add_host_parser(sub)
    runs = sub.add_parser("runs", help="list recent runs with their status")
    runs.add_argument("--limit", type=int, default=20)
    runs.add_argument("--json", action="store_true", help="print JSON on stdout")
    handlers: dict[str, Handler] = {
        "run": cmd_run,
        "resume": cmd_resume,
        "runs": cmd_runs,
        "memory": cmd_memory,
        "host": cmd_host,
    }
    handlers.update(load_commands(sub, taken=handlers))
    add_db_option(sub)
    return parser, handlers


def context_from_args(args: argparse.Namespace) -> Context:
    ctx = Context()
    overrides = {
        "llm": args.llm,
        "vlm": args.vlm,
        "search": args.search,
        "renderer": args.renderer,
        "max_rounds": args.max_rounds,
        "output_dir": args.out,
        "user_id": args.user,
        "conversation": args.thread,
        "sequential": getattr(args, "sequential", False) or None,  # off: the env default
    }
    for name, value in overrides.items():
        if value is not None:
            setattr(ctx, name, value.strip() if isinstance(value, str) else value)
    ctx.interactive = sys.stdin.isatty() and not args.no_input
    return ctx


class Progress:
    """Prints one line per stream event on stderr."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.ran: list[str] = []

    def __call__(self, mode: str, chunk: Any) -> None:
        elapsed = time.perf_counter() - self.started
        if mode == "custom" and isinstance(chunk, dict):
            stage, message = chunk.get("stage", "?"), chunk.get("message", "")
            if chunk.get("status") == "start":
                self.ran.append(stage)
                console.print(f"[dim]{elapsed:6.1f}s[/] [bold cyan]{stage}[/] …")
            else:
                console.print(f"[dim]{elapsed:6.1f}s[/] [cyan]{stage}[/] {message}")


def _ask(interrupts: Any) -> dict[str, str]:
    answers: dict[str, str] = {}
    for item in interrupts:
        value = item.value if isinstance(item.value, dict) else {"question": str(item.value)}
        guess = value.get("best_guess") or ""
        hint = f" [{guess}]" if guess else ""
        console.print(f"[bold yellow]question[/] {value.get('question', '')}{hint}")
        if value.get("candidates"):  # a cross-check: the model's answers that disagree
            console.print(f"[yellow]candidates[/] {' / '.join(map(str, value['candidates']))}")
        sys.stderr.write("> ")
        sys.stderr.flush()
        line = sys.stdin.readline()
        if not line:
            raise EOFError
        answers[item.id] = line.strip() or guess
    return answers


def execute(run_id: str, payload: Any, ctx: Context, registry: Any, *, as_json: bool) -> int:
    """Stream the run to completion (asking on the TTY at interrupts); record its status."""
    from langgraph.types import Command

    from graph.agent import build_graph
    from graph.report import summary
    from graph.runs import checkpointer

    config: dict[str, Any] = {"configurable": {"thread_id": run_id}, "recursion_limit": 100}
    progress = Progress()
    with checkpointer() as saver:
        app = build_graph(checkpointer=saver)
        try:
            while True:
                for mode, chunk in app.stream(  # type: ignore[call-overload]
                    payload,
                    config,
                    context=ctx,
                    stream_mode=["updates", "custom"],
                    durability="sync",
                ):
                    progress(mode, chunk)
                snapshot = app.get_state(config)  # type: ignore[arg-type]
                if not snapshot.interrupts:
                    break
                if not ctx.interactive:
                    registry.set_status(run_id, "interrupted", "waiting for an answer")
                    console.print(
                        f"run {run_id} is waiting for an answer; "
                        f"continue with `image-agent resume {run_id}`"
                    )
                    return EXIT_INTERRUPTED
                payload = Command(resume=_ask(snapshot.interrupts))
        except (KeyboardInterrupt, EOFError):
            registry.set_status(run_id, "interrupted", "stopped by the user")
            console.print(
                f"\nrun {run_id} interrupted; continue with `image-agent resume {run_id}`"
            )
            return EXIT_INTERRUPTED
        except Exception as exc:
            detail = redact(f"{type(exc).__name__}: {exc}".splitlines()[0])[:300]
            registry.set_status(run_id, "failed", detail)
            logging.getLogger("image_agent").debug("run failed", exc_info=True)
            console.print(f"[red]run {run_id} failed:[/] {detail}")
            console.print(f"continue it with `image-agent resume {run_id}`")
            return EXIT_FAILED
        state = app.get_state(config).values  # type: ignore[arg-type]
    registry.set_status(run_id, "done")
    info = summary(state)  # type: ignore[arg-type]
    _print_result(info, as_json)
    return 0


def _print_result(info: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(info, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    passed = sum(1 for v in info["checklist"] if v["passed"])
    console.print(
        f"[bold green]done[/] {passed}/{len(info['checklist'])} checks passed "
        f"in {info['rounds']} round(s); prompt: {info['final_prompt']}"
    )
    for image in info["images"]:
        console.print(f"image  {image}")
    console.print(f"report {info['report']}")


def cmd_run(args: argparse.Namespace) -> int:
    from graph.runs import RunRegistry, new_run_id

    prompt = validate_prompt(args.prompt)
    ctx = context_from_args(args)
    validate_context(ctx)
    # absolute: `resume` from another folder continues in the same output folder
    ctx.output_dir = str(Path(ctx.output_dir).expanduser().resolve())
    run_id = new_run_id()
    registry = RunRegistry()  # an unreachable database: one line, before the run starts
    console.print(f"run {run_id}")
    registry.create(run_id, prompt, ctx.user_id, asdict(ctx))
    return execute(
        run_id, {"request": prompt, "user_id": ctx.user_id}, ctx, registry, as_json=args.json
    )


def cmd_resume(args: argparse.Namespace) -> int:
    from graph.runs import RunRegistry
    from tools.ids import validate_id

    run_id = validate_id(args.run_id, "run id")
    if not RunRegistry.exists():
        raise UserError(f"unknown run id {run_id!r}: no runs yet")
    registry = RunRegistry()
    record = registry.get(run_id)
    if record is None:
        raise UserError(f"unknown run id {run_id!r} (see `image-agent runs`)")
    known = {f.name for f in fields(Context)}
    ctx = Context(**{k: v for k, v in record["context"].items() if k in known})
    ctx.interactive = sys.stdin.isatty() and not args.no_input
    validate_context(ctx)
    console.print(f"run {run_id}")
    if record["status"] == "done":
        console.print(f"run {run_id} is already done")
    registry.set_status(run_id, "running")
    return execute(run_id, None, ctx, registry, as_json=args.json)


def cmd_runs(args: argparse.Namespace) -> int:
    from graph.runs import RunRegistry

    records = RunRegistry().recent(args.limit) if RunRegistry.exists() else []
    if args.json:
        sys.stdout.write(json.dumps(records, ensure_ascii=False) + "\n")
        return 0
    if not records:
        console.print("no runs yet")
    for record in records:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record["created"]))
        detail = f"  ({record['detail']})" if record["detail"] else ""
        console.print(
            f"{record['id']}  {when}  {record['status']:<11}  {record['request'][:60]}{detail}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.DEBUG if os.environ.get("IMAGE_AGENT_DEBUG") else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for handler in logging.getLogger().handlers:
        handler.addFilter(RedactingFilter())
    parser, handlers = _parser()
    args = parser.parse_args(argv)
    before = os.environ.get(DB_ENV)
    model_host.prefer(True)  # the CLI's processes share one warm model (IMAGE_AGENT_MODEL_HOST)
    try:
        if getattr(args, "db", None):
            os.environ[DB_ENV] = args.db  # the switch, for this command and the ones it starts
        database_url()  # a malformed URL: one line now, not half-way through a run
        return handlers[args.command](args)
    except UserError as exc:
        sys.stderr.write(f"image-agent: error: {redact(one_line(str(exc)))}\n")
        return EXIT_USAGE
    finally:  # a caller in the same process (bench, tests) keeps its own setting
        say_if_started()
        model_host.prefer(False)
        if before is None:
            os.environ.pop(DB_ENV, None)
        else:
            os.environ[DB_ENV] = before


if __name__ == "__main__":
    sys.exit(main())
