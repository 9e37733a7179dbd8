/*
 * expect: check what the last command received or returned. Data is
 * matched exactly, as a substring, a glob or an extended regex, with
 * alternatives joined by "or"; the data forms are send's (words, "..."
 * escapes, hex:, < FILE). A mismatch shows both sides, as hexdumps with
 * the first differing byte marked when the data is binary.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

/* Bytes of each side shown around a difference. */
#define SHOW_MAX	64
/* Hexdump lines of each side shown around a difference. */
#define HEX_LINES	4

enum match_kind {
	MK_DATA,	/* exactly these bytes */
	MK_CONTAINS,	/* these bytes somewhere */
	MK_GLOB,	/* the whole data matches a glob: * ? [...] */
	MK_REGEX,	/* an extended regex matches somewhere */
};

static const struct name kind_words[] = {
	{ "data", MK_DATA },
	{ "contains", MK_CONTAINS },
	{ "glob", MK_GLOB },
	{ "regex", MK_REGEX },
	{ NULL, 0 }
};

/* One alternative: a kind and its bytes (the pattern for glob, regex). */
struct alt {
	enum match_kind	 kind;
	struct buf	 want;
	regex_t		 re;
	int		 have_re;
};

/* Is word w the unquoted keyword k? Quoting a keyword makes it data. */
static int
keyword(const struct word *w, const char *k)
{
	return !w->quoted && strcmp(w->s, k) == 0;
}

/* ---- matching ---- */

/*
 * The bracket expression at p[0] == '[' against byte c: *hit says whether
 * it matches. Returns its length, or 0 when it is unterminated (then the
 * '[' is a plain byte).
 */
static size_t
glob_class(const char *p, size_t n, unsigned char c, int *hit)
{
	unsigned char	lo, hi;
	size_t		i = 1;
	int		neg = 0, first = 1;

	*hit = 0;
	if (i < n && (p[i] == '!' || p[i] == '^')) {
		neg = 1;
		i++;
	}
	for (; i < n; i++, first = 0) {
		lo = (unsigned char)p[i];
		if (lo == ']' && !first) {
			*hit ^= neg;
			return i + 1;
		}
		if (lo == '\\' && i + 1 < n)
			lo = (unsigned char)p[++i];
		hi = lo;
		if (i + 2 < n && p[i + 1] == '-' && p[i + 2] != ']') {
			i += 2;
			hi = (unsigned char)p[i];
			if (hi == '\\' && i + 1 < n)
				hi = (unsigned char)p[++i];
		}
		if (c >= lo && c <= hi)
			*hit = 1;
	}
	return 0;
}

/*
 * Does all of s[0..sn) match the glob p[0..pn)? As fnmatch(3) without
 * flags, but on bytes, so data holding NULs can be matched: * any run,
 * ? any byte, [a-z] [!0-9] a class, \x the byte x. The last * is retried
 * one byte further on each miss, so the cost stays within pn * sn.
 */
static int
glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t	pi = 0, si = 0, star = SIZE_MAX, star_s = 0, k, adv;
	int	hit;
	char	c;

	while (si < sn) {
		if (pi < pn && p[pi] == '*') {
			star = ++pi;
			star_s = si;
			continue;
		}
		if (pi < pn && p[pi] == '?') {
			pi++;
			si++;
			continue;
		}
		if (pi < pn && p[pi] == '[' && (k = glob_class(p + pi, pn - pi,
		    (unsigned char)s[si], &hit)) > 0) {
			if (hit) {
				pi += k;
				si++;
				continue;
			}
		} else if (pi < pn) {
			c = p[pi];
			adv = 1;
			if (c == '\\' && pi + 1 < pn) {
				c = p[pi + 1];
				adv = 2;
			}
			if (c == s[si]) {
				pi += adv;
				si++;
				continue;
			}
		}
		if (star == SIZE_MAX)
			return 0;
		pi = star;
		si = ++star_s;
	}
	while (pi < pn && p[pi] == '*')
		pi++;
	return pi == pn;
}

static int
alt_matches(struct alt *a, const char *got, size_t glen)
{
	regmatch_t	m[1];

	switch (a->kind) {
	case MK_DATA:
		return a->want.len == glen && (glen == 0 ||
		    memcmp(a->want.data, got, glen) == 0);
	case MK_CONTAINS:
		return a->want.len == 0 || memmem(got, glen, a->want.data,
		    a->want.len) != NULL;
	case MK_GLOB:
		return glob_match(a->want.data, a->want.len, got, glen);
	case MK_REGEX:
		/* REG_STARTEND: the data's length, not a NUL, ends it. */
		m[0].rm_so = 0;
		m[0].rm_eo = (regoff_t)glen;
		return regexec(&a->re, glen > 0 ? got : "", 1, m,
		    REG_STARTEND) == 0;
	}
	return 0;
}

/* ---- reading the alternatives ---- */

/* Read all of a file for expect < FILE. Returns 0, or -1 after a message. */
static int
file_data(const char *path, struct buf *out)
{
	char	*chunk;
	ssize_t	 r;
	int	 fd, ret = 0;

	if ((fd = data_file_open("expect", path, O_RDONLY)) < 0)
		return -1;
	chunk = data_chunk();
	for (;;) {
		r = read(fd, chunk, DATA_CHUNK);
		if (r < 0 && errno == EINTR && !interrupted)
			continue;
		if (r < 0) {
			diag("expect: reading %s: %s", printable(path),
			    strerror(errno));
			ret = -1;
			break;
		}
		if (r == 0)
			break;
		if (out->len + (size_t)r > MAX_RECV) {
			diag("expect: %s is over %d bytes, more than a receive "
			    "can return", printable(path), MAX_RECV);
			ret = -1;
			break;
		}
		buf_add(out, chunk, (size_t)r);
	}
	free(chunk);
	close(fd);
	return ret;
}

/*
 * Read alternative a from words w[0..n): an optional kind, then the data
 * (as send takes it) or the pattern. Returns 0, or -1 after a message.
 */
static int
alt_read(struct alt *a, struct word *w, int n)
{
	const char	*path;
	char		 ebuf[256];
	int		 i, e;

	a->kind = MK_DATA;
	for (i = 0; n > 0 && kind_words[i].name != NULL; i++) {
		if (keyword(&w[0], kind_words[i].name)) {
			a->kind = (enum match_kind)kind_words[i].value;
			w++;
			n--;
			if (n == 0 && a->kind != MK_DATA) {
				diag("expect %s: give the %s after it",
				    kind_words[i].name, a->kind == MK_CONTAINS ?
				    "data to look for" : "pattern");
				return -1;
			}
			break;
		}
	}
	buf_add(&a->want, "", 0);
	if (a->kind == MK_DATA || a->kind == MK_CONTAINS) {
		if (data_words("expect", w, n, &a->want, &path) != 0)
			return -1;
		return path != NULL ? file_data(path, &a->want) : 0;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(&a->want, ' ');
		buf_add(&a->want, w[i].s, w[i].len);
	}
	if (a->kind == MK_GLOB)
		return 0;
	if (memchr(a->want.data, '\0', a->want.len) != NULL) {
		diag("expect regex: the pattern holds a NUL byte; match it "
		    "with [^[:print:]] or expect contains \"\\0\"");
		return -1;
	}
	if ((e = regcomp(&a->re, a->want.data, REG_EXTENDED | REG_NOSUB))
	    != 0) {
		regerror(e, &a->re, ebuf, sizeof ebuf);
		diag("expect regex: \"%s\": %s", printable(a->want.data), ebuf);
		return -1;
	}
	a->have_re = 1;
	return 0;
}

static void
alts_free(struct alt *alts, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		buf_free(&alts[i].want);
		if (alts[i].have_re)
			regfree(&alts[i].re);
	}
	free(alts);
}

/* ---- showing a mismatch ---- */

static void
show_side(const char *label, const char *p, size_t n, size_t start)
{
	struct buf	b = { 0 };
	size_t		end = start + SHOW_MAX < n ? start + SHOW_MAX : n;

	if (start > n)
		start = end = n;
	escape_bytes(&b, p + start, end - start);
	fprintf(stderr, "  %-9s%s\"%s\"%s (%zu bytes)\n", label,
	    start > 0 ? "..." : "", buf_str(&b), end < n ? "..." : "", n);
	buf_free(&b);
}

/*
 * A side as hexdump lines from offset start, with ^^ under the byte at off
 * (or a note where the data ends before it).
 */
static void
hex_side(const char *label, const char *p, size_t n, size_t start,
    size_t off)
{
	struct buf	b = { 0 };
	size_t		line, k, col;

	fprintf(stderr, "  %s (%zu bytes):\n", label, n);
	for (line = start; line < n && line < start + HEX_LINES * 16;
	    line += 16) {
		k = n - line < 16 ? n - line : 16;
		buf_reset(&b);
		hexdump_line(&b, ' ', line, (const unsigned char *)p + line, k);
		fprintf(stderr, "    %s\n", buf_str(&b));
		if (off >= line && off < line + k) {
			/* "c 00000000 " is 11 columns, then " xx" per byte. */
			col = 4 + 11 + 3 * (off - line) + (off - line >= 8) + 1;
			fprintf(stderr, "%*s^^\n", (int)col, "");
		}
	}
	if (off >= n)
		fprintf(stderr, "    (ends after %zu bytes, before byte %zu)\n",
		    n, off);
	else if (start + HEX_LINES * 16 < n)
		fprintf(stderr, "    ...\n");
	buf_free(&b);
}

/* Exactly these bytes were wanted: show where the data differs. */
static void
show_difference(const char *want, size_t wlen, const char *got, size_t glen)
{
	struct buf	 pre = { 0 };
	size_t		 off, start;
	int		 col;

	for (off = 0; off < wlen && off < glen && want[off] == got[off]; off++)
		;
	diag("expect: the data received differs at byte %zu:", off);
	if (!data_is_text(want, wlen) || !data_is_text(got, glen)) {
		/* From the line before the one that differs. */
		start = off / 16 * 16;
		if (start >= 16)
			start -= 16;
		hex_side("expected", want, wlen, start, off);
		hex_side("actual", got, glen, start, off);
		fflush(stderr);
		return;
	}
	/* Each side from a little before the difference. */
	start = off > SHOW_MAX / 2 ? off - SHOW_MAX / 4 : 0;
	show_side("expected", want, wlen, start);
	show_side("actual", got, glen, start);
	escape_bytes(&pre, want + start, off - start);
	col = 2 + 9 + (start > 0 ? 3 : 0) + 1 + (int)pre.len;
	fprintf(stderr, "%*s^\n", col, "");
	fflush(stderr);
	buf_free(&pre);
}

/* What was received, for a mismatch that has no single differing byte. */
static void
show_actual(const char *got, size_t glen)
{
	struct buf	b = { 0 };
	size_t		line, k;

	if (data_is_text(got, glen)) {
		show_side("actual", got, glen, 0);
		return;
	}
	fprintf(stderr, "  actual (%zu bytes):\n", glen);
	for (line = 0; line < glen && line < HEX_LINES * 16; line += 16) {
		k = glen - line < 16 ? glen - line : 16;
		buf_reset(&b);
		hexdump_line(&b, ' ', line, (const unsigned char *)got + line,
		    k);
		fprintf(stderr, "    %s\n", buf_str(&b));
	}
	if (glen > HEX_LINES * 16)
		fprintf(stderr, "    ...\n");
	buf_free(&b);
}

static void
show_alt(const struct alt *a)
{
	struct buf	b = { 0 };
	size_t		n = a->want.len > SHOW_MAX ? SHOW_MAX : a->want.len;

	escape_bytes(&b, a->want.data, n);
	fprintf(stderr, "  %-9s\"%s\"%s\n", name_of(kind_words, (int)a->kind),
	    buf_str(&b), n < a->want.len ? "..." : "");
	buf_free(&b);
}

static enum cmd_retval
expect_data(struct word *v, int argc)
{
	const char	*got = sess.last.data.data != NULL ?
			    sess.last.data.data : "";
	size_t		 glen = sess.last.data.len;
	struct alt	*alts;
	enum cmd_retval	 r = CMD_ERROR;
	int		 i, start, n = 0;

	if ((alts = calloc((size_t)argc + 1, sizeof *alts)) == NULL)
		nomem();
	for (i = 0, start = 0; i <= argc; i++) {
		if (i < argc && !keyword(&v[i], "or"))
			continue;
		if (i == start) {
			diag("expect: \"or\" needs an alternative on each side "
			    "(quote \"or\" to expect the word)");
			goto out;
		}
		if (alt_read(&alts[n++], v + start, i - start) != 0)
			goto out;
		start = i + 1;
	}
	if (!sess.last.have_data) {
		diag("expect: nothing has been received yet (expect TEXT "
		    "checks the data of the last receive)");
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (alt_matches(&alts[i], got, glen)) {
			r = CMD_OK;
			goto out;
		}
	}
	if (n == 1 && alts[0].kind == MK_DATA) {
		show_difference(alts[0].want.data, alts[0].want.len, got, glen);
		goto out;
	}
	if (n == 1)
		diag("expect %s: the data received does not %s:",
		    name_of(kind_words, (int)alts[0].kind),
		    alts[0].kind == MK_CONTAINS ? "contain it" : "match");
	else
		diag("expect: the data received matches none of the %d "
		    "alternatives:", n);
	for (i = 0; i < n; i++)
		show_alt(&alts[i]);
	show_actual(got, glen);
	fflush(stderr);
out:
	alts_free(alts, n);
	return r;
}

/* ---- errors, return values, status ---- */

static void
describe_last(struct buf *b)
{
	if (sess.last.err != 0 && !sess.failed)
		buf_printf(b, "succeeded, returning %ld (%s)", sess.last.ret,
		    errno_name(sess.last.err));
	else if (sess.last.err != 0)
		buf_printf(b, "failed with %s (%s)", errno_name(sess.last.err),
		    err_text(sess.last.err));
	else if (sess.failed && !sess.last.called)
		buf_adds(b, "failed before making any call (a bad argument: "
		    "see its message), so it has no return value or errno");
	else if (sess.failed)
		buf_adds(b, "failed without an errno (see its message)");
	else
		buf_printf(b, "succeeded, returning %ld", sess.last.ret);
}

static enum cmd_retval
expect_error(const char *name)
{
	struct buf	b = { 0 };
	int		e;

	if ((e = errno_by_name(name)) < 0) {
		diag("expect error: \"%s\" is not an errno name (such as "
		    "ECONNREFUSED, or none)", printable(name));
		return CMD_ERROR;
	}
	if (e == sess.last.err) {
		sess.expect_caught = e != 0;
		return CMD_OK;
	}
	describe_last(&b);
	if (e == 0)
		diag("expect error none: the last command %s", buf_str(&b));
	else
		diag("expect error %s: the last command %s", errno_name(e),
		    buf_str(&b));
	buf_free(&b);
	return CMD_ERROR;
}

static enum cmd_retval
expect_status(int want_fail)
{
	struct buf	b = { 0 };

	if (sess.failed == want_fail) {
		sess.expect_caught = want_fail;
		return CMD_OK;
	}
	describe_last(&b);
	diag("expect %s: the last command %s", want_fail ? "fail" : "ok",
	    buf_str(&b));
	buf_free(&b);
	return CMD_ERROR;
}

static enum cmd_retval
expect_ret(const char *s)
{
	struct buf	b = { 0 };
	long long	n;

	if (parse_int(s, LONG_MIN, LONG_MAX, "ret", &n) != 0)
		return CMD_ERROR;
	if (n == sess.last.ret) {
		sess.expect_caught = n < 0;
		return CMD_OK;
	}
	describe_last(&b);
	diag("expect ret %lld: the last command %s", n, buf_str(&b));
	buf_free(&b);
	return CMD_ERROR;
}

static enum cmd_retval
cmd_expect_exec(struct cmd_ctx *ctx)
{
	struct word	*v = ctx->argv;

	if (keyword(&v[0], "error") || keyword(&v[0], "ret")) {
		if (ctx->argc != 2) {
			diag("usage: expect %s %s", v[0].s,
			    v[0].s[0] == 'e' ? "ERRNO_NAME" : "N");
			return CMD_ERROR;
		}
		return v[0].s[0] == 'e' ? expect_error(v[1].s) :
		    expect_ret(v[1].s);
	}
	if (keyword(&v[0], "ok") || keyword(&v[0], "fail")) {
		if (ctx->argc != 1) {
			diag("usage: expect %s (alone; to expect the text, "
			    "write expect data %s ...)", v[0].s, v[0].s);
			return CMD_ERROR;
		}
		return expect_status(v[0].s[0] == 'f');
	}
	return expect_data(v, ctx->argc);
}

const struct cmd_entry cmd_expect_entry = {
	.name = "expect",
	.group = GROUP_SCRIPTING,
	.usage = "[data|contains|glob|regex] TEXT ... [or ...] | error ERRNO "
	    "| ret N | ok | fail",
	.minargs = 1,
	.maxargs = -1,
	.flags = CMD_KEEPOUTCOME,
	.args = { ARG_DATA },
	.summary = "check what the last command received or returned",
	.exec = cmd_expect_exec,
	.help = "expect TEXT (or expect data TEXT) checks that the last "
	    "receive returned exactly TEXT, byte for byte. TEXT is as send "
	    "takes it: words joined by single spaces, \"...\" with escapes "
	    "(\"HTTP/1.0 200 OK\\r\\n\"), '...' literal, one word hex:0d0a, or "
	    "< FILE. expect contains TEXT checks that the data holds TEXT; "
	    "expect glob PATTERN that all of it matches a glob (* ? [a-z], as "
	    "the shell's, on bytes); expect regex ERE that an extended regex "
	    "(regcomp REG_EXTENDED, ^ and $ anchor at the data's ends) matches "
	    "in it. Alternatives are joined by or: expect \":0\\r\\n\" or "
	    "\":1\\r\\n\" holds if either does, and each may have its own kind. "
	    "expect error ECONNREFUSED checks the last command's errno (error "
	    "none: no errno); expect ret N its return value; expect ok and "
	    "expect fail whether it succeeded. expect prints nothing when it "
	    "holds; otherwise it shows expected and actual data one above the "
	    "other from a little before the first differing byte (two "
	    "hexdumps, the byte marked ^^, for binary data) and fails, so -e "
	    "stops the script. A failure that the next line expects (expect "
	    "error NAME, expect fail, expect ret -1, also after on FD) does "
	    "not count, not for -e nor for the exit status, and its message "
	    "goes to stdout marked expected. expect, set, unset and source do "
	    "not count as the last command, so several expects can check one "
	    "receive. Quote a keyword (data, contains, glob, regex, or, ok, "
	    "fail, error, ret) to expect it as text: expect \"ok\"."
};
