"""``CampaignHistory.last_changes_of``: exactly ``last_changes`` for a few tasks, read newest first
and stopping early (what the stale-task rule uses)."""

from __future__ import annotations

import copy
import itertools
from datetime import date, timedelta

from ptrack.core.compute import compute_snapshot
from ptrack.git.history import load_history
from ptrack.git.tracking import stale_findings
from ptrack.core.validate import load_campaign

IDS = ("alpha", "beta", "gamma", "delta", "nope")


def _save(repo, data, when, who, dump, message="update plan"):
    repo.write("c.yaml", dump(data))
    return repo.commit(when, who, message)


def _tangled(repo, campaign, tasks_of, dump):
    """Every case at once (all +08:00 unless said; a merge's first parent is main):

    03-01 09:00 Ann    the plan: alpha, beta
    03-02 10:00 Bob    alpha 10
    03-03 10:00 Carol  beta 5        \\
    03-03 10:00 Dave   alpha 20       > the same second: the later version wins
    03-03 10:00 Eve    alpha 25      /
    03-04 11:00 Fay    beta 30 on a branch "feature"
    03-04 15:00 Gil    alpha 35 on main
    03-05 09:00 Hal    merges feature (beta 30 comes from Fay, alpha 35 from Gil: no change)
    03-06 10:00 Ida    the file is broken YAML (unreadable)
    03-07 10:00 Jo     fixed; alpha 40 (beta unchanged since the merge: no change)
    03-08 10:00 Kim    gamma added
    03-09 10:00 Lee    beta removed
    03-10 01:00+14:00 Max  gamma 50   (03-09 11:00 UTC, the committer's day is 03-10)
    03-09 20:00-10:00 Ned  alpha 60   (03-10 06:00 UTC, later, but the committer's day is 03-09)
    03-11 09:00 Oli    the file is broken YAML on a branch "oops"
    03-11 10:00 Pat    gamma 60 on main
    03-11 11:00 Quinn  merges oops, setting gamma back to 50: a change (its unreadable parent counts
                       as the last readable version before the merge, Pat's, not Ned's)
    working tree: alpha 90, delta added (uncommitted)
    """
    data = campaign()
    tasks = tasks_of(data)
    path = repo.root / "c.yaml"
    _save(repo, data, "2024-03-01T09:00:00+08:00", "Ann", dump, "plan")
    tasks["alpha"]["progress"] = 10
    _save(repo, data, "2024-03-02T10:00:00+08:00", "Bob", dump)
    tasks["beta"]["progress"] = 5
    _save(repo, data, "2024-03-03T10:00:00+08:00", "Carol", dump)
    tasks["alpha"]["progress"] = 20
    _save(repo, data, "2024-03-03T10:00:00+08:00", "Dave", dump)
    tasks["alpha"]["progress"] = 25
    _save(repo, data, "2024-03-03T10:00:00+08:00", "Eve", dump)

    repo.git("checkout", "-q", "-b", "feature")
    feature = copy.deepcopy(data)
    tasks_of(feature)["beta"]["progress"] = 30
    _save(repo, feature, "2024-03-04T11:00:00+08:00", "Fay", dump)
    repo.git("checkout", "-q", "main")
    tasks["alpha"]["progress"] = 35
    _save(repo, data, "2024-03-04T15:00:00+08:00", "Gil", dump)
    repo.merge("feature", "2024-03-05T09:00:00+08:00", "Hal")
    tasks["beta"]["progress"] = 30
    assert path.read_text() == dump(data)

    repo.write("c.yaml", dump(data).replace("tasks:", "tasks: [broken", 1))
    repo.commit("2024-03-06T10:00:00+08:00", "Ida")
    tasks["alpha"]["progress"] = 40
    _save(repo, data, "2024-03-07T10:00:00+08:00", "Jo", dump)
    data["tasks"].append({"id": "gamma", "name": "Gamma", "owner": "ann",
                          "planned": {"start": "2024-03-08", "end": "2024-03-20"}, "progress": 0})
    _save(repo, data, "2024-03-08T10:00:00+08:00", "Kim", dump)
    data["tasks"] = [t for t in data["tasks"] if t["id"] != "beta"]
    _save(repo, data, "2024-03-09T10:00:00+08:00", "Lee", dump)
    tasks = tasks_of(data)
    tasks["gamma"]["progress"] = 50
    _save(repo, data, "2024-03-10T01:00:00+14:00", "Max", dump)
    tasks["alpha"]["progress"] = 60
    _save(repo, data, "2024-03-09T20:00:00-10:00", "Ned", dump)

    repo.git("checkout", "-q", "-b", "oops")
    repo.write("c.yaml", dump(data).replace("tasks:", "tasks: [broken", 1))
    repo.commit("2024-03-11T09:00:00+08:00", "Oli")
    repo.git("checkout", "-q", "main")
    tasks["gamma"]["progress"] = 60
    _save(repo, data, "2024-03-11T10:00:00+08:00", "Pat", dump)
    repo.git("-c", "user.name=Quinn", "-c", "user.email=quinn@example.com", "merge", "-q", "--no-ff", "--no-commit",
             "-s", "ours", "oops")
    tasks["gamma"]["progress"] = 50
    _save(repo, data, "2024-03-11T11:00:00+08:00", "Quinn", dump, "Merge oops")

    tasks["alpha"]["progress"] = 90
    data["tasks"].append({"id": "delta", "name": "Delta", "owner": "ann",
                          "planned": {"start": "2024-03-09", "end": "2024-03-12"}, "progress": 10})
    repo.write("c.yaml", dump(data))
    return path


def test_same_answers_as_last_changes(make_repo, campaign, tasks_of, dump):
    path = _tangled(make_repo(), campaign, tasks_of, dump)
    with load_history(path) as reference, load_history(path) as walked:
        # The case is what it says: a merge, an unreadable version, the same second three times.
        assert len(reference.versions) == 17
        assert sum(len(v.parent_blobs) == 2 for v in reference.versions) == 2
        assert sum(reference.table(v.blob) is None for v in reference.versions) == 2
        assert reference.worktree_dirty
        days = [date(2024, 2, 29) + timedelta(days=n) for n in range(15)]
        for as_of, worktree in itertools.product(days, (True, False)):
            full = reference.last_changes(as_of, worktree=worktree)
            for n in range(len(IDS) + 1):
                for ids in itertools.combinations(IDS, n):
                    want = {tid: c for tid, c in full.items() if tid in ids}
                    assert walked.last_changes_of(as_of, ids, worktree=worktree) == want, (as_of, ids, worktree)
                    # Once the whole history is read the answer comes from it: the same.
                    assert reference.last_changes_of(as_of, ids, worktree=worktree) == want
        assert walked._changes is None  # never read the whole history

    # Spot checks by hand.
    with load_history(path) as history:
        def who(as_of, tid, worktree=False):
            c = history.last_changes_of(as_of, [tid], worktree=worktree).get(tid)
            return c and (c.who, c.date.isoformat())

        assert who(date(2024, 3, 3), "alpha") == ("Eve", "2024-03-03")  # same second: the later one
        assert who(date(2024, 3, 5), "beta") == ("Fay", "2024-03-04")  # not the merge
        assert who(date(2024, 3, 5), "alpha") == ("Gil", "2024-03-04")
        assert who(date(2024, 3, 7), "beta") == ("Fay", "2024-03-04")  # not the fix of the broken file
        assert who(date(2024, 3, 7), "alpha") == ("Jo", "2024-03-07")
        assert who(date(2024, 3, 9), "beta") == ("Fay", "2024-03-04")  # removed: its last change stays
        assert who(date(2024, 3, 9), "gamma") == ("Kim", "2024-03-08")  # Max's is dated 03-10
        assert who(date(2024, 3, 9), "alpha") == ("Ned", "2024-03-09")  # later than Max's, dated 03-09
        assert who(date(2024, 3, 10), "gamma") == ("Max", "2024-03-10")
        assert who(date(2024, 3, 11), "gamma") == ("Quinn", "2024-03-11")
        assert who(date(2024, 2, 29), "alpha") is None
        # Uncommitted changes win, dated as of the day asked for.
        assert who(date(2024, 3, 3), "alpha", True) == ("working tree", "2024-03-03")
        assert who(date(2024, 3, 10), "delta", True) == ("working tree", "2024-03-10")
        assert who(date(2024, 3, 10), "delta") is None
        assert who(date(2024, 3, 10), "gamma", True) == ("Max", "2024-03-10")


def test_fresh_histories_agree(make_repo, campaign, tasks_of, dump):
    """Each call on a history nothing was read from yet (the case of ``stale_findings``)."""
    path = _tangled(make_repo(), campaign, tasks_of, dump)
    with load_history(path) as reference:
        for as_of in (date(2024, 3, 3), date(2024, 3, 6), date(2024, 3, 7), date(2024, 3, 9), date(2024, 3, 12)):
            full = reference.last_changes(as_of)
            for ids in (("alpha",), ("beta",), ("gamma", "beta"), IDS):
                with load_history(path) as walked:
                    assert walked.last_changes_of(as_of, ids) == {t: c for t, c in full.items() if t in ids}


def _long_history(repo, campaign, tasks_of, dump, n=30):
    """The plan on 03-01, then ``n`` commits (one an hour on 03-02) moving alpha's progress, and
    beta's in the last two."""
    data = campaign()
    tasks = tasks_of(data)
    path = repo.root / "c.yaml"
    _save(repo, data, "2024-03-01T09:00:00+08:00", "Ann", dump, "plan")
    for k in range(n):
        tasks["alpha"]["progress"] = k + 1
        if k >= n - 2:
            tasks["beta"]["progress"] = k + 1
        _save(repo, data, f"2024-03-02T{k // 60:02d}:{k % 60:02d}:00+08:00", "Bob", dump)
    return path


def _count_reads(history) -> list[int]:
    reads = [0]
    blob = history.repo.blob

    def counting(oid):
        reads[0] += 1
        return blob(oid)

    history.repo.blob = counting
    return reads


def test_early_stop_reads_only_recent_versions(make_repo, campaign, tasks_of, dump):
    path = _long_history(make_repo(), campaign, tasks_of, dump)
    as_of = date(2024, 3, 5)
    with load_history(path) as history:
        reads = _count_reads(history)
        full = history.last_changes(as_of)
        assert reads[0] >= 31  # every version
    with load_history(path) as history:
        reads = _count_reads(history)
        got = history.last_changes_of(as_of, {"alpha", "beta"})
        assert got == full
        # The last version, its parent (read for the diff, then as the next version), and the
        # last committed version once more for the working-tree comparison.
        assert reads[0] <= 4
        assert len(history._tables) <= 3

    # stale_findings: only the in-progress tasks, newest first.
    result = load_campaign(path)
    snapshot = compute_snapshot(result.campaign, as_of=as_of)
    with load_history(path) as history:
        reads = _count_reads(history)
        assert list(stale_findings(history, snapshot)) == []  # both changed on 03-02: 3 days
        assert reads[0] <= 4
    snapshot = compute_snapshot(result.campaign, as_of=date(2024, 3, 9))
    with load_history(path) as history:
        reads = _count_reads(history)
        found = list(stale_findings(history, snapshot))
        assert [(f[1][2], f[1][4]["days"], f[1][4]["date"]) for f in found] == [
            ("alpha", 7, "2024-03-02"), ("beta", 7, "2024-03-02")]
        assert reads[0] <= 4


def test_an_old_change_is_still_found(make_repo, campaign, tasks_of, dump):
    """A task last changed in the plan: the walk goes back to the first version, and says the same."""
    path = _long_history(make_repo(), campaign, tasks_of, dump, n=10)
    with load_history(path) as history:
        full = history.last_changes(date(2024, 3, 5))
    with load_history(path) as history:
        reads = _count_reads(history)
        got = history.last_changes_of(date(2024, 3, 5), ["beta"])
        assert got == {"beta": full["beta"]}
        assert got["beta"].who == "Bob"  # changed in the last two commits
    with load_history(path) as history:
        reads = _count_reads(history)
        got = history.last_changes_of(date(2024, 3, 1), ["beta", "alpha"])
        assert {t: c.commit for t, c in got.items()} == {t: history.versions[0].commit for t in ("alpha", "beta")}
        assert reads[0] <= 2  # versions dated after 03-01 are skipped unread (+ the working tree check)
