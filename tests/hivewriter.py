"""A tiny regf writer for the reader's tests: the cells of a few keys and values, laid out the way the
published format describes, so that each reader path (lf/li/ri lists, inline, cell and big data,
8-bit and UTF-16 names) is met by a file made on purpose."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

HBIN_HEADER_BYTES = 0x20


@dataclass
class KeySpec:
    name: str
    values: List[Tuple[str, int, bytes]] = field(default_factory=list)   # (name, type, data)
    subkeys: List["KeySpec"] = field(default_factory=list)
    list_kind: str = "lf"            # lf, lh, li, or ri (an ri of two li lists)
    wide_name: bool = False          # the name in UTF-16 instead of 8-bit


class HiveWriter:
    def __init__(self) -> None:
        self.bins = bytearray(HBIN_HEADER_BYTES)

    def cell(self, payload: bytes) -> int:
        size = (len(payload) + 4 + 7) & ~7
        offset = len(self.bins)
        self.bins += struct.pack("<i", -size) + payload + b"\0" * (size - 4 - len(payload))
        return offset

    def value(self, name: str, value_type: int, data: bytes, big_segment: Optional[int] = None) -> int:
        raw_name = name.encode("latin-1")
        if len(data) <= 4:
            size, data_offset = len(data) | 0x80000000, struct.unpack("<I", data.ljust(4, b"\0"))[0]
        elif big_segment is not None and len(data) > big_segment:
            segments = [self.cell(data[i:i + big_segment]) for i in range(0, len(data), big_segment)]
            seg_list = self.cell(b"".join(struct.pack("<I", s) for s in segments))
            size, data_offset = len(data), self.cell(b"db" + struct.pack("<HI", len(segments), seg_list))
        else:
            size, data_offset = len(data), self.cell(data)
        return self.cell(b"vk" + struct.pack("<HIIIHH", len(raw_name), size, data_offset, value_type, 1, 0) + raw_name)

    def key(self, spec: KeySpec, big_segment: Optional[int] = None) -> int:
        children = [self.key(child, big_segment) for child in spec.subkeys]
        subkey_list = 0xFFFFFFFF
        if children:
            if spec.list_kind in ("lf", "lh"):
                body = b"".join(struct.pack("<II", c, 0) for c in children)
                subkey_list = self.cell(spec.list_kind.encode() + struct.pack("<H", len(children)) + body)
            elif spec.list_kind == "li":
                subkey_list = self.cell(b"li" + struct.pack("<H", len(children)) + b"".join(struct.pack("<I", c) for c in children))
            else:
                halves = [children[:len(children) // 2], children[len(children) // 2:]]
                lists = [self.cell(b"li" + struct.pack("<H", len(h)) + b"".join(struct.pack("<I", c) for c in h))
                         for h in halves]
                subkey_list = self.cell(b"ri" + struct.pack("<H", 2) + b"".join(struct.pack("<I", l) for l in lists))
        values = [self.value(n, t, d, big_segment) for n, t, d in spec.values]
        value_list = self.cell(b"".join(struct.pack("<I", v) for v in values)) if values else 0xFFFFFFFF
        name = spec.name.encode("utf-16-le") if spec.wide_name else spec.name.encode("latin-1")
        flags = 0 if spec.wide_name else 0x20
        nk = bytearray(0x4C)
        nk[0:2] = b"nk"
        struct.pack_into("<H", nk, 2, flags)
        struct.pack_into("<III", nk, 0x14, len(children), 0, subkey_list)
        struct.pack_into("<II", nk, 0x24, len(values), value_list)
        struct.pack_into("<H", nk, 0x48, len(name))
        return self.cell(bytes(nk) + name)

    def build(self, root: KeySpec, big_segment: Optional[int] = None) -> bytes:
        root_offset = self.key(root, big_segment)
        size = (len(self.bins) + 4095) & ~4095
        self.bins += b"\0" * (size - len(self.bins))
        self.bins[0:4] = b"hbin"
        struct.pack_into("<II", self.bins, 4, 0, size)
        base = bytearray(4096)
        base[0:4] = b"regf"
        struct.pack_into("<I", base, 0x24, root_offset)
        struct.pack_into("<I", base, 0x28, size)
        return bytes(base) + bytes(self.bins)
