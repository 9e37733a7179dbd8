/*
 * The outcome of the last command: an observer of the call layer that keeps
 * what the last call returned, its errno, and the bytes the last receive
 * handed over. Scripts read it through $ret, $errno and $received, and
 * expect checks it. Calls made behind the user's back leave it alone.
 */
#include <sys/ioctl.h>

#include <errno.h>

#include "sockrepl.h"


/* Before each command: nothing has happened yet. */
void
outcome_reset(void)
{
	sess.last.ret = 0;
	sess.last.err = 0;
	sess.last.called = 0;
}

static void
keep_data(const void *p, size_t n, uint64_t total)
{
	buf_reset(&sess.last.data);
	buf_add(&sess.last.data, p, n);
	sess.last.have_data = 1;
	sess.last.received = total;
	sess.last.nrecv++;
}

/*
 * connect_ex: as Python's, a failure is the value the command returns, not
 * a failure: $ret is the errno (0 for none) and $errno keeps its name.
 */
void
outcome_errno_value(void)
{
	sess.last.ret = sess.last.err;
}

void
outcome_observe(const struct call_rec *r)
{
	struct sock	*sk;
	size_t		 n;

	if (r->flags & CF_BEHIND)
		return;
	sess.last.ret = r->ret;
	sess.last.err = r->err;
	sess.last.called = 1;
	switch (r->call) {
	case CALL_PPOLL:
		/* A wait for a socket's timeout that ran out: Python's timeout. */
		if (r->ret == 0) {
			sess.last.err = ETIMEDOUT;
			if (r->flags & CF_WAIT)
				sess.last.ret = -1;
		}
		break;
	case CALL_GETSOCKOPT:
		/* How a connect with a timeout ended is the connect's result. */
		if ((r->flags & CF_CONNRESULT) && r->ret == 0 && r->val.i != 0) {
			sess.last.ret = -1;
			sess.last.err = r->val.i;
		}
		break;
	case CALL_RECV:
	case CALL_RECVFROM:
	case CALL_RECVMSG:
		/*
		 * recvline's own calls are not what it returns; bytes bound
		 * for a file count once the file has them (call_delivered).
		 */
		if (r->ret < 0 || r->show != SHOW_BLOCK)
			break;
		n = call_filled(r);
		keep_data(r->data, n, n);
		/* The sender, for $from and sendto's reply. */
		if (r->call == CALL_RECVFROM && r->addr.len > 0) {
			sess.last.from = r->addr;
			/* Each socket answers its own sender only. */
			if ((sk = sock_get(r->fd)) != NULL && sk->seq == r->seq)
				sk->from = r->addr;
		}
		break;
	case CALL_BUFFERED:
		keep_data(r->data, r->len, (uint64_t)r->ret);
		break;
	case CALL_IOCTL:
		/* As sockatmark(3): the answer is what it returns. */
		if ((unsigned long)r->arg == SIOCATMARK && r->ret == 0)
			sess.last.ret = r->arg2;
		break;
	default:
		break;
	}
}
