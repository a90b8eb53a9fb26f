/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     A server silo's own Win32 world: the host's SMSS starts the
 *              silo's SMSS, which starts the silo's CSRSS; Win32 programs run
 *              in the silo, seen from both sides; several at once; start time
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define CSRSS_IMAGE                 L"csrss.exe"
#define SMSS_IMAGE                  L"smss.exe"
#define WINLOGON_IMAGE              L"winlogon.exe"
#define SILOTEST_IMAGE_NAME         L"silotest.exe"
#define CSRSS_PARALLEL_SILOS        3
#define CSRSS_CAPACITY_GOAL         32
#define CSRSS_START_RATIO_GOAL      1.5
#define HUNDRED_NS_PER_MS           10000.0
#define NEIGHBOUR_EXIT_CODE         "5"
#define BYTES_PER_MB                (1024 * 1024)

typedef struct _IMAGE_TALLY
{
    ULONG Smss, Csrss, Silotest, Other;
} IMAGE_TALLY, *PIMAGE_TALLY;

static
VOID
TallyImage(
    _In_ PVOID Context,
    _In_ ULONG Pid,
    _In_ PCUNICODE_STRING Image,
    _In_ LONGLONG CreateTime)
{
    PIMAGE_TALLY Tally = Context;

    UNREFERENCED_PARAMETER(Pid);
    UNREFERENCED_PARAMETER(CreateTime);
    if (!_wcsicmp(Image->Buffer, SMSS_IMAGE)) Tally->Smss++;
    else if (!_wcsicmp(Image->Buffer, CSRSS_IMAGE)) Tally->Csrss++;
    else if (!_wcsicmp(Image->Buffer, SILOTEST_IMAGE_NAME)) Tally->Silotest++;
    else Tally->Other++;
}

static
IMAGE_TALLY
TallySilo(
    _In_ HANDLE Silo)
{
    IMAGE_TALLY Tally;

    ZeroMemory(&Tally, sizeof(Tally));
    ForEachProcessIn(Silo, NULL, TallyImage, &Tally);
    return Tally;
}

/* The host's own boot of its Win32 world: its SMSS starting -> its winlogon starting,
   which SMSS does the moment the host's CSRSS has connected; -1 if not known */
static
double
HostSmssToCsrssReadyMs(VOID)
{
    LONGLONG SmssCreated, WinlogonCreated;

    if (!EarliestProcessIn(NULL, SMSS_IMAGE, &SmssCreated) ||
        !EarliestProcessIn(NULL, WINLOGON_IMAGE, &WinlogonCreated))
    {
        return -1.0;
    }
    return (double)(WinlogonCreated - SmssCreated) / HUNDRED_NS_PER_MS;
}

static
NTSTATUS
OpenSiloNamedObject(
    _In_ ULONG SiloId,
    _In_ PCWSTR Name,
    _In_ ACCESS_MASK Access,
    _Out_ PHANDLE Handle)
{
    WCHAR Path[MAX_PATH];
    UNICODE_STRING PathString;
    OBJECT_ATTRIBUTES Attributes;

    _snwprintf(Path, ARRAYSIZE(Path), L"\\Silos\\%lu\\BaseNamedObjects\\%s", SiloId, Name);
    Path[ARRAYSIZE(Path) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&PathString, Path);
    InitializeObjectAttributes(&Attributes, &PathString, OBJ_CASE_INSENSITIVE, NULL, NULL);
    return NtOpenEvent(Handle, Access, &Attributes);
}

/* Runs the Win32 check program in the silo and looks at the silo from the host meanwhile */
static
void
CheckWin32World(
    _In_ PSMSS_SILO World)
{
    HANDLE Child, Release, Probe;
    IMAGE_TALLY Tally;
    WCHAR Target[MAX_PATH], SiloPipe[MAX_PATH];
    DWORD ExitCode, Waited;
    NTSTATUS Status;

    Status = StartWin32InSilo(World, CHILD_MODE_WIN32_IN_SILO, NULL, &Child);
    ok(Status == STATUS_SUCCESS, "silo %lu: SmExecPgm of a Win32 program: 0x%08lx\n", World->SiloId, Status);
    if (!NT_SUCCESS(Status)) return;

    for (Waited = 0; Waited < SILOTEST_WAIT_MS; Waited += SILOTEST_POLL_MS)
    {
        if (SiloDirectoryHasEntry(World->SiloId, L"BaseNamedObjects", WIN32SILO_RELEASE)) break;
        if (WaitForSingleObject(Child, SILOTEST_POLL_MS) == WAIT_OBJECT_0) break;
    }
    ok(SiloDirectoryHasEntry(World->SiloId, L"BaseNamedObjects", WIN32SILO_RELEASE),
       "the Win32 program never reached its release event in silo %lu\n", World->SiloId);

    /* What runs in the silo: its SMSS, its CSRSS and the program */
    Tally = TallySilo(World->Silo);
    ok(Tally.Smss == 1 && Tally.Csrss == 1 && Tally.Silotest == 1 && Tally.Other == 0,
       "silo %lu runs smss %lu, csrss %lu, silotest %lu, other %lu\n",
       World->SiloId, Tally.Smss, Tally.Csrss, Tally.Silotest, Tally.Other);

    /* The silo's named objects are in the silo only */
    Probe = OpenEventW(SYNCHRONIZE, FALSE, WIN32SILO_EVENT);
    ok(Probe == NULL, "the host opens the silo's event by its name\n");
    if (Probe) CloseHandle(Probe);
    Probe = OpenMutexW(SYNCHRONIZE, FALSE, WIN32SILO_MUTEX);
    ok(Probe == NULL, "the host opens the silo's mutex by its name\n");
    if (Probe) CloseHandle(Probe);
    Probe = OpenFileMappingW(FILE_MAP_READ, FALSE, WIN32SILO_SECTION);
    ok(Probe == NULL, "the host opens the silo's section by its name\n");
    if (Probe) CloseHandle(Probe);
    Status = OpenSiloNamedObject(World->SiloId, WIN32SILO_EVENT, SYNCHRONIZE, &Probe);
    ok(Status == STATUS_SUCCESS, "the silo's event is not in \\Silos\\%lu\\BaseNamedObjects: 0x%08lx\n",
       World->SiloId, Status);
    if (NT_SUCCESS(Status)) NtClose(Probe);
    ok(SiloDirectoryHasEntry(World->SiloId, L"BaseNamedObjects", WIN32SILO_MUTEX) &&
       SiloDirectoryHasEntry(World->SiloId, L"BaseNamedObjects", WIN32SILO_SECTION),
       "the silo's mutex or section is not in its BaseNamedObjects\n");

    /* The silo's pipe is the host's only by the silo's full name */
    _snwprintf(SiloPipe, ARRAYSIZE(SiloPipe), WIN32SILO_PIPE_PREFIX L"Silos\\%lu\\" WIN32SILO_PIPE, World->SiloId);
    SiloPipe[ARRAYSIZE(SiloPipe) - 1] = UNICODE_NULL;
    Probe = CreateFileW(SiloPipe, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    ok(Probe != INVALID_HANDLE_VALUE, "the host cannot open %S: %lu\n", SiloPipe, GetLastError());
    if (Probe != INVALID_HANDLE_VALUE) CloseHandle(Probe);

    /* Its drive letter went to the silo's device map */
    ok(!QueryDosDeviceW(WIN32SILO_DRIVE, Target, ARRAYSIZE(Target)), "the host sees the silo's %S\n",
       WIN32SILO_DRIVE);
    ok(SiloDirectoryHasEntry(World->SiloId, L"GLOBAL??", WIN32SILO_DRIVE), "%S is not in the silo's GLOBAL??\n",
       WIN32SILO_DRIVE);

    Status = OpenSiloNamedObject(World->SiloId, WIN32SILO_RELEASE, EVENT_MODIFY_STATE, &Release);
    if (NT_SUCCESS(Status))
    {
        NtSetEvent(Release, NULL);
        NtClose(Release);
    }
    ExitCode = WaitExitCode(Child, SILOTEST_WAIT_MS);
    ok(ExitCode == 0, "the Win32 program in silo %lu failed its checks: 0x%lx\n", World->SiloId, ExitCode);
    NtTerminateProcess(Child, STATUS_CANCELLED);
    NtClose(Child);
}

/* A silo whose CSRSS still serves: a new Win32 program runs there and ends with its code */
BOOL
SiloRunsWin32(
    _In_ PSMSS_SILO Started)
{
    HANDLE Child;
    DWORD ExitCode;

    if (!NT_SUCCESS(StartWin32InSilo(Started, CHILD_MODE_EXIT, NEIGHBOUR_EXIT_CODE, &Child))) return FALSE;
    ExitCode = WaitExitCode(Child, SILOTEST_WAIT_MS);
    NtTerminateProcess(Child, STATUS_CANCELLED);
    NtClose(Child);
    return ExitCode == strtoul(NEIGHBOUR_EXIT_CODE, NULL, 0);
}

static
void
KillSiloCsrss(
    _In_ HANDLE SmPort)
{
    SMSS_SILO Victim, Neighbour;
    SERVERSILO_BASIC_INFORMATION Basic;
    SERVERSILO_DIAGNOSTIC_INFORMATION Diagnostic;
    NTSTATUS Status;

    ok(StartSmssSilo(SmPort, &Victim) == STATUS_SUCCESS, "victim silo did not start\n");
    ok(StartSmssSilo(SmPort, &Neighbour) == STATUS_SUCCESS, "neighbour silo did not start\n");
    ok(TallySilo(Victim.Silo).Csrss == 1, "victim silo %lu has no CSRSS of its own\n", Victim.SiloId);

    Status = KillSiloProcess(Victim.Silo, CSRSS_IMAGE, &Basic);
    ok(Status == STATUS_SUCCESS, "killing its CSRSS did not end the silo: 0x%08lx\n", Status);
    ok(Basic.ExitStatus == (ULONG)STATUS_SYSTEM_PROCESS_TERMINATED, "silo exit status 0x%08lx\n", Basic.ExitStatus);
    Status = NtQueryInformationJobObject(Victim.Silo, JobObjectServerSiloDiagnosticInformation,
                                         &Diagnostic, sizeof(Diagnostic), NULL);
    ok(Status == STATUS_SUCCESS && !_wcsicmp(Diagnostic.CriticalProcessName, CSRSS_IMAGE),
       "diagnostics 0x%08lx: critical process %.15S\n", Status,
       NT_SUCCESS(Status) ? Diagnostic.CriticalProcessName : L"");

    /* The neighbour and its CSRSS run on */
    ok(TallySilo(Neighbour.Silo).Csrss == 1, "the neighbour silo lost its CSRSS\n");
    ok(SiloRunsWin32(&Neighbour), "the neighbour silo's CSRSS no longer serves\n");
    if (Victim.Silo) NtClose(Victim.Silo);
    EndSmssSilo(&Neighbour, STATUS_SUCCESS);
}

START_TEST(csrss)
{
    SMSS_SILO World, Silos[CSRSS_PARALLEL_SILOS], *Capacity;
    HANDLE SmPort, HostEvent, HostMutex, HostSection, HostPipe, HostSiloNamedPipe;
    ULONG i, Running = 0, HostCsrss;
    MEMORYSTATUSEX Memory;
    double HostMs, Ratio;
    NTSTATUS Status;

    if (!ConnectToHostSm(&SmPort)) return;
    HostCsrss = ForEachProcessIn(NULL, CSRSS_IMAGE, NULL, NULL);
    ok(HostCsrss == 1, "the host runs %lu csrss.exe outside any job\n", HostCsrss);

    /* Objects of the host's the silo must not reach */
    HostEvent = CreateEventW(NULL, TRUE, FALSE, WIN32SILO_HOST_EVENT);
    HostMutex = CreateMutexW(NULL, FALSE, WIN32SILO_HOST_MUTEX);
    HostSection = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, WIN32SILO_SECTION_BYTES,
                                     WIN32SILO_HOST_SECTION);
    ok(HostEvent && HostMutex && HostSection, "host objects: %p %p %p\n", HostEvent, HostMutex, HostSection);
    HostPipe = CreateNamedPipeW(WIN32SILO_PIPE_PREFIX WIN32SILO_HOST_PIPE, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_WAIT,
                                PIPE_UNLIMITED_INSTANCES, WIN32SILO_PIPE_BYTES, WIN32SILO_PIPE_BYTES, 0, NULL);
    HostSiloNamedPipe = CreateNamedPipeW(WIN32SILO_PIPE_PREFIX WIN32SILO_PIPE,
                                         PIPE_ACCESS_DUPLEX | FILE_FLAG_FIRST_PIPE_INSTANCE, PIPE_TYPE_BYTE | PIPE_WAIT,
                                         1, WIN32SILO_PIPE_BYTES, WIN32SILO_PIPE_BYTES, 0, NULL);
    ok(HostPipe != INVALID_HANDLE_VALUE && HostSiloNamedPipe != INVALID_HANDLE_VALUE, "host pipes: %lu\n",
       GetLastError());

    /* One silo, its own CSRSS, and how long that took beside the host's own boot */
    Status = StartSmssSilo(SmPort, &World);
    ok(Status == STATUS_SUCCESS, "the silo's CSRSS never served: 0x%08lx\n", Status);
    HostMs = HostSmssToCsrssReadyMs();
    Ratio = (HostMs > 0 && World.ReadyMs >= 0) ? World.ReadyMs / HostMs : -1.0;
    trace("csrss-start: silo_id=%lu silo_ms=%.1f host_ms=%.1f ratio=%.3f goal=%.1f\n",
          World.SiloId, World.ReadyMs, HostMs, Ratio, CSRSS_START_RATIO_GOAL);
    ok(HostMs > 0, "the host's SMSS or winlogon start time is unknown\n");
    if (NT_SUCCESS(Status))
    {
        SILO_USER_SHARED_DATA Shared;
        WCHAR SystemRoot[MAX_PATH];

        Status = NtQueryInformationJobObject(World.Silo, JobObjectServerSiloUserSharedData, &Shared, sizeof(Shared), NULL);
        ok(Status == STATUS_SUCCESS && GetSystemWindowsDirectoryW(SystemRoot, ARRAYSIZE(SystemRoot)) &&
           !_wcsicmp(Shared.NtSystemRoot, SystemRoot), "the silo's system root: 0x%08lx %S\n", Status,
           NT_SUCCESS(Status) ? Shared.NtSystemRoot : L"");
        CheckWin32World(&World);
    }
    ok(ForEachProcessIn(NULL, CSRSS_IMAGE, NULL, NULL) == HostCsrss, "the host's CSRSS count changed\n");

    /* Several at once, each with its own CSRSS, ended in any order */
    for (i = 0; i < CSRSS_PARALLEL_SILOS; i++)
    {
        Status = StartSmssSilo(SmPort, &Silos[i]);
        ok(Status == STATUS_SUCCESS, "silo %lu: its CSRSS never served: 0x%08lx\n", Silos[i].SiloId, Status);
        ok(TallySilo(Silos[i].Silo).Csrss == 1, "silo %lu has no CSRSS of its own\n", Silos[i].SiloId);
    }
    ok(ForEachProcessIn(NULL, CSRSS_IMAGE, NULL, NULL) == HostCsrss, "the host's CSRSS count changed\n");
    EndSmssSilo(&Silos[1], STATUS_SUCCESS);
    ok(SiloRunsWin32(&Silos[0]) && SiloRunsWin32(&Silos[2]), "a neighbour's CSRSS stopped serving\n");
    EndSmssSilo(&Silos[2], STATUS_SUCCESS);
    ok(SiloRunsWin32(&World), "the first silo's CSRSS stopped serving\n");
    EndSmssSilo(&World, STATUS_SUCCESS);
    EndSmssSilo(&Silos[0], STATUS_SUCCESS);

    /* The silo's CSRSS dies: that silo ends, its neighbour does not */
    KillSiloCsrss(SmPort);

    /* How many silos with their own CSRSS run at once */
    Capacity = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, CSRSS_CAPACITY_GOAL * sizeof(SMSS_SILO));
    for (i = 0; Capacity && i < CSRSS_CAPACITY_GOAL; i++)
    {
        if (!NT_SUCCESS(StartSmssSilo(SmPort, &Capacity[i]))) break;
        Running++;
    }
    Memory.dwLength = sizeof(Memory);
    if (!GlobalMemoryStatusEx(&Memory)) ZeroMemory(&Memory, sizeof(Memory));
    trace("csrss-silos: running_at_once=%lu goal=%u first_ready_ms=%.1f last_ready_ms=%.1f nonpaged_pages=%lu "
          "total_phys_mb=%lu avail_phys_mb=%lu\n",
          Running, CSRSS_CAPACITY_GOAL, Running ? Capacity[0].ReadyMs : -1.0,
          Running ? Capacity[Running - 1].ReadyMs : -1.0, NonPagedPoolPages(),
          (ULONG)(Memory.ullTotalPhys / BYTES_PER_MB), (ULONG)(Memory.ullAvailPhys / BYTES_PER_MB));
    ok(Running == CSRSS_CAPACITY_GOAL, "only %lu server silos with their CSRSS ran at once\n", Running);
    ok(Running == 0 || SiloRunsWin32(&Capacity[Running - 1]), "the last silo's CSRSS does not serve\n");
    for (i = 0; Capacity && i < CSRSS_CAPACITY_GOAL; i++)
    {
        if (Capacity[i].Silo) EndSmssSilo(&Capacity[i], STATUS_SUCCESS);
    }
    if (Capacity) HeapFree(GetProcessHeap(), 0, Capacity);
    ok(ForEachProcessIn(NULL, CSRSS_IMAGE, NULL, NULL) == HostCsrss, "the host's CSRSS count changed\n");

    if (HostSiloNamedPipe != INVALID_HANDLE_VALUE) CloseHandle(HostSiloNamedPipe);
    if (HostPipe != INVALID_HANDLE_VALUE) CloseHandle(HostPipe);
    if (HostSection) CloseHandle(HostSection);
    if (HostMutex) CloseHandle(HostMutex);
    if (HostEvent) CloseHandle(HostEvent);
    NtClose(SmPort);
}

/* One cycle: a silo with its SMSS and CSRSS, its CSRSS killed, the silo torn down */
static
BOOL
CsrssCrashCycle(
    _In_ HANDLE SmPort)
{
    SMSS_SILO Started;
    SERVERSILO_BASIC_INFORMATION Basic;
    BOOL Ended;

    Ended = NT_SUCCESS(StartSmssSilo(SmPort, &Started)) &&
            KillSiloProcess(Started.Silo, CSRSS_IMAGE, &Basic) == STATUS_SUCCESS &&
            Basic.ExitStatus == (ULONG)STATUS_SYSTEM_PROCESS_TERMINATED;
    if (Started.Silo)
    {
        /* A cycle that went wrong must not leave its silo running */
        if (!Ended) NtTerminateJobObject(Started.Silo, STATUS_CANCELLED);
        NtClose(Started.Silo);
    }
    return Ended;
}

/* 100 silos started by SMSS whose CSRSS dies; the guest's counts come back */
START_TEST(csrsssoak)
{
    GUEST_COUNTS Before;
    ULONG Cycle, Ended = 0;
    HANDLE SmPort;

    if (!ConnectToHostSm(&SmPort)) return;

    for (Cycle = 0; Cycle < SOAK_WARMUP_CYCLES; Cycle++) CsrssCrashCycle(SmPort);
    Sleep(SOAK_SETTLE_MS);
    CountGuest(NULL, &Before);

    for (Cycle = 0; Cycle < SOAK_CYCLES; Cycle++)
    {
        if (CsrssCrashCycle(SmPort)) Ended++;
    }
    CheckSoakCounts("csrss-soak", "processes", NULL, Ended, &Before);
    NtClose(SmPort);
}

/* Handles the test holds while a Win32 program starts in a silo: every low handle value is one of them */
#define WIN32HANDLES_SILOS          2
#define WIN32HANDLES_FILLERS        1024

/*
 * Starting a Win32 program in a silo sends the silo's SMSS handle values
 * that are the SMSS's own (duplicated into it). The host's own handles,
 * whatever values they have, must all stay open: the silos' handles, and
 * events that take every low handle value the SMSS's values may have.
 */
START_TEST(win32handles)
{
    SMSS_SILO Silos[WIN32HANDLES_SILOS];
    EVENT_BASIC_INFORMATION EventInfo;
    HANDLE SmPort, *Fillers;
    PBOOLEAN Open;
    ULONG i, Created = 0, Lost = 0, HandlesBefore, HandlesAfter;
    NTSTATUS Status;

    if (!ConnectToHostSm(&SmPort)) return;
    ZeroMemory(Silos, sizeof(Silos));
    for (i = 0; i < WIN32HANDLES_SILOS; i++)
    {
        Status = StartSmssSilo(SmPort, &Silos[i]);
        ok(Status == STATUS_SUCCESS, "silo %lu: its CSRSS never served: 0x%08lx\n", Silos[i].SiloId, Status);
    }

    Fillers = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, WIN32HANDLES_FILLERS * sizeof(*Fillers));
    Open = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, WIN32HANDLES_FILLERS * sizeof(*Open));
    ok(Fillers && Open, "no memory for the handle table\n");
    for (i = 0; Fillers && Open && i < WIN32HANDLES_FILLERS; i++)
    {
        if (!NT_SUCCESS(NtCreateEvent(&Fillers[i], EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE))) break;
        Created++;
    }
    ok(Created == WIN32HANDLES_FILLERS, "only %lu events created\n", Created);

    /* The first program also sets up what the test keeps for later ones; the second is counted */
    ok(Silos[0].Silo && SiloRunsWin32(&Silos[0]), "silo %lu's CSRSS does not serve\n", Silos[0].SiloId);
    HandlesBefore = CountOwnHandles();
    ok(Silos[WIN32HANDLES_SILOS - 1].Silo && SiloRunsWin32(&Silos[WIN32HANDLES_SILOS - 1]),
       "silo %lu's CSRSS does not serve\n", Silos[WIN32HANDLES_SILOS - 1].SiloId);
    HandlesAfter = CountOwnHandles();

    for (i = 0; i < Created; i++)
    {
        Open[i] = NT_SUCCESS(NtQueryEvent(Fillers[i], EventBasicInformation, &EventInfo, sizeof(EventInfo), NULL));
        if (!Open[i])
        {
            if (!Lost) trace("win32handles: handle %p (event %lu) was closed\n", Fillers[i], i);
            Lost++;
        }
    }
    ok(Lost == 0, "%lu of the test's own handles were closed by starting Win32 programs in silos\n", Lost);
    ok(HandlesAfter == HandlesBefore, "own handles %lu -> %lu\n", HandlesBefore, HandlesAfter);
    for (i = 0; i < WIN32HANDLES_SILOS; i++)
    {
        ok(!Silos[i].Silo || GetSiloId(Silos[i].Silo) == Silos[i].SiloId,
           "silo %lu's handle no longer names it\n", Silos[i].SiloId);
    }

    /* Only the events still open: a lost value may name something else by now */
    for (i = 0; i < Created; i++)
    {
        if (Open[i]) NtClose(Fillers[i]);
    }
    for (i = 0; i < WIN32HANDLES_SILOS; i++) EndSmssSilo(&Silos[i], STATUS_SUCCESS);
    if (Open) HeapFree(GetProcessHeap(), 0, Open);
    if (Fillers) HeapFree(GetProcessHeap(), 0, Fillers);
    NtClose(SmPort);
}
