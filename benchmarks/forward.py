"""Forward pass of the 784-128-64-10 preset against a bare numpy chain of the same products.

    python benchmarks/forward.py [--repeats 15]

Both run in the same process, interleaved repeat by repeat so that a busy machine slows both
alike. Prints the best and median time per call and the ratios forward ÷ bare, and judges the
targets (≤ 3 at batch 1, ≤ 1.2 at batch 1000) by the ratio of best times, the least disturbed
by other processes; and which BLAS kernel numpy ran (OPENBLAS_CORETYPE, when set, forces one).
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import os
import statistics
import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mlpsim.forward import forward  # noqa: E402
from mlpsim.presets import mnist_sized  # noqa: E402

TARGETS = {1: 3.0, 1000: 1.2}


def blas_description() -> str:
    """The OpenBLAS build and the kernel it chose (OPENBLAS_CORETYPE overrides the choice)."""
    libraries = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "libscipy_openblas*"))
    if not libraries:
        return "unknown (numpy's bundled OpenBLAS not found)"
    library = ctypes.CDLL(libraries[0])
    try:
        corename = library.scipy_openblas_get_corename64_
        config = library.scipy_openblas_get_config64_
        threads = library.scipy_openblas_get_num_threads64_
    except AttributeError:
        return f"unknown ({os.path.basename(libraries[0])} has no scipy_openblas_*64_ symbols)"
    corename.restype = config.restype = ctypes.c_char_p
    threads.restype = ctypes.c_int
    return f"kernel {corename().decode()}, {threads()} threads; {config().decode()}"


def bare_chain(weights: list[np.ndarray], biases: list[np.ndarray]):
    w1, w2, w3 = weights
    b1, b2, b3 = biases

    def run(x: np.ndarray) -> np.ndarray:
        h1 = np.maximum(x @ w1 + b1, 0.0)
        h2 = np.maximum(h1 @ w2 + b2, 0.0)
        z3 = h2 @ w3 + b3
        e = np.exp(z3 - z3.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    return run


def per_call_times(function, argument, number: int, repeats: int) -> list[float]:
    return [t / number for t in timeit.Timer(lambda: function(argument)).repeat(repeat=repeats, number=number)]


def measure(network, bare, x: np.ndarray, repeats: int) -> tuple[list[float], list[float]]:
    ours = lambda inputs: forward(network, inputs)  # noqa: E731
    for function in (bare, ours):  # warm caches and BLAS threads
        function(x)
    # calls per timing so that one timing lasts about 20 ms
    number, _ = timeit.Timer(lambda: bare(x)).autorange()
    number = max(1, int(number * 0.02 / max(timeit.Timer(lambda: bare(x)).timeit(number), 1e-9)))
    bare_times, our_times = [], []
    for repeat in range(repeats):  # alternate which goes first: neither always gets the warmer cache
        pair = [(bare, bare_times), (ours, our_times)]
        for function, times in pair if repeat % 2 == 0 else reversed(pair):
            times += per_call_times(function, x, number, 1)
    return bare_times, our_times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    network = mnist_sized()
    weights = [layer.weights for layer in network.layers]
    biases = [layer.bias for layer in network.layers]
    bare = bare_chain(weights, biases)
    rng = np.random.default_rng(7)

    print(f"numpy {np.__version__}; BLAS: {blas_description()}")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}, "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '(unset)')}; {os.cpu_count()} CPUs")
    print(f"network {'-'.join(map(str, network.layer_sizes))} (relu, relu, softmax); "
          f"best and median of {args.repeats} interleaved timings")
    print(f"{'batch':>6} {'bare best':>11} {'ours best':>11} {'ratio':>6} {'bare median':>12} {'ours median':>12} "
          f"{'ratio':>6}  target")
    for batch, target in TARGETS.items():
        x = network.input_values if batch == 1 else rng.uniform(0.0, 1.0, (batch, network.input_size))
        reference = bare(x)
        if not np.allclose(forward(network, x).output, reference, rtol=1e-12, atol=1e-15):
            print(f"batch {batch}: forward() and the bare chain disagree", file=sys.stderr)
            return 1
        bare_times, our_times = measure(network, bare, x, args.repeats)
        best = min(our_times) / min(bare_times)
        median = statistics.median(our_times) / statistics.median(bare_times)
        verdict = "met" if best <= target else "MISSED"
        print(
            f"{batch:>6} {min(bare_times) * 1e6:>9.1f}µs {min(our_times) * 1e6:>9.1f}µs {best:>6.2f}"
            f" {statistics.median(bare_times) * 1e6:>10.1f}µs {statistics.median(our_times) * 1e6:>10.1f}µs"
            f" {median:>6.2f}  ≤ {target} ({verdict}, by the best-time ratio)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
