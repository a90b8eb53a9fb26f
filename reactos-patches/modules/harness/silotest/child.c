/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Child processes the silo tests start in jobs and silos
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"
#include "escape.h"

#define CHILD_SPIN_BYTES_PER_KB     1024
#define CHILD_SPIN_STRIDE           4096    /* one write per page */

/* Checks the silo from the inside; each failed check sets one bit of the exit code */
static
DWORD
CheckFromInsideSilo(
    _In_ ULONG SiloId)
{
    SILO_USER_SHARED_DATA Shared;
    SILOOBJECT_BASIC_INFORMATION Basic;
    SERVERSILO_INIT_INFORMATION Init;
    ULONG_PTR RootBuffer[(sizeof(SILOOBJECT_ROOT_DIRECTORY) + 64) / sizeof(ULONG_PTR)];
    SYSTEM_ROOT_SILO_INFORMATION RootSilos;
    PROCESS_MEMBERSHIP_INFORMATION Membership;
    HANDLE Nested;
    DWORD Failures = 0;
    NTSTATUS Status;

    /* A NULL handle is the caller's own silo */
    Status = NtQueryInformationJobObject(NULL, JobObjectServerSiloUserSharedData,
                                         &Shared, sizeof(Shared), NULL);
    if (!NT_SUCCESS(Status)) Failures |= INSILO_FAIL_SHARED_DATA;
    else if (Shared.ServiceSessionId != SiloId) Failures |= INSILO_FAIL_SESSION_ID;

    Status = NtQueryInformationJobObject(NULL, JobObjectSiloBasicInformation,
                                         &Basic, sizeof(Basic), NULL);
    if (!NT_SUCCESS(Status) || Basic.SiloId != SiloId || !Basic.IsInServerSilo)
        Failures |= INSILO_FAIL_OWN_JOB_BASIC;

    /* Only the parent (the host) may ask where the silo root is */
    Status = NtQueryInformationJobObject(NULL, JobObjectSiloRootDirectory,
                                         RootBuffer, sizeof(RootBuffer), NULL);
    if (Status != STATUS_CONTEXT_MISMATCH) Failures |= INSILO_FAIL_ROOT_QUERY;

    /* A silo learns of no other silo, and sees itself as its own process's silo */
    RootSilos.NumberOfSilos = MAXULONG;
    Status = NtQuerySystemInformation(SystemRootSiloInformation, &RootSilos, sizeof(RootSilos), NULL);
    if (Status != STATUS_SUCCESS || RootSilos.NumberOfSilos != 0) Failures |= INSILO_FAIL_ROOT_SILO_LIST;
    Status = NtQueryInformationProcess(NtCurrentProcess(), ProcessMembershipInformation,
                                       &Membership, sizeof(Membership), NULL);
    if (Status != STATUS_SUCCESS || Membership.ServerSiloId != SiloId) Failures |= INSILO_FAIL_MEMBERSHIP;

    /* No silo inside a silo */
    if (!NT_SUCCESS(CreateJob(&Nested, JOB_OBJECT_LIMIT_SILO_READY)))
        return Failures | INSILO_FAIL_SETUP;
    Status = NtSetInformationJobObject(Nested, JobObjectCreateSilo, NULL, 0);
    if (Status != STATUS_PRIVILEGE_NOT_HELD) Failures |= INSILO_FAIL_NESTED_CREATE;

    ZeroMemory(&Init, sizeof(Init));
    Status = NtSetInformationJobObject(Nested, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    if (Status != STATUS_PRIVILEGE_NOT_HELD && Status != STATUS_JOB_NO_CONTAINER)
        Failures |= INSILO_FAIL_NESTED_INIT;
    NtClose(Nested);

    return Failures;
}

/* Whether the named object can be opened (the handle is closed again) */
static
BOOL
CanOpenNamed(
    _In_ PCWSTR Prefix,
    _In_ PCWSTR Name,
    _In_ int Kind)
{
    WCHAR FullName[MAX_PATH];
    HANDLE Handle = NULL;

    _snwprintf(FullName, ARRAYSIZE(FullName), L"%s%s", Prefix, Name);
    FullName[ARRAYSIZE(FullName) - 1] = UNICODE_NULL;
    switch (Kind)
    {
        case 0: Handle = OpenEventW(SYNCHRONIZE, FALSE, FullName); break;
        case 1: Handle = OpenMutexW(SYNCHRONIZE, FALSE, FullName); break;
        default: Handle = OpenFileMappingW(FILE_MAP_READ, FALSE, FullName); break;
    }
    if (Handle) CloseHandle(Handle);
    return Handle != NULL;
}

/* Waits for the busy pipe, then connects to it: TRUE if both worked */
static
DWORD
WINAPI
WaitForPipeAndConnect(
    _In_ LPVOID Unused)
{
    HANDLE Client;

    UNREFERENCED_PARAMETER(Unused);
    if (!WaitNamedPipeW(WIN32SILO_PIPE_PREFIX WIN32SILO_WAIT_PIPE, SILOTEST_WAIT_MS)) return FALSE;
    Client = CreateFileW(WIN32SILO_PIPE_PREFIX WIN32SILO_WAIT_PIPE, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                         OPEN_EXISTING, 0, NULL);
    if (Client == INVALID_HANDLE_VALUE) return FALSE;
    CloseHandle(Client);
    return TRUE;
}

/*
 * A thread waits (WaitNamedPipe) for a pipe whose only instance is busy, and
 * is woken when the server listens again: the pipe file system queues a
 * silo's waiters under the silo's pipe names.
 */
static
BOOL
WaitForBusyPipe(VOID)
{
    OVERLAPPED Overlapped;
    HANDLE Server, FirstClient, Waiter;
    DWORD Connected = FALSE;

    Server = CreateNamedPipeW(WIN32SILO_PIPE_PREFIX WIN32SILO_WAIT_PIPE, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                              PIPE_TYPE_BYTE | PIPE_WAIT, 1, WIN32SILO_PIPE_BYTES, WIN32SILO_PIPE_BYTES, 0, NULL);
    if (Server == INVALID_HANDLE_VALUE) return FALSE;
    FirstClient = CreateFileW(WIN32SILO_PIPE_PREFIX WIN32SILO_WAIT_PIPE, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                              OPEN_EXISTING, 0, NULL);
    ZeroMemory(&Overlapped, sizeof(Overlapped));
    Overlapped.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    Waiter = CreateThread(NULL, 0, WaitForPipeAndConnect, NULL, 0, NULL);
    if (FirstClient != INVALID_HANDLE_VALUE && Overlapped.hEvent && Waiter)
    {
        /* The only instance is busy: the waiter queues until the server listens again */
        Sleep(WIN32SILO_WAITER_START_MS);
        CloseHandle(FirstClient);
        FirstClient = INVALID_HANDLE_VALUE;
        DisconnectNamedPipe(Server);
        if (!ConnectNamedPipe(Server, &Overlapped) && GetLastError() == ERROR_IO_PENDING)
        {
            WaitForSingleObject(Overlapped.hEvent, SILOTEST_WAIT_MS);
        }
        if (WaitForSingleObject(Waiter, SILOTEST_WAIT_MS) != WAIT_OBJECT_0 || !GetExitCodeThread(Waiter, &Connected))
        {
            Connected = FALSE;
        }
    }
    /* Closing the server ends a connect or a wait still pending */
    CloseHandle(Server);
    if (Waiter)
    {
        WaitForSingleObject(Waiter, SILOTEST_WAIT_MS);
        CloseHandle(Waiter);
    }
    if (FirstClient != INVALID_HANDLE_VALUE) CloseHandle(FirstClient);
    if (Overlapped.hEvent) CloseHandle(Overlapped.hEvent);
    return Connected == TRUE;
}

/*
 * A Win32 program in a server silo with its own CSRSS: its named objects,
 * pipes, processes and drive letters are the silo's. Each failed check
 * sets one bit of the exit code. The host looks from outside until it sets
 * the release event, which this program creates last.
 */
static
DWORD
CheckWin32InSilo(VOID)
{
    static const PCWSTR HostObjects[] = { WIN32SILO_HOST_EVENT, WIN32SILO_HOST_MUTEX, WIN32SILO_HOST_SECTION };
    HANDLE Event, Mutex, Section, Release, Probe, OwnPipe, ListeningPipe;
    PROCESS_INFORMATION ProcessInfo;
    WCHAR Target[MAX_PATH], Image[MAX_PATH];
    DWORD Failures = 0;
    int Kind;

    Event = CreateEventW(NULL, TRUE, FALSE, WIN32SILO_EVENT);
    Mutex = CreateMutexW(NULL, FALSE, WIN32SILO_MUTEX);
    Section = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, WIN32SILO_SECTION_BYTES,
                                 WIN32SILO_SECTION);
    if (!Event || !Mutex || !Section) Failures |= WIN32SILO_FAIL_CREATE;

    /* The host's objects are the host's, by any name a silo has for them */
    for (Kind = 0; Kind < ARRAYSIZE(HostObjects); Kind++)
    {
        if (CanOpenNamed(L"", HostObjects[Kind], Kind)) Failures |= WIN32SILO_FAIL_SEES_HOST;
        if (CanOpenNamed(L"Global\\", HostObjects[Kind], Kind)) Failures |= WIN32SILO_FAIL_SEES_HOST_GLOBAL;
    }

    /* Pipes: the host's is not reachable, and the silo's may have the name of another host pipe */
    Probe = CreateFileW(WIN32SILO_PIPE_PREFIX WIN32SILO_HOST_PIPE, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                        OPEN_EXISTING, 0, NULL);
    if (Probe != INVALID_HANDLE_VALUE)
    {
        Failures |= WIN32SILO_FAIL_PIPE_HOST;
        CloseHandle(Probe);
    }
    OwnPipe = CreateNamedPipeW(WIN32SILO_PIPE_PREFIX WIN32SILO_PIPE, PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE,
                               PIPE_TYPE_BYTE | PIPE_WAIT, PIPE_UNLIMITED_INSTANCES, WIN32SILO_PIPE_BYTES,
                               WIN32SILO_PIPE_BYTES, 0, NULL);
    Probe = CreateFileW(WIN32SILO_PIPE_PREFIX WIN32SILO_PIPE, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                        OPEN_EXISTING, 0, NULL);
    if (OwnPipe == INVALID_HANDLE_VALUE || Probe == INVALID_HANDLE_VALUE) Failures |= WIN32SILO_FAIL_PIPE_OWN;
    if (Probe != INVALID_HANDLE_VALUE) CloseHandle(Probe);

    /* A second instance for the host to reach by the silo's full name */
    ListeningPipe = CreateNamedPipeW(WIN32SILO_PIPE_PREFIX WIN32SILO_PIPE, PIPE_ACCESS_DUPLEX,
                                     PIPE_TYPE_BYTE | PIPE_WAIT, PIPE_UNLIMITED_INSTANCES, WIN32SILO_PIPE_BYTES,
                                     WIN32SILO_PIPE_BYTES, 0, NULL);
    if (ListeningPipe == INVALID_HANDLE_VALUE) Failures |= WIN32SILO_FAIL_PIPE_OWN;
    if (!WaitForBusyPipe()) Failures |= WIN32SILO_FAIL_PIPE_WAIT;

    /* CreateProcess is served by the silo's CSRSS */
    if (!SpawnChild(CHILD_MODE_EXIT, WIN32SILO_CHILD_EXIT_CODE, FALSE, DETACHED_PROCESS, &ProcessInfo) ||
        WaitChild(&ProcessInfo) != strtoul(WIN32SILO_CHILD_EXIT_CODE, NULL, 0))
    {
        Failures |= WIN32SILO_FAIL_CHILD;
    }
    CloseChild(&ProcessInfo);

    /* \?? is the silo's device map: the system drive is lent by the host, Q: is the silo's own */
    if (!GetModuleFileNameW(NULL, Image, ARRAYSIZE(Image)) || Image[1] != L':') Failures |= WIN32SILO_FAIL_SETUP;
    Image[2] = UNICODE_NULL;
    if (!QueryDosDeviceW(Image, Target, ARRAYSIZE(Target))) Failures |= WIN32SILO_FAIL_DRIVE;
    if (!DefineDosDeviceW(DDD_NO_BROADCAST_SYSTEM, WIN32SILO_DRIVE, WIN32SILO_DRIVE_TARGET) ||
        !QueryDosDeviceW(WIN32SILO_DRIVE, Target, ARRAYSIZE(Target)))
    {
        Failures |= WIN32SILO_FAIL_DEFINE_DRIVE;
    }

    Release = CreateEventW(NULL, TRUE, FALSE, WIN32SILO_RELEASE);
    if (!Release) Failures |= WIN32SILO_FAIL_SETUP;
    else if (WaitForSingleObject(Release, SILOTEST_WAIT_MS) != WAIT_OBJECT_0) Failures |= WIN32SILO_FAIL_RELEASE;

    if (Release) CloseHandle(Release);
    if (ListeningPipe != INVALID_HANDLE_VALUE) CloseHandle(ListeningPipe);
    if (OwnPipe != INVALID_HANDLE_VALUE) CloseHandle(OwnPipe);
    if (Section) CloseHandle(Section);
    if (Mutex) CloseHandle(Mutex);
    if (Event) CloseHandle(Event);
    return Failures;
}

/* Creates Count processes one after the other; returns the milliseconds it took */
static
DWORD
CreateProcessesTimed(
    _In_ ULONG Count)
{
    PROCESS_INFORMATION ProcessInfo;
    LARGE_INTEGER Frequency, Start, End;
    ULONG i;

    QueryPerformanceFrequency(&Frequency);
    QueryPerformanceCounter(&Start);
    for (i = 0; i < Count; i++)
    {
        if (!SpawnChild(CHILD_MODE_EXIT, "0", FALSE, 0, &ProcessInfo)) return MAXDWORD;
        WaitForSingleObject(ProcessInfo.hProcess, INFINITE);
        CloseHandle(ProcessInfo.hThread);
        CloseHandle(ProcessInfo.hProcess);
    }
    QueryPerformanceCounter(&End);
    return (DWORD)((End.QuadPart - Start.QuadPart) * 1000 / Frequency.QuadPart);
}

/* A permanent directory or event named Name below Parent (NULL: absolute), its handle in *Handle */
static
NTSTATUS
CreatePermanent(
    _In_opt_ HANDLE Parent,
    _In_ PCWSTR Name,
    _In_ BOOL Directory,
    _Out_ PHANDLE Handle)
{
    OBJECT_ATTRIBUTES ObjectAttributes;
    UNICODE_STRING String;

    RtlInitUnicodeString(&String, Name);
    InitializeObjectAttributes(&ObjectAttributes, &String, OBJ_PERMANENT | OBJ_CASE_INSENSITIVE, Parent, NULL);
    if (Directory) return NtCreateDirectoryObject(Handle, DIRECTORY_ALL_ACCESS, &ObjectAttributes);
    return NtCreateEvent(Handle, EVENT_ALL_ACCESS, &ObjectAttributes, NotificationEvent, FALSE);
}

/*
 * Below its silo's root: RaceDeep with RACE_TREE_DEPTH nested directories,
 * and RaceWide with RACE_TREE_WIDTH events, all permanent. Returns how many
 * objects it made (RACE_TREE_OBJECTS when all).
 */
static
DWORD
MakeRaceTrees(VOID)
{
    WCHAR Name[RACE_TREE_NAME_CHARS];
    HANDLE Parent, Child;
    DWORD Made = 0;
    ULONG i;

    if (!EnablePrivilege(SE_CREATE_PERMANENT_PRIVILEGE)) return Made;

    if (!NT_SUCCESS(CreatePermanent(NULL, RACE_TREE_DEEP, TRUE, &Parent))) return Made;
    Made++;
    for (i = 1; i <= RACE_TREE_DEPTH; i++)
    {
        swprintf(Name, RACE_TREE_DEEP_LEVEL, i);
        if (!NT_SUCCESS(CreatePermanent(Parent, Name, TRUE, &Child))) break;
        NtClose(Parent);
        Parent = Child;
        Made++;
    }
    NtClose(Parent);

    if (!NT_SUCCESS(CreatePermanent(NULL, RACE_TREE_WIDE, TRUE, &Parent))) return Made;
    Made++;
    for (i = 0; i < RACE_TREE_WIDTH; i++)
    {
        swprintf(Name, RACE_TREE_WIDE_ENTRY, i);
        if (!NT_SUCCESS(CreatePermanent(Parent, Name, FALSE, &Child))) break;
        NtClose(Child);
        Made++;
    }
    NtClose(Parent);
    return Made;
}

/* Marks this process critical: its death is fatal to whatever hosts it */
static
BOOL
MakeCritical(VOID)
{
    return EnablePrivilege(SE_DEBUG_PRIVILEGE) &&
           NT_SUCCESS(RtlSetProcessIsCritical(TRUE, NULL, FALSE));
}

/* CPU and memory traffic until killed: writes over KiloBytes of committed memory, one byte per page */
static
DWORD
SpinOverMemory(
    _In_ ULONG KiloBytes)
{
    SIZE_T Bytes = (SIZE_T)KiloBytes * CHILD_SPIN_BYTES_PER_KB, Offset;
    volatile UCHAR *Memory;

    Memory = VirtualAlloc(NULL, Bytes ? Bytes : CHILD_SPIN_STRIDE, MEM_COMMIT, PAGE_READWRITE);
    if (!Memory) return GetLastError();
    for (;;)
    {
        for (Offset = 0; Offset < Bytes; Offset += CHILD_SPIN_STRIDE) Memory[Offset]++;
        if (!Bytes) Memory[0]++;
    }
}

VOID
ChildMain(
    _In_ int argc,
    _In_ char **argv)
{
    PCSTR Mode = (argc > 2) ? argv[2] : "";
    PCSTR Argument = (argc > 3) ? argv[3] : "0";
    PROCESS_INFORMATION ProcessInfo;
    DWORD ExitCode = 0;

    if (!strcmp(Mode, CHILD_MODE_WAIT))
    {
        Sleep(CHILD_SLEEP_FOREVER_MS);
    }
    else if (!strcmp(Mode, CHILD_MODE_EXIT))
    {
        ExitCode = strtoul(Argument, NULL, 0);
    }
    else if (!strcmp(Mode, CHILD_MODE_SPAWN) || !strcmp(Mode, CHILD_MODE_SPAWN_SHORT) ||
             !strcmp(Mode, CHILD_MODE_SPAWN_BREAKAWAY))
    {
        PCSTR GrandchildMode = !strcmp(Mode, CHILD_MODE_SPAWN) ? CHILD_MODE_WAIT : CHILD_MODE_EXIT;
        DWORD Flags = !strcmp(Mode, CHILD_MODE_SPAWN_BREAKAWAY) ? CREATE_BREAKAWAY_FROM_JOB : 0;

        if (!SpawnChild(GrandchildMode, NULL, FALSE, Flags, &ProcessInfo))
        {
            ExitCode = GetLastError();
        }
        else
        {
            WaitForSingleObject(ProcessInfo.hProcess, INFINITE);
            CloseHandle(ProcessInfo.hThread);
            CloseHandle(ProcessInfo.hProcess);
        }
    }
    else if (!strcmp(Mode, CHILD_MODE_INSILO))
    {
        ExitCode = CheckFromInsideSilo(strtoul(Argument, NULL, 0));
    }
    else if (!strcmp(Mode, CHILD_MODE_BENCH))
    {
        ExitCode = CreateProcessesTimed(strtoul(Argument, NULL, 0));
    }
    else if (!strcmp(Mode, CHILD_MODE_CRITICAL) || !strcmp(Mode, CHILD_MODE_CRITICAL_WAIT))
    {
        if (!MakeCritical()) ExitProcess(ERROR_PRIVILEGE_NOT_HELD);
        if (!strcmp(Mode, CHILD_MODE_CRITICAL_WAIT)) Sleep(CHILD_SLEEP_FOREVER_MS);
        ExitCode = strtoul(Argument, NULL, 0);
    }
    else if (!strcmp(Mode, CHILD_MODE_WIN32_IN_SILO))
    {
        ExitCode = CheckWin32InSilo();
    }
    else if (!strcmp(Mode, CHILD_MODE_KILL_WAIT))
    {
        HANDLE Victim = OpenProcess(PROCESS_TERMINATE, FALSE, strtoul(Argument, NULL, 0));

        /* A process that runs on after the kill: only its silo's end ends it */
        if (!Victim || !TerminateProcess(Victim, ERROR_CANCELLED)) ExitProcess(GetLastError());
        CloseHandle(Victim);
        Sleep(CHILD_SLEEP_FOREVER_MS);
    }
    else if (!strcmp(Mode, CHILD_MODE_CRITICAL_THREAD_WAIT))
    {
        ULONG Critical = TRUE;

        if (!EnablePrivilege(SE_DEBUG_PRIVILEGE) ||
            !NT_SUCCESS(NtSetInformationThread(NtCurrentThread(), ThreadBreakOnTermination, &Critical,
                                               sizeof(Critical))))
        {
            ExitProcess(ERROR_PRIVILEGE_NOT_HELD);
        }
        Sleep(CHILD_SLEEP_FOREVER_MS);
    }
    else if (!strcmp(Mode, CHILD_MODE_KILL_THREAD_WAIT))
    {
        HANDLE Victim = OpenThread(THREAD_TERMINATE, FALSE, strtoul(Argument, NULL, 0));

        if (!Victim || !TerminateThread(Victim, ERROR_CANCELLED)) ExitProcess(GetLastError());
        CloseHandle(Victim);
        Sleep(CHILD_SLEEP_FOREVER_MS);
    }
    else if (!strcmp(Mode, CHILD_MODE_CLOSE_JOB_WAIT))
    {
        PSTR Next;
        HANDLE Job = (HANDLE)(ULONG_PTR)strtoul(Argument, &Next, 0);
        HANDLE Go = (HANDLE)(ULONG_PTR)strtoul(Next + (*Next == ':'), NULL, 0);

        /* The last handle of a kill-on-close silo, once the host closed its own: closing it ends the silo */
        WaitForSingleObject(Go, INFINITE);
        NtClose(Job);
        Sleep(CHILD_SLEEP_FOREVER_MS);
    }
    else if (!strcmp(Mode, CHILD_MODE_SPIN))
    {
        ExitCode = SpinOverMemory(strtoul(Argument, NULL, 0));
    }
    else if (!strcmp(Mode, CHILD_MODE_MAKE_TREE))
    {
        ExitCode = MakeRaceTrees();
    }
    else if (!strcmp(Mode, CHILD_MODE_ESCAPE))
    {
        ExitCode = EscapeFromSilo();
    }
    else if (!strcmp(Mode, CHILD_MODE_LOOKUP_BENCH))
    {
        ExitCode = LookupBenchNanoseconds();
    }
    else if (!strcmp(Mode, CHILD_MODE_SHUTDOWN))
    {
        EnablePrivilege(SE_SHUTDOWN_PRIVILEGE);
        ExitCode = NtShutdownSystem((SHUTDOWN_ACTION)strtoul(Argument, NULL, 0));
    }
    else if (!strcmp(Mode, CHILD_MODE_SLEEP))
    {
        EnablePrivilege(SE_SHUTDOWN_PRIVILEGE);
        ExitCode = NtSetSystemPowerState(PowerActionSleep, PowerSystemSleeping1, 0);
    }
    else if (!strcmp(Mode, CHILD_MODE_HARD_ERROR))
    {
        ULONG Response;

        EnablePrivilege(SE_SHUTDOWN_PRIVILEGE);
        EnablePrivilege(SE_TCB_PRIVILEGE);
        ExitCode = NtRaiseHardError(strtoul(Argument, NULL, 0), 0, 0, NULL, OptionShutdownSystem, &Response);
    }
    else if (!strcmp(Mode, CHILD_MODE_NET_PROBE))
    {
        ExitCode = NetworkProbeChild(Argument);
    }
    else if (!strcmp(Mode, CHILD_MODE_DEVICE_PROBE))
    {
        ExitCode = DeviceProbeChild(Argument);
    }
    else if (!strcmp(Mode, CHILD_MODE_DEVICE_CONTROL_PROBE))
    {
        ExitCode = DeviceControlProbeChild(Argument);
    }
    else if (!strcmp(Mode, CHILD_MODE_WORKSPACE_PROBE))
    {
        ExitCode = WorkspaceProbeChild();
    }
    else if (!strcmp(Mode, CHILD_MODE_REGISTRY_WRITE))
    {
        ExitCode = RegistryWriteChild(Argument);
    }
    else if (!PrisonChildMain(Mode, Argument, &ExitCode))
    {
        ExitCode = ERROR_INVALID_PARAMETER;
    }

    /* Skip the test framework's summary: the exit code is the result */
    ExitProcess(ExitCode);
}

START_TEST(child)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    ChildMain(argc, argv);
}
