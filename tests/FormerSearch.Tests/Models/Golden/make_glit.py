#!/usr/bin/python3
"""Golden logits and gradients of the official GLiT code (bychen515/GLiT) for FormerSearch's Glit.

    /usr/bin/python3 make_glit.py [GLIT_GIT_DIR]   # writes glit.safetensors here

GLIT_GIT_DIR is a git directory of https://github.com/bychen515/GLiT (default: the mirror
/work/.mirror/bychen515+GLiT/repo). Its glit_models.py and mix_attention.py are extracted to a temporary
directory at generation time and imported with timm 0.3.2's Mlp, PatchEmbed, trunc_normal_, DropPath and
register_model and einops' Rearrange stubbed (neither is installed); that code is never committed.
The official RetrainTransformer hard-codes GLiT-Tiny's base_arch/arch lists; a smaller depth takes their first
layers, so both cases below run an all-global layer (e_v 0.5), an all-local layer (k 31, e_c 2) and a mixed
one (1 global + 2 local heads, e_c 4, MLP ratio 6) at width 12 with 3 heads:
  a: depth 3, patch 4 on 3×28×28 images: 50 tokens, more than the kernel spans;
  b: depth 5 (adds an all-global layer and an all-local one with k 45, e_c 4), patch 8 on 1×32×32: 17 tokens,
     fewer than the kernels (the official same padding k//2 covers it).
Random weights large enough that every branch matters, BatchNorm running statistics random, float64 in torch
on a float32 input. Stored under CASE.:
  state.KEY        the official state_dict() (Conv1d weights [out, in, 1] and [C, 1, k]);
  x                the input images in OUR layout, NHWC;
  y, gy, gx        eval mode: the logits [B, K], an upstream gradient and the images' gradient (NHWC);
  train.y          the logits in training mode (BatchNorm on batch statistics; no dropout);
  train.KEY        blocks.1.0.attn.net.4's running_mean / running_var after that training forward.
"""
import os, subprocess, sys, tempfile, types
from functools import partial

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "FormerSearch.Engine.Tests", "Golden"))
from safetensors_file import save_f32  # the engine tests' writer

repo = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/bychen515+GLiT/repo"
src = tempfile.mkdtemp()
for f in ["glit_models.py", "mix_attention.py"]:
    code = subprocess.run(["git", "-C", repo, "show", "HEAD:" + f], check=True, capture_output=True, text=True).stdout
    open(os.path.join(src, f), "w").write(code)


def stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m


class Rearrange(nn.Module):  # the two patterns mix_attention.py uses
    def __init__(self, pattern):
        super().__init__()
        assert pattern in ("b n c -> b c n", "b c n -> b n c")

    def forward(self, x):
        return x.transpose(1, 2)


class DropPath(nn.Module):  # only built with rate 0 here
    def __init__(self, p=0.):
        super().__init__()

    def forward(self, x):
        return x


class Mlp(nn.Module):  # timm 0.3.2's
    def __init__(self, in_features, hidden_features=None, out_features=None, act_layer=nn.GELU, drop=0.):
        super().__init__()
        out_features = out_features or in_features
        hidden_features = hidden_features or in_features
        self.fc1 = nn.Linear(in_features, hidden_features)
        self.act = act_layer()
        self.fc2 = nn.Linear(hidden_features, out_features)
        self.drop = nn.Dropout(drop)

    def forward(self, x):
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


class PatchEmbed(nn.Module):  # timm 0.3.2's
    def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768):
        super().__init__()
        self.num_patches = (img_size // patch_size) ** 2
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


def trunc_normal_(t, mean=0., std=1., a=-2., b=2.):
    with torch.no_grad():
        return nn.init.trunc_normal_(t, mean, std, a, b)


stub("einops")
stub("einops.layers")
stub("einops.layers.torch", Rearrange=Rearrange)
stub("timm")
stub("timm.models")
stub("timm.models.registry", register_model=lambda f: f)
stub("timm.models.layers", trunc_normal_=trunc_normal_, DropPath=DropPath)
stub("timm.models.vision_transformer", Mlp=Mlp, PatchEmbed=PatchEmbed, HybridEmbed=None, _cfg=lambda **k: {})
sys.path.insert(0, src)
import glit_models

torch.manual_seed(0)
entries = {}
CASES = {"a": (3, 4, 28, 3), "b": (5, 8, 32, 1)}  # name: (depth, patch, image side, channels)
BN = "blocks.1.0.attn.net.4."
for case, (depth, patch, side, chans) in CASES.items():
    model = glit_models.RetrainTransformer(img_size=side, patch_size=patch, in_chans=chans, num_classes=5, embed_dim=12,
                                           depth=depth, num_heads=3, mlp_ratio=4, qkv_bias=True,
                                           norm_layer=partial(nn.LayerNorm, eps=1e-6)).double()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight" or name.endswith("net.4.weight"):
                p.copy_(1 + 0.2 * torch.randn_like(p))
            else:
                p.copy_(0.25 * torch.randn_like(p))
            p.copy_(p.float().double())  # the weights the C# model gets, exactly
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_((0.2 * torch.randn_like(b)).float().double())
            elif name.endswith("running_var"):
                b.copy_((0.5 + torch.rand_like(b)).float().double())
    for k, v in model.state_dict().items():
        entries[f"{case}.state.{k}"] = v.detach().float().contiguous()

    x32 = torch.rand(2, chans, side, side) * 2 - 1
    entries[f"{case}.x"] = x32.permute(0, 2, 3, 1).contiguous()
    for mode in ["eval", "train"]:
        model.train(mode == "train")
        x = x32.double().requires_grad_(True)
        y = model(x)
        if mode == "eval":
            gy = torch.randn_like(y)
            entries[f"{case}.gy"] = gy.float()
        y.backward(gy)
        if mode == "eval":
            entries[f"{case}.y"] = y.detach().float()
            entries[f"{case}.gx"] = x.grad.permute(0, 2, 3, 1).contiguous().float()
        else:
            entries[f"{case}.train.y"] = y.detach().float()
    state = model.state_dict()
    for k in ["running_mean", "running_var"]:
        entries[f"{case}.train.{BN}{k}"] = state[BN + k].float()
save_f32(os.path.join(os.path.dirname(os.path.abspath(__file__)), "glit.safetensors"), entries)
