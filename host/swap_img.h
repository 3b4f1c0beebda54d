/*
 * Swap-area images for the host tests: files made by the real mkswap of
 * util-linux in a temporary directory (removed at exit), and page 0 of
 * them to parse or corrupt. mkswap missing is a failure, not a skip.
 */
#ifndef KILBURN_HOST_SWAP_IMG_H
#define KILBURN_HOST_SWAP_IMG_H

#include "test.h"
#include "vm/swap_header.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KiB		1024UL
#define MiB		(1024UL * 1024)

/* Page 0 of an image and the image's size in pages. */
struct img {
	union {
		uint8_t bytes[SWAP_HDR_PAGE_SIZE];
		struct swap_disk_header h;
	};
	uint64_t pages;
};

static char tmpdir[64];

static inline void tmpdir_remove(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* The test's temporary directory, made on first use and removed at exit. */
static inline const char *tmpdir_get(void)
{
	if (!tmpdir[0]) {
		strcpy(tmpdir, "/tmp/kilburn-swap-XXXXXX");
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			exit(2);
		}
		atexit(tmpdir_remove);
	}
	return tmpdir;
}

/*
 * mkswap_image - make a file of `bytes` bytes, run `mkswap -q OPTS FILE
 * [SIZE_KIB]` on it (SIZE_KIB left out when 0) and read its page 0 into
 * *im. Returns mkswap's exit status, or -1 if it could not run.
 */
static inline int mkswap_image(const char *opts, uint64_t bytes, uint64_t size_kib,
			struct img *im)
{
	char path[128], cmd[512], size[32] = "";
	FILE *f;
	int st;

	snprintf(path, sizeof(path), "%s/swap.img", tmpdir_get());
	unlink(path);
	f = fopen(path, "w");
	if (!f || ftruncate(fileno(f), bytes) != 0 || fclose(f) != 0)
		return -1;
	chmod(path, 0600);
	if (size_kib)
		snprintf(size, sizeof(size), " %lu", (unsigned long)size_kib);
	snprintf(cmd, sizeof(cmd),
		 "PATH=\"$PATH:/sbin:/usr/sbin\" mkswap -q %s '%s'%s",
		 opts, path, size);
	st = system(cmd);
	if (st != 0)
		return st == -1 ? -1 : WEXITSTATUS(st);
	f = fopen(path, "r");
	if (!f || fread(im->bytes, 1, sizeof(im->bytes), f) != sizeof(im->bytes))
		return -1;
	fclose(f);
	im->pages = bytes / SWAP_HDR_PAGE_SIZE;
	return 0;
}

/* Do the 10 bytes at offset off of the last image say "SWAPSPACE2"? */
static inline bool image_has_magic_at(long off)
{
	char path[128], magic[10];
	bool yes;
	FILE *f;

	snprintf(path, sizeof(path), "%s/swap.img", tmpdir_get());
	f = fopen(path, "r");
	if (!f)
		return false;
	yes = fseek(f, off, SEEK_SET) == 0 && fread(magic, 1, 10, f) == 10 &&
	      memcmp(magic, SWAP_MAGIC, 10) == 0;
	fclose(f);
	return yes;
}

/* A real header of a 1 MiB area (255 usable pages) to corrupt. */
static inline void real_header(struct img *im)
{
	int rc = mkswap_image("-L base", MiB, 0, im);

	CHECK_EQ(rc, 0);
	if (rc)
		exit(2);	/* every later check would be meaningless */
}

static inline int parse(const struct img *im, struct swap_info_hdr *out)
{
	return swap_header_parse(im->bytes, im->pages, out);
}


#endif
