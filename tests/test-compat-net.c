/* test-compat-net.c - an Ethernet driver with descriptor rings
 * (tests/drivers/ring-eth.c, compiled against compat/linux alone) on the
 * simulator's eth-nic controllers of tests/drivers/eth.dts, with this
 * program as the network stack: frames of every length sent through
 * dev_queue_xmit come back byte for byte (the controller in loopback),
 * bursts longer than the transmit ring stop and wake the queue, frames go
 * out on the wire and come in from it, a receive ring left unserviced
 * drops what does not fit and counts it, the same under hostile caches;
 * closing and unloading leave nothing for the checker.  One controller is
 * behind the IOMMU, the other has a 32-bit port (its skbs above 4 GiB
 * bounce).
 *
 * Built with -Icompat, linked with the compat runtime. */
#define KBUILD_MODNAME "ring_eth"
#include "drivers/ring-eth.c"

#include <stdlib.h>
#include <string.h>

#include <linux/delay.h>

#include <dmaport/debug.h>
#include <dmaport/linux.h>
#include <dmaport/sim/eth-nic.h>
#include <dmaport/sim/irq.h>

#include "support/sim-fixture.h"
#include "support/lx-fixture.h"

#define ETH_DTS "tests/drivers/eth.dts"

static const char *const ifaces[] = { "eth0", "eth1" };
static const char *const nodes[] = { "ethernet@9200000", "ethernet@9210000" };

static void load_weight(bool hostile, const char *loop, const char *weight)
{
	struct dmp_lx_machine_opts opts = { 0 };
	opts.platform.hostile = hostile;
	opts.platform.seed = 0x5eed;
	lx_machine_load(ETH_DTS, &opts, DMP_DEBUG_FAIL);
	assert_int_equal(dmp_lx_param_set("ring_eth.loopback", loop), 0);
	assert_int_equal(dmp_lx_param_set("ring_eth.napi_weight", weight), 0);
	assert_int_equal(dmp_lx_module_load(dmp_lx_module_find("ring_eth")), 0);
	assert_int_equal(dmp_lx_bound_count(), 2);
}

static void load(bool hostile, const char *loop)
{
	load_weight(hostile, loop, "64");
}

static void unload_clean(void)
{
	assert_int_equal(dmp_lx_module_unload(dmp_lx_module_find("ring_eth")), 0);
	assert_int_equal(dmp_lx_bound_count(), 0);
	assert_null(dev_get_by_name(&init_net, "eth0"));
	lx_machine_unload_clean();
}

static struct dmp_sim_device *nic_hw(unsigned int k)
{
	struct dmp_sim_platform_device *pd = dmp_sim_platform_find(dmp_lx_machine_platform(), nodes[k]);
	assert_non_null(pd);
	return pd->hw;
}

static struct net_device *up(unsigned int k)
{
	struct net_device *nd = dev_get_by_name(&init_net, ifaces[k]);
	assert_non_null(nd);
	assert_int_equal(dev_open(nd, NULL), 0);
	assert_true(netif_running(nd) && netif_carrier_ok(nd));
	return nd;
}

/* A frame: to @dst from @src, EtherType 0x88b5 (local experimental), a
 * payload numbered by @seq, @len bytes in all. */
static size_t make_frame(u8 *f, size_t len, const u8 *dst, const u8 *src, unsigned int seq)
{
	memcpy(f, dst, ETH_ALEN);
	memcpy(f + ETH_ALEN, src, ETH_ALEN);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (size_t i = ETH_HLEN; i < len; i++)
		f[i] = (u8)(seq * 31 + i);
	return len;
}

static size_t frame_len(unsigned int seq)
{
	/* short ones (padded to ETH_ZLEN by the driver) to full ones */
	return ETH_HLEN + (seq * 397) % (ETH_DATA_LEN + 1);
}

/* The frame a receiver sees for what was sent: padded to ETH_ZLEN. */
static void expect_frame(const u8 *got, int got_len, const u8 *sent, size_t sent_len)
{
	size_t want = sent_len < ETH_ZLEN ? ETH_ZLEN : sent_len;
	assert_int_equal(got_len, (int)want);
	assert_memory_equal(got, sent, sent_len);
	for (size_t i = sent_len; i < want; i++)
		assert_int_equal(got[i], 0);
}

/* Send @n frames in bursts of @burst through @nd (looped back) and check
 * each comes back in order. */
static void loop_frames(struct net_device *nd, unsigned int n, unsigned int burst)
{
	static u8 sent[64][ETH_FRAME_LEN], got[2048];
	size_t lens[64];
	assert_true(burst <= 64);
	unsigned long tx0 = nd->stats.tx_packets, rx0 = nd->stats.rx_packets;
	for (unsigned int base = 0; base < n; base += burst) {
		unsigned int k = n - base < burst ? n - base : burst;
		for (unsigned int i = 0; i < k; i++) {
			lens[i] = make_frame(sent[i], frame_len(base + i), nd->dev_addr, nd->dev_addr,
					     base + i);
			assert_int_equal(dmp_lx_net_xmit(nd, sent[i], lens[i]), 0);
		}
		/* a burst longer than the ring: the queue stopped, the rest held */
		if (k >= TX_RING)
			assert_true(netif_queue_stopped(nd));
		msleep(20);
		for (unsigned int i = 0; i < k; i++) {
			int len = dmp_lx_net_rx_pop(nd, got, sizeof(got));
			if (len < 0)
				fail_msg("%s: frame %u of %u did not come back (%d)", nd->name, base + i,
					 n, len);
			expect_frame(got, len, sent[i], lens[i]);
		}
		assert_int_equal(dmp_lx_net_rx_pop(nd, got, sizeof(got)), -EAGAIN);
		assert_false(netif_queue_stopped(nd));
	}
	assert_int_equal(nd->stats.tx_packets - tx0, n);
	assert_int_equal(nd->stats.rx_packets - rx0, n);
}

static void test_loopback(void **state)
{
	(void)state;
	for (int hostile = 0; hostile < 2; hostile++) {
		load(hostile, "1");
		for (unsigned int k = 0; k < 2; k++) {
			struct net_device *nd = up(k);
			assert_true(is_valid_ether_addr(nd->dev_addr));
			loop_frames(nd, 150, 7);
			loop_frames(nd, 100, 50); /* bursts over the 32-entry ring */
			struct dmp_eth_nic_stats st;
			assert_int_equal(dmp_sim_eth_nic_stats(nic_hw(k), &st), 0);
			assert_int_equal(st.tx_frames, 250);
			assert_int_equal(st.rx_frames, 250);
			assert_int_equal(st.rx_dropped, 0);
			assert_int_equal(st.errors, 0);
			dev_close(nd);
			assert_false(netif_running(nd));
		}
		unload_clean();
	}
}

static void test_wire(void **state)
{
	(void)state;
	load(false, "0");
	static const u8 peer[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	u8 f[ETH_FRAME_LEN], got[2048];
	for (unsigned int k = 0; k < 2; k++) {
		struct net_device *nd = up(k);
		struct dmp_sim_device *hw = nic_hw(k);
		/* out: each frame on the wire, nothing received */
		for (unsigned int i = 0; i < 40; i++) {
			size_t len = make_frame(f, frame_len(i + 3), peer, nd->dev_addr, i);
			assert_int_equal(dmp_lx_net_xmit(nd, f, len), 0);
			msleep(1);
			int n = dmp_sim_eth_wire_pop(hw, got, sizeof(got));
			expect_frame(got, n, f, len);
		}
		assert_int_equal(dmp_sim_eth_wire_pop(hw, got, sizeof(got)), -EAGAIN);
		assert_int_equal(dmp_lx_net_rx_pop(nd, got, sizeof(got)), -EAGAIN);
		/* in: frames from the wire passed up */
		for (unsigned int i = 0; i < 40; i++) {
			size_t len = make_frame(f, frame_len(i + 100), nd->dev_addr, peer, i);
			assert_int_equal(dmp_sim_eth_wire_inject(hw, f, len), 0);
			msleep(1);
			int n = dmp_lx_net_rx_pop(nd, got, sizeof(got));
			assert_int_equal(n, (int)len);
			assert_memory_equal(got, f, len);
		}
		/* a receive ring nobody services meanwhile: 31 buffers, the rest dropped */
		unsigned long missed = nd->stats.rx_missed_errors;
		local_bh_disable();
		for (unsigned int i = 0; i < 40; i++) {
			size_t len = make_frame(f, 200, nd->dev_addr, peer, i);
			assert_int_equal(dmp_sim_eth_wire_inject(hw, f, len), 0);
		}
		local_bh_enable();
		msleep(1);
		unsigned int received = 0;
		while (dmp_lx_net_rx_pop(nd, got, sizeof(got)) > 0)
			received++;
		assert_int_equal(received, RX_RING - 1);
		struct dmp_eth_nic_stats st;
		assert_int_equal(dmp_sim_eth_nic_stats(hw, &st), 0);
		assert_int_equal(st.rx_dropped, 40 - (RX_RING - 1));
		assert_true(nd->stats.rx_missed_errors > missed);
		/* and it works again after */
		size_t len = make_frame(f, 1000, nd->dev_addr, peer, 7);
		assert_int_equal(dmp_sim_eth_wire_inject(hw, f, len), 0);
		msleep(1);
		assert_int_equal(dmp_lx_net_rx_pop(nd, got, sizeof(got)), (int)len);
		/* closing a device with frames in flight frees them */
		for (unsigned int i = 0; i < 10; i++) {
			len = make_frame(f, 1500, peer, nd->dev_addr, i);
			assert_int_equal(dmp_lx_net_xmit(nd, f, len), 0);
		}
		dev_close(nd);
	}
	unload_clean();
}

/* A budget smaller than what waits: the poll uses it all and NAPI polls
 * again until the ring is empty, in order, nothing lost. */
static void test_napi_budget(void **state)
{
	(void)state;
	load_weight(false, "0", "4");
	static const u8 peer[ETH_ALEN] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	u8 f[RX_RING][ETH_FRAME_LEN], got[2048];
	size_t lens[RX_RING];
	struct net_device *nd = up(0);
	struct dmp_sim_device *hw = nic_hw(0);
	/* 30 frames arrive while bottom halves are off: all in the ring */
	local_bh_disable();
	for (unsigned int i = 0; i < 30; i++) {
		lens[i] = make_frame(f[i], 100 + i, nd->dev_addr, peer, i);
		assert_int_equal(dmp_sim_eth_wire_inject(hw, f[i], lens[i]), 0);
	}
	local_bh_enable();
	msleep(1);
	for (unsigned int i = 0; i < 30; i++) {
		int n = dmp_lx_net_rx_pop(nd, got, sizeof(got));
		assert_int_equal(n, (int)lens[i]);
		assert_memory_equal(got, f[i], lens[i]);
	}
	assert_int_equal(nd->stats.rx_packets, 30);
	dev_close(nd);
	unload_clean();
}

/* Unloading with the devices up closes them (ndo_stop) before devres
 * unwinds. */
static void test_unload_while_up(void **state)
{
	(void)state;
	load(false, "1");
	u8 f[ETH_FRAME_LEN];
	for (unsigned int k = 0; k < 2; k++) {
		struct net_device *nd = up(k);
		for (unsigned int i = 0; i < 20; i++) {
			size_t len = make_frame(f, frame_len(i), nd->dev_addr, nd->dev_addr, i);
			assert_int_equal(dmp_lx_net_xmit(nd, f, len), 0);
		}
	}
	unload_clean();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_wire),
		cmocka_unit_test(test_napi_budget),
		cmocka_unit_test(test_unload_while_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
