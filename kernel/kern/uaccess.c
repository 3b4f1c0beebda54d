/* Range checks around the raw copies of arch/riscv/uaccess.S. */
#include "kern/uaccess.h"
#include "arch/riscv/memlayout.h"
#include "fs/vfs.h"
#include "vm/kmem.h"

long uaccess_copy(void *dst, const void *src, size_t n);
long uaccess_strncpy(char *dst, const char *usrc, size_t max);
long uaccess_zero(void *udst, size_t n);
long uaccess_strnlen(const char *usrc, size_t max);

bool user_range_ok(uint64_t uaddr, uint64_t len)
{
	return uaddr < USER_TOP && len <= USER_TOP - uaddr;
}

int copy_from_user(void *dst, uint64_t usrc, size_t len)
{
	if (!user_range_ok(usrc, len))
		return -EFAULT;
	return uaccess_copy(dst, (const void *)usrc, len);
}

int copy_to_user(uint64_t udst, const void *src, size_t len)
{
	if (!user_range_ok(udst, len))
		return -EFAULT;
	return uaccess_copy((void *)udst, src, len);
}

int clear_user(uint64_t udst, size_t len)
{
	if (!user_range_ok(udst, len))
		return -EFAULT;
	return uaccess_zero((void *)udst, len);
}

long copy_string_from_user(char *dst, uint64_t usrc, size_t max)
{
	size_t room;
	long n;

	if (usrc >= USER_TOP || max == 0)
		return -EFAULT;
	room = MIN(max, USER_TOP - usrc);
	n = uaccess_strncpy(dst, (const char *)usrc, room);
	if (n < 0)
		return n;
	if ((size_t)n == room) {
		dst[room - 1] = 0;
		/* ran into the top of the user half, or just too long */
		return room < max ? -EFAULT : -ENAMETOOLONG;
	}
	return n;
}

long copy_path_from_user_to(char *dst, uint64_t upath)
{
	return copy_string_from_user(dst, upath, PATH_MAX);
}

long copy_path_from_user(uint64_t upath, char **out)
{
	char *buf = kmalloc(PATH_MAX, 0);
	long n;

	if (!buf)
		return -ENOMEM;
	n = copy_path_from_user_to(buf, upath);
	if (n < 0) {
		kfree(buf);
		return n;
	}
	*out = buf;
	return n;
}

long strncpy_from_user(char *dst, uint64_t usrc, size_t count)
{
	size_t room;
	long n;

	if (usrc >= USER_TOP)
		return -EFAULT;
	room = MIN(count, USER_TOP - usrc);
	n = uaccess_strncpy(dst, (const char *)usrc, room);
	if (n >= 0 && (size_t)n == room && room < count)
		return -EFAULT;		/* ran into the top of the user half */
	return n;
}

long strnlen_user(uint64_t usrc, size_t max)
{
	size_t room;
	long n;

	if (usrc >= USER_TOP)
		return -EFAULT;
	room = MIN(max, USER_TOP - usrc);
	n = uaccess_strnlen((const char *)usrc, room);
	if (n >= 0 && (size_t)n == room && room < max)
		return -EFAULT;		/* ran into the top of the user half */
	return n;
}
