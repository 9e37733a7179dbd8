/*
 * The script loop: commands from a file or a pipe, no prompt, each line
 * handed to cmd_run_line, errors counted for the exit status.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

int	script_failed;

/* Reads lines from an fd with read(2): bounded, NUL-safe, no stdio buffering. */
struct reader {
	int	 fd;
	char	*buf;
	size_t	 len;	/* bytes held */
	size_t	 off;	/* start of the next line */
	int	 eof;
};

enum read_status {
	LINE_OK,
	LINE_TOOLONG,
	LINE_EOF,
	LINE_ERROR,
};

static int
reader_fill(struct reader *r)
{
	ssize_t	n;

	if (r->off > 0) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	/* Whoever drives us through a pipe must see our answers first. */
	out_flush();
	do {
		n = read(r->fd, r->buf + r->len, MAX_LINE + 1 - r->len);
	} while (n < 0 && errno == EINTR && !interrupted);
	if (n < 0)
		return -1;
	if (n == 0)
		r->eof = 1;
	r->len += (size_t)n;
	return 0;
}

/*
 * The next line, without its newline, in *line and *len (valid until the
 * next call). A line over MAX_LINE bytes is skipped and reported as
 * LINE_TOOLONG.
 */
static enum read_status
reader_next(struct reader *r, char **line, size_t *len)
{
	char	*nl;
	int	 toolong = 0;

	for (;;) {
		nl = memchr(r->buf + r->off, '\n', r->len - r->off);
		if (nl != NULL) {
			*line = r->buf + r->off;
			*len = (size_t)(nl - *line);
			r->off += *len + 1;
			return toolong ? LINE_TOOLONG : LINE_OK;
		}
		if (r->len - r->off > MAX_LINE) {
			/* Drop the long line's bytes, keep looking for its end. */
			r->off = r->len = 0;
			toolong = 1;
		}
		if (r->eof) {
			if (r->len == r->off)
				return toolong ? LINE_TOOLONG : LINE_EOF;
			*line = r->buf + r->off;
			*len = r->len - r->off;
			r->off = r->len;
			return toolong ? LINE_TOOLONG : LINE_OK;
		}
		if (reader_fill(r) != 0)
			return LINE_ERROR;
	}
}

/*
 * Run a script from fd. Returns the exit status: 0 if every command
 * succeeded, 1 if any failed, 130 if interrupted.
 */
int
repl_script(int fd, const char *name)
{
	struct reader	 r = { 0 };
	enum read_status st;
	enum cmd_retval	 ret;
	char		*line;
	size_t		 len;

	r.fd = fd;
	if ((r.buf = malloc(MAX_LINE + 2)) == NULL)
		abort();
	opt.source = name;
	opt.lineno = 0;
	for (;;) {
		st = reader_next(&r, &line, &len);
		if (interrupted)
			break;
		if (st == LINE_EOF)
			break;
		opt.lineno++;
		if (st == LINE_ERROR) {
			diag("reading input: %s", strerror(errno));
			script_failed = 1;
			break;
		}
		if (st == LINE_TOOLONG) {
			diag("line too long (over %d bytes); skipped",
			    MAX_LINE);
			script_failed = 1;
			continue;
		}
		ret = cmd_run_line(line, len);
		if (interrupted)
			break;
		if (ret == CMD_ERROR)
			script_failed = 1;
		if (ret == CMD_QUIT)
			break;
	}
	free(r.buf);
	out_flush();
	if (interrupted)
		return 130;
	return script_failed ? 1 : 0;
}

