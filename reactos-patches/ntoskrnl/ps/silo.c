/*
 * PROJECT:     ReactOS Kernel
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Silos: job objects promoted to isolation domains, their
 *              information classes and the silo query/attach DDIs
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

/* INCLUDES ******************************************************************/

#include <ntoskrnl.h>
#define NDEBUG
#include <debug.h>

/* The silo fields follow byte-packed EJOB fields: keep them naturally aligned */
C_ASSERT(FIELD_OFFSET(EJOB, JobId) % sizeof(ULONG) == 0);
C_ASSERT(FIELD_OFFSET(EJOB, ContainerId) % sizeof(ULONG) == 0);
C_ASSERT(FIELD_OFFSET(EJOB, ServerSiloGlobals) % sizeof(PVOID) == 0);
C_ASSERT(FIELD_OFFSET(EJOB, Storage) % sizeof(PVOID) == 0);
C_ASSERT(FIELD_OFFSET(EJOB, SiloRootDirectory) % sizeof(PVOID) == 0);
C_ASSERT(FIELD_OFFSET(EJOB, SiloSystemRoot) % sizeof(PVOID) == 0);
C_ASSERT(FIELD_OFFSET(EJOB, SiloRegistryMode) % sizeof(ULONG) == 0);
C_ASSERT(FIELD_OFFSET(EJOB, SiloNetworkMode) % sizeof(ULONG) == 0);
C_ASSERT(FIELD_OFFSET(EJOB, SiloLentDevices) % sizeof(PVOID) == 0);
C_ASSERT(FIELD_OFFSET(EJOB, SiloDeviceFlags) % sizeof(ULONG) == 0);
C_ASSERT(FIELD_OFFSET(ETHREAD, AttachedSilo) % sizeof(PVOID) == 0);

/* GLOBALS *******************************************************************/

/*
 * Guards the silo configuration of every job: EJOB.SiloFlags,
 * SiloSystemRoot, SiloRegistryMode, SiloNetworkMode, SiloLentDevices and
 * SiloDeviceFlags (until
 * ServerSiloGlobals is set, fixed after), the publication of ServerSiloGlobals and of Storage (the context
 * lock guards the slots and the storage's removal), the server silo list,
 * and the ESERVERSILO_GLOBALS fields documented in ps.h.
 * SiloRootDirectory is published once, interlocked, and read without it
 * (see OBP_SILO_NAMESPACE). Never held while a driver callback runs or an
 * object is created. Taken after PspSiloMonitorLock, before a job's
 * JobLock. PASSIVE_LEVEL, in a critical region.
 */
static EX_PUSH_LOCK PspSiloLock;
static LIST_ENTRY PspServerSiloListHead = { &PspServerSiloListHead, &PspServerSiloListHead };

/* How long host shutdown waits for the server silos to end, all together (10 s) */
#define PSP_SILO_SHUTDOWN_WAIT          (-10LL * 1000 * 1000 * 10)

/* Job ids double as silo ids and name \Silos\<id> */
static LONG PspLastJobId;


/* PRIVATE FUNCTIONS *********************************************************/

ULONG
NTAPI
PspAllocateJobId(VOID)
{
    return (ULONG)InterlockedIncrement(&PspLastJobId);
}

static
VOID
PspAcquireSiloLockExclusive(VOID)
{
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&PspSiloLock);
}

static
VOID
PspReleaseSiloLockExclusive(VOID)
{
    ExReleasePushLockExclusive(&PspSiloLock);
    KeLeaveCriticalRegion();
}

static
VOID
PspAcquireSiloLockShared(VOID)
{
    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&PspSiloLock);
}

static
VOID
PspReleaseSiloLockShared(VOID)
{
    ExReleasePushLockShared(&PspSiloLock);
    KeLeaveCriticalRegion();
}

static
VOID
PspLockJob(
    _In_ PEJOB Job)
{
    KeEnterGuardedRegion();
    ExAcquireResourceExclusiveLite(&Job->JobLock, TRUE);
}

static
VOID
PspUnlockJob(
    _In_ PEJOB Job)
{
    ExReleaseResourceLite(&Job->JobLock);
    KeLeaveGuardedRegion();
}

static
BOOLEAN
PspIsSilo(
    _In_opt_ PEJOB Job)
{
    return (Job != NULL) && (Job->JobFlags & PSP_JOB_FLAGS_SILO);
}

static
BOOLEAN
PspIsServerSilo(
    _In_opt_ PEJOB Job)
{
    return PspIsSilo(Job) && (Job->ServerSiloGlobals != NULL);
}

/*
 * The silo a process belongs to: the top-level job of its chain when that
 * job is a silo (a silo is never nested, jobs nest inside it)
 */
PESILO
NTAPI
PspGetProcessSilo(
    _In_ PEPROCESS Process)
{
    PEJOB Job = Process->Job;

    return (Job != NULL) ? PspGetJobSilo(Job) : NULL;
}

/* The server silo a process belongs to, NULL for the host */
PESILO
NTAPI
PspGetProcessServerSilo(
    _In_ PEPROCESS Process)
{
    PESILO Silo = PspGetProcessSilo(Process);

    return PspIsServerSilo(Silo) ? Silo : NULL;
}

/* ETHREAD.AttachedSilo: NULL = not attached, PSP_ATTACHED_HOST_SILO = host */
static
PESILO
PspGetThreadEffectiveSilo(
    _In_ PETHREAD Thread)
{
    PEJOB Attached = Thread->AttachedSilo;

    if (Attached == PSP_ATTACHED_HOST_SILO) return NULL;
    if (Attached != NULL) return Attached;
    return PspGetProcessSilo(Thread->ThreadsProcess);
}

static
BOOLEAN
PspCallerHasTcbPrivilege(
    _In_ KPROCESSOR_MODE PreviousMode)
{
    return SeSinglePrivilegeCheck(SeTcbPrivilege, PreviousMode);
}

static
VOID
PspFillUserSharedData(
    _In_opt_ PEJOB Silo,
    _Out_ PSILO_USER_SHARED_DATA Data)
{
    RtlZeroMemory(Data, sizeof(*Data));
    Data->NtProductType = SharedUserData->NtProductType;
    Data->SuiteMask = SharedUserData->SuiteMask;

    if (PspIsServerSilo(Silo))
    {
        RtlCopyMemory(Data,
                      &Silo->ServerSiloGlobals->UserSharedData,
                      sizeof(*Data));
        return;
    }

    /* The host silo */
    Data->ActiveConsoleId = SharedUserData->ActiveConsoleId;
    RtlCopyMemory(Data->NtSystemRoot,
                  SharedUserData->NtSystemRoot,
                  sizeof(Data->NtSystemRoot));
}

/*
 * JobObjectCreateSilo: promotes a job to a silo.
 */
static
NTSTATUS
PspCreateSilo(
    _In_ PEJOB Job)
{
    PPSP_SILO_STORAGE Storage;
    NTSTATUS Status;

    PAGED_CODE();

    /* No silo may create another one */
    if (PsGetCurrentServerSilo() != NULL) return STATUS_PRIVILEGE_NOT_HELD;

    Storage = ExAllocatePoolZero(NonPagedPool, sizeof(*Storage), TAG_PS_SILO);
    if (Storage == NULL) return STATUS_INSUFFICIENT_RESOURCES;

    PspAcquireSiloLockExclusive();
    if (Job->JobFlags & PSP_JOB_FLAGS_SILO)
    {
        Status = STATUS_CONTAINER_ASSIGNED;
    }
    else if (!IsListEmpty(&Job->Extension->ChildJobListHead))
    {
        /* Its nested jobs would be silos of their own inside it */
        Status = STATUS_JOB_NOT_EMPTY;
    }
    else if ((PspGetParentJob(Job) != NULL) ||
             !(Job->LimitFlags & PSP_JOB_SILO_REQUIRED_LIMITS))
    {
        /* Silos do not nest */
        Status = STATUS_INVALID_PARAMETER;
    }
    else
    {
        Status = ExUuidCreate(&Job->ContainerId);
        if (NT_SUCCESS(Status) || Status == RPC_NT_UUID_LOCAL_ONLY)
        {
            Job->Storage = Storage;
            Storage = NULL;
            InterlockedOr((PLONG)&Job->JobFlags, PSP_JOB_FLAGS_SILO);
            Status = STATUS_SUCCESS;
        }
    }
    PspReleaseSiloLockExclusive();

    if (Storage != NULL) ExFreePoolWithTag(Storage, TAG_PS_SILO);
    return Status;
}

/*
 * JobObjectSiloRootDirectory (set): creates \Silos\<id>.
 */
static
NTSTATUS
PspSetSiloRootDirectory(
    _In_ PEJOB Job,
    _In_ ULONG ControlFlags,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    POBP_SILO_NAMESPACE Namespace;
    NTSTATUS Status;

    PAGED_CODE();

    if (!PspCallerHasTcbPrivilege(PreviousMode)) return STATUS_PRIVILEGE_NOT_HELD;
    if (ControlFlags & ~SILO_OBJECT_ROOT_DIRECTORY_ALL) return STATUS_INVALID_PARAMETER;

    /* The DOS devices can only be shadowed in a namespace that has them */
    if ((ControlFlags & SILO_OBJECT_ROOT_DIRECTORY_SHADOW_DOS_DEVICES) &&
        !(ControlFlags & SILO_OBJECT_ROOT_DIRECTORY_INITIALIZE))
    {
        return STATUS_INVALID_PARAMETER;
    }

    /* Only the silo's parent (the host: silos do not nest) may do this */
    if (PsGetCurrentSilo() != NULL) return STATUS_CONTEXT_MISMATCH;

    /* JobFlags' silo bit is set once and never cleared */
    if (!PspIsSilo(Job)) return STATUS_JOB_NO_CONTAINER;
    if (Job->SiloRootDirectory != NULL) return STATUS_OBJECT_NAME_COLLISION;

    /*
     * The object manager builds the namespace (\Silos\<id>, its shadows and
     * \??) without the silo lock: creating objects looks names up. Of two
     * racing callers only one creates \Silos\<id>.
     */
    Status = ObCreateSiloNamespace(Job->JobId, ControlFlags, &Namespace);
    if (!NT_SUCCESS(Status)) return Status;

    PspAcquireSiloLockExclusive();
    if (Job->SiloRootDirectory == NULL)
    {
        Job->SiloFlags = ControlFlags;
        InterlockedExchangePointer(&Job->SiloRootDirectory, Namespace);
        Namespace = NULL;
    }
    PspReleaseSiloLockExclusive();

    if (Namespace != NULL)
    {
        ObFreeSiloNamespace(Namespace);
        return STATUS_OBJECT_NAME_COLLISION;
    }
    return STATUS_SUCCESS;
}

/*
 * Whether the creator may still configure the job as a silo: it is one,
 * and not a server silo yet (whose shared data and gates already read the
 * configuration). The caller holds the silo lock.
 */
static
NTSTATUS
PspCheckSiloConfigurable(
    _In_ PEJOB Job)
{
    if (!PspIsSilo(Job)) return STATUS_JOB_NO_CONTAINER;
    if (Job->ServerSiloGlobals != NULL) return STATUS_CONTAINER_ASSIGNED;
    return STATUS_SUCCESS;
}

/*
 * JobObjectSiloSystemRoot: the silo's own system root, e.g. C:\Windows.
 */
static
NTSTATUS
PspSetSiloSystemRoot(
    _In_ PEJOB Job,
    _In_ PCUNICODE_STRING CapturedRoot,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    UNICODE_STRING SystemRoot;
    NTSTATUS Status;

    PAGED_CODE();

    if (!PspCallerHasTcbPrivilege(PreviousMode)) return STATUS_PRIVILEGE_NOT_HELD;
    if (PsGetCurrentServerSilo() != NULL) return STATUS_PRIVILEGE_NOT_HELD;

    /* Must fit SILO_USER_SHARED_DATA.NtSystemRoot with its terminator */
    if ((CapturedRoot->Length == 0) ||
        (CapturedRoot->Length % sizeof(WCHAR)) ||
        (CapturedRoot->Length >= sizeof(((PSILO_USER_SHARED_DATA)NULL)->NtSystemRoot)))
    {
        return STATUS_INVALID_PARAMETER;
    }

    SystemRoot.Buffer = ExAllocatePoolWithTag(PagedPool, CapturedRoot->Length, TAG_PS_SILO);
    if (SystemRoot.Buffer == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    SystemRoot.Length = SystemRoot.MaximumLength = CapturedRoot->Length;

    _SEH2_TRY
    {
        if (PreviousMode != KernelMode)
        {
            ProbeForRead(CapturedRoot->Buffer, CapturedRoot->Length, sizeof(WCHAR));
        }
        RtlCopyMemory(SystemRoot.Buffer, CapturedRoot->Buffer, CapturedRoot->Length);
    }
    _SEH2_EXCEPT(ExSystemExceptionFilter())
    {
        ExFreePoolWithTag(SystemRoot.Buffer, TAG_PS_SILO);
        _SEH2_YIELD(return _SEH2_GetExceptionCode());
    }
    _SEH2_END;

    PspAcquireSiloLockExclusive();
    Status = PspCheckSiloConfigurable(Job);
    if (NT_SUCCESS(Status))
    {
        /* Swap, so the old buffer is freed below */
        UNICODE_STRING Old = Job->SiloSystemRoot;
        Job->SiloSystemRoot = SystemRoot;
        SystemRoot = Old;
    }
    PspReleaseSiloLockExclusive();

    if (SystemRoot.Buffer != NULL) ExFreePoolWithTag(SystemRoot.Buffer, TAG_PS_SILO);
    return Status;
}

/*
 * What the two ReactOS mode classes share: SeTcbPrivilege and a host
 * caller, a known version, no flags, a known mode.
 */
static
NTSTATUS
PspCheckSiloModeRequest(
    _In_ ULONG Version,
    _In_ ULONG ExpectedVersion,
    _In_ ULONG Flags,
    _In_ ULONG Mode,
    _In_ ULONG MaxMode,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    PAGED_CODE();

    if (!PspCallerHasTcbPrivilege(PreviousMode)) return STATUS_PRIVILEGE_NOT_HELD;
    if (PsGetCurrentServerSilo() != NULL) return STATUS_PRIVILEGE_NOT_HELD;
    if (Version != ExpectedVersion) return STATUS_UNKNOWN_REVISION;
    if ((Flags != 0) || (Mode >= MaxMode)) return STATUS_INVALID_PARAMETER;
    return STATUS_SUCCESS;
}

/*
 * Stores a mode of a silo that is not a server silo yet. From then on the
 * mode is fixed, so the gates that read it (registry, network devices) take
 * no lock.
 */
static
NTSTATUS
PspStoreSiloMode(
    _In_ PEJOB Job,
    _In_ JOBOBJECTINFOCLASS JobInformationClass,
    _In_ ULONG Mode)
{
    NTSTATUS Status;

    PAGED_CODE();

    PspAcquireSiloLockExclusive();
    Status = PspCheckSiloConfigurable(Job);
    if (NT_SUCCESS(Status))
    {
        if (JobInformationClass == JobObjectSiloRegistryConfiguration)
        {
            Job->SiloRegistryMode = (SILO_REGISTRY_MODE)Mode;
        }
        else
        {
            ASSERT(JobInformationClass == JobObjectSiloNetworkConfiguration);
            Job->SiloNetworkMode = (SILO_NETWORK_MODE)Mode;
        }
    }
    PspReleaseSiloLockExclusive();

    return Status;
}

/*
 * JobObjectSiloRegistryConfiguration: how the server silo reaches the
 * registry (the registry gate, ps/silogate.c).
 */
static
NTSTATUS
PspSetSiloRegistryConfiguration(
    _In_ PEJOB Job,
    _In_ PSILO_REGISTRY_CONFIGURATION Configuration,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    NTSTATUS Status;

    PAGED_CODE();

    Status = PspCheckSiloModeRequest(Configuration->Version,
                                     SILO_REGISTRY_CONFIGURATION_VERSION,
                                     Configuration->Flags,
                                     (ULONG)Configuration->Mode,
                                     (ULONG)MaxSiloRegistryMode,
                                     PreviousMode);
    if (!NT_SUCCESS(Status)) return Status;

    /* Only a persistent private registry names a folder */
    if ((Configuration->Mode != SiloRegistryPrivatePersistent) &&
        (Configuration->HiveFolder.Length != 0))
    {
        return STATUS_INVALID_PARAMETER;
    }

    /* The private registries need hives of their own, which no silo has yet */
    if ((Configuration->Mode == SiloRegistryPrivateTemporary) ||
        (Configuration->Mode == SiloRegistryPrivatePersistent))
    {
        DPRINT("Silo %lu: private registry mode %d is not supported\n",
               Job->JobId, Configuration->Mode);
        return STATUS_NOT_SUPPORTED;
    }

    return PspStoreSiloMode(Job, JobObjectSiloRegistryConfiguration, (ULONG)Configuration->Mode);
}

/*
 * JobObjectSiloNetworkConfiguration: whether the server silo reaches the
 * network (the I/O manager's device gate, PsCheckSiloDeviceOpen).
 */
static
NTSTATUS
PspSetSiloNetworkConfiguration(
    _In_ PEJOB Job,
    _In_ PSILO_NETWORK_CONFIGURATION Configuration,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    NTSTATUS Status;

    PAGED_CODE();

    Status = PspCheckSiloModeRequest(Configuration->Version,
                                     SILO_NETWORK_CONFIGURATION_VERSION,
                                     Configuration->Flags,
                                     (ULONG)Configuration->Mode,
                                     (ULONG)MaxSiloNetworkMode,
                                     PreviousMode);
    if (!NT_SUCCESS(Status)) return Status;

    return PspStoreSiloMode(Job, JobObjectSiloNetworkConfiguration, (ULONG)Configuration->Mode);
}

/* The prefix every lent device's name has */
static const UNICODE_STRING PspDeviceDirectoryPrefix = RTL_CONSTANT_STRING(L"\\Device\\");

/* Whether each SILO_DEVICE_NAME_SEPARATOR-separated name of Devices is a \Device\ name */
static
BOOLEAN
PspAreDeviceNamesValid(
    _In_ PCUNICODE_STRING Devices)
{
    UNICODE_STRING Entry;
    USHORT Start, End, Count = Devices->Length / sizeof(WCHAR);

    PAGED_CODE();

    for (Start = 0; Start < Count; Start = End + 1)
    {
        for (End = Start; (End < Count) && (Devices->Buffer[End] != SILO_DEVICE_NAME_SEPARATOR); End++);

        Entry.Buffer = &Devices->Buffer[Start];
        Entry.Length = Entry.MaximumLength = (End - Start) * sizeof(WCHAR);
        if ((Entry.Length <= PspDeviceDirectoryPrefix.Length) ||
            !RtlPrefixUnicodeString(&PspDeviceDirectoryPrefix, &Entry, TRUE))
        {
            return FALSE;
        }

        /* A separator at the very end names an empty device */
        if (End == Count - 1) return FALSE;
    }
    return TRUE;
}

/*
 * JobObjectSiloDeviceConfiguration: the devices lent to the server silo
 * (the I/O manager's device gate, PsCheckSiloDeviceOpen).
 */
static
NTSTATUS
PspSetSiloDeviceConfiguration(
    _In_ PEJOB Job,
    _In_ PSILO_DEVICE_CONFIGURATION Configuration,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    UNICODE_STRING Devices;
    NTSTATUS Status;

    PAGED_CODE();

    /* The mode checks, with the one flag this class knows taken out and a single "mode" */
    Status = PspCheckSiloModeRequest(Configuration->Version,
                                     SILO_DEVICE_CONFIGURATION_VERSION,
                                     Configuration->Flags & ~SILO_DEVICES_NO_DEFAULT,
                                     0,
                                     1,
                                     PreviousMode);
    if (!NT_SUCCESS(Status)) return Status;

    if ((Configuration->Devices.Length % sizeof(WCHAR)) ||
        (Configuration->Devices.Length > SILO_DEVICE_NAMES_MAX_LENGTH))
    {
        return STATUS_INVALID_PARAMETER;
    }

    RtlInitEmptyUnicodeString(&Devices, NULL, 0);
    if (Configuration->Devices.Length != 0)
    {
        Devices.Buffer = ExAllocatePoolWithTag(PagedPool, Configuration->Devices.Length, TAG_PS_SILO);
        if (Devices.Buffer == NULL) return STATUS_INSUFFICIENT_RESOURCES;
        Devices.Length = Devices.MaximumLength = Configuration->Devices.Length;

        _SEH2_TRY
        {
            if (PreviousMode != KernelMode)
            {
                ProbeForRead(Configuration->Devices.Buffer, Devices.Length, sizeof(WCHAR));
            }
            RtlCopyMemory(Devices.Buffer, Configuration->Devices.Buffer, Devices.Length);
        }
        _SEH2_EXCEPT(ExSystemExceptionFilter())
        {
            ExFreePoolWithTag(Devices.Buffer, TAG_PS_SILO);
            _SEH2_YIELD(return _SEH2_GetExceptionCode());
        }
        _SEH2_END;

        if (!PspAreDeviceNamesValid(&Devices))
        {
            ExFreePoolWithTag(Devices.Buffer, TAG_PS_SILO);
            return STATUS_INVALID_PARAMETER;
        }
    }

    PspAcquireSiloLockExclusive();
    Status = PspCheckSiloConfigurable(Job);
    if (NT_SUCCESS(Status))
    {
        /* Swap, so the old list is freed below */
        UNICODE_STRING Old = Job->SiloLentDevices;
        Job->SiloLentDevices = Devices;
        Job->SiloDeviceFlags = Configuration->Flags;
        Devices = Old;
    }
    PspReleaseSiloLockExclusive();

    if (Devices.Buffer != NULL) ExFreePoolWithTag(Devices.Buffer, TAG_PS_SILO);
    return Status;
}

/*
 * JobObjectServerSiloInitialize: converts a silo into a server silo.
 */
static
NTSTATUS
PspConvertSiloToServerSilo(
    _In_ PEJOB Job,
    _In_opt_ HANDLE DeleteEventHandle,
    _In_ BOOLEAN IsDownlevelContainer,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    PESERVERSILO_GLOBALS Globals;
    PSILO_USER_SHARED_DATA Shared;
    PKEVENT DeleteEvent = NULL;
    BOOLEAN TeardownDue;
    NTSTATUS Status;

    PAGED_CODE();

    if (!PspCallerHasTcbPrivilege(PreviousMode)) return STATUS_PRIVILEGE_NOT_HELD;

    /* No nesting: a server silo cannot make another one */
    if (PsGetCurrentServerSilo() != NULL) return STATUS_PRIVILEGE_NOT_HELD;

    if (DeleteEventHandle != NULL)
    {
        Status = ObReferenceObjectByHandle(DeleteEventHandle,
                                           EVENT_MODIFY_STATE,
                                           ExEventObjectType,
                                           PreviousMode,
                                           (PVOID*)&DeleteEvent,
                                           NULL);
        if (!NT_SUCCESS(Status)) return Status;
    }

    Globals = ExAllocatePoolZero(NonPagedPool, sizeof(*Globals), TAG_PS_SILO_GLOBALS);
    if (Globals == NULL)
    {
        if (DeleteEvent != NULL) ObDereferenceObject(DeleteEvent);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    Globals->Silo = Job;
    Globals->State = SERVERSILO_INITING;
    Globals->ExitStatus = STATUS_PENDING;
    Globals->MonitorPhase = PspSiloMonitorsNotNotified;
    KeInitializeEvent(&Globals->TeardownDone, NotificationEvent, FALSE);
    Globals->DeleteEvent = DeleteEvent;
    Globals->IsDownlevelContainer = IsDownlevelContainer;
    RtlInitEmptyUnicodeString(&Globals->SiloRootDirectoryName,
                              Globals->SiloRootDirectoryNameBuffer,
                              sizeof(Globals->SiloRootDirectoryNameBuffer));

    PspAcquireSiloLockExclusive();
    if (!PspIsSilo(Job))
    {
        Status = STATUS_JOB_NO_CONTAINER;
    }
    else if (Job->ServerSiloGlobals != NULL)
    {
        Status = STATUS_CONTAINER_ASSIGNED;
    }
    else if (!(Job->LimitFlags & JOB_OBJECT_LIMIT_SILO_READY))
    {
        Status = STATUS_INVALID_PARAMETER;
    }
    else if (Job->SiloRootDirectory == NULL)
    {
        /* The root directory must exist first */
        Status = STATUS_OBJECT_PATH_NOT_FOUND;
    }
    else
    {
        Status = ObGetSiloRootDirectoryPath(Job->JobId, &Globals->SiloRootDirectoryName);
    }

    if (NT_SUCCESS(Status))
    {
        /* The silo's replacement for the shared user data */
        Shared = &Globals->UserSharedData;
        Shared->ServiceSessionId = Job->JobId;
        Shared->ActiveConsoleId = Job->JobId;
        Shared->NtProductType = SharedUserData->NtProductType;
        Shared->SuiteMask = SharedUserData->SuiteMask;
        Shared->SharedUserSessionId = Job->JobId;
        if (Job->SiloSystemRoot.Buffer != NULL)
        {
            RtlCopyMemory(Shared->NtSystemRoot,
                          Job->SiloSystemRoot.Buffer,
                          Job->SiloSystemRoot.Length);
        }
        else
        {
            RtlCopyMemory(Shared->NtSystemRoot,
                          SharedUserData->NtSystemRoot,
                          sizeof(Shared->NtSystemRoot));
        }

        Job->ServerSiloGlobals = Globals;
        InsertTailList(&PspServerSiloListHead, &Globals->SiloLinks);
    }
    PspReleaseSiloLockExclusive();

    if (!NT_SUCCESS(Status))
    {
        if (DeleteEvent != NULL) ObDereferenceObject(DeleteEvent);
        ExFreePoolWithTag(Globals, TAG_PS_SILO_GLOBALS);
        return Status;
    }

    DPRINT("Server silo %lu initializing at %wZ\n", Job->JobId, &Globals->SiloRootDirectoryName);

    /* Drivers that monitor silos set up their per-silo state now; the silo is STARTED with them */
    Status = PspNotifyServerSiloCreation(Job);
    if (!NT_SUCCESS(Status)) PsTerminateServerSilo(Job, Status);

    /* A terminate that came meanwhile waited for this to tear the silo down */
    PspLockJob(Job);
    Globals->InitializationDone = TRUE;
    TeardownDue = PspIsServerSiloTeardownDue(Job);
    PspUnlockJob(Job);
    if (TeardownDue) PspQueueServerSiloTeardown(Job);

    return Status;
}

/*
 * INITING -> STARTED, unless the silo was told to end meanwhile. Called by
 * PspNotifyServerSiloCreation after the create callbacks, with the monitor
 * lock held, so a monitor started later finds the silo either not yet
 * notified or STARTED and notified.
 */
VOID
NTAPI
PspSetServerSiloStarted(
    _In_ PESILO ServerSilo)
{
    PESERVERSILO_GLOBALS Globals = ServerSilo->ServerSiloGlobals;

    PAGED_CODE();

    PspAcquireSiloLockExclusive();
    if (Globals->State == SERVERSILO_INITING) Globals->State = SERVERSILO_STARTED;
    PspReleaseSiloLockExclusive();
}

/*
 * JobObjectServerSiloRunningState: the only transition allowed from
 * outside is STARTED -> SHUTTING_DOWN.
 */
static
NTSTATUS
PspSetServerSiloRunningState(
    _In_ PEJOB Job,
    _In_ ULONG NewState,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    NTSTATUS Status;

    PAGED_CODE();

    if (!PspCallerHasTcbPrivilege(PreviousMode)) return STATUS_PRIVILEGE_NOT_HELD;

    PspAcquireSiloLockExclusive();
    if (!PspIsServerSilo(Job))
    {
        Status = STATUS_JOB_NO_CONTAINER;
    }
    else if ((NewState != SERVERSILO_SHUTTING_DOWN) ||
             (Job->ServerSiloGlobals->State != SERVERSILO_STARTED))
    {
        Status = STATUS_INVALID_STATE_TRANSITION;
    }
    else
    {
        Job->ServerSiloGlobals->State = SERVERSILO_SHUTTING_DOWN;
        Status = STATUS_SUCCESS;
    }
    PspReleaseSiloLockExclusive();

    return Status;
}

/*
 * Removes \Silos\<id> and the names in it. The namespace itself stays, empty,
 * until the job is deleted: an attached thread may still look names up in
 * it, and finds nothing (never the host's names).
 */
static
VOID
PspRemoveSiloRootDirectory(
    _In_ PEJOB Silo)
{
    POBP_SILO_NAMESPACE Namespace = Silo->SiloRootDirectory;

    PAGED_CODE();

    if (Namespace != NULL) ObDeleteSiloNamespace(Namespace);
}

/* Tells the job's completion port, if any, that the silo has ended */
static
VOID
PspPostSiloTerminated(
    _In_ PEJOB Silo,
    _In_ NTSTATUS ExitStatus)
{
    PVOID Port;

    UNREFERENCED_PARAMETER(ExitStatus);

    /*
     * The port stays referenced until the job is deleted. A job message
     * completes with success, as the others do (GetQueuedCompletionStatus
     * returns FALSE for an error status); the exit status is in class 37.
     */
    Port = Silo->CompletionPort;
    if (Port == NULL) return;
    IoSetIoCompletion(Port,
                      Silo->CompletionKey,
                      (PVOID)(ULONG_PTR)Silo->JobId,
                      STATUS_SUCCESS,
                      JOB_OBJECT_MSG_SILO_TERMINATED,
                      FALSE);
}

/* The silo's CSRSS no longer takes its hard errors */
static
VOID
PspDropServerSiloHardErrorPort(
    _In_ PESERVERSILO_GLOBALS Globals)
{
    PVOID Port;
    PEPROCESS PortProcess;

    PspAcquireSiloLockExclusive();
    Port = Globals->HardErrorPort;
    PortProcess = Globals->HardErrorPortProcess;
    Globals->HardErrorPort = NULL;
    Globals->HardErrorPortProcess = NULL;
    PspReleaseSiloLockExclusive();

    if (Port != NULL)
    {
        ObDereferenceObject(Port);
        ObDereferenceObject(PortProcess);
    }
}

/*
 * SHUTTING_DOWN (or INITING) -> TERMINATING, once, and the silo's CSRSS no
 * longer takes its hard errors. Called by PspNotifyServerSiloTermination
 * with the monitor lock held; FALSE when the silo is past this already.
 */
BOOLEAN
NTAPI
PspBeginServerSiloTermination(
    _In_ PESILO ServerSilo)
{
    PESERVERSILO_GLOBALS Globals = ServerSilo->ServerSiloGlobals;
    BOOLEAN Begun = FALSE;

    PAGED_CODE();

    PspAcquireSiloLockExclusive();
    if (Globals->State < SERVERSILO_TERMINATING)
    {
        Globals->State = SERVERSILO_TERMINATING;
        if (Globals->ExitStatus == STATUS_PENDING) Globals->ExitStatus = STATUS_SUCCESS;
        Begun = TRUE;
    }
    PspReleaseSiloLockExclusive();

    if (Begun) PspDropServerSiloHardErrorPort(Globals);
    return Begun;
}

/*
 * The end of a server silo, once: TERMINATING and the terminate callbacks,
 * TERMINATED, then the contexts and \Silos\<id> go, the delete event is set
 * and the completion message posted. The job object and the silo's exit
 * status stay until the last reference to the job goes.
 */
static
VOID
PspTeardownServerSilo(
    _In_ PEJOB Silo)
{
    PESERVERSILO_GLOBALS Globals = Silo->ServerSiloGlobals;
    NTSTATUS ExitStatus;

    PAGED_CODE();

    if (!PspNotifyServerSiloTermination(Silo)) return;

    PspAcquireSiloLockExclusive();
    Globals->State = SERVERSILO_TERMINATED;
    ExitStatus = Globals->ExitStatus;
    PspReleaseSiloLockExclusive();

    PspDeleteSiloStorage(Silo);
    PspRemoveSiloRootDirectory(Silo);
    if (Globals->DeleteEvent != NULL) KeSetEvent(Globals->DeleteEvent, IO_NO_INCREMENT, FALSE);
    PspPostSiloTerminated(Silo, ExitStatus);
    KeSetEvent(&Globals->TeardownDone, IO_NO_INCREMENT, FALSE);

    DPRINT1("Server silo %lu terminated with status 0x%lx\n", Silo->JobId, ExitStatus);
}

static
VOID
NTAPI
PspServerSiloTeardownWorker(
    _In_ PVOID Context)
{
    PEJOB Silo = Context;

    PspTeardownServerSilo(Silo);
    ObDereferenceObject(Silo);
}

/*!
 * @brief
 * Queues the teardown of a server silo, once.
 *
 * @param[in] Job
 * A server silo whose teardown PspIsServerSiloTeardownDue found due.
 */
VOID
NTAPI
PspQueueServerSiloTeardown(
    _In_ PEJOB Job)
{
    PESERVERSILO_GLOBALS Globals = Job->ServerSiloGlobals;

    if (InterlockedExchange(&Globals->TeardownQueued, TRUE)) return;

    /* The worker keeps the job alive */
    ObReferenceObject(Job);
    ExInitializeWorkItem(&Globals->TeardownWorkItem, PspServerSiloTeardownWorker, Job);
    ExQueueWorkItem(&Globals->TeardownWorkItem, DelayedWorkQueue);
}

/*!
 * @brief
 * Tells whether a job is a server silo whose teardown is due: it was told to
 * end, its initialization is over and its last process is gone.
 *
 * @param[in] Job
 * Any job, its JobLock held exclusive by the caller.
 *
 * @return
 * TRUE when the caller must call PspQueueServerSiloTeardown (after
 * releasing the job lock).
 */
BOOLEAN
NTAPI
PspIsServerSiloTeardownDue(
    _In_ PEJOB Job)
{
    /* Published under the silo lock before any of its fields is used here */
    PESERVERSILO_GLOBALS Globals = Job->ServerSiloGlobals;

    return PspIsSilo(Job) &&
           (Globals != NULL) &&
           Globals->TerminateRequested &&
           Globals->InitializationDone &&
           (Job->ActiveProcesses == 0);
}

/*
 * References the server silos on the list that Include accepts (the list
 * and the states held still by the silo lock) into a pool array the caller
 * frees with PspDereferenceServerSilos. A silo whose job is being deleted
 * is left out.
 */
typedef BOOLEAN (*PSP_SERVER_SILO_FILTER)(_In_ PESERVERSILO_GLOBALS Globals);

static
NTSTATUS
PspReferenceServerSilos(
    _In_ PSP_SERVER_SILO_FILTER Include,
    _Outptr_result_buffer_maybenull_(*Count) PESILO **Silos,
    _Out_ PULONG Count)
{
    PLIST_ENTRY Entry;
    PESILO *Array;
    ULONG Capacity = 0, Found = 0, i;

    PAGED_CODE();

    *Silos = NULL;
    *Count = 0;

    /* Pool is allocated outside the lock, then the list is read again: it may have grown */
    for (;;)
    {
        Array = NULL;
        if (Capacity != 0)
        {
            Array = ExAllocatePoolWithTag(PagedPool, Capacity * sizeof(PESILO), TAG_PS_SILO);
            if (Array == NULL) return STATUS_INSUFFICIENT_RESOURCES;
        }

        Found = 0;
        PspAcquireSiloLockShared();
        for (Entry = PspServerSiloListHead.Flink; Entry != &PspServerSiloListHead; Entry = Entry->Flink)
        {
            PESERVERSILO_GLOBALS Globals = CONTAINING_RECORD(Entry, ESERVERSILO_GLOBALS, SiloLinks);

            if (!Include(Globals)) continue;
            if (Found < Capacity)
            {
                /* A job being deleted is past its teardown */
                if (!ObReferenceObjectSafe(Globals->Silo)) continue;
                Array[Found] = Globals->Silo;
            }
            Found++;
        }
        PspReleaseSiloLockShared();

        if (Found <= Capacity) break;

        /* Too small (all of it was filled): give it back and try with room for all */
        for (i = 0; i < Capacity; i++) ObDereferenceObject(Array[i]);
        if (Array != NULL) ExFreePoolWithTag(Array, TAG_PS_SILO);
        Capacity = Found;
    }

    if (Found == 0)
    {
        if (Array != NULL) ExFreePoolWithTag(Array, TAG_PS_SILO);
        return STATUS_SUCCESS;
    }
    *Silos = Array;
    *Count = Found;
    return STATUS_SUCCESS;
}

static
VOID
PspDereferenceServerSilos(
    _In_reads_opt_(Count) PESILO *Silos,
    _In_ ULONG Count)
{
    ULONG i;

    if (Silos == NULL) return;
    for (i = 0; i < Count; i++) ObDereferenceObject(Silos[i]);
    ExFreePoolWithTag(Silos, TAG_PS_SILO);
}

static
BOOLEAN
PspIsServerSiloNotified(
    _In_ PESERVERSILO_GLOBALS Globals)
{
    return Globals->MonitorPhase == PspSiloMonitorsCreated;
}

static
BOOLEAN
PspIsServerSiloRunning(
    _In_ PESERVERSILO_GLOBALS Globals)
{
    return Globals->State < SERVERSILO_TERMINATED;
}

/*!
 * @brief
 * References the server silos whose monitors had their create callbacks and
 * not yet their terminate callbacks.
 *
 * @remarks
 * The caller holds PspSiloMonitorLock exclusive, so that set cannot change
 * until it releases it. Free with PspDereferenceNotifiedServerSilos.
 */
NTSTATUS
NTAPI
PspReferenceNotifiedServerSilos(
    _Outptr_result_buffer_maybenull_(*Count) PESILO **Silos,
    _Out_ PULONG Count)
{
    return PspReferenceServerSilos(PspIsServerSiloNotified, Silos, Count);
}

VOID
NTAPI
PspDereferenceNotifiedServerSilos(
    _In_reads_opt_(Count) PESILO *Silos,
    _In_ ULONG Count)
{
    PspDereferenceServerSilos(Silos, Count);
}

/* Whether any server silo exists (its job not yet deleted) */
BOOLEAN
NTAPI
PspAreServerSilosRunning(VOID)
{
    BOOLEAN Any;

    PspAcquireSiloLockShared();
    Any = !IsListEmpty(&PspServerSiloListHead);
    PspReleaseSiloLockShared();
    return Any;
}

/*!
 * @brief
 * SystemRootSiloInformation (174): the ids of the running server silos the
 * caller may see. The host sees every server silo not yet terminated; a
 * user-mode caller inside a server silo sees none, since silos do not nest
 * and a silo does not learn of the others.
 *
 * @param[out] Information
 * The caller's buffer, probed by NtQuerySystemInformation.
 *
 * @param[in] Length
 * Its size in bytes.
 *
 * @param[out] RequiredLength
 * The size the whole list needs (a kernel variable of the caller).
 *
 * @param[in] PreviousMode
 * The mode the service was called from.
 *
 * @return
 * STATUS_SUCCESS, STATUS_INFO_LENGTH_MISMATCH when Length cannot hold the
 * list (nothing is written then), STATUS_INSUFFICIENT_RESOURCES, or the
 * exception writing the buffer raised.
 */
NTSTATUS
NTAPI
PspQueryRootSiloInformation(
    _Out_writes_bytes_to_(Length, *RequiredLength) PSYSTEM_ROOT_SILO_INFORMATION Information,
    _In_ ULONG Length,
    _Out_ PULONG RequiredLength,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    PESILO *Silos = NULL;
    PULONG SiloIds = NULL;
    ULONG Count = 0, i;
    NTSTATUS Status;

    PAGED_CODE();

    if (!PsIsCallerInServerSilo(PreviousMode))
    {
        Status = PspReferenceServerSilos(PspIsServerSiloRunning, &Silos, &Count);
        if (!NT_SUCCESS(Status)) return Status;
    }

    /* The ids leave the silos before the caller's buffer is touched: a fault there leaks nothing */
    if (Count != 0)
    {
        SiloIds = ExAllocatePoolWithTag(PagedPool, Count * sizeof(ULONG), TAG_PS_SILO);
        if (SiloIds == NULL)
        {
            PspDereferenceServerSilos(Silos, Count);
            return STATUS_INSUFFICIENT_RESOURCES;
        }
        for (i = 0; i < Count; i++) SiloIds[i] = Silos[i]->JobId;
        PspDereferenceServerSilos(Silos, Count);
    }

    *RequiredLength = FIELD_OFFSET(SYSTEM_ROOT_SILO_INFORMATION, SiloIdList) + Count * sizeof(ULONG);
    if (Length < *RequiredLength)
    {
        Status = STATUS_INFO_LENGTH_MISMATCH;
    }
    else
    {
        _SEH2_TRY
        {
            Information->NumberOfSilos = Count;
            if (Count != 0) RtlCopyMemory(Information->SiloIdList, SiloIds, Count * sizeof(ULONG));
            Status = STATUS_SUCCESS;
        }
        _SEH2_EXCEPT(ExSystemExceptionFilter())
        {
            Status = _SEH2_GetExceptionCode();
        }
        _SEH2_END;
    }

    if (SiloIds != NULL) ExFreePoolWithTag(SiloIds, TAG_PS_SILO);
    DPRINT("SystemRootSiloInformation: %lu silo(s), status 0x%lx\n", Count, Status);
    return Status;
}

/*!
 * @brief
 * ProcessMembershipInformation (109): the id of the server silo a process
 * belongs to, 0 for a host process.
 *
 * @param[in] ProcessHandle
 * A handle with PROCESS_QUERY_INFORMATION (ReactOS has no limited query
 * right yet).
 *
 * @param[out] Information
 * The caller's buffer.
 *
 * @param[in] Length
 * Exactly sizeof(PROCESS_MEMBERSHIP_INFORMATION).
 *
 * @param[out] ReturnLength
 * Optional; receives the size written.
 *
 * @param[in] PreviousMode
 * The mode the service was called from.
 *
 * @return
 * STATUS_SUCCESS, STATUS_INFO_LENGTH_MISMATCH, the handle's reference
 * failure, or the exception probing or writing the buffers raised.
 *
 * @remarks
 * A process stays in its server silo until it ends, so the silo is read
 * without a lock.
 */
NTSTATUS
NTAPI
PspQueryProcessMembership(
    _In_ HANDLE ProcessHandle,
    _Out_writes_bytes_to_(Length, *ReturnLength) PPROCESS_MEMBERSHIP_INFORMATION Information,
    _In_ ULONG Length,
    _Out_opt_ PULONG ReturnLength,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    PEPROCESS Process;
    PESILO ServerSilo;
    ULONG ServerSiloId;
    NTSTATUS Status;

    PAGED_CODE();

    if (Length != sizeof(PROCESS_MEMBERSHIP_INFORMATION)) return STATUS_INFO_LENGTH_MISMATCH;

    if (PreviousMode != KernelMode)
    {
        _SEH2_TRY
        {
            ProbeForWrite(Information, Length, TYPE_ALIGNMENT(PROCESS_MEMBERSHIP_INFORMATION));
            if (ReturnLength != NULL) ProbeForWriteUlong(ReturnLength);
        }
        _SEH2_EXCEPT(EXCEPTION_EXECUTE_HANDLER)
        {
            _SEH2_YIELD(return _SEH2_GetExceptionCode());
        }
        _SEH2_END;
    }

    Status = ObReferenceObjectByHandle(ProcessHandle,
                                       PROCESS_QUERY_INFORMATION,
                                       PsProcessType,
                                       PreviousMode,
                                       (PVOID*)&Process,
                                       NULL);
    if (!NT_SUCCESS(Status)) return Status;

    ServerSilo = PspGetProcessServerSilo(Process);
    ServerSiloId = (ServerSilo != NULL) ? ServerSilo->JobId : 0;
    ObDereferenceObject(Process);

    _SEH2_TRY
    {
        Information->ServerSiloId = ServerSiloId;
        if (ReturnLength != NULL) *ReturnLength = sizeof(PROCESS_MEMBERSHIP_INFORMATION);
    }
    _SEH2_EXCEPT(ExSystemExceptionFilter())
    {
        Status = _SEH2_GetExceptionCode();
    }
    _SEH2_END;
    return Status;
}

/*!
 * @brief
 * Host shutdown: every server silo ends first, with its terminate callbacks,
 * delete event and completion message, before the host's own processes and
 * drivers go down.
 *
 * @param[in] ExitStatus
 * The silos' exit status (STATUS_SYSTEM_SHUTDOWN).
 *
 * @remarks
 * Waits at most PSP_SILO_SHUTDOWN_WAIT for all of them together; a silo
 * that does not end in time is reported and left. PASSIVE_LEVEL, host only.
 */
VOID
NTAPI
PspTerminateAllServerSilos(
    _In_ NTSTATUS ExitStatus)
{
    LARGE_INTEGER Deadline, Now, Timeout;
    PESILO *Silos;
    ULONG Count, i;

    PAGED_CODE();
    ASSERT(PsGetCurrentServerSilo() == NULL);

    if (!NT_SUCCESS(PspReferenceServerSilos(PspIsServerSiloRunning, &Silos, &Count))) return;
    if (Count == 0) return;

    DPRINT1("Host shutdown: ending %lu server silo(s) first\n", Count);
    for (i = 0; i < Count; i++) PsTerminateServerSilo(Silos[i], ExitStatus);

    KeQuerySystemTime(&Deadline);
    Deadline.QuadPart -= PSP_SILO_SHUTDOWN_WAIT;
    for (i = 0; i < Count; i++)
    {
        KeQuerySystemTime(&Now);
        Timeout.QuadPart = min(Now.QuadPart - Deadline.QuadPart, 0);
        if (KeWaitForSingleObject(&Silos[i]->ServerSiloGlobals->TeardownDone,
                                  Executive,
                                  KernelMode,
                                  FALSE,
                                  &Timeout) == STATUS_TIMEOUT)
        {
            DPRINT1("Host shutdown: server silo %lu did not end in time\n", Silos[i]->JobId);
        }
    }
    PspDereferenceServerSilos(Silos, Count);
}

/*
 * A critical process or thread of a server silo died: the silo records
 * which (once) and ends; the host goes on and nothing prompts.
 */
VOID
NTAPI
PspTerminateServerSiloOnCriticalExit(
    _In_ PESILO ServerSilo,
    _In_ PCHAR Message,
    _In_ PVOID ProcessOrThread,
    _In_ PCHAR ImageName)
{
    PESERVERSILO_GLOBALS Globals = ServerSilo->ServerSiloGlobals;
    ULONG i;

    PAGED_CODE();

    /* A silo already on its way out ignores the deaths that brings */
    if (Globals->State >= SERVERSILO_SHUTTING_DOWN) return;

    if (!InterlockedExchange(&Globals->CriticalProcessExited, TRUE))
    {
        for (i = 0; (i < PSP_SILO_CRITICAL_NAME_CHARS - 1) && ImageName[i]; i++)
        {
            Globals->CriticalProcessName[i] = (WCHAR)(UCHAR)ImageName[i];
        }
        Globals->CriticalProcessName[i] = UNICODE_NULL;
        Globals->CriticalProcessStatus = PSP_SILO_CRITICAL_EXIT_STATUS;
    }

    /* One line of its own: this is no host critical-process message and no prompt follows */
    UNREFERENCED_PARAMETER(Message);
    DbgPrint("Server silo %lu ended by the death of critical %s 0x%p (%s)\n",
             ServerSilo->JobId,
             (((PDISPATCHER_HEADER)ProcessOrThread)->Type == ProcessObject) ? "process" : "thread",
             ProcessOrThread,
             ImageName);
    PsTerminateServerSilo(ServerSilo, PSP_SILO_CRITICAL_EXIT_STATUS);
}

/*
 * Frees everything a silo owns; called when the job object is deleted.
 */
VOID
NTAPI
PspDeleteSilo(
    _In_ PEJOB Job)
{
    PESERVERSILO_GLOBALS Globals = Job->ServerSiloGlobals;

    PAGED_CODE();

    if (!PspIsSilo(Job)) return;

    if (Globals != NULL)
    {
        /* Monitors see every server silo end, even one nobody terminated */
        PspTeardownServerSilo(Job);

        PspAcquireSiloLockExclusive();
        RemoveEntryList(&Globals->SiloLinks);
        PspReleaseSiloLockExclusive();
    }

    PspDeleteSiloStorage(Job);
    if (Job->SiloRootDirectory != NULL)
    {
        ObFreeSiloNamespace(Job->SiloRootDirectory);
        Job->SiloRootDirectory = NULL;
    }

    if (Job->SiloSystemRoot.Buffer != NULL)
    {
        ExFreePoolWithTag(Job->SiloSystemRoot.Buffer, TAG_PS_SILO);
        RtlInitEmptyUnicodeString(&Job->SiloSystemRoot, NULL, 0);
    }

    if (Job->SiloLentDevices.Buffer != NULL)
    {
        ExFreePoolWithTag(Job->SiloLentDevices.Buffer, TAG_PS_SILO);
        RtlInitEmptyUnicodeString(&Job->SiloLentDevices, NULL, 0);
    }

    if (Globals != NULL)
    {
        PspDropServerSiloHardErrorPort(Globals);
        if (Globals->DeleteEvent != NULL) ObDereferenceObject(Globals->DeleteEvent);
        Job->ServerSiloGlobals = NULL;
        ExFreePoolWithTag(Globals, TAG_PS_SILO_GLOBALS);
    }
}

BOOLEAN
NTAPI
PspIsSiloInformationClass(
    _In_ JOBOBJECTINFOCLASS JobInformationClass)
{
    switch (JobInformationClass)
    {
        case JobObjectContainerId:
        case JobObjectCreateSilo:
        case JobObjectSiloBasicInformation:
        case JobObjectSiloRootDirectory:
        case JobObjectServerSiloBasicInformation:
        case JobObjectServerSiloUserSharedData:
        case JobObjectServerSiloInitialize:
        case JobObjectServerSiloRunningState:
        case JobObjectSiloSystemRoot:
        case JobObjectServerSiloDiagnosticInformation:
        case JobObjectSiloRegistryConfiguration:
        case JobObjectSiloNetworkConfiguration:
        case JobObjectSiloDeviceConfiguration:
            return TRUE;

        default:
            return FALSE;
    }
}

/*
 * NtSetInformationJobObject for the silo classes.
 */
NTSTATUS
NTAPI
PspSetSiloInformation(
    _In_ HANDLE JobHandle,
    _In_ JOBOBJECTINFOCLASS JobInformationClass,
    _In_reads_bytes_opt_(JobInformationLength) PVOID JobInformation,
    _In_ ULONG JobInformationLength,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    union
    {
        ULONG Ulong;
        HANDLE Handle;
        UNICODE_STRING String;
        SILOOBJECT_ROOT_DIRECTORY RootDirectory;
        SERVERSILO_INIT_INFORMATION Init;
        SILO_REGISTRY_CONFIGURATION Registry;
        SILO_NETWORK_CONFIGURATION Network;
        SILO_DEVICE_CONFIGURATION Device;
    } Captured;
    ULONG RequiredLength;
    PEJOB Job;
    NTSTATUS Status;

    PAGED_CODE();

    switch (JobInformationClass)
    {
        case JobObjectCreateSilo:
            RequiredLength = 0;
            break;

        case JobObjectSiloRootDirectory:
            RequiredLength = sizeof(SILOOBJECT_ROOT_DIRECTORY);
            break;

        case JobObjectServerSiloInitialize:
            /* Older callers pass only the delete event handle */
            RequiredLength = (JobInformationLength == sizeof(HANDLE)) ?
                             sizeof(HANDLE) : sizeof(SERVERSILO_INIT_INFORMATION);
            break;

        case JobObjectServerSiloRunningState:
            RequiredLength = sizeof(ULONG);
            break;

        case JobObjectSiloSystemRoot:
            RequiredLength = sizeof(UNICODE_STRING);
            break;

        case JobObjectSiloRegistryConfiguration:
            RequiredLength = sizeof(SILO_REGISTRY_CONFIGURATION);
            break;

        case JobObjectSiloNetworkConfiguration:
            RequiredLength = sizeof(SILO_NETWORK_CONFIGURATION);
            break;

        case JobObjectSiloDeviceConfiguration:
            RequiredLength = sizeof(SILO_DEVICE_CONFIGURATION);
            break;

        default:
            /* Query-only classes */
            return STATUS_INVALID_INFO_CLASS;
    }

    if (JobInformationLength != RequiredLength) return STATUS_INFO_LENGTH_MISMATCH;

    /* Capture the input before touching the job */
    RtlZeroMemory(&Captured, sizeof(Captured));
    if (RequiredLength != 0)
    {
        _SEH2_TRY
        {
            if (PreviousMode != KernelMode)
            {
                ProbeForRead(JobInformation, RequiredLength, sizeof(ULONG));
            }
            RtlCopyMemory(&Captured, JobInformation, RequiredLength);
        }
        _SEH2_EXCEPT(ExSystemExceptionFilter())
        {
            _SEH2_YIELD(return _SEH2_GetExceptionCode());
        }
        _SEH2_END;
    }

    Status = ObReferenceObjectByHandle(JobHandle,
                                       JOB_OBJECT_SET_ATTRIBUTES,
                                       PsJobType,
                                       PreviousMode,
                                       (PVOID*)&Job,
                                       NULL);
    if (!NT_SUCCESS(Status)) return Status;

    switch (JobInformationClass)
    {
        case JobObjectCreateSilo:
            Status = PspCreateSilo(Job);
            break;

        case JobObjectSiloRootDirectory:
            Status = PspSetSiloRootDirectory(Job,
                                             Captured.RootDirectory.ControlFlags,
                                             PreviousMode);
            break;

        case JobObjectServerSiloInitialize:
            if (RequiredLength == sizeof(HANDLE))
            {
                Status = PspConvertSiloToServerSilo(Job, Captured.Handle, FALSE, PreviousMode);
            }
            else
            {
                Status = PspConvertSiloToServerSilo(Job,
                                                    Captured.Init.DeleteEvent,
                                                    Captured.Init.IsDownlevelContainer,
                                                    PreviousMode);
            }
            break;

        case JobObjectServerSiloRunningState:
            Status = PspSetServerSiloRunningState(Job, Captured.Ulong, PreviousMode);
            break;

        case JobObjectSiloSystemRoot:
            Status = PspSetSiloSystemRoot(Job, &Captured.String, PreviousMode);
            break;

        case JobObjectSiloRegistryConfiguration:
            Status = PspSetSiloRegistryConfiguration(Job, &Captured.Registry, PreviousMode);
            break;

        case JobObjectSiloNetworkConfiguration:
            Status = PspSetSiloNetworkConfiguration(Job, &Captured.Network, PreviousMode);
            break;

        case JobObjectSiloDeviceConfiguration:
            Status = PspSetSiloDeviceConfiguration(Job, &Captured.Device, PreviousMode);
            break;

        default:
            ASSERT(FALSE);
            Status = STATUS_INVALID_INFO_CLASS;
            break;
    }

    ObDereferenceObject(Job);
    return Status;
}

/* STATUS_INFO_LENGTH_MISMATCH, with the length the class needs in ReturnLength */
static
NTSTATUS
PspReturnRequiredLength(
    _Out_opt_ PULONG ReturnLength,
    _In_ ULONG RequiredLength,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    if (ReturnLength == NULL) return STATUS_INFO_LENGTH_MISMATCH;

    _SEH2_TRY
    {
        if (PreviousMode != KernelMode) ProbeForWriteUlong(ReturnLength);
        *ReturnLength = RequiredLength;
    }
    _SEH2_EXCEPT(ExSystemExceptionFilter())
    {
        _SEH2_YIELD(return _SEH2_GetExceptionCode());
    }
    _SEH2_END;

    return STATUS_INFO_LENGTH_MISMATCH;
}

/*
 * NtQueryInformationJobObject for the silo classes. A NULL handle means the
 * caller's own job; JobObjectServerSiloUserSharedData then also works from
 * the host, where it returns the host's data.
 */
NTSTATUS
NTAPI
PspQuerySiloInformation(
    _In_opt_ HANDLE JobHandle,
    _In_ JOBOBJECTINFOCLASS JobInformationClass,
    _Out_writes_bytes_opt_(JobInformationLength) PVOID JobInformation,
    _In_ ULONG JobInformationLength,
    _Out_opt_ PULONG ReturnLength,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    union
    {
        JOBOBJECT_CONTAINER_IDENTIFIER_V2 ContainerId;
        SILOOBJECT_BASIC_INFORMATION SiloBasic;
        SERVERSILO_BASIC_INFORMATION ServerSiloBasic;
        SERVERSILO_DIAGNOSTIC_INFORMATION Diagnostic;
        SILO_REGISTRY_CONFIGURATION Registry;
        SILO_NETWORK_CONFIGURATION Network;
    } Small;
    PSILO_USER_SHARED_DATA SharedData = NULL;
    PSILOOBJECT_ROOT_DIRECTORY RootDirectory = NULL;
    PSILO_DEVICE_CONFIGURATION Devices = NULL;
    PVOID Output = &Small;
    ULONG OutputLength = 0, MinimumLength;
    PEJOB Job = NULL;
    NTSTATUS Status;

    PAGED_CODE();

    switch (JobInformationClass)
    {
        case JobObjectContainerId:
            MinimumLength = sizeof(JOBOBJECT_CONTAINER_IDENTIFIER_V2);
            break;
        case JobObjectSiloBasicInformation:
            MinimumLength = sizeof(SILOOBJECT_BASIC_INFORMATION);
            break;
        case JobObjectSiloRootDirectory:
            MinimumLength = sizeof(SILOOBJECT_ROOT_DIRECTORY);
            break;
        case JobObjectServerSiloBasicInformation:
            /* The layout before the build numbers is still accepted */
            MinimumLength = FIELD_OFFSET(SERVERSILO_BASIC_INFORMATION, ContainerBuildNumber);
            break;
        case JobObjectServerSiloUserSharedData:
            MinimumLength = sizeof(SILO_USER_SHARED_DATA);
            break;
        case JobObjectServerSiloDiagnosticInformation:
            MinimumLength = sizeof(SERVERSILO_DIAGNOSTIC_INFORMATION);
            break;
        case JobObjectSiloRegistryConfiguration:
            MinimumLength = sizeof(SILO_REGISTRY_CONFIGURATION);
            break;
        case JobObjectSiloNetworkConfiguration:
            MinimumLength = sizeof(SILO_NETWORK_CONFIGURATION);
            break;
        case JobObjectSiloDeviceConfiguration:
            MinimumLength = sizeof(SILO_DEVICE_CONFIGURATION);
            break;
        default:
            /* Set-only classes */
            return STATUS_INVALID_INFO_CLASS;
    }

    if ((JobInformationLength < MinimumLength) ||
        ((JobInformationClass == JobObjectServerSiloBasicInformation) &&
         (JobInformationLength != MinimumLength) &&
         (JobInformationLength != sizeof(SERVERSILO_BASIC_INFORMATION))))
    {
        /* Tell the caller what it takes: the current layout where there are two */
        if (JobInformationClass == JobObjectServerSiloBasicInformation)
        {
            MinimumLength = sizeof(SERVERSILO_BASIC_INFORMATION);
        }
        return PspReturnRequiredLength(ReturnLength, MinimumLength, PreviousMode);
    }

    if (PreviousMode != KernelMode)
    {
        _SEH2_TRY
        {
            ProbeForWrite(JobInformation, JobInformationLength, sizeof(ULONG));
            if (ReturnLength != NULL) ProbeForWriteUlong(ReturnLength);
        }
        _SEH2_EXCEPT(ExSystemExceptionFilter())
        {
            _SEH2_YIELD(return _SEH2_GetExceptionCode());
        }
        _SEH2_END;
    }

    if (JobHandle != NULL)
    {
        Status = ObReferenceObjectByHandle(JobHandle,
                                           JOB_OBJECT_QUERY,
                                           PsJobType,
                                           PreviousMode,
                                           (PVOID*)&Job,
                                           NULL);
        if (!NT_SUCCESS(Status)) return Status;
    }
    else
    {
        /* The caller's silo is the top of its chain of jobs */
        Job = PsGetCurrentProcess()->Job;
        if (Job != NULL)
        {
            Job = PspGetRootJob(Job);
            ObReferenceObject(Job);
        }
        else if (JobInformationClass != JobObjectServerSiloUserSharedData)
        {
            return STATUS_ACCESS_DENIED;
        }
    }

    /* Take a consistent snapshot under the silo lock */
    PspAcquireSiloLockShared();
    switch (JobInformationClass)
    {
        case JobObjectContainerId:
            if (!PspIsSilo(Job))
            {
                Status = STATUS_JOB_NO_CONTAINER;
                break;
            }
            Small.ContainerId.ContainerId = Job->ContainerId;
            Small.ContainerId.ContainerTelemetryId = Job->ContainerTelemetryId;
            Small.ContainerId.JobId = Job->JobId;
            OutputLength = sizeof(Small.ContainerId);
            Status = STATUS_SUCCESS;
            break;

        case JobObjectSiloBasicInformation:
            if (!PspIsSilo(Job))
            {
                Status = STATUS_JOB_NO_CONTAINER;
                break;
            }
            RtlZeroMemory(&Small.SiloBasic, sizeof(Small.SiloBasic));
            Small.SiloBasic.SiloId = Job->JobId;
            Small.SiloBasic.SiloParentId = 0;
            Small.SiloBasic.NumberOfProcesses = Job->ActiveProcesses;
            Small.SiloBasic.IsInServerSilo = PspIsServerSilo(Job);
            OutputLength = sizeof(Small.SiloBasic);
            Status = STATUS_SUCCESS;
            break;

        case JobObjectSiloRootDirectory:
        {
            ULONG PathLength = sizeof(WCHAR) * OB_SILO_ROOT_PATH_CHARS;

            if (!PspIsSilo(Job))
            {
                Status = STATUS_JOB_NO_CONTAINER;
                break;
            }
            /* Only the parent (the host) may learn where the root is */
            if (PsGetCurrentSilo() != NULL)
            {
                Status = STATUS_CONTEXT_MISMATCH;
                break;
            }
            if (Job->SiloRootDirectory == NULL)
            {
                Status = STATUS_NOT_FOUND;
                break;
            }
            RootDirectory = ExAllocatePoolZero(PagedPool,
                                               sizeof(*RootDirectory) + PathLength,
                                               TAG_PS_SILO);
            if (RootDirectory == NULL)
            {
                Status = STATUS_INSUFFICIENT_RESOURCES;
                break;
            }
            RtlInitEmptyUnicodeString(&RootDirectory->Path,
                                      (PWCHAR)(RootDirectory + 1),
                                      (USHORT)PathLength);
            Status = ObGetSiloRootDirectoryPath(Job->JobId, &RootDirectory->Path);
            Output = RootDirectory;
            OutputLength = sizeof(*RootDirectory) + RootDirectory->Path.Length;
            break;
        }

        case JobObjectServerSiloBasicInformation:
            if (!PspIsServerSilo(Job))
            {
                Status = STATUS_JOB_NO_CONTAINER;
                break;
            }
            RtlZeroMemory(&Small.ServerSiloBasic, sizeof(Small.ServerSiloBasic));
            Small.ServerSiloBasic.ServiceSessionId =
                Job->ServerSiloGlobals->UserSharedData.ServiceSessionId;
            Small.ServerSiloBasic.State = Job->ServerSiloGlobals->State;
            Small.ServerSiloBasic.ExitStatus = Job->ServerSiloGlobals->ExitStatus;
            Small.ServerSiloBasic.Reserved = Job->ServerSiloGlobals->IsDownlevelContainer;
            Small.ServerSiloBasic.ContainerBuildNumber = NtBuildNumber & 0xFFFF;
            Small.ServerSiloBasic.HostBuildNumber = NtBuildNumber & 0xFFFF;
            OutputLength = JobInformationLength;
            Status = STATUS_SUCCESS;
            break;

        case JobObjectServerSiloDiagnosticInformation:
            if (!PspIsServerSilo(Job))
            {
                Status = STATUS_JOB_NO_CONTAINER;
                break;
            }
            /* Empty until a critical object of the silo died */
            RtlZeroMemory(&Small.Diagnostic, sizeof(Small.Diagnostic));
            if (Job->ServerSiloGlobals->CriticalProcessExited)
            {
                Small.Diagnostic.ExitStatus = Job->ServerSiloGlobals->CriticalProcessStatus;
                RtlCopyMemory(Small.Diagnostic.CriticalProcessName,
                              Job->ServerSiloGlobals->CriticalProcessName,
                              sizeof(Small.Diagnostic.CriticalProcessName));
            }
            OutputLength = sizeof(Small.Diagnostic);
            Status = STATUS_SUCCESS;
            break;

        case JobObjectSiloRegistryConfiguration:
            if (!PspIsSilo(Job))
            {
                Status = STATUS_JOB_NO_CONTAINER;
                break;
            }
            /* No mode names a folder yet, so there is no host path to withhold */
            RtlZeroMemory(&Small.Registry, sizeof(Small.Registry));
            Small.Registry.Version = SILO_REGISTRY_CONFIGURATION_VERSION;
            Small.Registry.Mode = Job->SiloRegistryMode;
            OutputLength = sizeof(Small.Registry);
            Status = STATUS_SUCCESS;
            break;

        case JobObjectSiloNetworkConfiguration:
            if (!PspIsSilo(Job))
            {
                Status = STATUS_JOB_NO_CONTAINER;
                break;
            }
            RtlZeroMemory(&Small.Network, sizeof(Small.Network));
            Small.Network.Version = SILO_NETWORK_CONFIGURATION_VERSION;
            Small.Network.Mode = Job->SiloNetworkMode;
            OutputLength = sizeof(Small.Network);
            Status = STATUS_SUCCESS;
            break;

        case JobObjectSiloDeviceConfiguration:
            if (!PspIsSilo(Job))
            {
                Status = STATUS_JOB_NO_CONTAINER;
                break;
            }
            /* The names follow the structure, as a root directory's path does */
            Devices = ExAllocatePoolZero(PagedPool,
                                         sizeof(*Devices) + Job->SiloLentDevices.Length,
                                         TAG_PS_SILO);
            if (Devices == NULL)
            {
                Status = STATUS_INSUFFICIENT_RESOURCES;
                break;
            }
            Devices->Version = SILO_DEVICE_CONFIGURATION_VERSION;
            Devices->Flags = Job->SiloDeviceFlags;
            Devices->Devices.Length = Job->SiloLentDevices.Length;
            if (Job->SiloLentDevices.Length != 0)
            {
                RtlCopyMemory(Devices + 1, Job->SiloLentDevices.Buffer, Job->SiloLentDevices.Length);
            }
            Output = Devices;
            OutputLength = sizeof(*Devices) + Devices->Devices.Length;
            Status = STATUS_SUCCESS;
            break;

        case JobObjectServerSiloUserSharedData:
            /* A plain job or an application silo sees the host's data */
            if ((JobHandle != NULL) && !PspIsServerSilo(Job))
            {
                Status = STATUS_JOB_NO_CONTAINER;
                break;
            }
            SharedData = ExAllocatePoolWithTag(PagedPool, sizeof(*SharedData), TAG_PS_SILO);
            if (SharedData == NULL)
            {
                Status = STATUS_INSUFFICIENT_RESOURCES;
                break;
            }
            PspFillUserSharedData(Job, SharedData);
            Output = SharedData;
            OutputLength = sizeof(*SharedData);
            Status = STATUS_SUCCESS;
            break;

        default:
            ASSERT(FALSE);
            Status = STATUS_INVALID_INFO_CLASS;
            break;
    }
    PspReleaseSiloLockShared();

    if (Job != NULL) ObDereferenceObject(Job);

    if (NT_SUCCESS(Status) && (OutputLength > JobInformationLength))
    {
        /* Only the root directory path and the lent devices can outgrow the caller's buffer */
        Status = STATUS_BUFFER_TOO_SMALL;
    }

    _SEH2_TRY
    {
        if (NT_SUCCESS(Status))
        {
            RtlCopyMemory(JobInformation, Output, OutputLength);
            if (RootDirectory != NULL)
            {
                /* Point the returned string at the caller's copy of the path */
                ((PSILOOBJECT_ROOT_DIRECTORY)JobInformation)->Path.Buffer =
                    (PWCHAR)((PSILOOBJECT_ROOT_DIRECTORY)JobInformation + 1);
                ((PSILOOBJECT_ROOT_DIRECTORY)JobInformation)->Path.MaximumLength =
                    RootDirectory->Path.Length;
            }
            if (Devices != NULL)
            {
                /* The same for the lent devices' names */
                ((PSILO_DEVICE_CONFIGURATION)JobInformation)->Devices.Buffer =
                    (Devices->Devices.Length != 0) ?
                    (PWCHAR)((PSILO_DEVICE_CONFIGURATION)JobInformation + 1) : NULL;
                ((PSILO_DEVICE_CONFIGURATION)JobInformation)->Devices.MaximumLength =
                    Devices->Devices.Length;
            }
        }
        if ((ReturnLength != NULL) && (NT_SUCCESS(Status) || Status == STATUS_BUFFER_TOO_SMALL))
        {
            *ReturnLength = OutputLength;
        }
    }
    _SEH2_EXCEPT(ExSystemExceptionFilter())
    {
        Status = _SEH2_GetExceptionCode();
    }
    _SEH2_END;

    if (SharedData != NULL) ExFreePoolWithTag(SharedData, TAG_PS_SILO);
    if (RootDirectory != NULL) ExFreePoolWithTag(RootDirectory, TAG_PS_SILO);
    if (Devices != NULL) ExFreePoolWithTag(Devices, TAG_PS_SILO);
    return Status;
}

/* PUBLIC FUNCTIONS **********************************************************/

/*
 * @implemented
 */
PESILO
NTAPI
PsGetCurrentSilo(VOID)
{
    return PspGetThreadEffectiveSilo(PsGetCurrentThread());
}

/*
 * @implemented
 */
PESILO
NTAPI
PsGetEffectiveServerSilo(
    _In_opt_ PESILO Silo)
{
    /* Silos do not nest: a silo is its own server silo or under the host */
    return PspIsServerSilo(Silo) ? Silo : NULL;
}

/*
 * NtSetDefaultHardErrorPort inside a server silo: the silo's CSRSS takes
 * the hard errors of its silo, once, as the host's CSRSS takes the host's.
 */
NTSTATUS
NTAPI
PsSetServerSiloHardErrorPort(
    _In_ PESILO ServerSilo,
    _In_ PVOID Port)
{
    PESERVERSILO_GLOBALS Globals = ServerSilo->ServerSiloGlobals;
    PEPROCESS Process = PsGetCurrentProcess();
    NTSTATUS Status = STATUS_UNSUCCESSFUL;

    PAGED_CODE();

    PspAcquireSiloLockExclusive();
    if ((Globals->HardErrorPort == NULL) && (Globals->State < SERVERSILO_TERMINATING))
    {
        ObReferenceObject(Port);
        ObReferenceObject(Process);
        Globals->HardErrorPort = Port;
        Globals->HardErrorPortProcess = Process;
        Status = STATUS_SUCCESS;
    }
    PspReleaseSiloLockExclusive();
    return Status;
}

/* The silo's hard error port, referenced, and the process serving it; NULL if none */
PVOID
NTAPI
PsReferenceServerSiloHardErrorPort(
    _In_ PESILO ServerSilo,
    _Out_ PEPROCESS *PortProcess)
{
    PESERVERSILO_GLOBALS Globals = ServerSilo->ServerSiloGlobals;
    PVOID Port;

    PAGED_CODE();

    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&PspSiloLock);
    Port = Globals->HardErrorPort;
    *PortProcess = Globals->HardErrorPortProcess;
    if (Port != NULL) ObReferenceObject(Port);
    ExReleasePushLockShared(&PspSiloLock);
    KeLeaveCriticalRegion();
    return Port;
}

/*
 * @implemented
 */
PESILO
NTAPI
PsGetCurrentServerSilo(VOID)
{
    return PsGetEffectiveServerSilo(PsGetCurrentSilo());
}

/*
 * @implemented
 */
PESILO
NTAPI
PsGetHostSilo(VOID)
{
    return NULL;
}

/*
 * @implemented
 */
BOOLEAN
NTAPI
PsIsHostSilo(
    _In_opt_ PESILO Silo)
{
    return (Silo == NULL);
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsGetJobSilo(
    _In_ PEJOB Job,
    _Out_ PESILO *Silo)
{
    *Silo = NULL;
    if (Job == NULL) return STATUS_INVALID_PARAMETER;
    if (!PspIsSilo(Job)) return STATUS_JOB_NO_CONTAINER;

    *Silo = Job;
    return STATUS_SUCCESS;
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsGetJobServerSilo(
    _In_opt_ PEJOB Job,
    _Out_ PESILO *ServerSilo)
{
    *ServerSilo = NULL;
    if (Job == NULL) return STATUS_INVALID_PARAMETER;

    *ServerSilo = PsGetEffectiveServerSilo(Job);
    return STATUS_SUCCESS;
}

/*
 * @implemented
 */
PESILO
NTAPI
PsGetParentSilo(
    _In_opt_ PEJOB Job)
{
    UNREFERENCED_PARAMETER(Job);

    /* Jobs do not nest in ReactOS yet, so every silo's parent is the host */
    return NULL;
}

/*
 * @implemented
 */
PESILO
NTAPI
PsGetThreadServerSilo(
    _In_ PETHREAD Thread)
{
    return PsGetEffectiveServerSilo(PspGetThreadEffectiveSilo(Thread));
}

/*
 * @implemented
 */
BOOLEAN
NTAPI
PsIsCurrentThreadInServerSilo(VOID)
{
    /* A DPC borrows whatever thread it interrupted */
    if (KeIsExecutingDpc()) return FALSE;

    return (PsGetCurrentServerSilo() != NULL);
}

/*
 * @implemented
 */
PESILO
NTAPI
PsAttachSiloToCurrentThread(
    _In_opt_ PESILO Silo)
{
    PETHREAD Thread = PsGetCurrentThread();
    PESILO Previous = Thread->AttachedSilo;

    /* The caller keeps Silo referenced until it detaches */
    Thread->AttachedSilo = (Silo != NULL) ? Silo : PSP_ATTACHED_HOST_SILO;
    return Previous;
}

/*
 * @implemented
 */
VOID
NTAPI
PsDetachSiloFromCurrentThread(
    _In_opt_ PESILO PreviousSilo)
{
    PsGetCurrentThread()->AttachedSilo = PreviousSilo;
}

/*
 * @implemented
 */
GUID*
NTAPI
PsGetSiloContainerId(
    _In_opt_ PESILO Silo)
{
    return PspIsSilo(Silo) ? &Silo->ContainerId : NULL;
}

/*
 * @implemented
 */
ULONG
NTAPI
PsGetServerSiloActiveConsoleId(
    _In_opt_ PESILO Silo)
{
    if (PspIsServerSilo(Silo))
    {
        return Silo->ServerSiloGlobals->UserSharedData.ActiveConsoleId;
    }
    return SharedUserData->ActiveConsoleId;
}

/*
 * @implemented
 */
ULONG
NTAPI
PsGetServerSiloServiceSessionId(
    _In_opt_ PESILO Silo)
{
    if (PspIsServerSilo(Silo))
    {
        return Silo->ServerSiloGlobals->UserSharedData.ServiceSessionId;
    }
    return 0;
}

/*
 * @implemented
 *
 * Ends every process of a server silo with ExitStatus, which the silo keeps
 * as its own exit status. Unlike a bug check this returns (even to a
 * caller inside the silo); the host and the other silos go on.
 */
VOID
NTAPI
PsTerminateServerSilo(
    _In_opt_ PESILO ServerSilo,
    _In_ NTSTATUS ExitStatus)
{
    PESERVERSILO_GLOBALS Globals;
    BOOLEAN TeardownDue;

    PAGED_CODE();

    if (!PspIsServerSilo(ServerSilo)) return;
    Globals = ServerSilo->ServerSiloGlobals;

    PspAcquireSiloLockExclusive();
    if (Globals->ExitStatus == STATUS_PENDING) Globals->ExitStatus = ExitStatus;
    if (Globals->State < SERVERSILO_SHUTTING_DOWN) Globals->State = SERVERSILO_SHUTTING_DOWN;
    PspReleaseSiloLockExclusive();

    DPRINT1("Server silo %lu terminating with status 0x%lx\n", ServerSilo->JobId, ExitStatus);

    /*
     * The calling thread is not ended here: it may hold what ending it here
     * would leak. A caller of the silo's own ends when it returns to user
     * mode, or is on its way out already (a critical object's death).
     */
    PspTerminateJobObject(ServerSilo, KernelMode, ExitStatus, NULL);

    /* An empty silo ends now; otherwise its last process to go queues the teardown */
    PspLockJob(ServerSilo);
    Globals->TerminateRequested = TRUE;
    TeardownDue = PspIsServerSiloTeardownDue(ServerSilo);
    PspUnlockJob(ServerSilo);
    if (TeardownDue) PspQueueServerSiloTeardown(ServerSilo);
}

/*
 * A process of a server silo that was told to end (it asked for a shutdown
 * or raised a fatal hard error) ends too. Called at the end of such a system
 * service, when it holds nothing any more; returns only when there is
 * nothing to end.
 */
VOID
NTAPI
PspLeaveTerminatedSilo(VOID)
{
    PEPROCESS Process = PsGetCurrentProcess();
    PESILO Silo = PspGetProcessServerSilo(Process);

    PAGED_CODE();

    if (Silo == NULL) return;

    /* The caller asked for the silo's end itself, so it reads its own write here */
    if (Silo->ServerSiloGlobals->TerminateRequested)
    {
        PsTerminateProcess(Process, Silo->ServerSiloGlobals->ExitStatus);
    }
}

/* EOF */
