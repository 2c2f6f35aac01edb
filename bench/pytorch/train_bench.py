#!/usr/bin/env python3
"""`former bench train` timed in PyTorch (Debian's python3-torch): images/s of full training steps.

Run: /usr/bin/python3 bench/pytorch/train_bench.py --model poolformer_s12 --input 3x64x64 [--batch-size 64] [--threads 2]
Prints one JSON object like `former bench train --json`. The two models are written here from their published
layouts (PoolFormer-S12: sail-sg/poolformer; DeiT-Tiny: timm's VisionTransformer) with the same parameter counts
as FormerSearch's, so both sides time the same computation; PoolFormer runs channels_last, PyTorch's fastest CPU
layout for it (`--no-channels-last` to compare). A step is forward, cross-entropy, backward and AdamW.
"""
import argparse, json, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F


class GroupNorm1(nn.GroupNorm):
    def __init__(self, c):
        super().__init__(1, c)


class PoolBlock(nn.Module):
    def __init__(self, dim, mlp_ratio=4):
        super().__init__()
        self.norm1, self.norm2 = GroupNorm1(dim), GroupNorm1(dim)
        self.pool = nn.AvgPool2d(3, 1, 1, count_include_pad=False)
        self.fc1, self.fc2 = nn.Conv2d(dim, dim * mlp_ratio, 1), nn.Conv2d(dim * mlp_ratio, dim, 1)
        self.ls1 = nn.Parameter(1e-5 * torch.ones(dim, 1, 1))
        self.ls2 = nn.Parameter(1e-5 * torch.ones(dim, 1, 1))

    def forward(self, x):
        y = self.norm1(x)
        x = x + self.ls1 * (self.pool(y) - y)
        return x + self.ls2 * self.fc2(F.gelu(self.fc1(self.norm2(x))))


class PoolFormer(nn.Module):
    def __init__(self, layers=(2, 2, 6, 2), dims=(64, 128, 320, 512), classes=1000):
        super().__init__()
        self.stem = nn.Conv2d(3, dims[0], 7, 4, 2)
        stages = []
        for i, (n, d) in enumerate(zip(layers, dims)):
            if i > 0:
                stages.append(nn.Conv2d(dims[i - 1], d, 3, 2, 1))
            stages += [PoolBlock(d) for _ in range(n)]
        self.stages = nn.Sequential(*stages)
        self.norm = GroupNorm1(dims[-1])
        self.head = nn.Linear(dims[-1], classes)

    def forward(self, x):
        return self.head(self.norm(self.stages(self.stem(x))).mean([-2, -1]))


class VitBlock(nn.Module):
    def __init__(self, dim, heads, mlp_ratio=4):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(dim, eps=1e-6), nn.LayerNorm(dim, eps=1e-6)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.fc1, self.fc2 = nn.Linear(dim, dim * mlp_ratio), nn.Linear(dim * mlp_ratio, dim)

    def forward(self, x):
        b, n, c = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        attn = ((q * (c // self.heads) ** -0.5) @ k.transpose(-2, -1)).softmax(-1)
        x = x + self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class Deit(nn.Module):
    def __init__(self, size, dim=192, depth=12, heads=3, classes=1000):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, 16, 16)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos = nn.Parameter(torch.zeros(1, (size // 16) ** 2 + 1, dim))
        self.blocks = nn.Sequential(*[VitBlock(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], 1) + self.pos
        return self.head(self.norm(self.blocks(x))[:, 0])


p = argparse.ArgumentParser()
p.add_argument("--model", choices=["poolformer_s12", "deit_tiny"], required=True)
p.add_argument("--input", default="3x64x64")
p.add_argument("--batch-size", type=int, default=64)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seconds", type=float, default=3.0)
p.add_argument("--no-channels-last", action="store_true")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)
c, h, w = (int(v) for v in args.input.split("x"))
model = PoolFormer() if args.model == "poolformer_s12" else Deit(h)
channels_last = args.model == "poolformer_s12" and not args.no_channels_last
images = torch.randn(args.batch_size, c, h, w)
if channels_last:
    model = model.to(memory_format=torch.channels_last)
    images = images.contiguous(memory_format=torch.channels_last)
labels = torch.randint(0, 1000, (args.batch_size,))
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.05)


def step():
    optimizer.zero_grad(set_to_none=True)
    F.cross_entropy(model(images), labels).backward()
    optimizer.step()


for _ in range(2):
    step()
times, start = [], time.perf_counter()
while len(times) < 3 or time.perf_counter() - start < args.seconds:
    t = time.perf_counter()
    step()
    times.append(time.perf_counter() - t)
print(json.dumps({"model": args.model, "batch_size": args.batch_size, "input": [c, h, w], "threads": args.threads,
                  "params": sum(p.numel() for p in model.parameters()), "channels_last": channels_last,
                  "images_per_s": round(args.batch_size / statistics.median(times), 2)}))
