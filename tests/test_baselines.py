"""The committed baselines: host-regression runs of a LiveCD built from reactos-patches/BASE with only the
guest runner, kept so that a contributor (or a later session) builds only the series to compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.compare import compare, load_run
from harness.scenarios import set_members

ROOT = Path(__file__).parent.parent
BASELINES = ROOT / "baselines" / "host-regression"
BASE = (ROOT / "reactos-patches" / "BASE").read_text().strip()


def _runs():
    return sorted((BASELINES / BASE[:12]).glob("base*.json.gz"))


def test_there_are_three_baseline_runs_of_the_pinned_base_commit():
    runs = _runs()
    assert len(runs) == 3, f"expected base1..3.json.gz under {BASELINES / BASE[:12]}"
    manifest = json.loads((BASELINES / BASE[:12] / "MANIFEST.json").read_text())
    assert len(manifest["iso_sha256"]) == 64
    assert manifest["base_commit"] == BASE
    assert manifest["runner_only"] is True
    assert sorted(manifest["runs"]) == [p.name for p in runs]


def test_each_baseline_run_reads_and_ran_the_whole_host_regression_set():
    wanted = {t for scenario in set_members("host-regression") for t in scenario.tests}
    for path in _runs():
        side = load_run(path)
        assert wanted <= set(side.tests), f"{path.name} lacks {sorted(wanted - set(side.tests))}"
        assert set(side.scenario_of.values()) == {s.name for s in set_members("host-regression")}


def test_the_timer_queue_checks_that_come_and_go_between_base_runs_are_flaky_with_all_three_as_baselines():
    """Base runs of one image differ by Wine's timing checks (sync.c:1092 and 1093, timer queue timers):
    one run against the other two calls one of them new; with all three as baselines both are flaky."""
    sides = [load_run(p) for p in _runs()]
    two = compare(sides[:2], sides[2])
    sync = next(t for t in two.tests if t.name == "kernel32_winetest:sync")
    assert {s.site for s in sync.new_failures} | {s.site for s in sync.fixed} <= {"sync.c:1092", "sync.c:1093"}
    three = compare(sides, sides[2])
    assert three.exit_code == 0
    sync = next(t for t in three.tests if t.name == "kernel32_winetest:sync")
    assert {s.site for s in sync.flaky} >= {"sync.c:1092", "sync.c:1093"}
