/*
 * History kept across sessions, in a private file: $XDG_STATE_HOME/sockrepl/
 * history, or ~/.sockrepl_history without XDG_STATE_HOME. Each line is
 * appended as it is entered, so a killed session loses nothing; the file is
 * cut to HISTORY_MAX lines when the session ends.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>

#include "sockrepl.h"

#define HISTORY_MAX	1000

static struct buf	path;
static int		have_file;

/* mkdir -p with mode 0700 for the parts that are missing. */
static int
make_dirs(char *dir)
{
	char	*p;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Where the history lives, in path; 0, or -1 when there is no home. */
static int
history_path(void)
{
	const char	*state = getenv("XDG_STATE_HOME");
	const char	*home = getenv("HOME");
	struct buf	 dir = { 0 };
	int		 r = 0;

	buf_reset(&path);
	/* The XDG spec says a relative XDG_STATE_HOME is to be ignored. */
	if (state != NULL && state[0] == '/') {
		buf_printf(&dir, "%s/sockrepl", state);
		if ((r = make_dirs(dir.data)) == 0)
			buf_printf(&path, "%s/history", buf_str(&dir));
		else
			diag("history: cannot make %s: %s; history is not "
			    "kept", printable(buf_str(&dir)), strerror(errno));
	} else if (home != NULL && home[0] != '\0')
		buf_printf(&path, "%s/.sockrepl_history", home);
	else
		r = -1;
	buf_free(&dir);
	return r;
}

/*
 * Open the history file, making it if it is new, and make it private:
 * 0600 whatever the umask. It must be a regular file of the user's own,
 * not a symbolic link (whose target would be made private, or written),
 * a FIFO or a device. Returns 0, or -1 with why in why.
 */
static int
history_own(struct buf *why)
{
	struct stat	st;
	int		fd;

	fd = open(path.data, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOFOLLOW | O_NONBLOCK, 0600);
	if (fd < 0) {
		if (errno == ELOOP)
			buf_adds(why, "it is a symbolic link, which sockrepl "
			    "does not follow");
		else
			buf_printf(why, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		buf_adds(why, "it is not a regular file");
	else if (st.st_uid != geteuid())
		buf_adds(why, "it belongs to another user");
	else if (fchmod(fd, 0600) != 0)
		buf_printf(why, "chmod: %s", strerror(errno));
	close(fd);
	return why->len > 0 ? -1 : 0;
}

/* Read the history of earlier sessions, making the file if it is new. */
void
history_init(void)
{
	struct buf	why = { 0 };

	using_history();
	stifle_history(HISTORY_MAX);
	if (history_path() != 0)
		return;
	if (history_own(&why) != 0) {
		diag("history: %s: %s; history is not kept",
		    printable(path.data), buf_str(&why));
		buf_free(&why);
		return;
	}
	have_file = 1;
	(void)read_history(path.data);
}

/*
 * A line was entered: remember it, unless it is blank, starts with a space
 * (as bash's ignorespace: a way to keep a line out of the file) or repeats
 * the line before.
 */
void
history_enter(const char *line)
{
	HIST_ENTRY	*prev;

	if (*line == '\0' || *line == ' ' || *line == '\t')
		return;
	prev = history_length > 0 ?
	    history_get(history_base + history_length - 1) : NULL;
	if (prev != NULL && strcmp(prev->line, line) == 0)
		return;
	add_history(line);
	if (have_file)
		(void)append_history(1, path.data);
}

/* At the end of the session: keep the file bounded, free the list. */
void
history_end(void)
{
	struct buf	why = { 0 };

	/* Cutting may write the file anew: private again, never a link's. */
	if (have_file) {
		(void)history_truncate_file(path.data, HISTORY_MAX);
		(void)history_own(&why);
		buf_free(&why);
	}
	clear_history();
	buf_free(&path);
	have_file = 0;
}

static enum cmd_retval
cmd_history_exec(struct cmd_ctx *ctx)
{
	HIST_ENTRY	**list;
	long long	  n = -1;
	int		  i, len;

	if (ctx->argc > 0 && parse_int(ctx->argv[0].s, 1, 1 << 30,
	    "count", &n) != 0)
		return CMD_ERROR;
	if ((list = history_list()) == NULL || list[0] == NULL) {
		result("no history yet%s", opt.interactive ? "" :
		    " (it is kept at the prompt, not in scripts)");
		return CMD_OK;
	}
	for (len = 0; list[len] != NULL; len++)
		;
	i = n >= 0 && n < len ? len - (int)n : 0;
	for (; i < len; i++)
		result("%5d  %s", history_base + i, printable(list[i]->line));
	return CMD_OK;
}

const struct cmd_entry cmd_history_entry = {
	.name = "history",
	.group = GROUP_SESSION,
	.usage = "[COUNT]",
	.minargs = 0,
	.maxargs = 1,
	.args = { ARG_NUMBER },
	.summary = "list the lines typed at the prompt, numbered, or the last "
	    "COUNT",
	.exec = cmd_history_exec,
	.help = "History is kept across sessions in "
	    "$XDG_STATE_HOME/sockrepl/history (or ~/.sockrepl_history when "
	    "XDG_STATE_HOME is not set), readable only by you, up to 1000 "
	    "lines. Up and Down recall lines and Ctrl-R searches them. A line "
	    "that repeats the one before is kept once, and a line typed with a "
	    "leading space is not kept at all."
};
