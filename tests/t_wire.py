"""wire on: the packets each call causes on loopback, captured with libpcap
and shown under the call's trace line; notices at the prompt; the message
when capture is not permitted; the message of a build without libpcap.

Every test reads --version first: on a build without libpcap (make
PCAP=no) it asserts the "built without" message instead. Capturing needs
CAP_NET_RAW: without it (not root), the tests that capture are skipped,
and the message test checks what is said.
"""
import os
import re
import shutil
import socket
import subprocess
import time

import lib
from lib import check

WITHOUT = ("sockrepl was built without libpcap, so it cannot show the wire "
           "(install libpcap-dev and build again with make PCAP=auto)")


def have_wire():
    out = subprocess.run([lib.SOCKREPL, "--version"], capture_output=True,
                         text=True).stdout
    m = re.search(r"wire (yes|no)\)", out)
    check(m is not None, "--version does not say wire yes|no: %r" % out)
    return m.group(1) == "yes"


def capture():
    """
    True when this build may capture here. A build without libpcap must
    say so instead: that is asserted, and False returned, so the test ends
    there, passed. Without CAP_NET_RAW (not root) the test is skipped.
    """
    if not have_wire():
        st, out, err = lib.run("wire on\n")
        check(st == 1 and "line 1: wire: " + WITHOUT in err,
              "a build without libpcap: %d %s" % (st, err))
        return False
    st, out, err = lib.run("wire on\n")
    if "not permitted" in err:
        raise lib.Skip("no CAP_NET_RAW here: " + err.strip())
    check(st == 0, "wire on failed: %s" % err)
    return True


def under(out, call_rx):
    """The lines indented under the first trace line matching call_rx."""
    lines = out.splitlines()
    for i, l in enumerate(lines):
        if re.match(call_rx, l):
            j = i + 1
            while j < len(lines) and lines[j].startswith("  "):
                j += 1
            return lines[i + 1:j]
    raise lib.TestFailure("no line matching %r in:\n%s" % (call_rx, out))


def match_lines(got, want, out):
    """Each regex in want matches the line at its place in got."""
    check(len(got) >= len(want), "want %d lines under the call, got %r\n"
          "whole output:\n%s" % (len(want), got, out))
    for g, w in zip(got, want):
        check(re.fullmatch(w, g), "want %r, got %r\nwhole output:\n%s"
              % (w, g, out))


# A listener (3), a client (4) connected to it and the accepted socket (5),
# all in the session.
PAIR = """wire on
bind 127.0.0.1 0
listen 5
set P $port
socket
connect 127.0.0.1 $P
on 3 accept
use 4
"""


def test_built_without():
    if have_wire():
        check("\n  -w, --wire " in subprocess.run(
            [lib.SOCKREPL, "--help"], capture_output=True, text=True).stdout,
            "--help names -w")
        return
    st, out, err = lib.run("wire on\nwire off\nwire\nsocketpair\n"
                           "send hi\ndiagram\n")
    check(st == 1, "status %d, want 1 (wire on failed)" % st)
    check(err.count("wire: " + WITHOUT) == 2, err)
    check(WITHOUT in out, "wire alone: " + out)
    check('send "hi" = 2' in out, "diagram without the wire:\n" + out)
    st, out, err = lib.run("socket\n", args=["-w"])
    check(st == 0 and "sockrepl: wire: " + WITHOUT in err, err)
    check("socket(AF_INET" in out, out)


def test_handshake_under_connect():
    if not capture():
        return
    out, err = lib.run_ok(PAIR + "wire\n")
    got = under(out, r"connect\(4, .*\) = 0$")
    match_lines(got, [
        r"  4 -> 3  \[S\] seq 0 win \d+ <mss \d+.*>",
        r"  3 -> 4  \[S\.\] seq 0 ack 1 win \d+ <mss \d+.*>",
        r"  4 -> 3  \[\.\] ack 1 win \d+",
    ], out)
    check(under(out, r"accept\(3, ") == [],
          "accept causes no packet:\n" + out)
    port = re.search(r"127\.0\.0\.1:(\d+)\}, \[16\]\) = 0", out).group(1)
    check(re.search(r'the wire view is on: capturing on lo with the filter '
                    r'".*\bport %s\b.*"' % port, out),
          "wire alone names the filter with the listener's port:\n" + out)


def test_data_segment_under_send():
    if not capture():
        return
    out, err = lib.run_ok(PAIR + "send hello\non 5 recv 100\n")
    got = under(out, r'send\(4, "hello", 5, 0\) = 5$')
    match_lines(got, [
        r'  4 -> 5  \[P\.\] seq 1:6 ack 1 win \d+ len 5 "hello"',
    ], out)
    check(all(re.fullmatch(r"  5 -> 4  \[\.\] ack 6 win \d+", l)
              for l in got[1:]), "only the ACK may follow:\n" + out)


def test_fin_under_shutdown_and_close():
    if not capture():
        return
    out, err = lib.run_ok(PAIR + "shutdown wr\non 5 recv 10\non 5 close\n"
                          "sleep 0.1\n")
    match_lines(under(out, r"shutdown\(4, SHUT_WR\) = 0$"),
                [r"  4 -> 5  \[F\.\] seq 1 ack 1 win \d+"], out)
    got = under(out, r"close\(5\) = 0$")
    # The ACK of 4's FIN may have been held back and ride on this FIN.
    match_lines(got, [r"  5 -> 4  \[F\.\] seq 1 ack 2 win \d+",
                      r"  4 -> 5  \[\.\] ack 2 win \d+"], out)


def test_fin_exchange_with_a_peer_under_close():
    if not capture():
        return
    srv = lib.listener()
    port = srv.getsockname()[1]

    def peer():
        c, _ = srv.accept()
        while c.recv(100):
            pass
        c.close()
    h = lib.in_thread(peer)
    try:
        out, err = lib.run_ok("wire on\nconnect 127.0.0.1 %d\nclose\n"
                              "sleep 0.3\n" % port)
        h.join()
    finally:
        srv.close()
    peer_end = r"127\.0\.0\.1:%d" % port
    got = under(out, r"close\(3\) = 0$")
    check(got and re.fullmatch(r"  3 -> %s  \[F\.\] seq 1 ack 1 win \d+"
                               % peer_end, got[0]), out)
    # The peer closes when it reads the EOF: its FIN comes under close or,
    # late, before sleep; either way in this order, and 3's last ACK.
    lines = [l for l in out.splitlines() if l.startswith("  ")]
    i = lines.index(got[0])
    rest = "\n".join(lines[i + 1:])
    check(re.search(r"  %s -> 3  \[F\.\] seq 1 ack 2 win \d+\n"
                    r"  3 -> %s  \[\.\] ack 2 win \d+" % (peer_end, peer_end),
                    rest), "the peer's FIN and the last ACK:\n" + out)


def test_rst_under_close_with_linger_zero():
    if not capture():
        return
    out, err = lib.run_ok(PAIR + "setsockopt SO_LINGER 1 0\nclose\n")
    match_lines(under(out, r"close\(4\) = 0$"),
                [r"  4 -> 5  \[R\.\] seq 1 ack 1 win \d+"], out)
    check(under(out, r"setsockopt\(4, ") == [], out)


def test_refused_connect():
    if not capture():
        return
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()       # bound, never listening: refused
    st, out, err = lib.run("wire on\nconnect 127.0.0.1 %d\n" % port)
    check(st == 1, "status %d" % st)
    match_lines(under(out, r"connect\(3, .*ECONNREFUSED"), [
        r"  3 -> 127\.0\.0\.1:%d  \[S\] seq 0 win \d+ <.*>" % port,
        r"  127\.0\.0\.1:%d -> 3  \[R\.\] seq 0 ack 1 win 0" % port,
    ], out)


def test_udp_and_icmp_port_unreachable():
    if not capture():
        return
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()
    out, err = lib.run_ok(
        "wire on\nsocket dgram\nbind 127.0.0.1 0\nset P $port\n"
        "socket dgram\nsendto ping 127.0.0.1 $P\non 3 recvfrom 100\n"
        "sendto lost 127.0.0.1 %d\n" % closed)
    match_lines(under(out, r'sendto\(4, "ping", '),
                [r'  4 -> 3  UDP len 4 "ping"'], out)
    match_lines(under(out, r'sendto\(4, "lost", '), [
        r'  4 -> 127\.0\.0\.1:%d  UDP len 4 "lost"' % closed,
        r"  127\.0\.0\.1 -> 4  ICMP port unreachable \(UDP to "
        r"127\.0\.0\.1:%d\)" % closed,
    ], out)


def test_ipv6_handshake_and_data():
    if not capture():
        return
    lib.need_ipv6()
    out, err = lib.run_ok(
        "wire on\nsocket stream inet6\nbind ::1 0\nlisten 1\nset P $port\n"
        "socket stream inet6\nconnect ::1 $P\non 3 accept\nuse 4\n"
        "send hex:00ff\n")
    match_lines(under(out, r"connect\(4, \{AF_INET6, "), [
        r"  4 -> 3  \[S\] seq 0 .*", r"  3 -> 4  \[S\.\] seq 0 ack 1 .*",
        r"  4 -> 3  \[\.\] ack 1 .*"], out)
    match_lines(under(out, r"send\(4, "),
                [r'  4 -> 5  \[P\.\] seq 1:3 ack 1 win \d+ len 2 '
                 r'"\\0\\xff"'], out)


def test_off_and_status():
    if not capture():
        return
    out, err = lib.run_ok("wire\nwire on\nwire off\nwire\nsocketpair\n"
                          "send x\n")
    check(out.count("the wire view is off (wire on starts it)") == 2, out)
    check(not re.search(r"^  \S+ -> ", out, re.M), out)


def test_not_permitted_message():
    if not have_wire():
        capture()       # asserts the message of a build without libpcap
        return
    cmd = [lib.SOCKREPL]
    if os.geteuid() == 0:
        # Root without CAP_NET_RAW, for this program and what it runs.
        cmd = [lib.need_program("setpriv"), "--inh-caps=-all",
               "--bounding-set=-net_raw"] + cmd
    p = subprocess.run(cmd, input="wire on\nsocketpair\nsend ok\nwire\n",
                       capture_output=True, text=True, timeout=lib.TIMEOUT)
    lib.no_sanitizer_report(p.stderr)
    if p.returncode == 0 and os.geteuid() != 0:
        raise lib.Skip("this user may capture (file capabilities?)")
    check(p.returncode == 1, "status %d\n%s" % (p.returncode, p.stderr))
    m = re.search(r'^line 1: wire: capturing packets is not permitted: it '
                  r'needs the CAP_NET_RAW capability, which this process does '
                  r'not have\. Grant it to the program with "sudo setcap '
                  r'cap_net_raw\+ep (\S+)", or run sockrepl as root$',
                  p.stderr, re.M)
    check(m, "message:\n" + p.stderr)
    check(os.path.samefile(m.group(1), lib.SOCKREPL), m.group(1))
    # Everything else goes on.
    check('send(3, "ok", 2, 0) = 2' in p.stdout, p.stdout)
    check("the wire view is off" in p.stdout, p.stdout)
    p = subprocess.run(cmd + ["-w", "-c", "socket"], capture_output=True,
                       text=True, timeout=lib.TIMEOUT)
    check(p.returncode == 0 and "sockrepl: wire: capturing packets is not "
          "permitted" in p.stderr and "socket(AF_INET" in p.stdout,
          "%d %s %s" % (p.returncode, p.stdout, p.stderr))


def test_first_socket_is_still_fd_3():
    if not capture():
        return
    out, err = lib.run_ok("socket\n", args=["-w"])
    check("= 3\n" in out, out)


def test_notice_for_peer_fin_at_prompt():
    if not capture():
        return
    from t_interactive import Pty
    p = Pty(args=["-w", "--no-color"])
    srv = None
    try:
        p.expect(r"sockrepl> $")
        srv = lib.listener()
        port = srv.getsockname()[1]
        p.line("connect 127.0.0.1 %d" % port)
        c, _ = srv.accept()
        p.type("send hal")
        p.expect(r"send hal$")
        c.close()
        # The peer's FIN as a notice over the half-typed line, kept.
        m = p.expect(r"\[wire\]  127\.0\.0\.1:%d -> 3  \[F\.\] seq 1 ack 1 "
                     r"win \d+\n(?:.*\n)*?sockrepl\[3 tcp connected\]> "
                     r"send hal" % port)
        p.type("lo\r")
        p.expect(r'send\(3, "hallo", 5, 0\) = 5\n  3 -> 127\.0\.0\.1:%d  '
                 r'\[P\.\] seq 1:6 ack 2 win \d+ len 5 "hallo"\n' % port)
        p.expect(r"127\.0\.0\.1:%d -> 3  \[R\] seq 2" % port)
        # Ctrl-D only once the prompt is back: typed while a command runs,
        # the terminal is not in readline's hands.
        p.expect(r"\[fd 3\] the connection was reset")
        p.expect(r"> $")
        st, out = p.finish()
        check(st == 0, "status %d" % st)
    finally:
        p.kill()
        if srv is not None:
            srv.close()


def test_export_ignores_wire_and_diagram():
    if not capture():
        return
    d = lib.tempdir()
    try:
        body = ("bind 127.0.0.1 0\nlisten 5\nset P $port\nsocket\n"
                "connect 127.0.0.1 $P\non 3 accept\nsend hello\nuse 4\n"
                "recv 10\nclose\n")
        for form in ("c", "python"):
            plain = os.path.join(d, "plain." + form)
            wired = os.path.join(d, "wired." + form)
            lib.run_ok(body + "export %s %s\n" % (form, plain))
            lib.run_ok("wire on\n" + body + "diagram\nwire off\n"
                       "diagram svg %s/x.svg\nwire\nexport %s %s\n"
                       % (d, form, wired))
            # The port the kernel chose shows in a comment: it differs.
            a, b = (re.sub(r"127\.0\.0\.1 \d+", "127.0.0.1 PORT",
                           open(f).read()) for f in (plain, wired))
            check(a and a == b, "export %s differs:\n%s\n----\n%s"
                  % (form, a, b))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    lib.main()
