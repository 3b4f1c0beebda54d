/*
 * Host tests of the refault detector (kernel/vm/refault.c): a dropped file
 * page read back soon is a refault, once; reading pages that were never
 * dropped, or dropped too long ago, is not; thrashing is judged only on
 * enough drops, at half of them coming back, and forgotten on request.
 */
#include "test.h"
#include "vm/refault.h"
#include "vm/vmstat.h"

static char obj_a, obj_b;	/* two objects: only their addresses count */

TEST(refault_of_a_dropped_page_once)
{
	uint64_t before = vmstat_read(VMSTAT_WORKINGSET_REFAULT_FILE);

	refault_forget();
	refault_note_drop(&obj_a, 7);
	CHECK(!refault_note_read(&obj_b, 7));	/* another object */
	CHECK(!refault_note_read(&obj_a, 8));	/* another page */
	CHECK(refault_note_read(&obj_a, 7));
	CHECK(!refault_note_read(&obj_a, 7));	/* counted once */
	CHECK_EQ(vmstat_read(VMSTAT_WORKINGSET_REFAULT_FILE), before + 1);
}

TEST(refault_forgets_old_drops)
{
	refault_forget();
	refault_note_drop(&obj_a, 1);
	for (uint64_t i = 0; i < REFAULT_RING; i++)
		refault_note_drop(&obj_b, 1000 + i);
	CHECK(!refault_note_read(&obj_a, 1));	/* REFAULT_RING drops ago */
	CHECK(refault_note_read(&obj_b, 1000 + REFAULT_RING - 1));
}

TEST(thrashing_needs_enough_drops_and_half_back)
{
	refault_forget();
	for (uint64_t i = 0; i < REFAULT_MIN - 1; i++) {
		refault_note_drop(&obj_a, i);
		refault_note_read(&obj_a, i);
	}
	CHECK(!refault_thrashing());		/* too few drops to judge */
	refault_note_drop(&obj_a, 100);
	CHECK(refault_thrashing());		/* 31 of 32 came back */

	refault_forget();
	CHECK(!refault_thrashing());
	for (uint64_t i = 0; i < 100; i++)	/* a stream: nothing comes back */
		refault_note_drop(&obj_b, i);
	for (uint64_t i = 0; i < 49; i++)
		refault_note_read(&obj_b, i);
	CHECK(!refault_thrashing());		/* 49 of 100 */
	refault_note_read(&obj_b, 99);
	CHECK(refault_thrashing());		/* 50 of 100 */
}

TEST(thrashing_decays_with_new_drops)
{
	refault_forget();
	for (uint64_t i = 0; i < 64; i++) {
		refault_note_drop(&obj_a, i);
		refault_note_read(&obj_a, i);
	}
	CHECK(refault_thrashing());
	/* a long stream of pages that never come back dilutes it */
	for (uint64_t i = 0; i < 4 * REFAULT_WINDOW; i++)
		refault_note_drop(&obj_b, i);
	CHECK(!refault_thrashing());
}
