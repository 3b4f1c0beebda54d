/*
 * swap_area_drain for swapoff, until the page layer brings swapped pages
 * back itself: nothing can have a page on an area yet unless a test put
 * it there, so an area drains only when no slot of it is in use. See
 * swapon.h for the contract the page layer's version keeps.
 */
#include "vm/swapon.h"

int swap_area_drain(struct swap_area *a)
{
	return swap_area_inuse(a) ? -ENOMEM : 0;
}
