"""The process around a command, shared by the console script's two ways in (``ptrack.launch``
without click, ``ptrack.cli`` with it): UTF-8 streams and collector settings, ptrack's errors as
messages and exit codes, ``echo`` (the one way text reaches the terminal), and the body of
``ptrack validate``.

Terminal output is neutralised in one place, ``echo``: control characters from campaign text
(or from a server's answer, a request path...) would ring the bell, move the cursor, retitle
the window or write the clipboard (OSC 52). ``visible`` shows them instead: C0 controls and DEL
as their Unicode control pictures (BEL as ␇, ESC as ␛), C1 controls as ``\x9b``; tabs and line
breaks stay. ptrack's own colours are made by ``style``, whose marks no text can forge (a random
nonce per process): ``echo`` turns them into escape codes only after neutralising, when colour
is wanted. Data outputs (JSON, CSV, ...) go through ``echo_data`` untouched: their consumers
need the text as it is (and ptrack's JSON escapes every control character itself).
"""

from __future__ import annotations

import gc
import os
import re
import sys
from collections.abc import Callable

from ptrack.errors import PtrackError

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# ptrack's own SGR codes, marked so that no campaign text can make one (see style())
_MARK = "\ue000" + os.urandom(6).hex() + "\ue001"
_MARKED = re.compile(re.escape(_MARK) + "([0-9;]*)m")
_COLOURS = {"black": 30, "red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}


def _picture(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\x{code:02x}"  # C1: no picture of its own


def visible(text: str) -> str:
    """``text`` with every control character but tab and line feed shown, not obeyed."""
    return _CONTROLS.sub(_picture, text)


def style(text: str, fg: str | None = None, bold: bool = False) -> str:
    """``text`` in a colour for the terminal (``echo`` makes the codes, or drops them)."""
    codes = ([str(_COLOURS[fg])] if fg else []) + (["1"] if bold else [])
    return f"{_MARK}{';'.join(codes)}m{text}{_MARK}0m" if codes else text


def unstyle(text: str) -> str:
    return _MARKED.sub("", text)


def terminal_text(text: str, color: bool = False) -> str:
    """What ``echo`` writes for ``text``: neutralised, with ptrack's colours or without."""
    text = visible(text)
    return _MARKED.sub(lambda m: f"\x1b[{m.group(1)}m", text) if color else unstyle(text)


def echo(message: str = "", err: bool = False, nl: bool = True, color: bool | None = None) -> None:
    """Write ``message`` for people: neutralised (``visible``), a newline added, ptrack's colours
    when ``color`` (None: when the stream is a terminal), flushed."""
    stream = sys.stderr if err else sys.stdout
    if stream is None:  # pragma: no cover - pythonw
        return
    if color is None:
        color = _isatty(stream)
    stream.write(terminal_text(message + ("\n" if nl else ""), color))
    stream.flush()


def echo_data(text: str) -> None:
    """Write a data document (JSON, CSV, ...) to stdout exactly as it is, flushed."""
    sys.stdout.write(text)
    sys.stdout.flush()


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
