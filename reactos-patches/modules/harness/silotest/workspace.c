/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Workspaces as a user makes them: silo.exe driven command by
 *              command, each command and its output traced (the transcript),
 *              what it says checked against what the kernel holds
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"
#include <ndk/cmfuncs.h>

#define WS_TOOL                 L"silo.exe"
#define WS_STORE_FOLDER         L"WORKSPACES"
#define WS_OUTPUT_BYTES         8192
#define WS_COMMAND_CHARS        1024
#define WS_TOOL_TIMEOUT_MS      120000
#define WS_HOST_EVENT           L"SiloWorkspaceProbe"
#define WS_REG_KEY              L"\\Registry\\Machine\\SOFTWARE\\SiloWorkspaceTest"
#define WS_REG_VALUE            L"From"
#define WS_WORK_PROGRAMS        4
#define WS_WORK_MEMORY_MB       64
#define WS_WORK_CPU_PERCENT     50
#define WS_SYSTEM_PROCESSES     2       /* a workspace's own SMSS and CSRSS */
#define WS_EXIT_USAGE           2
#define WS_EXIT_FAILED          1

/* Exit code bits of the "wsprobe" child, run in a workspace */
#define WSPROBE_SEES_HOST       0x1     /* it opened the host's event by its name */
#define WSPROBE_NAME_TAKEN      0x2     /* its own event of the same name already existed */
#define WSPROBE_CREATE          0x4

typedef struct _WS_RESULT
{
    DWORD ExitCode;
    CHAR Output[WS_OUTPUT_BYTES];
} WS_RESULT;

/* Runs "silo.exe <Arguments>", traces the command and every line it printed */
static
VOID
Silo(
    _Out_ WS_RESULT *Result,
    _In_ PCWSTR Format,
    ...)
{
    WCHAR Arguments[WS_COMMAND_CHARS], CommandLine[WS_COMMAND_CHARS + 16];
    SECURITY_ATTRIBUTES Inherit = { sizeof(Inherit), NULL, TRUE };
    STARTUPINFOW Startup;
    PROCESS_INFORMATION Process;
    HANDLE ReadEnd, WriteEnd;
    DWORD Read, Used = 0;
    CHAR Copy[WS_OUTPUT_BYTES];
    PSTR Line, Next;
    va_list Args;

    ZeroMemory(Result, sizeof(*Result));
    Result->ExitCode = MAXDWORD;
    va_start(Args, Format);
    _vsnwprintf(Arguments, ARRAYSIZE(Arguments), Format, Args);
    va_end(Args);
    Arguments[ARRAYSIZE(Arguments) - 1] = UNICODE_NULL;
    _snwprintf(CommandLine, ARRAYSIZE(CommandLine), L"%s %s", WS_TOOL, Arguments);
    CommandLine[ARRAYSIZE(CommandLine) - 1] = UNICODE_NULL;

    if (!CreatePipe(&ReadEnd, &WriteEnd, &Inherit, 0))
    {
        ok(FALSE, "CreatePipe failed: %lu\n", GetLastError());
        return;
    }
    SetHandleInformation(ReadEnd, HANDLE_FLAG_INHERIT, 0);
    ZeroMemory(&Startup, sizeof(Startup));
    Startup.cb = sizeof(Startup);
    Startup.dwFlags = STARTF_USESTDHANDLES;
    Startup.hStdInput = NULL;
    Startup.hStdOutput = WriteEnd;
    Startup.hStdError = WriteEnd;
    if (!CreateProcessW(NULL, CommandLine, NULL, NULL, TRUE, 0, NULL, NULL, &Startup, &Process))
    {
        ok(FALSE, "starting '%ls' failed: %lu\n", CommandLine, GetLastError());
        CloseHandle(ReadEnd);
        CloseHandle(WriteEnd);
        return;
    }
    CloseHandle(WriteEnd);
    while (Used < sizeof(Result->Output) - 1 &&
           ReadFile(ReadEnd, Result->Output + Used, sizeof(Result->Output) - 1 - Used, &Read, NULL) && Read != 0)
    {
        Used += Read;
    }
    Result->Output[Used] = ANSI_NULL;
    CloseHandle(ReadEnd);
    if (WaitForSingleObject(Process.hProcess, WS_TOOL_TIMEOUT_MS) == WAIT_OBJECT_0)
    {
        GetExitCodeProcess(Process.hProcess, &Result->ExitCode);
    }
    else
    {
        TerminateProcess(Process.hProcess, ERROR_TIMEOUT);
    }
    CloseHandle(Process.hThread);
    CloseHandle(Process.hProcess);

    /* The transcript: what a user would have typed and seen, line by line */
    trace("workspace-session: > silo %ls\n", Arguments);
    memcpy(Copy, Result->Output, Used + 1);
    for (Line = Copy; Line != NULL && *Line != ANSI_NULL; Line = Next)
    {
        Next = strpbrk(Line, "\r\n");
        if (Next != NULL)
        {
            *Next++ = ANSI_NULL;
            while (*Next == '\r' || *Next == '\n') Next++;
        }
        if (*Line != ANSI_NULL) trace("workspace-session: %s\n", Line);
    }
    trace("workspace-session: (exit %lu)\n", Result->ExitCode);
}

static
BOOL
OutputHas(
    _In_ const WS_RESULT *Result,
    _In_ PCSTR Text)
{
    return strstr(Result->Output, Text) != NULL;
}

static
BOOL
StoreHas(
    _In_ PCWSTR Store,
    _In_ PCWSTR File)
{
    WCHAR Path[MAX_PATH];

    _snwprintf(Path, ARRAYSIZE(Path), L"%s\\%s", Store, File);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    return GetFileAttributesW(Path) != INVALID_FILE_ATTRIBUTES;
}

static
NTSTATUS
OpenWorkspaceJob(
    _In_ PCWSTR Name,
    _Out_ PHANDLE Job)
{
    WCHAR Path[MAX_PATH];
    UNICODE_STRING PathString;
    OBJECT_ATTRIBUTES Attributes;

    _snwprintf(Path, ARRAYSIZE(Path), L"\\SiloWorkspaces\\%s", Name);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&PathString, Path);
    InitializeObjectAttributes(&Attributes, &PathString, OBJ_CASE_INSENSITIVE, NULL, NULL);
    return NtOpenJobObject(Job, JOB_OBJECT_QUERY, &Attributes);
}

/* Whether \Silos\<id> went within the wait (teardown finishes after the stop returns) */
static
BOOL
WaitSiloDirectoryGone(
    _In_ ULONG SiloId)
{
    ULONG Waited;

    for (Waited = 0; Waited < SILOTEST_WAIT_MS; Waited += SILOTEST_POLL_MS)
    {
        if (!SiloDirectoryExists(SiloId)) return TRUE;
        Sleep(SILOTEST_POLL_MS);
    }
    return FALSE;
}

/* The "PROCESSES" column of a "silo list" line, or MAXULONG */
static
ULONG
ListedProcesses(
    _In_ const WS_RESULT *List,
    _In_ PCSTR Name,
    _Out_ PULONG SiloId)
{
    CHAR Prefix[64], State[16];
    PCSTR Line;
    ULONG Id, Processes;

    *SiloId = 0;
    _snprintf(Prefix, sizeof(Prefix), "\n%s ", Name);
    Prefix[sizeof(Prefix) - 1] = ANSI_NULL;
    Line = strstr(List->Output, Prefix);
    if (Line == NULL || sscanf(Line + strlen(Prefix), "%15s %lu %lu", State, &Id, &Processes) != 3 ||
        strcmp(State, "running"))
    {
        return MAXULONG;
    }
    *SiloId = Id;
    return Processes;
}

static
ULONG
KernelActiveProcesses(
    _In_ HANDLE Job)
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION Accounting;

    if (!NT_SUCCESS(NtQueryInformationJobObject(Job, JobObjectBasicAccountingInformation,
                                                &Accounting, sizeof(Accounting), NULL)))
    {
        return MAXULONG;
    }
    return Accounting.ActiveProcesses;
}

/* The host's REG_SZ value, as text, or "" */
static
VOID
ReadHostValue(
    _Out_writes_(Chars) PWSTR Text,
    _In_ ULONG Chars)
{
    UNICODE_STRING KeyName = RTL_CONSTANT_STRING(WS_REG_KEY), ValueName = RTL_CONSTANT_STRING(WS_REG_VALUE);
    OBJECT_ATTRIBUTES Attributes;
    ULONG_PTR Buffer[64];
    PKEY_VALUE_PARTIAL_INFORMATION Value = (PKEY_VALUE_PARTIAL_INFORMATION)Buffer;
    ULONG Length;
    HANDLE Key;

    Text[0] = UNICODE_NULL;
    InitializeObjectAttributes(&Attributes, &KeyName, OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(NtOpenKey(&Key, KEY_READ, &Attributes))) return;
    if (NT_SUCCESS(NtQueryValueKey(Key, &ValueName, KeyValuePartialInformation, Buffer, sizeof(Buffer), &Length)) &&
        Value->Type == REG_SZ)
    {
        Length = min(Value->DataLength / sizeof(WCHAR), Chars - 1);
        memcpy(Text, Value->Data, Length * sizeof(WCHAR));
        Text[Length] = UNICODE_NULL;
        if (Length > 0 && Text[Length - 1] == UNICODE_NULL) Length--;
        Text[Length] = UNICODE_NULL;
    }
    NtClose(Key);
}

static
VOID
DeleteHostKey(VOID)
{
    UNICODE_STRING KeyName = RTL_CONSTANT_STRING(WS_REG_KEY);
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Key;

    InitializeObjectAttributes(&Attributes, &KeyName, OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (NT_SUCCESS(NtOpenKey(&Key, DELETE, &Attributes)))
    {
        NtDeleteKey(Key);
        NtClose(Key);
    }
}

/* The "wsprobe" child: the host's event is not visible, its own name is free */
DWORD
WorkspaceProbeChild(VOID)
{
    HANDLE Event;
    DWORD Failures = 0;

    Event = OpenEventW(SYNCHRONIZE, FALSE, WS_HOST_EVENT);
    if (Event != NULL)
    {
        Failures |= WSPROBE_SEES_HOST;
        CloseHandle(Event);
    }
    Event = CreateEventW(NULL, TRUE, FALSE, WS_HOST_EVENT);
    if (Event == NULL) Failures |= WSPROBE_CREATE;
    else if (GetLastError() == ERROR_ALREADY_EXISTS) Failures |= WSPROBE_NAME_TAKEN;
    if (Event != NULL) CloseHandle(Event);
    return Failures;
}

static
VOID
TestBadInput(
    _In_ PCWSTR Store)
{
    WS_RESULT R;

    Silo(&R, L"help");
    ok(R.ExitCode == 0 && OutputHas(&R, "Commands:"), "help: exit %lu\n", R.ExitCode);
    Silo(&R, L"create /?");
    ok(R.ExitCode == 0 && OutputHas(&R, "/registry"), "create /?: exit %lu\n", R.ExitCode);
    Silo(&R, L"frobnicate");
    ok(R.ExitCode == WS_EXIT_USAGE && OutputHas(&R, "unknown command"), "unknown command: exit %lu\n", R.ExitCode);
    Silo(&R, L"create bad!name");
    ok(R.ExitCode == WS_EXIT_USAGE && OutputHas(&R, "no workspace name"), "bad name: exit %lu\n", R.ExitCode);
    Silo(&R, L"create w1 /processes:0");
    ok(R.ExitCode == WS_EXIT_USAGE && OutputHas(&R, "/processes takes"), "0 processes: exit %lu\n", R.ExitCode);
    Silo(&R, L"create w1 /memory:4096");
    ok(R.ExitCode == WS_EXIT_USAGE && OutputHas(&R, "/memory takes"), "4096 MB: exit %lu\n", R.ExitCode);
    Silo(&R, L"create w1 /cpu:101");
    ok(R.ExitCode == WS_EXIT_USAGE && OutputHas(&R, "/cpu takes"), "101%%: exit %lu\n", R.ExitCode);
    Silo(&R, L"create w1 /registry:mine");
    ok(R.ExitCode == WS_EXIT_USAGE && OutputHas(&R, "unknown registry mode"), "mode: exit %lu\n", R.ExitCode);
    /* What the kernel cannot do yet is refused, not faked */
    Silo(&R, L"create w1 /registry:private-temporary");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "no private silo hives"), "private: exit %lu\n", R.ExitCode);
    Silo(&R, L"create w1 /network:maybe");
    ok(R.ExitCode == WS_EXIT_USAGE && OutputHas(&R, "/network takes"), "network maybe: exit %lu\n", R.ExitCode);
    Silo(&R, L"create w1 /map:C:\\ReactOS=C:\\Host:ro");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "no silo file views"), "map: exit %lu\n", R.ExitCode);
    Silo(&R, L"create w1 /device:Beep");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "is not a device"), "device Beep: exit %lu\n", R.ExitCode);
    Silo(&R, L"create w1 /device:\\Device\\Null;");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "is not a device"), "device list with an empty name: exit %lu\n",
       R.ExitCode);
    /* A failed create leaves nothing */
    ok(!StoreHas(Store, L"w1.silo") && !StoreHas(Store, L"w1.silo.new"), "a failed create left w1's file\n");
    Silo(&R, L"start nosuch");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "no workspace nosuch"), "start nosuch: exit %lu\n", R.ExitCode);
    Silo(&R, L"stop nosuch");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "no such workspace"), "stop nosuch: exit %lu\n", R.ExitCode);
}

static
VOID
TestTwoWorkspaces(
    _In_ PCWSTR Store)
{
    WS_RESULT R;
    WCHAR Value[32], Self[MAX_PATH];
    HANDLE HostEvent, Work = NULL, Play = NULL;
    ULONG WorkId = 0, PlayId = 0, Listed, Id, Before;
    CHAR Expect[MAX_PATH + 32], ProbeArgument[3 * MAX_PATH];
    SYSTEM_VOLUME Volume;

    /* Our own image, by its full path: silo.exe looks a program up from system32 */
    if (!GetModuleFileNameW(NULL, Self, ARRAYSIZE(Self))) wcscpy(Self, SILOTEST_IMAGE);
    DeleteHostKey();
    HostEvent = CreateEventW(NULL, TRUE, FALSE, WS_HOST_EVENT);
    ok(HostEvent != NULL, "cannot create the host's event\n");

    /* work is lent the system volume as a whole, play only the default devices */
    ok(FindSystemVolume(&Volume), "cannot name the system volume\n");
    FormatDeviceProbeArgument(&Volume, ProbeArgument, sizeof(ProbeArgument));
    Silo(&R, L"create work /registry:host-readwrite /processes:%d /memory:%d /cpu:%d /device:%s",
         WS_WORK_PROGRAMS, WS_WORK_MEMORY_MB, WS_WORK_CPU_PERCENT, Volume.Device);
    ok(R.ExitCode == 0 && StoreHas(Store, L"work.silo"), "create work: exit %lu\n", R.ExitCode);
    Silo(&R, L"create play /network:off");
    ok(R.ExitCode == 0 && StoreHas(Store, L"play.silo"), "create play: exit %lu\n", R.ExitCode);
    Silo(&R, L"create work");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "it exists"), "create work twice: exit %lu\n", R.ExitCode);

    /* Started, they outlive the silo.exe that started them */
    Silo(&R, L"start work");
    ok(R.ExitCode == 0 && sscanf(strstr(R.Output, "server silo ") ? strstr(R.Output, "server silo ") + 12 : "",
                                 "%lu", &WorkId) == 1, "start work: exit %lu\n", R.ExitCode);
    Silo(&R, L"start work");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "it is running"), "start work twice: exit %lu\n", R.ExitCode);
    Silo(&R, L"start play");
    ok(R.ExitCode == 0 && sscanf(strstr(R.Output, "server silo ") ? strstr(R.Output, "server silo ") + 12 : "",
                                 "%lu", &PlayId) == 1, "start play: exit %lu\n", R.ExitCode);
    ok(NT_SUCCESS(OpenWorkspaceJob(L"work", &Work)), "\\SiloWorkspaces\\work is not there\n");
    ok(NT_SUCCESS(OpenWorkspaceJob(L"play", &Play)), "\\SiloWorkspaces\\play is not there\n");
    ok(WorkId != 0 && PlayId != 0 && WorkId != PlayId, "silo ids %lu and %lu\n", WorkId, PlayId);
    ok(SiloDirectoryExists(WorkId) && SiloDirectoryExists(PlayId), "a workspace has no \\Silos entry\n");

    /* Programs in each, their output and exit codes through silo.exe */
    Silo(&R, L"run work cmd.exe /c echo hello-from-work");
    ok(R.ExitCode == 0 && OutputHas(&R, "hello-from-work"), "run cmd in work: exit %lu\n", R.ExitCode);
    Silo(&R, L"run play %s child exit 7", Self);
    ok(R.ExitCode == 7, "a program's exit code: %lu\n", R.ExitCode);
    Before = Work ? KernelActiveProcesses(Work) : MAXULONG;
    Silo(&R, L"run work nosuchprogram.exe");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "no such program"), "run a missing program: exit %lu\n",
       R.ExitCode);
    ok(Work && KernelActiveProcesses(Work) == Before, "a failed run left a process: %lu, %lu before\n",
       Work ? KernelActiveProcesses(Work) : 0, Before);

    /* Objects: each sees its own namespace, not the host's nor the other's */
    Silo(&R, L"run work %s child wsprobe", Self);
    ok(R.ExitCode == 0, "work's namespace probe: mask 0x%lx\n", R.ExitCode);
    Silo(&R, L"run play %s child wsprobe", Self);
    ok(R.ExitCode == 0, "play's namespace probe: mask 0x%lx\n", R.ExitCode);

    /* Network: work has the host's, play none (the probe checks sockets and a loopback round trip) */
    if (WaitForNetworkStack())
    {
        Silo(&R, L"run work %s child netprobe %d:0:0", Self, (int)SiloNetworkHost);
        ok(R.ExitCode == 0, "work's network probe: mask 0x%lx\n", R.ExitCode);
    }
    Silo(&R, L"run play %s child netprobe %d:0:0", Self, (int)SiloNetworkNone);
    ok(R.ExitCode == 0, "play's network probe: mask 0x%lx\n", R.ExitCode);

    /* Devices: work opens the system volume whole by every name, play only files on it */
    Silo(&R, L"run work %s child devprobe %S", Self, ProbeArgument);
    ok(R.ExitCode == DEVPROBE_RESULT(ALL_DEVICE_TARGETS, 0), "work's device probe: 0x%lx\n", R.ExitCode);
    Silo(&R, L"run play %s child devprobe %S", Self, ProbeArgument);
    ok(R.ExitCode == DEVPROBE_RESULT(DEFAULT_SET_TARGETS | TARGET_BIT(TargetVolumeFile), 0),
       "play's device probe: 0x%lx\n", R.ExitCode);

    /* Registry: work writes the host's hives (host-readwrite), play cannot (host-readonly) */
    Silo(&R, L"run work reg.exe add HKLM\\SOFTWARE\\SiloWorkspaceTest /v From /t REG_SZ /d work /f");
    ok(R.ExitCode == 0, "reg add in work: exit %lu\n", R.ExitCode);
    ReadHostValue(Value, ARRAYSIZE(Value));
    ok(!wcscmp(Value, L"work"), "the host reads '%ls' after work's write\n", Value);
    Silo(&R, L"run play reg.exe add HKLM\\SOFTWARE\\SiloWorkspaceTest /v From /t REG_SZ /d play /f");
    ok(R.ExitCode != 0, "reg add in play (host-readonly) succeeded\n");
    ReadHostValue(Value, ARRAYSIZE(Value));
    ok(!wcscmp(Value, L"work"), "the host reads '%ls' after play's refused write\n", Value);

    /* What silo list and inspect say is what the kernel holds */
    Silo(&R, L"list");
    ok(R.ExitCode == 0, "list: exit %lu\n", R.ExitCode);
    Listed = ListedProcesses(&R, "work", &Id);
    ok(Work && Listed == KernelActiveProcesses(Work) && Id == WorkId, "list says work has %lu processes in silo %lu; "
       "the kernel %lu in %lu\n", Listed, Id, Work ? KernelActiveProcesses(Work) : 0, WorkId);
    Listed = ListedProcesses(&R, "play", &Id);
    ok(Play && Listed == KernelActiveProcesses(Play) && Id == PlayId, "list says play has %lu processes; the kernel %lu\n",
       Listed, Play ? KernelActiveProcesses(Play) : 0);
    Silo(&R, L"inspect work");
    _snprintf(Expect, sizeof(Expect), "kernel-process-limit=%d", WS_WORK_PROGRAMS + WS_SYSTEM_PROCESSES);
    ok(R.ExitCode == 0 && OutputHas(&R, "state=running") && OutputHas(&R, Expect) &&
       OutputHas(&R, "kernel-registry=host-readwrite") && OutputHas(&R, "kernel-cpu-rate=5000") &&
       OutputHas(&R, "kernel-memory-limit-kb=65536") && OutputHas(&R, "kernel-network=on"),
       "inspect work: the kernel's figures differ\n");
    _snprintf(Expect, sizeof(Expect), "kernel-devices=%ls", Volume.Device);
    ok(OutputHas(&R, Expect), "inspect work: no %s\n", Expect);

    /* Stopping one leaves the other running */
    Silo(&R, L"rm work");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "it is running"), "rm of a running workspace: exit %lu\n",
       R.ExitCode);
    Silo(&R, L"stop work");
    ok(R.ExitCode == 0 && OutputHas(&R, "stopped"), "stop work: exit %lu\n", R.ExitCode);
    /* A silo's namespace lives as long as its job: our own handle goes first */
    if (Work) NtClose(Work);
    Work = NULL;
    ok(WaitSiloDirectoryGone(WorkId), "\\Silos\\%lu outlived its stop\n", WorkId);
    Silo(&R, L"run play cmd.exe /c echo play-runs-on");
    ok(R.ExitCode == 0 && OutputHas(&R, "play-runs-on"), "play after work stopped: exit %lu\n", R.ExitCode);
    Silo(&R, L"inspect play");
    ok(R.ExitCode == 0 && OutputHas(&R, "state=running") && OutputHas(&R, "kernel-registry=host-readonly") &&
       OutputHas(&R, "kernel-network=off"), "inspect play: exit %lu\n", R.ExitCode);
    Silo(&R, L"run work cmd.exe /c echo nope");
    ok(R.ExitCode == WS_EXIT_FAILED, "run in a stopped workspace: exit %lu\n", R.ExitCode);
    Silo(&R, L"stop play /timeout:1");
    ok(R.ExitCode == 0, "stop play: exit %lu\n", R.ExitCode);
    if (Play) NtClose(Play);
    Play = NULL;
    Silo(&R, L"stop play");
    ok(R.ExitCode == WS_EXIT_FAILED && OutputHas(&R, "not running"), "stop play twice: exit %lu\n", R.ExitCode);
    Silo(&R, L"rm play");
    ok(R.ExitCode == 0 && !StoreHas(Store, L"play.silo"), "rm play: exit %lu\n", R.ExitCode);
    Silo(&R, L"list");
    ok(R.ExitCode == 0 && OutputHas(&R, "work") && !OutputHas(&R, "play"), "list after: exit %lu\n", R.ExitCode);

    /* Nothing of the stopped silos is left, the definition of work stays for the host to read */
    ok(WaitSiloDirectoryGone(PlayId), "\\Silos\\%lu outlived its stop\n", PlayId);
    ok(!NT_SUCCESS(OpenWorkspaceJob(L"work", &Work)), "\\SiloWorkspaces\\work outlived its stop\n");
    ok(!NT_SUCCESS(OpenWorkspaceJob(L"play", &Play)), "\\SiloWorkspaces\\play outlived its stop\n");
    trace("workspace: work_silo=%lu play_silo=%lu store=%ls\n", WorkId, PlayId, Store);
    DeleteHostKey();
    if (HostEvent) CloseHandle(HostEvent);
}

/* The host reads the store from the image as soon as the runner is done: silo.exe's renames and deletes
   must be on the disk, not only in the FAT driver's cache */
static
VOID
FlushStoreVolume(
    _In_ WCHAR Letter)
{
    WCHAR VolumePath[] = L"\\\\.\\?:";
    HANDLE Volume;

    VolumePath[4] = Letter;
    Volume = CreateFileW(VolumePath, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                         OPEN_EXISTING, 0, NULL);
    ok(Volume != INVALID_HANDLE_VALUE, "opening %ls failed with %lu\n", VolumePath, GetLastError());
    if (Volume == INVALID_HANDLE_VALUE) return;
    ok(FlushFileBuffers(Volume), "flushing %ls failed with %lu\n", VolumePath, GetLastError());
    CloseHandle(Volume);
}

START_TEST(workspace)
{
    WCHAR Store[MAX_PATH];
    WCHAR Letter;

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available: the silo tests need SYSTEM\n");
    Letter = FindScratchLetter();
    ok(Letter != 0, "no scratch disk labelled %ls: this test keeps its workspaces there\n", SCRATCH_DISK_LABEL);
    if (Letter == 0) return;
    _snwprintf(Store, ARRAYSIZE(Store), L"%c:\\%s", Letter, WS_STORE_FOLDER);
    Store[ARRAYSIZE(Store) - 1] = UNICODE_NULL;
    ok(SetEnvironmentVariableW(L"SILO_STORE", Store), "cannot set SILO_STORE\n");

    TestBadInput(Store);
    TestTwoWorkspaces(Store);
    FlushStoreVolume(Letter);
}
