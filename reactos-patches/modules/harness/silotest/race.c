/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The silo life cycle under races: initialization against
 *              termination, a silo's own process ending its critical
 *              process, monitors that sleep, terminate or query, lookups by
 *              an attached thread during teardown, and the teardown of deep
 *              and wide permanent trees. Every round ends with exactly one
 *              create and one terminate callback per monitor, one message,
 *              TERMINATED and \Silos\<id> gone.
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define RACE_PORT_KEY               ((ULONG_PTR)0x5AC3)
#define RACE_EXIT                   0x4242
/* How long the port is watched for a second termination message */
#define RACE_SECOND_MESSAGE_MS      200

/* Each race: a fixed number of rounds, and a time budget they must fit in */
#define RACE_BUDGET_MS              180000
#define RACE_INIT_ROUNDS            20
#define RACE_INIT_DELAY_STEP_MS     10      /* the terminate lands before, during or after the create callbacks */
#define RACE_INIT_DELAY_STEPS       6
#define RACE_MARK_ROUNDS            8
#define RACE_KILL_ROUNDS            3
#define RACE_LATE_SILOS             12
#define RACE_LATE_AT                5       /* the late monitor starts after this many silos */
#define RACE_LOOKUP_ROUNDS          4
#define RACE_LOOKUP_AFTER_END_MS    300     /* lookups go on this long after the silo ended */
#define RACE_TREE_ROUNDS            2
#define RACE_CHURN_THREADS          4       /* host threads starting and ending silos at once */
#define RACE_CHURN_THREAD_ROUNDS    6

typedef struct _RACE_SILO
{
    HANDLE Silo;
    HANDLE DeleteEvent;
    HANDLE Port;
    ULONG SiloId;
} RACE_SILO, *PRACE_SILO;

typedef struct _RACE_TERMINATOR
{
    HANDLE Silo;
    DWORD DelayMs;
    NTSTATUS Status;
} RACE_TERMINATOR, *PRACE_TERMINATOR;

/* HELPERS *******************************************************************/

/* Runs one race action in silodrv; TRUE when all its checks passed. Figures gets its figures. */
static
BOOL
RaceDriverFigures(
    _In_ HANDLE Device,
    _In_ SILODRV_RACE_ACTION Action,
    _In_opt_ HANDLE Silo,
    _In_ ULONG SiloId,
    _Out_writes_opt_(SiloDrvFigures) PULONG Figures)
{
    SILODRV_RACE_REQUEST Request;
    PSILODRV_RESULTS Results;
    BOOL Passed;
    ULONG i;

    /* Threads of the churn race call this at once: each its own results */
    Results = HeapAlloc(GetProcessHeap(), 0, sizeof(*Results));
    if (!Results) return FALSE;

    ZeroMemory(&Request, sizeof(Request));
    Request.Action = Action;
    Request.Silo = Silo;
    Request.SiloId = SiloId;
    RunDriverChecksInto(Device, IOCTL_SILODRV_RACE, &Request, sizeof(Request), Results);
    if (Figures) CopyMemory(Figures, Results->Figures, sizeof(Results->Figures));
    Passed = Results->Count > 0;
    for (i = 0; i < Results->Count; i++) Passed = Passed && Results->Checks[i].Passed;
    HeapFree(GetProcessHeap(), 0, Results);
    return Passed;
}

static
BOOL
RaceDriver(
    _In_ HANDLE Device,
    _In_ SILODRV_RACE_ACTION Action,
    _In_opt_ HANDLE Silo,
    _In_ ULONG SiloId)
{
    return RaceDriverFigures(Device, Action, Silo, SiloId, NULL);
}

/* A silo with a root, a delete event and a completion port, not yet a server silo */
static
BOOL
PrepareRaceSilo(
    _Out_ PRACE_SILO Race,
    _In_ ULONG LimitFlags)
{
    JOBOBJECT_ASSOCIATE_COMPLETION_PORT Association;
    SILOOBJECT_ROOT_DIRECTORY Root;

    ZeroMemory(Race, sizeof(*Race));
    if (!NT_SUCCESS(CreateJob(&Race->Silo, LimitFlags)) ||
        !NT_SUCCESS(NtSetInformationJobObject(Race->Silo, JobObjectCreateSilo, NULL, 0)))
    {
        return FALSE;
    }
    ZeroMemory(&Root, sizeof(Root));
    Root.ControlFlags = SILO_OBJECT_ROOT_DIRECTORY_ALL;
    if (!NT_SUCCESS(NtSetInformationJobObject(Race->Silo, JobObjectSiloRootDirectory, &Root, sizeof(Root))) ||
        !NT_SUCCESS(NtCreateEvent(&Race->DeleteEvent, EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE)))
    {
        return FALSE;
    }
    Race->SiloId = GetSiloId(Race->Silo);

    Race->Port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
    Association.CompletionKey = (PVOID)RACE_PORT_KEY;
    Association.CompletionPort = Race->Port;
    return Race->Port != NULL &&
           NT_SUCCESS(NtSetInformationJobObject(Race->Silo, JobObjectAssociateCompletionPortInformation,
                                                &Association, sizeof(Association)));
}

static
NTSTATUS
InitializeRaceSilo(
    _In_ PRACE_SILO Race)
{
    SERVERSILO_INIT_INFORMATION Init;

    ZeroMemory(&Init, sizeof(Init));
    Init.DeleteEvent = Race->DeleteEvent;
    return NtSetInformationJobObject(Race->Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init));
}

static
void
CloseRaceSilo(
    _Inout_ PRACE_SILO Race)
{
    if (Race->Silo) NtClose(Race->Silo);
    if (Race->DeleteEvent) NtClose(Race->DeleteEvent);
    if (Race->Port) CloseHandle(Race->Port);
    ZeroMemory(Race, sizeof(*Race));
}

/*
 * The one JOB_OBJECT_MSG_SILO_TERMINATED of a silo, read as a Win32 container
 * host reads it: GetQueuedCompletionStatus succeeds, the message is in the
 * byte count, the silo id in the overlapped pointer. The messages about its
 * processes come before it; then no second one.
 */
BOOL
ReadSiloTerminatedMessage(
    _In_ HANDLE Port,
    _In_ ULONG_PTR Key,
    _In_ ULONG SiloId,
    _In_ PCSTR Case)
{
    LPOVERLAPPED Overlapped = NULL;
    ULONG_PTR GotKey = 0;
    DWORD Message = 0, Messages = 0, Start;
    BOOL Got;

    do
    {
        Overlapped = NULL;
        Got = GetQueuedCompletionStatus(Port, &Message, &GotKey, &Overlapped, SILOTEST_WAIT_MS);
        ok(!Got || GotKey == Key, "%s: message %lu with key %Ix\n", Case, Message, GotKey);
    } while (Got && Message != JOB_OBJECT_MSG_SILO_TERMINATED);
    ok(Got, "%s: GetQueuedCompletionStatus failed: %lu (message %lu, silo %p)\n", Case, GetLastError(), Message,
       Overlapped);
    ok(Message == JOB_OBJECT_MSG_SILO_TERMINATED && GotKey == Key && (ULONG_PTR)Overlapped == SiloId,
       "%s: message %lu key %Ix silo %p, expected %u for silo %lu\n", Case, Message, GotKey, Overlapped,
       JOB_OBJECT_MSG_SILO_TERMINATED, SiloId);
    if (Message == JOB_OBJECT_MSG_SILO_TERMINATED) Messages++;

    /* Other job messages may follow; a second termination must not */
    Start = GetTickCount();
    while (GetTickCount() - Start < RACE_SECOND_MESSAGE_MS)
    {
        Overlapped = NULL;
        if (!GetQueuedCompletionStatus(Port, &Message, &GotKey, &Overlapped, RACE_SECOND_MESSAGE_MS) &&
            Overlapped == NULL)
        {
            break;
        }
        if (Message == JOB_OBJECT_MSG_SILO_TERMINATED) Messages++;
    }
    ok(Messages == 1, "%s: %lu termination messages for silo %lu\n", Case, Messages, SiloId);
    return Got && Messages == 1;
}

/*
 * The end of a round: TERMINATED with ExitStatus (when the host still has a
 * handle), the delete event, one message, \Silos\<id> gone, and each monitor
 * saw one create and one terminate.
 */
static
void
CheckRaceSiloEnded(
    _In_ HANDLE Device,
    _In_ PRACE_SILO Race,
    _In_ NTSTATUS ExitStatus,
    _In_ PCSTR Case)
{
    SERVERSILO_BASIC_INFORMATION Basic;

    if (Race->Silo)
    {
        ok(WaitServerSiloState(Race->Silo, SERVERSILO_TERMINATED, &Basic), "%s: silo %lu state %d, not TERMINATED\n",
           Case, Race->SiloId, Basic.State);
        ok(Basic.ExitStatus == (ULONG)ExitStatus, "%s: exit status 0x%08lx, expected 0x%08lx\n", Case,
           Basic.ExitStatus, ExitStatus);
    }
    ok(WaitForSingleObject(Race->DeleteEvent, SILOTEST_WAIT_MS) == WAIT_OBJECT_0,
       "%s: silo %lu delete event not signaled\n", Case, Race->SiloId);
    ReadSiloTerminatedMessage(Race->Port, RACE_PORT_KEY, Race->SiloId, Case);
    ok(!SiloDirectoryExists(Race->SiloId), "%s: \\Silos\\%lu survived the teardown\n", Case, Race->SiloId);
    ok(RaceDriver(Device, SiloDrvRaceCheckSilo, NULL, Race->SiloId), "%s: silo %lu: monitor callbacks\n", Case,
       Race->SiloId);
}

/* The rounds a race ran and how long they took, as a metric line */
static
void
ReportRace(
    _In_ PCSTR Name,
    _In_ ULONG Rounds,
    _In_ ULONG Expected,
    _In_ DWORD StartTick)
{
    DWORD Elapsed = GetTickCount() - StartTick;

    trace("race-%s: rounds=%lu ms=%lu\n", Name, Rounds, Elapsed);
    ok(Rounds == Expected, "race-%s: %lu of %lu rounds within %u ms\n", Name, Rounds, Expected, RACE_BUDGET_MS);
}

/* RACES *********************************************************************/

static
DWORD
WINAPI
TerminateLater(
    _In_ PVOID Parameter)
{
    PRACE_TERMINATOR Terminator = Parameter;

    Sleep(Terminator->DelayMs);
    Terminator->Status = NtTerminateJobObject(Terminator->Silo, RACE_EXIT);
    return 0;
}

/*
 * Server silo initialization against NtTerminateJobObject on the empty silo:
 * the terminate lands before, during (the sleeping monitor holds the create
 * callbacks) or after it. The silo must end once, never go back to STARTED.
 */
static
void
RaceInitAgainstTerminate(
    _In_ HANDLE Device)
{
    RACE_TERMINATOR Terminator;
    RACE_SILO Race;
    HANDLE Thread;
    NTSTATUS Status;
    ULONG Round;
    DWORD Start = GetTickCount();
    CHAR Case[64];

    for (Round = 0; Round < RACE_INIT_ROUNDS && GetTickCount() - Start < RACE_BUDGET_MS; Round++)
    {
        sprintf(Case, "init/terminate round %lu", Round);
        if (!PrepareRaceSilo(&Race, JOB_OBJECT_LIMIT_SILO_READY))
        {
            ok(FALSE, "%s: cannot prepare the silo\n", Case);
            CloseRaceSilo(&Race);
            break;
        }

        Terminator.Silo = Race.Silo;
        Terminator.DelayMs = (Round % RACE_INIT_DELAY_STEPS) * RACE_INIT_DELAY_STEP_MS;
        Terminator.Status = STATUS_PENDING;
        Thread = CreateThread(NULL, 0, TerminateLater, &Terminator, 0, NULL);
        Status = InitializeRaceSilo(&Race);
        ok(Status == STATUS_SUCCESS, "%s: initialize: 0x%08lx\n", Case, Status);
        WaitForSingleObject(Thread, INFINITE);
        CloseHandle(Thread);
        ok(Terminator.Status == STATUS_SUCCESS, "%s: terminate: 0x%08lx\n", Case, Terminator.Status);

        /* A terminate that came before the silo was a server silo did not end it: end it now */
        Status = NtTerminateJobObject(Race.Silo, RACE_EXIT);
        ok(Status == STATUS_SUCCESS, "%s: second terminate: 0x%08lx\n", Case, Status);
        CheckRaceSiloEnded(Device, &Race, RACE_EXIT, Case);
        CloseRaceSilo(&Race);
    }
    ReportRace("init-terminate", Round, RACE_INIT_ROUNDS, Start);
}

/* The terminating monitor ends a marked silo from its own create callback */
static
void
RaceTerminatingMonitor(
    _In_ HANDLE Device)
{
    RACE_SILO Race;
    NTSTATUS Status;
    ULONG Round;
    DWORD Start = GetTickCount();
    CHAR Case[64];

    for (Round = 0; Round < RACE_MARK_ROUNDS && GetTickCount() - Start < RACE_BUDGET_MS; Round++)
    {
        sprintf(Case, "terminate in create callback round %lu", Round);
        if (!PrepareRaceSilo(&Race, JOB_OBJECT_LIMIT_SILO_READY) ||
            !RaceDriver(Device, SiloDrvRaceMark, NULL, Race.SiloId))
        {
            ok(FALSE, "%s: cannot prepare the silo\n", Case);
            CloseRaceSilo(&Race);
            break;
        }
        Status = InitializeRaceSilo(&Race);
        ok(Status == STATUS_SUCCESS, "%s: initialize: 0x%08lx\n", Case, Status);
        CheckRaceSiloEnded(Device, &Race, SILODRV_RACE_EXIT_STATUS, Case);
        CloseRaceSilo(&Race);
    }
    ReportRace("terminating-monitor", Round, RACE_MARK_ROUNDS, Start);
}

/* The prepared silo becomes a server silo with one suspended child of Mode inside */
static
BOOL
StartRaceChild(
    _Inout_ PRACE_SILO Race,
    _In_ PCSTR Mode,
    _In_opt_ PCSTR Argument,
    _In_ BOOL InheritHandles,
    _Out_ PPROCESS_INFORMATION Child)
{
    ZeroMemory(Child, sizeof(*Child));
    return NT_SUCCESS(InitializeRaceSilo(Race)) &&
           SpawnChildEx(Mode, Argument, TRUE, 0, InheritHandles, Child) &&
           NT_SUCCESS(NtAssignProcessToJobObject(Race->Silo, Child->hProcess));
}

/* A killer of Mode, in the silo, aimed at Target (a process or thread id) */
static
BOOL
StartKiller(
    _In_ PRACE_SILO Race,
    _In_ PCSTR Mode,
    _In_ DWORD Target,
    _Out_ PPROCESS_INFORMATION Killer)
{
    CHAR Argument[16];

    sprintf(Argument, "%lu", Target);
    if (!SpawnChild(Mode, Argument, TRUE, 0, Killer)) return FALSE;
    if (!NT_SUCCESS(NtAssignProcessToJobObject(Race->Silo, Killer->hProcess))) return FALSE;
    ResumeThread(Killer->hThread);
    return TRUE;
}

typedef enum _RACE_OWN_END
{
    RaceKillCriticalProcess,
    RaceKillCriticalThread,
    RaceCloseLastHandle,
    RaceOwnEnds
} RACE_OWN_END;

static const PCSTR RaceOwnEndNames[RaceOwnEnds] =
{
    "kill critical process", "kill critical thread", "close last handle"
};

/*
 * A process of the silo ends it and runs on: it kills the silo's critical
 * process, kills its critical thread, or closes the silo's last handle
 * (kill on close). The silo must end, and that process with it.
 */
static
void
RaceOwnProcessEndsSilo(
    _In_ HANDLE Device)
{
    SECURITY_ATTRIBUTES Inheritable = { sizeof(Inheritable), NULL, TRUE };
    PROCESS_INFORMATION Victim, Killer;
    RACE_SILO Race;
    RACE_OWN_END End;
    HANDLE Go = NULL;
    ULONG Round, Rounds = 0;
    DWORD Start = GetTickCount();
    CHAR Case[64], Argument[32];
    BOOL Started;

    for (Round = 0; Round < RACE_KILL_ROUNDS && GetTickCount() - Start < RACE_BUDGET_MS; Round++)
    {
        for (End = RaceKillCriticalProcess; End < RaceOwnEnds; End++)
        {
            sprintf(Case, "%s round %lu", RaceOwnEndNames[End], Round);
            ZeroMemory(&Killer, sizeof(Killer));
            ZeroMemory(&Victim, sizeof(Victim));
            Started = PrepareRaceSilo(&Race, JOB_OBJECT_LIMIT_SILO_READY |
                                      (End == RaceCloseLastHandle ? JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE : 0));
            if (End == RaceKillCriticalProcess || End == RaceKillCriticalThread)
            {
                Started = Started &&
                          StartRaceChild(&Race, End == RaceKillCriticalProcess ? CHILD_MODE_CRITICAL_WAIT :
                                         CHILD_MODE_CRITICAL_THREAD_WAIT, NULL, FALSE, &Victim);
                if (Started)
                {
                    ResumeThread(Victim.hThread);
                    Sleep(SILOTEST_POLL_MS * 10);  /* let it mark itself critical */
                    Started = StartKiller(&Race, End == RaceKillCriticalProcess ? CHILD_MODE_KILL_WAIT :
                                          CHILD_MODE_KILL_THREAD_WAIT,
                                          End == RaceKillCriticalProcess ? Victim.dwProcessId : Victim.dwThreadId,
                                          &Killer);
                }
            }
            else
            {
                /* The child inherits a handle to its silo and an event; the host's handle goes first */
                Go = CreateEventW(&Inheritable, TRUE, FALSE, NULL);
                Started = Started && Go != NULL &&
                          SetHandleInformation(Race.Silo, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
                sprintf(Argument, "%lu:%lu", (ULONG)(ULONG_PTR)Race.Silo, (ULONG)(ULONG_PTR)Go);
                Started = Started && StartRaceChild(&Race, CHILD_MODE_CLOSE_JOB_WAIT, Argument, TRUE, &Victim);
                if (Started)
                {
                    NtClose(Race.Silo);
                    Race.Silo = NULL;
                    ResumeThread(Victim.hThread);
                    SetEvent(Go);
                }
            }

            ok(Started, "%s: cannot start\n", Case);
            if (Started)
            {
                CheckRaceSiloEnded(Device, &Race, STATUS_SYSTEM_PROCESS_TERMINATED, Case);
                ok(WaitForSingleObject(Victim.hProcess, SILOTEST_WAIT_MS) == WAIT_OBJECT_0,
                   "%s: the silo's first process outlived its silo\n", Case);
                ok(!Killer.hProcess || WaitForSingleObject(Killer.hProcess, SILOTEST_WAIT_MS) == WAIT_OBJECT_0,
                   "%s: the killer outlived its silo\n", Case);
                Rounds++;
            }
            if (Victim.hProcess) TerminateProcess(Victim.hProcess, 0);
            if (Killer.hProcess) TerminateProcess(Killer.hProcess, 0);
            CloseChild(&Victim);
            CloseChild(&Killer);
            if (Go) CloseHandle(Go);
            Go = NULL;
            CloseRaceSilo(&Race);
        }
    }
    ReportRace("own-process-ends-silo", Rounds, RACE_KILL_ROUNDS * RaceOwnEnds, Start);
}

/*
 * Silos start and end one after another while a querying monitor starts in
 * the middle (it is told about the running silo at once, without the silo
 * lock). It must see each silo created and terminated once, or neither.
 */
static
void
RaceLateMonitor(
    _In_ HANDLE Device)
{
    ULONG Figures[SiloDrvFigures] = { 0 };
    PROCESS_INFORMATION Child;
    RACE_SILO Race;
    ULONG Round;
    DWORD Start = GetTickCount();
    CHAR Case[64];

    for (Round = 0; Round < RACE_LATE_SILOS && GetTickCount() - Start < RACE_BUDGET_MS; Round++)
    {
        sprintf(Case, "late monitor round %lu", Round);
        if (!PrepareRaceSilo(&Race, JOB_OBJECT_LIMIT_SILO_READY) ||
            !StartRaceChild(&Race, CHILD_MODE_WAIT, NULL, FALSE, &Child))
        {
            ok(FALSE, "%s: cannot start the silo\n", Case);
            CloseRaceSilo(&Race);
            break;
        }
        ResumeThread(Child.hThread);

        /* Started while this silo runs: its create callback comes from PsStartSiloMonitor */
        if (Round == RACE_LATE_AT) ok(RaceDriver(Device, SiloDrvRaceLateStart, NULL, 0), "late start\n");

        NtTerminateJobObject(Race.Silo, RACE_EXIT);
        CheckRaceSiloEnded(Device, &Race, RACE_EXIT, Case);
        CloseChild(&Child);
        CloseRaceSilo(&Race);
    }
    ok(RaceDriverFigures(Device, SiloDrvRaceLateStop, NULL, 0, Figures), "late monitor pairing\n");
    trace("race-late-monitor-silos: told_about=%lu of=%u\n", Figures[SiloDrvFigureLateSilos], RACE_LATE_SILOS);
    ok(Figures[SiloDrvFigureLateSilos] == RACE_LATE_SILOS - RACE_LATE_AT,
       "the late monitor was told about %lu silos, expected %u\n", Figures[SiloDrvFigureLateSilos],
       RACE_LATE_SILOS - RACE_LATE_AT);
    ReportRace("late-monitor", Round, RACE_LATE_SILOS, Start);
}

/*
 * A system thread attached to the silo looks names up while the host
 * terminates the silo, and after: it must never reach a host-only name.
 */
static
void
RaceLookupTeardown(
    _In_ HANDLE Device)
{
    ULONG Figures[SiloDrvFigures] = { 0 };
    PROCESS_INFORMATION Child;
    RACE_SILO Race;
    ULONG Round;
    DWORD Start = GetTickCount();
    CHAR Case[64];

    for (Round = 0; Round < RACE_LOOKUP_ROUNDS && GetTickCount() - Start < RACE_BUDGET_MS; Round++)
    {
        sprintf(Case, "lookup during teardown round %lu", Round);
        if (!PrepareRaceSilo(&Race, JOB_OBJECT_LIMIT_SILO_READY) ||
            !StartRaceChild(&Race, CHILD_MODE_WAIT, NULL, FALSE, &Child) ||
            !RaceDriver(Device, SiloDrvRaceLookupStart, Race.Silo, 0))
        {
            ok(FALSE, "%s: cannot start\n", Case);
            CloseRaceSilo(&Race);
            break;
        }
        ResumeThread(Child.hThread);
        Sleep(SILOTEST_POLL_MS * 5);

        NtTerminateJobObject(Race.Silo, RACE_EXIT);
        CheckRaceSiloEnded(Device, &Race, RACE_EXIT, Case);
        RaceDriver(Device, SiloDrvRaceLookupEnded, NULL, 0);
        Sleep(RACE_LOOKUP_AFTER_END_MS);
        ok(RaceDriverFigures(Device, SiloDrvRaceLookupStop, NULL, 0, Figures), "%s: attached lookups\n", Case);
        trace("race-lookup: round=%lu lookups=%lu after_end=%lu\n", Round, Figures[SiloDrvFigureLookups],
              Figures[SiloDrvFigureLookupsAfterEnd]);
        CloseChild(&Child);
        CloseRaceSilo(&Race);
    }
    ReportRace("lookup-teardown", Round, RACE_LOOKUP_ROUNDS, Start);
}

typedef struct _RACE_CHURNER
{
    HANDLE Device;
    ULONG Index;
    ULONG Rounds;
    DWORD Start;
} RACE_CHURNER, *PRACE_CHURNER;

/*
 * One of RACE_CHURN_THREADS host threads that start and end silos at the
 * same time: each round a silo with a process, ended by NtTerminateJobObject
 * or by closing its last kill-on-close handle, after a delay that differs
 * per thread and round.
 */
static
DWORD
WINAPI
ChurnSilos(
    _In_ PVOID Parameter)
{
    PRACE_CHURNER Churner = Parameter;
    PROCESS_INFORMATION Child;
    RACE_SILO Race;
    BOOL CloseToEnd;
    CHAR Case[64];

    for (Churner->Rounds = 0;
         Churner->Rounds < RACE_CHURN_THREAD_ROUNDS && GetTickCount() - Churner->Start < RACE_BUDGET_MS;
         Churner->Rounds++)
    {
        CloseToEnd = ((Churner->Index + Churner->Rounds) % 2) != 0;
        sprintf(Case, "churn thread %lu round %lu", Churner->Index, Churner->Rounds);
        if (!PrepareRaceSilo(&Race, JOB_OBJECT_LIMIT_SILO_READY |
                             (CloseToEnd ? JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE : 0)) ||
            !StartRaceChild(&Race, CHILD_MODE_WAIT, NULL, FALSE, &Child))
        {
            ok(FALSE, "%s: cannot start the silo\n", Case);
            CloseRaceSilo(&Race);
            break;
        }
        ResumeThread(Child.hThread);
        Sleep(((Churner->Index * RACE_CHURN_THREAD_ROUNDS + Churner->Rounds) % RACE_INIT_DELAY_STEPS) *
              RACE_INIT_DELAY_STEP_MS);

        if (CloseToEnd)
        {
            NtClose(Race.Silo);
            Race.Silo = NULL;
        }
        else
        {
            NtTerminateJobObject(Race.Silo, RACE_EXIT);
        }
        CheckRaceSiloEnded(Churner->Device, &Race, RACE_EXIT, Case);
        ok(WaitForSingleObject(Child.hProcess, SILOTEST_WAIT_MS) == WAIT_OBJECT_0, "%s: the process outlived "
           "its silo\n", Case);
        CloseChild(&Child);
        CloseRaceSilo(&Race);
    }
    return 0;
}

/* Silos started and ended by several host threads at once, as a container host does */
static
void
RaceChurn(
    _In_ HANDLE Device)
{
    RACE_CHURNER Churners[RACE_CHURN_THREADS];
    HANDLE Threads[RACE_CHURN_THREADS];
    ULONG i, Rounds = 0;
    DWORD Start = GetTickCount();

    for (i = 0; i < RACE_CHURN_THREADS; i++)
    {
        Churners[i].Device = Device;
        Churners[i].Index = i;
        Churners[i].Rounds = 0;
        Churners[i].Start = Start;
        Threads[i] = CreateThread(NULL, 0, ChurnSilos, &Churners[i], 0, NULL);
        ok(Threads[i] != NULL, "cannot start churn thread %lu\n", i);
    }
    for (i = 0; i < RACE_CHURN_THREADS; i++)
    {
        if (!Threads[i]) continue;
        WaitForSingleObject(Threads[i], INFINITE);
        CloseHandle(Threads[i]);
        Rounds += Churners[i].Rounds;
    }
    ReportRace("churn", Rounds, RACE_CHURN_THREADS * RACE_CHURN_THREAD_ROUNDS, Start);
}

/* Opens a name below \Silos\<SiloId>; NULL if it is not there */
static
HANDLE
OpenInSilo(
    _In_ ULONG SiloId,
    _In_ PCWSTR Path,
    _In_ BOOL Directory)
{
    OBJECT_ATTRIBUTES ObjectAttributes;
    UNICODE_STRING Name;
    WCHAR Buffer[MAX_PATH * 2];
    HANDLE Handle = NULL;

    _snwprintf(Buffer, ARRAYSIZE(Buffer), L"\\Silos\\%lu%s", SiloId, Path);
    Buffer[ARRAYSIZE(Buffer) - 1] = UNICODE_NULL;
    RtlInitUnicodeString(&Name, Buffer);
    InitializeObjectAttributes(&ObjectAttributes, &Name, OBJ_CASE_INSENSITIVE, NULL, NULL);
    if (Directory)
    {
        if (!NT_SUCCESS(NtOpenDirectoryObject(&Handle, DIRECTORY_QUERY, &ObjectAttributes))) Handle = NULL;
    }
    else if (!NT_SUCCESS(NtOpenEvent(&Handle, SYNCHRONIZE, &ObjectAttributes)))
    {
        Handle = NULL;
    }
    return Handle;
}

static
BOOL
IsPermanent(
    _In_ HANDLE Handle)
{
    OBJECT_BASIC_INFORMATION Basic;

    return NT_SUCCESS(NtQueryObject(Handle, ObjectBasicInformation, &Basic, sizeof(Basic), NULL)) &&
           (Basic.Attributes & OBJ_PERMANENT);
}

/*
 * A silo process makes a RACE_TREE_DEPTH deep and a RACE_TREE_WIDTH wide
 * permanent tree below its root; the host holds a handle to each object.
 * When the silo has ended, none of them may still be permanent (an orphan
 * that nothing could ever free).
 */
static
void
RaceTreeTeardown(
    _In_ HANDLE Device)
{
    PROCESS_INFORMATION Child;
    HANDLE *Handles;
    RACE_SILO Race;
    WCHAR Path[MAX_PATH * 2];
    ULONG Round, Held, Permanent, i;
    DWORD Made, Start = GetTickCount();
    CHAR Case[64];

    Handles = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, RACE_TREE_OBJECTS * sizeof(HANDLE));
    if (!Handles) return;

    for (Round = 0; Round < RACE_TREE_ROUNDS && GetTickCount() - Start < RACE_BUDGET_MS; Round++)
    {
        sprintf(Case, "tree teardown round %lu", Round);
        if (!PrepareRaceSilo(&Race, JOB_OBJECT_LIMIT_SILO_READY) ||
            !StartRaceChild(&Race, CHILD_MODE_MAKE_TREE, NULL, FALSE, &Child))
        {
            ok(FALSE, "%s: cannot start\n", Case);
            CloseRaceSilo(&Race);
            break;
        }
        ResumeThread(Child.hThread);
        Made = WaitChild(&Child);
        ok(Made == RACE_TREE_OBJECTS, "%s: the silo made %lu of %u permanent objects\n", Case, Made,
           RACE_TREE_OBJECTS);

        /* Every object, by its name as the host sees it */
        Held = 0;
        wcscpy(Path, RACE_TREE_DEEP);
        Handles[Held++] = OpenInSilo(Race.SiloId, Path, TRUE);
        for (i = 1; i <= RACE_TREE_DEPTH; i++)
        {
            _snwprintf(Path + wcslen(Path), ARRAYSIZE(Path) - wcslen(Path), L"\\" RACE_TREE_DEEP_LEVEL, i);
            Handles[Held++] = OpenInSilo(Race.SiloId, Path, TRUE);
        }
        Handles[Held++] = OpenInSilo(Race.SiloId, RACE_TREE_WIDE, TRUE);
        for (i = 0; i < RACE_TREE_WIDTH; i++)
        {
            _snwprintf(Path, ARRAYSIZE(Path), RACE_TREE_WIDE L"\\" RACE_TREE_WIDE_ENTRY, i);
            Handles[Held++] = OpenInSilo(Race.SiloId, Path, FALSE);
        }

        NtTerminateJobObject(Race.Silo, RACE_EXIT);
        CheckRaceSiloEnded(Device, &Race, RACE_EXIT, Case);

        for (i = 0, Permanent = 0; i < Held; i++)
        {
            if (Handles[i] && IsPermanent(Handles[i])) Permanent++;
        }
        for (i = 0, Made = 0; i < Held; i++)
        {
            if (Handles[i]) Made++;
        }
        trace("race-tree: round=%lu objects=%lu opened=%lu permanent_after=%lu\n", Round, Held, Made, Permanent);
        ok(Made == RACE_TREE_OBJECTS, "%s: the host opened %lu of %u objects\n", Case, Made, RACE_TREE_OBJECTS);
        ok(Permanent == 0, "%s: %lu objects stayed permanent after the silo ended\n", Case, Permanent);
        for (i = 0; i < Held; i++)
        {
            if (Handles[i]) NtClose(Handles[i]);
            Handles[i] = NULL;
        }
        CloseChild(&Child);
        CloseRaceSilo(&Race);
    }
    HeapFree(GetProcessHeap(), 0, Handles);
    ReportRace("tree-teardown", Round, RACE_TREE_ROUNDS, Start);
}

/* Smaller life-cycle items: basic limits on a silo, ReturnLength on a short buffer */
static
void
CheckSiloLimitsAndLengths(VOID)
{
    JOBOBJECT_BASIC_LIMIT_INFORMATION Basic;
    SERVERSILO_BASIC_INFORMATION ServerBasic;
    RACE_SILO Race;
    ULONG ReturnLength;
    NTSTATUS Status;

    if (!PrepareRaceSilo(&Race, JOB_OBJECT_LIMIT_SILO_READY | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE))
    {
        ok(FALSE, "cannot prepare the silo\n");
        CloseRaceSilo(&Race);
        return;
    }

    /* A basic set keeps the silo's kill-on-close/silo-ready flags, which the basic class cannot name */
    ZeroMemory(&Basic, sizeof(Basic));
    Basic.LimitFlags = JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
    Basic.ActiveProcessLimit = 8;
    Status = NtSetInformationJobObject(Race.Silo, JobObjectBasicLimitInformation, &Basic, sizeof(Basic));
    ok(Status == STATUS_SUCCESS, "basic limits on a silo: 0x%08lx\n", Status);

    ReturnLength = 0;
    Status = NtQueryInformationJobObject(Race.Silo, JobObjectServerSiloBasicInformation, &ServerBasic,
                                         sizeof(ULONG), &ReturnLength);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH && ReturnLength == sizeof(ServerBasic),
       "short class 38 buffer: 0x%08lx, ReturnLength %lu\n", Status, ReturnLength);
    CloseRaceSilo(&Race);
}

typedef void (*RACE_ROUTINE)(_In_ HANDLE Device);

/*
 * One race in a test of its own: the driver and its monitors around it, and
 * the guest's counts before and after it (processes and job objects may take
 * a moment to go with their last reference).
 */
/*
 * Names the handles that are now open but were not in Before, and returns how
 * many of them are critical-section events (see IsCriticalSectionEvent): a
 * section of this process that first met contention in the measured run,
 * though the warm-up ran the race once before.
 */
static
ULONG
TraceNewHandles(
    _In_ PCSTR Name,
    _In_reads_(BeforeCount) const USHORT *Before,
    _In_ ULONG BeforeCount)
{
    USHORT Values[SILOTEST_MAX_OWN_HANDLES];
    UCHAR Types[SILOTEST_MAX_OWN_HANDLES];
    ULONG Count, LockEvents = 0, i, j;
    BOOL LockEvent;

    ULONG_PTR Buffer[SILOTEST_TYPE_INFO_BYTES / sizeof(ULONG_PTR)];
    POBJECT_TYPE_INFORMATION TypeInfo = (POBJECT_TYPE_INFORMATION)Buffer;

    Count = ListOwnHandles(Values, Types, ARRAYSIZE(Values));
    for (i = 0; i < Count; i++)
    {
        for (j = 0; j < BeforeCount && Before[j] != Values[i]; j++);
        if (j < BeforeCount) continue;
        ZeroMemory(Buffer, sizeof(Buffer));
        NtQueryObject((HANDLE)(ULONG_PTR)Values[i], ObjectTypeInformation, TypeInfo, sizeof(Buffer), NULL);
        LockEvent = IsCriticalSectionEvent((HANDLE)(ULONG_PTR)Values[i]);
        if (LockEvent) LockEvents++;
        trace("race-%s: new handle 0x%x to a %.*S%s\n", Name, Values[i],
              TypeInfo->TypeName.Length / (int)sizeof(WCHAR),
              TypeInfo->TypeName.Buffer ? TypeInfo->TypeName.Buffer : L"",
              LockEvent ? ", a critical section's lock event (the runtime's, not a leak)" : "");
    }
    return LockEvents;
}

/*
 * One race in a test of its own: the driver and its monitors around it, and
 * the guest's counts before and after it (processes and job objects may take
 * a moment to go with their last reference). The pool blocks under the silo
 * tags must come back exactly; the pool's pages are reported, and allowed
 * SOAK_POOL_SLACK_PAGES for what the allocator keeps.
 */
static
void
RunRace(
    _In_ PCSTR Name,
    _In_ RACE_ROUTINE Routine,
    _In_ BOOL WarmUp)
{
    USHORT HandlesBefore[SILOTEST_MAX_OWN_HANDLES];
    UCHAR Types[SILOTEST_MAX_OWN_HANDLES];
    PSYSTEM_POOLTAG_INFORMATION PoolTagsBefore;
    GUEST_COUNTS Before, After;
    ULONG HandleCount, LockEvents;
    HANDLE Device;
    DWORD Start;

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available\n");
    Device = LoadSiloDriver();
    if (Device == INVALID_HANDLE_VALUE) return;
    ok(RaceDriver(Device, SiloDrvRaceMonitorsStart, NULL, 0), "cannot start the race monitors\n");

    /*
     * A race run from several threads at once makes this process's critical
     * sections meet contention for the first time, and each then keeps the
     * event it waits on: a handle that comes once, not per round. Such a race
     * runs once before the counts are taken, as the soaks warm up.
     */
    if (WarmUp) Routine(Device);
    CountGuest(SILOTEST_IMAGE, &Before);
    HandleCount = ListOwnHandles(HandlesBefore, Types, ARRAYSIZE(HandlesBefore));
    PoolTagsBefore = QueryPoolTags();

    Routine(Device);

    Start = GetTickCount();
    do
    {
        Sleep(SILOTEST_POLL_MS);
        CountGuest(SILOTEST_IMAGE, &After);
    } while ((After.Processes != Before.Processes || After.JobObjects != Before.JobObjects ||
              After.Handles != Before.Handles || After.SiloPoolBlocks != Before.SiloPoolBlocks) &&
             GetTickCount() - Start < SOAK_SETTLE_MS);
    LockEvents = (After.Handles != Before.Handles) ? TraceNewHandles(Name, HandlesBefore, HandleCount) : 0;
    trace("race-%s-counts: processes=%lu->%lu handles=%lu->%lu lock_events=%lu job_objects=%lu->%lu "
          "silo_dirs=%lu->%lu silo_pool_blocks=%lu->%lu nonpaged_pages=%lu->%lu\n", Name, Before.Processes,
          After.Processes, Before.Handles, After.Handles, LockEvents, Before.JobObjects, After.JobObjects,
          Before.SiloDirectories, After.SiloDirectories, Before.SiloPoolBlocks, After.SiloPoolBlocks,
          Before.NonPagedPages, After.NonPagedPages);
    ok(After.Processes == Before.Processes, "%s: processes %lu -> %lu\n", Name, Before.Processes, After.Processes);
    ok(After.Handles == Before.Handles + LockEvents, "%s: handles %lu -> %lu (%lu of them critical-section events)\n",
       Name, Before.Handles, After.Handles, LockEvents);
    ok(After.JobObjects == Before.JobObjects, "%s: job objects %lu -> %lu\n", Name, Before.JobObjects,
       After.JobObjects);
    ok(After.SiloDirectories == Before.SiloDirectories, "%s: \\Silos entries %lu -> %lu\n", Name,
       Before.SiloDirectories, After.SiloDirectories);
    ok(Before.SiloPoolBlocks != MAXULONG && After.SiloPoolBlocks == Before.SiloPoolBlocks,
       "%s: pool blocks under the silo tags %lu -> %lu\n", Name, Before.SiloPoolBlocks, After.SiloPoolBlocks);
    ok(After.NonPagedPages <= Before.NonPagedPages + SOAK_POOL_SLACK_PAGES, "%s: non-paged pool %lu -> %lu pages\n",
       Name, Before.NonPagedPages, After.NonPagedPages);
    if (PoolTagsBefore)
    {
        if (After.NonPagedPages > Before.NonPagedPages + SOAK_POOL_SLACK_PAGES)
        {
            TracePoolTagGrowth(Name, PoolTagsBefore);
        }
        HeapFree(GetProcessHeap(), 0, PoolTagsBefore);
    }

    ok(RaceDriver(Device, SiloDrvRaceMonitorsStop, NULL, 0), "cannot stop the race monitors\n");
    UnloadSiloDriver(Device);
}

static
void
RaceInitialization(
    _In_ HANDLE Device)
{
    RaceInitAgainstTerminate(Device);
    RaceTerminatingMonitor(Device);
}

static
void
RaceLimitsAndLengths(
    _In_ HANDLE Device)
{
    CheckSiloLimitsAndLengths();
    ok(RaceDriver(Device, SiloDrvRaceContextAtDispatch, NULL, 0), "context cleanup at DISPATCH_LEVEL\n");
}

START_TEST(raceinit)
{
    RunRace("init", RaceInitialization, FALSE);
}

START_TEST(racekill)
{
    RunRace("kill", RaceOwnProcessEndsSilo, FALSE);
}

START_TEST(racemonitor)
{
    RunRace("monitor", RaceLateMonitor, FALSE);
}

START_TEST(racelookup)
{
    RunRace("lookup", RaceLookupTeardown, FALSE);
}

START_TEST(racetree)
{
    RunRace("tree", RaceTreeTeardown, FALSE);
}

START_TEST(racechurn)
{
    RunRace("churn", RaceChurn, TRUE);
}

START_TEST(racelimits)
{
    RunRace("limits", RaceLimitsAndLengths, FALSE);
}

#define HOST_SHUTDOWN_SILOS         2
#define HOST_SHUTDOWN_DELAY_MS      1000

/* A restart: the LiveCD's HAL cannot power QEMU off, and QEMU runs with -no-reboot, so it exits */
static
DWORD
WINAPI
ShutDownLater(
    _In_ PVOID Parameter)
{
    NTSTATUS Status;

    UNREFERENCED_PARAMETER(Parameter);
    Sleep(HOST_SHUTDOWN_DELAY_MS);
    DbgPrint("host-shutdown: shutting down with %u server silos running\n", HOST_SHUTDOWN_SILOS);
    Status = NtShutdownSystem(ShutdownReboot);
    /* Only a failure comes back: the caller is suspended until the end */
    DbgPrint("host-shutdown: NtShutdownSystem returned 0x%08lx\n", Status);
    return Status;
}

/*
 * Host shutdown with server silos running: each silo ends first, as if the
 * host had terminated it with STATUS_SYSTEM_SHUTDOWN (terminate callbacks,
 * TERMINATED, delete event, one message, \Silos\<id> gone), and then the
 * machine goes down. silodrv holds the shutdown until this test exited, so
 * its report reaches the debug port; the harness checks that QEMU exits.
 */
START_TEST(hostshutdown)
{
    PROCESS_INFORMATION Children[HOST_SHUTDOWN_SILOS];
    RACE_SILO Silos[HOST_SHUTDOWN_SILOS];
    HANDLE Device, ShutDown;
    ULONG i, Started = 0, Ended = 0;
    CHAR Case[48];

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available\n");
    ok(EnablePrivilege(SE_SHUTDOWN_PRIVILEGE), "SeShutdownPrivilege not available\n");
    Device = LoadSiloDriver();
    if (Device == INVALID_HANDLE_VALUE) return;
    ok(RaceDriver(Device, SiloDrvRaceMonitorsStart, NULL, 0), "cannot start the race monitors\n");

    for (i = 0; i < HOST_SHUTDOWN_SILOS; i++)
    {
        if (!PrepareRaceSilo(&Silos[i], JOB_OBJECT_LIMIT_SILO_READY) ||
            !StartRaceChild(&Silos[i], CHILD_MODE_WAIT, NULL, FALSE, &Children[i]))
        {
            ok(FALSE, "cannot start silo %lu\n", i);
            break;
        }
        ResumeThread(Children[i].hThread);
        Started++;
    }
    if (Started < HOST_SHUTDOWN_SILOS) return;

    ok(RaceDriver(Device, SiloDrvRaceHoldShutdown, NULL, 0), "cannot hold the shutdown for this report\n");
    SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_TIME_CRITICAL);
    ShutDown = CreateThread(NULL, 0, ShutDownLater, NULL, 0, NULL);
    ok(ShutDown != NULL, "cannot start the shutdown thread\n");

    for (i = 0; i < Started; i++)
    {
        sprintf(Case, "host shutdown, silo %lu", Silos[i].SiloId);
        Ended += (WaitForSingleObject(Silos[i].DeleteEvent, INFINITE) == WAIT_OBJECT_0);
        CheckRaceSiloEnded(Device, &Silos[i], STATUS_SYSTEM_SHUTDOWN, Case);
        ok(WaitForSingleObject(Children[i].hProcess, SILOTEST_WAIT_MS) == WAIT_OBJECT_0,
           "%s: its process outlived it\n", Case);
    }
    trace("host-shutdown: silos=%lu ended_before_host=%lu\n", Started, Ended);
    ok(Ended == Started, "%lu of %lu silos ended\n", Ended, Started);
    /* The driver, the monitors and the silos' handles stay: the machine goes down from here */
}
