/* String and memory functions of the kernel (it links no C library). */
#ifndef KILBURN_STRING_H
#define KILBURN_STRING_H

#include "types.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Copies at most size-1 bytes and NUL-terminates; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif
