/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The silo information classes and their contracts, from the host
 *              and from inside a server silo
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define SILO_TEST_SYSTEM_ROOT       L"C:\\SiloRoot"
#define KERNEL_ADDRESS              ((PVOID)(ULONG_PTR)0x80000000)
#define UNALIGNED_ADDRESS(p)        ((PVOID)((ULONG_PTR)(p) + 1))
#define BOGUS_HANDLE                ((HANDLE)(ULONG_PTR)0x1234)
/* Room for the ids of the server silos a boot runs at once in these tests */
#define ROOT_SILO_LIST_IDS          64

static
void
TestCreateSilo(VOID)
{
    SILOOBJECT_BASIC_INFORMATION Basic;
    JOBOBJECT_CONTAINER_IDENTIFIER_V2 Id;
    static const GUID NullGuid;
    HANDLE Job, QueryOnly;
    NTSTATUS Status;

    /* Needs SILO_READY or KILL_ON_JOB_CLOSE */
    ok(NT_SUCCESS(CreateJob(&Job, 0)), "CreateJob failed\n");
    Status = NtSetInformationJobObject(Job, JobObjectCreateSilo, NULL, 0);
    ok(Status == STATUS_INVALID_PARAMETER, "plain job: 0x%08lx\n", Status);

    Status = NtQueryInformationJobObject(Job, JobObjectSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    ok(Status == STATUS_JOB_NO_CONTAINER, "basic info of a plain job: 0x%08lx\n", Status);
    Status = NtQueryInformationJobObject(Job, JobObjectContainerId, &Id, sizeof(Id), NULL);
    ok(Status == STATUS_JOB_NO_CONTAINER, "container id of a plain job: 0x%08lx\n", Status);

    /* Access rights: a query-only handle may not convert */
    ok(DuplicateHandle(GetCurrentProcess(), Job, GetCurrentProcess(), &QueryOnly, JOB_OBJECT_QUERY, FALSE, 0),
       "DuplicateHandle failed\n");
    ok(NT_SUCCESS(SetJobLimitFlags(Job, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE)), "set limits failed\n");
    Status = NtSetInformationJobObject(QueryOnly, JobObjectCreateSilo, NULL, 0);
    ok(Status == STATUS_ACCESS_DENIED, "query-only handle: 0x%08lx\n", Status);
    NtClose(QueryOnly);

    Status = NtSetInformationJobObject(Job, JobObjectCreateSilo, (PVOID)&Basic, sizeof(ULONG));
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "with a buffer: 0x%08lx\n", Status);
    Status = NtSetInformationJobObject(GetCurrentProcess(), JobObjectCreateSilo, NULL, 0);
    ok(Status == STATUS_OBJECT_TYPE_MISMATCH, "process handle: 0x%08lx\n", Status);
    Status = NtSetInformationJobObject(BOGUS_HANDLE, JobObjectCreateSilo, NULL, 0);
    ok(Status == STATUS_INVALID_HANDLE, "bogus handle: 0x%08lx\n", Status);

    Status = NtSetInformationJobObject(Job, JobObjectCreateSilo, NULL, 0);
    ok(Status == STATUS_SUCCESS, "kill-on-close job: 0x%08lx\n", Status);
    Status = NtSetInformationJobObject(Job, JobObjectCreateSilo, NULL, 0);
    ok(Status == STATUS_CONTAINER_ASSIGNED, "twice: 0x%08lx\n", Status);

    /* A silo keeps the flag that made it possible */
    Status = SetJobLimitFlags(Job, 0);
    ok(Status == STATUS_INVALID_PARAMETER, "clearing a silo's limits: 0x%08lx\n", Status);

    Status = NtQueryInformationJobObject(Job, JobObjectSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    ok(Status == STATUS_SUCCESS, "basic info: 0x%08lx\n", Status);
    ok(Basic.SiloId != 0, "SiloId 0\n");
    ok(Basic.SiloParentId == 0, "SiloParentId %lu, expected the host (0)\n", Basic.SiloParentId);
    ok(Basic.NumberOfProcesses == 0, "NumberOfProcesses %lu\n", Basic.NumberOfProcesses);
    ok(!Basic.IsInServerSilo, "an application silo claims to be a server silo\n");

    Status = NtQueryInformationJobObject(Job, JobObjectSiloBasicInformation, &Basic, sizeof(Basic) - 1, NULL);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "short basic info: 0x%08lx\n", Status);
    Status = NtQueryInformationJobObject(Job, JobObjectSiloBasicInformation, UNALIGNED_ADDRESS(&Basic), sizeof(Basic), NULL);
    ok(Status == STATUS_DATATYPE_MISALIGNMENT, "unaligned buffer: 0x%08lx\n", Status);
    Status = NtQueryInformationJobObject(Job, JobObjectSiloBasicInformation, KERNEL_ADDRESS, sizeof(Basic), NULL);
    ok(Status == STATUS_ACCESS_VIOLATION, "kernel buffer: 0x%08lx\n", Status);
    Status = NtQueryInformationJobObject(Job, JobObjectSiloBasicInformation, &Basic, sizeof(Basic), KERNEL_ADDRESS);
    ok(Status == STATUS_ACCESS_VIOLATION, "kernel return length: 0x%08lx\n", Status);

    Status = NtQueryInformationJobObject(Job, JobObjectContainerId, &Id, sizeof(Id), NULL);
    ok(Status == STATUS_SUCCESS, "container id: 0x%08lx\n", Status);
    ok(Id.JobId == Basic.SiloId, "JobId %lu, SiloId %lu\n", Id.JobId, Basic.SiloId);
    ok(memcmp(&Id.ContainerId, &NullGuid, sizeof(GUID)) != 0, "ContainerId is all zero\n");

    /* Set-only and query-only classes the other way round */
    Status = NtQueryInformationJobObject(Job, JobObjectCreateSilo, &Basic, sizeof(Basic), NULL);
    ok(Status == STATUS_INVALID_INFO_CLASS, "query of a set-only class: 0x%08lx\n", Status);
    Status = NtSetInformationJobObject(Job, JobObjectSiloBasicInformation, &Basic, sizeof(Basic));
    ok(Status == STATUS_INVALID_INFO_CLASS, "set of a query-only class: 0x%08lx\n", Status);

    NtClose(Job);
}

static
void
TestRootDirectory(VOID)
{
    SILOOBJECT_ROOT_DIRECTORY Root;
    ULONG_PTR PathBuffer[(sizeof(SILOOBJECT_ROOT_DIRECTORY) + 64) / sizeof(ULONG_PTR)];
    PSILOOBJECT_ROOT_DIRECTORY Path = (PSILOOBJECT_ROOT_DIRECTORY)PathBuffer;
    WCHAR Expected[32];
    HANDLE Job, Plain;
    ULONG SiloId, Length = 0;
    NTSTATUS Status;

    ok(NT_SUCCESS(CreateJob(&Plain, 0)), "CreateJob failed\n");
    ok(NT_SUCCESS(MakeSilo(&Job)), "MakeSilo failed\n");
    SiloId = GetSiloId(Job);

    ZeroMemory(&Root, sizeof(Root));
    Root.ControlFlags = SILO_OBJECT_ROOT_DIRECTORY_ALL;
    Status = NtSetInformationJobObject(Plain, JobObjectSiloRootDirectory, &Root, sizeof(Root));
    ok(Status == STATUS_JOB_NO_CONTAINER, "plain job: 0x%08lx\n", Status);

    Root.ControlFlags = SILO_OBJECT_ROOT_DIRECTORY_ALL + 1;
    Status = NtSetInformationJobObject(Job, JobObjectSiloRootDirectory, &Root, sizeof(Root));
    ok(Status == STATUS_INVALID_PARAMETER, "unknown flag: 0x%08lx\n", Status);
    Root.ControlFlags = SILO_OBJECT_ROOT_DIRECTORY_ALL;
    Status = NtSetInformationJobObject(Job, JobObjectSiloRootDirectory, &Root, sizeof(ULONG) - 1);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "short: 0x%08lx\n", Status);

    Status = NtQueryInformationJobObject(Job, JobObjectSiloRootDirectory, Path, sizeof(PathBuffer), NULL);
    ok(Status == STATUS_NOT_FOUND, "query before creation: 0x%08lx\n", Status);

    /* SeTcbPrivilege is needed */
    ok(EnableTcb(FALSE), "cannot disable SeTcbPrivilege\n");
    Status = NtSetInformationJobObject(Job, JobObjectSiloRootDirectory, &Root, sizeof(Root));
    ok(Status == STATUS_PRIVILEGE_NOT_HELD, "without SeTcbPrivilege: 0x%08lx\n", Status);
    ok(EnableTcb(TRUE), "cannot enable SeTcbPrivilege (not running as SYSTEM?)\n");

    ok(!SiloDirectoryExists(SiloId), "\\Silos\\%lu exists too early\n", SiloId);
    Status = NtSetInformationJobObject(Job, JobObjectSiloRootDirectory, &Root, sizeof(Root));
    ok(Status == STATUS_SUCCESS, "create root: 0x%08lx\n", Status);
    ok(SiloDirectoryExists(SiloId), "\\Silos\\%lu missing\n", SiloId);
    Status = NtSetInformationJobObject(Job, JobObjectSiloRootDirectory, &Root, sizeof(Root));
    ok(Status == STATUS_OBJECT_NAME_COLLISION, "second root: 0x%08lx\n", Status);

    Status = NtQueryInformationJobObject(Job, JobObjectSiloRootDirectory, Path, sizeof(PathBuffer), &Length);
    ok(Status == STATUS_SUCCESS, "query path: 0x%08lx\n", Status);
    _snwprintf(Expected, ARRAYSIZE(Expected), L"\\Silos\\%lu", SiloId);
    Expected[ARRAYSIZE(Expected) - 1] = UNICODE_NULL;
    ok(Status == STATUS_SUCCESS && Path->Path.Length == wcslen(Expected) * sizeof(WCHAR) &&
       !memcmp(Path->Path.Buffer, Expected, Path->Path.Length),
       "path %.*S, expected %S\n", Path->Path.Length / 2, Path->Path.Buffer, Expected);
    ok(Path->Path.Buffer == (PWCHAR)(Path + 1), "path not in the caller's buffer\n");
    ok(Length == sizeof(*Path) + Path->Path.Length, "ReturnLength %lu\n", Length);

    Status = NtQueryInformationJobObject(Job, JobObjectSiloRootDirectory, Path, sizeof(*Path) + 2, &Length);
    ok(Status == STATUS_BUFFER_TOO_SMALL, "small buffer: 0x%08lx\n", Status);
    ok(Length == sizeof(*Path) + wcslen(Expected) * sizeof(WCHAR), "needed length %lu\n", Length);

    /* The directory goes with the silo */
    NtClose(Job);
    NtClose(Plain);
    ok(!SiloDirectoryExists(SiloId), "\\Silos\\%lu outlived its silo\n", SiloId);
}

/* Whether SystemRootSiloInformation lists SiloId (the whole list is read) */
static
BOOL
RootSiloListed(
    _In_ ULONG SiloId)
{
    ULONG Buffer[ROOT_SILO_LIST_IDS + 1];
    PSYSTEM_ROOT_SILO_INFORMATION List = (PSYSTEM_ROOT_SILO_INFORMATION)Buffer;
    ULONG Length = 0, i;
    NTSTATUS Status;

    Status = NtQuerySystemInformation(SystemRootSiloInformation, List, sizeof(Buffer), &Length);
    ok(Status == STATUS_SUCCESS, "SystemRootSiloInformation: 0x%08lx\n", Status);
    if (!NT_SUCCESS(Status)) return FALSE;
    ok(Length == FIELD_OFFSET(SYSTEM_ROOT_SILO_INFORMATION, SiloIdList) + List->NumberOfSilos * sizeof(ULONG),
       "return length %lu for %lu silo(s)\n", Length, List->NumberOfSilos);
    for (i = 0; i < List->NumberOfSilos; i++)
    {
        if (List->SiloIdList[i] == SiloId) return TRUE;
    }
    return FALSE;
}

static
ULONG
MembershipOf(
    _In_ HANDLE Process)
{
    PROCESS_MEMBERSHIP_INFORMATION Membership = { MAXULONG };
    ULONG Length = 0;
    NTSTATUS Status;

    Status = NtQueryInformationProcess(Process, ProcessMembershipInformation, &Membership, sizeof(Membership),
                                       &Length);
    ok(Status == STATUS_SUCCESS, "ProcessMembershipInformation: 0x%08lx\n", Status);
    ok(Length == sizeof(Membership), "return length %lu\n", Length);
    return Membership.ServerSiloId;
}

/* Classes 174 and 109: what a container host reads to see its silos */
static
void
TestSiloEnumeration(VOID)
{
    SYSTEM_ROOT_SILO_INFORMATION Small;
    PROCESS_MEMBERSHIP_INFORMATION Membership;
    PROCESS_INFORMATION Child;
    HANDLE Silo, Event, Limited;
    ULONG Length, SiloId, Before;
    NTSTATUS Status;

    /* Every length and buffer error, on the host */
    Length = 0;
    Status = NtQuerySystemInformation(SystemRootSiloInformation, &Small, 0, &Length);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "no room: 0x%08lx\n", Status);
    ok(Length >= FIELD_OFFSET(SYSTEM_ROOT_SILO_INFORMATION, SiloIdList), "no room: needs %lu\n", Length);
    Status = NtQuerySystemInformation(SystemRootSiloInformation, KERNEL_ADDRESS, sizeof(Small), NULL);
    ok(Status == STATUS_ACCESS_VIOLATION, "kernel buffer: 0x%08lx\n", Status);
    Status = NtQuerySystemInformation(SystemRootSiloInformation, UNALIGNED_ADDRESS(&Small), sizeof(ULONG), NULL);
    ok(Status == STATUS_DATATYPE_MISALIGNMENT, "unaligned buffer: 0x%08lx\n", Status);
    Before = Small.NumberOfSilos = MAXULONG;

    Status = NtQueryInformationProcess(NtCurrentProcess(), ProcessMembershipInformation, &Membership,
                                       sizeof(Membership) + 1, NULL);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "long membership: 0x%08lx\n", Status);
    Status = NtQueryInformationProcess(NtCurrentProcess(), ProcessMembershipInformation, &Membership, 0, NULL);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "empty membership: 0x%08lx\n", Status);
    Status = NtQueryInformationProcess(NtCurrentProcess(), ProcessMembershipInformation, KERNEL_ADDRESS,
                                       sizeof(Membership), NULL);
    ok(Status == STATUS_ACCESS_VIOLATION, "kernel membership buffer: 0x%08lx\n", Status);
    Status = NtQueryInformationProcess(BOGUS_HANDLE, ProcessMembershipInformation, &Membership,
                                       sizeof(Membership), NULL);
    ok(Status == STATUS_INVALID_HANDLE, "bogus process handle: 0x%08lx\n", Status);
    ok(DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &Limited,
                       SYNCHRONIZE, FALSE, 0), "DuplicateHandle failed with %lu\n", GetLastError());
    Status = NtQueryInformationProcess(Limited, ProcessMembershipInformation, &Membership, sizeof(Membership), NULL);
    ok(Status == STATUS_ACCESS_DENIED, "handle without query access: 0x%08lx\n", Status);
    NtClose(Limited);
    ok(MembershipOf(NtCurrentProcess()) == 0, "the host test is in a server silo\n");

    /* A server silo is listed while it runs, its processes name it, and it leaves the list with its end */
    ok(NT_SUCCESS(NtCreateEvent(&Event, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE)), "no event\n");
    ok(NT_SUCCESS(MakeServerSilo(&Silo, Event, NULL)), "MakeServerSilo failed\n");
    SiloId = GetSiloId(Silo);
    ok(RootSiloListed(SiloId), "server silo %lu is not listed\n", SiloId);
    Status = NtQuerySystemInformation(SystemRootSiloInformation, &Small,
                                      FIELD_OFFSET(SYSTEM_ROOT_SILO_INFORMATION, SiloIdList), &Length);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "room for no id beside a silo: 0x%08lx\n", Status);
    ok(Length >= sizeof(Small), "room for no id: needs %lu\n", Length);
    ok(Small.NumberOfSilos == Before, "a short buffer was written: %lu\n", Small.NumberOfSilos);

    ok(SpawnChild(CHILD_MODE_WAIT, NULL, TRUE, 0, &Child), "SpawnChild failed\n");
    ok(MembershipOf(Child.hProcess) == 0, "a host child before its assignment\n");
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Silo, Child.hProcess)), "assign to the silo failed\n");
    ok(MembershipOf(Child.hProcess) == SiloId, "the child does not name its server silo %lu\n", SiloId);
    TerminateProcess(Child.hProcess, 0);
    WaitForSingleObject(Child.hProcess, SILOTEST_WAIT_MS);
    CloseChild(&Child);

    NtClose(Silo);
    ok(WaitForSingleObject(Event, SILOTEST_WAIT_MS) == WAIT_OBJECT_0, "delete event not signaled\n");
    ok(!RootSiloListed(SiloId), "server silo %lu is listed after its end\n", SiloId);
    NtClose(Event);
}

static
void
TestServerSilo(VOID)
{
    SERVERSILO_INIT_INFORMATION Init;
    SERVERSILO_BASIC_INFORMATION Basic;
    SILO_USER_SHARED_DATA Shared;
    UNICODE_STRING SystemRoot;
    SILOOBJECT_ROOT_DIRECTORY Root;
    HANDLE Job, Silo, Event, Plain;
    ULONG State, SiloId;
    NTSTATUS Status;

    ok(NT_SUCCESS(CreateJob(&Plain, 0)), "CreateJob failed\n");
    ok(NT_SUCCESS(NtCreateEvent(&Event, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE)), "no event\n");
    ZeroMemory(&Init, sizeof(Init));
    Init.DeleteEvent = Event;

    Status = NtSetInformationJobObject(Plain, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    ok(Status == STATUS_JOB_NO_CONTAINER, "plain job: 0x%08lx\n", Status);

    /* Root directory first */
    ok(NT_SUCCESS(MakeSilo(&Silo)), "MakeSilo failed\n");
    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    ok(Status == STATUS_OBJECT_PATH_NOT_FOUND, "without a root directory: 0x%08lx\n", Status);
    ZeroMemory(&Root, sizeof(Root));
    Root.ControlFlags = SILO_OBJECT_ROOT_DIRECTORY_ALL;
    ok(NT_SUCCESS(NtSetInformationJobObject(Silo, JobObjectSiloRootDirectory, &Root, sizeof(Root))), "root failed\n");

    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init) + 1);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "long init: 0x%08lx\n", Status);
    Init.DeleteEvent = BOGUS_HANDLE;
    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    ok(Status == STATUS_INVALID_HANDLE, "bogus event: 0x%08lx\n", Status);
    Init.DeleteEvent = Plain;
    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    ok(Status == STATUS_OBJECT_TYPE_MISMATCH, "job as event: 0x%08lx\n", Status);
    Init.DeleteEvent = Event;

    ok(EnableTcb(FALSE), "cannot disable SeTcbPrivilege\n");
    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    ok(Status == STATUS_PRIVILEGE_NOT_HELD, "without SeTcbPrivilege: 0x%08lx\n", Status);
    ok(EnableTcb(TRUE), "cannot enable SeTcbPrivilege\n");

    /* The system root is set before the silo starts */
    RtlInitUnicodeString(&SystemRoot, L"");
    Status = NtSetInformationJobObject(Silo, JobObjectSiloSystemRoot, &SystemRoot, sizeof(SystemRoot));
    ok(Status == STATUS_INVALID_PARAMETER, "empty system root: 0x%08lx\n", Status);
    SystemRoot.Length = SystemRoot.MaximumLength = 2;
    SystemRoot.Buffer = KERNEL_ADDRESS;
    Status = NtSetInformationJobObject(Silo, JobObjectSiloSystemRoot, &SystemRoot, sizeof(SystemRoot));
    ok(Status == STATUS_ACCESS_VIOLATION, "kernel string: 0x%08lx\n", Status);
    RtlInitUnicodeString(&SystemRoot, SILO_TEST_SYSTEM_ROOT);
    Status = NtSetInformationJobObject(Silo, JobObjectSiloSystemRoot, &SystemRoot, sizeof(SystemRoot));
    ok(Status == STATUS_SUCCESS, "system root: 0x%08lx\n", Status);

    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    ok(Status == STATUS_SUCCESS, "initialize: 0x%08lx\n", Status);
    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    ok(Status == STATUS_CONTAINER_ASSIGNED, "initialize twice: 0x%08lx\n", Status);
    Status = NtSetInformationJobObject(Silo, JobObjectSiloSystemRoot, &SystemRoot, sizeof(SystemRoot));
    ok(Status == STATUS_CONTAINER_ASSIGNED, "system root after start: 0x%08lx\n", Status);

    /* Basic information, in the current and the older layout */
    Status = NtQueryInformationJobObject(Silo, JobObjectServerSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    ok(Status == STATUS_SUCCESS, "server basic: 0x%08lx\n", Status);
    ok(Basic.State == SERVERSILO_STARTED, "State %d\n", Basic.State);
    ok(Basic.ExitStatus == STATUS_PENDING, "ExitStatus 0x%08lx\n", Basic.ExitStatus);
    SiloId = GetSiloId(Silo);
    ok(Basic.ServiceSessionId != 0, "ServiceSessionId 0 (the host's)\n");
    Status = NtQueryInformationJobObject(Silo, JobObjectServerSiloBasicInformation, &Basic,
                                         FIELD_OFFSET(SERVERSILO_BASIC_INFORMATION, ContainerBuildNumber), NULL);
    ok(Status == STATUS_SUCCESS, "older layout: 0x%08lx\n", Status);
    Status = NtQueryInformationJobObject(Silo, JobObjectServerSiloBasicInformation, &Basic, sizeof(Basic) + 4, NULL);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "other length: 0x%08lx\n", Status);
    Status = NtQueryInformationJobObject(Plain, JobObjectServerSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    ok(Status == STATUS_JOB_NO_CONTAINER, "plain job: 0x%08lx\n", Status);

    /* Shared data: the silo's own, and the host's through a NULL handle */
    Status = NtQueryInformationJobObject(Silo, JobObjectServerSiloUserSharedData, &Shared, sizeof(Shared), NULL);
    ok(Status == STATUS_SUCCESS, "silo shared data: 0x%08lx\n", Status);
    ok(!wcscmp(Shared.NtSystemRoot, SILO_TEST_SYSTEM_ROOT), "silo NtSystemRoot %S\n", Shared.NtSystemRoot);
    ok(Shared.ServiceSessionId == Basic.ServiceSessionId, "ServiceSessionId %lu vs %lu\n",
       Shared.ServiceSessionId, Basic.ServiceSessionId);
    Status = NtQueryInformationJobObject(NULL, JobObjectServerSiloUserSharedData, &Shared, sizeof(Shared), NULL);
    ok(Status == STATUS_SUCCESS, "host shared data: 0x%08lx\n", Status);
    ok(Shared.ServiceSessionId == 0, "host ServiceSessionId %lu\n", Shared.ServiceSessionId);
    ok(!_wcsicmp(Shared.NtSystemRoot, SharedUserData->NtSystemRoot), "host NtSystemRoot %S\n", Shared.NtSystemRoot);
    Status = NtQueryInformationJobObject(Plain, JobObjectServerSiloUserSharedData, &Shared, sizeof(Shared), NULL);
    ok(Status == STATUS_JOB_NO_CONTAINER, "plain job shared data: 0x%08lx\n", Status);
    Status = NtQueryInformationJobObject(NULL, JobObjectSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    ok(Status == STATUS_ACCESS_DENIED, "NULL handle outside any job: 0x%08lx\n", Status);

    /* Running state: only STARTED -> SHUTTING_DOWN */
    State = SERVERSILO_STARTED;
    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloRunningState, &State, sizeof(State));
    ok(Status == STATUS_INVALID_STATE_TRANSITION, "to STARTED: 0x%08lx\n", Status);
    State = SERVERSILO_TERMINATED;
    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloRunningState, &State, sizeof(State));
    ok(Status == STATUS_INVALID_STATE_TRANSITION, "to TERMINATED: 0x%08lx\n", Status);
    State = SERVERSILO_SHUTTING_DOWN;
    ok(EnableTcb(FALSE), "cannot disable SeTcbPrivilege\n");
    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloRunningState, &State, sizeof(State));
    ok(Status == STATUS_PRIVILEGE_NOT_HELD, "without SeTcbPrivilege: 0x%08lx\n", Status);
    ok(EnableTcb(TRUE), "cannot enable SeTcbPrivilege\n");
    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloRunningState, &State, sizeof(State));
    ok(Status == STATUS_SUCCESS, "to SHUTTING_DOWN: 0x%08lx\n", Status);
    Status = NtSetInformationJobObject(Silo, JobObjectServerSiloRunningState, &State, sizeof(State));
    ok(Status == STATUS_INVALID_STATE_TRANSITION, "SHUTTING_DOWN twice: 0x%08lx\n", Status);
    NtQueryInformationJobObject(Silo, JobObjectServerSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    ok(Basic.State == SERVERSILO_SHUTTING_DOWN, "State %d\n", Basic.State);

    /* SILO_READY is needed for a server silo; KILL_ON_JOB_CLOSE only makes a silo */
    ok(NT_SUCCESS(CreateJob(&Job, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE)), "CreateJob failed\n");
    ok(NT_SUCCESS(NtSetInformationJobObject(Job, JobObjectCreateSilo, NULL, 0)), "CreateSilo failed\n");
    ok(NT_SUCCESS(NtSetInformationJobObject(Job, JobObjectSiloRootDirectory, &Root, sizeof(Root))), "root failed\n");
    Init.DeleteEvent = NULL;
    Status = NtSetInformationJobObject(Job, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    ok(Status == STATUS_INVALID_PARAMETER, "kill-on-close silo: 0x%08lx\n", Status);
    /* The older layout: a bare event handle */
    ok(NT_SUCCESS(SetJobLimitFlags(Job, JOB_OBJECT_LIMIT_SILO_READY)), "set limits failed\n");
    Status = NtSetInformationJobObject(Job, JobObjectServerSiloInitialize, &Init.DeleteEvent, sizeof(HANDLE));
    ok(Status == STATUS_SUCCESS, "handle-only initialize: 0x%08lx\n", Status);
    NtClose(Job);

    /* Deleting the silo signals its delete event and removes its root */
    ok(WaitForSingleObject(Event, 0) == WAIT_TIMEOUT, "delete event signaled early\n");
    NtClose(Silo);
    ok(WaitForSingleObject(Event, SILOTEST_WAIT_MS) == WAIT_OBJECT_0, "delete event not signaled\n");
    ok(!SiloDirectoryExists(SiloId), "\\Silos\\%lu outlived its server silo\n", SiloId);

    NtClose(Event);
    NtClose(Plain);
}

static
void
TestFromInside(VOID)
{
    PROCESS_INFORMATION Child;
    SILOOBJECT_BASIC_INFORMATION Basic;
    CHAR Argument[16];
    HANDLE Silo;
    DWORD ExitCode;
    ULONG SiloId;

    ok(NT_SUCCESS(MakeServerSilo(&Silo, NULL, NULL)), "MakeServerSilo failed\n");
    SiloId = GetSiloId(Silo);
    _snprintf(Argument, sizeof(Argument), "%lu", SiloId);
    Argument[sizeof(Argument) - 1] = ANSI_NULL;

    ok(SpawnChild(CHILD_MODE_INSILO, Argument, TRUE, 0, &Child), "SpawnChild failed\n");
    ok(NT_SUCCESS(NtAssignProcessToJobObject(Silo, Child.hProcess)), "assign to the silo failed\n");
    NtQueryInformationJobObject(Silo, JobObjectSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    ok(Basic.NumberOfProcesses == 1, "NumberOfProcesses %lu\n", Basic.NumberOfProcesses);
    ResumeThread(Child.hThread);

    ExitCode = WaitChild(&Child);
    ok(ExitCode == 0, "checks inside the silo failed: mask 0x%lx\n", ExitCode);
    ok(WaitActiveProcesses(Silo, 0), "silo still counts %lu processes\n", ActiveProcesses(Silo));

    CloseChild(&Child);
    NtClose(Silo);
}

START_TEST(objects)
{
    ok(EnableTcb(TRUE), "SeTcbPrivilege not available: the silo tests need SYSTEM\n");
    TestCreateSilo();
    TestRootDirectory();
    TestServerSilo();
    TestSiloEnumeration();
    TestFromInside();
}
