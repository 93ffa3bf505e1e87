"""Where intake makes its commit: a temporary git worktree of the remote's default branch.

Intake never touches the checkout it runs in (a workflow's, or someone's clone): it fetches the
remote's default branch, adds a detached worktree of it in a temporary folder, edits and commits
there, pushes, and removes the worktree. When the branch moved between the fetch and the push
(another update landed), the push is refused as not a fast-forward (git's own compare-and-swap
on the branch): the caller fetches again (``refresh``) and re-applies its operations to the new
tip, never merging text.

Every git command runs with ``GIT_TERMINAL_PROMPT=0`` (a missing credential fails instead of
waiting for a password) and a timeout. The credentials are the checkout's own (the token
``actions/checkout`` stored, or the runner's) for a remote given by name; a ``Remote`` with a
``url`` brings its own instead (``token_remote``: GitLab's intake token, sent as an HTTP header
set through git's environment only: never on a command line, in a file or in a message).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ptrack.i18n import M_
from ptrack.errors import PtrackError

GIT_TIMEOUT = 120.0  # seconds for one git command (a fetch or push of a large repository)


class GitFailed(PtrackError):
    """A git command failed: ``command`` (without credentials), ``detail`` (git's last lines)."""

    exit_code = 1

    def __init__(self, command: str, detail):
        self.command, self.detail = command, detail  # detail: git's words, or a Message of ptrack's
        super().__init__(f"git {command}: {detail}")

    def text(self, locale: str | None) -> str:
        from ptrack.i18n import say

        return f"git {self.command}: {say(self.detail, locale)}"


@dataclass(frozen=True)
class Pushed:
    """A push's outcome: ``ok`` (the branch now holds the commit), else ``stale`` (refused: the
    branch moved; fetch and re-apply) or another refusal, in ``detail`` (a protected branch...)."""

    ok: bool
    stale: bool = False
    detail: str = ""


@dataclass(frozen=True)
class Remote:
    """Where a workspace fetches the branch from and pushes to: the clone's remote ``name``
    (with the clone's credentials), or ``url`` with ``env``, the environment variables that
    authenticate git there. ``name`` also names the remote-tracking ref the branch is fetched
    into (``refs/remotes/<name>/<branch>``)."""

    name: str = "origin"
    url: str | None = None
    env: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)
    auth_hint: str = ""  # added to git's words when it could not authenticate (which token, what it needs)

    @property
    def target(self) -> str:
        return self.url or self.name

    def explain(self, detail: str) -> str:
        """git's ``detail``, with ``auth_hint`` when it says the credentials were refused."""
        if self.auth_hint and _AUTH_FAILED.search(detail):
            return f"{detail} ({self.auth_hint})"
        return detail


# What git says when the server refused its credentials (HTTP 401; 403 on GitLab without a scope)
_AUTH_FAILED = re.compile(r"could not read Username|Authentication failed|returned error: 40[13]|"
                          r"HTTP Basic: Access denied", re.I)


def token_remote(url: str, token: str, *, user: str = "oauth2", name: str = "ptrack-intake", auth_hint: str = "",
                 environ: Mapping[str, str] | None = None) -> Remote:
    """A ``Remote`` at ``url`` (https) that authenticates with ``token`` as the password of
    ``user`` (how GitLab takes an access token over HTTPS), sent as an ``Authorization`` header
    for that address only (``http.<url>.extraHeader``). The header is set through git's
    ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` variables (git 2.31+),
    after any the environment already sets."""
    environ = os.environ if environ is None else environ
    try:
        n = int(environ.get("GIT_CONFIG_COUNT") or 0)
    except ValueError:
        n = 0
    credentials = base64.b64encode(f"{user}:{token}".encode("utf-8")).decode("ascii")
    env = (("GIT_CONFIG_COUNT", str(n + 1)), (f"GIT_CONFIG_KEY_{n}", f"http.{url}.extraHeader"),
           (f"GIT_CONFIG_VALUE_{n}", f"Authorization: Basic {credentials}"))
    return Remote(name, url, env, auth_hint)


def _clean(text: str) -> str:
    """git's output for a message: its last meaningful lines, credentials in URLs removed."""
    lines = [re.sub(r"(https?://)[^@/\s]+@", r"\1", line).strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("hint:")]
    return " ".join(lines[-3:])[:500]


def git(cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True,
        timeout: float = GIT_TIMEOUT, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run ``git ARGS`` in ``cwd``; GitFailed when it fails (and ``check``) or takes too long."""
    full = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", **(env or {})}
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, env=full, capture_output=True, text=True, input=stdin,
                              timeout=timeout, encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raise GitFailed(args[0], M_("intake.git_not_installed")) from None
    except subprocess.TimeoutExpired:
        raise GitFailed(args[0], M_("net.timed_out", s=f"{timeout:g}")) from None
    if check and proc.returncode != 0:
        raise GitFailed(args[0], _clean(proc.stderr or proc.stdout) or M_("git.exit_code", code=proc.returncode))
    return proc


def repository_root(start: Path) -> tuple[Path, str]:
    """(the top of the git work tree holding ``start``, ``start``'s path inside it: "" or
    "sub/dir/")."""
    top = git(start, "rev-parse", "--show-toplevel").stdout.strip()
    prefix = git(start, "rev-parse", "--show-prefix").stdout.strip()
    return Path(top), prefix


class Workspace:
    """A detached worktree of ``remote``/``branch`` in a temporary folder (``root``), for the
    life of a ``with`` block. ``repo``: any folder of the local clone; ``remote``: a remote's
    name or a ``Remote``."""

    def __init__(self, repo: Path, *, remote: str | Remote = "origin", branch: str = "main"):
        self.repo = Path(repo)
        self.remote = remote if isinstance(remote, Remote) else Remote(remote)
        self.branch = branch
        self._tmp: str | None = None
        self.root: Path | None = None

    @property
    def tracking(self) -> str:
        return f"refs/remotes/{self.remote.name}/{self.branch}"

    def __enter__(self) -> "Workspace":
        self._fetch()
        self._tmp = tempfile.mkdtemp(prefix="ptrack-intake-")
        self.root = Path(self._tmp) / "work"
        git(self.repo, "worktree", "add", "--detach", "--quiet", str(self.root), self.tracking)
        return self

    def __exit__(self, *exc) -> None:
        if self.root is not None:
            git(self.repo, "worktree", "remove", "--force", str(self.root), check=False)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        git(self.repo, "worktree", "prune", check=False)

    def _fetch(self) -> None:
        try:
            git(self.repo, "fetch", "--quiet", "--no-tags", self.remote.target,
                f"+refs/heads/{self.branch}:{self.tracking}", env=dict(self.remote.env))
        except GitFailed as exc:
            raise GitFailed(exc.command, self.remote.explain(exc.detail)) from None

    def refresh(self) -> None:
        """Fetch the branch again and put the worktree at its new tip (local edits dropped)."""
        self._fetch()
        git(self.root, "checkout", "--quiet", "--detach", "--force", self.tracking)
        git(self.root, "clean", "--quiet", "-fdx")

    def head(self) -> str:
        return git(self.root, "rev-parse", "HEAD").stdout.strip()

    def commit(self, paths: list[str], message: str, *, author: tuple[str, str],
               committer: tuple[str, str]) -> str:
        """Commit ``paths`` (relative to the worktree) with ``message``; the new commit's id."""
        env = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
        env["GIT_COMMITTER_NAME"] = os.environ.get("GIT_COMMITTER_NAME") or committer[0]
        env["GIT_COMMITTER_EMAIL"] = os.environ.get("GIT_COMMITTER_EMAIL") or committer[1]
        git(self.root, "add", "--", *paths)
        git(self.root, "-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "--file", "-",
            env=env, stdin=message)
        return self.head()

    def push(self, target: str, *, force: bool = False) -> Pushed:
        """Push HEAD to the remote branch ``target``. Not a fast-forward (the branch moved):
        ``Pushed(ok=False, stale=True)``; refused otherwise (a protected branch, no permission):
        ``Pushed(ok=False, detail=...)``; git failing to reach the remote: GitFailed."""
        spec = f"{'+' if force else ''}HEAD:refs/heads/{target}"
        proc = git(self.root, "push", "--porcelain", self.remote.target, spec, check=False, env=dict(self.remote.env))
        status = [line for line in proc.stdout.splitlines() if "\t" in line]
        if proc.returncode == 0:
            return Pushed(True)
        flag_line = status[0] if status else ""
        summary = flag_line.split("\t")[-1] if flag_line else ""
        if flag_line.startswith("!") and summary.startswith("[rejected]"):
            return Pushed(False, stale=True, detail=summary)
        if flag_line.startswith("!"):
            return Pushed(False, detail=self.remote.explain(_clean(summary + "\n" + proc.stderr)))
        raise GitFailed("push", self.remote.explain(_clean(proc.stderr or proc.stdout) or M_("git.exit_code", code=proc.returncode)))
