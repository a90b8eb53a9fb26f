"""Reads a registry hive file (regf) on the host: keys, subkeys and values, nothing written.

What a guest saves with NtSaveKey, and what a persistent silo's hives will be, checked without
booting. Written from the published description of the format (base block, hive bins, cells):
a key node ("nk") names its subkey list ("lf", "lh", "li", or "ri" of lists) and its value list;
a value ("vk") keeps up to four bytes in its own cell and more in a data cell, or in a big-data
block ("db") of segments for values larger than one cell can hold.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Union

BASE_BLOCK_BYTES = 4096
ROOT_CELL_OFFSET = 0x24          # in the base block: the root key's cell, from the first hive bin
REGF_SIGNATURE = b"regf"
NO_CELL = 0xFFFFFFFF
KEY_COMP_NAME = 0x0020           # nk flags: the name is stored in 8-bit characters
VALUE_COMP_NAME = 0x0001         # vk flags: likewise
DATA_IN_CELL = 0x80000000        # vk data size: the data (at most 4 bytes) is the offset field itself
BIG_DATA_SEGMENT_BYTES = 16344   # what one big-data segment holds
MAX_CELL_DEPTH = 64              # nesting of keys the reader follows (a loop in a broken file ends)

REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_QWORD = 1, 2, 3, 4, 7, 11

Value = Union[str, int, bytes, List[str]]


class HiveError(ValueError):
    """Not a hive, or a cell that points outside it or has the wrong kind."""


@dataclass
class HiveValue:
    name: str
    type: int
    raw: bytes

    @property
    def data(self) -> Value:
        """The value decoded by its type (strings without their terminator); other types as bytes."""
        if self.type in (REG_SZ, REG_EXPAND_SZ):
            return self.raw.decode("utf-16-le", errors="replace").split("\0", 1)[0]
        if self.type == REG_MULTI_SZ:
            return [s for s in self.raw.decode("utf-16-le", errors="replace").split("\0") if s]
        if self.type == REG_DWORD and len(self.raw) >= 4:
            return struct.unpack_from("<I", self.raw)[0]
        if self.type == REG_QWORD and len(self.raw) >= 8:
            return struct.unpack_from("<Q", self.raw)[0]
        return self.raw


@dataclass
class HiveKey:
    name: str
    subkeys: Dict[str, "HiveKey"] = field(default_factory=dict)   # by lower-case name
    values: Dict[str, HiveValue] = field(default_factory=dict)    # by lower-case name

    def key(self, path: str) -> Optional["HiveKey"]:
        """The key at ``path`` (``a\\b`` or ``a/b``, any case) below this one, or None."""
        node: Optional[HiveKey] = self
        for part in [p for p in path.replace("/", "\\").split("\\") if p]:
            node = node.subkeys.get(part.lower()) if node else None
        return node

    def value(self, name: str) -> Optional[HiveValue]:
        return self.values.get(name.lower())


class _Cells:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def cell(self, offset: int) -> bytes:
        """The cell's data (after its size field) at ``offset`` from the first hive bin."""
        start = BASE_BLOCK_BYTES + offset
        if offset == NO_CELL or start + 4 > len(self.data):
            raise HiveError(f"cell offset 0x{offset:x} is outside the hive")
        size = struct.unpack_from("<i", self.data, start)[0]
        if size >= 0:
            raise HiveError(f"cell 0x{offset:x} is free, not in use")
        end = start - size
        if end > len(self.data):
            raise HiveError(f"cell 0x{offset:x} runs past the end of the hive")
        return self.data[start + 4:end]

    def signed(self, offset: int, signature: bytes) -> bytes:
        cell = self.cell(offset)
        if cell[:2] != signature:
            raise HiveError(f"cell 0x{offset:x} is {cell[:2]!r}, not {signature!r}")
        return cell


def _name(raw: bytes, compressed: bool) -> str:
    return raw.decode("latin-1") if compressed else raw.decode("utf-16-le", errors="replace")


def _subkey_offsets(cells: _Cells, offset: int, depth: int = 0) -> List[int]:
    if depth > 1:
        raise HiveError(f"subkey index 0x{offset:x} nests deeper than ri -> list")
    cell = cells.cell(offset)
    kind, count = cell[:2], struct.unpack_from("<H", cell, 2)[0]
    if kind in (b"lf", b"lh"):
        return [struct.unpack_from("<I", cell, 4 + 8 * i)[0] for i in range(count)]
    if kind == b"li":
        return [struct.unpack_from("<I", cell, 4 + 4 * i)[0] for i in range(count)]
    if kind == b"ri":
        return [o for i in range(count)
                for o in _subkey_offsets(cells, struct.unpack_from("<I", cell, 4 + 4 * i)[0], depth + 1)]
    raise HiveError(f"cell 0x{offset:x} is {kind!r}, not a subkey list")


def _value_data(cells: _Cells, size_field: int, data_offset: int) -> bytes:
    if size_field & DATA_IN_CELL:
        return struct.pack("<I", data_offset)[:size_field & ~DATA_IN_CELL]
    size = size_field
    if size == 0:
        return b""
    cell = cells.cell(data_offset)
    if cell[:2] == b"db" and size > BIG_DATA_SEGMENT_BYTES:
        count, list_offset = struct.unpack_from("<HI", cell, 2)
        segments = cells.cell(list_offset)
        chunks = [cells.cell(struct.unpack_from("<I", segments, 4 * i)[0])[:BIG_DATA_SEGMENT_BYTES]
                  for i in range(count)]
        return b"".join(chunks)[:size]
    if len(cell) < size:
        raise HiveError(f"value data cell 0x{data_offset:x} holds {len(cell)} bytes, not {size}")
    return cell[:size]


def _value(cells: _Cells, offset: int) -> HiveValue:
    cell = cells.signed(offset, b"vk")
    name_length, size_field, data_offset, value_type, flags = struct.unpack_from("<HIIIH", cell, 2)
    name = _name(cell[0x14:0x14 + name_length], bool(flags & VALUE_COMP_NAME)) or "(default)"
    return HiveValue(name, value_type, _value_data(cells, size_field, data_offset))


def _key(cells: _Cells, offset: int, depth: int = 0) -> HiveKey:
    if depth > MAX_CELL_DEPTH:
        raise HiveError(f"keys nest deeper than {MAX_CELL_DEPTH}: a loop in the hive?")
    cell = cells.signed(offset, b"nk")
    flags = struct.unpack_from("<H", cell, 2)[0]
    subkey_count, _volatile, subkey_list = struct.unpack_from("<III", cell, 0x14)
    value_count, value_list = struct.unpack_from("<II", cell, 0x24)
    name_length = struct.unpack_from("<H", cell, 0x48)[0]
    key = HiveKey(_name(cell[0x4C:0x4C + name_length], bool(flags & KEY_COMP_NAME)))
    if subkey_count and subkey_list != NO_CELL:
        for child_offset in _subkey_offsets(cells, subkey_list):
            child = _key(cells, child_offset, depth + 1)
            key.subkeys[child.name.lower()] = child
    if value_count and value_list != NO_CELL:
        values = cells.cell(value_list)
        for i in range(value_count):
            value = _value(cells, struct.unpack_from("<I", values, 4 * i)[0])
            key.values[value.name.lower()] = value
    return key


def parse_hive(data: bytes) -> HiveKey:
    """The root key of a hive file's bytes. Raises HiveError for anything that is not one."""
    if len(data) < BASE_BLOCK_BYTES or data[:4] != REGF_SIGNATURE:
        raise HiveError("not a registry hive (no 'regf' base block)")
    root = struct.unpack_from("<I", data, ROOT_CELL_OFFSET)[0]
    try:
        return _key(_Cells(data), root)
    except struct.error as error:
        raise HiveError(f"a cell is cut short: {error}") from None


def read_hive(path: Path) -> HiveKey:
    return parse_hive(Path(path).read_bytes())


def describe(key: HiveKey, indent: str = "") -> List[str]:
    """The tree as text lines (for reports and people)."""
    lines = [f"{indent}{key.name}\\"]
    for value in key.values.values():
        lines.append(f"{indent}  {value.name} = {value.data!r} (type {value.type})")
    for child in key.subkeys.values():
        lines.extend(describe(child, indent + "  "))
    return lines

