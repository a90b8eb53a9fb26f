"""A test's focus: the source lines of a Wine-format test file whose failures decide its verdict.

ReactOS's copies of Wine's tests keep many failures that have nothing to do with a change: Wine's
``kernel32_winetest process`` fails hundreds of checks on a ReactOS LiveCD, few of them about jobs.
A scenario that runs such a file for one feature names the lines of that feature's tests, as
``file:first-last`` (``process.c:2389-3034``). Failures there decide; the others are kept and
reported, never judged. Line numbers belong to the pinned ReactOS tree (``reactos-patches/BASE``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, List, Sequence, Tuple

from .protocol import TEST_FAILED

_RANGE = re.compile(r"^(?P<file>[\w.-]+):(?P<first>\d+)-(?P<last>\d+)$")


class FocusError(ValueError):
    pass


@dataclass(frozen=True)
class FocusRange:
    file: str
    first: int
    last: int

    def __str__(self) -> str:
        return f"{self.file}:{self.first}-{self.last}"

    def holds(self, file: str, line: int) -> bool:
        # Wine prints __FILE__, which may carry a directory: compare the file's own name
        name = re.split(r"[\\/]", file)[-1]
        return name.lower() == self.file.lower() and self.first <= line <= self.last


def parse_focus(text: str) -> FocusRange:
    """``file:first-last`` as a range; raises FocusError on anything else."""
    match = _RANGE.match(text.strip())
    if not match or int(match["first"]) > int(match["last"]):
        raise FocusError(f"not a focus (want file.c:first-last): {text!r}")
    return FocusRange(match["file"], int(match["first"]), int(match["last"]))


def parse_focus_list(texts: Iterable[str]) -> Tuple[FocusRange, ...]:
    return tuple(parse_focus(text) for text in texts)


def split_failures(failed: Sequence, focus: Sequence[FocusRange]) -> Tuple[List, List]:
    """The failure lines (ConsoleLine-like, with ``.text``) inside the focus, and those outside."""
    inside: List = []
    outside: List = []
    for line in failed:
        match = TEST_FAILED.search(line.text)
        held = bool(match) and any(r.holds(match["file"], int(match["line"])) for r in focus)
        (inside if held else outside).append(line)
    return inside, outside
