"""Where a LiveCD comes from: an ISO, a .7z or .zip holding one, or a URL of either."""

from __future__ import annotations

import functools
import http.server
import threading
import zipfile
from pathlib import Path

import py7zr
import pytest

from harness.iso import IsoError
from harness.sources import resolve_iso

ISO_BYTES = b"CD001 pretend LiveCD" * 100


def make_zip(path: Path, members) -> Path:
    with zipfile.ZipFile(path, "w") as zipped:
        for name in members:
            zipped.writestr(name, ISO_BYTES)
    return path


def test_a_plain_iso_is_used_where_it_is(tmp_path):
    iso = tmp_path / "livecd.iso"
    iso.write_bytes(ISO_BYTES)
    assert resolve_iso(str(iso), tmp_path / "run") == iso


def test_a_nightly_7z_gives_its_livecd_not_its_bootcd(tmp_path):
    archive = tmp_path / "reactos-livecd-0.4.16-dev-1234-g0123456-x86-gcc-lin-dbg.7z"
    (tmp_path / "src").mkdir()
    for name in ("bootcd.iso", "livecd.iso"):
        (tmp_path / "src" / name).write_bytes(ISO_BYTES + name.encode())
    with py7zr.SevenZipFile(archive, "w") as seven:
        for name in ("bootcd.iso", "livecd.iso"):
            seven.write(tmp_path / "src" / name, name)
    iso = resolve_iso(str(archive), tmp_path / "run")
    assert iso.name == "livecd.iso" and iso.read_bytes().endswith(b"livecd.iso")
    assert iso.is_relative_to(tmp_path / "run")


def test_a_zip_with_one_iso_of_any_name_gives_it(tmp_path):
    iso = resolve_iso(str(make_zip(tmp_path / "build.zip", ["out/reactos-dbg.iso", "out/readme.txt"])),
                      tmp_path / "run")
    assert iso.name == "reactos-dbg.iso" and iso.read_bytes() == ISO_BYTES


@pytest.mark.parametrize("members", [[], ["a.iso", "b.iso"]], ids=["no iso", "two isos"])
def test_an_archive_without_one_clear_livecd_is_refused_with_its_contents(tmp_path, members):
    with pytest.raises(IsoError, match="candidate ISOs"):
        resolve_iso(str(make_zip(tmp_path / "x.zip", members or ["readme.txt"])), tmp_path / "run")


def test_a_damaged_archive_is_an_iso_error(tmp_path):
    bad = tmp_path / "bad.7z"
    bad.write_bytes(b"not a 7z archive")
    with pytest.raises(IsoError, match="cannot read"):
        resolve_iso(str(bad), tmp_path / "run")


@pytest.fixture
def web(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_url_of_an_archive_is_downloaded_and_unpacked(tmp_path, web):
    served, base = web
    make_zip(served / "nightly.zip", ["livecd.iso"])
    iso = resolve_iso(f"{base}/nightly.zip", tmp_path / "run")
    assert iso.read_bytes() == ISO_BYTES and (tmp_path / "run" / "download" / "nightly.zip").is_file()


def test_a_url_that_is_not_there_is_an_iso_error(tmp_path, web):
    _, base = web
    with pytest.raises(IsoError, match="cannot download"):
        resolve_iso(f"{base}/missing.7z", tmp_path / "run")


def test_an_unpacked_livecd_does_not_stay_in_the_run_directory(tmp_path, monkeypatch):
    import harness.run as run
    from harness.cli import main

    booted = []

    class Finished:
        exit_code = 0

    def fake_execute(options, stream=None):
        booted.append(options.iso.read_bytes())
        return Finished()

    monkeypatch.setattr(run, "execute", fake_execute)
    archive = make_zip(tmp_path / "nightly.zip", ["livecd.iso"])
    assert main(["run", "--iso", str(archive), "--out", str(tmp_path / "out"), "-s", "smoke"]) == 0
    assert booted == [ISO_BYTES]
    assert not (tmp_path / "out" / "source").exists()
