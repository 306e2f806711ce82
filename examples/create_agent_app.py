"""A LangChain agent (`create_agent`) that calls image-agent as its `generate_image` tool.

    OPENAI_API_KEY=... python examples/create_agent_app.py --model openai:gpt-4o-mini \
        "Make a poster of the fruit that fell on Isaac Newton's head"
    # any OpenAI-compatible server: OPENAI_BASE_URL=http://localhost:8000/v1 --model openai:NAME
    # offline, with a canned parent model that always calls the tool once:
    python examples/create_agent_app.py --model scripted:examples/scripted_parent.json "..."

The parent model chooses when to call the tool; the tool runs the whole agent (with the
models from IMAGE_AGENT_* variables, the embedded ones by default) and answers with the
image paths, the final prompt and the report path.
"""

from __future__ import annotations

import argparse
import sys

from langchain.agents import create_agent
from langchain_core.messages import ToolMessage

from graph.tool import as_tool
from tools.models import get_chat_model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("message")
    parser.add_argument("--model", default="openai:gpt-4o-mini", help="the parent agent's model")
    args = parser.parse_args(argv)
    agent = create_agent(
        get_chat_model(args.model),
        tools=[as_tool()],
        system_prompt="You help people make images. Use generate_image for any image request.",
    )
    result = agent.invoke({"messages": [{"role": "user", "content": args.message}]})
    for message in result["messages"]:
        if isinstance(message, ToolMessage):
            print(f"tool {message.name}: {message.content}", file=sys.stderr)
    print(result["messages"][-1].content)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
