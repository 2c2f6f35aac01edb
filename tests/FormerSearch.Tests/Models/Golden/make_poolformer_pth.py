#!/usr/bin/python3
"""An official PoolFormer checkpoint in miniature, as sail-sg/poolformer publishes them, for FormerSearch's .pth reader.

    /usr/bin/python3 make_poolformer_pth.py [POOLFORMER_GIT_DIR]   # writes poolformer_official.pth and .safetensors here

POOLFORMER_GIT_DIR is a git directory of https://github.com/sail-sg/poolformer (default: the mirror
/work/.mirror/sail-sg+poolformer/repo). Its models/poolformer.py is extracted to a temporary directory at generation time
and imported with timm's helpers stubbed; that code is never committed. The official PoolFormer class with the S12
layout at widths 8-16-16-24, one block a stage, MLP ratio 2 and 5 classes gets random weights (layer scales near 1 so
every branch matters) and is saved with torch.save(model.state_dict()) — a plain OrderedDict of float32 tensors, the
layout of the published poolformer_s12.pth.tar. It runs in float64 on a float32 3×32×32 input:
  poolformer_official.pth           the checkpoint;
  poolformer_official.safetensors   x (the input in OUR layout, NHWC) and y (the official logits [B, K]).
"""
import os, subprocess, sys, tempfile, types

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "FormerSearch.Engine.Tests", "Golden"))
from safetensors_file import save_f32  # the engine tests' writer

repo = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/sail-sg+poolformer/repo"
src = tempfile.mkdtemp()
code = subprocess.run(["git", "-C", repo, "show", "HEAD:models/poolformer.py"], check=True, capture_output=True, text=True).stdout
open(os.path.join(src, "poolformer.py"), "w").write(code)


def stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m


class DropPath(nn.Module):  # only built with rate 0 here
    def __init__(self, p=0.):
        super().__init__()

    def forward(self, x):
        return x


def trunc_normal_(t, mean=0., std=1., a=-2., b=2.):
    with torch.no_grad():
        return nn.init.trunc_normal_(t, mean, std, a, b)


stub("timm")
stub("timm.data", IMAGENET_DEFAULT_MEAN=(0.485, 0.456, 0.406), IMAGENET_DEFAULT_STD=(0.229, 0.224, 0.225))
stub("timm.models")
stub("timm.models.layers", DropPath=DropPath, trunc_normal_=trunc_normal_)
stub("timm.models.layers.helpers", to_2tuple=lambda x: tuple(x) if isinstance(x, (tuple, list)) else (x, x))
stub("timm.models.registry", register_model=lambda f: f)
sys.path.insert(0, src)
import poolformer

torch.manual_seed(0)
model = poolformer.PoolFormer([1, 1, 1, 1], embed_dims=[8, 16, 16, 24], mlp_ratios=[2, 2, 2, 2], downsamples=[True] * 4,
                              num_classes=5)
with torch.no_grad():
    for k, p in model.named_parameters():
        if "layer_scale" in k or k.endswith("norm1.weight") or k.endswith("norm2.weight") or k == "norm.weight":
            p.uniform_(0.5, 1.5)
        else:
            p.normal_(0, 0.3)
here = os.path.dirname(os.path.abspath(__file__))
torch.save(model.state_dict(), os.path.join(here, "poolformer_official.pth"))

x32 = torch.rand(2, 3, 32, 32) * 2 - 1
y = model.double().eval()(x32.double())
save_f32(os.path.join(here, "poolformer_official.safetensors"), {"x": x32.permute(0, 2, 3, 1).contiguous(), "y": y.detach()})
print("wrote poolformer_official.pth and .safetensors")
