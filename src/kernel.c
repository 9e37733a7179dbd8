/*
 * The kernel's own table of sockets, read as ss(8) reads it: one netlink
 * sock_diag dump per kind of socket (TCP, UDP, UNIX) returns every socket's
 * state, queues and addresses at once, so list costs a few calls whatever
 * the number of sockets, not one per socket. Sockets are matched to the
 * table by inode (fstat of the fd, taken once when the socket is made).
 *
 * Connections closed by close also live on in the kernel (FIN_WAIT2,
 * TIME_WAIT) with no fd and no inode: they are matched by their addresses,
 * noted at close.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <linux/unix_diag.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sockrepl.h"

/* The last dump: every socket it returned, and a hash of them by inode. */
static struct kstate	*ks;
static size_t		 nks, capks;
static uint32_t		*ino_slot;	/* index + 1; 0 is empty */
static size_t		 nino_slots;
static uint32_t		*tup_slot;	/* the same by addresses, on demand */
static size_t		 ntup_slots;
static int		 tup_built;

/* Connections we closed, kept while the kernel may still hold them. */
#define CLOSED_MAX	4096
struct closed {
	int		 fd;
	struct addr	 local;
	struct addr	 peer;
	int		 told;		/* the prompt has said what became of it */
};
static struct closed	*closed;
static size_t		 nclosed;

uint64_t
sock_inode(int fd)
{
	struct stat	st;

	return fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*u = p;

	while (n-- > 0)
		h = (h ^ *u++) * 1099511628211ULL;
	return h;
}

/* An address's family, port and host, the parts sock_diag reports. */
static uint64_t
addr_hash(uint64_t h, const struct addr *a)
{
	const struct sockaddr_in	*s4 = (const void *)&a->ss;
	const struct sockaddr_in6	*s6 = (const void *)&a->ss;

	if (a->ss.ss_family == AF_INET) {
		h = mix(h, &s4->sin_port, sizeof s4->sin_port);
		return mix(h, &s4->sin_addr, sizeof s4->sin_addr);
	}
	if (a->ss.ss_family == AF_INET6) {
		h = mix(h, &s6->sin6_port, sizeof s6->sin6_port);
		return mix(h, &s6->sin6_addr, sizeof s6->sin6_addr);
	}
	return h;
}

static int
addr_same(const struct addr *a, const struct addr *b)
{
	const struct sockaddr_in	*a4 = (const void *)&a->ss,
					*b4 = (const void *)&b->ss;
	const struct sockaddr_in6	*a6 = (const void *)&a->ss,
					*b6 = (const void *)&b->ss;

	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	if (a->ss.ss_family == AF_INET)
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss.ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	return 0;
}

static uint64_t
tuple_hash(const struct addr *l, const struct addr *p)
{
	return addr_hash(addr_hash(14695981039346656037ULL, l), p);
}

static struct kstate *
ks_new(void)
{
	if (nks == capks) {
		capks = capks ? capks * 2 : 256;
		if ((ks = realloc(ks, capks * sizeof *ks)) == NULL)
			abort();
	}
	memset(&ks[nks], 0, sizeof ks[nks]);
	return &ks[nks++];
}

static void
inet_addr(struct addr *a, int family, const __be32 *ip, __be16 port,
    uint32_t ifindex)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&a->ss;

	memset(a, 0, sizeof *a);
	if (family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = port;
		memcpy(&s4->sin_addr, ip, 4);
		a->len = sizeof *s4;
	} else {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = port;
		memcpy(&s6->sin6_addr, ip, 16);
		if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
			s6->sin6_scope_id = ifindex;
		a->len = sizeof *s6;
	}
}

static void
take_inet(const struct nlmsghdr *h, int protocol)
{
	const struct inet_diag_msg	*m = NLMSG_DATA(h);
	struct kstate			*k;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof *m))
		return;
	k = ks_new();
	k->ino = m->idiag_inode;
	k->family = m->idiag_family;
	k->protocol = protocol;
	k->state = m->idiag_state;
	k->rqueue = m->idiag_rqueue;
	k->wqueue = m->idiag_wqueue;
	inet_addr(&k->local, m->idiag_family, m->id.idiag_src,
	    m->id.idiag_sport, m->id.idiag_if);
	inet_addr(&k->peer, m->idiag_family, m->id.idiag_dst,
	    m->id.idiag_dport, m->id.idiag_if);
}

static void
take_unix(const struct nlmsghdr *h)
{
	const struct unix_diag_msg	*m = NLMSG_DATA(h);
	const struct unix_diag_rqlen	*q;
	const struct rtattr		*a;
	struct sockaddr_un		*sun;
	struct kstate			*k;
	int				 left;
	size_t				 n;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof *m))
		return;
	k = ks_new();
	k->ino = m->udiag_ino;
	k->family = AF_UNIX;
	k->state = m->udiag_state;
	sun = (struct sockaddr_un *)&k->local.ss;
	sun->sun_family = AF_UNIX;
	k->local.len = sizeof(sa_family_t);
	a = (const struct rtattr *)(m + 1);
	left = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *m);
	for (; RTA_OK(a, left); a = RTA_NEXT(a, left)) {
		switch (a->rta_type) {
		case UNIX_DIAG_NAME:
			n = RTA_PAYLOAD(a);
			if (n > sizeof sun->sun_path)
				n = sizeof sun->sun_path;
			memcpy(sun->sun_path, RTA_DATA(a), n);
			/* A path's length counts its NUL, as getsockname's. */
			k->local.len = (socklen_t)(offsetof(struct sockaddr_un,
			    sun_path) + n + (n > 0 && sun->sun_path[0] != '\0' &&
			    n < sizeof sun->sun_path));
			break;
		case UNIX_DIAG_PEER:
			if (RTA_PAYLOAD(a) >= sizeof(uint32_t))
				k->peer_ino = *(const uint32_t *)RTA_DATA(a);
			break;
		case UNIX_DIAG_RQLEN:
			if (RTA_PAYLOAD(a) >= sizeof *q) {
				q = RTA_DATA(a);
				k->rqueue = q->udiag_rqueue;
				k->wqueue = q->udiag_wqueue;
			}
			break;
		}
	}
}

/*
 * One dump: family and protocol as sock_diag takes them. Returns the
 * number of sockets it returned, or -1 with errno.
 */
static long
dump(int family, int protocol, int timewait)
{
	static char	 rb[65536];
	struct {
		struct nlmsghdr	nlh;
		union {
			struct inet_diag_req_v2	inet;
			struct unix_diag_req	ux;
		} r;
	} req;
	struct sockaddr_nl	 nl = { .nl_family = AF_NETLINK };
	const struct nlmsghdr	*h;
	const struct nlmsgerr	*e;
	ssize_t			 n;
	long			 count = 0;
	int			 fd, done = 0, err = 0;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	memset(&req, 0, sizeof req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 1;
	if (family == AF_UNIX) {
		req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof req.r.ux);
		req.r.ux.sdiag_family = AF_UNIX;
		req.r.ux.udiag_states = ~0U;
		req.r.ux.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER |
		    UDIAG_SHOW_RQLEN;
	} else {
		req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof req.r.inet);
		req.r.inet.sdiag_family = (uint8_t)family;
		req.r.inet.sdiag_protocol = (uint8_t)protocol;
		/*
		 * No socket with an fd is in TIME_WAIT or a connection request:
		 * the kernel skips those at once unless closed connections are
		 * wanted (a busy machine has tens of thousands in TIME_WAIT).
		 */
		req.r.inet.idiag_states = ~0U;
		if (!timewait)
			req.r.inet.idiag_states &= ~((1U << TCP_TIME_WAIT) |
			    (1U << TCP_SYN_RECV) | (1U << 12));
	}
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&nl,
	    sizeof nl) < 0) {
		err = errno;
		goto out;
	}
	while (!done) {
		if ((n = recv(fd, rb, sizeof rb, 0)) < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		if (n == 0)
			break;
		for (h = (const struct nlmsghdr *)rb; NLMSG_OK(h, n);
		    h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(h);
				err = e->error < 0 ? -e->error : EPROTO;
				done = 1;
				break;
			}
			if (family == AF_UNIX)
				take_unix(h);
			else
				take_inet(h, protocol);
			count++;
		}
	}
out:
	close(fd);
	if (err != 0) {
		errno = err;
		return -1;
	}
	return count;
}

/* One dump, recorded for the trace (-v shows it). Returns 0 or -1. */
static int
dump_one(int family, int protocol, int timewait)
{
	long	n = dump(family, protocol, timewait);

	call_sockdiag(family, protocol, n, errno);
	return n < 0 ? -1 : 0;
}

static void
index_inodes(void)
{
	size_t	i, j, want = 64;

	while (want < nks * 2)
		want *= 2;
	if (want != nino_slots) {
		free(ino_slot);
		if ((ino_slot = calloc(want, sizeof *ino_slot)) == NULL)
			abort();
		nino_slots = want;
	} else
		memset(ino_slot, 0, want * sizeof *ino_slot);
	for (i = 0; i < nks; i++) {
		if (ks[i].ino == 0)
			continue;
		for (j = (ks[i].ino * 2654435761u) & (want - 1); ino_slot[j];
		    j = (j + 1) & (want - 1))
			;
		ino_slot[j] = (uint32_t)i + 1;
	}
	tup_built = 0;
}

/*
 * Read the kernel's table for the kinds in want (KV_*). Returns 0, or -1
 * with errno when a dump could not be made (no sock_diag in this kernel or
 * sandbox): callers then ask each socket instead.
 */
int
kernel_load(int want)
{
	int	ret = 0, tw = (want & KV_TIMEWAIT) != 0;

	nks = 0;
	/* Each dump walks the kernel's whole table: only those needed. */
	if ((want & KV_TCP4) && dump_one(AF_INET, IPPROTO_TCP, tw) != 0)
		ret = -1;
	if (ret == 0 && (want & KV_TCP6) &&
	    dump_one(AF_INET6, IPPROTO_TCP, tw) != 0)
		ret = -1;
	if (ret == 0 && (want & KV_UDP4) &&
	    dump_one(AF_INET, IPPROTO_UDP, 0) != 0)
		ret = -1;
	if (ret == 0 && (want & KV_UDP6) &&
	    dump_one(AF_INET6, IPPROTO_UDP, 0) != 0)
		ret = -1;
	if (ret == 0 && (want & KV_UNIX) && dump_one(AF_UNIX, 0, 0) != 0)
		ret = -1;
	if (ret != 0)
		nks = 0;
	index_inodes();
	return ret;
}

/* The socket with inode ino in the last dump, or NULL. */
const struct kstate *
kernel_find(uint64_t ino)
{
	size_t	j;

	if (ino == 0 || nino_slots == 0)
		return NULL;
	for (j = (ino * 2654435761u) & (nino_slots - 1); ino_slot[j];
	    j = (j + 1) & (nino_slots - 1)) {
		if (ks[ino_slot[j] - 1].ino == ino)
			return &ks[ino_slot[j] - 1];
	}
	return NULL;
}

/* The TCP connection from local to peer in the last dump, or NULL. */
const struct kstate *
kernel_find_tuple(const struct addr *local, const struct addr *peer)
{
	const struct kstate	*k;
	size_t			 i, j, want = 64;

	if (!tup_built) {
		while (want < nks * 2)
			want *= 2;
		free(tup_slot);
		if ((tup_slot = calloc(want, sizeof *tup_slot)) == NULL)
			abort();
		ntup_slots = want;
		for (i = 0; i < nks; i++) {
			if (ks[i].protocol != IPPROTO_TCP)
				continue;
			for (j = tuple_hash(&ks[i].local, &ks[i].peer) &
			    (want - 1); tup_slot[j]; j = (j + 1) & (want - 1))
				;
			tup_slot[j] = (uint32_t)i + 1;
		}
		tup_built = 1;
	}
	for (j = tuple_hash(local, peer) & (ntup_slots - 1); tup_slot[j];
	    j = (j + 1) & (ntup_slots - 1)) {
		k = &ks[tup_slot[j] - 1];
		if (addr_same(&k->local, local) && addr_same(&k->peer, peer))
			return k;
	}
	return NULL;
}

/* Let the memory of the last dump go (at exit). */
void
kernel_forget(void)
{
	free(ks);
	free(ino_slot);
	free(tup_slot);
	free(closed);
	ks = NULL;
	ino_slot = tup_slot = NULL;
	closed = NULL;
	nks = capks = nino_slots = ntup_slots = nclosed = 0;
	tup_built = 0;
}

/*
 * A TCP connection is about to be closed: note its addresses (asked behind
 * the user's back), so list -a and the prompt can tell what the kernel
 * does with it after.
 */
void
kernel_closed_note(struct sock *sk)
{
	struct closed	c;

	if ((sk->family != AF_INET && sk->family != AF_INET6) ||
	    sk->type != SOCK_STREAM || sk->state == ST_LISTENING ||
	    sk->state == ST_NEW || sk->state == ST_BOUND)
		return;
	memset(&c, 0, sizeof c);
	c.fd = sk->fd;
	if (call_getname(sk, 0, &c.local, CF_BEHIND) != 0 ||
	    call_getname(sk, 1, &c.peer, CF_BEHIND) != 0)
		return;
	if (closed == NULL && (closed = calloc(CLOSED_MAX,
	    sizeof *closed)) == NULL)
		abort();
	if (nclosed == CLOSED_MAX) {
		memmove(closed, closed + 1, (CLOSED_MAX - 1) * sizeof *closed);
		nclosed--;
	}
	closed[nclosed++] = c;
}

/* Are there connections we closed that the kernel may still hold? */
int
kernel_closed_any(void)
{
	size_t	i;
	int	want = 0;

	for (i = 0; i < nclosed; i++)
		want |= closed[i].local.ss.ss_family == AF_INET6 ? KV_TCP6 :
		    KV_TCP4;
	return want != 0 ? want | KV_TIMEWAIT : 0;
}

/*
 * Each connection we closed that the last dump still holds, oldest first,
 * handed to fn; those the kernel has let go are forgotten. Returns how
 * many there were.
 */
int
kernel_closed_rows(int (*fn)(const struct kstate *, void *), void *arg)
{
	const struct kstate	*k;
	size_t			 i, kept = 0;
	int			 n = 0;

	for (i = 0; i < nclosed; i++) {
		k = kernel_find_tuple(&closed[i].local, &closed[i].peer);
		if (k == NULL || (k->ino != 0 && k->state != TCP_TIME_WAIT &&
		    k->state != TCP_FIN_WAIT2 && k->state != TCP_FIN_WAIT1 &&
		    k->state != TCP_LAST_ACK && k->state != TCP_CLOSING))
			continue;
		closed[kept++] = closed[i];
		n++;
		if (fn != NULL)
			(void)fn(k, arg);
	}
	nclosed = kept;
	return n;
}

/*
 * For the prompt, after close: what became of each connection closed
 * since the last call, as notices added to out. Returns how many.
 */
int
kernel_closed_news(struct buf *out)
{
	const struct kstate	*k;
	size_t			 i;
	int			 n = 0, any = 0;

	for (i = 0; i < nclosed; i++)
		any |= !closed[i].told;
	if (!any || kernel_load(kernel_closed_any()) != 0)
		return 0;
	for (i = 0; i < nclosed; i++) {
		if (closed[i].told)
			continue;
		closed[i].told = 1;
		k = kernel_find_tuple(&closed[i].local, &closed[i].peer);
		if (k == NULL)
			continue;
		buf_printf(out, "%s[fd %d] ", color(C_EVENT), closed[i].fd);
		switch (k->state) {
		case TCP_FIN_WAIT1:
		case TCP_FIN_WAIT2:
			buf_printf(out, "closed, but the kernel still holds the "
			    "connection in %s: it waits for the peer to close "
			    "its end, then keeps it in TIME_WAIT for about a "
			    "minute (list -a shows it)",
			    tcp_state_name(k->state));
			break;
		case TCP_TIME_WAIT:
			buf_printf(out, "closed; the kernel keeps the "
			    "connection in TIME_WAIT for about a minute, so "
			    "late segments do no harm (list -a shows it)");
			break;
		case TCP_LAST_ACK:
		case TCP_CLOSING:
			buf_printf(out, "closed; the kernel holds the "
			    "connection in %s until the peer acknowledges our "
			    "FIN", tcp_state_name(k->state));
			break;
		default:
			buf_printf(out, "closed; the kernel holds the "
			    "connection in %s", tcp_state_name(k->state));
			break;
		}
		buf_printf(out, "%s\n", color(C_RESET));
		n++;
	}
	return n;
}
