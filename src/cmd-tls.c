/*
 * TLS commands: starttls begins TLS on a connected socket, as a client or
 * a server, and tlsinfo shows what the handshake agreed. The OpenSSL calls
 * are made in tls.c, the call layer's TLS half; after starttls, send and
 * recv and every command built on them go through TLS.
 */
#include <sys/socket.h>

#include <string.h>

#include "sockrepl.h"

/* starttls's options, for completion. */
const char *const tls_option_words[] = {
	"-k", "-cafile", "-alpn", "-min", "-max", "-server", "-selfsigned",
	NULL
};

/* Whether this build has TLS; if not, say so for cmd. */
static int
have_tls(const char *cmd)
{
	if (FEATURE_TLS)
		return 1;
	diag("%s: this sockrepl was built without TLS (make TLS=no, or "
	    "libssl was not found): rebuild with libssl-dev installed",
	    cmd);
	return 0;
}

/* The word after option argv[*i], or NULL after a message. */
static const char *
opt_value(struct cmd_ctx *ctx, int *i, const char *what)
{
	if (*i + 1 >= ctx->argc) {
		diag("starttls: %s needs %s", ctx->argv[*i].s, what);
		return NULL;
	}
	return ctx->argv[++*i].s;
}

/* starttls's words into o. Returns 0, or -1 after a message. */
static int
starttls_args(struct cmd_ctx *ctx, struct tls_opts *o)
{
	const char	*w, *v;
	int		 i, client = 0;

	memset(o, 0, sizeof *o);
	for (i = 0; i < ctx->argc; i++) {
		w = ctx->argv[i].s;
		if (strcmp(w, "-k") == 0) {
			o->insecure = client = 1;
		} else if (strcmp(w, "-cafile") == 0) {
			if ((o->cafile = opt_value(ctx, &i, "a file")) == NULL)
				return -1;
			client = 1;
		} else if (strcmp(w, "-alpn") == 0) {
			if ((o->alpn = opt_value(ctx, &i, "a list such as "
			    "h2,http/1.1")) == NULL)
				return -1;
			if (*o->alpn == '\0' || strstr(o->alpn, ",,") != NULL ||
			    o->alpn[0] == ',' ||
			    o->alpn[strlen(o->alpn) - 1] == ',' ||
			    strlen(o->alpn) > 1000) {
				diag("starttls: -alpn \"%s\": give protocol "
				    "names joined by commas (h2,http/1.1)",
				    printable(o->alpn));
				return -1;
			}
		} else if (strcmp(w, "-min") == 0 || strcmp(w, "-max") == 0) {
			if ((v = opt_value(ctx, &i, "a version (1.2, "
			    "1.3)")) == NULL)
				return -1;
			if (tls_version_parse(v, w[2] == 'i' ? &o->minver :
			    &o->maxver) != 0) {
				diag("starttls: %s \"%s\": not a TLS version "
				    "(1.0, 1.1, 1.2 or 1.3; tls1.2 and TLSv1.2 "
				    "work too)", w, printable(v));
				return -1;
			}
		} else if (strcmp(w, "-selfsigned") == 0) {
			o->server = o->selfsigned = 1;
		} else if (strcmp(w, "-server") == 0) {
			o->server = 1;
			if (i + 1 < ctx->argc &&
			    strcmp(ctx->argv[i + 1].s, "-selfsigned") == 0) {
				o->selfsigned = 1;
				i++;
			} else if (i + 2 < ctx->argc &&
			    ctx->argv[i + 1].s[0] != '-') {
				o->cert = ctx->argv[++i].s;
				o->key = ctx->argv[++i].s;
			} else {
				diag("starttls: -server needs CERT KEY (PEM "
				    "files) or -selfsigned");
				return -1;
			}
		} else if (w[0] == '-' && w[1] != '\0') {
			diag("starttls: option \"%s\": not one of -k, -cafile, "
			    "-alpn, -min, -max, -server", printable(w));
			return -1;
		} else if (o->servername != NULL) {
			diag("starttls: \"%s\": one NAME only (\"%s\" came "
			    "first)", printable(w), printable(o->servername));
			return -1;
		} else
			o->servername = w;
	}
	if (o->server && client) {
		diag("starttls: -k and -cafile are for a client; a server "
		    "(-server) does not check its peer");
		return -1;
	}
	if (o->server && !o->selfsigned && o->servername != NULL) {
		diag("starttls: NAME with -server names the certificate "
		    "-selfsigned makes; CERT KEY already say who this is");
		return -1;
	}
	if (o->minver != 0 && o->maxver != 0 && o->minver > o->maxver) {
		diag("starttls: -min is above -max");
		return -1;
	}
	return 0;
}

static enum cmd_retval
cmd_starttls_exec(struct cmd_ctx *ctx)
{
	struct tls_opts	 o;
	struct sock	*sk = ctx->sk;
	int		 r;

	if (!have_tls("starttls") || starttls_args(ctx, &o) != 0)
		return CMD_ERROR;
	if (sk->tls != NULL && tls_handshake_done(sk)) {
		diag("starttls: fd %d speaks TLS already (tlsinfo shows it)",
		    sk->fd);
		return CMD_ERROR;
	}
	if (sk->tls != NULL) {
		if (ctx->argc > 0)
			trace_note("(the handshake begun before goes on, with "
			    "the options given then)");
		goto handshake;
	}
	if (sk->type != SOCK_STREAM) {
		diag("starttls: TLS runs over a stream (TCP or a UNIX stream "
		    "socket); fd %d is %s", sk->fd,
		    sock_type_short(sk->family, sk->type));
		return CMD_ERROR;
	}
	if (sk->state == ST_LISTENING) {
		diag("starttls: fd %d is listening: accept a connection, then "
		    "starttls -server on it", sk->fd);
		return CMD_ERROR;
	}
	if (sk->state != ST_CONNECTED) {
		diag("starttls: fd %d is not connected (%s): connect (or "
		    "accept) first", sk->fd, sock_state_name(sk));
		return CMD_ERROR;
	}
	if (sk->shut_wr || sk->shut_rd) {
		diag("starttls: fd %d is shut down: a handshake needs both "
		    "ways", sk->fd);
		return CMD_ERROR;
	}
	if (rbuf_len(sk) > 0)
		trace_note("(the %zu bytes in sockrepl's buffer came before "
		    "TLS: recv still returns them first)", rbuf_len(sk));
	if (!o.server && o.servername == NULL && sk->host == NULL &&
	    !o.insecure)
		trace_note("(no host name to check the certificate against: "
		    "starttls NAME gives one)");
handshake:
	if ((r = tls_start(sk, &o)) == -2) {
		/* The peer has part of a handshake: no going back to plain. */
		diag("starttls: EINTR: interrupted (%s) in the middle of the "
		    "handshake: the peer has part of it, so the connection can "
		    "carry neither plain text nor TLS now; close it",
		    interrupt_name());
		return CMD_ERROR;
	}
	if (r != 0) {
		call_report(call_last());
		return CMD_ERROR;
	}
	return CMD_OK;
}

const struct cmd_entry cmd_starttls_entry = {
	.name = "starttls",
	.group = GROUP_LIFE,
	.usage = "[-k] [-cafile FILE] [-server CERT KEY | -server -selfsigned] "
	    "[-alpn LIST] [-min VER] [-max VER] [NAME]",
	.minargs = 0,
	.maxargs = -1,
	.flags = CMD_NEEDSOCK,
	.args = { ARG_TLSOPT },
	.summary = "begin TLS on the connected socket, as client or server",
	.calls = "SSL_connect(3), SSL_accept(3)",
	.exec = cmd_starttls_exec,
	.help = "As a client (the default): the handshake with SSL_connect, "
	    "sending NAME (or the host name connect was given) as SNI and "
	    "checking the peer's certificate against the system's CA store "
	    "and that name; -cafile FILE trusts the CAs in FILE instead, -k "
	    "skips the check (insecure, as curl -k). As a server, on an "
	    "accepted connection: -server CERT KEY (PEM files), or -server "
	    "-selfsigned for a throwaway key and certificate made in memory "
	    "(for NAME, default localhost). -alpn h2,http/1.1 offers (or, as "
	    "a server, accepts) those protocols; -min and -max bound the TLS "
	    "version (1.0 to 1.3). Plain bytes may come first: a STARTTLS "
	    "protocol's prelude (SMTP's EHLO and STARTTLS) is typed by hand, "
	    "then starttls. After it, send, recv and the commands built on "
	    "them go through SSL_write and SSL_read; shutdown wr and close "
	    "send close_notify first, and the peer's close_notify is an EOF."
};

static enum cmd_retval
cmd_tlsinfo_exec(struct cmd_ctx *ctx)
{
	if (!have_tls("tlsinfo"))
		return CMD_ERROR;
	return tls_info(ctx->sk) == 0 ? CMD_OK : CMD_ERROR;
}

const struct cmd_entry cmd_tlsinfo_entry = {
	.name = "tlsinfo",
	.group = GROUP_INSPECTION,
	.usage = "",
	.minargs = 0,
	.maxargs = 0,
	.flags = CMD_NEEDSOCK,
	.summary = "show the TLS version, cipher and peer certificate",
	.calls = "SSL_get_version(3), SSL_get1_peer_certificate(3)",
	.exec = cmd_tlsinfo_exec,
	.help = "After starttls: the protocol version, the cipher, the ALPN "
	    "protocol agreed, the SNI name, whether the session was reused, "
	    "the peer certificate's subject, issuer, validity and subject "
	    "alternative names, and whether it was verified (or why not)."
};
