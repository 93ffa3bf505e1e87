"""Done when (issue 17): on a fresh repository from ``ptrack init``, a person with only a phone
browser updates a task from its link, and the change lands as a validated commit that the next
build shows.

Everything but GitHub's web pages is real: ``ptrack init``, git (a bare "origin" and the
workflow's clone), ``ptrack build`` writing the person's page with the update link, the issue
form ``init`` wrote, ``ptrack update --from-issue`` on the event, and the next ``ptrack build``.
GitHub's part is played by the fake REST API (tests/github_support.py) and by ``render_issue``
below: what github.com does with a prefilled form, read from the form file itself (the fields a
link fills from ``?<id>=``, the person's typing, then ``### <label>`` sections with
``_No response_``), not from ptrack's own definition of the forms.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import yaml

from ecosystem_support import git
from github_support import FakeGitHub

TOKEN = "ghs_end-to-end-0123456789"
DAY = "2025-03-03"


def render_issue(form_yaml: str, url: str, typed: dict[str, str]) -> tuple[str, str]:
    """(title, body) of the issue github.com makes when the form at ``url`` is submitted: the
    input and textarea fields filled from the query parameter named by their id, then by what
    the person typed; each field as ``### <label>``, a blank line, the value or
    ``_No response_``; the sections separated by a blank line; the browser's CRLF line breaks."""
    form = yaml.safe_load(form_yaml)
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    sections = []
    for item in form["body"]:
        if item["type"] not in ("input", "textarea"):
            continue  # markdown: not part of the issue; no other kind is prefilled by GitHub
        value = typed.get(item["id"], params.get(item["id"], "")).replace("\n", "\r\n").strip()
        sections.append(f"### {item['attributes']['label']}\n\n{value or '_No response_'}")
    return params.get("title") or form.get("title", ""), "\n\n".join(sections)


def test_a_phone_update_from_the_site_lands_and_the_next_build_shows_it(tmp_path, run_cli, monkeypatch):
    seed = tmp_path / "seed"
    assert run_cli("init", seed, "--as-of", DAY)[0] == 0
    # the team's set-up: the repository's address, updates straight onto main, a login per person
    config = (seed / "ptrack.yaml").read_text("utf-8")
    (seed / "ptrack.yaml").write_text(config.replace("# repo_url: https://github.com/OWNER/REPO",
                                                     "repo_url: https://github.com/acme/campaigns")
                                      + "intake: {mode: commit}\n", encoding="utf-8")
    campaign_file = seed / "campaigns" / "product-launch-2025.yaml"
    text = campaign_file.read_text("utf-8")
    campaign_file.write_text(text.replace("designer: {name: 设计主管, department: 设计部}",
                                          "designer: {name: 设计主管, department: 设计部, github: zhang-design}"),
                             encoding="utf-8")
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "ptrack init")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(origin))
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", str(origin), str(checkout))

    # 1. the status page: the designer's page links each of their tasks to its update form
    monkeypatch.chdir(checkout)
    assert run_cli("build", "--out", str(tmp_path / "site"), "--as-of", DAY)[0] == 0
    page = (tmp_path / "site" / "people" / "designer" / "index.html").read_text("utf-8")
    links = [html.unescape(h) for h in re.findall(r'href="(https://github\.com/acme/campaigns/issues/new\?[^"]+)"',
                                                  page)]
    link = next(u for u in links if "&task=content&" in u)
    before = json.loads((tmp_path / "site" / "product-launch-2025" / "status.json").read_text("utf-8"))
    content = next(t for t in before["campaigns"][0]["tasks"] if t["id"] == "content")
    assert content["actual_progress"] != 80.0

    # 2. on the phone: the form init wrote, prefilled by the link; two fields typed
    params = dict(parse_qsl(urlsplit(link).query))
    form = (checkout / ".github" / "ISSUE_TEMPLATE" / params["template"]).read_text("utf-8")
    title, body = render_issue(form, link, {"progress": "80", "note": "第二版海报已定稿\n- [x] 发给市场部"})
    assert title == "进度更新：海报与短视频制作"

    # 3. the issue, and the workflow's step on its event
    with FakeGitHub(TOKEN, origin=origin) as github:
        issue = github.open_issue(body, login="zhang-design", user_id=90210, title=title)
        event = tmp_path / "event.json"
        event.write_text(json.dumps(github.event(issue), ensure_ascii=False), encoding="utf-8")
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        monkeypatch.setenv("GITHUB_API_URL", github.api_url)
        code, out, err = run_cli("update", "--from-issue", str(event), "--as-of", DAY)
        assert (code, err) == (0, ""), out + err
        assert github.issues[1]["state"] == "closed"
        [reply] = [c["body"] for c in github.comments[1]]
    assert "progress 20 → 80" in reply and "| 更新后 |" in reply

    # 4. a validated commit on main, by the designer
    assert git(origin, "log", "-1", "--format=%an|%s", "main") == "设计主管|更新 content（#1）"
    # 5. the next build shows the new figures
    the_next_build_shows_it(origin, tmp_path, run_cli, monkeypatch)


def the_next_build_shows_it(origin: Path, tmp_path: Path, run_cli, monkeypatch) -> None:
    """A fresh clone of ``origin`` is valid, holds the dated note, and its build shows the
    content task at 80% (deviation 80 minus its planned progress), with the designer's page."""
    fresh = tmp_path / "fresh"
    git(tmp_path, "clone", "-q", str(origin), str(fresh))
    monkeypatch.chdir(fresh)
    assert run_cli("validate")[0] == 0
    assert "      2025-03-03 第二版海报已定稿\n      - [x] 发给市场部\n" in (
        fresh / "campaigns" / "product-launch-2025.yaml").read_text("utf-8")
    assert run_cli("build", "--out", str(tmp_path / "site2"), "--as-of", DAY)[0] == 0
    after = json.loads((tmp_path / "site2" / "product-launch-2025" / "status.json").read_text("utf-8"))
    content = next(t for t in after["campaigns"][0]["tasks"] if t["id"] == "content")
    assert content["actual_progress"] == 80.0
    assert content["deviation"] == round(80.0 - content["planned_progress"], 1)
    assert Path(tmp_path / "site2" / "people" / "designer" / "index.html").is_file()
