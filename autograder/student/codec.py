"""Plain data across the sandbox boundary: JSON with base64 arrays, never pickle.

Both sides use this module. What it accepts: None, booleans, numbers (non-finite floats
as markers), strings, lists, tuples, dicts with string keys, and arrays of an allowlisted
dtype. Decoding treats its input as hostile: markers are checked field by field, arrays
must hold exactly the bytes their shape says, and nesting is bounded, so a malformed or
adversarial message is a :class:`BoundaryError`, never a crash of the reader.
"""

from __future__ import annotations

import base64
import hashlib
import math
import sys

import numpy as np

MIME = "application/vnd.gdgrade.result+json"
DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64",
}  # fmt: skip
MAX_DEPTH = 32  # deeper nesting than any probe's data is an attack or a mistake
MAX_DIMENSIONS = 8


class BoundaryError(ValueError):
    """A value that cannot cross the boundary, or a malformed message."""


def is_tensor(value) -> bool:
    """A torch tensor (checked by type, so proxies that answer any attribute are not one)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.Tensor)


def _encode_array(array: np.ndarray) -> dict:
    if array.dtype.name not in DTYPES:
        raise BoundaryError(f"arrays of dtype {array.dtype} cannot be sent")
    data = np.ascontiguousarray(array)
    return {"__ndarray__": base64.b64encode(data.tobytes()).decode(), "dtype": data.dtype.name,
            "shape": list(data.shape)}  # fmt: skip


def encode(value, keep=None, depth: int = 0):
    """Plain data as JSON-able structures; ``keep(obj) -> marker`` handles anything else."""
    if depth > MAX_DEPTH:
        raise BoundaryError("the value is nested too deeply to send")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else {"__float__": repr(float(value))}
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return _encode_array(value)
    if is_tensor(value):
        return _encode_array(value.detach().cpu().numpy())
    if isinstance(value, list):
        return [encode(item, keep, depth + 1) for item in value]
    if isinstance(value, tuple):
        return {"__tuple__": [encode(item, keep, depth + 1) for item in value]}
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {"__dict__": {key: encode(item, keep, depth + 1) for key, item in value.items()}}
    if keep is not None:
        return keep(value)
    raise BoundaryError(f"a {type(value).__name__} cannot be sent across the sandbox boundary")


def _decode_array(marker: dict) -> np.ndarray:
    dtype, shape, data = marker.get("dtype"), marker.get("shape"), marker.get("__ndarray__")
    if dtype not in DTYPES:
        raise BoundaryError(f"refusing array dtype {dtype!r}")
    if not isinstance(data, str) or not isinstance(shape, list) or len(shape) > MAX_DIMENSIONS:
        raise BoundaryError("malformed array")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape):
        raise BoundaryError("malformed array shape")
    try:
        raw = base64.b64decode(data, validate=True)
    except ValueError:
        raise BoundaryError("malformed array data") from None
    if len(raw) != math.prod(shape) * np.dtype(dtype).itemsize:
        raise BoundaryError(f"array data does not fit shape {tuple(shape)}")
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _decode_float(marker: dict) -> float:
    text = marker.get("__float__")
    if text not in ("nan", "inf", "-inf"):
        raise BoundaryError(f"malformed float marker {text!r}")
    return float(text)


def decode(value, resolve=None, depth: int = 0):
    """The inverse of :func:`encode`; ``resolve(marker)`` turns other markers into objects."""
    if depth > MAX_DEPTH:
        raise BoundaryError("the value is nested too deeply")
    if isinstance(value, list):
        return [decode(item, resolve, depth + 1) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if not isinstance(value, dict):
        raise BoundaryError(f"unexpected {type(value).__name__} in a message")
    if "__ndarray__" in value:
        return _decode_array(value)
    if "__float__" in value:
        return _decode_float(value)
    if "__tuple__" in value and isinstance(value["__tuple__"], list):
        return tuple(decode(item, resolve, depth + 1) for item in value["__tuple__"])
    if "__dict__" in value and isinstance(value["__dict__"], dict):
        return {str(key): decode(item, resolve, depth + 1) for key, item in value["__dict__"].items()}
    if resolve is not None:
        return resolve(value)
    raise BoundaryError(f"unexpected marker {sorted(value)[:3]}")


def digest(array) -> str:
    """A short fingerprint of an array's dtype, shape and bytes (as float64 when it is a float)."""
    array = np.ascontiguousarray(array)
    hasher = hashlib.blake2b(digest_size=8)
    hasher.update(f"{array.dtype.str}{array.shape}".encode())
    hasher.update(array.tobytes())
    return hasher.hexdigest()


def clean_text(text, limit: int = 2000) -> str:
    """Untrusted text made safe to store and show: a string, no lone surrogates, no control
    characters but newlines and tabs, at most ``limit`` characters."""
    text = (text if isinstance(text, str) else str(text))[: limit + 1]
    text = text.encode("utf-8", "replace").decode("utf-8", "replace")
    text = "".join(c if c in "\n\t" or (c >= " " and c != "\x7f") else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
