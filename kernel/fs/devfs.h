/* /dev: character devices and the disks as block devices. */
#ifndef KILBURN_DEVFS_H
#define KILBURN_DEVFS_H

#include "env.h"

struct file;
struct vnode;
struct blkdev;

int devfs_mount(const char *mountpoint);
/* A new open file on the console. */
int devfs_open_console(unsigned int flags, struct file **out);
/* The disk a block-device vnode of /dev stands for, or NULL for any other vnode. */
struct blkdev *devfs_vnode_disk(struct vnode *vn);
/* Is vn /dev/zero? Its mappings are anonymous memory (kern/sys_mm.c). */
bool devfs_vnode_is_zero(const struct vnode *vn);

#endif
