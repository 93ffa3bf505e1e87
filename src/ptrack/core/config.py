"""``ptrack.yaml`` at the repository root, and finding the campaign files to work on."""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping, Sequence

from ptrack.core.notify_config import NotifyConfig, parse_notify
from ptrack.errors import UsageError
from ptrack.i18n import M_, N_, Message
from ptrack.core.loader import YamlProblem, display_path, load_yaml

CONFIG_NAME = "ptrack.yaml"
DEFAULT_GLOB = "campaigns/*.yaml"
_KEYS = {"title", "locale", "campaigns", "policy", "site_url", "repo_url", "forge", "notify", "intake"}
INTAKE_MODES = ("pr", "commit")
FORGES = ("github", "gitlab")
_POLICY_KEYS = {"deviation_warn", "deviation_fail", "stale_after_days", "due_soon_days", "collaborator_share",
                "min_days_behind", "forecast", "rules"}


@dataclass(frozen=True)
class Config:
    root: Path
    file: Path | None = None
    title: str | None = None
    locale: str | None = None
    campaigns: tuple[str, ...] = (DEFAULT_GLOB,)
    policy: Mapping[str, object] = field(default_factory=dict)
    site_url: str | None = None  # where the site is published: <site_url>/<campaign-id>/ is a campaign's page
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    # The repository's web address (no trailing "/" or ".git") and its forge: with it, pages and
    # digests link each task to its update form (ptrack.forge.links); without it, no links at all.
    repo_url: str | None = None
    forge: str = "github"
    # How a submitted update form lands (ptrack.forge.intake): "pr" (a branch and a pull/merge
    # request, reviewed) or "commit" (straight onto the default branch).
    intake_mode: str = "pr"

    def page_url(self, campaign_id: str) -> str | None:
        """The campaign's page on the published site, when ``site_url`` is set."""
        return f"{self.site_url.rstrip('/')}/{campaign_id}/" if self.site_url else None

    def person_url(self, person_id: str) -> str | None:
        """A person's page (我的任务) on the published site, when ``site_url`` is set."""
        return f"{self.site_url.rstrip('/')}/people/{person_id}/" if self.site_url else None


def find_config(start: Path | None = None) -> Path | None:
    """``ptrack.yaml`` in ``start`` or a parent folder, stopping at the repository root."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if os.path.lexists(candidate):  # a FIFO or a link to /dev/zero too: loading it says what it is
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def load_config(start: Path | None = None) -> Config:
    path = find_config(start)
    if path is None:
        return Config(root=(start or Path.cwd()).resolve())
    shown = display_path(path)
    try:
        doc = load_yaml(path, shown)
    except YamlProblem as problem:
        if problem.code == "empty":  # an empty or comment-only ptrack.yaml: no settings (the defaults)
            return Config(root=path.parent, file=path)
        raise UsageError(config_problem(f"{shown}:{problem.line}:{problem.column}", problem.message)) from None
    data = doc.data
    if not isinstance(data, dict):
        raise UsageError(config_problem(f"{shown}:1:1", M_("config.not_a_mapping")))

    def bad(key_path: tuple, message: Message) -> UsageError:
        loc = doc.source.locate(key_path, key=True)
        return UsageError(config_problem(str(loc), message))

    for key in data:
        if key not in _KEYS:
            raise bad((key,), M_("config.unknown_setting", key=key, known=", ".join(sorted(_KEYS))))
    campaigns = data.get("campaigns", DEFAULT_GLOB)
    if isinstance(campaigns, str):
        campaigns = [campaigns]
    if not isinstance(campaigns, list) or not all(isinstance(c, str) for c in campaigns):
        raise bad(("campaigns",), M_("config.campaigns"))
    policy = data.get("policy") or {}
    if not isinstance(policy, dict):
        raise bad(("policy",), M_("config.policy_mapping"))
    for key in policy:
        if key not in _POLICY_KEYS:
            raise bad(("policy", key), M_("config.unknown_policy", key=key, known=", ".join(sorted(_POLICY_KEYS))))
    _check_policy(data, doc.source, shown)
    for key in ("title", "locale"):
        if key in data and not isinstance(data[key], str):
            raise bad((key,), M_("config.must_be_text", key=key))
    site_url = data.get("site_url")
    if site_url is not None:
        site_url = _check_site_url(site_url, doc.source, shown)
    notify = parse_notify(data.get("notify"), doc.source, shown)
    repo_url, forge = _check_repo(data, doc.source, shown)
    intake_mode = _check_intake(data, doc.source, shown)
    return Config(root=path.parent, file=path, title=data.get("title"), locale=data.get("locale"),
                  campaigns=tuple(campaigns), policy=policy, site_url=site_url, notify=notify,
                  repo_url=repo_url, forge=forge, intake_mode=intake_mode)


def _check_intake(data: dict, source, shown: str) -> str:
    """``intake: {mode: pr | commit}`` (default pr)."""
    from ptrack.i18n import t

    intake = data.get("intake")
    if intake is None:
        return "pr"
    locale = data.get("locale") if isinstance(data.get("locale"), str) else None
    if not isinstance(intake, dict):
        loc = source.locate(("intake",))
        raise UsageError(f"{shown}:{loc.line}:{loc.column}: " + t(locale, "config.intake.mapping"))
    for key in intake:
        if key != "mode":
            loc = source.locate(("intake", key), key=True)
            raise UsageError(f"{shown}:{loc.line}:{loc.column}: " + t(locale, "config.intake.unknown", name=str(key)))
    mode = intake.get("mode", "pr")
    if mode not in INTAKE_MODES:
        loc = source.locate(("intake", "mode"))
        raise UsageError(f"{shown}:{loc.line}:{loc.column}: "
                         + t(locale, "config.intake.mode", value=str(mode), known=", ".join(INTAKE_MODES)))
    return mode


def config_problem(where: str, problem) -> Message:
    """``ptrack.yaml:3:1: <problem>``, said in the command's language when printed."""
    return M_("config.at", where=where, problem=problem)


def _check_site_url(value, source, shown: str) -> str:
    """``site_url``: an absolute http(s) URL with a host, no query or fragment."""
    loc = source.locate(("site_url",))
    problem = site_url_problem(value)
    if problem:
        raise UsageError(config_problem(f"{shown}:{loc.line}:{loc.column}", problem))
    return value.strip().rstrip("/")


def site_url_problem(value, name: str = "site_url") -> Message | None:
    """None when ``value`` is the address of a published site (an absolute http(s) URL with a
    host, no query or fragment); else what is wrong with the setting (or option) ``name``."""
    from urllib.parse import urlsplit

    if not isinstance(value, str) or not value.strip():
        return M_("config.site_url.empty", name=name)
    try:
        parts = urlsplit(value.strip())
        bad = parts.scheme not in ("http", "https") or not parts.hostname or bool(parts.query or parts.fragment)
    except ValueError:  # e.g. "http://[bad": an unbalanced IPv6 bracket
        bad = True
    if bad or any(c.isspace() for c in value.strip()):
        return M_("config.site_url.not_a_url", name=name, value=value)
    return None


def _check_repo(data: dict, source, shown: str) -> tuple[str | None, str]:
    """``repo_url`` (normalised by ``normalise_repo_url``) and ``forge``: as written, else
    ``gitlab`` for a repository on gitlab.com or a host named gitlab.*, else ``github``."""
    repo_url = None
    if data.get("repo_url") is not None:
        repo_url, problem = normalise_repo_url(data["repo_url"])
        if problem:
            loc = source.locate(("repo_url",))
            raise UsageError(config_problem(f"{shown}:{loc.line}:{loc.column}",
                                            M_(f"config.repo_url.{problem}", value=str(data["repo_url"]))))
    if "forge" in data:
        forge = data["forge"]
        if forge not in FORGES:
            loc = source.locate(("forge",))
            raise UsageError(config_problem(f"{shown}:{loc.line}:{loc.column}",
                                            M_("config.forge", value=str(forge), known=", ".join(FORGES))))
        return repo_url, forge
    return repo_url, default_forge(repo_url)


def default_forge(repo_url: str | None) -> str:
    """``gitlab`` when the repository is on gitlab.com or a host whose name starts with
    "gitlab." (a self-managed GitLab), else ``github``."""
    from urllib.parse import urlsplit

    host = (urlsplit(repo_url).hostname or "") if repo_url else ""
    return "gitlab" if host == "gitlab.com" or host.startswith("gitlab.") else "github"


# A path segment of a GitHub or GitLab repository address: owner, group, subgroup, project.
_REPO_SEGMENT = re.compile(r"^[A-Za-z0-9_.~-]+$")
_N_REPO_PROBLEMS = (N_("config.repo_url.not-a-url"), N_("config.repo_url.credentials"),
                    N_("config.repo_url.path"))


def normalise_repo_url(value) -> tuple[str | None, str | None]:
    """(the repository's web address, None) or (None, the problem: ``not-a-url``,
    ``credentials`` or ``path``). The address is an absolute http(s) URL with a host, no user
    or password (a token never goes in ptrack.yaml), no query or fragment, and a path of at
    least two segments (owner/name; GitLab groups nest) made of letters, digits and ``_.~-``,
    so that it is safe as written in HTML, Markdown and every chat platform's links. A trailing
    "/" and ".git" (a clone address) are dropped."""
    from urllib.parse import urlsplit

    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value.strip()):
        return None, "not-a-url"
    text = value.strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return None, "not-a-url"
    if parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment or "?" in text \
            or "#" in text:
        return None, "not-a-url"
    if parts.username is not None or parts.password is not None:
        return None, "credentials"
    path = parts.path.rstrip("/")
    if path.endswith(".git"):
        path = path[:-4]
    segments = path.split("/")[1:]
    if len(segments) < 2 or not all(_REPO_SEGMENT.match(s) and s not in (".", "..") for s in segments):
        return None, "path"
    return f"{parts.scheme}://{parts.netloc}{path}", None


def _check_policy(data: dict, source, shown: str) -> None:
    """The policy defaults must pass the campaign schema's policy rules: a default that a
    campaign file could not hold would otherwise reach the model unchecked."""
    if not data.get("policy"):
        return
    import jsonschema

    from ptrack.core.validate import load_schema, schema_messages

    definitions = load_schema()["definitions"]
    schema = {"properties": {"policy": {"$ref": "#/definitions/policy"}}, "definitions": definitions}
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(data),
                    key=lambda e: [str(p) for p in e.absolute_path])
    for error in errors:
        for _, message, location in schema_messages(error, source):
            raise UsageError(config_problem(f"{shown}:{location.line}:{location.column}", message))
    policy = data["policy"]
    if policy.get("deviation_warn", 10) > policy.get("deviation_fail", 20):
        loc = source.locate(("policy", "deviation_warn"))
        raise UsageError(config_problem(f"{shown}:{loc.line}:{loc.column}", M_("check.policy_thresholds")))


def campaign_files(paths: Sequence[str], config: Config) -> list[Path]:
    """The files named, the ``*.yaml``/``*.yml`` files of folders named, or the config's glob.

    A path that does not exist is a usage error; so is finding no file at all."""
    found: list[Path] = []
    if paths:
        for raw in paths:
            p = Path(raw)
            if p.is_dir():
                found += sorted(x for x in p.iterdir() if x.suffix in (".yaml", ".yml") and x.is_file()
                                and x.name != CONFIG_NAME)
            elif p.exists():
                found.append(p)
            else:
                raise UsageError(M_("config.no_such_path", path=raw))
        where = ", ".join(paths)
    else:
        for pattern in config.campaigns:
            full = pattern if Path(pattern).is_absolute() else str(config.root / pattern)
            found += sorted(Path(x) for x in glob.glob(full, recursive=True) if Path(x).is_file())
        where = " ".join(config.campaigns)
        if config.file:
            where = M_("config.glob_from", glob=where, file=display_path(config.file))
    unique = list(dict.fromkeys(found))
    if not unique:
        raise UsageError(M_("config.no_campaigns", where=where))
    return unique
