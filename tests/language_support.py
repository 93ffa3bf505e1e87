"""What language a line of ptrack's output is in: a detector of English sentences in Chinese
output (and of Chinese in English output), for the end-to-end tests of "Chinese everywhere".

A line of a zh-CN (or zh-TW) run passes when every ASCII word of two letters or more in it is
one of:

- a name the user typed or will type: a key or a value of the campaign format (``progress``,
  ``planned``, ``weekends``: from the JSON schema), an option (``--as-of``), a command of ptrack
  (``ptrack check``), a rule id (``[risk-overdue]``), an id (``poster-draft``);
- a path, a file name, a URL, an e-mail address, a metavar (``PATHS``, ``TASK_ID``), a number
  with its unit (``0.5 s``, ``64 KiB``);
- the campaign's own text (a name, a note, a person's id), the value a message quotes;
- a technical name every language writes in Latin letters (YAML, Excel, GitHub, UTF-8...).

Anything else is English that reached a Chinese reader: ``english_words`` returns it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# Names every language writes in Latin letters (products, formats, protocols), and ptrack's own
TECHNICAL = frozenset("""
ptrack YAML yaml JSON json CSV csv XLSX xlsx xls HTML html PNG png SVG svg ICS ics UTF utf Excel
Git git GitHub GitLab JiHu Tab Unicode HTTP HTTPS http https TLS SMTP Ctrl Mermaid mermaid holidays
matplotlib Noto Sans CJK Debian Ubuntu Fedora macOS Windows apt dnf fonts noto google
Feishu feishu DingTalk dingtalk WeCom wecom Slack slack email open_id user_id userId userid ou
Chromium Pages Actions OS ok
""".split())

# The value a message quotes ("“60%”", '"lots"') is the user's own text: quoted spans are skipped
_QUOTED = re.compile(r"“[^”]*”|「[^」]*」|\"[^\"]*\"|'[^']*'|`[^`]*`")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PATH = re.compile(r"(?:[\w.@~-]*/)+[\w.@*~-]*|\b[\w@~-]+\.[A-Za-z][\w]*\b")  # a/b/c, file.yaml, x.y.z
_OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
_KEBAB = re.compile(r"\b[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)+\b")  # poster-draft, risk-overdue, task_id
_CODE = re.compile(r"\[[a-z][a-z0-9-]*\]")  # [syntax], [risk-overdue]: a rule or problem code
# GitHub's workflow command around an annotation: ::error file=…,line=…,col=…,title=…::
_ANNOTATION = re.compile(r"^::(?:error|warning|notice) [^:]*(?:%3A[^:]*)*::")
_UPPER = re.compile(r"\b[A-Z][A-Z0-9_]+\b")  # PATHS, TASK_ID, CN, YYYY
_SHA = re.compile(r"\b[0-9a-f]{7,40}\b")  # a commit
_DOTFILE = re.compile(r"(?<![\w.])\.[A-Za-z][\w.-]*")  # .gitignore, .ptrack/
_UNIT = re.compile(r"\b\d[\d,.]*\s?(?:s|ms|KiB|MiB|MB|KB|GB|px|em|%)\b")
_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def schema_words() -> set[str]:
    """Every key and enum value of the campaign format (the words a campaign file is made of)."""
    schema = json.loads((REPO / "src" / "ptrack" / "schema" / "campaign.schema.json").read_text("utf-8"))
    words: set[str] = set()

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("properties", "definitions", "patternProperties"):
                    words.update(value)
                    for child in value.values():
                        walk(child)
                elif key == "enum":
                    words.update(str(v) for v in value)
                elif key not in ("title", "description", "examples", "$comment"):
                    walk(value)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    return {part for word in words for part in re.split(r"[^A-Za-z]+", str(word)) if part} | words


def texts_of(*paths: Path) -> set[str]:
    """The words of the campaign files' own text (names, notes, ids, people...): what a message
    may quote."""
    words: set[str] = set()
    for path in paths:
        words.update(_WORD.findall(path.read_text("utf-8")))
    return words


# The words an option takes as its value (``--baseline first``, ``--start today``)
OPTION_VALUES = frozenset(("first", "none", "today"))


def commands_and_options() -> set[str]:
    """ptrack's commands and the words of its options (``as``, ``of`` of ``--as-of`` are taken
    out with the option; a command name stands alone in a usage line) and their values."""
    from ptrack.cli import cli

    words = set(cli.commands) | OPTION_VALUES
    for command in cli.commands.values():
        for param in command.params:
            for opt in getattr(param, "opts", ()):
                words.update(_WORD.findall(opt))
            words.update(_WORD.findall(str(getattr(param, "metavar", "") or "")))
    return words


def english_words(line: str, allowed: set[str]) -> list[str]:
    """The English words of ``line`` that are none of the allowed kinds (see the module)."""
    rest = line
    for pattern in (_ANNOTATION, _URL, _EMAIL, _QUOTED, _CODE, _OPTION, _PATH, _DOTFILE, _KEBAB, _SHA, _UNIT, _UPPER):
        rest = pattern.sub(" ", rest)
    return [w for w in _WORD.findall(rest) if w not in allowed and w not in TECHNICAL]


def chinese_runs(line: str, allowed_text: str) -> list[str]:
    """The runs of Chinese characters in ``line`` that are not part of ``allowed_text`` (the
    campaign's own text): Chinese that reached an English reader."""
    return [run for run in _CJK.findall(_QUOTED.sub(" ", line)) if run not in allowed_text]
