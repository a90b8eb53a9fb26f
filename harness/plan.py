"""The test plan as the guest runner reads it over COM1 (protocol version 2).

A LiveCD booted with ``/HARNESSPLAN=COM1`` asks for its plan with ``DbgPrompt``: it prints
``[HARNESS] ready version=2 part=<n>``, KDBG prints ``kdb:> `` and reads one line from COM1 (at
most 511 characters). An answer uses the boot options' syntax, ``HARNESS=module:test,...`` and
``HARNESSTIMEOUT=<s>``; a plan too long for one answer is split, every part but the last carrying
``HARNESSMORE=1`` so the runner asks again. The boot-option path (``/HARNESS=...`` in freeldr.ini)
stays for images whose runner predates the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

PLAN_PROTOCOL_VERSION = 2
PLAN_BOOT_OPTION = "HARNESSPLAN=COM1"
# KDBG's DbgPrompt buffer is 512 bytes with the terminator; the carriage return that ends an answer
# is not stored. Keep a margin for the echo of a doubled byte.
MAX_ANSWER_CHARS = 500
MORE = " HARNESSMORE=1"
PLAN_QUESTION = re.compile(r"\[HARNESS\] ready version=(?P<version>\d+) part=(?P<part>\d+)")


class PlanError(ValueError):
    """A plan the runner could not take (a test name longer than one answer)."""


def plan_answers(tests: Sequence[str], timeout_s: Optional[int] = None) -> List[str]:
    """The answers that give the runner ``tests`` in order, each within MAX_ANSWER_CHARS."""
    timeout = f" HARNESSTIMEOUT={int(timeout_s)}" if timeout_s else ""
    answers: List[str] = []
    names: List[str] = []

    def answer(more: bool) -> str:
        return "HARNESS=" + ",".join(names) + timeout + (MORE if more else "")

    for name in tests:
        if len(answer(True)) + len(name) + 1 > MAX_ANSWER_CHARS:
            if not names:
                raise PlanError(f"test name too long for one plan answer: {name!r}")
            answers.append(answer(True))
            names = []
        names.append(name)
        if len(answer(True)) > MAX_ANSWER_CHARS:
            raise PlanError(f"test name too long for one plan answer: {name!r}")
    answers.append(answer(False))
    return answers


@dataclass
class PlanFeed:
    """The answers one boot gives, in order, and how many it has given."""

    answers: List[str] = field(default_factory=list)
    given: int = 0

    def next_answer(self) -> Optional[str]:
        """The next answer with its carriage return, or None when the plan is used up."""
        if self.given >= len(self.answers):
            return None
        self.given += 1
        return self.answers[self.given - 1] + "\r"
