"""Boot once, run many: a LiveCD's machine state at the moment its runner asks for a plan.

The harness boots the user's LiveCD (a copy whose ``freeldr.ini`` asks the runner for its plan over
COM1), waits for the runner's question, and saves the whole machine (RAM and devices, QEMU's
migration stream) beside that copy in a cache directory of its own. Every later boot of the same
ISO and machine shape loads that state and answers the question with its own plan: a machine
nobody else touched, without the 10-15 s of firmware, loader, kernel and user-mode start.

Why a migration stream and not an internal qcow2 snapshot: parallel boots must load the same
state at once, and QEMU opens a qcow2 that holds internal snapshots read-write and locked; a
stream file is only read (``-incoming exec:cat FILE``). The user's ISO is only ever read.

A snapshot is trusted only while everything it was taken from is unchanged: the ISO's bytes
(SHA-256), the QEMU binary and version, the machine shape (accelerator, memory, CPUs, boot
options) and this module's format. Anything else is rebuilt, and the run says why. An image
whose runner never asks (built before plan protocol 2) is remembered as unusable, and its boots
take the plan in the boot options as before.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Tuple

from .iso import BootRequest, IsoError, prepare_iso
from .monitor import ConsoleSession, Limits, Monitor
from .plan import PLAN_BOOT_OPTION
from .verdict import EndReason
from .vm import KVM_PROBE_BANNER_S, Machine, MachineConfig, VMError, find_qemu

# Bump when what a snapshot holds, or how a boot is started from it, changes
SNAPSHOT_FORMAT = 1
MANIFEST = "manifest.json"
STATE_FILE = "machine.state"
ISO_FILE = "livecd.iso"
HASH_CHUNK = 1 << 20
# A cold boot reaches the runner's question in 10-15 s under TCG; an image whose runner never asks
# goes silent once user mode is up
READY_LIMITS = Limits(deadline_s=240.0, inactivity_s=45.0)
# KDBG flushes COM1's input right after printing "kdb:> ": save the state once it is reading
READY_SETTLE_S = 0.3
KEEP_SLOTS = 6          # snapshots of other ISOs kept in the cache (oldest removed first)


class SnapshotError(Exception):
    """A snapshot could not be made (the reason says why; the boots then start cold)."""


@dataclass(frozen=True)
class MachineShape:
    """What a boot looks like to QEMU and the loader; part of a snapshot's identity."""

    accel: str
    memory_mb: int
    cpus: int
    qemu: str
    boot_options: str


@dataclass(frozen=True)
class SnapshotIdentity:
    """Everything a snapshot was taken from."""

    format: int
    iso_sha256: str
    iso_size: int
    qemu_path: str
    qemu_version: str
    qemu_build: str          # the binary's size and mtime: a rebuilt QEMU of the same version
    accel: str
    memory_mb: int
    cpus: int
    boot_options: str

    def differences(self, other: "SnapshotIdentity") -> List[str]:
        """What changed from ``other`` (the saved identity) to this one, in words."""
        labels = {"format": "the harness's snapshot format", "iso_sha256": "the ISO's contents",
                  "iso_size": "the ISO's size", "qemu_path": "the QEMU binary", "qemu_version": "QEMU's version",
                  "qemu_build": "the QEMU binary's build", "accel": "the accelerator",
                  "memory_mb": "the guest memory", "cpus": "the guest CPUs", "boot_options": "the boot options"}
        mine, theirs = asdict(self), asdict(other)
        return [f"{labels[key]} ({theirs[key]} -> {mine[key]})" for key in labels if mine[key] != theirs[key]]


@dataclass
class Snapshot:
    directory: Path
    identity: SnapshotIdentity
    ready_s: float           # the cold boot's QEMU start -> the runner's question
    state_bytes: int
    state_sha256: str
    created: str

    @property
    def iso(self) -> Path:
        return self.directory / ISO_FILE

    @property
    def state(self) -> Path:
        return self.directory / STATE_FILE


@dataclass
class SnapshotResult:
    """What ``ensure`` did, for the run's output and report."""

    snapshot: Optional[Snapshot]
    action: str              # reused | created | unusable | disabled
    detail: str
    seconds: float


def cache_root() -> Path:
    """The harness's own cache: snapshots, and earlier runs' boot times."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "reactos-silo-harness"


def default_cache_dir() -> Path:
    return cache_root() / "snapshots"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def qemu_identity(binary: str) -> Tuple[str, str, str]:
    """(resolved path, first line of --version, size-mtime) of the QEMU binary; raises VMError."""
    path = os.path.realpath(find_qemu(binary))
    try:
        output = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise VMError(f"{path} --version failed: {error}") from error
    stat = os.stat(path)
    return path, (output.splitlines() or [""])[0].strip(), f"{stat.st_size}-{stat.st_mtime_ns}"


def snapshot_request() -> BootRequest:
    """The boot entry a snapshotted LiveCD starts with: no tests, the plan asked for over COM1."""
    return BootRequest(tests=(), extra_options=(PLAN_BOOT_OPTION,))


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock across threads and harness processes (flock on a file of its own)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class SnapshotStore:
    """A cache directory of snapshots, one slot per ISO contents and requested machine shape."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def slot(self, iso_sha256: str, shape: MachineShape) -> Path:
        key = hashlib.sha256(json.dumps([iso_sha256, asdict(shape)], sort_keys=True).encode()).hexdigest()
        return self.root / key[:20]

    def identity(self, iso: Path, iso_sha256: str, shape: MachineShape, accel: str) -> SnapshotIdentity:
        qemu_path, version, build = qemu_identity(shape.qemu)
        return SnapshotIdentity(SNAPSHOT_FORMAT, iso_sha256, Path(iso).stat().st_size, qemu_path, version, build,
                                accel, shape.memory_mb, shape.cpus, shape.boot_options)

    def load(self, slot: Path) -> Optional[Snapshot]:
        try:
            data = json.loads((slot / MANIFEST).read_text())
            return Snapshot(slot, SnapshotIdentity(**data["identity"]), data["ready_s"], data["state_bytes"],
                            data["state_sha256"], data["created"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _recorded_unusable(self, slot: Path, iso: Path, iso_sha256: str, shape: MachineShape,
                           accels: List[str]) -> Optional[str]:
        """Why this image was found unusable before, if it was and nothing it was tried with changed."""
        try:
            data = json.loads((slot / MANIFEST).read_text())
            reason, recorded = data["unusable"], SnapshotIdentity(**data["identity"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return None if self.identity(iso, iso_sha256, shape, recorded.accel).differences(recorded) else reason

    def ensure(self, iso: Path, shape: MachineShape, accels: List[str],
               status: Callable[[str], None] = lambda _msg: None,
               ready_limits: Limits = READY_LIMITS) -> SnapshotResult:
        """A trusted snapshot of ``iso`` for ``shape``: the saved one if nothing it was taken from
        changed, else a new one. Never raises: a snapshot that cannot be had says why."""
        started = time.monotonic()
        try:
            iso_sha256 = file_sha256(iso)
            slot = self.slot(iso_sha256, shape)
            with _locked(slot.with_suffix(".lock")):
                return self._ensure_locked(iso, iso_sha256, slot, shape, accels, status, started, ready_limits)
        except (OSError, VMError, IsoError, SnapshotError) as error:
            return SnapshotResult(None, "unusable", str(error), time.monotonic() - started)

    def _ensure_locked(self, iso: Path, iso_sha256: str, slot: Path, shape: MachineShape, accels: List[str],
                       status: Callable[[str], None], started: float, ready_limits: Limits) -> SnapshotResult:
        saved = self.load(slot)
        if saved is not None:
            wanted = self.identity(iso, iso_sha256, shape, saved.identity.accel)
            changed = wanted.differences(saved.identity)
            if not changed and saved.identity.accel in accels and self._state_intact(saved):
                return SnapshotResult(saved, "reused", f"taken {saved.created}", time.monotonic() - started)
            reason = ("changed: " + "; ".join(changed)) if changed else (
                "its accelerator is not available now" if saved.identity.accel not in accels
                else "its state file does not match its checksum")
            status(f"snapshot in {slot} is stale ({reason}); rebuilding")
        else:
            unusable = self._recorded_unusable(slot, iso, iso_sha256, shape, accels)
            if unusable is not None:
                return SnapshotResult(None, "unusable", f"recorded earlier: {unusable}", time.monotonic() - started)
            older = self._older_contents(iso, iso_sha256)
            if older is not None:
                status(f"snapshot: {iso} changed since its snapshot of {older} (different SHA-256); not using that one")
        shutil.rmtree(slot, ignore_errors=True)
        self._prune(keep=slot)
        status(f"snapshot: booting {iso.name} once to the runner's plan question")
        try:
            snapshot = self._create(iso, iso_sha256, slot, shape, accels, ready_limits)
        except SnapshotError as error:
            self._record_unusable(iso, iso_sha256, slot, shape, accels[-1], str(error))
            return SnapshotResult(None, "unusable", str(error), time.monotonic() - started)
        return SnapshotResult(snapshot, "created", f"runner ready {snapshot.ready_s:.1f} s after QEMU start, "
                              f"{snapshot.state_bytes / 1e6:.0f} MB state", time.monotonic() - started)

    def _state_intact(self, snapshot: Snapshot) -> bool:
        try:
            return (snapshot.iso.is_file() and snapshot.state.stat().st_size == snapshot.state_bytes
                    and file_sha256(snapshot.state) == snapshot.state_sha256)
        except OSError:
            return False

    def _older_contents(self, iso: Path, iso_sha256: str) -> Optional[str]:
        """When another slot was taken from the same ISO path with other contents: when."""
        source = str(Path(iso).resolve())
        for manifest in self.root.glob(f"*/{MANIFEST}") if self.root.is_dir() else []:
            try:
                data = json.loads(manifest.read_text())
                if data.get("source_iso") == source and data["identity"]["iso_sha256"] != iso_sha256:
                    return data.get("created", "an earlier run")
            except (OSError, ValueError, KeyError, TypeError):
                continue
        return None

    def _create(self, iso: Path, iso_sha256: str, slot: Path, shape: MachineShape, accels: List[str],
                ready_limits: Limits) -> Snapshot:
        slot.mkdir(parents=True, exist_ok=True)
        prepared = prepare_iso(iso, slot / ISO_FILE, snapshot_request())
        failures: List[str] = []
        for index, accel in enumerate(accels):
            work = slot / f"boot-{accel}"
            config = MachineConfig(cdrom=prepared, accel=accel, memory_mb=shape.memory_mb, cpus=shape.cpus,
                                   qemu=shape.qemu)
            session = ConsoleSession(stop_at_ready=True)
            limits = ready_limits
            if index + 1 < len(accels):
                # As a cold boot's KVM probe: no kernel banner by then means the loader faulted; try the next
                limits = Limits(ready_limits.deadline_s, ready_limits.inactivity_s, probe_banner_s=KVM_PROBE_BANNER_S)
            try:
                with Machine(config, work) as machine:
                    transcript = Monitor(machine, limits, session=session).run()
                    if transcript.end is not EndReason.RUNNER_READY:
                        failures.append(f"{accel}: the runner never asked for its plan ({transcript.end.value}"
                                        f"{': ' + transcript.end_detail if transcript.end_detail else ''}; "
                                        "an image built before plan protocol 2?)")
                        continue
                    time.sleep(READY_SETTLE_S)
                    partial = slot / (STATE_FILE + ".partial")
                    state_bytes = machine.save_state(partial)
            except VMError as error:
                failures.append(f"{accel}: {error}")
                continue
            partial.rename(slot / STATE_FILE)
            identity = self.identity(iso, iso_sha256, shape, accel)
            snapshot = Snapshot(slot, identity, round(transcript.ready_s or 0.0, 2), state_bytes,
                                file_sha256(slot / STATE_FILE), time.strftime("%Y-%m-%dT%H:%M:%S%z"))
            self._write_manifest(slot, {"identity": asdict(identity), "ready_s": snapshot.ready_s,
                                        "state_bytes": state_bytes, "state_sha256": snapshot.state_sha256,
                                        "created": snapshot.created, "source_iso": str(Path(iso).resolve())})
            return snapshot
        raise SnapshotError("; ".join(failures) or "no accelerator to try")

    def _record_unusable(self, iso: Path, iso_sha256: str, slot: Path, shape: MachineShape, accel: str,
                         reason: str) -> None:
        """Remembers that this image cannot be snapshotted (its boots then start cold at once)."""
        try:
            identity = self.identity(iso, iso_sha256, shape, accel)
            for entry in slot.glob("*.iso*"):
                entry.unlink()
            self._write_manifest(slot, {"identity": asdict(identity), "unusable": reason,
                                        "source_iso": str(Path(iso).resolve())})
        except (OSError, VMError):
            pass

    @staticmethod
    def _write_manifest(slot: Path, data: dict) -> None:
        partial = slot / (MANIFEST + ".partial")
        partial.write_text(json.dumps(data, indent=2) + "\n")
        partial.rename(slot / MANIFEST)

    def _prune(self, keep: Path) -> None:
        """Keeps the KEEP_SLOTS most recently used slots besides ``keep`` (a nightly ISO a day)."""
        if not self.root.is_dir():
            return
        slots = sorted((entry for entry in self.root.iterdir() if entry.is_dir() and entry != keep),
                       key=lambda entry: entry.stat().st_mtime, reverse=True)
        for old in slots[KEEP_SLOTS:]:
            shutil.rmtree(old, ignore_errors=True)
            old.with_suffix(".lock").unlink(missing_ok=True)


def shape_for(accel: str, memory_mb: int, qemu: str, cpus: int = 1) -> MachineShape:
    return MachineShape(accel, memory_mb, cpus, qemu, " ".join(snapshot_request().options()))

