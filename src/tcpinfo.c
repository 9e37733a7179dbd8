/*
 * struct tcp_info, as getsockopt TCP_INFO fills it: the kernel's TCP state
 * by name, and every field by name. The kernel fills as much of the struct
 * as it knows and says how much (optlen), so a field past that length is
 * left out rather than shown as 0: an older kernel simply has fewer.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <linux/tcp.h>

#include <stddef.h>
#include <string.h>

#include "sockrepl.h"

/* The kernel's numbering (include/net/tcp_states.h). */
static const char *const state_names[] = {
	[1] = "ESTABLISHED",
	[2] = "SYN_SENT",
	[3] = "SYN_RECV",
	[4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2",
	[6] = "TIME_WAIT",
	[7] = "CLOSE",
	[8] = "CLOSE_WAIT",
	[9] = "LAST_ACK",
	[10] = "LISTEN",
	[11] = "CLOSING",
	[12] = "NEW_SYN_RECV",
};

/* What each state means for the person at the prompt. */
static const char *const state_meanings[] = {
	[1] = "the connection is open both ways",
	[2] = "our SYN is sent; waiting for the peer's SYN-ACK",
	[3] = "the peer's SYN came and our SYN-ACK went; waiting for its ACK",
	[4] = "we closed (or shut down writing); our FIN is not yet "
	    "acknowledged",
	[5] = "our FIN is acknowledged; waiting for the peer to close its end",
	[6] = "both ends closed; the kernel keeps the connection about a "
	    "minute so late segments do no harm",
	[7] = "no connection",
	[8] = "the peer closed its end (recv returns 0); the connection stays "
	    "here until you close",
	[9] = "the peer closed first and so did we; waiting for the ACK of our "
	    "FIN",
	[10] = "waiting for connections; completed ones wait in the accept "
	    "queue until accept",
	[11] = "both ends closed at once; waiting for the ACK of our FIN",
	[12] = "a connection request, not yet complete",
};

#define NSTATES	(int)(sizeof state_names / sizeof state_names[0])

/* The state's name, "ESTABLISHED"; "?" for a number not known. */
const char *
tcp_state_name(int st)
{
	if (st <= 0 || st >= NSTATES || state_names[st] == NULL)
		return "?";
	return state_names[st];
}

/* One line saying what the state means, or "" for none. */
const char *
tcp_state_meaning(int st)
{
	if (st <= 0 || st >= NSTATES || state_meanings[st] == NULL)
		return "";
	return state_meanings[st];
}

static const char *const ca_names[] = {
	"TCP_CA_Open", "TCP_CA_Disorder", "TCP_CA_CWR", "TCP_CA_Recovery",
	"TCP_CA_Loss",
};

/* The fields after the bytes of flags, in the struct's order. */
struct tifield {
	const char	*name;
	size_t		 off;
	size_t		 size;
	const char	*unit;
};
#define TF(f, u)	{ #f, offsetof(struct tcp_info, f), \
			  sizeof(((struct tcp_info *)0)->f), u }
static const struct tifield fields[] = {
	TF(tcpi_retransmits, NULL),
	TF(tcpi_probes, NULL),
	TF(tcpi_backoff, NULL),
	TF(tcpi_rto, "us"),
	TF(tcpi_ato, "us"),
	TF(tcpi_snd_mss, "bytes"),
	TF(tcpi_rcv_mss, "bytes"),
	TF(tcpi_unacked, NULL),
	TF(tcpi_sacked, NULL),
	TF(tcpi_lost, NULL),
	TF(tcpi_retrans, NULL),
	TF(tcpi_fackets, NULL),
	TF(tcpi_last_data_sent, "ms"),
	TF(tcpi_last_ack_sent, "ms"),
	TF(tcpi_last_data_recv, "ms"),
	TF(tcpi_last_ack_recv, "ms"),
	TF(tcpi_pmtu, "bytes"),
	TF(tcpi_rcv_ssthresh, "bytes"),
	TF(tcpi_rtt, "us"),
	TF(tcpi_rttvar, "us"),
	TF(tcpi_snd_ssthresh, "segments"),
	TF(tcpi_snd_cwnd, "segments"),
	TF(tcpi_advmss, "bytes"),
	TF(tcpi_reordering, NULL),
	TF(tcpi_rcv_rtt, "us"),
	TF(tcpi_rcv_space, "bytes"),
	TF(tcpi_total_retrans, NULL),
	TF(tcpi_pacing_rate, "bytes/s"),
	TF(tcpi_max_pacing_rate, "bytes/s"),
	TF(tcpi_bytes_acked, "bytes"),
	TF(tcpi_bytes_received, "bytes"),
	TF(tcpi_segs_out, NULL),
	TF(tcpi_segs_in, NULL),
	TF(tcpi_notsent_bytes, "bytes"),
	TF(tcpi_min_rtt, "us"),
	TF(tcpi_data_segs_in, NULL),
	TF(tcpi_data_segs_out, NULL),
	TF(tcpi_delivery_rate, "bytes/s"),
	TF(tcpi_busy_time, "us"),
	TF(tcpi_rwnd_limited, "us"),
	TF(tcpi_sndbuf_limited, "us"),
	TF(tcpi_delivered, NULL),
	TF(tcpi_delivered_ce, NULL),
	TF(tcpi_bytes_sent, "bytes"),
	TF(tcpi_bytes_retrans, "bytes"),
	TF(tcpi_dsack_dups, NULL),
	TF(tcpi_reord_seen, NULL),
	TF(tcpi_rcv_ooopack, NULL),
	TF(tcpi_snd_wnd, "bytes"),
};
#undef TF

static unsigned long long
field_value(const unsigned char *p, const struct tifield *f)
{
	uint8_t		u8;
	uint32_t	u32;
	uint64_t	u64;

	switch (f->size) {
	case 1:
		memcpy(&u8, p + f->off, 1);
		return u8;
	case 4:
		memcpy(&u32, p + f->off, 4);
		return u32;
	default:
		memcpy(&u64, p + f->off, 8);
		return u64;
	}
}

static void
options_format(struct buf *b, const struct tcp_info *ti)
{
	int	n = 0;

#define OPT(bit, s)	if (ti->tcpi_options & (bit)) \
			    buf_printf(b, "%s%s", n++ ? "|" : "", s)
	OPT(TCPI_OPT_TIMESTAMPS, "TCPI_OPT_TIMESTAMPS");
	OPT(TCPI_OPT_SACK, "TCPI_OPT_SACK");
	OPT(TCPI_OPT_WSCALE, "TCPI_OPT_WSCALE");
	OPT(TCPI_OPT_ECN, "TCPI_OPT_ECN");
	OPT(TCPI_OPT_ECN_SEEN, "TCPI_OPT_ECN_SEEN");
	OPT(TCPI_OPT_SYN_DATA, "TCPI_OPT_SYN_DATA");
#undef OPT
	if (n == 0)
		buf_addc(b, '0');
}

/*
 * The trace's short form, as strace abbreviates a large struct:
 * "{tcpi_state=TCP_ESTABLISHED, tcpi_rtt=51, tcpi_snd_cwnd=10, ...}".
 */
void
tcpinfo_brief(struct buf *b, const void *p, size_t len)
{
	struct tcp_info	ti;

	memset(&ti, 0, sizeof ti);
	memcpy(&ti, p, len < sizeof ti ? len : sizeof ti);
	if (len < offsetof(struct tcp_info, tcpi_rtt) + 8) {
		buf_printf(b, "{tcpi_state=TCP_%s, ...}",
		    tcp_state_name(ti.tcpi_state));
		return;
	}
	buf_printf(b, "{tcpi_state=TCP_%s, tcpi_rtt=%u, tcpi_snd_cwnd=%u, ...}",
	    tcp_state_name(ti.tcpi_state), ti.tcpi_rtt, ti.tcpi_snd_cwnd);
}

/*
 * Every field the kernel filled, one per line by name, as results (so -q
 * shows them): getsockopt TCP_INFO.
 */
void
tcpinfo_fields(const void *p, size_t len)
{
	const unsigned char	*u = p;
	struct tcp_info		 ti;
	struct buf		 b = { 0 };
	size_t			 i;

	memset(&ti, 0, sizeof ti);
	memcpy(&ti, p, len < sizeof ti ? len : sizeof ti);
	if (len < 8)
		return;
	result("tcpi_state = %u (TCP_%s)", ti.tcpi_state,
	    tcp_state_name(ti.tcpi_state));
	result("tcpi_ca_state = %u (%s)", ti.tcpi_ca_state,
	    ti.tcpi_ca_state < 5 ? ca_names[ti.tcpi_ca_state] : "?");
	options_format(&b, &ti);
	result("tcpi_options = %s", buf_str(&b));
	buf_free(&b);
	result("tcpi_snd_wscale = %u", ti.tcpi_snd_wscale);
	result("tcpi_rcv_wscale = %u", ti.tcpi_rcv_wscale);
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (fields[i].off + fields[i].size > len)
			break;
		if (fields[i].unit != NULL)
			result("%s = %llu (%s)", fields[i].name,
			    field_value(u, &fields[i]), fields[i].unit);
		else
			result("%s = %llu", fields[i].name,
			    field_value(u, &fields[i]));
	}
}
