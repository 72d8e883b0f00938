"""Timing helpers shared by the reference scripts (the same rule as voxelfm-bench: best of 5 after 1 warm-up)."""
import time


def best(body, repeats=5, warmup=1):
    for _ in range(warmup):
        body()
    result = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        result = min(result, time.perf_counter() - start)
    return result
