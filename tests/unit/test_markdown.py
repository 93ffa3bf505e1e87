"""The weekly report (Markdown) and the Mermaid Gantt: golden files, escaping, Mermaid grammar."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ptrack.i18n import tracking_headers
from ptrack.render.markdown import (focus_tasks, mermaid_gantt, mermaid_id, mermaid_label, render_report,
                                    sorted_open_risks)

from tests.helpers import EXAMPLE_AS_OF

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
AS_OF = EXAMPLE_AS_OF


def assert_golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; PTRACK_UPDATE_GOLDEN=1 rewrites it instead."""
    path = GOLDEN / name
    if os.environ.get("PTRACK_UPDATE_GOLDEN") == "1":
        path.write_bytes(text.encode("utf-8"))
        return
    expected = path.read_bytes().decode("utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                            f"golden/{name}", "now", n=2))
        pytest.fail(f"{name} differs from the golden file (PTRACK_UPDATE_GOLDEN=1 to accept):\n{diff[:6000]}")




# -- golden files ------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_report_matches_golden(example, locale):
    assert_golden(f"report.{locale}.md", render_report(example, locale=locale))


def test_gantt_matches_golden(example):
    assert_golden("gantt.mmd", mermaid_gantt(example, locale="zh-CN"))


def test_report_defaults_to_the_campaign_locale_and_embeds_the_gantt(example):
    report = render_report(example, locale=None)
    assert report == render_report(example, locale="zh-CN")
    assert "```mermaid\n" + mermaid_gantt(example, locale="zh-CN") + "```\n" in report
    assert report.endswith("\n") and not report.endswith("\n\n")
    assert not any(line != line.rstrip() for line in report.splitlines())


# -- content -----------------------------------------------------------------------------------

def test_summary_shows_figures_health_label_and_evm(example):
    report = render_report(example, locale="en")
    assert report.startswith("# 新品上市综合营销推广: weekly report as of 2024-04-15\n")
    # campus-popup (on hold) is out of the roll-up; ecom-promo and wechat-community are timeboxes
    # (their actual % is the elapsed share since their actual start, not a typed 35 and 20)
    for row in ("| Planned progress | 53.6% |", "| Actual progress | 48.2% |", "| Deviation (points) | -5.4 |",
                "| Status | in progress |", "| Health | 🟡 amber |", "| Schedule | 2 working days behind |",
                "| Forecast finish | 2024-06-05 (planned end 2024-05-31) |",
                '| Forecast set by | set by "经销商招募与签约": the remaining work at the planned pace |',
                "| Risks | 2 overdue, 1 due soon, 3 open, 5 resolved |"):
        assert row in report, row
    assert "| Schedule performance index (SPI) | 0.91 |" in report
    assert "| Cost performance index (CPI) | 1.02 |" in report


def test_focus_list_is_tasks_behind_more_than_warn_most_behind_first(example):
    # deviation_warn is 10 and min_days_behind 2: ab-test -30 (4 days), kol-seeding -25 (5),
    # store-launch -24.7 (3), dealer-recruit -12.7 (7), xhs-notes -12.5 (3); campus-popup (on hold,
    # -60) is a decision, not a delay, and user-research (cancelled) has no deviation: left out.
    assert [ts.task.id for ts in focus_tasks(example)] == [
        "ab-test", "kol-seeding", "store-launch", "dealer-recruit", "xhs-notes"]
    report = render_report(example, locale="zh-CN")
    assert "落后计划超过 10 个百分点、且落后至少 2 个工作日的任务：5 项。" in report
    assert ("| 达人合作种草 | 王雪 | 100.0 | 75.0 | -25.0 | 5 | 延期 | 🔴 严重 | "
            "🔴 2位头部达人档期冲突，另有3位腰部达人内容未过审，合作顺延 |") in report


def test_risks_overdue_first_then_due_soon_then_open(example):
    risks = sorted_open_risks(example)
    assert [(r.state, r.due_soon) for r in risks][:3] == [("overdue", False), ("overdue", False), ("open", True)]
    assert [r.risk.id for r in risks] == ["kol-schedule-conflict", "ab-test-staffing", "store-props-late",
                                          "campus-venue-denied", "competitor-launch", "dealer-east-slow"]
    assert "已解决风险：5 项。" in render_report(example, locale="zh-CN")


def test_tracking_table_has_the_seed_columns_in_both_languages(example):
    for locale in ("zh-CN", "en"):
        report = render_report(example, locale=locale)
        header = "| " + " | ".join(tracking_headers(locale, extra=False)) + " |"
        assert header in report
    en = render_report(example, locale="en")
    assert "| Task | Description | Module | Owner | Collaborators | Department | Planned start |" in en
    assert "| 素材需求变更，增加1套风格 (resolved 2024-03-06) |" in en


# -- Markdown escaping -------------------------------------------------------------------------

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _tables(text: str) -> list[list[str]]:
    tables, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def test_hostile_strings_are_escaped_in_markdown(hostile):
    report = render_report(hostile, locale="en")
    before_gantt, _, rest = report.partition("```mermaid\n")
    gantt, _, after_gantt = rest.partition("```\n")
    markdown = before_gantt + after_gantt
    assert "<script>" not in report and "<b>" not in report and "<i>" not in report
    assert "\\<script\\>alert(1)\\</script\\>" in markdown
    assert "A \\| B" in markdown and "Mallory \\| \\<b\\>boss\\</b\\>" in markdown
    assert "Multi line name" in markdown  # LF and CRLF in a name became spaces
    assert "\r" not in report
    assert "# Evil \\| \\<script\\>alert(1)\\</script\\> #1; a:b: weekly report as of 2024-04-15" in report
    # every table row has exactly as many cells as its header: no user string split a row
    tables = _tables(markdown)
    assert len(tables) >= 6
    for table in tables:
        width = len(_UNESCAPED_PIPE.findall(table[0]))
        for line in table:
            assert len(_UNESCAPED_PIPE.findall(line)) == width, line
    # two risks of one task: one line each, joined by <br> (the only raw tag in the report)
    assert "| =1+1<br>line1 line2 (resolved 2024-03-05)<br>semi; colon, back\\\\slash | " in markdown
    assert set(re.findall(r"(?<!\\)<[^>]*>", markdown)) == {"<br>"}


# -- Mermaid -----------------------------------------------------------------------------------

def test_mermaid_label_escapes_statement_characters():
    assert mermaid_label("a:b#c;d%e") == "a：b＃c；d％e"
    assert mermaid_label("<script>alert(1)</script>") == "＜script＞alert(1)＜/script＞"
    assert mermaid_label("```\n{x}") == "｀｀｀ ｛x｝"
    assert mermaid_label("Multi\nline\r\nname") == "Multi line name"
    assert mermaid_label("  ") == "-"
    # a label starting with a gantt keyword (case-insensitive) would be read as that statement
    for text in ("title x", "Section x", "click me", "call x", "excludes weekends", "2024-03-01 x", "gantt",
                 "todayMarker on", "accDescr x", "vert"):
        assert mermaid_label(text) == "\u200b" + text
    assert mermaid_label("titles and more") == "titles and more"
    assert mermaid_label("标题 title") == "标题 title"


def test_mermaid_ids_are_safe_and_distinct():
    assert mermaid_id("t", "poster-draft") == "t_poster_draft"
    assert mermaid_id("m", "2024-03-01") == "m_2024_03_01"
    assert mermaid_id("t", "a-b") != mermaid_id("m", "a-b")


_DATA = re.compile(r"((done|active|crit|milestone), )*[tm]_[a-z0-9_]+, \d{4}-\d{2}-\d{2}, \d+d")
# Statements the gantt lexer of mermaid 11 recognises at the start of a line (case-insensitive),
# copied from its grammar; a label must not begin with one. JS \b is ASCII-only: re.ASCII.
_KEYWORDS = re.compile(
    r"%|accTitle\s*:|accDescr\s*[:{]|href\s+\"|call\s+|click\s+|gantt\b|dateFormat\s|inclusiveEndDates\b|"
    r"topAxis\b|axisFormat\s|tickInterval\s|includes\s|excludes\s|todayMarker\s|"
    r"weekday\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|weekend\s+(friday|saturday)\b|"
    r"\d\d\d\d-\d\d-\d\d\b|title\s|accDescription\s|section\s|.%", re.IGNORECASE | re.ASCII)
_FORBIDDEN = set(":#;%<>`{}\r\n")


def assert_valid_gantt(text: str) -> list[tuple[str, str, str]]:
    """Every line is one of the gantt statements ptrack writes, and every free text is safe in
    old and new Mermaid lexers. Returns (kind, text, data) per line."""
    assert text.endswith("\n")
    lines = text[:-1].split("\n")
    assert lines[0] == "gantt"
    assert lines[2:5] == ["    dateFormat YYYY-MM-DD", "    axisFormat %m-%d", "    todayMarker off"]
    parsed = []
    for line in lines[1:]:
        if line in lines[2:5]:
            continue
        m = re.fullmatch(r"    (title|section) (.+)", line)
        if m:
            kind, free, data = m.group(1), m.group(2), ""
        else:
            m = re.fullmatch(r"    ([^:]+) :(.+)", line)
            assert m, f"not a gantt statement: {line!r}"
            kind, free, data = "task", m.group(1), m.group(2)
            assert _DATA.fullmatch(data), line
            assert not _KEYWORDS.match(free), line
        assert free.strip() and not (set(free) & _FORBIDDEN), line
        parsed.append((kind, free, data))
    return parsed


def test_example_gantt_is_valid_and_complete(example):
    parsed = assert_valid_gantt(mermaid_gantt(example, locale="zh-CN"))
    sections = [f for k, f, _ in parsed if k == "section"]
    assert sections == ["内容营销", "渠道推广", "活动落地", "数据监测", "里程碑"]
    tasks = {d.split(", ")[-3]: d for k, _, d in parsed if k == "task"}
    assert "t_user_research" not in tasks  # cancelled
    assert len(tasks) == 26 + 5
    assert tasks["t_key_messages"] == "done, t_key_messages, 2024-03-01, 5d"
    assert tasks["t_kol_seeding"] == "crit, active, t_kol_seeding, 2024-03-18, 26d"
    assert tasks["t_dealer_training"] == "t_dealer_training, 2024-04-22, 26d"
    assert tasks["m_assets_final"] == "done, milestone, m_assets_final, 2024-03-11, 0d"
    assert tasks["m_mid_review"] == "milestone, m_mid_review, 2024-04-19, 0d"


def test_hostile_gantt_is_valid(hostile):
    text = mermaid_gantt(hostile, locale="en")
    parsed = assert_valid_gantt(text)
    assert "<script>" not in text and "```" not in text
    labels = [f for k, f, _ in parsed if k == "task"]
    assert "\u200btitle： ｀rm -rf｀ ＃1； 5％ off 50％" in labels
    assert "\u200bclick me" in labels
    assert "\u200b2024-03-01 excludes weekends 0％" in labels
    assert "\u200btitle secret" in labels
    assert ("section", "Mod|ule ＜i＞x＜/i＞： ＃1；", "") in parsed
    assert ("section", "｀｀｀", "") in parsed


# -- the real Mermaid parser, where Node and the mermaid package are available -------------------

_NODE_SCRIPT = r"""
import { createRequire } from 'module';
import { pathToFileURL } from 'url';
import path from 'path';
import fs from 'fs';
const nm = process.argv[2];
const require = createRequire(path.join(nm, 'noop.js'));
const { JSDOM } = require('jsdom');
const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window; globalThis.document = dom.window.document;
const { default: mermaid } = await import(pathToFileURL(path.join(nm, 'mermaid/dist/mermaid.core.mjs')).href);
mermaid.initialize({ startOnLoad: false });
const out = [];
for (const file of process.argv.slice(3)) {
  const d = await mermaid.mermaidAPI.getDiagramFromText(fs.readFileSync(file, 'utf8'));
  const pad = (n) => String(n).padStart(2, '0');
  const day = (t) => `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())}`;
  out.push({title: d.db.getDiagramTitle(), tasks: d.db.getTasks().map(t => ({
    id: t.id, task: t.task, section: t.section, start: day(t.startTime), end: day(t.endTime),
    milestone: !!t.milestone, crit: !!t.crit, active: !!t.active, done: !!t.done}))});
}
console.log(JSON.stringify(out));
"""


def _mermaid_node_modules() -> Path | None:
    candidates = [os.environ.get("PTRACK_MERMAID_NODE_MODULES"), str(ROOT / ".tools" / "node_modules")]
    if shutil.which("npm"):
        try:
            candidates.append(subprocess.run(["npm", "root", "-g"], capture_output=True, text=True,
                                             timeout=20).stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    for c in candidates:
        if c and (Path(c) / "mermaid" / "package.json").is_file() and (Path(c) / "jsdom").is_dir():
            return Path(c)
    return None


def test_gantt_parses_with_mermaid_js(example, hostile, tmp_path):
    """Mermaid's own parser reads every task with the intended name, id, dates and markers.
    Needs node plus the npm packages mermaid and jsdom (npm install -g mermaid jsdom, or
    PTRACK_MERMAID_NODE_MODULES=/path/to/node_modules)."""
    nm = _mermaid_node_modules()
    if not shutil.which("node") or nm is None:
        if os.environ.get("CI"):  # scripts/test.sh installs them into .tools: CI must run this
            pytest.fail("node with the mermaid and jsdom packages is missing (scripts/test.sh installs them)")
        pytest.skip("node with the mermaid and jsdom packages is not installed (scripts/test.sh installs them)")
    files = []
    for name, snap in (("example", example), ("hostile", hostile)):
        f = tmp_path / f"{name}.mmd"
        f.write_text(mermaid_gantt(snap, locale="en"), encoding="utf-8")
        files.append(str(f))
    script = tmp_path / "parse.mjs"
    script.write_text(_NODE_SCRIPT, encoding="utf-8")
    run = subprocess.run(["node", str(script), str(nm), *files], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "TZ": "UTC"})
    assert run.returncode == 0, run.stderr[-3000:]
    example_out, hostile_out = json.loads(run.stdout)
    assert example_out["title"] == "新品上市综合营销推广 as of 2024-04-15"
    for t in example_out["tasks"] + hostile_out["tasks"]:
        t["task"] = t["task"].strip()  # the space before ":" belongs to the text; rendering trims it
    by_id = {t["id"]: t for t in example_out["tasks"]}
    assert len(by_id) == 31
    assert by_id["t_kol_seeding"] == {"id": "t_kol_seeding", "task": "达人合作种草 75％", "section": "渠道推广",
                                      "start": "2024-03-18", "end": "2024-04-13", "milestone": False,
                                      "crit": True, "active": True, "done": False}
    assert by_id["m_assets_final"]["milestone"] and by_id["m_assets_final"]["done"]
    assert by_id["m_assets_final"]["start"] == "2024-03-11"
    hostile_tasks = {t["id"]: t for t in hostile_out["tasks"]}
    assert set(hostile_tasks) == {"t_pipe", "t_colon", "t_keyword", "t_date_like", "t_multiline", "m_m1", "m_m2"}
    assert hostile_tasks["t_colon"]["task"] == "\u200btitle： ｀rm -rf｀ ＃1； 5％ off 50％"
    assert hostile_tasks["t_keyword"]["done"] and hostile_tasks["t_keyword"]["end"] == "2024-03-07"
    assert hostile_out["title"].startswith("Evil | ＜script＞")
