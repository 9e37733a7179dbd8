/*
 * sockrepl: start-up. Decide between a script and the prompt, as lua.c and
 * sqlite3 do, by whether standard input is a terminal; run -c commands and
 * a script file first, then standard input if asked (-i) or if there was
 * nothing else to run.
 */
#include <err.h>
#include <getopt.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sockrepl.h"

#define SYNOPSIS "sockrepl [-eiqvwx] [--no-color] [-c COMMAND]... [FILE]"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: %s\n"
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
	    "  -v, --verbose   also show the calls sockrepl makes behind your\n"
	    "                  back ($port, list, the prompt's notices)\n"
	    "  -w, --wire      show the packets each call causes on loopback\n"
	    "                  (as the command wire on; needs CAP_NET_RAW)\n"
	    "  --no-color      no colour at the prompt (as NO_COLOR=1)\n"
	    "  -h, --help      show this help and exit\n"
	    "  -V, --version   show the version and exit\n"
	    "\n"
	    "Exit status: 0 if every command succeeded, 1 if any failed or\n"
	    "output could not be written, 2 for a usage error, 128 + the\n"
	    "signal after SIGINT (130), SIGHUP or SIGTERM, 141 if the reader\n"
	    "of standard output went away.\n", SYNOPSIS);
}

/* Go on with standard input: the prompt on a terminal, else a script. */
static void
run_stdin(void)
{
	if (isatty(STDIN_FILENO)) {
		opt.interactive = 1;
		sess.source = NULL;
		repl_interactive();
		opt.interactive = 0;
	} else
		script_run_fd(STDIN_FILENO, NULL);
}

static const struct option longopts[] = {
	{ "errexit",	 no_argument,	NULL, 'e' },
	{ "interactive", no_argument,	NULL, 'i' },
	{ "quiet",	 no_argument,	NULL, 'q' },
	{ "xtrace",	 no_argument,	NULL, 'x' },
	{ "verbose",	 no_argument,	NULL, 'v' },
	{ "wire",	 no_argument,	NULL, 'w' },
	{ "no-color",	 no_argument,	NULL, 'C' },
	{ "help",	 no_argument,	NULL, 'h' },
	{ "version",	 no_argument,	NULL, 'V' },
	{ NULL,		 0,		NULL, 0 }
};

int
main(int argc, char **argv)
{
	const char	 *file = NULL, **cmds;
	struct buf	  why = { 0 };
	int		  c, fd = -1, ncmds = 0, interact = 0, status;
	int		  wire_opt = 0;
	enum cmd_retval	  r = CMD_OK;

	/*
	 * A closed fd 0, 1 or 2 would go to the first socket, and our output
	 * with it: fill the gaps with /dev/null.
	 */
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
	fd = -1;

	/* -c arguments are kept in order; there are fewer than argc. */
	if ((cmds = calloc((size_t)argc, sizeof *cmds)) == NULL)
		err(2, NULL);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+c:eiqvwxhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'c':
			cmds[ncmds++] = optarg;
			break;
		case 'e':
			script_errexit = 1;
			break;
		case 'i':
			interact = 1;
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'x':
			script_xtrace = 1;
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'w':
			wire_opt = 1;
			break;
		case 'C':
			opt.no_color = 1;
			break;
		case 'h':
			usage(stdout);
			free(cmds);
			out_end();
			return 0;
		case 'V':
			printf("sockrepl %s (tls %s, wire %s)\n",
			    SOCKREPL_VERSION, FEATURE_TLS ? "yes" : "no",
			    FEATURE_PCAP ? "yes" : "no");
			free(cmds);
			out_end();
			return 0;
		default:
			if (optopt == 'c')
				fprintf(stderr, "sockrepl: -c needs a command\n");
			else if (optopt != 0)
				fprintf(stderr, "sockrepl: unknown option -%c\n",
				    optopt);
			else
				fprintf(stderr, "sockrepl: unknown option %s\n",
				    argv[optind - 1]);
			fprintf(stderr, "usage: %s\n(sockrepl --help tells more)\n",
			    SYNOPSIS);
			free(cmds);
			return 2;
		}
	}
	if (optind < argc)
		file = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "sockrepl: one script at a time (%s and %s)\n",
		    file, argv[optind]);
		free(cmds);
		return 2;
	}

	/* A missing script is a usage error, found before anything runs. */
	if (file != NULL && strcmp(file, "-") != 0 &&
	    (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
		warn("%s", file);
		free(cmds);
		return 2;
	}
	/* A directory opens but cannot be read: a usage error too. */
	if (fd >= 0 && read(fd, &c, 0) < 0) {
		warn("%s", file);
		close(fd);
		free(cmds);
		return 2;
	}
	fd = fd_move_high(fd);

	signals_init();
	/* Names typed in addresses are looked up in the trace. */
	addr_lookup = call_lookup;
	/* -w: a capture that cannot start is said, and the rest goes on. */
	if (wire_opt && wire_start(&why) != 0)
		fprintf(stderr, "sockrepl: wire: %s\n", buf_str(&why));
	buf_free(&why);
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
	if (terminating)
		script_end_note();
	wire_stop(0);
	call_close_all();
	sock_close_all();
	tls_end();
	buf_free(&sess.last.data);
	log_free();
	diagram_free();
	vars_free();
	tour_end();
	free(cmds);
	out_end();
	return status;
}
