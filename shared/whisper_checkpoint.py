"""Turn a CTranslate2 Whisper model into an openai-whisper checkpoint, with no download.

openai-whisper only loads its own ``.pt`` checkpoints and would download them; Lectern
instead rebuilds one from the CTranslate2 model it already has (the bundled ``tiny.en``
or an installed model pack). The two formats hold the same weights in a different
layout:

- CTranslate2 fuses the self-attention query, key and value projections into one
  matrix (``linear_0``) and the cross-attention key and value into another; Whisper
  keeps them apart, and its key projection has no bias (CTranslate2 stores zeros).
- Quantized CTranslate2 weights (int8/int16) carry a per-row scale; they are divided
  back to floats. float16 weights become float32, as openai-whisper computes on a CPU.
- The model's dimensions are not written anywhere; they follow from the tensor shapes
  and the stored head counts.

Reading ``model.bin`` needs only numpy; writing the checkpoint needs PyTorch (the
``openai-whisper`` extra).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from shared.errors import LecternError
from shared.files import atomic_path

__all__ = [
    "CheckpointError",
    "alignment_heads",
    "cached_checkpoint",
    "checkpoint_cache_dir",
    "read_ctranslate2",
    "whisper_state",
]

# CTranslate2's DataType enum, as stored in model.bin (binary version >= 4).
_DTYPES = {
    0: np.float32,
    1: np.int8,
    2: np.int16,
    3: np.int32,
    4: np.float16,
    5: np.uint16,  # bfloat16: widened below
}
_BFLOAT16 = 5
#: Bump when the conversion changes, so cached checkpoints are rebuilt.
_CONVERSION_VERSION = 1


class CheckpointError(LecternError):
    """A CTranslate2 model cannot be turned into an openai-whisper checkpoint."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(
            f"The speech model {path} cannot be converted for openai-whisper ({reason}); "
            "reinstall the model or use the faster-whisper engine."
        )


def _read(handle: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    data = handle.read(size)
    if len(data) != size:
        raise EOFError("the file ends early")
    return struct.unpack("<" + fmt, data)[0]


def _read_string(handle: BinaryIO) -> str:
    length = _read(handle, "H")
    data = handle.read(length)
    if len(data) != length:
        raise EOFError("the file ends early")
    return data.rstrip(b"\0").decode("utf-8")


def read_ctranslate2(model_bin: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """All variables of a CTranslate2 ``model.bin`` as float32 (or integer) arrays.

    Quantized weights are dequantized with their ``weight_scale``; aliases (the
    decoder's output projection shares the token embedding) are resolved.

    Raises:
        CheckpointError: the file is missing, truncated, or not a CTranslate2 model.
    """
    path = Path(model_bin)
    raw: dict[str, np.ndarray] = {}
    try:
        with open(path, "rb") as handle:
            version = _read(handle, "I")
            if not 4 <= version <= 6:
                raise ValueError(f"unsupported CTranslate2 format version {version}")
            _read_string(handle)  # the spec name, e.g. WhisperSpec
            _read(handle, "I")  # the spec revision
            for _ in range(_read(handle, "I")):
                name = _read_string(handle)
                shape = tuple(_read(handle, "I") for _ in range(_read(handle, "B")))
                dtype = _read(handle, "B")
                size = _read(handle, "I")
                data = handle.read(size)
                if len(data) != size:
                    raise EOFError("the file ends early")
                if dtype not in _DTYPES:
                    raise ValueError(f"unknown data type {dtype} for {name}")
                array = np.frombuffer(data, dtype=_DTYPES[dtype]).reshape(shape)
                if dtype == _BFLOAT16:
                    array = (array.astype(np.uint32) << 16).view(np.float32)
                raw[name] = array
            aliases = _read(handle, "I") if handle.peek(1) else 0
            for _ in range(aliases):
                alias, target = _read_string(handle), _read_string(handle)
                raw[alias] = raw[target]
    except FileNotFoundError as error:
        raise CheckpointError(path, "model.bin is missing") from error
    except (OSError, EOFError, ValueError, KeyError) as error:
        raise CheckpointError(path, str(error)) from error
    return _dequantize(raw)


def _dequantize(raw: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name, array in raw.items():
        if name.endswith("_scale"):
            continue
        scale = raw.get(name + "_scale")
        if scale is not None and array.dtype in (np.int8, np.int16):
            # CTranslate2 quantizes row-wise: q = round(w * scale).
            out[name] = array.astype(np.float32) / scale.astype(np.float32).reshape(-1, 1)
        elif array.dtype in (np.float16, np.float32):
            out[name] = array.astype(np.float32)
        else:
            out[name] = array
    return out


@dataclass(frozen=True)
class _Dims:
    n_mels: int
    n_audio_ctx: int
    n_audio_state: int
    n_audio_head: int
    n_audio_layer: int
    n_vocab: int
    n_text_ctx: int
    n_text_state: int
    n_text_head: int
    n_text_layer: int


def _count_layers(variables: dict[str, np.ndarray], prefix: str) -> int:
    count = 0
    while f"{prefix}/layer_{count}/ffn/linear_0/weight" in variables:
        count += 1
    return count


def _dims(variables: dict[str, np.ndarray]) -> _Dims:
    conv1 = variables["encoder/conv1/weight"]
    embeddings = variables["decoder/embeddings/weight"]
    return _Dims(
        n_mels=int(conv1.shape[1]),
        n_audio_ctx=int(variables["encoder/position_encodings/encodings"].shape[0]),
        n_audio_state=int(conv1.shape[0]),
        n_audio_head=int(variables["encoder/num_heads"]),
        n_audio_layer=_count_layers(variables, "encoder"),
        n_vocab=int(embeddings.shape[0]),
        n_text_ctx=int(variables["decoder/position_encodings/encodings"].shape[0]),
        n_text_state=int(embeddings.shape[1]),
        n_text_head=int(variables["decoder/num_heads"]),
        n_text_layer=_count_layers(variables, "decoder"),
    )


def _linear(state: dict[str, np.ndarray], target: str, weight: np.ndarray, bias: Any) -> None:
    state[f"{target}.weight"] = weight
    if bias is not None:
        state[f"{target}.bias"] = bias


def _attention(
    state: dict[str, np.ndarray], v: dict[str, np.ndarray], source: str, target: str, *, cross: bool
) -> None:
    if cross:  # query apart, key and value fused
        _linear(
            state, f"{target}.query", v[f"{source}/linear_0/weight"], v[f"{source}/linear_0/bias"]
        )
        key, value = np.split(v[f"{source}/linear_1/weight"], 2)
        _, value_bias = np.split(v[f"{source}/linear_1/bias"], 2)
        out = "linear_2"
    else:  # query, key and value fused
        query, key, value = np.split(v[f"{source}/linear_0/weight"], 3)
        query_bias, _, value_bias = np.split(v[f"{source}/linear_0/bias"], 3)
        _linear(state, f"{target}.query", query, query_bias)
        out = "linear_1"
    _linear(state, f"{target}.key", key, None)  # Whisper's key projection has no bias
    _linear(state, f"{target}.value", value, value_bias)
    _linear(state, f"{target}.out", v[f"{source}/{out}/weight"], v[f"{source}/{out}/bias"])


def _norm(state: dict[str, np.ndarray], v: dict[str, np.ndarray], source: str, target: str) -> None:
    state[f"{target}.weight"] = v[f"{source}/gamma"]
    state[f"{target}.bias"] = v[f"{source}/beta"]


def _block(
    state: dict[str, np.ndarray], v: dict[str, np.ndarray], source: str, target: str, *, cross: bool
) -> None:
    _attention(state, v, f"{source}/self_attention", f"{target}.attn", cross=False)
    _norm(state, v, f"{source}/self_attention/layer_norm", f"{target}.attn_ln")
    if cross:
        _attention(state, v, f"{source}/attention", f"{target}.cross_attn", cross=True)
        _norm(state, v, f"{source}/attention/layer_norm", f"{target}.cross_attn_ln")
    for index, name in ((0, "linear_0"), (2, "linear_1")):
        _linear(
            state,
            f"{target}.mlp.{index}",
            v[f"{source}/ffn/{name}/weight"],
            v[f"{source}/ffn/{name}/bias"],
        )
    _norm(state, v, f"{source}/ffn/layer_norm", f"{target}.mlp_ln")


def whisper_state(variables: dict[str, np.ndarray]) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """The openai-whisper dimensions and state dict for CTranslate2 Whisper variables.

    Returns:
        ``(dims, state)``: ``dims`` as ``whisper.model.ModelDimensions`` fields, ``state``
        mapping openai-whisper parameter names to float32 arrays.

    Raises:
        KeyError: a variable that every Whisper model has is missing.
    """
    dims = _dims(variables)
    v = variables
    state: dict[str, np.ndarray] = {}
    for conv in ("conv1", "conv2"):
        state[f"encoder.{conv}.weight"] = v[f"encoder/{conv}/weight"]
        state[f"encoder.{conv}.bias"] = v[f"encoder/{conv}/bias"]
    state["encoder.positional_embedding"] = v["encoder/position_encodings/encodings"]
    for layer in range(dims.n_audio_layer):
        _block(state, v, f"encoder/layer_{layer}", f"encoder.blocks.{layer}", cross=False)
    _norm(state, v, "encoder/layer_norm", "encoder.ln_post")
    state["decoder.token_embedding.weight"] = v["decoder/embeddings/weight"]
    state["decoder.positional_embedding"] = v["decoder/position_encodings/encodings"]
    for layer in range(dims.n_text_layer):
        _block(state, v, f"decoder/layer_{layer}", f"decoder.blocks.{layer}", cross=True)
    _norm(state, v, "decoder/layer_norm", "decoder.ln")
    return dims.__dict__.copy(), state


def alignment_heads(model_dir: str | os.PathLike[str]) -> list[tuple[int, int]]:
    """The (layer, head) pairs used for word timing, from the model's ``config.json``."""
    try:
        config = json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))
        return [(int(layer), int(head)) for layer, head in config.get("alignment_heads", ())]
    except (OSError, ValueError, TypeError):
        return []


def checkpoint_cache_dir() -> Path:
    """Where converted checkpoints are kept: ``<user cache>/lectern/openai-whisper``."""
    import platformdirs

    base = os.environ.get("LECTERN_CACHE_DIR") or platformdirs.user_cache_dir("lectern", False)
    return Path(base) / "openai-whisper"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_checkpoint(
    model_dir: str | os.PathLike[str], *, sha256: str | None = None, cache_dir: Path | None = None
) -> Path:
    """An openai-whisper checkpoint of the CTranslate2 model in ``model_dir``, made once.

    The checkpoint is named after the SHA-256 of ``model.bin`` (pass ``sha256`` when it
    is known already), so a changed model gets a new checkpoint; it is written to a
    temp file and renamed, so an interrupted conversion leaves nothing half-written.

    Raises:
        CheckpointError: the model cannot be read or converted.
    """
    import torch

    model_dir = Path(model_dir)
    model_bin = model_dir / "model.bin"
    if not model_bin.is_file():
        raise CheckpointError(model_dir, "there is no model.bin")
    digest = sha256 or _file_sha256(model_bin)
    folder = cache_dir or checkpoint_cache_dir()
    target = folder / f"{digest[:24]}-v{_CONVERSION_VERSION}.pt"
    if target.is_file():
        return target
    try:
        dims, state = whisper_state(read_ctranslate2(model_bin))
    except KeyError as error:
        raise CheckpointError(model_dir, f"the variable {error} is missing") from error
    checkpoint = {
        "dims": dims,
        "model_state_dict": {
            name: torch.from_numpy(np.ascontiguousarray(a)) for name, a in state.items()
        },
    }
    with atomic_path(target) as tmp, open(tmp, "wb") as handle:
        torch.save(checkpoint, handle)
    return target
