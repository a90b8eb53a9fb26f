"""Reads a built ReactOS module: its exports (pefile), its functions (the ``.rossym`` section
ReactOS's rsym writes into every module of a normal build) and the calls inside a function
(capstone). Nothing here knows about silos; ``inspect`` asks the questions.
"""

from __future__ import annotations

import bisect
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set

import capstone
import pefile

ROSSYM_SECTION = b".rossym"
ROSSYM_HEADER = struct.Struct("<4I")       # SymbolsOffset, SymbolsLength, StringsOffset, StringsLength
ROSSYM_ENTRY_X86 = struct.Struct("<4I")    # Address (RVA), FunctionOffset, FileOffset, SourceLine
MACHINE_I386 = 0x14C
STACK_SLOT_BYTES = 4
# "dword ptr [esp]" / "dword ptr [esp + 0xc]": a store into an outgoing argument slot
_ESP_SLOT = re.compile(r"dword ptr \[esp(?: \+ (?P<offset>0x[0-9a-f]+|\d+))?\], ")


class BinaryError(Exception):
    """The file is not a module this reader understands; the message says why."""


@dataclass(frozen=True)
class Function:
    name: str
    rva: int
    end: int  # first RVA after the function (the next function's start)


@dataclass(frozen=True)
class CallSite:
    caller: str
    rva: int
    target: int


@dataclass
class ModuleImage:
    path: Path
    exports: Set[str]
    functions: Dict[str, Function]
    _pe: pefile.PE = field(repr=False)
    _starts: List[int] = field(default_factory=list, repr=False)
    _by_start: Dict[int, Function] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path) -> "ModuleImage":
        path = Path(path)
        try:
            pe = pefile.PE(str(path), fast_load=True)
        except (OSError, pefile.PEFormatError) as error:
            raise BinaryError(f"{path}: not a PE image ({error})") from None
        if pe.FILE_HEADER.Machine != MACHINE_I386:
            raise BinaryError(f"{path}: machine 0x{pe.FILE_HEADER.Machine:x}; only i386 builds are read")
        pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_EXPORT"]])
        directory = getattr(pe, "DIRECTORY_ENTRY_EXPORT", None)
        exports = {e.name.decode() for e in directory.symbols if e.name} if directory else set()
        functions = _rossym_functions(pe, path)
        image = cls(path, exports, functions, pe)
        image._by_start = {f.rva: f for f in functions.values()}
        image._starts = sorted(image._by_start)
        return image

    def function_at(self, rva: int) -> Optional[Function]:
        index = bisect.bisect_right(self._starts, rva) - 1
        if index < 0:
            return None
        function = self._by_start[self._starts[index]]
        return function if rva < function.end else None

    def calls_in(self, name: str) -> List[CallSite]:
        """Direct calls (``call rel32``) made by the named function."""
        function = self.functions[name]
        code = self._pe.get_data(function.rva, function.end - function.rva)
        disassembler = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_32)
        sites = []
        for insn in disassembler.disasm(code, function.rva):
            if insn.mnemonic == "call" and insn.op_str.startswith("0x"):
                sites.append(CallSite(name, insn.address, int(insn.op_str, 16)))
        return sites

    def stack_bytes_released(self, name: str) -> Optional[int]:
        """What the function's ``ret imm16`` pops (stdcall: 4 per argument); None if it has no such ret."""
        function = self.functions[name]
        code = self._pe.get_data(function.rva, function.end - function.rva)
        disassembler = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_32)
        for insn in disassembler.disasm(code, function.rva):
            if insn.mnemonic == "ret":
                return int(insn.op_str, 16) if insn.op_str else 0
        return None

    def stack_arguments_at(self, site: CallSite) -> int:
        """How many 4-byte stack arguments the caller sets up for this call, counted since the previous
        call: ``push`` instructions, or (gcc's accumulated outgoing arguments, as in ReactOS's i386
        builds) the highest ``[esp + n]`` slot written, n / 4 + 1."""
        function = self.functions[site.caller]
        code = self._pe.get_data(function.rva, site.rva - function.rva)
        disassembler = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_32)
        pushes, highest_slot = 0, -1
        for insn in disassembler.disasm(code, function.rva):
            # A call, or the prologue's end (frame set up, locals reserved), starts a fresh count
            if insn.mnemonic == "call" or (insn.mnemonic, insn.op_str) == ("mov", "ebp, esp") or \
                    (insn.mnemonic == "sub" and insn.op_str.startswith("esp, ")):
                pushes, highest_slot = 0, -1
            elif insn.mnemonic == "push":
                pushes += 1
            elif insn.mnemonic == "mov" and (match := _ESP_SLOT.match(insn.op_str)):
                highest_slot = max(highest_slot, int(match["offset"] or "0", 0) // STACK_SLOT_BYTES)
        return pushes or highest_slot + 1

    def callers_of(self, name: str) -> List[CallSite]:
        """Every direct call of the named function, from any function of the module."""
        target = self.functions[name].rva
        return [site for caller in self.functions for site in self.calls_in(caller) if site.target == target]


@dataclass(frozen=True)
class SourceLine:
    rva: int
    function: str
    file: str
    line: int


def _rossym_rows(pe: pefile.PE, path: Path) -> List[SourceLine]:
    """The rows of the line table rsym stores in ``.rossym``, by address."""
    sections = [s for s in pe.sections if s.Name.rstrip(b"\0") == ROSSYM_SECTION]
    if not sections:
        raise BinaryError(f"{path}: no .rossym section (stripped, or a separate-debug build)")
    data = sections[0].get_data()
    try:
        symbols_offset, symbols_length, strings_offset, strings_length = ROSSYM_HEADER.unpack_from(data)
    except struct.error:
        raise BinaryError(f"{path}: .rossym section too short") from None
    strings = data[strings_offset:strings_offset + strings_length]
    if symbols_offset + symbols_length > len(data) or len(strings) != strings_length:
        raise BinaryError(f"{path}: .rossym tables run past the section")

    def string_at(offset: int) -> str:
        end = strings.find(b"\0", offset)
        return strings[offset:end].decode("ascii", "replace") if 0 <= offset < len(strings) and end >= 0 else ""

    rows = []
    for offset in range(symbols_offset, symbols_offset + symbols_length - ROSSYM_ENTRY_X86.size + 1,
                        ROSSYM_ENTRY_X86.size):
        address, function_offset, file_offset, line = ROSSYM_ENTRY_X86.unpack_from(data, offset)
        if address:
            rows.append(SourceLine(address, string_at(function_offset), string_at(file_offset), line))
    rows.sort(key=lambda row: row.rva)
    return rows


def read_line_table(path: Path) -> List[SourceLine]:
    """A module's source lines by address (for turning ``<module:rva>`` frames into file:line)."""
    try:
        pe = pefile.PE(str(path), fast_load=True)
    except (OSError, pefile.PEFormatError) as error:
        raise BinaryError(f"{path}: not a PE image ({error})") from None
    return _rossym_rows(pe, Path(path))


def _rossym_functions(pe: pefile.PE, path: Path) -> Dict[str, Function]:
    """Function name -> extent, from the line table rsym stores in ``.rossym``."""
    text_end = max(s.VirtualAddress + s.Misc_VirtualSize for s in pe.sections
                   if s.Characteristics & pefile.SECTION_CHARACTERISTICS["IMAGE_SCN_CNT_CODE"])
    starts: Dict[str, int] = {}
    for row in _rossym_rows(pe, path):
        if row.function and (row.function not in starts or row.rva < starts[row.function]):
            starts[row.function] = row.rva
    ordered = sorted(starts.items(), key=lambda item: item[1])
    functions = {}
    for index, (name, start) in enumerate(ordered):
        end = ordered[index + 1][1] if index + 1 < len(ordered) else text_end
        functions[name] = Function(name, start, max(end, start))
    return functions
