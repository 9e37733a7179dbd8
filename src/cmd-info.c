/*
 * Looking at sockets: getsockname, getpeername, fileno, list, use.
 */
#include <sys/socket.h>

#include <errno.h>
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
 * The socket's address or its peer's, asked behind the user's back (shown
 * with -v). A connecting socket whose peer answers has connected since.
 */
static void
addr_of(struct buf *b, struct sock *sk, int peer)
{
	struct addr	a;

	if (call_getname(sk, peer, &a, CF_BEHIND) < 0)
		a.len = 0;
	addr_format_short(b, (struct sockaddr *)&a.ss, a.len);
}

#define LIST_COLS	10

/* One socket's row of the list, each cell its own string. */
static void
list_row(struct buf *cell, struct sock *sk)
{
	int	fd = sk->fd;

	/* The peer first: it tells whether a connect has finished. */
	addr_of(&cell[6], sk, 1);
	buf_adds(&cell[0], fd == current_fd ? "*" : " ");
	buf_printf(&cell[1], "%d", fd);
	buf_adds(&cell[2], sock_family_short(sk->family));
	buf_adds(&cell[3], sock_type_short(sk->family, sk->type));
	buf_adds(&cell[4], sock_state_name(sk));
	addr_of(&cell[5], sk, 0);
	buf_printf(&cell[7], "%llu", (unsigned long long)sk->bytes_in);
	buf_printf(&cell[8], "%llu", (unsigned long long)sk->bytes_out);
	if (sk->timeout < 0)
		buf_adds(&cell[9], "blocking");
	else if (sk->timeout == 0)
		buf_adds(&cell[9], "non-blocking");
	else
		buf_printf(&cell[9], "timeout %gs", sk->timeout);
	if (sock_parent(sk) != NULL)
		buf_printf(&cell[9], ", from %d", sk->parent);
	if (sk->state == ST_FAILED && sk->errnum != 0)
		buf_printf(&cell[9], ", %s", errno_name(sk->errnum));
	if (rbuf_len(sk) > 0)
		buf_printf(&cell[9], ", %zu buffered", rbuf_len(sk));
}

/*
 * The table, with each column as wide as its widest cell so long paths and
 * states never push a row out of line. Numbers are right-aligned.
 */
static enum cmd_retval
cmd_list_exec(struct cmd_ctx *ctx)
{
	static const char *head[LIST_COLS] = { " ", "FD", "FAMILY", "TYPE",
	    "STATE", "LOCAL", "PEER", "IN", "OUT", "MODE" };
	struct buf	*cells, line = { 0 };
	size_t		 width[LIST_COLS], n, rows, r, c;
	int		 fd;

	(void)ctx;
	if (sock_count() == 0) {
		result("no sockets (make one with socket, bind or connect)");
		return CMD_OK;
	}
	rows = (size_t)sock_count() + 1;
	if ((cells = calloc(rows * LIST_COLS, sizeof *cells)) == NULL) {
		diag("list: out of memory");
		return CMD_ERROR;
	}
	for (c = 0; c < LIST_COLS; c++)
		buf_adds(&cells[c], head[c]);
	for (r = 1, fd = sock_first(); fd >= 0; fd = sock_next(fd), r++)
		list_row(&cells[r * LIST_COLS], sock_get(fd));
	for (c = 0; c < LIST_COLS; c++) {
		for (width[c] = 0, r = 0; r < rows; r++) {
			n = cells[r * LIST_COLS + c].len;
			if (n > width[c])
				width[c] = n;
		}
	}
	for (r = 0; r < rows; r++) {
		buf_reset(&line);
		for (c = 0; c < LIST_COLS; c++) {
			struct buf *cell = &cells[r * LIST_COLS + c];
			int right = c == 1 || c == 7 || c == 8;

			if (c == LIST_COLS - 1)
				buf_printf(&line, "%s", buf_str(cell));
			else
				buf_printf(&line, right ? "%*s%s" : "%-*s%s",
				    (int)width[c], buf_str(cell),
				    c == 0 ? " " : "  ");
			buf_free(cell);
		}
		result("%s", buf_str(&line));
	}
	buf_free(&line);
	free(cells);
	return CMD_OK;
}

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.alias = "ls",
	.group = GROUP_INSPECTION,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.summary = "show every socket in the table; * marks the current one",
	.exec = cmd_list_exec,
	.help = "One line per socket: fd, family, type, state (new, bound, "
	    "listening, connecting, connected, eof, failed; shut-rd/shut-wr "
	    "after shutdown), local and peer address, bytes received and sent, "
	    "and the mode (blocking, non-blocking or timeout), with the "
	    "listener an accepted socket came from, and how many received "
	    "bytes sockrepl holds in its buffer (read past a line by recvline, "
	    "recvuntil or recvall)."
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
