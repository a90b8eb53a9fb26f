"""One QEMU process with its own run directory, COM1 socket and QMP connection.

Modelled on QEMU's own ``QEMUMachine``: a context manager; launch failures raise with the full
command line and QEMU's output; shutdown tries QMP ``quit`` and then kills the whole process group,
on every path (success, failure, timeout, Ctrl-C). The guest starts paused (``-S``) so that no
console byte is emitted before the harness is connected to COM1. COM1 and QMP are socket pairs
handed to QEMU as file descriptors, as QEMUMachine does: no socket path (whose length a run
directory could push past the 108-byte limit), and no race with QEMU creating and listening on one.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, List, Optional, Sequence

from qemu.qmp.legacy import QEMUMonitorProtocol

QEMU_BINARY = "qemu-system-i386"
QUIT_TIMEOUT_S = 5.0
EVENT_READ_S = 0.01     # how long drain_events lets the QMP client read from its socket
MIGRATION_TIMEOUT_S = 120.0   # saving or restoring a machine state (a few hundred MB through a pipe)
MIGRATION_POLL_S = 0.02
# A KVM boot whose kernel has not printed its banner on COM1 by then is treated as broken (ReactOS's
# loader can fault under nested KVM, visibly only on VGA, after printing a line of its own with a
# disk attached): callers fall back to TCG
KVM_PROBE_BANNER_S = 20.0
BLANK_DISK_BYTES = 1024 * 1024   # the first disk in front of a scratch disk: no MBR signature, nothing to boot


class VMError(Exception):
    """An infrastructure problem: QEMU missing, failed to start, QMP unusable."""


class VMLaunchError(VMError):
    def __init__(self, message: str, command: Sequence[str], output: str) -> None:
        self.command = list(command)
        self.output = output
        super().__init__(f"{message}\n  command: {shlex.join(self.command)}\n  QEMU said: {output.strip() or '(nothing)'}")


@dataclass
class MachineConfig:
    """What to boot and how. ``accel`` is ``kvm`` or ``tcg`` here; choosing is the caller's job."""

    cdrom: Optional[Path] = None
    disk: Optional[Path] = None
    accel: str = "tcg"
    memory_mb: int = 1024
    cpus: int = 1
    qemu: str = QEMU_BINARY
    boot_order: str = "d"
    snapshot_disk: bool = True
    extra_args: List[str] = field(default_factory=list)
    # A raw boot image for -drive if=floppy/ide (used by the self-test guests)
    raw_boot_image: Optional[Path] = None
    # A machine state saved by Machine.save_state: QEMU loads it (-incoming) instead of booting
    incoming_state: Optional[Path] = None
    # A raw image the guest writes and the host reads after the boot (never snapshot=on): primary slave
    scratch_disk: Optional[Path] = None


def find_qemu(binary: str = QEMU_BINARY) -> str:
    path = shutil.which(binary)
    if path is None:
        raise VMError(f"{binary} was not found on PATH; install QEMU (Debian/Ubuntu: apt-get install qemu-system-x86)")
    return path


def kvm_usable() -> bool:
    """True if /dev/kvm can be opened for reading and writing."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    return True


def process_cpu_seconds(pid: int) -> Optional[float]:
    """User plus system CPU time of a live process (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def child_qemu_pids(pid: Optional[int] = None) -> List[int]:
    """The QEMU processes this process (any of its threads) started and that still run (Linux /proc)."""
    pid = os.getpid() if pid is None else pid
    children: List[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return children
    for task in tasks:
        try:
            children += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except (OSError, ValueError):
            continue
    qemus = []
    for child in children:
        try:
            if Path(f"/proc/{child}/comm").read_text().startswith("qemu-system"):
                qemus.append(child)
        except OSError:
            continue
    return qemus


# Set once the harness is told to stop (a signal): no QEMU starts after it, so a run's other boots and
# its resumes end instead of booting again. Process-wide by nature, as the signal is.
STOPPING = threading.Event()


def kill_child_qemus() -> List[int]:
    """Kills every QEMU this process started, with its process group (each QEMU leads its own session,
    so a signal to the harness does not reach it), and lets no new one start. For a harness told to
    stop by a signal."""
    STOPPING.set()
    killed = []
    for pid in child_qemu_pids():
        try:
            os.killpg(pid, signal.SIGKILL)
            killed.append(pid)
        except OSError:
            continue
    return killed


class Machine:
    """A running QEMU. Use as a context manager; :meth:`shutdown` is always safe to call."""

    def __init__(self, config: MachineConfig, run_dir: Path) -> None:
        self.config = config
        self.run_dir = Path(run_dir)
        self.serial_log = self.run_dir / "serial.log"
        # What the harness itself read from COM1: QEMU's logfile can hold a byte twice (a retried write)
        self.console_log = self.run_dir / "console.log"
        self._console_log: Optional[BinaryIO] = None
        self.qemu_log = self.run_dir / "qemu.log"
        self.events_log = self.run_dir / "qmp-events.jsonl"
        self.blank_first_disk = self.run_dir / "blank-first-disk.img"
        # (harness end, QEMU end) of each socket pair; QEMU's ends are closed here once it has them
        self._com1_pair: Optional[tuple] = None
        self._qmp_pair: Optional[tuple] = None
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._qmp: Optional[QEMUMonitorProtocol] = None
        self._console: Optional[socket.socket] = None
        self._log_handle = None
        self.started_at: Optional[float] = None
        self.restore_s: Optional[float] = None     # QEMU start -> the saved state loaded and running
        self.cpu_s: Optional[float] = None         # QEMU's CPU time, read just before it was stopped
        self.command: List[str] = []
        self.exit_code: Optional[int] = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> "Machine":
        self.launch()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    def build_command(self, com1_fd: int, qmp_fd: int) -> List[str]:
        cfg = self.config
        cmd = [find_qemu(cfg.qemu),
               "-machine", f"pc,accel={cfg.accel}",
               "-m", str(cfg.memory_mb),
               "-smp", str(cfg.cpus),
               "-display", "none",
               "-vga", "std",
               "-no-reboot",
               "-S",
               "-nodefaults",
               "-chardev", f"socket,id=com1,fd={com1_fd},logfile={self.serial_log}",
               "-serial", "chardev:com1",
               "-chardev", f"socket,id=qmp,fd={qmp_fd}",
               "-mon", "chardev=qmp,mode=control",
               "-boot", f"order={cfg.boot_order},menu=off"]
        if cfg.cdrom is not None:
            cmd += ["-drive", f"file={cfg.cdrom},if=ide,index=2,media=cdrom,readonly=on"]
        if cfg.disk is not None:
            snapshot = ",snapshot=on" if cfg.snapshot_disk else ""
            cmd += ["-drive", f"file={cfg.disk},if=ide,index=0,media=disk{snapshot}"]
        if cfg.raw_boot_image is not None:
            cmd += ["-drive", f"file={cfg.raw_boot_image},if=ide,index=0,media=disk,format=raw,snapshot=on"]
        if cfg.scratch_disk is not None:
            if cfg.disk is None and cfg.raw_boot_image is None:
                # The LiveCD's boot sector boots the first hard disk when its MBR carries a signature
                # (isoboot.S waits 5 s for a key first): a blank first disk makes it boot the CD
                cmd += ["-drive", f"file={self.blank_first_disk},if=ide,index=0,media=disk,format=raw,snapshot=on"]
            cmd += ["-drive", f"file={cfg.scratch_disk},if=ide,index=1,media=disk,format=raw"]
        if cfg.incoming_state is not None:
            # QEMU runs the command through the shell; cat only reads, so many QEMUs share one state
            cmd += ["-incoming", "exec:cat " + shlex.quote(str(cfg.incoming_state))]
        return cmd + list(cfg.extra_args)

    def launch(self) -> None:
        if STOPPING.is_set():
            raise VMError("the harness is stopping (a signal): no new QEMU is started")
        for image in (self.config.cdrom, self.config.disk, self.config.raw_boot_image, self.config.incoming_state,
                      self.config.scratch_disk):
            if image is not None and not Path(image).is_file():
                raise VMError(f"image not found: {image}")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.config.scratch_disk is not None and self.config.disk is None:
            with open(self.blank_first_disk, "wb") as blank:
                blank.truncate(BLANK_DISK_BYTES)
        self._com1_pair = socket.socketpair()
        self._qmp_pair = socket.socketpair()
        qemu_ends = (self._com1_pair[1].fileno(), self._qmp_pair[1].fileno())
        self.command = self.build_command(*qemu_ends)
        (self.run_dir / "qemu-command.txt").write_text(shlex.join(self.command) + "\n")
        self._log_handle = open(self.qemu_log, "wb")
        # Line times count from here, so a restored boot's overhead includes loading its state
        self.started_at = time.monotonic()
        try:
            self._process = subprocess.Popen(self.command, stdin=subprocess.DEVNULL, stdout=self._log_handle,
                                             stderr=subprocess.STDOUT, start_new_session=True, pass_fds=qemu_ends)
            # QEMU holds its ends now: when it exits, ours see EOF
            for pair in (self._com1_pair, self._qmp_pair):
                pair[1].close()
            self._connect()
        except BaseException:
            self.shutdown()
            raise

    def _connect(self) -> None:
        console = self._com1_pair[0]
        console.setblocking(False)
        self._console = console
        self._console_log = open(self.console_log, "wb")
        qmp = QEMUMonitorProtocol(self._qmp_pair[0])
        try:
            qmp.connect(negotiate=True)
        except Exception as error:
            # A state that does not load can end QEMU before the handshake: say so, not just "handshake"
            what = f"restoring {self.config.incoming_state} failed: " if self.config.incoming_state else ""
            raise VMLaunchError(f"{what}QMP handshake failed: {error}", self.command,
                                self._read_qemu_log()) from error
        self._qmp = qmp
        if self.config.incoming_state is not None:
            self._wait_for_restore()
        self.qmp("cont")

    def _wait_for_restore(self) -> None:
        """Waits until QEMU has loaded the incoming state (the guest stays paused under -S)."""
        deadline = time.monotonic() + MIGRATION_TIMEOUT_S
        while True:
            try:
                status = self._qmp.cmd("query-status")["status"]
            except Exception as error:
                raise VMLaunchError(f"QEMU could not restore {self.config.incoming_state}: {error}",
                                    self.command, self._read_qemu_log()) from error
            if status != "inmigrate":
                break
            if time.monotonic() > deadline:
                raise VMLaunchError(f"restoring {self.config.incoming_state} took over {MIGRATION_TIMEOUT_S:.0f} s",
                                    self.command, self._read_qemu_log())
            time.sleep(MIGRATION_POLL_S)
        migration = self._qmp.cmd("query-migrate")
        if migration.get("status") != "completed":
            raise VMLaunchError(f"restoring {self.config.incoming_state} ended {migration.get('status')!r}",
                                self.command, self._read_qemu_log())
        self.restore_s = time.monotonic() - (self.started_at or time.monotonic())

    def save_state(self, path: Path) -> int:
        """Pauses the guest and writes its whole state (RAM, devices) to ``path``, for
        ``MachineConfig.incoming_state``. The guest stays paused. Returns the bytes written."""
        path = Path(path)
        self.qmp("stop")
        self.qmp("migrate", uri="exec:cat > " + shlex.quote(str(path)))
        deadline = time.monotonic() + MIGRATION_TIMEOUT_S
        while True:
            migration = self.qmp("query-migrate")
            status = migration.get("status")
            if status == "completed":
                return path.stat().st_size
            if status in ("failed", "cancelled"):
                raise VMError(f"saving the machine state failed: {migration.get('error-desc', status)}")
            if time.monotonic() > deadline:
                raise VMError(f"saving the machine state took over {MIGRATION_TIMEOUT_S:.0f} s")
            time.sleep(MIGRATION_POLL_S)

    def _read_qemu_log(self) -> str:
        try:
            return self.qemu_log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def shutdown(self) -> None:
        """Stops QEMU: QMP quit, then SIGKILL to the process group. Reaps it. Idempotent."""
        process = self._process
        if self._console is not None:
            # Closing the console first avoids QEMU blocking on a full socket while quitting.
            self._console.close()
            self._console = None
        if self._console_log is not None:
            self._console_log.close()
            self._console_log = None
        if process is not None and process.poll() is None:
            self.cpu_s = process_cpu_seconds(process.pid)
        if process is not None and process.poll() is None and self._qmp is not None:
            try:
                self._qmp.cmd("quit")
            except Exception:
                pass
        if self._qmp is not None:
            self.drain_events()
            try:
                self._qmp.close()
            except Exception:
                pass
            self._qmp = None
        if process is not None:
            try:
                process.wait(timeout=QUIT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
            self.exit_code = process.returncode
            self._process = None
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None
        for pair in (self._com1_pair, self._qmp_pair):
            for end in pair or ():
                end.close()
        self._com1_pair = self._qmp_pair = None

    # -- guest I/O ---------------------------------------------------------------------------

    @property
    def pid(self) -> Optional[int]:
        return self._process.pid if self._process is not None else None

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def console_fileno(self) -> int:
        if self._console is None:
            raise VMError("the console is not connected")
        return self._console.fileno()

    def read_console(self) -> bytes:
        """Whatever COM1 has right now (non-blocking); b"" if nothing or closed."""
        if self._console is None:
            return b""
        try:
            data = self._console.recv(65536)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:
            return b""
        if data and self._console_log is not None:
            self._console_log.write(data)
            self._console_log.flush()
        return data

    def write_console(self, data: bytes) -> None:
        if self._console is None:
            raise VMError("the console is not connected")
        self._console.setblocking(True)
        try:
            self._console.sendall(data)
        finally:
            self._console.setblocking(False)

    # -- QMP ---------------------------------------------------------------------------------

    def qmp(self, command: str, **arguments: object) -> object:
        if self._qmp is None:
            raise VMError("QMP is not connected")
        try:
            return self._qmp.cmd(command, **arguments) if arguments else self._qmp.cmd(command)
        except Exception as error:
            raise VMError(f"QMP {command} failed: {error}") from error

    def drain_events(self) -> List[dict]:
        """Collects pending QMP events (RESET, SHUTDOWN, ...) and appends them to qmp-events.jsonl."""
        if self._qmp is None:
            return []
        try:
            # A short wait runs the QMP client's reader, so what QEMU sent is read; nothing is cleared
            # that was not returned (get_events then clear_events lost what arrived in between)
            events = self._qmp.get_events(wait=EVENT_READ_S)
        except Exception:
            # asyncio.TimeoutError when nothing came; anything else once QEMU has gone
            return []
        if events:
            with open(self.events_log, "a") as handle:
                for event in events:
                    handle.write(json.dumps(event) + "\n")
        return list(events)

    def screendump(self, name: str) -> Optional[Path]:
        """Saves the VGA screen as PNG in the run directory; None if QEMU could not."""
        path = self.run_dir / f"{name}.png"
        try:
            self.qmp("screendump", filename=str(path), format="png")
        except VMError:
            try:
                path = self.run_dir / f"{name}.ppm"
                self.qmp("screendump", filename=str(path))
            except VMError:
                return None
        return path if path.exists() else None

    def send_keys(self, *keys: str) -> None:
        """Presses the QEMU key names together (e.g. ``send_keys("tab", "k")`` for KDBG's break-in)."""
        self.qmp("send-key", keys=[{"type": "qcode", "data": key} for key in keys])
