"""Sending for real: JSON over HTTP(S) to the chat platforms' webhooks, mail over SMTP.

Both retry what may pass (HTTP 429 honouring ``Retry-After``, 5xx, refused/reset connections,
timeouts; SMTP 4xx replies and dropped connections) with exponential back-off, and give up at once
on what will not (other 4xx, SMTP 5xx). Neither raises for a network or server failure: the
result says what happened. Every text they produce goes through :func:`redact` first, so a webhook
token, a signing secret or a password never reaches an error, a log line or the terminal.

The clock is injectable (:class:`Clock`): tests record the back-off sleeps instead of sleeping,
and fix the wall time that signatures and mail ``Date:`` headers use.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

from ptrack.netutil import network_reason

log = logging.getLogger("ptrack.notify")

MAX_RESPONSE_BYTES = 64 * 1024   # a platform's answer is a short JSON object or a word
REDACTED = "***"


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

    def wait(self) -> float:
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
            self.clock.sleep(delay)
            waited += delay
        longest = max((p for _n, p in self.windows), default=0.0)
        self.sent = [t for t in self.sent if t > now - longest] + [now]
        return waited


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret (and its URL-quoted forms) replaced by ``***``. Longest first,
    so a URL is masked whole before the token inside it."""
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
    error: str | None = None       # "timed out after 10 s", "connection refused", ...
    attempts: int = 1
    waits: tuple[float, ...] = ()  # the back-off sleeps taken, in order

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


class HttpTransport:
    """POST a JSON body; retry 429 / 5xx / network failures with back-off.

    ``retry_body`` lets a platform name answers that are throttling in disguise (飞书 code 11232
    in an HTTP 200 body, 企业微信 errcode 45009): they are retried like a 429.
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
        self._opener = urllib.request.build_opener()   # honours http(s)_proxy / no_proxy

    def post_json(self, url: str, payload: Mapping[str, object], *, secrets: Sequence[str | None] = (),
                  retry_body: Callable[[HttpResult], bool] | None = None, label: str = "") -> HttpResult:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        hidden = list(secrets) + url_secrets(url)
        waits: list[float] = []
        attempt = 0
        while True:
            attempt += 1
            result = self._once(url, body)
            result = HttpResult(result.status, result.body, result.headers,
                                redact(result.error, hidden) if result.error else None, attempt, tuple(waits))
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
                                  f"Retry-After {wait:g} s is longer than {self.retry.max_wait:g} s",
                                  attempt, tuple(waits))
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

    def _once(self, url: str, body: bytes) -> HttpResult:
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": self.user_agent})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
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
            return HttpResult(None, error=network_reason(exc, self.timeout))


def _headers(headers) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers.items() if headers is not None else ())}


# --- SMTP -------------------------------------------------------------------------------------

SECURITY_MODES = ("starttls", "ssl", "none")


@dataclass(frozen=True)
class SmtpResult:
    ok: bool
    detail: str
    attempts: int = 1
    waits: tuple[float, ...] = ()


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


def _smtp_reason(exc: BaseException, timeout: float) -> tuple[str, bool]:
    """(secret-free reason, worth retrying)."""
    import smtplib

    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"SMTP {exc.smtp_code}: authentication failed", False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _msg in exc.recipients.values()})
        transient = all(400 <= c < 500 for c in codes)
        return "SMTP " + "/".join(map(str, codes)) + ": recipient refused", transient
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return f"SMTP {exc.smtp_code}: {message}", 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return f"the server does not support it: {exc}", False
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "the server closed the connection", True
    if isinstance(exc, smtplib.SMTPException):
        return f"SMTP error: {exc}", False
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}", False
    return network_reason(exc, timeout), True


def send_mail(server: SmtpServer, message, to_addrs: Sequence[str], *, retry: RetryPolicy | None = None,
              clock: Clock | None = None, label: str = "") -> SmtpResult:
    """Send one ``email.message.EmailMessage`` to ``to_addrs``: STARTTLS (or SSL) before AUTH,
    retrying dropped connections, timeouts and SMTP 4xx replies."""
    import smtplib

    retry = retry or RetryPolicy()
    clock = clock or SYSTEM_CLOCK
    secrets = [server.password]
    waits: list[float] = []
    attempt = 0
    while True:
        attempt += 1
        try:
            _smtp_once(server, message, to_addrs, smtplib)
            return SmtpResult(True, "sent", attempt, tuple(waits))
        except (OSError, smtplib.SMTPException) as exc:
            reason, transient = _smtp_reason(exc, server.timeout)
            reason = redact(reason, secrets)
            if not transient or attempt > retry.retries:
                log.info("%s: attempt %d: %s; giving up", label, attempt, reason)
                return SmtpResult(False, reason, attempt, tuple(waits))
            wait = retry.wait(attempt)
            log.info("%s: attempt %d: %s; retrying in %g s", label, attempt, reason, wait)
            waits.append(wait)
            clock.sleep(wait)


def _smtp_once(server: SmtpServer, message, to_addrs, smtplib) -> None:
    if server.security == "ssl":
        client = smtplib.SMTP_SSL(server.host, server.port, local_hostname=server.local_hostname,
                                  timeout=server.timeout, context=_tls_context(server))
    else:
        client = smtplib.SMTP(server.host, server.port, local_hostname=server.local_hostname,
                              timeout=server.timeout)
    with client:
        client.ehlo()
        if server.security == "starttls":
            client.starttls(context=_tls_context(server))
            client.ehlo()
        if server.username:
            client.login(server.username, server.password or "")
        client.send_message(message, to_addrs=list(to_addrs))
