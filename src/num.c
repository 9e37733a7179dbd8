/*
 * Numbers from the user, parsed with bounds. glibc has no strtonum(3), so
 * this is ours: like OpenBSD's, the parsers return why a text is no good,
 * and the caller words the message, "bind: port 99999: too large (at most
 * 65535)".
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sockrepl.h"

/*
 * As OpenBSD's strtonum: s as a whole decimal (or 0x hex) integer in [min,
 * max]. Returns the value with *errstr NULL, or 0 with *errstr saying why
 * not ("not a number", "too large (at most 65535)"), valid until the next
 * call. Never octal: 010 is ten, as people mean.
 */
long long
num_parse(const char *s, long long min, long long max, const char **errstr)
{
	static char	 why[64];
	const char	*p;
	char		*end;
	long long	 v = 0;

	*errstr = NULL;
	/* Up to 18 plain digits, the common case, without strtoll. */
	for (p = s; *p >= '0' && *p <= '9' && p - s < 18; p++)
		v = v * 10 + (*p - '0');
	if (p == s || *p != '\0') {
		if (*s == '\0' || isspace((unsigned char)*s)) {
			*errstr = "not a number";
			return 0;
		}
		errno = 0;
		v = strtoll(s, &end, s[0] == '0' && (s[1] == 'x' ||
		    s[1] == 'X') ? 16 : 10);
		if (*end != '\0') {
			*errstr = "not a number";
			return 0;
		}
		if (errno == ERANGE) {
			snprintf(why, sizeof why, v < 0 ?
			    "too small (at least %lld)" :
			    "too large (at most %lld)", v < 0 ? min : max);
			*errstr = why;
			return 0;
		}
	}
	if (v < min) {
		snprintf(why, sizeof why, "too small (at least %lld)", min);
		*errstr = why;
		return 0;
	}
	if (v > max) {
		snprintf(why, sizeof why, "too large (at most %lld)", max);
		*errstr = why;
		return 0;
	}
	return v;
}

/*
 * The message for a value that would not parse, in one form everywhere:
 * "CMD: what TEXT: why", the text quoted when it is not a number at all.
 */
static void
num_complain(const char *what, const char *s, const char *why)
{
	const char	*q = strncmp(why, "not a number", 12) == 0 ? "\"" : "";

	diag_cmd("%s %s%s%s: %s", what, q, printable(s), q, why);
}

/*
 * Parse s as num_parse does; what names the value in the message. Returns
 * 0, or -1 after printing a message.
 */
int
parse_int(const char *s, long long min, long long max, const char *what,
    long long *out)
{
	const char	*errstr;
	long long	 v;

	v = num_parse(s, min, max, &errstr);
	if (errstr != NULL) {
		num_complain(what, s, errstr);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * Seconds, with fractions, from 0 to a day. Returns NULL with *out set, or
 * why not.
 */
static const char *
seconds_parse(const char *s, double *out)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || isspace((unsigned char)*s) ||
	    isnan(v) || isinf(v))
		return "not a number of seconds";
	if (v < 0)
		return "negative";
	if (v > 86400)
		return "too large (at most 86400 seconds)";
	*out = v;
	return NULL;
}

/* As parse_int, for seconds. */
int
parse_seconds(const char *s, const char *what, double *out)
{
	const char	*why;

	if ((why = seconds_parse(s, out)) == NULL)
		return 0;
	num_complain(what, s, why);
	return -1;
}

/* true/false, as Python's and the shell's words. Returns 0, or -1. */
int
parse_bool(const char *s, int *out)
{
	const struct name *n;

	for (n = bool_words; n->name != NULL; n++) {
		if (strcasecmp(s, n->name) == 0) {
			*out = n->value;
			return 0;
		}
	}
	return -1;
}
