"""Writing files so that no reader ever sees half a file: temp file in the same folder, then
rename (atomic on POSIX and Windows)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def atomic_write(path: Path | str, data: bytes | str, *, encoding: str = "utf-8") -> Path:
    """Write ``data`` to ``path`` atomically; the folder is created when missing. A failure
    leaves any existing file untouched and no temp file behind."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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


def atomic_write_many(items, *, encoding: str = "utf-8") -> list[Path]:
    """``atomic_write`` for many files at once: ``items`` are (path, data). Each file is written
    to its temp file, the temp files are flushed to disk together (fsync in a few threads: on a
    disk where one fsync takes milliseconds, hundreds of person pages would otherwise take
    seconds), then each is renamed into place. Each file is still atomic on its own; a failure
    leaves the files not yet renamed untouched and no temp file behind. Returns the paths."""
    from concurrent.futures import ThreadPoolExecutor

    temps: list[tuple[str, Path]] = []  # (temp file, target) not yet renamed
    fds: list[int] = []  # open temp files
    done: list[Path] = []
    try:
        for path, data in items:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            raw = data.encode(encoding) if isinstance(data, str) else data
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
