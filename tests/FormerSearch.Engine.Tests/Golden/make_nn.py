#!/usr/bin/python3
"""Golden vectors for the layer modules of FormerSearch.Engine.Nn (run with Debian's python3-torch):

    /usr/bin/python3 make_nn.py      # writes nn.safetensors next to this script

Each case builds a torch.nn module with random parameters (and random BatchNorm statistics), runs
it in float64 on float32 inputs and stores, under the case's name:
  CASE.state.KEY   the module's state_dict() exactly as torch exports it (conv weights OIHW,
                   num_batches_tracked as I64): the C# test loads these through
                   LoadStateDict(pytorchLayout: true), which is what tests the layout conversion;
  CASE.x, .gy      input and upstream gradient, in OUR layout (NCHW -> NHWC, [B, C, N] -> [B, N, C]);
  CASE.y, .gx      output and input gradient, in our layout;
  CASE.grad.KEY    parameter gradients in torch's layout (compared after converting ours);
  CASE.after.KEY   (BatchNorm in training) the buffers after the forward.
"""
import os

import numpy as np
import torch
import torch.nn as nn

from safetensors_file import save_raw  # beside this script

torch.manual_seed(0)
entries = {}


def put(name, t):
    """Stores t as in a torch checkpoint: F32, or I64 for integer tensors (num_batches_tracked)."""
    t = t.detach().cpu()
    if t.dtype == torch.int64:
        a = np.array(t.numpy(), dtype="<i8", order="C")
        entries[name] = ("I64", a.shape, a.tobytes())
    else:
        a = np.array(t.to(torch.float32).numpy(), dtype="<f4", order="C")  # (ascontiguousarray would turn 0-d into [1])
        entries[name] = ("F32", a.shape, a.tobytes())


def rand(*shape, scale=1.0, shift=0.0):
    # Drawn in float32 (what the C# side reads), computed in float64.
    return (torch.rand(*shape, dtype=torch.float32) * 2 - 1).mul(scale).add(shift).double()


def randomise(module):
    """Random float32-representable parameters and buffers, so defaults (ones/zeros) hide nothing."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            p.copy_(rand(*p.shape, scale=0.5))
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(rand(*b.shape, scale=0.2))
            elif name.endswith("running_var"):
                b.copy_(torch.rand(*b.shape, dtype=torch.float32).double() + 0.5)
            elif name.endswith("num_batches_tracked"):
                b.fill_(3)


def nhwc(t):
    return t.permute(0, 2, 3, 1)


def run(name, module, x_torch, to_ours, training=True):
    """x_torch: the input in torch's layout; to_ours maps an activation to our layout."""
    randomise(module)
    module.train(training)
    for k, v in module.state_dict().items():
        put(f"{name}.state.{k}", v)
    module.double()
    x = x_torch.clone().requires_grad_(True)
    y = module(x)
    gy = torch.rand(y.shape, dtype=torch.float32).mul(2).sub(1).double()
    y.backward(gy)
    put(f"{name}.x", to_ours(x))
    put(f"{name}.y", to_ours(y))
    put(f"{name}.gy", to_ours(gy))
    put(f"{name}.gx", to_ours(x.grad))
    for k, p in module.named_parameters():
        put(f"{name}.grad.{k}", p.grad)
    if training:
        for k, b in module.named_buffers():
            put(f"{name}.after.{k}", b)


same = lambda t: t
tokens = lambda t: t.transpose(1, 2)  # [B, C, N] <-> [B, N, C]

run("ln_tokens", nn.LayerNorm(24), rand(2, 7, 24, scale=2.0, shift=0.5), same)
run("ln2d", nn.LayerNorm(20), rand(2, 3, 5, 20, scale=2.0, shift=0.5), same)  # channels-last map
run("gn1", nn.GroupNorm(1, 24), rand(2, 24, 3, 5, scale=2.0, shift=0.5), nhwc)
run("bn2d_train", nn.BatchNorm2d(16), rand(3, 16, 4, 5, scale=2.0, shift=0.3), nhwc, training=True)
run("bn2d_eval", nn.BatchNorm2d(16), rand(2, 16, 3, 5, scale=2.0, shift=0.3), nhwc, training=False)
run("bn1d_train", nn.BatchNorm1d(12), rand(3, 12, 7, scale=2.0, shift=0.3), tokens, training=True)

# Conv2d cases (in, out, k, stride, padding, groups, input NCHW).
run("conv_k7s4p2", nn.Conv2d(3, 16, 7, stride=4, padding=2), rand(1, 3, 23, 19), nhwc)
run("conv_k3s2p1", nn.Conv2d(8, 12, 3, stride=2, padding=1), rand(1, 8, 9, 10), nhwc)
run("conv_1x1", nn.Conv2d(12, 10, 1), rand(2, 12, 5, 6), nhwc)
run("conv_g4", nn.Conv2d(8, 12, 3, padding=1, groups=4, bias=False), rand(2, 8, 5, 6), nhwc)
run("conv_dw3x3", nn.Conv2d(16, 16, 3, padding=1, groups=16), rand(1, 16, 7, 8), nhwc)
run("conv_k1x3", nn.Conv2d(6, 8, (1, 3), stride=(1, 2), padding=(0, 1)), rand(2, 6, 5, 9), nhwc)


class StarReLU(nn.Module):
    """MetaFormer's StarReLU (metaformer.py): s * relu(x)**2 + b."""

    def __init__(self, scale_value=1.0, bias_value=0.0):
        super().__init__()
        self.relu = nn.ReLU()
        self.scale = nn.Parameter(scale_value * torch.ones(1))
        self.bias = nn.Parameter(bias_value * torch.ones(1))

    def forward(self, x):
        return self.scale * self.relu(x) ** 2 + self.bias


run("star_relu", StarReLU(), rand(2, 5, 13, scale=2.0), same)

# Sequential naming and chaining: conv -> BN (eval) -> ReLU6 -> 1x1 conv.
seq = nn.Sequential(nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU6(), nn.Conv2d(8, 6, 1))
run("seq", seq, rand(2, 4, 5, 6), nhwc, training=False)

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nn.safetensors")
save_raw(out, dict(sorted(entries.items())))
print(f"wrote {out}: {len(entries)} tensors, {os.path.getsize(out)} bytes")
