/*
 * Messages: sendmsg and recvmsg with ancillary data, and sockatmark for
 * out-of-band data.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <errno.h>
#include <string.h>

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
