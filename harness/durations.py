"""How long each boot took in earlier runs, so parallel runs start the longest boots first.

With several boots per worker, the order decides the wall time: a long boot started last keeps one
core busy while the others idle (longest-processing-time-first is the classic remedy). A boot is
known by its test list; a boot never seen is assumed long (it starts early, where being wrong costs
least). The history is a small JSON file in the harness's cache; a damaged one is ignored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

HISTORY_ENTRIES = 500   # plenty for every boot of every scenario set; the oldest are dropped first


def boot_key(tests: Sequence[str]) -> str:
    return ",".join(tests)


class DurationHistory:
    def __init__(self, path: Optional[Path]) -> None:
        self.path = Path(path) if path is not None else None
        self._seconds: Dict[str, float] = self._load()

    def _load(self) -> Dict[str, float]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text())
            return {str(k): float(v) for k, v in data.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            return {}

    def seconds(self, tests: Sequence[str]) -> Optional[float]:
        return self._seconds.get(boot_key(tests))

    def longest_first(self, boots: Sequence[Sequence[str]]) -> List[int]:
        """Indices of ``boots`` (test lists) in the order to start them: unknown ones, then longest."""
        def order(index: int) -> Tuple[int, float, int]:
            known = self.seconds(boots[index])
            return (0, 0.0, index) if known is None else (1, -known, index)
        return sorted(range(len(boots)), key=order)

    def record(self, measured: Sequence[Tuple[Sequence[str], float]]) -> None:
        """Adds this run's boots and writes the file (atomically; errors are not the run's concern)."""
        if self.path is None:
            return
        for tests, seconds in measured:
            key = boot_key(tests)
            self._seconds.pop(key, None)
            self._seconds[key] = round(seconds, 2)
        kept = dict(list(self._seconds.items())[-HISTORY_ENTRIES:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial = self.path.with_suffix(f".{os.getpid()}.partial")
            partial.write_text(json.dumps(kept, indent=1) + "\n")
            partial.replace(self.path)
        except OSError:
            pass
