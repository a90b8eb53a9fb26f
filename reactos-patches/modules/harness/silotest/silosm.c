/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Server silos started by the host's SMSS: start one and wait for
 *              its CSRSS, run a Win32 program in it, list what runs in it
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define SILO_CSRSS_READY_TIMEOUT_MS     60000
#define SILO_CSRSS_READY_POLL_MS        5
#define SILO_EXEC_RETRIES               200
#define SILO_DIRECTORY_QUERY_BYTES      4096

/* What a silo's SMSS and CSRSS create before the silo runs Win32 programs */
static const struct
{
    PCWSTR Directory;
    PCWSTR Name;
} SiloReadyObjects[] =
{
    { L"", L"KnownDlls" },
    { L"", L"Sessions" },
    { L"", L"RPC Control" },
    { L"", L"BaseNamedObjects" },
    { L"Windows", L"ApiPort" },
    { L"Windows", L"SbApiPort" },
};

static
double
ElapsedMs(
    _In_ PLARGE_INTEGER Start)
{
    LARGE_INTEGER Now, Frequency;

    QueryPerformanceCounter(&Now);
    QueryPerformanceFrequency(&Frequency);
    return (double)(Now.QuadPart - Start->QuadPart) * 1000.0 / (double)Frequency.QuadPart;
}

/* Whether \Silos\<id>\<Directory> lists Name (of any object type) */
BOOL
SiloDirectoryHasEntry(
    _In_ ULONG SiloId,
    _In_ PCWSTR Directory,
    _In_ PCWSTR Name)
{
    WCHAR Path[MAX_PATH];
    UNICODE_STRING PathString, NameString;
    OBJECT_ATTRIBUTES Attributes;
    ULONG_PTR Buffer[SILO_DIRECTORY_QUERY_BYTES / sizeof(ULONG_PTR)];
    POBJECT_DIRECTORY_INFORMATION Entry;
    ULONG Context = 0, Length;
    BOOL Found = FALSE;
    HANDLE Handle;

    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu%s%s", SiloId, *Directory ? L"\\" : L"", Directory);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&PathString, Path);
    RtlInitUnicodeString(&NameString, Name);
    InitializeObjectAttributes(&Attributes, &PathString, OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(NtOpenDirectoryObject(&Handle, DIRECTORY_QUERY, &Attributes))) return FALSE;

    while (!Found &&
           NT_SUCCESS(NtQueryDirectoryObject(Handle, Buffer, sizeof(Buffer), TRUE, FALSE, &Context, &Length)))
    {
        Entry = (POBJECT_DIRECTORY_INFORMATION)Buffer;
        Found = RtlEqualUnicodeString(&Entry->Name, &NameString, TRUE);
    }
    NtClose(Handle);
    return Found;
}

static
BOOL
IsSiloReady(
    _In_ ULONG SiloId)
{
    ULONG i;

    for (i = 0; i < ARRAYSIZE(SiloReadyObjects); i++)
    {
        if (!SiloDirectoryHasEntry(SiloId, SiloReadyObjects[i].Directory, SiloReadyObjects[i].Name)) return FALSE;
    }
    return TRUE;
}

/*
 * The host's sequence: job, SILO_READY, silo, root directory (shadowing the
 * host's root, which lends \Device), system root, server silo initialize,
 * then SmStartServerSilo; waits until the silo's CSRSS serves it. ReadyMs
 * is the time from the request to SMSS.
 */
NTSTATUS
StartSmssSilo(
    _In_ HANDLE SmPort,
    _Out_ PSMSS_SILO Started)
{
    return StartSmssSiloPrepared(SmPort, NULL, NULL, Started);
}

/* The same, with Prepare setting the silo's configuration before its initialize */
NTSTATUS
StartSmssSiloPrepared(
    _In_ HANDLE SmPort,
    _In_opt_ SILO_PREPARE Prepare,
    _In_opt_ PVOID Context,
    _Out_ PSMSS_SILO Started)
{
    WCHAR SystemRoot[MAX_PATH];
    LARGE_INTEGER Start;
    NTSTATUS Status;

    ZeroMemory(Started, sizeof(*Started));
    Started->ReadyMs = -1.0;

    /* The silo runs the host's system files: its system root is the host's */
    if (!GetSystemWindowsDirectoryW(SystemRoot, ARRAYSIZE(SystemRoot))) return STATUS_OBJECT_PATH_NOT_FOUND;
    Status = MakeServerSiloPrepared(&Started->Silo, SystemRoot, Prepare, Context);
    if (!NT_SUCCESS(Status)) return Status;
    Started->SiloId = GetSiloId(Started->Silo);

    QueryPerformanceCounter(&Start);
    Status = SmStartServerSilo(SmPort, Started->Silo, FALSE);
    if (!NT_SUCCESS(Status)) return Status;

    while (!IsSiloReady(Started->SiloId))
    {
        if (ElapsedMs(&Start) > SILO_CSRSS_READY_TIMEOUT_MS) return STATUS_TIMEOUT;
        if (ActiveProcesses(Started->Silo) == 0) return STATUS_PROCESS_IS_TERMINATING;
        Sleep(SILO_CSRSS_READY_POLL_MS);
    }
    Started->ReadyMs = ElapsedMs(&Start);
    return STATUS_SUCCESS;
}

VOID
EndSmssSilo(
    _Inout_ PSMSS_SILO Started,
    _In_ NTSTATUS ExitStatus)
{
    if (!Started->Silo) return;
    NtTerminateJobObject(Started->Silo, ExitStatus);
    ok(WaitServerSiloState(Started->Silo, SERVERSILO_TERMINATED, NULL), "silo %lu did not end\n", Started->SiloId);
    NtClose(Started->Silo);
    Started->Silo = NULL;
}

/* A connection to the SM API port of the silo's own SMSS, named from the host */
static
NTSTATUS
ConnectToSiloSm(
    _In_ ULONG SiloId,
    _Out_ PHANDLE Port)
{
    WCHAR Path[MAX_PATH];
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
 * Starts "silotest child <Mode> <Argument>" in the silo as its SMSS starts
 * programs: created suspended, put in the silo, then handed to the silo's
 * SMSS (SmExecPgm), which gives it to the silo's CSRSS. Detached: a silo's
 * CSRSS opens no console windows. A silo's SMSS cannot open the host's
 * processes to take handles from them: the host duplicates the process and
 * thread handles into that SMSS and sends the SMSS's own values.
 *
 * The message is sent as it is (SmSendMsgToSm), not with SmExecPgm: that
 * client closes the handle values it sent in the caller's own process, and
 * the values sent here are the SMSS's, not the caller's. It would close
 * whichever of the caller's handles had those values (a silo's, a port...).
 */
NTSTATUS
StartWin32InSilo(
    _In_ PSMSS_SILO Started,
    _In_ PCSTR Mode,
    _In_opt_ PCSTR Argument,
    _Out_ PHANDLE Process)
{
    WCHAR Image[MAX_PATH], CommandLine[MAX_PATH + 64];
    UNICODE_STRING ImageDos, ImageNt, CommandLineString;
    PRTL_USER_PROCESS_PARAMETERS Parameters;
    RTL_USER_PROCESS_INFORMATION Info;
    PRTL_USER_PROCESS_INFORMATION Sent;
    SM_API_MSG SmApiMsg;
    HANDLE SmPort, SiloSmss = NULL;
    NTSTATUS Status;
    ULONG Try;

    *Process = NULL;
    if (!GetModuleFileNameW(NULL, Image, ARRAYSIZE(Image))) return STATUS_OBJECT_NAME_NOT_FOUND;
    _snwprintf(CommandLine, ARRAYSIZE(CommandLine), L"\"%s\" child %S %S", Image, Mode, Argument ? Argument : "");
    CommandLine[ARRAYSIZE(CommandLine) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&ImageDos, Image);
    RtlInitUnicodeString(&CommandLineString, CommandLine);
    if (!RtlDosPathNameToNtPathName_U(Image, &ImageNt, NULL, NULL)) return STATUS_OBJECT_PATH_SYNTAX_BAD;

    Status = RtlCreateProcessParameters(&Parameters, &ImageDos, NULL, NULL, &CommandLineString,
                                        NtCurrentPeb()->ProcessParameters->Environment, NULL, NULL, NULL, NULL);
    if (NT_SUCCESS(Status))
    {
        Parameters->ConsoleHandle = HANDLE_DETACHED_PROCESS;
        Info.Size = sizeof(Info);
        Status = RtlCreateUserProcess(&ImageNt, OBJ_CASE_INSENSITIVE, Parameters, NULL, NULL, NULL,
                                      FALSE, NULL, NULL, &Info);
        RtlDestroyProcessParameters(Parameters);
    }
    RtlFreeHeap(RtlGetProcessHeap(), 0, ImageNt.Buffer);
    if (!NT_SUCCESS(Status)) return Status;

    Status = NtAssignProcessToJobObject(Started->Silo, Info.ProcessHandle);
    if (NT_SUCCESS(Status))
    {
        SiloSmss = OpenProcess(PROCESS_DUP_HANDLE, FALSE, EarliestProcessIn(Started->Silo, L"smss.exe", NULL));
        if (SiloSmss == NULL) Status = STATUS_NOT_FOUND;
    }
    if (NT_SUCCESS(Status)) Status = ConnectToSiloSm(Started->SiloId, &SmPort);
    if (NT_SUCCESS(Status))
    {
        /* The silo's SMSS knows its CSRSS a moment after the CSRSS's ports exist */
        for (Try = 0; Try < SILO_EXEC_RETRIES; Try++)
        {
            /* The SMSS closes the handles it is given, whatever it answers: each try gives new ones */
            ZeroMemory(&SmApiMsg, sizeof(SmApiMsg));
            Sent = &SmApiMsg.u.ExecPgm.ProcessInformation;
            *Sent = Info;
            Status = NtDuplicateObject(NtCurrentProcess(), Info.ProcessHandle, SiloSmss,
                                       &Sent->ProcessHandle, 0, 0, DUPLICATE_SAME_ACCESS);
            if (!NT_SUCCESS(Status)) break;
            Status = NtDuplicateObject(NtCurrentProcess(), Info.ThreadHandle, SiloSmss,
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
            Sleep(SILO_CSRSS_READY_POLL_MS);
        }
        NtClose(SmPort);
    }
    if (SiloSmss != NULL) CloseHandle(SiloSmss);

    if (NT_SUCCESS(Status))
    {
        *Process = Info.ProcessHandle;
    }
    else
    {
        NtTerminateProcess(Info.ProcessHandle, Status);
        NtClose(Info.ProcessHandle);
    }
    NtClose(Info.ThreadHandle);
    return Status;
}

/*
 * Calls Visit for every process (id, image name, creation time) that runs
 * in Job, or in no job at all when Job is NULL; returns how many there are.
 */
ULONG
ForEachProcessIn(
    _In_opt_ HANDLE Job,
    _In_opt_ PCWSTR ImageName,
    _In_opt_ PROCESS_VISITOR Visit,
    _In_opt_ PVOID Context)
{
    PSYSTEM_PROCESS_INFORMATION List = QueryProcessList(), Entry;
    ULONG Count = 0;
    BOOLEAN InJob;
    HANDLE Process;

    if (!List) return 0;
    for (Entry = List; ; Entry = (PSYSTEM_PROCESS_INFORMATION)((PUCHAR)Entry + Entry->NextEntryOffset))
    {
        if (Entry->ImageName.Buffer &&
            (!ImageName || !_wcsicmp(Entry->ImageName.Buffer, ImageName)))
        {
            Process = OpenProcess(PROCESS_QUERY_INFORMATION, FALSE, HandleToUlong(Entry->UniqueProcessId));
            if (Process)
            {
                InJob = FALSE;
                if (Job) InJob = (NtIsProcessInJob(Process, Job) == STATUS_PROCESS_IN_JOB);
                else InJob = (NtIsProcessInJob(Process, NULL) == STATUS_PROCESS_NOT_IN_JOB);
                if (InJob)
                {
                    Count++;
                    if (Visit) Visit(Context, HandleToUlong(Entry->UniqueProcessId), &Entry->ImageName,
                                     Entry->CreateTime.QuadPart);
                }
                CloseHandle(Process);
            }
        }
        if (!Entry->NextEntryOffset) break;
    }
    HeapFree(GetProcessHeap(), 0, List);
    return Count;
}

typedef struct _PROCESS_PICK
{
    ULONG Pid;
    LONGLONG CreateTime;
    BOOL Seen;
} PROCESS_PICK, *PPROCESS_PICK;

static
VOID
PickEarliest(
    _In_ PVOID Context,
    _In_ ULONG Pid,
    _In_ PCUNICODE_STRING Image,
    _In_ LONGLONG CreateTime)
{
    PPROCESS_PICK Pick = Context;

    UNREFERENCED_PARAMETER(Image);
    if (!Pick->Seen || CreateTime < Pick->CreateTime)
    {
        Pick->Pid = Pid;
        Pick->CreateTime = CreateTime;
        Pick->Seen = TRUE;
    }
}

/* The id (0: none) and creation time of the earliest ImageName process in Job (NULL: in no job) */
ULONG
EarliestProcessIn(
    _In_opt_ HANDLE Job,
    _In_ PCWSTR ImageName,
    _Out_opt_ PLONGLONG CreateTime)
{
    PROCESS_PICK Pick;

    ZeroMemory(&Pick, sizeof(Pick));
    ForEachProcessIn(Job, ImageName, PickEarliest, &Pick);
    if (CreateTime) *CreateTime = Pick.CreateTime;
    return Pick.Pid;
}

/*
 * Kills the earliest ImageName process of the silo (a critical one: its SMSS
 * or CSRSS) and waits for the silo to end. STATUS_SUCCESS once it is
 * TERMINATED (Basic then holds its exit status); STATUS_NOT_FOUND if no such
 * process runs in it; STATUS_TIMEOUT if the silo did not end.
 */
NTSTATUS
KillSiloProcess(
    _In_ HANDLE Silo,
    _In_ PCWSTR ImageName,
    _Out_ PSERVERSILO_BASIC_INFORMATION Basic)
{
    HANDLE Process;

    ZeroMemory(Basic, sizeof(*Basic));
    Process = OpenProcess(PROCESS_TERMINATE, FALSE, EarliestProcessIn(Silo, ImageName, NULL));
    if (!Process) return STATUS_NOT_FOUND;
    TerminateProcess(Process, STATUS_UNSUCCESSFUL);
    CloseHandle(Process);
    return WaitServerSiloState(Silo, SERVERSILO_TERMINATED, Basic) ? STATUS_SUCCESS : STATUS_TIMEOUT;
}

/* The test needs SeTcbPrivilege and a connection to the host's SMSS; FALSE (checked) without them */
BOOL
ConnectToHostSm(
    _Out_ PHANDLE SmPort)
{
    NTSTATUS Status;

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available\n");
    Status = SmConnectToSm(NULL, NULL, 0, SmPort);
    ok(Status == STATUS_SUCCESS, "SmConnectToSm: 0x%08lx\n", Status);
    return NT_SUCCESS(Status);
}
