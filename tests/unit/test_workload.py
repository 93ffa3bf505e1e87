"""Workload (ptrack.core.workload) and the rules on the schedule: critical-slip, overallocated.

Every load is worked by hand in the comment next to it: an open task takes its owner its
allocation (work and events 100 %, a timebox 25 %, unless ``allocation`` says otherwise) of each
working day of its forecast window after D, a collaborator ``collaborator_share`` (0.5 unless
set) of that; a week has capacity x its working days (after D) / 5.
"""

from __future__ import annotations

import json
from datetime import date

from ptrack.core.compute import compute_snapshot
from ptrack.core.rules import run_rules
from ptrack.reporters import status_document
from tests.helpers import campaign_from_yaml

D = date.fromisoformat
PEOPLE = {"ann": {"name": "Ann", "capacity": 5}, "bob": {"name": "Bob", "capacity": 2},
          "cy": {"name": "Cy"}}  # Cy: capacity 5 by default


def T(tid: str, start: str, end: str, owner: str, *collaborators: str, **fields) -> dict:
    return {"id": tid, "name": fields.pop("name", tid.upper()), "owner": owner,
            **({"collaborators": list(collaborators)} if collaborators else {}),
            "planned": {"start": start, "end": end}, **fields}


def campaign(*tasks: dict, calendar: str = "weekends", people=PEOPLE, policy=None,
             start: str = "2024-03-04", end: str = "2024-03-31"):
    doc = {"ptrack": 1, "campaign": {"id": "c", "name": "C", "start": start, "end": end, "calendar": calendar},
           **({"policy": policy} if policy else {}), **({"people": people} if people is not None else {}),
           "tasks": list(tasks)}
    return campaign_from_yaml(json.dumps(doc, ensure_ascii=False))


def loads(s) -> dict:
    return {p.person: p.load for p in s.workload.people}


# -- load against capacity ---------------------------------------------------------------------------

def test_owner_and_collaborator_load_against_capacity_on_weekends():
    c = campaign(T("a", "2024-03-04", "2024-03-15", "ann", "bob"),  # Mon 3/4 .. Fri 3/15: 10 working days
                 T("b", "2024-03-11", "2024-03-13", "ann"),  # Mon 3/11 .. Wed 3/13: 3
                 T("c", "2024-03-13", "2024-03-19", "bob", "ann"))  # Wed 3/13 .. Tue 3/19: 5
    s = compute_snapshot(c, as_of=D("2024-03-03"))  # Sunday: nothing started, D+1 is Monday 3/4
    w = s.workload
    assert [(wk.label, wk.start, wk.working_days) for wk in w.weeks] == [
        ("2024-W10", D("2024-03-04"), 5), ("2024-W11", D("2024-03-11"), 5), ("2024-W12", D("2024-03-18"), 5)]
    # Ann: W10: a 5 (owner) = 5. W11: a 5 + b 3 + c (3/13-15: 3 days) x 0.5 = 9.5. W12: c (3/18-19) x 0.5 = 1.
    # Bob: W10: a 5 x 0.5 = 2.5. W11: a 2.5 + c 3 = 5.5. W12: c 2.
    # Cy: nothing.
    assert loads(s) == {"ann": (5.0, 9.5, 1.0), "bob": (2.5, 5.5, 2.0), "cy": (0.0, 0.0, 0.0)}
    people = {p.person: p for p in w.people}
    # available = capacity x 5 / 5: Ann 5, Bob 2, Cy 5 each week
    assert people["bob"].available == (2.0, 2.0, 2.0)
    # over: Ann in W11 (9.5 > 5); Bob in W10 (2.5 > 2) and W11 (5.5 > 2), not W12 (2 = 2)
    assert people["ann"].over == {1: ("a", "b", "c")}
    assert people["bob"].over == {0: ("a",), 1: ("a", "c")}
    assert people["cy"].over == {}


def test_collaborator_share_from_the_policy():
    c = campaign(T("a", "2024-03-04", "2024-03-08", "ann", "bob"), policy={"collaborator_share": 0.2})
    s = compute_snapshot(c, as_of=D("2024-03-03"))
    # Bob: 5 working days x 0.2 = 1 (under his 2); with the default 0.5 it would be 2.5 (over)
    assert loads(s)["bob"] == (1.0,)
    assert s.workload.overallocated == ()


def test_only_open_work_after_d_counts():
    c = campaign(T("a", "2024-03-04", "2024-03-15", "ann", actual={"start": "2024-03-04"}, progress=40),
                 T("done", "2024-03-04", "2024-03-06", "ann", actual={"start": "2024-03-04", "end": "2024-03-06"}),
                 T("x", "2024-03-04", "2024-03-15", "ann", status="cancelled"),
                 T("h", "2024-03-04", "2024-03-15", "ann", status="on_hold"))
    s = compute_snapshot(c, as_of=D("2024-03-07"))  # Thursday
    # A: 40 % in 4 working days (3/4-3/7) = 10 a day, 60 left = 6 working days after D: Fri 3/8,
    # Mon 3/11 .. Fri 3/15 -> forecast 3/15. Load from Fri 3/8: W10 1 day, W11 5 days.
    # Done, cancelled and on-hold tasks are not load. W10 counts only Friday: available 5 x 1 / 5 = 1.
    assert [(wk.label, wk.working_days) for wk in s.workload.weeks] == [("2024-W10", 1), ("2024-W11", 5)]
    ann = s.workload.people[0]
    assert (ann.load, ann.available, ann.over) == ((1.0, 5.0), (1.0, 5.0), {})


def test_capacity_scales_with_the_working_days_of_the_week_on_the_cn_calendar():
    # 2024: Sun 4/28 is a working day (W17: Mon-Fri + Sun = 6), May 1-5 off (W18: Mon 4/29, Tue 4/30 = 2),
    # Sat 5/11 is a working day (W19: Mon-Sat = 6).
    c = campaign(T("a", "2024-04-22", "2024-05-17", "ann"),
                 T("b", "2024-04-29", "2024-05-11", "ann"),
                 calendar="CN", start="2024-04-22", end="2024-05-31")
    s = compute_snapshot(c, as_of=D("2024-04-21"))
    w = s.workload
    assert [(wk.label, wk.working_days) for wk in w.weeks] == [
        ("2024-W17", 6), ("2024-W18", 2), ("2024-W19", 6), ("2024-W20", 5)]
    ann = w.people[0]
    # a runs every working day 4/22..5/17: 6, 2, 6, 5. b 4/29..5/11: W18 2, W19 6.
    assert ann.load == (6.0, 4.0, 12.0, 5.0)
    # available = 5 x days / 5: 6, 2, 6, 5 -> over in W18 (4 > 2) and W19 (12 > 6)
    assert ann.available == (6.0, 2.0, 6.0, 5.0)
    assert sorted(ann.over) == [1, 2]


def test_allocation_sums_per_iso_week_across_national_day():
    # CN 2024: W39 (Mon 9/23 .. Sun 9/29) has 6 working days (Sunday 9/29 is 调休); W40 (9/30 ..
    # 10/6) only Monday 9/30 (10/1-10/6 off); W41 (10/7 .. 10/13) Tue 10/8 .. Sat 10/12 (调休) = 5.
    c = campaign(T("a", "2024-09-23", "2024-10-12", "ann", allocation=50),  # work at 50 %
                 T("t", "2024-09-23", "2024-10-12", "ann", kind="timebox"),  # a timebox: 25 % by default
                 T("e", "2024-10-12", "2024-10-12", "ann", kind="event"),  # an event: 100 % on its day
                 T("b", "2024-09-30", "2024-10-08", "bob", "ann"),  # Bob's work, Ann collaborates
                 T("z", "2024-09-23", "2024-10-12", "ann", allocation=0),  # on the plan, no time asked
                 calendar="CN", start="2024-09-23", end="2024-10-31")
    s = compute_snapshot(c, as_of=D("2024-09-22"))
    w = s.workload
    assert [(wk.label, wk.working_days) for wk in w.weeks] == [("2024-W39", 6), ("2024-W40", 1), ("2024-W41", 5)]
    ann, bob = w.people[0], w.people[1]
    # Ann W39: a 6 x 0.5 = 3 + t 6 x 0.25 = 1.5 -> 4.5 (available 6: not over)
    #     W40: a 1 x 0.5 + t 1 x 0.25 + b (9/30) 1 x 1.0 x 0.5 (collaborator share) = 1.25 > 1
    #     W41: a 5 x 0.5 = 2.5 + t 1.25 + e 1 + b (10/8) 0.5 = 5.25 > 5
    assert ann.load == (4.5, 1.25, 5.25) and ann.available == (6.0, 1.0, 5.0)
    assert ann.over == {1: ("a", "t", "b"), 2: ("a", "t", "e", "b")}  # z takes no time: never named
    # Bob (capacity 2): b on 9/30 and 10/8, 1 day each week; W40 has 2 x 1 / 5 = 0.4 available
    # (over), W41 2 x 5 / 5 = 2 (not)
    assert bob.load == (0.0, 1.0, 1.0) and bob.available == (2.4, 0.4, 2.0)
    assert bob.over == {1: ("b",)}


def test_free_text_owners_have_the_default_capacity():
    c = campaign(T("a", "2024-03-04", "2024-03-08", "张三"), T("b", "2024-03-04", "2024-03-08", "张三"), people=None)
    s = compute_snapshot(c, as_of=D("2024-03-03"))
    p = s.workload.people[0]
    # 5 + 5 = 10 working days in W10 against 5 x 5 / 5 = 5
    assert (p.person, p.capacity, p.load, p.over) == ("张三", 5.0, (10.0,), {0: ("a", "b")})


def test_no_open_work_has_no_weeks():
    c = campaign(T("a", "2024-03-04", "2024-03-08", "ann", actual={"start": "2024-03-04", "end": "2024-03-08"}))
    s = compute_snapshot(c, as_of=D("2024-03-10"))
    assert s.workload.weeks == () and [p.load for p in s.workload.people] == [(), (), ()]


# -- JSON -----------------------------------------------------------------------------------------

def test_status_json_workload():
    c = campaign(T("a", "2024-03-04", "2024-03-08", "ann", "bob"))
    s = compute_snapshot(c, as_of=D("2024-03-03"))
    doc = status_document([s], D("2024-03-03"))["campaigns"][0]
    assert doc["workload"] == {
        "collaborator_share": 0.5,
        "weeks": [{"week": "2024-W10", "start": "2024-03-04", "working_days": 5}],
        "people": [
            {"id": "ann", "name": "Ann", "capacity": 5.0, "load": [5.0], "available": [5.0], "overallocated": []},
            # Bob: 5 x 0.5 = 2.5 against 2
            {"id": "bob", "name": "Bob", "capacity": 2.0, "load": [2.5], "available": [2.0],
             "overallocated": ["2024-W10"]},
            {"id": "cy", "name": "Cy", "capacity": 5.0, "load": [0.0], "available": [5.0], "overallocated": []},
        ]}
    assert doc["people"]["bob"] == {"name": "Bob", "department": None, "capacity": 2.0}


# -- rules ---------------------------------------------------------------------------------------------

def findings(c, as_of: str, locale: str = "en"):
    return [(d.code, d.severity.value, d.location.line, d.location.column, d.task, d.message)
            for d in run_rules(compute_snapshot(c, as_of=D(as_of)), locale)
            if d.code in ("critical-slip", "overallocated")]


RULES_CAMPAIGN = """\
ptrack: 1
campaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31, calendar: none}
people:
  ann: {name: Ann}
  bob: {name: Bob, capacity: 2}
tasks:
  - id: a
    name: Brief
    owner: ann
    planned: {start: 2024-03-01, end: 2024-03-10}
    actual: {start: 2024-03-01}
    progress: 20
  - id: b
    name: Launch
    owner: ann
    planned: {start: 2024-03-11, end: 2024-03-31}
    depends_on: [a]
  - id: c
    name: Posters
    owner: bob
    planned: {start: 2024-03-01, end: 2024-03-05}
    actual: {start: 2024-03-01}
    progress: 90
"""


def test_critical_slip_and_overallocated():
    c = campaign_from_yaml(RULES_CAMPAIGN)
    got = findings(c, "2024-03-05")
    # A (10 days): 20 % by D = 3/5, earned 2 days, 8 left at the planned pace -> forecast 3/13;
    # planned 50 % by 3/5: behind by 5 - 0.2 x 10 = 3 days. B waits for A: from 3/14, 21 days ->
    # 4/3 = F. Anchor min(3/31, 4/3) = 3/31: B float 31 - 34 = -3, A float = LS(B) 10 - EF(A) 13 = -3:
    # both critical; A is behind plan, B has not reached its start (0 days behind): one finding.
    # C: 90 % of 5 days, 0.5 day left -> 1 day -> 3/6; float = 31 - 6 = 25, not critical.
    # Ann owns A (from 3/6 to 3/13) and B (3/14 to 4/3) one after the other: 1 a day, never over
    # 7 a week (calendar none: capacity 5 x 7 / 5 = 7). Bob: C on 3/6 (W10: Wed 3/6 .. Sun 3/10,
    # 5 days, available 2 x 5 / 5 = 2): 1 <= 2, not over.
    assert got == [("critical-slip", "warning", 12, 15, "a",
                    'task "Brief" is on the critical path (float -3 working days) and 3 working days behind '
                    "plan: any day lost there moves the campaign's end date (forecast finish 2024-03-13, "
                    "planned end 2024-03-31)")]


def test_overallocated_finding_points_at_the_person_and_names_the_tasks():
    text = RULES_CAMPAIGN + """\
  - id: d
    name: Flyers
    owner: ann
    collaborators: [bob]
    planned: {start: 2024-03-11, end: 2024-03-17}
"""
    c = campaign_from_yaml(text)
    got = findings(c, "2024-03-05", "en")
    over = [f for f in got if f[0] == "overallocated"]
    # W11 (Mon 3/11 .. Sun 3/17, 7 days): Ann owns A (3/11-13: 3), then B (3/14-17: 4), and D (7)
    # = 14 > 7. W12..: only B: 7 a week, not over. Bob: D x 0.5 = 3.5 > 2 x 7 / 5 = 2.8 in W11.
    assert over == [
        ("overallocated", "notice", 4, 8, None,
         "Ann is over-allocated in 1 week, 2024-W11: 14 working days of work against 7 available "
         "(capacity 5 a week; Brief, Launch, Flyers)"),
        ("overallocated", "notice", 5, 8, None,
         "Bob is over-allocated in 1 week, 2024-W11: 3.5 working days of work against 2.8 available "
         "(capacity 2 a week; Flyers)"),
    ]
    zh = [f[5] for f in findings(c, "2024-03-05", "zh-CN") if f[0] == "overallocated"]
    assert zh[0] == ("Ann 有 1 周超负荷，最重的是 2024-W11：计划工作 14 个工作日，可用 7 个（每周可用 5 个工作日；"
                     "Brief、Launch、Flyers）")


def test_overallocated_is_a_notice_that_the_policy_can_raise_or_switch_off():
    text = RULES_CAMPAIGN.replace("people:", "policy:\n  rules: {overallocated: error, critical-slip: off}\npeople:") + """\
  - id: d
    name: Flyers
    owner: ann
    planned: {start: 2024-03-11, end: 2024-03-17}
"""
    got = findings(campaign_from_yaml(text), "2024-03-05")
    assert [(f[0], f[1]) for f in got] == [("overallocated", "error")]
