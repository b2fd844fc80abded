/* SPDX-License-Identifier: MIT */
/*
 * <linux/fs.h> for dmaport's Linux-compat layer: what a character driver
 * needs to define its file operations.  There is no VFS: a test plays the
 * process, opening a misc device by name (dmp_lx_misc_open, see
 * <dmaport/linux.h>) and calling the operations with a struct file.
 * register_chrdev and friends hand out numbers and record nothing else.
 */
#ifndef DMP_COMPAT_LINUX_FS_H
#define DMP_COMPAT_LINUX_FS_H

#include <linux/types.h>
#include <linux/kdev_t.h>
#include <linux/errno.h>
#include <linux/wait.h>
#include <linux/uaccess.h>
#include <linux/mm_types.h>

struct module;
struct inode {
	dev_t i_rdev;
	umode_t i_mode;
	loff_t i_size;
	void *i_private;
};

struct file {
	void *private_data;
	unsigned int f_flags;
	fmode_t f_mode;
	loff_t f_pos;
	struct inode *f_inode;
	const struct file_operations *f_op;
};

struct poll_table_struct;
typedef unsigned int __poll_t;
struct kiocb;
struct iov_iter;

struct file_operations {
	struct module *owner;
	loff_t (*llseek)(struct file *, loff_t, int);
	ssize_t (*read)(struct file *, char __user *, size_t, loff_t *);
	ssize_t (*write)(struct file *, const char __user *, size_t, loff_t *);
	ssize_t (*read_iter)(struct kiocb *, struct iov_iter *);
	ssize_t (*write_iter)(struct kiocb *, struct iov_iter *);
	__poll_t (*poll)(struct file *, struct poll_table_struct *);
	long (*unlocked_ioctl)(struct file *, unsigned int, unsigned long);
	long (*compat_ioctl)(struct file *, unsigned int, unsigned long);
	int (*mmap)(struct file *, struct vm_area_struct *);
	int (*open)(struct inode *, struct file *);
	int (*flush)(struct file *, void *id);
	int (*release)(struct inode *, struct file *);
	int (*fsync)(struct file *, loff_t, loff_t, int datasync);
	int (*fasync)(int, struct file *, int);
};

#define FMODE_READ ((fmode_t)0x1)
#define FMODE_WRITE ((fmode_t)0x2)
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}
static inline int simple_open(struct inode *inode, struct file *file)
{
	if (inode && inode->i_private)
		file->private_data = inode->i_private;
	return 0;
}
static inline int nonseekable_open(struct inode *inode, struct file *filp)
{
	(void)inode;
	(void)filp;
	return 0;
}
static inline int stream_open(struct inode *inode, struct file *filp)
{
	(void)inode;
	(void)filp;
	return 0;
}
loff_t noop_llseek(struct file *file, loff_t offset, int whence);
loff_t no_llseek(struct file *file, loff_t offset, int whence);
loff_t default_llseek(struct file *file, loff_t offset, int whence);
ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos, const void *from,
				size_t available);
ssize_t simple_write_to_buffer(void *to, size_t available, loff_t *ppos,
			       const void __user *from, size_t count);
int register_chrdev(unsigned int major, const char *name, const struct file_operations *fops);
void unregister_chrdev(unsigned int major, const char *name);
int alloc_chrdev_region(dev_t *dev, unsigned int baseminor, unsigned int count, const char *name);
int register_chrdev_region(dev_t from, unsigned int count, const char *name);
void unregister_chrdev_region(dev_t from, unsigned int count);
#define iminor(inode) MINOR((inode)->i_rdev)
#define imajor(inode) MAJOR((inode)->i_rdev)

#endif /* DMP_COMPAT_LINUX_FS_H */
