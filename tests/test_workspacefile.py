"""silo.exe's workspace files read on the host, and the host check of a workspace session's disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.hostcheck import WORKSPACE_KEPT, WORKSPACE_STORE, apply_findings, run_host_checks
from harness.scratch import ScratchDisk, create_scratch_disk
from harness.verdict import BootVerdict, Outcome, TestResult, TestStatus
from harness.workspacefile import Workspace, WorkspaceFileError, parse_workspace

# As silo.exe writes it (workspace.c, WriteWorkspaceFile)
WORK = (b"; ReactOS silo workspace\r\nformat=2\r\nname=work\r\nregistry=host-readwrite\r\nnetwork=on\r\n"
        b"processes=4\r\nmemory-mb=64\r\ncpu-percent=50\r\ndevices=\\Device\\CdRom0\r\n")
# A file of the first format, written before devices could be lent
WORK_FORMAT_1 = (b"; ReactOS silo workspace\r\nformat=1\r\nname=work\r\nregistry=host-readwrite\r\nnetwork=on\r\n"
                 b"processes=4\r\nmemory-mb=64\r\ncpu-percent=50\r\n")


def test_a_file_as_silo_exe_writes_it_parses():
    assert parse_workspace(WORK) == Workspace("work", "host-readwrite", "on", 4, 64, 50, "\\Device\\CdRom0")


def test_a_first_format_file_loads_with_no_devices_lent():
    assert parse_workspace(WORK_FORMAT_1) == Workspace("work", "host-readwrite", "on", 4, 64, 50, "")


@pytest.mark.parametrize("change, complaint", [
    ((b"format=2", b"format=3"), "format"),
    ((b"format=2", b"format=1"), "devices= in a format 1"),
    ((b"devices=\\Device\\CdRom0\r\n", b""), "missing devices"),
    ((b"devices=\\Device\\CdRom0", b"devices=" + b"x" * 113), "longer than 112"),
    ((b"name=work", b"name=wo rk"), "no workspace name"),
    ((b"registry=host-readwrite", b"registry=mine"), "registry"),
    ((b"network=on", b"network=maybe"), "network"),
    ((b"processes=4", b"processes=1001"), "processes"),
    ((b"memory-mb=64", b"memory-mb=-1"), "memory-mb"),
    ((b"cpu-percent=50", b"cpu-percent=101"), "cpu-percent"),
    ((b"cpu-percent=50\r\n", b""), "missing cpu-percent"),
    ((b"network=on\r\n", b"network=on\r\nnetwork=off\r\n"), "twice"),
    ((b"network=on\r\n", b"network=on\r\ncolour=blue\r\n"), "key=value"),
    ((b"name=work", b"name=w\xc3\xb6rk"), "ASCII"),
])
def test_a_file_silo_exe_would_not_load_is_refused_with_the_reason(change, complaint):
    old, new = change
    with pytest.raises(WorkspaceFileError, match=complaint):
        parse_workspace(WORK.replace(old, new))


def _session(passed: bool = True) -> BootVerdict:
    status = TestStatus.PASSED if passed else TestStatus.FAILED
    return BootVerdict(Outcome.PASS if passed else Outcome.TEST_FAILURE, "",
                       tests=[TestResult("silotest:workspace", status, "")])


CHECKS = {"silotest:workspace": ("workspace-files",)}


@pytest.fixture
def disk(tmp_path: Path) -> ScratchDisk:
    return create_scratch_disk(tmp_path / "scratch.img")


@pytest.mark.scratch
def test_the_kept_workspace_alone_in_the_store_holds(disk):
    disk.write_file(f"{WORKSPACE_STORE}/WORK.SILO", WORK)
    verdict = _session()
    findings = run_host_checks(disk.image, CHECKS, verdict)
    assert [f.ok for f in findings] == [True], findings
    apply_findings(verdict, findings)
    assert verdict.outcome is Outcome.PASS


@pytest.mark.scratch
@pytest.mark.parametrize("files, complaint", [
    ({}, "is not on the disk"),
    ({"WORK.SILO": WORK.replace(b"processes=4", b"processes=5")}, "not Workspace"),
    ({"WORK.SILO": WORK.replace(b"format=2", b"format=9")}, "would not load"),
    ({"WORK.SILO": WORK.replace(b"CdRom0", b"CdRom1")}, "not Workspace"),
    ({"WORK.SILO": WORK, "PLAY.SILO": WORK.replace(b"work", b"play")}, "PLAY.SILO"),
    ({"WORK.SILO": WORK, "W1.SIL~1": b"half"}, "more than work"),
])
def test_a_store_that_differs_from_the_session_fails_the_test(disk, files, complaint):
    for name, data in files.items():
        disk.write_file(f"{WORKSPACE_STORE}/{name}", data)
    verdict = _session()
    findings = run_host_checks(disk.image, CHECKS, verdict)
    assert len(findings) == 1 and not findings[0].ok and complaint in findings[0].detail, findings
    apply_findings(verdict, findings)
    assert verdict.outcome is Outcome.TEST_FAILURE
    assert verdict.tests[0].status is TestStatus.FAILED


def test_the_kept_workspace_is_what_the_guest_test_creates():
    source = (Path(__file__).parents[1] / "reactos-patches/modules/harness/silotest/workspace.c").read_text()
    assert f"#define WS_WORK_PROGRAMS        {WORKSPACE_KEPT.processes}" in source
    assert f"#define WS_WORK_MEMORY_MB       {WORKSPACE_KEPT.memory_mb}" in source
    assert f"#define WS_WORK_CPU_PERCENT     {WORKSPACE_KEPT.cpu_percent}" in source
    assert f'L"create {WORKSPACE_KEPT.name} /registry:{WORKSPACE_KEPT.registry} ' in source
    assert f'#define WS_STORE_FOLDER         L"{WORKSPACE_STORE}"' in source
