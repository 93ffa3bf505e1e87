"""What ``ptrack init --forge NAME`` writes that depends on the forge: a registry.

Each forge has its CI files (templates under ``ptrack/forge/templates/<forge>/``, filled like the
other scaffold templates), its update and risk forms when ``forms`` (written by
``ptrack.forge.forms`` from the sample campaign, as ``ptrack forms`` would) and, per language, ``templates/<forge>/<lang>.yaml``: the text that
fills the ``@@FORGE_<KEY>@@`` places of the forge-neutral templates in ``ptrack/scaffold/`` (the
team README's list of CI files, its review and reminder steps; ptrack.yaml's comments). Adding a
forge is one entry here and its templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from ptrack.i18n import N_


@dataclass(frozen=True)
class ForgeScaffold:
    name: str
    # (target path in the new repository, template path under ptrack/forge/templates/)
    files: tuple[tuple[str, str], ...]
    next_key: str  # the message `ptrack init` ends with: what to set up on the forge
    forms: bool = False  # init writes the update and risk forms (ptrack.forge.forms) for this forge


FORGES: dict[str, ForgeScaffold] = {
    "github": ForgeScaffold("github", ((".github/workflows/ptrack.yml", "github/ptrack.yml"),
                                       (".github/workflows/ptrack-notify.yml", "github/ptrack-notify.yml"),
                                       (".github/workflows/ptrack-intake.yml", "github/ptrack-intake.yml")),
                            N_("init.next"), forms=True),
    "gitlab": ForgeScaffold("gitlab", ((".gitlab-ci.yml", "gitlab/gitlab-ci.yml"),), N_("init.next_gitlab"),
                            forms=True),
}
DEFAULT_FORGE = "github"

_FRAGMENT = re.compile(r"@@FORGE_([A-Z_]+)@@(\n?)")


def template(path: str) -> str:
    """A template under ``ptrack/forge/templates/`` (``gitlab/gitlab-ci.yml``)."""
    resource = resources.files("ptrack") / "forge" / "templates"
    for part in path.split("/"):
        resource = resource / part
    return resource.read_text("utf-8")


def fragments(forge: str, lang: str) -> dict[str, str]:
    """The forge's words for the neutral templates in ``lang``, by key (``files``, ``review``…)."""
    import yaml

    data = yaml.safe_load(template(f"{forge}/{lang}.yaml"))
    return {str(k): str(v) for k, v in data.items()}


def insert_fragments(text: str, words: dict[str, str]) -> str:
    """``@@FORGE_<KEY>@@`` replaced by ``words[key]``; a placeholder alone on its line takes that
    line (the fragment brings its own newline). An unknown key is a bug in the templates: it raises."""

    def one(match: re.Match) -> str:
        key = match.group(1).lower()
        if key not in words:
            raise KeyError(f"scaffold template: no text for {match.group(0).strip()}")
        value = words[key]
        return value if value.endswith("\n") else value + match.group(2)

    return _FRAGMENT.sub(one, text)
