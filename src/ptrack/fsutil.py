"""Writing files so that no reader ever sees half a file: temp file in the same folder, then
rename (atomic on POSIX and Windows).

The temp file is ``.NAME.ptrack-XXXXXXXX.tmp`` beside the target, locked (``flock``) while it
is written. A process killed before the rename (``kill -9``, a power cut) leaves it behind; the
next ``atomic_write`` into that folder removes such orphans (``clean_stale_temp_files``): files
of that pattern, owned by this user, not written to for ``STALE_SECONDS`` and not locked by a
writer still at work. Temp files earlier versions left (``.NAME.XXXXXXXX.tmp``) go the same way
when NAME is there beside them.

A path that is a symbolic link is written through: the file the link points to gets the new
content, and the link stays a link.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

TEMP_PREFIX = "ptrack-"
STALE_SECONDS = 60.0
_OURS = re.compile(r"\.(?P<name>.+)\.ptrack-[a-z0-9_]{8}\.tmp\Z")
_EARLIER = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp\Z")  # before the "ptrack-" tag
_CLEANED: set[str] = set()  # folders cleaned by this process


def write_target(path: Path | str) -> Path:
    """The file a write to ``path`` changes: ``path`` itself, or the file its links point to."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def atomic_write(path: Path | str, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` atomically; the folder is created when missing. A failure
    leaves any existing file untouched and no temp file behind. Returns the file written (the
    target of a link)."""
    raw = data.encode(encoding) if isinstance(data, str) else data
    path, fd, tmp = _temp_file(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def _temp_file(path: Path | str) -> tuple[Path, int, str]:
    """(the file a write to ``path`` changes, an open temp file beside it locked as "being
    written", its name); the folder is created, and cleaned of stale temp files on its first
    write by this process."""
    path = write_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    folder = os.path.abspath(path.parent)
    if folder not in _CLEANED:
        _CLEANED.add(folder)
        clean_stale_temp_files(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{TEMP_PREFIX}", suffix=".tmp", dir=path.parent)
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)  # "being written": not an orphan (released when it is closed)
    return path, fd, tmp


def atomic_write_many(items, *, encoding: str = "utf-8") -> list[Path]:
    """``atomic_write`` for many files at once: ``items`` are (path, data). Each file is written
    to its temp file, the temp files are flushed to disk together (fsync in a few threads: on a
    disk where one fsync takes milliseconds, hundreds of person pages would otherwise take
    seconds), then each is renamed into place. Each file is still atomic on its own; a failure
    leaves the files not yet renamed untouched and no temp file behind. Returns the files written
    (links are written through, as by ``atomic_write``)."""
    from concurrent.futures import ThreadPoolExecutor

    temps: list[tuple[str, Path]] = []  # (temp file, target) not yet renamed
    fds: list[int] = []  # open temp files
    done: list[Path] = []
    try:
        for path, data in items:
            raw = data.encode(encoding) if isinstance(data, str) else data
            path, fd, tmp = _temp_file(path)
            fds.append(fd)
            temps.append((tmp, path))
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view):]
        if fds:
            with ThreadPoolExecutor(max_workers=min(16, len(fds))) as pool:
                list(pool.map(os.fsync, fds))
        while fds:
            os.close(fds.pop())
        umask = os.umask(0)
        os.umask(umask)
        for tmp, path in list(temps):
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask)
            os.replace(tmp, path)
            temps.remove((tmp, path))
            done.append(path)
    except BaseException:
        for fd in fds:
            os.close(fd)
        for tmp, _ in temps:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
        raise
    return done


def clean_stale_temp_files(folder: Path | str, *, older_than: float = STALE_SECONDS) -> list[Path]:
    """Remove the temp files of interrupted ``atomic_write`` calls in ``folder`` (see the module
    docstring); returns what was removed. Never raises for a folder it cannot read."""
    removed: list[Path] = []
    folder = Path(folder)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    names = {e.name for e in entries}
    now = time.time()
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    for entry in entries:
        ours = _OURS.match(entry.name)
        if not ours:
            earlier = _EARLIER.match(entry.name)
            if not earlier or earlier["name"] not in names:
                continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid) or now - st.st_mtime < older_than:
            continue
        if _orphan(entry.path):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def _orphan(path: str) -> bool:
    """No writer holds the file's lock (a writer's lock dies with its process)."""
    if fcntl is None:  # pragma: no cover - Windows: old and ours is all we know
        return True
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
