"""harness parse --symbols: bare <module:rva> frames resolved from a build's .rossym line tables."""

from __future__ import annotations

from harness.cli import main
from harness.symbols import symbolize_lines
from peimage import FakeModule


def build_folder(tmp_path):
    folder = tmp_path / "build" / "modules" / "app"
    folder.mkdir(parents=True)
    (folder / "app.exe").write_bytes(FakeModule().add("main", 0x1000).add("Worker", 0x1040).build())
    return tmp_path / "build"


def test_bare_frames_get_file_line_and_function_and_resolved_ones_stay(tmp_path):
    lines = ["<app.exe:1043>", "<ntoskrnl.exe:9c8ac (ntoskrnl/ke/bug.c:1079 (KeBugCheckWithTf))>",
             "<other.dll:10>", "Frames:"]
    assert symbolize_lines(lines, build_folder(tmp_path)) == [
        "<app.exe:1043 (fake.c:11 (Worker))>",          # the row at 0x1043 is Worker's second line
        "<ntoskrnl.exe:9c8ac (ntoskrnl/ke/bug.c:1079 (KeBugCheckWithTf))>",
        "<other.dll:10>",                                # not in the build: left as it was
        "Frames:"]


def test_parse_symbols_resolves_a_saved_boot_and_refuses_a_missing_folder(tmp_path, capsys):
    log = tmp_path / "serial.log"
    log.write_text("[HARNESS] start version=1 uptime_ms=1 tests=1\n[HARNESS] plan harnesstest:bugcheck\n"
                   "Running Wine Test, Module: harnesstest, Test: bugcheck\n"
                   "*** Fatal System Error: 0x000000E2\n(0x00000000,0x00000000,0x00000000,0x00000000)\n"
                   "Entered debugger on embedded INT3 at 0x0008:0x805B3BCE.\n"
                   "Eip:\n<ntoskrnl.exe:1b3bce>\nFrames:\n<app.exe:1000>\nkdb:> \n")
    main(["parse", str(log), "--symbols", str(build_folder(tmp_path))])
    assert "<app.exe:1000 (fake.c:10 (main))>" in capsys.readouterr().out
    assert main(["parse", str(log), "--symbols", str(tmp_path / "nowhere")]) == 125
