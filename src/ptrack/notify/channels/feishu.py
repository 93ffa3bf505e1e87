"""飞书 / Lark custom bot (群自定义机器人): an interactive card.

The card: a header with the digest's title, coloured by the campaign's health; the summary (with
``<at id=open_id></at>`` for the person it is for); one markdown element per section, urgent
items in red; a button to the campaign's page; a note with the campaign and the as-of date.
With a signing secret (签名校验) the body carries ``timestamp`` (seconds, as text) and ``sign`` =
base64(HMAC-SHA256 keyed with ``"{timestamp}\\n{secret}"`` over an empty message).

Limits (custom bot guide): the request body at most 20 KB; 100 messages a minute and 5 a second
per bot. An answer ``{"code": 0}`` (older: ``{"StatusCode": 0}``) is success; any other code is a
failure even in HTTP 200 (19021 sign mismatch, 19024 keyword missing, 9499 bad request...), and
11232 (frequency limited) is retried like a 429.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from ptrack.notify.channels.base import (Part, WebhookChannel, footer_text, json_code_answer, overflow_lines,
                                         page_links, part_title, split_digest)
from ptrack.notify.model import Digest, DigestItem, Message
from ptrack.notify.transport import HttpResult

BODY_LIMIT = 20 * 1024
SIGN_RESERVE = 96             # ,"timestamp":"1700000000","sign":"<44 base64 characters>"
TEMPLATES = {"green": "green", "amber": "orange", "red": "red"}
THROTTLE_CODES = {11232, 99991400}


def feishu_sign(timestamp: str, secret: str) -> str:
    """base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", msg=b""))."""
    key = f"{timestamp}\n{secret}".encode("utf-8")
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def _escape(text: str) -> str:
    """Card markdown reads HTML-like tags (<at>, <font>): keep item text literal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _item_line(item: DigestItem) -> str:
    """The item, red when urgent, then its links as ``[label](url)`` (card markdown; the URL
    holds no character the card's markdown reads)."""
    text = _escape(item.text)
    line = f"- <font color='red'>{text}</font>" if item.urgent else f"- {text}"
    return line + "".join(f" [{_escape(link.label)}]({link.url})" for link in item.links)


class FeishuChannel(WebhookChannel):
    platform = "feishu"
    RATE_LIMITS = ((5, 1.0), (100, 60.0))     # 5 a second, 100 a minute per bot

    def render(self, digest: Digest) -> list[Message]:
        parts = split_digest(digest, lambda part: self._size(self._card(digest, part)) <= BODY_LIMIT,
                             self.max_parts)
        return [self._message(digest, p.number, p.count, self._card(digest, p)) for p in parts]

    @staticmethod
    def _size(payload: dict) -> int:
        return len(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) + SIGN_RESERVE

    def _card(self, digest: Digest, part: Part) -> dict:
        handle = digest.recipient.handles.get("feishu")
        summary = _escape(digest.summary)
        if handle:
            summary = f"<at id={handle}></at> {summary}"
        elements: list[dict] = [{"tag": "markdown", "content": summary}]
        for block in part.blocks:
            lines = [f"**{_escape(block.title(digest.locale))}**"] + [_item_line(i) for i in block.items]
            elements.append({"tag": "markdown", "content": "\n".join(lines)})
        if part.omitted:
            elements.append({"tag": "markdown", "content": "\n".join(
                _escape(line) for line in overflow_lines(digest, part.omitted))})
        buttons = [{"tag": "button", "type": "primary" if n == 0 else "default", "url": url,
                    "text": {"tag": "plain_text", "content": label}}
                   for n, (label, url) in enumerate(page_links(digest))]
        if buttons:
            elements.append({"tag": "action", "actions": buttons})
        elements.append({"tag": "note", "elements": [{"tag": "plain_text", "content": footer_text(digest)}]})
        return {"msg_type": "interactive", "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": part_title(digest, part)},
                       "template": TEMPLATES.get(digest.health or "", "blue")},
            "elements": elements}}

    def sign(self, url: str, payload: dict, secret: str, timestamp: float) -> tuple[str, dict]:
        stamp = str(int(timestamp))
        return url, {"timestamp": stamp, "sign": feishu_sign(stamp, secret), **payload}

    def answer(self, result: HttpResult) -> tuple[bool, str]:
        return json_code_answer(result, "code", "msg", alt=("StatusCode", "StatusMessage"))

    def throttled(self, result: HttpResult) -> bool:
        body = result.json()
        return isinstance(body, dict) and body.get("code") in THROTTLE_CODES
