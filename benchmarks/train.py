"""Training throughput: mlpsim against scikit-learn and a bare numpy loop of the same products.

    python benchmarks/train.py [--repeats 5] [--blas-threads 1] [--cpu-time]

Three cases, each trained with plain SGD (η = 0.01, no momentum, no regularisation), shuffled
mini-batches, the same architecture, data, batch size and epochs for all three contenders:

- (a) 2-8-8-1 tanh (sigmoid output, binary cross-entropy) on Playground's circle, 500 points, batch 10, 20 epochs;
- (b) digits 64-32-10 ReLU/softmax (cross-entropy), 1,797 rows, batch 32, 10 epochs;
- (c) 784-128-64-10 ReLU/softmax on 2,000 random samples, batch 64, 5 epochs.

Contenders, timed interleaved (the order alternating run by run) so a busy machine slows them
alike: ``mlpsim`` (targets made for the network, start(), every epoch of train() with its
per-batch loss and accuracy and the per-epoch network), ``sklearn`` (MLPClassifier.fit with
solver='sgd', shuffle=True, momentum=0, alpha=0, tol=0, never stopping early), ``bare`` (a numpy
loop: shuffle, slice, forward, δ = a − y, backward, w −= η·g; no loss, no checks). It prints
best and median seconds per training run and the ratios mlpsim ÷ sklearn (target ≤ 1.0) and
mlpsim ÷ bare (target ≤ 1.3), judged by best times. On a shared machine prefer
``--blas-threads 1 --cpu-time``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from forward import blas_description, set_blas_threads  # noqa: E402  (benchmarks/forward.py)
from sklearn.neural_network import MLPClassifier  # noqa: E402

from mlpsim.core.activations import REGISTRY  # noqa: E402
from mlpsim.core.initializers import initialized_network  # noqa: E402
from mlpsim.core.losses import default_loss  # noqa: E402
from mlpsim.core.optimizers import Optimizer  # noqa: E402
from mlpsim.core.training import TrainingConfig, start, train  # noqa: E402
from mlpsim.data.datasets import Dataset, examples, load  # noqa: E402

RATE = 0.01
TARGET_SKLEARN = 1.0
TARGET_BARE = 1.3


def cases() -> list[tuple[str, Dataset, list[int], list[str], int, int]]:
    rng = np.random.default_rng(0)
    random_rows = Dataset(
        "random",
        "2,000 random 784-pixel rows, 10 random classes",
        rng.uniform(0, 1, (2000, 784)),
        rng.integers(0, 10, 2000),
        class_count=10,
    )
    return [
        (
            "(a) 2-8-8-1 tanh, circle 500, batch 10, 20 epochs",
            load("circle", seed=0),
            [2, 8, 8, 1],
            ["tanh", "tanh", "sigmoid"],
            10,
            20,
        ),
        ("(b) digits 64-32-10 relu, batch 32, 10 epochs", load("digits"), [64, 32, 10], ["relu", "softmax"], 32, 10),
        (
            "(c) 784-128-64-10 relu, 2,000 random, batch 64, 5 epochs",
            random_rows,
            [784, 128, 64, 10],
            ["relu", "relu", "softmax"],
            64,
            5,
        ),
    ]


def run_mlpsim(dataset: Dataset, network, loss: str, batch: int, epochs: int) -> None:
    config = TrainingConfig(loss=loss, optimizer=Optimizer("sgd", RATE), batch_size=batch, epochs=epochs)
    for _ in train(start(network, config, seed=0), config, examples(dataset, network)):
        pass


def run_sklearn(dataset: Dataset, sizes: list[int], hidden: str, batch: int, epochs: int) -> None:
    model = MLPClassifier(
        hidden_layer_sizes=tuple(sizes[1:-1]),
        activation=hidden,
        solver="sgd",
        learning_rate="constant",
        learning_rate_init=RATE,
        alpha=0.0,
        batch_size=batch,
        shuffle=True,
        momentum=0.0,
        nesterovs_momentum=False,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        early_stopping=False,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning: the epochs are meant to be few
        model.fit(dataset.inputs, dataset.labels)
    assert model.n_iter_ == epochs


def run_bare(x: np.ndarray, y: np.ndarray, network, batch: int, epochs: int) -> None:
    weights = [np.array(layer.weights) for layer in network.layers]
    biases = [np.array(layer.bias) for layer in network.layers]
    functions = [REGISTRY[layer.activation].function for layer in network.layers]
    derivatives = [REGISTRY[layer.activation].derivative for layer in network.layers]
    rng = np.random.default_rng(0)
    count = len(weights)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for begin in range(0, len(x), batch):
            rows = order[begin : begin + batch]
            a = x[rows]
            zs, outputs = [], [a]
            for w, b, f in zip(weights, biases, functions):
                z = a @ w + b
                a = f(z)
                zs.append(z)
                outputs.append(a)
            delta = a - y[rows]
            n = len(rows)
            for k in range(count - 1, -1, -1):
                weight_gradient = outputs[k].T @ delta / n
                bias_gradient = delta.sum(axis=0) / n
                if k:
                    delta = (delta @ weights[k].T) * derivatives[k - 1](zs[k - 1], outputs[k])
                weights[k] -= RATE * weight_gradient
                biases[k] -= RATE * bias_gradient


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--blas-threads", type=int, help="OpenBLAS threads (default: its own choice)")
    parser.add_argument("--cpu-time", action="store_true", help="time CPU seconds of this process, not wall time")
    args = parser.parse_args()
    if args.blas_threads:
        set_blas_threads(args.blas_threads)
    timer = time.process_time if args.cpu_time else time.perf_counter
    print(f"numpy {np.__version__}; BLAS: {blas_description()}")
    print(
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}; {args.repeats} interleaved runs of "
        f"{'CPU' if args.cpu_time else 'wall'} time each; best / median seconds per training run"
    )
    missed = False
    for title, dataset, sizes, activations, batch, epochs in cases():
        network = initialized_network(sizes, activations, "xavier", seed=0)
        loss = default_loss(activations[-1])
        rows = examples(dataset, network)
        contenders = {
            "mlpsim": lambda: run_mlpsim(dataset, network, loss, batch, epochs),
            "sklearn": lambda: run_sklearn(dataset, sizes, activations[0], batch, epochs),
            "bare": lambda: run_bare(rows.inputs, rows.targets, network, batch, epochs),
        }
        for function in contenders.values():
            function()  # warm up caches, imports and BLAS threads
        times: dict[str, list[float]] = {name: [] for name in contenders}
        order = list(contenders.items())
        for repeat in range(args.repeats):
            for name, function in order if repeat % 2 == 0 else reversed(order):
                begin = timer()
                function()
                times[name].append(timer() - begin)
        best = {name: min(values) for name, values in times.items()}
        median = {name: statistics.median(values) for name, values in times.items()}
        print(title)
        print("    " + "  ".join(f"{name} {best[name]:.3f} / {median[name]:.3f} s" for name in contenders))
        versus_sklearn = best["mlpsim"] / best["sklearn"]
        versus_bare = best["mlpsim"] / best["bare"]
        verdicts = (versus_sklearn <= TARGET_SKLEARN, versus_bare <= TARGET_BARE)
        missed |= not all(verdicts)
        print(
            f"    mlpsim ÷ sklearn = {versus_sklearn:.2f} (target ≤ {TARGET_SKLEARN}: {'met' if verdicts[0] else 'MISSED'}); "
            f"mlpsim ÷ bare = {versus_bare:.2f} (target ≤ {TARGET_BARE}: {'met' if verdicts[1] else 'MISSED'}); "
            f"medians {median['mlpsim'] / median['sklearn']:.2f}, {median['mlpsim'] / median['bare']:.2f}"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
