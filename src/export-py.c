/*
 * export python: the session as one Python 3 script using only the
 * standard library. Python's socket objects do some of what the records
 * show by themselves (a timeout's poll, the non-blocking connect behind
 * connect with a timeout, retries after EINTR), so those records become
 * the one method call that makes them; the rest map call for call.
 */
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <errno.h>
#include <stddef.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sockrepl.h"

#define P_SHOW		0x01
#define P_UNEXPECTED	0x02
#define P_CHECKDATA	0x04
#define P_CHECKRET	0x08
#define P_BUFFERED	0x10
#define P_UNTIL		0x20
#define P_ALL		0x40
#define P_WAITFOR	0x80
#define P_SENT		0x100
#define P_SAVE		0x200
#define P_LOAD		0x400
#define P_SENDFILE	0x800
#define P_FDSOF		0x1000
#define P_EXACT		0x2000
#define P_NOTIFY	0x4000
#define P_TLSRECV	0x8000
#define P_TLSREADY	0x10000

/* The most SSL_write sends at once in partial-write mode: one record. */
#define TLS_RECORD	16384

struct pw {
	struct export	*x;
	struct buf	 body;
	int		 need;
	int		 struct_used;
	int		 select_used;
	int		 time_used;
	int		 errno_used;
	int		 tolerated;	/* a failure nothing expected */
	int		 os_used;
	int		 fcntl_used;
	int		 array_used;
	int		 ssl_used;
	struct buf	 tls_host;	/* starttls: the name to check, */
	int		 tls_named;	/* if there is one */
	int		 tls_noverify;	/* -k */
	struct buf	 tls_cert;	/* -server CERT KEY: CERT */
	unsigned char	*tls_on;	/* per socket: wrapped now */
	int		 tls_rec;	/* the record written speaks TLS */
};

static void	py_rec_more(struct pw *, size_t, size_t, enum xcheck, int);
static void	py_str(struct buf *, const char *);

static void
pline(struct pw *w, int indent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
pline(struct pw *w, int indent, const char *fmt, ...)
{
	va_list	ap;

	while (indent-- > 0)
		buf_adds(&w->body, "    ");
	va_start(ap, fmt);
	buf_vprintf(&w->body, fmt, ap);
	va_end(ap);
	buf_addc(&w->body, '\n');
}

/* Lines separated by newlines, each indented. */
static void
plines(struct pw *w, int indent, const char *s)
{
	const char	*nl;

	while (s != NULL && *s != '\0') {
		if ((nl = strchr(s, '\n')) == NULL)
			nl = s + strlen(s);
		pline(w, indent, "%.*s", (int)(nl - s), s);
		if (*nl == '\0')
			break;
		s = nl + 1;
	}
}

/* A bytes literal, split over lines inside parentheses when long. */
static void
py_bytes(struct buf *b, const char *p, size_t n)
{
	const unsigned char	*u = (const unsigned char *)p;
	size_t			 i, col = 0;
	int			 split = n > 48;

	if (split)
		buf_adds(b, "(");
	buf_adds(b, "b\"");
	for (i = 0; i < n; i++) {
		if (col >= 56) {
			buf_adds(b, "\"\n        b\"");
			col = 0;
		}
		switch (u[i]) {
		case '\n': buf_adds(b, "\\n"); col += 2; break;
		case '\r': buf_adds(b, "\\r"); col += 2; break;
		case '\t': buf_adds(b, "\\t"); col += 2; break;
		case '\\': buf_adds(b, "\\\\"); col += 2; break;
		case '"': buf_adds(b, "\\\""); col += 2; break;
		default:
			if (u[i] >= 0x20 && u[i] < 0x7f) {
				buf_addc(b, (char)u[i]);
				col++;
			} else {
				buf_printf(b, "\\x%02x", u[i]);
				col += 4;
			}
		}
		if (u[i] == '\n' && i + 1 < n)
			col = 56;
	}
	buf_adds(b, "\"");
	if (split)
		buf_adds(b, ")");
}

/* A C constant as the socket module names it. */
static void
py_const(struct buf *b, const struct name *t, int v)
{
	const char	*s = name_of(t, v);

	if (s != NULL && strcmp(s, "0") != 0)
		buf_printf(b, "socket.%s", s);
	else
		buf_printf(b, "%d", v);
}

static void
py_flags(struct buf *b, const struct name *t, int flags)
{
	int	first = 1;

	for (; t->name != NULL; t++) {
		if (t->value != 0 && (flags & t->value) == t->value) {
			buf_printf(b, "%ssocket.%s", first ? "" : " | ",
			    t->name);
			flags &= ~t->value;
			first = 0;
		}
	}
	if (flags != 0 || first)
		buf_printf(b, "%s%#x", first ? "" : " | ", flags);
}

/* The address of record i: a tuple, a path, or a variable. */
static void
py_addr(struct pw *w, size_t i, const struct addr *a, struct buf *b)
{
	const struct xrec	*xr = &w->x->recs[i];
	const struct sockaddr_in *sin = (const void *)&a->ss;
	const struct sockaddr_in6 *sin6 = (const void *)&a->ss;
	const char		*path;
	char			 host[INET6_ADDRSTRLEN];
	struct buf		 port = { 0 };
	size_t			 plen, k;

	if (xr->peer_src >= 0) {
		buf_printf(b, "%s_peer", export_name(w->x,
		    log_recs[xr->peer_src].rec.seq));
		return;
	}
	if (xr->port_src >= 0)
		buf_printf(&port, "%s_port", export_name(w->x,
		    log_recs[xr->port_src].rec.seq));
	else
		buf_printf(&port, "%d", addr_port((const struct sockaddr *)
		    &a->ss));
	switch (a->ss.ss_family) {
	case AF_INET:
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		buf_printf(b, "(\"%s\", %s)", host, buf_str(&port));
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		if (sin6->sin6_scope_id != 0 || sin6->sin6_flowinfo != 0)
			buf_printf(b, "(\"%s\", %s, %u, %u)", host,
			    buf_str(&port), ntohl(sin6->sin6_flowinfo),
			    (unsigned)sin6->sin6_scope_id);
		else
			buf_printf(b, "(\"%s\", %s)", host, buf_str(&port));
		break;
	case AF_UNIX:
		path = ((const struct sockaddr_un *)(const void *)&a->ss)->
		    sun_path;
		plen = a->len > offsetof(struct sockaddr_un, sun_path) ?
		    a->len - offsetof(struct sockaddr_un, sun_path) : 0;
		/* A path ends at its NUL; an abstract name is exact bytes. */
		if (plen > 0 && path[0] != '\0') {
			for (k = 0; k < plen && path[k] != '\0'; k++)
				;
			plen = k;
		}
		py_bytes(b, path, plen);
		break;
	default:
		buf_printf(b, "None  # family %d: not exported",
		    a->ss.ss_family);
	}
	buf_free(&port);
}

/* The exception a failure with errno err raises, and whether it is exact. */
static const char *
py_exc(int err, int *exact)
{
	*exact = 1;
	switch (err) {
	case EAGAIN:
		return "BlockingIOError";
	case ECONNREFUSED:
		return "ConnectionRefusedError";
	case ECONNRESET:
		return "ConnectionResetError";
	case ECONNABORTED:
		return "ConnectionAbortedError";
	case EPIPE:
		return "BrokenPipeError";
	case ETIMEDOUT:
		return "socket.timeout";
	case ENOENT:
		return "FileNotFoundError";
	}
	*exact = 0;
	return "OSError";
}

/*
 * What Python's ssl module raises where SSL_read or SSL_write failed so:
 * it has exceptions of its own for some (SSLWantReadError is not a
 * BlockingIOError, SSLEOFError not a BrokenPipeError).
 */
static const char *
py_tls_exc(int err, int *exact)
{
	*exact = 1;
	switch (err) {
	case EAGAIN:
		return "(BlockingIOError, ssl.SSLWantReadError, "
		    "ssl.SSLWantWriteError)";
	case EPIPE:
	case ECONNRESET:
		return "(BrokenPipeError, ConnectionResetError, ssl.SSLEOFError)";
	case EPROTO:
		return "ssl.SSLError";
	}
	return py_exc(err, exact);
}

/*
 * A statement and its check: stmt may fail; ok runs after a success. Both
 * are lines separated by newlines.
 */
static void
py_check(struct pw *w, const char *stmt, const char *call, enum xcheck c,
    int err, const char *ok)
{
	const char	*exc;
	int		 exact;

	if (c == XC_OK) {
		plines(w, 1, stmt);
		plines(w, 1, ok);
		return;
	}
	pline(w, 1, "try:");
	plines(w, 2, stmt);
	exc = w->tls_rec ? py_tls_exc(err, &exact) : py_exc(err, &exact);
	if (c == XC_PASS) {
		/* It may fail so, as in the session, and the step goes on. */
		if (exact) {
			pline(w, 1, "except %s:", exc);
			pline(w, 2, "pass");
		} else {
			w->errno_used = 1;
			pline(w, 1, "except OSError as e:");
			pline(w, 2, "if e.errno != errno.%s:", errno_name(err));
			pline(w, 3, "raise");
		}
		if (ok != NULL && *ok != '\0') {
			pline(w, 1, "else:");
			plines(w, 2, ok);
		}
		return;
	}
	if (c == XC_FAIL) {
		pline(w, 1, "except OSError:");
		pline(w, 2, "pass");
	} else if (exact)
		pline(w, 1, "except %s%s:", exc, c == XC_TOLERATE ?
		    " as e" : "");
	else if (IS_EAI_ERR(err)) {
		/* A lookup's error: socket.gaierror, errno an EAI_ code. */
		pline(w, 1, "except socket.gaierror as e:");
		pline(w, 2, "if e.errno != socket.%s:", errno_name(err));
		pline(w, 3, "raise");
	} else {
		w->errno_used = 1;
		pline(w, 1, "except OSError as e:");
		pline(w, 2, "if e.errno != errno.%s:", errno_name(err));
		pline(w, 3, "raise");
	}
	if (c == XC_TOLERATE) {
		w->tolerated = 1;
		pline(w, 2, "print(\"%s: %%s (as in the session)\" %% e, "
		    "file=sys.stderr)", call);
		pline(w, 2, "FAILED.append(e)");
		if (ok != NULL && *ok != '\0') {
			pline(w, 1, "else:");
			plines(w, 2, ok);
		}
		return;
	}
	if (c == XC_ERRNO && exact)
		pline(w, 2, "pass");
	w->need |= P_UNEXPECTED;
	pline(w, 1, "else:");
	pline(w, 2, "unexpected(\"%s\", \"%s\")", call, c == XC_FAIL ?
	    "a failure" : errno_name(err));
}

static void
py_data_checks(struct pw *w, const struct xexpect *xe, const char *call,
    struct buf *ok, int ret)
{
	if (xe->have_data) {
		w->need |= P_CHECKDATA;
		buf_printf(ok, "\ncheck_data(\"%s\", data, ", call);
		py_bytes(ok, xe->data.data != NULL ? xe->data.data : "",
		    xe->data.len);
		buf_adds(ok, ")");
	}
	if (ret && xe->have_ret) {
		w->need |= P_CHECKRET;
		buf_printf(ok, "\ncheck_ret(\"%s\", len(data), %ld)", call,
		    xe->ret);
	}
}

/*
 * The record standing for step st's outcome in Python, where the poll of
 * a timeout and the SO_ERROR read after connect are inside the method.
 */
static long
py_outcome(struct pw *w, const struct log_step *st, const struct xexpect *xe)
{
	const struct call_rec	*r;
	size_t			 j;

	if (xe->outcome < 0)
		return -1;
	r = &log_recs[xe->outcome].rec;
	if (!(r->flags & (CF_WAIT | CF_CONNRESULT)))
		return xe->outcome;
	/*
	 * The call after the poll on the same socket, else the connect (a
	 * close after it is of a failed attempt's socket, not that call).
	 */
	for (j = (size_t)xe->outcome + 1; j < st->first + st->nrecs &&
	    log_recs[j].rec.call != CALL_CLOSE; j++)
		if (!w->x->recs[j].skip && log_recs[j].rec.call != CALL_PPOLL)
			return (long)j;
	for (j = (size_t)xe->outcome; j-- > st->first;)
		if (log_recs[j].rec.call == CALL_CONNECT)
			return (long)j;
	return xe->outcome;
}

/* A call the session did not make: its socket's timeout ran out first. */
static void
py_timed_out(struct pw *w, const struct log_step *st, size_t step,
    const struct xexpect *xe)
{
	const char	*S = export_name(w->x, st->seq);
	struct buf	 s = { 0 };
	long long	 size;
	int		 flags;

	if (st->cmd == &cmd_accept_entry)
		buf_printf(&s, "%s.accept()", S);
	else if (st->cmd == &cmd_recv_entry || st->cmd == &cmd_recvfrom_entry) {
		export_recv_words(step, &size, &flags);
		buf_printf(&s, "%s.%s(%lld", S, st->cmd->name, size);
		if (flags != 0) {
			buf_adds(&s, ", ");
			py_flags(&s, msgflag_names, flags);
		}
		buf_adds(&s, ")");
	} else {
		pline(w, 1, "# %s timed out in the session before its call: "
		    "not exported", st->cmd->name);
		return;
	}
	py_check(w, buf_str(&s), st->cmd->name, xe->check, xe->err, NULL);
	buf_free(&s);
}

/*
 * expect ret N after a step whose last call is r, where the method does
 * not return what the call did: a new fd differs from run to run, and a
 * method that returns None stands for a call that returned 0.
 */
static void
py_ret_note(struct pw *w, const struct call_rec *r, const struct xexpect *xe,
    const char *call)
{
	switch (export_ret_kind(r)) {
	case XR_FD:
		pline(w, 1, "# expect ret %ld: a new fd, which differs from run "
		    "to run", xe->ret);
		break;
	case XR_NONE:
		pline(w, 1, "# expect ret %ld: not a return this script sees",
		    xe->ret);
		break;
	case XR_VALUE:
		pline(w, 1, "# expect ret %ld: holds when %s raises nothing",
		    xe->ret, call);
		break;
	}
}

/*
 * Options and levels the socket module may lack, by number, so the script
 * runs on any Python 3: SO_TIMESTAMP is there only on some builds.
 */
static const char *const py_lacks[] = {
	"SO_TIMESTAMP", "SO_TIMESTAMPNS", "SO_BUSY_POLL", "IP_PKTINFO",
	"IP_RECVTTL", "IP_RECVTOS", "IPV6_RECVHOPLIMIT", "SO_PEERCRED",
	"SO_PASSCRED", "SO_MARK", "SO_BINDTODEVICE", "TCP_CONGESTION",
	"TCP_FASTOPEN", "TCP_DEFER_ACCEPT", "TCP_USER_TIMEOUT", NULL
};

static void
py_optname(struct buf *b, const struct sockopt *o)
{
	int	i;

	for (i = 0; py_lacks[i] != NULL; i++)
		if (strcmp(py_lacks[i], o->name) == 0) {
			buf_printf(b, "getattr(socket, \"%s\", %d)", o->name,
			    o->optname);
			return;
		}
	buf_printf(b, "socket.%s", o->name);
}

static void
py_level(struct buf *b, int level)
{
	const char	*n = name_of(level_names, level);

	if (n != NULL)
		buf_printf(b, "socket.%s", n);
	else
		buf_printf(b, "%d", level);
}

/* An IPv4 address as bytes: socket.inet_aton("127.0.0.1"). */
static void
py_inaddr(struct buf *b, const struct in_addr *a)
{
	char	s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, a, s, sizeof s);
	buf_printf(b, "socket.inet_aton(\"%s\")", s);
}

static void
py_ifindex(struct buf *b, unsigned idx)
{
	char	name[IF_NAMESIZE];

	if (idx != 0 && if_indextoname(idx, name) != NULL)
		buf_printf(b, "socket.if_nametoindex(\"%s\")", name);
	else
		buf_printf(b, "%u", idx);
}

/* A setsockopt's value, as the socket module takes it. */
static void
py_optval(struct pw *w, const struct call_rec *r, struct buf *e)
{
	const struct sockopt	*o = r->opt;
	char			 s6[INET6_ADDRSTRLEN];

	switch (o->kind) {
	case OPT_LINGER:
		w->struct_used = 1;
		buf_printf(e, "struct.pack(\"ii\", %d, %d)", r->val.l.l_onoff,
		    r->val.l.l_linger);
		break;
	case OPT_TIMEVAL:
		w->struct_used = 1;
		buf_printf(e, "struct.pack(\"ll\", %ld, %ld)",
		    (long)r->val.tv.tv_sec, (long)r->val.tv.tv_usec);
		break;
	case OPT_STRING:
		py_bytes(e, r->val.str, r->vallen);
		break;
	case OPT_MREQ:
		py_inaddr(e, &r->val.mreq.imr_multiaddr);
		buf_adds(e, " + ");
		py_inaddr(e, &r->val.mreq.imr_address);
		if (r->vallen >= sizeof(struct ip_mreqn)) {
			w->struct_used = 1;
			buf_adds(e, " + struct.pack(\"i\", ");
			py_ifindex(e, (unsigned)r->val.mreq.imr_ifindex);
			buf_adds(e, ")");
		}
		break;
	case OPT_MREQ6:
		w->struct_used = 1;
		inet_ntop(AF_INET6, &r->val.mreq6.ipv6mr_multiaddr, s6,
		    sizeof s6);
		buf_printf(e, "socket.inet_pton(socket.AF_INET6, \"%s\") + "
		    "struct.pack(\"I\", ", s6);
		py_ifindex(e, r->val.mreq6.ipv6mr_interface);
		buf_adds(e, ")");
		break;
	case OPT_INADDR:
		py_inaddr(e, &r->val.in);
		break;
	case OPT_IFINDEX:
		py_ifindex(e, (unsigned)r->val.i);
		break;
	case OPT_RAW:
		if (r->vallen != sizeof(int)) {
			py_bytes(e, (const char *)r->val.raw, r->vallen);
			break;
		}
		/* FALLTHROUGH */
	default:
		buf_printf(e, "%d", r->val.i);
	}
}

/* sendmsg of record i, as the socket module makes it, into e. */
static void
py_sendmsg(struct pw *w, size_t i, const char *S, struct buf *e)
{
	const struct call_rec	*r = &log_recs[i].rec;
	union ctlbuf		 u;
	size_t			 ctllen = export_ctl(i, &u);
	const char		*d = log_rec_data(&log_recs[i]);
	struct msghdr		 m;
	struct cmsghdr		*c;
	size_t			 k, nfd;
	int			 fd, first = 1;

	buf_printf(e, "n = %s.sendmsg([", S);
	py_bytes(e, d != NULL ? d : "", d != NULL ? r->len : 0);
	buf_adds(e, "], [");
	memset(&m, 0, sizeof m);
	m.msg_control = u.b;
	m.msg_controllen = ctllen;
	for (c = ctllen > 0 ? CMSG_FIRSTHDR(&m) : NULL; c != NULL;
	    c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type ==
		    SCM_CREDENTIALS) {
			w->struct_used = w->os_used = 1;
			buf_printf(e, "%s(socket.SOL_SOCKET, "
			    "socket.SCM_CREDENTIALS, struct.pack(\"3i\", "
			    "os.getpid(), os.getuid(), os.getgid()))",
			    first ? "" : ", ");
			first = 0;
		}
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		w->array_used = 1;
		buf_printf(e, "%s(socket.SOL_SOCKET, socket.SCM_RIGHTS, "
		    "array.array(\"i\", [", first ? "" : ", ");
		first = 0;
		nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < nfd; k++) {
			memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd);
			buf_printf(e, "%s%s.fileno()", k ? ", " : "",
			    export_name(w->x, export_fd_seq(w->x, fd)));
		}
		buf_adds(e, "]))");
	}
	buf_adds(e, "]");
	if (r->arg != 0) {
		buf_adds(e, ", ");
		py_flags(e, msgflag_names, r->arg);
	}
	buf_adds(e, ")");
}

/* Note (on 1) or ask (on -1) whether socket seq is wrapped in TLS now. */
static int
py_tls_on(struct pw *w, uint64_t seq, int on)
{
	struct xsock	*s = export_sock(w->x, seq);
	size_t		 k;

	if (s == NULL)
		return 0;
	k = (size_t)(s - w->x->socks);
	if (w->tls_on == NULL && on != -1 &&
	    (w->tls_on = calloc(w->x->nsocks + 1, 1)) == NULL)
		nomem();
	if (w->tls_on == NULL)
		return 0;
	if (on != -1)
		w->tls_on[k] = (unsigned char)on;
	return w->tls_on[k];
}

/* "TLS1_2_VERSION": ssl.TLSVersion.TLSv1_2. */
static const char *
py_tls_version(const char *t)
{
	if (strstr(t, "TLS1_3_VERSION") != NULL)
		return "ssl.TLSVersion.TLSv1_3";
	if (strstr(t, "TLS1_2_VERSION") != NULL)
		return "ssl.TLSVersion.TLSv1_2";
	if (strstr(t, "TLS1_1_VERSION") != NULL)
		return "ssl.TLSVersion.TLSv1_1";
	return "ssl.TLSVersion.TLSv1";
}

/*
 * starttls: the OpenSSL set-up calls become an ssl.SSLContext, the
 * handshake wrap_socket (S is the wrapped socket from then on), and
 * SSL_shutdown unwrap (close_notify; S is the plain socket again).
 * export refuses a session whose TLS calls failed or which made its own
 * certificate, so each call here worked.
 */
static void
py_tls(struct pw *w, size_t i, const char *S)
{
	const struct call_rec *r = &log_recs[i].rec;
	const char	*d = log_rec_data(&log_recs[i]);
	const char	*t = d != NULL ? d : "";
	size_t		 n = d != NULL ? r->len : 0;
	struct buf	 q = { 0 }, e = { 0 };
	struct xsock	*xs;

	w->ssl_used = 1;
	switch (r->call) {
	case CALL_SSL_SETUP:
		if (n >= 11 && strncmp(t, "SSL_CTX_new", 11) == 0) {
			w->tls_named = w->tls_noverify = 0;
			buf_reset(&w->tls_cert);
			if (memmem(t, n, "server", 6) != NULL)
				pline(w, 1, "ctx = ssl.SSLContext("
				    "ssl.PROTOCOL_TLS_SERVER)");
			else
				pline(w, 1, "ctx = ssl.SSLContext("
				    "ssl.PROTOCOL_TLS_CLIENT)");
		} else if (strncmp(t, "SSL_CTX_set_min_proto_version", 29) ==
		    0)
			pline(w, 1, "ctx.minimum_version = %s",
			    py_tls_version(t));
		else if (strncmp(t, "SSL_CTX_set_max_proto_version", 29) == 0)
			pline(w, 1, "ctx.maximum_version = %s",
			    py_tls_version(t));
		else if (strncmp(t, "SSL_CTX_use_certificate_chain_file",
		    34) == 0)
			export_tls_arg(t, n, &w->tls_cert);
		else if (strncmp(t, "SSL_CTX_use_PrivateKey_file", 27) == 0 &&
		    export_tls_arg(t, n, &q)) {
			/* The key's "..." is followed by SSL_FILETYPE_PEM. */
			buf_adds(&e, "ctx.load_cert_chain(");
			py_str(&e, buf_str(&w->tls_cert));
			buf_adds(&e, ", ");
			py_str(&e, buf_str(&q));
			buf_adds(&e, ")");
			pline(w, 1, "%s", buf_str(&e));
		} else if (strncmp(t, "SSL_CTX_load_verify_locations", 29) ==
		    0 && export_tls_arg(t, n, &q)) {
			buf_adds(&e, "ctx.load_verify_locations(");
			py_str(&e, buf_str(&q));
			buf_adds(&e, ")");
			pline(w, 1, "%s", buf_str(&e));
		} else if (strncmp(t, "SSL_CTX_set_default_verify_paths", 32) ==
		    0)
			pline(w, 1, "ctx.set_default_verify_paths()");
		else if (strncmp(t, "SSL_CTX_set_verify", 18) == 0 &&
		    memmem(t, n, "SSL_VERIFY_NONE", 15) != NULL) {
			/* -k: no host name check, no verification. */
			w->tls_noverify = 1;
			pline(w, 1, "ctx.check_hostname = False");
			pline(w, 1, "ctx.verify_mode = ssl.CERT_NONE");
		} else if ((strncmp(t, "SSL_CTX_set_alpn_protos", 23) == 0 ||
		    strncmp(t, "SSL_CTX_set_alpn_select_cb", 26) == 0) &&
		    export_tls_arg(t, n, &q)) {
			buf_adds(&e, "ctx.set_alpn_protocols(");
			py_str(&e, buf_str(&q));
			buf_adds(&e, ".split(\",\"))");
			pline(w, 1, "%s", buf_str(&e));
		} else if ((strncmp(t, "SSL_set1_host", 13) == 0 ||
		    strncmp(t, "X509_VERIFY_PARAM_set1_ip_asc", 29) == 0) &&
		    export_tls_arg(t, n, &w->tls_host))
			w->tls_named = 1;
		break;
	case CALL_SSL_CONNECT:
		py_tls_on(w, r->seq, 1);
		if (!w->tls_named && !w->tls_noverify)
			/* No name: the certificate is checked, not a name. */
			pline(w, 1, "ctx.check_hostname = False");
		buf_printf(&e, "%s = ctx.wrap_socket(%s, server_hostname=", S,
		    S);
		py_str(&e, w->tls_named ? buf_str(&w->tls_host) : NULL);
		buf_adds(&e, ")");
		pline(w, 1, "%s", buf_str(&e));
		break;
	case CALL_SSL_ACCEPT:
		py_tls_on(w, r->seq, 1);
		pline(w, 1, "%s = ctx.wrap_socket(%s, server_side=True)", S,
		    S);
		break;
	case CALL_SSL_SHUTDOWN:
		w->need |= P_NOTIFY | P_TLSRECV;
		if ((xs = export_sock(w->x, r->seq)) != NULL && xs->inbuf)
			pline(w, 1, "close_notify(%s, %s_in)", S, S);
		else
			pline(w, 1, "close_notify(%s)", S);
		break;
	default:
		break;
	}
	buf_free(&q);
	buf_free(&e);
}

static void
py_rec(struct pw *w, size_t step, size_t i, const struct xexpect *xe,
    enum xcheck c, int err)
{
	const struct log_step	*st = &log_steps[step];
	const struct call_rec	*r = &log_recs[i].rec;
	const struct sockopt	*o = r->opt;
	struct xsock		*s = export_sock(w->x, r->seq), *ns;
	const char		*S = export_name(w->x, r->seq), *call, *d, *q;
	const struct pollfd	*pfd;
	struct buf		 e = { 0 }, ok = { 0 }, a = { 0 }, path = { 0 };
	long long		 size;
	int			 k, want, append;

	call = call_name(r->call);
	want = xe->have_ret && (long)i == xe->ret_rec;
	w->tls_rec = (r->flags & CF_TLS) != 0;
	/* Where the method's value is not the call's return, say so. */
	if (want && ((export_ret_kind(r) != XR_VALUE) || (r->call !=
	    CALL_SEND && r->call != CALL_SENDTO && r->call != CALL_RECV &&
	    r->call != CALL_RECVFROM && r->call != CALL_BUFFERED &&
	    r->call != CALL_PPOLL && r->call != CALL_IOCTL &&
	    r->call != CALL_SENDMSG && r->call != CALL_RECVMSG)))
		py_ret_note(w, r, xe, call);
	switch (r->call) {
	case CALL_SSL_SETUP:
	case CALL_SSL_CONNECT:
	case CALL_SSL_ACCEPT:
	case CALL_SSL_SHUTDOWN:
		py_tls(w, i, S);
		break;
	case CALL_SOCKET:
		buf_printf(&e, "%s = socket.socket(", S);
		py_const(&e, family_names, r->family);
		buf_adds(&e, ", ");
		py_const(&e, type_names, r->type);
		if (r->protocol != 0) {
			buf_adds(&e, ", ");
			py_const(&e, proto_names, r->protocol);
		}
		buf_adds(&e, ")");
		if (s != NULL && s->inbuf)
			buf_printf(&e, "\n%s_in = bytearray()", S);
		/* A socket the step made to connect with a timeout. */
		for (k = (int)(i + 1); (size_t)k < st->first + st->nrecs;
		    k++)
			if (log_recs[k].rec.call == CALL_CONNECT &&
			    log_recs[k].rec.seq == r->seq) {
				if (log_recs[k].rec.snap.timeout > 0)
					buf_printf(&e, "\n%s.settimeout(%g)",
					    S, log_recs[k].rec.snap.timeout);
				break;
			}
		py_check(w, buf_str(&e), "socket", c, err, NULL);
		break;
	case CALL_SOCKETPAIR:
		if (r->ret == 0)
			buf_printf(&e, "%s, %s = ", export_name(w->x,
			    r->sv_seq[0]), export_name(w->x, r->sv_seq[1]));
		buf_adds(&e, "socket.socketpair(socket.AF_UNIX, ");
		py_const(&e, type_names, r->type);
		buf_adds(&e, ")");
		for (k = 0; k < 2 && r->ret == 0; k++)
			if ((ns = export_sock(w->x, r->sv_seq[k])) != NULL &&
			    ns->inbuf)
				buf_printf(&e, "\n%s_in = bytearray()",
				    ns->name);
		py_check(w, buf_str(&e), "socketpair", c, err, NULL);
		break;
	case CALL_BIND:
	case CALL_CONNECT:
		py_addr(w, i, &r->addr, &a);
		/* A careful server removes the file an earlier run left. */
		/* A long path comes wrapped in (...): look inside. */
		q = a.len > 0 && a.data[0] == '(' ? a.data + 1 : a.data;
		if (r->call == CALL_BIND && r->addr.ss.ss_family == AF_UNIX &&
		    a.len > 4 && q[0] == 'b' && q[2] != '\\') {
			w->os_used = 1;
			pline(w, 1, "try:");
			pline(w, 2, "os.unlink(%s)", buf_str(&a));
			pline(w, 1, "except FileNotFoundError:");
			pline(w, 2, "pass");
		}
		buf_printf(&e, "%s.%s(%s)", S, call, buf_str(&a));
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_LISTEN:
		buf_printf(&e, "%s.listen(%d)", S, r->arg);
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_ACCEPT:
		if (r->ret >= 0) {
			buf_printf(&e, "%s, _ = %s.accept()", export_name(w->x,
			    r->new_seq), S);
			if ((ns = export_sock(w->x, r->new_seq)) != NULL &&
			    ns->inbuf)
				buf_printf(&e, "\n%s_in = bytearray()",
				    ns->name);
		} else
			buf_printf(&e, "%s.accept()", S);
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_SEND:
	case CALL_SENDTO:
		w->need |= P_SENT;
		if (export_step_infile(step, &path)) {
			/* < FILE: the file as it is when the script runs. */
			w->need |= P_LOAD;
			buf_adds(&e, "data = load(");
			py_bytes(&e, path.data, path.len);
			buf_printf(&e, ", %d)", DATA_CHUNK);
			d = st->cmd == &cmd_sendline_entry ?
			    export_send_suffix(i, r->len) : "";
			if (*d != '\0') {
				buf_adds(&e, " + ");
				py_bytes(&e, d, strlen(d));
			}
			buf_printf(&e, "\nn = %s.%s(data", S, call);
			if (r->flags & CF_TLS)
				buf_printf(&e, "[:%d]", TLS_RECORD);
			buf_printf(&ok, "sent(\"%s\", n, len(data))", call);
		} else {
			if ((r->flags & CF_TLS) && r->len > TLS_RECORD)
				buf_adds(&e, "data = ");
			else
				buf_printf(&e, "n = %s.%s(", S, call);
			d = log_rec_data(&log_recs[i]);
			py_bytes(&e, d != NULL ? d : "", d != NULL ? r->len :
			    0);
			if ((r->flags & CF_TLS) && r->len > TLS_RECORD)
				buf_printf(&e, "\nn = %s.%s(data[:%d]", S, call,
				    TLS_RECORD);
			buf_printf(&ok, "sent(\"%s\", n, %zu)", call, r->len);
		}
		if (want) {
			w->need |= P_CHECKRET;
			buf_printf(&ok, "\ncheck_ret(\"%s\", n, %ld)", call,
			    xe->ret);
		}
		/*
		 * SSL_write takes no flags (MSG_NOSIGNAL aside, which Python
		 * needs not), and sends one record at a time as sockrepl sets
		 * it up (SSL_MODE_ENABLE_PARTIAL_WRITE); Python's ssl sends
		 * all, so the data is cut to a record.
		 */
		if ((r->flags & CF_TLS) && (r->len > TLS_RECORD ||
		    export_step_infile(step, &path)))
			pline(w, 1, "# SSL_write sends a record (%d bytes) at a "
			    "time, as in the session", TLS_RECORD);
		if (r->arg != 0 && !(r->flags & CF_TLS)) {
			buf_adds(&e, ", ");
			py_flags(&e, msgflag_names, r->arg);
		}
		if (r->call == CALL_SENDTO) {
			py_addr(w, i, &r->addr, &a);
			buf_printf(&e, ", %s", buf_str(&a));
		}
		buf_adds(&e, ")");
		py_check(w, buf_str(&e), call, c, err, buf_str(&ok));
		break;
	case CALL_RECV:
	case CALL_BUFFERED:
	case CALL_RECVFROM:
		size = (long long)r->len;
		k = r->arg;
		if (r->call == CALL_BUFFERED)
			export_recv_words(step, &size, &k);
		if (r->call == CALL_RECVFROM && s != NULL && s->peer_var)
			buf_printf(&e, "data, %s_peer = %s.recvfrom(%lld", S,
			    S, size);
		else if (r->call == CALL_RECVFROM)
			buf_printf(&e, "data, _ = %s.recvfrom(%lld", S, size);
		else if (s != NULL && s->inbuf) {
			w->need |= P_BUFFERED;
			buf_printf(&e, "data = recv_buffered(%s, %s_in, %lld",
			    S, S, size);
		} else if (r->flags & CF_TLS) {
			w->need |= P_TLSRECV;
			buf_printf(&e, "data = recv_tls(%s, %lld", S, size);
		} else
			buf_printf(&e, "data = %s.recv(%lld", S, size);
		if (k != 0) {
			buf_adds(&e, ", ");
			py_flags(&e, msgflag_names, k);
		}
		buf_adds(&e, ")");
		if ((append = export_step_redir(step, &path)) >= 0) {
			/* > FILE, >> FILE: the bytes go to the file. */
			w->need |= P_SAVE;
			buf_adds(&ok, "save(");
			py_bytes(&ok, path.data, path.len);
			buf_printf(&ok, ", \"%s\", data)", append ? "ab" : "wb");
		} else {
			w->need |= P_SHOW;
			buf_adds(&ok, "show(data)");
		}
		py_data_checks(w, xe, r->call == CALL_RECVFROM ? "recvfrom" :
		    "recv", &ok, want);
		py_check(w, buf_str(&e), r->call == CALL_RECVFROM ?
		    "recvfrom" : "recv", c, err, buf_str(&ok));
		break;
	case CALL_SETSOCKOPT:
	case CALL_GETSOCKOPT:
		if (o == NULL)
			break;
		if (o->kind == OPT_RAW) {
			py_level(&a, r->arg);
			buf_printf(&a, ", %ld", r->arg2);
		} else {
			py_level(&a, o->level);
			buf_adds(&a, ", ");
			py_optname(&a, o);
		}
		if (r->call == CALL_SETSOCKOPT) {
			buf_printf(&e, "%s.setsockopt(%s, ", S, buf_str(&a));
			py_optval(w, r, &e);
			buf_adds(&e, ")");
			py_check(w, buf_str(&e), call, c, err, NULL);
			break;
		}
		if (o->kind == OPT_TCPINFO) {
			/* struct tcp_info: the fields sockrepl's trace shows. */
			w->struct_used = 1;
			buf_printf(&e, "info = %s.getsockopt(%s, %zu)\n"
			    "print(\"TCP_INFO: tcpi_state=%%d tcpi_rtt=%%d "
			    "tcpi_snd_cwnd=%%d\" %% (\n        (info[0],) + "
			    "struct.unpack_from(\"I\", info, %zu) +\n"
			    "        struct.unpack_from(\"I\", info, %zu)), "
			    "file=sys.stderr)", S, buf_str(&a),
			    sizeof(struct tcp_info), offsetof(struct tcp_info,
			    tcpi_rtt), offsetof(struct tcp_info, tcpi_snd_cwnd));
			py_check(w, buf_str(&e), call, c, err, NULL);
			break;
		}
		w->struct_used |= o->kind == OPT_LINGER ||
		    o->kind == OPT_TIMEVAL || o->kind == OPT_UCRED;
		if (o->kind == OPT_LINGER || o->kind == OPT_TIMEVAL ||
		    o->kind == OPT_UCRED) {
			d = o->kind == OPT_LINGER ? "ii" : o->kind ==
			    OPT_TIMEVAL ? "ll" : "iii";
			buf_printf(&e, "print(\"%s:\", struct.unpack(\"%s\", "
			    "%s.getsockopt(%s, struct.calcsize(\"%s\"))), "
			    "file=sys.stderr)", o->name, d, S, buf_str(&a), d);
		} else if (o->kind == OPT_RAW && ((r->flags & CF_RAWLEN) ||
		    r->vallen != sizeof(int)))
			buf_printf(&e, "print(\"getsockopt:\", %s.getsockopt(%s, "
			    "%u).hex(), file=sys.stderr)", S, buf_str(&a),
			    (unsigned)r->vallen);
		else if (o->kind == OPT_STRING || o->kind == OPT_MREQ ||
		    o->kind == OPT_MREQ6 || o->kind == OPT_INADDR)
			buf_printf(&e, "print(\"%s:\", %s.getsockopt(%s, %d), "
			    "file=sys.stderr)", o->name, S, buf_str(&a),
			    OPTVAL_MAX);
		else
			buf_printf(&e, "print(\"%s:\", %s.getsockopt(%s), "
			    "file=sys.stderr)", o->kind == OPT_RAW ?
			    "getsockopt" : o->name, S, buf_str(&a));
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_GETSOCKNAME:
	case CALL_GETPEERNAME:
		if (w->x->recs[i].used)
			buf_printf(&e, "%s_port = %s.%s()[1]", S, S, call);
		else
			buf_printf(&e, "%s.%s()", S, call);
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_SHUTDOWN:
		/* SSLSocket.shutdown would leave TLS: the socket's own. */
		if (py_tls_on(w, r->seq, -1))
			buf_printf(&e, "socket.socket.shutdown(%s, ", S);
		else
			buf_printf(&e, "%s.shutdown(", S);
		py_const(&e, shut_names, r->arg);
		buf_adds(&e, ")");
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_CLOSE:
		(void)py_tls_on(w, r->seq, 0);
		buf_printf(&e, "%s.close()", S);
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_PPOLL:
		pfd = log_rec_pfd(&log_recs[i]);
		if (pfd == NULL || (r->flags & CF_WAIT))
			break;
		/* poll in on a TLS socket: a wait for data, as the session's. */
		if (r->nfds == 1 && pfd[0].events == POLLIN && !want &&
		    py_tls_on(w, export_fd_seq(w->x, pfd[0].fd), -1)) {
			w->need |= P_TLSREADY | P_TLSRECV;
			w->select_used = w->time_used = 1;
			k = export_poll_ms(step, r->timeout_ms);
			if (k < 0)
				buf_printf(&e, "tls_ready(%s, None)",
				    export_name(w->x, export_fd_seq(w->x,
				    pfd[0].fd)));
			else
				buf_printf(&e, "tls_ready(%s, %d)",
				    export_name(w->x, export_fd_seq(w->x,
				    pfd[0].fd)), k);
			py_check(w, buf_str(&e), "poll", c, err, NULL);
			break;
		}
		w->need |= P_WAITFOR;
		w->select_used = 1;
		/* $ret is how many are ready. */
		if (want) {
			w->need |= P_CHECKRET;
			buf_adds(&e, "ready = ");
			buf_printf(&ok, "check_ret(\"poll\", len(ready), %ld)",
			    xe->ret);
		}
		buf_adds(&e, "wait_for([");
		for (k = 0; k < r->nfds; k++) {
			buf_printf(&e, "%s(%s, ", k > 0 ? ", " : "",
			    export_name(w->x, export_fd_seq(w->x,
			    pfd[k].fd)));
			buf_reset(&a);
			poll_events(&a, pfd[k].events);
			for (d = buf_str(&a); *d != '\0'; d++) {
				if (d == buf_str(&a) || d[-1] == '|')
					buf_adds(&e, "select.");
				if (*d == '|')
					buf_adds(&e, " | ");
				else
					buf_addc(&e, *d);
			}
			buf_adds(&e, ")");
		}
		if (r->timeout_ms < 0)
			buf_adds(&e, "], None)");
		else
			buf_printf(&e, "], %d)", r->timeout_ms);
		py_check(w, buf_str(&e), "poll", c, err, buf_str(&ok));
		break;
	case CALL_SENDMSG:
		w->need |= P_SENT;
		py_sendmsg(w, i, S, &e);
		buf_printf(&ok, "sent(\"sendmsg\", n, %zu)", r->len);
		if (want) {
			w->need |= P_CHECKRET;
			buf_printf(&ok, "\ncheck_ret(\"sendmsg\", n, %ld)",
			    xe->ret);
		}
		py_check(w, buf_str(&e), call, c, err, buf_str(&ok));
		break;
	case CALL_RECVMSG:
		w->need |= P_SHOW | P_FDSOF;
		w->array_used = 1;
		buf_printf(&e, "data, anc, mflags, _ = %s.recvmsg(%zu, %zu", S,
		    r->len, r->ctlcap);
		if (r->arg != 0) {
			buf_adds(&e, ", ");
			py_flags(&e, msgflag_names, r->arg);
		}
		buf_adds(&e, ")\nfds = fds_of(anc, mflags)");
		buf_adds(&ok, "show(data)");
		py_data_checks(w, xe, call, &ok, want);
		/* The sockets that came are socket objects, as in the session. */
		for (k = 0; k < r->nrx; k++)
			if (r->rxseq[k] != 0)
				buf_printf(&ok, "\n%s = socket.socket(fileno=fds[%d])",
				    export_name(w->x, r->rxseq[k]), k);
		py_check(w, buf_str(&e), call, c, err, buf_str(&ok));
		break;
	case CALL_IOCTL:
		if ((unsigned long)r->arg != SIOCATMARK)
			break;
		/* Python has no sockatmark: the ioctl it makes. */
		w->fcntl_used = w->struct_used = 1;
		buf_printf(&e, "mark = struct.unpack(\"i\", fcntl.ioctl(%s, "
		    "0x%x, b\"\\0\\0\\0\\0\"))[0]  # SIOCATMARK\n"
		    "print(\"sockatmark:\", mark, file=sys.stderr)", S,
		    (unsigned)SIOCATMARK);
		if (want) {
			w->need |= P_CHECKRET;
			buf_printf(&ok, "check_ret(\"sockatmark\", mark, %ld)",
			    xe->ret);
		}
		py_check(w, buf_str(&e), "sockatmark", c, err, buf_str(&ok));
		break;
	case CALL_NANOSLEEP:
		w->time_used = 1;
		buf_printf(&e, "time.sleep(%g)", (double)r->ts.tv_sec +
		    (double)r->ts.tv_nsec / 1e9);
		py_check(w, buf_str(&e), "sleep", c, err, NULL);
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
		py_rec_more(w, step, i, c, err);
		break;
	default:
		pline(w, 1, "# %s: not exported", call);
	}
	buf_free(&e);
	buf_free(&ok);
	buf_free(&a);
	buf_free(&path);
}

/* A Python str literal of a C string, or None. */
/*
 * The character UTF-8 encodes at u, as a str literal's escape; a byte
 * that is not UTF-8 is written as os.fsdecode writes it (\\udcXX), so a
 * path's bytes come back when Python encodes it. Returns the bytes used.
 */
static int
py_utf8(struct buf *b, const unsigned char *u)
{
	unsigned long	 c;
	int		 n, k;

	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2, c = u[0] & 0x1f;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3, c = u[0] & 0x0f;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4, c = u[0] & 0x07;
	else
		n = 0, c = 0;
	for (k = 1; k < n; k++) {
		if ((u[k] & 0xc0) != 0x80)
			break;
		c = c << 6 | (u[k] & 0x3f);
	}
	/* Short, overlong, a surrogate or past U+10FFFF: not UTF-8. */
	if (n == 0 || k < n || (n == 3 && c < 0x800) || (n == 4 &&
	    (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff)) {
		buf_printf(b, "\\udc%02x", u[0]);
		return 1;
	}
	if (c > 0xffff)
		buf_printf(b, "\\U%08lx", c);
	else
		buf_printf(b, "\\u%04lx", c);
	return n;
}

static void
py_str(struct buf *b, const char *s)
{
	if (s == NULL) {
		buf_adds(b, "None");
		return;
	}
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_printf(b, "\\%c", *s);
		else if ((unsigned char)*s >= 0x80)
			s += py_utf8(b, (const unsigned char *)s) - 1;
		else if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			buf_printf(b, "\\x%02x", (unsigned char)*s);
		else
			buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

/* select.EPOLLIN | select.EPOLLET */
static void
py_epoll_events(struct buf *b, unsigned ev)
{
	const struct name	*n;
	int			 first = 1;

	for (n = epoll_names; n->name != NULL; n++) {
		if (((unsigned)n->value & ev) != (unsigned)n->value)
			continue;
		buf_printf(b, "%sselect.%s", first ? "" : " | ", n->name);
		ev &= ~(unsigned)n->value;
		first = 0;
	}
	if (first || ev != 0)
		buf_printf(b, "%s%#x", first ? "" : " | ", ev);
}

/*
 * Names, event loops, sendfile, dup, unlink: the socket module's and the
 * select module's calls of the same names; what they return goes to
 * stderr, as sockrepl's trace shows it.
 */
static void
py_rec_more(struct pw *w, size_t step, size_t i, enum xcheck c, int err)
{
	const struct log_step	*st = &log_steps[step];
	const struct call_rec	*r = &log_recs[i].rec;
	const char		*S = r->seq != 0 ? export_name(w->x, r->seq) :
				    "", *call = call_name(r->call);
	const struct pollfd	*pfd = log_rec_pfd(&log_recs[i]);
	struct buf		 e = { 0 }, ok = { 0 }, a = { 0 };
	struct xsock		*ns;
	size_t			 j;
	int			 k, first;

	switch (r->call) {
	case CALL_GETADDRINFO:
		buf_adds(&e, "res = socket.getaddrinfo(");
		py_str(&e, r->text);
		buf_adds(&e, ", ");
		py_str(&e, r->text2);
		buf_adds(&e, ", ");
		py_const(&e, family_names, r->family);
		buf_adds(&e, ", ");
		py_const(&e, type_names, r->type);
		buf_adds(&e, ", ");
		py_const(&e, proto_names, r->protocol);
		buf_adds(&e, ", ");
		py_flags(&e, ai_flag_names, r->arg);
		buf_adds(&e, ")");
		buf_adds(&ok, "for ai in res:\n    print(\"getaddrinfo:\", ai, "
		    "file=sys.stderr)");
		py_check(w, buf_str(&e), call, c, err, buf_str(&ok));
		break;
	case CALL_GETNAMEINFO:
		py_addr(w, i, &r->addr, &a);
		buf_printf(&e, "print(\"getnameinfo:\", socket.getnameinfo(%s, ",
		    buf_str(&a));
		py_flags(&e, ni_flag_names, r->arg);
		buf_adds(&e, "), file=sys.stderr)");
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_GETHOSTNAME:
		py_check(w, "print(\"gethostname:\", socket.gethostname(), "
		    "file=sys.stderr)", call, c, err, NULL);
		break;
	case CALL_GETSERVBYNAME:
		buf_adds(&e, "print(\"getservbyname:\", socket.getservbyname(");
		py_str(&e, r->text);
		if (r->text2 != NULL) {
			buf_adds(&e, ", ");
			py_str(&e, r->text2);
		}
		buf_adds(&e, "), file=sys.stderr)");
		/* Not found is an OSError without an errno. */
		py_check(w, buf_str(&e), call, r->ret < 0 ? XC_FAIL : XC_OK, 0,
		    NULL);
		break;
	case CALL_GETSERVBYPORT:
		buf_printf(&e, "print(\"getservbyport:\", "
		    "socket.getservbyport(%d", r->arg);
		if (r->text2 != NULL) {
			buf_adds(&e, ", ");
			py_str(&e, r->text2);
		}
		buf_adds(&e, "), file=sys.stderr)");
		py_check(w, buf_str(&e), call, r->ret < 0 ? XC_FAIL : XC_OK, 0,
		    NULL);
		break;
	case CALL_SELECT:
		w->select_used = 1;
		buf_adds(&e, "r, w, x = select.select(");
		for (k = 0; k < 3; k++) {
			static const short bits[3] = { POLLIN, POLLOUT,
			    POLLPRI };

			buf_addc(&e, '[');
			for (j = 0, first = 1; pfd != NULL &&
			    (int)j < r->nfds; j++) {
				if (!(pfd[j].events & bits[k]))
					continue;
				if (!first)
					buf_adds(&e, ", ");
				export_fd_name(w->x, &e, pfd[j].fd, export_fd_seq(w->x,
				    pfd[j].fd));
				first = 0;
			}
			buf_adds(&e, "], ");
		}
		if (r->timeout_ms >= 0)
			buf_printf(&e, "%g)", r->timeout_ms / 1000.0);
		else
			buf_adds(&e, "None)");
		buf_adds(&ok, "print(\"select:\", len(r), len(w), len(x), "
		    "file=sys.stderr)");
		py_check(w, buf_str(&e), call, c, err, buf_str(&ok));
		break;
	case CALL_EPOLL_CREATE:
		w->select_used = 1;
		buf_printf(&e, "%s = select.epoll()", S);
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_EPOLL_CTL:
		w->select_used = 1;
		buf_printf(&e, "%s.%s(", S, r->arg == EPOLL_CTL_ADD ?
		    "register" : r->arg == EPOLL_CTL_MOD ? "modify" :
		    "unregister");
		export_fd_name(w->x, &e, r->fd2, r->seq2);
		if (r->arg != EPOLL_CTL_DEL) {
			buf_adds(&e, ", ");
			py_epoll_events(&e, (unsigned)r->arg2);
		}
		buf_adds(&e, ")");
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_EPOLL_WAIT:
		buf_printf(&e, "events = %s.poll(", S);
		if (r->timeout_ms >= 0)
			buf_printf(&e, "%g", r->timeout_ms / 1000.0);
		else
			buf_adds(&e, "-1");
		buf_printf(&e, ", %d)", r->arg);
		buf_adds(&ok, "print(\"epoll_wait:\", events, file=sys.stderr)");
		py_check(w, buf_str(&e), call, c, err, buf_str(&ok));
		break;
	case CALL_SENDFILE:
		/* Without COUNT the step is a loop: socket.sendfile is one. */
		if (st->argc < 3) {
			for (j = st->first; j < i; j++)
				if (log_recs[j].rec.call == CALL_SENDFILE)
					goto out;
			buf_adds(&e, "with open(");
			py_str(&e, r->text);
			buf_printf(&e, ", \"rb\") as f:\n    n = %s.sendfile(f, "
			    "%ld)", S, r->arg2);
		} else {
			w->os_used = 1;
			buf_adds(&e, "with open(");
			py_str(&e, r->text);
			buf_printf(&e, ", \"rb\") as f:\n    n = os.sendfile("
			    "%s.fileno(), f.fileno(), %ld, %zu)", S, r->arg2,
			    r->len);
		}
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_DUP:
		if (r->ret >= 0)
			buf_printf(&e, "%s = ", export_name(w->x, r->new_seq));
		buf_printf(&e, "%s.dup()", S);
		if (r->ret >= 0 && (ns = export_sock(w->x, r->new_seq)) != NULL &&
		    ns->inbuf)
			buf_printf(&e, "\n%s_in = bytearray()", ns->name);
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	case CALL_UNLINK:
		w->os_used = 1;
		buf_adds(&e, "os.unlink(");
		py_str(&e, r->text);
		buf_adds(&e, ")");
		py_check(w, buf_str(&e), call, c, err, NULL);
		break;
	default:
		break;
	}
out:
	buf_free(&e);
	buf_free(&ok);
	buf_free(&a);
}

/* settimeout and setblocking: the socket object keeps the mode. */
static void
py_mode(struct pw *w, size_t step, const struct xexpect *xe)
{
	const struct log_step	*st = &log_steps[step];
	const char		*S = export_name(w->x, st->seq);
	struct words		 wd;
	struct buf		 e = { 0 };
	double			 t;
	int			 on;

	export_step_words(step, &wd);
	if (st->cmd == &cmd_setblocking_entry) {
		if (parse_bool(wd.v[0].s, &on) != 0)
			on = 1;
		buf_printf(&e, "%s.setblocking(%s)", S, on ? "True" : "False");
	} else if (strcasecmp(wd.v[0].s, "none") == 0)
		buf_printf(&e, "%s.settimeout(None)", S);
	else {
		t = strtod(wd.v[0].s, NULL);
		buf_printf(&e, "%s.settimeout(%g)", S, t);
	}
	py_check(w, buf_str(&e), st->cmd->name, xe->check, xe->err, NULL);
	words_free(&wd);
	buf_free(&e);
}

/* recvline, recvuntil, recvall and sendall: one helper call each. */
static void
py_loop(struct pw *w, size_t step, const struct xexpect *xe)
{
	const struct log_step	*st = &log_steps[step];
	const char		*S = export_name(w->x, st->seq), *path;
	struct words		 wd;
	struct word		*v;
	struct redir		 rd;
	enum data_format	 f;
	struct buf		 e = { 0 }, ok = { 0 }, data = { 0 };
	int			 n, skip, k;
	long long		 max = 65536;

	w->tls_rec = py_tls_on(w, st->seq, -1);
	rd.path = NULL;
	rd.append = 0;
	export_step_words(step, &wd);
	v = wd.v;
	n = wd.n;
	if (st->cmd == &cmd_sendall_entry) {
		if (xe->have_ret)
			pline(w, 1, "# expect ret %ld: what sendall's last send "
			    "returned, as the kernel split it", xe->ret);
		if (data_words("export", v, n, &data, &path) != 0)
			goto out;
		if (path != NULL) {
			/* The whole file as it is when the script runs. */
			w->need |= P_SENDFILE;
			buf_printf(&e, "send_file(%s, ", S);
			py_bytes(&e, path, strlen(path));
			buf_printf(&e, ", %d", DATA_CHUNK);
		} else {
			buf_printf(&e, "%s.sendall(", S);
			py_bytes(&e, data.data != NULL ? data.data : "",
			    data.len);
		}
		if ((k = export_step_msgflags(step)) != 0) {
			buf_adds(&e, ", ");
			py_flags(&e, msgflag_names, k);
		}
		buf_adds(&e, ")");
		py_check(w, buf_str(&e), "sendall", xe->check, xe->err, NULL);
		goto out;
	}
	if ((skip = format_take("export", v, n, &f)) > 0) {
		v += skip;
		n -= skip;
	}
	if (n > 0 && redir_take("export", v, &n, &rd) != 0)
		n = 0;
	if (export_is_exactly(st)) {
		w->need |= P_EXACT;
		buf_printf(&e, "data = recv_exact(%s, %s_in, %lld)", S, S,
		    n > 1 ? strtoll(v[1].s, NULL, 10) : 0);
	} else if (st->cmd == &cmd_recvall_entry) {
		w->need |= P_ALL;
		max = 16 * 1024 * 1024;
		if (n > 0)
			max = strtoll(v[0].s, NULL, 10);
		/* Into a file recvall has no limit unless given one. */
		if (n == 0 && rd.path != NULL)
			buf_printf(&e, "data = recv_all(%s, %s_in, sys.maxsize)",
			    S, S);
		else
			buf_printf(&e, "data = recv_all(%s, %s_in, %lld)", S,
			    S, max);
	} else {
		w->need |= P_UNTIL;
		if (st->cmd == &cmd_recvline_entry) {
			buf_adds(&data, "\n");
			if (n > 0)
				max = strtoll(v[0].s, NULL, 10);
		} else if (n > 0) {
			buf_add(&data, v[0].s, v[0].len);
			if (n > 1)
				max = strtoll(v[1].s, NULL, 10);
		}
		buf_printf(&e, "data = recv_until(%s, %s_in, ", S, S);
		py_bytes(&e, data.data != NULL ? data.data : "", data.len);
		buf_printf(&e, ", %lld)", max);
	}
	if (rd.path != NULL) {
		/* > FILE, >> FILE: the bytes go to the file. */
		w->need |= P_SAVE;
		buf_adds(&ok, "save(");
		py_bytes(&ok, rd.path, strlen(rd.path));
		buf_printf(&ok, ", \"%s\", data)", rd.append ? "ab" : "wb");
	} else {
		w->need |= P_SHOW;
		buf_adds(&ok, "show(data)");
	}
	py_data_checks(w, xe, st->cmd->name, &ok, 1);
	py_check(w, buf_str(&e), st->cmd->name, xe->check, xe->err,
	    buf_str(&ok));
out:
	words_free(&wd);
	buf_free(&e);
	buf_free(&ok);
	buf_free(&data);
}

static const struct {
	int		 flag;
	const char	*text;
} helpers[] = {
	{ P_TLSRECV,
"# What close_notify read before unwrap, for the receives after it.\n"
"EARLY = {}\n"
"\n"
"\n"
"def recv_tls(sock, size, flags=0):\n"
"    \"\"\"recv, where the peer's close_notify is the end (b\"\"): after our\n"
"    own the ssl module raises SSLZeroReturnError for it instead.\"\"\"\n"
"    early = EARLY.get(sock)\n"
"    if early:\n"
"        data = bytes(early[:size])\n"
"        del early[:size]\n"
"        return data\n"
"    try:\n"
"        return sock.recv(size, flags)\n"
"    except ssl.SSLZeroReturnError:\n"
"        return b\"\"\n" },
	{ P_SHOW,
"def show(data):\n"
"    \"\"\"Received bytes go to stdout as they are.\"\"\"\n"
"    sys.stdout.buffer.write(data)\n"
"    sys.stdout.buffer.flush()\n" },
	{ P_SENT,
"def sent(call, n, want):\n"
"    \"\"\"send may take fewer bytes than given: say so, as sockrepl does.\"\"\"\n"
"    if n < want:\n"
"        print(\"%s: sent %d of %d bytes (sendall sends them all)\"\n"
"              % (call, n, want), file=sys.stderr)\n" },
	{ P_SAVE,
"def save(path, mode, data):\n"
"    \"\"\"Received bytes go to a file: > FILE (\"wb\") or >> FILE (\"ab\").\"\"\"\n"
"    with open(path, mode) as f:\n"
"        f.write(data)\n" },
	{ P_LOAD,
"def load(path, limit):\n"
"    \"\"\"The first limit bytes of a file, as send < FILE sends them.\"\"\"\n"
"    with open(path, \"rb\") as f:\n"
"        return f.read(limit)\n" },
	{ P_SENDFILE,
"def send_file(sock, path, chunk, flags=0):\n"
"    \"\"\"Send all of a file, a chunk at a time, as sendall < FILE does.\"\"\"\n"
"    with open(path, \"rb\") as f:\n"
"        while True:\n"
"            data = f.read(chunk)\n"
"            if not data:\n"
"                break\n"
"            sock.sendall(data, flags)\n" },
	{ P_FDSOF,
"def fds_of(anc, flags):\n"
"    \"\"\"The fds that came with a message (SCM_RIGHTS); the rest of the\n"
"    ancillary data and msg_flags are described on stderr.\"\"\"\n"
"    fds = []\n"
"    for level, kind, data in anc:\n"
"        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:\n"
"            fds += array.array(\"i\", data[:len(data) - len(data) % 4])\n"
"        else:\n"
"            print(\"recvmsg: control message level %d type %d, %d bytes\"\n"
"                  % (level, kind, len(data)), file=sys.stderr)\n"
"    if flags:\n"
"        print(\"recvmsg: msg_flags %#x\" % flags, file=sys.stderr)\n"
"    return fds\n" },
	{ P_NOTIFY,
"def close_notify(sock, inbuf=None):\n"
"    \"\"\"Our close_notify, without waiting for the peer's as unwrap would\n"
"    (it is made on the socket made non-blocking). unwrap reads after it,\n"
"    so what has come already is read first, into inbuf (or EARLY, which\n"
"    recv_tls reads first). sock stays the TLS socket: what the peer\n"
"    still sends is read through TLS.\"\"\"\n"
"    if inbuf is None:\n"
"        inbuf = EARLY.setdefault(sock, bytearray())\n"
"    timeout = sock.gettimeout()\n"
"    sock.setblocking(False)\n"
"    try:\n"
"        while True:\n"
"            chunk = sock.recv(65536)\n"
"            if not chunk:\n"
"                break\n"
"            inbuf += chunk\n"
"    except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):\n"
"        pass\n"
"    try:\n"
"        sock.unwrap()\n"
"    except (ssl.SSLWantReadError, ssl.SSLWantWriteError):\n"
"        pass\n"
"    except ssl.SSLError as e:\n"
"        # Sent; unwrap's read after it met data, which it dropped.\n"
"        if \"APPLICATION_DATA_AFTER_CLOSE_NOTIFY\" not in str(e):\n"
"            print(\"SSL_shutdown: %s\" % e, file=sys.stderr)\n"
"        else:\n"
"            print(\"SSL_shutdown: close_notify sent; data that came \"\n"
"                  \"after it was dropped by the ssl module\", file=sys.stderr)\n"
"    except OSError as e:\n"
"        print(\"SSL_shutdown: %s\" % e, file=sys.stderr)\n"
"    finally:\n"
"        sock.settimeout(timeout)\n" },
	{ P_UNEXPECTED,
"def unexpected(call, want):\n"
"    \"\"\"A call the session saw fail, and expected to, has succeeded.\"\"\"\n"
"    sys.exit(\"%s: succeeded, but the session expected %s\" % (call, want))\n" },
	{ P_CHECKDATA,
"def check_data(call, got, want):\n"
"    \"\"\"What the session asserted about received data must still hold.\"\"\"\n"
"    if got != want:\n"
"        sys.exit(\"%s: received %r, but the session expected %r\"\n"
"                 % (call, got, want))\n" },
	{ P_CHECKRET,
"def check_ret(call, got, want):\n"
"    \"\"\"What the session asserted about a return value must still hold.\"\"\"\n"
"    if got != want:\n"
"        sys.exit(\"%s: returned %d, the session expected %d\"\n"
"                 % (call, got, want))\n" },
	{ P_BUFFERED,
"def recv_buffered(sock, inbuf, size, flags=0):\n"
"    \"\"\"recv on a socket a helper read ahead on: those bytes come first.\"\"\"\n"
"    if not inbuf:\n"
"        return sock.recv(size, flags)\n"
"    data = bytes(inbuf[:size])\n"
"    if not flags & socket.MSG_PEEK:\n"
"        del inbuf[:size]\n"
"    return data\n" },
	{ P_UNTIL,
"def recv_until(sock, inbuf, delim, limit):\n"
"    \"\"\"Receive through the first delim, as recvline and recvuntil do;\n"
"    the peer may send in any pieces. Bytes after delim stay in inbuf for\n"
"    the next receive; at EOF what is left comes back without delim.\"\"\"\n"
"    while True:\n"
"        i = inbuf.find(delim, 0, limit)\n"
"        if i >= 0:\n"
"            end = i + len(delim)\n"
"            break\n"
"        if len(inbuf) >= limit:\n"
"            raise OSError(errno.EMSGSIZE, \"no %r in the first %d bytes\"\n"
"                          % (delim, limit))\n"
"        chunk = sock.recv(65536)\n"
"        if not chunk:\n"
"            end = len(inbuf)\n"
"            break\n"
"        inbuf += chunk\n"
"    data = bytes(inbuf[:end])\n"
"    del inbuf[:end]\n"
"    return data\n" },
	{ P_EXACT,
"def recv_exact(sock, inbuf, want):\n"
"    \"\"\"Receive until inbuf holds want bytes, as recv exactly does; EOF\n"
"    first is an error.\"\"\"\n"
"    while len(inbuf) < want:\n"
"        chunk = sock.recv(65536)\n"
"        if not chunk:\n"
"            raise OSError(errno.ENODATA, \"EOF after %d of %d bytes\"\n"
"                          % (len(inbuf), want))\n"
"        inbuf += chunk\n"
"    data = bytes(inbuf[:want])\n"
"    del inbuf[:want]\n"
"    return data\n" },
	{ P_ALL,
"def recv_all(sock, inbuf, limit):\n"
"    \"\"\"Receive until EOF, as recvall does.\"\"\"\n"
"    while True:\n"
"        chunk = sock.recv(65536)\n"
"        if not chunk:\n"
"            break\n"
"        inbuf += chunk\n"
"        if len(inbuf) > limit:\n"
"            raise OSError(errno.EMSGSIZE, \"more than %d bytes\" % limit)\n"
"    data = bytes(inbuf)\n"
"    del inbuf[:]\n"
"    return data\n" },
	{ P_TLSREADY,
"def tls_ready(sock, ms):\n"
"    \"\"\"poll in on a TLS socket: wait up to ms milliseconds (None: no\n"
"    limit) for data, reading TLS's own records (a session ticket) on the\n"
"    way; what is read waits in EARLY for recv_tls. socket.timeout if no\n"
"    data comes.\"\"\"\n"
"    end = None if ms is None else time.monotonic() + ms / 1000\n"
"    early = EARLY.setdefault(sock, bytearray())\n"
"    timeout = sock.gettimeout()\n"
"    while not early and not sock.pending():\n"
"        left = None if end is None else max(0, end - time.monotonic())\n"
"        if not select.select([sock], [], [], left)[0]:\n"
"            raise socket.timeout(\"timed out\")\n"
"        sock.setblocking(False)\n"
"        try:\n"
"            chunk = sock.recv(65536)\n"
"            if not chunk:\n"
"                break\n"
"            early += chunk\n"
"        except ssl.SSLWantReadError:\n"
"            pass\n"
"        except ssl.SSLZeroReturnError:\n"
"            break\n"
"        finally:\n"
"            sock.settimeout(timeout)\n" },
	{ P_WAITFOR,
"def wait_for(entries, ms):\n"
"    \"\"\"poll: the (socket, events) pairs ready; socket.timeout if none is\n"
"    ready in ms milliseconds (None: no limit).\"\"\"\n"
"    p = select.poll()\n"
"    for sock, events in entries:\n"
"        p.register(sock, events)\n"
"    ready = p.poll(ms)\n"
"    if not ready:\n"
"        raise socket.timeout(\"timed out\")\n"
"    return ready\n" },
	{ 0, NULL }
};

void
export_python(struct export *x)
{
	struct pw		 w;
	struct xexpect		 xe;
	struct buf		 text = { 0 }, *b = x->out;
	const struct log_step	*st;
	const struct call_rec	*r;
	const char		*p, *q;
	size_t			 i, j;
	long			 outc;
	int			 k, made, first = 1, shown, err;
	enum xcheck		 c;

	memset(&w, 0, sizeof w);
	w.x = x;
	for (i = 0; i < log_nsteps; i++) {
		st = &log_steps[i];
		if (st->cmd == &cmd_export_entry || st->nrecs == 0)
			continue;
		for (j = st->first, shown = 0; j < st->first + st->nrecs; j++)
			shown += !x->recs[j].skip;
		if (shown == 0) {
			/* As in export_c: a failed starttls set-up counts. */
			export_expect(x, i, &xe);
			if (tls_setup_failed(i) && xe.check == XC_TOLERATE) {
				w.tolerated = w.errno_used = 1;
				if (!first)
					buf_addc(&w.body, '\n');
				first = 0;
				pline(&w, 1, "# starttls: its set-up failed in the "
				    "session; nothing was made");
				pline(&w, 1, "print(\"starttls: set-up failed (as "
				    "in the session)\", file=sys.stderr)");
				pline(&w, 1, "FAILED.append(OSError(errno.%s, "
				    "\"starttls\"))", errno_name(xe.err));
			}
			export_expect_free(&xe);
			for (j = st->first; j < st->first + st->nrecs; j++)
				export_track(x, &log_recs[j].rec);
			continue;
		}
		export_expect(x, i, &xe);
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
		pline(&w, 1, "# %s", buf_str(&text));
		if (export_is_loop(st))
			py_loop(&w, i, &xe);
		else if (st->cmd == &cmd_settimeout_entry ||
		    st->cmd == &cmd_setblocking_entry)
			py_mode(&w, i, &xe);
		outc = py_outcome(&w, st, &xe);
		made = 0;
		for (j = st->first; j < st->first + st->nrecs; j++) {
			r = &log_recs[j].rec;
			if (!export_is_loop(st) &&
			    st->cmd != &cmd_settimeout_entry &&
			    st->cmd != &cmd_setblocking_entry &&
			    !x->recs[j].skip && r->call != CALL_FCNTL &&
			    !(r->flags & (CF_WAIT | CF_CONNRESULT)) &&
			    !(r->ret < 0 && r->err == EINTR &&
			    (long)j != outc)) {
				c = XC_OK;
				err = 0;
				if ((long)j == outc) {
					c = xe.check;
					err = xe.err;
				} else if (r->call == CALL_CONNECT &&
				    (err = export_connect_result(i, j)) != 0)
					/* An address refused, the next tried. */
					c = XC_PASS;
				else
					err = 0;
				py_rec(&w, i, j, &xe, c, err);
				made++;
			}
			export_track(x, &log_recs[j].rec);
		}
		/* The timeout ran out before the call: make it all the same. */
		if (outc >= 0 && (size_t)outc < log_nrecs &&
		    (log_recs[outc].rec.flags & CF_WAIT) &&
		    log_recs[outc].rec.call == CALL_PPOLL &&
		    !export_is_loop(st))
			py_timed_out(&w, st, i, &xe);
		(void)made;
		export_expect_free(&xe);
	}
	buf_free(&text);

	buf_adds(b, "#!/usr/bin/env python3\n"
	    "\"\"\"A sockrepl session, exported by sockrepl " SOCKREPL_VERSION
	    " (export python).\n"
	    "\n"
	    "Received data is written to stdout; an error ends the script "
	    "with status 1.\n"
	    "\"\"\"\n");
	if (w.need & (P_UNTIL | P_ALL | P_EXACT))
		w.errno_used = 1;
	if (w.errno_used)
		buf_adds(b, "import errno\n");
	if (w.array_used)
		buf_adds(b, "import array\n");
	if (w.fcntl_used)
		buf_adds(b, "import fcntl\n");
	if (w.os_used)
		buf_adds(b, "import os\n");
	if (w.select_used)
		buf_adds(b, "import select\n");
	buf_adds(b, "import socket\n");
	if (w.ssl_used)
		buf_adds(b, "import ssl\n");
	if (w.struct_used)
		buf_adds(b, "import struct\n");
	buf_adds(b, "import sys\n");
	if (w.time_used)
		buf_adds(b, "import time\n");
	/* In a TLS session the helpers read through recv_tls. */
	if (w.ssl_used && (w.need & (P_BUFFERED | P_UNTIL | P_ALL | P_EXACT)))
		w.need |= P_TLSRECV;
	for (k = 0; helpers[k].text != NULL; k++) {
		if (!(w.need & helpers[k].flag))
			continue;
		buf_adds(b, "\n\n");
		if (!w.ssl_used || !(helpers[k].flag & (P_BUFFERED | P_UNTIL |
		    P_ALL | P_EXACT))) {
			buf_adds(b, helpers[k].text);
			continue;
		}
		for (p = helpers[k].text; (q = strstr(p, "sock.recv(")) != NULL;
		    p = q + 10) {
			buf_add(b, p, (size_t)(q - p));
			buf_adds(b, "recv_tls(sock, ");
		}
		buf_adds(b, p);
	}
	/* A failure nothing expected ends the session with status 1: so too. */
	if (w.tolerated)
		buf_adds(b, "\n\n# Failures the session met and nothing expected: "
		    "the exit status is 1.\nFAILED = []\n");
	buf_adds(b, "\n\ndef main():\n");
	if (w.body.len == 0)
		buf_adds(b, "    pass\n");
	buf_add(b, w.body.data, w.body.len);
	buf_adds(b, "\n\nif __name__ == \"__main__\":\n    main()\n");
	if (w.tolerated)
		buf_adds(b, "    sys.exit(1 if FAILED else 0)\n");
	buf_free(&w.body);
	buf_free(&w.tls_host);
	buf_free(&w.tls_cert);
	free(w.tls_on);
}
