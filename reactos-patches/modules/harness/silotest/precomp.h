/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Common header of the silo tests
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#ifndef _SILOTEST_PRECOMP_H_
#define _SILOTEST_PRECOMP_H_

#include <stdio.h>
#include <stdlib.h>

#define WIN32_NO_STATUS
#define _INC_WINDOWS
#define COM_NO_WINDOWS_H
#include <windef.h>
#include <winbase.h>
#include <winreg.h>
#include <winioctl.h>
#include <wine/test.h>

#define NTOS_MODE_USER
#include <ndk/exfuncs.h>
#include <ndk/iofuncs.h>
#include <ndk/obfuncs.h>
#include <ndk/pofuncs.h>
#include <ndk/psfuncs.h>
#include <ndk/rtlfuncs.h>
#include <ndk/setypes.h>

#include "../include/silodrv.h"

#define SILOTEST_IMAGE              L"silotest.exe"

/* How long a test waits for a child process or a job to settle */
#define SILOTEST_WAIT_MS            10000
#define SILOTEST_POLL_MS            20

/* Child process modes: silotest.exe child <mode> [argument] */
#define CHILD_MODE_WAIT             "wait"      /* sleeps until killed */
#define CHILD_MODE_EXIT             "exit"      /* exits at once with the argument as exit code */
#define CHILD_MODE_SPAWN            "spawn"     /* starts a "wait" grandchild, waits for it */
#define CHILD_MODE_SPAWN_SHORT      "spawnshort" /* starts an "exit" grandchild, waits for it */
#define CHILD_MODE_INSILO           "insilo"    /* checks the silo from inside; argument: silo id */
#define CHILD_MODE_BENCH            "bench"     /* creates <argument> processes, exit code = ms */
#define CHILD_MODE_CRITICAL         "critical"  /* marks itself critical, exits with the argument */
#define CHILD_MODE_CRITICAL_WAIT    "criticalwait" /* marks itself critical, sleeps until killed */
#define CHILD_MODE_SHUTDOWN         "shutdown"  /* NtShutdownSystem(argument); exit code = its status */
#define CHILD_MODE_SLEEP            "sleep"     /* asks for S1 sleep; exit code = the status */
#define CHILD_MODE_HARD_ERROR       "harderror" /* raises the argument as a shutdown hard error */
#define CHILD_MODE_LOOKUP_BENCH     "lookupbench" /* exit code = ns per named-object lookup */

/* Exit code bits of the "insilo" child: one per check that failed */
#define INSILO_FAIL_SHARED_DATA         0x01
#define INSILO_FAIL_SESSION_ID          0x02
#define INSILO_FAIL_NESTED_CREATE       0x04
#define INSILO_FAIL_ROOT_QUERY          0x08
#define INSILO_FAIL_OWN_JOB_BASIC       0x10
#define INSILO_FAIL_NESTED_INIT         0x20
#define INSILO_FAIL_SETUP               0x80

/* siloutil.c */
NTSTATUS CreateJob(_Out_ PHANDLE Job, _In_ ULONG LimitFlags);
NTSTATUS SetJobLimitFlags(_In_ HANDLE Job, _In_ ULONG LimitFlags);
NTSTATUS MakeSilo(_Out_ PHANDLE Job);
NTSTATUS MakeServerSilo(_Out_ PHANDLE Job, _In_opt_ HANDLE DeleteEvent, _In_opt_ PCWSTR SystemRoot);
NTSTATUS MakeServerSiloKeep(_Out_ PHANDLE Job, _In_opt_ HANDLE DeleteEvent, _In_opt_ PCWSTR SystemRoot);
ULONG GetSiloId(_In_ HANDLE Job);
BOOL SpawnChild(_In_ PCSTR Mode, _In_opt_ PCSTR Argument, _In_ BOOL Suspended,
                _In_ DWORD CreationFlags, _Out_ PPROCESS_INFORMATION ProcessInfo);
DWORD WaitChild(_In_ PPROCESS_INFORMATION ProcessInfo);
void CloseChild(_In_ PPROCESS_INFORMATION ProcessInfo);
ULONG ActiveProcesses(_In_ HANDLE Job);
BOOL WaitActiveProcesses(_In_ HANDLE Job, _In_ ULONG Expected);
BOOL EnableTcb(_In_ BOOL Enable);
BOOL EnablePrivilege(_In_ ULONG Privilege);
ULONG CountJobObjects(VOID);
ULONG CountSiloDirectories(VOID);
BOOL SiloDirectoryExists(_In_ ULONG SiloId);
ULONG CountOwnHandles(VOID);
ULONG CountProcesses(_In_opt_ PCWSTR ImageName);
ULONG NonPagedPoolPages(VOID);
BOOL WaitServerSiloState(_In_ HANDLE Silo, _In_ SERVERSILO_STATE State, _Out_opt_ PSERVERSILO_BASIC_INFORMATION Basic);
VOID ChildMain(_In_ int argc, _In_ char **argv);

/* namespace.c */
DWORD LookupBenchNanoseconds(VOID);

/* ddi.c */
void FuzzSiloDdis(_In_ ULONG Seed, _In_ ULONG Calls);

#endif /* _SILOTEST_PRECOMP_H_ */
