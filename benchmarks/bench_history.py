#!/usr/bin/env python
"""Git history benchmark for ptrack: check (stale-task), history and build on a deep history.

    python benchmarks/bench_history.py [--tasks 200] [--commits 200,1000] [--repeat N] [--out DIR]

Builds a real git repository per (tasks, commits) size in a temp folder: the campaign of
``bench_core.generate_campaign`` committed with every task not started, then COMMITS commits
(seeded, so every run builds the same repository) that record the team's progress day by day
from 2024-01-02 to the as-of date 2024-07-01, several commits a day, each by the owner of a
task it touches. Then times as whole processes (wall clock, best of --repeat):
``ptrack check FILE --as-of D`` with the stale-task rule on, the same campaign with
``policy.rules.stale-task: off`` outside git (what the rule costs is the difference),
``ptrack history FILE --as-of D`` and ``ptrack build FILE --out DIR --as-of D`` (in git and,
for comparison, outside git), and breaks the history reading down in-process. See
benchmarks/README.md.

Uses only the standard library, git and ptrack itself.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import (AS_OF, SEED, generate_campaign, load_average, output_folder,  # noqa: E402
                        parse_sizes, ptrack_cmd, run_header, time_process)

HISTORY_START = date(2024, 1, 2)
TZ = timezone(timedelta(hours=8))
FILE = "campaigns/campaign.yaml"
STALE_SHARE = 0.25  # of the tasks in progress as of D: last updated 10-60 days before D

# ---------------------------------------------------------------------------------------------
# The history: task chunks of the generated file rendered at each stage of their progress

_ACTUAL = re.compile(r"^    actual: \{start: ([0-9-]+)(?:, end: ([0-9-]+))?\}$")
_PROGRESS = re.compile(r"^    progress: (\d+)$")
_QUANTITY = re.compile(r"^    quantity: \{done: (\d+), (total: \d+, unit: .*\})$")
_BUDGET = re.compile(r"^    budget: \{planned: (\d+), spent: (\d+)\}$")
_MEASUREMENT = re.compile(r"^(      - \{date: [0-9-]+, value: )([0-9.]+)(, source: .*\})$", re.M)
_DELIVERABLE = re.compile(r"^      - \{name: (.*), done: (true|false)\}$")


@dataclass
class Task:
    id: str
    owner: str
    lines: list[str]  # the chunk as generated (its final state as of D)
    start: date | None  # actual start
    end: date | None  # actual end
    final_commit: int | None = None  # index of the commit that writes the final state
    rendered: str = ""  # the chunk as currently committed
    frac: float = 0.0  # its progress as currently committed (never goes back)
    updates: list[int] = field(default_factory=list)

    def render(self, frac: float | None) -> str:
        """The chunk not started (None), part way (0 <= frac < 1) or as generated (1)."""
        if frac is not None and frac >= 1:
            return "\n".join(self.lines)
        out = []
        for line in self.lines:
            m = _ACTUAL.match(line)
            if m:
                if frac is not None:
                    out.append(f"    actual: {{start: {m.group(1)}}}")
                continue
            f = frac or 0.0
            m = _PROGRESS.match(line)
            if m:
                out.append(f"    progress: {int(int(m.group(1)) * f)}")
                continue
            m = _QUANTITY.match(line)
            if m:
                out.append(f"    quantity: {{done: {int(int(m.group(1)) * f)}, {m.group(2)}")
                continue
            m = _BUDGET.match(line)
            if m:
                out.append(f"    budget: {{planned: {m.group(1)}, spent: {int(int(m.group(2)) * f) // 100 * 100}}}")
                continue
            out.append(line)
        # Deliverables: the first int(n_done * frac) of them are done.
        n_done = sum(1 for line in self.lines if (m := _DELIVERABLE.match(line)) and m.group(2) == "true")
        k = int(n_done * (frac or 0.0))
        j = 0
        for i, line in enumerate(out):
            m = _DELIVERABLE.match(line)
            if m:
                out[i] = f"      - {{name: {m.group(1)}, done: {'true' if j < k else 'false'}}}"
                j += 1
        return "\n".join(out)


def _split(text: str) -> tuple[str, list[Task], str, dict[str, str]]:
    """(text up to ``tasks:``, the tasks, the rest, person id -> name) of a generated file."""
    lines = text.split("\n")
    t0 = lines.index("tasks:") + 1
    t1 = lines.index("risks:")
    people = dict(re.findall(r"^  ([a-z]+(?:-\d+)?): \{name: ([^,]+),", text, re.M))
    tasks: list[Task] = []
    chunk: list[str] = []
    for line in lines[t0:t1]:
        if line.startswith("  - id: ") and chunk:
            tasks.append(_task(chunk))
            chunk = []
        chunk.append(line)
    if chunk:
        tasks.append(_task(chunk))
    return "\n".join(lines[:t0]), tasks, "\n".join(lines[t1:]), people


def _task(lines: list[str]) -> Task:
    tid = lines[0].split(": ", 1)[1]
    owner = next(line.split(": ", 1)[1] for line in lines if line.startswith("    owner: "))
    start = end = None
    for line in lines:
        m = _ACTUAL.match(line)
        if m:
            start = date.fromisoformat(m.group(1))
            end = date.fromisoformat(m.group(2)) if m.group(2) else None
    return Task(tid, owner, lines, start, end)


def _in_progress(text: str, folder: Path) -> set[str]:
    from ptrack.core.compute import Status, compute_snapshot
    from ptrack.core.validate import load_campaign

    path = folder / "final.yaml"
    path.write_text(text, "utf-8")
    result = load_campaign(path)
    if not result.ok:
        sys.exit("bench: the generated campaign is invalid:\n"
                 + "\n".join(d.format_text() for d in result.diagnostics))
    path.unlink()
    snap = compute_snapshot(result.campaign, as_of=AS_OF)
    return {ts.task.id for ts in snap.tasks if ts.status is Status.IN_PROGRESS}


@dataclass
class Commit:
    when: datetime
    author: str
    email: str
    message: str
    text: str


def build_history(n_tasks: int, n_commits: int, folder: Path, seed: int = SEED) -> tuple[list[Commit], dict]:
    """The commits of the benchmark repository (the plan first), and figures about them."""
    rng = random.Random(seed * 7919 + n_tasks * 31 + n_commits)
    text = generate_campaign(n_tasks)
    head, tasks, tail, people = _split(text)
    running = _in_progress(text, folder)

    # Commit times: working days (and a few weekend days) from HISTORY_START to D, 09:00-20:00.
    days = [HISTORY_START + timedelta(days=i) for i in range((AS_OF - HISTORY_START).days + 1)]
    weights = [1.0 if d.weekday() < 5 else 0.08 for d in days]
    picked = sorted(rng.choices(days, weights, k=n_commits))
    times = sorted(datetime(d.year, d.month, d.day, 9, 0, tzinfo=TZ) + timedelta(seconds=rng.randrange(11 * 3600))
                   for d in picked)
    commit_days = [t.date() for t in times]

    def commit_on_or_before(day: date, not_before: date) -> int:
        """A commit of the last day with commits on or before ``day`` (and not before
        ``not_before`` when there is one), else the first commit after ``not_before``."""
        cands = [i for i, d in enumerate(commit_days) if not_before <= d <= day]
        if cands:
            last = commit_days[cands[-1]]
            return rng.choice([i for i in cands if commit_days[i] == last])
        after = [i for i, d in enumerate(commit_days) if d >= not_before]
        return after[0] if after else len(times) - 1

    # When each started task reaches its state as of D: done tasks on their actual end; running
    # tasks in the last days before D, except a share left untouched for 10-60 days (stale).
    stale: set[str] = set()
    for t in tasks:
        if t.start is None:
            continue
        if t.end is not None:
            target = t.end
        elif t.id in running and rng.random() < STALE_SHARE and (AS_OF - t.start).days > 12:
            target = max(t.start, AS_OF - timedelta(days=rng.randrange(10, 61)))
            stale.add(t.id)
        elif t.id in running:
            target = AS_OF - timedelta(days=rng.randrange(0, 5))
        else:  # on hold and the like: last touched some time after it started
            target = t.start + timedelta(days=rng.randrange(0, max((AS_OF - t.start).days, 0) + 1))
        t.final_commit = commit_on_or_before(max(target, t.start), t.start)
        t.updates.append(t.final_commit)

    # Every other update: part-way progress of a task that has started and is not finished yet.
    per_commit: dict[int, list[Task]] = {}
    for t in tasks:
        if t.final_commit is not None:
            per_commit.setdefault(t.final_commit, []).append(t)
    for t in tasks:
        t.rendered = t.render(None)
    finals = {t.id: t.render(1) for t in tasks}

    commits = [Commit(datetime(HISTORY_START.year, HISTORY_START.month, HISTORY_START.day, 8, 30, tzinfo=TZ),
                      people.get("director", "director"), "director@example.com", "计划初稿",
                      _join(head, tasks, tail))]
    for i, when in enumerate(times):
        day = commit_days[i]
        touched = list(per_commit.get(i, []))
        want = rng.choice((1, 1, 2, 2, 3))
        if len(touched) < want:
            active = [t for t in tasks if t.start is not None and t.start <= day and t.final_commit is not None
                      and t.final_commit > i and t not in touched]
            rng.shuffle(active)
            for t in active:
                if len(touched) >= want:
                    break
                span = max((commit_days[t.final_commit] - t.start).days, 1)
                frac = min(max((day - t.start).days / span, 0.0) * rng.uniform(0.8, 1.0), 0.95)
                chunk = t.render(max(frac, t.frac))
                if chunk != t.rendered and chunk != finals[t.id]:
                    t.rendered, t.frac = chunk, max(frac, t.frac)
                    t.updates.append(i)
                    touched.append(t)
        for t in per_commit.get(i, []):
            t.rendered = finals[t.id]
        if touched:
            owner = touched[0].owner if rng.random() < 0.9 else "director"
            message = "更新进度：" + "、".join(t.id for t in touched)
        else:  # nothing to move on the tasks: a goal's figure corrected (no task entry changes)
            head = _correct_measurement(head, rng)
            owner, message = "director", "修正目标数据"
        commits.append(Commit(when, people.get(owner, owner), f"{owner}@example.com", message,
                              _join(head, tasks, tail)))
    if [t.rendered for t in tasks] != [finals[t.id] for t in tasks]:
        sys.exit("bench: the history does not end with the tasks as generated")
    _in_progress(commits[-1].text, folder)  # valid
    figures = {"tasks": len(tasks), "commits": len(commits), "running": len(running), "stale": len(stale),
               "days": len(set(c.when.date() for c in commits))}
    return commits, figures


def _correct_measurement(head: str, rng: random.Random) -> str:
    found = list(_MEASUREMENT.finditer(head))
    m = rng.choice(found)
    value = m.group(2)
    if "." in value:
        new = f"{float(value) * rng.uniform(0.97, 1.03):.2f}"
    else:
        new = str(max(1, round(int(value) * rng.uniform(0.97, 1.03))))
    if new == value:
        new = str(int(float(value)) + 1)
    return head[:m.start(2)] + new + head[m.end(2):]


def _join(head: str, tasks: list[Task], tail: str) -> str:
    return "\n".join([head, *(t.rendered for t in tasks), tail])


def _git_env(config: Path) -> dict[str, str]:
    """No global or system git configuration: the machine's settings change nothing here."""
    config.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"})
    return env


def make_repository(root: Path, commits: list[Commit]) -> Path:
    """A git work tree at ``root`` holding ``commits`` (one ``git fast-import``), checked out."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    env = _git_env(root.parent / f"{root.name}.gitconfig")

    def git(*args: str, data: bytes | None = None) -> None:
        proc = subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, env=env)
        if proc.returncode != 0:
            sys.exit(f"bench: git {' '.join(args)} failed: {proc.stderr.decode()}")

    git("init", "-q")
    git("symbolic-ref", "HEAD", "refs/heads/main")
    stream = bytearray()
    for n, c in enumerate(commits, 1):
        blob = c.text.encode("utf-8")
        message = c.message.encode("utf-8")
        stamp = f"{int(c.when.timestamp())} +0800"
        stream += f"commit refs/heads/main\nmark :{n}\n".encode()
        stream += f"author {c.author} <{c.email}> {stamp}\ncommitter {c.author} <{c.email}> {stamp}\n".encode()
        stream += f"data {len(message)}\n".encode() + message + b"\n"
        if n > 1:
            stream += f"from :{n - 1}\n".encode()
        stream += f"M 100644 inline {FILE}\ndata {len(blob)}\n".encode() + blob + b"\n"
    git("fast-import", "--quiet", data=bytes(stream))
    git("reset", "-q", "--hard", "main")
    return root / FILE


# ---------------------------------------------------------------------------------------------
# In-process breakdown of the history reading

def breakdown(path: Path) -> list[tuple[str, float, str]]:
    """(stage, seconds, what) for one fresh read of the history of ``path`` as of D."""
    from ptrack.core.compute import Status, compute_snapshot
    from ptrack.git.history import CampaignHistory, load_history
    from ptrack.git.tracking import stale_findings
    from ptrack.core.validate import load_campaign

    rows = []
    result = load_campaign(path)
    snap = compute_snapshot(result.campaign, as_of=AS_OF)
    running = {ts.task.id for ts in snap.tasks if ts.status is Status.IN_PROGRESS}

    def counted(history: CampaignHistory) -> list[int]:
        reads = [0]
        blob = history.repo.blob

        def counting(oid):
            reads[0] += 1
            return blob(oid)

        history.repo.blob = counting
        return reads

    t0 = time.perf_counter()
    history = load_history(path)
    rows.append(("load_history (git rev-parse + git log, parsed)", time.perf_counter() - t0,
                 f"{len(history.versions)} versions"))
    with history:
        reads = counted(history)
        t0 = time.perf_counter()
        last = history.last_changes(AS_OF)
        rows.append(("last_changes(D): every version read and diffed", time.perf_counter() - t0,
                     f"{reads[0]} blob reads, {len(last)} tasks"))
    if hasattr(CampaignHistory, "last_changes_of"):
        with load_history(path) as history:
            reads = counted(history)
            t0 = time.perf_counter()
            some = history.last_changes_of(AS_OF, running)
            rows.append(("last_changes_of(D, in-progress ids): newest first, early stop",
                         time.perf_counter() - t0, f"{reads[0]} blob reads, {len(some)} tasks"))
    with load_history(path) as history:
        reads = counted(history)
        t0 = time.perf_counter()
        found = list(stale_findings(history, snap))
        rows.append(("stale_findings (what check runs)", time.perf_counter() - t0,
                     f"{reads[0]} blob reads, {len(found)} stale of {len(running)} in progress"))
    with load_history(path) as history:
        reads = counted(history)
        t0 = time.perf_counter()
        points = history.points(AS_OF)
        rows.append(("points(D): day points, each validated and computed", time.perf_counter() - t0,
                     f"{reads[0]} blob reads, {len(points)} days"))
    return rows


# ---------------------------------------------------------------------------------------------
# Main

def _git_version() -> str:
    proc = subprocess.run(["git", "--version"], capture_output=True, text=True)
    return proc.stdout.strip() or "git: NOT FOUND"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", default="200", help="generated task counts, comma-separated")
    ap.add_argument("--commits", default="1000", help="commits after the plan, comma-separated")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    ap.add_argument("--out", type=Path, help="keep the repositories and sites here (default: a temp folder)")
    ap.add_argument("--no-breakdown", action="store_true", help="skip the in-process breakdown")
    args = ap.parse_args(argv)
    repeat = max(1, args.repeat)
    out, tmp = output_folder(args.out, "ptrack-bench-history-")
    ptrack = ptrack_cmd()

    try:
        print(run_header([_git_version()], repeat))
        print(f"files in {out}; --as-of {AS_OF}; ptrack = {' '.join(ptrack)}")
        print()

        rows = []
        breakdowns = []
        for n_tasks in parse_sizes(args.tasks):
            for n_commits in parse_sizes(args.commits):
                t0 = time.perf_counter()
                commits, fig = build_history(n_tasks, n_commits, out)
                path = make_repository(out / f"repo-{n_tasks}x{n_commits}", commits)
                made = time.perf_counter() - t0
                off = out / f"outside-git-{n_tasks}x{n_commits}.yaml"
                text = path.read_text("utf-8")
                off.write_text(text.replace("  stale_after_days: 7\n",
                                            "  stale_after_days: 7\n  rules: {stale-task: off}\n", 1), "utf-8")
                print(f"{n_tasks} tasks x {fig['commits']} versions on {fig['days']} days "
                      f"({path.stat().st_size / 1e3:.0f} kB file; {fig['running']} tasks in progress as of "
                      f"{AS_OF}, {fig['stale']} left untouched 10-60 days): built in {made:.1f} s", flush=True)
                d = str(AS_OF)
                check_on, _ = time_process([*ptrack, "check", str(path), "--as-of", d], repeat, ok_codes=(0, 1))
                check_off, _ = time_process([*ptrack, "check", str(off), "--as-of", d], repeat, ok_codes=(0, 1))
                hist, _ = time_process([*ptrack, "history", str(path), "--as-of", d], repeat)
                site = out / f"site-{n_tasks}x{n_commits}"
                build_git, _ = time_process([*ptrack, "build", str(path), "--out", str(site), "--as-of", d], repeat)
                build_off, _ = time_process([*ptrack, "build", str(off), "--out", str(site) + "-outside",
                                             "--as-of", d], repeat)
                rows.append((n_tasks, fig["commits"], check_on, check_off, hist, build_git, build_off))
                if not args.no_breakdown:
                    breakdowns.append((f"{n_tasks} tasks x {fig['commits']} versions", breakdown(path)))

        print()
        header = (f"{'tasks':>6} {'versions':>9} {'check s':>8} {'check, rule off s':>18} {'stale-task s':>13} "
                  f"{'history s':>10} {'build s':>8} {'build outside git s':>20}")
        print(header)
        print("-" * len(header))
        for n_tasks, n_commits, check_on, check_off, hist, build_git, build_off in rows:
            print(f"{n_tasks:>6} {n_commits:>9} {check_on:>8.3f} {check_off:>18.3f} {check_on - check_off:>13.3f} "
                  f"{hist:>10.3f} {build_git:>8.3f} {build_off:>20.3f}")
        for label, stages in breakdowns:
            print()
            print(f"in-process, {label}, one fresh read each (first call, GC on):")
            for stage, seconds, what in stages:
                print(f"  {stage:<66} {seconds:7.3f} s  {what}")
        if load_average("at end"):
            print()
            print(load_average("at end"))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
