/*
 * wire and diagram: the packets beside the calls, and the session drawn
 * as a ladder diagram. The work is in wire.c and diagram.c.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sockrepl.h"

static enum cmd_retval
cmd_wire_exec(struct cmd_ctx *ctx)
{
	struct buf	b = { 0 };
	int		on;

	if (ctx->argc == 0) {
		wire_status(&b);
		result("%s", buf_str(&b));
		buf_free(&b);
		return CMD_OK;
	}
	if (parse_bool(ctx->argv[0].s, &on) != 0) {
		diag("wire: \"%s\" is not on or off", printable(ctx->argv[0].s));
		return CMD_ERROR;
	}
	if (!FEATURE_PCAP) {
		diag("wire: %s", WIRE_WITHOUT);
		return on ? CMD_ERROR : CMD_OK;
	}
	if (!on) {
		wire_stop(1);
		return CMD_OK;
	}
	if (wire_start(&b) != 0) {
		diag("wire: %s", buf_str(&b));
		buf_free(&b);
		return CMD_ERROR;
	}
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_wire_entry = {
	.name = "wire",
	.group = GROUP_SESSION,
	.usage = "[on|off]",
	.minargs = 0,
	.maxargs = 1,
	.flags = CMD_KEEPOUTCOME,
	.args = { ARG_BOOL },
	.summary = "show the packets each call causes on loopback, under its "
	    "trace line",
	.calls = "libpcap: pcap_create(3PCAP), pcap_compile(3PCAP)",
	.exec = cmd_wire_exec,
	.help = "wire on captures the session's own traffic on the loopback "
	    "interface (lo) with libpcap, through a BPF filter on the ports of "
	    "the sockets in the table, and after each call prints the packets "
	    "it caused, indented under its trace line: which fd sent to which "
	    "(an address when the other end is not the session's), the TCP "
	    "flags as tcpdump writes them ([S] SYN, [S.] SYN-ACK, [.] ACK, "
	    "[P.] data, [F.] FIN, [R] reset), seq and ack relative to each "
	    "side's first sequence number, the window in bytes, the options of "
	    "a SYN, and a payload's length and first bytes; UDP datagrams and "
	    "ICMP errors (port unreachable) too, over IPv4 and IPv6. Packets "
	    "that come while the prompt waits (the peer's FIN, a reset) are "
	    "shown as [wire] notices. After a call that can send, sockrepl "
	    "reads the capture until it has been quiet for 4 ms (at most "
	    "40 ms), so a peer's quick answer shows under the call; a later "
	    "one shows before the next call. wire alone says whether it is on "
	    "and the filter in use; wire off stops it. Capturing needs the "
	    "CAP_NET_RAW capability: run as root, or grant it with setcap "
	    "cap_net_raw+ep on the program. -w on the command line is wire on. "
	    "UNIX sockets send no packets, so they show none."
};

const struct name diagram_forms[] = {
	{ "text", DIAGRAM_TEXT },
	{ "svg", DIAGRAM_SVG },
	{ "mermaid", DIAGRAM_MERMAID },
	{ NULL, 0 }
};

static enum cmd_retval
cmd_diagram_exec(struct cmd_ctx *ctx)
{
	const struct name	*n;
	struct buf		 out = { 0 };
	const char		*path = NULL;
	enum diagram_form	 f = DIAGRAM_TEXT;

	if (ctx->argc > 0) {
		for (n = diagram_forms; n->name != NULL; n++)
			if (strcmp(n->name, ctx->argv[0].s) == 0)
				break;
		if (n->name == NULL) {
			diag("diagram: \"%s\" is not a form (text, svg or "
			    "mermaid)", printable(ctx->argv[0].s));
			return CMD_ERROR;
		}
		f = (enum diagram_form)n->value;
	}
	if (ctx->argc > 1) {
		path = ctx->argv[1].s;
		if (ctx->argv[1].len == 0 || memchr(path, '\0',
		    ctx->argv[1].len) != NULL) {
			diag("diagram: \"%s\" is not a file name",
			    printable(path));
			return CMD_ERROR;
		}
	}
	diagram_write(&out, f);
	if (out.len == 0 && f == DIAGRAM_TEXT) {
		result("diagram: nothing to draw yet (no socket has been made)");
		return CMD_OK;
	}
	if (out_save("diagram", &out, path) != 0)
		return CMD_ERROR;
	if (path == NULL)
		return CMD_OK;
	result("diagram: %s written to %s", diagram_forms[f].name,
	    printable(path));
	return CMD_OK;
}

const struct cmd_entry cmd_diagram_entry = {
	.name = "diagram",
	.group = GROUP_SESSION,
	.usage = "[text|svg|mermaid] [FILE]",
	.minargs = 0,
	.maxargs = 2,
	.flags = CMD_KEEPOUTCOME,
	.args = { ARG_DIAGRAM, ARG_PATH },
	.summary = "draw the session so far as a ladder diagram: text, SVG or "
	    "Mermaid",
	.exec = cmd_diagram_exec,
	.help = "Draws the session so far as a ladder (sequence) diagram: one "
	    "column per socket, headed by its fd and address, the calls on "
	    "their column (* a call, X a close), data as arrows (===>) from "
	    "the sender to the receiving socket and, with the wire on, the "
	    "packets as arrows (--->) between the sockets, in time order. A "
	    "peer that is not one of the session's sockets gets a column of "
	    "its own. diagram alone prints it on the terminal; diagram svg FILE "
	    "writes an SVG picture a browser shows, diagram mermaid FILE a "
	    "Mermaid sequence diagram (for Markdown pages); with no FILE they "
	    "are printed. Without the wire, the two ends of a TCP connection "
	    "are matched by address when sockrepl knows both, else in the "
	    "order of connects and accepts. At most 12 columns are drawn as "
	    "text, 40 as SVG or Mermaid (the sockets with the latest events; "
	    "a last line says what was left out). It keeps the latest 20000 "
	    "calls and packets: in a longer session, a line above the first "
	    "row says how many earlier ones are not shown."
};
