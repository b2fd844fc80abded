/* hello.c - the smallest complete dmaport program: a simulated machine, a
 * device, and one transfer each way through the DMA API (map, the device's
 * access, unmap).  Built against the installed library by `make
 * install-check`:
 *
 *   cc -o hello hello.c $(pkg-config --cflags --libs dmaport)
 */
#include <stdio.h>
#include <string.h>

#include <dmaport/simulator.h>

int main(void)
{
	/* the machine: caches not coherent with devices, memory above and
	 * below 4 GiB, a default bounce pool */
	struct dmp_sim_config cfg;
	struct dmp_sim *sim;
	dmp_sim_config_default(&cfg);
	if (dmp_sim_create(&cfg, &sim))
		return 1;

	/* the hardware, a device with a 32-bit DMA port, and the driver's view of it */
	struct dmp_sim_device_config hw_cfg = { .name = "hello", .port_bits = 32 };
	struct dmp_sim_device *hw;
	struct dmp_device dev;
	if (dmp_sim_device_create(sim, &hw_cfg, &hw))
		return 1;
	dmp_device_init(&dev, "hello");
	dmp_sim_device_link(&dev, hw);

	char *buf = dmp_kmalloc(64, DMP_GFP_KERNEL);
	char seen[64] = { 0 };
	if (!buf)
		return 1;

	/* CPU -> device: fill, map (the device owns it), the device reads, unmap */
	strcpy(buf, "hello, device");
	dmp_addr_t bus = dmp_map_single(&dev, buf, 64, DMP_TO_DEVICE);
	if (dmp_mapping_error(&dev, bus))
		return 1;
	dmp_sim_dma_read(hw, bus, seen, sizeof(seen));
	dmp_unmap_single(&dev, bus, 64, DMP_TO_DEVICE);

	/* device -> CPU: map, the device writes, unmap (the CPU owns it again) */
	bus = dmp_map_single(&dev, buf, 64, DMP_FROM_DEVICE);
	if (dmp_mapping_error(&dev, bus))
		return 1;
	dmp_sim_dma_write(hw, bus, "hello, CPU", 11);
	dmp_unmap_single(&dev, bus, 64, DMP_FROM_DEVICE);

	printf("the device read \"%s\"; the CPU read \"%s\"\n", seen, buf);
	int wrong = strcmp(seen, "hello, device") || strcmp(buf, "hello, CPU");
	dmp_kfree(buf);
	dmp_device_remove(&dev);
	dmp_sim_destroy(sim);
	return wrong;
}
