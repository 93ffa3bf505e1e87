"""The forms' one definition (ptrack.forge.fields) and the links that open them prefilled
(ptrack.forge.links): exact URLs, Chinese titles and their percent-encoding, GitLab's Markdown
description, risk references."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from ptrack.forge import fields
from ptrack.forge.fields import NO_RESPONSE, RISK, UPDATE, field_for_label, form_body, form_name, label, labels
from ptrack.forge.links import (Repo, campaign_links, clip, form_url, repo_of, risk_ref, risk_report_url,
                                update_url)

GH = Repo("https://github.com/acme/campaigns")
GL = Repo("https://gitlab.example.cn/market/team/campaigns", "gitlab")

# "进度更新：海报设计初稿" in UTF-8, percent-encoded: 进 U+8FDB = E8 BF 9B, 度 U+5EA6 = E5 BA A6,
# 更 E6 9B B4, 新 E6 96 B0, the full-width colon U+FF1A = EF BC 9A, 海 E6 B5 B7, 报 E6 8A A5,
# 设 E8 AE BE, 计 E8 AE A1, 初 E5 88 9D, 稿 E7 A8 BF; 進 U+9032 = E9 80 B2; 告 E5 91 8A, 风 E9 A3 8E,
# 险 E9 99 A9.
ZH_TITLE = ("%E8%BF%9B%E5%BA%A6%E6%9B%B4%E6%96%B0%EF%BC%9A"
            "%E6%B5%B7%E6%8A%A5%E8%AE%BE%E8%AE%A1%E5%88%9D%E7%A8%BF")


# -- the forms -----------------------------------------------------------------------------------

def test_the_update_and_risk_forms_have_the_contract_s_fields_in_order():
    assert UPDATE.ids == ("campaign", "task", "progress", "done", "actual_start", "actual_end",
                          "resolve_risk", "note")
    assert RISK.ids == ("campaign", "task", "issue", "solution", "owner", "due")
    assert [(f.id, f.kind, f.required) for f in UPDATE.fields if f.kind == "textarea" or f.required] == [
        ("campaign", "input", True), ("task", "input", True), ("note", "textarea", False)]
    assert [(f.id, f.kind, f.required) for f in RISK.fields] == [
        ("campaign", "input", True), ("task", "input", False), ("issue", "textarea", True),
        ("solution", "textarea", False), ("owner", "input", False), ("due", "input", False)]
    assert (UPDATE.filename, RISK.filename) == ("ptrack-update.yml", "ptrack-risk.yml")
    # GitLab's template names: the GitHub form's name in the repository's language, without the
    # English of the Chinese ones (zh-CN when the repository has no language)
    assert [UPDATE.template_name(loc) for loc in ("zh-CN", "zh-TW", "en", None, "zh-Hans")] == [
        "进度更新", "進度更新", "Progress update", "进度更新", "进度更新"]
    assert [RISK.template_name(loc) for loc in ("zh-CN", "zh-TW", "en")] == ["报告风险", "報告風險", "Report a risk"]
    for form in (UPDATE, RISK):
        assert all(form_name(form, loc).startswith(form.template_name(loc)) for loc in ("zh-CN", "zh-TW", "en"))
    assert fields.FORMS == {"update": UPDATE, "risk": RISK}


def test_labels_are_bilingual_in_chinese_and_english_alone_in_en():
    task = UPDATE.field("task")
    assert label(task, "zh-CN") == "任务编号 / Task ID"
    assert label(task, "zh-TW") == "任務編號 / Task ID"
    assert label(task, "en") == "Task ID"
    assert labels(task) == ("任务编号 / Task ID", "Task ID", "任務編號 / Task ID")  # zh-CN, en, zh-TW
    assert fields.description(RISK, RISK.field("task"), "zh-CN") == "风险所属任务的 id；留空表示整个活动的风险。"
    assert fields.form_name(UPDATE, "zh-CN") == "进度更新 / Progress update"
    assert fields.form_name(RISK, "en") == "Report a risk"


def test_every_label_names_one_field_only_in_every_language():
    for form in (UPDATE, RISK):
        for f in form.fields:
            for text in labels(f):
                assert field_for_label(form, f"  {text} ") is f
                assert fields.description(form, f, "en") != f"forge.{form.id}.{f.id}.help"
    assert field_for_label(UPDATE, "Risk") is None  # the risk form's label, not the update form's


def test_form_body_is_what_github_renders_for_a_submitted_form():
    body = form_body(UPDATE, {"campaign": "spring-launch-2024", "task": "poster-draft", "resolve_risk": "2"}, "en")
    assert body == ("### Campaign ID\n\nspring-launch-2024\n\n### Task ID\n\nposter-draft\n\n"
                    "### Progress (%)\n\n_No response_\n\n### Quantity done\n\n_No response_\n\n"
                    "### Actual start\n\n_No response_\n\n### Actual end\n\n_No response_\n\n"
                    "### Resolve risk\n\n2\n\n### Note\n\n_No response_")
    zh = form_body(RISK, {"campaign": "c", "task": ""}, "zh-CN")
    assert zh.split("\n\n")[:4] == ["### 活动编号 / Campaign ID", "c", "### 任务编号 / Task ID", NO_RESPONSE]
    with pytest.raises(KeyError, match="no field colour"):
        form_body(UPDATE, {"colour": "red"}, "en")


# -- GitHub ----------------------------------------------------------------------------------------

def test_github_update_link_exact_with_a_chinese_title():
    url = update_url(GH, campaign="spring-launch-2024", task="poster-draft", task_name="海报设计初稿", locale="zh-CN")
    assert url == ("https://github.com/acme/campaigns/issues/new?template=ptrack-update.yml"
                   "&campaign=spring-launch-2024&task=poster-draft&title=" + ZH_TITLE)
    assert unquote(url.rsplit("title=", 1)[1]) == "进度更新：海报设计初稿"


def test_github_resolve_link_exact_with_the_risk_reference_last():
    url = update_url(GH, campaign="c1", task="t1", task_name="", locale="en", resolve_risk="kol-schedule-conflict",
                     risk_issue="KOL schedule & fee")
    assert url == ("https://github.com/acme/campaigns/issues/new?template=ptrack-update.yml&campaign=c1&task=t1"
                   "&title=Risk%20resolved%3A%20KOL%20schedule%20%26%20fee&resolve_risk=kol-schedule-conflict")


def test_github_values_are_encoded_with_nothing_left_safe():
    # &, =, #, +, /, ?, spaces and quotes in a title would end or change the query: all encoded
    url = update_url(GH, campaign="c", task="t", task_name='A&B c/d?#1 +x "q" <i>', locale="en")
    assert url.endswith("&title=Progress%20update%3A%20A%26B%20c%2Fd%3F%231%20%2Bx%20%22q%22%20%3Ci%3E")
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    assert query == {"template": "ptrack-update.yml", "campaign": "c", "task": "t",
                     "title": 'Progress update: A&B c/d?#1 +x "q" <i>'}
    # the characters a URL made here can hold: no quote, angle bracket, space, backslash or parenthesis
    assert not set(url) & set("\"'<> \\()|`{}\n")


def test_github_risk_form_link_for_a_task_and_for_the_campaign():
    assert risk_report_url(GH, campaign="c", task="t", subject="Poster", locale="en") == (
        "https://github.com/acme/campaigns/issues/new?template=ptrack-risk.yml&campaign=c&task=t"
        "&title=Risk%3A%20Poster")
    # a campaign-level risk: task is there, empty
    assert risk_report_url(GH, campaign="c", task=None, subject="Spring", locale="en") == (
        "https://github.com/acme/campaigns/issues/new?template=ptrack-risk.yml&campaign=c&task="
        "&title=Risk%3A%20Spring")


def test_unknown_fields_are_refused():
    with pytest.raises(KeyError, match="no field issue"):
        form_url(GH, UPDATE, {"issue": "x"}, title="x", locale="en")


# -- GitLab ----------------------------------------------------------------------------------------

def test_gitlab_update_link_exact():
    url = update_url(GL, campaign="c1", task="t1", task_name="Poster", locale="en", resolve_risk="2",
                     risk_issue="Late")
    body = ("### Campaign ID\n\nc1\n\n### Task ID\n\nt1\n\n### Progress (%)\n\n_No response_\n\n"
            "### Quantity done\n\n_No response_\n\n### Actual start\n\n_No response_\n\n"
            "### Actual end\n\n_No response_\n\n### Resolve risk\n\n2\n\n### Note\n\n_No response_")
    # "### Campaign ID\n\n" -> %23%23%23%20Campaign%20ID%0A%0A ; "_No response_" keeps its underscores
    # the repository has no language: its templates are named in Chinese ("进度更新", UTF-8 encoded)
    assert url == ("https://gitlab.example.cn/market/team/campaigns/-/issues/new?issuable_template="
                   "%E8%BF%9B%E5%BA%A6%E6%9B%B4%E6%96%B0"
                   "&issue[title]=Risk%20resolved%3A%20Late&issue[description]="
                   "%23%23%23%20Campaign%20ID%0A%0Ac1%0A%0A%23%23%23%20Task%20ID%0A%0At1%0A%0A"
                   "%23%23%23%20Progress%20%28%25%29%0A%0A_No%20response_%0A%0A"
                   "%23%23%23%20Quantity%20done%0A%0A_No%20response_%0A%0A"
                   "%23%23%23%20Actual%20start%0A%0A_No%20response_%0A%0A"
                   "%23%23%23%20Actual%20end%0A%0A_No%20response_%0A%0A"
                   "%23%23%23%20Resolve%20risk%0A%0A2%0A%0A%23%23%23%20Note%0A%0A_No%20response_")
    query = dict(parse_qsl(urlsplit(url).query))
    assert query == {"issuable_template": "进度更新", "issue[title]": "Risk resolved: Late", "issue[description]": body}


def test_gitlab_template_names_follow_the_repositorys_language():
    """The labels follow the campaign's language; the template's name, the repository's (the
    files `ptrack forms` wrote are named so)."""
    for repo_locale, name in (("en", "Progress%20update"), ("zh-TW", "%E9%80%B2%E5%BA%A6%E6%9B%B4%E6%96%B0")):
        repo = Repo(GL.url, "gitlab", repo_locale)
        url = update_url(repo, campaign="c", task="t", task_name="T", locale="zh-CN")
        assert url.startswith(f"{GL.url}/-/issues/new?issuable_template={name}&issue[title]=%E8%BF%9B")
    assert risk_report_url(Repo(GL.url, "gitlab", "en"), campaign="c", task=None, subject="S", locale="en").startswith(
        f"{GL.url}/-/issues/new?issuable_template=Report%20a%20risk&")
    # the forge and the language of ptrack.yaml
    config = type("Config", (), {"repo_url": GL.url, "forge": "gitlab", "locale": "en"})()
    assert repo_of(config) == Repo(GL.url, "gitlab", "en")


def test_gitlab_description_in_chinese_reads_back_to_the_fields():
    url = update_url(GL, campaign="spring-launch-2024", task="poster-draft", task_name="海报设计初稿", locale="zh-CN")
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["issue[title]"] == "进度更新：海报设计初稿"
    assert "&issue[title]=" + ZH_TITLE + "&" in url
    sections = query["issue[description]"].split("\n\n")
    parsed = {field_for_label(UPDATE, sections[i][4:]).id: sections[i + 1] for i in range(0, len(sections), 2)}
    assert parsed == {"campaign": "spring-launch-2024", "task": "poster-draft", "progress": NO_RESPONSE,
                      "done": NO_RESPONSE, "actual_start": NO_RESPONSE, "actual_end": NO_RESPONSE,
                      "resolve_risk": NO_RESPONSE, "note": NO_RESPONSE}


def test_gitlab_risk_form_link():
    url = risk_report_url(GL, campaign="c", task=None, subject="Spring", locale="en")
    assert url.startswith("https://gitlab.example.cn/market/team/campaigns/-/issues/new?issuable_template="
                          "%E6%8A%A5%E5%91%8A%E9%A3%8E%E9%99%A9"  # 报告风险
                          "&issue[title]=Risk%3A%20Spring&issue[description]=%23%23%23%20Campaign%20ID%0A%0Ac%0A%0A"
                          "%23%23%23%20Task%20ID%0A%0A_No%20response_%0A%0A%23%23%23%20Risk%0A%0A_No%20response_")


# -- risk references, titles, the campaign helper --------------------------------------------------

class _Risk:
    def __init__(self, id, path, task_id="t1", issue="x"):
        self.id, self.path, self.task_id, self.issue = id, path, task_id, issue


def test_risk_reference_is_the_id_else_the_one_based_position():
    assert risk_ref(_Risk("late-assets", ("tasks", 3, "risks", 1))) == "late-assets"
    assert risk_ref(_Risk(None, ("tasks", 3, "risks", 1))) == "2"
    assert risk_ref(_Risk(None, ("risks", 0), task_id=None)) == "1"


def test_campaign_links_resolve_a_campaign_level_risk_with_an_empty_task():
    links = campaign_links(GH, "c", "en")
    url = links.resolve(_Risk(None, ("risks", 2), task_id=None, issue="Budget\ncut"))
    assert url == ("https://github.com/acme/campaigns/issues/new?template=ptrack-update.yml&campaign=c&task="
                   "&title=Risk%20resolved%3A%20Budget%20cut&resolve_risk=3")
    assert campaign_links(None, "c", "en") is None


def test_titles_are_one_line_and_clipped():
    assert clip("a\n b\tc") == "a b c"
    assert clip("x" * 61) == "x" * 59 + "…" and len(clip("x" * 61)) == 60
    assert clip("x" * 60) == "x" * 60


def test_repo_of_config_and_forge_names():
    class C:
        repo_url, forge = "https://github.com/a/b", "github"
    assert repo_of(C()) == Repo("https://github.com/a/b", "github")
    C.repo_url = None
    assert repo_of(C()) is None
    with pytest.raises(ValueError):
        Repo("https://x/a/b", "gitea")
