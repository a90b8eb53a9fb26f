"""Bytes from COM1 to timestamped lines, incrementally.

The guest's debug port carries kernel DbgPrint output, KDBG and the test runner's lines. Prompts
(``kdb:> ``, the KDBG pager, ``(boipt)? ``) end without a newline, so they are released as lines as
soon as they are complete; otherwise the reader would wait forever for a newline the guest will only
send after we answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List

# Prompts that end a line without a newline: the guest waits for input after them.
PROMPT_SUFFIXES: tuple[str, ...] = (
    "kdb:> ",
    "any other key to continue ---",
    "other key/PgDn ---",
    "terminate Thread (boipt)? ",
    "Break, or Ignore (bi)? ",
    "Continue into bugcheck (bic)? ",
)

# A line longer than this is released in pieces, so a guest that never sends a newline
# still produces lines (and cannot make the reader hold unbounded memory).
MAX_LINE_CHARS = 4096


@dataclass(frozen=True)
class ConsoleLine:
    """One line of console output: its 1-based number, when it completed and its text."""

    number: int
    time: float
    text: str
    is_prompt: bool = False


class LineSplitter:
    """Turns chunks of bytes into :class:`ConsoleLine` records.

    Decoding uses ``errors="replace"`` so a stray byte never stops the reader (a stopped reader
    would block QEMU on its serial writes).
    """

    def __init__(self) -> None:
        self._pending = ""
        self._count = 0
        self._decoder_tail = b""

    def feed(self, data: bytes, now: float) -> List[ConsoleLine]:
        """Adds bytes received at ``now`` and returns the lines they completed."""
        data = self._decoder_tail + data
        # Keep an incomplete UTF-8 sequence for the next chunk instead of replacing it.
        cut = _incomplete_utf8_tail(data)
        self._decoder_tail = data[len(data) - cut:] if cut else b""
        text = data[: len(data) - cut].decode("utf-8", errors="replace")
        self._pending += text.replace("\r", "")
        lines: List[ConsoleLine] = []
        while True:
            newline = self._pending.find("\n")
            if newline >= 0:
                lines.append(self._emit(self._pending[:newline], now, False))
                self._pending = self._pending[newline + 1:]
                continue
            if self._pending.endswith(PROMPT_SUFFIXES):
                lines.append(self._emit(self._pending, now, True))
                self._pending = ""
            elif len(self._pending) >= MAX_LINE_CHARS:
                lines.append(self._emit(self._pending[:MAX_LINE_CHARS], now, False))
                self._pending = self._pending[MAX_LINE_CHARS:]
                continue
            return lines

    def flush(self, now: float) -> List[ConsoleLine]:
        """Releases an unterminated last line (at end of stream)."""
        tail = self._decoder_tail.decode("utf-8", errors="replace")
        self._decoder_tail = b""
        self._pending += tail
        if not self._pending:
            return []
        line = self._emit(self._pending, now, False)
        self._pending = ""
        return [line]

    def _emit(self, text: str, now: float, is_prompt: bool) -> ConsoleLine:
        self._count += 1
        return ConsoleLine(self._count, now, text, is_prompt)


def _incomplete_utf8_tail(data: bytes) -> int:
    """Number of trailing bytes that start a UTF-8 sequence not yet complete."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:  # continuation byte: keep looking for the lead byte
            continue
        if byte & 0x80 == 0:
            return 0
        needed = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4 if byte & 0xF8 == 0xF0 else 1
        return back if back < needed else 0
    return 0


def split_log(data: bytes) -> List[ConsoleLine]:
    """Splits a whole saved serial log into lines (time is unknown offline: 0.0)."""
    splitter = LineSplitter()
    return splitter.feed(data, 0.0) + splitter.flush(0.0)
