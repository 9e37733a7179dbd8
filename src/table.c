/*
 * The table of live sockets: an array indexed by fd, so lookup is O(1) with
 * thousands of sockets, as the kernel's own fd table is.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

static struct sock	**table;
static int		  table_size;
static int		  table_count;
static uint64_t		  next_seq = 1;	/* 0 means no socket */

struct sock *
sock_get(int fd)
{
	if (fd < 0 || fd >= table_size)
		return NULL;
	return table[fd];
}

/* Record a new socket. Never fails: running out of memory aborts. */
struct sock *
sock_add(int fd, int family, int type, int protocol)
{
	struct sock	*s;
	int		 n;

	if (fd >= table_size) {
		n = table_size ? table_size : 64;
		while (n <= fd)
			n *= 2;
		if ((table = realloc(table, n * sizeof *table)) == NULL)
			nomem();
		memset(table + table_size, 0, (n - table_size) * sizeof *table);
		table_size = n;
	}
	if (table[fd] != NULL)
		sock_remove(fd);	/* the fd was reused behind our back */
	if ((s = calloc(1, sizeof *s)) == NULL)
		nomem();
	s->fd = fd;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	s->state = ST_NEW;
	s->timeout = -1;
	s->parent = -1;
	s->seq = next_seq++;
	table[fd] = s;
	table_count++;
	return s;
}

void
sock_remove(int fd)
{
	if (sock_get(fd) == NULL)
		return;
	rbuf_free(table[fd]->rbuf);
	free(table[fd]->host);
	free(table[fd]);
	table[fd] = NULL;
	table_count--;
}

int
sock_count(void)
{
	return table_count;
}

/* Iterate in fd order: for (fd = sock_first(); fd >= 0; fd = sock_next(fd)). */
int
sock_first(void)
{
	return sock_next(-1);
}

int
sock_next(int fd)
{
	for (fd++; fd < table_size; fd++) {
		if (table[fd] != NULL)
			return fd;
	}
	return -1;
}

/* The listener sk was accepted from, if it is still open (not a new socket
 * that happens to have its fd). */
struct sock *
sock_parent(const struct sock *sk)
{
	struct sock	*p = sock_get(sk->parent);

	return p != NULL && p->seq == sk->parent_seq ? p : NULL;
}

/* Note what a failed data call did to the connection, for list. */
void
sock_note_error(struct sock *sk, int e)
{
	/* Only a connection can fail; a listener or our own shutdown cannot. */
	if (sk->state != ST_CONNECTED && sk->state != ST_CLOSED_PEER)
		return;
	if (e == EPIPE && sk->shut_wr)
		return;
	if (e == ECONNRESET || e == EPIPE || e == ETIMEDOUT ||
	    e == ECONNABORTED) {
		sk->state = ST_FAILED;
		sk->errnum = e;
	}
}

/* At exit: close every socket and free the table. */
void
sock_close_all(void)
{
	int	fd;

	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		close(fd);
		sock_remove(fd);
	}
	free(table);
	table = NULL;
	table_size = 0;
}

const char *
sock_state_name(const struct sock *s)
{
	static char	name[64];
	const char	*base;

	switch (s->state) {
	case ST_NEW:		base = "new"; break;
	case ST_BOUND:		base = "bound"; break;
	case ST_LISTENING:	base = "listening"; break;
	case ST_CONNECTING:	base = "connecting"; break;
	case ST_CONNECTED:	base = "connected"; break;
	case ST_CLOSED_PEER:	base = "eof"; break;
	case ST_FAILED:		base = "failed"; break;
	default:		base = "?"; break;
	}
	if (s->shut_rd && s->shut_wr)
		snprintf(name, sizeof name, "%s,shut", base);
	else if (s->shut_rd)
		snprintf(name, sizeof name, "%s,shut-rd", base);
	else if (s->shut_wr)
		snprintf(name, sizeof name, "%s,shut-wr", base);
	else
		snprintf(name, sizeof name, "%s", base);
	return name;
}

/* tcp and udp for the Internet families, stream and dgram for AF_UNIX. */
const char *
sock_type_short(int family, int type)
{
	int	inet = family == AF_INET || family == AF_INET6;

	switch (type) {
	case SOCK_STREAM:	return inet ? "tcp" : "stream";
	case SOCK_DGRAM:	return inet ? "udp" : "dgram";
	case SOCK_SEQPACKET:	return "seqpacket";
	case SOCK_RAW:		return "raw";
	default:		return "?";
	}
}

/*
 * What list and the prompt call a socket: its type, or its protocol where
 * that says more (a ping socket is a datagram socket, but no UDP one).
 */
const char *
sock_kind(const struct sock *sk)
{
	if (sk->kind == SK_EPOLL)
		return "epoll";
	if (sk->family == AF_INET || sk->family == AF_INET6) {
		if (sk->type == SOCK_DGRAM && (sk->protocol == IPPROTO_ICMP ||
		    sk->protocol == IPPROTO_ICMPV6))
			return "ping";
		if (sk->protocol == IPPROTO_UDPLITE)
			return "udplite";
		if (sk->protocol == IPPROTO_SCTP)
			return "sctp";
	}
	if (sk->family == AF_PACKET)
		return sk->type == SOCK_DGRAM ? "packet-dgram" : "packet";
	return sock_type_short(sk->family, sk->type);
}

const char *
sock_family_short(int family)
{
	switch (family) {
	case AF_INET:	return "inet";
	case AF_INET6:	return "inet6";
	case AF_UNIX:	return "unix";
	case AF_PACKET:	return "packet";
	case AF_NETLINK: return "netlink";
	default:	return "?";
	}
}

/*
 * Move one of sockrepl's own fds (a script file, the epoll fd) far above the
 * sockets' so the first socket is fd 3, as in every tutorial. Returns the
 * new fd, or fd itself when it cannot move.
 */
int
fd_move_high(int fd)
{
	struct rlimit	rl;
	int		high = 512, n;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur <= 1024)
		high = (int)(rl.rlim_cur / 2);
	if (fd < 0 || high <= fd ||
	    (n = fcntl(fd, F_DUPFD_CLOEXEC, high)) < 0)
		return fd;
	close(fd);
	return n;
}
