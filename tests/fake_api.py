"""What the fake forge APIs of the tests share (tests/gitlab_support.py, tests/github_support.py):
a JSON HTTP server on 127.0.0.1 in a thread, every request recorded, the answers from the fake's
``_answer(method, path, query, headers, body) -> (status, payload, headers)``, and ``faults``
(answers to give before the real ones, to test retries); ``_serve_raw`` for what is not JSON (a
git server). Optionally over TLS (``tls``: a ``trustme.LeafCert``)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict | None


class FakeApi:
    """The server and its record. Subclasses (dataclasses) call ``start_server()`` from
    ``__post_init__`` and implement ``_answer``; they have ``calls`` and ``faults`` lists."""

    tls = None

    def start_server(self) -> None:
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                if fake._serve_raw(self):
                    return
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                body = json.loads(raw.decode("utf-8")) if raw else None
                with fake._lock:
                    fake.calls.append(Call(self.command, self.path, query,
                                           {k.lower(): v for k, v in self.headers.items()}, body))
                    if fake.faults:
                        status, payload, headers = fake.faults.pop(0)
                    else:
                        status, payload, headers = fake._answer(self.command, parts.path, query, self.headers, body)
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = _serve

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.configure_cert(context)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}"

    def _answer(self, method, path, query, headers, body):  # pragma: no cover - each fake answers
        raise NotImplementedError

    def _serve_raw(self, handler) -> bool:
        """A request the fake answers itself, not as JSON (True: answered). None by default."""
        return False

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
