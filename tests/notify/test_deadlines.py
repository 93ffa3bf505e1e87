"""Deadlines, not timeouts per read, against servers on 127.0.0.1 that are slow rather than
silent: an HTTP server answering a byte every 0.1 s, an SMTP server whose greeting trickles, an
SMTP server that takes the mail and never says so. Each attempt ends at its deadline whatever
the server does; a run's deadline (``until``) ends the retries too; what went out without an
answer is "maybe delivered"; a mail retried carries the same Message-ID.

Before the fix, the 200-byte trickled answer below kept one attempt for about 20 s with
``timeout: 1`` (every read got a byte within the second)."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time

from ptrack.notify.channels import CHANNELS
from ptrack.notify.transport import SYSTEM_CLOCK, HttpTransport, RetryPolicy, SmtpServer, send_mail
from tests.notify_support import FakeClock, SmtpRecorder, TrickleServer, digest, refused_port

LONG_ANSWER = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 160\r\n\r\n"
               + b'{"errcode":0,"errmsg":"' + b"o" * 134 + b'"}')
PASSWORD = "smtp-pass-Xy7"


def _transport(timeout: float, retries: int = 0, clock=None) -> HttpTransport:
    return HttpTransport(timeout=timeout, clock=clock or FakeClock(), retry=RetryPolicy(retries=retries),
                         user_agent="ptrack/test")


def test_a_trickled_answer_ends_at_the_attempts_deadline():
    assert len(LONG_ANSWER) > 200  # 0.1 s a byte: over 20 s to read it whole
    with TrickleServer(LONG_ANSWER, every=0.1) as server:
        started = time.monotonic()
        result = _transport(1.0).post_json(server.url("/hook"), {"msgtype": "text"})
        took = time.monotonic() - started
    assert (result.status, result.error, result.attempts) == (None, "timed out after 1 s", 1)
    assert result.maybe_delivered  # the POST went out whole: the server has it
    assert len(server.posts) == 1
    assert 0.9 <= took <= 1.0 + 1.5, took  # the deadline, plus the grace for the thread to end


def test_each_retry_gets_its_own_deadline_and_all_may_have_been_delivered():
    clock = FakeClock()
    with TrickleServer(LONG_ANSWER, every=0.1) as server:
        started = time.monotonic()
        result = _transport(0.5, retries=2, clock=clock).post_json(server.url("/hook"), {})
        took = time.monotonic() - started
    assert (result.status, result.attempts, clock.sleeps) == (None, 3, [1.0, 2.0])
    assert result.maybe_delivered and len(server.posts) == 3  # three posts: the platform may show three
    assert took <= 3 * 0.5 + 3 * 1.5, took


def test_a_refused_connection_was_not_delivered():
    result = _transport(1.0).post_json(f"http://127.0.0.1:{refused_port()}/hook", {})
    assert (result.error, result.maybe_delivered) == ("connection refused", False)


def test_the_runs_deadline_cuts_the_attempt_and_stops_the_retries():
    """``until`` 1.2 s away on the real clock, attempts of 5 s each, 3 retries: one attempt cut
    at 1.2 s, no back-off past the deadline, no attempt after it."""
    with TrickleServer(LONG_ANSWER, every=0.1) as server:
        started = time.monotonic()
        result = _transport(5.0, retries=3, clock=SYSTEM_CLOCK).post_json(server.url("/hook"), {},
                                                                          until=started + 1.2)
        took = time.monotonic() - started
    assert result.attempts == 1 and len(server.posts) == 1
    assert result.error.startswith("timed out after 1.") and \
        result.error.endswith("; not retried: the run's deadline comes first"), result.error
    assert result.maybe_delivered
    assert took <= 1.2 + 1.5, took


def test_past_the_runs_deadline_nothing_is_attempted():
    with TrickleServer() as server:
        result = _transport(5.0, clock=SYSTEM_CLOCK).post_json(server.url("/hook"), {},
                                                               until=time.monotonic() - 0.01)
    assert (result.attempts, result.error, server.posts) == (0, "not sent: the run's deadline passed", [])


def test_a_trickling_smtp_greeting_ends_at_the_deadline():
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def greet():
        conn, _ = listener.accept()
        with conn:
            for byte in b"220 slow.example ESMTP " + b"." * 200 + b"\r\n":
                if stop.wait(0.1):
                    return
                conn.sendall(bytes([byte]))

    thread = threading.Thread(target=greet, daemon=True)
    thread.start()
    try:
        started = time.monotonic()
        result = send_mail(SmtpServer("127.0.0.1", port, security="none", timeout=1.0), email.message.EmailMessage(),
                           ["a@example.com"], retry=RetryPolicy(retries=0), clock=FakeClock())
        took = time.monotonic() - started
    finally:
        stop.set()
        listener.close()
    assert (result.ok, result.detail, result.maybe_delivered) == (False, "timed out after 1 s", False)
    assert took <= 1.0 + 1.5, took


def test_a_mail_taken_without_an_answer_is_maybe_delivered_and_its_retry_has_the_same_message_id(tmp_path):
    """The server takes the whole mail, then never answers DATA: the client cannot know. The
    retry is the same mail with the same Message-ID (what a receiving system recognises)."""
    clock = FakeClock()
    with SmtpRecorder(tmp_path, password=PASSWORD, hang_data=1) as server:
        ch = CHANNELS["email"]("mail", {
            "type": "email", "host": "127.0.0.1", "port": server.port, "from": "ptrack@acme.example",
            "username": "ptrack-bot", "password_env": "SMTP_PASSWORD", "ca_file": str(server.ca_file),
            "timeout": 1, "retries": 1}, clock=clock)
        [message] = ch.render(digest(handles={"email": "zhang.san@acme.example"}))
        delivery = ch.deliver(message, {"SMTP_PASSWORD": PASSWORD})
    assert (delivery.ok, delivery.detail, delivery.attempts, delivery.maybe_delivered) == \
        (True, "sent after 2 attempts", 2, True)
    first, second = (email.message_from_bytes(m["data"], policy=email.policy.default) for m in server.mails)
    assert first["Message-ID"] == second["Message-ID"] == ch.mime(message)["Message-ID"]
    assert server.mails[0]["answered"] is False and clock.sleeps == [1.0]


def test_a_mail_refused_by_the_server_was_not_delivered(tmp_path):
    with SmtpRecorder(tmp_path, password=PASSWORD, data_replies=["554 5.7.1 rejected"]) as server:
        ch = CHANNELS["email"]("mail", {
            "type": "email", "host": "127.0.0.1", "port": server.port, "from": "ptrack@acme.example",
            "username": "ptrack-bot", "password_env": "SMTP_PASSWORD", "ca_file": str(server.ca_file)},
            clock=FakeClock())
        [message] = ch.render(digest(handles={"email": "zhang.san@acme.example"}))
        delivery = ch.deliver(message, {"SMTP_PASSWORD": PASSWORD})
    assert (delivery.ok, delivery.maybe_delivered) == (False, False)
