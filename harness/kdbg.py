"""Answers the guest's debugger prompts the way ReactOS's sysreg2 does.

The policy only decides *what to type*; the monitor types it. On the first ``kdb:>`` after the
debugger is entered it asks for a backtrace (``bt``), presses Enter at the pager, answers an
assertion prompt with "break once" (``o``) so the backtrace shows the assertion, and continues a
bounded number of times. The backtrace text is kept as evidence.
"""

from __future__ import annotations

import enum
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


@dataclass
class KdbgDriver:
    """Stateful prompt answering for one boot. Every debugger entry gets its own backtrace."""

    max_conts: int = MAX_CONTS
    conts: int = 0
    pager_pages: int = 0
    backtraces: List[List[str]] = field(default_factory=list)
    _collecting: bool = False
    _fatal: bool = False

    @property
    def entered(self) -> bool:
        return bool(self.backtraces)

    def on_line(self, line: ConsoleLine, events: List[Event]) -> Reply:
        kinds = {event.kind for event in events}
        if Kind.BUGCHECK in kinds:
            self._fatal = True
        if self._collecting and not line.is_prompt:
            self.backtraces[-1].append(line.text)
        if Kind.PAGER_PROMPT in kinds:
            self.pager_pages += 1
            return Reply(Action.TYPE, "q" if self.pager_pages > MAX_PAGER_PAGES else "\r")
        if Kind.ASSERT_PROMPT in kinds:
            return Reply(Action.TYPE, "o\r")
        if Kind.CRITICAL_PROMPT in kinds:
            # "b" breaks into KDBG first, so the backtrace of the dying critical object is kept
            return Reply(Action.TYPE, "b\r")
        if Kind.KDB_PROMPT in kinds:
            return self._on_prompt()
        return Reply(Action.NONE)

    def _on_prompt(self) -> Reply:
        if not self._collecting:
            # A fresh debugger entry: ask for the backtrace first.
            self._collecting = True
            self.backtraces.append([])
            return Reply(Action.TYPE, "bt\r")
        self._collecting = False
        if self._fatal:
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
            lines.extend(text for text in trace if text.strip() and text.strip() != "bt")
        return lines
