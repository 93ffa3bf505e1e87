"""Control characters in campaign text reach the terminal as text, never as commands: BEL, the
escape sequences that clear the screen (CSI 2J), recolour it (CSI 31m) or write the clipboard
(OSC 52), DEL and the C1 controls are shown as ␇ ␛ ␡ and ``\\x9b`` by the one write path every
command's terminal output goes through (``ptrack.process.echo``). Data outputs keep them, so
they round-trip: JSON escapes them (and reads back the same), CSV carries them as they are.

YAML double-quoted strings write them as escapes: "\\a" is BEL, "\\e" ESC, "\\x7f" DEL,
"\\u009b" CSI (C1)."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest

NAME = "Ring\aRing \x1b]52;c;SGVsbG8=\a"  # BEL, and OSC 52: "put SGVsbG8= on the clipboard"
SHOWN_NAME = "Ring␇Ring ␛]52;c;SGVsbG8=␇"
CAMPAIGN = r"""ptrack: 1
campaign: {id: cc, name: "Bell\a Camp\e[2J", start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en}
tasks:
  - {id: a, name: "Ring\aRing \e]52;c;SGVsbG8=\a", module: "Mod\e[31mRED", owner: "x\u009b2J",
     planned: {start: 2024-03-01, end: 2024-03-10}, progress: 10}
  - {id: b, name: "B\x7fB", planned: {start: 2024-03-20, end: 2024-03-25}, depends_on: [a],
     risks: [{issue: "Risk\a!", due: 2024-03-05}]}
"""
DAY = "2024-03-12"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def campaign(write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return write("c.yaml", CAMPAIGN)


def _clean(text: str) -> bool:
    """No control character but tab and line feed."""
    return RAW.search(text) is None


def test_status_table_shows_the_controls(run_cli, campaign):
    code, out, err = run_cli("status", "c.yaml", "--as-of", DAY)
    assert code == 0 and _clean(out) and _clean(err), repr(out)
    first = out.splitlines()[0]
    assert first.startswith("Bell␇ Camp␛[2J (cc) as of 2024-03-12")
    # b waits for a (forecast 3/21 at the planned pace): the critical path is a -> b
    assert f"Critical path: {SHOWN_NAME} → B␡B" in out
    assert "Mod␛[31mRED" in out and "x\\x9b2J" in out and "B␡B" in out
    # the columns line up as shown (a shown control takes its picture's width)
    header, _, row_a, row_b = out.splitlines()[3:7]
    assert row_a.index("Mod␛[31mRED") == header.index("Module") == row_b.index("-  ", 4)
    assert row_a.index("x\\x9b2J") == header.index("Owner")


def test_with_colour_only_ptracks_own_codes_are_escapes(run_cli, campaign):
    code, out, _ = run_cli("status", "c.yaml", "--as-of", DAY, "--color", "always")
    assert code == 0
    # every ESC left is one of ptrack's colour codes; the campaign's own are shown
    assert re.findall("\x1b\\[[0-9;]*m", out) and not RAW.search(re.sub("\x1b\\[[0-9;]*m", "", out))
    assert "\x1b[31;1mred\x1b[0m" in out and "Mod␛[31mRED" in out


def test_check_text_and_annotations_show_the_controls(run_cli, campaign):
    code, out, err = run_cli("check", "c.yaml", "--as-of", DAY)
    assert code == 1 and _clean(out) and _clean(err)
    assert f'warning [task-overdue] task "{SHOWN_NAME}" was planned to finish 2024-03-10' in out
    assert 'risk "Risk␇!" is 7 days past its deadline' in out
    code, out, _ = run_cli("check", "c.yaml", "--as-of", DAY, "--format", "github")
    assert _clean(out) and "::error file=c.yaml,line=" in out and "Risk␇!" in out


def test_notify_dry_run_shows_the_controls(run_cli, campaign):
    code, out, err = run_cli("notify", "c.yaml", "--as-of", DAY, "--dry-run")
    assert code == 0 and _clean(out) and _clean(err), repr(out)
    assert "Bell␇ Camp␛[2J" in out and SHOWN_NAME in out


def test_json_keeps_them_escaped_and_reads_back_the_same(run_cli, campaign):
    code, out, _ = run_cli("status", "c.yaml", "--as-of", DAY, "--format", "json")
    assert code == 0
    assert _clean(out)  # every one escaped: \u0007, \u001b, \u007f, \u009b
    assert "\\u007f" in out and "\\u009b" in out
    doc = json.loads(out)
    tasks = {t["id"]: t for t in doc["campaigns"][0]["tasks"]}
    assert doc["campaigns"][0]["name"] == "Bell\a Camp\x1b[2J"
    assert tasks["a"]["name"] == NAME and tasks["a"]["module"] == "Mod\x1b[31mRED"
    assert tasks["a"]["owner"] == "x\x9b2J" and tasks["b"]["name"] == "B\x7fB"


def test_a_csv_export_to_stdout_keeps_them(campaign):
    proc = subprocess.run([sys.executable, "-m", "ptrack", "export", "c.yaml", "--format", "csv", "-o", "-",
                           "--as-of", DAY], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout.decode("utf-8-sig"))))
    assert any(NAME in row for row in rows), rows[:3]


def test_validate_shows_the_controls_in_its_messages(run_cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write("bad.yaml", CAMPAIGN.replace("calendar: none", 'calendar: "CN\\a"').replace(
        "progress: 10", 'progress: 10, "k\\aey": 1'))
    code, out, err = run_cli("validate", "bad.yaml")  # the fast path, without click
    assert code == 1 and _clean(out) and _clean(err), repr(out)
    assert 'campaign.calendar: "CN␇" is not a calendar' in out
    assert 'unknown key "k␇ey"' in out


def test_diff_markdown_shows_the_controls(write, tmp_path):
    repo = tmp_path / "repo"
    env = {"GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin",
           "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_COMMITTER_NAME": "A",
           "GIT_COMMITTER_EMAIL": "a@example.com"}
    (tmp_path / "gitconfig").write_text("")
    write(repo, "c.yaml", CAMPAIGN)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "plan"]):
        subprocess.run(["git", "-C", str(repo), *args], check=True, env=env)
    write(repo, "c.yaml", CAMPAIGN.replace("progress: 10", "progress: 40"))
    proc = subprocess.run([sys.executable, "-m", "ptrack", "diff", "c.yaml", "--base", "HEAD", "--as-of", DAY],
                          cwd=repo, capture_output=True, text=True, env={**env, "PATH": __import__("os").environ["PATH"]})
    assert proc.returncode == 0, proc.stderr
    # Markdown escapes the brackets; the controls are shown
    assert _clean(proc.stdout) and "- **Ring␇Ring ␛\\]52;c;SGVsbG8=␇** (`a`)" in proc.stdout, proc.stdout


def test_every_terminal_write_goes_through_the_one_path():
    """click.echo and print would bypass the neutralising write path (ptrack.process.echo)."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "ptrack"
    allowed = {"core/schema_codegen.py"}  # a developer's script (python -m ptrack.core.schema_codegen)
    found = [f"{path.relative_to(src)}:{n}" for path in sorted(src.rglob("*.py"))
             if path.relative_to(src).as_posix() not in allowed
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\bclick\.(echo|secho|style)\(|(?<![\w.])print\(", line)]
    assert found == []
