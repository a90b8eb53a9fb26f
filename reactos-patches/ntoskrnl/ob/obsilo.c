/*
 * PROJECT:     ReactOS Kernel
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Silo namespaces: \Silos\<id> as the root of a silo's
 *              object names, its shadow directories and its \??
 * COPYRIGHT:   Copyright 2026 ReactOS server silo contributors
 */

/*
 * A thread whose effective silo (attached, else its process's) has a root
 * directory resolves absolute names there, in every lookup, user or kernel
 * mode: drivers that open a name on behalf of a silo process see what the
 * process sees. System threads belong to the host and see the host.
 *
 * A shadow directory lends its entries to a silo directory for lookups of
 * names the silo directory lacks: \Silos\<id> is shadowed by \ (except for
 * the names in ObpSiloPrivateNames), its KernelObjects by \KernelObjects and,
 * with SILO_OBJECT_ROOT_DIRECTORY_SHADOW_DOS_DEVICES, its GLOBAL?? by
 * \GLOBAL?? (through the device map, as LUID device maps do). A directory a
 * silo makes directly below its root is shadowed by the host's directory of
 * that name, as the root is by \. Creations never go through a shadow, and a
 * silo thread creates names only below its root.
 */

/* INCLUDES ******************************************************************/

#include <ntoskrnl.h>
#define NDEBUG
#include <debug.h>

typedef struct _OBP_SHADOW_ENTRY
{
    LIST_ENTRY Links;
    POBP_SILO_NAMESPACE Owner;
    POBJECT_DIRECTORY Directory;
    POBJECT_DIRECTORY Shadow;
    BOOLEAN IsSiloRoot;
} OBP_SHADOW_ENTRY, *POBP_SHADOW_ENTRY;

/* A walked directory and the entries listed in it, while a silo tree is taken down */
typedef struct _OBP_SILO_TREE_ENTRY
{
    LIST_ENTRY Links;
    PVOID Object;
} OBP_SILO_TREE_ENTRY, *POBP_SILO_TREE_ENTRY;

#define TAG_OB_SILO                 'iSbO'
/* A name of at most MAXUSHORT bytes has at most this many directory levels ("\\x" each) */
#define OBP_MAX_DIRECTORY_DEPTH     (MAXUSHORT / (2 * sizeof(WCHAR)))

/* GLOBALS *******************************************************************/

/* Every shadow entry of every silo namespace; ObpShadowLock guards the list and the entries */
static LIST_ENTRY ObpShadowListHead = { &ObpShadowListHead, &ObpShadowListHead };
static EX_PUSH_LOCK ObpShadowLock;

static const UNICODE_STRING ObpSilosDirectoryName = RTL_CONSTANT_STRING(L"\\Silos");
static const UNICODE_STRING ObpKernelObjectsName = RTL_CONSTANT_STRING(L"KernelObjects");
static const UNICODE_STRING ObpHostKernelObjectsName = RTL_CONSTANT_STRING(L"\\KernelObjects");
static const UNICODE_STRING ObpGlobalDosDevicesName = RTL_CONSTANT_STRING(L"GLOBAL??");
static const UNICODE_STRING ObpHostWin32DirectoryName = RTL_CONSTANT_STRING(L"Windows");
static const UNICODE_STRING ObpHostWin32ApiPortName = RTL_CONSTANT_STRING(L"ApiPort");

/* Host directories a silo root never lends: the host's named objects and sessions, and the other silos */
static const UNICODE_STRING ObpSiloPrivateNames[] =
{
    RTL_CONSTANT_STRING(L"Silos"),
    RTL_CONSTANT_STRING(L"BaseNamedObjects"),
    RTL_CONSTANT_STRING(L"Sessions"),
    RTL_CONSTANT_STRING(L"RPC Control"),
};

/* The links every initialized silo root gets, as ObpCreateDosDevicesDirectory makes them for the host */
typedef struct _OBP_SILO_LINK
{
    BOOLEAN InGlobalDosDevices;
    UNICODE_STRING Name;
    UNICODE_STRING Target;
} OBP_SILO_LINK;

static const OBP_SILO_LINK ObpSiloLinks[OBP_SILO_NAMESPACE_LINKS] =
{
    { TRUE, RTL_CONSTANT_STRING(L"GLOBALROOT"), RTL_CONSTANT_STRING(L"") },
    { TRUE, RTL_CONSTANT_STRING(L"Global"), RTL_CONSTANT_STRING(L"\\GLOBAL??") },
    { FALSE, RTL_CONSTANT_STRING(L"DosDevices"), RTL_CONSTANT_STRING(L"\\??") },
};

/* PRIVATE FUNCTIONS *********************************************************/

static
BOOLEAN
ObpIsSiloPrivateName(
    _In_ PCUNICODE_STRING Name)
{
    ULONG i;

    for (i = 0; i < RTL_NUMBER_OF(ObpSiloPrivateNames); i++)
    {
        if (RtlEqualUnicodeString(Name, &ObpSiloPrivateNames[i], TRUE)) return TRUE;
    }
    return FALSE;
}

static
POBP_SILO_NAMESPACE
ObpGetCurrentSiloNamespace(VOID)
{
    PESILO Silo = PsGetCurrentSilo();

    /*
     * No reference is taken: a silo's namespace is freed only with its job,
     * which the caller's process (or, for an attached thread, the caller)
     * keeps referenced. Once the silo ended the namespace is empty.
     */
    return (Silo != NULL) ? (POBP_SILO_NAMESPACE)Silo->SiloRootDirectory : NULL;
}

POBJECT_DIRECTORY
NTAPI
ObpGetLookupRootDirectory(VOID)
{
    POBP_SILO_NAMESPACE Namespace = ObpGetCurrentSiloNamespace();

    return (Namespace != NULL) ? Namespace->Root : ObpRootDirectoryObject;
}

/*
 * The host directory that lends its entries to a silo directory for Name,
 * referenced (the silo may end and drop its shadows meanwhile), or NULL.
 */
POBJECT_DIRECTORY
NTAPI
ObpGetSiloShadowDirectory(
    _In_ POBJECT_DIRECTORY Directory,
    _In_ PUNICODE_STRING Name)
{
    POBJECT_DIRECTORY Shadow = NULL;
    PLIST_ENTRY Entry;

    /* The host never has shadows: keep its lookups as they were */
    if (IsListEmpty(&ObpShadowListHead)) return NULL;

    KeEnterCriticalRegion();
    ExAcquirePushLockShared(&ObpShadowLock);
    for (Entry = ObpShadowListHead.Flink; Entry != &ObpShadowListHead; Entry = Entry->Flink)
    {
        POBP_SHADOW_ENTRY ShadowEntry = CONTAINING_RECORD(Entry, OBP_SHADOW_ENTRY, Links);

        if (ShadowEntry->Directory != Directory) continue;
        if (!ShadowEntry->IsSiloRoot || !ObpIsSiloPrivateName(Name))
        {
            Shadow = ShadowEntry->Shadow;
            ObReferenceObject(Shadow);
        }
        break;
    }
    ExReleasePushLockShared(&ObpShadowLock);
    KeLeaveCriticalRegion();

    return Shadow;
}

BOOLEAN
NTAPI
ObpIsDirectoryInCallerSilo(
    _In_ POBJECT_DIRECTORY Directory)
{
    POBP_SILO_NAMESPACE Namespace = ObpGetCurrentSiloNamespace();
    POBJECT_HEADER_NAME_INFO NameInfo;
    ULONG Depth;

    /* The host, and silos without a namespace, create where they like */
    if (Namespace == NULL) return TRUE;

    for (Depth = 0; Depth < OBP_MAX_DIRECTORY_DEPTH; Depth++)
    {
        if (Directory == Namespace->Root) return TRUE;
        if (Directory == ObpRootDirectoryObject) return FALSE;

        NameInfo = OBJECT_HEADER_TO_NAME_INFO(OBJECT_TO_OBJECT_HEADER(Directory));
        if ((NameInfo == NULL) || (NameInfo->Directory == NULL))
        {
            /* A directory without a name belongs to whoever holds a handle to it */
            return TRUE;
        }
        Directory = NameInfo->Directory;
    }
    return FALSE;
}

/*!
 * @brief
 * Tells whether an object is lent to the caller's silo: it has a name, and
 * that name is not below the silo's root (a host object reached through a
 * shadow, GLOBALROOT, a link or a handle to a host directory).
 *
 * @param[in] Object
 * The object, referenced by the caller.
 *
 * @return
 * TRUE for a host object a silo thread holds or names; FALSE for the host,
 * for the silo's own objects and for objects without a name (those reach a
 * silo only through a handle its creator gave it).
 *
 * @remarks
 * The name information is referenced while its directory chain is walked,
 * so a concurrent delete of the name cannot free it. IRQL <= APC_LEVEL.
 */
BOOLEAN
NTAPI
ObpIsObjectLentToCallerSilo(
    _In_ PVOID Object)
{
    POBJECT_HEADER_NAME_INFO NameInfo;
    BOOLEAN Lent = FALSE;

    if (ObpGetCurrentSiloNamespace() == NULL) return FALSE;

    NameInfo = ObpReferenceNameInfo(OBJECT_TO_OBJECT_HEADER(Object));
    if (NameInfo == NULL) return FALSE;
    if (NameInfo->Directory != NULL) Lent = !ObpIsDirectoryInCallerSilo(NameInfo->Directory);
    ObpDereferenceNameInfo(NameInfo);
    return Lent;
}

/*!
 * @brief
 * The rights a silo thread may hold on a host object of a type: those to
 * read, query and wait, never those to change, signal or delete it, nor to
 * change its security or owner.
 */
static
ACCESS_MASK
ObpGetLentObjectAccess(
    _In_ POBJECT_TYPE Type)
{
    PGENERIC_MAPPING Mapping = &Type->TypeInfo.GenericMapping;
    ACCESS_MASK Read, Modify;

    Read = Mapping->GenericRead | Mapping->GenericExecute | READ_CONTROL | SYNCHRONIZE;
    Modify = (Mapping->GenericWrite | DELETE | WRITE_DAC | WRITE_OWNER) & ~(READ_CONTROL | SYNCHRONIZE);
    return Read & ~Modify;
}

/*
 * Whether an object is the host's \Windows\ApiPort: the host CSRSS's API
 * port serves the Win32 programs of a silo that has no CSRSS of its own (a
 * silo started without SMSS), and CSRSS takes connections only from
 * processes it knows. A silo with a CSRSS finds its own \Windows\ApiPort
 * first. The rest of the host's \Windows (SbApiPort, through which SMSS
 * hands CSRSS handles of its own to act on) is not lent.
 */
static
BOOLEAN
ObpIsHostWin32ApiPort(
    _In_ PVOID Object)
{
    POBJECT_HEADER_NAME_INFO NameInfo, DirectoryNameInfo;
    BOOLEAN IsApiPort = FALSE;

    NameInfo = ObpReferenceNameInfo(OBJECT_TO_OBJECT_HEADER(Object));
    if (NameInfo == NULL) return FALSE;
    if ((NameInfo->Directory != NULL) &&
        RtlEqualUnicodeString(&NameInfo->Name, &ObpHostWin32ApiPortName, TRUE))
    {
        DirectoryNameInfo = ObpReferenceNameInfo(OBJECT_TO_OBJECT_HEADER(NameInfo->Directory));
        if (DirectoryNameInfo != NULL)
        {
            IsApiPort = (DirectoryNameInfo->Directory == ObpRootDirectoryObject) &&
                        RtlEqualUnicodeString(&DirectoryNameInfo->Name, &ObpHostWin32DirectoryName, TRUE);
            ObpDereferenceNameInfo(DirectoryNameInfo);
        }
    }
    ObpDereferenceNameInfo(NameInfo);
    return IsApiPort;
}

/*!
 * @brief
 * Decides whether a user-mode lookup by a silo thread may open an object it
 * named, or open an existing one with OBJ_OPENIF.
 *
 * @param[in] Object
 * The object the lookup found.
 *
 * @param[in] AccessState
 * The access the caller asks for (generic rights already mapped).
 *
 * @param[in] AccessMode
 * The mode of the access check: kernel-mode lookups are trusted.
 *
 * @return
 * FALSE when the object is lent to the caller's silo and the caller asks
 * for more than ObpGetLentObjectAccess (an image section may also be
 * mapped for writing, copy-on-write), for MAXIMUM_ALLOWED, or to connect
 * to a host port other than the host CSRSS's API port (a silo reaches no
 * host server: LSA, the host's SMSS, CSRSS's SB port and the rest serve the
 * host); TRUE otherwise.
 */
BOOLEAN
NTAPI
ObpMayOpenFromCallerSilo(
    _In_ PVOID Object,
    _In_opt_ PACCESS_STATE AccessState,
    _In_ KPROCESSOR_MODE AccessMode)
{
    POBJECT_TYPE Type = OBJECT_TO_OBJECT_HEADER(Object)->Type;
    ACCESS_MASK Wanted, Allowed;

    if ((AccessMode == KernelMode) || (AccessState == NULL)) return TRUE;
    if (!ObpIsObjectLentToCallerSilo(Object)) return TRUE;

    /* Host ports are not lent, but for the host CSRSS's API port */
    if ((Type == LpcPortObjectType) || (Type == LpcWaitablePortObjectType))
    {
        return ObpIsHostWin32ApiPort(Object);
    }

    Allowed = ObpGetLentObjectAccess(Type) | ACCESS_SYSTEM_SECURITY;

    /*
     * ntdll opens a known DLL's section for writing too. A view of an image
     * is copy-on-write: the host's image never changes through it
     */
    if ((Type == MmSectionObjectType) && ((PSECTION)Object)->u.Flags.Image) Allowed |= SECTION_MAP_WRITE;

    Wanted = AccessState->RemainingDesiredAccess | AccessState->PreviouslyGrantedAccess;
    if (Wanted & (MAXIMUM_ALLOWED | GENERIC_WRITE | GENERIC_ALL)) return FALSE;
    return !(Wanted & ~Allowed);
}

/*!
 * @brief
 * Decides whether a duplication may give a caller more rights on an object
 * than the handle it duplicates.
 *
 * @param[in] Object
 * The object of the source handle, referenced by the caller.
 *
 * @param[in] PreviousMode
 * The mode NtDuplicateObject was called from.
 *
 * @return
 * TRUE (refuse) for a user-mode caller in a server silo, unless the object
 * is its silo's own: a process or thread of the silo, or a name below the
 * silo's root. A host object's security descriptor would grant a SYSTEM
 * caller every right, and an object without a name may be the host's.
 */
BOOLEAN
NTAPI
ObpIsDuplicateRaiseDenied(
    _In_ PVOID Object,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    POBJECT_HEADER ObjectHeader = OBJECT_TO_OBJECT_HEADER(Object);
    POBJECT_HEADER_NAME_INFO NameInfo;
    BOOLEAN SilosOwn = FALSE;

    if (!PsIsCallerInServerSilo(PreviousMode)) return FALSE;

    if (ObjectHeader->Type == PsProcessType)
    {
        return !PsIsProcessVisibleToCaller((PEPROCESS)Object, PreviousMode);
    }
    if (ObjectHeader->Type == PsThreadType)
    {
        return !PsIsProcessVisibleToCaller(((PETHREAD)Object)->ThreadsProcess, PreviousMode);
    }

    NameInfo = ObpReferenceNameInfo(ObjectHeader);
    if ((NameInfo != NULL) && (NameInfo->Directory != NULL))
    {
        SilosOwn = ObpIsDirectoryInCallerSilo(NameInfo->Directory);
    }
    ObpDereferenceNameInfo(NameInfo);
    return !SilosOwn;
}

/*!
 * @brief
 * The device map (\??) of the caller's silo, referenced.
 *
 * @param[out] DeviceMap
 * The silo's device map, or NULL when the silo ended (its \?? is gone:
 * never the host's then).
 *
 * @return
 * TRUE when the caller's silo has a \?? of its own (an initialized
 * namespace), so its token's device map does not apply; FALSE otherwise.
 */
BOOLEAN
NTAPI
ObpReferenceSiloDeviceMap(
    _Out_ PDEVICE_MAP *DeviceMap)
{
    POBP_SILO_NAMESPACE Namespace = ObpGetCurrentSiloNamespace();

    *DeviceMap = NULL;
    if ((Namespace == NULL) || !(Namespace->Flags & SILO_OBJECT_ROOT_DIRECTORY_INITIALIZE)) return FALSE;

    /* The silo's end clears it under this lock before its last reference goes */
    KeAcquireGuardedMutex(&ObpDeviceMapLock);
    if (Namespace->DeviceMap != NULL)
    {
        *DeviceMap = Namespace->DeviceMap;
        (*DeviceMap)->ReferenceCount++;
    }
    KeReleaseGuardedMutex(&ObpDeviceMapLock);
    return TRUE;
}

/* The entry keeps both directories until the namespace goes */
static
NTSTATUS
ObpAddShadow(
    _In_ POBP_SILO_NAMESPACE Owner,
    _In_ POBJECT_DIRECTORY Directory,
    _In_ POBJECT_DIRECTORY Shadow,
    _In_ BOOLEAN IsSiloRoot)
{
    POBP_SHADOW_ENTRY Entry;

    Entry = ExAllocatePoolWithTag(PagedPool, sizeof(*Entry), TAG_OB_SILO);
    if (Entry == NULL) return STATUS_INSUFFICIENT_RESOURCES;

    Entry->Owner = Owner;
    Entry->Directory = Directory;
    Entry->Shadow = Shadow;
    Entry->IsSiloRoot = IsSiloRoot;
    ObReferenceObject(Directory);
    ObReferenceObject(Shadow);

    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&ObpShadowLock);
    InsertTailList(&ObpShadowListHead, &Entry->Links);
    ExReleasePushLockExclusive(&ObpShadowLock);
    KeLeaveCriticalRegion();
    return STATUS_SUCCESS;
}

/* Removes every shadow lent to one of the namespace's directories */
static
VOID
ObpRemoveShadows(
    _In_ POBP_SILO_NAMESPACE Namespace)
{
    PLIST_ENTRY Entry, Next;
    LIST_ENTRY Removed;

    InitializeListHead(&Removed);
    KeEnterCriticalRegion();
    ExAcquirePushLockExclusive(&ObpShadowLock);
    for (Entry = ObpShadowListHead.Flink; Entry != &ObpShadowListHead; Entry = Next)
    {
        Next = Entry->Flink;
        if (CONTAINING_RECORD(Entry, OBP_SHADOW_ENTRY, Links)->Owner == Namespace)
        {
            RemoveEntryList(Entry);
            InsertTailList(&Removed, Entry);
        }
    }
    ExReleasePushLockExclusive(&ObpShadowLock);
    KeLeaveCriticalRegion();

    /* Dereference outside the lock: a last reference deletes a directory */
    while (!IsListEmpty(&Removed))
    {
        POBP_SHADOW_ENTRY ShadowEntry = CONTAINING_RECORD(RemoveHeadList(&Removed), OBP_SHADOW_ENTRY, Links);

        ObDereferenceObject(ShadowEntry->Directory);
        ObDereferenceObject(ShadowEntry->Shadow);
        ExFreePoolWithTag(ShadowEntry, TAG_OB_SILO);
    }
}

/*
 * Called for a directory a thread just created: one a silo thread made
 * directly below its silo root is shadowed by the host's directory of the
 * same name, so the silo's entries come first and the host lends the rest
 * (a silo's CSRSS owns its \Windows\ApiPort; win32k still finds the window
 * stations in the host's \Windows). The silo's private names stay private.
 */
VOID
NTAPI
ObpShadowNewSiloDirectory(
    _In_ POBJECT_DIRECTORY Directory)
{
    POBP_SILO_NAMESPACE Namespace = ObpGetCurrentSiloNamespace();
    POBJECT_HEADER_NAME_INFO NameInfo;
    OBJECT_ATTRIBUTES ObjectAttributes;
    HANDLE RootHandle, HostHandle;
    POBJECT_DIRECTORY HostDirectory;
    NTSTATUS Status;

    PAGED_CODE();

    /* An ended silo lends nothing any more */
    if ((Namespace == NULL) || Namespace->Deleted) return;
    NameInfo = OBJECT_HEADER_TO_NAME_INFO(OBJECT_TO_OBJECT_HEADER(Directory));
    if ((NameInfo == NULL) || (NameInfo->Directory != Namespace->Root)) return;
    if (ObpIsSiloPrivateName(&NameInfo->Name)) return;

    /* Look the name up in the host's root itself, not in the caller's */
    Status = ObOpenObjectByPointer(ObpRootDirectoryObject, OBJ_KERNEL_HANDLE, NULL, DIRECTORY_TRAVERSE,
                                   ObpDirectoryObjectType, KernelMode, &RootHandle);
    if (!NT_SUCCESS(Status)) return;
    InitializeObjectAttributes(&ObjectAttributes, &NameInfo->Name, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE,
                               RootHandle, NULL);
    Status = ZwOpenDirectoryObject(&HostHandle, DIRECTORY_QUERY | DIRECTORY_TRAVERSE, &ObjectAttributes);
    ObCloseHandle(RootHandle, KernelMode);
    if (!NT_SUCCESS(Status)) return;

    Status = ObReferenceObjectByHandle(HostHandle, 0, ObpDirectoryObjectType, KernelMode,
                                       (PVOID*)&HostDirectory, NULL);
    ObCloseHandle(HostHandle, KernelMode);
    if (!NT_SUCCESS(Status)) return;

    /* Without memory for the entry the directory simply lends nothing */
    Status = ObpAddShadow(Namespace, Directory, HostDirectory, FALSE);
    if (!NT_SUCCESS(Status)) DPRINT1("No shadow for silo directory %wZ: 0x%08lx\n", &NameInfo->Name, Status);
    ObDereferenceObject(HostDirectory);
}

/*
 * Creates a permanent directory or symbolic link (Target != NULL) named
 * Name under Parent (NULL: an absolute name) and returns it referenced.
 */
static
NTSTATUS
ObpCreatePermanentEntry(
    _In_opt_ POBJECT_DIRECTORY Parent,
    _In_ PCUNICODE_STRING Name,
    _In_opt_ PCUNICODE_STRING Target,
    _In_ BOOLEAN OpenIfExists,
    _Out_ PVOID *Object)
{
    OBJECT_ATTRIBUTES ObjectAttributes;
    HANDLE ParentHandle = NULL, Handle;
    NTSTATUS Status;

    PAGED_CODE();

    *Object = NULL;
    if (Parent != NULL)
    {
        Status = ObOpenObjectByPointer(Parent, OBJ_KERNEL_HANDLE, NULL, DIRECTORY_ALL_ACCESS,
                                       ObpDirectoryObjectType, KernelMode, &ParentHandle);
        if (!NT_SUCCESS(Status)) return Status;
    }

    InitializeObjectAttributes(&ObjectAttributes,
                               (PUNICODE_STRING)Name,
                               OBJ_KERNEL_HANDLE | OBJ_PERMANENT | OBJ_CASE_INSENSITIVE |
                               (OpenIfExists ? OBJ_OPENIF : 0),
                               ParentHandle,
                               NULL);
    if (Target != NULL)
    {
        Status = ZwCreateSymbolicLinkObject(&Handle, SYMBOLIC_LINK_ALL_ACCESS, &ObjectAttributes,
                                            (PUNICODE_STRING)Target);
    }
    else
    {
        Status = ZwCreateDirectoryObject(&Handle, DIRECTORY_ALL_ACCESS, &ObjectAttributes);
    }
    if (ParentHandle != NULL) ObCloseHandle(ParentHandle, KernelMode);
    if (!NT_SUCCESS(Status)) return Status;

    Status = ObReferenceObjectByHandle(Handle, 0, NULL, KernelMode, Object, NULL);
    if (!NT_SUCCESS(Status) && !OpenIfExists) ZwMakeTemporaryObject(Handle);
    ObCloseHandle(Handle, KernelMode);
    return Status;
}

/* Drops a permanent entry made by ObpCreatePermanentEntry: its name goes with the reference */
static
VOID
ObpDeletePermanentEntry(
    _In_opt_ PVOID Object)
{
    if (Object == NULL) return;
    ObMakeTemporaryObject(Object);
    ObDereferenceObject(Object);
}

/* A device map whose \?? is the silo's GLOBAL??, optionally falling through to the host's */
static
NTSTATUS
ObpCreateSiloDeviceMap(
    _Inout_ POBP_SILO_NAMESPACE Namespace,
    _In_ BOOLEAN ShadowGlobalDosDevices)
{
    PDEVICE_MAP DeviceMap;

    DeviceMap = ExAllocatePoolZero(PagedPool, sizeof(*DeviceMap), 'mDbO');
    if (DeviceMap == NULL) return STATUS_INSUFFICIENT_RESOURCES;

    ObReferenceObject(Namespace->GlobalDosDevices);
    DeviceMap->DosDevicesDirectory = Namespace->GlobalDosDevices;
    DeviceMap->ReferenceCount = 1;

    KeAcquireGuardedMutex(&ObpDeviceMapLock);
    if (ShadowGlobalDosDevices)
    {
        /* The lookup's LUID shadow path then reaches the host's \GLOBAL?? */
        DeviceMap->GlobalDosDevicesDirectory = ObSystemDeviceMap->DosDevicesDirectory;
    }
    Namespace->GlobalDosDevices->DeviceMap = DeviceMap;
    KeReleaseGuardedMutex(&ObpDeviceMapLock);

    Namespace->DeviceMap = DeviceMap;
    return STATUS_SUCCESS;
}

/*
 * References every object named in a directory into Entries. The entries
 * are read under the directory's lock, not opened by name: a link is not
 * followed (BaseNamedObjects\Global leads back up) and a device is not
 * opened. Nothing is changed while the directory is read.
 */
static
NTSTATUS
ObpListSiloDirectory(
    _In_ POBJECT_DIRECTORY Directory,
    _Inout_ PLIST_ENTRY Entries)
{
    OBP_LOOKUP_CONTEXT LookupContext;
    POBJECT_DIRECTORY_ENTRY DirectoryEntry;
    POBP_SILO_TREE_ENTRY Entry;
    NTSTATUS Status = STATUS_SUCCESS;
    ULONG Bucket;

    PAGED_CODE();

    ObpInitializeLookupContext(&LookupContext);
    ObpAcquireDirectoryLockShared(Directory, &LookupContext);
    for (Bucket = 0; NT_SUCCESS(Status) && (Bucket < NUMBER_HASH_BUCKETS); Bucket++)
    {
        for (DirectoryEntry = Directory->HashBuckets[Bucket];
             DirectoryEntry != NULL;
             DirectoryEntry = DirectoryEntry->ChainLink)
        {
            Entry = ExAllocatePoolWithTag(PagedPool, sizeof(*Entry), TAG_OB_SILO);
            if (Entry == NULL)
            {
                Status = STATUS_INSUFFICIENT_RESOURCES;
                break;
            }

            /* A named object holds a reference for its name, which the lock keeps */
            ObReferenceObject(DirectoryEntry->Object);
            Entry->Object = DirectoryEntry->Object;
            InsertTailList(Entries, &Entry->Links);
        }
    }
    ObpReleaseDirectoryLock(Directory, &LookupContext);
    return Status;
}

/*
 * What the silo itself made permanent under its root (its SMSS's \Sessions,
 * \KnownDlls, ...) goes with the silo. The tree is walked without recursion
 * (a directory found is queued), at any depth and width.
 */
static
VOID
ObpMakeSiloTreeTemporary(
    _In_ POBJECT_DIRECTORY Root)
{
    LIST_ENTRY Pending, Listed;
    POBP_SILO_TREE_ENTRY Entry;
    NTSTATUS Status;

    PAGED_CODE();

    InitializeListHead(&Pending);
    Entry = ExAllocatePoolWithTag(PagedPool, sizeof(*Entry), TAG_OB_SILO);
    if (Entry == NULL) return;
    ObReferenceObject(Root);
    Entry->Object = Root;
    InsertTailList(&Pending, &Entry->Links);

    while (!IsListEmpty(&Pending))
    {
        POBP_SILO_TREE_ENTRY DirectoryEntry = CONTAINING_RECORD(RemoveHeadList(&Pending), OBP_SILO_TREE_ENTRY, Links);

        /* Listed first, changed after: making a name temporary removes it from the directory */
        InitializeListHead(&Listed);
        Status = ObpListSiloDirectory(DirectoryEntry->Object, &Listed);
        if (!NT_SUCCESS(Status)) DPRINT1("Silo tree listing cut short: 0x%08lx\n", Status);
        ObDereferenceObject(DirectoryEntry->Object);
        ExFreePoolWithTag(DirectoryEntry, TAG_OB_SILO);

        while (!IsListEmpty(&Listed))
        {
            Entry = CONTAINING_RECORD(RemoveHeadList(&Listed), OBP_SILO_TREE_ENTRY, Links);
            ObMakeTemporaryObject(Entry->Object);
            if (OBJECT_TO_OBJECT_HEADER(Entry->Object)->Type == ObpDirectoryObjectType)
            {
                /* Its entries are listed when its turn comes; the entry keeps it referenced */
                InsertTailList(&Pending, &Entry->Links);
                continue;
            }
            ObDereferenceObject(Entry->Object);
            ExFreePoolWithTag(Entry, TAG_OB_SILO);
        }
    }
}

/* PUBLIC FUNCTIONS **********************************************************/

/*
 * "\Silos\<SiloId>" into Path, a caller buffer of at least
 * OB_SILO_ROOT_PATH_CHARS characters.
 */
NTSTATUS
NTAPI
ObGetSiloRootDirectoryPath(
    _In_ ULONG SiloId,
    _Inout_ PUNICODE_STRING Path)
{
    UNICODE_STRING Id;
    WCHAR IdBuffer[OB_SILO_ID_CHARS];
    NTSTATUS Status;

    RtlInitEmptyUnicodeString(&Id, IdBuffer, sizeof(IdBuffer));
    Status = RtlIntegerToUnicodeString(SiloId, 10, &Id);
    if (!NT_SUCCESS(Status)) return Status;

    Path->Length = 0;
    Status = RtlAppendUnicodeStringToString(Path, &ObpSilosDirectoryName);
    if (NT_SUCCESS(Status)) Status = RtlAppendUnicodeToString(Path, L"\\");
    if (NT_SUCCESS(Status)) Status = RtlAppendUnicodeStringToString(Path, &Id);
    return Status;
}

/*
 * Creates \Silos\<SiloId> and, with SILO_OBJECT_ROOT_DIRECTORY_INITIALIZE,
 * the root namespace of the silo in it. Called by the host for a silo.
 */
NTSTATUS
NTAPI
ObCreateSiloNamespace(
    _In_ ULONG SiloId,
    _In_ ULONG Flags,
    _Out_ POBP_SILO_NAMESPACE *Namespace)
{
    POBP_SILO_NAMESPACE NewNamespace;
    POBJECT_DIRECTORY SilosDirectory = NULL, HostKernelObjects = NULL;
    UNICODE_STRING Id;
    WCHAR IdBuffer[OB_SILO_ID_CHARS];
    NTSTATUS Status;
    ULONG i;

    PAGED_CODE();

    *Namespace = NULL;
    RtlInitEmptyUnicodeString(&Id, IdBuffer, sizeof(IdBuffer));
    Status = RtlIntegerToUnicodeString(SiloId, 10, &Id);
    if (!NT_SUCCESS(Status)) return Status;

    NewNamespace = ExAllocatePoolZero(PagedPool, sizeof(*NewNamespace), TAG_OB_SILO);
    if (NewNamespace == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    NewNamespace->Flags = Flags;

    /* \Silos stays once made */
    Status = ObpCreatePermanentEntry(NULL, &ObpSilosDirectoryName, NULL, TRUE, (PVOID*)&SilosDirectory);
    if (NT_SUCCESS(Status))
    {
        Status = ObpCreatePermanentEntry(SilosDirectory, &Id, NULL, FALSE, (PVOID*)&NewNamespace->Root);
        ObDereferenceObject(SilosDirectory);
    }

    if (NT_SUCCESS(Status) && (Flags & SILO_OBJECT_ROOT_DIRECTORY_SHADOW_ROOT))
    {
        Status = ObpAddShadow(NewNamespace, NewNamespace->Root, ObpRootDirectoryObject, TRUE);
    }

    if (NT_SUCCESS(Status) && (Flags & SILO_OBJECT_ROOT_DIRECTORY_INITIALIZE))
    {
        /* KernelObjects, lent the host's */
        Status = ObpCreatePermanentEntry(NewNamespace->Root, &ObpKernelObjectsName, NULL, FALSE,
                                         (PVOID*)&NewNamespace->KernelObjects);
        if (NT_SUCCESS(Status))
        {
            Status = ObReferenceObjectByName((PUNICODE_STRING)&ObpHostKernelObjectsName, OBJ_CASE_INSENSITIVE,
                                             NULL, 0, ObpDirectoryObjectType, KernelMode, NULL,
                                             (PVOID*)&HostKernelObjects);
        }
        if (NT_SUCCESS(Status))
        {
            Status = ObpAddShadow(NewNamespace, NewNamespace->KernelObjects, HostKernelObjects, FALSE);
            ObDereferenceObject(HostKernelObjects);
        }

        /* GLOBAL?? with its device map, then the DOS links */
        if (NT_SUCCESS(Status))
        {
            Status = ObpCreatePermanentEntry(NewNamespace->Root, &ObpGlobalDosDevicesName, NULL, FALSE,
                                             (PVOID*)&NewNamespace->GlobalDosDevices);
        }
        if (NT_SUCCESS(Status))
        {
            Status = ObpCreateSiloDeviceMap(NewNamespace,
                                            BooleanFlagOn(Flags, SILO_OBJECT_ROOT_DIRECTORY_SHADOW_DOS_DEVICES));
        }
        for (i = 0; NT_SUCCESS(Status) && (i < OBP_SILO_NAMESPACE_LINKS); i++)
        {
            Status = ObpCreatePermanentEntry(ObpSiloLinks[i].InGlobalDosDevices ?
                                             NewNamespace->GlobalDosDevices : NewNamespace->Root,
                                             &ObpSiloLinks[i].Name,
                                             &ObpSiloLinks[i].Target,
                                             FALSE,
                                             &NewNamespace->Links[i]);
        }
    }

    if (!NT_SUCCESS(Status))
    {
        ObFreeSiloNamespace(NewNamespace);
        return Status;
    }

    *Namespace = NewNamespace;
    return STATUS_SUCCESS;
}

/*!
 * @brief
 * Empties a silo's namespace when the silo ends: the shadows and the device
 * map go, every name made for the silo or by it goes with its last handle,
 * and \Silos\<id> goes from \Silos.
 *
 * @param[in] Namespace
 * The namespace; it stays allocated, with its root directory referenced,
 * until ObFreeSiloNamespace.
 *
 * @remarks
 * Once only; later calls return at once. A thread still attached to the
 * silo then looks names up in an empty root: it finds nothing, and never
 * the host's names. PASSIVE_LEVEL.
 */
VOID
NTAPI
ObDeleteSiloNamespace(
    _In_ POBP_SILO_NAMESPACE Namespace)
{
    PDEVICE_MAP DeviceMap;
    ULONG i;

    PAGED_CODE();

    if (InterlockedExchange(&Namespace->Deleted, TRUE)) return;

    ObpRemoveShadows(Namespace);

    /* What the silo made permanent in its namespace goes too */
    if (Namespace->Root != NULL) ObpMakeSiloTreeTemporary(Namespace->Root);

    KeAcquireGuardedMutex(&ObpDeviceMapLock);
    DeviceMap = Namespace->DeviceMap;
    Namespace->DeviceMap = NULL;
    if (DeviceMap != NULL) Namespace->GlobalDosDevices->DeviceMap = NULL;
    KeReleaseGuardedMutex(&ObpDeviceMapLock);
    if (DeviceMap != NULL) ObfDereferenceDeviceMap(DeviceMap);

    for (i = 0; i < OBP_SILO_NAMESPACE_LINKS; i++)
    {
        ObpDeletePermanentEntry(Namespace->Links[i]);
        Namespace->Links[i] = NULL;
    }
    ObpDeletePermanentEntry(Namespace->GlobalDosDevices);
    Namespace->GlobalDosDevices = NULL;
    ObpDeletePermanentEntry(Namespace->KernelObjects);
    Namespace->KernelObjects = NULL;

    /* Nothing holds a handle to it: its name goes now, the object with the free */
    if (Namespace->Root != NULL) ObMakeTemporaryObject(Namespace->Root);
}

/*!
 * @brief
 * Frees a silo's namespace with its job, emptying it first if the silo
 * never ended (an application silo) and again for what a thread attached
 * to the ended silo made in it since.
 */
VOID
NTAPI
ObFreeSiloNamespace(
    _In_ _Post_invalid_ POBP_SILO_NAMESPACE Namespace)
{
    PAGED_CODE();

    ObDeleteSiloNamespace(Namespace);

    ObpRemoveShadows(Namespace);
    if (Namespace->Root != NULL)
    {
        ObpMakeSiloTreeTemporary(Namespace->Root);
        ObDereferenceObject(Namespace->Root);
    }
    ExFreePoolWithTag(Namespace, TAG_OB_SILO);
}

/* EOF */
