"""A per-run copy of the user's LiveCD whose boot entry carries the harness request.

The image is the one the build produced: only ``freeldr.ini`` is changed, in place (pycdlib keeps
every other byte where it was; re-mastering with xorriso re-lays the ISO out and FreeLdr then fails
to load the SYSTEM hive). The entry that boots gets ``HARNESS=module:test,...`` appended to its
options, becomes the default, and the menu timeout drops to 0.
"""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

import pycdlib

DEFAULT_ENTRY = "LiveCD_Debug"
SECTOR = 2048


class IsoError(Exception):
    """The ISO cannot be prepared (not an ISO, no freeldr.ini, entry missing, no room)."""


@dataclass(frozen=True)
class BootRequest:
    tests: Sequence[str]
    test_timeout_s: Optional[int] = None
    entry: str = DEFAULT_ENTRY
    extra_options: Sequence[str] = ()
    # KDBG reads its commands (and DbgPrompt answers) from COM1 only with /KDSERIAL; without it
    # the harness could not type "bt" or answer an assertion prompt.
    kdbg_on_serial: bool = True

    def options(self) -> List[str]:
        opts = list(self.extra_options)
        if self.kdbg_on_serial:
            opts.append("KDSERIAL")
        if self.tests:
            opts.append("HARNESS=" + ",".join(self.tests))
        if self.test_timeout_s:
            opts.append(f"HARNESSTIMEOUT={int(self.test_timeout_s)}")
        return ["/" + opt for opt in opts]


def edit_freeldr_ini(text: str, request: BootRequest) -> str:
    """Returns freeldr.ini with ``request`` applied to its entry (pure function; raises IsoError)."""
    section = re.compile(r"^\[(?P<name>[^\]]+)\]\s*$", re.MULTILINE)
    names = [m["name"] for m in section.finditer(text)]
    if request.entry not in names:
        raise IsoError(f"freeldr.ini has no [{request.entry}] entry (entries: {', '.join(names)})")
    if "FREELOADER" not in names:
        raise IsoError("freeldr.ini has no [FREELOADER] section")

    def set_key(body: str, key: str, value: str) -> str:
        pattern = re.compile(rf"^{key}=.*$", re.MULTILINE | re.IGNORECASE)
        if pattern.search(body):
            return pattern.sub(lambda _: f"{key}={value}", body, count=1)
        return body.rstrip("\n") + f"\n{key}={value}\n"

    def edit_section(whole: str, name: str, edit) -> str:
        start = re.search(rf"^\[{re.escape(name)}\]\s*$", whole, re.MULTILINE)
        assert start is not None
        following = section.search(whole, start.end())
        end = following.start() if following else len(whole)
        return whole[: start.end()] + edit(whole[start.end(): end]) + whole[end:]

    text = edit_section(text, "FREELOADER",
                        lambda body: set_key(set_key(body, "DefaultOS", request.entry), "TimeOut", "0"))

    def add_options(body: str) -> str:
        match = re.search(r"^Options=(?P<value>.*)$", body, re.MULTILINE)
        current = match["value"].rstrip("\r") if match else ""
        ours = {o.split("=")[0].upper() for o in request.options()}
        kept = [o for o in current.split() if o.split("=")[0].upper() not in ours
                and not re.match(r"/HARNESS(TIMEOUT)?=", o, re.IGNORECASE)]
        return set_key(body, "Options", " ".join(kept + request.options()))

    return edit_section(text, request.entry, add_options)


def _find_ini(iso: pycdlib.PyCdlib) -> str:
    """ISO 9660 path of the root's freeldr.ini, whatever its case and version suffix
    (ReactOS writes ISO-9660:1999 names such as ``/freeldr.ini``)."""
    try:
        children = list(iso.list_children(iso_path="/"))
    except pycdlib.pycdlibexception.PyCdlibException as error:
        raise IsoError(f"cannot list the ISO's root directory: {error}") from error
    for child in children:
        name = child.file_identifier().decode("latin-1")
        if name.split(";")[0].lower() == "freeldr.ini":
            return "/" + name
    raise IsoError("the ISO has no /freeldr.ini: is this a ReactOS LiveCD?")


def read_freeldr_ini(iso_path: Path) -> str:
    return _read_ini(iso_path)[1]


def _read_ini(iso_path: Path) -> "tuple[str, str]":
    """(ISO 9660 path, text) of the image's freeldr.ini."""
    iso = pycdlib.PyCdlib()
    try:
        iso.open(str(iso_path))
    except Exception as error:
        raise IsoError(f"{iso_path} is not a readable ISO 9660 image: {error}") from error
    try:
        path = _find_ini(iso)
        buffer = io.BytesIO()
        iso.get_file_from_iso_fp(buffer, iso_path=path)
        return path, buffer.getvalue().decode("latin-1")
    finally:
        iso.close()


def prepare_iso(source: Path, destination: Path, request: BootRequest) -> Path:
    """Copies ``source`` to ``destination`` and edits freeldr.ini there. The source is never written."""
    source, destination = Path(source), Path(destination)
    if not source.is_file():
        raise IsoError(f"ISO not found: {source}")
    path, original = _read_ini(source)
    edited = edit_freeldr_ini(original, request).encode("latin-1")
    # In place means in the sectors the file already has.
    room = max(SECTOR, -(-len(original.encode("latin-1")) // SECTOR) * SECTOR)
    if len(edited) > room:
        raise IsoError(f"the edited freeldr.ini needs {len(edited)} bytes but the ISO has room for {room}; "
                       "ask for fewer tests in one boot")
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)
    with pycdlib.InPlaceEditor(str(destination)) as editor:
        editor.modify_file(io.BytesIO(edited), len(edited), iso_path=path)
    if read_freeldr_ini(destination) != edited.decode("latin-1"):
        raise IsoError("freeldr.ini did not read back as written")
    return destination
