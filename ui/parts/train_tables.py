"""The Train page's tables as pandas frames (no Streamlit): the data preview and the one-step
tables W, ∂L/∂W, W′ of a layer (of the next Step's mini-batch, or of one sample), in the
article's orientation (rows = sources, columns = targets).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlpsim.core.network import Network, neuron_name
from mlpsim.data.datasets import Dataset
from mlpsim.render.train_views import BatchStep, SampleStep


def preview_frame(dataset: Dataset, rows: int = 8) -> pd.DataFrame:
    """The first rows: inputs x1.., then the label or the targets."""
    frame = pd.DataFrame(dataset.inputs[:rows], columns=[f"x{i + 1}" for i in range(dataset.inputs.shape[1])])
    if dataset.labels is not None:
        frame["label"] = dataset.labels[:rows]
    elif dataset.targets is not None:
        for j in range(dataset.targets.shape[1]):
            frame[f"y{j + 1}"] = dataset.targets[:rows, j]
    return frame


TABLE_DIGITS = 4
"""Significant digits in the three tables (the worked lines below them give six)."""


def table_number(value: float) -> str:
    return "0" if value == 0 else f"{float(value):.{TABLE_DIGITS}g}"


def matrix_frame(values: np.ndarray, position: int) -> pd.DataFrame:
    """An N×M matrix of layer ``position`` in the article's orientation: rows = sources, columns = targets."""
    n, m = values.shape
    return pd.DataFrame(
        [[table_number(v) for v in row] for row in values],
        index=[neuron_name(position - 1, i) for i in range(n)],
        columns=[neuron_name(position, j) for j in range(m)],
    )


def step_tables(
    network: Network, step: SampleStep | BatchStep, position: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, np.ndarray]:
    """W, ∂L/∂W (one sample's, or a batch's mean) and W′ of layer ``position`` (1..L) as text
    tables, and (N, M) booleans: the cells W′ changed."""
    weights = network.layers[position - 1].weights
    gradient = step.gradients.weights[position - 1]
    updated = step.updated[position - 1]
    return (
        matrix_frame(weights, position),
        matrix_frame(gradient, position),
        matrix_frame(updated, position),
        updated != weights,
    )
