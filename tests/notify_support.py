"""Servers the channel tests talk to, all on 127.0.0.1 and started by the tests themselves:

- :class:`RecordingServer`: an HTTP server (``http.server`` in a thread) that records every
  request (method, path, query, headers, body) and answers from a script of responses;
- :func:`refused_port`: a port nothing listens on;
- :class:`TrickleServer`: takes each POST whole, counts it, then answers one byte at a time, a
  byte every ``every`` seconds (a server that is slow, not silent: every read gets data);
- :class:`SmtpRecorder`: aiosmtpd with STARTTLS (or implicit TLS) on a certificate made by
  ``trustme``, AUTH PLAIN/LOGIN checked against one user, every mail recorded;
- :class:`FakeClock`: records back-off sleeps instead of sleeping, with a fixed wall time.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ptrack.notify.model import Digest, DigestItem, DigestSection, ItemKind, Recipient
from ptrack.notify.transport import Clock

WALL = 1_700_000_000.0     # 2023-11-14T22:13:20Z: the wall time every FakeClock reports


class FakeClock(Clock):
    def __init__(self, wall: float = WALL):
        self.wall = wall
        self.mono = 0.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.wall

    def monotonic(self) -> float:
        return self.mono

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.mono += seconds
        self.wall += seconds


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | dict = b""
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False          # never answer (until the server stops)
    reset: bool = False         # close the connection without answering
    delay: float = 0.0          # seconds before answering
    gate: threading.Event | None = None  # answer once this is set


class RecordingServer:
    """Answers with ``replies`` in order, then with ``default`` for ever."""

    def __init__(self, default: Reply | None = None):
        self.requests: list[Recorded] = []
        self.replies: list[Reply] = []
        self.default = default or Reply(200, {"errcode": 0, "errmsg": "ok"})
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                parts = urllib.parse.urlsplit(self.path)
                server.requests.append(Recorded("POST", parts.path, urllib.parse.parse_qs(parts.query),
                                                {k.lower(): v for k, v in self.headers.items()}, body))
                reply = server.replies.pop(0) if server.replies else server.default
                if reply.gate is not None:
                    reply.gate.wait(60)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.hang:
                    server._stop.wait(10)
                    return
                if reply.reset:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.close()
                    return
                data = reply.body
                if isinstance(data, dict):
                    data = json.dumps(data, ensure_ascii=False)
                if isinstance(data, str):
                    data = data.encode("utf-8")
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                import sys

                if not isinstance(sys.exc_info()[1], ConnectionError):  # a client gone (killed) is no news
                    super().handle_error(request, client_address)

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> "RecordingServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class TrickleServer:
    """On 127.0.0.1: reads each POST whole (request line, headers, Content-Length body), counts
    it in ``posts``, then sends ``answer`` one byte every ``every`` seconds. A timeout per read
    never fires on it; only a deadline for the whole answer does."""

    def __init__(self, answer: bytes = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n'
                                       b'Content-Length: 27\r\n\r\n{"errcode":0,"errmsg":"ok"}', every: float = 0.1):
        self.answer = answer
        self.every = every
        self.posts: list[bytes] = []
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, body = data.split(b"\r\n\r\n", 1)
                length = int(next((line.split(b":", 1)[1] for line in head.split(b"\r\n")
                                   if line.lower().startswith(b"content-length:")), b"0"))
                while len(body) < length:
                    body += conn.recv(65536)
                self.posts.append(body)
                for byte in self.answer:
                    if self._stop.wait(self.every):
                        return
                    conn.sendall(bytes([byte]))
            except OSError:
                return

    def __enter__(self) -> "TrickleServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


def refused_port() -> int:
    """A port on 127.0.0.1 with nothing listening: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpRecorder:
    """aiosmtpd on 127.0.0.1 with a trustme certificate; ``mode`` starttls or ssl."""

    def __init__(self, tmp_path, *, mode: str = "starttls", user: str = "ptrack-bot",
                 password: str = "smtp-pass-Xy7", data_replies: list[str] | None = None, hang_data: int = 0):
        import ssl

        import trustme
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        self.ca = trustme.CA()
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = tmp_path / "smtp-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        cert.configure_cert(context)
        self.mails: list[dict] = []
        self.logins: list[tuple[str, str, str]] = []
        self.data_replies = list(data_replies or [])     # answers to DATA before "250 OK"
        self.hang_data = hang_data                        # that many mails: taken, then no answer
        self.refused: list[str] = []
        recorder = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
                if recorder.hang_data:
                    # the whole mail arrived, and the answer never comes: the client cannot know
                    recorder.hang_data -= 1
                    recorder.mails.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                           "data": envelope.original_content or envelope.content,
                                           "answered": False})
                    import asyncio

                    await asyncio.sleep(30)
                    return "250 OK"
                if recorder.data_replies:
                    reply = recorder.data_replies.pop(0)
                    recorder.refused.append(reply)
                    return reply
                recorder.mails.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                       "data": envelope.original_content or envelope.content,
                                       "tls": session.ssl is not None or mode == "ssl",
                                       "authenticated": session.authenticated})
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
                and auth_data.password.decode() == password
            recorder.logins.append((mechanism, auth_data.login.decode(), "ok" if ok else "refused"))
            return AuthResult(success=ok, handled=False)   # handled=False: aiosmtpd answers 535 itself

        port = refused_port()
        if mode == "ssl":
            # implicit TLS: aiosmtpd does not count the wrapped socket as TLS for auth_require_tls
            self.controller = Controller(Handler(), hostname="127.0.0.1", port=port, ssl_context=context,
                                         server_hostname="127.0.0.1", authenticator=authenticator,
                                         auth_require_tls=False)
        else:
            self.controller = Controller(Handler(), hostname="127.0.0.1", port=port, tls_context=context,
                                         require_starttls=True, authenticator=authenticator,
                                         auth_require_tls=True)
        self.port = port

    def __enter__(self) -> "SmtpRecorder":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def item(text: str, kind: ItemKind = ItemKind.TASK_DUE, urgent: bool = False) -> DigestItem:
    return DigestItem(kind, text, urgent=urgent)


def digest(*, locale: str = "zh-CN", handles: dict | None = None, person: str | None = "zhang",
           name: str = "张三", sections=None, page_url: str | None = "https://acme.example/site/spring/",
           health: str | None = "amber", title: str | None = None, summary: str = "计划 40%，实际 35%，落后 5 个百分点",
           key: str = "spring/zhang/2024-04-15") -> Digest:
    """A small person digest: one section with an ordinary item and an urgent one after it."""
    if sections is None:
        sections = (DigestSection("due", "近期到期" if locale == "zh-CN" else "Due soon",
                                  (item("KV 主视觉 <终稿>"), item("预热海报", ItemKind.TASK_OVERDUE, urgent=True))),)
    return Digest(campaign_id="spring", campaign_name="春季上新", as_of="2024-04-15", locale=locale,
                  recipient=Recipient(person, name, handles or {}),
                  title=title or ("春季上新：张三的 2 件事" if person else "春季上新：团队摘要"),
                  summary=summary, sections=tuple(sections), page_url=page_url, key=key, health=health)


def many_items(n: int, text: str = "任务 {i}：物料准备与审核，负责人确认排期", title: str = "近期到期") -> DigestSection:
    return DigestSection("due", title, tuple(item(text.format(i=i)) for i in range(1, n + 1)))
