"""``ptrack build`` with people: a page and a calendar feed per person, update links from
ptrack.yaml's repo_url (none without it), and the files of someone no longer on the plan
removed by the next build."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "campaign.yaml"
AS_OF = "2024-04-15"
CID = "spring-launch-2024"

TWO = """\
ptrack: 1
campaign: {{id: {id}, name: {name}, start: 2024-04-01, end: 2024-05-31, calendar: none, locale: en, lead: ann}}
people:
{people}
tasks:
  - {{id: a, name: Brief, owner: ann, planned: {{start: 2024-04-10, end: 2024-04-19}}, progress: 20}}
  - {{id: b, name: Shoot, owner: {b}, depends_on: [a], planned: {{start: 2024-04-22, end: 2024-04-30}}}}
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()  # ptrack.yaml is looked for up to here, no further
    monkeypatch.chdir(tmp_path)


def _two(cid: str, b: str = "bob", name: str = "Two") -> str:
    people = "  ann: {name: Ann}\n" + (f"  {b}: {{name: {b.title()}}}\n" if b != "ann" else "")
    return TWO.format(id=cid, name=name, people=people.rstrip("\n"), b=b)


def test_with_repo_url_every_page_links_to_the_forms(run_cli, write, tmp_path):
    write("ptrack.yaml", "repo_url: https://github.com/acme/campaigns.git\nsite_url: https://acme.github.io/c\n")
    shutil.copy(EXAMPLE, tmp_path / "spring.yaml")
    code, out, err = run_cli("build", "spring.yaml", "--out", "site", "--as-of", AS_OF)
    assert code == 0, err
    site = tmp_path / "site"
    dashboard = (site / CID / "index.html").read_text(encoding="utf-8")
    base = "https://github.com/acme/campaigns/issues/new?template=ptrack-update.yml&amp;campaign=spring-launch-2024"
    assert dashboard.count(base + "&amp;task=") == 27 + 5 + 27 + 6  # table, focus, Gantt labels; 6 Resolve
    person = (site / "people" / "sales-d" / "index.html").read_text(encoding="utf-8")
    assert f'<a class="item-title" href="../../{CID}/index.html#task-store-launch">门店新品陈列上架</a>' in person
    assert base + "&amp;task=store-launch&amp;title=" in person
    assert "https://acme.github.io/c/people/sales-d/tasks.ics" in person
    portfolio = (site / "index.html").read_text(encoding="utf-8")
    assert '<a class="item-title" href="people/sales-d/index.html">黄磊</a>' in portfolio
    assert (site / "people" / "sales-d" / "tasks.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")


def test_without_repo_url_no_page_has_a_form_link(run_cli, tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "spring.yaml")
    assert run_cli("build", "spring.yaml", "--out", "site", "--as-of", AS_OF)[0] == 0
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert len(pages) == 1 + 1 + 11
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "issues/new" not in text and 'class="upd"' not in text and "data-u=" not in text, page
        assert not re.search(r'class="btn btn-primary"', text), page


def test_gitlab_forge_and_a_bad_repo_url(run_cli, write, tmp_path):
    write("ptrack.yaml", "repo_url: https://git.acme.cn/market/campaigns\nforge: gitlab\nlocale: en\n")
    write("two.yaml", _two("two"))
    assert run_cli("build", "two.yaml", "--out", "site", "--as-of", AS_OF)[0] == 0
    ann = (tmp_path / "site" / "people" / "ann" / "index.html").read_text(encoding="utf-8")
    # the template named in ptrack.yaml's language: .gitlab/issue_templates/Progress update.md
    assert ("https://git.acme.cn/market/campaigns/-/issues/new?issuable_template=Progress%20update&amp;"
            "issue[title]=Progress%20update%3A%20Brief&amp;issue[description]=%23%23%23%20Campaign%20ID%0A%0Atwo%0A%0A"
            "%23%23%23%20Task%20ID%0A%0Aa%0A%0A") in ann
    write("ptrack.yaml", "repo_url: https://token@github.com/acme/campaigns\n")
    code, out, err = run_cli("build", "two.yaml", "--out", "site2", "--as-of", AS_OF)
    assert code == 2 and not (tmp_path / "site2").exists()
    # ptrack.yaml has no locale: the command speaks the first campaign's language (two.yaml: en)
    assert "ptrack: error: ptrack.yaml:1:11: repo_url must not hold a user name, password or token" in err
    assert "token@" not in err
    write("ptrack.yaml", "locale: zh-CN\nrepo_url: https://token@github.com/acme/campaigns\n")
    code, out, err = run_cli("build", "two.yaml", "--out", "site2", "--as-of", AS_OF)
    assert code == 2 and "ptrack：错误：ptrack.yaml:2:11：repo_url 中不能包含用户名、密码或令牌" in err and "token@" not in err


def test_a_person_across_campaigns_and_who_waits(run_cli, write, tmp_path):
    write("one.yaml", _two("one", name="One"))
    write("two.yaml", _two("two", name="Two"))
    assert run_cli("build", "one.yaml", "two.yaml", "--out", "site", "--as-of", AS_OF)[0] == 0
    ann = (tmp_path / "site" / "people" / "ann" / "index.html").read_text(encoding="utf-8")
    # Brief (planned 04-10..04-19, 20% done) in both campaigns is due this week (04-15..04-21),
    # and Bob's Shoot waits on it in each
    due = ann[ann.index('id="due_this_week"'):ann.index('id="in_progress"')]
    assert due.count('class="item-title"') == 2
    assert due.index('href="../../one/index.html#task-a"') < due.index('href="../../two/index.html#task-a"')
    waiting = ann[ann.index('id="waiting"'):ann.index('id="calendar"')]
    assert waiting.count('href="../../one/index.html#task-b">Shoot</a>') == 1 and "Bob" in waiting
    bob = (tmp_path / "site" / "people" / "bob" / "index.html").read_text(encoding="utf-8")
    starting = bob[bob.index('id="starting_next_week"'):bob.index('id="risks"')]
    assert starting.count('class="item-title"') == 2  # Shoot starts Monday 04-22 in both


def test_someone_off_the_plan_loses_their_page_at_the_next_build(run_cli, write, tmp_path):
    write("two.yaml", _two("two"))
    assert run_cli("build", "two.yaml", "--out", "site", "--as-of", AS_OF)[0] == 0
    site = tmp_path / "site"
    assert (site / "people" / "bob" / "tasks.ics").is_file()
    (site / "people" / "ann" / "notes.txt").write_text("mine\n")  # the user's file is never touched
    write("two.yaml", _two("two", b="ann"))  # Bob leaves: Ann shoots too
    code, out, err = run_cli("build", "two.yaml", "--out", "site", "--as-of", AS_OF)
    assert code == 0, err
    assert "removed 2 files of the previous build" in out
    assert not (site / "people" / "bob").exists()
    assert (site / "people" / "ann" / "notes.txt").read_text() == "mine\n"
    manifest = (site / ".ptrack-build").read_text(encoding="utf-8")
    assert "people/ann/index.html\npeople/ann/tasks.ics\n" in manifest and "people/bob" not in manifest


def test_free_text_owners_get_no_page(run_cli, write, tmp_path):
    write("free.yaml", """\
        ptrack: 1
        campaign: {id: free, name: Free, start: 2024-04-01, end: 2024-05-31, calendar: none, lead: 王雪}
        tasks:
          - {id: a, name: A, owner: design-team, planned: {start: 2024-04-01, end: 2024-04-30}}
          - {id: b, name: B, owner: 设计部 张三, planned: {start: 2024-04-01, end: 2024-04-30}}
        """)
    assert run_cli("build", "free.yaml", "--out", "site", "--as-of", AS_OF)[0] == 0
    assert sorted(p.name for p in (tmp_path / "site" / "people").iterdir()) == ["design-team"]
