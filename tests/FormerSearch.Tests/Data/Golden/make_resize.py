#!/usr/bin/python3
"""Golden vectors of bilinear resizing for FormerSearch's data loader.

    /usr/bin/python3 make_resize.py     # writes resize.safetensors here

torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=False) on float32
images (what torchvision's tensor Resize does without antialiasing). Each case CASE stores
  CASE.x  the input in OUR layout [H, W, C] (channels-last)
  CASE.y  the resized image [outH, outW, C]
"""
import os, sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "FormerSearch.Engine.Tests", "Golden"))
from safetensors_file import save_f32  # the engine tests' writer

torch.manual_seed(0)
cases = {
    "up": (3, 7, 9, 16, 20),          # upsampling, odd sizes
    "down": (2, 13, 11, 5, 4),        # downsampling without antialiasing
    "mnist64": (1, 28, 28, 64, 64),   # Fashion-MNIST at a 64-pixel model input
    "onlyw": (3, 8, 8, 8, 12),        # one axis unchanged (copied)
    "tiny": (1, 2, 3, 5, 1),          # single output column
}
out = {}
for name, (c, h, w, oh, ow) in cases.items():
    x = torch.rand(1, c, h, w) * 255
    y = F.interpolate(x, size=(oh, ow), mode="bilinear", align_corners=False)
    out[name + ".x"] = x[0].permute(1, 2, 0).contiguous()
    out[name + ".y"] = y[0].permute(1, 2, 0).contiguous()
save_f32(os.path.join(os.path.dirname(os.path.abspath(__file__)), "resize.safetensors"), out)
