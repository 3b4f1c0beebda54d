/*
 * sim_policy - run every replacement policy on one page-reference trace and
 * print the faults of each next to OPT (Belady's MIN, the lower bound) and
 * exact LRU.
 *
 *	sim_policy [--frames N] [--trace FILE | --workload hot-scan|hot-mix]
 *		   [--seed S]
 *
 * A trace file holds one page number per line (decimal or 0x hex; blank
 * lines and lines starting with # are skipped), as a guest will export it.
 * Without a file the generated hot-set-plus-scan workload is used: a hot
 * set of a quarter of the frames, used at random, and a loop over 1.5 times
 * the frames. `make sim TRACE=file FRAMES=n` runs it.
 */
#include "policy_sim.h"

#include <errno.h>

struct options {
	const char *trace;
	const char *workload;
	uint32_t frames;
	uint64_t seed;
};

static void usage(void)
{
	fprintf(stderr, "usage: sim_policy [--frames N] "
		"[--trace FILE | --workload hot-scan|hot-mix] [--seed S]\n");
	exit(2);
}

static uint64_t number_arg(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		usage();
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	*o = (struct options){ .workload = "hot-scan", .seed = 1 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (i + 1 == argc)
			usage();
		if (strcmp(a, "--trace") == 0)
			o->trace = argv[++i];
		else if (strcmp(a, "--workload") == 0)
			o->workload = argv[++i];
		else if (strcmp(a, "--frames") == 0)
			o->frames = (uint32_t)number_arg(argv[++i]);
		else if (strcmp(a, "--seed") == 0)
			o->seed = number_arg(argv[++i]);
		else
			usage();
	}
}

/* One page number per line; exits on a malformed line. */
static void read_trace(const char *path, struct sim_trace *t)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t n = 0, cap = 1 << 16, lineno = 0;
	uint64_t *pages = malloc(cap * sizeof(*pages));
	char line[128];

	if (!f || !pages) {
		fprintf(stderr, "sim_policy: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == 0)
			continue;
		errno = 0;
		uint64_t page = strtoull(p, &end, 0);

		if (errno || end == p || (*end && *end != '\n' && *end != ' ')) {
			fprintf(stderr, "sim_policy: %s:%zu: not a page number\n",
				path, lineno);
			exit(1);
		}
		if (n == cap && !(pages = realloc(pages, (cap *= 2) * sizeof(*pages)))) {
			fprintf(stderr, "sim_policy: out of memory\n");
			exit(1);
		}
		pages[n++] = page;
	}
	if (f != stdin)
		fclose(f);
	if (sim_trace_from_pages(t, pages, n)) {
		fprintf(stderr, "sim_policy: out of memory\n");
		exit(1);
	}
	free(pages);
}

/* The generated workloads, sized from the frames. */
static void make_workload(const struct options *o, struct sim_trace *t)
{
	uint32_t hot = MAX(o->frames / 4, 1U), scan = o->frames + o->frames / 2;
	int err;

	if (strcmp(o->workload, "hot-scan") == 0) {
		err = sim_trace_hot_scan(t, hot, 4 * hot, scan, 20, o->seed);
		printf("workload: hot-scan: 20 rounds of %u random uses of %u hot pages,\n"
		       "          then a pass over the same %u other pages\n",
		       4 * hot, hot, scan);
	} else if (strcmp(o->workload, "hot-mix") == 0) {
		err = sim_trace_hot_mix(t, hot, 50, scan, 40 * (size_t)o->frames, o->seed);
		printf("workload: hot-mix: each use is one of %u hot pages (50%%)\n"
		       "          or the next page of a loop over %u other pages\n",
		       hot, scan);
	} else {
		usage();
		return;
	}
	if (err) {
		fprintf(stderr, "sim_policy: out of memory\n");
		exit(1);
	}
}

static void print_row(const char *name, uint64_t faults, uint64_t opt,
		      uint64_t lru, const struct sim_trace *t)
{
	printf("%-8s %10lu %8.2f%% %8.3f %8.3f\n", name, (unsigned long)faults,
	       t->n ? 100.0 * faults / t->n : 0.0,
	       opt ? (double)faults / opt : 0.0, lru ? (double)faults / lru : 0.0);
}

static uint64_t run_policy(const struct vm_policy_ops *ops, uint32_t frames,
			   const struct sim_trace *t)
{
	struct sim_run r = { .ops = ops, .frames = frames };

	if (sim_run(&r, t)) {
		fprintf(stderr, "sim_policy: out of memory\n");
		exit(1);
	}
	return r.faults;
}

int main(int argc, char **argv)
{
	struct options o;
	struct sim_trace t;
	uint64_t opt, lru;

	parse_options(argc, argv, &o);
	if (o.trace) {
		read_trace(o.trace, &t);
		if (!o.frames)
			o.frames = MAX(t.npages / 2, 1U);
		printf("trace:    %s\n", o.trace);
	} else {
		if (!o.frames)
			o.frames = 256;
		make_workload(&o, &t);
	}
	printf("          %zu references to %u pages, %u frames\n\n",
	       t.n, t.npages, o.frames);
	opt = sim_opt(o.frames, &t);
	lru = run_policy(&vm_policy_lru, o.frames, &t);
	printf("%-8s %10s %9s %8s %8s\n", "policy", "faults", "of refs", "/OPT", "/LRU");
	print_row("OPT", opt, opt, lru, &t);
	for (unsigned int i = 0; vm_policy_nth(i); i++) {
		const struct vm_policy_ops *ops = vm_policy_nth(i);

		print_row(ops->name, ops == &vm_policy_lru ? lru :
			  run_policy(ops, o.frames, &t), opt, lru, &t);
	}
	sim_trace_free(&t);
	return 0;
}
