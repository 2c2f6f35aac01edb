#!/usr/bin/python3
"""The official AutoFormer supernet-T state-dict keys and shapes (microsoft/Cream), one "name AxBxC" a line.

    /usr/bin/python3 make_supernet_keys.py [CREAM_GIT_DIR]   # writes ../Fixtures/autoformer_supernet_tiny.keys.txt

Builds Vision_TransformerSuper as supernet_train.py does for experiments/supernet/supernet-T.yaml (SUPERNET:
embed 256, depth 14, 4 heads, MLP ratio 4) with the README's flags (gp, change_qkv, relative_position, max
distance 14, qkv bias), 3×224×224, 1000 classes. The official code is extracted to a temporary directory and
imported at generation time (torch._six.container_abcs stubbed), never committed.
"""
import collections.abc, io, os, subprocess, sys, tarfile, tempfile

import torch
import torch._six

torch._six.container_abcs = collections.abc
repo = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/microsoft+Cream/repo"
src = tempfile.mkdtemp()
archive = subprocess.run(["git", "-C", repo, "archive", "HEAD", "AutoFormer/model"], check=True, capture_output=True).stdout
tarfile.open(fileobj=io.BytesIO(archive)).extractall(src)
sys.path.insert(0, os.path.join(src, "AutoFormer"))
from model.supernet_transformer import Vision_TransformerSuper

model = Vision_TransformerSuper(img_size=224, patch_size=16, in_chans=3, num_classes=1000, embed_dim=256, depth=14,
                                num_heads=4, mlp_ratio=4.0, qkv_bias=True, gp=True, relative_position=True,
                                change_qkv=True, max_relative_position=14)
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "autoformer_supernet_tiny.keys.txt")
with open(out, "w") as f:
    for name, t in model.state_dict().items():
        f.write(f"{name} {'x'.join(str(s) for s in t.shape)}\n")
