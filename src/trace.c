/*
 * The trace printer: an observer of the call layer that shows each call as
 * strace does, "connect(3, {AF_INET, 127.0.0.1:6565}, 16) = -1 ECONNREFUSED
 * (Connection refused)". One formatter per call writes the arguments; the
 * "= ..." ending is written once, below. -q and -v are decided here and
 * nowhere else: -q shows results only (a new fd, an address, received
 * data), -v also the calls made behind the user's back.
 */
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/sockios.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>

#include "sockrepl.h"

struct buf	*trace_capture;

/* A string literal, without strlen: the trace adds many. */
#define BUF_LIT(b, s)	buf_add((b), (s), sizeof(s) - 1)

static const char *const call_names[CALL__COUNT] = {
	[CALL_NONE] = "none",
	[CALL_SOCKET] = "socket",
	[CALL_SOCKETPAIR] = "socketpair",
	[CALL_BIND] = "bind",
	[CALL_LISTEN] = "listen",
	[CALL_ACCEPT] = "accept",
	[CALL_CONNECT] = "connect",
	[CALL_SEND] = "send",
	[CALL_SENDTO] = "sendto",
	[CALL_RECV] = "recv",
	[CALL_RECVFROM] = "recvfrom",
	[CALL_SETSOCKOPT] = "setsockopt",
	[CALL_GETSOCKOPT] = "getsockopt",
	[CALL_GETSOCKNAME] = "getsockname",
	[CALL_GETPEERNAME] = "getpeername",
	[CALL_SHUTDOWN] = "shutdown",
	[CALL_CLOSE] = "close",
	[CALL_FCNTL] = "fcntl",
	[CALL_PPOLL] = "ppoll",
	[CALL_IOCTL] = "ioctl",
	[CALL_NANOSLEEP] = "nanosleep",
	[CALL_SOCKDIAG] = "sock_diag",
	[CALL_BUFFERED] = "(buffer)",
	[CALL_SENDMSG] = "sendmsg",
	[CALL_RECVMSG] = "recvmsg",
	[CALL_GETADDRINFO] = "getaddrinfo",
	[CALL_GETNAMEINFO] = "getnameinfo",
	[CALL_GETHOSTNAME] = "gethostname",
	[CALL_GETSERVBYNAME] = "getservbyname",
	[CALL_GETSERVBYPORT] = "getservbyport",
	[CALL_SELECT] = "select",
	[CALL_EPOLL_CREATE] = "epoll_create1",
	[CALL_EPOLL_CTL] = "epoll_ctl",
	[CALL_EPOLL_WAIT] = "epoll_wait",
	[CALL_SENDFILE] = "sendfile",
	[CALL_DUP] = "dup",
	[CALL_UNLINK] = "unlink",
	[CALL_SSL_SETUP] = "(openssl)",
	[CALL_SSL_CONNECT] = "SSL_connect",
	[CALL_SSL_ACCEPT] = "SSL_accept",
	[CALL_SSL_SHUTDOWN] = "SSL_shutdown",
};

const char *
call_name(enum call_id c)
{
	return c < CALL__COUNT ? call_names[c] : "?";
}

/* A finished line: into the capture buffer, or on stdout. */
static void
emit(const char *s)
{
	if (trace_capture != NULL) {
		buf_printf(trace_capture, "%s%s%s\n", color(C_TRACE), s,
		    color(C_RESET));
		return;
	}
	if (color_on)
		fputs(color(C_TRACE), stdout);
	fputs(s, stdout);
	if (color_on)
		fputs(color(C_RESET), stdout);
	putchar('\n');
}

/* A remark of sockrepl's own in the trace, "(4 bytes kept ...)": not -q. */
void
trace_note(const char *fmt, ...)
{
	struct buf	b = { 0 };
	va_list		ap;

	if (opt.quiet)
		return;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	emit(buf_str(&b));
	buf_free(&b);
}

static void
addr_show(struct buf *b, const struct addr *a)
{
	addr_format(b, (const struct sockaddr *)&a->ss, a->len);
}

/* An address a call filled in: "{...}, [16]", or "&addr, [128]" on failure. */
static void
addr_out(struct buf *b, const struct call_rec *r)
{
	if (r->ret >= 0) {
		addr_show(b, &r->addr);
		buf_printf(b, ", [%u]", (unsigned)r->addr.len);
	} else
		buf_printf(b, "&addr, [%zu]", sizeof r->addr.ss);
}

/* A constant by name, or its number when the table has no name for it. */
static void
const_arg(struct buf *b, const struct name *t, int v)
{
	const char *n = name_of(t, v);

	if (n != NULL)
		buf_adds(b, n);
	else
		buf_printf(b, "%d", v);
}

static void
proto_arg(struct buf *b, int family, int proto)
{
	const char *n = name_of(proto_names, proto);

	/* A packet socket's protocol is an Ethernet type in network order. */
	if (family == AF_PACKET) {
		if (proto == htons(ETH_P_ALL))
			buf_adds(b, "htons(ETH_P_ALL)");
		else
			buf_printf(b, "htons(%#x)", ntohs((uint16_t)proto));
	} else if (n != NULL)
		buf_adds(b, n);
	else
		buf_printf(b, "%d", proto);
}

/* An IPv4 address as strace writes it: inet_addr("127.0.0.1"). */
static void
inaddr_arg(struct buf *b, const struct in_addr *a)
{
	char	s[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, a, s, sizeof s);
	buf_printf(b, "inet_addr(\"%s\")", s);
}

/* An interface index, by name where it has one: if_nametoindex("lo"). */
static void
ifindex_arg(struct buf *b, unsigned idx)
{
	char	name[IF_NAMESIZE];

	if (idx != 0 && if_indextoname(idx, name) != NULL)
		buf_printf(b, "if_nametoindex(\"%s\")", name);
	else
		buf_printf(b, "%u", idx);
}

/* SO_MEMINFO's counters, by their SK_MEMINFO_ names. */
static void
meminfo_arg(struct buf *b, const void *p, size_t len)
{
	static const char *const names[] = { "RMEM_ALLOC", "RCVBUF",
	    "WMEM_ALLOC", "SNDBUF", "FWD_ALLOC", "WMEM_QUEUED", "OPTMEM",
	    "BACKLOG", "DROPS" };
	uint32_t	v;
	size_t		i;

	buf_addc(b, '[');
	for (i = 0; i < sizeof names / sizeof names[0] &&
	    (i + 1) * sizeof v <= len; i++) {
		memcpy(&v, (const char *)p + i * sizeof v, sizeof v);
		buf_printf(b, "%sSK_MEMINFO_%s=%lu", i ? ", " : "", names[i],
		    (unsigned long)v);
	}
	buf_addc(b, ']');
}

static void
optval_arg(struct buf *b, const struct call_rec *r)
{
	const char	*n;
	char		 s6[INET6_ADDRSTRLEN];
	size_t		 len;

	switch (r->opt->kind) {
	case OPT_STRING:
		len = strnlen(r->val.str, r->vallen < sizeof r->val.str ?
		    r->vallen : sizeof r->val.str);
		buf_addc(b, '"');
		escape_bytes(b, r->val.str, len);
		buf_addc(b, '"');
		return;
	case OPT_UCRED:
		/* No peer: the kernel says uid and gid -1. */
		buf_printf(b, "{pid=%ld, uid=%ld, gid=%ld}",
		    (long)r->val.cred.pid, (long)(int)r->val.cred.uid,
		    (long)(int)r->val.cred.gid);
		return;
	case OPT_MREQ:
		BUF_LIT(b, "{imr_multiaddr=");
		inaddr_arg(b, &r->val.mreq.imr_multiaddr);
		if (r->vallen >= sizeof r->val.mreq) {
			BUF_LIT(b, ", imr_address=");
			inaddr_arg(b, &r->val.mreq.imr_address);
			BUF_LIT(b, ", imr_ifindex=");
			ifindex_arg(b, (unsigned)r->val.mreq.imr_ifindex);
		} else {
			BUF_LIT(b, ", imr_interface=");
			inaddr_arg(b, &r->val.mreq.imr_address);
		}
		buf_addc(b, '}');
		return;
	case OPT_MREQ6:
		inet_ntop(AF_INET6, &r->val.mreq6.ipv6mr_multiaddr, s6,
		    sizeof s6);
		buf_printf(b, "{ipv6mr_multiaddr=inet_pton(AF_INET6, \"%s\"), "
		    "ipv6mr_interface=", s6);
		ifindex_arg(b, r->val.mreq6.ipv6mr_interface);
		buf_addc(b, '}');
		return;
	case OPT_INADDR:
		buf_addc(b, '[');
		inaddr_arg(b, &r->val.in);
		buf_addc(b, ']');
		return;
	case OPT_IFINDEX:
		buf_addc(b, '[');
		ifindex_arg(b, (unsigned)r->val.i);
		buf_addc(b, ']');
		return;
	case OPT_RAW:
		if (r->vallen == sizeof(int) && !(r->flags & CF_RAWLEN))
			break;
		buf_addc(b, '"');
		escape_bytes(b, r->val.raw, r->vallen < sizeof r->val.raw ?
		    r->vallen : sizeof r->val.raw);
		buf_addc(b, '"');
		return;
	case OPT_TCPINFO:
		tcpinfo_brief(b, r->data, r->vallen);
		return;
	case OPT_MEMINFO:
		meminfo_arg(b, r->data, r->vallen);
		return;
	default:
		break;
	}
	switch (r->opt->kind) {
	case OPT_LINGER:
		buf_printf(b, "{l_onoff=%d, l_linger=%d}", r->val.l.l_onoff,
		    r->val.l.l_linger);
		return;
	case OPT_TIMEVAL:
		buf_printf(b, "{tv_sec=%ld, tv_usec=%ld}",
		    (long)r->val.tv.tv_sec, (long)r->val.tv.tv_usec);
		return;
	case OPT_ERRNO:
		buf_printf(b, "[%s]", r->val.i == 0 ? "0" :
		    errno_name(r->val.i));
		return;
	case OPT_SOCKTYPE:
	case OPT_FAMILY:
	case OPT_PROTO:
		n = name_of(r->opt->kind == OPT_SOCKTYPE ? type_names :
		    r->opt->kind == OPT_FAMILY ? family_names : proto_names,
		    r->val.i);
		if (n != NULL) {
			buf_printf(b, "[%s]", n);
			return;
		}
		/* FALLTHROUGH */
	default:
		buf_printf(b, "[%d]", r->val.i);
	}
}

/* The option's value alone, as -q shows it. */
static void
optval_plain(struct buf *b, const struct call_rec *r)
{
	struct buf	t = { 0 };

	optval_arg(&t, r);
	if (t.len >= 2 && t.data[0] == '[')
		buf_add(b, t.data + 1, t.len - 2);
	else
		buf_add(b, t.data, t.len);
	buf_free(&t);
}

static void
fl_arg(struct buf *b, long fl)
{
	buf_adds(b, (fl & O_ACCMODE) == O_RDWR ? "O_RDWR" : "O_RDONLY");
	if (fl & O_NONBLOCK)
		BUF_LIT(b, "|O_NONBLOCK");
}

static void
pollfds_arg(struct buf *b, const struct pollfd *pfd, int nfds, int revents)
{
	int	i, shown = 0;

	buf_addc(b, '[');
	for (i = 0; i < nfds; i++) {
		if (revents && pfd[i].revents == 0)
			continue;
		buf_printf(b, "%s{fd=%d, %s=", shown++ ? ", " : "", pfd[i].fd,
		    revents ? "revents" : "events");
		poll_events(b, revents ? pfd[i].revents : pfd[i].events);
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
}

static const char *
ioctl_name(unsigned long req)
{
	switch (req) {
	case FIONREAD:
		return "FIONREAD";
	case SIOCOUTQ:
		return "SIOCOUTQ";
	case SIOCOUTQNSD:
		return "SIOCOUTQNSD";
	case SIOCATMARK:
		return "SIOCATMARK";
	default:
		return "?";
	}
}

static void call_ending(struct buf *, const struct call_rec *);

/* Control message types by level, as strace names them. */
#define N(x)	{ #x, x }
static const struct name cmsg_sol[] = {
	N(SCM_RIGHTS), N(SCM_CREDENTIALS), N(SO_TIMESTAMP), N(SO_TIMESTAMPNS),
	{ NULL, 0 }
};
static const struct name cmsg_ip[] = {
	N(IP_PKTINFO), N(IP_TTL), N(IP_TOS), N(IP_RECVERR), { NULL, 0 }
};
static const struct name cmsg_ipv6[] = {
	N(IPV6_PKTINFO), N(IPV6_HOPLIMIT), N(IPV6_TCLASS), { NULL, 0 }
};
#undef N

/* One control message's data, decoded where sockrepl knows its type. */
static void
cmsg_data_arg(struct buf *b, int level, int type, const unsigned char *p,
    size_t n)
{
	struct ucred		 cr;
	struct timeval		 tv;
	struct timespec		 ts;
	struct in_pktinfo	 pi;
	struct in6_pktinfo	 pi6;
	char			 s6[INET6_ADDRSTRLEN];
	int			 v;
	size_t			 k;

	if (level == SOL_SOCKET && type == SCM_RIGHTS) {
		buf_addc(b, '[');
		for (k = 0; k + sizeof v <= n; k += sizeof v) {
			memcpy(&v, p + k, sizeof v);
			buf_printf(b, "%s%d", k ? ", " : "", v);
		}
		buf_addc(b, ']');
	} else if (level == SOL_SOCKET && type == SCM_CREDENTIALS &&
	    n >= sizeof cr) {
		memcpy(&cr, p, sizeof cr);
		buf_printf(b, "{pid=%ld, uid=%ld, gid=%ld}", (long)cr.pid,
		    (long)(int)cr.uid, (long)(int)cr.gid);
	} else if (level == SOL_SOCKET && type == SO_TIMESTAMP &&
	    n >= sizeof tv) {
		memcpy(&tv, p, sizeof tv);
		buf_printf(b, "{tv_sec=%lld, tv_usec=%ld}",
		    (long long)tv.tv_sec, (long)tv.tv_usec);
	} else if (level == SOL_SOCKET && type == SO_TIMESTAMPNS &&
	    n >= sizeof ts) {
		memcpy(&ts, p, sizeof ts);
		buf_printf(b, "{tv_sec=%lld, tv_nsec=%ld}",
		    (long long)ts.tv_sec, ts.tv_nsec);
	} else if (level == IPPROTO_IP && type == IP_PKTINFO &&
	    n >= sizeof pi) {
		memcpy(&pi, p, sizeof pi);
		BUF_LIT(b, "{ipi_ifindex=");
		ifindex_arg(b, (unsigned)pi.ipi_ifindex);
		BUF_LIT(b, ", ipi_spec_dst=");
		inaddr_arg(b, &pi.ipi_spec_dst);
		BUF_LIT(b, ", ipi_addr=");
		inaddr_arg(b, &pi.ipi_addr);
		buf_addc(b, '}');
	} else if (level == IPPROTO_IPV6 && type == IPV6_PKTINFO &&
	    n >= sizeof pi6) {
		memcpy(&pi6, p, sizeof pi6);
		inet_ntop(AF_INET6, &pi6.ipi6_addr, s6, sizeof s6);
		buf_printf(b, "{ipi6_addr=inet_pton(AF_INET6, \"%s\"), "
		    "ipi6_ifindex=", s6);
		ifindex_arg(b, pi6.ipi6_ifindex);
		buf_addc(b, '}');
	} else if (((level == IPPROTO_IP && type == IP_TTL) ||
	    (level == IPPROTO_IPV6 && (type == IPV6_HOPLIMIT ||
	    type == IPV6_TCLASS))) && n >= sizeof v) {
		memcpy(&v, p, sizeof v);
		buf_printf(b, "[%d]", v);
	} else if (level == IPPROTO_IP && type == IP_TOS && n >= 1)
		buf_printf(b, "[%#x]", p[0]);
	else {
		buf_addc(b, '"');
		escape_bytes(b, p, n);
		buf_addc(b, '"');
	}
}

/* The control messages in ctl[0..len), as strace shows msg_control. */
static void
cmsgs_arg(struct buf *b, const void *ctl, size_t len)
{
	struct msghdr		 m;
	struct cmsghdr		*c;
	const struct name	*t;
	int			 first = 1;

	if (ctl == NULL || len == 0) {
		BUF_LIT(b, "msg_control=NULL, msg_controllen=0");
		return;
	}
	memset(&m, 0, sizeof m);
	m.msg_control = (void *)(uintptr_t)ctl;
	m.msg_controllen = len;
	BUF_LIT(b, "msg_control=[");
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		t = c->cmsg_level == SOL_SOCKET ? cmsg_sol : c->cmsg_level ==
		    IPPROTO_IP ? cmsg_ip : c->cmsg_level == IPPROTO_IPV6 ?
		    cmsg_ipv6 : NULL;
		buf_printf(b, "%s{cmsg_len=%zu, cmsg_level=", first ? "" :
		    ", ", (size_t)c->cmsg_len);
		const_arg(b, level_names, c->cmsg_level);
		BUF_LIT(b, ", cmsg_type=");
		if (t != NULL && name_of(t, c->cmsg_type) != NULL)
			buf_adds(b, name_of(t, c->cmsg_type));
		else
			buf_printf(b, "%#x", c->cmsg_type);
		BUF_LIT(b, ", cmsg_data=");
		if (c->cmsg_len >= CMSG_LEN(0))
			cmsg_data_arg(b, c->cmsg_level, c->cmsg_type,
			    CMSG_DATA(c), c->cmsg_len - CMSG_LEN(0));
		buf_addc(b, '}');
		first = 0;
	}
	buf_printf(b, "], msg_controllen=%zu", len);
}

/*
 * A msghdr up to its data ("{msg_name=..., msg_iov=[{iov_base=") into pre,
 * and from after the data to the end of the call into post.
 */
static void
msghdr_parts(struct buf *pre, struct buf *post, const struct call_rec *r)
{
	buf_printf(pre, "%s(%d, {msg_name=", call_name(r->call), r->fd);
	if (r->call == CALL_RECVMSG && r->ret >= 0 && r->addr.len > 0) {
		addr_show(pre, &r->addr);
		buf_printf(pre, ", msg_namelen=%u", (unsigned)r->addr.len);
	} else
		BUF_LIT(pre, "NULL, msg_namelen=0");
	BUF_LIT(pre, ", msg_iov=[{iov_base=");
	buf_printf(post, ", iov_len=%zu}], msg_iovlen=1, ", r->len);
	if (r->call == CALL_RECVMSG && r->ret < 0)
		buf_printf(post, "msg_control=ctl, msg_controllen=%zu",
		    r->ctlcap);
	else
		cmsgs_arg(post, r->ctl, r->ctllen);
	BUF_LIT(post, ", msg_flags=");
	flags_format(post, msgflag_names, r->call == CALL_RECVMSG ?
	    r->mflags : 0);
	BUF_LIT(post, "}, ");
	flags_format(post, msgflag_names, r->arg);
	buf_addc(post, ')');
}

/* sendmsg, and a recvmsg that failed: one line. */
static void
trace_msg_line(const struct call_rec *r)
{
	struct buf	pre = { 0 }, post = { 0 }, b = { 0 };

	msghdr_parts(&pre, &post, r);
	buf_add(&b, pre.data, pre.len);
	if (r->call == CALL_SENDMSG)
		data_arg(&b, r->data, r->len);
	else
		BUF_LIT(&b, "buf");
	buf_add(&b, post.data, post.len);
	call_ending(&b, r);
	emit(buf_str(&b));
	buf_free(&pre);
	buf_free(&post);
	buf_free(&b);
}

/* A recvmsg that returned: its bytes shown as recv shows them. */
static void
trace_recvmsg(const struct call_rec *r)
{
	struct buf	pre = { 0 }, post = { 0 };
	size_t		n = call_filled(r);

	msghdr_parts(&pre, &post, r);
	buf_printf(&post, " = %ld", r->ret);
	if (r->ret == 0 && r->snap.type != SOCK_DGRAM) {
		if (!opt.quiet)
			trace_note("%s\"\"%s", buf_str(&pre), buf_str(&post));
	} else
		show_data_fmt(buf_str(&pre), buf_str(&post), r->data, n, r->fmt);
	buf_free(&pre);
	buf_free(&post);
}

/* A string argument, quoted and escaped, or NULL. */
static void
str_arg(struct buf *b, const char *s)
{
	if (s == NULL) {
		BUF_LIT(b, "NULL");
		return;
	}
	buf_addc(b, '"');
	escape_bytes(b, s, strlen(s));
	buf_addc(b, '"');
}

/* select's set of the fds whose events (or revents) have bit: "[3 4]". */
static void
fdset_arg(struct buf *b, const struct pollfd *pfd, int nfds, short bit,
    int revents)
{
	int	i, n = 0;

	buf_addc(b, '[');
	for (i = 0; i < nfds; i++) {
		if (!((revents ? pfd[i].revents : pfd[i].events) & bit))
			continue;
		if (n++ > 0)
			buf_addc(b, ' ');
		buf_addnum(b, pfd[i].fd);
	}
	buf_addc(b, ']');
}

/* epoll's events and data, as strace shows a struct epoll_event. */
static void
epoll_event_arg(struct buf *b, unsigned events, int fd)
{
	BUF_LIT(b, "{events=");
	flags_format(b, epoll_names, (int)events);
	buf_printf(b, ", data={u32=%d, u64=%d}}", fd, fd);
}

/* The hints getaddrinfo was given: the family, and what else is set. */
static void
hints_arg(struct buf *b, const struct call_rec *r)
{
	const char	*t = name_of(type_names, r->type);

	buf_addc(b, '{');
	if (r->arg != 0) {
		BUF_LIT(b, "ai_flags=");
		flags_format(b, ai_flag_names, r->arg);
		BUF_LIT(b, ", ");
	}
	buf_printf(b, "ai_family=%s", name_of(family_names, r->family) !=
	    NULL ? name_of(family_names, r->family) : "?");
	if (r->type != 0) {
		BUF_LIT(b, ", ai_socktype=");
		if (t != NULL)
			buf_adds(b, t);
		else
			buf_addnum(b, r->type);
	}
	if (r->protocol != 0) {
		BUF_LIT(b, ", ai_protocol=");
		proto_arg(b, r->family, r->protocol);
	}
	buf_addc(b, '}');
}

/* Each answer of a getaddrinfo that succeeded, a line each. */
static void
trace_addrinfo(const struct call_rec *r)
{
	const struct addrinfo	*ai;
	struct buf		 b = { 0 };
	const char		*t;

	for (ai = r->ai; ai != NULL; ai = ai->ai_next) {
		buf_reset(&b);
		if (opt.quiet) {
			addr_format_short(&b, ai->ai_addr, ai->ai_addrlen);
			result("%s %s %s", sock_family_short(ai->ai_family),
			    sock_type_short(ai->ai_family, ai->ai_socktype),
			    buf_str(&b));
			continue;
		}
		t = name_of(type_names, ai->ai_socktype);
		buf_printf(&b, "  -> {ai_family=%s, ai_socktype=%s, "
		    "ai_protocol=", name_of(family_names, ai->ai_family),
		    t != NULL ? t : "0");
		proto_arg(&b, ai->ai_family, ai->ai_protocol);
		BUF_LIT(&b, ", ai_addr=");
		addr_format(&b, ai->ai_addr, ai->ai_addrlen);
		if (ai->ai_canonname != NULL) {
			BUF_LIT(&b, ", ai_canonname=");
			str_arg(&b, ai->ai_canonname);
		}
		buf_addc(&b, '}');
		emit(buf_str(&b));
	}
	buf_free(&b);
}

/* "fd, ": the first argument of most calls. */
static void
fd_arg(struct buf *b, int fd)
{
	buf_addnum(b, fd);
	BUF_LIT(b, ", ");
}

/* An OpenSSL call (tls.c formats it). */
static int
is_ssl(const struct call_rec *r)
{
	return (r->flags & CF_TLS) || r->call == CALL_SSL_SETUP ||
	    r->call == CALL_SSL_CONNECT || r->call == CALL_SSL_ACCEPT ||
	    r->call == CALL_SSL_SHUTDOWN;
}

/* The call's name and arguments, "bind(3, {...}, 16)". */
static void
call_args(struct buf *b, const struct call_rec *r)
{
	if (is_ssl(r)) {
		tls_call_args(b, r);
		return;
	}
	buf_adds(b, call_name(r->call));
	buf_addc(b, '(');
	switch (r->call) {
	case CALL_SOCKET:
		const_arg(b, family_names, r->family);
		BUF_LIT(b, ", ");
		const_arg(b, type_names, r->type);
		BUF_LIT(b, ", ");
		proto_arg(b, r->family, r->protocol);
		break;
	case CALL_SOCKETPAIR:
		BUF_LIT(b, "AF_UNIX, ");
		const_arg(b, type_names, r->type);
		BUF_LIT(b, ", 0, ");
		if (r->ret == 0)
			buf_printf(b, "[%d, %d]", r->sv[0], r->sv[1]);
		else
			BUF_LIT(b, "sv");
		break;
	case CALL_BIND:
	case CALL_CONNECT:
		buf_printf(b, "%d, ", r->fd);
		addr_show(b, &r->addr);
		buf_printf(b, ", %u", (unsigned)r->addr.len);
		break;
	case CALL_LISTEN:
		buf_printf(b, "%d, %d", r->fd, r->arg);
		break;
	case CALL_ACCEPT:
	case CALL_GETSOCKNAME:
	case CALL_GETPEERNAME:
		buf_printf(b, "%d, ", r->fd);
		addr_out(b, r);
		break;
	case CALL_SEND:
	case CALL_SENDTO:
		fd_arg(b, r->fd);
		data_arg(b, r->data, r->len);
		BUF_LIT(b, ", ");
		buf_addnum(b, (long long)r->len);
		BUF_LIT(b, ", ");
		flags_format(b, msgflag_names, r->arg);
		if (r->call == CALL_SENDTO) {
			BUF_LIT(b, ", ");
			addr_show(b, &r->addr);
			buf_printf(b, ", %u", (unsigned)r->addr.len);
		}
		break;
	case CALL_RECV:
	case CALL_RECVFROM:
		/* Only failures come here: the buffer was not filled. */
		buf_printf(b, "%d, buf, %zu, ", r->fd, r->len);
		flags_format(b, msgflag_names, r->arg);
		if (r->call == CALL_RECVFROM) {
			BUF_LIT(b, ", ");
			addr_out(b, r);
		}
		break;
	case CALL_SETSOCKOPT:
	case CALL_GETSOCKOPT:
		buf_printf(b, "%d, ", r->fd);
		if (r->opt->kind == OPT_RAW) {
			const_arg(b, level_names, r->arg);
			buf_printf(b, ", %ld, ", r->arg2);
		} else
			buf_printf(b, "%s, %s, ", name_of(level_names,
			    r->opt->level), r->opt->name);
		if (r->call == CALL_GETSOCKOPT && r->ret < 0)
			buf_printf(b, "&val, [%u]", (unsigned)r->vallen);
		else {
			optval_arg(b, r);
			buf_printf(b, r->call == CALL_GETSOCKOPT ? ", [%u]" :
			    ", %u", (unsigned)r->vallen);
		}
		break;
	case CALL_SHUTDOWN:
		buf_printf(b, "%d, %s", r->fd, name_of(shut_names, r->arg));
		break;
	case CALL_CLOSE:
		buf_printf(b, "%d", r->fd);
		break;
	case CALL_FCNTL:
		buf_printf(b, "%d, %s", r->fd, r->arg == F_GETFL ? "F_GETFL" :
		    "F_SETFL");
		if (r->arg == F_SETFL) {
			BUF_LIT(b, ", ");
			fl_arg(b, r->arg2);
		}
		break;
	case CALL_PPOLL:
		pollfds_arg(b, r->pfd, r->nfds, 0);
		buf_printf(b, ", %d, ", r->nfds);
		if (r->timeout_ms >= 0)
			buf_printf(b, "{tv_sec=%d, tv_nsec=%ld}",
			    r->timeout_ms / 1000,
			    (long)(r->timeout_ms % 1000) * 1000000);
		else
			BUF_LIT(b, "NULL");
		buf_adds(b, (r->flags & CF_BEHIND) ? ", NULL, 8" : ", [], 8");
		break;
	case CALL_IOCTL:
		buf_printf(b, "%d, %s, ", r->fd,
		    ioctl_name((unsigned long)r->arg));
		if (r->ret == 0)
			buf_printf(b, "[%ld]", r->arg2);
		else
			BUF_LIT(b, "&val");
		break;
	case CALL_NANOSLEEP:
		buf_printf(b, "{tv_sec=%ld, tv_nsec=%ld}, NULL",
		    (long)r->ts.tv_sec, r->ts.tv_nsec);
		break;
	case CALL_SOCKDIAG:
		buf_printf(b, "SOCK_DIAG_BY_FAMILY, {%s, ",
		    name_of(family_names, r->family));
		if (r->family == AF_UNIX)
			BUF_LIT(b, "0");
		else
			proto_arg(b, r->family, r->protocol);
		BUF_LIT(b, "}, NLM_F_DUMP");
		break;
	case CALL_GETADDRINFO:
		str_arg(b, r->text);
		BUF_LIT(b, ", ");
		str_arg(b, r->text2);
		BUF_LIT(b, ", ");
		hints_arg(b, r);
		BUF_LIT(b, ", &res");
		break;
	case CALL_GETNAMEINFO:
		addr_show(b, &r->addr);
		buf_printf(b, ", %u, ", (unsigned)r->addr.len);
		if (r->ret == 0) {
			str_arg(b, r->text);
			buf_printf(b, ", %d, ", NI_MAXHOST);
			str_arg(b, r->text2);
		} else
			buf_printf(b, "host, %d, serv", NI_MAXHOST);
		buf_printf(b, ", %d, ", NI_MAXSERV);
		flags_format(b, ni_flag_names, r->arg);
		break;
	case CALL_GETHOSTNAME:
		if (r->ret == 0)
			str_arg(b, r->text);
		else
			BUF_LIT(b, "name");
		buf_printf(b, ", %zu", r->len);
		break;
	case CALL_GETSERVBYNAME:
		str_arg(b, r->text);
		BUF_LIT(b, ", ");
		str_arg(b, r->text2);
		break;
	case CALL_GETSERVBYPORT:
		buf_printf(b, "htons(%d), ", r->arg);
		str_arg(b, r->text2);
		break;
	case CALL_SELECT:
		buf_printf(b, "%d, ", r->arg);
		fdset_arg(b, r->pfd, r->nfds, POLLIN, 0);
		BUF_LIT(b, ", ");
		fdset_arg(b, r->pfd, r->nfds, POLLOUT, 0);
		BUF_LIT(b, ", ");
		fdset_arg(b, r->pfd, r->nfds, POLLPRI, 0);
		BUF_LIT(b, ", ");
		if (r->timeout_ms >= 0)
			buf_printf(b, "{tv_sec=%d, tv_usec=%ld}",
			    r->timeout_ms / 1000,
			    (long)(r->timeout_ms % 1000) * 1000);
		else
			BUF_LIT(b, "NULL");
		break;
	case CALL_EPOLL_CREATE:
		buf_adds(b, (r->arg & EPOLL_CLOEXEC) ? "EPOLL_CLOEXEC" : "0");
		break;
	case CALL_EPOLL_CTL:
		buf_printf(b, "%d, %s, %d, ", r->fd, name_of(epoll_op_names,
		    r->arg), r->fd2);
		if (r->arg == EPOLL_CTL_DEL)
			BUF_LIT(b, "NULL");
		else
			epoll_event_arg(b, (unsigned)r->arg2, r->fd2);
		break;
	case CALL_EPOLL_WAIT:
		fd_arg(b, r->fd);
		if (r->ret < 0)
			BUF_LIT(b, "events");
		else {
			int i;

			buf_addc(b, '[');
			for (i = 0; i < r->nfds; i++) {
				if (i > 0)
					BUF_LIT(b, ", ");
				epoll_event_arg(b, (unsigned short)
				    r->pfd[i].revents, r->pfd[i].fd);
			}
			buf_addc(b, ']');
		}
		buf_printf(b, ", %d, %d", r->arg, r->timeout_ms);
		break;
	case CALL_SENDFILE:
		fd_arg(b, r->fd);
		buf_printf(b, "%d<", r->fd2);
		escape_bytes(b, r->text, strlen(r->text));
		buf_printf(b, ">, [%ld]", r->arg2);
		if (r->ret > 0)
			buf_printf(b, " => [%ld]", r->arg2 + r->ret);
		buf_printf(b, ", %zu", r->len);
		break;
	case CALL_DUP:
		buf_addnum(b, r->fd);
		break;
	case CALL_UNLINK:
		str_arg(b, r->text);
		break;
	default:
		break;
	}
	buf_addc(b, ')');
}

/* The ending, written once for every call: " = 3" or " = -1 ENAME (...)". */
static void
call_ending(struct buf *b, const struct call_rec *r)
{
	if (is_ssl(r)) {
		tls_call_ending(b, r);
		return;
	}
	/* The name calls return an EAI_ code, or a pointer. */
	if ((r->call == CALL_GETADDRINFO || r->call == CALL_GETNAMEINFO) &&
	    r->ret < 0 && IS_EAI_ERR(r->err)) {
		buf_printf(b, " = %s (%s)", errno_name(r->err),
		    err_text(r->err));
		return;
	}
	if (r->call == CALL_GETSERVBYNAME || r->call == CALL_GETSERVBYPORT) {
		if (r->ret < 0) {
			BUF_LIT(b, " = NULL (not in the services database)");
			return;
		}
		BUF_LIT(b, " = {s_name=");
		str_arg(b, r->text);
		buf_printf(b, ", s_port=htons(%ld)}", r->call ==
		    CALL_GETSERVBYNAME ? r->ret : (long)r->arg);
		return;
	}
	if (r->ret < 0) {
		buf_printf(b, " = -1 %s (%s)", errno_name(r->err),
		    err_text(r->err));
		return;
	}
	if ((r->call == CALL_SELECT || r->call == CALL_EPOLL_WAIT) &&
	    r->ret == 0) {
		BUF_LIT(b, " = 0 (Timeout)");
		return;
	}
	if (r->call == CALL_GETADDRINFO && (r->flags & CF_INADDR)) {
		const struct addrinfo *ai;

		/* Inside an address: the answers on the call's line. */
		BUF_LIT(b, " = 0 ([");
		for (ai = r->ai; ai != NULL; ai = ai->ai_next) {
			if (ai != r->ai)
				BUF_LIT(b, ", ");
			addr_format_short(b, ai->ai_addr, ai->ai_addrlen);
		}
		BUF_LIT(b, "])");
		return;
	}
	if (r->call == CALL_SELECT) {
		buf_printf(b, " = %ld (", r->ret);
		if (r->pfd != NULL) {
			const char *sep = "";
			int k;
			static const short bits[3] = { POLLIN, POLLOUT,
			    POLLPRI };
			static const char *const names[3] = { "in", "out",
			    "except" };

			for (k = 0; k < 3; k++) {
				int i, any = 0;

				for (i = 0; i < r->nfds; i++)
					any |= r->pfd[i].revents & bits[k];
				if (!any)
					continue;
				buf_printf(b, "%s%s ", sep, names[k]);
				fdset_arg(b, r->pfd, r->nfds, bits[k], 1);
				sep = ", ";
			}
		}
		buf_addc(b, ')');
		return;
	}
	if (r->call == CALL_FCNTL && r->arg == F_GETFL) {
		buf_printf(b, " = %#lx (flags ", r->ret);
		fl_arg(b, r->ret);
		buf_addc(b, ')');
		return;
	}
	if (r->call == CALL_PPOLL && r->ret == 0) {
		BUF_LIT(b, " = 0 (Timeout)");
		return;
	}
	BUF_LIT(b, " = ");
	buf_addnum(b, r->ret);
	if (r->call == CALL_PPOLL) {
		BUF_LIT(b, " (");
		pollfds_arg(b, r->pfd, r->nfds, 1);
		buf_addc(b, ')');
	}
}

/* A receive that returned: its bytes inside the call or after it. */
static void
trace_recv(const struct call_rec *r)
{
	/* Kept from call to call: a long exchange allocates nothing here. */
	static struct buf pre, post, b;
	size_t		n = call_filled(r);
	int		stream = r->snap.type != SOCK_DGRAM;

	buf_reset(&pre);
	buf_reset(&post);
	buf_reset(&b);
	if (r->flags & CF_TLS) {
		/* SSL_read(ssl@3, "...", 16384) = 5: no flags to show. */
		buf_printf(&pre, "%s(ssl@%d, ", (r->arg & MSG_PEEK) ?
		    "SSL_peek" : "SSL_read", r->fd);
		BUF_LIT(&post, ", ");
		buf_addnum(&post, (long long)r->len);
		BUF_LIT(&post, ")");
		tls_call_ending(&post, r);
	} else {
		buf_adds(&pre, call_name(r->call));
		buf_addc(&pre, '(');
		fd_arg(&pre, r->fd);
		BUF_LIT(&post, ", ");
		buf_addnum(&post, (long long)r->len);
		BUF_LIT(&post, ", ");
		flags_format(&post, msgflag_names, r->arg);
		if (r->call == CALL_RECVFROM) {
			BUF_LIT(&post, ", ");
			addr_out(&post, r);
		}
		BUF_LIT(&post, ") = ");
		buf_addnum(&post, r->ret);
	}
	if (r->show == SHOW_ARG) {
		buf_add(&b, pre.data, pre.len);
		data_arg(&b, r->data, n);
		buf_add(&b, post.data, post.len);
		if (!opt.quiet)
			emit(buf_str(&b));
	} else if (r->show == SHOW_FILE) {
		if (!opt.quiet)
			trace_note("%sbuf%s", buf_str(&pre), buf_str(&post));
	} else if (r->ret == 0 && stream) {
		if (!opt.quiet)
			trace_note("%s\"\"%s", buf_str(&pre), buf_str(&post));
	} else
		show_data_fmt(buf_str(&pre), buf_str(&post), r->data, n,
		    r->fmt);
	if (r->call == CALL_RECVFROM && opt.quiet && r->addr.len > 0 &&
	    !(r->flags & CF_BEHIND)) {
		buf_reset(&b);
		addr_format_short(&b, (const struct sockaddr *)&r->addr.ss,
		    r->addr.len);
		result("from %s", buf_str(&b));
	}
}

/* poll answered from sockrepl's buffer: which fds, and why no call. */
static void
trace_answered(const struct call_rec *r)
{
	const struct sock	*sk;
	int			 i;

	for (i = 0; i < r->nfds; i++) {
		if (!(r->pfd[i].revents & POLLIN) ||
		    (sk = sock_get(r->pfd[i].fd)) == NULL)
			continue;
		if (rbuf_len(sk) > 0)
			trace_note("(fd %d: %zu bytes in sockrepl's buffer, "
			    "readable now; no system call)", sk->fd,
			    rbuf_len(sk));
		else
			trace_note("(fd %d: %zu bytes of plaintext held by "
			    "OpenSSL (SSL_pending), readable now; no system "
			    "call)", sk->fd, tls_pending(sk));
	}
}

/* With -q: the result a call gives, where it gives one worth showing. */
static void
trace_quiet(const struct call_rec *r)
{
	struct buf	b = { 0 };
	int		i;

	if (r->ret < 0)
		return;
	switch (r->call) {
	case CALL_SOCKET:
		result("%ld", r->ret);
		break;
	case CALL_SOCKETPAIR:
		result("%d %d", r->sv[0], r->sv[1]);
		break;
	case CALL_ACCEPT:
		addr_format_short(&b, (const struct sockaddr *)&r->addr.ss,
		    r->addr.len);
		result("%ld %s", r->ret, buf_str(&b));
		break;
	case CALL_GETSOCKNAME:
	case CALL_GETPEERNAME:
		addr_format_short(&b, (const struct sockaddr *)&r->addr.ss,
		    r->addr.len);
		result("%s", buf_str(&b));
		break;
	case CALL_GETSOCKOPT:
		/* info shows its own block; TCP_INFO's fields are results. */
		if ((r->flags & CF_INSPECT) || r->opt->kind == OPT_TCPINFO ||
		    r->opt->kind == OPT_MEMINFO)
			break;
		if (!(r->flags & CF_CONNRESULT)) {
			optval_plain(&b, r);
			result("%s", buf_str(&b));
		}
		break;
	case CALL_GETNAMEINFO:
		result("%s %s", r->text, r->text2);
		break;
	case CALL_GETHOSTNAME:
		result("%s", r->text);
		break;
	case CALL_GETSERVBYNAME:
		result("%ld", r->ret);
		break;
	case CALL_GETSERVBYPORT:
		result("%s", r->text);
		break;
	case CALL_EPOLL_CREATE:
	case CALL_DUP:
		result("%ld", r->ret);
		break;
	case CALL_SELECT:
	case CALL_EPOLL_WAIT:
		for (i = 0; i < r->nfds; i++) {
			if (r->pfd[i].revents == 0)
				continue;
			buf_reset(&b);
			if (r->call == CALL_SELECT)
				poll_events(&b, r->pfd[i].revents);
			else
				flags_format(&b, epoll_names, (unsigned short)
				    r->pfd[i].revents);
			result("%d %s", r->pfd[i].fd, buf_str(&b));
		}
		break;
	default:
		break;
	}
	buf_free(&b);
}

void
trace_observe(const struct call_rec *r)
{
	static struct buf b;

	if (r->flags & CF_NOTMADE)
		return;
	if ((r->flags & CF_BEHIND) && !opt.verbose)
		return;
	/*
	 * A loop's hidden calls are counted by it; a failing one is shown,
	 * and so is the receive that ends the loop at EOF.
	 */
	if ((r->flags & CF_HIDDEN) && r->ret >= 0 && !(r->ret == 0 &&
	    (r->call == CALL_RECV || r->call == CALL_RECVFROM ||
	    r->call == CALL_PPOLL)))
		return;
	if (r->flags & CF_NOCALL) {
		trace_answered(r);
		return;
	}
	if (r->call == CALL_BUFFERED) {
		if (r->show == SHOW_BLOCK)
			show_data_fmt(NULL, NULL, r->data, r->len, r->fmt);
		return;
	}
	if ((r->call == CALL_RECV || r->call == CALL_RECVFROM) && r->ret >= 0) {
		trace_recv(r);
		/* TLS bytes on a plain socket: the peer wants a handshake. */
		if (!(r->flags & (CF_TLS | CF_BEHIND)))
			tls_sniff(r);
		return;
	}
	if (r->call == CALL_RECVMSG && r->ret >= 0) {
		trace_recvmsg(r);
		return;
	}
	if ((r->call == CALL_SENDMSG || r->call == CALL_RECVMSG) &&
	    !opt.quiet) {
		trace_msg_line(r);
		return;
	}
	if (opt.quiet) {
		if (!(r->flags & CF_BEHIND))
			trace_quiet(r);
		/* Only the getaddrinfo command shows its answers with -q. */
		if (r->call == CALL_GETADDRINFO && r->ret == 0 &&
		    strcmp(r->cmd, "getaddrinfo") == 0)
			trace_addrinfo(r);
		return;
	}
	buf_reset(&b);
	call_args(&b, r);
	call_ending(&b, r);
	emit(buf_str(&b));
	/* An option read by number, longer than an int: its bytes too. */
	if (r->call == CALL_GETSOCKOPT && r->ret == 0 &&
	    r->opt->kind == OPT_RAW && (r->vallen > sizeof(int) ||
	    (r->flags & CF_RAWLEN)))
		show_data_fmt(NULL, NULL, r->val.raw, r->vallen <
		    sizeof r->val.raw ? r->vallen : sizeof r->val.raw, FMT_HEX);
	if (r->call == CALL_GETADDRINFO && r->ret == 0 &&
	    !(r->flags & CF_INADDR))
		trace_addrinfo(r);
}
