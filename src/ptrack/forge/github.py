"""GitHub: the REST API as far as intake uses it, and intake's adapter for GitHub's issue events.

``GitHubClient`` (``ptrack.forge.rest``: urllib, a timeout on every request, retries where safe,
the token scrubbed from every message) reads and writes issue comments, closes issues and opens
or updates pull requests. The token comes from the environment (``PTRACK_GITHUB_TOKEN``, else
``GITHUB_TOKEN``), travels in the ``Authorization`` header only and is never printed. The
API's address is ``GITHUB_API_URL`` (GitHub Enterprise Server sets its own), else
https://api.github.com; a next page the API names is followed only on that same address.

``intake_from_event`` is what ``ptrack update --from-issue "$GITHUB_EVENT_PATH"`` runs in the
intake workflow: the event's issue becomes a ``Submission`` and ``ptrack.forge.intake.run_intake``
does the rest through ``GitHubForge``; the outcome goes to the job's outputs (``GITHUB_OUTPUT``)
and its summary (``GITHUB_STEP_SUMMARY``).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ptrack.errors import UsageError
from ptrack.forge.intake import ChangeRequest, IntakeOutcome, Submission
from ptrack.forge.rest import ForgeError, RestClient
from ptrack.i18n import N_, t

API_URL = "https://api.github.com"
SERVER_URL = "https://github.com"
API_VERSION = "2022-11-28"
MAX_PAGES = 30  # 3,000 comments
TOKEN_ENVS = ("PTRACK_GITHUB_TOKEN", "GITHUB_TOKEN")
# The commits' committer: the account GitHub shows for GITHUB_TOKEN's own pushes. The author is
# the person who submitted the form.
BOT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class GitHubError(ForgeError):
    service = "GitHub"


class GitHubClient(RestClient):
    """Requests to GitHub's REST API (``api_url``) with one token."""

    error = GitHubError
    error_keys = ("message", "error")

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION}

    def _pages(self, path: str, query: Mapping[str, object]) -> list:
        items: list = []
        resp = self.request("GET", path, query={**query, "per_page": 100})
        for _ in range(MAX_PAGES):
            if not isinstance(resp.data, list):
                break
            items.extend(resp.data)
            match = _NEXT.search(resp.headers.get("link") or "")
            if not match or not match.group(1).startswith(self.api_url + "/"):
                break  # no next page, or one elsewhere: the token goes nowhere but the API
            resp = self.request("GET", "", url=match.group(1))
        return items

    # -- issues ----------------------------------------------------------------------------------

    def issue_comments(self, repo: str, number: int) -> list[dict]:
        return self.objects(f"/repos/{_repo(repo)}/issues/{int(number)}/comments", {})

    def create_issue_comment(self, repo: str, number: int, body: str) -> dict:
        return self.object("POST", f"/repos/{_repo(repo)}/issues/{int(number)}/comments", payload={"body": body})

    def close_issue(self, repo: str, number: int) -> dict:
        return self.object("PATCH", f"/repos/{_repo(repo)}/issues/{int(number)}",
                           payload={"state": "closed", "state_reason": "completed"})

    # -- pull requests ---------------------------------------------------------------------------

    def open_pulls(self, repo: str, head: str) -> list[dict]:
        """The open pull requests from ``head`` (``owner:branch``)."""
        return self.objects(f"/repos/{_repo(repo)}/pulls", {"head": head, "state": "open"})

    def create_pull(self, repo: str, *, title: str, head: str, base: str, body: str) -> dict:
        return self.object("POST", f"/repos/{_repo(repo)}/pulls",
                           payload={"title": title, "head": head, "base": base, "body": body})

    def update_pull(self, repo: str, number: int, *, title: str, body: str) -> dict:
        return self.object("PATCH", f"/repos/{_repo(repo)}/pulls/{int(number)}",
                           payload={"title": title, "body": body})


def _repo(full_name: str) -> str:
    owner, _, name = full_name.partition("/")
    return f"{urllib.parse.quote(owner, safe='')}/{urllib.parse.quote(name, safe='')}"


@dataclass
class GitHubForge:
    """``ptrack.forge.intake.Forge`` on GitHub: ``repo`` is ``owner/name``."""

    client: GitHubClient
    repo: str
    server_url: str = SERVER_URL
    name: str = "github"

    def comments(self, number: int) -> list[str]:
        return [str(c.get("body") or "") for c in self.client.issue_comments(self.repo, number)]

    def comment(self, number: int, body: str) -> None:
        self.client.create_issue_comment(self.repo, number, body)

    def close(self, number: int) -> None:
        self.client.close_issue(self.repo, number)

    def change_request(self, *, branch: str, base: str, title: str, body: str) -> ChangeRequest:
        owner = self.repo.split("/", 1)[0]
        found = self.client.open_pulls(self.repo, f"{owner}:{branch}")
        if found:
            pull = self.client.update_pull(self.repo, found[0]["number"], title=title, body=body) or found[0]
            return ChangeRequest(int(pull["number"]), str(pull.get("html_url") or ""), created=False)
        try:
            pull = self.client.create_pull(self.repo, title=title, head=branch, base=base, body=body)
        except GitHubError as exc:
            if exc.status == 403:
                raise GitHubError(exc.method, exc.path, exc.status, exc.message,
                                  hint=N_("intake.github.no_pr_hint")) from None
            raise
        return ChangeRequest(int(pull["number"]), str(pull.get("html_url") or ""), created=True)

    def change_label(self, change: ChangeRequest, locale: str) -> str:
        return t(locale, "intake.pull_request", n=change.number)

    def commit_url(self, sha: str) -> str:
        return f"{self.server_url.rstrip('/')}/{self.repo}/commit/{sha}"

    def author_email(self, submission: Submission) -> str:
        if submission.author_id:
            return f"{submission.author_id}+{submission.author}@users.noreply.github.com"
        return f"{submission.author}@users.noreply.github.com"

    def committer(self) -> tuple[str, str]:
        return BOT


def submission_from_event(event: Mapping[str, object], *, locale: str | None = None) -> Submission:
    """The ``Submission`` of an ``issues`` event (opened or edited); UsageError when the event
    holds no issue."""
    issue = event.get("issue")
    if not isinstance(issue, dict) or not isinstance(issue.get("number"), int):
        raise UsageError(t(locale, "intake.no_issue_event"))
    user = issue.get("user") if isinstance(issue.get("user"), dict) else {}
    sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
    repository = event.get("repository") if isinstance(event.get("repository"), dict) else {}
    author = str(user.get("login") or "")
    editor = str(sender.get("login") or "") or None
    if editor and editor.casefold() == author.casefold():
        editor = None
    state = str(issue.get("state") or "open")
    if issue.get("pull_request"):
        state = "pull request"  # a pull request's "issue": never a form
    return Submission(
        forge="github", number=int(issue["number"]), url=str(issue.get("html_url") or ""),
        title=str(issue.get("title") or ""), body=str(issue.get("body") or ""), author=author,
        author_id=user.get("id") if isinstance(user.get("id"), int) else None, editor=editor, state=state,
        default_branch=str(repository.get("default_branch") or "main"))


@dataclass(frozen=True)
class EventOutcome:
    """What the command prints (the outcome's log) and exits with."""

    outcome: IntakeOutcome

    @property
    def lines(self) -> list[str]:
        return self.outcome.log

    @property
    def exit_code(self) -> int:
        return self.outcome.exit_code


def token_from(env: Mapping[str, str]) -> str | None:
    for name in TOKEN_ENVS:
        value = (env.get(name) or "").strip()
        if value:
            return value
    return None


def intake_from_event(event: Mapping[str, object], day: date, *, env: Mapping[str, str], mode: str | None = None,
                      locale: str | None = None, lock_timeout: float = 30.0, repo: Path | None = None,
                      client_factory=GitHubClient, message_locale: str | None = None) -> EventOutcome:
    """``ptrack update --from-issue EVENT.json`` on GitHub (see the module's docstring).
    ``locale``: the replies' language (default: each campaign's); ``message_locale``: the usage
    errors' (before any campaign is read)."""
    from ptrack.forge.intake import run_intake

    usage = locale or message_locale
    submission = submission_from_event(event, locale=usage)
    repository = event.get("repository") if isinstance(event.get("repository"), dict) else {}
    full_name = str(repository.get("full_name") or env.get("GITHUB_REPOSITORY") or "")
    if "/" not in full_name:
        raise UsageError(t(usage, "intake.no_repository"))
    token = token_from(env)
    if token is None:
        raise UsageError(t(usage, "intake.no_token"))
    client = client_factory((env.get("GITHUB_API_URL") or API_URL).strip(), token)
    forge = GitHubForge(client, full_name, (env.get("GITHUB_SERVER_URL") or SERVER_URL).strip())
    outcome = run_intake(submission, forge, repo=repo or Path.cwd(), day=day, mode=mode, lang=locale,
                         lock_timeout=lock_timeout)
    _job_outputs(outcome, env)
    return EventOutcome(outcome)


def _job_outputs(outcome: IntakeOutcome, env: Mapping[str, str]) -> None:
    """The step's outputs (``action``, ``commit``, ``pushed``, ``landed``: true when the default
    branch moved, ``change-url``) and the reply in the job's summary, when run by Actions."""
    from ptrack.fsutil import write_target

    outputs = (env.get("GITHUB_OUTPUT") or "").strip()
    if outputs:
        values = {"action": outcome.action, "commit": outcome.commit or "", "pushed": outcome.pushed or "",
                  "landed": "true" if outcome.landed_on_default else "false",
                  "change-url": outcome.change.url if outcome.change else ""}
        with open(write_target(outputs), "a", encoding="utf-8") as fh:
            fh.write("".join(f"{k}={v}\n" for k, v in values.items()))
    summary = (env.get("GITHUB_STEP_SUMMARY") or "").strip()
    if summary and outcome.reply:
        with open(write_target(summary), "a", encoding="utf-8") as fh:
            fh.write(outcome.reply + "\n")
