"""A fake GitLab on 127.0.0.1, started by the tests themselves: the REST API (v4) as far as
ptrack uses it, and the project's git repository over smart HTTP, with GitLab's behaviour where
ptrack depends on it.

- ``PRIVATE-TOKEN`` is checked on every API call (401 ``{"message": "401 Unauthorized"}``
  otherwise);
- ``GET /user`` names the token's user (a project bot);
- merge-request notes: ``GET /projects/:id/merge_requests/:iid/notes`` pages with
  ``per_page``/``page`` and the ``X-Next-Page`` header, oldest first with ``sort=asc``; ``POST``
  adds a note by the token's user; ``PUT …/notes/:note_id`` edits one, 403 when it is someone
  else's; an unknown project or merge request is 404 ``{"message": "404 Not found"}``;
- intake: ``GET /projects/:id`` (its web address, default branch and ``http_url_to_repo``: this
  server); issues (``GET /projects/:id/issues?state=opened``, ``GET``/``PUT
  /projects/:id/issues/:iid`` with ``state_event=close``), their notes (system notes included:
  ``edit_issue`` records GitLab's "changed the description" by whoever edits), merge requests
  (``GET ?state=opened&source_branch=&target_branch=``, ``POST``: 409 when one is open from that
  branch, 400 when the branch is not in the repository; ``PUT /merge_requests/:iid``); issues and
  merge requests number separately (``#1``, ``!1``), as on GitLab;
- git: ``/<path>.git/info/refs``, ``git-upload-pack`` and ``git-receive-pack`` served by
  ``git http-backend`` from ``origin`` (a bare repository), for a client that sends the token as
  the password of HTTP Basic authentication (any user name, as GitLab takes an access token);
  401 otherwise;
- ``faults``: answers to give before the real ones (status, body, headers), to test retries;
  ``note_failures``: the next N issue notes are refused (500).

Every request is recorded (method, path with query, headers with lower-case names, JSON body);
the server itself is tests/fake_api.py's.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from fake_api import Call, FakeApi

BOT = {"id": 77, "username": "project_1217_bot_ptrack", "name": "ptrack"}
HUMAN = {"id": 5, "username": "wang.xue", "name": "王雪"}
WEB = "https://gitlab.example.cn"


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
    # -- intake --
    path: str = "acme/campaigns"
    origin: Path | None = None  # the bare repository served at /<path>.git
    default_branch: str = "main"
    issues: dict[int, dict] = field(default_factory=dict)
    issue_notes: dict[int, list[dict]] = field(default_factory=dict)
    merge_requests: list[dict] = field(default_factory=list)
    git_calls: list[Call] = field(default_factory=list)
    note_failures: int = 0
    git_token: str | None = None  # the token git must bring (None: ``token``)

    def __post_init__(self):
        self._next_id = 1000
        self._next_mr = 1
        self.start_server()

    # -- the API -------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/v4"

    @property
    def git_url(self) -> str:
        return f"{self.base_url}/{self.path}.git"

    @property
    def web_url(self) -> str:
        return f"{WEB}/{self.path}"

    def _answer(self, method: str, path: str, query: dict, headers, body):
        if headers.get("PRIVATE-TOKEN") != self.token:
            return 401, {"message": "401 Unauthorized"}, {}
        if path == "/api/v4/user" and method == "GET":
            return (200, BOT, {}) if self.user_status == 200 else (self.user_status, {"message": "403 Forbidden"}, {})
        match = re.fullmatch(r"/api/v4/projects/([^/]+)(/.*)?", path)
        if not match or urllib.parse.unquote(match.group(1)) not in (self.project, self.path):
            return 404, {"message": "404 Project Not Found"}, {}
        rest = match.group(2) or ""
        if rest == "" and method == "GET":
            return 200, {"id": int(self.project), "path_with_namespace": self.path, "web_url": self.web_url,
                         "default_branch": self.default_branch, "http_url_to_repo": self.git_url}, {}
        if m := re.fullmatch(r"/merge_requests/(\d+)/notes(?:/(\d+))?", rest):
            return self._mr_notes(method, int(m.group(1)), m.group(2), query, body)
        if rest == "/issues" and method == "GET":
            found = [i for i in sorted(self.issues.values(), key=lambda i: i["iid"])
                     if query.get("state") in (None, "all") or i["state"] == query["state"]]
            return self._page(found, query)
        if m := re.fullmatch(r"/issues/(\d+)(/notes)?", rest):
            issue = self.issues.get(int(m.group(1)))
            if issue is None:
                return 404, {"message": "404 Not found"}, {}
            if m.group(2) and method == "GET":
                return self._page(self.issue_notes.get(issue["iid"], []), query)
            if m.group(2) and method == "POST":
                if self.note_failures:
                    self.note_failures -= 1
                    return 500, {"message": "500 Internal Server Error"}, {}
                return 201, self.add_issue_note(issue["iid"], BOT, body["body"]), {}
            if method == "GET":
                return 200, issue, {}
            if method == "PUT":
                if body.get("state_event") == "close":
                    issue["state"] = "closed"
                    self.add_issue_note(issue["iid"], BOT, "closed", system=True)
                return 200, issue, {}
        if rest == "/merge_requests" and method == "GET":
            found = [mr for mr in self.merge_requests
                     if mr["state"] == query.get("state", mr["state"])
                     and mr["source_branch"] == query.get("source_branch", mr["source_branch"])
                     and mr["target_branch"] == query.get("target_branch", mr["target_branch"])]
            return self._page(found, query)
        if rest == "/merge_requests" and method == "POST":
            source, target = body["source_branch"], body["target_branch"]
            if any(mr["source_branch"] == source and mr["state"] == "opened" for mr in self.merge_requests):
                iid = next(mr["iid"] for mr in self.merge_requests if mr["source_branch"] == source)
                return 409, {"message": [f"Another open merge request already exists for this source branch: !{iid}"]}, {}
            if not self.branch_exists(source) or not self.branch_exists(target):
                return 400, {"message": {"source_branch": ["is invalid"]}}, {}
            mr = {"iid": self._next_mr, "id": 9000 + self._next_mr, "state": "opened", "title": body["title"],
                  "description": body["description"], "source_branch": source, "target_branch": target,
                  "remove_source_branch": body.get("remove_source_branch"),
                  "web_url": f"{self.web_url}/-/merge_requests/{self._next_mr}"}
            self._next_mr += 1
            self.merge_requests.append(mr)
            return 201, mr, {}
        if (m := re.fullmatch(r"/merge_requests/(\d+)", rest)) and method == "PUT":
            mr = next((mr for mr in self.merge_requests if mr["iid"] == int(m.group(1))), None)
            if mr is None:
                return 404, {"message": "404 Not found"}, {}
            mr.update({k: v for k, v in body.items() if k in ("title", "description")})
            mr["updated"] = mr.get("updated", 0) + 1
            return 200, mr, {}
        return 404, {"error": "404 Not Found"}, {}

    def _mr_notes(self, method, iid, note_id, query, body):
        if iid != self.iid:
            return 404, {"message": "404 Not found"}, {}
        if method == "GET" and note_id is None:
            notes = sorted(self.notes, key=lambda n: n["id"], reverse=query.get("sort") != "asc")
            return self._page(notes, query)
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

    @staticmethod
    def _page(items: list, query: dict):
        per_page, page = int(query.get("per_page", 20)), int(query.get("page", 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        more = page * per_page < len(items)
        return 200, chunk, {"X-Next-Page": str(page + 1) if more else "", "X-Page": str(page)}

    # -- git over HTTP ---------------------------------------------------------------------------

    def _serve_raw(self, handler) -> bool:
        parts = urllib.parse.urlsplit(handler.path)
        prefix = f"/{self.path}.git"
        if not parts.path.startswith(prefix + "/"):
            return False
        raw = _read_body(handler)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.git_calls.append(Call(handler.command, handler.path, dict(urllib.parse.parse_qsl(parts.query)),
                                       headers, None))
        user = _basic_user(headers.get("authorization"), self.git_token or self.token)
        if user is None or self.origin is None:
            handler.send_response(401)
            handler.send_header("WWW-Authenticate", 'Basic realm="GitLab"')
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return True
        env = {**os.environ, "GIT_PROJECT_ROOT": str(self.origin.parent), "GIT_HTTP_EXPORT_ALL": "1",
               "PATH_INFO": "/" + self.origin.name + parts.path[len(prefix):], "QUERY_STRING": parts.query,
               "REQUEST_METHOD": handler.command, "CONTENT_TYPE": headers.get("content-type", ""),
               "CONTENT_LENGTH": str(len(raw)), "REMOTE_USER": user, "REMOTE_ADDR": "127.0.0.1",
               "GIT_HTTP_MAX_REQUEST_BUFFER": "100M"}
        if headers.get("content-encoding"):
            env["HTTP_CONTENT_ENCODING"] = headers["content-encoding"]
        if headers.get("git-protocol"):
            env["GIT_PROTOCOL"] = headers["git-protocol"]
        proc = subprocess.run(["git", "http-backend"], input=raw, env=env, capture_output=True, timeout=60)
        head, _, out = proc.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, out = proc.stdout.partition(b"\n\n")
        status, extra = 200, []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                extra.append((name, value.strip()))
        handler.send_response(status)
        for name, value in extra:
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(out)))
        handler.end_headers()
        handler.wfile.write(out)
        return True

    def branch_exists(self, branch: str) -> bool:
        if self.origin is None:
            return True
        proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], cwd=self.origin,
                              capture_output=True)
        return proc.returncode == 0

    # -- for the tests -------------------------------------------------------------------------

    def add(self, author: dict, body: str, *, system: bool = False) -> dict:
        self._next_id += 1
        note = {"id": self._next_id, "body": body, "author": dict(author), "system": system, "noteable_iid": self.iid}
        self.notes.append(note)
        return note

    def ours(self) -> list[dict]:
        return [n for n in self.notes if n["author"]["id"] == BOT["id"] and not n["system"]]

    def open_issue(self, description: str, *, user: dict, title: str = "进度更新") -> dict:
        iid = max(self.issues, default=0) + 1
        issue = {"id": 50000 + iid, "iid": iid, "project_id": int(self.project), "title": title,
                 "description": description, "state": "opened", "author": dict(user),
                 "web_url": f"{self.web_url}/-/issues/{iid}", "type": "ISSUE"}
        self.issues[iid] = issue
        self.issue_notes[iid] = []
        return issue

    def edit_issue(self, iid: int, description: str, *, by: dict) -> None:
        """What GitLab does when ``by`` saves a new description: the text, and a system note."""
        self.issues[iid]["description"] = description
        self.add_issue_note(iid, by, "changed the description", system=True)

    def add_issue_note(self, iid: int, author: dict, body: str, *, system: bool = False) -> dict:
        self._next_id += 1
        note = {"id": self._next_id, "body": body, "author": dict(author), "system": system,
                "noteable_type": "Issue", "noteable_iid": iid}
        self.issue_notes.setdefault(iid, []).append(note)
        return note

    def replies(self, iid: int) -> list[str]:
        """ptrack's notes on the issue, oldest first."""
        return [n["body"] for n in self.issue_notes.get(iid, []) if n["author"]["id"] == BOT["id"] and not n["system"]]


def _read_body(handler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()
                break
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
        return b"".join(chunks)
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def _basic_user(header: str | None, token: str) -> str | None:
    """The user name of HTTP Basic credentials whose password is ``token``; None otherwise."""
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except ValueError:
        return None
    return user if user and password == token else None
