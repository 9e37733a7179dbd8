/*
 * The session itself: help, sleep, quit.
 */
#include <errno.h>
#include <string.h>

#include "sockrepl.h"

/* Headings for help's list, one per enum cmd_group. */
static const char *const group_titles[GROUP__COUNT] = {
	[GROUP_LIFE] = "Life cycle",
	[GROUP_DATA] = "Data",
	[GROUP_OPTIONS] = "Options",
	[GROUP_INSPECTION] = "Inspection",
	[GROUP_NAMES] = "Names",
	[GROUP_EVENTS] = "Event loops",
	[GROUP_SESSION] = "Session",
	[GROUP_SCRIPTING] = "Scripting",
};

/*
 * Help topics that are not commands, and their texts in the same order;
 * completion offers the names.
 */
const char *const help_topics[] = { "addresses", "data", "modes", "errors",
    NULL };

static const char *const topic_texts[] = {
	"HOST PORT or HOST:PORT (IPv4 or a name: localhost 6565, "
	"127.0.0.1:6565); [IPV6]:PORT or IPV6 PORT ([::1]:6565, ::1 6565); "
	"a path containing a / for AF_UNIX (/tmp/s, ./s); @name for a Linux "
	"abstract AF_UNIX name. For bind, * PORT or a bare PORT is the "
	"wildcard address, and port 0 asks the kernel for a free port. "
	"Names are resolved with getaddrinfo; with no current socket an "
	"IPv4 address is preferred, as Python's socket.socket() does. "
	"Python's tuple works too: ('localhost', 6565), and ('', 6565) for "
	"the wildcard.",
	"The words after send, sendall and sendto are the data, joined by "
	"single spaces. \"...\" takes C escapes: \\n \\r \\t \\0 \\\\ \\\" "
	"\\xHH and octal \\NNN; '...' is taken literally. b'...' and "
	    "b\"...\" are Python bytes literals: the b is dropped and escapes "
	    "work in both (send b'hi\\n' sends hi and a newline); rb'...' "
	    "(or br, any case) is raw, as in Python: every byte as typed "
	    "(send rb'\\x41' sends the four bytes \\x41). Received text is "
	"shown as a C string (\"HTTP/1.0 200 OK\\r\\n\"), binary data as a "
	"hexdump; control bytes never reach the terminal raw.",
	"A socket is blocking (the default: calls wait), non-blocking "
	"(setblocking false or settimeout 0: calls fail at once with EAGAIN "
	"or EINPROGRESS) or has a timeout (settimeout SECONDS: calls wait "
	"in ppoll(2) for at most that long). Ctrl-C interrupts a call that "
	"is waiting; the call fails with EINTR and every socket stays as it "
	"was."
};

/* Print text wrapped to 72 columns with an indent. */
static void
wrap(const char *text, int indent)
{
	const char	*p = text, *space, *end;
	int		 col, width = 72 - indent;

	while (*p != '\0') {
		end = p;
		col = 0;
		/* Take words while they fit. */
		for (;;) {
			space = strchr(end, ' ');
			if (space == NULL)
				space = end + strlen(end);
			if (col > 0 && col + (space - end) > width)
				break;
			col += (int)(space - end) + 1;
			end = space;
			if (*end == '\0')
				break;
			end++;
		}
		while (end > p && end[-1] == ' ')
			end--;
		result("%*s%.*s", indent, "", (int)(end - p), p);
		p = end;
		while (*p == ' ')
			p++;
	}
}

/* One line of help's list, or two when the usage is long. */
static void
help_line(const struct cmd_entry *e, struct buf *b)
{
	buf_reset(b);
	buf_printf(b, "%s%s%s", e->name, *e->usage ? " " : "", e->usage);
	if (b->len > 28)
		result("  %s\n  %-28s %s", buf_str(b), "", e->summary);
	else
		result("  %-28s %s", buf_str(b), e->summary);
}

/*
 * Every command under its group's heading, groups in enum order and
 * commands in the table's order within each.
 */
static void
help_list(void)
{
	const struct cmd_entry	**e;
	struct buf		  b = { 0 };
	int			  g, n, groups = 0;

	result("sockrepl %s: type the BSD socket API, one call per command\n",
	    SOCKREPL_VERSION);
	for (g = 0; g < GROUP__COUNT; g++) {
		n = 0;
		for (e = cmd_table; *e != NULL; e++) {
			if ((int)(*e)->group != g)
				continue;
			if (n++ == 0)
				result("%s%s:", groups++ > 0 ? "\n" : "",
				    group_titles[g]);
			help_line(*e, &b);
		}
	}
	buf_free(&b);
	result("%s", "");
	wrap("help CMD tells more about a command: the C call, the Python "
	    "equivalent and the errors it can return. help ENAME (help "
	    "ECONNREFUSED, help 111) explains an error, help errors lists "
	    "them; help addresses, help data and help modes explain the "
	    "rest. Commands may be shortened while unambiguous. New to "
	    "sockets? tour starts a guided tour.", 0);
}

static void
help_options(void)
{
	const struct sockopt *o;

	result("\n  Options:");
	for (o = sockopts; o->name != NULL; o++)
		result("    %-18s %s%s", o->name, o->readonly ?
		    "(read-only) " : "", o->what);
}

static enum cmd_retval
cmd_help_exec(struct cmd_ctx *ctx)
{
	const struct cmd_entry	*e;
	int			 i;

	if (ctx->argc == 0) {
		help_list();
		return CMD_OK;
	}
	if (strcmp(ctx->argv[0].s, "errors") == 0) {
		help_errors();
		return CMD_OK;
	}
	for (i = 0; help_topics[i] != NULL; i++) {
		if (strcmp(help_topics[i], ctx->argv[0].s) == 0) {
			wrap(topic_texts[i], 0);
			return CMD_OK;
		}
	}
	if ((i = help_errno(ctx->argv[0].s)) != 0)
		return i > 0 ? CMD_OK : CMD_ERROR;
	if ((e = cmd_find(ctx->argv[0].s, 1)) == NULL)
		return CMD_ERROR;
	result("usage: %s%s%s", e->name, *e->usage ? " " : "", e->usage);
	if (e->alias != NULL)
		result("alias: %s", e->alias);
	if (e->calls != NULL)
		result("calls: %s", e->calls);
	result("%s", "");
	wrap(e->summary, 2);
	result("%s", "");
	wrap(e->help, 2);
	if (e == &cmd_setsockopt_entry || e == &cmd_getsockopt_entry)
		help_options();
	help_calls(e);
	return CMD_OK;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.alias = "?",
	.group = GROUP_SESSION,
	.usage = "[CMD]",
	.minargs = 0,
	.maxargs = 1,
	.args = { ARG_COMMAND },
	.summary = "list the commands, or tell more about one",
	.exec = cmd_help_exec,
	.help = "help alone lists every command. help CMD shows its usage, "
	    "what it does and, for a command that makes a system call, the "
	    "call's C prototype, the Python equivalent, an example and the "
	    "errors the call can return, each with why. help ENAME or help "
	    "NUMBER (help ECONNREFUSED, help 111) explains an error: what it "
	    "means, which calls return it, its usual causes and what to do; "
	    "help errors lists the errors explained. help addresses, help "
	    "data and help modes explain address forms, data syntax and "
	    "blocking modes."
};

static enum cmd_retval
cmd_sleep_exec(struct cmd_ctx *ctx)
{
	double	s;

	if (parse_seconds(ctx->argv[0].s, "seconds", &s) != 0)
		return CMD_ERROR;
	if (sleep_seconds(s) != 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_sleep_entry = {
	.name = "sleep",
	.group = GROUP_SESSION,
	.usage = "SECONDS",
	.minargs = 1,
	.maxargs = 1,
	.args = { ARG_NUMBER },
	.summary = "pause for SECONDS (fractions allowed)",
	.calls = "nanosleep(2)",
	.exec = cmd_sleep_exec,
	.help = "Gives a peer time to answer in a script. Ctrl-C cuts it short."
};

static enum cmd_retval
cmd_quit_exec(struct cmd_ctx *ctx)
{
	(void)ctx;
	return CMD_QUIT;
}

const struct cmd_entry cmd_quit_entry = {
	.name = "quit",
	.alias = "exit",
	.group = GROUP_SESSION,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.summary = "close every socket and leave",
	.exec = cmd_quit_exec,
	.help = "End of input (Ctrl-D) does the same. In a script the exit "
	    "status is 0 if every command succeeded and 1 if any failed."
};
