"""``ptrack init``: scaffold a campaign repository.

Writes ``ptrack.yaml``, ``campaigns/<id>.yaml`` (a small valid campaign dated around the day
given), the forge's CI files, ``.pre-commit-config.yaml`` and a ``README.md`` for the team. The
CI files: on GitHub (the default) ``.github/workflows/ptrack.yml`` and
``.github/workflows/ptrack-notify.yml`` (the daily digests, weekday mornings),
``.github/workflows/ptrack-intake.yml`` (the update forms applied) and the forms themselves
(``.github/ISSUE_TEMPLATE/ptrack-update.yml``, ``ptrack-risk.yml``); on GitLab
``.gitlab-ci.yml``. The forge-neutral templates are in ``ptrack/scaffold/``; the forge's files
and its words in the README and ptrack.yaml come from ``ptrack.forge.scaffold``. Nothing is ever
overwritten: when any target exists, nothing at all is written and the existing files are
reported. Every file is written atomically; if a write fails, the files already written by this
run are removed again.
``.gitignore`` then gets ``.ptrack/`` (notify's send-once record and its lock, local state):
created when missing, appended to the end of an existing one (its content kept byte for byte),
left alone when it already ignores ``.ptrack/``.

The day is a parameter: only the CLI reads the clock.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from ptrack import __version__
from ptrack.errors import UsageError
from ptrack.i18n import M_, N_

CONFIG_FILE = "ptrack.yaml"
WORKFLOW_FILE = ".github/workflows/ptrack.yml"
NOTIFY_WORKFLOW_FILE = ".github/workflows/ptrack-notify.yml"
INTAKE_WORKFLOW_FILE = ".github/workflows/ptrack-intake.yml"
UPDATE_FORM_FILE = ".github/ISSUE_TEMPLATE/ptrack-update.yml"
RISK_FORM_FILE = ".github/ISSUE_TEMPLATE/ptrack-risk.yml"
GITLAB_CI_FILE = ".gitlab-ci.yml"
PRE_COMMIT_FILE = ".pre-commit-config.yaml"
README_FILE = "README.md"
GITIGNORE_FILE = ".gitignore"
_IGNORED = (b".ptrack", b".ptrack/", b"/.ptrack", b"/.ptrack/", b".ptrack/*", b"/.ptrack/*", b".ptrack/**")
_IGNORE_LINES = b"# ptrack: local state (ptrack notify's send-once record and its lock)\n.ptrack/\n"
GITIGNORE_MESSAGES = {"created": N_("init.gitignore_created"), "added": N_("init.gitignore_added")}
# The distribution's name on the package index (the command and the import name are `ptrack`;
# "ptrack" on PyPI is an unrelated tool).
DIST_NAME = "ptrack-campaigns"

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_DAY = re.compile(r"@@D([+-]\d+)@@")
_PLACEHOLDER = re.compile(r"@@[A-Z0-9_+-]+@@")

_DEFAULTS = {
    "zh-CN": {"name": "新品上市推广", "title": "市场部活动看板", "tz": "Asia/Shanghai", "calendar": "CN"},
    "en": {"name": "Product launch", "title": "Marketing campaigns", "tz": "UTC", "calendar": "weekends"},
}
# The sample's task in progress: planned from 3 days ago to 11 days ahead (see the templates).
_IN_PROGRESS = (-3, 11)


@dataclass(frozen=True)
class ScaffoldFile:
    path: str  # relative to the target folder, with forward slashes
    text: str


@dataclass(frozen=True)
class InitResult:
    root: Path
    files: tuple[ScaffoldFile, ...]
    existing: tuple[str, ...]  # targets that already exist: nothing was written
    gitignore: str | None = None  # "created" or "added" (.ptrack/ into .gitignore); None: nothing to do

    @property
    def written(self) -> bool:
        return not self.existing

    @property
    def campaign_file(self) -> str:
        return next(f.path for f in self.files if f.path.startswith("campaigns/"))


def init_project(root: Path | str, *, lang: str, today: date, name: str | None = None,
                 campaign_id: str | None = None, requirement: str | None = None,
                 forge: str = "github") -> InitResult:
    """Scaffold ``root`` (created when missing) for a repository on ``forge`` (github, gitlab).
    Returns the files and, when any target already exists, those targets: then nothing was
    written."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise UsageError(M_("init.not_a_folder", path=str(root)))
    files = plan_scaffold(lang=lang, today=today, name=name, campaign_id=campaign_id, requirement=requirement,
                          forge=forge)
    existing = tuple(f.path for f in files if (root / f.path).exists() or (root / f.path).is_symlink())
    gitignore = None
    if not existing:
        write_scaffold(root, files)
        gitignore = ignore_local_state(root)
    return InitResult(root, tuple(files), existing, gitignore)


def ignore_local_state(root: Path) -> str | None:
    """Make ROOT/.gitignore ignore ``.ptrack/``: "created" (there was none), "added" (at the end
    of the existing one, whose bytes are kept), None (a line already ignores it)."""
    from ptrack.fsutil import atomic_write

    path = root / GITIGNORE_FILE
    if path.is_symlink():
        path = path.resolve()  # write through the link, not over it
    data = path.read_bytes() if path.exists() else None
    if data is None:
        atomic_write(path, _IGNORE_LINES)
        return "created"
    if any(line.strip() in _IGNORED for line in data.splitlines()):
        return None
    separator = b"" if not data or data.endswith(b"\n") else b"\n"
    atomic_write(path, data + separator + _IGNORE_LINES)
    return "added"


def plan_scaffold(*, lang: str, today: date, name: str | None = None, campaign_id: str | None = None,
                  requirement: str | None = None, forge: str = "github") -> list[ScaffoldFile]:
    """The files ``init`` writes for a repository on ``forge``, in writing order, without touching
    the disk."""
    from ptrack.forge.scaffold import FORGES, fragments, insert_fragments
    from ptrack.forge.scaffold import template as forge_template

    if lang not in _DEFAULTS:
        raise UsageError(M_("init.not_one_of", option="--lang", value=lang, known=", ".join(_DEFAULTS)))
    if forge not in FORGES:
        raise UsageError(M_("init.not_one_of", option="--forge", value=forge, known=", ".join(FORGES)))
    defaults = _DEFAULTS[lang]
    if name is not None:
        name = name.strip()
        if not name or any(ord(c) < 32 or ord(c) == 127 for c in name):
            raise UsageError(M_("init.name_one_line"))
    cid = campaign_id if campaign_id is not None else campaign_id_for(name, today)
    if not _ID.match(cid) or len(cid) > 64:
        raise UsageError(M_("init.bad_id", id=cid))
    name = name or defaults["name"]
    requirement = requirement or pip_requirement()
    campaign_path = f"campaigns/{cid}.yaml"
    values = {
        "ID": cid,
        "NAME": json.dumps(name, ensure_ascii=False),  # a double-quoted YAML scalar
        "NAME_TEXT": name,
        "TITLE": defaults["title"],
        "SCHEMA": schema_url(),
        "VERSION": __version__,
        "REQUIREMENT": requirement,
        "TZ": defaults["tz"],
        "CAMPAIGN_FILE": campaign_path,
        "PROGRESS": str(sample_progress(defaults["calendar"], today)),
    }
    pre_commit = "pre-commit-config.local.yaml"
    remote = _pre_commit_repo(requirement)
    if remote:
        pre_commit = "pre-commit-config.remote.yaml"
        values["REPO"], values["REV"] = remote
    words = fragments(forge, lang)
    neutral = lambda source: insert_fragments(_template(source), words)
    sources = [
        (CONFIG_FILE, neutral(f"{lang}/ptrack.yaml")),
        (campaign_path, neutral(f"{lang}/campaign.yaml")),
        *((target, forge_template(source)) for target, source in FORGES[forge].files),
        (PRE_COMMIT_FILE, neutral(pre_commit)),
        (README_FILE, neutral(f"{lang}/README.md")),
    ]
    files = [ScaffoldFile(target, fill(text, values, today)) for target, text in sources]
    if FORGES[forge].forms:
        campaign_text = next(f.text for f in files if f.path == campaign_path)
        position = 2 + len(FORGES[forge].files)  # after the CI files
        files[position:position] = _forms(forge, lang, campaign_text, campaign_path)
    return files


def _forms(forge: str, lang: str, campaign_text: str, campaign_path: str) -> list[ScaffoldFile]:
    """The update and risk forms for the sample campaign, as ``ptrack forms`` writes them."""
    from ptrack.core.validate import load_campaign_bytes
    from ptrack.forge.forms import CampaignInfo, form_files

    loaded = load_campaign_bytes(campaign_text.encode("utf-8"), campaign_path)
    infos = [CampaignInfo.of(loaded.campaign)] if loaded.campaign is not None else []
    return [ScaffoldFile(f.path, f.text) for f in form_files(forge, lang, infos, version=__version__, repo_locale=lang)]


def write_scaffold(root: Path, files: list[ScaffoldFile]) -> list[Path]:
    """Write every file atomically; on a failure remove what this call wrote, then raise."""
    from ptrack.fsutil import atomic_write

    written: list[Path] = []
    try:
        for f in files:
            written.append(atomic_write(root / f.path, f.text))
    except OSError as exc:
        for path in written:
            try:
                path.unlink()
            except OSError:
                pass
        raise UsageError(M_("init.cannot_write", file=str(exc.filename or root), reason=exc.strerror or str(exc))) from None
    return written


def fill(template: str, values: dict[str, str], today: date) -> str:
    """Replace ``@@KEY@@`` with ``values[KEY]`` and ``@@D+N@@`` / ``@@D-N@@`` with the ISO date
    ``today ± N days``. An unknown placeholder is a bug in the templates: it raises."""
    text = _DAY.sub(lambda m: (today + timedelta(days=int(m.group(1)))).isoformat(), template)

    def one(match: re.Match) -> str:
        key = match.group(0)[2:-2]
        if key not in values:
            raise KeyError(f"scaffold template: unknown placeholder {match.group(0)}")
        return values[key]

    return _PLACEHOLDER.sub(one, text)


def sample_progress(calendar: str, today: date) -> int:
    """The actual progress of the sample's task in progress: its planned progress as of
    ``today`` on the campaign's calendar, rounded up to a multiple of 5, so the sample starts
    on plan (no finding, whatever holidays surround ``today``)."""
    from ptrack.core.calendars import get_calendar

    start, end = (today + timedelta(days=n) for n in _IN_PROGRESS)
    cal = get_calendar(calendar)
    total = cal.count(start, end)
    done = cal.count(start, today)
    if total == 0:
        total, done = (end - start).days + 1, (today - start).days + 1
    return min(95, max(10, math.ceil(100 * done / total / 5) * 5))


def campaign_id_for(name: str | None, today: date) -> str:
    """An ASCII ``--name`` in lower-case letters and digits joined by '-' ("Spring Launch" ->
    ``spring-launch``); any other name (e.g. Chinese) gives ``campaign-YYYY-MM``, and no name
    ``product-launch-YYYY``."""
    if name is None:
        return f"product-launch-{today.year}"
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48].rstrip("-") if name.isascii() else ""
    return slug or f"campaign-{today:%Y-%m}"


def schema_url() -> str:
    """The schema's ``$id``: the address in the ``# yaml-language-server: $schema=`` line."""
    from ptrack.core.validate import load_schema

    return load_schema()["$id"]


def pip_requirement() -> str:
    """How CI should install the ptrack running now: the git URL and commit it was installed
    from (``pip install git+https://…``), or an http(s) archive URL; else
    ``ptrack-campaigns==<version>``."""
    from importlib import metadata

    dist_name = DIST_NAME
    try:
        raw = metadata.distribution(dist_name).read_text("direct_url.json")
    except (metadata.PackageNotFoundError, OSError):
        raw = None
    try:
        direct_url = json.loads(raw) if raw else None
    except ValueError:
        direct_url = None
    return requirement_from(dist_name, __version__, direct_url)


def requirement_from(dist_name: str, version: str, direct_url: dict | None) -> str:
    """The pip requirement for a distribution installed as described by PEP 610's
    ``direct_url.json`` (None: from an index). Local paths cannot be installed in CI, so they
    give ``<dist>==<version>``."""
    if isinstance(direct_url, dict):
        url = str(direct_url.get("url") or "")
        remote = url.startswith(("https://", "http://", "ssh://"))
        vcs = direct_url.get("vcs_info")
        if remote and isinstance(vcs, dict) and vcs.get("vcs") == "git":
            rev = vcs.get("commit_id") or vcs.get("requested_revision")
            return f"{dist_name} @ git+{url}" + (f"@{rev}" if rev else "")
        if remote and "archive_info" in direct_url:
            return f"{dist_name} @ {url}"
    return f"{dist_name}=={version}"


def _pre_commit_repo(requirement: str) -> tuple[str, str] | None:
    """(repository URL, commit) when ptrack came from a git repository with a known commit:
    pre-commit can then install the hooks of ``.pre-commit-hooks.yaml`` from it."""
    match = re.match(r"^\S+ @ git\+(https://\S+?)@([0-9a-f]{40})$", requirement)
    return (match.group(1), match.group(2)) if match else None


def _template(name: str) -> str:
    resource = resources.files("ptrack") / "scaffold"
    for part in name.split("/"):
        resource = resource / part
    return resource.read_text("utf-8")
