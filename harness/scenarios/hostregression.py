"""The ``host-regression`` set: ReactOS's own tests of what the series changes, for the host (issue 19).

The silo scenarios prove the silo side. These prove the other: ReactOS with no silo behaves as it did.
Each scenario covers a part of the kernel or of a server the series touches, with the rostests
(Wine test copies, apitests, kmtest) that exercise it; a LiveCD built with ``ENABLE_ROSTESTS``
carries them. They are judged whole, every failure counts: the point is ``harness compare`` of a run
on the series against runs on the base tree with the runner alone (``harness apply --runner-only``),
where failures ReactOS has either way cancel out. Each scenario gets a boot of its own, so a crash
in one costs the others nothing and ``-j2`` runs two at once.

Every test's reason is in ``WHY``; ``harness list`` prints the scenario's description.
"""

SET = "host-regression"
# The longest of these (kernel32_winetest process, virtual, pipe) take minutes under TCG
HOST_REGRESSION_TIMEOUT_S = 600

# What each test is in for: the part of the series it exercises
WHY = {
    "ntdll_winetest:om": "object manager: directories, symbolic links, named objects of every type, "
                         "name lookups and their errors (ob/obdir.c, obname.c, oblife.c)",
    "ntdll_apitest:NtQueryObject": "object names and types as queried (ob/obname.c)",
    "ntdll_apitest:NtDuplicateObject": "handle duplication across processes (ob/obhandle.c)",
    "kernel32_apitest:dosdev": "ReactOS's own DefineDosDevice tests, global and local (ob/devicemap.c)",
    "kernel32_winetest:drive": "drive types and roots through \\?? (ob/devicemap.c)",
    "kernel32_winetest:volume": "volume and mount point names, \\\\.\\ devices (\\?? and \\GLOBAL?? lookups)",
    "kernel32_winetest:pipe": "named pipes: create, connect, wait, impersonate, states (npfs create.c, fsctrl.c, "
                              "waitsup.c, prefxsup.c)",
    "ntdll_winetest:pipe": "NtCreateNamedPipeFile and the pipe FSCTLs directly (npfs)",
    "kernel32_winetest:mailslot": "mailslots by name (\\??\\MAILSLOT lookups beside the pipe changes)",
    "kernel32_apitest:MailslotRead": "ReactOS's own mailslot tests",
    "kernel32_winetest:sync": "events, mutexes, semaphores and timers by name, waits (BaseNamedObjects)",
    "ntdll_apitest:NtMutant": "mutants by name and their ownership",
    "ntdll_apitest:NtMapViewOfSection": "sections and their views (mm/ARM3/section.c: commit accounting)",
    "ntdll_apitest:NtQuerySection": "section information (mm/ARM3/section.c)",
    "kernel32_winetest:virtual": "VirtualAlloc/Free/Protect and file mappings (mm/ARM3/virtual.c, section.c: "
                                 "private commit counted exactly)",
    "ntdll_apitest:NtAllocateVirtualMemory": "reserve and commit edge cases (mm/ARM3/virtual.c)",
    "ntdll_apitest:NtFreeVirtualMemory": "decommit and release (mm/ARM3/virtual.c commit charge)",
    "kernel32_winetest:process": "processes, jobs, breakaway, accounting (ps/process.c, job.c, kill.c; "
                                 "kernel32 CreateProcess)",
    "kernel32_winetest:thread": "threads: create, suspend, priority, affinity, contexts (ps/thread.c, ke/thrdobj.c)",
    "kernel32_winetest:toolhelp": "process and thread snapshots (the system process list, ex/sysinfo.c)",
    "ntdll_winetest:info": "NtQuery/SetInformation for system, process and thread classes (ex/sysinfo.c, "
                           "ps/query.c)",
    "ntdll_apitest:NtQueryInformationProcess": "process information classes (ps/query.c)",
    "ntdll_apitest:NtSetInformationProcess": "setting process information (ps/query.c)",
    "ntdll_apitest:NtQueryInformationThread": "thread information classes (ps/query.c)",
    "ntdll_apitest:NtSetInformationThread": "setting thread information (ps/query.c)",
    "ntdll_apitest:NtQuerySystemInformation": "system information classes (ex/sysinfo.c)",
    "ntdll_apitest:NtSystemInformation": "system information, more classes (ex/sysinfo.c)",
    "kernel32_apitest:CreateProcess": "CreateProcess's edge cases (kernel32 client/proc.c)",
    "kernel32_apitest:TerminateProcess": "ending processes (ps/kill.c)",
    "psapi_winetest:psapi_main": "process enumeration and working sets (psapi over ps and mm)",
    "kernel32_winetest:console": "the console server in CSRSS: every console call is a CSR message "
                                 "(csrsrv init.c, server.c)",
    "kernel32_apitest:ConsoleCP": "console code pages through CSRSS",
    "ntdll_winetest:port": "LPC ports, the channel of SMSS and CSRSS clients (internal/lpc.h)",
    "ntdll_winetest:reg": "the registry through ntdll (config/ntapi.c, cmparse.c)",
    "advapi32_winetest:registry": "the registry through advapi32: keys, values, security, save/restore, "
                                  "HKEY_CLASSES_ROOT (config/cmparse.c, cmse.c, ntapi.c)",
    "ntdll_apitest:NtCreateKey": "key creation (config/cmparse.c)",
    "ntdll_apitest:NtDeleteKey": "key deletion (config/ntapi.c)",
    "ntdll_apitest:NtSetValueKey": "values (config/ntapi.c)",
    "ntdll_apitest:NtSaveKey": "saving a key (config/ntapi.c: the silo write gate)",
    "ntdll_apitest:NtLoadUnloadKey": "loading and unloading hives (config/ntapi.c: the silo write gate)",
    "ntdll_apitest:NtSetDefaultLocale": "a machine-wide setting the series gates in a silo (ex/locale.c)",
    "ntdll_apitest:NtCreateProfile": "profiling objects (ex/profile.c)",
    "ntdll_apitest:NtStartProfile": "profiling (ex/profile.c)",
    "ntdll_apitest:NtQuerySystemEnvironmentValue": "firmware variables (ex/efi.c)",
    "ntdll_apitest:NtUnloadDriver": "driver unload and its privilege (io/iomgr/driver.c)",
    "ntdll_winetest:time": "system time and time zones (ex/time.c)",
    "kernel32_apitest:SystemFirmware": "firmware tables (ex/sysinfo.c)",
    "kmtest_:ObSymbolicLink": "symbolic links from kernel mode (ob/obname.c parse of links)",
    "kmtest_:ObTypes": "the object types and their directory, \\ObjectTypes (no silo type leaks to the host)",
    "kmtest_:ObQuery": "object names and information from kernel mode (ob/obname.c)",
    "kmtest_:ObReference": "reference counting and names (ob/oblife.c)",
    "kmtest_:ObHandle": "kernel and user handles (ob/obhandle.c)",
    "kmtest_:NpfsCreate": "named pipe creation in the driver (npfs create.c)",
    "kmtest_:NpfsConnect": "named pipe connect and listen (npfs fsctrl.c, waitsup.c)",
    "kmtest_:NpfsReadWrite": "named pipe reads and writes (npfs)",
    "kmtest_:NpfsFileInfo": "named pipe file information (npfs)",
    "kmtest_:NpfsVolumeInfo": "the named pipe volume (npfs)",
    "kmtest_:PsNotify": "process, thread and image notify routines (ps/process.c, thread.c create paths)",
    "kmtest_:PsQuota": "process quota charges (ps, the job's commit accounting beside them)",
}
# Keyed as the harness names tests (lower case). kmtest's program is kmtest_.exe on the CD (its CMake
# OUTPUT_NAME); it loads kmtest_drv.sys beside it to run the kernel-mode tests
REASONS = {test.lower(): why for test, why in WHY.items()}

_SCENARIOS = [
    ("host-ob", "the object manager: names, directories, symbolic links, handles",
     ("ntdll_winetest:om", "ntdll_apitest:NtQueryObject", "ntdll_apitest:NtDuplicateObject")),
    ("host-devices", "device maps and drive letters",
     ("kernel32_apitest:dosdev", "kernel32_winetest:drive", "kernel32_winetest:volume")),
    ("host-pipes", "named pipes and mailslots",
     ("kernel32_winetest:pipe", "ntdll_winetest:pipe", "kernel32_winetest:mailslot", "kernel32_apitest:MailslotRead")),
    ("host-sync", "events, mutexes, semaphores, timers and sections by name; virtual memory",
     ("kernel32_winetest:sync", "ntdll_apitest:NtMutant", "ntdll_apitest:NtMapViewOfSection",
      "ntdll_apitest:NtQuerySection", "kernel32_winetest:virtual", "ntdll_apitest:NtAllocateVirtualMemory",
      "ntdll_apitest:NtFreeVirtualMemory")),
    ("host-processes", "processes, threads and jobs",
     ("kernel32_winetest:process", "kernel32_winetest:thread", "kernel32_winetest:toolhelp", "ntdll_winetest:info",
      "ntdll_apitest:NtQueryInformationProcess", "ntdll_apitest:NtSetInformationProcess",
      "ntdll_apitest:NtQueryInformationThread", "ntdll_apitest:NtSetInformationThread",
      "ntdll_apitest:NtQuerySystemInformation", "ntdll_apitest:NtSystemInformation",
      "kernel32_apitest:CreateProcess", "kernel32_apitest:TerminateProcess", "psapi_winetest:psapi_main")),
    ("host-csrss", "SMSS and CSRSS client paths: the console server and LPC",
     ("kernel32_winetest:console", "kernel32_apitest:ConsoleCP", "ntdll_winetest:port")),
    ("host-registry", "the registry the series gates in a silo, used by the host",
     ("ntdll_winetest:reg", "advapi32_winetest:registry", "ntdll_apitest:NtCreateKey", "ntdll_apitest:NtDeleteKey",
      "ntdll_apitest:NtSetValueKey", "ntdll_apitest:NtSaveKey", "ntdll_apitest:NtLoadUnloadKey")),
    ("host-machine", "machine-wide calls the series refuses in a silo, made by the host",
     ("ntdll_apitest:NtSetDefaultLocale", "ntdll_apitest:NtCreateProfile", "ntdll_apitest:NtStartProfile",
      "ntdll_apitest:NtQuerySystemEnvironmentValue", "ntdll_apitest:NtUnloadDriver", "ntdll_winetest:time",
      "kernel32_apitest:SystemFirmware")),
    ("host-kernel", "kmtest's object manager, named pipe file system and process tests, from its driver",
     ("kmtest_:ObSymbolicLink", "kmtest_:ObTypes", "kmtest_:ObQuery", "kmtest_:ObReference", "kmtest_:ObHandle",
      "kmtest_:NpfsCreate", "kmtest_:NpfsConnect", "kmtest_:NpfsReadWrite", "kmtest_:NpfsFileInfo",
      "kmtest_:NpfsVolumeInfo", "kmtest_:PsNotify", "kmtest_:PsQuota")),
]

SCENARIOS = [
    dict(name=name, description=f"{SET}: {what} ({len(tests)} rostests)",
         tests=tuple(test.lower() for test in tests), own_boot=True, issue="19", tags=("rostests", SET),
         test_timeout_s=HOST_REGRESSION_TIMEOUT_S)
    for name, what, tests in _SCENARIOS
]
