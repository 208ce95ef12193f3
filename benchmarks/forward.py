"""Forward pass of the 784-128-64-10 preset against a bare numpy chain of the same products.

    python benchmarks/forward.py [--repeats 21] [--blas-threads 1] [--cpu-time]

All contenders run in the same process, interleaved timing by timing (the order alternating) so
that a busy machine slows them alike. For batch 1 and batch 1000 it prints the best and median
time per call of

- bare: x @ W1 + b1 → max(0, ·) → @ W2 + b2 → max(0, ·) → @ W3 + b3 → softmax, nothing kept;
- kept: the same chain holding on to every z and a, as forward() must return them;
- forward(): mlpsim's forward pass (input check, overflow check per layer, ForwardResult);

and the ratio forward ÷ bare against the targets (≤ 3 at batch 1, ≤ 1.2 at batch 1000), judged
by best times, the least disturbed by other processes. It names the BLAS kernel that ran:
OPENBLAS_CORETYPE, when set, forces one. On a shared machine prefer ``--blas-threads 1
--cpu-time``: one thread's CPU time barely depends on what else runs.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import os
import statistics
import sys
import time
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlpsim.core.forward import forward  # noqa: E402
from mlpsim.io.presets import mnist_sized  # noqa: E402

TARGETS = {1: 3.0, 1000: 1.2}
TIMING_SECONDS = 0.02


def _openblas():
    """numpy's bundled OpenBLAS (a ctypes handle), or None if numpy uses another BLAS."""
    libraries = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "libscipy_openblas*"))
    if not libraries:
        return None
    library = ctypes.CDLL(libraries[0])
    return library if hasattr(library, "scipy_openblas_get_corename64_") else None


def blas_description() -> str:
    """The OpenBLAS build and the kernel it chose."""
    library = _openblas()
    if library is None:
        return "unknown (numpy's bundled scipy-openblas not found)"
    corename, config = library.scipy_openblas_get_corename64_, library.scipy_openblas_get_config64_
    corename.restype = config.restype = ctypes.c_char_p
    threads = library.scipy_openblas_get_num_threads64_
    threads.restype = ctypes.c_int
    return f"kernel {corename().decode()}, {threads()} threads; {config().decode()}"


def set_blas_threads(count: int) -> None:
    library = _openblas()
    if library is None:
        raise SystemExit("--blas-threads needs numpy's bundled scipy-openblas")
    library.scipy_openblas_set_num_threads64_(ctypes.c_int(count))


def chains(weights: list[np.ndarray], biases: list[np.ndarray]):
    """The bare chain, and the same chain keeping every z and a. x: (N0,) or (B, N0)."""
    w1, w2, w3 = weights
    b1, b2, b3 = biases

    def softmax(z: np.ndarray) -> np.ndarray:
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def bare(x: np.ndarray) -> np.ndarray:
        h1 = np.maximum(x @ w1 + b1, 0.0)
        h2 = np.maximum(h1 @ w2 + b2, 0.0)
        return softmax(h2 @ w3 + b3)

    def kept(x: np.ndarray) -> tuple[np.ndarray, ...]:
        z1 = x @ w1 + b1
        a1 = np.maximum(z1, 0.0)
        z2 = a1 @ w2 + b2
        a2 = np.maximum(z2, 0.0)
        z3 = a2 @ w3 + b3
        return z1, a1, z2, a2, z3, softmax(z3)

    return bare, kept


def measure(contenders: dict, x: np.ndarray, repeats: int, timer) -> dict[str, list[float]]:
    """Seconds per call, ``repeats`` timings of each contender, interleaved."""
    for function in contenders.values():  # warm caches and BLAS threads
        function(x)
    first = next(iter(contenders.values()))
    seconds = timeit.Timer(lambda: first(x), timer=timer).timeit(10) / 10
    number = max(1, int(TIMING_SECONDS / max(seconds, 1e-9)))
    times: dict[str, list[float]] = {name: [] for name in contenders}
    order = list(contenders.items())
    for repeat in range(repeats):
        for name, function in order if repeat % 2 == 0 else reversed(order):
            times[name].append(timeit.Timer(lambda: function(x), timer=timer).timeit(number) / number)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--blas-threads", type=int, help="OpenBLAS threads (default: its own choice)")
    parser.add_argument("--cpu-time", action="store_true", help="time CPU seconds of this process, not wall time")
    args = parser.parse_args()
    if args.blas_threads:
        set_blas_threads(args.blas_threads)
    timer = time.process_time if args.cpu_time else time.perf_counter

    network = mnist_sized()
    bare, kept = chains([layer.weights for layer in network.layers], [layer.bias for layer in network.layers])
    contenders = {"bare": bare, "kept": kept, "forward()": lambda x: forward(network, x)}
    rng = np.random.default_rng(7)

    print(f"numpy {np.__version__}; BLAS: {blas_description()}")
    print(
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, "
        f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '(unset)')}; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"network {'-'.join(map(str, network.layer_sizes))} (relu, relu, softmax); {args.repeats} interleaved "
        f"timings of {'CPU' if args.cpu_time else 'wall'} time each; best / median per call"
    )
    for batch, target in TARGETS.items():
        x = network.input_values if batch == 1 else rng.uniform(0.0, 1.0, (batch, network.input_size))
        if not np.allclose(forward(network, x).output, bare(x), rtol=1e-12, atol=1e-15):
            print(f"batch {batch}: forward() and the bare chain disagree", file=sys.stderr)
            return 1
        times = measure(contenders, x, args.repeats, timer)
        best = {name: min(values) for name, values in times.items()}
        median = {name: statistics.median(values) for name, values in times.items()}
        cells = "  ".join(f"{name} {best[name] * 1e6:,.1f} / {median[name] * 1e6:,.1f} µs" for name in contenders)
        ratio = best["forward()"] / best["bare"]
        verdict = "met" if ratio <= target else "MISSED"
        print(f"batch {batch:>4}: {cells}")
        print(
            f"            forward() ÷ bare = {ratio:.2f} best, {median['forward()'] / median['bare']:.2f} median "
            f"(target ≤ {target}: {verdict}); forward() ÷ kept = {best['forward()'] / best['kept']:.2f} best"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
