"""Slack incoming webhook: Block Kit with a ``text`` fallback.

Blocks: a ``header`` (the title), a ``section`` with the summary (``<@Uxxxx>`` for the person it
is for), a ``divider``, one or more mrkdwn ``section`` blocks per digest section (urgent items
first, with :red_circle:), an ``actions`` block with a link button to the campaign's page, and a
``context`` block (campaign, as-of date). ``text`` is what notifications and old clients show.

Limits (Block Kit reference): 50 blocks a message, 150 characters in a header, 3000 in a section's
text, 75 in a button's; a message whose blocks hold more than about 13,000 characters in all is
refused (``msg_blocks_too_long``), so a part holds at most 12,000. The webhook answers ``ok`` with
HTTP 200; anything else is a failure (HTTP 400 ``invalid_payload``, 403 ``action_prohibited``, 404
``no_service``, 410 ``channel_is_archived``...). Incoming webhooks are not signed.
"""

from __future__ import annotations

from ptrack.i18n import M_
from ptrack.notify.channels.base import (Part, WebhookChannel, footer_text, overflow_lines, page_links, part_title,
                                         split_digest)
from ptrack.notify.model import Digest, DigestItem, Message
from ptrack.notify.transport import HttpResult

MAX_BLOCKS = 50
HEADER_CHARS = 150
SECTION_CHARS = 3000
BUTTON_CHARS = 75
MESSAGE_CHARS = 12_000


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _item_line(item: DigestItem) -> str:
    """The item, bold and marked when urgent, then its links as ``<url|label>`` (Slack reads
    ``&amp;`` in a link's address as ``&``)."""
    line = f"• :red_circle: *{_escape(item.text)}*" if item.urgent else f"• {_escape(item.text)}"
    return line + "".join(f" <{_escape(link.url)}|{_escape(link.label)}>" for link in item.links)


def _sections(lines: list[str]) -> list[str]:
    """Lines grouped, in order, into texts of at most SECTION_CHARS (a longer line stays alone)."""
    texts: list[str] = []
    for line in lines:
        if texts and len(texts[-1]) + 1 + len(line) <= SECTION_CHARS:
            texts[-1] += "\n" + line
        else:
            texts.append(line)
    return texts


class SlackChannel(WebhookChannel):
    platform = "slack"
    RATE_LIMITS = ((1, 1.0), (60, 60.0))      # one message a second per webhook
    SIGNED = False

    def render(self, digest: Digest) -> list[Message]:
        parts = split_digest(digest, lambda part: self._fits(self._payload(digest, part)), self.max_parts)
        return [self._message(digest, p.number, p.count, self._payload(digest, p)) for p in parts]

    @staticmethod
    def _fits(payload: dict) -> bool:
        blocks = payload["blocks"]
        texts = [b["text"]["text"] for b in blocks if b["type"] in ("section", "header")]
        texts += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
        return (len(blocks) <= MAX_BLOCKS and sum(map(len, texts)) <= MESSAGE_CHARS
                and all(len(b["text"]["text"]) <= SECTION_CHARS for b in blocks if b["type"] == "section"))

    def _payload(self, digest: Digest, part: Part) -> dict:
        member = digest.recipient.handles.get("slack")
        mention = f"<@{member}> " if member else ""
        title = _clip(part_title(digest, part), HEADER_CHARS)
        blocks: list[dict] = [
            {"type": "header", "text": {"type": "plain_text", "text": title, "emoji": True}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _clip(mention + _escape(digest.summary),
                                                                         SECTION_CHARS)}},
            {"type": "divider"},
        ]
        for block in part.blocks:
            lines = [f"*{_escape(block.title(digest.locale))}*"] + [_item_line(i) for i in block.items]
            blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": text}} for text in _sections(lines)]
        if part.omitted:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(
                _escape(line) for line in overflow_lines(digest, part.omitted))}})
        buttons = []
        for n, (label, url) in enumerate(page_links(digest)):
            button = {"type": "button", "action_id": "ptrack-open-page" if url == digest.page_url else "ptrack-my-page",
                      "url": url, "text": {"type": "plain_text", "text": _clip(label, BUTTON_CHARS)}}
            if n == 0:
                button["style"] = "primary"
            buttons.append(button)
        if buttons:
            blocks.append({"type": "actions", "elements": buttons})
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _escape(footer_text(digest))}]})
        fallback = f"{mention}{_escape(part_title(digest, part))}: {_escape(digest.summary)}"
        return {"text": fallback, "blocks": blocks}

    def answer(self, result: HttpResult) -> tuple[bool, str]:
        body = result.text().strip()
        if result.status == 200 and body == "ok":
            return True, M_("net.sent")
        return False, M_("net.http", status=result.status, body=body[:200] or M_("net.empty"))
