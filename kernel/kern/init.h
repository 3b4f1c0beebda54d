/* Starting the first process. */
#ifndef KILBURN_INIT_H
#define KILBURN_INIT_H

/* Create pid 1, which execs init= (default /sbin/init) when it first runs. */
void init_start(void);

#endif
