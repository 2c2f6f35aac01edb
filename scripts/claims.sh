#!/usr/bin/env bash
# The README's "claims of the papers, at our scale" tables: every run behind them, on Fashion-MNIST with the mini presets.
#   scripts/claims.sh [OUT]   (default runs/claims; about 80 minutes on the 2-core reference machine)
# Two lanes run side by side with one thread each. A finished run is skipped, so an interrupted script picks up where it
# stopped; `scripts/claims-table.sh OUT` prints the tables from what the runs wrote, and two reports draw the compared
# searches side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
OUT=${1:-runs/claims}
mkdir -p "$OUT"
dotnet build src/FormerSearch.Cli -c Release -nologo -v quiet -clp:ErrorsOnly >&2
# A private copy of the build, so that rebuilding the project during the runs does not disturb them.
CLI="$OUT/cli"
rm -rf "$CLI" && cp -r src/FormerSearch.Cli/bin/Release/net10.0 "$CLI"
former() { dotnet "$CLI/former.dll" "$@"; }

# search NAME ARGS…: one `former search` into OUT/NAME, its JSON summary in OUT/NAME.json, its log in OUT/NAME.log.
search() {
  local name=$1; shift
  [ -s "$OUT/$name.json" ] && return
  local resume=()
  [ -d "$OUT/$name" ] && resume=(--resume)
  former search --output "$OUT/$name" --threads 1 --json "${resume[@]}" "$@" > "$OUT/$name.json.tmp" 2> "$OUT/$name.log"
  mv "$OUT/$name.json.tmp" "$OUT/$name.json"
}

# rank NAME SUPERNET ARGS…: `former rank-study` of a trained supernet, 8 subnets trained alone one epoch each.
rank() {
  local name=$1 supernet=$2; shift 2
  [ -s "$OUT/$name.json" ] && return
  former rank-study --supernet "$supernet" --samples 8 --epochs 1 --output "$OUT/$name" --threads 1 --json "$@" > "$OUT/$name.json.tmp" 2> "$OUT/$name.log"
  mv "$OUT/$name.json.tmp" "$OUT/$name.json"
}

burger_lane() {
  # BurgerFormer's sampler ablation: one supernet per sampling rule (3 epochs each), each searched by evolution under the
  # default MACs budget and its best subnet fine-tuned one epoch.
  for sampler in hybrid sandwich uniform spos; do search "burger-$sampler" --sampler "$sampler" --supernet-epochs 3 --finetune-epochs 1; done
  # Evolution vs random search at equal budget (120 evaluations) on the hybrid supernet, three seeds, inherited weights.
  for seed in 0 1 2; do
    for algorithm in evolution random; do
      search "burger-$algorithm-$seed" --supernet "$OUT/burger-hybrid/supernet" --algorithm "$algorithm" --seed "$seed" --finetune-epochs 0
    done
  done
  # Kendall τ of 8 subnets as the sampler draws them, and of 8 spread across the MACs range.
  rank burger-rank "$OUT/burger-hybrid/supernet"
  rank burger-rank-spread "$OUT/burger-hybrid/supernet" --spread
}

glit_autoformer_lane() {
  # GLiT's Table 5: hierarchical vs flat evolution at equal budget on one GLiT supernet (uniform sampling, as the paper), three seeds.
  search glit-hierarchical-0 --space glit --sampler uniform --algorithm hierarchical --supernet-epochs 3 --finetune-epochs 0
  for seed in 0 1 2; do
    for algorithm in hierarchical evolution; do
      search "glit-$algorithm-$seed" --supernet "$OUT/glit-hierarchical-0/supernet" --algorithm "$algorithm" --seed "$seed" --finetune-epochs 0
    done
  done
  # AutoFormer: one supernet trained with its uniform sampling, searched by evolution.
  search autoformer-evolution-0 --space autoformer --sampler uniform --supernet-epochs 3 --finetune-epochs 0
  rank glit-rank "$OUT/glit-hierarchical-0/supernet"
  rank autoformer-rank "$OUT/autoformer-evolution-0/supernet"
  rank glit-rank-spread "$OUT/glit-hierarchical-0/supernet" --spread
  rank autoformer-rank-spread "$OUT/autoformer-evolution-0/supernet" --spread
}

burger_lane &
burger=$!
glit_autoformer_lane &
glit=$!
status=0
wait "$burger" || status=$?
wait "$glit" || status=$?
# Reports that draw the compared searches side by side.
former report --study "$OUT/burger-evolution-0/study.sqlite" --study "$OUT/burger-random-0/study.sqlite" \
  --title "BurgerFormer mini: evolution vs random search" --output "$OUT/evolution-vs-random.html" || status=$?
former report --study "$OUT/glit-hierarchical-0/study.sqlite" --study "$OUT/glit-evolution-0/study.sqlite" \
  --title "GLiT mini: hierarchical vs flat evolution" --output "$OUT/hierarchical-vs-flat.html" || status=$?
exit "$status"
