"""The composite action (action.yml), run for real: each `run` step with bash, as the runner
runs it (`bash --noprofile --norc -eo pipefail`), with the step's `env` and `if` evaluated from
the inputs and earlier outputs, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files. Only the
`actions/setup-python` step is left out: the interpreter running the tests stands in for it."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

from ecosystem_support import ROOT, clean_env, git_repo, load_yaml_file, ptrack_exe
from ptrack import __version__
from ptrack.init import init_project

ACTION = load_yaml_file(ROOT / "action.yml")
DAY = date(2025, 3, 3)
EXAMPLE_DAY = "2024-04-15"


@dataclass
class ActionRun:
    outputs: dict[str, str]
    steps: list[tuple[str, int]]  # (step name, exit code) of the steps that ran
    stdout: str
    summary: str
    failed: bool
    step_outputs: dict[str, dict[str, str]] = field(default_factory=dict)


def _expression(text: str, inputs: dict, steps: dict) -> str:
    """`${{ inputs.x }}` and `${{ steps.id.outputs.x }}`: all that action.yml uses."""
    def one(match: re.Match) -> str:
        expr = match.group(1).strip()
        if expr.startswith("inputs."):
            return inputs[expr[len("inputs."):]]
        m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
        assert m, f"the test harness does not know ${{{{ {expr} }}}}"
        return steps.get(m.group(1), {}).get(m.group(2), "")
    return re.sub(r"\$\{\{(.*?)\}\}", one, str(text))


def _condition(expr: str, inputs: dict) -> bool:
    """`a == 'x' && b != ''` over inputs.* and runner.os: all that action.yml uses."""
    result = True
    for part in expr.split("&&"):
        m = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", part)
        assert m, f"the test harness does not know the condition {expr!r}"
        name, op, literal = m.groups()
        value = "Linux" if name == "runner.os" else inputs[name.removeprefix("inputs.")]
        result &= (value == literal) if op == "==" else (value != literal)
    return result


def _parse_output_file(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
    return out


def run_action(workdir: Path, tmp: Path, *, path_dirs: tuple[Path, ...] = (), env: dict | None = None,
               **given: str) -> ActionRun:
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(inputs)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    inputs.update(given)
    tmp.mkdir(parents=True, exist_ok=True)
    summary = tmp / "summary.md"
    summary.write_text("")
    bindir = str(Path(ptrack_exe()).parent)
    base_env = clean_env(
        PATH=os.pathsep.join([*map(str, path_dirs), bindir, os.environ["PATH"]]),
        GITHUB_ACTIONS="true", GITHUB_ACTION_PATH=str(ROOT), GITHUB_WORKSPACE=str(workdir),
        GITHUB_STEP_SUMMARY=str(summary), GITHUB_RUN_ID="42", GITHUB_RUN_ATTEMPT="1",
        RUNNER_TEMP=str(tmp), RUNNER_OS="Linux", **(env or {}))
    steps: dict[str, dict[str, str]] = {}
    ran, stdout, failed = [], [], False
    for i, step in enumerate(ACTION["runs"]["steps"]):
        if "uses" in step:
            assert step["uses"] == "actions/setup-python@v5"
            continue
        if "if" in step and not _condition(step["if"], inputs):
            continue
        output_file = tmp / f"output-{i}"
        output_file.write_text("")
        step_env = dict(base_env, GITHUB_OUTPUT=str(output_file))
        step_env.update({k: _expression(v, inputs, steps) for k, v in (step.get("env") or {}).items()})
        assert step["shell"] == "bash"
        script = tmp / f"step-{i}.sh"
        script.write_text(_expression(step["run"], inputs, steps))
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workdir, env=step_env, capture_output=True, text=True, timeout=120)
        stdout.append(proc.stdout + proc.stderr)
        ran.append((step.get("name", step.get("id")), proc.returncode))
        if "id" in step:
            steps[step["id"]] = _parse_output_file(output_file)
        if proc.returncode != 0:
            failed = True
            break
    outputs = {name: _expression(spec["value"], inputs, steps) for name, spec in ACTION["outputs"].items()}
    return ActionRun(outputs, ran, "".join(stdout), summary.read_text(encoding="utf-8"), failed, steps)


@pytest.fixture
def fresh_repo(tmp_path):
    """A campaign repository as `ptrack init` writes it, dated 2025-03-03, in git."""
    repo = git_repo(tmp_path / "repo")
    init_project(repo, lang="en", today=DAY, requirement="ptrack==0.0.0")
    return repo


@pytest.fixture
def example_repo(tmp_path):
    repo = git_repo(tmp_path / "repo")
    (repo / "examples").mkdir()
    (repo / "examples" / "campaign.yaml").write_bytes((ROOT / "examples" / "campaign.yaml").read_bytes())
    return repo


def _expected_counts(repo: Path, *args: str) -> dict:
    proc = subprocess.run([ptrack_exe(), "check", *args, "--format", "json"], cwd=repo,
                          env=clean_env(), capture_output=True, text=True)
    return json.loads(proc.stdout)["summary"]


def _pip_stub(folder: Path) -> Path:
    """A `python` that records `python -m pip ...` instead of installing, and is the real
    interpreter otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    stub = folder / "python"
    stub.write_text(f'#!/bin/sh\nif [ "$1" = "-m" ] && [ "$2" = "pip" ]; then\n'
                    f'  shift 2; printf "%s\\n" "$*" >> "{folder}/pip.log"; exit 0\nfi\n'
                    f'exec "{sys.executable}" "$@"\n')
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    return folder


# -- the check --------------------------------------------------------------------------------

def test_failing_example_annotates_counts_and_fails(example_repo, tmp_path):
    run = run_action(example_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),),
                     paths="examples/campaign.yaml", **{"as-of": EXAMPLE_DAY})
    expected = _expected_counts(example_repo, "examples/campaign.yaml", "--as-of", EXAMPLE_DAY)
    assert expected["error"] > 0
    assert run.outputs["errors"] == str(expected["error"])
    assert run.outputs["warnings"] == str(expected["warning"])
    assert run.outputs["notices"] == str(expected["notice"])
    assert run.outputs["exit-code"] == "1" and run.outputs["as-of"] == EXAMPLE_DAY
    assert re.search(r"^::error file=examples/campaign\.yaml,line=\d+,col=\d+", run.stdout, re.M)
    # one summary only: the JSON run writes none
    assert run.summary.count("## ptrack check") == 1 and "❌ 未通过" in run.summary  # the example's language
    assert run.failed and run.steps[-1] == ("Fail when the check failed", 1)


def test_clean_campaign_passes_and_builds_the_site(fresh_repo, tmp_path):
    run = run_action(fresh_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),),
                     strict="true", build="public", **{"as-of": DAY.isoformat(), "install-fonts": "false"})
    assert not run.failed, run.stdout
    assert (run.outputs["errors"], run.outputs["warnings"], run.outputs["exit-code"]) == ("0", "0", "0")
    assert "## ptrack check ✅ passed" in run.summary
    assert (fresh_repo / "public" / "index.html").is_file()
    status = json.loads((fresh_repo / "public" / "status.json").read_text(encoding="utf-8"))
    assert status["as_of"] == DAY.isoformat()  # the build uses the day of the check


def test_build_runs_even_when_the_check_fails(example_repo, tmp_path):
    run = run_action(example_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),),
                     paths="examples", build="site", **{"as-of": EXAMPLE_DAY, "install-fonts": "false"})
    assert [name for name, _ in run.steps][-2:] == ["ptrack build", "Fail when the check failed"]
    assert run.failed and (example_repo / "site" / "index.html").is_file()


def test_strict_fails_on_warnings(fresh_repo, tmp_path):
    # Three weeks later the sample campaign has tasks behind plan (warnings, some errors).
    later = "2025-03-24"
    counts = _expected_counts(fresh_repo, "--as-of", later)
    assert counts["warning"] > 0
    run = run_action(fresh_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),),
                     strict="true", **{"as-of": later})
    assert run.outputs["exit-code"] == "1" and run.failed


def test_as_of_defaults_to_ptrack_as_of(fresh_repo, tmp_path):
    run = run_action(fresh_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),),
                     env={"PTRACK_AS_OF": DAY.isoformat()})
    assert run.outputs["as-of"] == DAY.isoformat() and run.outputs["exit-code"] == "0"


def test_paths_on_several_lines_and_lang(example_repo, fresh_repo, tmp_path):
    (example_repo / "more").mkdir()
    for f in (fresh_repo / "campaigns").iterdir():
        (example_repo / "more" / f.name).write_bytes(f.read_bytes())
    run = run_action(example_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),),
                     paths="examples/campaign.yaml\nmore/*.yaml", lang="en", **{"as-of": EXAMPLE_DAY})
    assert "2 files" in run.summary or "in 2 file" in run.summary
    assert "落后" not in run.stdout  # --lang en: English messages for the Chinese example


def test_bad_strict_value_is_an_error(fresh_repo, tmp_path):
    run = run_action(fresh_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),), strict="yes")
    assert run.steps[-1] == ("ptrack check", 2)
    assert "strict must be 'true' or 'false'" in run.stdout


def test_usage_error_leaves_counts_empty_and_fails(fresh_repo, tmp_path):
    run = run_action(fresh_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),),
                     paths="no-such-file.yaml")
    assert run.outputs["exit-code"] == "2" and run.outputs["errors"] == ""
    assert run.failed


# -- notify -----------------------------------------------------------------------------------

NOTIFY_CONFIG = ("notify:\n  channels:\n    group:\n      type: wecom\n      webhook_env: PTRACK_WECOM_WEBHOOK\n"
                 "      retries: 0\n")


def test_notify_dry_run_prints_the_digests(fresh_repo, tmp_path):
    run = run_action(fresh_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),), notify="dry-run",
                     **{"as-of": "2025-03-05"})
    assert not run.failed, run.stdout
    assert [name for name, _ in run.steps][-2:] == ["ptrack notify", "Fail when the check failed"]
    assert run.step_outputs["notify"] == {"exit-code": "0"}
    assert "No notify.channels in ptrack.yaml" in run.stdout and "== " in run.stdout  # an English repository


def test_notify_sends_to_the_channels_with_the_secrets_from_env(fresh_repo, tmp_path):
    from tests.notify_support import Reply, RecordingServer

    config = fresh_repo / "ptrack.yaml"
    config.write_text(config.read_text(encoding="utf-8") + NOTIFY_CONFIG, encoding="utf-8")
    with RecordingServer() as server:
        url = server.url("/cgi-bin/webhook/send?key=the-secret-key-123")
        run = run_action(fresh_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),), notify="true",
                         env={"PTRACK_WECOM_WEBHOOK": url}, **{"as-of": "2025-03-05"})
        assert not run.failed, run.stdout
        assert run.outputs["notify-exit-code"] == "0"
        assert server.requests and all(r.json()["msgtype"] in ("markdown", "text") for r in server.requests)
        sent = len(server.requests)
        # a re-run the same day sends nothing (the record is in the workspace)
        again = run_action(fresh_repo, tmp_path / "b", path_dirs=(_pip_stub(tmp_path / "stub"),), notify="true",
                           env={"PTRACK_WECOM_WEBHOOK": url}, **{"as-of": "2025-03-05"})
        assert not again.failed and len(server.requests) == sent
        server.default = Reply(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
        failing = run_action(fresh_repo, tmp_path / "c", path_dirs=(_pip_stub(tmp_path / "stub"),), notify="true",
                             env={"PTRACK_WECOM_WEBHOOK": url}, **{"as-of": "2025-03-06"})
    assert failing.failed and failing.outputs["notify-exit-code"] == "1"
    assert failing.steps[-1] == ("Fail when the check failed", 1)
    assert "the-secret-key-123" not in run.stdout + again.stdout + failing.stdout


def test_bad_notify_value_is_an_error(fresh_repo, tmp_path):
    run = run_action(fresh_repo, tmp_path / "a", path_dirs=(_pip_stub(tmp_path / "stub"),), notify="yes",
                     **{"as-of": DAY.isoformat()})
    assert run.steps[-1] == ("ptrack notify", 2)
    assert "notify must be 'true', 'dry-run' or 'false'" in run.stdout


# -- installing ptrack ------------------------------------------------------------------------

@pytest.mark.parametrize("version, expected", [
    ("", str(ROOT)),  # the action's own copy
    ("0.2.0", "ptrack-campaigns==0.2.0"),  # the distribution's name on PyPI; the command is `ptrack`
    ("v1.4.1rc1", "ptrack-campaigns==1.4.1rc1"),
    ("ptrack @ git+https://github.com/acme/ptrack@v0.2.0", "ptrack @ git+https://github.com/acme/ptrack@v0.2.0"),
])
def test_install_step_chooses_what_pip_installs(fresh_repo, tmp_path, version, expected):
    stub = _pip_stub(tmp_path / "stub")
    run = run_action(fresh_repo, tmp_path / "a", path_dirs=(stub,), env={"PTRACK_AS_OF": DAY.isoformat()},
                     **{"ptrack-version": version})
    assert ("Install ptrack", 0) in run.steps
    assert (stub / "pip.log").read_text().splitlines()[0].endswith(f"install --disable-pip-version-check --quiet {expected}")
    assert f"ptrack, version {__version__}" in run.stdout


def test_install_step_refuses_another_program_called_ptrack(fresh_repo, tmp_path):
    # PyPI's "ptrack" is an unrelated program: the action must say so rather than fail oddly.
    stub = _pip_stub(tmp_path / "stub")
    impostor = stub / "ptrack"
    impostor.write_text("#!/bin/sh\necho 'usage: ptrack [-h] SOURCE DEST' >&2\nexit 2\n")
    impostor.chmod(0o755)
    run = run_action(fresh_repo, tmp_path / "a", path_dirs=(stub,), **{"ptrack-version": "2.0.3"})
    assert run.steps == [("Install ptrack", 1)]
    assert "did not install the campaign tracker" in run.stdout


# -- the metadata -----------------------------------------------------------------------------

def test_action_metadata():
    assert ACTION["runs"]["using"] == "composite"
    defaults = {name: spec.get("default") for name, spec in ACTION["inputs"].items()}
    assert defaults == {"paths": "", "as-of": "", "strict": "false", "build": "", "lang": "",
                        "ptrack-version": "", "python-version": "3.11", "install-fonts": "true", "notify": "false"}
    assert set(ACTION["outputs"]) >= {"errors", "warnings"}
    assert ACTION["runs"]["steps"][0]["uses"] == "actions/setup-python@v5"
    assert ACTION["runs"]["steps"][0]["with"]["python-version"] == "${{ inputs.python-version }}"
    for step in ACTION["runs"]["steps"]:
        # inputs reach scripts through env, never pasted into the script (no injection)
        assert "${{" not in step.get("run", ""), step.get("name")


def test_every_input_and_output_is_documented():
    doc = (ROOT / "docs" / "github-action.md").read_text(encoding="utf-8")
    for name in [*ACTION["inputs"], *ACTION["outputs"]]:
        assert f"| `{name}` |" in doc, name
