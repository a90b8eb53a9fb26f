"""The hive reader, on hives made on purpose by tests/hivewriter.py, and the host check built on it."""

from __future__ import annotations

import struct

import pytest

from harness.hive import (BIG_DATA_SEGMENT_BYTES, REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_QWORD, REG_SZ, HiveError,
                          describe, parse_hive)
from harness.hostcheck import HIVE_BLOB, HIVE_COUNT, HIVE_FILE, HIVE_MULTI, check_scratch_hive
from harness.scratch import SEED_FILE, create_scratch_disk
from harness.verdict import TestResult, TestStatus
from hivewriter import HiveWriter, KeySpec


def utf16z(text: str) -> bytes:
    return (text + "\0").encode("utf-16-le")


def multi(*items: str) -> bytes:
    return ("\0".join(items) + "\0\0").encode("utf-16-le")


def scratch_like(token: str = "0123abcd", blob: bytes = HIVE_BLOB, list_kind: str = "lf") -> bytes:
    sub = KeySpec("Sub", values=[("Token", REG_SZ, utf16z(token)),
                                 ("Count", REG_DWORD, struct.pack("<I", HIVE_COUNT)),
                                 ("Blob", REG_BINARY, blob),
                                 ("Multi", REG_MULTI_SZ, multi(*HIVE_MULTI))])
    return HiveWriter().build(KeySpec("HarnessScratch", subkeys=[sub], list_kind=list_kind))


@pytest.mark.parametrize("list_kind", ["lf", "lh", "li"])
def test_keys_and_values_of_every_kind_are_read_back(list_kind):
    root = parse_hive(scratch_like(list_kind=list_kind))
    assert root.name == "HarnessScratch"
    sub = root.key("sub")
    assert sub is not None and sub.name == "Sub"
    assert sub.value("token").data == "0123abcd"
    assert sub.value("Count").data == HIVE_COUNT           # in the vk cell itself (4 bytes)
    assert sub.value("Blob").data == HIVE_BLOB             # in a data cell of its own
    assert sub.value("Multi").data == HIVE_MULTI
    assert root.key("Sub\\Nope") is None and root.key("nope") is None


def test_an_ri_index_of_lists_and_utf16_names_are_followed():
    children = [KeySpec(f"Child{i}", values=[("Q", REG_QWORD, struct.pack("<Q", i << 40))]) for i in range(5)]
    children.append(KeySpec("Wide\u00e9", wide_name=True))
    root = parse_hive(HiveWriter().build(KeySpec("Root", subkeys=children, list_kind="ri")))
    assert sorted(root.subkeys) == sorted(c.name.lower() for c in children)
    assert root.key("child3").value("q").data == 3 << 40
    assert root.key("wide\u00e9").name == "Wide\u00e9"


def test_big_data_is_joined_from_its_segments():
    big = bytes(range(256)) * 200                           # 51,200 bytes: four segments
    root = parse_hive(HiveWriter().build(KeySpec("Root", values=[("Big", REG_BINARY, big)]),
                                         big_segment=BIG_DATA_SEGMENT_BYTES))
    assert root.value("big").data == big


def test_a_default_value_and_an_empty_one():
    root = parse_hive(HiveWriter().build(KeySpec("Root", values=[("", REG_SZ, utf16z("dflt")),
                                                                 ("Empty", REG_BINARY, b"")])))
    assert root.value("(default)").data == "dflt" and root.value("empty").data == b""
    assert "Root\\" in describe(root)[0]


@pytest.mark.parametrize("damage, message", [
    (lambda d: b"nope" + d[4:], "no 'regf' base block"),
    (lambda d: d[:4096], "outside the hive"),
    (lambda d: d[:0x24] + struct.pack("<I", 0x10000000) + d[0x28:], "outside the hive"),
    (lambda d: d[:0x24] + struct.pack("<I", 0x20) + d[0x28:], "not b'nk'"),   # the first cell: value data
])
def test_a_damaged_hive_is_a_clear_error_not_a_crash(damage, message):
    data = scratch_like()
    with pytest.raises(HiveError, match=message):
        parse_hive(damage(data))


def test_a_free_cell_where_a_key_should_be_is_refused():
    data = bytearray(scratch_like())
    root = struct.unpack_from("<I", data, 0x24)[0]
    size = struct.unpack_from("<i", data, 4096 + root)[0]
    struct.pack_into("<i", data, 4096 + root, -size)
    with pytest.raises(HiveError, match="is free"):
        parse_hive(bytes(data))


def _hive_test() -> TestResult:
    return TestResult("harnesstest:scratchhive", TestStatus.PASSED, "0 failures")


@pytest.mark.scratch
def test_the_hive_check_holds_for_the_values_the_guest_sets(tmp_path):
    disk = create_scratch_disk(tmp_path / "scratch.img")
    disk.write_file(SEED_FILE, b"0123abcd")
    disk.write_file(HIVE_FILE, scratch_like("0123abcd"))
    holds, detail = check_scratch_hive(disk, _hive_test())
    assert holds, detail


@pytest.mark.scratch
@pytest.mark.parametrize("hive, expected", [
    (lambda: scratch_like("ffffffff"), "Token is 'ffffffff'"),
    (lambda: scratch_like(blob=HIVE_BLOB[:-1] + b"\0"), "Blob is"),
    (lambda: HiveWriter().build(KeySpec("HarnessScratch")), "has no key Sub"),
    (lambda: b"regf" + b"\0" * 10, "does not parse as a hive"),
    (None, "is not on the disk"),
])
def test_the_hive_check_fails_when_the_file_disagrees(tmp_path, hive, expected):
    disk = create_scratch_disk(tmp_path / "scratch.img")
    disk.write_file(SEED_FILE, b"0123abcd")
    if hive is not None:
        disk.write_file(HIVE_FILE, hive())
    holds, detail = check_scratch_hive(disk, _hive_test())
    assert not holds and expected in detail, detail
