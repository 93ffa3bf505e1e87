"""What ``ptrack notify`` prints: a registry of formats (text, json) over a ``NotifyReport``.

Text: per channel, who got what and whether it was delivered (with why not); with ``--dry-run``
each message's payload exactly as it would be sent (``Message.redacted()``, JSON); with no
channel configured, the digests themselves. Nothing here ever holds a secret: messages carry
no webhook address or key (channels add those only when they deliver).
"""

from __future__ import annotations

import json
from typing import Callable

from ptrack.i18n import NP_, t
from ptrack.notify.model import Digest
from ptrack.notify.send import NotifyReport, Outcome


def digest_text(digest: Digest) -> str:
    """One digest as plain text (what --dry-run shows when no channel is configured)."""
    who = digest.recipient.name if digest.is_team else f"{digest.recipient.name} ({digest.recipient.person_id})"
    lines = [f"== {digest.title} ==", f"-> {who} · {digest.key}", digest.summary]
    for section in digest.sections:
        lines.append(f"[{section.title}]")
        lines += [f"  {'!' if item.urgent else '-'} {item.text}" for item in section.items]
    if digest.page_url:
        lines.append(f"{t(digest.locale, 'notify.page')}: {digest.page_url}")
    return "\n".join(lines) + "\n"


def _who(o: Outcome, locale: str) -> str:
    r = o.digest.recipient
    who = r.name if o.digest.is_team else f"{r.name} ({r.person_id})"
    part = f" · {t(locale, 'notify.report.part', part=o.message.part, parts=o.message.parts)}" \
        if o.message.parts > 1 else ""
    items = t(locale, NP_("notify.report.items"), n=sum(len(s.items) for s in o.digest.sections))
    return f"{who} · {o.digest.key} · {items}{part}"


def _status(o: Outcome, locale: str) -> str:
    if o.status == "sent":
        return t(locale, "notify.report.sent")
    if o.status == "failed":
        return t(locale, "notify.report.failed", why=o.detail)
    if o.status == "skipped":
        return t(locale, "notify.report.skipped")
    return t(locale, "notify.report.would_send")


def _payload(o: Outcome) -> str:
    return json.dumps(o.message.redacted(), ensure_ascii=False, indent=2, sort_keys=True)


def report_text(report: NotifyReport) -> str:
    locale = report.locale
    out: list[str] = []
    if not report.channels:
        out.append(t(locale, "notify.report.no_channels"))
        for digest in report.run.digests:
            out.append("")
            out.append(digest_text(digest).rstrip("\n"))
    for channel in report.channels:
        out.append(t(locale, "notify.report.channel", channel=channel.name, platform=channel.type))
        for o in (o for o in report.outcomes if o.channel == channel.name):
            out.append(f"  {_who(o, locale)}: {_status(o, locale)}")
            if o.status == "dry-run":
                out += ["    " + line for line in _payload(o).splitlines()]
    for cid in report.run.campaigns:
        if not any(d.campaign_id == cid for d in report.run.digests):
            out.append(t(locale, "notify.report.nothing", campaign=cid, as_of=report.run.as_of.isoformat()))
    if report.channels:
        if report.dry_run:
            out.append(t(locale, "notify.report.dry_totals", n=report.count("dry-run"), skipped=report.count("skipped")))
        else:
            out.append(t(locale, "notify.report.totals", sent=report.count("sent"), failed=report.count("failed"),
                         skipped=report.count("skipped")))
    return "\n".join(out) + "\n"


def digest_dict(digest: Digest) -> dict:
    r = digest.recipient
    return {"campaign": digest.campaign_id, "campaign_name": digest.campaign_name, "as_of": digest.as_of,
            "locale": digest.locale, "key": digest.key, "title": digest.title, "summary": digest.summary,
            "page_url": digest.page_url,
            "recipient": {"person": r.person_id, "name": r.name, "handles": dict(r.handles)},
            "sections": [{"key": s.key, "title": s.title,
                          "items": [{"kind": i.kind.value, "text": i.text, "date": i.date, "task": i.task_id,
                                     "urgent": i.urgent} for i in s.items]} for s in digest.sections]}


def report_json(report: NotifyReport) -> str:
    from ptrack.reporters import dump_json

    messages = []
    for o in report.outcomes:
        entry = {"channel": o.channel, "platform": o.platform, "recipient": o.message.recipient,
                 "digest_key": o.message.digest_key, "part": o.message.part, "parts": o.message.parts,
                 "status": o.status, "detail": o.detail, "attempts": o.attempts}
        if o.status == "dry-run":
            entry["payload"] = o.message.redacted()["payload"]
        messages.append(entry)
    return dump_json({"as_of": report.run.as_of.isoformat(), "dry_run": report.dry_run,
                      "channels": [{"name": c.name, "type": c.type} for c in report.channels],
                      "digests": [digest_dict(d) for d in report.run.digests],
                      "messages": messages,
                      "summary": {s: report.count(s) for s in ("sent", "failed", "skipped", "dry-run")}})


NOTIFY_REPORTERS: dict[str, Callable[[NotifyReport], str]] = {"text": report_text, "json": report_json}
