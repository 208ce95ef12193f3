"""Writing the diagram to a file: standalone HTML, figure JSON, PNG or SVG.

HTML embeds plotly.js (~4.7 MB) so the page works offline. PNG and SVG go through kaleido 1.x,
which drives a Chrome/Chromium already on the machine (Debian's /usr/bin/chromium here; set
BROWSER_PATH to use another) and never downloads one at run time.

Every format is written to a temporary file beside the target and renamed over it only when
complete, so a failed export leaves an existing file untouched.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import plotly.graph_objects as go

from mlpsim.core.errors import MlpsimError

EXPORT_SUFFIXES = (".html", ".json", ".png", ".svg")
IMAGE_WIDTH = 1400
IMAGE_SCALE = 2
DEBIAN_CHROMIUM = "/usr/bin/chromium"


def check_export_path(path: str | os.PathLike) -> Path:
    """The target as a Path if its suffix names a format we write; MlpsimError otherwise."""
    target = Path(path)
    if target.suffix.lower() not in EXPORT_SUFFIXES:
        raise MlpsimError(
            f"{target}: cannot tell the format from the suffix {target.suffix or '(none)'!r}; "
            f"use one of {', '.join(EXPORT_SUFFIXES)}"
        )
    if not target.parent.is_dir():
        raise MlpsimError(f"cannot write {target}: folder {target.parent} does not exist")
    return target


def write_figure(figure: go.Figure, path: str | os.PathLike) -> Path:
    """Write ``figure`` in the format named by the suffix of ``path``; returns the path."""
    target = check_export_path(path)
    suffix = target.suffix.lower()
    if suffix == ".html":
        data = figure.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False}).encode()
    elif suffix == ".json":
        data = figure.to_json().encode()
    else:
        data = _image_bytes(figure, suffix[1:])
    _replace_atomically(target, data)
    return target


def _image_bytes(figure: go.Figure, image_format: str) -> bytes:
    try:
        import kaleido  # noqa: F401  (plotly's to_image needs it installed)
    except ImportError:
        raise MlpsimError(f"{image_format.upper()} export needs kaleido: pip install -r requirements.txt") from None
    if "BROWSER_PATH" not in os.environ and os.path.exists(DEBIAN_CHROMIUM):
        os.environ["BROWSER_PATH"] = DEBIAN_CHROMIUM
    # A file is viewed anywhere: give it an opaque white page instead of the app's transparent one.
    opaque = go.Figure(figure).update_layout(paper_bgcolor="white")
    try:
        return opaque.to_image(format=image_format, width=IMAGE_WIDTH, height=figure.layout.height, scale=IMAGE_SCALE)
    except Exception as error:  # kaleido reports a missing or failing browser in many ways
        raise MlpsimError(f"{image_format.upper()} export failed (needs Chrome or Chromium): {error}") from None


def _replace_atomically(target: Path, data: bytes) -> None:
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as error:
        raise MlpsimError(f"cannot write {target}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; an export is an ordinary file
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise MlpsimError(f"cannot write {target}: {error.strerror or error}") from None
