/*
 * A socket's settings: setblocking, settimeout, gettimeout, setsockopt,
 * getsockopt.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#include "sockrepl.h"

/* Python's three modes; see wait.c. timeout < 0 is blocking. */
static enum cmd_retval
set_mode(struct sock *sk, double timeout)
{
	if (set_nonblock(sk, timeout >= 0) != 0) {
		diag_errno("fcntl", errno, sk);
		return CMD_ERROR;
	}
	sk->timeout = timeout;
	return CMD_OK;
}

static enum cmd_retval
cmd_setblocking_exec(struct cmd_ctx *ctx)
{
	int	on;

	if (parse_bool(ctx->argv[0].s, &on) != 0) {
		diag("setblocking: \"%s\" is not true or false",
		    printable(ctx->argv[0].s));
		return CMD_ERROR;
	}
	return set_mode(ctx->sk, on ? -1 : 0);
}

const struct cmd_entry cmd_setblocking_entry = {
	"setblocking", NULL, 1, 1, "true|false",
	"make calls wait (true) or fail at once with EAGAIN (false)",
	"fcntl(2) O_NONBLOCK", CMD_NEEDSOCK, { ARG_BOOL }, cmd_setblocking_exec,
	"setblocking false sets O_NONBLOCK: accept, recv and send fail at once "
	"with EAGAIN when they would wait, and connect with EINPROGRESS. "
	"setblocking true is settimeout none. yes/no, on/off and 1/0 work "
	"too."
};

static enum cmd_retval
cmd_settimeout_exec(struct cmd_ctx *ctx)
{
	const char	*a = ctx->argv[0].s;
	double		 t;

	if (strcasecmp(a, "none") == 0)
		return set_mode(ctx->sk, -1);
	if (parse_seconds(a, "settimeout: timeout", &t) != 0)
		return CMD_ERROR;
	return set_mode(ctx->sk, t);
}

const struct cmd_entry cmd_settimeout_entry = {
	"settimeout", NULL, 1, 1, "SECONDS|none",
	"give up on accept, connect, recv and send after SECONDS",
	"fcntl(2) O_NONBLOCK, poll(2)", CMD_NEEDSOCK, { ARG_NUMBER },
	cmd_settimeout_exec,
	"As Python's settimeout: the socket becomes non-blocking and each "
	"call that may wait first waits in poll(2) for at most SECONDS "
	"(fractions allowed), then fails with a timeout. 0 is the same as "
	"setblocking false; none makes the socket blocking again."
};

static enum cmd_retval
cmd_gettimeout_exec(struct cmd_ctx *ctx)
{
	if (ctx->sk->timeout < 0)
		result("none");
	else
		result("%g", ctx->sk->timeout);
	return CMD_OK;
}

const struct cmd_entry cmd_gettimeout_entry = {
	"gettimeout", NULL, 0, 0, "",
	"show the socket's timeout: none (blocking), 0 (non-blocking) or "
	"seconds",
	"", CMD_NEEDSOCK, { ARG_NONE }, cmd_gettimeout_exec,
	"No system call: the timeout is kept by sockrepl, as by Python."
};

static const struct sockopt *
find_opt(const char *cmd, const char *name)
{
	const struct sockopt *o;

	if ((o = sockopt_find(name)) == NULL)
		diag("%s: unknown option \"%s\" (help %s lists them)", cmd,
		    printable(name), cmd);
	return o;
}

static void
opt_head(struct buf *b, const char *call, int fd, const struct sockopt *o)
{
	buf_printf(b, "%s(%d, %s, %s, ", call, fd, name_of(level_names,
	    o->level), o->name);
}

static enum cmd_retval
cmd_setsockopt_exec(struct cmd_ctx *ctx)
{
	const struct sockopt	*o;
	struct sock		*sk = ctx->sk;
	struct buf		 b = { 0 };
	struct linger		 l;
	struct timeval		 tv;
	const void		*val;
	socklen_t		 len;
	long long		 n;
	double			 secs;
	int			 iv, r, e;
	const char		*a;

	if ((o = find_opt("setsockopt", ctx->argv[0].s)) == NULL)
		return CMD_ERROR;
	if (o->readonly) {
		diag("setsockopt: %s can only be read (getsockopt %s)",
		    o->name, o->name);
		return CMD_ERROR;
	}
	if (ctx->argc < 2 || (o->kind != OPT_LINGER && ctx->argc > 2)) {
		diag("setsockopt: %s takes %s", o->name, o->kind == OPT_LINGER ?
		    "off, or on SECONDS" : "one value");
		return CMD_ERROR;
	}
	a = ctx->argv[1].s;
	opt_head(&b, "setsockopt", sk->fd, o);
	switch (o->kind) {
	case OPT_BOOL:
		if (parse_bool(a, &iv) != 0) {
			diag("setsockopt: %s value \"%s\": not 1 or 0 (true or "
			    "false)", o->name, printable(a));
			buf_free(&b);
			return CMD_ERROR;
		}
		val = &iv;
		len = sizeof iv;
		buf_printf(&b, "[%d], %u)", iv, (unsigned)len);
		break;
	case OPT_INT:
		if (parse_int(a, 0, INT32_MAX, o->name, &n) != 0) {
			buf_free(&b);
			return CMD_ERROR;
		}
		iv = (int)n;
		val = &iv;
		len = sizeof iv;
		buf_printf(&b, "[%d], %u)", iv, (unsigned)len);
		break;
	case OPT_LINGER:
		memset(&l, 0, sizeof l);
		if (ctx->argc == 2 && parse_bool(a, &iv) == 0 && iv == 0)
			l.l_onoff = 0;
		else {
			/* "on 5", "1 5" or just "5". */
			if (ctx->argc == 3) {
				if (parse_bool(a, &iv) != 0 || iv != 1) {
					diag("setsockopt: SO_LINGER takes off, "
					    "or on SECONDS");
					buf_free(&b);
					return CMD_ERROR;
				}
				a = ctx->argv[2].s;
			} else if (parse_bool(a, &iv) == 0 && iv == 1 &&
			    strcmp(a, "1") != 0) {
				diag("setsockopt: SO_LINGER on needs SECONDS "
				    "(on 5)");
				buf_free(&b);
				return CMD_ERROR;
			}
			if (parse_int(a, 0, 65535, "SO_LINGER seconds",
			    &n) != 0) {
				buf_free(&b);
				return CMD_ERROR;
			}
			l.l_onoff = 1;
			l.l_linger = (int)n;
		}
		val = &l;
		len = sizeof l;
		buf_printf(&b, "{l_onoff=%d, l_linger=%d}, %u)", l.l_onoff,
		    l.l_linger, (unsigned)len);
		break;
	case OPT_TIMEVAL:
		if (parse_seconds(a, o->name, &secs) != 0) {
			buf_free(&b);
			return CMD_ERROR;
		}
		tv.tv_sec = (time_t)secs;
		tv.tv_usec = (suseconds_t)lround((secs - (double)tv.tv_sec) *
		    1e6);
		/* 1.9999999 rounds up to a whole second, not 1000000 us. */
		if (tv.tv_usec >= 1000000) {
			tv.tv_sec++;
			tv.tv_usec -= 1000000;
		}
		val = &tv;
		len = sizeof tv;
		buf_printf(&b, "{tv_sec=%ld, tv_usec=%ld}, %u)",
		    (long)tv.tv_sec, (long)tv.tv_usec, (unsigned)len);
		break;
	default:
		buf_free(&b);
		return CMD_ERROR;
	}
	r = setsockopt(sk->fd, o->level, o->optname, val, len);
	e = errno;
	trace_call(&b, r, e);
	buf_free(&b);
	if (r < 0) {
		diag_errno("setsockopt", e, sk);
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_setsockopt_entry = {
	"setsockopt", NULL, 2, 3, "NAME VALUE",
	"set a socket option by name",
	"setsockopt(2)", CMD_NEEDSOCK, { ARG_SOCKOPT, ARG_WORD },
	cmd_setsockopt_exec,
	"NAME is a C option name (SO_REUSEADDR, TCP_NODELAY, IPV6_V6ONLY, "
	"...; the SO_ may be left out, and case does not matter). Switches "
	"take 1 or 0, sizes take a number, SO_LINGER takes off or on SECONDS, "
	"SO_RCVTIMEO and SO_SNDTIMEO take seconds."
};

static enum cmd_retval
cmd_getsockopt_exec(struct cmd_ctx *ctx)
{
	const struct sockopt	*o;
	struct sock		*sk = ctx->sk;
	struct buf		 b = { 0 }, v = { 0 };
	union {
		int		i;
		struct linger	l;
		struct timeval	tv;
	}			 u;
	socklen_t		 len = sizeof u;
	const char		*n;
	int			 r, e;

	if ((o = find_opt("getsockopt", ctx->argv[0].s)) == NULL)
		return CMD_ERROR;
	memset(&u, 0, sizeof u);
	r = getsockopt(sk->fd, o->level, o->optname, &u, &len);
	e = errno;
	opt_head(&b, "getsockopt", sk->fd, o);
	if (r < 0) {
		buf_printf(&b, "&val, [%zu])", sizeof u);
		trace_call(&b, r, e);
		buf_free(&b);
		diag_errno("getsockopt", e, sk);
		return CMD_ERROR;
	}
	switch (o->kind) {
	case OPT_LINGER:
		buf_printf(&v, "{l_onoff=%d, l_linger=%d}", u.l.l_onoff,
		    u.l.l_linger);
		break;
	case OPT_TIMEVAL:
		buf_printf(&v, "{tv_sec=%ld, tv_usec=%ld}", (long)u.tv.tv_sec,
		    (long)u.tv.tv_usec);
		break;
	case OPT_ERRNO:
		buf_adds(&v, u.i == 0 ? "0" : errno_name(u.i));
		/* Reading it is how a background connect's end is learnt. */
		if (u.i != 0 && sk->state == ST_CONNECTING) {
			sk->state = ST_FAILED;
			sk->errnum = u.i;
		}
		break;
	case OPT_SOCKTYPE:
	case OPT_FAMILY:
	case OPT_PROTO:
		n = name_of(o->kind == OPT_SOCKTYPE ? type_names :
		    o->kind == OPT_FAMILY ? family_names : proto_names, u.i);
		if (n != NULL)
			buf_adds(&v, n);
		else
			buf_printf(&v, "%d", u.i);
		break;
	default:
		buf_printf(&v, "%d", u.i);
	}
	buf_printf(&b, "%s%s%s, [%u])", o->kind == OPT_LINGER ||
	    o->kind == OPT_TIMEVAL ? "" : "[", buf_str(&v), o->kind ==
	    OPT_LINGER || o->kind == OPT_TIMEVAL ? "" : "]", (unsigned)len);
	trace_call(&b, r, e);
	if (opt.quiet)
		result("%s", buf_str(&v));
	if (o->kind == OPT_ERRNO && u.i != 0)
		result("pending error: %s (%s)", errno_name(u.i),
		    strerror(u.i));
	buf_free(&b);
	buf_free(&v);
	return CMD_OK;
}

const struct cmd_entry cmd_getsockopt_entry = {
	"getsockopt", NULL, 1, 1, "NAME",
	"show a socket option by name",
	"getsockopt(2)", CMD_NEEDSOCK, { ARG_SOCKOPT }, cmd_getsockopt_exec,
	"NAME is as for setsockopt, plus the read-only SO_ERROR (the pending "
	"error, cleared by reading it: how a non-blocking connect ended), "
	"SO_TYPE, SO_DOMAIN, SO_PROTOCOL and SO_ACCEPTCONN."
};
