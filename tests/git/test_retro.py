"""ptrack retro (Markdown and HTML) and the retro: section of the schema."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from ptrack.git.retro import retro_data, retro_report


def _finished(repo, campaign, tasks_of):
    """Ann plans (03-01); Carol moves alpha's end 03-10 -> 03-12 (03-03); the campaign closes:
    alpha done 03-14 (2 working days late), beta done 03-18 (2 early), gamma not finished."""
    data = campaign()
    t = tasks_of(data)
    t["alpha"]["budget"] = {"planned": 1000, "spent": 1200}
    t["beta"]["budget"] = {"planned": 3000, "spent": 2000}
    t["alpha"]["module"] = t["beta"]["module"] = "Content"
    t["alpha"]["department"] = "市场部"
    data["tasks"].append({"id": "gamma", "name": "Gamma <b>", "module": "Events",
                          "planned": {"start": "2024-03-10", "end": "2024-03-25"}, "progress": 60})
    data["milestones"] = [{"id": "m1", "name": "Assets final", "date": "2024-03-10", "achieved": "2024-03-12"}]
    data["goals"] = [{"id": "sales", "name": "Sales", "kind": "cumulative", "target": 200, "unit": "件",
                      "due": "2024-03-31", "measurements": [{"date": "2024-03-30", "value": 150}]}]
    path = repo.write("c.yaml", data)
    repo.commit("2024-03-01T10:00:00+08:00", "Ann")
    t["alpha"]["planned"]["end"] = "2024-03-12"
    repo.write("c.yaml", data)
    repo.commit("2024-03-03T10:00:00+08:00", "Carol")
    t["alpha"]["actual"] = {"start": "2024-03-01", "end": "2024-03-14"}
    t["alpha"]["progress"] = 100
    t["beta"]["actual"] = {"start": "2024-03-01", "end": "2024-03-18"}
    t["beta"]["progress"] = 100
    data["retro"] = {"summary": "Shipped on budget.", "went_well": ["Daily stand-up"],
                     "problems": ["Brief changed twice"], "improvements": ["Lead approves brief changes"]}
    repo.write("c.yaml", data)
    repo.commit("2024-03-31T10:00:00+08:00", "Ann")
    return path


def test_retro_data(make_repo, campaign, tasks_of):
    path = _finished(make_repo(), campaign, tasks_of)
    report, diagnostics = retro_report(path, date(2024, 3, 31))
    assert diagnostics == []
    d = retro_data(report)
    assert [(r["id"], r["days"]) for r in d["late"]] == [("alpha", 2)]
    assert [(r["id"], r["days"]) for r in d["early"]] == [("beta", 2)]
    assert [r["id"] for r in d["unfinished"]] == ["gamma"]
    [slip] = d["slipped"]
    assert (slip["id"], slip["count"], slip["moved_days"], slip["slip_days"], slip["who"], slip["when"]) == (
        "alpha", 1, 2, 2, ["Carol"], ["2024-03-03"])
    # EVM over alpha and beta: BAC 4000, EV 4000 (both done), AC 3200 -> CPI 1.25, EAC 3200.
    assert (d["budget"]["bac"], d["budget"]["ac"], d["budget"]["cpi"], d["budget"]["eac"]) == (
        "4,000", "3,200", "1.250", "3,200")
    assert d["milestones"][0]["state"] == "achieved 2 days late"
    assert d["goals"][0]["achievement"] == "75.0%"
    assert d["lessons"]["went_well"] == ["Daily stand-up"]
    assert [r["key"] for r in d["modules"]] == ["Content", "Events"]


def test_retro_markdown_and_html(make_repo, campaign, tasks_of, run_cli):
    path = _finished(make_repo(), campaign, tasks_of)
    code, out, err = run_cli("retro", str(path), "--as-of", "2024-03-31")
    assert (code, err) == (0, "")
    assert out.startswith("# Retrospective: Demo launch (`demo`)\n")
    for part in ("## Finished early and late", "1 early, 0 on time, 1 late, 1 not finished.",
                 "| Alpha (alpha) | 2024-03-12 | 2024-03-14 | 2 |", "## Most-slipped tasks",
                 "| Alpha (alpha) | 1 | 2 | 2 | Carol | 2024-03-03 |", "## Deviation by module",
                 "## Deviation by department", "| 市场部 |", "## Budget outcome (earned value)",
                 "## Goals: final achievement", "| Sales | 200 件 | 150 件 | 75.0% |", "## Milestones",
                 "### What went well\n\n- Daily stand-up", "### Improvements\n\n- Lead approves brief changes",
                 "Gamma \\<b\\>"):
        assert part in out, part
    code, html, _ = run_cli("retro", str(path), "--as-of", "2024-03-31", "--format", "html", "--lang", "zh-CN")
    assert code == 0 and html.startswith("<!DOCTYPE html>")
    assert "复盘报告" in html and "高效环节" in html and "Gamma &lt;b&gt;" in html and "<b>" not in html


def test_retro_outside_git_and_errors(run_cli, campaign, tmp_path, dump):
    plain = tmp_path / "c.yaml"
    plain.write_text(dump(campaign()))
    code, out, err = run_cli("retro", str(plain), "--as-of", "2024-03-31")
    assert code == 0 and "No git history for this file" in out and "not in a git repository" in err
    assert "No retro section" in out
    code, _, err = run_cli("retro", str(tmp_path))
    assert code == 2 and "not a folder" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("ptrack: 1\n")
    code, _, _ = run_cli("retro", str(bad))
    assert code == 1


def test_retro_section_in_the_schema(run_cli, campaign, tmp_path, dump):
    data = campaign()
    data["retro"] = {"went_well": ["ok"], "problems": [""], "lessons": []}
    path = tmp_path / "c.yaml"
    path.write_text(dump(data))
    code, out, _ = run_cli("validate", str(path))
    assert code == 1
    assert 'retro.problems[0]: must not be empty' in out and 'unknown key "lessons"' in out
    root = Path(__file__).resolve().parents[2]
    packaged = (root / "src/ptrack/schema/campaign.schema.json").read_bytes()
    assert packaged == (root / "schema/campaign.schema.json").read_bytes()
    retro = json.loads(packaged)["properties"]["retro"]
    nodes = [retro] + list(retro["properties"].values()) + [p["items"] for p in retro["properties"].values()
                                                            if "items" in p]
    for node in nodes:  # bilingual help on every new node: "中文 · English", "中文。 / English."
        assert " · " in node["title"] and " / " in node["description"], node["title"]
