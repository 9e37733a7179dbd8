/*
 * Blocking, timeouts and interruption, with Python's semantics.
 *
 * A socket is in one of three modes, as in Python: blocking (no timeout: the
 * fd is blocking and calls wait in the kernel), non-blocking (timeout 0: the
 * fd has O_NONBLOCK and calls fail at once with EAGAIN), or with a timeout
 * (the fd has O_NONBLOCK and each call first waits in ppoll(2) for at most the
 * timeout). SIGINT is caught without SA_RESTART, so Ctrl-C makes a blocked
 * call return EINTR and the session goes on. SIGTERM and SIGHUP are caught
 * the same way, but end the session: the interrupted call is reported, the
 * sockets closed and the status is 128 + the signal, as a shell would show
 * for a program the signal killed, with the output before it kept.
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
on_signal(int sig)
{
	interrupted = 1;
	if (sig != SIGINT)
		terminating = sig;
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
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocked calls return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Add the signals that interrupt a call (signals_init) to set. */
void
interrupt_sigs(sigset_t *set)
{
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
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
 * our output sees it now, and with a timeout wait in ppoll(2) for the socket
 * to be ready. Returns 1 when the call c should go ahead, or 0 when it
 * should not: the wait timed out (errno ETIMEDOUT) or was interrupted
 * (EINTR), also by a Ctrl-C that came before it. The failure has been
 * reported then. flags are CF_HIDDEN for a loop's hidden calls.
 */
int
wait_ready(struct sock *sk, short events, enum call_id c, int flags)
{
	int	e;

	if (wait_ready_quiet(sk, events, c, flags))
		return 1;
	e = errno;
	call_report(call_last());
	errno = e;
	return 0;
}

/*
 * The same, leaving the failure (the last record) to the caller to word:
 * a connect that tries the next address has more to say first.
 */
int
wait_ready_quiet(struct sock *sk, short events, enum call_id c, int flags)
{
	struct pollfd	pfd;
	int		ms, n;

	/*
	 * A live reader sees our output now. Into a file it goes only if
	 * the call would block: a non-blocking socket never waits; the wait
	 * of a timeout, and a blocking send or receive, see for themselves
	 * (call.c); the others are asked here.
	 */
	out_check();
	if (sk->timeout < 0 && c != CALL_SEND && c != CALL_SENDTO &&
	    c != CALL_RECV && c != CALL_RECVFROM)
		out_flush_wait(sk->fd, events);
	/* Plaintext OpenSSL holds already: no wait, the kernel has none. */
	if ((events & POLLIN) && tls_pending(sk) > 0)
		return 1;
	if (sk->timeout <= 0) {
		/* A Ctrl-C that came before the call would otherwise be lost. */
		if (call_interrupted(sk, c, flags))
			return 0;
		return 1;
	}
	ms = (int)(sk->timeout * 1000 + 0.5);
	if (ms == 0)
		ms = 1;
	pfd.fd = sk->fd;
	pfd.events = events;
	pfd.revents = 0;
	n = call_ppoll(&pfd, 1, ms, flags | CF_WAIT);
	if (n > 0)
		return 1;
	errno = n == 0 ? ETIMEDOUT : errno;
	return 0;
}

/*
 * Set or clear O_NONBLOCK with fcntl(2). Returns 0, or -1 with errno set
 * (the failing call is the last record).
 */
int
set_nonblock(struct sock *sk, int on)
{
	int	fl;

	if ((fl = call_fcntl_getfl(sk, 0)) < 0)
		return -1;
	return call_fcntl_setfl(sk, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK,
	    0);
}

/* Sleep, or stop early on Ctrl-C. Returns 0, or -1 with errno EINTR. */
int
sleep_seconds(double s)
{
	struct timespec	 ts;

	out_flush();
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	return call_nanosleep(&ts);
}
