/*
 * Host tests of the swap header parser (kernel/vm/swap_header.c) on headers
 * written by the real mkswap of util-linux, of several sizes, with labels,
 * UUIDs and page sizes, and on corrupted copies of them: every case the
 * parser must refuse.
 */
#include "swap_img.h"

TEST(header_from_mkswap_label_and_uuid)
{
	static const uint8_t uuid[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
		0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10 };
	struct swap_info_hdr h;
	struct img im;
	char text[37];

	CHECK_EQ(mkswap_image("--pagesize 4096 -L hello -U 01234567-89ab-cdef-fedc-ba9876543210",
			      MiB, 0, &im), 0);
	CHECK_EQ(parse(&im, &h), 0);
	CHECK_EQ(h.last_page, 255);
	CHECK_EQ(h.nr_badpages, 0);
	CHECK_EQ(h.good_pages, 255);
	CHECK(memcmp(h.uuid, uuid, 16) == 0);
	CHECK(strcmp(h.label, "hello") == 0);
	swap_header_uuid_format(h.uuid, text);
	CHECK(strcmp(text, "01234567-89ab-cdef-fedc-ba9876543210") == 0);
}

TEST(header_last_page_for_every_size)
{
	static const uint64_t sizes[] = { 40 * KiB, 64 * KiB + 1000, 1000000,
					  MiB, 16 * MiB };
	static const uint8_t zero[16];

	for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct swap_info_hdr h;
		struct img im;

		CHECK_EQ(mkswap_image("", sizes[i], 0, &im), 0);
		CHECK_EQ(parse(&im, &h), 0);
		CHECK_EQ(h.last_page, sizes[i] / 4096 - 1);
		CHECK_EQ(h.good_pages, h.last_page);
		CHECK(memcmp(h.uuid, zero, 16) != 0);	/* a random UUID */
		CHECK(strcmp(h.label, "") == 0);
	}
}

TEST(header_honours_last_page_below_the_device_size)
{
	struct swap_info_hdr h;
	struct img im;

	/* mkswap FILE 400: a 400 KiB area at the start of a 1 MiB file */
	CHECK_EQ(mkswap_image("", MiB, 400, &im), 0);
	CHECK_EQ(im.pages, 256);
	CHECK_EQ(parse(&im, &h), 0);
	CHECK_EQ(h.last_page, 99);
	CHECK_EQ(h.good_pages, 99);
}

/* mkswap keeps 15 bytes and a NUL; a full 16-byte field is read whole too. */
TEST(header_label_of_16_bytes_is_terminated)
{
	struct swap_info_hdr h;
	struct img im;

	CHECK_EQ(mkswap_image("-L 0123456789abcdefXYZ", MiB, 0, &im), 0);
	CHECK_EQ(parse(&im, &h), 0);
	CHECK(strcmp(h.label, "0123456789abcde") == 0);
	memcpy(im.h.volume, "0123456789ABCDEF", 16);
	im.h.padding[0] = 0x41414141;	/* no NUL right after it either */
	CHECK_EQ(parse(&im, &h), 0);
	CHECK(strcmp(h.label, "0123456789ABCDEF") == 0);
}

TEST(header_other_page_size_is_refused)
{
	struct swap_info_hdr h;
	struct img im;

	CHECK_EQ(mkswap_image("--pagesize 8192", MiB, 0, &im), 0);
	CHECK(image_has_magic_at(8192 - 10));	/* an 8 KiB-page header */
	CHECK(memcmp(im.h.magic, "SWAPSPACE2", 10) != 0);
	CHECK_EQ(parse(&im, &h), -EINVAL);
}

/*
 * mkswap -c does not check regular files (it warns and skips), so the bad
 * pages are written into a real header, where mkswap -c would put them.
 */
TEST(header_bad_pages_are_listed)
{
	struct swap_info_hdr h;
	struct img im;

	real_header(&im);
	im.h.nr_badpages = 3;
	im.h.badpages[0] = 5;
	im.h.badpages[1] = 6;
	im.h.badpages[2] = 255;		/* last_page itself is a page */
	CHECK_EQ(parse(&im, &h), 0);
	CHECK_EQ(h.nr_badpages, 3);
	CHECK_EQ(h.good_pages, 252);
	CHECK_EQ(h.bad[0], 5);
	CHECK_EQ(h.bad[2], 255);
	im.h.badpages[1] = 5;		/* a duplicate counts once */
	CHECK_EQ(parse(&im, &h), 0);
	CHECK_EQ(h.good_pages, 253);
}

TEST(header_637_bad_pages_fit)
{
	struct swap_info_hdr h;
	struct img im;

	CHECK_EQ(mkswap_image("", 8 * MiB, 0, &im), 0);
	im.h.nr_badpages = SWAP_BADPAGES_MAX;
	for (uint32_t i = 0; i < SWAP_BADPAGES_MAX; i++)
		im.h.badpages[i] = 1 + 2 * i;
	CHECK_EQ(parse(&im, &h), 0);
	CHECK_EQ(h.good_pages, 2047 - 637);
	CHECK(memcmp(im.h.magic, "SWAPSPACE2", 10) == 0);	/* the list ends before it */
	im.h.nr_badpages = SWAP_BADPAGES_MAX + 1;
	CHECK_EQ(parse(&im, &h), -EINVAL);
}

TEST(header_refuses_missing_or_old_signature)
{
	struct swap_info_hdr h;
	struct img im;

	real_header(&im);
	memset(im.h.magic, 0, 10);
	CHECK_EQ(parse(&im, &h), -EINVAL);
	real_header(&im);
	memcpy(im.h.magic, "SWAP-SPACE", 10);
	CHECK_EQ(parse(&im, &h), -EINVAL);
	real_header(&im);
	im.h.magic[9] = '3';
	CHECK_EQ(parse(&im, &h), -EINVAL);
	memset(im.bytes, 0, sizeof(im.bytes));	/* a blank disk */
	CHECK_EQ(parse(&im, &h), -EINVAL);
}

TEST(header_refuses_other_versions)
{
	static const uint32_t bad[] = { 0, 2, 3, 0xffffffff };
	struct swap_info_hdr h;
	struct img im;

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		real_header(&im);
		im.h.version = bad[i];
		CHECK_EQ(parse(&im, &h), -EINVAL);
	}
}

/* What mkswap writes on a big-endian machine: every word byte-swapped. */
TEST(header_refuses_other_byte_order)
{
	struct swap_info_hdr h;
	struct img im;

	real_header(&im);
	im.h.nr_badpages = 1;
	im.h.badpages[0] = 7;
	CHECK_EQ(parse(&im, &h), 0);
	im.h.badpages[0] = __builtin_bswap32(im.h.badpages[0]);
	im.h.version = __builtin_bswap32(im.h.version);
	im.h.last_page = __builtin_bswap32(im.h.last_page);
	im.h.nr_badpages = __builtin_bswap32(im.h.nr_badpages);
	CHECK_EQ(im.h.version, SWAP_HDR_VERSION_SWAPPED);
	CHECK_EQ(parse(&im, &h), -EINVAL);
	/* even when its counts would be plausible in this byte order */
	im.h.last_page = 255;
	im.h.nr_badpages = 0;
	CHECK_EQ(parse(&im, &h), -EINVAL);
}

TEST(header_refuses_last_page_out_of_the_device)
{
	struct swap_info_hdr h;
	struct img im;

	real_header(&im);
	CHECK_EQ(swap_header_parse(im.bytes, 255, &h), -EINVAL);  /* page 255 missing */
	CHECK_EQ(swap_header_parse(im.bytes, 100, &h), -EINVAL);
	CHECK_EQ(swap_header_parse(im.bytes, 0, &h), -EINVAL);
	CHECK_EQ(swap_header_parse(im.bytes, 256, &h), 0);
	im.h.last_page = 0;
	CHECK_EQ(parse(&im, &h), -EINVAL);
	im.h.last_page = 256;
	CHECK_EQ(parse(&im, &h), -EINVAL);
	im.h.last_page = 0xffffffff;
	CHECK_EQ(parse(&im, &h), -EINVAL);
	im.h.last_page = 1;		/* a one-page area is fine */
	CHECK_EQ(parse(&im, &h), 0);
	CHECK_EQ(h.good_pages, 1);
}

TEST(header_refuses_bad_page_entries_out_of_range)
{
	struct swap_info_hdr h;
	struct img im;

	real_header(&im);
	im.h.nr_badpages = 2;
	im.h.badpages[0] = 10;
	im.h.badpages[1] = 0;		/* the header itself */
	CHECK_EQ(parse(&im, &h), -EINVAL);
	im.h.badpages[1] = 256;		/* past last_page */
	CHECK_EQ(parse(&im, &h), -EINVAL);
	im.h.badpages[1] = 0x80000000u;
	CHECK_EQ(parse(&im, &h), -EINVAL);
	im.h.nr_badpages = 0xffffffff;
	CHECK_EQ(parse(&im, &h), -EINVAL);
	im.h.nr_badpages = 2;
	im.h.badpages[1] = 11;
	CHECK_EQ(parse(&im, &h), 0);
}

TEST(header_refuses_an_area_of_bad_pages_only)
{
	struct swap_info_hdr h;
	struct img im;

	CHECK_EQ(mkswap_image("", 40 * KiB, 0, &im), 0);	/* pages 1..9 */
	im.h.nr_badpages = 10;
	for (uint32_t i = 0; i < 9; i++)
		im.h.badpages[i] = 9 - i;
	im.h.badpages[9] = 4;
	CHECK_EQ(parse(&im, &h), -EINVAL);
	im.h.badpages[0] = 4;		/* page 9 is good again */
	CHECK_EQ(parse(&im, &h), 0);
	CHECK_EQ(h.good_pages, 1);
}
