"""Email over SMTP: one message per person, the team digest to the configured ``to`` list.

Each message is multipart/alternative with a plain-text and an HTML part (UTF-8, quoted-printable);
names and subjects in Chinese are RFC 2047-encoded by the standard library's SMTP policy. The
connection is STARTTLS (default), implicit TLS (``security: ssl``) or plain (``security: none``,
which refuses a ``username``: the password would cross the network in clear). ``Message-ID`` is
derived from the digest key and the recipient, so a resent digest carries the same id; ``Date`` is
the send time. A person with no ``email`` in ``people:`` gets no mail; a team digest needs ``to``.
"""

from __future__ import annotations

import email.errors
import email.policy
import email.utils
import hashlib
import html
from email.headerregistry import Address
from email.message import EmailMessage
from typing import Mapping

from ptrack.errors import UsageError
from ptrack.i18n import t
from ptrack.i18n import M_
from ptrack.notify.channels.base import Channel, footer_text, ordered_items, page_links
from ptrack.notify.model import Delivery, Digest, Message
from ptrack.notify.transport import SECURITY_MODES, Clock, RetryPolicy, SmtpServer, send_mail

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def _display(name: str, addr: str) -> str:
    """"张三 <zhang@example.com>"; an address the header parser refuses is kept as written (with no
    name), so that the delivery -- not the rendering -- fails, with the reason, for that one person."""
    try:
        return str(Address(display_name=name, addr_spec=addr))
    except (ValueError, IndexError, email.errors.MessageError):
        return addr


def _bad_address(text: str) -> str | None:
    """``text`` itself when it is not one well-formed address, else None."""
    name, addr = email.utils.parseaddr(text)
    try:
        parsed = Address(display_name=name, addr_spec=addr)
    except (ValueError, IndexError, email.errors.MessageError):
        return text
    return None if addr and parsed.addr_spec == addr and "@" in addr else text


class EmailChannel(Channel):
    platform = "email"
    SETTINGS = {
        "host": "SMTP server host name",
        "port": "SMTP port (default 587 for starttls, 465 for ssl, 25 for none)",
        "from": "sender address, e.g. 'ptrack <ptrack@example.com>'",
        "to": "addresses that get the team digest (a person's own digest goes to people.<id>.email)",
        "username": "SMTP login (optional)",
        "password_env": "environment variable holding the SMTP password (needed with username)",
        "security": "starttls (default) | ssl | none",
        "timeout": "seconds an attempt may take, from connecting to the server taking the mail (default 30)",
        "retries": "further attempts after a dropped connection or an SMTP 4xx reply (default 3)",
        "ca_file": "a CA bundle to trust besides the system's (a company's own CA)",
        "helo": "the name this machine gives in EHLO (default: its host name)",
    }

    def __init__(self, name: str, settings: Mapping[str, object], *, clock: Clock | None = None):
        super().__init__(name, settings, clock=clock)
        s = self.settings
        self.host = s.text("host", required=True)
        self.security = s.choice("security", SECURITY_MODES, "starttls")
        self.port = s.number("port", DEFAULT_PORTS[self.security], minimum=1, integer=True)
        self.sender = s.text("from", required=True)
        self.sender_address = self._address(self.sender, s.where("from"))
        self.to = [str(self._address(a, s.where("to"))) for a in s.text_list("to")]
        self.username = s.text("username")
        self.password_env = s.env_name("password_env")
        if self.username and not self.password_env:
            raise UsageError(M_("notify.email.password_env", where=s.where("password_env")))
        if self.username and self.security == "none":
            raise UsageError(M_("notify.email.clear", where=s.where("security")))
        self.timeout = s.number("timeout", 30.0, minimum=0.001)
        self.retry = RetryPolicy(retries=s.number("retries", 3, integer=True))
        self.ca_file = s.text("ca_file")
        self.helo = s.text("helo")

    @staticmethod
    def _address(text: str, where: str) -> Address:
        name, addr = email.utils.parseaddr(text)
        if not addr or "@" not in addr or addr.startswith("@") or addr.endswith("@"):
            raise UsageError(M_("notify.email.not_address", where=where, value=repr(text)))
        local, domain = addr.rsplit("@", 1)
        return Address(display_name=name, username=local, domain=domain)

    def required_env(self) -> list[str]:
        return [self.password_env] if self.password_env else []

    def render(self, digest: Digest) -> list[Message]:
        if digest.is_team:
            to = list(self.to)
        else:
            addr = digest.recipient.handles.get("email")
            to = [_display(digest.recipient.name, addr)] if addr else []
        if not to:
            return []
        payload = {"from": str(self.sender_address), "to": to, "subject": digest.title,
                   "text": self._text(digest), "html": self._html(digest)}
        return [self._message(digest, 1, 1, payload)]

    def _greeting(self, digest: Digest) -> str:
        if digest.is_team:
            return t(digest.locale, "notify.channel.email_team_greeting")
        return t(digest.locale, "notify.channel.email_greeting", name=digest.recipient.name)

    def _text(self, digest: Digest) -> str:
        lines = [self._greeting(digest), "", digest.summary]
        for section in digest.sections:
            lines += ["", section.title]
            for i in ordered_items(section):
                lines.append(f"- [!] {i.text}" if i.urgent else f"- {i.text}")
                lines += [f"  {link.label}: {link.url}" for link in i.links]
        if page_links(digest):
            lines.append("")
            lines += [f"{label}: {url}" for label, url in page_links(digest)]
        lines += ["", "-- ", footer_text(digest)]
        return "\n".join(lines) + "\n"

    def _html(self, digest: Digest) -> str:
        e = html.escape
        colour = {"green": "#2e7d32", "amber": "#ef6c00", "red": "#c62828"}.get(digest.health or "", "#1565c0")
        out = [f'<!DOCTYPE html>\n<html lang="{e(digest.locale)}"><head><meta charset="utf-8">'
               f"<title>{e(digest.title)}</title></head>",
               '<body style="font-family:sans-serif;line-height:1.5;color:#222">',
               f'<h2 style="border-left:6px solid {colour};padding-left:8px">{e(digest.title)}</h2>',
               f"<p>{e(self._greeting(digest))}</p>", f"<p>{e(digest.summary)}</p>"]
        for section in digest.sections:
            out.append(f"<h3>{e(section.title)}</h3>\n<ul>")
            for item in ordered_items(section):
                text = e(item.text)
                text = f'<strong style="color:#c62828">{text}</strong>' if item.urgent else text
                links = "".join(f' <a href="{e(link.url)}" style="white-space:nowrap">{e(link.label)}</a>'
                                for link in item.links)
                out.append(f"<li>{text}{links}</li>")
            out.append("</ul>")
        buttons = [f'<a href="{e(url)}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 16px;'
                   f'background:{colour};color:#fff;text-decoration:none;border-radius:4px">{e(label)}</a>'
                   for label, url in page_links(digest)]
        if buttons:
            out.append(f"<p>{''.join(buttons)}</p>")
        out.append(f'<p style="color:#888;font-size:12px">{e(footer_text(digest))}</p>')
        out.append("</body></html>")
        return "\n".join(out) + "\n"

    def mime(self, message: Message) -> EmailMessage:
        """The mail for ``message``: headers, a plain-text part and an HTML part."""
        p = message.payload
        mail = EmailMessage(policy=email.policy.SMTP)
        mail["From"] = p["from"]
        mail["To"] = ", ".join(p["to"])
        mail["Subject"] = p["subject"]
        mail["Date"] = email.utils.formatdate(self.clock.time(), usegmt=True)
        key = hashlib.sha256(f"{message.digest_key}\n{','.join(p['to'])}".encode("utf-8")).hexdigest()[:32]
        mail["Message-ID"] = f"<{key}@{self.sender_address.domain}>"
        mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(p["text"], cte="quoted-printable")
        mail.add_alternative(p["html"], subtype="html", cte="quoted-printable")
        mail.set_boundary(f"=_ptrack_{key}")       # not random: the same digest makes the same mail
        return mail

    def deliver(self, message: Message, env: Mapping[str, str], *, until: float | None = None) -> Delivery:
        password = None
        if self.password_env:
            password = env.get(self.password_env) or ""
            if not password:
                return Delivery(message, False, M_("notify.env_not_set", name=self.password_env), attempts=0)
        server = SmtpServer(host=self.host, port=self.port, security=self.security, username=self.username,
                            password=password, timeout=self.timeout, ca_file=self.ca_file,
                            local_hostname=self.helo)
        bad = [a for a in message.payload["to"] if _bad_address(a)]
        if bad:
            return Delivery(message, False, M_("notify.email.bad_recipients", values=", ".join(map(repr, bad))),
                            attempts=0)
        to_addrs = [email.utils.parseaddr(a)[1] for a in message.payload["to"]]
        try:
            mail = self.mime(message)
        except (ValueError, IndexError, email.errors.MessageError) as exc:
            return Delivery(message, False, M_("notify.email.cannot_write", to=", ".join(to_addrs), reason=str(exc)),
                            attempts=0)
        result = send_mail(server, mail, to_addrs, retry=self.retry, clock=self.clock,
                           label=f"{self.name} (email) to {message.recipient or 'team'}", until=until)
        detail = result.detail if result.attempts <= 1 else M_("net.after_attempts", detail=result.detail,
                                                                 n=result.attempts)
        return Delivery(message, result.ok, detail, attempts=result.attempts, maybe_delivered=result.maybe_delivered)
