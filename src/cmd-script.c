/*
 * Commands for scripts: source and poll. (set and unset live with the
 * variables in vars.c, expect in cmd-expect.c.)
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockrepl.h"

static enum cmd_retval
cmd_source_exec(struct cmd_ctx *ctx)
{
	const struct word	*w = &ctx->argv[0];

	if (w->len == 0 || memchr(w->s, '\0', w->len) != NULL) {
		diag("source: \"%s\" is not a file name",
		    printable(w->s));
		return CMD_ERROR;
	}
	return script_source(w->s);
}

const struct cmd_entry cmd_source_entry = {
	.name = "source",
	.alias = ".",
	.group = GROUP_SCRIPTING,
	.usage = "FILE",
	.minargs = 1,
	.maxargs = 1,
	.flags = CMD_KEEPOUTCOME,
	.args = { ARG_PATH },
	.summary = "run the commands in FILE here, then go on",
	.exec = cmd_source_exec,
	.help = "Reads FILE as a script: its commands run on the sockets and "
	    "variables of this session, its messages say FILE:line N:, and the "
	    "session goes on after its last line. quit in FILE ends the whole "
	    "session; with -e its first failure stops everything. source fails "
	    "if any command in FILE failed. Files may source others, up to 16 "
	    "deep."
};

static int
parse_events(const char *s, short *ev)
{
	if (strcmp(s, "in") == 0)
		*ev = POLLIN;
	else if (strcmp(s, "out") == 0)
		*ev = POLLOUT;
	else if (strcmp(s, "inout") == 0)
		*ev = POLLIN | POLLOUT;
	else
		return -1;
	return 0;
}

/*
 * After ppoll said n sockets are ready: a TLS socket is readable only if
 * what came holds data (or is the end). TLS's own records (a session
 * ticket after the handshake) make the fd readable with nothing for recv;
 * they are read behind the user's back, said, and that fd counts no more.
 * Returns the sockets ready still.
 */
static int
tls_data_ready(struct pollfd *pfd, int nfds, int n)
{
	struct sock	*sk;
	int		 i, eof;

	for (i = 0; i < nfds; i++) {
		if (!(pfd[i].revents & POLLIN) ||
		    (pfd[i].revents & (POLLERR | POLLHUP)) ||
		    (sk = sock_get(pfd[i].fd)) == NULL ||
		    !tls_handshake_done(sk) || tls_waiting(sk, &eof) > 0 || eof)
			continue;
		/* An error is for recv to report: ready. Wanting more is not. */
		if (tls_broken(sk))
			continue;
		trace_note("(fd %d: what came was TLS's own records, no data "
		    "for recv: poll waits on)", pfd[i].fd);
		pfd[i].revents &= ~POLLIN;
		if (pfd[i].revents == 0)
			n--;
	}
	return n;
}

static enum cmd_retval
cmd_poll_exec(struct cmd_ctx *ctx)
{
	struct pollfd	*pfd;
	struct sock	*sk;
	double		 secs = -1;
	struct timespec	 t0, t1;
	short		 ev = POLLIN;
	int		 i = 0, n, nfds = 0, ms = -1;
	enum cmd_retval	 r = CMD_ERROR;

	if ((pfd = calloc((size_t)ctx->argc + 1, sizeof *pfd)) == NULL)
		nomem();
	for (; i < ctx->argc && parse_events(ctx->argv[i].s, &ev) != 0; i++) {
		if ((sk = sock_arg("poll", ctx->argv[i].s)) == NULL)
			goto out;
		pfd[nfds++].fd = sk->fd;
	}
	if (i < ctx->argc)
		i++;	/* the events word */
	if (i < ctx->argc) {
		if (parse_seconds(ctx->argv[i].s, "timeout", &secs) != 0)
			goto out;
		i++;
	}
	if (i < ctx->argc) {
		cmd_usage(ctx->entry);
		goto out;
	}
	if (nfds == 0) {
		if (ctx->sk == NULL) {
			diag("poll: no current socket (name the fds: poll 3 "
			    "4 in 5)");
			goto out;
		}
		pfd[nfds++].fd = ctx->sk->fd;
	}
	for (i = 0; i < nfds; i++)
		pfd[i].events = ev;
	/*
	 * Bytes a recvline read past its line are readable now, though the
	 * kernel has none: say so, as recv does, with no system call.
	 */
	if (ev & POLLIN) {
		for (i = 0, n = 0; i < nfds; i++) {
			if (rbuf_len(sock_get(pfd[i].fd)) > 0 ||
			    tls_pending(sock_get(pfd[i].fd)) > 0) {
				pfd[i].revents = POLLIN;
				n++;
			}
		}
		if (n > 0) {
			call_poll_answered(pfd, nfds, n);
			r = CMD_OK;
			goto out;
		}
	}
	if (secs >= 0) {
		ms = (int)(secs * 1000 + 0.5);
		if (ms == 0 && secs > 0)
			ms = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		out_flush();
		if ((n = call_ppoll(pfd, nfds, ms, 0)) <= 0 ||
		    !(ev & POLLIN) || (n = tls_data_ready(pfd, nfds, n)) > 0)
			break;
		/* Only TLS's own records came: wait on for what is left. */
		if (ms >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ms = (int)(secs * 1000 + 0.5) - (int)((t1.tv_sec -
			    t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
			    1000000);
			if (ms <= 0) {
				n = 0;
				break;
			}
		}
	}
	if (n < 0) {
		if (errno == EINTR)
			diag("poll: interrupted");
		else
			call_report(call_last());
		goto out;
	}
	if (n == 0) {
		diag("poll: timed out after %g s: no socket became %s", secs,
		    ev == POLLIN ? "readable" : ev == POLLOUT ? "writable" :
		    "readable or writable");
		goto out;
	}
	r = CMD_OK;
out:
	free(pfd);
	return r;
}

const struct cmd_entry cmd_poll_entry = {
	.name = "poll",
	.alias = "wait",
	.group = GROUP_SCRIPTING,
	.usage = "[FD ...] [in|out|inout [SECONDS]]",
	.minargs = 0,
	.maxargs = -1,
	.args = { ARG_FD },
	.summary = "wait until sockets are readable or writable",
	.calls = "ppoll(2)",
	.exec = cmd_poll_exec,
	.help = "Waits in ppoll(2) until one of the sockets FD ... (default: "
	    "the current one) is ready: in for readable (data, a connection to "
	    "accept, or EOF), out for writable, inout for either; in is the "
	    "default. SECONDS (fractions allowed; only after in, out or inout) "
	    "bounds the wait; without it poll waits until Ctrl-C. Running out "
	    "of time fails with ETIMEDOUT, so a script waits for its peer "
	    "without sleeping: poll in 5 then recv. On a TLS socket, in means "
	    "data for recv (or its end): TLS's own records, such as a session "
	    "ticket, are read behind your back and poll waits on. $ret is the "
	    "number of ready sockets."
};
