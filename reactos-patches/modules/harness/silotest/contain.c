/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Containment: a dying or misbehaving server silo ends itself,
 *              never the host, and leaves nothing behind
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define CONTAIN_PORT_KEY            ((ULONG_PTR)0x51105)
#define CONTAIN_CHILD_EXIT          "0x77"
#define CONTAIN_HARD_ERROR          STATUS_ACCESS_VIOLATION
#define CONTAIN_HARD_ERROR_TEXT     "0xC0000005"
#define CONTAIN_JOB_EXIT            0x1234

/* SHUTDOWN_ACTION values, as the child's argument */
#define SHUTDOWN_NO_REBOOT_TEXT     "0"
#define SHUTDOWN_REBOOT_TEXT        "1"
#define SHUTDOWN_POWER_OFF_TEXT     "2"

typedef struct _CONTAINED_SILO
{
    HANDLE Silo;
    HANDLE DeleteEvent;
    HANDLE Port;
    PROCESS_INFORMATION Child;
    ULONG SiloId;
} CONTAINED_SILO, *PCONTAINED_SILO;

/* A server silo with a delete event, a completion port and one child running inside */
static
BOOL
StartContainedSilo(
    _Out_ PCONTAINED_SILO Contained,
    _In_ PCSTR Mode,
    _In_opt_ PCSTR Argument)
{
    JOBOBJECT_ASSOCIATE_COMPLETION_PORT Association;

    ZeroMemory(Contained, sizeof(*Contained));
    if (!NT_SUCCESS(NtCreateEvent(&Contained->DeleteEvent, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE)) ||
        !NT_SUCCESS(MakeServerSilo(&Contained->Silo, Contained->DeleteEvent, NULL)))
    {
        return FALSE;
    }
    Contained->SiloId = GetSiloId(Contained->Silo);

    Contained->Port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    Association.CompletionKey = (PVOID)CONTAIN_PORT_KEY;
    Association.CompletionPort = Contained->Port;
    if (!Contained->Port ||
        !NT_SUCCESS(NtSetInformationJobObject(Contained->Silo, JobObjectAssociateCompletionPortInformation,
                                              &Association, sizeof(Association))))
    {
        return FALSE;
    }

    if (!SpawnChild(Mode, Argument, TRUE, 0, &Contained->Child)) return FALSE;
    if (!NT_SUCCESS(NtAssignProcessToJobObject(Contained->Silo, Contained->Child.hProcess))) return FALSE;
    ResumeThread(Contained->Child.hThread);
    return TRUE;
}

static
void
CloseContainedSilo(
    _Inout_ PCONTAINED_SILO Contained)
{
    CloseChild(&Contained->Child);
    if (Contained->Silo) NtClose(Contained->Silo);
    if (Contained->DeleteEvent) NtClose(Contained->DeleteEvent);
    if (Contained->Port) CloseHandle(Contained->Port);
    ZeroMemory(Contained, sizeof(*Contained));
}

/* The silo ended with ExitStatus and tore down completely; the caller's handle still works */
static
void
CheckSiloEnded(
    _In_ PCONTAINED_SILO Contained,
    _In_ NTSTATUS ExitStatus,
    _In_ PCSTR Case)
{
    SERVERSILO_BASIC_INFORMATION Basic;

    ok(WaitServerSiloState(Contained->Silo, SERVERSILO_TERMINATED, &Basic), "%s: silo state %d, not TERMINATED\n",
       Case, Basic.State);
    ok(Basic.ExitStatus == (ULONG)ExitStatus, "%s: silo exit status 0x%08lx, expected 0x%08lx\n",
       Case, Basic.ExitStatus, ExitStatus);
    ok(ActiveProcesses(Contained->Silo) == 0, "%s: %lu processes left in the silo\n", Case,
       ActiveProcesses(Contained->Silo));
    /* The process is signaled at the very end of its exit, maybe just after the teardown */
    ok(WaitForSingleObject(Contained->Child.hProcess, SILOTEST_WAIT_MS) == WAIT_OBJECT_0,
       "%s: the silo's process lives on\n", Case);
    ok(WaitForSingleObject(Contained->DeleteEvent, SILOTEST_WAIT_MS) == WAIT_OBJECT_0,
       "%s: delete event not signaled\n", Case);
    ok(!SiloDirectoryExists(Contained->SiloId), "%s: \\Silos\\%lu survived the teardown\n", Case, Contained->SiloId);

    ReadSiloTerminatedMessage(Contained->Port, CONTAIN_PORT_KEY, Contained->SiloId, Case);
}

/* The bystander silo still runs, with its process */
static
void
CheckBystander(
    _In_ PCONTAINED_SILO Bystander,
    _In_ PCSTR Case)
{
    SERVERSILO_BASIC_INFORMATION Basic;

    NtQueryInformationJobObject(Bystander->Silo, JobObjectServerSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    ok(Basic.State == SERVERSILO_STARTED, "%s: bystander silo state %d\n", Case, Basic.State);
    ok(WaitForSingleObject(Bystander->Child.hProcess, 0) == WAIT_TIMEOUT, "%s: bystander's process died\n", Case);
    ok(ActiveProcesses(Bystander->Silo) == 1, "%s: bystander counts %lu processes\n", Case,
       ActiveProcesses(Bystander->Silo));
}

typedef struct _CONTAIN_CASE
{
    PCSTR Name;
    PCSTR Mode;
    PCSTR Argument;
    NTSTATUS SiloExitStatus;
} CONTAIN_CASE;

static const CONTAIN_CASE ContainCases[] =
{
    { "critical process exits", CHILD_MODE_CRITICAL, CONTAIN_CHILD_EXIT, STATUS_SYSTEM_PROCESS_TERMINATED },
    { "shutdown", CHILD_MODE_SHUTDOWN, SHUTDOWN_NO_REBOOT_TEXT, STATUS_SYSTEM_SHUTDOWN },
    { "reboot", CHILD_MODE_SHUTDOWN, SHUTDOWN_REBOOT_TEXT, STATUS_DEVICE_POWER_CYCLE_REQUIRED },
    { "power off", CHILD_MODE_SHUTDOWN, SHUTDOWN_POWER_OFF_TEXT, STATUS_SYSTEM_SHUTDOWN },
    { "shutdown hard error", CHILD_MODE_HARD_ERROR, CONTAIN_HARD_ERROR_TEXT, CONTAIN_HARD_ERROR },
};

START_TEST(contain)
{
    SERVERSILO_DIAGNOSTIC_INFORMATION Diagnostic;
    CONTAINED_SILO Bystander, Contained;
    PROCESS_INFORMATION Killer;
    CHAR Argument[16];
    NTSTATUS Status;
    DWORD ExitCode;
    ULONG i;

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available\n");
    ok(StartContainedSilo(&Bystander, CHILD_MODE_WAIT, NULL), "cannot start the bystander silo\n");

    for (i = 0; i < ARRAYSIZE(ContainCases); i++)
    {
        ok(StartContainedSilo(&Contained, ContainCases[i].Mode, ContainCases[i].Argument),
           "%s: cannot start the silo\n", ContainCases[i].Name);
        CheckSiloEnded(&Contained, ContainCases[i].SiloExitStatus, ContainCases[i].Name);
        CheckBystander(&Bystander, ContainCases[i].Name);

        Status = NtQueryInformationJobObject(Contained.Silo, JobObjectServerSiloDiagnosticInformation,
                                             &Diagnostic, sizeof(Diagnostic), NULL);
        ok(Status == STATUS_SUCCESS, "%s: diagnostics: 0x%08lx\n", ContainCases[i].Name, Status);
        if (!strcmp(ContainCases[i].Mode, CHILD_MODE_CRITICAL))
        {
            ok(!_wcsicmp(Diagnostic.CriticalProcessName, L"silotest.exe") &&
               Diagnostic.ExitStatus == STATUS_SYSTEM_PROCESS_TERMINATED,
               "%s: diagnostics name %.15S status 0x%08lx\n", ContainCases[i].Name,
               Diagnostic.CriticalProcessName, Diagnostic.ExitStatus);
        }
        else
        {
            ok(Diagnostic.CriticalProcessName[0] == UNICODE_NULL, "%s: a critical process is recorded: %.15S\n",
               ContainCases[i].Name, Diagnostic.CriticalProcessName);
        }
        CloseContainedSilo(&Contained);
    }

    /* The host kills the silo's critical process: the silo ends, nothing prompts */
    ok(StartContainedSilo(&Contained, CHILD_MODE_CRITICAL_WAIT, NULL), "cannot start the silo\n");
    ok(WaitActiveProcesses(Contained.Silo, 1), "child not in the silo\n");
    Sleep(SILOTEST_POLL_MS * 10);  /* let the child mark itself critical */
    /* Its result does not matter: ending the silo may end the process before TerminateProcess does */
    TerminateProcess(Contained.Child.hProcess, CONTAIN_JOB_EXIT);
    CheckSiloEnded(&Contained, STATUS_SYSTEM_PROCESS_TERMINATED, "host kills the critical process");
    CheckBystander(&Bystander, "host kills the critical process");
    CloseContainedSilo(&Contained);

    /*
     * A process of the silo kills the silo's critical process and runs on: the
     * silo ends, and its killer with it (it used to stay SHUTTING_DOWN for ever)
     */
    ok(StartContainedSilo(&Contained, CHILD_MODE_CRITICAL_WAIT, NULL), "cannot start the silo\n");
    ok(WaitActiveProcesses(Contained.Silo, 1), "child not in the silo\n");
    Sleep(SILOTEST_POLL_MS * 10);  /* let the child mark itself critical */
    sprintf(Argument, "%lu", Contained.Child.dwProcessId);
    ok(SpawnChild(CHILD_MODE_KILL_WAIT, Argument, TRUE, 0, &Killer), "cannot start the killer\n");
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Contained.Silo, Killer.hProcess)), "killer not in the silo\n");
    ResumeThread(Killer.hThread);
    CheckSiloEnded(&Contained, STATUS_SYSTEM_PROCESS_TERMINATED, "a silo process kills the critical process");
    ok(WaitForSingleObject(Killer.hProcess, SILOTEST_WAIT_MS) == WAIT_OBJECT_0,
       "the killer outlived its silo\n");
    CheckBystander(&Bystander, "a silo process kills the critical process");
    CloseChild(&Killer);
    CloseContainedSilo(&Contained);

    /* Sleep is refused inside a silo, which runs on */
    ok(StartContainedSilo(&Contained, CHILD_MODE_SLEEP, NULL), "cannot start the silo\n");
    ExitCode = WaitChild(&Contained.Child);
    ok(ExitCode == (DWORD)STATUS_NOT_SUPPORTED, "sleep from inside: 0x%08lx\n", ExitCode);
    ok(WaitServerSiloState(Contained.Silo, SERVERSILO_STARTED, NULL), "sleep request changed the silo's state\n");
    CloseContainedSilo(&Contained);

    /* The host ends a silo with NtTerminateJobObject */
    ok(StartContainedSilo(&Contained, CHILD_MODE_WAIT, NULL), "cannot start the silo\n");
    ok(WaitActiveProcesses(Contained.Silo, 1), "child not in the silo\n");
    Status = NtTerminateJobObject(Contained.Silo, CONTAIN_JOB_EXIT);
    ok(Status == STATUS_SUCCESS, "NtTerminateJobObject: 0x%08lx\n", Status);
    CheckSiloEnded(&Contained, CONTAIN_JOB_EXIT, "NtTerminateJobObject");
    ok(WaitChild(&Contained.Child) == CONTAIN_JOB_EXIT, "child exit code\n");
    CheckBystander(&Bystander, "NtTerminateJobObject");
    CloseContainedSilo(&Contained);

    CloseContainedSilo(&Bystander);
}

/* 100 silo start -> crash -> teardown cycles; the guest's counts come back */
START_TEST(soak)
{
    GUEST_COUNTS Before;
    ULONG Cycle, Ended = 0;
    CONTAINED_SILO Contained;

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available\n");
    for (Cycle = 0; Cycle < SOAK_WARMUP_CYCLES; Cycle++)
    {
        if (StartContainedSilo(&Contained, CHILD_MODE_CRITICAL, CONTAIN_CHILD_EXIT))
        {
            WaitServerSiloState(Contained.Silo, SERVERSILO_TERMINATED, NULL);
        }
        CloseContainedSilo(&Contained);
    }
    Sleep(SOAK_SETTLE_MS);
    CountGuest(SILOTEST_IMAGE, &Before);

    for (Cycle = 0; Cycle < SOAK_CYCLES; Cycle++)
    {
        if (!StartContainedSilo(&Contained, CHILD_MODE_CRITICAL, CONTAIN_CHILD_EXIT))
        {
            ok(FALSE, "cycle %lu: cannot start the silo\n", Cycle);
            CloseContainedSilo(&Contained);
            break;
        }
        if (WaitServerSiloState(Contained.Silo, SERVERSILO_TERMINATED, NULL) &&
            WaitForSingleObject(Contained.Child.hProcess, SILOTEST_WAIT_MS) == WAIT_OBJECT_0)
        {
            Ended++;
        }
        CloseContainedSilo(&Contained);
    }
    CheckSoakCounts("soak", "silotest_processes", SILOTEST_IMAGE, Ended, &Before);
}

/* Negative control: a critical process of the host dying still brings the host down */
START_TEST(hostcritical)
{
    PROCESS_INFORMATION Child;

    ok(SpawnChild(CHILD_MODE_CRITICAL, CONTAIN_CHILD_EXIT, FALSE, 0, &Child), "SpawnChild failed\n");
    WaitChild(&Child);
    ok(FALSE, "the host survived the death of its critical process\n");
    CloseChild(&Child);
}

