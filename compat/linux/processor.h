/* SPDX-License-Identifier: MIT */
/* <linux/processor.h> for dmaport's Linux-compat layer: cpu_relax() (see <linux/sched.h>). */
#ifndef DMP_COMPAT_LINUX_PROCESSOR_H
#define DMP_COMPAT_LINUX_PROCESSOR_H
void dmp_lx_cpu_relax(void);
#define cpu_relax() dmp_lx_cpu_relax()
#endif
