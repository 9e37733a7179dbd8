/*
 * The session as a ladder (sequence) diagram: one column per socket, the
 * calls on their column, data and packets as arrows between columns, in
 * time order. Drawn as text for the terminal, as SVG, or as a Mermaid
 * sequence diagram.
 *
 * An observer of the call layer keeps the latest DIAGRAM_MAX events in a
 * ring; the wire adds its packets to the same ring as it shows them
 * (diagram_segment), so the order is the order they were shown. An event
 * pushed out of the ring leaves what it said about its socket (family,
 * addresses, listening, its other end) in a table by fd (carry), so a
 * socket made before the ring's first event still gets its column and
 * address. Drawing reads the ring twice: first the columns (the sockets,
 * what is known of their addresses, which are the two ends of one
 * connection), then one row per event.
 *
 * A session may make thousands of sockets: only the ones with the latest
 * events get a column (COLS_TEXT, COLS_WIDE), and the events of the others
 * are left out and counted, so a diagram stays readable and costs time
 * linear in the events.
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

/* Events kept; earlier ones are counted. The fuzz target makes it small. */
#ifndef DIAGRAM_MAX
#define DIAGRAM_MAX	20000
#endif
#define COLS_TEXT	12	/* columns drawn as text: a terminal's width */
#define COLS_WIDE	40	/* columns drawn as SVG or Mermaid */
#define DATA_SHOWN	16	/* bytes of data in a label */

enum dkind {
	D_CALL,		/* a call of the user's */
	D_INFO,		/* an address learnt behind the user's back */
	D_SEG,		/* a packet the wire saw */
};

struct dev {
	enum dkind	 kind;
	enum call_id	 call;
	int		 after_wire;	/* a call that packets follow */
	uint64_t	 seq, seq2;	/* the socket; accept's new one or the
					   pair's second; a packet's ends */
	int		 fd, fd2;
	long		 ret;
	int		 err;
	int		 arg;
	int		 family, type;
	size_t		 len;
	struct addr	 addr;
	char		*text;		/* owned by the event, or NULL */
	char		*text2;
	char		*text3;
};

/* The ring: evs[(head + i) % DIAGRAM_MAX] is the i-th of nevs events. */
static struct dev	*evs;
static size_t		 nevs, evs_cap, head;
static unsigned long	 evs_earlier;	/* calls and packets pushed out */

/*
 * What the events pushed out of the ring said about a socket still open
 * then, at its fd: its column's start. seq 0: no such socket.
 */
struct dcarry {
	uint64_t	 seq;
	int		 family, type;
	int		 listening;
	uint64_t	 parent;	/* accept: the listener */
	uint64_t	 pair;		/* socketpair: the other end */
	struct addr	 local, peer;
};
static struct dcarry	*carry;
static size_t		 carry_cap;

static int
port_of(const struct addr *a)
{
	return a->len > 0 ? addr_port((const struct sockaddr *)&a->ss) : 0;
}

static char *
str_keep(const char *s, size_t n)
{
	char	*p;

	if ((p = malloc(n + 1)) == NULL)
		abort();
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static const char *
str_at(const char *p)
{
	return p == NULL ? "" : p;
}

static struct dev *
ev_at(size_t i)
{
	return &evs[(head + i) % DIAGRAM_MAX];
}

/* The socket fd, seq in the carry table; made (emptied) if make. */
static struct dcarry *
carry_at(int fd, uint64_t seq, int make)
{
	struct dcarry	*k;
	size_t		 n;

	if (fd < 0 || seq == 0)
		return NULL;
	if ((size_t)fd >= carry_cap) {
		if (!make)
			return NULL;
		n = carry_cap ? carry_cap : 64;
		while (n <= (size_t)fd)
			n *= 2;
		if ((carry = reallocarray(carry, n, sizeof *carry)) == NULL)
			abort();
		memset(carry + carry_cap, 0, (n - carry_cap) * sizeof *carry);
		carry_cap = n;
	}
	k = &carry[fd];
	if (k->seq != seq) {
		if (!make)
			return NULL;
		memset(k, 0, sizeof *k);
		k->seq = seq;
	}
	return k;
}

/*
 * An event leaves the ring: keep what read_columns would have learnt
 * from it about its socket. Events leave in time order, so each fd holds
 * at most one socket, the one open at the ring's start; a close empties
 * it (memory is bounded by the highest fd).
 */
static void
carry_fold(const struct dev *e)
{
	struct dcarry	*k, *l;

	if (e->kind == D_SEG)
		return;
	switch (e->call) {
	case CALL_SOCKET:
		if (e->ret >= 0 && (k = carry_at(e->fd, e->seq, 1)) != NULL) {
			k->family = e->family;
			k->type = e->type;
		}
		return;
	case CALL_SOCKETPAIR:
		if (e->ret != 0)
			return;
		if ((k = carry_at(e->fd, e->seq, 1)) != NULL) {
			k->family = AF_UNIX;
			k->type = e->type;
			k->pair = e->seq2;
		}
		if ((k = carry_at(e->fd2, e->seq2, 1)) != NULL) {
			k->family = AF_UNIX;
			k->type = e->type;
			k->pair = e->seq;
		}
		return;
	case CALL_ACCEPT:
		if (e->ret < 0)
			break;
		l = carry_at(e->fd, e->seq, 0);
		if ((k = carry_at(e->fd2, e->seq2, 1)) == NULL)
			return;
		k->family = l != NULL ? l->family : e->family;
		k->type = l != NULL ? l->type : e->type;
		k->peer = e->addr;
		if (l != NULL)
			k->local = l->local;
		k->parent = e->seq;
		return;
	default:
		break;
	}
	/* A socket whose making was not seen (a received fd): from here. */
	if ((k = carry_at(e->fd, e->seq, 0)) == NULL) {
		if ((k = carry_at(e->fd, e->seq, 1)) == NULL)
			return;
		k->family = e->family;
		k->type = e->type;
	}
	if (e->call == CALL_CONNECT && k->peer.len == 0)
		k->peer = e->addr;
	if (e->ret < 0)
		return;
	switch (e->call) {
	case CALL_BIND:
		if (k->local.len == 0 || port_of(&k->local) == 0)
			k->local = e->addr;
		break;
	case CALL_GETSOCKNAME:
		k->local = e->addr;
		break;
	case CALL_GETPEERNAME:
	case CALL_CONNECT:
		k->peer = e->addr;
		break;
	case CALL_LISTEN:
		k->listening = 1;
		break;
	case CALL_CLOSE:
		k->seq = 0;
		break;
	default:
		break;
	}
}

static void
ev_clear(struct dev *e)
{
	free(e->text);
	free(e->text2);
	free(e->text3);
}

/* A new event, the latest: the earliest leaves the ring when it is full. */
static struct dev *
ev_new(enum dkind kind)
{
	struct dev	*e;

	if (nevs == DIAGRAM_MAX) {
		e = &evs[head];
		carry_fold(e);
		if (e->kind != D_INFO)
			evs_earlier++;
		ev_clear(e);
		head = (head + 1) % DIAGRAM_MAX;
	} else {
		if (nevs == evs_cap) {
			evs_cap = evs_cap ? evs_cap * 2 : 64;
			if (evs_cap > DIAGRAM_MAX)
				evs_cap = DIAGRAM_MAX;
			if ((evs = reallocarray(evs, evs_cap, sizeof *evs)) ==
			    NULL)
				abort();
		}
		e = &evs[nevs++];
	}
	memset(e, 0, sizeof *e);
	e->kind = kind;
	return e;
}

/* Which calls a diagram shows: those the user made, with a socket. */
static int
drawn(const struct call_rec *r)
{
	if (r->flags & (CF_NOTMADE | CF_NOCALL | CF_WAIT | CF_HIDDEN))
		return 0;
	if (r->call == CALL_BUFFERED || r->call == CALL_NONE ||
	    r->call == CALL_NANOSLEEP)
		return 0;
	/* OpenSSL's setting up is drawn only when it fails. */
	if (r->call == CALL_SSL_SETUP && r->ret >= 0)
		return 0;
	return r->fd >= 0 || r->call == CALL_SOCKET ||
	    r->call == CALL_SOCKETPAIR;
}

void
diagram_observe(const struct call_rec *r)
{
	struct dev	*e;
	struct buf	 b = { 0 };
	size_t		 n;

	if (r->flags & CF_BEHIND) {
		/* Addresses the wire or $port asked for name the columns. */
		if ((r->call != CALL_GETSOCKNAME &&
		    r->call != CALL_GETPEERNAME) || r->ret != 0)
			return;
		e = ev_new(D_INFO);
	} else if (!drawn(r))
		return;
	else
		e = ev_new(D_CALL);
	e->call = r->call;
	e->seq = r->seq;
	e->fd = r->fd;
	e->ret = r->ret;
	e->err = r->err;
	e->arg = r->arg;
	e->addr = r->addr;
	e->family = r->snap.fd >= 0 ? r->snap.family : r->family;
	e->type = r->snap.fd >= 0 ? r->snap.type : r->type;
	switch (r->call) {
	case CALL_SOCKET:
		e->family = r->family;
		e->type = r->type;
		e->fd = (int)r->ret;
		break;
	case CALL_SOCKETPAIR:
		e->family = AF_UNIX;
		e->type = r->type;
		e->fd = r->sv[0];
		e->fd2 = r->sv[1];
		e->seq = r->sv_seq[0];
		e->seq2 = r->sv_seq[1];
		break;
	case CALL_ACCEPT:
		e->seq2 = r->new_seq;
		e->fd2 = (int)r->ret;
		break;
	case CALL_SEND:
	case CALL_SENDTO:
	case CALL_RECV:
	case CALL_RECVFROM:
		e->len = r->len;
		n = r->call == CALL_SEND || r->call == CALL_SENDTO ? r->len :
		    call_filled(r);
		if (r->ret >= 0 && r->data != NULL) {
			if ((size_t)r->ret < n)
				n = (size_t)r->ret;
			escape_bytes(&b, r->data, n > DATA_SHOWN ? DATA_SHOWN :
			    n);
			if (n > DATA_SHOWN)
				buf_adds(&b, "...");
			e->text = str_keep(b.data != NULL ? b.data : "", b.len);
		}
		break;
	case CALL_SSL_SETUP:
		/* Its name: the text up to the arguments. */
		if (r->data != NULL)
			e->text = str_keep(r->data, strcspn(r->data, "("));
		break;
	case CALL_SETSOCKOPT:
	case CALL_GETSOCKOPT:
		if (r->opt == NULL || r->opt->kind == OPT_RAW ||
		    r->opt->name == NULL) {
			/* By number: the level and the option's number. */
			buf_printf(&b, "%s %ld", name_of(level_names, r->arg) ?
			    name_of(level_names, r->arg) : "?", r->arg2);
			e->text = str_keep(b.data, b.len);
			break;
		}
		buf_adds(&b, r->opt->name);
		if (r->ret == 0) {
			buf_addc(&b, ' ');
			if (r->opt->kind == OPT_STRING)
				buf_printf(&b, "%.*s", (int)strnlen(r->val.str,
				    r->vallen < sizeof r->val.str ? r->vallen :
				    sizeof r->val.str), r->val.str);
			else if (r->opt->kind == OPT_UCRED ||
			    r->opt->kind == OPT_MREQ ||
			    r->opt->kind == OPT_MREQ6 ||
			    r->opt->kind == OPT_INADDR)
				b.len--;	/* a struct: see the trace */
			else if (r->opt->kind == OPT_LINGER)
				buf_printf(&b, "{%d, %d}", r->val.l.l_onoff,
				    r->val.l.l_linger);
			else if (r->opt->kind == OPT_ERRNO)
				buf_adds(&b, r->val.i ? errno_name(r->val.i) :
				    "0");
			else if (r->opt->kind == OPT_TIMEVAL)
				buf_printf(&b, "%ld.%06lds",
				    (long)r->val.tv.tv_sec,
				    (long)r->val.tv.tv_usec);
			else
				buf_printf(&b, "%d", r->val.i);
		}
		e->text = str_keep(b.data, b.len);
		break;
	default:
		break;
	}
	buf_free(&b);
}

/*
 * A packet's label, shorter than the wire's line: the window and the
 * options are left to the trace, so the arrows fit between columns.
 */
static char *
seg_label(const char *text)
{
	struct buf	 b = { 0 };
	const char	*p = text, *q;
	char		*off;

	while (*p != '\0') {
		if (strncmp(p, " win ", 5) == 0) {
			p += 5;
			while (*p >= '0' && *p <= '9')
				p++;
			continue;
		}
		if (strncmp(p, " <", 2) == 0 && (q = strchr(p, '>')) != NULL) {
			p = q + 1;
			continue;
		}
		if (*p == '"') {
			/* The payload's bytes go as they are, quotes and all. */
			buf_adds(&b, p);
			break;
		}
		buf_addc(&b, *p++);
	}
	off = str_keep(b.data != NULL ? b.data : "", b.len);
	buf_free(&b);
	return off;
}

/* A packet the wire showed: from and to a socket (seq) or an address. */
void
diagram_segment(uint64_t from, const char *fname, uint64_t to,
    const char *tname, const char *text)
{
	struct dev	*e;

	/* The call before has packets: it is drawn on its column alone. */
	if (nevs > 0 && ev_at(nevs - 1)->kind == D_CALL)
		ev_at(nevs - 1)->after_wire = 1;
	e = ev_new(D_SEG);
	e->seq = from;
	e->seq2 = to;
	e->text = seg_label(text);
	e->text2 = str_keep(fname, strlen(fname));
	e->text3 = str_keep(tname, strlen(tname));
}

void
diagram_free(void)
{
	size_t	i;

	for (i = 0; i < nevs; i++)
		ev_clear(ev_at(i));
	free(evs);
	evs = NULL;
	nevs = evs_cap = head = 0;
	evs_earlier = 0;
	free(carry);
	carry = NULL;
	carry_cap = 0;
}

/* ---- the columns ---- */

struct dcol {
	uint64_t	 seq;		/* the socket, or 0 for an address */
	int		 fd;
	int		 family, type;
	struct addr	 local, peer;
	int		 listening;
	uint64_t	 parent;	/* accept: the listener */
	long		 pair;		/* the other end's column, or -1 */
	size_t		 first;		/* event that brought it in, plus one;
					   0: made before the ring's start */
	struct buf	 name;		/* an address's column: the address */
	int		 start, end;	/* rows of its lifeline; end -1: on */
	int		 order;
};

struct drow {
	int		 a, b;		/* b < 0: a call on column a */
	int		 seg;		/* a packet, not data */
	int		 ends;		/* column a's lifeline ends here */
	int		 also;		/* a column that begins here too, -1 */
	int		 err;
	struct buf	 label;
};

/* A socket (its seq) seen in the events: when it was last drawn. */
struct dseen {
	uint64_t	 seq;		/* 0: an empty slot */
	size_t		 last;		/* its latest event, plus one */
	int		 kept;		/* it gets a column */
};

struct diagram {
	struct dcol	*cols;
	size_t		 ncols, cols_cap;
	struct drow	*rows;
	size_t		 nrows, rows_cap;
	size_t		 maxcols;	/* columns drawn at most */
	struct dseen	*seen;		/* hash table by seq */
	size_t		 seen_cap;	/* a power of two */
	size_t		 nsocks;	/* sockets in the events */
	size_t		 nkept;		/* of which drawn */
	unsigned long	 left;		/* events left out with the others */
};

/* The slot of seq (nonzero) in the table, found or empty. */
static struct dseen *
seen_slot(struct diagram *d, uint64_t seq)
{
	size_t	i = (size_t)(seq * 0x9e3779b97f4a7c15ULL) & (d->seen_cap - 1);

	while (d->seen[i].seq != 0 && d->seen[i].seq != seq)
		i = (i + 1) & (d->seen_cap - 1);
	return &d->seen[i];
}

/* Is socket seq one of those drawn? (0, an address: yes.) */
static int
kept(struct diagram *d, uint64_t seq)
{
	struct dseen	*sn;

	if (seq == 0 || d->seen == NULL)
		return 1;
	sn = seen_slot(d, seq);
	return sn->seq == seq && sn->kept;
}

static long
col_of_seq(struct diagram *d, uint64_t seq)
{
	size_t	i;

	/* Few columns: those of the kept sockets and their peers. */
	if (seq == 0 || !kept(d, seq))
		return -1;
	for (i = 0; i < d->ncols; i++)
		if (d->cols[i].seq == seq)
			return (long)i;
	return -1;
}

static long
col_new(struct diagram *d, uint64_t seq, int fd, size_t first)
{
	struct dcol	*c;

	if (d->ncols == d->cols_cap) {
		d->cols_cap = d->cols_cap ? d->cols_cap * 2 : 16;
		if ((d->cols = reallocarray(d->cols, d->cols_cap,
		    sizeof *d->cols)) == NULL)
			abort();
	}
	c = &d->cols[d->ncols];
	memset(c, 0, sizeof *c);
	c->seq = seq;
	c->fd = fd;
	c->pair = -1;
	c->first = first;
	c->start = -1;
	c->end = -1;
	return (long)d->ncols++;
}

/* The column of an address that is none of the session's sockets. */
static long
col_of_name(struct diagram *d, const char *name, size_t first)
{
	size_t	i;
	long	c;

	for (i = 0; i < d->ncols; i++)
		if (d->cols[i].seq == 0 && strcmp(buf_str(&d->cols[i].name),
		    name) == 0)
			return (long)i;
	/* Beyond a few columns more than are drawn, an address gets none. */
	if (d->ncols >= 2 * d->maxcols)
		return -1;
	c = col_new(d, 0, -1, first);
	buf_adds(&d->cols[c].name, name);
	return c;
}

/* The session's socket bound at a, of type type, or -1. */
static long
col_at(struct diagram *d, const struct addr *a, int type, long not)
{
	size_t	i;
	int	port = port_of(a);

	if (port <= 0)
		return -1;
	for (i = 0; i < d->ncols; i++)
		if ((long)i != not && d->cols[i].seq != 0 &&
		    d->cols[i].type == type && !d->cols[i].listening &&
		    port_of(&d->cols[i].local) == port)
			return (long)i;
	return -1;
}

static int
col_order(const void *x, const void *y)
{
	const struct dcol *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	/* Made before the ring: in the order they were made. */
	if (a->first == 0 && a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return (a->order > b->order) - (a->order < b->order);
}

/* An accepted socket's other end, if it is the session's: see below. */
static void
pair_accepted(struct diagram *d, long a)
{
	struct dcol	*ac = &d->cols[a], *l, *c;
	long		 li;
	size_t		 i;
	int		 lport, k = 0, n = 0;

	/* The listener may have no column: its port is the socket's own. */
	if ((li = col_of_seq(d, ac->parent)) >= 0) {
		l = &d->cols[li];
		lport = port_of(&l->local);
	} else
		lport = port_of(&ac->local);
	/* Known addresses first: the client's local port is the peer's. */
	for (i = 0; i < d->ncols; i++) {
		c = &d->cols[i];
		if ((long)i != a && c->seq != 0 && c->pair < 0 &&
		    c->type == SOCK_STREAM && port_of(&c->local) != 0 &&
		    port_of(&c->local) == port_of(&ac->peer) &&
		    (lport == 0 || port_of(&c->peer) == lport)) {
			ac->pair = (long)i;
			c->pair = a;
			return;
		}
	}
	/*
	 * Otherwise in order: the listener's k-th accepted connection is the
	 * k-th connect to its port (its queue is first in, first out).
	 */
	for (i = 0; i < d->ncols; i++)
		if ((long)i != a && d->cols[i].parent == ac->parent &&
		    d->cols[i].seq != 0 && col_order(&d->cols[i], ac) < 0)
			k++;
	for (i = 0; i < d->ncols; i++) {
		c = &d->cols[i];
		if (c->seq == 0 || c->type != SOCK_STREAM || c->listening ||
		    c->parent != 0 || c->peer.len == 0 ||
		    (lport != 0 && port_of(&c->peer) != lport))
			continue;
		if (n++ == k) {
			if (c->pair < 0) {
				ac->pair = (long)i;
				c->pair = a;
			}
			return;
		}
	}
}

/* First pass: the sockets and what is known of their addresses. */
static void
read_columns(struct diagram *d)
{
	struct dev	*e;
	struct dcol	*c;
	struct dcarry	*k;
	size_t		 i;
	long		 ci, cj;

	/* The sockets made before the ring's first event, as they were. */
	for (i = 0; i < carry_cap; i++) {
		k = &carry[i];
		if (k->seq == 0 || !kept(d, k->seq))
			continue;
		ci = col_new(d, k->seq, (int)i, 0);
		c = &d->cols[ci];
		c->family = k->family;
		c->type = k->type;
		c->local = k->local;
		c->peer = k->peer;
		c->listening = k->listening;
		c->parent = k->parent;
	}
	/* Found by fd; put in the order they were made. */
	if (d->ncols > 1)
		qsort(d->cols, d->ncols, sizeof *d->cols, col_order);
	for (i = 0; i < d->ncols; i++) {
		k = carry_at(d->cols[i].fd, d->cols[i].seq, 0);
		if (k != NULL && k->pair != 0)
			d->cols[i].pair = col_of_seq(d, k->pair);
	}
	for (i = 0; i < nevs; i++) {
		e = ev_at(i);
		if (e->kind == D_SEG)
			continue;
		ci = col_of_seq(d, e->seq);
		if (ci < 0 && e->kind == D_CALL && e->seq != 0 &&
		    e->fd >= 0 && e->call != CALL_SOCKET &&
		    e->call != CALL_SOCKETPAIR && kept(d, e->seq)) {
			/* Its making is not in the ring (a received fd). */
			ci = col_new(d, e->seq, e->fd, i + 1);
			d->cols[ci].family = e->family;
			d->cols[ci].type = e->type;
		}
		if (e->call == CALL_SOCKET && e->ret >= 0) {
			if (!kept(d, e->seq))
				continue;
			ci = col_new(d, e->seq, e->fd, i + 1);
			d->cols[ci].family = e->family;
			d->cols[ci].type = e->type;
			continue;
		}
		if (e->call == CALL_SOCKETPAIR && e->ret == 0) {
			ci = cj = -1;
			if (kept(d, e->seq))
				ci = col_new(d, e->seq, e->fd, i + 1);
			if (kept(d, e->seq2))
				cj = col_new(d, e->seq2, e->fd2, i + 1);
			if (ci >= 0) {
				d->cols[ci].family = AF_UNIX;
				d->cols[ci].type = e->type;
				d->cols[ci].pair = cj;
			}
			if (cj >= 0) {
				d->cols[cj].family = AF_UNIX;
				d->cols[cj].type = e->type;
				d->cols[cj].pair = ci;
			}
			continue;
		}
		if (e->call == CALL_ACCEPT && ci < 0 && e->ret >= 0 &&
		    kept(d, e->seq2)) {
			/* Its listener is left out: what the accept said. */
			cj = col_new(d, e->seq2, e->fd2, i + 1);
			d->cols[cj].family = e->family;
			d->cols[cj].type = e->type;
			d->cols[cj].peer = e->addr;
			d->cols[cj].parent = e->seq;
			continue;
		}
		if (ci < 0)
			continue;
		c = &d->cols[ci];
		/* A refused connect still says where it went. */
		if (e->call == CALL_CONNECT && c->peer.len == 0)
			c->peer = e->addr;
		if (e->ret < 0)
			continue;
		switch (e->call) {
		case CALL_BIND:
			if (c->local.len == 0 || port_of(&c->local) == 0)
				c->local = e->addr;
			break;
		case CALL_GETSOCKNAME:
			c->local = e->addr;
			break;
		case CALL_GETPEERNAME:
			c->peer = e->addr;
			break;
		case CALL_LISTEN:
			c->listening = 1;
			break;
		case CALL_CONNECT:
			c->peer = e->addr;
			break;
		case CALL_ACCEPT:
			if (!kept(d, e->seq2))
				break;
			cj = col_new(d, e->seq2, e->fd2, i + 1);
			c = &d->cols[ci];
			d->cols[cj].family = c->family;
			d->cols[cj].type = c->type;
			d->cols[cj].peer = e->addr;
			d->cols[cj].local = c->local;
			d->cols[cj].parent = c->seq;
			break;
		default:
			break;
		}
	}
	/* An accepted socket's local address is its listener's. */
	for (i = 0; i < d->ncols; i++)
		if (d->cols[i].parent != 0 &&
		    (ci = col_of_seq(d, d->cols[i].parent)) >= 0 &&
		    port_of(&d->cols[i].local) == 0)
			d->cols[i].local = d->cols[ci].local;
	for (i = 0; i < d->ncols; i++)
		if (d->cols[i].parent != 0 && d->cols[i].pair < 0)
			pair_accepted(d, (long)i);
}

/* Where data sent on column c goes (to: sendto's address), or -1. */
static long
data_peer(struct diagram *d, long c, const struct addr *to, size_t ev)
{
	struct dcol	*col = &d->cols[c];
	struct buf	 b = { 0 };
	const struct addr *a = to != NULL && to->len > 0 ? to : &col->peer;
	long		 t;

	if (col->pair >= 0)
		return col->pair;
	if (a->len == 0 || (a->ss.ss_family != AF_INET &&
	    a->ss.ss_family != AF_INET6 && a->ss.ss_family != AF_UNIX))
		return -1;
	if ((t = col_at(d, a, col->type, c)) >= 0)
		return t;
	addr_format_short(&b, (const struct sockaddr *)&a->ss, a->len);
	t = col_of_name(d, buf_str(&b), ev);
	buf_free(&b);
	return t;
}

static struct drow *
row_new(struct diagram *d, long a, long b)
{
	struct drow	*r;

	if (d->nrows == d->rows_cap) {
		d->rows_cap = d->rows_cap ? d->rows_cap * 2 : 64;
		if ((d->rows = reallocarray(d->rows, d->rows_cap,
		    sizeof *d->rows)) == NULL)
			abort();
	}
	r = &d->rows[d->nrows++];
	memset(r, 0, sizeof *r);
	r->a = (int)a;
	r->b = (int)b;
	r->also = -1;
	return r;
}

/* " = 3" or " = -1 ECONNREFUSED". */
static void
label_result(struct buf *b, const struct dev *e)
{
	if (e->ret < 0)
		buf_printf(b, " = -1 %s", errno_name(e->err));
	else
		buf_printf(b, " = %ld", e->ret);
}

static void
label_addr(struct buf *b, const struct addr *a)
{
	buf_addc(b, ' ');
	addr_format_short(b, (const struct sockaddr *)&a->ss, a->len);
}

/* A column of the session's sockets (not one made for an address). */
static int
sock_col(const struct diagram *d, long c)
{
	return c >= 0 && d->cols[c].seq != 0;
}

/* Second pass: one row per event. */
static void
read_rows(struct diagram *d)
{
	struct dev	*e;
	struct drow	*r;
	struct buf	*l;
	long		*sender;
	size_t		 i;
	long		 c, t, f;

	/* Who last sent data to each column, for a sender sockrepl cannot
	   name (a datagram socket bound by its first sendto). */
	if ((sender = malloc((d->ncols + 1) * sizeof *sender)) == NULL)
		abort();
	for (i = 0; i <= d->ncols; i++)
		sender[i] = -1;
	for (i = 0; i < nevs; i++) {
		e = ev_at(i);
		if (e->kind == D_INFO)
			continue;
		if (e->kind == D_SEG) {
			if (!kept(d, e->seq) || !kept(d, e->seq2)) {
				d->left++;
				continue;
			}
			if ((f = col_of_seq(d, e->seq)) < 0)
				f = col_of_name(d, str_at(e->text2), i + 1);
			if ((t = col_of_seq(d, e->seq2)) < 0)
				t = col_of_name(d, str_at(e->text3), i + 1);
			if (f < 0 || t < 0) {
				d->left++;
				continue;
			}
			r = row_new(d, f, t);
			r->seg = 1;
			buf_adds(&r->label, str_at(e->text));
			continue;
		}
		if (e->seq != 0 && !kept(d, e->seq)) {
			d->left++;
			continue;
		}
		if ((c = col_of_seq(d, e->seq)) < 0)
			continue;
		t = -1;
		if ((e->call == CALL_SEND || e->call == CALL_SENDTO) &&
		    e->ret >= 0 && !e->after_wire) {
			t = data_peer(d, c, e->call == CALL_SENDTO ? &e->addr :
			    NULL, i + 1);
			if (t >= 0 && (size_t)t < d->ncols &&
			    d->cols[t].seq != 0 && sock_col(d, t))
				sender[t] = c;
		} else if ((e->call == CALL_RECV ||
		    e->call == CALL_RECVFROM) && e->ret > 0 &&
		    !e->after_wire && (e->call == CALL_RECV ||
		    sender[c] < 0 || port_of(&d->cols[sender[c]].local) != 0)) {
			/* From outside the session: the data's arrow is here. */
			f = data_peer(d, c, e->call == CALL_RECVFROM ?
			    &e->addr : NULL, i + 1);
			if (f >= 0 && d->cols[f].seq == 0) {
				r = row_new(d, f, c);
				buf_printf(&r->label, "%s = %ld \"%s\"",
				    call_name(e->call), e->ret,
				    str_at(e->text));
				continue;
			}
		}
		r = row_new(d, c, t);
		r->err = e->ret < 0;
		l = &r->label;
		buf_adds(l, e->call == CALL_SSL_SETUP && e->text != NULL ?
		    e->text : call_name(e->call));
		switch (e->call) {
		case CALL_SOCKET:
			buf_printf(l, " %s", sock_type_short(e->family,
			    e->type));
			break;
		case CALL_SOCKETPAIR:
			r->also = (int)col_of_seq(d, e->seq2);
			label_result(l, e);
			if (e->ret == 0)
				buf_printf(l, " [%d, %d]", e->fd, e->fd2);
			continue;
		case CALL_BIND:
		case CALL_CONNECT:
		case CALL_SENDTO:
			if (e->call == CALL_SENDTO && e->ret >= 0)
				buf_printf(l, " \"%s\"", str_at(e->text));
			label_addr(l, &e->addr);
			break;
		case CALL_LISTEN:
			buf_printf(l, " %d", e->arg);
			break;
		case CALL_SEND:
			if (e->ret >= 0)
				buf_printf(l, " \"%s\"", str_at(e->text));
			break;
		case CALL_SHUTDOWN:
			buf_printf(l, " %s", name_of(shut_names, e->arg));
			break;
		case CALL_SETSOCKOPT:
		case CALL_GETSOCKOPT:
			buf_printf(l, " %s", str_at(e->text));
			break;
		case CALL_CLOSE:
			r->ends = 1;
			break;
		default:
			break;
		}
		label_result(l, e);
		if ((e->call == CALL_ACCEPT || e->call == CALL_GETSOCKNAME ||
		    e->call == CALL_GETPEERNAME) && e->ret >= 0)
			label_addr(l, &e->addr);
		if ((e->call == CALL_RECV || e->call == CALL_RECVFROM) &&
		    e->ret > 0)
			buf_printf(l, " \"%s\"", str_at(e->text));
		if ((e->call == CALL_RECV) && e->ret == 0)
			buf_adds(l, " (EOF)");
	}
	free(sender);
}

static int
seen_latest(const void *x, const void *y)
{
	const struct dseen *a = *(struct dseen *const *)x;
	const struct dseen *b = *(struct dseen *const *)y;

	return a->last > b->last ? -1 : a->last < b->last;
}

/*
 * Before anything is built: the sockets in the events, and which of them
 * get a column (the maxcols with the latest calls or packets).
 */
static void
choose_sockets(struct diagram *d)
{
	struct dseen	*sn, **all;
	struct dev	*e;
	size_t		 i, j, n = 0;
	uint64_t	 seq;

	d->seen_cap = 16;
	while (d->seen_cap < 4 * nevs + 16)
		d->seen_cap *= 2;
	if ((d->seen = calloc(d->seen_cap, sizeof *d->seen)) == NULL)
		abort();
	for (i = 0; i < nevs; i++) {
		e = ev_at(i);
		for (j = 0; j < 2; j++) {
			seq = j == 0 ? e->seq : e->seq2;
			if (seq == 0)
				continue;
			sn = seen_slot(d, seq);
			sn->seq = seq;
			/* What list asks behind the user's back is no news. */
			if (e->kind != D_INFO)
				sn->last = i + 1;
		}
	}
	/*
	 * A socket only asked about behind the user's back (its calls are
	 * before the ring) has nothing to draw: neither column nor count.
	 */
	for (i = 0; i < d->seen_cap; i++)
		if (d->seen[i].seq != 0 && d->seen[i].last > 0)
			d->nsocks++;
	if ((all = calloc(d->nsocks + 1, sizeof *all)) == NULL)
		abort();
	for (i = 0; i < d->seen_cap; i++)
		if (d->seen[i].seq != 0 && d->seen[i].last > 0)
			all[n++] = &d->seen[i];
	if (n > d->maxcols)
		qsort(all, n, sizeof *all, seen_latest);
	for (i = 0; i < n && i < d->maxcols; i++)
		all[i]->kept = 1;
	free(all);
}

static int
col_latest(const void *x, const void *y)
{
	const long *a = x, *b = y;

	/* a[0]: the column's last row plus one; a[1]: the column. */
	return a[0] > b[0] ? -1 : a[0] < b[0] ? 1 : (a[1] > b[1]) - (a[1] <
	    b[1]);
}

/*
 * After the rows: the peers' columns may make too many. Keep the maxcols
 * columns with the latest rows, leave out the rows of the others.
 */
static void
cap_columns(struct diagram *d)
{
	long	(*rank)[2], *to;
	size_t	 i, n;
	struct drow *r;

	if (d->ncols <= d->maxcols)
		return;
	if ((rank = calloc(d->ncols, sizeof *rank)) == NULL ||
	    (to = calloc(d->ncols, sizeof *to)) == NULL)
		abort();
	for (i = 0; i < d->ncols; i++)
		rank[i][1] = (long)i;
	for (i = 0; i < d->nrows; i++) {
		r = &d->rows[i];
		rank[r->a][0] = (long)i + 1;
		if (r->b >= 0)
			rank[r->b][0] = (long)i + 1;
		if (r->also >= 0)
			rank[r->also][0] = (long)i + 1;
	}
	qsort(rank, d->ncols, sizeof *rank, col_latest);
	for (i = 0; i < d->ncols; i++)
		to[i] = -1;
	for (i = 0; i < d->maxcols; i++)
		to[rank[i][1]] = 0;
	for (i = n = 0; i < d->ncols; i++) {
		if (to[i] < 0) {
			buf_free(&d->cols[i].name);
			continue;
		}
		to[i] = (long)n;
		d->cols[n++] = d->cols[i];
	}
	d->ncols = n;
	for (i = 0; i < n; i++)
		if (d->cols[i].pair >= 0)
			d->cols[i].pair = to[d->cols[i].pair];
	for (i = n = 0; i < d->nrows; i++) {
		r = &d->rows[i];
		if (to[r->a] < 0 || (r->b >= 0 && to[r->b] < 0)) {
			buf_free(&r->label);
			d->left++;
			continue;
		}
		r->a = (int)to[r->a];
		if (r->b >= 0)
			r->b = (int)to[r->b];
		if (r->also >= 0)
			r->also = (int)to[r->also];
		d->rows[n++] = *r;
	}
	d->nrows = n;
	free(rank);
	free(to);
}

/* Columns in the order they came in; rows renumbered to match. */
static void
arrange(struct diagram *d)
{
	size_t	 i, j;
	int	*to;

	if (d->ncols == 0)
		return;
	for (i = 0; i < d->ncols; i++)
		d->cols[i].order = (int)i;
	qsort(d->cols, d->ncols, sizeof *d->cols, col_order);
	if ((to = calloc(d->ncols + 1, sizeof *to)) == NULL)
		abort();
	for (i = 0; i < d->ncols; i++)
		to[d->cols[i].order] = (int)i;
	for (i = 0; i < d->nrows; i++) {
		d->rows[i].a = to[d->rows[i].a];
		if (d->rows[i].b >= 0)
			d->rows[i].b = to[d->rows[i].b];
		if (d->rows[i].also >= 0)
			d->rows[i].also = to[d->rows[i].also];
	}
	free(to);
	/* Each lifeline runs from the first row on it to its close. */
	for (i = 0; i < d->nrows; i++) {
		for (j = 0; j < 3; j++) {
			int c = j == 0 ? d->rows[i].a : j == 1 ? d->rows[i].b :
			    d->rows[i].also;

			if (c >= 0 && d->cols[c].start < 0)
				d->cols[c].start = (int)i;
		}
		if (d->rows[i].ends && d->cols[d->rows[i].a].end < 0)
			d->cols[d->rows[i].a].end = (int)i;
	}
	/* A socket made before the ring's start was there from the top. */
	for (i = 0; i < d->ncols; i++)
		if (d->cols[i].first == 0 && d->cols[i].seq != 0 &&
		    d->cols[i].start > 0)
			d->cols[i].start = 0;
	/* A closed socket's last packets (its FIN, the ACKs) are on it. */
	for (i = 0; i < d->nrows; i++)
		for (j = 0; j < 2; j++) {
			int c = j == 0 ? d->rows[i].a : d->rows[i].b;

			if (c >= 0 && d->cols[c].end >= 0 &&
			    d->cols[c].end < (int)i)
				d->cols[c].end = (int)i;
		}
}

/* A column's two heading lines: "fd 3 tcp" and its address. */
static void
col_heads(const struct dcol *c, struct buf *h1, struct buf *h2)
{
	buf_reset(h1);
	buf_reset(h2);
	if (c->seq == 0) {
		buf_adds(h1, "peer");
		buf_adds(h2, buf_str((struct buf *)&c->name));
		return;
	}
	buf_printf(h1, "fd %d %s", c->fd, sock_type_short(c->family,
	    c->type));
	if (c->listening)
		buf_adds(h1, " listening");
	if (c->local.len > 0 && (port_of(&c->local) != 0 ||
	    c->family == AF_UNIX))
		addr_format_short(h2, (const struct sockaddr *)&c->local.ss,
		    c->local.len);
	else if (c->peer.len > 0) {
		buf_adds(h2, "to ");
		addr_format_short(h2, (const struct sockaddr *)&c->peer.ss,
		    c->peer.len);
	}
}

static void
diagram_build(struct diagram *d, size_t maxcols)
{
	memset(d, 0, sizeof *d);
	d->maxcols = maxcols;
	choose_sockets(d);
	read_columns(d);
	read_rows(d);
	cap_columns(d);
	arrange(d);
}

static void
diagram_clear(struct diagram *d)
{
	size_t	i;

	for (i = 0; i < d->ncols; i++)
		buf_free(&d->cols[i].name);
	for (i = 0; i < d->nrows; i++)
		buf_free(&d->rows[i].label);
	free(d->cols);
	free(d->rows);
	free(d->seen);
}

static int
alive(const struct diagram *d, size_t c, size_t row)
{
	const struct dcol *col = &d->cols[c];

	return col->start >= 0 && (int)row >= col->start &&
	    (col->end < 0 || (int)row <= col->end);
}

/* ---- text ---- */

/* Put s at column x of line l, growing it with blanks. */
static void
put_at(struct buf *l, size_t x, const char *s, size_t n)
{
	if (n == 0)
		return;
	while (l->len < x + n)
		buf_addc(l, ' ');
	memcpy(l->data + x, s, n);
}

static void
line_out(struct buf *out, struct buf *l)
{
	while (l->len > 0 && l->data[l->len - 1] == ' ')
		l->len--;
	if (l->len > 0)
		buf_add(out, l->data, l->len);
	buf_addc(out, '\n');
	buf_reset(l);
}

/* The lifelines of row r (and of the line above it, for a label). */
static void
lifelines(const struct diagram *d, struct buf *l, size_t r, int w,
    int above)
{
	size_t	c;

	for (c = 0; c < d->ncols; c++) {
		if (!alive(d, c, r) || (above && d->cols[c].start == (int)r))
			continue;
		put_at(l, c * (size_t)w + (size_t)w / 2, "|", 1);
	}
}

static void
draw_text(struct diagram *d, struct buf *out, const struct buf *top)
{
	struct buf	 l = { 0 }, h1 = { 0 }, h2 = { 0 };
	struct drow	*r;
	size_t		 i, c, x, lo, hi, n;
	int		 w = 20;

	/* Wide enough for most labels between neighbours. */
	for (i = 0; i < d->nrows; i++) {
		r = &d->rows[i];
		n = r->label.len;
		if (r->b >= 0 && abs(r->b - r->a) == 1 && (int)n + 6 > w)
			w = (int)n + 6;
		if (r->b < 0 && (int)n + 4 > w)
			w = (int)n + 4;
	}
	if (w > 34)
		w = 34;
	for (c = 0; c < d->ncols; c++) {
		col_heads(&d->cols[c], &h1, &h2);
		x = c * (size_t)w + (size_t)w / 2;
		n = h1.len < (size_t)w - 1 ? h1.len : (size_t)w - 1;
		put_at(&l, x > n / 2 ? x - n / 2 : 0, h1.data, n);
	}
	line_out(out, &l);
	for (c = 0; c < d->ncols; c++) {
		col_heads(&d->cols[c], &h1, &h2);
		x = c * (size_t)w + (size_t)w / 2;
		n = h2.len < (size_t)w - 1 ? h2.len : (size_t)w - 1;
		if (n > 0)
			put_at(&l, x > n / 2 ? x - n / 2 : 0, h2.data, n);
	}
	line_out(out, &l);
	if (top->len > 0)
		buf_printf(out, "%s\n", buf_str((struct buf *)top));
	for (i = 0; i < d->nrows; i++) {
		r = &d->rows[i];
		if (r->b < 0) {
			lifelines(d, &l, i, w, 0);
			x = (size_t)r->a * (size_t)w + (size_t)w / 2;
			put_at(&l, x, r->ends ? "X " : "* ", 2);
			put_at(&l, x + 2, r->label.data, r->label.len);
			line_out(out, &l);
			continue;
		}
		lo = (size_t)(r->a < r->b ? r->a : r->b) * (size_t)w +
		    (size_t)w / 2;
		hi = (size_t)(r->a < r->b ? r->b : r->a) * (size_t)w +
		    (size_t)w / 2;
		n = r->label.len;
		if (n + 6 > hi - lo) {
			/* Too long to sit on the arrow: on a line above. */
			lifelines(d, &l, i, w, 1);
			put_at(&l, lo + 2, r->label.data, n);
			line_out(out, &l);
		}
		lifelines(d, &l, i, w, 0);
		for (x = lo + 1; x < hi; x++)
			put_at(&l, x, r->seg ? "-" : "=", 1);
		if (r->b > r->a)
			put_at(&l, hi - 1, ">", 1);
		else
			put_at(&l, lo + 1, "<", 1);
		if (n + 6 <= hi - lo) {
			x = lo + (hi - lo - n) / 2;
			put_at(&l, x - 1, " ", 1);
			put_at(&l, x, r->label.data, n);
			put_at(&l, x + n, " ", 1);
		}
		line_out(out, &l);
	}
	buf_free(&l);
	buf_free(&h1);
	buf_free(&h2);
}

/* ---- SVG ---- */

static void
xml_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		default:
			/* Labels are escaped already: no control bytes. */
			if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
				buf_addc(b, *s);
			else
				buf_addc(b, '?');
		}
	}
}

#define SVG_COL		230
#define SVG_ROW		26
#define SVG_TOP		64

static void
draw_svg(struct diagram *d, struct buf *out, const struct buf *top,
    const struct buf *note)
{
	struct buf	 h1 = { 0 }, h2 = { 0 };
	struct drow	*r;
	size_t		 i, c;
	int		 width, height, x, x2, y, y2, longest = 0;
	/* The first row's top: below the heads and what comes before. */
	int		 y0 = SVG_TOP + (top->len > 0 ? SVG_ROW : 0);

	for (i = 0; i < d->nrows; i++)
		if (d->rows[i].b < 0 && (int)d->rows[i].label.len > longest)
			longest = (int)d->rows[i].label.len;
	width = (int)d->ncols * SVG_COL + longest * 7 + 20;
	height = y0 + ((int)d->nrows + 1) * SVG_ROW + 10;
	if (note->len > 0)
		height += 2 * SVG_ROW;
	buf_printf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"monospace\" "
	    "font-size=\"12\">\n<title>sockrepl session</title>\n",
	    width, height, width, height);
	buf_adds(out, "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" "
	    "refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
	    "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\"/></marker>"
	    "</defs>\n<style>\n"
	    ".head { fill: #eef2f7; stroke: #4a5a70; }\n"
	    ".lifeline { stroke: #8090a0; stroke-dasharray: 4 3; }\n"
	    ".call { fill: #203040; }\n"
	    ".err { fill: #b01010; }\n"
	    ".data { stroke: #1f5fbf; stroke-width: 1.5; }\n"
	    ".seg { stroke: #c0601f; }\n"
	    "text { fill: #203040; }\n"
	    "</style>\n"
	    "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
	for (c = 0; c < d->ncols; c++) {
		col_heads(&d->cols[c], &h1, &h2);
		x = 10 + (int)c * SVG_COL + SVG_COL / 2;
		buf_printf(out, "<rect class=\"head\" x=\"%d\" y=\"8\" "
		    "width=\"%d\" height=\"40\" rx=\"4\"/>\n", x - SVG_COL / 2 +
		    10, SVG_COL - 20);
		buf_printf(out, "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" "
		    "font-weight=\"bold\">", x);
		xml_text(out, buf_str(&h1));
		buf_printf(out, "</text>\n<text x=\"%d\" y=\"40\" "
		    "text-anchor=\"middle\">", x);
		xml_text(out, buf_str(&h2));
		buf_adds(out, "</text>\n");
		y = y0 + (d->cols[c].start < 0 ? 0 : d->cols[c].start) *
		    SVG_ROW;
		y2 = y0 + (d->cols[c].end < 0 ? (int)d->nrows :
		    d->cols[c].end) * SVG_ROW + 8;
		buf_printf(out, "<line class=\"lifeline\" x1=\"%d\" y1=\"%d\" "
		    "x2=\"%d\" y2=\"%d\"/>\n", x, y - 8, x, y2);
	}
	if (top->len > 0) {
		buf_printf(out, "<text x=\"10\" y=\"%d\" class=\"err\">",
		    SVG_TOP + 14);
		xml_text(out, buf_str((struct buf *)top));
		buf_adds(out, "</text>\n");
	}
	for (i = 0; i < d->nrows; i++) {
		r = &d->rows[i];
		y = y0 + (int)i * SVG_ROW + 10;
		x = 10 + r->a * SVG_COL + SVG_COL / 2;
		if (r->b < 0) {
			if (r->ends)
				buf_printf(out, "<path d=\"M%d,%d l8,8 m0,-8 "
				    "l-8,8\" stroke=\"#203040\"/>\n", x - 4,
				    y - 4);
			else
				buf_printf(out, "<circle class=\"%s\" cx=\"%d\" "
				    "cy=\"%d\" r=\"3.5\"/>\n", r->err ? "err" :
				    "call", x, y);
			buf_printf(out, "<text x=\"%d\" y=\"%d\"%s>", x + 9,
			    y + 4, r->err ? " class=\"err\"" : "");
			xml_text(out, buf_str(&r->label));
			buf_adds(out, "</text>\n");
			continue;
		}
		x2 = 10 + r->b * SVG_COL + SVG_COL / 2;
		buf_printf(out, "<line class=\"%s\" x1=\"%d\" y1=\"%d\" "
		    "x2=\"%d\" y2=\"%d\" marker-end=\"url(#head)\"/>\n",
		    r->seg ? "seg" : "data", x, y + 2, x2, y + 2);
		buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">",
		    (x + x2) / 2, y - 2);
		xml_text(out, buf_str(&r->label));
		buf_adds(out, "</text>\n");
	}
	if (note->len > 0) {
		/* What is left out, below the rows: one line each. */
		y = y0 + ((int)d->nrows + 1) * SVG_ROW + 10;
		buf_printf(out, "<text x=\"10\" y=\"%d\" class=\"err\">", y);
		for (i = 0; i < note->len; i++)
			if (note->data[i] == '\n')
				buf_printf(out, "</text>\n<text x=\"10\" "
				    "y=\"%d\" class=\"err\">", y += SVG_ROW);
			else {
				char ch[2] = { note->data[i], '\0' };

				xml_text(out, ch);
			}
		buf_adds(out, "</text>\n");
	}
	buf_adds(out, "</svg>\n");
	buf_free(&h1);
	buf_free(&h2);
}

/* ---- Mermaid ---- */

/* Mermaid reads ; and # itself: write them as its entity codes. */
static void
mermaid_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == ';')
			buf_adds(b, "#59;");
		else if (*s == '#')
			buf_adds(b, "#35;");
		else if (*s == '\n')
			buf_addc(b, ' ');
		else
			buf_addc(b, *s);
	}
}

/* A note over every column drawn. */
static void
mermaid_note(const struct diagram *d, struct buf *out, const struct buf *note)
{
	if (d->ncols > 1)
		buf_printf(out, "    Note over c0,c%zu: ", d->ncols - 1);
	else
		buf_adds(out, "    Note over c0: ");
	mermaid_text(out, buf_str((struct buf *)note));
	buf_addc(out, '\n');
}

static void
draw_mermaid(struct diagram *d, struct buf *out, const struct buf *top,
    const struct buf *note)
{
	struct buf	 h1 = { 0 }, h2 = { 0 };
	struct drow	*r;
	size_t		 i, c;

	buf_adds(out, "sequenceDiagram\n");
	for (c = 0; c < d->ncols; c++) {
		col_heads(&d->cols[c], &h1, &h2);
		buf_printf(out, "    participant c%zu as ", c);
		mermaid_text(out, buf_str(&h1));
		if (h2.len > 0) {
			buf_adds(out, " ");
			mermaid_text(out, buf_str(&h2));
		}
		buf_addc(out, '\n');
	}
	if (top->len > 0)
		mermaid_note(d, out, top);
	for (i = 0; i < d->nrows; i++) {
		r = &d->rows[i];
		if (r->b < 0)
			buf_printf(out, "    Note over c%d: ", r->a);
		else
			buf_printf(out, "    c%d%sc%d: ", r->a, r->seg ? "-)" :
			    "->>", r->b);
		mermaid_text(out, buf_str(&r->label));
		buf_addc(out, '\n');
	}
	/* Over every column drawn: what is left out. */
	if (note->len > 0)
		mermaid_note(d, out, note);
	buf_free(&h1);
	buf_free(&h2);
}

/*
 * What the diagram leaves out, in words, into note (nothing if all is
 * drawn). Returns whether anything is left out.
 */
static int
left_out(const struct diagram *d, struct buf *note)
{
	size_t	i, socks = 0;

	for (i = 0; i < d->ncols; i++)
		if (d->cols[i].seq != 0)
			socks++;
	if (socks >= d->nsocks && d->left == 0)
		return 0;
	buf_printf(note, "(%zu of the session's %zu sockets drawn, "
	    "those with the latest events, %zu columns at most; "
	    "%lu events of the others left out)", socks, d->nsocks,
	    d->maxcols, d->left);
	return 1;
}

/*
 * What the diagram leaves out before its first row, into top: the events
 * that left the ring. Returns whether there are any.
 */
static int
left_out_before(struct buf *top)
{
	if (evs_earlier == 0)
		return 0;
	buf_printf(top, "(%lu earlier events not shown: the diagram keeps "
	    "the latest %d)", evs_earlier, DIAGRAM_MAX);
	return 1;
}

/* The session so far, drawn into out in form f. */
void
diagram_write(struct buf *out, enum diagram_form f)
{
	struct diagram	d;
	struct buf	note = { 0 }, top = { 0 };

	diagram_build(&d, f == DIAGRAM_TEXT ? COLS_TEXT : COLS_WIDE);
	if (d.ncols == 0) {
		diagram_clear(&d);
		return;
	}
	(void)left_out(&d, &note);
	(void)left_out_before(&top);
	switch (f) {
	case DIAGRAM_TEXT:
		draw_text(&d, out, &top);
		if (note.len > 0)
			buf_printf(out, "%s\n", buf_str(&note));
		break;
	case DIAGRAM_SVG:
		draw_svg(&d, out, &top, &note);
		break;
	case DIAGRAM_MERMAID:
		draw_mermaid(&d, out, &top, &note);
		break;
	}
	buf_free(&note);
	buf_free(&top);
	diagram_clear(&d);
}
