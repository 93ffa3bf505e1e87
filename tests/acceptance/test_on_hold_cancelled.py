"""On hold and cancelled, the same in every output: status (table, JSON, Markdown), check, the site
(dashboard, weekly report, status.json), notify, export and retro.

Calendar none, as of 2024-03-15:
- run: 3/1..3/20 (20 days), 70 %: planned 15 / 20 = 75, -5, green;
- held: 3/1..3/10, on hold at 10 %: planned 100, -90 — paused by decision: grey ("Set aside"),
  out of the focus list, the roll-ups and SPI; 5 days past its planned end: an on-hold notice;
- dropped: 3/5..3/25, cancelled (planned 11 / 21 = 52.4): grey, no deviation ("—", null), out of
  everything.
The campaign is the run task alone: planned 75, actual 70, -5.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

AS_OF = "2024-03-15"
CAMPAIGN = """\
ptrack: 1
campaign: {id: ohc, name: Pauses, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en}
tasks:
  - id: run
    name: Running
    planned: {start: 2024-03-01, end: 2024-03-20}
    actual: {start: 2024-03-01}
    progress: 70
    budget: {planned: 1000, spent: 700}
  - id: held
    name: Paused
    planned: {start: 2024-03-01, end: 2024-03-10}
    actual: {start: 2024-03-01}
    progress: 10
    status: on_hold
    budget: {planned: 5000, spent: 500}
  - id: dropped
    name: Dropped
    planned: {start: 2024-03-05, end: 2024-03-25}
    status: cancelled
"""


@pytest.fixture
def path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(CAMPAIGN, encoding="utf-8")
    return tmp_path / "c.yaml"


def test_status_table_json_and_markdown(run_cli, path):
    code, out, err = run_cli("status", "c.yaml", "--as-of", AS_OF, "--color", "never")
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith("Pauses (ohc) as of 2024-03-15: planned 75.0%, actual 70.0%, deviation -5.0")
    rows = {line.split()[0]: line for line in out.splitlines()[4:] if line}
    assert "-90.0  on hold      Set aside" in rows["held"]
    # cancelled: "—" for the deviation and the days behind, no forecast
    assert rows["dropped"].split()[7:] == ["—", "cancelled", "Set", "aside", "—", "-", "-", "-"]
    doc = json.loads(run_cli("status", "c.yaml", "--as-of", AS_OF, "--format", "json")[1])["campaigns"][0]
    tasks = {t["id"]: t for t in doc["tasks"]}
    assert [(t["health"], t["deviation"], t["focus"]) for t in tasks.values()] == [
        ("green", -5.0, False), ("grey", -90.0, False), ("grey", None, False)]
    # the roll-ups and SPI are the running task's alone: EV 700 / PV 750
    assert (doc["planned_progress"], doc["actual_progress"], doc["deviation"]) == (75.0, 70.0, -5.0)
    assert doc["evm"]["spi"] == 0.933 and doc["groups"]["owner"][0]["tasks"] == ["run"]
    md = run_cli("status", "c.yaml", "--as-of", AS_OF, "--format", "markdown")[1]
    # dropped 3/5..3/25: 11 of 21 days planned by 3/15, 52.4; no deviation
    assert "| dropped | Dropped | Work | - | - | 52.4 | 0.0 | — | cancelled | Set aside | — | - | - | - |" in md
    assert "| held | Paused | Work | - | - | 100.0 | 10.0 | -90.0 | on hold | Set aside |" in md


def test_check(run_cli, path):
    code, out, _ = run_cli("check", "c.yaml", "--as-of", AS_OF, "--format", "json")
    findings = [(f["rule"], f["severity"], f["task"]) for f in json.loads(out)["findings"]]
    # nothing about either but the on-hold notice: no deviation-behind, task-overdue or late-start
    assert [f for f in findings if f[2] in ("held", "dropped")] == [("on-hold", "notice", "held")]
    [held] = [f for f in json.loads(out)["findings"] if f["task"] == "held"]
    assert held["message"] == ('task "Paused" is on hold and 5 days past its planned end 2024-03-10: resume it, '
                               "re-plan it or cancel it")
    assert held["line"] == 15  # its status: on_hold


def test_site_report_and_status_json(run_cli, path, tmp_path):
    code, _, err = run_cli("build", "c.yaml", "--as-of", AS_OF, "--out", tmp_path / "site")
    assert (code, err) == (0, "")
    page = (tmp_path / "site" / "ohc" / "index.html").read_text(encoding="utf-8")
    for tid in ("held", "dropped"):
        row = page[page.index(f'<tr id="task-{tid}"'):]
        row = row[:row.index("</tr>")]
        assert 'data-health="grey"' in row and 'data-focus="0"' in row
        assert '<span class="pill health-grey">Set aside</span>' in row
    dropped = page[page.index('<tr id="task-dropped"'):]
    assert 'data-sort="">—</td>' in dropped[:dropped.index("</tr>")]
    focus = page[page.index('id="focus"'):page.index('id="critical"')]
    assert "Paused" not in focus and "Dropped" not in focus
    report = (tmp_path / "site" / "ohc" / "report.md").read_text(encoding="utf-8")
    assert "| Dropped |  |  |  |  |  | 2024-03-05 | 2024-03-25 |  |  | 52.4 | 0.0 | — | cancelled |" in report
    assert "| Paused |" in report and "⚪ Set aside" not in report.split("## Weekly review focus")[1].split("##")[0]
    built = json.loads((tmp_path / "site" / "ohc" / "status.json").read_text(encoding="utf-8"))["campaigns"][0]
    assert {t["id"]: (t["health"], t["deviation"]) for t in built["tasks"]} == {
        "run": ("green", -5.0), "held": ("grey", -90.0), "dropped": ("grey", None)}


def test_notify_export_and_retro(run_cli, path):
    code, out, _ = run_cli("notify", "c.yaml", "--as-of", AS_OF, "--dry-run", "--format", "json")
    assert code == 0
    assert "Paused" not in out and "Dropped" not in out  # no focus, no overdue, no health alarm
    code, out, _ = run_cli("export", "c.yaml", "--format", "csv", "-o", "-", "--as-of", AS_OF)
    rows = {r["Task ID"]: r for r in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))}
    assert (rows["dropped"]["Deviation (%)"], rows["dropped"]["Health"], rows["dropped"]["Status"]) == (
        "—", "Set aside", "cancelled")
    assert (rows["held"]["Deviation (%)"], rows["held"]["Health"], rows["held"]["Status"]) == (
        "-90", "Set aside", "on hold")
    code, out, _ = run_cli("retro", "c.yaml", "--as-of", AS_OF)
    assert code == 0
    # the paused task is unfinished, on hold; the cancelled one is not part of the outcome
    assert "| Paused (held) | 2024-03-10 | 10.0 | on hold |" in out
    assert "Dropped" not in out
    assert "| (none) | 1 | 75.0 | 70.0 | -5.0 |" in out  # the roll-ups: the running task alone
