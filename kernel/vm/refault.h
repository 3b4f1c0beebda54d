/*
 * refault — is reclaim only recycling pages the programs need at once?
 *
 * Page-out drops clean pages of files on disk: they can be read again. That
 * is progress only if they are not needed again soon. When RAM holds
 * nothing else that can go (no swap, or swap full, and the anonymous pages
 * fill it), the last file pages left are the text and data the running
 * programs use next: each one dropped to make room for a fault is faulted
 * straight back in by the next, reclaim always "frees" a page, and no
 * program gets anywhere while the OOM killer waits for reclaim to fail
 * (Linux has the same trap, which its refault "working set" accounting and
 * user-space OOM daemons watch for).
 *
 * This module remembers the last REFAULT_RING file pages page-out dropped
 * (their object and page number) and counts the file faults that read one
 * of them back: a refault, a page dropped and needed again within that many
 * drops. While at least half of the recent drops came back so
 * (refault_thrashing), page-out keeps the file cache at its floor
 * (vm/pageout.c), so reclaim frees nothing and the OOM killer fires. A
 * program streaming through a file drops pages it never reads again: no
 * refaults, and its pages still go.
 *
 * The counts decay: both are halved every REFAULT_WINDOW drops, and
 * refault_forget clears them once memory has come back (the OOM killer
 * chose a victim, or the page-out daemon reached its target).
 *
 * Locks: refault_lock, a spinlock, innermost (taken under vm->lock and
 * the page-out locks; takes none). Machine-independent: compiles on the
 * host.
 */
#ifndef KILBURN_REFAULT_H
#define KILBURN_REFAULT_H

#include "env.h"

#define REFAULT_RING	512	/* file pages dropped last, remembered */
#define REFAULT_WINDOW	256	/* drops between halvings of the counts */
#define REFAULT_MIN	32	/* drops needed before thrashing is judged */

/* Page idx of obj (a page cache's object) was dropped by page-out. */
void refault_note_drop(const void *obj, uint64_t idx);

/*
 * A fault read page idx of obj from its disk. True if page-out had dropped
 * it recently (a refault: counted, and in /proc/vmstat's
 * workingset_refault_file).
 */
bool refault_note_read(const void *obj, uint64_t idx);

/* Did at least half of the recent drops come straight back? */
bool refault_thrashing(void);

/* Memory came back: forget the drops and refaults counted so far. */
void refault_forget(void);

#endif
