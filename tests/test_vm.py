"""The VM layer against a real QEMU, with tiny guests built at test time."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from harness.vm import Machine, MachineConfig, VMError, VMLaunchError
from tinyguest import Script

pytestmark = pytest.mark.qemu


def machine_for(image: Path, run_dir: Path, **overrides) -> Machine:
    config = MachineConfig(raw_boot_image=image, boot_order="c", memory_mb=32, accel="tcg", **overrides)
    return Machine(config, run_dir)


def read_until(machine: Machine, needle: bytes, timeout: float = 20.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout
    while needle not in data and time.monotonic() < deadline:
        chunk = machine.read_console()
        if chunk:
            data += chunk
        else:
            time.sleep(0.02)
    return data


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); a reaped process does not exist.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


def test_console_output_is_read_live_and_logged_raw(tmp_path):
    image = Script().print("hello from the guest", "second line").hang().build(tmp_path)
    with machine_for(image, tmp_path / "run") as machine:
        data = read_until(machine, b"second line")
    assert b"hello from the guest\nsecond line\n" in data
    assert b"second line" in (tmp_path / "run" / "serial.log").read_bytes()
    assert "qemu-system-i386" in (tmp_path / "run" / "qemu-command.txt").read_text()
    # The harness keeps exactly the bytes it read (and judged) beside QEMU's raw log
    assert (tmp_path / "run" / "console.log").read_bytes() == data


def test_input_typed_on_com1_reaches_the_guest(tmp_path):
    image = Script().prompt("kdb:> ").print("got the command").hang().build(tmp_path)
    with machine_for(image, tmp_path / "run") as machine:
        assert b"kdb:> " in read_until(machine, b"kdb:> ")
        machine.write_console(b"bt\r")
        assert b"got the command" in read_until(machine, b"got the command")


def test_qmp_screendump_and_send_key_work(tmp_path):
    image = Script().print("up").hang().build(tmp_path)
    with machine_for(image, tmp_path / "run") as machine:
        read_until(machine, b"up")
        machine.send_keys("tab", "k")
        shot = machine.screendump("screen")
    assert shot is not None and shot.stat().st_size > 0


def test_shutdown_reaps_qemu_and_removes_sockets(tmp_path):
    image = Script().hang().build(tmp_path)
    machine = machine_for(image, tmp_path / "run")
    machine.launch()
    pid = machine.pid
    assert pid is not None and pid_alive(pid)
    machine.shutdown()
    assert not pid_alive(pid)
    assert not list((tmp_path / "run").glob("*.sock"))
    machine.shutdown()  # idempotent


def test_qemu_is_reaped_when_the_body_raises(tmp_path):
    image = Script().hang().build(tmp_path)
    pids = []
    with pytest.raises(RuntimeError):
        with machine_for(image, tmp_path / "run") as machine:
            pids.append(machine.pid)
            raise RuntimeError("test body failed")
    assert not pid_alive(pids[0])


def test_qemu_is_reaped_on_keyboard_interrupt(tmp_path):
    image = Script().hang().build(tmp_path)
    pids = []
    with pytest.raises(KeyboardInterrupt):
        with machine_for(image, tmp_path / "run") as machine:
            pids.append(machine.pid)
            raise KeyboardInterrupt
    assert not pid_alive(pids[0])


def test_a_guest_that_triple_faults_ends_qemu_because_of_no_reboot(tmp_path):
    image = Script().print("about to fault").triple_fault().build(tmp_path)
    with machine_for(image, tmp_path / "run") as machine:
        read_until(machine, b"about to fault")
        deadline = time.monotonic() + 20
        while machine.is_running() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not machine.is_running()


def test_several_vms_run_at_once_each_in_its_own_directory(tmp_path):
    images = [Script().print(f"guest number {n}").hang().build(tmp_path, f"g{n}") for n in range(3)]
    outputs = {}

    def boot(n: int) -> None:
        with machine_for(images[n], tmp_path / f"run{n}") as machine:
            outputs[n] = read_until(machine, f"guest number {n}".encode())

    threads = [threading.Thread(target=boot, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(f"guest number {n}".encode() in outputs[n] for n in range(3))
    assert all((tmp_path / f"run{n}" / "serial.log").exists() for n in range(3))


def test_a_missing_qemu_binary_is_an_infrastructure_error(tmp_path):
    image = Script().hang().build(tmp_path)
    with pytest.raises(VMError, match="not found on PATH"):
        machine_for(image, tmp_path / "run", qemu="qemu-system-nonexistent").launch()


def test_a_missing_image_is_an_infrastructure_error(tmp_path):
    with pytest.raises(VMError, match="image not found"):
        machine_for(tmp_path / "nope.img", tmp_path / "run").launch()


def test_a_launch_failure_reports_the_command_and_qemu_output(tmp_path):
    image = Script().hang().build(tmp_path)
    with pytest.raises(VMLaunchError) as caught:
        machine_for(image, tmp_path / "run", extra_args=["-no-such-option"]).launch()
    assert "-no-such-option" in str(caught.value)
    assert "qemu-system-i386" in " ".join(caught.value.command)


def test_a_run_directory_longer_than_a_unix_socket_path_still_boots(tmp_path):
    """COM1 and QMP are socket pairs: a 200-character run directory (a CI workspace) is no problem,
    where a socket path there would pass the 108-byte limit and QEMU would refuse to start."""
    long_dir = tmp_path
    while len(str(long_dir)) < 200:
        long_dir = long_dir / "a-rather-long-ci-workspace-directory"
    image = Script().print("HELLO FROM A LONG PATH").hang().build(tmp_path)
    with machine_for(image, long_dir / "run") as machine:
        output = read_until(machine, b"HELLO FROM A LONG PATH")
        assert machine.qmp("query-status")["status"] == "running"
    assert b"HELLO FROM A LONG PATH" in output
    assert not list((long_dir / "run").glob("*.sock"))


def test_a_saved_machine_state_restores_waiting_where_it_was_saved(tmp_path):
    """The snapshot mechanism: a guest saved at a prompt is loaded by another QEMU, still waiting, and
    takes its answer there; the saving QEMU stays paused."""
    image = Script().print("before the snapshot").prompt("kdb:> ").print("answer taken").hang().build(tmp_path)
    state = tmp_path / "machine.state"
    with machine_for(image, tmp_path / "first") as machine:
        assert b"kdb:> " in read_until(machine, b"kdb:> ")
        time.sleep(0.3)
        written = machine.save_state(state)
        assert written == state.stat().st_size > 0
        assert machine.qmp("query-status")["status"] == "postmigrate"
    with machine_for(image, tmp_path / "second", incoming_state=state) as restored:
        assert restored.restore_s is not None
        assert restored.qmp("query-status")["status"] == "running"
        restored.write_console(b"go\r")
        data = read_until(restored, b"answer taken")
    assert b"answer taken" in data and b"before the snapshot" not in data
    assert "-incoming" in (tmp_path / "second" / "qemu-command.txt").read_text()


def test_a_state_that_does_not_load_is_a_launch_error(tmp_path):
    image = Script().print("up").hang().build(tmp_path)
    state = tmp_path / "broken.state"
    state.write_bytes(b"not a migration stream" * 100)
    with pytest.raises(VMLaunchError, match="restor"):
        with machine_for(image, tmp_path / "run", incoming_state=state):
            pass


def test_qemu_cpu_time_is_read_before_it_stops(tmp_path):
    image = Script().repeat("busy").build(tmp_path)
    with machine_for(image, tmp_path / "run") as machine:
        read_until(machine, b"busy")
        time.sleep(0.5)
    assert machine.cpu_s is not None and machine.cpu_s > 0


def test_a_harness_stopped_by_sigterm_leaves_no_qemu_behind(tmp_path):
    """QEMU leads its own session, so a CI job's SIGTERM to the harness does not reach it: the harness kills it."""
    import signal
    import subprocess
    import sys

    image = Script().hang().build(tmp_path)
    child = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time\n"
            "sys.path.insert(0, sys.argv[3])\n"
            "from pathlib import Path\n"
            "from harness import cli\n"
            "from harness.vm import Machine, MachineConfig\n"
            "cli._stop_qemus_on_signals()\n"
            "config = MachineConfig(raw_boot_image=Path(sys.argv[1]), boot_order='c', memory_mb=32, accel='tcg')\n"
            "try:\n"
            "    with Machine(config, Path(sys.argv[2])) as machine:\n"
            "        print(machine.pid, flush=True)\n"
            "        time.sleep(60)\n"
            "except SystemExit:\n"
            "    from harness.vm import VMError\n"
            "    try:\n"
            "        Machine(config, Path(sys.argv[2]) / 'again').launch()\n"
            "    except VMError as error:\n"
            "        print('refused:', error, file=sys.stderr)\n"
            "    raise\n"),
         str(image), str(tmp_path / "run"), str(Path(__file__).parent)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        qemu = int(child.stdout.readline())
        assert pid_alive(qemu)
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=20) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 5
        while pid_alive(qemu) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not pid_alive(qemu), "QEMU outlived the harness"
        said = child.stderr.read()
        assert "killed 1 QEMU" in said
        # a run's other boots and resumes must not boot again after the signal
        assert "refused: the harness is stopping" in said
    finally:
        child.kill()
        child.wait()
