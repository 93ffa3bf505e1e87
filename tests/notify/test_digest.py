"""Who gets what: the digests of examples/campaign.yaml worked out by hand, and the rules of the
digest on small campaigns (calendar ``none``: every day is a working day).

The example runs on the CN calendar. April 2024: 清明 4/4-4/6 off, Sunday 4/7 a make-up working
day, so the working days are 4/1 4/2 4/3 4/7 4/8 4/9 4/10 4/11 4/12 4/15 4/16 4/17 4/18 4/19 ...
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ptrack.core.calendars import get_calendar
from ptrack.core.compute import compute_snapshot
from ptrack.core.config import Config
from ptrack.core.notify_config import NotifyConfig
from ptrack.notify.digest import (Stale, build_digests, collect_digests, digest_key, horizon_end,
                                  previous_working_day)
from ptrack.notify.model import ItemKind
from ptrack.core.validate import load_campaign_bytes

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "campaign.yaml"


def lines(digest) -> list[str]:
    return [f"[{s.key}] {'!' if i.urgent else '-'} {i.text}" for s in digest.sections for i in s.items]


def example_digests(day: str, locale: str | None = None, **config):
    cfg = Config(root=ROOT, site_url="https://acme.example/campaigns", notify=NotifyConfig(**config))
    run = collect_digests([EXAMPLE], cfg, date.fromisoformat(day), locale=locale, git=False)
    assert not run.failed
    return {d.recipient.person_id or "@team": d for d in run.digests}


def test_horizon_and_previous_working_day_on_the_cn_calendar():
    cal = get_calendar("CN")
    # Monday 4/15: three working days ahead are 4/16, 4/17, 4/18; the working day before is Friday 4/12
    assert horizon_end(cal, date(2024, 4, 15), 3) == date(2024, 4, 18)
    assert previous_working_day(cal, date(2024, 4, 15)) == date(2024, 4, 12)
    # Wednesday 4/3: 4/4-4/6 are 清明 holidays, Sunday 4/7 is a working day -> 4/7, 4/8, 4/9
    assert horizon_end(cal, date(2024, 4, 3), 3) == date(2024, 4, 9)
    # Monday 4/8: the day before that works is Sunday 4/7 (调休)
    assert previous_working_day(cal, date(2024, 4, 8)) == date(2024, 4, 7)
    assert horizon_end(cal, date(2024, 4, 15), 0) == date(2024, 4, 15)


def test_example_as_of_2024_04_15_who_gets_what():
    got = example_digests("2024-04-15")
    # the team first, then people in the order of people: in the file; the lead (陈立峰) has nothing
    # of his own due; 赵明轩, 孙悦, 吴佳 have nothing either
    assert list(got) == ["@team", "marketing-manager", "ops-b", "content-c", "sales-manager", "sales-d",
                         "tech-lead", "data-analyst"]
    # kol-seeding ends 4/12 at 15/20 = 75%: delayed, 4/15 - 4/12 = 3 calendar days overdue; its
    # risk (owner 王雪) was due 4/12. midterm-analysis starts 4/16 (tomorrow), within 4/15..4/18.
    assert lines(got["marketing-manager"]) == [
        "[overdue] ! 达人合作种草：计划4月12日（周五）完成，已逾期 3 天，实际进度 75.0%",
        "[risks] ! 风险「2位头部达人档期冲突，另有3位腰部达人内容未过审，合作顺延」（达人合作种草）："
        "解决时限 4月12日（周五），已超期 3 天",
        "[starting] - 中期数据复盘：明天开始（你是协同责任人）",
    ]
    assert lines(got["ops-b"]) == [
        "[overdue] ! 达人合作种草：计划4月12日（周五）完成，已逾期 3 天，实际进度 75.0%（你是协同责任人）"]
    assert lines(got["content-c"]) == [
        "[overdue] ! 达人合作种草：计划4月12日（周五）完成，已逾期 3 天，实际进度 75.0%（你是协同责任人）"]
    assert lines(got["sales-manager"]) == ["[starting] - 中期数据复盘：明天开始（你是协同责任人）"]
    # store-props-late is due 4/18, the last day of the horizon
    assert lines(got["sales-d"]) == [
        "[risks] - 风险「陈列道具供应商产能不足，华南区30家门店道具到货延迟」（门店新品陈列上架）：需在4月18日（周四）前解决"]
    assert lines(got["tech-lead"]) == [
        "[risks] ! 风险「技术人力被电商大促需求占用，A/B测试方案迟迟未上线」（落地页转化A/B测试）：解决时限 4月12日（周五），已超期 3 天"]
    assert lines(got["data-analyst"]) == ["[starting] - 中期数据复盘：明天开始"]
    # not there: mid-review (4/19) and store-launch's end (4/19) are the 4th working day ahead;
    # campus-venue-denied (4/19) too; campus-popup is on hold, user-research cancelled.


def test_example_as_of_2024_04_15_the_team_digest():
    team = example_digests("2024-04-15")["@team"]
    assert team.title == "新品上市综合营销推广：团队每日摘要（2024-04-15）"
    assert team.summary == "截至 2024-04-15：计划进度 53.6%，实际进度 48.2%，偏差 -5.4 个百分点，进行中，健康度预警。"
    assert team.page_url == "https://acme.example/campaigns/spring-launch-2024/"
    assert team.recipient.handles == {"feishu": "ou_3c1f0e8a9b7d4c2e8f6a5b4c3d2e1f00",
                                      "email": "chen.lifeng@example.com"}  # the lead's
    assert [s.title for s in team.sections] == ["健康度变化（与4月12日（周五）相比）",
                                               "周会重点关注（落后计划超过 10 个百分点、至少 2 个工作日）", "落后进度的目标"]
    assert lines(team) == [
        # store-launch 4/1..4/19 has 14 working days; 28/60 = 46.7% done. As of 4/12: 9/14 = 64.3%
        # planned, -17.6 (amber); as of 4/15: 10/14 = 71.4%, -24.7 (red, past deviation_fail 20)
        "[health] ! 门店新品陈列上架（黄磊）：预警 → 严重",
        # xhs-notes 3/25..4/26 has 24 working days, 20/40 = 50% done. 4/12: 14/24 = 58.3%, -8.3
        # (green); 4/15: 15/24 = 62.5%, -12.5 (amber)
        "[health] - 小红书种草笔记（周婷）：正常 → 预警",
        # ab-test 4/8..4/26: 15 working days, 6 by 4/15 -> 40.0% planned, 10% done: 30 behind
        "[focus] ! 落地页转化A/B测试（郑浩）：落后计划 30.0 个百分点（计划 40.0%，实际 10.0%），落后 4 个工作日",
        "[focus] ! 达人合作种草（王雪）：落后计划 25.0 个百分点（计划 100.0%，实际 75.0%），落后 5 个工作日",
        "[focus] ! 门店新品陈列上架（黄磊）：落后计划 24.7 个百分点（计划 71.4%，实际 46.7%），落后 3 个工作日",
        "[focus] - 经销商招募与签约（李国强）：落后计划 12.7 个百分点（计划 51.7%，实际 39.0%），落后 7 个工作日",
        "[focus] - 小红书种草笔记（周婷）：落后计划 12.5 个百分点（计划 62.5%，实际 50.0%），落后 3 个工作日",
        # cumulative goals from 3/1 to 5/31 (92 days); 3/1..4/15 is 46 days, half the window:
        # dealers 200 x 46/92 = 100 expected, 78 measured; sales 100,000 x 1/2 = 50,000 vs 47,500.
        # exposure 7,800,000 >= 7,500,000 is on pace; conversion (a level) is judged at its due date.
        "[goals] - 经销商覆盖200家：当前 78 家，按进度此时应达 100 家（目标 200 家，2024-05-31 截止）",
        "[goals] - 新品3个月销量10万：当前 47,500 件，按进度此时应达 50,000 件（目标 100,000 件，2024-05-31 截止）",
    ]


def test_example_as_of_2024_03_25_in_english():
    got = example_digests("2024-03-25", locale="en")
    assert list(got) == ["@team", "design-lead", "designer-a", "sales-manager", "sales-d", "tech-lead", "data-analyst"]
    team = got["@team"]
    assert team.title == "新品上市综合营销推广: team digest (2024-03-25)"
    # dashboard 3/14..3/22 (7 working days) ended 3/26, after D: as of 3/25 it had run 8 of the 9
    # working days of its actual span 3/14..3/26 -> 88.9 %, not done, past its end: delayed, red.
    # 100 - 88.9 = 11.1 points behind but 8 - 0.889 x 7 = 1.8 -> 1 working day: not in the focus.
    # expo-prep (3/25..4/9, 11 working days) starts 3/26, after D: not started by the end of its
    # start day, it runs 3/26..4/10 and the fair (4/10..4/12, an event) is at risk by 1 day.
    assert lines(team) == [
        "[health] ! 营销数据看板搭建 (林晓): green → red",
        "[health] - Campaign: green → amber",
        '[events] ! "春季消费品博览会参展" (2024-04-10) will not move, but "展会展位设计与搭建筹备" (赵明轩) is '
        "forecast to finish 2024-04-10: a clash of 1 working day",
        # first-wave-live was achieved 3/25, in (3/22, 3/25]: P is Friday 3/22
        '[milestones] - Milestone "首波投放上线" achieved 2024-03-25 (on time)',
        # exposure 15,000,000 x 25/92 = 4,076,086.96 -> 4,076,087; dealers 200 x 25/92 = 54.35 -> 54
        "[goals] - 月均曝光量500万+: 2,000,000 次, the pace needs 4,076,087 次 by now "
        "(target 15,000,000 次 by 2024-05-31)",
        "[goals] - 经销商覆盖200家: 22 家, the pace needs 54 家 by now (target 200 家 by 2024-05-31)",
    ]
    # the event's owner (李国强) and the late preparation's (赵明轩) are told too
    assert lines(got["sales-manager"]) == [line for line in lines(team) if line.startswith("[events]")]
    assert lines(got["design-lead"])[0] == lines(got["sales-manager"])[0]
    assert lines(got["tech-lead"]) == [
        "[overdue] ! 营销数据看板搭建: planned to end Fri 22 Mar, 3 days overdue, 88.9% done (you collaborate)",
        '[risks] - Risk "电商平台数据接口权限申请延迟" (营销数据看板搭建): to resolve by today',
    ]
    assert got["tech-lead"].title == "新品上市综合营销推广: 2 things for 郑浩 (2024-03-25)"
    assert lines(got["data-analyst"]) == [
        "[overdue] ! 营销数据看板搭建: planned to end Fri 22 Mar, 3 days overdue, 88.9% done"]


def test_a_wider_horizon_reaches_the_milestone_and_more_tasks():
    # horizon 4: 4/16..4/19 -> mid-review (4/19) for the owners of its four tasks, and the tasks
    # ending 4/19 (short-video, store-launch, midterm-analysis) are due
    got = example_digests("2024-04-15", horizon_days=4)
    assert "[milestones] - 里程碑「中期数据复盘」：4月19日（周五）" in lines(got["ops-b"])
    # short-video 3/25..4/19: 5 + 3 + 1 + 5 + 5 = 19 working days, 15 of them by 4/15 -> 78.9%;
    # 8/10 videos -> 80%
    assert "[due] - 短视频投放：4月19日（周五）到期，实际进度 80.0%（计划 78.9%）" in lines(got["ops-b"])
    # the lead owns campus-venue-denied (4/19)
    assert lines(got["marketing-director"]) == [
        "[risks] - 风险「3所高校场地审批未通过」（高校快闪活动）：需在4月19日（周五）前解决"]


# -- rules on small campaigns -------------------------------------------------------------------

BASE = """\
ptrack: 1
campaign: {id: demo, name: Demo, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en, lead: lee}
policy: {stale_after_days: 3}
people:
  lee: {name: Lee, slack: U0LEE}
  ann: {name: Ann, email: ann@example.com}
  bob: {name: Bob}
milestones:
  - {id: m1, name: Beta ready, date: 2024-03-12, tasks: [beta]}
  - {id: m2, name: Kick-off, date: 2024-03-11}
tasks:
  - id: alpha
    name: Alpha
    owner: ann
    collaborators: [bob]
    planned: {start: 2024-03-01, end: 2024-03-10}
    actual: {start: 2024-03-01}
    progress: 100
  - id: beta
    name: Beta
    owner: bob
    planned: {start: 2024-03-11, end: 2024-03-20}
  - id: gamma
    name: Gamma
    planned: {start: 2024-03-01, end: 2024-03-09}
    actual: {start: 2024-03-01}
    progress: 50
    risks:
      - {issue: Printer late, due: 2024-03-12}
"""


def small(text: str = BASE, day: str = "2024-03-10", **kw):
    result = load_campaign_bytes(text.encode(), "demo.yaml")
    assert result.ok, result.diagnostics
    snap = compute_snapshot(result.campaign, as_of=date.fromisoformat(day))
    return {d.recipient.person_id or "@team": d for d in build_digests(snap, **kw)}


def test_unowned_work_and_unowned_milestones_go_to_the_lead():
    got = small()
    # D = 3/10, horizon 3 -> 3/11..3/13. gamma (no owner) ended 3/9 at 50%: overdue, to the lead;
    # its risk has no owner either: the task's owner, else the lead. m2 has no tasks: the lead;
    # m1's task beta is bob's. alpha is done: nothing for ann.
    assert list(got) == ["@team", "lee", "bob"]
    assert lines(got["lee"]) == [
        "[overdue] ! Gamma: planned to end Sat 9 Mar, 1 day overdue, 50.0% done",
        '[risks] - Risk "Printer late" (Gamma): to resolve by Tue 12 Mar',
        '[milestones] - Milestone "Kick-off": tomorrow',
    ]
    assert lines(got["bob"]) == ["[starting] - Beta: starts tomorrow", '[milestones] - Milestone "Beta ready": Tue 12 Mar']
    assert got["lee"].recipient.handles == {"slack": "U0LEE"}
    assert got["lee"].key == digest_key("demo", "lee", date(2024, 3, 10)) == "demo/lee/2024-03-10"
    assert got["@team"].key == "demo/@team/2024-03-10"


def test_horizon_zero_is_today_only():
    got = small(horizon_days=0)
    assert list(got) == ["@team", "lee"]  # nothing starts or is due on 3/10 itself; gamma is overdue
    assert [i.kind for s in got["lee"].sections for i in s.items] == [ItemKind.TASK_OVERDUE]


def test_stale_tasks_go_to_the_owner_only():
    # gamma is delayed on 3/10; on 3/8 it is in progress (8/9 = 88.9% planned, 50% done)
    stale = {"gamma": Stale(5, date(2024, 3, 3), "Ann"), "alpha": Stale(9, date(2024, 2, 28), "Ann")}
    got = small(day="2024-03-08", stale=stale)
    # alpha is done (100%): a stale entry for it is ignored; gamma has no owner: the lead
    assert [ln for ln in lines(got["lee"]) if ln.startswith("[stale]")] == [
        "[stale] - Gamma: in progress, not updated for 5 days (last change 2024-03-03 by Ann)"]
    assert all("[stale]" not in ln for d in got.values() for ln in lines(d) if d is not got["lee"])


def test_nothing_to_say_means_no_digest():
    quiet = BASE.replace("progress: 50\n    risks:\n      - {issue: Printer late, due: 2024-03-12}\n",
                         "progress: 100\n")
    got = small(quiet, day="2024-03-02")
    # 3/2: alpha (20% planned) and gamma are done, beta starts 3/11 (after 3/5), milestones later
    assert got == {}


def test_health_changes_and_missed_milestones_since_the_previous_working_day():
    result = load_campaign_bytes(BASE.encode(), "demo.yaml")
    campaign = result.campaign
    # calendar none: P = 3/12 for D = 3/13. gamma is delayed (red) on both days. beta (3/11..3/20)
    # not started: 3/12 -> 20% planned (amber: > 10 behind, not > 20), 3/13 -> 30% (red).
    # m1 (3/12, not achieved) was upcoming on 3/12 and is missed on 3/13; m2 (3/11) was already
    # missed on 3/12, so it is not news.
    now = compute_snapshot(campaign, as_of=date(2024, 3, 13))
    before = compute_snapshot(campaign, as_of=date(2024, 3, 12))
    team = {d.recipient.person_id: d for d in build_digests(now, previous=before)}[None]
    # focus: gamma 50 behind; days behind = 13 days from 3/1 to 3/13 - 50% x 9 planned days = 8.5 -> 8.
    # beta: 30 behind, 3 days (3/11..3/13) - 0 = 3. The campaign was red on 3/12 already (gamma).
    assert lines(team) == [
        "[health] ! Beta (Bob): amber → red",
        '[milestones] ! Milestone "Beta ready" missed: planned 2024-03-12, not achieved',
        "[focus] ! Gamma (unassigned): 50.0 points behind (plan 100.0%, actual 50.0%), 8 working days behind",
        "[focus] ! Beta (Bob): 30.0 points behind (plan 30.0%, actual 0.0%), 3 working days behind",
    ]


def test_switched_off_rules_stay_out_of_the_team_digest():
    text = BASE.replace("policy: {stale_after_days: 3}",
                        "policy: {stale_after_days: 3, rules: {deviation-behind: 'off'}}")
    got = small(text, day="2024-03-13")
    assert all(i.kind is not ItemKind.FOCUS for d in got.values() for s in d.sections for i in s.items)


@pytest.mark.parametrize("day", ["2024-04-15", "2024-03-25", "2024-05-06"])
def test_digests_are_the_same_every_time(day):
    first = example_digests(day)
    again = example_digests(day)
    assert first == again and list(first) == list(again)
