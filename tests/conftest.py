from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--reactos-iso", default=os.environ.get("HARNESS_REACTOS_ISO"),
                     help="a LiveCD built from the patched tree (or set HARNESS_REACTOS_ISO)")


def pytest_collection_modifyitems(config: pytest.Config, items: list) -> None:
    missing = [tool for tool in ("qemu-system-i386", "nasm") if shutil.which(tool) is None]
    iso = config.getoption("--reactos-iso")
    scratch_missing = [tool for tool in ("mkfs.fat", "mcopy")
                       if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists()]
    for item in items:
        if "scratch" in item.keywords and scratch_missing:
            item.add_marker(pytest.mark.skip(
                reason=f"needs {' and '.join(scratch_missing)} (dosfstools, mtools: bash .ci/run installs them)"))
        if "qemu" in item.keywords and missing:
            item.add_marker(pytest.mark.skip(reason=f"needs {' and '.join(missing)} (bash .ci/run installs them)"))
        if "reactos" in item.keywords and not iso:
            item.add_marker(pytest.mark.skip(
                reason="no ReactOS LiveCD given: pass --reactos-iso PATH or set HARNESS_REACTOS_ISO"))


@pytest.fixture
def reactos_iso(request: pytest.FixtureRequest) -> Path:
    path = Path(request.config.getoption("--reactos-iso"))
    if not path.is_file():
        pytest.fail(f"--reactos-iso {path} does not exist")
    return path


@pytest.fixture
def fixture_bytes():
    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()
    return read
