"""Sending the digests: each channel renders each digest into messages and delivers them, at most
once per person, day and channel -- at least once when a delivery could not be confirmed.

The send-once record (``SentState``) is a small JSON file, by default ``.ptrack/notify-sent.json``
beside ptrack.yaml (``notify.state`` or ``--state`` elsewhere). It holds, per channel, the
digest keys (campaign/person/day) and the parts delivered, and under ``unconfirmed`` the parts
whose delivery timed out after the request went out (the platform may have them; the next run
sends them again and says so). Entries older than ``KEEP_DAYS`` before D are dropped.

Concurrent runs (a scheduled job and a manual re-run; one job per channel) share the record
safely. ``<state>.lock`` beside it is locked with ``fcntl.lockf``: one byte range per channel
is held while that channel's messages are sent, so a second run sending to the same channel
waits, then reads the record again and skips what the first one sent; byte 0 is held for each
read-merge-write of the record, so two runs on different channels both keep their records. The
locks go with the process (a run that is killed holds nothing). Where ``fcntl`` does not exist
(Windows) there is no lock.

The run's deadline (``notify.deadline_s``): past it no attempt starts, none runs on, no back-off
or rate-limit wait goes; the messages left are reported as not sent and the next run sends them.

Secrets: channels take the environment at delivery time. Every detail that reaches the report
has the values of the variables the channel needs replaced with ``***``, in case a platform's
error message echoes them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterator, Mapping, Protocol, Sequence

from ptrack.core.config import Config
from ptrack.core.notify_config import ChannelConfig
from ptrack.errors import UsageError
from ptrack.i18n import M_, Joined, Said, say, t
from ptrack.notify.digest import DigestRun
from ptrack.notify.model import Digest, Message

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

STATE_FILE = ".ptrack/notify-sent.json"
STATE_FORMAT = 1
KEEP_DAYS = 14
LOCK_POLL_S = 0.05
DEADLINE_PASSED = Said(M_("notify.deadline_passed"))  # "not sent: the run's deadline (notify.deadline_s) passed"

Record = dict[str, dict[str, list[int]]]  # channel -> digest key -> parts


class ChannelBusy(Exception):
    """Another run held the channel's lock until the run's deadline."""


def _parse_record(data, key: str) -> Record:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError
    return {str(ch): {str(k): sorted({int(p) for p in parts}) for k, parts in keys.items()}
            for ch, keys in value.items()}


def _add(record: Record, channel: str, key: str, part: int) -> None:
    parts = record.setdefault(channel, {}).setdefault(key, [])
    if part not in parts:
        parts.append(part)
        parts.sort()


def _remove(record: Record, channel: str, key: str, part: int) -> None:
    parts = record.get(channel, {}).get(key)
    if parts and part in parts:
        parts.remove(part)
        if not parts:
            del record[channel][key]
        if not record[channel]:
            del record[channel]


@dataclass
class SentState:
    """channel -> digest key -> parts delivered (``sent``) or maybe delivered (``unconfirmed``)."""

    path: Path
    sent: Record = field(default_factory=dict)
    unconfirmed: Record = field(default_factory=dict)
    _lock_fd: int | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> "SentState":
        state = cls(path)
        state._read()
        return state

    def _read(self) -> None:
        path = self.path
        if not path.exists():
            self.sent, self.unconfirmed = {}, {}
            return
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("ptrack-notify") != STATE_FORMAT or not isinstance(data["sent"], dict):
                raise ValueError
            self.sent, self.unconfirmed = _parse_record(data, "sent"), _parse_record(data, "unconfirmed")
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise UsageError(M_("notify.not_a_record", file=str(path))) from None

    def has(self, channel: str, message: Message) -> bool:
        return message.part in self.sent.get(channel, {}).get(message.digest_key, ())

    def was_unconfirmed(self, channel: str, message: Message) -> bool:
        return message.part in self.unconfirmed.get(channel, {}).get(message.digest_key, ())

    def record(self, channel: str, message: Message, as_of: date, *, unconfirmed: bool = False) -> None:
        """Note a delivery (``unconfirmed``: one that may have happened) and save: under the
        record's lock, read what is on disk now, add this, write it back."""
        with self._locked(0):
            self._read()
            if unconfirmed:
                if not self.has(channel, message):
                    _add(self.unconfirmed, channel, message.digest_key, message.part)
            else:
                _add(self.sent, channel, message.digest_key, message.part)
                _remove(self.unconfirmed, channel, message.digest_key, message.part)
            self._prune(as_of)
            self.save()

    def refresh(self) -> None:
        """Read the record again (another run may have added to it)."""
        with self._locked(0):
            self._read()

    def _prune(self, as_of: date) -> None:
        oldest = as_of - timedelta(days=KEEP_DAYS)
        for record in (self.sent, self.unconfirmed):
            for channel in list(record):
                keys = record[channel]
                for key in list(keys):
                    try:
                        day = date.fromisoformat(key.rsplit("/", 1)[-1])
                    except ValueError:
                        continue
                    if day < oldest:
                        del keys[key]
                if not keys:
                    del record[channel]

    def save(self) -> None:
        from ptrack.fsutil import atomic_write

        document = {"ptrack-notify": STATE_FORMAT,
                    "sent": {ch: dict(sorted(keys.items())) for ch, keys in sorted(self.sent.items())}}
        if self.unconfirmed:
            document["unconfirmed"] = {ch: dict(sorted(keys.items())) for ch, keys in sorted(self.unconfirmed.items())}
        atomic_write(self.path, json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")

    # -- locks ------------------------------------------------------------------------------------

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _fd(self) -> int | None:
        """The lock file, opened once: POSIX record locks are the process's, and closing any
        descriptor of the file would drop them all."""
        if fcntl is None:
            return None
        if self._lock_fd is None:
            self.lock_path.parent.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        return self._lock_fd

    @contextlib.contextmanager
    def _locked(self, offset: int) -> Iterator[None]:
        fd = self._fd()
        if fd is None:
            yield
            return
        fcntl.lockf(fd, fcntl.LOCK_EX, 1, offset)
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)

    @contextlib.contextmanager
    def channel_lock(self, channel: str, *, until: float | None = None,
                     waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold ``channel``'s byte of the lock file while its messages are sent. Another run
        holding it: ``waiting()`` is called once, and this waits until it is free or until
        ``until`` (time.monotonic) passes (ChannelBusy)."""
        fd = self._fd()
        if fd is None:
            yield
            return
        offset = 1 + int.from_bytes(hashlib.sha256(channel.encode("utf-8")).digest()[:6], "big")
        said = False
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, offset)
                break
            except OSError:
                if until is not None and time.monotonic() >= until:
                    raise ChannelBusy(channel) from None
                if not said and waiting is not None:
                    waiting()
                    said = True
                time.sleep(LOCK_POLL_S)
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, 1, offset)

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None


def state_path(config: Config, override: str | None) -> Path:
    if override:
        return Path(override)
    return config.root / (config.notify.state or STATE_FILE)


@dataclass(frozen=True)
class Outcome:
    """What happened to one message: sent, failed, unconfirmed (it went out, no answer came: the
    platform may have it), skipped (already sent) or dry-run."""

    channel: str
    platform: str
    digest: Digest
    message: Message
    status: str  # sent | failed | unconfirmed | skipped | dry-run
    detail: str = ""
    attempts: int = 0
    # sent, but it may show twice: an attempt before the one answered timed out after sending,
    # or a previous run's delivery of it was unconfirmed
    maybe_twice: bool = False
    again: bool = False  # a previous run's delivery of it was unconfirmed: sent again


STATUSES = ("sent", "failed", "unconfirmed", "skipped", "dry-run")


class Progress(Protocol):
    """Told what happens as it happens (the CLI prints it at once, so a run killed at a CI time
    limit still shows what was sent)."""

    def start(self, locale: str, channels: Sequence[ChannelConfig], run: DigestRun) -> None: ...
    def channel(self, channel: ChannelConfig) -> None: ...
    def waiting(self, channel: ChannelConfig, lock: Path) -> None: ...
    def outcome(self, outcome: Outcome) -> None: ...


@dataclass
class NotifyReport:
    run: DigestRun
    channels: list[ChannelConfig]
    outcomes: list[Outcome]
    dry_run: bool
    locale: str
    state: Path | None = None

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failed(self) -> bool:
        return self.count("failed") > 0 or self.count("unconfirmed") > 0 or self.run.failed


def select_channels(config: Config, names: Sequence[str]) -> list[ChannelConfig]:
    """The channels named (all configured ones when none is); an unknown name is a usage error."""
    configured = list(config.notify.channels)
    if not names:
        return configured
    known = ", ".join(c.name for c in configured) or M_("notify.none_configured")
    out = []
    for name in dict.fromkeys(names):
        channel = config.notify.channel(name)
        if channel is None:
            raise UsageError(M_("notify.unknown_channel", name=name, file=config.file.name if config.file else
                                "ptrack.yaml", known=known))
        out.append(channel)
    return out


def make_channels(selected: Sequence[ChannelConfig]) -> list[tuple[ChannelConfig, object]]:
    """Each channel checked against its platform and made (UsageError at its ptrack.yaml line)."""
    from ptrack.notify.settings import check_channels

    return check_channels(selected)


def missing_env(channels: Sequence[tuple[ChannelConfig, object]], env: Mapping[str, str]) -> list:
    """"channel team (feishu) needs PTRACK_FEISHU_WEBHOOK" for every variable that is not set
    (Messages)."""
    out = []
    for config, channel in channels:
        for name in channel.required_env():
            if not env.get(name):
                out.append(M_("notify.missing_env", channel=config.name, platform=config.type, name=name))
    return out


def scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def send_digests(run: DigestRun, channels: Sequence[tuple[ChannelConfig, object]], *, env: Mapping[str, str],
                 state: SentState | None, dry_run: bool, progress: Progress | None = None,
                 until: float | None = None, locale: str | None = None) -> list[Outcome]:
    """Render every digest for every channel and deliver it (or, ``dry_run``, only render).
    Already-sent messages are skipped. A failing channel never stops the others. Each channel
    is sent under its lock (``SentState.channel_lock``), from the record as it is then;
    ``until``: the run's deadline on ``time.monotonic()``."""
    outcomes: list[Outcome] = []

    def add(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if progress is not None:
            progress.outcome(outcome)

    for config, channel in channels:
        if progress is not None:
            progress.channel(config)
        messages = [(digest, message) for digest in run.digests
                    if ("team" if digest.is_team else "people") in config.digests
                    for message in channel.render(digest)]
        if state is None or dry_run:
            lock = contextlib.nullcontext()
        else:
            waiting = None if progress is None else (lambda c=config: progress.waiting(c, state.lock_path))
            lock = state.channel_lock(config.name, until=until, waiting=waiting)
        try:
            with lock:
                if state is not None and not dry_run:
                    state.refresh()  # what a run that held the lock before this one sent
                for digest, message in messages:
                    add(_send_one(config, channel, digest, message, env=env, state=state, dry_run=dry_run,
                                  as_of=run.as_of, until=until, locale=locale))
        except ChannelBusy:
            done = {id(o.message) for o in outcomes}
            for digest, message in messages:
                if id(message) not in done:
                    add(Outcome(config.name, config.type, digest, message, "failed",
                                t(locale, "notify.channel_busy", channel=config.name, lock=str(state.lock_path))))
    return outcomes


def _send_one(config: ChannelConfig, channel, digest: Digest, message: Message, *, env: Mapping[str, str],
              state: SentState | None, dry_run: bool, as_of: date, until: float | None,
              locale: str | None = None) -> Outcome:
    if state is not None and state.has(config.name, message):
        return Outcome(config.name, config.type, digest, message, "skipped")
    if dry_run:
        return Outcome(config.name, config.type, digest, message, "dry-run")
    if until is not None and time.monotonic() >= until:
        return Outcome(config.name, config.type, digest, message, "failed", say(DEADLINE_PASSED, locale))
    again = state is not None and state.was_unconfirmed(config.name, message)
    secrets = [env.get(n, "") for n in channel.required_env()]
    try:
        delivery = channel.deliver(message, env, until=until)
        ok, detail, attempts, maybe = delivery.ok, delivery.detail, delivery.attempts, delivery.maybe_delivered
    except Exception as exc:  # noqa: BLE001 - a channel must not raise; if one does, the others still run
        ok, detail, attempts, maybe = False, f"{type(exc).__name__}: {exc}", 1, False
    detail = scrub(say(detail, locale), secrets)  # a Message said in the report's language, then scrubbed
    status = "sent" if ok else "unconfirmed" if maybe else "failed"
    if state is not None and status != "failed":
        state.record(config.name, message, as_of, unconfirmed=status == "unconfirmed")
    return Outcome(config.name, config.type, digest, message, status, detail, attempts,
                   maybe_twice=ok and (maybe or again), again=again)


def prepare_channels(config: Config, channel_names: Sequence[str], env: Mapping[str, str], *,
                     dry_run: bool) -> list[tuple[ChannelConfig, object]]:
    """The channels to use, made from their settings; the usage errors (unknown channel, nothing
    to send to, a missing environment variable) raise here, before anything is computed or sent."""
    make_channels(config.notify.channels)  # every configured channel is checked, also those not selected
    selected = select_channels(config, channel_names)
    if not selected and not dry_run:
        raise UsageError(M_("notify.no_channels"))
    channels = make_channels(selected)
    if not dry_run:
        missing = missing_env(channels, env)
        if missing:
            raise UsageError(M_("notify.missing_envs", missing=Joined(missing)))
    return channels


def report_locale(run: DigestRun, config: Config, locale: str | None, fallback: str | None = None) -> str:
    """--lang, else ptrack.yaml's locale, else the first digest's, else ``fallback`` (the
    command's language), else zh-CN."""
    return locale or config.locale or (run.digests[0].locale if run.digests else None) or fallback or "zh-CN"


def notify(run: DigestRun, config: Config, *, channel_names: Sequence[str] = (), env: Mapping[str, str],
           dry_run: bool = False, state_file: str | None = None, locale: str | None = None,
           progress: Progress | None = None, started: float | None = None,
           fallback_locale: str | None = None) -> NotifyReport:
    """One ``ptrack notify`` run over digests already collected. Usage errors (unknown channel,
    missing environment variables, no channel to send to) raise before anything is sent.
    ``started``: when the run began on ``time.monotonic()`` (default: now), from which
    ``notify.deadline_s`` counts."""
    started = time.monotonic() if started is None else started
    channels = prepare_channels(config, channel_names, env, dry_run=dry_run)
    path = state_path(config, state_file) if channels else None
    state = SentState.load(path) if path is not None else None
    shown_locale = report_locale(run, config, locale, fallback_locale)
    if progress is not None:
        progress.start(shown_locale, [c for c, _ in channels], run)
    deadline = config.notify.deadline_s
    try:
        outcomes = send_digests(run, channels, env=env, state=state, dry_run=dry_run, progress=progress,
                                until=None if deadline is None else started + deadline, locale=shown_locale)
    finally:
        if state is not None:
            state.close()
    return NotifyReport(run, [c for c, _ in channels], outcomes, dry_run, shown_locale, path)
