/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Job membership, the plumbing silos stand on: assign, inherit,
 *              break away, leave on exit, terminate, kill on close, limits
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define JOB_EXIT_STATUS             0x1234

static
void
TestAssign(VOID)
{
    PROCESS_INFORMATION Child, Member;
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION Accounting;
    HANDLE Job, Other, Nested;
    BOOL InJob = FALSE;
    NTSTATUS Status;

    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(NT_SUCCESS(CreateJob(&Other, 0)), "CreateJob failed\n");
    ok(SpawnChild(CHILD_MODE_WAIT, NULL, TRUE, 0, &Child), "SpawnChild failed: %lu\n", GetLastError());

    Status = NtAssignProcessToJobObject(Job, Child.hProcess);
    ok(Status == STATUS_SUCCESS, "assign: 0x%08lx\n", Status);
    ok(IsProcessInJob(Child.hProcess, Job, &InJob) && InJob, "child not in the job\n");

    Status = NtQueryInformationJobObject(Job, JobObjectBasicAccountingInformation,
                                         &Accounting, sizeof(Accounting), NULL);
    ok(Status == STATUS_SUCCESS, "accounting: 0x%08lx\n", Status);
    ok(Accounting.ActiveProcesses == 1, "ActiveProcesses %lu, expected 1\n", Accounting.ActiveProcesses);
    ok(Accounting.TotalProcesses == 1, "TotalProcesses %lu, expected 1\n", Accounting.TotalProcesses);

    /* A second job that has a process of its own is refused and left as it was */
    ok(SpawnChild(CHILD_MODE_WAIT, NULL, TRUE, 0, &Member), "SpawnChild failed: %lu\n", GetLastError());
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Other, Member.hProcess)), "assign to the second job failed\n");
    Status = NtAssignProcessToJobObject(Other, Child.hProcess);
    ok(Status == STATUS_ACCESS_DENIED, "second assign: 0x%08lx\n", Status);
    ok(IsProcessInJob(Child.hProcess, Other, &InJob) && !InJob, "child claims the second job\n");
    ok(ActiveProcesses(Other) == 1, "second job counts %lu processes\n", ActiveProcesses(Other));
    CloseChild(&Member);

    /* An empty job is nested in the child's job (Windows 8 and later): the child is in both */
    ok(NT_SUCCESS(CreateJob(&Nested, 0)), "CreateJob failed\n");
    Status = NtAssignProcessToJobObject(Nested, Child.hProcess);
    ok(Status == STATUS_SUCCESS, "assign to an empty job: 0x%08lx\n", Status);
    ok(IsProcessInJob(Child.hProcess, Nested, &InJob) && InJob, "child not in the nested job\n");
    ok(IsProcessInJob(Child.hProcess, Job, &InJob) && InJob, "child left its first job\n");
    ok(ActiveProcesses(Job) == 1 && ActiveProcesses(Nested) == 1, "counts %lu and %lu\n",
       ActiveProcesses(Job), ActiveProcesses(Nested));

    /* Leaving on exit */
    TerminateProcess(Child.hProcess, 0);
    ok(WaitChild(&Child) == 0, "child did not end\n");
    ok(WaitActiveProcesses(Job, 0), "job still counts %lu active processes\n", ActiveProcesses(Job));
    Status = NtQueryInformationJobObject(Job, JobObjectBasicAccountingInformation,
                                         &Accounting, sizeof(Accounting), NULL);
    ok(Accounting.TotalProcesses == 1, "TotalProcesses %lu after exit, expected 1\n", Accounting.TotalProcesses);

    CloseChild(&Child);
    NtClose(Nested);
    NtClose(Other);
    NtClose(Job);
}

static
void
TestInheritAndTerminate(VOID)
{
    PROCESS_INFORMATION Child;
    HANDLE Job;
    DWORD ExitCode;
    NTSTATUS Status;

    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SpawnChild(CHILD_MODE_SPAWN, NULL, TRUE, 0, &Child), "SpawnChild failed: %lu\n", GetLastError());
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Job, Child.hProcess)), "assign failed\n");
    ResumeThread(Child.hThread);

    /* The grandchild is born in the job */
    ok(WaitActiveProcesses(Job, 2), "job counts %lu active processes, expected 2\n", ActiveProcesses(Job));

    Status = NtTerminateJobObject(Job, JOB_EXIT_STATUS);
    ok(Status == STATUS_SUCCESS, "NtTerminateJobObject: 0x%08lx\n", Status);
    ExitCode = WaitChild(&Child);
    ok(ExitCode == JOB_EXIT_STATUS, "child exit code 0x%lx, expected 0x%x\n", ExitCode, JOB_EXIT_STATUS);
    ok(WaitActiveProcesses(Job, 0), "job still counts %lu active processes\n", ActiveProcesses(Job));
    ok(WaitForSingleObject(Job, 0) == WAIT_OBJECT_0, "terminated job is not signaled\n");

    /* A terminated job takes new processes again, and stays signaled (as on Windows) */
    CloseChild(&Child);
    ok(SpawnChild(CHILD_MODE_WAIT, NULL, TRUE, 0, &Child), "SpawnChild failed\n");
    Status = NtAssignProcessToJobObject(Job, Child.hProcess);
    ok(Status == STATUS_SUCCESS, "assign to a terminated job: 0x%08lx\n", Status);
    ok(WaitForSingleObject(Job, 0) == WAIT_OBJECT_0, "a new process reset the terminated job's state\n");
    NtTerminateJobObject(Job, JOB_EXIT_STATUS);

    CloseChild(&Child);
    NtClose(Job);
}

static
void
TestBreakaway(
    _In_ ULONG LimitFlags,
    _In_ ULONG ExpectedTotal)
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION Accounting;
    PROCESS_INFORMATION Child;
    HANDLE Job;

    ok(NT_SUCCESS(CreateJob(&Job, LimitFlags)), "CreateJob failed\n");
    ok(SpawnChild(CHILD_MODE_SPAWN_SHORT, NULL, TRUE, 0, &Child), "SpawnChild failed\n");
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Job, Child.hProcess)), "assign failed\n");
    ResumeThread(Child.hThread);

    /* The child ends after its grandchild did; the total says where the grandchild was born */
    ok(WaitChild(&Child) == 0, "child failed\n");
    ok(WaitActiveProcesses(Job, 0), "job still counts %lu active processes\n", ActiveProcesses(Job));
    NtQueryInformationJobObject(Job, JobObjectBasicAccountingInformation, &Accounting, sizeof(Accounting), NULL);
    ok(Accounting.TotalProcesses == ExpectedTotal, "limits 0x%lx: TotalProcesses %lu, expected %lu\n",
       LimitFlags, Accounting.TotalProcesses, ExpectedTotal);

    CloseChild(&Child);
    NtClose(Job);
}

static
void
TestKillOnJobClose(VOID)
{
    PROCESS_INFORMATION Child, Survivor;
    HANDLE Job;

    ok(NT_SUCCESS(CreateJob(&Job, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE)), "CreateJob failed\n");
    ok(SpawnChild(CHILD_MODE_WAIT, NULL, FALSE, 0, &Child), "SpawnChild failed\n");
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Job, Child.hProcess)), "assign failed\n");
    NtClose(Job);
    ok(WaitChild(&Child) != STILL_ACTIVE, "closing the last job handle did not kill the child\n");
    CloseChild(&Child);

    /* Without the flag, closing the job leaves its processes alone */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    ok(SpawnChild(CHILD_MODE_WAIT, NULL, FALSE, 0, &Survivor), "SpawnChild failed\n");
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Job, Survivor.hProcess)), "assign failed\n");
    NtClose(Job);
    ok(WaitForSingleObject(Survivor.hProcess, 500) == WAIT_TIMEOUT, "child died with its plain job\n");
    CloseChild(&Survivor);
}

static
void
TestLimits(VOID)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;
    HANDLE Job;
    NTSTATUS Status;

    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");

    Status = SetJobLimitFlags(Job, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_BREAKAWAY_OK);
    ok(Status == STATUS_SUCCESS, "set limits: 0x%08lx\n", Status);
    Status = NtQueryInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits), NULL);
    ok(Status == STATUS_SUCCESS, "query limits: 0x%08lx\n", Status);
    ok(Limits.BasicLimitInformation.LimitFlags == (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_BREAKAWAY_OK),
       "LimitFlags 0x%lx\n", Limits.BasicLimitInformation.LimitFlags);

    Status = SetJobLimitFlags(Job, 0x80000000);
    ok(Status == STATUS_INVALID_PARAMETER, "unknown limit flag: 0x%08lx\n", Status);

    Status = NtSetInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits) - 1);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "short limits: 0x%08lx\n", Status);
    Status = NtSetInformationJobObject(Job, JobObjectExtendedLimitInformation, (PVOID)0x1, sizeof(Limits));
    ok(Status == STATUS_DATATYPE_MISALIGNMENT || Status == STATUS_ACCESS_VIOLATION, "bad pointer: 0x%08lx\n", Status);

    /* The limits survive: the failed calls changed nothing */
    NtQueryInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits), NULL);
    ok(Limits.BasicLimitInformation.LimitFlags == (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_BREAKAWAY_OK),
       "LimitFlags 0x%lx after failed sets\n", Limits.BasicLimitInformation.LimitFlags);

    /* Closing the last handle of this job kills nothing: it is empty */
    NtClose(Job);
}

/* Room for the list header and this many ids */
#define ID_LIST_BYTES(Ids)  FIELD_OFFSET(JOBOBJECT_BASIC_PROCESS_ID_LIST, ProcessIdList[Ids])
#define ID_LIST_CHILDREN    2

typedef struct _ID_LIST_BUFFER
{
    JOBOBJECT_BASIC_PROCESS_ID_LIST List;
    ULONG_PTR More[ID_LIST_CHILDREN];
} ID_LIST_BUFFER;

static
BOOL
IsChildId(
    _In_ ULONG_PTR Id,
    _In_reads_(ID_LIST_CHILDREN) PROCESS_INFORMATION *Children)
{
    ULONG i;

    for (i = 0; i < ID_LIST_CHILDREN; i++)
    {
        if (Id == Children[i].dwProcessId) return TRUE;
    }
    return FALSE;
}

/* JobObjectBasicProcessIdList: every active process, or those that fit and the count of all */
static
void
TestProcessIdList(VOID)
{
    PROCESS_INFORMATION Children[ID_LIST_CHILDREN];
    ID_LIST_BUFFER Buffer;
    ULONG i, Length;
    HANDLE Job;
    NTSTATUS Status;

    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");

    /* An empty job lists nothing */
    FillMemory(&Buffer, sizeof(Buffer), 0xAA);
    Status = NtQueryInformationJobObject(Job, JobObjectBasicProcessIdList, &Buffer, sizeof(Buffer), &Length);
    ok(Status == STATUS_SUCCESS, "empty job: 0x%08lx\n", Status);
    ok(Buffer.List.NumberOfAssignedProcesses == 0 && Buffer.List.NumberOfProcessIdsInList == 0,
       "empty job: %lu assigned, %lu listed\n", Buffer.List.NumberOfAssignedProcesses,
       Buffer.List.NumberOfProcessIdsInList);
    ok(Length == ID_LIST_BYTES(0), "empty job: return length %lu\n", Length);

    for (i = 0; i < ID_LIST_CHILDREN; i++)
    {
        ok(SpawnChild(CHILD_MODE_WAIT, NULL, TRUE, 0, &Children[i]), "SpawnChild failed: %lu\n", GetLastError());
        ok(NT_SUCCESS(NtAssignProcessToJobObject(Job, Children[i].hProcess)), "assign failed\n");
        ResumeThread(Children[i].hThread);
    }

    /* Room for all */
    Status = NtQueryInformationJobObject(Job, JobObjectBasicProcessIdList, &Buffer,
                                         ID_LIST_BYTES(ID_LIST_CHILDREN), &Length);
    ok(Status == STATUS_SUCCESS, "room for all: 0x%08lx\n", Status);
    ok(Buffer.List.NumberOfAssignedProcesses == ID_LIST_CHILDREN &&
       Buffer.List.NumberOfProcessIdsInList == ID_LIST_CHILDREN,
       "room for all: %lu assigned, %lu listed\n", Buffer.List.NumberOfAssignedProcesses,
       Buffer.List.NumberOfProcessIdsInList);
    ok(IsChildId(Buffer.List.ProcessIdList[0], Children) && IsChildId(Buffer.List.ProcessIdList[1], Children) &&
       Buffer.List.ProcessIdList[0] != Buffer.List.ProcessIdList[1], "ids %Iu %Iu are not the children's\n",
       Buffer.List.ProcessIdList[0], Buffer.List.ProcessIdList[1]);
    ok(Length == ID_LIST_BYTES(ID_LIST_CHILDREN), "room for all: return length %lu\n", Length);

    /* Room for one: that one, and the count of all (ERROR_MORE_DATA in Win32) */
    FillMemory(&Buffer, sizeof(Buffer), 0xAA);
    Status = NtQueryInformationJobObject(Job, JobObjectBasicProcessIdList, &Buffer, ID_LIST_BYTES(1), &Length);
    ok(Status == STATUS_BUFFER_OVERFLOW, "room for one: 0x%08lx\n", Status);
    ok(Buffer.List.NumberOfAssignedProcesses == ID_LIST_CHILDREN && Buffer.List.NumberOfProcessIdsInList == 1 &&
       IsChildId(Buffer.List.ProcessIdList[0], Children), "room for one: %lu assigned, %lu listed, id %Iu\n",
       Buffer.List.NumberOfAssignedProcesses, Buffer.List.NumberOfProcessIdsInList, Buffer.List.ProcessIdList[0]);
    ok(Buffer.More[0] == (ULONG_PTR)0xAAAAAAAA, "room for one: the id after it was written\n");
    ok(Length == ID_LIST_BYTES(1), "room for one: return length %lu\n", Length);

    /* No room for an id at all */
    Status = NtQueryInformationJobObject(Job, JobObjectBasicProcessIdList, &Buffer, ID_LIST_BYTES(0), &Length);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "header only: 0x%08lx\n", Status);

    /* A child that ended is no longer listed */
    TerminateProcess(Children[0].hProcess, ERROR_CANCELLED);
    ok(WaitActiveProcesses(Job, ID_LIST_CHILDREN - 1), "job counts %lu active processes\n", ActiveProcesses(Job));
    Status = NtQueryInformationJobObject(Job, JobObjectBasicProcessIdList, &Buffer, sizeof(Buffer), &Length);
    ok(Status == STATUS_SUCCESS && Buffer.List.NumberOfProcessIdsInList == 1 &&
       Buffer.List.ProcessIdList[0] == Children[1].dwProcessId, "after an exit: 0x%08lx, %lu listed, id %Iu\n",
       Status, Buffer.List.NumberOfProcessIdsInList, Buffer.List.ProcessIdList[0]);

    for (i = 0; i < ID_LIST_CHILDREN; i++) CloseChild(&Children[i]);
    NtClose(Job);
}

/*
 * A process in a job asks for a child outside it (CREATE_BREAKAWAY_FROM_JOB):
 * refused with ERROR_ACCESS_DENIED unless the job allows breakaway, always
 * refused from a silo; the child leaves the job when it is allowed.
 */
static
void
TestBreakawayRequested(
    _In_ BOOL Silo,
    _In_ ULONG LimitFlags,
    _In_ DWORD ExpectedExitCode,
    _In_ ULONG ExpectedTotal)
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION Accounting;
    PROCESS_INFORMATION Child;
    HANDLE Job;
    DWORD ExitCode;

    ok(NT_SUCCESS(Silo ? MakeSilo(&Job) : CreateJob(&Job, 0)), "job or silo not made\n");
    if (LimitFlags) ok(SetJobLimitFlags(Job, LimitFlags) == STATUS_SUCCESS, "set limits 0x%lx\n", LimitFlags);
    ok(SpawnChild(CHILD_MODE_SPAWN_BREAKAWAY, NULL, TRUE, 0, &Child), "SpawnChild failed\n");
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Job, Child.hProcess)), "assign failed\n");
    ResumeThread(Child.hThread);

    ExitCode = WaitChild(&Child);
    ok(ExitCode == ExpectedExitCode, "silo %d limits 0x%lx: breakaway asked, child says %lu, expected %lu\n",
       Silo, LimitFlags, ExitCode, ExpectedExitCode);
    ok(WaitActiveProcesses(Job, 0), "job still counts %lu active processes\n", ActiveProcesses(Job));
    NtQueryInformationJobObject(Job, JobObjectBasicAccountingInformation, &Accounting, sizeof(Accounting), NULL);
    ok(Accounting.TotalProcesses == ExpectedTotal, "silo %d limits 0x%lx: TotalProcesses %lu, expected %lu\n",
       Silo, LimitFlags, Accounting.TotalProcesses, ExpectedTotal);

    CloseChild(&Child);
    NtClose(Job);
}

START_TEST(jobs)
{
    TestAssign();
    TestInheritAndTerminate();
    TestBreakaway(0, 2);
    TestBreakaway(JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK, 1);
    TestKillOnJobClose();
    TestLimits();
    TestProcessIdList();
    TestBreakawayRequested(FALSE, 0, ERROR_ACCESS_DENIED, 1);
    TestBreakawayRequested(FALSE, JOB_OBJECT_LIMIT_BREAKAWAY_OK, 0, 1);
    TestBreakawayRequested(TRUE, 0, ERROR_ACCESS_DENIED, 1);
}
