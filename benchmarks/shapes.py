"""Plan shapes for the build benchmark: campaigns that vary the way real plans do.

    from shapes import SHAPES, generate
    text, as_of = generate("dense", 1000)

``classic`` is bench_core's campaign (the same file). The others are drawn by one seeded
generator from a ``Shape``: the window and task spans, how many modules, people and
collaborators, how dependencies are drawn (a few on recent tasks, or long chains), how many
risks and milestones, the names (Chinese, English or mixed) and the calendar. Every shape gives a
valid campaign (``ptrack validate`` exits 0) that TaskJuggler accepts (bench_build checks both).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from bench_core import (AS_OF, CHANNELS, ISSUES, REGIONS, SEED, SOLUTIONS, UNITS, generate_campaign, q,
                        task_progress)


@dataclass(frozen=True)
class Shape:
    name: str
    summary: str
    start: date
    days: int                      # window length in days (the campaign runs start .. start + days - 1)
    as_of_fraction: float          # where the as-of date falls in the window
    span: tuple[int, int]          # task span in days, inclusive range
    modules: int = 4
    people: int = 40
    departments: int = 4
    collaborators: tuple[int, int] = (0, 3)   # per task, inclusive range
    chain: int = 0                 # > 0: tasks form chains of this length, each on the one before
    deps: tuple[int, ...] = (0, 1, 1, 2)      # without chains: predecessors drawn per task
    risk_every: int = 5            # a task risk on every n-th task (0: none)
    risks_per_task: tuple[int, int] = (1, 1)
    campaign_risks: int = 2
    milestones: int = 12
    milestone_refs: tuple[int, int] = (1, 4)
    goals: int = 5
    names: str = "zh"              # zh | en | mixed
    locale: str = "zh-CN"
    calendar: str = "CN"
    extra: dict = field(default_factory=dict)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    @property
    def as_of(self) -> date:
        return self.start + timedelta(days=int(self.days * self.as_of_fraction))


SHAPES: dict[str, Shape | None] = {
    # bench_core's generator: 2024 on the CN calendar, spans 2-45 days, 4 modules, 40 people.
    "classic": None,
    # The plan of the issue: 1,000 tasks of 1-20 days packed into 100 days, two collaborators
    # each, a risk on every other task.
    "dense": Shape("dense", "spans 1-20 days over 100 days, 2 collaborators each, a risk on every 2nd task",
                   date(2024, 3, 1), 100, 0.5, (1, 20), modules=6, people=60, departments=4,
                   collaborators=(2, 2), risk_every=2, milestones=8),
    # Long tasks over a year and a half: always-on channels, quarterly programmes.
    "long": Shape("long", "spans 60-300 days over 18 months, few dependencies",
                  date(2024, 1, 1), 548, 0.45, (60, 300), modules=5, people=30,
                  collaborators=(0, 2), deps=(0, 0, 1), risk_every=4, milestones=18),
    # Deep dependency chains: each task waits for the one before it, 40 tasks a chain.
    "chains": Shape("chains", "chains of 40 tasks (each on the one before), spans 1-8 days over a year",
                    date(2024, 1, 1), 366, 0.5, (1, 8), modules=4, people=40, chain=40,
                    collaborators=(0, 2), risk_every=6, milestones=12),
    # A large organisation: many modules, departments and people.
    "wide": Shape("wide", "40 modules, 12 departments, 400 people, 0-4 collaborators",
                  date(2024, 1, 1), 366, 0.5, (3, 40), modules=40, people=400, departments=12,
                  collaborators=(0, 4), risk_every=5, milestones=24),
    # Reviews and risk registers: a milestone a week, risks on every task, a campaign register.
    "milestones": Shape("milestones", "150 milestones, 1-3 risks on every task, 100 campaign risks",
                        date(2024, 1, 1), 366, 0.5, (2, 30), modules=6, people=50,
                        risk_every=1, risks_per_task=(1, 3), campaign_risks=100, milestones=150,
                        milestone_refs=(2, 8), goals=10),
    # An English-language campaign with Chinese and English names mixed, on the US calendar.
    "mixed": Shape("mixed", "English locale, US calendar, Chinese/English mixed names, long names",
                   date(2024, 1, 1), 366, 0.5, (2, 45), modules=8, people=60, departments=6,
                   names="mixed", locale="en", calendar="US", risk_every=4, milestones=12),
}

# -- vocabulary --------------------------------------------------------------------------------

ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
ZH_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红鹏辉建文斌宇浩凯婷雪琳晨阳欣怡佳睿思涵"
EN_FIRST = ["Alice", "Ben", "Chloe", "David", "Emma", "Frank", "Grace", "Henry", "Isla", "Jack", "Kate",
            "Liam", "Maya", "Noah", "Olivia", "Peter", "Quinn", "Rosa", "Sam", "Tara", "Uma", "Victor",
            "Wendy", "Xavier", "Yara", "Zoe"]
EN_LAST = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Johnson", "Roberts",
           "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood"]
ZH_DEPTS = ["市场部", "销售部", "设计部", "技术部", "品牌部", "电商部", "公关部", "渠道部", "客服部", "财务部",
            "数据部", "内容部"]
EN_DEPTS = ["Marketing", "Sales", "Design", "Engineering", "Brand", "E-commerce", "PR", "Channels",
            "Support", "Finance", "Data", "Content"]
ZH_ROLES = ["经理", "专员", "主管", "设计师", "分析师", "工程师", "运营"]
EN_ROLES = ["Manager", "Specialist", "Lead", "Designer", "Analyst", "Engineer", "Coordinator"]
ZH_MODULES = ["内容营销", "渠道推广", "活动落地", "数据监测", "品牌建设", "电商运营", "公关传播", "会员运营",
              "直播带货", "私域流量", "线下门店", "海外市场"]
EN_MODULES = ["Content", "Paid media", "Events", "Analytics", "Brand", "E-commerce", "PR", "Loyalty",
              "Live commerce", "Community", "Retail", "Overseas"]
ZH_TOPICS = ["海报设计", "短视频脚本", "短视频拍摄剪辑", "小红书种草笔记", "公众号推文", "产品测评文案", "直播脚本",
             "抖音信息流投放", "达人合作种草", "经销商招募", "门店陈列上架", "展会参展", "快闪活动", "新品发布会",
             "数据埋点", "数据看板", "用户调研", "渠道归因分析", "月度复盘"]
EN_TOPICS = ["Poster design", "Video script", "Video shoot and edit", "Influencer seeding", "Newsletter",
             "Product review copy", "Livestream script", "Feed ads", "KOL partnership", "Dealer recruitment",
             "In-store display", "Trade show", "Pop-up event", "Launch event", "Tracking plan", "Dashboard",
             "User research", "Attribution analysis", "Monthly review"]
MIXED_TOPICS = ["KOL 合作 – Douyin 投放", "小红书 seeding wave", "Launch event 新品发布会", "A/B 测试 landing page",
                "CRM 会员日 campaign", "Tmall 旗舰店 618 大促准备", "WeChat 小程序 onboarding flow",
                "B站 UP主 collab（第二轮）", "Trade show 展位搭建 & logistics", "Q3 品牌 brand-lift survey"]
EN_REGIONS = ["East", "South", "North", "Central", "Southwest", "Northwest", "Northeast"]
EN_ISSUES = ["Supplier delivery delayed", "Influencer schedule clash", "Platform review rejected",
             "Budget overrun risk", "Short of staff", "Print quality problem", "Data API access late",
             "Competitor promotion at the same time"]
EN_SOLUTIONS = ["Switch to the backup supplier and compress the schedule", "Book a backup influencer",
                "Revise the creative and resubmit", "Director approves extra budget", "Borrow staff from another region",
                "Agree a reprint with the printer", "Use exported reports meanwhile", "Push in-store trials harder"]


def generate(shape_name: str, n_tasks: int, seed: int = SEED) -> tuple[str, date]:
    """The YAML text of a campaign of ``shape_name`` with ``n_tasks`` tasks, and its as-of date."""
    shape = SHAPES[shape_name]
    if shape is None:
        return generate_campaign(n_tasks, seed), AS_OF
    return _generate(shape, n_tasks, seed), shape.as_of


def _generate(sh: Shape, n_tasks: int, seed: int) -> str:
    rng = random.Random(f"{seed}:{sh.name}:{n_tasks}")
    out: list[str] = []
    w = out.append
    en = sh.names == "en"
    mixed = sh.names == "mixed"

    def text(zh: str, english: str) -> str:
        if en:
            return english
        if mixed:
            return zh if rng.random() < 0.5 else english
        return zh

    w("# yaml-language-server: $schema=../schema/campaign.schema.json")
    w(f"# Benchmark campaign, shape {sh.name}: {sh.summary}; {n_tasks} tasks (seed {seed})")
    w("ptrack: 1")
    w("")
    w("campaign:")
    w(f"  id: bench-{sh.name}-{n_tasks}")
    w(f"  name: {q(text(f'年度整合营销推广（{sh.name}，{n_tasks}个任务）', f'Integrated marketing ({sh.name}, {n_tasks} tasks)'))}")
    w(f"  description: {q(text('线上线下整合营销，多部门协同执行。', 'Online and offline marketing run by several departments.'))}")
    w("  lead: director")
    w(f"  start: {sh.start}")
    w(f"  end: {sh.end}")
    w(f"  calendar: {sh.calendar}")
    w(f"  locale: {sh.locale}")
    w("")
    w("policy:")
    w("  deviation_warn: 10")
    w("  deviation_fail: 20")
    w("  stale_after_days: 7")
    w("")

    # People across departments; names Chinese, English or both.
    depts = [(ZH_DEPTS[i], EN_DEPTS[i]) for i in range(sh.departments)]
    w("people:")
    director = text("陈立峰", "Morgan Lee")
    w(f"  director: {{name: {q(director)}, department: {q(text(*depts[0]))}, role: {q(text('营销总监', 'Marketing director'))}}}")
    by_dept: dict[int, list[str]] = {k: [] for k in range(sh.departments)}
    used = {director}
    for i in range(sh.people):
        k = i % sh.departments
        while True:
            if en or (mixed and rng.random() < 0.5):
                name = f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"
                if name in used:
                    name += f" {len(used)}"
            else:
                name = rng.choice(ZH_SURNAMES) + "".join(rng.choice(ZH_GIVEN) for _ in range(rng.choice((1, 2))))
            if name not in used:
                used.add(name)
                break
        pid = f"p{k:02d}-{len(by_dept[k]) + 1:03d}"
        by_dept[k].append(pid)
        dept = text(*depts[k]) if not mixed else (depts[k][0] if k % 2 else depts[k][1])
        role = text(rng.choice(ZH_ROLES), rng.choice(EN_ROLES))
        w(f"  {pid}: {{name: {q(name)}, department: {q(dept)}, role: {q(role)}, email: {pid}@example.com}}")
    w("")
    everyone = [p for ids in by_dept.values() for p in ids]

    # Goals with monthly measurements up to the as-of date.
    w("goals:")
    for g in range(sh.goals):
        cumulative = g % 2 == 0
        target = rng.choice((800, 5_000, 400_000, 180_000_000)) if cumulative else rng.choice((3, 35, 60))
        w(f"  - id: goal-{g + 1:02d}")
        w(f"    name: {q(text(f'目标{g + 1}：全渠道指标', f'Goal {g + 1}: all-channel metric'))}")
        w(f"    owner: {rng.choice(everyone)}")
        w(f"    kind: {'cumulative' if cumulative else 'level'}")
        w(f"    target: {target}")
        w(f"    unit: {q(text('次', 'times') if cumulative else '%')}")
        w(f"    due: {sh.end}")
        d = sh.start + timedelta(days=27)
        points = []
        while d < sh.as_of:
            frac = (d - sh.start).days / sh.days * rng.uniform(0.8, 1.1)
            value = round(target * frac) if cumulative else round(target * min(frac * 1.6, 1.2), 2)
            points.append(f"      - {{date: {d}, value: {value}}}")
            d += timedelta(days=30)
        if points:
            w("    measurements:")
            out.extend(points)
    w("")

    # Tasks, in start order so that dependencies point back in time.
    modules = [(ZH_MODULES[i % len(ZH_MODULES)] + (f"{i // len(ZH_MODULES) + 1}" if i >= len(ZH_MODULES) else ""),
                EN_MODULES[i % len(EN_MODULES)] + (f" {i // len(EN_MODULES) + 1}" if i >= len(EN_MODULES) else ""))
               for i in range(sh.modules)]
    lo, hi = sh.span
    task_ids: list[str] = []
    task_ends: list[date] = []
    tasks_text: list[str] = []
    tw = tasks_text.append
    plans: list[tuple[date, date]] = []
    if sh.chain:
        # Chains run one after another's start, spread over the window; each task starts after the
        # one before it ends (a gap of 0-2 days).
        n_chains = max(1, (n_tasks + sh.chain - 1) // sh.chain)
        for c in range(n_chains):
            size = min(sh.chain, n_tasks - c * sh.chain)
            d = sh.start + timedelta(days=rng.randrange(0, max(1, sh.days // 4)))
            for _ in range(size):
                span = rng.randint(lo, hi)
                end = d + timedelta(days=span - 1)
                if end > sh.end:  # the chain has reached the window's end: squeeze the rest
                    d, end = sh.end, sh.end
                plans.append((d, end))
                d = end + timedelta(days=1 + rng.randrange(0, 3))
                d = min(d, sh.end)
        order = list(range(len(plans)))
    else:
        for _ in range(n_tasks):
            span = rng.randint(lo, hi)
            latest = max(0, sh.days - span)
            d = sh.start + timedelta(days=rng.randint(0, latest))
            plans.append((d, min(d + timedelta(days=span - 1), sh.end)))
        plans.sort()
        order = list(range(len(plans)))

    for i in order:
        start, end = plans[i]
        m = i % sh.modules if not sh.chain else (i // sh.chain) % sh.modules
        module = text(*modules[m]) if not mixed else (modules[m][0] + " / " + modules[m][1])
        dept_k = m % sh.departments
        tid = f"t{i + 1:05d}"
        if mixed:
            topic = rng.choice(MIXED_TOPICS + ZH_TOPICS + EN_TOPICS)
            region = rng.choice(REGIONS + EN_REGIONS)
            name = f"{region} {topic}（batch {i // sh.modules + 1}）"
        elif en:
            topic, region = rng.choice(EN_TOPICS), rng.choice(EN_REGIONS)
            name = f"{region} {topic} (batch {i // sh.modules + 1})"
        else:
            topic, region = rng.choice(ZH_TOPICS), rng.choice(REGIONS)
            name = f"{region}{topic}（第{i // sh.modules + 1}批）"
        owner = rng.choice(by_dept[dept_k] if by_dept[dept_k] and rng.random() < 0.7 else everyone)
        n_collab = rng.randint(*sh.collaborators)
        collabs = sorted(set(rng.sample([p for p in everyone if p != owner], n_collab)))

        tw(f"  - id: {tid}")
        tw(f"    name: {q(name)}")
        if rng.random() < 0.7:
            tw(f"    description: {q(text(f'{region}区域{topic}，按计划节奏推进并在周会同步进度与风险', f'{topic} in the {region} region; progress and risks reviewed weekly'))}")
        tw(f"    module: {q(module)}")
        tw(f"    owner: {owner}")
        if collabs:
            tw(f"    collaborators: [{', '.join(collabs)}]")
        if rng.random() < 0.5:
            channels = rng.sample(CHANNELS, rng.randrange(1, 3))
            tw(f"    channels: [{', '.join(channels)}]")
        tw(f"    planned: {{start: {start}, end: {end}}}")

        as_of = sh.as_of
        lines, actual_start, frac = task_progress(
            rng, i, start, end, as_of, unit=lambda: q(text(rng.choice(UNITS), "items")),
            deliverable=lambda k: q(text(f"{topic}交付物{k + 1}", f"{topic} deliverable {k + 1}")))
        tasks_text.extend(lines)

        if sh.chain:
            deps = [task_ids[-1]] if i % sh.chain and task_ids else []
            # now and then a link to a task of another chain that ends in time
            if deps and rng.random() < 0.1:
                other = [t for t, e in zip(task_ids[-400:], task_ends[-400:]) if e < start and t != deps[0]]
                if other:
                    deps.append(rng.choice(other))
        else:
            earlier = [t for t, e in zip(task_ids[max(0, len(task_ids) - 300):], task_ends[max(0, len(task_ends) - 300):])
                       if e < start]
            deps = rng.sample(earlier, min(len(earlier), rng.choice(sh.deps)))
        if deps:
            tw(f"    depends_on: [{', '.join(sorted(deps))}]")
        if i % 2 == 0:
            planned = rng.randrange(5, 400) * 1000
            if actual_start:
                spent = round(planned * (frac + rng.uniform(-0.1, 0.2)) / 100) * 100
                tw(f"    budget: {{planned: {planned}, spent: {max(spent, 0)}}}")
            else:
                tw(f"    budget: {{planned: {planned}}}")
        if sh.risk_every and i % sh.risk_every == sh.risk_every - 1:
            tw("    risks:")
            for r in range(rng.randint(*sh.risks_per_task)):
                k = rng.randrange(len(ISSUES))
                due = start + timedelta(days=rng.randrange(3, 30))
                resolved = rng.choice(("false", "false", "true", "date"))
                if resolved == "date":
                    resolved = str(min(due, as_of)) if due <= as_of else "false"
                tw(f"      - id: risk-{i + 1:05d}-{r + 1}")
                tw(f"        issue: {q(text(f'{region}{topic}：{ISSUES[k]}', f'{region} {topic}: {EN_ISSUES[k]}'))}")
                tw(f"        solution: {q(text(SOLUTIONS[k], EN_SOLUTIONS[k]))}")
                tw(f"        owner: {owner}")
                tw(f"        due: {due}")
                tw(f"        resolved: {resolved}")
                tw(f"        severity: {rng.choice(('low', 'medium', 'medium', 'high'))}")
        if rng.random() < 0.3:
            tw(f"    notes: {q(text('交付物需同步存档到共享盘', 'File the deliverables on the shared drive'))}")
        tw("")
        task_ids.append(tid)
        task_ends.append(end)

    # Milestones spread over the window, each naming tasks that end before it.
    w("milestones:")
    step = sh.days / (sh.milestones + 1)
    ends_sorted = sorted(zip(task_ends, task_ids))
    for k in range(sh.milestones):
        d = sh.start + timedelta(days=int(step * (k + 1)))
        candidates = [t for e, t in ends_sorted if e < d] or task_ids[:1]
        refs = sorted(rng.sample(candidates, min(len(candidates), rng.randint(*sh.milestone_refs))))
        w(f"  - id: m{k + 1:03d}")
        w(f"    name: {q(text(f'第{k + 1}次阶段评审', f'Review {k + 1}'))}")
        w(f"    date: {d}")
        if d < sh.as_of:
            w(f"    achieved: {d + timedelta(days=rng.choice((0, 0, 1, 3)))}")
        w(f"    tasks: [{', '.join(refs)}]")
        w("    reviewed_by: director")
    w("")
    w("tasks:")
    out.extend(tasks_text)
    if sh.campaign_risks:
        w("risks:")
        for r in range(sh.campaign_risks):
            k = rng.randrange(len(ISSUES))
            due = sh.start + timedelta(days=rng.randrange(0, sh.days))
            resolved = "false" if due > sh.as_of else rng.choice(("true", "false"))
            w(f"  - id: campaign-risk-{r + 1:03d}")
            w(f"    issue: {q(text(ISSUES[k], EN_ISSUES[k]))}")
            w(f"    solution: {q(text(SOLUTIONS[k], EN_SOLUTIONS[k]))}")
            w(f"    owner: {rng.choice(everyone)}")
            w(f"    due: {due}")
            w(f"    resolved: {resolved}")
            w(f"    severity: {rng.choice(('low', 'medium', 'high'))}")
    return "\n".join(out) + "\n"


def shape_bench_setup(argv, doc: str, *, sizes: str, shapes: str, prefix: str):
    """The command line and first lines every shape benchmark shares (bench_update, bench_replan):
    ``--sizes``, ``--shapes``, ``--repeat``, ``--out``; compiles ptrack's .pyc, prints the run
    header. Returns (sizes, shapes, repeat, out folder, temp folder to remove or None, ptrack
    command)."""
    import argparse
    from pathlib import Path

    from bench_core import output_folder, parse_sizes, ptrack_cmd, run_header
    from bench_validate import compile_bytecode

    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--sizes", default=sizes, help=f"task counts, comma-separated (default {sizes})")
    ap.add_argument("--shapes", default=shapes, help=f"plan shapes (default {shapes}; known: {', '.join(SHAPES)})")
    ap.add_argument("--repeat", type=int, default=5, help="interleaved rounds; the best is kept")
    ap.add_argument("--out", type=Path, help="keep the generated campaigns here (default: a temp folder)")
    args = ap.parse_args(argv)
    chosen = [s.strip() for s in args.shapes.split(",") if s.strip()]
    for s in chosen:
        if s not in SHAPES:
            ap.error(f"unknown shape {s!r}; known: {', '.join(SHAPES)}")
    repeat = max(1, args.repeat)
    out, tmp = output_folder(args.out, prefix)
    ptrack = ptrack_cmd()
    import ptrack as package

    compiled = compile_bytecode()
    print(run_header([], repeat))
    print(f"ptrack from {Path(package.__file__).parent}; .pyc written for {', '.join(compiled) or 'nothing'}")
    print(f"files in {out}; ptrack = {' '.join(ptrack)}")
    print()
    return parse_sizes(args.sizes), chosen, repeat, out, tmp, ptrack
