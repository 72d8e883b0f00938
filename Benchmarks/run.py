#!/usr/bin/env python3
"""Runs one benchmark of voxelfm and its Python reference side by side and prints the ratio.

    python3 Benchmarks/run.py NAME [--threads N] [-- ARGS]

Builds voxelfm-bench in release, makes the dev venv (scripts/dev-venv.sh) if needed, runs
`Benchmarks/reference/NAME.py THREADS setup WORKDIR` (makes shared inputs under runs/bench/NAME), then
`voxelfm-bench NAME --threads THREADS WORKDIR` and `NAME.py THREADS run WORKDIR`, and prints each measured
key with ratio = voxelfm / reference (below 1: voxelfm is faster).
"""
import argparse, json, os, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_json(cmd, env=None):
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True, env=env)
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("name")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    subprocess.run(["bash", "scripts/provision.sh"], cwd=ROOT, check=True)
    subprocess.run(["bash", "scripts/dev-venv.sh"], cwd=ROOT, check=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "voxelfm-bench"], cwd=ROOT, check=True,
                   stdout=sys.stderr)
    python = os.environ.get("VOXELFM_VENV", os.path.join(ROOT, ".venv")) + "/bin/python"
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    # Inputs both sides read (weights files, volumes) are made once by the reference's setup phase.
    workdir = os.path.join(ROOT, "runs", "bench", args.name)
    os.makedirs(workdir, exist_ok=True)
    script = os.path.join(ROOT, "Benchmarks/reference", args.name.replace("-", "_") + ".py")
    run_json([python, script, str(args.threads), "setup", workdir] + args.rest, env)
    ours = run_json([os.path.join(ROOT, ".build/release/voxelfm-bench"), args.name, "--threads", str(args.threads),
                     workdir] + args.rest, env)
    ref = run_json([python, script, str(args.threads), "run", workdir] + args.rest, env)
    print(f"benchmark {args.name} (threads {args.threads})")
    print(f"{'measure':<28}{'voxelfm':>14}{'reference':>14}{'ratio':>10}")
    for key in sorted(set(ours) | set(ref)):
        a, b = ours.get(key), ref.get(key)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)) and key != "ops":
            ratio = f"{a / b:.3f}" if b else "-"
            print(f"{key:<28}{a:>14.6g}{b:>14.6g}{ratio:>10}")
        else:
            print(f"{key:<28}{str(a):>14}{str(b):>14}")


if __name__ == "__main__":
    main()
