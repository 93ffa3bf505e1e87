"""``ptrack serve``: a live preview of the status site while the campaign files are edited.

The preview builds the site with ``ptrack.render.site.build_files`` (what ``ptrack build`` calls)
into a temporary folder, serves it on 127.0.0.1 with a ``ThreadingHTTPServer``, watches the
campaign files and ``ptrack.yaml`` (watchfiles, imported when the preview starts), rebuilds on
save and reloads the open pages.

* Each build goes into a fresh folder ``<tmp>/build-N``; the server switches to it only when the
  build succeeded. An invalid save (or a build that raises: a bug, a full disk) keeps the last good
  build on the server and shows the problems, ``file:line:col: ...``, on the page.
* The files on disk are exactly what ``ptrack build`` writes. HTML responses, and only those, get a
  small script (``/__ptrack/live.js``) injected before ``</body>``; it listens to
  ``/__ptrack/events`` (Server-Sent Events): a new build reloads the page; problems show an overlay
  (built from text nodes, so campaign strings stay text); fixing them removes it. When problems are
  known as the page is served, the overlay is in the HTML as well (escaped), so it is there without
  JavaScript too. ``/__ptrack/state`` is the same state as JSON.
* Saves are debounced (watchfiles groups the events of one save; a save while a build runs asks
  for one more build after it), and one thread runs every build, so builds never overlap.
* The as-of date comes from a callable the CLI gives (this module never reads the clock): a fixed
  day, or today's date read again before each build; in that case the preview also rebuilds on its
  own when the day changes, so a page left open overnight moves to the new day.
* SIGINT and SIGTERM stop it: the server and watcher stop, a build in progress is let finish, the
  temporary folder is removed, the port is released, the exit code is 0.
* Who may ask: only requests whose ``Host`` is ``127.0.0.1:PORT``, ``localhost:PORT`` or
  ``[::1]:PORT`` (the port served) are answered; any other Host, or none, gets 400. A page of
  another site that a DNS rebinding points at 127.0.0.1 sends its own host name, so it cannot
  read the preview (``status.json``, the campaign pages) through the browser.
* Bad requests get an answer, never a traceback: a request target longer than
  ``MAX_TARGET_CHARS`` gets 414, control characters in the path (``%00``) 400, a name the file
  system refuses (too long, not a name) 404. Each refusal is one line on the terminal (404s for
  files that are simply missing are not reported).
* Slow clients: a connection must send its whole request head within ``REQUEST_TIMEOUT_S``
  (a deadline for the head, not a timeout per read, so a client trickling a byte a second is
  dropped too), and each write of the answer must go through within ``WRITE_TIMEOUT_S``.
  At most ``MAX_CONNECTIONS`` connections are served at once (a thread each); more get a short
  503 at once. The live-reload stream (``/__ptrack/events``) is one of them per open page: its
  head is read under the same deadline, then it only writes (an event on each change, a
  keepalive every ``KEEPALIVE_S``), so only the write timeout applies to it: a page that stops
  reading is dropped, an open tab is not.
"""

from __future__ import annotations

import errno
import html
import io
import json
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ptrack.errors import PtrackError, UsageError
from ptrack.i18n import M_, N_, NP_, normalise_locale, say, t

HOST = "127.0.0.1"
EVENTS_PATH = "/__ptrack/events"
SCRIPT_PATH = "/__ptrack/live.js"
STATE_PATH = "/__ptrack/state"
OVERLAY_ID = "ptrack-live-overlay"

# watchfiles: yield a batch once no event came for STEP_MS (an editor's write-rename-chmod of one
# save arrive within a few ms), and at the latest DEBOUNCE_MS after the first event.
STEP_MS = 50
DEBOUNCE_MS = 1600
KEEPALIVE_S = 15.0  # an SSE comment this often, so a closed tab is noticed and its thread ends
CLOCK_CHECK_S = 30.0  # with a date that follows the clock: how often the builder looks at the day
REQUEST_TIMEOUT_S = 10.0  # a connection's whole request line and headers must arrive within this
WRITE_TIMEOUT_S = 30.0  # one write of an answer (a chunk of a file, an event) must go through within this
MAX_CONNECTIONS = 64  # served at once (a thread each); more get 503 at once
MAX_TARGET_CHARS = 2048  # a longer request target gets 414
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_YAML = (".yaml", ".yml")
_OVERLAY_STYLE = ("position:fixed;left:0;right:0;top:0;z-index:2147483647;max-height:60vh;overflow:auto;"
                  "margin:0;padding:12px 16px;background:#fff5f5;color:#7f1d1d;border-bottom:3px solid #b91c1c;"
                  "box-shadow:0 2px 8px rgba(0,0,0,.25);font:14px/1.45 system-ui,sans-serif;text-align:left")
_BUTTON_STYLE = "float:right;margin:0 0 4px 12px;font:inherit;cursor:pointer"
_PRE_STYLE = ("margin:8px 0 0;white-space:pre-wrap;word-break:break-word;"
              "font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#111")


# ---------------------------------------------------------------------------------------------
# What is built and watched

@dataclass(frozen=True)
class Attempt:
    """One build: ``ok`` and its summary, or the problems (``file:line:col: ...`` lines) of an
    invalid campaign or settings, or ``failure``: the text of an unexpected error."""

    ok: bool
    day: date
    files: int = 0  # written by a good build
    campaigns: int = 0
    problems: tuple[str, ...] = ()
    failure: str | None = None
    warnings: tuple[str, ...] = ()  # diagnostics of a good build (warnings, notices) for the terminal
    notes: tuple[str, ...] = ()
    fatal: bool = False  # a --baseline given explicitly that cannot be had (as for build: exit 2)


@dataclass(frozen=True)
class WatchTargets:
    """The folders to watch, and which ``*.yaml`` files in them count: ``files`` by exact path,
    every one directly in ``folders`` (anywhere below them with ``recursive``)."""

    files: frozenset[Path] = frozenset()
    folders: frozenset[Path] = frozenset()
    recursive: bool = False

    def roots(self) -> list[Path]:
        wanted = {f.parent for f in self.files} | set(self.folders)
        return sorted(p for p in wanted if p.is_dir())

    def matches(self, path: str) -> bool:
        p = Path(path)
        if p.suffix not in _YAML or p.name.startswith("."):
            return False
        if p in self.files or p.parent in self.folders:
            return True
        return self.recursive and any(p.is_relative_to(folder) for folder in self.folders)


class SiteSource:
    """The campaign files (PATHS, or the ``campaigns`` glob of ptrack.yaml, read again before each
    build so that a new file or a changed setting is picked up), and how to build them."""

    def __init__(self, paths: Sequence[str], *, today: Callable[[], date], lang: str | None, font,
                 cwd: Path | None = None, baseline: str | None = "first", baseline_required: bool = False,
                 locale: str | None = None) -> None:
        self.paths = tuple(paths)
        self.locale = normalise_locale(lang or locale)  # of the terminal's lines and the build's summary
        self.today = today
        self.lang = lang
        self.font = font
        self.cwd = (cwd or Path.cwd()).resolve()
        self.baseline = baseline  # as build_files takes it: a revision, "first", or None for none
        self.baseline_required = baseline_required

    def _inputs(self):
        from ptrack.core.config import campaign_files, load_config

        config = load_config(self.cwd)
        return config, campaign_files(self.paths, config)

    def build(self, out_dir: Path) -> Attempt:
        """Build into ``out_dir``; never raises for what a user can cause or a bug."""
        day = self.today()
        try:
            from ptrack.render.site import build_files

            config, files = self._inputs()
            report = build_files(files, config, out_dir, as_of=day, lang=self.lang, font=self.font,
                                 baseline=self.baseline, baseline_required=self.baseline_required)
        except PtrackError as exc:  # ptrack.yaml invalid, a file gone, git refusing...
            from ptrack.git.gitio import GitError

            return Attempt(False, day, problems=(exc.text(self.locale),),
                           fatal=self.baseline_required and isinstance(exc, GitError))
        except OSError as exc:  # a full disk, an unwritable folder: in words
            from ptrack.process import os_error_text

            return Attempt(False, day, failure=os_error_text(exc, self.locale))
        except Exception as exc:  # noqa: BLE001 - a bug: its traceback is shown, not a crash
            text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
            return Attempt(False, day, failure=text)
        ordered = sorted(report.diagnostics, key=lambda d: (d.severity.rank, d.sort_key()))
        lines = tuple(d.format_text() for d in ordered)
        notes = tuple(dict.fromkeys(say(note, self.locale) for note in report.notes))
        if report.result is None:
            return Attempt(False, day, problems=lines, notes=notes)
        return Attempt(True, day, files=len(report.result.files), campaigns=len(report.result.campaigns),
                       warnings=lines, notes=notes)

    def watch_targets(self) -> WatchTargets:
        """What to watch for the current inputs: each file named and ptrack.yaml by path, the
        folders named, and the folder part of each glob of ptrack.yaml (every ``*.yaml`` there)."""
        from ptrack.core.config import CONFIG_NAME, load_config

        files: set[Path] = set()
        folders: set[Path] = set()
        recursive = False
        try:
            config = load_config(self.cwd)
        except PtrackError:
            config = None
        files.add((config.file if config and config.file else self.cwd / CONFIG_NAME).resolve())
        if self.paths:
            for raw in self.paths:
                p = (self.cwd / raw).resolve()
                (folders if p.is_dir() else files).add(p)
        elif config is not None:
            for pattern in config.campaigns:
                full = Path(pattern) if Path(pattern).is_absolute() else config.root / pattern
                parts = full.parts
                fixed = next((i for i, part in enumerate(parts) if any(c in part for c in "*?[")), len(parts))
                folders.add(Path(*parts[:fixed]).resolve() if fixed < len(parts) else full.parent.resolve())
                recursive = recursive or "**" in pattern
        return WatchTargets(frozenset(files), frozenset(folders), recursive)


# ---------------------------------------------------------------------------------------------
# The state the pages follow

@dataclass(frozen=True)
class State:
    version: int = 0  # changes with every update (what the event stream waits on)
    generation: str | None = None  # id of the build being served; None until one succeeded
    root: Path | None = None
    as_of: str | None = None
    problems: tuple[str, ...] = ()
    failure: str | None = None
    building: bool = False
    closing: bool = False

    def public(self) -> dict:
        return {"generation": self.generation, "as_of": self.as_of, "problems": list(self.problems),
                "failure": self.failure, "building": self.building}


class LiveState:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._state = State()

    def get(self) -> State:
        with self._cond:
            return self._state

    def update(self, **changes) -> State:
        with self._cond:
            self._state = replace(self._state, version=self._state.version + 1, **changes)
            self._cond.notify_all()
            return self._state

    def wait_change(self, seen: int, timeout: float) -> State:
        with self._cond:
            self._cond.wait_for(lambda: self._state.version != seen or self._state.closing, timeout)
            return self._state


# ---------------------------------------------------------------------------------------------
# The page side: the injected script and the overlay

_LIVE_JS = """\
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = me.getAttribute("data-generation");
  var texts = JSON.parse(me.getAttribute("data-texts"));
  var hidden = null;  // the problems the user hid, until they change
  function key(state) { return JSON.stringify([state.problems || [], state.failure || null]); }
  function wire(box, shown) {
    var button = box.querySelector("button");
    if (button) { button.addEventListener("click", function () { hidden = shown; box.remove(); }); }
  }
  function render(state) {
    var old = document.getElementById("%(id)s");
    var problems = state.problems || [];
    if ((!problems.length && !state.failure) || key(state) === hidden) {
      if (old) { old.remove(); }
      return;
    }
    if (old && old.getAttribute("data-key") === key(state)) { return; }
    var box = document.createElement("div");
    box.id = "%(id)s";
    box.setAttribute("role", "alert");
    box.setAttribute("style", %(style)s);
    box.setAttribute("data-key", key(state));
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = texts.hide;
    button.setAttribute("style", %(button)s);
    var title = document.createElement("strong");
    title.textContent = state.failure ? texts.failed : texts.invalid;
    var kept = document.createElement("div");
    kept.textContent = state.generation ? texts.kept : texts.none;
    var pre = document.createElement("pre");
    pre.setAttribute("style", %(pre)s);
    pre.textContent = state.failure || problems.join("\\n");
    box.append(button, title, kept, pre);
    wire(box, key(state));
    if (old) { old.replaceWith(box); } else { document.body.appendChild(box); }
  }
  var served = document.getElementById("%(id)s");  // in the HTML when the page was served
  if (served) { wire(served, served.getAttribute("data-key")); }
  var source = new EventSource("%(events)s");
  source.onmessage = function (event) {
    var state = JSON.parse(event.data);
    if (state.generation && state.generation !== generation) {
      source.close();
      window.location.reload();
      return;
    }
    render(state);
  };
  window.addEventListener("pagehide", function () { source.close(); });
})();
""" % {"id": OVERLAY_ID, "style": json.dumps(_OVERLAY_STYLE), "pre": json.dumps(_PRE_STYLE),
       "button": json.dumps(_BUTTON_STYLE), "events": EVENTS_PATH}

_LANG = re.compile(rb'<html[^>]*\blang="([^"]+)"', re.IGNORECASE)


def _texts(locale: str) -> dict[str, str]:
    keys = (N_("serve.invalid"), N_("serve.failed"), N_("serve.kept"), N_("serve.none"), N_("serve.hide"))
    return {key.removeprefix("serve."): t(locale, key) for key in keys}


def _overlay_key(state: State) -> str:
    """What the script compares to tell one set of problems from another (as its ``key()``)."""
    return json.dumps([list(state.problems), state.failure], ensure_ascii=False, separators=(",", ":"))


def overlay_html(state: State, locale: str) -> str:
    """The overlay as HTML (every text escaped), or "" when there is nothing to show."""
    if not state.problems and not state.failure:
        return ""
    texts = _texts(locale)
    body = state.failure or "\n".join(state.problems)
    e = html.escape
    return (f'<div id="{OVERLAY_ID}" role="alert" style="{e(_OVERLAY_STYLE)}" data-key="{e(_overlay_key(state))}">'
            f'<button type="button" style="{e(_BUTTON_STYLE)}">{e(texts["hide"])}</button>'
            f'<strong>{e(texts["failed" if state.failure else "invalid"])}</strong>'
            f'<div>{e(texts["kept" if state.generation else "none"])}</div>'
            f'<pre style="{e(_PRE_STYLE)}">{e(body)}</pre></div>')


def live_snippet(state: State, locale: str) -> str:
    """What goes before ``</body>``: the overlay when there are problems, and the script."""
    data = html.escape(json.dumps(_texts(locale), ensure_ascii=False), quote=True)
    generation = html.escape(state.generation or "", quote=True)
    return (overlay_html(state, locale)
            + f'<script src="{SCRIPT_PATH}" data-generation="{generation}" data-texts="{data}"></script>')


def inject(page: bytes, state: State, default_locale: str) -> bytes:
    """``page`` with the live snippet before its last ``</body>`` (at the end when it has none);
    the overlay speaks the page's own ``<html lang>``."""
    found = _LANG.search(page[:4096])
    locale = normalise_locale(found.group(1).decode("ascii", "replace") if found else default_locale)
    snippet = live_snippet(state, locale).encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + snippet if at < 0 else page[:at] + snippet + page[at:]


def placeholder_page(state: State, locale: str) -> bytes:
    """The page served while no build has succeeded yet: the problems, and the script that
    reloads once the files are fixed."""
    title = html.escape(t(locale, "serve.invalid"))
    return (f'<!DOCTYPE html>\n<html lang="{locale}">\n<head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="icon" href="data:,"></head>\n<body>\n{live_snippet(state, locale)}\n</body>\n</html>\n'
            ).encode("utf-8")


def _error_page(locale: str, code: int) -> str:
    """The page of an error answer in ``locale``, as ``BaseHTTPRequestHandler.error_message_format``
    (``send_error`` fills in ``%(explain)s``, escaped)."""
    title = html.escape(t(locale, "serve.error_page", code=code)).replace("%", "%%")
    return (f'<!DOCTYPE html>\n<html lang="{locale}">\n<head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="icon" href="data:,"></head>\n<body>\n<h1>{title}</h1>\n<p>%(explain)s</p>\n</body>\n</html>\n')


# ---------------------------------------------------------------------------------------------
# HTTP

class _HeadReader(io.RawIOBase):
    """The connection as it is read while the request head arrives: each read waits at most
    until the head's deadline, so the head as a whole gets ``REQUEST_TIMEOUT_S`` however slowly
    it trickles in (a timeout per read would let a client keep a thread for ever, a byte at a time)."""

    def __init__(self, sock, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("request head deadline")
        self._sock.settimeout(left)
        return self._sock.recv_into(buffer)


def allowed_hosts(port: int) -> frozenset[str]:
    """The ``Host`` values the preview answers: 127.0.0.1, localhost and [::1] at ``port`` (and
    without a port when it is 80, the one a browser leaves out)."""
    hosts = {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
    if port == 80:
        hosts |= {"127.0.0.1", "localhost", "[::1]"}
    return frozenset(hosts)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = MAX_CONNECTIONS  # a page's burst of requests waits in the kernel, not in SYN retries
    preview: "LivePreview"
    hosts: frozenset[str] = frozenset()
    _slots: threading.BoundedSemaphore
    _busy_said = -1e9

    def attach(self, preview: "LivePreview") -> None:
        """Serve ``preview``: its port's Host names, its cap on connections."""
        self.preview = preview
        self.hosts = allowed_hosts(self.server_address[1])
        self._slots = threading.BoundedSemaphore(preview.max_connections)

    def process_request(self, request, client_address) -> None:
        """A thread for the connection while fewer than ``max_connections`` are open; else a
        short 503, sent without waiting, and the connection closed."""
        if not self._slots.acquire(blocking=False):
            self._refuse_busy(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def _refuse_busy(self, request) -> None:
        now = time.monotonic()
        if now - self._busy_said >= 10:  # one line per burst, not one per connection; said first
            self._busy_said = now
            self.preview.say_err(N_("serve.log.busy"), n=self.preview.max_connections)
        body = (t(self.preview.locale, "serve.busy") + "\n").encode("utf-8")
        head = (b"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
                b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n" % len(body))
        try:
            request.setblocking(False)
            request.send(head + body)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # a tab closed mid-response
        self.preview.say_err(N_("serve.log.error"), error=f"{type(exc).__name__}: {exc}")


class _Handler(SimpleHTTPRequestHandler):
    server: _Server

    def __init__(self, request, client_address, server: _Server) -> None:
        self.state = server.preview.state.get()  # one build for the whole request
        self._head_read = False
        root = self.state.root or server.preview.workdir
        super().__init__(request, client_address, server, directory=str(root))

    def setup(self) -> None:
        super().setup()
        deadline = time.monotonic() + self.server.preview.request_timeout
        self.rfile = io.BufferedReader(_HeadReader(self.connection, deadline))

    def parse_request(self) -> bool:
        ok = super().parse_request()  # a TimeoutError of the head's deadline goes to handle_one_request
        self._head_read = True
        self.connection.settimeout(self.server.preview.write_timeout)  # from now on it only writes
        return ok and self._acceptable()

    def _acceptable(self) -> bool:
        """Whether to answer this request: the Host is the preview's, the target is short and a
        path of text. Otherwise an error is sent (and said on the terminal) and False returned."""
        hosts = self.headers.get_all("Host") or []
        if len(hosts) != 1 or hosts[0].strip().lower() not in self.server.hosts:
            port = self.server.server_address[1]
            locale = self.server.preview.locale
            why = t(locale, "serve.why.host", host=hosts[0].strip()) if len(hosts) == 1 \
                else t(locale, "serve.why.no_host") if not hosts else t(locale, "serve.why.hosts")
            self.send_error(400, explain=t(locale, "serve.bad_host", url=f"http://{HOST}:{port}/"), why=why)
            return False
        if len(self.path) > MAX_TARGET_CHARS:
            self.send_error(414, explain=t(self.server.preview.locale, "serve.why.too_long", n=f"{len(self.path):,}",
                                           limit=f"{MAX_TARGET_CHARS:,}"))
            return False
        try:
            path = unquote(urlsplit(self.path).path, errors="strict")
        except (ValueError, UnicodeDecodeError):
            path = None
        if path is None or _CONTROL.search(path):
            self.send_error(400, explain=t(self.server.preview.locale, "serve.why.path"))
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None, *,
                   why: str | None = None) -> None:
        """The error answer with the standard reason phrase, and one line on the terminal for
        every refusal (a file simply missing, 404, is not one)."""
        preview = self.server.preview
        if code != 404:
            reason = why or explain or t(preview.locale, "serve.why.http", code=code)
            preview.say_err(N_("serve.log.refused"), code=code, request=self._shown_request(),
                            client=self.client_address[0], why=reason)
        # The page in the preview's language, not http.server's English one; ``message`` (the
        # base class's "File not found", "Unsupported method") stays out of it.
        self.error_message_format = _error_page(preview.locale, code)
        explain = explain or t(preview.locale, N_("serve.not_found") if code == 404 else N_("serve.why.http"), code=code)
        super().send_error(code, None, explain)

    def _shown_request(self) -> str:
        """The request in a few words: method and target, cut to 60 characters."""
        locale = self.server.preview.locale
        if not getattr(self, "requestline", ""):
            return t(locale, "serve.request.too_long")
        words = self.requestline.split()
        target = words[1] if len(words) > 1 else ""
        if len(target) > 60:
            target = t(locale, "serve.request.cut", start=target[:60], n=f"{len(target):,}")
        return f"{words[0]} {target}".strip()

    def log_error(self, format, *args) -> None:  # noqa: A002 - the base class's name
        if format.startswith("Request timed out"):  # BaseHTTPRequestHandler.handle_one_request
            preview = self.server.preview
            why = (t(preview.locale, "serve.why.slow_reader", s=f"{preview.write_timeout:g}") if self._head_read
                   else t(preview.locale, "serve.why.slow_request", s=f"{preview.request_timeout:g}"))
            preview.say_err(N_("serve.log.dropped"), client=self.client_address[0], why=why)
        # the other errors are said by send_error, once

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass  # one line per request would bury the build messages

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload always gets the new build
        super().end_headers()

    def do_GET(self) -> None:
        self._get(head=False)

    def do_HEAD(self) -> None:
        self._get(head=True)

    def _send(self, code: int, content_type: str, body: bytes, head: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _get(self, head: bool) -> None:
        preview = self.server.preview
        url = urlsplit(self.path)
        path = url.path
        if path == EVENTS_PATH and not head:
            return self._events()
        if path == SCRIPT_PATH:
            return self._send(200, "text/javascript; charset=utf-8", _LIVE_JS.encode("utf-8"), head)
        if path == STATE_PATH:
            body = json.dumps(self.state.public(), ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
            return self._send(200, "application/json; charset=utf-8", body, head)
        if self.state.root is None:
            return self._send(503, "text/html; charset=utf-8", placeholder_page(self.state, preview.locale), head)
        # os.path's tests, not Path's: they say False for a name the file system refuses (too
        # long, ...) where Path.is_dir raises
        target = self.translate_path(self.path)
        if os.path.isdir(target):
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/" + (f"?{url.query}" if url.query else ""))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            target = os.path.join(target, "index.html")
        if target.endswith(".html") and os.path.isfile(target):
            try:
                page = Path(target).read_bytes()
            except OSError:
                return self.send_error(404)
            return self._send(200, "text/html; charset=utf-8", inject(page, self.state, preview.locale), head)
        return super().do_HEAD() if head else super().do_GET()

    def _events(self) -> None:
        """Server-Sent Events: the state now, then on every change; a comment line as keepalive."""
        states = self.server.preview.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"retry: 1000\n\n")
        seen = -1
        while True:
            state = states.wait_change(seen, KEEPALIVE_S)
            if state.closing:
                return
            if state.version != seen:
                seen = state.version
                self.wfile.write(b"data: " + json.dumps(state.public(), ensure_ascii=False).encode("utf-8") + b"\n\n")
            else:
                self.wfile.write(b": keepalive\n\n")
            self.wfile.flush()


# ---------------------------------------------------------------------------------------------
# The preview: builder, watcher, server

def _bind(port: int) -> _Server:
    try:
        return _Server((HOST, port), _Handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(M_("serve.port_in_use", port=port, host=HOST)) from None
        if exc.errno == errno.EACCES:
            raise UsageError(M_("serve.port_privileged", port=port)) from None
        raise UsageError(M_("serve.cannot_listen", host=HOST, port=port, reason=exc.strerror or str(exc))) from None


@dataclass
class LivePreview:
    source: SiteSource
    port: int = 8000
    locale: str = "zh-CN"  # of the placeholder page (before any build succeeded)
    follow_clock: bool = False  # the as-of date is today's: rebuild when the day changes
    out: Callable[[str], None] = print
    err: Callable[[str], None] = print
    state: LiveState = field(default_factory=LiveState)
    workdir: Path | None = None
    request_timeout: float = REQUEST_TIMEOUT_S  # for a connection's whole request head
    write_timeout: float = WRITE_TIMEOUT_S  # for each write of an answer
    max_connections: int = MAX_CONNECTIONS  # served at once; more get 503

    def say(self, key: str, /, **values) -> None:
        """A line on the terminal (``out``) in the preview's language."""
        self.out(t(self.locale, key, **values))

    def say_err(self, key: str, /, **values) -> None:
        """A line on the error stream (``err``) in the preview's language."""
        self.err(t(self.locale, key, **values))

    def __post_init__(self) -> None:
        self._session = secrets.token_hex(4)
        self._stop = threading.Event()
        self._wake = threading.Condition()
        self._dirty: list[str] = []  # what changed since the last build started
        self._builds = 0
        self._built_day: date | None = None
        self._kept: list[Path] = []  # the build served and the one before it (requests in flight)
        self._said: set[str] = set()
        self._last_warnings: tuple[str, ...] = ()
        self._targets = WatchTargets()
        self._rewatch = threading.Event()

    # -- lifecycle ------------------------------------------------------------------------------

    def stop(self, *_args) -> None:
        """Ask the preview to stop (a signal handler: it only sets flags)."""
        self._stop.set()
        self._rewatch.set()
        with self._wake:
            self._wake.notify_all()

    def run(self) -> int:
        """Serve until stopped; returns the exit code. Raises UsageError when the port is taken."""
        server = _bind(self.port)
        server.attach(self)
        # Signals reach the main thread only; a preview run by another thread is stopped with stop().
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGINT, signal.SIGTERM)} \
            if threading.current_thread() is threading.main_thread() else {}
        self.workdir = Path(tempfile.mkdtemp(prefix="ptrack-serve-"))
        threads: list[threading.Thread] = []
        watcher = None
        try:
            self._targets = self.source.watch_targets()
            try:
                watcher = self._open_watcher(self._targets)  # before the build: a save during it counts
            except Exception as exc:  # noqa: BLE001 - e.g. the system's limit of inotify watches
                raise UsageError(M_("serve.cannot_watch", folders=", ".join(map(str, self._targets.roots())),
                                    reason=str(exc))) from None
            first = self._build(first=True)
            if first.fatal:
                raise UsageError(first.problems[0])  # already said in the preview's language
            if self._stop.is_set():
                return 0
            host, port = server.server_address[:2]
            threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="ptrack-http", daemon=True),
                       threading.Thread(target=self._builder_loop, name="ptrack-build", daemon=True),
                       threading.Thread(target=self._watch_loop, args=(watcher,), name="ptrack-watch",
                                        daemon=True)]
            for thread in threads:
                thread.start()
            self.say(N_("serve.log.folder"), folder=str(self.workdir))
            self.say(N_("serve.log.serving"), url=f"http://{host}:{port}/")
            while not self._stop.wait(0.5):
                pass
            self.say(N_("serve.log.stopping_busy") if self.state.get().building else N_("serve.log.stopping"))
            return 0
        finally:
            self.stop()
            self.state.update(closing=True)
            if threads:
                server.shutdown()
            server.server_close()
            if not threads and watcher is not None:
                watcher.close()
            for thread in threads[1:]:
                thread.join()  # the builder finishes the build in progress; the watcher stops
            shutil.rmtree(self.workdir, ignore_errors=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if self.workdir.exists():
                self.say_err(N_("serve.log.not_removed"), folder=str(self.workdir))
            else:
                self.say(N_("serve.log.removed"), folder=str(self.workdir))

    # -- building -------------------------------------------------------------------------------

    def request_build(self, reason: str) -> None:
        with self._wake:
            self._dirty.append(reason)
            self._wake.notify_all()

    def _builder_loop(self) -> None:
        while not self._stop.is_set():
            with self._wake:
                self._wake.wait_for(lambda: self._dirty or self._stop.is_set(),
                                    CLOCK_CHECK_S if self.follow_clock else None)
                if self._stop.is_set():
                    return
                reasons, self._dirty = self._dirty, []
            if not reasons:
                if self.source.today() == self._built_day:
                    continue
                reasons = [t(self.locale, "serve.the_day")]  # "the day changed; built ..."
            self._build(reasons)

    def _build(self, reasons: Sequence[str] = (), first: bool = False) -> Attempt:
        """One build; what it gives is said on the terminal and shown to the pages (but for the
        first build's ``fatal`` problem: ``run`` stops with it, as ``ptrack build`` would)."""
        self._builds += 1
        out_dir = self.workdir / f"build-{self._builds}"
        self.state.update(building=True)
        started = time.perf_counter()
        attempt = self.source.build(out_dir)
        elapsed = time.perf_counter() - started
        self._built_day = attempt.day
        if first and attempt.fatal:
            shutil.rmtree(out_dir, ignore_errors=True)
            self.state.update(building=False)
            return attempt
        why = t(self.locale, "serve.changed", what=t(self.locale, "punct.list").join(dict.fromkeys(reasons))) \
            if reasons else ""
        for note in attempt.notes:
            if note not in self._said:
                self._said.add(note)
                self.say_err(N_("cli.note"), note=note)
        if attempt.ok:
            self._kept.append(out_dir)
            while len(self._kept) > 2:
                shutil.rmtree(self._kept.pop(0), ignore_errors=True)
            # the terminal first, then the pages: what a page shows has been said
            if attempt.warnings != self._last_warnings:
                for line in attempt.warnings:
                    self.err(line)
            self._last_warnings = attempt.warnings
            summary = t(self.locale, "serve.built", files=t(self.locale, NP_("build.files"), n=attempt.files),
                        campaigns=t(self.locale, NP_("build.campaigns"), n=attempt.campaigns))
            self.say(N_("serve.log.built"), why=why, summary=summary, seconds=f"{elapsed:.2f}",
                     day=attempt.day.isoformat())
            self.state.update(root=out_dir, generation=f"{self._session}-{self._builds}", problems=(),
                              failure=None, building=False, as_of=attempt.day.isoformat())
        else:
            shutil.rmtree(out_dir, ignore_errors=True)
            self._last_warnings = ()
            kept = t(self.locale, "serve.log.kept") if self.state.get().root else t(self.locale, "serve.log.nothing")
            key = N_("serve.log.failed") if attempt.failure else N_("serve.log.problems")
            self.say_err(key, why=why, kept=kept)
            for line in attempt.problems or (attempt.failure or "").splitlines():
                self.err(f"  {line}")
            self.state.update(problems=attempt.problems, failure=attempt.failure, building=False)
        targets = self.source.watch_targets()
        if targets != self._targets:
            self._targets = targets
            self._rewatch.set()
        return attempt

    # -- watching -------------------------------------------------------------------------------

    def _open_watcher(self, targets: WatchTargets):
        """A watcher of ``targets``, its watches in place when this returns (so a save made just
        after is seen); it collects events in its own thread until closed, during builds too.
        watchfiles' ``RustNotify`` is the object its ``watch()`` generator drives; used directly
        because that generator only starts watching on its first iteration. None when there is
        no folder to watch."""
        from watchfiles._rust_notify import RustNotify

        roots = targets.roots()
        if not roots:
            return None
        polling = os.environ.get("WATCHFILES_FORCE_POLLING", "").lower() not in ("", "0", "false", "no")
        return RustNotify([str(p) for p in roots], False, polling, 300, targets.recursive, True)

    def _watch_loop(self, watcher) -> None:
        while not self._stop.is_set():
            targets = self._targets
            if watcher is None:
                self._rewatch.wait()
            else:
                try:
                    raw = watcher.watch(DEBOUNCE_MS, STEP_MS, 5000, self._rewatch)
                except Exception as exc:  # noqa: BLE001 - the watcher's own thread failed
                    self.say_err(N_("serve.log.watch_failed"), error=f"{type(exc).__name__}: {exc}")
                    raw = "stop"
                    self._rewatch.set()
                if isinstance(raw, set):
                    changed = sorted({_shown(path) for _change, path in raw if targets.matches(path)})
                    if changed:
                        self.request_build(", ".join(changed))
                    continue
            if self._rewatch.is_set() and not self._stop.is_set():
                self._rewatch.clear()
                if watcher is not None:
                    watcher.close()
                try:
                    watcher = self._open_watcher(self._targets)
                except Exception as exc:  # noqa: BLE001 - a folder removed under us...
                    self.say_err(N_("serve.log.cannot_watch"), folders=", ".join(map(str, self._targets.roots())),
                                 reason=str(exc))
                    watcher = None
                    self._stop.wait(1.0)
                    self._rewatch.set()
        if watcher is not None:
            watcher.close()


def _shown(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def serve_site(paths: Sequence[str], *, today: Callable[[], date], follow_clock: bool, lang: str | None,
               port: int, font, locale: str | None = None, out: Callable[[str], None] = print,
               err: Callable[[str], None] = print, baseline: str | None = "first",
               baseline_required: bool = False) -> int:
    """``ptrack serve``: build, serve and rebuild until SIGINT/SIGTERM; returns the exit code.
    ``baseline`` and ``baseline_required`` as ``build_files`` takes them (``--baseline``)."""
    source = SiteSource(paths, today=today, lang=lang, font=font, baseline=baseline,
                        baseline_required=baseline_required, locale=locale)
    preview = LivePreview(source, port=port, locale=normalise_locale(lang or locale), follow_clock=follow_clock,
                          out=out, err=err)
    return preview.run()
