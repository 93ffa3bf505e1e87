"""``notify:`` in ptrack.yaml: the horizon, the send-once record and the channels.

Every problem is a ``UsageError`` with ``ptrack.yaml:LINE:COL``. Secrets never live in the file:
a channel's settings name environment variables (``webhook_env: PTRACK_FEISHU_WEBHOOK``), and a
literal web address, token or password in the file is refused with a message that says so.
"""

from __future__ import annotations

import re
from typing import Mapping

from ptrack.core.config import ChannelConfig, NotifyConfig
from ptrack.errors import UsageError

NOTIFY_KEYS = {
    "horizon_days": "working days ahead that a person's digest looks (default 3)",
    "state": "the send-once record, relative to ptrack.yaml (default .ptrack/notify-sent.json)",
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


def channel_classes() -> Mapping[str, type]:
    """The platform registry (``ptrack.notify.channels.CHANNELS``), imported when needed."""
    from ptrack.notify.channels import CHANNELS

    return CHANNELS


def parse_notify(data, source, shown: str) -> NotifyConfig:
    if data is None:
        return NotifyConfig()

    def where(path: tuple, *, key: bool = False) -> str:
        loc = source.locate(("notify",) + path, key=key)
        return f"{shown}:{loc.line}:{loc.column}"

    if not isinstance(data, dict):
        raise UsageError(f"{where(())}: notify must be a mapping with {', '.join(NOTIFY_KEYS)}")
    for key in data:
        if key not in NOTIFY_KEYS:
            raise UsageError(f'{where((key,), key=True)}: unknown notify setting "{key}"; known: '
                             f"{', '.join(sorted(NOTIFY_KEYS))}")
    horizon = data.get("horizon_days", 3)
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 0 <= horizon <= 60:
        raise UsageError(f"{where(('horizon_days',))}: notify.horizon_days must be a whole number of "
                         "working days from 0 to 60 (default 3)")
    state = data.get("state")
    if state is not None and (not isinstance(state, str) or not state.strip()):
        raise UsageError(f"{where(('state',))}: notify.state must be a file path, e.g. .ptrack/notify-sent.json")
    channels = data.get("channels") or {}
    if not isinstance(channels, dict):
        raise UsageError(f"{where(('channels',))}: notify.channels must map a channel name to its settings, "
                         "e.g. team: {type: feishu, webhook_env: PTRACK_FEISHU_WEBHOOK}")
    parsed = tuple(_channel(name, entry, where) for name, entry in channels.items())
    return NotifyConfig(horizon_days=horizon, state=state, channels=parsed)


def _channel(name, entry, where) -> ChannelConfig:
    path = ("channels", name)
    if not isinstance(name, str) or not _NAME.match(name):
        raise UsageError(f'{where(path, key=True)}: channel name "{name}" must use lower-case letters, '
                         'digits, "-" and "_" (e.g. team-feishu)')
    if not isinstance(entry, dict):
        raise UsageError(f"{where(path)}: channel {name} must be a mapping, e.g. "
                         "{type: feishu, webhook_env: PTRACK_FEISHU_WEBHOOK}")
    registry = channel_classes()
    kinds = ", ".join(sorted(registry))
    kind = entry.get("type")
    if kind is None:
        raise UsageError(f"{where(path)}: channel {name} needs a type: {kinds}")
    if kind not in registry:
        raise UsageError(f'{where(path + ("type",))}: unknown channel type "{kind}"; known: {kinds}')
    cls = registry[kind]
    known = dict(cls.known_settings())
    settings: dict[str, object] = {}
    for key, value in entry.items():
        at = where(path + (key,))
        if key in CHANNEL_KEYS:
            continue
        _refuse_secret(name, key, value, at)
        if key not in known:
            listed = ", ".join(sorted(set(known) | set(CHANNEL_KEYS)))
            raise UsageError(f'{where(path + (key,), key=True)}: unknown setting "{key}" for a {kind} '
                             f"channel; known: {listed}")
        if key.endswith("_env") and (not isinstance(value, str) or not _ENV_NAME.match(value)
                                     or _looks_secret(value)):
            raise UsageError(f"{at}: {key} names an environment variable (e.g. PTRACK_{kind.upper()}"
                             "_WEBHOOK); the value itself goes in the environment, not in ptrack.yaml")
        settings[key] = value
    digests = entry.get("digests", list(DIGEST_KINDS))
    if isinstance(digests, str):
        digests = [digests]
    if not isinstance(digests, list) or not digests or any(d not in DIGEST_KINDS for d in digests):
        raise UsageError(f"{where(path + ('digests',))}: digests must be a list of {', '.join(DIGEST_KINDS)}")
    try:
        cls(name, settings)
    except UsageError as exc:
        raise UsageError(f"{where(path)}: channel {name}: {exc}") from None
    return ChannelConfig(name, kind, settings, tuple(d for d in DIGEST_KINDS if d in digests), where(path))


def _refuse_secret(name: str, key: str, value, at: str) -> None:
    """A web address, token or password written into ptrack.yaml is refused: the file is in git."""
    if key.endswith("_env"):
        return
    texts = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
        if isinstance(value, list) else []
    for text in texts:
        if "://" in text:
            raise UsageError(f"{at}: channel {name}: a web address written into ptrack.yaml; a bot's webhook "
                             "address is a secret (anyone who has it can post to the group). Put it in an "
                             "environment variable (a repository secret in CI) and name the variable: "
                             f"{_env_key(key)}: PTRACK_{name.upper().replace('-', '_')}_WEBHOOK")
        if _looks_secret(text):
            raise UsageError(f"{at}: channel {name}: {key} looks like a secret written into ptrack.yaml; keep "
                             f"secrets in environment variables and name them: {_env_key(key)}: VARIABLE")
    if _SECRET_KEY.search(key) and value not in (None, False):
        raise UsageError(f"{at}: channel {name}: {key} would put a secret into ptrack.yaml; secrets come from "
                         f"environment variables only: write {_env_key(key)}: VARIABLE_NAME")


def _looks_secret(text: str) -> bool:
    """A DingTalk signing secret (SEC + hex), or a long run of letters and digits that is not an
    upper-case variable name."""
    if re.match(r"^SEC[0-9a-f]{16,}$", text):
        return True
    return bool(_TOKEN.match(text) and re.search(r"\d", text) and re.search(r"[A-Za-z]", text)
                and not (text.isupper() and _ENV_NAME.match(text)))


def _env_key(key: str) -> str:
    return key if key.endswith("_env") else f"{key}_env"
