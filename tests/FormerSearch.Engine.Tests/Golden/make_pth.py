#!/usr/bin/python3
"""PyTorch checkpoints for the checkpoint-reader tests (tests/.../IO/TorchCheckpointTests.cs), written by torch.save.

    /usr/bin/python3 make_pth.py   # writes pth/ beside this script

One small state dict (Conv2d, BatchNorm2d with its int64 num_batches_tracked, Linear) saved in each layout a user
meets, and its float32 values in pth/expected.safetensors (float32 in name order) so the tests can demand identical bits:
  plain.pth               the OrderedDict itself (as sail-sg/poolformer publishes);                   expected KEY
  module.pth              keys prefixed 'module.' (saved from a DataParallel model);                  expected KEY
  model.pth               {'model', 'optimizer', 'lr_scheduler', 'epoch', 'scaler', 'args'} (DeiT's / AutoFormer's
                          training checkpoint; args an argparse.Namespace);                           expected KEY
  timm.pth.tar            {'epoch', 'arch', 'state_dict', 'optimizer', 'version', 'args', 'metric', 'state_dict_ema'}
                          (timm's train.py);                                                          expected KEY, ema.KEY
  ema.pth                 {'model_ema'} alone;                                                        expected ema.KEY
  f16.pth, bf16.pth, f64.pth  the floating tensors as float16 / bfloat16 / float64;                   expected f16.KEY, …
  protocol4.pth           the plain layout pickled with protocol 4 (STACK_GLOBAL, MEMOIZE, FRAME);    expected KEY
  shared.pth              views of one storage: offsets, a transpose, steps, a zero stride, a 0-d element, an empty
                          view, one tensor under two names, and a tensor of a second storage;        expected shared.KEY
  many.pth                1,200 one-element views named p0…p1199 (several SETITEMS batches; their order is checked)
  legacy.pt               the plain layout in the pre-1.6 format (_use_new_zipfile_serialization=False)
  whole_module.pth        torch.save of an nn.Linear itself (a class global, refused)
  evil.pth, evil4.pth     a state dict whose extra entry unpickles to os.system("touch SIDE_EFFECT") in Python
                          (protocols 2 and 4); this script checks that torch.load really runs it
"""
import argparse, collections, copy, os, subprocess, sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_file import save_f32  # beside this script

SIDE_EFFECT = "/tmp/formersearch-pickle-side-effect"
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pth")
os.makedirs(here, exist_ok=True)


def path(name):
    return os.path.join(here, name)


torch.manual_seed(0)
model = nn.Sequential(collections.OrderedDict(
    conv=nn.Conv2d(2, 4, 3), bn=nn.BatchNorm2d(4), fc=nn.Linear(4, 3)))
model.train()
with torch.no_grad():
    model.bn(torch.randn(6, 4, 2, 2))  # running statistics and num_batches_tracked = 1
    for p in model.parameters():
        p.normal_(0, 0.5)
sd = collections.OrderedDict((k, v.clone()) for k, v in model.state_dict().items())
ema = collections.OrderedDict((k, v * 0.5 if v.is_floating_point() else v) for k, v in sd.items())
expected = {}
for k, v in sd.items():
    expected[k] = v.float()
    expected["ema." + k] = ema[k].float()

torch.save(sd, path("plain.pth"))
torch.save(collections.OrderedDict(("module." + k, v) for k, v in sd.items()), path("module.pth"))
torch.save(sd, path("protocol4.pth"), pickle_protocol=4)
torch.save(sd, path("legacy.pt"), _use_new_zipfile_serialization=False)

trained = copy.deepcopy(model)  # an optimizer state with tensors, without touching sd
optimizer = torch.optim.AdamW(trained.parameters(), lr=1e-3)
trained.conv(torch.randn(2, 2, 3, 3)).sum().backward()
optimizer.step()
args = argparse.Namespace(lr=5e-4, model="tiny", epochs=300, smoothing=0.1, data_path="/data/imagenet", gp=True)
torch.save({"model": sd, "optimizer": optimizer.state_dict(), "lr_scheduler": {"last_epoch": 3, "base_lrs": [5e-4]},
            "epoch": 3, "scaler": {"scale": 65536.0, "growth_factor": 2.0}, "args": args}, path("model.pth"))
torch.save({"epoch": 5, "arch": "tiny", "state_dict": sd, "optimizer": optimizer.state_dict(), "version": 2, "args": args,
            "metric": 71.25, "state_dict_ema": ema}, path("timm.pth.tar"))
torch.save({"model_ema": ema}, path("ema.pth"))

for tag, dtype in [("f16", torch.float16), ("bf16", torch.bfloat16), ("f64", torch.float64)]:
    converted = collections.OrderedDict((k, v.to(dtype) if v.is_floating_point() else v) for k, v in sd.items())
    torch.save(converted, path(tag + ".pth"))
    for k, v in converted.items():
        expected[f"{tag}.{k}"] = v.float()

base = torch.arange(60, dtype=torch.float32) / 7
other = torch.tensor([1.5, -2.25])
a = base[5:17].view(3, 4)
shared = collections.OrderedDict([
    ("offset", a),                                   # storage offset 5, contiguous
    ("transposed", base.view(6, 10).t()),            # [10, 6], strides (1, 10)
    ("stepped", base.view(6, 10)[1:5:2, 3:9:3]),     # [2, 2], strides (20, 3), offset 13
    ("whole", base),
    ("again", a),                                    # the same tensor under a second name
    ("last", base[59:]),                             # offset 59, one element
    ("scalar", base[7]),                             # 0-d, offset 7
    ("empty", base[10:10]),                          # no elements
    ("broadcast", other.expand(3, 2)),               # strides (0, 1), a second storage
])
torch.save(shared, path("shared.pth"))
for k, v in shared.items():
    expected["shared." + k] = v.contiguous()

many_base = torch.arange(1200, dtype=torch.float32)
torch.save(collections.OrderedDict((f"p{i}", many_base[i:i + 1]) for i in range(1200)), path("many.pth"))

torch.save(nn.Linear(2, 2), path("whole_module.pth"))


class RunsACommand:
    def __reduce__(self):
        return (os.system, (f"touch {SIDE_EFFECT}",))


for name, protocol in [("evil.pth", 2), ("evil4.pth", 4)]:
    torch.save(collections.OrderedDict([("fc.weight", sd["fc.weight"]), ("fc.bias", RunsACommand())]), path(name),
               pickle_protocol=protocol)
    # Prove the fixture is armed: Python's unpickler runs the command.
    if os.path.exists(SIDE_EFFECT):
        os.remove(SIDE_EFFECT)
    subprocess.run([sys.executable, "-c", f"import torch; torch.load({path(name)!r})"], check=True)
    assert os.path.exists(SIDE_EFFECT), "the evil checkpoint did not run its command under torch.load"
    os.remove(SIDE_EFFECT)

save_f32(path("expected.safetensors"), expected)
print("wrote", sorted(os.listdir(here)))
