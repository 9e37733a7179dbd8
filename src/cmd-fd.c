/*
 * The rest of a socket's file descriptor: sendfile (zero-copy from a file),
 * dup, unlink of a stale socket file, and getblocking.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

/* sendfile shows its first few calls and counts the rest, as sendall. */
#define SENDFILE_SHOWN	3
/* At most this much per call, as Python's socket.sendfile. */
#define SENDFILE_BLOCK	(1LL << 30)

static enum cmd_retval
cmd_sendfile_exec(struct cmd_ctx *ctx)
{
	const char	*path = ctx->argv[0].s;
	struct stat	 st;
	long long	 off = 0, count = -1, want, start;
	unsigned long	 calls = 0, hidden = 0;
	long		 r = 0;
	int		 fd, hide, all;
	enum cmd_retval	 ret = CMD_ERROR;

	if (ctx->argc > 1 && parse_int(ctx->argv[1].s, 0, INT64_MAX,
	    "offset", &off) != 0)
		return CMD_ERROR;
	if (ctx->argc > 2 && parse_int(ctx->argv[2].s, 0, 0x7ffff000,
	    "count", &count) != 0)
		return CMD_ERROR;
	if ((fd = data_file_open("sendfile", path, O_RDONLY)) < 0)
		return CMD_ERROR;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		diag("sendfile: %s: not a regular file (sendall < FILE sends "
		    "from any file)", printable(path));
		goto out;
	}
	start = off;
	all = count < 0;
	want = all ? (long long)st.st_size - off : count;
	if (want < 0)
		want = 0;
	do {
		hide = calls < SENDFILE_SHOWN ? 0 : CF_HIDDEN;
		if (!wait_ready(ctx->sk, POLLOUT, CALL_SENDFILE, hide))
			goto out;
		r = call_sendfile(ctx->sk, fd, path, &off,
		    (size_t)(want - (off - start) < SENDFILE_BLOCK ?
		    want - (off - start) : SENDFILE_BLOCK), hide);
		if (++calls > SENDFILE_SHOWN)
			hidden++;
		if (r < 0 && errno == EINTR && !interrupted)
			continue;
		if (r < 0) {
			call_report(call_last());
			break;
		}
		/* Ctrl-C mid-file shortens the send instead of failing it. */
		if (all && off - start < want && r > 0 &&
		    call_interrupted(ctx->sk, CALL_SENDFILE, hide)) {
			call_report(call_last());
			break;
		}
	} while (all && r > 0 && off - start < want);
	if (hidden > 0)
		trace_note("... %lu more sendfile calls: %lld of %lld bytes "
		    "sent", hidden, off - start, want);
	if (r >= 0 && off - start < want && !all)
		result("sent %lld of %lld bytes (sendfile FILE %lld sends the "
		    "rest)", off - start, want, off);
	else if (r >= 0 && off - start < want)
		result("sent %lld of %lld bytes: the file ended early",
		    off - start, want);
	else if (r < 0 && off > start)
		result("sent %lld of %lld bytes before the error", off - start,
		    want);
	else if (all && calls > 1)
		trace_note("(%lld bytes of %s sent)", off - start,
		    printable(path));
	if (r >= 0)
		ret = CMD_OK;
out:
	close(fd);
	return ret;
}

const struct cmd_entry cmd_sendfile_entry = {
	.name = "sendfile",
	.group = GROUP_DATA,
	.usage = "FILE [OFFSET [COUNT]]",
	.minargs = 1,
	.maxargs = 3,
	.flags = CMD_NEEDSOCK,
	.args = { ARG_PATH, ARG_NUMBER, ARG_NUMBER },
	.summary = "send a file's bytes with sendfile(2): the kernel copies "
	    "them, not the program",
	.calls = "sendfile(2)",
	.exec = cmd_sendfile_exec,
	.help = "The bytes go from the page cache to the socket without "
	    "passing through sockrepl: zero-copy, the way web servers send "
	    "files. From OFFSET (default 0): COUNT bytes with one call, which "
	    "may send fewer (as send); without COUNT, the rest of the file, "
	    "calling sendfile again until all of it is sent, as sendall and "
	    "Python's socket.sendfile do (the first three calls are shown, "
	    "the rest counted). The trace shows the file's fd and path and "
	    "how the offset moves: [0] => [65536]. FILE must be a regular "
	    "file; sendall < FILE sends from anything."
};

static enum cmd_retval
cmd_dup_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk = ctx->sk, *nsk;

	if (ctx->argc > 0) {
		if ((sk = sock_arg("dup", ctx->argv[0].s)) == NULL)
			return CMD_ERROR;
	} else if (sk == NULL) {
		diag("dup: no current socket (dup FD duplicates another)");
		return CMD_ERROR;
	}
	if (call_dup(sk, &nsk) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	if (nsk->kind == SK_SOCKET)
		set_current(nsk->fd);
	return CMD_OK;
}

const struct cmd_entry cmd_dup_entry = {
	.name = "dup",
	.group = GROUP_LIFE,
	.usage = "[FD]",
	.minargs = 0,
	.maxargs = 1,
	.args = { ARG_FD },
	.summary = "a second fd for the current socket, or socket FD",
	.calls = "dup(2)",
	.exec = cmd_dup_exec,
	.help = "As Python's socket.dup(): the new fd enters the table and "
	    "becomes current. Both fds are the same open socket: what is sent "
	    "on one is sent on the other's connection, O_NONBLOCK set on one "
	    "is set on both, and closing one leaves the connection open until "
	    "the last fd is closed (shutdown ends it for both at once)."
};

static enum cmd_retval
cmd_unlink_exec(struct cmd_ctx *ctx)
{
	if (ctx->argv[0].len != strlen(ctx->argv[0].s)) {
		diag("unlink: the path holds a NUL byte");
		return CMD_ERROR;
	}
	if (call_unlink(ctx->argv[0].s) < 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_unlink_entry = {
	.name = "unlink",
	.group = GROUP_LIFE,
	.usage = "PATH",
	.minargs = 1,
	.maxargs = 1,
	.args = { ARG_PATH },
	.summary = "remove a file, such as the socket file an old server left",
	.calls = "unlink(2)",
	.exec = cmd_unlink_exec,
	.help = "A UNIX socket's path stays on disk after the socket is "
	    "closed, and bind to it fails with EADDRINUSE until it is "
	    "removed: unlink PATH removes it, as os.unlink does. Closing a "
	    "socket never removes its file."
};

static enum cmd_retval
cmd_getblocking_exec(struct cmd_ctx *ctx)
{
	struct sock	*sk = ctx->sk;

	result("%s", sk->timeout == 0 ? "false" : "true");
	if (sk->timeout > 0)
		trace_note("(a timeout of %g s: Python calls that blocking, "
		    "though the fd has O_NONBLOCK and calls wait in ppoll)",
		    sk->timeout);
	return CMD_OK;
}

const struct cmd_entry cmd_getblocking_entry = {
	.name = "getblocking",
	.group = GROUP_OPTIONS,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.flags = CMD_NEEDSOCK,
	.summary = "show whether calls on the socket wait: true or false",
	.exec = cmd_getblocking_exec,
	.help = "As Python's getblocking(): false only for a non-blocking "
	    "socket (setblocking false, settimeout 0), true for a blocking one "
	    "and for one with a timeout. No system call: sockrepl keeps the "
	    "mode, as Python does (fcntl F_GETFL shows the fd's O_NONBLOCK)."
};
