"""mlpsim: the network core of a visual multilayer-perceptron simulator (no UI code here).

Importing a submodule (``mlpsim.core.network``) runs this file first, so it imports nothing:
the names below are loaded on first use (PEP 562), and importing the core stays cheap. Inside
a Jupyter kernel it tells IPython how to draw a Network, by name, without importing it.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as type checkers and editors see them (`X as X`: re-exported)
    from mlpsim.core.errors import ForwardError as ForwardError
    from mlpsim.core.errors import LimitError as LimitError
    from mlpsim.core.errors import MlpsimError as MlpsimError
    from mlpsim.core.errors import ValidationError as ValidationError
    from mlpsim.core.forward import ForwardResult as ForwardResult
    from mlpsim.core.forward import forward as forward
    from mlpsim.core.limits import DEFAULT_LIMITS as DEFAULT_LIMITS
    from mlpsim.core.limits import Limits as Limits
    from mlpsim.core.network import Layer as Layer
    from mlpsim.core.network import Network as Network
    from mlpsim.notebook import fit as fit
    from mlpsim.notebook import load as load
    from mlpsim.notebook import save as save

_HOMES = {
    "ForwardError": "mlpsim.core.errors",
    "LimitError": "mlpsim.core.errors",
    "MlpsimError": "mlpsim.core.errors",
    "ValidationError": "mlpsim.core.errors",
    "ForwardResult": "mlpsim.core.forward",
    "forward": "mlpsim.core.forward",
    "DEFAULT_LIMITS": "mlpsim.core.limits",
    "Limits": "mlpsim.core.limits",
    "Layer": "mlpsim.core.network",
    "Network": "mlpsim.core.network",
    "fit": "mlpsim.notebook",
    "load": "mlpsim.notebook",
    "save": "mlpsim.notebook",
}
"""Each public name → the module it lives in."""

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'mlpsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


def _network_html(network: object) -> str:
    from mlpsim.notebook import network_html

    return network_html(network)  # type: ignore[arg-type]  # IPython calls it with Networks only


def _register_jupyter_display() -> None:
    """Make Jupyter draw every Network as its diagram (mlpsim.notebook.network_html).

    The diagram lives in mlpsim.render, above mlpsim.core, so Network has no ``_repr_html_`` of
    its own. A kernel has imported IPython already; elsewhere this does nothing (importing
    IPython would cost ~0.5 s and raise the recursion limit for every program using mlpsim).
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type_by_name(
            "mlpsim.core.network", "Network", _network_html
        )


_register_jupyter_display()
