"""Answers the guest's debugger prompts the way ReactOS's sysreg2 does.

The policy only decides *what to type*; the monitor types it. On the first ``kdb:>`` after the
debugger is entered it asks for a backtrace (``bt``), presses Enter at the pager, answers an
assertion prompt with "break once" (``o``) so the backtrace shows the assertion, and continues a
bounded number of times. The backtrace text is kept as evidence.

A ``DbgPrompt`` (the assertion's ``(boipt)?``, the critical-process ``(bi)?``) prints its question and
then reads the answer at a ``kdb:>`` prompt of its own, after flushing COM1's input: the answer is
held until that prompt appears. KDBG reads COM1 only when the kernel was booted with /KDSERIAL.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import List

from .console import ConsoleLine
from .grammar import Event, Kind

MAX_CONTS = 5           # sysreg2's <maxconts>
MAX_PAGER_PAGES = 40    # then answer "q": a runaway listing must not stall the session


class Action(enum.Enum):
    NONE = "none"
    TYPE = "type"        # send ``text`` to COM1
    STOP = "stop"        # evidence collected; the session should end (the guest cannot continue)


@dataclass
class Reply:
    action: Action
    text: str = ""


# Terminal control sequences KDBG sends (ESC[?7h wraps lines, ESC[c asks for the terminal's type)
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


# KDBG's pager prompt, which can end a backtrace line
_PAGER_PROMPT = "--- Press q to abort, any other key to continue ---"


def _without_escapes(text: str) -> str:
    return _ESCAPE_SEQUENCE.sub("", text).replace(_PAGER_PROMPT, "")


def _one_backtrace(trace: List[str]) -> List[str]:
    """KDBG prints Eip and the frames on entry, and again for ``bt`` (the two copies may differ by a
    byte COM1 doubled): the last block that lists frames, the answer to ``bt``, is the backtrace."""
    blocks: List[List[str]] = []
    for text in trace:
        if text.startswith("Eip:") or not blocks:
            blocks.append([])
        blocks[-1].append(text)
    with_frames = [block for block in blocks if any(text.startswith("Frames:") for text in block)]
    return (with_frames or blocks or [[]])[-1]


def _is_debugger_chatter(text: str) -> bool:
    """Prompt echoes and KDBG's banner lines, which are not part of a backtrace."""
    stripped = text.strip()
    return stripped in ("bt", "cont") or stripped.startswith(("kdb:>", 'Type "help"'))


@dataclass
class KdbgDriver:
    """Stateful prompt answering for one boot. Every debugger entry gets its own backtrace."""

    max_conts: int = MAX_CONTS
    conts: int = 0
    pager_pages: int = 0
    backtraces: List[List[str]] = field(default_factory=list)
    # Set while the harness itself broke in (hang playbook): stop after the backtrace, never "cont"
    stop_after_backtrace: bool = False
    _collecting: bool = False
    _asked_bt: bool = False
    _fatal: bool = False
    _pending_answer: str = ""

    @property
    def entered(self) -> bool:
        return bool(self.backtraces)

    def on_line(self, line: ConsoleLine, events: List[Event]) -> Reply:
        kinds = {event.kind for event in events}
        if Kind.BUGCHECK in kinds:
            self._fatal = True
        if Kind.DEBUGGER_ENTERED in kinds and not self._collecting:
            # KDBG prints Eip and the frames on entry, before its first prompt: keep them too
            self._collecting, self._asked_bt = True, False
            self.backtraces.append([])
        elif self._collecting and not line.is_prompt:
            self.backtraces[-1].append(line.text)
        if Kind.PAGER_PROMPT in kinds:
            self.pager_pages += 1
            return Reply(Action.TYPE, "q" if self.pager_pages > MAX_PAGER_PAGES else "\r")
        if Kind.ASSERT_PROMPT in kinds:
            self._pending_answer = "o\r"
            return Reply(Action.NONE)
        if Kind.CRITICAL_PROMPT in kinds:
            prompt = next(event for event in events if event.kind is Kind.CRITICAL_PROMPT)
            if prompt.fields.get("choices") == "bic":
                # "c" lets the host's critical-object bugcheck happen: the verdict is the real one
                self._pending_answer = "c\r"
            else:
                # "b" breaks into KDBG first, so the backtrace of the dying critical object is kept
                self._pending_answer = "b\r"
            return Reply(Action.NONE)
        if Kind.KDB_PROMPT in kinds:
            if self._pending_answer:
                answer, self._pending_answer = self._pending_answer, ""
                return Reply(Action.TYPE, answer)
            return self._on_prompt()
        return Reply(Action.NONE)

    def _on_prompt(self) -> Reply:
        if not self._collecting:
            # A debugger entry whose "Entered debugger" line was not seen
            self._collecting = True
            self.backtraces.append([])
        if not self._asked_bt:
            self._asked_bt = True
            return Reply(Action.TYPE, "bt\r")
        self._collecting = False
        if self._fatal or self.stop_after_backtrace:
            # After a bugcheck, "cont" only re-enters the debugger: the evidence is complete.
            return Reply(Action.STOP)
        if self.conts >= self.max_conts:
            return Reply(Action.STOP)
        self.conts += 1
        return Reply(Action.TYPE, "cont\r")

    def backtrace_lines(self) -> List[str]:
        """All backtraces, the first one first (the one closest to the cause)."""
        lines: List[str] = []
        for index, trace in enumerate(self.backtraces):
            if index:
                lines.append("--- next debugger entry ---")
            cleaned = [_without_escapes(text).rstrip() for text in trace]
            lines.extend(_one_backtrace([text for text in cleaned if text.strip() and not _is_debugger_chatter(text)]))
        return lines
