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
 *   the status of a read-only key) unless its creator chose host-readwrite;
 * - in a silo without network it opens no network device
 *   (PS_SERVER_SILO_NETWORK_STATUS), whatever name reaches it;
 * - it opens no other device its creator did not lend it
 *   (PS_SERVER_SILO_DEVICE_STATUS): the default set unless the creator
 *   withdrew it, and the devices the creator named; nor does it send a
 *   device I/O control through a file on a volume, which a file system may
 *   pass down to the disk (PS_SERVER_SILO_DEVICE_CONTROL_STATUS).
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

/* The Winsock driver's device is of the named pipe type, for historical reasons */
static const UNICODE_STRING PspAfdDriverName = RTL_CONSTANT_STRING(L"\\Driver\\AFD");

/* Whether a device object belongs to the network: transports, adapters, redirectors, Winsock */
static
BOOLEAN
PspIsNetworkDevice(
    _In_ PDEVICE_OBJECT DeviceObject)
{
    switch (DeviceObject->DeviceType)
    {
        case FILE_DEVICE_NETWORK:
        case FILE_DEVICE_NETWORK_BROWSER:
        case FILE_DEVICE_NETWORK_FILE_SYSTEM:
        case FILE_DEVICE_NETWORK_REDIRECTOR:
        case FILE_DEVICE_MULTI_UNC_PROVIDER:
        case FILE_DEVICE_PHYSICAL_NETCARD:
        case FILE_DEVICE_TRANSPORT:
        case FILE_DEVICE_DFS:
        case FILE_DEVICE_DFS_FILE_SYSTEM:
        case FILE_DEVICE_DFS_VOLUME:
            return TRUE;

        default:
            break;
    }

    return (DeviceObject->DriverObject != NULL) &&
           RtlEqualUnicodeString(&DeviceObject->DriverObject->DriverName, &PspAfdDriverName, TRUE);
}

/*
 * What every server silo is lent unless its creator withdraws it: what its
 * SMSS, CSRSS and console programs open (NUL, named pipes and mailslots,
 * the security driver that hands out random numbers, Beep)
 */
static const UNICODE_STRING PspDefaultLentDevices[] =
{
    RTL_CONSTANT_STRING(L"\\Device\\Null"),
    RTL_CONSTANT_STRING(L"\\Device\\NamedPipe"),
    RTL_CONSTANT_STRING(L"\\Device\\MailSlot"),
    RTL_CONSTANT_STRING(L"\\Device\\KsecDD"),
    RTL_CONSTANT_STRING(L"\\Device\\Beep")
};

/* The longest device name compared; a device with a longer one is never lent */
#define PSP_LENT_DEVICE_NAME_MAX_CHARS  128

/* Whether a device may hold a file system, whose files are not device opens */
static
BOOLEAN
PspIsVolumeDevice(
    _In_ PDEVICE_OBJECT DeviceObject)
{
    switch (DeviceObject->DeviceType)
    {
        case FILE_DEVICE_DISK:
        case FILE_DEVICE_CD_ROM:
        case FILE_DEVICE_DVD:
        case FILE_DEVICE_VIRTUAL_DISK:
        case FILE_DEVICE_TAPE:
        case FILE_DEVICE_DISK_FILE_SYSTEM:
        case FILE_DEVICE_CD_ROM_FILE_SYSTEM:
        case FILE_DEVICE_TAPE_FILE_SYSTEM:
            return TRUE;

        default:
            return FALSE;
    }
}

/* Whether Name is one of the SILO_DEVICE_NAME_SEPARATOR-separated names of List */
static
BOOLEAN
PspIsNameInDeviceList(
    _In_ PCUNICODE_STRING List,
    _In_ PCUNICODE_STRING Name)
{
    UNICODE_STRING Entry;
    USHORT Start, End, Count = List->Length / sizeof(WCHAR);

    for (Start = 0; Start < Count; Start = End + 1)
    {
        for (End = Start; (End < Count) && (List->Buffer[End] != SILO_DEVICE_NAME_SEPARATOR); End++);

        Entry.Buffer = &List->Buffer[Start];
        Entry.Length = Entry.MaximumLength = (End - Start) * sizeof(WCHAR);
        if (RtlEqualUnicodeString(&Entry, Name, TRUE)) return TRUE;
    }
    return FALSE;
}

/* Whether the silo was lent the device, by its name in the object namespace */
static
BOOLEAN
PspIsDeviceLent(
    _In_ PEJOB Silo,
    _In_ PDEVICE_OBJECT DeviceObject)
{
    union
    {
        OBJECT_NAME_INFORMATION Info;
        UCHAR Buffer[sizeof(OBJECT_NAME_INFORMATION) + PSP_LENT_DEVICE_NAME_MAX_CHARS * sizeof(WCHAR)];
    } Name;
    ULONG ReturnLength, Index;
    NTSTATUS Status;

    Status = ObQueryNameString(DeviceObject, &Name.Info, sizeof(Name), &ReturnLength);
    if (!NT_SUCCESS(Status) || (Name.Info.Name.Length == 0)) return FALSE;

    if (!(Silo->SiloDeviceFlags & SILO_DEVICES_NO_DEFAULT))
    {
        for (Index = 0; Index < RTL_NUMBER_OF(PspDefaultLentDevices); Index++)
        {
            if (RtlEqualUnicodeString(&Name.Info.Name, &PspDefaultLentDevices[Index], TRUE)) return TRUE;
        }
    }
    return PspIsNameInDeviceList(&Silo->SiloLentDevices, &Name.Info.Name);
}

/*!
 * @brief
 * Lets a file open from a server silo reach a device: a network device
 * when the silo has network, any other device when it was lent to the silo.
 *
 * @param[in] DeviceObject
 * The device the name resolved to (the named device, before attached
 * filters), or the device of the related file object.
 *
 * @param[in] WholeDevice
 * TRUE when the open names the device itself (no file name after it, no
 * related file). A file on a volume is not a device open: the volume is
 * checked when it is opened whole (raw disk and volume opens).
 *
 * @param[in] AccessMode
 * The mode of the open.
 *
 * @return
 * STATUS_SUCCESS; for a user-mode caller in a server silo,
 * PS_SERVER_SILO_NETWORK_STATUS for a network device in SiloNetworkNone
 * mode, and PS_SERVER_SILO_DEVICE_STATUS for any other device not lent.
 *
 * @remarks
 * Called by IopParseDevice for every open, after the name was resolved and
 * before any IRP is built, so no spelling of the device's name (\Device,
 * GLOBALROOT, a DOS device, a UNC path through MUP) gets past it. Kernel-mode
 * opens (AFD opening its transports for a host caller, win32k opening the
 * keyboard) are trusted. The configuration is fixed before the silo is a
 * server silo, so it is read without a lock. Callable at PASSIVE_LEVEL.
 */
NTSTATUS
NTAPI
PsCheckSiloDeviceOpen(
    _In_ PDEVICE_OBJECT DeviceObject,
    _In_ BOOLEAN WholeDevice,
    _In_ KPROCESSOR_MODE AccessMode)
{
    PEJOB Silo;

    PAGED_CODE();

    if (!PsIsCallerInServerSilo(AccessMode)) return STATUS_SUCCESS;

    Silo = PsGetCurrentServerSilo();
    if (PspIsNetworkDevice(DeviceObject))
    {
        if (Silo->SiloNetworkMode != SiloNetworkNone) return STATUS_SUCCESS;

        DPRINT("Server silo %lu: a network device open was refused\n", Silo->JobId);
        return PS_SERVER_SILO_NETWORK_STATUS;
    }

    if (!WholeDevice && PspIsVolumeDevice(DeviceObject)) return STATUS_SUCCESS;
    if (PspIsDeviceLent(Silo, DeviceObject)) return STATUS_SUCCESS;

    DPRINT("Server silo %lu: device %p is not lent to it\n", Silo->JobId, DeviceObject);
    return PS_SERVER_SILO_DEVICE_STATUS;
}

/*!
 * @brief
 * Keeps a device I/O control that a server silo sends through a file on a
 * volume from the volume's device.
 *
 * @param[in] FileObject
 * The file object the control is sent to.
 *
 * @param[in] PreviousMode
 * The mode of the caller.
 *
 * @return
 * STATUS_SUCCESS, or PS_SERVER_SILO_DEVICE_CONTROL_STATUS for a user-mode
 * caller in a server silo sending it to a file or directory on a volume.
 *
 * @remarks
 * Called by NtDeviceIoControlFile before the IRP is built. A file system
 * may pass any device control of a file down to the volume's disk (the FAT
 * driver does): partition layouts and SCSI pass-through, the raw disk the
 * device gate keeps from the silo, would be reached through any file the
 * silo may write. Controls to a device opened whole (lent to the silo, or
 * handed over by the host) and file system controls are not concerned.
 * Callable at PASSIVE_LEVEL.
 */
NTSTATUS
NTAPI
PsCheckSiloDeviceControl(
    _In_ PFILE_OBJECT FileObject,
    _In_ KPROCESSOR_MODE PreviousMode)
{
    PAGED_CODE();

    if (!PsIsCallerInServerSilo(PreviousMode)) return STATUS_SUCCESS;
    if (!PspIsVolumeDevice(FileObject->DeviceObject)) return STATUS_SUCCESS;

    /* The volume or disk itself, which the silo could only open when lent */
    if ((FileObject->FileName.Length == 0) && (FileObject->RelatedFileObject == NULL)) return STATUS_SUCCESS;

    DPRINT("Server silo %lu: a device control through a file on a volume was refused\n",
           PsGetCurrentServerSilo()->JobId);
    return PS_SERVER_SILO_DEVICE_CONTROL_STATUS;
}

/* EOF */
