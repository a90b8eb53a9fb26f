/*
 * PROJECT:     ReactOS server-silo test harness
 * LICENSE:     GPL-2.0-or-later (https://spdx.org/licenses/GPL-2.0-or-later)
 * PURPOSE:     Test list of the silo tests
 * COPYRIGHT:   Copyright 2026 ReactOS server-silo project contributors
 */

#define STANDALONE
#include <wine/test.h>

extern void func_bench(void);
extern void func_child(void);
extern void func_ddi(void);
extern void func_fuzz(void);
extern void func_jobs(void);
extern void func_objects(void);

const struct test winetest_testlist[] =
{
    { "bench", func_bench },
    { "child", func_child },
    { "ddi", func_ddi },
    { "fuzz", func_fuzz },
    { "jobs", func_jobs },
    { "objects", func_objects },
    { 0, 0 }
};
