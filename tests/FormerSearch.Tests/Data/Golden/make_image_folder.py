#!/usr/bin/python3
"""Golden vectors of image folders for FormerSearch's ImageFolderListing and ImageLoader.

    /usr/bin/python3 make_image_folder.py     # writes image_folder.json and pil_resize.safetensors here

image_folder.json: a fixture tree (every file and folder to create, files empty: listing never opens them) and what
torchvision's ImageFolder rules make of it: DatasetFolder(root, extensions=IMG_EXTENSIONS + (".gif",)) — the classes in
order and every (path relative to the root, label), in torchvision's order.

pil_resize.safetensors: torchvision's evaluation transform on PIL images, Resize(size) then CenterCrop(size) with
bilinear (antialiased) resampling, after Grayscale() when the output has one channel and the source three. Each case
CASE stores CASE.x, the source [H, W, C] as uint8 values in float32, and CASE.y, the output [size, size, C'].
"""
import json, os, sys, tempfile

import numpy as np
import torch
from PIL import Image
from torchvision import transforms
from torchvision.datasets.folder import DatasetFolder, IMG_EXTENSIONS

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "FormerSearch.Engine.Tests", "Golden"))
from safetensors_file import save_f32  # the engine tests' writer

FILES = [
    "B/one.jpg", "B/Two.JPG", "B/three.Png", "B/notes.txt", "B/archive.jpg.bak", "B/noext",
    "a/x/z/deep.png", "a/x/first.jpeg", "a/x-y/dash.webp", "a/x y/space.bmp", "a/top.gif", "a/.hidden.png",
    "a/x/Upper.JPEG", "a/x/lower.jpeg", "a/x/_under.jpg", "a/x/10.png", "a/x/9.png",
    "a b/photo.tif", "a b/photo.tiff", "a b/photo.ppm", "a b/photo.pgm",
    "a-b/p.WEBP", "_x/p.GIF", "Z9/p.bmp", "\u00e4/p.png", "\U0001F600/p.png", "\uff21/p.png",
    "readme.jpg",  # in the root, not in a class folder: no class's image
]
DIRS = ["a/x/empty-subfolder"]  # an empty sub-folder inside a class is fine

with tempfile.TemporaryDirectory() as root:
    for f in FILES:
        path = os.path.join(root, f)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "wb").close()
    for d in DIRS:
        os.makedirs(os.path.join(root, d), exist_ok=True)
    data = DatasetFolder(root, loader=lambda p: p, extensions=IMG_EXTENSIONS + (".gif",))
    samples = [[os.path.relpath(p, root).replace(os.sep, "/"), label] for p, label in data.samples]
    with open(os.path.join(HERE, "image_folder.json"), "w", encoding="utf-8") as out:
        json.dump({"files": FILES, "dirs": DIRS, "classes": data.classes, "samples": samples}, out, ensure_ascii=True, indent=1)
        out.write("\n")

rng = np.random.default_rng(0)
CASES = {  # name: (source H, W, C, output size, output channels)
    "down_rgb": (37, 53, 3, 28, 3),        # shorter side 37 -> 28, centre crop of the wider side
    "down_tall": (61, 24, 3, 16, 3),       # portrait
    "same_grey": (28, 28, 1, 28, 1),       # already the size: passes through unchanged
    "up_grey": (20, 30, 1, 28, 1),         # upscaling
    "rgb_to_grey": (45, 40, 3, 24, 1),     # Grayscale() first, then resize and crop
    "grey_to_rgb": (33, 33, 1, 32, 3),     # a grey image for a 3-channel model
    "big_down": (128, 160, 3, 16, 3),      # a factor of 8: wide antialiasing filter
    "odd_crop": (31, 40, 3, 28, 3),        # crop offsets that round half to even
}
out = {}
for name, (h, w, c, size, oc) in CASES.items():
    x = rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)
    image = Image.fromarray(x[:, :, 0] if c == 1 else x, "L" if c == 1 else "RGB")
    if oc == 1 and c == 3:
        image = transforms.Grayscale()(image)
    if oc == 3 and c == 1:
        image = image.convert("RGB")
    y = transforms.CenterCrop(size)(transforms.Resize(size)(image))
    y = np.asarray(y, dtype=np.uint8).reshape(size, size, oc)
    out[name + ".x"] = torch.from_numpy(x.astype(np.float32))
    out[name + ".y"] = torch.from_numpy(y.astype(np.float32))
save_f32(os.path.join(HERE, "pil_resize.safetensors"), out)

# Fixtures in formats SkiaSharp cannot write (the tests write PNG, JPEG and WebP themselves, and BMP by hand):
#   two_frames.gif   8×8, first frame left half red, right half blue; second frame all green (only the first is read)
#   palette.png      8×8 palette image, the same two halves
#   grey16.png       8×8 16-bit grey, value 257·(8y + x) (8-bit: 8y + x)
first = np.zeros((8, 8, 3), dtype=np.uint8)
first[:, :4, 0] = 255
first[:, 4:, 2] = 255
second = np.zeros((8, 8, 3), dtype=np.uint8)
second[:, :, 1] = 255
frames = [Image.fromarray(a, "RGB").convert("P", palette=Image.ADAPTIVE, colors=4) for a in (first, second)]
frames[0].save(os.path.join(HERE, "two_frames.gif"), save_all=True, append_images=frames[1:], duration=100, loop=0)
frames[0].save(os.path.join(HERE, "palette.png"))
grey16 = (np.arange(64, dtype=np.uint16).reshape(8, 8) * 257)
Image.fromarray(grey16.astype(np.uint16), "I;16").save(os.path.join(HERE, "grey16.png"))
