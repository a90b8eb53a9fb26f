"""The per-run ISO copy: only freeldr.ini changes, in place; the user's ISO is never written."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pycdlib
import pytest

from harness.iso import BootRequest, IsoError, edit_freeldr_ini, prepare_iso, read_freeldr_ini

LIVECD_INI = """[FREELOADER]
DefaultOS=LiveCD_Debug
TimeOut=5

[Display]
TitleText=ReactOS LiveCD
MinimalUI=Yes

[Operating Systems]
LiveCD="LiveCD"
LiveCD_Debug="LiveCD (Debug)"

[LiveCD]
BootType=Windows2003
SystemPath=\\reactos
Options=/FASTDETECT /MININT

[LiveCD_Debug]
BootType=Windows2003
SystemPath=\\reactos
Options=/DEBUG /DEBUGPORT=COM1 /BAUDRATE=115200 /SOS /FASTDETECT /MININT
"""


def make_iso(path: Path, ini: str = LIVECD_INI, extra: bytes = b"hive bytes that must not move" * 100) -> Path:
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=1, joliet=3)
    data = ini.encode("latin-1")
    iso.add_fp(io.BytesIO(data), len(data), "/FREELDR.INI;1", joliet_path="/freeldr.ini")
    iso.add_fp(io.BytesIO(extra), len(extra), "/SYSTEM.;1", joliet_path="/system")
    iso.write(str(path))
    iso.close()
    return path


def test_the_request_goes_into_the_debug_entry_which_boots_at_once():
    edited = edit_freeldr_ini(LIVECD_INI, BootRequest(tests=["harnesstest:version", "harnesstest:processes"],
                                                      test_timeout_s=60))
    assert "TimeOut=0" in edited and "DefaultOS=LiveCD_Debug" in edited
    assert ("Options=/DEBUG /DEBUGPORT=COM1 /BAUDRATE=115200 /SOS /FASTDETECT /MININT "
            "/KDSERIAL /HARNESS=harnesstest:version,harnesstest:processes /HARNESSTIMEOUT=60") in edited
    assert "Options=/FASTDETECT /MININT\n" in edited  # other entries untouched


def test_kdbg_input_on_com1_can_be_left_off():
    edited = edit_freeldr_ini(LIVECD_INI, BootRequest(tests=["a:b"], kdbg_on_serial=False))
    assert "/KDSERIAL" not in edited and "/HARNESS=a:b" in edited


def test_an_option_already_in_the_entry_is_not_doubled():
    ini = LIVECD_INI.replace("/SOS /FASTDETECT /MININT\n", "/SOS /FASTDETECT /MININT /KDSERIAL\n")
    assert edit_freeldr_ini(ini, BootRequest(tests=["a:b"])).count("/KDSERIAL") == 1


def test_editing_twice_replaces_the_old_request():
    once = edit_freeldr_ini(LIVECD_INI, BootRequest(tests=["a:b"]))
    twice = edit_freeldr_ini(once, BootRequest(tests=["c:d"]))
    assert "/HARNESS=c:d" in twice and "a:b" not in twice


def test_a_missing_entry_is_refused_with_the_entries_named():
    with pytest.raises(IsoError, match="no \\[LiveCD_Debug\\] entry.*LiveCD"):
        edit_freeldr_ini(LIVECD_INI.replace("[LiveCD_Debug]", "[Other]"), BootRequest(tests=["a:b"]))


def test_the_copy_carries_the_request_and_the_source_is_untouched(tmp_path):
    source = make_iso(tmp_path / "livecd.iso")
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    copy = prepare_iso(source, tmp_path / "run" / "boot.iso", BootRequest(tests=["harnesstest:version"]))
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    assert "/HARNESS=harnesstest:version" in read_freeldr_ini(copy)
    assert source.stat().st_size == copy.stat().st_size  # in place: nothing re-laid out
    iso = pycdlib.PyCdlib()
    iso.open(str(copy))
    out = io.BytesIO()
    iso.get_file_from_iso_fp(out, joliet_path="/freeldr.ini")
    iso.close()
    assert b"/HARNESS=harnesstest:version" in out.getvalue()  # the Joliet view agrees


def test_a_request_too_large_for_the_files_sectors_is_refused(tmp_path):
    source = make_iso(tmp_path / "livecd.iso")
    many = [f"module{n}:test{n}" for n in range(200)]
    with pytest.raises(IsoError, match="room"):
        prepare_iso(source, tmp_path / "boot.iso", BootRequest(tests=many))


def test_a_file_that_is_not_an_iso_is_refused(tmp_path):
    bogus = tmp_path / "bogus.iso"
    bogus.write_bytes(b"\0" * 100000)
    with pytest.raises(IsoError, match="not a readable ISO"):
        prepare_iso(bogus, tmp_path / "boot.iso", BootRequest(tests=["a:b"]))


def test_an_iso_without_freeldr_ini_is_refused(tmp_path):
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=1)
    iso.add_fp(io.BytesIO(b"x"), 1, "/OTHER.TXT;1")
    iso.write(str(tmp_path / "other.iso"))
    iso.close()
    with pytest.raises(IsoError, match="no /freeldr.ini"):
        prepare_iso(tmp_path / "other.iso", tmp_path / "boot.iso", BootRequest(tests=["a:b"]))
