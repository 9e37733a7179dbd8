/*
 * Colour at the prompt. Off unless a person is looking at a terminal that
 * can show it: never in a script, never with NO_COLOR (no-color.org) or
 * --no-color, never on TERM=dumb.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

int	color_on;
/* Diagnostics go to stderr, which may be redirected on its own. */
static int	color_stderr;

static const char *const codes[] = {
	[C_RESET] = "\033[0m",
	[C_TRACE] = "\033[2m",
	[C_SENT] = "\033[0;33m",
	[C_RECV] = "\033[0;32m",
	[C_ERROR] = "\033[31m",
	[C_EVENT] = "\033[36m",
	[C_PROMPT] = "\033[1m",
};

/* Decide once, at the start of an interactive session. */
void
color_init(void)
{
	const char	*term = getenv("TERM"), *no = getenv("NO_COLOR");

	color_on = opt.interactive && !opt.no_color &&
	    (no == NULL || *no == '\0') && term != NULL && *term != '\0' &&
	    strcmp(term, "dumb") != 0 && isatty(STDOUT_FILENO);
	color_stderr = color_on && isatty(STDERR_FILENO);
}

/* The escape sequence for stdout, or "" when colour is off. */
const char *
color(enum color c)
{
	return color_on ? codes[c] : "";
}

/* The same for stderr. */
const char *
color_err(enum color c)
{
	return color_stderr ? codes[c] : "";
}
