"""``ptrack update --planned-end D --cascade --reason TEXT`` in a real git repository: the reason
(改期原因) in ``diff``, ``history``, the baseline's slips (status --baseline, check's notice) and
``retro``.

The campaign (calendar none, so a day is a working day): alpha 03-01..03-10 (10 days), beta
03-11..03-15 after alpha (5 days), gamma 03-01..03-20 unrelated. Ann commits the plan on 03-01;
on 03-04 Carol moves alpha's end to 03-13 (+3) with a reason and the cascade: beta must start
03-14, and keeps its 5 days: 03-14..03-18 (+3); gamma does not move. On 03-06 Dave moves beta's
end to 03-19 (+1) without a reason.
"""

from __future__ import annotations

import json

from tests.git_support import task


def _history(make_repo, campaign, run_cli, monkeypatch):
    repo = make_repo()
    data = campaign()
    data["tasks"] = [task("alpha", "Alpha", "2024-03-01", "2024-03-10", progress=0),
                     task("beta", "Beta", "2024-03-11", "2024-03-15", depends_on=["alpha"]),
                     task("gamma", "Gamma", "2024-03-01", "2024-03-20")]
    path = repo.write("c.yaml", data)
    first = repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    monkeypatch.setenv("PTRACK_AS_OF", "2024-03-04")
    code, out, err = run_cli("update", str(path), "alpha", "--planned-end", "2024-03-13", "--cascade",
                             "--reason", "客户返稿，主视觉延期")
    assert (code, err) == (0, ""), err
    second = repo.commit("2024-03-04T18:00:00+08:00", "Carol")
    monkeypatch.setenv("PTRACK_AS_OF", "2024-03-06")
    code, _, err = run_cli("update", str(path), "beta", "--planned-end", "2024-03-19")
    assert code == 0, err
    third = repo.commit("2024-03-06T18:00:00+08:00", "Dave")
    monkeypatch.delenv("PTRACK_AS_OF")
    return repo, path, first, second, third


def test_the_reason_in_diff_history_and_the_baseline(make_repo, campaign, run_cli, monkeypatch):
    repo, path, first, second, third = _history(make_repo, campaign, run_cli, monkeypatch)
    text = path.read_text("utf-8")
    # Dave's re-plan without a reason removed the cascade's reason from beta: it no longer explains beta's dates
    assert "reason" not in text.split("id: beta")[1].split("id: gamma")[0]

    # diff of Carol's commit: both moves carry the reason; gamma is not listed
    code, out, err = run_cli("diff", str(path), "--base", first, "--head", second, "--format", "json",
                             "--as-of", "2024-03-04")
    assert (code, err) == (0, "")
    moves = [(c["task"], c["field"], c["old"], c["new"], c["delta_days"], c["reason"])
             for c in json.loads(out)["changes"] if c["kind"] == "dates-moved"]
    assert moves == [("alpha", "planned.end", "2024-03-10", "2024-03-13", 3, "客户返稿，主视觉延期"),
                     ("beta", "planned.start", "2024-03-11", "2024-03-14", 3, "客户返稿，主视觉延期"),
                     ("beta", "planned.end", "2024-03-15", "2024-03-18", 3, "客户返稿，主视觉延期")]
    code, out, _ = run_cli("diff", str(path), "--base", first, "--head", second, "--as-of", "2024-03-04")
    assert "  - planned end moved 2024-03-10 → 2024-03-13 (+3 working days) — reason: 客户返稿，主视觉延期" in out
    # Dave's commit has no reason
    code, out, _ = run_cli("diff", str(path), "--base", second, "--head", third, "--format", "json",
                           "--as-of", "2024-03-06")
    assert [(c["task"], c["reason"]) for c in json.loads(out)["changes"] if c["kind"] == "dates-moved"] == [
        ("beta", None)]

    # history: every re-plan, by whom, when and why
    code, out, _ = run_cli("history", str(path), "--as-of", "2024-03-31")
    replans = json.loads(out)["replans"]
    assert [(r["date"], r["commit"], r["author"], r["task"], r["old_end"], r["new_end"], r["days"], r["reason"])
            for r in replans] == [
        ("2024-03-04", second, "Carol", "alpha", "2024-03-10", "2024-03-13", 3, "客户返稿，主视觉延期"),
        ("2024-03-04", second, "Carol", "beta", "2024-03-15", "2024-03-18", 3, "客户返稿，主视觉延期"),
        ("2024-03-06", third, "Dave", "beta", "2024-03-18", "2024-03-19", 1, None)]
    code, out, _ = run_cli("history", str(path), "--as-of", "2024-03-31", "--format", "csv")
    rows = [line for line in out.splitlines() if ",alpha," in line and line.startswith("demo,2024-03-04")]
    # alpha, now 03-01..03-13 (13 days), as of 03-04: planned 4/13 = 30.8 %, actual 0
    assert rows == [f"demo,2024-03-04,{second},Carol,alpha,30.8,0.0,-30.8,not_started,red,"
                    "planned.end 2024-03-10 → 2024-03-13 (+3): 客户返稿，主视觉延期"]

    # the baseline (the first commit): each slip says why
    code, out, _ = run_cli("status", str(path), "--baseline", "first", "--format", "json", "--as-of", "2024-03-08")
    tasks = {t["id"]: t for t in json.loads(out)["campaigns"][0]["tasks"]}
    assert [(s["author"], s["old_end"], s["new_end"], s["days"], s["reason"]) for s in tasks["beta"]["slips"]] == [
        ("Carol", "2024-03-15", "2024-03-18", 3, "客户返稿，主视觉延期"), ("Dave", "2024-03-18", "2024-03-19", 1, None)]
    assert tasks["gamma"]["slips"] == []
    code, out, _ = run_cli("check", str(path), "--baseline", "first", "--format", "json", "--as-of", "2024-03-08")
    [alpha] = [f for f in json.loads(out)["findings"] if f["rule"] == "baseline-slip" and f["task"] == "alpha"]
    assert alpha["message"] == ('task "Alpha" now ends 2024-03-13, 3 working days later than in the baseline '
                                "first (2024-03-10); moved later 1 times, by Carol; why: 客户返稿，主视觉延期")
    code, out, _ = run_cli("retro", str(path))
    assert "| Beta (beta) | 2 | 4 | 4 | Carol, Dave | 2024-03-04, 2024-03-06 | 客户返稿，主视觉延期 |" in out
