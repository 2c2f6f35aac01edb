#!/usr/bin/python3
"""Golden vectors for the optimisers, gradient clipping and StepLR (tests/.../Optim).

Run with Debian's python3-torch:  /usr/bin/python3 make_optim.py
Writes optim.safetensors beside this script (float32; the safetensors writer is below, since the
safetensors Python package is not installed). All tensors here are already in our layout.
"""
import os

import numpy as np
import torch

from safetensors_file import save_f32  # beside this script

torch.set_default_dtype(torch.float32)
torch.manual_seed(0)

SHAPES = {"w": [5, 7], "b": [7], "k": [3, 4, 2]}
STEPS = 5
out = {}


init = {n: torch.randn(s) for n, s in SHAPES.items()}
grads = [{n: torch.randn(s) for n, s in SHAPES.items()} for _ in range(STEPS)]
for n, t in init.items():
    out[f"init.{n}"] = t
for k, g in enumerate(grads):
    for n, t in g.items():
        out[f"grad.{k}.{n}"] = t


def run(tag, make_opt, lr_at=None):
    params = {n: torch.nn.Parameter(t.clone()) for n, t in init.items()}
    opt = make_opt(params)
    for k in range(STEPS):
        if lr_at is not None:
            for gi, group in enumerate(opt.param_groups):
                group["lr"] = lr_at(k, gi)
        for n, p in params.items():
            p.grad = grads[k][n].clone()
        opt.step()
        for n, p in params.items():
            out[f"{tag}.{k}.{n}"] = p.detach().clone()


def plist(params):
    return [params["w"], params["b"], params["k"]]


run("sgd_momentum", lambda p: torch.optim.SGD(plist(p), lr=0.1, momentum=0.9, weight_decay=1e-4))
run("sgd_nesterov", lambda p: torch.optim.SGD(plist(p), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4))
run("sgd_dampening", lambda p: torch.optim.SGD(plist(p), lr=0.05, momentum=0.9, dampening=0.3))
run("sgd_plain", lambda p: torch.optim.SGD(plist(p), lr=0.1, weight_decay=0.01))
run("adamw", lambda p: torch.optim.AdamW(plist(p), lr=1e-2, weight_decay=0.05))
run("adamw_defaults", lambda p: torch.optim.AdamW(plist(p)))
# Two groups with their own weight decay, betas and eps, and a learning rate changed every step.
run("adamw_groups",
    lambda p: torch.optim.AdamW([
        {"params": [p["w"], p["k"]], "weight_decay": 0.05},
        {"params": [p["b"]], "weight_decay": 0.0, "betas": (0.8, 0.99), "eps": 1e-6},
    ], lr=1e-2, weight_decay=0.05),
    lr_at=lambda k, gi: 1e-2 * (0.5 ** k) * (1.0 if gi == 0 else 2.0))

# clip_grad_norm_ over the three gradients of step 0, for several norms and limits.
for tag, max_norm, norm_type in [("l2", 1.0, 2.0), ("l1", 2.0, 1.0), ("l3", 0.5, 3.0), ("inf", 0.7, float("inf")), ("noclip", 1e6, 2.0)]:
    params = {n: torch.nn.Parameter(t.clone()) for n, t in init.items()}
    for n, p in params.items():
        p.grad = grads[0][n].clone() * 3
    total = torch.nn.utils.clip_grad_norm_(plist(params), max_norm, norm_type)
    out[f"clip_{tag}.total"] = total.reshape(1)
    for n, p in params.items():
        out[f"clip_{tag}.{n}"] = p.grad.clone()

# StepLR(step_size=3, gamma=0.5) from lr 0.1 over 12 epochs: lr used at each epoch.
p = torch.nn.Parameter(torch.zeros(1))
opt = torch.optim.SGD([p], lr=0.1)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
lrs = []
for epoch in range(12):
    lrs.append(opt.param_groups[0]["lr"])
    opt.step()
    sched.step()
out["steplr"] = torch.tensor(lrs, dtype=torch.float64).float()

save_f32(os.path.join(os.path.dirname(os.path.abspath(__file__)), "optim.safetensors"), out)
print(f"wrote {len(out)} tensors")
