/*
 * The call layer, continued: names (getaddrinfo, getnameinfo, gethostname,
 * getservbyname, getservbyport), event loops one call at a time (select,
 * epoll_create, epoll_ctl, epoll_wait) and sendfile, dup and unlink. As in
 * call.c, each function makes its call, fills a record and hands it to the
 * observers through call_rec_done, which runs the state machine.
 */
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

/*
 * getaddrinfo(3). flags are CF_*. Returns what getaddrinfo returned (0 or
 * an EAI_ code); the record keeps the error as EAI_ERR (EAI_SYSTEM: the
 * errno), so $errno and expect error EAI_NONAME see it.
 */
int
call_getaddrinfo(const char *host, const char *serv,
    const struct addrinfo *hints, struct addrinfo **res, int flags)
{
	struct call_rec	*r;
	int		 e;

	r = call_rec_new(CALL_GETADDRINFO, NULL, flags);
	r->text = host;
	r->text2 = serv;
	r->family = hints->ai_family;
	r->type = hints->ai_socktype;
	r->protocol = hints->ai_protocol;
	r->arg = hints->ai_flags;
	*res = NULL;
	e = getaddrinfo(host, serv, hints, res);
	r->ai = e == 0 ? *res : NULL;
	if (e == 0)
		call_rec_done(r, NULL, 0, 0);
	else
		call_rec_done(r, NULL, -1, e == EAI_SYSTEM ? errno :
		    EAI_ERR(e));
	return e;
}

/* The lookup addr_parse makes for a name: getaddrinfo, traced. */
int
call_lookup(const char *host, const char *serv, const struct addrinfo *hints,
    struct addrinfo **res)
{
	return call_getaddrinfo(host, serv, hints, res, CF_INADDR);
}

/*
 * getnameinfo(3) of a, with NI_ flags. Returns 0, or -1 with the error in
 * the record (as call_getaddrinfo keeps it).
 */
int
call_getnameinfo(const struct addr *a, int niflags, char *host,
    size_t hostlen, char *serv, size_t servlen)
{
	struct call_rec	*r;
	int		 e;

	r = call_rec_new(CALL_GETNAMEINFO, NULL, 0);
	r->addr = *a;
	r->arg = niflags;
	host[0] = serv[0] = '\0';
	e = getnameinfo((const struct sockaddr *)&a->ss, a->len, host,
	    (socklen_t)hostlen, serv, (socklen_t)servlen, niflags);
	if (e == 0) {
		r->text = host;
		r->text2 = serv;
		call_rec_done(r, NULL, 0, 0);
		return 0;
	}
	call_rec_done(r, NULL, -1, e == EAI_SYSTEM ? errno : EAI_ERR(e));
	return -1;
}

/* gethostname(2). Returns 0, or -1 with errno set. */
int
call_gethostname(char *name, size_t len)
{
	struct call_rec	*r;
	int		 ret;

	r = call_rec_new(CALL_GETHOSTNAME, NULL, 0);
	ret = gethostname(name, len);
	r->len = len;
	if (ret == 0) {
		name[len - 1] = '\0';
		r->text = name;
	}
	call_rec_done(r, NULL, ret, errno);
	return ret;
}

/*
 * getservbyname(3): the port of service name for proto (NULL: any).
 * Returns the port, or -1 when the services database has no such name;
 * the answer's own protocol goes into p.
 */
int
call_getservbyname(const char *name, const char *proto, char *p, size_t plen)
{
	struct call_rec	*r;
	struct servent	*se;
	int		 port = -1;

	r = call_rec_new(CALL_GETSERVBYNAME, NULL, 0);
	r->text = name;
	r->text2 = proto;
	if ((se = getservbyname(name, proto)) != NULL) {
		port = ntohs((uint16_t)se->s_port);
		snprintf(p, plen, "%s", se->s_proto);
		r->arg2 = port;
	}
	/* No errno: "not found" is the only failure. */
	call_rec_done(r, NULL, port, 0);
	return port;
}

/*
 * getservbyport(3): the service name of port for proto (NULL: any) into
 * name, its protocol into p. Returns 0, or -1 when there is none.
 */
int
call_getservbyport(int port, const char *proto, char *name, size_t nlen,
    char *p, size_t plen)
{
	struct call_rec	*r;
	struct servent	*se;

	r = call_rec_new(CALL_GETSERVBYPORT, NULL, 0);
	r->arg = port;
	r->text2 = proto;
	if ((se = getservbyport(htons((uint16_t)port), proto)) == NULL) {
		call_rec_done(r, NULL, -1, 0);
		return -1;
	}
	snprintf(name, nlen, "%s", se->s_name);
	snprintf(p, plen, "%s", se->s_proto);
	r->text = name;
	call_rec_done(r, NULL, 0, 0);
	return 0;
}

/*
 * Wait with SIGINT blocked until the wait begins, as call_ppoll does: a
 * Ctrl-C just before still ends it. Returns 0 when one had come already.
 */
static int
block_sigint(sigset_t *old)
{
	sigset_t	block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, old);
	return !interrupted;
}

/*
 * select(2), made as pselect(2) for the signal mask, on the fds of pfd:
 * events POLLIN, POLLOUT and POLLPRI put an fd in the read, write and
 * except sets; revents say which sets it is in after. ms -1: no limit.
 * Returns how many fds are in the sets after (select's count), or -1.
 */
int
call_select(struct pollfd *pfd, int nfds, int ms)
{
	struct call_rec	*r;
	struct timespec	 ts;
	sigset_t	 old;
	fd_set		 rd, wr, ex;
	int		 i, maxfd = -1, ret, e;

	r = call_rec_new(CALL_SELECT, NULL, 0);
	r->pfd = pfd;
	r->nfds = nfds;
	r->timeout_ms = ms;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	for (i = 0; i < nfds; i++) {
		if (pfd[i].events & POLLIN)
			FD_SET(pfd[i].fd, &rd);
		if (pfd[i].events & POLLOUT)
			FD_SET(pfd[i].fd, &wr);
		if (pfd[i].events & POLLPRI)
			FD_SET(pfd[i].fd, &ex);
		if (pfd[i].fd > maxfd)
			maxfd = pfd[i].fd;
		pfd[i].revents = 0;
	}
	r->arg = maxfd + 1;
	if (ms >= 0) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000;
	}
	if (block_sigint(&old)) {
		ret = pselect(maxfd + 1, &rd, &wr, &ex, ms >= 0 ? &ts : NULL,
		    &old);
		e = errno;
	} else {
		r->flags |= CF_NOTMADE;
		ret = -1;
		e = EINTR;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (i = 0; ret > 0 && i < nfds; i++) {
		if (FD_ISSET(pfd[i].fd, &rd))
			pfd[i].revents |= POLLIN;
		if (FD_ISSET(pfd[i].fd, &wr))
			pfd[i].revents |= POLLOUT;
		if (FD_ISSET(pfd[i].fd, &ex))
			pfd[i].revents |= POLLPRI;
	}
	call_rec_done(r, NULL, ret, e);
	return ret;
}

/*
 * epoll_create1(2) with EPOLL_CLOEXEC; the instance enters the table as an
 * entry of its own kind. Returns its fd, or -1 with errno set.
 */
int
call_epoll_create(struct sock **skp)
{
	struct call_rec	*r;
	int		 fd;

	r = call_rec_new(CALL_EPOLL_CREATE, NULL, 0);
	r->arg = EPOLL_CLOEXEC;
	fd = epoll_create1(EPOLL_CLOEXEC);
	call_rec_done(r, NULL, fd, errno);
	*skp = fd >= 0 ? sock_get(fd) : NULL;
	return fd;
}

/*
 * epoll_ctl(2) on the instance ep: op (EPOLL_CTL_*) for fd with events,
 * data.fd being fd. Returns 0, or -1 with errno set.
 */
int
call_epoll_ctl(struct sock *ep, int op, int fd, unsigned events)
{
	struct call_rec		*r;
	struct epoll_event	 ev;
	struct sock		*sk = sock_get(fd);
	int			 ret;

	r = call_rec_new(CALL_EPOLL_CTL, ep, 0);
	r->arg = op;
	r->arg2 = (long)events;
	r->fd2 = fd;
	r->seq2 = sk != NULL ? sk->seq : 0;
	memset(&ev, 0, sizeof ev);
	ev.events = events;
	ev.data.fd = fd;
	ret = epoll_ctl(ep->fd, op, fd, &ev);
	call_rec_done(r, ep, ret, errno);
	return ret;
}

/*
 * epoll_wait(2), made as epoll_pwait for the signal mask, for at most max
 * events and ms milliseconds (-1: no limit). Each event comes back in
 * out[] as an fd and its events (in revents). Returns the count, or -1.
 */
int
call_epoll_wait(struct sock *ep, struct pollfd *out, int max, int ms)
{
	struct call_rec		*r;
	struct epoll_event	*ev;
	sigset_t		 old;
	int			 ret, e, i;

	if ((ev = calloc((size_t)max, sizeof *ev)) == NULL)
		abort();
	r = call_rec_new(CALL_EPOLL_WAIT, ep, 0);
	r->arg = max;
	r->timeout_ms = ms;
	r->pfd = out;
	if (block_sigint(&old)) {
		ret = epoll_pwait(ep->fd, ev, max, ms, &old);
		e = errno;
	} else {
		r->flags |= CF_NOTMADE;
		ret = -1;
		e = EINTR;
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	for (i = 0; i < ret; i++) {
		out[i].fd = ev[i].data.fd;
		out[i].events = 0;
		out[i].revents = (short)ev[i].events;
	}
	r->nfds = ret > 0 ? ret : 0;
	free(ev);
	call_rec_done(r, ep, ret, e);
	return ret;
}

/*
 * sendfile(2) from the file open at fd (named path, for the trace) to the
 * socket, count bytes from *off, which moves on by what was sent. flags
 * are CF_*. Returns the count sent, or -1 with errno set.
 */
long
call_sendfile(struct sock *sk, int fd, const char *path, long long *off,
    size_t count, int flags)
{
	struct call_rec	*r;
	off_t		 o = (off_t)*off;
	ssize_t		 ret;

	r = call_rec_new(CALL_SENDFILE, sk, flags);
	r->fd2 = fd;
	r->text = path;
	r->arg2 = (long)*off;
	r->len = count;
	ret = sendfile(sk->fd, fd, &o, count);
	if (ret > 0)
		*off = (long long)o;
	call_rec_done(r, sk, (long)ret, errno);
	return (long)ret;
}

/*
 * dup(2): a new fd for the same open file, entered in the table as a copy
 * of sk's entry. Returns the new fd, or -1 with errno set.
 */
int
call_dup(struct sock *sk, struct sock **nskp)
{
	struct call_rec	*r;
	int		 fd;

	r = call_rec_new(CALL_DUP, sk, 0);
	fd = dup(sk->fd);
	call_rec_done(r, sk, fd, errno);
	*nskp = fd >= 0 ? sock_get(fd) : NULL;
	return fd;
}

/* unlink(2). Returns 0, or -1 with errno set. */
int
call_unlink(const char *path)
{
	struct call_rec	*r;
	int		 ret;

	r = call_rec_new(CALL_UNLINK, NULL, 0);
	r->text = path;
	ret = unlink(path);
	call_rec_done(r, NULL, ret, errno);
	return ret;
}
