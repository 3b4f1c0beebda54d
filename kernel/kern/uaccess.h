/*
 * Copying to and from user memory. Every user pointer a system call gets
 * goes through these: an address outside the user half, or a range that
 * runs past its top, or a page that cannot be made present, gives -EFAULT
 * and never a kernel fault. Pages that are lazy or copy-on-write are made
 * present by the fault handler on the way.
 */
#ifndef KILBURN_UACCESS_H
#define KILBURN_UACCESS_H

#include "env.h"

/* Is [uaddr, uaddr + len) inside the user half? */
bool user_range_ok(uint64_t uaddr, uint64_t len);

int copy_from_user(void *dst, uint64_t usrc, size_t len);
int copy_to_user(uint64_t udst, const void *src, size_t len);
int clear_user(uint64_t udst, size_t len);

/*
 * copy_string_from_user - copy a NUL-terminated string of at most max - 1
 * bytes into dst[max]. Returns its length, -ENAMETOOLONG if longer, or
 * -EFAULT.
 */
long copy_string_from_user(char *dst, uint64_t usrc, size_t max);

/*
 * copy_path_from_user - copy the path a system call was given into a new
 * PATH_MAX buffer (*out, the caller's to kfree), as Linux's getname does:
 * a string of PATH_MAX bytes or more, with no room for its NUL, is too
 * long. Returns its length (0 for ""), or -ENAMETOOLONG, -EFAULT, -ENOMEM;
 * *out is set only on success. The names in it are checked against
 * NAME_MAX by the VFS as it walks them.
 */
long copy_path_from_user(uint64_t upath, char **out);

/*
 * copy_path_from_user_to - the same into the caller's dst[PATH_MAX] (execve
 * gives it a single frame). Returns as copy_path_from_user, without -ENOMEM.
 */
long copy_path_from_user_to(char *dst, uint64_t upath);

/*
 * strncpy_from_user - copy the string at usrc into dst, at most count bytes,
 * stopping after its NUL. Returns its length (the NUL, copied, excluded),
 * count if no NUL is among the first count bytes (dst is then not
 * terminated), or -EFAULT.
 */
long strncpy_from_user(char *dst, uint64_t usrc, size_t count);

/*
 * strnlen_user - the length of the string at usrc (its NUL excluded) if it
 * ends within max bytes, max if it does not, or -EFAULT.
 */
long strnlen_user(uint64_t usrc, size_t max);

#endif
