/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Negative controls: prove that the harness reports a failing test, an
 *              assertion, a hung guest, a bugcheck and a restart for what they are.
 *              The runner only runs them when asked by name.
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

/* The status the forced bugcheck carries as its first parameter */
#define HARNESS_BUGCHECK_STATUS     STATUS_SYSTEM_PROCESS_TERMINATED

START_TEST(broken)
{
    ok(TRUE, "a passing check before the deliberate failure\n");
    ok(FALSE, "deliberate failure: the harness must report this test as failed\n");
}

/*
 * A hard error with the shutdown option, raised by a caller holding SeTcbPrivilege and
 * SeShutdownPrivilege, makes the kernel bugcheck with FATAL_UNHANDLED_HARD_ERROR, which
 * KeBugCheckEx reports with the hard error's status as the stop code.
 */
START_TEST(bugcheck)
{
    BOOLEAN WasEnabled;
    ULONG Response;
    NTSTATUS Status;

    Status = RtlAdjustPrivilege(SE_TCB_PRIVILEGE, TRUE, FALSE, &WasEnabled);
    ok(Status == STATUS_SUCCESS, "enabling SeTcbPrivilege returned 0x%08lx\n", Status);
    Status = RtlAdjustPrivilege(SE_SHUTDOWN_PRIVILEGE, TRUE, FALSE, &WasEnabled);
    ok(Status == STATUS_SUCCESS, "enabling SeShutdownPrivilege returned 0x%08lx\n", Status);

    trace("raising the shutdown hard error 0x%08lx\n", HARNESS_BUGCHECK_STATUS);
    Status = NtRaiseHardError(HARNESS_BUGCHECK_STATUS, 0, 0, NULL, OptionShutdownSystem, &Response);
    ok(FALSE, "NtRaiseHardError returned 0x%08lx (response %lu) instead of bugchecking\n", Status, Response);
}

/* A user-mode assertion: the guest prints the assertion and waits at the (boipt) prompt */
START_TEST(assert)
{
    trace("failing an assertion on purpose\n");
    RtlAssert("harness negative control", __FILE__, __LINE__, "deliberate assertion");
    ok(TRUE, "the assertion prompt was answered and the test went on\n");
}

/*
 * A hang of the whole guest: a time-critical thread in a real-time process that never waits
 * starves everything else on the (single) processor, the debug port included.
 */
START_TEST(hang)
{
    volatile ULONG Spins = 0;

    ok(SetPriorityClass(GetCurrentProcess(), REALTIME_PRIORITY_CLASS), "SetPriorityClass failed with %lu\n", GetLastError());
    ok(SetThreadPriority(GetCurrentThread(), THREAD_PRIORITY_TIME_CRITICAL), "SetThreadPriority failed with %lu\n", GetLastError());
    trace("spinning at real-time priority\n");
    for (;;)
        Spins++;
}

/*
 * The host restarts in the middle of a test. QEMU runs with -no-reboot, so the reset
 * ends it; the harness must report a reboot, never a pass or a power-off.
 */
START_TEST(reboot)
{
    BOOLEAN WasEnabled;
    NTSTATUS Status;

    Status = RtlAdjustPrivilege(SE_SHUTDOWN_PRIVILEGE, TRUE, FALSE, &WasEnabled);
    ok(Status == STATUS_SUCCESS, "enabling SeShutdownPrivilege returned 0x%08lx\n", Status);
    trace("restarting the host\n");
    Status = NtShutdownSystem(ShutdownReboot);
    ok(FALSE, "NtShutdownSystem returned 0x%08lx instead of restarting\n", Status);
}
