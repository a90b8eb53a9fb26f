"""Protocol extraction and judging, on console text in the exact formats ReactOS prints.

Each case builds a log from the strings of the pinned tree (wine/test.h, harnessrun.c, ke/bug.c,
rtl/assert.c) and checks the typed verdict. Real recorded boots are in test_fixtures.py.
"""

from __future__ import annotations

from harness.console import split_log
from harness.monitor import replay
from harness.offline import judge_transcript
from harness.verdict import EndReason, Outcome, TestStatus


def verdict_of(text: str, requested=()):
    transcript = replay(split_log(text.encode()))
    return judge_transcript(requested, transcript), transcript


def runner(*tests_output: str, done: bool = True, plan=("harnesstest:version",)) -> str:
    lines = [f"[HARNESS] start version=1 uptime_ms=17000 tests={len(plan)}"]
    lines += [f"[HARNESS] plan {name}" for name in plan]
    lines += list(tests_output)
    if done:
        lines.append(f"[HARNESS] done tests={len(plan)} uptime_ms=18000")
    return "\n".join(lines) + "\n"


def a_test(name: str, executed: int = 5, failures: int = 0, status: int = 0, failed_lines=()) -> str:
    module, test = name.split(":")
    return "\n".join([f"Running Wine Test, Module: {module}, Test: {test}", *failed_lines,
                      f"{test}: {executed} tests executed (0 marked as todo, {failures} failure{'s' if failures != 1 else ''}), 0 skipped.",
                      f"[HARNESS] exit {name} status=0x{status:08x}",
                      f"Test {test} completed in 0.25 seconds."])


def test_all_tests_reporting_clean_summaries_is_a_pass():
    verdict, _ = verdict_of(runner(a_test("harnesstest:version")))
    assert verdict.outcome is Outcome.PASS and verdict.exit_code == 0
    assert verdict.tests[0].counts == {"executed": 5, "todo": 0, "failures": 0, "skipped": 0}


def test_a_failed_check_is_a_test_failure_with_the_failing_line_as_evidence():
    log = runner(a_test("harnesstest:broken", executed=2, failures=1, status=1,
                        failed_lines=["negative.c:19: Test failed: deliberate failure"]),
                 plan=("harnesstest:broken",))
    verdict, _ = verdict_of(log)
    assert verdict.outcome is Outcome.TEST_FAILURE and verdict.exit_code == 1
    assert verdict.tests[0].status is TestStatus.FAILED
    assert "deliberate failure" in verdict.tests[0].evidence[0].text


def test_a_test_asked_for_but_never_run_is_a_crash_not_a_pass():
    log = runner(a_test("harnesstest:version"), plan=("harnesstest:version", "harnesstest:processes"))
    verdict, _ = verdict_of(log)
    assert verdict.outcome is Outcome.CRASH and verdict.exit_code == 2
    assert verdict.tests[1].status is TestStatus.NOT_RUN


def test_the_harness_request_is_authoritative_over_the_runner_plan():
    verdict, _ = verdict_of(runner(a_test("harnesstest:version")), requested=["harnesstest:version", "silo:basic"])
    assert verdict.outcome is Outcome.CRASH
    assert [t.status for t in verdict.tests] == [TestStatus.PASSED, TestStatus.NOT_RUN]


def test_a_log_that_stops_mid_test_is_a_crash():
    log = runner("Running Wine Test, Module: harnesstest, Test: version", "version.c:10: halfway", done=False)
    verdict, transcript = verdict_of(log)
    assert transcript.end is EndReason.END_OF_LOG
    assert verdict.outcome is Outcome.CRASH and verdict.tests[0].status is TestStatus.CRASHED


def test_a_test_process_dying_with_an_exception_status_is_a_crash_of_that_test():
    log = runner("\n".join(["Running Wine Test, Module: harnesstest, Test: version",
                            "[HARNESS] exit harnesstest:version status=0xc0000005",
                            "Test version completed in 0.10 seconds."]))
    verdict, _ = verdict_of(log)
    assert verdict.tests[0].status is TestStatus.CRASHED and "0xC0000005" in verdict.tests[0].reason
    assert verdict.outcome is Outcome.CRASH


def test_a_test_the_runner_had_to_kill_is_a_timeout():
    log = runner("\n".join(["Running Wine Test, Module: harnesstest, Test: version",
                            "[HARNESS] timeout harnesstest:version after 120 s",
                            "[HARNESS] exit harnesstest:version status=0x00000102",
                            "Test version completed in 120.00 seconds."]))
    verdict, _ = verdict_of(log)
    assert verdict.tests[0].status is TestStatus.TIMEOUT and verdict.outcome is Outcome.TEST_FAILURE


def test_a_test_program_the_image_lacks_is_missing_never_passed():
    log = runner("\n".join(["Running Wine Test, Module: nosuch, Test: t",
                            '[HARNESS] error cannot start "X:\\reactos\\bin\\nosuch.exe" t: error 2',
                            "[HARNESS] exit nosuch:t status=0xe0000002",
                            "Test t completed in 0.01 seconds."]), plan=("nosuch:t",))
    verdict, _ = verdict_of(log)
    assert verdict.tests[0].status is TestStatus.MISSING
    assert "no nosuch.exe" in verdict.tests[0].reason and "ENABLE_ROSTESTS" in verdict.tests[0].reason
    assert verdict.outcome is Outcome.TEST_FAILURE


def test_a_program_that_cannot_start_for_another_reason_is_an_error():
    log = runner("\n".join(["Running Wine Test, Module: denied, Test: t",
                            '[HARNESS] error cannot start "X:\\reactos\\bin\\denied.exe" t: error 5',
                            "[HARNESS] exit denied:t status=0xe0000005",
                            "Test t completed in 0.01 seconds."]), plan=("denied:t",))
    verdict, _ = verdict_of(log)
    assert verdict.tests[0].status is TestStatus.ERROR and "error 5" in verdict.tests[0].reason
    assert verdict.outcome is Outcome.TEST_FAILURE


def test_a_test_with_no_checks_does_not_pass():
    verdict, _ = verdict_of(runner(a_test("harnesstest:version", executed=0)))
    assert verdict.tests[0].status is TestStatus.FAILED


def test_summaries_of_child_processes_are_added_up_like_testman_does():
    log = runner("\n".join(["Running Wine Test, Module: harnesstest, Test: version",
                            "version: 3 tests executed (0 marked as todo, 0 failures), 0 skipped.",
                            "version: 4 tests executed (1 marked as todo, 1 failure), 2 skipped.",
                            "[HARNESS] exit harnesstest:version status=0x00000000",
                            "Test version completed in 0.25 seconds."]))
    verdict, _ = verdict_of(log)
    assert verdict.tests[0].counts == {"executed": 7, "todo": 1, "failures": 1, "skipped": 2}
    assert verdict.tests[0].status is TestStatus.FAILED


def test_a_bugcheck_outranks_test_results_and_carries_code_and_parameters():
    log = runner(a_test("harnesstest:version"), done=False) + "\n".join([
        "", "*** Fatal System Error: 0x0000007e", "                       (0xC0000005,0x80912345,0xF7A3FC60,0xF7A3F95C)",
        "", "Entered debugger on embedded INT3 at 0x0008:0x80911b10.", "kdb:> bt",
        "<ntoskrnl.exe:8a2d1 (ntoskrnl/ke/bug.c:1212 (KeBugCheckWithTf))>", "kdb:> "])
    verdict, transcript = verdict_of(log)
    assert transcript.end is EndReason.FATAL
    assert verdict.outcome is Outcome.BUGCHECK
    assert verdict.bugcheck.describe().startswith("0x0000007E SYSTEM_THREAD_EXCEPTION_NOT_HANDLED (0xc0000005,0x80912345,")
    assert "Fatal System Error" in verdict.evidence[0].text


def test_a_dprint_prefix_does_not_hide_a_string():
    log = "(ntoskrnl/ke/bug.c:1052) *** Fatal System Error: 0x000000f4\n(0x00000003,0x81234560,0x81234700,0x80912340)\n"
    verdict, _ = verdict_of(log)
    assert verdict.bugcheck.code == 0xF4 and verdict.bugcheck.name == "CRITICAL_OBJECT_TERMINATION"


def test_an_assertion_is_reported_with_its_message():
    log = "\n".join(["*** Assertion failed: Process->Job == NULL", "***   Source File: ntoskrnl/ps/job.c, line 210", "",
                     "Break repeatedly, break Once, Ignore, terminate Process or terminate Thread (boipt)? o"])
    verdict, _ = verdict_of(log)
    assert verdict.outcome is Outcome.ASSERTION and "Process->Job == NULL" in verdict.summary


def test_a_second_banner_in_a_saved_log_is_a_reboot():
    banner = "-" * 53
    verdict, _ = verdict_of(f"{banner}\nReactOS 0.4.16-dev (Build x) (Commit abc)\n{banner}\n")
    assert verdict.outcome is Outcome.REBOOT


def test_a_log_without_the_runner_is_a_crash_never_a_pass():
    verdict, _ = verdict_of("-" * 53 + "\nBoot took 1234 cycles!\n")
    assert verdict.outcome is Outcome.CRASH and "never started" in verdict.summary


def test_a_rosautotest_log_is_read_by_the_same_code():
    log = "\n".join(["[ROSAUTOTEST] System uptime 12.34 seconds",
                     "Running Wine Test, Module: kernel32, Test: process",
                     "process.c:100: Test failed: wrong exit code",
                     "process: 120 tests executed (0 marked as todo, 1 failure), 3 skipped.",
                     "Test process completed in 2.50 seconds.", "SYSREG_CHECKPOINT:THIRDBOOT_COMPLETE"])
    transcript = replay(split_log(log.encode()))
    run = transcript.protocol.run_for("kernel32:process")
    assert run.summary.failures == 1 and run.seconds == 2.5 and len(run.failed_checks) == 1


def test_exit_codes_follow_git_bisect_conventions():
    assert Outcome.PASS.exit_code == 0
    assert Outcome.TEST_FAILURE.exit_code == 1
    assert {o.exit_code for o in (Outcome.BUGCHECK, Outcome.HANG, Outcome.CRASH, Outcome.REBOOT, Outcome.TIMEOUT)} == {2}
    assert Outcome.INFRA.exit_code == 125


def test_a_shutdown_scenario_passes_only_when_the_guest_shut_down():
    log = runner(a_test("silotest:hostshutdown"), plan=("silotest:hostshutdown",))
    transcript = replay(split_log(log.encode()))
    transcript.end = EndReason.GUEST_EXITED
    verdict = judge_transcript(["silotest:hostshutdown"], transcript, expect_shutdown=True)
    assert verdict.outcome is Outcome.PASS and "shut down" in verdict.summary

    # The same report, but the guest stayed up after "done": not a pass
    transcript.end = EndReason.END_OF_LOG
    verdict = judge_transcript(["silotest:hostshutdown"], transcript, expect_shutdown=True)
    assert verdict.outcome is Outcome.CRASH and "did not shut down" in verdict.summary


def test_a_shutdown_before_the_report_arrived_is_a_crash():
    log = runner("Running Wine Test, Module: silotest, Test: hostshutdown", done=False,
                 plan=("silotest:hostshutdown",))
    transcript = replay(split_log(log.encode()))
    transcript.end = EndReason.GUEST_EXITED
    verdict = judge_transcript(["silotest:hostshutdown"], transcript, expect_shutdown=True)
    assert verdict.outcome is Outcome.CRASH and "powered off" in verdict.summary
    assert verdict.tests[0].status is TestStatus.CRASHED


def test_a_restart_after_the_report_is_the_shutdown_a_shutdown_scenario_asked_for():
    log = runner(a_test("silotest:hostshutdown"), plan=("silotest:hostshutdown",))
    transcript = replay(split_log(log.encode()))
    transcript.end = EndReason.REBOOT
    verdict = judge_transcript(["silotest:hostshutdown"], transcript, expect_shutdown=True)
    assert verdict.outcome is Outcome.PASS and "restarted" in verdict.summary
    # Anywhere else a restart is a reboot, never a pass
    assert judge_transcript(["silotest:hostshutdown"], transcript).outcome is Outcome.REBOOT


def test_a_restart_before_the_report_fails_even_a_shutdown_scenario():
    log = runner("Running Wine Test, Module: silotest, Test: hostshutdown", done=False,
                 plan=("silotest:hostshutdown",))
    transcript = replay(split_log(log.encode()))
    transcript.end = EndReason.REBOOT
    verdict = judge_transcript(["silotest:hostshutdown"], transcript, expect_shutdown=True)
    assert verdict.outcome is Outcome.REBOOT and verdict.tests[0].status is TestStatus.CRASHED


def test_a_test_that_finished_after_the_guest_entered_the_debugger_is_blamed_and_earlier_ones_stay():
    """KDBG was continued and the test went on to pass: the crash is still that test's."""
    during = "\n".join([
        "Running Wine Test, Module: harnesstest, Test: processes",
        "Entered debugger on embedded INT3 at 0x0008:0x805B3BCE.",
        "processes: 6 tests executed (0 marked as todo, 0 failures), 0 skipped.",
        "[HARNESS] exit harnesstest:processes status=0x00000000",
        "Test processes completed in 0.25 seconds."])
    log = runner(a_test("harnesstest:version"), during, plan=("harnesstest:version", "harnesstest:processes"))
    verdict, _ = verdict_of(log)
    assert verdict.outcome is Outcome.DEBUGGER
    assert verdict.tests[0].status is TestStatus.PASSED
    assert verdict.tests[1].status is TestStatus.CRASHED and "Entered debugger" in verdict.tests[1].reason
