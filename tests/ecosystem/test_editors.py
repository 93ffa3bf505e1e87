"""Editor support: the schema's stable `$id` is the address that `ptrack init` writes into the
`# yaml-language-server: $schema=` line and that docs/editors.md tells people to use, and the
documented VS Code settings are valid JSON that cover the default campaign glob."""

from __future__ import annotations

import fnmatch
import json
import re
from datetime import date

from ecosystem_support import ROOT
from ptrack.core.config import DEFAULT_GLOB
from ptrack.init import plan_scaffold
from ptrack.core.validate import load_schema

DOC = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")


def _project_pages() -> str:
    """The project's GitHub Pages address, from pyproject.toml's [project.urls] Homepage (read
    with a pattern: tomllib is not in Python 3.10)."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    urls = text.split("[project.urls]", 1)[1].split("\n[", 1)[0]
    return re.search(r'^Homepage = "([^"]+)"$', urls, re.M).group(1)


def test_schema_has_a_stable_versioned_id():
    # <the project's Pages>/schema/campaign-<format>.schema.json: pages.yml publishes it there
    schema_id = load_schema()["$id"]
    assert _project_pages() == "https://ptrack-campaigns.github.io/ptrack/"
    assert schema_id == "https://ptrack-campaigns.github.io/ptrack/schema/campaign-1.schema.json"
    editor_copy = json.loads((ROOT / "schema" / "campaign.schema.json").read_text(encoding="utf-8"))
    assert editor_copy["$id"] == schema_id


def test_init_and_docs_use_the_id():
    schema_id = load_schema()["$id"]
    for lang in ("zh-CN", "en"):
        campaign = next(f.text for f in plan_scaffold(lang=lang, today=date(2025, 3, 3), requirement="ptrack==1")
                        if f.path.startswith("campaigns/"))
        assert campaign.startswith(f"# yaml-language-server: $schema={schema_id}\n")
    assert f"# yaml-language-server: $schema={schema_id}" in DOC
    assert "redhat.vscode-yaml" in DOC


def test_documented_settings_are_json_and_cover_the_campaigns():
    blocks = [json.loads(b) for b in re.findall(r"```json\n(.*?)```", DOC, re.S)]
    schemas = next(b["yaml.schemas"] for b in blocks if "yaml.schemas" in b)
    ((schema_path, globs),) = schemas.items()
    assert (ROOT / schema_path).is_file()
    assert any(fnmatch.fnmatch("campaigns/spring.yaml", g) for g in globs) and DEFAULT_GLOB in globs


def test_documented_hover_is_the_schema_text():
    progress = load_schema()["definitions"]["task"]["properties"]["progress"]
    assert f"#### {progress['title']}" in DOC
    assert progress["description"].split(" / ")[1][:60] in DOC.replace("\n> ", " ")
