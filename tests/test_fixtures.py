"""Judging real ReactOS serial logs recorded from boots of the patched LiveCD (tests/fixtures/).

Each fixture is a boot's run directory as the harness left it: QEMU's raw COM1 log and the
session record. ``harness parse`` must reach the verdict the live run reached.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.console import ConsoleLine
from harness.grammar import Kind, classify
from harness.offline import rejudge_saved
from harness.verdict import Outcome, TestStatus

FIXTURES = Path(__file__).parent / "fixtures"


def judge_fixture(name: str):
    verdict, record = rejudge_saved(FIXTURES / name / "serial.log")
    assert record is not None, f"{name} has no session.json"
    return verdict


def test_a_normal_boot_running_the_smoke_tests_passes():
    verdict = judge_fixture("reactos-smoke-pass")
    assert verdict.outcome is Outcome.PASS
    assert [t.name for t in verdict.tests] == ["harnesstest:version", "harnesstest:processes"]
    assert all(t.status is TestStatus.PASSED for t in verdict.tests)
    assert verdict.commit == "7432f4e9d959aef63f10a7f4aa9ebd56b1403f6a"
    assert "KDSERIAL" in verdict.command_line


def test_a_failing_check_in_a_real_boot_is_a_test_failure():
    verdict = judge_fixture("reactos-test-failure")
    assert verdict.outcome is Outcome.TEST_FAILURE
    assert verdict.tests[0].counts == {"executed": 2, "todo": 0, "failures": 1, "skipped": 0}
    assert "deliberate failure" in verdict.tests[0].evidence[0].text


def test_a_real_bugcheck_is_read_with_its_stop_code_and_kdbg_backtrace():
    verdict = judge_fixture("reactos-bugcheck-kdbg")
    assert verdict.outcome is Outcome.BUGCHECK
    assert verdict.bugcheck.code == 0xC000021A and verdict.bugcheck.parameters == [0, 0, 0, 0]
    assert any("ExpSystemErrorHandler" in line for line in verdict.backtrace)
    assert verdict.tests[0].status is TestStatus.CRASHED


def test_a_real_user_mode_assertion_prompt_is_an_assertion():
    verdict = judge_fixture("reactos-assertion-prompt")
    assert verdict.outcome is Outcome.ASSERTION
    assert "harness negative control" in verdict.summary
    assert verdict.tests[0].exit_status == 0x80000003


def test_a_real_hang_is_a_hang_even_though_the_break_in_entered_kdbg():
    verdict = judge_fixture("reactos-hang-breakin")
    assert verdict.outcome is Outcome.HANG
    assert any("harnesstest.exe" in line for line in verdict.backtrace)


def test_without_its_session_record_the_hang_log_shows_only_the_debugger_entry(tmp_path):
    lone = tmp_path / "serial.log"
    lone.write_bytes((FIXTURES / "reactos-hang-breakin" / "serial.log").read_bytes())
    verdict, record = rejudge_saved(lone, ["harnesstest:hang"])
    assert record is None
    assert verdict.outcome is Outcome.DEBUGGER  # never a pass


@pytest.mark.parametrize("name, code", [("reactos-smoke-pass", 0), ("reactos-test-failure", 1),
                                        ("reactos-bugcheck-kdbg", 2), ("reactos-assertion-prompt", 2),
                                        ("reactos-hang-breakin", 2)])
def test_parse_exit_codes_on_real_boots(name, code, capsys):
    assert main(["parse", str(FIXTURES / name)]) == code


def test_a_real_silo_boot_passes_with_its_figures():
    """Issue 3's scenarios on the patched LiveCD: every test passed, the battery and benchmark figures kept."""
    verdict = judge_fixture("reactos-silo-pass")
    assert verdict.outcome is Outcome.PASS
    by_name = {t.name: t for t in verdict.tests}
    assert set(by_name) >= {"silotest:jobs", "silotest:objects", "silotest:ddi", "silotest:fuzz", "silotest:bench"}
    assert all(t.status is TestStatus.PASSED for t in verdict.tests)
    assert by_name["silotest:ddi"].counts["executed"] > 100
    fuzz = by_name["silotest:fuzz"].metrics
    assert fuzz["fuzz"]["calls"] == "10000" and fuzz["fuzz"]["job_objects"] == "0->0"
    assert fuzz["fuzz-ddi"]["contexts_created"] == fuzz["fuzz-ddi"]["contexts_cleaned"]
    assert "ratio" in by_name["silotest:bench"].metrics["silo-bench"]


def test_a_real_contained_silo_boot_passes_and_its_silo_ends_are_read():
    """Issue 6: silos died of a critical process, shutdowns and a hard error; the host reported PASS."""
    verdict = judge_fixture("reactos-contain")
    assert verdict.outcome is Outcome.PASS, verdict.summary
    assert verdict.bugcheck is None
    lines = (FIXTURES / "reactos-contain" / "serial.log").read_text(errors="replace").splitlines()
    kinds = [event.kind for number, text in enumerate(lines, 1)
             for event in classify(ConsoleLine(number, 0.0, text))]
    assert kinds.count(Kind.SILO_CRITICAL_EXIT) >= 2
    assert kinds.count(Kind.SILO_TERMINATED) >= 8
    assert Kind.CRITICAL_PROCESS not in kinds and Kind.CRITICAL_PROMPT not in kinds


def test_a_real_host_critical_death_is_answered_c_and_reported_as_its_bugcheck():
    verdict = judge_fixture("reactos-host-critical-bic")
    assert verdict.outcome is Outcome.BUGCHECK
    assert verdict.bugcheck.code == 0xF4 and verdict.bugcheck.name == "CRITICAL_OBJECT_TERMINATION"
    assert any("PspCatchCriticalBreak" in line for line in verdict.backtrace)


def test_a_real_boot_of_silos_with_their_own_csrss_passes_with_its_figures():
    """Issue 5: silo SMSS and CSRSS announce themselves per silo; the start ratio and capacity are read."""
    verdict = judge_fixture("reactos-silo-csrss")
    assert verdict.outcome is Outcome.PASS, verdict.summary
    [csrss] = verdict.tests
    assert csrss.name == "silotest:csrss" and csrss.status is TestStatus.PASSED
    assert float(csrss.metrics["csrss-start"]["ratio"]) <= 1.5
    assert csrss.metrics["csrss-silos"]["running_at_once"] == "32"
    lines = (FIXTURES / "reactos-silo-csrss" / "serial.log").read_text(errors="replace").splitlines()
    silos = {line.split()[3] for line in lines if line.startswith("CSRSS: server silo ")}
    assert len(silos) >= 32 and silos == {line.split()[3] for line in lines if line.startswith("SMSS: server silo ")}
    kinds = [event.kind for number, text in enumerate(lines, 1)
             for event in classify(ConsoleLine(number, 0.0, text))]
    assert kinds.count(Kind.SILO_CRITICAL_EXIT) == 1   # the silo whose CSRSS the test killed


def _attack_rows(name: str) -> dict:
    """escape.c's per-attack lines ("escape attack NAME: silo STATUS, host STATUS, blocked|REACHED")."""
    rows = {}
    for line in (FIXTURES / name / "console.log").read_text(errors="replace").splitlines():
        if "escape attack " in line and (line.endswith(", blocked") or line.endswith(", REACHED")):
            attack = line.split("escape attack ", 1)[1].split(":", 1)[0]
            rows[attack] = line.rsplit(", ", 1)[1]
    return rows


def test_a_real_escape_battery_blocks_every_attack_and_changes_nothing():
    """Issue 11: a LiveCD built from the series; every attack from inside the silo is blocked."""
    verdict, _record = rejudge_saved(FIXTURES / "reactos-silo-escape" / "console.log")
    assert verdict.outcome is Outcome.PASS, verdict.summary
    escape = verdict.tests[0].metrics["escape"]
    assert escape["attacks"] == escape["blocked"] == "61" and escape["host_changes"] == "0"
    assert escape["silos"] == "2"
    rows = _attack_rows("reactos-silo-escape")
    assert len(rows) == 60 and set(rows.values()) == {"blocked"}   # the 59 of the battery and the SB port


def test_the_same_battery_without_the_gates_reaches_the_host_and_bugchecks_it():
    """The control of the whole battery: the series without patches 0016-0019 (recorded on a real boot).
    The checks fail where a gate is missing, the host proofs see the changes, and the hard error of the
    silo's port owner takes the host down (FATAL_UNHANDLED_HARD_ERROR with the raised status)."""
    verdict, _record = rejudge_saved(FIXTURES / "reactos-silo-escape-ungated" / "console.log")
    assert verdict.outcome is Outcome.BUGCHECK, verdict.summary
    assert verdict.bugcheck.code == 0xD0000005
    assert any("ExpSystemErrorHandler" in line for line in verdict.backtrace)
    rows = _attack_rows("reactos-silo-escape-ungated")
    reached = {name for name, result in rows.items() if result == "REACHED"}
    assert {"load-driver", "set-time", "registry-set-value", "lent-make-temporary", "host-lsa-port"} <= reached
    # what patch 0015 and the older namespace rules still stop stays blocked
    assert rows["open-host-process"] == rows["lent-open-all-access"] == "blocked"
    console = (FIXTURES / "reactos-silo-escape-ungated" / "console.log").read_text(errors="replace")
    assert "Test failed: the host clock moved by 86400 s" in console


def test_without_the_process_gate_exactly_the_process_attacks_reach_the_host():
    """The series with PsIsProcessVisibleToCaller answering TRUE (a negative-control build, real boot):
    the ten process attacks reach the host from both silos, every other attack stays blocked."""
    verdict, _record = rejudge_saved(FIXTURES / "reactos-silo-escape-no-process-gate" / "console.log")
    assert verdict.outcome is Outcome.TEST_FAILURE, verdict.summary
    escape = verdict.tests[0].metrics["escape"]
    assert (escape["attacks"], escape["blocked"]) == ("60", "50")
    rows = _attack_rows("reactos-silo-escape-no-process-gate")
    reached = sorted(name for name, result in rows.items() if result == "REACHED")
    assert reached == sorted(["open-host-process", "open-host-process-cid", "open-host-thread",
                              "open-host-thread-cid", "open-host-csrss", "list-processes", "list-handles",
                              "list-handles-ex", "parent-spoof", "raise-process-handle"])


def test_the_old_double_teardown_of_a_raced_silo_is_read_as_a_list_corruption_bugcheck():
    """Before patch 0021: a terminate during the create callbacks tore the silo down, STARTED then
    overwrote TERMINATED, and closing the job tore it down again (the silo's list entry twice)."""
    verdict = judge_fixture("reactos-silo-race-double-teardown")
    assert verdict.outcome is Outcome.BUGCHECK
    assert verdict.bugcheck.code == 0x139 and verdict.bugcheck.name == "KERNEL_SECURITY_CHECK_FAILURE"
    assert any("PspDeleteSilo" in line for line in verdict.backtrace)
    assert verdict.tests[0].status is TestStatus.CRASHED
    log = (FIXTURES / "reactos-silo-race-double-teardown" / "serial.log").read_text(errors="replace")
    assert log.count("Server silo 2 terminated with status 0x4242") == 2


def test_silos_end_before_the_host_shuts_down_and_the_boot_passes_only_once_qemu_exited():
    verdict = judge_fixture("reactos-silo-host-shutdown")
    assert verdict.outcome is Outcome.PASS and "shut down" in verdict.summary
    log = (FIXTURES / "reactos-silo-host-shutdown" / "serial.log").read_text(errors="replace")
    first = log.index("Host shutdown: ending 2 server silo(s) first")
    ended = [log.index(f"Server silo {n} terminated with status 0xc00002eb") for n in (1, 2)]
    held = log.index("silodrv: host shutdown waits for the test's report")
    report = log.index("host-shutdown: silos=2 ended_before_host=2")
    assert first < min(ended) and max(ended) < held < report


def test_a_guest_that_stays_up_after_its_shutdown_is_not_a_pass():
    """The same test with a power-off the LiveCD's HAL cannot do: every check passed, the guest
    never went down, and the boot is a hang."""
    verdict = judge_fixture("reactos-silo-host-shutdown-stays-up")
    assert verdict.outcome is Outcome.HANG
    assert verdict.tests[0].status is TestStatus.PASSED


def test_a_host_restart_in_the_middle_of_a_test_is_a_reboot():
    """QEMU (-no-reboot) reported the reset only as SHUTDOWN guest-reset; the session says reboot."""
    verdict = judge_fixture("reactos-reboot-mid-test")
    assert verdict.outcome is Outcome.REBOOT and "guest-reset" in verdict.summary
    assert verdict.tests[0].status is TestStatus.CRASHED
