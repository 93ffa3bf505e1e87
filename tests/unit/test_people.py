"""Who does what across campaigns (ptrack.core.people): ISO weeks, each open task in one section,
roles, risks by owner, who waits on whom. Hand-worked on the example as of Monday 2024-04-15
(this week 04-15..04-21, next week 04-22..04-28) and on small campaigns."""

from __future__ import annotations

from datetime import date

import pytest

from ptrack.core.compute import compute_snapshot
from ptrack.core.people import collect_people, person_ids, week_of

from tests.helpers import EXAMPLE, campaign_from_yaml, snapshot_of

D = date(2024, 4, 15)


@pytest.fixture(scope="module")
def example_people():
    return collect_people([snapshot_of(EXAMPLE)], D)


def _sections(person) -> list[tuple[str, str, str]]:
    return [(m.section, m.task.task.id, m.role) for m in person.tasks]


@pytest.mark.parametrize("day, monday, sunday", [
    (date(2024, 4, 15), date(2024, 4, 15), date(2024, 4, 21)),   # a Monday: its own week
    (date(2024, 4, 21), date(2024, 4, 15), date(2024, 4, 21)),   # a Sunday ends it
    (date(2024, 4, 28), date(2024, 4, 22), date(2024, 4, 28)),   # a CN make-up working Sunday (调休): same week
    (date(2023, 12, 31), date(2023, 12, 25), date(2023, 12, 31)),
    (date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 7)),
])
def test_weeks_are_iso_weeks_monday_to_sunday(day, monday, sunday):
    assert week_of(day) == (monday, sunday)


def test_the_weeks_of_the_build(example_people):
    assert example_people.week == (date(2024, 4, 15), date(2024, 4, 21))
    assert example_people.next_week == (date(2024, 4, 22), date(2024, 4, 28))


def test_everyone_listed_under_people_gets_a_page(example_people):
    # in the order of the file's people: section
    assert [p.id for p in example_people.people] == [
        "marketing-director", "marketing-manager", "ops-b", "content-c", "design-lead", "designer-a",
        "sales-manager", "sales-d", "channel-e", "tech-lead", "data-analyst"]
    assert (example_people.get("marketing-manager").name, example_people.get("marketing-manager").department) == (
        "王雪", "市场部")


def test_wang_xue_exact(example_people):
    # done tasks sort by planned end: key-messages 03-05, poster-final 03-11, video-scripts 03-12,
    # launch-event 03-22, expo-event 04-12
    assert _sections(example_people.get("marketing-manager")) == [
        ("overdue", "kol-seeding", "owner"),
        ("due_this_week", "midterm-analysis", "collaborator"),
        ("later", "retro-report", "owner"),
        ("on_hold", "campus-popup", "owner"),
        ("done", "key-messages", "owner"),
        ("done", "poster-final", "collaborator"),
        ("done", "video-scripts", "collaborator"),
        ("done", "launch-event", "owner"),
        ("done", "expo-event", "collaborator"),
    ]
    p = example_people.get("marketing-manager")
    # her one open risk: kol-schedule-conflict, due 04-12, overdue by 3 days
    assert [(r.risk.risk.id, r.role, r.risk.state, r.risk.days_overdue) for r in p.risks] == [
        ("kol-schedule-conflict", "owner", "overdue", 3)]
    assert p.waiting == ()  # nothing depends on kol-seeding, campus-popup or retro-report
    assert p.campaigns == ("spring-launch-2024",)
    assert p.open_tasks == 3


def test_liu_chang_s_open_tasks(example_people):
    # short-video ends 04-19 (this week); xhs-notes 04-26, wechat-community 05-10, ecom-promo and
    # weekly-reports 05-31 are in progress, later; may-day-promo starts 04-22 (next week)
    p = example_people.get("ops-b")
    assert [x for x in _sections(p) if x[0] != "done"] == [
        ("overdue", "kol-seeding", "collaborator"),
        ("due_this_week", "short-video", "owner"),
        ("in_progress", "xhs-notes", "collaborator"),
        ("in_progress", "wechat-community", "owner"),
        ("in_progress", "ecom-promo", "owner"),
        ("in_progress", "weekly-reports", "collaborator"),
        ("starting_next_week", "may-day-promo", "collaborator"),
    ]
    assert p.risks == ()  # douyin-ad-policy is resolved


def test_others_waiting_on_me(example_people):
    # store-launch (黄磊, forecast 04-25) holds up may-day-promo (李国强, planned start 04-22): late
    (w,) = example_people.get("sales-d").waiting
    assert (w.mine.task.id, w.waiting.task.id, w.who, w.late) == ("store-launch", "may-day-promo", "sales-manager", True)
    # midterm-analysis (林晓, forecast 04-19) before retro-report (王雪, 05-27): waiting, not late
    (w,) = example_people.get("data-analyst").waiting
    assert (w.mine.task.id, w.waiting.task.id, w.who, w.late) == ("midterm-analysis", "retro-report",
                                                                 "marketing-manager", False)
    (w,) = example_people.get("channel-e").waiting
    assert (w.mine.task.id, w.waiting.task.id, w.late) == ("dealer-training", "retro-report", False)
    # the others: on-hold campus-popup has no successor; tech-lead's ab-test neither
    assert example_people.get("tech-lead").waiting == ()
    # store-props-late (黄磊's own risk, due 04-18) is open
    assert [r.risk.risk.id for r in example_people.get("sales-d").risks] == ["store-props-late"]


SMALL = """
ptrack: 1
campaign: {{id: {cid}, name: N, start: 2024-04-01, end: 2024-06-30, calendar: none, lead: boss}}
tasks:
  - {{id: late, name: Late, owner: {p}, planned: {{start: 2024-04-10, end: 2024-05-10}}}}
  - {{id: today, name: Today, owner: {p}, planned: {{start: 2024-04-01, end: 2024-04-15}}, progress: 50}}
  - {{id: sat, name: Sat, owner: {p}, planned: {{start: 2024-04-20, end: 2024-05-30}}}}
  - {{id: mon, name: Mon, owner: {p}, planned: {{start: 2024-04-22, end: 2024-05-30}}}}
  - {{id: nextsun, name: NextSun, owner: {p}, planned: {{start: 2024-04-28, end: 2024-05-30}}}}
  - {{id: far, name: Far, owner: {p}, planned: {{start: 2024-04-29, end: 2024-05-30}}}}
  - {{id: gone, name: Gone, owner: {p}, status: cancelled, planned: {{start: 2024-04-01, end: 2024-04-30}}}}
  - {{id: nobody, name: Nobody, planned: {{start: 2024-04-16, end: 2024-04-17}},
      risks: [{{issue: r1, due: 2024-04-20}}]}}
  - {{id: after, name: After, owner: {p}, depends_on: [nobody], planned: {{start: 2024-04-18, end: 2024-04-30}}}}
  - {{id: other, name: Other, owner: "设计部", depends_on: [late], planned: {{start: 2024-05-11, end: 2024-05-20}}}}
risks:
  - {{issue: campaign risk, owner: {p}, due: 2024-04-30}}
"""


def _small(cid: str, person: str):
    return compute_snapshot(campaign_from_yaml(SMALL.format(cid=cid, p=person)), as_of=D)


def test_sections_exact_on_a_small_campaign():
    ann = collect_people([_small("c1", "ann")], D).get("ann")
    # no people: section: the ids written (ann, boss) get pages, the free text 设计部 does not
    assert [p.id for p in collect_people([_small("c1", "ann")], D).people] == ["ann", "boss"]
    assert [(m.section, m.task.task.id, m.late_start) for m in ann.tasks] == [
        ("due_this_week", "today", False),         # ends on D itself
        ("in_progress", "late", True),             # planned start 04-10 passed, not started
        ("starting_this_week", "after", False),    # Thursday 04-18 (sorted by planned start)
        ("starting_this_week", "sat", False),      # Saturday 04-20
        ("starting_next_week", "mon", False),      # Monday 04-22
        ("starting_next_week", "nextsun", False),  # Sunday 04-28 ends next week
        ("later", "far", False),                   # Monday 04-29
    ]  # "gone" is cancelled: left out


def test_unowned_tasks_and_their_risks_go_to_the_lead_and_waiting_counts_them():
    people = collect_people([_small("c1", "ann")], D)
    boss = people.get("boss")
    assert [(m.section, m.task.task.id, m.role) for m in boss.tasks] == [("due_this_week", "nobody", "lead")]
    assert [(r.risk.risk.issue, r.role) for r in boss.risks] == [("r1", "lead")]
    assert [(r.risk.risk.issue, r.role, r.task) for r in people.get("ann").risks] == [("campaign risk", "owner", None)]
    # ann's "late" holds up "other" (owned by the free-text 设计部); the lead's unowned "nobody" is
    # not ann's task, so "after" waiting on it is not listed for anyone
    (w,) = people.get("ann").waiting
    assert (w.mine.task.id, w.waiting.task.id, w.who) == ("late", "other", "设计部")
    assert boss.waiting == ()


def test_one_person_across_campaigns():
    people = collect_people([_small("b2", "ann"), _small("a1", "ann")], D)
    ann = people.get("ann")
    assert ann.campaigns == ("a1", "b2")
    # same section, same day: campaign a1 before b2
    assert [(m.campaign.campaign.id, m.task.task.id) for m in ann.section("due_this_week")] == [
        ("a1", "today"), ("b2", "today")]
    assert person_ids([_small("a1", "ann")]) == ["ann", "boss"]
    # listed people first, in the order the campaigns (by id) list them; written ids after, sorted
    listed = compute_snapshot(campaign_from_yaml("""
        ptrack: 1
        campaign: {id: z9, name: Z, start: 2024-04-01, end: 2024-06-30, lead: boss}
        people: {zed: {name: Zed}, boss: {name: Boss}}
        tasks: [{id: t, name: T, owner: zed, planned: {start: 2024-04-01, end: 2024-04-30}}]
        """), as_of=D)
    assert person_ids([_small("a1", "ann"), listed]) == ["zed", "boss", "ann"]
