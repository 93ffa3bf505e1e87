"""A fake GitHub REST API on 127.0.0.1, started by the tests themselves: the part of GitHub that
intake uses, with GitHub's behaviour where ptrack depends on it.

- ``Authorization: Bearer <token>`` is checked on every call (401 ``{"message": "Bad
  credentials"}`` otherwise);
- issues: ``GET /repos/:owner/:repo/issues/:n/comments`` pages with ``per_page``/``page`` and a
  ``Link: <…>; rel="next"`` header; ``POST`` adds a comment by the token's bot; ``PATCH
  /repos/:owner/:repo/issues/:n`` changes the state (``closed``, ``state_reason``);
- pull requests: ``GET /repos/:owner/:repo/pulls?head=owner:branch&state=open``, ``POST`` (422
  ``Validation Failed`` when the head branch does not exist in the repository, which the fake
  reads from the bare ``origin`` git repository the test made, or a pull request from it is
  already open; 403 when ``pulls_forbidden``: GITHUB_TOKEN without the setting that lets
  Actions create pull requests), ``PATCH /repos/:owner/:repo/pulls/:n``;
- ``faults``: answers to give before the real ones (status, body, headers), to test retries;
  ``comment_failures``: the next N comments are refused (500).

Issue and pull request numbers share one sequence, as on GitHub. Every request is recorded
(method, path with query, headers with lower-case names, JSON body); the server itself is
tests/fake_api.py's.
"""

from __future__ import annotations

import re
import subprocess
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from fake_api import Call, FakeApi

BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}


@dataclass
class FakeGitHub(FakeApi):
    token: str
    repo: str = "acme/campaigns"
    origin: Path | None = None  # the bare repository whose branches a pull request may come from
    issues: dict[int, dict] = field(default_factory=dict)
    comments: dict[int, list[dict]] = field(default_factory=dict)
    pulls: list[dict] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    faults: list[tuple[int, dict, dict]] = field(default_factory=list)
    pulls_forbidden: bool = False
    comment_failures: int = 0  # the next N comments are refused with a 500
    per_page_cap: int = 100

    def __post_init__(self):
        self._next = 1
        self._comment_id = 5000
        self.start_server()

    # -- the API -------------------------------------------------------------------------------

    @property
    def api_url(self) -> str:
        return self.base_url

    def _answer(self, method, path, query, headers, body):
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"message": "Bad credentials"}, {}
        prefix = f"/repos/{self.repo}"
        if not path.startswith(prefix + "/"):
            return 404, {"message": "Not Found"}, {}
        rest = path[len(prefix):]
        if m := re.fullmatch(r"/issues/(\d+)/comments", rest):
            n = int(m.group(1))
            if n not in self.issues:
                return 404, {"message": "Not Found"}, {}
            if method == "GET":
                return self._page(self.comments.get(n, []), query, path)
            if method == "POST":
                if self.comment_failures:
                    self.comment_failures -= 1
                    return 500, {"message": "Server Error"}, {}
                return 201, self.add_comment(n, body["body"], BOT), {}
        if (m := re.fullmatch(r"/issues/(\d+)", rest)) and method == "PATCH":
            n = int(m.group(1))
            if n not in self.issues:
                return 404, {"message": "Not Found"}, {}
            self.issues[n].update({k: v for k, v in body.items() if k in ("state", "state_reason")})
            return 200, self.issues[n], {}
        if rest == "/pulls" and method == "GET":
            found = [p for p in self.pulls if p["state"] == query.get("state", "open")
                     and (not query.get("head") or query["head"] == f"{self.repo.split('/')[0]}:{p['head']['ref']}")]
            return self._page(found, query, path)
        if rest == "/pulls" and method == "POST":
            if self.pulls_forbidden:
                return 403, {"message": "GitHub Actions is not permitted to create or approve pull requests."}, {}
            head, base = body["head"], body["base"]
            if not self._branch_exists(head) or not self._branch_exists(base):
                return 422, {"message": "Validation Failed", "errors": [{"field": "head", "code": "invalid"}]}, {}
            if any(p["head"]["ref"] == head and p["state"] == "open" for p in self.pulls):
                return 422, {"message": "Validation Failed",
                             "errors": [{"message": f"A pull request already exists for {head}."}]}, {}
            n = self._number()
            pull = {"number": n, "state": "open", "title": body["title"], "body": body["body"],
                    "head": {"ref": head}, "base": {"ref": base},
                    "html_url": f"https://github.com/{self.repo}/pull/{n}"}
            self.pulls.append(pull)
            return 201, pull, {}
        if (m := re.fullmatch(r"/pulls/(\d+)", rest)) and method == "PATCH":
            pull = next((p for p in self.pulls if p["number"] == int(m.group(1))), None)
            if pull is None:
                return 404, {"message": "Not Found"}, {}
            pull.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
            pull["updated"] = pull.get("updated", 0) + 1
            return 200, pull, {}
        return 404, {"message": "Not Found"}, {}

    def _page(self, items: list, query: dict, path: str):
        per_page = min(int(query.get("per_page", 30)), self.per_page_cap)
        page = int(query.get("page", 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            following = dict(query, page=str(page + 1))
            headers["Link"] = f'<{self.api_url}{path}?{urllib.parse.urlencode(following)}>; rel="next"'
        return 200, chunk, headers

    def _branch_exists(self, branch: str) -> bool:
        if self.origin is None:
            return True
        proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"], cwd=self.origin,
                              capture_output=True)
        return proc.returncode == 0

    def _number(self) -> int:
        n = self._next
        self._next += 1
        return n

    # -- for the tests -------------------------------------------------------------------------

    def open_issue(self, body: str, *, login: str, user_id: int = 1000, title: str = "进度更新") -> dict:
        n = self._number()
        issue = {"number": n, "title": title, "body": body, "state": "open", "state_reason": None,
                 "user": {"login": login, "id": user_id, "type": "User"},
                 "html_url": f"https://github.com/{self.repo}/issues/{n}"}
        self.issues[n] = issue
        return issue

    def add_comment(self, number: int, body: str, user: dict) -> dict:
        self._comment_id += 1
        comment = {"id": self._comment_id, "body": body, "user": dict(user),
                   "html_url": f"https://github.com/{self.repo}/issues/{number}#issuecomment-{self._comment_id}"}
        self.comments.setdefault(number, []).append(comment)
        return comment

    def event(self, issue: dict, *, action: str = "opened", sender: str | None = None,
              default_branch: str = "main") -> dict:
        """The payload of an ``issues`` event, as GitHub writes it to GITHUB_EVENT_PATH."""
        return {"action": action, "issue": dict(issue),
                "repository": {"full_name": self.repo, "default_branch": default_branch,
                               "html_url": f"https://github.com/{self.repo}"},
                "sender": {"login": sender or issue["user"]["login"], "id": issue["user"]["id"]}}
