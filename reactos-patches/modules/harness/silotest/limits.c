/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     What jobs enforce, count and tell, on plain jobs of the host:
 *              messages, accounting, the active process, memory, priority,
 *              affinity, hard error, time and notification limits, nested
 *              jobs, the guard pattern and CPU rate control
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define LIMITS_KEY                  ((ULONG_PTR)0x51105EED)
#define LIMITS_QUIET_MS             300
#define LIMITS_CRASH_WAIT_MS        10000
#define LIMITS_EXIT_STATUS          0x1234

/* 100 ns units */
#define MS_TO_100NS(Ms)             ((LONGLONG)(Ms) * 10000)

#define MB                          (1024 * 1024)
#define KB                          1024

/* The hog's chunk, and how far from a limit it may stop: one chunk */
#define HOG_CHUNK_KB                256

/* ERROR_NOT_ENOUGH_QUOTA as an exit code: a job's time limit or process limit ended the process */
#define EXIT_NOT_ENOUGH_QUOTA       ERROR_NOT_ENOUGH_QUOTA

static
BOOL
SpawnInJobEx(
    _In_ HANDLE Job,
    _In_ PCSTR Mode,
    _In_opt_ PCSTR Argument,
    _In_ DWORD CreationFlags,
    _Out_ PPROCESS_INFORMATION Child)
{
    NTSTATUS Status;

    if (!SpawnChild(Mode, Argument, TRUE, CreationFlags, Child)) return FALSE;
    Status = NtAssignProcessToJobObject(Job, Child->hProcess);
    if (!NT_SUCCESS(Status))
    {
        CloseChild(Child);
        SetLastError(RtlNtStatusToDosError(Status));
        return FALSE;
    }
    ResumeThread(Child->hThread);
    return TRUE;
}

static
BOOL
SpawnInJob(
    _In_ HANDLE Job,
    _In_ PCSTR Mode,
    _In_opt_ PCSTR Argument,
    _Out_ PPROCESS_INFORMATION Child)
{
    return SpawnInJobEx(Job, Mode, Argument, 0, Child);
}

/* NEW, EXIT, ABNORMAL_EXIT and ACTIVE_PROCESS_ZERO, each once and in order, with the job's key */
static
void
TestMessages(VOID)
{
    PROCESS_INFORMATION Child, Waiters[2];
    HANDLE Job, Port;
    DWORD ExitCode;
    ULONG i;

    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    Port = AttachJobPort(Job, LIMITS_KEY);
    ok(Port != NULL, "no completion port\n");

    ok(SpawnInJob(Job, CHILD_MODE_EXIT, "0", &Child), "spawn failed: %lu\n", GetLastError());
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, Child.dwProcessId, "exit child");
    ok(WaitChild(&Child) == 0, "child did not exit\n");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_EXIT_PROCESS, Child.dwProcessId, "exit child");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO, 0, "exit child");
    CloseChild(&Child);

    /* An unhandled exception is an abnormal exit; this job ends it without asking anyone */
    ok(SetJobLimitFlags(Job, JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION) == STATUS_SUCCESS, "limits failed\n");
    ok(SpawnInJob(Job, CHILD_MODE_CRASH, NULL, &Child), "spawn failed: %lu\n", GetLastError());
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, Child.dwProcessId, "crash");
    ok(WaitForSingleObject(Child.hProcess, LIMITS_CRASH_WAIT_MS) == WAIT_OBJECT_0,
       "a crash in a die-on-unhandled-exception job did not end\n");
    GetExitCodeProcess(Child.hProcess, &ExitCode);
    ok(ExitCode == (DWORD)STATUS_ACCESS_VIOLATION, "crash exit code 0x%lx\n", ExitCode);
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS, Child.dwProcessId, "crash");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO, 0, "crash");
    ExpectNoJobMessage(Port, LIMITS_QUIET_MS, "after the crash");
    CloseChild(&Child);
    CloseHandle(Port);
    NtClose(Job);

    /* A port associated late hears of the processes already there, in order */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    for (i = 0; i < ARRAYSIZE(Waiters); i++)
    {
        ok(SpawnInJob(Job, CHILD_MODE_WAIT, NULL, &Waiters[i]), "spawn failed: %lu\n", GetLastError());
    }
    Port = AttachJobPort(Job, LIMITS_KEY);
    for (i = 0; i < ARRAYSIZE(Waiters); i++)
    {
        ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, Waiters[i].dwProcessId, "late port");
    }
    ok(NtTerminateJobObject(Job, LIMITS_EXIT_STATUS) == STATUS_SUCCESS, "terminate failed\n");
    for (i = 0; i < ARRAYSIZE(Waiters); i++) WaitChild(&Waiters[i]);

    /* Each exit once, then zero, then nothing: the exit status of a kill is not abnormal */
    {
        JOB_MESSAGE Messages[8];
        ULONG Count = DrainJobMessages(Port, LIMITS_QUIET_MS, Messages, ARRAYSIZE(Messages));
        ULONG Exits = 0;

        ok(Count == ARRAYSIZE(Waiters) + 1, "%lu messages after the kill, expected %lu\n",
           Count, (ULONG)ARRAYSIZE(Waiters) + 1);
        for (i = 0; i < min(Count, ARRAYSIZE(Messages)); i++)
        {
            if (Messages[i].Id == JOB_OBJECT_MSG_EXIT_PROCESS &&
                (Messages[i].ProcessId == Waiters[0].dwProcessId || Messages[i].ProcessId == Waiters[1].dwProcessId))
            {
                Exits++;
            }
        }
        ok(Exits == ARRAYSIZE(Waiters), "%lu exit messages for the killed waiters\n", Exits);
        ok(Count > 0 && Messages[min(Count, ARRAYSIZE(Messages)) - 1].Id == JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO,
           "the last message is not ACTIVE_PROCESS_ZERO\n");
    }
    for (i = 0; i < ARRAYSIZE(Waiters); i++) CloseChild(&Waiters[i]);
    CloseHandle(Port);
    NtClose(Job);
}

/* Times, page faults and I/O of running and exited processes; the totals stay when the job is empty */
static
void
TestAccounting(VOID)
{
    JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION Quiet, Busy, Running, After;
    PROCESS_INFORMATION Child;
    HANDLE QuietJob, BusyJob, SpinJob;

    /* The same child with no counted I/O and with 10: the difference is the counted I/O exactly */
    ok(NT_SUCCESS(CreateJob(&QuietJob, 0)) && NT_SUCCESS(CreateJob(&BusyJob, 0)), "CreateJob failed\n");
    ok(SpawnInJob(QuietJob, CHILD_MODE_IO, "0", &Child), "spawn failed\n");
    ok(WaitChild(&Child) == 0, "quiet child failed\n");
    CloseChild(&Child);
    ok(SpawnInJob(BusyJob, CHILD_MODE_IO, "10", &Child), "spawn failed\n");
    ok(WaitChild(&Child) == 0, "busy child failed\n");
    CloseChild(&Child);
    ok(WaitActiveProcesses(QuietJob, 0) && WaitActiveProcesses(BusyJob, 0), "the children did not leave\n");

    ok(QueryJobUse(QuietJob, &Quiet) && QueryJobUse(BusyJob, &Busy), "accounting query failed\n");
    ok(Busy.IoInfo.WriteOperationCount - Quiet.IoInfo.WriteOperationCount == 10,
       "write operations %I64u - %I64u, expected 10 more\n",
       Busy.IoInfo.WriteOperationCount, Quiet.IoInfo.WriteOperationCount);
    ok(Busy.IoInfo.WriteTransferCount - Quiet.IoInfo.WriteTransferCount == 10 * 1000,
       "write bytes %I64u - %I64u, expected 10000 more\n",
       Busy.IoInfo.WriteTransferCount, Quiet.IoInfo.WriteTransferCount);
    ok(Busy.IoInfo.ReadOperationCount - Quiet.IoInfo.ReadOperationCount == 10,
       "read operations %I64u - %I64u, expected 10 more\n",
       Busy.IoInfo.ReadOperationCount, Quiet.IoInfo.ReadOperationCount);
    ok(Busy.IoInfo.ReadTransferCount - Quiet.IoInfo.ReadTransferCount == 10 * 4096,
       "read bytes %I64u - %I64u, expected 40960 more\n",
       Busy.IoInfo.ReadTransferCount, Quiet.IoInfo.ReadTransferCount);
    ok(Busy.BasicInfo.TotalPageFaultCount > 0, "an exited process's page faults are not counted\n");
    ok(Busy.BasicInfo.TotalProcesses == 1 && Busy.BasicInfo.ActiveProcesses == 0 &&
       Busy.BasicInfo.TotalTerminatedProcesses == 0, "counts %lu/%lu/%lu\n", Busy.BasicInfo.TotalProcesses,
       Busy.BasicInfo.ActiveProcesses, Busy.BasicInfo.TotalTerminatedProcesses);
    NtClose(QuietJob);
    NtClose(BusyJob);

    /* A running process's time and faults count while it runs, and stay after it */
    ok(NT_SUCCESS(CreateJob(&SpinJob, 0)), "CreateJob failed\n");
    ok(SpawnInJob(SpinJob, CHILD_MODE_SPIN, "64", &Child), "spawn failed\n");
    Sleep(500);
    ok(QueryJobUse(SpinJob, &Running), "accounting query failed\n");
    ok(Running.BasicInfo.ActiveProcesses == 1, "ActiveProcesses %lu\n", Running.BasicInfo.ActiveProcesses);
    ok(Running.BasicInfo.TotalUserTime.QuadPart >= MS_TO_100NS(100),
       "a spinning process's user time is %I64d00 ns after 500 ms\n", Running.BasicInfo.TotalUserTime.QuadPart);
    ok(Running.BasicInfo.TotalPageFaultCount >= 16, "a running process's page faults: %lu\n",
       Running.BasicInfo.TotalPageFaultCount);
    ok(Running.BasicInfo.ThisPeriodTotalUserTime.QuadPart == Running.BasicInfo.TotalUserTime.QuadPart,
       "the period (%I64d) is not the whole life (%I64d) without a time limit\n",
       Running.BasicInfo.ThisPeriodTotalUserTime.QuadPart, Running.BasicInfo.TotalUserTime.QuadPart);
    TerminateProcess(Child.hProcess, 0);
    WaitChild(&Child);
    ok(WaitActiveProcesses(SpinJob, 0), "spinner did not leave\n");
    ok(QueryJobUse(SpinJob, &After), "accounting query failed\n");
    ok(After.BasicInfo.TotalUserTime.QuadPart >= Running.BasicInfo.TotalUserTime.QuadPart &&
       After.BasicInfo.TotalPageFaultCount >= Running.BasicInfo.TotalPageFaultCount,
       "the totals shrank when the job emptied: %I64d < %I64d or %lu < %lu\n",
       After.BasicInfo.TotalUserTime.QuadPart, Running.BasicInfo.TotalUserTime.QuadPart,
       After.BasicInfo.TotalPageFaultCount, Running.BasicInfo.TotalPageFaultCount);
    CloseChild(&Child);
    NtClose(SpinJob);
}

/* A process over the limit is refused and ends; the job is told once until a process leaves */
static
void
TestActiveProcessLimit(VOID)
{
    PROCESS_INFORMATION Children[3], Refused, Bomb;
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION Accounting;
    HANDLE Job, Port;
    NTSTATUS Status;
    DWORD ExitCode;
    ULONG i;

    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_ACTIVE_PROCESS, 2, 0, 0, 0, 0) == STATUS_SUCCESS, "limits failed\n");
    Port = AttachJobPort(Job, LIMITS_KEY);

    for (i = 0; i < 2; i++)
    {
        ok(SpawnInJob(Job, CHILD_MODE_WAIT, NULL, &Children[i]), "child %lu refused: %lu\n", i, GetLastError());
        ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, Children[i].dwProcessId, "under the limit");
    }

    /* Over it: refused, ended, told once */
    for (i = 0; i < 2; i++)
    {
        ok(SpawnChild(CHILD_MODE_WAIT, NULL, TRUE, 0, &Refused), "spawn failed\n");
        Status = NtAssignProcessToJobObject(Job, Refused.hProcess);
        ok(Status == STATUS_QUOTA_EXCEEDED, "assign over the limit: 0x%08lx\n", Status);
        ok(WaitForSingleObject(Refused.hProcess, SILOTEST_WAIT_MS) == WAIT_OBJECT_0,
           "a process refused for the limit runs on\n");
        GetExitCodeProcess(Refused.hProcess, &ExitCode);
        ok(ExitCode == (DWORD)STATUS_QUOTA_EXCEEDED, "refused process exit code 0x%lx\n", ExitCode);
        CloseChild(&Refused);
    }
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT, 0, "over the limit");
    ExpectNoJobMessage(Port, LIMITS_QUIET_MS, "a second refusal");

    /* A process left: the limit is told again when reached again */
    TerminateProcess(Children[0].hProcess, 0);
    WaitChild(&Children[0]);
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_EXIT_PROCESS, Children[0].dwProcessId, "one leaves");
    ok(SpawnInJob(Job, CHILD_MODE_WAIT, NULL, &Children[2]), "a process under the limit again refused\n");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, Children[2].dwProcessId, "room again");
    ok(SpawnChild(CHILD_MODE_WAIT, NULL, TRUE, 0, &Refused), "spawn failed\n");
    ok(NtAssignProcessToJobObject(Job, Refused.hProcess) == STATUS_QUOTA_EXCEEDED, "assign over the limit\n");
    CloseChild(&Refused);
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT, 0, "over the limit again");

    NtQueryInformationJobObject(Job, JobObjectBasicAccountingInformation, &Accounting, sizeof(Accounting), NULL);
    ok(Accounting.TotalProcesses == 3 && Accounting.ActiveProcesses == 2,
       "refused processes counted: total %lu, active %lu\n", Accounting.TotalProcesses, Accounting.ActiveProcesses);
    NtTerminateJobObject(Job, LIMITS_EXIT_STATUS);
    for (i = 0; i < ARRAYSIZE(Children); i++) CloseChild(&Children[i]);
    CloseHandle(Port);
    NtClose(Job);

    /* A child of a job at its limit cannot be created: ERROR_NOT_ENOUGH_QUOTA */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_ACTIVE_PROCESS, 3, 0, 0, 0, 0) == STATUS_SUCCESS, "limits failed\n");
    ok(SpawnInJob(Job, CHILD_MODE_FORK_BOMB, "10", &Bomb), "spawn failed\n");
    ExitCode = WaitChild(&Bomb);
    ok(PRISON_RESULT_COUNT(ExitCode) == 2 && PRISON_RESULT_ERROR(ExitCode) == ERROR_NOT_ENOUGH_QUOTA,
       "a bomb in a job of 3 made %lu children, stopped by %lu\n",
       PRISON_RESULT_COUNT(ExitCode), PRISON_RESULT_ERROR(ExitCode));
    NtTerminateJobObject(Job, LIMITS_EXIT_STATUS);
    CloseChild(&Bomb);
    NtClose(Job);

    /* The control: without the limit the same bomb makes all it asked for */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SpawnInJob(Job, CHILD_MODE_FORK_BOMB, "10", &Bomb), "spawn failed\n");
    ExitCode = WaitChild(&Bomb);
    ok(PRISON_RESULT_COUNT(ExitCode) == 10 && PRISON_RESULT_ERROR(ExitCode) == 0,
       "the unlimited bomb made %lu children, stopped by %lu\n",
       PRISON_RESULT_COUNT(ExitCode), PRISON_RESULT_ERROR(ExitCode));
    NtTerminateJobObject(Job, LIMITS_EXIT_STATUS);
    CloseChild(&Bomb);
    NtClose(Job);
}

/* Runs a hog in a job and returns its exit code */
static
DWORD
RunHog(
    _In_ HANDLE Job,
    _In_ PCSTR Argument,
    _Out_opt_ PDWORD ProcessId)
{
    PROCESS_INFORMATION Hog;
    DWORD ExitCode = STILL_ACTIVE;

    if (ProcessId) *ProcessId = 0;
    if (!SpawnInJob(Job, CHILD_MODE_HOG, Argument, &Hog)) return ExitCode;
    if (ProcessId) *ProcessId = Hog.dwProcessId;
    ExitCode = WaitChild(&Hog);
    CloseChild(&Hog);
    return ExitCode;
}

/* Commit over a process or job memory limit fails at the limit; the peak is recorded; the job is told once */
static
void
TestMemoryLimits(VOID)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;
    JOBOBJECT_NOTIFICATION_LIMIT_INFORMATION Notify;
    JOBOBJECT_LIMIT_VIOLATION_INFORMATION Violation;
    PROCESS_INFORMATION Hogs[2];
    HANDLE Job, Port;
    DWORD ExitCode, HogId;
    ULONG i;

    /* Per process */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_PROCESS_MEMORY, 0, 8 * MB, 0, 0, 0) == STATUS_SUCCESS, "limits\n");
    Port = AttachJobPort(Job, LIMITS_KEY);
    ExitCode = RunHog(Job, "256:64:0", &HogId);
    ok(PRISON_RESULT_ERROR(ExitCode) == ERROR_COMMITMENT_LIMIT, "process limit: the hog stopped with %lu\n",
       PRISON_RESULT_ERROR(ExitCode));
    NtQueryInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits), NULL);
    ok(Limits.PeakProcessMemoryUsed <= 8 * MB && Limits.PeakProcessMemoryUsed + HOG_CHUNK_KB * KB > 8 * MB,
       "process limit 8 MB: peak process commit %Iu KB\n", Limits.PeakProcessMemoryUsed / KB);
    trace("memory-limit: kind=process limit_kb=%d peak_kb=%Iu hog_kb=%lu\n", 8 * 1024,
          Limits.PeakProcessMemoryUsed / KB, PRISON_RESULT_COUNT(ExitCode) * PRISON_HOG_UNIT_KB);
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, HogId, "process limit");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT, HogId, "process limit");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_EXIT_PROCESS, HogId, "process limit");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO, 0, "process limit");
    CloseHandle(Port);
    NtClose(Job);

    /* The control: the same hog in a job without limits commits all it asks for */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ExitCode = RunHog(Job, "256:64:0", NULL);
    ok(PRISON_RESULT_ERROR(ExitCode) == 0 &&
       PRISON_RESULT_COUNT(ExitCode) * PRISON_HOG_UNIT_KB == 64 * 1024,
       "no limit: the hog committed %lu KB and stopped with %lu\n",
       PRISON_RESULT_COUNT(ExitCode) * PRISON_HOG_UNIT_KB, PRISON_RESULT_ERROR(ExitCode));
    NtQueryInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits), NULL);
    ok(Limits.PeakJobMemoryUsed >= 64 * MB, "no limit: peak job commit %Iu KB\n", Limits.PeakJobMemoryUsed / KB);
    NtClose(Job);

    /* Per job: two hogs share 12 MB */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_JOB_MEMORY, 0, 0, 12 * MB, 0, 0) == STATUS_SUCCESS, "limits\n");
    Port = AttachJobPort(Job, LIMITS_KEY);
    for (i = 0; i < ARRAYSIZE(Hogs); i++)
    {
        ok(SpawnInJob(Job, CHILD_MODE_HOG, "256:64:2000", &Hogs[i]), "spawn failed\n");
    }
    for (i = 0; i < ARRAYSIZE(Hogs); i++)
    {
        ExitCode = WaitChild(&Hogs[i]);
        ok(PRISON_RESULT_ERROR(ExitCode) == ERROR_COMMITMENT_LIMIT, "job limit: hog %lu stopped with %lu\n",
           i, PRISON_RESULT_ERROR(ExitCode));
    }
    NtQueryInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits), NULL);
    ok(Limits.PeakJobMemoryUsed <= 12 * MB && Limits.PeakJobMemoryUsed + HOG_CHUNK_KB * KB > 12 * MB,
       "job limit 12 MB: peak job commit %Iu KB\n", Limits.PeakJobMemoryUsed / KB);
    trace("memory-limit: kind=job limit_kb=%d peak_kb=%Iu\n", 12 * 1024, Limits.PeakJobMemoryUsed / KB);
    {
        JOB_MESSAGE Messages[16];
        ULONG Count = DrainJobMessages(Port, LIMITS_QUIET_MS, Messages, ARRAYSIZE(Messages)), Told = 0;

        for (i = 0; i < min(Count, ARRAYSIZE(Messages)); i++)
        {
            if (Messages[i].Id == JOB_OBJECT_MSG_JOB_MEMORY_LIMIT) Told++;
        }
        ok(Told == 1, "the job memory limit was told %lu times, expected once\n", Told);
    }
    for (i = 0; i < ARRAYSIZE(Hogs); i++) CloseChild(&Hogs[i]);
    CloseHandle(Port);
    NtClose(Job);

    /* Commit given back is counted back: churning far more than the limit never meets it */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_JOB_MEMORY, 0, 0, 6 * MB, 0, 0) == STATUS_SUCCESS, "limits\n");
    ok(SpawnInJob(Job, CHILD_MODE_CHURN, "40", &Hogs[0]), "spawn failed\n");
    ExitCode = WaitChild(&Hogs[0]);
    ok(ExitCode == 0, "churning 1 MB 40 times under a 6 MB limit failed at step %lu with %lu\n",
       PRISON_RESULT_COUNT(ExitCode), PRISON_RESULT_ERROR(ExitCode));
    CloseChild(&Hogs[0]);
    NtClose(Job);

    /* A notification limit tells, and refuses nothing */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ZeroMemory(&Notify, sizeof(Notify));
    Notify.LimitFlags = JOB_OBJECT_LIMIT_JOB_MEMORY;
    Notify.JobMemoryLimit = 4 * MB;
    ok(NtSetInformationJobObject(Job, JobObjectNotificationLimitInformation, &Notify, sizeof(Notify)) ==
       STATUS_SUCCESS, "notification limit failed\n");
    Port = AttachJobPort(Job, LIMITS_KEY);
    ExitCode = RunHog(Job, "256:8:0", &HogId);
    ok(PRISON_RESULT_ERROR(ExitCode) == 0, "a notification limit refused commit: %lu\n", PRISON_RESULT_ERROR(ExitCode));
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, HogId, "notification");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NOTIFICATION_LIMIT, HogId, "notification");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_EXIT_PROCESS, HogId, "notification");
    ok(NtQueryInformationJobObject(Job, JobObjectLimitViolationInformation, &Violation, sizeof(Violation), NULL) ==
       STATUS_SUCCESS, "violation query failed\n");
    ok(Violation.LimitFlags == JOB_OBJECT_LIMIT_JOB_MEMORY &&
       Violation.ViolationLimitFlags == JOB_OBJECT_LIMIT_JOB_MEMORY &&
       Violation.JobMemoryLimit == 4 * MB && Violation.JobMemory > 4 * MB,
       "violation: flags 0x%lx/0x%lx, memory %I64u of %I64u\n", Violation.LimitFlags,
       Violation.ViolationLimitFlags, Violation.JobMemory, Violation.JobMemoryLimit);
    Notify.LimitFlags = 0x80000000;
    ok(NtSetInformationJobObject(Job, JobObjectNotificationLimitInformation, &Notify, sizeof(Notify)) ==
       STATUS_INVALID_PARAMETER, "an unknown notification limit was taken\n");
    CloseHandle(Port);
    NtClose(Job);
}

/* Priority class, affinity and the unhandled-exception box */
static
void
TestProcessLimits(VOID)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;
    PROCESS_INFORMATION Child;
    DWORD_PTR ProcessMask, SystemMask;
    HANDLE Job;
    DWORD ExitCode;

    /* A child cannot raise itself above the job's class (kernel32 takes the Win32 class) */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ZeroMemory(&Limits, sizeof(Limits));
    Limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_PRIORITY_CLASS;
    Limits.BasicLimitInformation.PriorityClass = BELOW_NORMAL_PRIORITY_CLASS;
    ok(SetInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits)),
       "priority class limit: %lu\n", GetLastError());
    ok(SpawnInJob(Job, CHILD_MODE_RAISE_PRIORITY, NULL, &Child), "spawn failed\n");
    ExitCode = WaitChild(&Child);
    ok(ExitCode == BELOW_NORMAL_PRIORITY_CLASS, "a child of a below-normal job has class 0x%lx\n", ExitCode);
    CloseChild(&Child);
    Limits.BasicLimitInformation.PriorityClass = 7;
    ok(NtSetInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits)) ==
       STATUS_INVALID_PARAMETER, "priority class 7 was taken\n");
    NtClose(Job);

    /* The control: outside the job it gets what it asks for */
    ok(SpawnChild(CHILD_MODE_RAISE_PRIORITY, NULL, FALSE, 0, &Child), "spawn failed\n");
    ExitCode = WaitChild(&Child);
    ok(ExitCode == HIGH_PRIORITY_CLASS, "a child outside any job has class 0x%lx\n", ExitCode);
    CloseChild(&Child);

    /* Affinity: active processors only */
    GetProcessAffinityMask(GetCurrentProcess(), &ProcessMask, &SystemMask);
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ZeroMemory(&Limits, sizeof(Limits));
    Limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_AFFINITY;
    Limits.BasicLimitInformation.Affinity = SystemMask & (~SystemMask + 1);
    ok(NtSetInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits)) ==
       STATUS_SUCCESS, "affinity limit failed\n");
    ok(SpawnInJob(Job, CHILD_MODE_AFFINITY, NULL, &Child), "spawn failed\n");
    ExitCode = WaitChild(&Child);
    ok(ExitCode == (DWORD)Limits.BasicLimitInformation.Affinity, "the child's affinity is 0x%lx, expected 0x%Ix\n",
       ExitCode, Limits.BasicLimitInformation.Affinity);
    CloseChild(&Child);
    Limits.BasicLimitInformation.Affinity = 0;
    ok(NtSetInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits)) ==
       STATUS_INVALID_PARAMETER, "an empty affinity was taken\n");
    Limits.BasicLimitInformation.Affinity = ~SystemMask;
    ok(~SystemMask == 0 ||
       NtSetInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits)) ==
       STATUS_INVALID_PARAMETER, "an affinity of absent processors was taken\n");
    NtClose(Job);

    /*
     * Die on unhandled exception: a child that asks for the default error
     * mode (which would show the fault box) keeps SEM_NOGPFAULTERRORBOX in
     * such a job, even when it sets its mode again; the control outside it
     * gets the default mode
     */
    ok(SpawnChild(CHILD_MODE_ERROR_MODE, NULL, FALSE, CREATE_DEFAULT_ERROR_MODE, &Child), "spawn failed\n");
    ExitCode = WaitChild(&Child);
    ok(!(ExitCode & SEM_NOGPFAULTERRORBOX), "outside a job the default error mode is 0x%lx\n", ExitCode);
    CloseChild(&Child);
    ok(NT_SUCCESS(CreateJob(&Job, JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION)), "CreateJob failed\n");
    ok(SpawnInJobEx(Job, CHILD_MODE_ERROR_MODE, NULL, CREATE_DEFAULT_ERROR_MODE, &Child), "spawn failed\n");
    ExitCode = WaitChild(&Child);
    ok(ExitCode & SEM_NOGPFAULTERRORBOX, "in a die-on-unhandled-exception job the error mode is 0x%lx\n", ExitCode);
    CloseChild(&Child);
    ok(SpawnInJobEx(Job, CHILD_MODE_CRASH, NULL, CREATE_DEFAULT_ERROR_MODE, &Child), "spawn failed\n");
    ok(WaitForSingleObject(Child.hProcess, LIMITS_CRASH_WAIT_MS) == WAIT_OBJECT_0,
       "a crash with the default error mode in a die-on-unhandled-exception job did not end\n");
    CloseChild(&Child);
    NtClose(Job);
}

/* Per-process and per-job user time: the end, the message, the state until the limit is set again */
static
void
TestTimeLimits(VOID)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;
    JOBOBJECT_END_OF_JOB_TIME_INFORMATION EndOfJob;
    JOBOBJECT_NOTIFICATION_LIMIT_INFORMATION Notify;
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION Accounting;
    PROCESS_INFORMATION Spinner, Waiter, Late;
    HANDLE Job, Port;
    NTSTATUS Status;
    DWORD ExitCode;

    /* Per process: the spinner ends, the waiter lives */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_PROCESS_TIME, 0, 0, 0, MS_TO_100NS(200), 0) == STATUS_SUCCESS, "limits\n");
    Port = AttachJobPort(Job, LIMITS_KEY);
    ok(SpawnInJob(Job, CHILD_MODE_WAIT, NULL, &Waiter), "spawn failed\n");
    ok(SpawnInJob(Job, CHILD_MODE_SPIN, "0", &Spinner), "spawn failed\n");
    ExitCode = WaitChild(&Spinner);
    ok(ExitCode == EXIT_NOT_ENOUGH_QUOTA, "spinner over its process time: exit code %lu\n", ExitCode);
    ok(WaitForSingleObject(Waiter.hProcess, 0) == WAIT_TIMEOUT, "the waiter ended with the spinner\n");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, Waiter.dwProcessId, "process time");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, Spinner.dwProcessId, "process time");
    {
        JOB_MESSAGE Messages[4];
        ULONG Count = DrainJobMessages(Port, LIMITS_QUIET_MS, Messages, ARRAYSIZE(Messages));

        /* The end of its time, then its exit (the exit may come first: the kill was asked before the post) */
        ok(Count == 2 && ((Messages[0].Id == JOB_OBJECT_MSG_END_OF_PROCESS_TIME && Messages[1].Id == JOB_OBJECT_MSG_EXIT_PROCESS) ||
                          (Messages[1].Id == JOB_OBJECT_MSG_END_OF_PROCESS_TIME && Messages[0].Id == JOB_OBJECT_MSG_EXIT_PROCESS)) &&
           Messages[0].ProcessId == Spinner.dwProcessId && Messages[1].ProcessId == Spinner.dwProcessId,
           "process time: %lu messages (%lu, %lu)\n", Count, Messages[0].Id, Messages[1].Id);
    }
    NtQueryInformationJobObject(Job, JobObjectBasicAccountingInformation, &Accounting, sizeof(Accounting), NULL);
    ok(Accounting.TotalTerminatedProcesses == 1, "TotalTerminatedProcesses %lu\n", Accounting.TotalTerminatedProcesses);
    NtTerminateJobObject(Job, LIMITS_EXIT_STATUS);
    CloseChild(&Spinner);
    CloseChild(&Waiter);
    CloseHandle(Port);
    NtClose(Job);

    /* Per job, terminate: every process ends, the job is signaled and takes none until the limit is set again */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_JOB_TIME, 0, 0, 0, 0, MS_TO_100NS(300)) == STATUS_SUCCESS, "limits\n");
    ok(SpawnInJob(Job, CHILD_MODE_WAIT, NULL, &Waiter), "spawn failed\n");
    ok(SpawnInJob(Job, CHILD_MODE_SPIN, "0", &Spinner), "spawn failed\n");
    ok(WaitChild(&Spinner) == EXIT_NOT_ENOUGH_QUOTA && WaitChild(&Waiter) == EXIT_NOT_ENOUGH_QUOTA,
       "the job's processes did not end for its time\n");
    ok(WaitForSingleObject(Job, 0) == WAIT_OBJECT_0, "a job out of its time is not signaled\n");
    NtQueryInformationJobObject(Job, JobObjectBasicAccountingInformation, &Accounting, sizeof(Accounting), NULL);
    ok(Accounting.TotalTerminatedProcesses == 2, "TotalTerminatedProcesses %lu\n", Accounting.TotalTerminatedProcesses);
    ok(SpawnChild(CHILD_MODE_WAIT, NULL, TRUE, 0, &Late), "spawn failed\n");
    Status = NtAssignProcessToJobObject(Job, Late.hProcess);
    ok(Status == STATUS_QUOTA_EXCEEDED, "a job out of its time took a process: 0x%08lx\n", Status);
    CloseChild(&Late);
    ok(SetJobLimits(Job, 0, 0, 0, 0, 0, 0) == STATUS_SUCCESS, "limits\n");
    ok(WaitForSingleObject(Job, 0) == WAIT_TIMEOUT, "the job stays signaled after its time limit was reset\n");
    ok(SpawnInJob(Job, CHILD_MODE_WAIT, NULL, &Late), "a job whose time limit was reset refuses processes\n");
    NtTerminateJobObject(Job, LIMITS_EXIT_STATUS);
    CloseChild(&Late);
    CloseChild(&Spinner);
    CloseChild(&Waiter);
    NtClose(Job);

    /* Per job, post: the job is told, its processes run on, the limit is gone */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    EndOfJob.EndOfJobTimeAction = JOB_OBJECT_POST_AT_END_OF_JOB;
    ok(NtSetInformationJobObject(Job, JobObjectEndOfJobTimeInformation, &EndOfJob, sizeof(EndOfJob)) ==
       STATUS_SUCCESS, "end of job time action failed\n");
    EndOfJob.EndOfJobTimeAction = 2;
    ok(NtSetInformationJobObject(Job, JobObjectEndOfJobTimeInformation, &EndOfJob, sizeof(EndOfJob)) ==
       STATUS_INVALID_PARAMETER, "end of job time action 2 was taken\n");
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_JOB_TIME, 0, 0, 0, 0, MS_TO_100NS(300)) == STATUS_SUCCESS, "limits\n");
    Port = AttachJobPort(Job, LIMITS_KEY);
    ok(SpawnInJob(Job, CHILD_MODE_SPIN, "0", &Spinner), "spawn failed\n");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, Spinner.dwProcessId, "post at end of job");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_END_OF_JOB_TIME, 0, "post at end of job");
    ok(WaitForSingleObject(Spinner.hProcess, 500) == WAIT_TIMEOUT, "the job's process ended at a posted end\n");
    NtQueryInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits), NULL);
    ok(!(Limits.BasicLimitInformation.LimitFlags & JOB_OBJECT_LIMIT_JOB_TIME), "the job time limit stays\n");

    /* Preserving the job time keeps it; together with a new one is refused */
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_JOB_TIME, 0, 0, 0, 0, MS_TO_100NS(60000)) == STATUS_SUCCESS, "limits\n");
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_PRESERVE_JOB_TIME | JOB_OBJECT_LIMIT_ACTIVE_PROCESS, 10, 0, 0, 0, 0) ==
       STATUS_SUCCESS, "preserving limits failed\n");
    NtQueryInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits), NULL);
    ok(Limits.BasicLimitInformation.LimitFlags == (JOB_OBJECT_LIMIT_JOB_TIME | JOB_OBJECT_LIMIT_ACTIVE_PROCESS) &&
       Limits.BasicLimitInformation.PerJobUserTimeLimit.QuadPart == MS_TO_100NS(60000),
       "preserved: flags 0x%lx, time %I64d\n", Limits.BasicLimitInformation.LimitFlags,
       Limits.BasicLimitInformation.PerJobUserTimeLimit.QuadPart);
    ok(SetJobLimits(Job, JOB_OBJECT_LIMIT_PRESERVE_JOB_TIME | JOB_OBJECT_LIMIT_JOB_TIME, 0, 0, 0, 0, 1) ==
       STATUS_INVALID_PARAMETER, "preserve and set the job time together was taken\n");
    NtTerminateJobObject(Job, LIMITS_EXIT_STATUS);
    CloseChild(&Spinner);
    CloseHandle(Port);
    NtClose(Job);

    /* Notification limits on user time and on bytes written tell without ending anything */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ZeroMemory(&Notify, sizeof(Notify));
    Notify.LimitFlags = JOB_OBJECT_LIMIT_JOB_TIME | JOB_OBJECT_LIMIT_JOB_WRITE_BYTES;
    Notify.PerJobUserTimeLimit.QuadPart = MS_TO_100NS(100);
    Notify.IoWriteBytesLimit = 5000;
    ok(NtSetInformationJobObject(Job, JobObjectNotificationLimitInformation, &Notify, sizeof(Notify)) ==
       STATUS_SUCCESS, "notification limits failed\n");
    Port = AttachJobPort(Job, LIMITS_KEY);
    ok(SpawnInJob(Job, CHILD_MODE_IO_WAIT, "10", &Waiter), "spawn failed\n");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, Waiter.dwProcessId, "notify");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NOTIFICATION_LIMIT, 0, "write bytes");
    ok(SpawnInJob(Job, CHILD_MODE_SPIN, "0", &Spinner), "spawn failed\n");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NEW_PROCESS, Spinner.dwProcessId, "notify");
    ExpectJobMessage(Port, LIMITS_KEY, JOB_OBJECT_MSG_NOTIFICATION_LIMIT, 0, "user time");
    ok(WaitForSingleObject(Spinner.hProcess, 300) == WAIT_TIMEOUT, "a notification limit ended a process\n");
    {
        JOBOBJECT_LIMIT_VIOLATION_INFORMATION Violation;

        NtQueryInformationJobObject(Job, JobObjectLimitViolationInformation, &Violation, sizeof(Violation), NULL);
        ok(Violation.ViolationLimitFlags == (JOB_OBJECT_LIMIT_JOB_TIME | JOB_OBJECT_LIMIT_JOB_WRITE_BYTES) &&
           Violation.IoWriteBytes > 5000 && Violation.PerJobUserTime.QuadPart > MS_TO_100NS(100),
           "violation: flags 0x%lx, %I64u bytes, %I64d time\n", Violation.ViolationLimitFlags,
           Violation.IoWriteBytes, Violation.PerJobUserTime.QuadPart);
    }
    ExpectNoJobMessage(Port, LIMITS_QUIET_MS, "told once");
    NtTerminateJobObject(Job, LIMITS_EXIT_STATUS);
    CloseChild(&Spinner);
    CloseChild(&Waiter);
    CloseHandle(Port);
    NtClose(Job);
}

/* Nested jobs: membership of the whole chain, the ancestors' limits, the rules of nesting, breakaway */
static
void
TestNesting(VOID)
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION Accounting;
    PROCESS_INFORMATION Bomb, Other, Child;
    HANDLE Parent, Nested, Busy, Silo, Chain[SILOTEST_MAX_JOB_CHAIN + 1];
    BOOL InJob;
    DWORD ExitCode;
    ULONG i;

    ok(NT_SUCCESS(CreateJob(&Parent, 0)) && NT_SUCCESS(CreateJob(&Nested, 0)), "CreateJob failed\n");
    ok(SetJobLimits(Parent, JOB_OBJECT_LIMIT_ACTIVE_PROCESS, 3, 0, 0, 0, 0) == STATUS_SUCCESS, "limits\n");
    ok(SpawnChild(CHILD_MODE_FORK_BOMB, "10", TRUE, 0, &Bomb), "spawn failed\n");
    ok(NtAssignProcessToJobObject(Parent, Bomb.hProcess) == STATUS_SUCCESS, "assign to the parent failed\n");

    /* An empty job is nested in the process's job */
    ok(NtAssignProcessToJobObject(Nested, Bomb.hProcess) == STATUS_SUCCESS, "nesting failed\n");
    ok(IsProcessInJob(Bomb.hProcess, Parent, &InJob) && InJob, "not in the parent any more\n");
    ok(IsProcessInJob(Bomb.hProcess, Nested, &InJob) && InJob, "not in the nested job\n");
    ok(NtAssignProcessToJobObject(Parent, Bomb.hProcess) == STATUS_SUCCESS, "assign to an own ancestor\n");
    ok(ActiveProcesses(Parent) == 1 && ActiveProcesses(Nested) == 1, "counts %lu and %lu\n",
       ActiveProcesses(Parent), ActiveProcesses(Nested));

    /* A job with processes of its own, a silo: neither can be nested */
    ok(NT_SUCCESS(CreateJob(&Busy, 0)), "CreateJob failed\n");
    ok(SpawnInJob(Busy, CHILD_MODE_WAIT, NULL, &Other), "spawn failed\n");
    ok(NtAssignProcessToJobObject(Busy, Bomb.hProcess) == STATUS_ACCESS_DENIED, "a busy job was nested\n");
    ok(NT_SUCCESS(MakeSilo(&Silo)), "MakeSilo failed\n");
    ok(NtAssignProcessToJobObject(Silo, Bomb.hProcess) == STATUS_ACCESS_DENIED, "a silo was nested\n");
    ok(SetJobLimitFlags(Nested, JOB_OBJECT_LIMIT_SILO_READY) == STATUS_SUCCESS, "limits\n");
    ok(NtSetInformationJobObject(Nested, JobObjectCreateSilo, NULL, 0) == STATUS_INVALID_PARAMETER,
       "a nested job became a silo\n");
    ok(SetJobLimitFlags(Nested, 0) == STATUS_SUCCESS, "limits\n");

    /* The parent's limit holds the nested job's processes */
    ResumeThread(Bomb.hThread);
    ExitCode = WaitChild(&Bomb);
    ok(PRISON_RESULT_COUNT(ExitCode) == 2 && PRISON_RESULT_ERROR(ExitCode) == ERROR_NOT_ENOUGH_QUOTA,
       "a bomb in a job nested in a job of 3 made %lu, stopped by %lu\n",
       PRISON_RESULT_COUNT(ExitCode), PRISON_RESULT_ERROR(ExitCode));
    NtQueryInformationJobObject(Parent, JobObjectBasicAccountingInformation, &Accounting, sizeof(Accounting), NULL);
    ok(Accounting.TotalProcesses == 3, "the parent counts %lu processes, expected 3\n", Accounting.TotalProcesses);

    /* Terminating the parent ends the nested job's processes */
    ok(ActiveProcesses(Nested) == 2, "the nested job holds %lu processes\n", ActiveProcesses(Nested));
    ok(NtTerminateJobObject(Parent, LIMITS_EXIT_STATUS) == STATUS_SUCCESS, "terminate failed\n");
    ok(WaitActiveProcesses(Nested, 0) && WaitActiveProcesses(Parent, 0), "the nested processes live on\n");
    CloseChild(&Bomb);
    NtTerminateJobObject(Busy, LIMITS_EXIT_STATUS);
    CloseChild(&Other);
    NtClose(Busy);
    NtClose(Silo);
    NtClose(Nested);
    NtClose(Parent);

    /* Breaking away from a nested job that allows it lands in its parent, which does not */
    ok(NT_SUCCESS(CreateJob(&Parent, 0)) && NT_SUCCESS(CreateJob(&Nested, 0)), "CreateJob failed\n");
    ok(SpawnChild(CHILD_MODE_SPAWN_BREAKAWAY, NULL, TRUE, 0, &Child), "spawn failed\n");
    ok(NtAssignProcessToJobObject(Parent, Child.hProcess) == STATUS_SUCCESS &&
       NtAssignProcessToJobObject(Nested, Child.hProcess) == STATUS_SUCCESS, "nesting failed\n");
    ok(SetJobLimitFlags(Nested, JOB_OBJECT_LIMIT_BREAKAWAY_OK) == STATUS_SUCCESS, "limits\n");
    ResumeThread(Child.hThread);
    ok(WaitChild(&Child) == 0, "breakaway from the nested job was refused\n");
    ok(WaitActiveProcesses(Parent, 0), "parent still active\n");
    NtQueryInformationJobObject(Nested, JobObjectBasicAccountingInformation, &Accounting, sizeof(Accounting), NULL);
    ok(Accounting.TotalProcesses == 1, "the nested job counts %lu, expected 1\n", Accounting.TotalProcesses);
    NtQueryInformationJobObject(Parent, JobObjectBasicAccountingInformation, &Accounting, sizeof(Accounting), NULL);
    ok(Accounting.TotalProcesses == 2, "the parent counts %lu, expected 2 (the grandchild)\n",
       Accounting.TotalProcesses);
    CloseChild(&Child);
    NtClose(Nested);
    NtClose(Parent);

    /* Nesting stops at its depth */
    ok(SpawnChild(CHILD_MODE_WAIT, NULL, TRUE, 0, &Child), "spawn failed\n");
    for (i = 0; i < ARRAYSIZE(Chain); i++)
    {
        NTSTATUS Status;

        ok(NT_SUCCESS(CreateJob(&Chain[i], 0)), "CreateJob failed\n");
        Status = NtAssignProcessToJobObject(Chain[i], Child.hProcess);
        ok(Status == ((i < SILOTEST_MAX_JOB_CHAIN) ? STATUS_SUCCESS : STATUS_ACCESS_DENIED),
           "job %lu of the chain: 0x%08lx\n", i + 1, Status);
    }
    NtTerminateJobObject(Chain[0], LIMITS_EXIT_STATUS);
    CloseChild(&Child);
    for (i = ARRAYSIZE(Chain); i-- > 0;) NtClose(Chain[i]);
}

/*
 * The seed's guard: tenants in a prison job are also in a second, kill-on-
 * close job whose only handle the guard holds; the guard's death ends them.
 */
static
void
TestGuard(
    _In_ BOOL KillOnClose)
{
    PROCESS_INFORMATION GuardProcess;
    HANDLE Prison;

    ok(NT_SUCCESS(CreateJob(&Prison, 0)), "CreateJob failed\n");
    ok(SetJobLimits(Prison, JOB_OBJECT_LIMIT_ACTIVE_PROCESS, 10, 0, 0, 0, 0) == STATUS_SUCCESS, "limits\n");
    ok(SpawnInJob(Prison, KillOnClose ? CHILD_MODE_GUARD : CHILD_MODE_SOFT_GUARD, "3", &GuardProcess),
       "spawn failed\n");
    ok(WaitActiveProcesses(Prison, 4), "the guard and its 3 tenants: %lu\n", ActiveProcesses(Prison));

    TerminateProcess(GuardProcess.hProcess, ERROR_CANCELLED);
    WaitChild(&GuardProcess);
    if (KillOnClose)
    {
        ok(WaitActiveProcesses(Prison, 0), "the tenants outlived their guard: %lu left\n", ActiveProcesses(Prison));
    }
    else
    {
        /* The control: a guard job without kill on close leaves them */
        Sleep(LIMITS_QUIET_MS);
        ok(ActiveProcesses(Prison) == 3, "the control's tenants: %lu\n", ActiveProcesses(Prison));
        NtTerminateJobObject(Prison, LIMITS_EXIT_STATUS);
    }
    CloseChild(&GuardProcess);
    NtClose(Prison);
}

/* CPU rate control: what the class takes and refuses, and a cap held on the host */
static
void
TestRateControl(VOID)
{
    JOBOBJECT_CPU_RATE_CONTROL_INFORMATION RateControl;
    PROCESS_INFORMATION Spinner;
    HANDLE Job;
    double CpuMs, Share;
    DWORD Start;

    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SetJobCpuRate(Job, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED, 0) ==
       STATUS_INVALID_PARAMETER, "weight 0 was taken\n");
    ok(SetJobCpuRate(Job, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED, 10) ==
       STATUS_INVALID_PARAMETER, "weight 10 was taken\n");
    ok(SetJobCpuRate(Job, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP, 10001) ==
       STATUS_INVALID_PARAMETER, "a rate over 100%% was taken\n");
    ok(SetJobCpuRate(Job, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP |
                          JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED, 5) == STATUS_INVALID_PARAMETER,
       "a hard cap with a weight was taken\n");
    ok(SetJobCpuRate(Job, JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP, 2000) == STATUS_INVALID_PARAMETER,
       "rate flags without ENABLE were taken\n");
    ok(SetJobCpuRate(Job, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_MIN_MAX_RATE, 0) ==
       STATUS_NOT_SUPPORTED, "a minimum and maximum rate\n");
    ok(SetJobCpuRate(Job, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP, 3000) ==
       STATUS_SUCCESS, "a 30%% hard cap was refused\n");
    ok(NtQueryInformationJobObject(Job, JobObjectCpuRateControlInformation, &RateControl, sizeof(RateControl),
                                   NULL) == STATUS_SUCCESS &&
       RateControl.ControlFlags == (JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP) &&
       RateControl.CpuRate == 3000, "rate control query: 0x%lx %lu\n", RateControl.ControlFlags, RateControl.CpuRate);

    /* A spinner alone on the machine gets its cap, not the machine */
    ok(SpawnInJob(Job, CHILD_MODE_SPIN, "0", &Spinner), "spawn failed\n");
    Sleep(200);
    CpuMs = JobCpuMs(Job);
    Start = GetTickCount();
    Sleep(3000);
    Share = 100.0 * (JobCpuMs(Job) - CpuMs) / (GetTickCount() - Start);
    trace("cpu-cap: where=host rate_pct=30 share_pct=%.1f\n", Share);
    ok(Share >= 22.0 && Share <= 38.0, "a 30%% cap gave %.1f%%\n", Share);

    /* The control: off, it takes the machine */
    ok(SetJobCpuRate(Job, 0, 0) == STATUS_SUCCESS, "turning rate control off failed\n");
    Sleep(200);
    CpuMs = JobCpuMs(Job);
    Start = GetTickCount();
    Sleep(1000);
    Share = 100.0 * (JobCpuMs(Job) - CpuMs) / (GetTickCount() - Start);
    ok(Share >= 70.0, "without a cap the spinner got %.1f%%\n", Share);

    NtTerminateJobObject(Job, LIMITS_EXIT_STATUS);
    CloseChild(&Spinner);
    NtClose(Job);
}

START_TEST(limits)
{
    TestMessages();
    TestAccounting();
    TestActiveProcessLimit();
    TestMemoryLimits();
    TestProcessLimits();
    TestTimeLimits();
    TestNesting();
    TestGuard(TRUE);
    TestGuard(FALSE);
    TestRateControl();
}
