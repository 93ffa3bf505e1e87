"""Sending the digests: each channel renders each digest into messages and delivers them, at most
once per person, day and channel.

The send-once record (``SentState``) is a small JSON file, by default ``.ptrack/notify-sent.json``
beside ptrack.yaml (``notify.state`` or ``--state`` elsewhere). It holds, per channel, the
digest keys (campaign/person/day) and the parts delivered; it is written atomically after each
successful delivery, so a run that fails half-way and is re-run sends only what is missing.
Entries older than ``KEEP_DAYS`` before D are dropped.

Secrets: channels take the environment at delivery time. Every detail that reaches the report
has the values of the variables the channel needs replaced with ``***``, in case a platform's
error message echoes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Mapping, Sequence

from ptrack.core.config import Config
from ptrack.core.notify_config import ChannelConfig
from ptrack.errors import UsageError
from ptrack.notify.digest import DigestRun
from ptrack.notify.model import Digest, Message

STATE_FILE = ".ptrack/notify-sent.json"
STATE_FORMAT = 1
KEEP_DAYS = 14


@dataclass
class SentState:
    """channel -> digest key -> parts delivered."""

    path: Path
    sent: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "SentState":
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            sent = data["sent"]
            if data.get("ptrack-notify") != STATE_FORMAT or not isinstance(sent, dict):
                raise ValueError
            clean = {str(ch): {str(k): sorted({int(p) for p in parts}) for k, parts in keys.items()}
                     for ch, keys in sent.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise UsageError(f"{path}: not a ptrack notify send-once record; delete it (the next run then "
                             "sends today's digests again) or point --state at another file") from None
        return cls(path, clean)

    def has(self, channel: str, message: Message) -> bool:
        return message.part in self.sent.get(channel, {}).get(message.digest_key, ())

    def record(self, channel: str, message: Message, as_of: date) -> None:
        parts = self.sent.setdefault(channel, {}).setdefault(message.digest_key, [])
        if message.part not in parts:
            parts.append(message.part)
            parts.sort()
        self._prune(as_of)
        self.save()

    def _prune(self, as_of: date) -> None:
        oldest = as_of - timedelta(days=KEEP_DAYS)
        for channel in list(self.sent):
            keys = self.sent[channel]
            for key in list(keys):
                try:
                    day = date.fromisoformat(key.rsplit("/", 1)[-1])
                except ValueError:
                    continue
                if day < oldest:
                    del keys[key]

    def save(self) -> None:
        from ptrack.fsutil import atomic_write

        document = {"ptrack-notify": STATE_FORMAT,
                    "sent": {ch: dict(sorted(keys.items())) for ch, keys in sorted(self.sent.items())}}
        atomic_write(self.path, json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def state_path(config: Config, override: str | None) -> Path:
    if override:
        return Path(override)
    return config.root / (config.notify.state or STATE_FILE)


@dataclass(frozen=True)
class Outcome:
    """What happened to one message: sent, failed, skipped (already sent) or dry-run."""

    channel: str
    platform: str
    digest: Digest
    message: Message
    status: str  # sent | failed | skipped | dry-run
    detail: str = ""
    attempts: int = 0


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
        return self.count("failed") > 0 or self.run.failed


def select_channels(config: Config, names: Sequence[str]) -> list[ChannelConfig]:
    """The channels named (all configured ones when none is); an unknown name is a usage error."""
    configured = list(config.notify.channels)
    if not names:
        return configured
    known = ", ".join(c.name for c in configured) or "none configured"
    out = []
    for name in dict.fromkeys(names):
        channel = config.notify.channel(name)
        if channel is None:
            raise UsageError(f'--channel: no channel "{name}" under notify.channels in '
                             f"{config.file.name if config.file else 'ptrack.yaml'} (known: {known})")
        out.append(channel)
    return out


def make_channels(selected: Sequence[ChannelConfig]) -> list[tuple[ChannelConfig, object]]:
    """Each channel checked against its platform and made (UsageError at its ptrack.yaml line)."""
    from ptrack.notify.settings import check_channels

    return check_channels(selected)


def missing_env(channels: Sequence[tuple[ChannelConfig, object]], env: Mapping[str, str]) -> list[str]:
    """"channel team (feishu) needs PTRACK_FEISHU_WEBHOOK" for every variable that is not set."""
    out = []
    for config, channel in channels:
        for name in channel.required_env():
            if not env.get(name):
                out.append(f"channel {config.name} ({config.type}) needs the environment variable {name}, "
                           "which is not set")
    return out


def scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


def send_digests(run: DigestRun, channels: Sequence[tuple[ChannelConfig, object]], *, env: Mapping[str, str],
                 state: SentState | None, dry_run: bool) -> list[Outcome]:
    """Render every digest for every channel and deliver it (or, ``dry_run``, only render).
    Already-sent messages are skipped. A failing channel never stops the others."""
    outcomes: list[Outcome] = []
    for config, channel in channels:
        secrets = [env.get(n, "") for n in channel.required_env()]
        for digest in run.digests:
            kind = "team" if digest.is_team else "people"
            if kind not in config.digests:
                continue
            for message in channel.render(digest):
                if state is not None and state.has(config.name, message):
                    outcomes.append(Outcome(config.name, config.type, digest, message, "skipped"))
                    continue
                if dry_run:
                    outcomes.append(Outcome(config.name, config.type, digest, message, "dry-run"))
                    continue
                try:
                    delivery = channel.deliver(message, env)
                    ok, detail, attempts = delivery.ok, delivery.detail, delivery.attempts
                except Exception as exc:  # a channel must not raise; if one does, the others still run
                    ok, detail, attempts = False, f"{type(exc).__name__}: {exc}", 1
                detail = scrub(detail, secrets)
                if ok and state is not None:
                    state.record(config.name, message, run.as_of)
                outcomes.append(Outcome(config.name, config.type, digest, message, "sent" if ok else "failed",
                                        detail, attempts))
    return outcomes


def prepare_channels(config: Config, channel_names: Sequence[str], env: Mapping[str, str], *,
                     dry_run: bool) -> list[tuple[ChannelConfig, object]]:
    """The channels to use, made from their settings; the usage errors (unknown channel, nothing
    to send to, a missing environment variable) raise here, before anything is computed or sent."""
    make_channels(config.notify.channels)  # every configured channel is checked, also those not selected
    selected = select_channels(config, channel_names)
    if not selected and not dry_run:
        raise UsageError("no channel to send to: add notify.channels to ptrack.yaml (see docs/notify.md), "
                         "or use --dry-run to see the digests")
    channels = make_channels(selected)
    if not dry_run:
        missing = missing_env(channels, env)
        if missing:
            raise UsageError("; ".join(missing) + " (set it, e.g. from a repository secret; --dry-run needs none)")
    return channels


def notify(run: DigestRun, config: Config, *, channel_names: Sequence[str] = (), env: Mapping[str, str],
           dry_run: bool = False, state_file: str | None = None, locale: str | None = None) -> NotifyReport:
    """One ``ptrack notify`` run over digests already collected. Usage errors (unknown channel,
    missing environment variables, no channel to send to) raise before anything is sent."""
    channels = prepare_channels(config, channel_names, env, dry_run=dry_run)
    path = state_path(config, state_file) if channels else None
    state = SentState.load(path) if path is not None else None
    outcomes = send_digests(run, channels, env=env, state=state, dry_run=dry_run)
    report_locale = locale or config.locale or (run.digests[0].locale if run.digests else None) or "zh-CN"
    return NotifyReport(run, [c for c, _ in channels], outcomes, dry_run, report_locale, path)
