/*
 * A growable byte buffer: the one container sockrepl builds strings and
 * holds data in. It may hold NULs; it is always NUL-terminated for
 * convenience. Running out of memory stops the program with a message
 * (nomem): there is nothing sensible to go on with. What user input can
 * ask for is bounded before it gets here (VAR_MAX, EXPAND_MAX, MAX_RECV).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

/*
 * No memory left for sockrepl's own bookkeeping: say so, keep what was
 * printed, and stop with status 1 (not SIGABRT with no word). Never
 * returns.
 */
void
nomem(void)
{
	fflush(stdout);
	fputs("sockrepl: out of memory; stopping\n", stderr);
	_exit(1);
}

/* Make room for n more bytes and the NUL after them. */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t	cap;

	if (b->len + n + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 128;
	while (cap < b->len + n + 1)
		cap *= 2;
	if ((b->data = realloc(b->data, cap)) == NULL)
		nomem();
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_addc(struct buf *b, char c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/*
 * Room for n more bytes at the end: write up to n there, then buf_commit
 * the count written. Saves a copy for small writes on a hot path.
 */
char *
buf_room(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	return b->data + b->len;
}

void
buf_commit(struct buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

/* A number in decimal, without printf: the trace writes many. */
void
buf_addnum(struct buf *b, long long v)
{
	char			 tmp[24], *p = tmp + sizeof tmp;
	unsigned long long	 u = v < 0 ? 0ULL - (unsigned long long)v :
				    (unsigned long long)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(tmp + sizeof tmp - p));
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	size_t	 room;
	int	 n;

	/* One pass when it fits, which is nearly always. */
	buf_grow(b, 64);
	room = b->cap - b->len;
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, room, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *
buf_str(struct buf *b)
{
	if (b->data == NULL)
		buf_add(b, "", 0);
	return b->data;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
