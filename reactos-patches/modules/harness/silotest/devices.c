/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Devices lent to a server silo (JobObjectSiloDeviceConfiguration):
 *              the interface with its negative cases; a tenant opens the
 *              default set and no other device unless it was lent, by any
 *              spelling; files on a volume stay files, but no way to the
 *              disk's device controls; the host, the control, opens every
 *              target and reaches the disk through a file
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"
#include <winioctl.h>

#define DEVICE_CHILD_TIMEOUT_MS     60000
/* The status of a device not lent (README): to the silo it is not there */
#define SILO_DEVICE_DENIED          STATUS_OBJECT_NAME_NOT_FOUND
#define DEVPROBE_BAD_ARGUMENT           0xFFFFFFFE

/* Bits of the "devctlprobe" child's exit code: a disk control sent through a file, then a directory */
#define DEVCTL_FILE_PASSED          0x01    /* the file system passed it down to the disk, which answered */
#define DEVCTL_DIRECTORY_PASSED     0x02
#define DEVCTL_FILE_REFUSED         0x04    /* refused with SILO_DEVICE_CONTROL_DENIED */
#define DEVCTL_DIRECTORY_REFUSED    0x08
#define DEVCTL_NO_FILE              0x10
#define DEVCTL_BAD_ARGUMENT         0x20
#define DEVCTL_FILE_NAME            L"SILODEVC.TMP"
/* The status of a device control a silo sends through a file on a volume (README) */
#define SILO_DEVICE_CONTROL_DENIED  STATUS_ACCESS_DENIED

BOOL
FindSystemVolume(
    _Out_ PSYSTEM_VOLUME Volume)
{
    ZeroMemory(Volume, sizeof(*Volume));
    if (!GetSystemDirectoryW(Volume->SystemDirectory, ARRAYSIZE(Volume->SystemDirectory))) return FALSE;
    Volume->Drive[0] = Volume->SystemDirectory[0];
    Volume->Drive[1] = L':';
    return QueryDosDeviceW(Volume->Drive, Volume->Device, ARRAYSIZE(Volume->Device)) != 0;
}

static
VOID
TargetPath(
    _In_ const SYSTEM_VOLUME *Volume,
    _In_ DEVICE_TARGET Target,
    _Out_writes_(Chars) PWSTR Path,
    _In_ ULONG Chars)
{
    switch (Target)
    {
        case TargetNull: _snwprintf(Path, Chars, L"\\Device\\Null"); break;
        case TargetBeep: _snwprintf(Path, Chars, L"\\Device\\Beep"); break;
        case TargetBeepGlobalRoot: _snwprintf(Path, Chars, L"\\??\\GLOBALROOT\\Device\\Beep"); break;
        case TargetNamedPipeRoot: _snwprintf(Path, Chars, L"\\Device\\NamedPipe\\"); break;
        case TargetKsecDD: _snwprintf(Path, Chars, L"\\Device\\KsecDD"); break;
        case TargetVolume: _snwprintf(Path, Chars, L"%s", Volume->Device); break;
        case TargetVolumeGlobalRoot: _snwprintf(Path, Chars, L"\\??\\GLOBALROOT%s", Volume->Device); break;
        case TargetVolumeDrive: _snwprintf(Path, Chars, L"\\??\\%s", Volume->Drive); break;
        case TargetVolumeFile: _snwprintf(Path, Chars, L"\\??\\%s\\ntdll.dll", Volume->SystemDirectory); break;
        default: Path[0] = UNICODE_NULL; break;
    }
    Path[Chars - 1] = UNICODE_NULL;
}

/* Opens every target; DEVPROBE_RESULT(opened, refused with another status than SILO_DEVICE_DENIED) */
static
DWORD
ProbeDevices(
    _In_ const SYSTEM_VOLUME *Volume,
    _In_opt_ PCSTR Who)
{
    WCHAR Path[MAX_PATH];
    NTSTATUS Status;
    ULONG Target, Opened = 0, Wrong = 0;

    for (Target = 0; Target < DeviceTargets; Target++)
    {
        TargetPath(Volume, (DEVICE_TARGET)Target, Path, ARRAYSIZE(Path));
        Status = OpenAndCloseFile(Path, FILE_READ_ATTRIBUTES | SYNCHRONIZE,
                                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
        if (Who) trace("device target %ls: %s 0x%08lx\n", Path, Who, Status);
        if (NT_SUCCESS(Status)) Opened |= TARGET_BIT(Target);
        else if (Status != SILO_DEVICE_DENIED) Wrong |= TARGET_BIT(Target);
    }
    return DEVPROBE_RESULT(Opened, Wrong);
}

/* The "devprobe" child's argument: "<drive>|<volume device>|<system directory>" */
VOID
FormatDeviceProbeArgument(
    _In_ const SYSTEM_VOLUME *Volume,
    _Out_writes_(Bytes) PSTR Argument,
    _In_ ULONG Bytes)
{
    _snprintf(Argument, Bytes, "%ls|%ls|%ls", Volume->Drive, Volume->Device, Volume->SystemDirectory);
    Argument[Bytes - 1] = ANSI_NULL;
}

/* The "devprobe" child: the argument is "<drive>|<volume device>|<system directory>" as the host found them */
DWORD
DeviceProbeChild(
    _In_ PCSTR Argument)
{
    SYSTEM_VOLUME Volume;
    PCSTR Bar1 = strchr(Argument, '|');
    PCSTR Bar2 = Bar1 ? strchr(Bar1 + 1, '|') : NULL;

    ZeroMemory(&Volume, sizeof(Volume));
    if (!Bar1 || !Bar2 || Bar1 - Argument != 2) return DEVPROBE_BAD_ARGUMENT;
    _snwprintf(Volume.Drive, ARRAYSIZE(Volume.Drive) - 1, L"%.2S", Argument);
    _snwprintf(Volume.Device, ARRAYSIZE(Volume.Device) - 1, L"%.*S", (int)(Bar2 - Bar1 - 1), Bar1 + 1);
    _snwprintf(Volume.SystemDirectory, ARRAYSIZE(Volume.SystemDirectory) - 1, L"%S", Bar2 + 1);
    return ProbeDevices(&Volume, NULL);
}

/* Opens a file (or directory) on a volume and asks the disk under it for its geometry through it */
static
NTSTATUS
SendDiskControl(
    _In_ PCWSTR Name,
    _In_ BOOLEAN Directory,
    _Out_ PBOOLEAN Opened)
{
    OBJECT_ATTRIBUTES Attributes;
    UNICODE_STRING NameString;
    IO_STATUS_BLOCK Io;
    DISK_GEOMETRY Geometry;
    HANDLE File;
    NTSTATUS Status;

    *Opened = FALSE;
    RtlInitUnicodeString(&NameString, Name);
    InitializeObjectAttributes(&Attributes, &NameString, OBJ_CASE_INSENSITIVE, NULL, NULL);
    Status = NtCreateFile(&File,
                          (Directory ? FILE_LIST_DIRECTORY : (GENERIC_READ | GENERIC_WRITE)) | SYNCHRONIZE,
                          &Attributes, &Io, NULL, FILE_ATTRIBUTE_NORMAL, FILE_SHARE_READ | FILE_SHARE_WRITE,
                          Directory ? FILE_OPEN : FILE_OPEN_IF,
                          (Directory ? FILE_DIRECTORY_FILE : FILE_NON_DIRECTORY_FILE) | FILE_SYNCHRONOUS_IO_NONALERT,
                          NULL, 0);
    if (!NT_SUCCESS(Status)) return Status;
    *Opened = TRUE;
    Status = NtDeviceIoControlFile(File, NULL, NULL, NULL, &Io, IOCTL_DISK_GET_DRIVE_GEOMETRY, NULL, 0,
                                   &Geometry, sizeof(Geometry));
    NtClose(File);
    return Status;
}

/* The disk control through a file and through its directory: DEVCTL_* bits */
static
DWORD
ProbeDeviceControl(
    _In_ PCWSTR FilePath,
    _In_ PCWSTR DirectoryPath,
    _In_opt_ PCSTR Who)
{
    NTSTATUS FileStatus, DirectoryStatus;
    BOOLEAN FileOpened, DirectoryOpened;
    DWORD Result = 0;

    FileStatus = SendDiskControl(FilePath, FALSE, &FileOpened);
    DirectoryStatus = SendDiskControl(DirectoryPath, TRUE, &DirectoryOpened);
    if (Who) trace("device control: %s file 0x%08lx directory 0x%08lx\n", Who, FileStatus, DirectoryStatus);
    if (!FileOpened || !DirectoryOpened) Result |= DEVCTL_NO_FILE;
    if (NT_SUCCESS(FileStatus)) Result |= DEVCTL_FILE_PASSED;
    if (FileStatus == SILO_DEVICE_CONTROL_DENIED && FileOpened) Result |= DEVCTL_FILE_REFUSED;
    if (NT_SUCCESS(DirectoryStatus)) Result |= DEVCTL_DIRECTORY_PASSED;
    if (DirectoryStatus == SILO_DEVICE_CONTROL_DENIED && DirectoryOpened) Result |= DEVCTL_DIRECTORY_REFUSED;
    return Result;
}

/* The "devctlprobe" child: the argument is "<file>|<directory>", NT paths on the scratch volume */
DWORD
DeviceControlProbeChild(
    _In_ PCSTR Argument)
{
    WCHAR FilePath[MAX_PATH], DirectoryPath[MAX_PATH];
    PCSTR Bar = strchr(Argument, '|');

    if (!Bar) return DEVCTL_BAD_ARGUMENT;
    _snwprintf(FilePath, ARRAYSIZE(FilePath) - 1, L"%.*S", (int)(Bar - Argument), Argument);
    FilePath[ARRAYSIZE(FilePath) - 1] = UNICODE_NULL;
    _snwprintf(DirectoryPath, ARRAYSIZE(DirectoryPath) - 1, L"%S", Bar + 1);
    DirectoryPath[ARRAYSIZE(DirectoryPath) - 1] = UNICODE_NULL;
    return ProbeDeviceControl(FilePath, DirectoryPath, NULL);
}

/*
 * A file system may pass device controls of a file down to the disk (vfatfs
 * does; fastfat, the LiveCD's FAT driver, refuses them itself with
 * STATUS_INVALID_PARAMETER): whatever the file system says to the host, the
 * control, a tenant of a server silo (default devices, so not lent the
 * volume) gets the silo's refusal through a file and a directory before the
 * file system sees the request
 */
static
void
TestDeviceControlThroughFiles(
    _In_ HANDLE SmPort)
{
    WCHAR Drive[3] = L"?:", Volume[MAX_PATH], FilePath[MAX_PATH], DirectoryPath[MAX_PATH], DosPath[MAX_PATH];
    CHAR Argument[2 * MAX_PATH + 2];
    SMSS_SILO Started;
    HANDLE Process = NULL;
    DWORD Control, ExitCode = STILL_ACTIVE;
    NTSTATUS Status;

    Drive[0] = FindScratchLetter();
    ok(Drive[0] != 0, "no scratch disk labelled %ls: the device control checks need a FAT volume\n",
       SCRATCH_DISK_LABEL);
    if (Drive[0] == 0 || !QueryDosDeviceW(Drive, Volume, ARRAYSIZE(Volume)))
    {
        ok(FALSE, "cannot name the scratch volume\n");
        return;
    }
    _snwprintf(FilePath, ARRAYSIZE(FilePath), L"%s\\%s", Volume, DEVCTL_FILE_NAME);
    FilePath[ARRAYSIZE(FilePath) - 1] = UNICODE_NULL;
    _snwprintf(DirectoryPath, ARRAYSIZE(DirectoryPath), L"%s\\", Volume);
    DirectoryPath[ARRAYSIZE(DirectoryPath) - 1] = UNICODE_NULL;

    /* The control: the host's request reaches the file system, which answers as it will */
    Control = ProbeDeviceControl(FilePath, DirectoryPath, "host");
    ok(!(Control & (DEVCTL_FILE_REFUSED | DEVCTL_DIRECTORY_REFUSED | DEVCTL_NO_FILE)),
       "host: device control bits 0x%lx\n", Control);

    _snprintf(Argument, sizeof(Argument), "%ls|%ls", FilePath, DirectoryPath);
    Argument[sizeof(Argument) - 1] = ANSI_NULL;
    Status = StartSmssSilo(SmPort, &Started);
    ok(Status == STATUS_SUCCESS, "device control: starting the silo: 0x%08lx\n", Status);
    if (NT_SUCCESS(Status))
    {
        Status = StartWin32InSilo(&Started, CHILD_MODE_DEVICE_CONTROL_PROBE, Argument, &Process);
        ok(Status == STATUS_SUCCESS, "device control: starting the probe in the silo: 0x%08lx\n", Status);
        if (Process)
        {
            ExitCode = WaitExitCode(Process, DEVICE_CHILD_TIMEOUT_MS);
            CloseHandle(Process);
        }
        ok(ExitCode == (DEVCTL_FILE_REFUSED | DEVCTL_DIRECTORY_REFUSED),
           "silo: device control bits 0x%lx (a file and a directory refused: 0x%x)\n", ExitCode,
           DEVCTL_FILE_REFUSED | DEVCTL_DIRECTORY_REFUSED);
    }
    EndSmssSilo(&Started, STATUS_SUCCESS);
    trace("devices-control: host=0x%lx silo=0x%lx volume=%ls\n", Control, ExitCode, Volume);
    _snwprintf(DosPath, ARRAYSIZE(DosPath), L"%s\\%s", Drive, DEVCTL_FILE_NAME);
    DosPath[ARRAYSIZE(DosPath) - 1] = UNICODE_NULL;
    ok(DeleteFileW(DosPath), "cannot delete %ls: %lu\n", DosPath, GetLastError());
}

static
NTSTATUS
SetDevices(
    _In_ HANDLE Silo,
    _In_ ULONG Version,
    _In_ ULONG Flags,
    _In_opt_ PCWSTR Devices,
    _In_ USHORT LengthOverride)
{
    SILO_DEVICE_CONFIGURATION Configuration;

    ZeroMemory(&Configuration, sizeof(Configuration));
    Configuration.Version = Version;
    Configuration.Flags = Flags;
    if (Devices) RtlInitUnicodeString(&Configuration.Devices, Devices);
    if (LengthOverride) Configuration.Devices.Length = LengthOverride;
    return NtSetInformationJobObject(Silo, JobObjectSiloDeviceConfiguration, &Configuration,
                                     sizeof(Configuration));
}

/* One silo configuration: how the host sets it, and what its tenant must open */
typedef struct _DEVICE_CASE
{
    PCSTR Name;
    BOOL Configure;
    ULONG Flags;
    WCHAR Devices[2 * MAX_PATH];
    ULONG Expected;
} DEVICE_CASE, *PDEVICE_CASE;

static
NTSTATUS
PrepareDevices(
    _In_ HANDLE Silo,
    _In_opt_ PVOID Context)
{
    PDEVICE_CASE Case = Context;

    if (!Case->Configure) return STATUS_SUCCESS;
    return SetDevices(Silo, SILO_DEVICE_CONFIGURATION_VERSION, Case->Flags, Case->Devices, 0);
}

static
void
TestDeviceInterface(
    _In_ const SYSTEM_VOLUME *Volume)
{
    ULONG_PTR Buffer[(sizeof(SILO_DEVICE_CONFIGURATION) + 2 * MAX_PATH * sizeof(WCHAR)) / sizeof(ULONG_PTR)];
    PSILO_DEVICE_CONFIGURATION Queried = (PSILO_DEVICE_CONFIGURATION)Buffer;
    SILO_DEVICE_CONFIGURATION Configuration;
    SILOOBJECT_ROOT_DIRECTORY Root;
    SERVERSILO_INIT_INFORMATION Init;
    WCHAR Lent[2 * MAX_PATH];
    UNICODE_STRING Names;
    PWSTR TooLong;
    HANDLE Plain, Silo;
    ULONG ReturnLength = 0, i;
    NTSTATUS Status;

    ok(NT_SUCCESS(CreateJob(&Plain, 0)), "CreateJob failed\n");
    Status = SetDevices(Plain, SILO_DEVICE_CONFIGURATION_VERSION, 0, L"\\Device\\Beep", 0);
    ok(Status == STATUS_JOB_NO_CONTAINER, "plain job: 0x%08lx\n", Status);
    NtClose(Plain);

    ok(NT_SUCCESS(MakeSilo(&Silo)), "MakeSilo failed\n");
    ZeroMemory(Buffer, sizeof(Buffer));
    Status = NtQueryInformationJobObject(Silo, JobObjectSiloDeviceConfiguration, Queried, sizeof(Buffer), NULL);
    ok(Status == STATUS_SUCCESS && Queried->Version == SILO_DEVICE_CONFIGURATION_VERSION && Queried->Flags == 0 &&
       Queried->Devices.Length == 0, "default: 0x%08lx, flags 0x%lx, %u bytes of names\n", Status, Queried->Flags,
       Queried->Devices.Length);

    ZeroMemory(&Configuration, sizeof(Configuration));
    Configuration.Version = SILO_DEVICE_CONFIGURATION_VERSION;
    Status = NtSetInformationJobObject(Silo, JobObjectSiloDeviceConfiguration, &Configuration,
                                       sizeof(Configuration) - 1);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH, "short set: 0x%08lx\n", Status);
    Status = NtQueryInformationJobObject(Silo, JobObjectSiloDeviceConfiguration, &Configuration,
                                         sizeof(Configuration) - 1, &ReturnLength);
    ok(Status == STATUS_INFO_LENGTH_MISMATCH && ReturnLength == sizeof(Configuration),
       "short query: 0x%08lx, %lu\n", Status, ReturnLength);
    Status = SetDevices(Silo, SILO_DEVICE_CONFIGURATION_VERSION + 1, 0, NULL, 0);
    ok(Status == STATUS_UNKNOWN_REVISION, "next version: 0x%08lx\n", Status);
    Status = SetDevices(Silo, SILO_DEVICE_CONFIGURATION_VERSION, SILO_DEVICES_NO_DEFAULT << 1, NULL, 0);
    ok(Status == STATUS_INVALID_PARAMETER, "unknown flag: 0x%08lx\n", Status);

    /* Names that are not one \Device\ name each */
    {
        static const PCWSTR BadNames[] =
        {
            L"\\Device\\",
            L"\\DosDevices\\C:",
            L"Beep",
            L"\\Device\\Null;",
            L";\\Device\\Null",
            L"\\Device\\Null;;\\Device\\Beep",
        };

        for (i = 0; i < ARRAYSIZE(BadNames); i++)
        {
            Status = SetDevices(Silo, SILO_DEVICE_CONFIGURATION_VERSION, 0, BadNames[i], 0);
            ok(Status == STATUS_INVALID_PARAMETER, "names \"%ls\": 0x%08lx\n", BadNames[i], Status);
        }
    }
    Status = SetDevices(Silo, SILO_DEVICE_CONFIGURATION_VERSION, 0, L"\\Device\\Beep", 3);
    ok(Status == STATUS_INVALID_PARAMETER, "odd length: 0x%08lx\n", Status);
    TooLong = HeapAlloc(GetProcessHeap(), 0, SILO_DEVICE_NAMES_MAX_LENGTH + 2 * sizeof(WCHAR));
    if (TooLong)
    {
        wcscpy(TooLong, L"\\Device\\");
        for (i = 8; i < SILO_DEVICE_NAMES_MAX_LENGTH / sizeof(WCHAR) + 1; i++) TooLong[i] = L'x';
        TooLong[i] = UNICODE_NULL;
        Status = SetDevices(Silo, SILO_DEVICE_CONFIGURATION_VERSION, 0, TooLong, 0);
        ok(Status == STATUS_INVALID_PARAMETER, "%u bytes of names: 0x%08lx\n",
           (unsigned)(i * sizeof(WCHAR)), Status);
        HeapFree(GetProcessHeap(), 0, TooLong);
    }
    ZeroMemory(&Configuration, sizeof(Configuration));
    Configuration.Version = SILO_DEVICE_CONFIGURATION_VERSION;
    Configuration.Devices.Buffer = (PWSTR)(ULONG_PTR)0x10;
    Configuration.Devices.Length = Configuration.Devices.MaximumLength = 8;
    Status = NtSetInformationJobObject(Silo, JobObjectSiloDeviceConfiguration, &Configuration,
                                       sizeof(Configuration));
    ok(Status == STATUS_ACCESS_VIOLATION, "names at a bad address: 0x%08lx\n", Status);
    ok(EnableTcb(FALSE), "cannot disable SeTcbPrivilege\n");
    Status = SetDevices(Silo, SILO_DEVICE_CONFIGURATION_VERSION, 0, L"\\Device\\Beep", 0);
    ok(Status == STATUS_PRIVILEGE_NOT_HELD, "without SeTcbPrivilege: 0x%08lx\n", Status);
    ok(EnableTcb(TRUE), "cannot enable SeTcbPrivilege\n");

    /* The refusals left the default; a good list is kept and read back, its names after the structure */
    ZeroMemory(Buffer, sizeof(Buffer));
    Status = NtQueryInformationJobObject(Silo, JobObjectSiloDeviceConfiguration, Queried, sizeof(Buffer), NULL);
    ok(Status == STATUS_SUCCESS && Queried->Flags == 0 && Queried->Devices.Length == 0,
       "after the refusals: 0x%08lx, flags 0x%lx, %u bytes of names\n", Status, Queried->Flags,
       Queried->Devices.Length);
    _snwprintf(Lent, ARRAYSIZE(Lent), L"\\Device\\Beep;%s", Volume->Device);
    Lent[ARRAYSIZE(Lent) - 1] = UNICODE_NULL;
    Status = SetDevices(Silo, SILO_DEVICE_CONFIGURATION_VERSION, SILO_DEVICES_NO_DEFAULT, Lent, 0);
    ok(Status == STATUS_SUCCESS, "lending %ls: 0x%08lx\n", Lent, Status);
    RtlInitUnicodeString(&Names, Lent);
    Status = NtQueryInformationJobObject(Silo, JobObjectSiloDeviceConfiguration, Queried,
                                         sizeof(SILO_DEVICE_CONFIGURATION), &ReturnLength);
    ok(Status == STATUS_BUFFER_TOO_SMALL && ReturnLength == sizeof(SILO_DEVICE_CONFIGURATION) + Names.Length,
       "query without room for the names: 0x%08lx, %lu\n", Status, ReturnLength);
    ZeroMemory(Buffer, sizeof(Buffer));
    Status = NtQueryInformationJobObject(Silo, JobObjectSiloDeviceConfiguration, Queried, sizeof(Buffer),
                                         &ReturnLength);
    ok(Status == STATUS_SUCCESS && Queried->Flags == SILO_DEVICES_NO_DEFAULT &&
       Queried->Devices.Buffer == (PWSTR)(Queried + 1) && RtlEqualUnicodeString(&Queried->Devices, &Names, FALSE) &&
       ReturnLength == sizeof(SILO_DEVICE_CONFIGURATION) + Names.Length,
       "read back: 0x%08lx, flags 0x%lx, %lu bytes\n", Status, Queried->Flags, ReturnLength);

    ZeroMemory(&Root, sizeof(Root));
    Root.ControlFlags = SILO_OBJECT_ROOT_DIRECTORY_ALL;
    ok(NT_SUCCESS(NtSetInformationJobObject(Silo, JobObjectSiloRootDirectory, &Root, sizeof(Root))), "root failed\n");
    ZeroMemory(&Init, sizeof(Init));
    ok(NT_SUCCESS(NtSetInformationJobObject(Silo, JobObjectServerSiloInitialize, &Init, sizeof(Init))),
       "initialize failed\n");
    Status = SetDevices(Silo, SILO_DEVICE_CONFIGURATION_VERSION, 0, NULL, 0);
    ok(Status == STATUS_CONTAINER_ASSIGNED, "after initialize: 0x%08lx\n", Status);
    ZeroMemory(Buffer, sizeof(Buffer));
    Status = NtQueryInformationJobObject(Silo, JobObjectSiloDeviceConfiguration, Queried, sizeof(Buffer), NULL);
    ok(Status == STATUS_SUCCESS && Queried->Flags == SILO_DEVICES_NO_DEFAULT &&
       RtlEqualUnicodeString(&Queried->Devices, &Names, FALSE), "after initialize: 0x%08lx\n", Status);
    NtClose(Silo);
}

static
void
TestDevicesInSilo(
    _In_ HANDLE SmPort,
    _In_ PDEVICE_CASE Case,
    _In_ PCSTR Argument)
{
    SMSS_SILO Started;
    HANDLE Process = NULL;
    DWORD ExitCode = STILL_ACTIVE;
    NTSTATUS Status;

    Status = StartSmssSiloPrepared(SmPort, PrepareDevices, Case, &Started);
    ok(Status == STATUS_SUCCESS, "%s: starting the silo: 0x%08lx\n", Case->Name, Status);
    if (NT_SUCCESS(Status))
    {
        Status = StartWin32InSilo(&Started, CHILD_MODE_DEVICE_PROBE, Argument, &Process);
        ok(Status == STATUS_SUCCESS, "%s: starting the probe in the silo: 0x%08lx\n", Case->Name, Status);
        if (Process)
        {
            ExitCode = WaitExitCode(Process, DEVICE_CHILD_TIMEOUT_MS);
            CloseHandle(Process);
        }
        ok(DEVPROBE_OPENED(ExitCode) == Case->Expected && DEVPROBE_WRONG(ExitCode) == 0,
           "%s: the tenant opened 0x%lx (expected 0x%lx), refused with another status 0x%lx\n", Case->Name,
           DEVPROBE_OPENED(ExitCode), Case->Expected, DEVPROBE_WRONG(ExitCode));
    }
    EndSmssSilo(&Started, STATUS_SUCCESS);
    trace("devices-silo: case=%s opened=0x%lx expected=0x%lx wrong_status=0x%lx\n", Case->Name,
          DEVPROBE_OPENED(ExitCode), Case->Expected, DEVPROBE_WRONG(ExitCode));
}

START_TEST(devices)
{
    static DEVICE_CASE Cases[] =
    {
        /* Nothing set: the default set, files on the volume, not the volume itself */
        { "default", FALSE, 0, L"", DEFAULT_SET_TARGETS | TARGET_BIT(TargetVolumeFile) },
        /* The volume lent too: every target */
        { "lent-volume", TRUE, 0, L"", ALL_DEVICE_TARGETS },
        /* Only what is named: the default set withdrawn but for named pipes */
        { "only-named", TRUE, SILO_DEVICES_NO_DEFAULT, L"",
          TARGET_BIT(TargetNamedPipeRoot) | VOLUME_TARGETS | TARGET_BIT(TargetVolumeFile) },
    };
    SYSTEM_VOLUME Volume;
    CHAR Argument[3 * MAX_PATH];
    HANDLE SmPort;
    DWORD Control;
    ULONG i;

    ok(EnableTcb(TRUE), "SeTcbPrivilege not available: the silo tests need SYSTEM\n");
    if (!FindSystemVolume(&Volume))
    {
        ok(FALSE, "cannot name the system volume: error %lu\n", GetLastError());
        return;
    }
    trace("devices: system_drive=%ls volume=%ls\n", Volume.Drive, Volume.Device);
    TestDeviceInterface(&Volume);

    /* The control: the host opens every target, so a refusal in a silo is the silo's */
    Control = ProbeDevices(&Volume, "host");
    ok(DEVPROBE_OPENED(Control) == ALL_DEVICE_TARGETS, "the host opened 0x%lx of 0x%lx\n", DEVPROBE_OPENED(Control),
       (ULONG)ALL_DEVICE_TARGETS);

    _snwprintf(Cases[1].Devices, ARRAYSIZE(Cases[1].Devices), L"%s", Volume.Device);
    _snwprintf(Cases[2].Devices, ARRAYSIZE(Cases[2].Devices), L"\\Device\\NamedPipe;\\Device\\MailSlot;%s",
               Volume.Device);
    FormatDeviceProbeArgument(&Volume, Argument, sizeof(Argument));

    if (ConnectToHostSm(&SmPort))
    {
        for (i = 0; i < ARRAYSIZE(Cases); i++) TestDevicesInSilo(SmPort, &Cases[i], Argument);
        TestDeviceControlThroughFiles(SmPort);
        NtClose(SmPort);
    }
}
