/*
 * Messages: sendmsg and recvmsg with ancillary data, and sockatmark for
 * out-of-band data.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

static enum cmd_retval
cmd_sockatmark_exec(struct cmd_ctx *ctx)
{
	int	v;

	if (call_ioctl_int(ctx->sk, SIOCATMARK, &v, 0) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	result("%s", v ? "at the mark: the next byte read is the urgent "
	    "(out-of-band) one's place" : "not at the mark");
	return CMD_OK;
}

const struct cmd_entry cmd_sockatmark_entry = {
	.name = "sockatmark",
	.group = GROUP_INSPECTION,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.flags = CMD_NEEDSOCK,
	.summary = "show whether the socket's next byte is at the urgent mark",
	.calls = "sockatmark(3)",
	.exec = cmd_sockatmark_exec,
	.help = "TCP urgent data (send -m oob) marks a place in the stream. "
	    "sockatmark asks the kernel, with ioctl SIOCATMARK, whether the "
	    "next recv starts there: 1 (at the mark) or 0. A recv stops short "
	    "of the mark, so a reader calls recv until sockatmark says 1, then "
	    "takes the urgent byte with recv 1 oob (unless SO_OOBINLINE keeps "
	    "it in the stream). $ret is the answer."
};

/* The most fds one sendmsg passes, and the most recvmsg takes in. */
#define MSG_FDS_MAX	RX_MAX

/*
 * sendmsg's words: DATA, then "fds FD ..." and "creds" at the end. The
 * control messages go into ctl (SCM_RIGHTS, then SCM_CREDENTIALS). Returns
 * the number of data words, or -1 after a message.
 */
static int
sendmsg_words(struct cmd_ctx *ctx, struct buf *ctl)
{
	struct sock	*fsk;
	struct cmsghdr	*c;
	struct ucred	 cr;
	int		 fds[MSG_FDS_MAX], nfds = 0, creds = 0, n = ctx->argc;
	int		 i, at = -1;
	char		*p;

	if (n > 0 && !ctx->argv[n - 1].quoted &&
	    strcmp(ctx->argv[n - 1].s, "creds") == 0) {
		creds = 1;
		n--;
	}
	for (i = 0; i < n; i++)
		if (!ctx->argv[i].quoted && strcmp(ctx->argv[i].s, "fds") == 0) {
			at = i;
			break;
		}
	if (at >= 0) {
		if (at == n - 1) {
			diag("sendmsg: fds needs one FD or more (list shows "
			    "them)");
			return -1;
		}
		for (i = at + 1; i < n; i++) {
			if (nfds == MSG_FDS_MAX) {
				diag("sendmsg: at most %d fds in one message",
				    MSG_FDS_MAX);
				return -1;
			}
			if ((fsk = sock_arg("sendmsg", ctx->argv[i].s)) == NULL)
				return -1;
			fds[nfds++] = fsk->fd;
		}
		n = at;
	}
	if (nfds > 0) {
		p = buf_room(ctl, CMSG_SPACE(sizeof(int) * MSG_FDS_MAX));
		memset(p, 0, CMSG_SPACE(sizeof(int) * nfds));
		c = (struct cmsghdr *)(void *)p;
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)nfds);
		buf_commit(ctl, CMSG_SPACE(sizeof(int) * (size_t)nfds));
	}
	if (creds) {
		cr.pid = getpid();
		cr.uid = getuid();
		cr.gid = getgid();
		p = buf_room(ctl, CMSG_SPACE(sizeof cr));
		memset(p, 0, CMSG_SPACE(sizeof cr));
		c = (struct cmsghdr *)(void *)p;
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof cr);
		memcpy(CMSG_DATA(c), &cr, sizeof cr);
		buf_commit(ctl, CMSG_SPACE(sizeof cr));
	}
	return n;
}

static enum cmd_retval
cmd_sendmsg_exec(struct cmd_ctx *ctx)
{
	struct buf	 data = { 0 }, ctl = { 0 };
	enum cmd_retval	 ret = CMD_ERROR;
	const char	*path;
	ssize_t		 r;
	int		 n;

	if ((n = sendmsg_words(ctx, &ctl)) < 0)
		goto out;
	if (data_words("sendmsg", ctx->argv, n, &data, &path) != 0)
		goto out;
	if (path != NULL) {
		diag("sendmsg: < FILE is for send and sendall; give the data "
		    "here");
		goto out;
	}
	if (!(ctx->msgflags & MSG_DONTWAIT) && !wait_ready(ctx->sk, POLLOUT,
	    CALL_SENDMSG, 0))
		goto out;
	if ((r = call_sendmsg(ctx->sk, buf_str(&data), data.len, ctl.data,
	    ctl.len, ctx->msgflags)) < 0) {
		call_report(call_last());
		goto out;
	}
	if ((size_t)r < data.len)
		result("sent %zd of %zu bytes", r, data.len);
	/* The kernel says 0 and drops the fds: tell why, or it looks sent. */
	if (data.len == 0 && ctl.len > 0 && ctx->sk->type == SOCK_STREAM)
		trace_note("(nothing was sent: a stream socket carries control "
		    "messages only with data; send at least one byte, as in "
		    "sendmsg x fds FD)");
	ret = CMD_OK;
out:
	buf_free(&data);
	buf_free(&ctl);
	return ret;
}

const struct cmd_entry cmd_sendmsg_entry = {
	.name = "sendmsg",
	.group = GROUP_DATA,
	.usage = "[-m FLAGS] DATA [fds FD ...] [creds]",
	.minargs = 0,
	.maxargs = -1,
	.flags = CMD_NEEDSOCK | CMD_MSGFLAGS,
	.args = { ARG_DATA },
	.summary = "send data with ancillary data: fds to pass, credentials",
	.calls = "sendmsg(2)",
	.exec = cmd_sendmsg_exec,
	.help = "DATA as for send. fds FD ... passes those sockets to the peer "
	    "of an AF_UNIX socket (SCM_RIGHTS): its recvmsg gets new fds for "
	    "the same sockets, which then enter its table. creds sends this "
	    "process's pid, uid and gid (SCM_CREDENTIALS); the receiver sees "
	    "them when it has SO_PASSCRED on. -m FLAGS as for send."
};

/*
 * After a recvmsg: say what arrived, and close fds that are no sockets
 * (the table holds sockets only).
 */
static void
recvmsg_after(const struct call_rec *r)
{
	struct sock	*nsk;
	int		 k;

	for (k = 0; k < r->nrx; k++) {
		if (r->rxseq[k] == 0 || (nsk = sock_get(r->rxfd[k])) == NULL) {
			trace_note("(fd %d arrived but is not a socket: closed)",
			    r->rxfd[k]);
			close(r->rxfd[k]);
			continue;
		}
		trace_note("(fd %d arrived: %s %s %s, now in the table)",
		    nsk->fd, sock_family_short(nsk->family),
		    sock_kind(nsk),
		    sock_state_name(nsk));
		if (opt.quiet)
			result("fd %d", nsk->fd);
	}
	if (r->mflags & MSG_CTRUNC)
		result("MSG_CTRUNC: the control messages did not fit (give a "
		    "larger CTLSIZE); fds that did not fit were closed by the "
		    "kernel");
	/* Asked with the trunc flag, recvmsg returns the whole length. */
	if ((r->mflags & MSG_TRUNC) && (r->arg & MSG_TRUNC) &&
	    (size_t)r->ret > r->len)
		result("MSG_TRUNC: the datagram was %ld bytes; the %zu that fit "
		    "the buffer are shown", r->ret, r->len);
	else if (r->mflags & MSG_TRUNC)
		result("MSG_TRUNC: the datagram was longer than the %zu-byte "
		    "buffer, and the rest of it is lost (recvmsg BUFSIZE trunc "
		    "tells its length)", r->len);
}

static enum cmd_retval
cmd_recvmsg_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk = ctx->sk;
	long long	 size = DEFAULT_RECV, ctlsize = 1024;
	int		 flags = 0;
	char		*data, *ctl;
	ssize_t		 r;

	if (ctx->argc > 0 && parse_int(ctx->argv[0].s, 0, MAX_RECV, "bufsize",
	    &size) != 0)
		return CMD_ERROR;
	if (ctx->argc > 1 && msgflags_parse(ctx->argv[1].s, &flags) != 0) {
		diag("recvmsg: flags \"%s\": use peek, waitall, dontwait, oob, "
		    "trunc or cmsg_cloexec (or MSG_ names, or a number), joined "
		    "by | or commas",
		    printable(ctx->argv[1].s));
		return CMD_ERROR;
	}
	if (ctx->argc > 2 && parse_int(ctx->argv[2].s, 0, 65536, "ctlsize",
	    &ctlsize) != 0)
		return CMD_ERROR;
	if (sk->type == SOCK_STREAM && rbuf_len(sk) > 0)
		trace_note("(%zu bytes in sockrepl's buffer come after what "
		    "recvmsg returns: recv takes them)", rbuf_len(sk));
	if (!(flags & MSG_DONTWAIT) && !wait_ready(sk, POLLIN, CALL_RECVMSG, 0))
		return CMD_ERROR;
	if ((data = malloc(size > 0 ? (size_t)size : 1)) == NULL ||
	    (ctl = malloc(ctlsize > 0 ? (size_t)ctlsize : 1)) == NULL)
		abort();
	r = call_recvmsg(sk, data, (size_t)size, ctl, (size_t)ctlsize, flags,
	    ctx->fmt);
	free(data);
	free(ctl);
	if (r < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	recvmsg_after(call_last());
	if (r == 0 && size > 0 && sk->type != SOCK_DGRAM)
		result("EOF: the peer closed its end of the connection "
		    "(orderly shutdown)");
	return CMD_OK;
}

const struct cmd_entry cmd_recvmsg_entry = {
	.name = "recvmsg",
	.group = GROUP_DATA,
	.usage = "[-f FORMAT] [BUFSIZE [FLAGS [CTLSIZE]]]",
	.minargs = 0,
	.maxargs = 3,
	.flags = CMD_NEEDSOCK | CMD_FORMAT,
	.args = { ARG_NUMBER, ARG_MSGFLAG, ARG_NUMBER },
	.summary = "receive data with its ancillary data and flags",
	.calls = "recvmsg(2)",
	.exec = cmd_recvmsg_exec,
	.help = "As recv, with room for CTLSIZE bytes (default 1024) of "
	    "control messages, each shown by name: SCM_RIGHTS (fds passed by "
	    "the peer's sendmsg, which enter the table as sockets with their "
	    "real family, type and state, and work like any other), "
	    "SCM_CREDENTIALS (with SO_PASSCRED on), SCM_TIMESTAMP and "
	    "SCM_TIMESTAMPNS (SO_TIMESTAMP, SO_TIMESTAMPNS), IP_PKTINFO, "
	    "IP_TTL (IP_RECVTTL), IP_TOS, IPV6_PKTINFO and IPV6_HOPLIMIT. "
	    "msg_flags shows MSG_TRUNC, MSG_CTRUNC, MSG_EOR and MSG_OOB. "
	    "Datagrams show their sender in msg_name."
};
