"""Done when (issue 19, updates from links on GitLab): on a fresh repository from ``ptrack init
--forge gitlab``, a person with only a phone browser updates a task from its link on the status
page, and the change lands as a validated commit that the next build shows.

Everything but GitLab's web pages is real: ``ptrack init --forge gitlab``, git (the project's
repository served over HTTP by the fake GitLab, tests/gitlab_support.py, and the intake job's
clone), ``ptrack build`` writing the person's page with the update link, the issue template
``init`` wrote, ``ptrack update --from-open-issues`` (the intake job's script) and the next
``ptrack build``. GitLab's new-issue page is played by ``prefill`` below, from the link and the
template file in the repository (not from ptrack's definition of the forms): GitLab 14.8 and
later append the link's ``issue[description]`` to the template ``issuable_template`` names (the
template selector sets the template, then ``"\\n"`` and the description); the person then types
on the empty line under a heading, in the browser's textarea (CRLF line breaks).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from ecosystem_support import git
from gitlab_support import FakeGitLab
from test_intake_end_to_end import the_next_build_shows_it

TOKEN = "glpat-e2e-0123456789abcdef"
DAY = "2025-03-03"
REPO_URL = "https://gitlab.example.cn/acme/campaigns"
DESIGNER = {"id": 90210, "username": "zhang.design", "name": "张设计"}


def prefill(repo: Path, url: str) -> tuple[str, str]:
    """(title, description) of GitLab's new-issue page opened at ``url``: the template the link
    names, read from the repository (it must be there), with the link's description appended."""
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    template = (repo / ".gitlab" / "issue_templates" / f"{params['issuable_template']}.md").read_text("utf-8")
    return params["issue[title]"], template + "\n" + params["issue[description]"]


def type_under(description: str, heading: str, value: str) -> str:
    """The person types ``value`` on the line under ``heading``'s help (its first occurrence: the
    template's, at the top of the page), or right under the heading when it has no help (a
    prefilled section, whose ``_No response_`` they leave where it is)."""
    start = description.index(f"### {heading}\n")
    end = description.find("\n### ", start + 1)
    section = description[start:end if end >= 0 else len(description)]
    at = start + (section.index("-->\n") + len("-->\n") if "-->\n" in section else len(f"### {heading}\n\n"))
    return description[:at] + value + "\n" + description[at:]


def test_a_phone_update_from_a_gitlab_link_lands_and_the_next_build_shows_it(tmp_path, run_cli, monkeypatch):
    seed = tmp_path / "seed"
    assert run_cli("init", seed, "--forge", "gitlab", "--as-of", DAY)[0] == 0
    # the team's set-up: the repository's address, updates straight onto main, the designer's username
    config = (seed / "ptrack.yaml").read_text("utf-8")
    assert "\nforge: gitlab\n" in config  # init wrote it
    (seed / "ptrack.yaml").write_text(config.replace("# repo_url: https://gitlab.com/GROUP/PROJECT",
                                                     f"repo_url: {REPO_URL}") + "intake: {mode: commit}\n",
                                      encoding="utf-8")
    campaign_file = seed / "campaigns" / "product-launch-2025.yaml"
    campaign_file.write_text(campaign_file.read_text("utf-8").replace(
        "designer: {name: 设计主管, department: 设计部}",
        "designer: {name: 设计主管, department: 设计部, gitlab: zhang.design}"), encoding="utf-8")
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "ptrack init --forge gitlab")

    with FakeGitLab(TOKEN, origin=tmp_path / "srv" / "acme" / "campaigns.git") as gitlab:
        gitlab.origin.parent.mkdir(parents=True)
        git(tmp_path, "clone", "-q", "--bare", str(seed), str(gitlab.origin))
        checkout = tmp_path / "checkout"  # the intake job's clone
        git(tmp_path, "clone", "-q", str(gitlab.origin), str(checkout))

        # 1. the status page: the designer's page links each of their tasks to the GitLab template
        monkeypatch.chdir(checkout)
        assert run_cli("build", "--out", str(tmp_path / "site"), "--as-of", DAY)[0] == 0
        page = (tmp_path / "site" / "people" / "designer" / "index.html").read_text("utf-8")
        links = [html.unescape(h) for h in re.findall(rf'href="({re.escape(REPO_URL)}/-/issues/new\?[^"]+)"', page)]
        link = next(u for u in links if "%23%23%23%20%E4%BB%BB%E5%8A%A1%E7%BC%96%E5%8F%B7%20%2F%20Task%20ID%0A%0Acontent"
                    in u)  # "### 任务编号 / Task ID\n\ncontent"
        assert link.startswith(f"{REPO_URL}/-/issues/new?issuable_template=%E8%BF%9B%E5%BA%A6%E6%9B%B4%E6%96%B0&")
        before = json.loads((tmp_path / "site" / "product-launch-2025" / "status.json").read_text("utf-8"))
        content = next(t for t in before["campaigns"][0]["tasks"] if t["id"] == "content")
        assert content["actual_progress"] != 80.0

        # 2. on the phone: GitLab's page with the template init wrote (进度更新.md) and the link's
        # description; two fields typed into the template's part
        title, description = prefill(checkout, link)
        assert title == "进度更新：海报与短视频制作"
        description = type_under(description, "实际进度(%) / Progress (%)", "80")
        description = type_under(description, "进展说明 / Note", "第二版海报已定稿\n- [x] 发给市场部")

        # 3. the issue, and the intake job's script
        issue = gitlab.open_issue(description.replace("\n", "\r\n"), user=DESIGNER, title=title)
        for name, value in (("CI_API_V4_URL", gitlab.api_url), ("CI_PROJECT_ID", gitlab.project),
                            ("PTRACK_INTAKE_TOKEN", TOKEN)):
            monkeypatch.setenv(name, value)
        for name in ("CI_REPOSITORY_URL", "CI_DEFAULT_BRANCH", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
            monkeypatch.delenv(name, raising=False)
        code, out, err = run_cli("update", "--from-open-issues", "--as-of", DAY)
        assert (code, err) == (0, ""), out + err
        assert TOKEN not in out and issue["state"] == "closed"
        [reply] = gitlab.replies(1)
        assert "progress 20 → 80" in reply and "| 更新后 |" in reply

        # 4. a validated commit on main, by the designer
        assert git(gitlab.origin, "log", "-1", "--format=%an <%ae>|%s", "main") == (
            "设计主管 <90210-zhang.design@users.noreply.gitlab.example.cn>|更新 content（#1）")

    # 5. the next build shows the new figures (as after GitHub's intake)
    the_next_build_shows_it(gitlab.origin, tmp_path, run_cli, monkeypatch)


def test_the_description_reads_the_same_whichever_way_gitlab_fills_it(tmp_path, run_cli):
    """GitLab before 14.8 dropped the description for the template; 14.8 to 18 append it; newer
    GitLab puts it in the template's place. Appended or alone, the same values are read."""
    from ptrack.forge.issue import parse_body

    assert run_cli("init", tmp_path, "--forge", "gitlab", "--lang", "en", "--as-of", DAY)[0] == 0
    config = tmp_path / "ptrack.yaml"
    config.write_text(config.read_text("utf-8").replace("# repo_url: https://gitlab.com/GROUP/PROJECT",
                                                        f"repo_url: {REPO_URL}"), encoding="utf-8")
    from ptrack.core.config import load_config
    from ptrack.forge.links import campaign_links, repo_of

    links = campaign_links(repo_of(load_config(tmp_path)), "product-launch-2025", "en")
    url = links.update(type("Task", (), {"id": "content", "name": "Posters and short videos"})())
    assert url.startswith(f"{REPO_URL}/-/issues/new?issuable_template=Progress%20update&")
    _, appended = prefill(tmp_path, url)
    alone = dict(parse_qsl(urlsplit(url).query))["issue[description]"]
    typed = type_under(appended, "Progress (%)", "55")
    assert parse_body(typed).values == {"campaign": "product-launch-2025", "task": "content", "progress": "55"}
    assert parse_body(type_under(alone, "Progress (%)", "55")).values == parse_body(typed).values
    assert parse_body(typed).duplicates == ()
