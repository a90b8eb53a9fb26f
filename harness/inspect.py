"""``harness inspect BUILD_DIR``: checks a ReactOS build for the silo work without booting it.

It answers, from the built ntoskrnl.exe alone: does it export every silo DDI, do the job
information syscalls hand the silo classes to the silo code, does PspCatchCriticalBreak take the
server silo at every call site, do the power and hard-error paths end a server silo, do the
object manager's lookups know the caller's silo namespace, does a silo's CSRSS get its silo's hard
errors, does every machine-wide, registry-writing and process-listing system call consult the caller's
silo before it acts, are host objects lent read-only, and (from npfs.sys beside it) are a silo's pipe
names kept in the silo? Each answer is a ``Finding`` with
the evidence (addresses, missing names), so a reviewer sees *why*, not just a yes/no.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence

from .binary import BinaryError, ModuleImage

# The silo DDIs of ntddk.h that ntoskrnl must export (reactos-patches: ntoskrnl.spec)
SILO_DDIS = (
    "PsAllocSiloContextSlot", "PsAttachSiloToCurrentThread", "PsCreateSiloContext",
    "PsDereferenceSiloContext", "PsDetachSiloFromCurrentThread", "PsFreeSiloContextSlot",
    "PsGetCurrentServerSilo", "PsGetCurrentSilo", "PsGetEffectiveServerSilo", "PsGetHostSilo",
    "PsGetJobServerSilo", "PsGetJobSilo", "PsGetParentSilo", "PsGetPermanentSiloContext",
    "PsGetServerSiloActiveConsoleId", "PsGetServerSiloServiceSessionId", "PsGetSiloContainerId",
    "PsGetSiloContext", "PsGetSiloMonitorContextSlot", "PsGetThreadServerSilo",
    "PsInsertPermanentSiloContext", "PsInsertSiloContext", "PsIsCurrentThreadInServerSilo",
    "PsIsHostSilo", "PsMakeSiloContextPermanent", "PsReferenceSiloContext", "PsRegisterSiloMonitor",
    "PsRemoveSiloContext", "PsReplaceSiloContext", "PsStartSiloMonitor", "PsTerminateServerSilo",
    "PsUnregisterSiloMonitor",
)

# Which syscall must call which silo routines for the silo classes to be wired
SILO_CLASS_WIRING: Dict[str, Sequence[str]] = {
    "NtQueryInformationJobObject": ("PspIsSiloInformationClass", "PspQuerySiloInformation"),
    "NtSetInformationJobObject": ("PspIsSiloInformationClass", "PspSetSiloInformation"),
}

# Containment: PspCatchCriticalBreak(Message, ProcessOrThread, ImageName, ServerSilo) is stdcall,
# so it pops 4 arguments; these functions must call it (the last one used to bugcheck directly)
CRITICAL_BREAK = "PspCatchCriticalBreak"
CRITICAL_BREAK_ARGUMENTS = 4
CRITICAL_BREAK_CALLERS = ("PspTerminateProcess", "NtTerminateProcess", "PspTerminateThreadByPointer", "PspExitThread")
# Who must end a server silo instead of the host
SILO_TERMINATORS = {
    "NtSetSystemPowerState": "PsTerminateServerSilo",
    "ExpRaiseHardError": "PsTerminateServerSilo",
}
# Kernel paths that must know the caller's silo: the object manager's lookups (its namespace)
# and the hard-error port a silo's own CSRSS sets
SILO_HOOKS = (
    ("ObpLookupObjectName", "ObpGetLookupRootDirectory", "starts absolute names at the caller's silo root"),
    ("ObpLookupObjectName", "ObpIsDirectoryInCallerSilo", "keeps a silo's creations in its namespace"),
    ("ObpLookupEntryDirectory", "ObpGetSiloShadowDirectory", "lends shadowed host entries to silo lookups"),
    ("ObQueryNameString", "ObpGetLookupRootDirectory", "tells names relative to the silo root"),
    ("ObpReferenceDeviceMap", "ObpReferenceSiloDeviceMap", "gives a silo thread its silo's \\??"),
    ("NtCreateDirectoryObject", "ObpShadowNewSiloDirectory", "lets a directory made at a silo root lend the host's"),
    ("NtSetDefaultHardErrorPort", "PsSetServerSiloHardErrorPort", "gives a silo's CSRSS its silo's hard errors"),
    ("ExpRaiseHardError", "PsReferenceServerSiloHardErrorPort", "sends a silo thread's hard errors to its CSRSS"),
)

# The boundary (nothing in a server silo reaches the host): each gate, and the system calls or kernel
# paths that must consult it before they act. ReactOS builds each QSI_DEF(Name) class handler as QSIName.
MACHINE_WIDE_GATE = "PsCheckHostOnlyOperation"
MACHINE_WIDE_CALLS = (
    "NtLoadDriver", "NtUnloadDriver", "NtSetSystemInformation", "NtSetSystemTime", "NtSystemDebugControl",
    "NtSetDebugFilterState", "NtCreatePagingFile", "NtQuerySystemEnvironmentValue", "NtSetSystemEnvironmentValue",
    "NtEnumerateSystemEnvironmentValuesEx", "NtQuerySystemEnvironmentValueEx", "NtSetSystemEnvironmentValueEx",
    "NtAddBootEntry", "NtAddDriverEntry", "NtDeleteBootEntry", "NtDeleteDriverEntry", "NtEnumerateBootEntries",
    "NtEnumerateDriverEntries", "NtModifyBootEntry", "NtModifyDriverEntry", "NtQueryBootEntryOrder",
    "NtQueryDriverEntryOrder", "NtQueryBootOptions", "NtSetBootEntryOrder", "NtSetDriverEntryOrder",
    "NtSetBootOptions", "NtTranslateFilePath", "NtSetDefaultLocale", "NtSetDefaultUILanguage", "NtSetUuidSeed",
    "NtPlugPlayControl", "NtDisplayString", "NtCreateProfile", "NtSetIntervalProfile", "NtInitializeRegistry",
)
REGISTRY_GATE = "PsCheckSiloRegistryWrite"
REGISTRY_WRITE_CALLS = (
    "NtSetValueKey", "NtDeleteValueKey", "NtDeleteKey", "NtLoadKeyEx", "NtUnloadKey2", "NtUnloadKeyEx",
    "NtReplaceKey", "NtRestoreKey", "NtRenameKey", "NtSetInformationKey", "NtCompressKey", "NtLockRegistryKey",
    "CmpParseKey", "CmpSecurityMethod",
)
PROCESS_GATE = "PsIsProcessVisibleToCaller"
PROCESS_VISIBILITY_CALLS = ("NtOpenProcess", "NtOpenThread", "PspCreateProcess", "QSISystemProcessInformation")
# The handle lists filter through a helper of their own, or the gate inlined into them
HANDLE_LIST_CALLS = ("QSISystemHandleInformation", "QSISystemExtendedHandleInformation")
HANDLE_LIST_GATES = ("ExpIsHandleTableVisibleToCaller", PROCESS_GATE)
LENT_OBJECT_HOOKS = (
    ("ObpLookupObjectName", "ObpMayOpenFromCallerSilo", "opens a host object for a silo read-only"),
    ("ObDuplicateObject", "ObpIsDuplicateRaiseDenied", "never raises a silo's access to a host object"),
    ("NtMakeTemporaryObject", "ObpIsObjectLentToCallerSilo", "keeps a host object's name from a silo"),
    ("NtMakePermanentObject", "ObpIsObjectLentToCallerSilo", "keeps a silo from making a host object permanent"),
)
BOUNDARY_GROUPS = (
    ("machine-wide system calls fail in a server silo", MACHINE_WIDE_CALLS, (MACHINE_WIDE_GATE,)),
    ("registry writes fail in a server silo", REGISTRY_WRITE_CALLS, (REGISTRY_GATE,)),
    ("process and thread lookups show a silo its own only", PROCESS_VISIBILITY_CALLS, (PROCESS_GATE,)),
    ("handle lists show a silo its own only", HANDLE_LIST_CALLS, HANDLE_LIST_GATES),
)

# The named-pipe file system: every way to name a pipe qualifies a silo caller's name
PIPE_QUALIFIER = "NpQualifySiloPipeName"
PIPE_NAMERS = ("NpFsdCreate", "NpFsdCreateNamedPipe", "NpWaitForNamedPipe")
NPFS_RELATIVE_PATH = "drivers/filesystems/npfs/npfs.sys"
STDCALL_ARGUMENT_BYTES = 4

KERNEL_RELATIVE_PATHS = ("ntoskrnl/ntoskrnl.exe", "ntoskrnl.exe")


@dataclass
class Finding:
    check: str
    ok: bool
    detail: str


@dataclass
class InspectReport:
    binary: Path
    findings: List[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    def to_json(self) -> Dict[str, object]:
        return {"binary": str(self.binary), "ok": self.ok,
                "findings": [{"check": f.check, "ok": f.ok, "detail": f.detail} for f in self.findings]}

    def format(self) -> str:
        lines = [f"inspect {self.binary}"]
        for finding in self.findings:
            lines.append(f"  {'ok  ' if finding.ok else 'FAIL'}  {finding.check}: {finding.detail}")
        lines.append(f"result: {'all checks passed' if self.ok else 'something is missing'}")
        return "\n".join(lines)


def find_kernel(build: Path) -> Path:
    """ntoskrnl.exe in a ReactOS build folder (or the file itself)."""
    build = Path(build)
    if build.is_file():
        return build
    for relative in KERNEL_RELATIVE_PATHS:
        if (build / relative).is_file():
            return build / relative
    raise BinaryError(f"no ntoskrnl.exe under {build} (looked for {', '.join(KERNEL_RELATIVE_PATHS)}); "
                      "build the 'ntoskrnl' target or pass the file")


def check_exports(image: ModuleImage) -> Finding:
    missing = [name for name in SILO_DDIS if name not in image.exports]
    if missing:
        return Finding("silo DDIs exported", False, f"{len(missing)} of {len(SILO_DDIS)} missing: {', '.join(missing)}")
    return Finding("silo DDIs exported", True, f"all {len(SILO_DDIS)} exported")


def check_wiring(image: ModuleImage, syscall: str, callees: Sequence[str]) -> Finding:
    check = f"{syscall} hands the silo classes to the silo code"
    absent = [name for name in (syscall, *callees) if name not in image.functions]
    if absent:
        return Finding(check, False, f"no symbol for {', '.join(absent)}")
    called = {site.target: site for site in image.calls_in(syscall)}
    missing = [name for name in callees if image.functions[name].rva not in called]
    if missing:
        return Finding(check, False, f"{syscall} never calls {', '.join(missing)}")
    where = ", ".join(f"{name} from 0x{called[image.functions[name].rva].rva:x}" for name in callees)
    return Finding(check, True, f"calls {where}")


def check_critical_break(image: ModuleImage) -> Finding:
    check = f"{CRITICAL_BREAK} takes the server silo and every call site passes {CRITICAL_BREAK_ARGUMENTS} arguments"
    if CRITICAL_BREAK not in image.functions:
        return Finding(check, False, f"no symbol for {CRITICAL_BREAK}")
    released = image.stack_bytes_released(CRITICAL_BREAK)
    if released != CRITICAL_BREAK_ARGUMENTS * STDCALL_ARGUMENT_BYTES:
        return Finding(check, False, f"{CRITICAL_BREAK} pops {released} bytes, "
                                     f"not {CRITICAL_BREAK_ARGUMENTS * STDCALL_ARGUMENT_BYTES}")
    sites = image.callers_of(CRITICAL_BREAK)
    callers = {site.caller for site in sites}
    missing = [name for name in CRITICAL_BREAK_CALLERS if name not in callers]
    short = [f"{site.caller}@0x{site.rva:x} ({image.stack_arguments_at(site)} arguments)" for site in sites
             if image.stack_arguments_at(site) != CRITICAL_BREAK_ARGUMENTS]
    if missing or short:
        detail = []
        if missing:
            detail.append(f"not called from {', '.join(missing)}")
        if short:
            detail.append(f"call sites not passing {CRITICAL_BREAK_ARGUMENTS} arguments: {', '.join(short)}")
        return Finding(check, False, "; ".join(detail))
    return Finding(check, True, f"pops {released} bytes; {len(sites)} call sites in {', '.join(sorted(callers))}")


def check_calls(image: ModuleImage, caller: str, callee: str, check: str) -> Finding:
    absent = [name for name in (caller, callee) if name not in image.functions]
    if absent:
        return Finding(check, False, f"no symbol for {', '.join(absent)}")
    target = image.functions[callee].rva
    sites = [site for site in image.calls_in(caller) if site.target == target]
    if not sites:
        return Finding(check, False, f"{caller} never calls {callee}")
    return Finding(check, True, f"calls {callee} from 0x{sites[0].rva:x}")


def check_gate_group(image: ModuleImage, check: str, callers: Sequence[str], gates: Sequence[str]) -> Finding:
    """Every caller calls one of the gates; the detail names the callers that do not, or have no symbol."""
    gate_rvas = {image.functions[gate].rva for gate in gates if gate in image.functions}
    if not gate_rvas:
        return Finding(check, False, f"no symbol for {', '.join(gates)}")
    absent = [caller for caller in callers if caller not in image.functions]
    ungated = [caller for caller in callers if caller in image.functions
               and not any(site.target in gate_rvas for site in image.calls_in(caller))]
    if absent or ungated:
        detail = []
        if ungated:
            detail.append(f"{len(ungated)} of {len(callers)} never call {' or '.join(gates)}: {', '.join(ungated)}")
        if absent:
            detail.append(f"no symbol for {', '.join(absent)}")
        return Finding(check, False, "; ".join(detail))
    return Finding(check, True, f"all {len(callers)} call {' or '.join(gates)}")


def inspect_build(build: Path) -> InspectReport:
    kernel = find_kernel(build)
    image = ModuleImage.load(kernel)
    report = InspectReport(kernel)
    report.findings.append(check_exports(image))
    for syscall, callees in SILO_CLASS_WIRING.items():
        report.findings.append(check_wiring(image, syscall, callees))
    report.findings.append(check_critical_break(image))
    for caller, callee in SILO_TERMINATORS.items():
        report.findings.append(check_calls(image, caller, callee, f"{caller} ends a server silo ({callee})"))
    for caller, callee, meaning in SILO_HOOKS:
        report.findings.append(check_calls(image, caller, callee, f"{caller} {meaning} ({callee})"))
    for check, callers, gates in BOUNDARY_GROUPS:
        report.findings.append(check_gate_group(image, check, callers, gates))
    for caller, callee, meaning in LENT_OBJECT_HOOKS:
        report.findings.append(check_calls(image, caller, callee, f"{caller} {meaning} ({callee})"))
    if Path(build).is_dir():
        report.findings.extend(check_pipes(Path(build)))
    return report


def check_pipes(build: Path) -> List[Finding]:
    """npfs.sys beside the kernel: a silo's pipe names are qualified wherever a pipe is named."""
    npfs = build / NPFS_RELATIVE_PATH
    if not npfs.is_file():
        return [Finding("npfs.sys names a silo's pipes in the silo", False,
                        f"no {NPFS_RELATIVE_PATH} in {build}: build the 'npfs' target")]
    image = ModuleImage.load(npfs)
    return [check_calls(image, namer, PIPE_QUALIFIER, f"npfs {namer} names a silo's pipes in the silo")
            for namer in PIPE_NAMERS]
