/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Malformed-input battery against the job and silo information
 *              classes: seeded, reproducible, and checked for leaks
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#define FUZZ_CALLS                  10000
#define FUZZ_DEFAULT_SEED           0x51105EEDUL
#define FUZZ_SEED_VARIABLE          "SILOTEST_SEED"
#define FUZZ_REFRESH_INTERVAL       500     /* fresh jobs every so many calls */
#define FUZZ_BUFFER_BYTES           1024
#define FUZZ_DDI_CALLS              10000

typedef enum _FUZZ_HANDLE_KIND
{
    FuzzPlainJob,
    FuzzSilo,
    FuzzServerSilo,
    FuzzKillOnCloseJob,
    FuzzEvent,
    FuzzClosedHandle,
    FuzzBogusHandle,
    FuzzNullHandle,
    FuzzCurrentProcess,
    FuzzHandleKinds
} FUZZ_HANDLE_KIND;

typedef struct _FUZZ_POOL
{
    HANDLE Handles[FuzzHandleKinds];
} FUZZ_POOL, *PFUZZ_POOL;

static const ULONG FuzzClasses[] =
{
    0, 1, 2, 3, 7, 9, 11, 12, 29, 30, 31, 34, 35, 36, 37, 38, 39, 40, 41, 42, 44, 45, 46, 51, 52, 0x1000,
    JobObjectSiloRegistryConfiguration, JobObjectSiloNetworkConfiguration, JobObjectSiloDeviceConfiguration,
    JobObjectSiloDeviceConfiguration + 1, MAXULONG
};

/* The length each class really takes, so half the calls get past the length check */
static
ULONG
FuzzValidLength(
    _In_ ULONG Class)
{
    switch (Class)
    {
        case 2: return sizeof(JOBOBJECT_BASIC_LIMIT_INFORMATION);
        case 9: return sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION);
        case 30: return sizeof(JOBOBJECT_CONTAINER_IDENTIFIER_V2);
        case 35: return 0;
        case 36: return sizeof(SILOOBJECT_BASIC_INFORMATION);
        case 37: return sizeof(SILOOBJECT_ROOT_DIRECTORY) + 64;
        case 38: return sizeof(SERVERSILO_BASIC_INFORMATION);
        case 39: return sizeof(SILO_USER_SHARED_DATA);
        case 40: return sizeof(SERVERSILO_INIT_INFORMATION);
        case 41: return sizeof(ULONG);
        case 45: return sizeof(UNICODE_STRING);
        case JobObjectSiloRegistryConfiguration: return sizeof(SILO_REGISTRY_CONFIGURATION);
        case JobObjectSiloNetworkConfiguration: return sizeof(SILO_NETWORK_CONFIGURATION);
        case JobObjectSiloDeviceConfiguration: return sizeof(SILO_DEVICE_CONFIGURATION);
        default: return sizeof(ULONG);
    }
}

static const ULONG FuzzLengths[] =
{
    0, 1, 2, 3, 4, 5, 7, 8, 12, 16, 24, 31, 32, 33, 40, 64, 112, 0x240, 0x248, 0x300, FUZZ_BUFFER_BYTES,
    FUZZ_BUFFER_BYTES + 1, 0x7FFFFFFF, MAXULONG
};

/* A tiny LCG (Numerical Recipes constants): the same seed gives the same calls everywhere */
static ULONG FuzzState;

static
ULONG
FuzzNext(VOID)
{
    FuzzState = FuzzState * 1664525UL + 1013904223UL;
    return FuzzState >> 8;
}

#define FuzzPick(Array)   (Array)[FuzzNext() % ARRAYSIZE(Array)]

static
void
FuzzRefreshPool(
    _Inout_ PFUZZ_POOL Pool)
{
    ULONG i;

    for (i = 0; i < FuzzHandleKinds; i++)
    {
        if (i != FuzzClosedHandle && i != FuzzBogusHandle && i != FuzzNullHandle &&
            i != FuzzCurrentProcess && Pool->Handles[i])
        {
            NtClose(Pool->Handles[i]);
        }
        Pool->Handles[i] = NULL;
    }

    CreateJob(&Pool->Handles[FuzzPlainJob], 0);
    MakeSilo(&Pool->Handles[FuzzSilo]);
    MakeServerSilo(&Pool->Handles[FuzzServerSilo], NULL, NULL);
    CreateJob(&Pool->Handles[FuzzKillOnCloseJob], JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE);
    NtCreateEvent(&Pool->Handles[FuzzEvent], EVENT_ALL_ACCESS, NULL, NotificationEvent, FALSE);

    /* A handle value that was valid a moment ago */
    CreateJob(&Pool->Handles[FuzzClosedHandle], 0);
    NtClose(Pool->Handles[FuzzClosedHandle]);

    Pool->Handles[FuzzBogusHandle] = (HANDLE)(ULONG_PTR)(FuzzNext() | 3);
    Pool->Handles[FuzzCurrentProcess] = NtCurrentProcess();
}

static
PVOID
FuzzPickBuffer(
    _In_ PUCHAR Buffer)
{
    switch (FuzzNext() % 8)
    {
        case 0: return NULL;
        case 1: return Buffer + 1 + (FuzzNext() % 3);            /* unaligned */
        case 2: return (PVOID)(ULONG_PTR)0x80000000;            /* kernel */
        case 3: return (PVOID)(ULONG_PTR)(0xFFFFF000 | (FuzzNext() & 0xFFC));
        case 4: return (PVOID)(ULONG_PTR)0x10;                  /* unmapped user */
        case 5: return (PVOID)(ULONG_PTR)0x7FFEFFF0;            /* straddles the user limit */
        default: return Buffer;
    }
}

static
void
FuzzInformationClasses(
    _In_ ULONG Seed)
{
    ULONG_PTR BufferStore[FUZZ_BUFFER_BYTES / sizeof(ULONG_PTR)];
    PUCHAR Buffer = (PUCHAR)BufferStore;
    ULONG JobsBefore, JobsAfter, SilosBefore, SilosAfter, HandlesBefore, HandlesAfter;
    ULONG Call, i, Successes = 0, Failures = 0, ReturnLength;
    FUZZ_POOL Pool;
    NTSTATUS Status;

    JobsBefore = CountJobObjects();
    SilosBefore = CountSiloDirectories();
    HandlesBefore = CountOwnHandles();

    /* The counters must see a change, or "no leak" below would prove nothing */
    FuzzState = Seed;
    ZeroMemory(&Pool, sizeof(Pool));
    FuzzRefreshPool(&Pool);
    ok(CountJobObjects() > JobsBefore, "job object count %lu did not grow with the pool\n", CountJobObjects());
    ok(CountSiloDirectories() > SilosBefore, "\\Silos count %lu did not grow with the pool\n", CountSiloDirectories());

    for (Call = 0; Call < FUZZ_CALLS; Call++)
    {
        HANDLE Handle;
        JOBOBJECTINFOCLASS Class;
        ULONG Length;
        PVOID Pointer;

        if (Call != 0 && Call % FUZZ_REFRESH_INTERVAL == 0) FuzzRefreshPool(&Pool);

        Handle = Pool.Handles[FuzzNext() % FuzzHandleKinds];
        Class = (JOBOBJECTINFOCLASS)FuzzPick(FuzzClasses);
        Length = (FuzzNext() & 1) ? FuzzValidLength(Class) : FuzzPick(FuzzLengths);
        Pointer = FuzzPickBuffer(Buffer);
        for (i = 0; i < sizeof(BufferStore); i++) Buffer[i] = (UCHAR)FuzzNext();

        if (FuzzNext() & 1)
        {
            Status = NtSetInformationJobObject(Handle, Class, Pointer, Length);
        }
        else
        {
            Status = NtQueryInformationJobObject(Handle, Class, Pointer, Length,
                                                 (FuzzNext() & 1) ? &ReturnLength : (PULONG)Pointer);
        }
        if (NT_SUCCESS(Status)) Successes++; else Failures++;
    }

    /* Give back everything: the counts must return to where they were */
    FuzzRefreshPool(&Pool);
    for (i = 0; i < FuzzHandleKinds; i++)
    {
        if (i != FuzzClosedHandle && i != FuzzBogusHandle && i != FuzzNullHandle &&
            i != FuzzCurrentProcess && Pool.Handles[i])
        {
            NtClose(Pool.Handles[i]);
        }
    }

    JobsAfter = CountJobObjects();
    SilosAfter = CountSiloDirectories();
    HandlesAfter = CountOwnHandles();

    trace("fuzz: seed=0x%08lx calls=%lu succeeded=%lu failed=%lu job_objects=%lu->%lu silo_dirs=%lu->%lu handles=%lu->%lu\n",
          Seed, (ULONG)FUZZ_CALLS, Successes, Failures, JobsBefore, JobsAfter, SilosBefore, SilosAfter,
          HandlesBefore, HandlesAfter);
    ok(JobsBefore != MAXULONG && JobsAfter == JobsBefore, "leaked job objects: %lu before, %lu after\n", JobsBefore, JobsAfter);
    ok(SilosAfter == SilosBefore, "leaked \\Silos entries: %lu before, %lu after\n", SilosBefore, SilosAfter);
    ok(HandlesAfter == HandlesBefore, "leaked handles: %lu before, %lu after\n", HandlesBefore, HandlesAfter);
    ok(Successes > 0 && Failures > 0, "a battery that never succeeds or never fails proves nothing\n");
}

START_TEST(fuzz)
{
    CHAR SeedText[32];
    ULONG Seed = FUZZ_DEFAULT_SEED;

    if (GetEnvironmentVariableA(FUZZ_SEED_VARIABLE, SeedText, sizeof(SeedText)))
    {
        Seed = strtoul(SeedText, NULL, 0);
    }

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available\n");
    FuzzInformationClasses(Seed);
    FuzzSiloDdis(Seed, FUZZ_DDI_CALLS);
}
