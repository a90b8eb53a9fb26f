"""One boot from start to verdict: prepare the ISO, pick the accelerator, watch, judge.

A boot starts from a snapshot when it is given one (QEMU loads the machine at the runner's plan
question and the plan is typed on COM1), and cold otherwise (the plan goes in the boot options of
a per-boot ISO copy). A snapshot that does not load makes the boot start cold; the record says which.

Accelerator choice: ``auto`` tries KVM when /dev/kvm opens, and falls back to TCG when COM1 stays
silent (ReactOS's boot loader can fault under nested KVM, visibly only on VGA); every attempt is
kept in the record, with its screendump, so the run says which accelerator ran and why.
"""

from __future__ import annotations

import secrets
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from .console import ConsoleLine
from .grammar import Event
from .hostcheck import SCRATCH_FILES, SCRATCH_IMAGE, apply_findings, run_host_checks, save_findings
from .iso import BootRequest, IsoError, prepare_iso
from .monitor import ConsoleSession, Limits, Monitor, Transcript
from .plan import PlanError, PlanFeed, plan_answers
from .record import SessionRecord
from .scratch import SEED_FILE, ScratchDisk, ScratchDiskError, create_scratch_disk
from .offline import judge_transcript
from .attach import attach
from .snapshot import Snapshot
from .verdict import BootVerdict, EndReason, Outcome
from .vm import KVM_PROBE_BANNER_S, Machine, MachineConfig, VMError, kvm_usable

# Sessions that end with the guest at a kdb:> prompt: a bugcheck or debugger entry, a hang broken into
ATTACHABLE_ENDS = {EndReason.FATAL, EndReason.INACTIVITY}
SEED_TOKEN_BYTES = 8    # the scratch disk's per-boot token: 16 hex digits the guest cannot guess


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
    # Start from this machine state instead of booting (the ISO and accelerator are the snapshot's)
    snapshot: Optional[Snapshot] = None
    # Per test, the source lines whose failures decide it ("file.c:first-last", see focus.py)
    focus: Dict[str, Tuple[str, ...]] = field(default_factory=dict)
    # A new scratch disk (scratch.py) for this boot, kept in its directory; a boot with one starts cold
    scratch_disk: bool = False
    # Per test, the host checks (hostcheck.py) run on the scratch disk after the boot
    host_checks: Dict[str, Tuple[str, ...]] = field(default_factory=dict)


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
    start: str = "cold"                 # cold | snapshot
    restore_s: Optional[float] = None   # QEMU start -> the snapshot loaded (snapshot starts)
    cpu_s: Optional[float] = None       # QEMU's CPU time (host), when it could be read

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


LineCallback = Callable[[ConsoleLine, List[Event]], None]


def _save_session(run_dir: Path, options: BootOptions, transcript: Transcript, accel: str,
                  start: str, restore_s: Optional[float], cpu_s: Optional[float]) -> None:
    SessionRecord(list(options.tests), transcript.end.value, transcript.end_detail, accel,
                  {"start": start, "restore_s": restore_s, "banner_s": transcript.banner_s,
                   "boot_took_s": transcript.boot_took_s, "runner_start_s": transcript.runner_start_s,
                   "done_s": transcript.done_s, "elapsed_s": transcript.elapsed_s, "cpu_s": cpu_s},
                  until_shutdown=options.until_shutdown,
                  focus={name: list(ranges) for name, ranges in options.focus.items()},
                  host_checks={name: list(checks) for name, checks in options.host_checks.items()}).save(run_dir)


def _watch(machine: Machine, options: BootOptions, limits: Limits, feed: PlanFeed, kernel_started: bool,
           on_line: Optional[LineCallback], status: Callable[[str], None]) -> Transcript:
    """Watches a launched machine until the session ends (answering the runner's plan questions from
    ``feed``), then hands the terminal over if the guest sits in KDBG and the user asked for that."""
    session = ConsoleSession(stop_on_done=not options.until_shutdown, plan=feed, kernel_started=kernel_started)
    transcript = Monitor(machine, limits, on_line=on_line, session=session).run()
    if options.attach_on_crash and transcript.end in ATTACHABLE_ENDS:
        attach(machine, sys.stdin.fileno(), sys.stdout.buffer, status)
    return transcript


def _new_scratch_disk(run_dir: Path, options: BootOptions) -> Optional[Path]:
    """A fresh scratch disk for one attempt, seeded with a new token (None when the boot has none).
    Raises ScratchDiskError, which the caller reports as an infrastructure error."""
    if not options.scratch_disk:
        return None
    disk = create_scratch_disk(run_dir / SCRATCH_IMAGE)
    disk.write_file(SEED_FILE, secrets.token_hex(SEED_TOKEN_BYTES).encode("ascii"))
    return disk.image


def _judge_scratch_disk(run_dir: Path, image: Path, options: BootOptions, verdict: BootVerdict,
                        status: Callable[[str], None]) -> None:
    """Copies the disk's files out for people, then lets the host checks amend the verdict."""
    try:
        files = ScratchDisk(image).extract(run_dir / SCRATCH_FILES)
        status(f"{run_dir.name}: scratch disk: {len(files)} file(s) copied to {run_dir / SCRATCH_FILES}")
    except ScratchDiskError as error:
        status(f"{run_dir.name}: scratch disk unreadable after the boot: {error}")
    findings = run_host_checks(image, options.host_checks, verdict)
    save_findings(run_dir, findings)
    for finding in findings:
        status(f"{run_dir.name}: host check {finding.check} on {finding.test}: "
               f"{'holds' if finding.ok else 'FAILS'}: {finding.detail}")
    apply_findings(verdict, findings)


def run_boot(name: str, options: BootOptions, on_line: Optional[LineCallback] = None,
             on_status: Optional[Callable[[str], None]] = None) -> BootRecord:
    """Boots once (or twice, on a KVM fallback or a snapshot that did not load) and returns the
    judged record. Never raises for guest or QEMU problems: those become an INFRA verdict."""
    run_dir = Path(options.run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    status = on_status or (lambda _msg: None)
    attempts: List[Attempt] = []
    if options.snapshot is not None and not options.scratch_disk:
        record = _run_from_snapshot(name, options, options.snapshot, on_line, status, attempts)
        if record is not None:
            return record
    return _run_cold(name, options, on_line, status, attempts)


def _run_from_snapshot(name: str, options: BootOptions, snapshot: Snapshot, on_line: Optional[LineCallback],
                       status: Callable[[str], None], attempts: List[Attempt]) -> Optional[BootRecord]:
    """The boot from ``snapshot``; None when the state did not load (the caller boots cold)."""
    run_dir = Path(options.run_dir)
    accel = snapshot.identity.accel
    try:
        feed = PlanFeed(plan_answers(options.tests, options.test_timeout_s))
    except PlanError as error:
        return BootRecord(name, list(options.tests), infra_verdict(str(error)), accel, attempts, run_dir)
    config = MachineConfig(cdrom=snapshot.iso, accel=accel, memory_mb=snapshot.identity.memory_mb,
                           cpus=snapshot.identity.cpus, qemu=options.qemu, incoming_state=snapshot.state)
    start = time.monotonic()
    status(f"{name}: starting QEMU ({accel}) from the snapshot")
    machine = Machine(config, run_dir)
    try:
        machine.launch()
    except VMError as error:
        machine.shutdown()
        detail = str(error).splitlines()[0]
        attempts.append(Attempt(accel, "restore-failed", str(error), time.monotonic() - start))
        status(f"{name}: the snapshot did not load ({detail}); booting cold")
        for log in (machine.qemu_log, machine.serial_log):
            if log.exists():
                log.rename(run_dir / f"restore-failed-{log.name}")
        return None
    try:
        # The guest has been waiting at its question since the snapshot: the first answer goes now
        machine.write_console(feed.next_answer().encode("ascii"))
        transcript = _watch(machine, options, options.limits, feed, True, on_line, status)
        command = " ".join(machine.command)
    except VMError as error:
        attempts.append(Attempt(accel, "infra", str(error), time.monotonic() - start))
        return BootRecord(name, list(options.tests), infra_verdict(str(error)), accel, attempts, run_dir,
                          start="snapshot")
    finally:
        machine.shutdown()
    verdict = judge_transcript(options.tests, transcript, expect_shutdown=options.until_shutdown,
                               focus=options.focus)
    attempts.append(Attempt(accel, verdict.outcome.value, verdict.summary, time.monotonic() - start,
                            transcript.screenshots))
    _save_session(run_dir, options, transcript, accel, "snapshot", machine.restore_s, machine.cpu_s)
    return BootRecord(name, list(options.tests), verdict, accel, attempts, run_dir, transcript, command,
                      start="snapshot", restore_s=machine.restore_s, cpu_s=machine.cpu_s)


def _run_cold(name: str, options: BootOptions, on_line: Optional[LineCallback],
              status: Callable[[str], None], attempts: List[Attempt]) -> BootRecord:
    run_dir = Path(options.run_dir)
    try:
        iso = prepare_iso(options.iso, run_dir / "boot.iso",
                          BootRequest(tests=list(options.tests), test_timeout_s=options.test_timeout_s))
        accels = accelerators_to_try(options.accel)
        # An image whose entry already asks for the plan over COM1 gets it there too
        answers = plan_answers(options.tests, options.test_timeout_s)
    except (IsoError, ValueError, OSError) as error:
        return BootRecord(name, list(options.tests), infra_verdict(str(error)), None, attempts, run_dir)

    try:
        for index, accel in enumerate(accels):
            fallback_possible = index + 1 < len(accels)
            attempt_dir = run_dir if not fallback_possible else run_dir / f"probe-{accel}"
            limits = options.limits
            if fallback_possible:
                limits = Limits(limits.deadline_s, limits.inactivity_s, probe_banner_s=KVM_PROBE_BANNER_S)
            try:
                scratch = _new_scratch_disk(run_dir, options)
            except ScratchDiskError as error:
                attempts.append(Attempt(accel, "infra", f"scratch disk: {error}", 0.0))
                return BootRecord(name, list(options.tests), infra_verdict(f"scratch disk: {error}"), accel,
                                  attempts, run_dir)
            config = MachineConfig(cdrom=iso, disk=options.disk, accel=accel, memory_mb=options.memory_mb,
                                   qemu=options.qemu, scratch_disk=scratch)
            start = time.monotonic()
            status(f"{name}: starting QEMU ({accel})")
            try:
                with Machine(config, attempt_dir) as machine:
                    transcript = _watch(machine, options, limits, PlanFeed(answers), False, on_line, status)
                    command = " ".join(machine.command)
                cpu_s = machine.cpu_s
            except VMError as error:
                attempts.append(Attempt(accel, "infra", str(error), time.monotonic() - start))
                return BootRecord(name, list(options.tests), infra_verdict(str(error)), accel, attempts, run_dir)
            seconds = time.monotonic() - start
            silent = transcript.first_byte_s is None
            if transcript.banner_s is None and fallback_possible:
                heard = "COM1 silent" if silent else "no kernel banner"
                attempts.append(Attempt(accel, "silent", f"{heard} for {KVM_PROBE_BANNER_S:.0f} s; falling back",
                                        seconds, transcript.screenshots))
                status(f"{name}: {accel} did not reach the kernel ({heard}); falling back to {accels[index + 1]}")
                continue
            verdict = judge_transcript(options.tests, transcript, expect_shutdown=options.until_shutdown,
                                       focus=options.focus)
            if scratch is not None:
                _judge_scratch_disk(run_dir, scratch, options, verdict, status)
            if silent:
                verdict.summary += " (COM1 stayed silent: is this a debug build booting LiveCD_Debug?)"
            if attempt_dir != run_dir:
                # The judged attempt's files live in BOOT/ itself, wherever it ran: parse BOOT finds them
                transcript.screenshots = _promote(attempt_dir, run_dir, transcript.screenshots)
                attempt_dir = run_dir
            attempts.append(Attempt(accel, verdict.outcome.value, verdict.summary, seconds, transcript.screenshots))
            _save_session(attempt_dir, options, transcript, accel, "cold", None, cpu_s)
            return BootRecord(name, list(options.tests), verdict, accel, attempts, run_dir, transcript, command,
                              cpu_s=cpu_s)
    finally:
        # The per-boot ISO copy is large and reproducible from the user's ISO.
        try:
            (run_dir / "boot.iso").unlink()
        except FileNotFoundError:
            pass
    return BootRecord(name, list(options.tests), infra_verdict("no accelerator produced console output"),
                      None, attempts, run_dir)
