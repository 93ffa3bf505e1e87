"""``ptrack update`` under pressure, with real processes: concurrent updates of one file, a lock
held by someone else, links, files that are not regular files, temp files of a killed writer,
control characters (issue 18's update and "inputs that are not regular files" cases)."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ptrack.core.loader import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "campaign.yaml"


def ptrack(*args, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    """``ptrack ARGS`` as its own process (python -m ptrack), in ``cwd``."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "PTRACK_AS_OF")}
    return subprocess.run([sys.executable, "-m", "ptrack", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env=env)


def start(*args, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ptrack", *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def task(path: Path, task_id: str) -> dict:
    return next(t for t in parse_yaml(path.read_text("utf-8")).data["tasks"] if t["id"] == task_id)


@pytest.fixture
def campaign(tmp_path) -> Path:
    (tmp_path / ".git").mkdir()  # ptrack.yaml is looked for up to here, not above
    path = tmp_path / "c.yaml"
    path.write_bytes(EXAMPLE.read_bytes())
    return path


# -- two updates at once ---------------------------------------------------------------------

def test_concurrent_updates_of_different_tasks_lose_no_edit(campaign):
    """20 pairs of updates of two tasks, each pair started together: every edit is there after
    (without the lock, one edit of each pair was lost, and both commands said they succeeded)."""
    for round_ in range(20):
        first = start("update", "c.yaml", "ab-test", "--progress", str(40 + round_), "--lang", "en",
                      cwd=campaign.parent)
        second = start("update", "c.yaml", "dealer-training", "--note", f"round {round_}", "--date", "2024-04-16",
                       "--lang", "en", cwd=campaign.parent)
        outs = [p.communicate(timeout=60) for p in (first, second)]
        assert (first.returncode, second.returncode) == (0, 0), outs
        assert task(campaign, "ab-test")["progress"] == 40 + round_, round_
        assert task(campaign, "dealer-training")["notes"].endswith(f"round {round_}"), round_
    notes = task(campaign, "dealer-training")["notes"].split("\n")
    assert notes[-20:] == [f"2024-04-16 round {i}" for i in range(20)]  # each note dated --date
    assert ptrack("validate", "c.yaml", cwd=campaign.parent).returncode == 0


def test_an_update_waits_for_the_lock_and_then_edits_the_file_as_the_other_writer_left_it(campaign):
    """The other writer replaces the file (a new inode) while this update waits on the old one:
    the update locks and reads the new file, so both changes are kept."""
    from ptrack.fsutil import atomic_write

    holder = open(campaign, "rb")
    fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
    waiting = start("update", "c.yaml", "ab-test", "--progress", "41", "--lang", "en", cwd=campaign.parent)
    time.sleep(1.0)  # it has started and waits on the lock
    assert waiting.poll() is None
    text = campaign.read_text("utf-8")
    assert text.count("quantity: {done: 15,") == 1
    atomic_write(campaign, text.replace("quantity: {done: 15,", "quantity: {done: 16,"))
    fcntl.flock(holder.fileno(), fcntl.LOCK_UN)
    holder.close()
    out, err = waiting.communicate(timeout=60)
    assert (waiting.returncode, err) == (0, ""), out
    assert out == "c.yaml: task ab-test: progress 10 -> 41\n"
    assert task(campaign, "ab-test")["progress"] == 41
    assert task(campaign, "kol-seeding")["quantity"]["done"] == 16  # the other writer's change


@pytest.mark.parametrize("lang, message", [
    ("en", "ptrack: error: c.yaml is being changed by another command: waited 0.3 s for it to finish; try again "
           "(or give --lock-timeout more seconds)\n"),
    ("zh-CN", "ptrack：错误：c.yaml 正在被另一个命令修改：已等待 0.3 秒；请稍后重试（或用 --lock-timeout 延长等待）\n"),
])
def test_a_held_lock_times_out_with_a_clear_message(run_cli, campaign, monkeypatch, lang, message):
    monkeypatch.chdir(campaign.parent)
    before = campaign.read_bytes()
    with open(campaign, "rb") as holder:
        fcntl.flock(holder.fileno(), fcntl.LOCK_EX)
        t0 = time.monotonic()
        assert run_cli("update", "c.yaml", "ab-test", "--progress", "40", "--lock-timeout", "0.3",
                       "--lang", lang) == (2, "", message)
        assert 0.3 <= time.monotonic() - t0 < 10
    assert campaign.read_bytes() == before
    assert run_cli("update", "c.yaml", "ab-test", "--progress", "40")[0] == 0  # free again


# -- links -----------------------------------------------------------------------------------

def test_a_linked_campaign_is_updated_through_the_link(run_cli, campaign, monkeypatch):
    plans = campaign.parent / "plans"
    plans.mkdir()
    real = plans / "spring.yaml"
    campaign.rename(real)
    link = campaign.parent / "c.yaml"
    link.symlink_to(Path("plans") / "spring.yaml")
    monkeypatch.chdir(campaign.parent)
    assert run_cli("update", "c.yaml", "ab-test", "--progress", "40", "--lang", "en") == (
        0, "c.yaml (a link to plans/spring.yaml): task ab-test: progress 10 -> 40\n", "")
    assert link.is_symlink() and os.readlink(link) == "plans/spring.yaml"
    assert task(real, "ab-test")["progress"] == 40
    assert sorted(p.name for p in plans.iterdir()) == ["spring.yaml"]
    assert run_cli("update", "c.yaml", "ab-test", "--progress", "45")[1] == (
        "c.yaml（链接到 plans/spring.yaml）：任务 ab-test：progress 40 → 45\n")


# -- inputs that are not regular files -------------------------------------------------------

NOT_REGULAR = {
    "zero": ("a character device (such as /dev/zero)", "字符设备（如 /dev/zero）"),
    "fifo": ("a FIFO (named pipe)", "命名管道（FIFO）"),
}


@pytest.fixture
def special(tmp_path):
    (tmp_path / ".git").mkdir()
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    return tmp_path


@pytest.mark.parametrize("name", sorted(NOT_REGULAR))
@pytest.mark.parametrize("command", [["validate"], ["status"], ["check"], ["export", "--format", "csv", "-o", "x.csv"],
                                     ["update", "@", "a", "--progress", "5"], ["history"], ["build", "--out", "site"]])
def test_a_campaign_that_is_not_a_regular_file_is_refused_at_once(special, name, command):
    """No MemoryError from /dev/zero (its size says 0), no hang on a FIFO: exit 2 and a message."""
    args = [a if a != "@" else f"{name}.yaml" for a in command]
    if "@" not in command:
        args.insert(1, f"{name}.yaml")
    t0 = time.monotonic()
    proc = ptrack(*args, cwd=special, timeout=30)
    assert proc.returncode == 2, proc.stderr
    # every command in the command's language: nothing says one here (a special file has no text to
    # read a locale from), so zh-CN; with --lang en, English
    assert proc.stderr.endswith(f"ptrack：错误：{name}.yaml：是{NOT_REGULAR[name][1]}，不是普通文件；ptrack "
                                "只从普通文件读取活动文件和 ptrack.yaml\n"), proc.stderr
    proc = ptrack(*args, "--lang", "en", cwd=special, timeout=30)
    assert proc.stderr.endswith(f"ptrack: error: {name}.yaml: is {NOT_REGULAR[name][0]}, not a regular file; ptrack "
                                "reads campaign files and ptrack.yaml from regular files only\n"), proc.stderr
    assert time.monotonic() - t0 < 20


def test_the_message_follows_the_language_of_update(special):
    proc = ptrack("update", "fifo.yaml", "a", "--progress", "5", "--lang", "zh-CN", cwd=special)
    assert (proc.returncode, proc.stderr) == (
        2, "ptrack：错误：fifo.yaml：是命名管道（FIFO），不是普通文件；ptrack 只从普通文件读取活动文件和 ptrack.yaml\n")


@pytest.mark.parametrize("name", sorted(NOT_REGULAR))
def test_a_ptrack_yaml_that_is_not_a_regular_file_is_refused(special, name):
    (special / "c.yaml").write_bytes(EXAMPLE.read_bytes())
    os.rename(special / f"{name}.yaml", special / "ptrack.yaml")
    proc = ptrack("validate", "c.yaml", cwd=special, timeout=30)
    assert proc.returncode == 2
    # the command's language: ptrack.yaml cannot be read, c.yaml (the example) says zh-CN
    assert proc.stderr.endswith(f"ptrack.yaml：是{NOT_REGULAR[name][1]}，不是普通文件；ptrack 只从普通文件读取活动文件和 "
                                "ptrack.yaml\n"), proc.stderr


# -- temp files of a killed writer -----------------------------------------------------------

KILLED_WRITER = """
import os, sys, time
from pathlib import Path
import ptrack.fsutil as fsutil

def stuck(fd):
    Path(sys.argv[2]).write_text("writing")
    time.sleep(600)

fsutil.os.fsync = stuck
fsutil.atomic_write(sys.argv[1], b"half of a new file")
"""


def test_the_temp_file_of_a_writer_killed_mid_write_is_removed_by_the_next_run(run_cli, campaign, monkeypatch):
    folder = campaign.parent
    ready = folder.parent / f"{folder.name}-ready"
    writer = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(campaign), str(ready)])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert writer.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait(timeout=30)
    (orphan,) = [p for p in folder.iterdir() if p.name.startswith(".c.yaml.")]
    assert orphan.name.startswith(".c.yaml.ptrack-") and orphan.name.endswith(".tmp")
    assert campaign.read_bytes() == EXAMPLE.read_bytes()  # the rename never happened
    old = time.time() - 3600
    os.utime(orphan, (old, old))
    # what must stay: a temp file being written right now (locked), one just created, and
    # files that are not ptrack's temp files
    live = folder / ".c.yaml.ptrack-live0000.tmp"
    young = folder / ".c.yaml.ptrack-young000.tmp"
    foreign = folder / ".c.yaml.backup.tmp"
    earlier = folder / ".c.yaml.abcd1234.tmp"  # what ptrack before 0.2 left: removed too
    unrelated = folder / ".gone.yaml.abcd1234.tmp"  # an earlier-style name whose file is not here: kept
    for p in (live, young, foreign, earlier, unrelated):
        p.write_bytes(b"x")
    for p in (live, foreign, earlier, unrelated):
        os.utime(p, (old, old))
    with open(live, "rb") as writer_lock:
        fcntl.flock(writer_lock.fileno(), fcntl.LOCK_EX)
        monkeypatch.chdir(folder)
        assert run_cli("update", "c.yaml", "ab-test", "--progress", "40")[0] == 0
    left = sorted(p.name for p in folder.iterdir() if p.name.startswith("."))
    assert left == sorted([".git", live.name, young.name, foreign.name, unrelated.name])


# -- control characters ----------------------------------------------------------------------

def test_notes_with_control_characters(run_cli, campaign, monkeypatch):
    monkeypatch.chdir(campaign.parent)
    text = campaign.read_text("utf-8").replace("    notes: 交付物需同步存档\n", '    notes: "铃声\\x07 提醒"\n')
    assert '"铃声\\x07 提醒"' in text
    campaign.write_text(text, encoding="utf-8")
    assert run_cli("update", "c.yaml", "poster-draft", "--note", "第二条", "--date", "2024-04-16", "--lang", "en") == (
        0, "c.yaml: task poster-draft: note added\n", "")
    assert '    notes: "铃声\\a 提醒\\n2024-04-16 第二条"\n' in campaign.read_text("utf-8")
    assert run_cli("update", "c.yaml", "poster-draft", "--note", "bell\x07 and escape\x1b", "--date", "2024-04-17",
                   "--lang", "en")[0] == 0
    assert ('    notes: "铃声\\a 提醒\\n2024-04-16 第二条\\n2024-04-17 bell\\a and escape\\e"\n'
            in campaign.read_text("utf-8"))
    assert task(campaign, "poster-draft")["notes"] == "铃声\x07 提醒\n2024-04-16 第二条\n2024-04-17 bell\x07 and escape\x1b"
    assert run_cli("validate", "c.yaml")[0] == 0


def test_update_validates_with_the_policy_of_ptrack_yaml(run_cli, tmp_path, monkeypatch):
    """Like ``ptrack validate``: the campaign warns at 15, ptrack.yaml fails at 8, so the file has
    an error and update leaves it alone (it edits nothing in an invalid file)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "ptrack.yaml").write_text("policy: {deviation_warn: 5, deviation_fail: 8}\n", encoding="utf-8")
    path = tmp_path / "c.yaml"
    path.write_text("ptrack: 1\ncampaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31}\n"
                    "policy:\n  deviation_warn: 15\ntasks:\n  - {id: a, name: A, planned: {start: 2024-03-01, "
                    "end: 2024-03-05}}\n", encoding="utf-8")
    before = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    assert run_cli("update", "c.yaml", "a", "--progress", "5", "--lang", "en") == (1, "", (
        "c.yaml:3:1: error [policy] with the defaults of ptrack.yaml, deviation_warn (15) is larger than "
        "deviation_fail (8); the warning threshold must not exceed the failing one\n"
        "ptrack: c.yaml not updated: the file has errors; fix them first\n"))
    assert path.read_bytes() == before
