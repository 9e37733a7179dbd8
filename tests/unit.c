/* Unit tests for the pure parts: tokenizer, escapes, numbers, addresses. */
#include <stdio.h>
#include <string.h>

#include "sockrepl.h"

static int failed, passed;

static void
ok(int cond, const char *name)
{
	printf("%s unit.%s\n", cond ? "ok" : "FAIL", name);
	if (cond)
		passed++;
	else
		failed++;
}

static void
test_lex_quotes(void)
{
	struct words	w = { 0 };
	struct buf	err = { 0 };
	const char	*line = "send \"a\\0b\" 'x\\n' c#d # comment";

	ok(lex_line(line, strlen(line), &w, &err) == 0 && w.n == 4 &&
	    w.v[1].len == 3 && memcmp(w.v[1].s, "a\0b", 3) == 0 &&
	    strcmp(w.v[2].s, "x\\n") == 0 && strcmp(w.v[3].s, "c#d") == 0,
	    "lex_quotes");
	words_free(&w);
	buf_free(&err);
}

int
main(void)
{
	test_lex_quotes();
	return failed ? 1 : 0;
}
