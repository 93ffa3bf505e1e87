"""钉钉 custom robot (自定义机器人): a markdown message.

``{"msgtype": "markdown", "markdown": {"title", "text"}, "at": {"atMobiles", "atUserIds",
"isAtAll": false}}``: ``title`` is what the conversation list and the notification show; the
person a digest is for is named in ``at`` *and* as ``@mobile`` / ``@userid`` in the text (钉钉
only renders, and only notifies, an @ that appears in the text). With a signing secret (加签) the
URL gets ``timestamp`` (milliseconds) and ``sign`` = URL-encoded base64(HMAC-SHA256(key=secret,
msg=f"{timestamp}\\n{secret}")).

Limits: 20 messages a minute per robot (past that 钉钉 answers errcode 130101 and mutes the robot
for ten minutes, so that code is reported, not retried); the body is kept under 20,000 bytes.
An answer ``{"errcode": 0}`` is success; anything else fails (310000 sign/keyword/IP check,
300001 token...).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

from ptrack.notify.channels.base import (Part, WebhookChannel, footer_text, json_code_answer, overflow_lines,
                                         page_links, part_title, split_digest)
from ptrack.notify.model import Digest, DigestItem, Message
from ptrack.notify.transport import HttpResult

BODY_LIMIT = 20_000


def dingtalk_sign(timestamp: str, secret: str) -> str:
    """base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")), before URL-encoding."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _item_line(item: DigestItem) -> str:
    line = f"- 🔴 **{item.text}**" if item.urgent else f"- {item.text}"
    return line + "".join(f" [{link.label}]({link.url})" for link in item.links)


class DingtalkChannel(WebhookChannel):
    platform = "dingtalk"
    RATE_LIMITS = ((20, 60.0),)               # 20 a minute per robot

    def render(self, digest: Digest) -> list[Message]:
        parts = split_digest(digest, lambda part: self._size(self._payload(digest, part)) <= BODY_LIMIT,
                             self.max_parts)
        return [self._message(digest, p.number, p.count, self._payload(digest, p)) for p in parts]

    @staticmethod
    def _size(payload: dict) -> int:
        return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def _payload(self, digest: Digest, part: Part) -> dict:
        handles = digest.recipient.handles
        mobiles = [handles["dingtalk_mobile"]] if handles.get("dingtalk_mobile") else []
        user_ids = [handles["dingtalk_userid"]] if handles.get("dingtalk_userid") else []
        title = part_title(digest, part)
        mention = " ".join(f"@{m}" for m in mobiles + user_ids)
        lines = [f"### {title}", "", f"{mention} {digest.summary}" if mention else digest.summary]
        for block in part.blocks:
            lines += ["", f"#### {block.title(digest.locale)}", ""] + [_item_line(i) for i in block.items]
        if part.omitted:
            lines += [""] + overflow_lines(digest, part.omitted)
        if page_links(digest):
            lines += ["", " · ".join(f"[{label}]({url})" for label, url in page_links(digest))]
        lines += ["", f"###### {footer_text(digest)}"]
        return {"msgtype": "markdown", "markdown": {"title": title, "text": "\n".join(lines)},
                "at": {"atMobiles": mobiles, "atUserIds": user_ids, "isAtAll": False}}

    def sign(self, url: str, payload: dict, secret: str, timestamp: float) -> tuple[str, dict]:
        stamp = str(int(timestamp * 1000))
        query = urllib.parse.urlencode({"timestamp": stamp, "sign": dingtalk_sign(stamp, secret)})
        return url + ("&" if urllib.parse.urlsplit(url).query else "?") + query, payload

    def answer(self, result: HttpResult) -> tuple[bool, str]:
        return json_code_answer(result, "errcode", "errmsg")
