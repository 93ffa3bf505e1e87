"""飞书 custom bot: the card, the signature, the platform's error answers, the 20 KB limit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

import pytest

from ptrack.errors import UsageError
from ptrack.notify.channels import CHANNELS
from ptrack.notify.model import DigestSection
from tests.notify_support import FakeClock, RecordingServer, Reply, digest, item, many_items

TOKEN = "8f2c61d4-7a0e-4c43-9b7e-5d1e2f3a4b5c"
SECRET = "feishuSigningSecret42"
OK = Reply(200, {"code": 0, "data": {}, "msg": "success"})


def channel(clock=None, **settings):
    return CHANNELS["feishu"]("lark", {"type": "feishu", "webhook_env": "FEISHU_HOOK", **settings},
                              clock=clock or FakeClock())


def env(server, secret=None):
    values = {"FEISHU_HOOK": server.url(f"/open-apis/bot/v2/hook/{TOKEN}")}
    if secret:
        values["FEISHU_SECRET"] = secret
    return values


EXPECTED_CARD = {
    "msg_type": "interactive",
    "card": {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": "春季上新：张三的 2 件事"}, "template": "orange"},
        "elements": [
            {"tag": "markdown", "content": "<at id=ou_7d8a6e6df7621556ce0d21922b676706></at> 计划 40%，实际 35%，落后 5 个百分点"},
            # the urgent item first, in red; the other one's <> kept literal
            {"tag": "markdown", "content": "**近期到期**\n- <font color='red'>预热海报</font>\n- KV 主视觉 &lt;终稿&gt;"},
            {"tag": "action", "actions": [{"tag": "button", "type": "primary",
                                           "url": "https://acme.example/site/spring/",
                                           "text": {"tag": "plain_text", "content": "打开活动页面"}}]},
            {"tag": "note", "elements": [{"tag": "plain_text", "content": "ptrack · 春季上新 · 截至 2024-04-15"}]},
        ],
    },
}


def test_card_is_posted_exactly():
    ch = channel()
    [message] = ch.render(digest(handles={"feishu": "ou_7d8a6e6df7621556ce0d21922b676706"}))
    assert (message.platform, message.channel, message.recipient, message.part, message.parts) == \
        ("feishu", "lark", "zhang", 1, 1)
    assert message.payload == EXPECTED_CARD
    with RecordingServer(OK) as server:
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail, delivery.attempts) == (True, "sent", 1)
    [req] = server.requests
    assert (req.method, req.path, req.query) == ("POST", f"/open-apis/bot/v2/hook/{TOKEN}", {})
    assert req.headers["content-type"] == "application/json; charset=utf-8"
    assert req.json() == EXPECTED_CARD          # no timestamp/sign without a secret


@pytest.mark.parametrize("health,template", [("green", "green"), ("amber", "orange"), ("red", "red"), (None, "blue")])
def test_header_colour_follows_health(health, template):
    [message] = channel().render(digest(health=health))
    assert message.payload["card"]["header"]["template"] == template


def test_signed_body_carries_timestamp_and_sign():
    clock = FakeClock()
    ch = channel(clock, secret_env="FEISHU_SECRET")
    assert ch.required_env() == ["FEISHU_HOOK", "FEISHU_SECRET"]
    [message] = ch.render(digest())
    with RecordingServer(OK) as server:
        assert ch.deliver(message, env(server, SECRET)).ok
    body = server.requests[0].json()
    assert body["timestamp"] == "1700000000"                 # the clock's wall time, in seconds, as text
    key = f"{body['timestamp']}\n{SECRET}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert {k: v for k, v in body.items() if k not in ("timestamp", "sign")} == message.payload
    assert "sign" not in message.payload and SECRET not in json.dumps(message.redacted(), ensure_ascii=False)


@pytest.mark.parametrize("answer,detail", [
    ({"code": 19021, "data": {}, "msg": "sign match fail or timestamp is not within one hour from current time"},
     "code 19021: sign match fail or timestamp is not within one hour from current time"),
    ({"code": 19024, "msg": "Key Words Not Found"}, "code 19024: Key Words Not Found"),
    ({"StatusCode": 9499, "StatusMessage": "Bad Request"}, "StatusCode 9499: Bad Request"),
])
def test_error_answer_in_http_200_is_a_failure(answer, detail):
    ch = channel()
    [message] = ch.render(digest())
    with RecordingServer(Reply(200, answer)) as server:
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail, delivery.attempts) == (False, detail, 1)


def test_error_answer_with_http_400():
    ch = channel()
    [message] = ch.render(digest())
    with RecordingServer(Reply(400, {"code": 9499, "msg": "Bad Request"})) as server:
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail) == (False, "HTTP 400, code 9499: Bad Request")


def test_frequency_limit_11232_is_retried():
    clock = FakeClock()
    ch = channel(clock)
    [message] = ch.render(digest())
    with RecordingServer(OK) as server:
        server.replies = [Reply(200, {"code": 11232, "msg": "frequency limited psm[lark.oapi.app_platform_runtime]"})]
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail, delivery.attempts) == (True, "sent after 2 attempts", 2)
    assert clock.sleeps == [1.0]


def test_429_waits_for_the_gateway_reset_header():
    # 飞书's API gateway answers a 429 with x-ogw-ratelimit-reset (seconds), not Retry-After
    clock = FakeClock()
    ch = channel(clock)
    [message] = ch.render(digest())
    with RecordingServer(OK) as server:
        server.replies = [Reply(429, {"code": 99991400, "msg": "request trigger frequency limit"},
                                {"x-ogw-ratelimit-limit": "100", "x-ogw-ratelimit-reset": "52"})]
        delivery = ch.deliver(message, env(server))
    assert (delivery.ok, delivery.detail, clock.sleeps) == (True, "sent after 2 attempts", [52.0])


def test_messages_are_paced_to_the_rate_limit():
    # 5 a second: five go at once, the sixth waits until a second after the first, the seventh
    # goes with it (the window then holds only the sixth)
    clock = FakeClock()
    ch = channel(clock)
    [message] = ch.render(digest())
    with RecordingServer(OK) as server:
        for _ in range(7):
            assert ch.deliver(message, env(server)).ok
    assert clock.sleeps == [1.0] and len(server.requests) == 7


def test_missing_environment_variables_fail_without_sending():
    ch = channel(secret_env="FEISHU_SECRET")
    [message] = ch.render(digest())
    assert ch.deliver(message, {}).detail == "environment variable FEISHU_HOOK is not set"
    assert ch.deliver(message, {"FEISHU_HOOK": "https://open.feishu.cn/x"}).detail == \
        "environment variable FEISHU_SECRET is not set"
    bad = ch.deliver(message, {"FEISHU_HOOK": "not a url " + TOKEN, "FEISHU_SECRET": SECRET})
    assert bad.detail == "environment variable FEISHU_HOOK does not hold an http(s) URL"
    assert TOKEN not in bad.detail


def test_secrets_never_reach_detail_logs_or_redacted_message(caplog):
    caplog.set_level(logging.DEBUG, logger="ptrack.notify")
    ch = channel(secret_env="FEISHU_SECRET")
    [message] = ch.render(digest())
    # a platform that echoes what it was sent: the URL path (with the token) and the secret
    echo = {"code": 19021, "msg": f"bad sign for /open-apis/bot/v2/hook/{TOKEN} with {SECRET}"}
    with RecordingServer(Reply(500, echo)) as server:
        server.replies = [Reply(200, echo)]
        delivery = ch.deliver(message, env(server, SECRET))
    assert delivery.detail == "code 19021: bad sign for *** with ***"      # the path is masked whole
    shown = delivery.detail + caplog.text + json.dumps(message.redacted(), ensure_ascii=False)
    assert TOKEN not in shown and SECRET not in shown


def test_a_big_digest_is_split_under_20_kb():
    # 400 items of 25 characters (about 80 bytes each in the card) = about 32 KB: two parts
    big = digest(sections=(many_items(400),))
    messages = channel().render(big)
    assert [(m.part, m.parts) for m in messages] == [(1, 2), (2, 2)]
    for m in messages:
        assert len(json.dumps(m.payload, ensure_ascii=False, separators=(",", ":")).encode()) + 96 <= 20 * 1024
    assert messages[0].payload["card"]["header"]["title"]["content"] == "春季上新：张三的 2 件事（1/2）"
    sections = [e["content"] for m in messages for e in m.payload["card"]["elements"][1:-2]]
    assert sections[1].startswith("**近期到期（续）**\n")
    lines = [line for text in sections for line in text.split("\n")[1:]]
    assert lines == [f"- 任务 {i}：物料准备与审核，负责人确认排期" for i in range(1, 401)]   # all, in order


def test_past_max_parts_the_rest_is_left_to_the_page():
    big = digest(sections=(many_items(400),))
    [message] = channel(max_parts=1).render(big)
    elements = message.payload["card"]["elements"]
    shown = elements[1]["content"].split("\n")[1:]
    omitted = elements[2]["content"].split("\n")
    assert omitted == [f"另有 {400 - len(shown)} 条未显示。", "其余内容请查看页面：https://acme.example/site/spring/"]
    assert shown == [f"- 任务 {i}：物料准备与审核，负责人确认排期" for i in range(1, len(shown) + 1)]
    size = len(json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode()) + 96
    assert size <= 20 * 1024
    # one more item would not have fitted with the closing lines
    assert size + 80 > 20 * 1024


def test_an_item_longer_than_a_message_is_shortened():
    huge = digest(sections=(DigestSection("due", "近期到期", (item("长" * 30000),)),))
    [message] = channel().render(huge)
    text = message.payload["card"]["elements"][1]["content"]
    assert text.startswith("**近期到期**\n- 长长") and text.endswith("长…")
    assert len(json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode()) + 96 <= 20 * 1024


def test_english_digest_uses_english_chrome():
    [message] = channel().render(digest(locale="en", page_url=None, title="Spring launch: 2 things for Zhang"))
    elements = message.payload["card"]["elements"]
    assert [e["tag"] for e in elements] == ["markdown", "markdown", "note"]       # no page, no button
    assert elements[-1]["elements"][0]["content"] == "ptrack · 春季上新 · as of 2024-04-15"


def test_rendering_is_deterministic():
    d = digest(sections=(many_items(300),))
    assert [m.payload for m in channel().render(d)] == [m.payload for m in channel().render(d)]


@pytest.mark.parametrize("settings,message", [
    ({}, "notify.channels.lark.webhook_env: this setting is required"),
    ({"webhook_env": "https://open.feishu.cn/open-apis/bot/v2/hook/x"},
     "notify.channels.lark.webhook_env: expected the NAME of an environment variable (letters, digits, _), not its value"),
    ({"webhook_env": "H", "timeout": "fast"}, "notify.channels.lark.timeout: expected a number ≥ 0.001, got 'fast'"),
    ({"webhook_env": "H", "retries": 1.5}, "notify.channels.lark.retries: expected a whole number ≥ 0, got 1.5"),
    ({"webhook_env": "H", "token": "x"}, "notify.channels.lark: unknown setting token (known: max_parts, "
                                         "per_minute, retries, secret_env, timeout, webhook_env)"),
])
def test_bad_settings_are_usage_errors(settings, message):
    with pytest.raises(UsageError) as err:
        CHANNELS["feishu"]("lark", {"type": "feishu", **settings})
    assert str(err.value) == message
