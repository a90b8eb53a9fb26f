/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Child processes of the job limit tests: tenants that misbehave
 *              (a fork bomb, a memory hog, a crash), that do measured work
 *              (I/O, commit churn) or that guard other tenants
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

/* Bytes of one write to NUL and of one read of the child's own image, in the "io" child */
#define IO_WRITE_BYTES              1000
#define IO_READ_BYTES               4096

/* How long a fork bomb or a hog keeps what it got before it reports, so the host can look */
#define PRISON_HOLD_MS              1000

/* The "churn" child's region */
#define CHURN_PAGES                 256

/*
 * Children of tenants get no console: inside a server silo there is no
 * console to give them (the silo's CSRSS has no terminal), and a child that
 * asks for one fails to start
 */
#define TENANT_CHILD_FLAGS          DETACHED_PROCESS

static
ULONG
ParseNumber(
    _Inout_ PCSTR *Cursor)
{
    PSTR End;
    ULONG Value = strtoul(*Cursor, &End, 0);

    *Cursor = (*End == ':') ? End + 1 : End;
    return Value;
}

/*
 * Creates "wait" children as fast as it can until creation fails or Max
 * were made; holds them HoldMs, then exits with PRISON_RESULT(made, error).
 */
static
DWORD
ForkBomb(
    _In_ ULONG Max,
    _In_ ULONG HoldMs)
{
    PROCESS_INFORMATION Child;
    ULONG Made = 0;
    DWORD Error = 0;

    while (Made < Max)
    {
        if (!SpawnChild(CHILD_MODE_WAIT, NULL, FALSE, TENANT_CHILD_FLAGS, &Child))
        {
            Error = GetLastError();
            break;
        }
        CloseHandle(Child.hThread);
        CloseHandle(Child.hProcess);
        Made++;
    }
    Sleep(HoldMs);
    return PRISON_RESULT(Made, Error);
}

/*
 * Commits ChunkKb at a time (reserved and committed in one call, then
 * written) until a commit fails or MaxMb were committed; holds the memory
 * HoldMs, then exits with PRISON_RESULT(committed in PRISON_HOG_UNIT_KB
 * units, error). With Section set the memory comes from paging-file backed
 * sections instead.
 */
static
DWORD
Hog(
    _In_ ULONG ChunkKb,
    _In_ ULONG MaxMb,
    _In_ ULONG HoldMs,
    _In_ BOOL Section)
{
    SIZE_T Chunk = (SIZE_T)ChunkKb * 1024, Done = 0, Max = (SIZE_T)MaxMb * 1024 * 1024, Offset;
    DWORD Error = 0;

    while (Done + Chunk <= Max)
    {
        volatile UCHAR *Memory;

        if (Section)
        {
            HANDLE Mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE | SEC_COMMIT,
                                                0, (DWORD)Chunk, NULL);

            Memory = Mapping ? MapViewOfFile(Mapping, FILE_MAP_WRITE, 0, 0, Chunk) : NULL;
            if (Mapping) CloseHandle(Mapping);
        }
        else
        {
            Memory = VirtualAlloc(NULL, Chunk, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
        }
        if (Memory == NULL)
        {
            Error = GetLastError();
            break;
        }
        for (Offset = 0; Offset < Chunk; Offset += PAGE_SIZE) Memory[Offset] = 1;
        Done += Chunk;
    }
    Sleep(HoldMs);
    return PRISON_RESULT(Done / (PRISON_HOG_UNIT_KB * 1024), Error);
}

/*
 * Commits and frees the same amount many times, commits pages that are
 * already committed, decommits and commits again: with an exact account of
 * its commit, a job memory limit above CHURN_PAGES never refuses it.
 * Exits with 0, or PRISON_RESULT(the round that failed, error).
 */
static
DWORD
ChurnCommit(
    _In_ ULONG Rounds)
{
    SIZE_T Bytes = CHURN_PAGES * PAGE_SIZE;
    PUCHAR Memory;
    ULONG Round;

    for (Round = 1; Round <= Rounds; Round++)
    {
        /* Reserve and commit, write, release */
        Memory = VirtualAlloc(NULL, Bytes, MEM_RESERVE | MEM_COMMIT, PAGE_READWRITE);
        if (!Memory) return PRISON_RESULT(Round, GetLastError());
        Memory[0] = Memory[Bytes - 1] = 1;
        if (!VirtualFree(Memory, 0, MEM_RELEASE)) return PRISON_RESULT(Round, GetLastError());
    }

    /* Reserve, then commit the same pages again and again */
    Memory = VirtualAlloc(NULL, Bytes, MEM_RESERVE, PAGE_READWRITE);
    if (!Memory) return PRISON_RESULT(Rounds + 1, GetLastError());
    for (Round = 1; Round <= Rounds; Round++)
    {
        if (!VirtualAlloc(Memory, Bytes, MEM_COMMIT, PAGE_READWRITE))
            return PRISON_RESULT(Rounds + 1 + Round, GetLastError());
        Memory[0] = 1;
    }

    /* Decommit half, commit it again, release all */
    for (Round = 1; Round <= Rounds; Round++)
    {
        if (!VirtualFree(Memory, Bytes / 2, MEM_DECOMMIT) ||
            !VirtualAlloc(Memory, Bytes / 2, MEM_COMMIT, PAGE_READWRITE))
        {
            return PRISON_RESULT(2 * Rounds + 1 + Round, GetLastError());
        }
    }
    if (!VirtualFree(Memory, 0, MEM_RELEASE)) return PRISON_RESULT(3 * Rounds + 2, GetLastError());
    return 0;
}

/* Count writes of IO_WRITE_BYTES to NUL and reads of IO_READ_BYTES of its own image */
static
DWORD
DoCountedIo(
    _In_ ULONG Count)
{
    static UCHAR Buffer[IO_READ_BYTES];
    CHAR Image[MAX_PATH];
    HANDLE Null, Self;
    DWORD Done;
    ULONG i;

    if (!GetModuleFileNameA(NULL, Image, sizeof(Image))) return GetLastError();
    Null = CreateFileA("NUL", GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    Self = CreateFileA(Image, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (Null == INVALID_HANDLE_VALUE || Self == INVALID_HANDLE_VALUE) return GetLastError();

    for (i = 0; i < Count; i++)
    {
        if (!WriteFile(Null, Buffer, IO_WRITE_BYTES, &Done, NULL) || Done != IO_WRITE_BYTES)
            return GetLastError();
        SetFilePointer(Self, 0, NULL, FILE_BEGIN);
        if (!ReadFile(Self, Buffer, IO_READ_BYTES, &Done, NULL) || Done != IO_READ_BYTES)
            return GetLastError();
    }
    CloseHandle(Null);
    CloseHandle(Self);
    return 0;
}

/*
 * The guard of the seed's prison: puts Tenants "wait" children into a job of
 * its own (kill on close when KillOnClose) whose only handle it keeps, then
 * waits. The tenants end with the guard when the job kills on close.
 */
static
DWORD
Guard(
    _In_ ULONG Tenants,
    _In_ BOOL KillOnClose)
{
    PROCESS_INFORMATION Tenant;
    HANDLE GuardJob;
    ULONG i;

    if (!NT_SUCCESS(CreateJob(&GuardJob, KillOnClose ? JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE : 0)))
        return ERROR_NOT_ENOUGH_MEMORY;

    for (i = 0; i < Tenants; i++)
    {
        NTSTATUS Status;

        if (!SpawnChild(CHILD_MODE_WAIT, NULL, TRUE, TENANT_CHILD_FLAGS, &Tenant)) return GetLastError();
        Status = NtAssignProcessToJobObject(GuardJob, Tenant.hProcess);
        if (!NT_SUCCESS(Status))
        {
            TerminateProcess(Tenant.hProcess, Status);
            return RtlNtStatusToDosError(Status);
        }
        ResumeThread(Tenant.hThread);
        CloseHandle(Tenant.hThread);
        CloseHandle(Tenant.hProcess);
    }
    Sleep(CHILD_SLEEP_FOREVER_MS);
    return 0;
}

/*
 * Attacks of a tenant on its prison's limits (the prisonescape test). Each
 * returns what it got; the host checks, from outside, that nothing changed.
 */

/* Tries to set the limits of every job the tenant could name: returns how many sets succeeded */
static
DWORD
LiftLimits(VOID)
{
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;
    JOBOBJECT_CPU_RATE_CONTROL_INFORMATION RateControl;
    ULONG_PTR Value;
    DWORD Lifted = 0;

    ZeroMemory(&Limits, sizeof(Limits));
    ZeroMemory(&RateControl, sizeof(RateControl));
    Limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_SILO_READY;

    /* Its own job by a null handle, and every handle value it may hold */
    for (Value = 0; Value <= ESCAPE_HANDLE_SCAN_MAX; Value += sizeof(ULONG))
    {
        if (NT_SUCCESS(NtSetInformationJobObject((HANDLE)Value, JobObjectExtendedLimitInformation,
                                                 &Limits, sizeof(Limits))))
            Lifted++;
        if (NT_SUCCESS(NtSetInformationJobObject((HANDLE)Value, JobObjectCpuRateControlInformation,
                                                 &RateControl, sizeof(RateControl))))
            Lifted++;
    }
    return Lifted;
}

/*
 * Nests a job that allows breakaway and asks for a child outside it: the
 * child breaks away from that job only, into the silo. Exit code: the
 * child's id, or 0; the tenant then waits.
 */
static
DWORD
NestAndBreakAway(VOID)
{
    PROCESS_INFORMATION Child;
    HANDLE Nested;

    if (!NT_SUCCESS(CreateJob(&Nested, JOB_OBJECT_LIMIT_BREAKAWAY_OK | JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK)) ||
        !NT_SUCCESS(NtAssignProcessToJobObject(Nested, NtCurrentProcess())))
        return 0;
    if (!SpawnChild(CHILD_MODE_WAIT, NULL, FALSE, TENANT_CHILD_FLAGS | CREATE_BREAKAWAY_FROM_JOB, &Child))
        return 0;
    CloseHandle(Child.hThread);
    CloseHandle(Child.hProcess);
    return Child.dwProcessId;
}

/* A fork bomb from a job it nested without limits: PRISON_RESULT(made, error) */
static
DWORD
NestAndBomb(
    _In_ ULONG Max)
{
    HANDLE Nested;

    if (!NT_SUCCESS(CreateJob(&Nested, 0)) || !NT_SUCCESS(NtAssignProcessToJobObject(Nested, NtCurrentProcess())))
        return PRISON_RESULT(0, ERROR_INVALID_FUNCTION);
    return ForkBomb(Max, PRISON_HOLD_MS);
}

static
DWORD
WINAPI
ResumeSpinner(
    _In_ LPVOID Parameter)
{
    HANDLE Spinner = Parameter;
    ULONG Count;

    /* A frozen thread cannot be resumed: this only undoes suspensions */
    for (;;)
    {
        NtResumeThread(Spinner, &Count);
        NtAlertResumeThread(Spinner, &Count);
    }
    return 0;
}

static
DWORD
WINAPI
SpinThread(
    _In_ LPVOID Parameter)
{
    volatile ULONG *Counter = Parameter;

    for (;;) (*Counter)++;
    return 0;
}

/*
 * Asks for the realtime class and a time-critical spinner, with a second
 * thread resuming it all the time: exit code (never returned) spins on.
 */
static
DWORD
RaiseAndSpin(VOID)
{
    static volatile ULONG Counter;
    HANDLE Spinner;

    SetPriorityClass(GetCurrentProcess(), REALTIME_PRIORITY_CLASS);
    Spinner = CreateThread(NULL, 0, SpinThread, (PVOID)&Counter, 0, NULL);
    if (Spinner == NULL) return GetLastError();
    SetThreadPriority(Spinner, THREAD_PRIORITY_TIME_CRITICAL);
    CreateThread(NULL, 0, ResumeSpinner, Spinner, 0, NULL);
    Sleep(CHILD_SLEEP_FOREVER_MS);
    return 0;
}

/*
 * Puts every process it holds a handle to into a job of its own: exit code
 * PRISON_RESULT(processes found, processes put in)
 */
static
DWORD
GrabProcesses(VOID)
{
    ULONG_PTR Value;
    HANDLE Trap;
    DWORD Found = 0, Taken = 0;

    /* The host hands it a handle meanwhile */
    Sleep(ESCAPE_GRAB_WAIT_MS);
    if (!NT_SUCCESS(CreateJob(&Trap, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE))) return PRISON_RESULT(0, 0);
    for (Value = sizeof(ULONG); Value <= ESCAPE_HANDLE_SCAN_MAX; Value += sizeof(ULONG))
    {
        DWORD Id = GetProcessId((HANDLE)Value);

        if (Id == 0 || Id == GetCurrentProcessId()) continue;
        Found++;
        if (NT_SUCCESS(NtAssignProcessToJobObject(Trap, (HANDLE)Value))) Taken++;
    }
    return PRISON_RESULT(Found, Taken);
}

/* Makes Count jobs with rate control and time notification limits: returns how many it made */
static
DWORD
JobStorm(
    _In_ ULONG Count)
{
    JOBOBJECT_NOTIFICATION_LIMIT_INFORMATION Notify;
    ULONG i;
    HANDLE Job;

    ZeroMemory(&Notify, sizeof(Notify));
    Notify.LimitFlags = JOB_OBJECT_LIMIT_JOB_TIME;
    Notify.PerJobUserTimeLimit.QuadPart = 1;
    for (i = 0; i < Count; i++)
    {
        if (!NT_SUCCESS(NtCreateJobObject(&Job, JOB_OBJECT_ALL_ACCESS, NULL))) break;
        SetJobCpuRate(Job, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP, 1);
        NtSetInformationJobObject(Job, JobObjectNotificationLimitInformation, &Notify, sizeof(Notify));
        /* Kept open: the jobs live as long as the tenant */
    }
    Sleep(CHILD_SLEEP_FOREVER_MS);
    return i;
}

/* An access violation nobody handles */
/*
 * Bursts of Children children, started suspended and resumed together, so
 * that they become GUI processes at once and queue for win32k's lock (user32,
 * which every silotest process loads through setupapi, connects each to
 * win32k as the loader runs its DllMain). Round 0 measures how long a burst
 * takes until every child is ready (each releases Ready from its main);
 * round r of Rounds kills its burst at r / (Rounds + 1) of that time, so the
 * kills sweep the conversions. Exits with PRISON_RESULT(children killed in
 * the sweep, error).
 */
static
DWORD
GuiKill(
    _In_ ULONG Rounds,
    _In_ ULONG Children)
{
    SECURITY_ATTRIBUTES Inheritable = { sizeof(Inheritable), NULL, TRUE };
    PROCESS_INFORMATION Child[GUI_KILL_MAX_CHILDREN];
    LARGE_INTEGER Start, Now;
    LONGLONG ReadyTicks = 0, SpinTicks;
    HANDLE Ready;
    CHAR Argument[16];
    ULONG Round, Made, i, Killed = 0;
    DWORD Error = 0;

    if (Children == 0 || Children > GUI_KILL_MAX_CHILDREN) return PRISON_RESULT(0, ERROR_INVALID_PARAMETER);
    Ready = CreateSemaphoreW(&Inheritable, 0, Children, NULL);
    if (Ready == NULL) return PRISON_RESULT(0, GetLastError());
    sprintf(Argument, "%lu", HandleToUlong(Ready));

    for (Round = 0; Round <= Rounds && Error == 0; Round++)
    {
        for (Made = 0; Made < Children; Made++)
        {
            if (!SpawnChildEx(CHILD_MODE_READY_WAIT, Argument, TRUE, TENANT_CHILD_FLAGS, TRUE, &Child[Made]))
            {
                Error = GetLastError();
                break;
            }
        }

        QueryPerformanceCounter(&Start);
        for (i = 0; i < Made; i++) ResumeThread(Child[i].hThread);
        if (Round == 0)
        {
            for (i = 0; i < Made && Error == 0; i++)
            {
                if (WaitForSingleObject(Ready, SILOTEST_WAIT_MS) != WAIT_OBJECT_0) Error = ERROR_TIMEOUT;
            }
            QueryPerformanceCounter(&Now);
            ReadyTicks = Now.QuadPart - Start.QuadPart;
        }
        else
        {
            SpinTicks = ReadyTicks * Round / (Rounds + 1);
            do
            {
                QueryPerformanceCounter(&Now);
            } while (Now.QuadPart - Start.QuadPart < SpinTicks);
        }

        for (i = 0; i < Made; i++) TerminateProcess(Child[i].hProcess, GUI_KILL_EXIT);
        for (i = 0; i < Made; i++)
        {
            if (WaitChild(&Child[i]) != GUI_KILL_EXIT && Error == 0) Error = ERROR_INVALID_DATA;
            CloseChild(&Child[i]);
        }
        if (Round > 0 && Error == 0) Killed += Made;

        /* The children that were ready before the kill released it */
        while (WaitForSingleObject(Ready, 0) == WAIT_OBJECT_0);
    }
    CloseHandle(Ready);
    return PRISON_RESULT(Killed, Error);
}

static
DWORD
Crash(VOID)
{
    volatile LONG *Nowhere = NULL;

    *Nowhere = 1;
    return ERROR_INVALID_FUNCTION;
}

BOOL
PrisonChildMain(
    _In_ PCSTR Mode,
    _In_ PCSTR Argument,
    _Out_ PDWORD ExitCode)
{
    PCSTR Cursor = Argument;

    if (!strcmp(Mode, CHILD_MODE_FORK_BOMB))
    {
        ULONG Max = ParseNumber(&Cursor);

        *ExitCode = ForkBomb(Max, *Cursor ? ParseNumber(&Cursor) : PRISON_HOLD_MS);
    }
    else if (!strcmp(Mode, CHILD_MODE_HOG) || !strcmp(Mode, CHILD_MODE_SECTION_HOG))
    {
        ULONG ChunkKb = ParseNumber(&Cursor);
        ULONG MaxMb = ParseNumber(&Cursor);
        ULONG HoldMs = *Cursor ? ParseNumber(&Cursor) : PRISON_HOLD_MS;

        *ExitCode = Hog(ChunkKb, MaxMb, HoldMs, !strcmp(Mode, CHILD_MODE_SECTION_HOG));
    }
    else if (!strcmp(Mode, CHILD_MODE_CHURN))
    {
        *ExitCode = ChurnCommit(ParseNumber(&Cursor));
    }
    else if (!strcmp(Mode, CHILD_MODE_IO) || !strcmp(Mode, CHILD_MODE_IO_WAIT))
    {
        *ExitCode = DoCountedIo(ParseNumber(&Cursor));
        if (!strcmp(Mode, CHILD_MODE_IO_WAIT)) Sleep(CHILD_SLEEP_FOREVER_MS);
    }
    else if (!strcmp(Mode, CHILD_MODE_GUARD) || !strcmp(Mode, CHILD_MODE_SOFT_GUARD))
    {
        *ExitCode = Guard(ParseNumber(&Cursor), !strcmp(Mode, CHILD_MODE_GUARD));
    }
    else if (!strcmp(Mode, CHILD_MODE_CRASH))
    {
        *ExitCode = Crash();
    }
    else if (!strcmp(Mode, CHILD_MODE_GUI_KILL))
    {
        ULONG Rounds = ParseNumber(&Cursor);

        *ExitCode = GuiKill(Rounds, ParseNumber(&Cursor));
    }
    else if (!strcmp(Mode, CHILD_MODE_READY_WAIT))
    {
        ReleaseSemaphore(ULongToHandle(strtoul(Argument, NULL, 0)), 1, NULL);
        Sleep(CHILD_SLEEP_FOREVER_MS);
    }
    else if (!strcmp(Mode, CHILD_MODE_SPAWN_CRASH))
    {
        PROCESS_INFORMATION Child;

        /*
         * CreateProcess starts the child through kernel32, whose last
         * exception filter ends a crash with the exception's status; a
         * process started with the native API (as the host hands tenants to
         * a silo) has no such frame, and its CSRSS ends it instead
         */
        if (!SpawnChild(CHILD_MODE_CRASH, NULL, FALSE, TENANT_CHILD_FLAGS, &Child))
        {
            *ExitCode = GetLastError();
        }
        else
        {
            WaitForSingleObject(Child.hProcess, INFINITE);
            GetExitCodeProcess(Child.hProcess, ExitCode);
            CloseHandle(Child.hThread);
            CloseHandle(Child.hProcess);
        }
    }
    else if (!strcmp(Mode, CHILD_MODE_LIFT_LIMITS))
    {
        *ExitCode = LiftLimits();
    }
    else if (!strcmp(Mode, CHILD_MODE_NEST_BREAKAWAY))
    {
        *ExitCode = NestAndBreakAway();
        Sleep(CHILD_SLEEP_FOREVER_MS);
    }
    else if (!strcmp(Mode, CHILD_MODE_NEST_BOMB))
    {
        *ExitCode = NestAndBomb(ParseNumber(&Cursor));
    }
    else if (!strcmp(Mode, CHILD_MODE_RAISE_SPIN))
    {
        *ExitCode = RaiseAndSpin();
    }
    else if (!strcmp(Mode, CHILD_MODE_RAISE_ONLY))
    {
        SetPriorityClass(GetCurrentProcess(), REALTIME_PRIORITY_CLASS);
        Sleep(CHILD_SLEEP_FOREVER_MS);
    }
    else if (!strcmp(Mode, CHILD_MODE_GRAB))
    {
        *ExitCode = GrabProcesses();
    }
    else if (!strcmp(Mode, CHILD_MODE_JOB_STORM))
    {
        *ExitCode = JobStorm(ParseNumber(&Cursor));
    }
    else if (!strcmp(Mode, CHILD_MODE_RAISE_PRIORITY))
    {
        /* Tries for the high class; the exit code is the class it has after */
        SetPriorityClass(GetCurrentProcess(), HIGH_PRIORITY_CLASS);
        *ExitCode = GetPriorityClass(GetCurrentProcess());
    }
    else if (!strcmp(Mode, CHILD_MODE_ERROR_MODE))
    {
        ULONG HardErrorMode = 0;

        /* Sets its error mode to the default again; the exit code is the mode the kernel keeps */
        SetErrorMode(0);
        NtQueryInformationProcess(NtCurrentProcess(), ProcessDefaultHardErrorMode, &HardErrorMode,
                                  sizeof(HardErrorMode), NULL);
        *ExitCode = HardErrorMode;
    }
    else if (!strcmp(Mode, CHILD_MODE_AFFINITY))
    {
        DWORD_PTR ProcessMask = 0, SystemMask = 0;

        *ExitCode = GetProcessAffinityMask(GetCurrentProcess(), &ProcessMask, &SystemMask) ?
                    (DWORD)ProcessMask : 0;
    }
    else
    {
        return FALSE;
    }
    return TRUE;
}
