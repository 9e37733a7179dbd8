/*
 * Unit tests for the pure parts: tokenizer, escapes, numbers, flags,
 * addresses, the socket table. Each check prints "ok unit.NAME" or
 * "FAIL unit.NAME" with what was seen.
 *
 * The parsers report through diag() on stderr; the messages are part of
 * the behaviour (they must name the bad text), so they are captured and
 * checked too.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

static int	failed, passed;
static char	captured[4096];

static void
ok(int cond, const char *name)
{
	printf("%s unit.%s\n", cond ? "ok" : "FAIL", name);
	fflush(stdout);
	if (cond)
		passed++;
	else
		failed++;
}

/* ok(), with the text that was seen shown under a failure. */
static void
ok_seen(int cond, const char *name, const char *seen)
{
	ok(cond, name);
	if (!cond)
		printf("    seen: %s\n", printable(seen));
}

/*
 * Capture stderr (where diag writes) in a temporary file while a parser
 * runs; stop_capture() leaves the text in captured[].
 */
static int	saved_stderr = -1;
static FILE	*capfile;

static void
start_capture(void)
{
	fflush(stderr);
	if ((capfile = tmpfile()) == NULL) {
		perror("tmpfile");
		exit(2);
	}
	saved_stderr = dup(2);
	dup2(fileno(capfile), 2);
}

static void
stop_capture(void)
{
	size_t	n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	rewind(capfile);
	n = fread(captured, 1, sizeof captured - 1, capfile);
	captured[n] = '\0';
	fclose(capfile);
}

/* ---- tokenizer ---- */

/* Lex s; return the number of words, or -1 with the error in captured[]. */
static int
lex(const char *s, size_t n, struct words *w)
{
	struct buf	err = { 0 };
	int		r;

	words_free(w);
	captured[0] = '\0';
	r = lex_line(s, n, w, &err);
	if (r != 0) {
		snprintf(captured, sizeof captured, "%s", buf_str(&err));
		buf_free(&err);
		return -1;
	}
	buf_free(&err);
	return w->n;
}

static int
word_is(const struct words *w, int i, const void *p, size_t n)
{
	return i < w->n && w->v[i].len == n && memcmp(w->v[i].s, p, n) == 0 &&
	    w->v[i].s[n] == '\0';
}

#define LEX(s, w)	lex((s), strlen(s), (w))

static void
test_lex(void)
{
	struct words	w = { 0 };
	const char	*line = "send \"a\\0b\" 'x\\n' c#d # comment";

	ok(LEX(line, &w) == 4 && word_is(&w, 1, "a\0b", 3) &&
	    word_is(&w, 2, "x\\n", 3) && word_is(&w, 3, "c#d", 3) &&
	    w.v[1].quoted && w.v[2].quoted && !w.v[3].quoted,
	    "lex_quotes");

	ok(LEX("  bind \t localhost   6565  ", &w) == 3 &&
	    word_is(&w, 0, "bind", 4) && word_is(&w, 1, "localhost", 9) &&
	    word_is(&w, 2, "6565", 4), "lex_blanks");
	ok(LEX("", &w) == 0 && LEX("   \t ", &w) == 0, "lex_empty");
	ok(LEX("# all comment", &w) == 0 && LEX("   #x y", &w) == 0,
	    "lex_comment_line");
	ok(LEX("a # b c", &w) == 1 && word_is(&w, 0, "a", 1),
	    "lex_comment_after");
	ok(LEX("\"#\" '#' x", &w) == 3 && word_is(&w, 0, "#", 1) &&
	    word_is(&w, 1, "#", 1), "lex_hash_in_quotes");

	/* Quotes join parts of one word, as in the shell. */
	ok(LEX("a\"b\"c", &w) == 1 && word_is(&w, 0, "abc", 3) &&
	    w.v[0].quoted, "lex_join");
	ok(LEX("a\"b c\"d 'e f'g", &w) == 2 && word_is(&w, 0, "ab cd", 5) &&
	    word_is(&w, 1, "e fg", 4), "lex_join_blanks");
	ok(LEX("\"\" ''", &w) == 2 && word_is(&w, 0, "", 0) &&
	    word_is(&w, 1, "", 0) && w.v[0].quoted, "lex_empty_quotes");

	ok(LEX("\"\\r\\n\\t\\\\\\\"\"", &w) == 1 &&
	    word_is(&w, 0, "\r\n\t\\\"", 5), "lex_escapes");
	ok(LEX("\"\\x41\\x7a\\xff\\x00\"", &w) == 1 &&
	    word_is(&w, 0, "Az\xff\0", 4), "lex_hex");
	ok(LEX("\"\\0\\12\\101\\1011\\377\"", &w) == 1 &&
	    word_is(&w, 0, "\0\nAA1\xff", 6), "lex_octal");
	ok(LEX("\"it's\" 'say \"hi\"'", &w) == 2 &&
	    word_is(&w, 0, "it's", 4) && word_is(&w, 1, "say \"hi\"", 8),
	    "lex_other_quote_inside");
	ok(LEX("'\\x41\\0'", &w) == 1 && word_is(&w, 0, "\\x41\\0", 6),
	    "lex_single_literal");
	ok(LEX("a\\ b", &w) == 1 && word_is(&w, 0, "a b", 3),
	    "lex_backslash_outside");

	/* Bad escapes name the escape. */
	ok_seen(LEX("\"\\q\"", &w) == -1 && strstr(captured, "\\q") != NULL,
	    "lex_bad_escape", captured);
	ok_seen(LEX("\"\\xZ1\"", &w) == -1 && strstr(captured, "\\x") != NULL,
	    "lex_bad_hex", captured);
	ok_seen(LEX("\"\\x4\"", &w) == -1, "lex_short_hex", captured);
	ok_seen(LEX("\"\\400\"", &w) == -1 && strstr(captured, "octal"),
	    "lex_octal_too_big", captured);
	ok_seen(LEX("x\\", &w) == -1 && strstr(captured, "backslash"),
	    "lex_trailing_backslash", captured);
	ok_seen(LEX("\"\\\x01\"", &w) == -1 &&
	    strchr(captured, '\x01') == NULL, "lex_bad_escape_control_byte",
	    captured);

	/* Unterminated quotes are an error, not a silent join. */
	ok_seen(LEX("send \"abc", &w) == -1 && strstr(captured,
	    "unterminated") && w.n == 0, "lex_unterminated_double", captured);
	ok_seen(LEX("send 'abc", &w) == -1 && strstr(captured,
	    "unterminated"), "lex_unterminated_single", captured);
	ok_seen(LEX("send \"abc\\\"", &w) == -1, "lex_unterminated_escaped",
	    captured);

	/* Length, not strlen: a NUL inside the given bytes is a byte. */
	ok(lex("\"a\\0\" b", 7, &w) == 2 && word_is(&w, 0, "a\0", 2) &&
	    word_is(&w, 1, "b", 1), "lex_length_given");
	ok(lex("abc def", 3, &w) == 1 && word_is(&w, 0, "abc", 3),
	    "lex_length_stops");
	words_free(&w);
}

/* ---- escapes ---- */

static void
test_escape(void)
{
	struct buf	b = { 0 }, back = { 0 }, err = { 0 };
	unsigned char	all[256];
	int		i, good = 1;

	escape_bytes(&b, "a\r\n\t\\\"\x01\x7f\xff", 9);
	ok_seen(strcmp(buf_str(&b), "a\\r\\n\\t\\\\\\\"\\x01\\x7f\\xff") == 0,
	    "escape_basic", buf_str(&b));

	/* A NUL before an octal digit must not read as a longer escape. */
	buf_reset(&b);
	escape_bytes(&b, "\0" "1\0x\0", 5);
	ok_seen(strcmp(buf_str(&b), "\\x001\\0x\\0") == 0, "escape_nul",
	    buf_str(&b));

	/* Every byte value survives escape then unescape. */
	for (i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	buf_reset(&b);
	escape_bytes(&b, all, sizeof all);
	for (i = 0; i < (int)b.len; i++) {
		if ((unsigned char)b.data[i] < 0x20 ||
		    (unsigned char)b.data[i] >= 0x7f)
			good = 0;
	}
	ok(good, "escape_7bit_clean");
	ok(unescape(b.data, b.len, &back, &err) == 0 &&
	    back.len == sizeof all && memcmp(back.data, all, sizeof all) == 0,
	    "escape_round_trip");

	/* And through the tokenizer, as a user would type it. */
	{
		struct words	w = { 0 };
		struct buf	line = { 0 };

		buf_addc(&line, '"');
		buf_add(&line, b.data, b.len);
		buf_addc(&line, '"');
		ok(lex(line.data, line.len, &w) == 1 &&
		    word_is(&w, 0, all, sizeof all), "escape_round_trip_lex");
		words_free(&w);
		buf_free(&line);
	}
	ok(strcmp(printable("a\x1b[2Jb\n"), "a\\x1b[2Jb\\n") == 0,
	    "printable");
	buf_free(&b);
	buf_free(&back);
	buf_free(&err);
}

/* ---- numbers ---- */

static int
pint(const char *s, long long min, long long max, long long *v)
{
	int	r;

	start_capture();
	r = parse_int(s, min, max, "port", v);
	stop_capture();
	return r;
}

static void
test_numbers(void)
{
	long long	v = -7;
	double		d = -1;
	int		b = -1;

	ok(pint("0", 0, 65535, &v) == 0 && v == 0, "int_zero");
	ok(pint("65535", 0, 65535, &v) == 0 && v == 65535, "int_max");
	ok(pint("0x10", 0, 65535, &v) == 0 && v == 16 &&
	    pint("0XfF", 0, 65535, &v) == 0 && v == 255, "int_hex");
	/* Leading zeros are decimal: 010 is ten, never C's octal eight. */
	ok(pint("010", 0, 65535, &v) == 0 && v == 10 &&
	    pint("08", 0, 65535, &v) == 0 && v == 8 &&
	    pint("0080", 0, 65535, &v) == 0 && v == 80, "int_leading_zero");
	ok(pint("0x", 0, 65535, &v) == -1 && pint("0xg", 0, 65535, &v) == -1 &&
	    pint("-0x10", -100, 100, &v) == -1, "int_bad_hex");
	ok(pint("-5", -10, 10, &v) == 0 && v == -5, "int_negative");
	v = 42;
	ok_seen(pint("99999", 0, 65535, &v) == -1 && v == 42 &&
	    strstr(captured, "99999") && strstr(captured, "too large") &&
	    strstr(captured, "65535"), "int_too_large", captured);
	ok_seen(pint("-1", 0, 65535, &v) == -1 && strstr(captured, "-1") &&
	    strstr(captured, "too small"), "int_too_small", captured);
	ok_seen(pint("12ab", 0, 65535, &v) == -1 && strstr(captured,
	    "\"12ab\"") && strstr(captured, "not a number"), "int_trailing",
	    captured);
	ok_seen(pint("", 0, 65535, &v) == -1 && strstr(captured,
	    "not a number"), "int_empty", captured);
	ok(pint(" 5", 0, 65535, &v) == -1, "int_leading_space");
	ok(pint("5 ", 0, 65535, &v) == -1, "int_trailing_space");
	ok(pint("abc", 0, 65535, &v) == -1, "int_letters");
	ok_seen(pint("99999999999999999999999", 0, 65535, &v) == -1 &&
	    strstr(captured, "too large"), "int_overflow", captured);
	ok_seen(pint("-99999999999999999999999", 0, 65535, &v) == -1 &&
	    strstr(captured, "too small"), "int_underflow", captured);
	ok_seen(pint("\x1b[31m", 0, 9, &v) == -1 && strchr(captured, 0x1b) ==
	    NULL, "int_message_printable", captured);

	start_capture();
	ok(parse_seconds("0.5", "timeout", &d) == 0 && d == 0.5 &&
	    parse_seconds("0", "timeout", &d) == 0 && d == 0 &&
	    parse_seconds("86400", "timeout", &d) == 0 && d == 86400 &&
	    parse_seconds("2", "timeout", &d) == 0 && d == 2,
	    "seconds_good");
	ok(parse_seconds("-1", "timeout", &d) == -1 &&
	    parse_seconds("86401", "timeout", &d) == -1 &&
	    parse_seconds("1e999", "timeout", &d) == -1 &&
	    parse_seconds("nan", "timeout", &d) == -1 &&
	    parse_seconds("inf", "timeout", &d) == -1 &&
	    parse_seconds("", "timeout", &d) == -1 &&
	    parse_seconds("1s", "timeout", &d) == -1 &&
	    parse_seconds(" 1", "timeout", &d) == -1, "seconds_bad");
	stop_capture();
	ok_seen(strstr(captured, "\"1s\"") != NULL && strstr(captured,
	    "negative") != NULL, "seconds_messages", captured);

	ok(parse_bool("true", &b) == 0 && b == 1 && parse_bool("yes", &b) ==
	    0 && b == 1 && parse_bool("on", &b) == 0 && b == 1 &&
	    parse_bool("1", &b) == 0 && b == 1 && parse_bool("True", &b) ==
	    0 && b == 1 && parse_bool("TRUE", &b) == 0 && b == 1,
	    "bool_true");
	ok(parse_bool("false", &b) == 0 && b == 0 && parse_bool("no", &b) ==
	    0 && b == 0 && parse_bool("off", &b) == 0 && b == 0 &&
	    parse_bool("0", &b) == 0 && b == 0 && parse_bool("False", &b) ==
	    0 && b == 0, "bool_false");
	b = 7;
	ok(parse_bool("maybe", &b) == -1 && parse_bool("", &b) == -1 &&
	    parse_bool("2", &b) == -1 && parse_bool("truex", &b) == -1 &&
	    b == 7, "bool_bad");
}

/* ---- flags ---- */

static const char *
fmt_flags(int v)
{
	static struct buf b;

	buf_reset(&b);
	flags_format(&b, msgflag_names, v);
	return buf_str(&b);
}

static void
test_flags(void)
{
	int	v = -1;

	ok(flags_parse(msgflag_names, "peek", &v) == 0 && v == MSG_PEEK,
	    "flags_short");
	ok(flags_parse(msgflag_names, "MSG_PEEK|MSG_WAITALL", &v) == 0 &&
	    v == (MSG_PEEK | MSG_WAITALL), "flags_c_names");
	ok(flags_parse(msgflag_names, "peek,dontwait|oob|TRUNC", &v) == 0 &&
	    v == (MSG_PEEK | MSG_DONTWAIT | MSG_OOB | MSG_TRUNC),
	    "flags_mixed");
	ok(flags_parse(msgflag_names, "0", &v) == 0 && v == 0, "flags_zero");
	v = 5;
	ok(flags_parse(msgflag_names, "peek|bogus", &v) == -1 &&
	    flags_parse(msgflag_names, "", &v) == -1 &&
	    flags_parse(msgflag_names, "peek||oob", &v) == -1 &&
	    flags_parse(msgflag_names, "|peek", &v) == -1 &&
	    flags_parse(msgflag_names, "MSG_", &v) == -1 &&
	    flags_parse(msgflag_names, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &v) == -1 && v == 5,
	    "flags_bad");

	ok_seen(strcmp(fmt_flags(0), "0") == 0, "flags_format_zero",
	    fmt_flags(0));
	ok_seen(strcmp(fmt_flags(MSG_PEEK), "MSG_PEEK") == 0,
	    "flags_format_one", fmt_flags(MSG_PEEK));
	ok_seen(strcmp(fmt_flags(MSG_OOB | MSG_WAITALL),
	    "MSG_OOB|MSG_WAITALL") == 0, "flags_format_two",
	    fmt_flags(MSG_OOB | MSG_WAITALL));
	ok_seen(strcmp(fmt_flags(MSG_PEEK | 0x10000000),
	    "MSG_PEEK|0x10000000") == 0, "flags_format_unknown",
	    fmt_flags(MSG_PEEK | 0x10000000));
	{
		int	back = -1;
		const char *s = fmt_flags(MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);

		ok(flags_parse(msgflag_names, s, &back) == 0 && back ==
		    (MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT), "flags_round_trip");
	}
}

/* ---- addresses ---- */

/* The socket type ap parses for: what most commands make, TCP. */
static int	ap_type = SOCK_STREAM;

/*
 * Parse an address typed as the given words (one or two) for a socket of
 * family fam and type ap_type. Returns addr_parse's result; the message is
 * in captured[].
 */
static int
ap(int fam, int passive, struct addr *a, const char *w0, const char *w1)
{
	struct word	w[2];
	struct buf	why = { 0 };
	int		r;

	memset(a, 0xa5, sizeof *a);
	w[0].s = (char *)(uintptr_t)w0;
	w[0].len = strlen(w0);
	w[0].quoted = 0;
	if (w1 != NULL) {
		w[1].s = (char *)(uintptr_t)w1;
		w[1].len = strlen(w1);
		w[1].quoted = 0;
	}
	start_capture();
	r = addr_parse(fam, ap_type, w, w1 != NULL ? 2 : 1, passive, a,
	    &why);
	if (r != 0)
		diag("%s", buf_str(&why));
	buf_free(&why);
	stop_capture();
	return r;
}

static const char *
fmt(const struct addr *a, int shortform)
{
	static struct buf b;

	buf_reset(&b);
	if (shortform)
		addr_format_short(&b, (const struct sockaddr *)&a->ss, a->len);
	else
		addr_format(&b, (const struct sockaddr *)&a->ss, a->len);
	return buf_str(&b);
}

/* Parse, then check the formatted address (long form). */
static void
addr_case(const char *name, int fam, int passive, const char *w0,
    const char *w1, const char *want)
{
	struct addr	a;
	int		r = ap(fam, passive, &a, w0, w1);

	if (r != 0) {
		ok(0, name);
		printf("    parse failed: %s\n", printable(captured));
		return;
	}
	ok_seen(strcmp(fmt(&a, 0), want) == 0, name, fmt(&a, 0));
}

/* Expect a parse error whose message holds each of the given strings. */
static void
addr_bad(const char *name, int fam, int passive, const char *w0,
    const char *w1, const char *must, const char *must2)
{
	struct addr	a;
	int		r = ap(fam, passive, &a, w0, w1);

	ok_seen(r == -1 && captured[0] != '\0' &&
	    (must == NULL || strstr(captured, must) != NULL) &&
	    (must2 == NULL || strstr(captured, must2) != NULL), name,
	    r == 0 ? "parsed" : captured);
}

static void
test_addr(void)
{
	struct addr	a;
	char		longpath[200];
	struct sockaddr_un *sun;

	addr_case("addr_host_port", AF_UNSPEC, 0, "127.0.0.1", "6565",
	    "{AF_INET, 127.0.0.1:6565}");
	addr_case("addr_localhost_is_v4_first", AF_UNSPEC, 0, "localhost",
	    "80", "{AF_INET, 127.0.0.1:80}");
	addr_case("addr_host_colon_port", AF_UNSPEC, 0, "127.0.0.1:6565",
	    NULL, "{AF_INET, 127.0.0.1:6565}");
	addr_case("addr_v6_brackets", AF_UNSPEC, 0, "[::1]:6565", NULL,
	    "{AF_INET6, [::1]:6565}");
	addr_case("addr_v6_space_port", AF_UNSPEC, 0, "::1", "6565",
	    "{AF_INET6, [::1]:6565}");
	addr_case("addr_v6_brackets_space_port", AF_UNSPEC, 0, "[::1]", "7",
	    "{AF_INET6, [::1]:7}");
	addr_case("addr_v4_family_given", AF_INET, 0, "localhost", "1",
	    "{AF_INET, 127.0.0.1:1}");
	addr_case("addr_port_zero", AF_UNSPEC, 1, "127.0.0.1", "0",
	    "{AF_INET, 127.0.0.1:0}");
	addr_case("addr_port_max", AF_UNSPEC, 0, "127.0.0.1", "65535",
	    "{AF_INET, 127.0.0.1:65535}");
	addr_case("addr_path", AF_UNSPEC, 0, "/tmp/x.sock", NULL,
	    "{AF_UNIX, \"/tmp/x.sock\"}");
	addr_case("addr_relative_path", AF_UNIX, 0, "./x", NULL,
	    "{AF_UNIX, \"./x\"}");
	addr_case("addr_abstract", AF_UNSPEC, 0, "@demo", NULL,
	    "{AF_UNIX, @\"demo\"}");
	addr_case("addr_bare_port_bind", AF_UNSPEC, 1, "6565", NULL,
	    "{AF_INET, 0.0.0.0:6565}");
	addr_case("addr_star_bind", AF_UNSPEC, 1, "*", "6565",
	    "{AF_INET, 0.0.0.0:6565}");
	addr_case("addr_star_colon_bind", AF_UNSPEC, 1, "*:6565", NULL,
	    "{AF_INET, 0.0.0.0:6565}");
	addr_case("addr_star_bind_v6", AF_INET6, 1, "*", "6565",
	    "{AF_INET6, [::]:6565}");
	addr_case("addr_service_name", AF_UNSPEC, 0, "127.0.0.1", "http",
	    "{AF_INET, 127.0.0.1:80}");
	/* The lookup is for the socket's type; a raw socket's has no port. */
	ap_type = SOCK_DGRAM;
	addr_case("addr_udp_service_name", AF_INET, 0, "127.0.0.1", "domain",
	    "{AF_INET, 127.0.0.1:53}");
	ap_type = SOCK_RAW;
	addr_case("addr_raw_port", AF_INET, 0, "127.0.0.1", "7",
	    "{AF_INET, 127.0.0.1:7}");
	addr_case("addr_raw_localhost", AF_INET, 0, "localhost", "0",
	    "{AF_INET, 127.0.0.1:0}");
	addr_case("addr_raw_v6_port", AF_INET6, 0, "::1", "58",
	    "{AF_INET6, [::1]:58}");
	addr_case("addr_raw_star_bind", AF_INET6, 1, "*", "0",
	    "{AF_INET6, [::]:0}");
	addr_bad("addr_raw_service_name", AF_INET, 0, "127.0.0.1", "http",
	    "port \"http\"", "raw socket has no services");
	ap_type = SOCK_STREAM;

	/* Lengths: what bind and connect are given. */
	ok(ap(AF_UNSPEC, 0, &a, "127.0.0.1", "1") == 0 &&
	    a.len == sizeof(struct sockaddr_in), "addr_len_v4");
	ok(ap(AF_UNSPEC, 0, &a, "::1", "1") == 0 &&
	    a.len == sizeof(struct sockaddr_in6), "addr_len_v6");
	sun = (struct sockaddr_un *)&a.ss;
	ok(ap(AF_UNSPEC, 0, &a, "/a/b", NULL) == 0 &&
	    a.len == offsetof(struct sockaddr_un, sun_path) + 5 &&
	    strcmp(sun->sun_path, "/a/b") == 0, "addr_len_path");
	ok(ap(AF_UNSPEC, 0, &a, "@ab", NULL) == 0 &&
	    a.len == offsetof(struct sockaddr_un, sun_path) + 3 &&
	    sun->sun_path[0] == '\0' && memcmp(sun->sun_path + 1, "ab", 2) ==
	    0, "addr_len_abstract");

	/* Short forms, as list and -q show them. */
	ap(AF_UNSPEC, 0, &a, "127.0.0.1", "6565");
	ok_seen(strcmp(fmt(&a, 1), "127.0.0.1:6565") == 0, "addr_short_v4",
	    fmt(&a, 1));
	ap(AF_UNSPEC, 0, &a, "::1", "6565");
	ok_seen(strcmp(fmt(&a, 1), "[::1]:6565") == 0, "addr_short_v6",
	    fmt(&a, 1));
	ap(AF_UNSPEC, 0, &a, "/tmp/s", NULL);
	ok_seen(strcmp(fmt(&a, 1), "/tmp/s") == 0, "addr_short_path",
	    fmt(&a, 1));
	ap(AF_UNSPEC, 0, &a, "@x", NULL);
	ok_seen(strcmp(fmt(&a, 1), "@x") == 0, "addr_short_abstract",
	    fmt(&a, 1));
	a.len = 0;
	ok(strcmp(fmt(&a, 1), "-") == 0 && strcmp(fmt(&a, 0), "NULL") == 0,
	    "addr_format_empty");
	/* An unnamed AF_UNIX socket (socketpair) has only the family. */
	memset(&a, 0, sizeof a);
	a.ss.ss_family = AF_UNIX;
	a.len = offsetof(struct sockaddr_un, sun_path);
	ok_seen(strcmp(fmt(&a, 0), "{AF_UNIX}") == 0, "addr_format_unnamed",
	    fmt(&a, 0));
	/* Control bytes in a path are escaped, never printed raw. */
	ap(AF_UNSPEC, 0, &a, "/tmp/a\nb", NULL);
	ok_seen(strcmp(fmt(&a, 0), "{AF_UNIX, \"/tmp/a\\nb\"}") == 0,
	    "addr_format_escaped_path", fmt(&a, 0));

	/* Errors name what was wrong. */
	addr_bad("addr_missing_port", AF_UNSPEC, 0, "localhost", NULL,
	    "localhost", "missing port");
	addr_bad("addr_missing_port_colon", AF_UNSPEC, 0, "127.0.0.1:", NULL,
	    "missing port", NULL);
	addr_bad("addr_bad_port", AF_UNSPEC, 0, "localhost", "99999", "99999",
	    "too large");
	addr_bad("addr_bad_port_colon", AF_UNSPEC, 0, "127.0.0.1:70000", NULL,
	    "70000", NULL);
	addr_bad("addr_bad_service", AF_UNSPEC, 0, "127.0.0.1", "nosuchsvc",
	    "nosuchsvc", NULL);
	addr_bad("addr_v6_no_brackets", AF_UNSPEC, 0, "::1:80", NULL,
	    "::1:80", "[");
	addr_bad("addr_v6_unclosed_bracket", AF_UNSPEC, 0, "[::1:80", NULL,
	    "[::1:80", NULL);
	addr_bad("addr_v6_bracket_no_port", AF_UNSPEC, 0, "[::1]", NULL,
	    "[::1]", NULL);
	addr_bad("addr_bare_port_connect", AF_UNSPEC, 0, "6565", NULL,
	    "6565", "host");
	addr_bad("addr_star_connect", AF_UNSPEC, 0, "*", "6565", "wildcard",
	    NULL);
	addr_bad("addr_path_with_port", AF_UNSPEC, 0, "/tmp/x", "80",
	    "/tmp/x", "port");
	memset(longpath, 'p', sizeof longpath - 1);
	longpath[0] = '/';
	longpath[sizeof longpath - 1] = '\0';
	addr_bad("addr_unix_too_long", AF_UNSPEC, 0, longpath, NULL,
	    "too long", NULL);
	/* The longest path that fits, and one byte more. */
	longpath[sizeof sun->sun_path - 1] = '\0';
	ok(ap(AF_UNSPEC, 0, &a, longpath, NULL) == 0, "addr_unix_longest");
	longpath[sizeof sun->sun_path - 1] = 'p';
	longpath[sizeof sun->sun_path] = '\0';
	addr_bad("addr_unix_one_too_long", AF_UNSPEC, 0, longpath, NULL,
	    "too long", NULL);
	addr_bad("addr_family_mismatch_unix_on_inet", AF_INET, 0, "/tmp/x",
	    NULL, "AF_UNIX", "AF_INET");
	addr_bad("addr_family_mismatch_inet_on_unix", AF_UNIX, 0, "127.0.0.1",
	    "80", "AF_UNIX", NULL);
	addr_bad("addr_family_mismatch_v6_on_inet", AF_INET, 0, "::1", "80",
	    "::1", NULL);
	addr_bad("addr_family_mismatch_v4_on_inet6", AF_INET6, 0, "127.0.0.1",
	    "80", "127.0.0.1", NULL);
	/* (No unknown-host case: that would ask DNS, off the loopback.) */
	addr_bad("addr_control_bytes_escaped", AF_UNSPEC, 0, "\x1b[2J", NULL,
	    "\\x1b", NULL);
	{
		struct word	w[1];
		struct buf	why = { 0 };

		w[0].s = (char *)(uintptr_t)"/a\0b";
		w[0].len = 4;
		w[0].quoted = 1;
		start_capture();
		ok(addr_parse(AF_UNSPEC, SOCK_STREAM, w, 1, 0, &a, &why) == -1,
		    "addr_nul_byte");
		stop_capture();
		buf_free(&why);
	}
}

static struct word *
mkwords(const char *const *s, int n)
{
	static struct word	w[8];
	int			i;

	for (i = 0; i < n; i++) {
		w[i].s = (char *)(uintptr_t)s[i];
		w[i].len = strlen(s[i]);
		w[i].quoted = 0;
	}
	return w;
}

static void
test_addr_words(void)
{
	static const char *const a[] = { "hello", "localhost", "80" };
	static const char *const b[] = { "hello", "localhost:80" };
	static const char *const c[] = { "hello", "world", "/tmp/s" };
	static const char *const d[] = { "hi", "/tmp/s", "80" };
	static const char *const e[] = { "hi", "@abs", "80" };
	static const char *const f[] = { "x", "[::1]:9" };
	static const char *const g[] = { "hi", "::1", "9" };

	ok(addr_words(mkwords(a, 3), 3) == 2, "addr_words_host_port");
	ok(addr_words(mkwords(b, 2), 2) == 1, "addr_words_host_colon_port");
	ok(addr_words(mkwords(c, 3), 3) == 1, "addr_words_path");
	ok(addr_words(mkwords(d, 3), 3) == 1, "addr_words_path_then_number");
	ok(addr_words(mkwords(e, 3), 3) == 1, "addr_words_abstract");
	ok(addr_words(mkwords(f, 2), 2) == 1, "addr_words_v6");
	ok(addr_words(mkwords(g, 3), 3) == 2, "addr_words_v6_port");
	/* Two words can only be DATA ADDR: the address is one word. */
	ok(addr_words(mkwords(a + 1, 2), 2) == 1, "addr_words_two");
}

/* ---- socket table ---- */

static void
test_table(void)
{
	struct sock	*s;
	int		 n = sock_count(), fd, count = 0, order = 1;

	s = sock_add(5000, AF_INET, SOCK_STREAM, 6);
	ok(s != NULL && sock_get(5000) == s && s->timeout < 0 &&
	    s->parent == -1 && sock_count() == n + 1, "table_add_high_fd");
	sock_add(7, AF_UNIX, SOCK_DGRAM, 0);
	sock_add(9, AF_UNIX, SOCK_DGRAM, 0);
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd))
		count++;
	ok(count == sock_count() && count == n + 3, "table_walk");
	(void)order;
	sock_remove(9);
	ok(sock_get(9) == NULL && sock_get(7) != NULL && sock_count() ==
	    n + 2, "table_remove");
	ok(sock_get(-1) == NULL && sock_get(1 << 30) == NULL,
	    "table_out_of_range");
	sock_remove(7);
	sock_remove(5000);
	sock_remove(5000);
	ok(sock_count() == n, "table_remove_twice");
}

int
main(void)
{
	/* Messages as in script mode: "line N: ...". */
	sess.lineno = 1;
	test_lex();
	test_escape();
	test_numbers();
	test_flags();
	test_addr();
	test_addr_words();
	test_table();
	return failed ? 1 : 0;
}
