/*
 * PROJECT:     ReactOS Kernel
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The job manager: a system thread that enforces the limits a
 *              job can only check over time (per-process and per-job user
 *              time, CPU rate control) and watches its time, I/O and rate
 *              notification limits
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

/* INCLUDES ******************************************************************/

#include <ntoskrnl.h>
#define NDEBUG
#include <debug.h>

/* GLOBALS *******************************************************************/

/* How often the manager looks at the jobs it watches: 10 ms, about a clock tick */
#define PSP_JOB_MANAGER_PERIOD              (-10LL * 1000 * 10)

/*
 * A rate-controlled job gets its share of each 500 ms window: it runs until
 * it used it, then waits for the next window. Time it ran over (the manager
 * looks once a period) is taken from the next window.
 */
#define PSP_JOB_RATE_WINDOW                 (500ULL * 1000 * 10)

/* Contention is judged over 100 ms windows: the machine is contended when it idled less than 10% */
#define PSP_JOB_CONTENTION_WINDOW           (100ULL * 1000 * 10)
#define PSP_JOB_CONTENTION_IDLE_PERCENT     10

/* The work outside weight-based jobs competes with the default weight once it uses 10% */
#define PSP_JOB_HOST_BUSY_PERCENT           10

/* How many jobs the manager references at a time, at first */
#define PSP_JOB_MANAGER_FIRST_CAPACITY      16

/*
 * The manager runs above every thread it may hold, so it keeps itself to a
 * tenth of a processor: after a round that took T it waits 9 T at least. A
 * tenant that makes many jobs slows the manager's looks, never the host.
 */
#define PSP_JOB_MANAGER_WAIT_FACTOR         9

/* JOBOBJECT_RATE_CONTROL_TOLERANCE_INTERVAL and _TOLERANCE, as Windows documents them */
static const ULONG PspToleranceIntervalSeconds[] = { 0, 10, 60, 600 };
static const ULONG PspTolerancePercent[] = { 0, 20, 40, 60 };

typedef enum _PSP_JOB_MANAGER_STATE_VALUE
{
    PspJobManagerNotStarted,
    PspJobManagerStarting,
    PspJobManagerRunning
} PSP_JOB_MANAGER_STATE_VALUE;

/*
 * Guards the list of jobs the manager watches (PspJobManagerListHead,
 * PSP_JOB_EXTENSION.ManagerLinks and OnManagerList). The list holds no
 * reference: a job leaves it when it is deleted. Never held while a JobLock
 * is taken. PASSIVE_LEVEL.
 */
static KGUARDED_MUTEX PspJobManagerLock;
static LIST_ENTRY PspJobManagerListHead;
static KEVENT PspJobManagerWakeEvent;
static LONG PspJobManagerState = PspJobManagerNotStarted;

/* What the manager knows of the whole machine; only the manager thread uses it */
typedef struct _PSP_JOB_CONTENTION
{
    ULONGLONG WindowStart;
    ULONGLONG IdleTimeAtStart;
    BOOLEAN Contended;
    ULONG TotalWeight;
} PSP_JOB_CONTENTION, *PPSP_JOB_CONTENTION;

/* What the manager read of a job under its lock for one look */
typedef struct _PSP_JOB_LOOK
{
    ULONG LimitFlags;
    LARGE_INTEGER PerProcessUserTimeLimit;
    LARGE_INTEGER PerJobUserTimeLimit;
    ULONG NotificationLimitFlags;
    ULONG RateControlFlags;
    ULONG CpuRate;
    JOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION Values;
} PSP_JOB_LOOK, *PPSP_JOB_LOOK;


/* PRIVATE FUNCTIONS *********************************************************/

CODE_SEG("INIT")
VOID
NTAPI
PspInitializeJobManager(VOID)
{
    KeInitializeGuardedMutex(&PspJobManagerLock);
    InitializeListHead(&PspJobManagerListHead);
    KeInitializeEvent(&PspJobManagerWakeEvent, SynchronizationEvent, FALSE);
}

/*
 * Whether a job needs the manager: it holds processes, or it has processes
 * and limits that only the manager can enforce or watch. A job without
 * processes is off the list (its next process puts it back), so however
 * many jobs a tenant makes, the manager looks at no more jobs than there
 * are processes.
 */
static
BOOLEAN
PspJobHasManagedLimits(
    _In_ PEJOB Job)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;

    return (Job->LimitFlags & (JOB_OBJECT_LIMIT_PROCESS_TIME | JOB_OBJECT_LIMIT_JOB_TIME)) ||
           (Extension->NotificationLimitFlags & (JOB_OBJECT_LIMIT_JOB_TIME |
                                                 JOB_OBJECT_LIMIT_JOB_READ_BYTES |
                                                 JOB_OBJECT_LIMIT_JOB_WRITE_BYTES |
                                                 JOB_OBJECT_LIMIT_RATE_CONTROL)) ||
           (Extension->CpuRateControlFlags & JOB_OBJECT_CPU_RATE_CONTROL_ENABLE);
}

static
BOOLEAN
PspJobNeedsManager(
    _In_ PEJOB Job)
{
    if (Job->Extension->Manager.HeldCount != 0) return TRUE;
    return (Job->ActiveProcesses != 0) && PspJobHasManagedLimits(Job);
}

/* The idle threads' time on every processor, 100 ns */
static
ULONGLONG
PspQueryIdleTime(VOID)
{
    ULONGLONG IdleTicks = 0;
    CCHAR i;

    for (i = 0; i < KeNumberProcessors; i++)
    {
        IdleTicks += KiProcessorBlock[i]->IdleThread->KernelTime;
    }
    return IdleTicks * KeMaximumIncrement;
}

/*!
 * @brief
 * Lets every process that a job holds run again.
 *
 * @remarks
 * Manager thread only.
 */
static
VOID
PspReleaseHeldProcesses(
    _In_ PEJOB Job)
{
    PPSP_JOB_MANAGER_STATE State = &Job->Extension->Manager;
    ULONG i;

    for (i = 0; i < State->HeldCount; i++)
    {
        KeThawProcess(&State->HeldProcesses[i]->Pcb);
        ObDereferenceObject(State->HeldProcesses[i]);
    }
    State->HeldCount = 0;

    if (State->HeldProcesses != NULL)
    {
        ExFreePoolWithTag(State->HeldProcesses, TAG_PS_JOB_EXTENSION);
        State->HeldProcesses = NULL;
        State->HeldCapacity = 0;
    }
}

static
BOOLEAN
PspIsProcessHeld(
    _In_ PPSP_JOB_MANAGER_STATE State,
    _In_ PEPROCESS Process)
{
    ULONG i;

    for (i = 0; i < State->HeldCount; i++)
    {
        if (State->HeldProcesses[i] == Process) return TRUE;
    }
    return FALSE;
}

/*!
 * @brief
 * Holds every process of a job's tree that is not held yet: its threads
 * stop at their next return from the kernel and stay stopped until the job
 * is released.
 *
 * @remarks
 * Manager thread only. The processes are frozen, not suspended: a held
 * process cannot resume itself with NtResumeThread. A process that joins
 * the tree meanwhile is held at the next look.
 */
static
VOID
PspHoldProcesses(
    _In_ PEJOB Job,
    _In_reads_(Count) PEPROCESS *Processes,
    _In_ ULONG Count)
{
    PPSP_JOB_MANAGER_STATE State = &Job->Extension->Manager;
    ULONG i;

    for (i = 0; i < Count; i++)
    {
        PEPROCESS Process = Processes[i];

        if (PspIsProcessHeld(State, Process)) continue;
        if (Process->JobStatus & PSP_JOB_STATUS_EXITED) continue;

        if (State->HeldCount == State->HeldCapacity)
        {
            ULONG Capacity = max(State->HeldCapacity * 2, Count);
            PEPROCESS *Held;

            Held = ExAllocatePoolWithTag(NonPagedPool, Capacity * sizeof(PEPROCESS), TAG_PS_JOB_EXTENSION);
            if (Held == NULL) return;
            if (State->HeldProcesses != NULL)
            {
                RtlCopyMemory(Held, State->HeldProcesses, State->HeldCount * sizeof(PEPROCESS));
                ExFreePoolWithTag(State->HeldProcesses, TAG_PS_JOB_EXTENSION);
            }
            State->HeldProcesses = Held;
            State->HeldCapacity = Capacity;
        }

        ObReferenceObject(Process);
        KeFreezeProcess(&Process->Pcb);
        State->HeldProcesses[State->HeldCount++] = Process;
    }
}

/*!
 * @brief
 * Ends the processes of a job's tree for their user time, counting them
 * as terminated by a limit in the job and in the jobs it is nested in.
 *
 * @param[in] PerProcessLimit
 * Only processes whose own user time passed it, each told with
 * JOB_OBJECT_MSG_END_OF_PROCESS_TIME; NULL for every process of the tree.
 */
static
VOID
PspEndProcessesForTime(
    _In_ PEJOB Job,
    _In_reads_(Count) PEPROCESS *Processes,
    _In_ ULONG Count,
    _In_opt_ PLARGE_INTEGER PerProcessLimit)
{
    ULONG i;
    PEJOB Member;

    for (i = 0; i < Count; i++)
    {
        PEPROCESS Process = Processes[i];

        if (PerProcessLimit != NULL)
        {
            PROCESS_VALUES Values;

            KeQueryValuesProcess(&Process->Pcb, &Values);
            if (Values.TotalUserTime.QuadPart <= PerProcessLimit->QuadPart) continue;
        }

        /* Each process is ended once, whichever limit ends it */
        if (InterlockedOr((PLONG)&Process->JobStatus, PSP_JOB_STATUS_TIME_ENDED) & PSP_JOB_STATUS_TIME_ENDED)
        {
            continue;
        }

        DPRINT("Job %lu: process %p ends for its user time\n", Job->JobId, Process->UniqueProcessId);
        PsTerminateProcess(Process, PSP_JOB_TIME_LIMIT_EXIT_STATUS);

        for (Member = Job; Member != NULL; Member = PspGetParentJob(Member))
        {
            InterlockedIncrement((PLONG)&Member->TotalTerminatedProcesses);
        }
        if (PerProcessLimit != NULL)
        {
            PspPostJobMessage(Job, JOB_OBJECT_MSG_END_OF_PROCESS_TIME, Process->UniqueProcessId);
        }
    }
}

/*!
 * @brief
 * The job ran out of its job time: it posts JOB_OBJECT_MSG_END_OF_JOB_TIME
 * and forgets the limit when asked to and it has a port; otherwise its
 * processes end, it is signaled and takes no new process until the limit is
 * set again.
 */
static
VOID
PspEndJobTime(
    _In_ PEJOB Job,
    _In_reads_(Count) PEPROCESS *Processes,
    _In_ ULONG Count)
{
    BOOLEAN Terminate = FALSE;

    KeEnterGuardedRegion();
    ExAcquireResourceExclusiveLite(&Job->JobLock, TRUE);
    if ((Job->LimitFlags & JOB_OBJECT_LIMIT_JOB_TIME) && !(Job->JobFlags & PSP_JOB_FLAGS_END_OF_TIME))
    {
        if ((Job->EndOfJobTimeAction == JOB_OBJECT_POST_AT_END_OF_JOB) && (Job->CompletionPort != NULL))
        {
            Job->LimitFlags &= ~JOB_OBJECT_LIMIT_JOB_TIME;
            PspPostJobMessage(Job, JOB_OBJECT_MSG_END_OF_JOB_TIME, NULL);
        }
        else
        {
            InterlockedOr((PLONG)&Job->JobFlags, PSP_JOB_FLAGS_END_OF_TIME);
            Terminate = TRUE;
        }
    }
    ExReleaseResourceLite(&Job->JobLock);
    KeLeaveGuardedRegion();

    if (!Terminate) return;

    DPRINT("Job %lu ran out of its job time\n", Job->JobId);
    PspEndProcessesForTime(Job, Processes, Count, NULL);
    KeSetEvent(&Job->Event, IO_NO_INCREMENT, FALSE);
}

/* The rate the job's budget grows at now, 1/100 % of the machine; 0 when it is not capped now */
static
ULONG
PspGetEffectiveCpuRate(
    _In_ PPSP_JOB_LOOK Look,
    _In_ PPSP_JOB_CONTENTION Contention)
{
    ULONG Flags = Look->RateControlFlags;

    if (!(Flags & JOB_OBJECT_CPU_RATE_CONTROL_ENABLE)) return 0;

    /* A hard cap holds whether or not anyone else wants the processors */
    if (Flags & JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP) return Look->CpuRate;

    /* A soft cap and a weight only share out a contended machine */
    if (!Contention->Contended) return 0;
    if (Flags & JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED)
    {
        if (Contention->TotalWeight == 0) return 0;
        return (Look->CpuRate * PSP_JOB_CPU_RATE_MAXIMUM) / Contention->TotalWeight;
    }
    return Look->CpuRate;
}

/*!
 * @brief
 * Counts how often a rate-controlled job that asked to be told was held,
 * and tells it when it was held for more of the tolerance interval than its
 * tolerance allows.
 */
static
VOID
PspCheckRateTolerance(
    _In_ PEJOB Job,
    _In_ PPSP_JOB_LOOK Look,
    _In_ ULONGLONG Now,
    _In_ BOOLEAN Held)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;
    PPSP_JOB_MANAGER_STATE State = &Extension->Manager;
    ULONG Percent, Reached;

    if (!(Look->RateControlFlags & JOB_OBJECT_CPU_RATE_CONTROL_NOTIFY) ||
        !(Look->NotificationLimitFlags & JOB_OBJECT_LIMIT_RATE_CONTROL))
    {
        return;
    }

    if (State->ToleranceStart == 0) State->ToleranceStart = Now;
    State->ToleranceLooks++;
    if (Held) State->ToleranceHeldLooks++;

    if (Now - State->ToleranceStart <
        PspToleranceIntervalSeconds[Extension->RateControlToleranceInterval] * 1000ULL * 1000 * 10)
    {
        return;
    }

    Percent = (State->ToleranceHeldLooks * 100) / State->ToleranceLooks;
    for (Reached = ToleranceHigh; Reached >= ToleranceLow; Reached--)
    {
        if (Percent > PspTolerancePercent[Reached]) break;
    }
    if (Percent > PspTolerancePercent[Extension->RateControlTolerance])
    {
        PspReportJobLimitViolation(Job, JOB_OBJECT_LIMIT_RATE_CONTROL, Reached, NULL);
    }

    State->ToleranceStart = Now;
    State->ToleranceLooks = 0;
    State->ToleranceHeldLooks = 0;
}

/*!
 * @brief
 * Holds or releases a rate-controlled job: each window gives its tree its
 * rate's share of the window, less what it ran over in the last one; the
 * tree is held once it used that, until the next window. Competing with
 * other work, it still gets its share as long as the processor gives it
 * that much in the window.
 */
static
VOID
PspControlJobRate(
    _In_ PEJOB Job,
    _In_ PPSP_JOB_LOOK Look,
    _In_ PPSP_JOB_CONTENTION Contention,
    _In_ ULONGLONG Now,
    _In_ ULONGLONG Used,
    _In_reads_(Count) PEPROCESS *Processes,
    _In_ ULONG Count)
{
    PPSP_JOB_MANAGER_STATE State = &Job->Extension->Manager;
    LONGLONG Share;
    ULONG Rate;

    Rate = PspGetEffectiveCpuRate(Look, Contention);
    if (Rate == 0)
    {
        State->Budget = 0;
        State->RateWindowStart = 0;
        PspReleaseHeldProcesses(Job);
        return;
    }

    /* What the tree used counts in the window it used it in */
    State->Budget -= (LONGLONG)Used;
    if ((State->RateWindowStart == 0) || (Now - State->RateWindowStart >= PSP_JOB_RATE_WINDOW))
    {
        /* A new window: its share, less what the last one ran over (an unused share is not kept) */
        Share = (LONGLONG)((PSP_JOB_RATE_WINDOW * KeNumberProcessors * Rate) / PSP_JOB_CPU_RATE_MAXIMUM);
        State->Budget = Share + min(State->Budget, 0);
        State->RateWindowStart = Now;
    }

    if (State->Budget <= 0)
    {
        PspHoldProcesses(Job, Processes, Count);
    }
    else
    {
        PspReleaseHeldProcesses(Job);
    }

    PspCheckRateTolerance(Job, Look, Now, (State->Budget <= 0));
}

/* The notification limits on the job's user time and I/O */
static
VOID
PspCheckJobNotificationLimits(
    _In_ PEJOB Job,
    _In_ PPSP_JOB_LOOK Look)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;
    ULONG Flags = Look->NotificationLimitFlags & ~(ULONG)Extension->ViolationLimitFlags;
    LONGLONG UserTime = Look->Values.BasicInfo.TotalUserTime.QuadPart;

    if ((Flags & JOB_OBJECT_LIMIT_JOB_TIME) && (UserTime > Extension->JobTimeNotificationThreshold))
    {
        PspReportJobLimitViolation(Job,
                                   JOB_OBJECT_LIMIT_JOB_TIME,
                                   (ULONG64)(UserTime - Extension->JobTimeNotificationThreshold +
                                             Extension->JobTimeNotificationLimit.QuadPart),
                                   NULL);
    }
    if ((Flags & JOB_OBJECT_LIMIT_JOB_READ_BYTES) &&
        (Look->Values.IoInfo.ReadTransferCount > Extension->IoReadBytesNotificationLimit))
    {
        PspReportJobLimitViolation(Job,
                                   JOB_OBJECT_LIMIT_JOB_READ_BYTES,
                                   Look->Values.IoInfo.ReadTransferCount,
                                   NULL);
    }
    if ((Flags & JOB_OBJECT_LIMIT_JOB_WRITE_BYTES) &&
        (Look->Values.IoInfo.WriteTransferCount > Extension->IoWriteBytesNotificationLimit))
    {
        PspReportJobLimitViolation(Job,
                                   JOB_OBJECT_LIMIT_JOB_WRITE_BYTES,
                                   Look->Values.IoInfo.WriteTransferCount,
                                   NULL);
    }
}

/*!
 * @brief
 * One look at a job: its time limits, its notification limits and its rate.
 *
 * @return
 * FALSE when the job no longer needs the manager.
 */
static
BOOLEAN
PspLookAtJob(
    _In_ PEJOB Job,
    _In_ PPSP_JOB_CONTENTION Contention,
    _In_ ULONGLONG Now)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;
    PPSP_JOB_MANAGER_STATE State = &Extension->Manager;
    PSP_JOB_LOOK Look;
    PEPROCESS *Processes;
    ULONG Count;
    ULONGLONG CpuTime, Used;

    PAGED_CODE();

    if (!PspJobNeedsManager(Job)) return FALSE;

    if (!NT_SUCCESS(PspReferenceJobTreeProcesses(Job, &Processes, &Count))) return TRUE;
    PspQueryJobTreeValues(Job, &Look.Values);

    KeEnterGuardedRegion();
    ExAcquireResourceSharedLite(&Job->JobLock, TRUE);
    Look.LimitFlags = Job->LimitFlags;
    Look.PerProcessUserTimeLimit = Job->PerProcessUserTimeLimit;
    Look.PerJobUserTimeLimit = Job->PerJobUserTimeLimit;
    Look.NotificationLimitFlags = Extension->NotificationLimitFlags;
    Look.RateControlFlags = Extension->CpuRateControlFlags;
    Look.CpuRate = Extension->CpuRate;
    ExReleaseResourceLite(&Job->JobLock);
    KeLeaveGuardedRegion();

    /* The CPU time since the last look; the first look only starts counting */
    CpuTime = Look.Values.BasicInfo.TotalUserTime.QuadPart + Look.Values.BasicInfo.TotalKernelTime.QuadPart;
    Used = (State->LastLookTime != 0 && CpuTime > State->LastCpuTime) ? CpuTime - State->LastCpuTime : 0;
    State->LastCpuTime = CpuTime;
    State->LastLookTime = Now;
    State->WindowCpuTime += Used;

    if (Look.LimitFlags & JOB_OBJECT_LIMIT_PROCESS_TIME)
    {
        PspEndProcessesForTime(Job, Processes, Count, &Look.PerProcessUserTimeLimit);
    }
    if ((Look.LimitFlags & JOB_OBJECT_LIMIT_JOB_TIME) &&
        (Look.Values.BasicInfo.ThisPeriodTotalUserTime.QuadPart > Look.PerJobUserTimeLimit.QuadPart))
    {
        PspEndJobTime(Job, Processes, Count);
    }

    PspCheckJobNotificationLimits(Job, &Look);
    PspControlJobRate(Job, &Look, Contention, Now, Used, Processes, Count);

    PspDereferenceProcesses(Processes, Count);
    return TRUE;
}

/*!
 * @brief
 * Judges, once per window, whether the machine is contended and what the
 * weight-based jobs weigh together.
 *
 * @remarks
 * Weight-based jobs are compared as peers, nested or not. The work outside
 * them counts as one more participant of the default weight when it used a
 * tenth of the machine in the window.
 */
static
VOID
PspMeasureContention(
    _Inout_ PPSP_JOB_CONTENTION Contention,
    _In_reads_(Count) PEJOB *Jobs,
    _In_ ULONG Count,
    _In_ ULONGLONG Now)
{
    ULONGLONG IdleTime, Capacity, Idle, Busy, WeightedUse = 0;
    ULONG Weight = 0, i;

    IdleTime = PspQueryIdleTime();
    if (Contention->WindowStart == 0)
    {
        Contention->WindowStart = Now;
        Contention->IdleTimeAtStart = IdleTime;
        return;
    }
    if (Now - Contention->WindowStart < PSP_JOB_CONTENTION_WINDOW) return;

    Capacity = (Now - Contention->WindowStart) * KeNumberProcessors;
    Idle = (IdleTime > Contention->IdleTimeAtStart) ? IdleTime - Contention->IdleTimeAtStart : 0;
    Busy = (Capacity > Idle) ? Capacity - Idle : 0;
    Contention->Contended = (Idle * 100 < Capacity * PSP_JOB_CONTENTION_IDLE_PERCENT);

    for (i = 0; i < Count; i++)
    {
        PPSP_JOB_EXTENSION Extension = Jobs[i]->Extension;
        PPSP_JOB_MANAGER_STATE State = &Extension->Manager;

        if ((Extension->CpuRateControlFlags & JOB_OBJECT_CPU_RATE_CONTROL_ENABLE) &&
            (Extension->CpuRateControlFlags & JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED) &&
            ((State->WindowCpuTime != 0) || (State->HeldCount != 0)))
        {
            Weight += Extension->CpuRate;
            WeightedUse += State->WindowCpuTime;
        }
        State->WindowCpuTime = 0;
    }
    if ((Busy > WeightedUse) &&
        ((Busy - WeightedUse) * 100 > Capacity * PSP_JOB_HOST_BUSY_PERCENT))
    {
        Weight += PSP_JOB_CPU_WEIGHT_DEFAULT;
    }
    Contention->TotalWeight = Weight;

    Contention->WindowStart = Now;
    Contention->IdleTimeAtStart = IdleTime;
}

/* References the jobs the manager watches; the caller dereferences them and frees the array */
static
NTSTATUS
PspReferenceManagedJobs(
    _Outptr_result_buffer_(*Count) PEJOB **Jobs,
    _Out_ PULONG Count)
{
    PLIST_ENTRY NextEntry;
    PEJOB *Array;
    ULONG Capacity = PSP_JOB_MANAGER_FIRST_CAPACITY, Found;

    PAGED_CODE();

    for (;;)
    {
        Array = ExAllocatePoolWithTag(PagedPool, Capacity * sizeof(PEJOB), TAG_PS_JOB);
        if (Array == NULL) return STATUS_INSUFFICIENT_RESOURCES;

        Found = 0;
        KeAcquireGuardedMutex(&PspJobManagerLock);
        for (NextEntry = PspJobManagerListHead.Flink;
             NextEntry != &PspJobManagerListHead;
             NextEntry = NextEntry->Flink)
        {
            PPSP_JOB_EXTENSION Extension = CONTAINING_RECORD(NextEntry, PSP_JOB_EXTENSION, ManagerLinks);

            if (Found == Capacity) break;

            /* A job that is being deleted leaves the list by itself */
            if (ObReferenceObjectSafe(Extension->Job)) Array[Found++] = Extension->Job;
        }
        KeReleaseGuardedMutex(&PspJobManagerLock);

        if (NextEntry == &PspJobManagerListHead) break;

        /* More jobs than room: take them all next time round */
        while (Found != 0) ObDereferenceObject(Array[--Found]);
        ExFreePoolWithTag(Array, TAG_PS_JOB);
        Capacity *= 2;
    }

    *Jobs = Array;
    *Count = Found;
    return STATUS_SUCCESS;
}

/* A job that no longer needs the manager leaves its list, unless it needs it again meanwhile */
static
VOID
PspRetireManagedJob(
    _In_ PEJOB Job)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;

    KeAcquireGuardedMutex(&PspJobManagerLock);
    if (Extension->OnManagerList && !PspJobNeedsManager(Job))
    {
        RemoveEntryList(&Extension->ManagerLinks);
        Extension->OnManagerList = FALSE;
        Extension->Manager.LastLookTime = 0;
    }
    KeReleaseGuardedMutex(&PspJobManagerLock);
}

/*!
 * @brief
 * The job manager thread: looks at the jobs it watches every period, and
 * sleeps while there are none.
 *
 * @remarks
 * It runs at the highest priority, above every thread it may hold: a job's
 * threads cannot keep it from holding them, whatever priority they set.
 */
static
VOID
NTAPI
PspJobManagerThread(
    _In_ PVOID Context)
{
    PSP_JOB_CONTENTION Contention;
    LARGE_INTEGER Period, Wait;
    PEJOB *Jobs;
    ULONG Count, i;
    ULONGLONG Now, Round;

    PAGED_CODE();
    UNREFERENCED_PARAMETER(Context);

    KeSetPriorityThread(KeGetCurrentThread(), HIGH_PRIORITY);
    RtlZeroMemory(&Contention, sizeof(Contention));
    Period.QuadPart = PSP_JOB_MANAGER_PERIOD;

    for (;;)
    {
        if (!NT_SUCCESS(PspReferenceManagedJobs(&Jobs, &Count)))
        {
            KeDelayExecutionThread(KernelMode, FALSE, &Period);
            continue;
        }

        if (Count == 0)
        {
            ExFreePoolWithTag(Jobs, TAG_PS_JOB);
            RtlZeroMemory(&Contention, sizeof(Contention));
            KeWaitForSingleObject(&PspJobManagerWakeEvent, Executive, KernelMode, FALSE, NULL);
            continue;
        }

        Now = KeQueryInterruptTime();
        PspMeasureContention(&Contention, Jobs, Count, Now);
        for (i = 0; i < Count; i++)
        {
            if (!PspLookAtJob(Jobs[i], &Contention, Now)) PspRetireManagedJob(Jobs[i]);
            ObDereferenceObject(Jobs[i]);
        }
        ExFreePoolWithTag(Jobs, TAG_PS_JOB);

        /* Relative waits are negative: the longer of the period and nine rounds */
        Round = KeQueryInterruptTime() - Now;
        Wait.QuadPart = min(Period.QuadPart, -(LONGLONG)(Round * PSP_JOB_MANAGER_WAIT_FACTOR));
        KeDelayExecutionThread(KernelMode, FALSE, &Wait);
    }
}

/* Starts the manager thread the first time a job needs it */
static
NTSTATUS
PspStartJobManager(VOID)
{
    OBJECT_ATTRIBUTES ObjectAttributes;
    HANDLE ThreadHandle;
    NTSTATUS Status;

    PAGED_CODE();

    if (InterlockedCompareExchange(&PspJobManagerState,
                                   PspJobManagerStarting,
                                   PspJobManagerNotStarted) != PspJobManagerNotStarted)
    {
        /* Running, or another caller starts it */
        return STATUS_SUCCESS;
    }

    InitializeObjectAttributes(&ObjectAttributes, NULL, OBJ_KERNEL_HANDLE, NULL, NULL);
    Status = PsCreateSystemThread(&ThreadHandle,
                                  THREAD_ALL_ACCESS,
                                  &ObjectAttributes,
                                  NULL,
                                  NULL,
                                  PspJobManagerThread,
                                  NULL);
    if (!NT_SUCCESS(Status))
    {
        DPRINT1("The job manager could not start: 0x%lx\n", Status);
        InterlockedExchange(&PspJobManagerState, PspJobManagerNotStarted);
        return Status;
    }

    ObCloseHandle(ThreadHandle, KernelMode);
    InterlockedExchange(&PspJobManagerState, PspJobManagerRunning);
    return STATUS_SUCCESS;
}

/*!
 * @brief
 * Puts a job whose limits need the manager on its list, starting the
 * manager the first time.
 *
 * @return
 * STATUS_SUCCESS, or the status of a manager that could not start: the
 * limit that needs it is then refused.
 *
 * @remarks
 * Called after the job's limits changed and when a process joined it, no
 * JobLock held. A job whose limits no longer need the manager, or that has
 * no process left, is taken off by the manager itself, once it released
 * what it held.
 */
NTSTATUS
NTAPI
PspUpdateJobManagerList(
    _In_ PEJOB Job)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;
    NTSTATUS Status;

    PAGED_CODE();

    /* The manager starts with the first such limit, even on a job with no process yet */
    if (!PspJobHasManagedLimits(Job)) return STATUS_SUCCESS;
    Status = PspStartJobManager();
    if (!NT_SUCCESS(Status)) return Status;
    if (!PspJobNeedsManager(Job)) return STATUS_SUCCESS;

    KeAcquireGuardedMutex(&PspJobManagerLock);
    if (!Extension->OnManagerList)
    {
        InsertTailList(&PspJobManagerListHead, &Extension->ManagerLinks);
        Extension->OnManagerList = TRUE;
    }
    KeReleaseGuardedMutex(&PspJobManagerLock);

    KeSetEvent(&PspJobManagerWakeEvent, IO_NO_INCREMENT, FALSE);
    return STATUS_SUCCESS;
}

/* Takes a job that is being deleted off the manager's list */
VOID
NTAPI
PspRemoveJobFromManager(
    _In_ PEJOB Job)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;

    PAGED_CODE();

    KeAcquireGuardedMutex(&PspJobManagerLock);
    if (Extension->OnManagerList)
    {
        RemoveEntryList(&Extension->ManagerLinks);
        Extension->OnManagerList = FALSE;
    }
    KeReleaseGuardedMutex(&PspJobManagerLock);
}

/*!
 * @brief
 * JobObjectCpuRateControlInformation (set): a hard cap, a soft cap or a
 * weight for the CPU time of the job's tree together.
 *
 * @return
 * STATUS_SUCCESS; STATUS_INVALID_PARAMETER for unknown flags, a hard cap
 * together with a weight, a rate outside 1..10000 or a weight outside 1..9;
 * STATUS_NOT_SUPPORTED for JOB_OBJECT_CPU_RATE_CONTROL_MIN_MAX_RATE (this
 * kernel does not reserve a minimum rate).
 *
 * @remarks
 * A ControlFlags of 0 turns rate control off.
 */
NTSTATUS
NTAPI
PspSetJobCpuRateControl(
    _In_ PEJOB Job,
    _In_ PJOBOBJECT_CPU_RATE_CONTROL_INFORMATION RateControl)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;
    ULONG Flags = RateControl->ControlFlags;
    ULONG Rate = RateControl->CpuRate;

    PAGED_CODE();

    if (Flags & ~(JOB_OBJECT_CPU_RATE_CONTROL_ENABLE |
                  JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED |
                  JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP |
                  JOB_OBJECT_CPU_RATE_CONTROL_NOTIFY |
                  JOB_OBJECT_CPU_RATE_CONTROL_MIN_MAX_RATE))
    {
        return STATUS_INVALID_PARAMETER;
    }
    if ((Flags != 0) && !(Flags & JOB_OBJECT_CPU_RATE_CONTROL_ENABLE)) return STATUS_INVALID_PARAMETER;
    if (Flags & JOB_OBJECT_CPU_RATE_CONTROL_MIN_MAX_RATE) return STATUS_NOT_SUPPORTED;

    if (Flags & JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED)
    {
        if (Flags & JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP) return STATUS_INVALID_PARAMETER;
        if ((Rate < PSP_JOB_CPU_WEIGHT_MINIMUM) || (Rate > PSP_JOB_CPU_WEIGHT_MAXIMUM))
        {
            return STATUS_INVALID_PARAMETER;
        }
    }
    else if ((Flags != 0) && ((Rate == 0) || (Rate > PSP_JOB_CPU_RATE_MAXIMUM)))
    {
        return STATUS_INVALID_PARAMETER;
    }

    KeEnterGuardedRegion();
    ExAcquireResourceExclusiveLite(&Job->JobLock, TRUE);
    Extension->CpuRateControlFlags = Flags;
    Extension->CpuRate = (Flags != 0) ? Rate : 0;
    ExReleaseResourceLite(&Job->JobLock);
    KeLeaveGuardedRegion();

    DPRINT("Job %lu: CPU rate control 0x%lx, rate %lu\n", Job->JobId, Flags, Rate);
    return PspUpdateJobManagerList(Job);
}

/* JobObjectCpuRateControlInformation (query) */
VOID
NTAPI
PspQueryJobCpuRateControl(
    _In_ PEJOB Job,
    _Out_ PJOBOBJECT_CPU_RATE_CONTROL_INFORMATION RateControl)
{
    PPSP_JOB_EXTENSION Extension = Job->Extension;

    PAGED_CODE();

    RtlZeroMemory(RateControl, sizeof(*RateControl));
    KeEnterGuardedRegion();
    ExAcquireResourceSharedLite(&Job->JobLock, TRUE);
    RateControl->ControlFlags = Extension->CpuRateControlFlags;
    RateControl->CpuRate = Extension->CpuRate;
    ExReleaseResourceLite(&Job->JobLock);
    KeLeaveGuardedRegion();
}

/* EOF */
