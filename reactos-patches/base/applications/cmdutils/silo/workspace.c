/*
 * PROJECT:     ReactOS Silo Workspace Utility
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Workspace definitions and the files that keep them
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

/*
 * A workspace is kept in <store>\<name>.silo, where <store> is %SILO_STORE%
 * or %SystemRoot%\silo. The file is ASCII text, one "key=value" per line,
 * ';' starts a comment line; every key is required once, no other is taken:
 *
 *     format=2
 *     name=work                   (the file's own name)
 *     registry=host-readonly      (host-readwrite, private-temporary, private-persistent)
 *     network=on                  (off)
 *     processes=8                 (0: no limit)
 *     memory-mb=64                (0: no limit)
 *     cpu-percent=50              (0: no cap)
 *     devices=\Device\Serial0     (lent beyond the default set, ';' between; may be empty)
 *
 * A format=1 file is the same without devices= (written before devices
 * could be lent); it is read with no devices lent.
 *
 * A file is written whole to <name>.silo.new and then moved over the old
 * one, so a failed write never leaves half a workspace.
 */

#include "silo.h"

#define WORKSPACE_LINE_CHARS    128
#define WORKSPACE_KEYS          8
#define WORKSPACE_DEVICES_KEY   7

static const struct
{
    SILO_REGISTRY_MODE Mode;
    PCWSTR Name;
} RegistryModes[] =
{
    { SiloRegistryHostReadOnly, L"host-readonly" },
    { SiloRegistryHostReadWrite, L"host-readwrite" },
    { SiloRegistryPrivateTemporary, L"private-temporary" },
    { SiloRegistryPrivatePersistent, L"private-persistent" },
};

BOOL
IsWorkspaceName(
    _In_ PCWSTR Name)
{
    SIZE_T Length = wcslen(Name), i;

    if (Length == 0 || Length > WORKSPACE_NAME_CHARS) return FALSE;
    for (i = 0; i < Length; i++)
    {
        if (!iswalnum(Name[i]) && Name[i] != L'-' && Name[i] != L'_') return FALSE;
        if (Name[i] > 0x7F) return FALSE;
    }
    return TRUE;
}

PCWSTR
RegistryModeName(
    _In_ SILO_REGISTRY_MODE Mode)
{
    ULONG i;

    for (i = 0; i < ARRAYSIZE(RegistryModes); i++)
    {
        if (RegistryModes[i].Mode == Mode) return RegistryModes[i].Name;
    }
    return L"unknown";
}

BOOL
ParseRegistryMode(
    _In_ PCWSTR Text,
    _Out_ PSILO_REGISTRY_MODE Mode)
{
    ULONG i;

    for (i = 0; i < ARRAYSIZE(RegistryModes); i++)
    {
        if (!_wcsicmp(Text, RegistryModes[i].Name))
        {
            *Mode = RegistryModes[i].Mode;
            return TRUE;
        }
    }
    return FALSE;
}

BOOL
GetWorkspaceStore(
    _Out_writes_(Chars) PWSTR Store,
    _In_ DWORD Chars)
{
    WCHAR Raw[MAX_PATH];
    DWORD Length;

    Length = GetEnvironmentVariableW(WORKSPACE_STORE_VARIABLE, Raw, ARRAYSIZE(Raw));
    if (Length == 0 || Length >= ARRAYSIZE(Raw))
    {
        wcscpy(Raw, WORKSPACE_STORE_DEFAULT);
    }
    Length = ExpandEnvironmentStringsW(Raw, Store, Chars);
    return (Length != 0 && Length <= Chars);
}

BOOL
GetWorkspacePath(
    _In_ PCWSTR Name,
    _Out_writes_(Chars) PWSTR Path,
    _In_ DWORD Chars)
{
    WCHAR Store[MAX_PATH];
    int Written;

    if (!IsWorkspaceName(Name) || !GetWorkspaceStore(Store, ARRAYSIZE(Store))) return FALSE;
    Written = _snwprintf(Path, Chars, L"%s\\%s%s", Store, Name, WORKSPACE_FILE_EXTENSION);
    return (Written > 0 && (DWORD)Written < Chars);
}

DWORD
WriteWorkspaceFile(
    _In_ const WORKSPACE *Workspace)
{
    WCHAR Store[MAX_PATH], Path[MAX_PATH], NewPath[MAX_PATH + 8];
    CHAR Text[WORKSPACE_FILE_BYTES];
    HANDLE File;
    DWORD Written, Error = ERROR_SUCCESS;
    int Length;

    if (!GetWorkspaceStore(Store, ARRAYSIZE(Store)) ||
        !GetWorkspacePath(Workspace->Name, Path, ARRAYSIZE(Path)))
    {
        return ERROR_BAD_PATHNAME;
    }
    if (!CreateDirectoryW(Store, NULL) && GetLastError() != ERROR_ALREADY_EXISTS) return GetLastError();

    Length = _snprintf(Text, sizeof(Text),
                       "; ReactOS silo workspace\r\n"
                       "format=%d\r\nname=%ls\r\nregistry=%ls\r\nnetwork=%s\r\n"
                       "processes=%lu\r\nmemory-mb=%lu\r\ncpu-percent=%lu\r\ndevices=%ls\r\n",
                       WORKSPACE_FORMAT, Workspace->Name, RegistryModeName(Workspace->Registry),
                       (Workspace->Network == WorkspaceNetworkOff) ? "off" : "on",
                       Workspace->Processes, Workspace->MemoryMb, Workspace->CpuPercent, Workspace->Devices);
    if (Length <= 0 || Length >= (int)sizeof(Text)) return ERROR_BUFFER_OVERFLOW;

    _snwprintf(NewPath, ARRAYSIZE(NewPath), L"%s.new", Path);
    NewPath[ARRAYSIZE(NewPath) - 1] = UNICODE_NULL;
    File = CreateFileW(NewPath, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                       FILE_ATTRIBUTE_NORMAL | FILE_FLAG_WRITE_THROUGH, NULL);
    if (File == INVALID_HANDLE_VALUE) return GetLastError();
    if (!WriteFile(File, Text, (DWORD)Length, &Written, NULL) || Written != (DWORD)Length ||
        !FlushFileBuffers(File))
    {
        Error = GetLastError();
        if (Error == ERROR_SUCCESS) Error = ERROR_WRITE_FAULT;
    }
    CloseHandle(File);

    if (Error == ERROR_SUCCESS &&
        !MoveFileExW(NewPath, Path, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
    {
        Error = GetLastError();
    }
    if (Error != ERROR_SUCCESS) DeleteFileW(NewPath);
    return Error;
}

static
BOOL
ParseNumber(
    _In_ PCSTR Text,
    _In_ ULONG Maximum,
    _Out_ PULONG Value)
{
    PSTR End;
    ULONG Number;

    if (*Text < '0' || *Text > '9') return FALSE;
    Number = strtoul(Text, &End, 10);
    if (*End != ANSI_NULL || Number > Maximum) return FALSE;
    *Value = Number;
    return TRUE;
}

/* One "key=value" line; Seen has one bit per key, so none is taken twice */
static
BOOL
ParseWorkspaceLine(
    _In_ PSTR Line,
    _Inout_ PWORKSPACE Workspace,
    _Inout_ PULONG Seen,
    _Inout_ PULONG Format)
{
    static const PCSTR Keys[WORKSPACE_KEYS] =
        { "format", "name", "registry", "network", "processes", "memory-mb", "cpu-percent", "devices" };
    WCHAR WideValue[WORKSPACE_LINE_CHARS];
    PSTR Value = strchr(Line, '=');
    ULONG Key, Number;

    if (Value == NULL) return FALSE;
    *Value++ = ANSI_NULL;
    for (Key = 0; Key < WORKSPACE_KEYS; Key++)
    {
        if (!strcmp(Line, Keys[Key])) break;
    }
    if (Key == WORKSPACE_KEYS || (*Seen & (1UL << Key))) return FALSE;
    *Seen |= 1UL << Key;
    _snwprintf(WideValue, ARRAYSIZE(WideValue), L"%hs", Value);
    WideValue[ARRAYSIZE(WideValue) - 1] = UNICODE_NULL;

    switch (Key)
    {
        case 0:
            if (!ParseNumber(Value, WORKSPACE_FORMAT, &Number) || Number < WORKSPACE_FORMAT_NO_DEVICES) return FALSE;
            *Format = Number;
            return TRUE;
        case 1:
            if (!IsWorkspaceName(WideValue)) return FALSE;
            wcscpy(Workspace->Name, WideValue);
            return TRUE;
        case 2: return ParseRegistryMode(WideValue, &Workspace->Registry);
        case 3:
            if (!strcmp(Value, "on")) Workspace->Network = WorkspaceNetworkOn;
            else if (!strcmp(Value, "off")) Workspace->Network = WorkspaceNetworkOff;
            else return FALSE;
            return TRUE;
        case 4: return ParseNumber(Value, WORKSPACE_MAX_PROCESSES, &Workspace->Processes);
        case 5: return ParseNumber(Value, WORKSPACE_MAX_MEMORY_MB, &Workspace->MemoryMb);
        case 6: return ParseNumber(Value, WORKSPACE_MAX_CPU_PERCENT, &Workspace->CpuPercent);
        default:
            /* The kernel checks the names when the workspace starts */
            if (wcslen(WideValue) > WORKSPACE_DEVICES_CHARS) return FALSE;
            wcscpy(Workspace->Devices, WideValue);
            return TRUE;
    }
}

DWORD
ReadWorkspaceFile(
    _In_ PCWSTR Name,
    _Out_ PWORKSPACE Workspace)
{
    WCHAR Path[MAX_PATH];
    CHAR Text[WORKSPACE_FILE_BYTES + 1];
    PSTR Line, Next;
    HANDLE File;
    DWORD Read;
    ULONG Seen = 0, Format = 0, Required;
    BOOL Success;

    ZeroMemory(Workspace, sizeof(*Workspace));
    if (!GetWorkspacePath(Name, Path, ARRAYSIZE(Path))) return ERROR_INVALID_NAME;
    File = CreateFileW(Path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (File == INVALID_HANDLE_VALUE) return GetLastError();
    Success = ReadFile(File, Text, WORKSPACE_FILE_BYTES, &Read, NULL);
    CloseHandle(File);
    if (!Success) return GetLastError();
    Text[Read] = ANSI_NULL;

    for (Line = Text; Line != NULL && *Line != ANSI_NULL; Line = Next)
    {
        Next = strpbrk(Line, "\r\n");
        if (Next != NULL)
        {
            *Next++ = ANSI_NULL;
            while (*Next == '\r' || *Next == '\n') Next++;
        }
        if (*Line == ';' || *Line == ANSI_NULL) continue;
        if (!ParseWorkspaceLine(Line, Workspace, &Seen, &Format)) return ERROR_BAD_FORMAT;
    }

    /* Every key of its format once, and the name inside is the file's */
    Required = (1UL << WORKSPACE_KEYS) - 1;
    if (Format == WORKSPACE_FORMAT_NO_DEVICES) Required &= ~(1UL << WORKSPACE_DEVICES_KEY);
    if (Seen != Required || _wcsicmp(Workspace->Name, Name)) return ERROR_BAD_FORMAT;
    return ERROR_SUCCESS;
}

DWORD
DeleteWorkspaceFile(
    _In_ PCWSTR Name)
{
    WCHAR Path[MAX_PATH];

    if (!GetWorkspacePath(Name, Path, ARRAYSIZE(Path))) return ERROR_INVALID_NAME;
    return DeleteFileW(Path) ? ERROR_SUCCESS : GetLastError();
}
