"""Share links: a whole network as URL-safe text, for the app's ``?net=...`` query parameter.

The text is ``1.`` (codec version) followed by base64url, without padding, of the zlib-compressed
compact JSON file (``fileformat.dumps(network, compact=True)``). Decoding trusts nothing: the
length is checked against ``Limits.max_link_chars`` before anything is decoded, decompression
stops as soon as the output would exceed ``Limits.max_upload_bytes`` (a link is a file in
disguise, so a compression bomb costs at most that much), and the JSON then goes through exactly
the validation a loaded file does.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

from mlpsim.core.errors import LimitError, ValidationError
from mlpsim.core.limits import DEFAULT_LIMITS, Limits
from mlpsim.core.network import Network
from mlpsim.io.fileformat import dumps, loads

PREFIX = "1."
"""Codec version marker; a future format can be told apart from this one."""

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def encode(network: Network, limits: Limits = DEFAULT_LIMITS) -> str:
    """The share-link text of ``network``. Raises LimitError when it is longer than
    ``limits.max_link_chars`` (the network is too big for a link; save the file instead)."""
    compressed = zlib.compress(dumps(network, compact=True).encode("utf-8"), level=9)
    text = PREFIX + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")
    if len(text) > limits.max_link_chars:
        raise LimitError(
            f"share link: the network needs {len(text):,} characters; the limit is "
            f"{limits.max_link_chars:,} — download the JSON file to share it instead"
        )
    return text


def decode(text: str, limits: Limits = DEFAULT_LIMITS) -> Network:
    """The network a share link's text encodes. Raises ValidationError (LimitError for sizes)."""
    if not isinstance(text, str):
        raise ValidationError(f"share link: expected text, got {type(text).__name__}")
    if len(text) > limits.max_link_chars:
        raise LimitError(f"share link: {len(text):,} characters; the limit is {limits.max_link_chars:,}")
    if not text.startswith(PREFIX):
        raise ValidationError(f"share link: unknown format (it should start with {PREFIX!r})")
    body = text[len(PREFIX) :]
    if not _BASE64URL.fullmatch(body):
        raise ValidationError("share link: contains characters that are not URL-safe base64")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise ValidationError("share link: damaged (not valid base64; was it cut short?)") from None
    return loads(_inflate(compressed, limits), limits)


def _inflate(compressed: bytes, limits: Limits) -> bytes:
    """Decompress at most ``limits.max_upload_bytes`` bytes; more is refused, not allocated."""
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(compressed, limits.max_upload_bytes + 1)
    except zlib.error:
        raise ValidationError("share link: damaged (the compressed data is corrupt)") from None
    if len(data) > limits.max_upload_bytes:
        raise LimitError(f"share link: it expands to more than {limits.max_upload_bytes:,} bytes, the file size limit")
    if not inflater.eof or inflater.unused_data:
        raise ValidationError("share link: damaged (the compressed data is incomplete or has extra bytes)")
    return data
