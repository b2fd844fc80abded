/* hello.c - the smallest dmaport program: a simulated machine, a buffer, a
 * device that reads it.  Built against the installed library by
 * `make install-check`. */
#include <stdio.h>
#include <string.h>

#include <dmaport/dmaport.h>

int main(void)
{
	struct dmp_sim_config cfg;
	struct dmp_sim *sim;
	struct dmp_sim_device *dev;

	dmp_sim_config_default(&cfg);
	cfg.outer_cache = false;
	if (dmp_sim_create(&cfg, &sim))
		return 1;
	struct dmp_sim_device_config dc = { .name = "hello", .port_bits = 64, .coherent = true };
	if (dmp_sim_device_create(sim, &dc, &dev))
		return 1;
	char *buf = dmp_kmalloc(64, DMP_GFP_KERNEL);
	dmp_phys_t phys;
	strcpy(buf, "hello, device");
	dmp_virt_to_phys(buf, &phys);
	char seen[64];
	dmp_sim_dma_read(dev, phys, seen, sizeof(seen));
	printf("a coherent device read: \"%s\"\n", seen);
	dmp_kfree(buf);
	dmp_sim_destroy(sim);
	return strcmp(seen, "hello, device") != 0;
}
