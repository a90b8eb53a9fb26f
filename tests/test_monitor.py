"""The live monitor against a real QEMU: tiny guests act out what a ReactOS boot prints."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.monitor import Limits, Monitor
from harness.offline import judge_transcript
from harness.verdict import EndReason, Outcome, TestStatus
from harness.vm import Machine, MachineConfig
from tinyguest import Script

pytestmark = pytest.mark.qemu

BANNER = "(ntoskrnl/kd64/kdinit.c:94) -----------------------------------------------------"
VERSION = "(ntoskrnl/kd64/kdinit.c:95) ReactOS 0.4.16-dev (Build 20251125-0.4.16-dev-1) (Commit 7432f4e9d959aef63f10a7f4aa9ebd56b1403f6a)"


def boot_reactos_like(script: Script, tmp_path: Path, limits: Limits = Limits(deadline_s=60, inactivity_s=30),
                      tests=("harnesstest:version",)):
    image = script.build(tmp_path)
    config = MachineConfig(raw_boot_image=image, boot_order="c", memory_mb=32, accel="tcg")
    with Machine(config, tmp_path / "run") as machine:
        transcript = Monitor(machine, limits).run()
    verdict = judge_transcript(tests, transcript)
    return transcript, verdict


def runner_passing(script: Script, test: str = "version") -> Script:
    return script.print(
        "[HARNESS] start version=1 uptime_ms=18000 tests=1",
        f"[HARNESS] plan harnesstest:{test}",
        f"Running Wine Test, Module: harnesstest, Test: {test}",
        "version.c:40: running on 5.2 build 3790 ()",
        f"{test}: 7 tests executed (0 marked as todo, 0 failures), 0 skipped.",
        f"[HARNESS] exit harnesstest:{test} status=0x00000000",
        f"Test {test} completed in 0.12 seconds.",
        "[HARNESS] done tests=1 uptime_ms=18200")


def test_a_passing_runner_ends_the_session_at_done(tmp_path):
    script = runner_passing(Script().print(BANNER, VERSION, "Boot took 123456 cycles!"))
    transcript, verdict = boot_reactos_like(script.print("after done").hang(), tmp_path)
    assert transcript.end is EndReason.RUNNER_DONE
    assert verdict.outcome is Outcome.PASS
    assert verdict.commit == "7432f4e9d959aef63f10a7f4aa9ebd56b1403f6a"
    assert [t.status for t in verdict.tests] == [TestStatus.PASSED]
    assert transcript.banner_s is not None and transcript.done_s is not None


def test_a_bugcheck_is_driven_through_kdbg_and_the_backtrace_kept(tmp_path):
    script = (Script().print(BANNER, VERSION, "Running Wine Test, Module: harnesstest, Test: bugcheck", "",
                             "*** Fatal System Error: 0x0000004c",
                             "                       (0xC000021A,0xF7A3FC60,0x00000000,0x00000000)", "",
                             "Entered debugger on embedded INT3 at 0x0008:0x80911b10.")
              .prompt("kdb:> ")                                # the harness must type "bt"
              .print("Eip:", "<ntoskrnl.exe:1b10 (sdk/lib/rtl/i386/debug_asm.S:32 (RtlpBreakWithStatusInstruction))>",
                     "<ntoskrnl.exe:8a2d1 (ntoskrnl/ke/bug.c:1212 (KeBugCheckWithTf))>")
              .prompt("kdb:> ")                                # evidence complete: the harness stops here
              .print("THE HARNESS SHOULD HAVE STOPPED").hang())
    transcript, verdict = boot_reactos_like(script, tmp_path, tests=("harnesstest:bugcheck",))
    assert transcript.end is EndReason.FATAL
    assert verdict.outcome is Outcome.BUGCHECK
    assert verdict.bugcheck.code == 0x4C and verdict.bugcheck.parameters[0] == 0xC000021A
    assert any("KeBugCheckWithTf" in line for line in verdict.backtrace)
    assert not any("SHOULD HAVE STOPPED" in l.text for l in transcript.lines)
    assert transcript.screenshots  # the VGA screen is kept as evidence


def test_an_assertion_prompt_is_answered_break_once_then_continued(tmp_path):
    script = (Script().print(BANNER, "*** Assertion failed: Process->Job == NULL",
                             "***   Source File: ntoskrnl/ps/job.c, line 210", "")
              .print("Break repeatedly, break Once, Ignore, terminate Process or terminate Thread (boipt)? ")
              .prompt("kdb:> ")      # DbgPrompt reads its answer here: "o"
              .print("Execute '.cxr 0022FB18' to dump context", "Entered debugger on embedded INT3 at 0x0008:0x80911b10.")
              .prompt("kdb:> ")      # bt
              .print("<ntoskrnl.exe:12345 (ntoskrnl/ps/job.c:210 (NtAssignProcessToJobObject))>")
              .prompt("kdb:> ")      # cont
              .print("continued after the assertion").delay(0.5).hang())
    transcript, verdict = boot_reactos_like(script, tmp_path, Limits(deadline_s=60, inactivity_s=4))
    assert any(l.text == "continued after the assertion" for l in transcript.lines)
    assert verdict.outcome is Outcome.ASSERTION
    assert "Process->Job == NULL" in verdict.summary
    assert any("NtAssignProcessToJobObject" in line for line in verdict.backtrace)


def test_a_silent_guest_is_a_hang_with_a_screendump_never_a_pass(tmp_path):
    script = Script().print(BANNER, "[HARNESS] start version=1 uptime_ms=1 tests=1",
                            "[HARNESS] plan harnesstest:version").hang()
    transcript, verdict = boot_reactos_like(script, tmp_path, Limits(deadline_s=60, inactivity_s=2))
    assert transcript.end is EndReason.INACTIVITY
    assert verdict.outcome is Outcome.HANG and verdict.exit_code == 2
    assert any(name.startswith("hang") for name in transcript.screenshots)


def test_an_endless_loop_is_detected(tmp_path):
    transcript, verdict = boot_reactos_like(Script().print(BANNER).repeat("(ntoskrnl/mm/ARM3/pagfault.c:100) retrying"),
                                            tmp_path)
    assert transcript.end is EndReason.LOOP and verdict.outcome is Outcome.LOOP


def test_a_second_kernel_banner_is_an_unexpected_reboot(tmp_path):
    transcript, verdict = boot_reactos_like(Script().print(BANNER, VERSION, BANNER).hang(), tmp_path)
    assert verdict.outcome is Outcome.REBOOT


def test_a_guest_reset_before_reporting_is_a_reboot_not_a_power_off(tmp_path):
    """A triple fault resets the machine; under -no-reboot QEMU says so only as SHUTDOWN guest-reset
    (no RESET event) and exits. That is a reboot, and the running test crashed."""
    script = Script().print(BANNER, "[HARNESS] start version=1 uptime_ms=1 tests=1",
                            "Running Wine Test, Module: harnesstest, Test: version").triple_fault()
    transcript, verdict = boot_reactos_like(script, tmp_path)
    assert transcript.end is EndReason.REBOOT and "guest-reset" in transcript.end_detail
    assert verdict.outcome is Outcome.REBOOT
    assert verdict.tests[0].status is TestStatus.CRASHED
    assert '"reason": "guest-reset"' in (tmp_path / "run" / "qmp-events.jsonl").read_text()


def test_the_global_deadline_is_a_timeout_never_a_pass(tmp_path):
    script = Script()
    for n in range(40):
        script.print(f"still booting {n}").delay(0.25)
    transcript, verdict = boot_reactos_like(script.hang(), tmp_path, Limits(deadline_s=3, inactivity_s=30))
    assert transcript.end is EndReason.DEADLINE
    assert verdict.outcome is Outcome.TIMEOUT and verdict.exit_code == 2


def test_a_guest_silent_from_the_start_is_reported_as_such(tmp_path):
    transcript, verdict = boot_reactos_like(Script().hang(), tmp_path,
                                            Limits(deadline_s=60, inactivity_s=30, probe_banner_s=2))
    assert transcript.first_byte_s is None
    assert verdict.outcome is Outcome.HANG and "silent since start" in verdict.summary


def test_a_probe_that_hears_the_loader_but_no_kernel_banner_ends_early(tmp_path):
    # With a disk attached, freeldr prints a line under nested KVM before it faults: that is no boot
    script = Script().print("FreeLdr: booting").hang()
    transcript, verdict = boot_reactos_like(script, tmp_path,
                                            Limits(deadline_s=60, inactivity_s=30, probe_banner_s=2))
    assert transcript.first_byte_s is not None and transcript.banner_s is None
    assert transcript.end is EndReason.INACTIVITY and "no kernel banner" in transcript.end_detail
    assert transcript.elapsed_s < 20


def test_a_probe_that_reaches_the_kernel_runs_on_past_the_probe_limit(tmp_path):
    script = Script().print(BANNER).print(VERSION).delay(3).print("still going").hang()
    transcript, _ = boot_reactos_like(script, tmp_path, Limits(deadline_s=60, inactivity_s=5, probe_banner_s=2))
    assert transcript.banner_s is not None
    assert any("still going" in line.text for line in transcript.lines)
    assert "no kernel banner" not in (transcript.end_detail or "")


def test_a_probe_attempt_that_was_judged_lands_in_the_boot_directory(tmp_path):
    from harness.boot import _promote

    probe = tmp_path / "boot1" / "probe-kvm"
    probe.mkdir(parents=True)
    for name in ("serial.log", "console.log", "session.json", "hang.png"):
        (probe / name).write_text(name)
    shots = _promote(probe, tmp_path / "boot1", [str(probe / "hang.png")])
    assert not probe.exists()
    assert sorted(p.name for p in (tmp_path / "boot1").iterdir()) == ["console.log", "hang.png", "serial.log",
                                                                      "session.json"]
    assert shots == [str(tmp_path / "boot1" / "hang.png")]
