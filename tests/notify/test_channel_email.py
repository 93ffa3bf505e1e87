"""Email against aiosmtpd on 127.0.0.1: STARTTLS / SSL with a test CA, AUTH, both MIME parts,
encoded Chinese headers, one mail per person, failures and secrets."""

from __future__ import annotations

import email
import email.policy
import json
import logging

import pytest

from ptrack.errors import UsageError
from ptrack.notify.channels import CHANNELS
from tests.notify_support import FakeClock, SmtpRecorder, digest, refused_port

PASSWORD = "smtp-pass-Xy7"


def channel(server, clock=None, **settings):
    base = {"type": "email", "host": "127.0.0.1", "port": server.port, "from": "活动助手 <ptrack@acme.example>",
            "to": ["Team Lead <lead@acme.example>", "ops@acme.example"], "username": "ptrack-bot",
            "password_env": "SMTP_PASSWORD", "ca_file": str(server.ca_file), "timeout": 5}
    base.update(settings)
    return CHANNELS["email"]("mail", base, clock=clock or FakeClock())


@pytest.fixture
def smtp(tmp_path):
    with SmtpRecorder(tmp_path, password=PASSWORD) as server:
        yield server


def test_person_mail_over_starttls_with_auth(smtp):
    ch = channel(smtp)
    assert ch.required_env() == ["SMTP_PASSWORD"]
    [message] = ch.render(digest(handles={"email": "zhang.san@acme.example"}))
    assert message.payload["to"] == ["张三 <zhang.san@acme.example>"]
    assert message.payload["subject"] == "春季上新：张三的 2 件事"
    delivery = ch.deliver(message, {"SMTP_PASSWORD": PASSWORD})
    assert (delivery.ok, delivery.detail, delivery.attempts) == (True, "sent", 1)
    assert smtp.logins == [("PLAIN", "ptrack-bot", "ok")]
    [mail] = smtp.mails
    assert mail["tls"] is True and mail["authenticated"] is True   # AUTH and DATA went after STARTTLS
    assert (mail["from"], mail["to"]) == ("ptrack@acme.example", ["zhang.san@acme.example"])
    raw = mail["data"].decode("ascii")                     # 7-bit clean on the wire
    assert "Subject: =?utf-8?b?" in raw and "To: =?utf-8?b?5byg5LiJ?= <zhang.san@acme.example>" in raw
    parsed = email.message_from_bytes(mail["data"], policy=email.policy.default)
    assert str(parsed["Subject"]) == "春季上新：张三的 2 件事"
    assert str(parsed["From"]) == "活动助手 <ptrack@acme.example>"
    assert "\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n" in raw        # the clock's wall time
    key = parsed["Message-ID"][1:33]
    assert f'boundary="=_ptrack_{key}"' in raw
    assert parsed["Message-ID"] == ch.mime(message)["Message-ID"]     # derived from the digest key
    assert parsed["Message-ID"].endswith("@acme.example>")
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = parsed.get_body(("html",)).get_content().replace("\r\n", "\n")
    assert text == ("张三，你好：\n\n计划 40%，实际 35%，落后 5 个百分点\n\n近期到期\n- [!] 预热海报\n- KV 主视觉 <终稿>\n\n"
                    "打开活动页面: https://acme.example/site/spring/\n\n-- \nptrack · 春季上新 · 截至 2024-04-15\n")
    assert "<li><strong style=\"color:#c62828\">预热海报</strong></li>\n<li>KV 主视觉 &lt;终稿&gt;</li>" in html
    assert '<a href="https://acme.example/site/spring/"' in html and "<title>春季上新：张三的 2 件事</title>" in html


def test_team_digest_goes_to_the_to_list(smtp):
    ch = channel(smtp)
    [message] = ch.render(digest(person=None, name="团队"))
    assert message.payload["to"] == ["Team Lead <lead@acme.example>", "ops@acme.example"]
    assert ch.deliver(message, {"SMTP_PASSWORD": PASSWORD}).ok
    [mail] = smtp.mails
    assert mail["to"] == ["lead@acme.example", "ops@acme.example"]
    parsed = email.message_from_bytes(mail["data"], policy=email.policy.default)
    assert parsed.get_body(("plain",)).get_content().startswith("各位好：\r\n")


def test_no_address_no_mail(smtp):
    assert channel(smtp).render(digest(handles={"feishu": "ou_x"})) == []
    assert channel(smtp, to=None).render(digest(person=None)) == []


def test_implicit_tls(tmp_path):
    with SmtpRecorder(tmp_path, mode="ssl", password=PASSWORD) as server:
        ch = channel(server, security="ssl")
        [message] = ch.render(digest(handles={"email": "zhang.san@acme.example"}))
        delivery = ch.deliver(message, {"SMTP_PASSWORD": PASSWORD})
    assert (delivery.ok, len(server.mails), server.logins[0][2]) == (True, 1, "ok")


def test_wrong_password_fails_without_retry_and_without_the_password(smtp, caplog):
    caplog.set_level(logging.DEBUG, logger="ptrack.notify")
    clock = FakeClock()
    ch = channel(smtp, clock)
    [message] = ch.render(digest(handles={"email": "zhang.san@acme.example"}))
    wrong = "Wr0ng-Passw0rd!"
    delivery = ch.deliver(message, {"SMTP_PASSWORD": wrong})
    assert (delivery.ok, delivery.detail, delivery.attempts) == (False, "SMTP 535: authentication failed", 1)
    assert clock.sleeps == [] and smtp.mails == []
    shown = delivery.detail + caplog.text + json.dumps(message.redacted(), ensure_ascii=False)
    assert wrong not in shown and PASSWORD not in shown


def test_untrusted_certificate_is_refused(smtp):
    ch = channel(smtp, ca_file=None, retries=0)
    [message] = ch.render(digest(handles={"email": "zhang.san@acme.example"}))
    delivery = ch.deliver(message, {"SMTP_PASSWORD": PASSWORD})
    assert not delivery.ok and delivery.detail.startswith("TLS error: CERTIFICATE_VERIFY_FAILED")
    assert smtp.mails == [] and smtp.logins == []


def test_refused_connection_is_retried(tmp_path):
    clock = FakeClock()
    ch = CHANNELS["email"]("mail", {"host": "127.0.0.1", "port": refused_port(), "from": "ptrack@acme.example",
                                    "retries": 2}, clock=clock)
    [message] = ch.render(digest(handles={"email": "zhang.san@acme.example"}))
    delivery = ch.deliver(message, {})
    assert (delivery.ok, delivery.detail, delivery.attempts) == (False, "connection refused after 3 attempts", 3)
    assert clock.sleeps == [1.0, 2.0]


def test_missing_password_variable(smtp):
    ch = channel(smtp)
    [message] = ch.render(digest(handles={"email": "zhang.san@acme.example"}))
    assert ch.deliver(message, {}).detail == "environment variable SMTP_PASSWORD is not set"
    assert smtp.mails == []


@pytest.mark.parametrize("settings,error", [
    ({"from": "ptrack@acme.example"}, "notify.channels.mail.host: this setting is required"),
    ({"host": "smtp.acme.example"}, "notify.channels.mail.from: this setting is required"),
    ({"host": "h", "from": "nobody"}, "notify.channels.mail.from: not an email address: 'nobody'"),
    ({"host": "h", "from": "a@b.example", "security": "tls"},
     "notify.channels.mail.security: expected one of starttls, ssl, none, got 'tls'"),
    ({"host": "h", "from": "a@b.example", "username": "u"},
     "notify.channels.mail.password_env: needed with username (the NAME of the environment variable holding the password)"),
    ({"host": "h", "from": "a@b.example", "username": "u", "password_env": "P", "security": "none"},
     "notify.channels.mail.security: none would send the password in clear; use starttls or ssl with a username"),
    ({"host": "h", "from": "a@b.example", "password": "hunter2"},
     "notify.channels.mail: unknown setting password (known: ca_file, from, helo, host, password_env, port, "
     "retries, security, timeout, to, username)"),
])
def test_bad_settings(settings, error):
    with pytest.raises(UsageError) as err:
        CHANNELS["email"]("mail", settings)
    assert str(err.value) == error


def test_default_ports():
    assert CHANNELS["email"]("m", {"host": "h", "from": "a@b.example"}).port == 587
    assert CHANNELS["email"]("m", {"host": "h", "from": "a@b.example", "security": "ssl"}).port == 465
    assert CHANNELS["email"]("m", {"host": "h", "from": "a@b.example", "security": "none"}).port == 25


def test_email_settings_pass_the_ptrack_yaml_checks(tmp_path):
    # a CA bundle's path is long and holds digits and letters, like a token: it is a path, not a secret
    from ptrack.core.config import load_config
    from ptrack.notify.settings import check_channels

    (tmp_path / "ptrack.yaml").write_text(
        "notify:\n  channels:\n    mail:\n      type: email\n      host: smtp.exmail.qq.com\n"
        "      from: \"活动助手 <ptrack@acme.example>\"\n      to: [lead@acme.example]\n"
        "      username: ptrack@acme.example\n      password_env: PTRACK_SMTP_PASSWORD\n"
        "      ca_file: /etc/ssl/certs/acme-root-ca-2024-g2.pem\n      helo: ci-runner-01.build.acme.example\n",
        encoding="utf-8")
    config = load_config(tmp_path)
    [(entry, channel)] = check_channels(config.notify.channels)
    assert (entry.name, channel.ca_file, channel.port) == ("mail", "/etc/ssl/certs/acme-root-ca-2024-g2.pem", 587)


def test_an_address_the_mail_headers_refuse_fails_that_delivery_only(smtp):
    # the schema's pattern lets "a,b@acme.example" through; the header parser does not
    ch = channel(smtp)
    [message] = ch.render(digest(handles={"email": "zhang,san@acme.example"}))
    delivery = ch.deliver(message, {"SMTP_PASSWORD": PASSWORD})
    assert (delivery.ok, delivery.detail, delivery.attempts) == (False, "not an email address: 'zhang,san@acme.example'", 0)
    assert smtp.mails == []


def test_a_4xx_reply_is_retried_a_5xx_is_final(tmp_path):
    clock = FakeClock()
    with SmtpRecorder(tmp_path, password=PASSWORD, data_replies=["451 4.3.0 Mailbox busy, try later"]) as server:
        ch = channel(server, clock)
        [message] = ch.render(digest(handles={"email": "zhang.san@acme.example"}))
        delivery = ch.deliver(message, {"SMTP_PASSWORD": PASSWORD})
    assert (delivery.ok, delivery.detail, delivery.attempts, clock.sleeps) == (True, "sent after 2 attempts", 2, [1.0])
    assert len(server.mails) == 1 and server.refused == ["451 4.3.0 Mailbox busy, try later"]

    clock = FakeClock()
    with SmtpRecorder(tmp_path, password=PASSWORD, data_replies=["554 5.7.1 Message rejected as spam"]) as server:
        ch = channel(server, clock)
        delivery = ch.deliver(message, {"SMTP_PASSWORD": PASSWORD})
    assert (delivery.ok, delivery.detail, delivery.attempts, clock.sleeps) == \
        (False, "SMTP 554: 5.7.1 Message rejected as spam", 1, [])
    assert server.mails == []
