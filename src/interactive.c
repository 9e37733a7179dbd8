/*
 * The interactive loop: GNU readline's callback interface inside poll(2), so
 * the program stays in control while a person types.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "sockrepl.h"

static int	 quit_requested;
static char	 prompt[64];

static const char *
make_prompt(void)
{
	if (sock_get(current_fd) != NULL)
		snprintf(prompt, sizeof prompt, "sockrepl[%d]> ", current_fd);
	else
		snprintf(prompt, sizeof prompt, "sockrepl> ");
	return prompt;
}

static void
on_line(char *line)
{
	HIST_ENTRY	*prev;

	rl_callback_handler_remove();
	if (line == NULL) {
		putchar('\n');
		quit_requested = 1;
		return;
	}
	if (*line != '\0') {
		prev = history_length > 0 ? history_get(history_base +
		    history_length - 1) : NULL;
		if (prev == NULL || strcmp(prev->line, line) != 0)
			add_history(line);
	}
	interrupted = 0;
	if (cmd_run_line(line, strlen(line)) == CMD_QUIT)
		quit_requested = 1;
	interrupted = 0;
	free(line);
	out_flush();
	if (!quit_requested)
		rl_callback_handler_install(make_prompt(), on_line);
}

/* Ctrl-C at the prompt abandons the line, as in bash. */
static void
abandon_line(void)
{
	interrupted = 0;
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	rl_crlf();
	rl_on_new_line();
	rl_redisplay();
}

static void
say_goodbye(void)
{
	struct buf	b = { 0 };
	int		fd;

	for (fd = sock_first(); fd >= 0; fd = sock_next(fd))
		buf_printf(&b, "%s%d", b.len ? ", " : "", fd);
	if (b.len > 0)
		result("closing %s", buf_str(&b));
	buf_free(&b);
}

/* Read lines at a readline prompt until quit or end of input. Returns 0. */
int
repl_interactive(void)
{
	struct pollfd	pfd;

	rl_readline_name = "sockrepl";
	rl_catch_signals = 0;	/* we handle SIGINT: see wait.c */
	using_history();
	rl_callback_handler_install(make_prompt(), on_line);
	while (!quit_requested) {
		pfd.fd = STDIN_FILENO;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR && interrupted)
				abandon_line();
			continue;
		}
		rl_callback_read_char();
	}
	say_goodbye();
	clear_history();
	return 0;
}
