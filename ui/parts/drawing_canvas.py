"""The digit reader's drawing canvas: a grid of pixels drawn on with a mouse, a pen, a finger or
the keyboard (a Streamlit component: st.components.v2, with drawing_canvas.js beside this file).

Why a component and not a plotly chart: Streamlit mounts a plotly chart anew whenever its figure
changes, so a drawn pixel cost a chart's mount and two draws (~60 ms of browser time a pixel);
this grid stays mounted and only its cells' colours change. And it draws strokes: a press,
a drag across the cells, a release — where a chart could only take one click per pixel.

The protocol. Python sends the pixels' values, the brush's value, the canvas's accessible name
and ``applied``, the number of the last stroke it has applied. The browser paints a stroke at once and, when it is lifted,
sends every stroke not yet applied as the trigger ``strokes``:
``[{"sequence": 7, "pixels": [3, 11], "value": 1.0}, …]``. Numbering makes a stroke sent twice
(the page was busy) count once, and one the server missed is sent again with the next.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from importlib.resources import files

import numpy as np
import streamlit as st

NAME = "mlpsim.drawing_canvas"
HTML = (
    "<div class='mlpsim-drawing' role='application' tabindex='0'></div>"
    "<div class='mlpsim-drawing-status' aria-live='polite'></div>"
)
CSS = """
.mlpsim-drawing {
  display: grid; gap: 1px; width: 100%; max-width: 256px; aspect-ratio: 1; box-sizing: border-box; padding: 1px;
  background: #c8c8c8; touch-action: none; cursor: crosshair; user-select: none;
}
.mlpsim-drawing:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
.mlpsim-drawing:focus-visible .mlpsim-cursor { outline: 3px solid #f2a900; outline-offset: -3px; }
.mlpsim-drawing-status { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
"""
# Styles not isolated in a shadow root (every class is prefixed instead): tests and screen readers
# reach the cells as ordinary elements of the page.
_MOUNT = st.components.v2.component(
    NAME,
    html=HTML,
    css=CSS,
    js=(files("ui.parts") / "drawing_canvas.js").read_text(encoding="utf-8"),
    isolate_styles=False,
)

MAX_STROKES = 64
"""Strokes taken from one message; more than this many pending is not something a hand does."""


@dataclass(frozen=True)
class Stroke:
    sequence: int
    pixels: tuple[int, ...]
    value: float


def canvas_data(values: np.ndarray, side: int, brush: float, applied: int) -> dict:
    """What the browser draws: ``values`` (side², row by row from the top left; ink 0 is white
    and 1 black, beyond those clipped), the brush's value, the last applied stroke's number and
    the canvas's accessible name. (Colours and each pixel's label are made in the browser: the
    message stays a few numbers.)"""
    # A network's input values are finite (mlpsim.core.network checks them), so JSON holds them.
    return dict(
        side=side,
        values=np.asarray(values, dtype=float).tolist(),
        brush=brush,
        applied=applied,
        label=f"Drawing, {side} by {side} pixels: draw with the mouse or a finger; "
        "with the keyboard, arrow keys move and Space inks",
    )


def new_strokes(payload: object, applied: int, side: int, brushes: Collection[float]) -> tuple[list[Stroke], int]:
    """The strokes in ``payload`` (what the browser sent) numbered after ``applied``, in order,
    and the number to record as applied. Anything malformed — not a list of strokes, pixels off
    the grid, a value no brush has — is dropped; its number still counts as seen, so the browser
    stops sending it."""
    strokes: dict[int, Stroke] = {}
    latest = applied
    for item in payload[:MAX_STROKES] if isinstance(payload, list) else []:
        if not isinstance(item, dict) or type(item.get("sequence")) is not int:
            continue
        sequence = item["sequence"]
        latest = max(latest, sequence)
        pixels, value = item.get("pixels"), item.get("value")
        if (
            sequence <= applied
            or not isinstance(pixels, list)
            or not isinstance(value, int | float)
            or isinstance(value, bool)  # a JSON true is not a brush's 1
            or value not in brushes
        ):
            continue
        chosen = tuple(p for p in pixels[: side * side] if type(p) is int and 0 <= p < side * side)
        if chosen:
            strokes[sequence] = Stroke(sequence, chosen, float(value))
    return [strokes[k] for k in sorted(strokes)], latest


def render(key: str, data: dict, on_strokes: Callable[[], None]) -> None:
    """The canvas under ``key``, drawing ``data`` (canvas_data); ``on_strokes`` runs when strokes
    arrive, reading them with :func:`sent_strokes`."""
    # The column's width, the grid at most 256 px of it (square, narrower in a narrower column).
    _MOUNT(key=key, data=data, on_strokes_change=on_strokes, width="stretch")


def sent_strokes(key: str) -> object:
    """The payload of strokes the browser just sent to the canvas under ``key`` (None if none)."""
    get = getattr(st.session_state.get(key), "get", None)
    return get("strokes") if get is not None else None
