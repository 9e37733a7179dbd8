/*
 * Symbolic names for the constants of the socket API, both ways: the trace
 * prints AF_INET rather than 2, and the user may type AF_INET or inet.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sockrepl.h"

#define N(x)	{ #x, x }

const struct name family_names[] = {
	N(AF_UNSPEC), N(AF_INET), N(AF_INET6), N(AF_UNIX), N(AF_PACKET),
	N(AF_NETLINK), N(AF_VSOCK), { NULL, 0 }
};

const struct name type_names[] = {
	N(SOCK_STREAM), N(SOCK_DGRAM), N(SOCK_SEQPACKET), N(SOCK_RAW),
	N(SOCK_RDM), { NULL, 0 }
};

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP	262
#endif
const struct name proto_names[] = {
	{ "0", 0 }, N(IPPROTO_TCP), N(IPPROTO_UDP), N(IPPROTO_SCTP),
	N(IPPROTO_ICMP), N(IPPROTO_ICMPV6), N(IPPROTO_UDPLITE), N(IPPROTO_RAW),
	N(IPPROTO_IGMP), N(IPPROTO_MPTCP), { NULL, 0 }
};

const struct name level_names[] = {
	N(SOL_SOCKET), N(IPPROTO_TCP), N(IPPROTO_IP), N(IPPROTO_IPV6),
	N(IPPROTO_UDP), N(IPPROTO_ICMPV6), N(IPPROTO_RAW), { NULL, 0 }
};

const struct name msgflag_names[] = {
	N(MSG_OOB), N(MSG_PEEK), N(MSG_DONTROUTE), N(MSG_TRUNC),
	N(MSG_DONTWAIT), N(MSG_EOR), N(MSG_WAITALL), N(MSG_NOSIGNAL),
	N(MSG_MORE), N(MSG_CTRUNC), N(MSG_CONFIRM), N(MSG_ERRQUEUE),
	N(MSG_CMSG_CLOEXEC), N(MSG_FASTOPEN), { NULL, 0 }
};

const struct name ai_flag_names[] = {
	N(AI_PASSIVE), N(AI_CANONNAME), N(AI_NUMERICHOST), N(AI_NUMERICSERV),
	N(AI_V4MAPPED), N(AI_ALL), N(AI_ADDRCONFIG), { NULL, 0 }
};

const struct name ni_flag_names[] = {
	N(NI_NUMERICHOST), N(NI_NUMERICSERV), N(NI_NOFQDN), N(NI_NAMEREQD),
	N(NI_DGRAM), { NULL, 0 }
};

/* EPOLLET and EPOLLONESHOT are the high bits: an int holds them. */
const struct name epoll_names[] = {
	N(EPOLLIN), N(EPOLLPRI), N(EPOLLOUT), N(EPOLLERR), N(EPOLLHUP),
	N(EPOLLRDHUP), N(EPOLLEXCLUSIVE), N(EPOLLWAKEUP), N(EPOLLONESHOT),
	{ "EPOLLET", (int)EPOLLET }, { NULL, 0 }
};

const struct name epoll_words[] = {
	{ "in", EPOLLIN }, { "pri", EPOLLPRI }, { "out", EPOLLOUT },
	{ "err", EPOLLERR }, { "hup", EPOLLHUP }, { "rdhup", EPOLLRDHUP },
	{ "et", (int)EPOLLET }, { "edge", (int)EPOLLET },
	{ "oneshot", EPOLLONESHOT }, { "exclusive", EPOLLEXCLUSIVE },
	{ NULL, 0 }
};

const struct name epoll_op_names[] = {
	N(EPOLL_CTL_ADD), N(EPOLL_CTL_MOD), N(EPOLL_CTL_DEL), { NULL, 0 }
};

const struct name epoll_op_words[] = {
	{ "add", EPOLL_CTL_ADD }, { "mod", EPOLL_CTL_MOD },
	{ "del", EPOLL_CTL_DEL }, { NULL, 0 }
};

const struct name shut_names[] = {
	N(SHUT_RD), N(SHUT_WR), N(SHUT_RDWR), { NULL, 0 }
};

/*
 * The words typed for the same constants. Parsing and completion both read
 * these, so what completes is what parses.
 */
const struct name type_words[] = {
	{ "tcp", SOCK_STREAM }, { "stream", SOCK_STREAM },
	{ "udp", SOCK_DGRAM }, { "dgram", SOCK_DGRAM },
	{ "seqpacket", SOCK_SEQPACKET }, { "raw", SOCK_RAW }, { "rdm", SOCK_RDM },
	{ NULL, 0 }
};

/*
 * Protocols by the word typed for them (socket raw inet icmp). A protocol
 * word alone also implies the type and family it is made with, below.
 */
const struct name proto_words[] = {
	{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
	{ "icmp6", IPPROTO_ICMPV6 }, { "udplite", IPPROTO_UDPLITE },
	{ "sctp", IPPROTO_SCTP }, { "mptcp", IPPROTO_MPTCP },
	{ "igmp", IPPROTO_IGMP }, { NULL, 0 }
};

const struct name family_words[] = {
	{ "inet", AF_INET }, { "ipv4", AF_INET }, { "inet6", AF_INET6 },
	{ "ipv6", AF_INET6 }, { "unix", AF_UNIX }, { "local", AF_UNIX },
	{ "packet", AF_PACKET }, { "netlink", AF_NETLINK },
	{ "4", AF_INET }, { "6", AF_INET6 }, { NULL, 0 }
};

const struct name how_words[] = {
	{ "rd", SHUT_RD }, { "wr", SHUT_WR }, { "rdwr", SHUT_RDWR },
	{ "read", SHUT_RD }, { "write", SHUT_WR }, { "both", SHUT_RDWR },
	{ NULL, 0 }
};

const struct name bool_words[] = {
	{ "true", 1 }, { "false", 0 }, { "yes", 1 }, { "no", 0 },
	{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 }, { NULL, 0 }
};

const struct sockopt sockopts[] = {
	{ "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, OPT_BOOL, 0,
	  "allow bind to a port still in TIME_WAIT" },
	{ "SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, OPT_BOOL, 0,
	  "let several sockets bind the same port" },
	{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, OPT_BOOL, 0,
	  "send TCP keepalive probes on an idle connection" },
	{ "SO_LINGER", SOL_SOCKET, SO_LINGER, OPT_LINGER, 0,
	  "what close does with unsent data: off, or on SECONDS" },
	{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, OPT_INT, 0,
	  "receive buffer size in bytes (Linux doubles the value set)" },
	{ "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, OPT_INT, 0,
	  "send buffer size in bytes (Linux doubles the value set)" },
	{ "SO_RCVLOWAT", SOL_SOCKET, SO_RCVLOWAT, OPT_INT, 0,
	  "bytes needed before a receive returns" },
	{ "SO_RCVTIMEO", SOL_SOCKET, SO_RCVTIMEO, OPT_TIMEVAL, 0,
	  "kernel receive timeout in seconds (0: none)" },
	{ "SO_SNDTIMEO", SOL_SOCKET, SO_SNDTIMEO, OPT_TIMEVAL, 0,
	  "kernel send timeout in seconds (0: none)" },
	{ "SO_BROADCAST", SOL_SOCKET, SO_BROADCAST, OPT_BOOL, 0,
	  "allow datagrams to a broadcast address" },
	{ "SO_OOBINLINE", SOL_SOCKET, SO_OOBINLINE, OPT_BOOL, 0,
	  "receive urgent (out-of-band) data in the normal stream" },
	{ "SO_DONTROUTE", SOL_SOCKET, SO_DONTROUTE, OPT_BOOL, 0,
	  "send only to directly connected hosts" },
	{ "SO_PRIORITY", SOL_SOCKET, SO_PRIORITY, OPT_INT, 0,
	  "queueing priority of outgoing packets" },
	{ "SO_ERROR", SOL_SOCKET, SO_ERROR, OPT_ERRNO, 1,
	  "pending error, cleared by reading it (how a non-blocking "
	  "connect ended)" },
	{ "SO_TYPE", SOL_SOCKET, SO_TYPE, OPT_SOCKTYPE, 1,
	  "the socket's type" },
	{ "SO_DOMAIN", SOL_SOCKET, SO_DOMAIN, OPT_FAMILY, 1,
	  "the socket's address family" },
	{ "SO_PROTOCOL", SOL_SOCKET, SO_PROTOCOL, OPT_PROTO, 1,
	  "the socket's protocol" },
	{ "SO_ACCEPTCONN", SOL_SOCKET, SO_ACCEPTCONN, OPT_BOOL, 1,
	  "whether the socket is listening" },
	{ "SO_MEMINFO", SOL_SOCKET, SO_MEMINFO, OPT_MEMINFO, 1,
	  "the kernel's memory counters for the socket's queues" },
	{ "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, OPT_BOOL, 0,
	  "send small segments at once (turn off Nagle's algorithm)" },
	{ "TCP_CORK", IPPROTO_TCP, TCP_CORK, OPT_BOOL, 0,
	  "hold partial segments until uncorked" },
	{ "TCP_QUICKACK", IPPROTO_TCP, TCP_QUICKACK, OPT_BOOL, 0,
	  "acknowledge at once instead of delaying" },
	{ "TCP_MAXSEG", IPPROTO_TCP, TCP_MAXSEG, OPT_INT, 0,
	  "maximum segment size" },
	{ "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, OPT_INT, 0,
	  "idle seconds before the first keepalive probe" },
	{ "TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, OPT_INT, 0,
	  "seconds between keepalive probes" },
	{ "TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, OPT_INT, 0,
	  "probes lost before the connection is dropped" },
	{ "TCP_USER_TIMEOUT", IPPROTO_TCP, TCP_USER_TIMEOUT, OPT_INT, 0,
	  "milliseconds unacknowledged data may wait before the "
	  "connection is dropped" },
	{ "TCP_INFO", IPPROTO_TCP, TCP_INFO, OPT_TCPINFO, 1,
	  "the kernel's view of the connection: state, rtt, cwnd, "
	  "retransmits, ... (info shows it readably)" },
	{ "IP_TTL", IPPROTO_IP, IP_TTL, OPT_INT, 0,
	  "time to live of outgoing IPv4 packets" },
	{ "IP_TOS", IPPROTO_IP, IP_TOS, OPT_INT, 0,
	  "type of service byte of outgoing IPv4 packets" },
	{ "IP_MULTICAST_TTL", IPPROTO_IP, IP_MULTICAST_TTL, OPT_INT, 0,
	  "time to live of outgoing IPv4 multicast" },
	{ "IP_MULTICAST_LOOP", IPPROTO_IP, IP_MULTICAST_LOOP, OPT_BOOL, 0,
	  "loop IPv4 multicast back to this host" },
	{ "IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, OPT_BOOL, 0,
	  "an IPv6 socket refuses IPv4-mapped traffic" },
	{ "IPV6_UNICAST_HOPS", IPPROTO_IPV6, IPV6_UNICAST_HOPS, OPT_INT, 0,
	  "hop limit of outgoing IPv6 packets" },
	/* Multicast, strings, structs and the options ancillary data needs. */
	{ "IP_ADD_MEMBERSHIP", IPPROTO_IP, IP_ADD_MEMBERSHIP, OPT_MREQ, 0,
	  "join an IPv4 multicast group: GROUP [IFADDR|IFNAME]" },
	{ "IP_DROP_MEMBERSHIP", IPPROTO_IP, IP_DROP_MEMBERSHIP, OPT_MREQ, 0,
	  "leave an IPv4 multicast group: GROUP [IFADDR|IFNAME]" },
	{ "IP_MULTICAST_IF", IPPROTO_IP, IP_MULTICAST_IF, OPT_INADDR, 0,
	  "the local address IPv4 multicast is sent from" },
	{ "IPV6_JOIN_GROUP", IPPROTO_IPV6, IPV6_JOIN_GROUP, OPT_MREQ6, 0,
	  "join an IPv6 multicast group: GROUP [IFNAME]" },
	{ "IPV6_LEAVE_GROUP", IPPROTO_IPV6, IPV6_LEAVE_GROUP, OPT_MREQ6, 0,
	  "leave an IPv6 multicast group: GROUP [IFNAME]" },
	{ "IPV6_MULTICAST_IF", IPPROTO_IPV6, IPV6_MULTICAST_IF, OPT_IFINDEX, 0,
	  "the interface IPv6 multicast is sent on (name or index)" },
	{ "IPV6_MULTICAST_HOPS", IPPROTO_IPV6, IPV6_MULTICAST_HOPS, OPT_INT, 0,
	  "hop limit of outgoing IPv6 multicast" },
	{ "IPV6_MULTICAST_LOOP", IPPROTO_IPV6, IPV6_MULTICAST_LOOP, OPT_BOOL, 0,
	  "loop IPv6 multicast back to this host" },
	{ "SO_BINDTODEVICE", SOL_SOCKET, SO_BINDTODEVICE, OPT_STRING, 0,
	  "send and receive only through this interface (\"\" for any)" },
	{ "TCP_CONGESTION", IPPROTO_TCP, TCP_CONGESTION, OPT_STRING, 0,
	  "congestion control algorithm (cubic, reno, bbr...)" },
	{ "SO_PEERCRED", SOL_SOCKET, SO_PEERCRED, OPT_UCRED, 1,
	  "pid, uid and gid of the AF_UNIX peer" },
	{ "TCP_FASTOPEN", IPPROTO_TCP, TCP_FASTOPEN, OPT_INT, 0,
	  "a listener's queue of TCP Fast Open requests (0: off)" },
	{ "TCP_DEFER_ACCEPT", IPPROTO_TCP, TCP_DEFER_ACCEPT, OPT_INT, 0,
	  "seconds accept waits for the first data of a connection" },
	{ "SO_MARK", SOL_SOCKET, SO_MARK, OPT_INT, 0,
	  "firewall mark of outgoing packets (needs CAP_NET_ADMIN)" },
	{ "SO_TIMESTAMP", SOL_SOCKET, SO_TIMESTAMP, OPT_BOOL, 0,
	  "recvmsg shows when each packet arrived (struct timeval)" },
	{ "SO_TIMESTAMPNS", SOL_SOCKET, SO_TIMESTAMPNS, OPT_BOOL, 0,
	  "recvmsg shows when each packet arrived (struct timespec)" },
	{ "SO_PASSCRED", SOL_SOCKET, SO_PASSCRED, OPT_BOOL, 0,
	  "recvmsg shows the sender's credentials (AF_UNIX)" },
	{ "SO_BUSY_POLL", SOL_SOCKET, SO_BUSY_POLL, OPT_INT, 0,
	  "microseconds to busy-poll the device on a blocking receive" },
	{ "IP_PKTINFO", IPPROTO_IP, IP_PKTINFO, OPT_BOOL, 0,
	  "recvmsg shows each datagram's interface and address" },
	{ "IP_RECVTTL", IPPROTO_IP, IP_RECVTTL, OPT_BOOL, 0,
	  "recvmsg shows each datagram's time to live" },
	{ "IP_RECVTOS", IPPROTO_IP, IP_RECVTOS, OPT_BOOL, 0,
	  "recvmsg shows each datagram's type of service byte" },
	{ "IPV6_RECVPKTINFO", IPPROTO_IPV6, IPV6_RECVPKTINFO, OPT_BOOL, 0,
	  "recvmsg shows each datagram's interface and address" },
	{ "IPV6_RECVHOPLIMIT", IPPROTO_IPV6, IPV6_RECVHOPLIMIT, OPT_BOOL, 0,
	  "recvmsg shows each datagram's hop limit" },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct sockopt sockopt_raw = {
	NULL, 0, 0, OPT_RAW, 0, "an option by number"
};

/* Levels as typed: the C names, and these words. */
const struct name level_words[] = {
	{ "socket", SOL_SOCKET }, { "SOL_TCP", IPPROTO_TCP },
	{ "SOL_IP", IPPROTO_IP }, { "SOL_IPV6", IPPROTO_IPV6 },
	{ "SOL_UDP", IPPROTO_UDP }, { "tcp", IPPROTO_TCP },
	{ "ip", IPPROTO_IP }, { "ipv6", IPPROTO_IPV6 }, { "udp", IPPROTO_UDP },
	{ NULL, 0 }
};

/* The table's option at this level and number, or NULL. */
const struct sockopt *
sockopt_by_number(int level, int optname)
{
	const struct sockopt	*o;

	for (o = sockopts; o->name != NULL; o++)
		if (o->level == level && o->optname == optname)
			return o;
	return NULL;
}

/*
 * By name, in any case, with or without its prefix: SO_REUSEADDR, reuseaddr,
 * TCP_NODELAY, nodelay, IPV6_V6ONLY, v6only.
 */
const struct sockopt *
sockopt_find(const char *s)
{
	const struct sockopt	*o;
	const char		*bare;

	for (o = sockopts; o->name != NULL; o++) {
		if (strcasecmp(o->name, s) == 0)
			return o;
	}
	for (o = sockopts; o->name != NULL; o++) {
		bare = strchr(o->name, '_') + 1;
		if (strcasecmp(bare, s) == 0)
			return o;
	}
	return NULL;
}

/* The name of value v, or NULL. */
const char *
name_of(const struct name *t, int v)
{
	for (; t->name != NULL; t++) {
		if (t->value == v)
			return t->name;
	}
	return NULL;
}

/* A flag word as NAME|NAME, with any unknown bits in hex; 0 for none. */
void
flags_format(struct buf *b, const struct name *t, int v)
{
	int	first = 1;

	if (v == 0) {
		buf_addc(b, '0');
		return;
	}
	for (; t->name != NULL; t++) {
		if (t->value != 0 && (v & t->value) == t->value) {
			buf_printf(b, "%s%s", first ? "" : "|", t->name);
			v &= ~t->value;
			first = 0;
		}
	}
	if (v != 0)
		buf_printf(b, "%s%#x", first ? "" : "|", v);
}

/* A flag word written as a number, decimal or 0x hex; -1 if it is none. */
static long long
flag_number(const char *w)
{
	char		*end;
	long long	 v;

	if (*w < '0' || *w > '9')
		return -1;
	errno = 0;
	v = strtoll(w, &end, 0);
	if (errno != 0 || *end != '\0' || v <= 0 || v > INT_MAX)
		return -1;
	return v;
}

/*
 * Parse flags joined by | or , from t, by C name or without its prefix
 * (MSG_PEEK or peek), and with nums set by number too (64, 0x40). Returns
 * 0, or -1 when a word is none of them.
 */
static int
flags_parse_any(const struct name *t, const char *s, int *out, int nums)
{
	const struct name *n;
	char	 word[64];
	size_t	 len;
	int	 v = 0;
	const char *p;
	long long num = 0;

	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	while (*s != '\0') {
		len = strcspn(s, "|,");
		if (len == 0 || len >= sizeof word)
			return -1;
		memcpy(word, s, len);
		word[len] = '\0';
		for (n = t; n->name != NULL; n++) {
			p = strchr(n->name, '_');
			if (strcasecmp(n->name, word) == 0 ||
			    (p != NULL && strcasecmp(p + 1, word) == 0))
				break;
		}
		if (n->name == NULL && (!nums || (num = flag_number(word)) <= 0))
			return -1;
		v |= n->name != NULL ? n->value : (int)num;
		s += len;
		/* A separator must be followed by another flag: "peek|" is bad. */
		if (*s != '\0' && *++s == '\0')
			return -1;
	}
	if (v == 0)
		return -1;	/* the empty string names no flag */
	*out = v;
	return 0;
}

int
flags_parse(const struct name *t, const char *s, int *out)
{
	return flags_parse_any(t, s, out, 0);
}

/* MSG_ flags, by name or number (the trace shows their names). */
int
msgflags_parse(const char *s, int *out)
{
	return flags_parse_any(msgflag_names, s, out, 1);
}

#define E(x)	{ #x, x }
static const struct name errno_names[] = {
	E(EPERM), E(ENOENT), E(ESRCH), E(EINTR), E(EIO), E(ENXIO), E(E2BIG),
	E(ENOEXEC), E(EBADF), E(ECHILD), E(EAGAIN), E(ENOMEM), E(EACCES),
	E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV), E(ENODEV), E(ENOTDIR),
	E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE), E(ENOTTY), E(EFBIG),
	E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK), E(EPIPE), E(EDOM),
	E(ERANGE), E(EDEADLK), E(ENAMETOOLONG), E(ENOLCK), E(ENOSYS),
	E(ENOTEMPTY), E(ELOOP), E(ENOMSG), E(ENOTSOCK), E(EDESTADDRREQ),
	E(EMSGSIZE), E(EPROTOTYPE), E(ENOPROTOOPT), E(EPROTONOSUPPORT),
	E(ESOCKTNOSUPPORT), E(EOPNOTSUPP), E(EPFNOSUPPORT), E(EAFNOSUPPORT),
	E(EADDRINUSE), E(EADDRNOTAVAIL), E(ENETDOWN), E(ENETUNREACH),
	E(ENETRESET), E(ECONNABORTED), E(ECONNRESET), E(ENOBUFS), E(EISCONN),
	E(ENOTCONN), E(ESHUTDOWN), E(ETOOMANYREFS), E(ETIMEDOUT),
	E(ECONNREFUSED), E(EHOSTDOWN), E(EHOSTUNREACH), E(EALREADY),
	E(EINPROGRESS), E(ECANCELED), E(EPROTO), E(EBADMSG), E(EOVERFLOW),
	E(EILSEQ), { NULL, 0 }
};

/* getaddrinfo's errors, as EAI_ERR keeps them. */
#define A(x)	{ #x, EAI_ERR(x) }
static const struct name eai_names[] = {
	A(EAI_BADFLAGS), A(EAI_NONAME), A(EAI_AGAIN), A(EAI_FAIL),
	A(EAI_NODATA), A(EAI_FAMILY), A(EAI_SOCKTYPE), A(EAI_SERVICE),
	A(EAI_ADDRFAMILY), A(EAI_MEMORY), A(EAI_SYSTEM), A(EAI_OVERFLOW),
	{ NULL, 0 }
};

/* The text of an errno, or of an EAI error kept as EAI_ERR. */
const char *
err_text(int e)
{
	if (IS_EAI_ERR(e))
		return gai_strerror(EAI_ERRBASE - e);
	return strerror(e);
}

/* The errno's C name ("ECONNREFUSED"), or "E<number>" if unknown. */
const char *
errno_name(int e)
{
	static char	 other[24];
	const char	*s;

	if (IS_EAI_ERR(e) && (s = name_of(eai_names, e)) != NULL)
		return s;
	if ((s = name_of(errno_names, e)) != NULL)
		return s;
	snprintf(other, sizeof other, "E%d", e);
	return other;
}

/* The errno with this C name; 0 for none, 0, ok; -1 if unknown. */
int
errno_by_name(const char *name)
{
	int	e;

	if (strcmp(name, "none") == 0 || strcmp(name, "0") == 0 ||
	    strcmp(name, "ok") == 0)
		return 0;
	for (e = 1; e < 256; e++)
		if (strcmp(errno_name(e), name) == 0)
			return e;
	for (e = 0; eai_names[e].name != NULL; e++)
		if (strcmp(eai_names[e].name, name) == 0)
			return eai_names[e].value;
	return -1;
}
