"""mlpsim: the network core of a visual multilayer-perceptron simulator (no UI code here)."""

from mlpsim.errors import ForwardError, LimitError, MlpsimError, ValidationError
from mlpsim.forward import ForwardResult, forward
from mlpsim.limits import DEFAULT_LIMITS, Limits
from mlpsim.network import Layer, Network
from mlpsim.notebook import fit, load, save

__all__ = [
    "DEFAULT_LIMITS",
    "ForwardError",
    "ForwardResult",
    "Layer",
    "LimitError",
    "Limits",
    "MlpsimError",
    "Network",
    "ValidationError",
    "fit",
    "forward",
    "load",
    "save",
]
