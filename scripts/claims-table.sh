#!/usr/bin/env bash
# Prints the README's claims tables (markdown) from what scripts/claims.sh wrote into OUT (default runs/claims).
# Needs jq and sqlite3 (apt-get install jq sqlite3); runs that have not finished show as "–".
set -euo pipefail
OUT=${1:-runs/claims}

pct() { awk -v v="$1" 'BEGIN { if (v == "") print "–"; else printf "%.2f", 100 * v }'; }
field() { [ -s "$OUT/$1.json" ] && jq -r "$2 // empty" "$OUT/$1.json" || echo ""; }
# Mean and sample standard deviation of percentages given as fractions, e.g. "88.12 ± 0.31".
mean_sd() { printf '%s\n' "$@" | awk 'NF { x = 100 * $1; s += x; q += x * x; n++ }
  END { if (n == 0) print "–"; else if (n == 1) printf "%.2f", s; else printf "%.2f ± %.2f", s / n, sqrt((q - s * s / n) / (n - 1)) }'; }
study() { [ -s "$OUT/$1/study.sqlite" ] && sqlite3 "$OUT/$1/study.sqlite" "$2" || echo ""; }

echo "### Supernet sampling (BurgerFormer mini, 3 supernet epochs, evolution seed 0 under the default MACs budget)"
echo
echo "| sampler | subnets per step | mean inherited val. acc. of the candidates | best inherited val. acc. | its MMACs | test acc. after 1 fine-tuning epoch |"
echo "|---|---|---|---|---|---|"
for pair in uniform:1 spos:1 sandwich:3 hybrid:3; do
  sampler=${pair%:*}
  run="burger-$sampler"
  mean=$(study "$run" "SELECT AVG(val_acc) FROM candidates WHERE val_acc IS NOT NULL;")
  macs=$(field "$run" '.best.macs')
  echo "| $sampler | ${pair#*:} | $(pct "$mean") | $(pct "$(field "$run" '.best.inherited_val_acc')") | $(awk -v m="$macs" 'BEGIN { if (m == "") print "–"; else printf "%.2f", m / 1e6 }') | $(pct "$(field "$run" '.best.test_acc')") |"
done

compare() { # compare PREFIX A B: per seed, the best inherited validation and test accuracy of algorithms A and B
  local prefix=$1 a=$2 b=$3 av=() bv=() at=() bt=()
  echo "| seed | $a: best inherited val. acc. | $b: best inherited val. acc. | $a: its test acc. | $b: its test acc. |"
  echo "|---|---|---|---|---|"
  for seed in 0 1 2; do
    local x y xt yt
    x=$(field "$prefix-$a-$seed" '.best.inherited_val_acc'); y=$(field "$prefix-$b-$seed" '.best.inherited_val_acc')
    xt=$(field "$prefix-$a-$seed" '.best.test_acc'); yt=$(field "$prefix-$b-$seed" '.best.test_acc')
    av+=("$x"); bv+=("$y"); at+=("$xt"); bt+=("$yt")
    echo "| $seed | $(pct "$x") | $(pct "$y") | $(pct "$xt") | $(pct "$yt") |"
  done
  echo "| mean ± sd | $(mean_sd "${av[@]}") | $(mean_sd "${bv[@]}") | $(mean_sd "${at[@]}") | $(mean_sd "${bt[@]}") |"
}

echo
echo "### Evolution vs random search (BurgerFormer mini, the hybrid supernet, 120 evaluations each, inherited weights)"
echo
compare burger evolution random
echo
echo "### Hierarchical vs flat evolution (GLiT mini, one uniform-sampled supernet, 120 evaluations each, inherited weights)"
echo
compare glit hierarchical evolution
echo
echo "### Ranking by inherited weights (8 subnets, each also trained alone for 1 epoch; held-out accuracy)"
echo
echo "| space | supernet | subnets | Kendall τ | Spearman ρ | inherited acc. range | stand-alone acc. range |"
echo "|---|---|---|---|---|---|---|"
num() { awk -v v="$1" 'BEGIN { if (v == "") print "–"; else printf "%.2f", v }'; }
for row in "burger:BurgerFormer mini, hybrid" "glit:GLiT mini, uniform" "autoformer:AutoFormer mini, uniform"; do
  space=${row%%:*}; what=${row#*:}
  for kind in rank rank-spread; do
    run="$space-$kind"
    picked=$([ "$kind" = rank ] && echo "sampler's draws" || echo "spread over MACs")
    range() { local lo hi; lo=$(field "$run" "[.pairs[]?.$1] | min"); hi=$(field "$run" "[.pairs[]?.$1] | max"); [ -z "$lo" ] && echo "–" || echo "$(pct "$lo")–$(pct "$hi")"; }
    echo "| $space | $what | $picked | $(num "$(field "$run" '.kendall_tau')") | $(num "$(field "$run" '.spearman_rho')") | $(range inherited_val_acc) | $(range standalone_val_acc) |"
  done
done
