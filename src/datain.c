/*
 * The data of a send and the extras of a receive: hex:, < FILE, > FILE,
 * >> FILE and -f FORMAT. Bare words are data, so each of these is only taken
 * in one unquoted position; quoting the word always makes it plain data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

/*
 * Decode pairs of hex digits in s[0..n) into out. Returns 0, or -1 with a
 * message in err naming the bad digit.
 */
int
data_hex(const char *s, size_t n, struct buf *out, struct buf *err)
{
	size_t	i;
	int	hi, lo;

	if (n % 2 != 0) {
		buf_printf(err, "hex data needs an even number of digits "
		    "(two per byte); %zu given", n);
		return -1;
	}
	for (i = 0; i < n; i += 2) {
		hi = hex_value((unsigned char)s[i]);
		lo = hex_value((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0) {
			size_t bad = hi < 0 ? i : i + 1;

			buf_adds(err, "hex data: \"");
			escape_bytes(err, s + bad, 1);
			buf_printf(err, "\" at digit %zu is not a hex digit",
			    bad + 1);
			return -1;
		}
		buf_addc(out, (char)(hi << 4 | lo));
	}
	return 0;
}

static int
is_bare(const struct word *w, const char *s)
{
	return !w->quoted && strcmp(w->s, s) == 0;
}

/*
 * The data given as the words w[0..n) of command name: "< FILE" (then *file
 * is set and out is left alone), a single unquoted word hex:DIGITS, or the
 * words joined by single spaces. Returns 0, or -1 after a message.
 */
int
data_words(const char *name, struct word *w, int n, struct buf *out,
    const char **file)
{
	struct buf	err = { 0 };
	int		i;

	*file = NULL;
	if (n > 0 && is_bare(&w[0], "<")) {
		if (n != 2) {
			diag("%s: < takes one file name (write \"<\" in quotes "
			    "to send the character)", name);
			return -1;
		}
		*file = w[1].s;
		return 0;
	}
	if (n == 1 && !w[0].quoted && strncmp(w[0].s, "hex:", 4) == 0) {
		if (data_hex(w[0].s + 4, w[0].len - 4, out, &err) != 0) {
			diag("%s: %s (quote the word to send it as text)",
			    name, buf_str(&err));
			buf_free(&err);
			return -1;
		}
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(out, ' ');
		buf_add(out, w[i].s, w[i].len);
	}
	return 0;
}

/*
 * Take "> FILE" or ">> FILE" off the end of a receive's words, lowering
 * *argc. Returns 0 (r->path NULL when there is none), or -1 after a message
 * for a redirection anywhere else.
 */
int
redir_take(const char *name, struct word *w, int *argc, struct redir *r)
{
	int	i, n = *argc;

	r->path = NULL;
	r->append = 0;
	if (n >= 2 && (is_bare(&w[n - 2], ">") || is_bare(&w[n - 2], ">>"))) {
		r->path = w[n - 1].s;
		r->append = w[n - 2].s[1] == '>';
		n -= 2;
	}
	for (i = 0; i < n; i++) {
		if (!w[i].quoted && w[i].s[0] == '>') {
			diag("%s: write > FILE or >> FILE at the end, with a "
			    "space after > (quote \">\" to mean the character)",
			    name);
			return -1;
		}
	}
	*argc = n;
	return 0;
}

/*
 * Take "-> NAME" off the end of a receive's words, lowering *argc: the
 * data it receives goes into variable NAME too. *var is NAME's word, NULL
 * when there is none. Returns 0, or -1 after a message (-> elsewhere, or
 * both > FILE and -> NAME).
 */
int
capture_take(const char *name, struct word *w, int *argc,
    const struct word **var)
{
	int	i, n = *argc, arrow = 0, file = 0;

	*var = NULL;
	for (i = 0; i < n; i++) {
		arrow |= is_bare(&w[i], "->");
		file |= is_bare(&w[i], ">") || is_bare(&w[i], ">>");
	}
	if (arrow && file) {
		diag("%s: give > FILE or -> NAME, not both", name);
		return -1;
	}
	if (n >= 2 && is_bare(&w[n - 2], "->")) {
		*var = &w[n - 1];
		n -= 2;
	}
	for (i = 0; i < n; i++) {
		if (is_bare(&w[i], "->")) {
			diag("%s: write -> NAME at the end (quote \"->\" to "
			    "mean the characters)", name);
			return -1;
		}
	}
	*argc = n;
	return 0;
}

/*
 * Take a leading "-f FORMAT" off a receive's words. Returns how many words
 * it took (0 or 2), or -1 after a message.
 */
int
format_take(const char *name, struct word *w, int argc, enum data_format *f)
{
	int	v;

	if (argc < 1 || !is_bare(&w[0], "-f"))
		return 0;
	if (argc < 2) {
		diag("%s: -f needs a format: auto, text, hex or raw", name);
		return -1;
	}
	for (v = 0; format_names[v].name != NULL; v++) {
		if (strcmp(format_names[v].name, w[1].s) == 0) {
			*f = (enum data_format)format_names[v].value;
			return 2;
		}
	}
	diag("%s: format \"%s\": use auto, text, hex or raw", name,
	    printable(w[1].s));
	return -1;
}

/*
 * Take a leading "-m FLAGS" off a send's words: MSG_ flags by name, joined
 * by | or , (oob, more,nosignal, MSG_DONTWAIT, 0x40). Returns how many words it
 * took (0 or 2), or -1 after a message.
 */
int
msgflags_take(const char *name, struct word *w, int argc, int *flags)
{
	if (argc < 1 || !is_bare(&w[0], "-m"))
		return 0;
	if (argc < 2) {
		diag("%s: -m needs flags: oob, more, nosignal, dontwait, eor, "
		    "confirm... (or MSG_ names, or a number), joined by | or "
		    "commas", name);
		return -1;
	}
	if (msgflags_parse(w[1].s, flags) != 0) {
		diag("%s: flags \"%s\": use oob, more, nosignal, dontwait, eor, "
		    "confirm, dontroute (or MSG_ names, or a number), joined by "
		    "| or commas", name, printable(w[1].s));
		return -1;
	}
	return 2;
}

/* Open a file for a command; NULL-safe message naming it on failure. */
int
data_file_open(const char *name, const char *path, int flags)
{
	int	fd;

	if ((fd = open(path, flags | O_CLOEXEC, 0666)) < 0)
		diag("%s: %s: %s", name, printable(path), strerror(errno));
	return fd;
}

/* A buffer of DATA_CHUNK bytes for moving a file; aborts without memory. */
char *
data_chunk(void)
{
	char	*p;

	if ((p = malloc(DATA_CHUNK)) == NULL)
		nomem();
	return p;
}
