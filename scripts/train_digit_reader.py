"""Regenerate mlpsim/preset_files/digit_reader.json, bit for bit: the digit reader preset.

A 64-32-16-10 network (ReLU, ReLU, softmax) trained by mlpsim's own training code on
scikit-learn's digits — pixels divided by 16, so inputs are in [0, 1], not standardised — with
the seeded split below. Run from the repository root:

    PYTHONPATH=. python3 scripts/train_digit_reader.py          # writes the file and prints the accuracy
    PYTHONPATH=. python3 scripts/train_digit_reader.py --check  # exit 1 if the shipped file differs
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file instead of writing it")
    arguments = parser.parse_args()
    network, accuracy = trained_reader()
    text = fileformat.dumps(network)
    path = Path(str(DIGIT_READER_FILE))
    print(f"test accuracy {accuracy:.4f} ({CONFIG.epochs} epochs)")
    if arguments.check:
        same = path.read_text(encoding="utf-8") == text
        print("shipped file is identical" if same else "shipped file DIFFERS")
        return 0 if same else 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path} ({len(text):,} characters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
