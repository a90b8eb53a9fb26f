"""ReactOS console strings as a table (after LAVA's kernel-message table).

Each row says what a console line means. Matching is by regular-expression *search*, never a whole
line match, because ``DPRINT1`` prefixes ``(file:line) `` and other threads' output can share a line.
Adding a ReactOS string is one row. The sources of the strings in the pinned tree are given per row.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, Iterator, List, Pattern

from .console import ConsoleLine


class Kind(enum.Enum):
    # Boot progress
    BANNER = "banner"                    # kd64/kdinit.c KdpPrintBanner: a new kernel boot
    VERSION = "version"                  # "ReactOS 0.4.16-dev (Build ...) (Commit <hash>)"
    COMMAND_LINE = "command-line"        # "Command Line: <freeldr options>"
    BOOT_TOOK = "boot-took"              # i386/ke.h Ki386PerfEnd: user mode is up
    # Crashes and debugger
    BUGCHECK = "bugcheck"                # ke/bug.c "*** Fatal System Error: 0x%08lx"
    BUGCHECK_PARAMS = "bugcheck-params"  # the "(0x..,0x..,0x..,0x..)" line after it
    DRIVER_AT_FAULT = "driver-at-fault"  # ke/bug.c "Driver at fault: %s."
    DEBUGGER_ENTERED = "debugger-entered"  # kdbg/kdb.c "Entered debugger on ..."
    KDB_PROMPT = "kdb-prompt"            # kdbg/kdb_cli.c "kdb:> "
    PAGER_PROMPT = "pager-prompt"        # kdbg/kdb_cli.c "--- Press q to abort, ..."
    ASSERTION = "assertion"              # rtl/assert.c "*** Assertion failed: ..."
    ASSERT_PROMPT = "assert-prompt"      # rtl/assert.c "... (boipt)? "
    CRITICAL_PROCESS = "critical-process"  # ps/kill.c PspCatchCriticalBreak messages
    CRITICAL_PROMPT = "critical-prompt"  # ps/kill.c "Break, or Ignore (bi)? " / "... (bic)? "
    SILO_CRITICAL_EXIT = "silo-critical-exit"  # ps/silo.c: a server silo ended by its critical process, host unharmed
    SILO_TERMINATED = "silo-terminated"  # ps/silo.c: a server silo finished its teardown
    # rosautotest / testbot strings
    GUEST_TEST_TIMEOUT = "guest-test-timeout"  # rosautotest CWineTest.cpp
    ROSAUTOTEST_FAILURE = "rosautotest-failure"  # rosautotest main.cpp
    # Our runner (modules/harness/runner/harnessrun.c) asks for its plan; KDBG's "kdb:> " follows
    PLAN_QUESTION = "plan-question"


@dataclass(frozen=True)
class Rule:
    kind: Kind
    pattern: Pattern[str]
    fatal: bool = False  # the guest cannot be trusted to go on after this
    description: str = ""


def _rule(kind: Kind, regex: str, fatal: bool = False, description: str = "") -> Rule:
    return Rule(kind, re.compile(regex), fatal, description)


RULES: List[Rule] = [
    _rule(Kind.BANNER, r"-{53}", description="kernel debugger banner: a kernel started"),
    _rule(Kind.VERSION, r"ReactOS (?P<version>\S+) \(Build (?P<build>[^)]*)\) \(Commit (?P<commit>[0-9a-fA-F]+)\)"),
    _rule(Kind.COMMAND_LINE, r"Command Line: (?P<options>.*)$"),
    _rule(Kind.BOOT_TOOK, r"Boot took (?P<cycles>\d+) cycles!"),
    _rule(Kind.BUGCHECK, r"\*\*\* Fatal System Error: 0x(?P<code>[0-9a-fA-F]{1,8})", fatal=True),
    _rule(Kind.BUGCHECK_PARAMS,
          r"^\s*\((?P<p1>0x[0-9a-fA-F]+),(?P<p2>0x[0-9a-fA-F]+),(?P<p3>0x[0-9a-fA-F]+),(?P<p4>0x[0-9a-fA-F]+)\)"),
    _rule(Kind.DRIVER_AT_FAULT, r"Driver at fault: (?P<driver>\S+?)\.?$"),
    _rule(Kind.DEBUGGER_ENTERED, r"Entered debugger on (?P<reason>.*)$"),
    _rule(Kind.KDB_PROMPT, r"kdb:> $"),
    _rule(Kind.PAGER_PROMPT, r"--- Press q to abort, .*---$"),
    _rule(Kind.ASSERTION, r"\*\*\* Assertion failed: (?P<message>.*)$"),
    _rule(Kind.ASSERT_PROMPT, r"\(boipt\)\? $"),
    _rule(Kind.CRITICAL_PROCESS, r"(?:Terminating|Critical) (?:critical )?(?:process|thread) (?P<object>0x[0-9a-fA-F]+) \((?P<image>[^)]*)\)"),
    # Older "Break, or Ignore (bi)? "; with the silo patches "Break, Ignore, or Continue into bugcheck (bic)? "
    _rule(Kind.CRITICAL_PROMPT, r"Break, (?:Ignore, )?or (?:Ignore|Continue into bugcheck) \((?P<choices>bic?)\)\? $"),
    _rule(Kind.SILO_CRITICAL_EXIT, r"Server silo (?P<silo>\d+) ended by the death of critical (?P<what>process|thread) "
                                   r"(?P<object>0x[0-9a-fA-F]+) \((?P<image>[^)]*)\)"),
    _rule(Kind.SILO_TERMINATED, r"Server silo (?P<silo>\d+) terminated with status (?P<status>0x[0-9a-fA-F]+)"),
    _rule(Kind.GUEST_TEST_TIMEOUT, r"Timeout while waiting for the test process"),
    _rule(Kind.ROSAUTOTEST_FAILURE, r"SYSREG_ROSAUTOTEST_FAILURE", fatal=True),
    _rule(Kind.PLAN_QUESTION, r"\[HARNESS\] ready version=(?P<version>\d+) part=(?P<part>\d+)"),
]


@dataclass(frozen=True)
class Event:
    """A console line that matched a rule, with the rule's named groups."""

    kind: Kind
    line: ConsoleLine
    fields: Dict[str, str] = field(default_factory=dict)
    fatal: bool = False


def classify(line: ConsoleLine, rules: Iterable[Rule] = RULES) -> Iterator[Event]:
    """Yields an event for every rule the line matches (one line can carry several)."""
    for rule in rules:
        match = rule.pattern.search(line.text)
        if match:
            fields = {k: v for k, v in match.groupdict().items() if v is not None}
            yield Event(rule.kind, line, fields, rule.fatal)
