/* /dev: character devices. */
#ifndef KILBURN_DEVFS_H
#define KILBURN_DEVFS_H

struct file;

int devfs_mount(const char *mountpoint);
/* A new open file on the console. */
int devfs_open_console(unsigned int flags, struct file **out);

#endif
