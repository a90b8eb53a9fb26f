/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The attacker of the escape battery: a SYSTEM process in a server
 *              silo, every privilege enabled, trying to reach the host
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"
#include <ndk/mmfuncs.h>
#include "escape.h"

#define ESCAPE_LIST_BYTES           (512 * 1024)

static
BOOLEAN
IsHostPid(
    _In_ PESCAPE_INPUT Input,
    _In_ ULONG_PTR Pid)
{
    return (Pid == (ULONG_PTR)Input->HostPid) ||
           (Pid == (ULONG_PTR)Input->HostCsrssPid) ||
           (Pid == (ULONG_PTR)Input->HostSilotestPid);
}

/* Opens a process or thread by a client id; Missing gets the status for an id that does not exist */
static
NTSTATUS
OpenByCid(
    _In_ BOOLEAN Thread,
    _In_opt_ HANDLE Pid,
    _In_opt_ HANDLE Tid,
    _Out_ PULONG_PTR Missing)
{
    OBJECT_ATTRIBUTES Attributes;
    CLIENT_ID Cid, NoSuchCid;
    HANDLE Handle;
    NTSTATUS Status;

    InitializeObjectAttributes(&Attributes, NULL, 0, NULL, NULL);
    Cid.UniqueProcess = Pid;
    Cid.UniqueThread = Tid;
    NoSuchCid.UniqueProcess = Pid ? ESCAPE_NO_SUCH_ID : NULL;
    NoSuchCid.UniqueThread = Tid ? ESCAPE_NO_SUCH_ID : NULL;

    if (Thread)
    {
        Status = NtOpenThread(&Handle, THREAD_ALL_ACCESS, &Attributes, &Cid);
        if (NT_SUCCESS(Status)) NtClose(Handle);
        *Missing = (ULONG_PTR)NtOpenThread(&Handle, THREAD_ALL_ACCESS, &Attributes, &NoSuchCid);
    }
    else
    {
        Status = NtOpenProcess(&Handle, PROCESS_ALL_ACCESS, &Attributes, &Cid);
        if (NT_SUCCESS(Status)) NtClose(Handle);
        *Missing = (ULONG_PTR)NtOpenProcess(&Handle, PROCESS_ALL_ACCESS, &Attributes, &NoSuchCid);
    }
    if (NT_SUCCESS(*Missing)) NtClose(Handle);
    return Status;
}

static
PVOID
QueryList(
    _In_ SYSTEM_INFORMATION_CLASS Class,
    _Out_ PNTSTATUS Status)
{
    PVOID Buffer = HeapAlloc(GetProcessHeap(), 0, ESCAPE_LIST_BYTES);

    if (Buffer == NULL)
    {
        *Status = STATUS_NO_MEMORY;
        return NULL;
    }
    *Status = NtQuerySystemInformation(Class, Buffer, ESCAPE_LIST_BYTES, NULL);
    if (NT_SUCCESS(*Status)) return Buffer;
    HeapFree(GetProcessHeap(), 0, Buffer);
    return NULL;
}

/* The host's processes in the process list: how many, and whether the attacker saw itself */
static
NTSTATUS
ListProcesses(
    _In_ PESCAPE_INPUT Input,
    _Out_ PULONG_PTR Extra)
{
    PSYSTEM_PROCESS_INFORMATION Entry;
    NTSTATUS Status;
    PVOID List = QueryList(SystemProcessInformation, &Status);
    ULONG_PTR Seen = 0;

    *Extra = 0;
    if (List == NULL) return Status;
    for (Entry = List; ; Entry = (PSYSTEM_PROCESS_INFORMATION)((PUCHAR)Entry + Entry->NextEntryOffset))
    {
        ULONG_PTR Pid = (ULONG_PTR)Entry->UniqueProcessId;

        if (Pid == (ULONG_PTR)NtCurrentTeb()->ClientId.UniqueProcess) Seen |= ESCAPE_LIST_SAW_ITSELF;
        else if (IsHostPid(Input, Pid) || Pid == 0) Seen++;
        if (Entry->NextEntryOffset == 0) break;
    }
    HeapFree(GetProcessHeap(), 0, List);
    *Extra = Seen;
    return STATUS_SUCCESS;
}

/* The host's handles in a handle list (class 16 or 64) */
static
NTSTATUS
ListHandles(
    _In_ PESCAPE_INPUT Input,
    _In_ BOOLEAN Extended,
    _Out_ PULONG_PTR Extra)
{
    NTSTATUS Status;
    PVOID List = QueryList(Extended ? SystemExtendedHandleInformation : SystemHandleInformation, &Status);
    ULONG_PTR Seen = 0, Count, i, Pid;

    *Extra = 0;
    if (List == NULL) return Status;
    Count = Extended ? ((PSYSTEM_HANDLE_INFORMATION_EX)List)->NumberOfHandles
                     : ((PSYSTEM_HANDLE_INFORMATION)List)->NumberOfHandles;
    for (i = 0; i < Count; i++)
    {
        Pid = Extended ? ((PSYSTEM_HANDLE_INFORMATION_EX)List)->Handles[i].UniqueProcessId
                       : ((PSYSTEM_HANDLE_INFORMATION)List)->Handles[i].UniqueProcessId;
        if (Pid == (ULONG_PTR)NtCurrentTeb()->ClientId.UniqueProcess) Seen |= ESCAPE_LIST_SAW_ITSELF;
        else if (IsHostPid(Input, Pid)) Seen++;
    }
    HeapFree(GetProcessHeap(), 0, List);
    *Extra = Seen;
    return STATUS_SUCCESS;
}

static
NTSTATUS
RaiseHandle(
    _In_ HANDLE Source,
    _In_ ACCESS_MASK Access)
{
    HANDLE Raised;
    NTSTATUS Status;

    Status = NtDuplicateObject(NtCurrentProcess(), Source, NtCurrentProcess(), &Raised, Access, 0, 0);
    if (NT_SUCCESS(Status)) NtClose(Raised);
    return Status;
}

/* A child without a section: a clone of this process, which used to take the machine down */
static
NTSTATUS
CloneSelf(VOID)
{
    HANDLE Process;
    NTSTATUS Status;

    Status = NtCreateProcessEx(&Process, PROCESS_ALL_ACCESS, NULL, NtCurrentProcess(), 0, NULL, NULL, NULL, 0);
    if (NT_SUCCESS(Status))
    {
        NtTerminateProcess(Process, STATUS_SUCCESS);
        NtClose(Process);
    }
    return Status;
}

static
NTSTATUS
RunAttack(
    _In_ PESCAPE_INPUT Input,
    _In_ ESCAPE_ATTACK Attack,
    _Out_ PULONG_PTR Extra)
{
    *Extra = 0;
    switch (Attack)
    {
        case EscapeOpenHostProcess:
            return OpenByCid(FALSE, Input->HostPid, NULL, Extra);
        case EscapeOpenHostProcessByCid:
            return OpenByCid(FALSE, Input->HostPid, Input->HostTid, Extra);
        case EscapeOpenHostThread:
            return OpenByCid(TRUE, NULL, Input->HostTid, Extra);
        case EscapeOpenHostThreadByCid:
            return OpenByCid(TRUE, Input->HostPid, Input->HostTid, Extra);
        case EscapeOpenHostCsrss:
            return OpenByCid(FALSE, Input->HostCsrssPid, NULL, Extra);
        case EscapeListProcesses:
            return ListProcesses(Input, Extra);
        case EscapeListHandles:
            return ListHandles(Input, FALSE, Extra);
        case EscapeListHandlesEx:
            return ListHandles(Input, TRUE, Extra);
        case EscapeParentSpoof:
            return EscapeCreateProcessUnder(Input->HostProcessCreate);
        case EscapeRaiseProcessHandle:
            return RaiseHandle(Input->HostProcessQuery, PROCESS_ALL_ACCESS);
        case EscapeCloneProcess:
            return CloneSelf();
        default:
            break;
    }

    return EscapeCall(Attack, FALSE);
}

/*
 * Silo side of the battery ("silotest child escape"): waits for the host's
 * "go", runs every attack and leaves the statuses in the exchange section.
 * The exit code is 0 when the exchange worked; the verdict is the host's.
 */
DWORD
EscapeFromSilo(VOID)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;
    LARGE_INTEGER Timeout;
    HANDLE Section, Go;
    PESCAPE_EXCHANGE Exchange = NULL;
    SIZE_T ViewSize = 0;
    ULONG Attack;
    NTSTATUS Status;

    EscapeInitName(&Attributes, &NameString, L"\\BaseNamedObjects\\" ESCAPE_GO_EVENT_NAME, 0, NULL);
    Status = NtOpenEvent(&Go, SYNCHRONIZE, &Attributes);
    if (!NT_SUCCESS(Status)) return Status;
    Timeout.QuadPart = -10000LL * ESCAPE_GO_TIMEOUT_MS;
    Status = NtWaitForSingleObject(Go, FALSE, &Timeout);
    NtClose(Go);
    if (Status != STATUS_WAIT_0) return STATUS_TIMEOUT;

    EscapeInitName(&Attributes, &NameString, L"\\BaseNamedObjects\\" ESCAPE_SECTION_NAME, 0, NULL);
    Status = NtOpenSection(&Section, SECTION_MAP_READ | SECTION_MAP_WRITE, &Attributes);
    if (!NT_SUCCESS(Status)) return Status;
    Status = NtMapViewOfSection(Section, NtCurrentProcess(), (PVOID*)&Exchange, 0, 0, NULL, &ViewSize,
                                ViewUnmap, 0, PAGE_READWRITE);
    NtClose(Section);
    if (!NT_SUCCESS(Status)) return Status;

    Exchange->Result.OwnPid = NtCurrentTeb()->ClientId.UniqueProcess;
    Exchange->Result.PrivilegesEnabled = EscapeEnableAllPrivileges();
    for (Attack = 0; Attack < EscapeAttackCount; Attack++)
    {
        Exchange->Result.Status[Attack] = RunAttack(&Exchange->Input,
                                                    (ESCAPE_ATTACK)Attack,
                                                    &Exchange->Result.Extra[Attack]);
        Exchange->Result.Ran = Attack + 1;
    }

    NtUnmapViewOfSection(NtCurrentProcess(), Exchange);
    return ERROR_SUCCESS;
}
