"""Screenshots of what each ``ptrack notify`` channel sends, as the platform shows it.

We cannot reach 飞书, 钉钉, 企业微信 or Slack from here, so this script renders each channel's real
payload -- the one ``ptrack notify`` would POST, from ``Channel.render`` -- into an HTML page that
draws it the way the platform does (the card's header colour and elements, the markdown dialect,
Block Kit blocks, the mail's HTML part), then screenshots the page with headless Chromium into
``docs/img/notify-<platform>.png``. Nothing in the previews is typed by hand: every text, colour
and mention comes from the payload.

    .venv/bin/python scripts/notify_previews.py [--out docs/img] [--html DIR]

The example campaign as of 2024-04-15 (CN calendar), with ``site_url`` and ``repo_url`` set (each
line links to its form, each person to their page); git is not read, so
the previews do not depend on this repository's history.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from ptrack.core.config import Config  # noqa: E402
from ptrack.notify.channels import CHANNELS  # noqa: E402
from ptrack.notify.digest import collect_digests  # noqa: E402

AS_OF = date(2024, 4, 15)
SITE = "https://acme.github.io/campaigns"
REPO_URL = "https://github.com/acme/campaigns"  # the update links (更新进度, 标记已解决) open its forms
CHROMIUM = "/usr/bin/chromium"
FONT = ('"Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", '
        "Arial, sans-serif")
# Emoji as the platforms draw them (this machine may have no colour emoji font): a red dot for 🔴.
RED_DOT = '<span class="dot" title="🔴"></span>'
EMOJI = {":red_circle:": RED_DOT, "🔴": RED_DOT}
# (platform, whose digest, file name, settings)
PREVIEWS = [
    ("feishu", "marketing-manager", "notify-feishu.png", {"webhook_env": "PTRACK_FEISHU_WEBHOOK"}),
    ("feishu", None, "notify-feishu-team.png", {"webhook_env": "PTRACK_FEISHU_WEBHOOK"}),
    ("dingtalk", "marketing-manager", "notify-dingtalk.png", {"webhook_env": "PTRACK_DINGTALK_WEBHOOK"}),
    ("wecom", "marketing-manager", "notify-wecom.png", {"webhook_env": "PTRACK_WECOM_WEBHOOK"}),
    ("slack", "ops-b", "notify-slack.png", {"webhook_env": "PTRACK_SLACK_WEBHOOK"}),
    ("email", "marketing-manager", "notify-email.png",
     {"host": "smtp.example.com", "from": "活动助手 <ptrack@example.com>", "to": ["chen.lifeng@example.com"]}),
]


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def inline(text: str, rules: list[tuple[str, callable]]) -> str:
    """Apply the markup ``rules`` (regex, handler(match) -> HTML) left to right; the text between
    matches is escaped."""
    pattern = re.compile("|".join(f"(?:{r})" for r, _ in rules))
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(esc(text[pos:m.start()]))
        for regex, handler in rules:
            sub = re.fullmatch(regex, m.group(0), re.S)
            if sub:
                out.append(handler(sub))
                break
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def lines_to_html(text: str, render_line) -> str:
    """Markdown-ish blocks: ``- `` lines become a list, ``#`` lines headings, others paragraphs."""
    out, items = [], []

    def flush():
        if items:
            out.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.split("\n"):
        bullet = re.match(r"^\s*[-•]\s+(.*)$", line)
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if bullet:
            items.append(render_line(bullet.group(1)))
            continue
        flush()
        if heading:
            level = len(heading.group(1))
            out.append(f'<div class="h{level}">{render_line(heading.group(2))}</div>')
        elif line.strip():
            out.append(f"<p>{render_line(line)}</p>")
        else:
            out.append('<div class="gap"></div>')
    flush()
    return "".join(out)


def link(m) -> str:
    return f'<a href="{esc(m.group(2))}">{esc(m.group(1))}</a>'


def bold_md(inner):
    return lambda m: f"<b>{inner(m.group(1))}</b>"


# --- 飞书: interactive card ---------------------------------------------------------------------

FEISHU_HEADER = {"green": "#2ea121", "orange": "#ff8800", "red": "#f54a45", "blue": "#3370ff",
                 "wathet": "#14c0ff", "turquoise": "#04b49c", "yellow": "#ffc60a", "carmine": "#d83931",
                 "violet": "#8a4eec", "purple": "#7f3bf5", "indigo": "#4954e6", "grey": "#8f959e"}
FEISHU_FONT = {"red": "#f54a45", "green": "#2ea121", "grey": "#8f959e", "orange": "#ff8800"}


def feishu(payload: dict, names: dict) -> str:
    card = payload["card"]
    header = card["header"]
    colour = FEISHU_HEADER.get(header.get("template", "blue"), "#3370ff")

    def line(text):
        rules = [
            (r"<at id=([^>]+)></at>", lambda m: f'<span class="at">@{esc(names.get(m.group(1), m.group(1)))}</span>'),
            (r"<font color='([a-z]+)'>(.*?)</font>",
             lambda m: f'<span style="color:{FEISHU_FONT.get(m.group(1), m.group(1))}">{line(m.group(2))}</span>'),
            (r"\*\*(.+?)\*\*", bold_md(lambda t: line(t))),
            (r"\[([^\]]+)\]\(([^)]+)\)", link),
        ]
        return inline(text, rules)

    parts = []
    for element in card["elements"]:
        tag = element["tag"]
        if tag == "markdown":
            parts.append(f'<div class="md">{lines_to_html(element["content"], line)}</div>')
        elif tag == "action":
            buttons = "".join(f'<span class="btn {esc(a.get("type", "default"))}">{esc(a["text"]["content"])}</span>'
                              for a in element["actions"])
            parts.append(f'<div class="actions">{buttons}</div>')
        elif tag == "hr":
            parts.append("<hr>")
        elif tag == "note":
            parts.append('<div class="note">' + " ".join(esc(e.get("content", "")) for e in element["elements"])
                         + "</div>")
        elif tag == "div":
            parts.append(f'<div class="md">{lines_to_html(element["text"]["content"], line)}</div>')
    body = "".join(parts)
    return f"""
<div class="chat feishu">
  <div class="who"><span class="avatar" style="background:#3370ff">P</span><span class="name">ptrack 活动助手</span>
    <span class="bot">机器人</span></div>
  <div class="card">
    <div class="card-header" style="background:{colour}">{esc(header["title"]["content"])}</div>
    <div class="card-body">{body}</div>
  </div>
</div>"""


FEISHU_CSS = """
.feishu { background:#f2f3f5; }
.feishu .card { background:#fff; border-radius:8px; border:1px solid #dee0e3; overflow:hidden; width:560px;
  box-shadow:0 1px 2px rgba(31,35,41,.06); }
.feishu .card-header { color:#fff; font-weight:600; font-size:16px; padding:12px 16px; line-height:1.4; }
.feishu .card-body { padding:12px 16px 14px; font-size:14px; color:#1f2329; line-height:1.6; }
.feishu .md { margin:0 0 10px; }
.feishu .md p { margin:0; }
.feishu .md ul { margin:2px 0 0; padding-left:20px; }
.feishu .at { color:#3370ff; }
.feishu .actions { margin:12px 0 10px; }
.feishu .btn { display:inline-block; padding:5px 16px; border-radius:6px; border:1px solid #d0d3d6; font-size:14px; }
.feishu .btn.primary { background:#3370ff; color:#fff; border-color:#3370ff; }
.feishu .note { color:#8f959e; font-size:12px; border-top:1px solid #eff0f1; padding-top:8px; }
"""


# --- 钉钉: markdown -------------------------------------------------------------------------------

def dingtalk(payload: dict, names: dict) -> str:
    text = payload["markdown"]["text"]
    mentioned = payload.get("at", {})
    mobiles = set(mentioned.get("atMobiles") or []) | set(mentioned.get("atUserIds") or [])

    def line(t):
        rules = [
            (r"@([0-9A-Za-z_+-]+)", lambda m: f'<span class="at">@{esc(names.get(m.group(1), m.group(1)))}</span>'
             if m.group(1) in mobiles else esc(m.group(0))),
            (r"\*\*(.+?)\*\*", bold_md(lambda s: line(s))),
            (r"\[([^\]]+)\]\(([^)]+)\)", link),
            (r"🔴", lambda m: RED_DOT),
        ]
        return inline(t, rules)

    return f"""
<div class="chat dingtalk">
  <div class="who"><span class="avatar" style="background:#1890ff">P</span><span class="name">ptrack 活动助手</span>
    <span class="bot">机器人</span></div>
  <div class="bubble">{lines_to_html(text, line)}</div>
  <div class="preview">通知预览：{esc(payload["markdown"]["title"])}</div>
</div>"""


DINGTALK_CSS = """
.dingtalk { background:#f1f2f4; }
.dingtalk .bubble { background:#fff; border-radius:6px; padding:12px 16px; width:540px; font-size:14px;
  color:#171a1d; line-height:1.65; }
.dingtalk .bubble p { margin:4px 0; }
.dingtalk .bubble ul { margin:4px 0; padding-left:22px; }
.dingtalk .h3 { font-size:17px; font-weight:600; margin:2px 0 6px; }
.dingtalk .h4 { font-size:15px; font-weight:600; margin:8px 0 2px; }
.dingtalk .h6 { font-size:12px; color:#888; margin-top:8px; }
.dingtalk .at { color:#1890ff; }
.dingtalk a { color:#1890ff; }
.dingtalk .gap { height:0; }
.dingtalk .preview { color:#8c8c8c; font-size:12px; margin:8px 0 0 2px; }
"""


# --- 企业微信: markdown ---------------------------------------------------------------------------

WECOM_FONT = {"info": "#07c160", "comment": "#999999", "warning": "#fa9d3b"}


def wecom(payloads: list[dict], names: dict) -> str:
    bubbles = []
    for payload in payloads:
        if payload["msgtype"] == "markdown":
            def line(t):
                rules = [
                    (r"<@([^>]+)>", lambda m: f'<span class="at">@{esc(names.get(m.group(1), m.group(1)))}</span>'),
                    (r'<font color="([a-z]+)">(.*?)</font>',
                     lambda m: f'<span style="color:{WECOM_FONT.get(m.group(1), "#000")}">{line(m.group(2))}</span>'),
                    (r"\*\*(.+?)\*\*", bold_md(lambda s: line(s))),
                    (r"\[([^\]]+)\]\(([^)]+)\)", link),
                ]
                return inline(t, rules)
            bubbles.append(f'<div class="bubble">{lines_to_html(payload["markdown"]["content"], line)}</div>')
        else:
            who = " ".join("@" + names.get(m, m) for m in payload["text"].get("mentioned_mobile_list") or [])
            bubbles.append(f'<div class="bubble">{esc(payload["text"]["content"])} <span class="at">{esc(who)}</span></div>')
    return f"""
<div class="chat wecom">
  <div class="who"><span class="avatar" style="background:#2f88ff">P</span><span class="name">ptrack 活动助手</span>
    <span class="bot">机器人</span></div>
  {"".join(bubbles)}
</div>"""


WECOM_CSS = """
.wecom { background:#f5f5f5; }
.wecom .bubble { background:#fff; border-radius:4px; padding:10px 14px; width:540px; font-size:14px;
  color:#191919; line-height:1.6; margin-bottom:8px; border:1px solid #ececec; }
.wecom .bubble p { margin:2px 0; }
.wecom .bubble ul { margin:2px 0; padding-left:20px; }
.wecom .h2 { font-size:17px; font-weight:600; margin:0 0 4px; }
.wecom .at { color:#2f88ff; }
.wecom a { color:#2f88ff; }
.wecom .gap { height:6px; }
"""


# --- Slack: Block Kit -----------------------------------------------------------------------------

def slack_mrkdwn(text: str, names: dict) -> str:
    def line(t):
        rules = [
            (r"<@([A-Z0-9]+)>", lambda m: f'<span class="at">@{esc(names.get(m.group(1), m.group(1)))}</span>'),
            (r"<(https?://[^|>]+)\|([^>]+)>", lambda m: f'<a href="{esc(m.group(1))}">{esc(m.group(2))}</a>'),
            (r"<(https?://[^>]+)>", lambda m: f'<a href="{esc(m.group(1))}">{esc(m.group(1))}</a>'),
            (r":[a-z_]+:", lambda m: EMOJI.get(m.group(0), esc(m.group(0)))),
            (r"\*([^*\n]+)\*", lambda m: f"<b>{line(m.group(1))}</b>"),
            (r"_([^_\n]+)_", lambda m: f"<i>{line(m.group(1))}</i>"),
            (r"&gt;|&lt;|&amp;", lambda m: html.unescape(m.group(0)).replace("&", "&amp;").replace("<", "&lt;")
             .replace(">", "&gt;")),
        ]
        return inline(t, rules)

    return "<br>".join(line(t) for t in text.split("\n"))


def slack(payload: dict, names: dict) -> str:
    parts = []
    for block in payload["blocks"]:
        kind = block["type"]
        if kind == "header":
            parts.append(f'<div class="header">{esc(block["text"]["text"])}</div>')
        elif kind == "section":
            parts.append(f'<div class="section">{slack_mrkdwn(block["text"]["text"], names)}</div>')
        elif kind == "divider":
            parts.append("<hr>")
        elif kind == "actions":
            parts.append('<div class="actions">' + "".join(
                f'<span class="btn {esc(e.get("style", ""))}">{esc(e["text"]["text"])}</span>'
                for e in block["elements"]) + "</div>")
        elif kind == "context":
            parts.append('<div class="context">' + " ".join(slack_mrkdwn(e.get("text", ""), names)
                                                             for e in block["elements"]) + "</div>")
    return f"""
<div class="chat slack">
  <div class="row"><span class="avatar square" style="background:#4a154b">P</span>
  <div><div class="who"><span class="name">ptrack</span><span class="bot">APP</span><span class="time">9:00 AM</span></div>
  {"".join(parts)}</div></div>
</div>"""


SLACK_CSS = """
.slack { background:#fff; font-family: "Lato", "Helvetica Neue", Arial, """ + FONT + """; }
.slack .row { display:flex; gap:10px; align-items:flex-start; }
.slack .avatar.square { border-radius:6px; }
.slack .who .name { font-weight:900; color:#1d1c1d; }
.slack .who .bot { background:#e8e8e8; color:#616061; font-size:10px; font-weight:700; padding:1px 4px; border-radius:2px; }
.slack .who .time { color:#616061; font-size:12px; margin-left:6px; }
.slack .header { font-size:18px; font-weight:900; color:#1d1c1d; margin:6px 0 4px; max-width:600px; }
.slack .section { font-size:15px; color:#1d1c1d; line-height:1.47; margin:6px 0; max-width:600px; }
.slack hr { border:0; border-top:1px solid #e2e2e2; margin:10px 0; }
.slack .at { background:#e8f5fa; color:#1264a3; padding:0 2px; border-radius:3px; }
.slack .actions { margin:10px 0 6px; }
.slack .btn { display:inline-block; padding:4px 14px; border:1px solid #bbb; border-radius:4px; font-weight:700; font-size:14px; }
.slack .btn.primary { background:#007a5a; color:#fff; border-color:#007a5a; }
.slack .context { color:#616061; font-size:12px; margin-top:6px; }
.slack a { color:#1264a3; }
"""


# --- email ---------------------------------------------------------------------------------------

def email(payload: dict, names: dict) -> str:
    body_match = re.search(r"<body([^>]*)>(.*)</body>", payload["html"], re.S)
    style = re.search(r'style="([^"]*)"', body_match.group(1)) if body_match else None
    body = body_match.group(2) if body_match else payload["html"]
    return f"""
<div class="mail">
  <div class="mail-head">
    <div class="subject">{esc(payload["subject"])}</div>
    <div class="meta"><b>{esc(payload["from"])}</b></div>
    <div class="meta">收件人：{esc(", ".join(payload["to"]))}</div>
  </div>
  <div class="mail-body" style="{esc(style.group(1)) if style else ""}">{body}</div>
</div>"""


EMAIL_CSS = """
.mail { background:#fff; width:640px; border:1px solid #dadce0; border-radius:8px; overflow:hidden; }
.mail-head { padding:14px 20px; border-bottom:1px solid #eceff1; background:#fafafa; }
.mail-head .subject { font-size:18px; color:#202124; margin-bottom:6px; }
.mail-head .meta { font-size:13px; color:#5f6368; }
.mail-body { padding:8px 20px 16px; font-size:14px; }
"""

BASE_CSS = """
* { box-sizing:border-box; }
body { margin:0; font-family:""" + FONT + """; -webkit-font-smoothing:antialiased; }
#shot { display:inline-block; padding:18px 22px 22px; }
.chat .who { display:flex; align-items:center; gap:8px; margin-bottom:6px; font-size:13px; color:#646a73; }
.avatar { width:32px; height:32px; border-radius:50%; color:#fff; display:inline-flex; align-items:center;
  justify-content:center; font-weight:700; flex:none; }
.bot { font-size:11px; color:#3370ff; background:#e1eaff; padding:0 4px; border-radius:3px; }
a { text-decoration:none; }
.dot { display:inline-block; width:.9em; height:.9em; border-radius:50%; background:#dd2e44;
  vertical-align:-0.1em; margin-right:.15em; }
"""


def page(inner: str, css: str, lang: str) -> str:
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><style>{BASE_CSS}{css}</style>'
            f'</head><body><div id="shot" class="{"" if "mail" in inner[:40] else ""}">{inner}</div></body></html>')


def build_pages() -> dict[str, str]:
    cfg = Config(root=ROOT, site_url=SITE, repo_url=REPO_URL)
    run = collect_digests([ROOT / "examples" / "campaign.yaml"], cfg, AS_OF, git=False)
    digests = {d.recipient.person_id: d for d in run.digests}
    campaign_people = {}
    from ptrack.core.validate import load_campaign

    campaign = load_campaign(ROOT / "examples" / "campaign.yaml").campaign
    for pid, person in campaign.people.items():
        for handle in person.handles.values():
            campaign_people[handle] = person.name
    pages = {}
    for platform, who, name, settings in PREVIEWS:
        channel = CHANNELS[platform]("team", settings)
        digest = digests[who]
        payloads = [m.payload for m in channel.render(digest)]
        if platform == "feishu":
            inner, css = "".join(feishu(p, campaign_people) for p in payloads), FEISHU_CSS
        elif platform == "dingtalk":
            inner, css = "".join(dingtalk(p, campaign_people) for p in payloads), DINGTALK_CSS
        elif platform == "wecom":
            inner, css = wecom(payloads, campaign_people), WECOM_CSS
        elif platform == "slack":
            inner, css = "".join(slack(p, campaign_people) for p in payloads), SLACK_CSS
        else:
            inner, css = "".join(email(p, campaign_people) for p in payloads), EMAIL_CSS
        pages[name] = page(inner, css, digest.locale)
        pages[name + ".json"] = json.dumps(payloads, ensure_ascii=False, indent=2)
    return pages


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"), help="folder for the PNGs")
    parser.add_argument("--html", help="also keep the HTML previews and payloads in this folder")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    pages = build_pages()
    if args.html:
        keep = Path(args.html)
        keep.mkdir(parents=True, exist_ok=True)
        for name, text in pages.items():
            (keep / (name.replace(".png", ".html") if name.endswith(".png") else name)).write_text(text, "utf-8")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        view = browser.new_page(viewport={"width": 900, "height": 600}, device_scale_factor=1.5)
        for name, text in pages.items():
            if not name.endswith(".png"):
                continue
            view.set_content(text, wait_until="load")
            view.locator("#shot").screenshot(path=str(out / name), animations="disabled")
            print(f"wrote {out / name}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
