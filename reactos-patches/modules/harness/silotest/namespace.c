/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Each silo sees its own object namespace: \Silos\<id> is the
 *              root of its processes' names, and the host keeps its own
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define NS_PATH_CHARS               128
#define NS_LINK_DRIVE               L"Q:"
#define NS_LINK_TARGET              L"\\Device\\Null"
#define NS_BENCH_LOOKUPS            2000
#define NS_HOST_PROBE_EVENT         L"HostSiloProbe"

/* One bit of the child's exit code per check made inside the silo */
typedef struct _NS_CHECK
{
    ULONG Bit;
    PCSTR What;
} NS_CHECK;

#define NS_CREATE_EVENT_ABSOLUTE    0x00000001
#define NS_WIN32_OBJECTS            0x00000002
#define NS_HOST_EVENT_HIDDEN        0x00000004
#define NS_HOST_EVENT_HIDDEN_NT     0x00000008
#define NS_SHADOW_READS_DEVICE      0x00000010
#define NS_SILOS_HIDDEN             0x00000020
#define NS_SESSIONS_HIDDEN          0x00000040
#define NS_RPC_CONTROL_HIDDEN       0x00000080
#define NS_NO_CREATE_THROUGH_SHADOW 0x00000100
#define NS_GLOBALROOT_STAYS_INSIDE  0x00000200
#define NS_INHERITED_HOST_DIRECTORY 0x00000400
#define NS_LINK_STAYS_INSIDE        0x00000800
#define NS_SILO_DRIVE_LETTER        0x00001000
#define NS_HOST_DOS_DEVICES_SHADOW  0x00002000
#define NS_QUERY_NAME_RELATIVE      0x00004000
#define NS_OWN_KERNEL_OBJECTS       0x00008000
#define NS_NO_MODIFY_THROUGH_SHADOW 0x00010000
#define NS_NO_MODIFY_INHERITED      0x00020000
#define NS_SETUP                    0x80000000

/* What a process on the host sees differently: these checks fail there */
#define NS_HOST_ONLY_DIFFERENCES    (NS_HOST_EVENT_HIDDEN | NS_HOST_EVENT_HIDDEN_NT | NS_SILOS_HIDDEN | \
                                     NS_SESSIONS_HIDDEN | NS_RPC_CONTROL_HIDDEN | NS_INHERITED_HOST_DIRECTORY | \
                                     NS_SILO_DRIVE_LETTER | NS_NO_MODIFY_THROUGH_SHADOW | NS_NO_MODIFY_INHERITED)

static const NS_CHECK NsChecks[] =
{
    { NS_CREATE_EVENT_ABSOLUTE, "an event created as \\BaseNamedObjects\\SiloEvent inside the silo" },
    { NS_WIN32_OBJECTS, "Win32 event, mutex, semaphore and section created inside the silo" },
    { NS_HOST_EVENT_HIDDEN, "the host's named event is invisible to OpenEventW inside the silo" },
    { NS_HOST_EVENT_HIDDEN_NT, "the host's named event is invisible as \\BaseNamedObjects\\<name> inside the silo" },
    { NS_SHADOW_READS_DEVICE, "\\Device and \\ObjectTypes are read through the shadowed root" },
    { NS_SILOS_HIDDEN, "\\Silos is not reachable from inside" },
    { NS_SESSIONS_HIDDEN, "\\Sessions is not reachable from inside" },
    { NS_RPC_CONTROL_HIDDEN, "\\RPC Control is not reachable from inside" },
    { NS_NO_CREATE_THROUGH_SHADOW, "no object is created in the host's \\Device through the shadow" },
    { NS_GLOBALROOT_STAYS_INSIDE, "\\??\\GLOBALROOT leads to the silo's root" },
    { NS_INHERITED_HOST_DIRECTORY, "no object is created through a handle to the host's \\BaseNamedObjects" },
    { NS_LINK_STAYS_INSIDE, "a link made inside the silo resolves inside it" },
    { NS_SILO_DRIVE_LETTER, "\\??\\" "Q: follows the silo's device map" },
    { NS_HOST_DOS_DEVICES_SHADOW, "\\??\\NUL falls through to the host's \\GLOBAL??" },
    { NS_QUERY_NAME_RELATIVE, "object names are told relative to the silo root" },
    { NS_OWN_KERNEL_OBJECTS, "\\KernelObjects is the silo's own, lent the host's" },
    { NS_NO_MODIFY_THROUGH_SHADOW, "a host event lent by the shadow can be waited on, not signaled" },
    { NS_NO_MODIFY_INHERITED, "a host event named through an inherited host handle can be waited on, not signaled" },
};

static
NTSTATUS
OpenByName(
    _In_ PCWSTR Path,
    _In_opt_ HANDLE Root,
    _In_ BOOLEAN Directory,
    _Out_ PHANDLE Handle)
{
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Attributes;

    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, Root, NULL);
    if (Directory) return NtOpenDirectoryObject(Handle, DIRECTORY_QUERY | DIRECTORY_TRAVERSE, &Attributes);
    return NtOpenEvent(Handle, EVENT_ALL_ACCESS, &Attributes);
}

/* Opens an event with Access and closes it again; returns the status of the open */
static
NTSTATUS
OpenEventAccess(
    _In_ PCWSTR Path,
    _In_opt_ HANDLE Root,
    _In_ ACCESS_MASK Access)
{
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Handle;
    NTSTATUS Status;

    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, Root, NULL);
    Status = NtOpenEvent(&Handle, Access, &Attributes);
    if (NT_SUCCESS(Status)) NtClose(Handle);
    return Status;
}

static
NTSTATUS
CreateNamedEvent(
    _In_ PCWSTR Path,
    _In_opt_ HANDLE Root,
    _Out_ PHANDLE Handle)
{
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Attributes;

    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, Root, NULL);
    return NtCreateEvent(Handle, EVENT_ALL_ACCESS, &Attributes, NotificationEvent, FALSE);
}

static
BOOL
Exists(
    _In_ PCWSTR Path,
    _In_ BOOLEAN Directory)
{
    HANDLE Handle;

    if (!NT_SUCCESS(OpenByName(Path, NULL, Directory, &Handle))) return FALSE;
    NtClose(Handle);
    return TRUE;
}

/* The child's side: every check made inside the silo; returns the failed ones */
static
DWORD
NamespaceChildChecks(
    _In_ HANDLE InheritedHostDirectory)
{
    UCHAR NameBuffer[sizeof(OBJECT_NAME_INFORMATION) + NS_PATH_CHARS * sizeof(WCHAR)];
    POBJECT_NAME_INFORMATION NameInfo = (POBJECT_NAME_INFORMATION)NameBuffer;
    UNICODE_STRING LinkName, LinkTarget;
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Event, Other, Win32[4], Link;
    WCHAR Target[NS_PATH_CHARS];
    DWORD Failed = 0;
    NTSTATUS Status;
    ULONG i;

    if (!NT_SUCCESS(CreateNamedEvent(L"\\BaseNamedObjects\\SiloEvent", NULL, &Event))) Failed |= NS_CREATE_EVENT_ABSOLUTE;

    Win32[0] = CreateEventW(NULL, TRUE, FALSE, L"SiloWin32Event");
    Win32[1] = CreateMutexW(NULL, FALSE, L"SiloWin32Mutex");
    Win32[2] = CreateSemaphoreW(NULL, 0, 1, L"SiloWin32Semaphore");
    Win32[3] = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, L"SiloWin32Section");
    for (i = 0; i < ARRAYSIZE(Win32); i++)
    {
        if (!Win32[i] || GetLastError() == ERROR_ALREADY_EXISTS) Failed |= NS_WIN32_OBJECTS;
    }

    if (OpenEventW(EVENT_ALL_ACCESS, FALSE, L"HostOnlyEvent")) Failed |= NS_HOST_EVENT_HIDDEN;
    if (Exists(L"\\BaseNamedObjects\\HostOnlyEvent", FALSE)) Failed |= NS_HOST_EVENT_HIDDEN_NT;

    if (!Exists(L"\\Device", TRUE) || !Exists(L"\\ObjectTypes", TRUE)) Failed |= NS_SHADOW_READS_DEVICE;
    if (Exists(L"\\Silos", TRUE)) Failed |= NS_SILOS_HIDDEN;
    if (Exists(L"\\Sessions", TRUE)) Failed |= NS_SESSIONS_HIDDEN;
    if (Exists(L"\\RPC Control", TRUE)) Failed |= NS_RPC_CONTROL_HIDDEN;

    Status = CreateNamedEvent(L"\\Device\\SiloEvil", NULL, &Other);
    if (NT_SUCCESS(Status)) { Failed |= NS_NO_CREATE_THROUGH_SHADOW; NtClose(Other); }

    /* GLOBALROOT is "", which is the silo's root here */
    Status = CreateNamedEvent(L"\\??\\GLOBALROOT\\BaseNamedObjects\\ViaGlobalRoot", NULL, &Other);
    if (!NT_SUCCESS(Status)) Failed |= NS_GLOBALROOT_STAYS_INSIDE;

    Status = CreateNamedEvent(L"ViaInherited", InheritedHostDirectory, &Other);
    if (Status != STATUS_ACCESS_DENIED) Failed |= NS_INHERITED_HOST_DIRECTORY;
    if (NT_SUCCESS(Status)) NtClose(Other);

    /* A link to "\BaseNamedObjects" made here leads to the silo's own */
    RtlInitUnicodeString(&LinkName, L"\\BaseNamedObjects\\SiloLink");
    RtlInitUnicodeString(&LinkTarget, L"\\BaseNamedObjects");
    InitializeObjectAttributes(&Attributes, &LinkName, OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status = NtCreateSymbolicLinkObject(&Link, SYMBOLIC_LINK_ALL_ACCESS, &Attributes, &LinkTarget);
    if (!NT_SUCCESS(Status) ||
        !NT_SUCCESS(CreateNamedEvent(L"\\BaseNamedObjects\\SiloLink\\ViaSiloLink", NULL, &Other)))
    {
        Failed |= NS_LINK_STAYS_INSIDE;
    }

    /* The host put Q: in the silo's GLOBAL?? only */
    RtlInitUnicodeString(&LinkName, L"\\??\\" NS_LINK_DRIVE);
    InitializeObjectAttributes(&Attributes, &LinkName, OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status = NtOpenSymbolicLinkObject(&Link, SYMBOLIC_LINK_QUERY, &Attributes);
    RtlInitEmptyUnicodeString(&LinkTarget, Target, sizeof(Target));
    if (!NT_SUCCESS(Status) || !NT_SUCCESS(NtQuerySymbolicLinkObject(Link, &LinkTarget, NULL)) ||
        LinkTarget.Length != wcslen(NS_LINK_TARGET) * sizeof(WCHAR) ||
        _wcsnicmp(LinkTarget.Buffer, NS_LINK_TARGET, wcslen(NS_LINK_TARGET)))
    {
        Failed |= NS_SILO_DRIVE_LETTER;
    }

    RtlInitUnicodeString(&LinkName, L"\\??\\NUL");
    Status = NtOpenSymbolicLinkObject(&Link, SYMBOLIC_LINK_QUERY, &Attributes);
    if (!NT_SUCCESS(Status)) Failed |= NS_HOST_DOS_DEVICES_SHADOW;

    if (!(Failed & NS_CREATE_EVENT_ABSOLUTE) &&
        (!NT_SUCCESS(NtQueryObject(Event, ObjectNameInformation, NameInfo, sizeof(NameBuffer), NULL)) ||
         NameInfo->Name.Length != wcslen(L"\\BaseNamedObjects\\SiloEvent") * sizeof(WCHAR) ||
         _wcsnicmp(NameInfo->Name.Buffer, L"\\BaseNamedObjects\\SiloEvent", NameInfo->Name.Length / sizeof(WCHAR))))
    {
        Failed |= NS_QUERY_NAME_RELATIVE;
    }

    /* Creating in KernelObjects lands in the silo's own directory */
    if (!Exists(L"\\KernelObjects", TRUE) ||
        !NT_SUCCESS(CreateNamedEvent(L"\\KernelObjects\\SiloKernelEvent", NULL, &Other)))
    {
        Failed |= NS_OWN_KERNEL_OBJECTS;
    }

    /* Host events it can name are for waiting, not for signaling */
    if (!NT_SUCCESS(OpenEventAccess(L"\\KernelObjects\\" NS_HOST_PROBE_EVENT, NULL, SYNCHRONIZE | EVENT_QUERY_STATE)) ||
        OpenEventAccess(L"\\KernelObjects\\" NS_HOST_PROBE_EVENT, NULL, EVENT_MODIFY_STATE) != STATUS_ACCESS_DENIED)
    {
        Failed |= NS_NO_MODIFY_THROUGH_SHADOW;
    }
    if (!NT_SUCCESS(OpenEventAccess(L"HostOnlyEvent", InheritedHostDirectory, SYNCHRONIZE)) ||
        OpenEventAccess(L"HostOnlyEvent", InheritedHostDirectory, EVENT_MODIFY_STATE) != STATUS_ACCESS_DENIED)
    {
        Failed |= NS_NO_MODIFY_INHERITED;
    }

    /* Everything stays open (this process holds it) until the host has looked */
    return Failed;
}

/* A server silo the way a host without a silo SMSS prepares one */
static
BOOL
PrepareSilo(
    _Out_ PHANDLE Silo,
    _Out_ PULONG SiloId)
{
    WCHAR Path[NS_PATH_CHARS];
    UNICODE_STRING LinkName, LinkTarget;
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Directory, Link;

    if (!NT_SUCCESS(MakeServerSilo(Silo, NULL, NULL))) return FALSE;
    *SiloId = GetSiloId(*Silo);

    /* Its own \BaseNamedObjects, which kernel32 inside opens by that absolute name */
    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\BaseNamedObjects", *SiloId);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&LinkName, Path);
    InitializeObjectAttributes(&Attributes, &LinkName, OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(NtCreateDirectoryObject(&Directory, DIRECTORY_ALL_ACCESS, &Attributes))) return FALSE;
    /* The silo holds no handle: keep the directory alive with ours (closed with the silo) */

    /* A drive letter only the silo has */
    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\GLOBAL??\\" NS_LINK_DRIVE, *SiloId);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&LinkName, Path);
    RtlInitUnicodeString(&LinkTarget, NS_LINK_TARGET);
    return NT_SUCCESS(NtCreateSymbolicLinkObject(&Link, SYMBOLIC_LINK_ALL_ACCESS, &Attributes, &LinkTarget));
}

/* silotest.exe child lookupbench: nanoseconds one lookup of a named event takes where it runs */
DWORD
LookupBenchNanoseconds(VOID)
{
    LARGE_INTEGER Frequency, Start, End;
    HANDLE Event, Handle;
    ULONG i;

    if (!NT_SUCCESS(CreateNamedEvent(L"\\BaseNamedObjects\\NsBenchEvent", NULL, &Event))) return MAXDWORD;
    QueryPerformanceFrequency(&Frequency);
    QueryPerformanceCounter(&Start);
    for (i = 0; i < NS_BENCH_LOOKUPS; i++)
    {
        if (!NT_SUCCESS(OpenByName(L"\\BaseNamedObjects\\NsBenchEvent", NULL, FALSE, &Handle))) return MAXDWORD;
        NtClose(Handle);
    }
    QueryPerformanceCounter(&End);
    NtClose(Event);
    return (DWORD)((End.QuadPart - Start.QuadPart) * 1000000000LL / Frequency.QuadPart / NS_BENCH_LOOKUPS);
}

/* Runs the lookup benchmark child on the host or inside Silo; best of three */
static
DWORD
LookupBench(
    _In_opt_ HANDLE Silo)
{
    PROCESS_INFORMATION Child;
    DWORD Best = MAXDWORD, Nanoseconds;
    ULONG Round;

    for (Round = 0; Round < 3; Round++)
    {
        if (!SpawnChild(CHILD_MODE_LOOKUP_BENCH, NULL, TRUE, 0, &Child)) return MAXDWORD;
        if (Silo) NtAssignProcessToJobObject(Silo, Child.hProcess);
        ResumeThread(Child.hThread);
        Nanoseconds = WaitChild(&Child);
        CloseChild(&Child);
        Best = min(Best, Nanoseconds);
    }
    return Best;
}

/* silotest.exe namespace child <host BNO> <done event> <go event>: the checks inside the silo */
static
void
NamespaceChild(
    _In_ char **argv)
{
    HANDLE HostBno = (HANDLE)(ULONG_PTR)strtoul(argv[3], NULL, 0);
    HANDLE Done = (HANDLE)(ULONG_PTR)strtoul(argv[4], NULL, 0);
    HANDLE Go = (HANDLE)(ULONG_PTR)strtoul(argv[5], NULL, 0);
    DWORD Failed = NamespaceChildChecks(HostBno);

    SetEvent(Done);
    WaitForSingleObject(Go, SILOTEST_WAIT_MS);
    ExitProcess(Failed);
}

static
BOOL
SpawnNamespaceChild(
    _In_ HANDLE HostBno,
    _In_ HANDLE Done,
    _In_ HANDLE Go,
    _Out_ PPROCESS_INFORMATION Child)
{
    CHAR Image[MAX_PATH], CommandLine[MAX_PATH + 96];
    STARTUPINFOA StartupInfo;

    /* Inherited handles keep their values in the child */
    SetHandleInformation(HostBno, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    SetHandleInformation(Done, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
    SetHandleInformation(Go, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);

    GetModuleFileNameA(NULL, Image, sizeof(Image));
    _snprintf(CommandLine, sizeof(CommandLine), "\"%s\" namespace child 0x%p 0x%p 0x%p", Image, HostBno, Done, Go);
    CommandLine[sizeof(CommandLine) - 1] = ANSI_NULL;
    ZeroMemory(&StartupInfo, sizeof(StartupInfo));
    StartupInfo.cb = sizeof(StartupInfo);
    return CreateProcessA(Image, CommandLine, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &StartupInfo, Child);
}

START_TEST(namespace)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);
    PROCESS_INFORMATION Child;
    HANDLE Silo, HostEvent, HostProbe = NULL, HostBno = NULL, Done, Go;
    WCHAR Path[NS_PATH_CHARS];
    DWORD HostLookup, SiloLookup, HostAlone;
    ULONG SiloId, i;
    DWORD ExitCode;

    if (argc >= 6 && !strcmp(argv[2], "child"))
    {
        NamespaceChild(argv);
        return;
    }

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available\n");
    HostEvent = CreateEventW(NULL, TRUE, FALSE, L"HostOnlyEvent");
    ok(HostEvent != NULL, "cannot create the host's event\n");
    ok(NT_SUCCESS(CreateNamedEvent(L"\\KernelObjects\\" NS_HOST_PROBE_EVENT, NULL, &HostProbe)),
       "cannot create the host's \\KernelObjects event\n");
    ok(NT_SUCCESS(OpenByName(L"\\BaseNamedObjects", NULL, TRUE, &HostBno)), "cannot open the host's BNO\n");
    Done = CreateEventW(NULL, TRUE, FALSE, NULL);
    Go = CreateEventW(NULL, TRUE, FALSE, NULL);
    ok(PrepareSilo(&Silo, &SiloId), "cannot prepare the silo\n");

    ok(SpawnNamespaceChild(HostBno, Done, Go, &Child), "CreateProcess failed: %lu\n", GetLastError());
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Silo, Child.hProcess)), "assign failed\n");
    ResumeThread(Child.hThread);
    ok(WaitForSingleObject(Done, SILOTEST_WAIT_MS) == WAIT_OBJECT_0, "the child inside the silo never finished\n");

    /* From the host, while the child holds its objects: they are under \Silos\<id> only */
    ok(!Exists(L"\\BaseNamedObjects\\SiloEvent", FALSE), "the silo's event shows in the host's BNO\n");
    ok(!OpenEventW(EVENT_ALL_ACCESS, FALSE, L"SiloWin32Event"), "the silo's Win32 event shows on the host\n");
    ok(!OpenMutexW(MUTEX_ALL_ACCESS, FALSE, L"SiloWin32Mutex"), "the silo's mutex shows on the host\n");
    ok(!OpenSemaphoreW(SEMAPHORE_ALL_ACCESS, FALSE, L"SiloWin32Semaphore"), "the silo's semaphore shows on the host\n");
    ok(!OpenFileMappingW(FILE_MAP_READ, FALSE, L"SiloWin32Section"), "the silo's section shows on the host\n");
    ok(!Exists(L"\\BaseNamedObjects\\ViaGlobalRoot", FALSE), "GLOBALROOT led to the host's BNO\n");
    ok(!Exists(L"\\BaseNamedObjects\\ViaInherited", FALSE), "an object was created in the host's BNO\n");
    ok(!Exists(L"\\BaseNamedObjects\\ViaSiloLink", FALSE), "the silo's link led to the host's BNO\n");
    ok(!Exists(L"\\Device\\SiloEvil", FALSE), "an object was created in the host's \\Device\n");
    ok(!Exists(L"\\KernelObjects\\SiloKernelEvent", FALSE), "the silo's KernelObjects event shows on the host\n");
    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\BaseNamedObjects\\SiloEvent", SiloId);
    ok(Exists(Path, FALSE), "the silo's event is not at %S\n", Path);
    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\BaseNamedObjects\\SiloWin32Event", SiloId);
    ok(Exists(Path, FALSE), "the silo's Win32 event is not at %S\n", Path);
    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\BaseNamedObjects\\ViaGlobalRoot", SiloId);
    ok(Exists(Path, FALSE), "GLOBALROOT's event is not at %S\n", Path);
    ok(OpenEventW(EVENT_ALL_ACCESS, FALSE, L"HostOnlyEvent") != NULL, "the host lost its own event\n");

    SetEvent(Go);
    ExitCode = WaitChild(&Child);
    ok(ExitCode != STILL_ACTIVE, "the child did not end\n");
    for (i = 0; i < ARRAYSIZE(NsChecks); i++)
    {
        ok(ExitCode == STILL_ACTIVE || !(ExitCode & NsChecks[i].Bit), "inside the silo: %s\n", NsChecks[i].What);
    }
    CloseChild(&Child);

    /* Control: on the host the same checks must fail where the host differs, or they prove nothing */
    ResetEvent(Done);
    ResetEvent(Go);
    SetEvent(Go);
    ok(SpawnNamespaceChild(HostBno, Done, Go, &Child), "CreateProcess failed: %lu\n", GetLastError());
    ResumeThread(Child.hThread);
    ExitCode = WaitChild(&Child);
    CloseChild(&Child);
    ok(ExitCode != STILL_ACTIVE &&
       (ExitCode & NS_HOST_ONLY_DIFFERENCES) == NS_HOST_ONLY_DIFFERENCES,
       "on the host the checks gave 0x%08lx, expected at least 0x%08lx\n", ExitCode, (DWORD)NS_HOST_ONLY_DIFFERENCES);

    /* Lookup cost: inside the silo against the host, and the host again once no silo exists */
    HostLookup = LookupBench(NULL);
    SiloLookup = LookupBench(Silo);
    NtClose(Silo);
    ok(!SiloDirectoryExists(SiloId), "\\Silos\\%lu outlived its silo\n", SiloId);
    HostAlone = LookupBench(NULL);
    ok(HostLookup != MAXDWORD && SiloLookup != MAXDWORD && HostAlone != MAXDWORD, "lookup benchmark failed\n");
    if (HostLookup && HostLookup != MAXDWORD && SiloLookup != MAXDWORD)
    {
        trace("ns-bench: lookups=%d host_ns=%lu silo_ns=%lu host_without_silo_ns=%lu ratio=%lu.%03lu (goal <= 1.050)\n",
              NS_BENCH_LOOKUPS, HostLookup, SiloLookup, HostAlone,
              SiloLookup / HostLookup, (SiloLookup % HostLookup) * 1000 / HostLookup);
    }

    CloseHandle(Done);
    CloseHandle(Go);
    CloseHandle(HostEvent);
    if (HostProbe) NtClose(HostProbe);
    NtClose(HostBno);
}
