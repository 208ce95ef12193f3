"""The training loop: mini-batches, epochs, seeded shuffling, progress, divergence.

``train`` is a generator: after every epoch it yields a ``Progress`` whose ``state`` (network,
optimiser state, epoch, random-number generator state) is a value — keep it to pause, save it,
hand it back to ``train`` to resume. The same seed gives the same run, bit for bit, and a run
resumed from a state is the run that was never interrupted.

Inside an epoch the weights live in private arrays updated in place (building and validating a
``Network`` per mini-batch would cost more than the arithmetic for small layers); the network
handed out after each epoch is a new, validated, immutable ``Network`` and the private arrays
are never seen outside. The rows are shuffled once per epoch into a copy, so each mini-batch is
a view, and the epoch's loss and accuracy are computed once from the kept outputs.

Divergence: the epoch's loss and, at its end, every weight are checked. If anything is not
finite the epoch is replayed from a copy taken at its start (the arithmetic is deterministic)
with every loss, gradient and weight checked at every step, to find the first step that
failed. ``TrainingDiverged`` then names the epoch, the batch and the layer and carries the last
state whose weights are all finite.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mlpsim.core.activations import REGISTRY
from mlpsim.core.backward import backpropagate
from mlpsim.core.errors import MlpsimError, ValidationError
from mlpsim.core.losses import Loss, get_loss
from mlpsim.core.network import Network
from mlpsim.core.optimizers import Optimizer, OptimizerState


@dataclass(frozen=True, eq=False)
class Examples:
    """Rows to train or test on.

    inputs: (P, N0); targets: (P, M), M = the network's output size;
    labels: (P,) class indices for classification (accuracy is reported), None for regression.
    threshold: for a single-output classifier, outputs above it are class 1 (0.5 for 0/1
    targets, 0 for ±1 targets); unused with several outputs (the largest output wins).
    """

    inputs: np.ndarray
    targets: np.ndarray
    labels: np.ndarray | None = None
    threshold: float = 0.5

    def __len__(self) -> int:
        return int(self.inputs.shape[0])

    def predicted_labels(self, outputs: np.ndarray) -> np.ndarray:
        """(P, M) outputs → (P,) class indices."""
        if outputs.shape[1] == 1:
            return (outputs[:, 0] > self.threshold).astype(int)
        labels: np.ndarray = np.argmax(outputs, axis=1)
        return labels


@dataclass(frozen=True)
class TrainingConfig:
    loss: str = "squared_error"
    optimizer: Optimizer = Optimizer()
    batch_size: int = 10
    epochs: int = 100
    shuffle: bool = True
    """Shuffle the training rows at the start of every epoch (seeded); False keeps file order."""

    def __post_init__(self) -> None:
        for label, value in (("batch size", self.batch_size), ("epochs", self.epochs)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValidationError(f"{label}: expected a whole number ≥ 1, got {value!r}")


@dataclass(frozen=True, eq=False)
class TrainingState:
    """Everything a run needs to continue: a value (nothing in it is shared or mutable)."""

    network: Network
    optimizer_state: OptimizerState
    epoch: int
    rng_state: Mapping[str, Any]
    """``numpy.random.PCG64().state`` of the shuffling generator."""


@dataclass(frozen=True, eq=False)
class Progress:
    """One finished epoch. Train figures are the mean over the epoch's mini-batches as they were
    computed (as scikit-learn's ``loss_curve_``); test figures use the network at the epoch's end.
    Accuracies are None for regression; test figures None without test rows."""

    epoch: int
    train_loss: float
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    state: TrainingState


class TrainingDiverged(MlpsimError):
    """A loss, gradient or weight became non-finite; ``last_state`` is the last finite one."""

    def __init__(self, message: str, epoch: int, batch: int, layer: int | None, last_state: TrainingState):
        super().__init__(message)
        self.epoch = epoch
        self.batch = batch
        self.layer = layer
        self.last_state = last_state


def start(network: Network, config: TrainingConfig, seed: int = 0) -> TrainingState:
    """The state before the first epoch: ``seed`` drives the shuffling."""
    parameters = _parameters(network)
    return TrainingState(
        network=network,
        optimizer_state=config.optimizer.initial_state(parameters),
        epoch=0,
        rng_state=np.random.PCG64(seed).state,
    )


def train(
    state: TrainingState, config: TrainingConfig, train_rows: Examples, test_rows: Examples | None = None
) -> Iterator[Progress]:
    """Train from ``state`` until ``config.epochs`` epochs are done, yielding after each one.

    Raises ValidationError if the rows do not fit the network or the loss does not fit its
    output, and TrainingDiverged if a value becomes non-finite.
    """
    network = state.network
    loss = get_loss(config.loss, network.layers[-1].activation)
    _check_rows(network, loss, train_rows, "training data")
    if test_rows is not None:
        if len(test_rows) == 0:
            test_rows = None
        else:
            _check_rows(network, loss, test_rows, "test data")
    model = _Model(network, config.optimizer, loss, state.optimizer_state)
    rng_state = state.rng_state
    epoch = state.epoch
    while epoch < config.epochs:
        epoch += 1
        rng_before = rng_state
        order = None
        if config.shuffle:
            order, rng_state = epoch_order(rng_state, len(train_rows))
        checkpoint = model.snapshot()
        with np.errstate(all="ignore"):  # non-finite values are looked for below, and named
            finite, loss_sum, correct = model.epoch(train_rows, order, config.batch_size)
        if not finite:
            model.restore(checkpoint)
            raise _divergence(model, network, train_rows, order, config, epoch, rng_before)
        trained = model.network(network)
        test_loss = test_accuracy = None
        if test_rows is not None:
            test_loss, test_accuracy = _evaluate(model, loss, test_rows)
        state = TrainingState(trained, model.optimizer_state(), epoch, rng_state)
        count = len(train_rows)
        yield Progress(
            epoch=epoch,
            train_loss=loss_sum / count,
            test_loss=test_loss,
            train_accuracy=None if train_rows.labels is None else correct / count,
            test_accuracy=test_accuracy,
            state=state,
        )


def epoch_order(rng_state: Mapping[str, Any], count: int) -> tuple[np.ndarray, Mapping[str, Any]]:
    """One epoch's shuffle: the order of its ``count`` rows, a (count,) permutation of 0..count-1
    drawn from the shuffling generator at ``rng_state`` (a ``TrainingState.rng_state``), and the
    generator's state after it — the next epoch's ``rng_state``."""
    rng = np.random.Generator(np.random.PCG64())
    rng.bit_generator.state = rng_state
    order = rng.permutation(count)
    return order, rng.bit_generator.state


# ---- internals ---------------------------------------------------------------------------------


def _parameters(network: Network) -> list[np.ndarray]:
    """W1, b1, W2, b2, … as the network holds them (read-only)."""
    return [array for layer in network.layers for array in (layer.weights, layer.bias)]


def _check_rows(network: Network, loss: Loss, rows: Examples, where: str) -> None:
    n_in, n_out = network.input_size, network.layers[-1].size
    if rows.inputs.ndim != 2 or rows.inputs.shape[1] != n_in or rows.targets.shape != (rows.inputs.shape[0], n_out):
        raise ValidationError(
            f"{where}: {rows.inputs.shape[1] if rows.inputs.ndim == 2 else '?'} inputs and "
            f"{rows.targets.shape[1] if rows.targets.ndim == 2 else '?'} targets per row, but the network takes "
            f"{n_in} inputs and has {n_out} outputs"
        )
    if len(rows) == 0:
        raise ValidationError(f"{where}: no rows")
    problem = loss.target_problem(rows.targets)
    if problem:
        raise ValidationError(f"{where}: {problem}")


@dataclass(frozen=True)
class _Failure:
    what: str
    layer: int | None  # 1-based weighted layer (the output layer for the loss)

    def message(self, network: Network, epoch: int, batch: int) -> str:
        where = "" if self.layer is None else f" in layer {self.layer} ({network.layer_title(self.layer)})"
        return (
            f"training diverged at epoch {epoch}, batch {batch}: {self.what}{where} is no longer a finite number; "
            "the weights before that step are kept. Try a smaller learning rate, standardised inputs, "
            "or L2 regularisation"
        )


_Snapshot = tuple[list[np.ndarray], list[tuple[np.ndarray, ...]], int]
"""A _Model's parameters, optimiser slots (copies) and step count, to restore it to."""


class _Model:
    """The loop's private, mutable copy of the weights and the optimiser's memory."""

    def __init__(self, network: Network, optimizer: Optimizer, loss: Loss, optimizer_state: OptimizerState):
        self.parameters = [np.array(p) for p in _parameters(network)]
        self.weights = self.parameters[0::2]
        self.biases = self.parameters[1::2]
        self.names = [layer.activation for layer in network.layers]
        self.activations = [REGISTRY[name] for name in self.names]
        self.functions = [activation.function for activation in self.activations]
        self.optimizer = optimizer
        self.loss = loss
        copied = optimizer_state.copy()
        self.slots = copied.slots
        self.steps = copied.steps

    def forward(self, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        zs, activations = [], []
        a = x
        for weights, bias, function in zip(self.weights, self.biases, self.functions):
            z = a @ weights + bias
            a = function(z)
            zs.append(z)
            activations.append(a)
        return zs, activations

    def step(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Forward, backward and update for one mini-batch, unchecked; (z, a) of the output layer."""
        zs, activations = self.forward(x)
        delta = self.loss.output_delta(self.names[-1], zs[-1], activations[-1], y)
        _, weight_gradients, bias_gradients = backpropagate(self.weights, self.activations, x, zs, activations, delta)
        gradients = [g for pair in zip(weight_gradients, bias_gradients) for g in pair]
        self.optimizer.update(self.parameters, gradients, self.slots, self.steps)
        self.steps += 1
        return zs[-1], activations[-1]

    def checked_step(self, x: np.ndarray, y: np.ndarray) -> _Failure | None:
        """``step`` with every loss, gradient and weight checked; on a failure nothing changes.
        The same operations in the same order as ``step``, so it computes the same numbers."""
        zs, activations = self.forward(x)
        if not math.isfinite(float(np.sum(self.loss.per_sample(zs[-1], activations[-1], y)))):
            # z of the first layer that left the range, or else the loss of the output layer.
            layer = next((k + 1 for k, z in enumerate(zs) if not np.isfinite(z).all()), None)
            return _Failure("the loss", len(zs)) if layer is None else _Failure("z", layer)
        delta = self.loss.output_delta(self.names[-1], zs[-1], activations[-1], y)
        _, weight_gradients, bias_gradients = backpropagate(self.weights, self.activations, x, zs, activations, delta)
        for k in range(len(self.weights) - 1, -1, -1):
            if not (np.isfinite(weight_gradients[k]).all() and np.isfinite(bias_gradients[k]).all()):
                return _Failure("the gradient", k + 1)
        before = self.snapshot()
        gradients = [g for pair in zip(weight_gradients, bias_gradients) for g in pair]
        self.optimizer.update(self.parameters, gradients, self.slots, self.steps)
        self.steps += 1
        for k in range(len(self.weights)):
            if not (np.isfinite(self.weights[k]).all() and np.isfinite(self.biases[k]).all()):
                self.restore(before)
                return _Failure("a weight or bias", k + 1)
        return None

    def epoch(self, rows: Examples, order: np.ndarray | None, batch_size: int) -> tuple[bool, float, int]:
        """All mini-batches once, unchecked; (all finite, loss sum, correct predictions).

        The output layer's z and a of every batch are kept, so the loss and accuracy of the
        epoch (each row as its batch saw it) are computed once at the end, not per batch."""
        inputs = rows.inputs if order is None else rows.inputs[order]
        targets = rows.targets if order is None else rows.targets[order]
        count = len(rows)
        output_z = np.empty(targets.shape)
        output_a = np.empty(targets.shape)
        for begin in range(0, count, batch_size):
            end = begin + batch_size
            output_z[begin:end], output_a[begin:end] = self.step(inputs[begin:end], targets[begin:end])
        loss_sum = float(np.sum(self.loss.per_sample(output_z, output_a, targets)))
        correct = 0
        if rows.labels is not None:
            labels = rows.labels if order is None else rows.labels[order]
            correct = int(np.count_nonzero(rows.predicted_labels(output_a) == labels))
        finite = math.isfinite(loss_sum) and all(
            math.isfinite(float(p.sum())) or np.isfinite(p).all() for p in self.parameters
        )
        return finite, loss_sum, correct

    def snapshot(self) -> _Snapshot:
        return [np.array(p) for p in self.parameters], [tuple(np.array(a) for a in s) for s in self.slots], self.steps

    def restore(self, snapshot: _Snapshot) -> None:
        parameters, slots, steps = snapshot
        self._put_back(parameters, slots)
        self.steps = steps

    def _put_back(self, parameters: list[np.ndarray], slots: list[tuple[np.ndarray, ...]]) -> None:
        # In place: self.weights and self.biases hold these same array objects.
        for target, source in zip(self.parameters, parameters):
            target[...] = source
        for target_slot, source_slot in zip(self.slots, slots):
            for target, source in zip(target_slot, source_slot):
                target[...] = source

    def network(self, template: Network) -> Network:
        """A new validated Network with these weights, the template's everything else (Network
        makes its own read-only copies of arrays that are not frozen, so these stay private)."""
        layers = tuple(
            replace(layer, weights=w, bias=b) for layer, w, b in zip(template.layers, self.weights, self.biases)
        )
        return replace(template, layers=layers)

    def optimizer_state(self) -> OptimizerState:
        return OptimizerState(self.steps, self.slots, self.optimizer.name).copy()


def _evaluate(model: _Model, loss: Loss, rows: Examples) -> tuple[float, float | None]:
    with np.errstate(all="ignore"):
        zs, activations = model.forward(rows.inputs)
        value = float(np.mean(loss.per_sample(zs[-1], activations[-1], rows.targets)))
    accuracy = None
    if rows.labels is not None:
        accuracy = float(np.mean(rows.predicted_labels(activations[-1]) == rows.labels))
    return value, accuracy


def _divergence(
    model: _Model,
    network: Network,
    rows: Examples,
    order: np.ndarray | None,
    config: TrainingConfig,
    epoch: int,
    rng_before: Mapping[str, Any],
) -> TrainingDiverged:
    """Replay the epoch (``model`` restored to its start) step by step with every check, to the
    first failure. A failing checked step leaves the weights as they were before it, so the
    model then holds the last finite network. The kept state's epoch is the last one finished
    (resuming from it repeats this epoch's shuffle, starting from those weights)."""
    failure, batch = None, 0
    with np.errstate(all="ignore"):
        for batch, begin in enumerate(range(0, len(rows), config.batch_size), start=1):  # noqa: B007 (read after the loop)
            window = slice(begin, begin + config.batch_size)
            rows_now = window if order is None else order[window]
            failure = model.checked_step(rows.inputs[rows_now], rows.targets[rows_now])
            if failure is not None:
                break
    # Without a failure in the replay (the unchecked pass computed the same numbers, so this
    # does not happen) the epoch's end is reported, with the finite weights the replay reached.
    failure = failure or _Failure("a weight", None)
    last = TrainingState(model.network(network), model.optimizer_state(), epoch - 1, rng_before)
    return TrainingDiverged(failure.message(network, epoch, batch), epoch, batch, failure.layer, last)
