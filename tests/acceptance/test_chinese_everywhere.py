"""Chinese everywhere (issue 17 §5), end to end through the real command line.

Every command of ptrack runs on a realistic campaign (examples/double11.yaml, a 双11 promotion,
in a git repository with a ptrack.yaml) and on copies of it with the mistakes a Chinese keyboard
makes; every line either prints, on stdout and stderr, goes through a detector
(``tests.language_support``): a zh-CN run (and a zh-TW one) has no English word that is not a
name the user typed, a path, an id, an option, a metavar or a technical name; an en run has no
Chinese but the campaign's own text. Then the hints, message by message, exactly.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.language_support import (REPO, chinese_runs, commands_and_options, english_words, schema_words,
                                    texts_of)

EXAMPLE = REPO / "examples" / "double11.yaml"
AS_OF = "2024-10-15"
C = "campaigns/double11.yaml"
B = "broken/double11.yaml"
CONFIG = "title: 市场部活动看板\ncampaigns: campaigns/*.yaml\n"

# The mistakes a Chinese keyboard makes, in a copy of the campaign that still parses: a
# percentage where a number goes, dates written 2024/10/1 and 2024年11月20日, a full-width comma
# in a list, a full-width colon in a flow mapping, and a task id used twice.
MISTAKES = [
    ("    depends_on: [creative-concept]\n    progress: 75", "    depends_on: [creative-concept]\n    progress: 75%"),
    ("  end: 2024-11-20\n  calendar: CN", "  end: 2024年11月20日\n  calendar: CN"),
    ("    depends_on: [creative-concept]\n", "    depends_on: [creative-concept，strategy]\n"),
    ("  content: {name: 周婷,", "  content: {name：周婷,"),
    ("  - id: elevator-ads\n", "  - id: xhs-seeding\n"),
]
# Mistakes that stop the parser: a full-width colon after a key, a list item out of line
SYNTAX = {
    "colon": ("    progress: 45\n", "    progress：45\n"),
    "indent": ("  - id: coupon-setup\n", "   - id: coupon-setup\n"),
}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(cwd), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "王雪", "GIT_AUTHOR_EMAIL": "pm@example.com", "GIT_COMMITTER_NAME": "王雪",
                        "GIT_COMMITTER_EMAIL": "pm@example.com", "PATH": "/usr/bin:/bin",
                        "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd)})


def _campaign_text(locale: str) -> str:
    return EXAMPLE.read_text("utf-8").replace("  locale: zh-CN\n", f"  locale: {locale}\n")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A campaign repository: ptrack.yaml without a locale (each campaign speaks its own), the
    campaign in two commits (progress moved), the copies with mistakes beside it."""

    def make(locale: str) -> Path:
        root = tmp_path / f"repo-{locale}"
        (root / "campaigns").mkdir(parents=True)
        (root / "broken").mkdir()
        (root / "ptrack.yaml").write_text(CONFIG, encoding="utf-8")
        text = _campaign_text(locale)
        (root / C).write_text(text.replace("    progress: 45\n", "    progress: 30\n", 1), encoding="utf-8")
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "计划初稿")
        (root / C).write_text(text, encoding="utf-8")
        _git(root, "commit", "-q", "-am", "更新库存进度")
        broken = text
        for old, new in MISTAKES:
            assert old in broken, old
            broken = broken.replace(old, new, 1)
        (root / B).write_text(broken, encoding="utf-8")
        for name, (old, new) in SYNTAX.items():
            assert old in text, old
            (root / "broken" / f"{name}.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
        monkeypatch.chdir(root)
        return root

    return make


# Every command, on the campaign and on its broken copies. Data formats (JSON, CSV, ICS, the
# Mermaid file, the JSON schema) are for programs: their messages are checked, not their keys.
HUMAN_RUNS = [
    ["validate"],
    ["validate", B],
    ["validate", "broken/colon.yaml"],
    ["validate", "broken/indent.yaml"],
    ["check", "--as-of", AS_OF],
    ["check", "--as-of", AS_OF, "--format", "github"],
    ["check", B, "--as-of", AS_OF],
    ["check", B, "--as-of", AS_OF, "--format", "github"],
    ["status", "--as-of", AS_OF],
    ["status", "--as-of", AS_OF, "--format", "markdown"],
    ["status", "--as-of", AS_OF, "--by", "owner"],
    ["status", B, "--as-of", AS_OF],
    ["status", "--as-of", AS_OF, "--baseline", "HEAD~1"],
    ["build", "--as-of", AS_OF, "--out", "site"],
    ["build", B, "--as-of", AS_OF, "--out", "site2"],
    ["export", C, "--format", "csv", "-o", "t.csv", "--as-of", AS_OF],
    ["export", C, "--format", "ics", "-o", "t.ics", "--as-of", AS_OF],
    ["export", B, "--format", "csv", "-o", "b.csv", "--as-of", AS_OF],
    ["import", "t.csv", "-o", "imported.yaml"],
    ["update", C, "tmall-venue", "--progress", "80", "--note", "会场首屏已完成", "--as-of", AS_OF],
    ["update", C, "--goal", "new-members", "--value", "52000", "--date", AS_OF],
    ["update", C, "coupon-setup", "--end", "2024-09-01", "--as-of", AS_OF],  # before its start: refused
    ["update", B, "tmall-venue", "--progress", "80"],  # an invalid file is not updated
    ["update", C, "tmall-venu", "--progress", "80"],  # no such task
    # re-planning: the successors a move breaks and the command that moves them; the cascade's table,
    # its conflicts (started tasks, the fixed-date launch event) and the tasks past the campaign end
    ["update", C, "kv-design", "--planned-end", "2024-10-22", "--dry-run", "--as-of", AS_OF],
    ["update", C, "kv-design", "--planned-end", "2024-11-20", "--cascade", "--reason", "主视觉返稿", "--dry-run",
     "--as-of", AS_OF],
    ["update", C, "kv-design", "--cascade"],  # a usage error
    # next year's campaign: the table of what moved, what was cleared; its refusals
    ["clone", C, "-o", "next.yaml", "--to", "2025-11-11", "--anchor", "peak", "--person", "content=new-content:李娜"],
    ["clone", C, "-o", "next.yaml", "--to", "2025-11-11"],  # exists
    ["clone", C, "-o", "Next year.yaml", "--to", "2025-11-11"],
    ["clone", C, "-o", "n2.yaml", "--to", "2025-11-11", "--anchor", "peek"],
    ["clone", C, "-o", "n3.yaml", "--to", "2025-11-11", "--person", "content"],
    ["clone", B, "-o", "n4.yaml", "--to", "2025-11-11"],  # an invalid source: nothing cloned
    ["history", "--as-of", AS_OF, "--format", "csv"],
    ["history", B, "--as-of", AS_OF],
    ["diff", "--base", "HEAD~1", "--as-of", AS_OF],
    ["retro", C, "--as-of", AS_OF],
    ["retro", B, "--as-of", AS_OF],
    ["notify", "--dry-run", "--as-of", AS_OF],
    ["notify", B, "--dry-run", "--as-of", AS_OF],
    ["notify", "--as-of", AS_OF],  # no channel configured: a usage error
    ["comment", "README.md"],  # outside a merge-request pipeline: nothing posted, and why
    ["forms"],
    # usage errors: click's and ptrack's
    ["check", "--bogus"],
    ["export"],
    ["status", "--as-of", "2024/10/1"],
    ["check", "--format", "xml"],
    ["statu"],
    ["update", C, "tmall-venue"],
    ["update", C, "tmall-venue", "--progress", "150"],
    ["update", C, "--goal", "new-members", "--value", "60%"],
    ["status", "nope.yaml"],
    ["export", C, "--format", "xlsx", "-o", "-"],
    ["build", "--site-url", "acme.github.io/plans"],
]
DATA_FORMATS = {"json", "csv", "junit", "codequality"}  # stdout is data; stderr is still checked


def _runs(locale: str) -> list[list[str]]:
    init_lang = ["--lang", "en"] if locale == "en" else []
    return HUMAN_RUNS + [["init", "new-repo", *init_lang]] + [
        ["check", "--as-of", AS_OF, "--format", fmt] for fmt in ("json", "junit", "codequality")] + [
        ["status", "--as-of", AS_OF, "--format", "json"], ["history", "--as-of", AS_OF]]


def _is_data(args: list[str]) -> bool:
    fmt = args[args.index("--format") + 1] if "--format" in args else None
    return fmt in DATA_FORMATS or (args[0] == "history" and fmt in (None, "json", "csv"))


def _serve_lines(root: Path) -> list[str]:
    """ptrack serve's terminal, from start to Ctrl-C, with a save that has a mistake and its fix."""
    from tests.serve_support import ServeProcess

    campaign = root / C
    good = campaign.read_text("utf-8")
    with ServeProcess([C, "--port", "0", "--as-of", AS_OF], cwd=root) as server:
        server.wait_started()
        generation = server.state()["generation"]
        campaign.write_text(good.replace("    progress: 45\n", "    progress: 45%\n", 1), encoding="utf-8")
        state = server.wait_state(lambda s: s["problems"], what="the problem of the save")
        page = server.text("/double11-2024/")
        missing = server.get("/double11-2024/no-such-page.html")  # a mistyped address: the 404 page
        campaign.write_text(good, encoding="utf-8")
        server.wait_state(lambda s: not s["problems"] and s["generation"] != generation, what="the fixed build")
        assert server.stop() == 0
    overlay = page[page.index('<div id="ptrack-live-overlay"'):page.index("</pre></div>")]
    shown = re.sub(r"<[^>]+>", "\n", overlay).splitlines()  # what the overlay says, without its markup
    assert missing[0] == 404
    shown += re.sub(r"<[^>]+>", "\n", missing[2].decode("utf-8")).splitlines()
    return server.stdout + server.stderr + list(state["problems"]) + shown


def _outputs(run_cli, root: Path, locale: str) -> list[tuple[str, str]]:
    """(command, line) of everything every command printed."""
    (root / "README.md").write_text("### 计划变更\n", encoding="utf-8")
    seen: list[tuple[str, str]] = []
    for args in _runs(locale):
        code, out, err = run_cli(*args)
        assert "Traceback" not in out + err, (args, err)
        shown = " ".join(args)
        if _is_data(args):
            if args[0] == "check" and args[-1] == "json":
                seen += [(shown, f["message"]) for f in json.loads(out)["findings"]]
            out = ""
        seen += [(shown, line) for line in (out + err).splitlines() if line.strip()]
    seen += [("serve", line) for line in _serve_lines(root) if line.strip()]
    return seen


@pytest.mark.parametrize("locale", ["zh-CN", "zh-TW"])
def test_every_command_speaks_chinese(run_cli, project, locale):
    root = project(locale)
    allowed = schema_words() | commands_and_options() | texts_of(root / C, root / "ptrack.yaml")
    # what the user typed may be said back ("没有这个命令：statu")
    english = [(command, line, words) for command, line in _outputs(run_cli, root, locale)
               if (words := english_words(line, allowed | set(re.findall(r"[A-Za-z]{2,}", command))))]
    assert english == [], "\n".join(f"{c} | {line} | {w}" for c, line, w in english)


def test_every_command_speaks_english(run_cli, project):
    root = project("en")
    own = (root / C).read_text("utf-8") + (root / "ptrack.yaml").read_text("utf-8") + "计划初稿更新库存进度王雪"
    # what the user typed may be said back ("reason: 主视觉返稿")
    chinese = [(command, line, runs) for command, line in _outputs(run_cli, root, "en")
               if (runs := chinese_runs(line, own + command))]
    assert chinese == [], "\n".join(f"{c} | {line} | {r}" for c, line, r in chinese)


# -- the hints, exactly -----------------------------------------------------------------------------

@pytest.fixture
def here(tmp_path, monkeypatch):
    """An empty repository as the current folder (no ptrack.yaml above it)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


SMALL = """\
ptrack: 1
campaign:
  id: spring
  name: 春季上新
  start: 2024-03-01
  end: 2024-05-31
  locale: {locale}
people:
  wang: {{name: 王雪}}
  li: {{name: 李强}}
tasks:
  - id: poster-draft
    name: 海报初稿
    owner: wang
    planned: {{start: 2024-03-01, end: 2024-03-10}}
  - id: copy
    name: 文案
    owner: li
    depends_on: [poster-draft]
    planned: {{start: 2024-03-01, end: 2024-03-10}}
"""


def _validate(run_cli, tmp_path, old: str, new: str, locale: str = "zh-CN") -> tuple[int, str, str]:
    text = SMALL.format(locale=locale)
    assert old in text, old
    (tmp_path / "c.yaml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return run_cli("validate", "c.yaml")


@pytest.mark.parametrize("old, new, line", [
    pytest.param("    owner: wang\n    planned", "    owner: wang\n    progress：40\n    planned",
                 "c.yaml:15:13: 错误 [syntax] 第 15 行：“progress”后面的冒号是全角冒号“：”，YAML 要用半角冒号加空格：progress: 40",
                 id="fullwidth-colon-after-a-key"),
    pytest.param("  wang: {name: 王雪}", "  wang: {name：王雪}",
                 "c.yaml:9:10: 错误 [schema] 人员 wang：未知的键“name：王雪”；其中有全角冒号“：”：要用半角冒号加空格，写成 name: 王雪",
                 id="fullwidth-colon-in-a-mapping"),
    pytest.param("depends_on: [poster-draft]", "depends_on: [poster-draft，wang]",
                 "c.yaml:19:18: 错误 [schema] 任务 copy 的 depends_on[0]：“poster-draft，wang”不是有效的编号：只能用小写字母、"
                 "数字和“-”，并以字母或数字开头（例如 poster-draft）；其中有全角逗号“，”：列表各项之间要用半角逗号分隔，"
                 "写成 [poster-draft, wang]",
                 id="fullwidth-comma"),
    pytest.param("    owner: wang\n    planned", "    owner: wang\n    progress: 60%\n    planned",
                 "c.yaml:15:15: 错误 [schema] 任务 poster-draft 的 progress：应为数字，实际是文本“60%”；写成 60，不带 % 号",
                 id="percent"),
    pytest.param("end: 2024-03-10}\n  - id: copy", "end: 2024/10/1}\n  - id: copy",
                 "c.yaml:15:39: 错误 [schema] 任务 poster-draft 的 planned.end：“2024/10/1”不是日期；日期要写成 YYYY-MM-DD，"
                 "即 2024-10-01",
                 id="slash-date"),
    pytest.param("  end: 2024-05-31", "  end: 2024年10月1日",
                 "c.yaml:6:8: 错误 [schema] campaign.end：“2024年10月1日”不是日期；日期要写成 YYYY-MM-DD，即 2024-10-01",
                 id="chinese-date"),
    pytest.param("  - id: copy", "   - id: copy",
                 "c.yaml:16:4: 错误 [syntax] 第 16 行：这个列表项的“-”在第 4 列，但从第 12 行开始的列表，各项的“-”都在第 3 列：请对齐",
                 id="dash-indicator-item-out-of-line"),
    pytest.param("    name: 文案", "  name: 文案",
                 "c.yaml:17:3: 错误 [syntax] 第 17 行从第 3 列开始，这正是从第 12 行开始的列表各项“- ”所在的列，但它不是列表项："
                 "如果它属于上一项，请缩进到第 5 列，与上一项的键对齐；如果是新的一项，请在前面加上“- ”",
                 id="dash-indicator-key-at-the-dash"),
    pytest.param("    name: 文案", "\u3000  name: 文案",
                 "c.yaml:17:1: 错误 [syntax] 第 17 行用全角空格“　”缩进了；缩进只能用半角空格",
                 id="fullwidth-space"),
])
def test_a_chinese_keyboard_s_mistake_gets_its_fix_on_its_line(run_cli, here, tmp_path, old, new, line):
    code, out, err = _validate(run_cli, tmp_path, old, new)
    assert (code, out, err) == (1, line + "\n", "1 个错误，0 个警告，0 个提示（共 1 个文件）\n")


@pytest.mark.parametrize("locale, line", [
    ("en", 'c.yaml:15:15: error [schema] tasks[poster-draft].progress: expected a number, got text "60%"; '
           "write 60, without the % sign"),
    ("zh-TW", "c.yaml:15:15: 錯誤 [schema] 任務 poster-draft 的 progress：應為數字，實際是文字“60%”；寫成 60，不帶 % 號"),
])
def test_the_hint_in_the_campaign_s_language(run_cli, here, tmp_path, locale, line):
    code, out, _ = _validate(run_cli, tmp_path, "    owner: wang\n    planned", "    owner: wang\n    progress: 60%\n    planned",
                             locale)
    assert (code, out) == (1, line + "\n")


def test_the_parser_s_dash_indicator_in_plain_words_in_english(run_cli, here, tmp_path):
    code, out, _ = _validate(run_cli, tmp_path, "  - id: copy", "   - id: copy", "en")
    assert out == ("c.yaml:16:4: error [syntax] line 16: this list item's “-” is at column 4, but the items of the list "
                   "that starts at line 12 have theirs at column 3: line them up\n")


def test_a_duplicate_task_id_is_one_error(run_cli, here, tmp_path):
    # The second "poster-draft" was "copy": copy depended on poster-draft, and a milestone lists
    # both. One error, at the second id; no dependency cycle, no unknown task after it.
    text = SMALL.format(locale="zh-CN").replace("  - id: copy", "  - id: poster-draft") + (
        "milestones:\n  - {id: m1, name: 初稿完成, date: 2024-03-10, tasks: [poster-draft]}\n")
    (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
    code, out, err = run_cli("validate", "c.yaml")
    assert (code, out, err) == (1, "c.yaml:16:9: 错误 [duplicate-id] 任务编号“poster-draft”重复了（第 12 行已用过）\n",
                                "1 个错误，0 个警告，0 个提示（共 1 个文件）\n")


def test_click_s_usage_errors_in_the_command_s_language(run_cli, here, tmp_path):
    (tmp_path / "c.yaml").write_text(SMALL.format(locale="zh-CN"), encoding="utf-8")
    assert run_cli("check", "c.yaml", "--bogus") == (
        2, "", "用法： ptrack check [OPTIONS] [PATHS]...\n运行“ptrack check --help”查看帮助。\n\n错误：没有这个选项：--bogus。\n")
    code, _, err = run_cli("status", "c.yaml", "--as-of", "2024/10/1")
    assert (code, err) == (2, "ptrack：错误：--as-of：“2024/10/1”不是日期；日期要写成 YYYY-MM-DD，即 2024-10-01\n")
    code, _, err = run_cli("check", "c.yaml", "--format", "xml")
    assert err.endswith("错误：'--format' 的值无效：'xml' 不是 'text', 'github', 'json', 'junit', 'codequality' 之一。\n")
    code, _, err = run_cli("export")
    assert err.endswith("错误：缺少参数 'PATH'.\n")
    # --help stays in English, as the option texts are
    code, out, _ = run_cli("check", "--help")
    assert code == 0 and out.startswith("Usage: ptrack check [OPTIONS] [PATHS]...")
