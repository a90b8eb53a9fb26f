/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Proves the harness loop: the guest reports the version it runs
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#include "precomp.h"

/* ReactOS reports itself as Windows Server 2003 SP2 */
#define EXPECTED_MAJOR_VERSION  5
#define EXPECTED_MINOR_VERSION  2
#define EXPECTED_BUILD_NUMBER   3790

START_TEST(version)
{
    RTL_OSVERSIONINFOEXW RtlVersion = { sizeof(RtlVersion) };
    OSVERSIONINFOEXW Win32Version = { sizeof(Win32Version) };
    NTSTATUS Status;

    Status = RtlGetVersion((PRTL_OSVERSIONINFOW)&RtlVersion);
    ok(Status == STATUS_SUCCESS, "RtlGetVersion returned 0x%08lx\n", Status);
    ok(RtlVersion.dwMajorVersion == EXPECTED_MAJOR_VERSION, "major version %lu\n", RtlVersion.dwMajorVersion);
    ok(RtlVersion.dwMinorVersion == EXPECTED_MINOR_VERSION, "minor version %lu\n", RtlVersion.dwMinorVersion);
    ok(RtlVersion.dwBuildNumber == EXPECTED_BUILD_NUMBER, "build number %lu\n", RtlVersion.dwBuildNumber);
    ok(RtlVersion.dwPlatformId == VER_PLATFORM_WIN32_NT, "platform %lu\n", RtlVersion.dwPlatformId);

    /* kernel32 must agree with ntdll */
    ok(GetVersionExW((LPOSVERSIONINFOW)&Win32Version), "GetVersionExW failed with %lu\n", GetLastError());
    ok(Win32Version.dwMajorVersion == RtlVersion.dwMajorVersion &&
       Win32Version.dwMinorVersion == RtlVersion.dwMinorVersion &&
       Win32Version.dwBuildNumber == RtlVersion.dwBuildNumber,
       "kernel32 reports %lu.%lu.%lu, ntdll %lu.%lu.%lu\n",
       Win32Version.dwMajorVersion, Win32Version.dwMinorVersion, Win32Version.dwBuildNumber,
       RtlVersion.dwMajorVersion, RtlVersion.dwMinorVersion, RtlVersion.dwBuildNumber);

    trace("running on %lu.%lu build %lu (%ls)\n", RtlVersion.dwMajorVersion,
          RtlVersion.dwMinorVersion, RtlVersion.dwBuildNumber, RtlVersion.szCSDVersion);
}
