"""Editor support: the schema's stable `$id` is the address that `ptrack init` writes into the
`# yaml-language-server: $schema=` line and that docs/editors.md tells people to use; the Pages
workflow really serves the schema there; the SchemaStore catalog entry is complete, points at it
and matches the campaign files; the documented VS Code settings are valid JSON that cover the
default campaign glob."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

from ecosystem_support import ROOT, clean_env, ptrack_exe
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


# -- the schema's address is really served -------------------------------------------------------

def _pages_build_step() -> dict:
    from ecosystem_support import load_yaml_file

    pages = load_yaml_file(ROOT / ".github" / "workflows" / "pages.yml")
    return next(s for s in pages["jobs"]["build"]["steps"] if s.get("name") == "ptrack build")


def test_the_pages_workflow_serves_the_schema_at_its_id(tmp_path):
    """Run the Pages workflow's build step as GitHub would for this repository: configure-pages
    reports the project's Pages address (without the trailing slash), and the site it uploads
    holds the packaged schema, byte for byte, at the path its $id names under that address."""
    step = _pages_build_step()
    assert step["env"] == {"SITE_URL": "${{ steps.pages.outputs.base_url }}"}
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "campaign.yaml", tmp_path / "examples" / "campaign.yaml")
    env = clean_env(SITE_URL=_project_pages().rstrip("/"),
                    PATH=f"{Path(ptrack_exe()).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    schema_id = load_schema()["$id"]
    assert schema_id.startswith(_project_pages())
    served = tmp_path / "site" / schema_id[len(_project_pages()):]  # site/schema/campaign-1.schema.json
    assert served.read_bytes() == (ROOT / "src" / "ptrack" / "schema" / "campaign.schema.json").read_bytes()


# -- the SchemaStore catalog entry -----------------------------------------------------------------

CATALOG_ENTRY = ROOT / "schema" / "schemastore-catalog-entry.json"


def _minimatch(pattern: str, path: str) -> bool:
    """minimatch's rules for the patterns of the entry (SchemaStore's fileMatch is a minimatch
    glob): "**" as a whole segment matches any number of folders, "*" anything within one
    segment but a leading dot, other characters themselves."""
    segments = pattern.split("/")
    regex = ""
    for i, segment in enumerate(segments):
        if segment == "**":
            regex += r"(?:[^/.][^/]*/)*"
            continue
        body = "".join(r"[^/]*" if c == "*" else re.escape(c) for c in segment)
        regex += (r"(?!\.)" if segment.startswith("*") else "") + body + ("/" if i < len(segments) - 1 else "")
    return re.fullmatch(regex, path) is not None


def test_minimatch_helper_follows_minimatch():
    assert _minimatch("campaigns/*.yaml", "campaigns/a.yaml")
    assert not _minimatch("campaigns/*.yaml", "campaigns/sub/a.yaml")
    assert not _minimatch("campaigns/*.yaml", "x/campaigns/a.yaml")
    assert _minimatch("**/campaigns/*.yaml", "x/y/campaigns/a.yaml") and _minimatch("**/campaigns/*.yaml", "campaigns/a.yaml")
    assert not _minimatch("campaigns/*.yaml", "campaigns/.hidden.yaml")


def test_catalog_entry_has_what_schemastore_requires():
    """SchemaStore's catalog (src/api/json/catalog.json, checked against its schema-catalog.json):
    an entry needs name, description and url (an https URL); it may have fileMatch (unique
    minimatch globs) and versions (version -> https URL); nothing else."""
    entry = json.loads(CATALOG_ENTRY.read_text(encoding="utf-8"))
    assert set(entry) <= {"name", "description", "fileMatch", "url", "versions"}
    assert {"name", "description", "url"} <= set(entry)
    assert all(isinstance(entry[k], str) and entry[k].strip() for k in ("name", "description", "url"))
    assert entry["url"].startswith("https://")
    assert len(set(entry["fileMatch"])) == len(entry["fileMatch"]) and all(isinstance(g, str) for g in entry["fileMatch"])
    assert all(v.startswith("https://") for v in entry["versions"].values())


def test_catalog_entry_points_at_the_schema_and_matches_the_campaign_files():
    entry = json.loads(CATALOG_ENTRY.read_text(encoding="utf-8"))
    schema = load_schema()
    assert entry["url"] == schema["$id"]
    assert entry["versions"] == {"1": schema["$id"]}  # format 1, the "ptrack: 1" of every file
    assert schema["properties"]["ptrack"]["const"] == 1
    assert DEFAULT_GLOB in entry["fileMatch"]

    def matched(path: str) -> bool:
        return any(_minimatch(glob, path) for glob in entry["fileMatch"])

    # the layout `ptrack init` writes and the README describes: campaign files under campaigns/
    written = [f.path for f in plan_scaffold(lang="zh-CN", today=date(2025, 3, 3), requirement="ptrack==1")]
    campaigns = [p for p in written if p.startswith("campaigns/")]
    assert campaigns == ["campaigns/product-launch-2025.yaml"] and all(matched(p) for p in campaigns)
    assert not [p for p in written if not p.startswith("campaigns/") and matched(p)]  # ptrack.yaml, workflows, ...
    assert matched("campaigns/spring-launch-2024.yml") and matched("marketing/campaigns/double-11.yaml")
    assert not matched("campaigns/archive/2023.yaml")  # like the default glob, one level only


def test_the_example_is_valid_against_the_entrys_schema(tmp_path):
    """A file the entry matches (the example, at campaigns/spring-launch-2024.yaml) passes the
    schema the entry's url names, as an editor would check it."""
    import jsonschema
    import yaml

    entry = json.loads(CATALOG_ENTRY.read_text(encoding="utf-8"))
    assert _minimatch(entry["fileMatch"][0], "campaigns/spring-launch-2024.yaml")
    schema = load_schema()
    assert schema["$id"] == entry["url"]

    class Loader(yaml.SafeLoader):  # dates stay text, as the yaml-language-server reads them
        pass

    Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                      for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    data = yaml.load((ROOT / "examples" / "campaign.yaml").read_text(encoding="utf-8"), Loader=Loader)
    assert list(jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(data)) == []


def test_the_documented_catalog_entry_is_the_shipped_one():
    block = next(b for b in re.findall(r"```json\n(.*?)```", DOC, re.S) if '"fileMatch"' in b)
    assert json.loads(block) == json.loads(CATALOG_ENTRY.read_text(encoding="utf-8"))
