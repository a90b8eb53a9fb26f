/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Proves the harness loop: the guest lists its processes
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define PROCESS_LIST_INITIAL_SIZE   (64 * 1024)
#define PROCESS_LIST_MAX_SIZE       (4 * 1024 * 1024)

static
PSYSTEM_PROCESS_INFORMATION
QueryProcessList(VOID)
{
    ULONG Size = PROCESS_LIST_INITIAL_SIZE;
    NTSTATUS Status;
    PVOID Buffer;

    for (;;)
    {
        Buffer = HeapAlloc(GetProcessHeap(), 0, Size);
        if (!Buffer)
            return NULL;
        Status = NtQuerySystemInformation(SystemProcessInformation, Buffer, Size, NULL);
        if (NT_SUCCESS(Status))
            return Buffer;
        HeapFree(GetProcessHeap(), 0, Buffer);
        if (Status != STATUS_INFO_LENGTH_MISMATCH || Size >= PROCESS_LIST_MAX_SIZE)
        {
            ok(FALSE, "NtQuerySystemInformation returned 0x%08lx\n", Status);
            return NULL;
        }
        Size *= 2;
    }
}

static
ULONG
CountImage(
    _In_ PSYSTEM_PROCESS_INFORMATION List,
    _In_ PCWSTR ImageName)
{
    PSYSTEM_PROCESS_INFORMATION Entry = List;
    ULONG Count = 0;

    for (;;)
    {
        if (Entry->ImageName.Buffer && !_wcsicmp(Entry->ImageName.Buffer, ImageName))
            Count++;
        if (!Entry->NextEntryOffset)
            return Count;
        Entry = (PSYSTEM_PROCESS_INFORMATION)((PUCHAR)Entry + Entry->NextEntryOffset);
    }
}

START_TEST(processes)
{
    PSYSTEM_PROCESS_INFORMATION List, Entry;
    ULONG_PTR OwnId = GetCurrentProcessId();
    BOOLEAN FoundSelf = FALSE;
    ULONG Total = 0;

    List = QueryProcessList();
    ok(List != NULL, "no process list\n");
    if (!List)
        return;

    for (Entry = List; ; Entry = (PSYSTEM_PROCESS_INFORMATION)((PUCHAR)Entry + Entry->NextEntryOffset))
    {
        Total++;
        if ((ULONG_PTR)Entry->UniqueProcessId == OwnId)
            FoundSelf = TRUE;
        trace("pid %4Iu parent %4Iu threads %2lu %.*ls\n", (ULONG_PTR)Entry->UniqueProcessId,
              (ULONG_PTR)Entry->InheritedFromUniqueProcessId, Entry->NumberOfThreads,
              (int)(Entry->ImageName.Length / sizeof(WCHAR)),
              Entry->ImageName.Buffer ? Entry->ImageName.Buffer : L"");
        if (!Entry->NextEntryOffset)
            break;
    }

    ok(FoundSelf, "own process %Iu is not listed\n", OwnId);
    ok(CountImage(List, L"smss.exe") == 1, "expected one smss.exe\n");
    ok(CountImage(List, L"csrss.exe") == 1, "expected one csrss.exe\n");
    ok(CountImage(List, L"winlogon.exe") == 1, "expected one winlogon.exe\n");
    ok(Total >= 5, "only %lu processes\n", Total);
    trace("%lu processes\n", Total);

    HeapFree(GetProcessHeap(), 0, List);
}
