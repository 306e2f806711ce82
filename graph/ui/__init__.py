"""The web UI at /ui: a Starlette app `langgraph dev` mounts beside its API (langgraph.json)."""
