"""The scratch disk a boot may get, and the host checks judged on it after the boot."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from harness import scratch as scratch_module
from harness.boot import BootOptions, _new_scratch_disk
from harness.hostcheck import ECHO_FILE, HostFinding, apply_findings, run_host_checks, save_findings
from harness.offline import rejudge_saved
from harness.record import SessionRecord
from harness.scenarios import SCENARIOS, Scenario, _check_scratch
from harness.scratch import (PARTITION_START_SECTOR, SCRATCH_LABEL, SECTOR_BYTES, SEED_FILE, ScratchDisk,
                             ScratchDiskError, create_scratch_disk)
from harness.verdict import BootVerdict, Outcome, TestResult, TestStatus
from harness.vm import Machine, MachineConfig

# Where a FAT32 boot sector keeps its volume label (BPB_VolLab), from the start of the partition
FAT32_LABEL_OFFSET = 0x47


@pytest.fixture
def disk(tmp_path: Path) -> ScratchDisk:
    return create_scratch_disk(tmp_path / "scratch.img")


@pytest.mark.scratch
def test_the_disk_has_one_fat32_partition_at_1_mib_with_a_signature_and_the_label(disk):
    data = disk.image.read_bytes()
    assert len(data) == scratch_module.DEFAULT_SIZE_MB * 1024 * 1024
    assert data[510:512] == b"\x55\xaa"
    assert struct.unpack_from("<I", data, 440)[0] != 0, "a zero disk signature confuses mount managers"
    entry = data[446:462]
    assert entry[4] == 0x0C
    start, sectors = struct.unpack_from("<II", entry, 8)
    assert start == PARTITION_START_SECTOR
    assert (start + sectors) * SECTOR_BYTES == len(data)
    boot = data[start * SECTOR_BYTES:(start + 1) * SECTOR_BYTES]
    assert boot[FAT32_LABEL_OFFSET:FAT32_LABEL_OFFSET + 11].decode().strip() == SCRATCH_LABEL
    assert boot[0x52:0x5A] == b"FAT32   "
    assert struct.unpack_from("<I", boot, 0x1C)[0] == PARTITION_START_SECTOR, "hidden sectors = partition start"
    assert disk.list_files() == []


@pytest.mark.scratch
def test_files_go_in_and_come_out_in_nested_folders_by_either_slash(disk, tmp_path):
    disk.write_file(SEED_FILE, b"token")
    disk.write_file("GUEST\\SUB\\ECHO.TXT", b"echo token")
    disk.write_file("GUEST/SUB/ECHO.TXT", b"echo again")      # replaced, not refused
    assert disk.read_file("guest/sub/echo.txt") == b"echo again"
    assert sorted((e.path, e.size) for e in disk.list_files()) == [("GUEST/SUB/ECHO.TXT", 10), ("SEED.TXT", 5)]
    written = disk.extract(tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == ["GUEST/SUB/ECHO.TXT", "SEED.TXT"]
    assert (tmp_path / "out" / "SEED.TXT").read_bytes() == b"token"


@pytest.mark.scratch
@pytest.mark.parametrize("path", ["", "..", "GUEST/../../etc", "C:/x", "./a"])
def test_a_path_that_is_not_on_the_volume_is_refused(disk, path):
    with pytest.raises(ScratchDiskError, match="not a path on the scratch disk"):
        disk.write_file(path, b"x")


@pytest.mark.scratch
def test_reading_a_missing_file_is_a_clear_error(disk):
    with pytest.raises(ScratchDiskError, match="reading NOPE.TXT"):
        disk.read_file("NOPE.TXT")


@pytest.mark.parametrize("size", [1, scratch_module.MIN_SIZE_MB - 1, scratch_module.MAX_SIZE_MB + 1])
def test_a_size_out_of_range_is_refused_before_anything_is_written(tmp_path, size):
    with pytest.raises(ScratchDiskError, match="out of range"):
        create_scratch_disk(tmp_path / "s.img", size_mb=size)
    assert not (tmp_path / "s.img").exists()


def test_a_label_fat_cannot_hold_is_refused(tmp_path):
    with pytest.raises(ScratchDiskError, match="1-11 ASCII"):
        create_scratch_disk(tmp_path / "s.img", label="TWELVE-CHARS")


def test_a_missing_tool_names_the_packages_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(scratch_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(scratch_module.os, "access", lambda path, mode: False)
    with pytest.raises(ScratchDiskError, match="apt-get install dosfstools mtools"):
        create_scratch_disk(tmp_path / "s.img")


@pytest.mark.scratch
def test_a_failed_format_leaves_no_half_made_image(tmp_path, monkeypatch):
    real_run = scratch_module._run

    def fail_mkfs(command, what, stdin=b""):
        if "mkfs.fat" in command[0]:
            raise ScratchDiskError("formatting: mkfs.fat exited 1: simulated")
        return real_run(command, what, stdin)

    monkeypatch.setattr(scratch_module, "_run", fail_mkfs)
    with pytest.raises(ScratchDiskError, match="simulated"):
        create_scratch_disk(tmp_path / "s.img")
    assert not (tmp_path / "s.img").exists()


# -- host checks ------------------------------------------------------------------------------

def _passed(name: str, seed: str) -> TestResult:
    return TestResult(name, TestStatus.PASSED, "0 failures", metrics={"scratch": {"seed": seed, "letter": "C"}})


def _verdict(*tests: TestResult) -> BootVerdict:
    return BootVerdict(Outcome.PASS, f"{len(tests)} test(s) passed", tests=list(tests))


CHECKS = {"harnesstest:scratch": ("scratch-roundtrip",)}


@pytest.mark.scratch
def test_the_roundtrip_holds_when_the_guest_read_the_token_and_wrote_it_back(disk):
    disk.write_file(SEED_FILE, b"0123abcd")
    disk.write_file(ECHO_FILE, b"echo 0123abcd")
    verdict = _verdict(_passed("harnesstest:scratch", "0123abcd"))
    findings = run_host_checks(disk.image, CHECKS, verdict)
    assert [(f.ok, f.check) for f in findings] == [(True, "scratch-roundtrip")]
    apply_findings(verdict, findings)
    assert verdict.outcome is Outcome.PASS


@pytest.mark.scratch
@pytest.mark.parametrize("seed_said, echo, expected", [
    ("0123abcd", b"echo WRONG-0123abcd", "holds b'echo WRONG-0123abcd'"),
    ("ffffffff", b"echo 0123abcd", "the guest reported seed='ffffffff'"),
    ("0123abcd", None, "is not on the disk after the boot (the disk holds: SEED.TXT)"),
])
def test_the_roundtrip_fails_the_test_and_the_boot_when_the_disk_disagrees(disk, seed_said, echo, expected):
    disk.write_file(SEED_FILE, b"0123abcd")
    if echo is not None:
        disk.write_file(ECHO_FILE, echo)
    verdict = _verdict(_passed("harnesstest:scratch", seed_said), TestResult("x:y", TestStatus.PASSED, "ok"))
    findings = run_host_checks(disk.image, CHECKS, verdict)
    assert len(findings) == 1 and not findings[0].ok and expected in findings[0].detail
    apply_findings(verdict, findings)
    assert verdict.outcome is Outcome.TEST_FAILURE
    assert verdict.tests[0].status is TestStatus.FAILED
    assert verdict.tests[0].reason.startswith("host check failed: scratch-roundtrip:")
    assert verdict.tests[1].status is TestStatus.PASSED
    assert "1 of 2 test(s) did not pass" in verdict.summary


def test_a_vanished_image_is_a_failed_check_never_a_pass(tmp_path):
    verdict = _verdict(_passed("harnesstest:scratch", "x"))
    findings = run_host_checks(tmp_path / "gone.img", CHECKS, verdict)
    assert [f.ok for f in findings] == [False] and "is gone" in findings[0].detail
    apply_findings(verdict, findings)
    assert verdict.outcome is Outcome.TEST_FAILURE


def test_a_test_that_did_not_pass_in_the_guest_is_not_checked_and_keeps_its_outcome(tmp_path):
    crashed = TestResult("harnesstest:scratch", TestStatus.CRASHED, "began, never finished")
    verdict = BootVerdict(Outcome.CRASH, "missing results: harnesstest:scratch", tests=[crashed])
    assert run_host_checks(tmp_path / "gone.img", CHECKS, verdict) == []
    assert verdict.outcome is Outcome.CRASH


def test_findings_are_saved_and_read_back(tmp_path):
    findings = [HostFinding("a:b", "scratch-roundtrip", False, "why")]
    save_findings(tmp_path, findings)
    assert [HostFinding(**item) for item in json.loads((tmp_path / "host-checks.json").read_text())] == findings
    assert json.loads((tmp_path / "host-checks.json").read_text())[0]["ok"] is False


# -- scenarios, boots, QEMU ------------------------------------------------------------------

def test_the_scratch_scenarios_declare_their_disk_and_check():
    good, control = SCENARIOS["selftest-scratch"], SCENARIOS["selftest-scratch-wrong"]
    assert good.scratch_disk and good.own_boot and not good.by_name_only
    assert dict(good.host_checks) == {"harnesstest:scratch": ("scratch-roundtrip",),
                                      "harnesstest:scratchhive": ("scratch-hive",)}
    assert control.negative and control.expect == "test-failure" and control.scratch_disk


@pytest.mark.parametrize("fields, message", [
    (dict(scratch_disk=True), "a boot of its own"),
    (dict(own_boot=True, host_checks=(("m:t", ("scratch-roundtrip",)),)), "no scratch disk"),
    (dict(own_boot=True, scratch_disk=True, host_checks=(("m:other", ("scratch-roundtrip",)),)), "does not run"),
    (dict(own_boot=True, scratch_disk=True, host_checks=(("m:t", ("nosuch",)),)), "unknown host check"),
])
def test_a_scenario_with_an_inconsistent_scratch_declaration_is_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        _check_scratch(Scenario(name="s", description="d", tests=("m:t",), **fields))


def test_qemu_gets_the_scratch_disk_raw_and_writable_beside_the_cd(tmp_path):
    image = tmp_path / "scratch.img"
    command = Machine(MachineConfig(cdrom=tmp_path / "cd.iso", scratch_disk=image), tmp_path).build_command(3, 4)
    drives = [command[i + 1] for i, arg in enumerate(command) if arg == "-drive"]
    assert f"file={image},if=ide,index=1,media=disk,format=raw" in drives
    assert not any("snapshot=on" in d for d in drives if d.startswith(f"file={image},"))
    # a blank first disk, so that the LiveCD's boot sector finds no MBR to boot instead of the CD
    assert f"file={tmp_path / 'blank-first-disk.img'},if=ide,index=0,media=disk,format=raw,snapshot=on" in drives


@pytest.mark.scratch
def test_each_boot_gets_a_new_disk_with_a_token_of_its_own(tmp_path):
    options = BootOptions(iso=tmp_path / "cd.iso", tests=["harnesstest:scratch"], run_dir=tmp_path / "boot",
                          scratch_disk=True)
    first = ScratchDisk(_new_scratch_disk(tmp_path / "boot", options)).read_file(SEED_FILE)
    second = ScratchDisk(_new_scratch_disk(tmp_path / "boot", options)).read_file(SEED_FILE)
    assert len(first) == 16 and int(first, 16) >= 0 and first != second
    assert _new_scratch_disk(tmp_path / "b2", BootOptions(iso=tmp_path / "cd.iso", tests=[], run_dir=tmp_path)) is None


@pytest.mark.scratch
def test_parse_runs_the_host_checks_again_on_the_kept_disk(tmp_path):
    """A saved boot whose guest said it passed is failed offline too when its disk disagrees."""
    boot = tmp_path / "boot1-selftest-scratch"
    boot.mkdir()
    (boot / "console.log").write_text(
        "[HARNESS] start version=2 uptime_ms=7437 tests=1 plan=com1\n"
        "[HARNESS] plan harnesstest:scratch\n"
        "Running Wine Test, Module: harnesstest, Test: scratch\n"
        "scratch.c:125: scratch: seed=0123abcd letter=C bytes=13\n"
        "scratch: 8 tests executed (0 marked as todo, 0 failures), 0 skipped.\n"
        "[HARNESS] exit harnesstest:scratch status=0x00000000\n"
        "Test scratch completed in 0.04 seconds.\n"
        "[HARNESS] done tests=1 uptime_ms=8067\n")
    SessionRecord(["harnesstest:scratch"], "runner-done",
                  host_checks={"harnesstest:scratch": ["scratch-roundtrip"]}).save(boot)
    verdict, _ = rejudge_saved(boot / "console.log")
    assert verdict.outcome is Outcome.TEST_FAILURE and "is gone" in verdict.tests[0].reason
    disk = create_scratch_disk(boot / "scratch.img")
    disk.write_file(SEED_FILE, b"0123abcd")
    disk.write_file(ECHO_FILE, b"echo 0123abcd")
    verdict, _ = rejudge_saved(boot / "console.log")
    assert verdict.outcome is Outcome.PASS, verdict.summary


@pytest.mark.scratch
def test_a_file_that_cannot_be_read_does_not_stop_the_others_from_being_copied(disk, tmp_path, monkeypatch):
    """What a real boot left: a directory entry whose FAT chain never reached the image."""
    disk.write_file(SEED_FILE, b"token")
    disk.write_file("GUEST/SCRATCH.HIV", b"hive")
    disk.write_file("GUEST/ECHO.TXT", b"echo token")
    real_read = ScratchDisk.read_file

    def broken_hive(self, path):
        if path.upper().endswith("SCRATCH.HIV"):
            raise ScratchDiskError(f"reading {path}: mtype exited 1: Fat problem while decoding 6 0")
        return real_read(self, path)

    monkeypatch.setattr(ScratchDisk, "read_file", broken_hive)
    with pytest.raises(ScratchDiskError, match=r"2 file\(s\) copied; unreadable: GUEST/SCRATCH.HIV \(Fat problem"):
        disk.extract(tmp_path / "out")
    assert (tmp_path / "out" / "SEED.TXT").read_bytes() == b"token"
    assert (tmp_path / "out" / "GUEST" / "ECHO.TXT").read_bytes() == b"echo token"
