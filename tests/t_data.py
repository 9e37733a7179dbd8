"""Data in and out: hex:, < FILE, sendline, recvline, recvuntil, recvall,
> FILE and >> FILE, the display formats, and sockrepl's receive buffer."""
import atexit
import os
import shutil
import signal
import socket

import lib
from lib import check

BINARY = bytes([0, 0xff, 0, 0x41, 0x0a, 0xff, 0xfe, 0, 0x7f, 0x80])


def tempdir():
    """A temp dir removed when the tests end."""
    d = lib.tempdir()
    atexit.register(shutil.rmtree, d, True)
    return d


def echo_peer(srv):
    """Accept one connection, echo until EOF, then close."""
    c, _ = srv.accept()
    c.settimeout(lib.TIMEOUT)
    got = b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        got += b
        c.sendall(b)
    c.close()
    srv.close()
    return got


def sink_peer(srv):
    """Accept one connection and return everything it sent."""
    c, _ = srv.accept()
    c.settimeout(lib.TIMEOUT)
    got = b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        got += b
    c.close()
    srv.close()
    return got


def source_peer(srv, data):
    """Accept one connection, send data, close."""
    c, _ = srv.accept()
    c.sendall(data)
    c.close()
    srv.close()


def port_of(srv):
    return srv.getsockname()[1]


def test_binary_round_trip_byte_for_byte():
    srv = lib.listener()
    peer = lib.in_thread(echo_peer, srv)
    d = tempdir()
    out = os.path.join(d, "out.bin")
    script = ("connect 127.0.0.1 %d\n"
              "sendall hex:00ff00410aff\n"
              'sendall "\\xfe\\0\\x7f\\x80"\n'
              "shutdown wr\n"
              "recvall > %s\n" % (port_of(srv), out))
    status, o, e = lib.run(script)
    check(status == 0, "status %d\n%s%s" % (status, o, e))
    check(peer.join() == BINARY, "peer got the wrong bytes")
    with open(out, "rb") as f:
        check(f.read() == BINARY, "file differs after the round trip")
    check("(10 bytes written to %s)" % out in o, o)
    check('send(3, "\\0\\xff\\0A\\n\\xff", 6, 0) = 6' in o, o)


def test_hex_needs_whole_word_and_good_digits():
    status, o, e = lib.run("socketpair\nsend hex:abc\nsend hex:zz\n"
                           "send 'hex:ab'\non 4 recv\nsend hex:41 42\n"
                           "on 4 recv\n")
    check(status == 1, "status %d" % status)
    check("line 2: send: hex data needs an even number of digits" in e, e)
    check('line 3: send: hex data: "z" at digit 1 is not a hex digit' in e, e)
    check('"hex:ab"' in o, o)          # quoted: plain text
    check('"hex:41 42"' in o, o)       # more than one word: plain text


def test_send_file_and_missing_file():
    d = tempdir()
    src = os.path.join(d, "in.bin")
    data = bytes(range(256)) * 8192      # 2 MiB, every byte value
    with open(src, "wb") as f:
        f.write(data)
    srv = lib.listener()
    peer = lib.in_thread(sink_peer, srv)
    script = ("connect 127.0.0.1 %d\n"
              "send < %s/missing.txt\n"
              "sendall < %s\n"
              "close\n" % (port_of(srv), d, src))
    status, o, e = lib.run(script)
    check(status == 1, "status %d" % status)
    check("line 2: send: %s/missing.txt: No such file or directory" % d
          in e, e)
    check(peer.join() == data, "the peer did not get the file")
    check("more send calls" in o, o)
    check("(%d bytes of %s sent)" % (len(data), src) in o, o)


def test_send_file_first_chunk_and_quoted_lt():
    d = tempdir()
    src = os.path.join(d, "in.txt")
    with open(src, "wb") as f:
        f.write(b"from a file\n")
    status, o, e = lib.run("socketpair\nsend < %s\non 4 recv\n"
                           "send '<' x\non 4 recv\nsend < a b\n" % src)
    check(status == 1, "status %d" % status)
    check('"from a file\\n"' in o, o)
    check('"< x"' in o, o)
    check("line 6: send: < takes one file name" in e, e)


def test_sendline_lf_and_crlf():
    srv = lib.listener()
    peer = lib.in_thread(sink_peer, srv)
    status, o, e = lib.run("connect 127.0.0.1 %d\nsendline GET / HTTP/1.0\n"
                           "newline crlf\nsendline Host: x\nsendline\n"
                           "newline\nnewline cr\nclose\n" % port_of(srv))
    check(status == 1, "status %d" % status)
    check(peer.join() == b"GET / HTTP/1.0\nHost: x\r\n\r\n", "peer")
    check("newline crlf" in o, o)
    check('newline: "cr": use lf or crlf' in e, e)


def test_recvline_keeps_the_rest_buffered():
    status, o, e = lib.run('socketpair\non 4 send "one\\ntwo\\nthr"\n'
                           "recvline\nlist\nrecvline\nrecv 100\nlist\n")
    check(status == 0, "status %d\n%s" % (status, e))
    check('recv(3, "one\\ntwo\\nthr", 65536, 0) = 11\n(7 bytes kept in '
          "sockrepl's buffer)" in o, o)
    check('\n"one\\n"\n' in o, o)
    check("blocking, 7 buffered" in o, o)
    check("(4 bytes from sockrepl's buffer, no system call)\n\"two\\n\"\n"
          in o, o)
    check("(3 bytes from sockrepl's buffer, no system call)\n\"thr\"\n"
          in o, o)
    # The second list shows nothing buffered any more.
    check(o.count("buffered") == 1, o)


def test_recvline_waits_across_calls():
    srv = lib.listener()
    s = lib.Session()
    try:
        s.send("connect 127.0.0.1 %d" % port_of(srv))
        c, _ = srv.accept()
        c.sendall(b"par")
        s.send("recvline")
        s.expect(r'^recv\(3, "par", 65536, 0\) = 3$')
        c.sendall(b"tial\nnext")
        s.expect(r'^recv\(3, "tial\\nnext", 65536, 0\) = 9$')
        s.expect(r"^\(4 bytes kept in sockrepl's buffer\)$")
        s.expect(r'^"partial\\n"$')
        c.close()
        srv.close()
        s.send("recvline")
        s.expect(r"^\(4 bytes already in sockrepl's buffer\)$")
        s.expect(r'^recv\(3, "", 65536, 0\) = 0$')
        s.expect(r"^EOF: the peer closed its end before")
        s.expect(r'^"next"$')
        status, out = s.close()
        check(status == 0, out)
    finally:
        s.kill()


def test_timeout_keeps_partial_line_buffered():
    srv = lib.listener()
    s = lib.Session()
    try:
        s.send("connect 127.0.0.1 %d" % port_of(srv))
        c, _ = srv.accept()
        c.sendall(b"no newline yet")
        s.send("settimeout 0.2")
        s.send("recvline")
        s.expect(r"recvline: timed out")
        s.expect(r"the 14 bytes read so far stay in sockrepl's buffer")
        s.send("list")
        s.expect(r"timeout 0.2s, 14 buffered$")
        c.sendall(b"!\n")
        s.send("recvline")
        s.expect(r"^\(14 bytes already in sockrepl's buffer\)$")
        s.expect(r'^"no newline yet!\\n"$')
        c.close()
        srv.close()
        status, out = s.close()
        check(status == 1, out)
    finally:
        s.kill()


def test_ctrl_c_stops_recvall_and_keeps_bytes():
    srv = lib.listener()
    s = lib.Session()
    try:
        s.send("connect 127.0.0.1 %d" % port_of(srv))
        c, _ = srv.accept()
        c.sendall(b"some")
        s.send("recvall")
        s.expect(r'^recv\(3, "some", 262144, 0\) = 4$')
        # A signal that lands just before recv blocks is missed, as in
        # any program; Ctrl-C again, as a person would, until it stops.
        for _ in range(100):
            s.p.send_signal(signal.SIGINT)
            try:
                s.expect(r"recvall: EINTR", timeout=0.2)
                break
            except lib.TestFailure:
                pass
        s.expect(r"the 4 bytes read so far stay in sockrepl's buffer")
        c.close()
        srv.close()
        status, out = s.close()
        check(status == 130, "status %d\n%s" % (status, out))
    finally:
        s.kill()


def test_recvuntil_with_escapes_and_peek():
    status, o, e = lib.run(
        'socketpair\non 4 send "HTTP/1.0 200 OK\\r\\nA: b\\r\\n\\r\\nbody"\n'
        'recvuntil "\\r\\n\\r\\n"\nrecv 2 peek\nrecv 100\n')
    check(status == 0, "status %d\n%s" % (status, e))
    check('"HTTP/1.0 200 OK\\r\\nA: b\\r\\n\\r\\n"' in o, o)
    check("(4 bytes kept in sockrepl's buffer)" in o, o)
    check("no system call; peek leaves them there)\n\"bo\"" in o, o)
    check('\n"body"\n' in o, o)


def test_bounded_max_errors():
    status, o, e = lib.run('socketpair\non 4 send abcdefgh\nrecvline 4\n'
                           'recvuntil XY 8\nrecv 3\nrecvline 0\n'
                           'on 4 send "123456"\nrecvall 4\n')
    check(status == 1, "status %d" % status)
    check('line 3: recvline: no "\\n" in the first 4 bytes' in e, e)
    check("recvline: the 8 bytes read so far stay in sockrepl's buffer" in o,
          o)
    check('line 4: recvuntil: no "XY" in the first 8 bytes' in e, e)
    check("(3 bytes from sockrepl's buffer, no system call)\n\"abc\"" in o, o)
    check("line 6: max 0" in e, e)
    check("line 8: recvall: more than 4 bytes (the limit) and no EOF yet" in e,
          e)


def test_recvall_until_eof_on_screen_and_expect_data():
    srv = lib.listener()
    body = b"line one\nline two\n"
    peer = lib.in_thread(source_peer, srv, body)
    status, o, e = lib.run("connect 127.0.0.1 %d\nrecvall\nlist\n"
                           % port_of(srv))
    peer.join()
    check(status == 0, "status %d\n%s" % (status, e))
    check('recv(3, "", 262144, 0) = 0' in o, o)
    check('\n"line one\\nline two\\n"\n' in o, o)
    check(" eof " in o or "eof" in o, o)


def test_recvall_large_to_file_collapses_calls():
    srv = lib.listener()
    body = os.urandom(3 << 20)
    peer = lib.in_thread(source_peer, srv, body)
    d = tempdir()
    out = os.path.join(d, "big.bin")
    status, o, e = lib.run("connect 127.0.0.1 %d\nrecvall > %s\n"
                           % (port_of(srv), out))
    peer.join()
    check(status == 0, "status %d\n%s" % (status, e))
    with open(out, "rb") as f:
        check(f.read() == body, "file differs")
    check("more recv calls" in o, o)
    check(len(o.splitlines()) < 12, o)


def test_redirect_and_append():
    d = tempdir()
    f = os.path.join(d, "f.txt")
    status, o, e = lib.run('socketpair\non 4 send "abcdef\\nxyz"\n'
                           "recv 3 > %s\nrecvline >> %s\nrecv >> %s\n"
                           "recv 1 > %s/no/such/dir\nrecv > \n"
                           "recv > a b\n" % (f, f, f, d))
    check(status == 1, "status %d" % status)
    with open(f, "rb") as fh:
        check(fh.read() == b"abcdef\nxyz", "file content")
    check("recv(3, buf, 3, 0) = 3\n(3 bytes written to %s)" % f in o, o)
    check("(4 bytes written to %s)" % f in o, o)
    check("line 6: recv: %s/no/such/dir: No such file or directory" % d in e,
          e)
    check("line 7: recv: write > FILE" in e, e)
    check("line 8: recv: write > FILE" in e, e)


def test_formats():
    status, o, e = lib.run(
        'socketpair\nformat\non 4 send "hi\\0\\xff"\nrecv -f hex\n'
        'on 4 send "\\x01\\x02\\x03"\nrecv -f text\n'
        "format hex\non 4 send AB\nrecv\nformat auto\non 4 send AB\nrecv\n"
        "format bogus\nrecv -f\n")
    check(status == 1, "status %d" % status)
    check("format auto" in o, o)
    check("< 00000000  68 69 00 ff" in o and "|hi..|" in o, o)
    check('recv(3, "\\x01\\x02\\x03", 65536, 0) = 3' in o, o)
    check("< 00000000  41 42 " in o, o)
    check('recv(3, "AB", 65536, 0) = 2' in o, o)
    check('line 13: format: format "bogus": use auto, text, hex or raw' in e,
          e)
    check("line 14: recv: -f needs a format" in e, e)


def test_raw_to_a_pipe_passes_bytes():
    p = lib.subprocess.run(
        [lib.SOCKREPL, "-q"],
        input=b'socketpair\non 4 send "\\x1b[31m\\0\\xff"\nrecv -f raw\n',
        capture_output=True, timeout=lib.TIMEOUT)
    lib.no_sanitizer_report(p.stderr.decode("latin-1"))
    check(p.returncode == 0, p.stderr)
    check(p.stdout.endswith(b"\x1b[31m\x00\xff"), repr(p.stdout))


def test_raw_refused_on_a_terminal():
    import pty
    m, s = pty.openpty()
    p = lib.subprocess.Popen(
        [lib.SOCKREPL], stdin=lib.subprocess.PIPE, stdout=s,
        stderr=lib.subprocess.PIPE)
    os.close(s)
    _, err = p.communicate(b'socketpair\nformat raw\non 4 send "\\x1b[2J"\n'
                           b"recv\n", timeout=lib.TIMEOUT)
    out = b""
    while True:
        try:
            chunk = os.read(m, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(m)
    check(b"\x1b[2J" not in out, repr(out))
    check(b'"\\x1b[2J"' in out, repr(out))
    check(b"stdout is a terminal" in err, err)


def test_udp_exchange_and_stream_only():
    peer = lib.listener(type=socket.SOCK_DGRAM)

    def answer():
        data, addr = peer.recvfrom(100)
        peer.sendto(b"pong:" + data, addr)
        peer.close()
    t = lib.in_thread(answer)
    status, o, e = lib.run("sendto hex:7069 127.0.0.1 %d\nrecvfrom\n"
                           "recvline\n" % port_of(peer))
    t.join()
    check(status == 1, "status %d" % status)
    check('"pong:pi"' in o, o)
    check("recvline: works on stream sockets" in e, e)


def test_quiet_shows_only_data():
    status, o, e = lib.run('socketpair\non 4 send "a\\nb"\nrecvline\nrecv\n',
                           ["-q"])
    check(status == 0, e)
    check(o.endswith('\n"a\\n"\n"b"\n'), repr(o))


if __name__ == "__main__":
    lib.main()
