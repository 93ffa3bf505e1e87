"""The honest as-of without git (ptrack.core.asof): facts dated after D are not known on D.

Git's side (progress as committed by D) is tests/git/test_asof.py.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from ptrack.core.asof import FILE, LATEST, known_on
from ptrack.core.compute import Status, compute_snapshot
from tests.helpers import campaign_from_yaml

D = date.fromisoformat
ROOT = Path(__file__).resolve().parents[2]


def campaign(*tasks: dict, **top):
    doc = {"ptrack": 1, "campaign": {"id": "c", "name": "C", "start": "2024-03-01", "end": "2024-03-31",
                                     "calendar": "none", "locale": "en"},
           "tasks": list(tasks), **top}
    return campaign_from_yaml(json.dumps(doc, ensure_ascii=False))


def T(tid, start, end, **fields):
    return {"id": tid, "name": tid.upper(), "planned": {"start": start, "end": end}, **fields}


def test_the_example_as_of_before_its_recorded_facts(tmp_path, run_cli):
    # The issue: as of 2024-03-03 tasks that finished on 3/6 or later showed as done, +100.
    shutil.copy(ROOT / "examples" / "campaign.yaml", tmp_path / "campaign.yaml")  # outside git
    code, out, err = run_cli("status", str(tmp_path / "campaign.yaml"), "--as-of", "2024-03-03", "--format", "json")
    assert code == 0
    doc = json.loads(out)["campaigns"][0]
    tasks = {t["id"]: t for t in doc["tasks"]}
    assert not [tid for tid, t in tasks.items() if t["status"] == "done"]  # nothing was done by 3/3
    # poster-draft: actual 3/1..3/6 (CN: Fri 3/1, Mon 3/4, Tue 3/5, Wed 3/6 = 4 working days), its
    # deliverable done. As of Sunday 3/3 one of those days had passed: 1 / 4 = 25 %; its plan
    # 3/1..3/5 (3 working days): 1 / 3 = 33.3; -8.3. Not "done, +66.7".
    p = tasks["poster-draft"]
    assert (p["planned_progress"], p["actual_progress"], p["deviation"], p["status"]) == (
        33.3, 25.0, -8.3, "in_progress")
    assert p["actual_end"] is None
    # tracking-setup started Monday 3/4: as of 3/3 not started, its 3 done deliverables not yet
    t = tasks["tracking-setup"]
    assert (t["actual_progress"], t["actual_start"], t["status"]) == (0.0, None, "not_started")
    # milestones achieved later are not achieved yet; the poster risk resolved 3/6 is open
    milestones = {m["id"]: m for m in doc["milestones"]}
    assert milestones["assets-final"]["state"] == "upcoming" and milestones["assets-final"]["achieved"] is None
    assert [r["state"] for r in doc["risks"] if r["id"] == "poster-style-change"] == ["open"]
    # goals: no measurement by 3/3 (the first is 3/15)
    assert {g["id"]: g["latest"] for g in doc["goals"]} == {"exposure": None, "conversion": None,
                                                           "dealers": None, "sales": None}
    # and one notice that progress is the latest recorded
    assert doc["progress_source"] == LATEST
    assert err.count("ptrack：提示：") == 1 and "2024-03-03" in err


def test_a_file_with_nothing_after_d_needs_no_notice(tmp_path, run_cli):
    shutil.copy(ROOT / "examples" / "campaign.yaml", tmp_path / "campaign.yaml")
    code, out, err = run_cli("status", str(tmp_path / "campaign.yaml"), "--as-of", "2024-06-01", "--format", "json")
    assert json.loads(out)["campaigns"][0]["progress_source"] == FILE and "note" not in err


def test_known_on_drops_every_fact_dated_after_d():
    c = campaign(
        T("started-later", "2024-03-01", "2024-03-10", actual={"start": "2024-03-06"},
          quantity={"done": 4, "total": 10}, deliverables=[{"name": "x", "done": True}]),
        T("ended-later", "2024-03-01", "2024-03-04", actual={"start": "2024-03-01", "end": "2024-03-08"}),
        T("in-time", "2024-03-01", "2024-03-02", actual={"start": "2024-03-01", "end": "2024-03-02"},
          risks=[{"issue": "late fix", "resolved": "2024-03-09"}, {"issue": "early fix", "resolved": "2024-03-02"}]),
        milestones=[{"id": "m", "name": "M", "date": "2024-03-04", "achieved": "2024-03-07", "results": {"g": 5}}],
        goals=[{"id": "g", "name": "G", "kind": "cumulative", "target": 10, "due": "2024-03-31",
                "measurements": [{"date": "2024-03-03", "value": 1}, {"date": "2024-03-07", "value": 5}]}],
        risks=[{"issue": "campaign risk", "resolved": "2024-03-20"}])
    known = known_on(c, D("2024-03-05"))
    k = {t.id: t for t in known.campaign.tasks}
    # started 3/6: not started on 3/5, so nothing of what it recorded had happened
    t = k["started-later"]
    assert (t.actual_start, t.progress, t.quantity.done, t.deliverables[0].done) == (None, None, 0.0, False)
    # ended 3/8: not done on 3/5, where 5 of the 8 days of its actual span 3/1..3/8 had passed: 62.5 %
    t = k["ended-later"]
    assert (t.actual_end, t.progress) == (None, 62.5)
    # resolved 3/9: open on 3/5; resolved 3/2 stays resolved
    assert [(r.resolved, r.resolved_on) for r in k["in-time"].risks] == [(False, None), (True, D("2024-03-02"))]
    m = known.campaign.milestones[0]
    assert (m.achieved, dict(m.results)) == (None, {})
    assert [x.date for x in known.campaign.goals[0].measurements] == [D("2024-03-03")]
    assert known.campaign.risks[0].resolved_on is None
    assert known.source == LATEST
    s = compute_snapshot(c, as_of=D("2024-03-05"))
    assert s.task("ended-later").status is Status.DELAYED  # planned end 3/4 passed, not done on 3/5
    assert s.task("ended-later").actual_progress == 62.5
    assert s.task("started-later").actual_progress == 0.0
    # as of 3/20 everything is known: the same campaign object, nothing dropped
    assert known_on(c, D("2024-03-20")).campaign is c and known_on(c, D("2024-03-20")).source == FILE
