"""Peer tests: sockrepl against real programs on loopback (python3 sockets,
curl, python3 -m http.server), over IPv4, IPv6, UNIX paths and abstract
names, TCP and UDP."""
import os
import re
import shutil
import socket
import subprocess
import sys

import lib
from lib import check


def serve_python_client(family, bind_words, connect_to, expect_addr):
    """sockrepl's server answers a python3 client: the echo exercise."""
    s = lib.Session()
    try:
        s.send("bind " + bind_words)
        if family == socket.AF_UNIX:
            s.expect(r"^bind\(3, ")
        else:
            m = s.expect(r"^getsockname\(3, \{AF_INET6?, (\S+):(\d+)\}")
            connect_to = (connect_to, int(m.group(2)))
        s.send("listen 5")
        s.expect(r"^listen\(3, 5\) = 0$")

        def client():
            c = socket.socket(family, socket.SOCK_STREAM)
            c.settimeout(lib.TIMEOUT)
            c.connect(connect_to)
            c.sendall(b"holle world!")
            got = b""
            while True:
                b = c.recv(1024)
                if not b:
                    break
                got += b
            c.close()
            return got
        h = lib.in_thread(client)
        s.send("accept")
        s.expect(r"^accept\(3, %s, \[\d+\]\) = 4$" % expect_addr)
        s.send("recv 1024")
        s.expect(r'^recv\(4, "holle world!", 1024, 0\) = 12$')
        s.send('send "HOLLE WORLD!"')
        s.expect(r'^send\(4, "HOLLE WORLD!", 12, 0\) = 12$')
        s.send("close")
        s.expect(r"^close\(4\) = 0$")
        check(h.join() == b"HOLLE WORLD!", "client got the wrong answer")
        status, out = s.close()
        check(status == 0, "status %d\n%s" % (status, out))
    finally:
        s.kill()


def test_server_answers_python_client_v4():
    serve_python_client(socket.AF_INET, "localhost 0", "127.0.0.1",
                        r"\{AF_INET, 127\.0\.0\.1:\d+\}")


def test_server_answers_python_client_v6():
    lib.need_ipv6()
    serve_python_client(socket.AF_INET6, "[::1]:0", "::1",
                        r"\{AF_INET6, \[::1\]:\d+\}")


def test_server_answers_python_client_unix_path():
    d = lib.tempdir()
    try:
        p = os.path.join(d, "echo.sock")
        serve_python_client(socket.AF_UNIX, p, p, r"\{AF_UNIX\}")
    finally:
        shutil.rmtree(d)


def test_server_answers_python_client_abstract():
    name = "sockrepl-peer-%d" % os.getpid()
    serve_python_client(socket.AF_UNIX, "@" + name, "\0" + name,
                        r"\{AF_UNIX\}")


def python_echo_server(srv):
    """Accept one client; answer what it sent in upper case; then close."""
    def body():
        c, addr = srv.accept()
        c.settimeout(lib.TIMEOUT)
        data = c.recv(1024)
        c.sendall(data.upper())
        c.shutdown(socket.SHUT_WR)
        rest = c.recv(1024)  # the client's close
        c.close()
        return data, rest
    return lib.in_thread(body)


def client_to_python_server(family, host, addr_words, shown):
    srv = lib.listener(family, host) if family != socket.AF_UNIX else None
    d = None
    if srv is None:
        d = lib.tempdir()
        srv = socket.socket(socket.AF_UNIX)
        srv.bind(host if host.startswith("\0") else os.path.join(d, host))
        srv.listen(1)
        srv.settimeout(lib.TIMEOUT)
        where = srv.getsockname()
        addr_words = where if isinstance(where, str) else \
            "@" + where[1:].decode()
        shown = shown.format(addr=addr_words.lstrip("@"))
        if "%d" in shown:
            shown = shown % (2 + len(addr_words) + 1)
        fam, proto = "AF_UNIX", "0"
    else:
        port = srv.getsockname()[1]
        addr_words = addr_words.format(port=port)
        shown = shown.format(port=port)
        fam = "AF_INET6" if family == socket.AF_INET6 else "AF_INET"
        proto = "IPPROTO_TCP"
    try:
        h = python_echo_server(srv)
        out, err = lib.run_ok("connect %s\nsend holle world!\nrecv 1024\n"
                              "recv 1024\nclose\n" % addr_words)
        # A name is looked up first, in the trace, and its addresses tried
        # in turn (where localhost is ::1 too, ::1 is refused first): the
        # conversation is the same from the socket that connects.
        if addr_words.startswith("localhost"):
            check(out.startswith('getaddrinfo("localhost", "%s", '
                                 % addr_words.split()[-1]), out)
            lines = out.splitlines()
            k = [i for i, l in enumerate(lines)
                 if l.startswith("connect(3, ") and l.endswith(") = 0")]
            check(k, out)
            out = "\n".join(lines[k[0] - 1:]) + "\n"
        lib.transcript(out, """
socket({fam}, SOCK_STREAM, {proto}) = 3
connect(3, {shown}) = 0
send(3, "holle world!", 12, 0) = 12
recv(3, "HOLLE WORLD!", 1024, 0) = 12
recv(3, "", 1024, 0) = 0
EOF: the peer closed its end of the connection (orderly shutdown)
close(3) = 0
""".format(fam=fam, proto=proto, shown=shown))
        check(err == "", err)
        check(h.join() == (b"holle world!", b""), "server saw other bytes")
    finally:
        srv.close()
        if d:
            shutil.rmtree(d)


def test_client_talks_to_python_server_v4():
    client_to_python_server(socket.AF_INET, "127.0.0.1", "localhost {port}",
                            "{{AF_INET, 127.0.0.1:{port}}}, 16")


def test_client_talks_to_python_server_v4_colon():
    client_to_python_server(socket.AF_INET, "127.0.0.1", "127.0.0.1:{port}",
                            "{{AF_INET, 127.0.0.1:{port}}}, 16")


def test_client_talks_to_python_server_v6():
    lib.need_ipv6()
    client_to_python_server(socket.AF_INET6, "::1", "[::1]:{port}",
                            "{{AF_INET6, [::1]:{port}}}, 28")


def test_client_talks_to_python_server_v6_space():
    lib.need_ipv6()
    client_to_python_server(socket.AF_INET6, "::1", "::1 {port}",
                            "{{AF_INET6, [::1]:{port}}}, 28")


def test_client_talks_to_python_server_unix():
    # The path is filled in by client_to_python_server.
    client_to_python_server(socket.AF_UNIX, "srv.sock", None,
                            '{{AF_UNIX, "{addr}"}}, %d')


def test_client_talks_to_python_server_abstract():
    name = "\0sockrepl-peer-c-%d" % os.getpid()
    client_to_python_server(socket.AF_UNIX, name, None,
                            '{{AF_UNIX, @"{addr}"}}, %d' % (2 + len(name)))


def test_curl_gets_hand_typed_http_response():
    curl = lib.need_program("curl")
    s = lib.Session()
    c = None
    try:
        s.send("bind 127.0.0.1 0")
        port = s.expect(r"^getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)\}"
                        ).group(1).decode()
        s.send("listen 1")
        s.expect(r"^listen\(3, 1\) = 0$")
        c = subprocess.Popen([curl, "-s", "-S", "-i", "--max-time", "10",
                              "--noproxy", "*",
                              "http://127.0.0.1:%s/hello" % port],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        s.send("accept")
        s.expect(r"^accept\(3, \{AF_INET, 127\.0\.0\.1:\d+\}, \[16\]\) = 4$")
        # curl sends its request in one write; recv shows it escaped.
        s.send("recv 4096")
        s.expect(r'GET /hello HTTP/1\.1\\r\\n')
        s.send('sendall "HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n'
               'Content-Length: 12\\r\\n\\r\\nholle world\\n"')
        s.expect(r'^send\(4, "HTTP/1\.0 200 OK\\r\\n.*, 77, 0\) = 77$')
        s.send("close")
        s.expect(r"^close\(4\) = 0$")
        out, err = c.communicate(timeout=lib.TIMEOUT)
        check(c.returncode == 0, "curl status %d: %r" % (c.returncode, err))
        check(out.startswith(b"HTTP/1.0 200 OK\r\n"), out)
        check(out.endswith(b"\r\n\r\nholle world\n"), out)
        status, text = s.close()
        check(status == 0, "status %d\n%s" % (status, text))
    finally:
        if c is not None and c.poll() is None:
            c.kill()
        s.kill()


def test_fetch_page_from_python_http_server():
    d = lib.tempdir()
    body = "holle world from http.server\n"
    with open(os.path.join(d, "page.txt"), "w") as f:
        f.write(body)
    srv = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind",
         "127.0.0.1", "--directory", d],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        # Readiness: the server prints its port once it listens.
        line = b""
        import select
        while not line.endswith(b"\n"):
            r, _, _ = select.select([srv.stdout], [], [], lib.TIMEOUT)
            check(r, "http.server said nothing")
            b = os.read(srv.stdout.fileno(), 1)
            check(b, "http.server ended")
            line += b
        m = re.search(rb"Serving HTTP on \S+ port (\d+)", line)
        check(m, "unexpected http.server output %r" % line)
        port = int(m.group(1))
        out, err = lib.run_ok(
            "connect 127.0.0.1 %d\n"
            "sendall \"GET /page.txt HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n\"\n"
            "recv 65536 waitall\n"
            "recv\n"
            "close\n" % port, ["-q"])
        lines = out.splitlines()
        # -q: the new socket's fd, then the data only.
        check(lines[0] == "3" and lines[1] == "  \"HTTP/1.0 200 OK\\r\\n\"", out)
        check('  "Content-Length: %d\\r\\n"' % len(body) in lines, out)
        check(lines[-2] == '  "%s\\n"' % body.rstrip("\n"), out)
        check(lines[-1].startswith("EOF: "), out)
        check(err == "", err)
    finally:
        srv.kill()
        srv.wait()
        shutil.rmtree(d)


def test_udp_with_python_peer():
    peer = lib.listener(type=socket.SOCK_DGRAM)
    pport = peer.getsockname()[1]

    def answer():
        data, addr = peer.recvfrom(1024)
        peer.sendto(data[::-1], addr)
        return data, addr
    h = lib.in_thread(answer)
    out, err = lib.run_ok("socket udp\nbind 127.0.0.1 0\n"
                          "sendto \"olleh\" 127.0.0.1 %d\nrecvfrom 100\n"
                          % pport)
    data, addr = h.join()
    check(data == b"olleh", data)
    lib.transcript(out, """
socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP) = 3
bind(3, {AF_INET, 127.0.0.1:0}, 16) = 0
getsockname(3, {AF_INET, 127.0.0.1:<ME>}, [16]) = 0
sendto(3, "olleh", 5, 0, {AF_INET, 127.0.0.1:<PEER>}, 16) = 5
recvfrom(3, "hello", 100, 0, {AF_INET, 127.0.0.1:<PEER>}, [16]) = 5
""", {"ME": str(addr[1]), "PEER": str(pport)})
    peer.close()


def test_udp_server_answers_python_v6():
    lib.need_ipv6()
    # sockrepl as a UDP server on ::1: learns the sender from recvfrom and
    # answers it with sendto.
    s = lib.Session()
    c = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    c.settimeout(lib.TIMEOUT)
    try:
        s.send("socket udp inet6")
        s.send("bind ::1 0")
        port = int(s.expect(r"^getsockname\(3, \{AF_INET6, \[::1\]:(\d+)\}"
                            ).group(1))
        c.bind(("::1", 0))
        cport = c.getsockname()[1]
        c.sendto(b"question", ("::1", port))
        s.send("recvfrom")
        s.expect(r'^recvfrom\(3, "question", 65536, 0, \{AF_INET6, '
                 r'\[::1\]:%d\}, \[28\]\) = 8$' % cport)
        s.send("sendto answer [::1]:%d" % cport)
        data, addr = c.recvfrom(100)
        check(data == b"answer" and addr[1] == port, (data, addr))
        status, out = s.close()
        check(status == 0, out)
    finally:
        c.close()
        s.kill()


if __name__ == "__main__":
    lib.main()
