"""Size limits enforced on every path into the core (UI, JSON import, share links, CLI).

The defaults suit a public demo. Each can be changed with an environment variable, read once
when the process starts, e.g. ``MLPSIM_MAX_LAYER_SIZE=4096 streamlit run app.py``.
Sizes are checked *before* any array is allocated, so an oversized request costs nothing.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

from mlpsim.core.errors import LimitError

ENV_PREFIX = "MLPSIM_"
_WHOLE_NUMBER = re.compile(r"[0-9]+", re.ASCII)


@dataclass(frozen=True)
class Limits:
    max_layer_size: int = 1024
    """Neurons in any one layer, input included."""
    max_layers: int = 16
    """Layers with weights (hidden + output); the input layer is not counted."""
    max_parameters: int = 2_500_000
    """Weights plus biases over the whole network."""
    max_upload_bytes: int = 5_000_000
    """Size of a file sent to the app (the public demo's uploads)."""
    max_file_bytes: int = 100_000_000
    """Size of a network file's JSON text, after gzip is undone: what the command line reads,
    and what any compressed file may expand to. Large enough for the parameter limit: 2,500,000
    numbers of up to 24 characters each, with their separators."""
    max_link_chars: int = 8_000
    """Length of a share link's encoded network; longer links break in proxies and browsers."""
    max_data_rows: int = 100_000
    """Rows of a training data file (CSV), header not counted."""
    max_data_bytes: int = 50_000_000
    """Size of a training data file (CSV) that may be loaded."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """Defaults overridden by ``MLPSIM_MAX_LAYER_SIZE`` and friends (upper-case field names)."""
        if environ is None:
            environ = os.environ
        values = {}
        for field in fields(cls):
            raw = environ.get(ENV_PREFIX + field.name.upper())
            if raw is None:
                continue
            if not _WHOLE_NUMBER.fullmatch(raw.strip()):
                raise LimitError(f"{ENV_PREFIX}{field.name.upper()}={raw!r}: expected a whole number (digits 0-9)")
            values[field.name] = int(raw)
            if values[field.name] < 1:
                raise LimitError(f"{ENV_PREFIX}{field.name.upper()}={raw!r}: must be at least 1")
        return cls(**values)

    def check_sizes(self, layer_sizes: Sequence[int], where: str = "layer sizes") -> None:
        """Raise LimitError if a network of these sizes (input first) would exceed a limit.

        Called before arrays are allocated; the message names the limit and its value.
        """
        if len(layer_sizes) < 2:
            raise LimitError(f"{where}: a network needs an input layer and at least one more layer")
        for position, size in enumerate(layer_sizes):
            label = "input layer" if position == 0 else f"layer {position}"
            if not isinstance(size, int) or isinstance(size, bool) or size < 1:
                shown = _amount(size) if isinstance(size, int) and not isinstance(size, bool) else repr(size)[:40]
                raise LimitError(f"{where}: {label} size must be a whole number ≥ 1, got {shown}")
            if size > self.max_layer_size:
                raise LimitError(
                    f"{where}: {label} has {_amount(size)} neurons; the limit is {self.max_layer_size:,} per layer"
                )
        if len(layer_sizes) - 1 > self.max_layers:
            raise LimitError(f"{where}: {len(layer_sizes) - 1} layers with weights; the limit is {self.max_layers}")
        parameters = parameter_count(layer_sizes)
        if parameters > self.max_parameters:
            raise LimitError(f"{where}: {parameters:,} weights and biases; the limit is {self.max_parameters:,}")

    def check_bytes(self, size: int, where: str = "file", limit: str = "max_upload_bytes") -> None:
        """LimitError if ``size`` exceeds the limit named by the field ``limit``; the message
        names the environment variable that changes it."""
        allowed = getattr(self, limit)
        if size > allowed:
            raise LimitError(
                f"{where}: {size:,} bytes; the limit is {allowed:,} bytes (set {variable(limit)} to change it)"
            )


def variable(field_name: str) -> str:
    """The environment variable of a limit: max_layers → MLPSIM_MAX_LAYERS."""
    return ENV_PREFIX + field_name.upper()


def _amount(number: int) -> str:
    """'1,000,000', or '~10^400' for numbers whose digits would flood a message (or exceed
    Python's 4,300-digit conversion limit)."""
    if abs(number) < 10**15:
        return f"{number:,}"
    return f"{'-' if number < 0 else ''}~10^{int(math.log10(abs(number)))}"


def parameter_count(layer_sizes: Sequence[int]) -> int:
    """Weights plus biases of a fully connected network with these sizes (input first)."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes, layer_sizes[1:]))


def _limits_of_this_process() -> tuple[Limits, str]:
    """The limits from the environment, and '' — or the defaults and what is wrong with the
    environment, so that importing mlpsim never fails: each entry point reports the problem
    (the command line as one error line, the app on its page) instead of a traceback."""
    try:
        return Limits.from_env(), ""
    except LimitError as error:
        return Limits(), str(error)


DEFAULT_LIMITS, ENVIRONMENT_PROBLEM = _limits_of_this_process()
