#!/usr/bin/python3
"""Golden logits and gradients of the official AutoFormer supernet (microsoft/Cream) for FormerSearch's AutoFormerSupernet.

    /usr/bin/python3 make_autoformer_supernet.py [CREAM_GIT_DIR]   # writes autoformer_supernet.safetensors here

CREAM_GIT_DIR is a git directory of https://github.com/microsoft/Cream (default: the mirror
/work/.mirror/microsoft+Cream/repo). Its AutoFormer/model package is extracted to a temporary directory at
generation time and imported (torch._six.container_abcs, gone from torch 1.13, is stubbed); that code is never
committed. A small supernet (patch 6 on 24×24 images, width 128, 2 heads of 64, depth 2, MLP ratio 1.5, max
relative distance 2) is built with the README's flags (gp, change_qkv, relative_position, qkv bias). Its weights
are not stored: every parameter is a formula of its official name and flat index (see weight() below; the C# test
computes the same), in PyTorch's layout. Three subnets are set with set_sample_config and run in float64 on a
float32 input. Stored, per case c0, c1, c2:
  x              the input images in OUR layout, NHWC (shared);
  cN.y           the logits [B, K];
  cN.gy, cN.gx   an upstream gradient of the logits and the gradient of the images (NHWC);
  cN.grad.KEY    the gradient of every supernet parameter (zeros where the official code gives none), matrices
                 and convolution weights flattened to [rows, -1] with every 16th column kept.
"""
import argparse, collections, collections.abc, io, math, os, subprocess, sys, tarfile, tempfile

import numpy as np
import torch
import torch._six

torch._six.container_abcs = collections.abc  # removed from torch; the official utils.py imports it
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "FormerSearch.Engine.Tests", "Golden"))
from safetensors_file import save_f32  # the engine tests' writer

repo = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/microsoft+Cream/repo"
src = tempfile.mkdtemp()
archive = subprocess.run(["git", "-C", repo, "archive", "HEAD", "AutoFormer/model"], check=True, capture_output=True).stdout
tarfile.open(fileobj=io.BytesIO(archive)).extractall(src)
sys.path.insert(0, os.path.join(src, "AutoFormer"))
from model.supernet_transformer import Vision_TransformerSuper


def weight(name, numel):
    """scale·sin(0.37·i + 0.1·Σ ord(name)), rounded to float32: LayerNorm weights 1 + 0.2·sin, tables 0.3·sin, else 0.15·sin."""
    phase = 0.1 * sum(ord(c) for c in name)
    s = np.sin(0.37 * np.arange(numel, dtype=np.float64) + phase)
    if name.endswith("norm.weight"):
        v = 1 + 0.2 * s
    elif "embeddings_table" in name:
        v = 0.3 * s
    else:
        v = 0.15 * s
    return v.astype(np.float32).astype(np.float64)


def build(img_size, patch_size, embed_dim, num_heads, mlp_ratio):
    """The official supernet with the README's flags, 5 classes, depth 2, max relative distance 2, weights from weight()."""
    net = Vision_TransformerSuper(img_size=img_size, patch_size=patch_size, in_chans=3, num_classes=5, embed_dim=embed_dim, depth=2,
                                  num_heads=num_heads, mlp_ratio=mlp_ratio, qkv_bias=True, gp=True, relative_position=True,
                                  change_qkv=True, max_relative_position=2).double().eval()
    with torch.no_grad():
        for name, p in net.named_parameters():
            p.copy_(torch.from_numpy(weight(name, p.numel())).reshape(p.shape))
    return net


torch.manual_seed(0)
model = build(24, 6, 128, 2, 1.5)

cases = [
    {"embed_dim": [24, 24], "mlp_ratio": [1.5, 1.0], "num_heads": [2, 1], "layer_num": 2},
    {"embed_dim": [128, 128], "mlp_ratio": [1.5, 1.5], "num_heads": [2, 2], "layer_num": 2},
    {"embed_dim": [64], "mlp_ratio": [1.5], "num_heads": [1], "layer_num": 1},
]
x32 = torch.randn(2, 3, 24, 24)
entries = {"x": x32.permute(0, 2, 3, 1).contiguous()}
for c, config in enumerate(cases):
    model.zero_grad(set_to_none=True)
    model.set_sample_config(config)
    x = x32.double().requires_grad_(True)
    y = model(x)
    gy = torch.randn_like(y)
    y.backward(gy)
    entries[f"c{c}.y"] = y.detach().float()
    entries[f"c{c}.gy"] = gy.float()
    entries[f"c{c}.gx"] = x.grad.permute(0, 2, 3, 1).contiguous().float()
    for name, p in model.named_parameters():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        if g.dim() >= 2:
            g = g.reshape(g.shape[0], -1)[:, ::16]
        entries[f"c{c}.grad.{name}"] = g.float().contiguous()
save_f32(os.path.join(os.path.dirname(os.path.abspath(__file__)), "autoformer_supernet.safetensors"), entries)

small = build(8, 4, 64, 1, 1.5)
with torch.no_grad():
    for p in small.parameters():
        p.copy_(p.half().double())  # what the checkpoint holds, exactly
state = collections.OrderedDict((k, v.half()) for k, v in small.state_dict().items())
args = argparse.Namespace(cfg="./experiments/supernet/supernet-T.yaml", gp=True, change_qkv=True, relative_position=True,
                          mode="super", epochs=500, lr=5e-4, output_dir="/output")
here = os.path.dirname(os.path.abspath(__file__))
torch.save({"model": state, "lr_scheduler": {"last_epoch": 499}, "epoch": 499, "scaler": {"scale": 65536.0}, "args": args},
           os.path.join(here, "autoformer_supernet_official.pth"))
x32 = torch.randn(2, 3, 8, 8)
entries = {"x": x32.permute(0, 2, 3, 1).contiguous()}
for c, config in enumerate([
        {"embed_dim": [32, 32], "mlp_ratio": [1.5, 1.0], "num_heads": [1, 1], "layer_num": 2},
        {"embed_dim": [64], "mlp_ratio": [1.5], "num_heads": [1], "layer_num": 1}]):
    small.set_sample_config(config)
    entries[f"c{c}.y"] = small(x32.double()).detach()
save_f32(os.path.join(here, "autoformer_supernet_official.safetensors"), entries)
