/*
 * A libFuzzer target over the tokenizer and the whole dispatcher: each input
 * is a script, its lines run through cmd_run_line as typed, on real sockets.
 *
 * The fuzzer must never hang, touch the network or the file system outside
 * its directory, so the program's calls are wrapped at link time (ld
 * --wrap, see the Makefile's fuzz target):
 * - a call that would block returns EINTR at once, with interrupted set, as
 *   if Ctrl-C came while it waited; a wait with a timeout times out at
 *   once, and a sleep is over at once;
 * - sockets are INET, INET6, UNIX (and sock_diag netlink): no raw or packet
 *   sockets; binds go to loopback (a wildcard becomes loopback); connect
 *   and sendto reach only an address one of the input's own sockets holds,
 *   so no other program on the machine is ever talked to;
 * - names are resolved only when numeric or localhost (no DNS);
 * - files and UNIX socket paths are relative ones, or under the fuzzer's
 *   directory, never with "..": the process runs in that directory;
 * - built with TLS, OpenSSL's reads and writes on a blocking socket are
 *   interrupted as the calls above are, and the certificates and keys it
 *   loads follow the files' rule; built with the wire, there is no
 *   capture (wire on fails as with no device to capture on).
 * Each input starts from an empty table, no variables and no files.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sockrepl.h"

#if FEATURE_TLS
#include <openssl/ssl.h>
#endif
#if FEATURE_PCAP
#include <pcap/pcap.h>
#endif

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	dir[4096];	/* where the fuzzer's files go */
static int	own_dir;	/* made here, so removed at exit */
/*
 * An input is running: the wrappers apply. libFuzzer's own files (corpus,
 * crash reports) go through the same wrapped calls and must pass.
 */
static int	running;

/* ---- the wrapped calls ---- */

ssize_t	__real_recv(int, void *, size_t, int);
ssize_t	__real_recvfrom(int, void *, size_t, int, struct sockaddr *,
	    socklen_t *);
ssize_t	__real_send(int, const void *, size_t, int);
ssize_t	__real_sendto(int, const void *, size_t, int,
	    const struct sockaddr *, socklen_t);
ssize_t	__real_recvmsg(int, struct msghdr *, int);
ssize_t	__real_sendmsg(int, const struct msghdr *, int);
int	__real_accept(int, struct sockaddr *, socklen_t *);
int	__real_accept4(int, struct sockaddr *, socklen_t *, int);
int	__real_connect(int, const struct sockaddr *, socklen_t);
int	__real_bind(int, const struct sockaddr *, socklen_t);
int	__real_socket(int, int, int);
int	__real_ppoll(struct pollfd *, nfds_t, const struct timespec *,
	    const sigset_t *);
int	__real_poll(struct pollfd *, nfds_t, int);
int	__real_open(const char *, int, ...);
int	__real_nanosleep(const struct timespec *, struct timespec *);
FILE	*__real_fopen(const char *, const char *);
int	__real_getaddrinfo(const char *, const char *,
	    const struct addrinfo *, struct addrinfo **);

ssize_t	__wrap_recv(int, void *, size_t, int);
ssize_t	__wrap_recvfrom(int, void *, size_t, int, struct sockaddr *,
	    socklen_t *);
ssize_t	__wrap_send(int, const void *, size_t, int);
ssize_t	__wrap_sendto(int, const void *, size_t, int,
	    const struct sockaddr *, socklen_t);
ssize_t	__wrap_recvmsg(int, struct msghdr *, int);
ssize_t	__wrap_sendmsg(int, const struct msghdr *, int);
int	__wrap_accept(int, struct sockaddr *, socklen_t *);
int	__wrap_accept4(int, struct sockaddr *, socklen_t *, int);
int	__wrap_connect(int, const struct sockaddr *, socklen_t);
int	__wrap_bind(int, const struct sockaddr *, socklen_t);
int	__wrap_socket(int, int, int);
int	__wrap_ppoll(struct pollfd *, nfds_t, const struct timespec *,
	    const sigset_t *);
int	__wrap_poll(struct pollfd *, nfds_t, int);
int	__wrap_nanosleep(const struct timespec *, struct timespec *);
int	__wrap_open(const char *, int, ...);
FILE	*__wrap_fopen(const char *, const char *);
int	__wrap_getaddrinfo(const char *, const char *,
	    const struct addrinfo *, struct addrinfo **);

/* The call would have blocked: a Ctrl-C came instead. */
static int
fake_eintr(void)
{
	interrupted = 1;
	errno = EINTR;
	return -1;
}

static int
blocking(int fd, int flags)
{
	int	fl = fcntl(fd, F_GETFL);

	return fl >= 0 && !(fl & O_NONBLOCK) && !(flags & MSG_DONTWAIT);
}

ssize_t
__wrap_recv(int fd, void *p, size_t n, int flags)
{
	ssize_t	r;

	if (!running)
		return __real_recv(fd, p, n, flags);
	if (!blocking(fd, flags))
		return __real_recv(fd, p, n, flags);
	r = __real_recv(fd, p, n, flags | MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return fake_eintr();
	return r;
}

ssize_t
__wrap_recvfrom(int fd, void *p, size_t n, int flags, struct sockaddr *sa,
    socklen_t *len)
{
	ssize_t	r;

	if (!running)
		return __real_recvfrom(fd, p, n, flags, sa, len);
	if (!blocking(fd, flags))
		return __real_recvfrom(fd, p, n, flags, sa, len);
	r = __real_recvfrom(fd, p, n, flags | MSG_DONTWAIT, sa, len);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return fake_eintr();
	return r;
}

/* Is a an address of loopback, or the wildcard (*any set then)? */
static int
loopback(const struct sockaddr *a, int *any)
{
	const struct sockaddr_in	*s4 = (const void *)a;
	const struct sockaddr_in6	*s6 = (const void *)a;
	const uint8_t			*b;

	*any = 0;
	if (a->sa_family == AF_INET) {
		if (s4->sin_addr.s_addr == htonl(INADDR_ANY))
			*any = 1;
		return *any || (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	b = s6->sin6_addr.s6_addr;
	if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
		*any = 1;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		return b[12] == 127;
	return *any || IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr);
}

/*
 * libFuzzer's report of a crash or a timeout is written while the input
 * runs, through the same wrapped calls: where it goes (run.sh's
 * -artifact_prefix, given again in SOCKREPL_FUZZ_ARTIFACTS) must pass.
 */
static int
artifact(const char *p)
{
	static const char *const kinds[] = { "crash-", "timeout-", "leak-",
	    "oom-", "slow-unit-", NULL };
	const char	*a = getenv("SOCKREPL_FUZZ_ARTIFACTS");
	size_t		 n;
	int		 i;

	if (a == NULL || *a == '\0' || strncmp(p, a, (n = strlen(a))) != 0)
		return 0;
	for (i = 0; kinds[i] != NULL; i++)
		if (strncmp(p + n, kinds[i], strlen(kinds[i])) == 0)
			return strchr(p + n, '/') == NULL;
	return 0;
}

/* A path the fuzzer may use: relative or in dir, never "..". */
static int
path_ok(const char *p)
{
	size_t	n = strlen(dir);

	if (strstr(p, "..") != NULL)
		return 0;
	if (artifact(p))
		return 1;
	return p[0] != '/' || (strncmp(p, dir, n) == 0 && p[n] == '/');
}

static int
unix_ok(const struct sockaddr *a, socklen_t len)
{
	const struct sockaddr_un	*u = (const void *)a;
	char				 p[sizeof u->sun_path + 1];
	size_t				 n;

	if (len <= offsetof(struct sockaddr_un, sun_path) ||
	    u->sun_path[0] == '\0')
		return 1;	/* unnamed or abstract */
	n = len - offsetof(struct sockaddr_un, sun_path);
	if (n > sizeof u->sun_path)
		n = sizeof u->sun_path;
	memcpy(p, u->sun_path, n);
	p[n] = '\0';
	return path_ok(p);
}

/*
 * May the input talk to address a? Only if one of its own sockets holds
 * it: the same family, port (or path) and a loopback address.
 */
static int
reachable(const struct sockaddr *a, socklen_t len)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	int			 fd, any, oany;

	if (a == NULL || a->sa_family == AF_UNSPEC)
		return 1;
	if (a->sa_family != AF_INET && a->sa_family != AF_INET6 &&
	    a->sa_family != AF_UNIX)
		return 0;
	if (a->sa_family != AF_UNIX && (!loopback(a, &any) || any))
		return 0;
	for (fd = sock_first(); fd >= 0; fd = sock_next(fd)) {
		sl = sizeof ss;
		memset(&ss, 0, sizeof ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
		    ss.ss_family != a->sa_family)
			continue;
		if (a->sa_family == AF_UNIX) {
			if (sl == len && memcmp(&ss, a, len) == 0 &&
			    sl > offsetof(struct sockaddr_un, sun_path))
				return 1;
			continue;
		}
		if (addr_port((struct sockaddr *)&ss) != addr_port(a) ||
		    addr_port(a) == 0 || !loopback((struct sockaddr *)&ss,
		    &oany))
			continue;
		if (oany)
			return 1;
		if (a->sa_family == AF_INET && memcmp(&((struct sockaddr_in *)
		    &ss)->sin_addr, &((const struct sockaddr_in *)a)->sin_addr,
		    4) == 0)
			return 1;
		if (a->sa_family == AF_INET6 && memcmp(&((struct sockaddr_in6 *)
		    &ss)->sin6_addr, &((const struct sockaddr_in6 *)a)->
		    sin6_addr, 16) == 0)
			return 1;
	}
	return 0;
}

ssize_t
__wrap_send(int fd, const void *p, size_t n, int flags)
{
	ssize_t	r;

	if (!running)
		return __real_send(fd, p, n, flags);
	if (!blocking(fd, flags))
		return __real_send(fd, p, n, flags);
	r = __real_send(fd, p, n, flags | MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return fake_eintr();
	return r;
}

ssize_t
__wrap_sendto(int fd, const void *p, size_t n, int flags,
    const struct sockaddr *a, socklen_t len)
{
	ssize_t	r;

	if (!running)
		return __real_sendto(fd, p, n, flags, a, len);
	if (!reachable(a, len)) {
		errno = ECONNREFUSED;
		return -1;
	}
	if (!blocking(fd, flags))
		return __real_sendto(fd, p, n, flags, a, len);
	r = __real_sendto(fd, p, n, flags | MSG_DONTWAIT, a, len);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return fake_eintr();
	return r;
}

ssize_t
__wrap_recvmsg(int fd, struct msghdr *m, int flags)
{
	ssize_t	r;

	if (!running || !blocking(fd, flags))
		return __real_recvmsg(fd, m, flags);
	r = __real_recvmsg(fd, m, flags | MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return fake_eintr();
	return r;
}

ssize_t
__wrap_sendmsg(int fd, const struct msghdr *m, int flags)
{
	ssize_t	r;

	if (!running)
		return __real_sendmsg(fd, m, flags);
	if (m->msg_name != NULL && !reachable(m->msg_name, m->msg_namelen)) {
		errno = ECONNREFUSED;
		return -1;
	}
	if (!blocking(fd, flags))
		return __real_sendmsg(fd, m, flags);
	r = __real_sendmsg(fd, m, flags | MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return fake_eintr();
	return r;
}

/* Would fd's accept block? Then the Ctrl-C comes. */
static int
accept_blocks(int fd)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };

	return blocking(fd, 0) && __real_poll(&pfd, 1, 0) == 0;
}

int
__wrap_accept(int fd, struct sockaddr *a, socklen_t *len)
{
	if (!running)
		return __real_accept(fd, a, len);
	if (accept_blocks(fd))
		return fake_eintr();
	return __real_accept(fd, a, len);
}

int
__wrap_accept4(int fd, struct sockaddr *a, socklen_t *len, int flags)
{
	if (!running)
		return __real_accept4(fd, a, len, flags);
	if (accept_blocks(fd))
		return fake_eintr();
	return __real_accept4(fd, a, len, flags);
}

/*
 * A blocking connect is made non-blocking and given a few milliseconds,
 * loopback's handshake is quicker; if it is not done by then, the Ctrl-C
 * came and the connection goes on behind, as after a real EINTR.
 */
int
__wrap_connect(int fd, const struct sockaddr *a, socklen_t len)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLOUT };
	socklen_t	sl = sizeof(int);
	int		fl, r, e, soerr;

	if (!running)
		return __real_connect(fd, a, len);
	if (!reachable(a, len)) {
		errno = ECONNREFUSED;
		return -1;
	}
	if (!blocking(fd, 0))
		return __real_connect(fd, a, len);
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	r = __real_connect(fd, a, len);
	e = errno;
	if (r < 0 && e == EINPROGRESS) {
		if (__real_poll(&pfd, 1, 5) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0) {
			r = soerr == 0 ? 0 : -1;
			e = soerr;
		} else {
			fcntl(fd, F_SETFL, fl);
			return fake_eintr();
		}
	}
	fcntl(fd, F_SETFL, fl);
	errno = e;
	return r;
}

int
__wrap_bind(int fd, const struct sockaddr *a, socklen_t len)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	int			 any;

	if (!running)
		return __real_bind(fd, a, len);
	if (a == NULL || len > sizeof ss)
		return __real_bind(fd, a, len);
	if (a->sa_family == AF_UNIX && !unix_ok(a, len)) {
		errno = EACCES;
		return -1;
	}
	if ((a->sa_family != AF_INET || len < sizeof *s4) &&
	    (a->sa_family != AF_INET6 || len < sizeof *s6))
		return __real_bind(fd, a, len);
	if (!loopback(a, &any)) {
		errno = EADDRNOTAVAIL;
		return -1;
	}
	memcpy(&ss, a, len);
	if (any && a->sa_family == AF_INET)
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (any)
		s6->sin6_addr = in6addr_loopback;
	return __real_bind(fd, (struct sockaddr *)&ss, len);
}

int
__wrap_socket(int family, int type, int proto)
{
	int	t = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (!running)
		return __real_socket(family, type, proto);
	if (family == AF_NETLINK && proto == 4 /* NETLINK_SOCK_DIAG */)
		return __real_socket(family, type, proto);
	if (family != AF_INET && family != AF_INET6 && family != AF_UNIX) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (t != SOCK_STREAM && t != SOCK_DGRAM && t != SOCK_SEQPACKET) {
		errno = EPERM;
		return -1;
	}
	return __real_socket(family, type, proto);
}

/* A wait with no end is interrupted; one with a timeout times out now. */
int
__wrap_ppoll(struct pollfd *pfd, nfds_t n, const struct timespec *ts,
    const sigset_t *mask)
{
	struct timespec	zero = { 0, 0 };
	int		r;

	if (!running)
		return __real_ppoll(pfd, n, ts, mask);
	r = __real_ppoll(pfd, n, &zero, mask);
	if (r == 0 && ts == NULL)
		return fake_eintr();
	return r;
}

int
__wrap_poll(struct pollfd *pfd, nfds_t n, int ms)
{
	int	r;

	if (!running)
		return __real_poll(pfd, n, ms);
	r = __real_poll(pfd, n, 0);
	if (r == 0 && ms < 0)
		return fake_eintr();
	return r;
}

int
__wrap_nanosleep(const struct timespec *ts, struct timespec *rem)
{
	if (!running)
		return __real_nanosleep(ts, rem);
	if (rem != NULL)
		rem->tv_sec = rem->tv_nsec = 0;
	return 0;
}

int
__wrap_open(const char *path, int flags, ...)
{
	va_list	ap;
	int	mode = 0;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	if (running && !path_ok(path)) {
		errno = EACCES;
		return -1;
	}
	return __real_open(path, flags, mode);
}

FILE *
__wrap_fopen(const char *path, const char *mode)
{
	if (!running)
		return __real_fopen(path, mode);
	if (!path_ok(path)) {
		errno = EACCES;
		return NULL;
	}
	return __real_fopen(path, mode);
}

int
__wrap_getaddrinfo(const char *node, const char *serv,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo	h = { 0 };

	if (!running)
		return __real_getaddrinfo(node, serv, hints, res);
	if (hints != NULL)
		h = *hints;
	if (node != NULL && strcmp(node, "localhost") != 0 &&
	    strcmp(node, "ip6-localhost") != 0)
		h.ai_flags |= AI_NUMERICHOST;
	/* Service names come from /etc/services: a file, no network. */
	return __real_getaddrinfo(node, serv, &h, res);
}

#if FEATURE_TLS
/*
 * OpenSSL reads and writes the socket itself, inside libcrypto where
 * --wrap does not reach: its calls on the socket are wrapped instead. A
 * blocking socket is made non-blocking for the call; if the call would
 * have waited (SSL_ERROR_WANT_READ or _WRITE), errno says EINTR and
 * interrupted is set, as when a Ctrl-C stops a real read(2) inside
 * OpenSSL. The files it reads (certificates, keys, CAs) must pass path_ok.
 */
int	__real_SSL_connect(SSL *);
int	__real_SSL_accept(SSL *);
int	__real_SSL_shutdown(SSL *);
int	__real_SSL_read(SSL *, void *, int);
int	__real_SSL_peek(SSL *, void *, int);
int	__real_SSL_write(SSL *, const void *, int);
int	__real_SSL_CTX_use_certificate_chain_file(SSL_CTX *, const char *);
int	__real_SSL_CTX_use_PrivateKey_file(SSL_CTX *, const char *, int);
int	__real_SSL_CTX_load_verify_locations(SSL_CTX *, const char *,
	    const char *);

int	__wrap_SSL_connect(SSL *);
int	__wrap_SSL_accept(SSL *);
int	__wrap_SSL_shutdown(SSL *);
int	__wrap_SSL_read(SSL *, void *, int);
int	__wrap_SSL_peek(SSL *, void *, int);
int	__wrap_SSL_write(SSL *, const void *, int);
int	__wrap_SSL_CTX_use_certificate_chain_file(SSL_CTX *, const char *);
int	__wrap_SSL_CTX_use_PrivateKey_file(SSL_CTX *, const char *, int);
int	__wrap_SSL_CTX_load_verify_locations(SSL_CTX *, const char *,
	    const char *);

/* Before an OpenSSL call on ssl's socket: its flags to put back, or -1. */
static int
ssl_begin(SSL *ssl)
{
	int	fd, fl;

	if (!running || (fd = SSL_get_fd(ssl)) < 0 ||
	    (fl = fcntl(fd, F_GETFL)) < 0 || (fl & O_NONBLOCK))
		return -1;
	if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
		return -1;
	return fl;
}

/* After it: ret as it is, errno EINTR if a blocking call would wait. */
static int
ssl_end(SSL *ssl, int fl, int ret)
{
	int	e = errno, err;

	if (fl < 0)
		return ret;
	(void)fcntl(SSL_get_fd(ssl), F_SETFL, fl);
	if (ret <= 0 && ((err = SSL_get_error(ssl, ret)) ==
	    SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)) {
		interrupted = 1;
		e = EINTR;
	}
	errno = e;
	return ret;
}

int
__wrap_SSL_connect(SSL *ssl)
{
	int	fl = ssl_begin(ssl);

	return ssl_end(ssl, fl, __real_SSL_connect(ssl));
}

int
__wrap_SSL_accept(SSL *ssl)
{
	int	fl = ssl_begin(ssl);

	return ssl_end(ssl, fl, __real_SSL_accept(ssl));
}

int
__wrap_SSL_shutdown(SSL *ssl)
{
	int	fl = ssl_begin(ssl);

	return ssl_end(ssl, fl, __real_SSL_shutdown(ssl));
}

int
__wrap_SSL_read(SSL *ssl, void *p, int n)
{
	int	fl = ssl_begin(ssl);

	return ssl_end(ssl, fl, __real_SSL_read(ssl, p, n));
}

int
__wrap_SSL_peek(SSL *ssl, void *p, int n)
{
	int	fl = ssl_begin(ssl);

	return ssl_end(ssl, fl, __real_SSL_peek(ssl, p, n));
}

int
__wrap_SSL_write(SSL *ssl, const void *p, int n)
{
	int	fl = ssl_begin(ssl);

	return ssl_end(ssl, fl, __real_SSL_write(ssl, p, n));
}

int
__wrap_SSL_CTX_use_certificate_chain_file(SSL_CTX *ctx, const char *f)
{
	if (running && !path_ok(f))
		return 0;
	return __real_SSL_CTX_use_certificate_chain_file(ctx, f);
}

int
__wrap_SSL_CTX_use_PrivateKey_file(SSL_CTX *ctx, const char *f, int type)
{
	if (running && !path_ok(f))
		return 0;
	return __real_SSL_CTX_use_PrivateKey_file(ctx, f, type);
}

int
__wrap_SSL_CTX_load_verify_locations(SSL_CTX *ctx, const char *f,
    const char *d)
{
	if (running && ((f != NULL && !path_ok(f)) ||
	    (d != NULL && !path_ok(d))))
		return 0;
	return __real_SSL_CTX_load_verify_locations(ctx, f, d);
}
#endif

#if FEATURE_PCAP
/*
 * Capturing would see every program's packets on lo (and needs
 * CAP_NET_RAW): wire on fails at pcap_create, as where there is no
 * device to capture on, so its arguments and its failure are what is
 * fuzzed. (A handle made but never activated would keep an eventfd open
 * after pcap_close: libpcap frees it in its activation's cleanup.)
 */
pcap_t	*__wrap_pcap_create(const char *, char *);

pcap_t *
__wrap_pcap_create(const char *dev, char *ebuf)
{
	(void)dev;
	snprintf(ebuf, PCAP_ERRBUF_SIZE, "no capture while fuzzing");
	return NULL;
}
#endif

/* ---- the target ---- */

/* Empty dir of what the last input left there. */
static void
clean_dir(void)
{
	DIR		*d;
	struct dirent	*e;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			(void)unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

static void
remove_dir(void)
{
	clean_dir();
	if (own_dir)
		(void)rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*d = getenv("SOCKREPL_FUZZ_DIR"), *t;
	struct sigaction sa;

	(void)argc;
	(void)argv;
	if (d != NULL && *d != '\0')
		snprintf(dir, sizeof dir, "%s", d);
	else {
		t = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/sockrepl-fuzz.XXXXXX",
		    t != NULL && *t != '\0' ? t : "/tmp");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			exit(1);
		}
		own_dir = 1;
		atexit(remove_dir);
	}
	if (chdir(dir) != 0) {
		perror(dir);
		exit(1);
	}
	setenv("HOME", dir, 1);
	setenv("XDG_STATE_HOME", dir, 1);
	/*
	 * The program's output goes nowhere, but is formatted all the same;
	 * fd 2 stays for the sanitizers' reports. SOCKREPL_FUZZ_SHOW set: it
	 * is shown, to read what an input replayed does.
	 */
	if ((t = getenv("SOCKREPL_FUZZ_SHOW")) == NULL || *t == '\0') {
		if ((stdout = __real_fopen("/dev/null", "w")) == NULL ||
		    (stderr = __real_fopen("/dev/null", "w")) == NULL)
			exit(1);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sess.source = "fuzz";
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct words	 w = { 0 };
	struct buf	 err = { 0 };
	const char	*p = (const char *)data, *end = p + size, *nl;
	enum cmd_retval	 r = CMD_OK;
	int		 i;

	/* The tokenizer alone, on the bytes as they are (NULs too). */
	if (lex_line(p, size, &w, &err) == 0) {
		for (i = 0; i < w.n; i++)
			if (w.v[i].s[w.v[i].len] != '\0')
				abort();
	}
	words_free(&w);
	buf_free(&err);

	/* Then the input as a script, a line at a time. */
	running = 1;
	sess.lineno = 0;
	while (p < end && r != CMD_QUIT) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		sess.lineno++;
		if (nl - p <= MAX_LINE)
			r = cmd_run_line(p, (size_t)(nl - p));
		/* As at the prompt: after a Ctrl-C the session goes on. */
		interrupted = 0;
		p = nl + 1;
	}

	call_close_all();
	sock_close_all();
	set_current(-1);
	outcome_reset();
	buf_free(&sess.last.data);
	log_free();
	diagram_free();
	vars_free();
	data_format = FMT_AUTO;
	running = 0;
	clean_dir();
	return 0;
}
