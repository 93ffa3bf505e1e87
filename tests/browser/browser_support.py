"""Data shared by the browser tests: hostile strings and a campaign made of them."""

from __future__ import annotations

import json

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
