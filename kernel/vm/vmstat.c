/*
 * The VM's event counters (vmstat.h) and their names.
 *
 * Machine-independent: compiles on the host.
 */
#include "vm/vmstat.h"

uint64_t vmstat_events[VMSTAT_NR];

#define VMSTAT_NAME(e, name) [VMSTAT_##e] = name,
static const char *const vmstat_names[VMSTAT_NR] = {
	VMSTAT_EVENTS(VMSTAT_NAME)
};
#undef VMSTAT_NAME

const char *vmstat_name(enum vmstat_event e)
{
	return (unsigned int)e < VMSTAT_NR ? vmstat_names[e] : "?";
}
