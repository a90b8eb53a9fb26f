"""Builds small i386 PE images for the ``inspect`` tests: a .text section of real x86 code, an
export table and a ``.rossym`` line table in ReactOS's layout (sdk/include/reactos/rossym.h).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

FILE_ALIGNMENT = 0x200
SECTION_ALIGNMENT = 0x1000
IMAGE_BASE = 0x400000
TEXT_RVA = 0x1000  # .edata and .rossym follow .text, each at the next section boundary
CODE, INITIALIZED_DATA, EXECUTE, READ = 0x20, 0x40, 0x20000000, 0x40000000


def _align(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


@dataclass
class FakeModule:
    """Functions at fixed RVAs in .text; each may call others (``call rel32``) and ends with ``ret``."""

    functions: Dict[str, int] = field(default_factory=dict)        # name -> RVA
    calls: Dict[str, List[str]] = field(default_factory=dict)       # caller -> callees
    exports: List[str] = field(default_factory=list)
    pops: Dict[str, int] = field(default_factory=dict)              # name -> bytes its ret pops
    pushes: Dict[str, int] = field(default_factory=dict)            # caller -> stack arguments per call

    def add(self, name: str, rva: int, calls: Tuple[str, ...] = (), pops: int = 0, pushes: int = 0) -> "FakeModule":
        self.functions[name] = rva
        self.calls[name] = list(calls)
        self.pops[name] = pops
        self.pushes[name] = pushes
        return self

    def _text(self) -> bytes:
        size = max(self.functions.values(), default=TEXT_RVA) - TEXT_RVA + 0x100
        code = bytearray(b"\xcc" * size)
        for name, rva in self.functions.items():
            offset = rva - TEXT_RVA
            body = bytearray(b"\x55\x89\xe5")  # push ebp; mov ebp, esp
            for callee in self.calls[name]:
                # gcc's accumulated outgoing arguments: mov dword ptr [esp + 4k], 0 per argument
                for slot in range(self.pushes[name]):
                    body += (b"\xc7\x04\x24" if slot == 0 else b"\xc7\x44\x24" + bytes([4 * slot])) + b"\0" * 4
                at = rva + len(body)
                body += b"\xe8" + struct.pack("<i", self.functions[callee] - (at + 5))
            body += b"\x5d"  # pop ebp
            body += b"\xc2" + struct.pack("<H", self.pops[name]) if self.pops[name] else b"\xc3"
            code[offset:offset + len(body)] = body
        return bytes(code)

    def _edata(self, edata_rva: int) -> bytes:
        names = sorted(self.exports)
        count = len(names)
        functions_at = edata_rva + 40
        names_at = functions_at + 4 * count
        ordinals_at = names_at + 4 * count
        strings_at = ordinals_at + 2 * count
        strings = bytearray(b"fake.exe\0")
        name_rvas = []
        for name in names:
            name_rvas.append(strings_at + len(strings))
            strings += name.encode() + b"\0"
        directory = struct.pack("<IIHHIIIIIII", 0, 0, 0, 0, strings_at, 1, count, count,
                                functions_at, names_at, ordinals_at)
        table = b"".join(struct.pack("<I", self.functions.get(n, TEXT_RVA)) for n in names)
        table += b"".join(struct.pack("<I", r) for r in name_rvas)
        table += b"".join(struct.pack("<H", i) for i in range(count))
        return directory + table + bytes(strings)

    def _rossym(self) -> bytes:
        strings = bytearray(b"\0fake.c\0")
        entries = bytearray()
        for name, rva in sorted(self.functions.items(), key=lambda item: item[1]):
            name_offset = len(strings)
            strings += name.encode() + b"\0"
            for line, delta in ((10, 0), (11, 3)):  # two line rows per function, like rsym writes
                entries += struct.pack("<4I", rva + delta, name_offset, 1, line)
        header = struct.pack("<4I", 16, len(entries), 16 + len(entries), len(strings))
        return header + bytes(entries) + bytes(strings)

    def build(self, with_rossym: bool = True) -> bytes:
        text = self._text()
        edata_rva = _align(TEXT_RVA + len(text), SECTION_ALIGNMENT)
        edata = self._edata(edata_rva)
        sections = [(b".text", TEXT_RVA, text, CODE | EXECUTE | READ),
                    (b".edata", edata_rva, edata, INITIALIZED_DATA | READ)]
        if with_rossym:
            rossym_rva = _align(edata_rva + len(edata), SECTION_ALIGNMENT)
            sections.append((b".rossym", rossym_rva, self._rossym(), INITIALIZED_DATA | READ))
        headers_size = _align(0x40 + 4 + 20 + 224 + 40 * len(sections), FILE_ALIGNMENT)
        raw, file_offset = [], headers_size
        for name, rva, data, flags in sections:
            raw.append((name, rva, data, flags, file_offset, _align(len(data), FILE_ALIGNMENT)))
            file_offset += _align(len(data), FILE_ALIGNMENT)
        image_size = _align(max(r[1] + len(r[2]) for r in raw), SECTION_ALIGNMENT)

        dos = bytearray(0x40)
        dos[0:2] = b"MZ"
        struct.pack_into("<I", dos, 0x3C, 0x40)
        file_header = struct.pack("<HHIIIHH", 0x14C, len(sections), 0, 0, 0, 224, 0x0102)
        directories = [(0, 0)] * 16
        directories[0] = (edata_rva, len(raw[1][2]))
        optional = struct.pack("<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII", 0x10B, 2, 35, len(raw[0][2]), 0, 0, TEXT_RVA,
                               TEXT_RVA, edata_rva, IMAGE_BASE, SECTION_ALIGNMENT, FILE_ALIGNMENT, 5, 2, 0, 0,
                               5, 2, 0, image_size, headers_size, 0, 1, 0, 0x100000, 0x1000, 0x100000, 0x1000,
                               0, 16)
        optional += b"".join(struct.pack("<II", *d) for d in directories)
        section_headers = b"".join(struct.pack("<8sIIIIIIHHI", name, len(data), rva, size, offset, 0, 0, 0, 0, flags)
                                   for name, rva, data, flags, offset, size in raw)
        image = bytearray(bytes(dos) + b"PE\0\0" + file_header + optional + section_headers)
        image += b"\0" * (headers_size - len(image))
        for _name, _rva, data, _flags, _offset, size in raw:
            image += data + b"\0" * (size - len(data))
        return bytes(image)
