/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Helpers of the silo tests: jobs, silos, child processes, counters
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define SILOTEST_COMMAND_CHARS      (MAX_PATH + 64)
#define SILOTEST_DIRECTORY_BYTES    1024
#define SILO_ROOT_ALL_FLAGS         SILO_OBJECT_ROOT_DIRECTORY_ALL

NTSTATUS
CreateJob(
    _Out_ PHANDLE Job,
    _In_ ULONG LimitFlags)
{
    NTSTATUS Status;

    *Job = NULL;
    Status = NtCreateJobObject(Job, JOB_OBJECT_ALL_ACCESS, NULL);
    if (!NT_SUCCESS(Status)) return Status;
    if (LimitFlags == 0) return Status;

    Status = SetJobLimitFlags(*Job, LimitFlags);
    if (!NT_SUCCESS(Status))
    {
        NtClose(*Job);
        *Job = NULL;
    }
    return Status;
}

NTSTATUS
SetJobLimitFlags(
    _In_ HANDLE Job,
    _In_ ULONG LimitFlags)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;

    ZeroMemory(&Limits, sizeof(Limits));
    Limits.BasicLimitInformation.LimitFlags = LimitFlags;
    return NtSetInformationJobObject(Job, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits));
}

NTSTATUS
MakeSilo(
    _Out_ PHANDLE Job)
{
    NTSTATUS Status;

    Status = CreateJob(Job, JOB_OBJECT_LIMIT_SILO_READY);
    if (!NT_SUCCESS(Status)) return Status;

    Status = NtSetInformationJobObject(*Job, JobObjectCreateSilo, NULL, 0);
    if (!NT_SUCCESS(Status))
    {
        NtClose(*Job);
        *Job = NULL;
    }
    return Status;
}

static
NTSTATUS
MakeServerSiloWith(
    _Out_ PHANDLE Job,
    _In_opt_ HANDLE DeleteEvent,
    _In_opt_ PCWSTR SystemRoot,
    _In_opt_ SILO_PREPARE Prepare,
    _In_opt_ PVOID Context);

/* The host's sequence: job, silo ready, silo, root directory, system root, initialize */
NTSTATUS
MakeServerSilo(
    _Out_ PHANDLE Job,
    _In_opt_ HANDLE DeleteEvent,
    _In_opt_ PCWSTR SystemRoot)
{
    NTSTATUS Status = MakeServerSiloKeep(Job, DeleteEvent, SystemRoot);

    if (!NT_SUCCESS(Status) && *Job)
    {
        NtClose(*Job);
        *Job = NULL;
    }
    return Status;
}

/* The same, but a job whose initialization failed stays open for inspection */
NTSTATUS
MakeServerSiloKeep(
    _Out_ PHANDLE Job,
    _In_opt_ HANDLE DeleteEvent,
    _In_opt_ PCWSTR SystemRoot)
{
    return MakeServerSiloWith(Job, DeleteEvent, SystemRoot, NULL, NULL);
}

/* A server silo whose configuration Prepare sets before the initialize; closed when it fails */
NTSTATUS
MakeServerSiloPrepared(
    _Out_ PHANDLE Job,
    _In_opt_ PCWSTR SystemRoot,
    _In_opt_ SILO_PREPARE Prepare,
    _In_opt_ PVOID Context)
{
    NTSTATUS Status = MakeServerSiloWith(Job, NULL, SystemRoot, Prepare, Context);

    if (!NT_SUCCESS(Status) && *Job)
    {
        NtClose(*Job);
        *Job = NULL;
    }
    return Status;
}

static
NTSTATUS
MakeServerSiloWith(
    _Out_ PHANDLE Job,
    _In_opt_ HANDLE DeleteEvent,
    _In_opt_ PCWSTR SystemRoot,
    _In_opt_ SILO_PREPARE Prepare,
    _In_opt_ PVOID Context)
{
    SILOOBJECT_ROOT_DIRECTORY Root;
    SERVERSILO_INIT_INFORMATION Init;
    UNICODE_STRING RootString;
    NTSTATUS Status;

    *Job = NULL;
    Status = MakeSilo(Job);
    if (!NT_SUCCESS(Status)) return Status;

    ZeroMemory(&Root, sizeof(Root));
    Root.ControlFlags = SILO_ROOT_ALL_FLAGS;
    Status = NtSetInformationJobObject(*Job, JobObjectSiloRootDirectory, &Root, sizeof(Root));

    if (NT_SUCCESS(Status) && SystemRoot)
    {
        RtlInitUnicodeString(&RootString, SystemRoot);
        Status = NtSetInformationJobObject(*Job, JobObjectSiloSystemRoot, &RootString, sizeof(RootString));
    }

    if (NT_SUCCESS(Status) && Prepare) Status = Prepare(*Job, Context);

    if (NT_SUCCESS(Status))
    {
        ZeroMemory(&Init, sizeof(Init));
        Init.DeleteEvent = DeleteEvent;
        Status = NtSetInformationJobObject(*Job, JobObjectServerSiloInitialize, &Init, sizeof(Init));
    }
    return Status;
}

ULONG
GetSiloId(
    _In_ HANDLE Job)
{
    SILOOBJECT_BASIC_INFORMATION Basic;

    if (!NT_SUCCESS(NtQueryInformationJobObject(Job, JobObjectSiloBasicInformation,
                                                &Basic, sizeof(Basic), NULL)))
    {
        return 0;
    }
    return Basic.SiloId;
}

BOOL
SpawnChild(
    _In_ PCSTR Mode,
    _In_opt_ PCSTR Argument,
    _In_ BOOL Suspended,
    _In_ DWORD CreationFlags,
    _Out_ PPROCESS_INFORMATION ProcessInfo)
{
    return SpawnChildEx(Mode, Argument, Suspended, CreationFlags, FALSE, ProcessInfo);
}

/* The same, and the child inherits the inheritable handles (with their values) */
BOOL
SpawnChildEx(
    _In_ PCSTR Mode,
    _In_opt_ PCSTR Argument,
    _In_ BOOL Suspended,
    _In_ DWORD CreationFlags,
    _In_ BOOL InheritHandles,
    _Out_ PPROCESS_INFORMATION ProcessInfo)
{
    CHAR Image[MAX_PATH];
    CHAR CommandLine[SILOTEST_COMMAND_CHARS];
    STARTUPINFOA StartupInfo;

    ZeroMemory(ProcessInfo, sizeof(*ProcessInfo));
    if (!GetModuleFileNameA(NULL, Image, sizeof(Image))) return FALSE;

    _snprintf(CommandLine, sizeof(CommandLine), "\"%s\" child %s %s",
              Image, Mode, Argument ? Argument : "");
    CommandLine[sizeof(CommandLine) - 1] = ANSI_NULL;

    ZeroMemory(&StartupInfo, sizeof(StartupInfo));
    StartupInfo.cb = sizeof(StartupInfo);
    return CreateProcessA(Image, CommandLine, NULL, NULL, InheritHandles,
                          CreationFlags | (Suspended ? CREATE_SUSPENDED : 0),
                          NULL, NULL, &StartupInfo, ProcessInfo);
}

/* The scratch disk's letter, found by its label; 0 when the boot has none */
WCHAR
FindScratchLetter(VOID)
{
    WCHAR Root[] = L"?:\\", Label[MAX_PATH];
    DWORD Drives = GetLogicalDrives();
    WCHAR Letter;

    for (Letter = L'C'; Letter <= L'Z'; Letter++)
    {
        if (!(Drives & (1UL << (Letter - L'A')))) continue;
        Root[0] = Letter;
        if (GetDriveTypeW(Root) != DRIVE_FIXED) continue;
        if (GetVolumeInformationW(Root, Label, ARRAYSIZE(Label), NULL, NULL, NULL, NULL, 0) &&
            !_wcsicmp(Label, SCRATCH_DISK_LABEL))
        {
            return Letter;
        }
    }
    return 0;
}

/* Opens an NT path for synchronous I/O and closes it at once: the status of the open */
NTSTATUS
OpenAndCloseFile(
    _In_ PCWSTR Name,
    _In_ ACCESS_MASK DesiredAccess,
    _In_ ULONG ShareAccess)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;
    IO_STATUS_BLOCK Io;
    HANDLE File;
    NTSTATUS Status;

    RtlInitUnicodeString(&NameString, Name);
    InitializeObjectAttributes(&Attributes, &NameString, OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status = NtOpenFile(&File, DesiredAccess, &Attributes, &Io, ShareAccess, FILE_SYNCHRONOUS_IO_NONALERT);
    if (NT_SUCCESS(Status)) NtClose(File);
    return Status;
}

/* The child's exit code, or STILL_ACTIVE if it did not end in time */
DWORD
WaitChild(
    _In_ PPROCESS_INFORMATION ProcessInfo)
{
    DWORD ExitCode = STILL_ACTIVE;

    if (WaitForSingleObject(ProcessInfo->hProcess, SILOTEST_WAIT_MS) == WAIT_OBJECT_0)
    {
        GetExitCodeProcess(ProcessInfo->hProcess, &ExitCode);
    }
    return ExitCode;
}

void
CloseChild(
    _In_ PPROCESS_INFORMATION ProcessInfo)
{
    if (ProcessInfo->hThread) CloseHandle(ProcessInfo->hThread);
    if (ProcessInfo->hProcess)
    {
        /* Never leave a child behind, even when a check failed */
        TerminateProcess(ProcessInfo->hProcess, ERROR_CANCELLED);
        CloseHandle(ProcessInfo->hProcess);
    }
    ZeroMemory(ProcessInfo, sizeof(*ProcessInfo));
}

ULONG
ActiveProcesses(
    _In_ HANDLE Job)
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION Accounting;

    if (!NT_SUCCESS(NtQueryInformationJobObject(Job, JobObjectBasicAccountingInformation,
                                                &Accounting, sizeof(Accounting), NULL)))
    {
        return MAXULONG;
    }
    return Accounting.ActiveProcesses;
}

/* Polls until the job counts Expected active processes */
BOOL
WaitActiveProcesses(
    _In_ HANDLE Job,
    _In_ ULONG Expected)
{
    DWORD Start = GetTickCount();

    while (ActiveProcesses(Job) != Expected)
    {
        if (GetTickCount() - Start > SILOTEST_WAIT_MS) return FALSE;
        Sleep(SILOTEST_POLL_MS);
    }
    return TRUE;
}

BOOL
EnableTcb(
    _In_ BOOL Enable)
{
    BOOLEAN WasEnabled;

    return NT_SUCCESS(RtlAdjustPrivilege(SE_TCB_PRIVILEGE, (BOOLEAN)Enable, FALSE, &WasEnabled));
}

BOOL
EnablePrivilege(
    _In_ ULONG Privilege)
{
    BOOLEAN WasEnabled;

    return NT_SUCCESS(RtlAdjustPrivilege(Privilege, TRUE, FALSE, &WasEnabled));
}

/* Polls until the server silo reaches State; Basic gets its last information */
BOOL
WaitServerSiloState(
    _In_ HANDLE Silo,
    _In_ SERVERSILO_STATE State,
    _Out_opt_ PSERVERSILO_BASIC_INFORMATION Basic)
{
    SERVERSILO_BASIC_INFORMATION Local;
    DWORD Start = GetTickCount();

    if (!Basic) Basic = &Local;
    for (;;)
    {
        ZeroMemory(Basic, sizeof(*Basic));
        if (NT_SUCCESS(NtQueryInformationJobObject(Silo, JobObjectServerSiloBasicInformation,
                                                   Basic, sizeof(*Basic), NULL)) &&
            Basic->State == State)
        {
            return TRUE;
        }
        if (GetTickCount() - Start > SILOTEST_WAIT_MS) return FALSE;
        Sleep(SILOTEST_POLL_MS);
    }
}

/* The system's process list (free it with HeapFree), or NULL */
PSYSTEM_PROCESS_INFORMATION
QueryProcessList(VOID)
{
    ULONG Size = 0x10000;
    PVOID Buffer;
    NTSTATUS Status;

    for (;;)
    {
        Buffer = HeapAlloc(GetProcessHeap(), 0, Size);
        if (!Buffer) return NULL;
        Status = NtQuerySystemInformation(SystemProcessInformation, Buffer, Size, NULL);
        if (NT_SUCCESS(Status)) return Buffer;
        HeapFree(GetProcessHeap(), 0, Buffer);
        if (Status != STATUS_INFO_LENGTH_MISMATCH) return NULL;
        Size *= 2;
    }
}

/* Processes alive in the whole system, or only those running ImageName */
ULONG
CountProcesses(
    _In_opt_ PCWSTR ImageName)
{
    PSYSTEM_PROCESS_INFORMATION List = QueryProcessList(), Entry;
    ULONG Count = 0;

    if (!List) return MAXULONG;
    for (Entry = List; ; Entry = (PSYSTEM_PROCESS_INFORMATION)((PUCHAR)Entry + Entry->NextEntryOffset))
    {
        if (!ImageName || (Entry->ImageName.Buffer && !_wcsicmp(Entry->ImageName.Buffer, ImageName))) Count++;
        if (!Entry->NextEntryOffset) break;
    }
    HeapFree(GetProcessHeap(), 0, List);
    return Count;
}

ULONG
NonPagedPoolPages(VOID)
{
    SYSTEM_PERFORMANCE_INFORMATION Performance;

    if (!NT_SUCCESS(NtQuerySystemInformation(SystemPerformanceInformation, &Performance,
                                             sizeof(Performance), NULL)))
    {
        return MAXULONG;
    }
    return Performance.NonPagedPoolPages;
}

/* Job objects alive in the whole system (not counting the probe) */
ULONG
CountJobObjects(VOID)
{
    ULONG_PTR Buffer[SILOTEST_TYPE_INFO_BYTES / sizeof(ULONG_PTR)];
    POBJECT_TYPE_INFORMATION TypeInfo = (POBJECT_TYPE_INFORMATION)Buffer;
    HANDLE Probe;
    ULONG Count = MAXULONG;

    if (!NT_SUCCESS(NtCreateJobObject(&Probe, JOB_OBJECT_QUERY, NULL))) return MAXULONG;
    if (NT_SUCCESS(NtQueryObject(Probe, ObjectTypeInformation, TypeInfo, sizeof(Buffer), NULL)))
    {
        Count = TypeInfo->TotalNumberOfObjects - 1;
    }
    NtClose(Probe);
    return Count;
}

static
NTSTATUS
OpenSilosDirectory(
    _Out_ PHANDLE Directory)
{
    UNICODE_STRING Name = RTL_CONSTANT_STRING(L"\\Silos");
    OBJECT_ATTRIBUTES Attributes;

    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    return NtOpenDirectoryObject(Directory, DIRECTORY_QUERY | DIRECTORY_TRAVERSE, &Attributes);
}

/* Entries of \Silos (0 when it does not exist yet) */
ULONG
CountSiloDirectories(VOID)
{
    ULONG_PTR Buffer[SILOTEST_DIRECTORY_BYTES / sizeof(ULONG_PTR)];
    HANDLE Directory;
    ULONG Context = 0, Count = 0;
    NTSTATUS Status;

    if (!NT_SUCCESS(OpenSilosDirectory(&Directory))) return 0;
    for (;;)
    {
        Status = NtQueryDirectoryObject(Directory, Buffer, sizeof(Buffer), TRUE, Count == 0,
                                        &Context, NULL);
        if (!NT_SUCCESS(Status)) break;
        Count++;
    }
    NtClose(Directory);
    return Count;
}

BOOL
SiloDirectoryExists(
    _In_ ULONG SiloId)
{
    WCHAR Path[32];
    UNICODE_STRING Name;
    OBJECT_ATTRIBUTES Attributes;
    HANDLE Directory;

    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu", SiloId);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&Name, Path);
    InitializeObjectAttributes(&Attributes, &Name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (!NT_SUCCESS(NtOpenDirectoryObject(&Directory, DIRECTORY_QUERY, &Attributes))) return FALSE;
    NtClose(Directory);
    return TRUE;
}

ULONG
CountOwnHandles(VOID)
{
    ULONG Count;

    if (!NT_SUCCESS(NtQueryInformationProcess(NtCurrentProcess(), ProcessHandleCount,
                                              &Count, sizeof(Count), NULL)))
    {
        return MAXULONG;
    }
    return Count;
}

/* The kernel's pool tag table (free it with HeapFree), or NULL */
PSYSTEM_POOLTAG_INFORMATION
QueryPoolTags(VOID)
{
    PSYSTEM_POOLTAG_INFORMATION Info;
    ULONG Size = SILOTEST_POOL_TAG_BYTES;
    NTSTATUS Status;

    for (;;)
    {
        Info = HeapAlloc(GetProcessHeap(), 0, Size);
        if (!Info) return NULL;
        Status = NtQuerySystemInformation(SystemPoolTagInformation, Info, Size, NULL);
        if (Status != STATUS_INFO_LENGTH_MISMATCH) break;
        HeapFree(GetProcessHeap(), 0, Info);
        Size *= 2;
    }
    if (NT_SUCCESS(Status)) return Info;
    HeapFree(GetProcessHeap(), 0, Info);
    return NULL;
}

static
LONG
OutstandingBlocks(
    _In_ const SYSTEM_POOLTAG *Tag)
{
    return (LONG)((Tag->PagedAllocs - Tag->PagedFrees) + (Tag->NonPagedAllocs - Tag->NonPagedFrees));
}

/* Traces each pool tag whose outstanding blocks grew since Before (a snapshot of QueryPoolTags) */
VOID
TracePoolTagGrowth(
    _In_ PCSTR Name,
    _In_ PSYSTEM_POOLTAG_INFORMATION Before)
{
    PSYSTEM_POOLTAG_INFORMATION After = QueryPoolTags();
    ULONG i, j;
    LONG Old;

    if (!After) return;
    for (i = 0; i < After->Count; i++)
    {
        for (j = 0, Old = 0; j < Before->Count; j++)
        {
            if (Before->TagInfo[j].TagUlong == After->TagInfo[i].TagUlong) Old = OutstandingBlocks(&Before->TagInfo[j]);
        }
        if (OutstandingBlocks(&After->TagInfo[i]) > Old)
        {
            trace("%s: pool tag %.4s: %ld -> %ld blocks (nonpaged %Iu bytes)\n", Name,
                  (PCSTR)After->TagInfo[i].Tag, Old, OutstandingBlocks(&After->TagInfo[i]),
                  After->TagInfo[i].NonPagedUsed);
        }
    }
    HeapFree(GetProcessHeap(), 0, After);
}

/* Pool blocks the kernel holds under the silo pool tags (allocations not yet freed), or MAXULONG */
ULONG
SiloPoolBlocks(VOID)
{
    static const ULONG Tags[] = SILOTEST_SILO_POOL_TAGS;
    PSYSTEM_POOLTAG_INFORMATION Info = QueryPoolTags();
    ULONG Blocks = 0, i, j;

    if (!Info) return MAXULONG;
    for (i = 0; i < Info->Count; i++)
    {
        for (j = 0; j < ARRAYSIZE(Tags); j++)
        {
            if (Info->TagInfo[i].TagUlong == Tags[j]) Blocks += OutstandingBlocks(&Info->TagInfo[i]);
        }
    }
    HeapFree(GetProcessHeap(), 0, Info);
    return Blocks;
}

/* Handle values of this process, for telling which handle a count that grew is */
ULONG
ListOwnHandles(
    _Out_writes_(Max) PUSHORT Values,
    _Out_writes_(Max) PUCHAR Types,
    _In_ ULONG Max)
{
    PSYSTEM_HANDLE_INFORMATION Info = NULL;
    ULONG Size = SILOTEST_POOL_TAG_BYTES, Count = 0, i;
    NTSTATUS Status;

    for (;;)
    {
        Info = HeapAlloc(GetProcessHeap(), 0, Size);
        if (!Info) return 0;
        Status = NtQuerySystemInformation(SystemHandleInformation, Info, Size, NULL);
        if (Status != STATUS_INFO_LENGTH_MISMATCH) break;
        HeapFree(GetProcessHeap(), 0, Info);
        Size *= 2;
    }
    for (i = 0; NT_SUCCESS(Status) && i < Info->NumberOfHandles && Count < Max; i++)
    {
        if (Info->Handles[i].UniqueProcessId != GetCurrentProcessId()) continue;
        Values[Count] = Info->Handles[i].HandleValue;
        Types[Count++] = Info->Handles[i].ObjectTypeIndex;
    }
    HeapFree(GetProcessHeap(), 0, Info);
    return Count;
}

/*
 * Whether Handle is the event a critical section of this process made when
 * it first met contention (RTL_CRITICAL_SECTION.LockSemaphore): the runtime's,
 * kept for the section's life, not a leak. Found through the process's list
 * of critical sections, reached from a probe section's debug record; the
 * list's head lives in ntdll and is no record, which the record's pointer
 * back from its section tells.
 */
BOOL
IsCriticalSectionEvent(
    _In_ HANDLE Handle)
{
    CRITICAL_SECTION Probe;
    PLIST_ENTRY Head, Entry;
    PRTL_CRITICAL_SECTION_DEBUG Debug;
    ULONG Walked;
    BOOL Found = FALSE;

    InitializeCriticalSection(&Probe);
    if (!Probe.DebugInfo)
    {
        DeleteCriticalSection(&Probe);
        return FALSE;
    }
    Head = &Probe.DebugInfo->ProcessLocksList;
    for (Entry = Head->Flink, Walked = 0;
         Entry != Head && !Found && Walked < SILOTEST_MAX_CRITICAL_SECTIONS;
         Entry = Entry->Flink, Walked++)
    {
        Debug = CONTAINING_RECORD(Entry, RTL_CRITICAL_SECTION_DEBUG, ProcessLocksList);
        if (IsBadReadPtr(Debug, sizeof(*Debug)) ||
            IsBadReadPtr(Debug->CriticalSection, sizeof(*Debug->CriticalSection)) ||
            Debug->CriticalSection->DebugInfo != Debug)
        {
            continue;
        }
        Found = (Debug->CriticalSection->LockSemaphore == Handle);
    }
    DeleteCriticalSection(&Probe);
    return Found;
}

/* Processes (of ProcessImage, or all), own handles, job objects, \Silos entries, non-paged pool */
VOID
CountGuest(
    _In_opt_ PCWSTR ProcessImage,
    _Out_ PGUEST_COUNTS Counts)
{
    Counts->Processes = CountProcesses(ProcessImage);
    Counts->Handles = CountOwnHandles();
    Counts->JobObjects = CountJobObjects();
    Counts->SiloDirectories = CountSiloDirectories();
    Counts->NonPagedPages = NonPagedPoolPages();
    Counts->SiloPoolBlocks = SiloPoolBlocks();
}

/*
 * After a soak's cycles: waits (up to SOAK_SETTLE_MS) for process and job
 * objects to go with their last reference, prints the counts as a metric line
 * and checks that every one came back.
 */
VOID
CheckSoakCounts(
    _In_ PCSTR Metric,
    _In_ PCSTR ProcessesKey,
    _In_opt_ PCWSTR ProcessImage,
    _In_ ULONG Ended,
    _In_ const GUEST_COUNTS *Before)
{
    GUEST_COUNTS After;
    DWORD Start = GetTickCount();

    for (;;)
    {
        CountGuest(ProcessImage, &After);
        if ((After.Processes == Before->Processes && After.JobObjects == Before->JobObjects) ||
            GetTickCount() - Start >= SOAK_SETTLE_MS)
        {
            break;
        }
        Sleep(SILOTEST_POLL_MS);
    }

    trace("%s: cycles=%lu ended=%lu %s=%lu->%lu handles=%lu->%lu job_objects=%lu->%lu silo_dirs=%lu->%lu "
          "nonpaged_pages=%lu->%lu\n", Metric, (ULONG)SOAK_CYCLES, Ended, ProcessesKey, Before->Processes,
          After.Processes, Before->Handles, After.Handles, Before->JobObjects, After.JobObjects,
          Before->SiloDirectories, After.SiloDirectories, Before->NonPagedPages, After.NonPagedPages);
    ok(Ended == SOAK_CYCLES, "%s: %lu of %u silos ended\n", Metric, Ended, SOAK_CYCLES);
    ok(After.Processes == Before->Processes, "processes %lu -> %lu\n", Before->Processes, After.Processes);
    ok(After.Handles == Before->Handles, "handles %lu -> %lu\n", Before->Handles, After.Handles);
    ok(After.JobObjects == Before->JobObjects, "job objects %lu -> %lu\n", Before->JobObjects, After.JobObjects);
    ok(After.SiloDirectories == Before->SiloDirectories, "\\Silos entries %lu -> %lu\n",
       Before->SiloDirectories, After.SiloDirectories);
    ok(Before->NonPagedPages != MAXULONG && After.NonPagedPages <= Before->NonPagedPages + SOAK_POOL_SLACK_PAGES,
       "non-paged pool %lu -> %lu pages\n", Before->NonPagedPages, After.NonPagedPages);
}
