"""Blocking, timeouts, resets and signals, with Python's semantics; and
output flushed before every call that may block."""
import os
import platform
import re
import signal
import socket
import struct
import time

import lib
from lib import check


def test_accept_timeout_and_session_goes_on():
    st, out, err = lib.run("socket\nsettimeout 0.5\nbind 127.0.0.1 0\n"
                           "listen\naccept\ngettimeout\nlist\n")
    check(st == 1, "status %d" % st)
    lib.transcript(out, """
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)
fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
bind(3, {AF_INET, 127.0.0.1:0}, 16) = 0
getsockname(3, {AF_INET, 127.0.0.1:<P>}, [16]) = 0
listen(3, 128) = 0
ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=500000000}, [], 8) = 0 (Timeout)
0.5
   FD  FAMILY TYPE      STATE          KERNEL RECV-Q SEND-Q LOCAL                  PEER                         IN      OUT  MODE
*   3  inet   tcp       listening      LISTEN 0      128    127.0.0.1:<P> -                             0        0  timeout 0.5s
""")
    check(err == "line 5: accept: timed out after 0.5 s (the socket's "
          "timeout; see settimeout)\n", err)


def test_recv_timeout_then_data():
    st, out, err = lib.run("socketpair\nsettimeout 0.5\nrecv\non 4 send late\n"
                           "recv\n")
    check(st == 1, "status %d" % st)
    check("ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=500000000}, [], 8) = 0 (Timeout)\n" in out, out)
    check(err == "line 3: recv: timed out after 0.5 s (the socket's "
          "timeout; see settimeout)\n", err)
    check(out.endswith('ppoll([{fd=3, events=POLLIN}], 1, {tv_sec=0, tv_nsec=500000000}, [], 8) = 1 '
                       '([{fd=3, revents=POLLIN}])\n'
                       'recv(3, "late", 65536, 0) = 4\n'), out)


def full_listener():
    """A loopback listener whose accept queue is full, and its fillers."""
    try:
        with open("/proc/sys/net/ipv4/tcp_abort_on_overflow") as f:
            if f.read().strip() != "0":
                raise lib.Skip("tcp_abort_on_overflow is set: a full "
                               "backlog refuses instead of dropping SYNs")
    except OSError:
        pass
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    port = srv.getsockname()[1]
    fillers = [socket.create_connection(("127.0.0.1", port),
                                        timeout=lib.TIMEOUT)]
    for _ in range(3):
        f = socket.socket()
        f.setblocking(False)
        try:
            f.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(f)
    return srv, fillers


def test_connect_timeout_backlog_full():
    # A loopback listener whose accept queue is full drops new SYNs, so a
    # connect neither succeeds nor is refused: it waits, and times out.
    srv, fillers = full_listener()
    port = srv.getsockname()[1]
    try:
        st, out, err = lib.run("socket\nsettimeout 0.5\nconnect 127.0.0.1 %d\n"
                               "list\n" % port)
        check(st == 1, "status %d" % st)
        lib.transcript(re.split(r"\n +FD ", out)[0] + "\n", """
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
fcntl(3, F_GETFL) = 0x2 (flags O_RDWR)
fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
connect(3, {AF_INET, 127.0.0.1:<P>}, 16) = -1 EINPROGRESS (Operation now in progress)
ppoll([{fd=3, events=POLLOUT}], 1, {tv_sec=0, tv_nsec=500000000}, [], 8) = 0 (Timeout)
""", {"P": str(port)})
        check(err == "line 3: connect: timed out after 0.5 s (the socket's "
              "timeout; see settimeout)\nline 3: connect: no answer to the "
              "connection request (SYN): a listener whose backlog is full "
              "drops it, and so does a firewall; info on the listener shows "
              "its queue\n", err)
        check("connecting" in re.split(r"\n +FD ", out)[1], out)
    finally:
        for f in fillers:
            f.close()
        srv.close()


def test_connect_with_timeout_succeeds_and_refused():
    srv = lib.listener()
    port = srv.getsockname()[1]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    cport = closed.getsockname()[1]   # bound, not listening: refuses
    try:
        st, out, err = lib.run(
            "socket\nsettimeout 2\nconnect 127.0.0.1 %d\nsocket\n"
            "settimeout 2\nconnect 127.0.0.1 %d\nclose\n"
            "connect_ex 127.0.0.1 %d\n"
            % (port, cport, cport))
        check(st == 1, "status %d" % st)
        check("getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) = 0\n" in out,
              out)
        check("getsockopt(4, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0"
              in out, out)
        check(out.endswith("111 ECONNREFUSED\n"), out)
        check(err.startswith("line 6: connect: ECONNREFUSED"), err)
        check(err.count("\n") == 1 and "nothing is listening" in err,
              "one message with its hint: " + err)
    finally:
        srv.close()
        closed.close()


def test_nonblocking_eagain_and_einprogress():
    srv = lib.listener()
    port = srv.getsockname()[1]
    try:
        st, out, err = lib.run(
            "socket\nsetblocking false\nbind 127.0.0.1 0\nlisten\naccept\n"
            "gettimeout\n"
            "socket\nsetblocking false\nconnect 127.0.0.1 %d\n"
            "socketpair\nsetblocking false\nrecv\nsetblocking true\n"
            "on 6 send x\nrecv\n" % port)
        check(st == 1, "status %d" % st)
        check("accept(3, &addr, [128]) = -1 EAGAIN (Resource temporarily "
              "unavailable)\n0\n" in out, out)
        check("recv(5, buf, 65536, 0) = -1 EAGAIN (Resource temporarily "
              "unavailable)\n" in out, out)
        check('recv(5, "x", 65536, 0) = 1\n' in out, out)
        # A loopback connect either completes at once or is in progress.
        if "= -1 EINPROGRESS" in out:
            check("connect(4, {AF_INET, 127.0.0.1:%d}, 16) = -1 EINPROGRESS "
                  "(Operation now in progress)" % port in out, out)
            check("line 9: connect: EINPROGRESS" in err, err)
        else:
            check("connect(4, {AF_INET, 127.0.0.1:%d}, 16) = 0" % port in
                  out, out)
        errs = [l for l in err.splitlines() if l.startswith("line ")]
        check(errs[0].startswith("line 5: accept: EAGAIN"), err)
        check(errs[-1].startswith("line 12: recv: EAGAIN"), err)
    finally:
        srv.close()


def test_eagain_on_blocking_socket_hint():
    # MSG_DONTWAIT and the kernel's SO_RCVTIMEO give EAGAIN on a blocking
    # socket; the hint must not blame a non-blocking mode that is not set.
    st, out, err = lib.run("socketpair\nrecv 10 dontwait\n"
                           "setsockopt SO_RCVTIMEO 0.1\nrecv\n"
                           "setblocking false\nrecv\n")
    check(st == 1, "status %d" % st)
    lines = err.splitlines()
    check(len(lines) == 3, err)
    for l in lines[:2]:
        check("EAGAIN" in l and "non-blocking" not in l and
              "MSG_DONTWAIT" in l, l)
    check(lines[2] == "line 6: recv: EAGAIN: no data is waiting yet (the "
          "socket is non-blocking); try again later", lines[2])
    check("recv(3, buf, 10, MSG_DONTWAIT) = -1 EAGAIN" in out, out)


def test_sendall_timeout_and_partial_send():
    # A peer that never reads: sendall gives up at the timeout and says
    # how much went; a plain send on a full buffer says it sent a part.
    big = "x" * 60000
    st, out, err = lib.run("socketpair\nsetsockopt SO_SNDBUF 4096\n"
                           "settimeout 0.3\nsendall %s\nsocketpair\n"
                           "setsockopt SO_SNDBUF 4096\nsetblocking false\n"
                           "send %s\nsend %s\n" % (big, big, big))
    check(st == 1, "status %d" % st)
    m = re.search(r"\nsent (\d+) of 60000 bytes before the "
                                r"error\n", out)
    check(m and 0 < int(m.group(1)) < 60000, out[-1500:])
    check("ppoll([{fd=3, events=POLLOUT}], 1, {tv_sec=0, tv_nsec=300000000}, [], 8) = 0 (Timeout)" in out, out)
    errs = err.splitlines()
    check(errs[0] == "line 4: sendall: timed out after 0.3 s (the socket's "
          "timeout; see settimeout)", err)
    check(errs[-1].startswith("line 9: send: EAGAIN: the send buffer is "
                              "full"), err)
    check(len(errs) == 2, err)
    m = re.search(r"\nsend\(5, \"x+\"\.\.\., 60000, 0\) = "
                                r"(\d+)\nsent (\d+) of 60000 bytes \("
                                r"sendall sends them all\)\n", out)
    check(m and m.group(1) == m.group(2) and 0 < int(m.group(1)) < 60000,
          out[-800:])


def test_nonblocking_unix_connect_is_immediate():
    d = lib.tempdir()
    try:
        p = os.path.join(d, "s")
        out, err = lib.run_ok("socket unix\nbind %s\nlisten\nsocket unix\n"
                              "setblocking false\nconnect %s\n" % (p, p))
        check(out.endswith('connect(4, {AF_UNIX, "%s"}, %d) = 0\n'
                           % (p, 3 + len(p))), out)
    finally:
        import shutil
        shutil.rmtree(d)


def test_unix_connect_full_backlog_eagain():
    d = lib.tempdir()
    try:
        p = os.path.join(d, "s")
        st, out, err = lib.run(
            "socket unix\nbind {p}\nlisten 0\nsocket unix\nconnect {p}\n"
            "socket unix\nsetblocking false\nconnect {p}\nlist\n"
            .format(p=p))
        check(st == 1, "status %d" % st)
        check('connect(5, {AF_UNIX, "%s"}, %d) = -1 EAGAIN (Resource '
              'temporarily unavailable)\n' % (p, 3 + len(p)) in out, out)
        check(err == "line 8: connect: EAGAIN: the listener's queue of "
              "connections not yet accepted is full (see listen BACKLOG); "
              "try again after it accepts\n", err)
    finally:
        import shutil
        shutil.rmtree(d)


def reset_peer():
    """A python listener, and a function that closes its accepted side
    with SO_LINGER 0 so the kernel sends RST."""
    srv = lib.listener()

    def accept_and_reset():
        c, _ = srv.accept()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        c.close()
    return srv, accept_and_reset


def test_econnreset_then_epipe_no_sigpipe():
    srv, accept_and_reset = reset_peer()
    port = srv.getsockname()[1]
    s = lib.Session()
    try:
        s.send("connect 127.0.0.1 %d" % port)
        s.expect(r"^connect\(3, .*\) = 0$")
        accept_and_reset()
        s.send("recv")
        s.expect(r"^recv\(3, buf, 65536, 0\) = -1 ECONNRESET \(Connection "
                 r"reset by peer\)$")
        s.expect(r"^line 2: recv: ECONNRESET: ")
        # The connection is gone: sending must report an error, and
        # SIGPIPE must not kill the process.
        s.send("send x")
        s.expect(r"^send\(3, \"x\", 1, 0\) = -1 (EPIPE|ECONNRESET) ")
        s.expect(r"^line 3: send: (EPIPE|ECONNRESET): ")
        s.send("sendall more")
        s.expect(r"^line 4: sendall: (EPIPE|ECONNRESET): ")
        s.send("list")
        s.expect(r"^\* +3 +inet +tcp +failed ")
        status, out = s.close()
        check(status == 1, "status %d (killed by a signal?)\n%s"
              % (status, out))
    finally:
        s.kill()
        srv.close()


def test_send_to_closed_socketpair_epipe():
    st, out, err = lib.run("socketpair\nclose 4\nsend x\nsend y\nlist\n")
    check(st == 1, "status %d" % st)
    check('send(3, "x", 1, 0) = -1 EPIPE (Broken pipe)\n' in out, out)
    check('send(3, "y", 1, 0) = -1 EPIPE (Broken pipe)\n' in out, out)
    check(re.search(r"\* +3 +unix +stream +failed ", out), "list after EPIPE:\n"
          + out)
    check(err.startswith("line 3: send: EPIPE: "), err)


def test_eof_from_python_peer():
    srv = lib.listener()
    port = srv.getsockname()[1]

    def peer():
        c, _ = srv.accept()
        c.sendall(b"bye\n")
        c.close()
    h = lib.in_thread(peer)
    out, err = lib.run_ok("connect 127.0.0.1 %d\nrecv 100 waitall\nrecv\n"
                          "list\n" % port)
    h.join()
    check('recv(3, "bye\\n", 100, MSG_WAITALL) = 4\n'
          'recv(3, "", 65536, 0) = 0\n'
          'EOF: the peer closed its end of the connection (orderly '
          'shutdown)\n' in out, out)
    check(re.search(r"\* +3 +inet +tcp +eof ", out), out)
    srv.close()


def blocked_in(pid, names):
    """Wait until process pid sits in one of the given system calls."""
    numbers = {
        "x86_64": {"connect": 42, "accept": 43, "accept4": 288, "read": 0, "poll": 7,
                   "recvfrom": 45, "ppoll": 271, "nanosleep": 35,
                   "clock_nanosleep": 230},
        "aarch64": {"connect": 203, "accept": 202, "accept4": 242, "read": 63,
                    "recvfrom": 207, "ppoll": 73, "nanosleep": 101,
                    "clock_nanosleep": 115},
    }.get(platform.machine())
    deadline = time.monotonic() + lib.TIMEOUT
    while time.monotonic() < deadline:
        try:
            with open("/proc/%d/syscall" % pid) as f:
                field = f.read().split()[0]
            with open("/proc/%d/wchan" % pid) as f:
                wchan = f.read()
        except OSError:
            return False
        if numbers is not None and field.isdigit() and \
                int(field) in [numbers[n] for n in names if n in numbers]:
            return True
        if any(n in wchan for n in names):
            return True
        time.sleep(0.01)
    raise lib.TestFailure("sockrepl never blocked in %s" % names)


def test_sigint_in_script_accept_exits_130():
    s = lib.Session()
    try:
        s.send("bind 127.0.0.1 0")
        s.send("listen 1")
        s.send("accept")
        s.expect(r"^listen\(3, 1\) = 0$")
        blocked_in(s.p.pid, ["accept", "accept4"])
        s.p.send_signal(signal.SIGINT)
        s.p.wait(lib.TIMEOUT)
        status, out = s.close()
        check(status == 130, "status %d\n%s" % (status, out))
        check(out.endswith("accept(3, &addr, [128]) = -1 EINTR (Interrupted "
                           "system call)\nline 3: accept: EINTR: interrupted "
                           "(Ctrl-C); the socket is as it was\n"), out)
    finally:
        s.kill()


def test_sigint_in_script_recv_with_timeout_exits_130():
    s = lib.Session()
    try:
        s.send("socketpair")
        s.send("settimeout 30")
        s.send("recv")
        s.expect(r"^fcntl\(3, F_SETFL, O_RDWR\|O_NONBLOCK\) = 0$")
        blocked_in(s.p.pid, ["poll", "ppoll"])
        s.p.send_signal(signal.SIGINT)
        s.p.wait(lib.TIMEOUT)
        status, out = s.close()
        check(status == 130, "status %d\n%s" % (status, out))
    finally:
        s.kill()


def test_sigint_in_blocking_connect_exits_130():
    # A blocking connect to a full backlog waits (for minutes): the socket
    # line must already be out, and Ctrl-C must end it with status 130.
    srv, fillers = full_listener()
    s = lib.Session()
    try:
        s.send("socket\nconnect 127.0.0.1 %d\nlist"
               % srv.getsockname()[1])
        s.expect(r"^socket\(AF_INET, SOCK_STREAM, IPPROTO_TCP\) = 3$")
        blocked_in(s.p.pid, ["connect"])
        s.p.send_signal(signal.SIGINT)
        status, out = s.close()
        check(status == 130, "status %d\n%s" % (status, out))
        check("= -1 EINTR (Interrupted system call)" in out, out)
        check("FD  FAMILY" not in out, "went on after Ctrl-C:\n" + out)
    finally:
        s.kill()
        for f in fillers:
            f.close()
        srv.close()


def test_output_flushed_before_accept():
    # All lines arrive in one write; sockrepl must flush the trace before
    # blocking in accept, so we see the listen line before we connect.
    s = lib.Session()
    try:
        s.p.stdin.write(b"bind 127.0.0.1 0\nlisten 1\naccept\nrecv 10\n"
                        b"send pong\n")
        s.p.stdin.flush()
        port = int(s.expect(r"^getsockname\(3, \{AF_INET, 127\.0\.0\.1:"
                            r"(\d+)\}").group(1))
        s.expect(r"^listen\(3, 1\) = 0$")
        c = socket.create_connection(("127.0.0.1", port), timeout=lib.TIMEOUT)
        s.expect(r"^accept\(3, .*\) = 4$")
        # Now blocked in recv, with the accept line already seen.
        c.sendall(b"ping")
        s.expect(r'^recv\(4, "ping", 10, 0\) = 4$')
        check(c.recv(10) == b"pong", "no pong")
        c.close()
        status, out = s.close()
        check(status == 0, out)
    finally:
        s.kill()


def test_output_flushed_before_sleep_then_sigint():
    # The recv's answer must be visible while sleep waits, and Ctrl-C
    # (SIGINT) ends the sleep and the script with status 130.
    s = lib.Session()
    try:
        s.p.stdin.write(b"socketpair\nsend one\non 4 recv\nsleep 60\n"
                        b"send never\n")
        s.p.stdin.flush()
        s.expect(r'^recv\(4, "one", 65536, 0\) = 3$')
        blocked_in(s.p.pid, ["nanosleep", "clock_nanosleep"])
        s.p.send_signal(signal.SIGINT)
        status, out = s.close()
        check(status == 130, "status %d\n%s" % (status, out))
        check("never" not in out, "went on after Ctrl-C:\n" + out)
    finally:
        s.kill()


if __name__ == "__main__":
    lib.main()
