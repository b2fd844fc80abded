/* SPDX-License-Identifier: MIT */
/* <linux/cpumask.h> for dmaport's Linux-compat layer: one simulated CPU, CPU 0. */
#ifndef DMP_COMPAT_LINUX_CPUMASK_H
#define DMP_COMPAT_LINUX_CPUMASK_H

#include <linux/types.h>
#include <linux/sched.h>

struct cpumask {
	unsigned long bits[1];
};
typedef struct cpumask cpumask_t;
typedef struct cpumask cpumask_var_t[1];
extern const struct cpumask dmp_lx_cpu_mask_one;
#define cpu_online_mask (&dmp_lx_cpu_mask_one)
#define cpu_possible_mask (&dmp_lx_cpu_mask_one)
#define cpu_present_mask (&dmp_lx_cpu_mask_one)
#define cpumask_of(cpu) (&dmp_lx_cpu_mask_one)
#define cpumask_of_node(node) (&dmp_lx_cpu_mask_one)
#define cpumask_first(mask) 0U
#define cpumask_weight(mask) 1U
#define cpumask_test_cpu(cpu, mask) ((cpu) == 0)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#define for_each_online_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#define for_each_present_cpu(cpu) for ((cpu) = 0; (cpu) < 1; (cpu)++)
#define cpu_online(cpu) ((cpu) == 0)
#define cpu_possible(cpu) ((cpu) == 0)

#endif /* DMP_COMPAT_LINUX_CPUMASK_H */
