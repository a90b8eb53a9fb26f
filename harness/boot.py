"""One boot from start to verdict: prepare the ISO, pick the accelerator, watch, judge.

Accelerator choice: ``auto`` tries KVM when /dev/kvm opens, and falls back to TCG when COM1 stays
silent (ReactOS's boot loader can fault under nested KVM, visibly only on VGA); every attempt is
kept in the record, with its screendump, so the run says which accelerator ran and why.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Sequence

from .console import ConsoleLine
from .grammar import Event
from .iso import BootRequest, IsoError, prepare_iso
from .monitor import Limits, Monitor, Transcript
from .record import SessionRecord
from .offline import judge_transcript
from .attach import attach
from .verdict import BootVerdict, EndReason, Outcome
from .vm import Machine, MachineConfig, VMError, kvm_usable

KVM_FIRST_OUTPUT_S = 20.0   # a KVM boot that prints nothing on COM1 by then is treated as broken
# Sessions that end with the guest at a kdb:> prompt: a bugcheck or debugger entry, a hang broken into
ATTACHABLE_ENDS = {EndReason.FATAL, EndReason.INACTIVITY}


@dataclass
class BootOptions:
    iso: Path
    tests: Sequence[str]
    run_dir: Path
    accel: str = "auto"               # auto | kvm | tcg
    memory_mb: int = 1024
    disk: Optional[Path] = None
    limits: Limits = field(default_factory=Limits)
    test_timeout_s: Optional[int] = None
    qemu: str = "qemu-system-i386"
    # Give the user's terminal the guest's KDBG when the boot bugchecked, entered the debugger or hung
    attach_on_crash: bool = False
    # Keep watching after the runner's "done" until the guest shuts itself down (QEMU exits: a power-off,
    # or a restart under -no-reboot): a boot that then stays up ends on inactivity, a hang, never a pass.
    until_shutdown: bool = False


@dataclass
class Attempt:
    accel: str
    outcome: str
    detail: str
    seconds: float
    screenshots: List[str] = field(default_factory=list)


@dataclass
class BootRecord:
    name: str
    tests: List[str]
    verdict: BootVerdict
    accel: Optional[str]
    attempts: List[Attempt]
    run_dir: Path
    transcript: Optional[Transcript] = None
    qemu_command: str = ""

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code


def accelerators_to_try(accel: str) -> List[str]:
    if accel == "auto":
        return ["kvm", "tcg"] if kvm_usable() else ["tcg"]
    if accel not in ("kvm", "tcg"):
        raise ValueError(f"unknown accelerator {accel!r} (auto, kvm or tcg)")
    return [accel]


def infra_verdict(message: str) -> BootVerdict:
    return BootVerdict(Outcome.INFRA, message)


def _promote(attempt_dir: Path, run_dir: Path, screenshots: List[str]) -> List[str]:
    """Moves an attempt's files from its probe directory up into the boot's directory."""
    for entry in attempt_dir.iterdir():
        shutil.move(str(entry), str(run_dir / entry.name))
    attempt_dir.rmdir()
    return [str(run_dir / Path(shot).name) for shot in screenshots]


def run_boot(name: str, options: BootOptions,
             on_line: Optional[Callable[[ConsoleLine, List[Event]], None]] = None,
             on_status: Optional[Callable[[str], None]] = None) -> BootRecord:
    """Boots once (or twice, on a KVM fallback) and returns the judged record. Never raises for
    guest or QEMU problems: those become an INFRA verdict with the reason."""
    run_dir = Path(options.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    status = on_status or (lambda _msg: None)
    attempts: List[Attempt] = []
    try:
        iso = prepare_iso(options.iso, run_dir / "boot.iso",
                          BootRequest(tests=list(options.tests), test_timeout_s=options.test_timeout_s))
        accels = accelerators_to_try(options.accel)
    except (IsoError, ValueError, OSError) as error:
        return BootRecord(name, list(options.tests), infra_verdict(str(error)), None, attempts, run_dir)

    try:
        for index, accel in enumerate(accels):
            fallback_possible = index + 1 < len(accels)
            attempt_dir = run_dir if not fallback_possible else run_dir / f"probe-{accel}"
            limits = options.limits
            if fallback_possible:
                limits = Limits(limits.deadline_s, limits.inactivity_s, first_output_s=KVM_FIRST_OUTPUT_S)
            config = MachineConfig(cdrom=iso, disk=options.disk, accel=accel, memory_mb=options.memory_mb,
                                   qemu=options.qemu)
            start = time.monotonic()
            status(f"{name}: starting QEMU ({accel})")
            try:
                with Machine(config, attempt_dir) as machine:
                    transcript = Monitor(machine, limits, on_line=on_line,
                                         stop_on_done=not options.until_shutdown).run()
                    if options.attach_on_crash and transcript.end in ATTACHABLE_ENDS:
                        attach(machine, sys.stdin.fileno(), sys.stdout.buffer, status)
                    command = " ".join(machine.command)
            except VMError as error:
                attempts.append(Attempt(accel, "infra", str(error), time.monotonic() - start))
                return BootRecord(name, list(options.tests), infra_verdict(str(error)), accel, attempts, run_dir)
            seconds = time.monotonic() - start
            silent = transcript.first_byte_s is None
            if silent and fallback_possible:
                attempts.append(Attempt(accel, "silent", f"COM1 silent for {KVM_FIRST_OUTPUT_S:.0f} s; falling back",
                                        seconds, transcript.screenshots))
                status(f"{name}: {accel} gave no console output; falling back to {accels[index + 1]}")
                continue
            verdict = judge_transcript(options.tests, transcript, expect_shutdown=options.until_shutdown)
            if silent:
                verdict.summary += " (COM1 stayed silent: is this a debug build booting LiveCD_Debug?)"
            if attempt_dir != run_dir:
                # The judged attempt's files live in BOOT/ itself, wherever it ran: parse BOOT finds them
                transcript.screenshots = _promote(attempt_dir, run_dir, transcript.screenshots)
                attempt_dir = run_dir
            attempts.append(Attempt(accel, verdict.outcome.value, verdict.summary, seconds, transcript.screenshots))
            SessionRecord(list(options.tests), transcript.end.value, transcript.end_detail, accel,
                          {"banner_s": transcript.banner_s, "boot_took_s": transcript.boot_took_s,
                           "runner_start_s": transcript.runner_start_s, "done_s": transcript.done_s,
                           "elapsed_s": transcript.elapsed_s},
                          until_shutdown=options.until_shutdown).save(attempt_dir)
            return BootRecord(name, list(options.tests), verdict, accel, attempts, run_dir, transcript, command)
    finally:
        # The per-boot ISO copy is large and reproducible from the user's ISO.
        try:
            (run_dir / "boot.iso").unlink()
        except FileNotFoundError:
            pass
    return BootRecord(name, list(options.tests), infra_verdict("no accelerator produced console output"),
                      None, attempts, run_dir)
