/*
 * Blocking, timeouts and interruption, with Python's semantics.
 *
 * A socket is in one of three modes, as in Python: blocking (no timeout: the
 * fd is blocking and calls wait in the kernel), non-blocking (timeout 0: the
 * fd has O_NONBLOCK and calls fail at once with EAGAIN), or with a timeout
 * (the fd has O_NONBLOCK and each call first waits in poll(2) for at most the
 * timeout). SIGINT is caught without SA_RESTART, so Ctrl-C makes a blocked
 * call return EINTR and the session goes on.
 */
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "sockrepl.h"

volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

void
signals_init(void)
{
	struct sigaction sa;

	/* A send to a closed peer reports EPIPE instead of killing us. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocked calls return EINTR */
	sigaction(SIGINT, &sa, NULL);
}

/* Append poll(2) event bits as strace shows them: POLLIN|POLLOUT. */
void
poll_events(struct buf *b, short ev)
{
	const char	*sep = "";

	if (ev & POLLIN) {
		buf_adds(b, "POLLIN");
		sep = "|";
	}
	if (ev & POLLPRI) {
		buf_printf(b, "%sPOLLPRI", sep);
		sep = "|";
	}
	if (ev & POLLOUT) {
		buf_printf(b, "%sPOLLOUT", sep);
		sep = "|";
	}
	if (ev & POLLERR) {
		buf_printf(b, "%sPOLLERR", sep);
		sep = "|";
	}
	if (ev & POLLHUP) {
		buf_printf(b, "%sPOLLHUP", sep);
		sep = "|";
	}
	if (ev & POLLRDHUP) {
		buf_printf(b, "%sPOLLRDHUP", sep);
		sep = "|";
	}
	if (ev & POLLNVAL)
		buf_printf(b, "%sPOLLNVAL", sep);
}

/*
 * Before a call that may block: flush what we printed, so a program reading
 * our output sees it now, and with a timeout wait in poll(2) for the socket
 * to be ready. Returns 1 when the call should go ahead, or 0 when it should
 * not: the wait timed out (errno ETIMEDOUT) or was interrupted (EINTR),
 * also by a Ctrl-C that came before it. A message has been printed then.
 */
int
wait_ready(struct sock *sk, short events, const char *call)
{
	struct pollfd	 pfd;
	struct buf	 b = { 0 };
	int		 ms, n, e;

	out_flush();
	/* A Ctrl-C that came before the call would otherwise be lost. */
	if (interrupted) {
		last.ret = -1;
		last.err = EINTR;
		diag_errno(call, EINTR, sk);
		errno = EINTR;
		return 0;
	}
	if (sk->timeout <= 0)
		return 1;
	ms = (int)(sk->timeout * 1000 + 0.5);
	if (ms == 0)
		ms = 1;
	pfd.fd = sk->fd;
	pfd.events = events;
	pfd.revents = 0;
	n = poll(&pfd, 1, ms);
	e = errno;
	buf_printf(&b, "poll([{fd=%d, events=", sk->fd);
	poll_events(&b, events);
	buf_printf(&b, "}], 1, %d)", ms);
	if (n > 0) {
		if (!opt.quiet) {
			buf_printf(&b, " = %d ([{fd=%d, revents=", n, sk->fd);
			poll_events(&b, pfd.revents);
			buf_adds(&b, "}])");
			trace("%s", buf_str(&b));
		}
		buf_free(&b);
		return 1;
	}
	if (n == 0) {
		trace("%s = 0 (Timeout)", buf_str(&b));
		diag("%s: timed out after %g s (the socket's timeout; see "
		    "settimeout)", call, sk->timeout);
		e = ETIMEDOUT;
		last.ret = -1;
		last.err = e;
	} else {
		trace_call(&b, -1, e);
		diag_errno(call, e, sk);
	}
	buf_free(&b);
	errno = e;
	return 0;
}

/*
 * Wait as recv and send do (wait.c), but for a call whose trace line is
 * hidden, hide the poll line too, so a long transfer stays readable.
 */
int
wait_ready_shown(struct sock *sk, short ev, const char *name, int shown)
{
	int	q = opt.quiet, r;

	if (shown)
		return wait_ready(sk, ev, name);
	opt.quiet = 1;
	r = wait_ready(sk, ev, name);
	opt.quiet = q;
	return r;
}

/*
 * Set or clear O_NONBLOCK, showing the fcntl(2) calls. Returns 0, or -1 with
 * errno set (and the failing call shown).
 */
int
set_nonblock(struct sock *sk, int on)
{
	struct buf	 b = { 0 };
	int		 fl, nfl, e;

	fl = fcntl(sk->fd, F_GETFL);
	e = errno;
	buf_printf(&b, "fcntl(%d, F_GETFL)", sk->fd);
	if (fl < 0) {
		trace_call(&b, -1, e);
		buf_free(&b);
		errno = e;
		return -1;
	}
	if (!opt.quiet)
		trace("%s = %#x (flags %s%s)", buf_str(&b), fl,
		    (fl & O_ACCMODE) == O_RDWR ? "O_RDWR" : "O_RDONLY",
		    (fl & O_NONBLOCK) ? "|O_NONBLOCK" : "");
	nfl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	buf_reset(&b);
	buf_printf(&b, "fcntl(%d, F_SETFL, %s%s)", sk->fd,
	    (nfl & O_ACCMODE) == O_RDWR ? "O_RDWR" : "O_RDONLY",
	    (nfl & O_NONBLOCK) ? "|O_NONBLOCK" : "");
	if (fcntl(sk->fd, F_SETFL, nfl) < 0) {
		e = errno;
		trace_call(&b, -1, e);
		buf_free(&b);
		errno = e;
		return -1;
	}
	trace_call(&b, 0, 0);
	buf_free(&b);
	sk->nonblock = on;
	return 0;
}

/* Sleep, or stop early on Ctrl-C. Returns 0, or -1 with errno EINTR. */
int
sleep_seconds(double s)
{
	struct timespec	 ts;
	struct buf	 b = { 0 };
	int		 r, e;

	out_flush();
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	if (interrupted) {
		r = -1;
		e = EINTR;
	} else {
		r = nanosleep(&ts, NULL);
		e = errno;
	}
	buf_printf(&b, "nanosleep({tv_sec=%ld, tv_nsec=%ld}, NULL)",
	    (long)ts.tv_sec, ts.tv_nsec);
	trace_call(&b, r, e);
	buf_free(&b);
	errno = e;
	return r;
}
