"""Names from files and links are shown as literal text, never as Markdown or HTML."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")


def escaped(text: str) -> str:
    """``text`` with every Markdown/HTML-significant character backslash-escaped (CommonMark
    allows escaping any ASCII punctuation), and newlines turned into spaces so a name stays one
    line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
