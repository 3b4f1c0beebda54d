/* /proc. */
#ifndef KILBURN_PROCFS_H
#define KILBURN_PROCFS_H

int procfs_mount(const char *mountpoint);

#endif
