/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The host SMSS starts a server silo's own SMSS (SmStartServerSilo),
 *              which boots the silo's namespace; several silos at once
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"
#include <sm/smmsg.h>

#define SMSS_IMAGE                  L"smss.exe"
#define SMSS_READY_TIMEOUT_MS       30000
#define SMSS_PARALLEL_SILOS         3
#define SMSS_CAPACITY_GOAL          32
#define SMSS_MAX_PIDS               64

/* What a silo's SMSS creates in the silo's namespace before it is ready */
static const PCWSTR SiloBootObjects[] =
{
    L"Sessions", L"Windows", L"RPC Control", L"KnownDlls", L"GLOBAL??\\NUL",
};

static
BOOL
SiloObjectExists(
    _In_ ULONG SiloId,
    _In_ PCWSTR Relative)
{
    WCHAR Path[MAX_PATH];
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Handle;

    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\%s", SiloId, Relative);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (NT_SUCCESS(NtOpenDirectoryObject(&Handle, DIRECTORY_QUERY, &Attributes)) ||
        NT_SUCCESS(NtOpenSymbolicLinkObject(&Handle, SYMBOLIC_LINK_QUERY, &Attributes)))
    {
        NtClose(Handle);
        return TRUE;
    }
    return FALSE;
}

/* Milliseconds until the silo's SMSS booted its namespace, or MAXDWORD */
static
DWORD
WaitSiloSmssReady(
    _In_ ULONG SiloId)
{
    DWORD Start = GetTickCount();
    ULONG i;

    for (;;)
    {
        for (i = 0; i < ARRAYSIZE(SiloBootObjects) && SiloObjectExists(SiloId, SiloBootObjects[i]); i++);
        if (i == ARRAYSIZE(SiloBootObjects)) return GetTickCount() - Start;
        if (GetTickCount() - Start > SMSS_READY_TIMEOUT_MS) return MAXDWORD;
        Sleep(SILOTEST_POLL_MS);
    }
}

/* The ids of the smss.exe processes that run now */
static
ULONG
ListSmssPids(
    _Out_writes_(SMSS_MAX_PIDS) PULONG Pids)
{
    ULONG Size = 0x20000, Count = 0;
    PSYSTEM_PROCESS_INFORMATION Entry;
    PVOID Buffer = HeapAlloc(GetProcessHeap(), 0, Size);

    if (!Buffer || !NT_SUCCESS(NtQuerySystemInformation(SystemProcessInformation, Buffer, Size, NULL))) return 0;
    for (Entry = Buffer; ; Entry = (PSYSTEM_PROCESS_INFORMATION)((PUCHAR)Entry + Entry->NextEntryOffset))
    {
        if (Entry->ImageName.Buffer && !_wcsicmp(Entry->ImageName.Buffer, SMSS_IMAGE) && Count < SMSS_MAX_PIDS)
        {
            Pids[Count++] = HandleToUlong(Entry->UniqueProcessId);
        }
        if (!Entry->NextEntryOffset) break;
    }
    HeapFree(GetProcessHeap(), 0, Buffer);
    return Count;
}

typedef struct _SMSS_SILO
{
    HANDLE Silo;
    ULONG SiloId;
    DWORD ReadyMs;
} SMSS_SILO, *PSMSS_SILO;

static
NTSTATUS
StartSmssSilo(
    _In_ HANDLE SmPort,
    _Out_ PSMSS_SILO Started)
{
    NTSTATUS Status;

    ZeroMemory(Started, sizeof(*Started));
    Status = MakeServerSilo(&Started->Silo, NULL, NULL);
    if (!NT_SUCCESS(Status)) return Status;
    Started->SiloId = GetSiloId(Started->Silo);
    Status = SmStartServerSilo(SmPort, Started->Silo, FALSE);
    if (NT_SUCCESS(Status)) Started->ReadyMs = WaitSiloSmssReady(Started->SiloId);
    return Status;
}

static
void
EndSmssSilo(
    _Inout_ PSMSS_SILO Started,
    _In_ NTSTATUS ExitStatus)
{
    if (!Started->Silo) return;
    NtTerminateJobObject(Started->Silo, ExitStatus);
    ok(WaitServerSiloState(Started->Silo, SERVERSILO_TERMINATED, NULL), "silo %lu did not end\n", Started->SiloId);
    NtClose(Started->Silo);
    Started->Silo = NULL;
}

START_TEST(smss)
{
    SMSS_SILO Silos[SMSS_PARALLEL_SILOS], Victim, *Capacity;
    SERVERSILO_BASIC_INFORMATION Basic;
    ULONG Before[SMSS_MAX_PIDS], After[SMSS_MAX_PIDS], BeforeCount, AfterCount, i, j, Running = 0;
    HANDLE SmPort, Plain, Process;
    ULONG SiloSmssPid = 0;
    NTSTATUS Status;

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available\n");
    Status = SmConnectToSm(NULL, NULL, 0, &SmPort);
    ok(Status == STATUS_SUCCESS, "SmConnectToSm: 0x%08lx\n", Status);
    if (!NT_SUCCESS(Status)) return;

    /* Only an initialized server silo gets an SMSS */
    ok(NT_SUCCESS(CreateJob(&Plain, 0)), "CreateJob failed\n");
    Status = SmStartServerSilo(SmPort, Plain, FALSE);
    ok(Status == STATUS_JOB_NO_CONTAINER, "plain job: 0x%08lx\n", Status);
    NtClose(Plain);
    Status = SmStartServerSilo(SmPort, (HANDLE)(ULONG_PTR)0x1234, FALSE);
    ok(!NT_SUCCESS(Status), "bogus handle: 0x%08lx\n", Status);

    /* Several silos, each with its own SMSS and namespace */
    BeforeCount = ListSmssPids(Before);
    for (i = 0; i < SMSS_PARALLEL_SILOS; i++)
    {
        Status = StartSmssSilo(SmPort, &Silos[i]);
        ok(Status == STATUS_SUCCESS, "silo %lu: SmStartServerSilo: 0x%08lx\n", i, Status);
        ok(Silos[i].ReadyMs != MAXDWORD, "silo %lu: its SMSS never booted the namespace\n", Silos[i].SiloId);
        ok(ActiveProcesses(Silos[i].Silo) == 1, "silo %lu counts %lu processes\n", Silos[i].SiloId,
           ActiveProcesses(Silos[i].Silo));
    }
    AfterCount = ListSmssPids(After);
    ok(AfterCount == BeforeCount + SMSS_PARALLEL_SILOS, "%lu smss.exe before, %lu after\n", BeforeCount, AfterCount);

    /* The host's SMSS still serves the host */
    {
        HANDLE Again;
        Status = SmConnectToSm(NULL, NULL, 0, &Again);
        ok(Status == STATUS_SUCCESS, "second connection to the host's SMSS: 0x%08lx\n", Status);
        if (NT_SUCCESS(Status)) NtClose(Again);
    }

    /* Torn down out of order; the others run on */
    EndSmssSilo(&Silos[1], STATUS_SUCCESS);
    ok(ActiveProcesses(Silos[0].Silo) == 1 && ActiveProcesses(Silos[2].Silo) == 1, "a neighbour's SMSS died\n");
    EndSmssSilo(&Silos[2], STATUS_SUCCESS);
    ok(ActiveProcesses(Silos[0].Silo) == 1, "the first silo's SMSS died\n");
    EndSmssSilo(&Silos[0], STATUS_SUCCESS);
    for (i = 0; i < SMSS_PARALLEL_SILOS; i++)
    {
        ok(!SiloDirectoryExists(Silos[i].SiloId), "\\Silos\\%lu outlived its silo\n", Silos[i].SiloId);
    }

    /* Killing a silo's SMSS (a critical process) ends that silo only */
    BeforeCount = ListSmssPids(Before);
    Status = StartSmssSilo(SmPort, &Victim);
    ok(Status == STATUS_SUCCESS && Victim.ReadyMs != MAXDWORD, "victim silo did not start: 0x%08lx\n", Status);
    AfterCount = ListSmssPids(After);
    for (i = 0; i < AfterCount; i++)
    {
        for (j = 0; j < BeforeCount && Before[j] != After[i]; j++);
        if (j == BeforeCount) SiloSmssPid = After[i];
    }
    Process = OpenProcess(PROCESS_TERMINATE, FALSE, SiloSmssPid);
    ok(Process != NULL, "cannot open the silo's SMSS (pid %lu)\n", SiloSmssPid);
    if (Process)
    {
        TerminateProcess(Process, STATUS_UNSUCCESSFUL);
        CloseHandle(Process);
        ok(WaitServerSiloState(Victim.Silo, SERVERSILO_TERMINATED, &Basic), "killing its SMSS did not end the silo\n");
        ok(Basic.ExitStatus == (ULONG)STATUS_SYSTEM_PROCESS_TERMINATED, "silo exit status 0x%08lx\n", Basic.ExitStatus);
    }
    NtClose(Victim.Silo);

    /* How many silos with their SMSS fit at once, and how long one takes to start */
    Capacity = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, SMSS_CAPACITY_GOAL * sizeof(SMSS_SILO));
    for (i = 0; Capacity && i < SMSS_CAPACITY_GOAL; i++)
    {
        if (!NT_SUCCESS(StartSmssSilo(SmPort, &Capacity[i])) || Capacity[i].ReadyMs == MAXDWORD) break;
        Running++;
    }
    trace("smss-silos: running_at_once=%lu goal=%u first_ready_ms=%lu last_ready_ms=%lu accel_note=see_run_record\n",
          Running, SMSS_CAPACITY_GOAL, Running ? Capacity[0].ReadyMs : 0, Running ? Capacity[Running - 1].ReadyMs : 0);
    ok(Running == SMSS_CAPACITY_GOAL, "only %lu server silos with their SMSS ran at once\n", Running);
    for (i = 0; Capacity && i < SMSS_CAPACITY_GOAL; i++)
    {
        if (Capacity[i].Silo) EndSmssSilo(&Capacity[i], STATUS_SUCCESS);
    }
    if (Capacity) HeapFree(GetProcessHeap(), 0, Capacity);

    NtClose(SmPort);
}
