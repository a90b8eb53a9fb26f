/*
 * PROJECT:     ReactOS Kernel
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Job limits: nested jobs, the limits a job enforces on the
 *              processes that join it and on their commit, its accounting,
 *              its notification limits and the messages it posts
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

/* INCLUDES ******************************************************************/

#include <ntoskrnl.h>
#define NDEBUG
#include <debug.h>

/* The extension pointer follows byte-packed EJOB fields */
C_ASSERT(FIELD_OFFSET(EJOB, Extension) % sizeof(PVOID) == 0);

/* GLOBALS *******************************************************************/

/* Room for processes that join while a tree is being listed */
#define PSP_JOB_SNAPSHOT_SLACK          16

/*
 * The exit statuses Windows calls abnormal for
 * JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS: the processor exceptions
 */
static const NTSTATUS PspAbnormalExitStatuses[] =
{
    STATUS_ACCESS_VIOLATION,
    STATUS_ARRAY_BOUNDS_EXCEEDED,
    STATUS_BREAKPOINT,
    STATUS_DATATYPE_MISALIGNMENT,
    STATUS_FLOAT_DENORMAL_OPERAND,
    STATUS_FLOAT_DIVIDE_BY_ZERO,
    STATUS_FLOAT_INEXACT_RESULT,
    STATUS_FLOAT_INVALID_OPERATION,
    STATUS_FLOAT_OVERFLOW,
    STATUS_FLOAT_STACK_CHECK,
    STATUS_FLOAT_UNDERFLOW,
    STATUS_GUARD_PAGE_VIOLATION,
    STATUS_ILLEGAL_INSTRUCTION,
    STATUS_IN_PAGE_ERROR,
    STATUS_INTEGER_DIVIDE_BY_ZERO,
    STATUS_INTEGER_OVERFLOW,
    STATUS_INVALID_DISPOSITION,
    STATUS_NONCONTINUABLE_EXCEPTION,
    STATUS_PRIVILEGED_INSTRUCTION,
    STATUS_SINGLE_STEP,
    STATUS_STACK_OVERFLOW
};

/* Priority classes from the lowest to the highest */
static const UCHAR PspPriorityClassOrder[] =
{
    PROCESS_PRIORITY_CLASS_IDLE,
    PROCESS_PRIORITY_CLASS_BELOW_NORMAL,
    PROCESS_PRIORITY_CLASS_NORMAL,
    PROCESS_PRIORITY_CLASS_ABOVE_NORMAL,
    PROCESS_PRIORITY_CLASS_HIGH,
    PROCESS_PRIORITY_CLASS_REALTIME
};

/*
 * Commit of paging-file backed sections that processes of a job created or
 * committed: it counts in the job's commit until the section's segment is
 * deleted, which may be long after the process ended. One record per segment
 * and job; the record holds a reference on the job. PspJobSectionLock
 * guards the buckets; taken with no other lock than the caller's address
 * space lock. PASSIVE_LEVEL.
 */
#define PSP_JOB_SECTION_BUCKETS         64

typedef struct _PSP_JOB_SECTION_CHARGE
{
    LIST_ENTRY Links;
    PVOID Segment;
    PEJOB Job;
    SIZE_T Pages;
} PSP_JOB_SECTION_CHARGE, *PPSP_JOB_SECTION_CHARGE;

static KGUARDED_MUTEX PspJobSectionLock;
static LIST_ENTRY PspJobSectionCharges[PSP_JOB_SECTION_BUCKETS];

typedef struct _PSP_JOB_TREE_SNAPSHOT
{
    PEPROCESS *Processes;
    ULONG Capacity;
    ULONG Taken;
    ULONG Needed;
} PSP_JOB_TREE_SNAPSHOT, *PPSP_JOB_TREE_SNAPSHOT;


/* PRIVATE FUNCTIONS *********************************************************/

static
BOOLEAN
PspIsAbnormalExitStatus(
    _In_ NTSTATUS ExitStatus)
{
    ULONG i;

    for (i = 0; i < RTL_NUMBER_OF(PspAbnormalExitStatuses); i++)
    {
        if (PspAbnormalExitStatuses[i] == ExitStatus) return TRUE;
    }
    return FALSE;
}

static
ULONG
PspGetPriorityClassRank(
    _In_ UCHAR PriorityClass)
{
    ULONG i;

    for (i = 0; i < RTL_NUMBER_OF(PspPriorityClassOrder); i++)
    {
        if (PspPriorityClassOrder[i] == PriorityClass) return i;
    }

    /* Not a class (a process created without one): ranks as normal */
    return PspGetPriorityClassRank(PROCESS_PRIORITY_CLASS_NORMAL);
}

/*!
 * @brief
 * Creates a job's extension (EJOB.Extension), not nested and without limits.
 *
 * @return
 * STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES.
 *
 * @remarks
 * Called once, while the job is created and before anyone can reach it.
 */
NTSTATUS
NTAPI
PspCreateJobExtension(
    _In_ PEJOB Job)
{
    PPSP_JOB_EXTENSION Extension;

    PAGED_CODE();

    /* The commit path reads it with the address space lock held */
    Extension = ExAllocatePoolZero(NonPagedPool, sizeof(*Extension), TAG_PS_JOB_EXTENSION);
    if (Extension == NULL) return STATUS_INSUFFICIENT_RESOURCES;

    InitializeListHead(&Extension->ChildJobListHead);
    InitializeListHead(&Extension->SiblingLinks);
    InitializeListHead(&Extension->ManagerLinks);
    Extension->Job = Job;
    Job->Extension = Extension;
    return STATUS_SUCCESS;
}

/*!
 * @brief
 * Frees a job's extension: the job leaves its parent's child list and the
 * job manager's list, and drops its reference on the parent.
 *
 * @remarks
 * Called from the job's delete procedure: no process and no child job
 * references the job any more.
 */
VOID
NTAPI
PspDeleteJobExtension(
    _In_ PEJOB Job)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;
    PEJOB Parent;

    PAGED_CODE();

    /* A job that failed to be created has none */
    if (Extension == NULL) return;

    PspRemoveJobFromManager(Job);
    ASSERT(Extension->Manager.HeldCount == 0);
    ASSERT(IsListEmpty(&Extension->ChildJobListHead));

    Parent = Extension->ParentJob;
    if (Parent != NULL)
    {
        KeEnterGuardedRegion();
        ExAcquireResourceExclusiveLite(&Parent->JobLock, TRUE);
        RemoveEntryList(&Extension->SiblingLinks);
        ExReleaseResourceLite(&Parent->JobLock);
        KeLeaveGuardedRegion();

        /* Dereference the parent */
        ObDereferenceObject(Parent);
    }

    Job->Extension = NULL;
    ExFreePoolWithTag(Extension, TAG_PS_JOB_EXTENSION);
}

/*
 * @remarks
 * The parent of a job that has processes does not change: callers read it
 * without a lock from a job that a process or a reference keeps alive.
 */
PEJOB
NTAPI
PspGetParentJob(
    _In_ PEJOB Job)
{
    return Job->Extension->ParentJob;
}

/* Whether Job is InnermostJob or one of the jobs it is nested in */
BOOLEAN
NTAPI
PspIsJobInChain(
    _In_ PEJOB InnermostJob,
    _In_ PEJOB Job)
{
    PEJOB Member;

    for (Member = InnermostJob; Member != NULL; Member = PspGetParentJob(Member))
    {
        if (Member == Job) return TRUE;
    }
    return FALSE;
}

/* The jobs from InnermostJob to its top-level job */
VOID
NTAPI
PspGetJobChain(
    _In_ PEJOB InnermostJob,
    _Out_ PPSP_JOB_CHAIN Chain)
{
    PEJOB Job;

    Chain->Count = 0;
    for (Job = InnermostJob; Job != NULL; Job = PspGetParentJob(Job))
    {
        /* Nesting stops at PSP_JOB_MAX_CHAIN when a job is bound */
        ASSERT(Chain->Count < PSP_JOB_MAX_CHAIN);
        Chain->Jobs[Chain->Count++] = Job;
    }
}

/*!
 * @brief
 * Takes the JobLock of every job of a chain exclusive, outermost first.
 *
 * @remarks
 * Enters a guarded region that PspUnlockJobChain leaves. An ancestor's lock
 * is always taken before a descendant's.
 */
VOID
NTAPI
PspLockJobChain(
    _In_ PPSP_JOB_CHAIN Chain)
{
    ULONG i;

    KeEnterGuardedRegion();
    for (i = Chain->Count; i-- > 0;)
    {
        ExAcquireResourceExclusiveLite(&Chain->Jobs[i]->JobLock, TRUE);
    }
}

VOID
NTAPI
PspUnlockJobChain(
    _In_ PPSP_JOB_CHAIN Chain)
{
    ULONG i;

    for (i = 0; i < Chain->Count; i++)
    {
        ExReleaseResourceLite(&Chain->Jobs[i]->JobLock);
    }
    KeLeaveGuardedRegion();
}

/* Lists the active processes of Job and of the jobs nested in it, Job's lock shared */
static
VOID
PspCollectJobTree(
    _In_ PEJOB Job,
    _Inout_ PPSP_JOB_TREE_SNAPSHOT Snapshot)
{
    PLIST_ENTRY NextEntry;

    ExAcquireResourceSharedLite(&Job->JobLock, TRUE);

    for (NextEntry = Job->ProcessListHead.Flink;
         NextEntry != &Job->ProcessListHead;
         NextEntry = NextEntry->Flink)
    {
        PEPROCESS Process = CONTAINING_RECORD(NextEntry, EPROCESS, JobLinks);

        if (Process->JobStatus & PSP_JOB_STATUS_EXITED) continue;

        /* A process that is being deleted is left out */
        Snapshot->Needed++;
        if ((Snapshot->Taken < Snapshot->Capacity) && ObReferenceObjectSafe(Process))
        {
            Snapshot->Processes[Snapshot->Taken++] = Process;
        }
    }

    /* The recursion is as deep as the nesting: PSP_JOB_MAX_CHAIN at most */
    for (NextEntry = Job->Extension->ChildJobListHead.Flink;
         NextEntry != &Job->Extension->ChildJobListHead;
         NextEntry = NextEntry->Flink)
    {
        PPSP_JOB_EXTENSION Child = CONTAINING_RECORD(NextEntry, PSP_JOB_EXTENSION, SiblingLinks);

        PspCollectJobTree(Child->Job, Snapshot);
    }

    ExReleaseResourceLite(&Job->JobLock);
}

/*!
 * @brief
 * References the active processes of a job and of every job nested in it.
 *
 * @param[out] Processes
 * A pool array of referenced processes (NULL when there are none), released
 * with PspDereferenceProcesses.
 *
 * @param[out] Count
 * How many there are.
 *
 * @return
 * STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES.
 *
 * @remarks
 * The locks are released before the caller acts on the processes, so it may
 * terminate, freeze or query them. PASSIVE_LEVEL; no JobLock held.
 */
NTSTATUS
NTAPI
PspReferenceJobTreeProcesses(
    _In_ PEJOB Job,
    _Outptr_result_buffer_maybenull_(*Count) PEPROCESS **Processes,
    _Out_ PULONG Count)
{
    PSP_JOB_TREE_SNAPSHOT Snapshot;

    PAGED_CODE();

    *Processes = NULL;
    *Count = 0;

    /* ActiveProcesses counts the nested jobs' processes too; read again if more joined */
    for (;;)
    {
        Snapshot.Capacity = Job->ActiveProcesses + PSP_JOB_SNAPSHOT_SLACK;
        Snapshot.Taken = 0;
        Snapshot.Needed = 0;
        Snapshot.Processes = ExAllocatePoolWithTag(PagedPool,
                                                   Snapshot.Capacity * sizeof(PEPROCESS),
                                                   TAG_PS_JOB);
        if (Snapshot.Processes == NULL) return STATUS_INSUFFICIENT_RESOURCES;

        KeEnterGuardedRegion();
        PspCollectJobTree(Job, &Snapshot);
        KeLeaveGuardedRegion();

        if (Snapshot.Needed <= Snapshot.Capacity) break;
        PspDereferenceProcesses(Snapshot.Processes, Snapshot.Taken);
    }

    if (Snapshot.Taken == 0)
    {
        ExFreePoolWithTag(Snapshot.Processes, TAG_PS_JOB);
        return STATUS_SUCCESS;
    }

    *Processes = Snapshot.Processes;
    *Count = Snapshot.Taken;
    return STATUS_SUCCESS;
}

/* Releases what PspReferenceJobTreeProcesses returned */
VOID
NTAPI
PspDereferenceProcesses(
    _In_reads_opt_(Count) PEPROCESS *Processes,
    _In_ ULONG Count)
{
    ULONG i;

    PAGED_CODE();

    if (Processes == NULL) return;
    for (i = 0; i < Count; i++)
    {
        ObDereferenceObject(Processes[i]);
    }
    ExFreePoolWithTag(Processes, TAG_PS_JOB);
}

/*!
 * @brief
 * Posts a job message to the job's completion port, if it has one.
 *
 * @param[in] MessageId
 * A JOB_OBJECT_MSG_* id: GetQueuedCompletionStatus returns it as the byte
 * count, the job's completion key as the key.
 *
 * @param[in] ProcessId
 * The process the message is about, returned as the overlapped pointer;
 * NULL for a message about the whole job.
 *
 * @remarks
 * The port is set once and released when the job is deleted, so the caller
 * only needs to keep the job alive. IRQL <= DISPATCH_LEVEL; callers post
 * under the job's lock when the order of its messages matters.
 */
VOID
NTAPI
PspPostJobMessage(
    _In_ PEJOB Job,
    _In_ ULONG MessageId,
    _In_opt_ HANDLE ProcessId)
{
    PVOID Port = Job->CompletionPort;

    if (Port == NULL) return;

    IoSetIoCompletion(Port,
                      Job->CompletionKey,
                      (PVOID)ProcessId,
                      STATUS_SUCCESS,
                      MessageId,
                      FALSE);
}

/*!
 * @brief
 * Tells whether a process may join the innermost jobs of a chain.
 *
 * @param[in] Chain
 * The chain, locked with PspLockJobChain.
 *
 * @param[in] JoinedJobs
 * How many of its innermost jobs the process joins (all of them for a new
 * member, one when a member moves into a newly nested job).
 *
 * @return
 * STATUS_SUCCESS; STATUS_PROCESS_IS_TERMINATING when a job of the chain is
 * being terminated; PSP_JOB_PROCESS_LIMIT_STATUS when a job ran out of its
 * job time, or when a joined job already runs as many processes as its
 * active process limit allows. That job is told with
 * JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT, once until one of its processes
 * exits (a process creating processes in a loop cannot flood the port).
 */
NTSTATUS
NTAPI
PspCheckJobAdmission(
    _In_ PPSP_JOB_CHAIN Chain,
    _In_ ULONG JoinedJobs)
{
    ULONG i;

    for (i = 0; i < Chain->Count; i++)
    {
        PEJOB Job = Chain->Jobs[i];

        if (Job->JobFlags & PSP_JOB_FLAGS_NO_NEW_PROCESSES) return STATUS_PROCESS_IS_TERMINATING;
        if (Job->JobFlags & PSP_JOB_FLAGS_END_OF_TIME) return PSP_JOB_PROCESS_LIMIT_STATUS;
    }

    for (i = 0; i < JoinedJobs; i++)
    {
        PEJOB Job = Chain->Jobs[i];
        LONG OldFlags;

        if (!(Job->LimitFlags & JOB_OBJECT_LIMIT_ACTIVE_PROCESS)) continue;
        if (Job->ActiveProcesses < Job->ActiveProcessLimit) continue;

        OldFlags = InterlockedOr((PLONG)&Job->JobFlags, PSP_JOB_FLAGS_PROCESS_LIMIT_REPORTED);
        if (!(OldFlags & PSP_JOB_FLAGS_PROCESS_LIMIT_REPORTED))
        {
            PspPostJobMessage(Job, JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT, NULL);
        }
        DPRINT("Job %lu: active process limit %lu reached\n", Job->JobId, Job->ActiveProcessLimit);
        return PSP_JOB_PROCESS_LIMIT_STATUS;
    }

    return STATUS_SUCCESS;
}

/*!
 * @brief
 * Counts a process that joins the innermost jobs of a chain and tells them.
 *
 * @param[in] Chain
 * The chain, locked with PspLockJobChain; the process is already linked
 * into the innermost job's process list.
 *
 * @param[in] JoinedJobs
 * As for PspCheckJobAdmission.
 *
 * @remarks
 * The time the process used before it joined does not count in the jobs'
 * period (see PSP_JOB_EXTENSION).
 */
VOID
NTAPI
PspCountJoiningProcess(
    _In_ PPSP_JOB_CHAIN Chain,
    _In_ ULONG JoinedJobs,
    _In_ PEPROCESS Process)
{
    PROCESS_VALUES Values;
    ULONG i;

    KeQueryValuesProcess(&Process->Pcb, &Values);

    /* Outermost first: a job hears of a process before its nested jobs do */
    for (i = JoinedJobs; i-- > 0;)
    {
        PEJOB Job = Chain->Jobs[i];

        Job->TotalProcesses++;
        Job->ActiveProcesses++;
        Job->Extension->UserTimeBaseline += Values.TotalUserTime.QuadPart;
        Job->Extension->KernelTimeBaseline += Values.TotalKernelTime.QuadPart;
        PspPostJobMessage(Job, JOB_OBJECT_MSG_NEW_PROCESS, Process->UniqueProcessId);
    }
}

/*!
 * @brief
 * Counts a process that leaves every job of its chain: its times, page
 * faults and I/O move into the jobs' totals, and each job is told.
 *
 * @param[in] Chain
 * The process's chain, locked with PspLockJobChain.
 *
 * @param[in] NeverRan
 * TRUE for a process deleted before its first thread ended (its creation
 * failed after it joined): it is taken out of the totals and nothing is
 * posted.
 *
 * @remarks
 * An exit with one of the processor exception statuses is posted as
 * JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS, any other as
 * JOB_OBJECT_MSG_EXIT_PROCESS; a job whose last active process left gets
 * JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO after it.
 */
VOID
NTAPI
PspCountExitingProcess(
    _In_ PPSP_JOB_CHAIN Chain,
    _In_ PEPROCESS Process,
    _In_ BOOLEAN NeverRan)
{
    PROCESS_VALUES Values;
    ULONG MessageId, PageFaults, i;

    KeQueryValuesProcess(&Process->Pcb, &Values);
    PageFaults = Process->Vm.PageFaultCount;
    MessageId = PspIsAbnormalExitStatus(Process->ExitStatus) ?
                JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS : JOB_OBJECT_MSG_EXIT_PROCESS;

    for (i = Chain->Count; i-- > 0;)
    {
        PEJOB Job = Chain->Jobs[i];

        ASSERT(Job->ActiveProcesses != 0);
        Job->ActiveProcesses--;

        /* A process left: reaching the limit again is told again */
        InterlockedAnd((PLONG)&Job->JobFlags, ~PSP_JOB_FLAGS_PROCESS_LIMIT_REPORTED);

        if (NeverRan)
        {
            Job->TotalProcesses--;
            continue;
        }

        Job->TotalUserTime.QuadPart += Values.TotalUserTime.QuadPart;
        Job->TotalKernelTime.QuadPart += Values.TotalKernelTime.QuadPart;
        Job->ThisPeriodTotalUserTime.QuadPart += Values.TotalUserTime.QuadPart;
        Job->ThisPeriodTotalKernelTime.QuadPart += Values.TotalKernelTime.QuadPart;
        Job->TotalPageFaultCount += PageFaults;
        Job->ReadOperationCount += Values.IoInfo.ReadOperationCount;
        Job->WriteOperationCount += Values.IoInfo.WriteOperationCount;
        Job->OtherOperationCount += Values.IoInfo.OtherOperationCount;
        Job->ReadTransferCount += Values.IoInfo.ReadTransferCount;
        Job->WriteTransferCount += Values.IoInfo.WriteTransferCount;
        Job->OtherTransferCount += Values.IoInfo.OtherTransferCount;

        PspPostJobMessage(Job, MessageId, Process->UniqueProcessId);
        if (Job->ActiveProcesses == 0)
        {
            PspPostJobMessage(Job, JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO, NULL);
        }
    }
}

/*!
 * @brief
 * The processors the jobs of a process let it run on.
 *
 * @return
 * The intersection of the affinity limits of the process's jobs, within
 * the active processors; KeActiveProcessors when no job limits it.
 *
 * @remarks
 * The limits are read without the job locks: whoever changes one applies it
 * to every process of the job afterwards.
 */
KAFFINITY
NTAPI
PspGetJobAffinityLimit(
    _In_ PEPROCESS Process)
{
    KAFFINITY Affinity = KeActiveProcessors;
    PEJOB Job;

    for (Job = Process->Job; Job != NULL; Job = PspGetParentJob(Job))
    {
        if (Job->LimitFlags & JOB_OBJECT_LIMIT_AFFINITY)
        {
            Affinity &= (KAFFINITY)Job->Affinity;
        }
    }
    return Affinity;
}

/*!
 * @brief
 * The priority class the jobs of a process impose on it, if any: the lowest
 * of the classes its jobs set.
 */
BOOLEAN
NTAPI
PspGetJobPriorityClassLimit(
    _In_ PEPROCESS Process,
    _Out_ PUCHAR PriorityClass)
{
    BOOLEAN Limited = FALSE;
    PEJOB Job;

    for (Job = Process->Job; Job != NULL; Job = PspGetParentJob(Job))
    {
        if (!(Job->LimitFlags & JOB_OBJECT_LIMIT_PRIORITY_CLASS)) continue;

        if (!Limited ||
            (PspGetPriorityClassRank(Job->PriorityClass) < PspGetPriorityClassRank(*PriorityClass)))
        {
            *PriorityClass = Job->PriorityClass;
        }
        Limited = TRUE;
    }
    return Limited;
}

/*!
 * @brief
 * Whether a job of the process ends it at an unhandled exception without
 * the hard error box (JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION).
 */
BOOLEAN
NTAPI
PspJobsForbidFaultBox(
    _In_ PEPROCESS Process)
{
    PEJOB Job;

    for (Job = Process->Job; Job != NULL; Job = PspGetParentJob(Job))
    {
        if (Job->LimitFlags & JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION) return TRUE;
    }
    return FALSE;
}

/*!
 * @brief
 * Applies to a process the limits of its jobs that act on the process
 * itself: its priority class, its affinity, and no unhandled-exception box.
 *
 * @remarks
 * PASSIVE_LEVEL, no JobLock held. A process that is being deleted is left
 * as it is.
 */
VOID
NTAPI
PspApplyJobLimitsToProcess(
    _In_ PEPROCESS Process)
{
    KAFFINITY Affinity;
    UCHAR PriorityClass;

    PAGED_CODE();

    if (Process->Job == NULL) return;

    /* The process ends at an unhandled exception instead of asking the user */
    if (PspJobsForbidFaultBox(Process))
    {
        InterlockedOr((PLONG)&Process->DefaultHardErrorProcessing,
                      PSP_HARD_ERROR_NO_GP_FAULT_BOX);
    }

    if (!ExAcquireRundownProtection(&Process->RundownProtect)) return;

    Affinity = PspGetJobAffinityLimit(Process);
    if (Affinity != KeActiveProcessors)
    {
        KeEnterCriticalRegion();
        ExAcquirePushLockShared(&Process->ProcessLock);
        KeSetAffinityProcess(&Process->Pcb, Affinity);
        ExReleasePushLockShared(&Process->ProcessLock);
        KeLeaveCriticalRegion();
    }

    if (PspGetJobPriorityClassLimit(Process, &PriorityClass) &&
        (Process->PriorityClass != PriorityClass))
    {
        Process->PriorityClass = PriorityClass;
        PsSetProcessPriorityByClass(Process, PsProcessPriorityBackground);
    }

    ExReleaseRundownProtection(&Process->RundownProtect);
}

/*!
 * @brief
 * Applies a job's process limits to every process of the job and of the
 * jobs nested in it, after the limits changed.
 *
 * @return
 * STATUS_SUCCESS or STATUS_INSUFFICIENT_RESOURCES.
 */
NTSTATUS
NTAPI
PspApplyJobLimitsToTree(
    _In_ PEJOB Job)
{
    PEPROCESS *Processes;
    ULONG Count, i;
    NTSTATUS Status;

    PAGED_CODE();

    Status = PspReferenceJobTreeProcesses(Job, &Processes, &Count);
    if (!NT_SUCCESS(Status)) return Status;

    for (i = 0; i < Count; i++)
    {
        PspApplyJobLimitsToProcess(Processes[i]);
    }
    PspDereferenceProcesses(Processes, Count);
    return STATUS_SUCCESS;
}

/* Adds Pages of a process's commit to one job, MemoryLimitsLock held */
static
VOID
PspAddJobCommit(
    _In_ PEJOB Job,
    _In_ PEPROCESS Process,
    _In_ SIZE_T Pages)
{
    Job->CurrentJobMemoryUsed += (ULONG)Pages;
    if (Job->CurrentJobMemoryUsed > Job->PeakJobMemoryUsed)
    {
        Job->PeakJobMemoryUsed = Job->CurrentJobMemoryUsed;
    }
    if (Process->CommitCharge > Job->PeakProcessMemoryUsed)
    {
        Job->PeakProcessMemoryUsed = (ULONG)Process->CommitCharge;
    }
}

/* Takes Pages of a process's commit out of one job, MemoryLimitsLock held */
static
VOID
PspRemoveJobCommit(
    _In_ PEJOB Job,
    _In_ SIZE_T Pages)
{
    ASSERT(Job->CurrentJobMemoryUsed >= Pages);
    Job->CurrentJobMemoryUsed -= (ULONG)Pages;
}

/*!
 * @brief
 * Counts a process's present commit in the jobs it joins.
 *
 * @param[in] Chain
 * The process's chain, innermost job first.
 *
 * @param[in] JoinedJobs
 * How many innermost jobs of the chain the process joins. A process whose
 * commit already counts in its jobs is only counted in those; any other in
 * every job of the chain.
 *
 * @remarks
 * The caller holds the process's address space lock: the commit charge and
 * PSP_JOB_STATUS_COMMIT_CHARGED change together under it, so the commit
 * path (PsChargeJobCommitment) never counts a page twice or not at all. No
 * limit is checked: a process may join above a job's memory limit, its
 * further commits then fail.
 */
VOID
NTAPI
PspChargeProcessCommitToJobs(
    _In_ PEPROCESS Process,
    _In_ PPSP_JOB_CHAIN Chain,
    _In_ ULONG JoinedJobs)
{
    ULONG Jobs, i;

    Jobs = (Process->JobStatus & PSP_JOB_STATUS_COMMIT_CHARGED) ? JoinedJobs : Chain->Count;

    for (i = 0; i < Jobs; i++)
    {
        PEJOB Job = Chain->Jobs[i];

        KeAcquireGuardedMutex(&Job->MemoryLimitsLock);
        PspAddJobCommit(Job, Process, Process->CommitCharge);
        KeReleaseGuardedMutex(&Job->MemoryLimitsLock);
    }

    InterlockedOr((PLONG)&Process->JobStatus, PSP_JOB_STATUS_COMMIT_CHARGED);
}

/*!
 * @brief
 * Takes an exiting process's commit out of every job of its chain.
 *
 * @remarks
 * Takes the process's address space lock. The address space is deleted
 * later without the commit path, so the jobs forget the process's commit
 * here, once.
 */
VOID
NTAPI
PspReturnProcessCommitFromJobs(
    _In_ PEPROCESS Process)
{
    PSP_JOB_CHAIN Chain;
    ULONG i;

    PAGED_CODE();

    MmLockAddressSpace(&Process->Vm);
    if ((Process->JobStatus & PSP_JOB_STATUS_COMMIT_CHARGED) && (Process->Job != NULL))
    {
        PspGetJobChain(Process->Job, &Chain);
        for (i = 0; i < Chain.Count; i++)
        {
            PEJOB Job = Chain.Jobs[i];

            KeAcquireGuardedMutex(&Job->MemoryLimitsLock);
            PspRemoveJobCommit(Job, Process->CommitCharge);
            KeReleaseGuardedMutex(&Job->MemoryLimitsLock);
        }
        InterlockedAnd((PLONG)&Process->JobStatus, ~PSP_JOB_STATUS_COMMIT_CHARGED);
    }
    MmUnlockAddressSpace(&Process->Vm);
}

/*!
 * @brief
 * Charges new private commit of a process to its jobs, within their limits.
 *
 * @param[in] Process
 * The process whose commit grows; its CommitCharge does not include Pages
 * yet.
 *
 * @param[in] Pages
 * How many pages it commits.
 *
 * @return
 * STATUS_SUCCESS; PSP_JOB_MEMORY_LIMIT_STATUS when the process would exceed
 * the process memory limit of one of its jobs, or a job the job memory
 * limit. That job is told once (JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT once
 * per process, JOB_OBJECT_MSG_JOB_MEMORY_LIMIT once until its limits are set
 * again: a tenant at its limit retries, and frees a page now and then) and
 * nothing is charged.
 *
 * @remarks
 * Called by the memory manager with the process's address space lock held,
 * before it commits; PsReturnJobCommitment undoes it. Takes only the jobs'
 * MemoryLimitsLock. A job whose commit passes its notification limit is
 * told with JOB_OBJECT_MSG_NOTIFICATION_LIMIT, once.
 */
NTSTATUS
NTAPI
PsChargeJobCommitment(
    _In_ PEPROCESS Process,
    _In_ SIZE_T Pages)
{
    PSP_JOB_CHAIN Chain;
    ULONGLONG ProcessPages;
    ULONG i, Charged, Refusal = 0;
    PEJOB Refuser = NULL;

    if ((Pages == 0) || !(Process->JobStatus & PSP_JOB_STATUS_COMMIT_CHARGED)) return STATUS_SUCCESS;

    PspGetJobChain(Process->Job, &Chain);
    ProcessPages = (ULONGLONG)Process->CommitCharge + Pages;

    for (i = 0; i < Chain.Count; i++)
    {
        PEJOB Job = Chain.Jobs[i];
        PPSP_JOB_EXTENSION Extension = Job->Extension;
        BOOLEAN Notify = FALSE;

        KeAcquireGuardedMutex(&Job->MemoryLimitsLock);
        if ((Job->LimitFlags & JOB_OBJECT_LIMIT_PROCESS_MEMORY) &&
            (ProcessPages > Job->ProcessMemoryLimit))
        {
            Refusal = JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT;
        }
        else if ((Job->LimitFlags & JOB_OBJECT_LIMIT_JOB_MEMORY) &&
                 ((ULONGLONG)Job->CurrentJobMemoryUsed + Pages > Job->JobMemoryLimit))
        {
            Refusal = JOB_OBJECT_MSG_JOB_MEMORY_LIMIT;
        }
        else
        {
            Job->CurrentJobMemoryUsed += (ULONG)Pages;
            if (Job->CurrentJobMemoryUsed > Job->PeakJobMemoryUsed)
            {
                Job->PeakJobMemoryUsed = Job->CurrentJobMemoryUsed;
            }
            if (ProcessPages > Job->PeakProcessMemoryUsed)
            {
                Job->PeakProcessMemoryUsed = (ULONG)ProcessPages;
            }
            Notify = (Extension->NotificationLimitFlags & JOB_OBJECT_LIMIT_JOB_MEMORY) &&
                     (Job->CurrentJobMemoryUsed > Extension->JobMemoryNotificationLimit);
        }
        KeReleaseGuardedMutex(&Job->MemoryLimitsLock);

        if (Refusal != 0)
        {
            Refuser = Job;
            break;
        }
        if (Notify)
        {
            PspReportJobLimitViolation(Job,
                                       JOB_OBJECT_LIMIT_JOB_MEMORY,
                                       (ULONG64)Job->CurrentJobMemoryUsed << PAGE_SHIFT,
                                       Process->UniqueProcessId);
        }
    }

    if (Refuser == NULL) return STATUS_SUCCESS;

    /* Give back what the jobs inside the refusing one were charged */
    for (Charged = i; Charged-- > 0;)
    {
        PEJOB Job = Chain.Jobs[Charged];

        KeAcquireGuardedMutex(&Job->MemoryLimitsLock);
        PspRemoveJobCommit(Job, Pages);
        KeReleaseGuardedMutex(&Job->MemoryLimitsLock);
    }

    if (Refusal == JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT)
    {
        if (!(InterlockedOr((PLONG)&Process->JobStatus, PSP_JOB_STATUS_MEMORY_REPORTED) &
              PSP_JOB_STATUS_MEMORY_REPORTED))
        {
            PspPostJobMessage(Refuser, Refusal, Process->UniqueProcessId);
        }
    }
    else if (!(InterlockedOr((PLONG)&Refuser->JobFlags, PSP_JOB_FLAGS_JOB_MEMORY_REPORTED) &
               PSP_JOB_FLAGS_JOB_MEMORY_REPORTED))
    {
        PspPostJobMessage(Refuser, Refusal, Process->UniqueProcessId);
    }

    DPRINT("Job %lu refused %Iu pages of process %p (message %lu)\n",
           Refuser->JobId, Pages, Process->UniqueProcessId, Refusal);
    return PSP_JOB_MEMORY_LIMIT_STATUS;
}

/*!
 * @brief
 * Gives back to a process's jobs commit that the process released, or that
 * PsChargeJobCommitment charged for a commit that then failed.
 *
 * @remarks
 * Called by the memory manager with the process's address space lock held.
 */
VOID
NTAPI
PsReturnJobCommitment(
    _In_ PEPROCESS Process,
    _In_ SIZE_T Pages)
{
    PSP_JOB_CHAIN Chain;
    ULONG i;

    if ((Pages == 0) || !(Process->JobStatus & PSP_JOB_STATUS_COMMIT_CHARGED)) return;

    PspGetJobChain(Process->Job, &Chain);
    for (i = 0; i < Chain.Count; i++)
    {
        PEJOB Job = Chain.Jobs[i];

        KeAcquireGuardedMutex(&Job->MemoryLimitsLock);
        PspRemoveJobCommit(Job, Pages);
        KeReleaseGuardedMutex(&Job->MemoryLimitsLock);
    }
}

/*!
 * @brief
 * Sums what the processes of a job's tree use now and what its exited
 * processes used: the figures of the basic and I/O accounting class.
 *
 * @remarks
 * PASSIVE_LEVEL, no JobLock held.
 */
VOID
NTAPI
PspQueryJobTreeValues(
    _In_ PEJOB Job,
    _Out_ PJOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION Values)
{
    PEPROCESS *Processes;
    ULONG Count, i;

    PAGED_CODE();

    RtlZeroMemory(Values, sizeof(*Values));

    /* The active processes first, then the totals: a process exiting between is counted once at most */
    if (!NT_SUCCESS(PspReferenceJobTreeProcesses(Job, &Processes, &Count)))
    {
        Processes = NULL;
        Count = 0;
    }
    for (i = 0; i < Count; i++)
    {
        PROCESS_VALUES ProcessValues;

        if (Processes[i]->JobStatus & PSP_JOB_STATUS_EXITED) continue;
        KeQueryValuesProcess(&Processes[i]->Pcb, &ProcessValues);
        Values->BasicInfo.TotalUserTime.QuadPart += ProcessValues.TotalUserTime.QuadPart;
        Values->BasicInfo.TotalKernelTime.QuadPart += ProcessValues.TotalKernelTime.QuadPart;
        Values->BasicInfo.TotalPageFaultCount += Processes[i]->Vm.PageFaultCount;
        Values->IoInfo.ReadOperationCount += ProcessValues.IoInfo.ReadOperationCount;
        Values->IoInfo.WriteOperationCount += ProcessValues.IoInfo.WriteOperationCount;
        Values->IoInfo.OtherOperationCount += ProcessValues.IoInfo.OtherOperationCount;
        Values->IoInfo.ReadTransferCount += ProcessValues.IoInfo.ReadTransferCount;
        Values->IoInfo.WriteTransferCount += ProcessValues.IoInfo.WriteTransferCount;
        Values->IoInfo.OtherTransferCount += ProcessValues.IoInfo.OtherTransferCount;
    }
    PspDereferenceProcesses(Processes, Count);

    /* The period's time: see PSP_JOB_EXTENSION */
    KeEnterGuardedRegion();
    ExAcquireResourceSharedLite(&Job->JobLock, TRUE);
    Values->BasicInfo.ThisPeriodTotalUserTime.QuadPart =
        Job->ThisPeriodTotalUserTime.QuadPart +
        Values->BasicInfo.TotalUserTime.QuadPart -
        Job->Extension->UserTimeBaseline;
    Values->BasicInfo.ThisPeriodTotalKernelTime.QuadPart =
        Job->ThisPeriodTotalKernelTime.QuadPart +
        Values->BasicInfo.TotalKernelTime.QuadPart -
        Job->Extension->KernelTimeBaseline;
    Values->BasicInfo.TotalUserTime.QuadPart += Job->TotalUserTime.QuadPart;
    Values->BasicInfo.TotalKernelTime.QuadPart += Job->TotalKernelTime.QuadPart;
    Values->BasicInfo.TotalPageFaultCount += Job->TotalPageFaultCount;
    Values->BasicInfo.TotalProcesses = Job->TotalProcesses;
    Values->BasicInfo.ActiveProcesses = Job->ActiveProcesses;
    Values->BasicInfo.TotalTerminatedProcesses = Job->TotalTerminatedProcesses;
    Values->IoInfo.ReadOperationCount += Job->ReadOperationCount;
    Values->IoInfo.WriteOperationCount += Job->WriteOperationCount;
    Values->IoInfo.OtherOperationCount += Job->OtherOperationCount;
    Values->IoInfo.ReadTransferCount += Job->ReadTransferCount;
    Values->IoInfo.WriteTransferCount += Job->WriteTransferCount;
    Values->IoInfo.OtherTransferCount += Job->OtherTransferCount;
    ExReleaseResourceLite(&Job->JobLock);
    KeLeaveGuardedRegion();

    /* A process that exited while it was summed is in both: the period never runs backwards */
    if (Values->BasicInfo.ThisPeriodTotalUserTime.QuadPart < 0)
    {
        Values->BasicInfo.ThisPeriodTotalUserTime.QuadPart = 0;
    }
    if (Values->BasicInfo.ThisPeriodTotalKernelTime.QuadPart < 0)
    {
        Values->BasicInfo.ThisPeriodTotalKernelTime.QuadPart = 0;
    }
}

/*!
 * @brief
 * Starts a new job time period: the user and kernel time counted against the
 * job's time limit start from zero.
 *
 * @remarks
 * No JobLock held. The baselines are what the active processes of the tree
 * used so far (see PSP_JOB_EXTENSION); a process that exits while they are
 * taken counts for nothing in the new period.
 */
VOID
NTAPI
PspStartJobTimePeriod(
    _In_ PEJOB Job)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;
    LONGLONG UserTime = 0, KernelTime = 0;
    PEPROCESS *Processes;
    ULONG Count, i;

    PAGED_CODE();

    if (NT_SUCCESS(PspReferenceJobTreeProcesses(Job, &Processes, &Count)))
    {
        for (i = 0; i < Count; i++)
        {
            PROCESS_VALUES Values;

            KeQueryValuesProcess(&Processes[i]->Pcb, &Values);
            UserTime += Values.TotalUserTime.QuadPart;
            KernelTime += Values.TotalKernelTime.QuadPart;
        }
        PspDereferenceProcesses(Processes, Count);
    }

    KeEnterGuardedRegion();
    ExAcquireResourceExclusiveLite(&Job->JobLock, TRUE);
    Job->ThisPeriodTotalUserTime.QuadPart = 0;
    Job->ThisPeriodTotalKernelTime.QuadPart = 0;
    Extension->UserTimeBaseline = UserTime;
    Extension->KernelTimeBaseline = KernelTime;
    ExReleaseResourceLite(&Job->JobLock);
    KeLeaveGuardedRegion();
}

/* The job at the top of a job's chain, and the silo when that job is one */
PEJOB
NTAPI
PspGetRootJob(
    _In_ PEJOB Job)
{
    PEJOB Parent;

    while ((Parent = PspGetParentJob(Job)) != NULL) Job = Parent;
    return Job;
}

PESILO
NTAPI
PspGetJobSilo(
    _In_ PEJOB Job)
{
    PEJOB Root = PspGetRootJob(Job);

    return (Root->JobFlags & PSP_JOB_FLAGS_SILO) ? Root : NULL;
}

/*!
 * @brief
 * Records that a job passed one of its notification limits and tells it
 * with JOB_OBJECT_MSG_NOTIFICATION_LIMIT, once per limit until the limits
 * are set again.
 *
 * @param[in] LimitFlag
 * The JOB_OBJECT_LIMIT_* flag of the notification limit.
 *
 * @param[in] Figure
 * What the job used when it passed the limit (bytes, 100 ns, or the
 * tolerance reached for the rate).
 *
 * @param[in] ProcessId
 * The process that passed it, if one did.
 */
VOID
NTAPI
PspReportJobLimitViolation(
    _In_ PEJOB Job,
    _In_ ULONG LimitFlag,
    _In_ ULONG64 Figure,
    _In_opt_ HANDLE ProcessId)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;

    if (InterlockedOr(&Extension->ViolationLimitFlags, LimitFlag) & LimitFlag) return;

    /* Only the thread that set the flag writes its figure */
    switch (LimitFlag)
    {
        case JOB_OBJECT_LIMIT_JOB_MEMORY:
            Extension->Violation.JobMemory = Figure;
            break;
        case JOB_OBJECT_LIMIT_JOB_READ_BYTES:
            Extension->Violation.IoReadBytes = Figure;
            break;
        case JOB_OBJECT_LIMIT_JOB_WRITE_BYTES:
            Extension->Violation.IoWriteBytes = Figure;
            break;
        case JOB_OBJECT_LIMIT_JOB_TIME:
            Extension->Violation.PerJobUserTime.QuadPart = (LONGLONG)Figure;
            break;
        case JOB_OBJECT_LIMIT_RATE_CONTROL:
            Extension->Violation.RateControlTolerance = (JOBOBJECT_RATE_CONTROL_TOLERANCE)Figure;
            break;
    }

    DPRINT("Job %lu passed its notification limit 0x%lx\n", Job->JobId, LimitFlag);
    PspPostJobMessage(Job, JOB_OBJECT_MSG_NOTIFICATION_LIMIT, ProcessId);
}

/*!
 * @brief
 * JobObjectNotificationLimitInformation (set): the limits at which the job
 * is told, without anything being refused.
 *
 * @return
 * STATUS_SUCCESS; STATUS_INVALID_PARAMETER for a flag that is not a
 * notification limit or a tolerance out of its range.
 *
 * @remarks
 * Setting the limits again tells of every limit again. The time limit counts
 * the job's user time from now on.
 */
NTSTATUS
NTAPI
PspSetJobNotificationLimits(
    _In_ PEJOB Job,
    _In_ PJOBOBJECT_NOTIFICATION_LIMIT_INFORMATION Limits)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;
    JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION Values;
    ULONG64 MemoryPages;

    PAGED_CODE();

    if (Limits->LimitFlags & ~PSP_JOB_NOTIFICATION_LIMIT_FLAGS) return STATUS_INVALID_PARAMETER;
    if ((Limits->LimitFlags & JOB_OBJECT_LIMIT_RATE_CONTROL) &&
        ((Limits->RateControlTolerance < ToleranceLow) ||
         (Limits->RateControlTolerance > ToleranceHigh) ||
         (Limits->RateControlToleranceInterval < ToleranceIntervalShort) ||
         (Limits->RateControlToleranceInterval > ToleranceIntervalLong)))
    {
        return STATUS_INVALID_PARAMETER;
    }

    MemoryPages = Limits->JobMemoryLimit >> PAGE_SHIFT;
    if (MemoryPages > MAXULONG) MemoryPages = MAXULONG;

    /* The time limit starts from the tree's user time now */
    PspQueryJobTreeValues(Job, &Values);

    KeEnterGuardedRegion();
    ExAcquireResourceExclusiveLite(&Job->JobLock, TRUE);

    Extension->NotificationLimitFlags = Limits->LimitFlags;
    Extension->IoReadBytesNotificationLimit = Limits->IoReadBytesLimit;
    Extension->IoWriteBytesNotificationLimit = Limits->IoWriteBytesLimit;
    Extension->JobTimeNotificationLimit = Limits->PerJobUserTimeLimit;
    Extension->JobTimeNotificationThreshold = Values.BasicInfo.TotalUserTime.QuadPart +
                                              Limits->PerJobUserTimeLimit.QuadPart;
    Extension->RateControlTolerance = Limits->RateControlTolerance;
    Extension->RateControlToleranceInterval = Limits->RateControlToleranceInterval;
    Extension->Manager.ToleranceLooks = 0;
    Extension->Manager.ToleranceHeldLooks = 0;

    KeAcquireGuardedMutexUnsafe(&Job->MemoryLimitsLock);
    Extension->JobMemoryNotificationLimit = (ULONG)MemoryPages;
    InterlockedExchange(&Extension->ViolationLimitFlags, 0);
    RtlZeroMemory(&Extension->Violation, sizeof(Extension->Violation));
    KeReleaseGuardedMutexUnsafe(&Job->MemoryLimitsLock);

    ExReleaseResourceLite(&Job->JobLock);
    KeLeaveGuardedRegion();

    /* The time, I/O and rate limits are watched by the job manager */
    return PspUpdateJobManagerList(Job);
}

/* JobObjectNotificationLimitInformation (query) */
VOID
NTAPI
PspQueryJobNotificationLimits(
    _In_ PEJOB Job,
    _Out_ PJOBOBJECT_NOTIFICATION_LIMIT_INFORMATION Limits)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;

    PAGED_CODE();

    RtlZeroMemory(Limits, sizeof(*Limits));

    KeEnterGuardedRegion();
    ExAcquireResourceSharedLite(&Job->JobLock, TRUE);
    Limits->LimitFlags = Extension->NotificationLimitFlags;
    Limits->IoReadBytesLimit = Extension->IoReadBytesNotificationLimit;
    Limits->IoWriteBytesLimit = Extension->IoWriteBytesNotificationLimit;
    Limits->PerJobUserTimeLimit = Extension->JobTimeNotificationLimit;
    Limits->JobMemoryLimit = (ULONG64)Extension->JobMemoryNotificationLimit << PAGE_SHIFT;
    Limits->RateControlTolerance = Extension->RateControlTolerance;
    Limits->RateControlToleranceInterval = Extension->RateControlToleranceInterval;
    ExReleaseResourceLite(&Job->JobLock);
    KeLeaveGuardedRegion();
}

/*!
 * @brief
 * JobObjectLimitViolationInformation (query): the notification limits in
 * effect, those the job passed, and what it used when it passed them.
 */
VOID
NTAPI
PspQueryJobLimitViolation(
    _In_ PEJOB Job,
    _Out_ PJOBOBJECT_LIMIT_VIOLATION_INFORMATION Violation)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;

    PAGED_CODE();

    KeEnterGuardedRegion();
    ExAcquireResourceSharedLite(&Job->JobLock, TRUE);
    *Violation = Extension->Violation;
    Violation->LimitFlags = Extension->NotificationLimitFlags;
    Violation->ViolationLimitFlags = (ULONG)Extension->ViolationLimitFlags;
    Violation->IoReadBytesLimit = Extension->IoReadBytesNotificationLimit;
    Violation->IoWriteBytesLimit = Extension->IoWriteBytesNotificationLimit;
    Violation->PerJobUserTimeLimit = Extension->JobTimeNotificationLimit;
    Violation->JobMemoryLimit = (ULONG64)Extension->JobMemoryNotificationLimit << PAGE_SHIFT;
    Violation->RateControlToleranceLimit = Extension->RateControlTolerance;
    ExReleaseResourceLite(&Job->JobLock);
    KeLeaveGuardedRegion();
}

/* The bucket of a segment's section charges */
static
PLIST_ENTRY
PspSectionChargeBucket(
    _In_ PVOID Segment)
{
    return &PspJobSectionCharges[((ULONG_PTR)Segment / sizeof(PVOID)) % PSP_JOB_SECTION_BUCKETS];
}

CODE_SEG("INIT")
VOID
NTAPI
PspInitializeJobSectionCharges(VOID)
{
    ULONG i;

    KeInitializeGuardedMutex(&PspJobSectionLock);
    for (i = 0; i < PSP_JOB_SECTION_BUCKETS; i++) InitializeListHead(&PspJobSectionCharges[i]);
}

/*!
 * @brief
 * Charges the commit of a paging-file backed section to the jobs of the
 * process that creates or commits it, within their job memory limits.
 *
 * @param[in] Segment
 * The section's segment: the charge lasts until PsReturnJobSectionCommitment
 * is called for it.
 *
 * @param[in] Pages
 * The pages the section commits.
 *
 * @return
 * STATUS_SUCCESS (nothing to charge for a kernel-mode caller or a process in
 * no job); PSP_JOB_MEMORY_LIMIT_STATUS when a job's memory limit refuses it
 * (the job is told as for private commit); STATUS_INSUFFICIENT_RESOURCES.
 *
 * @remarks
 * Without it a tenant would commit as much as it liked through sections and
 * map them. The section's commit is the job's, not the process's: a process
 * memory limit counts private commit only.
 */
NTSTATUS
NTAPI
PsChargeJobSectionCommitment(
    _In_ PVOID Segment,
    _In_ SIZE_T Pages)
{
    PEPROCESS Process = PsGetCurrentProcess();
    PPSP_JOB_SECTION_CHARGE Charge = NULL, New;
    PSP_JOB_CHAIN Chain;
    PLIST_ENTRY Bucket, NextEntry;
    ULONG i, Charged;
    PEJOB Refuser = NULL;

    PAGED_CODE();

    if ((Pages == 0) || (ExGetPreviousMode() == KernelMode) || (Process->Job == NULL)) return STATUS_SUCCESS;

    New = ExAllocatePoolWithTag(PagedPool, sizeof(*New), TAG_PS_JOB_EXTENSION);
    if (New == NULL) return STATUS_INSUFFICIENT_RESOURCES;

    /* The process stays in its jobs while it runs this: its chain is stable */
    PspGetJobChain(Process->Job, &Chain);
    for (i = 0; i < Chain.Count; i++)
    {
        PEJOB Job = Chain.Jobs[i];
        BOOLEAN Refused;

        KeAcquireGuardedMutex(&Job->MemoryLimitsLock);
        Refused = (Job->LimitFlags & JOB_OBJECT_LIMIT_JOB_MEMORY) &&
                  ((ULONGLONG)Job->CurrentJobMemoryUsed + Pages > Job->JobMemoryLimit);
        if (!Refused)
        {
            Job->CurrentJobMemoryUsed += (ULONG)Pages;
            if (Job->CurrentJobMemoryUsed > Job->PeakJobMemoryUsed)
            {
                Job->PeakJobMemoryUsed = Job->CurrentJobMemoryUsed;
            }
        }
        KeReleaseGuardedMutex(&Job->MemoryLimitsLock);

        if (Refused)
        {
            Refuser = Job;
            break;
        }
    }

    if (Refuser != NULL)
    {
        for (Charged = i; Charged-- > 0;)
        {
            KeAcquireGuardedMutex(&Chain.Jobs[Charged]->MemoryLimitsLock);
            PspRemoveJobCommit(Chain.Jobs[Charged], Pages);
            KeReleaseGuardedMutex(&Chain.Jobs[Charged]->MemoryLimitsLock);
        }
        if (!(InterlockedOr((PLONG)&Refuser->JobFlags, PSP_JOB_FLAGS_JOB_MEMORY_REPORTED) &
              PSP_JOB_FLAGS_JOB_MEMORY_REPORTED))
        {
            PspPostJobMessage(Refuser, JOB_OBJECT_MSG_JOB_MEMORY_LIMIT, Process->UniqueProcessId);
        }
        ExFreePoolWithTag(New, TAG_PS_JOB_EXTENSION);
        DPRINT("Job %lu refused a section of %Iu pages\n", Refuser->JobId, Pages);
        return PSP_JOB_MEMORY_LIMIT_STATUS;
    }

    /* Record it against the innermost job: returning it walks that job's chain */
    Bucket = PspSectionChargeBucket(Segment);
    KeAcquireGuardedMutex(&PspJobSectionLock);
    for (NextEntry = Bucket->Flink; NextEntry != Bucket; NextEntry = NextEntry->Flink)
    {
        PPSP_JOB_SECTION_CHARGE Entry = CONTAINING_RECORD(NextEntry, PSP_JOB_SECTION_CHARGE, Links);

        if ((Entry->Segment == Segment) && (Entry->Job == Chain.Jobs[0]))
        {
            Charge = Entry;
            break;
        }
    }
    if (Charge != NULL)
    {
        Charge->Pages += Pages;
    }
    else
    {
        ObReferenceObject(Chain.Jobs[0]);
        New->Segment = Segment;
        New->Job = Chain.Jobs[0];
        New->Pages = Pages;
        InsertTailList(Bucket, &New->Links);
        New = NULL;
    }
    KeReleaseGuardedMutex(&PspJobSectionLock);

    if (New != NULL) ExFreePoolWithTag(New, TAG_PS_JOB_EXTENSION);
    return STATUS_SUCCESS;
}

/*!
 * @brief
 * Gives back the section commit charged for a segment that is deleted.
 *
 * @remarks
 * Called by the memory manager for every paging-file backed segment it
 * deletes; most have no charge. Below DISPATCH_LEVEL; the caller may hold
 * memory manager locks, so the job is never deleted here.
 */
VOID
NTAPI
PsReturnJobSectionCommitment(
    _In_ PVOID Segment)
{
    PLIST_ENTRY Bucket = PspSectionChargeBucket(Segment), NextEntry;
    LIST_ENTRY Returned;
    PSP_JOB_CHAIN Chain;
    ULONG i;

    PAGED_CODE();

    InitializeListHead(&Returned);
    KeAcquireGuardedMutex(&PspJobSectionLock);
    for (NextEntry = Bucket->Flink; NextEntry != Bucket;)
    {
        PPSP_JOB_SECTION_CHARGE Entry = CONTAINING_RECORD(NextEntry, PSP_JOB_SECTION_CHARGE, Links);

        NextEntry = NextEntry->Flink;
        if (Entry->Segment != Segment) continue;
        RemoveEntryList(&Entry->Links);
        InsertTailList(&Returned, &Entry->Links);
    }
    KeReleaseGuardedMutex(&PspJobSectionLock);

    while (!IsListEmpty(&Returned))
    {
        PPSP_JOB_SECTION_CHARGE Entry = CONTAINING_RECORD(RemoveHeadList(&Returned), PSP_JOB_SECTION_CHARGE, Links);

        /* The record's reference keeps the job, and so its chain */
        PspGetJobChain(Entry->Job, &Chain);
        for (i = 0; i < Chain.Count; i++)
        {
            KeAcquireGuardedMutex(&Chain.Jobs[i]->MemoryLimitsLock);
            PspRemoveJobCommit(Chain.Jobs[i], Entry->Pages);
            KeReleaseGuardedMutex(&Chain.Jobs[i]->MemoryLimitsLock);
        }
        /* The memory manager may hold its locks here: a job deleted now is deleted by a worker */
        ObDereferenceObjectDeferDelete(Entry->Job);
        ExFreePoolWithTag(Entry, TAG_PS_JOB_EXTENSION);
    }
}

/* EOF */
