"""sendmsg and recvmsg with ancillary data: sockets passed over a UNIX
socket (SCM_RIGHTS) enter the receiver's table and work (accept on a passed
listener, receive on a passed connection), credentials (SCM_CREDENTIALS
with SO_PASSCRED), IP control messages and msg_flags; exported to C and
Python, and under strace the programs make the session's calls."""
import array
import os
import re
import shutil
import socket

import lib
from lib import check
import t_msg
from t_msg import exported, tempdir


def test_fd_passing_a_listener_then_accept_on_it():
    """A listening socket passed through a socketpair arrives as a new fd
    with its real family, type and state, and accepts like any other."""
    out, got = exported("""socket
bind 127.0.0.1 0
listen
set p $port
socketpair
sendmsg "take this" fds 3
on 5 recvmsg
expect "take this"
close 3
socket
connect 127.0.0.1 $p
send hello
on 6 accept
recv
expect hello
""")
    check(re.search(r'^sendmsg\(4, \{msg_name=NULL, msg_namelen=0, msg_iov='
                    r'\[\{iov_base="take this", iov_len=9\}\], msg_iovlen=1,'
                    r' msg_control=\[\{cmsg_len=20, cmsg_level=SOL_SOCKET, '
                    r'cmsg_type=SCM_RIGHTS, cmsg_data=\[3\]\}\], '
                    r'msg_controllen=24, msg_flags=0\}, 0\) = 9$', out, re.M),
          out)
    check(re.search(r'^recvmsg\(5, \{msg_name=NULL, msg_namelen=0, msg_iov='
                    r'\[\{iov_base="take this", iov_len=65536\}\], '
                    r'msg_iovlen=1, msg_control=\[\{cmsg_len=20, cmsg_level='
                    r'SOL_SOCKET, cmsg_type=SCM_RIGHTS, cmsg_data=\[6\]\}\], '
                    r'msg_controllen=24, msg_flags=0\}, 0\) = 9$', out, re.M),
          out)
    check("(fd 6 arrived: inet tcp listening, now in the table)" in out, out)
    check(re.search(r"^accept\(6, \{AF_INET, 127\.0\.0\.1:\d+\}, \[16\]\) = 7$",
                    out, re.M), out)
    check(got == b"take thishello", got)


def test_fd_without_data_on_a_stream_says_nothing_was_sent():
    """An fd alone over a stream socket: the kernel returns 0 and sends
    nothing; sockrepl says so (and sends it once a byte goes with it)."""
    st, out, err = lib.run("socketpair\nsendmsg fds 3\n"
                           "on 4 recvmsg 100 dontwait\nsendmsg x fds 3\n"
                           "on 4 recvmsg\n")
    check("iov_len=0" in out and "SCM_RIGHTS" in out, out)
    check("(nothing was sent: a stream socket carries control messages only "
          "with data; send at least one byte" in out, out)
    check("EAGAIN" in out, out)
    check(out.count("nothing was sent") == 1, out)
    check(re.search(r"\(fd \d+ arrived: ", out), out)


def test_fd_passing_a_connection_then_recv_on_it():
    out, got = exported("""socketpair
socketpair
on 3 sendmsg x fds 5
on 4 recvmsg 10
on 6 send "to the passed end"
on 7 recv
expect "to the passed end"
on 7 send back
on 6 recv
expect back
""")
    check("(fd 7 arrived: unix stream connected, now in the table)" in out,
          out)
    check(re.search(r"^\s*7 +unix +stream +connected", lib.run(
        "socketpair\nsocketpair\non 3 sendmsg x fds 5\non 4 recvmsg\nlist\n")[1],
        re.M), "list does not show the passed socket")
    check(got == b"xto the passed endback", got)


def test_fd_passing_exports_the_same_calls():
    """Under strace, the exported programs make the session's sendmsg and
    recvmsg calls in order (t_export's comparison, with those two calls
    traced too)."""
    import t_export
    t_export.STRACE_CALLS += ",sendmsg,recvmsg"
    t_export.TRACED |= {"sendmsg", "recvmsg"}
    tmp = tempdir()
    trace = t_export.exported("""socketpair
socket
bind 127.0.0.1 0
listen
set p $port
on 3 sendmsg -m nosignal "the listener" fds 5
on 4 recvmsg 100
expect "the listener"
socket
connect 127.0.0.1 $p
send hi
on 6 accept
recv 10
expect hi
""", tmp, b"the listenerhi")
    check("sendmsg(3, " in trace and "recvmsg(4, " in trace, trace)
    t_export.no_strace_note()


def test_credentials_with_so_passcred():
    st, out, err = lib.run("""socketpair dgram
on 4 setsockopt SO_PASSCRED 1
sendmsg "who am i" creds
on 4 recvmsg
sendmsg "anyone"
on 4 recvmsg
""")
    check(st == 0, out + err)
    pid = r"\d+"
    check(re.search(r"cmsg_type=SCM_CREDENTIALS, cmsg_data=\{pid=%s, uid=%d, "
                    r"gid=%d\}\}\], msg_controllen=32, msg_flags=0\}, 0\) = 8"
                    % (pid, os.getuid(), os.getgid()), out), out)
    # With SO_PASSCRED on, the kernel attaches them even when not sent.
    check(len(re.findall(r"SCM_CREDENTIALS", out)) == 3, out)
    trace, got = exported("""socketpair dgram
on 4 setsockopt SO_PASSCRED 1
sendmsg "who am i" creds
on 4 recvmsg
expect "who am i"
""")
    check(got == b"who am i", got)


def test_recvmsg_flags_and_ip_control_messages():
    out, _ = lib.run_ok("""socket udp
bind 127.0.0.1 0
set p $port
setsockopt IP_PKTINFO 1
setsockopt IP_RECVTTL 1
setsockopt SO_TIMESTAMPNS 1
socket udp
sendto "a datagram too long" 127.0.0.1 $p
on 3 recvmsg 5
sendto x 127.0.0.1 $p
on 3 recvmsg 64 0 16
""")
    check(re.search(r'recvmsg\(3, \{msg_name=\{AF_INET, 127\.0\.0\.1:\d+\}, '
                    r'msg_namelen=16, msg_iov=\[\{iov_base="a dat", '
                    r'iov_len=5\}\], msg_iovlen=1, msg_control=\[', out), out)
    check(re.search(r'cmsg_level=SOL_SOCKET, cmsg_type=SO_TIMESTAMPNS, '
                    r'cmsg_data=\{tv_sec=\d+, tv_nsec=\d+\}\}', out), out)
    check(re.search(r'cmsg_level=IPPROTO_IP, cmsg_type=IP_PKTINFO, cmsg_data='
                    r'\{ipi_ifindex=if_nametoindex\("lo"\), ipi_spec_dst='
                    r'inet_addr\("127\.0\.0\.1"\), ipi_addr=inet_addr\('
                    r'"127\.0\.0\.1"\)\}\}', out), out)
    check(re.search(r'cmsg_level=IPPROTO_IP, cmsg_type=IP_TTL, cmsg_data='
                    r'\[64\]\}', out), out)
    check("msg_flags=MSG_TRUNC}, 0) = 5" in out, out)
    check("MSG_TRUNC: the datagram was longer than the 5-byte buffer" in out,
          out)
    # 16 bytes of room hold none of the three messages: MSG_CTRUNC.
    check(re.search(r"msg_flags=MSG_CTRUNC\}, 0\) = 1", out), out)
    check("MSG_CTRUNC: the control messages did not fit" in out, out)


def test_sendmsg_checks_its_words():
    st, out, err = lib.run("socketpair\nsendmsg x fds\nsendmsg x fds 99\n"
                           "sendmsg -m bogus x\nsocket udp\nsendmsg x fds 3\n")
    check(st == 1, out + err)
    check("line 2: sendmsg: fds needs one FD or more" in err, err)
    check("line 3: sendmsg: fd 99 is not a socket in the table" in err, err)
    check('line 4: sendmsg: flags "bogus"' in err, err)




def test_what_a_passed_fd_is_is_asked_behind_the_users_back():
    script = ("socket\nbind 127.0.0.1 0\nlisten\nsocketpair\n"
              "sendmsg x fds 3\non 5 recvmsg\n")
    out, _ = lib.run_ok(script, ["-v"])
    for want in ("getsockopt(6, SOL_SOCKET, SO_DOMAIN, [AF_INET], [4]) = 0",
                 "getsockopt(6, SOL_SOCKET, SO_TYPE, [SOCK_STREAM], [4]) = 0",
                 "getsockopt(6, SOL_SOCKET, SO_ACCEPTCONN, [1], [4]) = 0"):
        check(want in out, out)
    out, _ = lib.run_ok(script)
    check("SO_DOMAIN" not in out, out)
    out, _ = lib.run_ok(script, ["-q"])
    check(out.splitlines()[-1] == "fd 6", out)


def test_a_passed_fd_that_is_no_socket_is_closed():
    """A python3 peer passes a pipe: it is no socket, so it does not enter
    the table, and sockrepl closes it."""
    tmp = tempdir()
    path = os.path.join(tmp, "s")
    s = lib.Session()
    try:
        s.send("socket unix\nbind %s\nlisten" % path)
        s.expect(r"^listen\(3, 128\) = 0")
        peer = socket.socket(socket.AF_UNIX)
        peer.connect(path)
        r, w = os.pipe()
        peer.sendmsg([b"pipe"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                  array.array("i", [r]))])
        os.close(r)
        s.send("accept\nrecvmsg")
        m = s.expect(r"cmsg_data=\[(\d+)\]\}\]")
        fd = m.group(1).decode()
        s.expect(r"^\(fd %s arrived but is not a socket: closed\)" % fd)
        s.send("list")
        s.expect(r"^ +FD ")
        s.send("fileno")
        s.expect(r"^\d+$")
        check(not re.search(r"^\s*%s " % fd, s.text().split(" FD ")[-1],
                            re.M), s.text())
        # The pipe's read end was closed: a write finds no reader.
        try:
            os.write(w, b"x")
            raise lib.TestFailure("the passed pipe is still open")
        except BrokenPipeError:
            pass
        peer.close()
        os.close(w)
    finally:
        s.kill()


def test_ipv6_control_messages():
    lib.need_ipv6()
    out, _ = lib.run_ok("socket udp inet6\nbind ::1 0\nset p $port\n"
                        "setsockopt IPV6_RECVPKTINFO 1\nsetsockopt "
                        "IPV6_RECVHOPLIMIT 1\nsocket udp inet6\nsendto six "
                        "[::1]:$p\non 3 recvmsg\n")
    check(re.search(r'msg_name=\{AF_INET6, \[::1\]:\d+\}, msg_namelen=28, '
                    r'msg_iov=\[\{iov_base="six", iov_len=65536\}\]', out),
          out)
    check('cmsg_level=IPPROTO_IPV6, cmsg_type=IPV6_PKTINFO, cmsg_data='
          '{ipi6_addr=inet_pton(AF_INET6, "::1"), ipi6_ifindex='
          'if_nametoindex("lo")}}' in out, out)
    check(re.search(r"cmsg_type=IPV6_HOPLIMIT, cmsg_data=\[\d+\]\}", out),
          out)

if __name__ == "__main__":
    try:
        lib.main()
    finally:
        for d in t_msg._made:
            shutil.rmtree(d, ignore_errors=True)
