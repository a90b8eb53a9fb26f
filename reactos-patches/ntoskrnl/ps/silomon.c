/*
 * PROJECT:     ReactOS Kernel
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Silo monitors: driver callbacks for server silo creation
 *              and termination
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

/* INCLUDES ******************************************************************/

#include <ntoskrnl.h>
#define NDEBUG
#include <debug.h>

/*!
 * @brief
 * A registered silo monitor.
 *
 * @remarks
 * MonitorLinks and Started: PspSiloMonitorLock (written exclusive, read
 * shared or exclusive). The rest is written before the monitor is linked
 * and read-only after.
 */
typedef struct _SILO_MONITOR
{
    LIST_ENTRY MonitorLinks;
    BOOLEAN MonitorHost;
    BOOLEAN MonitorExistingSilos;
    BOOLEAN Started;
    ULONG ContextSlot;
    PSILO_MONITOR_CREATE_CALLBACK CreateCallback;
    PSILO_MONITOR_TERMINATE_CALLBACK TerminateCallback;
    UNICODE_STRING Name;
} SILO_MONITOR;

/* Time to wait between checks while a monitor's slot drains (10 ms) */
#define PSP_SILO_MONITOR_DRAIN_INTERVAL     (-10 * 1000 * 10)

/* GLOBALS *******************************************************************/

/*
 * Monitors in registration order. Callbacks run with PspSiloMonitorLock
 * held: shared for a silo's creation and termination (each silo's one
 * thread sets ESERVERSILO_GLOBALS.MonitorPhase and the matching state under
 * it), exclusive while PsStartSiloMonitor reports the silos that run. It is
 * taken before PspSiloLock; a callback may take the silo lock (query or
 * terminate a silo) but must not register, start or unregister a monitor.
 */
static LIST_ENTRY PspSiloMonitorList = { &PspSiloMonitorList, &PspSiloMonitorList };
static EX_PUSH_LOCK PspSiloMonitorLock;

/* PRIVATE FUNCTIONS *********************************************************/

/*
 * Runs every started monitor's create callback for a new server silo, in
 * registration order, then marks the silo STARTED. All of them run even if
 * one fails.
 */
NTSTATUS
NTAPI
PspNotifyServerSiloCreation(
    _In_ PESILO Silo)
{
    PLIST_ENTRY Entry;
    NTSTATUS Status = STATUS_SUCCESS;

    PAGED_CODE();

    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&PspSiloMonitorLock);
    for (Entry = PspSiloMonitorList.Flink; Entry != &PspSiloMonitorList; Entry = Entry->Flink)
    {
        PSILO_MONITOR Monitor = CONTAINING_RECORD(Entry, SILO_MONITOR, MonitorLinks);

        if (!Monitor->Started || (Monitor->CreateCallback == NULL)) continue;
        if (!NT_SUCCESS(Monitor->CreateCallback(Silo)))
        {
            DPRINT1("Silo monitor %wZ refused silo %lu\n", &Monitor->Name, Silo->JobId);
            Status = STATUS_REQUEST_ABORTED;
        }
    }
    Silo->ServerSiloGlobals->MonitorPhase = PspSiloMonitorsCreated;
    PspSetServerSiloStarted(Silo);
    ExReleasePushLockShared(&PspSiloMonitorLock);
    KeLeaveCriticalRegion();

    return Status;
}

/*
 * Marks the silo TERMINATING and runs every started monitor's terminate
 * callback, in the same order, if the silo's monitors had their create
 * callbacks. FALSE when the silo was terminating already.
 */
BOOLEAN
NTAPI
PspNotifyServerSiloTermination(
    _In_ PESILO Silo)
{
    PESERVERSILO_GLOBALS Globals = Silo->ServerSiloGlobals;
    PLIST_ENTRY Entry;
    BOOLEAN Begun;

    PAGED_CODE();

    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&PspSiloMonitorLock);
    Begun = PspBeginServerSiloTermination(Silo);
    if (Begun && (Globals->MonitorPhase == PspSiloMonitorsCreated))
    {
        for (Entry = PspSiloMonitorList.Flink; Entry != &PspSiloMonitorList; Entry = Entry->Flink)
        {
            PSILO_MONITOR Monitor = CONTAINING_RECORD(Entry, SILO_MONITOR, MonitorLinks);

            if (Monitor->Started) Monitor->TerminateCallback(Silo);
        }
        Globals->MonitorPhase = PspSiloMonitorsTerminated;
    }
    ExReleasePushLockShared(&PspSiloMonitorLock);
    KeLeaveCriticalRegion();

    return Begun;
}

/* PUBLIC FUNCTIONS **********************************************************/

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsRegisterSiloMonitor(
    _In_ PSILO_MONITOR_REGISTRATION Registration,
    _Outptr_ PSILO_MONITOR *ReturnedMonitor)
{
    PSILO_MONITOR Monitor;
    PUNICODE_STRING Name;
    NTSTATUS Status;

    PAGED_CODE();

    *ReturnedMonitor = NULL;

    Name = Registration->ComponentName;
    if ((Registration->Version != SILO_MONITOR_REGISTRATION_VERSION) ||
        (Name == NULL) || (Name->Length == 0) || (Name->Buffer == NULL) ||
        (Registration->TerminateCallback == NULL))
    {
        return STATUS_INVALID_PARAMETER;
    }

    /* Only the host watches silos */
    if (PsGetCurrentServerSilo() != NULL) return STATUS_PRIVILEGE_NOT_HELD;

    Monitor = ExAllocatePoolZero(NonPagedPool,
                                 sizeof(*Monitor) + Name->Length,
                                 TAG_PS_SILO_MONITOR);
    if (Monitor == NULL) return STATUS_INSUFFICIENT_RESOURCES;

    Status = PsAllocSiloContextSlot(0, &Monitor->ContextSlot);
    if (!NT_SUCCESS(Status))
    {
        ExFreePoolWithTag(Monitor, TAG_PS_SILO_MONITOR);
        return Status;
    }

    Monitor->MonitorHost = Registration->MonitorHost;
    Monitor->MonitorExistingSilos = Registration->MonitorExistingSilos;
    Monitor->CreateCallback = Registration->CreateCallback;
    Monitor->TerminateCallback = Registration->TerminateCallback;
    Monitor->Name.Buffer = (PWCHAR)(Monitor + 1);
    Monitor->Name.Length = Monitor->Name.MaximumLength = Name->Length;
    RtlCopyMemory(Monitor->Name.Buffer, Name->Buffer, Name->Length);

    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&PspSiloMonitorLock);
    InsertTailList(&PspSiloMonitorList, &Monitor->MonitorLinks);
    ExReleasePushLockExclusive(&PspSiloMonitorLock);
    KeLeaveCriticalRegion();

    *ReturnedMonitor = Monitor;
    return STATUS_SUCCESS;
}

/*
 * @implemented
 *
 * From now on the monitor sees server silos start and end. The host, when
 * asked for, and the server silos that already run are reported at once.
 */
NTSTATUS
NTAPI
PsStartSiloMonitor(
    _In_ PSILO_MONITOR Monitor)
{
    PESILO *Silos;
    ULONG Count, i;
    NTSTATUS Status = STATUS_SUCCESS;

    PAGED_CODE();

    /*
     * Held exclusive, no silo starts or ends its monitors meanwhile: each
     * silo reported here gets its terminate callback later, and a silo
     * that starts later calls this monitor itself.
     */
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&PspSiloMonitorLock);

    if (!Monitor->MonitorExistingSilos && PspAreServerSilosRunning())
    {
        Status = STATUS_NOT_SUPPORTED;
    }
    else
    {
        if (Monitor->MonitorHost && (Monitor->CreateCallback != NULL) &&
            !NT_SUCCESS(Monitor->CreateCallback(NULL)))
        {
            Status = STATUS_REQUEST_ABORTED;
        }

        /* The callbacks run without the silo lock: they may query or terminate a silo */
        if (NT_SUCCESS(Status) && (Monitor->CreateCallback != NULL))
        {
            Status = PspReferenceNotifiedServerSilos(&Silos, &Count);
            for (i = 0; NT_SUCCESS(Status) && (i < Count); i++)
            {
                if (!NT_SUCCESS(Monitor->CreateCallback(Silos[i]))) Status = STATUS_REQUEST_ABORTED;
            }
            if (Silos != NULL) PspDereferenceNotifiedServerSilos(Silos, Count);
        }

        if (NT_SUCCESS(Status)) Monitor->Started = TRUE;
    }

    ExReleasePushLockExclusive(&PspSiloMonitorLock);
    KeLeaveCriticalRegion();

    return Status;
}

/*
 * @implemented
 */
VOID
NTAPI
PsUnregisterSiloMonitor(
    _In_ _Post_invalid_ PSILO_MONITOR Monitor)
{
    LARGE_INTEGER Interval;

    PAGED_CODE();

    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&PspSiloMonitorLock);
    RemoveEntryList(&Monitor->MonitorLinks);
    ExReleasePushLockExclusive(&PspSiloMonitorLock);
    KeLeaveCriticalRegion();

    /* The owner removes its contexts, maybe from other threads: wait for it */
    Interval.QuadPart = PSP_SILO_MONITOR_DRAIN_INTERVAL;
    while (PspIsSiloContextSlotInUse(Monitor->ContextSlot))
    {
        KeDelayExecutionThread(KernelMode, FALSE, &Interval);
    }

    PsFreeSiloContextSlot(Monitor->ContextSlot);
    ExFreePoolWithTag(Monitor, TAG_PS_SILO_MONITOR);
}

/*
 * @implemented
 */
ULONG
NTAPI
PsGetSiloMonitorContextSlot(
    _In_ PSILO_MONITOR Monitor)
{
    return Monitor->ContextSlot;
}

/* EOF */
