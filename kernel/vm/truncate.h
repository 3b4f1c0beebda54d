/*
 * Cutting a file's pages out of every address space that maps it, for a
 * truncation: touching them afterwards raises SIGBUS, as on Linux.
 */
#ifndef KILBURN_VM_TRUNCATE_H
#define KILBURN_VM_TRUNCATE_H

#include "env.h"

struct vobject;

/*
 * vm_unmap_object_from - in every process's address space, drop the pages
 * that file mappings (REGION_FILE regions) of obj show from object byte
 * `from` (rounded up to a page) on: their page-table entries and their
 * private copies, as Linux's unmap_mapping_range(..., even_cows). Call it
 * after obj->size is lowered, so that no fault maps them again; the frames
 * are then unmapped and the file can free them. Takes proc_tree_lock and
 * each vm->lock in turn: the caller holds neither, nor the file's lock.
 * Returns 0 or -ENOMEM (no memory for the list of address spaces).
 */
int vm_unmap_object_from(struct vobject *obj, uint64_t from);

/*
 * vm_unmap_object_range - in every process's address space, drop the
 * page-table entries of pages [first, last) of obj in its shared mappings
 * (MADV_REMOVE: private copies stay, as Linux's punch hole leaves them).
 * Locks and errors as vm_unmap_object_from.
 */
int vm_unmap_object_range(struct vobject *obj, uint64_t first, uint64_t last);

#endif
