"""The platforms ``ptrack notify`` can send to: a registry, platform name -> channel class.

A channel is configured in ptrack.yaml under ``notify.channels.<name>`` with ``type: <platform>``;
secrets come only from the environment variables its settings name (see docs/notify.md, "Channels").
"""

from __future__ import annotations

from ptrack.notify.channels.base import Channel
from ptrack.notify.channels.dingtalk import DingtalkChannel
from ptrack.notify.channels.email import EmailChannel
from ptrack.notify.channels.feishu import FeishuChannel
from ptrack.notify.channels.slack import SlackChannel
from ptrack.notify.channels.wecom import WecomChannel

CHANNELS: dict[str, type[Channel]] = {
    "feishu": FeishuChannel,
    "dingtalk": DingtalkChannel,
    "wecom": WecomChannel,
    "slack": SlackChannel,
    "email": EmailChannel,
}

__all__ = ["CHANNELS", "Channel"]
