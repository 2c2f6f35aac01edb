#!/usr/bin/python3
"""Golden values of in-place distillation's loss (BigNAS / OFA "KD" loss at temperature 1) for FormerSearch's
InPlaceDistillation.

    /usr/bin/python3 make_distillation.py   # writes distillation.safetensors here

A student's logits s [B, K] learn from a teacher's logits t on the same images: the soft-target cross-entropy
mean_b sum_k -softmax(t.detach())_bk * log_softmax(s)_bk, in float64. The script asserts that it equals
KL(softmax(t) || softmax(s)) (torch's kl_div, batchmean) plus the teacher's entropy, and that the teacher gets no gradient.
  s, t      logits [4, 7] (one row with a large spread, one with equal teacher logits);
  loss      the loss, shape [1];
  gs        its gradient with respect to s.
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "FormerSearch.Engine.Tests", "Golden"))
from safetensors_file import save_f32  # the engine tests' writer

torch.manual_seed(14)
s = (torch.randn(4, 7, dtype=torch.float64) * 2).requires_grad_()
t = (torch.randn(4, 7, dtype=torch.float64) * 3)
with torch.no_grad():
    s[1] *= 10      # a confident student row
    t[2] = 0.5      # a teacher with no preference: uniform targets
t.requires_grad_()

p = F.softmax(t.detach(), dim=-1)
loss = (-(p * F.log_softmax(s, dim=-1)).sum(-1)).mean()
loss.backward()

entropy = (-(p * p.log()).sum(-1)).mean()
kl = F.kl_div(F.log_softmax(s, dim=-1), p, reduction="batchmean")
assert torch.allclose(loss, kl + entropy), (loss.item(), (kl + entropy).item())
assert t.grad is None

save_f32(os.path.join(os.path.dirname(os.path.abspath(__file__)), "distillation.safetensors"),
         {"s": s.detach(), "t": t.detach(), "loss": loss.detach().reshape(1), "gs": s.grad})
print("loss", loss.item())
