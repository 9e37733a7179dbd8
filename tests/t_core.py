"""The core: transcripts of script sessions, checked line by line.

Scripts come on stdin or from a file; ephemeral ports are captured with
<NAME> placeholders (see lib.transcript) rather than fixed.
"""
import os
import shutil

import re

import lib
from lib import check


def test_echo_both_halves_in_one_session():
    s = lib.Session()
    try:
        s.send("bind 127.0.0.1 0")
        port = s.expect(r"getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)\}").group(1).decode()
        s.send("listen 5")
        s.expect(r"^listen\(3, 5\) = 0$")
        s.send("socket")
        s.expect(r"^socket\(AF_INET, SOCK_STREAM, IPPROTO_TCP\) = 4$")
        s.send("connect localhost " + port)
        s.expect(r"^connect\(4, \{AF_INET, 127\.0\.0\.1:%s\}, 16\) = 0$" % port)
        s.send("send holle world!")
        s.expect(r'^send\(4, "holle world!", 12, 0\) = 12$')
        s.send("on 3 accept")
        s.expect(r"^accept\(3, \{AF_INET, 127\.0\.0\.1:\d+\}, \[16\]\) = 5$")
        s.send("recv 1024")
        s.expect(r'^recv\(5, "holle world!", 1024, 0\) = 12$')
        s.send('send "HOLLE WORLD!"')
        s.send("on 4 recv 1024")
        s.expect(r'^recv\(4, "HOLLE WORLD!", 1024, 0\) = 12$')
        s.send("close")
        s.expect(r"^close\(5\) = 0$")
        status, out = s.close()
        check(status == 0, "status %d\n%s" % (status, out))
        # The whole conversation, exactly.
        lib.transcript(out, """
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
bind(3, {AF_INET, 127.0.0.1:0}, 16) = 0
getsockname(3, {AF_INET, 127.0.0.1:<PORT>}, [16]) = 0
listen(3, 5) = 0
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4
getaddrinfo("localhost", "<PORT>", {ai_family=AF_INET, ai_socktype=SOCK_STREAM}, &res) = 0 ([127.0.0.1:<PORT>])
connect(4, {AF_INET, 127.0.0.1:<PORT>}, 16) = 0
send(4, "holle world!", 12, 0) = 12
accept(3, {AF_INET, 127.0.0.1:<CPORT>}, [16]) = 5
recv(5, "holle world!", 1024, 0) = 12
send(5, "HOLLE WORLD!", 12, 0) = 12
recv(4, "HOLLE WORLD!", 1024, 0) = 12
close(5) = 0
""", {"PORT": port})
    finally:
        s.kill()


def test_socketpair_conversation():
    out, err = lib.run_ok("""\
socketpair
sendall "GET / HTTP/1.0\\r\\n\\r\\n"
use 4
recv 5
recv 100 peek
recv 100 dontwait
send x
use 3
recv 1
shutdown wr
on 4 recv
close
close 4
list
""")
    lib.transcript(out, r"""
socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
send(3, "GET / HTTP/1.0\r\n\r\n", 18, 0) = 18
recv(4, "GET /", 5, 0) = 5
recv(4, " HTTP/1.0\r\n\r\n", 100, MSG_PEEK) = 13
recv(4, " HTTP/1.0\r\n\r\n", 100, MSG_DONTWAIT) = 13
send(4, "x", 1, 0) = 1
recv(3, "x", 1, 0) = 1
shutdown(3, SHUT_WR) = 0
recv(4, "", 65536, 0) = 0
EOF: the peer closed its end of the connection (orderly shutdown)
close(3) = 0
close(4) = 0
no sockets (make one with socket, bind or connect)
""")
    check(err == "", "stderr: %r" % err)


def test_socketpair_types():
    out, err = lib.run_ok("""\
socketpair dgram
send "a b"
on 4 recvfrom
socketpair seqpacket
send hi
on 6 recv 1
socketpair SOCK_STREAM
""")
    lib.transcript(out, """
socketpair(AF_UNIX, SOCK_DGRAM, 0, [3, 4]) = 0
send(3, "a b", 3, 0) = 3
recvfrom(4, "a b", 65536, 0, NULL, [0]) = 3
socketpair(AF_UNIX, SOCK_SEQPACKET, 0, [5, 6]) = 0
send(5, "hi", 2, 0) = 2
recv(6, "h", 1, 0) = 1
the datagram was 2 bytes: the 1 past the buffer were lost (MSG_TRUNC; a datagram is read whole or cut short, never in parts); recv 2 reads it all
socketpair(AF_UNIX, SOCK_STREAM, 0, [7, 8]) = 0
""")


def test_socket_types_and_families():
    out, err = lib.run_ok("""\
socket
socket udp
socket tcp inet6
socket inet6 udp
socket AF_INET6 SOCK_DGRAM
socket unix
socket dgram unix
socket seqpacket unix
socket stream AF_INET
list
""")
    lib.transcript(out, """
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP) = 4
socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 5
socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP) = 6
socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP) = 7
socket(AF_UNIX, SOCK_STREAM, 0) = 8
socket(AF_UNIX, SOCK_DGRAM, 0) = 9
socket(AF_UNIX, SOCK_SEQPACKET, 0) = 10
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 11
   FD  FAMILY TYPE      STATE  KERNEL  RECV-Q  SEND-Q  LOCAL      PEER  IN  OUT  MODE
    3  inet   tcp       new    CLOSE        0       0  0.0.0.0:0  -      0    0  blocking
    4  inet   udp       new    -            0       0  0.0.0.0:0  -      0    0  blocking
    5  inet6  tcp       new    CLOSE        0       0  [::]:0     -      0    0  blocking
    6  inet6  udp       new    -            0       0  [::]:0     -      0    0  blocking
    7  inet6  udp       new    -            0       0  [::]:0     -      0    0  blocking
    8  unix   stream    new    -            0       0  -          -      0    0  blocking
    9  unix   dgram     new    -            0       0  -          -      0    0  blocking
   10  unix   seqpacket new    -            0       0  -          -      0    0  blocking
*  11  inet   tcp       new    CLOSE        0       0  0.0.0.0:0  -      0    0  blocking
""")


def test_unix_stream_in_temp_dir():
    d = lib.tempdir()
    try:
        path = os.path.join(d, "s.sock")
        out, err = lib.run_ok("""\
socket unix
bind {p}
listen
socket unix
connect {p}
send abc
on 3 accept
recv
getsockname
shutdown wr
on 4 recv
close
close 4
list
""".format(p=path))
        lib.transcript(out, """
socket(AF_UNIX, SOCK_STREAM, 0) = 3
bind(3, {{AF_UNIX, "{p}"}}, {n}) = 0
listen(3, 128) = 0
socket(AF_UNIX, SOCK_STREAM, 0) = 4
connect(4, {{AF_UNIX, "{p}"}}, {n}) = 0
send(4, "abc", 3, 0) = 3
accept(3, {{AF_UNIX}}, [2]) = 5
recv(5, "abc", 65536, 0) = 3
getsockname(5, {{AF_UNIX, "{p}"}}, [{n}]) = 0
shutdown(5, SHUT_WR) = 0
recv(4, "", 65536, 0) = 0
EOF: the peer closed its end of the connection (orderly shutdown)
close(5) = 0
close(4) = 0
   FD  FAMILY TYPE      STATE          KERNEL RECV-Q SEND-Q LOCAL                  PEER                         IN      OUT  MODE
*   3  unix   stream    listening      -      0      128    {p} -                             0        0  blocking
""".format(p=path, n=2 + len(path) + 1))
        check(os.path.exists(path), "bind made no socket file")
    finally:
        shutil.rmtree(d)


def test_unix_autosocket_and_abstract():
    # With no socket, bind to a path makes an AF_UNIX stream socket.
    name = "@sockrepl-test-%d" % os.getpid()
    out, err = lib.run_ok("""\
bind {n}
listen 1
socket unix
connect {n}
getpeername
""".format(n=name))
    lib.transcript(out, """
socket(AF_UNIX, SOCK_STREAM, 0) = 3
bind(3, {{AF_UNIX, @"{a}"}}, {l}) = 0
listen(3, 1) = 0
socket(AF_UNIX, SOCK_STREAM, 0) = 4
connect(4, {{AF_UNIX, @"{a}"}}, {l}) = 0
getpeername(4, {{AF_UNIX, @"{a}"}}, [{l}]) = 0
""".format(a=name[1:], l=2 + len(name)))


def test_unix_dgram_sendto_path():
    d = lib.tempdir()
    try:
        a, b = os.path.join(d, "a"), os.path.join(d, "b")
        out, err = lib.run_ok("""\
socket dgram unix
bind {a}
socket dgram unix
bind {b}
sendto "one two" 3 {a}
on 3 recvfrom 100
""".format(a=a, b=b))
        lib.transcript(out, """
socket(AF_UNIX, SOCK_DGRAM, 0) = 3
bind(3, {{AF_UNIX, "{a}"}}, {n}) = 0
socket(AF_UNIX, SOCK_DGRAM, 0) = 4
bind(4, {{AF_UNIX, "{b}"}}, {n}) = 0
sendto(4, "one two 3", 9, 0, {{AF_UNIX, "{a}"}}, {n}) = 9
recvfrom(3, "one two 3", 100, 0, {{AF_UNIX, "{b}"}}, [{n}]) = 9
""".format(a=a, b=b, n=2 + len(a) + 1))
    finally:
        shutil.rmtree(d)


def test_udp_to_self():
    s = lib.Session()
    try:
        s.send("socket udp")
        s.send("bind 127.0.0.1 0")
        port = s.expect(r"getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)\}"
                        ).group(1).decode()
        s.send("sendto ping 127.0.0.1 " + port)
        s.send("recvfrom 100")
        s.send("sendto '42' 127.0.0.1:" + port)
        s.send("recvfrom 1 trunc")
        s.send("connect 127.0.0.1 " + port)
        s.send("send via connect")
        s.send("recv")
        status, out = s.close()
        check(status == 0, "status %d\n%s" % (status, out))
        lib.transcript(out, """
socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP) = 3
bind(3, {AF_INET, 127.0.0.1:0}, 16) = 0
getsockname(3, {AF_INET, 127.0.0.1:<P>}, [16]) = 0
sendto(3, "ping", 4, 0, {AF_INET, 127.0.0.1:<P>}, 16) = 4
recvfrom(3, "ping", 100, 0, {AF_INET, 127.0.0.1:<P>}, [16]) = 4
sendto(3, "42", 2, 0, {AF_INET, 127.0.0.1:<P>}, 16) = 2
recvfrom(3, "4", 1, MSG_TRUNC, {AF_INET, 127.0.0.1:<P>}, [16]) = 2
the datagram was 2 bytes; the 1 that fit the buffer are shown
connect(3, {AF_INET, 127.0.0.1:<P>}, 16) = 0
send(3, "via connect", 11, 0) = 11
recv(3, "via connect", 65536, 0) = 11
""", {"P": port})
    finally:
        s.kill()


def test_udp_autosocket_sendto():
    lib.need_ipv6()
    # sendto with no socket makes a UDP socket of the address's family.
    s = lib.Session()
    try:
        s.send("bind [::1]:0")
        s.send("socket AF_INET6 udp")
        s.send("bind ::1 0")
        port = s.expect(r"getsockname\(4, \{AF_INET6, \[::1\]:(\d+)\}"
                        ).group(1).decode()
        s.send("close 3")
        s.send("use 4")
        s.send("close")
        s.send("sendto x [::1]:" + port)
        status, out = s.close()
        lib.transcript(out, """
socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 3
bind(3, {AF_INET6, [::1]:0}, 28) = 0
getsockname(3, {AF_INET6, [::1]:<Q>}, [28]) = 0
socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP) = 4
bind(4, {AF_INET6, [::1]:0}, 28) = 0
getsockname(4, {AF_INET6, [::1]:<P>}, [28]) = 0
close(3) = 0
close(4) = 0
socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP) = 3
sendto(3, "x", 1, 0, {AF_INET6, [::1]:<P>}, 28) = 1
""", {"P": port})
        check(status == 0, "status %d" % status)
    finally:
        s.kill()


def test_recv_trunc_on_tcp_shows_no_garbage():
    # TCP's MSG_TRUNC skips bytes without filling the buffer: nothing may
    # be shown as data (it would be whatever the heap held).
    s = lib.Session()
    try:
        s.send("bind 127.0.0.1 0")
        port = s.expect(r"getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)\}"
                        ).group(1).decode()
        s.send("listen")
        s.send("socket")
        s.send("connect 127.0.0.1 " + port)
        s.send("send hello world, some data")
        s.send("on 3 accept")
        s.send("recv 6 trunc")
        s.send("recv 100 peek|trunc")
        s.send("recv 100")
        status, out = s.close()
        check(status == 0, "status %d" % status)
        check(out.endswith("""\
recv(5, "", 6, MSG_TRUNC) = 6
6 bytes thrown away, not copied (MSG_TRUNC on a TCP socket)
recv(5, "", 100, MSG_PEEK|MSG_TRUNC) = 16
16 bytes waiting, not copied (MSG_TRUNC on a TCP socket)
recv(5, "world, some data", 100, 0) = 16
"""), out)
    finally:
        s.kill()
    # On a UNIX stream socket MSG_TRUNC is ignored: the data is shown.
    out, err = lib.run_ok("socketpair\nsend hello\non 4 recv 3 trunc\n")
    check(out.endswith('recv(4, "hel", 3, MSG_TRUNC) = 3\n'), out)


def test_eof_after_own_shutdown_rd():
    out, err = lib.run_ok("socketpair\nshutdown rd\nrecv\nshutdown rdwr\n"
                          "on 4 recv\n")
    lib.transcript(out, """
socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
shutdown(3, SHUT_RD) = 0
recv(3, "", 65536, 0) = 0
EOF: this side shut down reading (shutdown rd), so recv returns 0
shutdown(3, SHUT_RDWR) = 0
recv(4, "", 65536, 0) = 0
EOF: the peer closed its end of the connection (orderly shutdown)
""")


def test_script_file_and_stdin_agree():
    d = lib.tempdir()
    try:
        script = "socketpair\nsend 'hi there'\non 4 recv\n"
        f = os.path.join(d, "t.srepl")
        with open(f, "w") as fh:
            fh.write(script)
        out1, _ = lib.run_ok("", [f])
        out2, _ = lib.run_ok(script)
        out3, _ = lib.run_ok(script, ["-"])
        check(out1 == out2 == out3, "file, stdin and - differ:\n%s\n%s\n%s"
              % (out1, out2, out3))
        check('recv(4, "hi there", 65536, 0) = 8' in out1, out1)
        # Errors in a file name the file and the line.
        with open(f, "w") as fh:
            fh.write("# a comment\n\nbogus\n")
        st, out, err = lib.run("", [f])
        check(st == 1, "status %d" % st)
        check(err == "%s:line 3: unknown command \"bogus\" (help lists the "
              "commands)\n" % f, "stderr %r" % err)
    finally:
        shutil.rmtree(d)


def test_blank_lines_and_comments():
    out, err = lib.run_ok("""\

# a comment line
   # an indented comment
\t
socketpair   # a comment after a command
send "# not a comment"   # but this is
on 4 recv
""")
    lib.transcript(out, """
socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
send(3, "# not a comment", 15, 0) = 15
recv(4, "# not a comment", 65536, 0) = 15
""")
    check(err == "", err)
    # Line numbers count blank and comment lines.
    st, out, err = lib.run("\n# c\n\nnope\n")
    check(st == 1 and err.startswith("line 4: "), "%d %r" % (st, err))


def test_crlf_script():
    # A script saved with CRLF line ends still runs.
    out, err = lib.run_ok("socketpair\r\nsend hi\r\non 4 recv\r\n")
    check('recv(4, "hi", 65536, 0) = 2' in out, out + err)


def test_no_final_newline():
    out, err = lib.run_ok("socketpair\nsend last")
    check(out.endswith('send(3, "last", 4, 0) = 4\n'), out)


def test_quiet_shows_results_only():
    out, err = lib.run_ok("""\
socketpair
send hello
on 4 recv
socket udp
bind 127.0.0.1:0
getsockname
fileno
gettimeout
connect_ex 127.0.0.1:9
""", ["-q"])
    lib.transcript(out, """
3 4
"hello"
5
127.0.0.1:<P>
127.0.0.1:<P>
5
none
0
""")


def test_quiet_accept_and_recvfrom():
    s = lib.Session(["-q"])
    try:
        s.send("socket udp")
        s.send("bind 127.0.0.1 0")
        port = s.expect(r"^127\.0\.0\.1:(\d+)$").group(1).decode()
        s.send("sendto hi 127.0.0.1 " + port)
        s.send("recvfrom")
        s.send("bind 127.0.0.1:0")
        s.send("socket")
        s.send("bind 127.0.0.1 0")
        tport = s.expect(r"^127\.0\.0\.1:(\d+)$").group(1).decode()
        s.send("listen")
        s.send("socket")
        s.send("connect 127.0.0.1 " + tport)
        s.send("on 4 accept")
        status, out = s.close()
        lib.transcript(out, """
3
127.0.0.1:<P>
"hi"
from 127.0.0.1:<P>
line 5: bind: EINVAL: the socket is already bound (a socket binds once), or the address does not fit it
4
127.0.0.1:<T>
5
6 127.0.0.1:<C>
""", {"P": port, "T": tport})
        check(status == 1, "the second bind of 3 should fail: %d" % status)
    finally:
        s.kill()


def test_quiet_long_option_and_errors_still_shown():
    st, out, err = lib.run("socketpair\nrecv 1 bogus\n", ["--quiet"])
    check(st == 1, "status %d" % st)
    check(out == "3 4\n", repr(out))
    check("line 2:" in err and "bogus" in err, err)


def test_recv_binary_and_long_text():
    out, err = lib.run_ok(r"""socketpair
send "\x00\x01\x02\xff\x1b[2J binary"
on 4 recv
send "abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz\n2nd line\n"
on 4 recv
""")
    lib.transcript(out, r"""
socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0
send(3, "\0\x01\x02\xff\x1b[2J binary", 15, 0) = 15
recv(4, buf, 65536, 0) = 15
< 00000000  00 01 02 ff 1b 5b 32 4a  20 62 69 6e 61 72 79     |.....[2J binary|
send(3, "abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstu"..., 90, 0) = 90
recv(4, buf, 65536, 0) = 90
  "abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrstuvwxyz abcdefghijklmnopqrs"
  "tuvwxyz\n"
  "2nd line\n"
""")
    check("\x1b" not in out, "raw escape byte printed")


def test_sendall_partial_sends():
    # With a small send buffer and a timeout (non-blocking fd), one send
    # cannot take 60000 bytes: sendall must loop until all are sent.
    import socket
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    srv.settimeout(lib.TIMEOUT)
    port = srv.getsockname()[1]
    size = 60000

    def reader():
        c, _ = srv.accept()
        c.settimeout(lib.TIMEOUT)
        got = b""
        while True:
            b = c.recv(1 << 16)
            if not b:
                break
            got += b
        c.close()
        return got
    h = lib.in_thread(reader)
    data = "".join(chr(ord("a") + i % 26) for i in range(size))
    out, err = lib.run_ok("socket\nsetsockopt SO_SNDBUF 4096\n"
                          "settimeout 5\nconnect 127.0.0.1 %d\n"
                          "sendall %s\nclose\n" % (port, data))
    check(h.join() == data.encode(), "peer got different bytes")
    sends = [l for l in out.splitlines() if l.startswith("send(3, ")]
    check(len(sends) >= 2, "one send took it all?\n" + out)
    check(sends[0].startswith('send(3, "abcdefghijklmnopqrstuvwxyzabcdefghijk'
                              'lmnopqrstuv"..., 60000, 0) = '), sends[0])
    total = sum(int(l.rsplit("= ", 1)[1]) for l in sends)
    more = [l for l in out.splitlines() if l.startswith("... ")]
    if more:
        check(more[0].endswith(": 60000 of 60000 bytes sent"), more[0])
    else:
        check(total == size, "shown sends add up to %d" % total)
    srv.close()


def test_list_after_errors_keeps_sockets():
    out, err = lib.run_ok("socketpair\nsocket udp\nuse 3\nlist\n")
    lines = [l for l in out.splitlines() if l[:5].strip().lstrip("*").strip().isdigit()]
    check(len(lines) == 3 and re.match(r"\* +3 ", lines[0]), out)


def test_socket_options():
    st, out, err = lib.run("""\
socket
setsockopt SO_REUSEADDR true
getsockopt SO_REUSEADDR
setsockopt reuseaddr 0
getsockopt so_reuseaddr
setsockopt SO_LINGER on 5
getsockopt SO_LINGER
setsockopt TCP_NODELAY 1
getsockopt TCP_NODELAY
setsockopt SO_RCVTIMEO 1.5
getsockopt SO_RCVTIMEO
setsockopt SO_SNDTIMEO 1.9999999
getsockopt SO_ERROR
setsockopt SO_ERROR 1
getsockopt SO_TYPE
getsockopt SO_DOMAIN
getsockopt SO_PROTOCOL
getsockopt SO_ACCEPTCONN
setsockopt SO_RCVBUF 99999999999
socket inet6
setsockopt IPV6_V6ONLY 1
getsockopt IPV6_V6ONLY
socketpair
setsockopt TCP_NODELAY 1
""")
    check(st == 1, "status %d" % st)
    lib.transcript(out, """
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
getsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], [4]) = 0
setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [0], 4) = 0
getsockopt(3, SOL_SOCKET, SO_REUSEADDR, [0], [4]) = 0
setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, 8) = 0
getsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=5}, [8]) = 0
setsockopt(3, IPPROTO_TCP, TCP_NODELAY, [1], 4) = 0
getsockopt(3, IPPROTO_TCP, TCP_NODELAY, [1], [4]) = 0
setsockopt(3, SOL_SOCKET, SO_RCVTIMEO, {tv_sec=1, tv_usec=500000}, 16) = 0
getsockopt(3, SOL_SOCKET, SO_RCVTIMEO, {tv_sec=1, tv_usec=500000}, [16]) = 0
setsockopt(3, SOL_SOCKET, SO_SNDTIMEO, {tv_sec=2, tv_usec=0}, 16) = 0
getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0
getsockopt(3, SOL_SOCKET, SO_TYPE, [SOCK_STREAM], [4]) = 0
getsockopt(3, SOL_SOCKET, SO_DOMAIN, [AF_INET], [4]) = 0
getsockopt(3, SOL_SOCKET, SO_PROTOCOL, [IPPROTO_TCP], [4]) = 0
getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, [0], [4]) = 0
socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 4
setsockopt(4, IPPROTO_IPV6, IPV6_V6ONLY, [1], 4) = 0
getsockopt(4, IPPROTO_IPV6, IPV6_V6ONLY, [1], [4]) = 0
socketpair(AF_UNIX, SOCK_STREAM, 0, [5, 6]) = 0
setsockopt(5, IPPROTO_TCP, TCP_NODELAY, [1], 4) = -1 EOPNOTSUPP (Operation not supported)
""")
    check(err.splitlines() == [
        "line 14: setsockopt: SO_ERROR can only be read (getsockopt SO_ERROR)",
        "line 19: setsockopt: SO_RCVBUF 99999999999: too large (at most 2147483647)",
        "line 24: setsockopt: EOPNOTSUPP: this option does not apply to "
        "this kind of socket (IPV6_* needs AF_INET6, TCP_* a TCP socket)"],
        err)


def test_current_socket_use_on_close():
    s = lib.Session()
    try:
        s.send("bind 127.0.0.1 0")
        port = s.expect(r"getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)\}"
                        ).group(1).decode()
        s.send("listen")
        s.send("socket")
        s.send("connect 127.0.0.1 " + port)
        s.send("use 3")
        s.send("accept")
        # The accepted socket is current; on runs elsewhere without moving it.
        s.send("on 4 send x")
        s.send("fileno")
        s.send("recv 1")
        # Closing an accepted socket makes its listener current again.
        s.send("close")
        s.send("fileno")
        s.send("close 4")
        s.send("fileno")
        s.send("close")
        s.send("fileno")
        status, out = s.close()
        lib.transcript(out, """
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
bind(3, {AF_INET, 127.0.0.1:0}, 16) = 0
getsockname(3, {AF_INET, 127.0.0.1:<P>}, [16]) = 0
listen(3, 128) = 0
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4
connect(4, {AF_INET, 127.0.0.1:<P>}, 16) = 0
accept(3, {AF_INET, 127.0.0.1:<C>}, [16]) = 5
send(4, "x", 1, 0) = 1
5
recv(5, "x", 1, 0) = 1
close(5) = 0
3
close(4) = 0
3
close(3) = 0
line 15: fileno: no socket yet (make one with socket, or bind or connect an address)
""", {"P": port})
        check(status == 1, "status %d" % status)
    finally:
        s.kill()


if __name__ == "__main__":
    lib.main()
