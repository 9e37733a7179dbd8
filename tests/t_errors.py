"""Bad input and exit status: every mistake is named, the session goes on,
and no socket is lost to a typo."""
import errno
import os
import random
import re
import shutil

import lib
from lib import check

LIST_HEAD = ("  FD  FAMILY  TYPE    STATE      KERNEL  RECV-Q  SEND-Q  LOCAL  "
             "PEER  IN  OUT  MODE")
PAIR_LIST = """\
*  3  unix    stream  connected  -            0       0  -      -      0    0  blocking
   4  unix    stream  connected  -            0       0  -      -      0    0  blocking
"""


def survived(out):
    """The socketpair made first is still in the table, unchanged."""
    check(out.endswith(LIST_HEAD + "\n" + PAIR_LIST),
          "sockets did not survive; output ends:\n" + out[-600:])


def test_exit_status_zero_and_one():
    st, out, err = lib.run("socketpair\n")
    check(st == 0 and err == "", "%d %r" % (st, err))
    st, out, err = lib.run("socketpair\nnosuch\nsend ok\n")
    check(st == 1, "a failed command must give status 1, got %d" % st)
    check('send(3, "ok", 2, 0) = 2' in out, "session did not go on:\n" + out)
    st, out, err = lib.run("")
    check(st == 0 and out == "" and err == "", "empty script: %d %r %r"
          % (st, out, err))


def test_usage_errors_give_two():
    for args in (["--bogus"], ["-z"], ["a", "b"]):
        st, out, err = lib.run("", args)
        check(st == 2, "%s: status %d" % (args, st))
        check(err.startswith("sockrepl: "), "%s: %r" % (args, err))
        check(out == "", "%s: stdout %r" % (args, out))
    st, out, err = lib.run("", ["--bogus"])
    check("--bogus" in err and "usage: sockrepl" in err, err)
    d = lib.tempdir()
    try:
        missing = os.path.join(d, "no-such-script")
        st, out, err = lib.run("socketpair\n", [missing])
        check(st == 2, "missing script: status %d" % st)
        check(missing in err and "No such file" in err, err)
        check(out == "", "ran stdin instead? %r" % out)
        st, out, err = lib.run("", [d])
        check(st == 2 and d in err, "directory as script: %d %r" % (st, err))
    finally:
        shutil.rmtree(d)


def test_closed_stdout_never_becomes_a_socket():
    # With fd 1 closed, a socket must not take it (the trace would go into
    # the socket): the pair is still 3 and 4.
    import subprocess
    p = subprocess.run([lib.SOCKREPL], input=b"socketpair\nuse 4\nclose 3\n"
                       b"close 4\n", stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=lib.TIMEOUT,
                       preexec_fn=lambda: os.close(1))
    err = p.stderr.decode("latin-1")
    lib.no_sanitizer_report(err)
    check(p.returncode == 0 and err == "", "%d %r" % (p.returncode, err))


def test_emfile_then_recover():
    # Out of fds: socket fails with a hint, and after a close it works.
    import resource
    import subprocess
    script = "socket\n" * 8 + "close 5\nsocket\nsocketpair\n"
    p = subprocess.run(
        [lib.SOCKREPL], input=script.encode(), capture_output=True,
        timeout=lib.TIMEOUT, preexec_fn=lambda: resource.setrlimit(
            resource.RLIMIT_NOFILE, (8, 8)))
    out, err = p.stdout.decode(), p.stderr.decode()
    if "AddressSanitizer" in err or "Sanitizer" in err:
        raise lib.Skip("the sanitizer runtime needs more fds")
    lib.no_sanitizer_report(err)
    check(p.returncode == 1, "status %d" % p.returncode)
    check("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 7\n" in out, out)
    check("socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = -1 EMFILE (Too many "
          "open files)\n" in out, out)
    check(out.endswith("close(5) = 0\nsocket(AF_INET, SOCK_STREAM, "
                       "IPPROTO_TCP) = 5\nsocketpair(AF_UNIX, SOCK_STREAM, "
                       "0, sv) = -1 EMFILE (Too many open files)\n"), out)
    check(err.splitlines()[0] == "line 6: socket: EMFILE: too many open "
          "files; close some sockets", err)


def test_help_and_version():
    st, out, err = lib.run("", ["--help"])
    check(st == 0 and out.startswith("usage: sockrepl [-eiqvwx] [--no-color] "
                                     "[-c COMMAND]... [FILE]\n"), out)
    check("--version" in out and "Exit status" in out and err == "", out)
    st2, out2, _ = lib.run("", ["-h"])
    check(st2 == 0 and out2 == out, "-h differs from --help")
    st, out, err = lib.run("", ["--version"])
    check(st == 0 and re.fullmatch(
        r"sockrepl \d+\.\d+(\.\d+)? \(tls (yes|no), wire (yes|no)\)\n", out), out)
    st2, out2, _ = lib.run("", ["-V"])
    check(st2 == 0 and out2 == out, "-V differs")


def test_help_command():
    out, err = lib.run_ok("help\nhelp send\nhelp recvf\n")
    for name in ("socket", "bind", "listen", "accept", "connect",
                 "connect_ex", "send", "sendall", "sendto", "recv",
                 "recvfrom", "setblocking", "settimeout", "gettimeout",
                 "setsockopt", "getsockopt", "getsockname", "getpeername",
                 "fileno", "shutdown", "close", "use", "list", "help",
                 "sleep", "quit"):
        check(re.search(r"\b%s\b" % name, out), "help lacks " + name)
    check("usage: send [-m FLAGS] DATA" in out, out)
    check("usage: recvfrom [-f FORMAT] [BUFSIZE [FLAGS]] [> FILE | -> NAME]" in out, "prefix for help")
    st, out, err = lib.run("help nosuch\n")
    check(st == 1 and "nosuch" in err, err)


def expect_errors(script, want, status=1):
    """Run script; stderr must be exactly the lines in want (a list)."""
    st, out, err = lib.run(script)
    check(st == status, "status %d, want %d\n%s" % (st, status, err))
    got = err.splitlines()
    for i, w in enumerate(want):
        check(i < len(got), "missing message %r\nstderr:\n%s" % (w, err))
        check(got[i] == w, "message %d:\n  want: %s\n  got:  %s"
              % (i + 1, w, got[i]))
    check(len(got) == len(want), "extra messages:\n" + err)
    return out


def test_unknown_and_ambiguous_commands():
    out = expect_errors("socketpair\nfoo\nse x\nrecvfromx\nSEND x\nlist\n", [
        'line 2: unknown command "foo" (help lists the commands)',
        'line 3: ambiguous command "se": send, sendall, sendline, sendto, '
        'sendmsg, sendfile, setblocking, settimeout, setsockopt, select, set',
        'line 4: unknown command "recvfromx" (help lists the commands)',
        'line 5: unknown command "SEND" (help lists the commands)',
    ])
    survived(out)


def test_unique_prefix_and_alias():
    out, err = lib.run_ok("socketp\nsenda hi\non 4 recvf 10\nexit\nlist\n")
    check('recvfrom(4, "hi", 10, 0, NULL, [0]) = 2' in out, out)
    check(LIST_HEAD not in out, "exit did not end the session")


def test_wrong_arg_counts_print_usage():
    out = expect_errors(
        "socketpair\nlisten 1 2\nrecv 1 2 3\nsocket udp inet icmp 1\naccept x\n"
        "shutdown\nbind\nsendto\nuse\non 3\nlist\n", [
            "line 2: usage: listen [BACKLOG]",
            "line 3: usage: recv [-f FORMAT] [BUFSIZE [FLAGS] | exactly N] [> FILE | -> NAME]",
            "line 4: usage: socket [TYPE] [FAMILY] [PROTOCOL]",
            "line 5: usage: accept",
            "line 6: usage: shutdown rd|wr|rdwr",
            "line 7: usage: bind ADDR",
            "line 8: usage: sendto [-m FLAGS] DATA [ADDR]",
            "line 9: usage: use FD",
            "line 10: usage: on FD COMMAND [ARG ...]",
        ])
    survived(out)


def test_bad_values_are_named():
    out = expect_errors(
        "socketpair\n"
        "recv abc\n"
        "recv 99999999999\n"
        "recv 10 bogus\n"
        "listen -5\n"
        "use abc\n"
        "use -1\n"
        "use 99\n"
        "close 99\n"
        "on 99 recv\n"
        "on 3 on 4 recv\n"
        "settimeout abc\n"
        "settimeout -1\n"
        "setblocking maybe\n"
        "setsockopt SO_BOGUS 1\n"
        "setsockopt SO_RCVBUF abc\n"
        "shutdown sideways\n"
        "sleep abc\n"
        "socket bogus\n"
        "socketpair bogus\n"
        "list\n", [
            'line 2: recv: bufsize "abc": not a number',
            'line 3: recv: bufsize 99999999999: too large (at most 16777216)',
            'line 4: recv: flags "bogus": use peek, waitall, dontwait, oob '
            'or trunc (or MSG_ names, or a number), joined by | or commas',
            'line 5: listen: backlog -5: too small (at least 0)',
            'line 6: use: fd "abc": not a number',
            'line 7: use: fd -1: too small (at least 0)',
            'line 8: use: fd 99 is not a socket in the table (list shows '
            'them)',
            'line 9: close: fd 99 is not a socket in the table (list shows '
            'them)',
            'line 10: on: fd 99 is not a socket in the table (list shows '
            'them)',
            'line 11: on: give one command after the fd, not another on',
            'line 12: settimeout: timeout "abc": not a number of seconds',
            'line 13: settimeout: timeout -1: negative',
            'line 14: setblocking: "maybe" is not true or false',
            'line 15: setsockopt: unknown option "SO_BOGUS" (help '
            'setsockopt lists them; or give LEVEL and a number: '
            'setsockopt SOL_SOCKET 36 ...)',
            'line 16: setsockopt: SO_RCVBUF "abc": not a number',
            'line 17: shutdown: "sideways" is not rd, wr or rdwr',
            'line 18: sleep: seconds "abc": not a number of seconds',
            'line 19: socket: "bogus" is not a socket type (tcp, udp, raw, '
            'seqpacket), family (inet, inet6, unix, packet) or protocol '
            '(icmp, icmpv6, udplite, a number), or gives one twice',
            'line 20: socketpair: "bogus" is not a socket type (stream, '
            'dgram, seqpacket)',
        ])
    survived(out)


def test_bad_addresses_are_named():
    out = expect_errors(
        "socket\n"
        "connect 127.0.0.1 99999\n"
        "connect 127.0.0.1:99999\n"
        "connect localhost\n"
        "connect 1234\n"
        "connect ::1:80\n"
        "connect [::1\n"
        "connect /tmp/x\n"
        "bind 127.0.0.1 http-bogus\n"
        "connect * 80\n"
        "connect ::1 80\n"
        "close\n"
        "socketpair\n"
        "bind 127.0.0.1 80\n"
        "list\n", [
            'line 2: connect: port 99999: too large (at most 65535)',
            'line 3: connect: port 99999: too large (at most 65535)',
            'line 4: connect: address "localhost": missing port (HOST PORT or '
            'HOST:PORT)',
            'line 5: connect: address "1234": missing host (try localhost 1234)',
            'line 6: connect: address "::1:80": an IPv6 address needs its port '
            'apart: ::1:80 PORT or [::1:80]:PORT',
            'line 7: connect: address "[::1": write an IPv6 address with a port as '
            '[ADDRESS]:PORT',
            'line 8: connect: address "/tmp/x": a path or @name is an AF_UNIX '
            'address, but the socket is AF_INET',
            'line 9: bind: port "http-bogus": not a number or a known service',
            'line 10: connect: address "*": the wildcard address is only for bind',
            'line 11: connect: address "::1": no AF_INET address for that name',
            'line 14: bind: address "127.0.0.1": an AF_UNIX socket needs a path '
            '(with a /) or an @name',
        ])
    # The TCP socket 3 was closed; the pair took 3 and 4 again.
    survived(out)
    check("connect(" not in out and "bind(" not in out,
          "a bad address reached the kernel:\n" + out)


def test_bad_escapes_and_quotes():
    out = expect_errors(
        'socketpair\nsend "\\q"\nsend "\\xZZ"\nsend "abc\nsend \'abc\n'
        'send "\\400"\nsend abc\\\nlist\n', [
            'line 2: bad escape "\\q" (known: \\n \\r \\t \\0 \\xHH \\\\ '
            '\\" and the other C escapes)',
            'line 3: bad escape: \\x needs two hex digits (\\x00 to \\xff)',
            'line 4: unterminated "..." string',
            "line 5: unterminated '...' string",
            'line 6: bad escape: octal value over \\377',
            'line 7: backslash at end of string',
        ])
    survived(out)
    check("send(" not in out, "a bad line was sent:\n" + out)


def test_no_socket_yet():
    out = expect_errors("recv\nlisten\naccept\nsend x\nsocketpair\nclose 4\n"
                        "close\nrecv\n", [
        "line 1: recv: no socket yet (make one with socket, or bind or "
        "connect an address)",
        "line 2: listen: no socket yet (make one with socket, or bind or "
        "connect an address)",
        "line 3: accept: no socket yet (make one with socket, or bind or "
        "connect an address)",
        "line 4: send: no socket yet (make one with socket, or bind or "
        "connect an address)",
        "line 8: recv: no socket yet (make one with socket, or bind or "
        "connect an address)",
    ])
    check(out.endswith("close(4) = 0\nclose(3) = 0\n"), out)


def test_misuse_hints():
    # EINVAL and friends from listen/accept misuse carry a hint naming the
    # mistake; the socket stays in the table.
    out = expect_errors("socket unix\nlisten\nsocket udp\nlisten\naccept\n"
                        "socket\naccept\nrecv\ngetpeername\nlist\n", [
        "line 2: listen: EINVAL: an AF_UNIX socket listens only once bound "
        "to a path or @name (bind first)",
        "line 4: listen: EOPNOTSUPP: only stream and seqpacket sockets "
        "listen and accept; a datagram socket just receives",
        "line 5: accept: EOPNOTSUPP: only stream and seqpacket sockets "
        "listen and accept; a datagram socket just receives",
        "line 7: accept: EINVAL: the socket is not listening (call listen "
        "first)",
        "line 8: recv: ENOTCONN: the socket is not connected (connect "
        "first, or accept on a listening socket)",
        "line 9: getpeername: ENOTCONN: the socket is not connected, so it "
        "has no peer",
    ])
    check(len([l for l in out.splitlines() if re.match(r"[ *] +\d+ ", l)]) == 3, out)


def test_addrinuse_isconn_refused_hints():
    s = lib.Session()
    try:
        s.send("bind 127.0.0.1 0")
        port = s.expect(r"getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)\}"
                        ).group(1).decode()
        s.send("listen")
        s.send("bind 127.0.0.1 " + port)
        s.send("connect 127.0.0.1 " + port)
        s.send("socket")
        s.send("bind 127.0.0.1 " + port)
        s.send("connect 127.0.0.1 " + port)
        s.send("connect 127.0.0.1 " + port)
        s.send("close 3")
        s.send("socket")
        s.send("connect 127.0.0.1 " + port)
        s.send("close")
        s.send("connect_ex 127.0.0.1 " + port)
        status, out = s.close()
        lib.transcript(out, """
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
bind(3, {AF_INET, 127.0.0.1:0}, 16) = 0
getsockname(3, {AF_INET, 127.0.0.1:<P>}, [16]) = 0
listen(3, 128) = 0
bind(3, {AF_INET, 127.0.0.1:<P>}, 16) = -1 EINVAL (Invalid argument)
line 3: bind: EINVAL: the socket is already bound (a socket binds once), or the address does not fit it
connect(3, {AF_INET, 127.0.0.1:<P>}, 16) = -1 EISCONN (Transport endpoint is already connected)
line 4: connect: EISCONN: a listening socket cannot connect; make a new socket to connect from
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 4
bind(4, {AF_INET, 127.0.0.1:<P>}, 16) = -1 EADDRINUSE (Address already in use)
line 6: bind: EADDRINUSE: another socket has that address and port: a server still running, or connections of an old one in TIME_WAIT (they clear within a minute; a server that sets SO_REUSEADDR before bind can restart at once)
connect(4, {AF_INET, 127.0.0.1:<P>}, 16) = 0
connect(4, {AF_INET, 127.0.0.1:<P>}, 16) = -1 EISCONN (Transport endpoint is already connected)
line 8: connect: EISCONN: this socket is already connected; make a new socket to connect elsewhere
close(3) = 0
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
connect(3, {AF_INET, 127.0.0.1:<P>}, 16) = -1 ECONNREFUSED (Connection refused)
line 11: connect: ECONNREFUSED: nothing is listening at that address and port (is the server running? is the port right?)
close(3) = 0
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
connect(3, {AF_INET, 127.0.0.1:<P>}, 16) = -1 ECONNREFUSED (Connection refused)
111 ECONNREFUSED
""", {"P": port})
        check(status == 1, "status %d" % status)
    finally:
        s.kill()


def test_nul_byte_line():
    out = expect_errors("socketpair\nsend a\0b\nsend \"a\\0b\"\non 4 recv\n"
                        "list\n", [
        'line 2: the line holds a NUL byte; write it as \\0 inside "..."',
    ])
    check('send(3, "a\\0b", 3, 0) = 3' in out, out)
    check(out.endswith(LIST_HEAD + "\n" + PAIR_LIST.replace(
        "0    0", "0    3", 1).replace("0    0", "3    0", 1)), out[-400:])


def test_over_long_line():
    long = "send " + "x" * 70000
    out = expect_errors("socketpair\n" + long + "\nsend after\nlist\n", [
        "line 2: line too long (over 65536 bytes); skipped",
    ])
    check('send(3, "after", 5, 0) = 5' in out, "next line lost:\n" + out)
    check("xxxxx" not in out, "part of the long line ran")
    # Several long lines, and one without a final newline.
    st, out, err = lib.run("socketpair\n" + long + "\n" + long + "\n"
                           "send ok\n" + long)
    check(st == 1, "status %d" % st)
    check(err.splitlines() == [
        "line 2: line too long (over 65536 bytes); skipped",
        "line 3: line too long (over 65536 bytes); skipped",
        "line 5: line too long (over 65536 bytes); skipped"], err)
    check('send(3, "ok", 2, 0) = 2' in out and "xxxxx" not in out, out)


def test_longest_line_accepted():
    # A line of exactly 65536 bytes is not too long.
    line = "send " + "y" * (65536 - 5)
    st, out, err = lib.run("socketpair\n" + line + "\non 4 recv 10\n")
    check(err == "" and st == 0, "%d %r" % (st, err[:300]))
    check('send(3, "yyyyyyyy' in out and ", 65531, 0) = 65531" in out,
          out[:300])


def test_binary_garbage_on_stdin():
    # Random bytes: each line is an error for that line, nothing crashes
    # or hangs, no raw control byte reaches the output, and the sockets
    # made before are still there afterwards.
    rnd = random.Random(1234)
    junk = bytes(rnd.randrange(256) for _ in range(300000))
    script = b"socketpair\n" + junk + b"\nlist\n"
    st, out, err = lib.run(script, timeout=20)
    check(st == 1, "status %d" % st)
    check(err.count("\n") >= 100, "few messages: %d" % err.count("\n"))
    for line in err.splitlines():
        check(re.match(r"line \d+: ", line), "unprefixed: %r" % line)
    bad = set(c for c in out + err if ord(c) < 0x20 and c != "\n")
    bad |= set(c for c in out + err if ord(c) >= 0x7f)
    check(not bad, "raw bytes printed: %r" % sorted(bad)[:10])
    survived(out)


def test_interleaved_stdout_stderr_order():
    # Messages come after the trace of the lines before them.
    s = lib.Session()
    try:
        s.send("socketpair")
        s.send("bogus")
        s.send("send hi")
        status, out = s.close()
        check(out == 'socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) = 0\n'
              'line 2: unknown command "bogus" (help lists the commands)\n'
              'send(3, "hi", 2, 0) = 2\n', out)
        check(status == 1, "status %d" % status)
    finally:
        s.kill()


def test_quit_stops_and_keeps_status():
    st, out, err = lib.run("bogus\nquit\nsocketpair\n")
    check(st == 1 and "socketpair" not in out, "%d %r" % (st, out))
    st, out, err = lib.run("socketpair\nquit\nbogus\n")
    check(st == 0 and err == "", "%d %r" % (st, err))


def test_hints_keyed_by_call():
    # sockatmark on UDP: ENOTTY, and why.
    st, out, err = lib.run("socket udp\nsockatmark\n")
    check("SIOCATMARK, &val) = -1 ENOTTY" in out, out)
    check("sockatmark: ENOTTY: only a TCP socket has an urgent mark" in err,
          err)
    # socket with a family the system lacks: no address was given.
    st, out, err = lib.run("socket 99 1 0\n")
    check("= -1 EAFNOSUPPORT" in out, out)
    check("socket: EAFNOSUPPORT: this system has no address family by that "
          "number" in err and "another family" not in err, err)


def test_help_numbers_and_errno_aliases():
    for w in ("-1", "0", "9999"):
        st, out, err = lib.run("help %s\n" % w)
        check(st == 1 and "help: %s: not a command, topic or errno" % w
              in err, "%s: %r" % (w, err))
    st, out, err = lib.run("help ENOTSUP\nhelp enotsup\n")
    check(st == 0 and out.count("EOPNOTSUPP (%d)" % errno.EOPNOTSUPP) == 2,
          out + err)


if __name__ == "__main__":
    lib.main()
