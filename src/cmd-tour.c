/*
 * tour: a short course inside the program. Each lesson is a text file
 * (lesson.c reads it); each step says what to type and why, then waits
 * while the learner works at the prompt as usual. After every command the
 * step's checks are tried against the calls made since the step began and
 * against the socket table, never against the typed text, so any correct
 * way passes; when they hold, the tour says what the kernel did and shows
 * the next step.
 *
 * Lessons are found in $SOCKREPL_LESSONS, else beside the program (the
 * build tree's lessons/, or ../share/sockrepl/lessons from the program's
 * directory, which is where make install puts them whatever DESTDIR was),
 * else in the DATADIR the program was built for. Progress is kept for the
 * session, and at the prompt also in a file beside the history, so tour
 * can say which lessons are done.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"
#include "lesson.h"

#ifndef SOCKREPL_DATADIR
#define SOCKREPL_DATADIR	"/usr/local/share/sockrepl"
#endif

/* Words tour takes besides a lesson's number (completion reads them). */
const char *const tour_words[] = { "again", "skip", "leave", "next", NULL };

struct progress {
	char	*name;		/* the lesson's file name */
	int	 step;		/* the step to do next, 0-based */
	int	 done;
	int	 here;		/* step was reached in this session */
};

static struct {
	int		 looked;	/* the directory was searched */
	struct buf	 dir;
	char		**files;	/* lesson file names, sorted */
	int		 nfiles;
	struct progress	*prog;		/* one per file */
	int		 cur;		/* the lesson running, or -1 */
	struct lesson	 l;		/* its text */
	int		 step;		/* the step shown */
	int		 next_call;	/* its first call check not yet met */
	int		 quiet_once;	/* the command was tour itself */
	struct buf	 state;		/* the progress file, or empty */
} tour = { .cur = -1 };

static int
is_dir(const char *path)
{
	struct stat	st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where the lessons are: see the comment at the top. */
static const char *
lesson_dir(void)
{
	const char	*env = getenv("SOCKREPL_LESSONS");
	char		 exe[PATH_MAX], *slash;
	ssize_t		 n;

	buf_reset(&tour.dir);
	if (env != NULL && *env != '\0') {
		buf_adds(&tour.dir, env);
		return buf_str(&tour.dir);
	}
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		buf_printf(&tour.dir, "%s/lessons", exe);
		if (is_dir(buf_str(&tour.dir)))
			return buf_str(&tour.dir);
		buf_reset(&tour.dir);
		buf_printf(&tour.dir, "%s/../share/sockrepl/lessons", exe);
		if (is_dir(buf_str(&tour.dir)))
			return buf_str(&tour.dir);
		buf_reset(&tour.dir);
	}
	buf_adds(&tour.dir, SOCKREPL_DATADIR "/lessons");
	return buf_str(&tour.dir);
}

static int
is_lesson(const struct dirent *d)
{
	size_t	n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 4 &&
	    strcmp(d->d_name + n - 4, ".txt") == 0;
}

/* The progress file: beside the history, only at the prompt. */
static void
state_read(void)
{
	const char	*xdg = getenv("XDG_STATE_HOME");
	const char	*home = getenv("HOME");
	char		*line = NULL, name[256];
	size_t		 cap = 0;
	FILE		*f;
	int		 i, step, done;

	if (!opt.interactive)
		return;
	if (xdg != NULL && xdg[0] == '/')
		buf_printf(&tour.state, "%s/sockrepl/tour", xdg);
	else if (home != NULL && *home != '\0')
		buf_printf(&tour.state, "%s/.sockrepl_tour", home);
	else
		return;
	if ((f = fopen(buf_str(&tour.state), "r")) == NULL)
		return;
	while (getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%255s %d %d", name, &step, &done) != 3)
			continue;
		for (i = 0; i < tour.nfiles; i++) {
			if (strcmp(tour.prog[i].name, name) == 0) {
				tour.prog[i].step = step > 0 ? step : 0;
				tour.prog[i].done = done != 0;
			}
		}
	}
	free(line);
	fclose(f);
}

/* Write the progress file again; a failure only costs the memory. */
static void
state_write(void)
{
	FILE	*f;
	int	 i, fd;

	if (tour.state.len == 0)
		return;
	fd = open(buf_str(&tour.state), O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	for (i = 0; i < tour.nfiles; i++)
		if (tour.prog[i].step > 0 || tour.prog[i].done)
			fprintf(f, "%s %d %d\n", tour.prog[i].name,
			    tour.prog[i].step, tour.prog[i].done);
	fclose(f);
}

/* Find the lessons, once. Returns their number; 0 after a message. */
static int
lessons_find(void)
{
	struct dirent	**list;
	const char	 *dir;
	int		  i, n;

	if (tour.looked)
		return tour.nfiles;
	tour.looked = 1;
	dir = lesson_dir();
	if ((n = scandir(dir, &list, is_lesson, alphasort)) < 0) {
		diag("tour: %s: %s (make install puts the lessons there; "
		    "SOCKREPL_LESSONS names another directory)",
		    printable(dir), strerror(errno));
		tour.looked = 0;
		return 0;
	}
	if ((tour.files = calloc((size_t)n + 1, sizeof *tour.files)) == NULL ||
	    (tour.prog = calloc((size_t)n + 1, sizeof *tour.prog)) == NULL)
		nomem();
	for (i = 0; i < n; i++) {
		if ((tour.files[i] = strdup(list[i]->d_name)) == NULL)
			nomem();
		tour.prog[i].name = tour.files[i];
		free(list[i]);
	}
	free(list);
	tour.nfiles = n;
	if (n == 0)
		diag("tour: no lessons (*.txt) in %s", printable(dir));
	state_read();
	return n;
}

/* Read lesson i into l. Returns 0, or -1 after a message. */
static int
lesson_load(int i, struct lesson *l)
{
	struct buf	path = { 0 }, why = { 0 };
	int		r;

	buf_printf(&path, "%s/%s", buf_str(&tour.dir), tour.files[i]);
	if ((r = lesson_read(buf_str(&path), l, &why)) != 0)
		diag("tour: %s: %s", printable(buf_str(&path)), buf_str(&why));
	buf_free(&path);
	buf_free(&why);
	return r;
}

/*
 * Print a part of a lesson, placeholders filled: its paragraphs wrapped to
 * the screen (a filled-in number changes a line's length), blank lines
 * kept, and lines that start with a blank shown as they are.
 */
static int
show_text(const char *text)
{
	struct buf	 b = { 0 }, para = { 0 };
	const char	*p, *nl;
	int		 unfilled;

	unfilled = lesson_fill(text, &b);
	/* Blank lines at the end of a part are the file's spacing only. */
	while (b.len > 0 && (b.data[b.len - 1] == '\n' ||
	    b.data[b.len - 1] == ' '))
		b.len--;
	buf_addc(&b, '\n');
	for (p = buf_str(&b); (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		if (nl == p || *p == ' ' || *p == '\t') {
			if (para.len > 0)
				help_wrap_label("", buf_str(&para), 2);
			buf_reset(&para);
			if (nl == p)
				result("%s", "");
			else
				result("  %.*s", (int)(nl - p), p);
			continue;
		}
		if (para.len > 0)
			buf_addc(&para, ' ');
		buf_add(&para, p, (size_t)(nl - p));
	}
	if (para.len > 0)
		help_wrap_label("", buf_str(&para), 2);
	buf_free(&para);
	buf_free(&b);
	return unfilled;
}

static void
step_show(void)
{
	struct step		*s = &tour.l.steps[tour.step];
	struct buf		 b = { 0 };
	int			 i, unfilled;

	result("%s", "");
	result("Lesson %d, step %d of %d: %s", tour.cur + 1, tour.step + 1,
	    tour.l.nsteps, s->title);
	unfilled = show_text(buf_str(&s->text));
	if (s->nlines > 0)
		result("%s", "");
	for (i = 0; i < s->nlines; i++) {
		buf_reset(&b);
		unfilled += lesson_fill(s->lines[i].text, &b);
		result("  %s %s", s->lines[i].other ?
		    "In the other terminal:" : "Type:", buf_str(&b));
	}
	/* A skipped step left no socket behind a placeholder: say so. */
	if (unfilled > 0) {
		buf_reset(&b);
		buf_adds(&b, "(FD or PORT above stands for a socket this step "
		    "needs that is not there yet: an earlier step makes it");
		if (tour.step > 0)
			buf_printf(&b, ", tour %d %d goes back to it",
			    tour.cur + 1, tour.step);
		buf_adds(&b, ". Once it exists, tour again fills them in.)");
		result("%s", "");
		help_wrap_label("", buf_str(&b), 2);
	}
	buf_free(&b);
}

/* The index of step s's first call check at or after i, or nconds. */
static int
call_from(const struct step *s, int i)
{
	for (; i < s->nconds; i++)
		if (lesson_cond_is_call(lesson_cond(s, i)))
			break;
	return i;
}

static void
step_begin(int step)
{
	tour.step = step;
	tour.next_call = call_from(&tour.l.steps[step], 0);
	tour.prog[tour.cur].step = step;
	tour.prog[tour.cur].here = 1;
	state_write();
	step_show();
}

/* Start lesson i at step (0-based). Returns 0, or -1 after a message. */
static int
lesson_start(int i, int step)
{
	struct lesson	l;
	struct buf	how = { 0 };

	if (lesson_load(i, &l) != 0)
		return -1;
	if (step >= l.nsteps) {
		diag("tour: lesson %d has %d steps", i + 1, l.nsteps);
		lesson_free(&l);
		return -1;
	}
	if (tour.cur >= 0)
		lesson_free(&tour.l);
	if (tour.cur != i)
		lesson_forget();
	tour.l = l;
	tour.cur = i;
	result("Lesson %d: %s%s", i + 1, l.title, step > 0 ? " (resumed)" :
	    "");
	if (l.about != NULL)
		help_wrap_label("", l.about, 2);
	buf_printf(&how, "(tour again shows the step again, tour skip passes "
	    "it, tour leave stops; tour %d takes you back here)", i + 1);
	help_wrap_label("", buf_str(&how), 2);
	buf_free(&how);
	step_begin(step);
	return 0;
}

static void step_advance(void);

/* The step's checks hold: explain, go on. */
static void
step_done(void)
{
	struct step		*s = &tour.l.steps[tour.step];

	result("%s", "");
	result("Step %d of %d done.", tour.step + 1, tour.l.nsteps);
	if (s->done.len > 0)
		(void)show_text(buf_str(&s->done));
	step_advance();
}

/*
 * tour skip: go on without the step's explanation, which describes what
 * its calls did; if what it makes is not in the table, say how to make it.
 */
static void
step_skip(void)
{
	struct step		*s = &tour.l.steps[tour.step];
	const struct cond	*c;
	struct buf		 b = { 0 }, how = { 0 };
	int			 i, missing = 0;

	for (i = 0; i < s->nconds; i++) {
		c = lesson_cond(s, i);
		if (!lesson_cond_is_call(c) && !lesson_table_meets(c))
			missing = 1;
	}
	result("%s", "");
	result("Step %d of %d skipped.", tour.step + 1, tour.l.nsteps);
	if (missing && tour.step + 1 < tour.l.nsteps) {
		for (i = 0; i < s->nlines; i++) {
			if (s->lines[i].other)
				continue;
			if (how.len > 0)
				buf_adds(&how, "; ");
			(void)lesson_fill(s->lines[i].text, &how);
		}
		buf_adds(&b, "What it makes is not there, and the next step "
		    "builds on it: make it first");
		if (how.len > 0)
			buf_printf(&b, " (it said: %s)", buf_str(&how));
		buf_printf(&b, ", or tour %d %d to do the step.", tour.cur + 1,
		    tour.step + 1);
		help_wrap_label("", buf_str(&b), 2);
	}
	buf_free(&how);
	buf_free(&b);
	step_advance();
}

/* Go on to the next step, or end the lesson. */
static void
step_advance(void)
{
	int	i = tour.cur;

	if (tour.step + 1 < tour.l.nsteps) {
		step_begin(tour.step + 1);
		return;
	}
	tour.prog[i].done = 1;
	tour.prog[i].step = 0;
	state_write();
	lesson_free(&tour.l);
	tour.cur = -1;
	lesson_forget();
	result("%s", "");
	if (i + 1 < tour.nfiles)
		result("Lesson %d is done. tour %d goes on to the next one; "
		    "tour lists them all.", i + 1, i + 2);
	else
		result("Lesson %d is done, and with it the tour. tour lists "
		    "the lessons.", i + 1);
}

/* Observer: a call the learner made may meet the step's next call check. */
void
tour_observe(const struct call_rec *r)
{
	const struct step	*s;

	if (tour.cur < 0 || (r->flags & (CF_BEHIND | CF_NOTMADE)))
		return;
	s = &tour.l.steps[tour.step];
	if (tour.next_call < s->nconds &&
	    lesson_call_meets(lesson_cond(s, tour.next_call), r))
		tour.next_call = call_from(s, tour.next_call + 1);
}

/* After each command at the top level: does the step hold now? */
void
tour_after(void)
{
	const struct step	*s;
	int			 i;

	if (tour.quiet_once) {
		tour.quiet_once = 0;
		return;
	}
	if (tour.cur < 0)
		return;
	s = &tour.l.steps[tour.step];
	if (tour.next_call < s->nconds)
		return;
	for (i = 0; i < s->nconds; i++) {
		const struct cond *c = lesson_cond(s, i);

		if (!lesson_cond_is_call(c) && !lesson_table_meets(c))
			return;
	}
	step_done();
}

static void
tour_list(void)
{
	struct lesson	 l;
	struct buf	 where = { 0 };
	int		 i;

	result("The tour: short lessons on the socket API, each checked as "
	    "you go.");
	result("tour N starts lesson N.");
	result("%s", "");
	for (i = 0; i < tour.nfiles; i++) {
		buf_reset(&where);
		if (i == tour.cur)
			buf_printf(&where, "now at step %d", tour.step + 1);
		else if (tour.prog[i].done)
			buf_adds(&where, "done");
		else if (tour.prog[i].step > 0)
			buf_printf(&where, "left at step %d",
			    tour.prog[i].step + 1);
		if (lesson_load(i, &l) != 0)
			continue;
		result("%c %2d  %s%s%s%s", i == tour.cur ? '*' : ' ', i + 1,
		    l.title, where.len ? " (" : "", buf_str(&where),
		    where.len ? ")" : "");
		if (l.about != NULL)
			help_wrap_label("", l.about, 6);
		lesson_free(&l);
	}
	buf_free(&where);
	result("%s", "");
	result("The lessons are in %s.", printable(buf_str(&tour.dir)));
}

static enum cmd_retval
cmd_tour_exec(struct cmd_ctx *ctx)
{
	const char	*a = ctx->argc > 0 ? ctx->argv[0].s : NULL;
	long long	 n, step = 1;
	int		 i;

	tour.quiet_once = 1;
	if (lessons_find() == 0)
		return CMD_ERROR;
	if (a == NULL) {
		tour_list();
		if (tour.cur >= 0)
			step_show();
		return CMD_OK;
	}
	if (strcmp(a, "again") == 0 || strcmp(a, "skip") == 0 ||
	    strcmp(a, "leave") == 0) {
		if (tour.cur < 0) {
			diag("tour: %s: no lesson is running (tour lists them)",
			    a);
			return CMD_ERROR;
		}
		if (ctx->argc > 1) {
			cmd_usage(ctx->entry);
			return CMD_ERROR;
		}
		if (a[0] == 'a')
			step_show();
		else if (a[0] == 's')
			step_skip();
		else {
			result("Left lesson %d at step %d; tour %d comes back "
			    "to it.", tour.cur + 1, tour.step + 1, tour.cur + 1);
			lesson_free(&tour.l);
			tour.cur = -1;
		}
		return CMD_OK;
	}
	if (strcmp(a, "next") == 0) {
		if (ctx->argc > 1) {
			cmd_usage(ctx->entry);
			return CMD_ERROR;
		}
		for (i = tour.cur + 1; i < tour.nfiles; i++)
			if (!tour.prog[i].done)
				break;
		if (i >= tour.nfiles) {
			for (i = 0; i < tour.nfiles; i++)
				if (!tour.prog[i].done)
					break;
		}
		if (i >= tour.nfiles) {
			result("Every lesson is done; tour N takes one again.");
			return CMD_OK;
		}
		return lesson_start(i, 0) == 0 ? CMD_OK : CMD_ERROR;
	}
	if (parse_int(a, 1, tour.nfiles, "lesson", &n) != 0)
		return CMD_ERROR;
	i = (int)n - 1;
	if (ctx->argc > 1) {
		if (parse_int(ctx->argv[1].s, 1, 1000, "step", &step) != 0)
			return CMD_ERROR;
	} else if (i == tour.cur) {
		step_show();
		return CMD_OK;
	} else if (!tour.prog[i].done && tour.prog[i].step > 0) {
		if (tour.prog[i].here)
			step = tour.prog[i].step + 1;
		else
			result("You left lesson %d at step %d in an earlier "
			    "session; its sockets are gone, so it starts "
			    "again (tour %d %d goes straight to step %d).",
			    i + 1, tour.prog[i].step + 1, i + 1,
			    tour.prog[i].step + 1, tour.prog[i].step + 1);
	}
	return lesson_start(i, (int)step - 1) == 0 ? CMD_OK : CMD_ERROR;
}

/* At the end of the session. */
void
tour_end(void)
{
	int	i;

	if (tour.cur >= 0)
		lesson_free(&tour.l);
	for (i = 0; i < tour.nfiles; i++)
		free(tour.files[i]);
	free(tour.files);
	free(tour.prog);
	buf_free(&tour.dir);
	buf_free(&tour.state);
	lesson_forget();
	memset(&tour, 0, sizeof tour);
	tour.cur = -1;
}

const struct cmd_entry cmd_tour_entry = {
	.name = "tour",
	.group = GROUP_SESSION,
	.usage = "[N [STEP]|again|skip|leave|next]",
	.minargs = 0,
	.maxargs = 2,
	.flags = CMD_KEEPOUTCOME,
	.args = { ARG_TOUR, ARG_NUMBER },
	.summary = "a guided tour of the socket API, lesson by lesson",
	.exec = cmd_tour_exec,
	.help = "tour alone lists the lessons and where you are in each. "
	    "tour N starts lesson N, or takes you back to the step where you "
	    "left it in this session; tour N STEP goes to a step. Each step "
	    "says what to type and why; you type it at the prompt as usual "
	    "(any correct way passes: the tour looks at the calls made and "
	    "the socket table, not at what was typed), and once the step's "
	    "checks hold it explains what the kernel did and shows the next "
	    "step. tour again shows the step again, tour skip passes it, "
	    "tour leave stops (your sockets stay), tour next starts the next "
	    "lesson not done. The lessons are text files: see lessons/README.md "
	    "and SOCKREPL_LESSONS in the man page."
};
