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
    assert manifest["base_commit"] == BASE
    assert manifest["runner_only"] is True
    assert sorted(manifest["runs"]) == [p.name for p in runs]


def test_each_baseline_run_reads_and_ran_the_whole_host_regression_set():
    wanted = {t for scenario in set_members("host-regression") for t in scenario.tests}
    for path in _runs():
        side = load_run(path)
        assert wanted <= set(side.tests), f"{path.name} lacks {sorted(wanted - set(side.tests))}"
        assert set(side.scenario_of.values()) == {s.name for s in set_members("host-regression")}


def test_the_baselines_compared_with_each_other_show_no_regression_only_flakiness():
    """Runs of one image can differ only by flaky checks: the rule that keeps those from being regressions."""
    sides = [load_run(p) for p in _runs()]
    result = compare(sides[:2], sides[2])
    assert result.exit_code == 0, [t.name for t in result.tests if t.regressed]
