/*
 * The interactive loop: GNU readline's callback interface inside poll(2), so
 * the program stays in control while a person types. poll watches the
 * terminal and the sockets (through events.c's epoll descriptor); news from
 * the sockets is printed above the prompt and the half-typed line redrawn.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/readline.h>
#include <readline/history.h>

#include "sockrepl.h"

static int	 quit_requested;
static char	 prompt[128];
static volatile sig_atomic_t resized;

static void
on_sigwinch(int sig)
{
	(void)sig;
	resized = 1;
}

/*
 * sockrepl[4 tcp connected]> , or sockrepl> with no current socket. The
 * colour codes sit between \001 and \002 so readline knows they take no
 * room on the screen.
 */
static const char *
make_prompt(void)
{
	struct sock	*sk = sock_get(current_fd);
	char		 what[64] = "";

	if (sk != NULL)
		snprintf(what, sizeof what, "[%d %s %s]", sk->fd,
		    sock_kind(sk), sock_state_name(sk));
	if (color_on)
		snprintf(prompt, sizeof prompt, "\001%s\002sockrepl\001%s\002"
		    "%s> ", color(C_PROMPT), color(C_RESET), what);
	else
		snprintf(prompt, sizeof prompt, "sockrepl%s> ", what);
	return prompt;
}

static void
on_line(char *line)
{
	rl_callback_handler_remove();
	if (line == NULL) {
		putchar('\n');
		quit_requested = 1;
		return;
	}
	history_enter(line);
	interrupted = 0;
	if (cmd_run_line(line, strlen(line)) == CMD_QUIT || terminating)
		quit_requested = 1;
	interrupted = 0;
	free(line);
	out_check();
	if (!quit_requested) {
		events_settle();
		rl_callback_handler_install(make_prompt(), on_line);
	}
}

/* Ctrl-C at the prompt abandons the line, as in bash. */
static void
abandon_line(void)
{
	interrupted = 0;
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_echo_signal_char(SIGINT);
	rl_replace_line("", 0);
	rl_crlf();
	rl_on_new_line();
	rl_redisplay();
}

/*
 * Print text on lines of its own above the prompt, then draw the prompt and
 * the line being typed again, cursor where it was.
 */
static void
print_above_prompt(const char *text)
{
#if RL_READLINE_VERSION >= 0x0801
	rl_clear_visible_line();
	fputs(text, stdout);
	fflush(stdout);
	rl_set_prompt(make_prompt());
	rl_forced_update_display();
#else
	char	*saved = rl_copy_text(0, rl_end);
	int	 point = rl_point;

	rl_save_prompt();
	rl_replace_line("", 0);
	rl_redisplay();
	fputs("\r", stdout);
	fputs(text, stdout);
	fflush(stdout);
	rl_restore_prompt();
	rl_set_prompt(make_prompt());
	rl_replace_line(saved, 0);
	rl_point = point;
	rl_forced_update_display();
	free(saved);
#endif
}

/* On the way out: say which sockets are being closed. */
static void
say_goodbye(void)
{
	struct buf	 b = { 0 };
	struct sock	*sk;
	int		 fd;

	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		sk = sock_get(fd);
		if (sk->kind == SK_EPOLL)
			buf_printf(&b, "%s%d (epoll)", b.len ? ", " : "", fd);
		else
			buf_printf(&b, "%s%d (%s %s)", b.len ? ", " : "", fd,
			    sock_kind(sk), sock_state_name(sk));
	}
	if (b.len > 0)
		result("closing %s", buf_str(&b));
	buf_free(&b);
}

/* Read lines at a readline prompt until quit or end of input. Returns 0. */
int
repl_interactive(void)
{
	struct pollfd	 pfd[3];
	struct buf	 news = { 0 };
	struct sigaction sa;
	sigset_t	 sigint, winch, orig, waiting;
	int		 n, r, evfd, wfd, wi;

	color_init();
	if (events_enabled < 0)
		events_enabled = 1;	/* unless -c events off said no */
	if (events_init() < 0)
		diag("live socket notices are off: epoll_create1: %s",
		    strerror(errno));
	rl_readline_name = "sockrepl";
	rl_catch_signals = 0;	/* we handle SIGINT: see wait.c */
	rl_catch_sigwinch = 0;	/* and SIGWINCH, here */
	complete_init();
	history_init();

	/*
	 * A terminal resize is taken only while waiting at the prompt, so it
	 * never interrupts a command's call the way Ctrl-C is meant to.
	 */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigwinch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	sigemptyset(&sigint);
	interrupt_sigs(&sigint);
	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigprocmask(SIG_BLOCK, &winch, &orig);
	waiting = orig;
	sigdelset(&waiting, SIGINT);
	sigdelset(&waiting, SIGWINCH);

	rl_callback_handler_install(make_prompt(), on_line);
	while (!quit_requested) {
		/*
		 * SIGINT is blocked from the check of the flag until ppoll
		 * unblocks it, so a Ctrl-C cannot slip in between and be
		 * missed until the next key.
		 */
		sigprocmask(SIG_BLOCK, &sigint, NULL);
		if (interrupted) {
			sigprocmask(SIG_UNBLOCK, &sigint, NULL);
			/* SIGTERM, SIGHUP: the session ends (wait.c). */
			if (terminating)
				break;
			abandon_line();
			continue;
		}
		evfd = events_sync();
		n = 0;
		pfd[n].fd = STDIN_FILENO;
		pfd[n++].events = POLLIN;
		if (events_enabled > 0 && evfd >= 0) {
			pfd[n].fd = evfd;
			pfd[n++].events = POLLIN;
		}
		/* The wire's packets while the prompt waits: notices too. */
		wi = -1;
		if ((wfd = wire_fd()) >= 0) {
			pfd[n].fd = wfd;
			pfd[n].events = POLLIN;
			wi = n++;
		}
		pfd[0].revents = pfd[1].revents = pfd[2].revents = 0;
		r = ppoll(pfd, (nfds_t)n, NULL, &waiting);
		sigprocmask(SIG_UNBLOCK, &sigint, NULL);
		if (resized) {
			resized = 0;
			rl_resize_terminal();
		}
		if (r < 0) {
			if (errno == EINTR && interrupted)
				abandon_line();
			continue;
		}
		buf_reset(&news);
		if (wi >= 0 && (pfd[wi].revents & POLLIN))
			wire_idle(&news);
		if (n > 1 && wi != 1 && (pfd[1].revents & POLLIN))
			events_dispatch(&news);
		if (news.len > 0)
			print_above_prompt(buf_str(&news));
		if (pfd[0].revents != 0)
			rl_callback_read_char();
	}
	buf_free(&news);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	if (!quit_requested) {
		/* A signal ended the session with a line half typed. */
		rl_callback_handler_remove();
		putchar('\n');
	}
	say_goodbye();
	events_end();
	history_end();
	return 0;
}
