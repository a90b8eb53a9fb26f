/*
 * PROJECT:     ReactOS Kernel
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Silo context slots and reference-counted silo contexts
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

/* INCLUDES ******************************************************************/

#include <ntoskrnl.h>
#define NDEBUG
#include <debug.h>

/*
 * A silo context is a pool block with this header in front of the caller's
 * part. Contexts are stored in the silo's slots with PSP_SILO_SLOT_PERMANENT
 * in bit 0 of the pointer (the header keeps the body 8-byte aligned).
 */
typedef struct DECLSPEC_ALIGN(8) _PSP_SILO_CONTEXT_HEADER
{
    LONG ReferenceCount;
    PESILO Silo;
    PSILO_CONTEXT_CLEANUP_CALLBACK CleanupCallback;
    ULONG Size;
    POOL_TYPE PoolType;
    /* Runs the cleanup of a nonpaged context whose last reference went at DISPATCH_LEVEL */
    WORK_QUEUE_ITEM CleanupWorkItem;
} PSP_SILO_CONTEXT_HEADER, *PPSP_SILO_CONTEXT_HEADER;

C_ASSERT(sizeof(PSP_SILO_CONTEXT_HEADER) % 8 == 0);

#define PSP_SILO_SLOT_PERMANENT         ((ULONG_PTR)1)

/* NonPagedPoolNx of Windows 8+ DDKs, which this DDK lacks; all pool is NX-safe here */
#define PSP_NON_PAGED_POOL_NX           ((POOL_TYPE)512)

/* GLOBALS *******************************************************************/

/* Which slots are allocated, and how many silos hold a context in each (both under PspSiloContextLock) */
static RTL_BITMAP PspSiloSlotBitmap;
static ULONG PspSiloSlotBitmapBuffer[PSP_SILO_CONTEXT_SLOTS / 32];
static LONG PspSiloSlotUseCount[PSP_SILO_CONTEXT_SLOTS];

/* The host silo (NULL) keeps its contexts here */
static PSP_SILO_STORAGE PspHostSiloStorage;

/*
 * Protects the slot bitmap, the use counts and every silo's slots (the
 * storage pointer and its entries). A push lock: contexts may be paged, so
 * the context DDIs that take it run at APC_LEVEL or below.
 */
static EX_PUSH_LOCK PspSiloContextLock;

/* PRIVATE FUNCTIONS *********************************************************/

CODE_SEG("INIT")
VOID
NTAPI
PspInitializeSiloContexts(VOID)
{
    RtlInitializeBitMap(&PspSiloSlotBitmap,
                        PspSiloSlotBitmapBuffer,
                        PSP_SILO_CONTEXT_SLOTS);
    RtlClearAllBits(&PspSiloSlotBitmap);
    ExInitializePushLock(&PspSiloContextLock);
}

static
VOID
PspLockSiloContexts(VOID)
{
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&PspSiloContextLock);
}

static
VOID
PspUnlockSiloContexts(VOID)
{
    ExReleasePushLockExclusive(&PspSiloContextLock);
    KeLeaveCriticalRegion();
}

static
PPSP_SILO_CONTEXT_HEADER
PspSiloContextHeader(
    _In_ PVOID SiloContext)
{
    return (PPSP_SILO_CONTEXT_HEADER)SiloContext - 1;
}

/*
 * Takes the context lock and returns the silo's slots. A silo torn down
 * has none any more: its contexts are then not found.
 */
static
NTSTATUS
PspLockSiloStorage(
    _In_opt_ PESILO Silo,
    _Out_ PPSP_SILO_STORAGE *Storage)
{
    *Storage = NULL;
    if ((Silo != NULL) && !(Silo->JobFlags & PSP_JOB_FLAGS_SILO)) return STATUS_JOB_NO_CONTAINER;

    PspLockSiloContexts();
    *Storage = (Silo == NULL) ? &PspHostSiloStorage : Silo->Storage;
    if (*Storage == NULL)
    {
        PspUnlockSiloContexts();
        return STATUS_NOT_FOUND;
    }
    return STATUS_SUCCESS;
}

static
BOOLEAN
PspIsSlotAllocated(
    _In_ ULONG ContextSlot)
{
    return (ContextSlot < PSP_SILO_CONTEXT_SLOTS) &&
           RtlCheckBit(&PspSiloSlotBitmap, ContextSlot);
}

/* Frees every context a silo still holds; the job object is being deleted */
VOID
NTAPI
PspDeleteSiloStorage(
    _In_ PEJOB Silo)
{
    PPSP_SILO_STORAGE Storage;
    ULONG Slot;

    PAGED_CODE();

    /* From now on the silo's contexts are not found, and their slots are free to go */
    PspLockSiloContexts();
    Storage = Silo->Storage;
    Silo->Storage = NULL;
    for (Slot = 0; (Storage != NULL) && (Slot < PSP_SILO_CONTEXT_SLOTS); Slot++)
    {
        if (Storage->Slots[Slot] != NULL) PspSiloSlotUseCount[Slot]--;
    }
    PspUnlockSiloContexts();
    if (Storage == NULL) return;

    /* Cleanup callbacks run without the lock: they may use the context DDIs */
    for (Slot = 0; Slot < PSP_SILO_CONTEXT_SLOTS; Slot++)
    {
        PVOID Context = (PVOID)((ULONG_PTR)Storage->Slots[Slot] & ~PSP_SILO_SLOT_PERMANENT);

        if (Context != NULL) PsDereferenceSiloContext(Context);
    }

    ExFreePoolWithTag(Storage, TAG_PS_SILO);
}

/* Whether any silo still holds a context in the slot */
BOOLEAN
NTAPI
PspIsSiloContextSlotInUse(
    _In_ ULONG ContextSlot)
{
    return (ContextSlot < PSP_SILO_CONTEXT_SLOTS) &&
           (PspSiloSlotUseCount[ContextSlot] != 0);
}

/*
 * Common part of insert, insert-permanent and replace.
 */
static
NTSTATUS
PspStoreSiloContext(
    _In_opt_ PESILO Silo,
    _In_ ULONG ContextSlot,
    _In_ PVOID SiloContext,
    _In_ BOOLEAN Replace,
    _In_ BOOLEAN Permanent,
    _Out_opt_ PVOID *OldSiloContext)
{
    PPSP_SILO_STORAGE Storage;
    ULONG_PTR Old;
    NTSTATUS Status;

    if (OldSiloContext != NULL) *OldSiloContext = NULL;
    if (SiloContext == NULL) return STATUS_INVALID_PARAMETER;

    /* A context belongs to the silo it was created for */
    if (PspSiloContextHeader(SiloContext)->Silo != Silo) return STATUS_INVALID_PARAMETER;

    /* The slot takes its own reference */
    PsReferenceSiloContext(SiloContext);

    Status = PspLockSiloStorage(Silo, &Storage);
    if (!NT_SUCCESS(Status))
    {
        PsDereferenceSiloContext(SiloContext);
        return Status;
    }
    if (!PspIsSlotAllocated(ContextSlot))
    {
        Status = STATUS_INVALID_PARAMETER;
    }
    else
    {
        Old = (ULONG_PTR)Storage->Slots[ContextSlot];
        if (Old & PSP_SILO_SLOT_PERMANENT)
        {
            Status = STATUS_NOT_SUPPORTED;
        }
        else if ((Old != 0) && !Replace)
        {
            Status = STATUS_NOT_SUPPORTED;
        }
        else
        {
            Storage->Slots[ContextSlot] =
                (PVOID)((ULONG_PTR)SiloContext | (Permanent ? PSP_SILO_SLOT_PERMANENT : 0));
            if (Old == 0) PspSiloSlotUseCount[ContextSlot]++;
            Status = STATUS_SUCCESS;
            SiloContext = (PVOID)Old;
        }
    }
    PspUnlockSiloContexts();

    if (!NT_SUCCESS(Status))
    {
        PsDereferenceSiloContext(SiloContext);
        return Status;
    }

    /* SiloContext is now what the slot held before, if anything */
    if (SiloContext != NULL)
    {
        if (OldSiloContext != NULL)
        {
            *OldSiloContext = SiloContext;
        }
        else
        {
            PsDereferenceSiloContext(SiloContext);
        }
    }
    return STATUS_SUCCESS;
}

/* Runs a context's cleanup callback and frees it; its last reference is gone */
static
VOID
PspCleanupSiloContext(
    _In_ PPSP_SILO_CONTEXT_HEADER Header)
{
    if (Header->CleanupCallback != NULL) Header->CleanupCallback(Header + 1);
    ExFreePoolWithTag(Header, TAG_PS_SILO_CONTEXT);
}

static
VOID
NTAPI
PspSiloContextCleanupWorker(
    _In_ PVOID Parameter)
{
    PspCleanupSiloContext(Parameter);
}

/* PUBLIC FUNCTIONS **********************************************************/

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsAllocSiloContextSlot(
    _In_ ULONG_PTR Reserved,
    _Out_ ULONG *ReturnedContextSlot)
{
    ULONG Slot;

    *ReturnedContextSlot = PS_INVALID_SILO_CONTEXT_SLOT;
    if (Reserved != 0) return STATUS_INVALID_PARAMETER;

    PspLockSiloContexts();
    Slot = RtlFindClearBitsAndSet(&PspSiloSlotBitmap, 1, 0);
    PspUnlockSiloContexts();

    if (Slot == MAXULONG) return STATUS_INSUFFICIENT_RESOURCES;

    *ReturnedContextSlot = Slot;
    return STATUS_SUCCESS;
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsFreeSiloContextSlot(
    _In_ ULONG ContextSlot)
{
    NTSTATUS Status = STATUS_SUCCESS;

    PAGED_CODE();

    /* The use count and the bit change under the lock: no context slips in between */
    PspLockSiloContexts();
    if (!PspIsSlotAllocated(ContextSlot))
    {
        Status = STATUS_INVALID_PARAMETER;
    }
    else if (PspSiloSlotUseCount[ContextSlot] != 0)
    {
        /* Freeing a slot that silos still use would orphan their contexts */
        KeBugCheckEx(REFERENCE_BY_POINTER,
                     (ULONG_PTR)ContextSlot,
                     (ULONG_PTR)PspSiloSlotUseCount[ContextSlot],
                     0,
                     0);
    }
    else
    {
        RtlClearBit(&PspSiloSlotBitmap, ContextSlot);
    }
    PspUnlockSiloContexts();
    return Status;
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsCreateSiloContext(
    _In_ PESILO Silo,
    _In_ ULONG Size,
    _In_ POOL_TYPE PoolType,
    _In_opt_ PSILO_CONTEXT_CLEANUP_CALLBACK ContextCleanupCallback,
    _Outptr_result_bytebuffer_(Size) PVOID *ReturnedSiloContext)
{
    PPSP_SILO_CONTEXT_HEADER Header;

    *ReturnedSiloContext = NULL;
    if ((PoolType != PSP_NON_PAGED_POOL_NX) && (PoolType != PagedPool)) return STATUS_INVALID_PARAMETER;
    if (PoolType == PSP_NON_PAGED_POOL_NX) PoolType = NonPagedPool;
    if ((Size == 0) || (Size > MAXULONG - sizeof(*Header))) return STATUS_INVALID_PARAMETER;
    if ((Silo != NULL) && !(Silo->JobFlags & PSP_JOB_FLAGS_SILO)) return STATUS_INVALID_PARAMETER;

    Header = ExAllocatePoolZero(PoolType, sizeof(*Header) + Size, TAG_PS_SILO_CONTEXT);
    if (Header == NULL) return STATUS_INSUFFICIENT_RESOURCES;

    Header->ReferenceCount = 1;
    Header->Silo = Silo;
    Header->CleanupCallback = ContextCleanupCallback;
    Header->Size = Size;
    Header->PoolType = PoolType;

    *ReturnedSiloContext = Header + 1;
    return STATUS_SUCCESS;
}

/*
 * @implemented
 */
VOID
NTAPI
PsReferenceSiloContext(
    _In_ PVOID SiloContext)
{
    LONG Count = InterlockedIncrement(&PspSiloContextHeader(SiloContext)->ReferenceCount);

    ASSERT(Count > 1);
    UNREFERENCED_PARAMETER(Count);
}

/*
 * @implemented
 */
VOID
NTAPI
PsDereferenceSiloContext(
    _In_ PVOID SiloContext)
{
    PPSP_SILO_CONTEXT_HEADER Header = PspSiloContextHeader(SiloContext);
    LONG Count = InterlockedDecrement(&Header->ReferenceCount);

    ASSERT(Count >= 0);
    if (Count != 0) return;

    if (KeGetCurrentIrql() <= APC_LEVEL)
    {
        PspCleanupSiloContext(Header);
        return;
    }

    /* Only a nonpaged context may be touched here; its cleanup waits for PASSIVE_LEVEL */
    ASSERT(Header->PoolType != PagedPool);
    ExInitializeWorkItem(&Header->CleanupWorkItem, PspSiloContextCleanupWorker, Header);
    ExQueueWorkItem(&Header->CleanupWorkItem, DelayedWorkQueue);
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsInsertSiloContext(
    _In_ PESILO Silo,
    _In_ ULONG ContextSlot,
    _In_ PVOID SiloContext)
{
    return PspStoreSiloContext(Silo, ContextSlot, SiloContext, FALSE, FALSE, NULL);
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsInsertPermanentSiloContext(
    _In_ PESILO Silo,
    _In_ ULONG ContextSlot,
    _In_ PVOID SiloContext)
{
    return PspStoreSiloContext(Silo, ContextSlot, SiloContext, FALSE, TRUE, NULL);
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsReplaceSiloContext(
    _In_ PESILO Silo,
    _In_ ULONG ContextSlot,
    _In_ PVOID NewSiloContext,
    _Outptr_opt_result_maybenull_ PVOID *OldSiloContext)
{
    return PspStoreSiloContext(Silo, ContextSlot, NewSiloContext, TRUE, FALSE, OldSiloContext);
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsRemoveSiloContext(
    _In_ PESILO Silo,
    _In_ ULONG ContextSlot,
    _Outptr_opt_result_maybenull_ PVOID *RemovedSiloContext)
{
    PPSP_SILO_STORAGE Storage;
    ULONG_PTR Old = 0;
    NTSTATUS Status;

    if (RemovedSiloContext != NULL) *RemovedSiloContext = NULL;

    Status = PspLockSiloStorage(Silo, &Storage);
    if (!NT_SUCCESS(Status)) return Status;
    if (!PspIsSlotAllocated(ContextSlot))
    {
        Status = STATUS_INVALID_PARAMETER;
    }
    else
    {
        Old = (ULONG_PTR)Storage->Slots[ContextSlot];
        if (Old == 0)
        {
            Status = STATUS_NOT_FOUND;
        }
        else if (Old & PSP_SILO_SLOT_PERMANENT)
        {
            Status = STATUS_NOT_SUPPORTED;
        }
        else
        {
            Storage->Slots[ContextSlot] = NULL;
            PspSiloSlotUseCount[ContextSlot]--;
            Status = STATUS_SUCCESS;
        }
    }
    PspUnlockSiloContexts();

    if (!NT_SUCCESS(Status)) return Status;

    /* The slot's reference goes to the caller, or away */
    if (RemovedSiloContext != NULL)
    {
        *RemovedSiloContext = (PVOID)Old;
    }
    else
    {
        PsDereferenceSiloContext((PVOID)Old);
    }
    return STATUS_SUCCESS;
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsGetSiloContext(
    _In_ PESILO Silo,
    _In_ ULONG ContextSlot,
    _Outptr_result_nullonfailure_ PVOID *ReturnedSiloContext)
{
    PPSP_SILO_STORAGE Storage;
    PVOID Context = NULL;
    NTSTATUS Status;

    *ReturnedSiloContext = NULL;
    if (!PspIsSlotAllocated(ContextSlot)) return STATUS_INVALID_PARAMETER;

    /* A silo torn down (after its terminate callbacks) has no storage any more */
    Status = PspLockSiloStorage(Silo, &Storage);
    if (!NT_SUCCESS(Status)) return Status;
    Context = (PVOID)((ULONG_PTR)Storage->Slots[ContextSlot] & ~PSP_SILO_SLOT_PERMANENT);
    if (Context != NULL)
    {
        PsReferenceSiloContext(Context);
        Status = STATUS_SUCCESS;
    }
    else
    {
        Status = STATUS_NOT_FOUND;
    }
    PspUnlockSiloContexts();

    *ReturnedSiloContext = Context;
    return Status;
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsMakeSiloContextPermanent(
    _In_ PESILO Silo,
    _In_ ULONG ContextSlot)
{
    PPSP_SILO_STORAGE Storage;
    NTSTATUS Status;

    Status = PspLockSiloStorage(Silo, &Storage);
    if (!NT_SUCCESS(Status)) return Status;
    if (!PspIsSlotAllocated(ContextSlot))
    {
        Status = STATUS_NOT_FOUND;
    }
    else if (Storage->Slots[ContextSlot] == NULL)
    {
        Status = STATUS_INVALID_PARAMETER;
    }
    else
    {
        Storage->Slots[ContextSlot] =
            (PVOID)((ULONG_PTR)Storage->Slots[ContextSlot] | PSP_SILO_SLOT_PERMANENT);
        Status = STATUS_SUCCESS;
    }
    PspUnlockSiloContexts();

    return Status;
}

/*
 * @implemented
 */
NTSTATUS
NTAPI
PsGetPermanentSiloContext(
    _In_ PESILO Silo,
    _In_ ULONG ContextSlot,
    _Outptr_result_nullonfailure_ PVOID *ReturnedSiloContext)
{
    PPSP_SILO_STORAGE Storage;
    ULONG_PTR Value;

    NTSTATUS Status;

    *ReturnedSiloContext = NULL;

    Status = PspLockSiloStorage(Silo, &Storage);
    if (!NT_SUCCESS(Status)) return Status;
    Value = PspIsSlotAllocated(ContextSlot) ? (ULONG_PTR)Storage->Slots[ContextSlot] : 0;
    PspUnlockSiloContexts();

    /* A permanent context lives as long as the silo: no reference is taken */
    if (Value == 0) return STATUS_NOT_FOUND;
    if (!(Value & PSP_SILO_SLOT_PERMANENT)) return STATUS_NOT_SUPPORTED;

    *ReturnedSiloContext = (PVOID)(Value & ~PSP_SILO_SLOT_PERMANENT);
    return STATUS_SUCCESS;
}

/* EOF */
