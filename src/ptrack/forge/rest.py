"""The transport of ptrack's REST clients (GitHub, GitLab): JSON over HTTPS with urllib, a
timeout on every request, retries where a retry is safe, and a token that never leaves.

- The token travels in a header the forge names (``Authorization: Bearer`` on GitHub,
  ``PRIVATE-TOKEN`` on GitLab) and every text that leaves a client (an error's message) is
  scrubbed of it, raw and URL-encoded.
- Retries: a 429, or a 403 with ``Retry-After`` (GitHub's secondary rate limit), honouring
  ``Retry-After`` up to ``MAX_RETRY_AFTER`` seconds, for every method; a 5xx answer or a network
  failure for GET, PUT and PATCH only: a POST that may have been applied is not sent again (it
  would post a comment, or open a pull request, twice). A POST whose connection was refused
  never reached the server and is retried.
- A certificate authority file (a self-managed forge's own CA) is trusted as well as the
  system's store.
"""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ptrack.errors import PtrackError
from ptrack.netutil import network_reason

TIMEOUT = 15.0            # seconds, for each request
RETRIES = 2               # further attempts after the first, when a retry is safe
MAX_RETRY_AFTER = 10.0    # a longer Retry-After is not waited for
MAX_RESPONSE_BYTES = 8 * 1024 * 1024
REDACTED = "***"


class ForgeError(PtrackError):
    """The forge answered with an error, or could not be reached. ``status`` is the HTTP status
    (None: no answer); ``message`` is what the forge said, scrubbed of the token; ``hint`` the
    catalog key of what to do about it (ptrack's words, in the reader's language)."""

    exit_code = 1
    service = "the forge"

    def __init__(self, method: str, path: str, status: int | None, message: str, *, hint: str | None = None):
        self.method, self.path, self.status, self.message, self.hint = method, path, status, message, hint
        super().__init__(self.text("en"))
        self.message = message  # (PtrackError sets it to the whole text)

    def text(self, locale: str | None) -> str:
        """What happened, in ``locale`` (the forge's own words quoted as they are)."""
        from ptrack.i18n import t

        where = f"{self.method} {self.path}"
        if self.status is not None:
            text = t(locale, "forge.answered", service=self.service, status=self.status, where=where,
                     message=self.message)
        else:
            text = t(locale, "forge.unreachable", service=self.service, where=where, message=self.message)
        return f"{text} ({t(locale, self.hint)})" if self.hint else text


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # names in lower case
    data: object  # the decoded JSON


def scrub(text: str, token: str) -> str:
    """``text`` without ``token`` (raw or URL-encoded)."""
    if token:
        for form in {token, urllib.parse.quote(token, safe="")}:
            text = text.replace(form, REDACTED)
    return text


class RestClient:
    """Requests to one forge's API (``api_url``) with one token. Subclasses say how the token
    travels (``auth_headers``), which error class they raise (``error``) and what the forge's
    error bodies hold (``error_keys``). ``sleep`` is injectable (tests)."""

    error: type[ForgeError] = ForgeError
    error_keys: tuple[str, ...] = ("message", "error_description", "error")

    def __init__(self, api_url: str, token: str, *, timeout: float = TIMEOUT, retries: int = RETRIES,
                 ca_file: str | None = None, sleep: Callable[[float], None] = time.sleep):
        self.api_url = api_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.sleep = sleep
        context = ssl.create_default_context()
        if ca_file:
            try:
                context.load_verify_locations(cafile=ca_file)
            except (OSError, ssl.SSLError):
                pass  # not readable: the system's store alone, as without it
        self._opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))

    def auth_headers(self) -> dict[str, str]:  # pragma: no cover - each forge says
        raise NotImplementedError

    def request(self, method: str, path: str, *, query: Mapping[str, object] | None = None,
                payload: Mapping[str, object] | None = None, url: str | None = None) -> Response:
        """One API call (``path`` under ``api_url``, or a whole ``url`` the API gave, such as the
        next page); raises ``self.error`` on an error answer or when the forge cannot be reached."""
        if url is None:
            url = self.api_url + path + ("?" + urllib.parse.urlencode(query) if query else "")
        shown = path or urllib.parse.urlsplit(url).path
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8") if payload is not None else None
        headers = {**self.auth_headers(), "User-Agent": "ptrack"}
        headers.setdefault("Accept", "application/json")
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        attempt = 0
        while True:
            attempt += 1
            request = urllib.request.Request(url, data=body, headers=headers, method=method)
            retry_after = None
            try:
                with self._opener.open(request, timeout=self.timeout) as resp:
                    raw = resp.read(MAX_RESPONSE_BYTES)
                    return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, _json(raw))
            except urllib.error.HTTPError as exc:
                status = exc.code
                message = self._error_message(exc)
                retry_after = _retry_after(exc.headers.get("Retry-After")) if status in (403, 429) else None
                limited = status == 429 or (status == 403 and retry_after is not None)
                retry = limited or (status >= 500 and method != "POST")
                failure = self.error(method, shown, status, scrub(message, self.token))
                if limited and retry_after is not None and retry_after > MAX_RETRY_AFTER:
                    retry = False
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                retry = ((method != "POST" or isinstance(reason, ConnectionRefusedError))
                         and not isinstance(reason, ssl.SSLCertVerificationError))  # that one lasts
                failure = self.error(method, shown, None, scrub(network_reason(exc, self.timeout), self.token))
            if not retry or attempt > self.retries:
                raise failure
            self.sleep(retry_after if retry_after is not None else float(2 ** (attempt - 1)))

    def object(self, method: str, path: str, **options) -> dict:
        """``request``'s answer when it is a JSON object, else ``{}`` (an empty or odd body)."""
        data = self.request(method, path, **options).data
        return data if isinstance(data, dict) else {}

    def objects(self, path: str, query: Mapping[str, object]) -> list[dict]:
        """The JSON objects of every page of a list (``_pages``: how the forge pages)."""
        return [item for item in self._pages(path, query) if isinstance(item, dict)]

    def _pages(self, path: str, query: Mapping[str, object]) -> list:  # pragma: no cover - each forge says
        raise NotImplementedError

    def _error_message(self, exc: urllib.error.HTTPError) -> str:
        """The forge's own words (``message``, ``error``...), else the HTTP reason."""
        try:
            data = _json(exc.read(64 * 1024))
        except OSError:
            data = None
        if isinstance(data, dict):
            for key in self.error_keys:
                value = data.get(key)
                if value:
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    return " ".join(text.split())[:300]
        return f"{exc.code} {exc.reason}"


def _json(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8")) if raw.strip() else None
    except (ValueError, UnicodeDecodeError):
        return None


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
