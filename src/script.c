/*
 * The script loop: commands from a file, a pipe, -c or source, no prompt,
 * each line handed to cmd_run_line, errors counted for the exit status.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

int	script_errexit;
int	script_xtrace;

/* How many scripts are running inside each other: 1 for a script, more
 * under source. */
static int	depth;

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
	out_flush_wait(r->fd, POLLIN);
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
 * A command's failure is counted only once the next command is known. If
 * that is an expect that checks the failure (expect error NAME, expect
 * fail, expect ret -1) and holds, the failure was what the script meant to
 * see: it counts neither for the exit status nor for -e. Anything else
 * makes it count, and under -e stops the script before that next command
 * runs. Blank lines and comments in between change nothing. The messages
 * and the trace are the same either way.
 */
enum line_kind {
	LK_EMPTY,	/* blank or a comment */
	LK_EXPECT,
	LK_OTHER,
};

struct watch {
	int		 pending;	/* the last command failed, not counted */
	enum cmd_retval	 status;	/* CMD_ERROR once a failure counts */
};

/* -e stopped the script: every level of source unwinds. */
static int	stopped;

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Skip blanks from i. */
static size_t
skip_blanks(const char *line, size_t len, size_t i)
{
	while (i < len && blank(line[i]))
		i++;
	return i;
}

/* Is the word at line[i] w? Then where the next word starts, else 0. */
static size_t
word_is(const char *line, size_t len, size_t i, const char *w)
{
	size_t	n = strlen(w);

	if (len - i < n || memcmp(line + i, w, n) != 0 ||
	    (len - i > n && !blank(line[i + n])))
		return 0;
	return skip_blanks(line, len, i + n);
}

/*
 * Where the words after "expect" start in an expect line (also "on FD
 * expect ...", which checks the command before it too), or 0.
 */
static size_t
expect_args(const char *line, size_t len)
{
	size_t	i = skip_blanks(line, len, 0), j;

	if ((j = word_is(line, len, i, "on")) > 0) {
		while (j < len && !blank(line[j]))
			j++;
		i = skip_blanks(line, len, j);
	}
	return word_is(line, len, i, "expect");
}

static enum line_kind
line_kind(const char *line, size_t len)
{
	size_t	i = skip_blanks(line, len, 0);

	if (i == len || line[i] == '#')
		return LK_EMPTY;
	if (expect_args(line, len) > 0)
		return LK_EXPECT;
	return LK_OTHER;
}

/* Does the line expect the command before it to fail? */
static int
expects_failure(const char *line, size_t len)
{
	size_t	i = expect_args(line, len), j;

	if (i == 0)
		return 0;
	if ((j = word_is(line, len, i, "error")) > 0)
		return word_is(line, len, j, "none") == 0 && j < len;
	if (word_is(line, len, i, "fail") > 0)
		return 1;
	if ((j = word_is(line, len, i, "ret")) > 0)
		return j < len && line[j] == '-';
	return 0;
}

/*
 * Does the next line with a command expect a failure (expects_failure)? It
 * is looked for in what was read already, and in what can be read without
 * waiting: always so for a file, and for a pipe once the writer sent it. A
 * program driving sockrepl line by line is never kept waiting. *line
 * points into the buffer and is copied to keep when the buffer must move.
 */
static int
reader_peek(struct reader *r, char **line, size_t *len, struct buf *keep)
{
	struct pollfd	 p;
	size_t		 at = r->off;
	char		*nl;

	for (;;) {
		nl = memchr(r->buf + at, '\n', r->len - at);
		if (nl == NULL && r->eof && at < r->len)
			nl = r->buf + r->len;
		if (nl != NULL) {
			if (line_kind(r->buf + at, (size_t)(nl - r->buf) - at) !=
			    LK_EMPTY)
				return expects_failure(r->buf + at,
				    (size_t)(nl - r->buf) - at);
			if (nl == r->buf + r->len)
				return 0;
			at = (size_t)(nl - r->buf) + 1;
			continue;
		}
		if (r->eof || r->len - r->off > MAX_LINE)
			return 0;
		p.fd = r->fd;
		p.events = POLLIN;
		if (poll(&p, 1, 0) != 1)
			return 0;
		/* The buffer moves: keep the line about to run. */
		if (keep->data == NULL || *line != keep->data) {
			buf_reset(keep);
			buf_add(keep, *line, *len);
			*line = keep->data;
		}
		at -= r->off;
		if (reader_fill(r) != 0)
			return 0;
	}
}

/* A failure counts. Returns -1 when the script must stop (-e), else 0. */
static int
watch_count(struct watch *w)
{
	sess.script_failed = 1;
	w->status = CMD_ERROR;
	if (!script_errexit)
		return 0;
	stopped = 1;
	return -1;
}

/* Before a line of kind k runs. Returns -1 to stop instead (-e), else 0. */
static int
watch_before(struct watch *w, enum line_kind k)
{
	if (!w->pending || k != LK_OTHER)
		return 0;
	w->pending = 0;
	return watch_count(w);
}

/* After a line of kind k ran. Returns -1 to stop (-e), else 0. */
static int
watch_after(struct watch *w, enum line_kind k, enum cmd_retval ret)
{
	if (k == LK_EMPTY)
		return 0;
	if (w->pending) {
		w->pending = 0;
		if (ret == CMD_OK && sess.expect_caught)
			return 0;
		return watch_count(w);
	}
	if (ret != CMD_ERROR)
		return 0;
	/* An expect's own failure is final: expects check commands. */
	if (k == LK_EXPECT)
		return watch_count(w);
	w->pending = 1;
	return 0;
}

/*
 * At the end: a failure still pending counts, unless this is a sourced
 * file, whose caller decides, since the line after source may expect it.
 */
static enum cmd_retval
watch_end(struct watch *w)
{
	if (w->pending) {
		w->pending = 0;
		if (depth > 1)
			return CMD_ERROR;
		watch_count(w);
	}
	return w->status;
}

/*
 * Run one line under the watch; next_fails says the next line expects it
 * to fail, so its messages are no error (see diag). Returns -1 to stop
 * (-e), else 0.
 */
static int
watch_run(struct watch *w, const char *line, size_t len,
    enum cmd_retval *ret, int next_fails)
{
	enum line_kind	k = line_kind(line, len);
	int		saved = sess.fail_expected;

	if (watch_before(w, k) != 0)
		return -1;
	sess.expect_caught = 0;
	/* Not inherited: a sourced file's lines have their own next line. */
	sess.fail_expected = k == LK_OTHER && next_fails;
	*ret = cmd_run_line(line, len);
	sess.fail_expected = saved;
	out_check();
	if (*ret == CMD_QUIT || interrupted)
		return 0;
	if (stopped) {
		/* A sourced file stopped under -e. */
		w->status = CMD_ERROR;
		return -1;
	}
	return watch_after(w, k, *ret);
}

/* How a run of lines ended: quit, a failure, or fine. */
static enum cmd_retval
loop_status(struct watch *w, enum cmd_retval last_ret)
{
	enum cmd_retval	status = watch_end(w);

	if (interrupted)
		return CMD_ERROR;
	if (last_ret == CMD_QUIT)
		return CMD_QUIT;
	return status;
}

/*
 * Run the lines of fd as a script called name (NULL for standard input),
 * with its own line numbers in messages; the caller's name and line number
 * come back afterwards, so a sourced file's errors say FILE:line N: and the
 * lines after source are numbered as before. Returns CMD_QUIT after quit,
 * CMD_ERROR if a failure counted (see struct watch; the first one stops
 * the script under -e), on an interrupt (interrupted is set) or if the
 * input could not be read, and CMD_OK otherwise.
 */
enum cmd_retval
script_run_fd(int fd, const char *name)
{
	struct reader	 r = { 0 };
	struct watch	 w = { 0, CMD_OK };
	enum read_status st;
	enum cmd_retval	 ret = CMD_OK, status;
	const char	*saved_source = sess.source;
	long		 saved_lineno = sess.lineno;
	int		 saved_interactive = opt.interactive;
	int		 saved_failed = sess.script_failed;
	struct buf	 keep = { 0 };
	char		*line;
	size_t		 len;
	int		 next_fails;

	r.fd = fd;
	if ((r.buf = malloc(MAX_LINE + 2)) == NULL)
		nomem();
	sess.source = name;
	sess.lineno = 0;
	/* A file sourced at the prompt still reports FILE:line N:. */
	opt.interactive = 0;
	if (depth == 0)
		stopped = 0;
	depth++;
	for (;;) {
		st = reader_next(&r, &line, &len);
		if (interrupted || st == LINE_EOF)
			break;
		sess.lineno++;
		if (st == LINE_ERROR || st == LINE_TOOLONG) {
			if (watch_before(&w, LK_OTHER) != 0)
				break;
			if (st == LINE_ERROR)
				diag("reading input: %s", strerror(errno));
			else
				diag("line too long (over %d bytes); skipped",
				    MAX_LINE);
			if (watch_after(&w, LK_OTHER, CMD_ERROR) != 0 ||
			    st == LINE_ERROR)
				break;
			continue;
		}
		next_fails = line_kind(line, len) == LK_OTHER &&
		    reader_peek(&r, &line, &len, &keep);
		if (watch_run(&w, line, len, &ret, next_fails) != 0)
			break;
		if (ret == CMD_QUIT || interrupted)
			break;
	}
	if (terminating)
		script_end_note();
	status = loop_status(&w, ret);
	depth--;
	free(r.buf);
	buf_free(&keep);
	out_flush();
	sess.source = saved_source;
	sess.lineno = saved_lineno;
	opt.interactive = saved_interactive;
	/* Failures at the prompt, sourced ones too, leave the exit status. */
	if (saved_interactive)
		sess.script_failed = saved_failed;
	return status;
}

/*
 * Run the commands given with -c, in order; the Nth is reported as
 * -c:line N:. Returns as script_run_fd does.
 */
enum cmd_retval
script_run_commands(const char **cmds, int n)
{
	struct watch	 w = { 0, CMD_OK };
	enum cmd_retval	 ret = CMD_OK, status;
	const char	*saved_source = sess.source;
	long		 saved_lineno = sess.lineno;
	int		 i, j, next_fails;

	sess.source = "-c";
	stopped = 0;
	for (i = 0; i < n && !interrupted; i++) {
		sess.lineno = i + 1;
		/* The next command with words, if it expects a failure. */
		for (j = i + 1; j < n && line_kind(cmds[j], strlen(cmds[j])) ==
		    LK_EMPTY; j++)
			;
		next_fails = j < n && expects_failure(cmds[j],
		    strlen(cmds[j]));
		if (watch_run(&w, cmds[i], strlen(cmds[i]), &ret,
		    next_fails) != 0 || ret == CMD_QUIT)
			break;
	}
	if (terminating)
		script_end_note();
	status = loop_status(&w, ret);
	sess.source = saved_source;
	sess.lineno = saved_lineno;
	out_flush();
	return status;
}

/*
 * source FILE: run a file's commands here, as if typed. Nesting is bounded
 * so a file that sources itself fails instead of recursing until the stack
 * or the fds run out. Returns the file's status as script_run_fd does.
 */
enum cmd_retval
script_source(const char *path)
{
	enum cmd_retval	ret;
	int		fd, e;

	if (depth > SOURCE_DEPTH_MAX) {
		diag("source: %s: too deeply nested (over %d levels; does a "
		    "file source itself?)", printable(path), SOURCE_DEPTH_MAX);
		return CMD_ERROR;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		e = errno;
		diag("source: %s: %s (%s)", printable(path), errno_name(e),
		    strerror(e));
		return CMD_ERROR;
	}
	fd = fd_move_high(fd);
	ret = script_run_fd(fd, path);
	close(fd);
	return ret;
}

/*
 * SIGTERM or SIGHUP ended the session: say so once, where it stopped (in
 * a script, its line), whether or not it cut a call short.
 */
void
script_end_note(void)
{
	static int	told;

	if (told)
		return;
	told = 1;
	diag("%s: the session ends here; its sockets are closed (exit status "
	    "%d)", interrupt_name(), 128 + terminating);
}

/*
 * The exit status so far: 128 + the signal after SIGTERM or SIGHUP, 130 if
 * interrupted (Ctrl-C), 1 if a command failed.
 */
int
script_status(void)
{
	if (terminating)
		return 128 + terminating;
	if (interrupted)
		return 128 + SIGINT;
	return sess.script_failed ? 1 : 0;
}


/* Can a word be echoed bare and read back the same? */
static int
plain_word(const struct word *w)
{
	size_t	i;

	if (w->len == 0)
		return 0;
	for (i = 0; i < w->len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789_./:@,=+-*%[]|", w->s[i]) == NULL ||
		    w->s[i] == '\0')
			return 0;
	return 1;
}

/* escape_bytes, and a $ as \$ so the echo does not read as a variable. */
static void
escape_dollars(struct buf *b, const char *s, size_t n)
{
	struct buf	t = { 0 };
	size_t		i;

	escape_bytes(&t, s, n);
	for (i = 0; i < t.len; i++) {
		if (t.data[i] == '$')
			buf_addc(b, '\\');
		buf_addc(b, t.data[i]);
	}
	buf_free(&t);
}

/*
 * -x: show a command as it runs, like sh -x: on stderr, after what came
 * before it on stdout, "+" once per level of script (more under source),
 * with $variables already expanded and odd words quoted so the line could
 * be typed again.
 */
void
script_echo(const struct words *w)
{
	struct buf	b = { 0 };
	size_t		k;
	unsigned char	c;
	int		i, d;

	for (d = 0; d < (depth > 1 ? depth : 1); d++)
		buf_addc(&b, '+');
	for (i = 0; i < w->n; i++) {
		buf_addc(&b, ' ');
		/* repeat's command is still as typed: echo it so. */
		if (i == 2 && i == w->n - 1 &&
		    cmd_find(w->v[0].s, 0) == &cmd_repeat_entry) {
			for (k = 0; k < w->v[i].len; k++) {
				c = (unsigned char)w->v[i].s[k];
				if (c < 0x20 || c >= 0x7f)
					buf_printf(&b, "\\x%02x", c);
				else
					buf_addc(&b, (char)c);
			}
			continue;
		}
		if (plain_word(&w->v[i])) {
			buf_add(&b, w->v[i].s, w->v[i].len);
			continue;
		}
		buf_addc(&b, '"');
		escape_dollars(&b, w->v[i].s, w->v[i].len);
		buf_addc(&b, '"');
	}
	fflush(stdout);
	fprintf(stderr, "%s\n", buf_str(&b));
	fflush(stderr);
	buf_free(&b);
}

/* -x for a line that could not be split: shown as written, made safe. */
void
script_echo_line(const char *line, size_t len)
{
	struct buf	b = { 0 };
	int		d;

	for (d = 0; d < (depth > 1 ? depth : 1); d++)
		buf_addc(&b, '+');
	buf_addc(&b, ' ');
	escape_bytes(&b, line, len);
	fflush(stdout);
	fprintf(stderr, "%s\n", buf_str(&b));
	fflush(stderr);
	buf_free(&b);
}
