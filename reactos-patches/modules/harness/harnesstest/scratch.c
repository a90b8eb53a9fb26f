/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The harness's scratch disk: find the FAT32 volume the host made, read the
 *              host's token from it and write it back for the host to check after the boot
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

#include <winreg.h>
#include <ndk/cmfuncs.h>
#include <ndk/obfuncs.h>

/* What the host puts on the disk (harness/scratch.py, harness/hostcheck.py) */
#define SCRATCH_VOLUME_LABEL    L"HARNESSDISK"
#define SCRATCH_SEED_FILE       L"SEED.TXT"
#define SCRATCH_GUEST_FOLDER    L"GUEST"
#define SCRATCH_ECHO_FILE       L"GUEST\\ECHO.TXT"
#define SCRATCH_ECHO_PREFIX     "echo "
#define SCRATCH_WRONG_PREFIX    "echo WRONG-"
#define SCRATCH_MAX_TOKEN       64

/* The hive the guest saves (harness/hostcheck.py checks the same names and values) */
#define SCRATCH_HIVE_FILE       L"GUEST\\SCRATCH.HIV"
#define SCRATCH_HIVE_KEY        L"\\Registry\\Machine\\SOFTWARE\\HarnessScratch"
#define SCRATCH_HIVE_SUBKEY     L"Sub"
#define SCRATCH_HIVE_COUNT      0x12345678
#define SCRATCH_HIVE_BLOB_BYTES 300     /* more than a cell's inline data: stored in a cell of its own */
#define SCRATCH_HIVE_BLOB_STEP  7
#define SCRATCH_HIVE_MULTI      L"one\0two\0"

/* The mount manager may give the volume its letter after the runner started */
#define SCRATCH_MOUNT_WAIT_MS   15000
#define SCRATCH_POLL_MS         250

static
BOOLEAN
FindScratchVolume(
    _Out_ PWCHAR Letter)
{
    WCHAR Root[] = L"?:\\";
    WCHAR Label[MAX_PATH + 1];
    WCHAR Candidate;

    for (Candidate = L'C'; Candidate <= L'Z'; Candidate++)
    {
        Root[0] = Candidate;
        if (GetDriveTypeW(Root) != DRIVE_FIXED)
            continue;
        if (GetVolumeInformationW(Root, Label, ARRAYSIZE(Label), NULL, NULL, NULL, NULL, 0) &&
            lstrcmpiW(Label, SCRATCH_VOLUME_LABEL) == 0)
        {
            *Letter = Candidate;
            return TRUE;
        }
    }
    return FALSE;
}

static
BOOLEAN
ReadSmallFile(
    _In_ PCWSTR Path,
    _Out_writes_z_(Size) PCHAR Buffer,
    _In_ DWORD Size,
    _Out_ PDWORD Read)
{
    HANDLE File;
    BOOL Success;

    *Read = 0;
    Buffer[0] = ANSI_NULL;
    File = CreateFileW(Path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
    if (File == INVALID_HANDLE_VALUE)
        return FALSE;
    Success = ReadFile(File, Buffer, Size - 1, Read, NULL);
    CloseHandle(File);
    if (!Success)
        return FALSE;
    Buffer[*Read] = ANSI_NULL;
    return TRUE;
}

/* The scratch volume's letter, waiting for the mount manager; 0 (and a failed check) when absent */
static
WCHAR
WaitForScratchVolume(VOID)
{
    WCHAR Letter = 0;
    DWORD Waited;

    for (Waited = 0; !FindScratchVolume(&Letter) && Waited < SCRATCH_MOUNT_WAIT_MS; Waited += SCRATCH_POLL_MS)
        Sleep(SCRATCH_POLL_MS);
    ok(Letter != 0, "no fixed volume labelled %ls after %lu ms\n", SCRATCH_VOLUME_LABEL, Waited);
    return Letter;
}

/* The host's token from SEED.TXT, without its line end; FALSE (and a failed check) when unreadable */
static
BOOLEAN
ReadScratchToken(
    _In_ WCHAR Letter,
    _Out_writes_z_(Size) PCHAR Token,
    _In_ DWORD Size)
{
    WCHAR Path[MAX_PATH];
    DWORD Length;
    BOOLEAN Success;

    _snwprintf(Path, ARRAYSIZE(Path), L"%c:\\%ls", Letter, SCRATCH_SEED_FILE);
    Success = ReadSmallFile(Path, Token, Size, &Length);
    ok(Success, "reading %ls failed with %lu\n", Path, GetLastError());
    if (!Success)
        return FALSE;
    while (Length > 0 && (Token[Length - 1] == '\r' || Token[Length - 1] == '\n' || Token[Length - 1] == ' '))
        Token[--Length] = ANSI_NULL;
    ok(Length > 0, "%ls is empty\n", Path);
    return Length > 0;
}

/* The host reads the image as soon as the runner is done: the FAT and the directories must be on it */
static
VOID
FlushScratchVolume(
    _In_ WCHAR Letter)
{
    WCHAR VolumePath[] = L"\\\\.\\?:";
    HANDLE Volume;

    VolumePath[4] = Letter;
    Volume = CreateFileW(VolumePath, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         NULL, OPEN_EXISTING, 0, NULL);
    ok(Volume != INVALID_HANDLE_VALUE, "opening %ls failed with %lu\n", VolumePath, GetLastError());
    if (Volume == INVALID_HANDLE_VALUE)
        return;
    ok(FlushFileBuffers(Volume), "flushing %ls failed with %lu\n", VolumePath, GetLastError());
    CloseHandle(Volume);
}

static
VOID
ScratchRoundTrip(
    _In_ BOOLEAN WriteWrongBytes)
{
    CHAR Token[SCRATCH_MAX_TOKEN + 1];
    CHAR Echo[sizeof(SCRATCH_WRONG_PREFIX) + SCRATCH_MAX_TOKEN];
    CHAR ReadBack[sizeof(Echo)];
    WCHAR Path[MAX_PATH];
    WCHAR Letter;
    DWORD Length, Count;
    HANDLE File;
    BOOL Success;

    Letter = WaitForScratchVolume();
    if (Letter == 0 || !ReadScratchToken(Letter, Token, sizeof(Token)))
        return;

    _snwprintf(Path, ARRAYSIZE(Path), L"%c:\\%ls", Letter, SCRATCH_GUEST_FOLDER);
    Success = CreateDirectoryW(Path, NULL);
    ok(Success || GetLastError() == ERROR_ALREADY_EXISTS, "creating %ls failed with %lu\n", Path, GetLastError());

    Length = (DWORD)sprintf(Echo, "%s%s", WriteWrongBytes ? SCRATCH_WRONG_PREFIX : SCRATCH_ECHO_PREFIX, Token);
    _snwprintf(Path, ARRAYSIZE(Path), L"%c:\\%ls", Letter, SCRATCH_ECHO_FILE);
    File = CreateFileW(Path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_FLAG_WRITE_THROUGH, NULL);
    ok(File != INVALID_HANDLE_VALUE, "creating %ls failed with %lu\n", Path, GetLastError());
    if (File == INVALID_HANDLE_VALUE)
        return;
    Success = WriteFile(File, Echo, Length, &Count, NULL);
    ok(Success && Count == Length, "writing %ls: %d, %lu of %lu bytes, error %lu\n",
       Path, Success, Count, Length, GetLastError());
    ok(FlushFileBuffers(File), "flushing %ls failed with %lu\n", Path, GetLastError());
    CloseHandle(File);

    FlushScratchVolume(Letter);

    Success = ReadSmallFile(Path, ReadBack, sizeof(ReadBack), &Count);
    ok(Success && Count == Length && memcmp(ReadBack, Echo, Length) == 0,
       "%ls reads back as '%s' (%lu bytes), written '%s'\n", Path, ReadBack, Count, Echo);

    trace("scratch: seed=%s letter=%c bytes=%lu\n", Token, (CHAR)Letter, Length);
}

/* Sets one value of Key; a failed check names it */
static
VOID
SetScratchValue(
    _In_ HANDLE Key,
    _In_ PCWSTR Name,
    _In_ ULONG Type,
    _In_reads_bytes_(Size) PVOID Data,
    _In_ ULONG Size)
{
    UNICODE_STRING ValueName;
    NTSTATUS Status;

    RtlInitUnicodeString(&ValueName, Name);
    Status = NtSetValueKey(Key, &ValueName, 0, Type, Data, Size);
    ok(Status == STATUS_SUCCESS, "setting %ls returned 0x%08lx\n", Name, Status);
}

/* Creates (or opens) Name below Root, volatile so that nothing of it outlives the boot */
static
NTSTATUS
CreateScratchKey(
    _Out_ PHANDLE Key,
    _In_opt_ HANDLE Root,
    _In_ PCWSTR Name)
{
    UNICODE_STRING KeyName;
    OBJECT_ATTRIBUTES Attributes;

    RtlInitUnicodeString(&KeyName, Name);
    InitializeObjectAttributes(&Attributes, &KeyName, OBJ_CASE_INSENSITIVE, Root, NULL);
    return NtCreateKey(Key, KEY_ALL_ACCESS, &Attributes, 0, NULL, REG_OPTION_VOLATILE, NULL);
}

/*
 * A key of our own saved as a hive file on the scratch disk (NtSaveKey), for the host to parse
 * after the boot (harness/hive.py): what a persistent silo's hives will be checked with.
 */
static
VOID
ScratchSaveHive(VOID)
{
    static const WCHAR Multi[] = SCRATCH_HIVE_MULTI;
    CHAR Token[SCRATCH_MAX_TOKEN + 1];
    WCHAR WideToken[SCRATCH_MAX_TOKEN + 1];
    BYTE Blob[SCRATCH_HIVE_BLOB_BYTES];
    WCHAR Path[MAX_PATH];
    ULONG Count = SCRATCH_HIVE_COUNT, i;
    HANDLE Key, Sub, File;
    BOOLEAN WasEnabled;
    NTSTATUS Status = STATUS_UNSUCCESSFUL;
    WCHAR Letter;

    Letter = WaitForScratchVolume();
    if (Letter == 0 || !ReadScratchToken(Letter, Token, sizeof(Token)))
        return;
    for (i = 0; i < sizeof(Blob); i++)
        Blob[i] = (BYTE)(i * SCRATCH_HIVE_BLOB_STEP);
    _snwprintf(WideToken, ARRAYSIZE(WideToken), L"%hs", Token);
    WideToken[ARRAYSIZE(WideToken) - 1] = UNICODE_NULL;

    Status = CreateScratchKey(&Key, NULL, SCRATCH_HIVE_KEY);
    ok(Status == STATUS_SUCCESS, "creating %ls returned 0x%08lx\n", SCRATCH_HIVE_KEY, Status);
    if (!NT_SUCCESS(Status))
        return;
    Status = CreateScratchKey(&Sub, Key, SCRATCH_HIVE_SUBKEY);
    ok(Status == STATUS_SUCCESS, "creating %ls returned 0x%08lx\n", SCRATCH_HIVE_SUBKEY, Status);
    if (NT_SUCCESS(Status))
    {
        SetScratchValue(Sub, L"Token", REG_SZ, WideToken, (ULONG)(wcslen(WideToken) + 1) * sizeof(WCHAR));
        SetScratchValue(Sub, L"Count", REG_DWORD, &Count, sizeof(Count));
        SetScratchValue(Sub, L"Blob", REG_BINARY, Blob, sizeof(Blob));
        SetScratchValue(Sub, L"Multi", REG_MULTI_SZ, (PVOID)Multi, sizeof(Multi));
    }

    /* Saving a key needs SeBackupPrivilege */
    Status = RtlAdjustPrivilege(SE_BACKUP_PRIVILEGE, TRUE, FALSE, &WasEnabled);
    ok(Status == STATUS_SUCCESS, "enabling SeBackupPrivilege returned 0x%08lx\n", Status);
    _snwprintf(Path, ARRAYSIZE(Path), L"%c:\\%ls", Letter, SCRATCH_HIVE_FILE);
    /*
     * Write-through, as the round trip's file: ReactOS's FAT driver left the FAT entries of a file
     * the cache wrote in memory after a flush of the file and of the volume (a real boot's image
     * had the hive's clusters on disk and no chain to them)
     */
    File = CreateFileW(Path, GENERIC_READ | GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
                       FILE_ATTRIBUTE_NORMAL | FILE_FLAG_WRITE_THROUGH, NULL);
    ok(File != INVALID_HANDLE_VALUE, "creating %ls failed with %lu\n", Path, GetLastError());
    if (File != INVALID_HANDLE_VALUE)
    {
        Status = NtSaveKey(Key, File);
        ok(Status == STATUS_SUCCESS, "NtSaveKey to %ls returned 0x%08lx\n", Path, Status);
        ok(FlushFileBuffers(File), "flushing %ls failed with %lu\n", Path, GetLastError());
        CloseHandle(File);
    }

    if (NT_SUCCESS(NtDeleteKey(Sub)))
        NtClose(Sub);
    NtDeleteKey(Key);
    NtClose(Key);

    FlushScratchVolume(Letter);
    trace("scratch-hive: file=%ls token=%s saved=%d\n", SCRATCH_HIVE_FILE, Token, NT_SUCCESS(Status));
}

START_TEST(scratch)
{
    ScratchRoundTrip(FALSE);
}

/* Negative control: passes by its own account, but the host check must find the wrong bytes */
START_TEST(scratchwrong)
{
    ScratchRoundTrip(TRUE);
}

START_TEST(scratchhive)
{
    ScratchSaveHive();
}
