/*
 * sockrepl: start-up. Decide between a script and the prompt, as lua.c and
 * sqlite3 do, by whether standard input is a terminal.
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
	    "usage: sockrepl [-q] [FILE]\n"
	    "\n"
	    "Type the BSD socket API one call at a time. With no FILE, commands\n"
	    "come from standard input: a prompt on a terminal, a script\n"
	    "otherwise. Type help at the prompt for the commands.\n"
	    "\n"
	    "  -q, --quiet     show results only (data, addresses, errors),\n"
	    "                  not the trace of system calls\n"
	    "  -h, --help      show this help and exit\n"
	    "  -V, --version   show the version and exit\n"
	    "\n"
	    "Exit status: 0 if every command succeeded, 1 if any failed,\n"
	    "2 for a usage error, 130 if interrupted.\n");
}

int
main(int argc, char **argv)
{
	const char	*file = NULL;
	int		 i, fd, status;

	/*
	 * A closed fd 0, 1 or 2 would go to the first socket, and our output
	 * with it: fill the gaps with /dev/null.
	 */
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			opt.quiet = 1;
		else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-V") == 0 ||
		    strcmp(a, "--version") == 0) {
			printf("sockrepl %s\n", SOCKREPL_VERSION);
			return 0;
		} else if (strcmp(a, "--") == 0) {
			if (i + 1 < argc)
				file = argv[++i];
			break;
		} else if (a[0] == '-' && a[1] != '\0') {
			fprintf(stderr, "sockrepl: unknown option %s\n", a);
			usage(stderr);
			return 2;
		} else if (file == NULL)
			file = a;
		else {
			fprintf(stderr, "sockrepl: one script at a time "
			    "(%s and %s)\n", file, a);
			return 2;
		}
	}
	if (i + 1 < argc) {
		fprintf(stderr, "sockrepl: one script at a time\n");
		return 2;
	}

	signals_init();
	if (file != NULL && strcmp(file, "-") != 0) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
			warn("%s", file);
			return 2;
		}
		/* A directory opens but cannot be read: a usage error too. */
		if (read(fd, &i, 0) < 0) {
			warn("%s", file);
			return 2;
		}
		/*
		 * Read the script as stdin, so its fd does not take 3 and
		 * sockets get the same numbers as when it is piped in.
		 */
		if (dup2(fd, STDIN_FILENO) < 0)
			err(2, "dup2");
		close(fd);
		status = repl_script(STDIN_FILENO, file);
	} else if (file == NULL && isatty(STDIN_FILENO)) {
		opt.interactive = 1;
		status = repl_interactive();
	} else
		status = repl_script(STDIN_FILENO, NULL);
	sock_close_all();
	return status;
}
