"""Update and Resolve links on the dashboard (tracking table, focus list, Gantt labels, risk
register) and the person pages, with and without repo_url: exact addresses, escaped in HTML,
none at all without a repository (no dead buttons)."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date
from html.parser import HTMLParser

import pytest

from ptrack.core.people import collect_people
from ptrack.forge.links import Repo, campaign_links, update_url
from ptrack.render.html import CampaignImages, render_campaign_page, render_portfolio_page, tracking_row_html
from ptrack.render.people import people_summary, person_files, person_locale, render_person_page

from tests.helpers import EXAMPLE, HOSTILE, snapshot_of
from tests.unit.test_html_table import _row

GH = Repo("https://github.com/acme/campaigns")
CID = "spring-launch-2024"
D = date(2024, 4, 15)


class _Links(HTMLParser):
    """Every <a>: (class, href as the browser reads it, text) and every data-u."""

    def __init__(self):
        super().__init__()
        self.links: list[list] = []
        self.data_u: dict[str, str] = {}
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a":
            self._open = [a.get("class") or "", a.get("href") or "", ""]
            self.links.append(self._open)
            if "data-u" in a:
                self.data_u[a["data-t"]] = a["data-u"]

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def _parse(text: str) -> _Links:
    p = _Links()
    p.feed(text)
    return p


@pytest.fixture(scope="module")
def example():
    return snapshot_of(EXAMPLE)


def _page(snapshot, links):
    return render_campaign_page(snapshot, locale="zh-CN", images=CampaignImages(), links=links)


def test_tracking_row_with_an_update_link_exact():
    url = "https://github.com/a/b/issues/new?template=ptrack-update.yml&campaign=c&task=t-1&title=x%22"
    got = tracking_row_html(_row(update_url=url, update_label="更新 <进度>"))
    assert ('<span class="sub">t-1</span><a class="upd" href="https://github.com/a/b/issues/new?'
            'template=ptrack-update.yml&amp;campaign=c&amp;task=t-1&amp;title=x%22">更新 &lt;进度&gt;</a></th>\n') in got
    assert 'class="upd"' not in tracking_row_html(_row())


def test_every_task_and_open_risk_links_to_its_form(example):
    links = campaign_links(GH, CID, "zh-CN")
    page = _parse(_page(example, links))
    tasks = {ts.task.id: ts.task for ts in example.tasks}
    updates = [(cls, href) for cls, href, text in page.links if text == "更新进度"]
    # the tracking table (27 tasks) and the focus list (5 tasks more than 10 points and 2 working
    # days behind; campus-popup, on hold, is not in it)
    assert len(updates) == 27 + 5
    assert {href for _, href in updates} == {links.update(task) for task in tasks.values()}
    # the Gantt: each task's label carries its form
    assert page.data_u == {tid: links.update(task) for tid, task in tasks.items()}
    resolves = [href for _, href, text in page.links if text == "标记已解决"]
    open_risks = [rs.risk for rs in example.risks if rs.state != "resolved"]
    assert len(resolves) == len(open_risks) == 6
    assert sorted(resolves) == sorted(links.resolve(r) for r in open_risks)
    assert [href for _, href, text in page.links if text == "报告风险"] == [
        "https://github.com/acme/campaigns/issues/new?template=ptrack-risk.yml&campaign=spring-launch-2024&task="
        "&title=%E6%8A%A5%E5%91%8A%E9%A3%8E%E9%99%A9%EF%BC%9A%E6%96%B0%E5%93%81%E4%B8%8A%E5%B8%82%E7%BB%BC%E5%90%88"
        "%E8%90%A5%E9%94%80%E6%8E%A8%E5%B9%BF"]
    kol = links.update(tasks["kol-seeding"])
    assert kol == ("https://github.com/acme/campaigns/issues/new?template=ptrack-update.yml&campaign=spring-launch-2024"
                   "&task=kol-seeding&title=%E8%BF%9B%E5%BA%A6%E6%9B%B4%E6%96%B0%EF%BC%9A%E8%BE%BE%E4%BA%BA%E5%90%88"
                   "%E4%BD%9C%E7%A7%8D%E8%8D%89")  # 进度更新：达人合作种草


def test_without_a_repository_no_links_and_no_buttons(example):
    text = _page(example, None)
    assert "issues/new" not in text and 'class="upd"' not in text and "data-u=" not in text
    assert "报告风险" not in text and "更新进度" not in text and "标记已解决" not in text


def test_links_in_hostile_text_are_escaped_and_read_back_exactly():
    s = snapshot_of(HOSTILE)
    links = campaign_links(GH, s.campaign.id, "en")
    text = _page(s, links)
    page = _parse(text)
    hrefs = {href for _, href, _ in page.links if "issues/new" in href}
    expected = {links.update(ts.task) for ts in s.tasks}
    assert expected <= hrefs
    # in the markup every & of an address is &amp;, and no address holds a quote or bracket
    for url in expected:
        assert htmllib.escape(url, quote=True) in text
        assert not set(url) & set("\"'<> ")


def test_gitlab_links_on_the_dashboard():
    s = snapshot_of(EXAMPLE)
    links = campaign_links(Repo("https://gitlab.com/acme/campaigns", "gitlab", "zh-CN"), CID, "zh-CN")
    page = _parse(_page(s, links))
    assert all(u.startswith("https://gitlab.com/acme/campaigns/-/issues/new?issuable_template="
                            "%E8%BF%9B%E5%BA%A6%E6%9B%B4%E6%96%B0&issue[title]=")  # 进度更新
               for u in page.data_u.values())


# -- the person pages ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def people(example):
    return collect_people([example], D)


def test_person_page_cards_link_to_the_task_and_its_form(people, example):
    work = people.get("marketing-manager")
    text = render_person_page(work, people, locale="zh-CN", repo=GH)
    page = _parse(text)
    tasks = {ts.task.id: ts.task for ts in example.tasks}
    # each open task: its row on the campaign page, and its form (done tasks: no form); a card
    # for the sections shown, a line for those folded (later, on hold)
    for tid in ("kol-seeding", "midterm-analysis"):
        assert ["item-title", f"../../{CID}/index.html#task-{tid}", tasks[tid].name] in page.links
        assert ["btn btn-primary", update_url(GH, campaign=CID, task=tid, task_name=tasks[tid].name, locale="zh-CN"),
                "更新进度"] in page.links
    for tid in ("retro-report", "campus-popup"):
        assert ["", f"../../{CID}/index.html#task-{tid}", tasks[tid].name] in page.links
        assert ["upd", update_url(GH, campaign=CID, task=tid, task_name=tasks[tid].name, locale="zh-CN"),
                "更新进度"] in page.links
    key_messages = campaign_links(GH, CID, "zh-CN").update(tasks["key-messages"])
    assert ["", f"../../{CID}/index.html#task-key-messages", tasks["key-messages"].name] in page.links
    assert not [link for link in page.links if link[1] == key_messages]
    (risk,) = [r.risk.risk for r in work.risks]
    assert ["btn", campaign_links(GH, CID, "zh-CN").resolve(risk), "标记已解决"] in page.links
    # sections in order, with their counts
    titles = re.findall(r'<h2 id="([a-z_]+)-title">', text)
    assert titles == ["overdue", "due_this_week", "in_progress", "starting_this_week", "starting_next_week",
                      "risks", "waiting", "calendar"]
    assert "逾期 3 天（计划结束 2024-04-12）" in text  # kol-seeding ended 04-12, D is 04-15
    assert "4月19日（周五）到期" in text  # midterm-analysis ends Friday 04-19
    assert "更多：稍后开始、暂停和已完成（7）" in text  # retro-report later, campus-popup on hold, 5 done
    assert '<a class="btn" href="tasks.ics" download>' in text


def test_person_page_without_a_repository_has_no_buttons(people):
    text = render_person_page(people.get("sales-d"), people, locale="zh-CN", repo=None)
    assert "issues/new" not in text and "更新进度" not in text and "标记已解决" not in text
    # others waiting on 黄磊: 李国强's may-day-promo, after its planned start
    assert "五一门店促销活动" in text and "李国强" in text and "晚于对方计划开始" in text


def test_person_page_language_follows_their_campaigns(people):
    work = people.get("ops-b")
    assert person_locale(work, None, "en") == "zh-CN"  # the one language of their campaigns
    assert person_locale(work, "en", None) == "en"
    text = render_person_page(work, people, locale="en", repo=GH)
    assert "<h1 id=\"page-title\">刘畅 · My tasks</h1>" in text and "Due this week" in text
    # the form's title stays in the campaign's language
    assert "title=%E8%BF%9B%E5%BA%A6%E6%9B%B4%E6%96%B0" in text


def test_portfolio_lists_the_people_with_links(people, example):
    text = render_portfolio_page([example], locale="zh-CN", as_of=D, people=people_summary(people, "zh-CN"))
    page = _parse(text)
    assert ["item-title", "people/marketing-manager/index.html", "王雪"] in page.links
    # 陈立峰 (the lead) has open risks: listed; everyone with work is listed once
    assert len([1 for cls, href, _ in page.links if cls == "item-title" and href.startswith("people/")]) == 11
    assert render_portfolio_page([example], locale="zh-CN", as_of=D).count("people/") == 0


def test_person_files_and_their_calendar_feeds(people):
    files = dict(person_files(people, lang=None, site_locale=None, repo=None, site_url="https://acme.example/c/"))
    assert len(files) == 2 * 11
    ics = files["people/sales-d/tasks.ics"]
    assert "X-WR-CALNAME:黄磊 · 我的任务\r\n" in ics
    assert "https://acme.example/c/people/sales-d/tasks.ics" in files["people/sales-d/index.html"]
    assert files == dict(person_files(people, lang=None, site_locale=None, repo=None,
                                      site_url="https://acme.example/c/"))  # deterministic


def test_a_page_lists_the_30_most_recently_done_tasks():
    from ptrack.core.compute import compute_snapshot
    from tests.helpers import campaign_from_yaml

    from datetime import timedelta

    end = {i: (date(2024, 2, 29) + timedelta(days=i)).isoformat() for i in range(1, 36)}  # t01 03-01 .. t35 04-04
    tasks = "".join(f"  - {{id: t{i:02d}, name: T{i:02d}, owner: ann, planned: {{start: 2024-03-01, end: {end[i]}}},"
                    f" actual: {{start: 2024-03-01, end: {end[i]}}}}}\n" for i in range(1, 36))
    s = compute_snapshot(campaign_from_yaml("ptrack: 1\ncampaign: {id: c, name: C, start: 2024-03-01, end: 2024-04-30,"
                                            " calendar: none, locale: en}\ntasks:\n" + tasks), as_of=D)
    people = collect_people([s], D)
    text = render_person_page(people.get("ann"), people, locale="en")
    done = text[text.index('<h3 id="done">'):]
    # 35 done, finished 03-01..04-04: the 30 latest (t35 .. t06) listed, newest first, 5 left out
    assert '<h3 id="done">Done <span class="count">35</span></h3>' in done
    listed = re.findall(r'href="../../c/index.html#task-(t\d\d)"', done)
    assert listed == [f"t{i:02d}" for i in range(35, 5, -1)]
    assert "… and 5 more done earlier: see the campaigns&#39; dashboards." in done
    assert "More: later, on hold and done (35)" in text
