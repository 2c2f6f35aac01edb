#!/usr/bin/env bash
# The real-data check of image folders (issue 11): the same training run on Fashion-MNIST read from its IDX files and from
# a PNG image folder of the same pixels, and `former search --preset quick` on the folder.
#   scripts/image-folder-check.sh [OUT]    (default runs/image-folder-check; about 5 minutes on 2 cores)
# Prints both test accuracies and their difference (in points) and the search's summary. The folder lists images class by
# class where the IDX files interleave them, so the shuffled batches differ: the difference is training noise, not pixels.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
OUT=${1:-runs/image-folder-check}
mkdir -p "$OUT"
scripts/fashion-mnist-folder.sh "$OUT/fashion-mnist-png" >/dev/null
# A private copy of the build, so that rebuilding the project during the runs does not disturb them.
rm -rf "$OUT/cli" && cp -r src/FormerSearch.Cli/bin/Release/net10.0 "$OUT/cli"
former() { dotnet "$OUT/cli/former.dll" "$@"; }
top1() { sed -n 's/.*"top1":\([-0-9.eE]*\).*/\1/p'; }
common=(--model poolformer_mini --epochs 1 --seed 0 --crop-padding 2 --cache-dir "$OUT/cache" --no-progress)
former train "${common[@]}" --dataset fashion-mnist --output "$OUT/idx" --resume >/dev/null
former train "${common[@]}" --dataset "folder:$OUT/fashion-mnist-png" --output "$OUT/folder" --resume >/dev/null
idx=$(former eval --weights "$OUT/idx/model.safetensors" --dataset fashion-mnist --json | top1)
folder=$(former eval --weights "$OUT/folder/model.safetensors" --dataset "folder:$OUT/fashion-mnist-png" --cache-dir "$OUT/cache" --json | top1)
same=$(former eval --weights "$OUT/folder/model.safetensors" --dataset fashion-mnist --json | top1)
awk -v a="$idx" -v b="$folder" -v c="$same" 'BEGIN { printf "test top-1 after one epoch: IDX files %.2f %%, PNG folder %.2f %% (difference %.2f points); the folder-trained weights on the IDX test set: %.2f %%\n", 100*a, 100*b, 100*(b-a), 100*c }'
echo "former search --preset quick on the folder:"
former search --preset quick --dataset "folder:$OUT/fashion-mnist-png" --cache-dir "$OUT/cache" --output "$OUT/search" --resume
