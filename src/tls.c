/*
 * TLS with OpenSSL's libssl: the call layer's other half for a socket after
 * starttls. Each OpenSSL call is a call record like a system call's, so the
 * trace shows "SSL_connect(ssl@3) = 1" and "SSL_read(ssl@3, ...) = 5", the
 * outcome and export read them, and a failure is reported with OpenSSL's
 * SSL_get_error name, the error queue's reason and a hint.
 *
 * Built without libssl (make TLS=no), this file is a small variant whose
 * starttls and tlsinfo say so.
 */
#include <sys/socket.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sockrepl.h"

#if FEATURE_TLS
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#endif

/* A string literal, without strlen. */
#define BUF_LIT(b, s)	buf_add((b), (s), sizeof(s) - 1)

/* "1.2", "tls1.2" or "TLSv1.2". Returns 0, or -1 for another word. */
int
tls_version_parse(const char *s, int *v)
{
	static const struct {
		const char	*name;
		int		 v;
	} vers[] = {
		{ "1.0", 0x0301 }, { "1", 0x0301 }, { "1.1", 0x0302 },
		{ "1.2", 0x0303 }, { "1.3", 0x0304 },
	};
	size_t	i;

	if (strncasecmp(s, "tlsv", 4) == 0)
		s += 4;
	else if (strncasecmp(s, "tls", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof vers / sizeof vers[0]; i++) {
		if (strcmp(s, vers[i].name) == 0) {
			*v = vers[i].v;
			return 0;
		}
	}
	return -1;
}

/*
 * The first bytes a plain receive got on a stream: a TLS record's header
 * (22 for a handshake, 21 for an alert, then 3 and the minor version) says
 * the peer speaks TLS here.
 */
void
tls_sniff(const struct call_rec *r)
{
	const unsigned char	*d = (const unsigned char *)r->data;
	size_t			 n = call_filled(r);

	if (r->call != CALL_RECV || n < 3 || r->snap.type != SOCK_STREAM ||
	    r->snap.bytes_in != n || (r->arg & MSG_PEEK))
		return;
	if ((d[0] != 0x16 && d[0] != 0x15) || d[1] != 3 || d[2] > 4)
		return;
	result("%s: these bytes are a TLS record (%02x %02x %02x: %s): the "
	    "peer speaks TLS: try starttls%s%s", r->cmd, d[0], d[1], d[2],
	    d[0] == 0x16 ? "a handshake" : "an alert",
	    r->snap.parent >= 0 ? " -server" : "",
	    FEATURE_TLS ? "" : " (in a sockrepl built with TLS)");
}

/*
 * An EOF on a plain TCP connection that never answered what was sent: a
 * TLS server drops plain text so. Words to add to the EOF's, or "".
 */
const char *
tls_silent_eof(const struct sock *sk)
{
	if (sk->tls != NULL || sk->bytes_in != 0 || sk->bytes_out == 0 ||
	    sk->family == AF_UNIX)
		return "";
	return FEATURE_TLS ? "; it answered nothing to what was sent, as a "
	    "TLS server does to plain text: if this port speaks TLS, try "
	    "starttls" : "; it answered nothing to what was sent, as a "
	    "TLS server does to plain text (this sockrepl was built without "
	    "TLS)";
}

#if FEATURE_TLS

struct tls {
	SSL_CTX		*ctx;
	SSL		*ssl;
	int		 server;
	int		 insecure;
	int		 sent_notify;	/* our close_notify has gone */
	int		 got_notify;	/* the peer's has come */
	int		 truncated;	/* the end came without it */
	int		 fatal;		/* no SSL_shutdown after this */
	int		 done;		/* the handshake has ended */
	char		*name;		/* the name checked, or NULL */
	unsigned char	*alpn;		/* server: its list, wire format */
	unsigned int	 alpn_len;
};

static const struct name ssl_errors[] = {
	{ "SSL_ERROR_NONE", SSL_ERROR_NONE },
	{ "SSL_ERROR_SSL", SSL_ERROR_SSL },
	{ "SSL_ERROR_WANT_READ", SSL_ERROR_WANT_READ },
	{ "SSL_ERROR_WANT_WRITE", SSL_ERROR_WANT_WRITE },
	{ "SSL_ERROR_WANT_X509_LOOKUP", SSL_ERROR_WANT_X509_LOOKUP },
	{ "SSL_ERROR_SYSCALL", SSL_ERROR_SYSCALL },
	{ "SSL_ERROR_ZERO_RETURN", SSL_ERROR_ZERO_RETURN },
	{ "SSL_ERROR_WANT_CONNECT", SSL_ERROR_WANT_CONNECT },
	{ "SSL_ERROR_WANT_ACCEPT", SSL_ERROR_WANT_ACCEPT },
	{ NULL, 0 }
};

static const char *
ssl_error_name(int e)
{
	const char *n = name_of(ssl_errors, e);

	return n != NULL ? n : "SSL_ERROR_?";
}

static const char *
version_name(int v)
{
	switch (v) {
	case TLS1_VERSION:
		return "TLS1_VERSION";
	case TLS1_1_VERSION:
		return "TLS1_1_VERSION";
	case TLS1_2_VERSION:
		return "TLS1_2_VERSION";
	case TLS1_3_VERSION:
		return "TLS1_3_VERSION";
	}
	return "?";
}

/* The setup calls' text: "name(args)", a NUL, then what it returned. */
static struct buf setup_text;

/*
 * Record an OpenSSL call that sets things up, made already: ok says whether
 * it worked, res what it returned. The error queue's first code is kept
 * for the report. Returns ok.
 */
static int
setup_rec(struct sock *sk, int ok, const char *res, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int
setup_rec(struct sock *sk, int ok, const char *res, const char *fmt, ...)
{
	struct call_rec	*r;
	va_list		 ap;
	size_t		 n;
	int		 e = 0;

	buf_reset(&setup_text);
	va_start(ap, fmt);
	buf_vprintf(&setup_text, fmt, ap);
	va_end(ap);
	n = setup_text.len;
	buf_addc(&setup_text, '\0');
	buf_adds(&setup_text, res);
	r = call_rec_begin(CALL_SSL_SETUP, sk, 0);
	r->data = setup_text.data;
	r->len = n;
	if (!ok) {
		r->tls_code = ERR_peek_error();
		e = ERR_GET_LIB(r->tls_code) == ERR_LIB_SYS ?
		    ERR_GET_REASON(r->tls_code) : EPROTO;
		if (e == 0)
			e = EPROTO;
	}
	ERR_clear_error();
	call_rec_end(r, sk, ok ? 1 : -1, e);
	return ok;
}

/*
 * After a call on ssl returned ret <= 0: note SSL_get_error's answer and
 * the error queue in r. Returns the errno the record carries: EAGAIN for
 * SSL_ERROR_WANT_*, the system call's for SSL_ERROR_SYSCALL, EPROTO for a
 * protocol error.
 */
static int
ssl_failed(struct tls *t, struct call_rec *r, int ret, int sys)
{
	r->tls_err = SSL_get_error(t->ssl, ret);
	r->tls_code = ERR_peek_error();
	r->tls_ret = ret;
	ERR_clear_error();
	switch (r->tls_err) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return EAGAIN;
	case SSL_ERROR_SYSCALL:
		t->fatal = 1;
		if (sys != 0)
			return sys;
		/*
		 * No system call failed: the connection had ended. A write
		 * can go no further (EPIPE); a handshake was cut off.
		 */
		return r->call == CALL_SSL_CONNECT ||
		    r->call == CALL_SSL_ACCEPT ? ECONNRESET : EPIPE;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	default:
		t->fatal = 1;
		return EPROTO;
	}
}

/* The end of the stream without close_notify. */
static int
is_truncation(const struct call_rec *r, int sys)
{
	if (r->tls_err == SSL_ERROR_SYSCALL && sys == 0)
		return 1;
	return r->tls_err == SSL_ERROR_SSL &&
	    ERR_GET_REASON(r->tls_code) == SSL_R_UNEXPECTED_EOF_WHILE_READING;
}

/*
 * SSL_ERROR_WANT_READ or _WRITE on a socket with a timeout: wait in ppoll
 * for it (as wait_ready does before a plain call), or with no limit when
 * forever is set (the handshake). Returns 1 to call again, or 0: the wait
 * ran out or was interrupted, and the ppoll is the last record.
 */
static int
wait_want(struct sock *sk, int tls_err, int forever, int flags)
{
	struct pollfd	pfd;
	int		ms = -1, n;

	if (flags & CF_BEHIND)
		return 0;
	if (sk->timeout > 0) {
		ms = (int)(sk->timeout * 1000 + 0.5);
		if (ms == 0)
			ms = 1;
	} else if (!forever)
		return 0;
	out_flush();
	pfd.fd = sk->fd;
	pfd.events = tls_err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
	pfd.revents = 0;
	n = call_ppoll(&pfd, 1, ms, (flags & CF_HIDDEN) | CF_WAIT);
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0;
}

static int
is_ip(const char *s)
{
	unsigned char	a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* "h2,http/1.1" in ALPN's wire format: each name after its length. */
static unsigned char *
alpn_wire(const char *list, unsigned int *len)
{
	unsigned char	*w;
	const char	*p, *q;
	size_t		 n = strlen(list), i = 0;

	if (n == 0 || n > 1000 || (w = malloc(n + 1)) == NULL)
		return NULL;
	for (p = list; ; p = q + 1) {
		q = strchr(p, ',');
		if (q == NULL)
			q = p + strlen(p);
		if (q == p || q - p > 255) {
			free(w);
			return NULL;
		}
		w[i++] = (unsigned char)(q - p);
		memcpy(w + i, p, (size_t)(q - p));
		i += (size_t)(q - p);
		if (*q == '\0')
			break;
	}
	*len = (unsigned int)i;
	return w;
}

/* The server picks the first of its names the client offered too. */
static int
alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	struct tls	*t = arg;
	unsigned char	*o;

	(void)ssl;
	if (SSL_select_next_proto(&o, outlen, t->alpn, t->alpn_len, in,
	    inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = o;
	return SSL_TLSEXT_ERR_OK;
}

/*
 * A throwaway key and self-signed certificate for NAME, made in memory: a
 * P-256 key, valid from an hour ago for 30 days, with NAME (and the
 * loopback addresses) as subject alternative names. Returns 0, or -1 with
 * the failing call recorded.
 */
static int
selfsigned(struct sock *sk, SSL_CTX *ctx, const char *name)
{
	EVP_PKEY	*pk;
	X509		*x = NULL;
	X509_NAME	*nm;
	X509_EXTENSION	*ext;
	X509V3_CTX	 v3;
	struct buf	 san = { 0 };
	unsigned char	 serial[8];
	BIGNUM		*bn;
	int		 ok = 0;

	pk = EVP_EC_gen("P-256");
	if (!setup_rec(sk, pk != NULL, pk != NULL ? "pkey" : "NULL",
	    "EVP_EC_gen(\"P-256\")"))
		return -1;
	if ((x = X509_new()) == NULL)
		goto out;
	X509_set_version(x, 2);
	if (RAND_bytes(serial, sizeof serial) != 1)
		goto out;
	serial[0] &= 0x7f;
	bn = BN_bin2bn(serial, sizeof serial, NULL);
	BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
	BN_free(bn);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400);
	X509_set_pubkey(x, pk);
	nm = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC,
	    (const unsigned char *)name, -1, -1, 0);
	X509_set_issuer_name(x, nm);
	buf_printf(&san, "%s:%s", is_ip(name) ? "IP" : "DNS", name);
	if (strcmp(name, "localhost") == 0)
		buf_adds(&san, ",IP:127.0.0.1,IP:::1");
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	    buf_str(&san));
	if (ext == NULL)
		goto out;
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	ok = X509_sign(x, pk, EVP_sha256()) > 0;
	if (!setup_rec(sk, ok, ok ? "1" : "0", "X509_sign(x509 {CN=%s, %s, "
	    "30 days}, pkey, EVP_sha256())", name, buf_str(&san)))
		goto done;
	ok = SSL_CTX_use_certificate(ctx, x);
	if (!setup_rec(sk, ok, ok ? "1" : "0",
	    "SSL_CTX_use_certificate(ctx, x509)"))
		goto done;
	ok = SSL_CTX_use_PrivateKey(ctx, pk);
	setup_rec(sk, ok, ok ? "1" : "0", "SSL_CTX_use_PrivateKey(ctx, pkey)");
	goto done;
out:
	ok = 0;
	setup_rec(sk, 0, "0", "X509_new() and the certificate's fields");
done:
	buf_free(&san);
	X509_free(x);
	EVP_PKEY_free(pk);
	return ok ? 0 : -1;
}

/* The context: method, versions, trust or our certificate, ALPN. */
static SSL_CTX *
make_ctx(struct sock *sk, struct tls *t, const struct tls_opts *o)
{
	SSL_CTX		*ctx;
	unsigned char	*w;
	unsigned int	 wl;
	int		 ok;

	ctx = SSL_CTX_new(o->server ? TLS_server_method() :
	    TLS_client_method());
	if (!setup_rec(sk, ctx != NULL, ctx != NULL ? "ctx" : "NULL",
	    "SSL_CTX_new(%s())", o->server ? "TLS_server_method" :
	    "TLS_client_method"))
		return NULL;
	if (o->minver != 0) {
		ok = SSL_CTX_set_min_proto_version(ctx, o->minver);
		if (!setup_rec(sk, ok, ok ? "1" : "0",
		    "SSL_CTX_set_min_proto_version(ctx, %s)",
		    version_name(o->minver)))
			goto fail;
	}
	if (o->maxver != 0) {
		ok = SSL_CTX_set_max_proto_version(ctx, o->maxver);
		if (!setup_rec(sk, ok, ok ? "1" : "0",
		    "SSL_CTX_set_max_proto_version(ctx, %s)",
		    version_name(o->maxver)))
			goto fail;
	}
	if (o->server) {
		if (o->selfsigned) {
			if (selfsigned(sk, ctx, o->servername != NULL ?
			    o->servername : "localhost") != 0)
				goto fail;
		} else {
			ok = SSL_CTX_use_certificate_chain_file(ctx, o->cert);
			if (!setup_rec(sk, ok, ok ? "1" : "0",
			    "SSL_CTX_use_certificate_chain_file(ctx, \"%s\")",
			    printable(o->cert)))
				goto fail;
			ok = SSL_CTX_use_PrivateKey_file(ctx, o->key,
			    SSL_FILETYPE_PEM);
			if (!setup_rec(sk, ok, ok ? "1" : "0",
			    "SSL_CTX_use_PrivateKey_file(ctx, \"%s\", "
			    "SSL_FILETYPE_PEM)", printable(o->key)))
				goto fail;
			ok = SSL_CTX_check_private_key(ctx);
			if (!setup_rec(sk, ok, ok ? "1" : "0",
			    "SSL_CTX_check_private_key(ctx)"))
				goto fail;
		}
		if (o->alpn != NULL) {
			t->alpn = alpn_wire(o->alpn, &t->alpn_len);
			SSL_CTX_set_alpn_select_cb(ctx, alpn_select, t);
			setup_rec(sk, 1, "(void)", "SSL_CTX_set_alpn_select_cb("
			    "ctx, first of \"%s\" the client offers)",
			    printable(o->alpn));
		}
		return ctx;
	}
	/* The trust store is read with -k too, so tlsinfo can say more. */
	if (o->cafile != NULL) {
		ok = SSL_CTX_load_verify_locations(ctx, o->cafile, NULL);
		if (!setup_rec(sk, ok, ok ? "1" : "0",
		    "SSL_CTX_load_verify_locations(ctx, \"%s\", NULL)",
		    printable(o->cafile)))
			goto fail;
	} else {
		ok = SSL_CTX_set_default_verify_paths(ctx);
		if (!setup_rec(sk, ok, ok ? "1" : "0",
		    "SSL_CTX_set_default_verify_paths(ctx)"))
			goto fail;
	}
	SSL_CTX_set_verify(ctx, o->insecure ? SSL_VERIFY_NONE :
	    SSL_VERIFY_PEER, NULL);
	setup_rec(sk, 1, "(void)", "SSL_CTX_set_verify(ctx, %s, NULL)",
	    o->insecure ? "SSL_VERIFY_NONE" : "SSL_VERIFY_PEER");
	if (o->alpn != NULL) {
		w = alpn_wire(o->alpn, &wl);
		/* This one returns 0 on success. */
		ok = w != NULL && SSL_CTX_set_alpn_protos(ctx, w, wl) == 0;
		free(w);
		if (!setup_rec(sk, ok, ok ? "0" : "1",
		    "SSL_CTX_set_alpn_protos(ctx, \"%s\")",
		    printable(o->alpn)))
			goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static void
tls_destroy(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	SSL_CTX_free(t->ctx);
	free(t->name);
	free(t->alpn);
	free(t);
}

/* The name to send as SNI and to check: the argument or connect's host. */
static const char *
peer_name(const struct sock *sk, const struct tls_opts *o)
{
	if (o->servername != NULL)
		return o->servername;
	return sk->host;
}

/*
 * starttls: set up, then SSL_connect or SSL_accept until the handshake
 * ends. Returns 0 with sk->tls set, or -1: the failing call is the last
 * record (call_report words it), or -2: a wait in the handshake was
 * interrupted, with part of it on the wire.
 */
int
tls_start(struct sock *sk, const struct tls_opts *o)
{
	struct tls	*t;
	struct call_rec	*r;
	const char	*name = o->server ? NULL : peer_name(sk, o);
	char		 id[32];
	int		 ok, ret, e, midway = 0;

	/* A non-blocking socket's handshake goes on where it stopped. */
	if ((t = sk->tls) != NULL)
		goto handshake;
	if ((t = calloc(1, sizeof *t)) == NULL)
		abort();
	t->server = o->server;
	t->insecure = o->insecure;
	if ((t->ctx = make_ctx(sk, t, o)) == NULL)
		goto fail;
	/* Partial writes, so SSL_write reports progress as send does. */
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	snprintf(id, sizeof id, "ssl@%d", sk->fd);
	t->ssl = SSL_new(t->ctx);
	if (!setup_rec(sk, t->ssl != NULL, t->ssl != NULL ? id : "NULL",
	    "SSL_new(ctx)"))
		goto fail;
	ok = SSL_set_fd(t->ssl, sk->fd);
	if (!setup_rec(sk, ok, ok ? "1" : "0", "SSL_set_fd(%s, %d)", id,
	    sk->fd))
		goto fail;
	if (name != NULL) {
		t->name = strdup(name);
		if (!is_ip(name)) {
			/* SNI carries host names only (RFC 6066). */
			ok = SSL_set_tlsext_host_name(t->ssl, name);
			if (!setup_rec(sk, ok, ok ? "1" : "0",
			    "SSL_set_tlsext_host_name(%s, \"%s\")", id,
			    printable(name)))
				goto fail;
			ok = SSL_set1_host(t->ssl, name);
			if (!setup_rec(sk, ok, ok ? "1" : "0",
			    "SSL_set1_host(%s, \"%s\")", id, printable(name)))
				goto fail;
		} else {
			ok = X509_VERIFY_PARAM_set1_ip_asc(
			    SSL_get0_param(t->ssl), name);
			if (!setup_rec(sk, ok, ok ? "1" : "0",
			    "X509_VERIFY_PARAM_set1_ip_asc("
			    "SSL_get0_param(%s), \"%s\")", id, name))
				goto fail;
		}
	}
handshake:
	for (;;) {
		r = call_rec_begin(t->server ? CALL_SSL_ACCEPT :
		    CALL_SSL_CONNECT, sk, 0);
		/* The handshake waits for the peer: our output first. */
		out_flush();
		ERR_clear_error();
		errno = 0;
		ret = t->server ? SSL_accept(t->ssl) : SSL_connect(t->ssl);
		e = errno;
		r->tls_verify = SSL_get_verify_result(t->ssl);
		if (ret == 1) {
			call_rec_end(r, sk, 1, 0);
			break;
		}
		e = ssl_failed(t, r, ret, e);
		call_rec_end(r, sk, -1, e);
		if (r->tls_err != SSL_ERROR_WANT_READ &&
		    r->tls_err != SSL_ERROR_WANT_WRITE)
			goto fail;
		/*
		 * Non-blocking: as SSL_connect is used so, the handshake is
		 * left where it is, and starttls again goes on with it.
		 */
		if (sk->timeout == 0) {
			sk->tls = t;
			errno = EAGAIN;
			return -1;
		}
		if (!wait_want(sk, r->tls_err, 1, 0)) {
			if (errno == EINTR)
				midway = 1;
			goto fail;
		}
	}
	t->done = 1;
	sk->tls = t;
	return 0;
fail:
	e = errno;
	if (sk->tls == t)
		sk->tls = NULL;
	tls_destroy(t);
	errno = e;
	return midway ? -2 : -1;
}

/*
 * A send or receive with flags or an address TLS cannot honour (msgflags
 * -1: an address): refused, no call made, EOPNOTSUPP.
 */
static int
tls_refuse(struct call_rec *r, struct sock *sk, int msgflags)
{
	r->flags |= CF_NOTMADE;
	r->arg = msgflags;
	call_rec_end(r, sk, -1, EOPNOTSUPP);
	return -1;
}

/* SSL_write, as send(2) is for a plain socket. */
ssize_t
tls_send(struct sock *sk, const void *p, size_t n, int msgflags, int flags)
{
	struct tls	*t = sk->tls;
	struct call_rec	*r;
	int		 ret, e;

	if (n > INT_MAX)
		n = INT_MAX;
	for (;;) {
		r = call_rec_begin(CALL_SEND, sk, flags | CF_TLS);
		r->data = p;
		r->len = n;
		if (msgflags != 0 && msgflags != MSG_NOSIGNAL)
			return tls_refuse(r, sk, msgflags);
		if (n == 0) {
			/* SSL_write of nothing is an error: nothing to do. */
			call_rec_end(r, sk, 0, 0);
			return 0;
		}
		if (!(flags & CF_BEHIND))
			out_flush_wait(sk->fd, POLLOUT);
		ERR_clear_error();
		errno = 0;
		ret = SSL_write(t->ssl, p, (int)n);
		e = errno;
		if (ret > 0) {
			call_rec_end(r, sk, ret, 0);
			return ret;
		}
		e = ssl_failed(t, r, ret, e);
		if (r->tls_err == SSL_ERROR_ZERO_RETURN)
			e = EPIPE;
		call_rec_end(r, sk, -1, e);
		if (e != EAGAIN || !wait_want(sk, r->tls_err, 0, flags))
			return -1;
	}
}

/*
 * SSL_read (SSL_peek with MSG_PEEK), as recv(2) is for a plain socket: the
 * peer's close_notify is an EOF, and so is an end without it, noted as a
 * possible truncation in the record (tls_ret says what SSL_read returned).
 */
ssize_t
tls_recv(struct sock *sk, void *p, size_t size, int msgflags,
    enum rec_show show, enum data_format fmt, int flags)
{
	struct tls	*t = sk->tls;
	struct call_rec	*r;
	int		 ret, e, sys, peek = (msgflags & MSG_PEEK) != 0;

	if (size > INT_MAX)
		size = INT_MAX;
	for (;;) {
		r = call_rec_begin(CALL_RECV, sk, flags | CF_TLS);
		r->data = p;
		r->len = size;
		r->arg = peek ? MSG_PEEK : 0;
		r->show = show;
		r->fmt = fmt;
		if (msgflags != 0 && msgflags != MSG_PEEK)
			return tls_refuse(r, sk, msgflags);
		if (size == 0) {
			/* Nothing asked for, nothing read: as recv(2) does. */
			call_rec_end(r, sk, 0, 0);
			return 0;
		}
		/* Output first if the read would wait for the kernel. */
		if (!(flags & CF_BEHIND) && SSL_pending(t->ssl) == 0)
			out_flush_wait(sk->fd, POLLIN);
		ERR_clear_error();
		errno = 0;
		ret = peek ? SSL_peek(t->ssl, p, (int)size) :
		    SSL_read(t->ssl, p, (int)size);
		sys = errno;
		if (ret > 0) {
			call_rec_end(r, sk, ret, 0);
			return ret;
		}
		e = ssl_failed(t, r, ret, sys);
		if (r->tls_err == SSL_ERROR_ZERO_RETURN) {
			t->got_notify = 1;
			call_rec_end(r, sk, 0, 0);
			return 0;
		}
		if (is_truncation(r, sys)) {
			t->truncated = 1;
			call_rec_end(r, sk, 0, 0);
			return 0;
		}
		call_rec_end(r, sk, -1, e);
		if (e != EAGAIN || !wait_want(sk, r->tls_err, 0, flags))
			return -1;
	}
}

/*
 * Our close_notify, once, before shutdown wr or close. Not after a fatal
 * error (OpenSSL forbids it). Returns SSL_shutdown's result, or 0 when no
 * call was made.
 */
int
tls_close_notify(struct sock *sk, int flags)
{
	struct tls	*t = sk->tls;
	struct call_rec	*r;
	int		 ret, e;

	if (t == NULL || t->sent_notify || t->fatal || !t->done ||
	    sk->shut_wr)
		return 0;
	t->sent_notify = 1;
	r = call_rec_begin(CALL_SSL_SHUTDOWN, sk, flags);
	ERR_clear_error();
	errno = 0;
	ret = SSL_shutdown(t->ssl);
	e = errno;
	if (ret >= 0) {
		call_rec_end(r, sk, ret, 0);
		return ret;
	}
	e = ssl_failed(t, r, ret, e);
	call_rec_end(r, sk, -1, e);
	return -1;
}

void
tls_free(struct sock *sk)
{
	tls_destroy(sk->tls);
	sk->tls = NULL;
}

int
tls_handshake_done(const struct sock *sk)
{
	return sk->tls != NULL && sk->tls->done;
}

/* A fatal TLS error: recv reports it at once. */
int
tls_broken(const struct sock *sk)
{
	return sk->tls != NULL && sk->tls->fatal;
}

/* Plaintext OpenSSL holds already: readable with no system call. */
size_t
tls_pending(const struct sock *sk)
{
	int	n;

	if (sk == NULL || sk->tls == NULL)
		return 0;
	n = SSL_pending(sk->tls->ssl);
	return n > 0 ? (size_t)n : 0;
}

/*
 * For the prompt's notices, behind the user's back: how many plaintext
 * bytes can be read now. Ciphertext waiting in the kernel is decrypted by
 * a non-blocking SSL_peek of one byte; *eof is set when what came was the
 * end (close_notify, or the connection's end without it).
 */
int
tls_waiting(struct sock *sk, int *eof)
{
	struct tls	*t = sk->tls;
	char		 c;
	int		 fl, n;

	*eof = t->got_notify || t->truncated;
	if ((n = (int)tls_pending(sk)) > 0 || *eof)
		return n;
	fl = fcntl(sk->fd, F_GETFL);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		(void)fcntl(sk->fd, F_SETFL, fl | O_NONBLOCK);
	n = (int)tls_recv(sk, &c, 1, MSG_PEEK, SHOW_ARG, FMT_AUTO,
	    CF_BEHIND | CF_PEEKONLY);
	if (fl >= 0 && !(fl & O_NONBLOCK))
		(void)fcntl(sk->fd, F_SETFL, fl);
	*eof = t->got_notify || t->truncated;
	return n > 0 ? (int)tls_pending(sk) : 0;
}

const char *
tls_label(const struct sock *sk)
{
	return sk->tls != NULL ? SSL_get_version(sk->tls->ssl) : NULL;
}

/* recv's words for an EOF on a TLS socket. */
const char *
tls_eof_words(const struct sock *sk)
{
	if (sk->tls != NULL && sk->tls->truncated)
		return "EOF without close_notify: the connection ended with no "
		    "TLS goodbye, so what came may be cut short (a truncation)";
	return "EOF: the peer sent close_notify (TLS's orderly end)";
}

/* The reason on OpenSSL's error queue, with the verify result's words. */
static void
reason(struct buf *b, const struct call_rec *r)
{
	const char	*s;
	char		 tmp[256];

	if (r->tls_code == 0)
		return;
	if ((s = ERR_reason_error_string(r->tls_code)) == NULL) {
		ERR_error_string_n(r->tls_code, tmp, sizeof tmp);
		s = tmp;
	}
	buf_adds(b, s);
	if (ERR_GET_REASON(r->tls_code) == SSL_R_CERTIFICATE_VERIFY_FAILED &&
	    r->tls_verify != X509_V_OK)
		buf_printf(b, ": %s",
		    X509_verify_cert_error_string(r->tls_verify));
}

void
tls_call_args(struct buf *b, const struct call_rec *r)
{
	if (r->call == CALL_SSL_SETUP) {
		buf_add(b, r->data, r->len);
		return;
	}
	if (r->flags & CF_TLS) {
		/* Only SSL_write, and SSL_read failures, come here. */
		if (r->call == CALL_SEND) {
			buf_printf(b, "SSL_write(ssl@%d, ", r->fd);
			data_arg(b, r->data, r->len);
			buf_printf(b, ", %zu)", r->len);
		} else
			buf_printf(b, "%s(ssl@%d, buf, %zu)", (r->arg &
			    MSG_PEEK) ? "SSL_peek" : "SSL_read", r->fd,
			    r->len);
		return;
	}
	buf_printf(b, "%s(ssl@%d)", call_name(r->call), r->fd);
}

void
tls_call_ending(struct buf *b, const struct call_rec *r)
{
	struct buf	why = { 0 };

	if (r->call == CALL_SSL_SETUP) {
		buf_printf(b, " = %s", r->data + r->len + 1);
		if (r->ret < 0 && r->tls_code != 0) {
			reason(&why, r);
			buf_printf(b, " (%s)", buf_str(&why));
		}
		buf_free(&why);
		return;
	}
	if (r->ret >= 0 && r->tls_err == 0) {
		buf_printf(b, " = %ld", r->ret);
		if (r->call == CALL_SSL_SHUTDOWN)
			buf_adds(b, r->ret == 1 ? " (close_notify sent; the "
			    "peer's had come)" : " (close_notify sent)");
		return;
	}
	buf_printf(b, " = %ld %s", r->ret < 0 || r->tls_ret < 0 ? r->tls_ret :
	    r->ret, ssl_error_name(r->tls_err));
	if (r->tls_err == SSL_ERROR_ZERO_RETURN)
		buf_adds(b, " (close_notify: the peer ended TLS)");
	else if (r->tls_err == SSL_ERROR_SYSCALL && r->err != 0 && r->ret < 0)
		buf_printf(b, " %s (%s)", errno_name(r->err), strerror(r->err));
	else if (r->tls_code != 0) {
		reason(&why, r);
		buf_printf(b, " (%s)", buf_str(&why));
	}
	if (r->ret == 0 && r->tls_err != SSL_ERROR_ZERO_RETURN)
		buf_adds(b, r->tls_code == 0 ? " (the connection ended "
		    "without close_notify: taken as EOF, data may be "
		    "truncated)" : ": taken as EOF, data may be truncated");
	buf_free(&why);
}

/* A hint for a failed verification, by what X509 verification said. */
static const char *
verify_hint(long v)
{
	switch (v) {
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		return "no CA this program trusts signed the peer's "
		    "certificate: trust its CA with starttls -cafile FILE (a "
		    "PEM file), or skip the check with starttls -k (insecure: "
		    "anyone in between could read and change the traffic)";
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		return "the certificate is for other names: give the name it "
		    "is for (starttls NAME; starttls -k then tlsinfo shows its "
		    "names), or -k to skip the check";
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		return "the certificate is outside its validity dates (or this "
		    "machine's clock is wrong): -k goes on anyway";
	}
	return "the peer's certificate did not pass: starttls -cafile FILE "
	    "trusts another CA, -k skips the check";
}

void
tls_report(const struct call_rec *r)
{
	struct buf	 what = { 0 };
	const char	*hint = NULL;
	int		 why = ERR_GET_REASON(r->tls_code);
	int		 hs = r->call == CALL_SSL_CONNECT ||
	    r->call == CALL_SSL_ACCEPT;

	if (r->ret >= 0 && r->err == 0)
		return;
	if (r->flags & CF_NOTMADE) {
		diag("%s: %s", r->cmd, r->arg == -1 ? "sendto, recvfrom, "
		    "sendmsg and recvmsg would go around TLS: after starttls, "
		    "send and recv (SSL_write and SSL_read)" :
		    "after starttls, SSL_write and SSL_read take no flags "
		    "(only peek, made with SSL_peek)");
		return;
	}
	if (r->call == CALL_SSL_SETUP) {
		reason(&what, r);
		if (what.len == 0)
			buf_adds(&what, "failed");
		diag("%s: %.*s: %s", r->cmd, (int)r->len, r->data,
		    buf_str(&what));
		buf_free(&what);
		return;
	}
	buf_adds(&what, ssl_error_name(r->tls_err));
	switch (r->tls_err) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		hint = hs ? "the socket is non-blocking and the handshake waits "
		    "for the peer: poll, then starttls again goes on with it" :
		    "the socket is non-blocking and TLS needs the peer's "
		    "next record first (poll in, then again)";
		break;
	case SSL_ERROR_SYSCALL:
		if (r->err != 0 && r->err != ECONNRESET)
			buf_printf(&what, " %s", errno_name(r->err));
		hint = hs ? "the peer closed or reset the connection in the "
		    "handshake: it may not speak TLS on this port, or it "
		    "refused what was offered (its log says why)" :
		    "the connection failed under TLS";
		break;
	case SSL_ERROR_SSL:
		BUF_LIT(&what, ": ");
		reason(&what, r);
		if (why == SSL_R_CERTIFICATE_VERIFY_FAILED)
			hint = verify_hint(r->tls_verify);
		else if (why == SSL_R_HTTP_REQUEST)
			hint = "the peer sent a plain HTTP request, not a TLS "
			    "handshake (it should ask for https://)";
		else if (why == SSL_R_WRONG_VERSION_NUMBER ||
		    why == SSL_R_PACKET_LENGTH_TOO_LONG)
			hint = "the peer speaks plain text here, not TLS; if "
			    "its protocol has STARTTLS (SMTP, IMAP), type the "
			    "plain prelude first, then starttls";
		else if (why == SSL_R_UNSUPPORTED_PROTOCOL ||
		    why == SSL_R_NO_PROTOCOLS_AVAILABLE ||
		    why == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)
			hint = "the two sides share no TLS version: see -min "
			    "and -max";
		else if (why == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE ||
		    why == SSL_R_NO_SHARED_CIPHER)
			hint = "the two sides agree on no cipher or protocol "
			    "version";
		else if (why == SSL_R_TLSV1_ALERT_UNKNOWN_CA ||
		    why == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE)
			hint = "the peer does not trust this side's "
			    "certificate (a self-signed one needs -k or its "
			    "CA on the other side)";
		else if (why == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			hint = "the peer closed the connection without "
			    "close_notify";
		else
			hint = "the TLS connection failed (the peer's log may "
			    "say why)";
		break;
	default:
		break;
	}
	if (hint != NULL)
		diag("%s: %s: %s", r->cmd, buf_str(&what), hint);
	else
		diag("%s: %s", r->cmd, buf_str(&what));
	buf_free(&what);
}

/* One line of tlsinfo: "  name   value". */
static void
info_line(const char *k, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
info_line(const char *k, const char *fmt, ...)
{
	struct buf	b = { 0 };
	va_list		ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	result("%-9s %s", k, buf_str(&b));
	buf_free(&b);
}

static void
name_text(struct buf *b, const X509_NAME *nm)
{
	BIO	*bio = BIO_new(BIO_s_mem());
	char	*p;
	long	 n;

	if (bio == NULL)
		return;
	X509_NAME_print_ex(bio, nm, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(bio, &p);
	if (n > 0)
		escape_bytes(b, p, (size_t)n);
	BIO_free(bio);
}

static void
time_text(struct buf *b, const ASN1_TIME *tm)
{
	struct tm	t;
	char		s[64];

	if (ASN1_TIME_to_tm(tm, &t) == 1 &&
	    strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S UTC", &t) > 0)
		buf_adds(b, s);
	else
		buf_adds(b, "?");
}

static void
sans_text(struct buf *b, X509 *x)
{
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*g;
	const unsigned char *d;
	char		 ip[64];
	int		 i, n;

	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL) {
		buf_adds(b, "(none)");
		return;
	}
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		g = sk_GENERAL_NAME_value(gens, i);
		if (i > 0)
			BUF_LIT(b, ", ");
		if (g->type == GEN_DNS) {
			BUF_LIT(b, "DNS:");
			d = ASN1_STRING_get0_data(g->d.dNSName);
			escape_bytes(b, d, (size_t)ASN1_STRING_length(
			    g->d.dNSName));
		} else if (g->type == GEN_IPADD) {
			d = ASN1_STRING_get0_data(g->d.iPAddress);
			n = ASN1_STRING_length(g->d.iPAddress);
			if ((n == 4 && inet_ntop(AF_INET, d, ip, sizeof ip)) ||
			    (n == 16 && inet_ntop(AF_INET6, d, ip, sizeof ip)))
				buf_printf(b, "IP:%s", ip);
			else
				BUF_LIT(b, "IP:?");
		} else if (g->type == GEN_EMAIL) {
			BUF_LIT(b, "email:");
			d = ASN1_STRING_get0_data(g->d.rfc822Name);
			escape_bytes(b, d, (size_t)ASN1_STRING_length(
			    g->d.rfc822Name));
		} else
			BUF_LIT(b, "(other)");
	}
	GENERAL_NAMES_free(gens);
}

/* tlsinfo: what the handshake agreed and what the peer showed. */
int
tls_info(struct sock *sk)
{
	struct tls		*t = sk->tls;
	const SSL_CIPHER	*c;
	const unsigned char	*alpn;
	unsigned int		 alpn_len;
	X509			*x;
	struct buf		 b = { 0 };
	long			 v;
	int			 bits;

	if (t == NULL) {
		diag("tlsinfo: fd %d does not speak TLS (starttls begins it)",
		    sk->fd);
		return -1;
	}
	info_line("fd", "%d (ssl@%d), %s", sk->fd, sk->fd, t->server ?
	    "server (SSL_accept)" : "client (SSL_connect)");
	if (!t->done) {
		info_line("state", "the handshake has not ended (the socket "
		    "is non-blocking: poll in, then starttls again)");
		return 0;
	}
	info_line("protocol", "%s", SSL_get_version(t->ssl));
	c = SSL_get_current_cipher(t->ssl);
	SSL_CIPHER_get_bits(c, &bits);
	info_line("cipher", "%s (%d bits)", SSL_CIPHER_get_name(c), bits);
	SSL_get0_alpn_selected(t->ssl, &alpn, &alpn_len);
	if (alpn_len > 0) {
		escape_bytes(&b, alpn, alpn_len);
		info_line("alpn", "%s", buf_str(&b));
	} else
		info_line("alpn", "(none agreed)");
	if (t->server) {
		const char *sni = SSL_get_servername(t->ssl,
		    TLSEXT_NAMETYPE_host_name);
		info_line("sni", "%s", sni != NULL ? printable(sni) :
		    "(the client sent none)");
	} else
		info_line("sni", "%s", t->name != NULL && !is_ip(t->name) ?
		    printable(t->name) : "(none sent)");
	info_line("session", "%s", SSL_session_reused(t->ssl) ? "reused" :
	    "new (not reused)");
	info_line("state", "%s%s", t->got_notify ? "the peer sent "
	    "close_notify" : t->truncated ? "ended without close_notify" :
	    "open", t->sent_notify ? "; close_notify sent" : "");
	x = SSL_get1_peer_certificate(t->ssl);
	if (x == NULL) {
		info_line("peer", "%s", t->server ? "no client certificate "
		    "(none asked for)" : "no certificate");
		buf_free(&b);
		return 0;
	}
	buf_reset(&b);
	name_text(&b, X509_get_subject_name(x));
	info_line("subject", "%s", buf_str(&b));
	buf_reset(&b);
	name_text(&b, X509_get_issuer_name(x));
	info_line("issuer", "%s", buf_str(&b));
	buf_reset(&b);
	time_text(&b, X509_get0_notBefore(x));
	BUF_LIT(&b, " to ");
	time_text(&b, X509_get0_notAfter(x));
	info_line("valid", "%s", buf_str(&b));
	buf_reset(&b);
	sans_text(&b, x);
	info_line("names", "%s", buf_str(&b));
	X509_free(x);
	v = SSL_get_verify_result(t->ssl);
	if (t->server)
		info_line("verify", "%s", v == X509_V_OK ? "ok" :
		    X509_verify_cert_error_string(v));
	else if (v == X509_V_OK)
		info_line("verify", "ok: signed by a trusted CA%s%s",
		    t->name != NULL ? ", and for " : "",
		    t->name != NULL ? printable(t->name) : "");
	else
		info_line("verify", "failed: %s (%s)",
		    X509_verify_cert_error_string(v), t->insecure ?
		    "not enforced: -k" : "?");
	buf_free(&b);
	return 0;
}

/* At exit: what OpenSSL keeps for the whole program. */
void
tls_end(void)
{
	buf_free(&setup_text);
	OPENSSL_cleanup();
}

#else /* !FEATURE_TLS */

int
tls_start(struct sock *sk, const struct tls_opts *o)
{
	(void)sk;
	(void)o;
	errno = EOPNOTSUPP;
	return -1;
}

ssize_t
tls_send(struct sock *sk, const void *p, size_t n, int msgflags, int flags)
{
	(void)sk;
	(void)p;
	(void)n;
	(void)msgflags;
	(void)flags;
	errno = EOPNOTSUPP;
	return -1;
}

ssize_t
tls_recv(struct sock *sk, void *p, size_t size, int msgflags,
    enum rec_show show, enum data_format fmt, int flags)
{
	(void)sk;
	(void)p;
	(void)size;
	(void)msgflags;
	(void)show;
	(void)fmt;
	(void)flags;
	errno = EOPNOTSUPP;
	return -1;
}

int
tls_close_notify(struct sock *sk, int flags)
{
	(void)sk;
	(void)flags;
	return 0;
}

void
tls_free(struct sock *sk)
{
	sk->tls = NULL;
}

size_t
tls_pending(const struct sock *sk)
{
	(void)sk;
	return 0;
}

int
tls_handshake_done(const struct sock *sk)
{
	(void)sk;
	return 0;
}

int
tls_broken(const struct sock *sk)
{
	(void)sk;
	return 0;
}

int
tls_waiting(struct sock *sk, int *eof)
{
	(void)sk;
	*eof = 0;
	return 0;
}

int
tls_info(struct sock *sk)
{
	(void)sk;
	return -1;
}

const char *
tls_label(const struct sock *sk)
{
	(void)sk;
	return NULL;
}

const char *
tls_eof_words(const struct sock *sk)
{
	(void)sk;
	return "EOF";
}

void
tls_call_args(struct buf *b, const struct call_rec *r)
{
	buf_adds(b, call_name(r->call));
}

void
tls_call_ending(struct buf *b, const struct call_rec *r)
{
	buf_printf(b, " = %ld", r->ret);
}

void
tls_report(const struct call_rec *r)
{
	diag("%s: failed", r->cmd);
}

void
tls_end(void)
{
}

#endif /* FEATURE_TLS */
