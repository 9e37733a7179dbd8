/*
 * The call layer: one function per system call sockrepl makes on a user's
 * socket. Each makes the call, keeps errno, moves the socket's state in
 * call_transition (the one state machine), fills a call_rec and hands it to
 * the observers. This is the only file that calls the socket API on a
 * user's socket, so what the trace, the outcome and export see is what was
 * done, as strace keeps decoding apart from doing.
 *
 * Each function returns what the system call returned, with errno as the
 * call left it, so a handler reads like ordinary socket code.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sockrepl.h"


static const call_observer observers[] = {
	trace_observe,
	outcome_observe,
	log_observe,
	tour_observe,
	diagram_observe,
	wire_observe,	/* after the trace: its lines go under the call's */
};

/*
 * The records live here, not on the stack: the last user call's stays for
 * call_last (a handler reports a failure from it) with no copy per call.
 * Calls behind the user's back have their own, so they never replace it.
 */
static struct call_rec	user_rec, behind_rec;

static double
since_start(void)
{
	static struct timespec	t0;
	struct timespec		t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (t0.tv_sec == 0 && t0.tv_nsec == 0)
		t0 = t;
	return (double)(t.tv_sec - t0.tv_sec) +
	    (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
}

static struct call_rec *
rec_init(enum call_id c, struct sock *sk, int flags)
{
	struct call_rec	*r = (flags & CF_BEHIND) ? &behind_rec : &user_rec;

	/* Packets that came before this call are not its doing. */
	if (wire_on && !(flags & CF_BEHIND))
		wire_before();
	memset(r, 0, sizeof *r);
	r->call = c;
	r->flags = flags;
	r->cmd = sess.cmd;
	r->fd = sk != NULL ? sk->fd : -1;
	r->seq = sk != NULL ? sk->seq : 0;
	r->snap.fd = -1;
	r->timeout_ms = -1;
	return r;
}

/* Note a call's result: ret, and errno when it failed. */
static void
rec_result(struct call_rec *r, long ret, int e)
{
	r->ret = ret;
	r->err = ret < 0 ? e : 0;
	r->when = since_start();
}

/*
 * The type the kernel gave a new socket: an AF_UNIX SOCK_RAW is made a
 * SOCK_DGRAM, and the table says what the socket is.
 */
static int
real_type(int fd, int family, int type)
{
	socklen_t	len = sizeof type;
	int		t;

	if (family != AF_UNIX || type != SOCK_RAW)
		return type;
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &len) != 0)
		return type;
	return t;
}

/* The socket's state machine: what a call's result does to the socket. */
static struct sock *
call_transition(struct sock *sk, struct call_rec *r)
{
	struct sock	*nsk;
	int		 i;

	if (r->flags & CF_NOTMADE)
		return sk;
	if (r->ret < 0) {
		switch (r->call) {
		case CALL_CONNECT:
			if (sk->type == SOCK_DGRAM)
				break;
			if (r->err == EINPROGRESS || r->err == EINTR)
				sk->state = ST_CONNECTING;
			else if (sk->state != ST_LISTENING &&
			    r->err != EISCONN && r->err != EALREADY &&
			    r->err != EAGAIN) {
				/* Refused or unreachable: list and hints say. */
				sk->state = ST_FAILED;
				sk->errnum = r->err;
			}
			break;
		case CALL_SEND:
		case CALL_SENDTO:
		case CALL_SENDMSG:
		case CALL_SENDFILE:
		case CALL_RECV:
		case CALL_RECVFROM:
		case CALL_RECVMSG:
			if (!(r->flags & CF_PEEKONLY))
				sock_note_error(sk, r->err);
			break;
		case CALL_CLOSE:
			/* Even a failed close releases the fd on Linux. */
			sock_remove(sk->fd);
			return NULL;
		default:
			break;
		}
		return sk;
	}
	switch (r->call) {
	case CALL_SOCKET:
		sk = sock_add((int)r->ret, r->family, real_type((int)r->ret,
		    r->family, r->type), r->protocol);
		sk->ino = sock_inode(sk->fd);
		r->fd = sk->fd;
		r->seq = sk->seq;
		break;
	case CALL_SOCKETPAIR:
		nsk = sock_add(r->sv[0], AF_UNIX, real_type(r->sv[0], AF_UNIX,
		    r->type), 0);
		nsk->state = ST_CONNECTED;
		nsk->ino = sock_inode(nsk->fd);
		r->sv_seq[0] = nsk->seq;
		nsk = sock_add(r->sv[1], AF_UNIX, real_type(r->sv[1], AF_UNIX,
		    r->type), 0);
		nsk->state = ST_CONNECTED;
		nsk->ino = sock_inode(nsk->fd);
		r->sv_seq[1] = nsk->seq;
		sk = sock_get(r->sv[0]);
		r->fd = sk->fd;
		r->seq = sk->seq;
		break;
	case CALL_BIND:
		if (sk->state == ST_NEW)
			sk->state = ST_BOUND;
		break;
	case CALL_LISTEN:
		sk->state = ST_LISTENING;
		break;
	case CALL_ACCEPT:
		nsk = sock_add((int)r->ret, sk->family, sk->type,
		    sk->protocol);
		nsk->state = ST_CONNECTED;
		nsk->ino = sock_inode(nsk->fd);
		nsk->parent = sk->fd;
		nsk->parent_seq = sk->seq;
		r->new_seq = nsk->seq;
		break;
	case CALL_CONNECT:
		sk->state = ST_CONNECTED;
		break;
	case CALL_SEND:
	case CALL_SENDTO:
	case CALL_SENDMSG:
		sk->bytes_out += (uint64_t)r->ret;
		/* The kernel gave an unbound socket a local port to send from. */
		if (sk->state == ST_NEW && sk->family != AF_UNIX)
			sk->state = ST_BOUND;
		break;
	case CALL_RECVMSG:
		/*
		 * fds that came with it enter the table; what they are is
		 * asked next (adopt), behind the user's back.
		 */
		for (i = 0; i < r->nrx; i++)
			r->rxseq[i] = sock_add(r->rxfd[i], AF_UNSPEC, 0, 0)->seq;
		/* FALLTHROUGH */
	case CALL_RECV:
	case CALL_RECVFROM:
		if (r->flags & CF_PEEKONLY)
			break;
		if (!(r->arg & MSG_PEEK))
			sk->bytes_in += call_filled(r);
		/* After a reset, the 0 that follows is not the peer's EOF. */
		if (r->ret == 0 && r->len > 0 && sk->type != SOCK_DGRAM &&
		    !sk->shut_rd && sk->state != ST_FAILED)
			sk->state = ST_CLOSED_PEER;
		break;
	case CALL_GETSOCKOPT:
		/* A connection's error, taken by reading it, stays in list. */
		if (r->opt->kind == OPT_ERRNO && r->val.i != 0)
			sock_note_error(sk, r->val.i);
		if (r->opt->kind != OPT_ERRNO || sk->state != ST_CONNECTING)
			break;
		/* Reading SO_ERROR is how a background connect's end is learnt. */
		if (r->val.i != 0) {
			sk->state = ST_FAILED;
			sk->errnum = r->val.i;
		} else if (r->flags & CF_CONNRESULT)
			sk->state = ST_CONNECTED;
		break;
	case CALL_GETPEERNAME:
		if (sk->state == ST_CONNECTING)
			sk->state = ST_CONNECTED;
		break;
	case CALL_SHUTDOWN:
		if (r->arg != SHUT_WR)
			sk->shut_rd = 1;
		if (r->arg != SHUT_RD)
			sk->shut_wr = 1;
		break;
	case CALL_CLOSE:
		sock_remove(sk->fd);
		return NULL;
	case CALL_FCNTL:
		if (r->arg == F_SETFL)
			sk->nonblock = (r->arg2 & O_NONBLOCK) != 0;
		break;
	case CALL_EPOLL_CREATE:
		sk = sock_add((int)r->ret, 0, 0, 0);
		sk->kind = SK_EPOLL;
		r->fd = sk->fd;
		r->seq = sk->seq;
		break;
	case CALL_DUP:
		/* The same open file: its state, mode and place are shared. */
		nsk = sock_add((int)r->ret, sk->family, sk->type, sk->protocol);
		nsk->kind = sk->kind;
		nsk->state = sk->state;
		nsk->shut_rd = sk->shut_rd;
		nsk->shut_wr = sk->shut_wr;
		nsk->nonblock = sk->nonblock;
		nsk->timeout = sk->timeout;
		nsk->ino = sk->ino;
		if (sk->host != NULL && (nsk->host = strdup(sk->host)) == NULL)
			nomem();
		r->new_seq = nsk->seq;
		break;
	case CALL_SENDFILE:
		sk->bytes_out += (uint64_t)r->ret;
		break;
	default:
		break;
	}
	return sk;
}

/*
 * How many bytes a receive put in its buffer: what it returned, but no
 * more than the buffer (MSG_TRUNC returns a datagram's whole length), and
 * none for MSG_TRUNC on TCP, which throws the bytes away.
 */
size_t
call_filled(const struct call_rec *r)
{
	if (r->ret <= 0)
		return 0;
	if (r->call != CALL_BUFFERED && (r->arg & MSG_TRUNC) &&
	    r->snap.protocol == IPPROTO_TCP)
		return 0;
	return (size_t)r->ret < r->len ? (size_t)r->ret : r->len;
}

/* Hand a finished record to every observer. */
void
call_observe(const struct call_rec *r)
{
	size_t	i;

	for (i = 0; i < sizeof observers / sizeof observers[0]; i++)
		observers[i](r);
}

/* Apply the call to the socket, note the socket as it is now, observe. */
static void
finish(struct call_rec *r, struct sock *sk)
{
	int	e = errno;

	if (sk != NULL || r->call == CALL_SOCKET ||
	    r->call == CALL_SOCKETPAIR || r->call == CALL_EPOLL_CREATE)
		sk = call_transition(sk, r);
	if (sk != NULL)
		r->snap = *sk;
	r->snap.rbuf = NULL;
	call_observe(r);
	errno = e;
}

/*
 * tls.c makes its OpenSSL calls through these: a record like any other,
 * then its result, the state machine and the observers.
 */
struct call_rec *
call_rec_begin(enum call_id c, struct sock *sk, int flags)
{
	return rec_init(c, sk, flags);
}

void
call_rec_end(struct call_rec *r, struct sock *sk, long ret, int e)
{
	rec_result(r, ret, e);
	errno = e;
	finish(r, sk);
}

/* The last record the user's commands made (not those behind their back). */
const struct call_rec *
call_last(void)
{
	return &user_rec;
}

/*
 * A Ctrl-C came before a call that would block: record the call as not
 * made, failed with EINTR. Returns 1 then (errno EINTR), else 0.
 */
int
call_interrupted(struct sock *sk, enum call_id c, int flags)
{
	struct call_rec	*r;

	if (!interrupted)
		return 0;
	r = rec_init(c, sk, flags | CF_NOTMADE);
	rec_result(r, -1, EINTR);
	if (sk != NULL) {
		r->snap = *sk;
		r->snap.rbuf = NULL;
	}
	call_observe(r);
	errno = EINTR;
	return 1;
}

int
call_socket(int family, int type, int protocol, struct sock **skp)
{
	struct call_rec	*r;
	int		fd;

	r = rec_init(CALL_SOCKET, NULL, 0);
	r->family = family;
	r->type = type;
	r->protocol = protocol;
	fd = socket(family, type, protocol);
	rec_result(r, fd, errno);
	finish(r, NULL);
	*skp = fd >= 0 ? sock_get(fd) : NULL;
	return fd;
}

int
call_socketpair(int type, int flags, struct sock **a, struct sock **b)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(CALL_SOCKETPAIR, NULL, flags);
	r->family = AF_UNIX;
	r->type = type;
	ret = socketpair(AF_UNIX, type, 0, r->sv);
	rec_result(r, ret, errno);
	finish(r, NULL);
	*a = ret == 0 ? sock_get(r->sv[0]) : NULL;
	*b = ret == 0 ? sock_get(r->sv[1]) : NULL;
	return ret;
}

int
call_bind(struct sock *sk, const struct addr *a)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(CALL_BIND, sk, 0);
	r->addr = *a;
	ret = bind(sk->fd, (const struct sockaddr *)&a->ss, a->len);
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

int
call_listen(struct sock *sk, int backlog)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(CALL_LISTEN, sk, 0);
	r->arg = backlog;
	ret = listen(sk->fd, backlog);
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

/* accept(2); on success *nskp is the new socket, now in the table. */
int
call_accept(struct sock *sk, struct sock **nskp)
{
	struct call_rec	*r;
	int		fd;

	r = rec_init(CALL_ACCEPT, sk, 0);
	r->addr.len = sizeof r->addr.ss;
	fd = accept(sk->fd, (struct sockaddr *)&r->addr.ss, &r->addr.len);
	if (fd < 0)
		r->addr.len = 0;
	rec_result(r, fd, errno);
	finish(r, sk);
	*nskp = fd >= 0 ? sock_get(fd) : NULL;
	return fd;
}

int
call_connect(struct sock *sk, const struct addr *a)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(CALL_CONNECT, sk, 0);
	r->addr = *a;
	wire_target(a);
	ret = connect(sk->fd, (const struct sockaddr *)&a->ss, a->len);
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

/*
 * Output to a file is flushed only before a call that really blocks
 * (out.c). On a blocking socket, with output put off, a send or a receive
 * is first made with MSG_DONTWAIT: when it would block, the output is
 * flushed and the call made again as asked. The trace shows the one call
 * asked for, with its result; no system call is added when the socket is
 * ready, the common case. Returns MSG_DONTWAIT to try first, else 0.
 */
static int
try_first(const struct sock *sk, int msgflags)
{
	return sk->timeout < 0 && !(msgflags & MSG_DONTWAIT) && out_pending() ?
	    MSG_DONTWAIT : 0;
}

static ssize_t
send_once(const struct sock *sk, const void *p, size_t n, int msgflags,
    const struct addr *to)
{
	if (to != NULL)
		return sendto(sk->fd, p, n, msgflags,
		    (const struct sockaddr *)&to->ss, to->len);
	return send(sk->fd, p, n, msgflags);
}

/*
 * send(2) or sendto(2), flushing our output first if it would block (see
 * try_first). A blocking send that took part of the data goes on with the
 * rest, as the kernel's own blocking send does, and returns what was sent
 * in all: the part, if the rest then failed.
 */
static ssize_t
send_flushing(const struct sock *sk, const void *p, size_t n, int msgflags,
    const struct addr *to)
{
	ssize_t	ret, more;
	int	try = try_first(sk, msgflags);

	ret = send_once(sk, p, n, msgflags | try, to);
	if (!try || (ret < 0 && errno != EAGAIN && errno != EWOULDBLOCK) ||
	    (ret >= 0 && ((size_t)ret == n || sk->type != SOCK_STREAM)))
		return ret;
	out_flush_now();
	if (ret < 0)
		return send_once(sk, p, n, msgflags, to);
	if ((more = send_once(sk, (const char *)p + ret, n - (size_t)ret,
	    msgflags, to)) > 0)
		ret += more;
	return ret;
}

/* send(2), or sendto(2) when to is given. */
ssize_t
call_send(struct sock *sk, const void *p, size_t n, int msgflags,
    const struct addr *to, int flags)
{
	struct call_rec	*r;
	ssize_t		ret;

	/* After starttls the bytes go through SSL_write. */
	if (sk->tls != NULL)
		return tls_send(sk, p, n, to != NULL ? -1 : msgflags, flags);
	r = rec_init(to != NULL ? CALL_SENDTO : CALL_SEND, sk, flags);
	r->data = p;
	r->len = n;
	r->arg = msgflags;
	if (to != NULL) {
		r->addr = *to;
		wire_target(to);
	}
	ret = send_flushing(sk, p, n, msgflags, to);
	rec_result(r, (long)ret, errno);
	finish(r, sk);
	return ret;
}

/*
 * recv(2), or recvfrom(2) when from is given (its address is filled in).
 * show and fmt say how the trace shows the bytes.
 */
ssize_t
call_recv(struct sock *sk, void *p, size_t size, int msgflags,
    struct addr *from, enum rec_show show, enum data_format fmt, int flags)
{
	struct call_rec	*r;
	ssize_t		ret;
	int		trunc, try;

	/* After starttls the bytes come through SSL_read (SSL_peek). */
	if (sk->tls != NULL)
		return tls_recv(sk, p, size, from != NULL ? -1 : msgflags, show,
		    fmt, flags);
	r = rec_init(from != NULL ? CALL_RECVFROM : CALL_RECV, sk, flags);
	trunc = 0;
	r->data = p;
	r->len = size;
	r->arg = msgflags;
	r->show = show;
	r->fmt = fmt;
	/*
	 * A datagram longer than the buffer is cut short and the rest lost:
	 * MSG_TRUNC makes the kernel say how long it was (arg2), and the
	 * call returns what it would have without it.
	 */
	if (sk->type != SOCK_STREAM && !(msgflags & MSG_TRUNC))
		trunc = MSG_TRUNC;
	try = try_first(sk, msgflags);
	for (;;) {
		if (from != NULL) {
			r->addr.len = sizeof r->addr.ss;
			ret = recvfrom(sk->fd, p, size, msgflags | trunc | try,
			    (struct sockaddr *)&r->addr.ss, &r->addr.len);
			if (ret < 0)
				r->addr.len = 0;
			*from = r->addr;
		} else
			ret = recv(sk->fd, p, size, msgflags | trunc | try);
		if (!try || ret >= 0 || (errno != EAGAIN &&
		    errno != EWOULDBLOCK))
			break;
		/* It would block: the output so far goes out first. */
		out_flush_now();
		try = 0;
	}
	if (trunc && ret > 0) {
		r->arg2 = ret;
		if ((size_t)ret > size)
			ret = (ssize_t)size;
	}
	rec_result(r, (long)ret, errno);
	finish(r, sk);
	return ret;
}

/* An option of a socket, read behind the user's back; -1 if it fails. */
static int
opt_behind(struct sock *sk, const char *name)
{
	union optval	v;
	socklen_t	len;

	if (call_getsockopt(sk, sockopt_find(name), &v, &len, CF_BEHIND) != 0)
		return -1;
	return v.i;
}

/*
 * An fd that came in a message (SCM_RIGHTS) becomes what it is in the
 * table: family, type and protocol from the kernel, listening, connected
 * or bound as SO_ACCEPTCONN, getpeername and getsockname say, its mode as
 * F_GETFL says; calls made behind the user's back (shown with -v). An fd
 * that is no socket leaves the table again (the handler closes it).
 */
static void
adopt(int fd)
{
	struct sock	*nsk = sock_get(fd);
	struct addr	 a;
	int		 family, fl;

	if (nsk == NULL)
		return;
	if ((family = opt_behind(nsk, "SO_DOMAIN")) < 0 ||
	    (nsk->type = opt_behind(nsk, "SO_TYPE")) < 0) {
		sock_remove(fd);
		return;
	}
	nsk->family = family;
	if ((nsk->protocol = opt_behind(nsk, "SO_PROTOCOL")) < 0)
		nsk->protocol = 0;
	if (opt_behind(nsk, "SO_ACCEPTCONN") == 1)
		nsk->state = ST_LISTENING;
	else if (call_getname(nsk, 1, &a, CF_BEHIND) == 0)
		nsk->state = ST_CONNECTED;
	else if (call_getname(nsk, 0, &a, CF_BEHIND) == 0 && (family ==
	    AF_UNIX ? a.len > sizeof(sa_family_t) :
	    addr_port((struct sockaddr *)&a.ss) > 0))
		nsk->state = ST_BOUND;
	if ((fl = call_fcntl_getfl(nsk, CF_BEHIND)) >= 0 &&
	    (fl & O_NONBLOCK)) {
		nsk->nonblock = 1;
		nsk->timeout = 0;
	}
}

/* sendmsg(2) of n bytes with the control messages ctl (ctllen bytes). */
ssize_t
call_sendmsg(struct sock *sk, const void *p, size_t n, const void *ctl,
    size_t ctllen, int msgflags)
{
	struct call_rec	*r;
	struct msghdr	 m;
	struct iovec	 iov;
	ssize_t		 ret;

	/* Refused after starttls (tls.c): the bytes would go around TLS. */
	if (sk->tls != NULL)
		return tls_send(sk, p, n, -1, 0);
	r = rec_init(CALL_SENDMSG, sk, 0);
	r->data = p;
	r->len = n;
	r->arg = msgflags;
	r->ctl = ctllen > 0 ? ctl : NULL;
	r->ctllen = ctllen;
	memset(&m, 0, sizeof m);
	iov.iov_base = (void *)(uintptr_t)p;
	iov.iov_len = n;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctllen > 0 ? (void *)(uintptr_t)ctl : NULL;
	m.msg_controllen = ctllen;
	ret = sendmsg(sk->fd, &m, msgflags);
	rec_result(r, (long)ret, errno);
	finish(r, sk);
	return ret;
}

/*
 * recvmsg(2) of up to size bytes into p, with room for ctlcap bytes of
 * control messages at ctl; the sender's address in the record's addr
 * (len 0 for none). fds that came (SCM_RIGHTS) enter the table.
 */
ssize_t
call_recvmsg(struct sock *sk, void *p, size_t size, void *ctl, size_t ctlcap,
    int msgflags, enum data_format fmt)
{
	struct call_rec	*r;
	struct cmsghdr	*c;
	struct msghdr	 m;
	struct iovec	 iov;
	ssize_t		 ret;
	size_t		 k, nfd;

	if (sk->tls != NULL)
		return tls_recv(sk, p, size, -1, SHOW_BLOCK, fmt, 0);
	r = rec_init(CALL_RECVMSG, sk, 0);
	r->data = p;
	r->len = size;
	r->arg = msgflags;
	r->show = SHOW_BLOCK;
	r->fmt = fmt;
	r->ctl = ctl;
	r->ctlcap = ctlcap;
	memset(&m, 0, sizeof m);
	iov.iov_base = p;
	iov.iov_len = size;
	m.msg_name = &r->addr.ss;
	m.msg_namelen = sizeof r->addr.ss;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctlcap > 0 ? ctl : NULL;
	m.msg_controllen = ctlcap;
	ret = recvmsg(sk->fd, &m, msgflags);
	rec_result(r, (long)ret, errno);
	if (ret >= 0) {
		r->addr.len = m.msg_namelen;
		r->ctllen = m.msg_controllen;
		r->mflags = m.msg_flags;
		for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
			if (c->cmsg_level != SOL_SOCKET ||
			    c->cmsg_type != SCM_RIGHTS)
				continue;
			nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (k = 0; k < nfd; k++) {
				if (r->nrx == RX_MAX) {
					/* More than the record follows. */
					int	fd;

					memcpy(&fd, CMSG_DATA(c) + k *
					    sizeof(int), sizeof fd);
					close(fd);
					continue;
				}
				memcpy(&r->rxfd[r->nrx++], CMSG_DATA(c) + k *
				    sizeof(int), sizeof(int));
			}
		}
	} else
		r->addr.len = 0;
	finish(r, sk);
	for (k = 0; k < (size_t)r->nrx; k++)
		adopt(r->rxfd[k]);
	errno = ret < 0 ? r->err : errno;
	return ret;
}

/*
 * Bytes handed over from sockrepl's own buffer, no system call: n bytes at
 * p, standing for a receive of total bytes (more than n when only the last
 * of them were kept, as recvall > FILE does).
 */
void
call_buffered(struct sock *sk, const void *p, size_t n, uint64_t total,
    enum rec_show show, enum data_format fmt)
{
	struct call_rec	*r;

	r = rec_init(CALL_BUFFERED, sk, 0);
	r->data = p;
	r->len = n;
	r->show = show;
	r->fmt = fmt;
	rec_result(r, total > (uint64_t)LONG_MAX ? LONG_MAX : (long)total, 0);
	finish(r, sk);
}

/*
 * A receive's bytes (shown with its call already) are now in the file the
 * command wrote them to: only the outcome takes note; no call, no trace,
 * nothing for export.
 */
void
call_delivered(struct sock *sk, const void *p, size_t n)
{
	struct call_rec	*r;

	r = rec_init(CALL_BUFFERED, sk, CF_NOCALL);
	r->data = p;
	r->len = n;
	r->show = SHOW_FILE;
	rec_result(r, (long)n, 0);
	finish(r, sk);
}

int
call_setsockopt(struct sock *sk, const struct sockopt *o,
    const union optval *v, socklen_t len)
{
	return call_setsockopt_num(sk, o, o->level, o->optname, v, len);
}

/*
 * setsockopt(2) of option o, or of sockopt_raw at level and optname (the
 * record keeps them in arg and arg2).
 */
int
call_setsockopt_num(struct sock *sk, const struct sockopt *o, int level,
    int optname, const union optval *v, socklen_t len)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(CALL_SETSOCKOPT, sk, 0);
	r->opt = o;
	r->arg = level;
	r->arg2 = optname;
	r->val = *v;
	r->vallen = len;
	ret = setsockopt(sk->fd, level, optname, v, len);
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

/* The size of the value an option of this kind is read into. */
static socklen_t
optval_size(enum optkind k)
{
	switch (k) {
	case OPT_LINGER:
		return sizeof(struct linger);
	case OPT_TIMEVAL:
		return sizeof(struct timeval);
	case OPT_UCRED:
		return sizeof(struct ucred);
	case OPT_MREQ:
		return sizeof(struct ip_mreqn);
	case OPT_MREQ6:
		return sizeof(struct ipv6_mreq);
	case OPT_INADDR:
		return sizeof(struct in_addr);
	case OPT_STRING:
	case OPT_RAW:
		return OPTVAL_MAX;
	default:
		return sizeof(int);
	}
}

int
call_getsockopt(struct sock *sk, const struct sockopt *o, union optval *v,
    socklen_t *len, int flags)
{
	*len = optval_size(o->kind);
	return call_getsockopt_num(sk, o, o->level, o->optname, v, len, flags);
}

/* getsockopt(2) into v, of *len bytes at most (as call_setsockopt_num). */
int
call_getsockopt_num(struct sock *sk, const struct sockopt *o, int level,
    int optname, union optval *v, socklen_t *len, int flags)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(CALL_GETSOCKOPT, sk, flags);
	r->opt = o;
	r->arg = level;
	r->arg2 = optname;
	memset(v, 0, sizeof *v);
	if (*len > sizeof *v)
		*len = sizeof *v;
	ret = getsockopt(sk->fd, level, optname, v, len);
	r->val = *v;
	r->vallen = *len;
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

/*
 * getsockopt(2) of an option whose value is a struct of its own (TCP_INFO,
 * SO_MEMINFO): the record's data points at the caller's buffer of *len
 * bytes, and *len is what the kernel filled.
 */
int
call_getsockopt_buf(struct sock *sk, const struct sockopt *o, void *p,
    socklen_t *len, int flags)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(CALL_GETSOCKOPT, sk, flags);
	r->opt = o;
	memset(p, 0, *len);
	ret = getsockopt(sk->fd, o->level, o->optname, p, len);
	r->data = p;
	r->vallen = *len;
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

/*
 * A sock_diag dump that kernel.c made on its own netlink socket, behind
 * the user's back: n sockets returned, or -1 and err. Only the trace (-v)
 * takes note.
 */
void
call_sockdiag(int family, int protocol, long n, int err)
{
	struct call_rec	*r;

	r = rec_init(CALL_SOCKDIAG, NULL, CF_BEHIND);
	r->family = family;
	r->protocol = protocol;
	rec_result(r, n, err);
	call_observe(r);
}

/* getsockname(2), or getpeername(2) when peer is set. */
int
call_getname(struct sock *sk, int peer, struct addr *a, int flags)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(peer ? CALL_GETPEERNAME : CALL_GETSOCKNAME, sk, flags);
	ret = addr_of_socket(sk->fd, peer, a);
	if (ret == 0)
		r->addr = *a;
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

int
call_shutdown(struct sock *sk, int how)
{
	struct call_rec	*r;
	int		ret;

	/* TLS says it is done sending (close_notify) before TCP does. */
	if (sk->tls != NULL && how != SHUT_RD)
		(void)tls_close_notify(sk, 0);
	r = rec_init(CALL_SHUTDOWN, sk, 0);
	r->arg = how;
	ret = shutdown(sk->fd, how);
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

static int
close_flags(struct sock *sk, int flags)
{
	struct call_rec	*r;
	int		ret;

	if (sk->tls != NULL) {
		(void)tls_close_notify(sk, flags);
		tls_free(sk);
	}
	r = rec_init(CALL_CLOSE, sk, flags);
	r->snap = *sk;
	ret = close(sk->fd);
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

/* close(2); the socket leaves the table whatever it returns. */
int
call_close(struct sock *sk)
{
	return close_flags(sk, 0);
}

/* At the end of a session: every socket still open, behind the user's back. */
void
call_close_all(void)
{
	int	fd;

	while ((fd = sock_first()) >= 0)
		(void)close_flags(sock_get(fd), CF_BEHIND);
}

int
call_fcntl_getfl(struct sock *sk, int flags)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(CALL_FCNTL, sk, flags);
	r->arg = F_GETFL;
	ret = fcntl(sk->fd, F_GETFL);
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

int
call_fcntl_setfl(struct sock *sk, int fl, int flags)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(CALL_FCNTL, sk, flags);
	r->arg = F_SETFL;
	r->arg2 = fl;
	ret = fcntl(sk->fd, F_SETFL, fl);
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

/*
 * ppoll(2) on nfds sockets, for at most ms milliseconds (-1: no limit),
 * with SIGINT (and SIGTERM, SIGHUP) blocked until the wait begins: a Ctrl-C
 * that came just before still ends the wait (EINTR) instead of being lost while it sleeps. With
 * CF_BEHIND nothing waits (ms is 0) and the mask is left alone.
 */
int
call_ppoll(struct pollfd *pfd, int nfds, int ms, int flags)
{
	struct call_rec	 *r;
	struct timespec	 ts, zero = { 0, 0 };
	sigset_t	 block, old;
	struct sock	*sk = nfds == 1 ? sock_get(pfd[0].fd) : NULL;
	int		 ret, e;

	r = rec_init(CALL_PPOLL, sk, flags);
	r->pfd = pfd;
	r->nfds = nfds;
	r->timeout_ms = ms;
	if (ms >= 0) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
	}
	if (flags & CF_BEHIND) {
		ret = ppoll(pfd, (nfds_t)nfds, ms >= 0 ? &ts : NULL, NULL);
		e = errno;
	} else {
		sigemptyset(&block);
		interrupt_sigs(&block);
		sigprocmask(SIG_BLOCK, &block, &old);
		if (interrupted) {
			r->flags |= CF_NOTMADE;
			ret = -1;
			e = EINTR;
		} else {
			/*
			 * Output to a file is flushed only if the wait
			 * really waits (out.c): ask once without waiting.
			 */
			ret = 0;
			if (ms != 0 && out_pending()) {
				ret = ppoll(pfd, (nfds_t)nfds, &zero, &old);
				if (ret == 0)
					out_flush_now();
			}
			if (ret == 0)
				ret = ppoll(pfd, (nfds_t)nfds, ms >= 0 ?
				    &ts : NULL, &old);
			e = errno;
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	rec_result(r, ret, e);
	errno = e;
	finish(r, sk);
	return ret;
}

/*
 * poll answered by sockrepl itself: n of the sockets hold bytes in its own
 * buffer (their revents say which), so they are readable with no call.
 */
void
call_poll_answered(struct pollfd *pfd, int nfds, int n)
{
	struct call_rec	*r;

	r = rec_init(CALL_PPOLL, NULL, CF_NOCALL);
	r->pfd = pfd;
	r->nfds = nfds;
	rec_result(r, n, 0);
	finish(r, NULL);
}

/* An ioctl(2) that reads an int: FIONREAD and the like. */
int
call_ioctl_int(struct sock *sk, unsigned long req, int *v, int flags)
{
	struct call_rec	*r;
	int		ret;

	r = rec_init(CALL_IOCTL, sk, flags);
	r->arg = (int)req;
	*v = 0;
	ret = ioctl(sk->fd, req, v);
	r->arg2 = *v;
	rec_result(r, ret, errno);
	finish(r, sk);
	return ret;
}

/* nanosleep(2); a Ctrl-C before it stops it too. */
int
call_nanosleep(const struct timespec *ts)
{
	struct call_rec	*r;
	int		ret, e;

	r = rec_init(CALL_NANOSLEEP, NULL, 0);
	r->ts = *ts;
	if (interrupted) {
		r->flags |= CF_NOTMADE;
		ret = -1;
		e = EINTR;
	} else {
		ret = nanosleep(ts, NULL);
		e = errno;
	}
	rec_result(r, ret, e);
	errno = e;
	finish(r, NULL);
	return ret;
}

/*
 * For the calls of call-names.c: a fresh record (see rec_init), and its
 * end: the result noted, the state machine run, the observers told, errno
 * left as e.
 */
struct call_rec *
call_rec_new(enum call_id c, struct sock *sk, int flags)
{
	return rec_init(c, sk, flags);
}

void
call_rec_done(struct call_rec *r, struct sock *sk, long ret, int e)
{
	rec_result(r, ret, e);
	errno = e;
	finish(r, sk);
}

/*
 * Say why a command failed, from the record of the call that failed: the
 * command's name, the errno by name and a hint chosen for the call, the
 * error and the socket's state.
 */
void
call_report(const struct call_rec *r)
{
	const char	*hint;
	int		 e = r->err;

	if (r->call == CALL_PPOLL && r->ret == 0) {
		if (r->flags & CF_WAIT)
			diag("%s: timed out after %g s (the socket's timeout; "
			    "see settimeout)", r->cmd, r->snap.timeout);
		return;
	}
	/* OpenSSL's errors have their own names and reasons (tls.c). */
	if ((r->flags & CF_TLS) || r->call == CALL_SSL_SETUP ||
	    r->call == CALL_SSL_CONNECT || r->call == CALL_SSL_ACCEPT ||
	    r->call == CALL_SSL_SHUTDOWN) {
		tls_report(r);
		return;
	}
	/* SO_ERROR read for a connect with a timeout: the connect's error. */
	if ((r->flags & CF_CONNRESULT) && r->ret == 0)
		e = r->val.i;
	if (e == 0)
		return;
	if ((hint = errno_hint(r, e)) != NULL)
		diag("%s: %s: %s", r->cmd, errno_name(e), hint);
	else
		diag("%s: %s (%s)", r->cmd, errno_name(e), err_text(e));
}
