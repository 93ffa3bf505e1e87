"""企业微信 group robot (群机器人): a markdown message, and a text message to @ people by mobile.

``{"msgtype": "markdown", "markdown": {"content": ...}}``. Only text messages honour
``mentioned_list`` / ``mentioned_mobile_list``; in markdown the way to @ a member (and notify them)
is ``<@userid>`` in the content. So a person with a ``wecom_userid`` is @-ed inside the markdown;
a person known only by ``wecom_mobile`` gets one more message after the digest, a short text with
``mentioned_mobile_list`` (that is what makes 企业微信 notify them). Urgent items are in
``<font color="warning">``.

Limits: markdown content at most 4096 bytes (UTF-8), text content at most 2048 bytes; 20
messages a minute per robot. An answer ``{"errcode": 0}`` is success; anything else fails (93000
invalid webhook URL, 40058 content too long...), and 45009 (API frequency limit) is retried like a 429.
"""

from __future__ import annotations

from ptrack.i18n import t
from ptrack.notify.channels.base import (Part, WebhookChannel, footer_text, json_code_answer, overflow_lines,
                                         page_links, part_title, split_digest)
from ptrack.notify.model import Digest, DigestItem, Message
from ptrack.notify.transport import HttpResult

MARKDOWN_LIMIT = 4096
TEXT_LIMIT = 2048
THROTTLE_CODES = {45009}


def _item_line(item: DigestItem) -> str:
    line = f'- <font color="warning">{item.text}</font>' if item.urgent else f"- {item.text}"
    return line + "".join(f" [{link.label}]({link.url})" for link in item.links)


def _bytes(text: str) -> int:
    return len(text.encode("utf-8"))


class WecomChannel(WebhookChannel):
    platform = "wecom"
    RATE_LIMITS = ((20, 60.0),)               # 20 a minute per robot
    SIGNED = False              # the key in the URL is the only credential

    def render(self, digest: Digest) -> list[Message]:
        parts = split_digest(digest, lambda part: _bytes(self._content(digest, part)) <= MARKDOWN_LIMIT,
                             self.max_parts)
        payloads = [{"msgtype": "markdown", "markdown": {"content": self._content(digest, p)}} for p in parts]
        handles = digest.recipient.handles
        if handles.get("wecom_mobile") and not handles.get("wecom_userid"):
            text = t(digest.locale, "notify.channel.mention", name=digest.recipient.name, title=digest.title)
            text = text.encode("utf-8")[:TEXT_LIMIT].decode("utf-8", "ignore")
            payloads.append({"msgtype": "text", "text": {
                "content": text, "mentioned_mobile_list": [handles["wecom_mobile"]]}})
        return [self._message(digest, n, len(payloads), payload) for n, payload in enumerate(payloads, 1)]

    def _content(self, digest: Digest, part: Part) -> str:
        userid = digest.recipient.handles.get("wecom_userid")
        summary = f"<@{userid}> {digest.summary}" if userid else digest.summary
        lines = [f"## {part_title(digest, part)}", summary]
        for block in part.blocks:
            lines += ["", f"**{block.title(digest.locale)}**"] + [_item_line(i) for i in block.items]
        if part.omitted:
            lines += [""] + overflow_lines(digest, part.omitted)
        if page_links(digest):
            lines += ["", " · ".join(f"[{label}]({url})" for label, url in page_links(digest))]
        lines += [f'<font color="comment">{footer_text(digest)}</font>']
        return "\n".join(lines)

    def answer(self, result: HttpResult) -> tuple[bool, str]:
        return json_code_answer(result, "errcode", "errmsg")

    def throttled(self, result: HttpResult) -> bool:
        body = result.json()
        return isinstance(body, dict) and body.get("errcode") in THROTTLE_CODES
