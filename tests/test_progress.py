"""A run's progress lines: each test a boot begins as "test N of M" with the run's elapsed time."""

from __future__ import annotations

import io

from harness.console import ConsoleLine
from harness.run import _progress_printer


def test_each_test_begun_says_its_place_in_the_boot_and_the_runs_elapsed_time():
    now = [100.0]
    stream = io.StringIO()
    printer = _progress_printer("boot1-host-ob", stream, echo=False, tests=["ntdll_winetest:om", "kernel32_winetest:sync"],
                                run_started=40.0, clock=lambda: now[0])
    printer(ConsoleLine(1, 12.5, "Running Wine Test, Module: ntdll_winetest, Test: om"), [])
    now[0] = 165.0
    printer(ConsoleLine(2, 80.0, "(kernel32) Running Wine Test, Module: kernel32_winetest, Test: sync"), [])
    printer(ConsoleLine(3, 81.0, "Running Wine Test, Module: harnesstest, Test: extra"), [])
    assert stream.getvalue().splitlines() == [
        "[boot1-host-ob   12.5s] test 1 of 2: ntdll_winetest:om (run 1m00s)",
        "[boot1-host-ob   80.0s] test 2 of 2: kernel32_winetest:sync (run 2m05s)",
        "[boot1-host-ob   81.0s] test: harnesstest:extra (run 2m05s)",
    ]


def test_lines_that_begin_no_test_print_nothing():
    stream = io.StringIO()
    printer = _progress_printer("boot1", stream, echo=False, tests=["a:b"], run_started=0.0, clock=lambda: 1.0)
    printer(ConsoleLine(1, 1.0, "sync.c:10: Test failed: x"), [])
    assert stream.getvalue() == ""
