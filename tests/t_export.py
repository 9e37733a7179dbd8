"""export c and export python: each session is exported both ways, the C is
built with cc -std=c11 -Wall -Wextra -Werror, both programs run, and they
must exit 0, receive the same bytes, and (under strace, where it works)
make the same socket calls, in the same order, as sockrepl's own trace of
the session shows."""
import os
import re
import shutil
import socket
import subprocess
import sys

import lib
from lib import check


def tempdir():
    """A scratch directory, removed when the tests end."""
    d = lib.tempdir()
    _made.append(d)
    return d


_made = []

CC_FLAGS = ["-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror"]
STRACE_CALLS = ("socket,socketpair,bind,listen,accept,accept4,connect,"
                "sendto,recvfrom,setsockopt,getsockopt,getsockname,"
                "getpeername,shutdown,close,poll,ppoll")
# sockrepl's trace and strace name some calls differently.
SAME = {"send": "sendto", "recv": "recvfrom", "accept4": "accept",
        "ppoll": "poll"}
CALL_LINE = re.compile(r"^(?:\[pid +\d+\] |\d+ +)?(\w+)\((.*)\) += (-?\d+|\?)")


def cc():
    path = shutil.which("cc") or shutil.which("gcc")
    if path is None:
        raise lib.Skip("no C compiler")
    return path


_strace = None


def strace_works():
    """strace where present and allowed (some sandboxes forbid ptrace)."""
    global _strace
    if _strace is None:
        _strace = ""
        path = shutil.which("strace")
        if path:
            p = subprocess.run([path, "-f", "-qq", "-e", "trace=socket",
                                sys.executable, "-c",
                                "import socket; socket.socket().close()"],
                               capture_output=True, timeout=10)
            if p.returncode == 0 and b"socket(AF_INET" in p.stderr:
                _strace = path
    return _strace


def calls_of(lines):
    """
    The socket calls in strace-like lines as (name, socket) pairs: fds are
    replaced by the order their sockets were made in (the program's fds
    differ from sockrepl's, and fds are reused), and calls on other fds
    (Python's own files) are left out.
    """
    sock = {}
    made = 0
    out = []
    for line in lines:
        m = CALL_LINE.match(line)
        if not m:
            continue
        name, args, ret = SAME.get(m.group(1), m.group(1)), m.group(2), \
            m.group(3)
        if name == "socket":
            if ret not in ("?", "-1"):
                made += 1
                sock[int(ret)] = made
            out.append((name, made if ret != "-1" else None))
            continue
        if name == "socketpair":
            fds = re.search(r"\[(\d+), (\d+)\]", args)
            if fds and ret == "0":
                for fd in fds.groups():
                    made += 1
                    sock[int(fd)] = made
            out.append((name, made))
            continue
        fd = re.match(r"\[?\{?(?:fd=)?(\d+)", args)
        if not fd or int(fd.group(1)) not in sock:
            continue
        ident = sock[int(fd.group(1))]
        out.append((name, ident))
        if name == "accept" and ret not in ("?", "-1"):
            made += 1
            sock[int(ret)] = made
        elif name == "close":
            del sock[int(fd.group(1))]
    return out


def export(script, tmp, name="s"):
    """Run the session, export it both ways; return (trace, c, py)."""
    c, py = os.path.join(tmp, name + ".c"), os.path.join(tmp, name + ".py")
    status, out, err = lib.run(script + "export c %s\nexport python %s\n"
                               % (c, py))
    check("export:" in out and os.path.exists(c) and os.path.exists(py),
          "export failed: %d\n%s\n%s" % (status, out, err))
    return out, c, py


def build(c):
    exe = c[:-2]
    p = subprocess.run([cc(), *CC_FLAGS, "-o", exe, c], capture_output=True,
                       timeout=60)
    check(p.returncode == 0, "%s does not build:\n%s\n%s" % (
        c, p.stderr.decode(errors="replace"), open(c).read()))
    return exe


def run_prog(argv, status=0):
    """Run a program, under strace when it works; (stdout, calls or None)."""
    st = strace_works()
    log = None
    if st:
        log = argv[-1] + ".strace"
        argv = [st, "-f", "-qq", "-o", log, "-e", "trace=" + STRACE_CALLS,
                *argv]
    p = subprocess.run(argv, capture_output=True, timeout=20)
    check(p.returncode == status, "%s exited %d, want %d\nstdout: %r\n"
          "stderr: %s" % (argv[-1], p.returncode, status, p.stdout,
                          p.stderr.decode(errors="replace")))
    calls = None
    if log:
        with open(log) as f:
            calls = calls_of(f.read().splitlines())
    return p.stdout, p.stderr, calls


# Python's socket objects ask for their own names (an accepted socket's
# getsockname, a repr at exit) and close what is left at exit.
PY_EXTRA = {"getsockname", "getpeername", "close"}
TRACED = set(STRACE_CALLS.split(",")) | set(SAME.values())


def same_calls(session, prog, what, extra=frozenset()):
    """The program makes the session's calls in order. Calls of its own
    that the language makes (extra) may come between them."""
    if prog is None:
        return
    session = [c for c in session if c[0] in TRACED]
    i = 0
    for c in prog:
        if i < len(session) and c == session[i]:
            i += 1
        elif c[0] not in extra:
            break
    else:
        if i == len(session):
            return
    raise lib.TestFailure(
        "%s makes other calls than the session:\n  session: %s\n"
        "  program: %s" % (what, session, prog))


def exported(script, tmp, expect_out=None, name="s"):
    """Export, build, run both; check status, output and calls. Returns
    the session's trace."""
    trace, c, py = export(script, tmp, name)
    session = calls_of(trace.splitlines())
    check(session, "no calls in the session's trace:\n" + trace)
    exe = build(c)
    cout, _, ccalls = run_prog([exe])
    pout, _, pcalls = run_prog([sys.executable, py])
    check(cout == pout, "C and Python received different bytes: %r, %r"
          % (cout, pout))
    if expect_out is not None:
        check(cout == expect_out, "the programs received %r, want %r"
              % (cout, expect_out))
    same_calls(session, ccalls, "the C program")
    same_calls(session, pcalls, "the Python script", PY_EXTRA)
    return trace


def no_strace_note():
    if not strace_works():
        raise lib.Skip("programs built, ran and checked; strace is not "
                       "usable here, so their calls were not compared")


def test_tcp_echo_one_session():
    tmp = tempdir()
    exported("""socket
setsockopt SO_REUSEADDR 1
bind 127.0.0.1 0
listen
set lport $port
socket
connect 127.0.0.1 $lport
on 3 accept
send "hello\\0world\\n"
on 4 recv
expect "hello\\0world\\n"
on 4 sendall "\\xff\\x00back"
recv 64
expect data "\\xff\\x00back"
shutdown wr
on 4 recv
expect ret 0
close
close 4
""", tmp, b"hello\0world\n\xff\x00back")
    no_strace_note()


ECHO_PEER = r"""
import socket, sys
mode, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(5)
s.settimeout(20)
print("ready", s.getsockname()[1], flush=True)
for _ in range(int(sys.argv[3])):
    c, _ = s.accept()
    c.settimeout(20)
    got = b""
    if mode != "echo":
        c.sendall(mode.encode() + b"\n")
    while True:
        d = c.recv(65536)
        if not d:
            break
        got += d
        if mode == "echo":
            c.sendall(d)
    c.close()
    print(got.hex(), flush=True)
"""


class Peer:
    """A python3 peer process; it says "ready PORT" once it listens."""

    def __init__(self, mode, conns, port=0):
        self.p = subprocess.Popen([sys.executable, "-c", ECHO_PEER, mode,
                                   str(port), str(conns)],
                                  stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline().split()
        check(line[:1] == ["ready"], "peer did not start: %r" % line)
        self.port = int(line[1])

    def received(self):
        """What it received on each connection, once all have closed."""
        out, _ = self.p.communicate(timeout=20)
        return [bytes.fromhex(h) for h in out.split()]

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def test_tcp_against_a_python_peer():
    tmp = tempdir()
    peer = Peer("echo", 3)
    try:
        exported("""connect 127.0.0.1 %d
sendall "hello\\n"
recvline
expect "hello\\n"
sendline "\\0\\x01\\x02\\xff"
recvuntil "\\xff\\n"
expect "\\0\\x01\\x02\\xff\\n"
shutdown wr
recvall
close
""" % peer.port, tmp, b"hello\n\0\x01\x02\xff\n")
        got = peer.received()
    finally:
        peer.kill()
    want = b"hello\n\0\x01\x02\xff\n"
    check(got == [want] * 3, "the peer saw %r, want %r three times "
          "(session, C, Python)" % (got, want))
    no_strace_note()


def test_udp_exchange():
    tmp = tempdir()
    exported("""socket udp
bind 127.0.0.1 0
set sport $port
socket udp
sendto "ping\\0\\x01" 127.0.0.1 $sport
on 3 recvfrom
expect "ping\\0\\x01"
on 3 sendto pong 127.0.0.1 $peerport
recvfrom 100
expect pong
""".replace("$peerport", "$cport").replace(
        "on 3 recvfrom\n", "set cport $port\non 3 recvfrom\n"),
        tmp, b"ping\0\x01pong")
    no_strace_note()


def test_unix_stream():
    tmp = tempdir()
    path = os.path.join(tmp, "sock")
    exported("""socket unix
bind %s
listen 5
socket unix
connect %s
sendall "one\\ntwo\\nthree"
shutdown wr
on 3 accept
recvline
expect "one\\n"
recv 100
recvall
close
close 3
""" % (path, path), tmp, b"one\ntwo\nthree")
    no_strace_note()


def test_unix_abstract_and_socketpair():
    tmp = tempdir()
    name = "@sockrepl-export-%d" % os.getpid()
    exported("""socket unix dgram
bind %s
socket unix dgram
sendto "to\\0abstract" %s
on 3 recv
expect "to\\0abstract"
socketpair
send left
on 6 recv
expect left
""" % (name, name), tmp, b"to\0abstractleft")
    no_strace_note()


def test_nonblocking_accept_eagain():
    tmp = tempdir()
    exported("""socket
bind 127.0.0.1 0
listen
setblocking false
accept
expect error EAGAIN
set lport $port
socket
connect 127.0.0.1 $lport
on 3 accept
settimeout 2
sendline hi
on 4 recv 100
expect "hi\\n"
on 3 accept
expect error EAGAIN
settimeout 0.1
recv
expect error ETIMEDOUT
""", tmp, b"hi\n")
    no_strace_note()


def test_refused_connect_expected():
    tmp = tempdir()
    exported("""socket
bind 127.0.0.1 0
set closed $port
close
socket
connect 127.0.0.1 $closed
expect error ECONNREFUSED
socket
settimeout 2
connect 127.0.0.1 $closed
expect fail
""", tmp, b"")
    no_strace_note()


def test_ipv6_and_options():
    lib.need_ipv6()
    tmp = tempdir()
    exported("""socket inet6
setsockopt IPV6_V6ONLY 1
setsockopt SO_LINGER on 1
setsockopt SO_RCVTIMEO 1.5
bind ::1 0
listen 1
getsockopt SO_RCVBUF
set lport $port
socket inet6
setsockopt TCP_NODELAY 1
connect ::1 $lport
on 3 accept
send v6
on 4 recv
expect v6
""", tmp, b"v6")
    no_strace_note()


def test_expect_that_no_longer_holds_fails():
    tmp = tempdir()
    peer = Peer("hello v1", 1)
    try:
        trace, c, py = export("""connect 127.0.0.1 %d
recvline
expect "hello v1\\n"
close
""" % peer.port, tmp)
        peer.received()
    finally:
        peer.kill()
    check("= -1" not in trace, "the session failed:\n" + trace)
    exe = build(c)
    # Tomorrow the peer answers otherwise, on the same port.
    for argv in ([exe], [sys.executable, py]):
        other = Peer("hello v2", 1, peer.port)
        try:
            p = subprocess.run(argv, capture_output=True, timeout=20)
            other.received()
        finally:
            other.kill()
        check(p.returncode != 0, "%s exited 0 though the data changed"
              % argv[-1])
        check(b"expected" in p.stderr, "%s did not say why: %r"
              % (argv[-1], p.stderr))


def programs(c, py):
    """The exported pair as command lines: the C built, the script."""
    return [[build(c)], [sys.executable, py]]


def test_receives_into_files():
    tmp = tempdir()
    a, b = os.path.join(tmp, "a"), os.path.join(tmp, "b")
    trace, c, py = export("""socketpair
send "one\\n"
on 4 recv > %s
send "two\\nthree\\n"
on 4 recvline >> %s
on 4 recv 3 >> %s
on 4 recvuntil "\\n" > %s
send "\\0tail"
shutdown wr
on 4 recvall >> %s
""" % (a, a, a, b, b), tmp)
    want = {a: b"one\ntwo\nthr", b: b"ee\n\0tail"}
    for path, data in want.items():
        with open(path, "rb") as f:
            got = f.read()
        check(got == data, "the session wrote %r to %s, want %r"
              % (got, path, data))
    session = calls_of(trace.splitlines())
    for argv in programs(c, py):
        for path in want:
            os.unlink(path)
        out, _, calls = run_prog(argv)
        check(out == b"", "%s printed what it should write to files: %r"
              % (argv[-1], out))
        for path, data in want.items():
            with open(path, "rb") as f:
                got = f.read()
            check(got == data, "%s wrote %r to %s, as the session did %r"
                  % (argv[-1], got, path, data))
        same_calls(session, calls, argv[-1],
                   PY_EXTRA if argv[-1] == py else frozenset())


# A peer for large transfers: it says "go", keeps what each connection
# sends in DIR/conn-N and prints only its length, so its pipe never fills.
SINK_PEER = r"""
import os, socket, sys
where, conns = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(5)
s.settimeout(20)
print("ready", s.getsockname()[1], flush=True)
for i in range(conns):
    c, _ = s.accept()
    c.settimeout(20)
    c.sendall(b"go\n")
    with open(os.path.join(where, "conn-%d" % i), "wb") as f:
        while True:
            d = c.recv(65536)
            if not d:
                break
            f.write(d)
    c.close()
    print("done", i, flush=True)
"""


def test_sends_from_files_read_at_run_time():
    tmp = tempdir()
    small, big = os.path.join(tmp, "small"), os.path.join(tmp, "big")

    def files(n, size):
        data = {small: b"sm\0all %d" % n, big: os.urandom(size)}
        for path, d in data.items():
            with open(path, "wb") as f:
                f.write(d)
        # send, sendline, then sendall of the whole file in chunks.
        return data[small] + data[small] + b"\n" + data[big]

    peer = subprocess.Popen([sys.executable, "-c", SINK_PEER, tmp, "3"],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = peer.stdout.readline().split()
        check(line[:1] == ["ready"], "peer did not start: %r" % line)
        wants = [files(0, 600000)]
        trace, c, py = export("""connect 127.0.0.1 %d
recvline
send < %s
sendline < %s
sendall < %s
shutdown wr
recvall
close
""" % (int(line[1]), small, small, big), tmp)
        check("= -1" not in trace, "the session failed:\n" + trace)
        for k, argv in enumerate(programs(c, py)):
            # Tomorrow's files: the program sends what they hold then.
            wants.append(files(k + 1, 700001 + k))
            out, _, _ = run_prog(argv)
            check(out == b"go\n", "%s received %r" % (argv[-1], out))
        peer.communicate(timeout=20)
    finally:
        if peer.poll() is None:
            peer.kill()
            peer.wait()
    got = []
    for i in range(3):
        with open(os.path.join(tmp, "conn-%d" % i), "rb") as f:
            got.append(f.read())
    for who, g, w in zip(("the session", "the C program",
                          "the Python script"), got, wants):
        check(g == w, "%s sent %d bytes that differ from the %d its files "
              "held" % (who, len(g), len(w)))


def test_short_send_is_noted():
    tmp = tempdir()
    big = os.path.join(tmp, "big")
    with open(big, "wb") as f:
        f.write(os.urandom(300000))
    trace, c, py = export("""socketpair
setsockopt SO_SNDBUF 4096
setblocking false
send < %s
""" % big, tmp)
    check(re.search(r"sent \d+ of 262144 bytes", trace),
          "the session's send was not short:\n" + trace)
    for argv in programs(c, py):
        p = subprocess.run(argv, capture_output=True, timeout=20)
        err = p.stderr.decode(errors="replace")
        check(p.returncode == 0, "%s failed on a short send: %s"
              % (argv[-1], err))
        check(re.search(r"^send: sent \d+ of 262144 bytes \(sendall sends "
                        r"them all\)$", err, re.M),
              "%s did not note its short send: %r" % (argv[-1], err))


def test_expect_ret_after_any_call():
    tmp = tempdir()
    trace = exported("""socket
bind 127.0.0.1 0
expect ret 0
listen
expect ret 0
set lport $port
socket
connect 127.0.0.1 $lport
expect ret 0
on 3 accept
expect ret 5
send "hello!"
expect ret 6
poll 4 in 2
expect ret 1
on 4 recv
expect ret 6
close
expect ret 0
""", tmp, b"hello!", name="r")
    check("= -1" not in trace, "the session failed:\n" + trace)
    c, py = os.path.join(tmp, "r.c"), os.path.join(tmp, "r.py")
    with open(c) as f:
        csrc = f.read()
    with open(py) as f:
        pysrc = f.read()
    # bind to port 0 reads the port back: $ret is getsockname's.
    for call in ("getsockname", "listen", "connect", "close"):
        check('check_ret("%s", n, 0);' % call in csrc,
              "C does not check %s's ret:\n%s" % (call, csrc))
    for text in ('check_ret("poll", n, 1);', 'check_ret("send", n, 6);',
                 'check_ret("recv", n, 6);', "expect ret 5: a new fd"):
        check(text in csrc, "%r is not in the C:\n%s" % (text, csrc))
    for text in ('check_ret("poll", len(ready), 1)',
                 'check_ret("send", n, 6)',
                 'check_ret("recv", len(data), 6)',
                 "expect ret 5: a new fd"):
        check(text in pysrc, "%r is not in the Python:\n%s" % (text, pysrc))
    # The poll check is live: asserting 2 ready makes both programs fail.
    with open(c, "w") as f:
        f.write(csrc.replace('check_ret("poll", n, 1)',
                             'check_ret("poll", n, 2)'))
    with open(py, "w") as f:
        f.write(pysrc.replace('check_ret("poll", len(ready), 1)',
                              'check_ret("poll", len(ready), 2)'))
    for argv in programs(c, py):
        p = subprocess.run(argv, capture_output=True, timeout=20)
        check(p.returncode != 0 and b"poll: returned 1, the session "
              b"expected 2" in p.stderr, "%s: poll's ret unchecked: %d %r"
              % (argv[-1], p.returncode, p.stderr))


def test_long_comments_are_wrapped():
    tmp = tempdir()
    words = " ".join("word%d" % i for i in range(25))
    blob = bytes(range(256)) * 2
    exported("""socketpair
send "%s"
on 4 recv
expect "%s"
send hex:%s
on 4 recv 1024
""" % (words, words, blob.hex()), tmp, words.encode() + blob, name="w")
    with open(os.path.join(tmp, "w.c")) as f:
        src = f.read()
    comments = [ln for ln in src.splitlines()
                if ln.strip().startswith(("/*", "*"))]
    wide = [ln for ln in comments if len(ln.expandtabs(8)) > 80]
    check(not wide, "comment lines over 80 columns:\n" + "\n".join(wide))
    check(any(ln.endswith("...") for ln in comments),
          "the hex data's comment was not cut with ...:\n" + src)
    check(any("word24" in ln for ln in comments) and
          any("word0" in ln for ln in comments),
          "the words' comment lost words:\n" + src)



def test_unexpected_failure_ends_with_status_one():
    # The session met a failure nothing expected and went on, ending with
    # status 1; the programs go on past it too and end the same way.
    tmp = tempdir()
    trace, c, py = export("""socket
bind 127.0.0.1 0
set closed $port
close
socket
connect 127.0.0.1 $closed
socketpair
send still going
on 5 recv
""", tmp)
    for argv in programs(c, py):
        out, err, calls = run_prog(argv, status=1)
        check(out == b"still going", "%s: %r" % (argv[-1], out))
        check(b"as in the session" in err, err)



def test_timeout_on_the_first_socket_waits_in_the_program():
    # The session's first socket waits for a slow peer under its timeout;
    # so must the programs' (a socket numbered 0 once lost its timeout).
    import threading
    import time
    srv = lib.listener()
    port = srv.getsockname()[1]

    def serve():
        for _ in range(3):
            c, _ = srv.accept()
            with c:
                time.sleep(0.3)
                c.sendall(b"late\n")
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    tmp = tempdir()
    try:
        trace, c, py = export("connect 127.0.0.1 %d\nsettimeout 2\n"
                              "recvline\nexpect \"late\\n\"\n" % port, tmp)
        for argv in programs(c, py):
            out, err, calls = run_prog(argv)
            check(out == b"late\n", "%s: %r %r" % (argv[-1], out, err))
    finally:
        t.join(10)
        srv.close()


def test_tcp_info_is_read_whole():
    """getsockopt TCP_INFO reads a struct tcp_info, not an int: both
    programs print the state, rtt and cwnd the trace line shows."""
    tmp = tempdir()
    trace, c, py = export("bind 127.0.0.1 0\nlisten\nset lport $port\n"
                          "socket\nconnect 127.0.0.1 $lport\n"
                          "getsockopt TCP_INFO\n", tmp, "tcpinfo")
    check("tcpi_state=TCP_ESTABLISHED" in trace, trace)
    with open(c) as f:
        check("struct tcp_info\t ti;" in f.read(), "no struct tcp_info")
    for argv in ([build(c)], [sys.executable, py]):
        _, err, calls = run_prog(argv)
        check(re.search(rb"^TCP_INFO: tcpi_state=1 tcpi_rtt=\d+ "
                        rb"tcpi_snd_cwnd=[1-9]\d*$", err, re.M),
              "%s printed %r" % (argv[-1], err))


def test_socketpair_with_an_unused_end_builds():
    tmp = tempdir()
    trace, c, py = export("socketpair\n", tmp)
    build(c)


def test_export_prints_and_checks_its_arguments():
    status, out, err = lib.run("socket\nexport c\nexport python\n"
                               "export java\n")
    check("int\nmain(void)" in out and "def main():" in out,
          "export without FILE did not print the programs:\n" + out)
    check("export java" not in out and "\"java\"" in err,
          "export java was not refused:\n" + err)


try:
    lib.main()
finally:
    for d in _made:
        shutil.rmtree(d, ignore_errors=True)
