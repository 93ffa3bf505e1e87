#!/usr/bin/env python
"""Core benchmarks for ptrack: validate, status and check on generated campaigns.

    python benchmarks/bench_core.py [--sizes 100,1000,10000] [--repeat N] [--out DIR] [--profile]

Generates valid, realistic campaigns (seeded, so every run times the same files), checks each
passes ``ptrack validate``, then times the CLI as whole processes (best of --repeat, wall clock)
against a GC-free libyaml parse of the same file, and breaks the largest size down by pipeline
stage in-process. See benchmarks/README.md for what each column means and the targets.

Uses only the standard library and what ptrack already installs (PyYAML).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "campaign.yaml"

WINDOW_START = date(2024, 1, 1)
WINDOW_END = date(2024, 12, 31)
AS_OF = date(2024, 7, 1)  # mid-window: about half the tasks are past, half ahead
SEED = 20240301

TARGET_EXAMPLE_VALIDATE_S = 0.25
TARGET_CHECK_RATIO = 1.5

# ---------------------------------------------------------------------------------------------
# Campaign generation

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建文斌宇浩凯婷雪琳晨阳欣怡佳睿思涵"
DEPARTMENTS = [("mkt", "市场部"), ("sales", "销售部"), ("design", "设计部"), ("tech", "技术部")]
ROLES = {"mkt": ["市场经理", "运营专员", "内容专员", "品牌专员"],
         "sales": ["销售经理", "销售专员", "渠道专员", "大客户经理"],
         "design": ["设计主管", "视觉设计师", "视频剪辑师"],
         "tech": ["技术主管", "数据分析师", "前端工程师", "后端工程师"]}

MODULES = [
    ("content", "内容营销", "市场部",
     ["海报设计", "短视频脚本", "短视频拍摄剪辑", "小红书种草笔记", "公众号推文", "产品测评文案", "直播脚本"]),
    ("channel", "渠道推广", "销售部",
     ["抖音信息流投放", "达人合作种草", "电商站内推广", "经销商招募", "社群裂变", "搜索广告优化", "经销商培训"]),
    ("event", "活动落地", "市场部",
     ["门店陈列上架", "展会参展", "快闪活动", "新品发布会", "门店促销", "高校路演", "品鉴会"]),
    ("data", "数据监测", "技术部",
     ["数据埋点", "数据看板", "周度数据报告", "转化A/B测试", "用户调研", "渠道归因分析", "月度复盘"]),
]
CHANNELS = ["抖音", "小红书", "微信", "电商平台", "展会", "门店", "经销商", "线下活动", "微博", "B站"]
REGIONS = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"]
UNITS = ["条", "篇", "家", "场", "份", "位达人", "家门店"]
ISSUES = ["供应商交付延迟", "达人档期冲突", "平台审核未通过", "预算超支风险", "人手不足",
          "物料印刷质量问题", "数据接口权限延迟", "竞品同期促销分流"]
SOLUTIONS = ["启用备选供应商并压缩周期", "更换同量级备选达人", "调整素材后重新提审", "由营销总监审批追加预算",
             "抽调其他区域人员支援", "与印刷厂协商返工", "先用导出报表过渡", "加大门店试用力度"]


def q(s: str) -> str:
    """A YAML scalar for ``s``: JSON string syntax is valid YAML double-quoted style."""
    return json.dumps(s, ensure_ascii=False)


def _add_days(d: date, n: int) -> date:
    return d + timedelta(days=n)


def task_progress(rng, i: int, start: date, end: date, as_of: date, *, unit, deliverable):
    """Where a generated task stands at ``as_of``, as its YAML lines: done, running (maybe late),
    on hold, cancelled or not started, its actual dates, and its progress measured one of three
    ways by ``i`` (a percentage, a quantity of ``unit()``, or deliverables named
    ``deliverable(k)``). Returns (lines, actual_start, frac): the fraction done. Both generators
    (``generate_campaign`` here, ``shapes.generate``) draw from ``rng`` in this order."""
    lines: list[str] = []
    declared = None
    roll = rng.random()
    if roll < 0.02:
        declared = "cancelled"
    elif roll < 0.04:
        declared = "on_hold"
    actual_start = actual_end = None
    if start <= as_of and declared != "cancelled":
        actual_start = min(_add_days(start, rng.choice((-1, 0, 0, 0, 1, 2, 5))), as_of)
        if end < as_of and rng.random() < 0.8:
            actual_end = min(max(_add_days(end, rng.choice((-2, 0, 0, 1, 3))), actual_start), as_of)
    if actual_start:
        lines.append(f"    actual: {{start: {actual_start}" + (f", end: {actual_end}}}" if actual_end else "}"))
    if declared:
        lines.append(f"    status: {declared}")

    frac = progress_fraction(rng, start, end, as_of, actual_start, actual_end)
    kind = i % 3
    if kind == 0:
        if not actual_end or rng.random() < 0.5:  # done tasks may just rely on actual.end
            lines.append(f"    progress: {100 if actual_end else round(frac * 100)}")
    elif kind == 1:
        total = rng.choice((4, 6, 10, 12, 20, 40, 60, 200))
        done = total if actual_end else int(total * frac)
        lines.append(f"    quantity: {{done: {done}, total: {total}, unit: {unit()}}}")
    else:
        n = rng.randrange(1, 5)
        n_done = n if actual_end else int(n * frac)
        lines.append("    deliverables:")
        for k in range(n):
            lines.append(f"      - {{name: {deliverable(k)}, done: {'true' if k < n_done else 'false'}}}")
    return lines, actual_start, frac


def progress_fraction(rng, start: date, end: date, as_of: date, actual_start, actual_end) -> float:
    """A task's actual progress as a fraction: 1 when it has ended, 0 before it started, else near
    where its plan is at ``as_of`` (a little behind more often than ahead)."""
    if actual_end:
        return 1.0
    if not actual_start:
        return 0.0
    span = max((end - start).days, 1)
    expected = min(max((as_of - start).days / span, 0.0), 1.0)
    return max(0.0, min(0.99, expected + rng.uniform(-0.35, 0.1)))


def generate_campaign(n_tasks: int, seed: int = SEED) -> str:
    """The YAML text of a valid campaign with ``n_tasks`` tasks (deterministic for a seed)."""
    rng = random.Random(seed * 1_000_003 + n_tasks)
    out: list[str] = []
    w = out.append

    w("# yaml-language-server: $schema=../schema/campaign.schema.json")
    w(f"# 生成的基准测试活动：{n_tasks} 个任务（seed {seed}）")
    w("ptrack: 1")
    w("")
    w("campaign:")
    w(f"  id: bench-{n_tasks}")
    w(f"  name: 年度整合营销推广（{n_tasks}个任务）")
    w("  description: >-")
    w("    全年新品整合营销：线上（抖音、小红书、微信、电商平台）与线下（展会、门店）同步推进，")
    w("    由营销总监牵头，市场部、销售部、设计部、技术部协同执行。")
    w("  lead: director")
    w(f"  start: {WINDOW_START}")
    w(f"  end: {WINDOW_END}")
    w("  calendar: CN")
    w("  locale: zh-CN")
    w("")
    w("policy:")
    w("  deviation_warn: 10")
    w("  deviation_fail: 20")
    w("  stale_after_days: 7")
    w("")

    # People: a director plus ~40 owners across the four departments.
    w("people:")
    w("  director: {name: 陈立峰, department: 市场部, role: 营销总监（项目负责人）}")
    people: dict[str, list[str]] = {code: [] for code, _ in DEPARTMENTS}
    used_names: set[str] = {"陈立峰"}
    for i in range(40):
        code, dept = DEPARTMENTS[i % len(DEPARTMENTS)]
        while True:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            if name not in used_names:
                used_names.add(name)
                break
        pid = f"{code}-{len(people[code]) + 1:02d}"
        people[code].append(pid)
        role = rng.choice(ROLES[code])
        w(f"  {pid}: {{name: {name}, department: {dept}, role: {role}, email: {pid}@example.com}}")
    w("")
    everyone = [p for ids in people.values() for p in ids]

    # Goals, with monthly measurements up to the as-of date.
    goals = [
        ("exposure", "全渠道曝光1.8亿次", "cumulative", 180_000_000, "次", "increase"),
        ("conversion", "转化率3%+", "level", 3, "%", "increase"),
        ("dealers", "经销商覆盖800家", "cumulative", 800, "家", "increase"),
        ("sales", "全年销量40万件", "cumulative", 400_000, "件", "increase"),
        ("cpl", "获客成本降至35元", "level", 35, "元", "decrease"),
    ]
    w("goals:")
    for gid, name, kind, target, unit, direction in goals:
        w(f"  - id: {gid}")
        w(f"    name: {q(name)}")
        w(f"    owner: {rng.choice(everyone)}")
        w(f"    kind: {kind}")
        w(f"    target: {target}")
        w(f"    unit: {q(unit)}")
        if direction != "increase":
            w(f"    direction: {direction}")
        w(f"    due: {WINDOW_END}")
        w("    measurements:")
        for month in range(1, AS_OF.month):
            d = date(2024, month, 28)
            frac = month / 12 * rng.uniform(0.8, 1.1)
            if kind == "cumulative":
                value = round(target * frac)
            elif direction == "decrease":
                value = round(60 - (60 - target) * frac, 1)
            else:
                value = round(target * min(frac * 1.6, 1.2), 2)
            w(f"      - {{date: {d}, value: {value}, source: 营销数据看板}}")
    w("")

    # Tasks. Decide everything first so milestones can reference tasks.
    window_days = (WINDOW_END - WINDOW_START).days
    tasks_text: list[str] = []
    task_ids: list[str] = []
    task_ends: list[date] = []
    tw = tasks_text.append
    # Plans spread over the year, in start order, so dependencies point back in time.
    starts = sorted(_add_days(WINDOW_START, rng.randrange(0, window_days - 3)) for _ in range(n_tasks))
    for i, start in enumerate(starts):
        slug, module, dept, topics = MODULES[i % len(MODULES)]
        tid = f"{slug}-{i + 1:05d}"
        topic = rng.choice(topics)
        region = rng.choice(REGIONS)
        end = min(_add_days(start, rng.randrange(2, 45)), WINDOW_END)
        code = {"市场部": "mkt", "销售部": "sales", "技术部": "tech"}.get(dept, "mkt")
        owner = rng.choice(people[code] if rng.random() < 0.7 else everyone)
        collabs = sorted(set(rng.sample(everyone, rng.randrange(0, 4))) - {owner})
        channels = rng.sample(CHANNELS, rng.randrange(0, 3))

        tw(f"  - id: {tid}")
        tw(f"    name: {region}{topic}（第{i // len(MODULES) + 1}批）")
        if rng.random() < 0.8:
            tw(f"    description: {region}区域{topic}，按计划节奏推进并在周会同步进度与风险")
        tw(f"    module: {module}")
        tw(f"    owner: {owner}")
        if collabs:
            tw(f"    collaborators: [{', '.join(collabs)}]")
        tw(f"    department: {dept}")
        if channels:
            tw(f"    channels: [{', '.join(channels)}]")
        tw(f"    planned: {{start: {start}, end: {end}}}")

        # Where the task stands at AS_OF: done, running (maybe late), or not started.
        lines, actual_start, frac = task_progress(rng, i, start, end, AS_OF, unit=lambda: rng.choice(UNITS),
                                                  deliverable=lambda k: f"{topic}交付物{k + 1}")
        tasks_text.extend(lines)

        # 0-2 predecessors among recent earlier tasks that are planned to end before this starts.
        earlier = [t for t, e in zip(task_ids[max(0, i - 300):], task_ends[max(0, i - 300):]) if e < start]
        n_deps = min(len(earlier), rng.choice((0, 1, 1, 2)))
        if n_deps:
            deps = sorted(rng.sample(earlier, n_deps))
            if deps:
                tw(f"    depends_on: [{', '.join(deps)}]")
        if rng.random() < 0.05:
            tw(f"    weight: {rng.choice((5, 10, 15, 20))}")
        if i % 2 == 0:
            planned = rng.randrange(5, 400) * 1000
            if actual_start:
                spent = round(planned * (frac + rng.uniform(-0.1, 0.2)) / 100) * 100
                tw(f"    budget: {{planned: {planned}, spent: {max(spent, 0)}}}")
            else:
                tw(f"    budget: {{planned: {planned}}}")
        if i % 5 == 4:
            k = rng.randrange(len(ISSUES))
            due = _add_days(start, rng.randrange(3, 30))
            resolved = rng.choice(("false", "false", "true", "date"))
            if resolved == "date":
                resolved = str(min(due, AS_OF)) if due <= AS_OF else "false"
            tw("    risks:")
            tw(f"      - id: risk-{i + 1:05d}")
            tw(f"        issue: {region}{topic}：{ISSUES[k]}")
            tw(f"        solution: {SOLUTIONS[k]}")
            tw(f"        owner: {owner}")
            tw(f"        due: {due}")
            tw(f"        resolved: {resolved}")
            tw(f"        severity: {rng.choice(('low', 'medium', 'medium', 'high'))}")
        if rng.random() < 0.3:
            tw(f"    notes: {q('交付物需同步存档到共享盘“' + module + '/' + tid + '”目录')}")
        tw("")
        task_ids.append(tid)
        task_ends.append(end)

    # Milestones: one a month, each naming a handful of tasks that end before it.
    w("milestones:")
    for month in range(1, 13):
        d = date(2024, month, 28)
        candidates = [t for t, e in zip(task_ids, task_ends) if e <= d] or task_ids[:1]
        refs = sorted(rng.sample(candidates, min(len(candidates), 4)))
        w(f"  - id: m{month:02d}-review")
        w(f"    name: {month}月阶段复盘")
        w(f"    date: {d}")
        if d < AS_OF:
            w(f"    achieved: {_add_days(d, rng.choice((0, 0, 1, 3)))}")
            w(f"    results: {{exposure: {15_000_000 * month}, dealers: {60 * month}}}")
        w(f"    tasks: [{', '.join(refs)}]")
        w("    reviewed_by: director")
    w("")
    w("tasks:")
    out.extend(tasks_text)
    w("risks:")
    w("  - id: competitor-launch")
    w("    issue: 竞品预计下半年同期上市新品，可能分流声量与门店资源")
    w("    solution: 提前锁定大促档期资源位，加大门店试用力度")
    w("    owner: director")
    w("    due: 2024-06-20")
    w("    resolved: false")
    w("    severity: high")
    w("  - id: ad-policy")
    w("    issue: 平台广告审核规则调整，素材过审周期变长")
    w("    solution: 素材提前5个工作日提审，并准备备用素材")
    w(f"    owner: {everyone[0]}")
    w("    due: 2024-04-03")
    w("    resolved: 2024-04-01")
    w("    severity: medium")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Timing helpers

def parse_sizes(text: str) -> list[int]:
    """"100,1_000,10000" -> [100, 1000, 10000]."""
    return [int(s.replace("_", "")) for s in text.split(",") if s.strip()]


def output_folder(out: Path | None, prefix: str) -> tuple[Path, str | None]:
    """Where generated files go: ``--out`` (created), else a new temp folder; returns the folder
    and the temp folder to remove afterwards (None for ``--out``)."""
    if out:
        out = out.resolve()
        out.mkdir(parents=True, exist_ok=True)
        return out, None
    tmp = tempfile.mkdtemp(prefix=prefix)
    return Path(tmp), tmp


def run_header(tools: list[str], repeat: int) -> str:
    """The first line of every benchmark: ptrack, Python, ``tools`` (versions), CPUs, repeat;
    and the load average, where the system has one (compare runs made on a quiet machine)."""
    import ptrack

    line = " | ".join([f"ptrack {ptrack.__version__}", f"Python {sys.version.split()[0]}", *tools,
                       f"{os.cpu_count()} CPUs", f"repeat {repeat} (best)"])
    load = load_average("at start")
    return line + (f"\n{load} (compare runs made on a quiet machine)" if load else "")


def load_average(when: str) -> str:
    """``load average <when>: 0.52 0.61 0.70``, or "" where the system has none."""
    if not hasattr(os, "getloadavg"):
        return ""
    return f"load average {when}: " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def ptrack_cmd() -> list[str]:
    """The ptrack of the interpreter running the benchmark (its console script), not whatever
    ``ptrack`` PATH finds first: a pyenv shim is a shell script that adds ~50 ms a run."""
    beside = Path(sys.executable).parent / "ptrack"
    if beside.is_file():
        return [str(beside)]
    return [sys.executable, "-m", "ptrack"]


def bench_env() -> dict[str, str]:
    """The environment of a timed process: this one's, without GitHub Actions' variables (under
    Actions, ptrack would write annotations and a step summary)."""
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    env.pop("GITHUB_STEP_SUMMARY", None)
    return env


def time_process(argv: list[str], repeat: int, ok_codes=(0,)) -> tuple[float, int]:
    """Best wall-clock time of ``argv`` as a whole process, and its exit code."""
    best = float("inf")
    code = 0
    env = bench_env()
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO, env=env)
        elapsed = time.perf_counter() - t0
        best = min(best, elapsed)
        code = proc.returncode
        if code not in ok_codes:
            sys.exit(f"bench: {' '.join(map(str, argv))} exited {code}:\n{proc.stderr.decode()[-2000:]}")
    return best, code


def time_call(fn, repeat: int, *, gc_off: bool) -> tuple[float, float, object]:
    """(first, best) seconds of ``fn()`` over ``repeat`` calls, and its last result."""
    times = []
    result = None
    for _ in range(repeat):
        result = None
        gc.collect()
        if gc_off:
            gc.disable()
        try:
            t0 = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - t0)
        finally:
            gc.enable()
    return times[0], min(times), result


def libyaml_parse(text: str, repeat: int) -> float:
    if not getattr(yaml, "__with_libyaml__", False):
        sys.exit("bench: PyYAML was built without libyaml (yaml.CSafeLoader missing)")
    return time_call(lambda: yaml.load(text, Loader=yaml.CSafeLoader), repeat, gc_off=True)[1]


def import_report() -> list[str]:
    """Which heavy modules the validate path imports (python -X importtime)."""

    def imported(path: Path) -> set[str]:
        proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "ptrack", "validate", str(path)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO, text=True)
        names = set()
        for line in proc.stderr.splitlines():
            if line.startswith("import time:") and line.count("|") == 2:
                names.add(line.rsplit("|", 1)[1].strip())
        return names

    def top(names: set[str], pkg: str) -> bool:
        return any(n == pkg or n.startswith(pkg + ".") for n in names)

    valid = imported(EXAMPLE)
    bad = Path(tempfile.mkdtemp(prefix="ptrack-bench-bad-")) / "invalid.yaml"
    bad.write_text(EXAMPLE.read_text("utf-8").replace("deviation_warn: 10", "deviation_warn: ten", 1), "utf-8")
    invalid = imported(bad)
    shutil.rmtree(bad.parent, ignore_errors=True)

    def yes(b: bool) -> str:
        return "yes" if b else "no"

    return [
        f"  validate examples/campaign.yaml imports matplotlib: {yes(top(valid, 'matplotlib'))}  (want: no)",
        f"  validate examples/campaign.yaml imports jsonschema: {yes(top(valid, 'jsonschema'))}  (want: no)",
        f"  validate <invalid file>         imports jsonschema: {yes(top(invalid, 'jsonschema'))}  (want: yes)",
    ]


# ---------------------------------------------------------------------------------------------
# Main

def breakdown(path: Path, repeat: int) -> list[tuple[str, float, float]]:
    from ptrack.core.compute import compute_snapshot
    from ptrack.core.loader import display_path, load_yaml
    from ptrack.core.model import build_campaign
    from ptrack.core.rules import run_rules
    from ptrack.core.validate import validate_document

    file = display_path(path)
    rows = []
    first, best, doc = time_call(lambda: load_yaml(path, file), repeat, gc_off=False)
    rows.append(("load_yaml", first, best))
    first, best, diags = time_call(lambda: validate_document(doc.data, doc.source), repeat, gc_off=False)
    rows.append(("validate_document", first, best))
    if any(d.severity.name == "ERROR" for d in diags):
        sys.exit(f"bench: {path} has errors in-process")
    first, best, campaign = time_call(lambda: build_campaign(doc.data, file, doc.source), repeat, gc_off=False)
    rows.append(("build_campaign", first, best))
    first, best, snap = time_call(lambda: compute_snapshot(campaign, as_of=AS_OF), repeat, gc_off=False)
    rows.append(("compute_snapshot", first, best))
    first, best, _ = time_call(lambda: run_rules(snap), repeat, gc_off=False)
    rows.append(("run_rules", first, best))
    return rows


def profile_check(path: Path, top: int = 15) -> str:
    import cProfile
    import io
    import pstats

    from ptrack.core.config import load_config
    from ptrack.pipeline import check_files

    config = load_config(REPO)
    prof = cProfile.Profile()
    prof.enable()
    check_files([path], config, AS_OF)
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,1000,10000", help="task counts, comma-separated")
    ap.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    ap.add_argument("--out", type=Path, help="keep the generated campaigns here (default: a temp folder)")
    ap.add_argument("--profile", action="store_true",
                    help="also cProfile an in-process check of the largest size (top 15, cumulative)")
    args = ap.parse_args(argv)
    sizes = parse_sizes(args.sizes)
    repeat = max(1, args.repeat)
    out, tmp = output_folder(args.out, "ptrack-bench-")
    ptrack = ptrack_cmd()

    try:
        print(run_header([f"PyYAML {yaml.__version__} (libyaml: {yaml.__with_libyaml__})"], repeat))
        print(f"files in {out}; --as-of {AS_OF}; ptrack = {' '.join(ptrack)}")
        print()

        files = {}
        for n in sizes:
            path = out / f"campaign-{n}.yaml"
            path.write_text(generate_campaign(n), "utf-8")
            files[n] = path
            time_process([*ptrack, "validate", str(path)], 1)  # must exit 0 before timing

        startup, _ = time_process([sys.executable, "-c", "pass"], repeat)
        example, _ = time_process([*ptrack, "validate", str(EXAMPLE)], repeat)
        verdict = "OK" if example <= TARGET_EXAMPLE_VALIDATE_S else "OVER TARGET"
        print(f"python -c pass (interpreter start):        {startup:7.3f} s")
        print(f"ptrack validate examples/campaign.yaml:    {example:7.3f} s   "
              f"(target <= {TARGET_EXAMPLE_VALIDATE_S} s: {verdict})")
        print("imports on the validate path (python -X importtime):")
        for line in import_report():
            print(line)
        print()

        as_of = ["--as-of", str(AS_OF)]
        header = f"{'tasks':>7} {'file MB':>8} {'libyaml s':>10} {'validate s':>11} {'status s':>9} " \
                 f"{'check s':>8} {'check/libyaml':>14}"
        print(header)
        print("-" * len(header))
        ratios = {}
        for n, path in files.items():
            mb = path.stat().st_size / 1e6
            lib = libyaml_parse(path.read_text("utf-8"), repeat)
            val, _ = time_process([*ptrack, "validate", str(path)], repeat)
            sta, _ = time_process([*ptrack, "status", str(path), *as_of, "--format", "json"], repeat)
            chk, _ = time_process([*ptrack, "check", str(path), *as_of], repeat, ok_codes=(0, 1))
            ratios[n] = chk / lib
            print(f"{n:>7} {mb:>8.2f} {lib:>10.3f} {val:>11.3f} {sta:>9.3f} {chk:>8.3f} {chk / lib:>13.2f}x",
                  flush=True)
        largest = max(files)
        r = ratios[largest]
        verdict = "OK" if r <= TARGET_CHECK_RATIO else "OVER TARGET"
        print(f"target: check within {TARGET_CHECK_RATIO}x of libyaml at {largest} tasks: {r:.2f}x ({verdict})")
        print()

        print(f"in-process breakdown, {largest} tasks (gc enabled, as in the CLI; first call / best of {repeat}):")
        rows = breakdown(files[largest], repeat)
        for name, first, best in rows:
            print(f"  {name:<18} {first:8.3f} s {best:8.3f} s")
        print(f"  {'total':<18} {sum(r[1] for r in rows):8.3f} s {sum(r[2] for r in rows):8.3f} s")

        if args.profile:
            print()
            print(f"cProfile of check_files on {largest} tasks (in-process, top 15 by cumulative time):")
            print(profile_check(files[largest]))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
