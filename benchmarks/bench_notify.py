#!/usr/bin/env python
"""How long a ``ptrack notify`` run takes: the digests of a generated campaign, shown
(``--dry-run``) and really sent to an HTTP server on 127.0.0.1.

    python benchmarks/bench_notify.py [--tasks 1000] [--commits 200] [--repeat N]

Shapes (bench_core's generator, varied), each a 1,000-task campaign as a whole process:

- ``mid``: the generated campaign as of its mid-window day (2024-07-01), outside git;
- ``handles``: the same with a chat handle for every person (each digest @-mentions), horizon 10
  working days (longer digests, more split parts);
- ``late``: the same file as of 2024-11-29, a month before its end (most open work overdue);
- ``git``: bench_history's repository (the plan plus --commits commits of daily updates), so the
  stale tasks and the previous working day's version come from git.

For each: the digests and lines made, ``ptrack notify --dry-run`` with no channel (the digests as
text), ``--dry-run`` with a 企业微信 channel (every payload rendered and printed), and a real send
to a local server that answers ``{"errcode": 0}`` (a fresh send-once record each run, so every
message goes; ``per_minute`` raised so the platform's pacing does not dominate). Then the
in-process split of the ``git`` shape: loading, the snapshot, git, the digests.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import AS_OF, bench_env, generate_campaign, load_average, ptrack_cmd, run_header  # noqa: E402

LATE = date(2024, 11, 29)
WECOM = ("notify:\n  horizon_days: {horizon}\n  channels:\n    group:\n      type: wecom\n"
         "      webhook_env: PTRACK_WECOM_WEBHOOK\n      per_minute: 1000000\n      max_parts: 10\n"
         "      retries: 0\n")


class Sink:
    """An HTTP server on 127.0.0.1 that counts POSTs and answers like 企业微信."""

    def __init__(self) -> None:
        self.count = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sink.count += 1
                body = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/cgi-bin/webhook/send?key=bench"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def with_handles(text: str) -> str:
    """Every generated person gets a WeCom userid and a Slack id besides the email."""
    return re.sub(r"(  ([a-z]+-\d\d): \{name: [^,]+, department: [^,]+, role: [^,]+, email: [^}]+)\}",
                  lambda m: f"{m.group(1)}, wecom_userid: {m.group(2)}, slack: U{m.group(2).upper().replace('-', '')}}}",
                  text)


def run(argv: list[str], cwd: Path, env: dict, repeat: int, before=None) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(repeat):
        if before:
            before()
        t0 = time.perf_counter()
        proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
        best = min(best, time.perf_counter() - t0)
        if proc.returncode != 0:
            sys.exit(f"bench: {' '.join(argv)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
        out = proc.stdout
    return best, out


HORIZON = {}  # shape folder -> horizon_days of its ptrack.yaml


def shape_folder(root: Path, name: str, text: str | None, horizon: int) -> Path:
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    if text is not None:
        (folder / "campaign.yaml").write_text(text, "utf-8")
    (folder / "ptrack.yaml").write_text(WECOM.format(horizon=horizon), "utf-8")
    HORIZON[folder] = horizon
    return folder


def git_shape(root: Path, tasks: int, commits: int, horizon: int) -> Path:
    from bench_history import build_history, make_repository

    built, _ = build_history(tasks, commits, root)
    path = make_repository(root / "git", built)
    repo = path.parent.parent
    (repo / "ptrack.yaml").write_text(WECOM.format(horizon=horizon).replace("notify:", "campaigns: campaigns/*.yaml\nnotify:"),
                                      "utf-8")
    HORIZON[repo] = horizon
    return repo


def breakdown(repo: Path) -> list[tuple[str, float]]:
    from ptrack.core.calendars import get_calendar
    from ptrack.core.compute import compute_snapshot
    from ptrack.core.config import load_config
    from ptrack.notify.digest import _from_git, build_digests, previous_working_day
    from ptrack.pipeline import load_all

    config = load_config(repo)
    files = sorted((repo / "campaigns").glob("*.yaml"))
    rows = []
    t0 = time.perf_counter()
    result = load_all(files, config)[0]
    rows.append(("load + validate + model", time.perf_counter() - t0))
    t0 = time.perf_counter()
    snapshot = compute_snapshot(result.campaign, as_of=AS_OF)
    previous_day = previous_working_day(get_calendar(result.campaign.calendar), AS_OF)
    rows.append(("compute (D)", time.perf_counter() - t0))
    t0 = time.perf_counter()
    previous_campaign, stale = _from_git(files[0], result.file, snapshot, previous_day, config.policy, [])
    rows.append((f"git: stale tasks ({len(stale)}) + version of {previous_day}", time.perf_counter() - t0))
    t0 = time.perf_counter()
    previous = compute_snapshot(previous_campaign or result.campaign, as_of=previous_day)
    rows.append(("compute (previous working day)", time.perf_counter() - t0))
    t0 = time.perf_counter()
    digests = build_digests(snapshot, horizon_days=config.notify.horizon_days, previous=previous,
                            previous_day=previous_day, stale=stale)
    rows.append((f"digests ({len(digests)})", time.perf_counter() - t0))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--commits", type=int, default=200, help="commits of the git shape")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    args = ap.parse_args(argv)
    repeat = max(1, args.repeat)
    ptrack = ptrack_cmd()
    tmp = Path(tempfile.mkdtemp(prefix="ptrack-bench-notify-"))
    sink = Sink()
    try:
        print(run_header([], repeat))
        n = args.tasks
        text = generate_campaign(n)
        shapes = [
            ("mid", shape_folder(tmp, "mid", text, 3), AS_OF, "campaign.yaml"),
            ("handles", shape_folder(tmp, "handles", with_handles(text), 10), AS_OF, "campaign.yaml"),
            ("late", shape_folder(tmp, "late", text, 3), LATE, "campaign.yaml"),
            (f"git ({args.commits} commits)", git_shape(tmp, n, args.commits, 3), AS_OF, "campaigns"),
        ]
        env = dict(bench_env(), PTRACK_WECOM_WEBHOOK=sink.url)
        header = (f"{'shape':<18} {'tasks':>6} {'digests':>8} {'lines':>6} {'messages':>9} "
                  f"{'digests s':>10} {'dry-run s':>10} {'send s':>8}")
        print(f"{n} tasks each; a send goes to {sink.url.split('/cgi')[0]}")
        print(header)
        print("-" * len(header))
        for name, folder, day, target in shapes:
            as_of = ["--as-of", day.isoformat()]
            state = folder / ".ptrack" / "notify-sent.json"

            def fresh(state=state):
                state.unlink(missing_ok=True)

            # the digests alone: --dry-run from a folder whose ptrack.yaml has no channel
            plain = tmp / f"{name}-plain"
            plain.mkdir(exist_ok=True)
            (plain / "ptrack.yaml").write_text(f"notify: {{horizon_days: {HORIZON[folder]}}}\n", "utf-8")
            t_plain, out = run([*ptrack, "notify", str(folder / target), "--dry-run", *as_of, "--format", "json"],
                               plain, env, repeat)
            report = json.loads(out)
            digests = len(report["digests"])
            lines = sum(len(s["items"]) for d in report["digests"] for s in d["sections"])
            t_dry, out = run([*ptrack, "notify", str(folder / target), "--dry-run", *as_of, "--format", "json"],
                             folder, env, repeat)
            messages = len(json.loads(out)["messages"])
            before = sink.count
            t_send, out = run([*ptrack, "notify", str(folder / target), *as_of, "--format", "json"], folder, env,
                              repeat, before=fresh)
            summary = json.loads(out)["summary"]
            assert summary["sent"] == messages and summary["failed"] == 0, summary
            assert sink.count - before == messages * repeat
            print(f"{name:<18} {n:>6} {digests:>8} {lines:>6} {messages:>9} {t_plain:>10.3f} {t_dry:>10.3f} "
                  f"{t_send:>8.3f}", flush=True)
        print()
        print(f"in-process, the git shape ({n} tasks, {args.commits} commits), first call:")
        rows = breakdown(shapes[-1][1])
        for label, seconds in rows:
            print(f"  {label:<48} {seconds:7.3f} s")
        print(f"  {'total':<48} {sum(s for _, s in rows):7.3f} s")
        print(load_average("at end"))
    finally:
        sink.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
