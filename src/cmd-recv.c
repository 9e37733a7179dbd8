/*
 * Receiving: recv, recvfrom, recvline, recvuntil, recvall, and the format
 * setting.
 *
 * Bytes that a receive read past what it returns (the rest of the kernel's
 * answer after a newline, say) stay in the socket's buffer (rbuf.c), and
 * every receive on a stream serves them first, saying so in the trace.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

/* recvall shows its first calls and its last, and counts the ones between. */
#define RECV_SHOWN	3
/* recvline and recvuntil give up after this many bytes unless told. */
#define LINE_MAX_DEFAULT 65536
/* recvall > FILE keeps this many of the last bytes for expect. */
#define KEEP_TAIL	65536

/* Where a receive's data goes: the screen in a format, or a file. */
struct sink {
	const char	*name;
	enum data_format fmt;
	struct redir	 redir;
	int		 fd;	/* the file, or -1 for the screen */
};

/*
 * The sink the dispatcher's template chose: -f FORMAT and > FILE or
 * >> FILE (CMD_FORMAT, CMD_REDIR_OUT) are taken before the handler runs.
 */
static void
sink_init(struct cmd_ctx *ctx, struct sink *o)
{
	o->name = ctx->entry->name;
	o->fmt = ctx->fmt;
	o->redir = ctx->redir;
	o->fd = -1;
}

/* Open the file, once the other arguments are known to be good. */
static int
sink_open(struct sink *o)
{
	if (o->redir.path == NULL)
		return 0;
	o->fd = data_file_open(o->name, o->redir.path, O_WRONLY | O_CREAT |
	    (o->redir.append ? O_APPEND : O_TRUNC));
	return o->fd < 0 ? -1 : 0;
}

static void
sink_close(struct sink *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

/* Write all of p[0..n) to the file. Returns 0, or -1 after a message. */
static int
sink_write(struct sink *o, const char *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		r = write(o->fd, p, n);
		if (r < 0 && errno == EINTR && !interrupted)
			continue;
		if (r < 0) {
			diag("%s: writing %s: %s", o->name,
			    printable(o->redir.path), strerror(errno));
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* After a failure: say where the bytes read so far are. */
static void
note_kept(const char *name, const struct sock *sk)
{
	if (rbuf_len(sk) > 0)
		result("%s: the %zu bytes read so far stay in sockrepl's "
		    "buffer (recv returns them)", name, rbuf_len(sk));
}

/* The bytes a receive wrote to its file, for the trace. */
static void
note_written(const struct sink *o, uint64_t n)
{
	trace_note("(%llu bytes written to %s)", (unsigned long long)n,
	    printable(o->redir.path));
}

/*
 * Hand over what a command received, from sockrepl's buffer: into the
 * file, or shown. Returns 0, or -1 after a message (the file would not take
 * the bytes).
 */
static int
deliver(struct sink *o, struct sock *sk, const char *p, size_t n)
{
	if (o->fd < 0) {
		call_buffered(sk, p, n, n, SHOW_BLOCK, o->fmt);
		return 0;
	}
	if (sink_write(o, p, n) != 0)
		return -1;
	call_buffered(sk, p, n, n, SHOW_FILE, o->fmt);
	note_written(o, n);
	return 0;
}

/* Parse recv's [BUFSIZE [FLAGS]]. Returns 0, or -1 after a message. */
static int
recv_args(const char *name, struct word *argv, int argc, long long *size,
    int *flags)
{
	*size = DEFAULT_RECV;
	*flags = 0;
	if (argc > 0 && parse_int(argv[0].s, 0, MAX_RECV, "bufsize",
	    size) != 0)
		return -1;
	if (argc > 1 && msgflags_parse(argv[1].s, flags) != 0) {
		diag("%s: flags \"%s\": use peek, waitall, dontwait, oob or "
		    "trunc (or MSG_ names, or a number), joined by | or commas",
		    name, printable(argv[1].s));
		return -1;
	}
	return 0;
}

/*
 * A buffer for recv that lives on, so each recv need not allocate one.
 * Returns NULL with no memory for n bytes.
 */
static char *
scratch(size_t n)
{
	static char	*p;
	static size_t	 cap;

	char		*q;

	/* BUFSIZE is the user's: no memory for it is an error, not an end. */
	if (n > cap) {
		if ((q = malloc(n)) == NULL)
			return NULL;
		free(p);
		p = q;
		cap = n;
	}
	return p;
}

/*
 * recv and recvfrom on a stream where sockrepl holds bytes already: serve
 * them, as a later recv(2) would have returned them, without a call.
 */
static enum cmd_retval
recv_buffered(struct sock *sk, struct sink *o, size_t size, int flags)
{
	size_t	n = rbuf_len(sk);

	if (n > size)
		n = size;
	trace_note("(%zu bytes from sockrepl's buffer, no system call%s)", n,
	    (flags & MSG_PEEK) ? "; peek leaves them there" : "");
	/* It stands in for the recv call: scripts see what recv returned. */
	if (deliver(o, sk, rbuf_peek(sk), n) != 0)
		return CMD_ERROR;
	if (!(flags & MSG_PEEK))
		rbuf_consume(sk, n);
	return CMD_OK;
}

static int stream_only(const char *, const struct sock *);
static ssize_t recv_into(struct sock *, char *, size_t, int);
static int deliver(struct sink *, struct sock *, const char *, size_t);

/*
 * recv exactly N: recv until N bytes have come, as pwntools' recvn. Fewer
 * at EOF or an error is a failure, and the bytes read stay buffered for the
 * next receive, so nothing is lost.
 */
static enum cmd_retval
recv_exactly(struct cmd_ctx *ctx, struct sink *o)
{
	struct sock	*sk = ctx->sk;
	long long	 n;
	size_t		 want, have, size;
	uint64_t	 hidden_bytes = 0;
	unsigned long	 calls = 0, hidden = 0;
	ssize_t		 r;
	char		*p;
	int		 hide;
	enum cmd_retval	 ret = CMD_ERROR;

	if (ctx->argc != 2) {
		cmd_usage(ctx->entry);
		return CMD_ERROR;
	}
	if (parse_int(ctx->argv[1].s, 1, MAX_RECV, "exactly", &n) != 0 ||
	    stream_only("recv exactly", sk) != 0 || sink_open(o) != 0)
		return CMD_ERROR;
	want = (size_t)n;
	if ((have = rbuf_len(sk)) > 0)
		trace_note("(%zu bytes %s sockrepl's buffer%s)", have,
		    have >= want ? "from" : "already in", have >= want ?
		    ", no system call" : "");
	while ((have = rbuf_len(sk)) < want) {
		size = want - have < DATA_CHUNK ? want - have : DATA_CHUNK;
		p = rbuf_space(sk, size);
		hide = calls < RECV_SHOWN ? 0 : CF_HIDDEN;
		r = recv_into(sk, p, size, hide);
		if (r > 0)
			rbuf_commit(sk, (size_t)r);
		else
			rbuf_consume(sk, 0);
		calls++;
		if (r > 0 && hide) {
			hidden++;
			hidden_bytes += (uint64_t)r;
		}
		if (r <= 0) {
			if (hidden > 0)
				trace_note("... %lu more recv calls: %llu bytes",
				    hidden, (unsigned long long)hidden_bytes);
			if (r == 0)
				diag("recv exactly: EOF after %zu of %zu bytes",
				    rbuf_len(sk), want);
			note_kept("recv", sk);
			goto out;
		}
	}
	if (hidden > 0)
		trace_note("... %lu more recv calls: %llu bytes", hidden,
		    (unsigned long long)hidden_bytes);
	if (deliver(o, sk, rbuf_peek(sk), want) != 0) {
		note_kept("recv", sk);
		goto out;
	}
	rbuf_consume(sk, want);
	ret = CMD_OK;
out:
	sink_close(o);
	return ret;
}

static enum cmd_retval
recv_common(struct cmd_ctx *ctx, int from)
{
	struct sock	*sk = ctx->sk;
	struct sink	 o;
	struct addr	 a;
	long long	 size;
	char		*data;
	ssize_t		 r;
	size_t		 shown;
	int		 flags;
	enum cmd_retval	 ret = CMD_OK;
	const char	*name = ctx->entry->name;

	sink_init(ctx, &o);
	if (!from && ctx->argc > 0 && !ctx->argv[0].quoted &&
	    strcmp(ctx->argv[0].s, "exactly") == 0)
		return recv_exactly(ctx, &o);
	if (recv_args(name, ctx->argv, ctx->argc, &size, &flags) != 0 ||
	    sink_open(&o) != 0)
		return CMD_ERROR;
	if (sk->type == SOCK_STREAM && rbuf_len(sk) > 0 && size > 0) {
		ret = recv_buffered(sk, &o, (size_t)size, flags);
		sink_close(&o);
		return ret;
	}
	if ((data = scratch(size > 0 ? (size_t)size : 1)) == NULL) {
		diag("%s: no memory for a buffer of %lld bytes (ENOMEM); give "
		    "a smaller BUFSIZE", name, size);
		sink_close(&o);
		return CMD_ERROR;
	}
	if (!(flags & MSG_DONTWAIT) && !wait_ready(sk, POLLIN, from ?
	    CALL_RECVFROM : CALL_RECV, 0)) {
		sink_close(&o);
		return CMD_ERROR;
	}
	r = call_recv(sk, data, (size_t)size, flags, from ? &a : NULL,
	    o.fd >= 0 ? SHOW_FILE : SHOW_BLOCK, o.fmt, 0);
	if (r < 0) {
		call_report(call_last());
		ret = CMD_ERROR;
		goto out;
	}
	shown = call_filled(call_last());
	if (o.fd >= 0) {
		if (sink_write(&o, data, shown) == 0) {
			call_delivered(sk, data, shown);
			note_written(&o, shown);
		} else {
			/* A stream's bytes are kept for the next receive. */
			if (sk->type != SOCK_DGRAM && !(flags & MSG_PEEK) &&
			    shown > 0) {
				memcpy(rbuf_space(sk, shown), data, shown);
				rbuf_commit(sk, shown);
				note_kept(name, sk);
			}
			ret = CMD_ERROR;
		}
	}
	if (r > 0 && shown == 0)
		result("%zd bytes %s, not copied (MSG_TRUNC on a TCP socket)",
		    r, (flags & MSG_PEEK) ? "waiting" : "thrown away");
	else if ((size_t)r > shown)
		result("the datagram was %zd bytes; the %lld that fit the "
		    "buffer are shown", r, size);
	else if (sk->type != SOCK_STREAM && call_last()->arg2 > r)
		result("the datagram was %ld bytes: the %ld past the buffer "
		    "were lost (MSG_TRUNC; a datagram is read whole or cut "
		    "short, never in parts); recv %ld reads it all",
		    call_last()->arg2, call_last()->arg2 - (long)r,
		    call_last()->arg2);
	if (r == 0 && size > 0 && sk->type != SOCK_DGRAM && sk->shut_rd)
		result("EOF: this side shut down reading (shutdown rd), so "
		    "recv returns 0");
	else if (r == 0 && size > 0 && sk->type != SOCK_DGRAM &&
	    sk->state == ST_FAILED && sk->errnum == ECONNRESET)
		result("EOF after a reset: the peer reset the connection "
		    "(ECONNRESET, reported already), it did not close it in "
		    "order; recv returns 0 from now on");
	else if (r == 0 && size > 0 && sk->type != SOCK_DGRAM && sk->tls)
		result("%s", tls_eof_words(sk));
	else if (r == 0 && size > 0 && sk->type != SOCK_DGRAM)
		result("EOF: the peer closed its end of the connection "
		    "(orderly shutdown)%s", tls_silent_eof(sk));
out:
	sink_close(&o);
	return ret;
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
	.name = "recv",
	.group = GROUP_DATA,
	.usage = "[-f FORMAT] [BUFSIZE [FLAGS] | exactly N] [> FILE | -> NAME]",
	.minargs = 0,
	.maxargs = 2,
	.flags = CMD_NEEDSOCK | CMD_FORMAT | CMD_REDIR_OUT |
	    CMD_CAPTURE,
	.args = { ARG_NUMBER, ARG_MSGFLAG },
	.summary = "receive up to BUFSIZE bytes",
	.calls = "recv(2)",
	.exec = cmd_recv_exec,
	.help = "BUFSIZE defaults to 65536. FLAGS are peek, waitall, dontwait, "
	    "oob and trunc (or MSG_ names, or a number: 2 is MSG_PEEK), "
	    "joined by | or commas. Data is shown as "
	    "the format command says (auto: text as a C string, binary data as "
	    "a hexdump); -f FORMAT (auto, text, hex, raw) chooses for this "
	    "command alone, and > FILE or >> FILE writes the data to a file "
	    "instead; -> NAME also keeps the data, any bytes, in variable "
	    "NAME. Bytes an earlier recvline, recvuntil or recvall read "
	    "past its end are served first, with no system call. recv exactly "
	    "N (on a stream) calls recv until N bytes have come, as pwntools' "
	    "recvn: fewer at EOF is a failure, and the bytes stay buffered; "
	    "the first three calls are shown, the rest counted. A return of 0 "
	    "on a stream socket is the peer's orderly shutdown (EOF); a reset "
	    "is the error ECONNRESET."
};

const struct cmd_entry cmd_recvfrom_entry = {
	.name = "recvfrom",
	.group = GROUP_DATA,
	.usage = "[-f FORMAT] [BUFSIZE [FLAGS]] [> FILE | -> NAME]",
	.minargs = 0,
	.maxargs = 2,
	.flags = CMD_NEEDSOCK | CMD_FORMAT | CMD_REDIR_OUT |
	    CMD_CAPTURE,
	.args = { ARG_NUMBER, ARG_MSGFLAG },
	.summary = "receive a datagram and the address it came from",
	.calls = "recvfrom(2)",
	.exec = cmd_recvfrom_exec,
	.help = "As recv, and shows the sender's address: the way a UDP server "
	    "learns whom to answer with sendto."
};

/* recvline, recvuntil and recvall read a byte stream. */
static int
stream_only(const char *name, const struct sock *sk)
{
	if (sk->type == SOCK_STREAM)
		return 0;
	diag("%s: works on stream sockets; for datagrams use recv or "
	    "recvfrom, one datagram each", name);
	return -1;
}

/*
 * Wait, then one recv(2) of up to size bytes into p, retrying when a signal
 * other than Ctrl-C interrupts it. hide is CF_HIDDEN for a loop's calls past
 * the first few. Returns what recv returned, or -1 after the failure is
 * reported.
 */
static ssize_t
recv_into(struct sock *sk, char *p, size_t size, int hide)
{
	ssize_t	r;

	for (;;) {
		/* This also stops on a Ctrl-C that came before the call. */
		if (!wait_ready(sk, POLLIN, CALL_RECV, hide))
			return -1;
		if ((r = call_recv(sk, p, size, 0, NULL, SHOW_ARG, FMT_AUTO,
		    hide)) >= 0)
			return r;
		if (errno != EINTR || interrupted)
			break;
	}
	call_report(call_last());
	return -1;
}

/*
 * The end of the first delim in the socket's buffer within its first max
 * bytes, or 0. *scan is where the last search stopped, so a long wait
 * searches each byte about once.
 */
static size_t
find_delim(const struct sock *sk, const char *delim, size_t dlen, size_t max,
    size_t *scan)
{
	const char	*p = rbuf_peek(sk), *hit;
	size_t		 have = rbuf_len(sk), from;

	if (have > max)
		have = max;
	from = *scan >= dlen ? *scan - dlen + 1 : 0;
	*scan = have;
	if (have < dlen || from > have - dlen)
		return 0;
	hit = memmem(p + from, have - from, delim, dlen);
	return hit != NULL ? (size_t)(hit - p) + dlen : 0;
}

/* recvline and recvuntil: through the first delim, at most max bytes. */
static enum cmd_retval
recv_delim(struct cmd_ctx *ctx, struct sink *o, const char *delim,
    size_t dlen, size_t max)
{
	struct sock	*sk = ctx->sk;
	struct buf	 d = { 0 };
	const char	*name = o->name;
	char		*p;
	size_t		 end, scan = 0, have;
	ssize_t		 r;
	enum cmd_retval	 ret = CMD_OK;

	if (stream_only(name, sk) != 0 || sink_open(o) != 0)
		return CMD_ERROR;
	end = find_delim(sk, delim, dlen, max, &scan);
	if ((have = rbuf_len(sk)) > 0) {
		if (end > 0)
			trace_note("(%zu bytes from sockrepl's buffer, no "
			    "system call)", end);
		else
			trace_note("(%zu bytes already in sockrepl's buffer)",
			    have);
	}
	while (end == 0) {
		if (have >= max) {
			escape_bytes(&d, delim, dlen);
			diag("%s: no \"%s\" in the first %zu bytes (the "
			    "limit; give a larger MAX)", name, buf_str(&d),
			    max);
			note_kept(name, sk);
			ret = CMD_ERROR;
			goto out;
		}
		p = rbuf_space(sk, DEFAULT_RECV);
		if ((r = recv_into(sk, p, DEFAULT_RECV, 0)) < 0) {
			rbuf_consume(sk, 0);
			note_kept(name, sk);
			ret = CMD_ERROR;
			goto out;
		}
		if (r == 0) {
			rbuf_consume(sk, 0);
			escape_bytes(&d, delim, dlen);
			if (have == 0)
				result("EOF: the peer closed its end of the "
				    "connection; nothing is left to read%s",
				    tls_silent_eof(sk));
			else
				result("EOF: the peer closed its end before "
				    "\"%s\"; the last %zu bytes are returned "
				    "without it", buf_str(&d), have);
			end = have;
			break;
		}
		rbuf_commit(sk, (size_t)r);
		have = rbuf_len(sk);
		end = find_delim(sk, delim, dlen, max, &scan);
		if (end > 0 && have > end)
			trace_note("(%zu bytes kept in sockrepl's buffer)",
			    have - end);
	}
	/* Bytes the file would not take stay buffered for the next receive. */
	if (deliver(o, sk, rbuf_peek(sk), end) != 0) {
		note_kept(o->name, sk);
		ret = CMD_ERROR;
	} else
		rbuf_consume(sk, end);
out:
	sink_close(o);
	buf_free(&d);
	return ret;
}

/* Parse a MAX argument. Returns 0, or -1 after a message. */
static int
max_arg(const char *s, long long hi, size_t *max)
{
	long long	v;

	if (parse_int(s, 1, hi, "max", &v) != 0)
		return -1;
	*max = (size_t)v;
	return 0;
}

static enum cmd_retval
cmd_recvline_exec(struct cmd_ctx *ctx)
{
	struct sink	 o;
	size_t		 max = LINE_MAX_DEFAULT;

	sink_init(ctx, &o);
	if (ctx->argc == 1 && max_arg(ctx->argv[0].s, MAX_RECV, &max) != 0)
		return CMD_ERROR;
	return recv_delim(ctx, &o, "\n", 1, max);
}

const struct cmd_entry cmd_recvline_entry = {
	.name = "recvline",
	.group = GROUP_DATA,
	.usage = "[-f FORMAT] [MAX] [> FILE | -> NAME]",
	.minargs = 0,
	.maxargs = 1,
	.flags = CMD_NEEDSOCK | CMD_FORMAT | CMD_REDIR_OUT |
	    CMD_CAPTURE,
	.args = { ARG_NUMBER },
	.summary = "receive one line, through its \\n",
	.calls = "recv(2)",
	.exec = cmd_recvline_exec,
	.help = "Calls recv until a \\n arrives and returns the line with its "
	    "\\n (and the \\r before it, if any). Bytes after the \\n stay in "
	    "sockrepl's buffer for the next receive; the trace says how many. "
	    "Fails if no \\n comes within MAX bytes (default 65536); at EOF it "
	    "returns what is left. -f and > FILE as for recv."
};

static enum cmd_retval
cmd_recvuntil_exec(struct cmd_ctx *ctx)
{
	struct sink	 o;
	struct word	*delim = &ctx->argv[0];
	size_t		 max = LINE_MAX_DEFAULT;

	sink_init(ctx, &o);
	if (delim->len == 0) {
		diag("recvuntil: the delimiter is empty");
		return CMD_ERROR;
	}
	if (ctx->argc == 2 && max_arg(ctx->argv[1].s, MAX_RECV, &max) != 0)
		return CMD_ERROR;
	if (max < delim->len) {
		diag("recvuntil: MAX %zu is shorter than the delimiter (%zu "
		    "bytes): it could never be found", max, delim->len);
		return CMD_ERROR;
	}
	return recv_delim(ctx, &o, delim->s, delim->len, max);
}

const struct cmd_entry cmd_recvuntil_entry = {
	.name = "recvuntil",
	.group = GROUP_DATA,
	.usage = "[-f FORMAT] DELIM [MAX] [> FILE | -> NAME]",
	.minargs = 1,
	.maxargs = 2,
	.flags = CMD_NEEDSOCK | CMD_FORMAT | CMD_REDIR_OUT |
	    CMD_CAPTURE,
	.args = { ARG_DATA, ARG_NUMBER },
	.summary = "receive through the first DELIM",
	.calls = "recv(2)",
	.exec = cmd_recvuntil_exec,
	.help = "As recvline, up to and including DELIM, one word: quote it, "
	    "with escapes in \"...\", e.g. recvuntil \"\\r\\n\\r\\n\" for the "
	    "end of HTTP headers. Bytes after it stay buffered for the next "
	    "receive."
};

/* Keep the last KEEP_TAIL bytes seen, for expect after recvall > FILE. */
static void
tail_add(struct buf *t, const char *p, size_t n)
{
	if (n >= KEEP_TAIL) {
		buf_reset(t);
		buf_add(t, p + n - KEEP_TAIL, KEEP_TAIL);
		return;
	}
	buf_add(t, p, n);
	if (t->len > 2 * KEEP_TAIL) {
		memmove(t->data, t->data + t->len - KEEP_TAIL, KEEP_TAIL);
		t->len = KEEP_TAIL;
		t->data[t->len] = '\0';
	}
}

static enum cmd_retval
cmd_recvall_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk = ctx->sk;
	struct sink	 o;
	struct buf	 tail = { 0 };
	char		*p, *chunk = NULL;
	size_t		 max, size, have, keep;
	uint64_t	 total = 0, hidden_bytes = 0;
	unsigned long	 calls = 0, hidden = 0;
	ssize_t		 r;
	int		 hide;
	enum cmd_retval	 ret = CMD_OK;

	sink_init(ctx, &o);
	/* On screen the data is held until EOF; into a file it is not. */
	max = o.redir.path != NULL ? SIZE_MAX - DATA_CHUNK : MAX_RECV;
	if (ctx->argc == 1 && max_arg(ctx->argv[0].s, o.redir.path != NULL ?
	    (long long)1 << 50 : MAX_RECV, &max) != 0)
		return CMD_ERROR;
	if (stream_only(o.name, sk) != 0 || sink_open(&o) != 0)
		return CMD_ERROR;
	if ((have = rbuf_len(sk)) > 0)
		trace_note("(%zu bytes already in sockrepl's buffer)", have);
	if (o.fd >= 0) {
		/* Into a file: what is buffered first, then straight through. */
		total = have;
		tail_add(&tail, rbuf_peek(sk), have);
		if (sink_write(&o, rbuf_peek(sk), have) != 0) {
			ret = CMD_ERROR;
			goto out;
		}
		rbuf_consume(sk, have);
		chunk = data_chunk();
	}
	for (;;) {
		if ((o.fd < 0 ? rbuf_len(sk) : total) > max) {
			diag("recvall: more than %zu bytes (the limit) and no "
			    "EOF yet", max);
			if (o.fd >= 0) {
				result("recvall: %zu bytes written to %s",
				    max, printable(o.redir.path));
				note_kept("recvall", sk);
			} else
				note_kept("recvall", sk);
			ret = CMD_ERROR;
			break;
		}
		/* Ask for at most one byte past the limit, to see it is passed. */
		size = max - (o.fd < 0 ? rbuf_len(sk) : total) + 1;
		if (size > DATA_CHUNK)
			size = DATA_CHUNK;
		p = o.fd < 0 ? rbuf_space(sk, size) : chunk;
		hide = calls < RECV_SHOWN ? 0 : CF_HIDDEN;
		if ((r = recv_into(sk, p, size, hide)) < 0) {
			if (hidden > 0)
				trace_note("... %lu more recv calls: %llu bytes",
				    hidden, (unsigned long long)hidden_bytes);
			if (o.fd >= 0)
				result("recvall: %llu bytes written to %s "
				    "before the error",
				    (unsigned long long)total,
				    printable(o.redir.path));
			else {
				rbuf_consume(sk, 0);
				note_kept("recvall", sk);
			}
			ret = CMD_ERROR;
			break;
		}
		calls++;
		if (r == 0) {
			if (hidden > 0)
				trace_note("... %lu more recv calls: %llu bytes",
				    hidden, (unsigned long long)hidden_bytes);
			break;
		}
		if (hide) {
			hidden++;
			hidden_bytes += (uint64_t)r;
		}
		total += (uint64_t)r;
		if (o.fd < 0)
			rbuf_commit(sk, (size_t)r);
		else {
			/* The file takes MAX bytes; the one past stays buffered. */
			keep = total > max ? (size_t)r - (size_t)(total - max) :
			    (size_t)r;
			if (keep < (size_t)r) {
				memcpy(rbuf_space(sk, (size_t)r - keep), p + keep,
				    (size_t)r - keep);
				rbuf_commit(sk, (size_t)r - keep);
			}
			tail_add(&tail, p, keep);
			if (sink_write(&o, p, keep) != 0) {
				ret = CMD_ERROR;
				break;
			}
		}
	}
	if (ret == CMD_OK) {
		if (o.fd < 0) {
			rbuf_consume(sk, 0);
			have = rbuf_len(sk);
			if (deliver(&o, sk, rbuf_peek(sk), have) != 0)
				ret = CMD_ERROR;
			rbuf_consume(sk, have);
		} else {
			/* expect sees the last KEEP_TAIL bytes; $ret all. */
			if (tail.len > KEEP_TAIL)
				call_buffered(sk, tail.data + tail.len -
				    KEEP_TAIL, KEEP_TAIL, total, SHOW_FILE,
				    o.fmt);
			else
				call_buffered(sk, tail.data, tail.len, total,
				    SHOW_FILE, o.fmt);
			note_written(&o, total);
		}
	}
out:
	sink_close(&o);
	free(chunk);
	buf_free(&tail);
	return ret;
}

const struct cmd_entry cmd_recvall_entry = {
	.name = "recvall",
	.group = GROUP_DATA,
	.usage = "[-f FORMAT] [MAX] [> FILE | -> NAME]",
	.minargs = 0,
	.maxargs = 1,
	.flags = CMD_NEEDSOCK | CMD_FORMAT | CMD_REDIR_OUT |
	    CMD_CAPTURE,
	.args = { ARG_NUMBER },
	.summary = "receive until the peer closes (EOF)",
	.calls = "recv(2)",
	.exec = cmd_recvall_exec,
	.help = "Calls recv until it returns 0 (EOF) and returns everything. "
	    "On the screen at most MAX bytes (default and limit 16777216) are "
	    "taken; more is an error, and the bytes stay buffered. With > FILE "
	    "the data is written as it arrives, in constant memory, with no "
	    "limit unless MAX is given; expect then sees only the last 65536 "
	    "bytes. The first three recv calls and the last are shown, the "
	    "rest counted."
};

static enum cmd_retval
cmd_format_exec(struct cmd_ctx *ctx)
{
	enum data_format	f = data_format;
	struct word		w[2];

	if (ctx->argc == 1) {
		w[0].s = (char *)"-f";
		w[0].len = 2;
		w[0].quoted = 0;
		w[1] = ctx->argv[0];
		if (format_take("format", w, 2, &f) < 0)
			return CMD_ERROR;
		data_format = f;
	}
	/* -q shows results only: the setting when asked, not when set. */
	if (ctx->argc == 0 || !opt.quiet)
		result("format %s", name_of(format_names, (int)data_format));
	return CMD_OK;
}

const struct cmd_entry cmd_format_entry = {
	.name = "format",
	.group = GROUP_DATA,
	.usage = "[auto|text|hex|raw]",
	.minargs = 0,
	.maxargs = 1,
	.args = { ARG_WORD },
	.summary = "choose how received data is shown",
	.exec = cmd_format_exec,
	.help = "auto (the default) shows text as C strings and binary data as "
	    "a hexdump; text always as C strings; hex always as a hexdump "
	    "(offset, hex bytes, ASCII, with < marking received data); raw "
	    "writes the bytes as they are, but only when stdout is not a "
	    "terminal, since control bytes must never reach one (on a terminal "
	    "raw shows text). recv -f FORMAT overrides it for one command."
};
