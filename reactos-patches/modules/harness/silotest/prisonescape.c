/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     A SYSTEM tenant of a server silo against its prison's limits:
 *              lifting them, escaping them through nested jobs and
 *              breakaway, outrunning the CPU cap with priority and resumes,
 *              taking host processes into its jobs, drowning the job manager.
 *              Each attack has a host-side proof that nothing changed, and a
 *              control that shows the attack would work without the defence.
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define ESCAPE_BOOT_PROCESSES       2           /* the silo's SMSS and CSRSS */
#define ESCAPE_PROCESS_ROOM         8           /* tenants the prison's limit leaves room for */
#define ESCAPE_MEMORY_LIMIT         (64 * 1024 * 1024)
#define ESCAPE_CPU_RATE             2000        /* 20% */
#define ESCAPE_CPU_MAX_PERCENT      25.0
#define ESCAPE_MEASURE_MS           4000
#define ESCAPE_SETTLE_MS            30000
#define ESCAPE_STORM_JOBS           2000
#define ESCAPE_STORM_WORST_LATE_MS  250.0
#define ESCAPE_STORM_MEAN_LATE_MS   20.0

/* The limits the host sets on the prison */
#define ESCAPE_PRISON_LIMITS        (JOB_OBJECT_LIMIT_SILO_READY | JOB_OBJECT_LIMIT_ACTIVE_PROCESS | \
                                     JOB_OBJECT_LIMIT_JOB_MEMORY | JOB_OBJECT_LIMIT_PRIORITY_CLASS)

static
double
ShareOver(
    _In_ HANDLE Job,
    _In_ DWORD Ms)
{
    DWORD Start;
    double CpuMs = JobCpuMs(Job);

    Start = GetTickCount();
    Sleep(Ms);
    return 100.0 * (JobCpuMs(Job) - CpuMs) / (GetTickCount() - Start);
}

/* A process's priority class, read by the host */
static
UCHAR
PriorityClassOf(
    _In_ HANDLE Process)
{
    /* The class query wants a ULONG-aligned buffer */
    DECLSPEC_ALIGN(4) PROCESS_PRIORITY_CLASS Class;
    NTSTATUS Status;

    ZeroMemory(&Class, sizeof(Class));
    Status = NtQueryInformationProcess(Process, ProcessPriorityClass, &Class, sizeof(Class), NULL);
    ok(Status == STATUS_SUCCESS, "the host cannot read a tenant's class: 0x%08lx\n", Status);
    return Class.PriorityClass;
}

/* The prison: a server silo with a process, a commit, a priority class limit and a CPU cap */
static
BOOL
BuildPrison(
    _In_ HANDLE SmPort,
    _Out_ PSMSS_SILO Prison,
    _Out_ PJOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits)
{
    NTSTATUS Status = StartSmssSilo(SmPort, Prison);

    ok(Status == STATUS_SUCCESS, "the prison did not start: 0x%08lx\n", Status);
    if (!NT_SUCCESS(Status)) return FALSE;

    ZeroMemory(Limits, sizeof(*Limits));
    Limits->BasicLimitInformation.LimitFlags = ESCAPE_PRISON_LIMITS;
    Limits->BasicLimitInformation.ActiveProcessLimit = ESCAPE_BOOT_PROCESSES + ESCAPE_PROCESS_ROOM;
    Limits->BasicLimitInformation.PriorityClass = PROCESS_PRIORITY_CLASS_NORMAL;
    Limits->JobMemoryLimit = ESCAPE_MEMORY_LIMIT;
    ok(NtSetInformationJobObject(Prison->Silo, JobObjectExtendedLimitInformation, Limits, sizeof(*Limits)) ==
       STATUS_SUCCESS, "the prison's limits were refused\n");
    ok(SetJobCpuRate(Prison->Silo, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP,
                     ESCAPE_CPU_RATE) == STATUS_SUCCESS, "the prison's cap was refused\n");
    return TRUE;
}

/* The host's proof that the prison's limits are what it set */
static
void
CheckPrisonLimits(
    _In_ PSMSS_SILO Prison,
    _In_ PJOBOBJECT_EXTENDED_LIMIT_INFORMATION Set,
    _In_ PCSTR Attack)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Now;
    JOBOBJECT_CPU_RATE_CONTROL_INFORMATION Rate;

    NtQueryInformationJobObject(Prison->Silo, JobObjectExtendedLimitInformation, &Now, sizeof(Now), NULL);
    NtQueryInformationJobObject(Prison->Silo, JobObjectCpuRateControlInformation, &Rate, sizeof(Rate), NULL);
    ok(Now.BasicLimitInformation.LimitFlags == Set->BasicLimitInformation.LimitFlags &&
       Now.BasicLimitInformation.ActiveProcessLimit == Set->BasicLimitInformation.ActiveProcessLimit &&
       Now.JobMemoryLimit == Set->JobMemoryLimit && Rate.CpuRate == ESCAPE_CPU_RATE,
       "%s: the prison's limits changed: flags 0x%lx, %lu processes, %Iu bytes, rate %lu\n", Attack,
       Now.BasicLimitInformation.LimitFlags, Now.BasicLimitInformation.ActiveProcessLimit, Now.JobMemoryLimit,
       Rate.CpuRate);
}

/* Ends a process that is not this test (a visitor of ForEachProcessIn) */
static
VOID
EndOtherProcess(
    _In_opt_ PVOID Context,
    _In_ ULONG Pid,
    _In_ PCUNICODE_STRING Image,
    _In_ LONGLONG CreateTime)
{
    HANDLE Process;

    UNREFERENCED_PARAMETER(Context);
    UNREFERENCED_PARAMETER(Image);
    UNREFERENCED_PARAMETER(CreateTime);
    if (Pid == GetCurrentProcessId()) return;
    Process = OpenProcess(PROCESS_TERMINATE, FALSE, Pid);
    if (Process == NULL) return;
    TerminateProcess(Process, 0);
    CloseHandle(Process);
}

/* The prison's process that is neither its SMSS, its CSRSS nor the attacker: the attacker's child; 0 if none */
static
DWORD
FindAttackerChild(
    _In_ PSMSS_SILO Prison,
    _In_ HANDLE Attacker)
{
    ULONG_PTR Buffer[FIELD_OFFSET(JOBOBJECT_BASIC_PROCESS_ID_LIST, ProcessIdList[16]) / sizeof(ULONG_PTR)];
    PJOBOBJECT_BASIC_PROCESS_ID_LIST List = (PJOBOBJECT_BASIC_PROCESS_ID_LIST)Buffer;
    ULONG i;

    if (!NT_SUCCESS(NtQueryInformationJobObject(Prison->Silo, JobObjectBasicProcessIdList, List, sizeof(Buffer),
                                                NULL)))
    {
        return 0;
    }
    for (i = 0; i < List->NumberOfProcessIdsInList; i++)
    {
        ULONG_PTR Id = List->ProcessIdList[i];

        if (Id != GetProcessId(Attacker) && Id != EarliestProcessIn(Prison->Silo, L"smss.exe", NULL) &&
            Id != EarliestProcessIn(Prison->Silo, L"csrss.exe", NULL))
        {
            return (DWORD)Id;
        }
    }
    return 0;
}

START_TEST(prisonescape)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;
    PROCESS_INFORMATION HostProcess, Control;
    HOST_TIMER Timer;
    SMSS_SILO Prison, Open;
    HANDLE SmPort, Attacker, Storm, Given, Trap;
    DWORD ExitCode, Pid, Waited, Blocked = 0, Attacks = 0;
    BOOL InJob;
    double Share;

    if (!ConnectToHostSm(&SmPort)) return;
    if (!BuildPrison(SmPort, &Prison, &Limits)) goto Done;

    /* 1. Lifting the limits: no job it can name is its prison */
    Attacks++;
    ok(StartWin32InSilo(&Prison, CHILD_MODE_LIFT_LIMITS, NULL, &Attacker) == STATUS_SUCCESS, "no attacker\n");
    ExitCode = WaitExitCode(Attacker, ESCAPE_SETTLE_MS);
    CloseHandle(Attacker);
    ok(ExitCode == 0, "lift limits: %lu sets succeeded\n", ExitCode);
    CheckPrisonLimits(&Prison, &Limits, "lift limits");
    Blocked += (ExitCode == 0);

    /* 2. Breaking away through a nested job: the child stays in the prison */
    Attacks++;
    ok(StartWin32InSilo(&Prison, CHILD_MODE_NEST_BREAKAWAY, NULL, &Attacker) == STATUS_SUCCESS, "no attacker\n");
    /* Its child appears in the prison when the attacker has started it: wait for it, not for a time */
    Pid = 0;
    for (Waited = 0; Pid == 0 && Waited < ESCAPE_SETTLE_MS; Waited += SILOTEST_POLL_MS)
    {
        Pid = FindAttackerChild(&Prison, Attacker);
        if (Pid == 0) Sleep(SILOTEST_POLL_MS);
    }
    ok(Pid != 0, "breakaway: the child is not in the prison after %lu ms\n", Waited);
    ok(ForEachProcessIn(NULL, L"silotest.exe", NULL, NULL) == 1,
       "breakaway: %lu silotest processes run outside any job, expected only the host's test\n",
       ForEachProcessIn(NULL, L"silotest.exe", NULL, NULL));
    Blocked += (Pid != 0);
    TerminateProcess(Attacker, 0);
    CloseHandle(Attacker);
    ok(WaitActiveProcesses(Prison.Silo, ESCAPE_BOOT_PROCESSES + 1), "the breakaway child\n");
    {
        HANDLE Child = OpenProcess(PROCESS_TERMINATE, FALSE, Pid);

        if (Child) TerminateProcess(Child, 0), CloseHandle(Child);
    }
    ok(WaitActiveProcesses(Prison.Silo, ESCAPE_BOOT_PROCESSES), "the prison did not empty\n");

    /* The control: on the host the same nested breakaway leaves every job */
    ok(SpawnChild(CHILD_MODE_NEST_BREAKAWAY, NULL, FALSE, 0, &Control), "no control\n");
    Sleep(ESCAPE_GRAB_WAIT_MS);
    ok(ForEachProcessIn(NULL, L"silotest.exe", NULL, NULL) == 2,
       "breakaway control: %lu silotest processes outside any job, expected the test and the control's child\n",
       ForEachProcessIn(NULL, L"silotest.exe", NULL, NULL));
    TerminateProcess(Control.hProcess, 0);
    CloseChild(&Control);
    ForEachProcessIn(NULL, L"silotest.exe", EndOtherProcess, NULL);

    /* 3. A fork bomb from a nested job without limits: the prison's limit holds */
    Attacks++;
    ok(StartWin32InSilo(&Prison, CHILD_MODE_NEST_BOMB, "40", &Attacker) == STATUS_SUCCESS, "no attacker\n");
    ExitCode = WaitExitCode(Attacker, ESCAPE_SETTLE_MS);
    CloseHandle(Attacker);
    ok(PRISON_RESULT_COUNT(ExitCode) == ESCAPE_PROCESS_ROOM - 1 &&
       PRISON_RESULT_ERROR(ExitCode) == ERROR_NOT_ENOUGH_QUOTA,
       "nested bomb: made %lu (room for %d), stopped by %lu\n", PRISON_RESULT_COUNT(ExitCode),
       ESCAPE_PROCESS_ROOM - 1, PRISON_RESULT_ERROR(ExitCode));
    ok(ActiveProcesses(Prison.Silo) <= ESCAPE_BOOT_PROCESSES + ESCAPE_PROCESS_ROOM,
       "nested bomb: the prison runs %lu processes\n", ActiveProcesses(Prison.Silo));
    CheckPrisonLimits(&Prison, &Limits, "nested bomb");
    Blocked += (PRISON_RESULT_COUNT(ExitCode) == ESCAPE_PROCESS_ROOM - 1);

    /* The bomb's children wait: end them, the prison's room is for the next attacks */
    ForEachProcessIn(Prison.Silo, L"silotest.exe", EndOtherProcess, NULL);
    ok(WaitActiveProcesses(Prison.Silo, ESCAPE_BOOT_PROCESSES), "the bomb's children live on\n");

    /* 4. Realtime class, a time-critical spinner, resumed all the time: the class and the cap hold */
    Attacks++;
    ok(StartWin32InSilo(&Prison, CHILD_MODE_RAISE_SPIN, NULL, &Attacker) == STATUS_SUCCESS, "no attacker\n");
    Sleep(ESCAPE_GRAB_WAIT_MS);
    StartHostTimer(&Timer);
    Share = ShareOver(Prison.Silo, ESCAPE_MEASURE_MS);
    StopHostTimer(&Timer, "prisonescape-spin");
    ok(PriorityClassOf(Attacker) == PROCESS_PRIORITY_CLASS_NORMAL, "raise: the attacker's class is %u\n",
       PriorityClassOf(Attacker));
    ok(Share <= ESCAPE_CPU_MAX_PERCENT, "raise: a prison capped at 20%% got %.1f%%\n", Share);
    trace("escape-spin: share_pct=%.1f class=%u timer_worst_ms=%.1f\n", Share, PriorityClassOf(Attacker),
          Timer.WorstLateMs);
    Blocked += (Share <= ESCAPE_CPU_MAX_PERCENT && PriorityClassOf(Attacker) == PROCESS_PRIORITY_CLASS_NORMAL);
    TerminateProcess(Attacker, 0);
    CloseHandle(Attacker);

    /*
     * The control: in a silo without the class limit the same tenant raises
     * its class (it does not spin there: a realtime spinner would stop this
     * one-processor host, the very thing the prison's limits prevent)
     */
    if (StartSmssSilo(SmPort, &Open) == STATUS_SUCCESS)
    {
        ok(StartWin32InSilo(&Open, CHILD_MODE_RAISE_ONLY, NULL, &Attacker) == STATUS_SUCCESS, "no control\n");
        Sleep(ESCAPE_GRAB_WAIT_MS);
        ok(PriorityClassOf(Attacker) == PROCESS_PRIORITY_CLASS_REALTIME ||
           PriorityClassOf(Attacker) == PROCESS_PRIORITY_CLASS_HIGH,
           "raise control: class %u: the check proves nothing\n", PriorityClassOf(Attacker));
        TerminateProcess(Attacker, 0);
        CloseHandle(Attacker);
        EndSmssSilo(&Open, STATUS_SUCCESS);
    }

    /* 5. A host process it is handed: it cannot put it into a job of its own */
    Attacks++;
    ok(SpawnChild(CHILD_MODE_WAIT, NULL, FALSE, 0, &HostProcess), "no host process\n");
    ok(StartWin32InSilo(&Prison, CHILD_MODE_GRAB, NULL, &Attacker) == STATUS_SUCCESS, "no attacker\n");
    ok(NT_SUCCESS(NtDuplicateObject(NtCurrentProcess(), HostProcess.hProcess, Attacker, &Given,
                                    PROCESS_ALL_ACCESS, 0, 0)), "the host could not hand the handle\n");
    ExitCode = WaitExitCode(Attacker, ESCAPE_SETTLE_MS);
    CloseHandle(Attacker);
    ok(PRISON_RESULT_COUNT(ExitCode) >= 1 && PRISON_RESULT_ERROR(ExitCode) == 0,
       "grab: found %lu processes, took %lu\n", PRISON_RESULT_COUNT(ExitCode), PRISON_RESULT_ERROR(ExitCode));
    ok(IsProcessInJob(HostProcess.hProcess, NULL, &InJob) && !InJob, "grab: the host process is in a job\n");
    ok(WaitForSingleObject(HostProcess.hProcess, 0) == WAIT_TIMEOUT, "grab: the host process died\n");
    Blocked += (PRISON_RESULT_ERROR(ExitCode) == 0 && !InJob);

    /* The control: the host itself can put it into a job */
    ok(NT_SUCCESS(CreateJob(&Trap, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE)), "CreateJob failed\n");
    ok(NtAssignProcessToJobObject(Trap, HostProcess.hProcess) == STATUS_SUCCESS, "grab control: refused\n");
    NtClose(Trap);
    CloseChild(&HostProcess);

    /* 6. Thousands of jobs with rate control and time notifications: the host stays responsive */
    Attacks++;
    ok(StartWin32InSilo(&Prison, CHILD_MODE_JOB_STORM, "2000", &Storm) == STATUS_SUCCESS, "no storm\n");
    Sleep(ESCAPE_MEASURE_MS);
    ok(StartWin32InSilo(&Prison, CHILD_MODE_SPIN, "0", &Attacker) == STATUS_SUCCESS, "no spinner\n");
    StartHostTimer(&Timer);
    Share = ShareOver(Prison.Silo, ESCAPE_MEASURE_MS);
    StopHostTimer(&Timer, "prisonescape-storm");
    ok(Timer.WorstLateMs <= ESCAPE_STORM_WORST_LATE_MS &&
       (Timer.Ticks ? Timer.TotalLateMs / Timer.Ticks : 1e9) <= ESCAPE_STORM_MEAN_LATE_MS,
       "storm: the host's timer was late by %.1f ms at worst, %.2f ms on average\n", Timer.WorstLateMs,
       Timer.Ticks ? Timer.TotalLateMs / Timer.Ticks : 0.0);
    ok(Share <= ESCAPE_CPU_MAX_PERCENT, "storm: the prison got %.1f%%\n", Share);
    Blocked += (Timer.WorstLateMs <= ESCAPE_STORM_WORST_LATE_MS && Share <= ESCAPE_CPU_MAX_PERCENT);
    TerminateProcess(Attacker, 0);
    CloseHandle(Attacker);
    TerminateProcess(Storm, 0);
    CloseHandle(Storm);

    CheckPrisonLimits(&Prison, &Limits, "at the end");
    trace("prison-escape: attacks=%lu blocked=%lu\n", Attacks, Blocked);
    EndSmssSilo(&Prison, STATUS_SUCCESS);
Done:
    NtClose(SmPort);
}
