"""A LangGraph custom auth handler: one shared bearer token, from IMAGE_AGENT_API_TOKEN.

Add to langgraph.json to close the server (its API, and the web UI's data routes):

    "auth": {"path": "./examples/token_auth.py:auth"}

Every request must then carry `Authorization: Bearer <token>`; the web UI asks for the
token once and sends it with each of its requests. With the variable unset, the server
refuses every request rather than opening up.
"""

from __future__ import annotations

import hmac
import os

from langgraph_sdk import Auth

auth = Auth()


@auth.authenticate
async def authenticate(authorization: str | None) -> str:
    expected = os.environ.get("IMAGE_AGENT_API_TOKEN", "")
    if not expected:
        raise Auth.exceptions.HTTPException(
            status_code=401, detail="IMAGE_AGENT_API_TOKEN is not set on the server"
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), expected.encode()):
        raise Auth.exceptions.HTTPException(status_code=401, detail="a valid token is needed")
    return "token-holder"
