"""TLS tests: starttls against real peers on loopback (openssl s_server and
s_client, curl, python3's ssl module), with certificates made by the
openssl command in a temporary directory. On a build without TLS the
commands must say so, and the tests check that instead."""
import os
import re
import socket
import ssl
import subprocess
import time

import lib
from lib import check

_certs = {}


def has_tls():
    st, out, err = lib.run("", ["--version"])
    check(st == 0, "--version failed")
    m = re.search(r"\(tls (yes|no)", out)
    check(m is not None, "--version names no tls: %r" % out)
    return m.group(1) == "yes"


def without_tls_checked():
    """On a build without TLS: starttls and tlsinfo say so (and fail);
    returns True then, so the caller stops."""
    if has_tls():
        return False
    st, out, err = lib.run("socketpair\nstarttls -k\ntlsinfo\n")
    check(st == 1, "status %d, want 1\n%s" % (st, err))
    for cmd in ("starttls", "tlsinfo"):
        check(re.search(r"line \d+: %s: this sockrepl was built without "
                        r"TLS" % cmd, err), "no 'built without TLS' from "
              "%s:\n%s" % (cmd, err))
    return True


def certs():
    """A CA and a server certificate for localhost signed by it, made once
    with the openssl command."""
    if _certs:
        return _certs
    openssl = lib.need_program("openssl")
    d = lib.tempdir()

    def ossl(*args):
        p = subprocess.run([openssl, *args], cwd=d, capture_output=True,
                           timeout=lib.TIMEOUT)
        check(p.returncode == 0, "openssl %s failed:\n%s" % (
            " ".join(args), p.stderr.decode("latin-1")))
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    ossl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem",
         "-days", "2", "-subj", "/CN=sockrepl test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    ossl("req", *ec, "-keyout", "srv.key", "-out", "srv.csr",
         "-subj", "/CN=localhost")
    with open(os.path.join(d, "ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    ossl("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey",
         "ca.key", "-CAcreateserial", "-out", "srv.pem", "-days", "2",
         "-extfile", "ext")
    for n in ("ca.pem", "srv.pem", "srv.key"):
        _certs[n] = os.path.join(d, n)
    _certs["dir"] = d
    return _certs


class SServer:
    """openssl s_server -www on an ephemeral port; port read from its
    ACCEPT line (the readiness handshake)."""

    def __init__(self, naccept=1):
        c = certs()
        self.p = subprocess.Popen(
            [lib.need_program("openssl"), "s_server", "-accept",
             "127.0.0.1:0", "-cert", c["srv.pem"], "-key", c["srv.key"],
             "-www", "-naccept", str(naccept)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + lib.TIMEOUT
        while time.monotonic() < deadline:
            line = self.p.stdout.readline().decode("latin-1")
            m = re.match(r"ACCEPT 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                return
            if not line:
                break
        self.p.kill()
        raise lib.TestFailure("openssl s_server did not start")

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.p.stdout.close()


def server_ctx():
    c = certs()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(c["srv.pem"], c["srv.key"])
    return ctx


def test_s_server_verification_fails_without_ca():
    if without_tls_checked():
        return
    s = SServer()
    try:
        st, out, err = lib.run("connect localhost %d\nstarttls\n" % s.port)
    finally:
        s.stop()
    check(st == 1, "status %d, want 1\n%s%s" % (st, out, err))
    check('SSL_set_tlsext_host_name(ssl@3, "localhost") = 1' in out,
          "no SNI call:\n" + out)
    check(re.search(r"^SSL_connect\(ssl@3\) = -1 SSL_ERROR_SSL \(certificate "
                    r"verify failed: unable to get local issuer "
                    r"certificate\)$", out, re.M), "no failed SSL_connect "
          "line:\n" + out)
    check(re.search(r"starttls: SSL_ERROR_SSL: certificate verify failed: "
                    r".*-cafile FILE.*starttls -k", err),
          "no hint naming -cafile and -k:\n" + err)


def test_s_server_http_with_cafile():
    if without_tls_checked():
        return
    s = SServer()
    try:
        st, out, err = lib.run(
            "connect localhost %d\n"
            "starttls -cafile %s\n"
            'send "GET / HTTP/1.0\\r\\n\\r\\n"\n'
            'recvuntil "\\r\\n\\r\\n"\n'
            'expect "HTTP/1.0 200 ok\\r\\nContent-type: text/html\\r\\n\\r\\n"\n'
            "tlsinfo\n"
            "list\n"
            "recvall > /dev/null\n"
            "close\n" % (s.port, certs()["ca.pem"]), ["-e"])
    finally:
        s.stop()
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    for want in (r'^SSL_CTX_load_verify_locations\(ctx, ".*ca\.pem", NULL\) '
                 r'= 1$',
                 r"^SSL_CTX_set_verify\(ctx, SSL_VERIFY_PEER, NULL\)",
                 r"^SSL_connect\(ssl@3\) = 1$",
                 r'^SSL_write\(ssl@3, "GET / HTTP/1\.0\\r\\n\\r\\n", 18\) '
                 r'= 18$',
                 r'^SSL_read\(ssl@3, "HTTP/1\.0 200 ok',
                 r"^verify +ok: signed by a trusted CA, and for localhost$",
                 r"^subject +CN = localhost$",
                 r"^issuer +CN = sockrepl test CA$",
                 r"^names +DNS:localhost, IP:127\.0\.0\.1$",
                 r"^valid +\d{4}-\d\d-\d\d .* UTC to \d{4}-",
                 r"^protocol +TLSv1\.[23]$",
                 r"^\* +3 +inet +tcp +connected .*blocking.*TLSv1\.[23]$",
                 r'^SSL_read\(ssl@3, "", \d+\) = 0 SSL_ERROR_ZERO_RETURN '
                 r'\(close_notify',
                 r"^SSL_shutdown\(ssl@3\) = 1",
                 r"^close\(3\) = 0$"):
        check(re.search(want, out, re.M), "no %r in:\n%s" % (want, out))


def test_s_server_insecure_k():
    if without_tls_checked():
        return
    s = SServer()
    try:
        st, out, err = lib.run(
            "connect 127.0.0.1 %d\n"
            "starttls -k\n"
            "tlsinfo\n"
            'send "GET / HTTP/1.0\\r\\n\\r\\n"\n'
            "recvline\n"
            "close\n" % s.port, ["-e"])
    finally:
        s.stop()
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check("SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL)" in out, out)
    # An address, not a name: no SNI, the address is what is checked.
    check("SSL_set_tlsext_host_name" not in out, "SNI with an IP:\n" + out)
    check('X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl@3), '
          '"127.0.0.1") = 1' in out, out)
    check(re.search(r"^verify +failed: unable to get local issuer "
                    r"certificate \(not enforced: -k\)$", out, re.M), out)
    check(re.search(r'^SSL_read\(ssl@3, "HTTP/1\.0 200 ok', out, re.M), out)


def test_flags_and_addresses_refused_over_tls():
    if without_tls_checked():
        return
    s = SServer()
    try:
        st, out, err = lib.run(
            "connect localhost %d\n"
            "starttls -cafile %s\n"
            "send -m oob x\n"
            "sendto x localhost 9\n"
            "recv 10 dontwait\n"
            "recvfrom 10\n"
            "sendmsg x\n"
            "list\n" % (s.port, certs()["ca.pem"]))
    finally:
        s.stop()
    check(st == 1, "status %d\n%s%s" % (st, out, err))
    for want in (r"line 3: send: after starttls, SSL_write and SSL_read "
                 r"take no flags",
                 r"line 4: sendto: sendto, recvfrom, sendmsg and recvmsg "
                 r"would go around TLS",
                 r"line 5: recv: after starttls, SSL_write and SSL_read",
                 r"line 6: recvfrom: sendto, recvfrom, sendmsg and "
                 r"recvmsg would go around TLS",
                 r"line 7: sendmsg: sendto, recvfrom, sendmsg and "
                 r"recvmsg would go around TLS"):
        check(re.search(want, err), "no %r in:\n%s" % (want, err))
    # No byte went around TLS.
    check(re.search(r"^\* +3 .* 0 +0 +blocking, TLSv1\.[23]$", out, re.M),
          out)


def test_host_name_mismatch():
    if without_tls_checked():
        return
    s = SServer()
    try:
        st, out, err = lib.run("connect 127.0.0.1 %d\n"
                               "starttls -cafile %s wrong.example\n"
                               % (s.port, certs()["ca.pem"]))
    finally:
        s.stop()
    check(st == 1, "status %d\n%s%s" % (st, out, err))
    check('SSL_set_tlsext_host_name(ssl@3, "wrong.example") = 1' in out, out)
    check(re.search(r"certificate verify failed: [Hh]ostname mismatch: the "
                    r"certificate is for other names", err), err)


def test_s_client_against_sockrepl_server():
    if without_tls_checked():
        return
    c = certs()
    s = lib.Session()
    try:
        s.send("bind 127.0.0.1 0")
        port = int(s.expect(r"^getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)"
                            r"\}").group(1))
        s.send("listen")
        s.expect(r"^listen\(3, ")
        cl = subprocess.Popen(
            [lib.need_program("openssl"), "s_client", "-connect",
             "127.0.0.1:%d" % port, "-CAfile", c["ca.pem"],
             "-servername", "localhost", "-verify_return_error", "-quiet"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        try:
            s.send("accept")
            s.expect(r"^accept\(3, .*\) = 4$")
            s.send("starttls -server %s %s" % (c["srv.pem"], c["srv.key"]))
            s.expect(r"^SSL_accept\(ssl@4\) = 1$")
            cl.stdin.write(b"hello over tls\n")
            cl.stdin.flush()
            s.send("recvline")
            s.expect(r'^SSL_read\(ssl@4, "hello over tls\\n", \d+\) = 15$')
            s.send("tlsinfo")
            s.expect(r"^sni +localhost$")
            s.send('sendline "and back"')
            s.expect(r'^SSL_write\(ssl@4, "and back\\n", 9\) = 9$')
            s.send("close")
            s.expect(r"^SSL_shutdown\(ssl@4\) = 0 \(close_notify sent\)$")
            s.expect(r"^close\(4\) = 0$")
            cl.stdin.close()
            got = cl.stdout.read()
            errs = cl.stderr.read().decode("latin-1")
            check(cl.wait(lib.TIMEOUT) == 0, "s_client failed:\n" + errs)
        finally:
            if cl.poll() is None:
                cl.kill()
                cl.wait()
            cl.stdout.close()
            cl.stderr.close()
        check(got == b"and back\n", "s_client got %r" % got)
        check("verify return:1" in errs, "s_client did not verify:\n" + errs)
        st, out = s.close()
        check(st == 0, "status %d\n%s" % (st, out))
    finally:
        s.kill()


def test_curl_k_against_selfsigned_server():
    if without_tls_checked():
        return
    curl = lib.need_program("curl")
    s = lib.Session()
    try:
        s.send("bind 127.0.0.1 0")
        port = int(s.expect(r"^getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)"
                            r"\}").group(1))
        s.send("listen")
        s.expect(r"^listen\(3, ")
        # Without -k curl refuses the throwaway certificate.
        s.send("accept")
        bad = lib.in_thread(lambda: subprocess.run(
            [curl, "-s", "https://127.0.0.1:%d/" % port],
            capture_output=True, timeout=lib.TIMEOUT).returncode)
        s.expect(r"^accept\(3, .*\) = 4$")
        s.send("starttls -server -selfsigned")
        s.expect(r'^EVP_EC_gen\("P-256"\) = pkey$')
        s.expect(r"^SSL_accept\(ssl@4\) = -1 SSL_ERROR_SSL \(.*unknown ca")
        check(bad.join() == 60, "curl without -k did not fail with 60")
        s.send("expect fail")
        s.send("close")
        s.expect(r"^close\(4\) = 0$")
        s.send("on 3 accept")
        h = lib.in_thread(lambda: subprocess.run(
            [curl, "-sk", "--http1.1", "-D", "-",
             "https://127.0.0.1:%d/x" % port],
            capture_output=True, timeout=lib.TIMEOUT))
        s.expect(r"^accept\(3, .*\) = 4$")
        s.send("starttls -server -selfsigned -alpn h2,http/1.1")
        s.expect(r"^SSL_accept\(ssl@4\) = 1$")
        s.send('recvuntil "\\r\\n\\r\\n"')
        s.expect(r'^SSL_read\(ssl@4, "GET /x HTTP/1\.1\\r\\n')
        s.send("tlsinfo")
        s.expect(r"^alpn +http/1\.1$")
        s.send('send "HTTP/1.1 200 OK\\r\\nContent-Length: 6\\r\\n'
               'Connection: close\\r\\n\\r\\nhello\\n"')
        s.expect(r"^SSL_write\(ssl@4, .*\) = 63$")
        s.send("close")
        s.expect(r"^close\(4\) = 0$")
        p = h.join()
        check(p.returncode == 0, "curl -k failed: %d %r" % (p.returncode,
                                                            p.stderr))
        check(p.stdout.endswith(b"\r\n\r\nhello\n"), "curl got %r" % p.stdout)
        st, out = s.close()
        check(st == 0, "status %d\n%s" % (st, out))
    finally:
        s.kill()


def starttls_peer(srv, script, after=None):
    """A python3 server on srv speaking an SMTP-like prelude in plain text,
    then TLS: it returns what it saw."""
    def body():
        c, _ = srv.accept()
        c.settimeout(lib.TIMEOUT)
        c.sendall(b"220 ready\r\n")
        f = b""
        while not f.endswith(b"\r\n"):
            f += c.recv(1)
        check(f == b"STARTTLS\r\n", "peer got %r" % f)
        c.sendall(b"220 go ahead\r\n")
        t = server_ctx().wrap_socket(c, server_side=True)
        return script(t)
    return lib.in_thread(body)


def test_starttls_prelude_and_close_notify_both_ways():
    if without_tls_checked():
        return
    srv = lib.listener()

    def script(t):
        line = b""
        while not line.endswith(b"\n"):
            line += t.recv(1)
        t.sendall(b"bye\n")
        # Our close_notify, then we wait for sockrepl's.
        t.unwrap()
        t.close()
        return line
    h = starttls_peer(srv, script)
    try:
        st, out, err = lib.run(
            "connect localhost %d\n"
            "newline crlf\n"
            "recvline\n"
            "sendline STARTTLS\n"
            "recvline\n"
            "starttls -cafile %s\n"
            "sendline hello\n"
            "recvline\n"
            'expect "bye\\n"\n'
            "recv\n"
            "close\n" % (srv.getsockname()[1], certs()["ca.pem"]),
            ["-e"])
        check(st == 0, "status %d\n%s%s" % (st, out, err))
        check(h.join() in (b"hello\n", b"hello\r\n"), "peer got the wrong "
              "line")
    finally:
        srv.close()
    for want in (r'^recv\(3, "220 ready\\r\\n", \d+, 0\) = 11$',
                 r'^send\(3, "STARTTLS\\r\\n", 10, 0\) = 10$',
                 r'^recv\(3, "220 go ahead\\r\\n", \d+, 0\) = 14$',
                 r"^SSL_connect\(ssl@3\) = 1$",
                 r'^SSL_write\(ssl@3, "hello\\r\\n", 7\) = 7$',
                 r'^SSL_read\(ssl@3, "bye\\n", \d+\) = 4$',
                 r'^SSL_read\(ssl@3, "", 65536\) = 0 SSL_ERROR_ZERO_RETURN',
                 r"^EOF: the peer sent close_notify",
                 r"^SSL_shutdown\(ssl@3\) = 1 ",
                 r"^close\(3\) = 0$"):
        check(re.search(want, out, re.M), "no %r in:\n%s" % (want, out))


def test_shutdown_wr_sends_close_notify_and_files_round_trip():
    if without_tls_checked():
        return
    d = lib.tempdir()
    src, dst = os.path.join(d, "in.bin"), os.path.join(d, "out.bin")
    data = os.urandom(300000)
    with open(src, "wb") as f:
        f.write(data)
    srv = lib.listener()

    def script(t):
        got = b""
        while True:
            b = t.recv(65536)
            if not b:       # sockrepl's close_notify
                break
            got += b
        t.sendall(got[::-1])
        t.unwrap()
        t.close()
        return got
    h = starttls_peer(srv, script)
    try:
        st, out, err = lib.run(
            "connect localhost %d\n"
            "newline crlf\n"
            "recvline\n"
            "sendline STARTTLS\n"
            "recvline\n"
            "starttls -cafile %s\n"
            "sendall < %s\n"
            "shutdown wr\n"
            "recvall > %s\n"
            "expect ret 300000\n"
            "close\n" % (srv.getsockname()[1], certs()["ca.pem"], src, dst),
            ["-e"])
        check(st == 0, "status %d\n%s%s" % (st, out, err))
        check(h.join() == data, "the peer got other bytes")
    finally:
        srv.close()
    with open(dst, "rb") as f:
        check(f.read() == data[::-1], "the file holds other bytes")
    check(re.search(r"^SSL_shutdown\(ssl@3\) = 0 \(close_notify sent\)\n"
                    r"shutdown\(3, SHUT_WR\) = 0$", out, re.M), out)
    # Closed after the peer's close_notify, ours was sent: no second one.
    check(out.count("SSL_shutdown") == 1, out)


def test_truncation_without_close_notify_is_named():
    if without_tls_checked():
        return
    srv = lib.listener()

    def script(t):
        t.sendall(b"partial")
        # A TCP end with no TLS close_notify.
        t.shutdown(socket.SHUT_RDWR)
        t.close()
    h = starttls_peer(srv, script)
    try:
        st, out, err = lib.run(
            "connect localhost %d\n"
            "newline crlf\n"
            "recvline\n"
            "sendline STARTTLS\n"
            "recvline\n"
            "starttls -cafile %s\n"
            "recvall\n"
            "expect partial\n"
            "close\n" % (srv.getsockname()[1], certs()["ca.pem"]), ["-e"])
        h.join()
    finally:
        srv.close()
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check(re.search(r"^SSL_read\(ssl@3, \"\", \d+\) = -?[01] SSL_ERROR_\w+ "
                    r".*(taken as EOF, data may be truncated)", out, re.M),
          "no truncation named:\n" + out)
    # After a fatal end OpenSSL sends no close_notify.
    check("SSL_shutdown" not in out, out)


def test_plain_recv_sees_a_tls_handshake():
    """sockrepl as a plain server, a TLS client: the first bytes are a
    handshake record, and the message says so."""
    srv_port = []

    def client():
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        c = socket.create_connection(("127.0.0.1", srv_port[0]),
                                     timeout=lib.TIMEOUT)
        try:
            ctx.wrap_socket(c)
        except (OSError, ssl.SSLError):
            pass
        c.close()
    s = lib.Session()
    try:
        s.send("bind 127.0.0.1 0")
        srv_port.append(int(s.expect(
            r"^getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)\}").group(1)))
        s.send("listen")
        s.expect(r"^listen\(3, ")
        h = lib.in_thread(client)
        s.send("accept")
        s.expect(r"^accept\(3, .*\) = 4$")
        s.send("recv 5")
        s.expect(r"^recv: these bytes are a TLS record \(16 03 01: a "
                 r"handshake\): the peer speaks TLS: try starttls -server")
        s.send("close")
        s.expect(r"^close\(4\) = 0$")
        h.join()
        st, out = s.close()
        check(st == 0, "status %d\n%s" % (st, out))
    finally:
        s.kill()


def test_plain_get_to_tls_server_hints_starttls():
    """The issue's new user: a plain GET against openssl s_server."""
    s = SServer()
    try:
        st, out, err = lib.run("connect localhost %d\n"
                               'send "GET / HTTP/1.0\\r\\n\\r\\n"\n'
                               "recv\n" % s.port)
    finally:
        s.stop()
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check(re.search(r"^EOF: .*as a TLS server does to plain text", out,
                    re.M), out)


def test_handshake_with_a_plain_text_peer():
    if without_tls_checked():
        return
    srv = lib.listener()

    def peer():
        c, _ = srv.accept()
        c.sendall(b"220 mail.example ESMTP ready\r\n")
        try:
            c.recv(4096)
        except OSError:
            pass
        c.close()
    h = lib.in_thread(peer)
    try:
        st, out, err = lib.run("connect localhost %d\nstarttls\n"
                               % srv.getsockname()[1])
        h.join()
    finally:
        srv.close()
    check(st == 1, "status %d\n%s%s" % (st, out, err))
    check(re.search(r"^SSL_connect\(ssl@3\) = -1 SSL_ERROR_SSL \(", out,
                    re.M), out)
    check("the peer speaks plain text here, not TLS" in err, err)


def test_pending_plaintext_is_readable_without_a_call():
    """Bytes OpenSSL decrypted and holds (SSL_pending): poll answers with
    no system call, and a recv with a timeout does not wait for the
    kernel."""
    if without_tls_checked():
        return
    srv = lib.listener()

    def script(t):
        t.sendall(b"0123456789" * 10)
        t.recv(1)       # until sockrepl closes
        t.close()
    h = starttls_peer(srv, script)
    try:
        st, out, err = lib.run(
            "connect localhost %d\n"
            "newline crlf\n"
            "recvline\n"
            "sendline STARTTLS\n"
            "recvline\n"
            "starttls -cafile %s\n"
            "recv 10\n"
            "settimeout 2\n"
            "poll in 0.5\n"
            "recv 90\n"
            "expect ret 90\n"
            "close\n" % (srv.getsockname()[1], certs()["ca.pem"]), ["-e"])
        h.join()
    finally:
        srv.close()
    check(st == 0, "status %d\n%s%s" % (st, out, err))
    check(re.search(r"^\(fd 3: 90 bytes of plaintext held by OpenSSL "
                    r"\(SSL_pending\), readable now; no system call\)$",
                    out, re.M), out)
    # The recv with a timeout did not ppoll the kernel first.
    after = out[out.index("recv 90") if "recv 90" in out else
                out.index("SSL_pending"):]
    check("ppoll" not in after.split("SSL_read")[0], out)


def test_nonblocking_handshake_goes_on():
    """On a non-blocking socket SSL_connect returns SSL_ERROR_WANT_READ;
    poll, then starttls again goes on with the same handshake."""
    if without_tls_checked():
        return
    import threading
    srv = lib.listener()
    go = threading.Event()

    def peer():
        c, _ = srv.accept()
        c.settimeout(lib.TIMEOUT)
        # The handshake is answered only once sockrepl has seen it wait.
        check(go.wait(lib.TIMEOUT), "never told to go on")
        t = server_ctx().wrap_socket(c, server_side=True)
        t.sendall(b"hi\n")
        t.unwrap()
        t.close()
    h = lib.in_thread(peer)
    s = lib.Session()
    try:
        s.send("connect localhost %d" % srv.getsockname()[1])
        s.expect(r"^connect\(3, .*\) = 0$")
        s.send("setblocking false")
        s.send("starttls -cafile %s" % certs()["ca.pem"])
        s.expect(r"^SSL_connect\(ssl@3\) = -1 SSL_ERROR_WANT_READ$")
        s.expect(r"starttls: SSL_ERROR_WANT_READ: the socket is "
                 r"non-blocking and the handshake waits for the peer")
        s.send("expect error EAGAIN")
        s.send("tlsinfo")
        s.expect(r"^state +the handshake has not ended")
        go.set()
        s.send("poll in 5")
        s.send("starttls")
        s.expect(r"^SSL_connect\(ssl@3\) = 1$")
        s.send("settimeout 5")
        s.send("recvline")
        s.expect(r'^SSL_read\(ssl@3, "hi\\n"')
        s.send("recv")
        s.expect(r"^EOF: the peer sent close_notify")
        s.send("close")
        s.expect(r"^close\(3\) = 0$")
        h.join()
        st, out = s.close()
        check(st == 0, "status %d\n%s" % (st, out))
        check(out.count("SSL_new(") == 1, "a second SSL was made:\n" + out)
    finally:
        s.kill()
        srv.close()


def test_ctrl_c_in_the_handshake_says_the_connection_is_spent():
    """Ctrl-C while a blocking handshake waits for a peer that says
    nothing: not "before the call" (the ClientHello went), but that the
    connection can carry neither plain text nor TLS; the prompt goes on."""
    if without_tls_checked():
        return
    from t_interactive import session
    srv = lib.listener()
    port = srv.getsockname()[1]

    def body(p):
        p.line("connect 127.0.0.1 %d" % port)
        idle = p.syscall()
        p.type("starttls -k\r")
        p.wait_blocked(idle)
        p.type("\x03")
        p.expect(r"starttls: EINTR: interrupted \(Ctrl-C\) in the middle "
                 r"of the handshake: the peer has part of it, so the "
                 r"connection can carry neither plain text nor TLS now; "
                 r"close it")
        p.expect(r"> $")
        p.line("list")
        check(re.search(r"\* +3 +inet +tcp +connected ", p.text()),
              p.text())
        check("before the call" not in p.text(), p.text())
    try:
        session(body)
    finally:
        srv.close()


def test_poll_waits_for_data_not_tls_records():
    """After a TLS 1.3 handshake the server sends session tickets: the fd
    turns readable with no data for recv. poll in waits on through them
    (and says so), times out when no data comes, and is ready when it
    does; recv on the non-blocking socket then gets the data."""
    if without_tls_checked():
        return
    srv = lib.listener()
    port = srv.getsockname()[1]
    go = __import__("threading").Event()

    def body():
        c, _ = srv.accept()
        t = server_ctx().wrap_socket(c, server_side=True)
        t.settimeout(lib.TIMEOUT)
        go.wait(lib.TIMEOUT)
        t.sendall(b"data\n")
        try:
            t.recv(10)
        except OSError:
            pass
        t.close()
    th = lib.in_thread(body)
    s = lib.Session()
    try:
        s.send("connect 127.0.0.1 %d\nstarttls -cafile %s localhost\n"
               "setblocking false" % (port, certs()["ca.pem"]))
        s.expect(r"^SSL_connect\(ssl@3\) = 1$")
        s.send("poll in 0.5")
        s.expect(r"poll: timed out after 0\.5 s: no socket became readable")
        go.set()
        s.send("poll in 5")
        s.expect(r"^ppoll\(.*= 1 ")
        s.send("recv")
        s.expect(r'^SSL_read\(ssl@3, "data\\n", 65536\) = 5$')
        st, text = s.close()
        check("EAGAIN" not in text, text)
    finally:
        s.kill()
        srv.close()
        th.join(lib.TIMEOUT)


def test_bad_arguments_are_named():
    if without_tls_checked():
        return
    st, out, err = lib.run(
        "socketpair\n"
        "starttls -min 1.5\n"
        "starttls -bogus\n"
        "starttls -server\n"
        "starttls -server -selfsigned -k\n"
        "starttls -alpn ,h2\n"
        "starttls a b\n"
        "tlsinfo\n"
        "socket udp\n"
        "starttls -k\n"
        "list\n")
    check(st == 1, "status %d" % st)
    for want in (r'line 2: starttls: -min "1\.5": not a TLS version',
                 r'line 3: starttls: option "-bogus": not one of',
                 r"line 4: starttls: -server needs CERT KEY",
                 r"line 5: starttls: -k and -cafile are for a client",
                 r'line 6: starttls: -alpn ",h2": give protocol names',
                 r'line 7: starttls: "b": one NAME only',
                 r"line 8: tlsinfo: fd 3 does not speak TLS",
                 r"line 10: starttls: TLS runs over a stream"):
        check(re.search(want, err), "no %r in:\n%s" % (want, err))
    # Nothing was lost to the mistakes.
    check(re.search(r"^\s+3 +unix", out, re.M), out)


if __name__ == "__main__":
    lib.main()
