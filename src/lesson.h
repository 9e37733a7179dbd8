/*
 * The tour's lessons (lesson.c) and the tour itself (cmd-tour.c). The
 * lesson file format is described at the top of lesson.c and in
 * lessons/README.md.
 */
#ifndef LESSON_H
#define LESSON_H

struct cond;

/* A command the step suggests: here (try:) or in a second terminal. */
struct step_line {
	char	*text;
	int	 other;
};

struct step {
	char		*title;
	struct buf	 text;		/* what to do and why */
	struct step_line *lines;
	int		 nlines;
	struct cond	*conds;		/* every one must hold */
	int		 nconds;
	struct buf	 done;		/* what the kernel did */
};

struct lesson {
	char		*title;
	char		*about;
	struct step	*steps;
	int		 nsteps;
};

int	 lesson_read(const char *, struct lesson *, struct buf *);
void	 lesson_free(struct lesson *);
const struct cond *lesson_cond(const struct step *, int);
int	 lesson_cond_is_call(const struct cond *);
int	 lesson_call_meets(const struct cond *, const struct call_rec *);
int	 lesson_table_meets(const struct cond *);
int	 lesson_fill(const char *, struct buf *);
void	 lesson_forget(void);

#endif
