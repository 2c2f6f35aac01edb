#!/usr/bin/python3
"""Fixture files for the IO tests (tests/.../IO): .npy files written by numpy itself, and
safetensors files with F16, BF16 and I64 tensors written by hand (no safetensors package here).

Run:  /usr/bin/python3 make_io.py   (writes into io/ beside this script)
Values are simple formulas the C# tests recompute: arange(n) / 7 for floats, arange(n) for ints.
"""
import os

import numpy as np

from safetensors_file import save_raw  # beside this script


here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "io")
os.makedirs(here, exist_ok=True)


def path(name):
    return os.path.join(here, name)


ramp = np.arange(24).reshape(2, 3, 4)
np.save(path("f4.npy"), (ramp / 7).astype("<f4"))
np.save(path("f8.npy"), (ramp / 7).astype("<f8"))
np.save(path("u1.npy"), (np.arange(15).reshape(3, 5) * 17 % 256).astype("|u1"))
np.save(path("i8.npy"), np.array([3, 0, 9, -1, 2**40, 7, 1], dtype="<i8"))
np.save(path("i4.npy"), np.array([[1, -2], [3, 2**31 - 1]], dtype="<i4"))
np.save(path("scalar.npy"), np.array(2.5, dtype="<f4"))
np.save(path("empty.npy"), np.zeros((0, 3), dtype="<f4"))
np.save(path("fortran.npy"), np.asfortranarray((ramp[0] / 7).astype("<f4")))
np.save(path("big_endian.npy"), (ramp / 7).astype(">f4"))
with open(path("v2.npy"), "wb") as f:
    np.lib.format.write_array(f, (ramp / 7).astype("<f4"), version=(2, 0))


f16 = np.array([0.5, -1.25, 3.0, 65504.0, 2.0**-24, 0.0], dtype="<f2")
# bfloat16 = the top 16 bits of a float32; these values are exact in bfloat16.
bf = np.array([1.0, -2.5, 3.140625, 1e30, -0.0078125, 256.0], dtype="<f4")
bf16 = (bf.view("<u4") >> 16).astype("<u2")
i64 = np.array([0, 1, -5, 123456], dtype="<i8")
f32 = (np.arange(6).reshape(2, 3) / 7).astype("<f4")
save_raw(path("dtypes.safetensors"), {
    "half": ("F16", [2, 3], f16.tobytes()),
    "brain": ("BF16", [3, 2], bf16.tobytes()),
    "num_batches_tracked": ("I64", [4], i64.tobytes()),
    "single": ("F32", [2, 3], f32.tobytes()),
}, metadata={"format": "pt", "source": "make_io.py"})
save_raw(path("unsupported.safetensors"), {"x": ("F64", [2], np.array([1.0, 2.0], dtype="<f8").tobytes())})
print("wrote", sorted(os.listdir(here)))
