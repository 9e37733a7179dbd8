/*
 * The session log: every command run and every call record it made, kept
 * for export (export.c). An observer of the call layer, like the trace.
 *
 * A session may run millions of commands (a script in a loop, a long
 * transfer), so the log is one compact byte stream: each step and record
 * is a tag and the fields that are not zero, as variable-length integers,
 * about twenty bytes for a send or a receive. Writing it costs a few
 * appends per call and almost no fresh memory; page faults on a growing
 * log of full records were most of the time of a long scripted exchange
 * (bench/README.md). Export expands the stream into arrays when it runs
 * (log_expand) and frees them after (log_release).
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

struct log_step	*log_steps;
size_t		 log_nsteps;
struct log_rec	*log_recs;
size_t		 log_nrecs;

static struct buf	 stream;
static struct buf	 pfds;		/* expanded poll sets */
static struct buf	 xdata;		/* expanded sent bytes */
static struct buf	 xtext;		/* expanded strings (call_rec text) */
/* Inside a logged step: calls outside a command are not logged. */
static int		 in_step;
/* The running step's words: a send of just those is not kept twice. */
static const struct word *step_argv;
static int		 step_argc;
/*
 * The log stops growing at LOG_MAX bytes, so a session that runs for days
 * keeps bounded memory; export then covers the commands before.
 */
#define LOG_MAX		(64 * 1024 * 1024)
static unsigned long	 steps_dropped;

#define NOT_KEPT	((size_t)-1)

/* Tags in the stream. */
#define T_STEP		'S'	/* a step begins */
#define T_REC		'R'	/* a call record */
#define T_END		'E'	/* the step ended */

/* Which of a record's optional fields follow, in this order. */
enum {
	/* A send's or a receive's fit in the first seven: one byte. */
	F_FD, F_SEQ, F_RET, F_LEN, F_DATA, F_FLAGS, F_ERR,
	F_FAMILY, F_TYPE, F_PROTOCOL, F_SV, F_NEWSEQ, F_ADDR, F_ARG, F_ARG2,
	F_SHOW, F_FMT, F_OPT, F_POLL, F_TS, F_SNAP, F_WORDS, F_MSG, F_TEXT,
	F_FD2, F__COUNT
};

/* A varint at p; returns the byte after it. */
static unsigned char *
vput(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* Signed, zigzagged so that -1 takes one byte. */
static unsigned char *
vput_i(unsigned char *p, int64_t v)
{
	return vput(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/*
 * Records and steps are written in place: room for the most a record can
 * take (MAX_FIXED bytes of numbers, plus its bytes) is made first.
 */
#define MAX_FIXED	512

static unsigned char *
room(size_t n)
{
	return (unsigned char *)buf_room(&stream, MAX_FIXED + n);
}

static void
done(unsigned char *start, unsigned char *end)
{
	buf_commit(&stream, (size_t)(end - start));
}

static uint64_t
get_u(size_t *off)
{
	const unsigned char *p = (const unsigned char *)stream.data;
	uint64_t	v = 0;
	int		shift = 0;

	while (p[*off] & 0x80) {
		v |= (uint64_t)(p[(*off)++] & 0x7f) << shift;
		shift += 7;
	}
	v |= (uint64_t)p[(*off)++] << shift;
	return v;
}

static int64_t
get_i(size_t *off)
{
	uint64_t	u = get_u(off);

	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static void
get_bytes(size_t *off, void *p, size_t n)
{
	memcpy(p, stream.data + *off, n);
	*off += n;
}

/* Commands that only run others are not steps: their commands are. */
static int
is_wrapper(const struct cmd_entry *e)
{
	return e == &cmd_on_entry || e == &cmd_source_entry ||
	    e == &cmd_repeat_entry;
}

/* The entry's place in cmd_table; the last few are remembered. */
static unsigned
cmd_index(const struct cmd_entry *e)
{
	static const struct cmd_entry	*seen[4];
	static unsigned			 at[4], next;
	unsigned			 i;

	for (i = 0; i < 4; i++)
		if (seen[i] == e)
			return at[i];
	for (i = 0; cmd_table[i] != NULL && cmd_table[i] != e; i++)
		;
	seen[next] = e;
	at[next] = i;
	next = (next + 1) % 4;
	return i;
}

void
log_begin(const struct cmd_entry *e, const struct word *argv, int argc,
    const struct sock *sk)
{
	unsigned char	*p0, *p;
	size_t		 n = 0;
	int		 i;

	if (is_wrapper(e))
		return;
	if (stream.len >= LOG_MAX) {
		steps_dropped++;
		return;
	}
	step_argv = argv;
	step_argc = argc;
	for (i = 0; i < argc; i++)
		n += argv[i].len + 10;
	p = p0 = room(n);
	*p++ = T_STEP;
	p = vput(p, cmd_index(e));
	p = vput_i(p, sk != NULL ? sk->fd : -1);
	p = vput(p, sk != NULL ? sk->seq : 0);
	p = vput_i(p, sk != NULL ? (int64_t)(sk->timeout * 1e6) : -1);
	p = vput(p, (uint64_t)argc);
	for (i = 0; i < argc; i++) {
		p = vput(p, ((uint64_t)argv[i].len << 1) |
		    (argv[i].quoted != 0));
		memcpy(p, argv[i].s, argv[i].len);
		p += argv[i].len;
	}
	done(p0, p);
	in_step = 1;
}

void
log_end(int r)
{
	unsigned char	*p0, *p;

	if (!in_step)
		return;
	p = p0 = room(0);
	*p++ = T_END;
	p = vput_i(p, r);
	p = vput_i(p, sess.last.ret);
	p = vput_i(p, sess.last.err);
	done(p0, p);
	in_step = 0;
	step_argv = NULL;
	step_argc = 0;
}

/* 0 for none, 1 for sockopt_raw, 2 and up for the table's. */
static int
opt_index(const struct sockopt *o)
{
	if (o == &sockopt_raw)
		return 1;
	return o != NULL ? (int)(o - sockopts) + 2 : 0;
}

/*
 * How many of the n bytes at p are the step's words joined by spaces, as
 * send DATA sends them; 0 when they are not.
 */
static size_t
words_prefix(const char *p, size_t n)
{
	size_t	off = 0;
	int	i;

	if (step_argc == 0)
		return 0;
	for (i = 0; i < step_argc; i++) {
		if (i > 0) {
			if (off >= n || p[off] != ' ')
				return 0;
			off++;
		}
		if (off + step_argv[i].len > n ||
		    memcmp(p + off, step_argv[i].s, step_argv[i].len) != 0)
			return 0;
		off += step_argv[i].len;
	}
	return off;
}

/* A string, its length + 1 first (0 for NULL). */
static unsigned char *
put_text(unsigned char *p, const char *s)
{
	size_t	n;

	if (s == NULL)
		return vput(p, 0);
	n = strlen(s);
	p = vput(p, n + 1);
	memcpy(p, s, n);
	return p + n;
}

/* A string put_text wrote, onto xtext; its offset there, or NOT_KEPT. */
static size_t
get_text(size_t *off)
{
	uint64_t	n = get_u(off);
	size_t		at = xtext.len;

	if (n == 0)
		return NOT_KEPT;
	buf_add(&xtext, stream.data + *off, (size_t)n - 1);
	buf_addc(&xtext, '\0');
	*off += (size_t)n - 1;
	return at;
}

/*
 * The observer. Sent bytes are kept (a program must send them again),
 * once: not again when they are the step's words; received ones are not (a
 * program prints what it receives). A loop's hidden calls are left out
 * unless one fails or ends it: its command's words say what it did.
 */
void
log_observe(const struct call_rec *r)
{
	unsigned char	*p0, *p;
	uint64_t	 have = 0;
	size_t		 words, n;
	int		 i, data;

	if (!in_step || (r->flags & CF_BEHIND))
		return;
	/* A loop's hidden calls are its command's; only how it ended counts. */
	if ((r->flags & CF_HIDDEN) && r->ret > 0)
		return;
	/* An OpenSSL set-up call's text too: export writes it. */
	data = (r->call == CALL_SEND || r->call == CALL_SENDTO ||
	    r->call == CALL_SENDMSG || r->call == CALL_SSL_SETUP) &&
	    !(r->flags & CF_HIDDEN) && r->data != NULL;
	words = data ? words_prefix(r->data, r->len) : 0;
#define HAVE(f, cond)	if (cond) have |= (uint64_t)1 << (f)
	HAVE(F_FLAGS, r->flags != 0);
	HAVE(F_FD, r->fd != 0);
	HAVE(F_SEQ, r->seq != 0);
	HAVE(F_RET, r->ret != 0);
	HAVE(F_ERR, r->err != 0);
	HAVE(F_FAMILY, r->family != 0);
	HAVE(F_TYPE, r->type != 0);
	HAVE(F_PROTOCOL, r->protocol != 0);
	HAVE(F_SV, r->call == CALL_SOCKETPAIR && r->ret == 0);
	HAVE(F_NEWSEQ, r->new_seq != 0);
	HAVE(F_ADDR, r->addr.len != 0);
	HAVE(F_ARG, r->arg != 0);
	HAVE(F_ARG2, r->arg2 != 0);
	HAVE(F_DATA, data);
	HAVE(F_LEN, r->len != 0);
	HAVE(F_SHOW, r->show != 0);
	HAVE(F_FMT, r->fmt != 0);
	HAVE(F_OPT, r->opt != NULL);
	HAVE(F_POLL, (r->pfd != NULL && r->nfds > 0) ||
	    r->call == CALL_EPOLL_WAIT || r->call == CALL_SELECT);
	HAVE(F_TS, r->call == CALL_NANOSLEEP);
	/* The socket as it is after a send or receive tells export nothing. */
	HAVE(F_WORDS, words > 0);
	/* sendmsg's control messages (export passes the same), recvmsg's fds. */
	HAVE(F_MSG, (r->call == CALL_SENDMSG || r->call == CALL_RECVMSG) &&
	    r->ret >= 0);
	HAVE(F_TEXT, r->text != NULL || r->text2 != NULL);
	HAVE(F_FD2, r->fd2 != 0 || r->seq2 != 0);
	HAVE(F_SNAP, r->snap.fd >= 0 && r->call != CALL_SEND &&
	    r->call != CALL_SENDTO && r->call != CALL_RECV &&
	    r->call != CALL_RECVFROM && r->call != CALL_BUFFERED &&
	    r->call != CALL_SENDMSG && r->call != CALL_RECVMSG);
#undef HAVE
	p = p0 = room(r->addr.len + (data ? r->len : 0) + r->ctllen +
	    (size_t)(r->pfd != NULL ? r->nfds : 0) * 30 +
	    (r->text != NULL ? strlen(r->text) : 0) +
	    (r->text2 != NULL ? strlen(r->text2) : 0));
	*p++ = T_REC;
	p = vput(p, (uint64_t)r->call);
	p = vput(p, have);
	if (have & (1 << F_FLAGS))
		p = vput(p, (uint64_t)r->flags);
	if (have & (1 << F_FD))
		p = vput_i(p, r->fd);
	if (have & (1 << F_SEQ))
		p = vput(p, r->seq);
	if (have & (1 << F_RET))
		p = vput_i(p, r->ret);
	if (have & (1 << F_ERR))
		p = vput(p, (uint64_t)r->err);
	if (have & (1 << F_FAMILY))
		p = vput_i(p, r->family);
	if (have & (1 << F_TYPE))
		p = vput_i(p, r->type);
	if (have & (1 << F_PROTOCOL))
		p = vput_i(p, r->protocol);
	if (have & (1 << F_SV)) {
		p = vput_i(p, r->sv[0]);
		p = vput_i(p, r->sv[1]);
		p = vput(p, r->sv_seq[0]);
		p = vput(p, r->sv_seq[1]);
	}
	if (have & (1 << F_NEWSEQ))
		p = vput(p, r->new_seq);
	if (have & (1 << F_ADDR)) {
		p = vput(p, r->addr.len);
		memcpy(p, &r->addr.ss, r->addr.len);
		p += r->addr.len;
	}
	if (have & (1 << F_ARG))
		p = vput_i(p, r->arg);
	if (have & (1 << F_ARG2))
		p = vput_i(p, r->arg2);
	if (have & (1 << F_LEN))
		p = vput(p, r->len);
	if (have & (1 << F_DATA)) {
		/* The step's words, when they start it, are not kept twice. */
		memcpy(p, r->data + words, r->len - words);
		p += r->len - words;
	}
	if (have & (1 << F_SHOW))
		p = vput(p, r->show);
	if (have & (1 << F_FMT))
		p = vput(p, r->fmt);
	if (have & (1 << F_OPT)) {
		p = vput(p, (uint64_t)opt_index(r->opt));
		p = vput(p, r->vallen);
		memcpy(p, &r->val, sizeof r->val);
		p += sizeof r->val;
	}
	if (have & (1 << F_POLL)) {
		p = vput(p, (uint64_t)r->nfds);
		p = vput_i(p, r->timeout_ms);
		for (i = 0; i < r->nfds; i++) {
			p = vput_i(p, r->pfd[i].fd);
			p = vput(p, (uint16_t)r->pfd[i].events);
			p = vput(p, (uint16_t)r->pfd[i].revents);
		}
	}
	if (have & (1 << F_TS)) {
		p = vput_i(p, r->ts.tv_sec);
		p = vput_i(p, r->ts.tv_nsec);
	}
	if (have & (1 << F_SNAP)) {
		p = vput_i(p, r->snap.family);
		p = vput_i(p, r->snap.type);
		p = vput_i(p, r->snap.protocol);
		p = vput(p, r->snap.state);
		p = vput(p, r->snap.nonblock);
		p = vput_i(p, (int64_t)(r->snap.timeout * 1e6));
	}
	if (have & (1 << F_MSG)) {
		n = r->call == CALL_SENDMSG ? r->ctllen : 0;
		p = vput(p, n);
		if (n > 0)
			memcpy(p, r->ctl, n);
		p += n;
		p = vput(p, (uint64_t)r->mflags);
		p = vput(p, r->ctlcap);
		p = vput(p, (uint64_t)r->nrx);
		for (i = 0; i < r->nrx; i++) {
			p = vput_i(p, r->rxfd[i]);
			p = vput(p, r->rxseq[i]);
		}
	}
	if (have & (1 << F_TEXT)) {
		p = put_text(p, r->text);
		p = put_text(p, r->text2);
	}
	if (have & (1 << F_FD2)) {
		p = vput_i(p, r->fd2);
		p = vput(p, r->seq2);
	}
	done(p0, p);
}

/* The step's words joined by spaces, onto xdata. */
static void
add_step_words(const struct log_step *st)
{
	size_t		 off = st->argv_off;
	uint64_t	 len;
	int		 i;

	for (i = 0; i < st->argc; i++) {
		len = get_u(&off);
		if (i > 0)
			buf_addc(&xdata, ' ');
		buf_add(&xdata, stream.data + off, (size_t)(len >> 1));
		off += (size_t)(len >> 1);
	}
}

/* Read one record at *off, of step st, into lr. */
static void
rec_read(size_t *off, const struct log_step *st, struct log_rec *lr)
{
	struct call_rec	*r = &lr->rec;
	struct pollfd	 p;
	uint64_t	 have;
	size_t		 n;
	int		 i;

	memset(lr, 0, sizeof *lr);
	lr->data_off = lr->pfd_off = NOT_KEPT;
	lr->text_off[0] = lr->text_off[1] = NOT_KEPT;
	r->snap.fd = -1;
	r->timeout_ms = -1;
	r->call = (enum call_id)get_u(off);
	have = get_u(off);
	if (have & (1 << F_FLAGS))
		r->flags = (int)get_u(off);
	if (have & (1 << F_FD))
		r->fd = (int)get_i(off);
	if (have & (1 << F_SEQ))
		r->seq = get_u(off);
	if (have & (1 << F_RET))
		r->ret = (long)get_i(off);
	if (have & (1 << F_ERR))
		r->err = (int)get_u(off);
	if (have & (1 << F_FAMILY))
		r->family = (int)get_i(off);
	if (have & (1 << F_TYPE))
		r->type = (int)get_i(off);
	if (have & (1 << F_PROTOCOL))
		r->protocol = (int)get_i(off);
	if (have & (1 << F_SV)) {
		r->sv[0] = (int)get_i(off);
		r->sv[1] = (int)get_i(off);
		r->sv_seq[0] = get_u(off);
		r->sv_seq[1] = get_u(off);
	}
	if (have & (1 << F_NEWSEQ))
		r->new_seq = get_u(off);
	if (have & (1 << F_ADDR)) {
		r->addr.len = (socklen_t)get_u(off);
		get_bytes(off, &r->addr.ss, r->addr.len);
	}
	if (have & (1 << F_ARG))
		r->arg = (int)get_i(off);
	if (have & (1 << F_ARG2))
		r->arg2 = (long)get_i(off);
	if (have & (1 << F_LEN))
		r->len = (size_t)get_u(off);
	if (have & (1 << F_DATA)) {
		/* The words of the step first, when they were left out. */
		lr->data_off = xdata.len;
		if (have & (1 << F_WORDS))
			add_step_words(st);
		n = r->len - (xdata.len - lr->data_off);
		buf_add(&xdata, stream.data + *off, n);
		*off += n;
	}
	if (have & (1 << F_SHOW))
		r->show = (enum rec_show)get_u(off);
	if (have & (1 << F_FMT))
		r->fmt = (enum data_format)get_u(off);
	if (have & (1 << F_OPT)) {
		i = (int)get_u(off);
		r->opt = i == 1 ? &sockopt_raw : i > 1 ? &sockopts[i - 2] :
		    NULL;
		r->vallen = (socklen_t)get_u(off);
		get_bytes(off, &r->val, sizeof r->val);
	}
	if (have & (1 << F_POLL)) {
		r->nfds = (int)get_u(off);
		r->timeout_ms = (int)get_i(off);
		lr->pfd_off = pfds.len;
		for (i = 0; i < r->nfds; i++) {
			p.fd = (int)get_i(off);
			p.events = (short)get_u(off);
			p.revents = (short)get_u(off);
			buf_add(&pfds, &p, sizeof p);
		}
	}
	if (have & (1 << F_TS)) {
		r->ts.tv_sec = (time_t)get_i(off);
		r->ts.tv_nsec = (long)get_i(off);
	}
	if (have & (1 << F_SNAP)) {
		r->snap.fd = r->fd;
		r->snap.family = (int)get_i(off);
		r->snap.type = (int)get_i(off);
		r->snap.protocol = (int)get_i(off);
		r->snap.state = (enum sock_state)get_u(off);
		r->snap.nonblock = (int)get_u(off);
		r->snap.timeout = (double)get_i(off) / 1e6;
	}
	if (have & (1 << F_MSG)) {
		r->ctllen = (size_t)get_u(off);
		lr->ctl_off = xdata.len;
		buf_add(&xdata, stream.data + *off, r->ctllen);
		*off += r->ctllen;
		r->mflags = (int)get_u(off);
		r->ctlcap = (size_t)get_u(off);
		r->nrx = (int)get_u(off);
		for (i = 0; i < r->nrx && i < RX_MAX; i++) {
			r->rxfd[i] = (int)get_i(off);
			r->rxseq[i] = get_u(off);
		}
	}
	if (have & (1 << F_TEXT)) {
		lr->text_off[0] = get_text(off);
		lr->text_off[1] = get_text(off);
	}
	if (have & (1 << F_FD2)) {
		r->fd2 = (int)get_i(off);
		r->seq2 = get_u(off);
	}
}

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t	n;

	if (need <= *cap)
		return p;
	n = *cap ? *cap * 2 : 64;
	while (n < need)
		n *= 2;
	if ((p = realloc(p, n * size)) == NULL)
		nomem();
	*cap = n;
	return p;
}

/*
 * Lay the stream out as arrays of steps and records for export, until
 * log_release. A step still running (the export itself) is the last.
 */
void
log_expand(void)
{
	struct log_step	*st = NULL;
	size_t		 off = 0, i, caps = 0, capr = 0;
	uint64_t	 len;
	int		 tag;

	log_release();
	while (off < stream.len) {
		tag = stream.data[off++];
		if (tag == T_STEP) {
			log_steps = grow(log_steps, &caps, log_nsteps + 1,
			    sizeof *log_steps);
			st = &log_steps[log_nsteps++];
			memset(st, 0, sizeof *st);
			st->cmd = cmd_table[get_u(&off)];
			st->fd = (int)get_i(&off);
			st->seq = get_u(&off);
			st->timeout = (double)get_i(&off) / 1e6;
			st->argc = (int)get_u(&off);
			st->argv_off = off;
			for (i = 0; i < (size_t)st->argc; i++) {
				len = get_u(&off);
				off += (size_t)(len >> 1);
			}
			st->first = log_nrecs;
		} else if (tag == T_REC) {
			log_recs = grow(log_recs, &capr, log_nrecs + 1,
			    sizeof *log_recs);
			rec_read(&off, st, &log_recs[log_nrecs++]);
			if (st != NULL)
				st->nrecs++;
		} else if (tag == T_END && st != NULL) {
			st->status = (int)get_i(&off);
			st->ret = (long)get_i(&off);
			st->err = (int)get_i(&off);
		} else
			abort();	/* the stream is ours: never */
	}
	/* The strings are all in place now: point the records at them. */
	for (i = 0; i < log_nrecs; i++) {
		struct log_rec *lr = &log_recs[i];

		lr->rec.text = lr->text_off[0] == NOT_KEPT ? NULL :
		    xtext.data + lr->text_off[0];
		lr->rec.text2 = lr->text_off[1] == NOT_KEPT ? NULL :
		    xtext.data + lr->text_off[1];
	}
	/* The step still running has the outcome so far. */
	if (in_step && st != NULL) {
		st->ret = sess.last.ret;
		st->err = sess.last.err;
	}
}

void
log_release(void)
{
	free(log_steps);
	free(log_recs);
	buf_free(&pfds);
	buf_free(&xdata);
	buf_free(&xtext);
	log_steps = NULL;
	log_recs = NULL;
	log_nsteps = log_nrecs = 0;
}

const char *
log_rec_data(const struct log_rec *lr)
{
	return lr->data_off == NOT_KEPT ? NULL : xdata.data + lr->data_off;
}

/* sendmsg's control messages as the log keeps them, or NULL. */
const void *
log_rec_ctl(const struct log_rec *lr)
{
	return lr->rec.ctllen == 0 ? NULL : xdata.data + lr->ctl_off;
}

const struct pollfd *
log_rec_pfd(const struct log_rec *lr)
{
	return lr->pfd_off == NOT_KEPT ? NULL :
	    (const struct pollfd *)(void *)(pfds.data + lr->pfd_off);
}

/* Commands not logged because the log was full. */
unsigned long
log_dropped(void)
{
	return steps_dropped;
}

/* All the words of a step into w, in one pass. */
void
log_words(const struct log_step *st, struct words *w)
{
	size_t		 off = st->argv_off;
	uint64_t	 len;
	int		 i;

	for (i = 0; i < st->argc; i++) {
		len = get_u(&off);
		words_push(w, stream.data + off, (size_t)(len >> 1),
		    (int)(len & 1));
		off += (size_t)(len >> 1);
	}
}

void
log_free(void)
{
	log_release();
	buf_free(&stream);
}
