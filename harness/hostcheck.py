"""Host-side checks of what a boot left on its scratch disk, judged after the guest's own verdict.

A guest test can claim anything on COM1; a host check reads the disk the guest wrote and decides
whether the claim holds. A check runs only on a test that passed in the guest, and a check that
fails (or cannot run: the image is gone, a file is missing) makes that test fail, so a boot passes
only with the host's proof. ``harness parse`` runs the same checks again on the kept image.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Sequence, Tuple

from .hive import REG_BINARY, REG_DWORD, REG_MULTI_SZ, REG_SZ, HiveError, describe, parse_hive
from .scratch import SEED_FILE, ScratchDisk, ScratchDiskError
from .verdict import BootVerdict, Outcome, TestResult, TestStatus
from .workspacefile import Workspace, WorkspaceFileError, parse_workspace

SCRATCH_IMAGE = "scratch.img"          # in the boot's directory, kept after the boot
SCRATCH_FILES = "scratch"              # the disk's files, copied out for people to read
FINDINGS_FILE = "host-checks.json"
ECHO_FILE = "GUEST/ECHO.TXT"
# What harnesstest:scratchhive saves (modules/harness/harnesstest/scratch.c, SCRATCH_HIVE_*)
HIVE_FILE = "GUEST/SCRATCH.HIV"
HIVE_SUBKEY = "Sub"
HIVE_COUNT = 0x12345678
HIVE_BLOB = bytes((i * 7) & 0xFF for i in range(300))
HIVE_MULTI = ["one", "two"]
# What silotest:workspace leaves (modules/harness/silotest/workspace.c, WS_*): work defined, play removed
WORKSPACE_STORE = "WORKSPACES"
# work is lent the system volume, which is the LiveCD's CD-ROM under QEMU's -cdrom
WORKSPACE_KEPT = Workspace("work", "host-readwrite", "on", 4, 64, 50, "\\Device\\CdRom0")


@dataclass(frozen=True)
class HostFinding:
    test: str
    check: str
    ok: bool
    detail: str


# A check: the disk and the guest test's result -> (holds, what was seen)
HostCheck = Callable[[ScratchDisk, TestResult], Tuple[bool, str]]


def check_scratch_roundtrip(disk: ScratchDisk, test: TestResult) -> Tuple[bool, str]:
    """The guest read the token the host wrote before the boot, and wrote it back in a file."""
    seed = disk.read_file(SEED_FILE).decode("ascii", errors="replace").strip()
    said = test.metrics.get("scratch", {}).get("seed")
    if said != seed:
        return False, f"the guest reported seed={said!r}; the host wrote {seed!r} in {SEED_FILE}"
    expected = b"echo " + seed.encode("ascii")
    try:
        echoed = disk.read_file(ECHO_FILE)
    except ScratchDiskError:
        names = ", ".join(entry.path for entry in disk.list_files()) or "nothing"
        return False, f"{ECHO_FILE} is not on the disk after the boot (the disk holds: {names})"
    if echoed != expected:
        return False, f"{ECHO_FILE} holds {echoed[:80]!r}, not {expected!r}"
    return True, f"the guest read the host's token {seed} and {ECHO_FILE} holds it"


def check_scratch_hive(disk: ScratchDisk, test: TestResult) -> Tuple[bool, str]:
    """The hive the guest saved parses on the host and holds the key and values it set."""
    seed = disk.read_file(SEED_FILE).decode("ascii", errors="replace").strip()
    try:
        root = parse_hive(disk.read_file(HIVE_FILE))
    except ScratchDiskError:
        return False, f"{HIVE_FILE} is not on the disk after the boot"
    except HiveError as error:
        return False, f"{HIVE_FILE} does not parse as a hive: {error}"
    sub = root.key(HIVE_SUBKEY)
    if sub is None:
        return False, f"{HIVE_FILE} has no key {HIVE_SUBKEY}: " + "; ".join(describe(root))[:300]
    expected = {"Token": (REG_SZ, seed), "Count": (REG_DWORD, HIVE_COUNT), "Blob": (REG_BINARY, HIVE_BLOB),
                "Multi": (REG_MULTI_SZ, HIVE_MULTI)}
    wrong = []
    for name, (value_type, data) in expected.items():
        value = sub.value(name)
        if value is None:
            wrong.append(f"{name} missing")
        elif value.type != value_type or value.data != data:
            wrong.append(f"{name} is {value.data!r} (type {value.type})")
    if wrong:
        return False, f"{HIVE_FILE}\\{HIVE_SUBKEY}: " + ", ".join(wrong)
    return True, f"{HIVE_FILE} parses; {HIVE_SUBKEY} holds the token {seed} and the other {len(expected) - 1} values"


def check_workspace_files(disk: ScratchDisk, test: TestResult) -> Tuple[bool, str]:
    """The workspace the session kept is on the disk as silo.exe would load it again; the removed one
    and the refused creates left no file, and no write was left half done (``*.new``)."""
    names = [entry.path for entry in disk.list_files() if entry.path.upper().startswith(WORKSPACE_STORE + "/")]
    kept = f"{WORKSPACE_STORE}/{WORKSPACE_KEPT.name}.silo".upper()
    if kept not in (name.upper() for name in names):
        return False, f"{kept} is not on the disk after the boot (the store holds: {', '.join(names) or 'nothing'})"
    path = next(name for name in names if name.upper() == kept)
    try:
        workspace = parse_workspace(disk.read_file(path))
    except WorkspaceFileError as error:
        return False, f"{path} would not load: {error}"
    if workspace != WORKSPACE_KEPT:
        return False, f"{path} holds {workspace}, not {WORKSPACE_KEPT}"
    left = [name for name in names if name.upper() != kept]
    if left:
        return False, f"the store holds more than {WORKSPACE_KEPT.name}'s file: {', '.join(left)}"
    return True, f"{path} holds {WORKSPACE_KEPT.name}'s definition and nothing else is in {WORKSPACE_STORE}"


CHECKS: Dict[str, HostCheck] = {
    "scratch-roundtrip": check_scratch_roundtrip,
    "scratch-hive": check_scratch_hive,
    "workspace-files": check_workspace_files,
}


def run_host_checks(image: Path, checks: Mapping[str, Sequence[str]], verdict: BootVerdict) -> List[HostFinding]:
    """Runs each test's checks against ``image``; a test that did not pass in the guest is not checked."""
    findings: List[HostFinding] = []
    by_name = {test.name: test for test in verdict.tests}
    for test_name, names in checks.items():
        test = by_name.get(test_name)
        if test is None or test.status is not TestStatus.PASSED:
            continue
        for name in names:
            check = CHECKS.get(name)
            if check is None:
                findings.append(HostFinding(test_name, name, False, f"no host check is called {name!r}"))
                continue
            if not Path(image).is_file():
                findings.append(HostFinding(test_name, name, False, f"the scratch disk {image} is gone"))
                continue
            try:
                holds, detail = check(ScratchDisk(Path(image)), test)
            except (ScratchDiskError, OSError) as error:
                holds, detail = False, f"could not read the scratch disk: {error}"
            findings.append(HostFinding(test_name, name, holds, detail))
    return findings


def apply_findings(verdict: BootVerdict, findings: Sequence[HostFinding]) -> None:
    """A failed finding fails its test; a boot that passed becomes a test failure."""
    failed = [f for f in findings if not f.ok]
    if not failed:
        return
    for test in verdict.tests:
        mine = [f for f in failed if f.test == test.name]
        if mine and test.status is TestStatus.PASSED:
            test.status = TestStatus.FAILED
            test.reason = "host check failed: " + "; ".join(f"{f.check}: {f.detail}" for f in mine)
    if verdict.outcome is Outcome.PASS:
        bad = [t for t in verdict.tests if t.status is not TestStatus.PASSED]
        verdict.outcome = Outcome.TEST_FAILURE
        verdict.summary = f"{len(bad)} of {len(verdict.tests)} test(s) did not pass: " + ", ".join(
            f"{t.name} {t.status.value} (host check)" for t in bad)


def save_findings(run_dir: Path, findings: Sequence[HostFinding]) -> Path:
    path = Path(run_dir) / FINDINGS_FILE
    path.write_text(json.dumps([asdict(f) for f in findings], indent=2) + "\n")
    return path

