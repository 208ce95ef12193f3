"""The Train page's run, as values: data prepared for a network, the settings, and a ``Run``
that Step (one mini-batch), Epoch and Play advance. No Streamlit here.

Every update goes through mlpsim.core.training.train, so the page trains exactly as the core does.
The core trains whole epochs; a Step trains one mini-batch by handing ``train`` just that
batch's rows (batch size = their count, no shuffle): one epoch over them is one update with
the same loss, optimiser and memory. The epoch's shuffle is the core's own (``epoch_order``: a
permutation from the PCG64 state the TrainingState carries), so Steps through a whole epoch
give the same weights as one Epoch.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from mlpsim.core.errors import ValidationError
from mlpsim.core.losses import LOSSES, default_loss, get_loss
from mlpsim.core.network import Network
from mlpsim.core.optimizers import Optimizer, OptimizerState
from mlpsim.core.training import (
    Examples,
    TrainingConfig,
    TrainingDiverged,
    TrainingState,
    epoch_order,
    start,
    train,
)
from mlpsim.data import datasets
from mlpsim.data.datasets import Dataset


@dataclass(frozen=True)
class DataChoice:
    """Which rows to train on: a built-in dataset's name and its knobs (an upload has its own)."""

    name: str = "circle"
    """A fresh Train page's data: Playground's circle, as the Playground opens."""
    points: int = 500
    noise: float = 0.0
    test_percent: int = 50
    seed: int = 0


@dataclass(frozen=True)
class Settings:
    """What the learner sets; all of it may change between steps. The defaults are the circle's
    (datasets.DATASETS["circle"].training), the data a fresh page opens on."""

    loss: str = "squared_error"
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    batch_size: int = 10
    l1: float = 0.0
    l2: float = 0.0
    epochs_per_frame: int = 8

    def optimizer_object(self) -> Optimizer:
        return Optimizer(self.optimizer, self.learning_rate, l1=self.l1, l2=self.l2)

    def config(self, epochs: int, batch_size: int | None = None, shuffle: bool = True) -> TrainingConfig:
        return TrainingConfig(self.loss, self.optimizer_object(), batch_size or self.batch_size, epochs, shuffle)

    def with_defaults(self, defaults: datasets.TrainingDefaults) -> Settings:
        """A dataset's declared loss, optimiser, η and batch size, without L1 or L2 (the defaults
        were chosen without them); epochs per frame is how Play runs, not how it learns: kept."""
        return replace(
            self,
            loss=defaults.loss,
            optimizer=defaults.optimizer,
            learning_rate=defaults.learning_rate,
            batch_size=defaults.batch_size,
            l1=0.0,
            l2=0.0,
        )

    def differences(self, defaults: datasets.TrainingDefaults) -> tuple[str, ...]:
        """Which of the declared defaults these settings leave: ('η', 'batch size'), () for none."""
        pairs = (
            ("loss", self.loss, defaults.loss),
            ("optimiser", self.optimizer, defaults.optimizer),
            ("η", self.learning_rate, defaults.learning_rate),
            ("batch size", self.batch_size, defaults.batch_size),
            ("L1", self.l1, 0.0),
            ("L2", self.l2, 0.0),
        )
        return tuple(what for what, mine, declared in pairs if mine != declared)


@dataclass(frozen=True, eq=False)
class Prepared:
    """A dataset split and made into the rows a network of one shape trains on.

    train/test: the split Dataset parts (test None without test rows); train_rows/test_rows:
    their Examples for the network (targets one-hot, ±1 or 0/1 as its output needs).
    """

    dataset: Dataset
    train: Dataset
    test: Dataset | None
    train_rows: Examples
    test_rows: Examples | None


def built_in(choice: DataChoice) -> tuple[Dataset, Dataset, Dataset | None]:
    """The dataset and its seeded split: the same every time for the same choice (the Train
    page shares it between sessions: ui/pages/train.py caches it, and never modifies it)."""
    spec = datasets.DATASETS.get(choice.name)  # an unknown name: load says which names there are
    points = None if spec is not None and not spec.sized else choice.points
    dataset = datasets.load(choice.name, points, choice.noise, choice.seed)
    return (dataset, *split(dataset, choice.test_percent, choice.seed))


def split(dataset: Dataset, test_percent: int, seed: int) -> tuple[Dataset, Dataset | None]:
    """The core's split, except that a set too small to split (a truth table's 4 rows at a
    percentage that rounds to no test row) trains on every row and tests on none."""
    fraction = test_percent / 100
    if fraction > 0 and (round(fraction * len(dataset)) < 1 or len(dataset) - round(fraction * len(dataset)) < 1):
        fraction = 0.0
    spec = datasets.DATASETS.get(dataset.name)
    if spec is not None and spec.truth_table:
        fraction = 0.0  # four rows: every one is needed to learn the gate
    return datasets.split(dataset, fraction, seed)


def prepare(dataset: Dataset, train_part: Dataset, test_part: Dataset | None, network: Network) -> Prepared:
    """Rows for ``network``; a ValidationError saying both shapes when the data does not fit."""
    train_rows = datasets.examples(train_part, network)
    test_rows = None if test_part is None else datasets.examples(test_part, network)
    return Prepared(dataset, train_part, test_part, train_rows, test_rows)


# ---- fitting the network to the data -----------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Reshape:
    """A network fitted to a dataset, the loss to train it with, and what changed (sentences)."""

    network: Network
    loss: str
    changes: tuple[str, ...]


def reshape_for(network: Network, dataset: Dataset) -> Reshape:
    """``network`` with the input size of ``dataset``'s features and an output layer for its
    targets: 1 output for 2 classes (tanh kept with squared error, as the Playground; else
    sigmoid with binary cross-entropy), K softmax outputs with cross-entropy for K > 2 classes,
    linear outputs with squared error for regression. Hidden layers are kept; weights of new
    rows and columns start at 0 (the overlapping block is kept)."""
    changes = []
    n_features = dataset.inputs.shape[1]
    output_position = len(network.layers)
    if dataset.is_classification:
        outputs = 1 if dataset.class_count == 2 else dataset.class_count
        current = network.layers[-1].activation
        if outputs == 1:
            activation = "tanh" if current == "tanh" else "sigmoid"
        else:
            activation = "softmax"
    else:
        assert dataset.targets is not None  # a regression set has targets (a Dataset's invariant)
        outputs = dataset.targets.shape[1]
        activation = "linear"
    loss = default_loss(activation)
    fitted = network
    if fitted.input_size != n_features:
        changes.append(f"input layer: {fitted.input_size} → {n_features} neurons (one per feature)")
        fitted = fitted.resized(0, n_features)
    if fitted.layers[-1].size != outputs:
        what = f"{dataset.class_count} classes" if dataset.is_classification else f"{outputs} target(s)"
        changes.append(f"output layer: {fitted.layers[-1].size} → {outputs} neuron(s) for {what}")
        fitted = fitted.resized(output_position, outputs)
    if fitted.layers[-1].activation != activation:
        changes.append(f"output activation: {fitted.layers[-1].activation} → {activation}")
        fitted = fitted.with_activation(output_position, activation)
    if changes:
        changes.append("new weights start at 0; the overlapping weights are kept")
        fitted = replace(fitted, name=reshaped_name(network.name, fitted))
    changes.append(f"loss: {LOSSES[loss].title}")
    return Reshape(fitted, loss, tuple(changes))


RESHAPED = ", reshaped ("


def reshaped_name(name: str, reshaped: Network) -> str:
    """The name of a reshaped network, which says so and gives its new sizes: 'Seed example
    (3-4-2), reshaped (2-4-1)'; a network reshaped again keeps one such note, the latest."""
    base = name.split(RESHAPED)[0] if name else "Untitled network"
    return f"{base}{RESHAPED}{'-'.join(map(str, reshaped.layer_sizes))})"


# ---- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EpochRecord:
    epoch: int
    train_loss: float
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None


@dataclass(frozen=True, eq=False)
class Run:
    """A training run as a value.

    start: the network training started from (Reset returns to it); seed: the shuffle's seed.
    state: current network and optimiser memory; state.epoch = epochs finished; state.rng_state
        = the shuffle generator before the current epoch's permutation.
    batches_done: mini-batches of the current epoch already taken (0 at an epoch boundary);
    loss_sum, correct: the current epoch's sums so far (for its train figures).
    history: one record per finished epoch.
    """

    start: Network
    seed: int
    state: TrainingState
    batches_done: int = 0
    loss_sum: float = 0.0
    correct: float = 0.0
    history: tuple[EpochRecord, ...] = field(default=())

    @property
    def network(self) -> Network:
        return self.state.network

    @property
    def epoch(self) -> int:
        return self.state.epoch


@dataclass(frozen=True, eq=False)
class Stopped:
    """Training diverged: the run holds the last finite weights; ``message`` says where."""

    run: Run
    message: str
    epoch: int
    layer: int | None


def new_run(network: Network, settings: Settings, seed: int) -> Run:
    return Run(start=network, seed=seed, state=start(network, settings.config(1), seed))


def reset(run: Run, settings: Settings) -> Run:
    """Back to the starting weights, the same seed, no history."""
    return new_run(run.start, settings, run.seed)


def _fitted_state(run: Run, settings: Settings) -> TrainingState:
    """The run's state with optimiser memory of the right kind: switching optimiser (sgd →
    adam, or momentum → another rule remembering one velocity) starts the new one's memory at zero."""
    if run.state.optimizer_state.rule == settings.optimizer:
        return run.state
    fresh = settings.optimizer_object().initial_state(
        [array for layer in run.network.layers for array in (layer.weights, layer.bias)]
    )
    return replace(run.state, optimizer_state=fresh)


def batch_count(rows: Examples, settings: Settings) -> int:
    return -(-len(rows) // settings.batch_size)


def next_batch(run: Run, settings: Settings, data: Prepared) -> np.ndarray:
    """The rows the next Step trains: (B,) 0-based indices into ``data.train_rows``, in the
    order it trains them — the current epoch's shuffle (the core's ``epoch_order`` from the
    run's generator state), from the first row no Step of this epoch has taken. Empty when the
    batch size grew mid-epoch past the rows left: that Step only ends the epoch. ``step`` takes
    its rows from here, so the one-step panel shows the very batch Step trains."""
    order, _ = epoch_order(run.state.rng_state, len(data.train_rows))
    first = run.batches_done * settings.batch_size
    return order[first : first + settings.batch_size]


def optimizer_memory(run: Run, settings: Settings) -> OptimizerState:
    """What the optimiser remembers before the next Step, of the kind ``settings`` name (a
    switched optimiser starts from zero, as Step then does)."""
    return _fitted_state(run, settings).optimizer_state


def _subset(rows: Examples, indices: np.ndarray) -> Examples:
    labels = None if rows.labels is None else rows.labels[indices]
    return Examples(rows.inputs[indices], rows.targets[indices], labels, rows.threshold)


def _stopped(
    run: Run, error: TrainingDiverged, epoch: int, batch: int, settings: Settings, state: TrainingState
) -> Stopped:
    where = "" if error.layer is None else f" in layer {error.layer} ({run.network.layer_title(error.layer)})"
    message = (
        f"Training stopped at epoch {epoch}, batch {batch}: a value{where} became infinite or not a number. "
        f"The last finite weights are back (they may be huge: Reset returns to the starting ones). "
        f"Try a smaller learning rate than {settings.learning_rate:g} (say {settings.learning_rate / 10:g})."
    )
    return Stopped(replace(run, state=state), message, epoch, error.layer)


def step(run: Run, settings: Settings, data: Prepared) -> Run | Stopped:
    """One mini-batch of the current epoch (the last one ends the epoch and records it)."""
    rows = data.train_rows
    state = _fitted_state(run, settings)
    _, rng_after = epoch_order(state.rng_state, len(rows))
    indices = next_batch(run, settings, data)
    if indices.size == 0:  # the batch size grew mid-epoch past the rows left: end the epoch now
        return _finish(run, state, run.loss_sum, run.correct, rng_after, data)
    last = run.batches_done * settings.batch_size + len(indices) >= len(rows)
    piece = TrainingState(state.network, state.optimizer_state, 0, state.rng_state)
    try:
        progress = next(
            train(
                piece,
                settings.config(1, len(indices), shuffle=False),
                _subset(rows, indices),
                data.test_rows if last else None,
            )
        )
    except TrainingDiverged as error:
        kept = replace(state, network=error.last_state.network, optimizer_state=error.last_state.optimizer_state)
        return _stopped(run, error, run.epoch + 1, run.batches_done + 1, settings, kept)
    loss_sum = run.loss_sum + progress.train_loss * len(indices)
    correct = run.correct + (progress.train_accuracy or 0.0) * len(indices)
    moved = replace(state, network=progress.state.network, optimizer_state=progress.state.optimizer_state)
    if last:
        return _finish(run, moved, loss_sum, correct, rng_after, data, progress.test_loss, progress.test_accuracy)
    return replace(run, state=moved, batches_done=run.batches_done + 1, loss_sum=loss_sum, correct=correct)


def _finish(
    run: Run,
    state: TrainingState,
    loss_sum: float,
    correct: float,
    rng_after: Mapping[str, Any],
    data: Prepared,
    test_loss: float | None = None,
    test_accuracy: float | None = None,
) -> Run:
    count = len(data.train_rows)
    record = EpochRecord(
        run.epoch + 1,
        loss_sum / count,
        test_loss,
        None if data.train_rows.labels is None else correct / count,
        test_accuracy,
    )
    finished = replace(state, epoch=run.epoch + 1, rng_state=rng_after)
    return replace(run, state=finished, batches_done=0, loss_sum=0.0, correct=0.0, history=(*run.history, record))


def finish_epoch(run: Run, settings: Settings, data: Prepared) -> Run | Stopped:
    """The rest of the current epoch (a whole one at an epoch boundary)."""
    if run.batches_done == 0:
        return epochs(run, settings, data, 1)
    rows = data.train_rows
    state = _fitted_state(run, settings)
    order, rng_after = epoch_order(state.rng_state, len(rows))
    rest = order[run.batches_done * settings.batch_size :]
    if rest.size == 0:
        return _finish(run, state, run.loss_sum, run.correct, rng_after, data)
    piece = TrainingState(state.network, state.optimizer_state, 0, state.rng_state)
    try:
        progress = next(train(piece, settings.config(1, shuffle=False), _subset(rows, rest), data.test_rows))
    except TrainingDiverged as error:
        kept = replace(state, network=error.last_state.network, optimizer_state=error.last_state.optimizer_state)
        return _stopped(run, error, run.epoch + 1, run.batches_done + error.batch, settings, kept)
    moved = replace(state, network=progress.state.network, optimizer_state=progress.state.optimizer_state)
    return _finish(
        run,
        moved,
        run.loss_sum + progress.train_loss * rest.size,
        run.correct + (progress.train_accuracy or 0.0) * rest.size,
        rng_after,
        data,
        progress.test_loss,
        progress.test_accuracy,
    )


def epochs(
    run: Run, settings: Settings, data: Prepared, count: int, budget_seconds: float | None = None
) -> Run | Stopped:
    """Up to ``count`` whole epochs from an epoch boundary (the rest of a begun epoch counts as
    one); with ``budget_seconds``, no new epoch starts once that much time has passed (at least
    one always runs), so one session's frame cannot hold the server for long."""
    began = time.perf_counter()
    if run.batches_done:
        finished = finish_epoch(run, settings, data)
        if isinstance(finished, Stopped) or count == 1:
            return finished
        run, count = finished, count - 1
    state = _fitted_state(run, settings)
    history = list(run.history)
    try:
        for progress in train(state, settings.config(run.epoch + count), data.train_rows, data.test_rows):
            history.append(
                EpochRecord(
                    progress.epoch,
                    progress.train_loss,
                    progress.test_loss,
                    progress.train_accuracy,
                    progress.test_accuracy,
                )
            )
            state = progress.state
            if budget_seconds is not None and time.perf_counter() - began > budget_seconds:
                break
    except TrainingDiverged as error:
        return _stopped(
            replace(run, history=tuple(history)), error, error.epoch, error.batch, settings, error.last_state
        )
    return replace(run, state=state, history=tuple(history))


class Lane:
    """Turns at the server's processor for the sessions that are playing, one at a time in this
    process, and at most ``share`` of the time: a frame (its training and its drawing) runs only
    in its session's turn, and after a turn of t seconds the lane rests t·(1/share − 1) seconds.

    Sessions that only click and edit (the Simulator) never queue here, so however many learners
    press Play, together they hold at most ``share`` of the one core a Streamlit process can use
    (its script threads share one interpreter lock) and the interactive reruns keep the rest.
    A lone player does not notice the rest: its frames come on a timer slower than that. While
    waiting, ``poll`` is called every ``interval`` seconds so the page can give Streamlit a point
    to act on a Pause click (a waiting frame is not stuck).
    """

    def __init__(self, share: float = 0.5) -> None:
        self.share = share
        self._turn = threading.Lock()
        self._count = threading.Lock()
        self._waiting = 0
        self._free_at = 0.0

    @contextlib.contextmanager
    def turn(self, poll: Callable[[], None], interval: float = 0.05) -> Iterator[int]:
        """Wait for this session's turn; yields how many sessions are waiting behind it."""
        with self._count:
            self._waiting += 1
        try:
            while not self._turn.acquire(timeout=interval):
                poll()
        finally:
            with self._count:
                self._waiting -= 1
        try:
            while (rest := self._free_at - time.monotonic()) > 0:
                poll()
                time.sleep(min(interval, rest))
            began = time.monotonic()
            try:
                yield self._waiting
            finally:
                held = time.monotonic() - began
                self._free_at = time.monotonic() + held * (1 / self.share - 1)
        finally:
            self._turn.release()


PLAY_LANE = Lane(share=0.6)
"""The lane every playing session of this server process takes turns in: together they get at
most 60 % of the process's time."""


def check_fits(settings: Settings, network: Network) -> str | None:
    """Why ``settings`` cannot train ``network`` (the loss does not suit its output), or None."""
    try:
        get_loss(settings.loss, network.layers[-1].activation)
        settings.optimizer_object()
    except ValidationError as error:
        return str(error)
    return None
