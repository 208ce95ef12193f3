"""The Train page's address: its data choice and training settings as query parameters.

``data=circle&points=500&noise=0&test=50&data_seed=0&loss=squared_error&opt=sgd&lr=0.03&batch=10
&l1=0&l2=0`` (the network travels beside them as the Simulator writes it, ``net=`` or
``preset=``; see mlpsim.io.sharelink). Names avoid the workshop's exercise keys (``seed``,
``topic``, …), which the app reads on every page.

Decoding trusts nothing and never raises: each parameter is checked on its own, a bad one is
named in a problem message and leaves the value the page already had, and the rest still
applies. Ranges are the Train page's own widget ranges, so whatever opens can be shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from mlpsim.core.losses import LOSSES
from mlpsim.core.optimizers import OPTIMIZERS
from mlpsim.data.datasets import DATASETS
from mlpsim.training_run import DataChoice, Settings

DATA, POINTS, NOISE, TEST, DATA_SEED = "data", "points", "noise", "test", "data_seed"
LOSS, OPTIMIZER, RATE, BATCH, L1, L2 = "loss", "opt", "lr", "batch", "l1", "l2"
PARAMETERS = (DATA, POINTS, NOISE, TEST, DATA_SEED, LOSS, OPTIMIZER, RATE, BATCH, L1, L2)
"""Every parameter this codec writes and reads, in the order it writes them."""

POINTS_RANGE = (20, 1200, 10)
"""(least, most, step) of the points slider."""
NOISE_PERCENT_RANGE = (0, 50, 1)
TEST_PERCENT_RANGE = (0, 90, 5)
DATA_SEED_RANGE = (0, 2**31 - 1, 1)
BATCH_RANGE = (1, 10_000, 1)
RATE_RANGE = (1e-6, 100.0)
PENALTY_RANGE = (0.0, 10.0)
MAX_VALUE_CHARS = 40
"""Longer values are refused unread: no number or name of this page is that long."""

_INTEGER = re.compile(r"-?[0-9]{1,12}")
_DECIMAL = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,3})?")


@dataclass(frozen=True)
class Opened:
    """What an address opens: the data choice and settings (each bad parameter left as it
    was), and one message per bad parameter, naming it."""

    choice: DataChoice
    settings: Settings
    problems: tuple[str, ...]


def encode(choice: DataChoice, settings: Settings) -> dict[str, str]:
    """The parameters of ``choice`` and ``settings``; an uploaded file's data has no name to
    write (only a built-in dataset can be reopened), so its ``data`` parameters are left out."""
    params: dict[str, str] = {}
    if choice.name in DATASETS:
        params |= {
            DATA: choice.name,
            POINTS: str(choice.points),
            NOISE: str(int(round(choice.noise * 100))),
            TEST: str(choice.test_percent),
            DATA_SEED: str(choice.seed),
        }
    params |= {
        LOSS: settings.loss,
        OPTIMIZER: settings.optimizer,
        RATE: repr(float(settings.learning_rate)),  # the shortest text that reads back exactly
        BATCH: str(settings.batch_size),
        L1: repr(float(settings.l1)),
        L2: repr(float(settings.l2)),
    }
    return params


def _shown(text: str) -> str:
    """A value as a message quotes it: escaped control characters, cut to MAX_VALUE_CHARS."""
    return repr(text[:MAX_VALUE_CHARS]) + ("…" if len(text) > MAX_VALUE_CHARS else "")


Reading = tuple[object, str | None]
"""(value, None) for a good text, (None, why not) for a bad one."""


def _integer(bounds: tuple[int, int, int]) -> Callable[[str], Reading]:
    least, most, step = bounds

    def read(text: str) -> Reading:
        if not _INTEGER.fullmatch(text):
            return None, "is not a whole number"
        number = int(text)
        if not least <= number <= most:
            return None, f"is outside {least}–{most}"
        if (number - least) % step:
            return None, f"is not a multiple of {step}"
        return number, None

    return read


def _percent(bounds: tuple[int, int, int]) -> Callable[[str], Reading]:
    """Noise: whole percent in the address, a fraction in DataChoice."""
    whole = _integer(bounds)

    def read(text: str) -> Reading:
        number, problem = whole(text)
        return (None, problem) if problem else (int(number) / 100, None)  # type: ignore[call-overload]

    return read


def _decimal(least: float, most: float) -> Callable[[str], Reading]:
    def read(text: str) -> Reading:
        if not _DECIMAL.fullmatch(text):
            return None, "is not a number"
        number = float(text)
        if not math.isfinite(number) or not least <= number <= most:
            return None, f"is outside {least:g}–{most:g}"
        return number, None

    return read


def _name(names: Mapping[str, object], what: str) -> Callable[[str], Reading]:
    def read(text: str) -> Reading:
        if text not in names:
            return None, f"is not {what} (one of {', '.join(names)})"
        return text, None

    return read


# parameter → (DataChoice or Settings field, reader, how it is said in a message)
_FIELDS: dict[str, tuple[str, Callable[[str], Reading], str]] = {
    DATA: ("name", _name(DATASETS, "a built-in dataset"), "dataset"),
    POINTS: ("points", _integer(POINTS_RANGE), "points"),
    NOISE: ("noise", _percent(NOISE_PERCENT_RANGE), "noise (%)"),
    TEST: ("test_percent", _integer(TEST_PERCENT_RANGE), "test rows (%)"),
    DATA_SEED: ("seed", _integer(DATA_SEED_RANGE), "data seed"),
    LOSS: ("loss", _name(LOSSES, "a loss"), "loss"),
    OPTIMIZER: ("optimizer", _name(OPTIMIZERS, "an optimiser"), "optimiser"),
    RATE: ("learning_rate", _decimal(*RATE_RANGE), "learning rate η"),
    BATCH: ("batch_size", _integer(BATCH_RANGE), "batch size"),
    L1: ("l1", _decimal(*PENALTY_RANGE), "L1 λ₁"),
    L2: ("l2", _decimal(*PENALTY_RANGE), "L2 λ₂"),
}
_CHOICE_PARAMETERS = (DATA, POINTS, NOISE, TEST, DATA_SEED)


def decode(params: Mapping[str, str], choice: DataChoice, settings: Settings) -> Opened:
    """``choice`` and ``settings`` with every good parameter of ``params`` applied; absent
    parameters and bad ones keep their values, each bad one named in ``problems``. Parameters
    this codec does not know (``net``, ``preset``, …) are ignored."""
    choice_values: dict[str, object] = {}
    settings_values: dict[str, object] = {}
    problems: list[str] = []
    for parameter in PARAMETERS:
        text = params.get(parameter)
        if text is None:
            continue
        field, read, said = _FIELDS[parameter]
        value, problem = read(text) if len(text) <= MAX_VALUE_CHARS else (None, "is too long")
        if problem is None:
            (choice_values if parameter in _CHOICE_PARAMETERS else settings_values)[field] = value
        else:
            problems.append(f"{said} ({parameter}={_shown(text)}) {problem}; it was left as it was")
    return Opened(replace(choice, **choice_values), replace(settings, **settings_values), tuple(problems))  # type: ignore[arg-type]
