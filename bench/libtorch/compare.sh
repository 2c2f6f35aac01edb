#!/usr/bin/env bash
# FormerSearch's training step against LibTorch 2.10's, alternated run by run (this machine's speed drifts by 10 %
# within minutes): `bench/libtorch/compare.sh [rounds=3] [models=poolformer_s12,deit_tiny]` (as root; 3×64×64, batch
# 64, 2 threads). Prints every run and, per model, both medians and their ratio (FormerSearch's images/s over LibTorch's).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
rounds="${1:-3}"
models="${2:-poolformer_s12,deit_tiny}"
former="$repo/src/FormerSearch.Cli/bin/Release/net10.0/former.dll"
[ -f "$former" ] || dotnet build "$repo/FormerSearch.sln" -c Release -nologo -v quiet -clp:ErrorsOnly >&2
rate() { grep -o '"images_per_s":[0-9.]*' | cut -d: -f2; }
median() { sort -g | awk '{v[NR]=$1} END{print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
for model in ${models//,/ }; do
  ours=() theirs=()
  for ((i = 1; i <= rounds; i++)); do
    ours+=("$(dotnet "$former" bench train --model "$model" --input 3x64x64 --batch-size 64 --threads 2 --json | rate)")
    theirs+=("$("$here/train-bench.sh" --model "$model" --input 3x64x64 --batch-size 64 --threads 2 | rate)")
    echo "$model round $i: FormerSearch ${ours[-1]} images/s, LibTorch ${theirs[-1]} images/s"
  done
  a=$(printf '%s\n' "${ours[@]}" | median) b=$(printf '%s\n' "${theirs[@]}" | median)
  awk -v m="$model" -v a="$a" -v b="$b" 'BEGIN{printf "%s: medians FormerSearch %.1f, LibTorch %.1f images/s: %.2fx\n", m, a, b, a / b}'
done
