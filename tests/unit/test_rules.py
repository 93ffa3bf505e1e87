"""Rules (DESIGN §5): each fires exactly where it should, at the YAML node it is about."""

from __future__ import annotations

from datetime import date


from ptrack.core.compute import compute_snapshot
from ptrack.core.diagnostics import Severity
from ptrack.core.rules import RULES, run_rules
from tests.helpers import campaign_from_yaml

AS_OF = date(2024, 3, 10)

# Calendar none, D = 2024-03-10. Tasks of 20 days (3/1 .. 3/20) are planned at 10 / 20 = 50%.
# Line numbers below are this text's (line 1 is "ptrack: 1").
CAMPAIGN = """\
ptrack: 1
campaign:
  id: c
  name: 规则测试
  start: 2024-03-01
  end: 2024-03-31
  calendar: none
  locale: en
people:
  ann: {name: 王雪}
goals:
  - id: sales
    name: 销量
    kind: cumulative
    target: 3100
    due: 2024-03-31
    measurements:
      - {date: 2024-03-05, value: 400}
      - {date: 2024-03-10, value: 900}     # 3/1..3/31: 3100 x 10/31 = 1000 expected -> behind
      - {date: 2024-03-20, value: 5000}    # after D: ignored
  - id: leads
    name: 留资
    kind: cumulative
    target: 3100
    due: 2024-03-31
    measurements: [{date: 2024-03-10, value: 1000}]    # exactly on pace
  - id: rate
    name: 转化率
    kind: level
    target: 3
    unit: "%"
    due: 2024-03-31
    measurements: [{date: 2024-03-10, value: 2}]       # level, below target, not due yet
  - id: rate-early
    name: 首周转化率
    kind: level
    target: 3
    unit: "%"
    due: 2024-03-08
    measurements: [{date: 2024-03-08, value: 2.5}]     # level, below target after due
milestones:
  - {id: m-missed, name: 物料定稿, date: 2024-03-09}                       # missed
  - {id: m-today, name: 首波上线, date: 2024-03-10}                        # today: not yet
  - {id: m-late, name: 发布会, date: 2024-03-05, achieved: 2024-03-07}     # achieved
tasks:
  - id: behind-warn
    name: 海报
    planned: {start: 2024-03-01, end: 2024-03-20}
    progress: 39                                                  # 39 - 50 = -11
    risks:
      - {issue: 素材变更, owner: ann, due: 2024-03-09}                # overdue
      - {issue: 今天到期, owner: ann, due: 2024-03-10}                # due today
      - {issue: 晚解决, due: 2024-03-08, resolved: 2024-03-12}        # resolved after D
  - id: behind-error
    name: 视频
    planned: {start: 2024-03-01, end: 2024-03-20}
    actual: {start: 2024-03-01}
    quantity: {done: 29, total: 100}                              # 29 - 50 = -21
  - id: behind-20
    name: 文案
    planned: {start: 2024-03-01, end: 2024-03-20}
    progress: 30                                                  # -20: past warn only
  - id: behind-10
    name: 投放
    planned: {start: 2024-03-01, end: 2024-03-20}
    progress: 40                                                  # -10: not past warn
  - id: overdue
    name: 落地页
    planned: {start: 2024-03-01, end: 2024-03-08}
    progress: 90                                                  # delayed; -10
  - id: late
    name: 门店
    planned: {start: 2024-03-05, end: 2024-03-20}                 # not started
    progress: 0                                                   # 0 - 37.5 (6/16)
  - id: starts-today
    name: 社群
    planned: {start: 2024-03-10, end: 2024-03-20}                 # starts today
  - id: done-task
    name: 口径
    planned: {start: 2024-03-01, end: 2024-03-03}
    actual: {start: 2024-03-01, end: 2024-03-03}
  - id: dep
    name: 达人
    planned: {start: 2024-03-09, end: 2024-03-20}
    actual: {start: 2024-03-09}                                   # overdue is not finished
    depends_on: [overdue]
    progress: 10
  - id: dep-ok
    name: 电商
    planned: {start: 2024-03-03, end: 2024-03-20}
    actual: {start: 2024-03-03}                                   # the day done-task ended
    depends_on: [done-task]
    progress: 40
  - id: held
    name: 快闪
    planned: {start: 2024-03-01, end: 2024-03-08}
    status: on_hold                                               # -100, but on hold
  - id: dropped
    name: 调研
    planned: {start: 2024-03-01, end: 2024-03-08}
    status: cancelled
"""


def findings(text: str = CAMPAIGN, as_of: date = AS_OF, locale: str | None = None, only=None):
    campaign = campaign_from_yaml(text, "c.yaml")
    return run_rules(compute_snapshot(campaign, as_of=as_of), locale, only=only)


def table(diagnostics):
    return [(d.location.line, d.location.column, d.severity.value, d.code, d.task) for d in diagnostics]


def test_every_finding_with_its_location():
    # (line, column) of the YAML node each finding is about; the text above has the reasons
    assert table(findings()) == [
        (19, 9, "warning", "goal-behind-pace", None),  # sales: the latest measurement as of D
        (40, 20, "warning", "goal-behind-pace", None),  # rate-early: level goal short after its due date
        (42, 38, "error", "milestone-missed", None),  # m-missed: its date
        (49, 15, "warning", "deviation-behind", "behind-warn"),  # -11: its progress
        (51, 40, "error", "risk-overdue", "behind-warn"),  # the due date of the overdue risk
        (53, 27, "error", "risk-overdue", "behind-warn"),  # resolved 3/12 is after D: still open
        # -21 and 10 - 0.29 x 20 = 4.2 -> 4 working days behind: its quantity
        (58, 15, "error", "deviation-behind", "behind-error"),
        (62, 15, "warning", "deviation-behind", "behind-20"),  # -20 (4 days): past warn, not past fail
        (69, 39, "warning", "task-overdue", "overdue"),  # planned.end 3/8 passed, 90%
        (73, 22, "warning", "late-start", "late"),  # planned.start 3/5 passed, not started
        (74, 15, "error", "deviation-behind", "late"),  # 0 - 37.5 and 6 days: its progress (0 is a value)
        # "late" (16 days) starts tomorrow, 3/11, and ends 3/26, the campaign's forecast finish: its
        # float is 0 and it is 6 days behind. (Every started task finishes earlier at the planned
        # pace, e.g. "behind-error": 71 % of 20 days = 14.2 -> 15 days after D = 3/25.)
        (74, 15, "warning", "critical-slip", "late"),
        (85, 21, "warning", "dependency-order", "dep"),  # actual.start, predecessor not finished
        (97, 13, "notice", "on-hold", "held"),  # on hold and past its planned end 3/8: its status
    ]
    assert {d.campaign for d in findings()} == {"c"}
    assert {d.location.file for d in findings()} == {"c.yaml"}


def test_nothing_fires_elsewhere():
    quiet = {d.task for d in findings()}
    # -10 exactly, starting today, done, started the day the predecessor finished, cancelled
    for task in ("behind-10", "starts-today", "done-task", "dep-ok", "dropped"):
        assert task not in quiet
    # on hold is judged no more: only the on-hold notice, never deviation-behind (-100)
    assert [d.code for d in findings() if d.task == "held"] == ["on-hold"]
    # the overdue task is exactly 10 behind (90 - 100): task-overdue only, no deviation-behind
    assert [d.code for d in findings() if d.task == "overdue"] == ["task-overdue"]


def test_english_messages():
    messages = {(d.location.line, d.code): d.message for d in findings(locale="en")}
    assert messages[(19, "goal-behind-pace")] == (
        'goal "销量" is at 900, behind the 1,000 expected by 2024-03-10 (target 3,100 by 2024-03-31)')
    assert messages[(40, "goal-behind-pace")] == 'goal "首周转化率" is at 2.5%, short of its target 3% due 2024-03-08'
    assert messages[(42, "milestone-missed")] == (
        'milestone "物料定稿" was due 2024-03-09 and is not achieved (1 day late)')
    assert messages[(49, "deviation-behind")] == (
        'task "海报" is 11.0 points behind plan (planned 50.0%, actual 39.0%, 2 working days behind)')
    assert messages[(51, "risk-overdue")] == 'risk "素材变更" is 1 day past its deadline 2024-03-09 (owner: 王雪)'
    assert messages[(53, "risk-overdue")] == 'risk "晚解决" is 2 days past its deadline 2024-03-08 (owner: unassigned)'
    assert messages[(69, "task-overdue")] == 'task "落地页" was planned to finish 2024-03-08 and is 90.0% done'
    assert messages[(73, "late-start")] == 'task "门店" was planned to start 2024-03-05 and has not started'
    assert messages[(85, "dependency-order")] == 'task "达人" started 2024-03-09 before its predecessor "落地页" finished'


def test_chinese_messages():
    messages = {(d.location.line, d.code): d.message for d in findings(locale="zh-CN")}
    assert messages[(19, "goal-behind-pace")] == (
        '目标"销量"当前为 900，落后于截至 2024-03-10 应达到的 1,000（目标 3,100，截止 2024-03-31）')
    assert messages[(40, "goal-behind-pace")] == '目标"首周转化率"当前为 2.5%，未达到目标 3%（截止 2024-03-08）'
    assert messages[(42, "milestone-missed")] == '里程碑"物料定稿"计划于 2024-03-09 达成，至今未达成（已晚 1 天）'
    assert messages[(49, "deviation-behind")] == (
        '任务"海报"落后计划 11.0 个百分点（计划 50.0%，实际 39.0%，落后 2 个工作日）')
    assert messages[(51, "risk-overdue")] == '风险"素材变更"已超过解决时限 2024-03-09 1 天（负责人：王雪）'
    assert messages[(53, "risk-overdue")] == '风险"晚解决"已超过解决时限 2024-03-08 2 天（负责人：未指定）'
    assert messages[(69, "task-overdue")] == '任务"落地页"计划 2024-03-08 完成，目前完成 90.0%，已延期'
    assert messages[(73, "late-start")] == '任务"门店"计划 2024-03-05 开始，至今尚未开始'
    assert messages[(85, "dependency-order")] == '任务"达人"于 2024-03-09 开始，早于前置任务"落地页"完成'


def test_locale_defaults_to_the_campaigns():
    zh = CAMPAIGN.replace("  locale: en\n", "  locale: zh-CN\n")
    assert findings(zh)[0].message.startswith('目标"销量"')
    assert findings(CAMPAIGN)[0].message.startswith('goal "销量"')
    assert findings(zh, locale="en")[0].message.startswith('goal "销量"')  # --lang wins


# -- policy ---------------------------------------------------------------------------------------

def _with_policy(policy: str) -> str:
    return CAMPAIGN.replace("people:\n", f"policy:\n{policy}people:\n")


def test_policy_rules_switch_off_and_lower_severity():
    text = _with_policy("  rules: {risk-overdue: off, milestone-missed: warning, late-start: notice}\n")
    got = table(findings(text))
    codes = [code for _, _, _, code, _ in got]
    assert "risk-overdue" not in codes  # off
    # the policy block adds 2 lines: everything below moves down by 2
    assert (44, 38, "warning", "milestone-missed", None) in got  # error -> warning
    assert (75, 22, "notice", "late-start", "late") in got  # warning -> notice
    assert (51, 15, "warning", "deviation-behind", "behind-warn") in got  # untouched


def test_policy_override_applies_to_both_deviation_levels():
    got = table(findings(_with_policy("  rules: {deviation-behind: warning}\n")))
    assert {sev for _, _, sev, code, _ in got if code == "deviation-behind"} == {"warning"}
    got = table(findings(_with_policy("  rules: {deviation-behind: error}\n")))
    assert {sev for _, _, sev, code, _ in got if code == "deviation-behind"} == {"error"}


def test_policy_thresholds_move_deviation_behind():
    # warn past 5, fail past 10: behind-10 (-10) warns; behind-warn (-11) fails
    got = table(findings(_with_policy("  deviation_warn: 5\n  deviation_fail: 10\n")))
    deviation = {task: sev for _, _, sev, code, task in got if code == "deviation-behind"}
    assert deviation == {"behind-warn": "error", "behind-error": "error", "behind-20": "error",
                         "behind-10": "warning",  # -10, and 10 - 0.4 x 20 = 2 working days behind
                         "overdue": "warning",  # -10, and 10 - 0.9 x 8 = 2.8 -> 2 days
                         "late": "error"}  # -37.5, 6 days
    # past deviation_warn 5 by points, but under min_days_behind 2 working days: quiet
    #   starts-today: 0 - 1 / 11 = -9.1, 1 - 0 = 1 day; dep: 10 - 2 / 12 x 100 = -6.7, 2 - 1.2 = 0.8 -> 0
    for task in ("starts-today", "dep", "dep-ok"):
        assert task not in deviation
    # with min_days_behind 0 the points alone decide, as before the threshold
    got = table(findings(_with_policy("  deviation_warn: 5\n  deviation_fail: 10\n  min_days_behind: 0\n")))
    deviation = {task: sev for _, _, sev, code, task in got if code == "deviation-behind"}
    assert {k: deviation[k] for k in ("starts-today", "dep")} == {"starts-today": "warning", "dep": "warning"}


# -- single rules, at their edges ------------------------------------------------------------------

def _one_task(task: str, as_of: str, extra: str = "", rule: str | None = None) -> list:
    """Findings for a small campaign (calendar none, 3/1 .. 3/31), of one rule when named."""
    text = ("ptrack: 1\ncampaign: {id: c, name: C, start: 2024-03-01, end: 2024-03-31, calendar: none, "
            f"locale: en}}\n{extra}tasks:\n{task}")
    return findings(text, date.fromisoformat(as_of), only={rule} if rule else None)


def test_deviation_behind_edges():
    task = "  - {{id: a, name: A, planned: {{start: 2024-03-01, end: 2024-03-10}}, progress: {p}}}\n"
    points_only = "policy: {min_days_behind: 0}\n"
    # D 3/5: planned 5 / 10 = 50
    rule = "deviation-behind"  # a lone task behind plan is critical too (critical-slip): not tested here
    assert _one_task(task.format(p=40), "2024-03-05", points_only, rule=rule) == []  # -10: not past 10
    [d] = _one_task(task.format(p=39.9), "2024-03-05", points_only, rule=rule)  # -10.1
    assert (d.code, d.severity) == ("deviation-behind", Severity.WARNING)
    [d] = _one_task(task.format(p=30), "2024-03-05", points_only, rule=rule)  # -20: not past 20
    assert d.severity is Severity.WARNING
    [d] = _one_task(task.format(p=29.9), "2024-03-05", points_only, rule=rule)  # -20.1
    assert d.severity is Severity.ERROR
    assert _one_task(task.format(p=90), "2024-03-05") == []  # ahead
    # the default min_days_behind 2: -10.1 is 5 - 3.99 = 1.01 -> 1 working day behind: quiet;
    # -20.1 is 5 - 2.99 = 2.01 -> 2 days: an error
    assert _one_task(task.format(p=39.9), "2024-03-05", rule=rule) == []
    [d] = _one_task(task.format(p=29.9), "2024-03-05", rule=rule)
    assert d.severity is Severity.ERROR and d.message.endswith("2 working days behind)")


def test_late_start_only_after_the_planned_start():
    task = "  - {id: a, name: A, planned: {start: 2024-03-05, end: 2024-03-31}}\n"
    assert _one_task(task, "2024-03-05") == []  # starts today
    # 3/6: 2 of 27 days planned = 7.4%: a late start, not yet behind by 10; alone in the campaign
    # it is the critical path, 2 working days behind: critical-slip too
    assert [d.code for d in _one_task(task, "2024-03-06")] == ["critical-slip", "late-start"]
    started = "  - {id: a, name: A, planned: {start: 2024-03-05, end: 2024-03-31}, actual: {start: 2024-03-06}}\n"
    assert _one_task(started, "2024-03-06", rule="late-start") == []
    # started with nothing to show yet is started; on hold is a decision, not a late start
    assert _one_task(started, "2024-03-08", rule="late-start") == []
    held = "  - {id: a, name: A, planned: {start: 2024-03-05, end: 2024-03-31}, status: on_hold}\n"
    assert _one_task(held, "2024-03-08") == []


def test_task_overdue_only_after_the_planned_end_and_not_when_done():
    task = "  - {id: a, name: A, planned: {start: 2024-03-01, end: 2024-03-05}, progress: 95}\n"
    assert _one_task(task, "2024-03-05") == []  # D is the end of the last day
    # -5: no deviation finding; the lone task is critical and behind: critical-slip
    assert [d.code for d in _one_task(task, "2024-03-06")] == ["task-overdue", "critical-slip"]
    done = "  - {id: a, name: A, planned: {start: 2024-03-01, end: 2024-03-05}, actual: {start: 2024-03-01, end: 2024-03-07}}\n"
    # actual.end 3/7 is after D 3/6: not done yet, so overdue
    assert [d.code for d in _one_task(done, "2024-03-06", rule="task-overdue")] == ["task-overdue"]
    assert _one_task(done, "2024-03-07") == []  # finished late, but finished


def test_milestone_missed_only_after_its_date():
    ms = "milestones: [{id: m, name: M, date: 2024-03-05}]\n"
    task = "  - {id: a, name: A, planned: {start: 2024-03-01, end: 2024-03-31}, progress: 50}\n"  # ahead
    assert _one_task(task, "2024-03-05", ms) == []
    [d] = _one_task(task, "2024-03-06", ms)
    assert (d.code, d.severity, d.message) == (
        "milestone-missed", Severity.ERROR, 'milestone "M" was due 2024-03-05 and is not achieved (1 day late)')
    achieved_late = "milestones: [{id: m, name: M, date: 2024-03-05, achieved: 2024-03-08}]\n"
    assert [d.code for d in _one_task(task, "2024-03-07", achieved_late)] == ["milestone-missed"]  # not yet
    assert _one_task(task, "2024-03-08", achieved_late) == []


def test_risk_overdue_only_after_its_due_date_while_open():
    task = ("  - {{id: a, name: A, planned: {{start: 2024-03-01, end: 2024-03-31}}, progress: 50, "
            "risks: [{{issue: R, due: 2024-03-05{extra}}}]}}\n")
    assert _one_task(task.format(extra=""), "2024-03-05") == []
    [d] = _one_task(task.format(extra=""), "2024-03-08")
    assert d.message == 'risk "R" is 3 days past its deadline 2024-03-05 (owner: unassigned)'
    assert _one_task(task.format(extra=", resolved: true"), "2024-03-08") == []
    assert _one_task(task.format(extra=", resolved: 2024-03-08"), "2024-03-08") == []  # resolved by D
    assert len(_one_task(task.format(extra=", resolved: 2024-03-09"), "2024-03-08")) == 1  # not yet


def test_goal_behind_pace_cumulative_and_level_after_due():
    task = "  - {id: a, name: A, planned: {start: 2024-03-01, end: 2024-03-31}, progress: 90}\n"
    cumulative = ("goals: [{{id: g, name: G, kind: cumulative, target: 3100, due: 2024-03-31, unit: 件, "
                  "measurements: [{{date: 2024-03-10, value: {v}}}]}}]\n")
    # 3100 x 10 / 31 = 1000 expected by 3/10
    assert _one_task(task, "2024-03-10", cumulative.format(v=1000)) == []
    [d] = _one_task(task, "2024-03-10", cumulative.format(v=999))
    assert d.message == ('goal "G" is at 999 件, behind the 1,000 件 expected by 2024-03-10 '
                         "(target 3,100 件 by 2024-03-31)")
    # no measurement by D: nothing to judge
    assert _one_task(task, "2024-03-09", cumulative.format(v=1)) == []
    level = ("goals: [{id: g, name: G, kind: level, target: 3, unit: '%', due: 2024-03-20, "
             "measurements: [{date: 2024-03-10, value: 2}]}]\n")
    assert _one_task(task, "2024-03-20", level) == []  # below target, but not due yet
    [d] = _one_task(task, "2024-03-21", level)
    assert (d.code, d.message) == ("goal-behind-pace", 'goal "G" is at 2%, short of its target 3% due 2024-03-20')


def test_dependency_order():
    def tasks(pred: str, succ_start: str) -> str:
        return ("  - {id: p, name: P, planned: {start: 2024-03-01, end: 2024-03-05}, " + pred + "}\n"
                "  - {id: s, name: S, planned: {start: 2024-03-06, end: 2024-03-31}, depends_on: [p], "
                f"actual: {{start: {succ_start}}}}}\n")

    def order(pred: str, succ_start: str, as_of: str) -> list:
        return _one_task(tasks(pred, succ_start), as_of, rule="dependency-order")

    finished = "actual: {start: 2024-03-01, end: 2024-03-05}"
    assert order(finished, "2024-03-06", "2024-03-10") == []  # after
    assert order(finished, "2024-03-05", "2024-03-10") == []  # the same day: allowed
    [d] = order(finished, "2024-03-04", "2024-03-10")  # before the predecessor finished
    assert (d.code, d.task, d.message) == (
        "dependency-order", "s", 'task "S" started 2024-03-04 before its predecessor "P" finished')
    # predecessor not finished (by D): the successor started too early
    assert [d.code for d in order("progress: 99", "2024-03-04", "2024-03-05")] == ["dependency-order"]
    # done without a recorded date, or cancelled: nothing to compare
    assert order("progress: 100", "2024-03-04", "2024-03-05") == []
    assert [d.code for d in order("status: cancelled", "2024-03-04", "2024-03-05")] == []
    # the successor's start is after D: not started yet as of D
    assert order("progress: 50", "2024-03-06", "2024-03-05") == []


def test_registry_matches_the_design():
    defaults = {rule_id: r.default.value for rule_id, r in RULES.items()}
    assert defaults == {
        "risk-overdue": "error",
        "deviation-behind": "warning",  # error past deviation_fail
        "milestone-missed": "error",
        "task-overdue": "warning",
        "late-start": "warning",
        "goal-behind-pace": "warning",
        "dependency-order": "warning",
        "critical-slip": "warning",
        "overallocated": "notice",
        "event-at-risk": "error",
        "on-hold": "notice",
        "calendar-estimated": "notice",
    }  # stale-task needs git history: not a snapshot rule


def test_only_runs_the_named_rules():
    campaign = campaign_from_yaml(CAMPAIGN)
    got = run_rules(compute_snapshot(campaign, as_of=AS_OF), only={"late-start"})
    assert [d.code for d in got] == ["late-start"]
