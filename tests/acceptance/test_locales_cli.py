"""Languages through the CLI: a campaign with `locale: zh-TW` (繁體中文) validates and reports in
Traditional Chinese, `--lang zh-TW` on status, check and build, the choices `--lang` offers and a
locale the schema does not know."""

from __future__ import annotations

import json
import re

import pytest

CAMPAIGN = """\
ptrack: 1
campaign: {{id: tw-launch, name: 新品上市, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: {locale}}}
tasks:
  - id: poster
    name: 海報設計
    owner: 王雪
    planned: {{start: 2024-03-01, end: 2024-03-10}}
    actual: {{start: 2024-03-01}}
    progress: 30
"""


@pytest.fixture
def campaign(write):
    return lambda locale="zh-TW": write("c.yaml", CAMPAIGN.format(locale=locale))


def test_a_zh_tw_campaign_validates_and_its_status_is_in_traditional_chinese(run_cli, campaign):
    path = campaign()
    assert run_cli("validate", path)[0] == 0
    code, out, err = run_cli("status", path, "--as-of", "2024-03-05")
    assert code == 0, err
    # calendar none: 10 planned days, 5 of them done by the end of 2024-03-05 -> planned 50.0%;
    # actual 30% is 3 days' worth -> 2 working days behind; the other 7 of its 10 days at the
    # planned pace -> forecast 2024-03-12, set by that task
    assert out.splitlines()[0] == ("新品上市（tw-launch）截至 2024-03-05：計畫進度 50.0%，實際進度 30.0%，"
                                   "偏差 -20.0，進行中，預警，落後 2 個工作日，預計完成 2024-03-12"
                                   "（由「海報設計」決定：剩餘工作按計畫節奏）")
    # the only task decides the end date: it is the critical path
    assert out.splitlines()[1] == "關鍵路徑：海報設計"
    assert out.splitlines()[3].split() == ["編號", "任務名稱", "類型", "所屬模組", "主要負責人", "計畫進度%", "實際進度%",
                                           "進度偏差", "目前狀態", "健康度", "落後工作日", "預計完成", "總浮時", "關鍵"]


def test_check_messages_in_zh_tw(run_cli, campaign):
    path = campaign(locale="zh-CN")
    # as of 2024-03-08: planned 8/10 = 80%, actual 30% -> 50 points behind (over deviation_fail);
    # 30% is 3 days' worth, 8 - 3 = 5 working days behind
    code, out, err = run_cli("check", path, "--as-of", "2024-03-08", "--lang", "zh-TW")
    assert code == 1
    assert (f"{path.name}:9:15: 錯誤 [deviation-behind] 任務「海報設計」落後計畫 50.0 個百分點（計畫 80.0%，"
            "實際 30.0%，落後 5 個工作日）") in out


def test_build_with_lang_zh_tw(run_cli, campaign, tmp_path):
    path = campaign(locale="en")
    out_dir = tmp_path / "site"
    code, _, err = run_cli("build", path, "--as-of", "2024-03-05", "--out", out_dir, "--lang", "zh-TW")
    assert code == 0, err
    portfolio = (out_dir / "index.html").read_text(encoding="utf-8")
    page = (out_dir / "tw-launch" / "index.html").read_text(encoding="utf-8")
    report = (out_dir / "tw-launch" / "report.md").read_text(encoding="utf-8")
    assert '<html lang="zh-TW">' in portfolio and '<html lang="zh-TW">' in page
    assert '<h1 id="page-title">行銷活動執行進度</h1>' in portfolio
    assert '<a class="skip-link" href="#main">跳到正文</a>' in page
    assert re.search(r"<time [^>]*>資料截至 2024-03-05</time>", page)
    assert report.startswith("# 新品上市 週報（截至 2024-03-05）\n")
    # nothing of the site is left in Simplified Chinese or English (the labels, not the data)
    for simplified in ("数据截至", "计划进度", "跟踪表", "项目组合", "Tracking table"):
        assert simplified not in page + portfolio


def test_lang_offers_every_language_and_rejects_others(run_cli, campaign):
    path = campaign()
    code, _, err = run_cli("status", path, "--lang", "xx")
    assert code == 2
    # click's usage error in the command's language (not --lang xx: the campaign's, zh-TW)
    assert "錯誤：'--lang' 的值無效：'xx' 不是 'zh-CN', 'en', 'zh-TW' 之一。" in err
    code, out, _ = run_cli("build", "--help")
    assert "[zh-CN|en|zh-TW]" in out


def test_a_locale_the_schema_does_not_know(run_cli, campaign):
    path = campaign(locale="zh-Hant")
    code, out, err = run_cli("validate", path)
    assert code == 1
    # zh-Hant is Traditional Chinese: the problem is said in zh-TW
    assert f"{path.name}:2:99: 錯誤 [schema] campaign.locale：“zh-Hant”不是 “zh-CN”、“en”、“zh-TW” 之一" in out


def test_a_zh_tw_export_imports_back(run_cli, campaign, tmp_path):
    path = campaign()
    sheet = tmp_path / "tracking.csv"
    code, _, err = run_cli("export", path, "--format", "csv", "-o", sheet, "--as-of", "2024-03-05", "--lang", "zh-TW")
    assert code == 0, err
    header = sheet.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("任務名稱,任務描述,所屬模組,主要負責人,協同負責人,對口部門,計畫開始時間,計畫結束時間,")
    back = tmp_path / "back.yaml"
    code, out, err = run_cli("import", sheet, "-o", back, "--calendar", "none")
    assert code == 0, err
    code, out, err = run_cli("status", back, "--as-of", "2024-03-05", "--format", "json")
    assert code == 0, err
    (task,) = json.loads(out)["campaigns"][0]["tasks"]
    assert (task["id"], task["name"], task["planned_progress"], task["actual_progress"]) == ("poster", "海報設計", 50.0, 30.0)
