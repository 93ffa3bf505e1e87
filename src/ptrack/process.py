"""The process around a command, shared by the console script's two ways in (``ptrack.launch``
without click, ``ptrack.cli`` with it): UTF-8 streams and collector settings, ptrack's errors as
messages and exit codes, a click-compatible ``echo``, and the body of ``ptrack validate``."""

from __future__ import annotations

import gc
import re
import sys
from collections.abc import Callable

from ptrack.errors import PtrackError

_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


def echo(message: str, err: bool = False) -> None:
    """``click.echo(message, err=err)`` for a str: a newline added, ANSI codes stripped when the
    stream is not a terminal, flushed."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # pragma: no cover - pythonw
        return
    text = message + "\n"
    if not _isatty(stream):
        text = _ANSI.sub("", text)
    stream.write(text)
    stream.flush()


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except Exception:  # pragma: no cover - a closed or odd stream
        return False


def prepare_process() -> None:
    """What every ptrack command does first: collector thresholds, UTF-8 on stdout and stderr."""
    # A command is a short process holding one large document that has no reference cycles;
    # full collections would rescan it again and again (0.45 s of a 2 s check of 10,000
    # tasks). Young-generation collections still run.
    gc.set_threshold(100_000, 50, 1_000)
    for stream in (sys.stdout, sys.stderr):
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            try:
                stream.reconfigure(encoding="utf-8")
            except (AttributeError, ValueError):  # pragma: no cover - exotic streams
                pass


def end_process() -> None:
    """The process is ptrack's (the console script, python -m ptrack) and is ending: move every
    object into the permanent generation, so that the collections of interpreter shutdown do
    not walk them all once more (0.23 s of a 2.1 s build of 1,000 tasks). atexit handlers and
    stream flushes still run."""
    gc.freeze()


def guarded(run: Callable[[], None], echo: Callable[..., None] = echo) -> None:
    """Run a command; ptrack's errors and the file system's become a message and an exit code."""
    try:
        run()
    except PtrackError as exc:
        echo(f"ptrack: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # `ptrack status | head`
        sys.stderr.close()
        sys.exit(0)
    except OSError as exc:  # the file system said no: an unwritable --out, a full disk...
        where = f"{exc.filename}: " if exc.filename else ""
        echo(f"ptrack: error: {where}{exc.strerror or exc}", err=True)
        sys.exit(2)


def run_validate(paths, echo: Callable[..., None] = echo) -> int:
    """``ptrack validate PATHS``: print every problem, then a summary; the exit code."""
    from ptrack.core.config import campaign_files, load_config
    from ptrack.core.diagnostics import summary_line
    from ptrack.core.validate import validate_files

    config = load_config()
    report = validate_files(campaign_files(paths, config), config)
    for d in report.diagnostics:
        echo(d.format_text())
    if report.failed or report.diagnostics:
        echo(summary_line(report), err=True)
    else:
        echo(f"{len(report.results)} campaign file(s) valid", err=True)
    return 1 if report.failed else 0
