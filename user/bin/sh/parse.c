/*
 * The shell's lexer and parser: turns text into a list of and-or lists of
 * pipelines of simple commands (see sh.h). Words stay raw, quotes and
 * all; expand.c expands them when their command runs. Every node comes
 * from an arena that parse_free() releases in one go.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sh.h"

/* Each allocation is a block: a 16-byte header linking all of them, then the node. */
struct block { struct block *next; };
static struct block *arena;

/* Returns zeroed memory that lives until parse_free(); exits if out of memory. */
static void *arena_alloc(size_t n)
{
	struct block *b = calloc(1, 16 + n);

	if (!b) {
		fprintf(stderr, "sh: out of memory\n");
		exit(2);
	}
	b->next = arena;
	arena = b;
	return (char *)b + 16;
}

/* Frees every node made by parse_text. */
void parse_free(void)
{
	while (arena) {
		struct block *n = arena->next;
		free(arena);
		arena = n;
	}
}

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

/* Reports the unexpected token (unless input was merely incomplete); -1. */
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

/*
 * Parses text into *out. Returns 0; -1 after printing a syntax error; or 1
 * if text is incomplete (an open quote, a trailing backslash or operator) and
 * more input should be appended. The nodes live until parse_free().
 */
int parse_text(const char *text, struct andor **out)
{
	struct lexer lx = { .p = text };

	*out = 0;
	if (parse_list(&lx, out) == 0)
		return 0;
	parse_free();
	*out = 0;
	return lx.incomplete ? 1 : -1;
}
