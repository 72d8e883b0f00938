#!/usr/bin/env bash
# Runs voxelfm from this checkout: provisions libtorch when needed, builds in release, then runs
# `voxelfm ARGS...`. The README's main-job command.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/provision.sh
swift build -c release --product voxelfm >&2
exec "$root/.build/release/voxelfm" "$@"
