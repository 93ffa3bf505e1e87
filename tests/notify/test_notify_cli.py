"""``ptrack notify`` end to end: exit codes, the exact dry-run output, real sends to servers on
127.0.0.1 started here, send-once, and secrets that never show.

The campaign (calendar none, so every day is a working day), as of 3/8 (P = 3/7, horizon
3/9..3/11):
- alpha 3/1..3/10, 50% done: due 3/10 (Ann); planned 8/10 = 80%: 30 behind (red, past 20);
  on 3/7 70% planned, 20 behind (amber, not past 20) -> "amber -> red", the campaign
  "green -> amber" (weighted: alpha 10 days at 80/50 and beta 10 days at 0/0: 40 planned, 25
  actual, -15);
- beta 3/11..3/20, not started: starts 3/11 (Ann); its risk (owner Lee) is due 3/8, today.
"""

from __future__ import annotations

import json

import pytest

from ptrack.notify.channels import CHANNELS
from tests.notify_support import Reply, RecordingServer, refused_port

CAMPAIGN = """\
ptrack: 1
campaign: {id: demo, name: Demo, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: en, lead: lee}
people:
  lee: {name: Lee, wecom_userid: lee, slack: U0LEE, email: lee@example.com}
  ann: {name: Ann, wecom_userid: ann, slack: U0ANN, email: ann@example.com}
tasks:
  - id: alpha
    name: Alpha
    owner: ann
    planned: {start: 2024-03-01, end: 2024-03-10}
    actual: {start: 2024-03-01}
    progress: 50
  - id: beta
    name: Beta
    owner: ann
    planned: {start: 2024-03-11, end: 2024-03-20}
    risks:
      - {issue: Venue not confirmed, owner: lee, due: 2024-03-08}
"""
DAY = "2024-03-08"

DIGESTS = """\
== Demo: team digest (2024-03-08) ==
-> Team · demo/@team/2024-03-08
As of 2024-03-08: planned 40.0%, actual 25.0%, deviation -15.0 points, in progress, health amber.
[Health changes since Thu 7 Mar]
  ! Alpha (Ann): amber → red
  - Campaign: green → amber
[Weekly review focus (more than 10 points and 2+ working days behind plan)]
  ! Alpha (Ann): 30.0 points behind (plan 80.0%, actual 50.0%), 3 working days behind
{page}

== Demo: 1 thing for Lee (2024-03-08) ==
-> Lee (lee) · demo/lee/2024-03-08
As of 2024-03-08: planned 40.0%, actual 25.0%, deviation -15.0 points, in progress, health amber.
[Risks to resolve]
  - Risk "Venue not confirmed" (Beta): to resolve by today
{page}
My tasks: https://acme.example/plans/people/lee/

== Demo: 2 things for Ann (2024-03-08) ==
-> Ann (ann) · demo/ann/2024-03-08
As of 2024-03-08: planned 40.0%, actual 25.0%, deviation -15.0 points, in progress, health amber.
[Due in the next 3 working days]
  - Alpha: due Sun 10 Mar, 50.0% done (plan 80.0%)
[Starting in the next 3 working days]
  - Beta: starts Mon 11 Mar
{page}
My tasks: https://acme.example/plans/people/ann/"""

TOKEN = "0123456789abcdef-secret-token"
SIGNING = "SECfeedfacefeedfacefeedface0123456789"
PASSWORD = "hunter2-smtp-password"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("PTRACK_WECOM_WEBHOOK", "PTRACK_SLACK_WEBHOOK", "PTRACK_FEISHU_WEBHOOK", "PTRACK_FEISHU_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def campaign(write):
    return write("campaigns/demo.yaml", CAMPAIGN)


def config(*channels: str, site: bool = True) -> str:
    text = "site_url: https://acme.example/plans\n" if site else ""
    if channels:
        text += "notify:\n  channels:\n" + "".join(channels)
    return text


WECOM = "    group:\n      type: wecom\n      webhook_env: PTRACK_WECOM_WEBHOOK\n      retries: 0\n"
SLACK = "    slack:\n      type: slack\n      webhook_env: PTRACK_SLACK_WEBHOOK\n      retries: 0\n"
FEISHU = ("    lark:\n      type: feishu\n      webhook_env: PTRACK_FEISHU_WEBHOOK\n"
          "      secret_env: PTRACK_FEISHU_SECRET\n      retries: 0\n")


def test_dry_run_without_channels_prints_the_digests(run_cli, write, campaign):
    write("ptrack.yaml", config())
    code, out, err = run_cli("notify", "--dry-run", "--as-of", DAY)
    assert (code, err) == (0, "")
    assert out == ("No notify.channels in ptrack.yaml: the digests are shown, nothing is sent.\n\n"
                   + DIGESTS.format(page="Campaign page: https://acme.example/plans/demo/") + "\n")


def test_without_channels_and_without_dry_run_is_a_usage_error(run_cli, campaign):
    code, out, err = run_cli("notify", "--as-of", DAY)
    assert (code, out) == (2, "")
    assert err == ("ptrack: error: no channel to send to: add notify.channels to ptrack.yaml (see docs/notify.md), "
                   "or use --dry-run to see the digests\n")


def test_unknown_channel_is_a_usage_error(run_cli, write, campaign):
    write("ptrack.yaml", config(WECOM))
    code, out, err = run_cli("notify", "--as-of", DAY, "--channel", "nope", "--dry-run")
    assert (code, out) == (2, "")
    assert err == 'ptrack: error: --channel: no channel "nope" under notify.channels in ptrack.yaml (known: group)\n'


def test_a_missing_environment_variable_is_named_and_nothing_is_sent(run_cli, write, campaign, monkeypatch):
    write("ptrack.yaml", config(WECOM, SLACK))
    with RecordingServer() as server:
        monkeypatch.setenv("PTRACK_WECOM_WEBHOOK", server.url(f"/cgi-bin/webhook/send?key={TOKEN}"))
        code, out, err = run_cli("notify", "--as-of", DAY)
        assert server.requests == []
    assert (code, out) == (2, "")
    assert err == ("ptrack: error: channel slack (slack) needs the environment variable PTRACK_SLACK_WEBHOOK, "
                   "which is not set (set it, e.g. from a repository secret; --dry-run needs none)\n")
    assert TOKEN not in err


def test_dry_run_prints_exactly_what_a_real_run_sends(run_cli, write, campaign, monkeypatch, tmp_path):
    write("ptrack.yaml", config(WECOM))
    code, out, err = run_cli("notify", "--as-of", DAY, "--dry-run", "--format", "json")
    # with --format json the lines of each message go to stderr as they happen; stdout is the JSON
    assert (code, err) == (0, "group (wecom):\n"
                              "  Team · demo/@team/2024-03-08 · 3 items: would send\n"
                              "  Lee (lee) · demo/lee/2024-03-08 · 1 item: would send\n"
                              "  Ann (ann) · demo/ann/2024-03-08 · 2 items: would send\n")
    dry = json.loads(out)
    planned = [m["payload"] for m in dry["messages"]]
    assert [m["recipient"] for m in dry["messages"]][:3] == [None, "lee", "ann"]
    assert [m["status"] for m in dry["messages"]] == ["dry-run"] * len(planned)
    assert not (tmp_path / ".ptrack").exists()  # a dry run records nothing
    with RecordingServer() as server:
        monkeypatch.setenv("PTRACK_WECOM_WEBHOOK", server.url(f"/cgi-bin/webhook/send?key={TOKEN}"))
        code, out, err = run_cli("notify", "--as-of", DAY, "--format", "json")
    assert code == 0 and err.splitlines()[1:] == ["  Team · demo/@team/2024-03-08 · 3 items: sent",
                                                  "  Lee (lee) · demo/lee/2024-03-08 · 1 item: sent",
                                                  "  Ann (ann) · demo/ann/2024-03-08 · 2 items: sent"]
    assert [r.json() for r in server.requests] == planned
    assert json.loads(out)["summary"] == {"sent": len(planned), "failed": 0, "unconfirmed": 0, "skipped": 0,
                                          "dry-run": 0}


def test_dry_run_text_shows_each_payload(run_cli, write, campaign):
    write("ptrack.yaml", config(WECOM))
    code, out, err = run_cli("notify", "--as-of", DAY, "--dry-run")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "group (wecom):"
    assert lines[1] == "  Team · demo/@team/2024-03-08 · 3 items: would send"
    assert lines[-1] == f"dry run: {out.count(': would send')} messages would be sent, 0 skipped (already sent); nothing was sent."
    # each payload is the JSON of Message.redacted(), indented under its line
    first = json.loads("\n".join(ln[4:] for ln in lines[2:lines.index("    }") + 1]))
    assert first["channel"] == "group" and first["platform"] == "wecom" and first["digest_key"] == "demo/@team/2024-03-08"
    assert first["payload"]["msgtype"] == "markdown"


def test_send_once_a_second_run_sends_nothing(run_cli, write, campaign, monkeypatch, tmp_path):
    write("ptrack.yaml", config(WECOM))
    with RecordingServer() as server:
        monkeypatch.setenv("PTRACK_WECOM_WEBHOOK", server.url(f"/cgi-bin/webhook/send?key={TOKEN}"))
        code, out, err = run_cli("notify", "--as-of", DAY)
        sent = len(server.requests)
        assert (code, err) == (0, "")
        assert sent >= 3
        assert out.splitlines()[:4] == ["group (wecom):",
                                        "  Team · demo/@team/2024-03-08 · 3 items: sent",
                                        "  Lee (lee) · demo/lee/2024-03-08 · 1 item: sent",
                                        "  Ann (ann) · demo/ann/2024-03-08 · 2 items: sent"]
        assert out.splitlines()[-1] == f"{sent} sent, 0 failed, 0 skipped (already sent)."
        state = json.loads((tmp_path / ".ptrack" / "notify-sent.json").read_text("utf-8"))
        assert state == {"ptrack-notify": 1, "sent": {"group": {
            "demo/@team/2024-03-08": [1], "demo/ann/2024-03-08": [1], "demo/lee/2024-03-08": [1]}}}

        code, out, err = run_cli("notify", "--as-of", DAY)
        assert (code, err) == (0, "")
        assert len(server.requests) == sent  # nothing more
        assert "  Team · demo/@team/2024-03-08 · 3 items: skipped: already sent" in out.splitlines()
        assert out.splitlines()[-1] == f"0 sent, 0 failed, {sent} skipped (already sent)."

        # the next day is a new digest
        code, out, err = run_cli("notify", "--as-of", "2024-03-09")
        assert code == 0 and len(server.requests) > sent


def test_state_option_puts_the_record_elsewhere(run_cli, write, campaign, monkeypatch, tmp_path):
    write("ptrack.yaml", config(WECOM))
    with RecordingServer() as server:
        monkeypatch.setenv("PTRACK_WECOM_WEBHOOK", server.url(f"/send?key={TOKEN}"))
        assert run_cli("notify", "--as-of", DAY, "--state", "cache/sent.json")[0] == 0
    assert (tmp_path / "cache" / "sent.json").is_file()
    assert not (tmp_path / ".ptrack").exists()


def test_one_failing_channel_does_not_stop_the_other(run_cli, write, campaign, monkeypatch, tmp_path):
    write("ptrack.yaml", config(WECOM, SLACK))
    failing = Reply(200, {"errcode": 93000, "errmsg": f"invalid webhook url, key={TOKEN}"})
    with RecordingServer(failing) as wecom, RecordingServer(Reply(200, "ok")) as slack:
        monkeypatch.setenv("PTRACK_WECOM_WEBHOOK", wecom.url(f"/cgi-bin/webhook/send?key={TOKEN}"))
        monkeypatch.setenv("PTRACK_SLACK_WEBHOOK", slack.url(f"/services/T000/B000/{TOKEN}"))
        code, out, err = run_cli("notify", "--as-of", DAY)
        assert len(slack.requests) == len(wecom.requests) >= 3
    assert code == 1
    assert "  Team · demo/@team/2024-03-08 · 3 items: FAILED: errcode 93000: invalid webhook url, ***" in out.splitlines()
    assert "  Team · demo/@team/2024-03-08 · 3 items: sent" in out.splitlines()  # slack
    assert "ptrack: error: group (wecom): team demo/@team/2024-03-08: errcode 93000: invalid webhook url, ***" \
        in err.splitlines()
    state = json.loads((tmp_path / ".ptrack" / "notify-sent.json").read_text("utf-8"))
    assert list(state["sent"]) == ["slack"]  # only what was delivered is recorded
    for text in (out, err, json.dumps(state)):
        assert TOKEN not in text


def test_a_refused_connection_fails_with_why(run_cli, write, campaign, monkeypatch):
    write("ptrack.yaml", config(WECOM))
    monkeypatch.setenv("PTRACK_WECOM_WEBHOOK", f"http://127.0.0.1:{refused_port()}/send?key={TOKEN}")
    code, out, err = run_cli("notify", "--as-of", DAY, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert {m["status"] for m in report["messages"]} == {"failed"}
    assert all("refused" in m["detail"].lower() for m in report["messages"]), report["messages"][0]["detail"]
    assert TOKEN not in out + err


def test_secrets_never_appear_in_any_output(run_cli, write, campaign, monkeypatch, tmp_path):
    write("ptrack.yaml", config(FEISHU, WECOM))
    with RecordingServer(Reply(200, {"code": 0, "msg": "success"})) as lark, RecordingServer() as group:
        monkeypatch.setenv("PTRACK_FEISHU_WEBHOOK", lark.url(f"/open-apis/bot/v2/hook/{TOKEN}"))
        monkeypatch.setenv("PTRACK_FEISHU_SECRET", SIGNING)
        monkeypatch.setenv("PTRACK_WECOM_WEBHOOK", group.url(f"/send?key={TOKEN}"))
        outputs = []
        for args in (["--dry-run"], ["--dry-run", "--format", "json"], [], ["--format", "json"]):
            code, out, err = run_cli("notify", "--as-of", DAY, *args)
            assert code == 0, err
            outputs += [out, err]
        assert lark.requests and all("sign" in r.json() for r in lark.requests)  # signed with the secret
    outputs.append((tmp_path / ".ptrack" / "notify-sent.json").read_text("utf-8"))
    for text in outputs:
        assert TOKEN not in text and SIGNING not in text


@pytest.mark.parametrize("channel, message", [
    ("    team:\n      type: feishu\n      webhook: https://open.feishu.cn/open-apis/bot/v2/hook/abc\n",
     "ptrack.yaml:5:16: channel team: a web address written into ptrack.yaml; a bot's webhook address is a "
     "secret (anyone who has it can post to the group). Put it in an environment variable (a repository "
     "secret in CI) and name the variable: webhook_env: PTRACK_TEAM_WEBHOOK"),
    ("    team:\n      type: dingtalk\n      webhook_env: PTRACK_DINGTALK_WEBHOOK\n"
     "      secret_env: SEC0123456789abcdef0123456789abcdef\n",
     "ptrack.yaml:6:19: secret_env names an environment variable (e.g. PTRACK_DINGTALK_WEBHOOK); the value "
     "itself goes in the environment, not in ptrack.yaml"),
    ("    team:\n      type: email\n      host: smtp.example.com\n      from: ptrack@example.com\n"
     "      password: hunter2\n",
     "ptrack.yaml:7:17: channel team: password would put a secret into ptrack.yaml; secrets come from "
     "environment variables only: write password_env: VARIABLE_NAME"),
    ("    team:\n      type: teams\n",
     'ptrack.yaml:4:13: unknown channel type "teams"; known: dingtalk, email, feishu, slack, wecom'),
    ("    team:\n      type: slack\n      webhook_env: PTRACK_SLACK_WEBHOOK\n      colour: red\n",
     'ptrack.yaml:6:7: unknown setting "colour" for a slack channel; known: '
     + ", ".join(sorted({"digests", "type"} | set(CHANNELS["slack"].known_settings())))),
    ("    Team:\n      type: slack\n",
     'ptrack.yaml:3:5: channel name "Team" must use lower-case letters, digits, "-" and "_" (e.g. team-feishu)'),
    ("    team:\n      type: wecom\n      webhook_env: PTRACK_WECOM_WEBHOOK\n      digests: [boss]\n",
     "ptrack.yaml:6:16: digests must be a list of people, team"),
])
def test_bad_channel_settings_exit_2_with_their_line(run_cli, write, campaign, channel, message):
    write("ptrack.yaml", "notify:\n  channels:\n" + channel)
    code, out, err = run_cli("notify", "--dry-run", "--as-of", DAY)
    assert (code, out) == (2, "")
    assert err == f"ptrack: error: {message}\n"


@pytest.mark.parametrize("text, message", [
    ("site_url: acme.github.io/plans\n",
     'ptrack.yaml:1:11: site_url "acme.github.io/plans" is not a web address; write the address of the '
     "published site, e.g. https://acme.github.io/campaigns"),
    ("notify:\n  horizon_days: -1\n",
     "ptrack.yaml:2:17: notify.horizon_days must be a whole number of working days from 0 to 60 (default 3)"),
    ("notify:\n  when: daily\n",
     'ptrack.yaml:2:3: unknown notify setting "when"; known: channels, deadline_s, horizon_days, state'),
    ("notify:\n  deadline_s: 0\n",
     "ptrack.yaml:2:15: notify.deadline_s must be a number of seconds above 0 (at most 86400), e.g. 300: the "
     "whole run then stops sending after five minutes"),
    ("notify:\n  deadline_s: soon\n",
     "ptrack.yaml:2:15: notify.deadline_s must be a number of seconds above 0 (at most 86400), e.g. 300: the "
     "whole run then stops sending after five minutes"),
])
def test_bad_notify_settings(run_cli, write, campaign, text, message):
    write("ptrack.yaml", text)
    assert run_cli("notify", "--dry-run", "--as-of", DAY) == (2, "", f"ptrack: error: {message}\n")


def test_an_invalid_campaign_file_exits_1_and_the_others_still_get_digests(run_cli, write, campaign):
    write("campaigns/broken.yaml", "ptrack: 1\ncampaign: {id: broken}\n")
    code, out, err = run_cli("notify", "--dry-run", "--as-of", DAY)
    assert code == 1
    assert "campaigns/broken.yaml:2:11: 错误" in err
    assert "== Demo: team digest (2024-03-08) ==" in out


def test_the_example_as_of_2024_04_15(run_cli):
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "examples"
    code, out, err = run_cli("notify", str(example), "--dry-run", "--as-of", "2024-04-15")
    assert code == 0, err
    heads = [ln for ln in out.splitlines() if ln.startswith("-> ")]
    assert heads == [
        "-> 团队 · spring-launch-2024/@team/2024-04-15",
        "-> 王雪 (marketing-manager) · spring-launch-2024/marketing-manager/2024-04-15",
        "-> 刘畅 (ops-b) · spring-launch-2024/ops-b/2024-04-15",
        "-> 周婷 (content-c) · spring-launch-2024/content-c/2024-04-15",
        "-> 李国强 (sales-manager) · spring-launch-2024/sales-manager/2024-04-15",
        "-> 黄磊 (sales-d) · spring-launch-2024/sales-d/2024-04-15",
        "-> 郑浩 (tech-lead) · spring-launch-2024/tech-lead/2024-04-15",
        "-> 林晓 (data-analyst) · spring-launch-2024/data-analyst/2024-04-15",
    ]


def test_usage_errors_come_before_any_work(run_cli, write, campaign, tmp_path):
    # a broken send-once record is a usage error too, named, before the digests are computed
    write("ptrack.yaml", config(WECOM))
    write(".ptrack/notify-sent.json", "{not json")
    code, out, err = run_cli("notify", "--as-of", DAY, "--dry-run")
    assert (code, out) == (2, "")
    assert err.startswith("ptrack: error: ") and "notify-sent.json: not a ptrack notify send-once record" in err
