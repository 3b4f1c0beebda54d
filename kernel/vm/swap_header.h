/*
 * swap_header — the first page of a swap area, in Linux's format.
 *
 * A swap area is a disk (or part of one) of 4096-byte pages. Page 0 is the
 * header that util-linux's mkswap writes; pages 1 .. last_page hold swapped
 * pages, except the bad pages the header lists. The header (Linux's
 * union swap_header, version 1) is declared once, below, with its offsets
 * checked at compile time:
 *
 *     offset  bytes  field
 *          0   1024  bootbits: left alone (room for a disk label, boot code)
 *       1024      4  version: 1
 *       1028      4  last_page: the index of the last page of the area
 *       1032      4  nr_badpages
 *       1036     16  uuid
 *       1052     16  volume label, NUL-padded (not terminated when 16 long)
 *       1068    468  padding
 *       1536  4 * n  badpages[nr_badpages]: page indexes, at most 637
 *       4086     10  "SWAPSPACE2"
 *
 * Words are in the byte order of the machine that ran mkswap. Kilburn, like
 * the hosts it is built on, is little-endian; a header written on a
 * big-endian machine (its version reads 0x01000000) is refused rather than
 * converted. The old version-0 format ("SWAP-SPACE", a bitmap of good pages)
 * is refused too, as current Linux does.
 *
 * Machine-independent: compiles on the host.
 */
#ifndef KILBURN_SWAP_HEADER_H
#define KILBURN_SWAP_HEADER_H

#include "env.h"

#define SWAP_HDR_PAGE_SIZE	4096
#define SWAP_HDR_VERSION	1
#define SWAP_HDR_VERSION_SWAPPED 0x01000000u	/* version 1, other byte order */
#define SWAP_UUID_LEN		16
#define SWAP_LABEL_LEN		16
#define SWAP_MAGIC_LEN		10
#define SWAP_MAGIC		"SWAPSPACE2"
#define SWAP_MAGIC_V0		"SWAP-SPACE"
#define SWAP_BADPAGES_OFF	1536
#define SWAP_MAGIC_OFF		(SWAP_HDR_PAGE_SIZE - SWAP_MAGIC_LEN)
/* Entries of the bad-page list that fit between its start and the magic. */
#define SWAP_BADPAGES_MAX	((SWAP_MAGIC_OFF - SWAP_BADPAGES_OFF) / 4)

/* Page 0 of a swap area as it lies on the disk. */
struct swap_disk_header {
	uint8_t bootbits[1024];
	uint32_t version;
	uint32_t last_page;
	uint32_t nr_badpages;
	uint8_t uuid[SWAP_UUID_LEN];
	uint8_t volume[SWAP_LABEL_LEN];
	uint32_t padding[117];
	uint32_t badpages[SWAP_BADPAGES_MAX];
	uint8_t unused[SWAP_MAGIC_OFF - SWAP_BADPAGES_OFF - 4 * SWAP_BADPAGES_MAX];
	char magic[SWAP_MAGIC_LEN];
};

_Static_assert(offsetof(struct swap_disk_header, version) == 1024, "swap header: version");
_Static_assert(offsetof(struct swap_disk_header, uuid) == 1036, "swap header: uuid");
_Static_assert(offsetof(struct swap_disk_header, badpages) == SWAP_BADPAGES_OFF,
	       "swap header: badpages");
_Static_assert(offsetof(struct swap_disk_header, magic) == SWAP_MAGIC_OFF, "swap header: magic");
_Static_assert(sizeof(struct swap_disk_header) == SWAP_HDR_PAGE_SIZE, "swap header: size");
_Static_assert(SWAP_BADPAGES_MAX == 637, "swap header: Linux's MAX_SWAP_BADPAGES");

/*
 * What a valid header says, in the machine's terms. bad[] is a view into the
 * header page given to swap_header_parse(): valid only while that page is.
 */
struct swap_info_hdr {
	uint32_t last_page;		/* usable pages are 1 .. last_page */
	uint32_t nr_badpages;		/* entries in bad[] (duplicates allowed) */
	const uint32_t *bad;		/* bad page indexes, each in 1 .. last_page */
	uint64_t good_pages;		/* pages 1 .. last_page not listed as bad */
	uint8_t uuid[SWAP_UUID_LEN];
	char label[SWAP_LABEL_LEN + 1];	/* NUL-terminated; "" when none */
};

/*
 * swap_header_parse - check page 0 of a swap area of device_pages pages of
 * 4096 bytes and describe it in *out.
 *
 * page0: SWAP_HDR_PAGE_SIZE bytes, 4-byte aligned; out->bad points into it.
 * Returns 0, or -EINVAL (nothing in *out to use) when: the signature is
 * missing or is the old "SWAP-SPACE"; the version is not 1, including a
 * header of the other byte order; last_page is 0 or is not a page of the
 * device; nr_badpages is above 637; a bad-page entry is 0 or beyond
 * last_page; or every page is bad. Each refusal logs one line saying why.
 */
int swap_header_parse(const void *page0, uint64_t device_pages,
		      struct swap_info_hdr *out);

/* Format a UUID as Linux prints it: 36 characters and a NUL into buf. */
void swap_header_uuid_format(const uint8_t uuid[SWAP_UUID_LEN], char buf[37]);

#endif
