#!/usr/bin/env bash
# Writes Fashion-MNIST out as a PNG image folder, torchvision's ImageFolder layout:
#   scripts/fashion-mnist-folder.sh [OUT] [FORMAT]     (default runs/fashion-mnist-png, png; also jpeg or webp)
# OUT/train/0-T-shirt_top/000000.png … and OUT/test/…: class folders named LABEL-NAME so that their sorted order is
# Fashion-MNIST's label order, file N the N-th image of the IDX file. PNG is lossless: `--dataset folder:OUT` reads the
# IDX files' pixels back exactly. Used by scripts/image-folder-check.sh and `former bench data --folder OUT`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
OUT=${1:-runs/fashion-mnist-png}
FORMAT=${2:-png}
dotnet build src/FormerSearch.Cli -c Release -nologo -v quiet -clp:ErrorsOnly >&2
if [ -d "$OUT/train" ] && [ -d "$OUT/test" ]; then echo "$OUT already holds an image folder; remove it to write it again." >&2; exit 0; fi
dotnet src/FormerSearch.Cli/bin/Release/net10.0/former.dll data export --dataset fashion-mnist --format "$FORMAT" --output "$OUT"
