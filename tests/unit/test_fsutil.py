"""ptrack.fsutil.atomic_write_many: every file whole or not at all, their fsyncs together."""

from __future__ import annotations

import os
import stat

import pytest

from ptrack import fsutil
from ptrack.fsutil import atomic_write_many


def test_writes_every_file_each_fsynced_before_its_rename(tmp_path, monkeypatch):
    synced: list[int] = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    renamed: list[str] = []

    def replace(src, dst):
        assert len(synced) == 3  # all three flushed before the first rename
        renamed.append(os.path.relpath(dst, tmp_path))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "kept.txt").write_text("old")
    os.chmod(tmp_path / "b" / "kept.txt", 0o600)
    paths = atomic_write_many([(tmp_path / "a" / "x.html", "中文"), (tmp_path / "b" / "kept.txt", b"new"),
                               (tmp_path / "c.ics", "c" * 100_000)])
    assert paths == [tmp_path / "a" / "x.html", tmp_path / "b" / "kept.txt", tmp_path / "c.ics"]
    assert renamed == ["a/x.html", "b/kept.txt", "c.ics"]
    assert (tmp_path / "a" / "x.html").read_text(encoding="utf-8") == "中文"
    assert (tmp_path / "b" / "kept.txt").read_bytes() == b"new"
    assert stat.S_IMODE((tmp_path / "b" / "kept.txt").stat().st_mode) == 0o600  # an existing file keeps its mode
    assert (tmp_path / "c.ics").read_text() == "c" * 100_000
    assert sorted(p.name for p in tmp_path.rglob(".*")) == []
    assert atomic_write_many([]) == []


def test_a_failure_leaves_no_temp_file_and_the_rest_untouched(tmp_path, monkeypatch):
    (tmp_path / "second.txt").write_text("before")
    (tmp_path / "dir.txt").mkdir()  # renaming a file over a folder fails
    with pytest.raises(OSError):
        atomic_write_many([(tmp_path / "first.txt", "1"), (tmp_path / "dir.txt", "x"),
                           (tmp_path / "second.txt", "after")])
    assert (tmp_path / "first.txt").read_text() == "1"  # renamed before the failure: whole
    assert (tmp_path / "second.txt").read_text() == "before"  # not reached: as it was
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []

    def boom(fd):
        raise OSError("disk full")

    monkeypatch.setattr(fsutil.os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_many([(tmp_path / "third.txt", "3")])
    assert not (tmp_path / "third.txt").exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
