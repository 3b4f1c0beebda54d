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
 * 1); there is no field splitting or globbing. NAME=value before a command
 * sets it in that command's environment; alone it sets it in the shell's.
 * All shell variables are environment variables.
 *
 * Builtins: cd, exit, export, unset, wait, exec, pwd. A pipeline's status
 * is that of its last command; a command killed by signal N has status
 * 128+N and the shell reports it ("Segmentation fault", "Killed",
 * "Terminated", ...). A command not found has status 127.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

/* --- shell state ---------------------------------------------------------- */

static int last_status;		/* $? */
static pid_t shell_pid;		/* $$ */
static pid_t last_bg;		/* $!, 0 if none */
static int interactive;
static char **pos_args;		/* $0, $1, ... */
static int pos_count;

/* --- arena: everything parsed from one input is freed together ------------ */

struct block { struct block *next; };
static struct block *arena;

/* Returns zeroed memory that lives until arena_reset(); exits if out of memory. */
static void *arena_alloc(size_t n)
{
	struct block *b = calloc(1, sizeof(*b) + n + 16);

	if (!b) {
		fprintf(stderr, "sh: out of memory\n");
		exit(2);
	}
	b->next = arena;
	arena = b;
	return (char *)b + 16;
}

/* Frees every arena allocation. */
static void arena_reset(void)
{
	while (arena) {
		struct block *n = arena->next;
		free(arena);
		arena = n;
	}
}

/* --- growable strings -------------------------------------------------- */

struct str { char *s; size_t len, cap; };

/* Appends n bytes of p to sb (NUL-terminated); exits if out of memory. */
static void str_add(struct str *sb, const char *p, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		sb->cap = (sb->len + n + 1) * 2;
		sb->s = realloc(sb->s, sb->cap);
		if (!sb->s) {
			fprintf(stderr, "sh: out of memory\n");
			exit(2);
		}
	}
	memcpy(sb->s + sb->len, p, n);
	sb->len += n;
	sb->s[sb->len] = 0;
}

/* --- lexer ---------------------------------------------------------------- */

struct lexer {
	const char	*p;
	int		kind;		/* kind of the current token */
	char		*word;		/* T_WORD: raw text; T_REDIR: unused */
	int		rfd, rop;	/* T_REDIR: fd (-1 default) and op */
	int		incomplete;	/* input ended inside quotes or after \ */
};

/* True for characters that end an unquoted word. */
static int is_special(char c)
{
	return c == 0 || c == ' ' || c == '\t' || c == '\n' || c == ';' ||
	       c == '&' || c == '|' || c == '<' || c == '>';
}

/*
 * Scans a raw word at lx->p, keeping its quotes (expansion removes them).
 * Sets lx->incomplete if a quote is left open or input ends in '\'.
 */
static char *lex_word(struct lexer *lx)
{
	const char *start = lx->p, *p = lx->p;
	char *w;

	while (!is_special(*p)) {
		if (*p == '\\') {
			if (!p[1]) {
				lx->incomplete = 1;
				break;
			}
			p += 2;
		} else if (*p == '\'' || *p == '"') {
			char q = *p++;
			while (*p && *p != q)
				p += (q == '"' && *p == '\\' && p[1]) ? 2 : 1;
			if (!*p) {
				lx->incomplete = 1;
				break;
			}
			p++;
		} else {
			p++;
		}
	}
	w = arena_alloc((size_t)(p - start) + 1);
	memcpy(w, start, (size_t)(p - start));
	lx->p = p;
	return w;
}

/* Reads the next token into lx. */
static void lex_next(struct lexer *lx)
{
	const char *p = lx->p;
	int fd = -1;

	while (*p == ' ' || *p == '\t' || (*p == '\\' && p[1] == '\n'))
		p += *p == '\\' ? 2 : 1;
	if (*p == '#')
		while (*p && *p != '\n')
			p++;
	lx->p = p;
	if (!*p) { lx->kind = T_END; return; }
	if (*p == '\n' || *p == ';') { lx->kind = T_SEMI; lx->p++; return; }
	if (*p == '|') {
		lx->kind = p[1] == '|' ? T_OR : T_PIPE;
		lx->p += lx->kind == T_OR ? 2 : 1;
		return;
	}
	if (*p == '&') {
		lx->kind = p[1] == '&' ? T_AND : T_AMP;
		lx->p += lx->kind == T_AND ? 2 : 1;
		return;
	}
	if (*p >= '0' && *p <= '9') {		/* an IO number like 2> ? */
		const char *q = p;
		while (*q >= '0' && *q <= '9')
			q++;
		if (*q == '<' || *q == '>') {
			fd = atoi(p);
			p = q;
		}
	}
	if (*p == '<' || *p == '>') {
		lx->kind = T_REDIR;
		lx->rfd = fd >= 0 ? fd : (*p == '<' ? 0 : 1);
		if (p[1] == '&') { lx->rop = 'D'; p += 2; }
		else if (p[0] == '>' && p[1] == '>') { lx->rop = 'A'; p += 2; }
		else { lx->rop = *p; p++; }
		lx->p = p;
		return;
	}
	lx->kind = T_WORD;
	lx->word = lex_word(lx);
}

/* --- parser --------------------------------------------------------------- */

static int syntax_error(struct lexer *lx)
{
	static const char *names[] = { "word", "|", "&&", "||", ";", "&", "redirection", "end of input" };

	if (!lx->incomplete)
		fprintf(stderr, "sh: syntax error near '%s'\n", names[lx->kind]);
	return -1;
}

/*
 * Skips newlines after an operator that needs more input ('|', '&&',
 * '||'); input ending there is incomplete rather than wrong.
 */
static void skip_newlines(struct lexer *lx)
{
	while (lx->kind == T_SEMI && lx->p[-1] == '\n')
		lex_next(lx);
	if (lx->kind == T_END)
		lx->incomplete = 1;
}

/* command := (word | redirection)+ ; NULL on a syntax error. */
static struct cmd *parse_cmd(struct lexer *lx)
{
	struct cmd *c = arena_alloc(sizeof(*c));
	struct redir **rtail = &c->redirs;
	char *words[256];

	while (lx->kind == T_WORD || lx->kind == T_REDIR) {
		if (lx->kind == T_WORD) {
			if (c->nwords == 255) {
				fprintf(stderr, "sh: too many words\n");
				return 0;
			}
			words[c->nwords++] = lx->word;
		} else {
			struct redir *r = arena_alloc(sizeof(*r));
			r->fd = lx->rfd;
			r->op = lx->rop;
			lex_next(lx);
			if (lx->kind != T_WORD) {
				syntax_error(lx);
				return 0;
			}
			r->word = lx->word;
			*rtail = r;
			rtail = &r->next;
		}
		lex_next(lx);
	}
	if (!c->nwords && !c->redirs) {
		syntax_error(lx);
		return 0;
	}
	c->words = arena_alloc(sizeof(char *) * (size_t)(c->nwords + 1));
	memcpy(c->words, words, sizeof(char *) * (size_t)c->nwords);
	return c;
}

/* pipeline := command ('|' command)* */
static struct pipeline *parse_pipeline(struct lexer *lx)
{
	struct pipeline *pl = arena_alloc(sizeof(*pl));
	struct cmd **tail = &pl->cmds;

	for (;;) {
		struct cmd *c = parse_cmd(lx);
		if (!c)
			return 0;
		*tail = c;
		tail = &c->next;
		if (lx->kind != T_PIPE)
			return pl;
		lex_next(lx);
		skip_newlines(lx);
	}
}

/* list := and_or ((';' | '&') and_or)* ; returns 0 or -1 (syntax error). */
static int parse_list(struct lexer *lx, struct andor **out)
{
	struct andor **atail = out;

	lex_next(lx);
	for (;;) {
		struct andor *a;
		struct pipeline **ptail;

		while (lx->kind == T_SEMI)
			lex_next(lx);
		if (lx->kind == T_END)
			return lx->incomplete ? -1 : 0;
		a = arena_alloc(sizeof(*a));
		ptail = &a->first;
		for (;;) {
			struct pipeline *pl = parse_pipeline(lx);
			if (!pl)
				return -1;
			*ptail = pl;
			ptail = &pl->next;
			if (lx->kind != T_AND && lx->kind != T_OR)
				break;
			pl->op = lx->kind;
			lex_next(lx);
			skip_newlines(lx);
		}
		if (lx->kind == T_AMP) {
			a->background = 1;
			lex_next(lx);
		} else if (lx->kind != T_SEMI && lx->kind != T_END) {
			return syntax_error(lx);
		}
		*atail = a;
		atail = &a->next;
	}
}

/* --- expansion ------------------------------------------------------------ */

/* Appends the value of the parameter at *pp (just after '$'); advances *pp. */
static void expand_param(struct str *sb, const char **pp)
{
	const char *p = *pp;
	char num[24], name[128];
	const char *val = 0;
	size_t n = 0;

	if (*p == '?' || *p == '$' || *p == '!' || *p == '#') {
		long v = *p == '?' ? last_status : *p == '$' ? shell_pid :
			 *p == '!' ? last_bg : (pos_count > 0 ? pos_count - 1 : 0);
		if (*p != '!' || last_bg) {
			snprintf(num, sizeof(num), "%ld", v);
			val = num;
		}
		p++;
	} else if (*p >= '0' && *p <= '9') {
		int i = *p++ - '0';
		val = i < pos_count ? pos_args[i] : 0;
	} else {
		int brace = *p == '{';
		p += brace;
		while ((*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(n && *p >= '0' && *p <= '9')) && n < sizeof(name) - 1)
			name[n++] = *p++;
		name[n] = 0;
		if (!n || (brace && *p != '}')) {	/* not a parameter: literal $ */
			str_add(sb, "$", 1);
			return;
		}
		p += brace;
		val = getenv(name);
	}
	if (val)
		str_add(sb, val, strlen(val));
	*pp = p;
}

/*
 * Expands raw word w: removes quotes, substitutes parameters and a leading
 * ~. Returns a malloc'd string, or NULL if w was unquoted and expanded to
 * nothing (such a word disappears).
 */
static char *expand_word(const char *w)
{
	struct str sb = { 0, 0, 0 };
	int quoted = 0;
	const char *p = w;

	str_add(&sb, "", 0);
	if (p[0] == '~' && (p[1] == '/' || p[1] == 0)) {
		const char *home = getenv("HOME");
		str_add(&sb, home ? home : "/", strlen(home ? home : "/"));
		p++;
	}
	while (*p) {
		if (*p == '\\') {
			quoted = 1;
			if (p[1] != '\n')
				str_add(&sb, p + 1, 1);
			p += 2;
		} else if (*p == '\'') {
			const char *e = strchr(p + 1, '\'');
			quoted = 1;
			str_add(&sb, p + 1, (size_t)(e - p - 1));
			p = e + 1;
		} else if (*p == '"') {
			quoted = 1;
			for (p++; *p != '"'; p++) {
				if (*p == '\\' && p[1] && strchr("$`\"\\\n", p[1])) {
					if (p[1] != '\n')
						str_add(&sb, p + 1, 1);
					p++;
				} else if (*p == '$') {
					p++;
					expand_param(&sb, &p);
					p--;
				} else {
					str_add(&sb, p, 1);
				}
			}
			p++;
		} else if (*p == '$') {
			p++;
			expand_param(&sb, &p);
		} else {
			str_add(&sb, p++, 1);
		}
	}
	if (!quoted && sb.len == 0) {
		free(sb.s);
		return 0;
	}
	return sb.s;
}

/* True if raw word w has the form NAME=... (an assignment). */
static int is_assignment(const char *w)
{
	const char *p = w;

	if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while (*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	       (*p >= '0' && *p <= '9'))
		p++;
	return *p == '=';
}

/* Applies NAME=value assignment raw word w to the environment. */
static void assign(const char *w)
{
	const char *eq = strchr(w, '=');
	char *name = strndup(w, (size_t)(eq - w)), *val = expand_word(eq + 1);

	setenv(name, val ? val : "", 1);
	free(name);
	free(val);
}

/*
 * Expands command c: applies its leading assignments when apply is set,
 * and returns the malloc'd argv (free with free_argv) of the rest.
 */
static char **expand_cmd(struct cmd *c, int apply, int *nassign)
{
	char **argv = calloc((size_t)c->nwords + 1, sizeof(char *));
	int i = 0, n = 0;

	while (i < c->nwords && is_assignment(c->words[i])) {
		if (apply)
			assign(c->words[i]);
		i++;
	}
	*nassign = i;
	for (; i < c->nwords; i++) {
		char *w = expand_word(c->words[i]);
		if (w)
			argv[n++] = w;
	}
	return argv;
}

static void free_argv(char **argv)
{
	for (int i = 0; argv[i]; i++)
		free(argv[i]);
	free(argv);
}

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

static int builtin_cd(char **argv)
{
	const char *dir = argv[1];
	char buf[4096];

	if (!dir)
		dir = getenv("HOME") ? getenv("HOME") : "/";
	else if (strcmp(dir, "-") == 0)
		dir = getenv("OLDPWD") ? getenv("OLDPWD") : ".";
	if (chdir(dir) < 0) {
		fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (getenv("PWD"))
		setenv("OLDPWD", getenv("PWD"), 1);
	if (getcwd(buf, sizeof(buf)))
		setenv("PWD", buf, 1);
	return 0;
}

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

/* Waits for background children (all, or the pids given). */
static int builtin_wait(char **argv)
{
	int st = 0;

	if (!argv[1]) {
		while (wait(&st) > 0 || errno == EINTR)
			;
		return 0;
	}
	for (int i = 1; argv[i]; i++)
		if (waitpid(atoi(argv[i]), &st, 0) < 0)
			st = 127 << 8;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int is_builtin(const char *name)
{
	static const char *names[] = { "cd", "exit", "export", "unset", "wait",
				       "exec", "pwd", 0 };

	for (int i = 0; names[i]; i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

static void exec_external(char **argv);

/* Runs builtin argv[0]; returns its status (exit and exec do not return). */
static int run_builtin(char **argv)
{
	char buf[4096];

	if (strcmp(argv[0], "cd") == 0)
		return builtin_cd(argv);
	if (strcmp(argv[0], "exit") == 0)
		exit(argv[1] ? atoi(argv[1]) : last_status);
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
static void exec_external(char **argv)
{
	fflush(0);
	child_signals();
	execvp(argv[0], argv);
	if (errno == ENOENT && !strchr(argv[0], '/'))
		fprintf(stderr, "sh: %s: command not found\n", argv[0]);
	else
		fprintf(stderr, "sh: %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
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
	if (pid == 0)
		run_in_child(c);
	return wait_child(pid);
}

/* Runs a pipeline; its status is the last command's. */
static int run_pipeline(struct pipeline *pl)
{
	pid_t pids[64];
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
			if (in >= 0)
				dup2(in, 0);
			if (fds[1] >= 0)
				dup2(fds[1], 1);
			run_in_child(c);
		}
		if (pids[n] > 0)
			n++;
		if (in >= 0)
			close(in);
		if (fds[1] >= 0)
			close(fds[1]);
		in = fds[0];
	}
	if (in >= 0)
		close(in);
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
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		interactive = 0;
		if (!a->first->next && !a->first->cmds->next)
			run_in_child(a->first->cmds);	/* no extra process */
		exit(run_andor(a));
	}
	last_bg = pid;
	last_status = 0;
	if (interactive)
		fprintf(stderr, "[%d]\n", pid);
}

/* Collects finished background children without blocking. */
static void reap_background(void)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (interactive)
			fprintf(stderr, "[%d] Done (%d)\n", pid, decode_status(st));
}

/*
 * Parses and runs the commands in text. Returns 0, -1 on a syntax error,
 * or 1 if text is incomplete (open quote, trailing '\' or operator) and
 * more input should be appended.
 */
static int run_text(const char *text)
{
	struct lexer lx = { .p = text };
	struct andor *list = 0;
	int r = parse_list(&lx, &list);

	if (r < 0) {
		arena_reset();
		if (lx.incomplete)
			return 1;
		last_status = 2;
		return -1;
	}
	for (struct andor *a = list; a; a = a->next) {
		if (a->background)
			run_background(a);
		else
			run_andor(a);
		reap_background();
	}
	arena_reset();
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
		reap_background();
		if (interactive)
			fputs(text.len ? "> " : "kilburn$ ", stderr);
		if (!read_line(fd, &line)) {
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
	}
	exit(run_file(0));
}
