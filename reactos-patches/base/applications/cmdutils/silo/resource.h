#pragma once

#define IDS_USAGE           0
#define IDS_HELP_CREATE     1
#define IDS_HELP_START      2
#define IDS_HELP_RUN        3
#define IDS_HELP_LIST       4
#define IDS_HELP_STOP       5
#define IDS_HELP_RM         6
#define IDS_HELP_INSPECT    7
