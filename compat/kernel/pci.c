/* SPDX-License-Identifier: MIT */
/*
 * pci.c - the PCI bus of the Linux-compat runtime (see <linux/pci.h>).
 */
#include "runtime.h"

int dmp_lx_pci_machine_up(struct dmp_sim_platform *p)
{
	(void)p;
	return 0;
}

void dmp_lx_pci_machine_down(void)
{
}
