"""The update and risk forms as files (``ptrack.forge.forms``, ``ptrack forms``, ``ptrack init``):
valid GitHub issue forms (check-jsonschema's vendored GitHub issue-forms schema), every field a
link fills an ``input`` or ``textarea`` with the id of the one definition, labels in the
campaigns' language, the campaigns' ids, tasks and people told in the help; GitLab description
templates that the issue parser reads back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
import yaml

from ptrack.forge.fields import FORMS, RISK, UPDATE, label
from ptrack.forge.forms import LIST_TASKS, CampaignInfo, form_files, github_issue_form, gitlab_issue_template
from ptrack.forge.issue import parse_body
from ptrack.forge.links import Repo, risk_report_url, update_url

CHECK_JSONSCHEMA = str(Path(sys.executable).with_name("check-jsonschema"))
SPRING = CampaignInfo("spring-launch-2024", "新品上市综合营销推广",
                      (("poster-draft", "海报设计初稿"), ("kol-seeding", "达人合作种草 *加急* <b>")),
                      (("marketing-director", "营销总监"), ("design-lead", "设计主管")))


def _schema_check(*files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHECK_JSONSCHEMA, "--builtin-schema", "vendor.github-issue-forms", *map(str, files)],
                          capture_output=True, text=True, timeout=120)


def test_the_forms_are_valid_github_issue_forms(tmp_path):
    files = []
    for locale in ("zh-CN", "en", "zh-TW"):
        for form in FORMS.values():
            path = tmp_path / f"{form.id}-{locale}.yml"
            path.write_text(github_issue_form(form, locale, [SPRING], version="9.9"), encoding="utf-8")
            files.append(path)
    proc = _schema_check(*files)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the schema check can fail: a dropdown without options is not a form
    bad = tmp_path / "bad.yml"
    bad.write_text("name: x\ndescription: y\nbody:\n  - type: dropdown\n    id: task\n    attributes: {label: Task}\n",
                   encoding="utf-8")
    assert _schema_check(bad).returncode == 1


@pytest.mark.parametrize("form", [UPDATE, RISK], ids=lambda f: f.id)
def test_every_field_is_a_text_field_with_its_stable_id(form):
    data = yaml.safe_load(github_issue_form(form, "zh-CN", [SPRING]))
    fields = [item for item in data["body"] if item["type"] != "markdown"]
    assert [f["id"] for f in fields] == list(form.ids)
    # GitHub prefills only input and textarea from ?<id>=...: nothing here is a dropdown
    assert {f["type"] for f in fields} <= {"input", "textarea"}
    assert [f["type"] for f in fields] == [f.kind for f in form.fields]
    assert [f["attributes"]["label"] for f in fields] == [label(f, "zh-CN") for f in form.fields]
    assert [bool(f.get("validations", {}).get("required")) for f in fields] == [f.required for f in form.fields]


def test_what_the_links_fill_are_fields_of_the_forms():
    repo = Repo("https://github.com/acme/campaigns")
    for url, form in ((update_url(repo, campaign="c", task="t", task_name="T", locale="en"), UPDATE),
                      (update_url(repo, campaign="c", task="t", task_name="", locale="en", resolve_risk="2",
                                  risk_issue="x"), UPDATE),
                      (risk_report_url(repo, campaign="c", task=None, subject="C", locale="en"), RISK)):
        params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        data = yaml.safe_load(github_issue_form(form, "en"))
        ids = {item["id"]: item["type"] for item in data["body"] if "id" in item}
        assert params["template"] == form.filename
        filled = set(params) - {"template", "title"}
        assert filled and all(ids[k] in ("input", "textarea") for k in filled), params


def test_labels_follow_the_language():
    zh = yaml.safe_load(github_issue_form(UPDATE, "zh-CN"))
    en = yaml.safe_load(github_issue_form(UPDATE, "en"))
    tw = yaml.safe_load(github_issue_form(UPDATE, "zh-TW"))
    assert (zh["name"], en["name"], tw["name"]) == ("进度更新 / Progress update", "Progress update",
                                                   "進度更新 / Progress update")
    assert zh["body"][1]["attributes"]["label"] == "活动编号 / Campaign ID"
    assert en["body"][1]["attributes"]["label"] == "Campaign ID"
    assert tw["body"][2]["attributes"]["label"] == "任務編號 / Task ID"


def test_the_campaigns_are_told_in_the_help_and_the_list():
    data = yaml.safe_load(github_issue_form(RISK, "zh-CN", [SPRING]))
    intro = data["body"][0]["attributes"]["value"]
    # the task list is folded, names escaped for Markdown and HTML
    assert "<details><summary>活动及其任务编号一览</summary>" in intro
    assert "**`spring-launch-2024`** 新品上市综合营销推广\n\n- `poster-draft` 海报设计初稿\n" \
           "- `kol-seeding` 达人合作种草 \\*加急\\* \\<b\\>\n" in intro
    fields = {item["id"]: item["attributes"] for item in data["body"] if "id" in item}
    assert fields["campaign"]["placeholder"] == "spring-launch-2024"
    assert fields["campaign"]["description"].endswith("本仓库的活动：spring-launch-2024。")
    assert fields["task"]["placeholder"] == "poster-draft"
    assert fields["owner"]["placeholder"] == "marketing-director"
    assert fields["owner"]["description"].endswith("人员 ID：marketing-director, design-lead。")
    assert fields["due"]["placeholder"] == "YYYY-MM-DD"


def test_a_long_plan_is_listed_up_to_a_limit():
    many = CampaignInfo("big", "Big", tuple((f"t{i}", f"Task {i}") for i in range(LIST_TASKS + 25)))
    intro = yaml.safe_load(github_issue_form(UPDATE, "en", [many]))["body"][0]["attributes"]["value"]
    assert intro.count("\n- `t") == LIST_TASKS
    assert "…and 25 more tasks: see the status page." in intro


def test_the_same_campaigns_give_the_same_bytes():
    assert github_issue_form(UPDATE, "zh-CN", [SPRING], version="1") == github_issue_form(UPDATE, "zh-CN", [SPRING],
                                                                                         version="1")


def test_gitlab_templates_read_back_as_an_empty_form():
    for form in FORMS.values():
        text = gitlab_issue_template(form, "zh-CN", [SPRING])
        parsed = parse_body(text)
        assert parsed.form is form and parsed.values == {} and parsed.seen == form.ids, form.id
        assert "<!--" in text  # the help, hidden from the issue
    # named in the repository's language (zh-CN when it has none), whatever the labels' language
    assert [f.path for f in form_files("gitlab", "en")] == [".gitlab/issue_templates/进度更新.md",
                                                           ".gitlab/issue_templates/报告风险.md"]
    assert [f.path for f in form_files("gitlab", "zh-CN", repo_locale="en")] == [
        ".gitlab/issue_templates/Progress update.md", ".gitlab/issue_templates/Report a risk.md"]
    assert [f.path for f in form_files("gitlab", "en", repo_locale="zh-TW")] == [
        ".gitlab/issue_templates/進度更新.md", ".gitlab/issue_templates/報告風險.md"]


# -- ptrack forms -----------------------------------------------------------------------------

CAMPAIGN = """\
ptrack: 1
campaign: {id: c1, name: 春季活动, start: 2024-03-01, end: 2024-03-31, locale: zh-CN, lead: ann}
people:
  ann: {name: 王经理, github: ann-w}
tasks:
  - {id: poster, name: 海报, owner: ann, planned: {start: 2024-03-01, end: 2024-03-05}}
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ptrack.yaml").write_text("campaigns: campaigns/*.yaml\n", encoding="utf-8")
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaigns" / "c1.yaml").write_text(CAMPAIGN, encoding="utf-8")
    (tmp_path / "campaigns" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "campaigns" / "sub")  # run from below the root: the forms go to the root
    return tmp_path


def test_ptrack_forms_writes_checks_and_rewrites(run_cli, repo):
    from ptrack import __version__

    code, out, err = run_cli("forms")
    assert (code, err) == (0, "")
    assert out == "已写入 .github/ISSUE_TEMPLATE/ptrack-update.yml, .github/ISSUE_TEMPLATE/ptrack-risk.yml\n"
    update = repo / ".github" / "ISSUE_TEMPLATE" / "ptrack-update.yml"
    assert update.read_text("utf-8") == github_issue_form(UPDATE, "zh-CN", [CampaignInfo(
        "c1", "春季活动", (("poster", "海报"),), (("ann", "王经理"),))], version=__version__)
    assert run_cli("forms") == (0, "表单已是最新\n", "")
    assert run_cli("forms", "--check") == (0, "", "")
    # a new task: the forms are out of date until written again
    text = CAMPAIGN + "  - {id: video, name: 视频, owner: ann, planned: {start: 2024-03-02, end: 2024-03-06}}\n"
    (repo / "campaigns" / "c1.yaml").write_text(text, encoding="utf-8")
    assert run_cli("forms", "--check") == (1, "", ".github/ISSUE_TEMPLATE/ptrack-update.yml 已过时：请运行 `ptrack forms`\n"
                                               ".github/ISSUE_TEMPLATE/ptrack-risk.yml 已过时：请运行 `ptrack forms`\n")
    assert "`video`" not in update.read_text("utf-8")
    assert run_cli("forms", "--lang", "en")[0] == 0
    assert "- `video` 视频" in update.read_text("utf-8") and "label: Campaign ID\n" in update.read_text("utf-8")


def test_ptrack_forms_writes_nothing_for_an_invalid_campaign(run_cli, repo):
    (repo / "campaigns" / "c1.yaml").write_text(CAMPAIGN.replace("owner: ann", "owner: bob"), encoding="utf-8")
    code, out, err = run_cli("forms", "--lang", "en")
    assert (code, out) == (1, "")
    assert err.endswith("ptrack: the forms were not written: fix the campaign files first\n")
    assert "bob" in err and not (repo / ".github").exists()


def test_ptrack_forms_on_gitlab(run_cli, repo):
    (repo / "ptrack.yaml").write_text("forge: gitlab\n", encoding="utf-8")
    # English labels; the files named in ptrack.yaml's language (none: zh-CN), as the links name them
    assert run_cli("forms", "--lang", "en") == (
        0, "wrote .gitlab/issue_templates/进度更新.md, .gitlab/issue_templates/报告风险.md\n", "")
    parsed = parse_body((repo / ".gitlab" / "issue_templates" / "进度更新.md").read_text("utf-8"))
    assert parsed.form is UPDATE and parsed.values == {}
    assert "### Progress (%)" in (repo / ".gitlab" / "issue_templates" / "进度更新.md").read_text("utf-8")
    (repo / "ptrack.yaml").write_text("forge: gitlab\nlocale: en\n", encoding="utf-8")
    assert run_cli("forms") == (
        0, "wrote .gitlab/issue_templates/Progress update.md, .gitlab/issue_templates/Report a risk.md\n", "")
    assert run_cli("forms", "--check") == (0, "", "")


def test_init_writes_the_forms_ptrack_forms_would_write(run_cli, tmp_path, monkeypatch):
    assert run_cli("init", tmp_path, "--as-of", "2025-03-03")[0] == 0
    written = {p: (tmp_path / p).read_text("utf-8") for p in (".github/ISSUE_TEMPLATE/ptrack-update.yml",
                                                             ".github/ISSUE_TEMPLATE/ptrack-risk.yml")}
    monkeypatch.chdir(tmp_path)
    assert run_cli("forms", "--check") == (0, "", "")
    assert _schema_check(*(tmp_path / p for p in written)).returncode == 0
