/*
 * Script variables: the ones set by the user, and read-only built-ins that
 * describe the current socket and the outcome of the last command. The
 * tokenizer calls var_lookup for each $NAME (see lex.c), so values are
 * plain bytes and may hold NULs.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

struct var {
	char		*name;
	struct buf	 value;
};

static struct var	*vars;
static int		 nvars, capvars;


/* The current socket, or NULL with a message naming the variable in err. */
static struct sock *
current(const char *name, struct buf *err)
{
	struct sock	*sk = sock_get(current_fd);

	if (sk == NULL)
		buf_printf(err, "$%s: no current socket (make one, or choose "
		    "one with use FD)", name);
	return sk;
}

/* The local (or peer) address of the current socket. Returns 0, or -1. */
static int
sock_addr(const char *name, int peer, struct addr *a, struct buf *err)
{
	struct sock	*sk;
	int		 r;

	if ((sk = current(name, err)) == NULL)
		return -1;
	/* Asked behind the user's back: shown only with -v. */
	if ((r = call_getname(sk, peer, a, CF_BEHIND)) != 0) {
		if (errno == ENOTCONN)
			buf_printf(err, "$%s: socket %d is not connected",
			    name, sk->fd);
		else
			buf_printf(err, "$%s: %s on socket %d: %s", name,
			    peer ? "getpeername" : "getsockname", sk->fd,
			    errno_name(errno));
		return -1;
	}
	return 0;
}

static int
get_fd(struct buf *out, struct buf *err)
{
	struct sock	*sk;

	if ((sk = current("fd", err)) == NULL)
		return -1;
	buf_printf(out, "%d", sk->fd);
	return 0;
}

static int
get_port_common(const char *name, int peer, struct buf *out,
    struct buf *err)
{
	struct addr	 a;
	int		 port;

	if (sock_addr(name, peer, &a, err) != 0)
		return -1;
	port = addr_port((struct sockaddr *)&a.ss);
	if (port < 0) {
		buf_printf(err, "$%s: socket %d is not an Internet socket "
		    "and has no port", name, current_fd);
		return -1;
	}
	if (port == 0) {
		buf_printf(err, "$%s: socket %d has no %s port yet (%s)", name,
		    current_fd, peer ? "peer" : "local", peer ?
		    "connect it first" : "bind or connect it first");
		return -1;
	}
	buf_printf(out, "%d", port);
	return 0;
}

static int
get_port(struct buf *out, struct buf *err)
{
	return get_port_common("port", 0, out, err);
}

static int
get_peerport(struct buf *out, struct buf *err)
{
	return get_port_common("peerport", 1, out, err);
}

static int
get_addr(struct buf *out, struct buf *err)
{
	struct addr	a;

	if (sock_addr("addr", 0, &a, err) != 0)
		return -1;
	addr_format_short(out, (struct sockaddr *)&a.ss, a.len);
	return 0;
}

static int
get_ret(struct buf *out, struct buf *err)
{
	(void)err;
	buf_printf(out, "%ld", sess.last.ret);
	return 0;
}

static int
get_errno(struct buf *out, struct buf *err)
{
	(void)err;
	buf_adds(out, sess.last.err != 0 ? errno_name(sess.last.err) : "0");
	return 0;
}

static int
get_status(struct buf *out, struct buf *err)
{
	(void)err;
	buf_printf(out, "%d", sess.failed ? 1 : 0);
	return 0;
}

static int
get_received(struct buf *out, struct buf *err)
{
	(void)err;
	buf_printf(out, "%llu", sess.last.have_data ?
	    (unsigned long long)sess.last.received : 0ULL);
	return 0;
}

static int
get_from(struct buf *out, struct buf *err)
{
	if (sess.last.from.len == 0) {
		buf_adds(err, "$from: no sender yet (recvfrom sets it to the "
		    "address a datagram came from)");
		return -1;
	}
	if (sess.last.from.ss.ss_family == AF_UNIX &&
	    sess.last.from.len <= offsetof(struct sockaddr_un, sun_path)) {
		buf_adds(err, "$from: the last datagram came from an unnamed "
		    "UNIX socket, which cannot be answered");
		return -1;
	}
	addr_format_short(out, (struct sockaddr *)&sess.last.from.ss,
	    sess.last.from.len);
	return 0;
}

static const struct builtin {
	const char	*name;
	int		(*get)(struct buf *, struct buf *);
	const char	*what;
} builtins[] = {
	{ "fd", get_fd, "the current socket's fd" },
	{ "port", get_port, "the current socket's local port" },
	{ "peerport", get_peerport, "the current socket's peer's port" },
	{ "addr", get_addr, "the current socket's local address" },
	{ "ret", get_ret, "the last command's return value" },
	{ "errno", get_errno, "the last command's errno name, or 0" },
	{ "status", get_status, "1 if the last command failed, else 0" },
	{ "received", get_received, "bytes the last receive handed over" },
	{ "from", get_from, "the address recvfrom last received from" },
	{ NULL, NULL, NULL }
};

static const struct builtin *
builtin_find(const char *name)
{
	const struct builtin	*b;

	for (b = builtins; b->name != NULL; b++)
		if (strcmp(b->name, name) == 0)
			return b;
	return NULL;
}

static struct var *
var_find(const char *name)
{
	int	i;

	for (i = 0; i < nvars; i++)
		if (strcmp(vars[i].name, name) == 0)
			return &vars[i];
	return NULL;
}

/*
 * Append the value of variable name to out. Returns 0, or -1 with a message
 * naming the variable in err (no such variable, or a built-in that has no
 * value now, such as $port with no current socket).
 */
int
var_lookup(const char *name, struct buf *out, struct buf *err)
{
	const struct builtin	*b;
	struct var		*v;

	/* A user's variable shadows a built-in of the same name. */
	if ((v = var_find(name)) == NULL && (b = builtin_find(name)) != NULL)
		return b->get(out, err);
	if (v == NULL) {
		buf_printf(err, "$%s: no such variable (set %s VALUE makes "
		    "it; set lists them)", name, name);
		return -1;
	}
	buf_add(out, v->value.data, v->value.len);
	return 0;
}

/* Is s[0..n) a variable name? Letters, digits, _; not a digit first. */
static int
valid_name(const struct word *w)
{
	size_t	i;
	char	c;

	if (w->len == 0 || (w->s[0] >= '0' && w->s[0] <= '9'))
		return 0;
	for (i = 0; i < w->len; i++) {
		c = w->s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

/*
 * Check a name given to set, unset or -> NAME. Any valid name may be set:
 * a built-in's name too, which the user's variable then shadows until it
 * is unset. Returns 0, or -1 after a message.
 */
static int
check_name(const char *cmd, const struct word *w)
{
	if (!valid_name(w)) {
		diag("%s: \"%s\" is not a variable name (letters, digits and "
		    "_, not starting with a digit; no $ here)", cmd,
		    printable(w->s));
		return -1;
	}
	return 0;
}

static void
var_list(void)
{
	const struct builtin	*b;
	struct buf		 v = { 0 }, err = { 0 };
	int			 i;

	for (i = 0; i < nvars; i++) {
		buf_reset(&v);
		escape_bytes(&v, vars[i].value.data, vars[i].value.len);
		result("%s=\"%s\"", vars[i].name, buf_str(&v));
	}
	/* The built-ins that have a value now, marked as such. */
	for (b = builtins; b->name != NULL; b++) {
		buf_reset(&v);
		buf_reset(&err);
		if (var_find(b->name) != NULL)
			result("%s (built-in: %s) is shadowed by your $%s",
			    b->name, b->what, b->name);
		else if (b->get(&v, &err) == 0)
			result("%s=%s (built-in: %s)", b->name, buf_str(&v),
			    b->what);
	}
	buf_free(&v);
	buf_free(&err);
}

/*
 * May variable name take a value of len bytes? Returns 0, or -1 after a
 * message naming the limit (VAR_MAX each, VARS_TOTAL_MAX together).
 */
static int
var_room(const char *cmd, const char *name, size_t len)
{
	struct var	*v = var_find(name);
	size_t		 total = len;
	int		 i;

	if (len > VAR_MAX) {
		diag("%s: the value of $%s would be %zu bytes, over the limit "
		    "of %d bytes for a variable", cmd, name, len, VAR_MAX);
		return -1;
	}
	for (i = 0; i < nvars; i++)
		if (&vars[i] != v)
			total += vars[i].value.len;
	if (total > VARS_TOTAL_MAX) {
		diag("%s: the variables would hold %zu bytes, over the limit "
		    "of %d bytes for all of them (unset some)", cmd, total,
		    VARS_TOTAL_MAX);
		return -1;
	}
	return 0;
}

/* The variable called name, made empty if it is new. */
static struct var *
var_make(const char *name)
{
	struct var	*v;

	if ((v = var_find(name)) != NULL)
		return v;
	if (nvars == capvars) {
		capvars = capvars ? capvars * 2 : 16;
		if ((vars = realloc(vars, capvars * sizeof *vars)) == NULL)
			nomem();
	}
	v = &vars[nvars++];
	if ((v->name = strdup(name)) == NULL)
		nomem();
	memset(&v->value, 0, sizeof v->value);
	buf_add(&v->value, "", 0);
	return v;
}

/*
 * Check a name for command cmd before anything is done with it (-> NAME
 * is checked before the receive). Returns 0, or -1 after a message.
 */
int
var_check(const char *cmd, const struct word *w)
{
	return check_name(cmd, w);
}

/*
 * Give variable name (already checked) the n bytes at p, for command cmd.
 * Returns 0, or -1 after a message when that is over a limit (var_room).
 */
int
var_set(const char *cmd, const char *name, const void *p, size_t n)
{
	struct var	*v;

	if (var_room(cmd, name, n) != 0)
		return -1;
	v = var_make(name);
	buf_reset(&v->value);
	buf_add(&v->value, p, n);
	return 0;
}

static enum cmd_retval
cmd_set_exec(struct cmd_ctx *ctx)
{
	struct var	*v;
	size_t		 len;
	int		 i;

	if (ctx->argc == 0) {
		var_list();
		return CMD_OK;
	}
	if (check_name("set", &ctx->argv[0]) != 0)
		return CMD_ERROR;
	for (len = 0, i = 1; i < ctx->argc; i++)
		len += ctx->argv[i].len + (i > 1);
	if (var_room("set", ctx->argv[0].s, len) != 0)
		return CMD_ERROR;
	v = var_make(ctx->argv[0].s);
	buf_reset(&v->value);
	buf_add(&v->value, "", 0);
	for (i = 1; i < ctx->argc; i++) {
		if (i > 1)
			buf_addc(&v->value, ' ');
		buf_add(&v->value, ctx->argv[i].s, ctx->argv[i].len);
	}
	return CMD_OK;
}

const struct cmd_entry cmd_set_entry = {
	.name = "set",
	.group = GROUP_SCRIPTING,
	.usage = "[NAME [VALUE ...]]",
	.minargs = 0,
	.maxargs = -1,
	.flags = CMD_KEEPOUTCOME,
	.args = { ARG_WORD, ARG_DATA },
	.summary = "set a variable for $NAME, or list the variables",
	.exec = cmd_set_exec,
	.help = "set NAME VALUE gives $NAME (or ${NAME}) the value: the words "
	    "after NAME joined by single spaces, with the usual quotes and "
	    "escapes, so it may hold any bytes. set NAME alone makes it empty; "
	    "set alone lists the variables, then the built-ins that have a "
	    "value now: $fd, $port, $peerport and $addr describe the current "
	    "socket; $ret, $errno and $status the last command; $received the "
	    "size of the last received data; $from the address the last "
	    "recvfrom (on any socket) received from. Any name may be set: a variable of a built-in's "
	    "name (set port 6379) shadows the built-in until unset. A receive "
	    "ending in -> NAME keeps its data in $NAME. $NAME is expanded in "
	    "bare words and inside \"...\", not inside '...'; \\$ is a plain "
	    "dollar. An unset variable is an error and the command does not "
	    "run."
};

static enum cmd_retval
cmd_unset_exec(struct cmd_ctx *ctx)
{
	struct var	*v;
	int		 i;
	enum cmd_retval	 r = CMD_OK;

	for (i = 0; i < ctx->argc; i++) {
		if (check_name("unset", &ctx->argv[i]) != 0) {
			r = CMD_ERROR;
			continue;
		}
		if ((v = var_find(ctx->argv[i].s)) == NULL &&
		    builtin_find(ctx->argv[i].s) != NULL) {
			diag("unset: $%s is a built-in, not a variable you "
			    "set: nothing to unset", ctx->argv[i].s);
			r = CMD_ERROR;
			continue;
		}
		if (v == NULL) {
			diag("unset: $%s: no such variable", ctx->argv[i].s);
			r = CMD_ERROR;
			continue;
		}
		free(v->name);
		buf_free(&v->value);
		/* Keep the others in the order they were set, for set. */
		memmove(v, v + 1, (size_t)(vars + nvars - (v + 1)) * sizeof *v);
		nvars--;
	}
	return r;
}

const struct cmd_entry cmd_unset_entry = {
	.name = "unset",
	.group = GROUP_SCRIPTING,
	.usage = "NAME ...",
	.minargs = 1,
	.maxargs = -1,
	.flags = CMD_KEEPOUTCOME,
	.args = { ARG_WORD },
	.summary = "forget variables",
	.exec = cmd_unset_exec,
	.help = "Removes each NAME, so a later $NAME is an error again (or, "
	    "for a built-in's name, the built-in again). Naming a variable "
	    "that is not set is an error."
};

/* Free every variable, at exit, so leak checkers stay quiet. */
void
vars_free(void)
{
	int	i;

	for (i = 0; i < nvars; i++) {
		free(vars[i].name);
		buf_free(&vars[i].value);
	}
	free(vars);
	vars = NULL;
	nvars = capvars = 0;
}
