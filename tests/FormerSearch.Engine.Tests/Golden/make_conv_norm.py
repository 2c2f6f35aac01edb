#!/usr/bin/python3
"""Golden vectors for the norm, convolution and pooling ops (run with Debian's python3-torch):

    /usr/bin/python3 make_conv_norm.py      # writes conv_norm.safetensors next to this script

Everything is computed in float64 from float32 inputs and stored as float32 in OUR layout:
activations channels-last (NCHW -> NHWC, [B, C, N] -> [B, N, C]), conv weights OHWI
([out, in/groups, kh, kw] -> [out, kh, kw, in/groups]), depthwise weights [C, kh, kw] / [C, k].
Each case stores its inputs, a random upstream gradient `gy`, the output `y` and the gradients.
"""
import os

import torch
import torch.nn.functional as F

from safetensors_file import save_f32  # beside this script

torch.manual_seed(0)
tensors = {}


def put(name, t):
    tensors[name] = t.detach().to(torch.float32).contiguous()


def rand(*shape, scale=1.0, shift=0.0):
    # Drawn in float32 (what the C# side reads), computed in float64.
    return (torch.rand(*shape, dtype=torch.float32) * 2 - 1).mul(scale).add(shift).double().requires_grad_(True)


def nhwc(t):
    return t.permute(0, 2, 3, 1)


def ohwi(w):
    return w.permute(0, 2, 3, 1)


def backward(y, *inputs):
    gy = torch.rand(y.shape, dtype=torch.float32).mul(2).sub(1).double()
    y.backward(gy)
    return gy


# LayerNorm over C, on a channels-last map and on tokens.
for name, shape in (("ln2d", (2, 3, 4, 24)), ("ln_tokens", (2, 7, 40))):
    x = rand(*shape, scale=2.0, shift=0.5)
    c = shape[-1]
    w, b = rand(c), rand(c)
    y = F.layer_norm(x, (c,), w, b, 1e-5)
    gy = backward(y)
    for k, v in (("x", x), ("w", w), ("b", b), ("y", y), ("gy", gy), ("gx", x.grad), ("gw", w.grad), ("gb", b.grad)):
        put(f"{name}.{k}", v)

# GroupNorm(1, C) on NCHW, stored NHWC.
x = rand(2, 24, 3, 4, scale=2.0, shift=0.5)
w, b = rand(24), rand(24)
y = F.group_norm(x, 1, w, b, 1e-5)
gy = backward(y)
for k, v in (("x", nhwc(x)), ("w", w), ("b", b), ("y", nhwc(y)), ("gy", nhwc(gy)), ("gx", nhwc(x.grad)), ("gw", w.grad), ("gb", b.grad)):
    put(f"gn1.{k}", v)

# BatchNorm2d in training (batch statistics, running-stat update) and in evaluation.
for training in (True, False):
    name = "bn_train" if training else "bn_eval"
    x = rand(3, 16, 4, 3, scale=2.0, shift=0.3)
    w, b = rand(16), rand(16)
    rm = torch.rand(16, dtype=torch.float32).double() * 0.2
    rv = torch.rand(16, dtype=torch.float32).double() + 0.5
    put(f"{name}.running_mean", rm)
    put(f"{name}.running_var", rv)
    y = F.batch_norm(x, rm, rv, w, b, training=training, momentum=0.1, eps=1e-5)
    gy = backward(y)
    for k, v in (("x", nhwc(x)), ("w", w), ("b", b), ("y", nhwc(y)), ("gy", nhwc(gy)), ("gx", nhwc(x.grad)), ("gw", w.grad), ("gb", b.grad),
                 ("new_running_mean", rm), ("new_running_var", rv)):
        put(f"{name}.{k}", v)

# Conv2d: (name, B, Cin, H, W, Cout, k, stride, padding, groups).
for name, B, cin, h, wd, cout, k, s, p, g in (
    ("conv_k3s2p1", 2, 5, 7, 8, 8, 3, 2, 1, 1),
    ("conv_k7s4p2", 1, 3, 17, 15, 16, 7, 4, 2, 1),   # ViT-style stem
    ("conv_g2", 2, 6, 7, 6, 8, 3, 1, 1, 2),
    ("conv_1x1", 2, 12, 5, 4, 10, 1, 1, 0, 1),
):
    x = rand(B, cin, h, wd)
    w = rand(cout, cin // g, k, k, scale=0.5)
    b = rand(cout)
    y = F.conv2d(x, w, b, stride=s, padding=p, groups=g)
    gy = backward(y)
    for kk, v in (("x", nhwc(x)), ("w", ohwi(w)), ("b", b), ("y", nhwc(y)), ("gy", nhwc(gy)), ("gx", nhwc(x.grad)), ("gw", ohwi(w.grad)), ("gb", b.grad)):
        put(f"{name}.{kk}", v)

# Depthwise Conv2d: weight [C, 1, k, k] stored [C, k, k].
for name, B, c, h, wd, k, s, p in (("dw3x3", 2, 19, 5, 6, 3, 1, 1), ("dw7x7", 1, 18, 7, 8, 7, 1, 3), ("dw3x3s2", 1, 17, 7, 6, 3, 2, 1)):
    x = rand(B, c, h, wd)
    w = rand(c, 1, k, k, scale=0.5)
    b = rand(c)
    y = F.conv2d(x, w, b, stride=s, padding=p, groups=c)
    gy = backward(y)
    for kk, v in (("x", nhwc(x)), ("w", w[:, 0]), ("b", b), ("y", nhwc(y)), ("gy", nhwc(gy)), ("gx", nhwc(x.grad)), ("gw", w.grad[:, 0]), ("gb", b.grad)):
        put(f"{name}.{kk}", v)

# Depthwise Conv1d along tokens: x [B, C, N] stored [B, N, C]; weight [C, 1, k] stored [C, k].
for name, B, c, n, k in (("dw1d_k17", 2, 12, 20, 17), ("dw1d_k45", 1, 8, 50, 45)):
    x = rand(B, c, n)
    w = rand(c, 1, k, scale=0.3)
    b = rand(c)
    y = F.conv1d(x, w, b, padding=k // 2, groups=c)
    gy = backward(y)
    for kk, v in (("x", x.permute(0, 2, 1)), ("w", w[:, 0]), ("b", b), ("y", y.permute(0, 2, 1)), ("gy", gy.permute(0, 2, 1)),
                  ("gx", x.grad.permute(0, 2, 1)), ("gw", w.grad[:, 0]), ("gb", b.grad)):
        put(f"{name}.{kk}", v)

# Average pooling: PoolFormer's (3x3, s1, p1, count_include_pad=False) and a general one.
for name, k, s, p, include in (("avgpool3x3", 3, 1, 1, False), ("avgpool_k3s2p1_incl", 3, 2, 1, True)):
    x = rand(2, 9, 5, 6)
    y = F.avg_pool2d(x, k, stride=s, padding=p, count_include_pad=include)
    gy = backward(y)
    for kk, v in (("x", nhwc(x)), ("y", nhwc(y)), ("gy", nhwc(gy)), ("gx", nhwc(x.grad))):
        put(f"{name}.{kk}", v)


out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv_norm.safetensors")
save_f32(out, tensors)
print(f"wrote {out}: {len(tensors)} tensors, {os.path.getsize(out)} bytes")
