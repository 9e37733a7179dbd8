/*
 * sockrepl: type the BSD socket API, one call per command.
 *
 * One header for the program's shared types, as tmux.h does: the pieces are
 * small and talk to each other through these few structures.
 */
#ifndef SOCKREPL_H
#define SOCKREPL_H

#include <sys/types.h>
#include <sys/socket.h>

#include <sys/time.h>
#include <netinet/in.h>

#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* The one version is the Makefile's VERSION, passed in by the build. */
#ifndef SOCKREPL_VERSION
#error "SOCKREPL_VERSION is not defined: build with make"
#endif

/* Longest input line accepted; longer lines are an error for that line. */
/* Optional parts, as the Makefile found them (make TLS=no, PCAP=no). */
#ifdef HAVE_TLS
#define FEATURE_TLS	1
#else
#define FEATURE_TLS	0
#endif
#ifdef HAVE_PCAP
#define FEATURE_PCAP	1
#else
#define FEATURE_PCAP	0
#endif

#define MAX_LINE	65536
/* Largest buffer a single recv may ask for. */
#define MAX_RECV	(16 * 1024 * 1024)
/*
 * Most bytes a variable may hold, a line may have once its $variables are
 * expanded, and all the variables together: user input must never be able
 * to take all the memory there is.
 */
#define VAR_MAX		(1024 * 1024)
#define EXPAND_MAX	(4 * 1024 * 1024)
#define VARS_TOTAL_MAX	(64 * 1024 * 1024)
/* Default recv buffer size when none is given. */
#define DEFAULT_RECV	65536

/* ---- growable byte buffer (buf.c) ---- */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addc(struct buf *, char);
void	 buf_adds(struct buf *, const char *);
void	 buf_addnum(struct buf *, long long);
char	*buf_room(struct buf *, size_t);
void	 buf_commit(struct buf *, size_t);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
const char *buf_str(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_free(struct buf *);
void	 nomem(void) __attribute__((noreturn));

/* ---- words of a command line (lex.c) ---- */
struct word {
	char	*s;		/* bytes, NUL-terminated for convenience */
	size_t	 len;		/* real length: data may hold NULs */
	int	 quoted;	/* came from "..." or '...' */
	size_t	 off;		/* where s is in its words' store */
};
struct words {
	struct word	*v;
	int		 n;
	int		 cap;
	struct buf	 store;	/* every word's bytes */
};
int	 lex_line(const char *, size_t, struct words *, struct buf *);
typedef int (*lex_lookup_fn)(const char *, struct buf *, struct buf *);
int	 lex_expand(const char *, size_t, struct words *, struct buf *,
	    lex_lookup_fn);
void	 words_push(struct words *, const void *, size_t, int);
void	 words_reset(struct words *);
void	 words_free(struct words *);
int	 unescape(const char *, size_t, struct buf *, struct buf *);
int	 hex_value(int);
void	 escape_bytes(struct buf *, const void *, size_t);
const char *printable(const char *);

/* ---- numbers (num.c) ---- */
long long num_parse(const char *, long long, long long, const char **);
int	 parse_int(const char *, long long, long long, const char *,
	    long long *);
int	 parse_seconds(const char *, const char *, double *);
int	 parse_bool(const char *, int *);

/* ---- addresses (addr.c) ---- */
struct addrinfo;
/*
 * How addr_parse looks up a host or service name: getaddrinfo(3) unless the
 * program sets it (to call_lookup, so the lookup is traced where it happens).
 */
typedef int (*addr_lookup_fn)(const char *, const char *,
    const struct addrinfo *, struct addrinfo **);
extern addr_lookup_fn addr_lookup;
int	 addr_name_parts(struct word *, int, char **, char **);
struct addr {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
};
int	 addr_parse(int, int, struct word *, int, int, struct addr *,
	    struct buf *);
int	 addr_words(struct word *, int);
void	 addr_format(struct buf *, const struct sockaddr *, socklen_t);
void	 addr_format_short(struct buf *, const struct sockaddr *, socklen_t);
int	 addr_port(const struct sockaddr *);
int	 addr_of_socket(int, int, struct addr *);

/* ---- symbolic names (names.c) ---- */
struct name {
	const char	*name;
	int		 value;
};
extern const struct name family_names[];
extern const struct name type_names[];
extern const struct name proto_names[];
extern const struct name level_names[];
extern const struct name msgflag_names[];
extern const struct name shut_names[];
extern const struct name ai_flag_names[];
extern const struct name ni_flag_names[];
extern const struct name epoll_names[];
extern const struct name epoll_words[];
extern const struct name epoll_op_names[];
extern const struct name epoll_op_words[];
extern const struct name type_words[];
extern const struct name proto_words[];
extern const struct name family_words[];
extern const struct name how_words[];
extern const struct name bool_words[];
extern const char *const help_topics[];
const char *name_of(const struct name *, int);
void	 flags_format(struct buf *, const struct name *, int);
int	 flags_parse(const struct name *, const char *, int *);
int	 msgflags_parse(const char *, int *);
/*
 * getaddrinfo's and getnameinfo's errors (EAI_*) are kept where an errno
 * would be as EAI_ERRBASE - code, apart from every errno: errno_name gives
 * "EAI_NONAME", err_text its text, expect error EAI_NONAME matches it.
 */
#define EAI_ERRBASE	1000
#define EAI_ERR(code)	(EAI_ERRBASE - (code))
#define IS_EAI_ERR(e)	((e) > EAI_ERRBASE)
const char *err_text(int);
const char *errno_name(int);
int	 errno_by_name(const char *);

/* Socket options known by name; see names.c. */
enum optkind {
	OPT_BOOL,
	OPT_INT,
	OPT_LINGER,
	OPT_TIMEVAL,
	OPT_ERRNO,	/* read-only, shown as an errno name */
	OPT_SOCKTYPE,	/* read-only, shown as SOCK_* */
	OPT_FAMILY,	/* read-only, shown as AF_* */
	OPT_PROTO,	/* read-only, shown as IPPROTO_* */
	OPT_STRING,	/* a name: SO_BINDTODEVICE, TCP_CONGESTION */
	OPT_UCRED,	/* read-only struct ucred: SO_PEERCRED */
	OPT_MREQ,	/* GROUP [IFADDR|IFNAME]: struct ip_mreq(n) */
	OPT_MREQ6,	/* GROUP [IFNAME]: struct ipv6_mreq */
	OPT_INADDR,	/* an IPv4 address: IP_MULTICAST_IF */
	OPT_IFINDEX,	/* an interface by name or index */
	OPT_RAW,	/* by number: an int, or bytes */
	OPT_TCPINFO,	/* read-only struct tcp_info (tcpinfo.c) */
	OPT_MEMINFO,	/* read-only SK_MEMINFO_* counters */
};
struct sockopt {
	const char	*name;
	int		 level;
	int		 optname;
	enum optkind	 kind;
	int		 readonly;
	const char	*what;
};
extern const struct sockopt sockopts[];
/* An option given by LEVEL and number that the table lacks (call_rec arg,
   arg2 hold its level and number). */
extern const struct sockopt sockopt_raw;
const struct sockopt *sockopt_find(const char *);
const struct sockopt *sockopt_by_number(int, int);
extern const struct name level_words[];

/* ---- the socket table (table.c) ---- */
enum sock_state {
	ST_NEW,		/* created, nothing done yet */
	ST_BOUND,
	ST_LISTENING,
	ST_CONNECTING,	/* non-blocking connect in progress */
	ST_CONNECTED,
	ST_CLOSED_PEER,	/* recv saw EOF */
	ST_FAILED,	/* a fatal error such as ECONNRESET was seen */
};
/* What an entry of the table is (struct sock's kind). */
enum sock_kind {
	SK_SOCKET,	/* a socket: everything but what follows */
	SK_EPOLL,	/* an epoll instance (epoll_create) */
};
struct sock {
	int		 fd;
	int		 family;
	int		 type;
	int		 protocol;
	enum sock_state	 state;
	int		 shut_rd;
	int		 shut_wr;
	int		 nonblock;	/* O_NONBLOCK is set on the fd */
	double		 timeout;	/* seconds; < 0 means none */
	int		 parent;	/* listener it came from, or -1 */
	uint64_t	 parent_seq;	/* its seq: the fd may be reused */
	int		 errnum;	/* last fatal error seen, for list */
	uint64_t	 bytes_in;
	uint64_t	 bytes_out;
	uint64_t	 seq;		/* creation order, for stable listing */
	/* What the prompt has announced about the socket (events.c). */
	int		 ev_armed;	/* epoll events registered, 0: none */
	int		 ev_said;	/* EVS_* conditions already announced */
	uint64_t	 ev_mark;	/* bytes_in + bytes waiting, when last
					   announced: more than that is news */
	struct rbuf	*rbuf;		/* bytes read past a line (rbuf.c) */
	uint64_t	 ino;		/* the socket's inode: how sock_diag
					   names it (kernel.c) */
	int		 ev_queue;	/* connections waiting, last told */
	enum sock_kind	 kind;
	char		*host;		/* the host name connect was given, for
					   starttls's SNI, or NULL */
	struct tls	*tls;		/* after starttls: send and recv go
					   through TLS (tls.c), else NULL */
	struct addr	 from;		/* sender of this socket's last
					   recvfrom, sendto's reply address
					   (len 0: none yet) */
};
struct sock	*sock_get(int);
struct sock	*sock_add(int, int, int, int);
void		 sock_remove(int);
int		 sock_first(void);
int		 sock_next(int);
int		 sock_count(void);
void		 sock_close_all(void);
int		 fd_move_high(int);
struct sock	*sock_parent(const struct sock *);
void		 sock_note_error(struct sock *, int);
const char	*sock_state_name(const struct sock *);
const char	*sock_type_short(int, int);
const char	*sock_family_short(int);
const char	*sock_kind(const struct sock *);

/*
 * ---- the kernel's view (tcpinfo.c, kernel.c) ----
 *
 * What the kernel says of sockets: TCP_INFO decoded, and one sock_diag
 * dump per kind of socket (as ss(8) reads them), kept by inode.
 */
const char	*tcp_state_name(int);
const char	*tcp_state_meaning(int);
void		 tcpinfo_brief(struct buf *, const void *, size_t);
void		 tcpinfo_fields(const void *, size_t);
struct kstate {
	uint64_t	 ino;		/* 0: none (a TIME_WAIT socket) */
	int		 family;
	int		 protocol;	/* IPPROTO_TCP, IPPROTO_UDP, 0 (unix) */
	int		 state;		/* TCP_* as the kernel numbers them */
	uint32_t	 rqueue;	/* listener: connections waiting */
	uint32_t	 wqueue;	/* listener: the backlog */
	uint64_t	 peer_ino;	/* unix: the peer's inode */
	struct addr	 local;
	struct addr	 peer;
};
/* What kernel_load reads: one dump for each kind asked for. */
#define KV_TCP4		0x01
#define KV_TCP6		0x02
#define KV_UDP4		0x04
#define KV_UDP6		0x08
#define KV_UNIX		0x10
#define KV_TIMEWAIT	0x20	/* TCP's TIME_WAIT too (closed connections) */
#define KV_TCP		(KV_TCP4 | KV_TCP6)
#define KV_UDP		(KV_UDP4 | KV_UDP6)
int		 kernel_load(int);
const struct kstate *kernel_find(uint64_t);
const struct kstate *kernel_find_tuple(const struct addr *,
		    const struct addr *);
void		 kernel_forget(void);
uint64_t	 sock_inode(int);
void		 kernel_closed_note(struct sock *);
int		 kernel_closed_any(void);
int		 kernel_closed_rows(int (*)(const struct kstate *, void *),
		    void *);
int		 kernel_closed_news(struct buf *);
extern const struct cmd_entry cmd_info_entry;
void		 hint_connect_timeout(const struct addr *);
void		 hint_accept_timeout(struct sock *);
void		 hint_accept_elsewhere(struct sock *);

/* ---- output (out.c) ---- */
struct options {
	int	 interactive;	/* stdin is a terminal */
	int	 quiet;		/* -q: results only, no trace */
	int	 verbose;	/* -v: calls made behind the user's back too */
	int	 no_color;	/* --no-color */
};
extern struct options opt;

void	 result(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 diag(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 diag_cmd(const char *, ...) __attribute__((format(printf, 1, 2)));

/* How received data is shown: the format command and recv -f (out.c). */
enum data_format {
	FMT_AUTO,	/* escaped text if it reads as text, else a hexdump */
	FMT_TEXT,	/* always escaped text */
	FMT_HEX,	/* always a hexdump */
	FMT_RAW,	/* the bytes as they are, only when stdout is no tty */
};
extern enum data_format data_format;
extern const struct name format_names[];
void	 show_data_fmt(const char *, const char *, const void *, size_t,
	    enum data_format);
void	 hexdump_line(struct buf *, char, size_t, const unsigned char *,
	    size_t);
void	 data_arg(struct buf *, const void *, size_t);
int	 data_is_text(const void *, size_t);
void	 out_flush(void);
int	 out_save(const char *, struct buf *, const char *);
void	 out_flush_wait(int, short);
void	 out_check(void);
int	 out_pending(void);
void	 out_flush_now(void);
void	 out_end(void);

/* ---- colour at the prompt (color.c) ---- */
enum color {
	C_RESET,
	C_TRACE,	/* the call trace: dim */
	C_SENT,		/* data we sent */
	C_RECV,		/* data we received */
	C_ERROR,	/* diagnostics */
	C_EVENT,	/* live socket notices */
	C_PROMPT,
};
extern int color_on;
void	 color_init(void);
const char *color(enum color);
const char *color_err(enum color);

/*
 * The outcome of the last command (out.c records it): what its last system
 * call returned and the errno of a failure, and the bytes the last receive
 * returned. Scripts read it through variables and expect.
 */
struct outcome {
	long		 ret;		/* last call's return value */
	int		 err;		/* errno of the last failure, or 0 */
	int		 have_data;	/* a receive has happened */
	uint64_t	 received;	/* bytes it returned (data may hold
					   only the last of them) */
	struct buf	 data;		/* what the last receive returned */
	uint64_t	 nrecv;		/* receives kept so far: -> NAME
					   knows its command received */
	struct addr	 from;		/* recvfrom's last sender: $from
					   (len 0: none yet) */
	int		 called;	/* the command made a call: ret is
					   one's return value */
};
void	 outcome_reset(void);
void	 outcome_errno_value(void);

/*
 * The session's state, in one place as sqlite's shell keeps its ShellState:
 * where input comes from, the command running, what the last one did and
 * whether anything has failed.
 */
struct session {
	const char	*source;	/* script name for messages, or NULL */
	long		 lineno;	/* current input line, for messages */
	const char	*cmd;		/* the command running, or "" */
	struct outcome	 last;		/* what the last command did */
	int		 failed;	/* $status: the last command failed */
	int		 expect_caught;	/* expect checked a failure, held */
	int		 script_failed;	/* a failure counted: exit status 1 */
	int		 fail_expected;	/* the next line expects this command
					   to fail: its messages go to stdout,
					   marked (script.c) */
};
extern struct session sess;

/* ---- a socket's receive buffer (rbuf.c) ---- */
struct rbuf {
	char	*data;
	size_t	 off;	/* first unread byte */
	size_t	 len;	/* unread bytes from off */
	size_t	 cap;
};
size_t	 rbuf_len(const struct sock *);
const char *rbuf_peek(const struct sock *);
char	*rbuf_space(struct sock *, size_t);
void	 rbuf_commit(struct sock *, size_t);
void	 rbuf_consume(struct sock *, size_t);
void	 rbuf_free(struct rbuf *);

/* ---- data arguments and redirections (datain.c) ---- */
/* Read files and sockets this many bytes at a time. */
#define DATA_CHUNK	(256 * 1024)
int	 data_file_open(const char *, const char *, int);
char	*data_chunk(void);
struct redir {
	const char	*path;	/* NULL: to the screen */
	int		 append;	/* >> rather than > */
};
int	 data_hex(const char *, size_t, struct buf *, struct buf *);
int	 data_words(const char *, struct word *, int, struct buf *,
	    const char **);
int	 redir_take(const char *, struct word *, int *, struct redir *);
int	 capture_take(const char *, struct word *, int *,
	    const struct word **);
int	 format_take(const char *, struct word *, int, enum data_format *);
int	 msgflags_take(const char *, struct word *, int, int *);

/*
 * ---- the call layer (call.c) ----
 *
 * Every system call sockrepl makes on a user's socket goes through one
 * function here. Each makes the call, keeps errno, moves the socket's state
 * (call_transition, the state machine), fills a call_rec and hands it to the
 * observers: the trace printer (trace.c), the outcome behind $ret, $errno and
 * expect (outcome.c) and the session log that export reads (log.c). Handlers
 * parse arguments and run user-level loops; they never print a trace line
 * or write the outcome themselves.
 */
enum call_id {
	CALL_NONE,		/* none: never in a record */
	CALL_SOCKET,
	CALL_SOCKETPAIR,
	CALL_BIND,
	CALL_LISTEN,
	CALL_ACCEPT,
	CALL_CONNECT,
	CALL_SEND,
	CALL_SENDTO,
	CALL_RECV,
	CALL_RECVFROM,
	CALL_SETSOCKOPT,
	CALL_GETSOCKOPT,
	CALL_GETSOCKNAME,
	CALL_GETPEERNAME,
	CALL_SHUTDOWN,
	CALL_CLOSE,
	CALL_FCNTL,
	CALL_PPOLL,
	CALL_IOCTL,
	CALL_NANOSLEEP,
	CALL_SOCKDIAG,		/* a netlink sock_diag dump (kernel.c) */
	CALL_BUFFERED,		/* bytes served from sockrepl's buffer */
	CALL_SENDMSG,
	CALL_RECVMSG,
	CALL_GETADDRINFO,	/* names (call-names.c) */
	CALL_GETNAMEINFO,
	CALL_GETHOSTNAME,
	CALL_GETSERVBYNAME,
	CALL_GETSERVBYPORT,
	CALL_SELECT,		/* event loops (call-names.c) */
	CALL_EPOLL_CREATE,
	CALL_EPOLL_CTL,
	CALL_EPOLL_WAIT,
	CALL_SENDFILE,
	CALL_DUP,
	CALL_UNLINK,
	CALL_SSL_SETUP,		/* an OpenSSL call that sets up: the text
				   is in data (tls.c) */
	CALL_SSL_CONNECT,
	CALL_SSL_ACCEPT,
	CALL_SSL_SHUTDOWN,
	CALL__COUNT
};

/* How a call was made (call_rec.flags). */
#define CF_HIDDEN	0x01	/* one of a loop's many calls: counted, not
				   shown, unless it fails */
#define CF_BEHIND	0x02	/* behind the user's back ($port, list, the
				   prompt's notices): shown only with -v, and
				   neither the outcome nor exported */
#define CF_WAIT		0x04	/* ppoll made to honour a socket's timeout */
#define CF_NOTMADE	0x08	/* not made: a Ctrl-C came first; ret -1,
				   EINTR, nothing traced */
#define CF_CONNRESULT	0x10	/* getsockopt SO_ERROR asked how a connect
				   with a timeout ended */
#define CF_PEEKONLY	0x20	/* recv that moves no state (a notice's peek) */
#define CF_INSPECT	0x100	/* made by info to show the kernel's view:
				   traced, not exported */
#define CF_NOCALL	0x40	/* answered by sockrepl without a call (poll
				   on bytes already in its buffer) */
#define CF_RAWLEN	0x80	/* getsockopt of a length given: bytes */
#define CF_INADDR	0x200	/* getaddrinfo of a name typed in an
				   address (bind, connect, ...): its answers
				   shown on its line */
#define CF_TLS		0x4000	/* send or recv made through TLS: SSL_write,
				   SSL_read or SSL_peek (tls.c) */

/* How a receive's bytes are shown (call_rec.show). */
enum rec_show {
	SHOW_BLOCK,	/* recv, recvfrom: the data in the data format */
	SHOW_ARG,	/* recvline's calls: inline, as send shows its data */
	SHOW_FILE,	/* into a file: "buf" only */
};

/* The largest option value sockrepl sets or reads by number. */
#define OPTVAL_MAX	128
/* The most fds one message passes that sockrepl follows. */
#define RX_MAX		8

union optval {
	int		i;
	struct linger	l;
	struct timeval	tv;
	struct ucred	cred;
	struct ip_mreqn	mreq;		/* ip_mreq is its first 8 bytes */
	struct ipv6_mreq mreq6;
	struct in_addr	in;
	char		str[OPTVAL_MAX];
	unsigned char	raw[OPTVAL_MAX];
};

struct call_rec {
	enum call_id	 call;
	int		 flags;		/* CF_* */
	const char	*cmd;		/* the command that made it */
	int		 fd;		/* the socket, or -1 */
	uint64_t	 seq;		/* its identity in the table (fds are
					   reused); 0 for none */
	struct sock	 snap;		/* the socket after the call (rbuf
					   cleared); fd -1 if there is none */
	long		 ret;		/* what the call returned */
	int		 err;		/* errno when it failed, else 0 */
	double		 when;		/* seconds since start (monotonic) */

	/* Arguments and results, as the call has them. */
	int		 family;	/* socket, socketpair */
	int		 type;
	int		 protocol;
	int		 sv[2];		/* socketpair's fds */
	uint64_t	 sv_seq[2];
	uint64_t	 new_seq;	/* accept: the new socket's seq */
	struct addr	 addr;		/* bind, connect, sendto: the address
					   given; accept, recvfrom, get*name:
					   the one returned (len 0: none) */
	int		 arg;		/* listen: backlog; shutdown: how;
					   send/recv: MSG_ flags; fcntl: F_
					   command; ioctl: request */
	long		 arg2;		/* fcntl F_SETFL: the new flags; ioctl:
					   the value read */
	const char	*data;		/* send: bytes given; recv: the buffer */
	size_t		 len;		/* send: their length; recv: bufsize */
	enum rec_show	 show;		/* recv: how its bytes are shown */
	enum data_format fmt;		/* recv SHOW_BLOCK: the format */
	const struct sockopt *opt;	/* setsockopt, getsockopt */
	union optval	 val;
	socklen_t	 vallen;
	struct pollfd	*pfd;		/* ppoll */
	int		 nfds;
	int		 timeout_ms;	/* ppoll: -1 for none */
	struct timespec	 ts;		/* nanosleep */
	/* sendmsg, recvmsg: the control messages, and what came with them. */
	const void	*ctl;		/* sendmsg: given; recvmsg: filled */
	size_t		 ctllen;	/* msg_controllen (recvmsg: returned) */
	size_t		 ctlcap;	/* recvmsg: the room given */
	int		 mflags;	/* recvmsg: msg_flags returned */
	int		 nrx;		/* recvmsg: fds received (SCM_RIGHTS) */
	int		 rxfd[RX_MAX];
	uint64_t	 rxseq[RX_MAX];	/* their seqs in the table; 0: not a
					   socket */
	/*
	 * Strings, NUL-terminated, NULL for none: getaddrinfo's host and
	 * service; getnameinfo's, gethostname's and getservby*'s answers
	 * and arguments; sendfile's and unlink's path.
	 */
	const char	*text;
	const char	*text2;
	struct addrinfo	*ai;		/* getaddrinfo's results: the trace
					   only, never logged */
	int		 fd2;		/* epoll_ctl: the fd it adds; sendfile:
					   the file's fd */
	uint64_t	 seq2;		/* epoll_ctl: that fd's socket */
	/* OpenSSL calls (CF_TLS and CALL_SSL_*), tls.c. */
	int		 tls_err;	/* SSL_get_error's answer, 0: none */
	unsigned long	 tls_code;	/* the error queue's first code */
	long		 tls_ret;	/* what the call returned, when ret
					   says otherwise (an EOF taken for
					   a truncation) */
	long		 tls_verify;	/* handshake: SSL_get_verify_result */
};

typedef void (*call_observer)(const struct call_rec *);

ssize_t	 call_sendmsg(struct sock *, const void *, size_t, const void *,
	    size_t, int);
ssize_t	 call_recvmsg(struct sock *, void *, size_t, void *, size_t, int,
	    enum data_format);

/* The command whose calls are being made, for records and messages. */

int	 call_socket(int, int, int, struct sock **);
int	 call_socketpair(int, int, struct sock **, struct sock **);
int	 call_bind(struct sock *, const struct addr *);
int	 call_listen(struct sock *, int);
int	 call_accept(struct sock *, struct sock **);
int	 call_connect(struct sock *, const struct addr *);
ssize_t	 call_send(struct sock *, const void *, size_t, int,
	    const struct addr *, int);
ssize_t	 call_recv(struct sock *, void *, size_t, int, struct addr *,
	    enum rec_show, enum data_format, int);
void	 call_buffered(struct sock *, const void *, size_t, uint64_t,
	    enum rec_show, enum data_format);
void	 call_poll_answered(struct pollfd *, int, int);
void	 call_delivered(struct sock *, const void *, size_t);
size_t	 call_filled(const struct call_rec *);
int	 call_setsockopt(struct sock *, const struct sockopt *,
	    const union optval *, socklen_t);
int	 call_getsockopt(struct sock *, const struct sockopt *,
	    union optval *, socklen_t *, int);
int	 call_setsockopt_num(struct sock *, const struct sockopt *, int, int,
	    const union optval *, socklen_t);
int	 call_getsockopt_num(struct sock *, const struct sockopt *, int, int,
	    union optval *, socklen_t *, int);
int	 call_getname(struct sock *, int, struct addr *, int);
int	 call_shutdown(struct sock *, int);
int	 call_close(struct sock *);
void	 call_close_all(void);
int	 call_fcntl_getfl(struct sock *, int);
int	 call_fcntl_setfl(struct sock *, int, int);
int	 call_ppoll(struct pollfd *, int, int, int);
int	 call_ioctl_int(struct sock *, unsigned long, int *, int);
int	 call_getsockopt_buf(struct sock *, const struct sockopt *, void *,
	    socklen_t *, int);
void	 call_sockdiag(int, int, long, int);
int	 call_nanosleep(const struct timespec *);
/* Names, event loops and the rest (call-names.c). */
int	 call_getaddrinfo(const char *, const char *, const struct addrinfo *,
	    struct addrinfo **, int);
int	 call_lookup(const char *, const char *, const struct addrinfo *,
	    struct addrinfo **);
int	 call_getnameinfo(const struct addr *, int, char *, size_t, char *,
	    size_t);
int	 call_gethostname(char *, size_t);
int	 call_getservbyname(const char *, const char *, char *, size_t);
int	 call_getservbyport(int, const char *, char *, size_t, char *,
	    size_t);
int	 call_select(struct pollfd *, int, int);
int	 call_epoll_create(struct sock **);
int	 call_epoll_ctl(struct sock *, int, int, unsigned);
int	 call_epoll_wait(struct sock *, struct pollfd *, int, int);
long	 call_sendfile(struct sock *, int, const char *, long long *, size_t,
	    int);
int	 call_dup(struct sock *, struct sock **);
int	 call_unlink(const char *);
struct call_rec *call_rec_new(enum call_id, struct sock *, int);
void	 call_rec_done(struct call_rec *, struct sock *, long, int);
int	 call_interrupted(struct sock *, enum call_id, int);
void	 call_report(const struct call_rec *);
const struct call_rec *call_last(void);
void	 call_observe(const struct call_rec *);
/* For tls.c, the call layer's other half: a record, then its result. */
struct call_rec *call_rec_begin(enum call_id, struct sock *, int);
void	 call_rec_end(struct call_rec *, struct sock *, long, int);

/* The observers. */
void	 trace_observe(const struct call_rec *);
void	 outcome_observe(const struct call_rec *);
void	 log_observe(const struct call_rec *);
/* While set, trace lines go into this buffer (the prompt's notices). */
extern struct buf *trace_capture;
void	 trace_note(const char *, ...) __attribute__((format(printf, 1, 2)));
const char *call_name(enum call_id);

/*
 * ---- the session log (log.c) ----
 *
 * What export reads: one step per command run (its words as expanded, the
 * socket it ran on, how it ended) and the call records it made, in order.
 * The log is kept as a compact stream; log_expand lays it out in the arrays
 * below until log_release. Calls made behind the user's back are not
 * logged, nor the calls a loop hides (sendall's fourth and later) unless
 * one fails or ends the loop: the loop's words say what it did. The log
 * stops at 64 MiB (log_dropped counts the commands left out).
 */
struct log_step {
	const struct cmd_entry *cmd;
	int		 argc;
	size_t		 argv_off;	/* its words in the stream: log_words */
	uint64_t	 seq;		/* the socket it ran on, or 0 */
	int		 fd;		/* its fd then, or -1 */
	double		 timeout;	/* its timeout then: < 0 none */
	int		 status;	/* enum cmd_retval */
	long		 ret;		/* the outcome after it: $ret */
	int		 err;		/* $errno, 0 for none */
	size_t		 first;		/* its records: log_recs[first ..] */
	size_t		 nrecs;
};
struct log_rec {
	struct call_rec	 rec;		/* data and pfd point nowhere: use
					   log_rec_data, log_rec_pfd */
	size_t		 data_off;	/* (size_t)-1: data not kept */
	size_t		 pfd_off;
	size_t		 ctl_off;	/* sendmsg: log_rec_ctl */
	size_t		 text_off[2];	/* rec.text, rec.text2 */
};
extern struct log_step	*log_steps;
extern size_t		 log_nsteps;
extern struct log_rec	*log_recs;
extern size_t		 log_nrecs;
void	 log_begin(const struct cmd_entry *, const struct word *, int,
	    const struct sock *);
void	 log_end(int);
void	 log_expand(void);
void	 log_release(void);
void	 log_words(const struct log_step *, struct words *);
unsigned long log_dropped(void);
const char *log_rec_data(const struct log_rec *);
const struct pollfd *log_rec_pfd(const struct log_rec *);
const void *log_rec_ctl(const struct log_rec *);
/* Room for a sendmsg's control messages, aligned for struct cmsghdr. */
union ctlbuf {
	char		b[1024];
	struct cmsghdr	align;
};
size_t	 export_ctl(size_t, union ctlbuf *);
void	 log_free(void);

/* ---- what help says about calls and errors (help-calls.c, help-errno.c) */
void	 help_calls(const struct cmd_entry *);
int	 help_calls_returning(int, struct buf *);
void	 help_wrap_label(const char *, const char *, int);
int	 help_errno(const char *);
const char *help_errno_at(int);
void	 help_errors(void);

/* ---- the guided tour (cmd-tour.c, lesson.c, lesson.h) ---- */
extern const char *const tour_words[];
void	 tour_observe(const struct call_rec *);
void	 tour_after(void);
void	 tour_end(void);
/*
 * ---- the wire view (wire.c, wire-decode.c) and the diagram (diagram.c) ----
 *
 * wire on captures the session's packets on lo with libpcap and shows them
 * under the call that caused them; diagram draws the session as a ladder.
 */
#define WIRE_WITHOUT	"sockrepl was built without libpcap, so it cannot " \
	"show the wire (install libpcap-dev and build again with make " \
	"PCAP=auto)"
#define WIRE_SHOWN	20	/* payload bytes shown of a packet */
struct waddr {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 ip[16];
	uint16_t	 port;		/* host order */
};
struct wpkt {
	int		 family;
	int		 proto;		/* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 */
	struct waddr	 src, dst;
	uint8_t		 flags;		/* TCP */
	uint32_t	 seq, ack;
	uint16_t	 win;
	int		 wscale;	/* -1: no option */
	char		 opts[64];
	size_t		 paylen;	/* on the wire */
	const unsigned char *pay;
	size_t		 caplen;	/* of the payload, captured */
	int		 itype, icode;	/* ICMP */
	int		 quoted;	/* the error quotes a header: */
	int		 qproto;
	struct waddr	 qsrc, qdst;
};
extern int wire_on;
int	 wire_decode(const unsigned char *, size_t, struct wpkt *);
int	 waddr_eq(const struct waddr *, const struct waddr *);
void	 wire_flows_reset(void);
void	 wire_tcp_text(struct buf *, const struct wpkt *);
void	 wire_payload(struct buf *, const struct wpkt *);
int	 wire_start(struct buf *);
void	 wire_stop(int);
void	 wire_observe(const struct call_rec *);
void	 wire_before(void);
void	 wire_target(const struct addr *);
int	 wire_fd(void);
void	 wire_idle(struct buf *);
void	 wire_status(struct buf *);
void	 diagram_observe(const struct call_rec *);
void	 diagram_segment(uint64_t, const char *, uint64_t, const char *,
	    const char *);
enum diagram_form {
	DIAGRAM_TEXT,
	DIAGRAM_SVG,
	DIAGRAM_MERMAID,
};
extern const struct name diagram_forms[];
void	 diagram_write(struct buf *, enum diagram_form);
void	 diagram_free(void);
extern const struct cmd_entry cmd_wire_entry, cmd_diagram_entry;

/*
 * ---- TLS (tls.c: the OpenSSL calls, each a call record; cmd-tls.c) ----
 *
 * Built with FEATURE_TLS 0, tls.c is a small variant whose starttls and
 * tlsinfo say the program was built without TLS.
 */
struct tls_opts {
	int		 server;	/* -server: SSL_accept */
	int		 insecure;	/* -k: no verification */
	int		 selfsigned;	/* -server -selfsigned */
	const char	*servername;	/* SNI and the name checked */
	const char	*cafile;
	const char	*cert;
	const char	*key;
	const char	*alpn;		/* "h2,http/1.1" */
	int		 minver;	/* TLS1_2_VERSION..., 0: default */
	int		 maxver;
};
int	 tls_version_parse(const char *, int *);
int	 tls_start(struct sock *, const struct tls_opts *);
ssize_t	 tls_send(struct sock *, const void *, size_t, int, int);
ssize_t	 tls_recv(struct sock *, void *, size_t, int, enum rec_show,
	    enum data_format, int);
int	 tls_close_notify(struct sock *, int);
void	 tls_free(struct sock *);
size_t	 tls_pending(const struct sock *);
int	 tls_handshake_done(const struct sock *);
int	 tls_broken(const struct sock *);
int	 tls_waiting(struct sock *, int *);
int	 tls_info(struct sock *);
const char *tls_label(const struct sock *);
const char *tls_eof_words(const struct sock *);
void	 tls_call_args(struct buf *, const struct call_rec *);
void	 tls_call_ending(struct buf *, const struct call_rec *);
void	 tls_report(const struct call_rec *);
void	 tls_sniff(const struct call_rec *);
const char *tls_silent_eof(const struct sock *);
void	 tls_end(void);

/* ---- hints for errors (hints.c) ---- */
const char *errno_hint(const struct call_rec *, int);
const char *eai_hint(int);

/* ---- waiting and signals (wait.c) ---- */
extern volatile sig_atomic_t interrupted;
extern volatile sig_atomic_t terminating;
void	 signals_init(void);
void	 interrupt_sigs(sigset_t *);
const char *interrupt_name(void);
int	 wait_ready(struct sock *, short, enum call_id, int);
int	 wait_ready_quiet(struct sock *, short, enum call_id, int);
int	 set_nonblock(struct sock *, int);
int	 sleep_seconds(double);

/* ---- commands (cmd.c and cmd-*.c) ---- */
enum cmd_retval {
	CMD_OK,
	CMD_ERROR,
	CMD_QUIT,
};

/* What an argument is, for completion and help. */
enum arg_kind {
	ARG_NONE,
	ARG_WORD,
	ARG_FD,
	ARG_TYPE,
	ARG_FAMILY,
	ARG_SOCKOPT,
	ARG_MSGFLAG,
	ARG_BOOL,
	ARG_COMMAND,
	ARG_PATH,
	ARG_ADDR,
	ARG_DATA,
	ARG_NUMBER,
	ARG_HOW,
	ARG_TOUR,	/* tour's words (tour_words) */
	ARG_PROTO,
	ARG_DIAGRAM,	/* text, svg or mermaid */
	ARG_GAIHINT,	/* getaddrinfo: a family, a type or AI_ flags */
	ARG_NIFLAG,	/* getnameinfo's NI_ flags */
	ARG_EPOLLOP,	/* add, mod, del */
	ARG_EPOLLEV,	/* in,out,et,... */
	ARG_SERVEROPT,	/* create_server's family=, backlog=, ... */
	ARG_FDSET,	/* select: fds joined by commas, or - */
	ARG_TLSOPT,	/* starttls: an option, else a file or name */
};

#define CMD_NEEDSOCK	0x1	/* needs a current socket */
/*
 * The argument template: options the dispatcher takes off the words before
 * it counts what is left against minargs and maxargs.
 */
#define CMD_FORMAT	0x2	/* -f FORMAT first: ctx->fmt */
#define CMD_REDIR_OUT	0x4	/* > FILE or >> FILE last: ctx->redir */
#define CMD_CAPTURE	0x8	/* -> NAME last: ctx->capture */
#define CMD_MSGFLAGS	0x40	/* -m FLAGS first: ctx->msgflags */

/*
 * Where help lists a command, groups in this order; tests/t_docs.py holds
 * the man page's COMMANDS subsections to the same groups.
 */
enum cmd_group {
	GROUP_LIFE,		/* Life cycle */
	GROUP_DATA,		/* Data */
	GROUP_OPTIONS,		/* Options */
	GROUP_INSPECTION,	/* Inspection */
	GROUP_NAMES,		/* Names */
	GROUP_EVENTS,		/* Event loops */
	GROUP_SESSION,		/* Session */
	GROUP_SCRIPTING,	/* Scripting */
	GROUP__COUNT
};

struct cmd_ctx;
struct cmd_entry {
	const char	*name;
	const char	*alias;
	enum cmd_group	 group;
	int		 minargs;	/* arguments besides the template's */
	int		 maxargs;	/* -1: no limit */
	const char	*usage;		/* arguments only */
	const char	*summary;
	const char	*calls;		/* the C call(s) it maps to, or NULL */
	int		 flags;
	enum arg_kind	 args[4];	/* the last one repeats; counted after
					   the template's -f FORMAT */
	enum cmd_retval	 (*exec)(struct cmd_ctx *);
	const char	*help;		/* longer text for help CMD */
};

struct cmd_ctx {
	const struct cmd_entry	*entry;
	int			 argc;	/* the words the template left */
	struct word		*argv;
	struct sock		*sk;	/* current (or targeted) socket */
	enum data_format	 fmt;	/* CMD_FORMAT: -f, else data_format */
	struct redir		 redir;	/* CMD_REDIR_OUT: path NULL for none */
	const char		*capture; /* CMD_CAPTURE: the variable the
					   data goes into, or NULL */
	int			 msgflags; /* CMD_MSGFLAGS: -m, else 0 */
};

extern const struct cmd_entry *cmd_table[];
extern int current_fd;

const struct cmd_entry *cmd_find(const char *, int);
struct sock	*sock_arg(const char *, const char *);
int		 addr_arg(int, int, struct word *, int, int, struct addr *);
enum cmd_retval	 cmd_run_words(struct words *);
enum cmd_retval	 cmd_run_line(const char *, size_t);
void		 cmd_usage(const struct cmd_entry *);
void		 set_current(int);

/* Entries, one per command, defined beside their handlers. */
extern const struct cmd_entry cmd_socket_entry, cmd_socketpair_entry,
    cmd_bind_entry, cmd_listen_entry, cmd_accept_entry, cmd_connect_entry,
    cmd_connect_ex_entry, cmd_shutdown_entry, cmd_close_entry;
extern const struct cmd_entry cmd_send_entry, cmd_sendall_entry,
    cmd_sendto_entry, cmd_recv_entry, cmd_recvfrom_entry;
extern const struct cmd_entry cmd_sendline_entry, cmd_recvline_entry,
    cmd_recvuntil_entry, cmd_recvall_entry, cmd_newline_entry,
    cmd_format_entry;
extern const struct cmd_entry cmd_setblocking_entry, cmd_settimeout_entry,
    cmd_gettimeout_entry, cmd_setsockopt_entry, cmd_getsockopt_entry;
extern const struct cmd_entry cmd_getsockname_entry, cmd_getpeername_entry,
    cmd_fileno_entry, cmd_list_entry, cmd_use_entry, cmd_on_entry;
extern const struct cmd_entry cmd_help_entry, cmd_sleep_entry,
    cmd_quit_entry;
extern const struct cmd_entry cmd_events_entry, cmd_history_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_tour_entry;
extern const struct cmd_entry cmd_sockatmark_entry, cmd_sendmsg_entry,
    cmd_recvmsg_entry;
extern const struct cmd_entry cmd_sockatmark_entry;
extern const struct cmd_entry cmd_getaddrinfo_entry, cmd_getnameinfo_entry,
    cmd_gethostname_entry, cmd_getservbyname_entry, cmd_getservbyport_entry,
    cmd_create_connection_entry, cmd_create_server_entry;
extern const struct cmd_entry cmd_select_entry, cmd_epoll_create_entry,
    cmd_epoll_ctl_entry, cmd_epoll_wait_entry;
extern const struct cmd_entry cmd_sendfile_entry, cmd_dup_entry,
    cmd_unlink_entry, cmd_getblocking_entry;
extern const struct cmd_entry cmd_starttls_entry, cmd_tlsinfo_entry;
extern const char *const tls_option_words[];

/* Make a socket, show the call, enter it in the table (cmd-life.c). */
struct sock	*make_socket(int, int);
struct sock	*make_socket_proto(int, int, int);
int		 connect_name(struct sock *, const char *, const char *,
		    double, int);
int		 connect_socket(struct sock *, const struct addr *);
int		 connect_own(struct sock *, const struct addr *, double);
/* Show getsockname or getpeername (cmd-info.c). */
int		 show_name(struct sock *, int);

/* ---- the read loops (script.c, interactive.c) ---- */
int	 repl_interactive(void);

/* ---- the prompt's helpers (events.c, complete.c, history.c) ---- */
extern int events_enabled;
int	 events_init(void);
void	 events_end(void);
int	 events_sync(void);
void	 events_dispatch(struct buf *);
void	 events_settle(void);
void	 complete_init(void);
void	 history_init(void);
void	 history_enter(const char *);
void	 history_end(void);
/* ---- scripting (script.c, vars.c, cmd-script.c) ---- */
#define CMD_KEEPOUTCOME	0x100	/* leaves last and $status as they were */
#define SOURCE_DEPTH_MAX 16	/* source within source, at most */
extern int	 script_errexit;	/* -e: stop at the first failure */
extern int	 script_xtrace;		/* -x: echo each command */
enum cmd_retval	 script_run_fd(int, const char *);
enum cmd_retval	 script_run_commands(const char **, int);
int		 script_status(void);
void		 script_end_note(void);
void		 script_echo(const struct words *);
void		 script_echo_line(const char *, size_t);
int		 var_lookup(const char *, struct buf *, struct buf *);
int		 var_check(const char *, const struct word *);
int		 var_set(const char *, const char *, const void *, size_t);
void		 vars_free(void);
enum cmd_retval	 script_source(const char *);
void		 poll_events(struct buf *, short);
extern const struct cmd_entry cmd_set_entry, cmd_unset_entry,
    cmd_source_entry, cmd_expect_entry, cmd_poll_entry;
extern const struct cmd_entry cmd_repeat_entry;
size_t		 repeat_split(const char *, size_t);

/*
 * ---- export (export.c) ----
 *
 * export c and export python read the session log and write it out as a
 * program. export.c reads the log once (which variable each socket is,
 * which ports and peer addresses the program must read back at run time,
 * what each step's expects assert); export-c.c and export-py.c write the
 * program from that reading.
 */
/* How a call's result is checked: what the session saw and asserted. */
enum xcheck {
	XC_OK,		/* must succeed */
	XC_ERRNO,	/* must fail with this errno (expect error E) */
	XC_FAIL,	/* must fail (expect fail) */
	XC_TOLERATE,	/* failed in the session, unasserted: allowed */
	XC_PASS,	/* failed on the way (EINPROGRESS): allowed, silent */
};
struct xsock {
	uint64_t	 seq;
	char		 name[24];	/* the program's variable */
	int		 family;
	int		 type;
	int		 protocol;
	int		 port_var;	/* <name>_port is read back */
	int		 peer_var;	/* <name>_peer keeps recvfrom's sender */
	int		 inbuf;		/* a line helper reads it: <name>_in */
	int		 refs;		/* times the writer named it */
};
struct xrec {
	int		 skip;		/* not exported */
	long		 port_src;	/* the getsockname record whose port
					   this address uses, or -1 */
	long		 peer_src;	/* the recvfrom record whose sender it
					   is, or -1 */
	int		 used;		/* its port or sender is used later */
};
struct xexpect {
	enum xcheck	 check;		/* of the step's outcome */
	int		 err;		/* XC_ERRNO, XC_TOLERATE: the errno */
	long		 outcome;	/* the record that failed, or -1 */
	int		 have_data;	/* expect DATA */
	struct buf	 data;
	int		 have_ret;	/* expect ret N */
	long		 ret;
	long		 ret_rec;	/* the record whose return is $ret,
					   or -1 */
	struct buf	 text;		/* the expects, for a comment */
};
struct export {
	struct buf	*out;
	struct xsock	*socks;
	size_t		 nsocks;
	struct xrec	*recs;		/* one per log record */
	size_t		 maxrecv;	/* the largest receive buffer */
	/* While writing: which socket each fd is now. */
	uint64_t	*fdseq;
	size_t		 nfd;
};
int	 export_read(struct export *);
void	 export_free(struct export *);
struct xsock *export_sock(struct export *, uint64_t);
const char *export_name(struct export *, uint64_t);
void	 export_track(struct export *, const struct call_rec *);
uint64_t export_fd_seq(struct export *, int);
void	 export_fd_name(struct export *, struct buf *, int, uint64_t);
void	 export_expect(struct export *, size_t, struct xexpect *);
void	 export_expect_free(struct xexpect *);
enum xcheck export_rec_check(const struct xexpect *, size_t, int *);
int	 export_connect_result(size_t, size_t);
int	 export_step_words(size_t, struct words *);
int	 export_step_msgflags(size_t);
void	 export_recv_words(size_t, long long *, int *);
void	 export_step_text(size_t, struct buf *);
void	 export_step_note(struct export *, size_t, struct buf *);
int	 export_is_loop(const struct log_step *);
int	 export_is_exactly(const struct log_step *);
int	 export_step_redir(size_t, struct buf *);
int	 export_step_infile(size_t, struct buf *);
const char *export_send_suffix(size_t, size_t);
enum xret {
	XR_VALUE,	/* a count, 0 or a flag word: checked */
	XR_FD,		/* a new file descriptor: differs run to run */
	XR_NONE,	/* not a return the program sees */
};
enum xret export_ret_kind(const struct call_rec *);
double	 export_step_timeout(const struct log_step *);
int	 export_timeout_ms(double);
int	 export_tls_arg(const char *, size_t, struct buf *);
int	 export_poll_ms(size_t, int);
int	 tls_setup_failed(size_t);
void	 export_c(struct export *);
void	 export_python(struct export *);

#endif
