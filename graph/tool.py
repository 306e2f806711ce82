"""`as_tool()`: the agent as a LangChain tool, `generate_image`, for LangChain agents.

```python
from langchain.agents import create_agent
from graph.tool import as_tool

agent = create_agent(model, tools=[as_tool()])
```

The tool takes the user's words (and optionally whose memory to use), runs the whole
agent, and answers with a JSON object: image paths, the final prompt, the report path and
the checklist result. The full output is the tool message's `artifact`. It runs
non-interactively by default (a gap only the user can fill takes the planner's best guess);
pass your own `Context` to change models, renderer or limits, or a `RemoteGraph` to run
the agent on a LangGraph server.
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, Field

from nodes.context import Context
from nodes.state import MAX_REQUEST_CHARS

DESCRIPTION = (
    "Generate an image from a request in the user's own words. The agent works out what the "
    "request leaves implicit (facts, references, the user's preferences), writes an explicit "
    "prompt, renders it and checks the result. Returns the image file paths, the final "
    "prompt, a report path and how many checklist items passed."
)


class GenerateImageInput(BaseModel):
    request: str = Field(
        description="What the image should show, in the user's own words (implicit "
        "references are fine: the agent resolves them)."
    )
    user_id: str | None = Field(
        default=None, description="Whose memory (style, pets, past images) to use."
    )


def _result(output: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    if output.get("__interrupt__"):
        question = output["__interrupt__"][0]
        value = getattr(question, "value", question)
        raise ToolException(f"the image agent is waiting for an answer: {value}")
    checklist = list(output.get("checklist", []))
    result = {
        "images": list(output.get("images", [])),
        "final_prompt": output.get("final_prompt", ""),
        "report": output.get("report", ""),
        "checklist": checklist,
    }
    summary = {
        "images": result["images"],
        "final_prompt": result["final_prompt"],
        "report": result["report"],
        "checks_passed": f"{sum(1 for v in checklist if v.get('passed'))}/{len(checklist)}",
    }
    return json.dumps(summary, ensure_ascii=False), result


def as_tool(
    graph: Any = None,
    *,
    context: Context | dict[str, Any] | None = None,
    name: str = "generate_image",
    description: str = DESCRIPTION,
) -> BaseTool:
    """The agent as a `BaseTool`.

    `graph`: the compiled agent (default `graph.agent.graph`) or a `RemoteGraph` of it.
    `context`: how runs are carried out (default: `Context(interactive=False)`).
    """
    if graph is None:
        from graph.agent import graph as default_graph

        graph = default_graph
    ctx: Any = context if context is not None else Context(interactive=False)
    if _is_remote(graph) and is_dataclass(ctx) and not isinstance(ctx, type):
        ctx = asdict(ctx)  # sent as JSON to the server

    def inputs(request: str, user_id: str | None) -> dict[str, Any]:
        text = request.strip()
        if not text:
            raise ToolException("the request is empty: say what the image should show")
        if len(text) > MAX_REQUEST_CHARS:
            raise ToolException(f"the request is longer than {MAX_REQUEST_CHARS} characters")
        return {"request": text, **({"user_id": user_id} if user_id else {})}

    def run(request: str, user_id: str | None = None) -> tuple[str, dict[str, Any]]:
        return _result(graph.invoke(inputs(request, user_id), context=ctx))

    async def arun(request: str, user_id: str | None = None) -> tuple[str, dict[str, Any]]:
        return _result(await graph.ainvoke(inputs(request, user_id), context=ctx))

    return StructuredTool.from_function(
        func=run,
        coroutine=arun,
        name=name,
        description=description,
        args_schema=GenerateImageInput,
        response_format="content_and_artifact",
        handle_tool_error=True,
    )


def _is_remote(graph: Any) -> bool:
    from langgraph.pregel.remote import RemoteGraph

    return isinstance(graph, RemoteGraph)
