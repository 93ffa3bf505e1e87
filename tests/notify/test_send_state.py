"""The send-once record and what ``send_digests`` does with it, with a channel that records what it
is asked to deliver (the real channels are tested against servers in the channel tests and through
the CLI in test_notify_cli.py)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ptrack.core.notify_config import ChannelConfig
from ptrack.errors import UsageError
from ptrack.notify.digest import DigestRun
from ptrack.notify.model import Delivery, Digest, Message, Recipient
from ptrack.notify.send import KEEP_DAYS, SentState, scrub, send_digests


def digest(person: str | None, day: str = "2024-03-08") -> Digest:
    return Digest("demo", "Demo", day, "en", Recipient(person, person or "Team"), "title", "summary", (), None,
                  f"demo/{person or '@team'}/{day}")


class Recording:
    """Two parts per digest; part 2 of Bob's digest fails once, then goes."""

    platform = "wecom"

    def __init__(self):
        self.asked: list[tuple[str, int]] = []
        self.fail_bob = True

    def required_env(self):
        return ["HOOK"]

    def render(self, d: Digest) -> list[Message]:
        return [Message("group", "wecom", d.key, d.recipient.person_id, part, 2, {"n": part}) for part in (1, 2)]

    def deliver(self, message: Message, env, *, until=None) -> Delivery:
        self.asked.append((message.digest_key, message.part))
        if message.recipient == "bob" and message.part == 2 and self.fail_bob:
            return Delivery(message, False, f"HTTP 500 from {env['HOOK']}")
        return Delivery(message, True, "sent")


def test_a_rerun_sends_only_what_is_missing(tmp_path):
    path = tmp_path / "state" / "sent.json"
    config = ChannelConfig("group", "wecom", {})
    channel = Recording()
    run = DigestRun(date(2024, 3, 8), digests=[digest(None), digest("bob")])
    env = {"HOOK": "http://127.0.0.1:9/hook?key=s3cret-key"}

    first = send_digests(run, [(config, channel)], env=env, state=SentState.load(path), dry_run=False)
    assert [(o.message.digest_key, o.message.part, o.status) for o in first] == [
        ("demo/@team/2024-03-08", 1, "sent"), ("demo/@team/2024-03-08", 2, "sent"),
        ("demo/bob/2024-03-08", 1, "sent"), ("demo/bob/2024-03-08", 2, "failed")]
    # the detail never carries the variable's value
    assert first[-1].detail == "HTTP 500 from ***"
    assert json.loads(path.read_text("utf-8")) == {"ptrack-notify": 1, "sent": {"group": {
        "demo/@team/2024-03-08": [1, 2], "demo/bob/2024-03-08": [1]}}}

    channel.fail_bob = False
    channel.asked.clear()
    again = send_digests(run, [(config, channel)], env=env, state=SentState.load(path), dry_run=False)
    assert channel.asked == [("demo/bob/2024-03-08", 2)]  # only the part that failed
    assert [o.status for o in again] == ["skipped", "skipped", "skipped", "sent"]

    # a dry run reports what is recorded and asks the channel for nothing
    channel.asked.clear()
    dry = send_digests(run, [(config, channel)], env={}, state=SentState.load(path), dry_run=True)
    assert channel.asked == [] and {o.status for o in dry} == {"skipped"}


def test_old_entries_are_dropped(tmp_path):
    path = tmp_path / "sent.json"
    state = SentState.load(path)
    old = Message("group", "wecom", "demo/bob/2024-02-20", "bob", 1, 1, {})
    kept = Message("group", "wecom", "demo/bob/2024-02-23", "bob", 1, 1, {})
    state.record("group", old, date(2024, 2, 20))
    state.record("group", kept, date(2024, 2, 23))
    # as of 3/8 the oldest day kept is 3/8 - 14 = 2/23
    state.record("group", Message("group", "wecom", "demo/bob/2024-03-08", "bob", 1, 1, {}), date(2024, 3, 8))
    assert KEEP_DAYS == 14
    assert sorted(json.loads(path.read_text("utf-8"))["sent"]["group"]) == ["demo/bob/2024-02-23",
                                                                            "demo/bob/2024-03-08"]


@pytest.mark.parametrize("text", ["{not json", "[]", '{"ptrack-notify": 2, "sent": {}}', '{"sent": []}'])
def test_a_record_that_is_not_one_is_a_usage_error(tmp_path, text):
    path = tmp_path / "sent.json"
    path.write_text(text)
    with pytest.raises(UsageError, match="not a ptrack notify send-once record"):
        SentState.load(path)


def test_scrub_hides_the_longest_secret_first():
    assert scrub("key=abcdefgh and abcd", ["abcd", "abcdefgh"]) == "key=*** and ***"
    assert scrub("short ab stays", ["ab", ""]) == "short ab stays"  # too short to be a secret
