"""An independent backward pass written with plain Python loops and ``math`` (no numpy matrix
products, no code from mlpsim): the reference the core's vectorised backpropagation is checked
against.

Weights are lists of rows in the article's orientation: weights[i][j] connects source i to
target j. Every derivative goes the long way round: ∂L/∂a from the loss's own formula, then
through f′(z) (or the full softmax Jacobian, built entry by entry) — never the combined a − y
shortcut the core uses for cross-entropy, so the shortcut itself is checked.
"""

from __future__ import annotations

import math

LEAKY_SLOPE = 0.01


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def activate(name: str, zs: list[float]) -> list[float]:
    if name == "softmax":
        top = max(zs)
        exps = [math.exp(z - top) for z in zs]
        total = sum(exps)
        return [e / total for e in exps]
    scalar = {
        "linear": lambda z: z,
        "relu": lambda z: max(0.0, z),
        "leaky_relu": lambda z: z if z > 0 else LEAKY_SLOPE * z,
        "tanh": math.tanh,
        "sigmoid": sigmoid,
    }[name]
    return [scalar(z) for z in zs]


def derivative(name: str, z: float) -> float:
    """f′(z) of an elementwise activation; ReLU′(0) = 0 and leaky ReLU′(0) = the slope."""
    if name == "linear":
        return 1.0
    if name == "relu":
        return 1.0 if z > 0 else 0.0
    if name == "leaky_relu":
        return 1.0 if z > 0 else LEAKY_SLOPE
    if name == "tanh":
        return 1.0 - math.tanh(z) ** 2
    if name == "sigmoid":
        s = sigmoid(z)
        return s * (1.0 - s)
    raise ValueError(name)


def softmax_jacobian(a: list[float]) -> list[list[float]]:
    """J[i][j] = ∂aⱼ/∂zᵢ = aⱼ(δᵢⱼ − aᵢ)."""
    return [[a[j] * ((1.0 if i == j else 0.0) - a[i]) for j in range(len(a))] for i in range(len(a))]


def loss_value(loss: str, a: list[float], y: list[float]) -> float:
    if loss == "squared_error":
        return 0.5 * sum((ak - yk) ** 2 for ak, yk in zip(a, y))
    if loss == "binary_cross_entropy":
        return -sum(yk * math.log(ak) + (1 - yk) * math.log(1 - ak) for ak, yk in zip(a, y))
    if loss == "cross_entropy":
        return -sum(yk * math.log(ak) for ak, yk in zip(a, y) if yk)
    raise ValueError(loss)


def loss_gradient(loss: str, a: list[float], y: list[float]) -> list[float]:
    """∂L/∂aₖ from each loss's own formula."""
    if loss == "squared_error":
        return [ak - yk for ak, yk in zip(a, y)]
    if loss == "binary_cross_entropy":
        return [-yk / ak + (1 - yk) / (1 - ak) for ak, yk in zip(a, y)]
    if loss == "cross_entropy":
        return [-yk / ak for ak, yk in zip(a, y)]
    raise ValueError(loss)


def forward(layers, x: list[float]):
    """layers: [(weights rows, bias, activation)]; returns the z and a lists of every layer."""
    zs, activations = [], []
    current = list(x)
    for weights, bias, name in layers:
        z = []
        for j in range(len(bias)):
            total = 0.0
            for i in range(len(current)):
                total += weights[i][j] * current[i]
            z.append(total + bias[j])
        current = activate(name, z)
        zs.append(z)
        activations.append(current)
    return zs, activations


def network_layers(network) -> list[tuple[list[list[float]], list[float], str]]:
    """A Network's layers as the plain lists these functions take (only its numbers are read)."""
    return [(layer.weights.tolist(), layer.bias.tolist(), layer.activation) for layer in network.layers]


def network_forward(network):
    """forward() of a Network at its own input values: the z and a lists of every layer."""
    return forward(network_layers(network), [float(v) for v in network.input_values])


def through_activation(name: str, z: list[float], a: list[float], upstream: list[float]) -> list[float]:
    """∂L/∂z from ∂L/∂a: times f′(z) elementwise, or through the softmax Jacobian."""
    if name == "softmax":
        jacobian = softmax_jacobian(a)
        return [sum(jacobian[i][j] * upstream[j] for j in range(len(a))) for i in range(len(a))]
    return [g * derivative(name, zk) for g, zk in zip(upstream, z)]


def backward_one(layers, x: list[float], y: list[float], loss: str):
    """(loss, deltas, weight gradients, bias gradients) for one sample."""
    zs, activations = forward(layers, x)
    value = loss_value(loss, activations[-1], y)
    delta = through_activation(layers[-1][2], zs[-1], activations[-1], loss_gradient(loss, activations[-1], y))
    count = len(layers)
    deltas = [None] * count
    weight_gradients = [None] * count
    bias_gradients = [None] * count
    for k in range(count - 1, -1, -1):
        source = x if k == 0 else activations[k - 1]
        deltas[k] = delta
        weight_gradients[k] = [[source[i] * delta[j] for j in range(len(delta))] for i in range(len(source))]
        bias_gradients[k] = list(delta)
        if k:
            weights = layers[k][0]
            upstream = [sum(weights[i][j] * delta[j] for j in range(len(delta))) for i in range(len(weights))]
            delta = through_activation(layers[k - 1][2], zs[k - 1], activations[k - 1], upstream)
    return value, deltas, weight_gradients, bias_gradients


def backward_batch(layers, xs: list[list[float]], ys: list[list[float]], loss: str):
    """Mean loss and mean gradients over the samples (deltas per sample)."""
    results = [backward_one(layers, x, y, loss) for x, y in zip(xs, ys)]
    count = len(results)
    mean_loss = sum(r[0] for r in results) / count
    weight_gradients = []
    bias_gradients = []
    for k in range(len(layers)):
        rows, columns = len(results[0][2][k]), len(results[0][2][k][0])
        weight_gradients.append(
            [[sum(r[2][k][i][j] for r in results) / count for j in range(columns)] for i in range(rows)]
        )
        bias_gradients.append([sum(r[3][k][j] for r in results) / count for j in range(columns)])
    deltas = [[r[1][k] for r in results] for k in range(len(layers))]
    return mean_loss, deltas, weight_gradients, bias_gradients


def mean_loss(layers, xs, ys, loss: str) -> float:
    return sum(loss_value(loss, forward(layers, x)[1][-1], y) for x, y in zip(xs, ys)) / len(xs)
