"""Boot once, run many: snapshots of a LiveCD at the runner's plan question, against a real QEMU.

The LiveCDs here are tiny El Torito guests acting out the runner (tinyguest.runner_script), so the
whole path is proven without ReactOS: the first boot to the question, the saved state, boots
started from it, and every reason a snapshot must not be trusted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness import snapshot as snapshot_module
from harness.boot import BootOptions, run_boot
from harness.monitor import Limits
from harness.run import RunOptions, execute
from harness.scenarios import Scenario
from harness.snapshot import MANIFEST, SnapshotStore, shape_for
from harness.verdict import Outcome
from tinyguest import build_livecd, runner_script

pytestmark = pytest.mark.qemu

QUICK = Limits(deadline_s=20.0, inactivity_s=10.0)


def ensure(store: SnapshotStore, iso: Path, messages=None, limits: Limits = QUICK):
    return store.ensure(iso, shape_for("tcg", 32, "qemu-system-i386"), ["tcg"],
                        status=(messages.append if messages is not None else lambda _msg: None), ready_limits=limits)


@pytest.fixture
def livecd(tmp_path) -> Path:
    return build_livecd(runner_script(), tmp_path)


def boot_from(snapshot, iso: Path, run_dir: Path):
    return run_boot("b", BootOptions(iso=iso, tests=["m:t"], run_dir=run_dir, accel="tcg", memory_mb=32,
                                     limits=QUICK, snapshot=snapshot))


def test_a_snapshot_is_made_once_and_boots_start_from_it(tmp_path, livecd):
    store = SnapshotStore(tmp_path / "cache")
    made = ensure(store, livecd)
    assert made.action == "created", made.detail
    assert made.snapshot.state.stat().st_size == made.snapshot.state_bytes > 0
    again = ensure(store, livecd)
    assert again.action == "reused" and again.snapshot.directory == made.snapshot.directory

    record = boot_from(again.snapshot, livecd, tmp_path / "boot")
    assert record.verdict.outcome is Outcome.PASS, record.verdict.summary
    assert record.start == "snapshot" and record.restore_s is not None
    # The restored guest never printed the question again: it took the answer typed at start
    console = (tmp_path / "boot" / "console.log").read_text()
    assert "[HARNESS] ready" not in console and "HARNESS=m:t" not in console
    assert json.loads((tmp_path / "boot" / "session.json").read_text())["timing"]["start"] == "snapshot"


def test_the_users_iso_is_never_written(tmp_path, livecd):
    before = livecd.read_bytes()
    store = SnapshotStore(tmp_path / "cache")
    made = ensure(store, livecd)
    boot_from(made.snapshot, livecd, tmp_path / "boot")
    assert livecd.read_bytes() == before
    # The snapshot boots a copy whose entry asks for the plan over COM1
    assert "HARNESSPLAN=COM1" in made.snapshot.iso.read_bytes().decode("latin-1")


def test_an_iso_whose_contents_changed_gets_a_new_snapshot(tmp_path):
    iso = build_livecd(runner_script(), tmp_path)
    store = SnapshotStore(tmp_path / "cache")
    first = ensure(store, iso)
    build_livecd(runner_script(tests=("m:t", "m:u")), tmp_path)     # same path, other contents
    messages: list = []
    second = ensure(store, iso, messages)
    assert second.action == "created"
    assert second.snapshot.directory != first.snapshot.directory
    assert any("changed since its snapshot" in message for message in messages), messages


def test_a_new_qemu_makes_the_snapshot_stale(tmp_path, livecd, monkeypatch):
    store = SnapshotStore(tmp_path / "cache")
    ensure(store, livecd)
    real = snapshot_module.qemu_identity
    monkeypatch.setattr(snapshot_module, "qemu_identity",
                        lambda binary: (real(binary)[0], "QEMU emulator version 99.0", real(binary)[2]))
    messages: list = []
    rebuilt = ensure(store, livecd, messages)
    assert rebuilt.action == "created"
    assert any("stale" in message and "QEMU's version" in message for message in messages), messages


def test_a_damaged_state_file_is_rebuilt_not_trusted(tmp_path, livecd):
    store = SnapshotStore(tmp_path / "cache")
    made = ensure(store, livecd)
    data = bytearray(made.snapshot.state.read_bytes())
    data[len(data) // 2] ^= 0xFF
    made.snapshot.state.write_bytes(bytes(data))
    messages: list = []
    assert ensure(store, livecd, messages).action == "created"
    assert any("checksum" in message for message in messages), messages


def test_an_image_whose_runner_never_asks_is_remembered_as_unusable(tmp_path):
    old_image = build_livecd(runner_script(question=False), tmp_path)
    store = SnapshotStore(tmp_path / "cache")
    first = ensure(store, old_image, limits=Limits(deadline_s=8.0, inactivity_s=30.0))
    assert first.snapshot is None and first.action == "unusable"
    assert "never asked for its plan" in first.detail
    second = ensure(store, old_image)
    assert second.action == "unusable" and second.detail.startswith("recorded earlier")
    assert second.seconds < 5


def test_a_state_that_does_not_load_makes_the_boot_start_cold(tmp_path, livecd):
    store = SnapshotStore(tmp_path / "cache")
    made = ensure(store, livecd)
    made.snapshot.state.write_bytes(b"garbage")
    record = boot_from(made.snapshot, livecd, tmp_path / "boot")
    assert record.verdict.outcome is Outcome.PASS, record.verdict.summary
    assert record.start == "cold"
    assert [attempt.outcome for attempt in record.attempts][0] == "restore-failed"
    assert (tmp_path / "boot" / "restore-failed-qemu.log").exists()


def test_a_run_says_where_its_boots_started(tmp_path, livecd):
    scenarios = [Scenario(name="one", description="", tests=("m:t",)),
                 Scenario(name="two", description="", tests=("m:t",), own_boot=True)]
    out = tmp_path / "run"
    result = execute(RunOptions(iso=livecd, scenarios=scenarios, out_dir=out, accel="tcg", memory_mb=32, jobs=2,
                                limits=QUICK, snapshot_dir=tmp_path / "cache"), stream=open(tmp_path / "log", "w"))
    assert result.exit_code == 0
    document = json.loads((out / "results.json").read_text())
    assert document["snapshot"]["action"] == "created"
    assert [boot["start"] for boot in document["boots"]] == ["snapshot", "snapshot"]
    cold = execute(RunOptions(iso=livecd, scenarios=scenarios[:1], out_dir=tmp_path / "cold", accel="tcg",
                              memory_mb=32, limits=QUICK), stream=open(tmp_path / "log2", "w"))
    assert cold.exit_code == 0 and cold.boots[0].start == "cold"
    assert json.loads((tmp_path / "cold" / "results.json").read_text())["snapshot"] is None


def test_the_manifest_records_what_the_snapshot_was_taken_from(tmp_path, livecd):
    made = ensure(SnapshotStore(tmp_path / "cache"), livecd)
    manifest = json.loads((made.snapshot.directory / MANIFEST).read_text())
    identity = manifest["identity"]
    assert identity["accel"] == "tcg" and identity["memory_mb"] == 32
    assert identity["qemu_version"].startswith("QEMU emulator version")
    assert "HARNESSPLAN=COM1" in identity["boot_options"]
    assert manifest["source_iso"] == str(livecd.resolve())


def test_runs_that_want_the_same_snapshot_at_once_make_it_once(tmp_path, livecd):
    """A container host's CI starts several runs on one ISO together: one makes it, the others wait and reuse it."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: ensure(SnapshotStore(tmp_path / "cache"), livecd), range(3)))
    assert sorted(result.action for result in results) == ["created", "reused", "reused"]
    assert len({result.snapshot.directory for result in results}) == 1
