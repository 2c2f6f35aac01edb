#!/usr/bin/python3
"""An official AutoFormer supernet checkpoint in miniature, as microsoft/Cream's supernet_train.py saves it, for loading
into FormerSearch's AutoFormer supernet.

    /usr/bin/python3 make_autoformer_supernet_pth.py [CREAM_GIT_DIR]   # writes autoformer_supernet_official.pth and .safetensors here

CREAM_GIT_DIR is a git directory of https://github.com/microsoft/Cream (default: the mirror /work/.mirror/microsoft+Cream/repo).
Its AutoFormer/model package is extracted to a temporary directory at generation time and imported (torch._six.container_abcs,
gone from torch 1.13, is stubbed); that code is never committed. A small Vision_TransformerSuper (patch 4 on 8×8 images,
width 64, depth 2, one head of 64, MLP ratio 1.5, max relative distance 2, 5 classes; the README's flags gp, change_qkv,
relative_position, qkv bias) gets random weights, rounded to float16 so the file stays small, and is saved as the
training script saves its checkpoint.pth: {'model': state_dict (float16), 'lr_scheduler', 'epoch', 'scaler', 'args':
argparse.Namespace}. Two subnets, set with set_sample_config, run in float64 on a float32 input:
  autoformer_supernet_official.pth           the checkpoint;
  autoformer_supernet_official.safetensors   x (the input in OUR layout, NHWC), c0.y and c1.y (the official logits).
"""
import argparse, collections, collections.abc, io, os, subprocess, sys, tarfile, tempfile

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

torch.manual_seed(0)
model = Vision_TransformerSuper(img_size=8, patch_size=4, in_chans=3, num_classes=5, embed_dim=64, depth=2,
                                num_heads=1, mlp_ratio=1.5, qkv_bias=True, gp=True, relative_position=True,
                                change_qkv=True, max_relative_position=2).double().eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith("norm.weight"):
            p.copy_(1 + 0.2 * torch.randn_like(p))
        else:
            p.copy_(0.3 * torch.randn_like(p) if "embeddings_table" in name else 0.15 * torch.randn_like(p))
        p.copy_(p.half().double())  # what the checkpoint holds, exactly
state = collections.OrderedDict((k, v.half()) for k, v in model.state_dict().items())
args = argparse.Namespace(cfg="./experiments/supernet/supernet-T.yaml", gp=True, change_qkv=True, relative_position=True,
                          mode="super", epochs=500, lr=5e-4, output_dir="/output")
here = os.path.dirname(os.path.abspath(__file__))
torch.save({"model": state, "lr_scheduler": {"last_epoch": 499}, "epoch": 499, "scaler": {"scale": 65536.0}, "args": args},
           os.path.join(here, "autoformer_supernet_official.pth"))

cases = [
    {"embed_dim": [32, 32], "mlp_ratio": [1.5, 1.0], "num_heads": [1, 1], "layer_num": 2},
    {"embed_dim": [64], "mlp_ratio": [1.5], "num_heads": [1], "layer_num": 1},
]
x32 = torch.randn(2, 3, 8, 8)
entries = {"x": x32.permute(0, 2, 3, 1).contiguous()}
for c, config in enumerate(cases):
    model.set_sample_config(config)
    entries[f"c{c}.y"] = model(x32.double()).detach()
save_f32(os.path.join(here, "autoformer_supernet_official.safetensors"), entries)
print("wrote autoformer_supernet_official.pth and .safetensors")
