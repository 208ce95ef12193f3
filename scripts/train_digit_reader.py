"""Regenerate mlpsim/preset_files/digit_reader.json: the digit reader preset.

A 64-32-16-10 network (ReLU, ReLU, softmax) trained by mlpsim's own training code on
scikit-learn's digits — pixels divided by 16, so inputs are in [0, 1], not standardised — with
the seeded split below. Run from the repository root:

    PYTHONPATH=. python3 scripts/train_digit_reader.py          # writes the file and prints the accuracy
    PYTHONPATH=. python3 scripts/train_digit_reader.py --check  # exit 1 if the shipped file differs

The file was written on one CPU; another regenerates it to the last bit or within CHECK_TOLERANCE:
OpenBLAS's kernels and numpy's SIMD loops sum in an order that depends on the processor, and 60
epochs of Adam carry those last-bit differences (seen: 3.4e-15 to 8.0e-15, by OpenBLAS kernel, on an
AMD EPYC against the file written on an Intel CPU). A change to the training code moves the weights far more than that.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from mlpsim.core import training
from mlpsim.core.initializers import initialized_network
from mlpsim.core.optimizers import Optimizer
from mlpsim.data import datasets
from mlpsim.io import fileformat
from mlpsim.io.presets import DIGIT_READER_FILE, DIGIT_READER_NAME, DIGIT_SPLIT_SEED, DIGIT_TEST_FRACTION

SIZES = (64, 32, 16, 10)
ACTIVATIONS = ("relu", "relu", "softmax")
INIT_SEED = 0
SHUFFLE_SEED = 0
CHECK_TOLERANCE = 1e-10
"""Largest difference --check accepts between a regenerated number and the shipped one."""
CONFIG = training.TrainingConfig(
    loss="cross_entropy", optimizer=Optimizer("adam", learning_rate=0.005), batch_size=32, epochs=60
)


def trained_reader():
    """(network, test accuracy): the preset as the script trains it."""
    train, test = datasets.split(datasets.digits(), DIGIT_TEST_FRACTION, DIGIT_SPLIT_SEED)
    network = initialized_network(SIZES, ACTIVATIONS, initializer="he", seed=INIT_SEED)
    network = replace(network, name=DIGIT_READER_NAME, input_name="Pixels (ink / 16)")
    state = training.start(network, CONFIG, seed=SHUFFLE_SEED)
    test_rows = datasets.examples(test, network)
    last = None
    for last in training.train(state, CONFIG, datasets.examples(train, network), test_rows):  # noqa: B007 (the last one is kept)
        pass
    trained = last.state.network
    # The first test image is the input the preset opens with.
    return replace(trained, input_values=test.inputs[0]), last.test_accuracy


def largest_difference(network, shipped) -> float:
    """The largest |difference| over every weight, bias and input value; inf if anything that is
    not a number differs (sizes, activations, the names of the network, its input and layers)."""

    def words(net):
        return (net.layer_sizes, net.name, net.input_name, [(layer.activation, layer.name) for layer in net.layers])

    if words(network) != words(shipped):
        return math.inf
    pairs = [(network.input_values, shipped.input_values)]
    pairs += [(mine.weights, theirs.weights) for mine, theirs in zip(network.layers, shipped.layers)]
    pairs += [(mine.bias, theirs.bias) for mine, theirs in zip(network.layers, shipped.layers)]
    return max(float(np.max(np.abs(np.asarray(mine) - np.asarray(theirs)))) for mine, theirs in pairs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file instead of writing it")
    arguments = parser.parse_args()
    network, accuracy = trained_reader()
    text = fileformat.dumps(network)
    path = Path(str(DIGIT_READER_FILE))
    print(f"test accuracy {accuracy:.4f} ({CONFIG.epochs} epochs)")
    if arguments.check:
        shipped_text = path.read_text(encoding="utf-8")
        if shipped_text == text:
            print("shipped file is identical")
            return 0
        difference = largest_difference(network, fileformat.loads(shipped_text))
        if difference <= CHECK_TOLERANCE:
            print(f"shipped file matches within {difference:.1e} (this CPU sums in another order)")
            return 0
        print(f"shipped file DIFFERS (largest difference {difference:.3g})")
        return 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({len(text):,} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
