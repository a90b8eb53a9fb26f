"""``harness inspect`` against small PE images built in the test: the checks must notice a
missing export, a missing symbol and a syscall that does not call the silo code."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.binary import BinaryError, ModuleImage
from harness.cli import main
from harness.inspect import (BOUNDARY_GROUPS, CRITICAL_BREAK, CRITICAL_BREAK_CALLERS, LENT_OBJECT_HOOKS,
                             NPFS_RELATIVE_PATH, PIPE_NAMERS, PIPE_QUALIFIER, SILO_CLASS_WIRING, SILO_DDIS, SILO_HOOKS,
                             SILO_TERMINATORS, inspect_build)

from peimage import FakeModule


def wired_kernel(critical_break_pops: int = 16, critical_pushes: int = 4) -> FakeModule:
    module = FakeModule(exports=list(SILO_DDIS) + ["NtQueryInformationJobObject"])
    rva = 0x1000
    for callee in ("PspIsSiloInformationClass", "PspQuerySiloInformation", "PspSetSiloInformation"):
        module.add(callee, rva)
        rva += 0x40
    for syscall, callees in SILO_CLASS_WIRING.items():
        module.add(syscall, rva, tuple(callees))
        rva += 0x40
    for name in SILO_DDIS:
        module.add(name, rva)
        rva += 0x10
    module.add(CRITICAL_BREAK, rva, pops=critical_break_pops)
    rva += 0x40
    for caller in CRITICAL_BREAK_CALLERS:
        module.add(caller, rva, (CRITICAL_BREAK,), pushes=critical_pushes)
        rva += 0x40
    # A caller may both end a silo and take a hook (ExpRaiseHardError): one function, all its calls
    hooked = {caller: [callee] for caller, callee in SILO_TERMINATORS.items()}
    for caller, callee, _ in SILO_HOOKS + LENT_OBJECT_HOOKS:
        hooked.setdefault(caller, []).append(callee)
    for _check, callers, gates in BOUNDARY_GROUPS:
        for caller in callers:
            hooked.setdefault(caller, []).append(gates[0])
    callees = {callee for callees in hooked.values() for callee in callees}
    for callee in sorted(callees - set(hooked) - set(module.calls)):
        module.add(callee, rva)
        rva += 0x20
    for caller, callees in sorted(hooked.items()):
        module.add(caller, rva, tuple(callees), pushes=2)
        rva += 0x40
    return module


def wired_npfs(namers=PIPE_NAMERS) -> FakeModule:
    module = FakeModule(exports=[])
    module.add(PIPE_QUALIFIER, 0x1000)
    rva = 0x1100
    for namer in PIPE_NAMERS:
        module.add(namer, rva, (PIPE_QUALIFIER,) if namer in namers else (), pushes=2)
        rva += 0x40
    return module


def write(tmp_path: Path, module: FakeModule, npfs: FakeModule = None, **kwargs) -> Path:
    build = tmp_path / "build" / "ntoskrnl"
    build.mkdir(parents=True)
    (build / "ntoskrnl.exe").write_bytes(module.build(**kwargs))
    npfs_path = tmp_path / "build" / NPFS_RELATIVE_PATH
    npfs_path.parent.mkdir(parents=True)
    npfs_path.write_bytes((npfs or wired_npfs()).build())
    return tmp_path / "build"


def test_reads_exports_functions_and_calls(tmp_path):
    image = ModuleImage.load(write(tmp_path, wired_kernel()) / "ntoskrnl" / "ntoskrnl.exe")
    assert set(SILO_DDIS) <= image.exports
    query = image.functions["NtQueryInformationJobObject"]
    targets = [site.target for site in image.calls_in(query.name)]
    assert targets == [image.functions["PspIsSiloInformationClass"].rva, image.functions["PspQuerySiloInformation"].rva]
    assert image.function_at(query.rva + 2) == query
    callers = image.callers_of("PspIsSiloInformationClass")
    assert sorted(site.caller for site in callers) == sorted(SILO_CLASS_WIRING)


def test_a_complete_build_passes(tmp_path, capsys):
    build = write(tmp_path, wired_kernel())
    report = inspect_build(build)
    assert report.ok, report.format()
    assert main(["inspect", str(build)]) == 0
    assert "all checks passed" in capsys.readouterr().out


def test_a_missing_export_is_named(tmp_path):
    module = wired_kernel()
    module.exports.remove("PsTerminateServerSilo")
    report = inspect_build(write(tmp_path, module))
    exports = report.findings[0]
    assert not exports.ok and "PsTerminateServerSilo" in exports.detail and "1 of" in exports.detail
    assert main(["inspect", str(tmp_path / "build")]) == 1


def test_a_syscall_that_skips_the_silo_code_fails(tmp_path):
    module = wired_kernel()
    module.calls["NtSetInformationJobObject"] = ["PspIsSiloInformationClass"]
    report = inspect_build(write(tmp_path, module))
    failing = [f for f in report.findings if not f.ok]
    assert len(failing) == 1
    assert "NtSetInformationJobObject never calls PspSetSiloInformation" in failing[0].detail


def test_unpatched_kernel_reports_missing_symbols(tmp_path):
    module = FakeModule(exports=["NtQueryInformationJobObject"])
    module.add("NtQueryInformationJobObject", 0x1000).add("NtSetInformationJobObject", 0x1040)
    npfs = FakeModule(exports=[])
    for rva, namer in enumerate(PIPE_NAMERS):
        npfs.add(namer, 0x1000 + 0x40 * rva)
    report = inspect_build(write(tmp_path, module, npfs=npfs))
    assert not report.ok
    assert all("no symbol for PspIsSiloInformationClass" in f.detail for f in report.findings[1:3])
    assert all("no symbol for" in f.detail for f in report.findings[3:])
    assert len(report.findings) == (3 + 1 + len(SILO_TERMINATORS) + len(SILO_HOOKS) + len(BOUNDARY_GROUPS) +
                                    len(LENT_OBJECT_HOOKS) + len(PIPE_NAMERS))


def test_a_pipe_path_that_skips_the_silo_name_fails(tmp_path):
    report = inspect_build(write(tmp_path, wired_kernel(), npfs=wired_npfs(namers=("NpFsdCreate",))))
    failing = [f.detail for f in report.findings if not f.ok]
    assert failing == [f"NpFsdCreateNamedPipe never calls {PIPE_QUALIFIER}", f"NpWaitForNamedPipe never calls {PIPE_QUALIFIER}"]


def test_a_build_without_npfs_is_told_to_build_it(tmp_path):
    build = write(tmp_path, wired_kernel())
    (build / NPFS_RELATIVE_PATH).unlink()
    report = inspect_build(build)
    assert [f.detail for f in report.findings if not f.ok] == [f"no {NPFS_RELATIVE_PATH} in {build}: build the 'npfs' target"]


def test_stripped_or_missing_binaries_are_infrastructure_errors(tmp_path, capsys):
    build = write(tmp_path, wired_kernel(), with_rossym=False)
    with pytest.raises(BinaryError, match="no .rossym section"):
        inspect_build(build)
    assert main(["inspect", str(build)]) == 125
    assert main(["inspect", str(tmp_path / "nowhere")]) == 125
    (tmp_path / "garbage.exe").write_bytes(b"MZ not really")
    assert main(["inspect", str(tmp_path / "garbage.exe")]) == 125
    assert "harness inspect:" in capsys.readouterr().err


def test_a_three_argument_critical_break_is_caught(tmp_path):
    """The pre-silo PspCatchCriticalBreak(Message, Object, ImageName) pops 12 bytes."""
    report = inspect_build(write(tmp_path, wired_kernel(critical_break_pops=12, critical_pushes=3)))
    failing = [f for f in report.findings if not f.ok]
    assert len(failing) == 1 and "pops 12 bytes, not 16" in failing[0].detail


def test_a_call_site_pushing_too_few_arguments_is_named(tmp_path):
    report = inspect_build(write(tmp_path, wired_kernel(critical_pushes=2)))
    failing = [f for f in report.findings if not f.ok]
    assert len(failing) == 1 and "PspExitThread@0x" in failing[0].detail


def test_a_power_path_that_does_not_end_the_silo_fails(tmp_path):
    module = wired_kernel()
    module.calls["NtSetSystemPowerState"] = []
    report = inspect_build(write(tmp_path, module))
    failing = [f for f in report.findings if not f.ok]
    assert [f.detail for f in failing] == ["NtSetSystemPowerState never calls PsTerminateServerSilo"]


def test_a_lookup_that_ignores_the_silo_root_fails(tmp_path):
    module = wired_kernel()
    module.calls["ObQueryNameString"] = []
    report = inspect_build(write(tmp_path, module))
    failing = [f for f in report.findings if not f.ok]
    assert [f.detail for f in failing] == ["ObQueryNameString never calls ObpGetLookupRootDirectory"]


def test_a_machine_wide_call_without_the_gate_is_named(tmp_path):
    module = wired_kernel()
    module.calls["NtLoadDriver"] = []
    report = inspect_build(write(tmp_path, module))
    failing = [f for f in report.findings if not f.ok]
    assert len(failing) == 1
    assert failing[0].check == "machine-wide system calls fail in a server silo"
    assert "never call PsCheckHostOnlyOperation: NtLoadDriver" in failing[0].detail


def test_a_handle_list_may_use_its_helper_or_the_inlined_gate(tmp_path):
    module = wired_kernel()
    module.calls["QSISystemHandleInformation"] = ["PsIsProcessVisibleToCaller"]
    assert inspect_build(write(tmp_path / "inlined", module)).ok
    module.calls["QSISystemHandleInformation"] = []
    failing = [f.detail for f in inspect_build(write(tmp_path / "ungated", module)).findings if not f.ok]
    assert failing == ["1 of 2 never call ExpIsHandleTableVisibleToCaller or PsIsProcessVisibleToCaller: "
                       "QSISystemHandleInformation"]


def test_a_duplication_that_may_raise_a_silo_handle_fails(tmp_path):
    module = wired_kernel()
    module.calls["ObDuplicateObject"] = []
    report = inspect_build(write(tmp_path, module))
    assert [f.detail for f in report.findings if not f.ok] == ["ObDuplicateObject never calls ObpIsDuplicateRaiseDenied"]


def test_the_readme_lists_every_gated_call():
    """The README's boundary tables are what a reviewer reads: every call inspect checks is named there."""
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    gated = [caller for _check, callers, _gates in BOUNDARY_GROUPS for caller in callers if not caller.startswith("QSI")]
    assert [name for name in gated if f"`{name}`" not in readme] == []
