/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The kernel side of the silo life-cycle races: monitors that
 *              sleep, terminate or query in their callbacks, a monitor
 *              started while silos come and go, and a system thread that
 *              looks names up in a silo while it is torn down
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#define SILODRV_THIS_SOURCE         SILODRV_SOURCE_RACE
#include "silodrvp.h"

__CREATE_NTOS_DATA_IMPORT_ALIAS(PsJobType)
extern POBJECT_TYPE *PsJobType;

NTSYSAPI
NTSTATUS
NTAPI
ZwQueryInformationJobObject(
    _In_opt_ HANDLE JobHandle,
    _In_ ULONG JobInformationClass,
    _Out_writes_bytes_(JobInformationLength) PVOID JobInformation,
    _In_ ULONG JobInformationLength,
    _Out_opt_ PULONG ReturnLength);

NTSYSAPI
NTSTATUS
NTAPI
ZwYieldExecution(VOID);

/* JobObjectServerSiloBasicInformation and its layout, which kernel-mode headers lack */
#define SILODRV_CLASS_SERVER_SILO_BASIC     38
#define SILODRV_JOB_OBJECT_QUERY            0x0004
#define SILODRV_STATE_TERMINATING           3

typedef struct _SILODRV_SERVER_SILO_BASIC
{
    ULONG ServiceSessionId;
    ULONG State;
    ULONG ExitStatus;
    BOOLEAN Reserved;
    PVOID ApiSetSchema;
    PVOID HostApiSetSchema;
    ULONG ContainerBuildNumber;
    ULONG HostBuildNumber;
} SILODRV_SERVER_SILO_BASIC;

#define SILODRV_RACE_TAG            'RliS'
#define SILODRV_RACE_TABLE_SIZE     1024
#define SILODRV_RACE_MARKS          64
/* The sleeping monitor holds a silo's creation this long, its end this long */
#define SILODRV_RACE_CREATE_SLEEP   (-30LL * 1000 * 10)
#define SILODRV_RACE_END_SLEEP      (-10LL * 1000 * 10)

typedef enum _SILODRV_RACE_MONITOR_KIND
{
    SiloDrvRaceSleeper,
    SiloDrvRaceTerminator,
    SiloDrvRaceQuerier,
    SiloDrvRaceLate,
    SiloDrvRaceMonitorKinds
} SILODRV_RACE_MONITOR_KIND;

static const PCWSTR SiloDrvRaceMonitorNames[SiloDrvRaceMonitorKinds] =
{
    L"silodrv-race-sleeper", L"silodrv-race-terminator", L"silodrv-race-querier", L"silodrv-race-late"
};

/* What one monitor saw of one silo */
typedef struct _SILODRV_RACE_SEEN
{
    ULONG SiloId;
    LONG Creates;
    LONG Terminates;
} SILODRV_RACE_SEEN;

typedef struct _SILODRV_RACE_MONITOR
{
    PSILO_MONITOR Monitor;
    LONG Violations;                /* a callback saw a state it must never see */
    LONG Overflows;                 /* silos the table had no room for */
    SILODRV_RACE_SEEN Seen[SILODRV_RACE_TABLE_SIZE];
} SILODRV_RACE_MONITOR, *PSILODRV_RACE_MONITOR;

typedef struct _SILODRV_LOOKUP_THREAD
{
    PESILO Silo;
    PETHREAD Thread;
    HANDLE HostMarker;
    volatile LONG Stop;
    volatile LONG Ended;
    LONG Lookups;
    LONG LookupsAfterEnd;
    LONG HostNamesFound;
} SILODRV_LOOKUP_THREAD, *PSILODRV_LOOKUP_THREAD;

/* Guards the tables and the marks; the callbacks run at PASSIVE_LEVEL, the lock raises */
static KSPIN_LOCK SiloDrvRaceLock;
static PSILODRV_RACE_MONITOR SiloDrvRaceMonitors[SiloDrvRaceMonitorKinds];
static ULONG SiloDrvRaceMarks[SILODRV_RACE_MARKS];
static PSILODRV_LOOKUP_THREAD SiloDrvLookup;

/* The process host shutdown waits for (its report must reach the debug port first) */
static PEPROCESS SiloDrvShutdownHolder;
static BOOLEAN SiloDrvShutdownRegistered;
/* How long shutdown waits for it, and then for the runner to relay its output */
#define SILODRV_SHUTDOWN_HOLD       (-60LL * 1000 * 1000 * 10)
#define SILODRV_SHUTDOWN_RELAY      (-3LL * 1000 * 1000 * 10)

/* HELPERS *******************************************************************/

static
ULONG
SiloDrvRaceSiloId(
    _In_ PESILO Silo)
{
    /* The service session id of a server silo is its silo id */
    return PsGetServerSiloServiceSessionId(Silo);
}

/* The monitor's entry for a silo, made on first use; NULL when the table is full */
static
SILODRV_RACE_SEEN*
SiloDrvRaceFindSeen(
    _In_ PSILODRV_RACE_MONITOR Race,
    _In_ ULONG SiloId)
{
    ULONG i, Slot;

    for (i = 0; i < SILODRV_RACE_TABLE_SIZE; i++)
    {
        Slot = (SiloId + i) % SILODRV_RACE_TABLE_SIZE;
        if (Race->Seen[Slot].SiloId == SiloId) return &Race->Seen[Slot];
        if (Race->Seen[Slot].SiloId == 0)
        {
            Race->Seen[Slot].SiloId = SiloId;
            return &Race->Seen[Slot];
        }
    }
    return NULL;
}

static
VOID
SiloDrvRaceCount(
    _In_ SILODRV_RACE_MONITOR_KIND Kind,
    _In_ PESILO Silo,
    _In_ BOOLEAN Create)
{
    PSILODRV_RACE_MONITOR Race = SiloDrvRaceMonitors[Kind];
    SILODRV_RACE_SEEN *Seen;
    KIRQL OldIrql;

    if (Race == NULL || Silo == NULL) return;

    KeAcquireSpinLock(&SiloDrvRaceLock, &OldIrql);
    Seen = SiloDrvRaceFindSeen(Race, SiloDrvRaceSiloId(Silo));
    if (Seen == NULL)
    {
        Race->Overflows++;
    }
    else if (Create)
    {
        Seen->Creates++;
    }
    else
    {
        /* A terminate callback without a create callback first is a violation */
        if (Seen->Creates == 0) Race->Violations++;
        Seen->Terminates++;
    }
    KeReleaseSpinLock(&SiloDrvRaceLock, OldIrql);
}

static
BOOLEAN
SiloDrvRaceIsMarked(
    _In_ ULONG SiloId)
{
    BOOLEAN Marked = FALSE;
    KIRQL OldIrql;
    ULONG i;

    KeAcquireSpinLock(&SiloDrvRaceLock, &OldIrql);
    for (i = 0; i < SILODRV_RACE_MARKS; i++) Marked = Marked || (SiloDrvRaceMarks[i] == SiloId);
    KeReleaseSpinLock(&SiloDrvRaceLock, OldIrql);
    return Marked;
}

/* The silo's state through NtQueryInformationJobObject: this takes the kernel's silo lock */
static
NTSTATUS
SiloDrvRaceQueryState(
    _In_ PESILO Silo,
    _Out_ PULONG State)
{
    SILODRV_SERVER_SILO_BASIC Basic;
    HANDLE Handle;
    NTSTATUS Status;

    *State = MAXULONG;
    Status = ObOpenObjectByPointer(Silo, OBJ_KERNEL_HANDLE, NULL, SILODRV_JOB_OBJECT_QUERY, *PsJobType,
                                   KernelMode, &Handle);
    if (!NT_SUCCESS(Status)) return Status;
    RtlZeroMemory(&Basic, sizeof(Basic));
    Status = ZwQueryInformationJobObject(Handle, SILODRV_CLASS_SERVER_SILO_BASIC, &Basic, sizeof(Basic), NULL);
    ZwClose(Handle);
    if (NT_SUCCESS(Status)) *State = Basic.State;
    return Status;
}

static
VOID
SiloDrvRaceViolation(
    _In_ SILODRV_RACE_MONITOR_KIND Kind)
{
    if (SiloDrvRaceMonitors[Kind] != NULL) InterlockedIncrement(&SiloDrvRaceMonitors[Kind]->Violations);
}

/* CALLBACKS *****************************************************************/

static
NTSTATUS
NTAPI
SiloDrvSleeperCreate(
    _In_ PESILO Silo)
{
    LARGE_INTEGER Interval;

    SiloDrvRaceCount(SiloDrvRaceSleeper, Silo, TRUE);
    Interval.QuadPart = SILODRV_RACE_CREATE_SLEEP;
    KeDelayExecutionThread(KernelMode, FALSE, &Interval);
    return STATUS_SUCCESS;
}

static
VOID
NTAPI
SiloDrvSleeperTerminate(
    _In_ PESILO Silo)
{
    LARGE_INTEGER Interval;

    SiloDrvRaceCount(SiloDrvRaceSleeper, Silo, FALSE);
    Interval.QuadPart = SILODRV_RACE_END_SLEEP;
    KeDelayExecutionThread(KernelMode, FALSE, &Interval);
}

static
NTSTATUS
NTAPI
SiloDrvTerminatorCreate(
    _In_ PESILO Silo)
{
    SiloDrvRaceCount(SiloDrvRaceTerminator, Silo, TRUE);
    if (Silo != NULL && SiloDrvRaceIsMarked(SiloDrvRaceSiloId(Silo)))
    {
        /* Ending a silo from its own create callback must neither deadlock nor skip a callback */
        PsTerminateServerSilo(Silo, SILODRV_RACE_EXIT_STATUS);
    }
    return STATUS_SUCCESS;
}

static
VOID
NTAPI
SiloDrvTerminatorTerminate(
    _In_ PESILO Silo)
{
    SiloDrvRaceCount(SiloDrvRaceTerminator, Silo, FALSE);
}

/* A querying monitor sees a silo alive when created, TERMINATING when ended */
static
NTSTATUS
SiloDrvQuerierCheck(
    _In_ SILODRV_RACE_MONITOR_KIND Kind,
    _In_ PESILO Silo,
    _In_ BOOLEAN Create)
{
    ULONG State;
    NTSTATUS Status;

    SiloDrvRaceCount(Kind, Silo, Create);
    if (Silo == NULL) return STATUS_SUCCESS;

    Status = SiloDrvRaceQueryState(Silo, &State);
    if (!NT_SUCCESS(Status) ||
        (Create && State >= SILODRV_STATE_TERMINATING) ||
        (!Create && State != SILODRV_STATE_TERMINATING))
    {
        SiloDrvRaceViolation(Kind);
    }
    return STATUS_SUCCESS;
}

static
NTSTATUS
NTAPI
SiloDrvQuerierCreate(
    _In_ PESILO Silo)
{
    return SiloDrvQuerierCheck(SiloDrvRaceQuerier, Silo, TRUE);
}

static
VOID
NTAPI
SiloDrvQuerierTerminate(
    _In_ PESILO Silo)
{
    SiloDrvQuerierCheck(SiloDrvRaceQuerier, Silo, FALSE);
}

static
NTSTATUS
NTAPI
SiloDrvLateCreate(
    _In_ PESILO Silo)
{
    return SiloDrvQuerierCheck(SiloDrvRaceLate, Silo, TRUE);
}

static
VOID
NTAPI
SiloDrvLateTerminate(
    _In_ PESILO Silo)
{
    SiloDrvQuerierCheck(SiloDrvRaceLate, Silo, FALSE);
}

static const PSILO_MONITOR_CREATE_CALLBACK SiloDrvRaceCreates[SiloDrvRaceMonitorKinds] =
{
    SiloDrvSleeperCreate, SiloDrvTerminatorCreate, SiloDrvQuerierCreate, SiloDrvLateCreate
};

static const PSILO_MONITOR_TERMINATE_CALLBACK SiloDrvRaceTerminates[SiloDrvRaceMonitorKinds] =
{
    SiloDrvSleeperTerminate, SiloDrvTerminatorTerminate, SiloDrvQuerierTerminate, SiloDrvLateTerminate
};

/* MONITORS ******************************************************************/

static
NTSTATUS
SiloDrvRaceStartMonitor(
    _In_ SILODRV_RACE_MONITOR_KIND Kind)
{
    SILO_MONITOR_REGISTRATION Registration;
    UNICODE_STRING Name;
    PSILODRV_RACE_MONITOR Race;
    NTSTATUS Status;

    if (SiloDrvRaceMonitors[Kind] != NULL) return STATUS_OBJECT_NAME_COLLISION;

    Race = ExAllocatePoolWithTag(NonPagedPool, sizeof(*Race), SILODRV_RACE_TAG);
    if (Race == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    RtlZeroMemory(Race, sizeof(*Race));

    RtlInitUnicodeString(&Name, SiloDrvRaceMonitorNames[Kind]);
    RtlZeroMemory(&Registration, sizeof(Registration));
    Registration.Version = SILO_MONITOR_REGISTRATION_VERSION;
    Registration.MonitorExistingSilos = TRUE;
    Registration.ComponentName = &Name;
    Registration.CreateCallback = SiloDrvRaceCreates[Kind];
    Registration.TerminateCallback = SiloDrvRaceTerminates[Kind];

    Status = PsRegisterSiloMonitor(&Registration, &Race->Monitor);
    if (!NT_SUCCESS(Status))
    {
        ExFreePoolWithTag(Race, SILODRV_RACE_TAG);
        return Status;
    }

    /* Published first: the start reports the running silos to the callbacks at once */
    SiloDrvRaceMonitors[Kind] = Race;
    Status = PsStartSiloMonitor(Race->Monitor);
    if (!NT_SUCCESS(Status))
    {
        PsUnregisterSiloMonitor(Race->Monitor);
        SiloDrvRaceMonitors[Kind] = NULL;
        ExFreePoolWithTag(Race, SILODRV_RACE_TAG);
    }
    return Status;
}

static
VOID
SiloDrvRaceStopMonitor(
    _In_ SILODRV_RACE_MONITOR_KIND Kind)
{
    PSILODRV_RACE_MONITOR Race = SiloDrvRaceMonitors[Kind];

    if (Race == NULL) return;
    /* No callback runs once this returns */
    PsUnregisterSiloMonitor(Race->Monitor);
    SiloDrvRaceMonitors[Kind] = NULL;
    ExFreePoolWithTag(Race, SILODRV_RACE_TAG);
}

static
VOID
SiloDrvRaceCheckOneSilo(
    _In_ PSILODRV_RUN Run,
    _In_ ULONG SiloId)
{
    SILODRV_RACE_MONITOR_KIND Kind;
    SILODRV_RACE_SEEN Seen;
    SILODRV_RACE_SEEN *Found;
    KIRQL OldIrql;

    for (Kind = SiloDrvRaceSleeper; Kind < SiloDrvRaceLate; Kind++)
    {
        PSILODRV_RACE_MONITOR Race = SiloDrvRaceMonitors[Kind];

        CHECK(Run, Race != NULL, "%S is not running", SiloDrvRaceMonitorNames[Kind]);
        if (Race == NULL) continue;

        RtlZeroMemory(&Seen, sizeof(Seen));
        KeAcquireSpinLock(&SiloDrvRaceLock, &OldIrql);
        Found = SiloDrvRaceFindSeen(Race, SiloId);
        if (Found != NULL) Seen = *Found;
        KeReleaseSpinLock(&SiloDrvRaceLock, OldIrql);

        CHECK(Run, Seen.Creates == 1 && Seen.Terminates == 1, "%S: silo %lu created %ld times, terminated %ld times",
              SiloDrvRaceMonitorNames[Kind], SiloId, Seen.Creates, Seen.Terminates);
        CHECK(Run, Race->Violations == 0 && Race->Overflows == 0, "%S: %ld callbacks saw a wrong state, %ld overflows",
              SiloDrvRaceMonitorNames[Kind], Race->Violations, Race->Overflows);
    }
}

/* Every silo the late monitor heard of: created and terminated once, or the terminate first never */
static
VOID
SiloDrvRaceCheckLate(
    _In_ PSILODRV_RUN Run)
{
    PSILODRV_RACE_MONITOR Race = SiloDrvRaceMonitors[SiloDrvRaceLate];
    ULONG i, Silos = 0, Unpaired = 0, FirstUnpaired = 0;

    CHECK(Run, Race != NULL, "the late monitor is not running");
    if (Race == NULL) return;

    for (i = 0; i < SILODRV_RACE_TABLE_SIZE; i++)
    {
        SILODRV_RACE_SEEN *Seen = &Race->Seen[i];

        if (Seen->SiloId == 0) continue;
        Silos++;
        if (Seen->Creates != 1 || Seen->Terminates != 1)
        {
            if (Unpaired++ == 0) FirstUnpaired = i;
        }
    }
    CHECK(Run, Silos > 0, "the late monitor heard of no silo");
    CHECK(Run, Unpaired == 0, "late monitor: %lu of %lu silos unpaired (silo %lu: %ld creates, %ld terminates)",
          Unpaired, Silos, Race->Seen[FirstUnpaired].SiloId, Race->Seen[FirstUnpaired].Creates,
          Race->Seen[FirstUnpaired].Terminates);
    CHECK(Run, Race->Violations == 0 && Race->Overflows == 0, "late monitor: %ld callbacks saw a wrong state, "
          "%ld overflows", Race->Violations, Race->Overflows);
    Run->Results->Figures[SiloDrvFigureLateSilos] = Silos;
}

/* LOOKUPS *******************************************************************/

static
BOOLEAN
SiloDrvOpens(
    _In_ PCWSTR Path,
    _In_ ULONG Kind)
{
    OBJECT_ATTRIBUTES ObjectAttributes;
    UNICODE_STRING Name;
    HANDLE Handle;
    NTSTATUS Status;

    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&ObjectAttributes, &Name, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    switch (Kind)
    {
        case 0:
            Status = ZwOpenEvent(&Handle, SYNCHRONIZE, &ObjectAttributes);
            break;
        case 1:
            Status = ZwOpenSymbolicLinkObject(&Handle, SYMBOLIC_LINK_QUERY, &ObjectAttributes);
            break;
        default:
            Status = ZwOpenDirectoryObject(&Handle, DIRECTORY_QUERY, &ObjectAttributes);
            break;
    }
    if (!NT_SUCCESS(Status)) return FALSE;
    ZwClose(Handle);
    return TRUE;
}

/*
 * Attached to the silo, over and over: the host's marker (never lent), the
 * silo's \?? (its device map) and its KernelObjects (a shadow). While the
 * silo is torn down, and after, none of them may reach a host-only name.
 */
static
VOID
NTAPI
SiloDrvLookupThread(
    _In_ PVOID Parameter)
{
    PSILODRV_LOOKUP_THREAD Lookup = Parameter;
    PESILO Previous;

    while (!Lookup->Stop)
    {
        BOOLEAN Ended = (Lookup->Ended != 0);

        Previous = PsAttachSiloToCurrentThread(Lookup->Silo);
        if (SiloDrvOpens(SILODRV_RACE_HOST_MARKER, 0)) InterlockedIncrement(&Lookup->HostNamesFound);
        SiloDrvOpens(L"\\??\\GLOBALROOT", 1);
        SiloDrvOpens(L"\\KernelObjects", 2);
        PsDetachSiloFromCurrentThread(Previous);

        Lookup->Lookups++;
        if (Ended) Lookup->LookupsAfterEnd++;
        ZwYieldExecution();
    }
    PsTerminateSystemThread(STATUS_SUCCESS);
}

static
NTSTATUS
SiloDrvLookupStart(
    _In_ HANDLE SiloHandle)
{
    UNICODE_STRING MarkerName = RTL_CONSTANT_STRING(SILODRV_RACE_HOST_MARKER);
    OBJECT_ATTRIBUTES ObjectAttributes;
    PSILODRV_LOOKUP_THREAD Lookup;
    HANDLE ThreadHandle;
    NTSTATUS Status;

    if (SiloDrvLookup != NULL) return STATUS_OBJECT_NAME_COLLISION;

    Lookup = ExAllocatePoolWithTag(NonPagedPool, sizeof(*Lookup), SILODRV_RACE_TAG);
    if (Lookup == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    RtlZeroMemory(Lookup, sizeof(*Lookup));

    /* The caller is the host: the marker goes into the host's BaseNamedObjects */
    InitializeObjectAttributes(&ObjectAttributes, &MarkerName, OBJ_KERNEL_HANDLE | OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status = ZwCreateEvent(&Lookup->HostMarker, EVENT_ALL_ACCESS, &ObjectAttributes, NotificationEvent, FALSE);
    if (NT_SUCCESS(Status))
    {
        /* An attached thread keeps its silo referenced */
        Status = ObReferenceObjectByHandle(SiloHandle, 0, *PsJobType, UserMode, (PVOID*)&Lookup->Silo, NULL);
    }
    if (NT_SUCCESS(Status))
    {
        Status = PsCreateSystemThread(&ThreadHandle, THREAD_ALL_ACCESS, NULL, NULL, NULL, SiloDrvLookupThread,
                                      Lookup);
    }
    if (NT_SUCCESS(Status))
    {
        ObReferenceObjectByHandle(ThreadHandle, SYNCHRONIZE, *PsThreadType, KernelMode, (PVOID*)&Lookup->Thread,
                                  NULL);
        ZwClose(ThreadHandle);
        SiloDrvLookup = Lookup;
        return STATUS_SUCCESS;
    }

    if (Lookup->Silo != NULL) ObDereferenceObject(Lookup->Silo);
    if (Lookup->HostMarker != NULL) ZwClose(Lookup->HostMarker);
    ExFreePoolWithTag(Lookup, SILODRV_RACE_TAG);
    return Status;
}

static
VOID
SiloDrvLookupStop(
    _In_opt_ PSILODRV_RUN Run)
{
    PSILODRV_LOOKUP_THREAD Lookup = SiloDrvLookup;

    if (Lookup == NULL) return;

    InterlockedExchange(&Lookup->Stop, TRUE);
    if (Lookup->Thread != NULL)
    {
        KeWaitForSingleObject(Lookup->Thread, Executive, KernelMode, FALSE, NULL);
        ObDereferenceObject(Lookup->Thread);
    }
    if (Run != NULL)
    {
        CHECK(Run, Lookup->LookupsAfterEnd > 0, "attached lookups: %ld, none after the silo ended", Lookup->Lookups);
        CHECK(Run, Lookup->HostNamesFound == 0, "attached lookups found the host-only marker %ld times in %ld",
              Lookup->HostNamesFound, Lookup->Lookups);
        Run->Results->Figures[SiloDrvFigureLookups] = (ULONG)Lookup->Lookups;
        Run->Results->Figures[SiloDrvFigureLookupsAfterEnd] = (ULONG)Lookup->LookupsAfterEnd;
    }
    ObDereferenceObject(Lookup->Silo);
    ZwClose(Lookup->HostMarker);
    SiloDrvLookup = NULL;
    ExFreePoolWithTag(Lookup, SILODRV_RACE_TAG);
}

/* CONTEXTS ******************************************************************/

/* How long a deferred context cleanup may take, polled every 10 ms */
#define SILODRV_CLEANUP_WAIT_POLLS  100
#define SILODRV_CLEANUP_POLL        (-10LL * 1000 * 10)
#define SILODRV_NON_PAGED_POOL_NX   ((POOL_TYPE)512)

static volatile LONG SiloDrvCleanupIrql = -1;

static
VOID
NTAPI
SiloDrvRecordCleanupIrql(
    _In_ PVOID SiloContext)
{
    UNREFERENCED_PARAMETER(SiloContext);
    InterlockedExchange(&SiloDrvCleanupIrql, KeGetCurrentIrql());
}

/*
 * A driver drops the last reference of a nonpaged context while it holds a
 * spin lock: the cleanup callback (which may touch paged memory) and the
 * free must wait for PASSIVE_LEVEL.
 */
static
VOID
SiloDrvContextAtDispatch(
    _In_ PSILODRV_RUN Run)
{
    LARGE_INTEGER Interval;
    PVOID Context;
    KIRQL OldIrql;
    ULONG Polls;
    NTSTATUS Status;

    InterlockedExchange(&SiloDrvCleanupIrql, -1);
    Status = PsCreateSiloContext(NULL, sizeof(ULONG), SILODRV_NON_PAGED_POOL_NX, SiloDrvRecordCleanupIrql,
                                 &Context);
    CHECK(Run, NT_SUCCESS(Status), "nonpaged context: 0x%08lx", Status);
    if (!NT_SUCCESS(Status)) return;

    KeRaiseIrql(DISPATCH_LEVEL, &OldIrql);
    PsDereferenceSiloContext(Context);
    KeLowerIrql(OldIrql);

    Interval.QuadPart = SILODRV_CLEANUP_POLL;
    for (Polls = 0; SiloDrvCleanupIrql == -1 && Polls < SILODRV_CLEANUP_WAIT_POLLS; Polls++)
    {
        KeDelayExecutionThread(KernelMode, FALSE, &Interval);
    }
    CHECK(Run, SiloDrvCleanupIrql == PASSIVE_LEVEL, "a context's last reference at DISPATCH_LEVEL: cleanup ran "
          "at IRQL %ld (-1: never)", SiloDrvCleanupIrql);
}

/* SHUTDOWN ******************************************************************/

/*
 * IRP_MJ_SHUTDOWN, in the host's first shutdown phase: after the server
 * silos ended. The test that asked for the hold reports what it saw of
 * their end; the machine powers off once it exited (or a minute passed).
 */
NTSTATUS
NTAPI
SiloDrvShutdown(
    _In_ PDEVICE_OBJECT DeviceObject,
    _Inout_ PIRP Irp)
{
    PEPROCESS Holder = InterlockedExchangePointer((PVOID*)&SiloDrvShutdownHolder, NULL);
    LARGE_INTEGER Timeout;

    UNREFERENCED_PARAMETER(DeviceObject);
    if (Holder != NULL)
    {
        DbgPrint("silodrv: host shutdown waits for the test's report\n");
        Timeout.QuadPart = SILODRV_SHUTDOWN_HOLD;
        KeWaitForSingleObject(Holder, Executive, KernelMode, FALSE, &Timeout);
        Timeout.QuadPart = SILODRV_SHUTDOWN_RELAY;
        KeDelayExecutionThread(KernelMode, FALSE, &Timeout);
        ObDereferenceObject(Holder);
    }
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

/* DISPATCH ******************************************************************/

VOID
SiloDrvRace(
    _In_ PDEVICE_OBJECT DeviceObject,
    _In_ PSILODRV_RUN Run,
    _In_ PSILODRV_RACE_REQUEST Request)
{
    SILODRV_RACE_MONITOR_KIND Kind;
    NTSTATUS Status = STATUS_SUCCESS;
    KIRQL OldIrql;
    ULONG i;

    switch (Request->Action)
    {
        case SiloDrvRaceMonitorsStart:
            KeInitializeSpinLock(&SiloDrvRaceLock);
            RtlZeroMemory(SiloDrvRaceMarks, sizeof(SiloDrvRaceMarks));
            for (Kind = SiloDrvRaceSleeper; NT_SUCCESS(Status) && Kind < SiloDrvRaceLate; Kind++)
            {
                Status = SiloDrvRaceStartMonitor(Kind);
            }
            CHECK(Run, NT_SUCCESS(Status), "starting the race monitors: 0x%08lx", Status);
            break;

        case SiloDrvRaceMonitorsStop:
            for (Kind = SiloDrvRaceSleeper; Kind < SiloDrvRaceMonitorKinds; Kind++) SiloDrvRaceStopMonitor(Kind);
            CHECK(Run, TRUE, "race monitors stopped");
            break;

        case SiloDrvRaceMark:
            KeAcquireSpinLock(&SiloDrvRaceLock, &OldIrql);
            for (i = 0; i < SILODRV_RACE_MARKS && SiloDrvRaceMarks[i] != 0; i++);
            if (i < SILODRV_RACE_MARKS) SiloDrvRaceMarks[i] = Request->SiloId;
            KeReleaseSpinLock(&SiloDrvRaceLock, OldIrql);
            CHECK(Run, i < SILODRV_RACE_MARKS, "no room to mark silo %lu", Request->SiloId);
            break;

        case SiloDrvRaceCheckSilo:
            SiloDrvRaceCheckOneSilo(Run, Request->SiloId);
            break;

        case SiloDrvRaceLateStart:
            Status = SiloDrvRaceStartMonitor(SiloDrvRaceLate);
            CHECK(Run, NT_SUCCESS(Status), "starting the late monitor: 0x%08lx", Status);
            break;

        case SiloDrvRaceLateStop:
            SiloDrvRaceCheckLate(Run);
            SiloDrvRaceStopMonitor(SiloDrvRaceLate);
            break;

        case SiloDrvRaceLookupStart:
            Status = SiloDrvLookupStart(Request->Silo);
            CHECK(Run, NT_SUCCESS(Status), "starting the lookup thread: 0x%08lx", Status);
            break;

        case SiloDrvRaceLookupEnded:
            CHECK(Run, SiloDrvLookup != NULL, "no lookup thread");
            if (SiloDrvLookup != NULL) InterlockedExchange(&SiloDrvLookup->Ended, TRUE);
            break;

        case SiloDrvRaceLookupStop:
            CHECK(Run, SiloDrvLookup != NULL, "no lookup thread");
            SiloDrvLookupStop(Run);
            break;

        case SiloDrvRaceHoldShutdown:
            Status = STATUS_OBJECT_NAME_COLLISION;
            if (!SiloDrvShutdownRegistered) Status = IoRegisterShutdownNotification(DeviceObject);
            if (NT_SUCCESS(Status))
            {
                SiloDrvShutdownRegistered = TRUE;
                ObReferenceObject(PsGetCurrentProcess());
                SiloDrvShutdownHolder = PsGetCurrentProcess();
            }
            CHECK(Run, NT_SUCCESS(Status), "holding host shutdown: 0x%08lx", Status);
            break;

        case SiloDrvRaceContextAtDispatch:
            SiloDrvContextAtDispatch(Run);
            break;

        default:
            CHECK(Run, FALSE, "unknown race action %d", Request->Action);
            break;
    }
}

/* Nothing of the races may outlive the driver */
VOID
SiloDrvRaceUnload(
    _In_ PDEVICE_OBJECT DeviceObject)
{
    PEPROCESS Holder = InterlockedExchangePointer((PVOID*)&SiloDrvShutdownHolder, NULL);
    SILODRV_RACE_MONITOR_KIND Kind;

    if (SiloDrvShutdownRegistered) IoUnregisterShutdownNotification(DeviceObject);
    SiloDrvShutdownRegistered = FALSE;
    if (Holder != NULL) ObDereferenceObject(Holder);

    SiloDrvLookupStop(NULL);
    for (Kind = SiloDrvRaceSleeper; Kind < SiloDrvRaceMonitorKinds; Kind++) SiloDrvRaceStopMonitor(Kind);
}
