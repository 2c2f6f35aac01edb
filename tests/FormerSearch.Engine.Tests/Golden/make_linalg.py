"""Golden vectors for Linear and MatMul (tests/.../Ops/LinearAlgebraGoldenTests.cs).

Run once with Debian's python3-torch:  /usr/bin/python3 make_linalg.py
Writes linalg.safetensors beside this script: inputs, outputs and the gradients for a given
output gradient, all float32 (computed in float64, then rounded).
"""
import os

import torch
import torch.nn.functional as F

from safetensors_file import save_f32  # beside this script

torch.manual_seed(7)
out = {}


def put(name, t):
    out[name] = t.detach().to(torch.float32).contiguous()


def leaf(*shape):
    return torch.randn(*shape, dtype=torch.float64).requires_grad_(True)


# Linear on [B, N, C] tokens with bias, and on an entangled sub-block of a larger weight.
x, w, b = leaf(2, 5, 12), leaf(7, 12), leaf(7)
y = F.linear(x, w, b)
g = torch.randn_like(y)
y.backward(g)
for n, t in [("x", x), ("w", w), ("b", b), ("y", y), ("gy", g), ("gx", x.grad), ("gw", w.grad), ("gb", b.grad)]:
    put("linear." + n, t)

big = leaf(10, 16)
sub_x = leaf(3, 9)
y = F.linear(sub_x, big[:6, :9])
g = torch.randn_like(y)
y.backward(g)
for n, t in [("w_big", big), ("x", sub_x), ("y", y), ("gy", g), ("gw_big", big.grad), ("gx", sub_x.grad)]:
    put("linear_block." + n, t)

# Attention scores and weighted sum: q·kᵀ / √d then softmax·v, [B, heads, N, d].
q, k, v = leaf(2, 3, 6, 4), leaf(2, 3, 6, 4), leaf(2, 3, 6, 4)
s = q @ k.transpose(-2, -1)
o = s @ v
g = torch.randn_like(o)
o.backward(g)
for n, t in [("q", q), ("k", k), ("v", v), ("o", o), ("go", g), ("gq", q.grad), ("gk", k.grad), ("gv", v.grad)]:
    put("attention." + n, t)


save_f32(os.path.join(os.path.dirname(os.path.abspath(__file__)), "linalg.safetensors"), out)
