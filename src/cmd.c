/*
 * The command table and the dispatcher. As in tmux, each command's entry sits
 * beside its handler; this table gathers them, and help, completion and the
 * argument checks all read it. Checks happen here, once: handlers never
 * count their arguments.
 */
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

const struct cmd_entry *cmd_table[] = {
	/* life cycle */
	&cmd_socket_entry,
	&cmd_socketpair_entry,
	&cmd_bind_entry,
	&cmd_listen_entry,
	&cmd_accept_entry,
	&cmd_connect_entry,
	&cmd_connect_ex_entry,
	&cmd_create_connection_entry,
	&cmd_create_server_entry,
	&cmd_shutdown_entry,
	&cmd_close_entry,
	&cmd_dup_entry,
	&cmd_unlink_entry,
	&cmd_starttls_entry,
	/* data */
	&cmd_send_entry,
	&cmd_sendall_entry,
	&cmd_sendline_entry,
	&cmd_sendto_entry,
	&cmd_sendmsg_entry,
	&cmd_recv_entry,
	&cmd_recvfrom_entry,
	&cmd_recvmsg_entry,
	&cmd_recvline_entry,
	&cmd_recvuntil_entry,
	&cmd_recvall_entry,
	&cmd_newline_entry,
	&cmd_format_entry,
	&cmd_sendfile_entry,
	/* options */
	&cmd_setblocking_entry,
	&cmd_settimeout_entry,
	&cmd_gettimeout_entry,
	&cmd_setsockopt_entry,
	&cmd_getsockopt_entry,
	&cmd_getblocking_entry,
	/* inspection */
	&cmd_getsockname_entry,
	&cmd_getpeername_entry,
	&cmd_fileno_entry,
	&cmd_sockatmark_entry,
	&cmd_list_entry,
	&cmd_info_entry,
	&cmd_use_entry,
	&cmd_on_entry,
	/* names */
	&cmd_getaddrinfo_entry,
	&cmd_getnameinfo_entry,
	&cmd_gethostname_entry,
	&cmd_getservbyname_entry,
	&cmd_getservbyport_entry,
	/* event loops */
	&cmd_select_entry,
	&cmd_epoll_create_entry,
	&cmd_epoll_ctl_entry,
	&cmd_epoll_wait_entry,
	&cmd_tlsinfo_entry,
	/* session */
	&cmd_help_entry,
	&cmd_sleep_entry,
	&cmd_events_entry,
	&cmd_history_entry,
	&cmd_export_entry,
	&cmd_tour_entry,
	&cmd_wire_entry,
	&cmd_diagram_entry,
	&cmd_quit_entry,
	/* scripting */
	&cmd_set_entry,
	&cmd_unset_entry,
	&cmd_source_entry,
	&cmd_expect_entry,
	&cmd_poll_entry,
	&cmd_repeat_entry,
	NULL
};

int	current_fd = -1;

static enum cmd_retval dispatch_checked(const struct cmd_entry *,
    struct words *, int, struct sock *);

void
set_current(int fd)
{
	current_fd = fd;
}

/*
 * Names and aliases in a small open-addressed hash table, built once: a
 * script runs a command per line, and a walk of the table with strcmp was
 * a tenth of the time of a long scripted conversation (bench/).
 */
#define NAME_SLOTS	1024	/* a power of two, over twice the names */

static const char		*slot_name[NAME_SLOTS];
static const struct cmd_entry	*slot_entry[NAME_SLOTS];

static unsigned
name_hash(const char *s)
{
	unsigned	h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void
slot_put(const char *name, const struct cmd_entry *e)
{
	unsigned	i = name_hash(name) & (NAME_SLOTS - 1);

	while (slot_name[i] != NULL)
		i = (i + 1) & (NAME_SLOTS - 1);
	slot_name[i] = name;
	slot_entry[i] = e;
}

static const struct cmd_entry *
cmd_exact(const char *name)
{
	const struct cmd_entry	**e;
	static int		  built;
	unsigned		  i;

	if (!built) {
		for (e = cmd_table; *e != NULL; e++) {
			slot_put((*e)->name, *e);
			if ((*e)->alias != NULL)
				slot_put((*e)->alias, *e);
		}
		built = 1;
	}
	for (i = name_hash(name) & (NAME_SLOTS - 1); slot_name[i] != NULL;
	    i = (i + 1) & (NAME_SLOTS - 1)) {
		if (strcmp(slot_name[i], name) == 0)
			return slot_entry[i];
	}
	return NULL;
}

/* The line being run, to quote what was typed (the words lost quotes). */
static const char	*run_line;
static size_t		 run_len;

/*
 * The text typed from name's "word(" to the end of the line, in out; the
 * word itself when the line does not hold it.
 */
static void
typed_text(const char *name, const char *open, struct buf *out)
{
	size_t	n = (size_t)(open - name) + 1, i, end;

	for (i = 0; run_line != NULL && i + n <= run_len; i++) {
		if (memcmp(run_line + i, name, n) != 0)
			continue;
		end = run_len;
		while (end > i && (run_line[end - 1] == ' ' ||
		    run_line[end - 1] == '\t' || run_line[end - 1] == '\n' ||
		    run_line[end - 1] == '\r'))
			end--;
		buf_add(out, run_line + i, end - i);
		return;
	}
	buf_add(out, name, strlen(name));
}

/*
 * A command written as a Python call, connect(('localhost', 6565)) or
 * sock.send(b'hi'): say how sockrepl writes it. Returns 1 if it said so.
 */
static int
python_call(const char *name)
{
	const struct cmd_entry	*e;
	const char		*open, *dot, *start = name;
	char			 cmd[64];
	struct buf		 typed = { 0 };

	if ((open = strchr(name, '(')) == NULL)
		return 0;
	/* sock.connect( and s.connect( name the method after the dot. */
	if ((dot = memchr(name, '.', (size_t)(open - name))) != NULL)
		start = dot + 1;
	if (open - start <= 0 || (size_t)(open - start) >= sizeof cmd)
		return 0;
	memcpy(cmd, start, (size_t)(open - start));
	cmd[open - start] = '\0';
	if ((e = cmd_exact(cmd)) == NULL)
		return 0;
	typed_text(name, open, &typed);
	diag("unknown command \"%s\": write the command and then its "
	    "arguments, with blanks and no parentheses (help %s shows how: "
	    "%s%s%s)", printable(buf_str(&typed)), e->name, e->name,
	    *e->usage ? " " : "", e->usage);
	buf_free(&typed);
	return 1;
}

/*
 * Find a command by name, alias or unique prefix. Returns NULL after
 * printing a message when report is set and there is no single match.
 */
const struct cmd_entry *
cmd_find(const char *name, int report)
{
	const struct cmd_entry	**e, *found = NULL;
	struct buf		  all = { 0 };
	size_t			  len = strlen(name);
	int			  n = 0;

	if ((found = cmd_exact(name)) != NULL)
		return found;
	for (e = cmd_table; *e != NULL && len > 0; e++) {
		if (strncmp((*e)->name, name, len) == 0) {
			buf_printf(&all, "%s%s", n ? ", " : "", (*e)->name);
			found = *e;
			n++;
		}
	}
	if (n == 1) {
		buf_free(&all);
		return found;
	}
	if (report) {
		if (n == 0 && python_call(name))
			;
		else if (n == 0)
			diag("unknown command \"%s\" (help lists the commands)",
			    printable(name));
		else
			diag("ambiguous command \"%s\": %s", printable(name),
			    buf_str(&all));
	}
	buf_free(&all);
	return NULL;
}

void
cmd_usage(const struct cmd_entry *e)
{
	diag("usage: %s%s%s", e->name, *e->usage ? " " : "", e->usage);
}

/*
 * Run the command in words w[first..] on socket sk (the current one, or the
 * one named by "on FD", under_on set). Returns the command's status.
 */
static enum cmd_retval
dispatch(struct words *w, int first, struct sock *sk, int under_on)
{
	const struct cmd_entry	*e;
	const char		*saved;
	enum cmd_retval		 r;

	if ((e = cmd_find(w->v[first].s, 1)) == NULL) {
		outcome_reset();
		sess.failed = 1;
		return CMD_ERROR;
	}
	if (under_on && e == &cmd_on_entry) {
		diag("on: give one command after the fd, not another on");
		outcome_reset();
		sess.failed = 1;
		return CMD_ERROR;
	}
	/*
	 * The outcome (last, $status) describes the last command that did
	 * something to a socket. Commands flagged CMD_KEEPOUTCOME (set,
	 * expect, ...) look at it or make no call, so they leave it alone:
	 * that is what lets expect check the command before it, and lets
	 * several expects in a row check the same outcome. Resetting here,
	 * before the checks, means a mistyped command is not mistaken for
	 * the one before it.
	 */
	if (!(e->flags & CMD_KEEPOUTCOME))
		outcome_reset();
	saved = sess.cmd;
	sess.cmd = e->name;
	log_begin(e, w->v + first + 1, w->n - first - 1, sk);
	r = dispatch_checked(e, w, first, sk);
	if (!(e->flags & CMD_KEEPOUTCOME))
		sess.failed = r == CMD_ERROR;
	log_end(r);
	sess.cmd = saved;
	return r;
}

/* Does argc fit e's count, with extra words of options allowed? */
static int
args_fit(const struct cmd_entry *e, int argc, int extra)
{
	return argc >= e->minargs && (e->maxargs < 0 ||
	    argc <= e->maxargs + extra);
}

/*
 * Take the template's options off ctx's words: -f FORMAT from the front,
 * then > FILE or >> FILE from the end. Returns 0, or -1 after a message.
 */
static int
take_template(const struct cmd_entry *e, struct cmd_ctx *ctx)
{
	const struct word	*var;
	int			 n;

	ctx->fmt = data_format;
	ctx->redir.path = NULL;
	ctx->redir.append = 0;
	ctx->msgflags = 0;
	if (e->flags & CMD_MSGFLAGS) {
		if ((n = msgflags_take(e->name, ctx->argv, ctx->argc,
		    &ctx->msgflags)) < 0)
			return -1;
		ctx->argv += n;
		ctx->argc -= n;
	}
	if (e->flags & CMD_FORMAT) {
		if ((n = format_take(e->name, ctx->argv, ctx->argc,
		    &ctx->fmt)) < 0)
			return -1;
		ctx->argv += n;
		ctx->argc -= n;
	}
	ctx->capture = NULL;
	if (e->flags & CMD_CAPTURE) {
		if (capture_take(e->name, ctx->argv, &ctx->argc, &var) != 0 ||
		    (var != NULL && var_check(e->name, var) != 0))
			return -1;
		if (var != NULL)
			ctx->capture = var->s;
	}
	if ((e->flags & CMD_REDIR_OUT) &&
	    redir_take(e->name, ctx->argv, &ctx->argc, &ctx->redir) != 0)
		return -1;
	return 0;
}

/*
 * Check the arguments and the socket, then run the handler. The words are
 * counted twice: first whole, against the most the template can hold (so
 * a line far too long is told its usage before anything else), then, once
 * the template's options are taken, what is left against minargs and
 * maxargs.
 */
static enum cmd_retval
dispatch_checked(const struct cmd_entry *e, struct words *w, int first,
    struct sock *sk)
{
	struct cmd_ctx		 ctx;
	enum cmd_retval		 r;
	uint64_t		 nrecv;
	int			 extra = 0;

	ctx.entry = e;
	ctx.argc = w->n - first - 1;
	ctx.argv = w->v + first + 1;
	ctx.sk = sk;
	if (e->flags & CMD_FORMAT)
		extra += 2;
	if (e->flags & CMD_REDIR_OUT)
		extra += 2;
	if (e->flags & CMD_CAPTURE)
		extra += 2;
	if (e->flags & CMD_MSGFLAGS)
		extra += 2;
	if (!args_fit(e, ctx.argc, extra)) {
		cmd_usage(e);
		return CMD_ERROR;
	}
	if ((e->flags & CMD_NEEDSOCK) && sk == NULL) {
		if (sock_count() == 0)
			diag("%s: no socket yet (make one with socket, or "
			    "bind or connect an address)", e->name);
		else
			diag("%s: no current socket (choose one with use FD; "
			    "list shows them)", e->name);
		return CMD_ERROR;
	}
	if (take_template(e, &ctx) != 0)
		return CMD_ERROR;
	if (!args_fit(e, ctx.argc, 0)) {
		cmd_usage(e);
		return CMD_ERROR;
	}
	nrecv = sess.last.nrecv;
	r = e->exec(&ctx);
	/* -> NAME: what the command received, if it received. */
	if (r == CMD_OK && ctx.capture != NULL && sess.last.nrecv != nrecv &&
	    var_set(e->name, ctx.capture, sess.last.data.data != NULL ?
	    sess.last.data.data : "", sess.last.data.len) != 0)
		r = CMD_ERROR;
	return r;
}

/*
 * The address in words w[0..n) for the running command (see addr_parse).
 * Returns 0, or -1 after a message "CMD: address ...: why".
 */
int
addr_arg(int family, int type, struct word *w, int n, int passive,
    struct addr *a)
{
	struct buf	why = { 0 };
	int		r;

	if ((r = addr_parse(family, type, w, n, passive, a, &why)) != 0)
		diag_cmd("%s", buf_str(&why));
	buf_free(&why);
	return r;
}

/*
 * The socket named by an FD argument of command cmd. Returns NULL after a
 * message naming the command and the bad text.
 */
struct sock *
sock_arg(const char *cmd, const char *word)
{
	struct sock	*sk;
	long long	 fd;

	if (parse_int(word, 0, INT32_MAX, "fd", &fd) != 0)
		return NULL;
	if ((sk = sock_get((int)fd)) == NULL)
		diag("%s: fd %lld is not a socket in the table (list shows "
		    "them)", cmd, fd);
	return sk;
}

/*
 * on FD CMD [ARG ...]: run one command on another socket without changing
 * the current one. It lives here because it is dispatch, not a socket call.
 */
static enum cmd_retval
cmd_on_exec(struct cmd_ctx *ctx)
{
	struct words	 sub = { 0 };
	struct sock	*sk;

	/*
	 * on keeps the outcome for the command it runs, so "on 3 expect ..."
	 * checks the command before; its own mistakes count as a failure.
	 */
	if ((sk = sock_arg("on", ctx->argv[0].s)) == NULL) {
		outcome_reset();
		sess.failed = 1;
		return CMD_ERROR;
	}
	sub.v = ctx->argv + 1;
	sub.n = ctx->argc - 1;
	sub.cap = sub.n;
	return dispatch(&sub, 0, sk, 1);
}

const struct cmd_entry cmd_on_entry = {
	.name = "on",
	.group = GROUP_INSPECTION,
	.usage = "FD COMMAND [ARG ...]",
	.minargs = 2,
	.maxargs = -1,
	.flags = CMD_KEEPOUTCOME,
	.args = { ARG_FD, ARG_COMMAND, ARG_WORD },
	.summary = "run one command on socket FD, leaving the current socket "
	    "as it is",
	.exec = cmd_on_exec,
	.help = "Runs COMMAND with FD as its socket, once; the current socket "
	    "does not change. For example, on 3 accept accepts on listener 3 "
	    "while you talk on another socket. Commands that make a new socket "
	    "(accept, socket) still make it the current one."
};

/* Run a line's words on the current socket. */
enum cmd_retval
cmd_run_words(struct words *w)
{
	if (w->n == 0)
		return CMD_OK;
	return dispatch(w, 0, sock_get(current_fd), 0);
}

/* Split and run one line of input. */
enum cmd_retval
cmd_run_line(const char *line, size_t len)
{
	/* Words kept from line to line, one set per level of source. */
	static struct words	pool[4];
	static int		depth;
	struct words		own = { 0 }, *w = depth < 4 ? &pool[depth] : &own;
	struct buf		err = { 0 };
	enum cmd_retval		r;
	size_t			body, saved_len = run_len;
	const char		*saved_line = run_line;

	if (memchr(line, '\0', len) != NULL) {
		diag("the line holds a NUL byte; write it as \\0 inside "
		    "\"...\"");
		return CMD_ERROR;
	}
	/* $variables are expanded here, as the line is split: see lex.c. */
	words_reset(w);
	/* repeat's command is expanded on each run, not now. */
	body = repeat_split(line, len);
	if (lex_expand(line, body > 0 ? body : len, w, &err,
	    var_lookup) != 0) {
		if (script_xtrace)
			script_echo_line(line, len);
		diag("%s", buf_str(&err));
		buf_free(&err);
		outcome_reset();
		sess.failed = 1;
		return CMD_ERROR;
	}
	buf_free(&err);
	if (body > 0)
		words_push(w, line + body, len - body, 1);
	if (script_xtrace && w->n > 0)
		script_echo(w);
	depth++;
	run_line = line;
	run_len = len;
	r = cmd_run_words(w);
	run_line = saved_line;
	run_len = saved_len;
	depth--;
	/* The tour's checks, after each command typed (not each sourced). */
	if (depth == 0 && r != CMD_QUIT)
		tour_after();
	if (w == &own)
		words_free(w);
	return r;
}
