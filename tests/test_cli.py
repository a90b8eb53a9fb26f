"""The command line: exit codes and messages a user (or git bisect) sees."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main

ROOT = Path(__file__).resolve().parent.parent


def write_log(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "serial.log"
    path.write_bytes(text.encode())
    return path


PASSING = "\n".join([
    "(ntoskrnl/kd64/kdinit.c:95) ReactOS 0.4.16-dev (Build 20251125) (Commit 7432f4e9d959aef63f10a7f4aa9ebd56b1403f6a)",
    "[HARNESS] start version=1 uptime_ms=17000 tests=1", "[HARNESS] plan harnesstest:version",
    "Running Wine Test, Module: harnesstest, Test: version",
    "version: 7 tests executed (0 marked as todo, 0 failures), 0 skipped.",
    "[HARNESS] exit harnesstest:version status=0x00000000", "Test version completed in 0.10 seconds.",
    "[HARNESS] done tests=1 uptime_ms=17200", ""])


def test_parse_of_a_passing_log_exits_0(tmp_path, capsys):
    assert main(["parse", str(write_log(tmp_path, PASSING))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("PASS") and "7432f4e9d959" in out


def test_parse_exits_2_when_an_expected_test_is_missing(tmp_path, capsys):
    code = main(["parse", str(write_log(tmp_path, PASSING)), "--expect", "harnesstest:version",
                 "--expect", "silo:basic"])
    assert code == 2 and "NOT-RUN" in capsys.readouterr().out


def test_parse_of_a_missing_file_is_an_infrastructure_error(tmp_path, capsys):
    assert main(["parse", str(tmp_path / "none.log")]) == 125
    assert "cannot read" in capsys.readouterr().err


def test_a_bad_test_name_is_refused(tmp_path, capsys):
    assert main(["parse", str(write_log(tmp_path, PASSING)), "--expect", "no-colon"]) == 125
    assert "module:test" in capsys.readouterr().err


def test_run_with_a_missing_iso_is_an_infrastructure_error(tmp_path, capsys):
    assert main(["run", "--iso", str(tmp_path / "none.iso")]) == 125
    assert "ISO not found" in capsys.readouterr().err


def test_run_with_an_unknown_scenario_is_refused(tmp_path, capsys):
    iso = tmp_path / "x.iso"
    iso.write_bytes(b"")
    assert main(["run", "--iso", str(iso), "--scenario", "nosuch"]) == 125
    assert "harness list" in capsys.readouterr().err


def test_run_with_a_file_that_is_not_a_livecd_is_an_infrastructure_error_with_a_report(tmp_path, capsys):
    iso = tmp_path / "x.iso"
    iso.write_bytes(b"\0" * 70000)
    assert main(["run", "--iso", str(iso), "--accel", "tcg", "--out", str(tmp_path / "out")]) == 125
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["boots"][0]["verdict"]["outcome"] == "infrastructure-error"
    assert (tmp_path / "out" / "junit.xml").exists()


def test_list_names_every_scenario(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "smoke" in out and "negative control" in out


def test_the_console_script_and_module_entry_point_work():
    result = subprocess.run([sys.executable, "-m", "harness", "list"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0 and "smoke" in result.stdout


def test_readme_and_ci_use_the_same_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./setup.sh" in ci and ".venv/bin/python -m pytest" in ci
    assert "./setup.sh && .venv/bin/python -m pytest" in readme


def test_parse_of_a_run_directory_prefers_the_stream_the_harness_read(tmp_path, capsys):
    """QEMU's raw serial.log once held a byte twice ("Module:  harnesstest"); console.log is what was judged."""
    boot = tmp_path / "boot1"
    boot.mkdir()
    (boot / "serial.log").write_text(PASSING.replace("harnesstest, Test: version", "harnesstest, Test:  vversion"))
    (boot / "console.log").write_text(PASSING)
    assert main(["parse", str(boot)]) == 0
    assert capsys.readouterr().out.startswith("PASS")
    (boot / "console.log").unlink()
    assert main(["parse", str(boot)]) == 2


def test_a_scenario_that_shuts_down_gets_a_boot_watched_until_qemu_exits(tmp_path, monkeypatch):
    import dataclasses

    import harness.run as run
    from harness.boot import BootRecord
    from harness.scenarios import SCENARIOS, plan_boots
    from harness.verdict import BootVerdict, Outcome

    shutdown = dataclasses.replace(SCENARIOS["silo-host-shutdown"], own_boot=False)
    shared = SCENARIOS["silo-jobs"]
    assert plan_boots([shared, shutdown]) == [[shared], [shutdown]]

    seen = {}

    def fake_boot(name, options, on_line=None, on_status=None):
        seen[name] = options.until_shutdown
        return BootRecord(name, list(options.tests), BootVerdict(Outcome.PASS, "ok"), "tcg", [], options.run_dir)

    monkeypatch.setattr(run, "run_boot", fake_boot)
    run.execute(run.RunOptions(iso=tmp_path / "x.iso", scenarios=[shared, shutdown], out_dir=tmp_path / "out"),
                stream=io.StringIO())
    assert seen == {"boot1-silo-jobs": False, "boot2-silo-host-shutdown": True}


FIXTURE_BOOTS = sorted(p for p in (ROOT / "tests" / "fixtures").iterdir() if (p / "session.json").is_file())


@pytest.mark.parametrize("boot", FIXTURE_BOOTS, ids=[p.name for p in FIXTURE_BOOTS])
def test_every_saved_boot_gives_a_junit_report_that_parses(boot, tmp_path, capsys):
    import xml.etree.ElementTree as ET

    junit, results = tmp_path / "junit.xml", tmp_path / "results.json"
    code = main(["parse", str(boot), "--junit", str(junit), "--json", str(results)])
    document = ET.parse(junit)  # raises on anything XML 1.0 forbids (KDBG's ESC sequences)
    cases = document.getroot().findall(".//testcase")
    assert cases and json.loads(results.read_text())["exit_code"] == code
    # one backtrace per crash: KDBG's entry frames and bt's answer are not both kept
    backtrace = json.loads(results.read_text())["boots"][0]["verdict"]["backtrace"]
    assert sum(1 for text in backtrace if text.startswith("Frames:")) <= 1 + backtrace.count("--- next debugger entry ---")
    assert not any("\x1b" in text for text in backtrace)


def test_a_crash_blames_the_running_test_and_keeps_earlier_passes(tmp_path):
    import xml.etree.ElementTree as ET

    from harness.boot import BootRecord
    from harness.console import split_log
    from harness.monitor import replay
    from harness.offline import judge_transcript
    from harness.report import ScenarioResult, to_junit
    from harness.scenarios import Scenario

    log = "\n".join([
        "[HARNESS] start version=1 uptime_ms=1 tests=3",
        "[HARNESS] plan harnesstest:version", "[HARNESS] plan harnesstest:bugcheck", "[HARNESS] plan harnesstest:processes",
        "Running Wine Test, Module: harnesstest, Test: version",
        "version: 5 tests executed (0 marked as todo, 0 failures), 0 skipped.",
        "[HARNESS] exit harnesstest:version status=0x00000000",
        "Test version completed in 0.25 seconds.",
        "Running Wine Test, Module: harnesstest, Test: bugcheck",
        "*** Fatal System Error: 0x000000E2", "(0x00000000,0x00000000,0x00000000,0x00000000)", ""])
    requested = ["harnesstest:version", "harnesstest:bugcheck", "harnesstest:processes"]
    verdict = judge_transcript(requested, replay(split_log(log.encode())))
    boot = BootRecord("boot1", requested, verdict, "tcg", [], tmp_path)
    scenario = Scenario(name="three", description="", tests=tuple(requested))
    root = to_junit([ScenarioResult(scenario, boot, verdict.tests)]).getroot()
    kinds = {case.get("name"): [child.tag for child in case if child.tag != "system-out"] for case in root.iter("testcase")}
    assert kinds == {"harnesstest:version": [], "harnesstest:bugcheck": ["error"], "harnesstest:processes": ["skipped"]}


def test_usage_errors_exit_125_not_2(capsys):
    assert main(["run", "--no-such-option"]) == 125
    assert main([]) == 125


def test_version_and_list_json(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0 and capsys.readouterr().out.startswith("harness ")
    assert main(["list", "--json"]) == 0
    names = [entry["name"] for entry in json.loads(capsys.readouterr().out)]
    assert "silo-race" in names and "smoke" in names


def _fake_verdict(outcome, statuses):
    from harness.verdict import BootVerdict, TestResult, TestStatus

    return BootVerdict(outcome, outcome.value, tests=[TestResult(name, TestStatus(status), status)
                                                      for name, status in statuses])


def test_the_tests_a_crash_left_run_in_a_fresh_boot_and_each_keeps_its_own_result(tmp_path, monkeypatch):
    import xml.etree.ElementTree as ET

    import harness.run as run
    from harness.boot import BootRecord
    from harness.scenarios import Scenario
    from harness.verdict import Outcome

    asked = []

    def fake_boot(name, options, on_line=None, on_status=None):
        asked.append((name, list(options.tests)))
        if len(asked) == 1:
            verdict = _fake_verdict(Outcome.BUGCHECK, [("harnesstest:version", "passed"),
                                                        ("harnesstest:bugcheck", "crashed"),
                                                        ("harnesstest:processes", "not-run")])
        else:
            verdict = _fake_verdict(Outcome.PASS, [("harnesstest:processes", "passed")])
        return BootRecord(name, list(options.tests), verdict, "tcg", [], options.run_dir)

    monkeypatch.setattr(run, "run_boot", fake_boot)
    three = Scenario(name="three", description="", tests=("harnesstest:version", "harnesstest:bugcheck",
                                                           "harnesstest:processes"))
    result = run.execute(run.RunOptions(iso=tmp_path / "x.iso", scenarios=[three], out_dir=tmp_path / "out"),
                         stream=io.StringIO())
    assert asked == [("boot1-three", list(three.tests)), ("boot1-three-resume1", ["harnesstest:processes"])]
    [scenario] = result.results
    assert [t.status.value for t in scenario.tests] == ["passed", "crashed", "passed"]
    assert [b.name for b in scenario.boots] == ["boot1-three", "boot1-three-resume1"]
    assert result.exit_code == 2  # the crash is still the run's outcome
    cases = {case.get("name"): [c.tag for c in case] for case in ET.parse(tmp_path / "out" / "junit.xml").iter("testcase")}
    assert cases == {"harnesstest:version": [], "harnesstest:bugcheck": ["error"], "harnesstest:processes": []}


def test_resuming_stops_after_the_retry_limit(tmp_path, monkeypatch):
    import harness.run as run
    from harness.boot import BootRecord
    from harness.scenarios import Scenario
    from harness.verdict import Outcome

    boots = []

    def always_crashing(name, options, on_line=None, on_status=None):
        boots.append(name)
        statuses = [(options.tests[0], "crashed")] + [(t, "not-run") for t in options.tests[1:]]
        return BootRecord(name, list(options.tests), _fake_verdict(Outcome.HANG, statuses), "tcg", [], options.run_dir)

    monkeypatch.setattr(run, "run_boot", always_crashing)
    many = Scenario(name="many", description="", tests=tuple(f"harnesstest:t{n}" for n in range(6)))
    result = run.execute(run.RunOptions(iso=tmp_path / "x.iso", scenarios=[many], out_dir=tmp_path / "out",
                                        max_resumes=2), stream=io.StringIO())
    assert boots == ["boot1-many", "boot1-many-resume1", "boot1-many-resume2"]
    assert [t.status.value for t in result.results[0].tests] == ["crashed"] * 3 + ["not-run"] * 3


def test_negative_controls_that_fail_as_declared_make_the_run_pass(tmp_path, monkeypatch):
    import harness.run as run
    from harness.boot import BootRecord
    from harness.scenarios import SCENARIOS
    from harness.verdict import Outcome

    outcomes = {"selftest-bugcheck": Outcome.BUGCHECK, "selftest-failure": Outcome.TEST_FAILURE}

    def as_declared(name, options, on_line=None, on_status=None):
        scenario = next(s for s in outcomes if name.endswith(s))
        verdict = _fake_verdict(outcomes[scenario], [(options.tests[0], "failed")])
        return BootRecord(name, list(options.tests), verdict, "tcg", [], options.run_dir)

    monkeypatch.setattr(run, "run_boot", as_declared)
    chosen = [SCENARIOS[name] for name in outcomes]
    result = run.execute(run.RunOptions(iso=tmp_path / "x.iso", scenarios=chosen, out_dir=tmp_path / "out"),
                         stream=io.StringIO())
    assert result.exit_code == 0 and [r.status for r in result.results] == ["EXPECTED", "EXPECTED"]

    outcomes["selftest-bugcheck"] = Outcome.PASS  # a control that stopped failing is a failure
    result = run.execute(run.RunOptions(iso=tmp_path / "x.iso", scenarios=chosen, out_dir=tmp_path / "out2"),
                         stream=io.StringIO())
    assert result.exit_code == 1 and result.results[0].status == "UNEXPECTED-PASS"


def test_run_snapshots_by_default_and_not_with_no_snapshot(tmp_path, monkeypatch):
    from harness import cli, run

    seen = []

    def fake_execute(options, stream=None):
        seen.append(options)
        return run.RunResult([], [], 0, options.out_dir, 0.0)

    monkeypatch.setattr(run, "execute", fake_execute)
    monkeypatch.setenv("HARNESS_SNAPSHOT_DIR", str(tmp_path / "snaps"))
    iso = tmp_path / "x.iso"
    iso.write_bytes(b"\0" * 2048)
    assert cli.main(["run", "--iso", str(iso), "--out", str(tmp_path / "a")]) == 0
    assert cli.main(["run", "--iso", str(iso), "--out", str(tmp_path / "b"), "--no-snapshot"]) == 0
    assert cli.main(["run", "--iso", str(iso), "--out", str(tmp_path / "c"), "--snapshot-dir", str(tmp_path / "o")]) == 0
    assert [options.snapshot_dir for options in seen] == [tmp_path / "snaps", None, tmp_path / "o"]


def test_the_default_suite_leaves_out_benchmarks_heavy_scenarios_and_negative_controls():
    from harness.scenarios import SCENARIOS, select

    default = {scenario.name for scenario in select([])}
    assert "silo-bench" not in default and "silo-density" not in default and "selftest-failure" not in default
    assert {"smoke", "silo-csrss", "silo-race"} <= default
    # Named, they run
    assert [s.name for s in select(["silo-density"])] == ["silo-density"]
    assert SCENARIOS["silo-density"].test_timeout_s > 120


def test_a_scenarios_own_test_timeout_reaches_its_boot_and_stretches_the_deadline(tmp_path, monkeypatch):
    import harness.run as run
    from harness.boot import BootRecord
    from harness.scenarios import SCENARIOS
    from harness.verdict import BootVerdict, Outcome

    seen = {}

    def fake_boot(name, options, on_line=None, on_status=None):
        seen[name] = (options.test_timeout_s, options.limits.deadline_s)
        return BootRecord(name, list(options.tests), BootVerdict(Outcome.PASS, "ok"), "tcg", [], options.run_dir)

    monkeypatch.setattr(run, "run_boot", fake_boot)
    density, jobs = SCENARIOS["silo-density"], SCENARIOS["silo-jobs"]
    run.execute(run.RunOptions(iso=tmp_path / "x.iso", scenarios=[jobs, density], out_dir=tmp_path / "out"),
                stream=io.StringIO())
    assert seen["boot1-silo-jobs"] == (None, 600.0)
    timeout, deadline = seen["boot2-silo-density"]
    assert timeout == density.test_timeout_s and deadline >= timeout + 60
    # A timeout the user gives wins
    run.execute(run.RunOptions(iso=tmp_path / "x.iso", scenarios=[density], out_dir=tmp_path / "out2",
                               test_timeout_s=30), stream=io.StringIO())
    assert seen["boot1-silo-density"][0] == 30
