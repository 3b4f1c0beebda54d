/*
 * Private to the shell (user/bin/sh.c and the modules beside this
 * header): the parsed form of a command list, the parser, word expansion
 * and the state they share. See user/bin/sh.c for the language.
 */
#ifndef KB_SH_H
#define KB_SH_H

#include <stddef.h>
#include <sys/types.h>

/* Tokens; T_AND and T_OR also link the pipelines of an and-or list. */
enum { T_WORD, T_PIPE, T_AND, T_OR, T_SEMI, T_AMP, T_REDIR, T_END };

struct redir {			/* [fd] op word */
	int		fd;
	int		op;		/* '<', '>', 'A' (>>), 'D' (>& or <&) */
	char		*word;		/* raw, expanded at run time */
	struct redir	*next;
};

struct cmd {			/* one simple command of a pipeline */
	char		**words;	/* raw words, NULL-terminated */
	int		nwords;
	struct redir	*redirs;
	struct cmd	*next;
};

struct pipeline {
	struct cmd	*cmds;
	int		op;		/* T_AND / T_OR to the next one, else 0 */
	struct pipeline	*next;
};

struct andor {
	struct pipeline	*first;
	int		background;
	struct andor	*next;
};

/* Shell state (defined in sh.c). */
extern int last_status;		/* $? */
extern pid_t shell_pid;		/* $$ */
extern pid_t last_bg;		/* $!, 0 if none */
extern char **pos_args;		/* $0, $1, ... */
extern int pos_count;

/* A growable NUL-terminated string; start from { 0, 0, 0 }. */
struct str { char *s; size_t len, cap; };
void str_add(struct str *sb, const char *p, size_t n);

/* parse.c */
int parse_text(const char *text, struct andor **out);
void parse_free(void);

/* jobs.c: job control when interactive on a terminal */
extern int job_control;
void jobs_init(void);
void job_child(pid_t pgid, int fg);
pid_t job_parent(pid_t pid, pid_t pgid, int fg);
int job_wait_fg(pid_t *pids, int n, pid_t pgid, const char *name);
void job_add_bg(pid_t pid, const char *name);
void jobs_reap(void (*remember)(pid_t pid, int status));
int builtin_jobs(char **argv);
int builtin_fg_bg(char **argv);
void jobs_hangup(void);

/* edit.c: reads a line with editing and history; 1, 0 at end of input,
   -2 if stdin is not a terminal */
int edit_line(const char *prompt, struct str *sb);

/* glob.c */
int glob_is_pattern(const char *w);
char **glob_expand(const char *pattern);

/* expand.c */
char *expand_word(const char *w);
char **expand_cmd(struct cmd *c, int apply, int *nassign);
void assign(const char *w);
void free_argv(char **argv);

#endif
