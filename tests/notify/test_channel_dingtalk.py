"""钉钉 custom robot: markdown with @, the signed query, the errcode answers, the size limit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

import pytest

from ptrack.notify.channels import CHANNELS
from tests.notify_support import FakeClock, RecordingServer, Reply, digest, many_items

TOKEN = "b5c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0"
SECRET = "SEC3f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5"
OK = Reply(200, {"errcode": 0, "errmsg": "ok"})
HANDLES = {"dingtalk_mobile": "13800138000", "dingtalk_userid": "manager4521"}


def channel(clock=None, **settings):
    return CHANNELS["dingtalk"]("ding", {"type": "dingtalk", "webhook_env": "DING_HOOK", **settings},
                                clock=clock or FakeClock())


def env(server, secret=None):
    values = {"DING_HOOK": server.url(f"/robot/send?access_token={TOKEN}")}
    if secret:
        values["DING_SECRET"] = secret
    return values


EXPECTED = {
    "msgtype": "markdown",
    "markdown": {
        "title": "春季上新：张三的 2 件事",
        "text": "### 春季上新：张三的 2 件事\n\n"
                "@13800138000 @manager4521 计划 40%，实际 35%，落后 5 个百分点\n\n"
                "#### 近期到期\n\n"
                "- 🔴 **预热海报**\n"
                "- KV 主视觉 <终稿>\n\n"
                "[打开活动页面](https://acme.example/site/spring/)\n\n"
                "###### ptrack · 春季上新 · 截至 2024-04-15",
    },
    "at": {"atMobiles": ["13800138000"], "atUserIds": ["manager4521"], "isAtAll": False},
}


def test_markdown_with_at_is_posted_exactly():
    ch = channel()
    [message] = ch.render(digest(handles=HANDLES))
    assert message.payload == EXPECTED
    with RecordingServer(OK) as server:
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail) == (True, "sent")
    [req] = server.requests
    assert (req.path, req.query) == ("/robot/send", {"access_token": [TOKEN]})
    assert req.headers["content-type"] == "application/json; charset=utf-8"
    assert req.json() == EXPECTED


def test_team_digest_ats_nobody():
    [message] = channel().render(digest(person=None, name="团队"))
    assert message.payload["at"] == {"atMobiles": [], "atUserIds": [], "isAtAll": False}
    assert message.payload["markdown"]["text"].split("\n")[2] == "计划 40%，实际 35%，落后 5 个百分点"


def test_signed_query_recomputes():
    clock = FakeClock()
    ch = channel(clock, secret_env="DING_SECRET")
    [message] = ch.render(digest(handles=HANDLES))
    with RecordingServer(OK) as server:
        assert ch.deliver(message, env(server, SECRET)).ok
    [req] = server.requests
    assert req.query["access_token"] == [TOKEN]
    [timestamp] = req.query["timestamp"]
    assert timestamp == "1700000000000"                          # milliseconds
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert req.query["sign"] == [expected]                       # parse_qs undid the URL-encoding
    assert req.json() == EXPECTED                                # the body is not touched by signing


@pytest.mark.parametrize("answer,detail", [
    ({"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"},
     "errcode 310000: sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"),
    ({"errcode": 300001, "errmsg": "token is not exist"}, "errcode 300001: token is not exist"),
    ({"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"},
     "errcode 130101: send too fast, exceed 20 times per minute"),
])
def test_errcode_is_a_failure_and_not_retried(answer, detail):
    clock = FakeClock()
    ch = channel(clock)
    [message] = ch.render(digest())
    with RecordingServer(Reply(200, answer)) as server:
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail, delivery.attempts, clock.sleeps) == (False, detail, 1, [])


def test_unexpected_answer_is_a_failure():
    ch = channel()
    [message] = ch.render(digest())
    with RecordingServer(Reply(200, "<html>gateway</html>")) as server:
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail) == (False, "HTTP 200: unexpected answer: <html>gateway</html>")


def test_20_per_minute_pacing():
    # twenty go at once; the 21st waits until a minute after the first; per_minute lowers it
    clock = FakeClock()
    ch = channel(clock)
    [message] = ch.render(digest())
    with RecordingServer(OK) as server:
        for _ in range(21):
            ch.deliver(message, env(server))
    assert clock.sleeps == [60.0]
    clock = FakeClock()
    ch = channel(clock, per_minute=2)
    with RecordingServer(OK) as server:
        for _ in range(3):
            clock.mono += 10.0                   # ten seconds between the calls
            ch.deliver(message, env(server))
    assert clock.sleeps == [40.0]                # 60 s after the first, sent at 10 s: at 70 s, not 30 s


def test_secret_and_token_stay_out_of_detail_and_logs(caplog):
    caplog.set_level(logging.DEBUG, logger="ptrack.notify")
    ch = channel(secret_env="DING_SECRET")
    [message] = ch.render(digest())
    echo = {"errcode": 310000, "errmsg": f"sign not match for access_token={TOKEN}&secret={SECRET}"}
    with RecordingServer(Reply(502, "bad gateway")) as server:
        server.replies = [Reply(502, f"upstream {TOKEN}"), Reply(200, echo)]
        delivery = ch.deliver(message, env(server, SECRET))
    assert delivery.detail == "errcode 310000: sign not match for ***&secret=*** after 2 attempts"
    shown = delivery.detail + caplog.text + json.dumps(message.redacted(), ensure_ascii=False)
    assert TOKEN not in shown and SECRET not in shown


def test_split_under_20000_bytes_with_continued_heading():
    # 600 items of about 60 bytes = about 36 KB of text: 2 parts
    messages = channel().render(digest(handles=HANDLES, sections=(many_items(600),)))
    assert [(m.part, m.parts) for m in messages] == [(1, 2), (2, 2)]
    for m in messages:
        assert len(json.dumps(m.payload, ensure_ascii=False, separators=(",", ":")).encode()) <= 20_000
        assert m.payload["at"]["atMobiles"] == ["13800138000"]          # each part @-s the person
    second = messages[1].payload["markdown"]
    assert second["title"] == "春季上新：张三的 2 件事（2/2）"
    assert "#### 近期到期（续）" in second["text"]
    items = [line for m in messages for line in m.payload["markdown"]["text"].split("\n") if line.startswith("- ")]
    assert items == [f"- 任务 {i}：物料准备与审核，负责人确认排期" for i in range(1, 601)]


def test_truncated_digest_points_to_the_page():
    [message] = channel(max_parts=1).render(digest(locale="en", sections=(many_items(1500, "task {i}: prepare"),)))
    text = message.payload["markdown"]["text"]
    shown = [line for line in text.split("\n") if line.startswith("- ")]
    assert 0 < len(shown) < 1500
    assert f"{1500 - len(shown)} more items not shown.\nSee the page for the rest: https://acme.example/site/spring/" in text
    assert len(json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode()) <= 20_000
