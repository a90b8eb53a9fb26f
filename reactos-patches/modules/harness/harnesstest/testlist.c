/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Test list of the harness self-tests
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#define STANDALONE
#include <wine/test.h>

extern void func_assert(void);
extern void func_broken(void);
extern void func_bugcheck(void);
extern void func_hang(void);
extern void func_processes(void);
extern void func_reboot(void);
extern void func_scratch(void);
extern void func_scratchhive(void);
extern void func_scratchwrong(void);
extern void func_version(void);

const struct test winetest_testlist[] =
{
    { "assert", func_assert },
    { "broken", func_broken },
    { "bugcheck", func_bugcheck },
    { "hang", func_hang },
    { "processes", func_processes },
    { "reboot", func_reboot },
    { "scratch", func_scratch },
    { "scratchhive", func_scratchhive },
    { "scratchwrong", func_scratchwrong },
    { "version", func_version },
    { 0, 0 }
};
