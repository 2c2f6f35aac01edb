#!/usr/bin/env python3
"""The cases of `former bench ops`, timed in PyTorch (Debian's python3-torch) for comparison.

Run: /usr/bin/python3 bench/pytorch/ops_bench.py [--threads 2]
Prints one JSON object like `former bench ops --json`. Feature maps use NCHW for convolutions and
pooling with channels_last memory format, which is PyTorch's fastest CPU path for these ops.
"""
import argparse, json, time
import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seconds", type=float, default=0.3)
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
B = 64

def inp(*shape, cl=False):
    t = torch.rand(*shape) * 2 - 1
    if cl:
        t = t.contiguous(memory_format=torch.channels_last)
    return t.requires_grad_()

tokens = inp(B, 256, 64); fmap = inp(B, 64, 16, 16, cl=True); hidden = inp(B, 256, 256)
image = inp(B, 3, 64, 64, cl=True); q = inp(B, 4, 64, 32); k = inp(B, 4, 64, 32)
scores = inp(B, 4, 64, 64); seq = inp(B, 96, 64)
w1 = inp(256, 64); b1 = inp(256); ln = inp(64)
stem_map = inp(B, 24, 14, 14, cl=True); stem_conv = inp(24, 24, 3, 3)
stem = inp(64, 3, 7, 7); down = inp(128, 64, 3, 3); dw = inp(64, 1, 3, 3); dw1d = inp(96, 1, 31)
logits = inp(B, 1000); targets = torch.tensor([i * 7 % 1000 for i in range(B)])
rm = torch.zeros(64); rv = torch.ones(64)

def ones_backward(y):
    y.backward(torch.ones_like(y))

cases = [
    ("linear", "[64,256,64]→256", lambda: ones_backward(F.linear(tokens, w1, b1))),
    ("matmul q·kᵀ", "[64,4,64,32]", lambda: ones_backward(q @ k.transpose(-2, -1))),
    ("softmax", "[64,4,64,64]", lambda: ones_backward(F.softmax(scores, -1))),
    ("layernorm", "[64,256,64]", lambda: ones_backward(F.layer_norm(tokens, (64,), ln, ln))),
    ("groupnorm(1)", "[64,16,16,64]", lambda: ones_backward(F.group_norm(fmap, 1, ln, ln))),
    ("batchnorm (train)", "[64,16,16,64]", lambda: ones_backward(F.batch_norm(fmap, rm, rv, ln, ln, training=True))),
    ("gelu", "[64,256,256]", lambda: ones_backward(F.gelu(hidden))),
    ("add (per channel)", "[64,256,64]+[64]", lambda: ones_backward(tokens + ln)),
    ("conv2d 7×7 s4 (stem)", "[64,64,64,3]→64", lambda: ones_backward(F.conv2d(image, stem, None, 4, 2))),
    ("conv2d 3×3 s2 (downsample)", "[64,16,16,64]→128", lambda: ones_backward(F.conv2d(fmap, down, None, 2, 1))),
    ("conv2d 3×3 (mini stem)", "[64,14,14,24]→24", lambda: ones_backward(F.conv2d(stem_map, stem_conv, None, 1, 1))),
    ("depthwise conv2d 3×3", "[64,16,16,64]", lambda: ones_backward(F.conv2d(fmap, dw, None, 1, 1, 1, 64))),
    ("avgpool 3×3", "[64,16,16,64]", lambda: ones_backward(F.avg_pool2d(fmap, 3, 1, 1, count_include_pad=False))),
    ("depthwise conv1d k31", "[64,64,96]", lambda: ones_backward(F.conv1d(seq, dw1d, None, 1, 15, 1, 96))),
    ("cross-entropy", "[64,1000]", lambda: F.cross_entropy(logits, targets, label_smoothing=0.1).backward()),
]

def median_ms(step):
    for _ in range(3):
        step()
    times = []
    start = time.perf_counter()
    while len(times) < 5 or time.perf_counter() - start < args.seconds:
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]

out = {"threads": args.threads, "torch": torch.__version__,
       "ops": [{"op": n, "shape": s, "forward_backward_ms": round(median_ms(f), 3)} for n, s, f in cases]}
print(json.dumps(out, ensure_ascii=False))
