"""What ``ptrack notify`` prints: a registry of formats (text, json) over a ``NotifyReport``.

Text: per channel, who got what and whether it was delivered (with why not); with ``--dry-run``
each message's payload exactly as it would be sent (``Message.redacted()``, JSON); with no
channel configured, the digests themselves. Nothing here ever holds a secret: messages carry
no webhook address or key (channels add those only when they deliver).

As it happens: the CLI prints each channel's line when the channel starts and each message's
line as soon as it is delivered (``TextProgress``, flushed line by line), so a run killed at a
CI time limit still shows what was sent; the totals come at the end. With ``--format json``
those lines go to stderr and the JSON document, one and whole, to stdout at the end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from ptrack.core.notify_config import ChannelConfig
from ptrack.i18n import NP_, t
from ptrack.notify.digest import DigestRun
from ptrack.notify.model import Digest
from ptrack.notify.send import STATUSES, NotifyReport, Outcome


def digest_text(digest: Digest) -> str:
    """One digest as plain text (what --dry-run shows when no channel is configured)."""
    who = digest.recipient.name if digest.is_team else f"{digest.recipient.name} ({digest.recipient.person_id})"
    lines = [f"== {digest.title} ==", f"-> {who} · {digest.key}", digest.summary]
    for section in digest.sections:
        lines.append(f"[{section.title}]")
        for item in section.items:
            lines.append(f"  {'!' if item.urgent else '-'} {item.text}")
            lines += [f"      {link.label}: {link.url}" for link in item.links]
    if digest.page_url:
        lines.append(f"{t(digest.locale, 'notify.page')}: {digest.page_url}")
    if digest.person_url:
        lines.append(f"{t(digest.locale, 'notify.channel.my_page')}: {digest.person_url}")
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
        if o.again:
            return t(locale, "notify.report.sent_again")
        return t(locale, "notify.report.sent_maybe_twice") if o.maybe_twice else t(locale, "notify.report.sent")
    if o.status == "failed":
        return t(locale, "notify.report.failed", why=o.detail)
    if o.status == "unconfirmed":
        return t(locale, "notify.report.unconfirmed", why=o.detail)
    if o.status == "skipped":
        return t(locale, "notify.report.skipped")
    return t(locale, "notify.report.would_send")


def _payload(o: Outcome) -> str:
    return json.dumps(o.message.redacted(), ensure_ascii=False, indent=2, sort_keys=True)


def opening_lines(locale: str, channels: Sequence[ChannelConfig], run: DigestRun) -> list[str]:
    """What comes before any channel: with no channel configured, the digests themselves."""
    out: list[str] = []
    if not channels:
        out.append(t(locale, "notify.report.no_channels"))
        for digest in run.digests:
            out.append("")
            out.append(digest_text(digest).rstrip("\n"))
    return out


def channel_line(channel: ChannelConfig, locale: str) -> str:
    return t(locale, "notify.report.channel", channel=channel.name, platform=channel.type)


def outcome_lines(o: Outcome, locale: str, *, payloads: bool = True) -> list[str]:
    out = [f"  {_who(o, locale)}: {_status(o, locale)}"]
    if payloads and o.status == "dry-run":
        out += ["    " + line for line in _payload(o).splitlines()]
    return out


def closing_lines(report: NotifyReport) -> list[str]:
    """What comes after the last channel: campaigns with nothing to say, the totals."""
    locale = report.locale
    out = []
    for cid in report.run.campaigns:
        if not any(d.campaign_id == cid for d in report.run.digests):
            out.append(t(locale, "notify.report.nothing", campaign=cid, as_of=report.run.as_of.isoformat()))
    if report.channels:
        if report.dry_run:
            out.append(t(locale, "notify.report.dry_totals", n=report.count("dry-run"), skipped=report.count("skipped")))
        elif report.count("unconfirmed"):
            out.append(t(locale, "notify.report.totals_unconfirmed", sent=report.count("sent"),
                         unconfirmed=report.count("unconfirmed"), failed=report.count("failed"),
                         skipped=report.count("skipped")))
        else:
            out.append(t(locale, "notify.report.totals", sent=report.count("sent"), failed=report.count("failed"),
                         skipped=report.count("skipped")))
    return out


def report_text(report: NotifyReport) -> str:
    """The whole text report at once (what ``TextProgress`` and ``text_ending`` print in turn)."""
    locale = report.locale
    out = opening_lines(locale, report.channels, report.run)
    for channel in report.channels:
        out.append(channel_line(channel, locale))
        for o in (o for o in report.outcomes if o.channel == channel.name):
            out += outcome_lines(o, locale)
    out += closing_lines(report)
    return "\n".join(out) + "\n"


def text_ending(report: NotifyReport) -> str:
    lines = closing_lines(report)
    return "\n".join(lines) + "\n" if lines else ""


class TextProgress:
    """Prints the text report's lines as the run goes (``ptrack.notify.send.Progress``), each
    through ``write`` (a line, printed and flushed). ``full``: the digests when no channel is
    configured, and dry-run payloads (the text format); without: channel and message lines only
    (beside the JSON format, on stderr)."""

    def __init__(self, write: Callable[[str], None], *, full: bool = True):
        self.write = write
        self.full = full
        self.locale = "zh-CN"

    def start(self, locale: str, channels: Sequence[ChannelConfig], run: DigestRun) -> None:
        self.locale = locale
        if self.full:
            for line in opening_lines(locale, channels, run):
                self.write(line)

    def channel(self, channel: ChannelConfig) -> None:
        self.write(channel_line(channel, self.locale))

    def waiting(self, channel: ChannelConfig, lock: Path) -> None:
        self.write("  " + t(self.locale, "notify.report.waiting", channel=channel.name, lock=str(lock)))

    def outcome(self, outcome: Outcome) -> None:
        for line in outcome_lines(outcome, self.locale, payloads=self.full):
            self.write(line)


def digest_dict(digest: Digest) -> dict:
    r = digest.recipient
    return {"campaign": digest.campaign_id, "campaign_name": digest.campaign_name, "as_of": digest.as_of,
            "locale": digest.locale, "key": digest.key, "title": digest.title, "summary": digest.summary,
            "page_url": digest.page_url, "person_url": digest.person_url,
            "recipient": {"person": r.person_id, "name": r.name, "handles": dict(r.handles)},
            "sections": [{"key": s.key, "title": s.title,
                          "items": [{"kind": i.kind.value, "text": i.text, "date": i.date, "task": i.task_id,
                                     "urgent": i.urgent,
                                     "links": [{"kind": k.kind, "label": k.label, "url": k.url} for k in i.links]}
                                    for i in s.items]} for s in digest.sections]}


def report_json(report: NotifyReport) -> str:
    from ptrack.reporters import dump_json

    messages = []
    for o in report.outcomes:
        entry = {"channel": o.channel, "platform": o.platform, "recipient": o.message.recipient,
                 "digest_key": o.message.digest_key, "part": o.message.part, "parts": o.message.parts,
                 "status": o.status, "detail": o.detail, "attempts": o.attempts,
                 "maybe_twice": o.maybe_twice}
        if o.status == "dry-run":
            entry["payload"] = o.message.redacted()["payload"]
        messages.append(entry)
    return dump_json({"as_of": report.run.as_of.isoformat(), "dry_run": report.dry_run,
                      "channels": [{"name": c.name, "type": c.type} for c in report.channels],
                      "digests": [digest_dict(d) for d in report.run.digests],
                      "messages": messages,
                      "summary": {s: report.count(s) for s in STATUSES}})


NOTIFY_REPORTERS: dict[str, Callable[[NotifyReport], str]] = {"text": report_text, "json": report_json}


@dataclass(frozen=True)
class NotifyOutput:
    """How a format is printed as the run goes: the progress lines (to stderr or stdout, full or
    not), then ``ending`` at the end."""

    progress_to_stderr: bool
    full_progress: bool
    ending: Callable[[NotifyReport], str]


NOTIFY_OUTPUTS: dict[str, NotifyOutput] = {
    "text": NotifyOutput(progress_to_stderr=False, full_progress=True, ending=text_ending),
    "json": NotifyOutput(progress_to_stderr=True, full_progress=False, ending=report_json),
}
