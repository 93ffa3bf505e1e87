"""企业微信 group robot: markdown with <@userid>, the follow-up text @ by mobile, 4096 bytes, errcode."""

from __future__ import annotations

import json
import logging

import pytest

from ptrack.errors import UsageError
from ptrack.notify.channels import CHANNELS
from tests.notify_support import FakeClock, RecordingServer, Reply, digest, many_items

KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
OK = Reply(200, {"errcode": 0, "errmsg": "ok"})


def channel(clock=None, **settings):
    return CHANNELS["wecom"]("wx", {"type": "wecom", "webhook_env": "WECOM_HOOK", **settings},
                             clock=clock or FakeClock())


def env(server):
    return {"WECOM_HOOK": server.url(f"/cgi-bin/webhook/send?key={KEY}")}


CONTENT = ("## 春季上新：张三的 2 件事\n"
           "<@zhangsan> 计划 40%，实际 35%，落后 5 个百分点\n\n"
           "**近期到期**\n"
           '- <font color="warning">预热海报</font>\n'
           "- KV 主视觉 <终稿>\n\n"
           "[打开活动页面](https://acme.example/site/spring/)\n"
           '<font color="comment">ptrack · 春季上新 · 截至 2024-04-15</font>')


def test_markdown_with_userid_mention_is_posted_exactly():
    ch = channel()
    [message] = ch.render(digest(handles={"wecom_userid": "zhangsan", "wecom_mobile": "13800138000"}))
    assert message.payload == {"msgtype": "markdown", "markdown": {"content": CONTENT}}
    with RecordingServer(OK) as server:
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail) == (True, "sent")
    [req] = server.requests
    assert (req.path, req.query) == ("/cgi-bin/webhook/send", {"key": [KEY]})
    assert req.json() == message.payload


def test_mobile_only_person_gets_a_text_that_mentions_them():
    # markdown ignores mentioned_mobile_list: the @ by mobile needs a text message
    messages = channel().render(digest(handles={"wecom_mobile": "13800138000"}))
    assert [(m.part, m.parts) for m in messages] == [(1, 2), (2, 2)]
    assert messages[0].payload["markdown"]["content"].split("\n")[1] == "计划 40%，实际 35%，落后 5 个百分点"
    assert messages[1].payload == {"msgtype": "text", "text": {
        "content": "张三：上面这条提醒与你有关（春季上新：张三的 2 件事）。",
        "mentioned_mobile_list": ["13800138000"]}}


def test_team_digest_mentions_nobody():
    [message] = channel().render(digest(person=None, name="团队"))
    assert "<@" not in message.payload["markdown"]["content"]


@pytest.mark.parametrize("answer,detail", [
    ({"errcode": 93000, "errmsg": "invalid webhook url, hint: [1700000000_7_abc], from ip: 1.2.3.4"},
     "errcode 93000: invalid webhook url, hint: [1700000000_7_abc], from ip: 1.2.3.4"),
    ({"errcode": 40058, "errmsg": "markdown.content exceed max length 4096"},
     "errcode 40058: markdown.content exceed max length 4096"),
])
def test_errcode_is_a_failure(answer, detail):
    ch = channel()
    [message] = ch.render(digest())
    with RecordingServer(Reply(200, answer)) as server:
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail, delivery.attempts) == (False, detail, 1)


def test_api_freq_out_of_limit_is_retried():
    clock = FakeClock()
    ch = channel(clock)
    [message] = ch.render(digest())
    with RecordingServer(OK) as server:
        server.replies = [Reply(200, {"errcode": 45009, "errmsg": "api freq out of limit"})] * 2
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.attempts, clock.sleeps) == (True, 3, [1.0, 2.0])


def test_key_stays_out_of_detail_and_logs(caplog):
    caplog.set_level(logging.DEBUG, logger="ptrack.notify")
    ch = channel()
    [message] = ch.render(digest())
    with RecordingServer(Reply(200, {"errcode": 93000, "errmsg": f"invalid webhook url key={KEY}"})) as server:
        delivery = ch.deliver(message, env(server))
    assert KEY not in delivery.detail + caplog.text + json.dumps(message.redacted(), ensure_ascii=False)


def test_markdown_is_split_under_4096_bytes():
    # 120 items of about 60 bytes = about 7 KB of markdown: 2 parts
    messages = channel().render(digest(sections=(many_items(120),)))
    assert [(m.part, m.parts) for m in messages] == [(1, 2), (2, 2)]
    contents = [m.payload["markdown"]["content"] for m in messages]
    assert all(len(c.encode("utf-8")) <= 4096 for c in contents)
    assert contents[1].startswith("## 春季上新：张三的 2 件事（2/2）\n")
    items = [line for c in contents for line in c.split("\n") if line.startswith("- ")]
    assert items == [f"- 任务 {i}：物料准备与审核，负责人确认排期" for i in range(1, 121)]


def test_truncated_markdown_still_fits():
    [message] = channel(max_parts=1).render(digest(sections=(many_items(120),)))
    content = message.payload["markdown"]["content"]
    shown = sum(1 for line in content.split("\n") if line.startswith("- "))
    assert f"另有 {120 - shown} 条未显示。\n其余内容请查看页面：https://acme.example/site/spring/" in content
    assert len(content.encode("utf-8")) <= 4096


def test_wecom_has_no_signing_secret():
    with pytest.raises(UsageError, match=r"notify.channels.wx.secret_env: wecom webhooks are not signed"):
        channel(secret_env="WX_SECRET")
