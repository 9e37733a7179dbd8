"""The kernel's view: info, list's kernel columns and list -a (sock_diag),
the prompt's notices about TCP states and the accept queue, and the hints
that need the kernel's view. Real peers on loopback; only what every Linux
kernel guarantees is asserted (fields present, not rtt values)."""
import re
import socket
import struct
import threading
import time

import lib
from lib import check
from t_interactive import session, bound_listener, PROMPT


def diag_works(out):
    """Did list's sock_diag dump work here (-v output)? Some sandboxes
    have no sock_diag; list then asks each socket."""
    return re.search(r"^sock_diag\(.*\) = \d+$", out, re.M) is not None


def list_rows(out):
    """list's rows by fd, each a list of its cells (blank-separated)."""
    rows = {}
    for line in out.splitlines():
        m = re.match(r"^[ *] *(\d+|-) +(inet6?|unix) ", line)
        if m:
            rows.setdefault(m.group(1), []).append(line[1:].split())
    return rows


HEAD = ["FD", "FAMILY", "TYPE", "STATE", "KERNEL", "RECV-Q", "SEND-Q",
        "LOCAL", "PEER", "IN", "OUT", "MODE"]


def cell(row, name):
    return row[HEAD.index(name)]


def test_info_tcp_both_ends():
    out, err = lib.run_ok(
        "bind 127.0.0.1 0\nlisten 5\nset p $port\nsocket\n"
        "connect 127.0.0.1 $p\nsend hello\ninfo 3\non 3 accept\ninfo\n"
        "info 4\n")
    # The calls come first, traced, then the block.
    check(re.search(r"^getsockopt\(3, IPPROTO_TCP, TCP_INFO, "
                    r"\{tcpi_state=TCP_LISTEN, .*\}, \[\d+\]\) = 0$", out,
                    re.M), out)
    check("fd 3: TCP LISTEN (sockrepl: listening)\n" in out, out)
    check(re.search(r"accept queue +1 connection waiting, backlog 5 ", out)
          or "backlog 0" in out, out)
    check(re.search(r"^ioctl\(5, FIONREAD, \[5\]\) = 0$", out, re.M), out)
    check(re.search(r"^ioctl\(5, SIOCOUTQ, \[\d+\]\) = 0$", out, re.M), out)
    check(re.search(r"^ioctl\(5, SIOCOUTQNSD, \[\d+\]\) = 0$", out, re.M),
          out)
    check("fd 5: TCP ESTABLISHED (sockrepl: connected)\n"
          "  the connection is open both ways\n" in out, out)
    for name in ("rtt", "cwnd", "mss", "retransmits", "options", "unread",
                 "unsent", "unacked", "buffers", "error"):
        check(re.search(r"^  %s +\S" % name, out, re.M), name + "\n" + out)
    check("  unread       5 bytes waiting for recv (SIOCINQ)\n" in out, out)
    check("  error        none pending (SO_ERROR)\n" in out, out)
    # The block follows its calls: nothing traced after "fd 5:" until the
    # next info.
    blk = out[out.index("fd 5: TCP"):out.index("getsockopt(4")]
    check(all(l.startswith("  ") for l in blk.splitlines()[1:]), blk)


def test_getsockopt_tcp_info_fields_by_name():
    out, err = lib.run_ok(
        "bind 127.0.0.1 0\nlisten\nset p $port\nsocket\n"
        "connect 127.0.0.1 $p\ngetsockopt TCP_INFO\n")
    for f in ("tcpi_state = 1 (TCP_ESTABLISHED)", "tcpi_rtt = ",
              "tcpi_snd_cwnd = ", "tcpi_snd_mss = ", "tcpi_retransmits = ",
              "tcpi_options = ", "tcpi_total_retrans = "):
        check("\n" + f in out, f + "\n" + out)
    # -q: the fields alone.
    out, err = lib.run_ok(
        "bind 127.0.0.1 0\nlisten\nset p $port\nsocket\n"
        "connect 127.0.0.1 $p\ngetsockopt TCP_INFO\n", ["-q"])
    check("tcpi_state = 1 (TCP_ESTABLISHED)\n" in out and
          "getsockopt(" not in out, out)
    st, out, err = lib.run("socketpair\ngetsockopt TCP_INFO\n")
    check(st == 1 and re.search(r"getsockopt: E(OPNOTSUPP|NOPROTOOPT)",
                                err), err)


def test_info_udp_and_unix():
    out, err = lib.run_ok(
        "socket udp\nbind 127.0.0.1 0\nsendto abcdef 127.0.0.1 $port\n"
        "sleep 0.05\ninfo\nsocketpair\nsend hi\ninfo 5\n")
    check(re.search(r"^ioctl\(3, FIONREAD, \[6\]\) = 0$", out, re.M), out)
    check("  next         a datagram of 6 bytes waits (SIOCINQ)\n" in out,
          out)
    check(re.search(r"  queued       [1-9]\d* bytes of receive buffer", out),
          out)
    check(re.search(r"^getsockopt\(5, SOL_SOCKET, SO_PEERCRED, \{pid=\d+, "
                    r"uid=\d+, gid=\d+\}, \[12\]\) = 0$", out, re.M), out)
    check(re.search(r"  peer         pid \d+, uid \d+, gid \d+ "
                    r"\(SO_PEERCRED\)", out), out)
    check("  unread       2 bytes waiting for recv (SIOCINQ)\n" in out, out)


def test_info_reads_pending_error_and_list_keeps_it():
    srv = lib.listener()
    port = srv.getsockname()[1]
    s = lib.Session()
    try:
        s.send("socket\nconnect 127.0.0.1 %d" % port)
        c, _ = srv.accept()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        c.close()
        time.sleep(0.1)
        s.send("info")
        s.expect(r"^  error +ECONNRESET pending")
        s.send("recv")
        s.expect(r"^EOF after a reset: the peer reset the connection")
        s.send("send x\nlist")
        s.expect(r"^\*  3 .* failed .*ECONNRESET$")
        st, text = s.close()
        check("orderly shutdown" not in text, text)
    finally:
        s.kill()
        srv.close()


def test_reset_then_recv_zero_then_epipe():
    # After ECONNRESET the next recv returns 0: a reset, not an orderly
    # shutdown; and list keeps ECONNRESET though send then fails EPIPE.
    srv = lib.listener()
    port = srv.getsockname()[1]
    s = lib.Session()
    try:
        s.send("socket\nconnect 127.0.0.1 %d\nsend data" % port)
        s.expect(r'^send\(3, "data", 4, 0\) = 4$')
        c, _ = srv.accept()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        c.close()
        time.sleep(0.1)
        s.send("recv")
        s.expect(r"recv: ECONNRESET")
        s.send("recv")
        s.expect(r"^EOF after a reset: the peer reset the connection "
                 r"\(ECONNRESET, reported already\)")
        s.send("send more")
        s.expect(r"send: EPIPE")
        s.send("list")
        s.expect(r"^\*  3 .* failed .*ECONNRESET$")
        st, text = s.close()
        check("orderly shutdown" not in text, text)
        check(", EPIPE" not in text, text)
    finally:
        s.kill()
        srv.close()


def test_list_kernel_state_close_wait_and_queues():
    srv = lib.listener()
    port = srv.getsockname()[1]
    s = lib.Session(["-v"])
    try:
        s.send("socket\nconnect 127.0.0.1 %d" % port)
        c, _ = srv.accept()
        c.sendall(b"12345")
        c.close()
        s.send("recv 2")
        s.expect(r'^recv\(3, "12", 2, 0\) = 2$')
        s.send("list\nsleep 0")
        s.expect(r"^nanosleep")
        st, text = s.close()
        rows = list_rows(text)
        row = rows["3"][-1]
        check(cell(row, "KERNEL") == "CLOSE_WAIT", text)
        # The 3 bytes unread (and, on some kernels, the FIN counted too).
        check(cell(row, "RECV-Q") in ("3", "4"), text)
        check(cell(row, "SEND-Q") == "0", text)
        check(cell(row, "LOCAL").startswith("127.0.0.1:") and
              cell(row, "PEER") == "127.0.0.1:%d" % port, text)
    finally:
        s.kill()
        srv.close()


def test_send_queue_fills_when_peer_does_not_read():
    srv = lib.listener()
    port = srv.getsockname()[1]
    chunk = "x" * 60000
    script = ("socket\nconnect 127.0.0.1 %d\nsetblocking false\n" % port +
              ("send %s\n" % chunk) * 200 + "list\ninfo\n")
    try:
        st, out, err = lib.run(script)
        check("send: EAGAIN: the send buffer is full" in err, err[-300:])
        row = list_rows(out)["3"][-1]
        check(int(cell(row, "SEND-Q")) > 0, out[-2000:])
        m = re.search(r"  unsent +(\d+) bytes? not yet sent.*\n"
                      r"  unacked +(\d+) bytes? sent", out)
        check(m and int(m.group(1)) + int(m.group(2)) > 0, out[-2000:])
    finally:
        srv.close()


def test_accept_queue_against_backlog():
    st, out, err = lib.run(
        "bind 127.0.0.1 0\nlisten 2\nset p $port\nsocket\n"
        "connect 127.0.0.1 $p\nsocket\nconnect 127.0.0.1 $p\nsocket\n"
        "setblocking false\nconnect 127.0.0.1 $p\nsleep 0.1\nlist\n"
        "info 3\n")
    m = re.search(r"accept queue +(\d+) connections? waiting, backlog (\d+)",
                  out)
    check(m, out)
    waiting, backlog = int(m.group(1)), int(m.group(2))
    if backlog == 0:
        raise lib.Skip("this kernel does not report a listener's backlog "
                       "in TCP_INFO")
    check(backlog == 2 and waiting >= 2, out)
    if waiting > backlog:
        check(": full, new connections are dropped" in out, out)
    row = list_rows(out)["3"][-1]
    check(cell(row, "KERNEL") == "LISTEN" and cell(row, "SEND-Q") == "2" and
          cell(row, "RECV-Q") == str(waiting), out)


def test_time_wait_after_our_close_in_list_a():
    srv = lib.listener()
    port = srv.getsockname()[1]
    s = lib.Session(["-v"])
    try:
        s.send("socket\nconnect 127.0.0.1 %d\nclose" % port)
        c, _ = srv.accept()
        s.expect(r"^close\(3\) = 0$")
        c.settimeout(lib.TIMEOUT)
        check(c.recv(10) == b"", "no EOF at the peer")
        c.close()
        time.sleep(0.1)
        s.send("socketpair\nlist\nlist -a\nsleep 0")
        s.expect(r"^nanosleep")
        st, text = s.close()
        if not diag_works(text):
            raise lib.Skip("no sock_diag in this kernel")
        check("(1 connection you closed is still held by the kernel: "
              "list -a shows it)" in text, text)
        rows = list_rows(text)["-"]
        check(len(rows) == 1, text)
        row = rows[0]
        check(cell(row, "STATE") == "closed" and
              cell(row, "KERNEL") == "TIME_WAIT" and
              cell(row, "PEER") == "127.0.0.1:%d" % port, text)
    finally:
        s.kill()
        srv.close()


def test_hint_recv_datagram_cut_short():
    out, err = lib.run_ok(
        "socket udp\nbind 127.0.0.1 0\nsendto 0123456789 127.0.0.1 $port\n"
        "recv 4\nexpect 0123\nexpect ret 4\n")
    check("the datagram was 10 bytes: the 6 past the buffer were lost "
          "(MSG_TRUNC" in out, out)
    check('recv(3, "0123", 4, 0) = 4\n' in out, out)


def test_hint_accept_on_connected_socket_points_at_listener():
    st, out, err = lib.run(
        "bind 127.0.0.1 0\nlisten\nset p $port\nsocket\n"
        "connect 127.0.0.1 $p\naccept\n")
    check(st == 1, "status %d" % st)
    check("accept: EINVAL" in err, err)
    check("accept: fd 3 is the listener, and a connection is waiting "
          "there: on 3 accept takes it" in err, err)


def test_hint_listen_unbound_shows_port():
    out, err = lib.run_ok("socket\nlisten 1\nexpect ret 0\n")
    lib.transcript(out, """
socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3
listen(3, 1) = 0
getsockname(3, {AF_INET, 0.0.0.0:<P>}, [16]) = 0
""")


def test_hint_connect_times_out_on_full_backlog_of_ours():
    st, out, err = lib.run(
        "bind 127.0.0.1 0\nlisten 0\nset p $port\nsocket\n"
        "connect 127.0.0.1 $p\nsocket\nsettimeout 0.3\n"
        "connect 127.0.0.1 $p\nsocket\nsettimeout 0.3\n"
        "connect 127.0.0.1 $p\n")
    if "timed out" not in err:
        raise lib.Skip("this kernel took every connection")
    check("connect: listener 3's backlog (0) is full" in err and
          "on 3 accept" in err, err)


def test_notices_close_wait_backlog_and_time_wait():
    def body(p):
        port = bound_listener(p)
        conns = [socket.create_connection(("127.0.0.1", port),
                                          timeout=lib.TIMEOUT)]
        p.expect(r"\[fd 3\] a connection is waiting \(accept will not "
                 r"block\), backlog 5\n")
        conns += [socket.create_connection(("127.0.0.1", port),
                                           timeout=lib.TIMEOUT)
                  for i in range(2)]
        p.expect(r"\[fd 3\] [23] connections are waiting, backlog 5\n")
        p.line("accept")
        conns[0].close()
        p.expect(r"\[fd 4\] the peer closed its end \(EOF\): recv returns "
                 r"0; the connection is in CLOSE_WAIT until you close\n")
        p.line("on 3 accept")
        # Our close first: the kernel keeps the connection.
        p.type("close\r")
        p.expect(r"\[fd 5\] closed, but the kernel still holds the "
                 r"connection in FIN_WAIT[12]|\[fd 5\] closed; the kernel "
                 r"keeps the connection in TIME_WAIT|"
                 r"sockrepl\[3 tcp listening\]> $")
        if "[fd 5] closed" not in p.text():
            raise lib.Skip("no sock_diag in this kernel")
        for c in conns:
            c.close()
    session(body)


def test_hint_accept_times_out_while_a_syn_was_dropped():
    # Listener 3 with backlog 0 holds one connection: the queue is full,
    # so fd 5's SYN is dropped. accept takes the first; a second accept
    # with a timeout runs out before fd 5's kernel sends the SYN again.
    st, out, err = lib.run(
        "bind 127.0.0.1 0\nlisten 0\nset p $port\nsocket\n"
        "connect 127.0.0.1 $p\nsocket\nsetblocking false\n"
        "connect 127.0.0.1 $p\non 3 accept\nuse 3\nsettimeout 0.3\n"
        "accept\nlist\n", ["-v"])
    if not diag_works(out):
        raise lib.Skip("no sock_diag in this kernel")
    if "accept: timed out" not in err:
        raise lib.Skip("this kernel took fd 5's connection at once")
    check("accept: fd 5's connection request (SYN) was dropped while "
          "this listener's backlog was full" in err, err)


def test_list_raw_socket_address_has_no_port():
    # The kernel keeps a raw socket's protocol where the port would be
    # (getsockname says sin_port=htons(1) for ICMP): list shows the host
    # alone, and the trace still shows what the kernel said.
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW,
                      socket.IPPROTO_ICMP).close()
    except OSError as e:
        raise lib.Skip("no raw sockets here: %s" % e)
    out, err = lib.run_ok("socket raw inet icmp\nlist\n", args=["-v"])
    check("getsockname(3, {AF_INET, 0.0.0.0:1}, [16]) = 0" in out, out)
    row = list_rows(out)["3"][0]
    check(cell(row, "LOCAL") == "0.0.0.0", out)
    check(cell(row, "PEER") == "-", out)
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                      socket.IPPROTO_ICMPV6).close()
    except OSError:
        return
    out, err = lib.run_ok("socket raw inet6 icmpv6\nlist\n")
    row = list_rows(out)["3"][0]
    check(cell(row, "LOCAL") == "::", out)


def test_close_with_unread_data_says_the_peer_was_reset():
    # close on a TCP connection holding unread bytes makes the kernel send
    # RST, not FIN: the peer's recv fails ECONNRESET, and close says why.
    s = lib.Session()
    result = {}
    try:
        s.send("socket\nbind 127.0.0.1 0\nlisten 2")
        port = int(s.expect(r"^getsockname\(3, \{AF_INET, 127\.0\.0\.1:"
                            r"(\d+)\}").group(1))
        s.expect(r"^listen\(3, 2\) = 0$")   # before the peer connects

        sent = threading.Event()

        def peer():
            c = socket.create_connection(("127.0.0.1", port))
            c.settimeout(lib.TIMEOUT)
            c.sendall(b"hello\n")
            c.shutdown(socket.SHUT_WR)
            # On loopback the bytes are in our queue once sendall returns.
            sent.set()
            try:
                result["got"] = c.recv(100)
            except OSError as e:
                result["err"] = e
            c.close()
        t = lib.in_thread(peer)
        s.send("accept")
        s.expect(r"^accept\(3, .*\) = 4$")
        check(sent.wait(lib.TIMEOUT), "the peer sent nothing")
        s.send("close")
        s.expect(r"^close\(4\) = 0$")
        s.expect(r"^\(close discarded 6 unread bytes: the kernel reset "
                 r"the connection \(RST\) instead of sending a FIN")
        t.join(lib.TIMEOUT)
        check(isinstance(result.get("err"), ConnectionResetError),
              "peer: %r" % result)
        # Read first, and close is orderly: no note.
        s.send("on 3 close")
        s.expect(r"^close\(3\) = 0$")
        st, text = s.close()
        check(text.count("close discarded") == 1, text)
    finally:
        s.kill()


def linger_close(middle):
    """connect to a python3 peer that sends "ready", run middle, close:
    (sockrepl's output, what the peer's recv after got or its error)."""
    srv = lib.listener()
    port = srv.getsockname()[1]

    def peer():
        c, _ = srv.accept()
        c.settimeout(lib.TIMEOUT)
        c.sendall(b"ready")
        try:
            return c.recv(100)
        except OSError as e:
            return e
        finally:
            c.close()
    t = lib.in_thread(peer)
    try:
        out, err = lib.run_ok("connect 127.0.0.1 %d\n%s\nclose\n"
                              % (port, middle))
        return out, t.join(lib.TIMEOUT)
    finally:
        srv.close()


def test_close_with_linger_zero_says_the_peer_was_reset():
    # SO_LINGER on with a timeout of 0: close aborts the connection, RST
    # instead of FIN, even with nothing unread; the peer's recv fails
    # ECONNRESET, and close says why.
    out, got = linger_close("recv exactly 5\nsetsockopt SO_LINGER on 0")
    check("setsockopt(3, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, "
          "8) = 0" in out, out)
    check(re.search(r"^close\(3\) = 0\n\(SO_LINGER is on with a timeout "
                    r"of 0: the kernel reset the connection \(RST\) instead "
                    r"of sending a FIN, dropping any unsent data and keeping "
                    r"no TIME_WAIT; setsockopt SO_LINGER off for an orderly "
                    r"close\)$", out, re.M), out)
    check(isinstance(got, ConnectionResetError), "peer: %r\n%s" % (got, out))
    # With bytes unread as well, one note says both.
    out, got = linger_close("recv exactly 2\nsetsockopt SO_LINGER on 0")
    check(re.search(r"^\(close discarded 3 unread bytes, and SO_LINGER is "
                    r"on with a timeout of 0: the kernel reset", out, re.M),
          out)
    check(out.count("reset the connection") == 1, out)
    check(isinstance(got, ConnectionResetError), "peer: %r\n%s" % (got, out))
    # A timeout that is not 0 lingers: FIN, the peer reads EOF, no note.
    out, got = linger_close("recv exactly 5\nsetsockopt SO_LINGER on 1")
    check("close(3) = 0" in out and "SO_LINGER is on" not in out and
          "reset" not in out, out)
    check(got == b"", "peer: %r\n%s" % (got, out))
    # A dup keeps the connection: closing one fd resets nothing, the other
    # still sends (and list sees the kernel's state through it).
    out, got = linger_close("recv exactly 5\nsetsockopt SO_LINGER on 0\n"
                            "dup\nclose 3\nsend abc\nlist")
    check(re.search(r"^close\(3\) = 0\nsend\(4, ", out, re.M), out)
    # (CLOSE_WAIT once the peer, which has its bytes, has gone.)
    check(re.search(r"^\* +4 +inet +tcp +connected +(ESTABLISHED|"
                    r"CLOSE_WAIT) ", out, re.M), out)
    check(got == b"abc", "peer: %r\n%s" % (got, out))


def test_close_after_reading_everything_says_nothing():
    srv = lib.listener()
    port = srv.getsockname()[1]
    try:
        out, err = lib.run_ok("connect 127.0.0.1 %d\nsend hi\nclose\n"
                              % port)
        check("close(3) = 0" in out, out)
        check("close discarded" not in out, out)
        out, err = lib.run_ok("connect 127.0.0.1 %d\nclose\n" % port,
                              args=["-v"])
        check(re.search(r"^ioctl\(3, FIONREAD, \[0\]\) = 0$", out, re.M),
              out)
    finally:
        srv.close()


if __name__ == "__main__":
    lib.main()
