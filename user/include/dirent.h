/*
 * Directory reading over getdents64 (61). struct dirent is the kernel's
 * struct linux_dirent64; readdir returns records in place.
 */
#ifndef _DIRENT_H
#define _DIRENT_H

#include <sys/types.h>

struct linux_dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;
	unsigned short	d_reclen;
	unsigned char	d_type;
	char		d_name[];
};

struct dirent {
	ino_t		d_ino;
	off_t		d_off;
	unsigned short	d_reclen;
	unsigned char	d_type;
	char		d_name[256];
};

#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_DIR		4
#define DT_BLK		6
#define DT_REG		8
#define DT_LNK		10
#define DT_SOCK		12

typedef struct kb_dir DIR;

int getdents64(int fd, void *buf, size_t n);
DIR *opendir(const char *path);
DIR *fdopendir(int fd);
struct dirent *readdir(DIR *d);
int closedir(DIR *d);
int dirfd(DIR *d);
void rewinddir(DIR *d);

#endif
