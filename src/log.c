/*
 * The session log: every command run and every call record it made, kept
 * for export (export.c). An observer of the call layer, like the trace.
 *
 * Steps and records are growable arrays; their bytes (words, sent data,
 * poll sets) go into one arena and are found again by offset, so logging
 * costs no allocation per command once the arrays have grown.
 */
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

struct log_step	*log_steps;
size_t		 log_nsteps;
struct log_rec	*log_recs;
size_t		 log_nrecs;

static size_t	 cap_steps, cap_recs;
static struct buf arena;
/* The step being run, or -1: calls outside a command are not logged. */
static long	 open_step = -1;

#define NOT_KEPT	((size_t)-1)

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t	n;

	if (need <= *cap)
		return p;
	n = *cap ? *cap * 2 : 256;
	while (n < need)
		n *= 2;
	if ((p = realloc(p, n * size)) == NULL)
		abort();
	*cap = n;
	return p;
}

static size_t
arena_add(const void *p, size_t n)
{
	size_t	off = arena.len;

	buf_add(&arena, p, n);
	return off;
}

/* Commands that only run others are not steps: their commands are. */
static int
is_wrapper(const struct cmd_entry *e)
{
	return e == &cmd_on_entry || e == &cmd_source_entry;
}

void
log_begin(const struct cmd_entry *e, const struct word *argv, int argc,
    const struct sock *sk)
{
	struct log_step	*st;
	int		 i;

	if (is_wrapper(e))
		return;
	log_steps = grow(log_steps, &cap_steps, log_nsteps + 1,
	    sizeof *log_steps);
	st = &log_steps[log_nsteps];
	memset(st, 0, sizeof *st);
	st->cmd = e;
	st->argc = argc;
	st->argv_off = arena.len;
	for (i = 0; i < argc; i++) {
		arena_add(&argv[i].len, sizeof argv[i].len);
		arena_add(argv[i].s, argv[i].len);
	}
	st->seq = sk != NULL ? sk->seq : 0;
	st->fd = sk != NULL ? sk->fd : -1;
	st->first = log_nrecs;
	open_step = (long)log_nsteps++;
}

void
log_end(int r)
{
	struct log_step	*st;

	if (open_step < 0)
		return;
	st = &log_steps[open_step];
	st->status = r;
	st->ret = last.ret;
	st->err = last.err;
	st->nrecs = log_nrecs - st->first;
	open_step = -1;
}

/* The i-th word of a step, and its length (it may hold NULs). */
void
log_word(const struct log_step *st, int i, const char **p, size_t *n)
{
	size_t	off = st->argv_off, len;
	int	k;

	for (k = 0;; k++) {
		memcpy(&len, arena.data + off, sizeof len);
		off += sizeof len;
		if (k == i)
			break;
		off += len;
	}
	*p = arena.data + off;
	*n = len;
}

const char *
log_rec_data(const struct log_rec *lr)
{
	return lr->data_off == NOT_KEPT ? NULL : arena.data + lr->data_off;
}

const struct pollfd *
log_rec_pfd(const struct log_rec *lr)
{
	return lr->pfd_off == NOT_KEPT ? NULL :
	    (const struct pollfd *)(void *)(arena.data + lr->pfd_off);
}

/*
 * The observer. Sent bytes are kept (a program must send them again);
 * received ones are not (a program prints what it receives), nor the
 * bytes of a loop's hidden calls, whose command's words say what was sent.
 */
void
log_observe(const struct call_rec *r)
{
	struct log_rec	*lr;
	size_t		 pad;

	if (open_step < 0 || (r->flags & CF_BEHIND))
		return;
	log_recs = grow(log_recs, &cap_recs, log_nrecs + 1, sizeof *log_recs);
	lr = &log_recs[log_nrecs++];
	lr->rec = *r;
	lr->rec.data = NULL;
	lr->rec.pfd = NULL;
	lr->rec.snap.rbuf = NULL;
	lr->data_off = lr->pfd_off = NOT_KEPT;
	if ((r->call == CALL_SEND || r->call == CALL_SENDTO) &&
	    !(r->flags & CF_HIDDEN) && r->data != NULL)
		lr->data_off = arena_add(r->data, r->len);
	if (r->call == CALL_PPOLL && r->pfd != NULL) {
		/* Keep struct pollfd aligned within the arena. */
		pad = (sizeof(int) - arena.len % sizeof(int)) % sizeof(int);
		arena_add("\0\0\0\0\0\0\0", pad);
		lr->pfd_off = arena_add(r->pfd, (size_t)r->nfds *
		    sizeof *r->pfd);
	}
}

void
log_free(void)
{
	free(log_steps);
	free(log_recs);
	buf_free(&arena);
	log_steps = NULL;
	log_recs = NULL;
	log_nsteps = log_nrecs = 0;
	cap_steps = cap_recs = 0;
}
