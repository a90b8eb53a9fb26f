"""The workspace files silo.exe keeps (``<store>\\<name>.silo``), read on the host.

The format is silo.exe's (reactos-patches/base/applications/cmdutils/silo/workspace.c): ASCII text,
one ``key=value`` per line, ``;`` starts a comment line, every key of the file's format exactly once and
no other key. Format 2 added ``devices`` (the devices lent beyond the kernel's default set); a format 1
file, written before, loads with none.
The same rules here let a host check say whether a file a guest left would load in the guest again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMAT = 2
FORMAT_WITHOUT_DEVICES = 1
EXTENSION = ".silo"
REGISTRY_MODES = ("host-readonly", "host-readwrite", "private-temporary", "private-persistent")
NAME = re.compile(r"[A-Za-z0-9_-]{1,32}\Z")
MAX_PROCESSES = 1000
MAX_MEMORY_MB = 2048
MAX_CPU_PERCENT = 100
KEYS = ("format", "name", "registry", "network", "processes", "memory-mb", "cpu-percent", "devices")
MAX_DEVICES_CHARS = 112


class WorkspaceFileError(ValueError):
    """Not a workspace file silo.exe would load."""


@dataclass(frozen=True)
class Workspace:
    name: str
    registry: str
    network: str
    processes: int
    memory_mb: int
    cpu_percent: int
    devices: str = ""


def _number(key: str, text: str, maximum: int) -> int:
    if not text.isdigit() or int(text) > maximum:
        raise WorkspaceFileError(f"{key}={text!r}: want 0 to {maximum}")
    return int(text)


def parse_workspace(data: bytes) -> Workspace:
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as error:
        raise WorkspaceFileError(f"not ASCII: {error}") from None
    values = {}
    for line in re.split(r"[\r\n]+", text):
        if not line or line.startswith(";"):
            continue
        key, sep, value = line.partition("=")
        if not sep or key not in KEYS:
            raise WorkspaceFileError(f"not a key=value line of the format: {line!r}")
        if key in values:
            raise WorkspaceFileError(f"{key} given twice")
        values[key] = value
    if values.get("format") not in (str(FORMAT), str(FORMAT_WITHOUT_DEVICES)):
        raise WorkspaceFileError(f"format={values.get('format')!r}, not {FORMAT_WITHOUT_DEVICES} or {FORMAT}")
    keys = KEYS if values["format"] == str(FORMAT) else tuple(key for key in KEYS if key != "devices")
    missing = [key for key in keys if key not in values]
    if missing:
        raise WorkspaceFileError(f"missing {', '.join(missing)}")
    if "devices" in values and values["format"] != str(FORMAT):
        raise WorkspaceFileError(f"devices= in a format {values['format']} file")
    if len(values.get("devices", "")) > MAX_DEVICES_CHARS:
        raise WorkspaceFileError(f"devices= longer than {MAX_DEVICES_CHARS} characters")
    if not NAME.match(values["name"]):
        raise WorkspaceFileError(f"name={values['name']!r} is no workspace name")
    if values["registry"] not in REGISTRY_MODES:
        raise WorkspaceFileError(f"registry={values['registry']!r}")
    if values["network"] not in ("on", "off"):
        raise WorkspaceFileError(f"network={values['network']!r}")
    return Workspace(values["name"], values["registry"], values["network"],
                     _number("processes", values["processes"], MAX_PROCESSES),
                     _number("memory-mb", values["memory-mb"], MAX_MEMORY_MB),
                     _number("cpu-percent", values["cpu-percent"], MAX_CPU_PERCENT),
                     values.get("devices", ""))
