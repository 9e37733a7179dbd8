/*
 * sockrepl: start-up. Decide between a script and the prompt, as lua.c and
 * sqlite3 do, by whether standard input is a terminal; run -c commands and
 * a script file first, then standard input if asked (-i) or if there was
 * nothing else to run.
 */
#include <err.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sockrepl [-eiqx] [--no-color] [-c COMMAND]... [FILE]\n"
	    "\n"
	    "Type the BSD socket API one call at a time. With no FILE, commands\n"
	    "come from standard input: a prompt on a terminal, a script\n"
	    "otherwise. Type help at the prompt for the commands.\n"
	    "\n"
	    "  -c COMMAND      run COMMAND (may be repeated; in order, before\n"
	    "                  FILE), then exit unless -i is given\n"
	    "  -e, --errexit   stop at the first command that fails (status 1)\n"
	    "  -i, --interactive  after -c and FILE, go on with standard input\n"
	    "                  (the prompt on a terminal)\n"
	    "  -x, --xtrace    echo each command to stderr before running it,\n"
	    "                  as \"+ bind 127.0.0.1 0\" with $variables expanded\n"
	    "  -q, --quiet     show results only (data, addresses, errors),\n"
	    "                  not the trace of system calls\n"
	    "  --no-color      no colour at the prompt (as NO_COLOR=1)\n"
	    "  -h, --help      show this help and exit\n"
	    "  -V, --version   show the version and exit\n"
	    "\n"
	    "Exit status: 0 if every command succeeded, 1 if any failed,\n"
	    "2 for a usage error, 130 if interrupted.\n");
}

/* Go on with standard input: the prompt on a terminal, else a script. */
static void
run_stdin(void)
{
	if (isatty(STDIN_FILENO)) {
		opt.interactive = 1;
		opt.source = NULL;
		repl_interactive();
		opt.interactive = 0;
	} else
		script_run_fd(STDIN_FILENO, NULL);
}

int
main(int argc, char **argv)
{
	const char	 *file = NULL, **cmds;
	int		  i, j, fd = -1, ncmds = 0, interact = 0, status;
	enum cmd_retval	  r = CMD_OK;

	if ((cmds = calloc((size_t)argc, sizeof *cmds)) == NULL)
		err(2, NULL);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--quiet") == 0)
			opt.quiet = 1;
		else if (strcmp(a, "--no-color") == 0)
			opt.no_color = 1;
		else if (strcmp(a, "--errexit") == 0)
			script_errexit = 1;
		else if (strcmp(a, "--xtrace") == 0)
			script_xtrace = 1;
		else if (strcmp(a, "--interactive") == 0)
			interact = 1;
		else if (strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("sockrepl %s\n", SOCKREPL_VERSION);
			return 0;
		} else if (a[1] == '-') {
			fprintf(stderr, "sockrepl: unknown option %s\n", a);
			usage(stderr);
			return 2;
		} else {
			/* Short options may be grouped: -ex, -xc CMD. */
			for (j = 1; a[j] != '\0'; j++) {
				switch (a[j]) {
				case 'q':
					opt.quiet = 1;
					break;
				case 'e':
					script_errexit = 1;
					break;
				case 'x':
					script_xtrace = 1;
					break;
				case 'i':
					interact = 1;
					break;
				case 'h':
					usage(stdout);
					return 0;
				case 'V':
					printf("sockrepl %s\n",
					    SOCKREPL_VERSION);
					return 0;
				case 'c':
					if (a[j + 1] != '\0')
						cmds[ncmds++] = a + j + 1;
					else if (i + 1 < argc)
						cmds[ncmds++] = argv[++i];
					else {
						fprintf(stderr, "sockrepl: -c "
						    "needs a command\n");
						usage(stderr);
						return 2;
					}
					goto next;
				default:
					fprintf(stderr, "sockrepl: unknown "
					    "option -%c\n", a[j]);
					usage(stderr);
					return 2;
				}
			}
		}
next:		;
	}
	if (i < argc)
		file = argv[i++];
	if (i < argc) {
		fprintf(stderr, "sockrepl: one script at a time (%s and %s)\n",
		    file, argv[i]);
		return 2;
	}

	/* A missing script is a usage error, found before anything runs. */
	if (file != NULL && strcmp(file, "-") != 0 &&
	    (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		warn("%s", file);
		return 2;
	}
	fd = fd_move_high(fd);

	signals_init();
	if (ncmds > 0)
		r = script_run_commands(cmds, ncmds);
	if (file != NULL && r != CMD_QUIT && !interrupted &&
	    !(r == CMD_ERROR && script_errexit)) {
		if (fd >= 0)
			r = script_run_fd(fd, file);
		else
			r = script_run_fd(STDIN_FILENO, NULL);
	}
	if (fd >= 0)
		close(fd);
	/*
	 * Standard input comes next when there was nothing else to run, or
	 * with -i; -i goes on even after an -e stop, so the state that made
	 * the script fail can be looked at, but not after quit or Ctrl-C.
	 */
	if (r != CMD_QUIT && !interrupted &&
	    ((file == NULL && ncmds == 0) ||
	    (interact && !(file != NULL && strcmp(file, "-") == 0))))
		run_stdin();
	status = script_status();
	sock_close_all();
	buf_free(&last.data);
	vars_free();
	free(cmds);
	return status;
}
