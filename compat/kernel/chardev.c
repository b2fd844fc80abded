/* SPDX-License-Identifier: MIT */
/*
 * chardev.c - the character-device side of the Linux-compat runtime: file
 * helpers, misc devices and debugfs, which a program opens by name to call a
 * driver's file operations as a process would (see <linux/miscdevice.h>,
 * <linux/debugfs.h>).
 */
#include <stdlib.h>
#include <string.h>

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>

#include "runtime.h"

/* --- file helpers -------------------------------------------------------- */

loff_t noop_llseek(struct file *file, loff_t offset, int whence)
{
	(void)offset;
	(void)whence;
	return file->f_pos;
}

loff_t no_llseek(struct file *file, loff_t offset, int whence)
{
	(void)file;
	(void)offset;
	(void)whence;
	return -ESPIPE;
}

loff_t default_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t pos = whence == SEEK_SET ? offset : whence == SEEK_CUR ? file->f_pos + offset : -1;
	if (pos < 0)
		return -EINVAL;
	file->f_pos = pos;
	return pos;
}

/* The part of a @count-byte transfer at *@ppos that lies inside a buffer of
 * @available bytes, in *@count: 1, or 0 (nothing to move) or -EINVAL (a
 * negative position) to return as is. */
static ssize_t buffer_span(const loff_t *ppos, size_t available, size_t *count)
{
	loff_t pos = *ppos;
	if (pos < 0)
		return -EINVAL;
	if ((size_t)pos >= available || !*count)
		return 0;
	if (*count > available - (size_t)pos)
		*count = available - (size_t)pos;
	return 1;
}

ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos, const void *from,
				size_t available)
{
	ssize_t span = buffer_span(ppos, available, &count);
	if (span <= 0)
		return span;
	loff_t pos = *ppos;
	if (copy_to_user(to, (const char *)from + pos, count))
		return -EFAULT;
	*ppos = pos + (loff_t)count;
	return (ssize_t)count;
}

ssize_t simple_write_to_buffer(void *to, size_t available, loff_t *ppos,
			       const void __user *from, size_t count)
{
	ssize_t span = buffer_span(ppos, available, &count);
	if (span <= 0)
		return span;
	loff_t pos = *ppos;
	if (copy_from_user((char *)to + pos, from, count))
		return -EFAULT;
	*ppos = pos + (loff_t)count;
	return (ssize_t)count;
}

/* Character device numbers: handed out, nothing else recorded. */
static unsigned int next_major = 240; /* Linux's "local/experimental" range */

int register_chrdev(unsigned int major, const char *name, const struct file_operations *fops)
{
	(void)name;
	(void)fops;
	return major ? 0 : (int)next_major++;
}

void unregister_chrdev(unsigned int major, const char *name)
{
	(void)major;
	(void)name;
}

int alloc_chrdev_region(dev_t *dev, unsigned int baseminor, unsigned int count, const char *name)
{
	(void)count;
	(void)name;
	*dev = MKDEV(next_major++, baseminor);
	return 0;
}

int register_chrdev_region(dev_t from, unsigned int count, const char *name)
{
	(void)from;
	(void)count;
	(void)name;
	return 0;
}

void unregister_chrdev_region(dev_t from, unsigned int count)
{
	(void)from;
	(void)count;
}

/* --- misc devices ---------------------------------------------------------- */

static LIST_HEAD(misc_list);
static unsigned long misc_minors[4]; /* 64..319 for MISC_DYNAMIC_MINOR */

int misc_register(struct miscdevice *misc)
{
	struct miscdevice *m;
	if (!misc->name || !misc->fops || strlen(misc->name) >= sizeof(misc->dmp_name))
		return -EINVAL;
	list_for_each_entry(m, &misc_list, list)
		if (!strcmp(m->dmp_name, misc->name) ||
		    (misc->minor != MISC_DYNAMIC_MINOR && m->minor == misc->minor))
			return -EBUSY;
	if (misc->minor == MISC_DYNAMIC_MINOR) {
		unsigned long i = find_first_zero_bit(misc_minors, 256);
		if (i == 256)
			return -EBUSY;
		__set_bit(i, misc_minors);
		misc->minor = (int)(64 + i);
	}
	snprintf(misc->dmp_name, sizeof(misc->dmp_name), "%s", misc->name);
	list_add_tail(&misc->list, &misc_list);
	return 0;
}

void misc_deregister(struct miscdevice *misc)
{
	if (!misc->list.next)
		return;
	list_del_init(&misc->list);
	if (misc->minor >= 64 && misc->minor < 64 + 256)
		__clear_bit((unsigned long)misc->minor - 64, misc_minors);
}

int dmp_lx_misc_open(const char *name, struct file *file)
{
	struct miscdevice *m;
	list_for_each_entry(m, &misc_list, list) {
		if (strcmp(m->dmp_name, name))
			continue;
		memset(file, 0, sizeof(*file));
		file->private_data = m; /* Linux's misc_open */
		file->f_op = m->fops;
		file->f_mode = FMODE_READ | FMODE_WRITE;
		return m->fops->open ? m->fops->open(NULL, file) : 0;
	}
	return -ENODEV;
}

int dmp_lx_file_release(struct file *file)
{
	if (file->f_op && file->f_op->release)
		return file->f_op->release(file->f_inode, file);
	return 0;
}

/* --- debugfs ----------------------------------------------------------------- */

struct dentry {
	char name[64];
	struct dentry *parent;
	const struct file_operations *fops;
	struct inode inode;
	void *value;
	size_t size;
	bool dir;
	struct list_head node;
};

static LIST_HEAD(dentries);

static struct dentry *dentry_add(const char *name, struct dentry *parent, bool dir)
{
	if (IS_ERR(parent))
		return parent;
	struct dentry *d;
	list_for_each_entry(d, &dentries, node)
		if (d->parent == parent && !strcmp(d->name, name))
			return ERR_PTR(-EEXIST);
	d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_PTR(-ENOMEM);
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->parent = parent;
	d->dir = dir;
	list_add_tail(&d->node, &dentries);
	return d;
}

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return dentry_add(name, parent, true);
}

struct dentry *debugfs_create_file(const char *name, umode_t mode, struct dentry *parent,
				   void *data, const struct file_operations *fops)
{
	struct dentry *d = dentry_add(name, parent, false);
	if (!IS_ERR(d)) {
		d->fops = fops;
		d->inode.i_mode = mode;
		d->inode.i_private = data;
	}
	return d;
}

struct dentry *dmp_lx_debugfs_value(const char *name, umode_t mode, struct dentry *parent,
				    void *value, size_t size)
{
	struct dentry *d = dentry_add(name, parent, false);
	if (!IS_ERR(d)) {
		d->inode.i_mode = mode;
		d->value = value;
		d->size = size;
	}
	return d;
}

void debugfs_remove(struct dentry *dentry)
{
	if (IS_ERR_OR_NULL(dentry))
		return;
	/* the children first (debugfs_remove is recursive) */
	for (;;) {
		struct dentry *d, *child = NULL;
		list_for_each_entry(d, &dentries, node)
			if (d->parent == dentry) {
				child = d;
				break;
			}
		if (!child)
			break;
		debugfs_remove(child);
	}
	list_del(&dentry->node);
	free(dentry);
}

struct dentry *debugfs_lookup(const char *name, struct dentry *parent)
{
	struct dentry *d;
	list_for_each_entry(d, &dentries, node)
		if (d->parent == parent && !strcmp(d->name, name))
			return d;
	return NULL;
}

void debugfs_lookup_and_remove(const char *name, struct dentry *parent)
{
	debugfs_remove(debugfs_lookup(name, parent));
}

/* Resolve "a/b/c" from the debugfs root. */
static struct dentry *debugfs_path(const char *path)
{
	struct dentry *cur = NULL;
	char part[64];
	while (*path) {
		size_t n = strcspn(path, "/");
		if (n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		cur = debugfs_lookup(part, cur);
		if (!cur)
			return NULL;
		path += n + (path[n] == '/');
	}
	return cur;
}

int dmp_lx_debugfs_open(const char *path, struct file *file)
{
	struct dentry *d = debugfs_path(path);
	if (!d || d->dir)
		return -ENOENT;
	if (!d->fops)
		return -EINVAL; /* a value file: read it with dmp_lx_debugfs_value_of */
	memset(file, 0, sizeof(*file));
	file->f_inode = &d->inode;
	file->f_op = d->fops;
	file->f_mode = FMODE_READ | FMODE_WRITE;
	return d->fops->open ? d->fops->open(&d->inode, file) : 0;
}

void dmp_lx_debugfs_clear(void)
{
	while (!list_empty(&dentries)) {
		struct dentry *d = list_first_entry(&dentries, struct dentry, node);
		list_del(&d->node);
		free(d);
	}
}

void dmp_lx_misc_clear(void)
{
	struct miscdevice *m, *n;
	list_for_each_entry_safe(m, n, &misc_list, list) {
		dmp_lx_leftover("BUG: misc device %s still registered when the machine goes away: "
			"deregistered", m->dmp_name);
		misc_deregister(m);
	}
}
