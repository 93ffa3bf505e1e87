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


# -- the command's language ------------------------------------------------------------------
#
# What ptrack says about a command as a whole (its errors, usage errors, summary lines) is said in
# one language: --lang, else ptrack.yaml's locale, else the first campaign's, else zh-CN. A
# finding about a campaign is in that campaign's language (--lang, else its locale, else
# ptrack.yaml's). Found from the command line and the files' text, without loading anything:
# a command that fails before reading its campaigns (a bad option, a broken ptrack.yaml) still
# speaks its user's language.

_command_locale: str | None = None
_command_args: list[str] = []


def set_command(args) -> None:
    """The command line being run (after ``ptrack``): where ``command_locale`` looks."""
    global _command_locale, _command_args
    _command_locale = None
    _command_args = [str(a) for a in (args or ())]


def set_command_locale(locale: str | None) -> None:
    """The command's language, once a command knows it better than its command line does."""
    global _command_locale
    if locale:
        from ptrack.i18n import normalise_locale

        _command_locale = normalise_locale(locale)


def command_locale() -> str:
    """The language of the command's own words (see above), found once."""
    global _command_locale
    if _command_locale is None:
        from ptrack.i18n import normalise_locale

        try:
            found = _lang_option(_command_args) or _config_locale() or _campaign_locale(_command_args)
        except Exception:  # never let finding a language be the error
            found = None
        _command_locale = normalise_locale(found)
    return _command_locale


def _lang_option(args: list[str]) -> str | None:
    from ptrack.i18n import LOCALES

    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = args[i + 1] if arg == "--lang" and i + 1 < len(args) else \
            arg[len("--lang="):] if arg.startswith("--lang=") else None
        if value in LOCALES:  # what click accepts; anything else is a usage error, said otherwise
            return value
    return None


def _head(path) -> str:
    """The first 64 KiB of a regular file as text ("" for anything else)."""
    from ptrack.core.loader import open_regular

    with open_regular(path) as fh:
        return fh.read(65536).decode("utf-8", "replace")


def _config_locale() -> str | None:
    from ptrack.core.config import find_config

    path = find_config()
    if path is None:
        return None
    match = re.search(r"(?m)^locale[ \t]*:[ \t]*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)", _head(path))
    return match.group(1) if match else None


def _campaign_locale(args: list[str]) -> str | None:
    from pathlib import Path

    from ptrack.core.config import CONFIG_NAME, DEFAULT_GLOB, find_config

    candidates: list[Path] = []
    for arg in args:
        if arg.startswith("-"):
            continue
        p = Path(arg)
        if p.is_dir():
            candidates += sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml") and x.name != CONFIG_NAME)
        elif p.suffix in (".yaml", ".yml") and p.name != CONFIG_NAME and p.is_file():
            candidates.append(p)
    if not candidates:
        config = find_config()
        root = config.parent if config else Path.cwd()
        candidates = sorted(root.glob(DEFAULT_GLOB))
    return sniff_file_locale(candidates[0]) if candidates else None


def sniff_file_locale(path) -> str | None:
    """The ``locale`` a campaign file declares, read from its text without parsing it (None when
    it declares none or cannot be read)."""
    from ptrack.core.loader import sniff_locale

    try:
        return sniff_locale(_head(path))
    except Exception:
        return None


def say_error(message) -> str:
    """``ptrack: error: …`` / ``ptrack：错误：…`` in the command's language."""
    from ptrack.i18n import say, t

    locale = command_locale()
    return t(locale, "cli.error", message=say(message, locale))


def say_line(key: str, **values) -> str:
    """A message of the command in its language (``t`` with ``command_locale``)."""
    from ptrack.i18n import say, t

    locale = command_locale()
    return t(locale, key, **{k: say(v, locale) for k, v in values.items()})


def os_error_text(exc: OSError, locale: str | None = None, *, with_file: bool = True) -> str:
    """An OSError in the command's language (``ptrack.i18n.os_problem``): ``site/index.html：磁盘空间不足``."""
    from ptrack.i18n import os_problem, say

    return say(os_problem(exc, with_file=with_file), locale or command_locale())


def guarded(run: Callable[[], None], echo: Callable[..., None] = echo) -> None:
    """Run a command; ptrack's errors and the file system's become a message (in the command's
    language, ``command_locale``) and an exit code."""
    try:
        run()
    except PtrackError as exc:
        echo(say_error(exc), err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # `ptrack status | head`
        sys.stderr.close()
        sys.exit(0)
    except OSError as exc:  # the file system said no: an unwritable --out, a full disk...
        echo(say_error(os_error_text(exc)), err=True)
        sys.exit(2)


def run_validate(paths, echo: Callable[..., None] = echo, lang: str | None = None) -> int:
    """``ptrack validate PATHS``: print every problem, then a summary; the exit code."""
    from ptrack.core.config import campaign_files, load_config
    from ptrack.core.diagnostics import summary_line
    from ptrack.core.validate import validate_files
    from ptrack.i18n import NP_, t

    config = load_config()
    report = validate_files(campaign_files(paths, config), config, lang)
    for d in report.diagnostics:
        echo(d.format_text())
    if report.failed or report.diagnostics:
        echo(summary_line(report), err=True)
    else:
        echo(t(report.locale, NP_("validate.valid"), n=len(report.results)), err=True)
    return 1 if report.failed else 0
