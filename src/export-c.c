/*
 * export c: the session as one C file that builds with cc -std=c11 and no
 * other file. Each step becomes the calls its records show, each call
 * checked as a careful program checks it; helpers and declarations are
 * written only when a step needs them, so -Wall -Wextra -Werror holds.
 */
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

/* Helpers the program needs. */
#define H_FAIL		0x0001
#define H_UNEXPECTED	0x0002
#define H_ASBEFORE	0x0004
#define H_SHOW		0x0008
#define H_CHECKDATA	0x0010
#define H_CHECKRET	0x0020
#define H_READY		0x0040
#define H_WAITFOR	0x0080
#define H_IN4		0x0100
#define H_IN6		0x0200
#define H_UN		0x0400
#define H_PORTOF	0x0800
#define H_INBUF		0x1000
#define H_UNTIL		0x2000
#define H_ALL		0x4000
#define H_SENDALL	0x8000
#define H_RECVBUF	0x10000
#define H_SENT		0x20000
#define H_SAVE		0x40000
#define H_LOAD		0x80000
#define H_SENDFILE	0x100000
#define H_HEXOUT	0x200000
#define H_SENDMSG	0x400000
#define H_RECVMSG	0x800000
#define H_EXACT		0x1000000
#define H_SHOWAI	0x2000000
#define H_SFALL		0x4000000
#define H_GAIFAIL	0x8000000
#define H_TLSFAIL	(1ULL << 28)
#define H_TLSIO		(1ULL << 29)
#define H_TLSFD		(1ULL << 30)
#define H_ALPN		(1ULL << 31)
#define H_ALPNSEL	(1ULL << 32)
#define H_SELFSIGNED	(1ULL << 33)
#define H_TLSREAD	(1ULL << 34)
#define H_TLSWRITE	(1ULL << 35)
#define H_TLSREADY	(1ULL << 36)
#define H_TLSSHUT	(1ULL << 37)

/* Variables main needs. */
#define D_SA		0x001
#define D_N		0x002
#define D_FL		0x004
#define D_OPT		0x008
#define D_LINGER	0x010
#define D_TV		0x020
#define D_SV		0x040
#define D_FROM		0x080
#define D_BUF		0x100
#define D_OPTLEN	0x200
#define D_FBUF		0x400
#define D_CRED		0x800
#define D_OPTBUF	0x1000
#define D_TXFDS		0x2000
#define D_RXFDS		0x4000
#define D_GAI		0x8000
#define D_NAMES		0x10000
#define D_SEL		0x20000
#define D_EV		0x40000
#define D_OFF		0x80000
#define D_TCPINFO	0x100000

/* send_file reads in sockrepl's chunks. */
#define STR(x)		STR_(x)
#define STR_(x)		#x

/* A comment longer than a line wraps onto at most this many. */
#define COMMENT_COLS	80
#define COMMENT_LINES	4

struct cw {
	struct export	*x;
	struct buf	 body;
	uint64_t	 need;
	int		 decl;
	int		 npfd;
	int		 tls;		/* the session used TLS */
	int		 tlsfd;		/* and helpers read or send through it */
	unsigned char	*ssl;		/* per socket: SSL_ON, SSL_LIVE */
};

#define SSL_ON		0x1	/* <name>_ctx and <name>_ssl are declared */
#define SSL_LIVE	0x2	/* and allocated, not freed yet */

/*
 * One line of C (n bytes at p) into b, broken after a ", " outside string
 * literals where it would pass 80 columns (a tab is 8), the rest indented
 * four more, as KNF continues a line.
 */
static void
c_wrap(struct buf *b, const char *p, size_t n)
{
	size_t	i, tabs, col, cut;
	int	quoted;

	for (tabs = 0; tabs < n && p[tabs] == '\t'; tabs++)
		;
	for (;;) {
		cut = 0;
		quoted = 0;
		for (i = 0, col = 0; i < n; i++) {
			col = p[i] == '\t' ? (col + 8) & ~(size_t)7 : col + 1;
			if (quoted) {
				/* An escape's next byte is not the end. */
				if (p[i] == '\\' && i + 1 < n) {
					i++;
					col++;
				} else if (p[i] == '"')
					quoted = 0;
			} else if (p[i] == '"')
				quoted = 1;
			else if (p[i] == '\'') {
				/* A character literal: '\'' or ',' or 'x'. */
				i += i + 3 < n && p[i + 1] == '\\' ? 3 : 2;
				col += 2;
			} else if (p[i] == ',' && i + 1 < n && p[i + 1] == ' ' &&
			    col < 80)
				cut = i + 1;
			if (col > 80)
				break;
		}
		if (i == n || cut == 0 || cut <= tabs + 4) {
			buf_add(b, p, n);
			buf_addc(b, '\n');
			return;
		}
		buf_add(b, p, cut);
		buf_addc(b, '\n');
		for (i = 0; i < tabs; i++)
			buf_addc(b, '\t');
		buf_adds(b, "    ");
		p += cut + 1;
		n -= cut + 1;
	}
}

static void
line(struct cw *w, int indent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
line(struct cw *w, int indent, const char *fmt, ...)
{
	struct buf	t = { 0 };
	va_list		ap;
	const char	*p, *nl;

	while (indent-- > 0)
		buf_addc(&t, '\t');
	va_start(ap, fmt);
	buf_vprintf(&t, fmt, ap);
	va_end(ap);
	for (p = buf_str(&t); ; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		c_wrap(&w->body, p, (size_t)(nl - p));
		if (*nl == '\0')
			break;
	}
	buf_free(&t);
}

/*
 * A C string literal of p[0..n), NUL-safe: octal escapes always take three
 * digits so a digit after one is not swallowed, and ? is escaped so no
 * trigraph forms. Long data is split into literals on several lines.
 */
static void
c_str(struct buf *b, const char *p, size_t n, int indent)
{
	const unsigned char	*u = (const unsigned char *)p;
	size_t			 i, col = 0;
	int			 k;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (col >= 56 && i < n) {
			buf_adds(b, "\"\n");
			for (k = 0; k < indent; k++)
				buf_addc(b, '\t');
			buf_adds(b, "    \"");
			col = 0;
		}
		switch (u[i]) {
		case '\n': buf_adds(b, "\\n"); col += 2; break;
		case '\r': buf_adds(b, "\\r"); col += 2; break;
		case '\t': buf_adds(b, "\\t"); col += 2; break;
		case '\\': buf_adds(b, "\\\\"); col += 2; break;
		case '"': buf_adds(b, "\\\""); col += 2; break;
		case '?': buf_adds(b, "\\?"); col += 2; break;
		default:
			if (u[i] >= 0x20 && u[i] < 0x7f) {
				buf_addc(b, (char)u[i]);
				col++;
			} else {
				buf_printf(b, "\\%03o", u[i]);
				col += 4;
			}
		}
		/* A line break in the data is a good place to split. */
		if (u[i] == '\n' && col > 0 && i + 1 < n)
			col = 56;
	}
	buf_addc(b, '"');
}

/*
 * A comment's text: printable, and never closing the comment early. One
 * that does not fit in COMMENT_COLS (a tab is 8) becomes a block comment,
 * wrapped at spaces, of at most COMMENT_LINES lines; the rest is cut
 * with "...".
 */
static void
c_comment(struct cw *w, const char *text)
{
	struct buf	b = { 0 };
	const char	*p;
	size_t		 left, k, width = COMMENT_COLS - 8 - 3;
	int		 n;

	for (p = text; *p != '\0'; p++) {
		if (p[0] == '*' && p[1] == '/')
			buf_adds(&b, "* /");
		else if (p[0] == '/' && p[1] == '*')
			buf_adds(&b, "/ *");
		else if (p[0] == '?' && p[1] == '?')
			/* No trigraph (??/ would end the line's comment). */
			buf_adds(&b, "? ");
		else
			buf_addc(&b, *p);
		if ((p[0] == '*' && p[1] == '/') || (p[0] == '/' &&
		    p[1] == '*'))
			p++;
	}
	if (8 + 3 + b.len + 3 <= COMMENT_COLS) {
		line(w, 1, "/* %s */", buf_str(&b));
		buf_free(&b);
		return;
	}
	line(w, 1, "/*");
	p = buf_str(&b);
	left = b.len;
	for (n = 1; left > 0; n++) {
		if (left <= width) {
			line(w, 1, " * %.*s", (int)left, p);
			break;
		}
		if (n == COMMENT_LINES) {
			line(w, 1, " * %.*s...", (int)(width - 3), p);
			break;
		}
		/* The last space that fits; a longer word is cut. */
		for (k = width; k > 0 && p[k] != ' '; k--)
			;
		if (k == 0)
			k = width;
		line(w, 1, " * %.*s", (int)k, p);
		p += k;
		left -= k;
		while (left > 0 && *p == ' ') {
			p++;
			left--;
		}
	}
	line(w, 1, " */");
	buf_free(&b);
}

static const char *
cname(const struct name *t, int v, char *tmp, size_t size)
{
	const char	*s = name_of(t, v);

	if (s != NULL)
		return s;
	snprintf(tmp, size, "%d", v);
	return tmp;
}

/*
 * A call and its check. cond is true when the call failed (errno set),
 * okcond when it succeeded; ok is what runs after a success: statements
 * separated by newlines, or NULL.
 */
static void
check(struct cw *w, const char *cond, const char *okcond, const char *call,
    enum xcheck c, int err, const char *ok)
{
	const char	*p, *nl;
	int		 many = ok != NULL && strchr(ok, '\n') != NULL;
	int		 guard = 0;

	switch (c) {
	case XC_OK:
		w->need |= H_FAIL;
		line(w, 1, "if (%s)", cond);
		line(w, 2, "fail(\"%s\");", call);
		break;
	case XC_PASS:
		w->need |= H_FAIL;
		line(w, 1, "if (%s && errno != %s)", cond, errno_name(err));
		line(w, 2, "fail(\"%s\");", call);
		break;
	case XC_ERRNO:
		w->need |= H_FAIL | H_UNEXPECTED;
		line(w, 1, "if (%s)", okcond);
		line(w, 2, "unexpected(\"%s\", \"%s\");", call,
		    errno_name(err));
		line(w, 1, "if (errno != %s)", errno_name(err));
		line(w, 2, "fail(\"%s\");", call);
		return;
	case XC_FAIL:
		w->need |= H_UNEXPECTED;
		line(w, 1, "if (%s)", okcond);
		line(w, 2, "unexpected(\"%s\", \"a failure\");", call);
		return;
	case XC_TOLERATE:
		w->need |= H_ASBEFORE | H_FAIL;
		line(w, 1, "if (%s)", cond);
		line(w, 2, "as_before(\"%s\", %s);", call, errno_name(err));
		if (ok == NULL)
			return;
		line(w, 1, "else%s", many ? " {" : "");
		guard = 1;
		break;
	}
	for (p = ok; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		line(w, 1 + guard, "%.*s", (int)(nl - p), p);
		if (*nl == '\0')
			break;
	}
	if (guard && many)
		line(w, 1, "}");
}

/* The same, for a call whose failure is a return of -1. */
static void
check_call(struct cw *w, const char *expr, const char *call, enum xcheck c,
    int err, const char *ok)
{
	struct buf	cond = { 0 }, okc = { 0 };

	buf_printf(&cond, "%s == -1", expr);
	buf_printf(&okc, "%s != -1", expr);
	check(w, buf_str(&cond), buf_str(&okc), call, c, err, ok);
	buf_free(&cond);
	buf_free(&okc);
}

/*
 * The address argument of record i: "(struct sockaddr *)&sa, salen" after
 * a statement filling sa, or the variable of a sender recvfrom returned.
 */
static void
c_addr(struct cw *w, size_t i, const struct addr *a, struct buf *arg)
{
	const struct xrec	*xr = &w->x->recs[i];
	const struct call_rec	*src;
	const struct sockaddr_in *sin = (const void *)&a->ss;
	const struct sockaddr_in6 *sin6 = (const void *)&a->ss;
	struct buf		 port = { 0 }, lit = { 0 };
	char			 host[INET6_ADDRSTRLEN];
	const char		*name, *path;
	size_t			 plen;

	if (xr->peer_src >= 0) {
		src = &log_recs[xr->peer_src].rec;
		name = export_name(w->x, src->seq);
		buf_printf(arg, "(struct sockaddr *)&%s_peer, %s_peerlen", name,
		    name);
		return;
	}
	w->decl |= D_SA;
	if (xr->port_src >= 0)
		buf_printf(&port, "%s_port", export_name(w->x,
		    log_recs[xr->port_src].rec.seq));
	else
		buf_printf(&port, "%d", addr_port((const struct sockaddr *)
		    &a->ss));
	switch (a->ss.ss_family) {
	case AF_INET:
		w->need |= H_IN4;
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		line(w, 1, "salen = in4(&sa, \"%s\", %s);", host,
		    buf_str(&port));
		break;
	case AF_INET6:
		w->need |= H_IN6;
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		line(w, 1, "salen = in6(&sa, \"%s\", %s, %u);", host,
		    buf_str(&port), (unsigned)sin6->sin6_scope_id);
		break;
	case AF_UNIX:
		w->need |= H_UN;
		plen = a->len > offsetof(struct sockaddr_un, sun_path) ?
		    a->len - offsetof(struct sockaddr_un, sun_path) : 0;
		path = ((const struct sockaddr_un *)(const void *)&a->ss)->
		    sun_path;
		/* The literal's own NUL ends a path: no \000 to write. */
		c_str(&lit, path, plen > 0 && path[plen - 1] == '\0' &&
		    memchr(path, '\0', plen) == path + plen - 1 ? plen - 1 :
		    plen, 2);
		/* A careful server removes the file an earlier run left. */
		if (i < log_nrecs && log_recs[i].rec.call == CALL_BIND &&
		    plen > 0 && path[0] != '\0')
			line(w, 1, "(void)unlink(%s);", buf_str(&lit));
		line(w, 1, "salen = un(&sa, %s, %zu);", buf_str(&lit), plen);
		break;
	default:
		line(w, 1, "salen = 0;	/* family %d: not exported */",
		    a->ss.ss_family);
	}
	buf_adds(arg, "(struct sockaddr *)&sa, salen");
	buf_free(&port);
	buf_free(&lit);
}

/* What the session asserted about received data, after a success. */
static void
data_checks(struct cw *w, const struct xexpect *xe, const char *call,
    const char *p, struct buf *ok, int ret)
{
	if (xe->have_data) {
		w->need |= H_CHECKDATA;
		buf_printf(ok, "\ncheck_data(\"%s\", %s, n, ", call, p);
		c_str(ok, xe->data.data != NULL ? xe->data.data : "",
		    xe->data.len, 2);
		buf_printf(ok, ", %zu);", xe->data.len);
	}
	if (ret && xe->have_ret) {
		w->need |= H_CHECKRET;
		buf_printf(ok, "\ncheck_ret(\"%s\", n, %ld);", call, xe->ret);
	}
}

/*
 * expect ret N after the step whose last call is r: its return, kept in n
 * (inited tells e already keeps it), is compared after a success. A new fd
 * is a number the kernel picks afresh each run, so it is left unchecked.
 */
static void
c_want_ret(struct cw *w, const struct call_rec *r, const struct xexpect *xe,
    struct buf *e, struct buf *ok, const char *call, int inited)
{
	struct buf	t = { 0 };

	switch (export_ret_kind(r)) {
	case XR_FD:
		line(w, 1, "/* expect ret %ld: a new fd, which differs from run "
		    "to run */", xe->ret);
		return;
	case XR_NONE:
		if (r->flags & CF_CONNRESULT)
			line(w, 1, "/* expect ret %ld: the connect succeeded, as "
			    "checked */", xe->ret);
		else
			line(w, 1, "/* expect ret %ld: not a return this program "
			    "sees */", xe->ret);
		return;
	case XR_VALUE:
		break;
	}
	w->decl |= D_N;
	w->need |= H_CHECKRET;
	if (!inited) {
		buf_printf(&t, "(n = %s)", buf_str(e));
		buf_reset(e);
		buf_add(e, t.data, t.len);
		buf_free(&t);
	}
	if (ok->len > 0)
		buf_addc(ok, '\n');
	buf_printf(ok, "check_ret(\"%s\", n, %ld);", call, xe->ret);
}

/* A call returning -1 on failure, its expect ret N, and its check. */
static void
c_call(struct cw *w, const struct call_rec *r, const struct xexpect *xe,
    int want, struct buf *e, struct buf *ok, const char *call, enum xcheck c,
    int err)
{
	if (want)
		c_want_ret(w, r, xe, e, ok, call, 0);
	check_call(w, buf_str(e), call, c, err, ok->len > 0 ? buf_str(ok) :
	    NULL);
}

/* An IPv4 address as a C initialiser: htonl(0x7f000001). */
static void
c_inaddr(struct buf *b, const struct in_addr *a)
{
	buf_printf(b, "htonl(%#lx)", (unsigned long)ntohl(a->s_addr));
}

/* An interface index, by name when it has one. */
static void
c_ifindex(struct buf *b, unsigned idx)
{
	char	name[IF_NAMESIZE];

	if (idx != 0 && if_indextoname(idx, name) != NULL)
		buf_printf(b, "if_nametoindex(\"%s\")", name);
	else
		buf_printf(b, "%u", idx);
}

/*
 * A setsockopt's value and length, "&optval, sizeof optval", with any
 * statement that fills it first. Returns 0, or -1 when it has none.
 */
static int
c_optval(struct cw *w, const struct call_rec *r, struct buf *a)
{
	const struct sockopt	*o = r->opt;
	const unsigned char	*m6;
	int			 k;

	switch (o->kind) {
	case OPT_LINGER:
		w->decl |= D_LINGER;
		line(w, 1, "lg.l_onoff = %d;\n\tlg.l_linger = %d;",
		    r->val.l.l_onoff, r->val.l.l_linger);
		buf_adds(a, "&lg, sizeof lg");
		return 0;
	case OPT_TIMEVAL:
		w->decl |= D_TV;
		line(w, 1, "tv.tv_sec = %ld;\n\ttv.tv_usec = %ld;",
		    (long)r->val.tv.tv_sec, (long)r->val.tv.tv_usec);
		buf_adds(a, "&tv, sizeof tv");
		return 0;
	case OPT_STRING:
		c_str(a, r->val.str, r->vallen, 2);
		buf_printf(a, ", %u", (unsigned)r->vallen);
		return 0;
	case OPT_MREQ:
		if (r->vallen >= sizeof(struct ip_mreqn)) {
			buf_adds(a, "&(struct ip_mreqn){ .imr_multiaddr.s_addr = ");
			c_inaddr(a, &r->val.mreq.imr_multiaddr);
			buf_adds(a, ", .imr_address.s_addr = ");
			c_inaddr(a, &r->val.mreq.imr_address);
			buf_adds(a, ", .imr_ifindex = (int)");
			c_ifindex(a, (unsigned)r->val.mreq.imr_ifindex);
			buf_adds(a, " }, sizeof(struct ip_mreqn)");
		} else {
			buf_adds(a, "&(struct ip_mreq){ .imr_multiaddr.s_addr = ");
			c_inaddr(a, &r->val.mreq.imr_multiaddr);
			buf_adds(a, ", .imr_interface.s_addr = ");
			c_inaddr(a, &r->val.mreq.imr_address);
			buf_adds(a, " }, sizeof(struct ip_mreq)");
		}
		return 0;
	case OPT_MREQ6:
		m6 = r->val.mreq6.ipv6mr_multiaddr.s6_addr;
		buf_adds(a, "&(struct ipv6_mreq){ .ipv6mr_multiaddr.s6_addr = {");
		for (k = 0; k < 16; k++)
			buf_printf(a, "%s%#x", k ? ", " : " ", m6[k]);
		buf_adds(a, " }, .ipv6mr_interface = ");
		c_ifindex(a, r->val.mreq6.ipv6mr_interface);
		buf_adds(a, " }, sizeof(struct ipv6_mreq)");
		return 0;
	case OPT_INADDR:
		buf_adds(a, "&(struct in_addr){ .s_addr = ");
		c_inaddr(a, &r->val.in);
		buf_adds(a, " }, sizeof(struct in_addr)");
		return 0;
	case OPT_IFINDEX:
		w->decl |= D_OPT;
		buf_adds(a, "optval = (int)");
		c_ifindex(a, (unsigned)r->val.i);
		line(w, 1, "%s;", buf_str(a));
		buf_reset(a);
		buf_adds(a, "&optval, sizeof optval");
		return 0;
	case OPT_RAW:
		if (r->vallen != sizeof(int)) {
			c_str(a, (const char *)r->val.raw, r->vallen, 2);
			buf_printf(a, ", %u", (unsigned)r->vallen);
			return 0;
		}
		/* FALLTHROUGH */
	case OPT_INT:
	case OPT_BOOL:
		w->decl |= D_OPT;
		line(w, 1, "optval = %d;", r->val.i);
		buf_adds(a, "&optval, sizeof optval");
		return 0;
	default:
		return -1;
	}
}

/*
 * sendmsg of record i: the fds it passed into txfds (the variables they
 * are now), and whether it sent credentials; the call into e.
 */
static void
c_sendmsg(struct cw *w, size_t i, const char *S, struct buf *e,
    struct buf *ok)
{
	const struct call_rec	*r = &log_recs[i].rec;
	union ctlbuf		 u;
	size_t			 ctllen = export_ctl(i, &u);
	const char		*d = log_rec_data(&log_recs[i]);
	struct msghdr		 m;
	struct cmsghdr		*c;
	size_t			 k, nfd;
	int			 fd, nfds = 0, creds = 0;

	w->decl |= D_N;
	w->need |= H_SENDMSG | H_SENT;
	memset(&m, 0, sizeof m);
	m.msg_control = u.b;
	m.msg_controllen = ctllen;
	for (c = ctllen > 0 ? CMSG_FIRSTHDR(&m) : NULL; c != NULL;
	    c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type ==
		    SCM_CREDENTIALS)
			creds = 1;
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < nfd && nfds < RX_MAX; k++) {
			memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd);
			w->decl |= D_TXFDS;
			line(w, 1, "txfds[%d] = %s;", nfds++, export_name(w->x,
			    export_fd_seq(w->x, fd)));
		}
	}
	buf_printf(e, "(n = send_msg(%s, ", S);
	c_str(e, d != NULL ? d : "", d != NULL ? r->len : 0, 2);
	buf_printf(e, ", %zu, %s, %d, %d, ", r->len, nfds > 0 ? "txfds" :
	    "NULL", nfds, creds);
	flags_format(e, msgflag_names, r->arg);
	buf_adds(e, "))");
	buf_printf(ok, "sent(\"sendmsg\", n, %zu);", r->len);
}

/* A string literal, or NULL. */
static void
c_strz(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_adds(b, "NULL");
	else
		c_str(b, s, strlen(s), 2);
}

/*
 * getaddrinfo and getnameinfo return an EAI_ code, not -1 and errno: the
 * check compares the code with what the session saw.
 */
static void
c_gai(struct cw *w, const char *expr, const char *call, enum xcheck c,
    int err, const char *ok)
{
	switch (c) {
	case XC_ERRNO:
		if (IS_EAI_ERR(err)) {
			w->need |= H_UNEXPECTED;
			line(w, 1, "if ((gai = %s) != %s)", expr,
			    errno_name(err));
			line(w, 2, "unexpected(\"%s\", \"%s\");", call,
			    errno_name(err));
			return;
		}
		/* FALLTHROUGH */
	case XC_FAIL:
		w->need |= H_UNEXPECTED;
		line(w, 1, "if ((gai = %s) == 0)", expr);
		line(w, 2, "unexpected(\"%s\", \"a failure\");", call);
		return;
	case XC_TOLERATE:
		line(w, 1, "if ((gai = %s) != 0)", expr);
		line(w, 2, "fprintf(stderr, \"%s: %%s (as in the session)\\n\", "
		    "gai_strerror(gai));", call);
		if (ok != NULL) {
			line(w, 1, "else {");
			line(w, 2, "%s", ok);
			line(w, 1, "}");
		}
		return;
	default:
		w->need |= H_GAIFAIL;
		line(w, 1, "if ((gai = %s) != 0)", expr);
		line(w, 2, "gai_fail(\"%s\", gai);", call);
		if (ok != NULL)
			line(w, 1, "%s", ok);
	}
}

/*
 * Names, event loops, sendfile, dup and unlink. What the calls answer
 * goes to stderr, as sockrepl's trace shows it; received data alone goes
 * to stdout.
 */
static void
c_rec_more(struct cw *w, size_t step, size_t i, const struct xexpect *xe,
    enum xcheck c, int err, int want)
{
	const struct log_step	*st = &log_steps[step];
	const struct call_rec	*r = &log_recs[i].rec;
	const char		*S = r->seq != 0 ? export_name(w->x, r->seq) :
				    "", *call = call_name(r->call);
	const struct pollfd	*pfd = log_rec_pfd(&log_recs[i]);
	struct buf		 e = { 0 }, ok = { 0 }, a = { 0 }, t = { 0 };
	char			 t1[24];
	size_t			 j;

	switch (r->call) {
	case CALL_GETADDRINFO:
		w->decl |= D_GAI;
		w->need |= H_SHOWAI;
		line(w, 1, "memset(&hints, 0, sizeof hints);");
		line(w, 1, "hints.ai_family = %s;", cname(family_names,
		    r->family, t1, sizeof t1));
		if (r->type != 0)
			line(w, 1, "hints.ai_socktype = %s;", cname(type_names,
			    r->type, t1, sizeof t1));
		if (r->protocol != 0)
			line(w, 1, "hints.ai_protocol = %s;", cname(proto_names,
			    r->protocol, t1, sizeof t1));
		if (r->arg != 0) {
			flags_format(&t, ai_flag_names, r->arg);
			line(w, 1, "hints.ai_flags = %s;", buf_str(&t));
		}
		buf_adds(&e, "getaddrinfo(");
		c_strz(&e, r->text);
		buf_adds(&e, ", ");
		c_strz(&e, r->text2);
		buf_adds(&e, ", &hints, &res)");
		c_gai(w, buf_str(&e), call, c, err,
		    "show_ai(res);\n\tfreeaddrinfo(res);");
		break;
	case CALL_GETNAMEINFO:
		w->decl |= D_GAI | D_NAMES;
		c_addr(w, i, &r->addr, &a);
		flags_format(&t, ni_flag_names, r->arg);
		buf_printf(&e, "getnameinfo(%s, host, sizeof host, serv, "
		    "sizeof serv, %s)", buf_str(&a), buf_str(&t));
		c_gai(w, buf_str(&e), call, c, err, "fprintf(stderr, "
		    "\"getnameinfo: %s %s\\n\", host, serv);");
		break;
	case CALL_GETHOSTNAME:
		w->decl |= D_NAMES;
		buf_adds(&ok, "fprintf(stderr, \"gethostname: %s\\n\", host);");
		buf_adds(&e, "gethostname(host, sizeof host)");
		c_call(w, r, xe, want, &e, &ok, call, c, err);
		break;
	case CALL_GETSERVBYNAME:
	case CALL_GETSERVBYPORT:
		if (r->call == CALL_GETSERVBYNAME) {
			buf_adds(&e, "getservbyname(");
			c_strz(&e, r->text);
		} else
			buf_printf(&e, "getservbyport(htons(%d)", r->arg);
		buf_adds(&e, ", ");
		c_strz(&e, r->text2);
		buf_adds(&e, ")");
		w->need |= r->ret < 0 ? H_UNEXPECTED : H_FAIL;
		if (r->ret < 0) {
			line(w, 1, "if (%s != NULL)", buf_str(&e));
			line(w, 2, "unexpected(\"%s\", \"not found\");",
			    call);
		} else {
			line(w, 1, "if (%s == NULL)", buf_str(&e));
			line(w, 2, "fail(\"%s\");", call);
		}
		break;
	case CALL_SELECT:
		w->decl |= D_SEL | D_N;
		line(w, 1, "FD_ZERO(&rd);");
		line(w, 1, "FD_ZERO(&wr);");
		line(w, 1, "FD_ZERO(&ex);");
		line(w, 1, "nfds = 0;");
		for (j = 0; pfd != NULL && (int)j < r->nfds; j++) {
			buf_reset(&t);
			export_fd_name(w->x, &t, pfd[j].fd, export_fd_seq(w->x, pfd[j].fd));
			if (pfd[j].events & POLLIN)
				line(w, 1, "FD_SET(%s, &rd);", buf_str(&t));
			if (pfd[j].events & POLLOUT)
				line(w, 1, "FD_SET(%s, &wr);", buf_str(&t));
			if (pfd[j].events & POLLPRI)
				line(w, 1, "FD_SET(%s, &ex);", buf_str(&t));
			line(w, 1, "if (%s >= nfds)", buf_str(&t));
			line(w, 2, "nfds = %s + 1;", buf_str(&t));
		}
		if (r->timeout_ms >= 0) {
			line(w, 1, "stv.tv_sec = %d;", r->timeout_ms / 1000);
			line(w, 1, "stv.tv_usec = %d;", r->timeout_ms % 1000 *
			    1000);
		}
		buf_printf(&e, "(n = select(nfds, &rd, &wr, &ex, %s))",
		    r->timeout_ms >= 0 ? "&stv" : "NULL");
		buf_adds(&ok, "fprintf(stderr, \"select: %zd ready\\n\", n);");
		c_call(w, r, xe, want, &e, &ok, call, c, err);
		break;
	case CALL_EPOLL_CREATE:
		buf_printf(&e, "(%s = epoll_create1(EPOLL_CLOEXEC))", S);
		c_call(w, r, xe, want, &e, &ok, "epoll_create1", c, err);
		break;
	case CALL_EPOLL_CTL:
		w->decl |= D_EV;
		export_fd_name(w->x, &t, r->fd2, r->seq2);
		flags_format(&a, epoll_names, (int)r->arg2);
		line(w, 1, "memset(&ev, 0, sizeof ev);");
		if (r->arg != EPOLL_CTL_DEL)
			line(w, 1, "ev.events = %s;", buf_str(&a));
		line(w, 1, "ev.data.fd = %s;", buf_str(&t));
		buf_printf(&e, "epoll_ctl(%s, %s, %s, &ev)", S,
		    name_of(epoll_op_names, r->arg), buf_str(&t));
		c_call(w, r, xe, want, &e, &ok, call, c, err);
		break;
	case CALL_EPOLL_WAIT:
		w->decl |= D_EV | D_N;
		buf_printf(&e, "(n = epoll_wait(%s, evs, %d, %d))", S,
		    r->arg > 64 ? 64 : r->arg, r->timeout_ms);
		buf_adds(&ok, "for (k = 0; k < n; k++)\n\tfprintf(stderr, "
		    "\"epoll_wait: fd %d events %#x\\n\", evs[k].data.fd,\n"
		    "\t    (unsigned)evs[k].events);");
		c_call(w, r, xe, want, &e, &ok, call, c, err);
		break;
	case CALL_SENDFILE:
		w->decl |= D_N;
		/* Without COUNT the step is a loop: one helper for it all. */
		if (st->argc < 3) {
			for (j = st->first; j < i; j++)
				if (log_recs[j].rec.call == CALL_SENDFILE)
					goto out;
			w->need |= H_SFALL;
			buf_adds(&e, "(n = sendfile_all(");
			buf_printf(&e, "%s, ", S);
			c_strz(&e, r->text);
			buf_printf(&e, ", %ld))", r->arg2);
			c_call(w, r, xe, 0, &e, &ok, call, c, err);
			break;
		}
		w->decl |= D_OFF;
		w->need |= H_FAIL;
		buf_adds(&t, "ffd = open(");
		c_strz(&t, r->text);
		line(w, 1, "if ((%s, O_RDONLY)) == -1)", buf_str(&t));
		line(w, 2, "fail(\"open\");");
		line(w, 1, "off = %ld;", r->arg2);
		buf_printf(&e, "(n = sendfile(%s, ffd, &off, %zu))", S, r->len);
		buf_adds(&ok, "close(ffd);");
		c_call(w, r, xe, want, &e, &ok, call, c, err);
		break;
	case CALL_DUP:
		if (r->ret >= 0)
			buf_printf(&e, "(%s = dup(%s))", export_name(w->x,
			    r->new_seq), S);
		else
			buf_printf(&e, "dup(%s)", S);
		c_call(w, r, xe, want, &e, &ok, call, c, err);
		break;
	case CALL_UNLINK:
		buf_adds(&e, "unlink(");
		c_strz(&e, r->text);
		buf_adds(&e, ")");
		c_call(w, r, xe, want, &e, &ok, call, c, err);
		break;
	default:
		break;
	}
out:
	buf_free(&e);
	buf_free(&ok);
	buf_free(&a);
	buf_free(&t);
}

/*
 * How long an OpenSSL call on r's socket may wait, as export_timeout_ms
 * says: the step's timeout when the call is on the step's socket.
 */
static int
c_tls_ms(size_t step, const struct call_rec *r)
{
	const struct log_step	*st = &log_steps[step];

	return r->seq == st->seq ? export_timeout_ms(export_step_timeout(st)) :
	    -1;
}

/* The socket's TLS state in w->ssl; it is declared from now on. */
static unsigned char *
ssl_state(struct cw *w, uint64_t seq)
{
	static unsigned char	 none;
	struct xsock		*s = export_sock(w->x, seq);

	if (s == NULL || w->ssl == NULL) {
		none = 0;
		return &none;
	}
	w->ssl[s - w->x->socks] |= SSL_ON;
	return &w->ssl[s - w->x->socks];
}

/* Whether the socket seq has a TLS connection now. */
static int
c_tls_live(struct cw *w, uint64_t seq)
{
	struct xsock	*s = export_sock(w->x, seq);

	return s != NULL && w->ssl != NULL &&
	    (w->ssl[s - w->x->socks] & SSL_LIVE);
}

/* A set-up call that returns 1 when it works. */
static void
tls_check1(struct cw *w, const char *expr, const char *call)
{
	w->need |= H_TLSFAIL;
	line(w, 1, "if (%s != 1)", expr);
	line(w, 2, "tls_fail(\"%s\");", call);
}

/* The version named in "SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)". */
static void
tls_version(const char *t, size_t n, struct buf *b)
{
	const char	*p = memmem(t, n, "TLS1", 4), *q;

	if (p == NULL)
		p = "0";
	for (q = p; *q != '\0' && *q != ')'; q++)
		;
	buf_add(b, p, (size_t)(q - p));
}

/*
 * The set-up calls written as the trace shows them: on the context or the
 * connection, with the quoted argument (a path, a name) or none, then the
 * rest. Each returns 1 when it works.
 */
static const struct tls_call {
	const char	*call;
	int		 ssl;		/* on S_ssl, not S_ctx */
	int		 path;		/* a quoted argument follows */
	const char	*tail;
} tls_calls[] = {
	{ "SSL_CTX_use_certificate_chain_file", 0, 1, ")" },
	{ "SSL_CTX_use_PrivateKey_file", 0, 1, ",\n\t    SSL_FILETYPE_PEM)" },
	{ "SSL_CTX_check_private_key", 0, 0, ")" },
	{ "SSL_CTX_load_verify_locations", 0, 1, ", NULL)" },
	{ "SSL_CTX_set_default_verify_paths", 0, 0, ")" },
	{ "SSL_set_tlsext_host_name", 1, 1, ")" },
	{ "SSL_set1_host", 1, 1, ")" },
	{ NULL, 0, 0, NULL }
};

/* The entry of tls_calls the set-up text t (n bytes) is a call of. */
static const struct tls_call *
tls_setup_call(const char *t, size_t n)
{
	const struct tls_call	*c;
	size_t			 k;

	for (c = tls_calls; c->call != NULL; c++) {
		k = strlen(c->call);
		if (n > k && strncmp(t, c->call, k) == 0 && t[k] == '(')
			return c;
	}
	return NULL;
}

/*
 * The OpenSSL calls starttls made to set up, as the trace shows them,
 * written again with S's own context and connection: S_ctx, S_ssl.
 * export refuses a session whose TLS set-up failed, so each of them
 * worked; -selfsigned's calls become one selfsigned() that makes them.
 */
static void
c_tls_setup(struct cw *w, size_t i, const char *S)
{
	const struct call_rec	*r = &log_recs[i].rec;
	const char		*d = log_rec_data(&log_recs[i]);
	const char		*t = d != NULL ? d : "";
	size_t			 n = d != NULL ? r->len : 0, k;
	unsigned char		*st = ssl_state(w, r->seq);
	const struct tls_call	*c;
	const char		*p;
	struct buf		 e = { 0 }, q = { 0 };

#define IS(name)	(n >= sizeof(name) - 1 && \
			    strncmp(t, name, sizeof(name) - 1) == 0)
	w->need |= H_TLSFAIL;
	if (IS("SSL_CTX_new(")) {
		if (*st & SSL_LIVE) {
			line(w, 1, "SSL_free(%s_ssl);", S);
			line(w, 1, "SSL_CTX_free(%s_ctx);", S);
		}
		*st |= SSL_LIVE;
		line(w, 1, "if ((%s_ctx = SSL_CTX_new(%s())) == NULL)", S,
		    memmem(t, n, "server", 6) != NULL ? "TLS_server_method" :
		    "TLS_client_method");
		line(w, 2, "tls_fail(\"SSL_CTX_new\");");
		/* tls.c sets it without a record; the program needs it too. */
		line(w, 1, "/* SSL_write may send part, as send does. */");
		line(w, 1, "SSL_CTX_set_mode(%s_ctx, SSL_MODE_ENABLE_PARTIAL_WRITE "
		    "|", S);
		line(w, 1, "    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);");
	} else if (IS("EVP_EC_gen(") || IS("SSL_CTX_use_certificate(") ||
	    IS("SSL_CTX_use_PrivateKey(")) {
		/* -selfsigned: selfsigned() below makes these. */
	} else if (IS("X509_sign(") && (p = memmem(t, n, "CN=", 3)) != NULL) {
		/* "X509_sign(x509 {CN=NAME, DNS:NAME..., 30 days}, ...)" */
		p += 3;
		for (k = 0; p + k < t + n && p[k] != ','; k++)
			;
		w->need |= H_SELFSIGNED;
		buf_printf(&e, "selfsigned(%s_ctx, ", S);
		c_str(&e, p, k, 2);
		buf_adds(&e, ")");
		tls_check1(w, buf_str(&e), "selfsigned");
	} else if (IS("SSL_CTX_set_min_proto_version(") ||
	    IS("SSL_CTX_set_max_proto_version(")) {
		tls_version(t, n, &q);
		line(w, 1, "if (!SSL_CTX_set_%s_proto_version(%s_ctx, %s))",
		    IS("SSL_CTX_set_min") ? "min" : "max", S, buf_str(&q));
		line(w, 2, "tls_fail(\"SSL_CTX_set_%s_proto_version\");",
		    IS("SSL_CTX_set_min") ? "min" : "max");
	} else if (IS("SSL_CTX_set_verify(")) {
		line(w, 1, "SSL_CTX_set_verify(%s_ctx, %s, NULL);", S,
		    memmem(t, n, "SSL_VERIFY_NONE", 15) != NULL ?
		    "SSL_VERIFY_NONE" : "SSL_VERIFY_PEER");
	} else if (IS("SSL_CTX_set_alpn_protos(") &&
	    export_tls_arg(t, n, &q)) {
		w->need |= H_ALPN;
		buf_adds(&e, "alpn_wire(");
		c_str(&e, q.data, q.len, 2);
		buf_adds(&e, ")");
		/* This one returns 0 when it works. */
		line(w, 1, "if (%s == 0 ||", buf_str(&e));
		line(w, 1, "    SSL_CTX_set_alpn_protos(%s_ctx, alpn_list, "
		    "alpn_len) != 0)", S);
		line(w, 2, "tls_fail(\"SSL_CTX_set_alpn_protos\");");
	} else if (IS("SSL_CTX_set_alpn_select_cb(") &&
	    export_tls_arg(t, n, &q)) {
		w->need |= H_ALPNSEL;
		buf_adds(&e, "alpn_wire(");
		c_str(&e, q.data, q.len, 2);
		buf_adds(&e, ")");
		line(w, 1, "if (%s == 0)", buf_str(&e));
		line(w, 2, "tls_fail(\"alpn_wire\");");
		line(w, 1, "SSL_CTX_set_alpn_select_cb(%s_ctx, alpn_select, "
		    "NULL);", S);
	} else if (IS("SSL_new(")) {
		line(w, 1, "if ((%s_ssl = SSL_new(%s_ctx)) == NULL)", S, S);
		line(w, 2, "tls_fail(\"SSL_new\");");
	} else if (IS("SSL_set_fd(")) {
		buf_printf(&e, "SSL_set_fd(%s_ssl, %s)", S, S);
		tls_check1(w, buf_str(&e), "SSL_set_fd");
	} else if ((c = tls_setup_call(t, n)) != NULL &&
	    (!c->path || export_tls_arg(t, n, &q))) {
		buf_printf(&e, "%s(%s_%s", c->call, S, c->ssl ? "ssl" : "ctx");
		if (c->path) {
			buf_adds(&e, ", ");
			c_str(&e, q.data, q.len, 2);
		}
		buf_adds(&e, c->tail);
		tls_check1(w, buf_str(&e), c->call);
	} else if (IS("X509_VERIFY_PARAM_set1_ip_asc(") &&
	    export_tls_arg(t, n, &q)) {
		buf_printf(&e, "X509_VERIFY_PARAM_set1_ip_asc(\n\t    "
		    "SSL_get0_param(%s_ssl), ", S);
		c_str(&e, q.data, q.len, 2);
		buf_adds(&e, ")");
		tls_check1(w, buf_str(&e), "X509_VERIFY_PARAM_set1_ip_asc");
	} else {
		for (k = 0; k < n && t[k] != '('; k++)
			;
		line(w, 1, "/* %.*s: not exported */", (int)k, t);
	}
#undef IS
	buf_free(&e);
	buf_free(&q);
}

/* The handshake and close_notify: the helpers loop as starttls does. */
static void
c_tls(struct cw *w, size_t step, size_t i, enum xcheck c, int err)
{
	const struct call_rec	*r = &log_recs[i].rec;
	const char		*S = export_name(w->x, r->seq);
	struct buf		 e = { 0 }, ok = { 0 };

	switch (r->call) {
	case CALL_SSL_SETUP:
		c_tls_setup(w, i, S);
		break;
	case CALL_SSL_CONNECT:
	case CALL_SSL_ACCEPT:
		(void)ssl_state(w, r->seq);
		w->need |= H_TLSIO;
		buf_printf(&e, "tls_handshake(%s_ssl, %d, %d)", S,
		    r->call == CALL_SSL_ACCEPT, c_tls_ms(step, r));
		if (w->tlsfd) {
			w->need |= H_TLSFD;
			buf_printf(&ok, "tls_use(%s, %s_ssl);", S, S);
		}
		check_call(w, buf_str(&e), call_name(r->call), c, err,
		    ok.len > 0 ? buf_str(&ok) : NULL);
		break;
	case CALL_SSL_SHUTDOWN:
		w->need |= H_TLSSHUT;
		line(w, 1, "tls_shutdown(%s_ssl);", S);
		break;
	default:
		break;
	}
	buf_free(&e);
	buf_free(&ok);
}

static void
c_rec(struct cw *w, size_t step, size_t i, const struct xexpect *xe)
{
	const struct log_step	*st = &log_steps[step];
	const struct call_rec	*r = &log_recs[i].rec;
	const struct sockopt	*o = r->opt;
	struct xsock		*s = export_sock(w->x, r->seq);
	/* A socketpair names its two sockets itself: no use of the first. */
	const char		*S = r->call == CALL_SOCKETPAIR ? "" :
				    export_name(w->x, r->seq), *call, *d;
	const struct pollfd	*pfd;
	struct buf		 e = { 0 }, ok = { 0 }, a = { 0 }, t = { 0 };
	struct buf		 path = { 0 }, len = { 0 };
	char			 t1[24], t2[24], t3[24];
	enum xcheck		 c;
	int			 err, k, want, append;
	long long		 size;

	c = export_rec_check(xe, i, &err);
	call = call_name(r->call);
	want = xe->have_ret && (long)i == xe->ret_rec;
	switch (r->call) {
	case CALL_SSL_SETUP:
	case CALL_SSL_CONNECT:
	case CALL_SSL_ACCEPT:
	case CALL_SSL_SHUTDOWN:
		c_tls(w, step, i, c, err);
		break;
	case CALL_SOCKET:
		buf_printf(&e, "(%s = socket(%s, %s, %s))", S,
		    cname(family_names, r->family, t1, sizeof t1),
		    cname(type_names, r->type, t2, sizeof t2),
		    cname(proto_names, r->protocol, t3, sizeof t3));
		c_call(w, r, xe, want, &e, &ok, "socket", c, err);
		break;
	case CALL_SOCKETPAIR:
		w->decl |= D_SV;
		buf_printf(&e, "socketpair(AF_UNIX, %s, 0, sv)",
		    cname(type_names, r->type, t1, sizeof t1));
		if (r->ret == 0)
			buf_printf(&ok, "%s = sv[0];\n%s = sv[1];",
			    export_name(w->x, r->sv_seq[0]),
			    export_name(w->x, r->sv_seq[1]));
		c_call(w, r, xe, want, &e, &ok, "socketpair", c, err);
		break;
	case CALL_BIND:
	case CALL_CONNECT:
		c_addr(w, i, &r->addr, &a);
		buf_printf(&e, "%s(%s, %s)", call, S, buf_str(&a));
		c_call(w, r, xe, want, &e, &ok, call, c, err);
		break;
	case CALL_LISTEN:
		buf_printf(&e, "listen(%s, %d)", S, r->arg);
		c_call(w, r, xe, want, &e, &ok, "listen", c, err);
		break;
	case CALL_ACCEPT:
		w->decl |= D_SA;
		line(w, 1, "salen = sizeof sa;");
		if (r->ret >= 0)
			buf_printf(&e, "(%s = accept(%s, (struct sockaddr *)"
			    "&sa, &salen))", export_name(w->x, r->new_seq), S);
		else
			buf_printf(&e, "accept(%s, (struct sockaddr *)&sa, "
			    "&salen)", S);
		c_call(w, r, xe, want, &e, &ok, "accept", c, err);
		break;
	case CALL_SEND:
	case CALL_SENDTO:
		w->decl |= D_N;
		w->need |= H_SENT;
		if (r->call == CALL_SENDTO)
			c_addr(w, i, &r->addr, &a);
		if (r->flags & CF_TLS)
			buf_printf(&e, "(n = tls_write(%s_ssl, ", S);
		else
			buf_printf(&e, "(n = %s(%s, ", call, S);
		if (export_step_infile(step, &path)) {
			/* < FILE: the file as it is when the program runs. */
			w->need |= H_LOAD;
			w->decl |= D_FBUF;
			buf_adds(&t, "flen = load(");
			c_str(&t, path.data, path.len, 2);
			line(w, 1, "%s, fbuf, %d);", buf_str(&t), DATA_CHUNK);
			for (d = st->cmd == &cmd_sendline_entry ?
			    export_send_suffix(i, r->len) : ""; *d != '\0'; d++)
				line(w, 1, "fbuf[flen++] = '%s';", *d == '\r' ?
				    "\\r" : "\\n");
			buf_adds(&e, "fbuf");
			buf_adds(&len, "flen");
		} else {
			if (log_rec_data(&log_recs[i]) != NULL)
				c_str(&e, log_rec_data(&log_recs[i]), r->len,
				    2);
			else
				buf_adds(&e, "\"\"");
			buf_printf(&len, "%zu", r->len);
		}
		if (r->flags & CF_TLS) {
			/* SSL_write takes no flags: SIGPIPE is ignored. */
			w->need |= H_TLSWRITE;
			call = "SSL_write";
			buf_printf(&e, ", %s, %d))", buf_str(&len),
			    c_tls_ms(step, r));
		} else {
			buf_printf(&e, ", %s, ", buf_str(&len));
			flags_format(&e, msgflag_names, r->arg);
			if (r->call == CALL_SENDTO)
				buf_printf(&e, ", %s", buf_str(&a));
			buf_adds(&e, "))");
		}
		/* The kernel may take fewer bytes: say so, as sockrepl does. */
		buf_printf(&ok, "sent(\"%s\", n, %s);", call, buf_str(&len));
		if (want)
			c_want_ret(w, r, xe, &e, &ok, call, 1);
		check_call(w, buf_str(&e), call, c, err, buf_str(&ok));
		break;
	case CALL_RECV:
	case CALL_BUFFERED:
	case CALL_RECVFROM:
		w->decl |= D_N | D_BUF;
		size = (long long)r->len;
		k = r->arg;
		if (r->call == CALL_BUFFERED)
			export_recv_words(step, &size, &k);
		if (size > (long long)w->x->maxrecv)
			w->x->maxrecv = (size_t)size;
		if (r->call == CALL_RECVFROM && s != NULL && s->peer_var) {
			line(w, 1, "%s_peerlen = sizeof %s_peer;", S, S);
			buf_printf(&e, "(n = recvfrom(%s, buf, %lld, ", S,
			    size);
			flags_format(&e, msgflag_names, k);
			buf_printf(&e, ", (struct sockaddr *)&%s_peer, "
			    "&%s_peerlen))", S, S);
		} else if (r->call == CALL_RECVFROM) {
			w->decl |= D_FROM;
			line(w, 1, "fromlen = sizeof from;");
			buf_printf(&e, "(n = recvfrom(%s, buf, %lld, ", S,
			    size);
			flags_format(&e, msgflag_names, k);
			buf_adds(&e, ", (struct sockaddr *)&from, &fromlen))");
		} else if (s != NULL && s->inbuf) {
			w->need |= H_RECVBUF;
			buf_printf(&e, "(n = recv_buffered(%s, &%s_in, buf, "
			    "%lld, ", S, S, size);
			flags_format(&e, msgflag_names, k);
			if (w->tlsfd)
				buf_printf(&e, ", %d", c_tls_ms(step, r));
			buf_adds(&e, "))");
		} else if (r->flags & CF_TLS) {
			w->need |= H_TLSREAD;
			buf_printf(&e, "(n = tls_read(%s_ssl, buf, %lld, ", S,
			    size);
			flags_format(&e, msgflag_names, k);
			buf_printf(&e, ", %d))", c_tls_ms(step, r));
		} else {
			buf_printf(&e, "(n = recv(%s, buf, %lld, ", S, size);
			flags_format(&e, msgflag_names, k);
			buf_adds(&e, "))");
		}
		if ((append = export_step_redir(step, &path)) >= 0) {
			/* > FILE, >> FILE: the bytes go to the file. */
			w->need |= H_SAVE;
			buf_adds(&ok, "save(");
			c_str(&ok, path.data, path.len, 2);
			buf_printf(&ok, ", %d, buf, n);", append);
		} else {
			w->need |= H_SHOW;
			buf_adds(&ok, "show(buf, n);");
		}
		call = r->call == CALL_RECVFROM ? "recvfrom" : (r->flags &
		    CF_TLS) ? "SSL_read" : "recv";
		data_checks(w, xe, call, "buf", &ok, 0);
		if (want)
			c_want_ret(w, r, xe, &e, &ok, call, 1);
		check_call(w, buf_str(&e), call, c, err, buf_str(&ok));
		break;
	case CALL_SETSOCKOPT:
	case CALL_GETSOCKOPT:
		if (o == NULL) {
			line(w, 1, "/* %s: the option is not known */", call);
			break;
		}
		if (o->kind == OPT_RAW)
			buf_printf(&t, "%s, %ld", cname(level_names, r->arg, t1,
			    sizeof t1), r->arg2);
		else
			buf_printf(&t, "%s, %s", cname(level_names, o->level,
			    t1, sizeof t1), o->name);
		if (r->call == CALL_SETSOCKOPT && c_optval(w, r, &a) == 0) {
			buf_printf(&e, "setsockopt(%s, %s, %s)", S, buf_str(&t),
			    buf_str(&a));
			c_call(w, r, xe, want, &e, &ok, "setsockopt", c, err);
			break;
		}
		if (r->call == CALL_SETSOCKOPT)
			break;
		if (o->kind == OPT_LINGER) {
			w->decl |= D_LINGER;
			buf_adds(&a, "lg");
		} else if (o->kind == OPT_TIMEVAL) {
			w->decl |= D_TV;
			buf_adds(&a, "tv");
		} else if (o->kind == OPT_UCRED) {
			w->decl |= D_CRED;
			buf_adds(&a, "cred");
		} else if (o->kind == OPT_TCPINFO) {
			w->decl |= D_TCPINFO;
			buf_adds(&a, "ti");
		} else if (o->kind == OPT_INT || o->kind == OPT_BOOL ||
		    o->kind == OPT_ERRNO || o->kind == OPT_SOCKTYPE ||
		    o->kind == OPT_FAMILY || o->kind == OPT_PROTO ||
		    o->kind == OPT_IFINDEX || (o->kind == OPT_RAW &&
		    r->vallen == sizeof(int) && !(r->flags & CF_RAWLEN))) {
			w->decl |= D_OPT;
			buf_adds(&a, "optval");
		} else {
			w->decl |= D_OPTBUF;
			buf_adds(&a, "optbuf");
		}
		w->decl |= D_OPTLEN;
		if (!strcmp(buf_str(&a), "optbuf"))
			line(w, 1, "optlen = %u;", (unsigned)(o->kind == OPT_RAW ?
			    r->vallen : OPTVAL_MAX));
		else
			line(w, 1, "optlen = sizeof %s;", buf_str(&a));
		buf_printf(&e, "getsockopt(%s, %s, &%s, &optlen)", S,
		    buf_str(&t), buf_str(&a));
		if (r->flags & CF_CONNRESULT) {
			/* How the connect ended: its errno, or 0. */
			check_call(w, buf_str(&e), "getsockopt", XC_OK, 0,
			    NULL);
			check(w, "(errno = optval) != 0", "(errno = optval) == 0",
			    "connect", c, err, NULL);
			if (want)
				c_want_ret(w, r, xe, &e, &ok, "connect", 1);
			break;
		}
		if (o->kind == OPT_LINGER)
			buf_printf(&ok, "fprintf(stderr, \"%s: l_onoff=%%d "
			    "l_linger=%%d\\n\", lg.l_onoff, lg.l_linger);",
			    o->name);
		else if (o->kind == OPT_TIMEVAL)
			buf_printf(&ok, "fprintf(stderr, \"%s: %%ld.%%06ld "
			    "s\\n\", (long)tv.tv_sec, (long)tv.tv_usec);",
			    o->name);
		else if (o->kind == OPT_UCRED)
			buf_printf(&ok, "fprintf(stderr, \"%s: pid=%%ld uid=%%ld "
			    "gid=%%ld\\n\", (long)cred.pid, (long)(int)cred.uid, "
			    "(long)(int)cred.gid);", o->name);
		else if (o->kind == OPT_TCPINFO)
			/* The fields sockrepl's trace line shows. */
			buf_adds(&ok, "fprintf(stderr, \"TCP_INFO: tcpi_state=%u "
			    "tcpi_rtt=%u tcpi_snd_cwnd=%u\\n\",\n    "
			    "ti.tcpi_state, ti.tcpi_rtt, ti.tcpi_snd_cwnd);");
		else if (!strcmp(buf_str(&a), "optbuf")) {
			w->need |= H_HEXOUT;
			buf_printf(&ok, "hexout(\"%s\", optbuf, optlen);",
			    o->kind == OPT_RAW ? "getsockopt" : o->name);
		} else
			buf_printf(&ok, "fprintf(stderr, \"%s: %%d\\n\", "
			    "optval);", o->kind == OPT_RAW ? "getsockopt" :
			    o->name);
		c_call(w, r, xe, want, &e, &ok, "getsockopt", c, err);
		break;
	case CALL_GETSOCKNAME:
	case CALL_GETPEERNAME:
		w->decl |= D_SA;
		line(w, 1, "salen = sizeof sa;");
		buf_printf(&e, "%s(%s, (struct sockaddr *)&sa, &salen)", call,
		    S);
		if (w->x->recs[i].used) {
			w->need |= H_PORTOF;
			buf_printf(&ok, "%s_port = port_of(&sa);", S);
		}
		c_call(w, r, xe, want, &e, &ok, call, c, err);
		break;
	case CALL_SHUTDOWN:
		buf_printf(&e, "shutdown(%s, %s)", S, cname(shut_names, r->arg,
		    t1, sizeof t1));
		c_call(w, r, xe, want, &e, &ok, "shutdown", c, err);
		break;
	case CALL_CLOSE:
		if (s != NULL && w->ssl != NULL &&
		    (w->ssl[s - w->x->socks] & SSL_LIVE)) {
			/* The connection's memory; the fd is close's. */
			if (w->tlsfd) {
				w->need |= H_TLSFD;
				line(w, 1, "tls_use(%s, NULL);", S);
			}
			line(w, 1, "SSL_free(%s_ssl);", S);
			line(w, 1, "SSL_CTX_free(%s_ctx);", S);
			w->ssl[s - w->x->socks] &= ~SSL_LIVE;
		}
		buf_printf(&e, "close(%s)", S);
		c_call(w, r, xe, want, &e, &ok, "close", c, err);
		break;
	case CALL_FCNTL:
		w->decl |= D_FL;
		if (r->arg == F_GETFL)
			buf_printf(&e, "(fl = fcntl(%s, F_GETFL))", S);
		else
			buf_printf(&e, "fcntl(%s, F_SETFL, %s)", S,
			    (r->arg2 & O_NONBLOCK) ? "fl | O_NONBLOCK" :
			    "fl & ~O_NONBLOCK");
		c_call(w, r, xe, want, &e, &ok, "fcntl", c, err);
		break;
	case CALL_PPOLL:
		pfd = log_rec_pfd(&log_recs[i]);
		if (pfd == NULL || r->nfds < 1)
			break;
		if ((r->flags & CF_WAIT) && (pfd[0].events & POLLIN) &&
		    c_tls_live(w, export_fd_seq(w->x, pfd[0].fd))) {
			/* A wait for plaintext on a TLS socket. */
			w->need |= H_TLSREADY;
			d = export_name(w->x, export_fd_seq(w->x, pfd[0].fd));
			buf_printf(&e, "!tls_ready(%s_ssl, %d)", d,
			    r->timeout_ms);
			buf_printf(&ok, "tls_ready(%s_ssl, %d)", d,
			    r->timeout_ms);
			check(w, buf_str(&e), buf_str(&ok), st->cmd->name, c,
			    err, NULL);
			break;
		}
		if (r->flags & CF_WAIT) {
			/* The socket's timeout: wait in poll first. */
			w->need |= H_READY;
			poll_events(&t, pfd[0].events);
			buf_printf(&e, "!ready(%s, %s, %d)", export_name(w->x,
			    export_fd_seq(w->x, pfd[0].fd)), buf_str(&t),
			    r->timeout_ms);
			buf_printf(&ok, "ready(%s, %s, %d)", export_name(w->x,
			    export_fd_seq(w->x, pfd[0].fd)), buf_str(&t),
			    r->timeout_ms);
			check(w, buf_str(&e), buf_str(&ok), st->cmd->name, c,
			    err, NULL);
			break;
		}
		/* poll in on a TLS socket: a wait for data (tls_ready). */
		if (r->nfds == 1 && pfd[0].events == POLLIN && !want &&
		    c_tls_live(w, export_fd_seq(w->x, pfd[0].fd))) {
			w->need |= H_TLSREADY;
			d = export_name(w->x, export_fd_seq(w->x, pfd[0].fd));
			k = export_poll_ms(step, r->timeout_ms);
			buf_printf(&e, "!tls_ready(%s_ssl, %d)", d, k);
			buf_printf(&ok, "tls_ready(%s_ssl, %d)", d, k);
			check(w, buf_str(&e), buf_str(&ok), "poll", c, err,
			    NULL);
			break;
		}
		w->need |= H_WAITFOR;
		if (r->nfds > w->npfd)
			w->npfd = r->nfds;
		for (k = 0; k < r->nfds; k++) {
			buf_reset(&t);
			poll_events(&t, pfd[k].events);
			line(w, 1, "pfd[%d].fd = %s;", k, export_name(w->x,
			    export_fd_seq(w->x, pfd[k].fd)));
			line(w, 1, "pfd[%d].events = %s;", k, buf_str(&t));
		}
		/* $ret is how many are ready. */
		if (want) {
			buf_printf(&e, "(n = wait_for(pfd, %d, %d)) == 0",
			    r->nfds, r->timeout_ms);
			buf_adds(&ok, "n != 0");
			/* len is free here: the line that checks $ret. */
			c_want_ret(w, r, xe, &e, &len, "poll", 1);
		} else {
			buf_printf(&e, "wait_for(pfd, %d, %d) == 0", r->nfds,
			    r->timeout_ms);
			buf_printf(&ok, "wait_for(pfd, %d, %d) != 0", r->nfds,
			    r->timeout_ms);
		}
		check(w, buf_str(&e), buf_str(&ok), "poll", c, err,
		    len.len > 0 ? buf_str(&len) : NULL);
		break;
	case CALL_SENDMSG:
		c_sendmsg(w, i, S, &e, &ok);
		if (want)
			c_want_ret(w, r, xe, &e, &ok, call, 1);
		check_call(w, buf_str(&e), call, c, err, buf_str(&ok));
		break;
	case CALL_RECVMSG:
		w->decl |= D_N | D_BUF | D_RXFDS;
		w->need |= H_RECVMSG | H_SHOW;
		buf_printf(&e, "(n = recv_msg(%s, buf, %zu, ", S, r->len);
		flags_format(&e, msgflag_names, r->arg);
		buf_printf(&e, ", %zu, rxfds, %d, &nrx))", r->ctlcap, RX_MAX);
		buf_adds(&ok, "show(buf, n);");
		data_checks(w, xe, call, "buf", &ok, 0);
		/* The sockets that came are variables, as in the session. */
		for (k = 0; k < r->nrx; k++)
			if (r->rxseq[k] != 0)
				buf_printf(&ok, "\n%s = rxfds[%d];",
				    export_name(w->x, r->rxseq[k]), k);
		if (want)
			c_want_ret(w, r, xe, &e, &ok, call, 1);
		check_call(w, buf_str(&e), call, c, err, buf_str(&ok));
		break;
	case CALL_IOCTL:
		if ((unsigned long)r->arg != SIOCATMARK) {
			line(w, 1, "/* ioctl: not exported */");
			break;
		}
		w->decl |= D_N;
		buf_printf(&e, "(n = sockatmark(%s))", S);
		buf_adds(&ok, "fprintf(stderr, \"sockatmark: %zd\\n\", n);");
		if (want)
			c_want_ret(w, r, xe, &e, &ok, "sockatmark", 1);
		check_call(w, buf_str(&e), "sockatmark", c, err, buf_str(&ok));
		break;
	case CALL_NANOSLEEP:
		buf_printf(&e, "nanosleep(&(struct timespec){ .tv_sec = %ld, "
		    ".tv_nsec = %ld }, NULL)", (long)r->ts.tv_sec,
		    r->ts.tv_nsec);
		c_call(w, r, xe, want, &e, &ok, "nanosleep", c, err);
		break;
	case CALL_GETADDRINFO:
	case CALL_GETNAMEINFO:
	case CALL_GETHOSTNAME:
	case CALL_GETSERVBYNAME:
	case CALL_GETSERVBYPORT:
	case CALL_SELECT:
	case CALL_EPOLL_CREATE:
	case CALL_EPOLL_CTL:
	case CALL_EPOLL_WAIT:
	case CALL_SENDFILE:
	case CALL_DUP:
	case CALL_UNLINK:
		c_rec_more(w, step, i, xe, c, err, want);
		break;
	default:
		line(w, 1, "/* %s: not exported */", call);
	}
	buf_free(&e);
	buf_free(&ok);
	buf_free(&a);
	buf_free(&t);
	buf_free(&path);
	buf_free(&len);
}

/* recvline, recvuntil, recvall and sendall: one helper call each. */
static void
c_loop(struct cw *w, size_t step, const struct xexpect *xe)
{
	const struct log_step	*st = &log_steps[step];
	const char		*S = export_name(w->x, st->seq), *path;
	struct words		 wd;
	struct word		*v;
	struct redir		 rd;
	enum data_format	 f;
	struct buf		 e = { 0 }, ok = { 0 }, data = { 0 }, in = { 0 };
	int			 n, skip, ms;

	rd.path = NULL;
	rd.append = 0;
	long long		 max = 65536;

	ms = export_timeout_ms(export_step_timeout(st));
	export_step_words(step, &wd);
	v = wd.v;
	n = wd.n;
	if (st->cmd == &cmd_sendall_entry) {
		w->need |= H_SENDALL;
		if (xe->have_ret)
			line(w, 1, "/* expect ret %ld: what sendall's last send "
			    "returned, as the kernel split it */", xe->ret);
		if (data_words("export", v, n, &data, &path) != 0)
			goto out;
		if (path != NULL) {
			/* The whole file as it is when the program runs. */
			w->need |= H_SENDFILE;
			buf_printf(&e, "send_file(%s, ", S);
			c_str(&e, path, strlen(path), 2);
			buf_adds(&e, ", ");
			flags_format(&e, msgflag_names,
			    export_step_msgflags(step));
			buf_printf(&e, ", %d)", ms);
		} else {
			buf_printf(&e, "send_all(%s, ", S);
			c_str(&e, data.data != NULL ? data.data : "", data.len,
			    2);
			buf_printf(&e, ", %zu, ", data.len);
			flags_format(&e, msgflag_names,
			    export_step_msgflags(step));
			buf_printf(&e, ", %d)", ms);
		}
		check_call(w, buf_str(&e), "sendall", xe->check, xe->err,
		    NULL);
		goto out;
	}
	if ((skip = format_take("export", v, n, &f)) > 0) {
		v += skip;
		n -= skip;
	}
	if (n > 0 && redir_take("export", v, &n, &rd) != 0)
		n = 0;
	w->decl |= D_N;
	w->need |= H_INBUF;
	if (export_is_exactly(st)) {
		w->need |= H_EXACT;
		buf_printf(&e, "(n = recv_exact(%s, &%s_in, %lld, %d))", S, S,
		    n > 1 ? strtoll(v[1].s, NULL, 10) : 0, ms);
	} else if (st->cmd == &cmd_recvall_entry) {
		w->need |= H_ALL;
		max = 16 * 1024 * 1024;
		if (n > 0)
			max = strtoll(v[0].s, NULL, 10);
		/* Into a file recvall has no limit unless given one. */
		if (n == 0 && rd.path != NULL)
			buf_printf(&e, "(n = recv_all(%s, &%s_in, SIZE_MAX, %d))",
			    S, S, ms);
		else
			buf_printf(&e, "(n = recv_all(%s, &%s_in, %lld, %d))",
			    S, S, max, ms);
	} else {
		w->need |= H_UNTIL;
		if (st->cmd == &cmd_recvline_entry) {
			buf_adds(&data, "\n");
			if (n > 0)
				max = strtoll(v[0].s, NULL, 10);
		} else if (n > 0) {
			buf_add(&data, v[0].s, v[0].len);
			if (n > 1)
				max = strtoll(v[1].s, NULL, 10);
		}
		buf_printf(&e, "(n = recv_until(%s, &%s_in, ", S, S);
		c_str(&e, data.data != NULL ? data.data : "", data.len, 2);
		buf_printf(&e, ", %zu, %lld, %d))", data.len, max, ms);
	}
	if (rd.path != NULL) {
		/* > FILE, >> FILE: the bytes go to the file. */
		w->need |= H_SAVE;
		buf_adds(&ok, "save(");
		c_str(&ok, rd.path, strlen(rd.path), 2);
		buf_printf(&ok, ", %d, %s_in.p, n);", rd.append, S);
	} else {
		w->need |= H_SHOW;
		buf_printf(&ok, "show(%s_in.p, n);", S);
	}
	buf_printf(&in, "%s_in.p", S);
	data_checks(w, xe, st->cmd->name, buf_str(&in), &ok, 1);
	buf_printf(&ok, "\nconsume(&%s_in, (size_t)n);", S);
	check_call(w, buf_str(&e), st->cmd->name, xe->check, xe->err,
	    buf_str(&ok));
out:
	words_free(&wd);
	buf_free(&e);
	buf_free(&ok);
	buf_free(&data);
	buf_free(&in);
}

/* The helpers, in the order they are written; each only when needed. */
static const struct {
	uint64_t	 flag;
	uint64_t	 deps;
	const char	*text;
} helpers[] = {
	{ H_FAIL, 0,
"/* Report a failed call as perror does, and give up. */\n"
"static void\n"
"fail(const char *call)\n"
"{\n"
"\tperror(call);\n"
"\texit(1);\n"
"}\n" },
	{ H_UNEXPECTED, 0,
"/* A call the session saw fail, and expected to, has succeeded. */\n"
"static void\n"
"unexpected(const char *call, const char *want)\n"
"{\n"
"\tfprintf(stderr, \"%s: succeeded, but the session expected %s\\n\", "
"call,\n"
"\t    want);\n"
"\texit(1);\n"
"}\n" },
	{ H_ASBEFORE, H_FAIL,
"/*\n"
" * A call that failed in the session, where nothing checked it: the\n"
" * session went on, and so does the program if it fails the same way;\n"
" * like the session, it then ends with status 1.\n"
" */\n"
"static int failures;\n"
"\n"
"static void\n"
"as_before(const char *call, int err)\n"
"{\n"
"\tif (errno != err)\n"
"\t\tfail(call);\n"
"\tfailures++;\n"
"\tfprintf(stderr, \"%s: %s (as in the session)\\n\", call, "
"strerror(err));\n"
"}\n" },
	{ H_SHOW, H_FAIL,
"/* Received bytes go to stdout as they are. */\n"
"static void\n"
"show(const char *p, ssize_t n)\n"
"{\n"
"\tif (n > 0 && fwrite(p, 1, (size_t)n, stdout) != (size_t)n)\n"
"\t\tfail(\"stdout\");\n"
"\tfflush(stdout);\n"
"}\n" },
	{ H_SENT, 0,
"/* send may take fewer bytes than given: say so, as sockrepl does. */\n"
"static void\n"
"sent(const char *call, ssize_t n, size_t len)\n"
"{\n"
"\tif ((size_t)n < len)\n"
"\t\tfprintf(stderr, \"%s: sent %zd of %zu bytes (sendall sends them \"\n"
"\t\t    \"all)\\n\", call, n, len);\n"
"}\n" },
	{ H_SAVE, H_FAIL,
"/* Received bytes go to a file: > FILE (append 0) or >> FILE (append 1). */\n"
"static void\n"
"save(const char *path, int append, const char *p, ssize_t n)\n"
"{\n"
"\tssize_t\tw;\n"
"\tint\tfd;\n"
"\n"
"\tif ((fd = open(path, O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC),\n"
"\t    0666)) == -1)\n"
"\t\tfail(path);\n"
"\twhile (n > 0) {\n"
"\t\tif ((w = write(fd, p, (size_t)n)) == -1)\n"
"\t\t\tfail(path);\n"
"\t\tp += w;\n"
"\t\tn -= w;\n"
"\t}\n"
"\tif (close(fd) == -1)\n"
"\t\tfail(path);\n"
"}\n" },
	{ H_LOAD, H_FAIL,
"/* The first max bytes of a file, as send < FILE sends them. */\n"
"static size_t\n"
"load(const char *path, char *p, size_t max)\n"
"{\n"
"\tFILE\t*f;\n"
"\tsize_t\t n;\n"
"\n"
"\tif ((f = fopen(path, \"rb\")) == NULL)\n"
"\t\tfail(path);\n"
"\tn = fread(p, 1, max, f);\n"
"\tif (ferror(f))\n"
"\t\tfail(path);\n"
"\tfclose(f);\n"
"\treturn n;\n"
"}\n" },
	{ H_CHECKDATA, 0,
"/* What the session asserted about received data must still hold. */\n"
"static void\n"
"check_data(const char *call, const char *got, ssize_t n, const char "
"*want,\n"
"    size_t len)\n"
"{\n"
"\tif (n >= 0 && (size_t)n == len && memcmp(got, want, len) == 0)\n"
"\t\treturn;\n"
"\tfprintf(stderr, \"%s: received %zd bytes that differ from the %zu \"\n"
"\t    \"the session expected\\n\", call, n, len);\n"
"\texit(1);\n"
"}\n" },
	{ H_CHECKRET, 0,
"/* What the session asserted about a return value must still hold. */\n"
"static void\n"
"check_ret(const char *call, ssize_t n, long want)\n"
"{\n"
"\tif (n == want)\n"
"\t\treturn;\n"
"\tfprintf(stderr, \"%s: returned %zd, the session expected %ld\\n\", "
"call, n,\n"
"\t    want);\n"
"\texit(1);\n"
"}\n" },
	{ H_READY, 0,
"/*\n"
" * A socket with a timeout waits in poll before each call: 1 when fd is\n"
" * ready, 0 with errno set when poll fails or the time runs out.\n"
" */\n"
"static int\n"
"ready(int fd, short events, int ms)\n"
"{\n"
"\tstruct pollfd\tpfd = { .fd = fd, .events = events };\n"
"\tint\t\tn;\n"
"\n"
"\tif ((n = poll(&pfd, 1, ms)) == 0)\n"
"\t\terrno = ETIMEDOUT;\n"
"\treturn n > 0;\n"
"}\n" },
	{ H_WAITFOR, 0,
"/* poll: how many are ready, or 0 with errno set (ETIMEDOUT: none). */\n"
"static int\n"
"wait_for(struct pollfd *pfd, nfds_t nfds, int ms)\n"
"{\n"
"\tint\tn;\n"
"\n"
"\tif ((n = poll(pfd, nfds, ms)) == 0)\n"
"\t\terrno = ETIMEDOUT;\n"
"\treturn n > 0 ? n : 0;\n"
"}\n" },
	{ H_TLSFAIL, 0,
"/* An OpenSSL set-up call failed: say which and why, and give up. */\n"
"static void\n"
"tls_fail(const char *call)\n"
"{\n"
"\tunsigned long\te;\n"
"\n"
"\tfprintf(stderr, \"%s failed\\n\", call);\n"
"\twhile ((e = ERR_get_error()) != 0)\n"
"\t\tfprintf(stderr, \"%s: %s\\n\", call, ERR_reason_error_string(e));\n"
"\texit(1);\n"
"}\n" },
	{ H_TLSIO, H_READY,
"/*\n"
" * After SSL_read, SSL_write or the handshake returned ret <= 0. On a\n"
" * socket with a timeout (ms >= 0; non-blocking underneath) wait for what\n"
" * OpenSSL wants, and return 1 to call again. Otherwise return 0 with\n"
" * errno set: 0 at the end of the stream (*clean: with close_notify),\n"
" * EAGAIN on a non-blocking socket, ETIMEDOUT, the system call's errno,\n"
" * or EPROTO for a TLS error (its reasons go to stderr).\n"
" */\n"
"static int\n"
"tls_again(SSL *ssl, int ret, int ms, int *clean)\n"
"{\n"
"\tint\t\tsys = errno, err = SSL_get_error(ssl, ret), fd;\n"
"\tunsigned long\te;\n"
"\tlong\t\tv;\n"
"\n"
"\t*clean = 0;\n"
"\tswitch (err) {\n"
"\tcase SSL_ERROR_WANT_READ:\n"
"\tcase SSL_ERROR_WANT_WRITE:\n"
"\t\tif (ms < 0) {\n"
"\t\t\terrno = EAGAIN;\n"
"\t\t\treturn 0;\n"
"\t\t}\n"
"\t\tfd = SSL_get_fd(ssl);\n"
"\t\treturn ready(fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,\n"
"\t\t    ms);\n"
"\tcase SSL_ERROR_ZERO_RETURN:\n"
"\t\t/* The peer's close_notify. */\n"
"\t\t*clean = 1;\n"
"\t\terrno = 0;\n"
"\t\treturn 0;\n"
"\tcase SSL_ERROR_SYSCALL:\n"
"\t\t/* errno 0: the connection ended, close_notify or not. */\n"
"\t\terrno = sys;\n"
"\t\treturn 0;\n"
"\t}\n"
"#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING\n"
"\tif (ERR_GET_REASON(ERR_peek_error()) ==\n"
"\t    SSL_R_UNEXPECTED_EOF_WHILE_READING) {\n"
"\t\tERR_clear_error();\n"
"\t\terrno = 0;\n"
"\t\treturn 0;\n"
"\t}\n"
"#endif\n"
"\twhile ((e = ERR_get_error()) != 0)\n"
"\t\tfprintf(stderr, \"TLS: %s\\n\", ERR_reason_error_string(e));\n"
"\tif ((v = SSL_get_verify_result(ssl)) != X509_V_OK)\n"
"\t\tfprintf(stderr, \"TLS: certificate verify failed: %s\\n\",\n"
"\t\t    X509_verify_cert_error_string(v));\n"
"\terrno = EPROTO;\n"
"\treturn 0;\n"
"}\n"
"\n"
"/* SSL_connect or SSL_accept until the handshake ends: 0, or -1. */\n"
"static int\n"
"tls_handshake(SSL *ssl, int server, int ms)\n"
"{\n"
"\tint\tn, clean;\n"
"\n"
"\tdo {\n"
"\t\tERR_clear_error();\n"
"\t\terrno = 0;\n"
"\t\tif ((n = server ? SSL_accept(ssl) : SSL_connect(ssl)) == 1)\n"
"\t\t\treturn 0;\n"
"\t} while (tls_again(ssl, n, ms, &clean));\n"
"\t/* The peer closed the connection during the handshake. */\n"
"\tif (errno == 0)\n"
"\t\terrno = ECONNRESET;\n"
"\treturn -1;\n"
"}\n" },
	{ H_TLSREAD, H_TLSIO,
"/*\n"
" * SSL_read (SSL_peek with MSG_PEEK), as recv is for a plain socket: the\n"
" * bytes read, 0 at the end of the stream, or -1 with errno set.\n"
" */\n"
"static ssize_t\n"
"tls_read(SSL *ssl, char *buf, size_t size, int flags, int ms)\n"
"{\n"
"\tint\tn, clean, len = size > INT_MAX ? INT_MAX : (int)size;\n"
"\n"
"\tdo {\n"
"\t\tERR_clear_error();\n"
"\t\terrno = 0;\n"
"\t\tn = (flags & MSG_PEEK) ? SSL_peek(ssl, buf, len) :\n"
"\t\t    SSL_read(ssl, buf, len);\n"
"\t\tif (n > 0)\n"
"\t\t\treturn n;\n"
"\t} while (tls_again(ssl, n, ms, &clean));\n"
"\tif (errno != 0)\n"
"\t\treturn -1;\n"
"\tif (!clean)\n"
"\t\tfprintf(stderr, \"SSL_read: the stream ended without \"\n"
"\t\t    \"close_notify: what came may be cut short\\n\");\n"
"\treturn 0;\n"
"}\n" },
	{ H_TLSREADY, H_READY,
"/*\n"
" * Wait for plaintext on a TLS socket, up to ms milliseconds (-1: no\n"
" * limit), not for the socket: what arrives may be TLS's own records (a\n"
" * session ticket), which SSL_peek reads on the way. 1 when there is\n"
" * something for SSL_read (data, the end, an error), 0 with errno set\n"
" * (ETIMEDOUT).\n"
" */\n"
"static int\n"
"tls_ready(SSL *ssl, int ms)\n"
"{\n"
"\tchar\tc;\n"
"\tint\tn, e, ok = 0, fd = SSL_get_fd(ssl), fl = fcntl(fd, F_GETFL);\n"
"\n"
"\tif (fl != -1)\n"
"\t\t(void)fcntl(fd, F_SETFL, fl | O_NONBLOCK);\n"
"\tfor (;;) {\n"
"\t\tERR_clear_error();\n"
"\t\tif ((n = SSL_peek(ssl, &c, 1)) > 0 ||\n"
"\t\t    SSL_get_error(ssl, n) != SSL_ERROR_WANT_READ) {\n"
"\t\t\tok = 1;\n"
"\t\t\tbreak;\n"
"\t\t}\n"
"\t\tif (!ready(fd, POLLIN, ms))\n"
"\t\t\tbreak;\n"
"\t}\n"
"\te = errno;\n"
"\tif (fl != -1)\n"
"\t\t(void)fcntl(fd, F_SETFL, fl);\n"
"\terrno = e;\n"
"\treturn ok;\n"
"}\n" },
	{ H_TLSWRITE, H_TLSIO,
"/*\n"
" * SSL_write, as send is for a plain socket (the context's\n"
" * SSL_MODE_ENABLE_PARTIAL_WRITE lets it take part): the bytes sent, or\n"
" * -1 with errno set.\n"
" */\n"
"static ssize_t\n"
"tls_write(SSL *ssl, const char *p, size_t len, int ms)\n"
"{\n"
"\tint\tn, clean, size = len > INT_MAX ? INT_MAX : (int)len;\n"
"\n"
"\tdo {\n"
"\t\tERR_clear_error();\n"
"\t\terrno = 0;\n"
"\t\tif ((n = SSL_write(ssl, p, size)) > 0)\n"
"\t\t\treturn n;\n"
"\t} while (tls_again(ssl, n, ms, &clean));\n"
"\t/* The connection has ended: nothing more can be sent. */\n"
"\tif (errno == 0)\n"
"\t\terrno = EPIPE;\n"
"\treturn -1;\n"
"}\n" },
	{ H_TLSSHUT, 0,
"/*\n"
" * Our close_notify, before shutdown or close. As in the session, a\n"
" * failure is reported and the close goes on.\n"
" */\n"
"static void\n"
"tls_shutdown(SSL *ssl)\n"
"{\n"
"\tunsigned long\te;\n"
"\n"
"\tERR_clear_error();\n"
"\tif (SSL_shutdown(ssl) >= 0)\n"
"\t\treturn;\n"
"\tfprintf(stderr, \"SSL_shutdown: close_notify not sent\\n\");\n"
"\twhile ((e = ERR_get_error()) != 0)\n"
"\t\tfprintf(stderr, \"TLS: %s\\n\", ERR_reason_error_string(e));\n"
"}\n" },
	{ H_TLSFD, 0,
"/*\n"
" * The TLS connection each fd speaks, if any: the helpers below read and\n"
" * send through it.\n"
" */\n"
"#define TLS_FDS\t1024\n"
"static SSL\t*tls_on[TLS_FDS];\n"
"\n"
"static void\n"
"tls_use(int fd, SSL *ssl)\n"
"{\n"
"\tif (fd < 0 || fd >= TLS_FDS) {\n"
"\t\tfprintf(stderr, \"fd %d: past the %d this program keeps\\n\", fd,\n"
"\t\t    TLS_FDS);\n"
"\t\texit(1);\n"
"\t}\n"
"\ttls_on[fd] = ssl;\n"
"}\n"
"\n"
"static SSL *\n"
"tls_of(int fd)\n"
"{\n"
"\treturn fd >= 0 && fd < TLS_FDS ? tls_on[fd] : NULL;\n"
"}\n" },
	{ H_ALPN, 0,
"/*\n"
" * ALPN's protocol names in the wire's form, each after its length byte,\n"
" * made by alpn_wire from a list such as \"h2,http/1.1\".\n"
" */\n"
"static unsigned char\talpn_list[256];\n"
"static unsigned int\talpn_len;\n"
"\n"
"static unsigned int\n"
"alpn_wire(const char *names)\n"
"{\n"
"\tsize_t\ti = 0, k;\n"
"\n"
"\twhile (*names != '\\0') {\n"
"\t\tk = strcspn(names, \",\");\n"
"\t\tif (k == 0 || k > 255 || i + 1 + k > sizeof alpn_list)\n"
"\t\t\treturn 0;\n"
"\t\talpn_list[i++] = (unsigned char)k;\n"
"\t\tmemcpy(alpn_list + i, names, k);\n"
"\t\ti += k;\n"
"\t\tnames += k;\n"
"\t\tif (*names == ',')\n"
"\t\t\tnames++;\n"
"\t}\n"
"\treturn alpn_len = (unsigned int)i;\n"
"}\n" },
	{ H_ALPNSEL, H_ALPN,
"/* The server takes the first of its names that the client offers too. */\n"
"static int\n"
"alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,\n"
"    const unsigned char *in, unsigned int inlen, void *arg)\n"
"{\n"
"\tunsigned char\t*o;\n"
"\n"
"\t(void)ssl;\n"
"\t(void)arg;\n"
"\tif (SSL_select_next_proto(&o, outlen, alpn_list, alpn_len, in, inlen) !=\n"
"\t    OPENSSL_NPN_NEGOTIATED)\n"
"\t\treturn SSL_TLSEXT_ERR_NOACK;\n"
"\t*out = o;\n"
"\treturn SSL_TLSEXT_ERR_OK;\n"
"}\n" },
	{ H_SELFSIGNED, 0,
"/*\n"
" * A throwaway key and self-signed certificate for name, made in memory\n"
" * as starttls -server -selfsigned makes them: a P-256 key, valid from an\n"
" * hour ago for 30 days, with name (and for localhost the loopback\n"
" * addresses) as subject alternative names. Returns 1, or 0 when a call\n"
" * failed (tls_fail says why).\n"
" */\n"
"static int\n"
"selfsigned(SSL_CTX *ctx, const char *name)\n"
"{\n"
"\tEVP_PKEY\t*pk;\n"
"\tX509\t\t*x;\n"
"\tX509_NAME\t*nm;\n"
"\tX509_EXTENSION\t*ext;\n"
"\tX509V3_CTX\t v3;\n"
"\tchar\t\t san[600];\n"
"\tunsigned char\t a[16], serial[8];\n"
"\tBIGNUM\t\t*bn;\n"
"\tint\t\t ip, ok = 0;\n"
"\n"
"\tif ((pk = EVP_EC_gen(\"P-256\")) == NULL)\n"
"\t\treturn 0;\n"
"\tif ((x = X509_new()) == NULL)\n"
"\t\tgoto out;\n"
"\tX509_set_version(x, 2);\n"
"\t/* A random serial: no two certificates made share one. */\n"
"\tif (RAND_bytes(serial, sizeof serial) != 1)\n"
"\t\tgoto out;\n"
"\tserial[0] &= 0x7f;\n"
"\tif ((bn = BN_bin2bn(serial, sizeof serial, NULL)) == NULL)\n"
"\t\tgoto out;\n"
"\tBN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));\n"
"\tBN_free(bn);\n"
"\tX509_gmtime_adj(X509_getm_notBefore(x), -3600);\n"
"\tX509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);\n"
"\tX509_set_pubkey(x, pk);\n"
"\tnm = X509_get_subject_name(x);\n"
"\tX509_NAME_add_entry_by_txt(nm, \"CN\", MBSTRING_ASC,\n"
"\t    (const unsigned char *)name, -1, -1, 0);\n"
"\tX509_set_issuer_name(x, nm);\n"
"\tip = inet_pton(AF_INET, name, a) == 1 ||\n"
"\t    inet_pton(AF_INET6, name, a) == 1;\n"
"\tsnprintf(san, sizeof san, \"%s:%s%s\", ip ? \"IP\" : \"DNS\", name,\n"
"\t    strcmp(name, \"localhost\") == 0 ? \",IP:127.0.0.1,IP:::1\" : \"\");\n"
"\tX509V3_set_ctx(&v3, x, x, NULL, NULL, 0);\n"
"\tif ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,\n"
"\t    san)) == NULL)\n"
"\t\tgoto out;\n"
"\tX509_add_ext(x, ext, -1);\n"
"\tX509_EXTENSION_free(ext);\n"
"\tok = X509_sign(x, pk, EVP_sha256()) > 0 &&\n"
"\t    SSL_CTX_use_certificate(ctx, x) == 1 &&\n"
"\t    SSL_CTX_use_PrivateKey(ctx, pk) == 1;\n"
"out:\n"
"\tX509_free(x);\n"
"\tEVP_PKEY_free(pk);\n"
"\treturn ok;\n"
"}\n" },
	{ H_IN4, 0,
"/* An IPv4 address and port in ss; returns its length. */\n"
"static socklen_t\n"
"in4(struct sockaddr_storage *ss, const char *host, int port)\n"
"{\n"
"\tstruct sockaddr_in\t*sin = (struct sockaddr_in *)ss;\n"
"\n"
"\tmemset(ss, 0, sizeof *ss);\n"
"\tsin->sin_family = AF_INET;\n"
"\tsin->sin_port = htons((uint16_t)port);\n"
"\tif (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {\n"
"\t\tfprintf(stderr, \"%s: not an IPv4 address\\n\", host);\n"
"\t\texit(1);\n"
"\t}\n"
"\treturn sizeof *sin;\n"
"}\n" },
	{ H_IN6, 0,
"/* An IPv6 address, port and scope in ss; returns its length. */\n"
"static socklen_t\n"
"in6(struct sockaddr_storage *ss, const char *host, int port, unsigned "
"scope)\n"
"{\n"
"\tstruct sockaddr_in6\t*sin6 = (struct sockaddr_in6 *)ss;\n"
"\n"
"\tmemset(ss, 0, sizeof *ss);\n"
"\tsin6->sin6_family = AF_INET6;\n"
"\tsin6->sin6_port = htons((uint16_t)port);\n"
"\tsin6->sin6_scope_id = scope;\n"
"\tif (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {\n"
"\t\tfprintf(stderr, \"%s: not an IPv6 address\\n\", host);\n"
"\t\texit(1);\n"
"\t}\n"
"\treturn sizeof *sin6;\n"
"}\n" },
	{ H_UN, 0,
"/*\n"
" * An AF_UNIX address: len bytes of sun_path, so an abstract name (a\n"
" * leading NUL) keeps its exact length. Returns the address's length.\n"
" */\n"
"static socklen_t\n"
"un(struct sockaddr_storage *ss, const char *path, size_t len)\n"
"{\n"
"\tstruct sockaddr_un\t*su = (struct sockaddr_un *)ss;\n"
"\n"
"\tmemset(ss, 0, sizeof *ss);\n"
"\tsu->sun_family = AF_UNIX;\n"
"\tmemcpy(su->sun_path, path, len);\n"
"\treturn (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);\n"
"}\n" },
	{ H_PORTOF, 0,
"/* The port of an address getsockname returned: the kernel chose it. */\n"
"static int\n"
"port_of(const struct sockaddr_storage *ss)\n"
"{\n"
"\tif (ss->ss_family == AF_INET6)\n"
"\t\treturn ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);\n"
"\treturn ntohs(((const struct sockaddr_in *)ss)->sin_port);\n"
"}\n" },
	{ H_INBUF, 0,
"/* Bytes received past what a helper returned, for the next receive. */\n"
"struct inbuf {\n"
"\tchar\t*p;\n"
"\tsize_t\t len;\n"
"};\n"
"\n"
"static void\n"
"consume(struct inbuf *in, size_t n)\n"
"{\n"
"\tmemmove(in->p, in->p + n, in->len - n);\n"
"\tin->len -= n;\n"
"}\n" },
	{ H_RECVBUF, H_INBUF,
"/* recv on a socket a helper read ahead on: those bytes come first. */\n"
"static ssize_t\n"
"recv_buffered(int fd, struct inbuf *in, char *buf, size_t size, int "
"flags)\n"
"{\n"
"\tsize_t\tn = in->len < size ? in->len : size;\n"
"\n"
"\tif (in->len == 0)\n"
"\t\treturn recv(fd, buf, size, flags);\n"
"\tmemcpy(buf, in->p, n);\n"
"\tif (!(flags & MSG_PEEK))\n"
"\t\tconsume(in, n);\n"
"\treturn (ssize_t)n;\n"
"}\n" },
	{ H_UNTIL | H_ALL | H_EXACT, H_FAIL,
"/*\n"
" * One recv of up to 65536 bytes onto the end of in, after waiting up to\n"
" * ms milliseconds when the socket has a timeout (ms >= 0). Returns what\n"
" * recv returned, or -1 with errno set.\n"
" */\n"
"static ssize_t\n"
"fill(int fd, struct inbuf *in, int ms)\n"
"{\n"
"\tchar\t*p;\n"
"\tssize_t\t n;\n"
"\n"
"\tif (ms >= 0 && !ready(fd, POLLIN, ms))\n"
"\t\treturn -1;\n"
"\tif ((p = realloc(in->p, in->len + 65536)) == NULL)\n"
"\t\tfail(\"realloc\");\n"
"\tin->p = p;\n"
"\tif ((n = recv(fd, in->p + in->len, 65536, 0)) > 0)\n"
"\t\tin->len += (size_t)n;\n"
"\treturn n;\n"
"}\n" },
	{ H_UNTIL, 0,
"/*\n"
" * Receive through the first delim, as recvline and recvuntil do; the\n"
" * peer may send in any pieces. Returns the length of the data at the\n"
" * front of in (what is left, without delim, at EOF), or -1 with errno\n"
" * set (EMSGSIZE: no delim in the first max bytes).\n"
" */\n"
"static ssize_t\n"
"recv_until(int fd, struct inbuf *in, const char *delim, size_t dlen,\n"
"    size_t max, int ms)\n"
"{\n"
"\tchar\t*hit;\n"
"\tssize_t\t n;\n"
"\n"
"\tfor (;;) {\n"
"\t\tif (in->len >= dlen && (hit = memmem(in->p, in->len < max ?\n"
"\t\t    in->len : max, delim, dlen)) != NULL)\n"
"\t\t\treturn hit - in->p + (ssize_t)dlen;\n"
"\t\tif (in->len >= max) {\n"
"\t\t\terrno = EMSGSIZE;\n"
"\t\t\treturn -1;\n"
"\t\t}\n"
"\t\tif ((n = fill(fd, in, ms)) == -1)\n"
"\t\t\treturn -1;\n"
"\t\tif (n == 0)\n"
"\t\t\treturn (ssize_t)in->len;\n"
"\t}\n"
"}\n" },
	{ H_EXACT, 0,
"/*\n"
" * Receive until in holds want bytes, as recv exactly does: returns want,\n"
" * or -1 with errno set (ENODATA: EOF came first).\n"
" */\n"
"static ssize_t\n"
"recv_exact(int fd, struct inbuf *in, size_t want, int ms)\n"
"{\n"
"\tssize_t\tn;\n"
"\n"
"\twhile (in->len < want) {\n"
"\t\tif ((n = fill(fd, in, ms)) == -1)\n"
"\t\t\treturn -1;\n"
"\t\tif (n == 0) {\n"
"\t\t\terrno = ENODATA;\n"
"\t\t\treturn -1;\n"
"\t\t}\n"
"\t}\n"
"\treturn (ssize_t)want;\n"
"}\n" },
	{ H_ALL, 0,
"/* Receive until EOF, as recvall does: returns the bytes in in, or -1. */\n"
"static ssize_t\n"
"recv_all(int fd, struct inbuf *in, size_t max, int ms)\n"
"{\n"
"\tssize_t\tn;\n"
"\n"
"\twhile ((n = fill(fd, in, ms)) > 0) {\n"
"\t\tif (in->len > max) {\n"
"\t\t\terrno = EMSGSIZE;\n"
"\t\t\treturn -1;\n"
"\t\t}\n"
"\t}\n"
"\treturn n == -1 ? -1 : (ssize_t)in->len;\n"
"}\n" },
	{ H_SENDALL, 0,
"/* Send all of p, as sendall does: returns 0, or -1 with errno set. */\n"
"static int\n"
"send_all(int fd, const char *p, size_t len, int flags, int ms)\n"
"{\n"
"\tssize_t\tn;\n"
"\n"
"\twhile (len > 0) {\n"
"\t\tif (ms >= 0 && !ready(fd, POLLOUT, ms))\n"
"\t\t\treturn -1;\n"
"\t\tif ((n = send(fd, p, len, flags)) == -1)\n"
"\t\t\treturn -1;\n"
"\t\tp += n;\n"
"\t\tlen -= (size_t)n;\n"
"\t}\n"
"\treturn 0;\n"
"}\n" },
	{ H_SENDFILE, H_SENDALL | H_FAIL,
"/*\n"
" * Send all of a file, a chunk at a time, as sendall < FILE does: returns\n"
" * 0, or -1 with errno set. A file that cannot be read ends the program.\n"
" */\n"
"static int\n"
"send_file(int fd, const char *path, int flags, int ms)\n"
"{\n"
"\tstatic char\t chunk[" STR(DATA_CHUNK) "];\n"
"\tFILE\t\t*f;\n"
"\tsize_t\t\t n;\n"
"\tint\t\t r = 0, e;\n"
"\n"
"\tif ((f = fopen(path, \"rb\")) == NULL)\n"
"\t\tfail(path);\n"
"\twhile (r == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)\n"
"\t\tr = send_all(fd, chunk, n, flags, ms);\n"
"\tif (r == 0 && ferror(f))\n"
"\t\tfail(path);\n"
"\te = errno;\n"
"\tfclose(f);\n"
"\terrno = e;\n"
"\treturn r;\n"
"}\n" },
	{ H_SENDMSG, 0,
"/*\n"
" * sendmsg with ancillary data: nfds sockets to pass (SCM_RIGHTS), then\n"
" * this process's credentials when creds is set (SCM_CREDENTIALS).\n"
" */\n"
"static ssize_t\n"
"send_msg(int fd, const char *p, size_t len, const int *fds, int nfds,\n"
"    int creds, int flags)\n"
"{\n"
"\tunion {\n"
"\t\tchar\t\tb[CMSG_SPACE(sizeof(int) * " STR(RX_MAX) ") +\n"
"\t\t\t\t    CMSG_SPACE(sizeof(struct ucred))];\n"
"\t\tstruct cmsghdr\talign;\n"
"\t} u;\n"
"\tstruct iovec\t iov = { .iov_base = (void *)p, .iov_len = len };\n"
"\tstruct msghdr\t msg = { .msg_iov = &iov, .msg_iovlen = 1 };\n"
"\tstruct cmsghdr\t*c;\n"
"\tstruct ucred\t cr;\n"
"\tsize_t\t\t used = 0;\n"
"\n"
"\tmemset(&u, 0, sizeof u);\n"
"\tif (nfds > 0) {\n"
"\t\tc = (struct cmsghdr *)(void *)u.b;\n"
"\t\tc->cmsg_level = SOL_SOCKET;\n"
"\t\tc->cmsg_type = SCM_RIGHTS;\n"
"\t\tc->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);\n"
"\t\tmemcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);\n"
"\t\tused += CMSG_SPACE(sizeof(int) * (size_t)nfds);\n"
"\t}\n"
"\tif (creds) {\n"
"\t\tcr.pid = getpid();\n"
"\t\tcr.uid = getuid();\n"
"\t\tcr.gid = getgid();\n"
"\t\tc = (struct cmsghdr *)(void *)(u.b + used);\n"
"\t\tc->cmsg_level = SOL_SOCKET;\n"
"\t\tc->cmsg_type = SCM_CREDENTIALS;\n"
"\t\tc->cmsg_len = CMSG_LEN(sizeof cr);\n"
"\t\tmemcpy(CMSG_DATA(c), &cr, sizeof cr);\n"
"\t\tused += CMSG_SPACE(sizeof cr);\n"
"\t}\n"
"\tif (used > 0) {\n"
"\t\tmsg.msg_control = u.b;\n"
"\t\tmsg.msg_controllen = used;\n"
"\t}\n"
"\treturn sendmsg(fd, &msg, flags);\n"
"}\n" },
	{ H_RECVMSG, 0,
"/*\n"
" * recvmsg with room for ctlsize bytes of control messages: the fds that\n"
" * came (SCM_RIGHTS) go into fds, the rest and msg_flags are described on\n"
" * stderr. Returns what recvmsg returned.\n"
" */\n"
"static ssize_t\n"
"recv_msg(int fd, char *buf, size_t size, int flags, size_t ctlsize,\n"
"    int *fds, int maxfds, int *nfds)\n"
"{\n"
"\tstatic union {\n"
"\t\tchar\t\tb[65536];\n"
"\t\tstruct cmsghdr\talign;\n"
"\t} u;\n"
"\tstruct iovec\t iov = { .iov_base = buf, .iov_len = size };\n"
"\tstruct msghdr\t msg = { .msg_iov = &iov, .msg_iovlen = 1 };\n"
"\tstruct cmsghdr\t*c;\n"
"\tssize_t\t\t n;\n"
"\tsize_t\t\t k;\n"
"\n"
"\tmsg.msg_control = ctlsize > 0 ? u.b : NULL;\n"
"\tmsg.msg_controllen = ctlsize;\n"
"\t*nfds = 0;\n"
"\tif ((n = recvmsg(fd, &msg, flags)) == -1)\n"
"\t\treturn -1;\n"
"\tfor (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {\n"
"\t\tif (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {\n"
"\t\t\tfprintf(stderr, \"recvmsg: control message level %d type \"\n"
"\t\t\t    \"%d, %zu bytes\\n\", c->cmsg_level, c->cmsg_type,\n"
"\t\t\t    (size_t)(c->cmsg_len - CMSG_LEN(0)));\n"
"\t\t\tcontinue;\n"
"\t\t}\n"
"\t\tfor (k = 0; k < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) &&\n"
"\t\t    *nfds < maxfds; k++)\n"
"\t\t\tmemcpy(&fds[(*nfds)++], CMSG_DATA(c) + k * sizeof(int),\n"
"\t\t\t    sizeof(int));\n"
"\t}\n"
"\tif (msg.msg_flags != 0)\n"
"\t\tfprintf(stderr, \"recvmsg: msg_flags %#x\\n\", msg.msg_flags);\n"
"\treturn n;\n"
"}\n" },
	{ H_HEXOUT, 0,
"/* An option's bytes, in hex, on stderr. */\n"
"static void\n"
"hexout(const char *what, const unsigned char *p, socklen_t n)\n"
"{\n"
"\tsocklen_t\ti;\n"
"\n"
"\tfprintf(stderr, \"%s:\", what);\n"
"\tfor (i = 0; i < n; i++)\n"
"\t\tfprintf(stderr, \" %02x\", p[i]);\n"
"\tfputc('\\n', stderr);\n"
"}\n" },
	{ H_SHOWAI, 0,
"/* getaddrinfo's answers, one a line, on stderr as sockrepl shows them. */\n"
"static void\n"
"show_ai(const struct addrinfo *ai)\n"
"{\n"
"\tchar\thost[NI_MAXHOST], serv[NI_MAXSERV];\n"
"\n"
"\tfor (; ai != NULL; ai = ai->ai_next) {\n"
"\t\tif (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host,\n"
"\t\t    serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0)\n"
"\t\t\tcontinue;\n"
"\t\tfprintf(stderr, \"getaddrinfo: family %d type %d %s %s\\n\",\n"
"\t\t    ai->ai_family, ai->ai_socktype, host, serv);\n"
"\t}\n"
"}\n" },
	{ H_GAIFAIL, 0,
"/* A lookup failed: say why, and give up. */\n"
"static void\n"
"gai_fail(const char *call, int gai)\n"
"{\n"
"\tfprintf(stderr, \"%s: %s\\n\", call, gai_strerror(gai));\n"
"\texit(1);\n"
"}\n" },
	{ H_SFALL, 0,
"/*\n"
" * sendfile(2) from off to the end of the file, as many calls as it takes:\n"
" * the bytes sent, or -1 with errno set.\n"
" */\n"
"static long long\n"
"sendfile_all(int s, const char *path, off_t off)\n"
"{\n"
"\tstruct stat\tst;\n"
"\tstruct pollfd\tp = { .fd = s, .events = POLLOUT };\n"
"\tlong long\tdone = 0;\n"
"\tssize_t\t\tn;\n"
"\tint\t\tfd, e;\n"
"\n"
"\tif ((fd = open(path, O_RDONLY)) == -1)\n"
"\t\treturn -1;\n"
"\tif (fstat(fd, &st) == -1) {\n"
"\t\te = errno;\n"
"\t\tclose(fd);\n"
"\t\terrno = e;\n"
"\t\treturn -1;\n"
"\t}\n"
"\twhile (off < st.st_size) {\n"
"\t\tn = sendfile(s, fd, &off, (size_t)(st.st_size - off));\n"
"\t\tif (n == -1 && errno == EAGAIN && poll(&p, 1, -1) >= 0)\n"
"\t\t\tcontinue;\n"
"\t\tif (n == -1 && errno == EINTR)\n"
"\t\t\tcontinue;\n"
"\t\tif (n == -1) {\n"
"\t\t\te = errno;\n"
"\t\t\tclose(fd);\n"
"\t\t\terrno = e;\n"
"\t\t\treturn -1;\n"
"\t\t}\n"
"\t\tif (n == 0)\n"
"\t\t\tbreak;\n"
"\t\tdone += n;\n"
"\t}\n"
"\tclose(fd);\n"
"\treturn done;\n"
"}\n" },
	{ 0, 0, NULL }
};

/*
 * In a session where helpers read or send on a socket that speaks TLS,
 * these take the place of the helpers of the same flag: a TLS socket's
 * bytes go through tls_read and tls_write, which wait for themselves.
 */
static const struct {
	uint64_t	 flag;
	const char	*text;
} tls_helpers[] = {
	{ H_RECVBUF,
"/* recv on a socket a helper read ahead on: those bytes come first. */\n"
"static ssize_t\n"
"recv_buffered(int fd, struct inbuf *in, char *buf, size_t size, int "
"flags,\n"
"    int ms)\n"
"{\n"
"\tsize_t\tn = in->len < size ? in->len : size;\n"
"\n"
"\tif (in->len == 0 && tls_of(fd) != NULL)\n"
"\t\treturn tls_read(tls_of(fd), buf, size, flags, ms);\n"
"\tif (in->len == 0)\n"
"\t\treturn recv(fd, buf, size, flags);\n"
"\tmemcpy(buf, in->p, n);\n"
"\tif (!(flags & MSG_PEEK))\n"
"\t\tconsume(in, n);\n"
"\treturn (ssize_t)n;\n"
"}\n" },
	{ H_UNTIL | H_ALL | H_EXACT,
"/*\n"
" * One receive of up to 65536 bytes onto the end of in: tls_read on a\n"
" * socket that speaks TLS, else recv after waiting up to ms milliseconds\n"
" * when the socket has a timeout (ms >= 0). Returns what it returned, or\n"
" * -1 with errno set.\n"
" */\n"
"static ssize_t\n"
"fill(int fd, struct inbuf *in, int ms)\n"
"{\n"
"\tchar\t*p;\n"
"\tssize_t\t n;\n"
"\n"
"\tif (tls_of(fd) == NULL && ms >= 0 && !ready(fd, POLLIN, ms))\n"
"\t\treturn -1;\n"
"\tif ((p = realloc(in->p, in->len + 65536)) == NULL)\n"
"\t\tfail(\"realloc\");\n"
"\tin->p = p;\n"
"\tif (tls_of(fd) != NULL)\n"
"\t\tn = tls_read(tls_of(fd), in->p + in->len, 65536, 0, ms);\n"
"\telse\n"
"\t\tn = recv(fd, in->p + in->len, 65536, 0);\n"
"\tif (n > 0)\n"
"\t\tin->len += (size_t)n;\n"
"\treturn n;\n"
"}\n" },
	{ H_SENDALL,
"/* Send all of p, as sendall does: returns 0, or -1 with errno set. */\n"
"static int\n"
"send_all(int fd, const char *p, size_t len, int flags, int ms)\n"
"{\n"
"\tssize_t\tn;\n"
"\n"
"\twhile (len > 0) {\n"
"\t\tif (tls_of(fd) != NULL)\n"
"\t\t\tn = tls_write(tls_of(fd), p, len, ms);\n"
"\t\telse if (ms >= 0 && !ready(fd, POLLOUT, ms))\n"
"\t\t\treturn -1;\n"
"\t\telse\n"
"\t\t\tn = send(fd, p, len, flags);\n"
"\t\tif (n == -1)\n"
"\t\t\treturn -1;\n"
"\t\tp += n;\n"
"\t\tlen -= (size_t)n;\n"
"\t}\n"
"\treturn 0;\n"
"}\n" },
	{ 0, NULL }
};

/* Helpers only a step's after-success lines call, by name. */
static const struct {
	uint64_t	 flag;
	const char	*call;
} oklines[] = {
	{ H_SENT, "\tsent(" },
	{ H_SHOW, "\tshow(" },
	{ H_SAVE, "\tsave(" },
	{ H_CHECKDATA, "\tcheck_data(" },
	{ H_CHECKRET, "\tcheck_ret(" },
	{ 0, NULL }
};

/*
 * Whether the session used TLS, and whether a helper loop (recvline,
 * sendall...) ran in it: then the helpers learn which fds speak TLS.
 */
static void
c_tls_scan(struct cw *w)
{
	const struct call_rec	*r;
	const struct log_step	*st;
	size_t			 i, j;

	for (i = 0; i < log_nrecs && !w->tls; i++) {
		r = &log_recs[i].rec;
		w->tls = !w->x->recs[i].skip && ((r->flags & CF_TLS) ||
		    r->call == CALL_SSL_SETUP || r->call == CALL_SSL_CONNECT ||
		    r->call == CALL_SSL_ACCEPT || r->call == CALL_SSL_SHUTDOWN);
	}
	if (!w->tls)
		return;
	/* A loop step is written when one of its records is. */
	for (i = 0; i < log_nsteps && !w->tlsfd; i++) {
		st = &log_steps[i];
		if (!export_is_loop(st) || st->cmd == &cmd_export_entry)
			continue;
		for (j = st->first; j < st->first + st->nrecs; j++)
			if (!w->x->recs[j].skip)
				w->tlsfd = 1;
	}
	if ((w->ssl = calloc(w->x->nsocks + 1, 1)) == NULL)
		nomem();
}

/* Helper k's text: its TLS form where the helpers read through TLS. */
static const char *
c_helper_text(const struct cw *w, int k)
{
	int	j;

	for (j = 0; w->tlsfd && tls_helpers[j].text != NULL; j++)
		if (tls_helpers[j].flag == helpers[k].flag)
			return tls_helpers[j].text;
	return helpers[k].text;
}

static void
c_decls(struct cw *w, struct buf *b)
{
	struct xsock	*s;
	size_t		 i;

	for (i = 0; i < w->x->nsocks; i++)
		buf_printf(b, "%s%s", i == 0 ? "\tint\t\t\t " : ", ",
		    w->x->socks[i].name);
	if (w->x->nsocks > 0)
		buf_adds(b, ";\n");
	for (i = 0; i < w->x->nsocks; i++) {
		s = &w->x->socks[i];
		if (s->port_var)
			buf_printf(b, "\tint\t\t\t %s_port;\n", s->name);
		if (s->peer_var)
			buf_printf(b, "\tstruct sockaddr_storage\t %s_peer;\n"
			    "\tsocklen_t\t\t %s_peerlen;\n", s->name, s->name);
		if (s->inbuf)
			buf_printf(b, "\tstruct inbuf\t\t %s_in = { NULL, 0 };"
			    "\n", s->name);
		if (w->ssl != NULL && (w->ssl[i] & SSL_ON))
			buf_printf(b, "\tSSL_CTX\t\t\t*%s_ctx = NULL;\n"
			    "\tSSL\t\t\t*%s_ssl = NULL;\n", s->name, s->name);
	}
	if (w->decl & D_SA)
		buf_adds(b, "\tstruct sockaddr_storage\t sa;\n"
		    "\tsocklen_t\t\t salen;\n");
	if (w->decl & D_FROM)
		buf_adds(b, "\tstruct sockaddr_storage\t from;\n"
		    "\tsocklen_t\t\t fromlen;\n");
	if (w->decl & D_SV)
		buf_adds(b, "\tint\t\t\t sv[2];\n");
	if (w->npfd > 0)
		buf_printf(b, "\tstruct pollfd\t\t pfd[%d];\n", w->npfd);
	if (w->decl & D_OPT)
		buf_adds(b, "\tint\t\t\t optval;\n");
	if (w->decl & D_OPTLEN)
		buf_adds(b, "\tsocklen_t\t\t optlen;\n");
	if (w->decl & D_TXFDS)
		buf_printf(b, "\tint\t\t\t txfds[%d];\n", RX_MAX);
	if (w->decl & D_RXFDS)
		buf_printf(b, "\tint\t\t\t rxfds[%d], nrx;\n", RX_MAX);
	if (w->decl & D_CRED)
		buf_adds(b, "\tstruct ucred\t\t cred;\n");
	if (w->decl & D_OPTBUF)
		buf_printf(b, "\tunsigned char\t\t optbuf[%d];\n", OPTVAL_MAX);
	if (w->decl & D_LINGER)
		buf_adds(b, "\tstruct linger\t\t lg;\n");
	if (w->decl & D_TV)
		buf_adds(b, "\tstruct timeval\t\t tv;\n");
	if (w->decl & D_FL)
		buf_adds(b, "\tint\t\t\t fl;\n");
	if (w->decl & D_N)
		buf_adds(b, "\tssize_t\t\t\t n;\n");
	if (w->decl & D_FBUF)
		buf_adds(b, "\tsize_t\t\t\t flen;\n");
	if (w->decl & D_GAI)
		buf_adds(b, "\tstruct addrinfo\t\t hints, *res;\n"
		    "\tint\t\t\t gai;\n");
	if (w->decl & D_NAMES)
		buf_adds(b, "\tchar\t\t\t host[NI_MAXHOST], "
		    "serv[NI_MAXSERV];\n");
	if (w->decl & D_SEL)
		buf_adds(b, "\tfd_set\t\t\t rd, wr, ex;\n"
		    "\tint\t\t\t nfds;\n"
		    "\tstruct timeval\t\t stv;\n");
	if (w->decl & D_EV)
		buf_adds(b, "\tstruct epoll_event\t ev, evs[64];\n"
		    "\tint\t\t\t k;\n");
	if (w->decl & D_TCPINFO)
		buf_adds(b, "\tstruct tcp_info\t ti;\n");
	if (w->decl & D_OFF)
		buf_adds(b, "\tint\t\t\t ffd;\n"
		    "\toff_t\t\t\t off;\n");
}

void
export_c(struct export *x)
{
	struct cw		 w;
	struct xexpect		 xe;
	struct buf		 text = { 0 }, *b = x->out;
	const struct log_step	*st;
	size_t			 i, j;
	int			 k, first = 1, shown;

	memset(&w, 0, sizeof w);
	w.x = x;
	for (i = 0; i < x->nsocks; i++)
		x->socks[i].refs = 0;
	c_tls_scan(&w);
	for (i = 0; i < log_nsteps; i++) {
		st = &log_steps[i];
		if (st->cmd == &cmd_export_entry || st->nrecs == 0)
			continue;
		export_expect(x, i, &xe);
		for (j = st->first, shown = 0; j < st->first + st->nrecs; j++)
			shown += !x->recs[j].skip;
		if (shown == 0) {
			/*
			 * A starttls whose set-up failed made nothing; if
			 * nothing expected that, the program ends with 1 too.
			 */
			if (tls_setup_failed(i) && xe.check == XC_TOLERATE) {
				w.need |= H_ASBEFORE;
				line(&w, 1, "%s/* %s: its set-up failed in the "
				    "session; nothing was made */", first ? "" :
				    "\n", log_steps[i].cmd->name);
				first = 0;
				line(&w, 1, "errno = %s;", errno_name(xe.err));
				line(&w, 1, "as_before(\"starttls\", %s);",
				    errno_name(xe.err));
			}
			for (j = st->first; j < st->first + st->nrecs; j++)
				export_track(x, &log_recs[j].rec);
			export_expect_free(&xe);
			continue;
		}
		buf_reset(&text);
		export_step_text(i, &text);
		export_step_note(x, i, &text);
		if (xe.text.len > 0) {
			buf_adds(&text, "; ");
			buf_add(&text, xe.text.data, xe.text.len);
		}
		if (!first)
			buf_addc(&w.body, '\n');
		first = 0;
		c_comment(&w, buf_str(&text));
		if (export_is_loop(st))
			c_loop(&w, i, &xe);
		for (j = st->first; j < st->first + st->nrecs; j++) {
			if (!export_is_loop(st) && !x->recs[j].skip)
				c_rec(&w, i, j, &xe);
			export_track(x, &log_recs[j].rec);
		}
		export_expect_free(&xe);
	}
	buf_free(&text);
	/* A socket made and never used again (-Werror would refuse it). */
	for (i = 0; i < x->nsocks; i++)
		if (x->socks[i].refs == 1)
			line(&w, 1, "(void)%s;	/* made, then not used */",
			    x->socks[i].name);

	buf_printf(b, "/*\n"
	    " * A sockrepl session, exported by sockrepl " SOCKREPL_VERSION
	    " (export c).\n"
	    " * Build: cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -o prog "
	    "prog.c%s\n"
	    " * Received data is written to stdout; errors go to stderr and "
	    "end the\n"
	    " * program with status 1.\n"
	    " */\n"
	    "#include <sys/types.h>\n"
	    "#include <sys/epoll.h>\n"
	    "#include <sys/select.h>\n"
	    "#include <sys/sendfile.h>\n"
	    "#include <sys/socket.h>\n"
	    "#include <sys/stat.h>\n"
	    "#include <sys/un.h>\n"
	    "#include <netinet/in.h>\n"
	    "#include <netinet/tcp.h>\n"
	    "#include <net/if.h>\n"
	    "#include <arpa/inet.h>\n"
	    "\n"
	    "#include <errno.h>\n"
	    "#include <fcntl.h>\n"
	    "#include <netdb.h>\n"
	    "#include <poll.h>\n"
	    "#include <stddef.h>\n"
	    "#include <stdint.h>\n"
	    "#include <stdio.h>\n"
	    "#include <stdlib.h>\n"
	    "#include <string.h>\n"
	    "#include <time.h>\n"
	    "#include <unistd.h>\n", w.tls ? " \\\n *     $(pkg-config "
	    "--cflags --libs libssl libcrypto)" : "");
	if (w.tls)
		buf_printf(b, "#include <limits.h>\n"
		    "#include <signal.h>\n"
		    "\n"
		    "#include <openssl/err.h>\n"
		    "#include <openssl/ssl.h>\n"
		    "%s", (w.need & H_SELFSIGNED) ?
		    "#include <openssl/rand.h>\n"
		    "#include <openssl/x509v3.h>\n" : "");
	/*
	 * A step's after-success lines are not written when it was to fail:
	 * the helpers only they call are left out too (-Werror).
	 */
	for (k = 0; oklines[k].call != NULL; k++)
		if (strstr(buf_str(&w.body), oklines[k].call) == NULL)
			w.need &= ~oklines[k].flag;
	/* Helpers that others use come along. */
	for (k = 0; helpers[k].text != NULL; k++)
		if (w.need & helpers[k].flag)
			w.need |= helpers[k].deps;
	if (w.need & (H_UNTIL | H_ALL | H_EXACT | H_SENDALL))
		w.need |= H_READY;
	/* The TLS forms of the loop helpers read and write through TLS. */
	if (w.tlsfd && (w.need & (H_UNTIL | H_ALL | H_EXACT | H_RECVBUF)))
		w.need |= H_TLSFD | H_TLSREAD | H_TLSIO | H_READY;
	if (w.tlsfd && (w.need & H_SENDALL))
		w.need |= H_TLSFD | H_TLSWRITE | H_TLSIO | H_READY;
	for (k = 0; helpers[k].text != NULL; k++) {
		if (!(w.need & helpers[k].flag))
			continue;
		buf_addc(b, '\n');
		buf_adds(b, c_helper_text(&w, k));
	}
	if (w.decl & D_BUF)
		buf_printf(b, "\nstatic char buf[%zu];\n", x->maxrecv);
	/* < FILE, and room for sendline's line end. */
	if (w.decl & D_FBUF)
		buf_printf(b, "static char fbuf[%d + 2];\n", DATA_CHUNK);
	buf_adds(b, "\nint\nmain(void)\n{\n");
	c_decls(&w, b);
	buf_adds(b, "\n");
	if (w.tls)
		buf_adds(b, "\t/*\n"
		    "\t * A peer that has gone makes SSL_write fail with EPIPE, "
		    "as send\n"
		    "\t * does with MSG_NOSIGNAL, instead of ending the program.\n"
		    "\t */\n"
		    "\tsignal(SIGPIPE, SIG_IGN);\n\n");
	buf_add(b, w.body.data, w.body.len);
	if (w.body.len > 0)
		buf_addc(b, '\n');
	/* What the helpers read ahead: freed, so a leak checker is quiet. */
	for (i = 0, k = 0; i < x->nsocks; i++) {
		if (!x->socks[i].inbuf)
			continue;
		buf_printf(b, "\tfree(%s_in.p);\n", x->socks[i].name);
		k++;
	}
	if (k > 0)
		buf_addc(b, '\n');
	if (w.need & H_ASBEFORE)
		buf_adds(b, "\treturn failures > 0;\n}\n");
	else
		buf_adds(b, "\treturn 0;\n}\n");
	buf_free(&w.body);
	free(w.ssl);
}
