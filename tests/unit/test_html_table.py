"""The tracking table's rows, rendered in Python (render/html.py), and the pills shared with the
templates: exact markup, escaped as the templates' autoescape escapes."""

import re

from markupsafe import Markup, escape

from ptrack.render import html
from ptrack.render.html import TrackingRisk, TrackingRow, health_pill, state_pill, status_pill, tracking_row_html

HOSTILE_TEXTS = ["", "plain", "<script>alert(1)</script>", "a & b", "&amp;", "\"double\" 'single'",
                 "{{ x }} {% if %}", "line1\nline2", "\t=cmd|' /C calc'!A0", "中文 <b>粗</b>", "&#34;", "]]>--!>"]


def _row(**changes) -> TrackingRow:
    values = dict(
        index=7, id="t-1", name='Say "hi" <b>&</b>\nagain', updated="", description="", module="M<'1'>",
        owner_ref='o"1', owner="O'Neil & <Co>", collaborators="", department="", planned_start="2024-03-01",
        planned_end="2024-03-31", slip="", slip_late=False, actual_start="", actual_end="", planned="50.0",
        actual="25.0", actual_bar="25.0", deviation="-25.0", deviation_sort="-25.0", deviation_bad=True,
        status="delayed", status_label="Delayed", status_rank=0, health="red", health_label="Red", focus=True,
        risks=(TrackingRisk("<img src=x onerror=alert(1)> & 'q'\n2", 'fix "it"', "2024-04-02", "overdue", "Overdue"),
               TrackingRisk("done", "", "2024-03-01", "resolved", "Resolved")),
        notes="{{ 7*7 }}",
    )
    values.update(changes)
    return TrackingRow(**values)


def test_escape_matches_markupsafe():
    for text in HOSTILE_TEXTS:
        assert html._escape(text) == str(escape(text))


def test_row_with_hostile_text():
    assert tracking_row_html(_row()) == (
        '      <tr id="task-t-1" data-index="7" data-task="t-1" data-module="M&lt;&#39;1&#39;&gt;" data-owner="o&#34;1"'
        ' data-department="" data-status="delayed" data-health="red" data-focus="1">\n'
        '        <th scope="row" class="w-name" data-sort="Say &#34;hi&#34; &lt;b&gt;&amp;&lt;/b&gt;\nagain">'
        'Say &#34;hi&#34; &lt;b&gt;&amp;&lt;/b&gt;\nagain<span class="sub">t-1</span></th>\n'
        '        <td class="w-wide"></td>\n'
        '        <td class="">M&lt;&#39;1&#39;&gt;</td>\n'
        '        <td class="">O&#39;Neil &amp; &lt;Co&gt;</td>\n'
        '        <td class=""></td>\n'
        '        <td class=""></td>\n'
        '        <td class="">2024-03-01</td>\n'
        '        <td class="" data-sort="2024-03-31">2024-03-31</td>\n'
        '        <td class=""></td>\n'
        '        <td class=""></td>\n'
        '        <td class=" num" data-sort="50.0">50.0</td>\n'
        '        <td class=" num" data-sort="25.0">25.0<span class="bar mini" aria-hidden="true">'
        '<span class="fill actual" style="width: 25.0%"></span></span></td>\n'
        '        <td class=" num text-bad" data-sort="-25.0">-25.0</td>\n'
        '        <td class="nowrap" data-sort="0"><span class="pill status-delayed">Delayed</span>'
        ' <span class="pill health-red">Red</span></td>\n'
        '        <td class="w-wide" data-sort="&lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39;\n2">'
        '<div class="cell-item item-overdue"><span class="pill risk-overdue">Overdue</span>'
        ' &lt;img src=x onerror=alert(1)&gt; &amp; &#39;q&#39;\n2</div>'
        '<div class="cell-item item-resolved"><span class="pill risk-resolved">Resolved</span> done</div></td>\n'
        '        <td class="w-wide" data-sort="fix &#34;it&#34;"><div class="cell-item item-overdue">fix &#34;it&#34;</div>'
        '<div class="cell-item item-resolved"></div></td>\n'
        '        <td class="" data-sort="2024-04-02"><div class="cell-item item-overdue">2024-04-02</div>'
        '<div class="cell-item item-resolved">2024-03-01</div></td>\n'
        '        <td class="w-wide">{{ 7*7 }}</td>\n'
        '      </tr>\n'
    )


def test_row_optional_parts():
    """The git update and baseline slip, no health pill when green, no risks, not in focus."""
    row = _row(updated='by "<x>"', slip="2 days & later", slip_late=True, health="green", health_label=None,
               risks=(), focus=False, deviation_bad=False)
    got = tracking_row_html(row)
    assert '<span class="sub">t-1</span><span class="sub updated">by &#34;&lt;x&gt;&#34;</span></th>' in got
    assert '>2024-03-31<span class="sub slip slip-later">2 days &amp; later</span></td>' in got
    assert '<td class="nowrap" data-sort="0"><span class="pill status-delayed">Delayed</span></td>' in got
    assert '<td class="w-wide" data-sort=""></td>\n        <td class="w-wide" data-sort=""></td>\n' \
           '        <td class="" data-sort=""></td>\n' in got
    assert 'data-focus="0"' in got and '<td class=" num" data-sort="-25.0">' in got
    early = tracking_row_html(_row(slip="earlier", slip_late=False))
    assert '<span class="sub slip">earlier</span>' in early


def test_risk_deadline_sorts_by_the_earliest_open_one():
    risks = (TrackingRisk("a", "", "2024-05-01", "open", "Open"), TrackingRisk("b", "", "2024-01-01", "resolved", "R"),
             TrackingRisk("c", "", "2024-04-01", "overdue", "O"), TrackingRisk("d", "", "", "open", "Open"))
    assert '<td class="" data-sort="2024-04-01"><div' in tracking_row_html(_row(risks=risks))


def test_pills_escape_every_part():
    assert state_pill("risk", 'x" onclick="y', "<b>&</b>") == Markup(
        '<span class="pill risk-x&#34; onclick=&#34;y">&lt;b&gt;&amp;&lt;/b&gt;</span>')
    assert health_pill({"key": "red", "label": "O'K"}) == '<span class="pill health-red">O&#39;K</span>'
    assert status_pill({"key": "done", "label": "完成"}) == '<span class="pill status-done">完成</span>'
    assert isinstance(health_pill({"key": "a", "label": "b"}), Markup)  # not escaped again by Jinja


def test_template_pills_are_the_python_ones():
    """Templates call the Python pills, globals of the environment (no macro of the same name)."""
    template = html._environment().from_string(
        '{% from "macros.html.j2" import progress_pair %}'
        '{{ health_pill(h) }}|{{ status_pill(s) }}|{{ state_pill("goal", "met", "<met>") }}')
    got = template.render(h={"key": "amber", "label": "A&B"}, s={"key": "on_hold", "label": '"x"'})
    assert got == ('<span class="pill health-amber">A&amp;B</span>|<span class="pill status-on_hold">&#34;x&#34;</span>'
                   '|<span class="pill goal-met">&lt;met&gt;</span>')


def test_page_rows_are_the_renderer_rows(hostile):
    """The hostile fixture's page holds exactly the rows ``tracking_row_html`` renders, with no
    markup from its strings."""
    images = html.CampaignImages()
    page = html.render_campaign_page(hostile, locale="en", images=images)
    rows = html._tracking_rows(hostile, "en")
    table = page[page.index('id="tracking-table"'):]
    body = re.match(r".*?<tbody>\n(.*?)    </tbody>\n  </table>\n", table, re.S).group(1)
    assert body == "".join(tracking_row_html(r) for r in rows)
    assert len(rows) == len(hostile.tasks) and "<script>" not in body
