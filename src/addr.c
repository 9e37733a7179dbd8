/*
 * Socket addresses as the user types them and as the trace prints them.
 *
 * Typed: HOST PORT, HOST:PORT, [V6]:PORT, V6 PORT, a path containing a / for
 * AF_UNIX, @name for a Linux abstract UNIX name, and for bind a bare PORT or
 * * PORT for the wildcard address. Printed numerically, as strace does.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/if.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return 0;
	}
	return 1;
}

static int
unix_addr(int family, const char *text, size_t len, struct addr *out,
    struct buf *why)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->ss;
	int	abstract = text[0] == '@';

	if (family != AF_UNSPEC && family != AF_UNIX) {
		buf_printf(why, "address \"%s\": a path or @name is an AF_UNIX address, "
		    "but the socket is %s", printable(text),
		    name_of(family_names, family));
		return -1;
	}
	if (len >= sizeof sun->sun_path) {
		buf_printf(why, "address \"%s\": too long for AF_UNIX (at most %zu bytes)",
		    printable(text), sizeof sun->sun_path - 1);
		return -1;
	}
	memset(out, 0, sizeof *out);
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, text, len);
	if (abstract) {
		/* Linux: a leading NUL names the abstract namespace. */
		sun->sun_path[0] = '\0';
		out->len = offsetof(struct sockaddr_un, sun_path) + len;
	} else
		out->len = offsetof(struct sockaddr_un, sun_path) + len + 1;
	return 0;
}

addr_lookup_fn	addr_lookup = getaddrinfo;

/* Is host a numeric address (or none), so no name is looked up? */
static int
numeric_host(const char *host)
{
	struct in6_addr	a6;
	struct in_addr	a4;

	return host == NULL || inet_pton(AF_INET6, host, &a6) == 1 ||
	    inet_pton(AF_INET, host, &a4) == 1;
}

/* Put port (host order) into the address a lookup without service gave. */
static void
set_port(struct sockaddr_storage *ss, long long port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static int
resolve(int family, int type, const char *host, const char *port,
    int passive, struct addr *out, const char *text, struct buf *why)
{
	struct addrinfo	 hints, *res;
	int		 e, tries[2], i, ntries;
	const char	*errstr, *serv, *h;
	long long	 pnum = 0;
	struct in6_addr	 a6;
	struct in_addr	 a4;

	if (all_digits(port)) {
		pnum = num_parse(port, 0, 65535, &errstr);
		if (errstr != NULL) {
			buf_printf(why, "port %s: %s", printable(port), errstr);
			return -1;
		}
	} else if (*port == '\0') {
		buf_printf(why, "address \"%s\": missing port", printable(text));
		return -1;
	} else if (type == SOCK_RAW) {
		buf_printf(why, "port \"%s\": a raw socket has no services "
		    "(give a number)", printable(port));
		return -1;
	}
	/*
	 * The lookup is for the socket's type. glibc knows ports for TCP,
	 * UDP and SCTP; for a raw socket it takes no service (EAI_SERVICE),
	 * so the port is put in after, as ping(8) does; any other type is
	 * unknown to it (EAI_SOCKTYPE): any type, then.
	 */
	if (type != SOCK_STREAM && type != SOCK_DGRAM &&
	    type != SOCK_SEQPACKET && type != SOCK_RAW)
		type = 0;
	serv = type == SOCK_RAW ? NULL : port;
	if (host != NULL && (strcmp(host, "*") == 0 || *host == '\0')) {
		if (!passive) {
			buf_printf(why, "address \"%s\": the wildcard address is only "
			    "for bind", printable(text));
			return -1;
		}
		host = NULL;
	}
	if (host == NULL && !passive) {
		buf_printf(why, "address \"%s\": missing host (try localhost %s)",
		    printable(text), printable(port));
		return -1;
	}

	/*
	 * Without a socket yet, a name that has both kinds of address gets
	 * IPv4 first, as Python's socket.socket() default does.
	 */
	ntries = 0;
	if (family != AF_UNSPEC)
		tries[ntries++] = family;
	else if (host != NULL && inet_pton(AF_INET6, host, &a6) == 1)
		tries[ntries++] = AF_INET6;
	else if (host != NULL && inet_pton(AF_INET, host, &a4) == 1)
		tries[ntries++] = AF_INET;
	else {
		tries[ntries++] = AF_INET;
		tries[ntries++] = AF_INET6;
	}
	if (family == AF_UNIX) {
		buf_printf(why, "address \"%s\": an AF_UNIX socket needs a path (with a "
		    "/) or an @name", printable(text));
		return -1;
	}

	e = EAI_NONAME;
	for (i = 0; i < ntries; i++) {
		memset(&hints, 0, sizeof hints);
		hints.ai_family = tries[i];
		hints.ai_socktype = type;
		hints.ai_flags = passive ? AI_PASSIVE : 0;
		/* Neither host nor service is no lookup: the wildcard. */
		h = host;
		if (h == NULL && serv == NULL)
			h = tries[i] == AF_INET6 ? "::" : "0.0.0.0";
		/* A name is looked up where the program can show it. */
		if (numeric_host(h) && all_digits(port)) {
			hints.ai_flags |= (serv != NULL ? AI_NUMERICSERV : 0) |
			    (h != NULL ? AI_NUMERICHOST : 0);
			e = getaddrinfo(h, serv, &hints, &res);
		} else
			e = addr_lookup(h, serv, &hints, &res);
		if (e == 0)
			break;
	}
	if (e != 0) {
		if (e == EAI_SERVICE)
			buf_printf(why, "port \"%s\": not a number or a known service",
			    printable(port));
		else if (e == EAI_ADDRFAMILY || (e == EAI_NONAME &&
		    family != AF_UNSPEC))
			buf_printf(why, "address \"%s\": no %s address for that name",
			    printable(text), name_of(family_names, family));
		else if (e == EAI_SYSTEM)
			buf_printf(why, "address \"%s\": %s", printable(text),
			    strerror(errno));
		else
			buf_printf(why, "address \"%s\": %s: %s",
			    printable(text), errno_name(EAI_ERR(e)),
			    eai_hint(EAI_ERR(e)) != NULL ?
			    eai_hint(EAI_ERR(e)) : gai_strerror(e));
		return -1;
	}
	memset(out, 0, sizeof *out);
	memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
	out->len = res->ai_addrlen;
	freeaddrinfo(res);
	if (serv == NULL)
		set_port(&out->ss, pnum);
	return 0;
}

/*
 * Python's address tuple, as the tutorials write it: ('localhost', 6565),
 * ('', 6565). The lexer has taken the quotes away, leaving the words
 * "(localhost," "6565)" or the one word "(localhost,6565)". Returns 1 with
 * *host and *port (to free) for a tuple, 0 for no tuple, -1 with why for
 * one that cannot be read.
 */
static int
py_tuple(struct word *w, int n, char **host, char **port, struct buf *why)
{
	struct buf	 t = { 0 };
	char		*s, *comma, *end;
	int		 i;

	if (w[0].s[0] != '(')
		return 0;
	for (i = 0; i < n; i++)
		buf_printf(&t, "%s%s", i ? " " : "", w[i].s);
	s = t.data + 1;
	end = t.data + t.len;
	if (end[-1] != ')' || (comma = strchr(s, ',')) == NULL ||
	    strchr(comma + 1, ',') != NULL) {
		buf_printf(why, "address \"%s\": write HOST PORT, as in "
		    "connect localhost 6565, not a Python tuple",
		    printable(buf_str(&t)));
		buf_free(&t);
		return -1;
	}
	end[-1] = '\0';
	*comma = '\0';
	while (*s == ' ')
		s++;
	for (end = comma; end > s && end[-1] == ' '; end--)
		end[-1] = '\0';
	for (comma++; *comma == ' '; comma++)
		;
	if ((*host = strdup(s)) == NULL || (*port = strdup(comma)) == NULL)
		nomem();
	buf_free(&t);
	return 1;
}

/*
 * Parse the address in words w[0..n) (n is 1 or 2) for a socket of the given
 * family (AF_UNSPEC when there is none yet) and type (the one the command
 * will make when there is none: a name is looked up for it). passive allows
 * the wildcard forms of bind. Returns 0, or -1 with why the text is no address in why
 * ("address \"localhost\": missing port"); the caller words the message.
 */
int
addr_parse(int family, int type, struct word *w, int n, int passive,
    struct addr *out, struct buf *why)
{
	const char	*text = w[0].s, *colon, *close;
	char		*host;
	int		 r;

	char		*port;

	if (w[0].len != strlen(text) || (n == 2 && w[1].len != strlen(w[1].s))) {
		buf_printf(why, "address: contains a NUL byte");
		return -1;
	}
	if ((r = py_tuple(w, n, &host, &port, why)) != 0) {
		if (r > 0) {
			/* ('', PORT) is Python's wildcard, as * is ours. */
			r = resolve(family, type, host, port, passive, out, text,
			    why);
			free(host);
			free(port);
		}
		return r < 0 ? -1 : 0;
	}
	if (n == 2) {
		if (strchr(text, '/') != NULL || text[0] == '@') {
			buf_printf(why, "address \"%s\": an AF_UNIX address takes no "
			    "port", printable(text));
			return -1;
		}
		host = strdup(text);
		if (host == NULL)
			nomem();
		/* [::1] 80 works too. */
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		r = resolve(family, type, host, w[1].s, passive, out, text,
		    why);
		free(host);
		return r;
	}
	if (strchr(text, '/') != NULL || text[0] == '@')
		return unix_addr(family, text, w[0].len, out, why);
	if (all_digits(text)) {
		if (!passive) {
			buf_printf(why, "address \"%s\": missing host (try localhost "
			    "%s)", text, text);
			return -1;
		}
		return resolve(family, type, NULL, text, passive, out, text,
		    why);
	}
	if (text[0] == '[') {
		if ((close = strchr(text, ']')) == NULL || close[1] != ':') {
			buf_printf(why, "address \"%s\": write an IPv6 address with a "
			    "port as [ADDRESS]:PORT", printable(text));
			return -1;
		}
		host = strndup(text + 1, close - text - 1);
		if (host == NULL)
			nomem();
		r = resolve(family, type, host, close + 2, passive, out, text,
		    why);
		free(host);
		return r;
	}
	if ((colon = strchr(text, ':')) == NULL) {
		buf_printf(why, "address \"%s\": missing port (HOST PORT or HOST:PORT)",
		    printable(text));
		return -1;
	}
	if (strchr(colon + 1, ':') != NULL) {
		buf_printf(why, "address \"%s\": an IPv6 address needs its port apart: "
		    "%s PORT or [%s]:PORT", printable(text), printable(text),
		    printable(text));
		return -1;
	}
	host = strndup(text, colon - text);
	if (host == NULL)
		nomem();
	r = resolve(family, type, host, colon + 1, passive, out, text, why);
	free(host);
	return r;
}

/*
 * When the address in w[0..n) is a host name and a port (HOST PORT or
 * HOST:PORT, the host not numeric), set *host and *port to copies the
 * caller frees and return 1; else 0.
 */
int
addr_name_parts(struct word *w, int n, char **host, char **port)
{
	const char	*text = w[0].s, *colon;

	struct buf	 why = { 0 };
	int		 r;

	*host = *port = NULL;
	if (w[0].len != strlen(text) || (n == 2 && w[1].len != strlen(w[1].s)))
		return 0;
	/* Python's ('localhost', 6565) too; a bad one is addr_parse's. */
	if ((r = py_tuple(w, n, host, port, &why)) != 0) {
		buf_free(&why);
		if (r < 0)
			return 0;
		goto check;
	}
	if (strchr(text, '/') != NULL || text[0] == '@' || text[0] == '[' ||
	    *text == '\0' || strcmp(text, "*") == 0)
		return 0;
	if (n == 2) {
		*host = strdup(text);
		*port = strdup(w[1].s);
	} else {
		if ((colon = strchr(text, ':')) == NULL ||
		    strchr(colon + 1, ':') != NULL || colon == text ||
		    colon[1] == '\0')
			return 0;
		*host = strndup(text, (size_t)(colon - text));
		*port = strdup(colon + 1);
	}
	if (*host == NULL || *port == NULL)
		abort();
check:
	/* A bad port is for addr_parse to name. */
	if (**host != '\0' && !numeric_host(*host) && **port != '\0' &&
	    (!all_digits(*port) ||
	    (strlen(*port) < 6 && atoi(*port) <= 65535)))
		return 1;
	free(*host);
	free(*port);
	*host = *port = NULL;
	return 0;
}

/*
 * How many of the last words of w[0..n) make the address: two when the last
 * is a port number and a host stands before it, else one.
 */
int
addr_words(struct word *w, int n)
{
	/* A Python tuple split at its blank: ('localhost', 6565). */
	if (n >= 3 && w[n - 2].s[0] == '(' && w[n - 1].s[0] != '(' &&
	    w[n - 1].len > 0 && w[n - 1].s[w[n - 1].len - 1] == ')')
		return 2;
	if (n >= 3 && all_digits(w[n - 1].s) && strchr(w[n - 2].s, '/') ==
	    NULL && w[n - 2].s[0] != '@')
		return 2;
	return 1;
}

/* Host and port as text, numerically; the port is -1 for AF_UNIX. */
static void
addr_parts(const struct sockaddr *sa, socklen_t len, char *host,
    size_t hostlen, int *port)
{
	*port = -1;
	host[0] = '\0';
	if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6) {
		char serv[16];

		if (getnameinfo(sa, len, host, hostlen, serv, sizeof serv,
		    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
			snprintf(host, hostlen, "?");
		*port = addr_port(sa);
	}
}

/*
 * The socket's own address (peer 0) or its peer's, from getsockname(2) or
 * getpeername(2). Returns 0, or -1 with errno set.
 */
int
addr_of_socket(int fd, int peer, struct addr *a)
{
	a->len = sizeof a->ss;
	if (peer)
		return getpeername(fd, (struct sockaddr *)&a->ss, &a->len);
	return getsockname(fd, (struct sockaddr *)&a->ss, &a->len);
}

/* The port of an Internet address, or -1. */
int
addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return -1;
}

static void
unix_format(struct buf *b, const struct sockaddr *sa, socklen_t len,
    int quote)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	size_t	off = offsetof(struct sockaddr_un, sun_path), n;

	if (len <= off) {
		buf_adds(b, quote ? "" : "-");
		return;
	}
	n = len - off;
	if (sun->sun_path[0] == '\0') {
		buf_addc(b, '@');
		if (quote)
			buf_addc(b, '"');
		escape_bytes(b, sun->sun_path + 1, n - 1);
	} else {
		if (quote)
			buf_addc(b, '"');
		escape_bytes(b, sun->sun_path, strnlen(sun->sun_path, n));
	}
	if (quote)
		buf_addc(b, '"');
}

/* {AF_INET, 127.0.0.1:6565}, as the trace shows an address argument. */
void
addr_format(struct buf *b, const struct sockaddr *sa, socklen_t len)
{
	const char	*fam = name_of(family_names, sa->sa_family);

	if (len == 0) {
		buf_adds(b, "NULL");
		return;
	}
	if (fam != NULL)
		buf_printf(b, "{%s", fam);
	else
		buf_printf(b, "{%d", sa->sa_family);
	if (sa->sa_family == AF_UNIX) {
		if (len > offsetof(struct sockaddr_un, sun_path))
			buf_adds(b, ", ");
		unix_format(b, sa, len, 1);
	} else if (sa->sa_family == AF_INET || sa->sa_family == AF_INET6 ||
	    sa->sa_family == AF_PACKET) {
		buf_adds(b, ", ");
		addr_format_short(b, sa, len);
	}
	buf_addc(b, '}');
}

/* A packet socket's address: its interface (any) and Ethernet type. */
static void
packet_format(struct buf *b, const struct sockaddr_ll *ll)
{
	char	name[IF_NAMESIZE];

	if (ll->sll_ifindex == 0)
		buf_adds(b, "any");
	else if (if_indextoname((unsigned)ll->sll_ifindex, name) != NULL)
		buf_adds(b, name);
	else
		buf_printf(b, "if%d", ll->sll_ifindex);
	buf_printf(b, "/0x%04x", ntohs(ll->sll_protocol));
}

/* 127.0.0.1:6565, [::1]:6565, /path or @name: for list and -q. */
void
addr_format_short(struct buf *b, const struct sockaddr *sa, socklen_t len)
{
	char	host[NI_MAXHOST];
	int	port;

	if (len == 0) {
		buf_addc(b, '-');
		return;
	}
	if (sa->sa_family == AF_UNIX) {
		unix_format(b, sa, len, 0);
		return;
	}
	addr_parts(sa, len, host, sizeof host, &port);
	if (sa->sa_family == AF_INET6)
		buf_printf(b, "[%s]:%d", host, port);
	else if (sa->sa_family == AF_INET)
		buf_printf(b, "%s:%d", host, port);
	else if (sa->sa_family == AF_PACKET &&
	    len >= offsetof(struct sockaddr_ll, sll_addr))
		packet_format(b, (const struct sockaddr_ll *)(const void *)sa);
	else
		buf_printf(b, "family %d", sa->sa_family);
}
