/*
 * The tour's lessons: plain text files, read here, whose checks are
 * conditions on the socket table and the call records (never on what was
 * typed, so any correct way passes). Adding a lesson needs no C.
 *
 * The format (lessons/README.md says it with examples):
 *
 *	# a comment
 *	title: TCP server and client in one session
 *	about: one line for tour's list
 *	step: the step's title
 *	text of the step: what to type and why, as many lines as needed
 *	try: a command for this terminal, shown as "Type:"
 *	other: a command for a second terminal
 *	check: a condition; every check of a step must hold
 *	done:
 *	what the kernel did, shown once the checks hold
 *
 * Conditions:
 *	call NAME [QUAL ...]	a call the learner made since the step began;
 *				a step's call checks are met in their order
 *	socket [PROP ...]	some socket in the table now has every PROP
 *	sockets N [PROP ...]	at least N sockets have them
 *	no socket [PROP ...]	no socket has them all
 *
 * PROPs (of a socket, or of a call's socket as the call left it): tcp udp
 * stream dgram seqpacket inet inet6 unix, new bound listening connecting
 * connected eof failed, accepted, nonblocking blocking, shut-rd shut-wr,
 * current, and comparisons timeout>0, in>=N, out>=N. Any PROP can be
 * negated with a leading !. QUALs of a call add: ok, failed, an errno name,
 * ret OP N, opt=OPTION, val OP N, how=rd|wr|rdwr, backlog OP N, and
 * tcp=STATE (getsockopt TCP_INFO, as info makes it, read the kernel's TCP
 * state STATE: LISTEN, ESTABLISHED, CLOSE_WAIT...). OP is one of
 * = != < <= > >=.
 *
 * In text, {fd PROP ...} and {port PROP ...} stand for the fd and the
 * local port of the newest socket with those PROPs (or, once it is gone,
 * the value they last had).
 */
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"
#include "lesson.h"

enum test_kind {
	T_TCP, T_UDP, T_STREAM, T_DGRAM, T_SEQPACKET, T_INET, T_INET6,
	T_UNIX, T_NEW, T_BOUND, T_LISTENING, T_CONNECTING, T_CONNECTED,
	T_EOF, T_FAILED, T_ACCEPTED, T_NONBLOCKING, T_BLOCKING, T_SHUTRD,
	T_SHUTWR, T_CURRENT, T_TIMEOUT, T_IN, T_OUT,
	/* Of a call only. */
	T_OK, T_FAILEDCALL, T_ERRNO, T_RET, T_OPT, T_VAL, T_HOW, T_BACKLOG,
	T_TCPSTATE,
};

enum op { OP_NONE, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct test {
	enum test_kind		 kind;
	int			 neg;
	enum op			 op;
	double			 val;
	const struct sockopt	*opt;
};

static const struct {
	const char	*name;
	enum test_kind	 kind;
	int		 cmp;		/* takes OP N */
	int		 call_only;
} test_words[] = {
	{ "tcp", T_TCP, 0, 0 }, { "udp", T_UDP, 0, 0 },
	{ "stream", T_STREAM, 0, 0 }, { "dgram", T_DGRAM, 0, 0 },
	{ "seqpacket", T_SEQPACKET, 0, 0 }, { "inet", T_INET, 0, 0 },
	{ "inet6", T_INET6, 0, 0 }, { "unix", T_UNIX, 0, 0 },
	{ "new", T_NEW, 0, 0 }, { "bound", T_BOUND, 0, 0 },
	{ "listening", T_LISTENING, 0, 0 },
	{ "connecting", T_CONNECTING, 0, 0 },
	{ "connected", T_CONNECTED, 0, 0 }, { "eof", T_EOF, 0, 0 },
	{ "failed", T_FAILED, 0, 0 }, { "accepted", T_ACCEPTED, 0, 0 },
	{ "nonblocking", T_NONBLOCKING, 0, 0 },
	{ "blocking", T_BLOCKING, 0, 0 }, { "shut-rd", T_SHUTRD, 0, 0 },
	{ "shut-wr", T_SHUTWR, 0, 0 }, { "current", T_CURRENT, 0, 0 },
	{ "timeout", T_TIMEOUT, 1, 0 }, { "in", T_IN, 1, 0 },
	{ "out", T_OUT, 1, 0 },
	{ "ok", T_OK, 0, 1 }, { "ret", T_RET, 1, 1 }, { "val", T_VAL, 1, 1 },
	{ "backlog", T_BACKLOG, 1, 1 },
};

#define NTEST_WORDS	(sizeof test_words / sizeof test_words[0])

struct cond {
	enum cond_kind { C_CALL, C_SOCKET, C_SOCKETS, C_NOSOCKET } kind;
	int		 count;		/* C_SOCKETS: at least this many */
	char		 call[24];	/* C_CALL: the call's name */
	struct test	*t;
	int		 nt;
};

void
lesson_free(struct lesson *l)
{
	int	i, j;

	for (i = 0; i < l->nsteps; i++) {
		struct step *s = &l->steps[i];

		free(s->title);
		buf_free(&s->text);
		buf_free(&s->done);
		for (j = 0; j < s->nlines; j++)
			free(s->lines[j].text);
		free(s->lines);
		for (j = 0; j < s->nconds; j++)
			free(s->conds[j].t);
		free(s->conds);
	}
	free(l->steps);
	free(l->title);
	free(l->about);
	memset(l, 0, sizeof *l);
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		nomem();
	return p;
}

static void *
xgrow(void *p, int n, size_t size)
{
	/* Room for one more: n counts what is there. */
	if ((p = realloc(p, (size_t)(n + 1) * size)) == NULL)
		nomem();
	memset((char *)p + (size_t)n * size, 0, size);
	return p;
}

/* Split "ret>=3" into the name, the operator and the number. */
static int
parse_cmp(const char *w, size_t namelen, struct test *t, struct buf *why)
{
	const char	*p = w + namelen, *errstr;
	char		*end;

	if (strncmp(p, ">=", 2) == 0)
		t->op = OP_GE, p += 2;
	else if (strncmp(p, "<=", 2) == 0)
		t->op = OP_LE, p += 2;
	else if (strncmp(p, "!=", 2) == 0)
		t->op = OP_NE, p += 2;
	else if (*p == '>')
		t->op = OP_GT, p++;
	else if (*p == '<')
		t->op = OP_LT, p++;
	else if (*p == '=')
		t->op = OP_EQ, p++;
	else {
		buf_printf(why, "\"%s\": write %.*s then = != < <= > or >= and "
		    "a number", printable(w), (int)namelen, w);
		return -1;
	}
	errstr = NULL;
	t->val = strtod(p, &end);
	if (*p == '\0' || *end != '\0')
		errstr = "not a number";
	if (errstr != NULL) {
		buf_printf(why, "\"%s\": %s", printable(w), errstr);
		return -1;
	}
	return 0;
}

/* One word of a condition. Returns 0, or -1 with why. */
static int
parse_test(const char *w, int is_call, struct test *t, struct buf *why)
{
	size_t	i, n;
	int	e;

	memset(t, 0, sizeof *t);
	if (*w == '!') {
		t->neg = 1;
		w++;
	}
	if (is_call && strcmp(w, "failed") == 0) {
		t->kind = T_FAILEDCALL;
		return 0;
	}
	if (is_call && w[0] == 'E' && (e = errno_by_name(w)) > 0) {
		t->kind = T_ERRNO;
		t->val = e;
		return 0;
	}
	if (is_call && strncmp(w, "opt=", 4) == 0) {
		t->kind = T_OPT;
		if ((t->opt = sockopt_find(w + 4)) == NULL) {
			buf_printf(why, "\"%s\": no such option", printable(w));
			return -1;
		}
		return 0;
	}
	/* getsockopt TCP_INFO's record: the kernel's TCP state. */
	if (is_call && strncmp(w, "tcp=", 4) == 0) {
		t->kind = T_TCPSTATE;
		for (e = 1; e < 32; e++) {
			if (strcmp(tcp_state_name(e), w + 4) == 0) {
				t->val = e;
				return 0;
			}
		}
		buf_printf(why, "\"%s\": not a TCP state (LISTEN, ESTABLISHED, "
		    "CLOSE_WAIT, TIME_WAIT, ...)", printable(w));
		return -1;
	}
	if (is_call && strncmp(w, "how=", 4) == 0) {
		t->kind = T_HOW;
		for (i = 0; how_words[i].name != NULL; i++) {
			if (strcmp(how_words[i].name, w + 4) == 0) {
				t->val = how_words[i].value;
				return 0;
			}
		}
		buf_printf(why, "\"%s\": how is rd, wr or rdwr", printable(w));
		return -1;
	}
	for (i = 0; i < NTEST_WORDS; i++) {
		n = strlen(test_words[i].name);
		if (strncmp(w, test_words[i].name, n) != 0)
			continue;
		if (test_words[i].call_only && !is_call)
			continue;
		if (!test_words[i].cmp && w[n] != '\0')
			continue;
		if (test_words[i].cmp && (w[n] == '\0' ||
		    strchr("=!<>", w[n]) == NULL))
			continue;
		t->kind = test_words[i].kind;
		if (test_words[i].cmp)
			return parse_cmp(w, n, t, why);
		return 0;
	}
	buf_printf(why, "\"%s\": not a condition a %s can meet",
	    printable(w), is_call ? "call" : "socket");
	return -1;
}

/* A check: line's words. Returns 0, or -1 with why. */
static int
parse_cond(struct words *w, struct cond *c, struct buf *why)
{
	int		 i = 1, is_call = 0;
	const char	*errstr;

	memset(c, 0, sizeof *c);
	if (w->n == 0) {
		buf_adds(why, "check: needs a condition");
		return -1;
	}
	if (strcmp(w->v[0].s, "call") == 0) {
		if (w->n < 2) {
			buf_adds(why, "check: call needs the call's name");
			return -1;
		}
		c->kind = C_CALL;
		snprintf(c->call, sizeof c->call, "%s", w->v[1].s);
		i = 2;
		is_call = 1;
	} else if (strcmp(w->v[0].s, "socket") == 0)
		c->kind = C_SOCKET;
	else if (strcmp(w->v[0].s, "no") == 0 && w->n >= 2 &&
	    strcmp(w->v[1].s, "socket") == 0) {
		c->kind = C_NOSOCKET;
		i = 2;
	} else if (strcmp(w->v[0].s, "sockets") == 0 && w->n >= 2) {
		c->kind = C_SOCKETS;
		c->count = (int)num_parse(w->v[1].s, 1, 1000, &errstr);
		if (errstr != NULL) {
			buf_printf(why, "check: sockets %s: %s",
			    printable(w->v[1].s), errstr);
			return -1;
		}
		i = 2;
	} else {
		buf_printf(why, "check: \"%s\": start with call, socket, "
		    "sockets N or no socket", printable(w->v[0].s));
		return -1;
	}
	for (; i < w->n; i++) {
		c->t = xgrow(c->t, c->nt, sizeof *c->t);
		if (parse_test(w->v[i].s, is_call, &c->t[c->nt], why) != 0)
			return -1;
		c->nt++;
	}
	return 0;
}

static char *
trim(char *s)
{
	size_t	n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* The text of a step or its done: part, line by line; blank lines kept. */
static void
add_text(struct buf *b, const char *line)
{
	buf_adds(b, line);
	buf_addc(b, '\n');
}

/*
 * Read the lesson in the file at path. Returns 0, or -1 with why
 * ("line 12: ...").
 */
int
lesson_read(const char *path, struct lesson *l, struct buf *why)
{
	FILE		*f;
	char		*line = NULL, *v, *colon;
	size_t		 cap = 0;
	ssize_t		 len;
	long		 lineno = 0;
	struct step	*s = NULL;
	struct buf	*into = NULL, err = { 0 };
	struct words	 w = { 0 };
	int		 r = -1;

	memset(l, 0, sizeof *l);
	if ((f = fopen(path, "r")) == NULL) {
		buf_printf(why, "%s", strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		colon = strchr(line, ':');
		/* A key is a word of letters at the start of the line. */
		if (colon != NULL && colon > line &&
		    strspn(line, "abcdefghijklmnopqrstuvwxyz") ==
		    (size_t)(colon - line)) {
			*colon = '\0';
			v = trim(colon + 1);
			if (strcmp(line, "title") == 0 && s == NULL) {
				free(l->title);
				l->title = xstrdup(v);
				continue;
			}
			if (strcmp(line, "about") == 0 && s == NULL) {
				free(l->about);
				l->about = xstrdup(v);
				continue;
			}
			if (strcmp(line, "step") == 0) {
				l->steps = xgrow(l->steps, l->nsteps,
				    sizeof *l->steps);
				s = &l->steps[l->nsteps++];
				s->title = xstrdup(v);
				into = &s->text;
				continue;
			}
			if (s == NULL) {
				buf_printf(why, "line %ld: \"%s:\" before the "
				    "first step:", lineno, line);
				goto out;
			}
			if (strcmp(line, "try") == 0 ||
			    strcmp(line, "other") == 0) {
				s->lines = xgrow(s->lines, s->nlines,
				    sizeof *s->lines);
				s->lines[s->nlines].other = line[0] == 'o';
				s->lines[s->nlines++].text = xstrdup(v);
				continue;
			}
			if (strcmp(line, "check") == 0) {
				words_reset(&w);
				s->conds = xgrow(s->conds, s->nconds,
				    sizeof *s->conds);
				buf_reset(&err);
				if (lex_line(v, strlen(v), &w, &err) != 0 ||
				    parse_cond(&w, &s->conds[s->nconds++],
				    &err) != 0) {
					buf_printf(why, "line %ld: %s", lineno,
					    buf_str(&err));
					goto out;
				}
				continue;
			}
			if (strcmp(line, "done") == 0) {
				into = &s->done;
				if (*v != '\0')
					add_text(into, v);
				continue;
			}
			*colon = ':';
		}
		if (into == NULL) {
			if (*trim(line) == '\0')
				continue;
			buf_printf(why, "line %ld: text before the first "
			    "step:", lineno);
			goto out;
		}
		add_text(into, line);
	}
	if (l->title == NULL || l->nsteps == 0) {
		buf_printf(why, "no %s", l->title == NULL ? "title: line" :
		    "step: line");
		goto out;
	}
	for (len = 0; len < l->nsteps; len++) {
		if (l->steps[len].nconds == 0) {
			buf_printf(why, "step %zd (%s) has no check: line",
			    len + 1, l->steps[len].title);
			goto out;
		}
	}
	r = 0;
out:
	if (r != 0)
		lesson_free(l);
	words_free(&w);
	buf_free(&err);
	free(line);
	fclose(f);
	return r;
}

static int
compare(double a, enum op op, double b)
{
	switch (op) {
	case OP_EQ: return a == b;
	case OP_NE: return a != b;
	case OP_LT: return a < b;
	case OP_LE: return a <= b;
	case OP_GT: return a > b;
	case OP_GE: return a >= b;
	default: return 0;
	}
}

static int
inet(const struct sock *sk)
{
	return sk->family == AF_INET || sk->family == AF_INET6;
}

/* Does socket sk (or call r's socket) pass test t? */
static int
test_one(const struct test *t, const struct sock *sk,
    const struct call_rec *r)
{
	int	v;

	switch (t->kind) {
	case T_OK:
		v = r->err == 0 && r->ret >= 0;
		break;
	case T_FAILEDCALL:
		v = r->err != 0;
		break;
	case T_ERRNO:
		v = r->err == (int)t->val;
		break;
	case T_RET:
		v = r->err == 0 && compare((double)r->ret, t->op, t->val);
		break;
	case T_OPT:
		v = r->opt == t->opt;
		break;
	case T_VAL:
		v = r->opt != NULL && compare(r->val.i, t->op, t->val);
		break;
	case T_TCPSTATE:
		/* The struct is in the record's data; tcpi_state first. */
		v = r->err == 0 && r->opt != NULL &&
		    r->opt->kind == OPT_TCPINFO && r->data != NULL &&
		    r->vallen >= 1 &&
		    (unsigned char)r->data[0] == (unsigned char)t->val;
		break;
	case T_HOW:
	case T_BACKLOG:
		v = t->kind == T_HOW ? r->arg == (int)t->val :
		    compare(r->arg, t->op, t->val);
		break;
	default:
		if (sk == NULL)
			return 0;
		switch (t->kind) {
		case T_TCP:
			v = sk->type == SOCK_STREAM && inet(sk);
			break;
		case T_UDP:
			v = sk->type == SOCK_DGRAM && inet(sk);
			break;
		case T_STREAM:	v = sk->type == SOCK_STREAM; break;
		case T_DGRAM:	v = sk->type == SOCK_DGRAM; break;
		case T_SEQPACKET: v = sk->type == SOCK_SEQPACKET; break;
		case T_INET:	v = sk->family == AF_INET; break;
		case T_INET6:	v = sk->family == AF_INET6; break;
		case T_UNIX:	v = sk->family == AF_UNIX; break;
		case T_NEW:	v = sk->state == ST_NEW; break;
		case T_BOUND:	v = sk->state == ST_BOUND; break;
		case T_LISTENING: v = sk->state == ST_LISTENING; break;
		case T_CONNECTING: v = sk->state == ST_CONNECTING; break;
		case T_CONNECTED: v = sk->state == ST_CONNECTED; break;
		case T_EOF:	v = sk->state == ST_CLOSED_PEER; break;
		case T_FAILED:	v = sk->state == ST_FAILED; break;
		case T_ACCEPTED: v = sk->parent >= 0; break;
		case T_NONBLOCKING: v = sk->nonblock; break;
		case T_BLOCKING: v = !sk->nonblock; break;
		case T_SHUTRD:	v = sk->shut_rd; break;
		case T_SHUTWR:	v = sk->shut_wr; break;
		case T_CURRENT:	v = sk->fd == current_fd; break;
		case T_TIMEOUT:
			v = sk->timeout >= 0 && compare(sk->timeout, t->op,
			    t->val);
			break;
		case T_IN:
			v = compare((double)sk->bytes_in, t->op, t->val);
			break;
		case T_OUT:
			v = compare((double)sk->bytes_out, t->op, t->val);
			break;
		default:
			v = 0;
		}
	}
	return t->neg ? !v : v;
}

static int
tests_pass(const struct test *t, int nt, const struct sock *sk,
    const struct call_rec *r)
{
	int	i;

	for (i = 0; i < nt; i++)
		if (!test_one(&t[i], sk, r))
			return 0;
	return 1;
}

/* Does record r meet call condition c? */
int
lesson_call_meets(const struct cond *c, const struct call_rec *r)
{
	if (c->kind != C_CALL || strcmp(c->call, call_name(r->call)) != 0)
		return 0;
	return tests_pass(c->t, c->nt, r->snap.fd >= 0 ? &r->snap : NULL, r);
}

const struct cond *
lesson_cond(const struct step *s, int i)
{
	return &s->conds[i];
}

int
lesson_cond_is_call(const struct cond *c)
{
	return c->kind == C_CALL;
}

/* Does the socket table meet condition c now? */
int
lesson_table_meets(const struct cond *c)
{
	int	fd, n = 0;

	for (fd = sock_first(); fd >= 0; fd = sock_next(fd))
		if (tests_pass(c->t, c->nt, sock_get(fd), NULL))
			n++;
	switch (c->kind) {
	case C_SOCKET:		return n >= 1;
	case C_SOCKETS:		return n >= c->count;
	case C_NOSOCKET:	return n == 0;
	default:		return 0;
	}
}

/*
 * The newest socket (largest seq) passing the PROP words of a
 * placeholder, or NULL. Returns -1 with why for a word that is no PROP.
 */
static int
newest(struct words *w, int first, struct sock **found, struct buf *why)
{
	struct test	*t = NULL;
	struct sock	*sk;
	int		 i, nt = 0, fd, r = 0;

	*found = NULL;
	for (i = first; i < w->n; i++) {
		t = xgrow(t, nt, sizeof *t);
		if (parse_test(w->v[i].s, 0, &t[nt], why) != 0) {
			r = -1;
			goto out;
		}
		nt++;
	}
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		sk = sock_get(fd);
		if (tests_pass(t, nt, sk, NULL) && (*found == NULL ||
		    sk->seq > (*found)->seq))
			*found = sk;
	}
out:
	free(t);
	return r;
}

/* Remembered values of placeholders, for once their socket is gone. */
static struct buf	memo;	/* "{expr}\tvalue\n" lines */

static const char *
memo_get(const char *expr, size_t n)
{
	static char	 val[32];
	const char	*p = memo.data, *end, *found = NULL;

	/* The last value noted is the one to give. */
	while (p != NULL && p < memo.data + memo.len) {
		end = strchr(p, '\n');
		if (strncmp(p, expr, n) == 0 && p[n] == '\t') {
			snprintf(val, sizeof val, "%.*s",
			    (int)(end - p - n - 1), p + n + 1);
			found = val;
		}
		p = end + 1;
	}
	return found;
}

void
lesson_forget(void)
{
	buf_free(&memo);
}

/*
 * Text with its placeholders filled in, into out. A placeholder with no
 * socket and no remembered value is left as FD or PORT. Returns how many
 * were left so, for the caller to say why.
 */
int
lesson_fill(const char *text, struct buf *out)
{
	const char	*p = text, *open, *close, *val;
	struct words	 w = { 0 };
	struct buf	 why = { 0 };
	struct sock	*sk;
	struct addr	 a;
	char		 num[32];
	int		 port, unfilled = 0;

	while ((open = strchr(p, '{')) != NULL &&
	    (close = strchr(open, '}')) != NULL) {
		buf_add(out, p, (size_t)(open - p));
		p = close + 1;
		words_reset(&w);
		if (lex_line(open + 1, (size_t)(close - open - 1), &w,
		    &why) != 0 || w.n == 0 || (strcmp(w.v[0].s, "fd") != 0 &&
		    strcmp(w.v[0].s, "port") != 0) ||
		    newest(&w, 1, &sk, &why) != 0) {
			buf_add(out, open, (size_t)(close - open + 1));
			buf_reset(&why);
			continue;
		}
		val = NULL;
		if (sk != NULL && w.v[0].s[0] == 'f') {
			snprintf(num, sizeof num, "%d", sk->fd);
			val = num;
		} else if (sk != NULL && call_getname(sk, 0, &a,
		    CF_BEHIND) == 0 && (port = addr_port((struct sockaddr *)
		    &a.ss)) > 0) {
			snprintf(num, sizeof num, "%d", port);
			val = num;
		}
		if (val != NULL) {
			buf_add(&memo, open, (size_t)(close - open + 1));
			buf_printf(&memo, "\t%s\n", val);
		} else if ((val = memo_get(open, (size_t)(close - open +
		    1))) == NULL) {
			val = w.v[0].s[0] == 'f' ? "FD" : "PORT";
			unfilled++;
		}
		buf_adds(out, val);
	}
	buf_adds(out, p);
	words_free(&w);
	buf_free(&why);
	return unfilled;
}
