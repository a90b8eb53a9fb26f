"""harness run --attach-on-crash: the user's terminal and the guest's COM1, both ways, until Ctrl-]."""

from __future__ import annotations

import io
import os
import socket
import threading
import time

from harness.attach import ESCAPE, attach


class FakeGuest:
    """COM1 as a socket pair; the far end plays KDBG: a prompt for each carriage return."""

    def __init__(self) -> None:
        self.ours, self.guest = socket.socketpair()
        self.ours.setblocking(False)
        self.received = b""
        self.running = True
        threading.Thread(target=self._kdbg, daemon=True).start()

    def _kdbg(self) -> None:
        while self.running:
            data = self.guest.recv(1024)
            if not data:
                return
            self.received += data
            if b"\r" in data:
                self.guest.sendall(b"\r\nkdb:> ")

    def console_fileno(self) -> int:
        return self.ours.fileno()

    def read_console(self) -> bytes:
        try:
            return self.ours.recv(65536)
        except BlockingIOError:
            return b""

    def write_console(self, data: bytes) -> None:
        self.ours.sendall(data)

    def is_running(self) -> bool:
        return self.running


def test_the_terminal_talks_to_kdbg_until_ctrl_bracket():
    guest = FakeGuest()
    user, terminal = os.openpty()
    shown = io.BytesIO()

    def type_like_a_user() -> None:
        time.sleep(0.3)
        os.write(user, b"bt\r")
        time.sleep(0.3)
        os.write(user, ESCAPE)

    threading.Thread(target=type_like_a_user, daemon=True).start()
    assert attach(guest, terminal, shown, announce=lambda message: None)
    assert guest.received == b"\rbt\r"           # the prompt request, then what the user typed
    assert shown.getvalue().count(b"kdb:> ") == 2  # the prompt pexpect waited for, then bt's answer
    os.close(user)
    os.close(terminal)
    guest.running = False


def test_without_a_terminal_nothing_is_attached():
    messages = []
    read_end, write_end = os.pipe()
    assert not attach(FakeGuest(), read_end, io.BytesIO(), announce=messages.append)
    assert "not a terminal" in messages[0]
    os.close(read_end)
    os.close(write_end)
