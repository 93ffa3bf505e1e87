"""``ptrack serve --baseline`` in a real repository, through the real command line: the served
status.json compares with the baseline asked for (a tag; ``none``: no baseline; by default the
first commit), and a baseline given that cannot be found stops the preview before it serves
anything: exit 2, as for ``ptrack build``, with no build folder left behind.

The repository (tests/git_support.py ``commit_build_history``): alpha's planned end moves from
03-10 to 03-12 on 03-03, so against the first commit alpha has slipped 2 working days (calendar
none) and against HEAD~1 (after the move) 0."""

from __future__ import annotations

import json

import pytest

from tests.git_support import commit_build_history
from tests.serve_support import ServeProcess

AS_OF = "2024-03-08"


@pytest.fixture
def repo(make_repo, tmp_path):
    repo = make_repo()
    commit_build_history(repo)
    repo.git("tag", "v1", "HEAD~1")
    (tmp_path / "tmp").mkdir()
    return repo


def _served_status(repo, tmp_path, *args: str) -> dict:
    with ServeProcess(["campaigns/demo.yaml", "--port", "0", "--as-of", AS_OF, *args], cwd=repo.root,
                      env={"TMPDIR": str(tmp_path / "tmp")}) as server:
        server.wait_started()
        status, _, body = server.get("/demo/status.json")
        assert status == 200
        assert server.stop() == 0, server.output()
    return json.loads(body)["campaigns"][0]


def test_serve_compares_with_the_baseline_asked_for(repo, tmp_path):
    first = _served_status(repo, tmp_path)
    alpha = next(t for t in first["tasks"] if t["id"] == "alpha")
    assert first["baseline"]["rev"] == "first" and alpha["slip_days"] == 2
    tagged = _served_status(repo, tmp_path, "--baseline", "v1")
    assert tagged["baseline"]["rev"] == "v1" and tagged["tasks"][0]["slip_days"] == 0
    none = _served_status(repo, tmp_path, "--baseline", "none")
    assert "baseline" not in none and "slip_days" not in none["tasks"][0]


def test_a_baseline_that_cannot_be_found_is_a_usage_error(repo, tmp_path):
    with ServeProcess(["campaigns/demo.yaml", "--port", "0", "--as-of", AS_OF, "--baseline", "nope"],
                      cwd=repo.root, env={"TMPDIR": str(tmp_path / "tmp")}) as server:
        code = server.proc.wait(120)
        server._join_readers()
    assert code == 2, server.output()
    assert len(server.stderr) == 1 and server.stderr[0].startswith("ptrack: error: ")
    assert '"nope" is not a commit, branch or tag' in server.stderr[0]
    assert not any("serving http" in line for line in server.stdout)
    assert list((tmp_path / "tmp").iterdir()) == []  # the build folder is gone
