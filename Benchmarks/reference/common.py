"""Shared by the reference scripts: argument convention and the timing rule of voxelfm-bench
(best of 5 after 1 warm-up).

Every reference script is called as `NAME.py THREADS PHASE WORKDIR [ARGS]`; PHASE `setup` makes the inputs
both sides read (printing `{}`), `run` measures and prints one JSON object.
"""
import json, sys, time

import torch


def arguments():
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    phase = sys.argv[2] if len(sys.argv) > 2 else "run"
    workdir = sys.argv[3] if len(sys.argv) > 3 else "."
    torch.set_num_threads(threads)
    return threads, phase, workdir, sys.argv[4:]


def emit(result):
    print(json.dumps(result))


def best(body, repeats=5, warmup=1):
    for _ in range(warmup):
        body()
    result = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        result = min(result, time.perf_counter() - start)
    return result
