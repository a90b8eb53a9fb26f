/*
 * PROJECT:     ReactOS Silo Workspace Utility
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     silo.exe: create, start, run, list, stop, remove and inspect
 *              workspaces, each a server silo of its own
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

#include "silo.h"

#define STOP_DEFAULT_TIMEOUT_S      5
#define STOP_MAX_TIMEOUT_S          3600
#define COMMAND_LINE_CHARS          2048

typedef INT (*COMMAND_ROUTINE)(_In_ INT argc, _In_ WCHAR **argv);

typedef struct _COMMAND
{
    PCWSTR Name;
    UINT HelpId;
    COMMAND_ROUTINE Routine;
} COMMAND;

static
INT
Failed(
    _In_ PCWSTR What,
    _In_ PCWSTR Name,
    _In_ PCWSTR Why)
{
    ConPrintf(StdErr, L"silo: %s %s: %s\n", What, Name, Why);
    return SILO_EXIT_FAILED;
}

static
INT
FailedStatus(
    _In_ PCWSTR What,
    _In_ PCWSTR Name,
    _In_ NTSTATUS Status)
{
    DWORD Error = RtlNtStatusToDosError(Status);

    ConPrintf(StdErr, L"silo: %s %s failed: status 0x%08lx (error %lu): ", What, Name, Status, Error);
    ConMsgPuts(StdErr, FORMAT_MESSAGE_FROM_SYSTEM, NULL, Error, LANG_USER_DEFAULT);
    ConPuts(StdErr, L"\n");
    return SILO_EXIT_FAILED;
}

static
INT
Usage(
    _In_ PCWSTR Message,
    _In_opt_ PCWSTR Argument)
{
    ConPrintf(StdErr, L"silo: %s%s%s\n", Message, Argument ? L": " : L"", Argument ? Argument : L"");
    ConPuts(StdErr, L"Type SILO help for the commands.\n");
    return SILO_EXIT_USAGE;
}

static
BOOL
IsHelpSwitch(
    _In_ PCWSTR Argument)
{
    return !wcscmp(Argument, L"/?") || !wcscmp(Argument, L"-?") || !_wcsicmp(Argument, L"--help");
}

/* "/name:value" (or "-name:value"); Value points after the colon */
static
BOOL
IsOption(
    _In_ PCWSTR Argument,
    _In_ PCWSTR Name,
    _Out_ PCWSTR *Value)
{
    SIZE_T Length = wcslen(Name);

    if ((Argument[0] != L'/' && Argument[0] != L'-') || _wcsnicmp(Argument + 1, Name, Length) ||
        Argument[1 + Length] != L':')
    {
        return FALSE;
    }
    *Value = Argument + 2 + Length;
    return TRUE;
}

static
BOOL
ParseBounded(
    _In_ PCWSTR Text,
    _In_ ULONG Minimum,
    _In_ ULONG Maximum,
    _Out_ PULONG Value)
{
    PWSTR End;
    ULONG Number;

    if (*Text < L'0' || *Text > L'9') return FALSE;
    Number = wcstoul(Text, &End, 10);
    if (*End != UNICODE_NULL || Number < Minimum || Number > Maximum) return FALSE;
    *Value = Number;
    return TRUE;
}

static
BOOL
CheckName(
    _In_ PCWSTR Name)
{
    if (IsWorkspaceName(Name)) return TRUE;
    ConPrintf(StdErr, L"silo: '%s' is no workspace name: letters, digits, - and _, %d at most\n",
              Name, WORKSPACE_NAME_CHARS);
    return FALSE;
}

static
BOOL
WorkspaceExists(
    _In_ PCWSTR Name)
{
    WCHAR Path[MAX_PATH];

    return GetWorkspacePath(Name, Path, ARRAYSIZE(Path)) && GetFileAttributesW(Path) != INVALID_FILE_ATTRIBUTES;
}

/* The workspace's definition, with a clear message when it cannot be read */
static
BOOL
LoadWorkspace(
    _In_ PCWSTR Name,
    _Out_ PWORKSPACE Workspace)
{
    WCHAR Path[MAX_PATH];
    DWORD Error;

    Error = ReadWorkspaceFile(Name, Workspace);
    if (Error == ERROR_SUCCESS) return TRUE;
    if (Error == ERROR_FILE_NOT_FOUND || Error == ERROR_PATH_NOT_FOUND)
    {
        ConPrintf(StdErr, L"silo: there is no workspace %s (SILO list shows them)\n", Name);
    }
    else if (Error == ERROR_BAD_FORMAT)
    {
        GetWorkspacePath(Name, Path, ARRAYSIZE(Path));
        ConPrintf(StdErr, L"silo: %s is not a workspace file of format %d\n", Path, WORKSPACE_FORMAT);
    }
    else
    {
        ConPrintf(StdErr, L"silo: reading workspace %s failed: error %lu\n", Name, Error);
    }
    return FALSE;
}

static
INT
CommandCreate(
    _In_ INT argc,
    _In_ WCHAR **argv)
{
    WORKSPACE Workspace;
    PCWSTR Value;
    NTSTATUS Status;
    DWORD Error;
    INT i;

    if (argc < 1) return Usage(L"create needs a workspace name", NULL);
    if (!CheckName(argv[0])) return SILO_EXIT_USAGE;
    ZeroMemory(&Workspace, sizeof(Workspace));
    wcscpy(Workspace.Name, argv[0]);
    Workspace.Registry = SiloRegistryHostReadOnly;
    Workspace.Network = WorkspaceNetworkOn;

    for (i = 1; i < argc; i++)
    {
        if (IsOption(argv[i], L"registry", &Value))
        {
            if (!ParseRegistryMode(Value, &Workspace.Registry)) return Usage(L"unknown registry mode", Value);
        }
        else if (IsOption(argv[i], L"processes", &Value))
        {
            if (!ParseBounded(Value, 1, WORKSPACE_MAX_PROCESSES, &Workspace.Processes))
                return Usage(L"/processes takes 1 to 1000", Value);
        }
        else if (IsOption(argv[i], L"memory", &Value))
        {
            if (!ParseBounded(Value, WORKSPACE_MIN_MEMORY_MB, WORKSPACE_MAX_MEMORY_MB, &Workspace.MemoryMb))
                return Usage(L"/memory takes 16 to 2048 (megabytes)", Value);
        }
        else if (IsOption(argv[i], L"cpu", &Value))
        {
            if (!ParseBounded(Value, 1, WORKSPACE_MAX_CPU_PERCENT, &Workspace.CpuPercent))
                return Usage(L"/cpu takes 1 to 100 (percent)", Value);
        }
        else if (IsOption(argv[i], L"network", &Value))
        {
            if (!_wcsicmp(Value, L"on")) Workspace.Network = WorkspaceNetworkOn;
            else if (!_wcsicmp(Value, L"off")) Workspace.Network = WorkspaceNetworkOff;
            else return Usage(L"/network takes on or off", Value);
        }
        else if (IsOption(argv[i], L"device", &Value))
        {
            /* Each /device adds a name; the kernel checks them below */
            if (wcslen(Workspace.Devices) + (Workspace.Devices[0] ? 1 : 0) + wcslen(Value) > WORKSPACE_DEVICES_CHARS)
                return Usage(L"/device names take at most 112 characters in all", Value);
            if (Workspace.Devices[0]) wcscat(Workspace.Devices, L";");
            wcscat(Workspace.Devices, Value);
        }
        else if (IsOption(argv[i], L"map", &Value) || IsOption(argv[i], L"c", &Value))
        {
            return Failed(L"cannot create", Workspace.Name,
                          L"this kernel has no silo file views yet: /map and /c are refused");
        }
        else
        {
            return Usage(L"unknown option", argv[i]);
        }
    }

    if (WorkspaceExists(Workspace.Name))
        return Failed(L"cannot create", Workspace.Name, L"it exists (SILO rm removes it)");

    /* Ask the kernel before anything is written */
    Status = CheckWorkspaceSupport(&Workspace);
    if (Status == STATUS_NOT_SUPPORTED)
    {
        return Failed(L"cannot create", Workspace.Name,
                      L"this kernel has no private silo hives yet: that /registry mode is refused");
    }
    if (Status == STATUS_INVALID_PARAMETER && Workspace.Devices[0])
    {
        return Failed(L"cannot create", Workspace.Name,
                      L"a /device name is not a device: each is \\Device\\<name>");
    }
    if (!NT_SUCCESS(Status)) return FailedStatus(L"checking", Workspace.Name, Status);

    Error = WriteWorkspaceFile(&Workspace);
    if (Error != ERROR_SUCCESS)
    {
        ConPrintf(StdErr, L"silo: writing workspace %s failed: error %lu\n", Workspace.Name, Error);
        return SILO_EXIT_FAILED;
    }
    ConPrintf(StdOut, L"workspace %s created\n", Workspace.Name);
    return SILO_EXIT_OK;
}

static
INT
CommandStart(
    _In_ INT argc,
    _In_ WCHAR **argv)
{
    WORKSPACE Workspace;
    HANDLE Silo;
    ULONG SiloId;
    NTSTATUS Status;

    if (argc != 1) return Usage(L"start takes one workspace name", NULL);
    if (!CheckName(argv[0]) || !LoadWorkspace(argv[0], &Workspace)) return SILO_EXIT_FAILED;

    Status = StartWorkspaceSilo(&Workspace, &SiloId);
    if (Status == STATUS_OBJECT_NAME_COLLISION)
    {
        if (NT_SUCCESS(OpenWorkspaceSilo(Workspace.Name, JOB_OBJECT_QUERY, &Silo)))
        {
            NtClose(Silo);
            return Failed(L"cannot start", Workspace.Name, L"it is running");
        }
        return Failed(L"cannot start", Workspace.Name,
                      L"its last silo ended, but a handle to it still holds its name; start it again once that closes");
    }
    if (!NT_SUCCESS(Status)) return FailedStatus(L"starting", Workspace.Name, Status);
    ConPrintf(StdOut, L"workspace %s started: server silo %lu\n", Workspace.Name, SiloId);
    return SILO_EXIT_OK;
}

static
INT
CommandRun(
    _In_ INT argc,
    _In_ WCHAR **argv)
{
    WCHAR CommandLine[COMMAND_LINE_CHARS];
    SIZE_T Used = 0, Length;
    BOOLEAN Gui;
    DWORD ExitCode;
    NTSTATUS Status;
    INT i;

    if (argc < 2) return Usage(L"run needs a workspace name and a program", NULL);
    if (!CheckName(argv[0])) return SILO_EXIT_USAGE;

    /* The program's command line, each argument quoted as it came */
    CommandLine[0] = UNICODE_NULL;
    for (i = 1; i < argc; i++)
    {
        Length = wcslen(argv[i]) + 4;
        if (Used + Length >= ARRAYSIZE(CommandLine)) return Usage(L"the command line is too long", NULL);
        Used += swprintf(CommandLine + Used, wcschr(argv[i], L' ') ? L"%s\"%s\"" : L"%s%s",
                         (i > 1) ? L" " : L"", argv[i]);
    }

    Status = RunInWorkspace(argv[0], argv[1], CommandLine, &Gui, &ExitCode);
    if (Status == STATUS_OBJECT_NAME_NOT_FOUND && !WorkspaceExists(argv[0]))
        return Failed(L"cannot run in", argv[0], L"there is no such workspace");
    if (Status == STATUS_OBJECT_NAME_NOT_FOUND)
    {
        ConPrintf(StdErr, L"silo: cannot run %s in %s: no such program, or the workspace is not running\n",
                  argv[1], argv[0]);
        return SILO_EXIT_FAILED;
    }
    if (Status == STATUS_INVALID_STATE_TRANSITION)
        return Failed(L"cannot run in", argv[0], L"its silo is ending (SILO stop, then SILO start)");
    if (!NT_SUCCESS(Status)) return FailedStatus(L"running a program in", argv[0], Status);
    if (Gui)
    {
        ConPrintf(StdOut, L"%s runs in %s; its windows are on the host's desktop (one session)\n",
                  argv[1], argv[0]);
        return SILO_EXIT_OK;
    }
    return (INT)ExitCode;
}

static
PCWSTR
StateName(
    _In_ const WORKSPACE_FIGURES *Figures,
    _In_ BOOLEAN Defined)
{
    if (Figures->SiloId == 0) return Defined ? L"stopped" : L"unknown";
    switch (Figures->State)
    {
        case SERVERSILO_INITING: return L"starting";
        case SERVERSILO_STARTED: return L"running";
        case SERVERSILO_SHUTTING_DOWN: return L"stopping";
        default: return L"ended";
    }
}

static
VOID
PrintListLine(
    _In_ PCWSTR Name,
    _In_ BOOLEAN Defined)
{
    WORKSPACE_FIGURES Figures;

    if (!NT_SUCCESS(QueryWorkspaceFigures(Name, &Figures))) ZeroMemory(&Figures, sizeof(Figures));
    if (Figures.SiloId == 0)
    {
        ConPrintf(StdOut, L"%-20s %-9s %6s %9s %9s %12s %8s\n", Name, StateName(&Figures, Defined),
                  L"-", L"-", L"-", L"-", L"-");
        return;
    }
    ConPrintf(StdOut, L"%-20s %-9s %6lu %9lu %9I64u %12I64u %8I64u\n", Name, StateName(&Figures, Defined),
              Figures.SiloId, Figures.Processes, Figures.CpuMs, Figures.PeakCommitKb, Figures.UptimeS);
}

static
INT
CommandList(
    _In_ INT argc,
    _In_ WCHAR **argv)
{
    WCHAR Store[MAX_PATH], Pattern[MAX_PATH], Name[MAX_PATH];
    WIN32_FIND_DATAW Found;
    HANDLE Search;
    PWSTR Dot;

    UNREFERENCED_PARAMETER(argv);
    if (argc != 0) return Usage(L"list takes no argument", NULL);
    if (!GetWorkspaceStore(Store, ARRAYSIZE(Store))) return Failed(L"cannot list", L"workspaces", L"no store");

    ConPrintf(StdOut, L"%-20s %-9s %6s %9s %9s %12s %8s\n", L"NAME", L"STATE", L"SILO", L"PROCESSES",
              L"CPU_MS", L"PEAK_COMMIT_KB", L"UPTIME_S");
    _snwprintf(Pattern, ARRAYSIZE(Pattern), L"%s\\*%s", Store, WORKSPACE_FILE_EXTENSION);
    Pattern[ARRAYSIZE(Pattern) - 1] = UNICODE_NULL;
    Search = FindFirstFileW(Pattern, &Found);
    if (Search == INVALID_HANDLE_VALUE) return SILO_EXIT_OK;
    do
    {
        wcsncpy(Name, Found.cFileName, ARRAYSIZE(Name) - 1);
        Name[ARRAYSIZE(Name) - 1] = UNICODE_NULL;
        Dot = wcsrchr(Name, L'.');
        if (Dot == NULL || _wcsicmp(Dot, WORKSPACE_FILE_EXTENSION)) continue;
        *Dot = UNICODE_NULL;
        if (IsWorkspaceName(Name)) PrintListLine(Name, TRUE);
    } while (FindNextFileW(Search, &Found));
    FindClose(Search);
    return SILO_EXIT_OK;
}

static
INT
CommandStop(
    _In_ INT argc,
    _In_ WCHAR **argv)
{
    ULONG TimeoutS = STOP_DEFAULT_TIMEOUT_S, Left;
    PCWSTR Value;
    NTSTATUS Status;

    if (argc < 1 || argc > 2) return Usage(L"stop takes a workspace name and /timeout:seconds", NULL);
    if (!CheckName(argv[0])) return SILO_EXIT_USAGE;
    if (argc == 2 && (!IsOption(argv[1], L"timeout", &Value) || !ParseBounded(Value, 0, STOP_MAX_TIMEOUT_S, &TimeoutS)))
        return Usage(L"/timeout takes 0 to 3600 (seconds)", argv[1]);

    Status = StopWorkspaceSilo(argv[0], TimeoutS * 1000, &Left);
    if (Status == STATUS_OBJECT_NAME_NOT_FOUND)
        return Failed(L"cannot stop", argv[0], WorkspaceExists(argv[0]) ? L"it is not running" : L"there is no such workspace");
    if (!NT_SUCCESS(Status)) return FailedStatus(L"stopping", argv[0], Status);
    if (Left != 0) ConPrintf(StdOut, L"%lu program(s) of %s were still running after %lu s\n", Left, argv[0], TimeoutS);
    ConPrintf(StdOut, L"workspace %s stopped\n", argv[0]);
    return SILO_EXIT_OK;
}

static
INT
CommandRemove(
    _In_ INT argc,
    _In_ WCHAR **argv)
{
    HANDLE Silo;
    DWORD Error;

    if (argc != 1) return Usage(L"rm takes one workspace name", NULL);
    if (!CheckName(argv[0])) return SILO_EXIT_USAGE;
    if (NT_SUCCESS(OpenWorkspaceSilo(argv[0], JOB_OBJECT_QUERY, &Silo)))
    {
        NtClose(Silo);
        return Failed(L"cannot remove", argv[0], L"it is running (SILO stop stops it)");
    }
    Error = DeleteWorkspaceFile(argv[0]);
    if (Error == ERROR_FILE_NOT_FOUND || Error == ERROR_PATH_NOT_FOUND)
        return Failed(L"cannot remove", argv[0], L"there is no such workspace");
    if (Error != ERROR_SUCCESS)
    {
        ConPrintf(StdErr, L"silo: removing workspace %s failed: error %lu\n", argv[0], Error);
        return SILO_EXIT_FAILED;
    }
    ConPrintf(StdOut, L"workspace %s removed\n", argv[0]);
    return SILO_EXIT_OK;
}

static
INT
CommandInspect(
    _In_ INT argc,
    _In_ WCHAR **argv)
{
    WORKSPACE Workspace;
    WORKSPACE_FIGURES Figures;
    WCHAR Path[MAX_PATH];

    if (argc != 1) return Usage(L"inspect takes one workspace name", NULL);
    if (!CheckName(argv[0]) || !LoadWorkspace(argv[0], &Workspace)) return SILO_EXIT_FAILED;
    GetWorkspacePath(Workspace.Name, Path, ARRAYSIZE(Path));

    ConPrintf(StdOut, L"name=%s\nfile=%s\nregistry=%s\nnetwork=%s\nprocesses=%lu\nmemory-mb=%lu\ncpu-percent=%lu\n"
              L"devices=%s\n",
              Workspace.Name, Path, RegistryModeName(Workspace.Registry),
              (Workspace.Network == WorkspaceNetworkOff) ? L"off" : L"on",
              Workspace.Processes, Workspace.MemoryMb, Workspace.CpuPercent, Workspace.Devices);
    if (!NT_SUCCESS(QueryWorkspaceFigures(Workspace.Name, &Figures)))
    {
        ConPuts(StdOut, L"state=stopped\n");
        return SILO_EXIT_OK;
    }
    /* What the kernel holds, which the definition must match */
    ConPrintf(StdOut, L"state=%s\nsilo=%lu\nkernel-registry=%s\nkernel-network=%s\nkernel-process-limit=%lu\n"
              L"kernel-memory-limit-kb=%I64u\nkernel-cpu-rate=%lu\nactive-processes=%lu\ncpu-ms=%I64u\n"
              L"peak-commit-kb=%I64u\nuptime-s=%I64u\nkernel-devices=%s\n",
              StateName(&Figures, TRUE), Figures.SiloId, RegistryModeName(Figures.Registry),
              Figures.NetworkOff ? L"off" : L"on", Figures.ProcessLimit,
              Figures.MemoryLimitKb, Figures.CpuRate, Figures.Processes, Figures.CpuMs, Figures.PeakCommitKb,
              Figures.UptimeS, Figures.Devices);
    if (!Figures.Running) ConPrintf(StdOut, L"exit-status=0x%08lx\n", Figures.ExitStatus);
    return SILO_EXIT_OK;
}

static INT CommandHelp(_In_ INT argc, _In_ WCHAR **argv);

static const COMMAND Commands[] =
{
    { L"create", IDS_HELP_CREATE, CommandCreate },
    { L"start", IDS_HELP_START, CommandStart },
    { L"run", IDS_HELP_RUN, CommandRun },
    { L"list", IDS_HELP_LIST, CommandList },
    { L"stop", IDS_HELP_STOP, CommandStop },
    { L"rm", IDS_HELP_RM, CommandRemove },
    { L"inspect", IDS_HELP_INSPECT, CommandInspect },
    { L"help", IDS_USAGE, CommandHelp },
};

static
const COMMAND *
FindCommand(
    _In_ PCWSTR Name)
{
    ULONG i;

    for (i = 0; i < ARRAYSIZE(Commands); i++)
    {
        if (!_wcsicmp(Name, Commands[i].Name)) return &Commands[i];
    }
    return NULL;
}

static
INT
CommandHelp(
    _In_ INT argc,
    _In_ WCHAR **argv)
{
    const COMMAND *Command;

    if (argc == 0)
    {
        ConResPuts(StdOut, IDS_USAGE);
        return SILO_EXIT_OK;
    }
    Command = FindCommand(argv[0]);
    if (Command == NULL) return Usage(L"unknown command", argv[0]);
    ConResPuts(StdOut, Command->HelpId);
    return SILO_EXIT_OK;
}

int
wmain(
    int argc,
    WCHAR *argv[])
{
    const COMMAND *Command;

    ConInitStdStreams();

    if (argc < 2 || IsHelpSwitch(argv[1]))
    {
        ConResPuts(StdOut, IDS_USAGE);
        return (argc < 2) ? SILO_EXIT_USAGE : SILO_EXIT_OK;
    }
    Command = FindCommand(argv[1]);
    if (Command == NULL) return Usage(L"unknown command", argv[1]);
    if (argc > 2 && IsHelpSwitch(argv[2]))
    {
        ConResPuts(StdOut, Command->HelpId);
        return SILO_EXIT_OK;
    }
    return Command->Routine(argc - 2, argv + 2);
}
