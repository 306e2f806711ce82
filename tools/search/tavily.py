"""`tavily`: web search through `tavily-python` (TAVILY_API_KEY, or the keyless mode).

A question becomes one or two keyword queries (at most 5 results each): the keywords first,
the question as asked when the keywords find fewer than two results. Each request has a
timeout and is retried a bounded number of times with exponential backoff on timeouts,
connection errors, 5xx, 429 and malformed replies; a rejected key or request fails at once.
When every attempt fails, `SearchError` says why in one line (the search node records the
gap as unresolved and the run goes on).

With `images=True` (gaps of kind `reference`) Tavily's image results are kept as candidate
reference image URLs.

Environment: TAVILY_API_KEY (none: keyless, rate-limited), TAVILY_BASE_URL (default the
Tavily API; a proxy or a test server), IMAGE_AGENT_SEARCH_TIMEOUT (seconds per request, 15).
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any

import requests
from tavily import TavilyClient
from tavily.errors import (
    BadRequestError,
    ForbiddenError,
    InvalidAPIKeyError,
    UsageLimitExceededError,
)
from tavily.errors import TimeoutError as TavilyTimeout

from tools.search.base import Passage, SearchError, SearchResult

log = logging.getLogger(__name__)

MAX_RESULTS = 5
QUOTE_CHARS = 600
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "does",
        "do",
        "did",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "as",
        "about",
        "into",
        "there",
        "their",
        "them",
        "they",
        "he",
        "she",
        "his",
        "her",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "can",
        "could",
        "would",
        "should",
        "will",
        "shall",
        "may",
        "might",
        "must",
        "has",
        "have",
        "had",
        "look",
        "looks",
        "like",
        "kind",
        "sort",
        "any",
        "some",
    ]
)


def keyword_query(question: str) -> str:
    """The question's content words, in order (question words and fillers dropped)."""
    words = re.findall(r"[\w'’.-]+", question)
    kept = [w.strip(".'’") for w in words if w.lower().strip(".'’") not in _STOP]
    return " ".join(w for w in kept if w) or question.strip()


class TavilySearch:
    """The Tavily search API, with timeouts and bounded retries."""

    name = "tavily"
    min_score = 0.0  # Tavily ranks by relevance already; its scores are not cosine similarities

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | None = None,
        retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        self.api_key = api_key if api_key is not None else os.environ.get("TAVILY_API_KEY") or ""
        self.base_url = (base_url or os.environ.get("TAVILY_BASE_URL") or "").rstrip("/") or None
        self.timeout = (
            timeout
            if timeout is not None
            else float(os.environ.get("IMAGE_AGENT_SEARCH_TIMEOUT", "15"))
        )
        self.retries = max(0, retries)
        self.backoff = backoff
        self.client = TavilyClient(api_key=self.api_key or None, api_base_url=self.base_url)
        self.requests_made = 0

    def __repr__(self) -> str:
        mode = "key" if self.api_key else "keyless"
        return f"TavilySearch({self.base_url or 'api.tavily.com'}, {mode})"

    # ---- one request, retried

    def _request(self, query: str, k: int, images: bool) -> dict[str, Any]:
        last = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            self.requests_made += 1
            extra: dict[str, Any] = (
                {"include_images": True, "include_image_descriptions": True} if images else {}
            )
            try:
                reply = self.client.search(
                    query, max_results=k, search_depth="basic", timeout=self.timeout, **extra
                )
            except (InvalidAPIKeyError, ForbiddenError) as exc:
                raise SearchError(f"tavily rejected the API key ({exc or 'unauthorised'})") from exc
            except BadRequestError as exc:
                raise SearchError(f"tavily rejected the request ({exc})") from exc
            except TavilyTimeout:
                last = f"timed out after {self.timeout:g}s"
            except UsageLimitExceededError as exc:
                last = f"rate limited ({exc or '429'})"
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                if status and status < 500:
                    raise SearchError(f"tavily answered HTTP {status}") from exc
                last = f"HTTP {status or '?'}"
            except requests.ConnectionError as exc:
                last = f"cannot connect ({type(exc).__name__})"
            except ValueError:  # the body was not JSON
                last = "malformed reply (not JSON)"
            else:
                if isinstance(reply, dict) and isinstance(reply.get("results"), list):
                    return reply
                last = "malformed reply (no results list)"
            log.warning("tavily search %r: %s (attempt %d)", query, last, attempt + 1)
        raise SearchError(f"tavily search failed after {self.retries + 1} attempt(s): {last}")

    # ---- the provider interface

    def find(self, question: str, k: int = MAX_RESULTS, *, images: bool = False) -> SearchResult:
        """Passages (URL, title and content, score) and, with `images`, image URLs."""
        k = max(1, min(k, MAX_RESULTS))
        queries = [keyword_query(question)]
        if question.strip() and question.strip() != queries[0]:
            queries.append(question.strip())
        passages: list[Passage] = []
        found_images: list[dict[str, str]] = []
        seen: set[str] = set()
        for query in queries:
            reply = self._request(query, k, images)
            for item in reply["results"]:
                if not isinstance(item, dict):
                    continue
                url = str(item.get("url") or "").strip()
                content = str(item.get("content") or "").strip()
                if not url or not content or url in seen:
                    continue
                seen.add(url)
                title = str(item.get("title") or "").strip()
                quote = f"{title}: {content}" if title else content
                try:
                    score = float(item.get("score") or 0.0)
                except (TypeError, ValueError):
                    score = 0.0
                passages.append(Passage(source=url, quote=quote[:QUOTE_CHARS], score=score))
            for image in reply.get("images") or []:
                entry = _image_entry(image)
                if entry and entry["url"] not in {i["url"] for i in found_images}:
                    found_images.append(entry)
            if len(passages) >= 2:
                break
        passages.sort(key=lambda p: p["score"], reverse=True)
        return {"passages": passages[: 2 * k], "images": found_images[:k]}

    def search(self, query: str, k: int = 4) -> list[Passage]:
        if k <= 0 or not query.strip():
            return []
        return self.find(query, k)["passages"]


def _image_entry(image: Any) -> dict[str, str] | None:
    """Tavily lists images as URLs, or as {url, description} with image descriptions."""
    if isinstance(image, str):
        url, description = image, ""
    elif isinstance(image, dict):
        url, description = str(image.get("url") or ""), str(image.get("description") or "")
    else:
        return None
    if not url.startswith(("http://", "https://")):
        return None
    return {"url": url, "description": description[:200]}
