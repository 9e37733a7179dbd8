/*
 * Reading a captured packet for the wire view (wire.c): the IPv4 or IPv6
 * header, then TCP, UDP or an ICMP error with the header it quotes, and
 * the short tcpdump-like text of a TCP segment, "[S.] seq 0 ack 1 win
 * 65483 <mss 65495,sackOK,ts,wscale 7>", with sequence numbers relative
 * to each direction's first one, as tcpdump shows them. No libpcap here:
 * this part takes bytes and is built with or without it.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <string.h>

#include "sockrepl.h"

static uint16_t
get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The IP header at p: addresses, protocol; returns its length or -1. */
static int
ip_header(const unsigned char *p, size_t n, int *family, int *proto,
    struct waddr *src, struct waddr *dst, size_t *total)
{
	size_t	hl;

	if (n < 1)
		return -1;
	memset(src, 0, sizeof *src);
	memset(dst, 0, sizeof *dst);
	if ((p[0] >> 4) == 4) {
		hl = (size_t)(p[0] & 0x0f) * 4;
		if (n < 20 || hl < 20 || hl > n)
			return -1;
		/* A fragment after the first has no transport header. */
		if ((get16(p + 6) & 0x1fff) != 0)
			return -1;
		*family = src->family = dst->family = AF_INET;
		*proto = p[9];
		memcpy(src->ip, p + 12, 4);
		memcpy(dst->ip, p + 16, 4);
		*total = get16(p + 2);
		return (int)hl;
	}
	if ((p[0] >> 4) == 6) {
		if (n < 40)
			return -1;
		*family = src->family = dst->family = AF_INET6;
		/* Extension headers are rare on loopback: not followed. */
		*proto = p[6];
		memcpy(src->ip, p + 8, 16);
		memcpy(dst->ip, p + 24, 16);
		*total = 40 + (size_t)get16(p + 4);
		return 40;
	}
	return -1;
}

static void
tcp_options(struct wpkt *w, const unsigned char *o, size_t n)
{
	struct buf	b = { 0 };
	size_t		i = 0, len;

	while (i < n) {
		if (o[i] == 0)
			break;
		if (o[i] == 1) {
			i++;
			continue;
		}
		if (i + 1 >= n || (len = o[i + 1]) < 2 || i + len > n)
			break;
		if (b.len > 0)
			buf_addc(&b, ',');
		switch (o[i]) {
		case 2:
			if (len == 4)
				buf_printf(&b, "mss %u", get16(o + i + 2));
			break;
		case 3:
			if (len == 3) {
				w->wscale = o[i + 2];
				buf_printf(&b, "wscale %u", o[i + 2]);
			}
			break;
		case 4:
			buf_adds(&b, "sackOK");
			break;
		case 5:
			buf_printf(&b, "sack %zu", (len - 2) / 8);
			break;
		case 8:
			buf_adds(&b, "ts");
			break;
		default:
			buf_printf(&b, "opt-%u", o[i]);
		}
		i += len;
	}
	if (b.len > 0)
		snprintf(w->opts, sizeof w->opts, "%s", buf_str(&b));
	buf_free(&b);
}

/* The transport header at p (n bytes captured, total on the wire). */
static int
transport(struct wpkt *w, const unsigned char *p, size_t n, size_t total)
{
	size_t	hl;

	switch (w->proto) {
	case IPPROTO_TCP:
		if (n < 20 || (hl = (size_t)(p[12] >> 4) * 4) < 20 || hl > n)
			return -1;
		w->src.port = get16(p);
		w->dst.port = get16(p + 2);
		w->seq = get32(p + 4);
		w->ack = get32(p + 8);
		w->flags = p[13];
		w->win = get16(p + 14);
		tcp_options(w, p + 20, hl - 20);
		w->paylen = total > hl ? total - hl : 0;
		w->pay = p + hl;
		w->caplen = n - hl;
		return 0;
	case IPPROTO_UDP:
		if (n < 8)
			return -1;
		w->src.port = get16(p);
		w->dst.port = get16(p + 2);
		w->paylen = get16(p + 4) >= 8 ? get16(p + 4) - 8u : 0;
		w->pay = p + 8;
		w->caplen = n - 8;
		return 0;
	default:
		return -1;
	}
}

/*
 * An ICMP or ICMPv6 error: its type and code, and the addresses and ports
 * of the datagram it quotes, which name the socket it is for.
 */
static int
icmp_error(struct wpkt *w, const unsigned char *p, size_t n)
{
	struct wpkt	q;
	size_t		qtotal;
	int		hl, fam;

	if (n < 8)
		return -1;
	w->itype = p[0];
	w->icode = p[1];
	memset(&q, 0, sizeof q);
	if ((hl = ip_header(p + 8, n - 8, &fam, &q.proto, &q.src, &q.dst,
	    &qtotal)) < 0)
		return 0;	/* nothing quoted: shown by type alone */
	if (n - 8 - (size_t)hl >= 4) {
		q.src.port = get16(p + 8 + hl);
		q.dst.port = get16(p + 8 + hl + 2);
		w->quoted = 1;
		w->qproto = q.proto;
		w->qsrc = q.src;
		w->qdst = q.dst;
	}
	return 0;
}

/*
 * Decode the IP packet at p (caplen bytes captured). Returns 0 with w
 * filled, or -1 for a packet the wire view does not show.
 */
int
wire_decode(const unsigned char *p, size_t caplen, struct wpkt *w)
{
	size_t	total;
	int	hl;

	memset(w, 0, sizeof *w);
	w->wscale = -1;
	if ((hl = ip_header(p, caplen, &w->family, &w->proto, &w->src, &w->dst,
	    &total)) < 0)
		return -1;
	if (total < (size_t)hl)
		total = (size_t)hl;
	if (w->proto == IPPROTO_ICMP || w->proto == IPPROTO_ICMPV6)
		return icmp_error(w, p + hl, caplen - (size_t)hl);
	return transport(w, p + hl, caplen - (size_t)hl, total - (size_t)hl);
}

/* ---- relative sequence numbers, per connection and direction ---- */

struct flow {
	struct waddr	 a, b;		/* a sent first */
	uint32_t	 base[2];	/* [0]: a's first seq, [1]: b's */
	int		 have[2];
	int		 ws[2];		/* window scale from the SYNs, -1 */
	uint64_t	 used;		/* for replacing the oldest */
};
#define NFLOWS	256
static struct flow	flows[NFLOWS];
static uint64_t		flow_clock;

int
waddr_eq(const struct waddr *x, const struct waddr *y)
{
	size_t	n = x->family == AF_INET6 ? 16 : 4;

	return x->family == y->family && x->port == y->port &&
	    memcmp(x->ip, y->ip, n) == 0;
}

/* The flow of w and which way it goes (0: a to b). */
static struct flow *
flow_of(const struct wpkt *w, int *dir)
{
	struct flow	*f, *old = &flows[0];
	int		 i;

	for (i = 0; i < NFLOWS; i++) {
		f = &flows[i];
		if (f->used == 0) {
			old = f;
			break;
		}
		if (waddr_eq(&f->a, &w->src) && waddr_eq(&f->b, &w->dst)) {
			*dir = 0;
			f->used = ++flow_clock;
			return f;
		}
		if (waddr_eq(&f->b, &w->src) && waddr_eq(&f->a, &w->dst)) {
			*dir = 1;
			f->used = ++flow_clock;
			return f;
		}
		if (f->used < old->used)
			old = f;
	}
	memset(old, 0, sizeof *old);
	old->a = w->src;
	old->b = w->dst;
	old->ws[0] = old->ws[1] = -1;
	old->used = ++flow_clock;
	*dir = 0;
	return old;
}

/* Forget every connection's numbers (wire off). */
void
wire_flows_reset(void)
{
	memset(flows, 0, sizeof flows);
}

/* The flags as tcpdump writes them, by bit; ACK (0x10) is the "." after. */
static const char tcp_flag_chars[] = "FSRP.UEW";

/*
 * The text of TCP segment w, without its direction: flags as tcpdump
 * writes them ("S.", "P.", "F.", "R"; "." is ACK), relative seq and ack,
 * the window in bytes (scaled once both SYNs offered scaling), options,
 * the payload's length and first bytes.
 */
void
wire_tcp_text(struct buf *b, const struct wpkt *w)
{
	struct flow	*f;
	uint32_t	 seq, ack;
	unsigned long	 win;
	int		 dir, i, syn = w->flags & 0x02;

	f = flow_of(w, &dir);
	if (syn && !(w->flags & 0x10)) {
		/* A new SYN starts the connection's numbers again. */
		f->have[0] = f->have[1] = 0;
		f->ws[0] = f->ws[1] = -1;
	}
	if (!f->have[dir] || syn) {
		f->base[dir] = w->seq;
		f->have[dir] = 1;
		if (syn)
			f->ws[dir] = w->wscale;
	}
	seq = w->seq - f->base[dir];
	ack = f->have[!dir] ? w->ack - f->base[!dir] : w->ack;
	buf_addc(b, '[');
	for (i = 0; tcp_flag_chars[i] != '\0'; i++)
		if (i != 4 && (w->flags & (1 << i)))
			buf_addc(b, tcp_flag_chars[i]);
	if (w->flags & 0x10)
		buf_addc(b, '.');
	buf_addc(b, ']');
	if (w->paylen > 0)
		buf_printf(b, " seq %u:%u", seq, seq + (uint32_t)w->paylen);
	else if (w->flags & 0x07)
		buf_printf(b, " seq %u", seq);
	if (w->flags & 0x10)
		buf_printf(b, " ack %u", ack);
	win = w->win;
	if (!syn && f->ws[0] >= 0 && f->ws[1] >= 0)
		win <<= f->ws[dir];
	buf_printf(b, " win %lu", win);
	/* Timestamps ride on every segment: named on the SYNs only. */
	if (w->opts[0] != '\0' && (syn || strcmp(w->opts, "ts") != 0))
		buf_printf(b, " <%s>", w->opts);
	if (w->paylen > 0)
		wire_payload(b, w);
}

/* " len N "first bytes"...": a payload's size and how it starts. */
void
wire_payload(struct buf *b, const struct wpkt *w)
{
	size_t	n = w->caplen < w->paylen ? w->caplen : w->paylen;

	buf_printf(b, " len %zu", w->paylen);
	if (n > WIRE_SHOWN)
		n = WIRE_SHOWN;
	if (n == 0)
		return;
	buf_addc(b, ' ');
	buf_addc(b, '"');
	escape_bytes(b, w->pay, n);
	buf_addc(b, '"');
	if (n < w->paylen)
		buf_adds(b, "...");
}
