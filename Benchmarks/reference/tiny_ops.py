"""Reference for voxelfm-bench tiny-ops: 100,000 additions of 2x2 tensors in Python torch."""
import json, sys, time
import torch

from common import best

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
count = 100_000
a = torch.ones(2, 2)
b = torch.ones(2, 2)


def run():
    for _ in range(count):
        a + b


t = best(run)
print(json.dumps({"ops": count, "seconds": t, "us_per_op": t / count * 1e6}))
