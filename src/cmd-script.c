/*
 * Commands for scripts: source, expect and poll. (set and unset live with
 * the variables in vars.c.)
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

/* Compare received data with what was expected; show both if they differ. */
#define SHOW_MAX	64	/* bytes of each side shown around a difference */

static void
show_side(const char *label, const char *p, size_t n, size_t start)
{
	struct buf	b = { 0 };
	size_t		end = start + SHOW_MAX < n ? start + SHOW_MAX : n;

	if (start > n)
		start = end = n;
	escape_bytes(&b, p + start, end - start);
	fprintf(stderr, "  %-9s%s\"%s\"%s (%zu bytes)\n", label,
	    start > 0 ? "..." : "", buf_str(&b), end < n ? "..." : "", n);
	buf_free(&b);
}

static enum cmd_retval
expect_data(const char *want, size_t wlen)
{
	const char	*got = sess.last.data.data;
	size_t		 glen = sess.last.data.len, off, start;
	struct buf	 pre = { 0 };
	int		 col;

	if (!sess.last.have_data) {
		diag("expect: nothing has been received yet (expect TEXT "
		    "checks the data of the last recv)");
		return CMD_ERROR;
	}
	for (off = 0; off < wlen && off < glen && want[off] == got[off]; off++)
		;
	if (off == wlen && off == glen)
		return CMD_OK;
	diag("expect: the data received differs at byte %zu:", off);
	/* Show each side from a little before the difference. */
	start = off > SHOW_MAX / 2 ? off - SHOW_MAX / 4 : 0;
	show_side("expected", want, wlen, start);
	show_side("actual", got, glen, start);
	escape_bytes(&pre, want + start, off - start);
	col = 2 + 9 + (start > 0 ? 3 : 0) + 1 + (int)pre.len;
	fprintf(stderr, "%*s^\n", col, "");
	fflush(stderr);
	buf_free(&pre);
	return CMD_ERROR;
}

static void
describe_last(struct buf *b)
{
	if (sess.last.err != 0)
		buf_printf(b, "failed with %s (%s)", errno_name(sess.last.err),
		    strerror(sess.last.err));
	else if (sess.failed)
		buf_adds(b, "failed without an errno (see its message)");
	else
		buf_printf(b, "succeeded, returning %ld", sess.last.ret);
}

static enum cmd_retval
expect_error(const char *name)
{
	struct buf	b = { 0 };
	int		e;

	if ((e = errno_by_name(name)) < 0) {
		diag("expect error: \"%s\" is not an errno name (such as "
		    "ECONNREFUSED, or none)", printable(name));
		return CMD_ERROR;
	}
	if (e == sess.last.err) {
		sess.expect_caught = e != 0;
		return CMD_OK;
	}
	describe_last(&b);
	if (e == 0)
		diag("expect error none: the last command %s", buf_str(&b));
	else
		diag("expect error %s: the last command %s", errno_name(e),
		    buf_str(&b));
	buf_free(&b);
	return CMD_ERROR;
}

static enum cmd_retval
expect_status(int want_fail)
{
	struct buf	b = { 0 };

	if (sess.failed == want_fail) {
		sess.expect_caught = want_fail;
		return CMD_OK;
	}
	describe_last(&b);
	diag("expect %s: the last command %s", want_fail ? "fail" : "ok",
	    buf_str(&b));
	buf_free(&b);
	return CMD_ERROR;
}

static enum cmd_retval
expect_ret(const char *s)
{
	struct buf	b = { 0 };
	long long	n;

	if (parse_int(s, LONG_MIN, LONG_MAX, "ret", &n) != 0)
		return CMD_ERROR;
	if (n == sess.last.ret) {
		sess.expect_caught = n < 0;
		return CMD_OK;
	}
	describe_last(&b);
	diag("expect ret %lld: the last command %s", n, buf_str(&b));
	buf_free(&b);
	return CMD_ERROR;
}

/* Is word w the unquoted keyword k? Quoting a keyword makes it data. */
static int
keyword(const struct word *w, const char *k)
{
	return !w->quoted && strcmp(w->s, k) == 0;
}

static enum cmd_retval
cmd_expect_exec(struct cmd_ctx *ctx)
{
	struct word	*v = ctx->argv;
	struct buf	 want = { 0 };
	enum cmd_retval	 r;
	int		 i, first = 0;

	if (keyword(&v[0], "error") || keyword(&v[0], "ret")) {
		if (ctx->argc != 2) {
			diag("usage: expect %s %s", v[0].s,
			    v[0].s[0] == 'e' ? "ERRNO_NAME" : "N");
			return CMD_ERROR;
		}
		return v[0].s[0] == 'e' ? expect_error(v[1].s) :
		    expect_ret(v[1].s);
	}
	if (keyword(&v[0], "ok") || keyword(&v[0], "fail")) {
		if (ctx->argc != 1) {
			diag("usage: expect %s (alone; to expect the text, "
			    "write expect data %s ...)", v[0].s, v[0].s);
			return CMD_ERROR;
		}
		return expect_status(v[0].s[0] == 'f');
	}
	if (keyword(&v[0], "data"))
		first = 1;
	for (i = first; i < ctx->argc; i++) {
		if (i > first)
			buf_addc(&want, ' ');
		buf_add(&want, v[i].s, v[i].len);
	}
	r = expect_data(want.data != NULL ? want.data : "", want.len);
	buf_free(&want);
	return r;
}

const struct cmd_entry cmd_expect_entry = {
	.name = "expect",
	.group = GROUP_SCRIPTING,
	.usage = "TEXT ... | data [TEXT ...] | error ERRNO | ret N | ok | fail",
	.minargs = 1,
	.maxargs = -1,
	.flags = CMD_KEEPOUTCOME,
	.args = { ARG_DATA },
	.summary = "check what the last command received or returned",
	.exec = cmd_expect_exec,
	.help = "expect TEXT (or expect data TEXT) checks that the last "
	    "receive returned exactly TEXT, byte for byte: the words joined by "
	    "single spaces, with the usual quotes and escapes (\"HTTP/1.0 200 "
	    "OK\\r\\n\"). expect error ECONNREFUSED checks the last command's "
	    "errno (error none: no errno); expect ret N its return value; "
	    "expect ok and expect fail whether it succeeded. expect prints "
	    "nothing when it holds; otherwise it shows expected and actual "
	    "data one above the other, from a little before the first "
	    "differing byte, and fails, so -e stops the script. A failure that "
	    "the next line expects (expect error NAME, expect fail, expect ret "
	    "-1) does not count: not for -e, not for the exit status. expect, "
	    "set, unset and source do not count as the last command, so "
	    "several expects can check one receive. Quote a keyword to expect "
	    "it as text: expect \"ok\"."
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

static enum cmd_retval
cmd_poll_exec(struct cmd_ctx *ctx)
{
	struct pollfd	*pfd;
	struct sock	*sk;
	double		 secs = -1;
	short		 ev = POLLIN;
	int		 i = 0, n, nfds = 0, ms = -1;
	enum cmd_retval	 r = CMD_ERROR;

	if ((pfd = calloc((size_t)ctx->argc + 1, sizeof *pfd)) == NULL)
		abort();
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
			if (rbuf_len(sock_get(pfd[i].fd)) > 0) {
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
	out_flush();
	n = call_ppoll(pfd, nfds, ms, 0);
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
	    "without sleeping: poll in 5 then recv. $ret is the number of "
	    "ready sockets."
};
