"""``notify:`` in ptrack.yaml, as far as it can be checked without the platforms: the horizon,
the send-once record, the channels' names, ``type``, ``digests``, ``*_env`` variable names, and no
secret written into the file. ``ptrack.notify.settings.check_channels`` checks each channel against
its platform (``type`` known, settings known, values accepted) when ``ptrack notify`` runs.

Every problem is a ``UsageError`` with ``ptrack.yaml:LINE:COL``. Secrets never live in the file: a
channel's settings name environment variables (``webhook_env: PTRACK_FEISHU_WEBHOOK``), and a
literal web address, token or password in the file is refused with a message that says so -- by
every command that reads ptrack.yaml, not only ``notify``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping

from ptrack.errors import UsageError
from ptrack.i18n import M_, N_

NOTIFY_KEYS = {
    "horizon_days": "working days ahead that a person's digest looks (default 3)",
    "state": "the send-once record, relative to ptrack.yaml (default .ptrack/notify-sent.json)",
    "deadline_s": "seconds the whole run may take to send (default: no limit)",
    "channels": "NAME: {type: feishu|dingtalk|wecom|slack|email, ...}",
}
# Keys of a channel entry that ptrack itself reads; every other key goes to the platform's channel.
CHANNEL_KEYS = {
    "type": "the platform: feishu, dingtalk, wecom, slack or email",
    "digests": "which digests the channel gets: [people, team] (default both)",
}
DIGEST_KINDS = ("people", "team")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_KEY = re.compile(r"(secret|token|password|passwd|webhook|access_key|api_key|url)$", re.I)
_TOKEN = re.compile(r"^[A-Za-z0-9_+/=.-]{32,}$")


@dataclass(frozen=True)
class ChannelConfig:
    """One entry of ``notify.channels``: its name, platform type, where it is in ptrack.yaml and
    the settings handed to the platform's channel class (``type`` and ``digests`` taken out)."""

    name: str
    type: str
    settings: Mapping[str, object]
    digests: tuple[str, ...] = ("people", "team")  # which digests it gets: each person's, the team's
    where: str = ""  # "ptrack.yaml:LINE:COL" of the channel's entry, for messages
    # "ptrack.yaml:LINE:COL" of each setting's value and key, for the platform checks of
    # ptrack.notify.settings (the channel registry is not known here)
    value_at: Mapping[str, str] = field(default_factory=dict)
    key_at: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NotifyConfig:
    horizon_days: int = 3  # working days of the campaign's calendar
    state: str | None = None  # the send-once record, relative to ptrack.yaml (default .ptrack/notify-sent.json)
    channels: tuple[ChannelConfig, ...] = ()
    deadline_s: float | None = None  # the whole run's sending, seconds; None: no limit

    def channel(self, name: str) -> ChannelConfig | None:
        return next((c for c in self.channels if c.name == name), None)


def parse_notify(data, source, shown: str) -> NotifyConfig:
    if data is None:
        return NotifyConfig()

    def where(path: tuple, *, key: bool = False) -> str:
        loc = source.locate(("notify",) + path, key=key)
        return f"{shown}:{loc.line}:{loc.column}"

    if not isinstance(data, dict):
        raise _problem(where(()), N_("notify.config.mapping"), keys=", ".join(NOTIFY_KEYS))
    for key in data:
        if key not in NOTIFY_KEYS:
            raise _problem(where((key,), key=True), N_("notify.config.unknown"), key=key,
                           known=", ".join(sorted(NOTIFY_KEYS)))
    horizon = data.get("horizon_days", 3)
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 0 <= horizon <= 60:
        raise _problem(where(("horizon_days",)), N_("notify.config.horizon"))
    state = data.get("state")
    if state is not None and (not isinstance(state, str) or not state.strip()):
        raise _problem(where(("state",)), N_("notify.config.state"))
    deadline = data.get("deadline_s")
    if deadline is not None and (isinstance(deadline, bool) or not isinstance(deadline, (int, float))
                                 or not 0 < deadline <= 86_400):
        raise _problem(where(("deadline_s",)), N_("notify.config.deadline"))
    channels = data.get("channels") or {}
    if not isinstance(channels, dict):
        raise _problem(where(("channels",)), N_("notify.config.channels"))
    parsed = tuple(_channel(name, entry, where) for name, entry in channels.items())
    return NotifyConfig(horizon_days=horizon, state=state, channels=parsed,
                        deadline_s=None if deadline is None else float(deadline))


def _problem(where: str, message_key: str, /, **values) -> UsageError:
    """A problem of ``notify:`` at ``ptrack.yaml:LINE:COL``, said in the command's language."""
    return UsageError(M_("config.at", where=where, problem=M_(message_key, **values)))


def _channel(name, entry, where) -> ChannelConfig:
    path = ("channels", name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise _problem(where(path, key=True), N_("notify.config.channel_name"), name=name)
    if not isinstance(entry, dict):
        raise _problem(where(path), N_("notify.config.channel_mapping"), name=name)
    kind = entry.get("type")
    if kind is None:
        raise _problem(where(path), N_("notify.config.channel_type"), name=name)
    if not isinstance(kind, str):
        raise _problem(where(path + ("type",)), N_("notify.config.channel_type"), name=name)
    settings: dict[str, object] = {}
    value_at: dict[str, str] = {"type": where(path + ("type",))}
    key_at: dict[str, str] = {}
    for key, value in entry.items():
        at = where(path + (key,))
        if key in CHANNEL_KEYS:
            continue
        _refuse_secret(name, key, value, at)
        if key.endswith("_env") and (not isinstance(value, str) or not _ENV_NAME.match(value)
                                     or _looks_secret(value)):
            raise _problem(at, N_("notify.config.env_name"), key=key, example=f"PTRACK_{kind.upper()}_WEBHOOK")
        settings[key] = value
        value_at[key] = at
        key_at[key] = where(path + (key,), key=True)
    digests = entry.get("digests", list(DIGEST_KINDS))
    if isinstance(digests, str):
        digests = [digests]
    if not isinstance(digests, list) or not digests or any(d not in DIGEST_KINDS for d in digests):
        raise _problem(where(path + ("digests",)), N_("notify.config.digests"), kinds=", ".join(DIGEST_KINDS))
    return ChannelConfig(name, kind, settings, tuple(d for d in DIGEST_KINDS if d in digests), where(path),
                         value_at, key_at)


def _refuse_secret(name: str, key: str, value, at: str) -> None:
    """A web address, token or password written into ptrack.yaml is refused: the file is in git."""
    if key.endswith(("_env", "_file")):       # a variable's name, a file's path (email ca_file)
        return
    texts = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
        if isinstance(value, list) else []
    for text in texts:
        if "://" in text:
            raise _problem(at, N_("notify.config.web_address"), name=name, env_key=_env_key(key),
                           variable=f"PTRACK_{name.upper().replace('-', '_')}_WEBHOOK")
        if _looks_secret(text):
            raise _problem(at, N_("notify.config.looks_secret"), name=name, key=key, env_key=_env_key(key))
    if _SECRET_KEY.search(key) and value not in (None, False):
        raise _problem(at, N_("notify.config.secret_key"), name=name, key=key, env_key=_env_key(key))


def _looks_secret(text: str) -> bool:
    """A DingTalk signing secret (SEC + hex), or a long run of letters and digits that is not an
    upper-case variable name."""
    if re.match(r"^SEC[0-9a-f]{16,}$", text):
        return True
    return bool(_TOKEN.match(text) and re.search(r"\d", text) and re.search(r"[A-Za-z]", text)
                and not (text.isupper() and _ENV_NAME.match(text)))


def _env_key(key: str) -> str:
    return key if key.endswith("_env") else f"{key}_env"
