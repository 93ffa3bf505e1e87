"""A fake GitLab REST API (v4) on 127.0.0.1, started by the tests themselves: just enough of
GitLab for ptrack's merge-request comment, with GitLab's behaviour where ptrack depends on it.

- ``PRIVATE-TOKEN`` is checked on every call (401 ``{"message": "401 Unauthorized"}`` otherwise);
- ``GET /user`` names the token's user (a project bot);
- ``GET /projects/:id/merge_requests/:iid/notes`` pages with ``per_page``/``page`` and the
  ``X-Next-Page`` header, oldest first with ``sort=asc``; an unknown project or merge request is
  404 ``{"message": "404 Not found"}``;
- ``POST …/notes`` adds a note by the token's user; ``PUT …/notes/:note_id`` edits one, 403
  when it is someone else's;
- ``faults``: answers to give before the real ones (status, body, headers), to test retries.

Every request is recorded (method, path with query, headers with lower-case names, JSON body).
"""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BOT = {"id": 77, "username": "project_1217_bot_ptrack", "name": "ptrack"}
HUMAN = {"id": 5, "username": "wang.xue", "name": "王雪"}


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict | None


@dataclass
class FakeGitLab:
    token: str
    project: str = "1217"
    iid: int = 7
    notes: list[dict] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    faults: list[tuple[int, dict, dict]] = field(default_factory=list)  # (status, body, headers)
    user_status: int = 200  # GET /user answers this (403: a token that may not say who it is)
    tls: object = None  # a trustme.LeafCert: serve HTTPS with it

    def __post_init__(self):
        self._lock = threading.Lock()
        self._next_id = 1000
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                body = json.loads(raw.decode("utf-8")) if raw else None
                with fake._lock:
                    fake.calls.append(Call(self.command, self.path, query, {k.lower(): v for k, v in self.headers.items()}, body))
                    status, payload, headers = fake._answer(self.command, parts.path, query, self.headers, body)
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _serve

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.configure_cert(context)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    # -- the API -------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        scheme = "https" if self.tls is not None else "http"
        return f"{scheme}://127.0.0.1:{self.server.server_address[1]}/api/v4"

    def _answer(self, method: str, path: str, query: dict, headers, body):
        if self.faults:
            return self.faults.pop(0)
        if headers.get("PRIVATE-TOKEN") != self.token:
            return 401, {"message": "401 Unauthorized"}, {}
        if path == "/api/v4/user" and method == "GET":
            return (200, BOT, {}) if self.user_status == 200 else (self.user_status, {"message": "403 Forbidden"}, {})
        match = re.fullmatch(r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes(?:/(\d+))?", path)
        if not match:
            return 404, {"error": "404 Not Found"}, {}
        project, iid, note_id = urllib.parse.unquote(match.group(1)), int(match.group(2)), match.group(3)
        if project != self.project or iid != self.iid:
            return 404, {"message": "404 Not found"}, {}
        if method == "GET" and note_id is None:
            notes = sorted(self.notes, key=lambda n: n["id"], reverse=query.get("sort") != "asc")
            per_page, page = int(query.get("per_page", 20)), int(query.get("page", 1))
            chunk = notes[(page - 1) * per_page: page * per_page]
            more = page * per_page < len(notes)
            return 200, chunk, {"X-Next-Page": str(page + 1) if more else "", "X-Page": str(page)}
        if method == "POST" and note_id is None:
            note = self.add(BOT, body["body"])
            return 201, note, {}
        if method == "PUT" and note_id is not None:
            note = next((n for n in self.notes if n["id"] == int(note_id)), None)
            if note is None:
                return 404, {"message": "404 Not found"}, {}
            if note["author"]["id"] != BOT["id"]:
                return 403, {"message": "403 Forbidden"}, {}
            note["body"] = body["body"]
            note["updated"] = note.get("updated", 0) + 1
            return 200, note, {}
        return 405, {"error": "405 Method Not Allowed"}, {}

    # -- for the tests -------------------------------------------------------------------------

    def add(self, author: dict, body: str, *, system: bool = False) -> dict:
        self._next_id += 1
        note = {"id": self._next_id, "body": body, "author": dict(author), "system": system, "noteable_iid": self.iid}
        self.notes.append(note)
        return note

    def ours(self) -> list[dict]:
        return [n for n in self.notes if n["author"]["id"] == BOT["id"] and not n["system"]]

    def __enter__(self) -> "FakeGitLab":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
