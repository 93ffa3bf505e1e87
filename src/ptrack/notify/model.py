"""What a ``ptrack notify`` run is made of: digests (who is told what), and the messages that carry
them to a channel. The digest side (``ptrack.notify.digest``) knows the campaign and nothing of the
platforms; each channel (``ptrack.notify.channels``) knows one platform and nothing of the campaign.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Mapping


class ItemKind(str, enum.Enum):
    """One line of a digest. The value is stable: it appears in ``--format json``."""

    # a person's digest
    TASK_STARTING = "task-starting"            # planned start within the horizon, not started yet
    TASK_DUE = "task-due"                      # planned end within the horizon, not done
    TASK_OVERDUE = "task-overdue"              # past its planned end, not done (delayed)
    TASK_STALE = "task-stale"                  # in progress, entry unchanged for stale_after_days
    RISK_DUE = "risk-due"                      # open risk due within the horizon
    RISK_OVERDUE = "risk-overdue"              # open risk past its due date
    MILESTONE_UPCOMING = "milestone-upcoming"  # a milestone of theirs within the horizon
    EVENT_AT_RISK = "event-at-risk"            # a fixed-date event whose predecessor is forecast too late (also the team's)
    # the team / lead digest
    FOCUS = "focus"                            # weekly-review focus: behind plan past deviation_warn
    HEALTH_CHANGE = "health-change"            # campaign/task health changed since the previous working day
    MILESTONE_HIT = "milestone-hit"
    MILESTONE_MISSED = "milestone-missed"
    GOAL_BEHIND = "goal-behind"


@dataclass(frozen=True)
class Recipient:
    """Who a digest is for. ``person_id`` is None for the team digest (the channel's group)."""

    person_id: str | None
    name: str
    # chat handles from ``people.<id>``: feishu (open_id), dingtalk_mobile, dingtalk_userid,
    # wecom_userid, wecom_mobile, slack (member id), email. Only the ones given.
    handles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemLink:
    """A link after a digest line: ``update`` (更新进度, the task's update form) or ``resolve``
    (标记已解决, the form that marks the risk resolved); ``label`` is localised, ``url`` holds
    only characters safe in every platform's markup (``ptrack.forge.links``)."""

    kind: str
    label: str
    url: str


@dataclass(frozen=True)
class DigestItem:
    kind: ItemKind
    text: str                    # one localised line, plain text (channels add their own markup)
    date: str | None = None      # ISO date the line is about (start, due, milestone date)
    task_id: str | None = None
    urgent: bool = False         # overdue / missed: listed first and marked by the channel
    links: tuple[ItemLink, ...] = ()  # with repo_url: the forms to act on the line


@dataclass(frozen=True)
class DigestSection:
    key: str                     # stable section id, e.g. "due", "overdue", "stale", "focus"
    title: str                   # localised heading
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class Digest:
    campaign_id: str
    campaign_name: str
    as_of: str                   # ISO date D
    locale: str                  # the campaign's locale: zh-CN | en
    recipient: Recipient
    title: str                   # localised headline
    summary: str                 # one localised line: where the campaign stands
    sections: tuple[DigestSection, ...]
    page_url: str | None         # the campaign's page on the published site (site_url), if known
    key: str                     # de-duplication key derived from campaign, person and D
    health: str | None = None    # the campaign's health (green | amber | red): the card's colour
    person_url: str | None = None  # the person's page (我的任务) on the published site, if known

    @property
    def is_team(self) -> bool:
        return self.recipient.person_id is None


@dataclass(frozen=True)
class Message:
    """One request a channel makes. ``redacted()`` is what --dry-run and every log or error show."""

    channel: str                 # the channel's name under notify.channels in ptrack.yaml
    platform: str                # feishu | dingtalk | wecom | slack | email
    digest_key: str
    recipient: str | None        # person id, None for the team digest
    part: int                    # 1-based part number when a digest is split to fit the platform
    parts: int
    payload: Mapping[str, object]  # the JSON body (chat) or a description of the mail (email)

    def redacted(self) -> dict:
        return {"channel": self.channel, "platform": self.platform, "recipient": self.recipient,
                "digest_key": self.digest_key, "part": self.part, "parts": self.parts,
                "payload": self.payload}


@dataclass(frozen=True)
class Delivery:
    message: Message
    ok: bool
    detail: str                  # "sent" or why not: HTTP status, the platform's errcode/msg, timeout...
    attempts: int = 1
    # an attempt went out and got no answer: not ok -> the platform may have it (unconfirmed);
    # ok -> it may show twice (a retry after a timeout)
    maybe_delivered: bool = False

    def __post_init__(self) -> None:
        # ptrack's own words come as a Message: kept as a Said, English text that the report says
        # in its own language
        if not isinstance(self.detail, str):
            from ptrack.i18n import Said

            object.__setattr__(self, "detail", Said(self.detail))
