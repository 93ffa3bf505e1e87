"""``ptrack update`` does all of the seed's updates (issue 17 §6), through the command line: a
milestone achieved with its results, any risk resolved by its id (a task's or the campaign's),
a dated note, and ``--date`` / ``today`` from the as-of date rules (``--as-of``, else
``PTRACK_AS_OF``, else the clock, at the CLI only)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "campaign.yaml"


@pytest.fixture
def campaign(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()  # ptrack.yaml is looked for up to here
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "c.yaml"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


def data(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8"))


def milestone(path: Path, mid: str) -> dict:
    return next(m for m in data(path)["milestones"] if m["id"] == mid)


def test_a_milestone_achieved_with_its_results(run_cli, campaign):
    code, out, err = run_cli("update", "c.yaml", "--milestone", "mid-review", "--achieved", "2024-04-19",
                             "--result", "exposure=9,800,000", "--result", "dealers=150", "--lang", "en")
    assert (code, err) == (0, "")
    assert out == ("c.yaml: milestone mid-review: achieved 2024-04-19, results.exposure 9800000, "
                   "results.dealers 150\n")
    assert milestone(campaign, "mid-review")["achieved"] == date(2024, 4, 19)
    assert milestone(campaign, "mid-review")["results"] == {"exposure": 9800000, "dealers": 150}
    assert "    achieved: 2024-04-19\n    results: {exposure: 9800000, dealers: 150}\n" in campaign.read_text("utf-8")
    # a result recorded again replaces its value; the others stay
    assert run_cli("update", "c.yaml", "--milestone", "first-wave-live", "--result", "exposure=2100000") == (
        0, "c.yaml：里程碑 first-wave-live：results.exposure 2000000 → 2100000\n", "")
    assert milestone(campaign, "first-wave-live")["results"] == {"exposure": 2100000, "dealers": 40}
    assert run_cli("validate", "c.yaml")[0] == 0


def test_achieved_today_is_the_as_of_date(run_cli, campaign, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", "2024-05-06")
    assert run_cli("update", "c.yaml", "--milestone", "may-day-wrap", "--achieved", "today", "--lang", "en")[1] == (
        "c.yaml: milestone may-day-wrap: achieved 2024-05-06\n")
    # --as-of wins over PTRACK_AS_OF
    assert run_cli("update", "c.yaml", "--milestone", "campaign-close", "--achieved", "today", "--as-of", "2024-06-03",
                   "--lang", "en")[1] == "c.yaml: milestone campaign-close: achieved 2024-06-03\n"


def test_a_milestone_names_what_the_file_has(run_cli, campaign):
    before = campaign.read_bytes()
    assert run_cli("update", "c.yaml", "--milestone", "mid-reveiw", "--achieved", "2024-04-19", "--lang", "en") == (
        1, "", 'ptrack: error: c.yaml: no milestone "mid-reveiw" (did you mean "mid-review"?)\n')
    assert run_cli("update", "c.yaml", "--milestone", "mid-review", "--result", "exposures=1", "--lang", "en") == (
        1, "", 'ptrack: error: c.yaml: no goal "exposures" (did you mean "exposure"?)\n')
    assert campaign.read_bytes() == before


def test_resolve_a_tasks_risk_by_id_and_a_campaign_risk(run_cli, campaign, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", "2024-04-11")
    assert run_cli("update", "c.yaml", "kol-seeding", "--resolve-risk", "kol-schedule-conflict", "--lang", "en") == (
        0, "c.yaml: task kol-seeding: risks[1].resolved false -> 2024-04-11\n", "")
    # no TASK_ID: a risk of the campaign's own list, by id or by number; --date says when
    assert run_cli("update", "c.yaml", "--resolve-risk", "competitor-launch", "--date", "2024-04-20",
                   "--lang", "en") == (0, "c.yaml: campaign spring-launch-2024: risks[1].resolved false -> 2024-04-20\n",
                                       "")
    risks = data(campaign)["risks"]
    assert risks[0]["resolved"] == date(2024, 4, 20) and risks[1]["resolved"] == date(2024, 4, 1)
    assert run_cli("update", "c.yaml", "--resolve-risk", "competitor-lanch", "--lang", "en") == (
        1, "", 'ptrack: error: c.yaml: no risk "competitor-lanch" (did you mean "competitor-launch"?)\n')
    assert run_cli("update", "c.yaml", "--resolve-risk", "3", "--lang", "en") == (
        1, "", "ptrack: error: c.yaml: the campaign has 2 risk(s); --resolve-risk takes 1..2\n")


def test_a_note_is_dated_by_date_else_the_as_of_date(run_cli, campaign, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", "2024-04-16")
    assert run_cli("update", "c.yaml", "retro-report", "--note", "先写大纲")[0] == 0
    assert run_cli("update", "c.yaml", "retro-report", "--note", "数据已到", "--date", "2024-04-17")[0] == 0
    task = next(t for t in data(campaign)["tasks"] if t["id"] == "retro-report")
    assert task["notes"] == "2024-04-16 先写大纲\n2024-04-17 数据已到"


@pytest.mark.parametrize("args, message", [
    (["--milestone", "mid-review"], "--milestone needs --achieved D and/or --result GOAL=VALUE"),
    (["--achieved", "2024-04-19"], "--achieved and --result go with --milestone ID"),
    (["--milestone", "mid-review", "--result", "exposure"], '--result: "exposure" is not GOAL=VALUE (e.g. exposure=2000000)'),
    (["--milestone", "mid-review", "--result", "exposure=lots"], '--result: "lots" is not a number'),
    (["--milestone", "mid-review", "--achieved", "2024-13-01"], '--achieved: "2024-13-01" is not a date; write YYYY-MM-DD'),
    (["kol-seeding", "--milestone", "mid-review", "--achieved", "today"],
     "--milestone records a milestone; give either TASK_ID and task options or --milestone"),
    (["--resolve-risk", "Risk 1"], '--resolve-risk: "Risk 1" is not a risk: write its id or its number in the list (1 = the first)'),
    (["--resolve-risk", "0"], '--resolve-risk: "0" is not a risk: write its id or its number in the list (1 = the first)'),
    (["--note", "x"], "give a TASK_ID for --progress, --start, --end, --done and --note"),
    (["kol-seeding", "--note", "x", "--date", "tomorrow"], '--date: "tomorrow" is not a date; write YYYY-MM-DD'),
    (["kol-seeding", "--note", "x", "--as-of", "soon"], '--as-of: "soon" is not a date; write YYYY-MM-DD'),
    (["kol-seeding", "--progress", "5", "--mode", "commit"], "--mode goes with --from-issue"),
])
def test_usage_errors(run_cli, campaign, args, message):
    before = campaign.read_bytes()
    assert run_cli("update", "c.yaml", *args, "--lang", "en") == (2, "", f"ptrack: error: {message}\n")
    assert campaign.read_bytes() == before


def test_from_issue_takes_no_other_option(run_cli, campaign, write):
    write("body.md", "### Campaign ID\n\nspring-launch-2024\n")
    assert run_cli("update", "c.yaml", "--from-issue", "body.md", "--lang", "en") == (
        2, "", "ptrack: error: --from-issue reads everything from the form; drop PATH\n")
    assert run_cli("update", "--from-issue", "body.md", "--progress", "5", "--date", "2024-04-01", "--lang", "en") == (
        2, "", "ptrack: error: --from-issue reads everything from the form; drop --progress, --date\n")
    # without --lang: ptrack.yaml's locale, else zh-CN
    assert run_cli("update", "--progress", "5") == (
        2, "", "ptrack：错误：请指定活动文件：ptrack update PATH TASK_ID [选项]（或 --from-issue FILE）\n")


def test_help_documents_the_date(run_cli):
    code, out, _ = run_cli("update", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert "--date YYYY-MM-DD The day recorded for a risk resolution, a goal measurement and a note (default: the " \
           "as-of date: --as-of, else $PTRACK_AS_OF, else today)." in flat
    assert "ptrack update PATH --milestone ID [--achieved D] [--result GOAL=VALUE ...]" in out
