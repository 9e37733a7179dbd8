/*
 * Splitting a command line into words, as sqlite's shell and sftp do: blanks
 * separate words, "..." expands C escapes, '...' is literal, and a # at the
 * start of a word begins a comment. b'...' and b"..." are read as Python
 * bytes literals: the b is dropped and escapes work in both; rb'...' (br,
 * any case) is a raw one, its bytes taken as typed.
 */
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

/* The value of a hex digit, or -1. */
int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Expand the C escapes in s[0..n) into out. Returns the number of input bytes
 * consumed by the escape starting at s (s[0] is the backslash), or -1 with a
 * message in err naming the bad escape.
 */
static int
one_escape(const char *s, size_t n, struct buf *out, struct buf *err)
{
	int	hi, lo, v, i;

	if (n < 2) {
		buf_adds(err, "backslash at end of string");
		return -1;
	}
	switch (s[1]) {
	case 'n': buf_addc(out, '\n'); return 2;
	case 'r': buf_addc(out, '\r'); return 2;
	case 't': buf_addc(out, '\t'); return 2;
	case 'a': buf_addc(out, '\a'); return 2;
	case 'b': buf_addc(out, '\b'); return 2;
	case 'f': buf_addc(out, '\f'); return 2;
	case 'v': buf_addc(out, '\v'); return 2;
	case 'e': buf_addc(out, 0x1b); return 2;
	case '\\': buf_addc(out, '\\'); return 2;
	case '"': buf_addc(out, '"'); return 2;
	case '\'': buf_addc(out, '\''); return 2;
	case '$': buf_addc(out, '$'); return 2;
	case ' ': buf_addc(out, ' '); return 2;
	case '#': buf_addc(out, '#'); return 2;
	case 'x':
		if (n < 4 || (hi = hex_value((unsigned char)s[2])) < 0 ||
		    (lo = hex_value((unsigned char)s[3])) < 0) {
			buf_adds(err, "bad escape: \\x needs two hex digits "
			    "(\\x00 to \\xff)");
			return -1;
		}
		buf_addc(out, (char)(hi << 4 | lo));
		return 4;
	default:
		if (s[1] >= '0' && s[1] <= '7') {
			/* Octal, up to three digits, as in C: \0, \12, \177. */
			for (v = 0, i = 1; i < 4 && (size_t)i < n &&
			    s[i] >= '0' && s[i] <= '7'; i++)
				v = v * 8 + (s[i] - '0');
			if (v > 255) {
				buf_adds(err, "bad escape: octal value over \\377");
				return -1;
			}
			buf_addc(out, (char)v);
			return i;
		}
		buf_adds(err, "bad escape \"\\");
		if ((unsigned char)s[1] >= 0x20 && (unsigned char)s[1] < 0x7f)
			buf_addc(err, s[1]);
		else
			buf_printf(err, "x%02x", (unsigned char)s[1]);
		buf_adds(err, "\" (known: \\n \\r \\t \\0 \\xHH \\\\ \\\" "
		    "and the other C escapes)");
		return -1;
	}
}

/* Expand every escape in s[0..n). Returns 0, or -1 with err set. */
int
unescape(const char *s, size_t n, struct buf *out, struct buf *err)
{
	size_t	i = 0;
	int	k;

	while (i < n) {
		if (s[i] != '\\') {
			buf_addc(out, s[i++]);
			continue;
		}
		if ((k = one_escape(s + i, n - i, out, err)) < 0)
			return -1;
		i += k;
	}
	return 0;
}

/* Append bytes as the inside of a C string literal: NUL-safe, 7-bit clean. */
void
escape_bytes(struct buf *b, const void *p, size_t n)
{
	const unsigned char *u = p;
	size_t	i;

	for (i = 0; i < n; i++) {
		switch (u[i]) {
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '"': buf_adds(b, "\\\""); break;
		default:
			if (u[i] >= 0x20 && u[i] < 0x7f) {
				/* A run of plain bytes at once. */
				size_t j = i + 1;

				while (j < n && u[j] >= 0x20 && u[j] < 0x7f &&
				    u[j] != '\\' && u[j] != '"')
					j++;
				buf_add(b, u + i, j - i);
				i = j - 1;
			}
			else if (u[i] == 0 && (i + 1 == n || u[i + 1] < '0' ||
			    u[i + 1] > '7'))
				buf_adds(b, "\\0");
			else
				buf_printf(b, "\\x%02x", u[i]);
		}
	}
}

/*
 * A user's text made safe to print in a message (no control bytes reach the
 * terminal). The result lives until the next call.
 */
const char *
printable(const char *s)
{
	static struct buf b;

	buf_reset(&b);
	escape_bytes(&b, s, strlen(s));
	return buf_str(&b);
}

/*
 * Add a word of n bytes at p. The words' bytes share one buffer, each
 * NUL-terminated: one allocation per line, not one per word.
 */
void
words_push(struct words *w, const void *p, size_t n, int quoted)
{
	struct word	*wd;
	size_t		 cap = w->store.cap;
	char		*d;
	int		 i;

	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		if ((w->v = realloc(w->v, w->cap * sizeof *w->v)) == NULL)
			nomem();
	}
	wd = &w->v[w->n++];
	wd->off = w->store.len;
	wd->len = n;
	wd->quoted = quoted;
	/* The bytes and their NUL in one go. */
	d = buf_room(&w->store, n + 1);
	memcpy(d, p, n);
	d[n] = '\0';
	buf_commit(&w->store, n + 1);
	/* The buffer moved: point every word into it again. */
	for (i = w->store.cap != cap ? 0 : w->n - 1; i < w->n; i++)
		w->v[i].s = w->store.data + w->v[i].off;
}

/* Empty w for the next line, keeping its memory. */
void
words_reset(struct words *w)
{
	w->n = 0;
	buf_reset(&w->store);
}

void
words_free(struct words *w)
{
	free(w->v);
	buf_free(&w->store);
	w->v = NULL;
	w->n = w->cap = 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}

/* A byte that stands for itself in a word: no quote, escape or $. */
static int
is_plain(char c)
{
	return !is_blank(c) && c != '\'' && c != '"' && c != '\\' &&
	    c != '$';
}

static int
is_name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

/*
 * A variable reference at s[0] == '$': $NAME or ${NAME}. Its value is
 * appended to out straight away and never scanned again, so a value holding
 * $ or \ or NUL bytes passes through as it is, and an escaped \$ (already
 * turned into a plain $ in out) is never expanded. A $ not followed by a
 * name stays a $. Returns the input bytes consumed, or -1 with err set.
 */
static int
expand_var(const char *s, size_t n, lex_lookup_fn lookup, struct buf *out,
    struct buf *err)
{
	static struct buf name;		/* kept: no allocation per $ */
	size_t		 i, start, end;
	int		 r;

	if (n >= 2 && s[1] == '{') {
		for (i = 2; i < n && s[i] != '}'; i++)
			;
		if (i == n) {
			buf_adds(err, "unterminated ${...}");
			return -1;
		}
		start = 2;
		end = i;
		if (end == start || !is_name_start(s[start])) {
			buf_adds(err, "bad variable name in ${...}: names are "
			    "letters, digits and _, not starting with a digit");
			return -1;
		}
		for (i = start; i < end; i++) {
			if (!is_name_char(s[i])) {
				buf_adds(err, "bad variable name in ${...}: "
				    "names are letters, digits and _");
				return -1;
			}
		}
		i = end + 1;
	} else {
		if (n < 2 || !is_name_start(s[1])) {
			buf_addc(out, '$');
			return 1;
		}
		start = 1;
		for (i = 1; i < n && is_name_char(s[i]); i++)
			;
		end = i;
	}
	buf_reset(&name);
	buf_add(&name, s + start, end - start);
	r = lookup(buf_str(&name), out, err);
	return r == 0 ? (int)i : -1;
}

/*
 * Has the line grown past EXPAND_MAX bytes with its $variables (the words
 * so far and the one being made)? Then err says so: a few lines that each
 * double a variable would otherwise take all the memory there is.
 */
static int
too_big(const struct words *w, const struct buf *cur, struct buf *err)
{
	if (w->store.len + cur->len <= EXPAND_MAX)
		return 0;
	buf_printf(err, "the line is over %d bytes once its $variables are "
	    "expanded (the limit of an expanded line)", EXPAND_MAX);
	return 1;
}

/*
 * Split line[0..n) into words. Quotes may join parts of one word, as in the
 * shell: a"b c"d is one word. Returns 0, or -1 with a message in err.
 */
int
lex_line(const char *line, size_t n, struct words *w, struct buf *err)
{
	return lex_expand(line, n, w, err, NULL);
}

/* b and r in either order and case: a Python raw bytes prefix. */
static int
raw_prefix(char a, char b)
{
	return ((a == 'r' || a == 'R') && (b == 'b' || b == 'B')) ||
	    ((a == 'b' || a == 'B') && (b == 'r' || b == 'R'));
}

/*
 * As lex_line, and with lookup set, expand $NAME and ${NAME} in bare words
 * and inside "...", but not inside '...'. Expansion happens here, while the
 * quotes are still known, rather than on the words afterwards: that is what
 * keeps '$x' literal and makes \$ a plain dollar. lookup appends a value to
 * its buffer and returns 0, or returns -1 with a message in its error
 * buffer. Returns 0, or -1 with a message in err.
 */
int
lex_expand(const char *line, size_t n, struct words *w, struct buf *err,
    lex_lookup_fn lookup)
{
	static struct buf cur;	/* kept: no allocation per line */
	size_t		 i = 0, j, q;
	int		 in_word, quoted, pybytes, k;

	while (i < n) {
		while (i < n && is_blank(line[i]))
			i++;
		if (i == n || line[i] == '#')
			break;
		/* A word of plain bytes alone, the common case: no copy. */
		for (j = i; j < n && is_plain(line[j]); j++)
			;
		if (j > i && (j == n || is_blank(line[j]))) {
			words_push(w, line + i, j - i, 0);
			i = j;
			continue;
		}
		buf_reset(&cur);
		in_word = 1;
		quoted = 0;
		/*
		 * A word that starts b'...' or b"..." is a Python bytes
		 * literal, as the tutorials write data: the b is not data,
		 * and escapes work inside either quote, as in Python.
		 */
		pybytes = 0;
		if ((line[i] == 'b' || line[i] == 'B') && i + 1 < n &&
		    (line[i + 1] == '\'' || line[i + 1] == '"')) {
			pybytes = 1;
			i++;
		} else if (i + 2 < n && raw_prefix(line[i], line[i + 1]) &&
		    (line[i + 2] == '\'' || line[i + 2] == '"')) {
			/* rb'...' (br, Rb...): raw, every byte as typed. */
			pybytes = 2;
			i += 2;
		}
		while (in_word && i < n) {
			switch (line[i]) {
			case '\'':
				for (j = i + 1; j < n && line[j] != '\''; j++) {
					if (pybytes && line[j] == '\\' &&
					    j + 1 < n)
						j++;
				}
				if (j == n) {
					buf_adds(err, "unterminated '...' "
					    "string");
					goto fail;
				}
				if (pybytes == 2)
					buf_add(&cur, line + i + 1, j - i - 1);
				else if (pybytes) {
					if (unescape(line + i + 1, j - i - 1,
					    &cur, err) != 0)
						goto fail;
				} else
					buf_add(&cur, line + i + 1, j - i - 1);
				pybytes = 0;
				i = j + 1;
				quoted = 1;
				break;
			case '"':
				for (j = i + 1; j < n && line[j] != '"'; j++) {
					if (line[j] == '\\' && j + 1 < n)
						j++;
				}
				if (j == n) {
					buf_adds(err, "unterminated \"...\" "
					    "string");
					goto fail;
				}
				/* A raw bytes literal: no escapes, no $. */
				if (pybytes == 2)
					buf_add(&cur, line + i + 1, j - i - 1);
				for (q = i + 1; pybytes != 2 && q < j; q += k) {
					if (line[q] == '\\')
						k = one_escape(line + q, j - q,
						    &cur, err);
					else if (line[q] == '$' &&
					    lookup != NULL) {
						k = expand_var(line + q, j - q,
						    lookup, &cur, err);
						if (k > 0 && too_big(w, &cur,
						    err))
							k = -1;
					}
					else {
						buf_addc(&cur, line[q]);
						k = 1;
					}
					if (k < 0)
						goto fail;
				}
				pybytes = 0;
				i = j + 1;
				quoted = 1;
				break;
			case '\\':
				/* Outside quotes a backslash escapes too. */
				if ((k = one_escape(line + i, n - i, &cur,
				    err)) < 0)
					goto fail;
				i += k;
				break;
			case '$':
				if (lookup == NULL) {
					buf_addc(&cur, line[i++]);
					break;
				}
				if ((k = expand_var(line + i, n - i, lookup,
				    &cur, err)) < 0 || too_big(w, &cur, err))
					goto fail;
				i += k;
				break;
			default:
				if (is_blank(line[i])) {
					in_word = 0;
					break;
				}
				/* A run of plain bytes at once. */
				for (j = i + 1; j < n && is_plain(line[j]); j++)
					;
				buf_add(&cur, line + i, j - i);
				i = j;
			}
		}
		words_push(w, cur.data != NULL ? cur.data : "", cur.len,
		    quoted);
	}
	return 0;
fail:
	words_free(w);
	return -1;
}
