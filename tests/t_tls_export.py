"""export python and export c of a session with TLS: the program made
from a client session against openssl s_server runs against the same
server (it accepts twice) and gets the same bytes; so does one made with a
timeout (where OpenSSL's calls wait for the socket); the C program is
built with -Werror and libssl; a server session's program serves a real
client; what export does not write is refused with a message. On a build
without TLS, starttls says so instead."""
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time

import lib
from lib import check
from t_tls import SServer, certs, without_tls_checked

HEAD = b"HTTP/1.0 200 ok\r\nContent-type: text/html\r\n\r\n"


def export_and_run(opts, name=""):
    """A GET over TLS with opts, exported; the program run against the
    same s_server. Returns (session out, program text, program stdout)."""
    s = SServer(naccept=2)
    try:
        st, out, err = lib.run(
            "connect localhost %d\n"
            "starttls %s %s\n"
            'send "GET / HTTP/1.0\\r\\n\\r\\n"\n'
            'recvuntil "\\r\\n\\r\\n"\n'
            'expect "HTTP/1.0 200 ok\\r\\nContent-type: text/html'
            '\\r\\n\\r\\n"\n'
            "close\n"
            "export python\n" % (s.port, opts, name))
        check(st == 0, "session status %d\n%s%s" % (st, out, err))
        i = out.find("#!/usr/bin/env python3")
        check(i >= 0, "no program:\n" + out)
        prog = out[i:]
        path = lib.tempdir() + "/tls.py"
        with open(path, "w") as f:
            f.write(prog)
        p = subprocess.run([sys.executable, path], capture_output=True,
                           timeout=lib.TIMEOUT)
    finally:
        s.stop()
    check(p.returncode == 0, "program status %d:\n%s\n%s" % (
        p.returncode, prog, p.stderr.decode("latin-1")))
    return s.port, prog, p.stdout


def build_c(prog, name="tls"):
    """The exported C program, built as its first comment says: with
    -Werror and libssl's flags from pkg-config. Returns its path."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise lib.Skip("no C compiler")
    p = subprocess.run([lib.need_program("pkg-config"), "--cflags", "--libs",
                        "libssl", "libcrypto"], capture_output=True,
                       timeout=lib.TIMEOUT)
    check(p.returncode == 0, "pkg-config libssl: %r" % p.stderr)
    d = lib.tempdir()
    src = os.path.join(d, name + ".c")
    with open(src, "w") as f:
        f.write(prog)
    exe = os.path.join(d, name)
    p = subprocess.run([cc, "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra",
                        "-Werror", "-o", exe, src] +
                       p.stdout.decode().split(), capture_output=True,
                       timeout=120)
    check(p.returncode == 0, "the program does not build:\n%s\n%s" % (
        p.stderr.decode("latin-1"), prog))
    return exe


def session_program(script, *langs):
    """Run a session ending in export LANG FILE for each of langs; returns
    (status, out, err, and each program's text)."""
    d = lib.tempdir()
    st, out, err = lib.run(script + "".join(
        "export %s %s/prog.%s\n" % (lang, d, lang) for lang in langs))
    progs = []
    for lang in langs:
        path = "%s/prog.%s" % (d, lang)
        check(os.path.exists(path), "no program written:\n%s%s" % (out,
                                                                    err))
        with open(path) as f:
            progs.append(f.read())
    return (st, out, err, *progs)


def run_program(lang, prog, name="tls"):
    """Run an exported program (built first when it is C)."""
    if lang == "c":
        argv = [build_c(prog, name)]
    else:
        path = os.path.join(lib.tempdir(), name + ".py")
        with open(path, "w") as f:
            f.write(prog)
        argv = [sys.executable, path]
    return subprocess.run(argv, capture_output=True, timeout=lib.TIMEOUT)


def c_client(opts, steps, naccept=2):
    """A client session against s_server, exported to C; the program run
    against the same server. Returns (program text, its stdout)."""
    s = SServer(naccept=naccept)
    try:
        st, out, err, prog = session_program(
            "connect localhost %d\nstarttls %s\n%s" % (s.port, opts,
                                                       steps), "c")
        check(st == 0, "session status %d\n%s%s" % (st, out, err))
        p = run_program("c", prog)
    finally:
        s.stop()
    check(p.returncode == 0, "program status %d:\n%s\n%s" % (
        p.returncode, prog, p.stderr.decode("latin-1")))
    return prog, p.stdout


GET = ('send "GET / HTTP/1.0\\r\\n\\r\\n"\n'
       'recvuntil "\\r\\n\\r\\n"\n'
       'expect "HTTP/1.0 200 ok\\r\\nContent-type: text/html'
       '\\r\\n\\r\\n"\n'
       "close\n")


def test_c_client_with_cafile_runs():
    if without_tls_checked():
        return
    c = certs()
    # A path with a quote and a space comes through as it is.
    ca = os.path.join(lib.tempdir(), 'the "test" ca.pem')
    shutil.copy(c["ca.pem"], ca)
    prog, got = c_client('-cafile "%s" -alpn http/1.1 -min 1.2'
                         % ca.replace('"', '\\"'), GET)
    for want in ("#include <openssl/ssl.h>",
                 "$(pkg-config --cflags --libs libssl libcrypto)",
                 "client_ctx = SSL_CTX_new(TLS_client_method())",
                 "SSL_CTX_set_min_proto_version(client_ctx, TLS1_2_VERSION)",
                 'SSL_CTX_load_verify_locations(client_ctx, "%s", NULL)'
                 % ca.replace('"', '\\"'),
                 "SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);",
                 'alpn_wire("http/1.1")',
                 "SSL_CTX_set_alpn_protos(client_ctx, alpn_list, alpn_len)",
                 "client_ssl = SSL_new(client_ctx)",
                 "SSL_set_fd(client_ssl, client)",
                 'SSL_set_tlsext_host_name(client_ssl, "localhost")',
                 'SSL_set1_host(client_ssl, "localhost")',
                 "tls_handshake(client_ssl, 0, -1)",
                 "tls_write(client_ssl, ", "SSL_read(ssl, buf, len)",
                 "SSL_shutdown(client_ssl) < 0", "SSL_free(client_ssl);",
                 "check_data(\"recvuntil\""):
        check(want in prog, "no %r in:\n%s" % (want, prog))
    check("SSL_VERIFY_NONE" not in prog, prog)
    check(got == HEAD, "program got %r, want %r" % (got, HEAD))


def test_c_client_insecure_runs():
    if without_tls_checked():
        return
    prog, got = c_client("-k -max 1.2", GET)
    for want in ("SSL_CTX_set_default_verify_paths(client_ctx)",
                 "SSL_CTX_set_verify(client_ctx, SSL_VERIFY_NONE, NULL);",
                 "SSL_CTX_set_max_proto_version(client_ctx, TLS1_2_VERSION)"):
        check(want in prog, "no %r in:\n%s" % (want, prog))
    check(got == HEAD, "program got %r, want %r" % (got, HEAD))


def test_c_program_verifies_the_server():
    """The C program's verification is real: with a CA file that does not
    vouch for the server, the handshake fails and the program says why."""
    if without_tls_checked():
        return
    c = certs()
    s = SServer(naccept=2)
    try:
        st, out, err, prog = session_program(
            "connect localhost %d\nstarttls -cafile %s\n%s" % (
                s.port, c["ca.pem"], GET), "c")
        bad = prog.replace(c["ca.pem"], c["srv.pem"])
        p = run_program("c", bad, "bad")
    finally:
        s.stop()
    check(p.returncode == 1, "status %d: an unverified server was "
          "accepted:\n%s" % (p.returncode, bad))
    e = p.stderr.decode("latin-1")
    check("certificate verify failed" in e and "SSL_connect:" in e, e)


class SlowServer:
    """A python ssl server that waits 0.2 s before each handshake, so a
    client with a timeout is sure to find SSL_connect wanting to read.
    Each connection: read a line, answer "HTTP/1.0 200 ok" and more."""

    def __init__(self, count):
        c = certs()
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(c["srv.pem"], c["srv.key"])
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(count)
        self.ls.settimeout(lib.TIMEOUT)
        self.port = self.ls.getsockname()[1]
        self.th = threading.Thread(target=self.serve, args=(count,))
        self.th.start()

    def serve(self, count):
        try:
            for _ in range(count):
                sk, _ = self.ls.accept()
                time.sleep(0.2)
                with self.ctx.wrap_socket(sk, server_side=True) as t:
                    t.settimeout(lib.TIMEOUT)
                    line = b""
                    while not line.endswith(b"\n"):
                        line += t.recv(100)
                    t.sendall(b"HTTP/1.0 200 ok\r\nContent-type: text/"
                              b"plain\r\n\r\nhi\n")
                    t.unwrap()
        except (OSError, ssl.SSLError):
            pass
        finally:
            self.ls.close()

    def stop(self):
        self.th.join(lib.TIMEOUT)


def test_timeout_session_exports_both_ways():
    """With settimeout the socket is non-blocking underneath: sockrepl
    shows SSL_connect wanting to read and waits in ppoll. The programs do
    their own waiting instead (tls_handshake's loop, Python's SSLSocket),
    and both run."""
    if without_tls_checked():
        return
    c = certs()
    s = SlowServer(3)
    try:
        script = ("connect localhost %d\nsettimeout 5\nstarttls -cafile %s\n"
                  'sendall "GET / HTTP/1.0\\r\\n\\r\\n"\n'
                  "recvline\n"
                  'expect "HTTP/1.0 200 ok\\r\\n"\n'
                  "recv 10\n"
                  "close\n" % (s.port, c["ca.pem"]))
        st, out, err, cprog, pyprog = session_program(script, "c", "py")
        check(st == 0, "session status %d\n%s%s" % (st, out, err))
        check(re.search(r"^SSL_connect\(ssl@3\) = -1 SSL_ERROR_WANT_READ.*"
                        r"\nppoll\(.*\nSSL_connect\(ssl@3\) = 1$", out,
                        re.M), "no wait in the session:\n" + out)
        runs = [(lang, run_program(lang, prog, "timeout"))
                for lang, prog in (("c", cprog), ("py", pyprog))]
    finally:
        s.stop()
    check("tls_handshake(client_ssl, 0, 5000)" in cprog, cprog)
    check("send_all(client, " in cprog and "tls_of(fd)" in cprog, cprog)
    check("settimeout(5" in pyprog and "wrap_socket" in pyprog, pyprog)
    for lang, p in runs:
        check(p.returncode == 0, "%s program status %d:\n%s" % (
            lang, p.returncode, p.stderr.decode("latin-1")))
        check(p.stdout == b"HTTP/1.0 200 ok\r\nContent-ty", "%s got %r" % (
            lang, p.stdout))


def tls_client(port, got, alpn):
    """A python ssl client of a sockrepl TLS server: says hello, keeps the
    answer and the ALPN protocol chosen."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(certs()["ca.pem"])
    ctx.set_alpn_protocols(alpn)
    deadline = time.monotonic() + lib.TIMEOUT
    while time.monotonic() < deadline:
        try:
            sk = socket.create_connection(("127.0.0.1", port))
            break
        except OSError:
            time.sleep(0.05)
    else:
        return
    with ctx.wrap_socket(sk, server_hostname="localhost") as t:
        t.sendall(b"hello\n")
        got.append((t.recv(100), t.selected_alpn_protocol()))


def test_c_server_serves_a_client():
    """A server session (CERT KEY, ALPN) exported to C: the program serves
    a python ssl client as the session did, and chooses the same ALPN."""
    if without_tls_checked():
        return
    c = certs()
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    got = []
    th = threading.Thread(target=tls_client, args=(port, got,
                                                    ["x", "http/1.1"]))
    th.start()
    st, out, err, prog = session_program(
        "socket\nsetsockopt SO_REUSEADDR 1\nbind 127.0.0.1 %d\nlisten\n"
        "accept\nstarttls -server %s %s -alpn h2,http/1.1\nrecvline\n"
        'expect "hello\\n"\nsend "hi\\n"\nclose\n' % (
            port, c["srv.pem"], c["srv.key"]), "c")
    th.join(lib.TIMEOUT)
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check(got == [(b"hi\n", "http/1.1")], "session's client got %r" % got)
    for want in ("conn_ctx = SSL_CTX_new(TLS_server_method())",
                 'SSL_CTX_use_certificate_chain_file(conn_ctx, "%s")'
                 % c["srv.pem"],
                 'SSL_CTX_use_PrivateKey_file(conn_ctx, "%s",' % c["srv.key"],
                 "SSL_CTX_check_private_key(conn_ctx)",
                 "SSL_CTX_set_alpn_select_cb(conn_ctx, alpn_select, NULL)",
                 "tls_handshake(conn_ssl, 1, -1)"):
        check(want in prog, "no %r in:\n%s" % (want, prog))
    exe = build_c(prog, "server")
    got = []
    th = threading.Thread(target=tls_client, args=(port, got,
                                                    ["x", "http/1.1"]))
    th.start()
    p = subprocess.run([exe], capture_output=True, timeout=lib.TIMEOUT)
    th.join(lib.TIMEOUT)
    check(p.returncode == 0, "program status %d:\n%s" % (
        p.returncode, p.stderr.decode("latin-1")))
    check(p.stdout == b"hello\n", "program got %r" % p.stdout)
    check(got == [(b"hi\n", "http/1.1")], "program's client got %r" % got)


def test_c_server_selfsigned():
    """starttls -server -selfsigned exports to C (Python's ssl module makes
    no certificates): the program makes its own key and certificate for
    the same name and serves a client with it."""
    if without_tls_checked():
        return
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    ders = []

    def client():
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        deadline = time.monotonic() + lib.TIMEOUT
        while time.monotonic() < deadline:
            try:
                sk = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.05)
        else:
            return
        with ctx.wrap_socket(sk) as t:
            t.sendall(b"hello\n")
            ders.append((t.recv(100), t.getpeercert(binary_form=True)))
    script = ("socket\nsetsockopt SO_REUSEADDR 1\nbind 127.0.0.1 %d\nlisten\n"
              "accept\nstarttls -server -selfsigned\nrecvline\n"
              'send "hi\\n"\nclose\n' % port)
    th = threading.Thread(target=client)
    th.start()
    st, out, err, prog = session_program(script, "c")
    th.join(lib.TIMEOUT)
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check('selfsigned(conn_ctx, "localhost") != 1' in prog, prog)
    exe = build_c(prog, "selfsigned")
    th = threading.Thread(target=client)
    th.start()
    p = subprocess.run([exe], capture_output=True, timeout=lib.TIMEOUT)
    th.join(lib.TIMEOUT)
    check(p.returncode == 0, "program status %d:\n%s" % (
        p.returncode, p.stderr.decode("latin-1")))
    check(len(ders) == 2 and ders[1][0] == b"hi\n", "clients got %r" % ders)
    check(ders[0][1] != ders[1][1], "the same certificate twice")
    x = subprocess.run([lib.need_program("openssl"), "x509", "-inform", "DER",
                        "-noout", "-subject", "-ext", "subjectAltName"],
                       input=ders[1][1], capture_output=True,
                       timeout=lib.TIMEOUT)
    text = x.stdout.decode("latin-1")
    check(re.search(r"subject=\s*CN\s*=\s*localhost", text) and
          "DNS:localhost" in text and "IP Address:127.0.0.1" in text, text)


def test_python_client_with_cafile_runs():
    if without_tls_checked():
        return
    c = certs()
    out, prog, got = export_and_run("-cafile %s -alpn http/1.1 -min 1.2"
                                    % c["ca.pem"])
    for want in ("import ssl\n",
                 "ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)",
                 "ctx.minimum_version = ssl.TLSVersion.TLSv1_2",
                 'ctx.load_verify_locations("%s")' % c["ca.pem"],
                 'ctx.set_alpn_protocols("http/1.1".split(","))',
                 'client = ctx.wrap_socket(client, '
                 'server_hostname="localhost")',
                 "client = client.unwrap()"):
        check(want in prog, "no %r in:\n%s" % (want, prog))
    check("CERT_NONE" not in prog, prog)
    check(got == HEAD, "program got %r, want %r" % (got, HEAD))


def test_python_client_insecure_runs():
    if without_tls_checked():
        return
    out, prog, got = export_and_run("-k -max 1.2")
    for want in ("ctx.set_default_verify_paths()",
                 "ctx.check_hostname = False",
                 "ctx.verify_mode = ssl.CERT_NONE",
                 "ctx.maximum_version = ssl.TLSVersion.TLSv1_2"):
        check(want in prog, "no %r in:\n%s" % (want, prog))
    check(got == HEAD, "program got %r, want %r" % (got, HEAD))


def test_python_program_verifies_the_server():
    """The exported check is real: the same program fails against a server
    whose certificate the CA file does not vouch for."""
    if without_tls_checked():
        return
    c = certs()
    port, prog, got = export_and_run("-cafile %s" % c["ca.pem"])
    other = lib.tempdir() + "/other.pem"
    p = subprocess.run([lib.need_program("openssl"), "req", "-x509",
                        "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                        other + ".key", "-out", other, "-days", "1",
                        "-subj", "/CN=other CA"], capture_output=True,
                       timeout=lib.TIMEOUT)
    check(p.returncode == 0, p.stderr.decode("latin-1"))
    bad = prog.replace(c["ca.pem"], other)
    s = SServer(naccept=1)
    try:
        bad = bad.replace(str(port), str(s.port))
        path = lib.tempdir() + "/bad.py"
        with open(path, "w") as f:
            f.write(bad)
        p = subprocess.run([sys.executable, path], capture_output=True,
                           timeout=lib.TIMEOUT)
    finally:
        s.stop()
    check(p.returncode != 0, "an unverified server was accepted:\n" + bad)
    check(b"CERTIFICATE_VERIFY_FAILED" in p.stderr, p.stderr)


def test_python_server_names_its_certificate():
    if without_tls_checked():
        return
    c = certs()
    import socket
    import ssl
    import threading
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    port = srv.getsockname()[1]
    srv.close()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(c["ca.pem"])
    got = []

    def client():
        import time
        for _ in range(100):
            try:
                sk = socket.create_connection(("127.0.0.1", port))
                break
            except OSError:
                time.sleep(0.05)
        else:
            return
        with ctx.wrap_socket(sk, server_hostname="localhost") as t:
            t.sendall(b"hello\n")
            got.append(t.recv(100))
    th = threading.Thread(target=client)
    th.start()
    st, out, err = lib.run(
        "bind 127.0.0.1 %d\n"
        "listen\n"
        "accept\n"
        "starttls -server %s %s\n"
        "recvline\n"
        'send "hi\\n"\n'
        "close\n"
        "export python\n" % (port, c["srv.pem"], c["srv.key"]))
    th.join(lib.TIMEOUT)
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check(got == [b"hi\n"], "client got %r" % got)
    for want in ("ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)",
                 'ctx.load_cert_chain("%s", "%s")' % (c["srv.pem"],
                                                      c["srv.key"]),
                 "= ctx.wrap_socket(", "server_side=True)", ".unwrap()"):
        check(want in out, "no %r in:\n%s" % (want, out))


def test_selfsigned_and_failed_handshake_are_refused():
    if without_tls_checked():
        return
    st, out, err = lib.run("socketpair\nsetblocking false\n"
                           "starttls -server -selfsigned\n"
                           "export python\n", timeout=lib.TIMEOUT)
    check("export: the session made a self-signed certificate in memory "
          "(starttls -server -selfsigned), which Python's ssl module cannot "
          "make: use -server CERT KEY, or export c: no program written"
          in err, err)
    check("import socket" not in out, out)
    s = SServer()
    try:
        st, out, err = lib.run("connect localhost %d\nstarttls\n"
                               "export python\n" % s.port)
    finally:
        s.stop()
    check("export: a TLS call in the session failed (or a handshake was "
          "left for later), which export does not write yet: no program "
          "written" in err, err)
    check("import socket" not in out, out)


if __name__ == "__main__":
    lib.main()
