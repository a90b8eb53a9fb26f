"""Judging a session's transcript, live or re-read from a saved boot.

The live run (boot.py) and ``harness parse`` both end here, so a saved boot is judged by exactly
the code that judged it live.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional, Sequence, Tuple

from .console import split_log
from .focus import FocusError, parse_focus_list
from .hostcheck import SCRATCH_IMAGE, apply_findings, run_host_checks
from .monitor import Transcript, replay
from .protocol import parse_test_names
from .record import UNSEEN_IN_LOG, SessionRecord, load_beside
from .verdict import BootVerdict, judge


def judge_transcript(requested: Sequence[str], transcript: Transcript, expect_shutdown: bool = False,
                     focus: Optional[Mapping[str, Sequence[str]]] = None) -> BootVerdict:
    """Raises FocusError for a focus that is not ``file:first-last``."""
    ranges = {name: parse_focus_list(texts) for name, texts in (focus or {}).items()}
    return judge(list(requested), transcript.events, transcript.protocol, transcript.end,
                 transcript.end_evidence, transcript.backtrace, transcript.end_detail,
                 expect_shutdown=expect_shutdown, focus=ranges)


def rejudge_saved(log: Path, expected: Sequence[str] = ()) -> Tuple[BootVerdict, Optional[SessionRecord]]:
    """Judges ``log`` (raises OSError if unreadable). The session record beside it, if any, supplies
    the requested tests (unless ``expected`` is given) and the end reasons only the clock could see."""
    transcript = replay(split_log(Path(log).read_bytes()))
    record = load_beside(log)
    tests = list(expected)
    if record is not None:
        tests = tests or parse_test_names(record.tests)
        if record.end_reason in UNSEEN_IN_LOG:
            transcript.end, transcript.end_detail = record.end_reason, record.end_detail
    try:
        focus = record.focus if record is not None else {}
        verdict = judge_transcript(tests, transcript, expect_shutdown=record is not None and record.until_shutdown,
                                   focus=focus)
    except FocusError:
        # A record written by hand with a broken focus: judge the whole file
        verdict = judge_transcript(tests, transcript, expect_shutdown=record is not None and record.until_shutdown)
    if record is not None and record.host_checks:
        # The host's proof is part of the verdict: the checks run again on the disk the boot left
        findings = run_host_checks(Path(log).parent / SCRATCH_IMAGE, record.host_checks, verdict)
        apply_findings(verdict, findings)
    return verdict, record
