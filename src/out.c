/*
 * What sockrepl prints besides the trace (trace.c): results on stdout,
 * diagnostics on stderr, and received data as text or a hexdump.
 */
#include <sys/stat.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

struct options opt;
struct session sess = { .cmd = "" };
/*
 * SIGTERM or SIGHUP came: the session stops (set by wait.c's handler; kept
 * here, with what messages call it, so the unit tests link without it).
 */
volatile sig_atomic_t terminating;

/* What interrupted the last call, for its message: Ctrl-C or a signal. */
const char *
interrupt_name(void)
{
	if (terminating == SIGTERM)
		return "SIGTERM";
	if (terminating == SIGHUP)
		return "SIGHUP";
	return "Ctrl-C";
}

/* Received data up to this many escaped bytes is shown inside the trace. */
#define INLINE_MAX	64
/* Sent data is shown up to this many bytes, then elided, as strace does. */
#define SENT_MAX	48

/*
 * Is somebody reading stdout as it comes: a terminal, a pipe or a socket?
 * Then each result is flushed before anything that may wait, so a program
 * driving sockrepl sees it as it happens. A regular file (or /dev/null) has
 * no such reader, and a write(2) per command would double the system calls
 * of a scripted conversation (bench/README.md); stdio's buffer is left to
 * fill there, and flushed only before a call that really blocks.
 */
static int
stdout_read_live(void)
{
	static int	live = -1;
	struct stat	st;

	if (live < 0)
		live = isatty(STDOUT_FILENO) || fstat(STDOUT_FILENO, &st) != 0 ||
		    S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
	return live;
}

/*
 * Output to stdout failed (a full disk, /dev/full, a reader that went
 * away): every result after it would be lost, so stop, as a write error
 * in a pipeline stops cat or sh. The sockets are closed by the kernel.
 * The status is 141 (128 + SIGPIPE, what a shell reports for a program
 * SIGPIPE killed) when the reader went away, else 1. Never returns.
 */
static void
out_fail(int e)
{
	/* SIGHUP took the terminal away: the signal says it all. */
	if (terminating)
		_exit(128 + terminating);
	fprintf(stderr, "sockrepl: standard output: %s (%s); stopping%s\n",
	    errno_name(e), strerror(e), e == EPIPE ?
	    ": the program reading it has gone" : ", output is lost");
	fflush(stderr);
	_exit(e == EPIPE ? 128 + SIGPIPE : 1);
}

/* Flush stdout now; a write error stops the program (see out_fail). */
void
out_flush_now(void)
{
	int	e;

	if (fflush(stdout) == 0 && !ferror(stdout))
		return;
	/* The error may be from an earlier implicit flush: ask again. */
	e = errno;
	clearerr(stdout);
	if (fflush(stdout) != 0)
		e = errno;
	out_fail(e != 0 ? e : EIO);
}

/*
 * Is output put off: stdout a file, with bytes in stdio's buffer? Then a
 * call that may block flushes them first only if it would really block
 * (out_flush_wait; call.c's send and receive, and ppoll).
 */
int
out_pending(void)
{
	return !stdout_read_live() && __fpending(stdout) > 0;
}

/*
 * After each command: a failed write to stdout stops the program, and a
 * live reader gets the command's output now.
 */
void
out_check(void)
{
	if (ferror(stdout) || (stdout_read_live() && __fpending(stdout) > 0))
		out_flush_now();
}

/*
 * Before a call that may block. A live reader gets what was printed;
 * with stdout a file, the output is flushed only when the call would
 * really wait, so a script killed while it waits (timeout(1), SIGKILL)
 * leaves its results in the file. fd is the socket the call waits on for
 * events, or -1 when the wait is sure (sleep); with nothing to flush, or
 * the socket ready now, nothing is done.
 */
void
out_flush_wait(int fd, short events)
{
	struct pollfd	pfd;

	if (!stdout_read_live()) {
		if (__fpending(stdout) == 0 && !ferror(stdout))
			return;
		pfd.fd = fd;
		pfd.events = events;
		if (fd >= 0 && poll(&pfd, 1, 0) == 1)
			return;
	}
	out_flush_now();
}

/* Before a call that may block on no one socket: see out_flush_wait. */
void
out_flush(void)
{
	out_flush_wait(-1, 0);
}

/*
 * A command's whole output (export's program, diagram's drawing) to stdout,
 * or to the file at path when path is not NULL. Frees b. Returns -1 after
 * a message naming cmd and the file when the file cannot be written; a
 * failed stdout is caught after the command, as for any output.
 */
int
out_save(const char *cmd, struct buf *b, const char *path)
{
	FILE	*fp;
	int	 bad, e;

	if (path == NULL) {
		out_flush();
		fwrite(b->data, 1, b->len, stdout);
		fflush(stdout);
		buf_free(b);
		return 0;
	}
	if ((fp = fopen(path, "w")) == NULL) {
		diag("%s: %s: %s", cmd, printable(path), strerror(errno));
		buf_free(b);
		return -1;
	}
	bad = fwrite(b->data, 1, b->len, fp) != b->len;
	e = errno;
	if (fclose(fp) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	buf_free(b);
	if (bad) {
		diag("%s: %s: %s", cmd, printable(path), strerror(e));
		return -1;
	}
	return 0;
}

/* At exit: the last of the output written, or the status says why not. */
void
out_end(void)
{
	out_flush_now();
}

/* A result: shown even with -q. */
void
result(const char *fmt, ...)
{
	va_list	 ap;
	FILE	*f = stdout;

	/* -q with format raw: stdout carries the received bytes alone. */
	if (opt.quiet && data_format == FMT_RAW) {
		fflush(stdout);
		f = stderr;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}

/*
 * A diagnostic on stderr, with "line N: " in script mode so the failing line
 * can be found. stdout is flushed first so the two streams stay in order.
 */
void
diag(const char *fmt, ...)
{
	va_list	ap;
	FILE	*f = stderr;
	int	 expected = sess.fail_expected && !opt.interactive;

	fflush(stdout);
	/* A failure the next line expects is no error: stdout, marked. */
	if (expected)
		f = stdout;
	if (!opt.interactive) {
		if (sess.source != NULL)
			fprintf(f, "%s:", sess.source);
		fprintf(f, "line %ld: %s", sess.lineno, expected ?
		    "(expected) " : "");
	}
	if (!expected)
		fputs(color_err(C_ERROR), f);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fprintf(f, "%s\n", expected ? "" : color_err(C_RESET));
	fflush(f);
}

/*
 * A diagnostic about the running command's arguments: "CMD: " first, so
 * that a parser deep below the command still names it.
 */
void
diag_cmd(const char *fmt, ...)
{
	struct buf	b = { 0 };
	va_list		ap;

	if (*sess.cmd != '\0')
		buf_printf(&b, "%s: ", sess.cmd);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	diag("%s", buf_str(&b));
	buf_free(&b);
}

/* Does the data read as text? Then show it escaped, else as a hexdump. */
static int
looks_like_text(const unsigned char *p, size_t n)
{
	size_t	i, odd = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' || p[i] == '\r' || p[i] == '\t')
			continue;
		if (p[i] < 0x20 || p[i] >= 0x7f)
			odd++;
	}
	return odd * 10 <= n;
}

/* Would the data be shown as text? (expect shows a mismatch the same way.) */
int
data_is_text(const void *p, size_t n)
{
	return looks_like_text(p, n);
}

enum data_format data_format = FMT_AUTO;

const struct name format_names[] = {
	{ "auto", FMT_AUTO },
	{ "text", FMT_TEXT },
	{ "hex", FMT_HEX },
	{ "raw", FMT_RAW },
	{ NULL, 0 }
};

/*
 * One hexdump line of up to 16 bytes at offset off: the direction (< for
 * received), the offset, the bytes in hex, then as ASCII with dots for the
 * rest.
 */
void
hexdump_line(struct buf *b, char dir, size_t off, const unsigned char *p,
    size_t n)
{
	size_t	i;

	buf_printf(b, "%c %08zx ", dir, off);
	for (i = 0; i < 16; i++) {
		if (i == 8)
			buf_addc(b, ' ');
		if (i < n)
			buf_printf(b, " %02x", p[i]);
		else
			buf_adds(b, "   ");
	}
	buf_adds(b, "  |");
	for (i = 0; i < n && i < 16; i++)
		buf_addc(b, p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.');
	buf_addc(b, '|');
}

static void
hexdump(const unsigned char *p, size_t n)
{
	struct buf	b = { 0 };
	size_t		off;

	for (off = 0; off < n; off += 16) {
		buf_reset(&b);
		hexdump_line(&b, '<', off, p + off, n - off < 16 ? n - off : 16);
		puts(buf_str(&b));
	}
	buf_free(&b);
}

/*
 * The buffer argument of a send trace: the bytes as a C string, elided
 * after SENT_MAX bytes as strace does.
 */
void
data_arg(struct buf *b, const void *p, size_t n)
{
	buf_adds(b, color(C_SENT));
	buf_addc(b, '"');
	escape_bytes(b, p, n > SENT_MAX ? SENT_MAX : n);
	buf_addc(b, '"');
	if (n > SENT_MAX)
		buf_adds(b, "...");
	buf_adds(b, color(C_TRACE));
}

/*
 * Show a receive: the trace line is pre, the buffer, then post; then the
 * data. Short text goes inside the call, as strace shows it; long text
 * follows as one C string literal per line; binary data follows as a
 * hexdump. With -q, or pre NULL (the calls were shown already), only the
 * data is shown. Raw bytes go out only when
 * stdout is not a terminal: control bytes must never reach one.
 */
void
show_data_fmt(const char *pre, const char *post, const void *p, size_t n,
    enum data_format fmt)
{
	static int	 warned;
	static struct buf lit;	/* kept: a long exchange allocates nothing */
	const unsigned char *u = p;
	size_t		 i, start;
	int		 text;

	if (fmt == FMT_RAW && isatty(STDOUT_FILENO)) {
		if (!warned)
			diag("format raw: stdout is a terminal, so data is "
			    "shown as escaped text instead (redirect stdout, "
			    "or receive into a file with > FILE)");
		warned = 1;
		fmt = FMT_TEXT;
	}
	if (fmt == FMT_RAW) {
		if (!opt.quiet && pre != NULL)
			printf("%sbuf%s\n", pre, post);
		fwrite(p, 1, n, stdout);
		return;
	}
	if (fmt == FMT_AUTO)
		text = looks_like_text(u, n);
	else
		text = fmt == FMT_TEXT;
	if (text) {
		buf_reset(&lit);
		escape_bytes(&lit, p, n);
		if (lit.len <= INLINE_MAX) {
			/* fputs, not printf: this is the busiest line. */
			if (!opt.quiet && pre != NULL) {
				if (color_on)
					fputs(color(C_TRACE), stdout);
				fputs(pre, stdout);
			}
			if (color_on)
				fputs(color(C_RECV), stdout);
			putchar('"');
			if (lit.len > 0)
				fwrite(lit.data, 1, lit.len, stdout);
			putchar('"');
			if (!opt.quiet && pre != NULL) {
				if (color_on)
					fputs(color(C_TRACE), stdout);
				fputs(post, stdout);
			}
			if (color_on)
				fputs(color(C_RESET), stdout);
			putchar('\n');
			return;
		}
	}
	if (!opt.quiet && pre != NULL) {
		printf("%s%sbuf%s%s\n", color(C_TRACE), pre, post,
		    color(C_RESET));
	}
	fputs(color(C_RECV), stdout);
	if (text) {
		/* One literal per line of the data, split after each \n. */
		for (start = 0, i = 0; i < n; i++) {
			if (u[i] == '\n' || i == n - 1 || i - start >= 72) {
				buf_reset(&lit);
				escape_bytes(&lit, u + start, i - start + 1);
				printf("  \"%s\"\n", buf_str(&lit));
				start = i + 1;
			}
		}
	} else
		hexdump(u, n);
	fputs(color(C_RESET), stdout);
}
