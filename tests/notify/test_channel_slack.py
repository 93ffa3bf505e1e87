"""Slack incoming webhook: Block Kit, the "ok" answer and its errors, the block limits."""

from __future__ import annotations

import json
import logging

from ptrack.notify.channels import CHANNELS
from ptrack.notify.model import DigestSection
from tests.notify_support import FakeClock, RecordingServer, Reply, digest, item, many_items

HOOK = "/services/T0AAA0AAA/B0BBB0BBB/abcdefghijklmnopqrstuvwx"
SECRET_PART = "abcdefghijklmnopqrstuvwx"


def channel(clock=None, **settings):
    return CHANNELS["slack"]("slack", {"type": "slack", "webhook_env": "SLACK_HOOK", **settings},
                             clock=clock or FakeClock())


def env(server):
    return {"SLACK_HOOK": server.url(HOOK)}


EXPECTED = {
    "text": "<@U024BE7LH> Spring launch: 2 things for Zhang: planned 40%, actual 35% &amp; falling",
    "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Spring launch: 2 things for Zhang", "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "<@U024BE7LH> planned 40%, actual 35% &amp; falling"}},
        {"type": "divider"},
        {"type": "section", "text": {"type": "mrkdwn",
                                     "text": "*Due soon*\n• :red_circle: *预热海报*\n• KV 主视觉 &lt;终稿&gt;"}},
        {"type": "actions", "elements": [{"type": "button", "action_id": "ptrack-open-page",
                                          "url": "https://acme.example/site/spring/", "style": "primary",
                                          "text": {"type": "plain_text", "text": "Open the campaign page"}}]},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "ptrack · 春季上新 · as of 2024-04-15"}]},
    ],
}


def english(title="Spring launch: 2 things for Zhang", **kw):
    return digest(locale="en", title=title, summary="planned 40%, actual 35% & falling",
                  handles={"slack": "U024BE7LH"}, **kw)


def test_blocks_are_posted_exactly():
    ch = channel()
    [message] = ch.render(english())
    assert message.payload == EXPECTED
    with RecordingServer(Reply(200, "ok")) as server:
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail) == (True, "sent")
    [req] = server.requests
    assert (req.path, req.headers["content-type"]) == (HOOK, "application/json; charset=utf-8")
    assert req.json() == EXPECTED


def test_error_answers_are_failures_and_not_retried():
    clock = FakeClock()
    ch = channel(clock)
    [message] = ch.render(english())
    for status, body in [(400, "invalid_payload"), (403, "action_prohibited"), (404, "no_service"),
                         (410, "channel_is_archived")]:
        with RecordingServer(Reply(status, body)) as server:
            delivery = ch.deliver(message, env(server))
        assert (delivery.ok, delivery.detail, delivery.attempts) == (False, f"HTTP {status}: {body}", 1)
    with RecordingServer(Reply(200, "not ok")) as server:
        assert ch.deliver(message, env(server)).detail == "HTTP 200: not ok"
    assert [s for s in clock.sleeps if s != 1.0] == []          # only the 1 s pacing between sends


def test_rate_limited_then_sent():
    clock = FakeClock()
    ch = channel(clock)
    [message] = ch.render(english())
    with RecordingServer(Reply(200, "ok")) as server:
        server.replies = [Reply(429, "rate_limited", {"Retry-After": "30"})]
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail, clock.sleeps) == (True, "sent after 2 attempts", [30.0])


def test_500_until_retries_run_out():
    clock = FakeClock()
    ch = channel(clock, retries=2)
    [message] = ch.render(english())
    with RecordingServer(Reply(500, "rollup_error")) as server:
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail, delivery.attempts) == (False, "HTTP 500: rollup_error after 3 attempts", 3)
    assert clock.sleeps == [1.0, 2.0]


def test_webhook_path_stays_out_of_detail_and_logs(caplog):
    caplog.set_level(logging.DEBUG, logger="ptrack.notify")
    ch = channel()
    [message] = ch.render(english())
    with RecordingServer(Reply(404, f"no_service {HOOK}")) as server:
        delivery = ch.deliver(message, env(server))
    assert delivery.detail == "HTTP 404: no_service ***"
    assert SECRET_PART not in delivery.detail + caplog.text + json.dumps(message.redacted())


def test_blocks_respect_slack_limits():
    # 600 items: past 3000 characters a section continues in a new section block; past 12,000
    # characters (or 50 blocks) a new message starts
    messages = channel(max_parts=10).render(english(sections=(many_items(600, "task {i}: brief the agency", "Due soon"),)))
    assert len(messages) > 1
    for m in messages:
        blocks = m.payload["blocks"]
        assert len(blocks) <= 50
        assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
        assert sum(len(b["text"]["text"]) for b in blocks if b["type"] in ("section", "header")) <= 12_000
    lines = [line for m in messages for b in m.payload["blocks"] if b["type"] == "section"
             for line in b["text"]["text"].split("\n") if line.startswith("• ")]
    assert lines == [f"• task {i}: brief the agency" for i in range(1, 601)]
    assert messages[1].payload["blocks"][3]["text"]["text"].startswith("*Due soon (continued)*\n")


def test_header_is_clipped_to_150_characters():
    [message] = channel().render(english(title="T" * 200))
    header = message.payload["blocks"][0]["text"]["text"]
    assert header == "T" * 149 + "…"


def test_a_single_huge_item_is_shortened_to_a_section():
    [message] = channel().render(english(sections=(DigestSection("due", "Due soon", (item("x" * 5000),)),)))
    # the heading and the item would pass 3000 characters together: the item has a block of its own
    assert message.payload["blocks"][3]["text"]["text"] == "*Due soon*"
    text = message.payload["blocks"][4]["text"]["text"]
    assert len(text) == 3000 and text.startswith("• xxx") and text.endswith("x…")
