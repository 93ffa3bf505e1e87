"""`ptrack export PATH --format csv|xlsx|mermaid|ics -o FILE`: files, stdout, exit codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ptrack import cli
from ptrack.core.compute import compute_snapshot
from ptrack.core.config import Config
from ptrack.sheets.ics import render_ics
from ptrack.pipeline import load_all
from ptrack.render.markdown import mermaid_gantt
from ptrack.exporters import EXPORTERS
from ptrack.sheets.tabular import csv_bytes, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "campaign.yaml"
AS_OF = "2024-04-15"


@pytest.fixture(scope="module")
def snapshot():
    (result,) = load_all([EXAMPLE], Config(root=ROOT))
    return compute_snapshot(result.campaign, as_of=date(2024, 4, 15))


def test_the_format_choice_is_the_exporter_registry():
    assert tuple(EXPORTERS) == cli.EXPORT_FORMATS


@pytest.mark.parametrize("fmt, suffix", [("csv", "csv"), ("xlsx", "xlsx"), ("mermaid", "mmd"), ("ics", "ics")])
def test_export_writes_the_file(run_cli, tmp_path, snapshot, fmt, suffix):
    out = tmp_path / "sub" / f"tracking.{suffix}"
    code, stdout, stderr = run_cli("export", EXAMPLE, "--format", fmt, "-o", out, "--as-of", AS_OF)
    assert code == 0, stderr
    assert stdout == ""
    expected = {"csv": lambda: csv_bytes(snapshot, locale=None), "xlsx": lambda: xlsx_bytes(snapshot, locale=None),
                "mermaid": lambda: mermaid_gantt(snapshot, locale=None).encode(),
                "ics": lambda: render_ics(snapshot, locale=None).encode()}[fmt]()
    assert out.read_bytes() == expected
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # atomic: no temp file left
    code, _, _ = run_cli("export", EXAMPLE, "--format", fmt, "-o", out, "--as-of", AS_OF)
    assert code == 0 and out.read_bytes() == expected  # overwrite, same bytes


@pytest.mark.parametrize("fmt", ["csv", "mermaid", "ics"])
def test_dash_writes_text_formats_to_stdout(capsysbinary, monkeypatch, fmt, snapshot):
    # not run_cli: it reads capsys (text), and the bytes (BOM, CRLF) are the point here
    from ptrack.cli import main

    monkeypatch.delenv("PTRACK_AS_OF", raising=False)
    capsysbinary.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["export", str(EXAMPLE), "--format", fmt, "-o", "-", "--as-of", AS_OF])
    assert exit_info.value.code == 0
    out = capsysbinary.readouterr().out
    assert out == EXPORTERS[fmt](snapshot, locale=None)


def test_xlsx_to_stdout_is_a_usage_error(run_cli):
    code, stdout, stderr = run_cli("export", EXAMPLE, "--format", "xlsx", "-o", "-", "--as-of", AS_OF)
    assert code == 2 and stdout == ""
    assert "ptrack：错误：--format xlsx 需要写入文件：请用 -o 文件名.xlsx" in stderr  # the example's language


def test_lang_en_gives_english_headers(run_cli, tmp_path):
    out = tmp_path / "t.csv"
    code, _, stderr = run_cli("export", EXAMPLE, "--format", "csv", "-o", out, "--lang", "en", "--as-of", AS_OF)
    assert code == 0, stderr
    text = out.read_bytes().decode("utf-8-sig")
    assert text.startswith("Task,Description,Module,Owner,Collaborators,")


def test_as_of_from_ptrack_as_of(run_cli, tmp_path, monkeypatch, snapshot):
    monkeypatch.setenv("PTRACK_AS_OF", AS_OF)  # after run_cli's clean-up of the environment
    out = tmp_path / "t.ics"
    code, _, stderr = run_cli("export", EXAMPLE, "--format", "ics", "-o", out)
    assert code == 0, stderr
    assert out.read_bytes() == render_ics(snapshot, locale=None).encode()


def test_invalid_campaign_prints_diagnostics_exits_1_and_writes_nothing(run_cli, write, tmp_path):
    bad = write("bad.yaml", """\
        ptrack: 1
        campaign: {id: c, name: C, start: 2024-03-01, end: 2024-02-01}
        tasks:
          - id: a
            name: A
            planned: {start: 2024-03-05, end: 2024-03-01}
        """)
    out = tmp_path / "out.csv"
    out.write_text("keep me", encoding="utf-8")
    code, stdout, stderr = run_cli("export", bad, "--format", "csv", "-o", out, "--as-of", AS_OF)
    assert code == 1
    assert stdout == ""
    assert "bad.yaml:" in stderr and "错误 [date-order]" in stderr
    assert out.read_text(encoding="utf-8") == "keep me"
    fresh = tmp_path / "fresh.ics"
    code, _, _ = run_cli("export", bad, "--format", "ics", "-o", fresh, "--as-of", AS_OF)
    assert code == 1 and not fresh.exists()


@pytest.mark.parametrize("args, message", [
    (["missing.yaml", "--format", "csv", "-o", "x.csv"], "missing.yaml：文件或文件夹不存在"),
    (["missing.yaml", "--format", "csv", "-o", "x.csv", "--lang", "en"], "missing.yaml: no such file"),
    (["{dir}", "--format", "csv", "-o", "x.csv", "--lang", "en"], "one campaign file"),
    (["{example}", "--format", "pdf", "-o", "x.pdf"], "pdf"),
    (["{example}", "--format", "csv"], "-o"),
    (["{example}", "-o", "x.csv"], "--format"),
    (["{example}", "--format", "csv", "-o", "x.csv", "--as-of", "2024-13-01"], "“2024-13-01”不是日期"),
    (["{example}", "--format", "csv", "-o", "x.csv", "--lang", "fr"], "fr"),
])
def test_usage_errors_exit_2(run_cli, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    args = [a.format(dir=tmp_path, example=EXAMPLE) for a in args]
    code, stdout, stderr = run_cli("export", *args)
    assert code == 2, stderr
    assert message in stderr
    assert not (tmp_path / "x.csv").exists()


def test_unwritable_output_is_an_error_not_a_traceback(run_cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, _, stderr = run_cli("export", EXAMPLE, "--format", "csv", "-o", blocker / "t.csv", "--as-of", AS_OF)
    assert code == 2
    assert "t.csv：无法写入：" in stderr
