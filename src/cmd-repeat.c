/*
 * repeat N COMMAND ...: run a command N times, $i counting 1 to N. The
 * command's words are expanded again on each run, so $i (and anything
 * else) is read then: the dispatcher hands repeat the rest of its line
 * unexpanded (repeat_split).
 */
#include <stdlib.h>
#include <string.h>

#include "sockrepl.h"

/* The most runs one repeat makes. */
#define REPEAT_MAX	1000000

/* A repeat is running: one inside it is refused. */
static int		 running;

static int
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * If line[0..len) is "repeat N COMMAND ...", the offset of COMMAND (the
 * line's length when there is none): the dispatcher expands the words
 * before it and hands the text from there on to repeat as one word, as it
 * is. Otherwise 0.
 */
size_t
repeat_split(const char *line, size_t len)
{
	char	name[16];
	size_t	i = 0, j, k;

	while (i < len && blank(line[i]))
		i++;
	for (j = i; j < len && !blank(line[j]); j++)
		;
	/* The command name as typed: repeat, or a prefix cmd_find takes. */
	if (j - i == 0 || j - i >= sizeof name)
		return 0;
	memcpy(name, line + i, j - i);
	name[j - i] = '\0';
	if (strspn(name, "abcdefghijklmnopqrstuvwxyz") != j - i ||
	    cmd_find(name, 0) != &cmd_repeat_entry)
		return 0;
	/* The count: one word. */
	for (k = j; k < len && blank(line[k]); k++)
		;
	for (; k < len && !blank(line[k]); k++)
		;
	for (; k < len && blank(line[k]); k++)
		;
	return k;
}

static enum cmd_retval
cmd_repeat_exec(struct cmd_ctx *ctx)
{
	struct buf	 body = { 0 }, num = { 0 };
	long long	 n, i, failed = 0;
	enum cmd_retval	 r = CMD_OK, one;

	if (ctx->argc < 2 || ctx->argv[1].len == 0) {
		cmd_usage(ctx->entry);
		return CMD_ERROR;
	}
	/* The words live in the line's store, reused by each run: copy. */
	buf_add(&body, ctx->argv[1].s, ctx->argv[1].len);
	if (running || repeat_split(body.data, body.len) > 0) {
		diag("repeat: a repeat inside a repeat is not supported ($i "
		    "would mean two counts)");
		buf_free(&body);
		return CMD_ERROR;
	}
	if (parse_int(ctx->argv[0].s, 0, REPEAT_MAX, "count", &n) != 0) {
		buf_free(&body);
		return CMD_ERROR;
	}
	running = 1;
	for (i = 1; i <= n && !interrupted; i++) {
		buf_reset(&num);
		buf_printf(&num, "%lld", i);
		if (var_set("repeat", "i", num.data, num.len) != 0) {
			r = CMD_ERROR;
			break;
		}
		one = cmd_run_line(body.data, body.len);
		if (one == CMD_QUIT) {
			r = CMD_QUIT;
			break;
		}
		if (one != CMD_ERROR)
			continue;
		failed++;
		if (script_errexit && !opt.interactive) {
			diag("repeat: stopped at run %lld of %lld (-e)", i, n);
			break;
		}
	}
	running = 0;
	if (r != CMD_QUIT && interrupted) {
		diag("repeat: interrupted after %lld of %lld runs", i - 1, n);
		r = CMD_ERROR;
	} else if (r != CMD_QUIT && failed > 0) {
		if (!script_errexit || opt.interactive)
			diag("repeat: %lld of %lld runs failed", failed, n);
		r = CMD_ERROR;
	}
	buf_free(&body);
	buf_free(&num);
	return r;
}

const struct cmd_entry cmd_repeat_entry = {
	.name = "repeat",
	.group = GROUP_SCRIPTING,
	.usage = "N COMMAND [ARG ...]",
	.minargs = 1,
	.maxargs = 2,
	.args = { ARG_NUMBER, ARG_COMMAND, ARG_WORD },
	.summary = "run a command N times, $i counting from 1",
	.exec = cmd_repeat_exec,
	.help = "Runs COMMAND N times (N up to 1000000), with $i set to 1, 2, "
	    "... N: the command's $variables are expanded afresh on each run, "
	    "so repeat 100 sendline \"request $i\" sends 100 different lines. "
	    "$i keeps its last value afterwards. A run that fails does not "
	    "stop the others, and repeat then fails saying how many did; "
	    "under -e the first failing run stops it. Ctrl-C stops it. The "
	    "outcome ($ret, expect) is the last run's. repeat cannot run "
	    "another repeat."
};
