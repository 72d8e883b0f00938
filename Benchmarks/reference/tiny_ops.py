"""Reference for voxelfm-bench tiny-ops: 100,000 additions of 2x2 tensors in Python torch."""
import torch

from common import arguments, best, emit

threads, phase, workdir, _ = arguments()
if phase == "setup":
    emit({})
    raise SystemExit
count = 100_000
a = torch.ones(2, 2)
b = torch.ones(2, 2)


def run():
    for _ in range(count):
        a + b


t = best(run)
emit({"ops": count, "seconds": t, "us_per_op": t / count * 1e6})
