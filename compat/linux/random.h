/* SPDX-License-Identifier: MIT */
/*
 * <linux/random.h> for dmaport's Linux-compat layer.  The "random" bytes
 * come from a fixed-seed generator (xorshift64*), reseeded when a machine
 * loads: a run is reproducible, as everything on the simulated machine.  Not
 * for cryptography.
 */
#ifndef DMP_COMPAT_LINUX_RANDOM_H
#define DMP_COMPAT_LINUX_RANDOM_H

#include <linux/types.h>

u64 dmp_lx_random_u64(void);
void get_random_bytes(void *buf, size_t len);
#define get_random_u64() dmp_lx_random_u64()
#define get_random_u32() ((u32)dmp_lx_random_u64())
#define get_random_u16() ((u16)dmp_lx_random_u64())
#define get_random_u8() ((u8)dmp_lx_random_u64())
#define get_random_int() ((unsigned int)dmp_lx_random_u64())
#define get_random_long() ((unsigned long)dmp_lx_random_u64())
#define prandom_u32() get_random_u32()
static inline u32 get_random_u32_below(u32 ceil)
{
	return ceil ? (u32)(((u64)get_random_u32() * ceil) >> 32) : 0;
}
#define prandom_u32_max(ceil) get_random_u32_below(ceil)
static inline u32 get_random_u32_inclusive(u32 floor, u32 ceil)
{
	return floor + get_random_u32_below(ceil - floor + 1);
}
#define get_random_u32_above(floor) (floor + 1 + get_random_u32_below(~0U - floor))
#define get_random_once(buf, nbytes) get_random_bytes((buf), (nbytes))
#define add_device_randomness(buf, len) do { (void)(buf); (void)(len); } while (0)

struct rnd_state {
	u64 s;
};
static inline void prandom_seed_state(struct rnd_state *state, u64 seed)
{
	state->s = seed ? seed : 0x9e3779b97f4a7c15ull;
}
static inline u32 prandom_u32_state(struct rnd_state *state)
{
	state->s ^= state->s >> 12;
	state->s ^= state->s << 25;
	state->s ^= state->s >> 27;
	return (u32)((state->s * 0x2545f4914f6cdd1dull) >> 32);
}
static inline void prandom_bytes_state(struct rnd_state *state, void *buf, size_t nbytes)
{
	u8 *p = (u8 *)buf;
	while (nbytes--)
		*p++ = (u8)prandom_u32_state(state);
}

#endif /* DMP_COMPAT_LINUX_RANDOM_H */
