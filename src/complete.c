/*
 * Tab completion at the prompt, read from the command table: command names
 * first, then each argument by its kind (struct cmd_entry's args[], whose
 * last kind repeats; the template's -f FORMAT and > FILE apart). "on FD
 * COMMAND ..." completes the fd, then a command, then that command's
 * arguments.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <readline/readline.h>

#include "sockrepl.h"

/* The words offered for the word being completed; gen() walks them. */
static struct {
	char	**v;
	int	  n;
	int	  cap;
	int	  next;
	size_t	  prefix;	/* bytes of the word kept before each match */
} cand;

static void
cand_reset(void)
{
	int	i;

	for (i = 0; i < cand.n; i++)
		free(cand.v[i]);
	cand.n = cand.next = 0;
	cand.prefix = 0;
}

static void
cand_add(const char *s)
{
	if (cand.n == cand.cap) {
		cand.cap = cand.cap ? cand.cap * 2 : 32;
		if ((cand.v = realloc(cand.v, cand.cap * sizeof *cand.v)) ==
		    NULL)
			nomem();
	}
	if ((cand.v[cand.n++] = strdup(s)) == NULL)
		nomem();
}

static void
cand_names(const struct name *n)
{
	for (; n->name != NULL; n++)
		cand_add(n->name);
}

/* The lower-case words after the prefix: peek for MSG_PEEK. */
static void
cand_bare_names(const struct name *n)
{
	char	word[64];
	size_t	i;

	for (; n->name != NULL; n++) {
		const char *bare = strchr(n->name, '_');

		if (bare == NULL || strlen(bare + 1) >= sizeof word)
			continue;
		for (i = 0; bare[i + 1] != '\0'; i++)
			word[i] = (char)tolower((unsigned char)bare[i + 1]);
		word[i] = '\0';
		cand_add(word);
	}
}

static const char *const server_opt_words[] = {
	"family=inet", "family=inet6", "backlog=", "reuse_port",
	"dualstack_ipv6", NULL
};

static void
cand_words(const char *const *w)
{
	for (; *w != NULL; w++)
		cand_add(*w);
}

static void
cand_commands(void)
{
	const struct cmd_entry	**e;

	for (e = cmd_table; *e != NULL; e++)
		cand_add((*e)->name);
}

/* readline calls this until it returns NULL; each match is malloc'd. */
static char *
gen(const char *text, int state)
{
	const char	*word = text + cand.prefix;
	size_t		 len = strlen(word);
	char		*m;
	const char	*c;

	if (state == 0)
		cand.next = 0;
	while (cand.next < cand.n) {
		c = cand.v[cand.next++];
		if (strncmp(c, word, len) != 0)
			continue;
		if ((m = malloc(cand.prefix + strlen(c) + 1)) == NULL)
			nomem();
		memcpy(m, text, cand.prefix);
		strcpy(m + cand.prefix, c);
		return m;
	}
	return NULL;
}

/*
 * Fill the candidates for an argument of this kind. Returns 1 when readline
 * should complete file names instead.
 */
static int
cand_kind(enum arg_kind kind, const char *text)
{
	const struct sockopt	*o;
	const char		*bar;
	char			 num[16];
	int			 fd, i;

	switch (kind) {
	case ARG_FD:
		for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
			snprintf(num, sizeof num, "%d", fd);
			cand_add(num);
		}
		break;
	case ARG_TYPE:
		cand_names(type_words);
		cand_names(type_names);
		break;
	case ARG_FAMILY:
		cand_names(family_words);
		cand_names(family_names);
		break;
	case ARG_SOCKOPT:
		for (o = sockopts; o->name != NULL; o++)
			cand_add(o->name);
		break;
	case ARG_MSGFLAG:
		/* Flags join with | or ,: complete the one after the last. */
		if ((bar = strrchr(text, '|')) != NULL ||
		    (bar = strrchr(text, ',')) != NULL)
			cand.prefix = (size_t)(bar - text) + 1;
		cand_bare_names(msgflag_names);
		cand_names(msgflag_names);
		break;
	case ARG_BOOL:
		cand_names(bool_words);
		break;
	case ARG_COMMAND:
		cand_commands();
		cand_words(help_topics);
		/* help ECONN<Tab>: the errors help explains. */
		for (i = 0; text[0] == 'E' && help_errno_at(i) != NULL; i++)
			cand_add(help_errno_at(i));
		break;
	case ARG_PROTO:
		cand_names(proto_words);
		cand_names(proto_names);
		break;
	case ARG_HOW:
		cand_names(how_words);
		cand_names(shut_names);
		break;
	case ARG_TOUR:
		cand_words(tour_words);
		break;
	case ARG_DIAGRAM:
		cand_names(diagram_forms);
		break;
	case ARG_GAIHINT:
		cand_names(family_words);
		cand_names(type_words);
		cand_bare_names(ai_flag_names);
		cand_names(ai_flag_names);
		break;
	case ARG_NIFLAG:
		cand_bare_names(ni_flag_names);
		cand_names(ni_flag_names);
		break;
	case ARG_EPOLLOP:
		cand_names(epoll_op_words);
		cand_names(epoll_op_names);
		break;
	case ARG_EPOLLEV:
		/* Events join with commas: complete the one after the last. */
		if ((bar = strrchr(text, ',')) != NULL)
			cand.prefix = (size_t)(bar - text) + 1;
		cand_names(epoll_words);
		cand_names(epoll_names);
		break;
	case ARG_SERVEROPT:
		cand_words(server_opt_words);
		break;
	case ARG_FDSET:
		if ((bar = strrchr(text, ',')) != NULL)
			cand.prefix = (size_t)(bar - text) + 1;
		else
			cand_add("-");
		for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
			snprintf(num, sizeof num, "%d", fd);
			cand_add(num);
		}
		break;
	case ARG_PATH:
		return 1;
	case ARG_TLSOPT:
		if (text[0] != '-')
			return 1;
		cand_words(tls_option_words);
		break;
	case ARG_ADDR:
		/* An AF_UNIX address is a path. */
		return strchr(text, '/') != NULL;
	default:
		break;
	}
	return 0;
}

/* The kind of argument n (0-based) of e: the last kind given repeats. */
static enum arg_kind
arg_kind_of(const struct cmd_entry *e, int n)
{
	int	top = 0, i;

	for (i = 0; i < 4 && e->args[i] != ARG_NONE; i++)
		top = i;
	if (e->args[0] == ARG_NONE)
		return ARG_NONE;
	return e->args[n < top ? n : top];
}

/*
 * Fill the candidates for argument argn of e, after the words args[0..argn)
 * typed so far. The argument template comes first: the word after -f is a
 * format, the word after > or >> a file, and the kinds in args[] count the
 * words after -f FORMAT; after the last argument nothing is offered.
 * Returns 1 when readline should complete file names.
 */
static int
cand_arg(const struct cmd_entry *e, char **args, int argn, const char *text)
{
	if ((e->flags & CMD_REDIR_OUT) && argn > 0 &&
	    (strcmp(args[argn - 1], ">") == 0 ||
	    strcmp(args[argn - 1], ">>") == 0))
		return 1;
	if ((e->flags & CMD_MSGFLAGS) && argn > 0 &&
	    strcmp(args[0], "-m") == 0) {
		if (argn == 1)
			return cand_kind(ARG_MSGFLAG, text);
		argn -= 2;
	}
	if ((e->flags & CMD_FORMAT) && argn > 0 && strcmp(args[0], "-f") == 0) {
		if (argn == 1) {
			cand_names(format_names);
			return 0;
		}
		argn -= 2;
	}
	/* Past the command's last argument there is nothing to offer. */
	if (e->maxargs >= 0 && argn >= e->maxargs)
		return 0;
	return cand_kind(arg_kind_of(e, argn), text);
}

/* Split the line before the word being completed into words. */
static int
split(const char *line, int end, char ***out)
{
	char	**v = NULL;
	int	  n = 0, i = 0, s;

	while (i < end) {
		while (i < end && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= end)
			break;
		s = i;
		while (i < end && line[i] != ' ' && line[i] != '\t')
			i++;
		if ((v = realloc(v, (n + 1) * sizeof *v)) == NULL ||
		    (v[n] = strndup(line + s, (size_t)(i - s))) == NULL)
			nomem();
		n++;
	}
	*out = v;
	return n;
}

static char **
complete(const char *text, int start, int end)
{
	const struct cmd_entry	*e;
	char			**w, **m = NULL;
	int			  n, i, argn, files = 0;

	(void)end;
	cand_reset();
	n = split(rl_line_buffer, start, &w);
	e = n > 0 ? cmd_find(w[0], 0) : NULL;
	argn = n - 1;
	if (n == 0)
		cand_commands();
	else if (e == &cmd_on_entry && argn == 1)
		cand_commands();
	else if (e == &cmd_on_entry && argn >= 2) {
		/* on FD CMD ...: the arguments are CMD's. */
		if ((e = cmd_find(w[2], 0)) != NULL && e != &cmd_on_entry)
			files = cand_arg(e, w + 3, argn - 2, text);
	} else if (e != NULL)
		files = cand_arg(e, w + 1, argn, text);
	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
	/* Only where a path goes may readline fall back to file names. */
	rl_attempted_completion_over = !files;
	if (!files)
		m = rl_completion_matches(text, gen);
	return m;
}

void
complete_init(void)
{
	rl_attempted_completion_function = complete;
	/* Break words at blanks only: | and : belong to flags and addresses. */
	rl_basic_word_break_characters = " \t";
}
