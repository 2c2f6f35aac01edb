#!/usr/bin/python3
"""Golden logits of timm's VisionTransformer (the DeiT models' code) for FormerSearch's Vit.

    /usr/bin/python3 make_deit.py [TIMM_GIT_DIR]   # writes deit.safetensors here

TIMM_GIT_DIR is a git directory of https://github.com/huggingface/pytorch-image-models (default: the mirror
/work/.mirror/huggingface+pytorch-image-models/repo). Its timm/ tree is extracted to a temporary directory at
generation time and timm.models imported without timm/__init__ and timm.data (torchvision is not installed; it
is stubbed by a finder that answers any name); that code is never committed. A small DeiT (patch 8, width 24,
depth 2, 3 heads, 5 classes, 3×16×16 input, so 4 patches and a cls token) gets random weights and runs in float64:
  state.KEY  timm's state_dict() (patch_embed.proj.weight OIHW);
  x          the input images in OUR layout, NHWC;
  y          the logits [B, K];
  gy, gx     an upstream gradient of the logits and the gradient of the images (NHWC).
"""
import importlib, importlib.abc, importlib.machinery, os, subprocess, sys, tempfile, types

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "FormerSearch.Engine.Tests", "Golden"))
from safetensors_file import save_f32  # the engine tests' writer

repo = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/huggingface+pytorch-image-models/repo"
src = tempfile.mkdtemp()
subprocess.run(f"git -C {repo} archive HEAD timm | tar -x -C {src}", shell=True, check=True)


class AnyModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return nn.BatchNorm2d if name == "FrozenBatchNorm2d" else type(name, (), {})


class TorchvisionStub(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] == "torchvision":
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        return AnyModule(spec.name)

    def exec_module(self, module):
        module.__path__ = []


sys.meta_path.insert(0, TorchvisionStub())
timm = types.ModuleType("timm"); timm.__path__ = [src + "/timm"]; timm.__version__ = "0"; sys.modules["timm"] = timm
data = types.ModuleType("timm.data"); data.__path__ = [src + "/timm/data"]; sys.modules["timm.data"] = data
constants = importlib.import_module("timm.data.constants")
data.__dict__.update({k: v for k, v in constants.__dict__.items() if k.isupper()})
from timm.models.vision_transformer import VisionTransformer

torch.manual_seed(0)
model = VisionTransformer(img_size=16, patch_size=8, embed_dim=24, depth=2, num_heads=3, num_classes=5).double()
with torch.no_grad():
    for k, p in model.named_parameters():
        if k.endswith("norm1.weight") or k.endswith("norm2.weight") or k == "norm.weight":
            p.uniform_(0.5, 1.5)
        else:
            p.normal_(0, 0.3)
        p.copy_(p.float().double())  # the weights the C# model gets, exactly
x32 = torch.rand(2, 3, 16, 16) * 2 - 1
x = x32.double().requires_grad_(True)
y = model(x)
gy = torch.randn_like(y)
y.backward(gy)
entries = {f"state.{k}": v.float() for k, v in model.state_dict().items()}
entries["x"] = x32.permute(0, 2, 3, 1).contiguous()
entries["y"] = y.detach().float()
entries["gy"] = gy.float()
entries["gx"] = x.grad.permute(0, 2, 3, 1).contiguous().float()
save_f32(os.path.join(os.path.dirname(os.path.abspath(__file__)), "deit.safetensors"), entries)
print(f"wrote {len(entries)} tensors")
