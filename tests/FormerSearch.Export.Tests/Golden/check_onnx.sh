#!/usr/bin/env bash
# Exports a set of models with `former export` (every family's smallest model at 3x64x64 and every MetaFormer mixer
# combination, random subnets of each space's mini preset, some at opset 13 or a fixed batch), each with weights from one
# `former train` step on random .npy images, and checks every file with Debian's onnx.checker (python3-onnx). The result
# goes to check_onnx.txt beside this script, which is committed: tests never run Python.
# Run from anywhere after a Release build: tests/FormerSearch.Export.Tests/Golden/check_onnx.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
former=(dotnet "$root/src/FormerSearch.Cli/bin/Release/net10.0/former.dll")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 - "$work" <<'PY'
import sys
import numpy as np
rng = np.random.default_rng(0)
work = sys.argv[1]
np.save(f"{work}/rgb.npy", rng.standard_normal((16, 3, 64, 64), dtype=np.float32))
np.save(f"{work}/gray.npy", rng.standard_normal((16, 1, 28, 28), dtype=np.float32))
np.save(f"{work}/labels.npy", rng.integers(0, 10, 16, dtype=np.int64))
PY

train() {  # train NAME DATA INPUT SELECTION...: one step, weights in $work/NAME/model.safetensors
  local name=$1 data=$2 input=$3; shift 3
  "${former[@]}" train "$@" --dataset "npy:$work/$data.npy,$work/labels.npy" --input "$input" --max-steps 1 --batch-size 4 \
    --val-size 0 --no-progress --output "$work/$name" > "$work/$name.log" 2>&1 || { cat "$work/$name.log"; exit 1; }
}

for model in poolformer_s12 metaformer_id_s12 metaformer_pppa_s12 metaformer_ppaa_s12 metaformer_pppf_s12 metaformer_ppff_s12 \
             deit_tiny autoformer_tiny glit_tiny burgerformer_tiny; do
  train "$model" rgb 3x64x64 --model "$model"
  "${former[@]}" export --model "$model" --weights "$work/$model/model.safetensors" --input 3x64x64 --output "$work/$model.onnx" > /dev/null
done
train poolformer_mini gray 1x28x28 --model poolformer_mini
"${former[@]}" export --model poolformer_mini --weights "$work/poolformer_mini/model.safetensors" --input 1x28x28 --output "$work/poolformer_mini.onnx" > /dev/null
for model in deit_tiny metaformer_pppa_s12 poolformer_s12; do
  "${former[@]}" export --model "$model" --weights "$work/$model/model.safetensors" --input 3x64x64 --opset 13 --output "$work/$model.opset13.onnx" > /dev/null
done
"${former[@]}" export --model glit_tiny --weights "$work/glit_tiny/model.safetensors" --input 3x64x64 --batch 8 --output "$work/glit_tiny.batch8.onnx" > /dev/null

for space in autoformer glit burger; do
  "${former[@]}" space sample "$space" --preset mini --count 2 --seed 1 --output "$work/archs-$space" > /dev/null
  for arch in "$work/archs-$space"/*.json; do
    name="subnet-$(basename "$arch" .json)"
    train "$name" gray 1x28x28 --arch "$arch"
    "${former[@]}" export --arch "$arch" --weights "$work/$name/model.safetensors" --input 1x28x28 --output "$work/$name.onnx" > /dev/null
  done
done

/usr/bin/python3 "$here/check_onnx.py" "$work"/*.onnx | tee "$here/check_onnx.txt"
