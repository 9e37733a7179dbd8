/*
 * Names: getaddrinfo, getnameinfo, gethostname, getservbyname,
 * getservbyport, and Python's two helpers built on them, create_connection
 * and create_server. Each lookup is a call of its own in the trace.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sockrepl.h"

static int
word_in(const struct name *words, const struct name *cnames, const char *s,
    int *out)
{
	const struct name *n;

	for (n = words; n != NULL && n->name != NULL; n++) {
		if (strcasecmp(n->name, s) == 0) {
			*out = n->value;
			return 1;
		}
	}
	for (n = cnames; n->name != NULL; n++) {
		if (strcasecmp(n->name, s) == 0) {
			*out = n->value;
			return 1;
		}
	}
	return 0;
}

/* A host word: * (or "") for none, as Python's None. */
static const char *
host_word(const char *s)
{
	return *s == '\0' || strcmp(s, "*") == 0 ? NULL : s;
}

static enum cmd_retval
cmd_getaddrinfo_exec(struct cmd_ctx *ctx)
{
	struct addrinfo	 hints, *res;
	const char	*port = NULL, *a;
	int		 i, v, have_family = 0, have_type = 0;

	memset(&hints, 0, sizeof hints);
	for (i = 1; i < ctx->argc; i++) {
		a = ctx->argv[i].s;
		if (!have_family && word_in(family_words, family_names, a,
		    &v) && v != AF_UNIX) {
			hints.ai_family = v;
			have_family = 1;
		} else if (!have_type && word_in(type_words, type_names, a,
		    &v)) {
			hints.ai_socktype = v;
			have_type = 1;
		} else if (strncasecmp(a, "AI_", 3) == 0 || (port != NULL &&
		    flags_parse(ai_flag_names, a, &v) == 0)) {
			if (flags_parse(ai_flag_names, a, &v) != 0) {
				diag("getaddrinfo: \"%s\" is not AI_ flags "
				    "(passive, canonname, numerichost, "
				    "numericserv, addrconfig, v4mapped, all)",
				    printable(a));
				return CMD_ERROR;
			}
			hints.ai_flags |= v;
		} else if (port == NULL)
			port = a;
		else {
			diag("getaddrinfo: \"%s\" is not a family (inet, "
			    "inet6), a type (tcp, udp) or AI_ flags, or gives "
			    "one twice", printable(a));
			return CMD_ERROR;
		}
	}
	if (port != NULL && (*port == '\0' || strcmp(port, "*") == 0))
		port = NULL;
	if (call_getaddrinfo(host_word(ctx->argv[0].s), port, &hints, &res,
	    0) != 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	freeaddrinfo(res);
	return CMD_OK;
}

const struct cmd_entry cmd_getaddrinfo_entry = {
	.name = "getaddrinfo",
	.group = GROUP_NAMES,
	.usage = "HOST [PORT] [FAMILY] [TYPE] [FLAGS]",
	.minargs = 1,
	.maxargs = 5,
	.args = { ARG_WORD, ARG_WORD, ARG_GAIHINT },
	.summary = "look up a host and service name and show every address",
	.calls = "getaddrinfo(3)",
	.exec = cmd_getaddrinfo_exec,
	.help = "As Python's socket.getaddrinfo(host, port, family, type, 0, "
	    "flags): HOST is a name or a numeric address (* for none, with "
	    "AI_PASSIVE the wildcard address), PORT a number or a service name "
	    "from /etc/services. FAMILY (inet, inet6; default both), TYPE "
	    "(tcp, udp; default every type) and FLAGS (AI_ names joined by "
	    "| or commas: passive, canonname, numerichost, numericserv, "
	    "addrconfig, v4mapped, all) may come in any order after the host. "
	    "Each answer is shown on a line of its own in the order the "
	    "resolver gives them, the order connect and create_connection "
	    "try them in. Errors are named: EAI_NONAME (no such name), "
	    "EAI_AGAIN (the name server did not answer), EAI_SERVICE, "
	    "EAI_ADDRFAMILY; expect error EAI_NONAME checks one. Addresses "
	    "typed to bind, connect and sendto are looked up the same way, "
	    "in the trace."
};

/* getnameinfo's NI_ flags by word: namereqd or NI_NAMEREQD. */
static enum cmd_retval
cmd_getnameinfo_exec(struct cmd_ctx *ctx)
{
	struct addr	 a;
	char		 host[NI_MAXHOST], serv[NI_MAXSERV];
	int		 n = ctx->argc, flags = 0, v;

	/* Flags last: a word that parses as NI_ flags and is no port. */
	while (n > 1 && flags_parse(ni_flag_names, ctx->argv[n - 1].s,
	    &v) == 0 && strcmp(ctx->argv[n - 1].s, "0") != 0) {
		flags |= v;
		n--;
	}
	if (n > 2) {
		cmd_usage(ctx->entry);
		return CMD_ERROR;
	}
	/* NI_DGRAM names a UDP port: look its service up for UDP too. */
	if (addr_arg(AF_UNSPEC, flags & NI_DGRAM ? SOCK_DGRAM : SOCK_STREAM,
	    ctx->argv, n, 0, &a) != 0)
		return CMD_ERROR;
	if (a.ss.ss_family == AF_UNIX) {
		diag("getnameinfo: an AF_UNIX path has no name to look up");
		return CMD_ERROR;
	}
	if (call_getnameinfo(&a, flags, host, sizeof host, serv,
	    sizeof serv) != 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_getnameinfo_entry = {
	.name = "getnameinfo",
	.group = GROUP_NAMES,
	.usage = "ADDR [FLAGS]",
	.minargs = 1,
	.maxargs = 3,
	.args = { ARG_ADDR, ARG_NUMBER, ARG_NIFLAG },
	.summary = "turn an address and port back into a host and service "
	    "name",
	.calls = "getnameinfo(3)",
	.exec = cmd_getnameinfo_exec,
	.help = "As Python's socket.getnameinfo((host, port), flags): the "
	    "reverse lookup, 127.0.0.1 80 giving localhost http. FLAGS are NI_ "
	    "names joined by | or commas: numerichost, numericserv, namereqd "
	    "(fail with EAI_NONAME rather than give the number back), dgram "
	    "(the service of a UDP port), nofqdn."
};

static enum cmd_retval
cmd_gethostname_exec(struct cmd_ctx *ctx)
{
	char	name[256];

	(void)ctx;
	if (call_gethostname(name, sizeof name) != 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_gethostname_entry = {
	.name = "gethostname",
	.group = GROUP_NAMES,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.summary = "show this machine's host name",
	.calls = "gethostname(2)",
	.exec = cmd_gethostname_exec,
	.help = "As Python's socket.gethostname(). The name need not resolve: "
	    "getaddrinfo shows whether it does."
};

/* A protocol word for the services database: tcp, udp, or * for any. */
static const char *
proto_word(struct cmd_ctx *ctx, int i)
{
	if (i >= ctx->argc || strcmp(ctx->argv[i].s, "*") == 0)
		return NULL;
	return ctx->argv[i].s;
}

static enum cmd_retval
cmd_getservbyname_exec(struct cmd_ctx *ctx)
{
	char	p[32];

	struct buf	b = { 0 };

	if (call_getservbyname(ctx->argv[0].s, proto_word(ctx, 1), p,
	    sizeof p) < 0) {
		/* printable's buffer holds one word at a time. */
		buf_printf(&b, "no service \"%s\"", printable(ctx->argv[0].s));
		if (ctx->argc > 1)
			buf_printf(&b, " for %s", printable(ctx->argv[1].s));
		diag("getservbyname: %s in the services database "
		    "(/etc/services)", buf_str(&b));
		buf_free(&b);
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_getservbyname_entry = {
	.name = "getservbyname",
	.group = GROUP_NAMES,
	.usage = "NAME [PROTO]",
	.minargs = 1,
	.maxargs = 2,
	.args = { ARG_WORD, ARG_WORD },
	.summary = "the port number of a service name (http is 80)",
	.calls = "getservbyname(3)",
	.exec = cmd_getservbyname_exec,
	.help = "As Python's socket.getservbyname(name, proto): PROTO is tcp "
	    "or udp, or none for any. The names come from /etc/services; bind, "
	    "connect and getaddrinfo take them in place of a port."
};

static enum cmd_retval
cmd_getservbyport_exec(struct cmd_ctx *ctx)
{
	long long	port;
	char		name[64], p[32];

	if (parse_int(ctx->argv[0].s, 0, 65535, "port", &port) != 0)
		return CMD_ERROR;
	if (call_getservbyport((int)port, proto_word(ctx, 1), name,
	    sizeof name, p, sizeof p) < 0) {
		diag("getservbyport: no service on port %lld%s%s in the "
		    "services database (/etc/services)", port,
		    ctx->argc > 1 ? " for " : "", ctx->argc > 1 ?
		    printable(ctx->argv[1].s) : "");
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_getservbyport_entry = {
	.name = "getservbyport",
	.group = GROUP_NAMES,
	.usage = "PORT [PROTO]",
	.minargs = 1,
	.maxargs = 2,
	.args = { ARG_NUMBER, ARG_WORD },
	.summary = "the service name of a port number (80 is http)",
	.calls = "getservbyport(3)",
	.exec = cmd_getservbyport_exec,
	.help = "As Python's socket.getservbyport(port, proto): PROTO is tcp "
	    "or udp, or none for any."
};

static enum cmd_retval
cmd_create_connection_exec(struct cmd_ctx *ctx)
{
	struct addr	 a;
	struct sock	*sk;
	char		*host, *port;
	double		 t = -1;
	int		 n = ctx->argc, r;

	/* HOST PORT TIMEOUT, HOST:PORT TIMEOUT: the timeout is a third word. */
	if (n == 3 || (n == 2 && strchr(ctx->argv[0].s, ':') != NULL &&
	    ctx->argv[0].s[0] != '/' && ctx->argv[0].s[0] != '@')) {
		if (strcasecmp(ctx->argv[n - 1].s, "none") != 0 &&
		    parse_seconds(ctx->argv[n - 1].s, "timeout", &t) != 0)
			return CMD_ERROR;
		n--;
	}
	if (addr_name_parts(ctx->argv, n, &host, &port)) {
		r = connect_name(NULL, host, port, t, 0);
		free(host);
		free(port);
		return r == 0 ? CMD_OK : CMD_ERROR;
	}
	/* A numeric address: one socket, one connect. */
	if (addr_arg(AF_UNSPEC, SOCK_STREAM, ctx->argv, n, 0, &a) != 0)
		return CMD_ERROR;
	if (a.ss.ss_family == AF_UNIX) {
		diag("create_connection: a host and port, not an AF_UNIX path");
		return CMD_ERROR;
	}
	if ((sk = make_socket(a.ss.ss_family, SOCK_STREAM)) == NULL)
		return CMD_ERROR;
	return connect_own(sk, &a, t) == 0 ? CMD_OK : CMD_ERROR;
}

const struct cmd_entry cmd_create_connection_entry = {
	.name = "create_connection",
	.group = GROUP_LIFE,
	.usage = "ADDR [TIMEOUT]",
	.minargs = 1,
	.maxargs = 3,
	.args = { ARG_ADDR, ARG_NUMBER, ARG_NUMBER },
	.summary = "look up a host and connect to its addresses in turn, as "
	    "Python's socket.create_connection",
	.calls = "getaddrinfo(3), socket(2), connect(2), close(2)",
	.exec = cmd_create_connection_exec,
	.help = "ADDR is HOST PORT or HOST:PORT. getaddrinfo looks the host up "
	    "(for SOCK_STREAM, any family), then each address is tried in the "
	    "order given: a new socket, the TIMEOUT in seconds (default none: "
	    "blocking) set on it as settimeout does, connect. A refused or "
	    "unreachable address is closed and the next one tried, each "
	    "attempt in the trace; the first that connects becomes the current "
	    "socket. When none does, the last attempt's socket is closed too, "
	    "as Python closes each: none is left in the table, and the "
	    "connect's error is reported ($errno and expect see it, not the "
	    "close's). connect HOST PORT with no current socket does the same "
	    "without a timeout; on the user's own socket it tries the "
	    "addresses of its family and type, and the socket stays."
};

/* create_server's keyword arguments, as Python names them. */
static int
server_opt(const char *s, int *family, long long *backlog, int *reuse_port,
    int *dualstack)
{
	int	v;

	if (strncmp(s, "family=", 7) == 0) {
		if (!word_in(family_words, family_names, s + 7, &v) ||
		    (v != AF_INET && v != AF_INET6)) {
			diag("create_server: \"%s\": the family is inet or "
			    "inet6", printable(s));
			return -1;
		}
		*family = v;
	} else if (strncmp(s, "backlog=", 8) == 0) {
		if (parse_int(s + 8, 0, 65535, "backlog", backlog) != 0)
			return -1;
	} else if (strcmp(s, "reuse_port") == 0 ||
	    strcmp(s, "reuse_port=true") == 0)
		*reuse_port = 1;
	else if (strcmp(s, "dualstack_ipv6") == 0 ||
	    strcmp(s, "dualstack_ipv6=true") == 0)
		*dualstack = 1;
	else
		return 1;
	return 0;
}

/* setsockopt of an int option by name; -1 after reporting. */
static int
set_int_opt(struct sock *sk, const char *name, int val)
{
	const struct sockopt	*o = sockopt_find(name);
	union optval		 v;

	memset(&v, 0, sizeof v);
	v.i = val;
	if (o == NULL)
		return 0;
	if (call_setsockopt(sk, o, &v, sizeof v.i) != 0) {
		call_report(call_last());
		return -1;
	}
	return 0;
}

static enum cmd_retval
cmd_create_server_exec(struct cmd_ctx *ctx)
{
	struct addr	 a, got;
	struct sock	*sk;
	long long	 backlog = -1;
	int		 n = ctx->argc, family = AF_UNSPEC, reuse_port = 0;
	int		 dualstack = 0, r;

	while (n > 1 && (r = server_opt(ctx->argv[n - 1].s, &family,
	    &backlog, &reuse_port, &dualstack)) <= 0) {
		if (r < 0)
			return CMD_ERROR;
		n--;
	}
	if (n > 2) {
		cmd_usage(ctx->entry);
		return CMD_ERROR;
	}
	/* As bind: IPv4 first for a name, unless family= says. */
	if (addr_arg(family, SOCK_STREAM, ctx->argv, n, 1, &a) != 0)
		return CMD_ERROR;
	if (a.ss.ss_family == AF_UNIX) {
		diag("create_server: a host and port, not an AF_UNIX path");
		return CMD_ERROR;
	}
	if (dualstack && a.ss.ss_family != AF_INET6) {
		diag("create_server: dualstack_ipv6 needs family=inet6");
		return CMD_ERROR;
	}
	if ((sk = make_socket(a.ss.ss_family, SOCK_STREAM)) == NULL)
		return CMD_ERROR;
	/* As Python on POSIX: a server restarts at once, TIME_WAIT or not. */
	if (set_int_opt(sk, "SO_REUSEADDR", 1) != 0 ||
	    (reuse_port && set_int_opt(sk, "SO_REUSEPORT", 1) != 0) ||
	    (a.ss.ss_family == AF_INET6 && set_int_opt(sk, "IPV6_V6ONLY",
	    !dualstack) != 0))
		return CMD_ERROR;
	if (call_bind(sk, &a) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	if (addr_port((struct sockaddr *)&a.ss) == 0 &&
	    call_getname(sk, 0, &got, 0) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	/* Python's listen() with no backlog: min(SOMAXCONN, 128). */
	if (call_listen(sk, backlog >= 0 ? (int)backlog : SOMAXCONN < 128 ?
	    SOMAXCONN : 128) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_create_server_entry = {
	.name = "create_server",
	.group = GROUP_LIFE,
	.usage = "ADDR [family=inet6] [backlog=N] [reuse_port] "
	    "[dualstack_ipv6]",
	.minargs = 1,
	.maxargs = 6,
	.args = { ARG_ADDR, ARG_NUMBER, ARG_SERVEROPT },
	.summary = "a listening TCP socket in one step, as Python's "
	    "socket.create_server",
	.calls = "socket(2), setsockopt(2), bind(2), listen(2)",
	.exec = cmd_create_server_exec,
	.help = "ADDR is as for bind: HOST PORT, HOST:PORT, or a bare PORT for "
	    "the wildcard address; port 0 lets the kernel choose. The calls "
	    "are Python's: socket, setsockopt SO_REUSEADDR 1 (so a server "
	    "restarts at once whatever connections of the last run are in "
	    "TIME_WAIT), SO_REUSEPORT 1 with reuse_port, IPV6_V6ONLY for an "
	    "IPv6 socket (0 with dualstack_ipv6, so it takes IPv4 connections "
	    "too), bind, listen with backlog N (default 128). The new listener "
	    "becomes the current socket."
};
