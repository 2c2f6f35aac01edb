#!/usr/bin/python3
"""Golden logits of the official MetaFormer code (sail-sg/poolformer) for FormerSearch's PoolFormer.

    /usr/bin/python3 make_metaformer.py [POOLFORMER_GIT_DIR]   # writes metaformer.safetensors here

POOLFORMER_GIT_DIR is a git directory of https://github.com/sail-sg/poolformer (default: the mirror
/work/.mirror/sail-sg+poolformer/repo). Its models/poolformer.py and models/metaformer.py are
extracted to a temporary directory at generation time and imported with timm's four helpers stubbed;
that code is never committed. Two small hybrids (pooling / attention + position embedding / spatial FC /
identity stages, GroupNorm and LayerNormChannel) get random weights (layer scales near 1, so every
branch matters), run in float64 on a float32 input, and store under CASE.:
  state.KEY  the official state_dict() (conv weights OIHW, MLP convs [out, in, 1, 1], pos_embed [1, C, H, W]);
  x          (shared by the cases) the input images in OUR layout, NHWC;
  y          the logits [B, K];
  gy, gx     an upstream gradient of the logits and the gradient of the images (NHWC);
  sgd.state.KEY  (case gn) the state after one SGD step on the cross-entropy of labels [1, 3].
It then writes an official PoolFormer checkpoint in miniature, for the .pth reader: the official PoolFormer class (the S12
layout at widths 8-16-16-24, one block a stage, MLP ratio 2, 5 classes) with random weights, saved with
torch.save(model.state_dict()) — a plain OrderedDict of float32 tensors, the layout of the published poolformer_s12.pth.tar —
as poolformer_official.pth, and in poolformer_official.safetensors x (a float32 3×32×32 input in OUR layout, NHWC) and y
(its float64 logits [B, K]).
"""
import os, subprocess, sys, tempfile, types

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "FormerSearch.Engine.Tests", "Golden"))
from safetensors_file import save_f32  # the engine tests' writer

repo = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/sail-sg+poolformer/repo"
src = tempfile.mkdtemp()
os.makedirs(os.path.join(src, "models"))
open(os.path.join(src, "models", "__init__.py"), "w").close()
for f in ["poolformer.py", "metaformer.py"]:
    code = subprocess.run(["git", "-C", repo, "show", "HEAD:models/" + f], check=True, capture_output=True, text=True).stdout
    open(os.path.join(src, "models", f), "w").write(code)


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
from functools import partial
import models.poolformer as pf
import models.metaformer as mf



def randomize(model):
    """Random weights with layer scales and norm weights near 1, so every branch matters."""
    with torch.no_grad():
        for k, p in model.named_parameters():
            if "layer_scale" in k or k.endswith("norm1.weight") or k.endswith("norm2.weight") or k == "norm.weight":
                p.uniform_(0.5, 1.5)
            else:
                p.normal_(0, 0.3)


torch.manual_seed(0)
entries = {}
# Input 3x24x24: stage maps 6x6, 3x3, 2x2, 1x1. One input for every case.
x32 = torch.rand(2, 3, 24, 24) * 2 - 1
entries["x"] = x32.permute(0, 2, 3, 1).contiguous()
# name: (norm, widths, MLP ratios, attention head width): 2 heads of 16, then 1 head of the default 32.
CASES = {
    "gn": (pf.GroupNorm, [8, 32, 8, 16], [2, 2, 2, 2], 16),
    "lnc": (pf.LayerNormChannel, [8, 32, 8, 8], [1, 1, 1, 1], 32),
}
for case, (norm, widths, ratios, head_dim) in CASES.items():
    model = mf.MetaFormer(
        [1, 1, 2, 1], embed_dims=widths,
        token_mixers=[mf.Pooling, partial(mf.Attention, head_dim=head_dim), partial(mf.SpatialFc, spatial_shape=[2, 2]), nn.Identity],
        mlp_ratios=ratios, norm_layer=norm, downsamples=[True] * 4,
        add_pos_embs=[None, partial(mf.AddPositionEmb, spatial_shape=[3, 3]), None, None],
        num_classes=5).double()
    randomize(model)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.float().double())  # the weights the C# model gets, exactly
    x = x32.double().requires_grad_(True)
    y = model(x)
    gy = torch.randn_like(y)
    y.backward(gy)
    for k, v in model.state_dict().items():
        entries[f"{case}.state.{k}"] = v.float()
    entries[f"{case}.y"] = y.detach().float()
    entries[f"{case}.gy"] = gy.float()
    entries[f"{case}.gx"] = x.grad.permute(0, 2, 3, 1).contiguous().float()
    if case == "gn":
        # One SGD step (lr 0.1, momentum 0.9, weight decay 1e-4 with timm's no-decay split: rank-1 tensors, biases,
        # position embeddings) on the cross-entropy of labels [1, 3]: the state after it is sgd.state.KEY.
        model.zero_grad()
        nn.functional.cross_entropy(model(x32.double()), torch.tensor([1, 3])).backward()
        named = list(model.named_parameters())
        exempt = lambda k, p: p.ndim <= 1 or k.endswith(".bias") or k.endswith("pos_embed")
        optimizer = torch.optim.SGD([
            {"params": [p for k, p in named if exempt(k, p)], "weight_decay": 0.0},
            {"params": [p for k, p in named if not exempt(k, p)], "weight_decay": 1e-4}], lr=0.1, momentum=0.9)
        optimizer.step()
        for k, v in model.state_dict().items():
            entries[f"{case}.sgd.state.{k}"] = v.float()

save_f32(os.path.join(os.path.dirname(os.path.abspath(__file__)), "metaformer.safetensors"),
         entries)
print(f"wrote {len(entries)} tensors")

torch.manual_seed(0)
model = pf.PoolFormer([1, 1, 1, 1], embed_dims=[8, 16, 16, 24], mlp_ratios=[2, 2, 2, 2], downsamples=[True] * 4, num_classes=5)
randomize(model)
here = os.path.dirname(os.path.abspath(__file__))
torch.save(model.state_dict(), os.path.join(here, "poolformer_official.pth"))
x32 = torch.rand(2, 3, 32, 32) * 2 - 1
y = model.double().eval()(x32.double())
save_f32(os.path.join(here, "poolformer_official.safetensors"), {"x": x32.permute(0, 2, 3, 1).contiguous(), "y": y.detach()})
print("wrote poolformer_official.pth and .safetensors")
