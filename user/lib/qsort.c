/* Sorting and searching: qsort, bsearch; plus rand. */
#include <stdlib.h>

/* Swaps two elements of size bytes. */
static void elem_swap(char *a, char *b, size_t size)
{
	while (size--) {
		char t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Insertion sort of n elements: used for short runs. */
static void insertion_sort(char *base, size_t n, size_t size,
			   int (*cmp)(const void *, const void *))
{
	for (size_t i = 1; i < n; i++)
		for (char *p = base + i * size;
		     p > base && cmp(p - size, p) > 0; p -= size)
			elem_swap(p - size, p, size);
}

/*
 * Sorts n elements of size bytes at base into ascending order of cmp.
 * Quicksort with a median-of-three pivot; recursion only on the smaller
 * side, so stack depth is O(log n); runs of up to 8 use insertion sort.
 * Not stable.
 */
void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *))
{
	char *b = base;

	while (n > 8) {
		char *lo = b, *mid = b + (n / 2) * size, *hi = b + (n - 1) * size;
		size_t i, j;

		/* Order lo <= mid <= hi, then park the pivot at lo. */
		if (cmp(mid, lo) < 0)
			elem_swap(mid, lo, size);
		if (cmp(hi, mid) < 0) {
			elem_swap(hi, mid, size);
			if (cmp(mid, lo) < 0)
				elem_swap(mid, lo, size);
		}
		elem_swap(lo, mid, size);
		/* Hoare partition around the pivot at b[0]. */
		i = 0;
		j = n;
		for (;;) {
			do i++; while (i < n && cmp(b + i * size, b) < 0);
			do j--; while (cmp(b + j * size, b) > 0);
			if (i >= j)
				break;
			elem_swap(b + i * size, b + j * size, size);
		}
		elem_swap(b, b + j * size, size);
		/* b[0..j) <= pivot = b[j] <= b(j..n) */
		if (j < n - j - 1) {
			qsort(b, j, size, cmp);
			b += (j + 1) * size;
			n -= j + 1;
		} else {
			qsort(b + (j + 1) * size, n - j - 1, size, cmp);
			n = j;
		}
	}
	insertion_sort(b, n, size, cmp);
}

/* Finds key in the sorted array; a pointer to a match or NULL. */
void *bsearch(const void *key, const void *base, size_t n, size_t size,
	      int (*cmp)(const void *, const void *))
{
	const char *b = base;

	while (n) {
		const char *mid = b + (n / 2) * size;
		int c = cmp(key, mid);

		if (c == 0)
			return (void *)mid;
		if (c > 0) {
			b = mid + size;
			n -= n / 2 + 1;
		} else {
			n /= 2;
		}
	}
	return 0;
}

static unsigned long rand_state = 1;

/* Pseudo-random number in [0, RAND_MAX] (a 64-bit LCG, high bits). */
int rand(void)
{
	rand_state = rand_state * 6364136223846793005UL + 1442695040888963407UL;
	return (int)(rand_state >> 33);
}

/* Seeds rand. */
void srand(unsigned int seed)
{
	rand_state = seed;
}
