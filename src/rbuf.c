/*
 * A socket's receive buffer: the bytes sockrepl read from the kernel but no
 * command has returned yet, such as what followed the newline recvline
 * looked for. Every receive serves these first, so nothing read is lost.
 */
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

size_t
rbuf_len(const struct sock *sk)
{
	return sk->rbuf != NULL ? sk->rbuf->len : 0;
}

/* The unread bytes; rbuf_len says how many. */
const char *
rbuf_peek(const struct sock *sk)
{
	return sk->rbuf != NULL ? sk->rbuf->data + sk->rbuf->off : "";
}

/*
 * Room for n more bytes after the unread ones; fill it, then rbuf_commit.
 * Aborts when memory runs out, as the buf helpers do.
 */
char *
rbuf_space(struct sock *sk, size_t n)
{
	struct rbuf	*rb;
	size_t		 cap;

	if ((rb = sk->rbuf) == NULL) {
		if ((rb = sk->rbuf = calloc(1, sizeof *rb)) == NULL)
			nomem();
	}
	/* Slide the unread bytes to the front before growing. */
	if (rb->off > 0 && rb->off + rb->len + n > rb->cap) {
		memmove(rb->data, rb->data + rb->off, rb->len);
		rb->off = 0;
	}
	if (rb->off + rb->len + n > rb->cap) {
		cap = rb->cap ? rb->cap : 4096;
		while (cap < rb->len + n)
			cap *= 2;
		if ((rb->data = realloc(rb->data, cap)) == NULL)
			nomem();
		rb->cap = cap;
	}
	return rb->data + rb->off + rb->len;
}

void
rbuf_commit(struct sock *sk, size_t n)
{
	sk->rbuf->len += n;
}

/* Drop n unread bytes from the front; an empty buffer gives its memory back. */
void
rbuf_consume(struct sock *sk, size_t n)
{
	struct rbuf	*rb = sk->rbuf;

	if (rb == NULL)
		return;
	if (n > rb->len)
		n = rb->len;
	rb->off += n;
	rb->len -= n;
	if (rb->len == 0) {
		rbuf_free(rb);
		sk->rbuf = NULL;
	}
}

void
rbuf_free(struct rbuf *rb)
{
	if (rb == NULL)
		return;
	free(rb->data);
	free(rb);
}
