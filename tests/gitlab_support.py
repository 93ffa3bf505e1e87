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

Every request is recorded (method, path with query, headers with lower-case names, JSON body);
the server itself is tests/fake_api.py's.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field

from fake_api import Call, FakeApi

BOT = {"id": 77, "username": "project_1217_bot_ptrack", "name": "ptrack"}
HUMAN = {"id": 5, "username": "wang.xue", "name": "王雪"}


@dataclass
class FakeGitLab(FakeApi):
    token: str
    project: str = "1217"
    iid: int = 7
    notes: list[dict] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    faults: list[tuple[int, dict, dict]] = field(default_factory=list)  # (status, body, headers)
    user_status: int = 200  # GET /user answers this (403: a token that may not say who it is)
    tls: object = None  # a trustme.LeafCert: serve HTTPS with it

    def __post_init__(self):
        self._next_id = 1000
        self.start_server()

    # -- the API -------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v4"

    def _answer(self, method: str, path: str, query: dict, headers, body):
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
