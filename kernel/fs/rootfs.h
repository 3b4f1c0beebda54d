/* The root file system (a cpio archive on the first disk). */
#ifndef KILBURN_ROOTFS_H
#define KILBURN_ROOTFS_H

/* Index the archive and mount it at "/". Returns 0 or -errno. */
int rootfs_mount(void);

#endif
