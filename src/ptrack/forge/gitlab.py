"""GitLab's REST API (v4), as far as ptrack uses it: the comments ("notes") of a merge request.

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
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Callable, Mapping

from ptrack.errors import UsageError
from ptrack.forge.rest import MAX_RETRY_AFTER, RETRIES, TIMEOUT, ForgeError, Response, RestClient  # noqa: F401
from ptrack.i18n import N_, t

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
        data = self.request("GET", "/user").data
        return data if isinstance(data, dict) else {}

    def merge_request_notes(self, project: str, iid: int) -> list[dict]:
        """Every comment of the merge request, oldest first (system notes included)."""
        return [n for n in self._pages(_mr_path(project, iid) + "/notes", {"sort": "asc", "order_by": "created_at"})
                if isinstance(n, dict)]

    def create_merge_request_note(self, project: str, iid: int, body: str) -> dict:
        data = self.request("POST", _mr_path(project, iid) + "/notes", payload={"body": body}).data
        return data if isinstance(data, dict) else {}

    def update_merge_request_note(self, project: str, iid: int, note_id: int, body: str) -> dict:
        data = self.request("PUT", f"{_mr_path(project, iid)}/notes/{int(note_id)}", payload={"body": body}).data
        return data if isinstance(data, dict) else {}


def _mr_path(project: str, iid: int) -> str:
    """``/projects/<id or url-encoded path>/merge_requests/<iid>``."""
    return f"/projects/{urllib.parse.quote(str(project), safe='')}/merge_requests/{int(iid)}"


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


def merge_request_from_env(env: Mapping[str, str]) -> MergeRequest | None:
    """The merge request of this pipeline from GitLab CI's variables; None outside a
    merge-request pipeline. A merge request without the API's address or the project is a usage
    error (the job's variables are incomplete)."""
    iid = (env.get("CI_MERGE_REQUEST_IID") or "").strip()
    if not iid:
        return None
    if not iid.isdigit():
        raise UsageError(f'CI_MERGE_REQUEST_IID: "{iid}" is not a merge request number')
    api_url = (env.get("CI_API_V4_URL") or "").strip()
    if not api_url and (env.get("CI_SERVER_URL") or "").strip():
        api_url = env["CI_SERVER_URL"].strip().rstrip("/") + "/api/v4"
    project = (env.get("CI_MERGE_REQUEST_PROJECT_ID") or env.get("CI_PROJECT_ID") or "").strip()
    if not api_url or not project:
        raise UsageError("a merge-request pipeline without CI_API_V4_URL or CI_PROJECT_ID: "
                         "cannot tell where to post")
    if not api_url.startswith(("https://", "http://")):
        raise UsageError(f'CI_API_V4_URL: "{api_url}" is not an http(s) address')
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
            text = t(locale, "comment.failed", iid=self.iid, error=str(err))
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
        raise UsageError(f'--key: "{key}" is not a name (letters, digits, ".", "_" and "-")')
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", token_env):
        raise UsageError(f'--token-env: "{token_env}" is not an environment variable name')
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
