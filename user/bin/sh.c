/*
 * sh: the Kilburn shell.
 *
 *	sh			read commands from stdin ("kilburn$ " prompt on a tty)
 *	sh -c 'cmds' [name [args...]]
 *	sh script [args...]
 *
 * Grammar (a small POSIX subset; a newline acts like ';'):
 *
 *	list     := and_or (( ';' | '&' ) and_or)* [ ';' | '&' ]
 *	and_or   := pipeline (( '&&' | '||' ) pipeline)*
 *	pipeline := command ( '|' command )*
 *	command  := ( word | redirection )+
 *	redirection := [n]'<' word | [n]'>' word | [n]'>>' word | [n]'>&' m | [n]'<&' m
 *
 * Words: '...' is literal, "..." allows $ expansion and \ before $ ` " \,
 * a backslash outside quotes quotes the next character, # starts a
 * comment. Expansions: $? $$ $! $# $0-$9 $NAME ${NAME} and a leading ~.
 * Words are expanded when their command runs (so "false; echo $?" prints
 * 1); there is no field splitting. An unquoted word with * or ? is
 * replaced by the sorted paths it matches (sh/glob.c), or kept if none.
 * NAME=value before a command sets it in that command's environment;
 * alone it sets it in the shell's.
 * All shell variables are environment variables.
 *
 * Builtins: cd, exit, export, unset, wait, exec, pwd, and jobs, fg, bg.
 * Interactive on a terminal, the shell does job control as bash does
 * (sh/jobs.c): each pipeline runs in a process group of its own, ^C and ^Z
 * reach only the foreground job, a stopped job can be resumed with fg or
 * bg. Lines typed at a terminal can be edited (arrows, Backspace, ^A,
 * ^E, ^U) and earlier ones recalled with Up and Down (sh/edit.c). A pipeline's status
 * is that of its last command; a command killed by signal N has status
 * 128+N and the shell reports it ("Segmentation fault", "Killed",
 * "Terminated", ...). A command not found has status 127.
 *
 * This file runs commands; sh/parse.c parses text, sh/expand.c expands words.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sh/sh.h"

/* --- shell state ---------------------------------------------------------- */

int last_status;		/* $? */
pid_t shell_pid;		/* $$ */
pid_t last_bg;			/* $!, 0 if none */
char **pos_args;		/* $0, $1, ... */
int pos_count;
static int interactive;		/* reading commands from a terminal */

/* --- redirections ---------------------------------------------------------- */

/*
 * Performs c's redirections in this process. With save (an array of 10),
 * first records the fds 0-9 it changes so undo_redirs can restore them.
 * Returns 0, or -1 after printing an error.
 */
static int do_redirs(struct cmd *c, int *save)
{
	for (struct redir *r = c->redirs; r; r = r->next) {
		char *w = expand_word(r->word);
		int fd;

		if (!w) {
			fprintf(stderr, "sh: ambiguous redirect\n");
			return -1;
		}
		if (save && r->fd < 10 && save[r->fd] == -2)
			save[r->fd] = fcntl(r->fd, F_DUPFD_CLOEXEC, 10);
		if (r->op == 'D') {
			if (strcmp(w, "-") == 0) {
				close(r->fd);
				free(w);
				continue;
			}
			fd = atoi(w);
			if (dup2(fd, r->fd) < 0) {
				fprintf(stderr, "sh: %s: %s\n", w, strerror(errno));
				free(w);
				return -1;
			}
			free(w);
			continue;
		}
		fd = open(w, r->op == '<' ? O_RDONLY :
			  O_WRONLY | O_CREAT | (r->op == 'A' ? O_APPEND : O_TRUNC), 0666);
		if (fd < 0) {
			fprintf(stderr, "sh: %s: %s\n", w, strerror(errno));
			free(w);
			return -1;
		}
		free(w);
		if (fd != r->fd) {
			dup2(fd, r->fd);
			close(fd);
		}
	}
	return 0;
}

/* Restores the fds recorded by do_redirs. */
static void undo_redirs(int *save)
{
	for (int fd = 0; fd < 10; fd++) {
		if (save[fd] == -2)
			continue;
		if (save[fd] >= 0) {
			dup2(save[fd], fd);
			close(save[fd]);
		} else {
			close(fd);
		}
	}
}

/* --- builtins -------------------------------------------------------------- */

/* cd [dir | -]: changes directory (default $HOME), keeping PWD and OLDPWD. */
static int builtin_cd(char **argv)
{
	const char *dir = argv[1];
	char old[4096], buf[4096];

	if (!dir)
		dir = getenv("HOME") ? getenv("HOME") : "/";
	else if (strcmp(dir, "-") == 0)
		dir = getenv("OLDPWD") ? getenv("OLDPWD") : ".";
	if (!getcwd(old, sizeof(old)))
		old[0] = 0;
	if (chdir(dir) < 0) {
		fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (old[0])
		setenv("OLDPWD", old, 1);
	if (getcwd(buf, sizeof(buf)))
		setenv("PWD", buf, 1);
	return 0;
}

/* export [NAME[=value]...]: sets variables, or lists them all. */
static int builtin_export(char **argv)
{
	if (!argv[1])
		for (char **e = environ; *e; e++)
			printf("export %s\n", *e);
	for (int i = 1; argv[i]; i++) {
		char *eq = strchr(argv[i], '=');
		if (eq) {
			*eq = 0;
			setenv(argv[i], eq + 1, 1);
		} else if (!getenv(argv[i])) {
			setenv(argv[i], "", 1);
		}
	}
	return 0;
}

/*
 * Background children reaped before anyone waited for them, so that a
 * later "wait PID" still learns their status.
 */
static struct { pid_t pid; int status; } done_jobs[16];
static int done_next;

/* Records that background child pid finished with status. */
static void remember_job(pid_t pid, int status)
{
	done_jobs[done_next].pid = pid;
	done_jobs[done_next].status = status;
	done_next = (done_next + 1) % 16;
}

/* wait [pid...]: waits for background children (all, or the pids given). */
static int builtin_wait(char **argv)
{
	int st = 0, status = 0;

	if (!argv[1]) {
		while (wait(&st) > 0 || errno == EINTR)
			;
		return 0;
	}
	for (int i = 1; argv[i]; i++) {
		pid_t pid = atoi(argv[i]);
		int j;

		for (j = 0; j < 16 && done_jobs[j].pid != pid; j++)
			;
		if (pid > 0 && j < 16) {
			status = done_jobs[j].status;
			done_jobs[j].pid = 0;
		} else if (waitpid(pid, &st, 0) < 0) {
			status = 127;
		} else {
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
	}
	return status;
}

/* True if name is a builtin (run without exec, in the shell when alone). */
static int is_builtin(const char *name)
{
	static const char *names[] = { "cd", "exit", "export", "unset", "wait",
				       "exec", "pwd", "jobs", "fg", "bg", 0 };

	for (int i = 0; names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

static _Noreturn void exec_external(char **argv);

/* Runs builtin argv[0]; returns its status (exit and exec do not return). */
static int run_builtin(char **argv)
{
	char buf[4096];

	if (strcmp(argv[0], "cd") == 0)
		return builtin_cd(argv);
	if (strcmp(argv[0], "exit") == 0) {
		if (job_control)
			jobs_hangup();
		exit(argv[1] ? atoi(argv[1]) : last_status);
	}
	if (strcmp(argv[0], "jobs") == 0)
		return builtin_jobs(argv);
	if (strcmp(argv[0], "fg") == 0 || strcmp(argv[0], "bg") == 0)
		return builtin_fg_bg(argv);
	if (strcmp(argv[0], "export") == 0)
		return builtin_export(argv);
	if (strcmp(argv[0], "unset") == 0) {
		for (int i = 1; argv[i]; i++)
			unsetenv(argv[i]);
		return 0;
	}
	if (strcmp(argv[0], "wait") == 0)
		return builtin_wait(argv);
	if (strcmp(argv[0], "pwd") == 0) {
		if (!getcwd(buf, sizeof(buf))) {
			perror("sh: pwd");
			return 1;
		}
		puts(buf);
		return 0;
	}
	if (argv[1])			/* exec cmd args */
		exec_external(argv + 1);
	return 0;			/* exec alone: redirections stay */
}

/* --- running commands ------------------------------------------------------ */

/* Puts signal dispositions back to default in a child about to exec. */
static void child_signals(void)
{
	if (interactive) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
	}
}

/* Execs argv (PATH search); prints why it failed and exits 127 or 126. */
static _Noreturn void exec_external(char **argv)
{
	int err;

	fflush(0);
	child_signals();
	execvp(argv[0], argv);
	err = errno;
	if (err == ENOENT && !strchr(argv[0], '/'))
		fprintf(stderr, "sh: %s: command not found\n", argv[0]);
	else
		fprintf(stderr, "sh: %s: %s\n", argv[0], strerror(err));
	_exit(err == ENOENT ? 127 : 126);
}

/*
 * Runs simple command c in this (child) process and never returns: sets
 * up its environment and redirections, then runs a builtin or execs.
 */
static _Noreturn void run_in_child(struct cmd *c)
{
	int nassign;
	char **argv = expand_cmd(c, 1, &nassign);

	if (do_redirs(c, 0) < 0)
		_exit(1);
	if (!argv[0])
		_exit(0);
	if (is_builtin(argv[0])) {
		int st = run_builtin(argv);
		fflush(0);
		_exit(st);
	}
	exec_external(argv);
	_exit(127);
}

/* Reports a death by signal (except SIGINT/SIGPIPE) and maps the status. */
static int decode_status(int st)
{
	if (WIFSIGNALED(st)) {
		int sig = WTERMSIG(st);
		if (sig == SIGINT)
			fputc('\n', stderr);
		else if (sig != SIGPIPE)
			fprintf(stderr, "%s\n", strsignal(sig));
		return 128 + sig;
	}
	return WEXITSTATUS(st);
}

/* Waits for child pid; returns its shell status. */
static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 127;
	return decode_status(st);
}

/* The text of pipeline pl's raw words, for job listings. */
static void pipeline_name(struct pipeline *pl, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (struct cmd *c = pl->cmds; c; c = c->next) {
		for (int i = 0; i < c->nwords && len < size; i++)
			len += snprintf(buf + len, size - len, "%s%s", len ? " " : "",
					c->words[i]);
		if (c->next && len < size)
			len += snprintf(buf + len, size - len, " |");
	}
}

/* The same for an and-or list. */
static void andor_name(struct andor *a, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (struct pipeline *pl = a->first; pl && len + 1 < size; pl = pl->next) {
		pipeline_name(pl, buf + len, size - len);
		len += strlen(buf + len);
		if (pl->next && len < size)
			len += snprintf(buf + len, size - len, pl->op == T_AND ? " && " : " || ");
	}
}

/* Runs a lone simple command in the shell: builtins without forking. */
static int run_simple(struct cmd *c)
{
	int nassign, st, save[10];
	char **argv = expand_cmd(c, 0, &nassign);
	pid_t pid;

	if (!argv[0] || is_builtin(argv[0])) {
		for (int i = 0; i < 10; i++)
			save[i] = -2;
		for (int i = 0; i < nassign; i++)
			assign(c->words[i]);
		st = do_redirs(c, save) < 0 ? 1 : 0;
		if (st == 0 && argv[0]) {
			if (strcmp(argv[0], "exec") == 0 && !argv[1]) {
				free_argv(argv);
				return 0;		/* keep the redirections */
			}
			st = run_builtin(argv);
		}
		fflush(stdout);
		undo_redirs(save);
		free_argv(argv);
		return st;
	}
	free_argv(argv);
	fflush(0);
	pid = fork();
	if (pid < 0) {
		perror("sh: fork");
		return 1;
	}
	if (pid == 0) {
		job_child(0, 1);
		run_in_child(c);
	}
	if (job_control) {
		struct pipeline pl = { c, 0, 0 };
		char name[128];

		pipeline_name(&pl, name, sizeof(name));
		return job_wait_fg(&pid, 1, job_parent(pid, 0, 1), name);
	}
	return wait_child(pid);
}

/* Runs a pipeline; its status is the last command's. */
static int run_pipeline(struct pipeline *pl)
{
	pid_t pids[64], pgid = 0;
	int n = 0, in = -1, st = 0;

	if (!pl->cmds->next)
		return run_simple(pl->cmds);
	fflush(0);
	for (struct cmd *c = pl->cmds; c; c = c->next) {
		int fds[2] = { -1, -1 };

		if (n == 64 || (c->next && pipe2(fds, O_CLOEXEC) < 0)) {
			fprintf(stderr, "sh: pipeline too long or pipe failed\n");
			break;
		}
		pids[n] = fork();
		if (pids[n] < 0)
			perror("sh: fork");
		if (pids[n] == 0) {
			job_child(pgid, 1);
			if (in >= 0)
				dup2(in, 0);
			if (fds[1] >= 0)
				dup2(fds[1], 1);
			run_in_child(c);
		}
		if (pids[n] > 0)
			pgid = job_parent(pids[n++], pgid, 1);
		if (in >= 0)
			close(in);
		if (fds[1] >= 0)
			close(fds[1]);
		in = fds[0];
	}
	if (in >= 0)
		close(in);
	if (job_control && n) {
		char name[128];

		pipeline_name(pl, name, sizeof(name));
		return job_wait_fg(pids, n, pgid, name);
	}
	for (int i = 0; i < n; i++)
		st = wait_child(pids[i]);
	return st;
}

/* Runs an and-or list in the foreground; returns its status. */
static int run_andor(struct andor *a)
{
	int run = 1;

	for (struct pipeline *pl = a->first; pl; pl = pl->next) {
		if (run)
			last_status = run_pipeline(pl);
		run = pl->op == T_AND ? last_status == 0 :
		      pl->op == T_OR ? last_status != 0 : 1;
	}
	return last_status;
}

/* Starts an and-or list in a background child; $! is set to its pid. */
static void run_background(struct andor *a)
{
	pid_t pid;

	fflush(0);
	pid = fork();
	if (pid < 0) {
		perror("sh: fork");
		last_status = 1;
		return;
	}
	if (pid == 0) {
		if (!job_control) {
			signal(SIGINT, SIG_IGN);
			signal(SIGQUIT, SIG_IGN);
		}
		job_child(0, 0);
		interactive = 0;
		if (!a->first->next && !a->first->cmds->next)
			run_in_child(a->first->cmds);	/* no extra process */
		exit(run_andor(a));
	}
	last_bg = pid;
	last_status = 0;
	if (job_control) {
		char name[128];

		job_parent(pid, 0, 0);
		andor_name(a, name, sizeof(name));
		job_add_bg(pid, name);
	} else if (interactive) {
		fprintf(stderr, "[%d]\n", pid);
	}
}

/* Collects finished background children without blocking. */
static void reap_background(void)
{
	int st;
	pid_t pid;

	if (job_control) {
		jobs_reap(remember_job);
		return;
	}
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		int status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		remember_job(pid, status);
		if (interactive)
			fprintf(stderr, "[%d] Done (%d)\n", pid, status);
	}
}

/*
 * Parses and runs the commands in text. Returns 0, -1 on a syntax error,
 * or 1 if text is incomplete (open quote, trailing '\' or operator) and
 * more input should be appended.
 */
static int run_text(const char *text)
{
	struct andor *list;
	int r = parse_text(text, &list);

	if (r != 0) {
		if (r < 0)
			last_status = 2;
		return r;
	}
	for (struct andor *a = list; a; a = a->next) {
		if (a->background)
			run_background(a);
		else
			run_andor(a);
		reap_background();
	}
	parse_free();
	return 0;
}

/* --- input ----------------------------------------------------------------- */

/*
 * Reads one line (without its newline) from fd into sb. Reads a byte at a
 * time so that commands started by the shell see the rest of their shared
 * input. Returns 1, or 0 at end of input with nothing read.
 */
static int read_line(int fd, struct str *sb)
{
	char c;
	int any = 0;

	sb->len = 0;
	str_add(sb, "", 0);
	for (;;) {
		ssize_t n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return any;
		any = 1;
		if (c == '\n')
			return 1;
		str_add(sb, &c, 1);
	}
}

/* Reads and runs commands from fd until end of input; returns $?. */
static int run_file(int fd)
{
	struct str line = { 0, 0, 0 }, text = { 0, 0, 0 };

	for (;;) {
		const char *prompt = text.len ? "> " : "kilburn$ ";
		int got = -2;

		reap_background();
		if (interactive && fd == 0)
			got = edit_line(prompt, &line);
		if (got == -2 && interactive)
			fputs(prompt, stderr);
		if (got == -2)
			got = read_line(fd, &line);
		if (!got) {
			if (text.len)
				fprintf(stderr, "sh: unexpected end of input\n");
			if (interactive)
				fputc('\n', stderr);
			break;
		}
		if (text.len)
			str_add(&text, "\n", 1);
		str_add(&text, line.s, line.len);
		if (run_text(text.s) != 1)
			text.len = 0;
	}
	free(line.s);
	free(text.s);
	return last_status;
}

int main(int argc, char **argv)
{
	shell_pid = getpid();
	if (!getenv("PATH"))
		setenv("PATH", "/bin:/sbin", 1);
	if (argc > 2 && strcmp(argv[1], "-c") == 0) {
		pos_args = argv + (argc > 3 ? 3 : 0);
		pos_count = argc > 3 ? argc - 3 : 1;
		if (run_text(argv[2]) == 1) {
			fprintf(stderr, "sh: unexpected end of input\n");
			last_status = 2;
		}
		exit(last_status);
	}
	if (argc > 1) {
		int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "sh: %s: %s\n", argv[1], strerror(errno));
			return 127;
		}
		pos_args = argv + 1;
		pos_count = argc - 1;
		exit(run_file(fd));
	}
	pos_args = argv;
	pos_count = 1;
	interactive = isatty(0);
	if (interactive) {
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		jobs_init();
	}
	last_status = run_file(0);
	if (job_control)
		jobs_hangup();
	exit(last_status);
}
