/*
 * export c and export python: the session so far as a program.
 *
 * The session log (log.c) holds every command run and the call records it
 * made. This file reads it once into what both writers need and cannot see
 * in a single record: which variable each socket becomes (fds are reused,
 * seqs are not), which ports the kernel chose that the program must read
 * back at run time rather than hard-code, which addresses are a sender
 * recvfrom returned, and what each step's expects assert. export-c.c and
 * export-py.c then write the program step by step.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

enum role {
	R_SOCK,
	R_LISTENER,
	R_CONN,
	R_CLIENT,
	R_UDP,
	R_DGRAM,
	R_LEFT,
	R_RIGHT,
	R_EPOLL,
	R_DUP,
	R__COUNT
};

static const char *const role_names[R__COUNT] = {
	"sock", "listener", "conn", "client", "udp", "dgram", "left", "right",
	"ep", "copy"
};

static struct xsock *
sock_new(struct export *x, uint64_t seq, int family, int type, int protocol)
{
	struct xsock	*s;

	x->socks = reallocarray(x->socks, x->nsocks + 1, sizeof *x->socks);
	if (x->socks == NULL)
		nomem();
	s = &x->socks[x->nsocks++];
	memset(s, 0, sizeof *s);
	s->seq = seq;
	s->family = family;
	s->type = type;
	s->protocol = protocol;
	return s;
}

struct xsock *
export_sock(struct export *x, uint64_t seq)
{
	size_t	i;

	for (i = 0; i < x->nsocks; i++)
		if (x->socks[i].seq == seq)
			return &x->socks[i];
	return NULL;
}

/*
 * The variable of socket seq; a socket made before the log began has none.
 * Each use is counted, so a writer sees a variable only ever assigned.
 */
const char *
export_name(struct export *x, uint64_t seq)
{
	struct xsock	*s = export_sock(x, seq);

	if (s == NULL)
		return "sock0";
	s->refs++;
	return s->name;
}

/* Which socket each fd is, as the records are written in order. */
void
export_track(struct export *x, const struct call_rec *r)
{
	uint64_t	seq[RX_MAX + 2];
	int		fd[RX_MAX + 2], i, n = 0;

	if (r->flags & CF_NOTMADE)
		return;
	if (r->call == CALL_SOCKET && r->ret >= 0) {
		fd[n] = (int)r->ret;
		seq[n++] = r->seq;
	} else if (r->call == CALL_ACCEPT && r->ret >= 0) {
		fd[n] = (int)r->ret;
		seq[n++] = r->new_seq;
	} else if (r->call == CALL_SOCKETPAIR && r->ret == 0) {
		for (; n < 2; n++) {
			fd[n] = r->sv[n];
			seq[n] = r->sv_seq[n];
		}
	} else if (r->call == CALL_RECVMSG && r->ret >= 0) {
		for (i = 0; i < r->nrx; i++) {
			if (r->rxseq[i] == 0)
				continue;
			fd[n] = r->rxfd[i];
			seq[n++] = r->rxseq[i];
		}
	} else if ((r->call == CALL_EPOLL_CREATE) && r->ret >= 0) {
		fd[n] = (int)r->ret;
		seq[n++] = r->seq;
	} else if (r->call == CALL_DUP && r->ret >= 0) {
		fd[n] = (int)r->ret;
		seq[n++] = r->new_seq;
	} else if (r->call == CALL_CLOSE && r->fd >= 0 &&
	    (size_t)r->fd < x->nfd)
		x->fdseq[r->fd] = 0;
	for (i = 0; i < n; i++) {
		if (fd[i] < 0)
			continue;
		if ((size_t)fd[i] >= x->nfd) {
			x->fdseq = reallocarray(x->fdseq, (size_t)fd[i] + 1,
			    sizeof *x->fdseq);
			if (x->fdseq == NULL)
				nomem();
			memset(x->fdseq + x->nfd, 0, ((size_t)fd[i] + 1 -
			    x->nfd) * sizeof *x->fdseq);
			x->nfd = (size_t)fd[i] + 1;
		}
		x->fdseq[fd[i]] = seq[i];
	}
}

/* An fd the records name: its socket's variable, or the number. */
void
export_fd_name(struct export *x, struct buf *b, int fd, uint64_t seq)
{
	if (seq != 0 && export_sock(x, seq) != NULL)
		buf_adds(b, export_name(x, seq));
	else
		buf_printf(b, "%d", fd);
}

uint64_t
export_fd_seq(struct export *x, int fd)
{
	if (fd < 0 || (size_t)fd >= x->nfd)
		return 0;
	return x->fdseq[fd];
}

static int
is_inet(const struct addr *a)
{
	return a->len > 0 && (a->ss.ss_family == AF_INET ||
	    a->ss.ss_family == AF_INET6);
}

static int
same_addr(const struct addr *a, const struct addr *b)
{
	return a->len > 0 && a->len == b->len &&
	    memcmp(&a->ss, &b->ss, a->len) == 0;
}

/* Commands that loop in user space: exported as a helper function. */
int
export_is_loop(const struct log_step *st)
{
	return st->cmd == &cmd_recvline_entry ||
	    st->cmd == &cmd_recvuntil_entry ||
	    st->cmd == &cmd_recvall_entry || st->cmd == &cmd_sendall_entry ||
	    export_is_exactly(st);
}

/* Is the step recv exactly N, a loop of recv calls? */
int
export_is_exactly(const struct log_step *st)
{
	struct words	w = { 0 };
	int		i = 0, r;

	if (st->cmd != &cmd_recv_entry)
		return 0;
	log_words(st, &w);
	if (w.n >= 2 && !w.v[0].quoted && strcmp(w.v[0].s, "-f") == 0)
		i = 2;
	r = i < w.n && !w.v[i].quoted && strcmp(w.v[i].s, "exactly") == 0;
	words_free(&w);
	return r;
}

static int
role_of(const struct export *x, uint64_t seq, int *roles, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (x->socks[i].seq == seq)
			return roles[i];
	return -1;
}

static void
set_role(const struct export *x, uint64_t seq, int *roles, int role)
{
	size_t	i;

	for (i = 0; i < x->nsocks; i++)
		if (x->socks[i].seq == seq && (roles[i] == R_SOCK ||
		    (roles[i] == R_CLIENT && role == R_LISTENER)))
			roles[i] = role;
}

/* Name each socket after its role, numbered when several share one. */
static void
name_socks(struct export *x)
{
	const struct call_rec	*r;
	int			*roles, count[R__COUNT] = { 0 }, seen[R__COUNT] = { 0 };
	size_t			 i;

	if ((roles = calloc(x->nsocks + 1, sizeof *roles)) == NULL)
		nomem();
	for (i = 0; i < x->nsocks; i++) {
		if (x->socks[i].type == SOCK_DGRAM)
			roles[i] = x->socks[i].family == AF_UNIX ? R_DGRAM :
			    R_UDP;
	}
	for (i = 0; i < log_nrecs; i++) {
		r = &log_recs[i].rec;
		if (x->recs[i].skip)
			continue;
		/* A connect that failed still makes a client. */
		if (r->call == CALL_CONNECT &&
		    role_of(x, r->seq, roles, x->nsocks) == R_SOCK)
			set_role(x, r->seq, roles, R_CLIENT);
		if (r->ret < 0)
			continue;
		if (r->call == CALL_ACCEPT)
			set_role(x, r->new_seq, roles, R_CONN);
		else if (r->call == CALL_LISTEN)
			set_role(x, r->seq, roles, R_LISTENER);
		else if (r->call == CALL_SOCKETPAIR) {
			set_role(x, r->sv_seq[0], roles, R_LEFT);
			set_role(x, r->sv_seq[1], roles, R_RIGHT);
		} else if (r->call == CALL_EPOLL_CREATE)
			set_role(x, r->seq, roles, R_EPOLL);
		else if (r->call == CALL_DUP)
			set_role(x, r->new_seq, roles, R_DUP);
	}
	for (i = 0; i < x->nsocks; i++)
		count[roles[i]]++;
	for (i = 0; i < x->nsocks; i++) {
		if (count[roles[i]] > 1)
			snprintf(x->socks[i].name, sizeof x->socks[i].name,
			    "%s%d", role_names[roles[i]], ++seen[roles[i]]);
		else
			snprintf(x->socks[i].name, sizeof x->socks[i].name,
			    "%s", role_names[roles[i]]);
	}
	free(roles);
}

/*
 * An address a program must not hard-code: a port the kernel chose (read
 * back with getsockname when it was chosen) or a sender recvfrom returned.
 */
static void
find_runtime_addrs(struct export *x)
{
	const struct call_rec	*r, *g;
	long			*last_from;	/* per socket */
	size_t			 i, k;
	long			 j;
	struct xsock		*s;

	if ((last_from = calloc(x->nsocks + 1, sizeof *last_from)) == NULL)
		nomem();
	for (k = 0; k < x->nsocks; k++)
		last_from[k] = -1;
	for (i = 0; i < log_nrecs; i++) {
		r = &log_recs[i].rec;
		x->recs[i].port_src = x->recs[i].peer_src = -1;
		if (x->recs[i].skip)
			continue;
		if (r->call == CALL_RECVFROM && r->ret >= 0 &&
		    r->addr.len > 0) {
			for (k = 0; k < x->nsocks; k++)
				if (x->socks[k].seq == r->seq)
					last_from[k] = (long)i;
			continue;
		}
		if ((r->call != CALL_CONNECT && r->call != CALL_SENDTO &&
		    r->call != CALL_BIND) || r->addr.len == 0)
			continue;
		for (k = 0; k < x->nsocks; k++) {
			if (last_from[k] < 0 || !same_addr(&r->addr,
			    &log_recs[last_from[k]].rec.addr))
				continue;
			x->recs[i].peer_src = last_from[k];
			x->recs[last_from[k]].used = 1;
			x->socks[k].peer_var = 1;
			break;
		}
		if (x->recs[i].peer_src >= 0 || !is_inet(&r->addr) ||
		    addr_port((const struct sockaddr *)&r->addr.ss) <= 0)
			continue;
		for (j = (long)i - 1; j >= 0; j--) {
			g = &log_recs[j].rec;
			if (x->recs[j].skip || g->call != CALL_GETSOCKNAME ||
			    g->ret != 0 || !is_inet(&g->addr) ||
			    addr_port((const struct sockaddr *)&g->addr.ss) !=
			    addr_port((const struct sockaddr *)&r->addr.ss))
				continue;
			/* A bind to the very port it reads back is no use. */
			if (r->call == CALL_BIND && g->seq == r->seq)
				continue;
			x->recs[i].port_src = j;
			x->recs[j].used = 1;
			if ((s = export_sock(x, g->seq)) != NULL)
				s->port_var = 1;
			break;
		}
	}
	free(last_from);
}

/* An OpenSSL call's record: the handshake, SSL_write or SSL_read. */
static int
is_tls_io(const struct call_rec *r)
{
	return (r->flags & CF_TLS) || r->call == CALL_SSL_CONNECT ||
	    r->call == CALL_SSL_ACCEPT;
}

/*
 * On a socket with a timeout (non-blocking underneath), an OpenSSL call
 * that wants the socket ready fails with SSL_ERROR_WANT_*, sockrepl waits
 * in ppoll and calls again. The program's TLS calls wait for themselves
 * (the C helpers, Python's SSLSocket), so those tries and waits are not
 * written: only the call that ended it, or a wait that ran out. Returns
 * 1 when record i of step is one of them.
 */
static int
tls_wait_part(size_t step, size_t i)
{
	const struct log_step	*st = &log_steps[step];
	const struct call_rec	*r = &log_recs[i].rec, *o;
	const struct pollfd	*pfd;
	size_t			 j, end = st->first + st->nrecs;

	if (is_tls_io(r)) {
		if (r->ret >= 0 || r->err != EAGAIN)
			return 0;
		for (j = i + 1; j < end; j++) {
			o = &log_recs[j].rec;
			if (o->seq != r->seq)
				continue;
			if (o->call == r->call && is_tls_io(o))
				return 1;
			if (o->call == CALL_PPOLL && (o->flags & CF_WAIT))
				return 1;
		}
		return 0;
	}
	if (r->call != CALL_PPOLL || !(r->flags & CF_WAIT) ||
	    (pfd = log_rec_pfd(&log_recs[i])) == NULL || r->nfds < 1)
		return 0;
	/* A wait that ran out (or failed) is the step's end: written. */
	if (i + 1 == end && r->ret <= 0)
		return 0;
	for (j = st->first; j < end; j++) {
		o = &log_recs[j].rec;
		if (is_tls_io(o) && o->fd == pfd[0].fd)
			return 1;
	}
	return 0;
}

/*
 * poll in on a TLS socket reads TLS's own records (a session ticket) and
 * waits again (cmd-script.c): one wait for data in the programs, the
 * step's last ppoll, so the others are not written.
 */
static int
tls_poll_retry(size_t step, size_t i)
{
	const struct log_step	*st = &log_steps[step];
	const struct call_rec	*r = &log_recs[i].rec;
	size_t			 j;

	/* poll makes one ppoll, more only when TLS's records came. */
	if (st->cmd != &cmd_poll_entry || r->call != CALL_PPOLL)
		return 0;
	for (j = i + 1; j < st->first + st->nrecs; j++)
		if (log_recs[j].rec.call == CALL_PPOLL)
			return 1;
	return 0;
}

/* The timeout the user gave a poll step: its first ppoll's. */
int
export_poll_ms(size_t step, int dflt)
{
	const struct log_step	*st = &log_steps[step];
	size_t			 j;

	for (j = st->first; j < st->first + st->nrecs; j++)
		if (log_recs[j].rec.call == CALL_PPOLL)
			return log_recs[j].rec.timeout_ms;
	return dflt;
}

/*
 * A starttls whose set-up failed before any handshake (a typo in a path,
 * say) left nothing behind: no SSL, the socket as it was. Its records are
 * not written, as a command that made no call.
 */
int
tls_setup_failed(size_t step)
{
	const struct log_step	*st = &log_steps[step];
	const struct call_rec	*r;
	size_t			 i;
	int			 failed = 0;

	if (st->cmd != &cmd_starttls_entry)
		return 0;
	for (i = st->first; i < st->first + st->nrecs; i++) {
		r = &log_recs[i].rec;
		if (r->call == CALL_SSL_CONNECT || r->call == CALL_SSL_ACCEPT)
			return 0;
		if (r->call == CALL_SSL_SETUP && r->ret < 0)
			failed = 1;
	}
	return failed;
}

/*
 * The quoted argument of an OpenSSL set-up call's text (t, n) as the
 * trace shows it, its escapes undone, into b. Returns 0 if there is none.
 */
int
export_tls_arg(const char *t, size_t n, struct buf *b)
{
	const char	*p, *q;
	struct buf	 err = { 0 };
	int		 ok;

	buf_reset(b);
	if ((p = memchr(t, '"', n)) == NULL)
		return 0;
	p++;
	for (q = t + n; q > p && q[-1] != '"'; q--)
		;
	if (q <= p)
		return 0;
	ok = unescape(p, (size_t)(q - p - 1), b, &err) == 0;
	buf_free(&err);
	return ok;
}

/*
 * Why a session with TLS cannot be written as a program, or NULL when it
 * can (or used no TLS): a client, or a server with CERT KEY, whose TLS
 * calls all worked (the waits of a socket with a timeout aside); C also
 * writes the self-signed certificate starttls -server -selfsigned made.
 */
static const char *
export_tls_refusal(int c)
{
	const struct log_step	*st;
	const struct call_rec	*r;
	const char		*d;
	size_t			 i, k;

	for (k = 0; k < log_nsteps; k++) {
		st = &log_steps[k];
		if (tls_setup_failed(k))
			continue;
		for (i = st->first; i < st->first + st->nrecs; i++) {
			r = &log_recs[i].rec;
			if (!(r->flags & CF_TLS) &&
			    r->call != CALL_SSL_SETUP &&
			    r->call != CALL_SSL_CONNECT &&
			    r->call != CALL_SSL_ACCEPT &&
			    r->call != CALL_SSL_SHUTDOWN)
				continue;
			if (r->flags & (CF_BEHIND | CF_PEEKONLY))
				continue;
			d = log_rec_data(&log_recs[i]);
			if (!c && r->call == CALL_SSL_SETUP && d != NULL &&
			    r->len >= 10 && strncmp(d, "EVP_EC_gen", 10) == 0)
				return "the session made a self-signed "
				    "certificate in memory (starttls -server "
				    "-selfsigned), which Python's ssl module "
				    "cannot make: use -server CERT KEY, or "
				    "export c";
			if (!c && r->call == CALL_RECV && (r->arg & MSG_PEEK))
				return "the session peeked at data through TLS "
				    "(recv peek), which Python's ssl module "
				    "cannot do: export c can";
			/* A close_notify that failed: the close went on. */
			if (r->call != CALL_SEND && r->call != CALL_RECV &&
			    r->call != CALL_SSL_SHUTDOWN && r->ret < 0 &&
			    !tls_wait_part(k, i))
				return "a TLS set-up or handshake in the "
				    "session failed (or a handshake was left "
				    "for later), which export does not write";
		}
	}
	return NULL;
}

/*
 * Read the log. Returns the number of steps a program will have, or -1 if
 * the log is empty.
 */
int
export_read(struct export *x)
{
	const struct call_rec	*r;
	const struct log_step	*st;
	struct xsock		*s;
	size_t			 i, k;
	int			 steps = 0;

	if ((x->recs = calloc(log_nrecs + 1, sizeof *x->recs)) == NULL)
		nomem();
	x->maxrecv = 1;
	for (i = 0; i < log_nrecs; i++) {
		r = &log_recs[i].rec;
		if ((r->flags & (CF_NOTMADE | CF_BEHIND | CF_PEEKONLY |
		    CF_NOCALL | CF_INSPECT)) ||
		    r->call == CALL_NONE) {
			x->recs[i].skip = 1;
			continue;
		}
		if (r->call == CALL_SOCKET && r->ret >= 0)
			sock_new(x, r->seq, r->family, r->type, r->protocol);
		else if (r->call == CALL_SOCKETPAIR && r->ret == 0) {
			sock_new(x, r->sv_seq[0], AF_UNIX, r->type, 0);
			sock_new(x, r->sv_seq[1], AF_UNIX, r->type, 0);
		} else if (r->call == CALL_ACCEPT && r->ret >= 0)
			sock_new(x, r->new_seq, r->snap.family, r->snap.type,
			    r->snap.protocol);
		else if (r->call == CALL_EPOLL_CREATE && r->ret >= 0)
			sock_new(x, r->seq, 0, 0, 0);
		else if (r->call == CALL_DUP && r->ret >= 0)
			sock_new(x, r->new_seq, r->snap.family, r->snap.type,
			    r->snap.protocol);
		else if (r->call == CALL_RECVMSG && r->ret >= 0)
			for (k = 0; k < (size_t)r->nrx; k++)
				if (r->rxseq[k] != 0)
					sock_new(x, r->rxseq[k], 0, 0, 0);
		if ((r->call == CALL_RECV || r->call == CALL_RECVFROM ||
		    r->call == CALL_RECVMSG) && r->len > x->maxrecv)
			x->maxrecv = r->len;
	}
	for (k = 0; k < log_nsteps; k++)
		for (i = log_steps[k].first; i < log_steps[k].first +
		    log_steps[k].nrecs; i++)
			if (tls_wait_part(k, i) || tls_setup_failed(k) ||
			    tls_poll_retry(k, i))
				x->recs[i].skip = 1;
	name_socks(x);
	find_runtime_addrs(x);
	for (i = 0; i < log_nsteps; i++) {
		st = &log_steps[i];
		if (st->cmd == &cmd_export_entry || st->nrecs == 0)
			continue;
		steps++;
		if (st->cmd == &cmd_recvline_entry ||
		    st->cmd == &cmd_recvuntil_entry ||
		    st->cmd == &cmd_recvall_entry || export_is_exactly(st)) {
			if ((s = export_sock(x, st->seq)) != NULL)
				s->inbuf = 1;
		}
	}
	return steps;
}

void
export_free(struct export *x)
{
	free(x->socks);
	free(x->recs);
	free(x->fdseq);
	memset(x, 0, sizeof *x);
}

/*
 * Step i's words (without the command name), NUL-terminated copies; a
 * send's -m FLAGS is left out (export_step_msgflags reads it).
 */
int
export_step_words(size_t i, struct words *w)
{
	memset(w, 0, sizeof *w);
	log_words(&log_steps[i], w);
	if ((log_steps[i].cmd->flags & CMD_MSGFLAGS) && w->n >= 2 &&
	    !w->v[0].quoted && strcmp(w->v[0].s, "-m") == 0) {
		memmove(w->v, w->v + 2, (size_t)(w->n - 2) * sizeof *w->v);
		w->n -= 2;
	}
	/* -> NAME keeps the data in the session only. */
	if ((log_steps[i].cmd->flags & CMD_CAPTURE) && w->n >= 2 &&
	    !w->v[w->n - 2].quoted && strcmp(w->v[w->n - 2].s, "->") == 0)
		w->n -= 2;
	return 0;
}

/*
 * The control messages of sendmsg record i, copied where struct cmsghdr
 * may be read (the log keeps them at any offset). Returns their length.
 */
size_t
export_ctl(size_t i, union ctlbuf *u)
{
	const void	*ctl = log_rec_ctl(&log_recs[i]);
	size_t		 n = log_recs[i].rec.ctllen;

	if (ctl == NULL)
		return 0;
	if (n > sizeof u->b)
		n = sizeof u->b;
	memcpy(u->b, ctl, n);
	return n;
}

/* The MSG_ flags a send step gave with -m, or 0. */
int
export_step_msgflags(size_t i)
{
	struct words	 w = { 0 };
	int		 flags = 0;

	log_words(&log_steps[i], &w);
	if ((log_steps[i].cmd->flags & CMD_MSGFLAGS) && w.n >= 2 &&
	    !w.v[0].quoted && strcmp(w.v[0].s, "-m") == 0 &&
	    msgflags_parse(w.v[1].s, &flags) != 0)
		flags = 0;
	words_free(&w);
	return flags;
}

/* Step i as it was typed, printable, for the program's comments. */
void
export_step_text(size_t i, struct buf *b)
{
	const struct log_step	*st = &log_steps[i];
	struct words		 w = { 0 };
	const char		*p;
	size_t			 n, k;
	int			 a, plain;

	buf_adds(b, st->cmd->name);
	log_words(st, &w);
	for (a = 0; a < w.n; a++) {
		p = w.v[a].s;
		n = w.v[a].len;
		plain = n > 0;
		for (k = 0; k < n; k++)
			if (p[k] <= ' ' || p[k] >= 0x7f || p[k] == '"' ||
			    p[k] == '\\' || p[k] == '\'' || p[k] == '#')
				plain = 0;
		buf_addc(b, ' ');
		if (plain)
			buf_add(b, p, n);
		else {
			buf_addc(b, '"');
			escape_bytes(b, p, n);
			buf_addc(b, '"');
		}
	}
	words_free(&w);
}

/* Say where a step's address comes from when it is not today's value. */
void
export_step_note(struct export *x, size_t i, struct buf *b)
{
	const struct log_step	*st = &log_steps[i];
	const struct xrec	*xr;
	size_t			 j;

	for (j = st->first; j < st->first + st->nrecs; j++) {
		xr = &x->recs[j];
		if (xr->port_src >= 0) {
			buf_printf(b, " (port: %s_port)", export_name(x,
			    log_recs[xr->port_src].rec.seq));
			return;
		}
		if (xr->peer_src >= 0) {
			buf_printf(b, " (to: the sender recvfrom returned)");
			return;
		}
	}
}

/* The record whose failure is step st's outcome, or -1. */
static long
outcome_rec(const struct export *x, const struct log_step *st)
{
	const struct call_rec	*r;
	size_t			 i;

	if (st->err == 0)
		return -1;
	for (i = st->first + st->nrecs; i-- > st->first;) {
		r = &log_recs[i].rec;
		if (x->recs[i].skip)
			continue;
		if (r->ret < 0 && r->err == st->err)
			return (long)i;
		if (r->call == CALL_PPOLL && r->ret == 0 &&
		    st->err == ETIMEDOUT)
			return (long)i;
		if ((r->flags & CF_CONNRESULT) && r->ret == 0 &&
		    r->val.i == st->err)
			return (long)i;
	}
	return -1;
}

/*
 * What the session asserted about step i: the expects that follow it (up
 * to the next command that changes the outcome) and how it ended.
 */
/*
 * The bytes an expect's words want exactly, as the expect command reads
 * them (words, or one word hex:). Returns 0, or -1 for a match that is not
 * exact bytes (contains, glob, regex, alternatives, < FILE).
 */
static int
export_expect_data(const struct words *w, struct buf *out)
{
	struct buf	err = { 0 };
	int		a, first;

	first = !w->v[0].quoted && strcmp(w->v[0].s, "data") == 0;
	for (a = 0; a < w->n; a++) {
		if (w->v[a].quoted)
			continue;
		if (strcmp(w->v[a].s, "or") == 0 || strcmp(w->v[a].s, "<") == 0 ||
		    (a == 0 && (strcmp(w->v[a].s, "contains") == 0 ||
		    strcmp(w->v[a].s, "glob") == 0 ||
		    strcmp(w->v[a].s, "regex") == 0)))
			return -1;
	}
	buf_reset(out);
	if (w->n == first + 1 && !w->v[first].quoted &&
	    strncmp(w->v[first].s, "hex:", 4) == 0) {
		a = data_hex(w->v[first].s + 4, w->v[first].len - 4, out, &err);
		buf_free(&err);
		return a;
	}
	for (a = first; a < w->n; a++) {
		if (a > first)
			buf_addc(out, ' ');
		buf_add(out, w->v[a].s, w->v[a].len);
	}
	return 0;
}

void
export_expect(struct export *x, size_t i, struct xexpect *xe)
{
	const struct log_step	*st = &log_steps[i], *e;
	struct words		 w;
	const char		*k;
	long long		 n;
	int			 want_fail = 0, want_err = -1;
	size_t			 j;

	memset(xe, 0, sizeof *xe);
	xe->outcome = outcome_rec(x, st);
	/*
	 * $ret is the return of the step's last call; bytes a receive handed
	 * to its file (a record without a call) are what the call returned.
	 */
	xe->ret_rec = -1;
	for (j = st->first + st->nrecs; j-- > st->first;) {
		if (!x->recs[j].skip) {
			xe->ret_rec = (long)j;
			break;
		}
		if (log_recs[j].rec.call != CALL_BUFFERED ||
		    !(log_recs[j].rec.flags & CF_NOCALL))
			break;
	}
	for (j = i + 1; j < log_nsteps; j++) {
		e = &log_steps[j];
		if (!(e->cmd->flags & CMD_KEEPOUTCOME))
			break;
		if (e->cmd != &cmd_expect_entry || e->argc == 0)
			continue;
		if (xe->text.len > 0)
			buf_adds(&xe->text, "; ");
		export_step_text(j, &xe->text);
		export_step_words(j, &w);
		k = w.v[0].s;
		/*
		 * An expect of data or of a return value that did not hold
		 * is checked all the same, so the program fails where the
		 * session did; one about the outcome is not.
		 */
		if (e->status != CMD_OK && (w.n == 0 || strcmp(k, "error") == 0 ||
		    strcmp(k, "ok") == 0 || strcmp(k, "fail") == 0 ||
		    (strcmp(k, "ret") == 0 && w.n == 2 && w.v[1].s[0] == '-') ||
		    (st->cmd == &cmd_connect_ex_entry &&
		    strcmp(k, "ret") == 0))) {
			buf_adds(&xe->text, " (did not hold in the session: "
			    "not checked)");
			words_free(&w);
			continue;
		}
		if (strcmp(k, "error") == 0 && w.n == 2)
			want_err = errno_by_name(w.v[1].s);
		else if (strcmp(k, "ret") == 0 && w.n == 2) {
			n = strtoll(w.v[1].s, NULL, 10);
			/* connect_ex's $ret is the errno it returned. */
			if (st->cmd == &cmd_connect_ex_entry && n >= 0 &&
			    n <= INT_MAX)
				want_err = (int)n;
			else if (n < 0)
				want_fail = 1;
			else {
				xe->have_ret = 1;
				xe->ret = (long)n;
			}
		} else if (strcmp(k, "fail") == 0 && w.n == 1)
			want_fail = 1;
		else if (strcmp(k, "ok") == 0 && w.n == 1)
			want_err = 0;
		else if (export_expect_data(&w, &xe->data) == 0)
			xe->have_data = 1;
		else {
			buf_adds(&xe->text, " (a match the program does not "
			    "check)");
			words_free(&w);
			continue;
		}
		if (e->status != CMD_OK)
			buf_adds(&xe->text, " (did not hold in the session; "
			    "checked here too)");
		words_free(&w);
	}
	/* A starttls set-up that failed has no record written, but counts. */
	if (xe->outcome < 0 && !(tls_setup_failed(i) && st->err != 0))
		xe->check = XC_OK;
	else if (want_err > 0 && want_err == st->err) {
		xe->check = XC_ERRNO;
		xe->err = st->err;
	} else if (want_fail || want_err > 0) {
		xe->check = XC_FAIL;
		xe->err = st->err;
	} else {
		xe->check = XC_TOLERATE;
		xe->err = st->err;
	}
}

void
export_expect_free(struct xexpect *xe)
{
	buf_free(&xe->data);
	buf_free(&xe->text);
}

/*
 * How record i of a step is checked: the step's outcome decides for the
 * record that failed last; a failure before it (EINPROGRESS of a connect
 * with a timeout, an address refused before the next one was tried) is
 * allowed. *err is the errno allowed or expected.
 */
enum xcheck
export_rec_check(const struct xexpect *xe, size_t i, int *err)
{
	const struct call_rec	*r = &log_recs[i].rec;

	*err = 0;
	if ((long)i == xe->outcome) {
		*err = xe->err;
		return xe->check;
	}
	if (r->ret < 0 && r->err != 0) {
		*err = r->err;
		return XC_PASS;
	}
	/* SO_ERROR of a connect with a timeout: how that attempt ended. */
	if ((r->flags & CF_CONNRESULT) && r->ret == 0 && r->val.i != 0) {
		*err = r->val.i;
		return XC_PASS;
	}
	/* A wait that ran out before the step went on (the next address). */
	if (r->call == CALL_PPOLL && (r->flags & CF_WAIT) && r->ret == 0) {
		*err = ETIMEDOUT;
		return XC_PASS;
	}
	return XC_OK;
}

/*
 * How connect record i ended: its errno, or for a connect with a timeout
 * (EINPROGRESS) the SO_ERROR read after the wait on the same socket; 0
 * when it connected.
 */
int
export_connect_result(size_t step, size_t i)
{
	const struct log_step	*st = &log_steps[step];
	const struct call_rec	*r = &log_recs[i].rec, *o;
	size_t			 j;

	if (r->ret >= 0)
		return 0;
	if (r->err != EINPROGRESS)
		return r->err;
	for (j = i + 1; j < st->first + st->nrecs; j++) {
		o = &log_recs[j].rec;
		if (o->seq != r->seq)
			continue;
		if (o->call == CALL_CONNECT || o->call == CALL_CLOSE)
			break;
		if ((o->flags & CF_CONNRESULT) && o->ret == 0)
			return o->val.i;
		/* The wait for it ran out: the attempt timed out. */
		if (o->call == CALL_PPOLL && (o->flags & CF_WAIT) &&
		    o->ret == 0)
			return ETIMEDOUT;
		if (o->ret < 0 && o->err != 0)
			return o->err;
	}
	return EINPROGRESS;
}

/* recv's BUFSIZE and FLAGS as the step typed them. */
void
export_recv_words(size_t step, long long *size, int *flags)
{
	struct words	 w;
	struct redir	 rd;
	enum data_format f;
	struct word	*v;
	int		 n, skip;

	*size = DEFAULT_RECV;
	*flags = 0;
	export_step_words(step, &w);
	v = w.v;
	n = w.n;
	if ((skip = format_take("export", v, n, &f)) > 0) {
		v += skip;
		n -= skip;
	}
	if (n > 0 && redir_take("export", v, &n, &rd) != 0)
		n = 0;
	if (n > 0)
		*size = strtoll(v[0].s, NULL, 10);
	if (n > 1)
		(void)msgflags_parse(v[1].s, flags);
	words_free(&w);
}

/*
 * Where a receive step wrote its bytes: the path of its > FILE or >> FILE
 * into path. Returns 0 for >, 1 for >>, or -1 when it has none.
 */
int
export_step_redir(size_t step, struct buf *path)
{
	struct words	 w;
	struct redir	 rd;
	int		 n, ret = -1;

	export_step_words(step, &w);
	n = w.n;
	if (n >= 2 && redir_take("export", w.v, &n, &rd) == 0 &&
	    rd.path != NULL) {
		buf_reset(path);
		buf_adds(path, rd.path);
		ret = rd.append;
	}
	words_free(&w);
	return ret;
}

/*
 * Where a send step's data came from: the path of its < FILE into path.
 * Returns 1 when it has one, else 0.
 */
int
export_step_infile(size_t step, struct buf *path)
{
	const struct log_step	*st = &log_steps[step];
	struct words		 w;
	int			 n, ret = 0;

	export_step_words(step, &w);
	n = w.n;
	if (st->cmd == &cmd_sendto_entry)
		n -= addr_words(w.v, w.n);
	if (n == 2 && !w.v[0].quoted && strcmp(w.v[0].s, "<") == 0) {
		buf_reset(path);
		buf_adds(path, w.v[1].s);
		ret = 1;
	}
	words_free(&w);
	return ret;
}

/*
 * What sendline < FILE added after the file's bytes: the line end the
 * newline setting chose then, read off the end of the n bytes sent (a file
 * that itself ends in \r under newline lf reads as crlf).
 */
const char *
export_send_suffix(size_t i, size_t n)
{
	const char	*d = log_rec_data(&log_recs[i]);

	if (d == NULL || n == 0 || d[n - 1] != '\n')
		return "";
	return n >= 2 && d[n - 2] == '\r' ? "\r\n" : "\n";
}

/*
 * What a record's return is to a program: a value it can check again
 * tomorrow, a new file descriptor (a number the kernel picks), or nothing
 * the program's calls return.
 */
enum xret
export_ret_kind(const struct call_rec *r)
{
	switch (r->call) {
	case CALL_SOCKET:
	case CALL_ACCEPT:
	case CALL_EPOLL_CREATE:
	case CALL_DUP:
		return XR_FD;
	case CALL_IOCTL:
		/* sockatmark(3) returns what SIOCATMARK read. */
		if ((unsigned long)r->arg == SIOCATMARK)
			return XR_VALUE;
		return XR_NONE;
	case CALL_NONE:
		return XR_NONE;
	case CALL_PPOLL:
		return (r->flags & CF_WAIT) ? XR_NONE : XR_VALUE;
	case CALL_GETSOCKOPT:
		return (r->flags & CF_CONNRESULT) ? XR_NONE : XR_VALUE;
	default:
		return XR_VALUE;
	}
}

/* The step's socket's timeout as the step began: < 0 none, 0 non-blocking. */
double
export_step_timeout(const struct log_step *st)
{
	return st->seq != 0 ? st->timeout : -1;
}

/* As wait.c rounds a timeout for poll(2). */
int
export_timeout_ms(double t)
{
	int	ms;

	if (t <= 0)
		return -1;
	ms = t * 1000 + 0.5 > INT_MAX ? INT_MAX : (int)(t * 1000 + 0.5);
	return ms == 0 ? 1 : ms;
}

static enum cmd_retval
cmd_export_exec(struct cmd_ctx *ctx)
{
	struct export	 x;
	struct buf	 out = { 0 };
	const char	*lang = ctx->argv[0].s, *path = NULL, *why;
	int		 c, steps;

	if (strcmp(lang, "c") == 0)
		c = 1;
	else if (strcmp(lang, "python") == 0 || strcmp(lang, "py") == 0)
		c = 0;
	else {
		diag("export: \"%s\": export c or export python",
		    printable(lang));
		return CMD_ERROR;
	}
	if (ctx->argc > 1) {
		path = ctx->argv[1].s;
		if (ctx->argv[1].len == 0 || memchr(path, '\0',
		    ctx->argv[1].len) != NULL) {
			diag("export: \"%s\" is not a file name",
			    printable(path));
			return CMD_ERROR;
		}
	}
	memset(&x, 0, sizeof x);
	x.out = &out;
	if (log_dropped() > 0)
		diag("export: the session log is full (it keeps 64 MiB); the "
		    "last %lu commands are not in the program",
		    log_dropped());
	log_expand();
	if ((why = export_tls_refusal(c)) != NULL) {
		/* Plain send and recv in TLS's place would be a wrong program. */
		diag("export: %s: no program written", why);
		log_release();
		buf_free(&out);
		return CMD_ERROR;
	}
	steps = export_read(&x);
	if (c)
		export_c(&x);
	else
		export_python(&x);
	export_free(&x);
	log_release();
	if (out_save("export", &out, path) != 0)
		return CMD_ERROR;
	if (path == NULL)
		return CMD_OK;
	result("export: %d step%s written to %s", steps, steps == 1 ? "" : "s",
	    printable(path));
	return CMD_OK;
}

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.group = GROUP_SESSION,
	.usage = "c|python [FILE]",
	.minargs = 1,
	.maxargs = 2,
	.flags = CMD_KEEPOUTCOME,
	.args = { ARG_WORD, ARG_PATH },
	.summary = "write the session so far as a C program or a Python script",
	.exec = cmd_export_exec,
	.help = "export c writes everything done so far as one C file that "
	    "builds with cc -std=c11 alone; export python as one Python 3 "
	    "script using only the standard library. With no FILE the program "
	    "is printed. The program makes the same calls in the same order "
	    "with the same arguments and flags, checks each result (C: perror "
	    "and exit 1; Python: the socket module's exceptions) and writes "
	    "the data it receives to stdout, or to the file a receive's > FILE "
	    "named; < FILE is read when the program runs. A port the kernel "
	    "chose (bind to "
	    "port 0) is read back with getsockname wherever it is used later, "
	    "and a sender recvfrom returned is answered as it is, so the "
	    "program runs again tomorrow; sockets are variables named after "
	    "their role (listener, conn, client, udp, left and right for a "
	    "socketpair). Expects stay checks: expect error ECONNREFUSED "
	    "becomes an expected error, expect DATA a comparison that exits 1 "
	    "on a mismatch (also one that did not hold in the session, so the "
	    "program fails where the session did; contains, glob, regex and "
	    "or are noted, not checked), expect ok, fail and ret likewise; "
	    "recv exactly becomes a loop. A failure "
	    "nothing expected is reported and the program goes on, as the "
	    "session did, and ends with status 1. settimeout becomes poll(2) before each call in C and "
	    "settimeout in Python; recvline, recvuntil, recvall and sendall "
	    "become small helper functions that loop as the commands do. "
	    "Commands that make no call (help, list, set) leave nothing in the "
	    "program. A session with TLS (starttls) is written with libssl in "
	    "C (the set-up calls as the trace shows them, then helpers that "
	    "loop on SSL_connect, SSL_read and SSL_write; build it with "
	    "$(pkg-config --cflags --libs libssl libcrypto)) and with the ssl "
	    "module in Python (an SSLContext, wrap_socket, and a "
	    "close_notify that does not wait for the peer's, as the session "
	    "did not); -selfsigned and a peek through TLS are written in C "
	    "only (Python's ssl module can do neither); a starttls whose "
	    "set-up failed made nothing and is left out, and a handshake that "
	    "failed or was left for later is not written: export says why "
	    "and writes no program."
};
