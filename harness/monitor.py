"""Watches one running guest until it has said enough: the live half of a boot.

The monitor reads COM1 (never blocking QEMU), splits lines, classifies them, feeds the protocol
extractor, lets the KDBG driver answer prompts, and stops on the first of: the runner's ``done``,
a fatal event with its backtrace collected, silence, an endless loop, a second kernel banner, QEMU
ending, or the global deadline. On silence it runs the hang playbook (KDBG break-in over the
keyboard, backtrace, screendump) before giving up. It decides *when to stop*, never pass/fail.
"""

from __future__ import annotations

import select
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple

from .console import ConsoleLine, LineSplitter
from .grammar import Event, Kind, classify
from .kdbg import Action, KdbgDriver
from .plan import PlanFeed
from .protocol import GuestProtocol, ProtocolExtractor
from .vm import Machine, VMError
from .verdict import EndReason

POLL_INTERVAL_S = 0.2
# KDBG flushes COM1's input right after printing a prompt; an answer typed at once can be lost.
TYPE_DELAY_S = 0.5
LOOP_REPEATS = 50            # sysreg2's <maxcachehits>
FATAL_GRACE_S = 20.0         # after a bugcheck, give up on the KDBG prompt after this much silence
BREAK_IN_WAIT_S = 15.0       # after TAB+K on a hang, wait this long for kdb:>


@dataclass
class Limits:
    deadline_s: float = 600.0        # whole boot, from QEMU start
    inactivity_s: float = 120.0      # no console byte for this long is a hang
    # An accelerator probe (KVM before TCG): no kernel banner this long after QEMU's start ends the
    # attempt. The loader may print a line and then fault, so only the banner proves the accelerator.
    probe_banner_s: Optional[float] = None


@dataclass
class Transcript:
    """Everything the monitor saw and decided, in order."""

    lines: List[ConsoleLine] = field(default_factory=list)
    events: List[Event] = field(default_factory=list)
    protocol: GuestProtocol = field(default_factory=GuestProtocol)
    end: EndReason = EndReason.END_OF_LOG
    end_detail: str = ""
    end_evidence: List[ConsoleLine] = field(default_factory=list)
    backtrace: List[str] = field(default_factory=list)
    screenshots: List[str] = field(default_factory=list)
    first_byte_s: Optional[float] = None
    banner_s: Optional[float] = None
    boot_took_s: Optional[float] = None
    runner_start_s: Optional[float] = None
    ready_s: Optional[float] = None   # the runner's first plan question
    done_s: Optional[float] = None
    elapsed_s: float = 0.0


LineCallback = Callable[[ConsoleLine, List[Event]], None]


@dataclass
class Decision:
    """What one console line asks of the monitor."""

    stop: Optional[EndReason] = None
    detail: str = ""
    evidence: List[ConsoleLine] = field(default_factory=list)
    type_text: str = ""


class ConsoleSession:
    """The I/O-free part of a session: classifies lines, extracts the protocol, answers prompts
    and says when to stop. The live monitor and the offline ``parse`` share it, so a saved log is
    judged exactly as the live run was.

    The runner's plan questions (``[HARNESS] ready ...`` then ``kdb:> ``) are answered from ``plan``;
    the debugger driver never sees that prompt. With ``stop_at_ready`` the session ends there (a
    snapshot is being taken). Offline (no ``plan``) a question is only recorded. A session that
    starts from a snapshot has ``kernel_started``: its first banner is already a reboot."""

    def __init__(self, stop_on_done: bool = True, plan: Optional[PlanFeed] = None,
                 stop_at_ready: bool = False, kernel_started: bool = False) -> None:
        self.stop_on_done = stop_on_done
        self.plan = plan
        self.stop_at_ready = stop_at_ready
        self.transcript = Transcript()
        self.extractor = ProtocolExtractor()
        self.kdbg = KdbgDriver()
        self.fatal_seen = False
        self.break_in_pending = False
        self._banners = 1 if kernel_started else 0
        self._plan_question: Optional[ConsoleLine] = None
        self._repeat_text: Optional[str] = None
        self._repeats = 0

    def feed(self, line: ConsoleLine) -> Decision:
        t = self.transcript
        t.lines.append(line)
        events = list(classify(line))
        t.events.extend(events)
        self.extractor.feed(line)
        kinds = {event.kind for event in events}

        if Kind.BANNER in kinds:
            self._banners += 1
            if self._banners == 1:
                t.banner_s = line.time
            else:
                return Decision(EndReason.REBOOT, "a second kernel banner", [line])
        if Kind.PLAN_QUESTION in kinds:
            self._plan_question = line
            if t.ready_s is None:
                t.ready_s = line.time
        elif Kind.KDB_PROMPT in kinds and self._plan_question is not None:
            return self._answer_plan_question(line)
        if Kind.BOOT_TOOK in kinds and t.boot_took_s is None:
            t.boot_took_s = line.time
        proto = self.extractor.protocol
        if proto.started is line:
            t.runner_start_s = line.time
        if Kind.BUGCHECK in kinds:
            self.fatal_seen = True
        if Kind.ROSAUTOTEST_FAILURE in kinds:
            return Decision(EndReason.FATAL, "the guest test runner failed", [line])

        reply = self.kdbg.on_line(line, events)
        if reply.action is Action.TYPE:
            return Decision(type_text=reply.text)
        if reply.action is Action.STOP:
            if self.break_in_pending and not self.fatal_seen:
                return Decision(EndReason.INACTIVITY, "the guest hung; backtrace taken through a KDBG break-in",
                                t.lines[-5:])
            return Decision(EndReason.FATAL, "debugger evidence collected", self.fatal_evidence())

        if not line.is_prompt and line.text.strip():
            if line.text == self._repeat_text:
                self._repeats += 1
                if self._repeats >= LOOP_REPEATS:
                    return Decision(EndReason.LOOP, f"{LOOP_REPEATS} identical lines", [line])
            else:
                self._repeat_text, self._repeats = line.text, 1

        if proto.done is line:
            t.done_s = line.time
            if self.stop_on_done and not self.fatal_seen:
                return Decision(EndReason.RUNNER_DONE, "", [line])
        return Decision()

    def _answer_plan_question(self, prompt: ConsoleLine) -> Decision:
        question, self._plan_question = self._plan_question, None
        if self.stop_at_ready:
            return Decision(EndReason.RUNNER_READY, "the runner is waiting for its plan", [question, prompt])
        answer = self.plan.next_answer() if self.plan is not None else None
        return Decision(type_text=answer or "")

    def fatal_evidence(self) -> List[ConsoleLine]:
        fatal_kinds = (Kind.BUGCHECK, Kind.BUGCHECK_PARAMS, Kind.ASSERTION, Kind.DEBUGGER_ENTERED, Kind.CRITICAL_PROCESS)
        return [event.line for event in self.transcript.events if event.kind in fatal_kinds][:6]

    def close(self, end: EndReason, detail: str = "", evidence: Optional[List[ConsoleLine]] = None) -> Transcript:
        t = self.transcript
        t.end, t.end_detail = end, detail
        t.end_evidence = list(evidence) if evidence is not None else t.lines[-5:]
        t.protocol = self.extractor.protocol
        t.backtrace = self.kdbg.backtrace_lines()
        return t


def replay(lines: List[ConsoleLine]) -> Transcript:
    """Runs a saved console log through the same session logic as a live boot."""
    session = ConsoleSession()
    for line in lines:
        decision = session.feed(line)
        if decision.stop is not None:
            return session.close(decision.stop, decision.detail, decision.evidence)
    if session.fatal_seen:
        return session.close(EndReason.FATAL, "the log ends after a bugcheck", session.fatal_evidence())
    return session.close(EndReason.END_OF_LOG, "the log ends here")


def qmp_end(events: List[dict]) -> Optional[Tuple[EndReason, str]]:
    """How QEMU's events say the guest ended, if they do. Under -no-reboot a guest reset is no
    RESET event but SHUTDOWN with reason guest-reset (and QEMU exits): a reboot all the same."""
    for event in events:
        data = event.get("data", {})
        if event.get("event") == "RESET" and data.get("guest", True):
            return EndReason.REBOOT, "QMP RESET event"
        if event.get("event") == "SHUTDOWN":
            reason = data.get("reason", "unknown")
            if reason == "guest-reset":
                return EndReason.REBOOT, "the guest reset (QMP SHUTDOWN guest-reset; QEMU runs with -no-reboot)"
            if reason == "guest-panic":
                return EndReason.FATAL, "the guest panicked (QMP SHUTDOWN guest-panic)"
            return EndReason.GUEST_EXITED, f"QEMU exited (QMP SHUTDOWN {reason})"
    return None


class Monitor:
    """Runs the session loop for one :class:`Machine`."""

    def __init__(self, machine: Machine, limits: Limits, on_line: Optional[LineCallback] = None,
                 session: Optional[ConsoleSession] = None) -> None:
        self.machine = machine
        self.limits = limits
        self.on_line = on_line
        self.session = session or ConsoleSession()
        self._splitter = LineSplitter()
        self._fatal_since: Optional[float] = None
        self._break_in_since: Optional[float] = None
        self._started = machine.started_at or time.monotonic()
        self._last_output = self._started
        self._ended: Optional[Tuple[EndReason, str, Optional[List[ConsoleLine]]]] = None
        # A SHUTDOWN QEMU announced before it exited: why it will have exited
        self._announced_exit: Optional[Tuple[EndReason, str]] = None
        self._screenshots: List[str] = []
        self._typing: List[Tuple[float, str]] = []  # (when, text) answers waiting for their moment

    def run(self) -> Transcript:
        try:
            self._loop()
        finally:
            now = time.monotonic()
            for line in self._splitter.flush(now - self._started):
                self._handle_line(line)
        end, detail, evidence = self._ended or (EndReason.INFRA, "the monitor stopped unexpectedly", None)
        transcript = self.session.close(end, detail, evidence)
        transcript.screenshots = self._screenshots
        transcript.elapsed_s = time.monotonic() - self._started
        return transcript

    def _finish(self, reason: EndReason, detail: str = "", evidence: Optional[List[ConsoleLine]] = None) -> None:
        if self._ended is None:
            self._ended = (reason, detail, evidence)

    def _loop(self) -> None:
        machine, limits, t = self.machine, self.limits, self.session.transcript
        while self._ended is None:
            now = time.monotonic()
            if now - self._started > limits.deadline_s:
                self._screendump("deadline")
                self._finish(EndReason.DEADLINE, f"{limits.deadline_s:.0f} s")
                return
            self._type_due(now)
            try:
                readable, _, _ = select.select([machine.console_fileno()], [], [], POLL_INTERVAL_S)
            except (VMError, ValueError, OSError):
                readable = []
            data = machine.read_console() if readable else b""
            now = time.monotonic()
            if data:
                self._last_output = now
                if t.first_byte_s is None:
                    t.first_byte_s = now - self._started
                for line in self._splitter.feed(data, now - self._started):
                    self._handle_line(line)
                    if self._ended is not None:
                        return
                continue
            ended = qmp_end(machine.drain_events())
            if ended is not None and ended[0] is not EndReason.GUEST_EXITED:
                self._finish(*ended)
                return
            self._announced_exit = ended or self._announced_exit
            if not machine.is_running():
                self._drain_rest()
                self._finish(*(self._announced_exit or qmp_end(machine.drain_events())
                               or (EndReason.GUEST_EXITED, "QEMU exited")))
                return
            if self._fatal_since is not None and now - max(self._fatal_since, self._last_output) > FATAL_GRACE_S:
                self._screendump("bugcheck")
                self._finish(EndReason.FATAL, "no debugger prompt after the bugcheck", self.session.fatal_evidence())
                return
            if self._break_in_since is not None:
                if now - self._break_in_since > BREAK_IN_WAIT_S:
                    self._finish(EndReason.INACTIVITY, f"silent for {limits.inactivity_s:.0f} s; no KDBG break-in")
                    return
                continue
            if limits.probe_banner_s is not None and t.banner_s is None \
                    and now - self._started > limits.probe_banner_s:
                self._screendump("hang")
                heard = "COM1 silent since start" if t.first_byte_s is None else "no kernel banner"
                self._finish(EndReason.INACTIVITY, f"{heard} ({limits.probe_banner_s:.0f} s)", [])
                return
            limit = limits.inactivity_s
            if now - self._last_output > limit:
                self._screendump("hang")
                if t.first_byte_s is None:
                    self._finish(EndReason.INACTIVITY, f"COM1 silent since start ({limit:.0f} s)", [])
                    return
                # Hang playbook: ask KDBG for a backtrace through its keyboard break-in (TAB+K)
                self._break_in_since = now
                self.session.break_in_pending = True
                self.session.kdbg.stop_after_backtrace = True
                try:
                    machine.send_keys("tab", "k")
                except VMError:
                    self._finish(EndReason.INACTIVITY, f"silent for {limit:.0f} s")
                    return

    def _drain_rest(self) -> None:
        for _ in range(50):
            data = self.machine.read_console()
            if not data:
                return
            for line in self._splitter.feed(data, time.monotonic() - self._started):
                self._handle_line(line)

    def _handle_line(self, line: ConsoleLine) -> None:
        decision = self.session.feed(line)
        if self.on_line is not None:
            self.on_line(line, [e for e in self.session.transcript.events if e.line is line])
        if self.session.fatal_seen and self._fatal_since is None:
            self._fatal_since = time.monotonic()
        if decision.type_text:
            self._typing.append((time.monotonic() + TYPE_DELAY_S, decision.type_text))
        if decision.stop is not None:
            if decision.stop in (EndReason.FATAL, EndReason.INACTIVITY):
                self._screendump("debugger" if decision.stop is EndReason.FATAL else "hang")
            self._finish(decision.stop, decision.detail, decision.evidence)

    def _type_due(self, now: float) -> None:
        while self._typing and self._typing[0][0] <= now:
            _, text = self._typing.pop(0)
            try:
                self.machine.write_console(text.encode("ascii"))
            except (VMError, OSError):
                pass

    def _screendump(self, name: str) -> None:
        path = self.machine.screendump(f"{name}-{len(self._screenshots) + 1}")
        if path is not None:
            self._screenshots.append(path.name)
