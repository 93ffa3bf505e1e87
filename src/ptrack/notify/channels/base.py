"""What every channel shares: settings checking, the split of a digest into parts that fit a
platform's size limits, and the webhook delivery loop (pace, sign, POST, read the answer).

A channel renders a :class:`~ptrack.notify.model.Digest` into :class:`Message` objects (pure,
deterministic, no secret inside), and delivers one message at a time with the secrets it reads
from the environment variables its settings name. It knows one platform and nothing of the campaign.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from dataclasses import dataclass
from typing import Callable, ClassVar, Mapping, Sequence

from ptrack.errors import UsageError
from ptrack.i18n import NP_, t
from ptrack.notify.model import Delivery, Digest, DigestItem, DigestSection, Message
from ptrack.i18n import M_
from ptrack.notify.transport import (SYSTEM_CLOCK, Clock, HttpResult, HttpTransport, RateLimiter, RetryPolicy,
                                     redact, url_secrets)

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Settings:
    """Typed reads of ``notify.channels.<name>`` that raise :class:`UsageError` naming the key."""

    def __init__(self, channel: str, raw: Mapping[str, object], known: Mapping[str, str]):
        if not isinstance(raw, Mapping):
            raise UsageError(M_("notify.setting.mapping", channel=channel))
        self.channel = channel
        self.raw = raw
        unknown = sorted(set(raw) - set(known) - {"type"})
        if unknown:
            raise UsageError(M_("notify.setting.unknown", channel=channel, keys=", ".join(unknown),
                                known=", ".join(sorted(known))))

    def where(self, key: str) -> str:
        return f"notify.channels.{self.channel}.{key}"

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                raise UsageError(M_("notify.setting.required", where=self.where(key)))
            return default
        if not isinstance(value, str) or not value.strip():
            raise UsageError(M_("notify.setting.text", where=self.where(key), value=repr(value)))
        return value.strip()

    def env_name(self, key: str, *, required: bool = False) -> str | None:
        value = self.text(key, required=required)
        if value is not None and not _ENV_NAME.match(value):
            raise UsageError(M_("notify.setting.env_name", where=self.where(key)))
        return value

    def number(self, key: str, default: float, *, minimum: float = 0.0, integer: bool = False) -> float:
        value = self.raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or (integer and not float(value).is_integer()) or value < minimum:
            kind = M_("type.integer") if integer else M_("type.number")
            raise UsageError(M_("notify.setting.number", where=self.where(key), kind=kind, minimum=f"{minimum:g}",
                                value=repr(value)))
        return int(value) if integer else float(value)

    def choice(self, key: str, choices: Sequence[str], default: str) -> str:
        value = self.raw.get(key, default)
        if value not in choices:
            raise UsageError(M_("notify.setting.choice", where=self.where(key), choices=", ".join(choices),
                                value=repr(value)))
        return str(value)

    def text_list(self, key: str) -> list[str]:
        value = self.raw.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise UsageError(M_("notify.setting.texts", where=self.where(key)))
        return [v.strip() for v in value]


class Channel:
    """One configured destination of ``ptrack notify``: ``notify.channels.<name>`` in ptrack.yaml."""

    platform: ClassVar[str]
    #: setting -> short description (``ptrack notify`` errors and docs list them)
    SETTINGS: ClassVar[dict[str, str]] = {}

    def __init__(self, name: str, settings: Mapping[str, object], *, clock: Clock | None = None):
        self.name = name
        self.clock = clock or SYSTEM_CLOCK
        self.settings = Settings(name, settings if settings is not None else {}, self.known_settings())

    @classmethod
    def known_settings(cls) -> Mapping[str, str]:
        return dict(cls.SETTINGS)

    def required_env(self) -> list[str]:
        raise NotImplementedError

    def render(self, digest: Digest) -> list[Message]:
        raise NotImplementedError

    def deliver(self, message: Message, env: Mapping[str, str], *, until: float | None = None) -> Delivery:
        """Send ``message``; ``until``: the run's deadline (the channel clock's monotonic time),
        past which no attempt, back-off or rate-limit wait may go."""
        raise NotImplementedError

    def _message(self, digest: Digest, part: int, parts: int, payload: Mapping[str, object]) -> Message:
        return Message(channel=self.name, platform=self.platform, digest_key=digest.key,
                       recipient=digest.recipient.person_id, part=part, parts=parts, payload=payload)


# --- the shape of a digest, in parts ----------------------------------------------------------

@dataclass(frozen=True)
class Block:
    """A digest section's items as they go into one part (``continued``: the section began in an
    earlier part, so its heading says so)."""

    section: DigestSection
    items: tuple[DigestItem, ...]
    continued: bool = False

    def title(self, locale: str) -> str:
        return t(locale, "notify.channel.continued", title=self.section.title) if self.continued \
            else self.section.title


@dataclass(frozen=True)
class Part:
    """One message's share of a digest. ``omitted``: items left out for good (the last part then
    says how many, and points to the page)."""

    number: int
    count: int
    blocks: tuple[Block, ...]
    omitted: int = 0

    @property
    def first(self) -> bool:
        return self.number == 1


def ordered_items(section: DigestSection) -> tuple[DigestItem, ...]:
    """Urgent items first (overdue, missed), each group in the digest's own order."""
    return tuple(i for i in section.items if i.urgent) + tuple(i for i in section.items if not i.urgent)


def part_title(digest: Digest, part: Part) -> str:
    if part.count == 1:
        return digest.title
    return t(digest.locale, "notify.channel.part", title=digest.title, part=part.number, parts=part.count)


def overflow_lines(digest: Digest, omitted: int) -> list[str]:
    """The localised lines that end a truncated digest: how much is left out, where to read it."""
    lines = [t(digest.locale, NP_("notify.channel.more"), n=omitted)]
    if digest.page_url:
        lines.append(t(digest.locale, "notify.channel.see_page", url=digest.page_url))
    return lines


def page_links(digest: Digest) -> list[tuple[str, str]]:
    """(label, address) of the pages a digest links to: the campaign's page, then the person's
    own page (我的任务), each when known (``site_url``)."""
    out = []
    if digest.page_url:
        out.append((t(digest.locale, "notify.channel.open_page"), digest.page_url))
    if digest.person_url:
        out.append((t(digest.locale, "notify.channel.my_page"), digest.person_url))
    return out


def footer_text(digest: Digest) -> str:
    return t(digest.locale, "notify.channel.footer", campaign=digest.campaign_name, date=digest.as_of)


def _shorten(text: str, keep: int) -> str:
    return text[:keep].rstrip() + "…"


def split_digest(digest: Digest, fits: Callable[[Part], bool], max_parts: int) -> list[Part]:
    """Pack the digest's items, in order, into as few parts as ``fits`` accepts.

    ``fits(part)`` renders the part as the platform would send it and checks every limit; part
    numbers are measured as "99/99" so the real numbers never make a part grow past its check.
    How many items a part takes is found by doubling then halving (a few renders a part, not one
    per item). An item too long for a part of its own is shortened (with "…"). When ``max_parts``
    parts are full the rest is left out: the last part gives up items from its end until the
    closing lines ("N more items not shown", "see the page: URL") fit too.
    """
    units = [(section, item) for section in digest.sections for item in ordered_items(section)]
    total = len(units)

    def blocks(start: int, stop: int, first: DigestItem | None = None) -> list[Block]:
        groups: list[tuple[DigestSection, list[DigestItem]]] = []
        for k in range(start, stop):
            section, item = units[k]
            if k == start and first is not None:
                item = first
            if groups and groups[-1][0] is section:
                groups[-1][1].append(item)
            else:
                groups.append((section, [item]))
        continued = start > 0 and start < total and units[start - 1][0] is units[start][0]
        return [Block(section, tuple(items), continued and n == 0) for n, (section, items) in enumerate(groups)]

    def ok(start: int, stop: int, omitted: int = 0) -> bool:
        return fits(Part(99, 99, tuple(blocks(start, stop)), omitted))

    def most(start: int, low: int, high: int, omitted_after: bool = False) -> int:
        """The largest stop in [low, high] with units[start:stop] fitting (low is known to fit)."""
        while low < high:
            mid = (low + high + 1) // 2
            if ok(start, mid, total - mid if omitted_after else 0):
                low = mid
            else:
                high = mid - 1
        return low

    parts: list[list[Block]] = []
    start = 0
    omitted = 0
    while start < total:
        if not ok(start, start + 1):
            section, item = units[start]
            shortened = _fit_item(item, lambda it: fits(Part(99, 99, tuple(blocks(start, start + 1, it)))))
            parts.append(blocks(start, start + 1, shortened))
            stop = start + 1
        else:
            step, stop = 1, start + 1              # double while it fits, then halve
            while stop < total and ok(start, min(stop + step, total)):
                stop = min(stop + step, total)
                step *= 2
            stop = most(start, stop, min(stop + step, total) - 1) if stop < total else stop
            parts.append(blocks(start, stop))
        if len(parts) == max_parts and stop < total:
            # full: keep what fits together with the closing lines, leave the rest to the page
            last_start = start
            keep = stop
            if not ok(last_start, keep, total - keep):
                keep = last_start if not ok(last_start, last_start + 1, total - last_start - 1) \
                    else most(last_start, last_start + 1, keep - 1, omitted_after=True)
            parts[-1] = blocks(last_start, keep) if keep > last_start else []
            omitted = total - keep
            break
        start = stop
    if not parts:
        parts.append([])
    count = len(parts)
    return [Part(n, count, tuple(b), omitted if n == count else 0) for n, b in enumerate(parts, 1)]


def _fit_item(item: DigestItem, fits: Callable[[DigestItem], bool]) -> DigestItem:
    """The item with its text cut (binary search on length) so that ``fits`` accepts it."""
    low, high = 0, len(item.text)
    while low < high:
        mid = (low + high + 1) // 2
        if fits(dataclasses.replace(item, text=_shorten(item.text, mid))):
            low = mid
        else:
            high = mid - 1
    return dataclasses.replace(item, text=_shorten(item.text, low))


# --- webhook channels -------------------------------------------------------------------------

WEBHOOK_SETTINGS = {
    "webhook_env": "environment variable holding the webhook URL (it contains the token)",
    "secret_env": "environment variable holding the signing secret (optional)",
    "timeout": "seconds an attempt may take, the whole answer included (default 10)",
    "retries": "further attempts after a 429, a 5xx or a network failure (default 3)",
    "max_parts": "most messages one digest may be split into; the rest is left to the page (default 3)",
    "per_minute": "most messages a minute (default: the platform's limit, e.g. 20 for dingtalk)",
}


class WebhookChannel(Channel):
    """A chat platform's incoming webhook: POST a JSON body to the URL in ``webhook_env``."""

    SETTINGS = WEBHOOK_SETTINGS
    #: the platform's documented rate limits: (messages, seconds) windows
    RATE_LIMITS: ClassVar[tuple[tuple[int, float], ...]] = ((60, 60.0),)
    SIGNED: ClassVar[bool] = True       # does the platform have a signing secret?

    def __init__(self, name: str, settings: Mapping[str, object], *, clock: Clock | None = None):
        super().__init__(name, settings, clock=clock)
        s = self.settings
        self.webhook_env = s.env_name("webhook_env", required=True)
        self.secret_env = s.env_name("secret_env")
        if self.secret_env and not self.SIGNED:
            raise UsageError(M_("notify.setting.not_signed", where=s.where("secret_env"), platform=self.platform))
        self.timeout = s.number("timeout", 10.0, minimum=0.001)
        self.max_parts = s.number("max_parts", 3, minimum=1, integer=True)
        minute = dict((p, n) for n, p in self.RATE_LIMITS).get(60.0)
        per_minute = s.number("per_minute", minute or 60, minimum=1, integer=True)
        windows = [(n, p) for n, p in self.RATE_LIMITS if p != 60.0] + [(per_minute, 60.0)]
        self.limiter = RateLimiter(windows, self.clock)
        self.transport = HttpTransport(timeout=self.timeout, clock=self.clock,
                                       retry=RetryPolicy(retries=s.number("retries", 3, integer=True)))

    def required_env(self) -> list[str]:
        return [self.webhook_env] + ([self.secret_env] if self.secret_env else [])

    # a platform defines these three
    def sign(self, url: str, payload: dict, secret: str, timestamp: float) -> tuple[str, dict]:
        """The URL and body to send, signed with ``secret`` at ``timestamp`` (seconds)."""
        return url, payload

    def answer(self, result: HttpResult) -> tuple[bool, object]:
        """(delivered, detail: a Message, or the platform's own words) from the platform's answer."""
        raise NotImplementedError

    def throttled(self, result: HttpResult) -> bool:
        """An HTTP 200 answer that is the platform's rate limit: retried like a 429."""
        return False

    def deliver(self, message: Message, env: Mapping[str, str], *, until: float | None = None) -> Delivery:
        url = (env.get(self.webhook_env) or "").strip()
        if not url:
            return Delivery(message, False, M_("notify.env_not_set", name=self.webhook_env), attempts=0)
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return Delivery(message, False, M_("notify.env_not_url", name=self.webhook_env), attempts=0)
        secret = None
        if self.secret_env:
            secret = env.get(self.secret_env) or ""
            if not secret:
                return Delivery(message, False, M_("notify.env_not_set", name=self.secret_env), attempts=0)
        if self.limiter.wait(until) is None:
            return Delivery(message, False, M_("notify.rate_limited"), attempts=0)
        payload = dict(message.payload)
        if secret:
            url, payload = self.sign(url, payload, secret, self.clock.time())
        label = f"{self.name} ({self.platform}) part {message.part}/{message.parts}"
        result = self.transport.post_json(url, payload, secrets=[secret, env.get(self.webhook_env)],
                                          retry_body=self.throttled, label=label, until=until)
        hidden = [secret, *url_secrets(env.get(self.webhook_env) or ""), *url_secrets(url)]
        if result.status is None:
            detail = result.error or M_("net.no_answer")
            ok = False
        else:
            ok, detail = self.answer(result)
            if result.error:        # gave up on a Retry-After too long
                detail = M_("net.with_reason", detail=detail, reason=result.error)
        if result.attempts > 1:
            detail = M_("net.after_attempts", detail=detail, n=result.attempts)
        return Delivery(message, ok, redact(detail, hidden), attempts=result.attempts,
                        maybe_delivered=result.maybe_delivered)


def json_code_answer(result: HttpResult, code_key: str, message_key: str,
                     alt: tuple[str, str] | None = None) -> tuple[bool, str]:
    """飞书/钉钉/企业微信 answer ``{code: 0, msg: ...}``: a non-zero code is a failure even in HTTP 200."""
    body = result.json()
    code = message = None
    found = code_key
    if isinstance(body, dict):
        for ckey, mkey in ((code_key, message_key),) + ((alt,) if alt else ()):
            if ckey in body:
                code, message, found = body.get(ckey), body.get(mkey), ckey
                break
    status = result.status
    if code is None:
        snippet = result.text().strip()[:200]
        if status is not None and 200 <= status < 300:
            return False, M_("net.unexpected", status=status, body=snippet or M_("net.empty"))
        return False, M_("net.http", status=status, body=snippet or M_("net.empty"))
    if code == 0 and status is not None and 200 <= status < 300:
        return True, M_("net.sent")
    prefix = "" if status == 200 else f"HTTP {status}, "
    return False, M_("net.platform_code", prefix=prefix, key=found, code=code,
                     message=message if message not in (None, "") else M_("net.no_message"))
