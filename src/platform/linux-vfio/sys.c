/* SPDX-License-Identifier: MIT */
/*
 * sys.c - the system calls of the VFIO platform, through one table that
 * tests can redirect (vfio-internal.h).
 */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio-internal.h"

static int sys_open(const char *path, int flags)
{
	return open(path, flags | O_CLOEXEC);
}

static int sys_ioctl(int fd, unsigned long request, void *arg)
{
	return ioctl(fd, request, arg);
}

static int sys_poll_in(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	return poll(&p, 1, timeout_ms);
}

static const struct dmp__vfio_sys libc_sys = {
	.open = sys_open,
	.close = close,
	.ioctl = sys_ioctl,
	.pread = pread,
	.pwrite = pwrite,
	.mmap = mmap,
	.munmap = munmap,
	.readlink = readlink,
	.realpath = realpath,
	.access = access,
	.memfd_create = memfd_create,
	.ftruncate = ftruncate,
	.mlock = mlock,
	.eventfd = eventfd,
	.read = read,
	.poll_in = sys_poll_in,
};

struct dmp__vfio_sys dmp__vfio_sys = libc_sys;

void dmp__vfio_sys_reset(void)
{
	dmp__vfio_sys = libc_sys;
}
