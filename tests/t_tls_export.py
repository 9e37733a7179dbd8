"""export python of a session with TLS: the program made from a client
session against openssl s_server runs against the same server (it accepts
twice) and gets the same bytes; a server session's program names its
certificate; what export does not write is refused with a message. On a
build without TLS, starttls says so instead."""
import subprocess
import sys

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
          "(starttls -server -selfsigned), which export does not write: "
          "use -server CERT KEY: no program written" in err, err)
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
