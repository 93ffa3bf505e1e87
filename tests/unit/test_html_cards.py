"""The dashboard's SPI and CPI cards: the hint under each figure reads the figure as shown, so a
CPI of 1.03 is not captioned "below 1: over budget" (the example's dashboard did, with the same
caption for every value)."""

from datetime import date

import pytest

from ptrack.core.compute import compute_snapshot
from ptrack.render import html
from tests.helpers import campaign_from_yaml

# One task, 2024-03-04 (Mon) .. 2024-03-08 (Fri), calendar weekends, budget 1,000; as of 03-06
# (Wed) the plan is at 3/5 = 60 %, so PV = 600. The task is at 60 % done (EV = 600): SPI = 1.00.
# What it spent sets CPI = EV / AC.
CAMPAIGN = """\
ptrack: 1
campaign: {{id: c, name: C, start: 2024-03-04, end: 2024-03-08, calendar: weekends}}
tasks:
  - id: a
    name: A
    planned: {{start: 2024-03-04, end: 2024-03-08}}
    actual: {{start: 2024-03-04}}
    progress: {progress}
    budget: {{planned: 1000, spent: {spent}}}
"""


def _cards(progress, spent, locale):
    s = compute_snapshot(campaign_from_yaml(CAMPAIGN.format(progress=progress, spent=spent)),
                         as_of=date(2024, 3, 6))
    cards = html._headline(s, locale, html._campaign_summary(s, locale))
    return {c["label"]: c for c in cards}


@pytest.mark.parametrize("progress, spent, spi, spi_hint, cpi, cpi_hint", [
    # EV 600, AC 583: CPI 600/583 = 1.029 -> "1.03", above 1: under budget
    (60, 583, "1.00", "等于 1：符合计划", "1.03", "高于 1：成本节约"),
    # EV 600, AC 700: CPI 0.857 -> "0.86", over budget
    (60, 700, "1.00", "等于 1：符合计划", "0.86", "低于 1：成本超支"),
    # EV 450 (45 %), PV 600: SPI 0.75, behind; AC 450: CPI 1.00, on budget
    (45, 450, "0.75", "低于 1：进度落后", "1.00", "等于 1：符合预算"),
    # EV 900 (90 %): SPI 1.5, ahead; AC 603: CPI 900/603 = 1.4925 -> "1.49"
    (90, 603, "1.50", "高于 1：进度超前", "1.49", "高于 1：成本节约"),
    # EV 600, AC 601: CPI 0.99834 shows as "1.00" and is read as shown: on budget
    (60, 601, "1.00", "等于 1：符合计划", "1.00", "等于 1：符合预算"),
])
def test_the_hint_reads_the_figure_shown(progress, spent, spi, spi_hint, cpi, cpi_hint):
    cards = _cards(progress, spent, "zh-CN")
    spi_card, cpi_card = cards["进度绩效指数 SPI"], cards["成本绩效指数 CPI"]
    assert (spi_card["value"], spi_card["sub"]) == (spi, spi_hint)
    assert (cpi_card["value"], cpi_card["sub"]) == (cpi, cpi_hint)
    # only a figure below 1 is marked bad
    assert (spi_card["tone"] == "bad") == (spi < "1.00")
    assert (cpi_card["tone"] == "bad") == (cpi < "1.00")


def test_english_hints():
    cards = _cards(60, 583, "en")
    assert cards["CPI (cost)"]["sub"] == "above 1: under budget"
