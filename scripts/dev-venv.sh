#!/usr/bin/env bash
# Creates the git-ignored Python venv (.venv) used only by dev tooling: fixture generators and benchmark
# references (torch 2.13.0+cpu, numpy, safetensors). Never used by voxelfm itself. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="${VOXELFM_VENV:-$root/.venv}"
if "$venv/bin/python" -c 'import torch, numpy, safetensors' 2>/dev/null; then
  echo "dev-venv: ready at $venv" >&2
  exit 0
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
cache="${VOXELFM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/voxelfm}/wheels"
wheel="$(ls "$cache"/torch-2.13.0+cpu-*.whl 2>/dev/null | head -n 1 || true)"
if [ -z "$wheel" ]; then
  mkdir -p "$cache"
  "$venv/bin/python" -m pip download --no-deps --quiet --dest "$cache" "torch==2.13.0+cpu"
  wheel="$(ls "$cache"/torch-2.13.0+cpu-*.whl | head -n 1)"
fi
"$venv/bin/python" -m pip install --quiet "$wheel" numpy safetensors
echo "dev-venv: installed torch 2.13.0+cpu, numpy, safetensors into $venv" >&2
