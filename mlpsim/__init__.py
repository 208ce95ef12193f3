"""mlpsim: the network core of a visual multilayer-perceptron simulator (no UI code here)."""

from mlpsim.core.errors import ForwardError, LimitError, MlpsimError, ValidationError
from mlpsim.core.forward import ForwardResult, forward
from mlpsim.core.limits import DEFAULT_LIMITS, Limits
from mlpsim.core.network import Layer, Network
from mlpsim.notebook import fit, load, register_jupyter_display, save

register_jupyter_display()

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
