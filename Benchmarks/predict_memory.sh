#!/usr/bin/env bash
# Peak resident memory of `voxelfm predict` on a 512×512×300 CT with a 128³-window model (issue 4's ≤ 4 GB target).
#
#   bash Benchmarks/predict_memory.sh [WORKDIR]     (default runs/bench/predict-memory)
#
# Makes (once) a synthetic CT dataset of 512×512×300 cases and a resenc-cpu-s bundle trained for one iteration on
# 128³ patches at the cases' own spacing (the weights do not matter for memory), then runs predict under
# /usr/bin/time -v and prints the maximum resident set. Uses the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-runs/bench/predict-memory}"
bash scripts/provision.sh >/dev/null
swift build -c release --product voxelfm >&2
voxelfm=.build/release/voxelfm
mkdir -p "$work"
if [ ! -f "$work/data/dataset.json" ]; then
  "$voxelfm" synth --kind ct-organs --cases 2 --test-cases 1 --size 512x512x300 --out "$work/data" --force --quiet
fi
if [ ! -f "$work/model/voxelfm.json" ]; then
  "$voxelfm" train --dataset "$work/data" -o "$work/model" --network resenc-cpu-s --fold all --epochs 1 --iterations 1 \
    --validation-iterations 1 --patch 128,128,128 --batch-size 1 --workers 1 --quiet
fi
rm -rf "$work/pred"
/usr/bin/time -v "$voxelfm" predict -m "$work/model" -i "$work/data/imagesTs" -o "$work/pred" --step 1.0 --no-tta --quiet \
  2> "$work/time.txt"
kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.txt")
awk -v k="$kib" 'BEGIN { printf "predict peak RSS: %d KiB = %.2f GiB = %.2f GB\n", k, k / 1048576, k * 1024 / 1e9 }'
