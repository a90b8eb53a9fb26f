"""harness compare: run against run, check by check.

The results files here are made the way a run makes them: a guest console (runner and Wine-format
lines) judged by ``harness parse``, which writes the run's results.json. Real ones are in
fixtures/compare-series: two host-regression runs of one LiveCD built from the series (TCG, 2026-12-03),
cut to a few tests each, the second after kmtest's program name was corrected (kmtest: -> kmtest_:).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import pytest

from harness import cli
from harness.compare import UNPLACED_SITE, CompareError, TestChange, compare, load_run, site_of

FIXTURES = Path(__file__).parent / "fixtures"


def wine_test(name: str, failures: Sequence[str] = (), executed: int = 100, extra_failures: int = 0,
              status: Optional[int] = None, finish: bool = True) -> List[str]:
    """A test's console lines: ``failures`` are ``file:line: message`` of failed checks."""
    module, test = name.split(":")
    lines = [f"[HARNESS] plan {name}", f"Running Wine Test, Module: {module}, Test: {test}"]
    lines += [f"{text.split(': ', 1)[0]}: Test failed: {text.split(': ', 1)[1]}" for text in failures]
    if not finish:
        return lines + ["(something the test printed before it died)"]
    count = len(failures) + extra_failures
    lines.append(f"{test}: {executed} tests executed (0 marked as todo, {count} failure{'s' if count != 1 else ''}), "
                 "0 skipped.")
    code = status if status is not None else min(count, 255)
    lines += [f"[HARNESS] exit {name} status=0x{code:08x}", f"Test {test} completed in 1.5 seconds."]
    return lines


def missing_program(name: str) -> List[str]:
    module, test = name.split(":")
    # The runner's launch failure for ERROR_FILE_NOT_FOUND (see verdict.MISSING_PROGRAM_ERRORS)
    return [f"[HARNESS] plan {name}", f"Running Wine Test, Module: {module}, Test: {test}",
            f"[HARNESS] exit {name} status=0xe0000002", f"Test {test} completed in 0.0 seconds."]


def make_run(tmp_path: Path, label: str, tests: Dict[str, List[str]]) -> Path:
    """A run directory with the results.json ``harness parse`` writes for a boot that said this."""
    run_dir = tmp_path / label
    run_dir.mkdir()
    body = [line for lines in tests.values() for line in lines]
    log = ["Booting ReactOS", f"[HARNESS] start version=2 uptime_ms=5000 tests={len(tests)}"] + body
    log += [f"[HARNESS] done tests={len(tests)} uptime_ms=9000"]
    (run_dir / "serial.log").write_text("\n".join(log) + "\n")
    expect = [arg for name in tests for arg in ("--expect", name)]
    cli.main(["parse", str(run_dir / "serial.log"), *expect, "--json", str(run_dir / "results.json")])
    assert (run_dir / "results.json").is_file()
    return run_dir


def run_compare(capsys, *runs: Path, extra: Sequence[str] = ()):
    code = cli.main(["compare", *map(str, runs), *extra])
    return code, capsys.readouterr()


def test_the_site_is_the_source_line_not_the_message():
    assert site_of("process.c:2324: Test failed: got handle 0x524") == "process.c:2324"
    assert site_of("(ntoskrnl) ..\\modules\\rostests\\winetests\\ntdll\\om.c:431: Test failed: x") == "om.c:431"
    assert site_of("sync.c:88: Test succeeded inside todo block: y") == "sync.c:88 (succeeded inside todo)"
    assert site_of("sync: 12 tests executed (0 marked as todo, 0 failures), 0 skipped.") is None


def test_a_check_that_newly_fails_is_a_regression_with_both_sides_lines(tmp_path, capsys):
    base = make_run(tmp_path, "base", {"k32:sync": wine_test("k32:sync", ["sync.c:10: old trouble 1"])})
    new = make_run(tmp_path, "new", {"k32:sync": wine_test("k32:sync", ["sync.c:10: old trouble 2",
                                                                        "sync.c:77: event not signaled"])})
    code, out = run_compare(capsys, base, new, extra=["--json", str(tmp_path / "c.json")])
    assert code == 1
    assert "NEW   k32:sync sync.c:77: baseline 0, new 1" in out.out
    assert "new: sync.c:77: Test failed: event not signaled" in out.out
    report = json.loads((tmp_path / "c.json").read_text())
    assert report["exit_code"] == 1
    [test] = report["tests"]
    assert test["change"] == "regressed"
    assert [s["site"] for s in test["new_failures"]] == ["sync.c:77"]
    assert [s["site"] for s in test["still_failing"]] == ["sync.c:10"]
    # the message changed (a handle, a count), the site did not: still failing, not new
    assert test["still_failing"][0]["baseline_lines"] == ["sync.c:10: Test failed: old trouble 1"]
    assert test["still_failing"][0]["new_lines"] == ["sync.c:10: Test failed: old trouble 2"]


def test_a_check_that_no_longer_fails_is_fixed_and_exit_is_zero(tmp_path, capsys):
    base = make_run(tmp_path, "base", {"k32:process": wine_test("k32:process", ["process.c:3945: not killed",
                                                                                "process.c:100: env"])})
    new = make_run(tmp_path, "new", {"k32:process": wine_test("k32:process", ["process.c:100: env"])})
    code, out = run_compare(capsys, base, new)
    assert code == 0
    assert "FIXED k32:process process.c:3945: baseline 1, new 0" in out.out
    assert "1 fixed, 1 still failing" in out.out


def test_a_check_that_differs_across_baselines_is_flaky_not_a_regression(tmp_path, capsys):
    name = "k32:pipe"
    bases = [make_run(tmp_path, "base1", {name: wine_test(name, ["pipe.c:500: timing"])}),
             make_run(tmp_path, "base2", {name: wine_test(name)}),
             make_run(tmp_path, "base3", {name: wine_test(name, ["pipe.c:500: timing"])})]
    new = make_run(tmp_path, "new", {name: wine_test(name, ["pipe.c:500: timing"])})
    code, out = run_compare(capsys, *bases, new, extra=["--junit", str(tmp_path / "c.xml")])
    assert code == 0
    assert "FLAKY k32:pipe pipe.c:500: baseline 1,0,1, new 1" in out.out
    assert "FLAKY: 1 check site(s) differ across baselines" in out.out
    xml = (tmp_path / "c.xml").read_text()
    assert "<failure" not in xml and "FLAKY pipe.c:500" in xml


def test_one_baseline_cannot_see_flakiness_so_the_same_failure_is_new(tmp_path, capsys):
    """The control of the flaky test: with only the passing baseline, the failure is a regression."""
    name = "k32:pipe"
    base = make_run(tmp_path, "base2", {name: wine_test(name)})
    new = make_run(tmp_path, "new", {name: wine_test(name, ["pipe.c:500: timing"])})
    code, _ = run_compare(capsys, base, new)
    assert code == 1


def test_a_test_missing_from_the_new_run_or_the_image_is_a_regression(tmp_path, capsys):
    base = make_run(tmp_path, "base", {"ntdll:om": wine_test("ntdll:om"), "k32:mailslot": wine_test("k32:mailslot"),
                                       "k32:sync": wine_test("k32:sync")})
    new = make_run(tmp_path, "new", {"ntdll:om": wine_test("ntdll:om"), "k32:mailslot": missing_program("k32:mailslot")})
    code, out = run_compare(capsys, base, new, extra=["--json", str(tmp_path / "c.json"),
                                                      "--junit", str(tmp_path / "c.xml")])
    assert code == 1
    tests = {t["name"]: t for t in json.loads((tmp_path / "c.json").read_text())["tests"]}
    assert tests["k32:mailslot"]["change"] == "regressed"
    assert tests["k32:mailslot"]["reason"] == "completed in every baseline run; now did not complete (missing)"
    assert tests["k32:sync"]["change"] == "regressed"
    assert "missing from the new run's results" in tests["k32:sync"]["reason"]
    assert tests["ntdll:om"]["change"] == "same"
    assert (tmp_path / "c.xml").read_text().count("<failure") == 2


def test_a_crash_in_the_new_run_is_a_regression(tmp_path, capsys):
    name = "k32:thread"
    base = make_run(tmp_path, "base", {name: wine_test(name)})
    new = make_run(tmp_path, "new", {name: wine_test(name, finish=False)})
    code, out = run_compare(capsys, base, new)
    assert code == 1
    assert "REGRESSED: completed in every baseline run; now did not complete (crashed)" in out.out


def test_a_test_only_the_new_run_has_is_reported_and_not_judged(tmp_path, capsys):
    base = make_run(tmp_path, "base", {"ntdll:om": wine_test("ntdll:om")})
    new = make_run(tmp_path, "new", {"ntdll:om": wine_test("ntdll:om"),
                                     "silotest:new": wine_test("silotest:new", ["new.c:1: new test fails"])})
    code, out = run_compare(capsys, base, new)
    assert code == 0
    assert "NO BASELINE: no baseline run has this test" in out.out


def test_failures_the_test_counted_but_never_printed_are_compared_too(tmp_path, capsys):
    name = "k32:virtual"
    base = make_run(tmp_path, "base", {name: wine_test(name)})
    new = make_run(tmp_path, "new", {name: wine_test(name, extra_failures=2)})
    code, out = run_compare(capsys, base, new)
    assert code == 1
    assert f"NEW   {name} {UNPLACED_SITE}: baseline 0, new 2" in out.out


def test_a_loop_check_that_fails_more_often_than_every_baseline_is_a_regression(tmp_path, capsys):
    name = "k32:sync"
    twice = ["sync.c:9: round 1", "sync.c:9: round 2"]
    bases = [make_run(tmp_path, f"b{i}", {name: wine_test(name, twice)}) for i in range(2)]
    new = make_run(tmp_path, "new", {name: wine_test(name, twice + ["sync.c:9: round 3"])})
    code, out = run_compare(capsys, *bases, new)
    assert code == 1
    assert "MORE  k32:sync sync.c:9: baseline 2,2, new 3" in out.out


def test_a_failing_exit_status_alone_is_a_regression(tmp_path, capsys):
    name = "k32:console"
    base = make_run(tmp_path, "base", {name: wine_test(name)})
    new = make_run(tmp_path, "new", {name: wine_test(name, status=3)})
    code, out = run_compare(capsys, base, new)
    assert code == 1
    assert "now fails with no new failed check" in out.out


def test_a_test_that_crashed_in_the_baseline_and_completes_now_is_fixed(tmp_path, capsys):
    name = "k32:toolhelp"
    base = make_run(tmp_path, "base", {name: wine_test(name, finish=False)})
    new = make_run(tmp_path, "new", {name: wine_test(name)})
    code, out = run_compare(capsys, base, new)
    assert code == 0
    assert "FIXED: completed in no baseline run (crashed); now completes" in out.out


def test_an_unreadable_side_is_125_and_says_which(tmp_path, capsys):
    new = make_run(tmp_path, "new", {"ntdll:om": wine_test("ntdll:om")})
    code, out = run_compare(capsys, tmp_path / "nosuch", new)
    assert code == 125 and "cannot read" in out.err and "nosuch" in out.err
    (tmp_path / "bad.json").write_text("{not json")
    code, out = run_compare(capsys, tmp_path / "bad.json", new)
    assert code == 125 and "is not JSON" in out.err
    (tmp_path / "other.json").write_text('{"something": 1}')
    code, out = run_compare(capsys, tmp_path / "other.json", new)
    assert code == 125 and "not a harness results.json" in out.err


def test_one_run_alone_is_a_usage_error(tmp_path, capsys):
    new = make_run(tmp_path, "new", {"ntdll:om": wine_test("ntdll:om")})
    code, out = run_compare(capsys, new)
    assert code == 125 and "a baseline run and a new run" in out.err


def test_sides_with_no_test_in_common_compare_nothing_and_say_so(tmp_path, capsys):
    base = make_run(tmp_path, "base", {"k32:mailslot": missing_program("k32:mailslot")})
    new = make_run(tmp_path, "new", {"k32:mailslot": missing_program("k32:mailslot")})
    code, out = run_compare(capsys, base, new)
    assert code == 125 and "nothing was compared" in out.err


def test_the_boot_that_began_a_test_decides_over_a_resume_that_did_not(tmp_path):
    """A resumed boot reports the tests a crashed one began as not run: the crash stays the result."""
    run_dir = make_run(tmp_path, "run", {"k32:thread": wine_test("k32:thread", finish=False)})
    document = json.loads((run_dir / "results.json").read_text())
    resumed = json.loads(json.dumps(document["boots"][0]))
    resumed["name"] = "resume1"
    for test in resumed["verdict"]["tests"]:
        test["status"] = "not-run"
    document["boots"].append(resumed)
    (run_dir / "results.json").write_text(json.dumps(document))
    assert load_run(run_dir).tests["k32:thread"].status == "crashed"


def test_results_written_before_failed_checks_existed_still_compare(tmp_path):
    run_dir = make_run(tmp_path, "run", {"k32:sync": wine_test("k32:sync", ["sync.c:10: a", "sync.c:11: b"])})
    document = json.loads((run_dir / "results.json").read_text())
    for test in document["boots"][0]["verdict"]["tests"]:
        del test["failed_checks"]
    (run_dir / "results.json").write_text(json.dumps(document))
    assert load_run(run_dir).tests["k32:sync"].sites == {"sync.c:10": 1, "sync.c:11": 1}


def test_compare_reads_a_results_file_as_well_as_its_directory(tmp_path):
    run_dir = make_run(tmp_path, "run", {"ntdll:om": wine_test("ntdll:om", ["om.c:5: x"])})
    left, right = load_run(run_dir), load_run(run_dir / "results.json")
    assert left.tests["ntdll:om"].sites == right.tests["ntdll:om"].sites == {"om.c:5": 1}
    comparison = compare([left], right)
    assert [t.change for t in comparison.tests] == [TestChange.SAME]


def test_a_missing_results_file_raises_compare_error(tmp_path):
    with pytest.raises(CompareError, match="cannot read"):
        load_run(tmp_path)


REAL = FIXTURES / "compare-series"


def _by_name(path: Path) -> Dict[str, dict]:
    return {test["name"]: test for test in json.loads(path.read_text())["tests"]}


def test_two_real_runs_of_one_image_compare_without_a_regression(tmp_path, capsys):
    code, out = run_compare(capsys, REAL / "run1", REAL / "run2", extra=["--json", str(tmp_path / "c.json")])
    assert code == 0, out.out
    tests = _by_name(tmp_path / "c.json")
    assert tests["ntdll_winetest:om"]["change"] == "same" and len(tests["ntdll_winetest:om"]["still_failing"]) == 12
    assert tests["ntdll_apitest:ntqueryobject"]["change"] == "same"
    # One baseline cannot see that sync.c:1093 (a timer queue timing check) comes and goes
    assert tests["kernel32_winetest:sync"]["change"] == "fixed"
    assert [c["site"] for c in tests["kernel32_winetest:sync"]["fixed"]] == ["sync.c:1093"]
    # kernel32 thread dies of an unhandled 0xc0150010 on both sides: broken, not a regression
    assert tests["kernel32_winetest:thread"]["change"] == "still broken"
    # A test that ran no check failed on both sides; it does not "pass on both sides"
    assert tests["ntdll_apitest:ntloadunloadkey"]["change"] == "same"
    assert "failed on both sides" in tests["ntdll_apitest:ntloadunloadkey"]["reason"]
    assert tests["kmtest_:obtypes"]["change"] == "no baseline"
    assert tests["kmtest:obtypes"]["change"] == "still broken"  # missing then, not asked for now


def test_real_baselines_that_disagree_make_the_site_flaky(tmp_path, capsys):
    code, out = run_compare(capsys, REAL / "run1", REAL / "run2", REAL / "run2",
                            extra=["--json", str(tmp_path / "c.json")])
    assert code == 0, out.out
    tests = _by_name(tmp_path / "c.json")
    sync = tests["kernel32_winetest:sync"]
    assert sync["change"] == "flaky" and [c["site"] for c in sync["flaky"]] == ["sync.c:1093"]
    # a baseline run that did not have the test (its set named others then) is no sign of flakiness
    assert tests["kmtest_:obtypes"]["change"] == "same"
    assert tests["kmtest_:psquota"]["change"] == "same"


def test_a_real_test_gone_from_the_new_run_is_a_regression(tmp_path, capsys):
    document = json.loads((REAL / "run2" / "results.json").read_text())
    for boot in document["boots"]:
        boot["verdict"]["tests"] = [t for t in boot["verdict"]["tests"] if t["name"] != "ntdll_winetest:om"]
    (tmp_path / "results.json").write_text(json.dumps(document))
    code, out = run_compare(capsys, REAL / "run1", REAL / "run2", tmp_path / "results.json",
                            extra=["--json", str(tmp_path / "c.json")])
    assert code == 1, out.out
    assert _by_name(tmp_path / "c.json")["ntdll_winetest:om"]["change"] == "regressed"
    assert "ntdll_winetest:om" in out.out


def test_a_real_check_failing_anew_is_a_regression_with_its_line(tmp_path, capsys):
    document = json.loads((REAL / "run2" / "results.json").read_text())
    added = "om.c:2000: Test failed: a new failure"
    for boot in document["boots"]:
        for test in boot["verdict"]["tests"]:
            if test["name"] == "ntdll_apitest:ntqueryobject":
                test["status"] = "failed"
                test["failed_checks"] = [{"line": 40, "time": 3.5, "text": added}]
                test["counts"]["failures"] = 1
    (tmp_path / "results.json").write_text(json.dumps(document))
    code, out = run_compare(capsys, REAL / "run1", REAL / "run2", tmp_path / "results.json",
                            extra=["--json", str(tmp_path / "c.json")])
    assert code == 1, out.out
    change = _by_name(tmp_path / "c.json")["ntdll_apitest:ntqueryobject"]
    assert change["change"] == "regressed" and change["new_failures"][0]["site"] == "om.c:2000"
    assert added in out.out


def test_the_suite_table_sums_each_scenario_with_its_test_time(tmp_path, capsys):
    code, out = run_compare(capsys, REAL / "run1", REAL / "run2", extra=["--json", str(tmp_path / "c.json")])
    assert code == 0
    suites = {s["scenario"]: s for s in json.loads((tmp_path / "c.json").read_text())["suites"]}
    assert list(suites) == ["host-ob", "host-sync", "host-processes", "host-registry", "host-kernel"]
    sync = suites["host-sync"]
    assert (sync["tests"], sync["regressed"], sync["fixed"], sync["still_failing"], sync["flaky"]) == (1, 0, 1, 18, 0)
    assert (sync["baseline_checks"], sync["new_checks"]) == (421578, 409231)
    assert sync["baseline_seconds"] > 30 and sync["new_seconds"] > 30
    assert suites["host-ob"]["tests"] == 2 and suites["host-ob"]["still_failing"] == 12
    table = out.out[out.out.index("suite "):]
    assert "host-sync" in table and "421578 -> 409231" in table and " s -> " in table


def test_flaky_and_regressed_tests_are_counted_in_their_suite(tmp_path, capsys):
    base1 = make_run(tmp_path, "b1", {"k32:sync": wine_test("k32:sync", ["sync.c:10: timer late"])})
    base2 = make_run(tmp_path, "b2", {"k32:sync": wine_test("k32:sync")})
    new = make_run(tmp_path, "new", {"k32:sync": wine_test("k32:sync", ["sync.c:20: new failure"])})
    code, out = run_compare(capsys, base1, base2, new, extra=["--json", str(tmp_path / "c.json")])
    assert code == 1
    (suite,) = json.loads((tmp_path / "c.json").read_text())["suites"]
    assert (suite["regressed"], suite["new_failures"], suite["flaky"]) == (1, 1, 1)


def test_a_gzipped_results_file_compares_like_the_plain_one(tmp_path, capsys):
    import gzip

    packed = tmp_path / "run1.json.gz"
    packed.write_bytes(gzip.compress((REAL / "run1" / "results.json").read_bytes()))
    code, out = run_compare(capsys, packed, REAL / "run2")
    assert code == 0 and "kernel32_winetest:sync" in out.out
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(b"not gzip at all")
    code, out = run_compare(capsys, broken, REAL / "run2")
    assert code == 125 and "not a readable gzip file" in out.err
