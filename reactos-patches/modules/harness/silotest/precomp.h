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
#include <ndk/lpcfuncs.h>
#include <sm/smmsg.h>

#include "../include/silodrv.h"

#define SILOTEST_IMAGE              L"silotest.exe"

/* Jobs in one chain of nested jobs at most (the kernel's PSP_JOB_MAX_CHAIN) */
#define SILOTEST_MAX_JOB_CHAIN      8

/* A child that sleeps "until killed" */
#define CHILD_SLEEP_FOREVER_MS      INFINITE

/* How long a test waits for a child process or a job to settle */
#define SILOTEST_WAIT_MS            10000
#define SILOTEST_POLL_MS            20

/* The soaks: silo start -> crash -> teardown cycles in one boot */
#define SOAK_CYCLES                 100
#define SOAK_SETTLE_MS              5000
/* Cycles run before the counts are taken: lookaside lists and caches fill once, services finish starting */
#define SOAK_WARMUP_CYCLES          5
/* Pool the kernel may keep in lookaside lists and caches after the soak, in pages */
#define SOAK_POOL_SLACK_PAGES       16

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
#define CHILD_MODE_WIN32_IN_SILO    "win32silo" /* Win32 checks in a silo with its own CSRSS */
#define CHILD_MODE_ESCAPE           "escape"    /* the escape battery's attacker (escape.h) */
#define CHILD_MODE_KILL_WAIT        "killwait"  /* kills the argument's process id, then sleeps until killed */
#define CHILD_MODE_CRITICAL_THREAD_WAIT "criticalthreadwait" /* marks its thread critical, sleeps until killed */
#define CHILD_MODE_KILL_THREAD_WAIT "killthreadwait" /* kills the argument's thread id, then sleeps until killed */
#define CHILD_MODE_CLOSE_JOB_WAIT   "closejobwait" /* "job:event" (inherited): when the event is set, closes
                                                    the job handle (its silo's last), then sleeps */
#define CHILD_MODE_MAKE_TREE        "maketree"  /* makes the race's permanent trees; exit code = objects made */
#define CHILD_MODE_SPIN             "spin"      /* writes over <argument> KB of its memory until killed */
#define CHILD_MODE_NET_PROBE        "netprobe"  /* "<mode>:<host port>:<targets>" (network.c); exit code = the
                                                   network checks that failed */
#define CHILD_MODE_DEVICE_PROBE     "devprobe"  /* "<drive>|<volume device>|<system directory>" (devices.c); exit
                                                        code = the targets it opened, and those refused otherwise */
#define CHILD_MODE_DEVICE_CONTROL_PROBE "devctlprobe" /* "<file>|<directory>" (devices.c): a disk control through each;
                                                        exit code = DEVCTL_* bits */
#define CHILD_MODE_WORKSPACE_PROBE  "wsprobe"   /* in a workspace (workspace.c): exit code = the namespace checks
                                                   that failed */
#define CHILD_MODE_REGISTRY_WRITE   "regwrite"  /* writes the host's key in a silo of mode <argument>
                                                   (registry.c); exit code = the writes whose status was wrong */
#define CHILD_MODE_SPAWN_BREAKAWAY  "spawnbreakaway" /* starts an "exit" grandchild with CREATE_BREAKAWAY_FROM_JOB;
                                                        exit code = 0 or CreateProcess's error */

/* Child modes of the job limit tests (prisonchild.c); "a:b" arguments are numbers */
#define CHILD_MODE_FORK_BOMB        "forkbomb"  /* <max>[:<hold ms>]: "wait" children until creation fails */
#define CHILD_MODE_HOG              "hog"       /* <chunk KB>:<max MB>[:<hold ms>]: commits until refused */
#define CHILD_MODE_SECTION_HOG      "sectionhog" /* the same, from paging-file backed sections */
#define CHILD_MODE_CHURN            "churn"     /* <rounds>: commit, free, recommit; 0 if never refused */
#define CHILD_MODE_IO               "io"        /* <n>: n counted writes to NUL and reads of its image */
#define CHILD_MODE_IO_WAIT          "iowait"    /* the same, then sleeps until killed */
#define CHILD_MODE_GUARD            "guard"     /* <n>: n tenants in a kill-on-close job it alone holds */
#define CHILD_MODE_SOFT_GUARD       "softguard" /* the same without kill on close (the control) */
#define CHILD_MODE_CRASH            "crash"     /* an unhandled access violation */
#define CHILD_MODE_SPAWN_CRASH      "spawncrash" /* starts a "crash" child (as Win32 programs start them) and waits;
                                                    exit code = the child's */
#define CHILD_MODE_RAISE_PRIORITY   "raiseprio" /* asks for HIGH_PRIORITY_CLASS; exit code = its class after */
#define CHILD_MODE_AFFINITY         "affinity"  /* exit code = its affinity mask */
#define CHILD_MODE_ERROR_MODE       "errormode" /* SetErrorMode(0); exit code = its hard error mode after */

/* The tenant's attacks on its prison (prisonchild.c, prisonescape.c) */
#define CHILD_MODE_LIFT_LIMITS      "liftlimits" /* sets no limits on every job it can name; exit code = successes */
#define CHILD_MODE_NEST_BREAKAWAY   "nestbreak" /* nests a breakaway job, starts a child out of it; exit code = its id */
#define CHILD_MODE_NEST_BOMB        "nestbomb"  /* <max>: a fork bomb from a nested job without limits */
#define CHILD_MODE_RAISE_SPIN       "raisespin" /* realtime class, a time-critical spinner kept resumed */
#define CHILD_MODE_RAISE_ONLY       "raiseonly" /* asks for the realtime class, then sleeps */
#define CHILD_MODE_GRAB             "grab"      /* puts every process it has a handle to into its own job */
#define CHILD_MODE_JOB_STORM        "jobstorm"  /* <n>: n jobs with rate control and time notification limits */
#define CHILD_MODE_GUI_KILL         "guikill"   /* <rounds>:<children>: kills bursts of starting children at
                                                        a point of their start; PRISON_RESULT(killed, error) */
#define CHILD_MODE_READY_WAIT       "readywait" /* <semaphore handle>: releases the semaphore, sleeps until killed */
#define GUI_KILL_MAX_CHILDREN       32
#define GUI_KILL_EXIT               0x6B11      /* the exit code the "guikill" tenant kills its children with */
#define ESCAPE_HANDLE_SCAN_MAX      0x1000      /* the handle values a tenant tries */
#define ESCAPE_GRAB_WAIT_MS         1000        /* how long the grabbing tenant waits for the host's handle */

/* Exit code of the fork bomb and the hogs: a count in the high word, the error that stopped it in the low */
#define PRISON_RESULT(Count, Error) ((((DWORD)(Count)) << 16) | ((DWORD)(Error) & 0xFFFF))
#define PRISON_RESULT_COUNT(Code)   ((Code) >> 16)
#define PRISON_RESULT_ERROR(Code)   ((Code) & 0xFFFF)
#define PRISON_HOG_UNIT_KB          64      /* the hogs count what they committed in these */

/* The race's trees, made permanent by a silo process below its root */
#define RACE_TREE_DEEP              L"\\RaceDeep"
#define RACE_TREE_DEEP_LEVEL        L"L%02lu"
#define RACE_TREE_DEPTH             80          /* more levels than the old walk's 64 */
#define RACE_TREE_WIDE              L"\\RaceWide"
#define RACE_TREE_WIDE_ENTRY        L"SiloRaceWideEntry%04lu"
#define RACE_TREE_WIDTH             700         /* about 50 KiB of directory listing */
#define RACE_TREE_OBJECTS           (1 + RACE_TREE_DEPTH + 1 + RACE_TREE_WIDTH)
#define RACE_TREE_NAME_CHARS        24

/* Exit code bits of the "win32silo" child: one per check that failed */
#define WIN32SILO_FAIL_CREATE           0x001   /* its event, mutex or section */
#define WIN32SILO_FAIL_SEES_HOST        0x002   /* opened a host object by its name */
#define WIN32SILO_FAIL_SEES_HOST_GLOBAL 0x004   /* ... or by Global\<name> */
#define WIN32SILO_FAIL_CHILD            0x008   /* CreateProcess in the silo */
#define WIN32SILO_FAIL_DRIVE            0x010   /* C: through the silo's \?? */
#define WIN32SILO_FAIL_DEFINE_DRIVE     0x020   /* a drive letter of its own */
#define WIN32SILO_FAIL_RELEASE          0x040   /* the host never released it */
#define WIN32SILO_FAIL_SETUP            0x080
#define WIN32SILO_FAIL_PIPE_HOST        0x100   /* opened the host's pipe by its name */
#define WIN32SILO_FAIL_PIPE_OWN         0x200   /* its own pipe (named as one of the host's) */
#define WIN32SILO_FAIL_PIPE_WAIT        0x400   /* waiting for its own busy pipe */

/* Named objects of the Win32 check: the host's, and the silo program's */
#define WIN32SILO_HOST_EVENT        L"SiloTestHostEvent"
#define WIN32SILO_HOST_MUTEX        L"SiloTestHostMutex"
#define WIN32SILO_HOST_SECTION      L"SiloTestHostSection"
#define WIN32SILO_EVENT             L"SiloTestSiloEvent"
#define WIN32SILO_MUTEX             L"SiloTestSiloMutex"
#define WIN32SILO_SECTION           L"SiloTestSiloSection"
#define WIN32SILO_RELEASE           L"SiloTestRelease"  /* set by the host when it has looked */
#define WIN32SILO_PIPE_PREFIX       L"\\\\.\\pipe\\"
#define WIN32SILO_HOST_PIPE         L"SiloTestHostPipe"
#define WIN32SILO_PIPE              L"SiloTestPipe"     /* the host and the silo each have one */
#define WIN32SILO_PIPE_BYTES        512
#define WIN32SILO_WAIT_PIPE         L"SiloTestWaitPipe" /* busy, then listening again */
#define WIN32SILO_WAITER_START_MS   200                 /* time the waiter gets to queue its wait */
#define WIN32SILO_SECTION_BYTES     4096
#define WIN32SILO_DRIVE             L"Q:"
#define WIN32SILO_DRIVE_TARGET      L"C:\\"
#define WIN32SILO_CHILD_EXIT_CODE   "7"

/* Exit code bits of the "insilo" child: one per check that failed */
#define INSILO_FAIL_SHARED_DATA         0x01
#define INSILO_FAIL_SESSION_ID          0x02
#define INSILO_FAIL_NESTED_CREATE       0x04
#define INSILO_FAIL_ROOT_QUERY          0x08
#define INSILO_FAIL_OWN_JOB_BASIC       0x10
#define INSILO_FAIL_NESTED_INIT         0x20
#define INSILO_FAIL_ROOT_SILO_LIST      0x40    /* SystemRootSiloInformation listed a silo */
#define INSILO_FAIL_MEMBERSHIP          0x100   /* ProcessMembershipInformation gave another silo */
#define INSILO_FAIL_SETUP               0x80

/*
 * The kernel's silo pool tags (ntoskrnl tag.h: Pslo, SilG, SilC, SilM; obsilo.c: ObSi), as the
 * pool tag table stores them
 */
#define SILOTEST_SILO_POOL_TAGS     { 'olsP', 'GliS', 'CliS', 'MliS', 'iSbO' }
#define SILOTEST_POOL_TAG_BYTES     (64 * 1024)
#define SILOTEST_MAX_OWN_HANDLES    256
#define SILOTEST_TYPE_INFO_BYTES    512
/* How many of this process's critical sections IsCriticalSectionEvent looks through at most */
#define SILOTEST_MAX_CRITICAL_SECTIONS 4096

/* siloutil.c */
/* Sets a silo's configuration between its system root and its initialize (a ReactOS class, say) */
typedef NTSTATUS (*SILO_PREPARE)(_In_ HANDLE Silo, _In_opt_ PVOID Context);

NTSTATUS CreateJob(_Out_ PHANDLE Job, _In_ ULONG LimitFlags);
NTSTATUS SetJobLimitFlags(_In_ HANDLE Job, _In_ ULONG LimitFlags);
NTSTATUS MakeSilo(_Out_ PHANDLE Job);
NTSTATUS MakeServerSilo(_Out_ PHANDLE Job, _In_opt_ HANDLE DeleteEvent, _In_opt_ PCWSTR SystemRoot);
NTSTATUS MakeServerSiloKeep(_Out_ PHANDLE Job, _In_opt_ HANDLE DeleteEvent, _In_opt_ PCWSTR SystemRoot);
NTSTATUS MakeServerSiloPrepared(_Out_ PHANDLE Job, _In_opt_ PCWSTR SystemRoot, _In_opt_ SILO_PREPARE Prepare,
                                _In_opt_ PVOID Context);
ULONG GetSiloId(_In_ HANDLE Job);
BOOL SpawnChild(_In_ PCSTR Mode, _In_opt_ PCSTR Argument, _In_ BOOL Suspended,
                _In_ DWORD CreationFlags, _Out_ PPROCESS_INFORMATION ProcessInfo);
BOOL SpawnChildEx(_In_ PCSTR Mode, _In_opt_ PCSTR Argument, _In_ BOOL Suspended, _In_ DWORD CreationFlags,
                  _In_ BOOL InheritHandles, _Out_ PPROCESS_INFORMATION ProcessInfo);
DWORD WaitChild(_In_ PPROCESS_INFORMATION ProcessInfo);
void CloseChild(_In_ PPROCESS_INFORMATION ProcessInfo);
NTSTATUS OpenAndCloseFile(_In_ PCWSTR Name, _In_ ACCESS_MASK DesiredAccess, _In_ ULONG ShareAccess);
/* The harness's scratch disk (harness/scratch.py), found by its label */
#define SCRATCH_DISK_LABEL          L"HARNESSDISK"
WCHAR FindScratchLetter(VOID);
ULONG ActiveProcesses(_In_ HANDLE Job);
BOOL WaitActiveProcesses(_In_ HANDLE Job, _In_ ULONG Expected);
BOOL EnableTcb(_In_ BOOL Enable);
BOOL EnablePrivilege(_In_ ULONG Privilege);
ULONG CountJobObjects(VOID);
ULONG CountSiloDirectories(VOID);
BOOL SiloDirectoryExists(_In_ ULONG SiloId);
ULONG CountOwnHandles(VOID);
ULONG SiloPoolBlocks(VOID);
PSYSTEM_POOLTAG_INFORMATION QueryPoolTags(VOID);
VOID TracePoolTagGrowth(_In_ PCSTR Name, _In_ PSYSTEM_POOLTAG_INFORMATION Before);
ULONG ListOwnHandles(_Out_writes_(Max) PUSHORT Values, _Out_writes_(Max) PUCHAR Types, _In_ ULONG Max);
BOOL IsCriticalSectionEvent(_In_ HANDLE Handle);
PSYSTEM_PROCESS_INFORMATION QueryProcessList(VOID);
ULONG CountProcesses(_In_opt_ PCWSTR ImageName);
ULONG NonPagedPoolPages(VOID);
BOOL WaitServerSiloState(_In_ HANDLE Silo, _In_ SERVERSILO_STATE State, _Out_opt_ PSERVERSILO_BASIC_INFORMATION Basic);
VOID ChildMain(_In_ int argc, _In_ char **argv);

/* prisonchild.c */
DWORD RegistryWriteChild(_In_ PCSTR Argument);
DWORD WorkspaceProbeChild(VOID);
DWORD DeviceProbeChild(_In_ PCSTR Argument);
DWORD DeviceControlProbeChild(_In_ PCSTR Argument);

/* devices.c: what the "devprobe" child opens, and the system volume it is told of */
typedef enum _DEVICE_TARGET
{
    TargetNull,
    TargetBeep,
    TargetBeepGlobalRoot,
    TargetNamedPipeRoot,
    TargetKsecDD,
    TargetVolume,
    TargetVolumeGlobalRoot,
    TargetVolumeDrive,
    TargetVolumeFile,
    DeviceTargets
} DEVICE_TARGET;

#define TARGET_BIT(Target)          (1UL << (Target))
#define DEFAULT_SET_TARGETS         (TARGET_BIT(TargetNull) | TARGET_BIT(TargetBeep) | \
                                     TARGET_BIT(TargetBeepGlobalRoot) | TARGET_BIT(TargetNamedPipeRoot) | \
                                     TARGET_BIT(TargetKsecDD))
#define VOLUME_TARGETS              (TARGET_BIT(TargetVolume) | TARGET_BIT(TargetVolumeGlobalRoot) | \
                                     TARGET_BIT(TargetVolumeDrive))
#define ALL_DEVICE_TARGETS          ((1UL << DeviceTargets) - 1)
/* Exit code of the "devprobe" child: opened targets in the low word, refused with another status in the high */
#define DEVPROBE_RESULT(Opened, Wrong)  (((DWORD)(Wrong) << 16) | ((DWORD)(Opened) & 0xFFFF))
#define DEVPROBE_OPENED(Code)           ((Code) & 0xFFFF)
#define DEVPROBE_WRONG(Code)            ((Code) >> 16)

/* The system volume, as the host names it: "X:" and "\Device\CdRom0" */
typedef struct _SYSTEM_VOLUME
{
    WCHAR Drive[3];
    WCHAR Device[MAX_PATH];
    WCHAR SystemDirectory[MAX_PATH];
} SYSTEM_VOLUME, *PSYSTEM_VOLUME;

BOOL FindSystemVolume(_Out_ PSYSTEM_VOLUME Volume);
VOID FormatDeviceProbeArgument(_In_ const SYSTEM_VOLUME *Volume, _Out_writes_(Bytes) PSTR Argument, _In_ ULONG Bytes);
DWORD NetworkProbeChild(_In_ PCSTR Argument);
BOOL PrisonChildMain(_In_ PCSTR Mode, _In_ PCSTR Argument, _Out_ PDWORD ExitCode);

/* What a soak counts in the guest before its cycles and after them */
typedef struct _GUEST_COUNTS
{
    ULONG Processes;
    ULONG Handles;
    ULONG JobObjects;
    ULONG SiloDirectories;
    ULONG NonPagedPages;
    ULONG SiloPoolBlocks;       /* pool blocks under the silo tags, not yet freed */
} GUEST_COUNTS, *PGUEST_COUNTS;

VOID CountGuest(_In_opt_ PCWSTR ProcessImage, _Out_ PGUEST_COUNTS Counts);
VOID CheckSoakCounts(_In_ PCSTR Metric, _In_ PCSTR ProcessesKey, _In_opt_ PCWSTR ProcessImage, _In_ ULONG Ended,
                     _In_ const GUEST_COUNTS *Before);

/* silosm.c: server silos started by the host's SMSS */
#ifndef HANDLE_DETACHED_PROCESS
#define HANDLE_DETACHED_PROCESS     ((HANDLE)-1)    /* kernel32's "no console" marker */
#endif

typedef struct _SMSS_SILO
{
    HANDLE Silo;
    ULONG SiloId;
    double ReadyMs;     /* SmStartServerSilo request -> the silo's CSRSS serves; < 0 if never */
} SMSS_SILO, *PSMSS_SILO;

typedef VOID (*PROCESS_VISITOR)(PVOID Context, ULONG Pid, PCUNICODE_STRING Image, LONGLONG CreateTime);

BOOL ConnectToHostSm(_Out_ PHANDLE SmPort);
NTSTATUS StartSmssSilo(_In_ HANDLE SmPort, _Out_ PSMSS_SILO Started);
NTSTATUS StartSmssSiloPrepared(_In_ HANDLE SmPort, _In_opt_ SILO_PREPARE Prepare, _In_opt_ PVOID Context,
                               _Out_ PSMSS_SILO Started);
VOID EndSmssSilo(_Inout_ PSMSS_SILO Started, _In_ NTSTATUS ExitStatus);
BOOL SiloDirectoryHasEntry(_In_ ULONG SiloId, _In_ PCWSTR Directory, _In_ PCWSTR Name);
NTSTATUS StartWin32InSilo(_In_ PSMSS_SILO Started, _In_ PCSTR Mode, _In_opt_ PCSTR Argument, _Out_ PHANDLE Process);
NTSTATUS KillSiloProcess(_In_ HANDLE Silo, _In_ PCWSTR ImageName, _Out_ PSERVERSILO_BASIC_INFORMATION Basic);
ULONG EarliestProcessIn(_In_opt_ HANDLE Job, _In_ PCWSTR ImageName, _Out_opt_ PLONGLONG CreateTime);
ULONG ForEachProcessIn(_In_opt_ HANDLE Job, _In_opt_ PCWSTR ImageName, _In_opt_ PROCESS_VISITOR Visit,
                       _In_opt_ PVOID Context);

/* csrss.c */
BOOL SiloRunsWin32(_In_ PSMSS_SILO Started);

/* network.c */
BOOL WaitForNetworkStack(VOID);

/* namespace.c */
DWORD LookupBenchNanoseconds(VOID);

/* ddi.c */
void FuzzSiloDdis(_In_ ULONG Seed, _In_ ULONG Calls);
HANDLE LoadSiloDriver(VOID);
void UnloadSiloDriver(_In_ HANDLE Device);
PSILODRV_RESULTS RunDriverChecks(_In_ HANDLE Device, _In_ DWORD Code, _In_opt_ PVOID Input, _In_ DWORD InputLength);
PSILODRV_RESULTS RunDriverChecksInto(_In_ HANDLE Device, _In_ DWORD Code, _In_opt_ PVOID Input,
                                     _In_ DWORD InputLength, _Out_ PSILODRV_RESULTS Results);

/* jobwatch.c: a job's messages, its figures over time, a host timer's lateness */
#define JOB_WATCH_MAX_PROCESSES     512
#define JOB_SAMPLER_MAX_JOBS        4

typedef struct _JOB_MESSAGE
{
    DWORD Id;                   /* JOB_OBJECT_MSG_*: GetQueuedCompletionStatus's byte count */
    ULONG_PTR Key;              /* the job's completion key */
    ULONG_PTR ProcessId;        /* the overlapped pointer: the process it is about, or 0 */
} JOB_MESSAGE, *PJOB_MESSAGE;

typedef struct _JOB_SAMPLE_SERIES
{
    HANDLE Job;
    ULONG SiloId;
    double LastCpuMs;
    double LastMs;
} JOB_SAMPLE_SERIES, *PJOB_SAMPLE_SERIES;

typedef struct _JOB_SAMPLER
{
    PCSTR Name;
    ULONG Count;
    DWORD PeriodMs;
    LARGE_INTEGER Start;
    HANDLE Stop;
    HANDLE Thread;
    JOB_SAMPLE_SERIES Series[JOB_SAMPLER_MAX_JOBS];
} JOB_SAMPLER, *PJOB_SAMPLER;

typedef struct _HOST_TIMER
{
    HANDLE Stop;
    HANDLE Thread;
    ULONG Ticks;
    double WorstLateMs;
    double TotalLateMs;
} HOST_TIMER, *PHOST_TIMER;

double MsSince(_In_ PLARGE_INTEGER Start);
DWORD WaitExitCode(_In_ HANDLE Process, _In_ DWORD TimeoutMs);
HANDLE AttachJobPort(_In_ HANDLE Job, _In_ ULONG_PTR Key);
BOOL ReadJobMessage(_In_ HANDLE Port, _In_ DWORD TimeoutMs, _Out_ PJOB_MESSAGE Message);
BOOL ExpectJobMessage(_In_ HANDLE Port, _In_ ULONG_PTR Key, _In_ DWORD Id, _In_ ULONG_PTR ProcessId,
                      _In_ PCSTR Case);
BOOL ExpectNoJobMessage(_In_ HANDLE Port, _In_ DWORD QuietMs, _In_ PCSTR Case);
ULONG DrainJobMessages(_In_ HANDLE Port, _In_ DWORD QuietMs, _Out_writes_(Max) PJOB_MESSAGE Messages,
                       _In_ ULONG Max);
BOOL QueryJobUse(_In_ HANDLE Job, _Out_ PJOBOBJECT_BASIC_AND_IO_ACCOUNTING_INFORMATION Use);
double JobCpuMs(_In_ HANDLE Job);
SIZE_T JobPeakCommit(_In_ HANDLE Job);
ULONG JobCommitKb(_In_ HANDLE Job);
BOOL StartJobSampler(_Out_ PJOB_SAMPLER Sampler, _In_ PCSTR Name, _In_reads_(Count) HANDLE *Jobs,
                     _In_reads_(Count) ULONG *SiloIds, _In_ ULONG Count, _In_ DWORD PeriodMs);
VOID StopJobSampler(_Inout_ PJOB_SAMPLER Sampler);
BOOL StartHostTimer(_Out_ PHOST_TIMER Timer);
VOID StopHostTimer(_Inout_ PHOST_TIMER Timer, _In_ PCSTR Name);
ULONG AvailableMb(VOID);
NTSTATUS SetJobLimits(_In_ HANDLE Job, _In_ ULONG LimitFlags, _In_ ULONG ActiveProcessLimit,
                      _In_ SIZE_T ProcessMemoryLimit, _In_ SIZE_T JobMemoryLimit,
                      _In_ LONGLONG PerProcessUserTime, _In_ LONGLONG PerJobUserTime);
NTSTATUS SetJobCpuRate(_In_ HANDLE Job, _In_ ULONG ControlFlags, _In_ ULONG RateOrWeight);

/* race.c: reading a job's completion port as a Win32 container host does */
BOOL ReadSiloTerminatedMessage(_In_ HANDLE Port, _In_ ULONG_PTR Key, _In_ ULONG SiloId, _In_ PCSTR Case);

#endif /* _SILOTEST_PRECOMP_H_ */
