"""Conversions between the wire types of common.proto and numpy / Gymnasium objects.

The wire format (common.proto): a Tensor is a shape plus one packed payload whose kind is its dtype; a Box
carries shape, dtype and per-element low/high (infinities travel as IEEE specials); a Discrete carries n and
start. These functions are on the step path, so they avoid per-element Python work where they can.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
from gymnasium import spaces

from gymrpc._pb import common_pb2
from gymrpc.errors import ProtocolError

DType = common_pb2.DType

#: proto DType -> (numpy dtype, Tensor payload field)
_DTYPES: dict[int, tuple[np.dtype, str]] = {
    DType.DTYPE_FLOAT32: (np.dtype(np.float32), "floats"),
    DType.DTYPE_FLOAT64: (np.dtype(np.float64), "doubles"),
    DType.DTYPE_INT32: (np.dtype(np.int32), "int32s"),
    DType.DTYPE_INT64: (np.dtype(np.int64), "int64s"),
    DType.DTYPE_UINT8: (np.dtype(np.uint8), "uint8s"),
    DType.DTYPE_BOOL: (np.dtype(np.bool_), "bools"),
}
#: Tensor payload field -> numpy dtype
PAYLOAD_DTYPES: dict[str, np.dtype] = {field: dtype for dtype, field in _DTYPES.values()}
#: numpy dtype -> Tensor payload field
_PAYLOAD_BY_DTYPE: dict[np.dtype, str] = {dtype: field for dtype, field in _DTYPES.values()}


def payload_field(dtype) -> str:
    """The Tensor payload field that carries elements of ``dtype``."""
    try:
        return _PAYLOAD_BY_DTYPE[np.dtype(dtype)]
    except KeyError:
        raise TypeError(
            f"dtype {np.dtype(dtype)} has no gymrpc wire form; use one of "
            f"{', '.join(str(d) for d in _PAYLOAD_BY_DTYPE)}"
        ) from None


# --------------------------------------------------------------------------------------------- tensors


def tensor_to_numpy(tensor: common_pb2.Tensor) -> np.ndarray:
    """Decodes any Tensor to an array of its payload's dtype and its shape."""
    kind = tensor.WhichOneof("payload")
    if kind is None:
        raise ProtocolError("the server sent a tensor without a payload")
    dtype = PAYLOAD_DTYPES[kind]
    if kind == "uint8s":
        array = np.frombuffer(tensor.uint8s, dtype=np.uint8).copy()
    else:
        array = np.array(getattr(tensor, kind).values, dtype=dtype)
    return array.reshape(tuple(tensor.shape))


def numpy_to_tensor(array: Any, dtype=None) -> common_pb2.Tensor:
    """Encodes an array (cast to ``dtype`` when given) as a Tensor."""
    array = np.asarray(array, dtype=dtype)
    field = payload_field(array.dtype)
    tensor = common_pb2.Tensor(shape=array.shape)
    if field == "uint8s":
        tensor.uint8s = array.tobytes()
    else:
        getattr(tensor, field).values.extend(array.ravel().tolist())
    return tensor


# --------------------------------------------------------------------------------------------- spaces


def space_from_proto(space: common_pb2.Space) -> spaces.Space:
    """The Gymnasium space for a wire Space: Discrete(n, start) or Box(low, high, shape, dtype)."""
    kind = space.WhichOneof("kind")
    if kind == "discrete":
        return spaces.Discrete(int(space.discrete.n), start=int(space.discrete.start))
    if kind == "box":
        box = space.box
        if box.dtype not in _DTYPES:
            raise ProtocolError(f"the server sent a Box with unknown dtype {box.dtype}")
        dtype = _DTYPES[box.dtype][0]
        shape = tuple(int(d) for d in box.shape)
        size = int(np.prod(shape, dtype=np.int64))
        low = _bounds(box.low, size, -np.inf, "low")
        high = _bounds(box.high, size, np.inf, "high")
        if np.issubdtype(dtype, np.integer):
            info = np.iinfo(dtype)
            low = np.clip(np.nan_to_num(low, neginf=info.min), info.min, info.max)
            high = np.clip(np.nan_to_num(high, posinf=info.max), info.min, info.max)
        return spaces.Box(
            low=low.astype(dtype).reshape(shape), high=high.astype(dtype).reshape(shape), shape=shape, dtype=dtype
        )
    raise ProtocolError(f"the server sent a space of unknown kind {kind!r}")


def _bounds(values, size: int, default: float, name: str) -> np.ndarray:
    if len(values) == 0:
        return np.full(size, default, dtype=np.float64)
    if len(values) != size:
        raise ProtocolError(f"the server sent a Box with {len(values)} {name} bounds for {size} elements")
    return np.array(values, dtype=np.float64)


# --------------------------------------------------------------------------------------------- values


def to_value(value: Any, name: str = "value") -> common_pb2.Value:
    """Encodes a Python option / info value (bool, int, float, str, numpy array, dict)."""
    if isinstance(value, (bool, np.bool_)):
        return common_pb2.Value(bool_value=bool(value))
    if isinstance(value, (int, np.integer)):
        return common_pb2.Value(int_value=int(value))
    if isinstance(value, (float, np.floating)):
        return common_pb2.Value(float_value=float(value))
    if isinstance(value, str):
        return common_pb2.Value(string_value=value)
    if isinstance(value, (np.ndarray, list, tuple)):
        return common_pb2.Value(tensor_value=numpy_to_tensor(value))
    if isinstance(value, Mapping):
        return common_pb2.Value(map_value=common_pb2.ValueMap(fields=to_value_map(value, name)))
    raise TypeError(
        f"{name}={value!r} ({type(value).__name__}) cannot be sent to the server: use a bool, int, float, str, "
        "numpy array or dict"
    )


def to_value_map(mapping: Mapping[str, Any] | None, what: str = "option") -> dict[str, common_pb2.Value]:
    """Encodes keyword options into a ``map<string, Value>``."""
    if not mapping:
        return {}
    return {str(key): to_value(value, f"{what} {key!r}") for key, value in mapping.items()}


def from_value(value: common_pb2.Value) -> Any:
    """Decodes a Value to bool / int / float / str / numpy array / dict."""
    kind = value.WhichOneof("kind")
    if kind == "tensor_value":
        return tensor_to_numpy(value.tensor_value)
    if kind == "map_value":
        return from_value_map(value.map_value.fields)
    if kind is None:
        return None
    return getattr(value, kind)


def from_value_map(fields) -> dict[str, Any]:
    """Decodes a ``map<string, Value>`` (an info dict)."""
    return {key: from_value(value) for key, value in fields.items()}
