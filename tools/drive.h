/* SPDX-License-Identifier: MIT */
/* drive.h - dmaport-sim's `drive` command: Linux drivers on a device-tree machine. */
#ifndef DMP_TOOLS_DRIVE_H
#define DMP_TOOLS_DRIVE_H

#include <stdio.h>

void usage_drive(FILE *f);
int cmd_drive(int argc, char **argv);

#endif
