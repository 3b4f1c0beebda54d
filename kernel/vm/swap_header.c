/*
 * Parsing page 0 of a swap area; the format is described in swap_header.h.
 *
 * The page comes from a disk and is untrusted: every count and index read
 * from it is checked before it is used, and nothing is read outside the page.
 */
#include "vm/swap_header.h"

/* Log why a header is refused; returns -EINVAL for the caller to return. */
static int swap_header_refuse(const char *why)
{
	kprintf("swap: %s\n", why);
	return -EINVAL;
}

/* Is bad[i] equal to one of bad[0 .. i)? */
static bool swap_header_seen(const uint32_t *bad, uint32_t i)
{
	for (uint32_t j = 0; j < i; j++)
		if (bad[j] == bad[i])
			return true;
	return false;
}

/*
 * Check the bad-page list of h against h->last_page and count the distinct
 * bad pages into *nbad. Returns 0 or -EINVAL. At most 637 entries, so the
 * quadratic search for duplicates costs at most about 200,000 comparisons,
 * once per swapon.
 */
static int swap_header_check_bad(const struct swap_disk_header *h,
				 uint64_t *nbad)
{
	uint64_t distinct = 0;

	if (h->nr_badpages > SWAP_BADPAGES_MAX)
		return swap_header_refuse("too many bad pages in the header");
	for (uint32_t i = 0; i < h->nr_badpages; i++) {
		uint32_t pg = h->badpages[i];

		if (pg == 0 || pg > h->last_page)
			return swap_header_refuse("bad-page entry out of range");
		if (!swap_header_seen(h->badpages, i))
			distinct++;
	}
	*nbad = distinct;
	return 0;
}

/* Check the signature and version. Returns 0 or -EINVAL. */
static int swap_header_check_magic(const struct swap_disk_header *h)
{
	if (memcmp(h->magic, SWAP_MAGIC_V0, SWAP_MAGIC_LEN) == 0)
		return swap_header_refuse("old swap-space format (version 0) not supported");
	if (memcmp(h->magic, SWAP_MAGIC, SWAP_MAGIC_LEN) != 0)
		return swap_header_refuse("unable to find swap-space signature");
	if (h->version == SWAP_HDR_VERSION_SWAPPED)
		return swap_header_refuse("swap header of the other byte order");
	if (h->version != SWAP_HDR_VERSION)
		return swap_header_refuse("unable to handle swap header version");
	return 0;
}

int swap_header_parse(const void *page0, uint64_t device_pages,
		      struct swap_info_hdr *out)
{
	const struct swap_disk_header *h = page0;
	uint64_t nbad;
	int rc;

	rc = swap_header_check_magic(h);
	if (rc)
		return rc;
	if (h->last_page == 0)
		return swap_header_refuse("empty swap area (last_page is 0)");
	if (h->last_page >= device_pages)
		return swap_header_refuse("swap area shorter than its header says");
	rc = swap_header_check_bad(h, &nbad);
	if (rc)
		return rc;
	if (nbad == h->last_page)
		return swap_header_refuse("every page of the swap area is bad");
	out->last_page = h->last_page;
	out->nr_badpages = h->nr_badpages;
	out->bad = h->badpages;
	out->good_pages = h->last_page - nbad;
	memcpy(out->uuid, h->uuid, SWAP_UUID_LEN);
	memcpy(out->label, h->volume, SWAP_LABEL_LEN);
	out->label[SWAP_LABEL_LEN] = 0;
	return 0;
}

void swap_header_uuid_format(const uint8_t uuid[SWAP_UUID_LEN], char buf[37])
{
	static const char hex[] = "0123456789abcdef";
	char *p = buf;

	for (int i = 0; i < SWAP_UUID_LEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[uuid[i] >> 4];
		*p++ = hex[uuid[i] & 15];
	}
	*p = 0;
}
