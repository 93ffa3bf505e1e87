"""The tracking table at its limits, through the command line: an XLSX export refuses a text an
Excel cell cannot hold (and writes nothing), a build leaves that one file out and says why, an
import refuses what is not a regular file, and a ``calendar: none`` campaign round-trips."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

LONG = """\
ptrack: 1
campaign: {{id: long, name: Long notes, start: 2024-03-01, end: 2024-03-29, calendar: none, locale: {locale}}}
tasks:
  - id: short
    name: Short
    planned: {{start: 2024-03-01, end: 2024-03-08}}
  - id: diary
    name: 项目日志
    planned: {{start: 2024-03-04, end: 2024-03-15}}
    notes: {notes}
"""


@pytest.fixture
def long_campaign(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def write(locale: str = "en", notes: str = "x" * 40_000) -> Path:
        path = tmp_path / "long.yaml"
        path.write_text(LONG.format(locale=locale, notes=notes), encoding="utf-8")
        return path

    return write


def test_xlsx_export_of_a_text_too_long_for_a_cell_exits_1_and_writes_nothing(run_cli, long_campaign, tmp_path):
    long_campaign()
    (tmp_path / "t.xlsx").write_bytes(b"the previous export")
    code, out, err = run_cli("export", "long.yaml", "--format", "xlsx", "-o", "t.xlsx", "--as-of", "2024-03-10")
    assert (code, out) == (1, "")
    assert err == ("long.yaml:10:12: task diary (项目日志), column Notes: 40,000 characters; an Excel cell holds at "
                   "most 32,767, so no XLSX is written (a cut text would not read back). Shorten the text, or "
                   "export CSV, which has no such limit\n")
    assert (tmp_path / "t.xlsx").read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.yaml", "t.xlsx"]  # no temp file
    # the CSV has no such limit, and its import gives the text back
    assert run_cli("export", "long.yaml", "--format", "csv", "-o", "t.csv", "--as-of", "2024-03-10")[0] == 0
    assert run_cli("import", "t.csv", "-o", "again.yaml")[0] == 0
    assert "x" * 40_000 in (tmp_path / "again.yaml").read_text("utf-8")


def test_a_build_leaves_out_the_xlsx_that_cannot_be_written_and_says_why(run_cli, long_campaign, tmp_path):
    long_campaign(locale="zh-CN")
    code, out, err = run_cli("build", "long.yaml", "--out", "site", "--as-of", "2024-03-10")
    assert code == 0, err
    assert ("ptrack：提示：long.yaml:10:12: 任务 diary（项目日志）的“备注”有 40,000 个字符，超过 Excel 单元格上限 "
            "32,767，因此不写出 XLSX（截断的内容无法原样导回）；请缩短内容，或导出为没有此上限的 CSV\n") in err
    site = tmp_path / "site" / "long"
    assert (site / "tracking.csv").is_file() and not (site / "tracking.xlsx").exists()
    page = (site / "index.html").read_text("utf-8")
    assert 'href="tracking.csv"' in page and "tracking.xlsx" not in page  # no dead link
    assert "long/tracking.xlsx" not in (tmp_path / "site" / ".ptrack-build").read_text("utf-8")


def test_import_of_a_fifo_is_refused_not_a_hang(tmp_path):
    """A FIFO would block the read forever (and /dev/zero never end): only regular files."""
    os.mkfifo(tmp_path / "tracking.csv")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    # reading the FIFO would wait for a writer that never comes: the timeout ends such a run
    proc = subprocess.run([sys.executable, "-m", "ptrack", "import", "tracking.csv", "-o", "c.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, env=env, timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        2, "", "ptrack：错误：tracking.csv：不是普通文件；请给出 .csv 或 .xlsx 文件\n")
    assert not (tmp_path / "c.yaml").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_calendar_none_campaign_round_trips(run_cli, long_campaign, tmp_path, fmt):
    """The Calendar column says "none" (calendar days), which is not a blank cell."""
    long_campaign(notes="short")
    assert run_cli("export", "long.yaml", "--format", fmt, "-o", f"t.{fmt}", "--as-of", "2024-03-10")[0] == 0
    code, _, err = run_cli("import", f"t.{fmt}", "-o", "again.yaml")
    assert code == 0 and err == ""  # no "calendar: weekends" default note
    assert "  calendar: none\n" in (tmp_path / "again.yaml").read_text("utf-8")
    assert run_cli("export", "again.yaml", "--format", "csv", "-o", "again.csv", "--as-of", "2024-03-10")[0] == 0
    if fmt == "csv":
        assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "t.csv").read_bytes()
