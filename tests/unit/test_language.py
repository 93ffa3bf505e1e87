"""The language of what ptrack says: messages said later (``M_``), the command's language
(``ptrack.process.command_locale``), places named by id, click's words in the catalogs."""

from __future__ import annotations

import pytest

from ptrack import process
from ptrack.core.diagnostics import describe_path, format_json_path, item_names
from ptrack.core.loader import parse_yaml, sniff_locale
from ptrack.errors import UsageError
from ptrack.i18n import M_, Joined, os_problem, say


def test_a_message_is_said_in_the_language_it_is_read_in():
    message = M_("loader.no_such_file", file="c.yaml")
    assert message.text("zh-CN") == "c.yaml：文件不存在"
    assert message.text("zh-TW") == "c.yaml：檔案不存在"
    assert str(message) == message.text("en") == "c.yaml: no such file"
    # a value may be a message itself, said in the same language
    nested = M_("config.at", where="ptrack.yaml:2:1", problem=M_("config.policy_mapping"))
    assert nested.text("zh-CN") == "ptrack.yaml:2:1：policy 应是映射（键: 值）"
    assert Joined([message, "x"]).text("en") == "c.yaml: no such file; x"
    assert Joined([message, "x"]).text("zh-CN") == "c.yaml：文件不存在；x"  # the language's semicolon
    assert say(42, "zh-CN") == 42 and say("text", "zh-CN") == "text"
    assert M_("loader.empty") == M_("loader.empty") and hash(M_("loader.empty")) == hash(M_("loader.empty"))


def test_an_error_carries_its_message_until_it_is_printed():
    error = UsageError(M_("loader.permission_denied", file="c.yaml"))
    assert str(error) == "c.yaml: permission denied"
    assert error.text("zh-CN") == "c.yaml：没有读取权限"
    assert UsageError("plain text").text("zh-CN") == "plain text"


def test_the_file_system_s_refusals_in_words():
    import errno

    full = OSError(errno.ENOSPC, "No space left on device", "site/index.html")
    assert say(os_problem(full), "zh-CN") == "site/index.html：磁盘空间不足"
    assert say(os_problem(full, with_file=False), "en") == "no space left on the disk"
    odd = OSError(errno.ELOOP, "Too many levels of symbolic links")
    assert say(os_problem(odd), "zh-CN") == "Too many levels of symbolic links"  # no words of ours: the system's


@pytest.fixture
def in_folder(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()  # ptrack.yaml is looked for up to here
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _locale(args) -> str:
    process.set_command(args)
    return process.command_locale()


def test_the_command_s_language(in_folder):
    # nothing says a language: zh-CN
    assert _locale(["status"]) == "zh-CN"
    # the first campaign's (named, or the default glob's), read from its text even when it does not parse
    (in_folder / "a.yaml").write_text("campaign: {id: a, locale: en}\ntasks: [\n", encoding="utf-8")
    assert _locale(["check", "a.yaml"]) == "en"
    (in_folder / "campaigns").mkdir()
    (in_folder / "campaigns" / "b.yaml").write_text("campaign:\n  locale: zh-TW\n", encoding="utf-8")
    assert _locale(["check"]) == "zh-TW"
    # ptrack.yaml's locale wins over the campaigns'
    (in_folder / "ptrack.yaml").write_text("title: x\nlocale: en\n", encoding="utf-8")
    assert _locale(["check"]) == "en"
    # --lang wins over everything; an invalid --lang is not taken
    assert _locale(["check", "--lang", "zh-TW"]) == "zh-TW"
    assert _locale(["check", "--lang=zh-CN"]) == "zh-CN"
    assert _locale(["check", "--lang", "fr"]) == "en"
    # a command that learns better says so
    process.set_command(["check"])
    process.set_command_locale("zh-TW")
    assert process.command_locale() == "zh-TW"


def test_a_special_file_has_no_language(in_folder):
    import os

    os.mkfifo(in_folder / "fifo.yaml")
    assert _locale(["validate", "fifo.yaml"]) == "zh-CN"  # found without opening the FIFO for long


@pytest.mark.parametrize("text, expected", [
    ("campaign:\n  id: a\n  locale: en\n", "en"),
    ("campaign: {id: a, name: x, locale: zh-TW}\n", "zh-TW"),
    ("campaign:\n  locale: 'zh-CN'   # 中文\n", "zh-CN"),
    ("title: x\n", None),
])
def test_sniff_locale(text, expected):
    assert sniff_locale(text) == expected


def test_places_are_named_by_id():
    doc = parse_yaml("tasks:\n  - id: poster-draft\n    risks:\n      - {id: r1}\n      - {issue: x}\n"
                     "  - {name: no id}\npeople: {wang: {name: 王}}\n")
    root = doc.data
    path = ("tasks", 0, "risks", 0, "due")
    names = item_names(root, path)
    assert names == (None, "poster-draft", None, "r1")  # as far as the path exists
    assert format_json_path(path, names) == "tasks[poster-draft].risks[r1].due"
    assert format_json_path(path) == "tasks[0].risks[0].due"
    assert describe_path(path, names, "en") == "tasks[poster-draft].risks[r1].due"
    assert describe_path(path, names, "zh-CN") == "任务 poster-draft 的 风险 r1 的 due"
    second = ("tasks", 0, "risks", 1, "due")
    assert describe_path(second, item_names(root, second), "zh-CN") == "任务 poster-draft 的 risks[1].due"
    no_id = ("tasks", 1, "name")
    assert describe_path(no_id, item_names(root, no_id), "zh-CN") == "tasks[1].name"
    assert describe_path(("people", "wang", "email"), (), "zh-TW") == "人員 wang 的 email"
    assert describe_path(("campaign", "end"), (), "zh-CN") == "campaign.end"
    # the source map names them as it locates them (what check --format json's id_path shows)
    assert doc.source.locate(path).id_path == "tasks[poster-draft].risks[r1].due"


def test_click_speaks_the_command_s_language_only_while_a_command_runs():
    import click.core
    import gettext

    from ptrack.usage import click_in_language

    before = click.core._
    with click_in_language(lambda: "zh-CN"):
        assert click.core._("Missing argument") == "缺少参数"
        assert click.core._("a text click adds later") == "a text click adds later"
        assert click.core.ngettext("Got unexpected extra argument ({args})",
                                   "Got unexpected extra arguments ({args})", 2) == "多出了参数（{args}）"
    assert click.core._ is before is gettext.gettext
