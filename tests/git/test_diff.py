"""ptrack diff: every kind of change, the exact JSON, the Markdown, default revisions, the pull
request summary of `ptrack check`, and exit codes."""

from __future__ import annotations

import json
from datetime import date

from ptrack.core.compute import compute_snapshot
from ptrack.git.diff import diff_markdown, diff_snapshots, DiffReport, CampaignDiff
from ptrack.core.validate import load_campaign_bytes

AS_OF = date(2024, 3, 5)


def _rich(campaign, tasks_of):
    """A base plan with a bit of everything, and a head that changes each of them."""
    base = campaign()
    t = tasks_of(base)
    t["alpha"]["risks"] = [{"id": "assets", "issue": "Late assets", "due": "2024-03-20", "resolved": False}]
    t["beta"]["risks"] = [{"issue": "Budget cut", "due": "2024-03-20"}]
    base["tasks"].append({"id": "delta", "name": "Delta", "planned": {"start": "2024-03-01", "end": "2024-03-04"},
                          "progress": 100})
    base["risks"] = [{"issue": "Venue not booked", "due": "2024-03-25"}]
    base["milestones"] = [{"id": "m1", "name": "Assets final", "date": "2024-03-05"},
                          {"id": "m2", "name": "Launch", "date": "2024-03-15"},
                          {"id": "m3", "name": "Dropped", "date": "2024-03-20"}]
    base["goals"] = [{"id": "sales", "name": "Sales", "kind": "cumulative", "target": 100, "due": "2024-03-31",
                      "measurements": [{"date": "2024-03-01", "value": 10}]}]
    head = json.loads(json.dumps(base))
    h = tasks_of(head)
    head["campaign"]["end"] = "2024-04-02"
    h["alpha"]["planned"]["end"] = "2024-03-12"
    h["alpha"]["actual"] = {"start": "2024-03-02"}
    h["alpha"]["progress"] = 50
    h["alpha"]["risks"][0]["resolved"] = True
    h["beta"]["owner"] = "cy"
    h["beta"]["risks"][0]["due"] = "2024-03-04"
    head["tasks"] = [x for x in head["tasks"] if x["id"] != "delta"]
    head["tasks"].append({"id": "gamma", "name": "Gamma", "planned": {"start": "2024-03-06", "end": "2024-03-08"},
                          "risks": [{"issue": "Printer down", "due": "2024-03-07"}]})
    head["risks"] = []
    head["milestones"] = [{"id": "m1", "name": "Assets final", "date": "2024-03-05", "achieved": "2024-03-04"},
                          {"id": "m2", "name": "Launch", "date": "2024-03-18"},
                          {"id": "m4", "name": "Review", "date": "2024-03-28"}]
    head["goals"][0]["measurements"].append({"date": "2024-03-04", "value": 30})
    return base, head


def _snap(data, dump):
    result = load_campaign_bytes(dump(data).encode(), "c.yaml")
    assert result.ok, [d.format_text() for d in result.diagnostics]
    return compute_snapshot(result.campaign, as_of=AS_OF)


def test_every_kind(campaign, tasks_of, dump):
    base, head = _rich(campaign, tasks_of)
    changes = [(c.task, c.kind, c.field, c.old, c.new, c.delta_days)
               for c in diff_snapshots(_snap(base, dump), _snap(head, dump))]
    expected = [
        (None, "dates-moved", "campaign.end", "2024-03-31", "2024-04-02", 2),
        (None, "progress", "planned_progress", 41.2, 28.6, None),
        (None, "progress", "actual_progress", 11.8, 17.1, None),
        (None, "health", "health", "red", "amber", None),
        ("alpha", "dates-moved", "planned.end", "2024-03-10", "2024-03-12", 2),
        ("alpha", "actual-dates", "actual.start", None, "2024-03-02", None),
        ("alpha", "progress", "actual_progress", 0.0, 50.0, None),
        ("alpha", "status", "status", "not_started", "in_progress", None),
        ("alpha", "health", "health", "red", "green", None),
        ("beta", "owner-reassigned", "owner", "bob", "cy", None),
        ("gamma", "task-added", None, None, "Gamma", None),
        ("delta", "task-removed", None, "Delta", None, None),
        ("alpha", "risk-resolved", "Late assets", "open", "resolved", None),
        ("beta", "risk-overdue", "Budget cut", "open", "overdue", None),
        ("gamma", "risk-opened", "Printer down", None, "open", None),
        (None, "risk-removed", "Venue not booked", "open", None, None),
        (None, "milestone-achieved", "m1", None, "2024-03-04", -1),
        (None, "milestone-moved", "m2", "2024-03-15", "2024-03-18", 3),
        (None, "milestone-added", "m4", None, "Review", None),
        (None, "milestone-removed", "m3", "Dropped", None, None),
        (None, "goal-measurement", "sales", None, {"date": "2024-03-04", "value": 30.0}, None),
    ]
    assert changes == expected
    # The roll-ups by hand (calendar none, weights = planned days, as of 03-05):
    # base: alpha 50.0 planned (5/10 days, weight 10), beta 25.0 (5/20, 20), delta 100.0 (done
    #   03-04, weight 4): planned (500 + 500 + 400)/34 = 41.2, actual 400/34 = 11.8, deviation
    #   -29.4 -> red.
    # head: alpha 41.7 (5/12, weight 12) actual 50, beta 25.0 / 0, gamma 0 / 0 (starts 03-06,
    #   weight 3): planned (12*41.7 + 500)/35 = 28.6, actual 600/35 = 17.1, deviation -11.5 ->
    #   amber. The campaign was already in progress (delta done), so no status change.


def test_unchanged_tasks_are_not_listed(campaign, dump):
    data = campaign()
    assert diff_snapshots(_snap(data, dump), _snap(data, dump)) == []


def _two_commits(repo, campaign, tasks_of):
    data = campaign()
    path = repo.write("campaigns/demo.yaml", data)
    first = repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    tasks_of(data)["alpha"]["planned"]["end"] = "2024-03-12"
    tasks_of(data)["alpha"]["progress"] = 20
    repo.write("campaigns/demo.yaml", data)
    return path, first, data


def test_cli_json_exact_working_tree_against_head(make_repo, campaign, tasks_of, run_cli):
    repo = make_repo()
    path, first, _ = _two_commits(repo, campaign, tasks_of)
    code, out, err = run_cli("diff", str(path), "--base", "HEAD", "--format", "json", "--as-of", "2024-03-05")
    assert (code, err) == (0, "")
    c = {"campaign": "demo", "delta_days": None}
    # Planned, as of 03-05: base (10*50.0 + 20*25.0)/30 = 33.3; head alpha 5/12 = 41.7 with weight
    # 12: (12*41.7 + 20*25.0)/32 = 31.3. Actual: head (12*20)/32 = 7.5.
    assert json.loads(out) == {"base": first, "head": None, "changes": [
        {**c, "task": None, "kind": "progress", "field": "planned_progress", "old": 33.3, "new": 31.3},
        {**c, "task": None, "kind": "progress", "field": "actual_progress", "old": 0.0, "new": 7.5},
        {**c, "task": None, "kind": "status", "field": "status", "old": "not_started", "new": "in_progress"},
        {**c, "task": "alpha", "kind": "dates-moved", "field": "planned.end", "old": "2024-03-10",
         "new": "2024-03-12", "delta_days": 2, "reason": None},
        {**c, "task": "alpha", "kind": "progress", "field": "actual_progress", "old": 0.0, "new": 20.0},
        {**c, "task": "alpha", "kind": "status", "field": "status", "old": "not_started", "new": "in_progress"},
    ]}


def test_cli_markdown_and_default_base(make_repo, campaign, tasks_of, run_cli, monkeypatch):
    repo = make_repo()
    path, first, _ = _two_commits(repo, campaign, tasks_of)
    second = repo.commit("2024-03-02T10:00:00+08:00", "Bob")
    monkeypatch.chdir(repo.root / "campaigns")
    code, out, err = run_cli("diff", "demo.yaml", "--as-of", "2024-03-05")  # base HEAD~1, head: working tree
    assert (code, err) == (0, "")
    assert out == (
        "## Plan changes\n\n"
        "### Demo launch (`demo`)\n\n"
        f"`demo.yaml`: `{first[:7]}` → the working tree, both computed as of 2024-03-05.\n\n"
        "- **Campaign**\n"
        "  - planned progress 33.3% → 31.3%\n"
        "  - actual progress 0.0% → 7.5%\n"
        "  - status not started → in progress\n"
        "- **Alpha** (`alpha`)\n"
        "  - planned end moved 2024-03-10 → 2024-03-12 (+2 working days)\n"
        "  - actual progress 0.0% → 20.0%\n"
        "  - status not started → in progress\n")
    code, out, _ = run_cli("diff", "demo.yaml", "--base", first, "--head", second, "--format", "json",
                           "--as-of", "2024-03-05")
    assert code == 0 and json.loads(out)["head"] == second
    code, out, _ = run_cli("diff", "demo.yaml", "--base", "HEAD", "--lang", "zh-CN", "--as-of", "2024-03-05")
    assert out.startswith("## 计划变更\n") and "计划没有变化。" in out


def test_markdown_of_the_rich_case_reads_in_words(campaign, tasks_of, dump):
    base, head = _rich(campaign, tasks_of)
    changes = diff_snapshots(_snap(base, dump), _snap(head, dump))
    report = DiffReport("a" * 40, None, AS_OF, [CampaignDiff("c.yaml", "demo", "Demo launch", "en", changes,
                                                             {"cy": "Cy Chen"})])
    text = diff_markdown(report)
    for phrase in ("campaign end moved 2024-03-31 → 2024-04-02 (+2 working days)",
                   "actual start recorded: 2024-03-02", "health red → green",
                   "owner reassigned: bob → Cy Chen", "- **Gamma** (`gamma`)\n  - new task",
                   "- **Delta** (`delta`)\n  - task removed", 'risk resolved: "Late assets"',
                   'risk now past its deadline: "Budget cut"', 'risk opened: "Printer down"',
                   'risk removed: "Venue not booked"', "milestone **Assets final** achieved 2024-03-04 "
                   "(1 working day early)", "milestone **Launch** moved 2024-03-15 → 2024-03-18 (+3 working days)",
                   "milestone **Review** added", "milestone **Dropped** removed",
                   "goal **Sales**: 30 measured on 2024-03-04"):
        assert phrase in text, phrase


def test_github_base_ref_merge_base_and_check_summary(make_repo, campaign, tasks_of, run_cli, monkeypatch,
                                                      tmp_path):
    repo = make_repo()
    data = campaign()
    path = repo.write("c.yaml", data)
    base = repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    repo.git("checkout", "-q", "-b", "feature")
    tasks_of(data)["beta"]["owner"] = "cy"
    repo.write("c.yaml", data)
    repo.commit("2024-03-02T10:00:00+08:00", "Bob")
    tasks_of(data)["beta"]["progress"] = 10
    repo.write("c.yaml", data)
    repo.commit("2024-03-03T10:00:00+08:00", "Bob")
    monkeypatch.setenv("GITHUB_BASE_REF", "main")
    code, out, _ = run_cli("diff", str(path), "--format", "json", "--as-of", "2024-03-05")
    doc = json.loads(out)
    assert code == 0 and doc["base"] == base  # the merge base, not HEAD~1
    kinds = [(c["task"], c["kind"]) for c in doc["changes"]]
    assert ("beta", "owner-reassigned") in kinds and ("beta", "progress") in kinds
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = run_cli("check", str(path), "--as-of", "2024-03-02")
    text = summary.read_text()
    assert code == 0 and "## ptrack check" in text
    assert "## Plan changes" in text and "owner reassigned: bob → cy" in text
    # A diff that cannot be made is a note; the check's own result stands.
    summary.write_text("")
    monkeypatch.setenv("GITHUB_BASE_REF", "no-such-branch")
    code, out, err = run_cli("check", str(path), "--as-of", "2024-03-02")
    assert code == 0 and "## ptrack check" in summary.read_text() and "Plan changes" not in summary.read_text()
    assert "no plan diff in the step summary" in err and "fetch-depth: 0" in err


def test_gitlab_merge_request_base(make_repo, campaign, tasks_of, run_cli, monkeypatch):
    """In a GitLab merge-request pipeline the diff starts where the merge request left its target:
    CI_MERGE_REQUEST_DIFF_BASE_SHA, else the merge base with CI_MERGE_REQUEST_TARGET_BRANCH_NAME."""
    repo = make_repo()
    data = campaign()
    path = repo.write("c.yaml", data)
    base = repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    repo.git("checkout", "-q", "-b", "feature")
    for progress in (10, 20):  # two commits on the branch: HEAD~1 would show only the last
        tasks_of(data)["beta"]["progress"] = progress
        repo.write("c.yaml", data)
        repo.commit("2024-03-02T10:00:00+08:00", "Bob")
    repo.git("checkout", "-q", "main")
    repo.write("other.txt", "main moved on\n")
    repo.commit("2024-03-03T10:00:00+08:00", "Ann")
    repo.git("checkout", "-q", "feature")

    def diff_base():
        code, out, err = run_cli("diff", str(path), "--format", "json", "--as-of", "2024-03-05")
        assert code == 0, err
        doc = json.loads(out)
        # both commits of the branch: beta from no progress to 20
        assert [(c["old"], c["new"]) for c in doc["changes"] if c["kind"] == "progress" and c["task"] == "beta"] == [
            (0.0, 20.0)]
        return doc["base"]

    monkeypatch.setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main")
    assert diff_base() == base  # the merge base, not main's head nor HEAD~1
    monkeypatch.setenv("CI_MERGE_REQUEST_DIFF_BASE_SHA", base)
    assert diff_base() == base
    # a diff base this clone does not have (a shallow clone): the target branch instead
    monkeypatch.setenv("CI_MERGE_REQUEST_DIFF_BASE_SHA", "0" * 40)
    assert diff_base() == base
    monkeypatch.setenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "no-such-branch")
    code, _, err = run_cli("diff", str(path), "--as-of", "2024-03-05")
    assert code == 2 and "CI_MERGE_REQUEST_TARGET_BRANCH_NAME" in err and 'GIT_DEPTH: "0"' in err


def test_exit_codes(make_repo, campaign, run_cli, tmp_path, dump):
    repo = make_repo()
    path = repo.write("c.yaml", campaign())
    repo.commit("2024-03-01T10:00:00+08:00")
    code, _, err = run_cli("diff", str(path))
    assert code == 2 and "single commit" in err  # no HEAD~1
    code, _, err = run_cli("diff", str(path), "--base", "nope")
    assert code == 2 and '"nope" is not a commit' in err
    path.write_text("ptrack: 1\ncampaign: {}\ntasks: []\n")
    code, _, err = run_cli("diff", str(path), "--base", "HEAD")
    assert code == 1 and "c.yaml（工作区）不是有效的活动文件（4 个错误）；未比较" in err  # no locale: zh-CN
    plain = tmp_path / "plain.yaml"
    plain.write_text(dump(campaign()))
    code, _, err = run_cli("diff", str(plain), "--base", "HEAD")
    assert code == 2 and "not in a git repository" in err and "Traceback" not in err


def test_renamed_file_is_found_at_the_base(make_repo, campaign, tasks_of, run_cli):
    repo = make_repo()
    data = campaign()
    repo.write("old.yaml", data)
    first = repo.commit("2024-03-01T10:00:00+08:00")
    repo.git("mv", "old.yaml", "new.yaml")
    tasks_of(data)["beta"]["owner"] = "dee"
    path = repo.write("new.yaml", data)
    repo.commit("2024-03-02T10:00:00+08:00")
    code, out, _ = run_cli("diff", str(path), "--base", first, "--head", "HEAD", "--format", "json")
    assert code == 0
    assert [(c["task"], c["kind"], c["new"]) for c in json.loads(out)["changes"]] == [("beta", "owner-reassigned", "dee")]


def test_how_tasks_are_set_up(make_repo, campaign, tasks_of, run_cli):
    """Names, grouping, collaborators, dependencies, budget and weight: changes a reviewer must
    see, though none of them moves a date or the progress here."""
    repo = make_repo()
    data = campaign()
    t = tasks_of(data)
    t["alpha"].update(module="内容", budget={"planned": 10000})
    path = repo.write("c.yaml", data)
    first = repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    data["campaign"]["name"] = "Demo launch 2"
    t["alpha"].update(name="Alpha v2", module="渠道", collaborators=["bob", "cy"],
                      budget={"planned": 12000, "spent": 3000.5})
    # beta's weight by default is its 20 planned working days (calendar none): 20 changes no roll-up
    t["beta"].update(department="市场部", depends_on=["alpha"], weight=20)
    repo.write("c.yaml", data)
    code, out, err = run_cli("diff", str(path), "--base", first, "--format", "json", "--as-of", "2024-03-05")
    assert (code, err) == (0, "")
    assert [(c["task"], c["kind"], c["field"], c["old"], c["new"]) for c in json.loads(out)["changes"]] == [
        (None, "renamed", "name", "Demo launch", "Demo launch 2"),
        ("alpha", "renamed", "name", "Alpha", "Alpha v2"),
        ("alpha", "regrouped", "module", "内容", "渠道"),
        ("alpha", "collaborators", "collaborators", [], ["bob", "cy"]),
        ("alpha", "budget", "budget.planned", 10000.0, 12000.0),
        ("alpha", "budget", "budget.spent", None, 3000.5),
        ("beta", "regrouped", "department", None, "市场部"),
        ("beta", "dependencies", "depends_on", [], ["alpha"]),
        ("beta", "weight", "weight", None, 20.0),
    ]
    code, out, _ = run_cli("diff", str(path), "--base", first, "--as-of", "2024-03-05")
    assert code == 0 and out.endswith(
        "- **Campaign**\n"
        "  - renamed: Demo launch → Demo launch 2\n"
        "- **Alpha v2** (`alpha`)\n"
        "  - renamed: Alpha → Alpha v2\n"
        "  - module 内容 → 渠道\n"
        "  - collaborators — → bob, cy\n"
        "  - budget 10,000 → 12,000\n"
        "  - spent — → 3,000.5\n"
        "- **Beta** (`beta`)\n"
        "  - department — → 市场部\n"
        "  - depends on — → Alpha v2\n"  # the task by its name
        "  - weight — → 20\n")
    code, out, _ = run_cli("diff", str(path), "--base", first, "--lang", "zh-CN", "--as-of", "2024-03-05")
    for line in ("  - 更名：Demo launch → Demo launch 2\n", "  - 所属模块 内容 → 渠道\n", "  - 协作人 — → bob, cy\n",
                 "  - 预算 10,000 → 12,000\n", "  - 已花费 — → 3,000.5\n", "  - 所属部门 — → 市场部\n",
                 "  - 前置任务 — → Alpha v2\n", "  - 权重 — → 20\n"):
        assert line in out, line
