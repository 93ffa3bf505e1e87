"""The channels of ``notify.channels`` checked against their platforms: the ``type`` is one the
registry knows, every setting is one the platform's channel reads, and the channel accepts the
values. ``ptrack.core.notify_config`` has already checked what needs no platform (names, the
horizon, ``*_env`` variable names, no secret in the file) when ptrack.yaml was read.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from ptrack.i18n import M_
from ptrack.core.notify_config import CHANNEL_KEYS, ChannelConfig
from ptrack.errors import UsageError


def channel_classes() -> Mapping[str, type]:
    """The platform registry (``ptrack.notify.channels.CHANNELS``), imported when needed."""
    from ptrack.notify.channels import CHANNELS

    return CHANNELS


def check_channel(channel: ChannelConfig):
    """The platform's channel object for ``channel``; a ``UsageError`` at the setting's line
    when the platform does not know the type or a setting, or refuses a value."""
    registry = channel_classes()
    if channel.type not in registry:
        kinds = ", ".join(sorted(registry))
        raise UsageError(M_("config.at", where=channel.value_at.get("type", channel.where),
                            problem=M_("notify.setting.unknown_type", type=channel.type, known=kinds)))
    cls = registry[channel.type]
    known = dict(cls.known_settings())
    for key in channel.settings:
        if key not in known:
            listed = ", ".join(sorted(set(known) | set(CHANNEL_KEYS)))
            raise UsageError(M_("config.at", where=channel.key_at.get(key, channel.where),
                                problem=M_("notify.setting.unknown_for", key=key, type=channel.type, known=listed)))
    try:
        return cls(channel.name, channel.settings)
    except UsageError as exc:
        raise UsageError(M_("config.at", where=channel.where,
                            problem=M_("notify.setting.channel", name=channel.name, problem=exc.message))) from None


def check_channels(channels: Sequence[ChannelConfig]) -> list[tuple[ChannelConfig, object]]:
    return [(c, check_channel(c)) for c in channels]
