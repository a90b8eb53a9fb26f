/*
 * PROJECT:     ReactOS Silo Workspace Utility
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The server silos that run workspaces: start, stop, figures,
 *              programs started inside
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

/*
 * A running workspace is a server silo whose job object is named
 * \SiloWorkspaces\<name> and made permanent (OBJ_PERMANENT, which needs
 * SeCreatePermanentPrivilege): the object manager holds it, not a process,
 * so the silo runs on after silo.exe exits and no process's death loses
 * it. "silo stop" makes it temporary again, so it goes when its last
 * handle and process do. Its processes are its own SMSS (started by the
 * host's, SmStartServerSilo) and CSRSS, and the programs "silo run" hands
 * to that SMSS.
 */

#include "silo.h"

#define WORKSPACE_READY_TIMEOUT_MS  60000
#define WORKSPACE_POLL_MS           10
#define WORKSPACE_EXEC_RETRIES      200
#define WORKSPACE_END_TIMEOUT_MS    10000
#define WORKSPACE_PIPE_BYTES        4096
#define WORKSPACE_DIRECTORY_BYTES   4096
#define WORKSPACE_PATH_CHARS        (MAX_PATH + 64)
#define WORKSPACE_MAX_PROCESS_IDS   64
#define WORKSPACE_SMSS_IMAGE        L"smss.exe"
#define WORKSPACE_CSRSS_IMAGE       L"csrss.exe"

/* 100 ns units */
#define TICKS_PER_MS                10000ULL
#define TICKS_PER_S                 10000000ULL

typedef struct _JOB_PROCESS_IDS
{
    JOBOBJECT_BASIC_PROCESS_ID_LIST List;
    ULONG_PTR More[WORKSPACE_MAX_PROCESS_IDS];
} JOB_PROCESS_IDS;

static
NTSTATUS
EnableHostPrivileges(VOID)
{
    BOOLEAN Old;
    NTSTATUS Status;

    Status = RtlAdjustPrivilege(SE_TCB_PRIVILEGE, TRUE, FALSE, &Old);
    if (NT_SUCCESS(Status)) Status = RtlAdjustPrivilege(SE_CREATE_PERMANENT_PRIVILEGE, TRUE, FALSE, &Old);
    return Status;
}

static
VOID
WorkspaceObjectName(
    _In_ PCWSTR Name,
    _Out_writes_(Chars) PWSTR Path,
    _In_ DWORD Chars)
{
    _snwprintf(Path, Chars, L"%s\\%s", WORKSPACE_OBJECT_DIRECTORY, Name);
    Path[Chars - 1] = UNICODE_NULL;
}

/*
 * A running workspace's silo. A stopped one whose job somebody still holds
 * open keeps its name until that handle closes: it counts as not running.
 */
NTSTATUS
OpenWorkspaceSilo(
    _In_ PCWSTR Name,
    _In_ ACCESS_MASK Access,
    _Out_ PHANDLE Silo)
{
    WCHAR Path[WORKSPACE_PATH_CHARS];
    UNICODE_STRING PathString;
    OBJECT_ATTRIBUTES Attributes;
    SERVERSILO_BASIC_INFORMATION Basic;
    NTSTATUS Status;

    *Silo = NULL;
    WorkspaceObjectName(Name, Path, ARRAYSIZE(Path));
    RtlInitUnicodeString(&PathString, Path);
    InitializeObjectAttributes(&Attributes, &PathString, OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status = NtOpenJobObject(Silo, Access | JOB_OBJECT_QUERY, &Attributes);
    /* Before the first start there is no \SiloWorkspaces either: the workspace is as much not running */
    if (Status == STATUS_OBJECT_PATH_NOT_FOUND) return STATUS_OBJECT_NAME_NOT_FOUND;
    if (!NT_SUCCESS(Status)) return Status;

    Status = NtQueryInformationJobObject(*Silo, JobObjectServerSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    if (!NT_SUCCESS(Status) || Basic.State == SERVERSILO_TERMINATED)
    {
        NtClose(*Silo);
        *Silo = NULL;
        return STATUS_OBJECT_NAME_NOT_FOUND;
    }
    return STATUS_SUCCESS;
}

/* Whether \Silos\<id>\<Directory> lists Name */
static
BOOLEAN
SiloDirectoryHas(
    _In_ ULONG SiloId,
    _In_ PCWSTR Directory,
    _In_ PCWSTR Name)
{
    WCHAR Path[WORKSPACE_PATH_CHARS];
    UNICODE_STRING PathString, NameString;
    OBJECT_ATTRIBUTES Attributes;
    ULONG_PTR Buffer[WORKSPACE_DIRECTORY_BYTES / sizeof(ULONG_PTR)];
    POBJECT_DIRECTORY_INFORMATION Entry = (POBJECT_DIRECTORY_INFORMATION)Buffer;
    ULONG Context = 0, Length;
    BOOLEAN Found = FALSE;
    HANDLE Handle;

    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\%s", SiloId, Directory);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&PathString, Path);
    RtlInitUnicodeString(&NameString, Name);
    InitializeObjectAttributes(&Attributes, &PathString, OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(NtOpenDirectoryObject(&Handle, DIRECTORY_QUERY, &Attributes))) return FALSE;
    while (!Found &&
           NT_SUCCESS(NtQueryDirectoryObject(Handle, Buffer, sizeof(Buffer), TRUE, FALSE, &Context, &Length)))
    {
        Found = RtlEqualUnicodeString(&Entry->Name, &NameString, TRUE);
    }
    NtClose(Handle);
    return Found;
}

static
ULONG
QuerySiloId(
    _In_ HANDLE Silo)
{
    SILOOBJECT_BASIC_INFORMATION Basic;

    if (!NT_SUCCESS(NtQueryInformationJobObject(Silo, JobObjectSiloBasicInformation, &Basic, sizeof(Basic), NULL)))
    {
        return 0;
    }
    return Basic.SiloId;
}

static
NTSTATUS
QueryProcessIds(
    _In_ HANDLE Silo,
    _Out_ JOB_PROCESS_IDS *Ids)
{
    ZeroMemory(Ids, sizeof(*Ids));
    return NtQueryInformationJobObject(Silo, JobObjectBasicProcessIdList, Ids, sizeof(*Ids), NULL);
}

/* The image name (without path) and creation time of a process, by id */
static
BOOLEAN
QueryProcessIdentity(
    _In_ ULONG_PTR ProcessId,
    _Out_writes_(Chars) PWSTR Image,
    _In_ DWORD Chars,
    _Out_ PLONGLONG CreateTime)
{
    ULONG_PTR Buffer[(sizeof(UNICODE_STRING) + MAX_PATH * sizeof(WCHAR)) / sizeof(ULONG_PTR)];
    PUNICODE_STRING Path = (PUNICODE_STRING)Buffer;
    KERNEL_USER_TIMES Times;
    HANDLE Process;
    PWSTR Last;
    BOOLEAN Success = FALSE;

    *Image = UNICODE_NULL;
    *CreateTime = 0;
    Process = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, (DWORD)ProcessId);
    if (Process == NULL) return FALSE;
    if (NT_SUCCESS(NtQueryInformationProcess(Process, ProcessImageFileName, Buffer, sizeof(Buffer) - sizeof(WCHAR),
                                             NULL)) &&
        NT_SUCCESS(NtQueryInformationProcess(Process, ProcessTimes, &Times, sizeof(Times), NULL)))
    {
        Path->Buffer[Path->Length / sizeof(WCHAR)] = UNICODE_NULL;
        Last = wcsrchr(Path->Buffer, L'\\');
        wcsncpy(Image, Last ? Last + 1 : Path->Buffer, Chars - 1);
        Image[Chars - 1] = UNICODE_NULL;
        *CreateTime = Times.CreateTime.QuadPart;
        Success = TRUE;
    }
    CloseHandle(Process);
    return Success;
}

/* The earliest process of the silo with that image: its own SMSS, which started first */
static
ULONG_PTR
EarliestProcess(
    _In_ HANDLE Silo,
    _In_ PCWSTR ImageName,
    _Out_opt_ PLONGLONG CreateTime)
{
    JOB_PROCESS_IDS Ids;
    WCHAR Image[MAX_PATH];
    LONGLONG Time, Earliest = MAXLONGLONG;
    ULONG_PTR Found = 0;
    ULONG i;

    if (CreateTime) *CreateTime = 0;
    if (!NT_SUCCESS(QueryProcessIds(Silo, &Ids))) return 0;
    for (i = 0; i < Ids.List.NumberOfProcessIdsInList; i++)
    {
        if (QueryProcessIdentity(Ids.List.ProcessIdList[i], Image, ARRAYSIZE(Image), &Time) &&
            (ImageName == NULL || !_wcsicmp(Image, ImageName)) && Time < Earliest)
        {
            Earliest = Time;
            Found = Ids.List.ProcessIdList[i];
        }
    }
    if (CreateTime && Found) *CreateTime = Earliest;
    return Found;
}

static
NTSTATUS
SetNetworkMode(
    _In_ HANDLE Silo,
    _In_ WORKSPACE_NETWORK Network)
{
    SILO_NETWORK_CONFIGURATION Configuration;

    ZeroMemory(&Configuration, sizeof(Configuration));
    Configuration.Version = SILO_NETWORK_CONFIGURATION_VERSION;
    Configuration.Mode = (Network == WorkspaceNetworkOff) ? SiloNetworkNone : SiloNetworkHost;
    return NtSetInformationJobObject(Silo, JobObjectSiloNetworkConfiguration, &Configuration, sizeof(Configuration));
}

/* The devices lent beyond the default set (the kernel checks the names) */
static
NTSTATUS
SetLentDevices(
    _In_ HANDLE Silo,
    _In_ const WORKSPACE *Workspace)
{
    SILO_DEVICE_CONFIGURATION Configuration;

    ZeroMemory(&Configuration, sizeof(Configuration));
    Configuration.Version = SILO_DEVICE_CONFIGURATION_VERSION;
    RtlInitUnicodeString(&Configuration.Devices, Workspace->Devices);
    return NtSetInformationJobObject(Silo, JobObjectSiloDeviceConfiguration, &Configuration, sizeof(Configuration));
}

/*
 * What the kernel cannot do yet is refused before anything is made: the
 * registry and network modes are asked of the kernel on a silo that is
 * thrown away.
 */
NTSTATUS
CheckWorkspaceSupport(
    _In_ const WORKSPACE *Workspace)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;
    SILO_REGISTRY_CONFIGURATION Registry;
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Probe;
    NTSTATUS Status;

    Status = EnableHostPrivileges();
    if (!NT_SUCCESS(Status)) return Status;
    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    Status = NtCreateJobObject(&Probe, JOB_OBJECT_ALL_ACCESS, &Attributes);
    if (!NT_SUCCESS(Status)) return Status;
    ZeroMemory(&Limits, sizeof(Limits));
    Limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_SILO_READY;
    Status = NtSetInformationJobObject(Probe, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits));
    if (NT_SUCCESS(Status)) Status = NtSetInformationJobObject(Probe, JobObjectCreateSilo, NULL, 0);
    if (NT_SUCCESS(Status))
    {
        ZeroMemory(&Registry, sizeof(Registry));
        Registry.Version = SILO_REGISTRY_CONFIGURATION_VERSION;
        Registry.Mode = Workspace->Registry;
        Status = NtSetInformationJobObject(Probe, JobObjectSiloRegistryConfiguration, &Registry, sizeof(Registry));
    }
    if (NT_SUCCESS(Status)) Status = SetNetworkMode(Probe, Workspace->Network);
    if (NT_SUCCESS(Status)) Status = SetLentDevices(Probe, Workspace);
    NtClose(Probe);
    return Status;
}

/* Limits, silo, root, system root, registry mode, CPU cap and initialize, in the order the kernel wants */
static
NTSTATUS
ConfigureServerSilo(
    _In_ HANDLE Silo,
    _In_ const WORKSPACE *Workspace)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;
    JOBOBJECT_CPU_RATE_CONTROL_INFORMATION Rate;
    SILOOBJECT_ROOT_DIRECTORY Root;
    SILO_REGISTRY_CONFIGURATION Registry;
    SERVERSILO_INIT_INFORMATION Init;
    WCHAR SystemRoot[MAX_PATH];
    UNICODE_STRING SystemRootString;
    NTSTATUS Status;

    ZeroMemory(&Limits, sizeof(Limits));
    Limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_SILO_READY;
    if (Workspace->Processes != 0)
    {
        Limits.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
        Limits.BasicLimitInformation.ActiveProcessLimit = Workspace->Processes + WORKSPACE_SYSTEM_PROCESSES;
    }
    if (Workspace->MemoryMb != 0)
    {
        Limits.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
        Limits.JobMemoryLimit = (SIZE_T)Workspace->MemoryMb * 1024 * 1024;
    }
    Status = NtSetInformationJobObject(Silo, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits));
    if (!NT_SUCCESS(Status)) return Status;

    Status = NtSetInformationJobObject(Silo, JobObjectCreateSilo, NULL, 0);
    if (!NT_SUCCESS(Status)) return Status;

    /* The silo's root shadows the host's, which lends it \Device and the host's system files */
    ZeroMemory(&Root, sizeof(Root));
    Root.ControlFlags = SILO_OBJECT_ROOT_DIRECTORY_ALL;
    Status = NtSetInformationJobObject(Silo, JobObjectSiloRootDirectory, &Root, sizeof(Root));
    if (!NT_SUCCESS(Status)) return Status;

    if (!GetSystemWindowsDirectoryW(SystemRoot, ARRAYSIZE(SystemRoot))) return STATUS_OBJECT_PATH_NOT_FOUND;
    RtlInitUnicodeString(&SystemRootString, SystemRoot);
    Status = NtSetInformationJobObject(Silo, JobObjectSiloSystemRoot, &SystemRootString, sizeof(SystemRootString));
    if (!NT_SUCCESS(Status)) return Status;

    ZeroMemory(&Registry, sizeof(Registry));
    Registry.Version = SILO_REGISTRY_CONFIGURATION_VERSION;
    Registry.Mode = Workspace->Registry;
    Status = NtSetInformationJobObject(Silo, JobObjectSiloRegistryConfiguration, &Registry, sizeof(Registry));
    if (!NT_SUCCESS(Status)) return Status;

    Status = SetNetworkMode(Silo, Workspace->Network);
    if (!NT_SUCCESS(Status)) return Status;

    Status = SetLentDevices(Silo, Workspace);
    if (!NT_SUCCESS(Status)) return Status;

    if (Workspace->CpuPercent != 0)
    {
        ZeroMemory(&Rate, sizeof(Rate));
        Rate.ControlFlags = JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP;
        Rate.CpuRate = Workspace->CpuPercent * 100;
        Status = NtSetInformationJobObject(Silo, JobObjectCpuRateControlInformation, &Rate, sizeof(Rate));
        if (!NT_SUCCESS(Status)) return Status;
    }

    ZeroMemory(&Init, sizeof(Init));
    return NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init));
}

/* Its SMSS and CSRSS serve it once the silo's CSRSS has its ports */
static
NTSTATUS
WaitWorkspaceReady(
    _In_ HANDLE Silo,
    _In_ ULONG SiloId)
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION Accounting;
    ULONG Waited;

    for (Waited = 0; Waited < WORKSPACE_READY_TIMEOUT_MS; Waited += WORKSPACE_POLL_MS)
    {
        if (SiloDirectoryHas(SiloId, L"Windows", L"ApiPort") && SiloDirectoryHas(SiloId, L"Windows", L"SbApiPort"))
        {
            return STATUS_SUCCESS;
        }
        if (NT_SUCCESS(NtQueryInformationJobObject(Silo, JobObjectBasicAccountingInformation,
                                                   &Accounting, sizeof(Accounting), NULL)) &&
            Accounting.ActiveProcesses == 0)
        {
            return STATUS_PROCESS_IS_TERMINATING;
        }
        Sleep(WORKSPACE_POLL_MS);
    }
    return STATUS_TIMEOUT;
}

/* Ends a silo that failed to start or is stopped, and lets its name go */
static
VOID
EndServerSilo(
    _In_ HANDLE Silo,
    _In_ NTSTATUS ExitStatus)
{
    SERVERSILO_BASIC_INFORMATION Basic;
    ULONG Waited;

    NtTerminateJobObject(Silo, ExitStatus);
    for (Waited = 0; Waited < WORKSPACE_END_TIMEOUT_MS; Waited += WORKSPACE_POLL_MS)
    {
        if (!NT_SUCCESS(NtQueryInformationJobObject(Silo, JobObjectServerSiloBasicInformation,
                                                    &Basic, sizeof(Basic), NULL)) ||
            Basic.State == SERVERSILO_TERMINATED)
        {
            break;
        }
        Sleep(WORKSPACE_POLL_MS);
    }
    NtMakeTemporaryObject(Silo);
}

NTSTATUS
StartWorkspaceSilo(
    _In_ const WORKSPACE *Workspace,
    _Out_ PULONG SiloId)
{
    WCHAR Path[WORKSPACE_PATH_CHARS];
    UNICODE_STRING PathString;
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Directory, Silo, SmPort;
    NTSTATUS Status;

    *SiloId = 0;
    Status = EnableHostPrivileges();
    if (!NT_SUCCESS(Status)) return Status;

    /* The directory of running workspaces: permanent, made by the first start */
    RtlInitUnicodeString(&PathString, WORKSPACE_OBJECT_DIRECTORY);
    InitializeObjectAttributes(&Attributes, &PathString, OBJ_CASE_INSENSITIVE | OBJ_OPENIF | OBJ_PERMANENT,
                               NULL, NULL);
    Status = NtCreateDirectoryObject(&Directory, DIRECTORY_ALL_ACCESS, &Attributes);
    if (!NT_SUCCESS(Status)) return Status;
    NtClose(Directory);

    /* A name already there is a running workspace */
    WorkspaceObjectName(Workspace->Name, Path, ARRAYSIZE(Path));
    RtlInitUnicodeString(&PathString, Path);
    InitializeObjectAttributes(&Attributes, &PathString, OBJ_CASE_INSENSITIVE | OBJ_PERMANENT, NULL, NULL);
    Status = NtCreateJobObject(&Silo, JOB_OBJECT_ALL_ACCESS, &Attributes);
    if (!NT_SUCCESS(Status)) return Status;

    Status = ConfigureServerSilo(Silo, Workspace);
    if (NT_SUCCESS(Status))
    {
        *SiloId = QuerySiloId(Silo);
        Status = SmConnectToSm(NULL, NULL, 0, &SmPort);
        if (NT_SUCCESS(Status))
        {
            Status = SmStartServerSilo(SmPort, Silo, FALSE);
            NtClose(SmPort);
        }
    }
    if (NT_SUCCESS(Status)) Status = WaitWorkspaceReady(Silo, *SiloId);

    /* Nothing half-started stays behind */
    if (!NT_SUCCESS(Status))
    {
        EndServerSilo(Silo, Status);
        *SiloId = 0;
    }
    NtClose(Silo);
    return Status;
}

/*
 * Ends a workspace's programs first (its processes but its SMSS and CSRSS)
 * and gives them TimeoutMs to go, then the silo. The SM API has no request
 * that shuts a silo's SMSS down, so the silo itself is terminated.
 */
NTSTATUS
StopWorkspaceSilo(
    _In_ PCWSTR Name,
    _In_ ULONG TimeoutMs,
    _Out_ PULONG ProgramsLeft)
{
    JOB_PROCESS_IDS Ids;
    WCHAR Image[MAX_PATH];
    LONGLONG Time;
    ULONG State = SERVERSILO_SHUTTING_DOWN, Programs, Waited, i;
    HANDLE Silo, Process;
    NTSTATUS Status;

    *ProgramsLeft = 0;
    Status = EnableHostPrivileges();
    if (!NT_SUCCESS(Status)) return Status;
    Status = OpenWorkspaceSilo(Name, JOB_OBJECT_ALL_ACCESS, &Silo);
    if (!NT_SUCCESS(Status)) return Status;

    /* Monitors and queries see it going; a silo already going stays so */
    NtSetInformationJobObject(Silo, JobObjectServerSiloRunningState, &State, sizeof(State));

    for (Waited = 0; ; Waited += WORKSPACE_POLL_MS)
    {
        Programs = 0;
        if (NT_SUCCESS(QueryProcessIds(Silo, &Ids)))
        {
            for (i = 0; i < Ids.List.NumberOfProcessIdsInList; i++)
            {
                if (!QueryProcessIdentity(Ids.List.ProcessIdList[i], Image, ARRAYSIZE(Image), &Time) ||
                    !_wcsicmp(Image, WORKSPACE_SMSS_IMAGE) || !_wcsicmp(Image, WORKSPACE_CSRSS_IMAGE))
                {
                    continue;
                }
                Programs++;
                if (Waited != 0) continue;
                Process = OpenProcess(PROCESS_TERMINATE, FALSE, (DWORD)Ids.List.ProcessIdList[i]);
                if (Process != NULL)
                {
                    TerminateProcess(Process, ERROR_SUCCESS);
                    CloseHandle(Process);
                }
            }
        }
        if (Programs == 0 || Waited >= TimeoutMs) break;
        Sleep(WORKSPACE_POLL_MS);
    }
    *ProgramsLeft = Programs;

    EndServerSilo(Silo, STATUS_SUCCESS);
    NtClose(Silo);
    return STATUS_SUCCESS;
}

NTSTATUS
QueryWorkspaceFigures(
    _In_ PCWSTR Name,
    _Out_ PWORKSPACE_FIGURES Figures)
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION Accounting;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;
    JOBOBJECT_CPU_RATE_CONTROL_INFORMATION Rate;
    SERVERSILO_BASIC_INFORMATION Basic;
    SILO_REGISTRY_CONFIGURATION Registry;
    SILO_NETWORK_CONFIGURATION Network;
    ULONG_PTR DevicesBuffer[(sizeof(SILO_DEVICE_CONFIGURATION) + (WORKSPACE_DEVICES_CHARS + 1) * sizeof(WCHAR)) /
                            sizeof(ULONG_PTR) + 1];
    PSILO_DEVICE_CONFIGURATION Devices = (PSILO_DEVICE_CONFIGURATION)DevicesBuffer;
    LARGE_INTEGER Now;
    LONGLONG Started;
    HANDLE Silo;
    NTSTATUS Status;

    ZeroMemory(Figures, sizeof(*Figures));
    Status = OpenWorkspaceSilo(Name, JOB_OBJECT_QUERY, &Silo);
    if (!NT_SUCCESS(Status)) return Status;

    Status = NtQueryInformationJobObject(Silo, JobObjectServerSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    if (NT_SUCCESS(Status))
    {
        Status = NtQueryInformationJobObject(Silo, JobObjectBasicAccountingInformation,
                                             &Accounting, sizeof(Accounting), NULL);
    }
    if (NT_SUCCESS(Status))
    {
        Status = NtQueryInformationJobObject(Silo, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits), NULL);
    }
    if (NT_SUCCESS(Status))
    {
        Status = NtQueryInformationJobObject(Silo, JobObjectSiloRegistryConfiguration,
                                             &Registry, sizeof(Registry), NULL);
    }
    if (NT_SUCCESS(Status))
    {
        Status = NtQueryInformationJobObject(Silo, JobObjectSiloNetworkConfiguration,
                                             &Network, sizeof(Network), NULL);
    }
    if (NT_SUCCESS(Status))
    {
        Status = NtQueryInformationJobObject(Silo, JobObjectSiloDeviceConfiguration,
                                             Devices, sizeof(DevicesBuffer), NULL);
    }
    if (NT_SUCCESS(Status))
    {
        Figures->Running = (Basic.State == SERVERSILO_STARTED);
        Figures->State = Basic.State;
        Figures->ExitStatus = Basic.ExitStatus;
        Figures->SiloId = QuerySiloId(Silo);
        Figures->Processes = Accounting.ActiveProcesses;
        Figures->CpuMs = (ULONGLONG)(Accounting.TotalUserTime.QuadPart + Accounting.TotalKernelTime.QuadPart) /
                         TICKS_PER_MS;
        Figures->PeakCommitKb = Limits.PeakJobMemoryUsed / 1024;
        if (Limits.BasicLimitInformation.LimitFlags & JOB_OBJECT_LIMIT_ACTIVE_PROCESS)
        {
            Figures->ProcessLimit = Limits.BasicLimitInformation.ActiveProcessLimit;
        }
        if (Limits.BasicLimitInformation.LimitFlags & JOB_OBJECT_LIMIT_JOB_MEMORY)
        {
            Figures->MemoryLimitKb = Limits.JobMemoryLimit / 1024;
        }
        if (NT_SUCCESS(NtQueryInformationJobObject(Silo, JobObjectCpuRateControlInformation,
                                                   &Rate, sizeof(Rate), NULL)) &&
            (Rate.ControlFlags & JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP))
        {
            Figures->CpuRate = Rate.CpuRate;
        }
        Figures->Registry = Registry.Mode;
        Figures->NetworkOff = (Network.Mode == SiloNetworkNone);
        RtlCopyMemory(Figures->Devices, Devices->Devices.Buffer,
                      min(Devices->Devices.Length, WORKSPACE_DEVICES_CHARS * sizeof(WCHAR)));

        /* Up since its first process, the silo's SMSS, started */
        if (EarliestProcess(Silo, NULL, &Started) != 0)
        {
            NtQuerySystemTime(&Now);
            Figures->UptimeS = (ULONGLONG)(Now.QuadPart - Started) / TICKS_PER_S;
        }
    }
    NtClose(Silo);
    return Status;
}

/* A connection to the SM API port of the silo's own SMSS, named from the host */
static
NTSTATUS
ConnectToSiloSm(
    _In_ ULONG SiloId,
    _Out_ PHANDLE Port)
{
    WCHAR Path[WORKSPACE_PATH_CHARS];
    UNICODE_STRING PortName;
    SECURITY_QUALITY_OF_SERVICE Qos;
    SB_CONNECTION_INFO ConnectInfo;
    ULONG ConnectInfoLength = sizeof(ConnectInfo);

    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\SmApiPort", SiloId);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&PortName, Path);
    Qos.Length = sizeof(Qos);
    Qos.ImpersonationLevel = SecurityIdentification;
    Qos.ContextTrackingMode = SECURITY_DYNAMIC_TRACKING;
    Qos.EffectiveOnly = TRUE;
    ZeroMemory(&ConnectInfo, sizeof(ConnectInfo));
    ConnectInfo.SubsystemType = IMAGE_SUBSYSTEM_UNKNOWN;
    return NtConnectPort(Port, &PortName, &Qos, NULL, NULL, NULL, &ConnectInfo, &ConnectInfoLength);
}

/*
 * Hands a process created suspended in the silo to the silo's SMSS
 * (SmExecPgm), which gives it to the silo's CSRSS and resumes it. The silo's
 * SMSS cannot open host processes, so the host duplicates the handles into
 * it and sends the SMSS's own values, as a message of its own: smlib's
 * SmExecPgm would close those values in this process.
 */
static
NTSTATUS
HandToSiloSmss(
    _In_ HANDLE Silo,
    _In_ ULONG SiloId,
    _In_ PRTL_USER_PROCESS_INFORMATION Info)
{
    PRTL_USER_PROCESS_INFORMATION Sent;
    SM_API_MSG SmApiMsg;
    HANDLE SiloSmss, SmPort;
    NTSTATUS Status;
    ULONG Try;

    SiloSmss = OpenProcess(PROCESS_DUP_HANDLE, FALSE, (DWORD)EarliestProcess(Silo, WORKSPACE_SMSS_IMAGE, NULL));
    if (SiloSmss == NULL) return STATUS_NOT_FOUND;
    Status = ConnectToSiloSm(SiloId, &SmPort);
    if (NT_SUCCESS(Status))
    {
        for (Try = 0; Try < WORKSPACE_EXEC_RETRIES; Try++)
        {
            /* The SMSS closes the handles it is given, whatever it answers: each try gives new ones */
            ZeroMemory(&SmApiMsg, sizeof(SmApiMsg));
            Sent = &SmApiMsg.u.ExecPgm.ProcessInformation;
            *Sent = *Info;
            Status = NtDuplicateObject(NtCurrentProcess(), Info->ProcessHandle, SiloSmss,
                                       &Sent->ProcessHandle, 0, 0, DUPLICATE_SAME_ACCESS);
            if (!NT_SUCCESS(Status)) break;
            Status = NtDuplicateObject(NtCurrentProcess(), Info->ThreadHandle, SiloSmss,
                                       &Sent->ThreadHandle, 0, 0, DUPLICATE_SAME_ACCESS);
            if (!NT_SUCCESS(Status))
            {
                NtDuplicateObject(SiloSmss, Sent->ProcessHandle, NULL, NULL, 0, 0, DUPLICATE_CLOSE_SOURCE);
                break;
            }
            SmApiMsg.u.ExecPgm.DebugFlag = FALSE;
            SmApiMsg.ApiNumber = SmpExecPgmApi;
            Status = SmSendMsgToSm(SmPort, &SmApiMsg);
            if (Status != STATUS_UNSUCCESSFUL) break;
            Sleep(WORKSPACE_POLL_MS);
        }
        NtClose(SmPort);
    }
    CloseHandle(SiloSmss);
    return Status;
}

/* Copies what the program writes to its output to ours, until it closes it */
static
VOID
RelayOutput(
    _In_ HANDLE Pipe)
{
    CHAR Buffer[WORKSPACE_PIPE_BYTES];
    HANDLE Output = GetStdHandle(STD_OUTPUT_HANDLE);
    DWORD Read, Written;

    while (ReadFile(Pipe, Buffer, sizeof(Buffer), &Read, NULL) && Read != 0)
    {
        WriteFile(Output, Buffer, Read, &Written, NULL);
    }
}

NTSTATUS
RunInWorkspace(
    _In_ PCWSTR Name,
    _In_ PCWSTR Program,
    _In_ PCWSTR CommandLine,
    _Out_ PBOOLEAN Gui,
    _Out_ PDWORD ExitCode)
{
    WCHAR Image[MAX_PATH];
    UNICODE_STRING ImageDos, ImageNt, CommandLineString;
    PRTL_USER_PROCESS_PARAMETERS Parameters;
    RTL_USER_PROCESS_INFORMATION Info;
    SECURITY_ATTRIBUTES Inherit = { sizeof(Inherit), NULL, TRUE };
    SERVERSILO_BASIC_INFORMATION Basic;
    HANDLE Silo, ReadEnd = NULL, WriteEnd = NULL;
    ULONG SiloId;
    NTSTATUS Status;

    *Gui = FALSE;
    *ExitCode = 0;
    if (!SearchPathW(NULL, Program, L".exe", ARRAYSIZE(Image), Image, NULL)) return STATUS_OBJECT_NAME_NOT_FOUND;

    Status = EnableHostPrivileges();
    if (!NT_SUCCESS(Status)) return Status;
    Status = OpenWorkspaceSilo(Name, JOB_OBJECT_ALL_ACCESS, &Silo);
    if (!NT_SUCCESS(Status)) return Status;
    Status = NtQueryInformationJobObject(Silo, JobObjectServerSiloBasicInformation, &Basic, sizeof(Basic), NULL);
    if (NT_SUCCESS(Status) && Basic.State != SERVERSILO_STARTED) Status = STATUS_INVALID_STATE_TRANSITION;
    SiloId = QuerySiloId(Silo);
    if (NT_SUCCESS(Status) && !CreatePipe(&ReadEnd, &WriteEnd, &Inherit, 0)) Status = STATUS_INSUFFICIENT_RESOURCES;
    /* Only the write end goes to the program, so its exit ends the output */
    if (NT_SUCCESS(Status)) SetHandleInformation(ReadEnd, HANDLE_FLAG_INHERIT, 0);
    if (!NT_SUCCESS(Status))
    {
        NtClose(Silo);
        return Status;
    }

    /* A program of the silo's: created here, suspended, its output a pipe the host reads */
    RtlInitUnicodeString(&ImageDos, Image);
    RtlInitUnicodeString(&CommandLineString, CommandLine);
    if (!RtlDosPathNameToNtPathName_U(Image, &ImageNt, NULL, NULL))
    {
        Status = STATUS_OBJECT_PATH_SYNTAX_BAD;
    }
    else
    {
        Status = RtlCreateProcessParameters(&Parameters, &ImageDos, NULL, NULL, &CommandLineString,
                                            NtCurrentPeb()->ProcessParameters->Environment,
                                            NULL, NULL, NULL, NULL);
        if (NT_SUCCESS(Status))
        {
            /* The silo's CSRSS opens no console: the program writes to the pipe */
            Parameters->ConsoleHandle = SILO_DETACHED_CONSOLE;
            Parameters->WindowFlags |= STARTF_USESTDHANDLES;
            Parameters->StandardOutput = WriteEnd;
            Parameters->StandardError = WriteEnd;
            Info.Size = sizeof(Info);
            Status = RtlCreateUserProcess(&ImageNt, OBJ_CASE_INSENSITIVE, Parameters, NULL, NULL, NULL,
                                          TRUE, NULL, NULL, &Info);
            RtlDestroyProcessParameters(Parameters);
        }
        RtlFreeHeap(RtlGetProcessHeap(), 0, ImageNt.Buffer);
    }
    CloseHandle(WriteEnd);

    if (NT_SUCCESS(Status))
    {
        *Gui = (Info.ImageInformation.SubSystemType == IMAGE_SUBSYSTEM_WINDOWS_GUI);
        Status = NtAssignProcessToJobObject(Silo, Info.ProcessHandle);
        if (NT_SUCCESS(Status)) Status = HandToSiloSmss(Silo, SiloId, &Info);
        if (!NT_SUCCESS(Status))
        {
            /* Nothing of a failed run stays in the silo */
            NtTerminateProcess(Info.ProcessHandle, Status);
        }
        else if (!*Gui)
        {
            RelayOutput(ReadEnd);
            WaitForSingleObject(Info.ProcessHandle, INFINITE);
            GetExitCodeProcess(Info.ProcessHandle, ExitCode);
        }
        NtClose(Info.ThreadHandle);
        NtClose(Info.ProcessHandle);
    }
    CloseHandle(ReadEnd);
    NtClose(Silo);
    return Status;
}
