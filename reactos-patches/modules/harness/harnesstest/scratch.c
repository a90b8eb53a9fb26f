/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     The harness's scratch disk: find the FAT32 volume the host made, read the
 *              host's token from it and write it back for the host to check after the boot
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

/* What the host puts on the disk (harness/scratch.py, harness/hostcheck.py) */
#define SCRATCH_VOLUME_LABEL    L"HARNESSDISK"
#define SCRATCH_SEED_FILE       L"SEED.TXT"
#define SCRATCH_GUEST_FOLDER    L"GUEST"
#define SCRATCH_ECHO_FILE       L"GUEST\\ECHO.TXT"
#define SCRATCH_ECHO_PREFIX     "echo "
#define SCRATCH_WRONG_PREFIX    "echo WRONG-"
#define SCRATCH_MAX_TOKEN       64

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

static
VOID
ScratchRoundTrip(
    _In_ BOOLEAN WriteWrongBytes)
{
    CHAR Token[SCRATCH_MAX_TOKEN + 1];
    CHAR Echo[sizeof(SCRATCH_WRONG_PREFIX) + SCRATCH_MAX_TOKEN];
    CHAR ReadBack[sizeof(Echo)];
    WCHAR Path[MAX_PATH];
    WCHAR VolumePath[] = L"\\\\.\\?:";
    WCHAR Letter = 0;
    DWORD Waited, Length, Count;
    HANDLE File, Volume;
    BOOL Success;

    for (Waited = 0; !FindScratchVolume(&Letter) && Waited < SCRATCH_MOUNT_WAIT_MS; Waited += SCRATCH_POLL_MS)
        Sleep(SCRATCH_POLL_MS);
    ok(Letter != 0, "no fixed volume labelled %ls after %lu ms\n", SCRATCH_VOLUME_LABEL, Waited);
    if (Letter == 0)
        return;

    _snwprintf(Path, ARRAYSIZE(Path), L"%c:\\%ls", Letter, SCRATCH_SEED_FILE);
    Success = ReadSmallFile(Path, Token, sizeof(Token), &Length);
    ok(Success, "reading %ls failed with %lu\n", Path, GetLastError());
    if (!Success)
        return;
    while (Length > 0 && (Token[Length - 1] == '\r' || Token[Length - 1] == '\n' || Token[Length - 1] == ' '))
        Token[--Length] = ANSI_NULL;
    ok(Length > 0, "%ls is empty\n", Path);

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

    /* The host reads the image as soon as the runner is done: the FAT and the directory must be on it */
    VolumePath[4] = Letter;
    Volume = CreateFileW(VolumePath, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                         NULL, OPEN_EXISTING, 0, NULL);
    ok(Volume != INVALID_HANDLE_VALUE, "opening %ls failed with %lu\n", VolumePath, GetLastError());
    if (Volume != INVALID_HANDLE_VALUE)
    {
        ok(FlushFileBuffers(Volume), "flushing %ls failed with %lu\n", VolumePath, GetLastError());
        CloseHandle(Volume);
    }

    Success = ReadSmallFile(Path, ReadBack, sizeof(ReadBack), &Count);
    ok(Success && Count == Length && memcmp(ReadBack, Echo, Length) == 0,
       "%ls reads back as '%s' (%lu bytes), written '%s'\n", Path, ReadBack, Count, Echo);

    trace("scratch: seed=%s letter=%c bytes=%lu\n", Token, (CHAR)Letter, Length);
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
