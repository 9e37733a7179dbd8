/*
 * Numbers from the user, parsed with bounds. glibc has no strtonum(3), so
 * this is ours; like OpenBSD's, the message names the text that was wrong:
 * "port 99999: too large (at most 65535)".
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
 * Parse s as a whole decimal (or 0x hex) integer in [min, max]. what names
 * the value in the message. Returns 0, or -1 after printing a message.
 */
int
parse_int(const char *s, long long min, long long max, const char *what,
    long long *out)
{
	char		*end;
	long long	 v;

	if (*s == '\0' || isspace((unsigned char)*s)) {
		diag("%s \"%s\": not a number", what, printable(s));
		return -1;
	}
	/* Decimal, or hex after 0x; never octal: 010 is ten, as people mean. */
	errno = 0;
	v = strtoll(s, &end, s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ?
	    16 : 10);
	if (*end != '\0') {
		diag("%s \"%s\": not a number", what, printable(s));
		return -1;
	}
	if ((errno == ERANGE && v == LLONG_MIN) || v < min) {
		diag("%s %s: too small (at least %lld)", what, printable(s),
		    min);
		return -1;
	}
	if (errno == ERANGE || v > max) {
		diag("%s %s: too large (at most %lld)", what, printable(s),
		    max);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * Parse a duration in seconds, fractions allowed ("0.5"), from 0 to a day.
 * Returns 0, or -1 after printing a message.
 */
int
parse_seconds(const char *s, const char *what, double *out)
{
	char	*end;
	double	 v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || isspace((unsigned char)*s) ||
	    isnan(v) || isinf(v)) {
		diag("%s \"%s\": not a number of seconds", what, printable(s));
		return -1;
	}
	if (v < 0) {
		diag("%s %s: negative", what, printable(s));
		return -1;
	}
	if (v > 86400) {
		diag("%s %s: too large (at most 86400 seconds)", what,
		    printable(s));
		return -1;
	}
	*out = v;
	return 0;
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
