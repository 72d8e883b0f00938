"""Reference for voxelfm-bench load-weights: a 500 MB float32 state dict (100 tensors of 1.25M values) saved
as safetensors and as torch.save .pt; times Python safetensors' load_file and torch.load (weights_only), then
the same plus a pass over every value (sum), so that lazily mapped loads are charged for reading the data."""
import os

import torch
from safetensors.torch import load_file, save_file

from common import arguments, best, emit

threads, phase, workdir, _ = arguments()
st_path = os.path.join(workdir, "weights.safetensors")
pt_path = os.path.join(workdir, "weights.pt")
if phase == "setup":
    if not (os.path.exists(st_path) and os.path.exists(pt_path)):
        g = torch.Generator().manual_seed(0)
        sd = {f"layer{i}.weight": torch.randn(1250, 1000, generator=g) for i in range(100)}
        save_file(sd, st_path + ".tmp")
        os.replace(st_path + ".tmp", st_path)
        torch.save(sd, pt_path + ".tmp")
        os.replace(pt_path + ".tmp", pt_path)
    emit({})
    raise SystemExit


def touch(sd):
    return sum(float(t.sum()) for t in sd.values())


emit({
    "safetensors_load_seconds": best(lambda: load_file(st_path), repeats=3),
    "pt_load_seconds": best(lambda: torch.load(pt_path, weights_only=True), repeats=3),
    "safetensors_load_and_read_seconds": best(lambda: touch(load_file(st_path)), repeats=3),
    "pt_load_and_read_seconds": best(lambda: touch(torch.load(pt_path, weights_only=True)), repeats=3),
})
