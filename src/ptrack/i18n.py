"""zh-CN and en labels and messages. ``t(locale, key, **values)`` formats one."""

from __future__ import annotations

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"

_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        # statuses and health
        "status.not_started": "not started",
        "status.in_progress": "in progress",
        "status.done": "done",
        "status.delayed": "delayed",
        "status.cancelled": "cancelled",
        "status.on_hold": "on hold",
        "health.green": "green",
        "health.amber": "amber",
        "health.red": "red",
        "milestone.achieved_on_time": "achieved on time",
        "milestone.achieved_late": "achieved late",
        "milestone.missed": "missed",
        "milestone.upcoming": "upcoming",
        "goal.achieved": "achieved",
        "goal.on_track": "on track",
        "goal.behind": "behind",
        "goal.no_data": "no data",
        "risk.open": "open",
        "risk.resolved": "resolved",
        "risk.overdue": "overdue",
        "none": "(none)",
        # table headers
        "col.task": "Task",
        "col.id": "ID",
        "col.module": "Module",
        "col.owner": "Owner",
        "col.department": "Department",
        "col.channel": "Channel",
        "col.group": "Group",
        "col.tasks": "Tasks",
        "col.planned": "Plan %",
        "col.actual": "Actual %",
        "col.deviation": "Dev.",
        "col.status": "Status",
        "col.health": "Health",
        "col.days_behind": "Days behind",
        "col.planned_end": "Planned end",
        "col.forecast": "Forecast",
        # headline
        "headline": "{name} ({id}) as of {as_of}: planned {planned}%, actual {actual}%, "
                    "deviation {deviation}, {status}, {health}, {days}",
        "days.behind": "{n} working days behind",
        "days.ahead": "{n} working days ahead",
        "days.on_plan": "on plan",
        "forecast": "forecast finish {date}",
        # rules
        "rule.risk-overdue": 'risk "{issue}" is {days} days past its deadline {due} (owner: {owner})',
        "rule.deviation-behind": 'task "{name}" is {points} points behind plan (planned {planned}%, '
                                 "actual {actual}%, {days} working days behind)",
        "rule.milestone-missed": 'milestone "{name}" was due {date} and is not achieved ({days} days late)',
        "rule.task-overdue": 'task "{name}" was planned to finish {end} and is {actual}% done',
        "rule.late-start": 'task "{name}" was planned to start {start} and has not started',
        "rule.goal-behind-pace": 'goal "{name}" is at {latest}, behind the {expected} expected by '
                                 "{as_of} (target {target} by {due})",
        "rule.goal-below-target": 'goal "{name}" is at {latest}, short of its target {target} due {due}',
        "rule.dependency-order": 'task "{name}" started {start} before its predecessor "{pred}" finished',
        "rule.stale-task": 'task "{name}" is in progress and has not been updated for {days} days',
        "unassigned": "unassigned",
    },
    "zh-CN": {
        "status.not_started": "未开始",
        "status.in_progress": "进行中",
        "status.done": "已完成",
        "status.delayed": "延期",
        "status.cancelled": "已取消",
        "status.on_hold": "暂停",
        "health.green": "正常",
        "health.amber": "预警",
        "health.red": "严重",
        "milestone.achieved_on_time": "按时达成",
        "milestone.achieved_late": "延迟达成",
        "milestone.missed": "未达成",
        "milestone.upcoming": "待达成",
        "goal.achieved": "已达成",
        "goal.on_track": "符合进度",
        "goal.behind": "落后",
        "goal.no_data": "暂无数据",
        "risk.open": "待解决",
        "risk.resolved": "已解决",
        "risk.overdue": "已超时",
        "none": "（未填写）",
        "col.task": "任务名称",
        "col.id": "编号",
        "col.module": "所属模块",
        "col.owner": "主责任人",
        "col.department": "对接部门",
        "col.channel": "渠道",
        "col.group": "分组",
        "col.tasks": "任务数",
        "col.planned": "计划进度%",
        "col.actual": "实际进度%",
        "col.deviation": "进度偏差",
        "col.status": "当前状态",
        "col.health": "健康度",
        "col.days_behind": "落后工作日",
        "col.planned_end": "计划结束",
        "col.forecast": "预计完成",
        "headline": "{name}（{id}）截至 {as_of}：计划进度 {planned}%，实际进度 {actual}%，"
                    "偏差 {deviation}，{status}，{health}，{days}",
        "days.behind": "落后 {n} 个工作日",
        "days.ahead": "提前 {n} 个工作日",
        "days.on_plan": "符合计划",
        "forecast": "预计完成 {date}",
        "rule.risk-overdue": '风险"{issue}"已超过解决时限 {due} {days} 天（负责人：{owner}）',
        "rule.deviation-behind": '任务"{name}"落后计划 {points} 个百分点（计划 {planned}%，'
                                 "实际 {actual}%，落后 {days} 个工作日）",
        "rule.milestone-missed": '里程碑"{name}"计划于 {date} 达成，至今未达成（已晚 {days} 天）',
        "rule.task-overdue": '任务"{name}"计划 {end} 完成，目前完成 {actual}%，已延期',
        "rule.late-start": '任务"{name}"计划 {start} 开始，至今尚未开始',
        "rule.goal-behind-pace": '目标"{name}"当前为 {latest}，落后于截至 {as_of} 应达到的 {expected}'
                                 "（目标 {target}，截止 {due}）",
        "rule.goal-below-target": '目标"{name}"当前为 {latest}，未达到目标 {target}（截止 {due}）',
        "rule.dependency-order": '任务"{name}"于 {start} 开始，早于前置任务"{pred}"完成',
        "rule.stale-task": '任务"{name}"进行中，已有 {days} 天未更新',
        "unassigned": "未指定",
    },
}


def normalise_locale(locale: str | None) -> str:
    if not locale:
        return DEFAULT_LOCALE
    if locale.lower().startswith("zh"):
        return "zh-CN"
    return "en" if locale.lower().startswith("en") else DEFAULT_LOCALE


def t(locale: str | None, key: str, **values) -> str:
    table = _MESSAGES[normalise_locale(locale)]
    text = table.get(key) or _MESSAGES["en"].get(key) or key
    return text.format(**values) if values else text


def fmt_number(value: float | None, unit: str | None = None) -> str:
    """1234567.0 -> '1,234,567'; 2.5 -> '2.5'; with a unit: '2.5%' or '78 家'."""
    if value is None:
        return "-"
    if abs(value - round(value)) < 1e-9:
        text = f"{int(round(value)):,}"
    else:
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if unit:
        return f"{text}{unit}" if unit in ("%", "‰") else f"{text} {unit}"
    return text


def fmt_points(value: float) -> str:
    """Progress numbers as shown in tables: one decimal, '-0.0' never appears."""
    return f"{value + 0.0:.1f}"


# The seed's tracking table: its 18 columns in order, then the columns ptrack adds so that an
# export can be imported back without loss. (key, Chinese header, English header).
TRACKING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("name", "任务名称", "Task"),
    ("description", "任务描述", "Description"),
    ("module", "所属模块", "Module"),
    ("owner", "主责任人", "Owner"),
    ("collaborators", "协同责任人", "Collaborators"),
    ("department", "对接部门", "Department"),
    ("planned_start", "计划开始时间", "Planned start"),
    ("planned_end", "计划结束时间", "Planned end"),
    ("actual_start", "实际开始时间", "Actual start"),
    ("actual_end", "实际结束时间", "Actual end"),
    ("planned_progress", "计划进度(%)", "Planned progress (%)"),
    ("actual_progress", "实际进度(%)", "Actual progress (%)"),
    ("deviation", "进度偏差(%)", "Deviation (%)"),
    ("status", "当前状态", "Status"),
    ("risk", "风险问题", "Risk"),
    ("solution", "解决方案", "Solution"),
    ("risk_due", "解决时限", "Deadline"),
    ("notes", "备注", "Notes"),
)
EXTRA_TRACKING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "任务编号", "Task ID"),
    ("channels", "渠道", "Channels"),
    ("depends_on", "前置任务", "Depends on"),
    ("health", "健康度", "Health"),
    ("days_behind", "落后工作日", "Working days behind"),
)


def tracking_headers(locale: str | None, *, extra: bool = True) -> list[str]:
    index = 1 if normalise_locale(locale) == "zh-CN" else 2
    columns = TRACKING_COLUMNS + (EXTRA_TRACKING_COLUMNS if extra else ())
    return [c[index] for c in columns]
