#!/usr/bin/python3
"""Golden logits and gradients of the official BurgerFormer code (xingxing-123/BurgerFormer) for FormerSearch's BurgerFormer.

    /usr/bin/python3 make_burgerformer.py [BURGERFORMER_GIT_DIR]   # writes burgerformer.safetensors here

BURGERFORMER_GIT_DIR is a git directory of https://github.com/xingxing-123/BurgerFormer (default: the mirror
/work/.mirror/xingxing-123+BurgerFormer/repo). Its net.py, block.py, operation.py and search_config.py are
extracted to a temporary directory at generation time and imported with timm's few helpers stubbed; that code
is never committed. A small architecture (ARCH below: every op, norm and activation, pre- and post-norms, a
pre-activation, all-skip and expanded sub-blocks, layer scale on and off, non-fixed residual edges) is built for
32x32 images (stage maps 8, 4, 2, 1), given random weights (norm scales and layer scales near 1 so every branch
matters, BatchNorm running statistics randomised), and run in float64 on a float32 input, in eval and in train
mode (BatchNorm on batch statistics; no BatchNorm on the 1x1 stage, whose batch statistics over two values are
too ill-conditioned for a float32 comparison: torch's own float32 input gradient is off by 0.6% there). Stored:
  state.KEY        the official state_dict() before the train-mode pass (conv weights OIHW);
  x                the input images in OUR layout, NHWC;
  y, gx            eval mode: the logits [B, K] and the gradient of the images (NHWC) for the upstream gradient gy;
  y_train, gx_train  the same in train mode;
  gy               the upstream gradient of the logits;
  grad.KEY         train mode: the gradients of a few parameters (GRADS below: a layer scale, a post-norm BatchNorm's
                   scale, attention's qkv weight, a spatial MLP's bias, the head's weight).
"""
import os, subprocess, sys, tempfile, types

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "FormerSearch.Engine.Tests", "Golden"))
from safetensors_file import save_f32  # the engine tests' writer

repo = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/xingxing-123+BurgerFormer/repo"
src = tempfile.mkdtemp()
for f in ["net.py", "block.py", "operation.py", "search_config.py", "arch.py"]:
    code = subprocess.run(["git", "-C", repo, "show", "HEAD:" + f], check=True, capture_output=True, text=True).stdout
    open(os.path.join(src, f), "w").write(code)


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
import net

FIXED = {'0->1': 'skip', '0->2': 'none', '1->2': 'skip', '0->3': 'none', '1->3': 'none', '2->3': 'skip'}
ARCH = {  # the same dictionary is in BurgerFormerTests.GoldenArch
    'stage-1': {'macro': {'depth': 1, 'width': 8, 'ratio': 2}, 'meso': {'use_layer_scale': [True, True, False], 'is_drop': [True, True, True],
                '1': 'skip-BN-dwise_3x3-skip-relu6', '2': 'skip-LN-dwise_3x3-skip-silu', '3': 'skip-skip-avgpool-GN-gelu', **FIXED}},
    'stage-2': {'macro': {'depth': 1, 'width': 16, 'ratio': 1}, 'meso': {'use_layer_scale': [False, True, True], 'is_drop': [True, True, True],
                '1': 'skip-skip-conv_1x1-LN-skip', '2': 'skip-skip-skip-skip-skip', '3': 'gelu-GN-conv_1x1-BN-silu',
                '0->1': 'skip', '0->2': 'skip', '1->2': 'skip', '0->3': 'skip', '1->3': 'skip', '2->3': 'skip'}},
    'stage-3': {'macro': {'depth': 2, 'width': 16, 'ratio': 2}, 'meso': {'use_layer_scale': [True, True, True], 'is_drop': [True, True, True],
                '1': 'skip-LN-self_atten-skip-gelu', '2': 'skip-BN-dwise_3x3-GN-relu6', '3': 'skip-GN-spatial_mlp-skip-silu',
                '0->1': 'skip', '0->2': 'skip', '1->2': 'none', '0->3': 'none', '1->3': 'skip', '2->3': 'skip'}},
    'stage-4': {'macro': {'depth': 1, 'width': 16, 'ratio': 3}, 'meso': {'use_layer_scale': [True, True, True], 'is_drop': [False, True, True],
                '1': 'skip-skip-skip-skip-skip', '2': 'skip-GN-dwise_3x3-LN-gelu', '3': 'skip-skip-self_atten-LN-skip', **FIXED}},
}

torch.manual_seed(0)
model = net.BurgerFormer(ARCH, H=[8, 4, 2, 1], W=[8, 4, 2, 1], mlp_ratios=[4] * 4, downsamples=[True] * 4,
                         num_heads=[-1, -1, 4, 8], num_classes=5).double()
with torch.no_grad():
    for name, p in model.named_parameters():
        scale_like = name.endswith("layer_scale") or (p.dim() == 1 and name.endswith("weight") and "proj" not in name)
        p.copy_((1 + 0.2 * torch.randn_like(p)) if scale_like else 0.3 * torch.randn_like(p))
        p.copy_(p.float().double())  # the weights the C# model gets, exactly
    for name, b in model.named_buffers():
        if name.endswith("running_mean"):
            b.copy_((0.2 * torch.randn_like(b)).float().double())
        elif name.endswith("running_var"):
            b.copy_((0.5 + torch.rand_like(b)).float().double())

entries = {"state." + k: v.detach().float().contiguous() for k, v in model.state_dict().items()}
x32 = torch.rand(2, 3, 32, 32) * 2 - 1
entries["x"] = x32.permute(0, 2, 3, 1).contiguous()
GRADS = ["network.0.0.norm_mixer_act_blocks.1.layer_scale", "network.2.0.norm_mixer_act_blocks.2.ops.3.weight",
         "network.4.0.norm_mixer_act_blocks.0.ops.1.qkv.weight", "network.4.1.norm_mixer_act_blocks.2.ops.1.fc.bias", "head.weight"]
gy = None
for mode, suffix in [(False, ""), (True, "_train")]:
    model.train(mode)
    model.zero_grad()
    x = x32.double().requires_grad_(True)
    y = model(x)
    if gy is None:
        gy = torch.randn_like(y)
        entries["gy"] = gy.float()
    y.backward(gy)
    entries["y" + suffix] = y.detach().float()
    entries["gx" + suffix] = x.grad.permute(0, 2, 3, 1).contiguous().float()
params = dict(model.named_parameters())
for key in GRADS:
    entries["grad." + key] = params[key].grad.float()
save_f32(os.path.join(os.path.dirname(os.path.abspath(__file__)), "burgerformer.safetensors"), entries)
