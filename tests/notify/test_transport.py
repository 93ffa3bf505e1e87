"""The HTTP transport against a real server on 127.0.0.1: retries, back-off, timeouts, redaction."""

from __future__ import annotations

import logging

from ptrack.notify.transport import HttpTransport, RateLimiter, RetryPolicy, redact, url_secrets
from tests.notify_support import FakeClock, RecordingServer, Reply, refused_port

TOKEN = "tok-0123456789abcdef"


def transport(clock, retries=3, timeout=5.0):
    return HttpTransport(timeout=timeout, clock=clock, retry=RetryPolicy(retries=retries), user_agent="ptrack/test")


def test_posts_utf8_json_with_content_type():
    clock = FakeClock()
    with RecordingServer(Reply(200, "ok")) as server:
        result = transport(clock).post_json(server.url(f"/hook/{TOKEN}?a=1"), {"text": "你好"})
    assert (result.status, result.body, result.attempts, result.waits) == (200, b"ok", 1, ())
    [req] = server.requests
    assert (req.method, req.path, req.query) == ("POST", f"/hook/{TOKEN}", {"a": ["1"]})
    assert req.headers["content-type"] == "application/json; charset=utf-8"
    assert req.headers["user-agent"] == "ptrack/test"
    assert req.body == '{"text":"你好"}'.encode("utf-8")
    assert clock.sleeps == []


def test_429_then_success_honours_retry_after_seconds():
    clock = FakeClock()
    with RecordingServer(Reply(200, "ok")) as server:
        server.replies = [Reply(429, "slow down", {"Retry-After": "7"})]
        result = transport(clock).post_json(server.url("/h"), {})
    assert (result.status, result.attempts, result.waits) == (200, 2, (7.0,))
    assert clock.sleeps == [7.0]                   # recorded, not slept
    assert len(server.requests) == 2


def test_429_retry_after_as_http_date():
    # the fake wall clock says 1,700,000,000 = Tue, 14 Nov 2023 22:13:20 GMT; the date is 12 s later
    clock = FakeClock()
    with RecordingServer(Reply(200, "ok")) as server:
        server.replies = [Reply(429, "", {"Retry-After": "Tue, 14 Nov 2023 22:13:32 GMT"})]
        result = transport(clock).post_json(server.url("/h"), {})
    assert result.status == 200 and clock.sleeps == [12.0]


def test_429_without_retry_after_backs_off_exponentially():
    clock = FakeClock()
    with RecordingServer(Reply(200, "ok")) as server:
        server.replies = [Reply(429), Reply(429)]
        result = transport(clock).post_json(server.url("/h"), {})
    assert (result.attempts, clock.sleeps) == (3, [1.0, 2.0])


def test_retry_after_longer_than_the_limit_gives_up():
    clock = FakeClock()
    with RecordingServer(Reply(429, "", {"Retry-After": "3600"})) as server:
        result = transport(clock).post_json(server.url("/h"), {})
    assert (result.status, result.attempts, clock.sleeps) == (429, 1, [])
    assert result.error == "Retry-After 3600 s is longer than 60 s"


def test_5xx_until_retries_run_out():
    # 1 try + 3 retries, waiting 1, 2 and 4 s between them
    clock = FakeClock()
    with RecordingServer(Reply(503, "busy")) as server:
        result = transport(clock).post_json(server.url("/h"), {})
    assert (result.status, result.body, result.attempts) == (503, b"busy", 4)
    assert clock.sleeps == [1.0, 2.0, 4.0] and len(server.requests) == 4


def test_other_4xx_is_not_retried():
    clock = FakeClock()
    with RecordingServer(Reply(400, "invalid_payload")) as server:
        result = transport(clock).post_json(server.url("/h"), {})
    assert (result.status, result.attempts, clock.sleeps, len(server.requests)) == (400, 1, [], 1)


def test_hanging_server_times_out_and_is_retried():
    clock = FakeClock()
    with RecordingServer(Reply(hang=True)) as server:
        result = transport(clock, retries=1, timeout=0.2).post_json(server.url("/h"), {})
    assert (result.status, result.error, result.attempts) == (None, "timed out after 0.2 s", 2)
    assert clock.sleeps == [1.0] and len(server.requests) == 2


def test_refused_connection_is_retried_then_reported():
    clock = FakeClock()
    result = transport(clock, retries=2).post_json(f"http://127.0.0.1:{refused_port()}/h", {})
    assert (result.status, result.error, result.attempts, clock.sleeps) == (None, "connection refused", 3, [1.0, 2.0])


def test_dropped_connection_is_retried():
    clock = FakeClock()
    with RecordingServer(Reply(200, "ok")) as server:
        server.replies = [Reply(reset=True)]
        result = transport(clock).post_json(server.url("/h"), {})
    assert (result.status, result.attempts, clock.sleeps) == (200, 2, [1.0])


def test_retry_body_hook_retries_a_throttle_in_http_200():
    clock = FakeClock()
    with RecordingServer(Reply(200, {"code": 0})) as server:
        server.replies = [Reply(200, {"code": 11232, "msg": "frequency limited"})]
        result = transport(clock).post_json(server.url("/h"), {},
                                            retry_body=lambda r: r.json().get("code") == 11232)
    assert (result.json(), result.attempts, clock.sleeps) == ({"code": 0}, 2, [1.0])


def test_retry_logs_carry_no_token(caplog):
    clock = FakeClock()
    caplog.set_level(logging.DEBUG, logger="ptrack.notify")
    with RecordingServer(Reply(503, "busy")) as server:
        transport(clock, retries=1).post_json(server.url(f"/hook/{TOKEN}?access_token={TOKEN}x"), {},
                                              label="feishu team")
    assert "retrying in 1 s" in caplog.text
    assert TOKEN not in caplog.text


def test_redact_masks_the_secret_and_its_url_encoded_forms():
    secret = "SEC+a/b=c"
    text = f"sign failed for {secret} or SEC%2Ba%2Fb%3Dc or SEC%2Ba/b%3Dc"
    assert redact(text, [secret, None, ""]) == "sign failed for *** or *** or ***"


def test_url_secrets_cover_the_webhook_tokens():
    assert "abc123" in url_secrets("https://oapi.dingtalk.com/robot/send?access_token=abc123")
    assert "0a1b2c3d-key" in url_secrets("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0a1b2c3d-key")
    slack = url_secrets("https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX")
    assert "XXXXXXXXXXXXXXXXXXXXXXXX" in slack and "T000" in slack
    assert "services" not in slack


def test_rate_limiter_keeps_every_window():
    # 2 a second and 3 in 10 s: sends at 0, 0, then 1 (the second window), then 10 (the 10-s window)
    clock = FakeClock()
    limiter = RateLimiter([(2, 1.0), (3, 10.0)], clock)
    times = []
    for _ in range(4):
        limiter.wait()
        times.append(clock.monotonic())
    assert times == [0.0, 0.0, 1.0, 10.0]
    assert clock.sleeps == [1.0, 9.0]
