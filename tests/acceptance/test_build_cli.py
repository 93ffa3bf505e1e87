"""`ptrack build` end to end: the files it writes, byte-for-byte determinism, exit codes and
diagnostics, languages, the missing-font warning and atomic writes.

``run_cli`` (tests/conftest.py) runs ``ptrack.cli.main(argv)`` in this process and returns
``(code, stdout, stderr)``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from ptrack.render.site import MANIFEST

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "campaign.yaml"
AS_OF = "2024-04-15"
CID = "spring-launch-2024"

# DESIGN §7, for the example (27 tasks: one Gantt page), and the build's manifest.
EXAMPLE_TREE = sorted([
    ".ptrack-build",
    "index.html",
    "status.json",
    "assets/gantt.css",
    "assets/gantt.js",
    "assets/ptrack.css",
    "assets/ptrack.js",
    f"{CID}/index.html",
    f"{CID}/report.md",
    f"{CID}/gantt.png",
    f"{CID}/gantt.svg",
    f"{CID}/trend.png",
    f"{CID}/goals.png",
    f"{CID}/status.json",
    f"{CID}/tracking.csv",
    f"{CID}/tracking.xlsx",
    "schema/campaign-1.schema.json",  # the campaign schema, for editors, at its $id's path
    # a page and a calendar feed per person of the example's people: section
    *(f"people/{pid}/{name}" for pid in ("marketing-director", "marketing-manager", "ops-b", "content-c",
                                         "design-lead", "designer-a", "sales-manager", "sales-d", "channel-e",
                                         "tech-lead", "data-analyst")
      for name in ("index.html", "tasks.ics")),
])

SMALL = """\
ptrack: 1
campaign: {{id: {id}, name: {name}, start: 2024-03-01, end: 2024-03-31, calendar: none, locale: {locale}}}
tasks:
  - id: poster
    name: 海报设计
    module: 内容营销
    owner: 王雪
    planned: {{start: 2024-03-01, end: 2024-03-10}}
    actual: {{start: 2024-03-01}}
    progress: 30
"""

# planned.end before planned.start: a validation error at line 7
INVALID = """\
ptrack: 1
campaign: {id: broken, name: 坏文件, start: 2024-03-01, end: 2024-03-31, calendar: none}
tasks:
  - id: poster
    name: 海报设计
    planned:
      start: 2024-03-10
      end: 2024-03-01
"""


def tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def contents(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in tree(folder)}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder: no ptrack.yaml above, relative paths under tmp_path."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def example_site(tmp_path_factory):
    """The example built once (in process) for the tests that only read it."""
    from ptrack.cli import main

    out = tmp_path_factory.mktemp("example") / "site"
    with pytest.raises(SystemExit) as exit_info:
        main(["build", str(EXAMPLE), "--out", str(out), "--as-of", AS_OF])
    assert exit_info.value.code == 0
    return out


def test_writes_exactly_the_designed_tree(run_cli, tmp_path):
    code, out, err = run_cli("build", EXAMPLE, "--out", tmp_path / "site", "--as-of", AS_OF)
    assert code == 0, err
    assert tree(tmp_path / "site") == EXAMPLE_TREE
    # the example's language (zh-CN); "wrote 38 files for 1 campaign to … (open …)" with --lang en
    assert out == f"已写入 38 个文件（1 个活动）到 {tmp_path / 'site'}（打开 {tmp_path / 'site' / 'index.html'}）\n"
    assert "Traceback" not in err


def test_default_out_is_site_and_as_of_from_the_environment(run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("PTRACK_AS_OF", AS_OF)
    shutil.copy(EXAMPLE, tmp_path / "c.yaml")
    code, _, err = run_cli("build", "c.yaml")
    assert code == 0, err
    assert tree(tmp_path / "site") == EXAMPLE_TREE
    assert json.loads((tmp_path / "site" / "status.json").read_text(encoding="utf-8"))["as_of"] == AS_OF


def test_same_inputs_give_identical_bytes(run_cli, tmp_path):
    for out in ("first", "again"):
        code, _, err = run_cli("build", EXAMPLE, "--out", tmp_path / out, "--as-of", AS_OF)
        assert code == 0, err
    first, second = contents(tmp_path / "first"), contents(tmp_path / "again")
    assert sorted(first) == sorted(second) == EXAMPLE_TREE
    different = [name for name in first if first[name] != second[name]]
    assert different == []
    # a rebuild over the same folder changes nothing either
    code, _, err = run_cli("build", EXAMPLE, "--out", tmp_path / "again", "--as-of", AS_OF)
    assert code == 0 and contents(tmp_path / "again") == first


def test_charts_in_a_child_process_or_in_this_one_give_the_same_bytes(run_cli, tmp_path, monkeypatch):
    # On Linux the charts render in a forked child while the parent writes the rest;
    # PTRACK_PARALLEL=0 renders them here. The site must not depend on which.
    code, _, err = run_cli("build", EXAMPLE, "--out", tmp_path / "forked", "--as-of", AS_OF)
    assert code == 0, err
    monkeypatch.setenv("PTRACK_PARALLEL", "0")
    code, _, err = run_cli("build", EXAMPLE, "--out", tmp_path / "here", "--as-of", AS_OF)
    assert code == 0, err
    forked, here = contents(tmp_path / "forked"), contents(tmp_path / "here")
    assert sorted(forked) == sorted(here) == EXAMPLE_TREE
    assert [name for name in forked if forked[name] != here[name]] == []


# Which process a flaky renderer fails in, told apart by pid and parent pid from the build's own.
_IN_THE_CHART_PROCESS = "chart process"  # the build's child: draws the Gantt pages
_IN_ITS_CHILD = "small charts process"  # the chart process's child: draws goals.png and trend.png


@pytest.mark.parametrize(("module", "function", "fails_in"), [
    # the chart process dies: the build's own process draws everything again
    ("gantt", "draw_gantt", _IN_THE_CHART_PROCESS),
    # the small charts process dies: the chart process draws goals.png and trend.png itself
    ("charts", "draw_goals_chart", _IN_ITS_CHILD),
])
def test_a_failing_chart_process_falls_back_to_the_one_above_it(run_cli, tmp_path, monkeypatch, module, function,
                                                                 fails_in):
    # The site is complete and byte for byte the same as a build whose processes succeeded.
    import importlib

    owner = importlib.import_module(f"ptrack.render.{module}")
    code, _, err = run_cli("build", EXAMPLE, "--out", tmp_path / "good", "--as-of", AS_OF)
    assert code == 0, err
    real = getattr(owner, function)
    parent = os.getpid()
    marker = tmp_path / "failed"

    def flaky(*args, **kwargs):
        here = os.getpid() != parent and (fails_in == _IN_THE_CHART_PROCESS or os.getppid() != parent)
        if here:
            marker.touch()
            raise RuntimeError(f"{fails_in} failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, function, flaky)
    code, _, err = run_cli("build", EXAMPLE, "--out", tmp_path / "site", "--as-of", AS_OF)
    assert code == 0, err
    assert "Traceback" not in err
    assert marker.exists()  # that process did fail
    assert tree(tmp_path / "site") == EXAMPLE_TREE
    assert contents(tmp_path / "site") == contents(tmp_path / "good")


def test_the_manifest_lists_what_the_build_wrote(example_site):
    lines = (example_site / ".ptrack-build").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ptrack build:")
    assert lines[1:] == [name for name in EXAMPLE_TREE if name != ".ptrack-build"]  # sorted


def test_a_campaign_taken_out_leaves_the_site_and_files_of_the_users_stay(run_cli, tmp_path, write):
    write("a.yaml", SMALL.format(id="alpha", name="Alpha", locale="en"))
    write("b.yaml", SMALL.format(id="beta", name="Beta", locale="en"))
    site = tmp_path / "site"
    code, _, err = run_cli("build", "a.yaml", "b.yaml", "--out", site, "--as-of", "2024-03-05")
    assert code == 0, err
    (site / "CNAME").write_text("status.example.com\n")  # the user's, never ptrack's
    (site / "beta" / "notes.txt").write_text("mine\n")
    before = tree(site)
    code, out, err = run_cli("build", "a.yaml", "--out", site, "--as-of", "2024-03-05")
    assert code == 0, err
    beta = [name for name in before if name.startswith("beta/") and name != "beta/notes.txt"]
    assert len(beta) == 9  # index, report, 2 Gantt files, 2 charts, status.json, csv, xlsx
    assert f"removed {len(beta)} files of the previous build" in out
    # beta's files are gone; its folder stays for the user's note; the rest is this build's
    assert tree(site) == sorted(set(before) - set(beta))
    assert (site / "CNAME").read_text() == "status.example.com\n"
    portfolio = (site / "index.html").read_text(encoding="utf-8")
    assert "alpha/index.html" in portfolio and "beta/" not in portfolio
    # without the user's note the folder goes too
    (site / "beta" / "notes.txt").unlink()
    write("b.yaml", SMALL.format(id="beta", name="Beta", locale="en"))
    assert run_cli("build", "a.yaml", "b.yaml", "--out", site, "--as-of", "2024-03-05")[0] == 0
    assert run_cli("build", "a.yaml", "--out", site, "--as-of", "2024-03-05")[0] == 0
    assert not (site / "beta").exists()


def test_gantt_pages_no_longer_needed_are_removed(run_cli, tmp_path, monkeypatch):
    from ptrack.render import gantt

    site = tmp_path / "site"
    # 27 tasks + 4 module rows in pages of 12 (page 1: 12 - (4 + 1.6 rounded up) = 6): 4 pages
    monkeypatch.setattr(gantt, "ROWS_PER_PAGE", 12)
    assert run_cli("build", EXAMPLE, "--out", site, "--as-of", AS_OF)[0] == 0
    assert {"gantt-2.png", "gantt-3.png", "gantt-4.png"} <= {p.name for p in (site / CID).iterdir()}
    monkeypatch.setattr(gantt, "ROWS_PER_PAGE", 60)
    code, out, err = run_cli("build", EXAMPLE, "--out", site, "--as-of", AS_OF)
    assert code == 0, err
    assert "删除了上次构建的 3 个文件" in out
    assert tree(site) == EXAMPLE_TREE


def test_a_file_of_the_previous_build_that_cannot_be_removed_is_a_warning(run_cli, tmp_path, monkeypatch):
    from ptrack.render import gantt

    # a copy outside git: stderr holds the warning alone (in this repository the example is
    # committed after 2024-04-15, which the build would note)
    example = Path(shutil.copy(EXAMPLE, tmp_path / "campaign.yaml"))
    site = tmp_path / "site"
    monkeypatch.setattr(gantt, "ROWS_PER_PAGE", 12)
    assert run_cli("build", example, "--out", site, "--as-of", AS_OF)[0] == 0
    monkeypatch.setattr(gantt, "ROWS_PER_PAGE", 60)
    real_unlink = Path.unlink

    def unlink(self, *args, **kwargs):
        if self.name == "gantt-2.png":
            raise PermissionError(13, "Permission denied")
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    code, out, err = run_cli("build", example, "--out", site, "--as-of", AS_OF)
    assert code == 0  # the site is built; the leftover is only reported
    assert "删除了上次构建的 2 个文件" in out  # gantt-3.png, gantt-4.png
    assert err == f"ptrack：警告：无法删除上次构建的文件：{CID}/gantt-2.png：没有权限\n"
    assert (site / CID / "gantt-2.png").exists() and not (site / CID / "gantt-3.png").exists()
    # the manifest still names it: the next build tries again, and succeeds
    assert f"{CID}/gantt-2.png\n" in (site / MANIFEST).read_text(encoding="utf-8")
    monkeypatch.setattr(Path, "unlink", real_unlink)
    code, out, err = run_cli("build", example, "--out", site, "--as-of", AS_OF)
    assert (code, err) == (0, "") and "删除了上次构建的 1 个文件" in out
    assert tree(site) == EXAMPLE_TREE


def test_a_manifest_never_leads_outside_the_site(run_cli, tmp_path):
    """A manifest edited by hand (or by someone else) cannot make a build delete anything outside
    its folder: parent paths, absolute paths and folders that are links leading out are ignored."""
    site = tmp_path / "site"
    site.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("keep.txt", "linked.txt"):
        (outside / name).write_text("precious\n")
    (site / "escape").symlink_to(outside, target_is_directory=True)
    (site / "mine.txt").write_text("mine\n")
    (site / MANIFEST).write_text("\n".join([
        "../outside/keep.txt", str(outside / "keep.txt"), "escape/linked.txt", "./mine.txt",
        "sub/../mine.txt", "..\\outside\\keep.txt", "", "# a comment",
    ]) + "\n")
    code, out, err = run_cli("build", EXAMPLE, "--out", site, "--as-of", AS_OF)
    assert code == 0, err
    assert "removed" not in out and "warning" not in err
    assert sorted(p.name for p in outside.iterdir()) == ["keep.txt", "linked.txt"]
    assert (site / "mine.txt").exists() and (site / "escape").is_symlink()


def test_other_as_of_changes_the_pages(run_cli, tmp_path, example_site):
    code, _, _ = run_cli("build", EXAMPLE, "--out", tmp_path / "later", "--as-of", "2024-04-22")
    assert code == 0
    assert (tmp_path / "later" / CID / "index.html").read_bytes() != (example_site / CID / "index.html").read_bytes()
    assert "2024-04-22" in (tmp_path / "later" / "index.html").read_text(encoding="utf-8")


def test_status_json_files(example_site):
    from datetime import date

    from ptrack.core.config import load_config
    from ptrack.git.history import load_history
    from ptrack.pipeline import status_of
    from ptrack.reporters import status_json

    top = json.loads((example_site / "status.json").read_text(encoding="utf-8"))
    one = json.loads((example_site / CID / "status.json").read_text(encoding="utf-8"))
    assert top["as_of"] == one["as_of"] == AS_OF
    assert [c["id"] for c in top["campaigns"]] == [CID]
    assert one == top  # one campaign: the same document
    # What `ptrack status --format json` says, with `--baseline first` when git knows the example
    # (the build's default baseline; a source tree without git has none).
    with load_history(EXAMPLE) as history:
        baseline = "first" if history.in_git else None
    expected = status_json(status_of([EXAMPLE], load_config(REPO), date(2024, 4, 15), baseline=baseline))
    assert json.loads(expected)["campaigns"][0]["tasks"] == one["campaigns"][0]["tasks"]
    assert json.loads(expected)["campaigns"][0].get("baseline") == one["campaigns"][0].get("baseline")


def test_pages_link_their_files_and_the_assets(example_site):
    page = (example_site / CID / "index.html").read_text(encoding="utf-8")
    for name in ("gantt.png", "gantt.svg", "goals.png", "trend.png", "report.md", "status.json",
                 "tracking.csv", "tracking.xlsx", "../assets/ptrack.css", "../assets/ptrack.js", "../assets/gantt.css",
                 "../assets/gantt.js", "../index.html"):
        assert f'"{name}"' in page, name
    portfolio = (example_site / "index.html").read_text(encoding="utf-8")
    assert f'href="{CID}/index.html"' in portfolio and 'href="assets/ptrack.css"' in portfolio
    assert not re.search(r'(src|href)="(https?:)?//', page + portfolio)  # nothing from the network
    assert '<html lang="zh-CN">' in page


def test_several_campaigns_sorted_by_id(run_cli, tmp_path, write):
    write("b.yaml", SMALL.format(id="beta", name="乙活动", locale="zh-CN"))
    write("a.yaml", SMALL.format(id="alpha", name="Alpha launch", locale="en"))
    code, out, err = run_cli("build", tmp_path, "--out", tmp_path / "site", "--as-of", "2024-03-05")
    assert code == 0, err
    assert "for 2 campaigns" in out
    site = tmp_path / "site"
    assert {p.split("/")[0] for p in tree(site)} == {"alpha", "beta", "assets", "schema", "index.html", "status.json",
                                                    ".ptrack-build"}
    top = json.loads((site / "status.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in top["campaigns"]] == ["alpha", "beta"]
    # each dashboard in its campaign's own locale; the portfolio in the default zh-CN
    assert '<html lang="en">' in (site / "alpha" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in (site / "beta" / "index.html").read_text(encoding="utf-8")
    portfolio = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in portfolio and "Alpha launch" in portfolio and "乙活动" in portfolio


def test_portfolio_language_and_title_from_ptrack_yaml(run_cli, tmp_path, write):
    write("ptrack.yaml", "title: 2024 营销活动看板\nlocale: en\ncampaigns: campaigns/*.yaml\n")
    write("campaigns/x.yaml", SMALL.format(id="x", name="甲活动", locale="zh-CN"))
    code, _, err = run_cli("build", "--as-of", "2024-03-05")
    assert code == 0, err
    portfolio = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in portfolio and "<title>2024 营销活动看板</title>" in portfolio
    assert '<html lang="zh-CN">' in (tmp_path / "site" / "x" / "index.html").read_text(encoding="utf-8")
    # --lang wins over both
    code, _, err = run_cli("build", "--as-of", "2024-03-05", "--lang", "zh-CN", "--out", "zh")
    assert code == 0, err
    assert '<html lang="zh-CN">' in (tmp_path / "zh" / "index.html").read_text(encoding="utf-8")


def test_lang_en(run_cli, tmp_path):
    code, _, err = run_cli("build", EXAMPLE, "--out", tmp_path / "en", "--as-of", AS_OF, "--lang", "en")
    assert code == 0, err
    site = tmp_path / "en"
    assert tree(site) == EXAMPLE_TREE
    page = (site / CID / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page
    for label in ("Weekly review focus", "Risk register", "Tracking table", "Actual progress (%)", "in progress"):
        assert label in page, label
    assert "周会重点关注" not in page and "实际进度(%)" not in page
    assert '<html lang="en">' in (site / "index.html").read_text(encoding="utf-8")
    csv_header = (site / CID / "tracking.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert csv_header.startswith("Task,Description,Module,Owner")
    assert "weekly report as of 2024-04-15" in (site / CID / "report.md").read_text(encoding="utf-8")


def test_invalid_campaign_exits_1_with_locations_and_writes_nothing(run_cli, tmp_path, write):
    write("campaigns/good.yaml", SMALL.format(id="good", name="好活动", locale="zh-CN"))
    write("campaigns/bad.yaml", INVALID)
    code, out, err = run_cli("build", "campaigns", "--out", "site", "--as-of", "2024-03-05")
    assert code == 1
    assert out == ""
    assert re.search(r"^campaigns/bad\.yaml:\d+:\d+: 错误 \[[\w-]+\] ", err, re.MULTILINE), err
    assert "ptrack：没有构建：请先修正上面的错误" in err
    assert "Traceback" not in err
    assert not (tmp_path / "site").exists()


def test_invalid_campaign_leaves_the_last_site_untouched(run_cli, tmp_path, write):
    write("campaigns/good.yaml", SMALL.format(id="good", name="好活动", locale="zh-CN"))
    assert run_cli("build", "campaigns", "--as-of", "2024-03-05")[0] == 0
    before = contents(tmp_path / "site")
    write("campaigns/bad.yaml", INVALID)
    code, _, err = run_cli("build", "campaigns", "--as-of", "2024-03-06")
    assert code == 1 and "bad.yaml:" in err
    assert contents(tmp_path / "site") == before


def test_usage_errors_exit_2(run_cli, tmp_path):
    code, _, err = run_cli("build", "missing.yaml", "--out", "site")
    assert code == 2 and "missing.yaml" in err
    code, _, err = run_cli("build", EXAMPLE, "--as-of", "someday")
    assert code == 2 and "someday" in err
    code, _, err = run_cli("build", EXAMPLE, "--font", "no-such-font.ttf")
    assert code == 2
    code, _, err = run_cli("build", EXAMPLE, "--lang", "fr")
    assert code == 2
    assert not (tmp_path / "site").exists()


def test_help_says_what_happens_to_invalid_campaigns(run_cli):
    code, out, _ = run_cli("build", "--help")
    assert code == 0
    assert "--out DIR" in out and "--lang [zh-CN|en|zh-TW]" in out and "--font FILE" in out
    assert "nothing is written" in " ".join(out.split())


def test_warns_once_when_no_cjk_font_is_found(run_cli, tmp_path, write, monkeypatch):
    from ptrack.render import fonts

    calls = []

    def no_font(explicit=None):
        calls.append(explicit)
        return fonts.FontChoice(None, None, fonts.NO_FONT_WARNING)

    monkeypatch.setattr(fonts, "find_cjk_font", no_font)
    write("c/a.yaml", SMALL.format(id="alpha", name="甲", locale="zh-CN"))
    write("c/b.yaml", SMALL.format(id="beta", name="乙", locale="zh-CN"))
    code, out, err = run_cli("build", "c", "--out", "site", "--as-of", "2024-03-05")
    assert code == 0, err
    assert calls == [None]
    assert err.count("没有找到中文字体") == 1  # the campaigns' language
    assert "--font" in err and "fonts-noto-cjk" in err
    assert "已写入" in out


def test_no_warning_when_a_font_is_found(run_cli, tmp_path, write):
    from ptrack.render.fonts import find_cjk_font

    if find_cjk_font().warning:
        pytest.skip("no CJK font installed here (scripts/test.sh installs Noto CJK)")
    write("c.yaml", SMALL.format(id="alpha", name="甲", locale="zh-CN"))
    code, _, err = run_cli("build", "c.yaml", "--out", "site", "--as-of", "2024-03-05")
    assert code == 0 and "CJK" not in err


def test_every_file_is_written_atomically(run_cli, tmp_path, monkeypatch):
    from ptrack import fsutil
    from ptrack.render import site

    written = []

    def recording(path, data, **kwargs):
        written.append(Path(path).relative_to(tmp_path / "site").as_posix())
        return fsutil.atomic_write(path, data, **kwargs)

    def recording_many(items, **kwargs):
        items = list(items)
        written.extend(Path(path).relative_to(tmp_path / "site").as_posix() for path, _ in items)
        return fsutil.atomic_write_many(items, **kwargs)

    monkeypatch.setattr(site, "atomic_write", recording)
    monkeypatch.setattr(site, "atomic_write_many", recording_many)  # the person pages, fsynced together
    code, _, err = run_cli("build", EXAMPLE, "--out", tmp_path / "site", "--as-of", AS_OF)
    assert code == 0, err
    assert sorted(written) == EXAMPLE_TREE  # each file once, through atomic_write or atomic_write_many
    # the portfolio after what it links to; then the manifest of what was written
    assert written[-2:] == ["index.html", MANIFEST]
    assert written.index(f"{CID}/index.html") > max(written.index(f"{CID}/{n}") for n in ("gantt.png", "trend.png"))
    leftovers = [p for p in (tmp_path / "site").rglob("*")
                 if (p.name.startswith(".") and p.name != MANIFEST) or p.suffix == ".tmp"]
    assert leftovers == []


def test_a_failing_renderer_leaves_no_temp_files(run_cli, tmp_path, monkeypatch):
    from ptrack.render import markdown

    assert run_cli("build", EXAMPLE, "--out", tmp_path / "site", "--as-of", AS_OF)[0] == 0
    before = contents(tmp_path / "site")

    def broken(*args, **kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(markdown, "render_report", broken)
    with pytest.raises(RuntimeError, match="renderer failed"):
        run_cli("build", EXAMPLE, "--out", tmp_path / "site", "--as-of", AS_OF)
    assert contents(tmp_path / "site") == before  # same inputs: what was rewritten is identical
    leftovers = [p for p in (tmp_path / "site").rglob("*")
                 if (p.name.startswith(".") and p.name != MANIFEST) or p.suffix == ".tmp"]
    assert leftovers == []


def test_build_does_not_import_matplotlib_for_validate():
    import subprocess
    import sys

    code = ("import sys; from ptrack.cli import main\n"
            "try:\n    main(['validate', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
            "print('matplotlib' in sys.modules, 'jinja2' in sys.modules)")
    proc = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], check=False, capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "False False", proc.stderr


def test_an_unwritable_out_folder_is_a_clear_error(run_cli, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    code, out, err = run_cli("build", EXAMPLE, "--out", blocker / "site", "--as-of", AS_OF)
    assert code == 2
    # the first file it tries to write is under assets/
    assert err.splitlines()[-1] == f"ptrack：错误：{blocker / 'site' / 'assets'}：路径中有一部分不是文件夹"
    assert "Traceback" not in err


# -- the campaign schema in the site -------------------------------------------------------------

PACKAGED_SCHEMA = REPO / "src" / "ptrack" / "schema" / "campaign.schema.json"


def _serve(folder: Path):
    """An HTTP server on 127.0.0.1 (a free port) serving ``folder``, in a thread."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_the_site_serves_the_schema_at_the_url_its_id_names(run_cli, tmp_path):
    """Published under http://127.0.0.1:PORT/plans/ (the site in a folder of the web root, as
    GitHub Pages serves a project site), the schema's $id is an address that answers with the
    schema itself, and a campaign validates against what is served."""
    import urllib.request

    import jsonschema

    root = tmp_path / "www"
    server = _serve(root)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/plans"
        code, _, err = run_cli("build", EXAMPLE, "--out", root / "plans", "--as-of", AS_OF, "--site-url", base + "/")
        assert code == 0, err
        local = json.loads((root / "plans" / "schema" / "campaign-1.schema.json").read_text(encoding="utf-8"))
        assert local["$id"] == f"{base}/schema/campaign-1.schema.json"
        with urllib.request.urlopen(local["$id"], timeout=10) as response:
            assert response.status == 200
            served = json.loads(response.read().decode("utf-8"))
    finally:
        server.shutdown()
        server.server_close()
    assert served == local
    # the same schema as the packaged one but for the $id
    packaged = json.loads(PACKAGED_SCHEMA.read_text(encoding="utf-8"))
    assert {**served, "$id": packaged["$id"]} == packaged
    jsonschema.Draft7Validator.check_schema(served)
    # the served text is the packaged text with one line changed: the $id
    diff = [(a, b) for a, b in zip(PACKAGED_SCHEMA.read_text(encoding="utf-8").splitlines(),
                                   (root / "plans" / "schema" / "campaign-1.schema.json").read_text(encoding="utf-8").splitlines())
            if a != b]
    assert diff == [(f'  "$id": "{packaged["$id"]}",', f'  "$id": "{base}/schema/campaign-1.schema.json",')]


def test_site_url_comes_from_ptrack_yaml_and_the_option_wins(run_cli, tmp_path, write):
    write("ptrack.yaml", "site_url: https://acme.github.io/plans\n")
    assert run_cli("build", EXAMPLE, "--out", "a", "--as-of", AS_OF)[0] == 0
    schema = json.loads((tmp_path / "a" / "schema" / "campaign-1.schema.json").read_text(encoding="utf-8"))
    assert schema["$id"] == "https://acme.github.io/plans/schema/campaign-1.schema.json"
    assert run_cli("build", EXAMPLE, "--out", "b", "--as-of", AS_OF, "--site-url", "https://plans.example.com")[0] == 0
    schema = json.loads((tmp_path / "b" / "schema" / "campaign-1.schema.json").read_text(encoding="utf-8"))
    assert schema["$id"] == "https://plans.example.com/schema/campaign-1.schema.json"
    # an empty --site-url (an unset workflow variable) leaves ptrack.yaml's
    assert run_cli("build", EXAMPLE, "--out", "c", "--as-of", AS_OF, "--site-url", "")[0] == 0
    assert (tmp_path / "c" / "schema" / "campaign-1.schema.json").read_bytes() == \
        (tmp_path / "a" / "schema" / "campaign-1.schema.json").read_bytes()


def test_without_a_site_url_the_site_serves_the_packaged_schema(example_site):
    assert (example_site / "schema" / "campaign-1.schema.json").read_bytes() == PACKAGED_SCHEMA.read_bytes()


@pytest.mark.parametrize("args, config, message", [
    (["--site-url", "acme.github.io/plans"], None,
     'ptrack: error: --site-url "acme.github.io/plans" is not a web address; write the address of the published '
     "site, e.g. https://acme.github.io/campaigns\n"),
    (["--site-url", "ftp://acme.example/plans"], None,
     'ptrack: error: --site-url "ftp://acme.example/plans" is not a web address; write the address of the '
     "published site, e.g. https://acme.github.io/campaigns\n"),
    (["--site-url", "http://[bad"], None,
     'ptrack: error: --site-url "http://[bad" is not a web address; write the address of the '
     "published site, e.g. https://acme.github.io/campaigns\n"),
    ([], "title: 看板\nsite_url: https://acme.github.io/plans?x=1\n",
     'ptrack: error: ptrack.yaml:2:11: site_url "https://acme.github.io/plans?x=1" is not a web address; write '
     "the address of the published site, e.g. https://acme.github.io/campaigns\n"),
    ([], "site_url: 42\n",
     "ptrack: error: ptrack.yaml:1:11: site_url must be the address of the published site, e.g. "
     "https://acme.github.io/campaigns\n"),
])
def test_a_bad_site_url_is_a_usage_error_and_nothing_is_written(run_cli, tmp_path, write, args, config, message):
    if config:
        write("ptrack.yaml", config)
    code, out, err = run_cli("build", EXAMPLE, "--out", "site", "--as-of", AS_OF, "--lang", "en", *args)
    assert (code, out, err) == (2, "", message)
    assert not (tmp_path / "site").exists()

