/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Kernel-mode checks of the silo DDIs, driven by silotest.exe
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#define SILODRV_THIS_SOURCE         SILODRV_SOURCE_MAIN
#include "silodrvp.h"

__CREATE_NTOS_DATA_IMPORT_ALIAS(PsJobType)
extern POBJECT_TYPE *PsJobType;

#define SILODRV_TAG                 'DliS'
#define SILODRV_CONTEXT_BYTES       32
#define SILODRV_FUZZ_SLOTS          4
#define SILODRV_FUZZ_MAX_CONTEXTS   64
#define SILODRV_BAD_SLOT            1000
#define SILODRV_REFUSAL             STATUS_UNSUCCESSFUL
#define NON_PAGED_POOL_NX           ((POOL_TYPE)512)

VOID
SiloDrvRecord(
    _In_ PSILODRV_RUN Run,
    _In_ ULONG Source,
    _In_ ULONG Line,
    _In_ BOOLEAN Passed,
    _In_z_ _Printf_format_string_ PCSTR Format,
    ...)
{
    PSILODRV_CHECK Check;
    va_list Arguments;

    if (Run->Results->Count >= SILODRV_MAX_CHECKS)
    {
        Run->Results->Dropped++;
        return;
    }
    Check = &Run->Results->Checks[Run->Results->Count++];
    Check->Source = Source;
    Check->Line = Line;
    Check->Passed = Passed;
    va_start(Arguments, Format);
    RtlStringCbVPrintfA(Check->Message, sizeof(Check->Message), Format, Arguments);
    va_end(Arguments);
}


/* STATE *********************************************************************/

/* Counting monitor and its per-silo contexts (the WinFsp pattern) */
static PSILO_MONITOR SiloDrvMonitor;
static PSILO_MONITOR SiloDrvRefusingMonitor;
static LONG SiloDrvCreates, SiloDrvTerminates, SiloDrvRefusals;
static LONG SiloDrvOrder, SiloDrvLastCreateOrder, SiloDrvLastRefusalOrder;

/* Contexts created by the checks, and how many were cleaned up */
static LONG SiloDrvContextsCreated, SiloDrvContextsCleaned;
static ULONG SiloDrvSlot = PS_INVALID_SILO_CONTEXT_SLOT;
static ULONG SiloDrvPermanentSlot = PS_INVALID_SILO_CONTEXT_SLOT;
static ULONG SiloDrvFuzzSlots[SILODRV_FUZZ_SLOTS];
static ULONG SiloDrvFuzzSlotCount;

static
VOID
NTAPI
SiloDrvContextCleanup(
    _In_ PVOID SiloContext)
{
    UNREFERENCED_PARAMETER(SiloContext);
    InterlockedIncrement(&SiloDrvContextsCleaned);
}

static
NTSTATUS
SiloDrvCreateContext(
    _In_opt_ PESILO Silo,
    _In_ POOL_TYPE PoolType,
    _Out_ PVOID *Context)
{
    NTSTATUS Status;

    Status = PsCreateSiloContext(Silo, SILODRV_CONTEXT_BYTES, PoolType, SiloDrvContextCleanup, Context);
    if (NT_SUCCESS(Status)) InterlockedIncrement(&SiloDrvContextsCreated);
    return Status;
}

static
NTSTATUS
NTAPI
SiloDrvMonitorCreate(
    _In_ PESILO Silo)
{
    PVOID Context;
    NTSTATUS Status;

    SiloDrvLastCreateOrder = InterlockedIncrement(&SiloDrvOrder);
    InterlockedIncrement(&SiloDrvCreates);

    Status = SiloDrvCreateContext(Silo, PagedPool, &Context);
    if (!NT_SUCCESS(Status)) return Status;
    Status = PsInsertSiloContext(Silo, PsGetSiloMonitorContextSlot(SiloDrvMonitor), Context);
    PsDereferenceSiloContext(Context);
    return Status;
}

static
VOID
NTAPI
SiloDrvMonitorTerminate(
    _In_ PESILO Silo)
{
    PVOID Context;

    InterlockedIncrement(&SiloDrvTerminates);
    if (NT_SUCCESS(PsRemoveSiloContext(Silo, PsGetSiloMonitorContextSlot(SiloDrvMonitor), &Context)))
    {
        PsDereferenceSiloContext(Context);
    }
}

static
NTSTATUS
NTAPI
SiloDrvRefusingCreate(
    _In_ PESILO Silo)
{
    UNREFERENCED_PARAMETER(Silo);
    SiloDrvLastRefusalOrder = InterlockedIncrement(&SiloDrvOrder);
    InterlockedIncrement(&SiloDrvRefusals);
    return SILODRV_REFUSAL;
}

static
VOID
NTAPI
SiloDrvRefusingTerminate(
    _In_ PESILO Silo)
{
    UNREFERENCED_PARAMETER(Silo);
}

/* HELPERS *******************************************************************/

typedef struct _SILODRV_REFERENCED_SILOS
{
    PESILO ServerSilo;
    PESILO ApplicationSilo;
    PEJOB PlainJob;
} SILODRV_REFERENCED_SILOS, *PSILODRV_REFERENCED_SILOS;

static
VOID
SiloDrvDereferenceSilos(
    _Inout_ PSILODRV_REFERENCED_SILOS Silos)
{
    if (Silos->ServerSilo) ObDereferenceObject(Silos->ServerSilo);
    if (Silos->ApplicationSilo) ObDereferenceObject(Silos->ApplicationSilo);
    if (Silos->PlainJob) ObDereferenceObject(Silos->PlainJob);
    RtlZeroMemory(Silos, sizeof(*Silos));
}

/* The caller's handles become referenced job pointers */
static
NTSTATUS
SiloDrvReferenceSilos(
    _In_ PSILODRV_SILOS Input,
    _Out_ PSILODRV_REFERENCED_SILOS Silos)
{
    NTSTATUS Status;

    RtlZeroMemory(Silos, sizeof(*Silos));
    Status = ObReferenceObjectByHandle(Input->ServerSilo, 0, *PsJobType, UserMode,
                                       (PVOID*)&Silos->ServerSilo, NULL);
    if (NT_SUCCESS(Status))
    {
        Status = ObReferenceObjectByHandle(Input->ApplicationSilo, 0, *PsJobType, UserMode,
                                           (PVOID*)&Silos->ApplicationSilo, NULL);
    }
    if (NT_SUCCESS(Status))
    {
        Status = ObReferenceObjectByHandle(Input->PlainJob, 0, *PsJobType, UserMode,
                                           (PVOID*)&Silos->PlainJob, NULL);
    }
    if (!NT_SUCCESS(Status)) SiloDrvDereferenceSilos(Silos);
    return Status;
}

/* CHECKS ********************************************************************/

static
VOID
SiloDrvCheckHost(
    _In_ PSILODRV_RUN Run)
{
    PESILO Silo = (PESILO)(ULONG_PTR)1, Previous;
    NTSTATUS Status;

    CHECK(Run, PsGetCurrentSilo() == NULL, "PsGetCurrentSilo %p on the host", PsGetCurrentSilo());
    CHECK(Run, PsGetCurrentServerSilo() == NULL, "PsGetCurrentServerSilo %p", PsGetCurrentServerSilo());
    CHECK(Run, PsGetHostSilo() == NULL, "PsGetHostSilo %p", PsGetHostSilo());
    CHECK(Run, PsIsHostSilo(NULL), "PsIsHostSilo(NULL) is FALSE");
    CHECK(Run, !PsIsCurrentThreadInServerSilo(), "PsIsCurrentThreadInServerSilo on the host");
    CHECK(Run, PsGetEffectiveServerSilo(NULL) == NULL, "PsGetEffectiveServerSilo(NULL)");
    CHECK(Run, PsGetThreadServerSilo(PsGetCurrentThread()) == NULL, "PsGetThreadServerSilo on the host");
    CHECK(Run, PsGetParentSilo(NULL) == NULL, "PsGetParentSilo(NULL)");
    CHECK(Run, PsGetSiloContainerId(NULL) == NULL, "PsGetSiloContainerId(NULL)");
    CHECK(Run, PsGetServerSiloServiceSessionId(NULL) == 0, "host service session %lu",
          PsGetServerSiloServiceSessionId(NULL));
    CHECK(Run, PsGetServerSiloActiveConsoleId(NULL) == SharedUserData->ActiveConsoleId,
          "host console %lu", PsGetServerSiloActiveConsoleId(NULL));

    Status = PsGetJobSilo(NULL, &Silo);
    CHECK(Run, Status == STATUS_INVALID_PARAMETER && Silo == NULL, "PsGetJobSilo(NULL): 0x%08lx %p", Status, Silo);
    Silo = (PESILO)(ULONG_PTR)1;
    Status = PsGetJobServerSilo(NULL, &Silo);
    CHECK(Run, Status == STATUS_INVALID_PARAMETER && Silo == NULL, "PsGetJobServerSilo(NULL): 0x%08lx %p", Status, Silo);

    /* Attaching the host explicitly is not the same as not being attached, but looks the same */
    Previous = PsAttachSiloToCurrentThread(NULL);
    CHECK(Run, PsGetCurrentSilo() == NULL, "attached to the host, current silo %p", PsGetCurrentSilo());
    PsDetachSiloFromCurrentThread(Previous);
    CHECK(Run, PsGetCurrentSilo() == NULL, "detached, current silo %p", PsGetCurrentSilo());

    /* A no-op by contract: the host stays the host */
    PsTerminateServerSilo(NULL, STATUS_UNSUCCESSFUL);
    CHECK(Run, PsGetCurrentSilo() == NULL && PsGetServerSiloServiceSessionId(NULL) == 0,
          "PsTerminateServerSilo(NULL) changed the host's view");
}

static
VOID
SiloDrvCheckSilos(
    _In_ PSILODRV_RUN Run,
    _In_ PSILODRV_SILOS Input)
{
    SILODRV_REFERENCED_SILOS Silos;
    SILO_MONITOR_REGISTRATION Registration;
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"silodrv-inside");
    PSILO_MONITOR Monitor = NULL;
    PESILO Silo, Previous, Inner;
    GUID *ContainerId;
    NTSTATUS Status;

    Status = SiloDrvReferenceSilos(Input, &Silos);
    CHECK(Run, NT_SUCCESS(Status), "referencing the silos: 0x%08lx", Status);
    if (!NT_SUCCESS(Status)) return;

    Status = PsGetJobSilo(Silos.ServerSilo, &Silo);
    CHECK(Run, Status == STATUS_SUCCESS && Silo == Silos.ServerSilo, "PsGetJobSilo(server): 0x%08lx", Status);
    Status = PsGetJobSilo(Silos.ApplicationSilo, &Silo);
    CHECK(Run, Status == STATUS_SUCCESS && Silo == Silos.ApplicationSilo, "PsGetJobSilo(app): 0x%08lx", Status);
    Status = PsGetJobSilo(Silos.PlainJob, &Silo);
    CHECK(Run, Status == STATUS_JOB_NO_CONTAINER && Silo == NULL, "PsGetJobSilo(plain): 0x%08lx", Status);

    Status = PsGetJobServerSilo(Silos.ServerSilo, &Silo);
    CHECK(Run, Status == STATUS_SUCCESS && Silo == Silos.ServerSilo, "PsGetJobServerSilo(server): 0x%08lx", Status);
    Status = PsGetJobServerSilo(Silos.ApplicationSilo, &Silo);
    CHECK(Run, Status == STATUS_SUCCESS && Silo == NULL, "PsGetJobServerSilo(app) %p: 0x%08lx", Silo, Status);
    Status = PsGetJobServerSilo(Silos.PlainJob, &Silo);
    CHECK(Run, Status == STATUS_SUCCESS && Silo == NULL, "PsGetJobServerSilo(plain) %p: 0x%08lx", Silo, Status);

    CHECK(Run, PsGetEffectiveServerSilo(Silos.ServerSilo) == Silos.ServerSilo, "effective server silo of a server silo");
    CHECK(Run, PsGetEffectiveServerSilo(Silos.ApplicationSilo) == NULL, "effective server silo of an app silo");
    CHECK(Run, !PsIsHostSilo(Silos.ServerSilo), "PsIsHostSilo(server)");
    CHECK(Run, PsGetParentSilo(Silos.ServerSilo) == NULL, "parent of a top-level silo is the host");
    CHECK(Run, PsGetServerSiloServiceSessionId(Silos.ServerSilo) == Input->ServiceSessionId,
          "service session %lu, expected %lu", PsGetServerSiloServiceSessionId(Silos.ServerSilo), Input->ServiceSessionId);
    CHECK(Run, PsGetServerSiloActiveConsoleId(Silos.ServerSilo) == Input->ServiceSessionId,
          "console %lu, expected the silo's own session %lu",
          PsGetServerSiloActiveConsoleId(Silos.ServerSilo), Input->ServiceSessionId);

    ContainerId = PsGetSiloContainerId(Silos.ServerSilo);
    CHECK(Run, ContainerId != NULL && RtlCompareMemory(ContainerId, &Input->ContainerId, sizeof(GUID)) == sizeof(GUID),
          "container id differs from JobObjectContainerId");
    CHECK(Run, PsGetSiloContainerId(Silos.PlainJob) == NULL, "container id of a plain job");

    /* Attach, nest, detach */
    Previous = PsAttachSiloToCurrentThread(Silos.ServerSilo);
    CHECK(Run, PsGetCurrentSilo() == Silos.ServerSilo, "attached: current silo %p", PsGetCurrentSilo());
    CHECK(Run, PsGetCurrentServerSilo() == Silos.ServerSilo, "attached: current server silo");
    CHECK(Run, PsIsCurrentThreadInServerSilo(), "attached: not in a server silo");
    CHECK(Run, PsGetThreadServerSilo(PsGetCurrentThread()) == Silos.ServerSilo, "attached: thread server silo");

    /* From inside a server silo no monitor may be registered */
    RtlZeroMemory(&Registration, sizeof(Registration));
    Registration.Version = SILO_MONITOR_REGISTRATION_VERSION;
    Registration.ComponentName = &Name;
    Registration.TerminateCallback = SiloDrvRefusingTerminate;
    Status = PsRegisterSiloMonitor(&Registration, &Monitor);
    CHECK(Run, Status == STATUS_PRIVILEGE_NOT_HELD && Monitor == NULL, "monitor from inside a silo: 0x%08lx", Status);
    if (NT_SUCCESS(Status)) PsUnregisterSiloMonitor(Monitor);

    Inner = PsAttachSiloToCurrentThread(NULL);
    CHECK(Run, PsGetCurrentSilo() == NULL && !PsIsCurrentThreadInServerSilo(), "nested host attach");
    PsDetachSiloFromCurrentThread(Inner);
    CHECK(Run, PsGetCurrentSilo() == Silos.ServerSilo, "back in the server silo");

    Inner = PsAttachSiloToCurrentThread(Silos.ApplicationSilo);
    CHECK(Run, PsGetCurrentSilo() == Silos.ApplicationSilo && PsGetCurrentServerSilo() == NULL,
          "app silo attached: server silo %p", PsGetCurrentServerSilo());
    PsDetachSiloFromCurrentThread(Inner);

    PsDetachSiloFromCurrentThread(Previous);
    CHECK(Run, PsGetCurrentSilo() == NULL && !PsIsCurrentThreadInServerSilo(), "detached");

    /* Not a server silo: nothing happens */
    PsTerminateServerSilo(Silos.ApplicationSilo, STATUS_UNSUCCESSFUL);
    Status = PsGetJobSilo(Silos.ApplicationSilo, &Silo);
    CHECK(Run, Status == STATUS_SUCCESS, "app silo after PsTerminateServerSilo: 0x%08lx", Status);

    SiloDrvDereferenceSilos(&Silos);
}

static
VOID
SiloDrvCheckContexts(
    _In_ PSILODRV_RUN Run,
    _In_ PSILODRV_SILOS Input)
{
    SILODRV_REFERENCED_SILOS Silos;
    PVOID First = NULL, Second = NULL, Host = NULL, Got, Old;
    ULONG Slot, Unused;
    LONG CleanedBefore;
    NTSTATUS Status;

    Status = SiloDrvReferenceSilos(Input, &Silos);
    CHECK(Run, NT_SUCCESS(Status), "referencing the silos: 0x%08lx", Status);
    if (!NT_SUCCESS(Status)) return;

    Status = PsAllocSiloContextSlot(1, &Unused);
    CHECK(Run, Status == STATUS_INVALID_PARAMETER && Unused == PS_INVALID_SILO_CONTEXT_SLOT,
          "slot with Reserved != 0: 0x%08lx", Status);
    Status = PsAllocSiloContextSlot(0, &SiloDrvSlot);
    CHECK(Run, Status == STATUS_SUCCESS, "PsAllocSiloContextSlot: 0x%08lx", Status);
    Status = PsAllocSiloContextSlot(0, &SiloDrvPermanentSlot);
    CHECK(Run, Status == STATUS_SUCCESS && SiloDrvPermanentSlot != SiloDrvSlot, "second slot: 0x%08lx", Status);
    Slot = SiloDrvSlot;

    Status = PsCreateSiloContext(Silos.ServerSilo, SILODRV_CONTEXT_BYTES, NonPagedPool, NULL, &Got);
    CHECK(Run, Status == STATUS_INVALID_PARAMETER && Got == NULL, "NonPagedPool context: 0x%08lx", Status);
    Status = PsCreateSiloContext(Silos.ServerSilo, 0, PagedPool, NULL, &Got);
    CHECK(Run, Status == STATUS_INVALID_PARAMETER, "empty context: 0x%08lx", Status);
    Status = SiloDrvCreateContext(Silos.ServerSilo, PagedPool, &First);
    CHECK(Run, Status == STATUS_SUCCESS, "create context: 0x%08lx", Status);
    Status = SiloDrvCreateContext(Silos.ServerSilo, NON_PAGED_POOL_NX, &Second);
    CHECK(Run, Status == STATUS_SUCCESS, "create NonPagedPoolNx context: 0x%08lx", Status);
    Status = SiloDrvCreateContext(NULL, PagedPool, &Host);
    CHECK(Run, Status == STATUS_SUCCESS, "create host context: 0x%08lx", Status);
    if (!First || !Second || !Host) goto Cleanup;

    Status = PsGetSiloContext(Silos.ServerSilo, Slot, &Got);
    CHECK(Run, Status == STATUS_NOT_FOUND && Got == NULL, "get from an empty slot: 0x%08lx", Status);
    Status = PsInsertSiloContext(Silos.ServerSilo, SILODRV_BAD_SLOT, First);
    CHECK(Run, Status == STATUS_INVALID_PARAMETER, "insert into a bad slot: 0x%08lx", Status);
    Status = PsInsertSiloContext(Silos.ServerSilo, Slot, Host);
    CHECK(Run, Status == STATUS_INVALID_PARAMETER, "insert another silo's context: 0x%08lx", Status);
    Status = PsInsertSiloContext(Silos.PlainJob, Slot, First);
    CHECK(Run, !NT_SUCCESS(Status), "insert into a plain job: 0x%08lx", Status);

    Status = PsInsertSiloContext(Silos.ServerSilo, Slot, First);
    CHECK(Run, Status == STATUS_SUCCESS, "insert: 0x%08lx", Status);
    Status = PsInsertSiloContext(Silos.ServerSilo, Slot, Second);
    CHECK(Run, Status == STATUS_NOT_SUPPORTED, "insert into a full slot: 0x%08lx", Status);

    Status = PsGetSiloContext(Silos.ServerSilo, Slot, &Got);
    CHECK(Run, Status == STATUS_SUCCESS && Got == First, "get: 0x%08lx %p", Status, Got);
    if (NT_SUCCESS(Status)) PsDereferenceSiloContext(Got);

    Status = PsGetPermanentSiloContext(Silos.ServerSilo, Slot, &Got);
    CHECK(Run, Status == STATUS_NOT_SUPPORTED && Got == NULL, "permanent get of a normal slot: 0x%08lx", Status);

    Status = PsReplaceSiloContext(Silos.ServerSilo, Slot, Second, &Old);
    CHECK(Run, Status == STATUS_SUCCESS && Old == First, "replace: 0x%08lx %p", Status, Old);
    if (NT_SUCCESS(Status) && Old) PsDereferenceSiloContext(Old);

    Status = PsRemoveSiloContext(Silos.ServerSilo, Slot, &Old);
    CHECK(Run, Status == STATUS_SUCCESS && Old == Second, "remove: 0x%08lx %p", Status, Old);
    if (NT_SUCCESS(Status) && Old) PsDereferenceSiloContext(Old);
    Status = PsRemoveSiloContext(Silos.ServerSilo, Slot, &Old);
    CHECK(Run, Status == STATUS_NOT_FOUND && Old == NULL, "remove twice: 0x%08lx", Status);

    /* The host silo has slots too */
    Status = PsInsertSiloContext(NULL, Slot, Host);
    CHECK(Run, Status == STATUS_SUCCESS, "insert into the host: 0x%08lx", Status);
    Status = PsRemoveSiloContext(NULL, Slot, NULL);
    CHECK(Run, Status == STATUS_SUCCESS, "remove from the host: 0x%08lx", Status);

    /* Permanent: read-only afterwards, no reference from the permanent get */
    Status = PsMakeSiloContextPermanent(Silos.ServerSilo, SILODRV_BAD_SLOT);
    CHECK(Run, Status == STATUS_NOT_FOUND, "make a bad slot permanent: 0x%08lx", Status);
    Status = PsMakeSiloContextPermanent(Silos.ServerSilo, SiloDrvPermanentSlot);
    CHECK(Run, Status == STATUS_INVALID_PARAMETER, "make an empty slot permanent: 0x%08lx", Status);
    Status = PsInsertSiloContext(Silos.ServerSilo, SiloDrvPermanentSlot, First);
    CHECK(Run, Status == STATUS_SUCCESS, "insert for permanence: 0x%08lx", Status);
    Status = PsMakeSiloContextPermanent(Silos.ServerSilo, SiloDrvPermanentSlot);
    CHECK(Run, Status == STATUS_SUCCESS, "make permanent: 0x%08lx", Status);
    Status = PsRemoveSiloContext(Silos.ServerSilo, SiloDrvPermanentSlot, NULL);
    CHECK(Run, Status == STATUS_NOT_SUPPORTED, "remove a permanent context: 0x%08lx", Status);
    Status = PsReplaceSiloContext(Silos.ServerSilo, SiloDrvPermanentSlot, Second, NULL);
    CHECK(Run, Status == STATUS_NOT_SUPPORTED, "replace a permanent context: 0x%08lx", Status);
    Status = PsGetPermanentSiloContext(Silos.ServerSilo, SiloDrvPermanentSlot, &Got);
    CHECK(Run, Status == STATUS_SUCCESS && Got == First, "permanent get: 0x%08lx", Status);
    Status = PsInsertPermanentSiloContext(Silos.ServerSilo, Slot, Second);
    CHECK(Run, Status == STATUS_SUCCESS, "insert permanent: 0x%08lx", Status);
    Status = PsGetPermanentSiloContext(Silos.ServerSilo, Slot, &Got);
    CHECK(Run, Status == STATUS_SUCCESS && Got == Second, "permanent get of an inserted-permanent: 0x%08lx", Status);

    /* The creation references go; the slots keep First and Second alive until the silo dies */
    CleanedBefore = SiloDrvContextsCleaned;
    PsDereferenceSiloContext(First);
    PsDereferenceSiloContext(Second);
    First = Second = NULL;
    CHECK(Run, SiloDrvContextsCleaned == CleanedBefore, "a context still in a slot was cleaned up");

    /* The host context's last reference runs its cleanup once */
    PsDereferenceSiloContext(Host);
    Host = NULL;
    CHECK(Run, SiloDrvContextsCleaned == CleanedBefore + 1, "host context cleanup ran %ld times",
          SiloDrvContextsCleaned - CleanedBefore);

    Status = PsFreeSiloContextSlot(SILODRV_BAD_SLOT);
    CHECK(Run, Status == STATUS_INVALID_PARAMETER, "free a bad slot: 0x%08lx", Status);

Cleanup:
    if (First) PsDereferenceSiloContext(First);
    if (Second) PsDereferenceSiloContext(Second);
    if (Host) PsDereferenceSiloContext(Host);
    SiloDrvDereferenceSilos(&Silos);
}

static
VOID
SiloDrvCheckMonitor(
    _In_ PSILODRV_RUN Run,
    _In_ PSILODRV_MONITOR_REQUEST Request)
{
    static UNICODE_STRING Name = RTL_CONSTANT_STRING(L"silodrv");
    static UNICODE_STRING RefusingName = RTL_CONSTANT_STRING(L"silodrv-refusing");
    SILO_MONITOR_REGISTRATION Registration;
    PSILO_MONITOR Monitor;
    PVOID Context;
    NTSTATUS Status;

    RtlZeroMemory(&Registration, sizeof(Registration));
    Registration.Version = SILO_MONITOR_REGISTRATION_VERSION;
    Registration.ComponentName = &Name;
    Registration.CreateCallback = SiloDrvMonitorCreate;
    Registration.TerminateCallback = SiloDrvMonitorTerminate;

    switch (Request->Action)
    {
        case SiloDrvMonitorNegative:
            Registration.Version = SILO_MONITOR_REGISTRATION_VERSION + 1;
            Status = PsRegisterSiloMonitor(&Registration, &Monitor);
            CHECK(Run, Status == STATUS_INVALID_PARAMETER && Monitor == NULL, "bad version: 0x%08lx", Status);
            Registration.Version = SILO_MONITOR_REGISTRATION_VERSION;
            Registration.ComponentName = NULL;
            Status = PsRegisterSiloMonitor(&Registration, &Monitor);
            CHECK(Run, Status == STATUS_INVALID_PARAMETER, "no name: 0x%08lx", Status);
            Registration.ComponentName = &Name;
            Registration.TerminateCallback = NULL;
            Status = PsRegisterSiloMonitor(&Registration, &Monitor);
            CHECK(Run, Status == STATUS_INVALID_PARAMETER, "no terminate callback: 0x%08lx", Status);

            /* A monitor that does not accept existing silos cannot start beside one */
            Registration.TerminateCallback = SiloDrvRefusingTerminate;
            Registration.MonitorExistingSilos = FALSE;
            Status = PsRegisterSiloMonitor(&Registration, &Monitor);
            CHECK(Run, Status == STATUS_SUCCESS, "register: 0x%08lx", Status);
            if (!NT_SUCCESS(Status)) break;
            CHECK(Run, PsGetSiloMonitorContextSlot(Monitor) != PS_INVALID_SILO_CONTEXT_SLOT, "monitor without a slot");
            Status = PsStartSiloMonitor(Monitor);
            CHECK(Run, Request->ExistingServerSilos == 0 ? Status == STATUS_SUCCESS : Status == STATUS_NOT_SUPPORTED,
                  "start beside %lu silos: 0x%08lx", Request->ExistingServerSilos, Status);
            PsUnregisterSiloMonitor(Monitor);
            break;

        case SiloDrvMonitorStart:
            SiloDrvCreates = SiloDrvTerminates = 0;
            Registration.MonitorHost = TRUE;
            Registration.MonitorExistingSilos = TRUE;
            Status = PsRegisterSiloMonitor(&Registration, &SiloDrvMonitor);
            CHECK(Run, Status == STATUS_SUCCESS, "register: 0x%08lx", Status);
            if (!NT_SUCCESS(Status)) break;
            Status = PsStartSiloMonitor(SiloDrvMonitor);
            CHECK(Run, Status == STATUS_SUCCESS, "start: 0x%08lx", Status);
            /* The host and every running server silo were reported */
            CHECK(Run, SiloDrvCreates == (LONG)Request->ExistingServerSilos + 1, "creates %ld, expected %lu",
                  SiloDrvCreates, Request->ExistingServerSilos + 1);
            Status = PsGetSiloContext(NULL, PsGetSiloMonitorContextSlot(SiloDrvMonitor), &Context);
            CHECK(Run, Status == STATUS_SUCCESS, "host context of the monitor: 0x%08lx", Status);
            if (NT_SUCCESS(Status)) PsDereferenceSiloContext(Context);
            break;

        case SiloDrvMonitorRefuseOn:
            SiloDrvRefusals = 0;
            Registration.ComponentName = &RefusingName;
            Registration.CreateCallback = SiloDrvRefusingCreate;
            Registration.TerminateCallback = SiloDrvRefusingTerminate;
            Registration.MonitorExistingSilos = TRUE;
            Status = PsRegisterSiloMonitor(&Registration, &SiloDrvRefusingMonitor);
            CHECK(Run, Status == STATUS_SUCCESS, "register refusing monitor: 0x%08lx", Status);
            if (NT_SUCCESS(Status))
            {
                /* It refuses the silos that already run too */
                Status = PsStartSiloMonitor(SiloDrvRefusingMonitor);
                CHECK(Run, Request->ExistingServerSilos == 0 ? Status == STATUS_SUCCESS : Status == STATUS_REQUEST_ABORTED,
                      "start refusing monitor beside %lu silos: 0x%08lx", Request->ExistingServerSilos, Status);
            }
            break;

        case SiloDrvMonitorRefuseOff:
            CHECK(Run, SiloDrvRefusals == 1, "refusing create callback ran %ld times", SiloDrvRefusals);
            /* Every monitor saw the silo, in registration order, despite the refusal */
            CHECK(Run, SiloDrvLastCreateOrder < SiloDrvLastRefusalOrder, "monitors called out of registration order");
            if (SiloDrvRefusingMonitor) PsUnregisterSiloMonitor(SiloDrvRefusingMonitor);
            SiloDrvRefusingMonitor = NULL;
            break;

        case SiloDrvMonitorCheck:
            CHECK(Run, SiloDrvCreates == (LONG)Request->ExpectedCreates, "creates %ld, expected %lu",
                  SiloDrvCreates, Request->ExpectedCreates);
            CHECK(Run, SiloDrvTerminates == (LONG)Request->ExpectedTerminates, "terminates %ld, expected %lu",
                  SiloDrvTerminates, Request->ExpectedTerminates);
            break;

        case SiloDrvMonitorStop:
            if (!SiloDrvMonitor) break;
            /* The host never terminates: take its context back, or unregistering would wait forever */
            Status = PsRemoveSiloContext(NULL, PsGetSiloMonitorContextSlot(SiloDrvMonitor), &Context);
            CHECK(Run, Status == STATUS_SUCCESS, "remove the host context: 0x%08lx", Status);
            if (NT_SUCCESS(Status)) PsDereferenceSiloContext(Context);
            PsUnregisterSiloMonitor(SiloDrvMonitor);
            SiloDrvMonitor = NULL;
            break;

        default:
            CHECK(Run, FALSE, "unknown monitor action %d", Request->Action);
            break;
    }
}

/* After the silos are gone every context was cleaned up exactly once */
static
VOID
SiloDrvCheckFinish(
    _In_ PSILODRV_RUN Run)
{
    ULONG i;
    NTSTATUS Status;

    CHECK(Run, SiloDrvContextsCleaned == SiloDrvContextsCreated, "contexts created %ld, cleaned up %ld",
          SiloDrvContextsCreated, SiloDrvContextsCleaned);

    if (SiloDrvSlot != PS_INVALID_SILO_CONTEXT_SLOT)
    {
        Status = PsFreeSiloContextSlot(SiloDrvSlot);
        CHECK(Run, Status == STATUS_SUCCESS, "free slot: 0x%08lx", Status);
        Status = PsFreeSiloContextSlot(SiloDrvSlot);
        CHECK(Run, Status == STATUS_INVALID_PARAMETER, "free slot twice: 0x%08lx", Status);
        SiloDrvSlot = PS_INVALID_SILO_CONTEXT_SLOT;
    }
    if (SiloDrvPermanentSlot != PS_INVALID_SILO_CONTEXT_SLOT)
    {
        Status = PsFreeSiloContextSlot(SiloDrvPermanentSlot);
        CHECK(Run, Status == STATUS_SUCCESS, "free permanent slot: 0x%08lx", Status);
        SiloDrvPermanentSlot = PS_INVALID_SILO_CONTEXT_SLOT;
    }
    for (i = 0; i < SiloDrvFuzzSlotCount; i++)
    {
        Status = PsFreeSiloContextSlot(SiloDrvFuzzSlots[i]);
        CHECK(Run, Status == STATUS_SUCCESS, "free fuzz slot %lu: 0x%08lx", SiloDrvFuzzSlots[i], Status);
    }
    SiloDrvFuzzSlotCount = 0;
}

/* FUZZ **********************************************************************/

static ULONG SiloDrvFuzzState;

static
ULONG
SiloDrvFuzzNext(VOID)
{
    SiloDrvFuzzState = SiloDrvFuzzState * 1664525UL + 1013904223UL;
    return SiloDrvFuzzState >> 8;
}

/*
 * Random calls of the context DDIs with random slots (valid, freed, out of
 * range), silos (host, server, application, plain job), pool types and
 * sizes. Whatever the calls return, no reference may leak: the contexts
 * this loop owns are dropped at its end, and those left in slots die with
 * their silo (checked by FINISH).
 */
static
VOID
SiloDrvFuzz(
    _In_ PSILODRV_RUN Run,
    _In_ PSILODRV_FUZZ_REQUEST Request)
{
    static const POOL_TYPE PoolTypes[] = { PagedPool, NON_PAGED_POOL_NX, NonPagedPool, (POOL_TYPE)33, (POOL_TYPE)-1 };
    static const ULONG Sizes[] = { 0, 1, 8, SILODRV_CONTEXT_BYTES, 4096, MAXULONG, MAXULONG - 8 };
    SILODRV_REFERENCED_SILOS Silos;
    PVOID Owned[SILODRV_FUZZ_MAX_CONTEXTS];
    ULONG OwnedCount = 0, Call, Successes = 0, i;
    PESILO Candidates[4];
    NTSTATUS Status;

    Status = SiloDrvReferenceSilos(&Request->Silos, &Silos);
    CHECK(Run, NT_SUCCESS(Status), "referencing the silos: 0x%08lx", Status);
    if (!NT_SUCCESS(Status)) return;

    Candidates[0] = NULL;
    Candidates[1] = Silos.ServerSilo;
    Candidates[2] = Silos.ApplicationSilo;
    Candidates[3] = Silos.PlainJob;
    SiloDrvFuzzState = Request->Seed;

    while (SiloDrvFuzzSlotCount < SILODRV_FUZZ_SLOTS &&
           NT_SUCCESS(PsAllocSiloContextSlot(0, &SiloDrvFuzzSlots[SiloDrvFuzzSlotCount])))
    {
        SiloDrvFuzzSlotCount++;
    }

    for (Call = 0; Call < Request->Calls; Call++)
    {
        ULONG Pick = SiloDrvFuzzNext();
        PESILO Silo = Candidates[Pick % ARRAYSIZE(Candidates)];
        ULONG Slot = (Pick & 0x100) ? SILODRV_BAD_SLOT + (Pick & 0xFF) :
                     SiloDrvFuzzSlots[(Pick >> 4) % SiloDrvFuzzSlotCount];
        PVOID Context = OwnedCount ? Owned[(Pick >> 12) % OwnedCount] : NULL;
        PVOID Out = NULL;

        switch ((Pick >> 20) % 8)
        {
            case 0:
                if (OwnedCount >= SILODRV_FUZZ_MAX_CONTEXTS) break;
                Status = PsCreateSiloContext(Silo, Sizes[(Pick >> 9) % ARRAYSIZE(Sizes)],
                                             PoolTypes[(Pick >> 5) % ARRAYSIZE(PoolTypes)],
                                             SiloDrvContextCleanup, &Out);
                if (NT_SUCCESS(Status))
                {
                    InterlockedIncrement(&SiloDrvContextsCreated);
                    Owned[OwnedCount++] = Out;
                }
                break;
            case 1:
                if (!Context) continue;
                Status = PsInsertSiloContext(Silo, Slot, Context);
                break;
            case 2:
                if (!Context) continue;
                Status = PsReplaceSiloContext(Silo, Slot, Context, &Out);
                if (NT_SUCCESS(Status) && Out) PsDereferenceSiloContext(Out);
                break;
            case 3:
                Status = PsRemoveSiloContext(Silo, Slot, &Out);
                if (NT_SUCCESS(Status) && Out) PsDereferenceSiloContext(Out);
                break;
            case 4:
                Status = PsGetSiloContext(Silo, Slot, &Out);
                if (NT_SUCCESS(Status)) PsDereferenceSiloContext(Out);
                break;
            case 5:
                /* The host never dies, so nothing permanent goes there */
                if (Silo == NULL) continue;
                Status = PsMakeSiloContextPermanent(Silo, Slot);
                break;
            case 6:
                Status = PsGetPermanentSiloContext(Silo, Slot, &Out);
                break;
            default:
                if (!Context || Silo == NULL) continue;
                Status = PsInsertPermanentSiloContext(Silo, Slot, Context);
                break;
        }
        if (NT_SUCCESS(Status)) Successes++;
    }

    /* Empty the host's slots: it never terminates */
    for (i = 0; i < SiloDrvFuzzSlotCount; i++)
    {
        PVOID Out;

        if (NT_SUCCESS(PsRemoveSiloContext(NULL, SiloDrvFuzzSlots[i], &Out))) PsDereferenceSiloContext(Out);
    }
    for (i = 0; i < OwnedCount; i++) PsDereferenceSiloContext(Owned[i]);

    CHECK(Run, Successes > 0 && Successes < Request->Calls, "seed 0x%08lx: %lu of %lu calls succeeded",
          Request->Seed, Successes, Request->Calls);
    Run->Results->Figures[SiloDrvFigureSucceeded] = Successes;
    SiloDrvDereferenceSilos(&Silos);
}

/* DRIVER ********************************************************************/

static
NTSTATUS
NTAPI
SiloDrvCreateClose(
    _In_ PDEVICE_OBJECT DeviceObject,
    _Inout_ PIRP Irp)
{
    UNREFERENCED_PARAMETER(DeviceObject);
    Irp->IoStatus.Status = STATUS_SUCCESS;
    Irp->IoStatus.Information = 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

static
NTSTATUS
NTAPI
SiloDrvDeviceControl(
    _In_ PDEVICE_OBJECT DeviceObject,
    _Inout_ PIRP Irp)
{
    PIO_STACK_LOCATION Stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG Code = Stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG InputLength = Stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG OutputLength = Stack->Parameters.DeviceIoControl.OutputBufferLength;
    PVOID Buffer = Irp->AssociatedIrp.SystemBuffer;
    PSILODRV_RESULTS Results;
    SILODRV_RUN Run;
    union
    {
        SILODRV_SILOS Silos;
        SILODRV_MONITOR_REQUEST Monitor;
        SILODRV_FUZZ_REQUEST Fuzz;
        SILODRV_RACE_REQUEST Race;
    } Input;
    NTSTATUS Status = STATUS_SUCCESS;

    UNREFERENCED_PARAMETER(DeviceObject);

    if (OutputLength < sizeof(SILODRV_RESULTS) || InputLength > sizeof(Input))
    {
        Status = STATUS_INFO_LENGTH_MISMATCH;
        goto Complete;
    }

    /* The input shares the system buffer with the results: take it first */
    RtlZeroMemory(&Input, sizeof(Input));
    if (InputLength) RtlCopyMemory(&Input, Buffer, InputLength);

    Results = ExAllocatePoolWithTag(NonPagedPool, sizeof(*Results), SILODRV_TAG);
    if (!Results)
    {
        Status = STATUS_INSUFFICIENT_RESOURCES;
        goto Complete;
    }
    RtlZeroMemory(Results, sizeof(*Results));
    Run.Results = Results;

    switch (Code)
    {
        case IOCTL_SILODRV_HOST:
            SiloDrvCheckHost(&Run);
            break;
        case IOCTL_SILODRV_SILO:
            SiloDrvCheckSilos(&Run, &Input.Silos);
            break;
        case IOCTL_SILODRV_CONTEXTS:
            SiloDrvCheckContexts(&Run, &Input.Silos);
            break;
        case IOCTL_SILODRV_MONITOR:
            SiloDrvCheckMonitor(&Run, &Input.Monitor);
            break;
        case IOCTL_SILODRV_FINISH:
            SiloDrvCheckFinish(&Run);
            break;
        case IOCTL_SILODRV_FUZZ:
            SiloDrvFuzz(&Run, &Input.Fuzz);
            break;
        case IOCTL_SILODRV_RACE:
            SiloDrvRace(DeviceObject, &Run, &Input.Race);
            break;
        default:
            Status = STATUS_INVALID_DEVICE_REQUEST;
            break;
    }

    Results->Figures[SiloDrvFigureContextsCreated] = (ULONG)SiloDrvContextsCreated;
    Results->Figures[SiloDrvFigureContextsCleaned] = (ULONG)SiloDrvContextsCleaned;
    if (NT_SUCCESS(Status)) RtlCopyMemory(Buffer, Results, sizeof(*Results));
    ExFreePoolWithTag(Results, SILODRV_TAG);

Complete:
    Irp->IoStatus.Status = Status;
    Irp->IoStatus.Information = NT_SUCCESS(Status) ? sizeof(SILODRV_RESULTS) : 0;
    IoCompleteRequest(Irp, IO_NO_INCREMENT);
    return Status;
}

static
VOID
NTAPI
SiloDrvUnload(
    _In_ PDRIVER_OBJECT DriverObject)
{
    UNICODE_STRING DosName = RTL_CONSTANT_STRING(SILODRV_DOS_DEVICE_NAME);
    PVOID Context;

    /* Never leave a monitor pointing into an unloaded image */
    SiloDrvRaceUnload(DriverObject->DeviceObject);
    if (SiloDrvRefusingMonitor) PsUnregisterSiloMonitor(SiloDrvRefusingMonitor);
    if (SiloDrvMonitor)
    {
        if (NT_SUCCESS(PsRemoveSiloContext(NULL, PsGetSiloMonitorContextSlot(SiloDrvMonitor), &Context)))
            PsDereferenceSiloContext(Context);
        PsUnregisterSiloMonitor(SiloDrvMonitor);
    }
    IoDeleteSymbolicLink(&DosName);
    IoDeleteDevice(DriverObject->DeviceObject);
}

NTSTATUS
NTAPI
DriverEntry(
    _In_ PDRIVER_OBJECT DriverObject,
    _In_ PUNICODE_STRING RegistryPath)
{
    UNICODE_STRING DeviceName = RTL_CONSTANT_STRING(SILODRV_DEVICE_NAME);
    UNICODE_STRING DosName = RTL_CONSTANT_STRING(SILODRV_DOS_DEVICE_NAME);
    PDEVICE_OBJECT DeviceObject;
    NTSTATUS Status;

    UNREFERENCED_PARAMETER(RegistryPath);

    Status = IoCreateDevice(DriverObject, 0, &DeviceName, FILE_DEVICE_SILODRV, 0, FALSE, &DeviceObject);
    if (!NT_SUCCESS(Status)) return Status;

    Status = IoCreateSymbolicLink(&DosName, &DeviceName);
    if (!NT_SUCCESS(Status))
    {
        IoDeleteDevice(DeviceObject);
        return Status;
    }

    DriverObject->MajorFunction[IRP_MJ_CREATE] = SiloDrvCreateClose;
    DriverObject->MajorFunction[IRP_MJ_CLOSE] = SiloDrvCreateClose;
    DriverObject->MajorFunction[IRP_MJ_DEVICE_CONTROL] = SiloDrvDeviceControl;
    DriverObject->MajorFunction[IRP_MJ_SHUTDOWN] = SiloDrvShutdown;
    DriverObject->DriverUnload = SiloDrvUnload;
    return STATUS_SUCCESS;
}
