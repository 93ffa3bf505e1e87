"""The critical-path section and the workload heat map of the dashboard, in real Chromium: the
numbers match status.json, over-allocation is text as well as colour, and both read with JS off."""

from __future__ import annotations

import json

CAMPAIGN = "spring-launch-2024"


def _status(site) -> dict:
    return json.loads((site / CAMPAIGN / "status.json").read_text(encoding="utf-8"))["campaigns"][0]


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


def test_workload_heat_map_matches_status_json_with_text_and_colour(site_en, open_page):
    watched = open_page(site_en / CAMPAIGN / "index.html", js=False)  # server-rendered: no JS needed
    page = watched.page
    workload = _status(site_en)["workload"]
    headers = page.eval_on_selector_all("#workload thead th", "ths => ths.map(th => th.textContent.trim())")
    # Person, Capacity, then one column per ISO week: "W16 04-15" (the week and its Monday)
    assert headers[:2] == ["Person", "Capacity (days a week)"]
    assert headers[2:] == [f"{w['week'].split('-')[1]} {w['start'][5:]}" for w in workload["weeks"]]
    rows = page.eval_on_selector_all("#workload tbody tr", """trs => trs.map(tr => ({
        name: tr.querySelector('th').textContent.trim(),
        cells: Array.from(tr.querySelectorAll('td')).slice(1).map(td => ({
            text: td.textContent.trim(), cls: td.className,
            bg: getComputedStyle(td).backgroundColor}))}))""")
    assert [r["name"] for r in rows] == [p["name"] for p in workload["people"]]
    over_bg, low_bg = set(), set()
    for row, person in zip(rows, workload["people"]):
        over = {w["week"] for w in workload["weeks"]} & set(person["overallocated"])
        for cell, week, load, available in zip(row["cells"], workload["weeks"], person["load"], person["available"]):
            text = f"{_fmt(load)} / {_fmt(available)}"
            if week["week"] in over:
                # the number, a ⚠ and the words for screen readers: never colour alone
                assert cell["text"] == f"{text} ⚠over capacity", cell
                assert "heat-over" in cell["cls"]
                over_bg.add(cell["bg"])
            else:
                assert cell["text"] == text, cell
                assert "heat-over" not in cell["cls"]
                if "heat-low" in cell["cls"]:
                    low_bg.add(cell["bg"])
    assert over_bg and low_bg and not over_bg & low_bg  # over-allocated cells look different
    # the hidden words are there for assistive technology, not on screen
    hidden = page.eval_on_selector("#workload .sr-only", "e => e.getBoundingClientRect().width")
    assert hidden <= 1
    assert watched.problems() == []


def test_critical_path_section_lists_the_chain_in_order(site_zh, open_page):
    watched = open_page(site_zh / CAMPAIGN / "index.html")
    page = watched.page
    doc = _status(site_zh)
    tasks = {t["id"]: t for t in doc["tasks"]}
    rows = page.eval_on_selector_all("#critical tbody tr", """trs => trs.map(tr => ({task: tr.dataset.task,
        cells: Array.from(tr.cells).map(c => c.textContent.trim())}))""")
    assert [r["task"] for r in rows] == doc["critical_path"] and rows
    for r in rows:
        t = tasks[r["task"]]
        # #, name (with its module), owner, forecast start, forecast finish, float, status, days behind
        assert r["cells"][3:6] == [t["earliest_start"], t["earliest_finish"], str(t["float_days"])]
        assert t["critical"] is True
    intro = page.locator("#critical .intro").inner_text()
    assert doc["forecast_finish"] in intro and "2024-05-31" in intro
    # the section is in the page's navigation
    assert page.locator(".section-nav a[href='#critical']").inner_text() == "关键路径"
    assert page.locator(".section-nav a[href='#workload']").inner_text() == "人员负荷"
    assert watched.problems() == []
