/*
 * What help CMD says about the system call behind a command: its C
 * prototype as its man page gives it, the Python equivalent, the errors it
 * can return (each with one line of why) and a one-line example.
 *
 * One table, keyed by call. A command's entry names its calls in .calls
 * ("bind(2)", "fcntl(2) O_NONBLOCK, ppoll(2)"); help looks each name up
 * here. To teach a new call, add one row:
 *
 *	{ .call = "sendmsg",
 *	  .proto = "ssize_t sendmsg(int sockfd, const struct msghdr *msg, "
 *	      "int flags);",
 *	  .python = "sock.sendmsg(buffers, ancdata, flags, address)",
 *	  .example = "sendmsg hello",
 *	  .errs = { { EAGAIN, "..." }, ... } },
 *
 * .proto is copied from the man page, one line, ending in ";". Several
 * commands can share a call (send, sendline and sendall all make send(2)):
 * a row with .cmd set gives that command its own Python and example, and
 * takes the prototype and errors from the call's row. A command whose call
 * has no row still gets its usage and text; help only leaves out what it
 * does not know. The man page's entry for each command repeats the
 * prototype (.Ft and .Fn lines): tests/t_docs.py holds the two together.
 */
#include <errno.h>
#include <netdb.h>
#include <string.h>

#include "sockrepl.h"

#define CALL_ERRS_MAX	16

struct call_err {
	int		 err;
	const char	*why;
};

struct call_help {
	const char	*call;		/* the call's name, as in .calls */
	const char	*cmd;		/* NULL: the call's row; else only
					   this command's Python and example */
	const char	*proto;
	const char	*python;
	const char	*example;
	struct call_err	 errs[CALL_ERRS_MAX];	/* ends at err 0 */
};

/*
 * The manual section of a call: 2 for a system call, 3 for the C
 * library's functions (the resolver, sockatmark) and OpenSSL's.
 */
static const char *
call_section(const char *call, size_t len)
{
	static const char *const lib[] = { "sockatmark", "getaddrinfo",
	    "getnameinfo", "getservbyname", "getservbyport", "gethostbyname",
	    "gethostbyaddr", "if_nametoindex", "if_indextoname", "inet_pton",
	    "inet_ntop", NULL };
	size_t	i;

	if (len >= 4 && strncmp(call, "SSL_", 4) == 0)
		return "3";
	if (len >= 5 && strncmp(call, "pcap_", 5) == 0)
		return "3PCAP";
	for (i = 0; lib[i] != NULL; i++)
		if (strlen(lib[i]) == len && strncmp(lib[i], call, len) == 0)
			return "3";
	return "2";
}

static const struct call_help call_help[] = {
	{ .call = "socket",
	  .proto = "int socket(int domain, int type, int protocol);",
	  .python = "sock = socket.socket(socket.AF_INET, "
	      "socket.SOCK_STREAM)",
	  .example = "socket udp inet6",
	  .errs = {
	    { EACCES, "this type needs a privilege (SOCK_RAW needs "
		"CAP_NET_RAW)" },
	    { EAFNOSUPPORT, "this system has no such address family" },
	    { EINVAL, "an unknown type, or flags the type does not take" },
	    { EMFILE, "the process has as many files open as it may" },
	    { ENFILE, "the whole system has as many files open as it may" },
	    { ENOBUFS, "the kernel is out of memory for sockets" },
	    { EPROTONOSUPPORT, "the family has no such protocol for that "
		"type (SOCK_SEQPACKET on AF_INET needs SCTP)" },
	    { 0, NULL } } },
	{ .call = "socketpair",
	  .proto = "int socketpair(int domain, int type, int protocol, "
	      "int sv[2]);",
	  .python = "a, b = socket.socketpair()",
	  .example = "socketpair dgram",
	  .errs = {
	    { EAFNOSUPPORT, "only AF_UNIX makes pairs" },
	    { EOPNOTSUPP, "this type cannot be made in pairs" },
	    { EPROTONOSUPPORT, "AF_UNIX has no such protocol" },
	    { EMFILE, "the process has as many files open as it may" },
	    { ENFILE, "the whole system has as many files open as it may" },
	    { 0, NULL } } },
	{ .call = "bind",
	  .proto = "int bind(int sockfd, const struct sockaddr *addr, "
	      "socklen_t addrlen);",
	  .python = "sock.bind(('localhost', 6565))",
	  .example = "bind localhost 0",
	  .errs = {
	    { EACCES, "a port below 1024 needs CAP_NET_BIND_SERVICE, or "
		"the path's directory is not writable" },
	    { EADDRINUSE, "another socket has that address: a server still "
		"running, or its connections in TIME_WAIT" },
	    { EADDRNOTAVAIL, "the address is not one of this machine's" },
	    { EAFNOSUPPORT, "the address is of another family than the "
		"socket" },
	    { EINVAL, "the socket is already bound, or the address does "
		"not fit it" },
	    { ENOENT, "a directory on the AF_UNIX path does not exist" },
	    { EBADF, "the fd is not open" },
	    { ENOTSOCK, "the fd is not a socket" },
	    { 0, NULL } } },
	{ .call = "listen",
	  .proto = "int listen(int sockfd, int backlog);",
	  .python = "sock.listen(5)",
	  .example = "listen 5",
	  .errs = {
	    { EADDRINUSE, "another socket listens on that port, or no "
		"ephemeral port was free for an unbound socket" },
	    { EINVAL, "the socket is connected, or an AF_UNIX socket is "
		"not bound" },
	    { EOPNOTSUPP, "the socket's type does not listen (UDP)" },
	    { EBADF, "the fd is not open" },
	    { ENOTSOCK, "the fd is not a socket" },
	    { 0, NULL } } },
	{ .call = "accept",
	  .proto = "int accept(int sockfd, struct sockaddr *addr, "
	      "socklen_t *addrlen);",
	  .python = "conn, address = sock.accept()",
	  .example = "on 3 accept",
	  .errs = {
	    { EAGAIN, "no connection is waiting and the socket does not "
		"wait (non-blocking, or its timeout ran out)" },
	    { ECONNABORTED, "a connection was aborted while it waited in "
		"the queue" },
	    { EINTR, "a signal (Ctrl-C) came before a connection" },
	    { EINVAL, "the socket is not listening" },
	    { EMFILE, "the process has as many files open as it may" },
	    { ENFILE, "the whole system has as many files open as it may" },
	    { ENOBUFS, "the kernel is out of memory for sockets" },
	    { EOPNOTSUPP, "the socket's type does not accept (UDP)" },
	    { EPERM, "a firewall rule forbids the connection" },
	    { EBADF, "the fd is not open" },
	    { 0, NULL } } },
	{ .call = "connect",
	  .proto = "int connect(int sockfd, const struct sockaddr *addr, "
	      "socklen_t addrlen);",
	  .python = "sock.connect(('localhost', 6565))",
	  .example = "connect localhost 6565",
	  .errs = {
	    { ECONNREFUSED, "nothing listens there (for a path: a stale "
		"socket file with no server behind it)" },
	    { ETIMEDOUT, "the peer never answered" },
	    { EINPROGRESS, "a non-blocking socket: the connection goes on "
		"in the background" },
	    { EALREADY, "a connect is already in progress" },
	    { EISCONN, "the socket is already connected" },
	    { EINTR, "a signal (Ctrl-C) came before the connection was made" },
	    { EAGAIN, "an AF_UNIX listener's queue is full, or no "
		"ephemeral port is free" },
	    { EADDRNOTAVAIL, "no ephemeral port is free to connect from" },
	    { EAFNOSUPPORT, "the address is of another family than the "
		"socket" },
	    { ENETUNREACH, "no route to that network" },
	    { EHOSTUNREACH, "no route to that host" },
	    { EACCES, "a firewall rule, a broadcast address without "
		"SO_BROADCAST, or no write permission on the socket file" },
	    { ENOENT, "no socket file at that AF_UNIX path" },
	    { EPROTOTYPE, "the AF_UNIX socket there is of another type" },
	    { 0, NULL } } },
	{ .call = "connect", .cmd = "connect_ex",
	  .python = "err = sock.connect_ex(('localhost', 6565))",
	  .example = "connect_ex localhost 6565" },
	{ .call = "shutdown",
	  .proto = "int shutdown(int sockfd, int how);",
	  .python = "sock.shutdown(socket.SHUT_WR)",
	  .example = "shutdown wr",
	  .errs = {
	    { ENOTCONN, "the socket is not connected" },
	    { EINVAL, "how is not SHUT_RD, SHUT_WR or SHUT_RDWR" },
	    { EBADF, "the fd is not open" },
	    { ENOTSOCK, "the fd is not a socket" },
	    { 0, NULL } } },
	{ .call = "close",
	  .proto = "int close(int fd);",
	  .python = "sock.close()",
	  .example = "close",
	  .errs = {
	    { EBADF, "the fd is not open" },
	    { EINTR, "a signal came during a lingering close (SO_LINGER)" },
	    { EIO, "an I/O error while the last data was flushed" },
	    { 0, NULL } } },
	{ .call = "send",
	  .proto = "ssize_t send(int sockfd, const void *buf, size_t len, "
	      "int flags);",
	  .python = "n = sock.send(b'hello')",
	  .example = "send hello",
	  .errs = {
	    { EPIPE, "the connection is closed for sending (a C program "
		"also gets SIGPIPE)" },
	    { ECONNRESET, "the peer reset the connection" },
	    { EAGAIN, "the send buffer is full and the socket does not "
		"wait" },
	    { ENOTCONN, "the socket is not connected" },
	    { EDESTADDRREQ, "a datagram socket with no peer: use sendto" },
	    { EMSGSIZE, "the datagram is too big to send at once" },
	    { EINTR, "a signal (Ctrl-C) came before anything was sent" },
	    { ENOBUFS, "the interface's queue is full" },
	    { ECONNREFUSED, "UDP: an earlier datagram found no one "
		"listening" },
	    { EOPNOTSUPP, "a flag this socket does not take" },
	    { EBADF, "the fd is not open" },
	    { 0, NULL } } },
	{ .call = "send", .cmd = "sendall",
	  .python = "sock.sendall(b'hello')",
	  .example = "sendall < request.txt" },
	{ .call = "send", .cmd = "sendline",
	  .python = "sock.sendall(b'hello' + b'\\n')",
	  .example = "sendline GET / HTTP/1.0" },
	{ .call = "sendto",
	  .proto = "ssize_t sendto(int sockfd, const void *buf, size_t len, "
	      "int flags, const struct sockaddr *dest_addr, "
	      "socklen_t addrlen);",
	  .python = "sock.sendto(b'hello', ('localhost', 6565))",
	  .example = "sendto hello localhost 6565",
	  .errs = {
	    { EMSGSIZE, "the datagram is too big to send at once" },
	    { ECONNREFUSED, "an earlier datagram found no one listening" },
	    { EAGAIN, "the send buffer is full and the socket does not "
		"wait" },
	    { EACCES, "a broadcast address without SO_BROADCAST, or no "
		"write permission on the socket file" },
	    { EAFNOSUPPORT, "the address is of another family than the "
		"socket" },
	    { EISCONN, "a connected stream socket takes no address" },
	    { ENOENT, "no socket file at that AF_UNIX path" },
	    { ENETUNREACH, "no route to that network" },
	    { EPIPE, "the connection is closed for sending" },
	    { EINTR, "a signal (Ctrl-C) came before anything was sent" },
	    { 0, NULL } } },
	{ .call = "recv",
	  .proto = "ssize_t recv(int sockfd, void *buf, size_t len, "
	      "int flags);",
	  .python = "data = sock.recv(1024)",
	  .example = "recv 1024",
	  .errs = {
	    { EAGAIN, "nothing has arrived and the socket does not wait "
		"(non-blocking, or its timeout ran out)" },
	    { ECONNRESET, "the peer reset the connection" },
	    { ECONNREFUSED, "UDP: an earlier datagram found no one "
		"listening" },
	    { ETIMEDOUT, "the connection died: the peer stopped answering" },
	    { ENOTCONN, "the socket is not connected" },
	    { EINTR, "a signal (Ctrl-C) came before any data" },
	    { EINVAL, "a bad flag or length" },
	    { EBADF, "the fd is not open" },
	    { 0, NULL } } },
	{ .call = "recv", .cmd = "recvline",
	  .python = "line = sock.makefile('rb').readline()",
	  .example = "recvline" },
	{ .call = "recv", .cmd = "recvuntil",
	  .python = "no socket method; pwntools: r.recvuntil(b'\\r\\n\\r\\n')",
	  .example = "recvuntil \"\\r\\n\\r\\n\"" },
	{ .call = "recv", .cmd = "recvall",
	  .python = "while (b := sock.recv(65536)): data += b",
	  .example = "recvall > page.html" },
	{ .call = "recvfrom",
	  .proto = "ssize_t recvfrom(int sockfd, void *buf, size_t len, "
	      "int flags, struct sockaddr *src_addr, socklen_t *addrlen);",
	  .python = "data, address = sock.recvfrom(1024)",
	  .example = "recvfrom 1024",
	  .errs = {
	    { EAGAIN, "nothing has arrived and the socket does not wait" },
	    { ECONNREFUSED, "an earlier datagram found no one listening" },
	    { ECONNRESET, "the peer reset the connection" },
	    { EINTR, "a signal (Ctrl-C) came before any data" },
	    { ENOTCONN, "a stream socket that is not connected" },
	    { EBADF, "the fd is not open" },
	    { 0, NULL } } },
	{ .call = "setsockopt",
	  .proto = "int setsockopt(int sockfd, int level, int optname, "
	      "const void *optval, socklen_t optlen);",
	  .python = "sock.setsockopt(socket.SOL_SOCKET, "
	      "socket.SO_REUSEADDR, 1)",
	  .example = "setsockopt SO_REUSEADDR 1",
	  .errs = {
	    { ENOPROTOOPT, "the option does not exist at that level, or "
		"not for this socket" },
	    { EINVAL, "the value is of the wrong size or out of range" },
	    { EPERM, "the value needs a privilege (SO_RCVBUFFORCE, a "
		"high SO_PRIORITY)" },
	    { EBADF, "the fd is not open" },
	    { ENOTSOCK, "the fd is not a socket" },
	    { 0, NULL } } },
	{ .call = "getsockopt",
	  .proto = "int getsockopt(int sockfd, int level, int optname, "
	      "void *optval, socklen_t *optlen);",
	  .python = "sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)",
	  .example = "getsockopt SO_RCVBUF",
	  .errs = {
	    { ENOPROTOOPT, "the option does not exist at that level, or "
		"not for this socket" },
	    { EINVAL, "optlen is too small for the option" },
	    { EBADF, "the fd is not open" },
	    { ENOTSOCK, "the fd is not a socket" },
	    { 0, NULL } } },
	{ .call = "getsockname",
	  .proto = "int getsockname(int sockfd, struct sockaddr *addr, "
	      "socklen_t *addrlen);",
	  .python = "host, port = sock.getsockname()",
	  .example = "getsockname",
	  .errs = {
	    { ENOBUFS, "the kernel is out of memory" },
	    { EBADF, "the fd is not open" },
	    { ENOTSOCK, "the fd is not a socket" },
	    { 0, NULL } } },
	{ .call = "getpeername",
	  .proto = "int getpeername(int sockfd, struct sockaddr *addr, "
	      "socklen_t *addrlen);",
	  .python = "host, port = sock.getpeername()",
	  .example = "getpeername",
	  .errs = {
	    { ENOTCONN, "the socket is not connected, so it has no peer" },
	    { EBADF, "the fd is not open" },
	    { ENOTSOCK, "the fd is not a socket" },
	    { 0, NULL } } },
	{ .call = "getsockopt", .cmd = "info",
	  .python = "sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, "
	      "232)",
	  .example = "info" },
	{ .call = "fcntl",
	  .proto = "int fcntl(int fd, int cmd, ... /* arg */);",
	  .python = "fcntl.fcntl(sock, fcntl.F_SETFL, flags | "
	      "os.O_NONBLOCK)",
	  .example = "setblocking false",
	  .errs = {
	    { EBADF, "the fd is not open" },
	    { EINVAL, "the command or its argument is not valid" },
	    { 0, NULL } } },
	{ .call = "fcntl", .cmd = "setblocking",
	  .python = "sock.setblocking(False)",
	  .example = "setblocking false" },
	{ .call = "fcntl", .cmd = "settimeout",
	  .python = "sock.settimeout(2.5)",
	  .example = "settimeout 2.5" },
	{ .call = "ppoll",
	  .proto = "int ppoll(struct pollfd *fds, nfds_t nfds, const struct "
	      "timespec *tmo_p, const sigset_t *sigmask);",
	  .python = "select.poll().poll(timeout_ms)",
	  .example = "poll in 2",
	  .errs = {
	    { EINTR, "a signal (Ctrl-C) came before any socket was ready" },
	    { EINVAL, "too many fds, or a bad timeout" },
	    { ENOMEM, "the kernel is out of memory" },
	    { 0, NULL } } },
	{ .call = "ioctl",
	  .proto = "int ioctl(int fd, unsigned long request, ...);",
	  .python = "fcntl.ioctl(sock, termios.FIONREAD, buf)",
	  .errs = {
	    { EBADF, "the fd is not open" },
	    { EINVAL, "the request does not apply to this socket" },
	    { ENOTTY, "the fd does not know that request" },
	    { 0, NULL } } },
	{ .call = "sockatmark",
	  .proto = "int sockatmark(int sockfd);",
	  .python = "fcntl.ioctl(sock, 0x8905, b'\\0\\0\\0\\0')  # SIOCATMARK",
	  .example = "sockatmark",
	  .errs = {
	    { EBADF, "the fd is not open" },
	    { EINVAL, "the fd is not a socket that has a mark (TCP)" },
	    { ENOTTY, "the socket has no urgent mark: only a TCP socket "
		"has one" },
	    { 0, NULL } } },
	{ .call = "sendmsg",
	  .proto = "ssize_t sendmsg(int sockfd, const struct msghdr *msg, "
	      "int flags);",
	  .python = "sock.sendmsg([b'hello'], [(socket.SOL_SOCKET, "
	      "socket.SCM_RIGHTS, array.array('i', [fd]))])",
	  .example = "sendmsg here fds 3",
	  .errs = {
	    { EPIPE, "the connection is closed for sending" },
	    { EAGAIN, "the send buffer is full and the socket does not "
		"wait" },
	    { EBADF, "an fd passed is not open" },
	    { EINVAL, "ancillary data the socket does not take (fds and "
		"credentials go over AF_UNIX only)" },
	    { ETOOMANYREFS, "too many fds in flight" },
	    { 0, NULL } } },
	{ .call = "recvmsg",
	  .proto = "ssize_t recvmsg(int sockfd, struct msghdr *msg, "
	      "int flags);",
	  .python = "data, ancdata, msg_flags, address = sock.recvmsg(65536, "
	      "1024)",
	  .example = "recvmsg",
	  .errs = {
	    { EAGAIN, "no data is waiting and the socket does not wait" },
	    { ECONNRESET, "the peer reset the connection" },
	    { ENOTCONN, "the socket is not connected" },
	    { EMFILE, "fds arrived but the process has no room for them" },
	    { 0, NULL } } },
	{ .call = "nanosleep",
	  .proto = "int nanosleep(const struct timespec *req, "
	      "struct timespec *rem);",
	  .python = "time.sleep(0.5)",
	  .example = "sleep 0.5",
	  .errs = {
	    { EINTR, "a signal (Ctrl-C) cut the sleep short" },
	    { EINVAL, "the time is negative or its nanoseconds too many" },
	    { 0, NULL } } },
	/* Names, event loops and the rest (call-names.c). */
	{ .call = "getaddrinfo",
	  .proto = "int getaddrinfo(const char *node, const char *service, "
	      "const struct addrinfo *hints, struct addrinfo **res);",
	  .python = "socket.getaddrinfo('localhost', 80, 0, "
	      "socket.SOCK_STREAM)",
	  .example = "getaddrinfo localhost http tcp",
	  .errs = {
	    { EAI_ERR(EAI_NONAME), "no such host name, or no such service" },
	    { EAI_ERR(EAI_AGAIN), "the name server did not answer for now" },
	    { EAI_ERR(EAI_FAIL), "the name server failed for good" },
	    { EAI_ERR(EAI_ADDRFAMILY), "the host has no address of that "
		"family" },
	    { EAI_ERR(EAI_SERVICE), "the service is unknown for that socket "
		"type" },
	    { EAI_ERR(EAI_BADFLAGS), "flags that do not go together" },
	    { 0, NULL } } },
	{ .call = "getaddrinfo", .cmd = "create_connection",
	  .python = "sock = socket.create_connection(('localhost', 6565), 5)",
	  .example = "create_connection localhost 6565 5" },
	{ .call = "socket", .cmd = "create_server",
	  .python = "sock = socket.create_server(('', 6565))",
	  .example = "create_server 0" },
	{ .call = "getnameinfo",
	  .proto = "int getnameinfo(const struct sockaddr *addr, "
	      "socklen_t addrlen, char *host, socklen_t hostlen, char *serv, "
	      "socklen_t servlen, int flags);",
	  .python = "socket.getnameinfo(('127.0.0.1', 80), 0)",
	  .example = "getnameinfo 127.0.0.1 80",
	  .errs = {
	    { EAI_ERR(EAI_NONAME), "no name for the address (with "
		"NI_NAMEREQD)" },
	    { EAI_ERR(EAI_AGAIN), "the name server did not answer for now" },
	    { EAI_ERR(EAI_FAMILY), "an address of a family it cannot name" },
	    { 0, NULL } } },
	{ .call = "gethostname",
	  .proto = "int gethostname(char *name, size_t len);",
	  .python = "socket.gethostname()",
	  .example = "gethostname",
	  .errs = {
	    { ENAMETOOLONG, "the name is longer than the buffer" },
	    { 0, NULL } } },
	{ .call = "getservbyname",
	  .proto = "struct servent *getservbyname(const char *name, "
	      "const char *proto);",
	  .python = "socket.getservbyname('http', 'tcp')",
	  .example = "getservbyname http tcp" },
	{ .call = "getservbyport",
	  .proto = "struct servent *getservbyport(int port, "
	      "const char *proto);",
	  .python = "socket.getservbyport(80, 'tcp')",
	  .example = "getservbyport 443" },
	{ .call = "select",
	  .proto = "int select(int nfds, fd_set *readfds, fd_set *writefds, "
	      "fd_set *exceptfds, struct timeval *timeout);",
	  .python = "r, w, x = select.select([sock], [], [], 1.5)",
	  .example = "select 3,4 - - 1.5",
	  .errs = {
	    { EBADF, "an fd in a set is not open" },
	    { EINTR, "a signal (Ctrl-C) came before any fd was ready" },
	    { EINVAL, "an fd too large for an fd_set, or a bad timeout" },
	    { 0, NULL } } },
	{ .call = "epoll_create1",
	  .proto = "int epoll_create1(int flags);",
	  .python = "ep = select.epoll()",
	  .example = "epoll_create",
	  .errs = {
	    { EMFILE, "the process has as many files open as it may" },
	    { ENOMEM, "the kernel is out of memory" },
	    { 0, NULL } } },
	{ .call = "epoll_ctl",
	  .proto = "int epoll_ctl(int epfd, int op, int fd, "
	      "struct epoll_event *event);",
	  .python = "ep.register(sock, select.EPOLLIN)",
	  .example = "epoll_ctl add 3 in,et",
	  .errs = {
	    { EEXIST, "add of an fd already in the set" },
	    { ENOENT, "mod or del of an fd not in the set" },
	    { EPERM, "the fd is a file epoll cannot watch" },
	    { EINVAL, "the instance itself, or EPOLLEXCLUSIVE with mod" },
	    { ELOOP, "instances that would watch each other" },
	    { EBADF, "an fd that is not open" },
	    { 0, NULL } } },
	{ .call = "epoll_wait",
	  .proto = "int epoll_wait(int epfd, struct epoll_event *events, "
	      "int maxevents, int timeout);",
	  .python = "events = ep.poll(1.5, 16)",
	  .example = "epoll_wait 16 1.5",
	  .errs = {
	    { EINTR, "a signal (Ctrl-C) came before any event" },
	    { EINVAL, "maxevents is not positive" },
	    { 0, NULL } } },
	{ .call = "sendfile",
	  .proto = "ssize_t sendfile(int out_fd, int in_fd, off_t *offset, "
	      "size_t count);",
	  .python = "sock.sendfile(open('f.bin', 'rb'))",
	  .example = "sendfile f.bin",
	  .errs = {
	    { EAGAIN, "the socket is non-blocking and its buffer full" },
	    { EINVAL, "the file cannot be mapped (not a regular file)" },
	    { EPIPE, "the peer closed the connection" },
	    { ECONNRESET, "the peer reset the connection" },
	    { 0, NULL } } },
	{ .call = "dup",
	  .proto = "int dup(int oldfd);",
	  .python = "sock2 = sock.dup()",
	  .example = "dup 3",
	  .errs = {
	    { EBADF, "the fd is not open" },
	    { EMFILE, "the process has as many files open as it may" },
	    { 0, NULL } } },
	{ .call = "unlink",
	  .proto = "int unlink(const char *pathname);",
	  .python = "os.unlink('/tmp/srv.sock')",
	  .example = "unlink /tmp/srv.sock",
	  .errs = {
	    { ENOENT, "no file at that path" },
	    { EACCES, "the directory is not writable by you" },
	    { EISDIR, "the path is a directory" },
	    { 0, NULL } } },
	/* OpenSSL's (tls.c): failures are SSL_get_error names, not errnos. */
	{ .call = "SSL_connect",
	  .proto = "int SSL_connect(SSL *ssl);",
	  .python = "tls = ssl.create_default_context().wrap_socket(sock, "
	      "server_hostname='localhost')",
	  .example = "starttls -cafile ca.pem localhost" },
	{ .call = "SSL_accept",
	  .proto = "int SSL_accept(SSL *ssl);",
	  .example = "starttls -server -selfsigned" },
	{ .call = "SSL_get_version",
	  .proto = "const char *SSL_get_version(const SSL *ssl);",
	  .python = "tls.version(), tls.cipher(), tls.getpeercert()",
	  .example = "tlsinfo" },
	{ .call = "SSL_get1_peer_certificate",
	  .proto = "X509 *SSL_get1_peer_certificate(const SSL *ssl);" },
};

#define NCALL_HELP	(sizeof call_help / sizeof call_help[0])

/*
 * Print text after label, wrapped to 72 columns; lines after the first
 * are indented under the text.
 */
void
help_wrap_label(const char *label, const char *text, int indent)
{
	struct buf	 line = { 0 };
	const char	*p = text, *sp;
	size_t		 n;
	int		 first = 1;

	buf_printf(&line, "%*s%s", indent, "", label);
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if ((sp = strchr(p, ' ')) == NULL)
			sp = p + strlen(p);
		n = (size_t)(sp - p);
		if (n == 0)
			break;
		if (!first && line.len + 1 + n > 72) {
			result("%s", buf_str(&line));
			buf_reset(&line);
			buf_printf(&line, "%*s", indent + (int)strlen(label),
			    "");
			first = 1;
		}
		if (!first)
			buf_addc(&line, ' ');
		buf_add(&line, p, n);
		first = 0;
		p = sp;
	}
	result("%s", buf_str(&line));
	buf_free(&line);
}

/* The row for call (cmd NULL), or for call as command cmd makes it. */
static const struct call_help *
row_find(const char *call, size_t len, const char *cmd)
{
	size_t	i;

	for (i = 0; i < NCALL_HELP; i++) {
		if (strlen(call_help[i].call) != len ||
		    strncmp(call_help[i].call, call, len) != 0)
			continue;
		if (cmd == NULL ? call_help[i].cmd == NULL :
		    call_help[i].cmd != NULL && strcmp(call_help[i].cmd,
		    cmd) == 0)
			return &call_help[i];
	}
	return NULL;
}

/* Show one call's row, as command e makes it. */
static void
help_one_call(const struct cmd_entry *e, const char *call, size_t len,
    int *examples)
{
	const struct call_help	*row, *own;
	const struct call_err	*ce;
	const char		*python, *example;

	if ((row = row_find(call, len, NULL)) == NULL) {
		result("  %.*s(%s): nothing more on file; man %s %.*s tells "
		    "all", (int)len, call, call_section(call, len),
		    call_section(call, len), (int)len, call);
		return;
	}
	/*
	 * The command's own Python and example, else the call's; for a
	 * command of several calls the first speaks for them all.
	 */
	own = row_find(call, len, e->name);
	python = own != NULL && own->python != NULL ? own->python :
	    row->python;
	example = own != NULL && own->example != NULL ? own->example :
	    row->example;
	result("  In C:      %s", row->proto);
	if (python != NULL && (own != NULL || *examples == 0))
		result("  In Python: %s", python);
	if (example != NULL && *examples == 0)
		result("  Example:   %s", example);
	(*examples)++;
	if (row->errs[0].err == 0)
		return;
	result("  %.*s(%s) can fail with:", (int)len, call,
	    call_section(call, len));
	for (ce = row->errs; ce->err != 0; ce++) {
		struct buf	label = { 0 };

		buf_printf(&label, "%-15s ", errno_name(ce->err));
		help_wrap_label(buf_str(&label), ce->why, 4);
		buf_free(&label);
	}
}

/*
 * The calls command e makes, each with its prototype, Python, example and
 * errors. A command that makes no call prints nothing.
 */
void
help_calls(const struct cmd_entry *e)
{
	const char	*p, *open;
	int		 examples = 0;
	size_t		 len;

	if (e->calls == NULL)
		return;
	for (p = e->calls; *p != '\0'; ) {
		while (*p == ' ' || *p == ',')
			p++;
		if ((open = strchr(p, '(')) == NULL)
			break;
		len = (size_t)(open - p);
		result("%s", "");
		help_one_call(e, p, len, &examples);
		if ((p = strchr(open, ',')) == NULL)
			break;
	}
}

/*
 * The calls whose rows list err, as "connect(2), send(2)" in out.
 * Returns how many.
 */
int
help_calls_returning(int err, struct buf *out)
{
	const struct call_err	*ce;
	size_t			 i;
	int			 n = 0;

	for (i = 0; i < NCALL_HELP; i++) {
		for (ce = call_help[i].errs; ce->err != 0; ce++) {
			if (ce->err != err)
				continue;
			buf_printf(out, "%s%s(%s)", n++ ? ", " : "",
			    call_help[i].call, call_section(call_help[i].call,
			    strlen(call_help[i].call)));
			break;
		}
	}
	return n;
}
