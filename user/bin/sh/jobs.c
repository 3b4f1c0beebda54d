/*
 * Job control for the interactive shell, as bash does it. The shell leads
 * its own process group with the terminal as its controlling terminal and
 * ignores SIGINT, SIGQUIT, SIGTSTP, SIGTTIN and SIGTTOU. Each pipeline it
 * runs is a job: a process group of its own (the first child's pid), given
 * the terminal while it runs in the foreground. A foreground job that stops
 * (^Z) goes to the job table; `cmd &` starts one there. `jobs` lists them,
 * `fg [%n]` brings one back to the foreground (continuing it), `bg [%n]`
 * continues a stopped one in the background. Finished background jobs are
 * reported before the next prompt.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sh.h"

#define JOBS_MAX	16
#define JOB_PIDS	64

struct job {
	int id;				/* [n]; 0: free slot */
	pid_t pgid;
	pid_t pids[JOB_PIDS];		/* 0 once reaped */
	int npids;
	int stopped;
	int status;			/* shell status of the last process */
	char name[128];
};

int job_control;
static struct job jobs[JOBS_MAX];
static pid_t shell_pgid;

static const int job_signals[] = { SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU };

void jobs_init(void)
{
	if (tcgetpgrp(0) < 0) {			/* no controlling terminal yet */
		setsid();
		if (ioctl(0, TIOCSCTTY, 0) < 0)
			return;
	} else if (getpgid(0) != getpid()) {
		setpgid(0, 0);
	}
	shell_pgid = getpgid(0);
	for (size_t i = 0; i < sizeof(job_signals) / sizeof(job_signals[0]); i++)
		signal(job_signals[i], SIG_IGN);
	if (tcsetpgrp(0, shell_pgid) == 0)
		job_control = 1;
}

void job_child(pid_t pgid, int fg)
{
	if (!job_control)
		return;
	setpgid(0, pgid);
	if (fg)
		tcsetpgrp(0, pgid ? pgid : getpid());
	for (size_t i = 0; i < sizeof(job_signals) / sizeof(job_signals[0]); i++)
		signal(job_signals[i], SIG_DFL);
	job_control = 0;			/* no nested job control */
}

pid_t job_parent(pid_t pid, pid_t pgid, int fg)
{
	if (!job_control)
		return 0;
	if (!pgid)
		pgid = pid;
	setpgid(pid, pgid);			/* both sides: no race */
	if (fg)
		tcsetpgrp(0, pgid);
	return pgid;
}

/* The shell status of wait status st. */
static int job_status(int st)
{
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	if (WIFSTOPPED(st))
		return 128 + WSTOPSIG(st);
	return WEXITSTATUS(st);
}

static struct job *job_find_pid(pid_t pid)
{
	for (int i = 0; i < JOBS_MAX; i++)
		for (int k = 0; jobs[i].id && k < jobs[i].npids; k++)
			if (jobs[i].pids[k] == pid)
				return &jobs[i];
	return NULL;
}

static int job_alive(const struct job *j)
{
	for (int k = 0; k < j->npids; k++)
		if (j->pids[k])
			return 1;
	return 0;
}

/* A slot in the table with the next free number; NULL if full. */
static struct job *job_new(void)
{
	int id = 1;

	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i].id >= id)
			id = jobs[i].id + 1;
	for (int i = 0; i < JOBS_MAX; i++)
		if (!jobs[i].id) {
			memset(&jobs[i], 0, sizeof(jobs[i]));
			jobs[i].id = id;
			return &jobs[i];
		}
	return NULL;
}

/* The job with the highest number (bash's "current" job, roughly). */
static struct job *job_current(void)
{
	struct job *best = NULL;

	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i].id && (!best || jobs[i].id > best->id))
			best = &jobs[i];
	return best;
}

static void job_print(const struct job *j, const char *state)
{
	fprintf(stderr, "[%d]%c  %-24s%s\n", j->id, j == job_current() ? '+' : ' ',
		state, j->name);
}

/*
 * Wait for the live processes of j in the foreground until they end or
 * the job stops; take the terminal back. A stopped job stays in the table
 * (added if it is not there); a finished one leaves it. Returns the shell
 * status of the last process.
 */
static int job_wait(struct job *j, int in_table)
{
	int st = 0;

	for (int k = 0; k < j->npids; k++) {
		if (!j->pids[k])
			continue;
		while (waitpid(j->pids[k], &st, WUNTRACED) < 0)
			if (errno != EINTR) {
				st = 127 << 8;
				break;
			}
		if (WIFSTOPPED(st)) {
			j->stopped = 1;
			break;
		}
		j->pids[k] = 0;
		if (k == j->npids - 1)
			j->status = job_status(st);
	}
	tcsetpgrp(0, shell_pgid);
	if (j->stopped) {
		struct job *t = in_table ? j : job_new();

		if (t && t != j) {
			int id = t->id;

			*t = *j;
			t->id = id;
		}
		fputc('\n', stderr);
		if (t)
			job_print(t, "Stopped");
		return 128 + WSTOPSIG(st);
	}
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGINT)
		fputc('\n', stderr);
	else if (WIFSIGNALED(st) && WTERMSIG(st) != SIGPIPE)
		fprintf(stderr, "%s\n", strsignal(WTERMSIG(st)));
	if (in_table)
		j->id = 0;
	return j->status;
}

int job_wait_fg(pid_t *pids, int n, pid_t pgid, const char *name)
{
	struct job j = { .pgid = pgid, .npids = n > JOB_PIDS ? JOB_PIDS : n };

	memcpy(j.pids, pids, j.npids * sizeof(pid_t));
	snprintf(j.name, sizeof(j.name), "%s", name);
	return job_wait(&j, 0);
}

void job_add_bg(pid_t pid, const char *name)
{
	struct job *j = job_new();

	if (!j)
		return;
	j->pgid = pid;
	j->pids[0] = pid;
	j->npids = 1;
	snprintf(j->name, sizeof(j->name), "%s &", name);
	fprintf(stderr, "[%d] %d\n", j->id, pid);
}

void jobs_reap(void (*remember)(pid_t pid, int status))
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED)) > 0) {
		struct job *j = job_find_pid(pid);

		if (!j) {
			remember(pid, job_status(st));
			continue;
		}
		if (WIFSTOPPED(st)) {
			if (!j->stopped)
				job_print(j, "Stopped");
			j->stopped = 1;
			continue;
		}
		if (WIFCONTINUED(st)) {
			j->stopped = 0;
			continue;
		}
		for (int k = 0; k < j->npids; k++)
			if (j->pids[k] == pid)
				j->pids[k] = 0;
		j->status = job_status(st);
		remember(pid, j->status);
		if (!job_alive(j)) {
			char how[32];

			if (WIFSIGNALED(st))
				snprintf(how, sizeof(how), "%s", strsignal(WTERMSIG(st)));
			else if (WEXITSTATUS(st))
				snprintf(how, sizeof(how), "Exit %d", WEXITSTATUS(st));
			else
				snprintf(how, sizeof(how), "Done");
			job_print(j, how);
			j->id = 0;
		}
	}
}

/* The job an argument names (%n, n, or none: the current one). */
static struct job *job_arg(const char *arg)
{
	int id;

	if (!arg)
		return job_current();
	id = atoi(arg[0] == '%' ? arg + 1 : arg);
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i].id && jobs[i].id == id)
			return &jobs[i];
	return NULL;
}

int builtin_jobs(char **argv)
{
	(void)argv;
	for (int i = 1; i <= 64; i++)
		for (int k = 0; k < JOBS_MAX; k++)
			if (jobs[k].id == i)
				job_print(&jobs[k], jobs[k].stopped ? "Stopped" : "Running");
	return 0;
}

/* fg and bg: continue a job in the foreground or the background. */
int builtin_fg_bg(char **argv)
{
	int fg = strcmp(argv[0], "fg") == 0;
	struct job *j = job_arg(argv[1]);

	if (!job_control) {
		fprintf(stderr, "sh: %s: no job control\n", argv[0]);
		return 1;
	}
	if (!j) {
		fprintf(stderr, "sh: %s: %s: no such job\n", argv[0], argv[1] ? argv[1] : "current");
		return 1;
	}
	if (fg) {
		size_t len = strlen(j->name);

		if (len > 2 && strcmp(j->name + len - 2, " &") == 0)
			j->name[len - 2] = 0;
		fprintf(stderr, "%s\n", j->name);
		tcsetpgrp(0, j->pgid);
	} else {
		if (!strstr(j->name, " &"))
			strncat(j->name, " &", sizeof(j->name) - strlen(j->name) - 1);
		fprintf(stderr, "[%d]+ %s\n", j->id, j->name);
	}
	if (j->stopped)
		kill(-j->pgid, SIGCONT);
	j->stopped = 0;
	return fg ? job_wait(j, 1) : 0;
}

void jobs_hangup(void)
{
	for (int i = 0; i < JOBS_MAX; i++)
		if (jobs[i].id) {
			kill(-jobs[i].pgid, SIGHUP);
			kill(-jobs[i].pgid, SIGCONT);
		}
}
