"""A minimal PNG decoder (numpy + zlib) for the frames the server renders.

Supports what an rgb_array frame needs: bit depth 8, colour types 2 (RGB), 6 (RGBA, alpha dropped) and 0
(grey, expanded), no interlacing -- enough for any PNG encoder's output of an RGB frame, without adding
Pillow as a dependency. Filters follow the PNG specification (W3C PNG 2nd ed., section 9): None, Sub and Up
are vectorised; Average and Paeth depend on the reconstructed left neighbour, so they run byte by byte.
If Pillow happens to be installed it is used instead (it is much faster on Average/Paeth rows).
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {0: 1, 2: 3, 6: 4}

try:  # pragma: no cover - depends on the environment
    import io

    from PIL import Image as _PilImage
except ImportError:  # pragma: no cover
    _PilImage = None


def decode_png(data: bytes, use_pillow: bool = True) -> np.ndarray:
    """Decodes a PNG into a uint8 array of shape (height, width, 3)."""
    if use_pillow and _PilImage is not None:
        with _PilImage.open(io.BytesIO(data)) as image:
            return np.asarray(image.convert("RGB"), dtype=np.uint8)
    return _decode(data)


def _decode(data: bytes) -> np.ndarray:
    if not data.startswith(_SIGNATURE):
        raise ValueError("not a PNG file (bad signature)")
    pos = len(_SIGNATURE)
    header = None
    idat = []
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length  # length, type, body, CRC
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG has no IHDR chunk")
    width, height, depth, colour, _compression, _filter, interlace = header
    if depth != 8 or colour not in _CHANNELS or interlace != 0:
        raise ValueError(
            f"unsupported PNG (bit depth {depth}, colour type {colour}, interlace {interlace}); the built-in "
            "decoder reads 8-bit grey/RGB/RGBA non-interlaced images -- install Pillow for other kinds"
        )
    bpp = _CHANNELS[colour]
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    if raw.size != height * (stride + 1):
        raise ValueError(f"PNG image data has {raw.size} bytes, expected {height * (stride + 1)}")
    rows = raw.reshape(height, stride + 1)
    pixels = np.empty((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind = rows[y, 0]
        line = rows[y, 1:]
        if kind == 0:
            current = line
        elif kind == 1:  # Sub: running sum along each channel, modulo 256
            current = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint8).reshape(stride)
        elif kind == 2:  # Up
            current = line + previous
        elif kind == 3:
            current = _average(line, previous, bpp)
        elif kind == 4:
            current = _paeth(line, previous, bpp)
        else:
            raise ValueError(f"PNG row {y} has unknown filter type {kind}")
        pixels[y] = current
        previous = pixels[y]
    image = pixels.reshape(height, width, bpp)
    if bpp == 1:
        return np.repeat(image, 3, axis=2)
    return np.ascontiguousarray(image[:, :, :3])


def _average(line: np.ndarray, previous: np.ndarray, bpp: int) -> np.ndarray:
    out = bytearray(line.tobytes())
    up = previous.tobytes()
    for i in range(bpp):
        out[i] = (out[i] + (up[i] >> 1)) & 0xFF
    for i in range(bpp, len(out)):
        out[i] = (out[i] + ((out[i - bpp] + up[i]) >> 1)) & 0xFF
    return np.frombuffer(bytes(out), dtype=np.uint8)


def _paeth(line: np.ndarray, previous: np.ndarray, bpp: int) -> np.ndarray:
    out = bytearray(line.tobytes())
    up = previous.tobytes()
    for i in range(bpp):  # no left neighbour: the predictor is the byte above
        out[i] = (out[i] + up[i]) & 0xFF
    for i in range(bpp, len(out)):
        a = out[i - bpp]
        b = up[i]
        c = up[i - bpp]
        p = a + b - c
        pa = p - a if p > a else a - p
        pb = p - b if p > b else b - p
        pc = p - c if p > c else c - p
        if pa <= pb and pa <= pc:
            predictor = a
        elif pb <= pc:
            predictor = b
        else:
            predictor = c
        out[i] = (out[i] + predictor) & 0xFF
    return np.frombuffer(bytes(out), dtype=np.uint8)
