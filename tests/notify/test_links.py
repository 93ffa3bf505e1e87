"""Digests link each line to the form that acts on it (repo_url) and each person to their page
(site_url): which lines get which link, the exact addresses, and how every platform writes them
so that a task's name can never break the link (飞书, 钉钉, 企业微信, Slack, email)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ptrack.core.compute import compute_snapshot
from ptrack.forge.links import Repo
from ptrack.notify.channels import CHANNELS
from ptrack.notify.digest import build_digests
from ptrack.notify.model import DigestItem, DigestSection, ItemKind, ItemLink
from tests.helpers import campaign_from_yaml
from tests.notify.test_notify_cli import CAMPAIGN, DAY
from tests.notify_support import FakeClock, digest

GH = Repo("https://github.com/acme/plans")
BASE = "https://github.com/acme/plans/issues/new?template=ptrack-update.yml&campaign=demo"
ALPHA = BASE + "&task=alpha&title=Progress%20update%3A%20Alpha"
BETA = BASE + "&task=beta&title=Progress%20update%3A%20Beta"
# the risk has no id: it is the first risk of beta, reference "1"
VENUE = BASE + "&task=beta&title=Risk%20resolved%3A%20Venue%20not%20confirmed&resolve_risk=1"


def _digests(text: str = CAMPAIGN, **kw):
    campaign = campaign_from_yaml(text)
    now = compute_snapshot(campaign, as_of=date.fromisoformat(DAY))
    before = compute_snapshot(campaign, as_of=date(2024, 3, 7))
    return {d.recipient.person_id or "@team": d
            for d in build_digests(now, previous=before, previous_day=date(2024, 3, 7), **kw)}


def _lines(d) -> list[tuple[str, tuple[tuple[str, str, str], ...]]]:
    return [(i.kind.value, tuple((k.kind, k.label, k.url) for k in i.links)) for s in d.sections for i in s.items]


def test_task_lines_link_to_the_update_form_and_risk_lines_to_resolve():
    d = _digests(repo=GH, person_url=lambda pid: f"https://acme.example/plans/people/{pid}/")
    assert _lines(d["ann"]) == [("task-due", (("update", "Update", ALPHA),)),
                                ("task-starting", (("update", "Update", BETA),))]
    assert _lines(d["lee"]) == [("risk-due", (("resolve", "Resolve", VENUE),))]
    # the team: a task's health change and the focus line link to the task; the campaign's
    # health change has nothing to act on
    assert _lines(d["@team"]) == [("health-change", (("update", "Update", ALPHA),)), ("health-change", ()),
                                  ("focus", (("update", "Update", ALPHA),))]
    assert d["ann"].person_url == "https://acme.example/plans/people/ann/"
    assert d["lee"].person_url == "https://acme.example/plans/people/lee/"
    assert d["@team"].person_url is None


def test_without_repo_url_and_site_url_no_links_at_all():
    d = _digests()
    assert all(links == () for digest_ in d.values() for _, links in _lines(digest_))
    assert all(digest_.person_url is None for digest_ in d.values())


def test_free_text_owners_have_no_page_ids_written_in_a_file_without_people_do():
    text = CAMPAIGN.replace("people:\n  lee: {name: Lee, wecom_userid: lee, slack: U0LEE, email: lee@example.com}\n"
                            "  ann: {name: Ann, wecom_userid: ann, slack: U0ANN, email: ann@example.com}\n", "")
    text = text.replace("owner: lee", "owner: 李四")
    d = _digests(text, person_url=lambda pid: f"https://x.example/people/{pid}/")
    assert d["ann"].person_url == "https://x.example/people/ann/"
    assert d["李四"].person_url is None


def test_the_links_use_the_campaign_s_language_for_the_form_and_the_digest_s_for_the_label():
    d = _digests(repo=GH, locale="zh-CN")
    (kind, ((_, label, url),)), _ = _lines(d["ann"])
    # the campaign is en: the issue title is English; the digest is read in Chinese
    assert (label, url) == ("更新进度", ALPHA)


# -- each platform's markup --------------------------------------------------------------------------

NASTY = "Poster](x) <b>|*_~`"
# the title of NASTY's update form, percent-encoded: ] ( ) < > | * ` all become %XX; _ and ~ stay
NASTY_URL = ("https://github.com/acme/plans/issues/new?template=ptrack-update.yml&campaign=spring&task=poster"
             "&title=Progress%20update%3A%20Poster%5D%28x%29%20%3Cb%3E%7C%2A_~%60")
LINK = ItemLink("update", "更新进度", NASTY_URL)
PERSON = "https://acme.example/site/people/zhang/"


def _digest(**kw):
    section = DigestSection("due", "近期到期", (DigestItem(ItemKind.TASK_DUE, NASTY, links=(LINK,)),
                                               DigestItem(ItemKind.TASK_OVERDUE, "预热海报", urgent=True,
                                                          links=(LINK,))))
    from dataclasses import replace
    return replace(digest(sections=(section,), **kw), person_url=PERSON)


def _channel(platform: str, **settings):
    base = {"type": platform, **({"webhook_env": "HOOK"} if platform != "email" else
                                 {"host": "127.0.0.1", "from": "ptrack <bot@acme.example>"})}
    return CHANNELS[platform]("c", {**base, **settings}, clock=FakeClock())


def test_the_address_of_a_link_holds_nothing_a_chat_markup_reads():
    assert not set(NASTY_URL) & set(" ()[]<>|*`\"'\\")


def test_feishu_writes_markdown_links_and_two_buttons():
    [message] = _channel("feishu").render(_digest())
    elements = message.payload["card"]["elements"]
    assert elements[1]["content"] == ("**近期到期**\n"
                                      "- <font color='red'>预热海报</font> [更新进度](" + NASTY_URL + ")\n"
                                      "- Poster](x) &lt;b&gt;|*_~` [更新进度](" + NASTY_URL + ")")
    assert elements[2] == {"tag": "action", "actions": [
        {"tag": "button", "type": "primary", "url": "https://acme.example/site/spring/",
         "text": {"tag": "plain_text", "content": "打开活动页面"}},
        {"tag": "button", "type": "default", "url": PERSON, "text": {"tag": "plain_text", "content": "我的任务"}}]}


def test_dingtalk_and_wecom_write_markdown_links():
    [ding] = _channel("dingtalk").render(_digest())
    text = ding.payload["markdown"]["text"]
    assert "- 🔴 **预热海报** [更新进度](" + NASTY_URL + ")\n- Poster](x) <b>|*_~` [更新进度](" + NASTY_URL + ")" in text
    assert "\n\n[打开活动页面](https://acme.example/site/spring/) · [我的任务](" + PERSON + ")\n\n" in text
    [wecom] = _channel("wecom").render(_digest())
    content = wecom.payload["markdown"]["content"]
    assert ('- <font color="warning">预热海报</font> [更新进度](' + NASTY_URL + ")\n"
            "- Poster](x) <b>|*_~` [更新进度](" + NASTY_URL + ")") in content
    assert "\n\n[打开活动页面](https://acme.example/site/spring/) · [我的任务](" + PERSON + ")\n" in content


def test_slack_writes_angle_links_with_escaped_ampersands_and_two_buttons():
    [message] = _channel("slack").render(_digest())
    blocks = message.payload["blocks"]
    slack_url = NASTY_URL.replace("&", "&amp;")
    assert blocks[3]["text"]["text"] == ("*近期到期*\n"
                                         "• :red_circle: *预热海报* <" + slack_url + "|更新进度>\n"
                                         "• Poster](x) &lt;b&gt;|*_~` <" + slack_url + "|更新进度>")
    actions = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert [(b["action_id"], b["url"], b.get("style")) for b in actions] == [
        ("ptrack-open-page", "https://acme.example/site/spring/", "primary"), ("ptrack-my-page", PERSON, None)]


def test_email_writes_the_address_in_text_and_an_escaped_link_in_html():
    [message] = _channel("email").render(_digest(handles={"email": "zhang@acme.example"}))
    text, html = message.payload["text"], message.payload["html"]
    assert ("- [!] 预热海报\n  更新进度: " + NASTY_URL + "\n- Poster](x) <b>|*_~`\n  更新进度: " + NASTY_URL) in text
    assert "打开活动页面: https://acme.example/site/spring/\n我的任务: " + PERSON + "\n" in text
    escaped = NASTY_URL.replace("&", "&amp;")
    assert ('<li>Poster](x) &lt;b&gt;|*_~` <a href="' + escaped + '" style="white-space:nowrap">更新进度</a></li>'
            in html)
    assert '>我的任务</a></p>' in html and "<b>" not in html


# -- through the command line ------------------------------------------------------------------------

def test_dry_run_shows_the_links(run_cli, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write("campaigns/demo.yaml", CAMPAIGN)
    write("ptrack.yaml", "site_url: https://acme.example/plans\nrepo_url: https://github.com/acme/plans\n")
    code, out, err = run_cli("notify", "--dry-run", "--as-of", DAY, "--format", "json")
    assert (code, err) == (0, "")
    digests = {d["recipient"]["person"]: d for d in json.loads(out)["digests"]}
    assert digests["lee"]["sections"][0]["items"][0]["links"] == [{"kind": "resolve", "label": "Resolve", "url": VENUE}]
    assert digests["lee"]["person_url"] == "https://acme.example/plans/people/lee/"
    code, out, err = run_cli("notify", "--dry-run", "--as-of", DAY)
    assert "  - Beta: starts Mon 11 Mar\n      Update: " + BETA + "\n" in out


@pytest.mark.parametrize("platform", ["feishu", "dingtalk", "wecom", "slack"])
def test_long_links_still_fit_each_platform_s_limits(platform):
    # 40 items, each with a GitLab link in Chinese (the longest: the whole form is the
    # description, about 1 KB): every part keeps to the platform's limit, every item is either
    # sent whole with its link or counted among those left to the page
    from ptrack.forge.links import update_url

    gl = Repo("https://gitlab.example.cn/market/plans", "gitlab")
    url = update_url(gl, campaign="spring", task="poster", task_name="海报设计初稿与主视觉确认", locale="zh-CN")
    assert 1000 < len(url) < 1200
    items = tuple(DigestItem(ItemKind.TASK_DUE, f"任务 {i}：物料准备与审核", links=(ItemLink("update", "更新进度", url),))
                  for i in range(40))
    messages = _channel(platform, max_parts=10).render(digest(sections=(DigestSection("due", "近期到期", items),)))
    compact = [json.dumps(m.payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for m in messages]
    if platform == "feishu":
        assert all(len(b) + 96 <= 20 * 1024 for b in compact)
    elif platform == "dingtalk":
        assert all(len(b) <= 20_000 for b in compact)
    elif platform == "wecom":
        assert all(len(m.payload["markdown"]["content"].encode("utf-8")) <= 4096 for m in messages)
    else:
        assert all(sum(len(b["text"]["text"]) for b in m.payload["blocks"] if b["type"] == "section") <= 12_000
                   for m in messages)
    text = "".join(json.dumps(m.payload, ensure_ascii=False) for m in messages)
    shown = sum(text.count(f"任务 {i}：") for i in range(40))
    link = url.replace("&", "&amp;") if platform == "slack" else url
    assert text.count(link) == shown
    omitted = 40 - shown
    assert omitted == 0 or f"另有 {omitted} 条未显示。" in text  # what does not fit is counted, not lost silently
