"""Hands the user's terminal to a crashed guest's KDBG over COM1 (``harness run --attach-on-crash``).

When a boot bugchecked, entered the debugger or hung (the harness broke in), the guest waits at
``kdb:>``: the terminal goes raw and bytes flow both ways until the user presses Ctrl-] or the guest
goes away; then the boot is judged from what the harness had read and QEMU is stopped as always.
pexpect waits for the prompt first (KDBG answers a bare Enter with a new one); the bridge itself is a
select loop, since pexpect's ``interact`` exists only for processes it spawned, not for a socket.
"""

from __future__ import annotations

import os
import select
import termios
import tty
from typing import BinaryIO, Callable

import pexpect
from pexpect.fdpexpect import fdspawn

ESCAPE = b"\x1d"        # Ctrl-], as telnet and QEMU's own monitor use
POLL_S = 0.5
PROMPT_WAIT_S = 10.0
KDB_PROMPT = rb"kdb:>"


def _wait_for_prompt(machine, terminal_out: BinaryIO, announce: Callable[[str], None]) -> None:
    """Asks KDBG for a fresh prompt and shows it; a guest that gives none is attached to anyway."""
    reader = fdspawn(os.dup(machine.console_fileno()), timeout=PROMPT_WAIT_S)
    try:
        machine.write_console(b"\r")
        reader.expect(KDB_PROMPT)
        # what pexpect read past the prompt is the guest's too
        terminal_out.write(reader.before + reader.after + reader.buffer)
        terminal_out.flush()
    except (pexpect.TIMEOUT, pexpect.EOF):
        announce(f"no kdb:> prompt within {PROMPT_WAIT_S:.0f} s; attaching anyway")
    finally:
        reader.close()


def attach(machine, terminal_in: int, terminal_out: BinaryIO, announce: Callable[[str], None]) -> bool:
    """Bridges the terminal and COM1 until Ctrl-] or the guest's end; False if there is no terminal."""
    if not os.isatty(terminal_in):
        announce("--attach-on-crash: standard input is not a terminal; not attaching")
        return False
    announce("attached to the guest's COM1 (KDBG); press Ctrl-] to leave and have the boot judged")
    saved = termios.tcgetattr(terminal_in)
    tty.setraw(terminal_in)
    console = machine.console_fileno()
    try:
        _wait_for_prompt(machine, terminal_out, announce)
        while machine.is_running():
            ready, _, _ = select.select([terminal_in, console], [], [], POLL_S)
            if console in ready:
                data = machine.read_console()
                if data:
                    terminal_out.write(data)
                    terminal_out.flush()
            if terminal_in in ready:
                data = os.read(terminal_in, 1024)
                before_escape = data.split(ESCAPE)[0]
                if before_escape:
                    machine.write_console(before_escape)
                if not data or ESCAPE in data:
                    break
    finally:
        termios.tcsetattr(terminal_in, termios.TCSADRAIN, saved)
    return True
