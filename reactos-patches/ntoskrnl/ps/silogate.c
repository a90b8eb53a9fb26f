/*
 * PROJECT:     ReactOS Kernel
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Keeping the callers of a server silo inside it: the processes
 *              they may see, and the machine-wide operations they may not do
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

/*
 * A server silo's SMSS and CSRSS run as SYSTEM with every privilege their
 * token holds. Inside the silo those privileges act on the silo only:
 *
 * - a user-mode caller in a server silo sees, opens and lists the processes
 *   and threads of its own silo, nothing of the host's or another silo's.
 *   Process and thread ids stay the machine's (one client id table): a silo
 *   process keeps the id the host sees it by. An id of a process the caller
 *   may not see fails as an id that does not exist;
 * - a system service that changes the whole machine (drivers, clock, time
 *   zone, system settings, debugger, paging files, firmware and boot
 *   entries, ...) fails for it with PS_SERVER_SILO_DENIED_STATUS: its token's
 *   privilege does not hold for the host;
 * - it does not write the host's registry (PS_SERVER_SILO_REGISTRY_STATUS,
 *   the status of a read-only key) until a silo gets a registry of its own.
 *
 * Kernel-mode callers (drivers, and the kernel acting for a silo process)
 * are trusted and never refused here.
 */

/* INCLUDES ******************************************************************/

#include <ntoskrnl.h>
#define NDEBUG
#include <debug.h>

/* PUBLIC FUNCTIONS **********************************************************/

/*!
 * @brief
 * Tells whether a system service runs for a user-mode caller in a server silo.
 *
 * @param[in] PreviousMode
 * The mode the service was called from.
 *
 * @return
 * TRUE for a user-mode caller whose thread is in a server silo; FALSE for
 * the host and for kernel-mode callers.
 *
 * @remarks
 * Callable at IRQL <= APC_LEVEL; takes no lock (a thread's silo does not
 * change while the thread runs a system service).
 */
BOOLEAN
NTAPI
PsIsCallerInServerSilo(
    _In_ KPROCESSOR_MODE PreviousMode)
{
    if (PreviousMode == KernelMode) return FALSE;
    return PsIsCurrentThreadInServerSilo();
}

/*!
 * @brief
 * Tells whether the caller may see a process: the host sees every process,
 * a user-mode caller in a server silo only the processes of its silo.
 *
 * @param[in] Process
 * The process, referenced by the caller or kept alive by a lock it holds.
 *
 * @param[in] PreviousMode
 * The mode the service was called from.
 *
 * @return
 * TRUE when the process may be seen.
 *
 * @remarks
 * Process->Job is read without the job lock: a process of a silo stays in
 * it until it ends, and a process that just left (it is exiting) is hidden.
 */
BOOLEAN
NTAPI
PsIsProcessVisibleToCaller(
    _In_ PEPROCESS Process,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    PESILO CallerSilo;

    if (PreviousMode == KernelMode) return TRUE;

    CallerSilo = PsGetCurrentServerSilo();
    if (CallerSilo == NULL) return TRUE;

    return (PspGetProcessServerSilo(Process) == CallerSilo);
}

/*!
 * @brief
 * Lets a system service that acts on the whole machine go on only for the
 * host.
 *
 * @param[in] PreviousMode
 * The mode the service was called from.
 *
 * @return
 * STATUS_SUCCESS for the host and for kernel-mode callers;
 * PS_SERVER_SILO_DENIED_STATUS for a user-mode caller in a server silo,
 * whatever privileges its token holds.
 *
 * @remarks
 * Called first in the service, before it captures or changes anything, so
 * a refused call has no effect. Callable at IRQL <= APC_LEVEL.
 */
NTSTATUS
NTAPI
PsCheckHostOnlyOperation(
    _In_ KPROCESSOR_MODE PreviousMode)
{
    if (!PsIsCallerInServerSilo(PreviousMode)) return STATUS_SUCCESS;

    DPRINT("Server silo %lu: a machine-wide operation was refused\n",
           PsGetCurrentServerSilo()->JobId);
    return PS_SERVER_SILO_DENIED_STATUS;
}

/*!
 * @brief
 * Lets a registry write go on for the host, and for a server silo whose
 * creator chose to let it write the host's hives.
 *
 * @param[in] PreviousMode
 * The mode the registry service was called from.
 *
 * @return
 * STATUS_SUCCESS for the host, for kernel-mode callers and for a server
 * silo in SiloRegistryHostReadWrite mode; PS_SERVER_SILO_REGISTRY_STATUS
 * for a user-mode caller in any other server silo: the host's hives are
 * read-only to it (SiloRegistryHostReadOnly, the default).
 *
 * @remarks
 * Called before the service changes anything. The mode is fixed before the
 * silo is a server silo, so it is read without a lock. Callable at
 * IRQL <= APC_LEVEL.
 */
NTSTATUS
NTAPI
PsCheckSiloRegistryWrite(
    _In_ KPROCESSOR_MODE PreviousMode)
{
    PEJOB Silo;

    if (!PsIsCallerInServerSilo(PreviousMode)) return STATUS_SUCCESS;

    Silo = PsGetCurrentServerSilo();
    if (Silo->SiloRegistryMode == SiloRegistryHostReadWrite) return STATUS_SUCCESS;

    DPRINT("Server silo %lu: a registry write was refused\n", Silo->JobId);
    return PS_SERVER_SILO_REGISTRY_STATUS;
}

/* EOF */
