/* Placeholder until the export branch lands: see issue 7. */
#include "sockrepl.h"

static enum cmd_retval
cmd_export_exec(struct cmd_ctx *ctx)
{
	(void)ctx;
	diag("export: not built yet");
	return CMD_ERROR;
}

const struct cmd_entry cmd_export_entry = {
	"export", NULL, 1, 2, "c|python [FILE]",
	"write the session so far as a C program or a Python script",
	"", CMD_KEEPOUTCOME, { ARG_WORD, ARG_PATH }, cmd_export_exec,
	"Not built yet."
};
