"""Reading a file a user named on the command line, without trusting what the path points at.

Only a regular file is read (a FIFO would block forever, /dev/zero never ends, a directory or
socket is no file), and never more than the limit + 1 bytes, whatever the file does while it is
read (a file that grows after its size was checked is still cut off at the limit).
"""

from __future__ import annotations

import os
import stat

from mlpsim.core.errors import LimitError, ValidationError

_CHUNK = 1 << 20
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def read_user_file(path: str, limit: int, limit_variable: str) -> bytes:
    """The bytes of the regular file at ``path`` (symbolic links followed), at most ``limit``.

    Raises ValidationError for anything that is not a regular file (before opening it for
    reading) or cannot be read, LimitError naming ``limit_variable`` for a larger file.
    """
    try:
        _check_regular(os.stat(path).st_mode, path)
        # O_NONBLOCK: if the path is swapped for a FIFO after the check, open() must not wait
        # for a writer; fstat below then refuses it.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise ValidationError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        status = os.fstat(descriptor)
        _check_regular(status.st_mode, path)
        if status.st_size > limit:
            raise _too_large(path, status.st_size, limit, limit_variable)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(descriptor, min(_CHUNK, limit + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise _too_large(path, None, limit, limit_variable)
    except OSError as error:
        raise ValidationError(f"cannot read {path}: {error.strerror or error}") from None
    finally:
        os.close(descriptor)


def _check_regular(mode: int, path: str) -> None:
    if stat.S_ISREG(mode):
        return
    kind = next((name for test, name in _KINDS if test(mode)), "of a kind no file has")
    raise ValidationError(f"{path} is {kind}, not a regular file: give the path of a file")


def _too_large(path: str, size: int | None, limit: int, limit_variable: str) -> LimitError:
    amount = f"{size:,} bytes" if size is not None else "more bytes than that"
    return LimitError(f"{path}: {amount}; the limit is {limit:,} bytes (set {limit_variable} to change it)")
