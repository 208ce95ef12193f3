"""Notebook helpers: load and save a network file, and train with a progress bar.

Thin wrappers over ``fileformat`` and ``training`` for ``import mlpsim`` in Jupyter; nothing
here is needed by the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlpsim.core import training
from mlpsim.core.errors import ValidationError
from mlpsim.core.network import Network
from mlpsim.core.optimizers import Optimizer
from mlpsim.data import datasets
from mlpsim.io import fileformat


def network_html(network: Network) -> str:
    """The network's diagram as HTML for Jupyter (plotly.js inline: no internet needed)."""
    from mlpsim.core.forward import forward
    from mlpsim.render.figure import network_figure

    return network_figure(network, forward(network)).to_html(full_html=False, include_plotlyjs=True)


def load(path: str | Path) -> Network:
    """The network in the mlpsim JSON file at ``path``."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ValidationError(f"{path}: cannot read the file ({error.strerror or error})") from None
    return fileformat.loads(data)


def save(network: Network, path: str | Path) -> None:
    """Write ``network`` to ``path`` as an mlpsim JSON file (readable: one line per weight row)."""
    if not isinstance(network, Network):
        raise ValidationError(f"save: expected a Network, got {type(network).__name__}")
    Path(path).write_text(fileformat.dumps(network), encoding="utf-8")


@dataclass(frozen=True)
class History:
    """Per finished epoch (tuples of equal length): the figures ``training.Progress`` reports."""

    train_loss: tuple[float, ...]
    test_loss: tuple[float | None, ...]
    train_accuracy: tuple[float | None, ...]
    test_accuracy: tuple[float | None, ...]


def fit(
    network: Network,
    dataset: str | datasets.Dataset,
    epochs: int = 20,
    loss: str = "squared_error",
    optimizer: str = "adam",
    learning_rate: float | None = None,
    batch_size: int = 32,
    test_fraction: float = 0.25,
    seed: int = 0,
    progress: bool = True,
) -> tuple[Network, History]:
    """Train ``network`` on ``dataset`` (a built-in name or a Dataset) and return (the trained
    network, its History). ``progress`` prints a one-line text bar, rewritten after every epoch
    (in a notebook cell as in a terminal)."""
    data = datasets.load(dataset) if isinstance(dataset, str) else dataset
    train_set, test_set = datasets.split(data, test_fraction, seed)
    # No learning rate given: the optimiser's default (its OPTIMIZERS rule's default_learning_rate).
    chosen = Optimizer(optimizer) if learning_rate is None else Optimizer(optimizer, learning_rate=learning_rate)
    config = training.TrainingConfig(loss=loss, optimizer=chosen, batch_size=batch_size, epochs=epochs)
    state = training.start(network, config, seed=seed)
    test_rows = None if test_set is None else datasets.examples(test_set, network)
    progresses = []
    for step in training.train(state, config, datasets.examples(train_set, network), test_rows):
        progresses.append(step)
        if progress:
            print("\r" + progress_bar(step, epochs), end="", flush=True)
    if progress:
        print()
    history = History(
        tuple(p.train_loss for p in progresses),
        tuple(p.test_loss for p in progresses),
        tuple(p.train_accuracy for p in progresses),
        tuple(p.test_accuracy for p in progresses),
    )
    return (progresses[-1].state.network if progresses else network), history


BAR_WIDTH = 30


def progress_bar(step: training.Progress, epochs: int) -> str:
    """'epoch 3/10 [#########.....................] train loss 0.2 · test accuracy 91.0 %'."""
    done = round(BAR_WIDTH * step.epoch / epochs)
    text = f"epoch {step.epoch}/{epochs} [{'#' * done}{'.' * (BAR_WIDTH - done)}] train loss {step.train_loss:.4g}"
    if step.test_accuracy is not None:
        text += f" · test accuracy {step.test_accuracy:.1%}"
    return text
