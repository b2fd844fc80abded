/* SPDX-License-Identifier: MIT */
/*
 * <linux/debugfs.h> for dmaport's Linux-compat layer.  debugfs is a tree of
 * names in memory: files record their fops and data, which a program opens
 * by path with dmp_lx_debugfs_open() (see <dmaport/linux.h>) as a process
 * would open /sys/kernel/debug/PATH (inode->i_private is the data, so
 * simple_open works); the value helpers (debugfs_create_u32 ...) record
 * their variable.  As in Linux, failures are not errors a driver must
 * handle: the calls return an ERR_PTR that the other calls accept.
 */
#ifndef DMP_COMPAT_LINUX_DEBUGFS_H
#define DMP_COMPAT_LINUX_DEBUGFS_H

#include <linux/fs.h>
#include <linux/err.h>
#include <linux/types.h>

struct dentry;

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent);
struct dentry *debugfs_create_file(const char *name, umode_t mode, struct dentry *parent,
				   void *data, const struct file_operations *fops);
#define debugfs_create_file_unsafe debugfs_create_file
#define debugfs_create_file_size(name, mode, parent, data, fops, size)                  \
	debugfs_create_file((name), (mode), (parent), (data), (fops))
struct dentry *dmp_lx_debugfs_value(const char *name, umode_t mode, struct dentry *parent,
				    void *value, size_t size);
#define debugfs_create_u8(name, mode, parent, value) (void)dmp_lx_debugfs_value(name, mode, parent, value, 1)
#define debugfs_create_u16(name, mode, parent, value) (void)dmp_lx_debugfs_value(name, mode, parent, value, 2)
#define debugfs_create_u32(name, mode, parent, value) (void)dmp_lx_debugfs_value(name, mode, parent, value, 4)
#define debugfs_create_u64(name, mode, parent, value) (void)dmp_lx_debugfs_value(name, mode, parent, value, 8)
#define debugfs_create_x8 debugfs_create_u8
#define debugfs_create_x16 debugfs_create_u16
#define debugfs_create_x32 debugfs_create_u32
#define debugfs_create_x64 debugfs_create_u64
#define debugfs_create_size_t(name, mode, parent, value) (void)dmp_lx_debugfs_value(name, mode, parent, value, sizeof(size_t))
#define debugfs_create_ulong(name, mode, parent, value) (void)dmp_lx_debugfs_value(name, mode, parent, value, sizeof(unsigned long))
#define debugfs_create_bool(name, mode, parent, value) (void)dmp_lx_debugfs_value(name, mode, parent, value, sizeof(bool))
#define debugfs_create_atomic_t(name, mode, parent, value) (void)dmp_lx_debugfs_value(name, mode, parent, value, sizeof(atomic_t))
#define debugfs_create_symlink(name, parent, dest) dmp_lx_debugfs_value(name, 0777, parent, NULL, 0)
void debugfs_remove(struct dentry *dentry);
#define debugfs_remove_recursive(d) debugfs_remove(d)
void debugfs_lookup_and_remove(const char *name, struct dentry *parent);
struct dentry *debugfs_lookup(const char *name, struct dentry *parent);
#define debugfs_initialized() true

#define DEFINE_DEBUGFS_ATTRIBUTE(__fops, __get, __set, __fmt)                           \
	static const struct file_operations __fops __attribute__((unused)) = { .open = simple_open }
#define DEFINE_SIMPLE_ATTRIBUTE(__fops, __get, __set, __fmt)                            \
	DEFINE_DEBUGFS_ATTRIBUTE(__fops, __get, __set, __fmt)
#define DEFINE_SHOW_ATTRIBUTE(__name)                                                   \
	static const struct file_operations __name##_fops __attribute__((unused)) = {  \
		.open = simple_open }

#endif /* DMP_COMPAT_LINUX_DEBUGFS_H */
