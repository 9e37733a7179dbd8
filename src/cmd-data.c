/*
 * Moving data: send, sendall, sendto, recv, recvfrom.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

/* sendall shows its first and last send calls and counts the ones between. */
#define SENDALL_SHOWN	3

/* The data of a command: its words joined by single spaces. */
static void
data_from_words(struct word *w, int n, struct buf *out)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(out, ' ');
		buf_add(out, w[i].s, w[i].len);
	}
}

/* Note what a failed data call did to the connection, for list. */
static void
note_error(struct sock *sk, int e)
{
	if (e == ECONNRESET || e == EPIPE || e == ETIMEDOUT ||
	    e == ECONNABORTED) {
		sk->state = ST_FAILED;
		sk->errnum = e;
	}
}

/*
 * One send(2) (or sendto(2) when to is set), shown in the trace unless quiet
 * is set. Returns what send returned, with errno kept.
 */
static ssize_t
send_once(struct sock *sk, const char *p, size_t n, const struct addr *to,
    int shown)
{
	struct buf	 b = { 0 };
	ssize_t		 r;
	int		 e;

	if (to != NULL)
		r = sendto(sk->fd, p, n, 0, (const struct sockaddr *)&to->ss,
		    to->len);
	else
		r = send(sk->fd, p, n, 0);
	e = errno;
	if (r > 0)
		sk->bytes_out += (uint64_t)r;
	if (shown && !opt.quiet) {
		buf_printf(&b, "%s(%d, ", to != NULL ? "sendto" : "send",
		    sk->fd);
		data_arg(&b, p, n);
		buf_printf(&b, ", %zu, 0", n);
		if (to != NULL) {
			buf_adds(&b, ", ");
			addr_format(&b, (const struct sockaddr *)&to->ss,
			    to->len);
			buf_printf(&b, ", %u", (unsigned)to->len);
		}
		buf_addc(&b, ')');
		trace_call(&b, (long)r, e);
		buf_free(&b);
	}
	errno = e;
	return r;
}

static enum cmd_retval
send_common(struct cmd_ctx *ctx, const char *name, const char *p, size_t n,
    const struct addr *to, struct sock *sk)
{
	ssize_t	r;

	if (!wait_ready(sk, POLLOUT, name))
		return CMD_ERROR;
	if ((r = send_once(sk, p, n, to, 1)) < 0) {
		note_error(sk, errno);
		diag_errno(name, errno, sk);
		return CMD_ERROR;
	}
	if ((size_t)r < n)
		result("sent %zd of %zu bytes (sendall sends them all)", r, n);
	(void)ctx;
	return CMD_OK;
}

static enum cmd_retval
cmd_send_exec(struct cmd_ctx *ctx)
{
	struct buf	 data = { 0 };
	enum cmd_retval	 r;

	data_from_words(ctx->argv, ctx->argc, &data);
	r = send_common(ctx, "send", buf_str(&data), data.len, NULL, ctx->sk);
	buf_free(&data);
	return r;
}

const struct cmd_entry cmd_send_entry = {
	"send", NULL, 0, -1, "DATA",
	"send data once; it may send only part of it",
	"send(2)", CMD_NEEDSOCK, { ARG_DATA }, cmd_send_exec,
	"DATA is the rest of the line: bare words are joined by single "
	"spaces; \"...\" takes C escapes (\\r \\n \\t \\0 \\xHH); '...' is "
	"literal. send makes one call and shows how many bytes the kernel "
	"took, which may be fewer than given (then sendall sends the rest)."
};

static enum cmd_retval
cmd_sendall_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk = ctx->sk;
	struct buf	 data = { 0 };
	size_t		 done = 0;
	ssize_t		 r;
	unsigned long	 calls = 0, hidden = 0;
	enum cmd_retval	 ret = CMD_OK;

	data_from_words(ctx->argv, ctx->argc, &data);
	do {
		if (!wait_ready(sk, POLLOUT, "sendall")) {
			ret = CMD_ERROR;
			break;
		}
		r = send_once(sk, data.data + done, data.len - done, NULL,
		    calls < SENDALL_SHOWN);
		calls++;
		if (calls > SENDALL_SHOWN)
			hidden++;
		if (r < 0) {
			if (errno == EINTR && !interrupted)
				continue;
			note_error(sk, errno);
			diag_errno("sendall", errno, sk);
			ret = CMD_ERROR;
			break;
		}
		done += (size_t)r;
	} while (done < data.len);
	if (hidden > 0 && !opt.quiet)
		trace("... %lu more send calls: %zu of %zu bytes sent", hidden,
		    done, data.len);
	if (ret == CMD_ERROR && done > 0)
		result("sent %zu of %zu bytes before the error", done,
		    data.len);
	buf_free(&data);
	return ret;
}

const struct cmd_entry cmd_sendall_entry = {
	"sendall", NULL, 0, -1, "DATA",
	"send all the data, calling send as often as it takes",
	"send(2)", CMD_NEEDSOCK, { ARG_DATA }, cmd_sendall_exec,
	"As send, but calls send again until every byte is sent or an error "
	"occurs, as Python's sendall. After three calls the rest are counted "
	"rather than shown."
};

static enum cmd_retval
cmd_sendto_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk = ctx->sk;
	struct buf	 data = { 0 };
	struct addr	 to;
	enum cmd_retval	 r;
	int		 na = addr_words(ctx->argv, ctx->argc);

	if (addr_parse(sk != NULL ? sk->family : AF_UNSPEC,
	    ctx->argv + ctx->argc - na, na, 0, &to) != 0)
		return CMD_ERROR;
	/* With no socket, make the UDP socket sendto implies. */
	if (sk == NULL && (sk = make_socket(to.ss.ss_family,
	    SOCK_DGRAM)) == NULL)
		return CMD_ERROR;
	data_from_words(ctx->argv, ctx->argc - na, &data);
	r = send_common(ctx, "sendto", buf_str(&data), data.len, &to, sk);
	buf_free(&data);
	return r;
}

const struct cmd_entry cmd_sendto_entry = {
	"sendto", NULL, 2, -1, "DATA ADDR",
	"send a datagram to an address",
	"sendto(2)", CMD_AUTOSOCK, { ARG_DATA }, cmd_sendto_exec,
	"The address is the last word (HOST:PORT, [IPV6]:PORT, a path, @name) "
	"or the last two (HOST PORT); the words before it are the data, so "
	"quote data that ends in a number. With no current socket, a UDP "
	"socket of the address's family is made first."
};

/* Parse recv's [BUFSIZE [FLAGS]]. Returns 0, or -1 after a message. */
static int
recv_args(struct cmd_ctx *ctx, long long *size, int *flags)
{
	*size = DEFAULT_RECV;
	*flags = 0;
	if (ctx->argc > 0 && parse_int(ctx->argv[0].s, 0, MAX_RECV,
	    "bufsize", size) != 0)
		return -1;
	if (ctx->argc > 1 && flags_parse(msgflag_names, ctx->argv[1].s,
	    flags) != 0) {
		diag("%s: flags \"%s\": use peek, waitall, dontwait, oob or "
		    "trunc, joined by |", ctx->entry->name,
		    printable(ctx->argv[1].s));
		return -1;
	}
	return 0;
}

static enum cmd_retval
recv_common(struct cmd_ctx *ctx, int from)
{
	struct sock	*sk = ctx->sk;
	struct addr	 a;
	struct buf	 pre = { 0 }, post = { 0 };
	long long	 size;
	char		*data;
	ssize_t		 r;
	size_t		 shown;
	int		 flags, e;
	const char	*name = ctx->entry->name;

	if (recv_args(ctx, &size, &flags) != 0)
		return CMD_ERROR;
	if (!(flags & MSG_DONTWAIT) && !wait_ready(sk, POLLIN, name))
		return CMD_ERROR;
	if ((data = malloc(size > 0 ? (size_t)size : 1)) == NULL) {
		diag("%s: out of memory for %lld bytes", name, size);
		return CMD_ERROR;
	}
	a.len = sizeof a.ss;
	if (from)
		r = recvfrom(sk->fd, data, (size_t)size, flags,
		    (struct sockaddr *)&a.ss, &a.len);
	else
		r = recv(sk->fd, data, (size_t)size, flags);
	e = errno;

	buf_printf(&pre, "%s(%d, ", name, sk->fd);
	buf_printf(&post, ", %lld, ", size);
	flags_format(&post, msgflag_names, flags);
	if (from) {
		buf_adds(&post, ", ");
		if (r >= 0) {
			addr_format(&post, (struct sockaddr *)&a.ss, a.len);
			buf_printf(&post, ", [%u]", (unsigned)a.len);
		} else
			buf_printf(&post, "&addr, [%zu]", sizeof a.ss);
	}
	buf_addc(&post, ')');
	if (r < 0) {
		buf_adds(&pre, "buf");
		buf_add(&pre, post.data, post.len);
		trace_call(&pre, -1, e);
		note_error(sk, e);
		diag_errno(name, e, sk);
		free(data);
		buf_free(&pre);
		buf_free(&post);
		return CMD_ERROR;
	}
	buf_printf(&post, " = %zd", r);
	/* With MSG_TRUNC a datagram's real length may exceed the buffer. */
	shown = (size_t)r < (size_t)size ? (size_t)r : (size_t)size;
	if (!(flags & MSG_PEEK))
		sk->bytes_in += shown;
	/* On a TCP socket MSG_TRUNC skips the bytes: buf is never filled. */
	if ((flags & MSG_TRUNC) && sk->protocol == IPPROTO_TCP)
		shown = 0;
	outcome_data(data, shown);
	if (r > 0 || sk->type == SOCK_DGRAM)
		show_data(buf_str(&pre), buf_str(&post), data, shown);
	else
		trace("%s\"\"%s", buf_str(&pre), buf_str(&post));
	if (r > 0 && shown == 0)
		result("%zd bytes %s, not copied (MSG_TRUNC on a TCP socket)",
		    r, (flags & MSG_PEEK) ? "waiting" : "thrown away");
	else if ((size_t)r > shown)
		result("the datagram was %zd bytes; the %lld that fit the "
		    "buffer are shown", r, size);
	if (from && opt.quiet && a.len > 0) {
		buf_reset(&pre);
		addr_format_short(&pre, (struct sockaddr *)&a.ss, a.len);
		result("from %s", buf_str(&pre));
	}
	if (r == 0 && size > 0 && sk->type != SOCK_DGRAM && sk->shut_rd)
		result("EOF: this side shut down reading (shutdown rd), so "
		    "recv returns 0");
	else if (r == 0 && size > 0 && sk->type != SOCK_DGRAM) {
		result("EOF: the peer closed its end of the connection "
		    "(orderly shutdown)");
		sk->state = ST_CLOSED_PEER;
	}
	free(data);
	buf_free(&pre);
	buf_free(&post);
	return CMD_OK;
}

static enum cmd_retval
cmd_recv_exec(struct cmd_ctx *ctx)
{
	return recv_common(ctx, 0);
}

static enum cmd_retval
cmd_recvfrom_exec(struct cmd_ctx *ctx)
{
	return recv_common(ctx, 1);
}

const struct cmd_entry cmd_recv_entry = {
	"recv", NULL, 0, 2, "[BUFSIZE [FLAGS]]",
	"receive up to BUFSIZE bytes",
	"recv(2)", CMD_NEEDSOCK, { ARG_NUMBER, ARG_MSGFLAG }, cmd_recv_exec,
	"BUFSIZE defaults to 65536. FLAGS are peek, waitall, dontwait, oob "
	"and trunc (or MSG_PEEK ...), joined by |. Text is shown as a C "
	"string, binary data as a hexdump. A return of 0 on a stream socket "
	"is the peer's orderly shutdown (EOF); a reset is the error "
	"ECONNRESET."
};

const struct cmd_entry cmd_recvfrom_entry = {
	"recvfrom", NULL, 0, 2, "[BUFSIZE [FLAGS]]",
	"receive a datagram and the address it came from",
	"recvfrom(2)", CMD_NEEDSOCK, { ARG_NUMBER, ARG_MSGFLAG },
	cmd_recvfrom_exec,
	"As recv, and shows the sender's address: the way a UDP server learns "
	"whom to answer with sendto."
};
