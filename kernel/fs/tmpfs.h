/* tmpfs: an in-memory, writable file system. */
#ifndef KILBURN_TMPFS_H
#define KILBURN_TMPFS_H

/* Mount a new, empty tmpfs at mountpoint. Returns 0 or -errno. */
int tmpfs_mount(const char *mountpoint);

#endif
