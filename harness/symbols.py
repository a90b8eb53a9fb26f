"""Turns KDBG's bare ``<module:rva>`` frames (user-mode ones, which KDBG cannot resolve) into
``<module:rva (file:line (function))>``, KDBG's own format, from the ``.rossym`` line tables of the
modules in a ReactOS build folder."""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Dict, List, Optional

from .binary import BinaryError, SourceLine, read_line_table

# A frame KDBG printed without a resolution: "<ntdll.dll:f485>" (a resolved one goes on with " (")
BARE_FRAME = re.compile(r"<(?P<module>[\w.$+-]+\.(?:exe|dll|sys|drv|ocx|cpl|acm|ax)):(?P<rva>[0-9a-fA-F]+)>",
                        re.IGNORECASE)
MODULE_SUFFIXES = (".exe", ".dll", ".sys", ".drv", ".ocx", ".cpl", ".acm", ".ax")


class Symbolizer:
    """Finds each module once in the build folder (the first of that name) and keeps its line table."""

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = Path(build_dir)
        self._paths: Optional[Dict[str, Path]] = None
        self._tables: Dict[str, Optional[List[SourceLine]]] = {}

    def _find(self, module: str) -> Optional[Path]:
        if self._paths is None:
            self._paths = {}
            for path in sorted(self.build_dir.rglob("*")):
                if path.suffix.lower() in MODULE_SUFFIXES and path.is_file():
                    self._paths.setdefault(path.name.lower(), path)
        return self._paths.get(module.lower())

    def _table(self, module: str) -> Optional[List[SourceLine]]:
        key = module.lower()
        if key not in self._tables:
            path = self._find(module)
            try:
                self._tables[key] = read_line_table(path) if path is not None else None
            except BinaryError:
                self._tables[key] = None
        return self._tables[key]

    def resolve(self, module: str, rva: int) -> Optional[SourceLine]:
        table = self._table(module)
        if not table:
            return None
        index = bisect.bisect_right([row.rva for row in table], rva) - 1
        return table[index] if index >= 0 else None

    def symbolize(self, text: str) -> str:
        def replace(match: re.Match) -> str:
            row = self.resolve(match["module"], int(match["rva"], 16))
            if row is None:
                return match.group()
            return f"<{match['module']}:{match['rva']} ({row.file}:{row.line} ({row.function}))>"
        return BARE_FRAME.sub(replace, text)


def symbolize_lines(lines: List[str], build_dir: Path) -> List[str]:
    symbolizer = Symbolizer(build_dir)
    return [symbolizer.symbolize(text) for text in lines]
