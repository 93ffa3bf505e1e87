"""One writer at a time: the lock the editor holds while it reads, edits and writes a file.

The lock is an ``flock`` on the campaign file itself (the file a link points to), taken on the
descriptor the editor then reads the text from. No lock file is left beside it. An edit ends by
renaming a new file over the path (``ptrack.fsutil.atomic_write``), which gives the path a new
inode: a command that was waiting holds, once it gets the lock, the lock of a file that is no
longer at the path. So after taking the lock the editor checks that the path still names the
file it locked, and when it does not, opens the path again and waits for that file's lock. Two
updates of one file therefore run one after the other, each reading what the other wrote.

Waiting is bounded (``timeout`` seconds, default ``LOCK_TIMEOUT``): then ``LockTimeout``, exit
code 2, a message that says another command is changing the file. Where there is no ``fcntl``
(Windows), there is no lock.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ptrack.core.loader import open_regular
from ptrack.errors import PtrackError
from ptrack.i18n import t

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

LOCK_TIMEOUT = 30.0  # seconds an edit waits for another one on the same file


class LockTimeout(PtrackError):
    """Another command held the file's lock for longer than the timeout."""

    exit_code = 2


@contextmanager
def locked_file(path: Path | str, *, file: str, timeout: float = LOCK_TIMEOUT, exclusive: bool = True,
                locale: str | None = None) -> Iterator[object]:
    """The regular file at ``path`` (links followed), open for reading at its start and locked
    (``exclusive``, else shared) until the block ends."""
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        fh = open_regular(path, file, locale=locale)
        try:
            if fcntl is not None:
                _acquire(fh.fileno(), exclusive, deadline, file, timeout, locale)
            here = _same_file(fh.fileno(), path)
        except BaseException:
            fh.close()
            raise
        if here:
            try:
                yield fh
            finally:
                fh.close()  # closing the descriptor releases its lock
            return
        fh.close()  # the file was replaced while we waited: lock the one at the path now


def _acquire(fd: int, exclusive: bool, deadline: float, file: str, timeout: float, locale) -> None:
    flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    pause = 0.002
    while True:
        try:
            fcntl.flock(fd, flags)
            return
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            raise LockTimeout(t(locale or "en", "edit.locked", file=file, seconds=f"{timeout:g}"))
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _same_file(fd: int, path) -> bool:
    mine = os.fstat(fd)
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    return (mine.st_dev, mine.st_ino) == (now.st_dev, now.st_ino)
