#!/usr/bin/python3
"""Golden logits and gradients of the official AutoFormer code (microsoft/Cream) for FormerSearch's AutoFormer.

    /usr/bin/python3 make_autoformer.py [CREAM_GIT_DIR]   # writes autoformer.safetensors here

CREAM_GIT_DIR is a git directory of https://github.com/microsoft/Cream (default: the mirror
/work/.mirror/microsoft+Cream/repo). Its AutoFormer/model package is extracted to a temporary directory at
generation time and imported (torch._six.container_abcs, gone from torch 1.13, is stubbed); that code is never
committed. A small supernet (patch 6 on 24×24 images, width 128, 2 heads of 64, depth 3, max relative distance 2
so the 4×4 grid's distances of 3 are clipped) is built with the README's flags (gp, change_qkv,
relative_position, qkv bias), given random weights large enough that every term matters (the relative position
tables included), set to a subnet (width 24, depth 2, heads [2, 1], MLP ratios [2, 1.5]) and run in float64 on
a float32 input. Stored:
  state.KEY  the subnet's tensors under the official names, as the supernet slices them (qkv rows de-interleaved);
  x          the input images in OUR layout, NHWC;
  y          the logits [B, K];
  gy, gx     an upstream gradient of the logits and the gradient of the images (NHWC);
  grad.KEY   the gradients of block 0's four relative position tables.
"""
import collections.abc, os, subprocess, sys, tarfile, io, tempfile

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
from model.module.multihead_super import RelativePosition2D_super

torch.manual_seed(0)
model = Vision_TransformerSuper(img_size=24, patch_size=6, in_chans=3, num_classes=5, embed_dim=128, depth=3,
                                num_heads=2, mlp_ratio=4.0, qkv_bias=True, gp=True, relative_position=True,
                                change_qkv=True, max_relative_position=2).double().eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith("norm.weight"):
            p.copy_(1 + 0.2 * torch.randn_like(p))
        else:
            p.copy_(0.3 * torch.randn_like(p) if "embeddings_table" in name else 0.15 * torch.randn_like(p))
        p.copy_(p.float().double())  # the weights the C# model gets, exactly
config = {"embed_dim": [24, 24], "mlp_ratio": [2.0, 1.5], "num_heads": [2, 1], "layer_num": 2}
model.set_sample_config(config)

entries = {}
modules = dict(model.named_modules())
for name, p in model.state_dict().items():
    parts = name.split(".")
    if parts[0] == "blocks" and int(parts[1]) >= config["layer_num"]:
        continue
    module, last = modules.get(".".join(parts[:-1])), parts[-1]
    if name in ("pos_embed", "cls_token"):
        t = p[..., :24]
    elif name.startswith("patch_embed_super.proj"):
        t = model.patch_embed_super.sampled_weight if last == "weight" else model.patch_embed_super.sampled_bias
    elif isinstance(module, RelativePosition2D_super):
        t = getattr(module, "sample_" + last)
    else:
        t = module.samples[last]
    entries["state." + name] = t.detach().float().contiguous()

x32 = torch.randn(2, 3, 24, 24)
entries["x"] = x32.permute(0, 2, 3, 1).contiguous()
x = x32.double().requires_grad_(True)
y = model(x)
gy = torch.randn_like(y)
y.backward(gy)
entries["y"] = y.detach().float()
entries["gy"] = gy.float()
entries["gx"] = x.grad.permute(0, 2, 3, 1).contiguous().float()
for k in ["k", "v"]:
    for t in ["v", "h"]:
        key = f"blocks.0.attn.rel_pos_embed_{k}.embeddings_table_{t}"
        entries["grad." + key] = dict(model.named_parameters())[key].grad.float()
save_f32(os.path.join(os.path.dirname(os.path.abspath(__file__)), "autoformer.safetensors"), entries)
