"""A scratch hard disk for a boot: made and read on the host, written by the guest.

The LiveCD has no writable disk. A scenario that needs one (a test that leaves files for the host
to check, hive files of a persistent silo) gets a raw image made here: an MBR with one FAT32 (LBA)
partition, formatted by ``mkfs.fat`` (Debian's dosfstools) and read and written with mtools, so no
ReactOS tool is involved. The guest finds the volume by its label, not by a drive letter.
"""

from __future__ import annotations

import os
import secrets
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence

SCRATCH_LABEL = "HARNESSDISK"     # the guest looks for this volume label (11 characters at most)
SECTOR_BYTES = 512
PARTITION_START_SECTOR = 2048     # 1 MiB, where partitioning tools put the first partition
MBR_TABLE_OFFSET = 446
MBR_DISK_SIGNATURE_OFFSET = 440   # mount managers key drive letters on it: never leave it zero
MBR_BOOT_SIGNATURE = b"\x55\xaa"
PARTITION_TYPE_FAT32_LBA = 0x0C
CHS_UNUSED = b"\xfe\xff\xff"      # "use the LBA fields"
DEFAULT_SIZE_MB = 64              # FAT32 needs 65,525 clusters: 64 MB with one-sector clusters
MIN_SIZE_MB = 40
MAX_SIZE_MB = 4096
TOOL_TIMEOUT_S = 60.0
SEED_FILE = "SEED.TXT"            # a per-boot token the host writes before the boot


class ScratchDiskError(Exception):
    """The image could not be made or read (a missing tool, a bad size, a path not on the disk)."""


@dataclass(frozen=True)
class ScratchEntry:
    path: str          # slash-separated, from the volume's root, as mtools spells it
    size: int


def _tool(name: str) -> str:
    path = shutil.which(name) or next((p for p in (f"/usr/sbin/{name}", f"/sbin/{name}") if os.access(p, os.X_OK)),
                                      None)
    if path is None:
        raise ScratchDiskError(f"{name} was not found; install dosfstools and mtools "
                               "(Debian/Ubuntu: apt-get install dosfstools mtools; setup.sh does)")
    return path


def _run(command: Sequence[str], what: str, stdin: bytes = b"") -> bytes:
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1", MTOOLS_NO_VFAT="0")
    try:
        done = subprocess.run(list(command), input=stdin, capture_output=True, timeout=TOOL_TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired as error:
        raise ScratchDiskError(f"{what}: {command[0]} did not finish in {TOOL_TIMEOUT_S:.0f} s") from error
    if done.returncode != 0:
        said = (done.stderr or done.stdout).decode(errors="replace").strip()
        raise ScratchDiskError(f"{what}: {Path(command[0]).name} exited {done.returncode}: {said or '(nothing)'}")
    return done.stdout


def _mbr(total_sectors: int, signature: int) -> bytes:
    sectors = total_sectors - PARTITION_START_SECTOR
    entry = (b"\x00" + CHS_UNUSED + bytes([PARTITION_TYPE_FAT32_LBA]) + CHS_UNUSED
             + struct.pack("<II", PARTITION_START_SECTOR, sectors))
    mbr = bytearray(SECTOR_BYTES)
    mbr[MBR_DISK_SIGNATURE_OFFSET:MBR_DISK_SIGNATURE_OFFSET + 4] = struct.pack("<I", signature)
    mbr[MBR_TABLE_OFFSET:MBR_TABLE_OFFSET + len(entry)] = entry
    mbr[510:512] = MBR_BOOT_SIGNATURE
    return bytes(mbr)


def _guest_path(path: str) -> str:
    """``dir/file`` or ``dir\\file`` as mtools names it on the disk; refuses what leaves the volume."""
    parts = [part for part in path.replace("\\", "/").split("/") if part]
    if not parts or any(part in (".", "..") or ":" in part for part in parts):
        raise ScratchDiskError(f"not a path on the scratch disk: {path!r}")
    return "::/" + "/".join(parts)


@dataclass(frozen=True)
class ScratchDisk:
    image: Path

    @property
    def _volume(self) -> str:
        return f"{self.image}@@{PARTITION_START_SECTOR * SECTOR_BYTES}"

    def write_file(self, path: str, data: bytes) -> None:
        target = _guest_path(path)
        folders = target[3:].split("/")[:-1]
        for depth in range(1, len(folders) + 1):
            folder = "::/" + "/".join(folders[:depth])
            if not self.exists(folder[3:]):
                _run([_tool("mmd"), "-i", self._volume, folder], f"making {folder} on {self.image}")
        _run([_tool("mcopy"), "-o", "-i", self._volume, "-", target], f"writing {path} to {self.image}", stdin=data)

    def read_file(self, path: str) -> bytes:
        return _run([_tool("mtype"), "-i", self._volume, _guest_path(path)], f"reading {path} from {self.image}")

    def exists(self, path: str) -> bool:
        wanted = _guest_path(path)[3:].upper()
        return any(found.upper() == wanted or found.upper().startswith(wanted + "/") for found in self._paths())

    def _paths(self) -> List[str]:
        """The path of every file on the volume (folders are implied by their files' paths)."""
        try:
            listing = _run([_tool("mdir"), "-/", "-b", "-a", "-i", self._volume, "::/"], f"listing {self.image}")
        except ScratchDiskError:
            # mdir's bare listing of an empty root fails; its long listing says "No files"
            summary = _run([_tool("mdir"), "-a", "-i", self._volume, "::/"], f"listing {self.image}")
            if b"No files" in summary:
                return []
            raise
        names = [line.strip() for line in listing.decode(errors="replace").splitlines()]
        return [name[3:] for name in names if name.startswith("::/") and not name.endswith("/")]

    def list_files(self) -> List[ScratchEntry]:
        """Every file on the volume with its size (each file is read: mtools has no bare listing
        with sizes)."""
        return [ScratchEntry(path, len(self.read_file(path))) for path in self._paths()]

    def extract(self, destination: Path) -> List[Path]:
        """Copies every file of the volume under ``destination`` (the run directory keeps them), each
        read once; one that cannot be read (a broken FAT chain) does not stop the others, and the
        error names them all after the rest are copied."""
        written, unreadable = [], []
        for path in self._paths():
            try:
                data = self.read_file(path)
            except ScratchDiskError as error:
                unreadable.append(f"{path} ({str(error).rsplit(': ', 1)[-1]})")
                continue
            target = Path(destination, *path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(target)
        if unreadable:
            raise ScratchDiskError(f"{len(written)} file(s) copied; unreadable: {', '.join(unreadable)}")
        return written


def create_scratch_disk(image: Path, size_mb: int = DEFAULT_SIZE_MB, label: str = SCRATCH_LABEL) -> ScratchDisk:
    """A new, empty, FAT32-formatted disk at ``image`` (sparse; replaces a file of that name)."""
    if not MIN_SIZE_MB <= size_mb <= MAX_SIZE_MB:
        raise ScratchDiskError(f"scratch disk size {size_mb} MB is out of range ({MIN_SIZE_MB}-{MAX_SIZE_MB} MB)")
    if not label or len(label) > 11 or not label.isascii():
        raise ScratchDiskError(f"a FAT volume label has 1-11 ASCII characters: {label!r}")
    mkfs = _tool("mkfs.fat")
    total_sectors = size_mb * 1024 * 1024 // SECTOR_BYTES
    image = Path(image)
    image.parent.mkdir(parents=True, exist_ok=True)
    with open(image, "wb") as handle:
        handle.truncate(total_sectors * SECTOR_BYTES)
        handle.write(_mbr(total_sectors, secrets.randbits(31) | 1))
    partition_kib = (total_sectors - PARTITION_START_SECTOR) * SECTOR_BYTES // 1024
    try:
        _run([mkfs, "-F", "32", "-s", "1", "-n", label, f"--offset={PARTITION_START_SECTOR}",
              "-h", str(PARTITION_START_SECTOR), str(image), str(partition_kib)], f"formatting {image}")
    except ScratchDiskError:
        image.unlink(missing_ok=True)
        raise
    return ScratchDisk(image)
