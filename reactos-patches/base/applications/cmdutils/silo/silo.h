/*
 * PROJECT:     ReactOS Silo Workspace Utility
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Shared declarations of silo.exe: workspaces, their files and
 *              the server silos that run them
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

#pragma once

#include <stdio.h>
#include <stdlib.h>

#define WIN32_NO_STATUS
#include <windef.h>
#include <winbase.h>
#include <wincon.h>
#include <winnls.h>

#define NTOS_MODE_USER
#include <ndk/exfuncs.h>
#include <ndk/kefuncs.h>
#include <ndk/lpcfuncs.h>
#include <ndk/obfuncs.h>
#include <ndk/psfuncs.h>
#include <ndk/rtlfuncs.h>
#include <ndk/setypes.h>
#include <sm/smmsg.h>

#include <conutils.h>

#include "resource.h"

/* A process parameter block's console for a process with none (kernel32's HANDLE_DETACHED_PROCESS) */
#define SILO_DETACHED_CONSOLE       ((HANDLE)(LONG_PTR)-1)

/* Exit codes: the command worked, it failed, or the command line was wrong */
#define SILO_EXIT_OK                0
#define SILO_EXIT_FAILED            1
#define SILO_EXIT_USAGE             2

/* A workspace name: letters, digits, '-' and '_' */
#define WORKSPACE_NAME_CHARS        32

/* The workspace file format (see WriteWorkspaceFile); format 1 files, without devices, are still read */
#define WORKSPACE_FORMAT            2
#define WORKSPACE_FORMAT_NO_DEVICES 1
#define WORKSPACE_FILE_EXTENSION    L".silo"
#define WORKSPACE_FILE_BYTES        4096
#define WORKSPACE_STORE_VARIABLE    L"SILO_STORE"
#define WORKSPACE_STORE_DEFAULT     L"%SystemRoot%\\silo"

/* Where a running workspace's server silo (a permanent job object) is named */
#define WORKSPACE_OBJECT_DIRECTORY  L"\\SiloWorkspaces"

/* A workspace's own SMSS and CSRSS, which its process limit leaves room for */
#define WORKSPACE_SYSTEM_PROCESSES  2

/* Limits a workspace may ask for (0: none) */
#define WORKSPACE_MAX_PROCESSES     1000
#define WORKSPACE_MIN_MEMORY_MB     16
#define WORKSPACE_MAX_MEMORY_MB     2048
#define WORKSPACE_MAX_CPU_PERCENT   100

/* The devices lent beyond the kernel's default set: \Device\ names separated by ';' */
#define WORKSPACE_DEVICES_CHARS     112

typedef enum _WORKSPACE_NETWORK
{
    WorkspaceNetworkOn = 0,
    WorkspaceNetworkOff
} WORKSPACE_NETWORK;

typedef struct _WORKSPACE
{
    WCHAR Name[WORKSPACE_NAME_CHARS + 1];
    SILO_REGISTRY_MODE Registry;
    WORKSPACE_NETWORK Network;
    ULONG Processes;        /* active process limit, 0 for none */
    ULONG MemoryMb;         /* job commit limit, 0 for none */
    ULONG CpuPercent;       /* hard CPU cap, 0 for none */
    WCHAR Devices[WORKSPACE_DEVICES_CHARS + 1];
} WORKSPACE, *PWORKSPACE;

/* What the kernel says of a workspace's server silo */
typedef struct _WORKSPACE_FIGURES
{
    BOOLEAN Running;
    SERVERSILO_STATE State;
    NTSTATUS ExitStatus;
    ULONG SiloId;
    ULONG Processes;
    ULONGLONG CpuMs;
    ULONGLONG PeakCommitKb;
    ULONGLONG UptimeS;
    ULONG ProcessLimit;
    ULONGLONG MemoryLimitKb;
    ULONG CpuRate;          /* hard cap in 1/100 percent, 0 for none */
    SILO_REGISTRY_MODE Registry;
    BOOLEAN NetworkOff;
    WCHAR Devices[WORKSPACE_DEVICES_CHARS + 1];
} WORKSPACE_FIGURES, *PWORKSPACE_FIGURES;

/* workspace.c */
BOOL IsWorkspaceName(_In_ PCWSTR Name);
PCWSTR RegistryModeName(_In_ SILO_REGISTRY_MODE Mode);
BOOL ParseRegistryMode(_In_ PCWSTR Text, _Out_ PSILO_REGISTRY_MODE Mode);
BOOL GetWorkspaceStore(_Out_writes_(Chars) PWSTR Store, _In_ DWORD Chars);
BOOL GetWorkspacePath(_In_ PCWSTR Name, _Out_writes_(Chars) PWSTR Path, _In_ DWORD Chars);
DWORD WriteWorkspaceFile(_In_ const WORKSPACE *Workspace);
DWORD ReadWorkspaceFile(_In_ PCWSTR Name, _Out_ PWORKSPACE Workspace);
DWORD DeleteWorkspaceFile(_In_ PCWSTR Name);

/* silohost.c */
NTSTATUS OpenWorkspaceSilo(_In_ PCWSTR Name, _In_ ACCESS_MASK Access, _Out_ PHANDLE Silo);
NTSTATUS StartWorkspaceSilo(_In_ const WORKSPACE *Workspace, _Out_ PULONG SiloId);
NTSTATUS StopWorkspaceSilo(_In_ PCWSTR Name, _In_ ULONG TimeoutMs, _Out_ PULONG ProgramsLeft);
NTSTATUS CheckWorkspaceSupport(_In_ const WORKSPACE *Workspace);
NTSTATUS QueryWorkspaceFigures(_In_ PCWSTR Name, _Out_ PWORKSPACE_FIGURES Figures);
NTSTATUS RunInWorkspace(_In_ PCWSTR Name, _In_ PCWSTR Program, _In_ PCWSTR CommandLine,
                        _Out_ PBOOLEAN Gui, _Out_ PDWORD ExitCode);
