"""``ptrack notify`` runs as they really happen: two processes at once against a 127.0.0.1 server
that counts posts (the same channel: each message posted once; two channels: both records
kept), each delivery printed as it happens (a run killed half-way has printed what it sent),
deliveries that timed out after the request went out reported and recorded as unconfirmed and
sent again by the next run, and ``notify.deadline_s`` bounding the whole run.

The campaign is test_notify_cli.py's: three digests (team, Lee, Ann), one message each on a
企业微信 or Slack channel."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ptrack.notify.send import DEADLINE_PASSED, SentState
from ptrack.notify.model import Message
from tests.notify.test_notify_cli import CAMPAIGN, DAY, SLACK, TOKEN, WECOM, config
from tests.notify_support import RecordingServer, Reply

KEYS = ["demo/@team/2024-03-08", "demo/ann/2024-03-08", "demo/lee/2024-03-08"]
SENT_LINES = ["  Team · demo/@team/2024-03-08 · 3 items: sent",
              "  Lee (lee) · demo/lee/2024-03-08 · 1 item: sent",
              "  Ann (ann) · demo/ann/2024-03-08 · 2 items: sent"]


@pytest.fixture
def project(tmp_path, write, monkeypatch):
    write("campaigns/demo.yaml", CAMPAIGN)
    monkeypatch.chdir(tmp_path)  # run_cli's runs too
    for name in ("PTRACK_WECOM_WEBHOOK", "PTRACK_SLACK_WEBHOOK"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _env(**hooks: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PTRACK_", "GITHUB_"))
           and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env.update(hooks)
    return env


def _notify(project: Path, env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ptrack", "notify", "--as-of", DAY, *args], cwd=project, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")


def _state(project: Path) -> dict:
    return json.loads((project / ".ptrack" / "notify-sent.json").read_text(encoding="utf-8"))


def test_two_runs_at_once_post_each_message_once(project, write):
    """Each post takes 1 s, so the first run sends for 3 s while the second starts: without the
    lock the second read the record before those posts were in it and posted them again."""
    write("ptrack.yaml", config(WECOM))
    with RecordingServer(Reply(200, {"errcode": 0, "errmsg": "ok"}, delay=1.0)) as server:
        env = _env(PTRACK_WECOM_WEBHOOK=server.url(f"/cgi-bin/webhook/send?key={TOKEN}"))
        runs = [_notify(project, env), _notify(project, env)]
        results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    assert len(server.requests) == 3, [r.json()["markdown"]["content"][:40] for r in server.requests]
    outs = [out.splitlines() for out, _ in results]
    # one run sent all three, the other waited for it and skipped them
    senders = [lines for lines in outs if lines[1:4] == SENT_LINES]
    waiters = [lines for lines in outs if lines[-1] == "0 sent, 0 failed, 3 skipped (already sent)."]
    assert len(senders) == 1 and len(waiters) == 1, outs
    assert waiters[0][1].startswith("  waiting: another ptrack notify run is sending to group (lock ")
    assert _state(project) == {"ptrack-notify": 1, "sent": {"group": {key: [1] for key in KEYS}}}


def test_two_runs_on_different_channels_keep_both_records(project, write):
    """Two jobs, one per channel, at once: each merges its records into the file under the
    lock; without it the last writer's copy (its channel only) replaced the other's."""
    write("ptrack.yaml", config(WECOM, SLACK))
    with RecordingServer(Reply(200, {"errcode": 0, "errmsg": "ok"}, delay=0.5)) as wecom, \
            RecordingServer(Reply(200, "ok", delay=0.5)) as slack:
        env = _env(PTRACK_WECOM_WEBHOOK=wecom.url(f"/send?key={TOKEN}"),
                   PTRACK_SLACK_WEBHOOK=slack.url(f"/services/T0/B0/{TOKEN}"))
        runs = [_notify(project, env, "--channel", "group"), _notify(project, env, "--channel", "slack")]
        results = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], results
    assert (len(wecom.requests), len(slack.requests)) == (3, 3)
    assert _state(project) == {"ptrack-notify": 1, "sent": {"group": {key: [1] for key in KEYS},
                                                            "slack": {key: [1] for key in KEYS}}}


def test_records_merge_into_what_another_run_wrote(tmp_path):
    """In one process (no lock contention): two records loaded before either wrote; each
    record() merges with the file as it is then."""
    path = tmp_path / "sent.json"
    first, second = SentState.load(path), SentState.load(path)
    first.record("a", Message("a", "wecom", "demo/ann/2024-03-08", "ann", 1, 1, {}), date_of(DAY))
    second.record("b", Message("b", "slack", "demo/lee/2024-03-08", "lee", 1, 1, {}), date_of(DAY))
    assert json.loads(path.read_text("utf-8"))["sent"] == {"a": {"demo/ann/2024-03-08": [1]},
                                                           "b": {"demo/lee/2024-03-08": [1]}}


def date_of(text: str):
    from datetime import date

    return date.fromisoformat(text)


def test_each_delivery_is_printed_as_it_happens(project, write):
    """The second post is held; by then the first one's line is out. The run is then killed
    (a CI job at its time limit): what it printed says what was sent."""
    write("ptrack.yaml", config(WECOM))
    gate = threading.Event()
    with RecordingServer() as server:
        server.replies = [Reply(200, {"errcode": 0, "errmsg": "ok"}), Reply(200, {"errcode": 0}, gate=gate)]
        run = _notify(project, _env(PTRACK_WECOM_WEBHOOK=server.url(f"/send?key={TOKEN}")))
        lines: queue.Queue = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in run.stdout], daemon=True)
        reader.start()
        seen: list[str] = []
        deadline = time.monotonic() + 60
        while SENT_LINES[0] not in seen:
            assert time.monotonic() < deadline and run.poll() is None, (seen, run.stderr.read())
            try:
                seen.append(lines.get(timeout=0.1))
            except queue.Empty:
                pass
        while len(server.requests) < 2:  # the second post is in, waiting for its answer
            assert time.monotonic() < deadline, seen
            time.sleep(0.02)
        run.send_signal(signal.SIGKILL)
        run.wait(30)
        gate.set()
        reader.join(10)
    while not lines.empty():
        seen.append(lines.get())
    assert seen == ["group (wecom):", SENT_LINES[0]]


def test_a_timeout_after_sending_is_unconfirmed_recorded_and_sent_again(run_cli, write, project, monkeypatch):
    write("ptrack.yaml", config(WECOM.replace("retries: 0", "retries: 0\n      timeout: 0.5")))
    with RecordingServer(Reply(hang=True)) as server:
        monkeypatch.setenv("PTRACK_WECOM_WEBHOOK", server.url(f"/send?key={TOKEN}"))
        code, out, err = run_cli("notify", "--as-of", DAY)
        assert len(server.requests) == 3
    assert code == 1
    why = "timed out after 0.5 s; it may have arrived, and the next run sends it again"
    assert out.splitlines() == ["group (wecom):",
                                f"  Team · demo/@team/2024-03-08 · 3 items: UNCONFIRMED: {why}",
                                f"  Lee (lee) · demo/lee/2024-03-08 · 1 item: UNCONFIRMED: {why}",
                                f"  Ann (ann) · demo/ann/2024-03-08 · 2 items: UNCONFIRMED: {why}",
                                "0 sent, 3 unconfirmed, 0 failed, 0 skipped (already sent)."]
    assert err.splitlines() == [f"ptrack: error: group (wecom): {who} {key}: delivery unconfirmed: timed out after 0.5 s"
                                for who, key in (("team", KEYS[0]), ("lee", KEYS[2]), ("ann", KEYS[1]))]
    assert _state(project) == {"ptrack-notify": 1, "sent": {}, "unconfirmed": {"group": {key: [1] for key in KEYS}}}

    with RecordingServer() as server:
        monkeypatch.setenv("PTRACK_WECOM_WEBHOOK", server.url(f"/send?key={TOKEN}"))
        code, out, err = run_cli("notify", "--as-of", DAY, "--format", "json")
        assert len(server.requests) == 3, (out, err)  # at least once: sent again
    assert code == 0
    messages = json.loads(out)["messages"]
    assert [(m["status"], m["maybe_twice"]) for m in messages] == [("sent", True)] * 3
    assert err.splitlines()[1] == ("  Team · demo/@team/2024-03-08 · 3 items: sent again: the last run could not "
                                   "confirm it (it may show twice)")
    assert _state(project) == {"ptrack-notify": 1, "sent": {"group": {key: [1] for key in KEYS}}}


def test_the_runs_deadline_bounds_the_whole_run(run_cli, write, project, monkeypatch):
    """deadline_s 1.5 with attempts of 10 s and 2 retries against a server that never answers:
    the first attempt is cut at the deadline, nothing more is tried, the run ends."""
    write("ptrack.yaml", config(WECOM.replace("retries: 0", "retries: 2\n      timeout: 10"))
          .replace("notify:\n", "notify:\n  deadline_s: 1.5\n"))
    with RecordingServer(Reply(hang=True)) as server:
        monkeypatch.setenv("PTRACK_WECOM_WEBHOOK", server.url(f"/send?key={TOKEN}"))
        started = time.monotonic()
        code, out, err = run_cli("notify", "--as-of", DAY, "--format", "json")
        took = time.monotonic() - started
        assert len(server.requests) == 1
    assert code == 1 and took <= 1.5 + 2.0, took
    first, *rest = json.loads(out)["messages"]
    assert first["status"] == "unconfirmed" and first["attempts"] == 1
    assert first["detail"].startswith("timed out after 1.") or first["detail"].startswith("timed out after 0.")
    assert first["detail"].endswith("; not retried: the run's deadline comes first"), first["detail"]
    assert [(m["status"], m["detail"]) for m in rest] == [("failed", DEADLINE_PASSED)] * 2
    state = _state(project)
    assert state["sent"] == {} and state["unconfirmed"] == {"group": {KEYS[0]: [1]}}
