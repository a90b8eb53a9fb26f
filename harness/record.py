"""The per-boot session record (``session.json`` beside ``serial.log``).

A serial log alone cannot show why a live session stopped when the reason was the clock: silence
(then a TAB+K break-in, whose debugger entry would otherwise look like a crash), the global deadline
or QEMU exiting. The monitor writes what it asked for and why it stopped, so ``harness parse``
re-judges a saved run with the same verdict as the live one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from .verdict import EndReason

SESSION_FILE = "session.json"
# End reasons that only the clock or QEMU can tell; all others are found again in the log. A reboot
# shows as a second banner, or only as QEMU's SHUTDOWN guest-reset (under -no-reboot): keep the record's.
UNSEEN_IN_LOG = {EndReason.INACTIVITY, EndReason.DEADLINE, EndReason.GUEST_EXITED, EndReason.INFRA, EndReason.REBOOT}


@dataclass
class SessionRecord:
    tests: List[str]
    end: str
    end_detail: str = ""
    accel: Optional[str] = None
    timing: dict = field(default_factory=dict)
    # The boot had to end in a guest shutdown (a scenario marked shuts_down) to pass
    until_shutdown: bool = False
    # Per test, the source lines whose failures decided it
    focus: Dict[str, List[str]] = field(default_factory=dict)
    # Per test, the host checks run on the boot's scratch disk (scratch.img beside the log)
    host_checks: Dict[str, List[str]] = field(default_factory=dict)

    @property
    def end_reason(self) -> EndReason:
        return EndReason(self.end)

    def save(self, run_dir: Path) -> Path:
        path = Path(run_dir) / SESSION_FILE
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")
        return path


def load_beside(log: Path) -> Optional[SessionRecord]:
    """The record saved next to ``log``, or None (a log from elsewhere, or an unreadable record)."""
    path = Path(log).parent / SESSION_FILE
    try:
        data = json.loads(path.read_text())
        record = SessionRecord(**data)
        record.end_reason  # validates
        return record
    except (OSError, ValueError, TypeError):
        return None
