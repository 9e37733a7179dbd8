/*
 * Looking at sockets: getsockname, getpeername, fileno, list, use.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/sockios.h>
#include <linux/tcp.h>

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

/*
 * getsockname, or getpeername when peer is set: the call shows the address.
 * Returns 0, or -1 after reporting the error.
 */
int
show_name(struct sock *sk, int peer)
{
	struct addr	a;

	if (call_getname(sk, peer, &a, 0) < 0) {
		call_report(call_last());
		return -1;
	}
	return 0;
}

static enum cmd_retval
cmd_getsockname_exec(struct cmd_ctx *ctx)
{
	return show_name(ctx->sk, 0) == 0 ? CMD_OK : CMD_ERROR;
}

static enum cmd_retval
cmd_getpeername_exec(struct cmd_ctx *ctx)
{
	return show_name(ctx->sk, 1) == 0 ? CMD_OK : CMD_ERROR;
}

const struct cmd_entry cmd_getsockname_entry = {
	.name = "getsockname",
	.group = GROUP_INSPECTION,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.flags = CMD_NEEDSOCK,
	.summary = "show the socket's own address",
	.calls = "getsockname(2)",
	.exec = cmd_getsockname_exec,
	.help = "The local address and port: after connect, the ephemeral port "
	    "the kernel gave this end."
};

const struct cmd_entry cmd_getpeername_entry = {
	.name = "getpeername",
	.group = GROUP_INSPECTION,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.flags = CMD_NEEDSOCK,
	.summary = "show the address of the connected peer",
	.calls = "getpeername(2)",
	.exec = cmd_getpeername_exec,
	.help = "Fails with ENOTCONN when the socket is not connected."
};

static enum cmd_retval
cmd_fileno_exec(struct cmd_ctx *ctx)
{
	result("%d", ctx->sk->fd);
	return CMD_OK;
}

const struct cmd_entry cmd_fileno_entry = {
	.name = "fileno",
	.group = GROUP_INSPECTION,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.flags = CMD_NEEDSOCK,
	.summary = "show the socket's file descriptor",
	.exec = cmd_fileno_exec,
	.help = "The number the kernel knows the socket by, and the one the "
	    "trace, use, on and close take."
};

/*
 * list: one row per socket, with the kernel's view beside sockrepl's own.
 * The kernel's view comes from one sock_diag dump per kind of socket in
 * the table (kernel.c), not from calls on each socket, so a table of
 * thousands lists in a few milliseconds. Where sock_diag is missing (some
 * sandboxes) each socket is asked instead, behind the user's back.
 *
 * Cells are kept as offsets into one buffer of text, and the rows are
 * written out in one piece: no allocation per cell.
 */
enum {
	COL_CUR, COL_FD, COL_FAMILY, COL_TYPE, COL_STATE, COL_KERNEL,
	COL_RECVQ, COL_SENDQ, COL_LOCAL, COL_PEER, COL_IN, COL_OUT, COL_MODE,
	LIST_COLS
};
static const char *const list_head[LIST_COLS] = { " ", "FD", "FAMILY",
    "TYPE", "STATE", "KERNEL", "RECV-Q", "SEND-Q", "LOCAL", "PEER", "IN",
    "OUT", "MODE" };

struct cell {
	size_t	off;
	size_t	len;
};
struct grid {
	struct buf	 text;
	struct cell	*cells;
	size_t		 rows;
	size_t		 cap;
	size_t		 cur;		/* cell being written */
};

static void
grid_row(struct grid *g)
{
	if (g->rows == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		if ((g->cells = reallocarray(g->cells, g->cap,
		    LIST_COLS * sizeof *g->cells)) == NULL)
			abort();
	}
	g->cur = g->rows++ * LIST_COLS;
}

/* Start cell c of the current row; what is added to text until the next
 * cell_end is its content. */
static struct buf *
cell_begin(struct grid *g, int c)
{
	g->cells[g->cur + (size_t)c].off = g->text.len;
	return &g->text;
}

static void
cell_end(struct grid *g, int c)
{
	struct cell	*k = &g->cells[g->cur + (size_t)c];

	k->len = g->text.len - k->off;
}

static void
cell_str(struct grid *g, int c, const char *s)
{
	buf_adds(cell_begin(g, c), s);
	cell_end(g, c);
}

static void
cell_num(struct grid *g, int c, long long n)
{
	buf_addnum(cell_begin(g, c), n);
	cell_end(g, c);
}

/* As addr_format_short, with IPv4 (the usual case) done without
 * getnameinfo, which costs a microsecond each. A raw socket's address
 * has no port: the kernel puts the protocol where the port would be
 * (noport), so only the host is shown. */
static void
cell_addr(struct grid *g, int c, const struct addr *a, int noport)
{
	const struct sockaddr_in	*s4 = (const void *)&a->ss;
	struct buf			*b = cell_begin(g, c);
	char				 host[INET6_ADDRSTRLEN];

	if (noport && a->len > 0 && (a->ss.ss_family == AF_INET ||
	    a->ss.ss_family == AF_INET6)) {
		if (getnameinfo((const struct sockaddr *)&a->ss, a->len, host,
		    sizeof host, NULL, 0, NI_NUMERICHOST) != 0)
			buf_addc(b, '?');
		else
			buf_adds(b, host);
	} else if (a->len >= sizeof *s4 && a->ss.ss_family == AF_INET &&
	    inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host) != NULL) {
		buf_adds(b, host);
		buf_addc(b, ':');
		buf_addnum(b, ntohs(s4->sin_port));
	} else
		addr_format_short(b, (const struct sockaddr *)&a->ss, a->len);
	cell_end(g, c);
}

/* What the kernel said of a socket, or of a connection we closed. */
struct kview {
	int		 have;		/* the kernel was asked */
	int		 tcp;
	int		 state;		/* TCP: its state */
	long long	 rq, wq;	/* -1: not known */
	struct addr	 local, peer;	/* len 0 for none */
	int		 addrs;		/* local and peer are set */
};

/*
 * A socket's addresses and queues asked of the socket itself, behind the
 * user's back (shown with -v): for a socket the dump did not hold, or
 * with no dump at all. A connecting socket whose peer answers has
 * connected since.
 */
static void
ask_socket(struct sock *sk, struct kview *kv, int loaded)
{
	static struct tcp_info ti;	/* the record points at it */
	socklen_t	len = sizeof ti;
	int		n;

	if (call_getname(sk, 1, &kv->peer, CF_BEHIND) < 0)
		kv->peer.len = 0;
	if (call_getname(sk, 0, &kv->local, CF_BEHIND) < 0)
		kv->local.len = 0;
	kv->addrs = 1;
	if (loaded) {
		/* Not in the kernel's tables: a TCP socket not yet in use. */
		kv->have = 1;
		kv->state = 7;		/* CLOSE */
		kv->rq = kv->wq = 0;
		return;
	}
	if (kv->tcp && call_getsockopt_buf(sk, sockopt_find("TCP_INFO"), &ti,
	    &len, CF_BEHIND) == 0) {
		kv->have = 1;
		kv->state = ti.tcpi_state;
		if (ti.tcpi_state == 10) {	/* LISTEN */
			kv->rq = ti.tcpi_unacked;
			kv->wq = ti.tcpi_sacked;
			return;
		}
	}
	if (sk->state == ST_LISTENING)
		return;
	if (call_ioctl_int(sk, FIONREAD, &n, CF_BEHIND) == 0)
		kv->rq = n;
	if (call_ioctl_int(sk, SIOCOUTQ, &n, CF_BEHIND) == 0)
		kv->wq = n;
}

static void
kernel_view(struct sock *sk, struct kview *kv, int loaded)
{
	const struct kstate	*k, *p;

	memset(kv, 0, sizeof *kv);
	kv->rq = kv->wq = -1;
	kv->tcp = (sk->family == AF_INET || sk->family == AF_INET6) &&
	    sk->type == SOCK_STREAM;
	k = loaded ? kernel_find(sk->ino) : NULL;
	if (k == NULL || sk->state == ST_CONNECTING) {
		ask_socket(sk, kv, loaded && sk->state != ST_CONNECTING);
		if (k == NULL)
			return;
	}
	kv->have = 1;
	kv->state = k->state;
	kv->rq = k->rqueue;
	kv->wq = k->wqueue;
	if (kv->addrs)
		return;
	if (k->family == AF_UNIX) {
		kv->local = k->local;
		if (k->peer_ino == 0)
			kv->peer.len = 0;
		else if ((p = kernel_find(k->peer_ino)) != NULL)
			kv->peer = p->local;
		else if (call_getname(sk, 1, &kv->peer, CF_BEHIND) < 0)
			kv->peer.len = 0;
	} else {
		kv->local = k->local;
		kv->peer = k->peer;
		if (addr_port((struct sockaddr *)&kv->peer.ss) <= 0)
			kv->peer.len = 0;
	}
	kv->addrs = 1;
}

static void
kernel_cells(struct grid *g, const struct kview *kv)
{
	if (kv->tcp && kv->have)
		cell_str(g, COL_KERNEL, tcp_state_name(kv->state));
	else
		cell_str(g, COL_KERNEL, "-");
	if (kv->rq >= 0)
		cell_num(g, COL_RECVQ, kv->rq);
	else
		cell_str(g, COL_RECVQ, "-");
	if (kv->wq >= 0)
		cell_num(g, COL_SENDQ, kv->wq);
	else
		cell_str(g, COL_SENDQ, "-");
}

/* One socket's row. */
static void
list_row(struct grid *g, struct sock *sk, int loaded)
{
	struct kview	 kv;
	struct buf	*b;
	int		 c;

	/* An epoll instance has no address, queue or mode to show. */
	if (sk->kind == SK_EPOLL) {
		grid_row(g);
		cell_str(g, COL_CUR, sk->fd == current_fd ? "*" : " ");
		cell_num(g, COL_FD, sk->fd);
		for (c = COL_FAMILY; c < COL_MODE; c++)
			cell_str(g, c, c == COL_TYPE ? "epoll" : "-");
		cell_str(g, COL_MODE, "epoll_ctl, epoll_wait");
		return;
	}
	/* The kernel first: a connect may be found to have finished. */
	kernel_view(sk, &kv, loaded);
	grid_row(g);
	cell_str(g, COL_CUR, sk->fd == current_fd ? "*" : " ");
	cell_num(g, COL_FD, sk->fd);
	cell_str(g, COL_FAMILY, sock_family_short(sk->family));
	cell_str(g, COL_TYPE, sock_kind(sk));
	cell_str(g, COL_STATE, sock_state_name(sk));
	kernel_cells(g, &kv);
	cell_addr(g, COL_LOCAL, &kv.local, sk->type == SOCK_RAW);
	cell_addr(g, COL_PEER, &kv.peer, sk->type == SOCK_RAW);
	cell_num(g, COL_IN, (long long)sk->bytes_in);
	cell_num(g, COL_OUT, (long long)sk->bytes_out);
	b = cell_begin(g, COL_MODE);
	if (sk->timeout < 0)
		buf_adds(b, "blocking");
	else if (sk->timeout == 0)
		buf_adds(b, "non-blocking");
	else
		buf_printf(b, "timeout %gs", sk->timeout);
	if (sock_parent(sk) != NULL)
		buf_printf(b, ", from %d", sk->parent);
	if (sk->state == ST_FAILED && sk->errnum != 0)
		buf_printf(b, ", %s", errno_name(sk->errnum));
	if (rbuf_len(sk) > 0)
		buf_printf(b, ", %zu buffered", rbuf_len(sk));
	if (sk->tls != NULL)
		buf_printf(b, ", %s", tls_label(sk));
	cell_end(g, COL_MODE);
}

/* A connection we closed that the kernel still holds: list -a. */
static int
closed_row(const struct kstate *k, void *arg)
{
	struct grid	*g = arg;
	struct kview	 kv;

	memset(&kv, 0, sizeof kv);
	kv.have = kv.tcp = 1;
	kv.state = k->state;
	kv.rq = k->rqueue;
	kv.wq = k->wqueue;
	grid_row(g);
	cell_str(g, COL_CUR, " ");
	cell_str(g, COL_FD, "-");
	cell_str(g, COL_FAMILY, sock_family_short(k->family));
	cell_str(g, COL_TYPE, "tcp");
	cell_str(g, COL_STATE, "closed");
	kernel_cells(g, &kv);
	cell_addr(g, COL_LOCAL, &k->local, 0);
	cell_addr(g, COL_PEER, &k->peer, 0);
	cell_str(g, COL_IN, "-");
	cell_str(g, COL_OUT, "-");
	cell_str(g, COL_MODE, "closed by you; the kernel still holds it");
	return 0;
}

/* Every column as wide as its widest cell; numbers right-aligned. */
static void
grid_show(struct grid *g)
{
	static struct buf out;
	size_t		 width[LIST_COLS], r, c, n;
	struct cell	*k;
	char		*p;

	for (c = 0; c < LIST_COLS; c++) {
		for (width[c] = 0, r = 0; r < g->rows; r++) {
			if (g->cells[r * LIST_COLS + c].len > width[c])
				width[c] = g->cells[r * LIST_COLS + c].len;
		}
	}
	for (r = 0; r < g->rows; r++) {
		for (c = 0; c < LIST_COLS; c++) {
			k = &g->cells[r * LIST_COLS + c];
			if (c == LIST_COLS - 1) {
				buf_add(&out, g->text.data + k->off, k->len);
				break;
			}
			n = width[c] - k->len;
			p = buf_room(&out, width[c] + 2);
			if (c == COL_FD || c == COL_RECVQ || c == COL_SENDQ ||
			    c == COL_IN || c == COL_OUT) {
				memset(p, ' ', n);
				memcpy(p + n, g->text.data + k->off, k->len);
			} else {
				memcpy(p, g->text.data + k->off, k->len);
				memset(p + k->len, ' ', n);
			}
			p[width[c]] = ' ';
			p[width[c] + 1] = ' ';
			buf_commit(&out, c == COL_CUR ? width[c] + 1 :
			    width[c] + 2);
		}
		buf_addc(&out, '\n');
	}
	/* One write for the table; result adds the last newline. */
	if (out.len > 0)
		result("%.*s", (int)out.len - 1, out.data);
	buf_reset(&out);
}

static enum cmd_retval
cmd_list_exec(struct cmd_ctx *ctx)
{
	/* Kept from list to list: a large table is not laid out afresh. */
	static struct grid g;
	struct sock	*sk;
	int		 fd, all = 0, want = 0, loaded, held;
	size_t		 c;

	if (ctx->argc > 0) {
		if (strcmp(ctx->argv[0].s, "-a") != 0) {
			diag("list: \"%s\": list takes -a (also the "
			    "connections you closed that the kernel still "
			    "holds)", printable(ctx->argv[0].s));
			return CMD_ERROR;
		}
		all = 1;
	}
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		sk = sock_get(fd);
		if (sk->family == AF_UNIX)
			want |= KV_UNIX;
		else if (sk->type == SOCK_STREAM)
			want |= sk->family == AF_INET6 ? KV_TCP6 : KV_TCP4;
		else if (sk->type == SOCK_DGRAM)
			want |= sk->family == AF_INET6 ? KV_UDP6 : KV_UDP4;
	}
	want |= kernel_closed_any();
	loaded = want != 0 && kernel_load(want) == 0;
	held = loaded && kernel_closed_any() ? kernel_closed_rows(NULL,
	    NULL) : 0;
	if (sock_count() == 0 && (!all || held == 0)) {
		result("no sockets (make one with socket, bind or connect)%s",
		    held > 0 ? "; list -a shows connections you closed that "
		    "the kernel still holds" : "");
		return CMD_OK;
	}
	grid_row(&g);
	for (c = 0; c < LIST_COLS; c++)
		cell_str(&g, (int)c, list_head[c]);
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd))
		list_row(&g, sock_get(fd), loaded);
	if (all && held > 0)
		(void)kernel_closed_rows(closed_row, &g);
	grid_show(&g);
	if (!all && held > 0)
		result("(%d connection%s you closed %s still held by the "
		    "kernel: list -a shows %s)", held, held == 1 ? "" : "s",
		    held == 1 ? "is" : "are", held == 1 ? "it" : "them");
	buf_reset(&g.text);
	g.rows = 0;
	return CMD_OK;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.alias = "ls",
	.group = GROUP_INSPECTION,
	.usage = "[-a]",
	.minargs = 0,
	.maxargs = 1,
	.summary = "show every socket in the table, with the kernel's view; "
	    "* marks the current one",
	.exec = cmd_list_exec,
	.help = "One line per socket (and epoll instance, of type epoll): fd, "
	    "family, type, sockrepl's state (new, "
	    "bound, listening, connecting, connected, eof, failed; shut-rd/"
	    "shut-wr after shutdown), the kernel's TCP state (LISTEN, "
	    "ESTABLISHED, CLOSE_WAIT, FIN_WAIT2, ...), the receive and send "
	    "queues as ss(8) shows them (bytes not yet read, the peer's FIN "
	    "counting as one until a recv returns 0, and bytes not yet "
	    "acknowledged; for a listener, the connections waiting to be "
	    "accepted and the backlog; for UDP, the buffer memory in use), "
	    "local and peer address, bytes received and sent, and the mode "
	    "(blocking, non-blocking or timeout), with the listener an "
	    "accepted socket came from, the error that ended a connection, "
	    "and how many received bytes sockrepl holds in its buffer (read "
	    "past a line by recvline, recvuntil or recvall). The kernel's view "
	    "comes from one sock_diag dump, as ss(8) reads it. list -a also "
	    "shows the TCP connections you closed that the kernel still holds "
	    "(FIN_WAIT2 until the peer closes, TIME_WAIT for about a minute)."
};

static enum cmd_retval
cmd_use_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk;

	if ((sk = sock_arg("use", ctx->argv[0].s)) == NULL)
		return CMD_ERROR;
	set_current(sk->fd);
	return CMD_OK;
}

const struct cmd_entry cmd_use_entry = {
	.name = "use",
	.group = GROUP_INSPECTION,
	.usage = "FD",
	.minargs = 1,
	.maxargs = 1,
	.args = { ARG_FD },
	.summary = "make socket FD the current socket",
	.exec = cmd_use_exec,
	.help = "Later commands act on FD. To run just one command on another "
	    "socket, use on FD COMMAND instead."
};
