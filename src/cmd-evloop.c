/*
 * Event loops one call at a time: select, epoll_create, epoll_ctl and
 * epoll_wait, so a learner builds a server's loop by hand and steps
 * through it. An epoll instance is an entry of the socket table of its
 * own kind (list shows it, close closes it).
 */
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sockrepl.h"

/* A timeout argument in ms for the calls: -1 for none. */
static int
timeout_ms(const char *s, int *ms)
{
	double	secs;

	if (strcasecmp(s, "none") == 0) {
		*ms = -1;
		return 0;
	}
	if (parse_seconds(s, "timeout", &secs) != 0)
		return -1;
	*ms = secs * 1000 + 0.5 > 2147483647.0 ? 2147483647 :
	    (int)(secs * 1000 + 0.5);
	if (*ms == 0 && secs > 0)
		*ms = 1;
	return 0;
}

/*
 * One set of select: fds joined by commas, or - for none, each marked with
 * bit in pfd (an fd in several sets has one entry). Returns 0, or -1 after
 * a message.
 */
static int
fd_set_word(const char *s, short bit, struct pollfd **pfd, int *n, int *cap)
{
	char		 num[16];
	const char	*p = s;
	size_t		 len;
	long long	 fd;
	int		 i;

	if (strcmp(s, "-") == 0)
		return 0;
	while (*p != '\0') {
		len = strcspn(p, ",");
		if (len == 0 || len >= sizeof num) {
			diag("select: \"%s\": give fds joined by commas (3,4), "
			    "or - for none", printable(s));
			return -1;
		}
		memcpy(num, p, len);
		num[len] = '\0';
		if (parse_int(num, 0, FD_SETSIZE - 1, "fd", &fd) != 0)
			return -1;
		for (i = 0; i < *n && (*pfd)[i].fd != (int)fd; i++)
			;
		if (i == *n) {
			if (*n == *cap) {
				*cap = *cap ? *cap * 2 : 8;
				if ((*pfd = reallocarray(*pfd, (size_t)*cap,
				    sizeof **pfd)) == NULL)
					abort();
			}
			memset(&(*pfd)[i], 0, sizeof **pfd);
			(*pfd)[i].fd = (int)fd;
			(*n)++;
		}
		(*pfd)[i].events |= bit;
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* Bytes sockrepl holds for an fd select or epoll_wait did not report. */
static void
note_buffered(const struct pollfd *pfd, int n, int ready)
{
	const struct sock	*sk;
	int			 i;

	for (i = 0; i < n; i++) {
		if ((sk = sock_get(pfd[i].fd)) == NULL || rbuf_len(sk) == 0 ||
		    (pfd[i].revents & POLLIN) || (ready && pfd[i].events == 0))
			continue;
		trace_note("(fd %d: %zu bytes wait in sockrepl's buffer, read "
		    "past a line; the kernel has no more, so it does not say "
		    "readable)", sk->fd, rbuf_len(sk));
	}
}

static enum cmd_retval
cmd_select_exec(struct cmd_ctx *ctx)
{
	static const short bits[3] = { POLLIN, POLLOUT, POLLPRI };
	struct pollfd	*pfd = NULL;
	int		 n = 0, cap = 0, i, ms = -1, r;
	enum cmd_retval	 ret = CMD_ERROR;

	for (i = 0; i < 3; i++)
		if (fd_set_word(ctx->argv[i].s, bits[i], &pfd, &n, &cap) != 0)
			goto out;
	if (ctx->argc > 3 && timeout_ms(ctx->argv[3].s, &ms) != 0)
		goto out;
	if (n == 0) {
		diag("select: every set is empty: name an fd to watch "
		    "(select 3 - -), or use sleep to wait");
		goto out;
	}
	out_flush();
	if ((r = call_select(pfd, n, ms)) < 0) {
		call_report(call_last());
		goto out;
	}
	note_buffered(pfd, n, 0);
	ret = CMD_OK;
out:
	free(pfd);
	return ret;
}

const struct cmd_entry cmd_select_entry = {
	.name = "select",
	.group = GROUP_EVENTS,
	.usage = "READ WRITE EXCEPT [SECONDS]",
	.minargs = 3,
	.maxargs = 4,
	.args = { ARG_FDSET, ARG_FDSET, ARG_FDSET, ARG_NUMBER },
	.summary = "wait until fds are readable, writable or have an "
	    "exception",
	.calls = "select(2)",
	.exec = cmd_select_exec,
	.help = "As Python's select.select(rlist, wlist, xlist, timeout): "
	    "each set is fds joined by commas, or - for none (select 3,4 - - "
	    "1.5). The call shows the three fd_sets going in and, after =, "
	    "which fds are in each coming out: in (readable: data, a "
	    "connection to accept, or EOF), out (writable), except (urgent "
	    "data). Without SECONDS it waits until an fd is ready or Ctrl-C; "
	    "with it, a timeout returns 0 (no fd ready), which is not a "
	    "failure. $ret is the number of fds ready, counted once per set. "
	    "select is level-triggered: an fd stays ready until its data is "
	    "read."
};

/* The newest epoll instance in the table, or NULL. */
static struct sock *
newest_epoll(void)
{
	struct sock	*sk, *best = NULL;
	int		 fd;

	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		sk = sock_get(fd);
		if (sk->kind == SK_EPOLL && (best == NULL ||
		    sk->seq > best->seq))
			best = sk;
	}
	return best;
}

/* The instance a command works on: on EPFD's, or the newest. */
static struct sock *
epoll_of(struct cmd_ctx *ctx)
{
	struct sock	*ep;

	if (ctx->sk != NULL && ctx->sk->kind == SK_EPOLL)
		return ctx->sk;
	if ((ep = newest_epoll()) == NULL)
		diag("%s: no epoll instance yet (make one with "
		    "epoll_create)", ctx->entry->name);
	return ep;
}

static enum cmd_retval
cmd_epoll_create_exec(struct cmd_ctx *ctx)
{
	struct sock	*ep;

	(void)ctx;
	if (call_epoll_create(&ep) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_epoll_create_entry = {
	.name = "epoll_create",
	.group = GROUP_EVENTS,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.summary = "make an epoll instance, an entry in the socket table",
	.calls = "epoll_create1(2)",
	.exec = cmd_epoll_create_exec,
	.help = "As Python's select.epoll(): epoll_create1 with EPOLL_CLOEXEC. "
	    "The instance's fd enters the table (list shows it as epoll; close "
	    "FD closes it) but does not become the current socket: epoll_ctl "
	    "and epoll_wait work on the newest instance, or on another with on "
	    "FD."
};

/* EVENTS: words or EPOLL names joined by commas or |. */
static int
parse_epoll_events(const char *s, unsigned *out)
{
	const struct name	*n;
	char			 word[32];
	size_t			 len;
	unsigned		 v = 0;

	while (*s != '\0') {
		len = strcspn(s, ",|");
		if (len == 0 || len >= sizeof word)
			return -1;
		memcpy(word, s, len);
		word[len] = '\0';
		for (n = epoll_words; n->name != NULL; n++)
			if (strcasecmp(n->name, word) == 0)
				break;
		if (n->name == NULL)
			for (n = epoll_names; n->name != NULL; n++)
				if (strcasecmp(n->name, word) == 0)
					break;
		if (n->name == NULL)
			return -1;
		v |= (unsigned)n->value;
		s += len;
		if (*s != '\0' && *++s == '\0')
			return -1;
	}
	*out = v;
	return 0;
}

static enum cmd_retval
cmd_epoll_ctl_exec(struct cmd_ctx *ctx)
{
	const struct name	*n;
	struct sock		*ep;
	long long		 fd;
	unsigned		 events = EPOLLIN;
	int			 op = -1;

	for (n = epoll_op_words; n->name != NULL; n++)
		if (strcasecmp(n->name, ctx->argv[0].s) == 0)
			op = n->value;
	for (n = epoll_op_names; op < 0 && n->name != NULL; n++)
		if (strcasecmp(n->name, ctx->argv[0].s) == 0)
			op = n->value;
	if (op < 0) {
		diag("epoll_ctl: \"%s\" is not add, mod or del",
		    printable(ctx->argv[0].s));
		return CMD_ERROR;
	}
	if (parse_int(ctx->argv[1].s, 0, INT32_MAX, "fd", &fd) != 0)
		return CMD_ERROR;
	if (ctx->argc > 2 && op == EPOLL_CTL_DEL) {
		diag("epoll_ctl: del takes no events");
		return CMD_ERROR;
	}
	if (ctx->argc > 2 && parse_epoll_events(ctx->argv[2].s,
	    &events) != 0) {
		diag("epoll_ctl: \"%s\" is not events (in, out, pri, rdhup, "
		    "et, oneshot, exclusive joined by commas, or EPOLL names)",
		    printable(ctx->argv[2].s));
		return CMD_ERROR;
	}
	if (op == EPOLL_CTL_DEL)
		events = 0;
	if ((ep = epoll_of(ctx)) == NULL)
		return CMD_ERROR;
	if (call_epoll_ctl(ep, op, (int)fd, events) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_epoll_ctl_entry = {
	.name = "epoll_ctl",
	.group = GROUP_EVENTS,
	.usage = "add|mod|del FD [EVENTS]",
	.minargs = 2,
	.maxargs = 3,
	.args = { ARG_EPOLLOP, ARG_FD, ARG_EPOLLEV },
	.summary = "add an fd to the epoll set, change its events, or remove "
	    "it",
	.calls = "epoll_ctl(2)",
	.exec = cmd_epoll_ctl_exec,
	.help = "As Python's epoll.register, modify and unregister. EVENTS "
	    "(default in) are joined by commas: in, out, pri, rdhup, and the "
	    "flags et (EPOLLET, edge-triggered: epoll_wait reports the fd once "
	    "per change, when new data arrives, not while data stays unread), "
	    "oneshot (EPOLLONESHOT: reported once, then silent until "
	    "epoll_ctl mod arms it again) and exclusive; the EPOLL names work "
	    "too. Without et the set is level-triggered: every epoll_wait "
	    "reports an fd for as long as it is ready. The event's data is the "
	    "fd itself."
};

static enum cmd_retval
cmd_epoll_wait_exec(struct cmd_ctx *ctx)
{
	struct pollfd	*out;
	struct sock	*ep;
	long long	 max = 16;
	int		 ms = -1, r;

	if (ctx->argc > 0 && parse_int(ctx->argv[0].s, 1, 4096, "maxevents",
	    &max) != 0)
		return CMD_ERROR;
	if (ctx->argc > 1 && timeout_ms(ctx->argv[1].s, &ms) != 0)
		return CMD_ERROR;
	if ((ep = epoll_of(ctx)) == NULL)
		return CMD_ERROR;
	if ((out = calloc((size_t)max, sizeof *out)) == NULL)
		abort();
	out_flush();
	r = call_epoll_wait(ep, out, (int)max, ms);
	free(out);
	if (r < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_epoll_wait_entry = {
	.name = "epoll_wait",
	.group = GROUP_EVENTS,
	.usage = "[MAXEVENTS] [SECONDS]",
	.minargs = 0,
	.maxargs = 2,
	.args = { ARG_NUMBER, ARG_NUMBER },
	.summary = "wait for events on the fds of the epoll set",
	.calls = "epoll_wait(2)",
	.exec = cmd_epoll_wait_exec,
	.help = "As Python's epoll.poll(timeout, maxevents): at most MAXEVENTS "
	    "(default 16) events, each an fd and what is ready on it "
	    "(EPOLLIN, EPOLLOUT, EPOLLRDHUP when the peer shut down its end, "
	    "EPOLLHUP, EPOLLERR). Without SECONDS (or with none) it waits "
	    "until an event or Ctrl-C; a timeout returns 0, which is not a "
	    "failure. To see edge against level triggering: add a socket with "
	    "in and one with in,et, send to both, and call epoll_wait twice "
	    "without reading: the level-triggered fd is reported both times, "
	    "the edge-triggered one only the first."
};
