/* Pipes. */
#ifndef KILBURN_PIPE_H
#define KILBURN_PIPE_H

struct file;

/* A new pipe: *rd and *wr are its two ends. flags: O_NONBLOCK. */
int pipe_create(unsigned int flags, struct file **rd, struct file **wr);

#endif
