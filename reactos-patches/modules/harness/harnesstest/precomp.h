/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Common header of the harness self-tests
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#ifndef _HARNESSTEST_PRECOMP_H_
#define _HARNESSTEST_PRECOMP_H_

#include <stdio.h>

#define WIN32_NO_STATUS
#define _INC_WINDOWS
#define COM_NO_WINDOWS_H
#include <windef.h>
#include <winbase.h>
#include <wine/test.h>

#define NTOS_MODE_USER
#include <ndk/exfuncs.h>
#include <ndk/psfuncs.h>
#include <ndk/rtlfuncs.h>
#include <ndk/setypes.h>

#endif /* _HARNESSTEST_PRECOMP_H_ */
