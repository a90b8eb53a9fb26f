"""Tiny x86 guests, assembled at test time with nasm, that act out ReactOS console behaviour.

The boot sector loads a script from the following sectors and interprets it: print lines on COM1,
wait for a line typed on COM1 (so the KDBG driver can be tested), hang, repeat a line forever,
triple-fault (QEMU exits under -no-reboot) or wait a while. This lets the VM layer and the live
monitor be proven against a real QEMU without a ReactOS image. ``build_livecd`` puts a guest on an
El Torito CD with a ReactOS-like ``freeldr.ini``, so ISO handling and snapshots can be proven too.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Tuple

OP_PRINT, OP_WAIT_CR, OP_HANG, OP_REPEAT, OP_TRIPLE_FAULT, OP_DELAY, OP_FLUSH_INPUT = 1, 2, 3, 4, 5, 6, 7
TICKS_PER_SECOND = 18.2  # BIOS timer

BOOT_SECTOR = r"""
bits 16
org 0x7c00
start:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    sti
    mov ah, 0x02            ; read the script sectors behind us
    mov al, SCRIPT_SECTORS
    mov ch, 0
    mov cl, 2
    mov dh, 0
    mov bx, 0x7e00
    int 0x13
    mov dx, 0x3f9           ; COM1: no interrupts, 115200 8N1
    xor al, al
    out dx, al
    mov dx, 0x3fb
    mov al, 0x80
    out dx, al
    mov dx, 0x3f8
    mov al, 1
    out dx, al
    mov dx, 0x3f9
    xor al, al
    out dx, al
    mov dx, 0x3fb
    mov al, 3
    out dx, al
    mov si, 0x7e00
next:
    lodsb
    cmp al, 1
    je op_print
    cmp al, 2
    je op_wait
    cmp al, 4
    je op_repeat
    cmp al, 5
    je op_triple
    cmp al, 6
    je op_delay
    cmp al, 7
    je op_flush
op_hang:
    sti
.h: hlt
    jmp .h
op_print:
    call puts
    jmp next
op_wait:                    ; read COM1 until a carriage return
    mov dx, 0x3fd
.w: in al, dx
    test al, 1
    jz .w
    mov dx, 0x3f8
    in al, dx
    cmp al, 13
    jne op_wait
    jmp next
op_flush:                   ; drop typed-ahead input, as KDBG does before it reads a line
    mov dx, 0x3fd
    in al, dx
    test al, 1
    jz next
    mov dx, 0x3f8
    in al, dx
    jmp op_flush
op_repeat:
    mov di, si
.r: mov si, di
    call puts
    jmp .r
op_triple:
    lidt [zero_idt]
    int 3
op_delay:
    lodsw
    mov cx, ax
    mov bx, [0x046c]
.d: mov ax, [0x046c]
    sub ax, bx
    cmp ax, cx
    jb .d
    jmp next
puts:                       ; print the zero-terminated string at si
    lodsb
    test al, al
    jz .done
    mov ah, al
    mov dx, 0x3fd
.t: in al, dx
    test al, 0x20
    jz .t
    mov dx, 0x3f8
    mov al, ah
    out dx, al
    jmp puts
.done:
    ret
zero_idt: dw 0
          dd 0
    times 510-($-$$) db 0
    dw 0xaa55
"""


@dataclass
class Script:
    """A guest program: build it with the methods, then :meth:`build` an image."""

    ops: List[Tuple[int, bytes]] = field(default_factory=list)

    def print(self, *lines: str) -> "Script":
        for line in lines:
            self.ops.append((OP_PRINT, line.encode("latin-1") + b"\n\0"))
        return self

    def prompt(self, text: str) -> "Script":
        """Drops typed-ahead input, prints ``text`` without a newline and waits for a line typed on COM1
        (like KDBG, whose prompts flush COM1's input first: an answer typed too early is lost)."""
        self.ops.append((OP_FLUSH_INPUT, b""))
        self.ops.append((OP_PRINT, text.encode("latin-1") + b"\0"))
        self.ops.append((OP_WAIT_CR, b""))
        return self

    def delay(self, seconds: float) -> "Script":
        ticks = max(1, int(seconds * TICKS_PER_SECOND))
        self.ops.append((OP_DELAY, ticks.to_bytes(2, "little")))
        return self

    def hang(self) -> "Script":
        self.ops.append((OP_HANG, b""))
        return self

    def repeat(self, line: str) -> "Script":
        self.ops.append((OP_REPEAT, line.encode("latin-1") + b"\n\0"))
        return self

    def triple_fault(self) -> "Script":
        self.ops.append((OP_TRIPLE_FAULT, b""))
        return self

    def payload(self) -> bytes:
        data = b"".join(bytes([op]) + arg for op, arg in self.ops) + bytes([OP_HANG])
        return data + b"\0" * (-len(data) % 512)

    def build(self, directory: Path, name: str = "guest") -> Path:
        nasm = shutil.which("nasm")
        if nasm is None:
            raise RuntimeError("nasm is needed to build the tiny guests (apt-get install nasm)")
        payload = self.payload()
        sectors = len(payload) // 512
        if sectors > 60:
            raise ValueError("script too long for one BIOS read")
        source = directory / f"{name}.asm"
        source.write_text(BOOT_SECTOR.replace("SCRIPT_SECTORS", str(sectors)))
        boot = directory / f"{name}.bin"
        subprocess.run([nasm, "-f", "bin", "-o", str(boot), str(source)], check=True, capture_output=True)
        image = directory / f"{name}.img"
        image.write_bytes(boot.read_bytes() + payload + b"\0" * (64 * 512))
        return image


FREELDR_INI = (b"[FREELOADER]\nDefaultOS=LiveCD\nTimeOut=5\n\n[LiveCD]\nOptions=/MININT\n\n"
               b"[LiveCD_Debug]\nOptions=/MININT /DEBUG /DEBUGPORT=COM1\n")


def build_livecd(script: Script, directory: Path, name: str = "livecd") -> Path:
    """An ISO that boots ``script`` from a no-emulation El Torito entry. The BIOS loads the boot sector
    and the script behind it in one go (the boot sector's own disk read then fails harmlessly)."""
    import pycdlib

    image = script.build(directory, name)
    boot = image.read_bytes()[: 512 + len(script.payload())]
    boot += b"\0" * (-len(boot) % 2048)
    ini = FREELDR_INI   # the harness edits it in place, within its sector
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=4)
    iso.add_fp(io.BytesIO(ini), len(ini), "/freeldr.ini")
    iso.add_fp(io.BytesIO(boot), len(boot), "/boot.img")
    iso.add_eltorito("/boot.img", bootcatfile="/boot.cat", media_name="noemul", boot_load_size=len(boot) // 512)
    path = directory / f"{name}.iso"
    iso.write(str(path))
    iso.close()
    return path


def runner_script(question: bool = True, tests: Tuple[str, ...] = ("m:t",)) -> Script:
    """A guest that acts out harnessrun: asks for its plan (protocol 2) unless ``question`` is False,
    then reports ``tests`` as passed, whatever the answer was."""
    script = Script().print("Boot took 1 cycles!")
    if question:
        script.print("[HARNESS] ready version=2 part=1").prompt("kdb:> ")
    script.print(f"[HARNESS] start version=2 uptime_ms=1 tests={len(tests)} plan=com1")
    for name in tests:
        module, test = name.split(":")
        script.print(f"Running Wine Test, Module: {module}, Test: {test}",
                     f"{test}: 1 tests executed (0 marked as todo, 0 failures), 0 skipped.",
                     f"[HARNESS] exit {name} status=0x00000000", f"Test {test} completed in 0.01 seconds.")
    return script.print(f"[HARNESS] done tests={len(tests)} uptime_ms=2").hang()
