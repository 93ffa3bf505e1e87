"""Sending for real: JSON over HTTP(S) to the chat platforms' webhooks, mail over SMTP.

Both retry what may pass (HTTP 429 honouring ``Retry-After``, 5xx, refused/reset connections,
timeouts; SMTP 4xx replies and dropped connections) with exponential back-off, and give up at once
on what will not (other 4xx, SMTP 5xx). Neither raises for a network or server failure: the
result says what happened. Every text they produce goes through :func:`redact` first, so a webhook
token, a signing secret or a password never reaches an error, a log line or the terminal.

The clock is injectable (:class:`Clock`): tests record the back-off sleeps instead of sleeping,
and fix the wall time that signatures and mail ``Date:`` headers use.

Deadlines, not timeouts per read: each attempt (connect, send, the whole answer) has at most
``timeout`` seconds, however slowly a server trickles its answer; the attempt runs in a thread of
its own and, at the deadline, its sockets are shut down and it counts as timed out. A caller may
also give ``until`` (the run's deadline on the clock's monotonic time): no attempt starts after
it, none runs past it, no back-off sleeps past it.

Delivered or not? An attempt that connected (the request went out, or may have) and then got no
answer -- a timeout, a reset, a closed connection; for SMTP, after DATA began -- may have been
delivered: ``maybe_delivered``. A retry after it may post the message twice; the webhook
platforms offer no key to recognise a repeat (see docs/notify.md, "Delivery guarantees"), so a
message whose last attempt failed that way is *unconfirmed*, not failed.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Mapping, Sequence

from ptrack.i18n import M_, Said, say
from ptrack.netutil import network_problem, timed_out

DEADLINE_PASSED = M_("net.deadline_passed")  # "not sent: the run's deadline passed"

log = logging.getLogger("ptrack.notify")

MAX_RESPONSE_BYTES = 64 * 1024   # a platform's answer is a short JSON object or a word
REDACTED = "***"
ABORT_GRACE_S = 1.0  # after an attempt's deadline: how long its thread may take to notice the shutdown


class Clock:
    """Wall time (signatures, mail Date:), a monotonic clock (pacing) and sleep (back-off)."""

    def time(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


SYSTEM_CLOCK = Clock()


@dataclass(frozen=True)
class RetryPolicy:
    """``retries`` further attempts after the first; waits ``backoff * factor**n`` seconds before
    retry n+1, and at most ``max_wait`` seconds for one wait (a longer ``Retry-After`` fails)."""

    retries: int = 3
    backoff: float = 1.0
    factor: float = 2.0
    max_wait: float = 60.0

    def wait(self, retry: int) -> float:
        """The back-off before retry ``retry`` (1-based): 1, 2, 4 ... seconds by default."""
        return min(self.backoff * self.factor ** (retry - 1), self.max_wait)


class RateLimiter:
    """At most ``count`` sends in any ``period`` seconds, for each ``(count, period)`` window:
    ``wait()`` sleeps until the next send is allowed, then counts it. A burst up to the limit goes
    at once (钉钉's 20 a minute: a campaign's eight digests leave together, the 21st waits)."""

    def __init__(self, windows: Sequence[tuple[int, float]], clock: Clock):
        self.windows = [(int(n), float(p)) for n, p in windows if n > 0]
        self.clock = clock
        self.sent: list[float] = []

    def wait(self, until: float | None = None) -> float | None:
        """Sleep until the next send is allowed and count it; the seconds slept. None, without
        sleeping or counting, when the send would only be allowed after ``until``."""
        waited = 0.0
        while True:
            now = self.clock.monotonic()
            delay = 0.0
            for count, period in self.windows:
                recent = [t for t in self.sent if t > now - period]
                if len(recent) >= count:
                    delay = max(delay, recent[-count] + period - now)
            if delay <= 0:
                break
            if until is not None and now + delay > until:
                return None
            self.clock.sleep(delay)
            waited += delay
        longest = max((p for _n, p in self.windows), default=0.0)
        self.sent = [t for t in self.sent if t > now - longest] + [now]
        return waited


class Redacted:
    """A message whose text is redacted when said (``redact`` of a ``ptrack.i18n.Message``)."""

    __slots__ = ("message", "secrets")

    def __init__(self, message, secrets) -> None:
        self.message = message
        self.secrets = tuple(s for s in secrets if s)

    def text(self, locale: str | None) -> str:
        return redact(say(self.message, locale), self.secrets)

    def __str__(self) -> str:
        return self.text("en")


def redact(text, secrets: Iterable[str | None]):
    """``text`` with every secret (and its URL-quoted forms) replaced by ``***``. Longest first,
    so a URL is masked whole before the token inside it. A message (``ptrack.i18n.Message``) is
    redacted when it is said (``Redacted``)."""
    if isinstance(text, Said):
        return Said(Redacted(text.message, secrets))
    if not isinstance(text, str):
        return Redacted(text, secrets)
    forms: set[str] = set()
    for secret in secrets:
        if not secret or len(secret) < 4:
            continue
        forms.update({secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret),
                      urllib.parse.quote(secret)})
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REDACTED)
    return text


def url_secrets(url: str) -> list[str]:
    """The parts of a webhook URL that may carry its token: the whole URL, its path and query,
    every query value, and each path segment that holds a digit or is 16 characters or longer
    (``/open-apis/bot/v2/hook/<token>``, ``/services/T…/B…/<token>``, ``?access_token=…``, ``?key=…``)."""
    parts = urllib.parse.urlsplit(url)
    found = [url, parts.path, parts.query]
    found += [value for _key, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)]
    found += [seg for seg in parts.path.split("/") if any(c.isdigit() for c in seg) or len(seg) >= 16]
    return [s for s in found if s]


def safe_origin(url: str) -> str:
    """What may be shown of a webhook URL: its scheme and host (``https://oapi.dingtalk.com``)."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")


@dataclass(frozen=True)
class HttpResult:
    """The last answer (or the last network failure) of one POST and its retries."""

    status: int | None            # None: no HTTP answer at all (``error`` says why)
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None       # "timed out after 10 s", "connection refused", ... (a Said)
    attempts: int = 1
    waits: tuple[float, ...] = ()  # the back-off sleeps taken, in order
    # an attempt went out and got no answer (timed out, reset, closed): the platform may have the
    # message. With a failed result: delivery unconfirmed; with a delivered one: maybe twice.
    maybe_delivered: bool = False

    def __post_init__(self) -> None:
        if self.error is not None and not isinstance(self.error, str):  # a Message: English text too
            object.__setattr__(self, "error", Said(self.error))

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> object | None:
        try:
            return json.loads(self.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None


def _retry_after(value: str | None, clock: Clock) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - clock.time())


class _Attempt:
    """What one attempt's thread shares with the caller: the sockets it opened (shut down at
    the deadline), whether it connected (then the request may have gone out), its result."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sockets: list[socket.socket] = []
        self.connected = False
        self.aborted = False
        self.data_started = False  # SMTP: DATA was sent (the mail may be taken from here on)
        self.accepted = False  # SMTP: the server took the mail (what follows, QUIT, does not matter)
        self.result = None

    def opened(self, sock) -> None:
        with self.lock:
            self.sockets.append(sock)
            if self.aborted:  # the deadline came while it was connecting
                _shut(sock)

    def abort(self) -> None:
        with self.lock:
            self.aborted = True
            for sock in self.sockets:
                _shut(sock)


def _shut(sock) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # not connected, already closed, detached by TLS
        pass


def run_attempt(work: Callable[[_Attempt], object], limit: float) -> tuple[_Attempt, bool]:
    """Run ``work(attempt)`` in a thread for at most ``limit`` seconds; at the deadline shut the
    attempt's sockets down (its blocked reads and writes end at once) and give it
    ``ABORT_GRACE_S`` to return. Returns (the attempt, whether it ended in time)."""
    attempt = _Attempt()

    def target() -> None:
        attempt.result = work(attempt)

    thread = threading.Thread(target=target, name="ptrack-notify-attempt", daemon=True)
    thread.start()
    thread.join(limit)
    if not thread.is_alive():
        return attempt, True
    attempt.abort()
    thread.join(ABORT_GRACE_S)
    return attempt, False


def _watched(cls, attempt: _Attempt):
    """``cls`` (http.client's HTTP(S)Connection) telling ``attempt`` about its sockets."""

    class Watched(cls):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            create = self._create_connection

            def created(*a, **kw):
                sock = create(*a, **kw)
                attempt.opened(sock)
                return sock

            self._create_connection = created

        def connect(self):
            super().connect()
            attempt.opened(self.sock)  # the TLS socket, for HTTPS
            attempt.connected = True

    return Watched


class _Watching:
    """A urllib handler whose connections tell ``attempt`` about their sockets."""

    def __init__(self, attempt: _Attempt):
        super().__init__()
        self.attempt = attempt

    def do_open(self, http_class, req, **kw):
        return super().do_open(_watched(http_class, self.attempt), req, **kw)


class _WatchedHTTP(_Watching, urllib.request.HTTPHandler):
    pass


class _WatchedHTTPS(_Watching, urllib.request.HTTPSHandler):
    pass


class HttpTransport:
    """POST a JSON body; retry 429 / 5xx / network failures with back-off.

    ``timeout`` is each attempt's deadline (connect, send, whole answer). ``retry_body`` lets a
    platform name answers that are throttling in disguise (飞书 code 11232 in an HTTP 200 body,
    企业微信 errcode 45009): they are retried like a 429.
    """

    def __init__(self, *, timeout: float = 10.0, retry: RetryPolicy | None = None,
                 clock: Clock | None = None, user_agent: str | None = None):
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.clock = clock or SYSTEM_CLOCK
        if user_agent is None:
            from ptrack import __version__
            user_agent = f"ptrack/{__version__}"
        self.user_agent = user_agent

    def post_json(self, url: str, payload: Mapping[str, object], *, secrets: Sequence[str | None] = (),
                  retry_body: Callable[[HttpResult], bool] | None = None, label: str = "",
                  until: float | None = None) -> HttpResult:
        """POST, retrying; ``until``: no attempt or back-off goes past this monotonic time."""
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        hidden = list(secrets) + url_secrets(url)
        waits: list[float] = []
        attempt = 0
        maybe = False
        while True:
            limit = self.timeout
            if until is not None:
                left = until - self.clock.monotonic()
                if left <= 0:
                    return HttpResult(None, error=Said(DEADLINE_PASSED), attempts=attempt,
                                      waits=tuple(waits), maybe_delivered=maybe)
                limit = min(limit, left)
            attempt += 1
            result = self._once(url, body, limit)
            maybe = maybe or result.maybe_delivered
            result = HttpResult(result.status, result.body, result.headers,
                                redact(result.error, hidden) if result.error else None, attempt, tuple(waits),
                                maybe and (result.status is None or attempt > 1))
            wait = self._should_retry(result, retry_body)
            outcome = result.error or f"HTTP {result.status}"
            if wait is None or attempt > self.retry.retries:
                if wait is not None:
                    log.info("%s: attempt %d: %s; no retries left", label, attempt, outcome)
                return result
            if wait > self.retry.max_wait:
                log.info("%s: attempt %d: %s; Retry-After %g s is longer than %g s, giving up",
                         label, attempt, outcome, wait, self.retry.max_wait)
                return HttpResult(result.status, result.body, result.headers,
                                  Said(M_("net.retry_after", wait=f"{wait:g}", max=f"{self.retry.max_wait:g}")),
                                  attempt, tuple(waits), result.maybe_delivered)
            if until is not None and self.clock.monotonic() + wait > until:
                log.info("%s: attempt %d: %s; no retry: the run's deadline comes first", label, attempt, outcome)
                error = result.error or f"HTTP {result.status}"
                return HttpResult(result.status, result.body, result.headers,
                                  Said(M_("net.not_retried", reason=error)), attempt, tuple(waits),
                                  result.maybe_delivered)
            log.info("%s: attempt %d: %s; retrying in %g s", label, attempt, outcome, wait)
            waits.append(wait)
            self.clock.sleep(wait)

    def _should_retry(self, result: HttpResult, retry_body) -> float | None:
        """Seconds to wait before the next attempt, or None when this answer is final."""
        retry_no = result.attempts      # the retry that would come next is number `attempts`
        if result.status is None:
            return self.retry.wait(retry_no)
        if result.status == 429 or (retry_body is not None and 200 <= result.status < 300
                                    and retry_body(result)):
            # 飞书's gateway says how long in x-ogw-ratelimit-reset (seconds) rather than Retry-After
            after = _retry_after(result.headers.get("retry-after") or result.headers.get("x-ogw-ratelimit-reset"),
                                 self.clock)
            return after if after is not None else self.retry.wait(retry_no)
        if result.status >= 500:
            return self.retry.wait(retry_no)
        return None

    def _once(self, url: str, body: bytes, limit: float) -> HttpResult:
        """One attempt, over by ``limit`` seconds whatever the server does."""
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": self.user_agent})

        def work(attempt: _Attempt) -> HttpResult:
            # a new opener per attempt: its handlers report this attempt's sockets; the default
            # ProxyHandler still honours http(s)_proxy / no_proxy
            opener = urllib.request.build_opener(_WatchedHTTP(attempt), _WatchedHTTPS(attempt))
            try:
                with opener.open(request, timeout=limit) as response:
                    data = response.read(MAX_RESPONSE_BYTES)
                    return HttpResult(response.status, data, _headers(response.headers))
            except urllib.error.HTTPError as exc:
                try:
                    data = exc.read(MAX_RESPONSE_BYTES)
                except (OSError, http.client.HTTPException):
                    data = b""
                return HttpResult(exc.code, data, _headers(exc.headers))
            except (OSError, http.client.HTTPException, ValueError) as exc:
                # URLError is an OSError; a socket timeout while reading the answer arrives bare
                return HttpResult(None, error=Said(network_problem(exc, limit)), maybe_delivered=attempt.connected)

        attempt, in_time = run_attempt(work, limit)
        if in_time:
            return attempt.result
        return HttpResult(None, error=Said(timed_out(limit)), maybe_delivered=attempt.connected)


def _headers(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers.items() if headers is not None else ())}


# --- SMTP -------------------------------------------------------------------------------------

SECURITY_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpResult:
    ok: bool
    detail: str  # "sent", or why not (a ``ptrack.i18n.Said``: English text, said in any language)
    attempts: int = 1
    waits: tuple[float, ...] = ()
    maybe_delivered: bool = False  # as HttpResult's: an attempt lost its connection after DATA

    def __post_init__(self) -> None:
        if not isinstance(self.detail, str):
            object.__setattr__(self, "detail", Said(self.detail))


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: str = "starttls"            # starttls | ssl | none
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None             # a CA bundle to trust besides the system's
    local_hostname: str | None = None      # the EHLO name; default: this machine's FQDN


def _tls_context(server: SmtpServer) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if server.ca_file:
        context.load_verify_locations(cafile=server.ca_file)
    return context


def _smtp_reason(exc: BaseException, timeout: float) -> tuple[object, bool]:
    """(secret-free reason, a Message; worth retrying)."""
    import smtplib

    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return M_("net.smtp_auth", code=exc.smtp_code), False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _msg in exc.recipients.values()})
        transient = all(400 <= c < 500 for c in codes)
        return M_("net.smtp_recipient", code="/".join(map(str, codes))), transient
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"SMTP {exc.smtp_code}: {message}", 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return M_("net.smtp_unsupported", detail=str(exc)), False
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return M_("net.smtp_closed"), True
    if isinstance(exc, smtplib.SMTPException):
        return M_("net.smtp_error", detail=str(exc)), False
    if isinstance(exc, ssl.SSLError):
        return M_("net.tls", reason=str(exc.reason or exc)), False
    return network_problem(exc, timeout), True


def send_mail(server: SmtpServer, message, to_addrs: Sequence[str], *, retry: RetryPolicy | None = None,
              clock: Clock | None = None, label: str = "", until: float | None = None) -> SmtpResult:
    """Send one ``email.message.EmailMessage`` to ``to_addrs``: STARTTLS (or SSL) before AUTH,
    retrying dropped connections, timeouts and SMTP 4xx replies. ``server.timeout`` is each
    attempt's deadline; ``until`` as for ``HttpTransport.post_json``. A retry sends the same
    mail, Message-ID included, so a receiving system can tell a repeat."""
    import smtplib

    retry = retry or RetryPolicy()
    clock = clock or SYSTEM_CLOCK
    secrets = [server.password]
    waits: list[float] = []
    attempt = 0
    maybe = False
    while True:
        limit = server.timeout
        if until is not None:
            left = until - clock.monotonic()
            if left <= 0:
                return SmtpResult(False, Said(DEADLINE_PASSED), attempt, tuple(waits), maybe)
            limit = min(limit, left)
        attempt += 1

        def work(att: _Attempt, limit: float = limit):
            try:
                _smtp_once(replace(server, timeout=limit), message, to_addrs, smtplib, att)
            except (OSError, smtplib.SMTPException) as exc:
                return exc
            return None

        att, in_time = run_attempt(work, limit)
        if att.accepted:
            return SmtpResult(True, Said(M_("net.sent")), attempt, tuple(waits), maybe)
        if in_time:
            reason, transient = _smtp_reason(att.result, limit)
            # an answer after DATA (4xx/5xx) says the mail was not taken; a lost connection does not
            lost = not isinstance(att.result, smtplib.SMTPResponseException)
        else:
            reason, transient, lost = Said(timed_out(limit)), True, True
        maybe = maybe or (att.data_started and lost)
        reason = redact(reason, secrets)
        if not transient or attempt > retry.retries:
            log.info("%s: attempt %d: %s; giving up", label, attempt, reason)
            return SmtpResult(False, reason, attempt, tuple(waits), maybe)
        wait = retry.wait(attempt)
        if until is not None and clock.monotonic() + wait > until:
            log.info("%s: attempt %d: %s; no retry: the run's deadline comes first", label, attempt, reason)
            return SmtpResult(False, Said(M_("net.not_retried", reason=reason)), attempt, tuple(waits), maybe)
        log.info("%s: attempt %d: %s; retrying in %g s", label, attempt, reason, wait)
        waits.append(wait)
        clock.sleep(wait)


def _smtp_client(smtplib, security: str, attempt: _Attempt):
    """smtplib's client class for ``security``, telling ``attempt`` about its socket (as soon as
    it is connected: the greeting may trickle too) and when DATA begins."""
    base = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP

    class Client(base):
        def _get_socket(self, host, port, timeout):
            sock = super()._get_socket(host, port, timeout)
            attempt.opened(sock)
            return sock

        def data(self, msg):
            attempt.data_started = True
            return super().data(msg)

    return Client


def _smtp_once(server: SmtpServer, message, to_addrs, smtplib, attempt: _Attempt) -> None:
    cls = _smtp_client(smtplib, server.security, attempt)
    client = cls(server.host, server.port, local_hostname=server.local_hostname, timeout=server.timeout,
                 **({"context": _tls_context(server)} if server.security == "ssl" else {}))
    try:
        attempt.connected = True
        client.ehlo()
        if server.security == "starttls":
            client.starttls(context=_tls_context(server))
            attempt.opened(client.sock)
            client.ehlo()
        if server.username:
            client.login(server.username, server.password or "")
        client.send_message(message, to_addrs=list(to_addrs))
        attempt.accepted = True
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
