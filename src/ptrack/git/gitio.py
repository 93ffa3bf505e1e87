"""Reading a campaign file's history from git: a constant number of git processes per file.

For one file, ``FileLog`` costs one ``git log`` (``--follow`` for renames, ``-m --raw`` so that
every version, merges included, comes with the blob id of the file in each parent) and the blobs
are read through ONE ``git cat-file --batch`` process per repository, each distinct blob once.
Points along the branch need one more process (``git rev-list --first-parent``). Never one
process per commit.

Dates. A version's day is the calendar day of its *committer date in the committer's own UTC
offset* (``%cI``): a commit made in Beijing at 07:00 on 5 March is a 5 March change although it
is 4 March in UTC. The offset is stored in the commit, so the day does not depend on the machine
that reads the history. Ordering uses the committer timestamp (``%ct``, seconds since the epoch).

Every git call is ``git -C <repository root> ...`` with an argument list (never a shell), with
``LC_ALL=C`` so that git's messages can be recognised and literal pathspecs (a ``*`` in a file
name is a character, not a glob). Paths handed to git are relative to the repository root, so
ptrack works from any folder inside the repository.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from ptrack.errors import PtrackError
from ptrack.i18n import M_

#: Count of git processes started by this module (for tests and benchmarks).
SPAWNED = 0

_NULL_BLOB = "0" * 40
_FETCH_HINT = M_("git.fetch_hint")


class GitError(PtrackError):
    """A git problem ptrack cannot work around (the CLI prints it and exits 2)."""


class GitUnavailable(GitError):
    """git is not installed or not on PATH."""


class NotAGitRepository(GitError):
    """The file is not inside a git work tree."""


class UnknownRevision(GitError):
    """A revision given on the command line does not name a commit."""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "LANGUAGE": "C", "GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0",
                "GIT_OPTIONAL_LOCKS": "0"})
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env


# Settings that would change what git prints: forced off for every call.
_CONFIG = ("-c", "log.showSignature=false", "-c", "color.ui=never", "-c", "core.quotePath=false",
           "-c", "i18n.logOutputEncoding=UTF-8", "-c", "log.follow=false")


def _popen(args: list[str], **kwargs) -> subprocess.Popen:
    global SPAWNED
    try:
        proc = subprocess.Popen(["git", *args], env=_env(), **kwargs)
    except FileNotFoundError:
        raise GitUnavailable(M_("git.not_installed")) from None
    except OSError as exc:
        raise GitUnavailable(M_("git.cannot_run", reason=exc.strerror or str(exc))) from None
    SPAWNED += 1
    return proc


def _run(args: list[str]) -> tuple[int, bytes, str]:
    proc = _popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    return proc.returncode, out, err.decode("utf-8", "replace").strip()


@dataclass(frozen=True)
class Commit:
    sha: str
    timestamp: int  # committer time, seconds since the epoch
    day: date  # committer's local calendar day


@dataclass(frozen=True)
class FileVersion:
    """One commit that changed the file (or a merge whose result differs from a parent)."""

    commit: str
    parents: tuple[str, ...]
    timestamp: int  # committer time, seconds since the epoch
    committed: datetime  # committer date with the committer's own offset
    author: str  # author name (.mailmap applied)
    email: str
    path: str  # the file's path at this commit, relative to the repository root
    blob: str | None  # None: the commit deleted the file
    parent_blobs: tuple[str | None, ...]  # the file's blob in each parent (None: absent/unknown)

    @property
    def day(self) -> date:
        return self.committed.date()

    @property
    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, timezone.utc)


@dataclass
class Repository:
    """A git work tree; ``root`` is its top folder. Use as a context manager (closes cat-file)."""

    root: Path
    shallow: bool = False
    _batch: subprocess.Popen | None = field(default=None, repr=False)

    # -- discovery ---------------------------------------------------------------------------
    @classmethod
    def discover(cls, path: Path | str) -> "Repository":
        """The repository holding ``path`` (a file or folder). Raises GitUnavailable or
        NotAGitRepository with a message saying what to do."""
        p = Path(path)
        folder = p if p.is_dir() else p.parent
        folder = folder.resolve()
        code, out, err = _run(["-C", str(folder), *_CONFIG, "rev-parse", "--show-toplevel",
                               "--is-shallow-repository"])
        if code != 0:
            if "not a git repository" in err.lower():
                raise NotAGitRepository(M_("git.not_a_repository", path=p.as_posix()))
            if "safe.directory" in err or "dubious ownership" in err:
                raise NotAGitRepository(M_("git.refused", path=p.as_posix(), detail=err))
            raise GitError(M_("git.failed", command="git rev-parse", detail=err or f"exit code {code}"))
        lines = out.decode("utf-8", "replace").splitlines()
        if not lines or not lines[0]:
            raise NotAGitRepository(M_("git.not_a_work_tree", path=p.as_posix()))
        root = Path(lines[0]).resolve()
        shallow = len(lines) > 1 and lines[1].strip() == "true"
        return cls(root, shallow)

    def relpath(self, path: Path | str) -> str:
        """``path`` relative to the repository root, with ``/``."""
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            raise NotAGitRepository(M_("git.outside", path=Path(path).as_posix(), root=self.root.as_posix())) from None

    def git(self, *args: str) -> tuple[int, bytes, str]:
        return _run(["-C", str(self.root), *_CONFIG, *args])

    @property
    def shallow_note(self):
        return M_("git.shallow", hint=_FETCH_HINT)

    # -- history -----------------------------------------------------------------------------
    def file_log(self, relpath: str, rev: str = "HEAD") -> list[FileVersion]:
        """Every version of the file reachable from ``rev``, oldest first (committer time)."""
        fmt = "%x1e%H%x00%P%x00%ct%x00%cI%x00%aN%x00%aE"
        code, out, err = self.git("log", "--follow", "-m", "--raw", "--no-abbrev", "-z", "--root",
                                  "--no-color", "--no-ext-diff", f"--format={fmt}", rev, "--", relpath)
        if code != 0:
            low = err.lower()
            if "does not have any commits" in low or "bad default revision" in low or \
                    "unknown revision" in low or "bad revision" in low:
                if rev == "HEAD":
                    return []
                raise UnknownRevision(M_("git.unknown_revision", rev=rev))
            raise GitError(M_("git.failed", command="git log", detail=err or f"exit code {code}"))
        return _parse_log(out)

    def first_parent_commits(self, since: int | None = None, rev: str = "HEAD") -> set[str]:
        """Commits on the first-parent line of ``rev`` (the branch itself, not merged branches)."""
        args = ["rev-list", "--first-parent"]
        if since is not None:
            args.append(f"--max-age={since - 86400}")  # a day of slack for clock skew
        code, out, err = self.git(*args, rev, "--")
        if code != 0:
            return set()
        return set(out.decode("ascii", "replace").split())

    def merge_base(self, a: str, b: str) -> str | None:
        code, out, _ = self.git("merge-base", a, b)
        return out.decode().strip() if code == 0 and out.strip() else None

    # -- objects through one cat-file --batch --------------------------------------------------
    def _cat(self, spec: str) -> tuple[str, str, bytes] | None:
        """(object id, type, content) of ``spec`` (a blob id, ``rev:path``, ``rev^{commit}``)."""
        if "\n" in spec:
            return None
        if self._batch is None:
            self._batch = _popen(["-C", str(self.root), *_CONFIG, "cat-file", "--batch"],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        proc = self._batch
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(spec.encode("utf-8") + b"\n")
            proc.stdin.flush()
            header = proc.stdout.readline()
        except (BrokenPipeError, OSError) as exc:
            raise GitError(M_("git.failed", command="git cat-file", detail=str(exc))) from None
        if not header:
            raise GitError(M_("git.failed", command="git cat-file", detail="EOF"))
        parts = header.decode("utf-8", "replace").split()
        if len(parts) != 3 or parts[-1] in ("missing", "ambiguous"):
            return None
        oid, kind, size = parts[0], parts[1], int(parts[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)  # the newline after the content
        return oid, kind, data

    def blob(self, oid: str | None) -> bytes | None:
        """The content of a blob; None when missing (e.g. beyond a shallow clone's edge). Not
        cached here: callers keep what they derive from it, not megabytes of versions."""
        if oid is None or oid == _NULL_BLOB:
            return None
        got = self._cat(oid)
        return got[2] if got and got[1] == "blob" else None

    def blob_at(self, rev: str, relpath: str) -> tuple[str, bytes] | None:
        """(blob id, content) of ``relpath`` at ``rev``, or None when it does not exist there."""
        got = self._cat(f"{rev}:{relpath}")
        if got is None or got[1] != "blob":
            return None
        return got[0], got[2]

    def commit(self, rev: str) -> Commit | None:
        """The commit ``rev`` names (a sha, branch, tag, ``HEAD~1``...), or None."""
        got = self._cat(f"{rev}^{{commit}}")
        if got is None or got[1] != "commit":
            return None
        for line in got[2].split(b"\n"):
            if not line:
                break
            if line.startswith(b"committer "):
                stamp, offset = line.rsplit(b" ", 2)[1:]
                ts = int(stamp)
                sign = -1 if offset.startswith(b"-") else 1
                minutes = sign * (int(offset[1:3]) * 60 + int(offset[3:5]))
                tz = timezone(timedelta(minutes=minutes))
                return Commit(got[0], ts, datetime.fromtimestamp(ts, tz).date())
        return Commit(got[0], 0, date(1970, 1, 1))

    def close(self) -> None:
        proc, self._batch = self._batch, None
        if proc is not None:
            try:
                if proc.stdin:
                    proc.stdin.close()
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):  # pragma: no cover - defensive
                proc.kill()
                proc.wait()
            finally:
                if proc.stdout:
                    proc.stdout.close()

    def __enter__(self) -> "Repository":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _parse_log(out: bytes) -> list[FileVersion]:
    """Parse ``git log -m --raw -z --format=%x1e<fields>``: a record per commit and parent diff.

    The fields can hold no NUL (git forbids it in names), and the message is not asked for, so
    no commit message can break the parsing."""
    tokens = out.split(b"\0")
    records: dict[str, dict] = {}
    order: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i].lstrip(b"\n")
        if not tok.startswith(b"\x1e"):
            i += 1
            continue
        if i + 5 >= n:
            break
        sha = tok[1:].decode("ascii")
        parents = tuple(tokens[i + 1].decode("ascii").split())
        ts = int(tokens[i + 2] or 0)
        iso = tokens[i + 3].decode("ascii")
        author = tokens[i + 4].decode("utf-8", "replace")
        email = tokens[i + 5].decode("utf-8", "replace")
        i += 6
        rec = records.get(sha)
        if rec is None:
            rec = records[sha] = {"parents": parents, "ts": ts, "iso": iso, "author": author,
                                  "email": email, "diffs": []}
            order.append(sha)
        while i < n:
            raw = tokens[i].lstrip(b"\n")
            if not raw.startswith(b":"):
                break
            fields = raw[1:].decode("ascii", "replace").split()
            status = fields[4] if len(fields) > 4 else "M"
            if status[:1] in ("R", "C"):
                old_path = tokens[i + 1].decode("utf-8", "replace")
                new_path = tokens[i + 2].decode("utf-8", "replace")
                i += 3
            else:
                old_path = new_path = tokens[i + 1].decode("utf-8", "replace")
                i += 2
            rec["diffs"].append((fields[2], fields[3], status, old_path, new_path))
    versions: list[tuple[int, int, FileVersion]] = []
    for index, sha in enumerate(order):
        rec = records[sha]
        if not rec["diffs"]:
            continue
        old, new, status, _, path = rec["diffs"][0]
        blob = None if status.startswith("D") or new == _NULL_BLOB else new
        parent_blobs = _parent_blobs(rec, blob)
        try:
            committed = datetime.fromisoformat(rec["iso"])
        except ValueError:  # pragma: no cover - git always prints strict ISO for %cI
            committed = datetime.fromtimestamp(rec["ts"], timezone.utc)
        version = FileVersion(sha, rec["parents"], rec["ts"], committed, rec["author"], rec["email"],
                              path, blob, tuple(parent_blobs))
        versions.append((rec["ts"], -index, version))
    versions.sort(key=lambda v: (v[0], v[1]))
    return [v for _, _, v in versions]


def _parent_blobs(rec: dict, blob: str | None) -> list[str | None]:
    """The file's blob in the parents of a commit. ``git log -m`` prints one diff per parent the
    result differs from, in parent order, and nothing for a parent holding the same blob (a
    merge that took one side's file). So: with a diff per parent the old blobs are exact and in
    order; with fewer, some parent holds the result's own blob, which is added, and then the
    commit introduced no change of its own (all that matters for a merge)."""
    parents = rec["parents"]
    olds = [None if d[0] == _NULL_BLOB else d[0] for d in rec["diffs"]][:max(len(parents), 1)]
    if not parents:
        return []
    return olds + [blob] * (len(parents) - len(olds))
