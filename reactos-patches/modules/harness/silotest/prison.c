/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Prisons: tenants misbehaving inside server silos started by
 *              SMSS (a fork bomb, a memory hog, a CPU spinner), the guard
 *              that takes its tenants with it, and the messages the host
 *              reads, each with a host-side control that shows the silo's
 *              limit is what stopped it
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define PRISON_KEY                  ((ULONG_PTR)0x9815093)
#define PRISON_BOOT_PROCESSES       2           /* the silo's SMSS and CSRSS */
#define PRISON_SAMPLE_MS            500
#define PRISON_QUIET_MS             500
#define PRISON_POLL_MS              2
#define PRISON_SETTLE_MS            30000

/* The fork bomb: room for this many children under the silo's limit; the control's bomb asks for more */
#define BOMB_ROOM                   20
#define BOMB_HOLD_MS                3000        /* the bomb holds its children, then reports */
#define BOMB_ASKS                   60
#define BOMB_CONTROL_ASKS           (BOMB_ROOM + 10)
#define BOMB_HOST_CHILDREN          10

/*
 * Kills that meet a process as it becomes a GUI process: the tenant kills
 * bursts of its own children, resumed together, at a point of their start
 * that moves on each round; the host ends silos while a fork bomb's
 * children start, one more step into the bomb each round
 */
#define GUI_KILL_ROUNDS             16
#define GUI_KILL_CHILDREN           12
#define GUI_KILL_TIMEOUT_MS         180000
#define GUI_BURST_ROUNDS            8
#define GUI_BURST_ASKS              30
#define GUI_BURST_STEP              3

/* The memory hog */
#define HOG_JOB_LIMIT_MB            48
#define HOG_PROCESS_LIMIT_MB        16
#define HOG_CHUNK_KB                256
#define HOG_ARGUMENT                "256:256:3000"
#define HOG_CONTROL_ARGUMENT        "256:96:0"
#define HOG_CONTROL_MB              96
#define HOG_HOST_FLOOR_MB           64          /* the host never has less available than this */
#define HOG_HOST_SLACK_MB           16          /* what the host may lose beyond the silo's limit meanwhile */

/* The spinner: a 20% cap, held within 5 points over 10 s; weights 8:2 within 10 points */
#define CPU_CAP_RATE                2000
#define CPU_CAP_PERCENT             20.0
#define CPU_CAP_TOLERANCE           5.0
#define CPU_MEASURE_MS              10000
#define CPU_CONTROL_MS              3000
#define CPU_CONTROL_MIN_PERCENT     35.0
#define CPU_WEIGHT_HEAVY            8
#define CPU_WEIGHT_LIGHT            2
#define CPU_WEIGHT_TOLERANCE        0.10

#define MB                          (1024 * 1024)
#define KB                          1024

/* A server silo with its SMSS and CSRSS, or FALSE (checked) */
static
BOOL
StartPrison(
    _In_ HANDLE SmPort,
    _Out_ PSMSS_SILO Prison)
{
    NTSTATUS Status = StartSmssSilo(SmPort, Prison);

    ok(Status == STATUS_SUCCESS, "the server silo did not start: 0x%08lx\n", Status);
    ok(!NT_SUCCESS(Status) || ActiveProcesses(Prison->Silo) == PRISON_BOOT_PROCESSES,
       "the silo runs %lu processes before its tenant\n", ActiveProcesses(Prison->Silo));
    return NT_SUCCESS(Status);
}

/* Limits on a silo keep the flags its life cycle needs */
static
NTSTATUS
SetPrisonLimits(
    _In_ PSMSS_SILO Prison,
    _In_ ULONG LimitFlags,
    _In_ ULONG ActiveProcessLimit,
    _In_ SIZE_T ProcessMemoryLimit,
    _In_ SIZE_T JobMemoryLimit)
{
    return SetJobLimits(Prison->Silo, LimitFlags | JOB_OBJECT_LIMIT_SILO_READY, ActiveProcessLimit,
                        ProcessMemoryLimit, JobMemoryLimit, 0, 0);
}

static
ULONG
CountMessages(
    _In_reads_(Count) PJOB_MESSAGE Messages,
    _In_ ULONG Count,
    _In_ DWORD Id)
{
    ULONG Found = 0, i;

    for (i = 0; i < Count; i++)
    {
        if (Messages[i].Id == Id) Found++;
    }
    return Found;
}

static
int
CompareDoubles(
    _In_ const void *Left,
    _In_ const void *Right)
{
    double A = *(const double *)Left, B = *(const double *)Right;

    return (A < B) ? -1 : (A > B);
}

/*
 * A fork bomb in a server silo stops at the silo's active process limit,
 * with ERROR_NOT_ENOUGH_QUOTA, and the silo is told once; meanwhile the
 * host creates processes as usual. The control: the same bomb in a silo
 * without the limit makes more.
 */
START_TEST(prisonbomb)
{
    JOB_MESSAGE Messages[BOMB_ASKS + 16];
    double HostCreateMs[BOMB_HOST_CHILDREN], MsToLimit = -1.0;
    PROCESS_INFORMATION HostChild;
    JOB_SAMPLER Sampler;
    HOST_TIMER Timer;
    SMSS_SILO Prison, Control;
    LARGE_INTEGER Start, Created;
    HANDLE SmPort, Port, Bomb;
    ULONG Limit, Most = 0, Made, HostMade = 0, Count;
    DWORD ExitCode;
    CHAR Argument[16];

    if (!ConnectToHostSm(&SmPort)) return;
    if (!StartPrison(SmPort, &Prison)) goto Done;

    Limit = PRISON_BOOT_PROCESSES + 1 + BOMB_ROOM;
    ok(SetPrisonLimits(&Prison, JOB_OBJECT_LIMIT_ACTIVE_PROCESS, Limit, 0, 0) == STATUS_SUCCESS,
       "the silo's active process limit was refused\n");
    Port = AttachJobPort(Prison.Silo, PRISON_KEY);
    ok(Port != NULL, "no completion port\n");

    StartJobSampler(&Sampler, "prisonbomb", &Prison.Silo, &Prison.SiloId, 1, PRISON_SAMPLE_MS);
    StartHostTimer(&Timer);

    _snprintf(Argument, sizeof(Argument), "%d:%d", BOMB_ASKS, BOMB_HOLD_MS);
    QueryPerformanceCounter(&Start);
    ok(StartWin32InSilo(&Prison, CHILD_MODE_FORK_BOMB, Argument, &Bomb) == STATUS_SUCCESS, "no bomb in the silo\n");

    /* How fast it reaches the limit, and that it never passes it */
    while (MsSince(&Start) < PRISON_SETTLE_MS)
    {
        ULONG Active = ActiveProcesses(Prison.Silo);

        Most = max(Most, Active);
        if (Active >= Limit && MsToLimit < 0.0) MsToLimit = MsSince(&Start);
        /* The bomb's children hold the silo full after the bomb reported */
        if ((WaitForSingleObject(Bomb, 0) == WAIT_OBJECT_0) && (HostMade == BOMB_HOST_CHILDREN || MsToLimit < 0.0))
            break;
        if (MsToLimit >= 0.0 && HostMade < BOMB_HOST_CHILDREN)
        {
            /* The host goes on creating processes while the silo is at its limit */
            QueryPerformanceCounter(&Created);
            if (SpawnChild(CHILD_MODE_EXIT, "0", FALSE, 0, &HostChild))
            {
                HostCreateMs[HostMade++] = MsSince(&Created);
                WaitChild(&HostChild);
                CloseChild(&HostChild);
            }
            continue;
        }
        Sleep(PRISON_POLL_MS);
    }
    ExitCode = WaitExitCode(Bomb, PRISON_SETTLE_MS);
    Made = PRISON_RESULT_COUNT(ExitCode);

    StopHostTimer(&Timer, "prisonbomb");
    StopJobSampler(&Sampler);

    ok(Made == BOMB_ROOM && PRISON_RESULT_ERROR(ExitCode) == ERROR_NOT_ENOUGH_QUOTA,
       "the bomb made %lu children (room for %d), stopped by %lu\n", Made, BOMB_ROOM,
       PRISON_RESULT_ERROR(ExitCode));
    ok(Most <= Limit, "the silo ran %lu processes, its limit is %lu\n", Most, Limit);
    ok(MsToLimit >= 0.0, "the silo never reached its limit\n");
    ok(HostMade == BOMB_HOST_CHILDREN, "the host made %lu of %d processes while the silo was full\n",
       HostMade, BOMB_HOST_CHILDREN);
    qsort(HostCreateMs, HostMade, sizeof(double), CompareDoubles);
    trace("forkbomb: limit=%lu created=%lu error=%lu most=%lu ms_to_limit=%.0f host_created=%lu "
          "host_create_p50_ms=%.1f host_create_max_ms=%.1f\n", Limit, Made, PRISON_RESULT_ERROR(ExitCode), Most,
          MsToLimit, HostMade, HostMade ? HostCreateMs[HostMade / 2] : -1.0,
          HostMade ? HostCreateMs[HostMade - 1] : -1.0);

    /* Told once, whatever the bomb tried after */
    Count = DrainJobMessages(Port, PRISON_QUIET_MS, Messages, ARRAYSIZE(Messages));
    ok(CountMessages(Messages, min(Count, ARRAYSIZE(Messages)), JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT) == 1,
       "the silo was told of its limit %lu times\n",
       CountMessages(Messages, min(Count, ARRAYSIZE(Messages)), JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT));
    ok(CountMessages(Messages, min(Count, ARRAYSIZE(Messages)), JOB_OBJECT_MSG_NEW_PROCESS) ==
       PRISON_BOOT_PROCESSES + 1 + BOMB_ROOM, "%lu new process messages, expected %d\n",
       CountMessages(Messages, min(Count, ARRAYSIZE(Messages)), JOB_OBJECT_MSG_NEW_PROCESS),
       PRISON_BOOT_PROCESSES + 1 + BOMB_ROOM);
    CloseHandle(Bomb);
    EndSmssSilo(&Prison, STATUS_SUCCESS);
    CloseHandle(Port);

    /* The control: without the limit the same bomb makes more than the prison's room */
    if (StartPrison(SmPort, &Control))
    {
        _snprintf(Argument, sizeof(Argument), "%d", BOMB_CONTROL_ASKS);
        ok(StartWin32InSilo(&Control, CHILD_MODE_FORK_BOMB, Argument, &Bomb) == STATUS_SUCCESS,
           "no bomb in the control silo\n");
        ExitCode = WaitExitCode(Bomb, PRISON_SETTLE_MS);
        ok(PRISON_RESULT_COUNT(ExitCode) == BOMB_CONTROL_ASKS && PRISON_RESULT_ERROR(ExitCode) == 0,
           "the unlimited bomb made %lu, stopped by %lu\n", PRISON_RESULT_COUNT(ExitCode),
           PRISON_RESULT_ERROR(ExitCode));
        CloseHandle(Bomb);
        EndSmssSilo(&Control, STATUS_SUCCESS);
    }

Done:
    NtClose(SmPort);
}

/*
 * A process killed while its first thread becomes a GUI thread must not take
 * the host down: win32k once went on with a process the kernel had refused a
 * Win32 process because it was terminating, and bugchecked. A tenant kills
 * bursts of its own children at every point of their start (many queue for
 * win32k's lock inside that window); the host ends silos in the middle of a
 * fork bomb's starting children. The host must run on with its
 * processes as before, and still start one.
 */
START_TEST(prisonguikill)
{
    PROCESS_INFORMATION HostChild;
    GUEST_COUNTS Before, After;
    SMSS_SILO Prison;
    HANDLE SmPort, Tenant;
    ULONG Round, Bursts = 0, Active = 0, KillAt, Killed = 0, KillError = 0;
    DWORD ExitCode, Start;
    CHAR Argument[32];
    BOOL HostStarts;

    if (!ConnectToHostSm(&SmPort)) return;
    CountGuest(SILOTEST_IMAGE, &Before);

    /* The tenant kills its own children as they start */
    if (StartPrison(SmPort, &Prison))
    {
        _snprintf(Argument, sizeof(Argument), "%d:%d", GUI_KILL_ROUNDS, GUI_KILL_CHILDREN);
        if (StartWin32InSilo(&Prison, CHILD_MODE_GUI_KILL, Argument, &Tenant) == STATUS_SUCCESS)
        {
            ExitCode = WaitExitCode(Tenant, GUI_KILL_TIMEOUT_MS);
            Killed = PRISON_RESULT_COUNT(ExitCode);
            KillError = PRISON_RESULT_ERROR(ExitCode);
            ok(Killed == GUI_KILL_ROUNDS * GUI_KILL_CHILDREN && KillError == 0,
               "the tenant killed %lu of %d children, stopped by %lu\n", Killed, GUI_KILL_ROUNDS * GUI_KILL_CHILDREN,
               KillError);
            CloseHandle(Tenant);
        }
        else
        {
            ok(FALSE, "no tenant in the silo\n");
        }
        ok(WaitActiveProcesses(Prison.Silo, PRISON_BOOT_PROCESSES),
           "the silo runs %lu processes after its tenant ended, not only its SMSS and CSRSS\n",
           ActiveProcesses(Prison.Silo));
        EndSmssSilo(&Prison, STATUS_SUCCESS);
    }

    /* The host ends each silo while the children of a burst start, a step later each round */
    for (Round = 0; Round < GUI_BURST_ROUNDS; Round++)
    {
        if (!StartPrison(SmPort, &Prison)) break;
        KillAt = PRISON_BOOT_PROCESSES + 2 + Round * GUI_BURST_STEP;
        _snprintf(Argument, sizeof(Argument), "%d:0", GUI_BURST_ASKS);
        if (StartWin32InSilo(&Prison, CHILD_MODE_FORK_BOMB, Argument, &Tenant) == STATUS_SUCCESS)
        {
            Start = GetTickCount();
            do
            {
                Active = ActiveProcesses(Prison.Silo);
            } while (Active < KillAt && GetTickCount() - Start < PRISON_SETTLE_MS);
            ok(Active >= KillAt, "burst %lu: the silo reached %lu processes, not %lu\n", Round, Active, KillAt);
            CloseHandle(Tenant);
            Bursts++;
        }
        EndSmssSilo(&Prison, STATUS_SUCCESS);
    }
    ok(Bursts == GUI_BURST_ROUNDS, "%lu of %d bursts ran\n", Bursts, GUI_BURST_ROUNDS);

    /* The host: its processes as before, and it still starts one */
    Start = GetTickCount();
    for (;;)
    {
        CountGuest(SILOTEST_IMAGE, &After);
        if ((After.Processes == Before.Processes && After.JobObjects == Before.JobObjects) ||
            GetTickCount() - Start >= SOAK_SETTLE_MS)
        {
            break;
        }
        Sleep(SILOTEST_POLL_MS);
    }
    ok(After.Processes == Before.Processes, "silotest processes %lu -> %lu\n", Before.Processes, After.Processes);
    ok(After.JobObjects == Before.JobObjects, "job objects %lu -> %lu\n", Before.JobObjects, After.JobObjects);
    HostStarts = SpawnChild(CHILD_MODE_EXIT, "0", FALSE, 0, &HostChild) && WaitChild(&HostChild) == 0;
    CloseChild(&HostChild);
    ok(HostStarts, "the host cannot start a process after the kills\n");
    trace("guikill: tenant_killed=%lu tenant_error=%lu bursts=%lu silotest_processes=%lu->%lu "
          "job_objects=%lu->%lu host_starts=%d\n", Killed, KillError, Bursts, Before.Processes, After.Processes,
          Before.JobObjects, After.JobObjects, HostStarts);
    NtClose(SmPort);
}

/* Runs a hog in the prison; returns its exit code, its id, and the least memory the host had meanwhile */
static
DWORD
RunPrisonHog(
    _In_ PSMSS_SILO Prison,
    _In_ PCSTR Mode,
    _In_ PCSTR Argument,
    _Out_ PULONG HogId,
    _Out_ PULONG LeastAvailableMb)
{
    HANDLE Hog;
    DWORD ExitCode = STILL_ACTIVE;
    ULONG Start = GetTickCount();

    *HogId = 0;
    *LeastAvailableMb = AvailableMb();
    if (StartWin32InSilo(Prison, Mode, Argument, &Hog) != STATUS_SUCCESS) return ExitCode;
    *HogId = GetProcessId(Hog);
    while (WaitForSingleObject(Hog, PRISON_SAMPLE_MS / 5) == WAIT_TIMEOUT &&
           GetTickCount() - Start < PRISON_SETTLE_MS)
    {
        *LeastAvailableMb = min(*LeastAvailableMb, AvailableMb());
    }
    GetExitCodeProcess(Hog, &ExitCode);
    CloseHandle(Hog);
    return ExitCode;
}

/*
 * A memory hog in a server silo gets the commit-limit failure at the silo's
 * job memory limit (and at a process limit), the peak stays under it, the
 * silo is told once, and the host keeps its memory. The controls: the same
 * hog on the host commits past the silo's limit; a hog that takes its memory
 * from paging-file sections meets the same limit.
 */
START_TEST(prisonmemory)
{
    JOB_MESSAGE Messages[32];
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION Limits;
    PROCESS_INFORMATION HostHog;
    JOB_SAMPLER Sampler;
    HOST_TIMER Timer;
    SMSS_SILO Prison;
    HANDLE SmPort, Port;
    ULONG HogId, Least, Before, Count;
    DWORD ExitCode;

    if (!ConnectToHostSm(&SmPort)) return;

    /* The job memory limit */
    if (StartPrison(SmPort, &Prison))
    {
        ok(SetPrisonLimits(&Prison, JOB_OBJECT_LIMIT_JOB_MEMORY, 0, 0, HOG_JOB_LIMIT_MB * MB) == STATUS_SUCCESS,
           "the silo's memory limit was refused\n");
        Port = AttachJobPort(Prison.Silo, PRISON_KEY);
        StartJobSampler(&Sampler, "prisonmemory", &Prison.Silo, &Prison.SiloId, 1, PRISON_SAMPLE_MS);
        StartHostTimer(&Timer);
        Before = AvailableMb();

        ExitCode = RunPrisonHog(&Prison, CHILD_MODE_HOG, HOG_ARGUMENT, &HogId, &Least);

        StopHostTimer(&Timer, "prisonmemory");
        StopJobSampler(&Sampler);
        NtQueryInformationJobObject(Prison.Silo, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits), NULL);
        ok(PRISON_RESULT_ERROR(ExitCode) == ERROR_COMMITMENT_LIMIT, "the hog stopped with %lu\n",
           PRISON_RESULT_ERROR(ExitCode));
        ok(Limits.PeakJobMemoryUsed <= HOG_JOB_LIMIT_MB * MB &&
           Limits.PeakJobMemoryUsed + HOG_CHUNK_KB * KB > HOG_JOB_LIMIT_MB * MB,
           "the silo's peak commit is %Iu KB, its limit %d MB\n", Limits.PeakJobMemoryUsed / KB, HOG_JOB_LIMIT_MB);
        ok(Least >= HOG_HOST_FLOOR_MB && Least + HOG_JOB_LIMIT_MB + HOG_HOST_SLACK_MB >= Before,
           "the host's available memory fell from %lu MB to %lu MB\n", Before, Least);
        trace("memory-hog: kind=job limit_mb=%d peak_kb=%Iu hog_kb=%lu error=%lu avail_before_mb=%lu "
              "avail_least_mb=%lu\n", HOG_JOB_LIMIT_MB, Limits.PeakJobMemoryUsed / KB,
              PRISON_RESULT_COUNT(ExitCode) * PRISON_HOG_UNIT_KB, PRISON_RESULT_ERROR(ExitCode), Before, Least);
        Count = DrainJobMessages(Port, PRISON_QUIET_MS, Messages, ARRAYSIZE(Messages));
        ok(CountMessages(Messages, min(Count, ARRAYSIZE(Messages)), JOB_OBJECT_MSG_JOB_MEMORY_LIMIT) == 1,
           "the silo was told of its memory limit %lu times\n",
           CountMessages(Messages, min(Count, ARRAYSIZE(Messages)), JOB_OBJECT_MSG_JOB_MEMORY_LIMIT));

        /* A paging-file section counts in the same limit */
        ExitCode = RunPrisonHog(&Prison, CHILD_MODE_SECTION_HOG, HOG_ARGUMENT, &HogId, &Least);
        ok(PRISON_RESULT_ERROR(ExitCode) != 0 &&
           PRISON_RESULT_COUNT(ExitCode) * PRISON_HOG_UNIT_KB < HOG_JOB_LIMIT_MB * 1024,
           "a hog of sections committed %lu KB past the silo's %d MB limit (stopped by %lu)\n",
           PRISON_RESULT_COUNT(ExitCode) * PRISON_HOG_UNIT_KB, HOG_JOB_LIMIT_MB, PRISON_RESULT_ERROR(ExitCode));
        trace("memory-hog: kind=section limit_mb=%d hog_kb=%lu error=%lu\n", HOG_JOB_LIMIT_MB,
              PRISON_RESULT_COUNT(ExitCode) * PRISON_HOG_UNIT_KB, PRISON_RESULT_ERROR(ExitCode));

        EndSmssSilo(&Prison, STATUS_SUCCESS);
        CloseHandle(Port);
    }

    /* The process memory limit */
    if (StartPrison(SmPort, &Prison))
    {
        ok(SetPrisonLimits(&Prison, JOB_OBJECT_LIMIT_PROCESS_MEMORY, 0, HOG_PROCESS_LIMIT_MB * MB, 0) ==
           STATUS_SUCCESS, "the silo's process memory limit was refused\n");
        Port = AttachJobPort(Prison.Silo, PRISON_KEY);
        ExitCode = RunPrisonHog(&Prison, CHILD_MODE_HOG, HOG_ARGUMENT, &HogId, &Least);
        NtQueryInformationJobObject(Prison.Silo, JobObjectExtendedLimitInformation, &Limits, sizeof(Limits), NULL);
        ok(PRISON_RESULT_ERROR(ExitCode) == ERROR_COMMITMENT_LIMIT, "the hog stopped with %lu\n",
           PRISON_RESULT_ERROR(ExitCode));
        ok(Limits.PeakProcessMemoryUsed <= HOG_PROCESS_LIMIT_MB * MB &&
           Limits.PeakProcessMemoryUsed + HOG_CHUNK_KB * KB > HOG_PROCESS_LIMIT_MB * MB,
           "the hog's peak commit is %Iu KB, its limit %d MB\n", Limits.PeakProcessMemoryUsed / KB,
           HOG_PROCESS_LIMIT_MB);
        trace("memory-hog: kind=process limit_mb=%d peak_kb=%Iu\n", HOG_PROCESS_LIMIT_MB,
              Limits.PeakProcessMemoryUsed / KB);
        Count = DrainJobMessages(Port, PRISON_QUIET_MS, Messages, ARRAYSIZE(Messages));
        ok(CountMessages(Messages, min(Count, ARRAYSIZE(Messages)), JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT) == 1,
           "the silo was told of the hog's limit %lu times\n",
           CountMessages(Messages, min(Count, ARRAYSIZE(Messages)), JOB_OBJECT_MSG_PROCESS_MEMORY_LIMIT));
        EndSmssSilo(&Prison, STATUS_SUCCESS);
        CloseHandle(Port);
    }

    /* The control: on the host the same hog commits past the silo's limit */
    ok(SpawnChild(CHILD_MODE_HOG, HOG_CONTROL_ARGUMENT, FALSE, 0, &HostHog), "no host hog\n");
    ExitCode = WaitChild(&HostHog);
    ok(PRISON_RESULT_ERROR(ExitCode) == 0 && PRISON_RESULT_COUNT(ExitCode) * PRISON_HOG_UNIT_KB == HOG_CONTROL_MB * 1024,
       "the host's hog committed %lu KB, stopped by %lu\n", PRISON_RESULT_COUNT(ExitCode) * PRISON_HOG_UNIT_KB,
       PRISON_RESULT_ERROR(ExitCode));
    CloseChild(&HostHog);

    NtClose(SmPort);
}

/* The share of one processor a job used over MeasureMs, in percent */
static
double
MeasureShare(
    _In_ HANDLE Job,
    _In_ DWORD MeasureMs)
{
    LARGE_INTEGER Start;
    double CpuMs = JobCpuMs(Job);

    QueryPerformanceCounter(&Start);
    Sleep(MeasureMs);
    return 100.0 * (JobCpuMs(Job) - CpuMs) / MsSince(&Start);
}

/* The share of one processor a process used over the same kind of window, in percent */
static
double
ProcessCpuMs(
    _In_ HANDLE Process)
{
    FILETIME Creation, Exit, Kernel, User;
    ULARGE_INTEGER K, U;

    if (!GetProcessTimes(Process, &Creation, &Exit, &Kernel, &User)) return 0.0;
    K.LowPart = Kernel.dwLowDateTime;
    K.HighPart = Kernel.dwHighDateTime;
    U.LowPart = User.dwLowDateTime;
    U.HighPart = User.dwHighDateTime;
    return (double)(K.QuadPart + U.QuadPart) / 10000.0;
}

/*
 * A spinner in a server silo capped at 20% gets 20% +- 5 points of the
 * processor over 10 s while a host spinner runs beside it; the control turns
 * the cap off. Two silos weighted 8 and 2 share a busy processor 80:20.
 */
START_TEST(prisoncpu)
{
    PROCESS_INFORMATION HostSpinner;
    JOB_SAMPLER Sampler;
    HOST_TIMER Timer;
    SMSS_SILO Prison, Heavy, Light;
    HANDLE SmPort, Spinner, HeavySpinner, LightSpinner, Both[2];
    ULONG BothIds[2];
    LARGE_INTEGER Start;
    double Alone, Share, HostMs, HostShare, Control, HeavyMs, LightMs, Ratio;

    if (!ConnectToHostSm(&SmPort)) return;

    if (StartPrison(SmPort, &Prison))
    {
        ok(SetJobCpuRate(Prison.Silo, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP,
                         CPU_CAP_RATE) == STATUS_SUCCESS, "the silo's cap was refused\n");
        ok(StartWin32InSilo(&Prison, CHILD_MODE_SPIN, "0", &Spinner) == STATUS_SUCCESS, "no spinner in the silo\n");
        StartJobSampler(&Sampler, "prisoncpu", &Prison.Silo, &Prison.SiloId, 1, PRISON_SAMPLE_MS);

        /* Alone: the tenant spins, the host keeps its processor and its timers */
        StartHostTimer(&Timer);
        Alone = MeasureShare(Prison.Silo, CPU_CONTROL_MS);
        StopHostTimer(&Timer, "prisoncpu");
        ok(Alone >= CPU_CAP_PERCENT - CPU_CAP_TOLERANCE && Alone <= CPU_CAP_PERCENT + CPU_CAP_TOLERANCE,
           "the silo capped at %.0f%% got %.1f%% alone\n", CPU_CAP_PERCENT, Alone);

        /* Beside a host spinner */
        ok(SpawnChild(CHILD_MODE_SPIN, "0", FALSE, 0, &HostSpinner), "no host spinner\n");
        HostMs = ProcessCpuMs(HostSpinner.hProcess);
        QueryPerformanceCounter(&Start);
        Share = MeasureShare(Prison.Silo, CPU_MEASURE_MS);
        HostShare = 100.0 * (ProcessCpuMs(HostSpinner.hProcess) - HostMs) / MsSince(&Start);
        ok(Share >= CPU_CAP_PERCENT - CPU_CAP_TOLERANCE && Share <= CPU_CAP_PERCENT + CPU_CAP_TOLERANCE,
           "the silo capped at %.0f%% got %.1f%% beside a host spinner\n", CPU_CAP_PERCENT, Share);

        /* The control: without the cap it shares the processor with the host spinner */
        ok(SetJobCpuRate(Prison.Silo, 0, 0) == STATUS_SUCCESS, "turning the cap off failed\n");
        Sleep(PRISON_SAMPLE_MS);
        Control = MeasureShare(Prison.Silo, CPU_CONTROL_MS);
        StopJobSampler(&Sampler);
        ok(Control >= CPU_CONTROL_MIN_PERCENT, "uncapped, the silo got only %.1f%%: the check proves nothing\n",
           Control);
        trace("cpu-cap: where=silo rate_pct=%.0f alone_pct=%.1f share_pct=%.1f host_spinner_pct=%.1f seconds=%d "
              "uncapped_pct=%.1f\n", CPU_CAP_PERCENT, Alone, Share, HostShare, CPU_MEASURE_MS / 1000, Control);

        TerminateProcess(HostSpinner.hProcess, 0);
        CloseChild(&HostSpinner);
        CloseHandle(Spinner);
        EndSmssSilo(&Prison, STATUS_SUCCESS);
    }

    /* Weights share a contended processor */
    if (StartPrison(SmPort, &Heavy) && StartPrison(SmPort, &Light))
    {
        ok(SetJobCpuRate(Heavy.Silo, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED,
                         CPU_WEIGHT_HEAVY) == STATUS_SUCCESS, "weight refused\n");
        ok(SetJobCpuRate(Light.Silo, JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_WEIGHT_BASED,
                         CPU_WEIGHT_LIGHT) == STATUS_SUCCESS, "weight refused\n");
        ok(StartWin32InSilo(&Heavy, CHILD_MODE_SPIN, "0", &HeavySpinner) == STATUS_SUCCESS, "no heavy spinner\n");
        ok(StartWin32InSilo(&Light, CHILD_MODE_SPIN, "0", &LightSpinner) == STATUS_SUCCESS, "no light spinner\n");

        Both[0] = Heavy.Silo;
        Both[1] = Light.Silo;
        BothIds[0] = Heavy.SiloId;
        BothIds[1] = Light.SiloId;
        StartJobSampler(&Sampler, "prisoncpu-weights", Both, BothIds, 2, PRISON_SAMPLE_MS);
        Sleep(PRISON_SAMPLE_MS);
        HeavyMs = JobCpuMs(Heavy.Silo);
        LightMs = JobCpuMs(Light.Silo);
        Sleep(CPU_MEASURE_MS);
        HeavyMs = JobCpuMs(Heavy.Silo) - HeavyMs;
        LightMs = JobCpuMs(Light.Silo) - LightMs;
        StopJobSampler(&Sampler);

        Ratio = (HeavyMs + LightMs > 0.0) ? HeavyMs / (HeavyMs + LightMs) : 0.0;
        ok(Ratio >= 0.8 - CPU_WEIGHT_TOLERANCE && Ratio <= 0.8 + CPU_WEIGHT_TOLERANCE,
           "weights %d:%d shared the processor %.0f:%.0f ms\n", CPU_WEIGHT_HEAVY, CPU_WEIGHT_LIGHT, HeavyMs, LightMs);
        trace("cpu-weight: weights=%d:%d heavy_ms=%.0f light_ms=%.0f heavy_ratio=%.2f seconds=%d\n",
              CPU_WEIGHT_HEAVY, CPU_WEIGHT_LIGHT, HeavyMs, LightMs, Ratio, CPU_MEASURE_MS / 1000);

        CloseHandle(HeavySpinner);
        CloseHandle(LightSpinner);
        EndSmssSilo(&Light, STATUS_SUCCESS);
        EndSmssSilo(&Heavy, STATUS_SUCCESS);
    }
    else
    {
        EndSmssSilo(&Heavy, STATUS_SUCCESS);
    }

    NtClose(SmPort);
}

/*
 * The seed's guard inside a server silo: its tenants are in a second,
 * kill-on-close job nested in the silo, whose only handle the guard holds.
 * The guard's death takes every tenant with it and leaves the silo running.
 * The control: a guard job without kill on close leaves them.
 */
static
void
RunGuard(
    _In_ HANDLE SmPort,
    _In_ BOOL KillOnClose)
{
    SERVERSILO_BASIC_INFORMATION Basic;
    SMSS_SILO Prison;
    HANDLE GuardProcess;
    DWORD Start;

    if (!StartPrison(SmPort, &Prison)) return;
    ok(StartWin32InSilo(&Prison, KillOnClose ? CHILD_MODE_GUARD : CHILD_MODE_SOFT_GUARD, "3", &GuardProcess) ==
       STATUS_SUCCESS, "no guard in the silo\n");
    Start = GetTickCount();
    while (ActiveProcesses(Prison.Silo) < PRISON_BOOT_PROCESSES + 4 && GetTickCount() - Start < PRISON_SETTLE_MS)
    {
        Sleep(SILOTEST_POLL_MS);
    }
    ok(ActiveProcesses(Prison.Silo) == PRISON_BOOT_PROCESSES + 4, "the guard and its tenants: %lu processes\n",
       ActiveProcesses(Prison.Silo));

    TerminateProcess(GuardProcess, ERROR_CANCELLED);
    WaitForSingleObject(GuardProcess, PRISON_SETTLE_MS);
    CloseHandle(GuardProcess);

    if (KillOnClose)
    {
        /*
         * The job's close terminates the tenants at once, but each exits on
         * its own thread: on a starved guest (TCG beside other guests) that
         * took over 10 s, so the wait is the settle time and the time is told
         */
        Start = GetTickCount();
        while (ActiveProcesses(Prison.Silo) != PRISON_BOOT_PROCESSES && GetTickCount() - Start < PRISON_SETTLE_MS)
        {
            Sleep(SILOTEST_POLL_MS);
        }
        ok(ActiveProcesses(Prison.Silo) == PRISON_BOOT_PROCESSES,
           "the tenants outlived their guard by %lu ms: %lu processes in the silo\n", GetTickCount() - Start,
           ActiveProcesses(Prison.Silo));
        trace("guard-ended: tenants_gone_ms=%lu\n", GetTickCount() - Start);
    }
    else
    {
        Sleep(PRISON_QUIET_MS);
        ok(ActiveProcesses(Prison.Silo) == PRISON_BOOT_PROCESSES + 3, "the control's tenants: %lu processes\n",
           ActiveProcesses(Prison.Silo));
    }

    /* The silo itself runs on */
    ok(NT_SUCCESS(NtQueryInformationJobObject(Prison.Silo, JobObjectServerSiloBasicInformation, &Basic,
                                              sizeof(Basic), NULL)) && Basic.State == SERVERSILO_STARTED,
       "the silo did not run on after its guard (state %d)\n", Basic.State);
    trace("guard: kill_on_close=%d processes_after=%lu\n", KillOnClose, ActiveProcesses(Prison.Silo));
    EndSmssSilo(&Prison, STATUS_SUCCESS);
}

START_TEST(prisonguard)
{
    HANDLE SmPort;

    if (!ConnectToHostSm(&SmPort)) return;
    RunGuard(SmPort, TRUE);
    RunGuard(SmPort, FALSE);
    NtClose(SmPort);
}

/* Where in Messages the first message Id about ProcessId is, or MAXULONG */
static
ULONG
FindMessage(
    _In_reads_(Count) PJOB_MESSAGE Messages,
    _In_ ULONG Count,
    _In_ DWORD Id,
    _In_ ULONG_PTR ProcessId,
    _Out_ PULONG Found)
{
    ULONG First = MAXULONG, i;

    *Found = 0;
    for (i = 0; i < Count; i++)
    {
        if (Messages[i].Id != Id || Messages[i].ProcessId != ProcessId) continue;
        if (First == MAXULONG) First = i;
        (*Found)++;
    }
    return First;
}

/*
 * Every message of a server silo's life, read by its host: each process's
 * NEW once and before its EXIT (or ABNORMAL_EXIT), the active process limit
 * once, ACTIVE_PROCESS_ZERO once after the last exit, SILO_TERMINATED last.
 */
START_TEST(prisonmessages)
{
    JOB_MESSAGE Messages[64];
    SMSS_SILO Prison;
    HANDLE SmPort, Port, Tenant;
    ULONG_PTR Pids[8];
    DWORD Expected[8], ExitCode;
    ULONG Pid, Found, Count, New, End, Zero, Last, i, Tenants = 0;
    ULONG_PTR CrashParent = 0;

    if (!ConnectToHostSm(&SmPort)) return;
    if (!StartPrison(SmPort, &Prison)) goto Done;

    /* Associated late: the SMSS and CSRSS are told first */
    Pids[Tenants] = EarliestProcessIn(Prison.Silo, L"smss.exe", NULL);
    Expected[Tenants++] = JOB_OBJECT_MSG_EXIT_PROCESS;
    Pids[Tenants] = EarliestProcessIn(Prison.Silo, L"csrss.exe", NULL);
    Expected[Tenants++] = JOB_OBJECT_MSG_EXIT_PROCESS;
    Port = AttachJobPort(Prison.Silo, PRISON_KEY);
    ok(Port != NULL, "no completion port\n");

    /* A tenant that exits, one that crashes (the silo ends it without a box) */
    ok(SetPrisonLimits(&Prison, JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION, 0, 0, 0) == STATUS_SUCCESS, "limits\n");
    ok(StartWin32InSilo(&Prison, CHILD_MODE_EXIT, "0", &Tenant) == STATUS_SUCCESS, "no tenant\n");
    Pids[Tenants] = GetProcessId(Tenant);
    Expected[Tenants++] = JOB_OBJECT_MSG_EXIT_PROCESS;
    ExitCode = WaitExitCode(Tenant, PRISON_SETTLE_MS);
    ok(ExitCode == 0, "the tenant that exits ended with 0x%lx\n", ExitCode);
    CloseHandle(Tenant);
    ok(StartWin32InSilo(&Prison, CHILD_MODE_SPAWN_CRASH, NULL, &Tenant) == STATUS_SUCCESS, "no tenant\n");
    Pids[Tenants] = CrashParent = GetProcessId(Tenant);
    /* It exits with its child's exception status: that is an abnormal exit too */
    Expected[Tenants++] = JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS;
    ExitCode = WaitExitCode(Tenant, PRISON_SETTLE_MS);
    ok(ExitCode == (DWORD)STATUS_ACCESS_VIOLATION, "the tenant's crashing child ended with 0x%lx\n", ExitCode);
    CloseHandle(Tenant);

    /* A bomb at the limit: it alone fits */
    ok(SetPrisonLimits(&Prison, JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION | JOB_OBJECT_LIMIT_ACTIVE_PROCESS,
                       PRISON_BOOT_PROCESSES + 1, 0, 0) == STATUS_SUCCESS, "limits\n");
    ok(StartWin32InSilo(&Prison, CHILD_MODE_FORK_BOMB, "5", &Tenant) == STATUS_SUCCESS, "no bomb\n");
    Pids[Tenants] = GetProcessId(Tenant);
    Expected[Tenants++] = JOB_OBJECT_MSG_EXIT_PROCESS;
    WaitExitCode(Tenant, PRISON_SETTLE_MS);
    CloseHandle(Tenant);

    EndSmssSilo(&Prison, STATUS_SUCCESS);
    Count = DrainJobMessages(Port, PRISON_QUIET_MS, Messages, ARRAYSIZE(Messages));
    ok(Count <= ARRAYSIZE(Messages), "%lu messages\n", Count);
    Count = min(Count, ARRAYSIZE(Messages));
    for (i = 0; i < Count; i++)
    {
        trace("message %lu: id=%lu pid=%Iu\n", i, Messages[i].Id, Messages[i].ProcessId);
        ok(Messages[i].Key == PRISON_KEY, "message %lu has key %Iu\n", i, Messages[i].Key);
    }

    /* The crashing child is the other process with an abnormal exit */
    for (i = 0; i < Count; i++)
    {
        if (Messages[i].Id == JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS && Messages[i].ProcessId != CrashParent &&
            Tenants < ARRAYSIZE(Pids))
        {
            Pids[Tenants] = Messages[i].ProcessId;
            Expected[Tenants++] = JOB_OBJECT_MSG_ABNORMAL_EXIT_PROCESS;
            break;
        }
    }
    ok(i < Count, "no abnormal exit was told\n");

    Zero = FindMessage(Messages, Count, JOB_OBJECT_MSG_ACTIVE_PROCESS_ZERO, 0, &Found);
    ok(Found == 1, "ACTIVE_PROCESS_ZERO came %lu times\n", Found);
    for (Pid = 0; Pid < Tenants; Pid++)
    {
        New = FindMessage(Messages, Count, JOB_OBJECT_MSG_NEW_PROCESS, Pids[Pid], &Found);
        ok(Found == 1, "process %Iu: NEW came %lu times\n", Pids[Pid], Found);
        End = FindMessage(Messages, Count, Expected[Pid], Pids[Pid], &Found);
        ok(Found == 1, "process %Iu: exit message %lu came %lu times\n", Pids[Pid], Expected[Pid], Found);
        ok(New < End && End < Zero, "process %Iu: NEW at %lu, its exit at %lu, ZERO at %lu\n",
           Pids[Pid], New, End, Zero);
    }
    FindMessage(Messages, Count, JOB_OBJECT_MSG_ACTIVE_PROCESS_LIMIT, 0, &Found);
    ok(Found == 1, "the active process limit was told %lu times\n", Found);
    Last = Count ? Count - 1 : 0;
    ok(Count > 0 && Messages[Last].Id == JOB_OBJECT_MSG_SILO_TERMINATED &&
       Messages[Last].ProcessId == Prison.SiloId, "the last message is %lu, not SILO_TERMINATED\n",
       Count ? Messages[Last].Id : 0);
    /* A NEW and an exit per process, the limit, ZERO and the end: nothing else, nothing twice */
    ok(Count == 2 * Tenants + 3, "%lu messages, expected %lu\n", Count, 2 * Tenants + 3);
    trace("prison-messages: messages=%lu processes=%lu\n", Count, Tenants);
    CloseHandle(Port);
Done:
    NtClose(SmPort);
}
