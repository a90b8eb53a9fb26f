/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The silo DDIs, checked in kernel mode by silodrv.sys
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define SILODRV_SERVICE_TYPE        1   /* SERVICE_KERNEL_DRIVER */
#define SILODRV_START_TYPE          3   /* SERVICE_DEMAND_START */
#define SILODRV_ERROR_CONTROL       1   /* SERVICE_ERROR_NORMAL */

static
BOOL
SetServiceValue(
    _In_ HKEY Key,
    _In_ PCWSTR Name,
    _In_ DWORD Type,
    _In_ const void *Data,
    _In_ DWORD Size)
{
    return RegSetValueExW(Key, Name, 0, Type, Data, Size) == ERROR_SUCCESS;
}

/* Registers and loads silodrv.sys; returns a handle to its device */
HANDLE
LoadSiloDriver(VOID)
{
    static const WCHAR ImagePath[] = SILODRV_IMAGE_PATH;
    UNICODE_STRING ServiceKey = RTL_CONSTANT_STRING(SILODRV_SERVICE_KEY);
    DWORD Type = SILODRV_SERVICE_TYPE, Start = SILODRV_START_TYPE, ErrorControl = SILODRV_ERROR_CONTROL;
    BOOLEAN WasEnabled;
    HANDLE Device;
    NTSTATUS Status;
    HKEY Key;

    if (RegCreateKeyExW(HKEY_LOCAL_MACHINE, SILODRV_SERVICE_SUBKEY, 0, NULL, 0, KEY_SET_VALUE, NULL, &Key, NULL))
    {
        ok(FALSE, "cannot create the silodrv service key\n");
        return INVALID_HANDLE_VALUE;
    }
    ok(SetServiceValue(Key, L"Type", REG_DWORD, &Type, sizeof(Type)) &&
       SetServiceValue(Key, L"Start", REG_DWORD, &Start, sizeof(Start)) &&
       SetServiceValue(Key, L"ErrorControl", REG_DWORD, &ErrorControl, sizeof(ErrorControl)) &&
       SetServiceValue(Key, L"ImagePath", REG_EXPAND_SZ, ImagePath, sizeof(ImagePath)),
       "cannot write the silodrv service values\n");
    RegCloseKey(Key);

    RtlAdjustPrivilege(SE_LOAD_DRIVER_PRIVILEGE, TRUE, FALSE, &WasEnabled);
    Status = NtLoadDriver(&ServiceKey);
    ok(Status == STATUS_SUCCESS || Status == STATUS_IMAGE_ALREADY_LOADED, "NtLoadDriver(silodrv): 0x%08lx\n", Status);

    Device = CreateFileA(SILODRV_USER_PATH, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    ok(Device != INVALID_HANDLE_VALUE, "cannot open %s: %lu\n", SILODRV_USER_PATH, GetLastError());
    return Device;
}

void
UnloadSiloDriver(
    _In_ HANDLE Device)
{
    UNICODE_STRING ServiceKey = RTL_CONSTANT_STRING(SILODRV_SERVICE_KEY);
    NTSTATUS Status;

    if (Device != INVALID_HANDLE_VALUE) CloseHandle(Device);
    Status = NtUnloadDriver(&ServiceKey);
    ok(Status == STATUS_SUCCESS, "NtUnloadDriver(silodrv): 0x%08lx\n", Status);
}

/*
 * Runs one batch of kernel checks into the caller's Results; each becomes one
 * ok() at the driver's line. Threads that call the driver at once each pass
 * their own Results.
 */
PSILODRV_RESULTS
RunDriverChecksInto(
    _In_ HANDLE Device,
    _In_ DWORD Code,
    _In_opt_ PVOID Input,
    _In_ DWORD InputLength,
    _Out_ PSILODRV_RESULTS Results)
{
    static const PCSTR SourceFiles[] = SILODRV_SOURCE_FILES;
    DWORD Returned = 0;
    ULONG i;

    ZeroMemory(Results, sizeof(*Results));
    if (Device == INVALID_HANDLE_VALUE) return Results;
    if (!DeviceIoControl(Device, Code, Input, InputLength, Results, sizeof(*Results), &Returned, NULL))
    {
        ok(FALSE, "IOCTL 0x%08lx failed: %lu\n", Code, GetLastError());
        return Results;
    }
    ok(Returned == sizeof(*Results), "IOCTL 0x%08lx returned %lu bytes\n", Code, Returned);
    ok(Results->Count > 0, "IOCTL 0x%08lx ran no checks\n", Code);
    ok(Results->Dropped == 0, "IOCTL 0x%08lx dropped %lu checks\n", Code, Results->Dropped);
    for (i = 0; i < Results->Count && i < SILODRV_MAX_CHECKS; i++)
    {
        Results->Checks[i].Message[SILODRV_MESSAGE_CHARS - 1] = ANSI_NULL;
        ok_(SourceFiles[Results->Checks[i].Source % ARRAYSIZE(SourceFiles)], Results->Checks[i].Line)(
            Results->Checks[i].Passed, "%s\n", Results->Checks[i].Message);
    }
    return Results;
}

/* The same into one buffer of this file's: for the tests that call the driver from one thread */
PSILODRV_RESULTS
RunDriverChecks(
    _In_ HANDLE Device,
    _In_ DWORD Code,
    _In_opt_ PVOID Input,
    _In_ DWORD InputLength)
{
    static SILODRV_RESULTS Results;

    return RunDriverChecksInto(Device, Code, Input, InputLength, &Results);
}

static
void
RunMonitorAction(
    _In_ HANDLE Device,
    _In_ SILODRV_MONITOR_ACTION Action,
    _In_ ULONG Existing,
    _In_ ULONG Creates,
    _In_ ULONG Terminates)
{
    SILODRV_MONITOR_REQUEST Request;

    Request.Action = Action;
    Request.ExistingServerSilos = Existing;
    Request.ExpectedCreates = Creates;
    Request.ExpectedTerminates = Terminates;
    RunDriverChecks(Device, IOCTL_SILODRV_MONITOR, &Request, sizeof(Request));
}

/* A server silo, an application silo and a plain job, described for the driver */
static
BOOL
MakeSiloSet(
    _Out_ PSILODRV_SILOS Silos)
{
    SERVERSILO_BASIC_INFORMATION Basic;
    JOBOBJECT_CONTAINER_IDENTIFIER_V2 Id;

    ZeroMemory(Silos, sizeof(*Silos));
    if (!NT_SUCCESS(MakeServerSilo(&Silos->ServerSilo, NULL, NULL)) ||
        !NT_SUCCESS(MakeSilo(&Silos->ApplicationSilo)) ||
        !NT_SUCCESS(CreateJob(&Silos->PlainJob, 0)) ||
        !NT_SUCCESS(NtQueryInformationJobObject(Silos->ServerSilo, JobObjectServerSiloBasicInformation,
                                                &Basic, sizeof(Basic), NULL)) ||
        !NT_SUCCESS(NtQueryInformationJobObject(Silos->ServerSilo, JobObjectContainerId, &Id, sizeof(Id), NULL)))
    {
        return FALSE;
    }
    Silos->ServiceSessionId = Basic.ServiceSessionId;
    Silos->ContainerId = Id.ContainerId;
    return TRUE;
}

static
void
CloseSiloSet(
    _Inout_ PSILODRV_SILOS Silos)
{
    if (Silos->ServerSilo) NtClose(Silos->ServerSilo);
    if (Silos->ApplicationSilo) NtClose(Silos->ApplicationSilo);
    if (Silos->PlainJob) NtClose(Silos->PlainJob);
    ZeroMemory(Silos, sizeof(*Silos));
}

/* Called by the fuzz test: seeded random calls of the context DDIs */
void
FuzzSiloDdis(
    _In_ ULONG Seed,
    _In_ ULONG Calls)
{
    SILODRV_FUZZ_REQUEST Request;
    PSILODRV_RESULTS Results;
    HANDLE Device;
    ULONG JobsBefore = CountJobObjects(), Succeeded, Created, Cleaned;

    Device = LoadSiloDriver();
    ZeroMemory(&Request, sizeof(Request));
    ok(MakeSiloSet(&Request.Silos), "cannot make the silos\n");
    Request.Seed = Seed;
    Request.Calls = Calls;
    Results = RunDriverChecks(Device, IOCTL_SILODRV_FUZZ, &Request, sizeof(Request));
    Succeeded = Results->Figures[SiloDrvFigureSucceeded];
    CloseSiloSet(&Request.Silos);

    /* Every context the battery created was cleaned up when its silo went away */
    Results = RunDriverChecks(Device, IOCTL_SILODRV_FINISH, NULL, 0);
    Created = Results->Figures[SiloDrvFigureContextsCreated];
    Cleaned = Results->Figures[SiloDrvFigureContextsCleaned];
    UnloadSiloDriver(Device);
    ok(CountJobObjects() == JobsBefore, "leaked job objects: %lu before, %lu after\n", JobsBefore, CountJobObjects());
    ok(Created > 0, "the battery created no context\n");
    trace("fuzz-ddi: seed=0x%08lx calls=%lu succeeded=%lu contexts_created=%lu contexts_cleaned=%lu\n",
          Seed, Calls, Succeeded, Created, Cleaned);
}

START_TEST(ddi)
{
    SILODRV_SILOS Silos;
    HANDLE Device, Refused = NULL;
    NTSTATUS Status;

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available\n");
    Device = LoadSiloDriver();
    if (Device == INVALID_HANDLE_VALUE) return;

    RunDriverChecks(Device, IOCTL_SILODRV_HOST, NULL, 0);

    /* Monitors before any server silo exists */
    RunMonitorAction(Device, SiloDrvMonitorNegative, 0, 0, 0);
    RunMonitorAction(Device, SiloDrvMonitorStart, 0, 0, 0);
    RunMonitorAction(Device, SiloDrvMonitorRefuseOn, 0, 0, 0);

    /* A refusing monitor stops the silo from starting; the others still saw it */
    Status = MakeServerSiloKeep(&Refused, NULL, NULL);
    ok(Status == STATUS_REQUEST_ABORTED, "server silo against a refusing monitor: 0x%08lx\n", Status);
    if (Refused)
    {
        /* It was terminated at once and tears down on a worker: the terminate callbacks run there */
        ok(WaitServerSiloState(Refused, SERVERSILO_TERMINATED, NULL), "refused silo did not reach TERMINATED\n");
        NtClose(Refused);
    }
    RunMonitorAction(Device, SiloDrvMonitorRefuseOff, 0, 0, 0);
    RunMonitorAction(Device, SiloDrvMonitorCheck, 0, 2, 1);

    ok(MakeSiloSet(&Silos), "cannot make the silos\n");
    RunDriverChecks(Device, IOCTL_SILODRV_SILO, &Silos, sizeof(Silos));
    RunMonitorAction(Device, SiloDrvMonitorNegative, 1, 0, 0);
    RunDriverChecks(Device, IOCTL_SILODRV_CONTEXTS, &Silos, sizeof(Silos));
    RunMonitorAction(Device, SiloDrvMonitorCheck, 0, 3, 1);

    /* The silos go: terminate callbacks, context cleanup */
    CloseSiloSet(&Silos);
    RunMonitorAction(Device, SiloDrvMonitorCheck, 0, 3, 2);
    RunMonitorAction(Device, SiloDrvMonitorStop, 0, 0, 0);
    RunDriverChecks(Device, IOCTL_SILODRV_FINISH, NULL, 0);

    UnloadSiloDriver(Device);
}
