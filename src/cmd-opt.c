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
		call_report(call_last());
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
	.name = "setblocking",
	.group = GROUP_OPTIONS,
	.usage = "true|false",
	.minargs = 1,
	.maxargs = 1,
	.flags = CMD_NEEDSOCK,
	.args = { ARG_BOOL },
	.summary = "make calls wait (true) or fail at once with EAGAIN (false)",
	.calls = "fcntl(2) O_NONBLOCK",
	.exec = cmd_setblocking_exec,
	.help = "setblocking false sets O_NONBLOCK: accept, recv and send fail "
	    "at once with EAGAIN when they would wait, and connect with "
	    "EINPROGRESS. setblocking true is settimeout none. yes/no, on/off "
	    "and 1/0 work too."
};

static enum cmd_retval
cmd_settimeout_exec(struct cmd_ctx *ctx)
{
	const char	*a = ctx->argv[0].s;
	double		 t;

	if (strcasecmp(a, "none") == 0)
		return set_mode(ctx->sk, -1);
	if (parse_seconds(a, "timeout", &t) != 0)
		return CMD_ERROR;
	return set_mode(ctx->sk, t);
}

const struct cmd_entry cmd_settimeout_entry = {
	.name = "settimeout",
	.group = GROUP_OPTIONS,
	.usage = "SECONDS|none",
	.minargs = 1,
	.maxargs = 1,
	.flags = CMD_NEEDSOCK,
	.args = { ARG_NUMBER },
	.summary = "give up on accept, connect, recv and send after SECONDS",
	.calls = "fcntl(2) O_NONBLOCK, ppoll(2)",
	.exec = cmd_settimeout_exec,
	.help = "As Python's settimeout: the socket becomes non-blocking and "
	    "each call that may wait first waits in ppoll(2) for at most "
	    "SECONDS (fractions allowed), then fails with a timeout. 0 is the "
	    "same as setblocking false; none makes the socket blocking again."
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
	.name = "gettimeout",
	.group = GROUP_OPTIONS,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.flags = CMD_NEEDSOCK,
	.summary = "show the socket's timeout: none (blocking), 0 "
	    "(non-blocking) or seconds",
	.exec = cmd_gettimeout_exec,
	.help = "No system call: the timeout is kept by sockrepl, as by Python."
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

static enum cmd_retval
cmd_setsockopt_exec(struct cmd_ctx *ctx)
{
	const struct sockopt	*o;
	union optval		 v;
	socklen_t		 len;
	long long		 n;
	double			 secs;
	int			 iv;
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
	memset(&v, 0, sizeof v);
	switch (o->kind) {
	case OPT_BOOL:
		if (parse_bool(a, &iv) != 0) {
			diag("setsockopt: %s value \"%s\": not 1 or 0 (true or "
			    "false)", o->name, printable(a));
			return CMD_ERROR;
		}
		v.i = iv;
		len = sizeof v.i;
		break;
	case OPT_INT:
		if (parse_int(a, 0, INT32_MAX, o->name, &n) != 0) {
			return CMD_ERROR;
		}
		v.i = (int)n;
		len = sizeof v.i;
		break;
	case OPT_LINGER:
		if (ctx->argc == 2 && parse_bool(a, &iv) == 0 && iv == 0)
			v.l.l_onoff = 0;
		else {
			/* "on 5", "1 5" or just "5". */
			if (ctx->argc == 3) {
				if (parse_bool(a, &iv) != 0 || iv != 1) {
					diag("setsockopt: SO_LINGER takes off, "
					    "or on SECONDS");
					return CMD_ERROR;
				}
				a = ctx->argv[2].s;
			} else if (parse_bool(a, &iv) == 0 && iv == 1 &&
			    strcmp(a, "1") != 0) {
				diag("setsockopt: SO_LINGER on needs SECONDS "
				    "(on 5)");
				return CMD_ERROR;
			}
			if (parse_int(a, 0, 65535, "SO_LINGER seconds",
			    &n) != 0) {
				return CMD_ERROR;
			}
			v.l.l_onoff = 1;
			v.l.l_linger = (int)n;
		}
		len = sizeof v.l;
		break;
	case OPT_TIMEVAL:
		if (parse_seconds(a, o->name, &secs) != 0) {
			return CMD_ERROR;
		}
		v.tv.tv_sec = (time_t)secs;
		v.tv.tv_usec = (suseconds_t)lround((secs -
		    (double)v.tv.tv_sec) * 1e6);
		/* 1.9999999 rounds up to a whole second, not 1000000 us. */
		if (v.tv.tv_usec >= 1000000) {
			v.tv.tv_sec++;
			v.tv.tv_usec -= 1000000;
		}
		len = sizeof v.tv;
		break;
	default:
		return CMD_ERROR;
	}
	if (call_setsockopt(ctx->sk, o, &v, len) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_setsockopt_entry = {
	.name = "setsockopt",
	.group = GROUP_OPTIONS,
	.usage = "NAME VALUE",
	.minargs = 2,
	.maxargs = 3,
	.flags = CMD_NEEDSOCK,
	.args = { ARG_SOCKOPT, ARG_WORD },
	.summary = "set a socket option by name",
	.calls = "setsockopt(2)",
	.exec = cmd_setsockopt_exec,
	.help = "NAME is a C option name (SO_REUSEADDR, TCP_NODELAY, "
	    "IPV6_V6ONLY, ...; the SO_ may be left out, and case does not "
	    "matter). Switches take 1 or 0, sizes take a number, SO_LINGER "
	    "takes off or on SECONDS, SO_RCVTIMEO and SO_SNDTIMEO take seconds."
};

static enum cmd_retval
cmd_getsockopt_exec(struct cmd_ctx *ctx)
{
	const struct sockopt	*o;
	union optval		 v;
	socklen_t		 len;

	if ((o = find_opt("getsockopt", ctx->argv[0].s)) == NULL)
		return CMD_ERROR;
	if (call_getsockopt(ctx->sk, o, &v, &len, 0) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	if (o->kind == OPT_ERRNO && v.i != 0)
		result("pending error: %s (%s)", errno_name(v.i),
		    strerror(v.i));
	return CMD_OK;
}

const struct cmd_entry cmd_getsockopt_entry = {
	.name = "getsockopt",
	.group = GROUP_OPTIONS,
	.usage = "NAME",
	.minargs = 1,
	.maxargs = 1,
	.flags = CMD_NEEDSOCK,
	.args = { ARG_SOCKOPT },
	.summary = "show a socket option by name",
	.calls = "getsockopt(2)",
	.exec = cmd_getsockopt_exec,
	.help = "NAME is as for setsockopt, plus the read-only SO_ERROR (the "
	    "pending error, cleared by reading it: how a non-blocking connect "
	    "ended), SO_TYPE, SO_DOMAIN, SO_PROTOCOL and SO_ACCEPTCONN."
};
