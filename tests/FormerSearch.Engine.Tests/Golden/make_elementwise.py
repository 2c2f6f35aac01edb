"""Golden vectors for the elementwise/activation/softmax/loss ops (tests/.../Ops/*Tests.cs).

Run once with Debian's python3-torch:  /usr/bin/python3 make_elementwise.py
Writes elementwise.safetensors beside this script. All tensors are float32 in our layout
(these ops have no NCHW tensors, so nothing is permuted); integer targets are stored as float32.
"""
import math
import os

import torch
import torch.nn.functional as F

from safetensors_file import save_f32  # beside this script

torch.manual_seed(20261122)
out = {}


def put(name, t):
    out[name] = t.detach().to(torch.float32).contiguous()


def with_grad(t):
    return t.clone().detach().requires_grad_(True)


# --- erf (float64 reference) and GELU (large |x|, around 0, random) ---
xs = torch.cat([
    torch.linspace(-10, 10, 401),
    torch.tensor([0.0, -0.0, 1e-30, -1e-30, 1e-7, -1e-7, 1e-4, -1e-4, 0.84375, 1.25, 2.857142, 6.0, -6.0, 12.0, -12.0, 40.0, -40.0]),
    torch.logspace(-8, 1, 200),
    -torch.logspace(-8, 1, 200),
    torch.randn(300) * 3,
]).to(torch.float32)
put("erf.x", xs)
put("erf.y", torch.erf(xs.double()))
x = with_grad(xs)
y = F.gelu(x)
g = torch.randn_like(y)
y.backward(g)
put("gelu.x", xs)
put("gelu.y", y)
put("gelu.g", g)
put("gelu.dx", x.grad)

# --- other activations ---
for name, fn in [("silu", F.silu), ("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("relu6", F.relu6)]:
    v = (torch.randn(257) * 4).to(torch.float32)
    x = with_grad(v)
    y = fn(x)
    g = torch.randn_like(y)
    y.backward(g)
    put(f"{name}.x", v)
    put(f"{name}.y", y)
    put(f"{name}.g", g)
    put(f"{name}.dx", x.grad)

# --- softmax / log_softmax over the last axis (wide range, one row with huge values) ---
v = torch.randn(7, 37) * 5
v[3] += 1000.0
for name, fn in [("softmax", lambda t: F.softmax(t, dim=-1)), ("log_softmax", lambda t: F.log_softmax(t, dim=-1))]:
    x = with_grad(v)
    y = fn(x)
    g = torch.randn_like(y)
    y.backward(g)
    put(f"{name}.x", v)
    put(f"{name}.y", y)
    put(f"{name}.g", g)
    put(f"{name}.dx", x.grad)

# --- cross-entropy, with and without label smoothing, and with an ignored target ---
logits = torch.randn(9, 13) * 3
targets = torch.randint(0, 13, (9,))
for tag, eps in [("ce", 0.0), ("ce_ls", 0.1)]:
    x = with_grad(logits)
    loss = F.cross_entropy(x, targets, label_smoothing=eps)
    loss.backward()
    put(f"{tag}.logits", logits)
    put(f"{tag}.targets", targets.float())
    put(f"{tag}.loss", loss.reshape(()))
    put(f"{tag}.dlogits", x.grad)
t_ign = targets.clone()
t_ign[2] = -100
t_ign[5] = -100
x = with_grad(logits)
loss = F.cross_entropy(x, t_ign, label_smoothing=0.2)
loss.backward()
put("ce_ignore.logits", logits)
put("ce_ignore.targets", t_ign.float())
put("ce_ignore.loss", loss.reshape(()))
put("ce_ignore.dlogits", x.grad)

# --- soft-target cross-entropy (timm) ---
logits = torch.randn(6, 10) * 2
soft = F.softmax(torch.randn(6, 10), dim=-1)
x = with_grad(logits)
t = with_grad(soft)
loss = torch.sum(-t * F.log_softmax(x, dim=-1), dim=-1).mean()
loss.backward()
put("soft_ce.logits", logits)
put("soft_ce.targets", soft)
put("soft_ce.loss", loss.reshape(()))
put("soft_ce.dlogits", x.grad)
put("soft_ce.dtargets", t.grad)

# --- GLU along the last dim ---
v = torch.randn(3, 5, 14)
x = with_grad(v)
y = F.glu(x, dim=-1)
g = torch.randn_like(y)
y.backward(g)
put("glu.x", v)
put("glu.y", y)
put("glu.g", g)
put("glu.dx", x.grad)

# --- broadcast add / mul ([B,N,C] with [1,N,C] and with [C]), forward and backward ---
a0 = torch.randn(4, 6, 5)
b0 = torch.randn(1, 6, 5)
c0 = torch.randn(5)
a, b, c = with_grad(a0), with_grad(b0), with_grad(c0)
y = (a + b) * c
g = torch.randn_like(y)
y.backward(g)
put("bcast.a", a0)
put("bcast.b", b0)
put("bcast.c", c0)
put("bcast.y", y)
put("bcast.g", g)
put("bcast.da", a.grad)
put("bcast.db", b.grad)
put("bcast.dc", c.grad)


path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "elementwise.safetensors")
save_f32(path, out)
print(f"wrote {path}: {len(out)} tensors, {os.path.getsize(path)} bytes")
