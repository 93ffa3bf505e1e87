"""GitLab's REST API (v4), as far as ptrack uses it: the comments ("notes") of a merge request,
and intake's adapter for GitLab (issues, their notes, merge requests).

Works with gitlab.com, self-managed GitLab and 极狐 JiHu (the API is the same). Standard library
only (urllib, through ``ptrack.forge.rest``), a timeout on every request. The access token comes
from an environment variable, travels in the ``PRIVATE-TOKEN`` header and is never shown: every
text that leaves this module is scrubbed of it. A self-managed GitLab with its own certificate
authority: the runner's ``CI_SERVER_TLS_CA_FILE`` is trusted as well as the system's store.

Retries (``ptrack.forge.rest``): a 429 (honouring ``Retry-After``, at most 10 s) for every
method; a 5xx answer or a network failure for GET and PUT only: a POST that may have been
applied is not sent again (it would post the comment twice).

``comment_on_merge_request`` is what ``ptrack comment`` runs: in a merge-request pipeline it adds
ptrack's comment, or updates the one it added before (found by a hidden marker among the comments
of the token's user), and says what it did; without a token or outside a merge request it does
nothing and says why.

Intake (``ptrack.forge.intake``, the same core as GitHub's): GitLab has no pipeline for "an issue
was opened", so the ``intake`` job of ``.gitlab-ci.yml`` runs ``ptrack update
--from-open-issues`` (``intake_open_issues``) in a pipeline that a project webhook starts
through a pipeline trigger, or a schedule: every open issue whose description is an update or
risk form is applied, one after the other. ``ptrack update --from-issue PAYLOAD.json``
(``intake_from_payload``) applies the one issue an Issues webhook names. Either way the issue,
its author and its notes are read from the API, never from the payload (whoever holds the
trigger token could write any payload). ``GitLabForge`` is the adapter; ``submission_from_issue``
makes the ``Submission`` of an issue: its editor is the author of the latest "changed the
description" system note, who must be allowed too. The intake token (``PTRACK_INTAKE_TOKEN``:
scopes ``api`` and ``write_repository``) also pushes: git gets it as a header through its
environment (``ptrack.forge.workspace.token_remote``), never on a command line or in a file.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable, Mapping

from ptrack.errors import UsageError
from ptrack.forge.intake import ChangeRequest, IntakeOutcome, Submission
from ptrack.forge.rest import ForgeError, RestClient
from ptrack.i18n import M_, N_, t

MAX_PAGES = 50            # 5,000 comments: ptrack's own is among the first ones anyway
NOTE_LIMIT = 1_000_000    # GitLab refuses a longer comment (characters)
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class GitLabError(ForgeError):
    """GitLab answered with an error, or could not be reached. ``status`` is the HTTP status
    (None: no answer); ``message`` is what GitLab said, scrubbed of the token."""

    service = "GitLab"


class GitLabClient(RestClient):
    """Requests to one GitLab's API (``api_url``: ``https://gitlab.example.com/api/v4``, what GitLab
    CI gives as ``CI_API_V4_URL``) with one token (``ptrack.forge.rest``: timeouts, retries, the
    token scrubbed from every message). ``sleep`` is injectable."""

    error = GitLabError

    def auth_headers(self) -> dict[str, str]:
        return {"PRIVATE-TOKEN": self.token}

    def _pages(self, path: str, query: Mapping[str, object]) -> list:
        items: list = []
        page = 1
        for _ in range(MAX_PAGES):
            resp = self.request("GET", path, query={**query, "per_page": 100, "page": page})
            if not isinstance(resp.data, list):
                break
            items.extend(resp.data)
            following = (resp.headers.get("x-next-page") or "").strip()
            if not following.isdigit():
                break
            page = int(following)
        return items

    # -- the calls ptrack makes ----------------------------------------------------------------

    def current_user(self) -> dict:
        return self.object("GET", "/user")

    def merge_request_notes(self, project: str, iid: int) -> list[dict]:
        """Every comment of the merge request, oldest first (system notes included)."""
        return self.objects(_mr_path(project, iid) + "/notes", {"sort": "asc", "order_by": "created_at"})

    def create_merge_request_note(self, project: str, iid: int, body: str) -> dict:
        return self.object("POST", _mr_path(project, iid) + "/notes", payload={"body": body})

    def update_merge_request_note(self, project: str, iid: int, note_id: int, body: str) -> dict:
        return self.object("PUT", f"{_mr_path(project, iid)}/notes/{int(note_id)}", payload={"body": body})

    # -- intake: the project, its issues and merge requests --------------------------------------

    def project(self, project: str) -> dict:
        return self.object("GET", _project_path(project))

    def open_issues(self, project: str) -> list[dict]:
        """The project's open issues, oldest first."""
        return self.objects(_project_path(project) + "/issues",
                            {"state": "opened", "order_by": "created_at", "sort": "asc"})

    def issue(self, project: str, iid: int) -> dict:
        return self.object("GET", _issue_path(project, iid))

    def issue_notes(self, project: str, iid: int) -> list[dict]:
        """Every note of the issue, oldest first (system notes included)."""
        return self.objects(_issue_path(project, iid) + "/notes", {"sort": "asc", "order_by": "created_at"})

    def create_issue_note(self, project: str, iid: int, body: str) -> dict:
        return self.object("POST", _issue_path(project, iid) + "/notes", payload={"body": body})

    def close_issue(self, project: str, iid: int) -> dict:
        return self.object("PUT", _issue_path(project, iid), payload={"state_event": "close"})

    def open_merge_requests(self, project: str, *, source_branch: str, target_branch: str) -> list[dict]:
        query = {"state": "opened", "source_branch": source_branch, "target_branch": target_branch}
        return self.objects(_project_path(project) + "/merge_requests", query)

    def create_merge_request(self, project: str, *, source_branch: str, target_branch: str, title: str,
                             description: str) -> dict:
        payload = {"source_branch": source_branch, "target_branch": target_branch, "title": title,
                   "description": description, "remove_source_branch": True}
        return self.object("POST", _project_path(project) + "/merge_requests", payload=payload)

    def update_merge_request(self, project: str, iid: int, *, title: str, description: str) -> dict:
        return self.object("PUT", f"{_project_path(project)}/merge_requests/{int(iid)}",
                           payload={"title": title, "description": description})


def _project_path(project: str) -> str:
    """``/projects/<id or url-encoded path>``."""
    return f"/projects/{urllib.parse.quote(str(project), safe='')}"


def _mr_path(project: str, iid: int) -> str:
    """``/projects/<id or url-encoded path>/merge_requests/<iid>``."""
    return f"{_project_path(project)}/merge_requests/{int(iid)}"


def _issue_path(project: str, iid: int) -> str:
    return f"{_project_path(project)}/issues/{int(iid)}"


# =============================================================================================
# The merge request's comment

def marker(key: str) -> str:
    """The hidden line that marks ptrack's comment for ``key`` (GitLab does not render it)."""
    return f"<!-- ptrack:{key} -->"


@dataclass(frozen=True)
class MergeRequest:
    api_url: str
    project: str   # the project's id (CI_PROJECT_ID) or its path
    iid: int
    ca_file: str | None = None


def api_url_from_env(env: Mapping[str, str]) -> str:
    """The API's address GitLab CI gives (``CI_API_V4_URL``, else ``CI_SERVER_URL`` + /api/v4);
    "" when neither is set."""
    api_url = (env.get("CI_API_V4_URL") or "").strip()
    server = (env.get("CI_SERVER_URL") or "").strip()
    return api_url or (server.rstrip("/") + "/api/v4" if server else "")


def merge_request_from_env(env: Mapping[str, str]) -> MergeRequest | None:
    """The merge request of this pipeline from GitLab CI's variables; None outside a
    merge-request pipeline. A merge request without the API's address or the project is a usage
    error (the job's variables are incomplete)."""
    iid = (env.get("CI_MERGE_REQUEST_IID") or "").strip()
    if not iid:
        return None
    if not iid.isdigit():
        raise UsageError(M_("comment.bad_iid", iid=iid))
    api_url = api_url_from_env(env)
    project = (env.get("CI_MERGE_REQUEST_PROJECT_ID") or env.get("CI_PROJECT_ID") or "").strip()
    if not api_url or not project:
        raise UsageError(M_("comment.no_api"))
    if not api_url.startswith(("https://", "http://")):
        raise UsageError(M_("comment.bad_api_url", url=api_url))
    ca_file = (env.get("CI_SERVER_TLS_CA_FILE") or "").strip() or None
    return MergeRequest(api_url, project, int(iid), ca_file)


@dataclass(frozen=True)
class CommentOutcome:
    """What ``ptrack comment`` did: ``created``, ``updated``, ``unchanged``, ``no_token`` and
    ``not_merge_request`` (nothing posted, on purpose), or ``failed`` (``error`` says why)."""

    action: str
    iid: int | None = None
    note_id: int | None = None
    token_env: str = ""
    error: GitLabError | None = field(default=None, compare=False)

    @property
    def failed(self) -> bool:
        return self.action == "failed"

    def describe(self, locale: str | None) -> str:
        """One line for the job log, in ``locale``."""
        if self.action == "failed":
            err = self.error
            hint = _HINTS.get(err.status) if err is not None else None
            text = t(locale, "comment.failed", iid=self.iid, error=err.text(locale) if err is not None else "")
            return text + (" " + t(locale, hint, var=self.token_env) if hint else "")
        return t(locale, _MESSAGES[self.action], iid=self.iid, note=self.note_id, var=self.token_env)


_MESSAGES = {
    "created": N_("comment.created"),
    "updated": N_("comment.updated"),
    "unchanged": N_("comment.unchanged"),
    "no_token": N_("comment.no_token"),
    "not_merge_request": N_("comment.not_merge_request"),
}
_HINTS = {401: N_("comment.hint_401"), 403: N_("comment.hint_403"), 404: N_("comment.hint_404")}


def comment_body(text: str, key: str, locale: str | None = None) -> str:
    """The comment: the hidden marker, then ``text`` (cut to GitLab's limit, saying so)."""
    head = marker(key) + "\n"
    text = text.rstrip() + "\n"
    if len(head) + len(text) > NOTE_LIMIT:
        note = "\n\n" + t(locale, "comment.cut") + "\n"
        text = text[: NOTE_LIMIT - len(head) - len(note)].rstrip() + note
    return head + text


def upsert_merge_request_comment(client: GitLabClient, mr: MergeRequest, body: str, key: str) -> CommentOutcome:
    """Add the comment, or update ptrack's earlier comment for ``key``: the first comment whose
    body holds the marker, among those of the token's user (of anyone's, when GitLab does not say
    who the user is). Raises GitLabError."""
    try:
        me = client.current_user().get("id")
    except GitLabError as exc:
        if exc.status in (401, None):
            raise  # a bad token, or GitLab is down: the next calls would fail the same way
        me = None
    tag = marker(key)
    ours = [n for n in client.merge_request_notes(mr.project, mr.iid)
            if not n.get("system") and tag in str(n.get("body") or "")
            and (me is None or (n.get("author") or {}).get("id") == me)]
    if not ours:
        note = client.create_merge_request_note(mr.project, mr.iid, body)
        return CommentOutcome("created", mr.iid, note.get("id"))
    note = ours[0]
    if str(note.get("body") or "").strip() == body.strip():
        return CommentOutcome("unchanged", mr.iid, note.get("id"))
    client.update_merge_request_note(mr.project, mr.iid, note["id"], body)
    return CommentOutcome("updated", mr.iid, note.get("id"))


def comment_on_merge_request(text: str, *, key: str, env: Mapping[str, str], token_env: str = "PTRACK_GITLAB_TOKEN",
                             locale: str | None = None,
                             client_factory: Callable[..., GitLabClient] = GitLabClient) -> CommentOutcome:
    """``ptrack comment``: post ``text`` on the merge request of this GitLab pipeline (see the
    module's docstring). Never raises for GitLab's answers: a failure is an outcome."""
    if not _KEY.match(key):
        raise UsageError(M_("comment.bad_key", key=key))
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", token_env):
        raise UsageError(M_("comment.bad_token_env", name=token_env))
    mr = merge_request_from_env(env)
    if mr is None:
        return CommentOutcome("not_merge_request", token_env=token_env)
    token = (env.get(token_env) or "").strip()
    if not token:
        return CommentOutcome("no_token", mr.iid, token_env=token_env)
    client = client_factory(mr.api_url, token, ca_file=mr.ca_file)
    try:
        return upsert_merge_request_comment(client, mr, comment_body(text, key, locale), key)
    except GitLabError as exc:
        return CommentOutcome("failed", mr.iid, token_env=token_env, error=exc)


# =============================================================================================
# Intake: the update and risk forms, submitted as GitLab issues

INTAKE_TOKEN_ENV = "PTRACK_INTAKE_TOKEN"
# GitLab's system note when someone edits an issue's description (SystemNotes::IssuablesService)
DESCRIPTION_CHANGED = "changed the description"
_STATES = {"opened": "open", "closed": "closed"}


@dataclass
class GitLabForge:
    """``ptrack.forge.intake.Forge`` on GitLab: ``project`` is the project's id or path,
    ``web_url`` its web address (commit links), ``host`` the GitLab's host name (the
    ``users.noreply.<host>`` addresses a commit is attributed by). An issue's notes are read once
    and kept until ptrack adds one."""

    client: GitLabClient
    project: str
    web_url: str
    host: str
    name: str = "gitlab"
    failed_key: str = N_("intake.reply.failed_gitlab")  # the job tries again on its next run
    _notes: dict[int, list[dict]] = field(default_factory=dict, repr=False)
    _committer: tuple[str, str] | None = field(default=None, repr=False)

    def notes(self, number: int) -> list[dict]:
        """Every note of the issue, oldest first, system notes included."""
        if number not in self._notes:
            self._notes[number] = self.client.issue_notes(self.project, number)
        return self._notes[number]

    def comments(self, number: int) -> list[str]:
        return [str(n.get("body") or "") for n in self.notes(number) if not n.get("system")]

    def comment(self, number: int, body: str) -> None:
        self._notes.pop(number, None)
        self.client.create_issue_note(self.project, number, body)

    def close(self, number: int) -> None:
        self.client.close_issue(self.project, number)

    def change_request(self, *, branch: str, base: str, title: str, body: str) -> ChangeRequest:
        found = self.client.open_merge_requests(self.project, source_branch=branch, target_branch=base)
        if found:
            mr = self.client.update_merge_request(self.project, found[0]["iid"], title=title, description=body) \
                or found[0]
            return ChangeRequest(int(mr["iid"]), str(mr.get("web_url") or ""), created=False)
        mr = self.client.create_merge_request(self.project, source_branch=branch, target_branch=base, title=title,
                                              description=body)
        return ChangeRequest(int(mr["iid"]), str(mr.get("web_url") or ""), created=True)

    def change_label(self, change: ChangeRequest, locale: str) -> str:
        return t(locale, "intake.merge_request", n=change.number)

    def commit_url(self, sha: str) -> str:
        return f"{self.web_url.rstrip('/')}/-/commit/{sha}"

    def author_email(self, submission: Submission) -> str:
        """GitLab's private commit address of the author (``ID-username@users.noreply.<host>``),
        which attributes the commit to them."""
        return _noreply(submission.author, submission.author_id, self.host)

    def committer(self) -> tuple[str, str]:
        """The token's user (a project access token's bot), else ``ptrack``."""
        if self._committer is None:
            try:
                me = self.client.current_user()
            except GitLabError:
                me = {}
            username = str(me.get("username") or "")
            user_id = me.get("id") if isinstance(me.get("id"), int) else None
            self._committer = ((str(me.get("name") or username), _noreply(username, user_id, self.host)) if username
                               else ("ptrack", f"ptrack@users.noreply.{self.host}"))
        return self._committer


def _noreply(username: str, user_id: int | None, host: str) -> str:
    return f"{user_id}-{username}@users.noreply.{host}" if user_id else f"{username}@users.noreply.{host}"


def submission_from_issue(issue: Mapping[str, object], notes: list[dict], *, default_branch: str) -> Submission:
    """The ``Submission`` of a GitLab issue (the API's JSON) and its notes: ``number`` its iid,
    ``editor`` the author of the latest "changed the description" system note when that is not
    the issue's author (GitLab's record of who edited the description last)."""
    author = issue.get("author") if isinstance(issue.get("author"), dict) else {}
    login = str(author.get("username") or "")
    editor = None
    for note in notes:
        if note.get("system") and str(note.get("body") or "").strip() == DESCRIPTION_CHANGED:
            who = note.get("author") if isinstance(note.get("author"), dict) else {}
            editor = str(who.get("username") or "") or None
    if editor and editor.casefold() == login.casefold():
        editor = None
    state = str(issue.get("state") or "opened")
    return Submission(
        forge="gitlab", number=int(issue["iid"]), url=str(issue.get("web_url") or ""),
        title=str(issue.get("title") or ""), body=str(issue.get("description") or ""), author=login,
        author_id=author.get("id") if isinstance(author.get("id"), int) else None, editor=editor,
        state=_STATES.get(state, state), default_branch=default_branch)


@dataclass(frozen=True)
class IntakeSetting:
    """Where intake works, from GitLab CI's variables: the API, the project (id or path), the
    token, the CA file of a self-managed GitLab, the repository's address for git (None: from
    the API) and the default branch (None: from the API)."""

    api_url: str
    project: str
    token: str = field(repr=False)
    ca_file: str | None = None
    git_url: str | None = None
    default_branch: str | None = None


def intake_setting(env: Mapping[str, str], *, locale: str | None = None) -> IntakeSetting:
    """The ``IntakeSetting`` of this pipeline (CI_API_V4_URL or CI_SERVER_URL, CI_PROJECT_ID or
    CI_PROJECT_PATH, PTRACK_INTAKE_TOKEN, CI_SERVER_TLS_CA_FILE, CI_REPOSITORY_URL without its
    credentials, CI_DEFAULT_BRANCH); UsageError when the API, the project or the token is
    missing."""
    api_url = api_url_from_env(env)
    project = (env.get("CI_PROJECT_ID") or env.get("CI_PROJECT_PATH") or "").strip()
    if not api_url or not project:
        raise UsageError(t(locale, "intake.gitlab.no_project"))
    if not api_url.startswith(("https://", "http://")):
        raise UsageError(t(locale, "intake.gitlab.bad_api_url", value=api_url))
    token = (env.get(INTAKE_TOKEN_ENV) or "").strip()
    if not token:
        raise UsageError(t(locale, "intake.gitlab.no_token", var=INTAKE_TOKEN_ENV))
    git_url = _without_credentials((env.get("CI_REPOSITORY_URL") or "").strip()) or None
    return IntakeSetting(api_url, project, token, (env.get("CI_SERVER_TLS_CA_FILE") or "").strip() or None,
                         git_url, (env.get("CI_DEFAULT_BRANCH") or "").strip() or None)


def _without_credentials(url: str) -> str:
    """An http(s) address without the user and password in it (CI_REPOSITORY_URL holds the
    job's token); "" for anything else."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass
class IntakeRun:
    """What ``ptrack update --from-open-issues`` (or ``--from-issue PAYLOAD.json``) did: each
    form issue's outcome (iid, ``IntakeOutcome``), the issues that waited for an edit (refused
    before, unchanged since), and the lines to print."""

    outcomes: list[tuple[int, IntakeOutcome]] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    failed: bool = False  # GitLab could not be read at all

    @property
    def exit_code(self) -> int:
        """1 when a form was refused or failed in this run (or GitLab could not be read), else 0."""
        return 1 if self.failed or any(o.exit_code for _, o in self.outcomes) else 0


_COUNTS = {"applied": N_("intake.gitlab.count.applied"), "unchanged": N_("intake.gitlab.count.unchanged"),
           "already": N_("intake.gitlab.count.already"), "refused": N_("intake.gitlab.count.refused"),
           "failed": N_("intake.gitlab.count.failed"), "ignored": N_("intake.gitlab.count.ignored")}


def intake_open_issues(day, *, env: Mapping[str, str], mode: str | None = None, locale: str | None = None,
                       message_locale: str | None = None, lock_timeout: float = 30.0, repo=None,
                       client_factory: Callable[..., GitLabClient] = GitLabClient,
                       only: int | None = None) -> IntakeRun:
    """Apply the project's open update and risk forms (``only``: the issue with that iid, open
    or not), oldest first, each through ``ptrack.forge.intake.run_intake``. A form refused before
    and not edited since waits for an edit (its reply said so); one that failed is tried again,
    its failure said once. ``locale``: the replies' language (default: each campaign's);
    ``message_locale``: the lines that are no campaign's (default en)."""
    from pathlib import Path

    from ptrack.forge.intake import MARKER, run_intake
    from ptrack.forge.issue import parse_body
    from ptrack.forge.workspace import token_remote

    says = locale or message_locale
    setting = intake_setting(env, locale=says)
    client = client_factory(setting.api_url, setting.token, ca_file=setting.ca_file)
    run = IntakeRun()
    try:
        project = client.project(setting.project)
        issues = [client.issue(setting.project, only)] if only is not None else client.open_issues(setting.project)
    except GitLabError as exc:
        run.failed = True
        run.lines.append(t(says, "intake.log.failed", reason=exc.text(says)))
        return run
    web_url = str(project.get("web_url") or "")
    git_url = setting.git_url or str(project.get("http_url_to_repo") or "")
    branch = setting.default_branch or str(project.get("default_branch") or "main")
    forge = GitLabForge(client, setting.project, web_url, urllib.parse.urlsplit(web_url or setting.api_url).hostname
                        or "gitlab")
    remote = (token_remote(git_url, setting.token, auth_hint=t(says, "intake.gitlab.token_refused",
                                                               var=INTAKE_TOKEN_ENV)) if git_url else "origin")
    forms = 0
    for issue in sorted(issues, key=lambda i: int(i.get("iid") or 0)):
        if only is None and parse_body(str(issue.get("description") or "")) is None:
            continue  # an ordinary issue: not a word about it
        forms += 1
        try:
            submission = submission_from_issue(issue, forge.notes(int(issue["iid"])), default_branch=branch)
        except GitLabError as exc:
            outcome = IntakeOutcome("failed", error=exc.text(says),
                                    log=[t(says, "intake.log.failed", reason=exc.text(says))])
            run.outcomes.append((int(issue["iid"]), outcome))
            run.lines += outcome.log
            continue
        refused = MARKER.format(digest=submission.digest, outcome="refused")
        if only is None and submission.state == "open" and any(refused in c for c in forge.comments(submission.number)):
            run.waiting.append(submission.number)
            run.lines.append(t(says, "intake.gitlab.waiting", n=submission.number))
            continue
        outcome = run_intake(submission, forge, repo=Path(repo) if repo is not None else Path.cwd(), day=day,
                             mode=mode, lang=locale, lock_timeout=lock_timeout, remote=remote)
        run.outcomes.append((submission.number, outcome))
        run.lines += outcome.log
    if only is None:
        counts = [t(says, _COUNTS[action], n=sum(1 for _, o in run.outcomes if o.action == action))
                  for action in _COUNTS if any(o.action == action for _, o in run.outcomes)]
        if run.waiting:
            counts.append(t(says, "intake.gitlab.count.waiting", n=len(run.waiting)))
        run.lines.append(t(says, "intake.gitlab.summary", issues=len(issues), forms=forms,
                           counts=t(says, "intake.gitlab.separator").join(counts)) if forms
                         else t(says, "intake.gitlab.summary_none", issues=len(issues)))
    return run


def payload_issue(payload: Mapping[str, object], *, locale: str | None = None) -> int:
    """The iid of the issue an Issues webhook's payload names (``object_attributes.iid``);
    UsageError for any other payload."""
    attributes = payload.get("object_attributes")
    iid = attributes.get("iid") if isinstance(attributes, dict) else None
    if payload.get("object_kind") not in ("issue", "work_item", None) or not isinstance(iid, int) \
            or isinstance(iid, bool):
        raise UsageError(t(locale, "intake.gitlab.payload_no_issue"))
    return iid


def intake_from_payload(payload: Mapping[str, object], day, *, env: Mapping[str, str], **options) -> IntakeRun:
    """``ptrack update --from-issue PAYLOAD.json`` with a GitLab Issues webhook's payload (the
    ``TRIGGER_PAYLOAD`` file of a pipeline the webhook triggered): the issue it names, read
    again from the API (nothing else of the payload is used)."""
    iid = payload_issue(payload, locale=options.get("locale") or options.get("message_locale"))
    return intake_open_issues(day, env=env, only=iid, **options)
