/*
 * A socket's settings: setblocking, settimeout, gettimeout, setsockopt,
 * getsockopt.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

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

/* A level by name (SOL_SOCKET, IPPROTO_TCP, tcp) or number; -1 if none. */
static int
level_word(const char *s, int *level)
{
	const struct name	*n;
	const char		*errstr;
	long long		 v;

	for (n = level_names; n->name != NULL; n++)
		if (strcasecmp(n->name, s) == 0)
			break;
	if (n->name == NULL)
		for (n = level_words; n->name != NULL; n++)
			if (strcasecmp(n->name, s) == 0)
				break;
	if (n->name != NULL) {
		*level = n->value;
		return 0;
	}
	v = num_parse(s, 0, INT32_MAX, &errstr);
	if (errstr != NULL)
		return -1;
	*level = (int)v;
	return 0;
}

/*
 * The option a setsockopt or getsockopt names: NAME, or LEVEL NAME, or
 * LEVEL NUMBER. *o is the table's entry where it has one (found by number
 * too), else sockopt_raw with *level and *optname. Returns how many words
 * it took (1 or 2), or -1 after a message.
 */
static int
find_opt(struct cmd_ctx *ctx, const struct sockopt **o, int *level,
    int *optname)
{
	const char	*cmd = ctx->entry->name, *a = ctx->argv[0].s, *errstr;
	long long	 v;

	if ((*o = sockopt_find(a)) != NULL) {
		*level = (*o)->level;
		*optname = (*o)->optname;
		return 1;
	}
	if (level_word(a, level) != 0) {
		diag("%s: unknown option \"%s\" (help %s lists them; or give "
		    "LEVEL and a number: %s SOL_SOCKET 36 ...)", cmd,
		    printable(a), cmd, cmd);
		return -1;
	}
	if (ctx->argc < 2) {
		diag("%s: level %s: give the option's name or number after it",
		    cmd, printable(a));
		return -1;
	}
	a = ctx->argv[1].s;
	if ((*o = sockopt_find(a)) != NULL && (*o)->level == *level) {
		*optname = (*o)->optname;
		return 2;
	}
	if (*o != NULL)
		v = (*o)->optname;
	else {
		v = num_parse(a, 0, INT32_MAX, &errstr);
		if (errstr != NULL) {
			diag("%s: option \"%s\": not a known name nor a number "
			    "(%s)", cmd, printable(a), errstr);
			return -1;
		}
	}
	*optname = (int)v;
	if ((*o = sockopt_by_number(*level, *optname)) == NULL)
		*o = &sockopt_raw;
	return 2;
}

/* An IPv4 address word into a. Returns 0, or -1 after a message. */
static int
inaddr_word(const char *name, const char *s, struct in_addr *a)
{
	if (inet_pton(AF_INET, s, a) == 1)
		return 0;
	diag("setsockopt: %s: \"%s\" is not an IPv4 address", name,
	    printable(s));
	return -1;
}

/* An interface by name (lo) or index. Returns 0, or -1 after a message. */
static int
ifindex_word(const char *name, const char *s, unsigned *idx)
{
	const char	*errstr;
	long long	 v;

	if ((*idx = if_nametoindex(s)) != 0)
		return 0;
	v = num_parse(s, 0, INT32_MAX, &errstr);
	if (errstr == NULL) {
		*idx = (unsigned)v;
		return 0;
	}
	diag("setsockopt: %s: no interface \"%s\" (ip link lists them)", name,
	    printable(s));
	return -1;
}

/*
 * The value words w[0..n) of option o into v and *len. Returns 0, or -1
 * after a message.
 */
static int
opt_value(const struct sockopt *o, const char *oname, struct word *w, int n,
    union optval *v, socklen_t *len)
{
	struct buf	 bytes = { 0 }, err = { 0 };
	long long	 num;
	double		 secs;
	int		 iv, many = o->kind == OPT_LINGER || o->kind == OPT_MREQ ||
			    o->kind == OPT_MREQ6;
	unsigned	 idx;
	const char	*a;

	if (n < 1 || (!many && n > 1) || n > 2) {
		diag("setsockopt: %s takes %s", oname, o->kind == OPT_LINGER ?
		    "off, or on SECONDS" : o->kind == OPT_MREQ ?
		    "GROUP [IFADDR|IFNAME]" : o->kind == OPT_MREQ6 ?
		    "GROUP [IFNAME]" : "one value");
		return -1;
	}
	a = w[0].s;
	memset(v, 0, sizeof *v);
	switch (o->kind) {
	case OPT_BOOL:
		if (parse_bool(a, &iv) != 0) {
			diag("setsockopt: %s value \"%s\": not 1 or 0 (true or "
			    "false)", oname, printable(a));
			return -1;
		}
		v->i = iv;
		*len = sizeof v->i;
		break;
	case OPT_INT:
		if (parse_int(a, 0, INT32_MAX, oname, &num) != 0)
			return -1;
		v->i = (int)num;
		*len = sizeof v->i;
		break;
	case OPT_LINGER:
		if (n == 1 && parse_bool(a, &iv) == 0 && iv == 0)
			v->l.l_onoff = 0;
		else {
			/* "on 5", "1 5" or just "5". */
			if (n == 2) {
				if (parse_bool(a, &iv) != 0 || iv != 1) {
					diag("setsockopt: SO_LINGER takes off, "
					    "or on SECONDS");
					return -1;
				}
				a = w[1].s;
			} else if (parse_bool(a, &iv) == 0 && iv == 1 &&
			    strcmp(a, "1") != 0) {
				diag("setsockopt: SO_LINGER on needs SECONDS "
				    "(on 5)");
				return -1;
			}
			if (parse_int(a, 0, 65535, "SO_LINGER seconds",
			    &num) != 0)
				return -1;
			v->l.l_onoff = 1;
			v->l.l_linger = (int)num;
		}
		*len = sizeof v->l;
		break;
	case OPT_TIMEVAL:
		if (parse_seconds(a, oname, &secs) != 0)
			return -1;
		v->tv.tv_sec = (time_t)secs;
		v->tv.tv_usec = (suseconds_t)lround((secs -
		    (double)v->tv.tv_sec) * 1e6);
		/* 1.9999999 rounds up to a whole second, not 1000000 us. */
		if (v->tv.tv_usec >= 1000000) {
			v->tv.tv_sec++;
			v->tv.tv_usec -= 1000000;
		}
		*len = sizeof v->tv;
		break;
	case OPT_STRING:
		if (w[0].len >= sizeof v->str) {
			diag("setsockopt: %s: \"%s\" is too long", oname,
			    printable(a));
			return -1;
		}
		memcpy(v->str, a, w[0].len);
		*len = (socklen_t)w[0].len;
		break;
	case OPT_MREQ:
		if (inaddr_word(oname, a, &v->mreq.imr_multiaddr) != 0)
			return -1;
		*len = sizeof(struct ip_mreq);
		if (n < 2)
			break;
		/* An address is struct ip_mreq's; a name, ip_mreqn's index. */
		if (inet_pton(AF_INET, w[1].s, &v->mreq.imr_address) == 1)
			break;
		if (ifindex_word(oname, w[1].s, &idx) != 0)
			return -1;
		v->mreq.imr_ifindex = (int)idx;
		*len = sizeof v->mreq;
		break;
	case OPT_MREQ6:
		if (inet_pton(AF_INET6, a, &v->mreq6.ipv6mr_multiaddr) != 1) {
			diag("setsockopt: %s: \"%s\" is not an IPv6 address",
			    oname, printable(a));
			return -1;
		}
		if (n == 2 && ifindex_word(oname, w[1].s,
		    &v->mreq6.ipv6mr_interface) != 0)
			return -1;
		*len = sizeof v->mreq6;
		break;
	case OPT_INADDR:
		if (inaddr_word(oname, a, &v->in) != 0)
			return -1;
		*len = sizeof v->in;
		break;
	case OPT_IFINDEX:
		if (ifindex_word(oname, a, &idx) != 0)
			return -1;
		v->i = (int)idx;
		*len = sizeof v->i;
		break;
	case OPT_RAW:
		if (!w[0].quoted && strncmp(a, "hex:", 4) == 0) {
			if (data_hex(a + 4, w[0].len - 4, &bytes, &err) != 0 ||
			    bytes.len > sizeof v->raw) {
				diag("setsockopt: %s: %s", oname, err.len > 0 ?
				    buf_str(&err) : "more than 128 bytes");
				buf_free(&bytes);
				buf_free(&err);
				return -1;
			}
			if (bytes.len > 0)
				memcpy(v->raw, bytes.data, bytes.len);
			*len = (socklen_t)bytes.len;
			buf_free(&bytes);
			break;
		}
		if (parse_int(a, INT32_MIN, INT32_MAX, oname, &num) != 0)
			return -1;
		v->i = (int)num;
		*len = sizeof v->i;
		break;
	default:
		diag("setsockopt: %s can only be read (getsockopt %s)", oname,
		    oname);
		return -1;
	}
	return 0;
}

/* The option's name for messages: its C name, or LEVEL/NUMBER. */
static const char *
opt_label(const struct sockopt *o, int level, int optname)
{
	static char	label[48];
	const char	*l;

	if (o->name != NULL)
		return o->name;
	l = name_of(level_names, level);
	if (l != NULL)
		snprintf(label, sizeof label, "%s/%d", l, optname);
	else
		snprintf(label, sizeof label, "%d/%d", level, optname);
	return label;
}

static enum cmd_retval
cmd_setsockopt_exec(struct cmd_ctx *ctx)
{
	const struct sockopt	*o;
	union optval		 v;
	socklen_t		 len;
	int			 k, level, optname;
	const char		*oname;

	if ((k = find_opt(ctx, &o, &level, &optname)) < 0)
		return CMD_ERROR;
	oname = opt_label(o, level, optname);
	if (o->readonly) {
		diag("setsockopt: %s can only be read (getsockopt %s)",
		    oname, oname);
		return CMD_ERROR;
	}
	if (opt_value(o, oname, ctx->argv + k, ctx->argc - k, &v, &len) != 0)
		return CMD_ERROR;
	if (call_setsockopt_num(ctx->sk, o, level, optname, &v, len) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_setsockopt_entry = {
	.name = "setsockopt",
	.group = GROUP_OPTIONS,
	.usage = "[LEVEL] NAME VALUE ...",
	.minargs = 2,
	.maxargs = 4,
	.flags = CMD_NEEDSOCK,
	.args = { ARG_SOCKOPT, ARG_WORD },
	.summary = "set a socket option by name or number",
	.calls = "setsockopt(2)",
	.exec = cmd_setsockopt_exec,
	.help = "NAME is a C option name (SO_REUSEADDR, TCP_NODELAY, "
	    "IPV6_V6ONLY, ...; the SO_ may be left out, and case does not "
	    "matter). Switches take 1 or 0, sizes take a number, SO_LINGER "
	    "takes off or on SECONDS, SO_RCVTIMEO and SO_SNDTIMEO take seconds, "
	    "SO_BINDTODEVICE and TCP_CONGESTION a name (lo, cubic), "
	    "IP_ADD_MEMBERSHIP and IP_DROP_MEMBERSHIP a GROUP and an optional "
	    "local IFADDR or interface name (struct ip_mreq, or ip_mreqn for a "
	    "name), IPV6_JOIN_GROUP and IPV6_LEAVE_GROUP a GROUP and an "
	    "interface name, IP_MULTICAST_IF an address, IPV6_MULTICAST_IF an "
	    "interface. Any other option goes by LEVEL and number, LEVEL by "
	    "name (SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6, "
	    "IPPROTO_UDP, or socket, tcp, ip, ipv6, udp) or number, with an "
	    "int VALUE or hex:BYTES: setsockopt SOL_SOCKET 36 7 sets SO_MARK."
};

/* An option whose value is a struct: its fields by name, as results. */
static enum cmd_retval
getsockopt_struct(struct sock *sk, const struct sockopt *o)
{
	static uint64_t	 p[64];	/* larger than any tcp_info yet; the
				   record points at it */
	socklen_t	 len = sizeof p;

	if (call_getsockopt_buf(sk, o, p, &len, 0) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	if (o->kind == OPT_TCPINFO)
		tcpinfo_fields(p, len);
	return CMD_OK;
}

static enum cmd_retval
cmd_getsockopt_exec(struct cmd_ctx *ctx)
{
	const struct sockopt	*o;
	union optval		 v;
	socklen_t		 len;
	long long		 n;
	int			 k, level, optname, flags = 0;

	if ((k = find_opt(ctx, &o, &level, &optname)) < 0)
		return CMD_ERROR;
	if (ctx->argc > k + 1) {
		cmd_usage(ctx->entry);
		return CMD_ERROR;
	}
	/* A struct the kernel fills: its fields by name. */
	if (ctx->argc == k && (o->kind == OPT_TCPINFO ||
	    o->kind == OPT_MEMINFO))
		return getsockopt_struct(ctx->sk, o);
	if (ctx->argc == k + 1) {
		/* A length: the bytes as they are, of any option. */
		if (parse_int(ctx->argv[k].s, 0, OPTVAL_MAX, "length",
		    &n) != 0)
			return CMD_ERROR;
		o = &sockopt_raw;
		len = (socklen_t)n;
		flags = CF_RAWLEN;
	} else if (o == &sockopt_raw)
		len = sizeof(int);
	else
		len = 0;
	if ((len > 0 || o == &sockopt_raw ?
	    call_getsockopt_num(ctx->sk, o, level, optname, &v, &len, flags) :
	    call_getsockopt(ctx->sk, o, &v, &len, 0)) < 0) {
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
	.usage = "[LEVEL] NAME [LEN]",
	.minargs = 1,
	.maxargs = 3,
	.flags = CMD_NEEDSOCK,
	.args = { ARG_SOCKOPT },
	.summary = "show a socket option by name or number",
	.calls = "getsockopt(2)",
	.exec = cmd_getsockopt_exec,
	.help = "NAME is as for setsockopt, plus the read-only SO_ERROR (the "
	    "pending error, cleared by reading it: how a non-blocking connect "
	    "ended), SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN and "
	    "SO_PEERCRED (the AF_UNIX peer's pid, uid and gid). LEVEL NUMBER "
	    "reads any option as an int; a LEN reads that many bytes of any "
	    "option and shows them as a hexdump: getsockopt IPPROTO_TCP 11 "
	    "104 is struct tcp_info's bytes, "
	    "while getsockopt TCP_INFO shows its fields one per line by name "
	    "(info shows them readably), and SO_MEMINFO the kernel's memory "
	    "counters."
};
