#!/usr/bin/python3
"""Side-by-side: one training step of the 784-128-10 MLP (ReLU, softmax
cross-entropy, SGD) in syncsim's math and in PyTorch, one thread each,
measured in the same run, interleaved, so the ratio is fair on a noisy machine.

Both sides time the same work: forward, backward (no input gradient), SGD
update, on a fixed random batch held in memory.

    /usr/bin/python3 analysis/mlp_vs_pytorch.py [--bench build/release/bench/bench_mlp]
                                       [--batches 32,128] [--rounds 3] [--seconds 2]

Needs Debian's python3-torch, python3-threadpoolctl and libopenblas0-pthread
(scripts/setup-debian.sh does not install them: they are only for this
comparison). Debian's torch calls the BLAS through libblas.so.3; the script
re-executes itself with OpenBLAS first on the library path, because the
reference BLAS is about ten times slower and would flatter syncsim.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"


def ensure_openblas():
    if os.environ.get("SYNCSIM_OPENBLAS_SET") == "1" or not os.path.isdir(OPENBLAS_DIR):
        return
    env = dict(os.environ, SYNCSIM_OPENBLAS_SET="1")
    env["LD_LIBRARY_PATH"] = OPENBLAS_DIR + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def blas_in_use():
    with open("/proc/self/maps") as f:
        maps = f.read()
    if "/blas/libblas.so.3" in maps:
        return "netlib-reference"
    return "openblas" if "openblas" in maps else "unknown"


def torch_samples_per_s(batch, seconds):
    import torch
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.rand(batch, 784)
    y = torch.randint(0, 10, (batch,))
    loss_fn = torch.nn.functional.cross_entropy

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(50):  # warm-up
        step()
    # CPU time of the whole process, as Google Benchmark's items_per_second
    # on the syncsim side: wall time would count the time other jobs on a
    # shared machine take the core, against PyTorch only.
    steps, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        for _ in range(20):
            step()
        steps += 20
    return steps * batch / (time.process_time() - start)


def syncsim_samples_per_s(bench, batch, seconds):
    out = subprocess.run(
        [bench, f"--benchmark_filter=BM_MlpTrainStep/{batch}$", "--benchmark_format=json",
         f"--benchmark_min_time={seconds}"],
        check=True, capture_output=True, text=True).stdout
    runs = json.loads(out)["benchmarks"]
    return runs[0]["items_per_second"]


def main():
    ensure_openblas()
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default="build/release/bench/bench_mlp")
    ap.add_argument("--batches", default="32,128")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=2.0)
    a = ap.parse_args()

    import torch
    from threadpoolctl import threadpool_limits
    torch.set_num_threads(1)
    print(f"# torch {torch.__version__}, blas={blas_in_use()}, one thread each, "
          f"{a.rounds} interleaved rounds, median")
    print("batch,syncsim_samples_per_s,pytorch_samples_per_s,ratio")
    with threadpool_limits(limits=1, user_api="blas"):
        for batch in map(int, a.batches.split(",")):
            ours, theirs = [], []
            for _ in range(a.rounds):
                ours.append(syncsim_samples_per_s(a.bench, batch, a.seconds))
                theirs.append(torch_samples_per_s(batch, a.seconds))
            o, t = statistics.median(ours), statistics.median(theirs)
            print(f"{batch},{o:.0f},{t:.0f},{o / t:.2f}", flush=True)


if __name__ == "__main__":
    main()
