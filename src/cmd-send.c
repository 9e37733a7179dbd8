/*
 * Sending: send, sendall, sendline, sendto, and the newline setting. Data
 * comes from the words of the command, hex:, or < FILE (datain.c).
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

/* sendall shows its first few send calls and counts the rest. */
#define SENDALL_SHOWN	3

static enum cmd_retval
send_common(const char *p, size_t n, int msgflags,
    const struct addr *to, struct sock *sk)
{
	enum call_id	c = to != NULL ? CALL_SENDTO : CALL_SEND;
	ssize_t		r;

	if (!(msgflags & MSG_DONTWAIT) && !wait_ready(sk, POLLOUT, c, 0))
		return CMD_ERROR;
	if ((r = call_send(sk, p, n, msgflags, to, 0)) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	if ((size_t)r < n)
		result("sent %zd of %zu bytes (sendall sends them all)", r, n);
	return CMD_OK;
}

/* Line ends for sendline: the newline command sets which. */
static int	crlf;

/*
 * Read up to n bytes of fd into p, stopping short only at the end of the
 * file. Returns the count, or -1 after a message naming the file.
 */
static ssize_t
file_read(const char *name, const char *path, int fd, char *p, size_t n)
{
	size_t	done = 0;
	ssize_t	r;

	while (done < n) {
		r = read(fd, p + done, n - done);
		if (r < 0 && errno == EINTR && !interrupted)
			continue;
		if (r < 0) {
			diag("%s: reading %s: %s", name, printable(path),
			    strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

/*
 * The data of a send command in data: its words, or the first DATA_CHUNK
 * bytes of the file after <. Returns 0, or -1 after a message.
 */
static int
send_data(const char *name, struct word *w, int n, struct buf *data)
{
	const char	*path;
	char		*chunk;
	int		 fd;
	ssize_t		 r;

	if (data_words(name, w, n, data, &path) != 0)
		return -1;
	if (path == NULL)
		return 0;
	if ((fd = data_file_open(name, path, O_RDONLY)) < 0)
		return -1;
	chunk = data_chunk();
	if ((r = file_read(name, path, fd, chunk, DATA_CHUNK)) > 0)
		buf_add(data, chunk, (size_t)r);
	/* One call takes one chunk: say so rather than cut silently. */
	if (r == DATA_CHUNK && read(fd, chunk, 1) == 1)
		result("%s: only the first %d bytes of %s (sendall < FILE "
		    "sends all of it)", name, DATA_CHUNK, printable(path));
	free(chunk);
	close(fd);
	return r < 0 ? -1 : 0;
}

static enum cmd_retval
cmd_send_exec(struct cmd_ctx *ctx)
{
	struct buf	 data = { 0 };
	enum cmd_retval	 r = CMD_ERROR;

	if (send_data("send", ctx->argv, ctx->argc, &data) == 0)
		r = send_common(buf_str(&data), data.len, ctx->msgflags,
		    NULL, ctx->sk);
	buf_free(&data);
	return r;
}

const struct cmd_entry cmd_send_entry = {
	.name = "send",
	.group = GROUP_DATA,
	.usage = "[-m FLAGS] DATA",
	.minargs = 0,
	.maxargs = -1,
	.flags = CMD_NEEDSOCK | CMD_MSGFLAGS,
	.args = { ARG_DATA },
	.summary = "send data once; it may send only part of it",
	.calls = "send(2)",
	.exec = cmd_send_exec,
	.help = "DATA is the rest of the line: bare words are joined by single "
	    "spaces; \"...\" takes C escapes (\\r \\n \\t \\0 \\xHH); '...' is "
	    "literal; a single word hex:48656c6c6f gives bytes in hex; < FILE "
	    "sends the first 262144 bytes of a file. send makes one call and "
	    "shows how many bytes the kernel took, which may be fewer than "
	    "given (then sendall sends the rest). -m FLAGS passes MSG_ flags, "
	    "joined by | or commas: oob (urgent data; the peer reads it with recv 1 "
	    "oob, and sockatmark shows the mark), more (hold for more, as "
	    "TCP_CORK), nosignal (EPIPE without SIGPIPE), dontwait (EAGAIN "
	    "instead of waiting), eor, confirm, dontroute; MSG_ names and "
	    "numbers (0x40) work too. send, sendall, sendline, sendto and sendmsg all take it."
};

static enum cmd_retval
cmd_sendline_exec(struct cmd_ctx *ctx)
{
	struct buf	 data = { 0 };
	enum cmd_retval	 r = CMD_ERROR;

	if (send_data("sendline", ctx->argv, ctx->argc, &data) == 0) {
		buf_adds(&data, crlf ? "\r\n" : "\n");
		r = send_common(buf_str(&data), data.len,
		    ctx->msgflags, NULL, ctx->sk);
	}
	buf_free(&data);
	return r;
}

const struct cmd_entry cmd_sendline_entry = {
	.name = "sendline",
	.group = GROUP_DATA,
	.usage = "[-m FLAGS] DATA",
	.minargs = 0,
	.maxargs = -1,
	.flags = CMD_NEEDSOCK | CMD_MSGFLAGS,
	.args = { ARG_DATA },
	.summary = "send data and a line end, once",
	.calls = "send(2)",
	.exec = cmd_sendline_exec,
	.help = "As send, with \\n after the data, or \\r\\n after newline "
	    "crlf (for HTTP, SMTP and other protocols that want CRLF). With no "
	    "DATA it sends just the line end."
};

/* Counts sendall's calls so that only the first few are shown. */
struct sendall_state {
	int		 msgflags;	/* -m */
	unsigned long	 calls;
	unsigned long	 hidden;
	uint64_t	 done;
};

/* Send all of p[0..n); returns 0, or -1 after a message. */
static int
sendall_buf(struct sock *sk, const char *p, size_t n, struct sendall_state *st)
{
	size_t	done = 0;
	ssize_t	r;
	int	hide;

	while (done < n) {
		hide = st->calls < SENDALL_SHOWN ? 0 : CF_HIDDEN;
		if (!(st->msgflags & MSG_DONTWAIT) &&
		    !wait_ready(sk, POLLOUT, CALL_SEND, hide))
			return -1;
		r = call_send(sk, p + done, n - done, st->msgflags, NULL, hide);
		st->calls++;
		if (st->calls > SENDALL_SHOWN)
			st->hidden++;
		if (r < 0) {
			if (errno == EINTR && !interrupted)
				continue;
			call_report(call_last());
			return -1;
		}
		done += (size_t)r;
		st->done += (uint64_t)r;
		/* Ctrl-C mid-send shortens the send instead of failing it. */
		if (done < n && call_interrupted(sk, CALL_SEND, hide)) {
			call_report(call_last());
			return -1;
		}
	}
	return 0;
}

/*
 * sendall < FILE: a chunk of the file at a time, so a file of any size is
 * sent in constant memory.
 */
static int
sendall_file(struct sock *sk, const char *path, struct sendall_state *st)
{
	char	*chunk;
	ssize_t	 r;
	int	 fd, ret = 0;

	if ((fd = data_file_open("sendall", path, O_RDONLY)) < 0)
		return -1;
	chunk = data_chunk();
	for (;;) {
		if ((r = file_read("sendall", path, fd, chunk,
		    DATA_CHUNK)) < 0) {
			ret = -1;
			break;
		}
		if (r == 0)
			break;
		if (sendall_buf(sk, chunk, (size_t)r, st) != 0) {
			ret = -1;
			break;
		}
	}
	close(fd);
	free(chunk);
	return ret;
}

static enum cmd_retval
cmd_sendall_exec(struct cmd_ctx *ctx)
{
	struct sendall_state st = { 0, 0, 0, 0 };
	struct buf	 data = { 0 };
	const char	*path;
	int		 r;

	st.msgflags = ctx->msgflags;
	if (data_words("sendall", ctx->argv, ctx->argc, &data, &path) != 0)
		return CMD_ERROR;
	if (path != NULL)
		r = sendall_file(ctx->sk, path, &st);
	else
		r = sendall_buf(ctx->sk, buf_str(&data), data.len, &st);
	if (st.hidden > 0 && path == NULL)
		trace_note("... %lu more send calls: %llu of %zu bytes sent",
		    st.hidden, (unsigned long long)st.done, data.len);
	else if (st.hidden > 0)
		trace_note("... %lu more send calls: %llu bytes sent in all",
		    st.hidden, (unsigned long long)st.done);
	if (path != NULL && r == 0)
		trace_note("(%llu bytes of %s sent)", (unsigned long long)st.done,
		    printable(path));
	if (r != 0 && st.done > 0 && path == NULL)
		result("sent %llu of %zu bytes before the error",
		    (unsigned long long)st.done, data.len);
	else if (r != 0 && st.done > 0)
		result("sent %llu bytes before the error",
		    (unsigned long long)st.done);
	buf_free(&data);
	return r == 0 ? CMD_OK : CMD_ERROR;
}

const struct cmd_entry cmd_sendall_entry = {
	.name = "sendall",
	.group = GROUP_DATA,
	.usage = "[-m FLAGS] DATA",
	.minargs = 0,
	.maxargs = -1,
	.flags = CMD_NEEDSOCK | CMD_MSGFLAGS,
	.args = { ARG_DATA },
	.summary = "send all the data, calling send as often as it takes",
	.calls = "send(2)",
	.exec = cmd_sendall_exec,
	.help = "As send, but calls send again until every byte is sent or an "
	    "error occurs, as Python's sendall. sendall < FILE sends the whole "
	    "file, reading it 262144 bytes at a time, so any size takes little "
	    "memory. After three calls the rest are counted rather than shown."
};

/*
 * sendto DATA with no address answers the last sender of this socket (its
 * last recvfrom), as a UDP server does; another socket's sender is not
 * this one's to answer. Returns 0, or -1 after a message.
 */
static int
reply_address(const struct sock *sk, struct addr *to)
{
	if (sk == NULL) {
		diag("sendto: no address given, and no socket to answer from "
		    "(give ADDR, or recvfrom first on a socket)");
		return -1;
	}
	if (sk->from.len == 0) {
		diag("sendto: no address given, and socket %d has received "
		    "nothing with recvfrom to answer (give ADDR, or recvfrom "
		    "first on this socket)", sk->fd);
		return -1;
	}
	if (sk->from.ss.ss_family == AF_UNIX &&
	    sk->from.len <= offsetof(struct sockaddr_un, sun_path)) {
		diag("sendto: the last datagram on socket %d came from an "
		    "unnamed UNIX socket, which cannot be answered (the sender "
		    "must bind, or give ADDR)", sk->fd);
		return -1;
	}
	*to = sk->from;
	return 0;
}

static enum cmd_retval
cmd_sendto_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk = ctx->sk;
	struct buf	 data = { 0 };
	struct addr	 to;
	enum cmd_retval	 r;
	int		 na;

	/* One word of data (or < FILE) alone: the reply form. */
	if (ctx->argc == 1 || (ctx->argc == 2 && !ctx->argv[0].quoted &&
	    strcmp(ctx->argv[0].s, "<") == 0)) {
		na = 0;
		if (reply_address(sk, &to) != 0)
			return CMD_ERROR;
	} else {
		na = addr_words(ctx->argv, ctx->argc);
		/* With no socket, the UDP socket made below. */
		if (addr_arg(sk != NULL ? sk->family : AF_UNSPEC,
		    sk != NULL ? sk->type : SOCK_DGRAM,
		    ctx->argv + ctx->argc - na, na, 0, &to) != 0)
			return CMD_ERROR;
	}
	if (send_data("sendto", ctx->argv, ctx->argc - na, &data) != 0) {
		buf_free(&data);
		return CMD_ERROR;
	}
	/* With no socket, make the UDP socket sendto implies. */
	if (sk == NULL && (sk = make_socket(to.ss.ss_family,
	    SOCK_DGRAM)) == NULL) {
		buf_free(&data);
		return CMD_ERROR;
	}
	r = send_common(buf_str(&data), data.len, ctx->msgflags, &to, sk);
	buf_free(&data);
	return r;
}

const struct cmd_entry cmd_sendto_entry = {
	.name = "sendto",
	.group = GROUP_DATA,
	.usage = "[-m FLAGS] DATA [ADDR]",
	.minargs = 1,
	.maxargs = -1,
	.flags = CMD_MSGFLAGS,
	.args = { ARG_DATA },
	.summary = "send a datagram to an address, or answer the last sender",
	.calls = "sendto(2)",
	.exec = cmd_sendto_exec,
	.help = "The address is the last word (HOST:PORT, [IPV6]:PORT, a path, "
	    "@name) or the last two (HOST PORT); the words before it are the "
	    "data (as for send, including hex: and < FILE), so quote data that "
	    "ends in a number. With one word of data (or < FILE) and no "
	    "address, it answers the last sender of this socket: the address "
	    "the last recvfrom on this socket returned, as a UDP server "
	    "replies (recvfrom -> msg, then sendto \"$msg\"); a socket that "
	    "has received nothing must be given ADDR ($from, the session's "
	    "last sender, can be). With no current socket, a UDP socket of "
	    "the address's family is made first."
};

static enum cmd_retval
cmd_newline_exec(struct cmd_ctx *ctx)
{
	if (ctx->argc == 1) {
		if (strcmp(ctx->argv[0].s, "lf") == 0)
			crlf = 0;
		else if (strcmp(ctx->argv[0].s, "crlf") == 0)
			crlf = 1;
		else {
			diag("newline: \"%s\": use lf or crlf",
			    printable(ctx->argv[0].s));
			return CMD_ERROR;
		}
	}
	/* -q shows results only: the setting when asked, not when set. */
	if (ctx->argc == 0 || !opt.quiet)
		result("newline %s", crlf ? "crlf" : "lf");
	return CMD_OK;
}

const struct cmd_entry cmd_newline_entry = {
	.name = "newline",
	.group = GROUP_DATA,
	.usage = "[lf|crlf]",
	.minargs = 0,
	.maxargs = 1,
	.args = { ARG_WORD },
	.summary = "choose the line end sendline sends",
	.exec = cmd_newline_exec,
	.help = "lf (the default) makes sendline end lines with \\n; crlf with "
	    "\\r\\n, as HTTP, SMTP and many other Internet protocols want. "
	    "With no argument it shows the setting. recvline always looks for "
	    "\\n, so it returns a CRLF line with its \\r\\n."
};

