/*
 * The wire view: the session's own packets on the loopback interface,
 * captured with libpcap and shown under the call that caused them.
 *
 * An observer of the call layer. It keeps the endpoints of the session's
 * TCP and UDP sockets (local address, peer, fd), asks the kernel for only
 * their ports with a BPF filter (pcap_compile), and after each call reads
 * what the capture holds, names each end by its fd when the socket is the
 * session's, and prints one line per packet, indented under the call's
 * trace line. Packets that come while the prompt waits are notices.
 *
 * Timing: on loopback the kernel delivers a segment to the receiving
 * socket inside the sender's system call, so the handshake under connect
 * or the FIN and its ACK under close are in the capture when the call
 * returns (immediate mode: no buffering in the ring). What a peer in
 * another process sends in answer comes when that process runs, mostly
 * well under a millisecond later. So after a call that can put something
 * on the wire, the capture is read until it has been quiet for QUIET_MS,
 * at most MAX_MS in all; after other calls, only what is there already.
 * Anything later shows under the next call, or as a notice at the prompt.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_PCAP
#include <pcap/pcap.h>
#endif

#include "sockrepl.h"

int	wire_on;

#if FEATURE_PCAP

#define QUIET_MS	4	/* read until quiet this long ... */
#define MAX_MS		40	/* ... but no longer than this */
#define KEEP_CLOSED	60.0	/* seconds a closed socket's ports stay */
#define MAX_PORTS	64	/* more: capture all TCP and UDP, sort here */
#define SNAPLEN		256	/* headers and the first bytes */

/* A socket of the session, as the wire sees it. */
struct wend {
	uint64_t	 seq;
	int		 fd;
	int		 type;		/* SOCK_STREAM or SOCK_DGRAM */
	struct waddr	 local;		/* port 0: not known yet */
	struct waddr	 peer;		/* port 0: none */
	double		 closed;	/* when it was closed; 0: open */
};

static struct wend	*ends;
static size_t		 nends, ends_cap;
static pcap_t		*pc;
static int		 linktype;
static struct buf	 filter;	/* the BPF filter in force */
static int		 ports_changed;
static struct buf	 pending;	/* lines not shown yet */

/* Ports addressed by connect or sendto: the answer comes from them. */
struct target {
	uint16_t	 port;
	double		 when;
};
static struct target	 targets[32];

static uint16_t
be16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A struct addr as the wire's address; v4-mapped IPv6 as IPv4. */
static void
waddr_from(struct waddr *w, const struct addr *a)
{
	const struct sockaddr_in	*s4;
	const struct sockaddr_in6	*s6;
	static const unsigned char	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0, 0xff, 0xff };

	memset(w, 0, sizeof *w);
	if (a->len == 0)
		return;
	if (a->ss.ss_family == AF_INET) {
		s4 = (const struct sockaddr_in *)&a->ss;
		w->family = AF_INET;
		memcpy(w->ip, &s4->sin_addr, 4);
		w->port = ntohs(s4->sin_port);
	} else if (a->ss.ss_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)&a->ss;
		w->port = ntohs(s6->sin6_port);
		if (memcmp(&s6->sin6_addr, mapped, 12) == 0) {
			w->family = AF_INET;
			memcpy(w->ip, (const unsigned char *)&s6->sin6_addr + 12,
			    4);
		} else {
			w->family = AF_INET6;
			memcpy(w->ip, &s6->sin6_addr, 16);
		}
	}
}

/* 127.0.0.1:6565 or [::1]:6565 (or without the port). */
static void
waddr_format(struct buf *b, const struct waddr *w, int with_port)
{
	struct addr		a;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&a.ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&a.ss;
	struct buf		t = { 0 };
	char			*colon;

	memset(&a, 0, sizeof a);
	if (w->family == AF_INET) {
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, w->ip, 4);
		s4->sin_port = htons(w->port);
		a.len = sizeof *s4;
	} else {
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, w->ip, 16);
		s6->sin6_port = htons(w->port);
		a.len = sizeof *s6;
	}
	addr_format_short(&t, (struct sockaddr *)&a.ss, a.len);
	if (!with_port && (colon = strrchr(t.data, ':')) != NULL) {
		t.len = (size_t)(colon - t.data);
		if (w->family == AF_INET6 && t.len > 2) {
			buf_add(b, t.data + 1, t.len - 2);
			buf_free(&t);
			return;
		}
	}
	buf_add(b, t.data, t.len);
	buf_free(&t);
}

static int
is_inet(int family, int type)
{
	return (family == AF_INET || family == AF_INET6) &&
	    (type == SOCK_STREAM || type == SOCK_DGRAM);
}

static struct wend *
end_by_seq(uint64_t seq)
{
	size_t	i;

	for (i = nends; i-- > 0;)
		if (ends[i].seq == seq)
			return &ends[i];
	return NULL;
}

static struct wend *
end_add(uint64_t seq, int fd, int type)
{
	struct wend	*e;

	if ((e = end_by_seq(seq)) != NULL)
		return e;
	if (nends == ends_cap) {
		ends_cap = ends_cap ? ends_cap * 2 : 16;
		if ((ends = reallocarray(ends, ends_cap, sizeof *ends)) == NULL)
			abort();
	}
	e = &ends[nends++];
	memset(e, 0, sizeof *e);
	e->seq = seq;
	e->fd = fd;
	e->type = type;
	ports_changed = 1;
	return e;
}

/* Ask the kernel the socket's addresses (behind the user's back, -v). */
static void
end_learn(struct wend *e, struct sock *sk, int peer_too)
{
	struct addr	a;
	struct waddr	w;

	if (sk == NULL)
		return;
	if (call_getname(sk, 0, &a, CF_BEHIND) == 0) {
		waddr_from(&w, &a);
		if (w.port != e->local.port)
			ports_changed = 1;
		if (w.port != 0 || e->local.port == 0)
			e->local = w;
	}
	if (peer_too && call_getname(sk, 1, &a, CF_BEHIND) == 0) {
		waddr_from(&w, &a);
		if (w.port != e->peer.port)
			ports_changed = 1;
		e->peer = w;
	}
}

/* Does the captured end x belong to socket e (whose other end is y)? */
static int
end_score(const struct wend *e, const struct waddr *x, const struct waddr *y,
    int type)
{
	static const unsigned char zero[16];
	int	local_ok, peer_ok;

	if (e->type != type)
		return 0;
	/* A socket bound to :: takes IPv4 too (v4-mapped), unless V6ONLY. */
	local_ok = e->local.port == x->port &&
	    ((e->local.family == x->family && (memcmp(e->local.ip, zero,
	    16) == 0 || memcmp(e->local.ip, x->ip, 16) == 0)) ||
	    (e->local.family == AF_INET6 && memcmp(e->local.ip, zero,
	    16) == 0));
	peer_ok = e->peer.port != 0 && waddr_eq(&e->peer, y);
	if (local_ok && peer_ok)
		return 3;
	if (local_ok && e->peer.port == 0)
		return 2;
	if (e->local.port == 0 && peer_ok)
		return 1;
	return 0;
}

/* The session's socket at end x of a packet to or from y, or NULL. */
static struct wend *
end_match(const struct waddr *x, const struct waddr *y, int proto)
{
	struct wend	*best = NULL;
	size_t		 i;
	int		 s, bs = 0, type;

	type = proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	for (i = 0; i < nends; i++) {
		s = end_score(&ends[i], x, y, type) * 2 +
		    (ends[i].closed == 0);
		if (s > 1 && s >= bs) {
			bs = s;
			best = &ends[i];
		}
	}
	return best;
}

/* An end's name: its fd, or its address when it is not the session's. */
static void
end_name(struct buf *b, const struct wend *e, const struct waddr *w)
{
	if (e != NULL)
		buf_printf(b, "%d", e->fd);
	else
		waddr_format(b, w, w->port != 0);
}

/* Seconds on the monotonic clock, for how long ports are kept. */
static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
icmp_name(const struct wpkt *w)
{
	if (w->proto == IPPROTO_ICMP && w->itype == 3) {
		switch (w->icode) {
		case 0: return "net unreachable";
		case 1: return "host unreachable";
		case 2: return "protocol unreachable";
		case 3: return "port unreachable";
		case 4: return "fragmentation needed";
		}
		return "unreachable";
	}
	if (w->proto == IPPROTO_ICMPV6 && w->itype == 1)
		return w->icode == 4 ? "port unreachable" : "unreachable";
	if (w->proto == IPPROTO_ICMP && w->itype == 11)
		return "time exceeded";
	if (w->proto == IPPROTO_ICMPV6 && w->itype == 3)
		return "time exceeded";
	if (w->proto == IPPROTO_ICMPV6 && w->itype == 2)
		return "packet too big";
	return NULL;
}

/*
 * One captured packet: if it is the session's, its line goes to pending
 * and its arrow to the diagram.
 */
static void
take(const struct wpkt *w)
{
	struct wend	*from, *to;
	struct buf	 text = { 0 }, line = { 0 }, fn = { 0 }, tn = { 0 };
	const char	*what;

	if (w->proto == IPPROTO_ICMP || w->proto == IPPROTO_ICMPV6) {
		/* An error is for the socket that sent what it quotes. */
		if (!w->quoted || (what = icmp_name(w)) == NULL ||
		    (w->qproto != IPPROTO_UDP && w->qproto != IPPROTO_TCP) ||
		    (to = end_match(&w->qsrc, &w->qdst, w->qproto)) == NULL)
			return;
		from = NULL;
		buf_printf(&text, "%s %s (%s to ", w->proto == IPPROTO_ICMP ?
		    "ICMP" : "ICMP6", what, w->qproto == IPPROTO_UDP ? "UDP" :
		    "TCP");
		waddr_format(&text, &w->qdst, 1);
		buf_addc(&text, ')');
		waddr_format(&fn, &w->src, 0);
	} else {
		from = end_match(&w->src, &w->dst, w->proto);
		to = end_match(&w->dst, &w->src, w->proto);
		if (from == NULL && to == NULL)
			return;
		if (w->proto == IPPROTO_TCP)
			wire_tcp_text(&text, w);
		else {
			buf_adds(&text, "UDP");
			wire_payload(&text, w);
		}
		end_name(&fn, from, &w->src);
	}
	end_name(&tn, to, &w->dst);
	buf_printf(&line, "  %s -> %s  %s\n", buf_str(&fn), buf_str(&tn),
	    buf_str(&text));
	buf_add(&pending, line.data, line.len);
	diagram_segment(from != NULL ? from->seq : 0, buf_str(&fn),
	    to != NULL ? to->seq : 0, buf_str(&tn), buf_str(&text));
	buf_free(&text);
	buf_free(&line);
	buf_free(&fn);
	buf_free(&tn);
}

/* Where the IP header starts in a frame of the capture's link type. */
static int
link_skip(const unsigned char *p, size_t n)
{
	switch (linktype) {
	case DLT_EN10MB:
		return n >= 14 && (be16(p + 12) == 0x0800 ||
		    be16(p + 12) == 0x86dd) ? 14 : -1;
	case DLT_LINUX_SLL:
		return n >= 16 ? 16 : -1;
	case DLT_NULL:
	case DLT_LOOP:
		return n >= 4 ? 4 : -1;
	case DLT_RAW:
		return 0;
	default:
		return -1;
	}
}

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *p)
{
	struct wpkt	w;
	int		skip;

	(void)user;
	if ((skip = link_skip(p, h->caplen)) < 0 ||
	    wire_decode(p + skip, h->caplen - (size_t)skip, &w) != 0)
		return;
	take(&w);
}

static double
ms_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * Read the capture: what is there now, or (quiet > 0) until nothing has
 * come for quiet ms, for at most max ms.
 */
static void
drain(int quiet, int max)
{
	struct pollfd	pfd;
	double		start = ms_now(), last = start, now;
	int		n, left;

	pfd.fd = pcap_get_selectable_fd(pc);
	pfd.events = POLLIN;
	for (;;) {
		if ((n = pcap_dispatch(pc, -1, on_packet, NULL)) > 0)
			last = ms_now();
		if (n < 0 || quiet <= 0)
			return;
		now = ms_now();
		left = (int)(last + quiet - now + 0.999);
		if (now - start + left > max)
			left = (int)(start + max - now + 0.999);
		if (left <= 0 || pfd.fd < 0)
			return;
		if (n == 0 && poll(&pfd, 1, left) == 0 &&
		    ms_now() - last >= quiet)
			return;
	}
}

static int
port_cmp(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void
port_add(uint16_t *v, size_t *n, uint16_t p)
{
	if (p != 0 && *n < MAX_PORTS + 1)
		v[(*n)++] = p;
}

/* The filter for the ports in use now; forget what is long closed. */
static void
filter_text(struct buf *b)
{
	uint16_t	 v[MAX_PORTS + 1];
	size_t		 n = 0, i, j = 0;
	double		 now = now_s();

	for (i = 0; i < nends; i++) {
		if (ends[i].closed != 0 && now - ends[i].closed > KEEP_CLOSED)
			continue;
		ends[j++] = ends[i];
		port_add(v, &n, ends[i].local.port);
		port_add(v, &n, ends[i].peer.port);
	}
	nends = j;
	for (i = 0; i < sizeof targets / sizeof targets[0]; i++)
		if (targets[i].port != 0 && now - targets[i].when <= KEEP_CLOSED)
			port_add(v, &n, targets[i].port);
	buf_reset(b);
	if (n > MAX_PORTS) {
		/* Too many for a short filter: sort them out here instead. */
		buf_adds(b, "tcp or udp or icmp or icmp6");
		return;
	}
	qsort(v, n, sizeof v[0], port_cmp);
	buf_adds(b, "icmp or icmp6");
	for (i = 0; i < n; i++) {
		if (i > 0 && v[i] == v[i - 1])
			continue;
		buf_printf(b, i == 0 ? " or ((tcp or udp) and (port %u" :
		    " or port %u", v[i]);
	}
	if (n > 0)
		buf_adds(b, "))");
}

/* Install the filter for the ports now in use, if it changed. */
static void
refilter(void)
{
	struct bpf_program	prog;
	struct buf		b = { 0 };

	ports_changed = 0;
	filter_text(&b);
	if (filter.len == b.len && memcmp(filter.data, b.data, b.len) == 0) {
		buf_free(&b);
		return;
	}
	if (pcap_compile(pc, &prog, buf_str(&b), 1,
	    PCAP_NETMASK_UNKNOWN) == 0) {
		if (pcap_setfilter(pc, &prog) == 0) {
			buf_reset(&filter);
			buf_add(&filter, b.data, b.len);
		}
		pcap_freecode(&prog);
	}
	buf_free(&b);
}

/* Print the lines waiting: under the trace, or into out (a notice). */
static void
flush_pending(struct buf *out)
{
	const char	*p, *nl;

	if (pending.len == 0)
		return;
	buf_str(&pending);
	for (p = pending.data; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		if (out != NULL)
			buf_printf(out, "%s[wire]%.*s%s\n", color(C_EVENT),
			    (int)(nl - p), p, color(C_RESET));
		else if (trace_capture != NULL)
			buf_printf(trace_capture, "%s%.*s%s\n", color(C_TRACE),
			    (int)(nl - p), p, color(C_RESET));
		else
			printf("%s%.*s%s\n", color(C_TRACE), (int)(nl - p), p,
			    color(C_RESET));
	}
	buf_reset(&pending);
}

/*
 * Can the call draw an answer from another process, so that it is worth
 * waiting for? Not when both ends are the session's: what they do, the
 * kernel has done before the call returned. A receive sends at most a
 * window update, at once.
 */
static int
may_answer(const struct call_rec *r)
{
	struct waddr	 to;
	struct wend	*e;
	size_t		 i;

	switch (r->call) {
	case CALL_CONNECT:
	case CALL_SEND:
	case CALL_SENDTO:
	case CALL_SHUTDOWN:
	case CALL_CLOSE:
		break;
	default:
		return 0;
	}
	if ((e = end_by_seq(r->seq)) == NULL)
		return 0;	/* not TCP or UDP: nothing on the wire */
	if (r->call == CALL_CONNECT || r->call == CALL_SENDTO)
		waddr_from(&to, &r->addr);
	else
		to = e->peer;
	if (to.port == 0)
		return 1;
	for (i = 0; i < nends; i++)
		if (&ends[i] != e && ends[i].closed == 0 &&
		    end_score(&ends[i], &to, &e->local, e->type) >= 2)
			return 0;
	return 1;
}

/* What the call tells about the socket's addresses. */
static void
learn(const struct call_rec *r)
{
	struct wend	*e;
	struct sock	*sk;

	switch (r->call) {
	case CALL_SOCKET:
		if (r->ret >= 0 && is_inet(r->family, r->type))
			end_add(r->seq, (int)r->ret, r->type);
		break;
	case CALL_ACCEPT:
		if (r->ret < 0 || !is_inet(r->snap.family, r->snap.type))
			break;
		e = end_add(r->new_seq, (int)r->ret, r->snap.type);
		waddr_from(&e->peer, &r->addr);
		end_learn(e, sock_get((int)r->ret), 0);
		break;
	case CALL_BIND:
	case CALL_LISTEN:
	case CALL_CONNECT:
	case CALL_SENDTO:
		if ((e = end_by_seq(r->seq)) == NULL)
			break;
		if (r->call == CALL_CONNECT && e->type == SOCK_STREAM) {
			waddr_from(&e->peer, &r->addr);
			ports_changed = 1;
		}
		sk = sock_get(r->fd);
		end_learn(e, sk != NULL && sk->seq == r->seq ? sk : NULL,
		    r->call == CALL_CONNECT && e->type == SOCK_DGRAM);
		break;
	case CALL_CLOSE:
		if ((e = end_by_seq(r->seq)) != NULL && e->closed == 0)
			e->closed = now_s();
		break;
	default:
		break;
	}
}

/* The observer: after each call of the user's, the packets it caused. */
void
wire_observe(const struct call_rec *r)
{
	if (!wire_on || (r->flags & (CF_BEHIND | CF_NOTMADE)))
		return;
	learn(r);
	if (ports_changed)
		refilter();
	if ((r->flags & CF_HIDDEN) || (r->flags & CF_NOCALL)) {
		/* A loop's hidden call: its packets go under the next shown. */
		drain(0, 0);
	} else {
		drain(may_answer(r) ? QUIET_MS : 0, MAX_MS);
		flush_pending(NULL);
	}
}

/*
 * Before each of the user's calls: what came since the last one (a peer's
 * late answer) is shown now, under the call before, not this one.
 */
void
wire_before(void)
{
	drain(0, 0);
	flush_pending(NULL);
}

/*
 * Before connect or sendto: the port addressed goes into the filter now,
 * so the first packet (a SYN to a closed port, a datagram) is caught.
 */
void
wire_target(const struct addr *a)
{
	struct waddr	w;
	size_t		i, old = 0;

	if (!wire_on)
		return;
	waddr_from(&w, a);
	if (w.port == 0)
		return;
	for (i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		if (targets[i].port == w.port) {
			targets[i].when = now_s();
			return;
		}
		if (targets[i].when < targets[old].when)
			old = i;
	}
	targets[old].port = w.port;
	targets[old].when = now_s();
	refilter();
}

/* The capture's descriptor for the prompt's poll, or -1. */
int
wire_fd(void)
{
	return wire_on ? pcap_get_selectable_fd(pc) : -1;
}

/* Packets that came while the prompt waited: notices into out. */
void
wire_idle(struct buf *out)
{
	if (!wire_on)
		return;
	drain(0, 0);
	flush_pending(out);
}

/* The program's own path, for the setcap advice. */
static void
self_path(char *p, size_t n)
{
	ssize_t	len;

	if ((len = readlink("/proc/self/exe", p, n - 1)) <= 0)
		snprintf(p, n, "sockrepl");
	else
		p[len] = '\0';
}

/*
 * pcap_activate, with the capture's socket far above the user's, so the
 * first socket is still fd 3: every free fd below fd_move_high's mark is
 * taken for the moment (socket(2) takes the lowest free fd, and libpcap
 * keeps the number it got). Returns what pcap_activate returns.
 */
static int
activate_high(void)
{
	int	 null, fd, high, r, *held, n = 0;

	if ((null = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
		return pcap_activate(pc);
	high = fd_move_high(null);
	if (high == null || (held = calloc((size_t)high, sizeof *held)) ==
	    NULL) {
		close(null);
		return pcap_activate(pc);
	}
	while ((fd = fcntl(high, F_DUPFD_CLOEXEC, 0)) >= 0 && fd < high)
		held[n++] = fd;
	if (fd >= 0)
		close(fd);
	r = pcap_activate(pc);
	while (n > 0)
		close(held[--n]);
	free(held);
	close(high);
	return r;
}

/*
 * Start capturing. Returns 0, or -1 with the reason in why (capture not
 * permitted: how to grant it).
 */
int
wire_start(struct buf *why)
{
	char		 ebuf[PCAP_ERRBUF_SIZE] = "", path[512];
	struct sock	*sk;
	struct wend	*e;
	int		 fd, r;

	if (wire_on)
		return 0;
	if ((pc = pcap_create("lo", ebuf)) == NULL) {
		buf_printf(why, "cannot capture on lo: %s", ebuf);
		return -1;
	}
	pcap_set_snaplen(pc, SNAPLEN);
	pcap_set_immediate_mode(pc, 1);
	pcap_set_timeout(pc, 1);
	if ((r = activate_high()) < 0) {
		if (r == PCAP_ERROR_PERM_DENIED) {
			self_path(path, sizeof path);
			buf_printf(why, "capturing packets is not permitted: it "
			    "needs the CAP_NET_RAW capability, which this process "
			    "does not have. Grant it to the program with "
			    "\"sudo setcap cap_net_raw+ep %s\", or run sockrepl "
			    "as root", path);
		} else
			buf_printf(why, "cannot capture on lo: %s",
			    pcap_geterr(pc));
		pcap_close(pc);
		pc = NULL;
		return -1;
	}
	if (pcap_setnonblock(pc, 1, ebuf) != 0) {
		buf_printf(why, "cannot capture on lo: %s", ebuf);
		pcap_close(pc);
		pc = NULL;
		return -1;
	}
	linktype = pcap_datalink(pc);
	wire_on = 1;
	/* The sockets made before: learn where they are. */
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		sk = sock_get(fd);
		if (!is_inet(sk->family, sk->type))
			continue;
		e = end_add(sk->seq, fd, sk->type);
		end_learn(e, sk, sk->state == ST_CONNECTED ||
		    sk->state == ST_CONNECTING);
	}
	buf_reset(&filter);
	refilter();
	return 0;
}

/* Stop capturing; what is waiting is shown first. */
void
wire_stop(int show)
{
	if (!wire_on)
		return;
	if (show) {
		drain(0, 0);
		flush_pending(NULL);
	}
	buf_reset(&pending);
	pcap_close(pc);
	pc = NULL;
	wire_on = 0;
	free(ends);
	ends = NULL;
	nends = ends_cap = 0;
	memset(targets, 0, sizeof targets);
	wire_flows_reset();
	buf_free(&filter);
	buf_free(&pending);
}

/* "on lo, filter ...", for wire alone. */
void
wire_status(struct buf *b)
{
	if (!wire_on) {
		buf_adds(b, "the wire view is off (wire on starts it)");
		return;
	}
	buf_printf(b, "the wire view is on: capturing on lo with the filter "
	    "\"%s\"", buf_str(&filter));
}

#else /* !FEATURE_PCAP */

int
wire_start(struct buf *why)
{
	buf_adds(why, WIRE_WITHOUT);
	return -1;
}

void
wire_stop(int show)
{
	(void)show;
}

void
wire_observe(const struct call_rec *r)
{
	(void)r;
}

void
wire_target(const struct addr *a)
{
	(void)a;
}

void
wire_before(void)
{
}

int
wire_fd(void)
{
	return -1;
}

void
wire_idle(struct buf *out)
{
	(void)out;
}

void
wire_status(struct buf *b)
{
	buf_adds(b, WIRE_WITHOUT);
}

#endif /* FEATURE_PCAP */
