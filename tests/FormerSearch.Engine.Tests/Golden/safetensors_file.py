"""The safetensors format, written by hand (Debian has no safetensors package): an 8-byte
little-endian header length, a JSON header naming each tensor's dtype, shape and byte range, padded
with spaces to 8 bytes, then the raw little-endian data. Shared by the make_*.py golden scripts."""
import json
import struct

import numpy as np


def save_raw(path, entries, metadata=None):
    """entries: name -> (dtype such as "F32", shape, raw bytes), written in the given order."""
    header, offset = {}, 0
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in entries.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for _, _, raw in entries.values():
            f.write(raw)


def save_f32(path, tensors):
    """tensors: name -> torch tensor or numpy array, stored as float32 in name order."""
    entries = {}
    for name in sorted(tensors):
        t = tensors[name]
        a = t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)
        a = np.array(a, dtype="<f4", order="C")  # (ascontiguousarray would turn 0-d into [1])
        entries[name] = ("F32", a.shape, a.tobytes())
    save_raw(path, entries)
