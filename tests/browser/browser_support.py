"""Data shared by the browser tests: hostile strings and a campaign made of them."""

from __future__ import annotations

import json

import pytest

# Strings that break out of HTML text, attributes, <script> and templates when not escaped.
HOSTILE = (
    "<img src=x onerror=window.__xss=1>",
    "</script><script>window.__xss=2</script>",
    "\"'><svg onload=window.__xss=3>",
    "{{7*7}}",
)


def hostile_campaign() -> str:
    """A valid campaign whose user strings are all hostile. JSON strings are YAML strings, so
    ``json.dumps`` quotes them exactly."""
    q = lambda s: json.dumps(s, ensure_ascii=False)
    h1, h2, h3, h4 = (q(s) for s in HOSTILE)
    all4 = q(" ".join(HOSTILE))
    return f"""\
ptrack: 1
campaign:
  id: hostile
  name: {q("攻击测试 " + HOSTILE[3] + " " + HOSTILE[0])}
  description: {all4}
  start: 2024-03-01
  end: 2024-05-31
  calendar: none
  locale: zh-CN
  lead: evil
people:
  evil: {{name: {h1}, department: {h2}}}
  mallory: {{name: {h3}, department: {h4}}}
goals:
  - id: g1
    name: {h2}
    kind: cumulative
    target: 100
    unit: {h4}
    due: 2024-05-31
    measurements: [{{date: 2024-04-01, value: 30}}]
milestones:
  - id: m1
    name: {h3}
    date: 2024-04-30
    description: {h1}
tasks:
  - id: t1
    name: {h1}
    description: {h2}
    module: {h3}
    owner: evil
    collaborators: [mallory]
    department: {h4}
    channels: [{h1}]
    planned: {{start: 2024-03-01, end: 2024-04-30}}
    actual: {{start: 2024-03-01}}
    progress: 10
    risks:
      - {{issue: {h2}, solution: {h3}, owner: evil, due: 2024-04-01}}
    notes: {all4}
  - id: t2
    name: {h2}
    description: {h3}
    module: {h1}
    owner: mallory
    department: {h2}
    planned: {{start: 2024-03-01, end: 2024-03-31}}
    actual: {{start: 2024-03-01}}
    progress: 40
    risks:
      - {{issue: {h1}, solution: {h4}, owner: mallory, due: 2024-05-01}}
    notes: {h1}
  - id: t3
    name: {h3}
    description: {h4}
    module: {h4}
    owner: evil
    department: {h1}
    planned: {{start: 2024-04-01, end: 2024-05-31}}
    risks:
      - {{issue: {h3}, solution: {h2}, owner: evil, due: 2024-05-10}}
    notes: {h2}
  - id: t4
    name: {h4}
    module: {h2}
    owner: mallory
    department: {h3}
    planned: {{start: 2024-03-05, end: 2024-04-20}}
    actual: {{start: 2024-03-05}}
    progress: 20
    notes: {h3}
"""


# Every arrow of the two arrow paths (data-a lists them; each is drawn as a shaft subpath and a
# head subpath, in that order, when both its tasks are shown): where its shaft starts and ends on
# screen, where its head's tip is, and where the bars it should join are: the predecessor's bar's
# right edge (a start-to-start arrow: its left edge) and the successor's left edge, at mid-height.
ARROWS_JS = """() => {
  const plot = document.querySelector('.gx-plot');
  const bar = id => {
    const r = plot.querySelector(`g.gx-t[data-t="${id}"] rect.gx-b`);
    return getComputedStyle(r.closest('.gx-kids')).display === 'none' ? null : r.getBoundingClientRect();
  };
  const walk = sub => {  // the first point and the last point of a subpath of M, H, V, L commands
    let x = 0, y = 0, first = null, tip = null;
    for (const [, cmd, args] of sub.matchAll(/([MHVL])([^MHVL]*)/g)) {
      const n = args.split(',').map(Number);
      if (cmd === 'M' || cmd === 'L') { x = n[0]; y = n[1]; } else if (cmd === 'H') x = n[0]; else y = n[0];
      if (!first) first = [x, y]; else if (cmd === 'L' && !tip) tip = [x, y];
    }
    return {first, last: [x, y], tip};
  };
  const out = [];
  for (const p of plot.querySelectorAll('path.gx-d')) {
    const m = p.getScreenCTM(), screen = ([x, y]) => { const q = new DOMPoint(x, y).matrixTransform(m); return [q.x, q.y]; };
    const subs = p.getAttribute('d').match(/M[^M]*/g) || [];
    let i = 0;
    for (const item of p.dataset.a.split(';')) {
      const [from, to, , , kind] = item.split(' ');
      const f = bar(from), t = bar(to);
      if (!f || !t) { out.push({from, to, shown: false}); continue; }
      const shaft = walk(subs[i++]), head = walk(subs[i++]);
      const xs = [...subs[i - 2].matchAll(/[MH](-?[0-9.]+)/g)].map(m => screen([Number(m[1]), 0])[0]);
      out.push({from, to, shown: true, critical: p.classList.contains('gx-dc'), ss: kind === 's',
                start: screen(shaft.first), end: screen(shaft.last), tip: screen(head.tip), leftmost: Math.min(...xs),
                fromBar: [kind === 's' ? f.left : f.right, f.top + f.height / 2], toBar: [t.left, t.top + t.height / 2]});
    }
    if (i !== subs.length) out.push({error: `path has ${subs.length} subpaths, ${i} expected`});
  }
  return out;
}"""


def assert_arrows_join(arrows: list[dict]) -> int:
    """Each arrow shown leaves its predecessor's bar (its end; a start-to-start one its start) and
    ends, head first, at its successor's start; a start-to-start shaft turns left of both starts.
    Returns how many were shown."""
    assert not [a for a in arrows if "error" in a], arrows
    shown = [a for a in arrows if a["shown"]]
    for a in shown:
        assert a["start"] == pytest.approx(a["fromBar"], abs=0.75), a
        assert a["end"] == pytest.approx(a["toBar"], abs=0.75), a
        assert a["tip"] == pytest.approx(a["end"], abs=0.01), a  # the head points at the bar
        if a["ss"]:
            assert a["leftmost"] < min(a["start"][0], a["end"][0]) - 1, a
    return len(shown)
