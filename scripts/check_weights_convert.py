#!/usr/bin/env python3
"""Acceptance check for `voxelfm weights convert`: a torch.save(model.state_dict()) file converted to
safetensors must give tensors equal to the originals bit for bit (read back with Python's safetensors).

    .venv/bin/python scripts/check_weights_convert.py [path/to/voxelfm]

Also converts a DDP-style nested checkpoint with --key state_dict --strip-prefix module. Exits non-zero on
any difference. Needs the dev venv (scripts/dev-venv.sh).
"""
import os, subprocess, sys, tempfile

import torch
from safetensors.torch import load_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
voxelfm = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/voxelfm")


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv3d(2, 8, 3)
        self.norm = torch.nn.BatchNorm3d(8)
        self.blocks = torch.nn.ModuleList([torch.nn.Linear(8, 8) for _ in range(2)])
        self.head = torch.nn.Linear(8, 3).to(torch.bfloat16)
        self.emb = torch.nn.Embedding(5, 4).half()


def bits(t):
    # Compare raw bytes so NaN payloads and -0.0 count too.
    return t.contiguous().reshape(-1).view(torch.uint8) if t.dtype != torch.bool else t


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and torch.equal(bits(a), bits(b))


torch.manual_seed(0)
model = Net()
with torch.no_grad():
    model.norm.running_mean.normal_()
sd = model.state_dict()
failures = 0
with tempfile.TemporaryDirectory() as tmp:
    plain, nested, out1, out2 = (os.path.join(tmp, n) for n in ("sd.pt", "ckpt.pth", "a.safetensors", "b.safetensors"))
    torch.save(sd, plain)
    torch.save({"epoch": 7, "state_dict": {"module." + k: v for k, v in sd.items()}}, nested)
    subprocess.run([voxelfm, "weights", "convert", plain, out1], check=True)
    subprocess.run([voxelfm, "weights", "convert", nested, out2, "--key", "state_dict", "--strip-prefix", "module."],
                   check=True)
    for path in (out1, out2):
        got = load_file(path)
        if list(got) != list(sd) and sorted(got) != sorted(sd):
            print(f"FAIL {path}: keys differ: {sorted(got)} vs {sorted(sd)}")
            failures += 1
            continue
        for name, tensor in sd.items():
            if not same(got[name], tensor):
                print(f"FAIL {path}: {name} differs")
                failures += 1
    print(f"{'PASS' if failures == 0 else 'FAIL'}: {len(sd)} tensors x 2 files, "
          f"{sum(t.numel() for t in sd.values())} values, bit-exact={failures == 0}")
sys.exit(1 if failures else 0)
