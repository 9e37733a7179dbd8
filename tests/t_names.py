"""Names: getaddrinfo, getnameinfo, gethostname, getservbyname and
getservbyport as calls of their own, the lookup inside addresses shown where
it happens, connect and create_connection trying each address of a name in
turn, and create_server. Lookups stay off the network: localhost, the names
of /etc/hosts, numeric hosts and AI_NUMERICHOST only."""
import os
import re
import shutil
import socket
import subprocess
import sys

import lib
from lib import check


def hosts_names():
    """The names /etc/hosts gives, each with its addresses."""
    names = {}
    try:
        with open("/etc/hosts") as f:
            for line in f:
                words = line.split("#")[0].split()
                for name in words[1:]:
                    names.setdefault(name, set()).add(words[0])
    except OSError:
        pass
    return names


def answers(out):
    """The addresses of the getaddrinfo answers in a trace, in order."""
    return re.findall(r"^  -> \{.*ai_addr=\{AF_INET6?, (\S+?)\}", out, re.M)


def test_getaddrinfo_localhost_shows_every_answer():
    out, err = lib.run_ok("getaddrinfo localhost 80 tcp\n")
    check(out.startswith('getaddrinfo("localhost", "80", {ai_family='
                         'AF_UNSPEC, ai_socktype=SOCK_STREAM}, &res) = 0\n'),
          out)
    want = []
    for fam, _, _, _, sa in socket.getaddrinfo("localhost", 80, 0,
                                               socket.SOCK_STREAM):
        want.append("[%s]:%d" % sa[:2] if fam == socket.AF_INET6 else
                    "%s:%d" % sa)
    check(answers(out) == want, "answers %r, Python's %r\n%s"
          % (answers(out), want, out))
    # With -q the answers alone, one a line.
    out, err = lib.run_ok("getaddrinfo localhost 80 tcp\n", args=["-q"])
    check(out.splitlines() == ["%s tcp %s" % ("inet6" if w.startswith("[")
                                              else "inet", w) for w in want],
          out)


def test_getaddrinfo_names_of_etc_hosts():
    names = {n: a for n, a in hosts_names().items() if n != "localhost"}
    if not names:
        raise lib.Skip("/etc/hosts names nothing but localhost")
    script = "".join("getaddrinfo %s 7 udp\n" % n for n in sorted(names))
    out, err = lib.run(script)[1:]
    for n in sorted(names):
        m = re.search(r'^getaddrinfo\("%s", "7", .*\) = (\S+)'
                      % re.escape(n), out, re.M)
        check(m, "no getaddrinfo call for %s:\n%s" % (n, out))
        try:
            py = socket.getaddrinfo(n, 7, 0, socket.SOCK_DGRAM)
        except socket.gaierror:
            check(m.group(1).startswith("EAI_"), out)
            continue
        check(m.group(1) == "0", out)
        got = answers(out[m.start():].split("\ngetaddrinfo(")[0])
        addrs = [sa[0] for *_, sa in py]
        check([a.rsplit(":", 1)[0].strip("[]") for a in got] == addrs,
              "%s: %r, Python says %r" % (n, got, addrs))
        # Each comes from the file (or is the loopback it stands for).
        check(set(addrs) <= names[n] | {"127.0.0.1", "::1"},
              "%s: %r not in /etc/hosts %r" % (n, addrs, names[n]))


def test_eai_errors_are_named_with_a_hint():
    script = """getaddrinfo not-a-number 80 numerichost
expect error EAI_NONAME
set e $errno
getaddrinfo * 80 canonname
expect error EAI_BADFLAGS
getaddrinfo 127.0.0.1 nosuchservice-x tcp
expect error EAI_SERVICE
getaddrinfo 127.0.0.1 80 inet6
expect fail
"""
    status, out, err = lib.run(script + "getaddrinfo -x 80 numerichost\n")
    check(status == 1, "status %d" % status)
    check('getaddrinfo("not-a-number", "80", {ai_flags=AI_NUMERICHOST, '
          'ai_family=AF_UNSPEC}, &res) = EAI_NONAME (Name or service not '
          'known)' in out, out)
    check("= EAI_BADFLAGS (" in out and "= EAI_SERVICE (" in out, out)
    # Expected failures are told on stdout, marked; the last, unexpected,
    # on stderr, and it makes the exit status.
    check("line 1: (expected) getaddrinfo: EAI_NONAME: no such name" in out,
          out)
    check("line 4: (expected) getaddrinfo: EAI_BADFLAGS: " in out, out)
    check("line 6: (expected) getaddrinfo: EAI_SERVICE: the service is not "
          "known" in out, out)
    check(re.search(r"line 8: \(expected\) getaddrinfo: "
                    r"EAI_(ADDRFAMILY|NONAME|FAMILY)", out), out)
    check(err.splitlines()[-1].startswith("line 10: getaddrinfo: "
                                          "EAI_NONAME"), err)
    out, err = lib.run_ok("getaddrinfo x 80 numerichost\nexpect error "
                          "EAI_NONAME\nset e $errno\nexpect ret -1\n",
                          args=["-q"])


def test_bad_getaddrinfo_words_are_named():
    status, out, err = lib.run("getaddrinfo localhost 80 tcp udp\n"
                               "getaddrinfo localhost 80 AI_BOGUS\n")
    check(status == 1, "status %d" % status)
    check('line 1: getaddrinfo: "udp" is not a family' in err, err)
    check('line 2: getaddrinfo: "AI_BOGUS" is not AI_ flags' in err, err)


def test_a_name_in_an_address_is_looked_up_in_the_trace():
    srv = lib.listener()
    port = srv.getsockname()[1]
    try:
        out, err = lib.run_ok("socket\nconnect localhost %d\nclose\n"
                              "socket\nconnect 127.0.0.1 %d\n" % (port, port))
        check('getaddrinfo("localhost", "%d", {ai_family=AF_INET, '
              'ai_socktype=SOCK_STREAM}, &res) = 0 ([127.0.0.1:%d])'
              % (port, port) in out, out)
        # A numeric address needs no lookup, and none is shown.
        check(out.count("getaddrinfo(") == 1, out)
        # bind takes a name too; its lookup is passive.
        out, err = lib.run_ok("bind localhost 0\n")
        check(out.startswith('getaddrinfo("localhost", "0", {ai_flags='
                             'AI_PASSIVE, ai_family=AF_INET, ai_socktype='
                             'SOCK_STREAM}, &res) = 0 ([127.0.0.1:0])'), out)
    finally:
        srv.close()


def test_a_name_is_looked_up_for_the_socket_type():
    # A UDP socket's lookups ask for SOCK_DGRAM, whichever command makes
    # them; sendto with no socket asks for the UDP socket it will make.
    peer = lib.listener(type=socket.SOCK_DGRAM)
    port = peer.getsockname()[1]
    d = tempdir()
    py = os.path.join(d, "udp.py")
    try:
        out, err = lib.run_ok(
            "sendto one localhost %d\nconnect localhost %d\nsend two\n"
            "socket udp\nbind localhost 0\nsendto three localhost:%d\n"
            "getnameinfo localhost 53 dgram\nexport python %s\n"
            % (port, port, port, py))
        hint = ('getaddrinfo("localhost", "%s", {%sai_family=%s, '
                'ai_socktype=SOCK_DGRAM}, &res) = 0 ([127.0.0.1:%s])')
        for want in [hint % (port, "", "AF_INET", port),
                     hint % (0, "ai_flags=AI_PASSIVE, ", "AF_INET", 0),
                     hint % (53, "", "AF_INET", 53)]:
            check(want in out, "no %r in\n%s" % (want, out))
        check("SOCK_STREAM" not in out, out)
        # sendto's lookup came before the socket it made.
        check(out.index("getaddrinfo(") < out.index("socket(AF_INET, "
                                                    "SOCK_DGRAM"), out)
        got = [peer.recv(100) for _ in range(3)]
        check(got == [b"one", b"two", b"three"], got)
        # The exported program asks for the same, and runs.
        text = open(py).read()
        calls = re.findall(r"socket\.getaddrinfo\(.*", text)
        check(len(calls) == 5 and all("socket.AF_INET, socket.SOCK_DGRAM, "
                                      in c for c in calls), text)
        p = subprocess.run([sys.executable, py], capture_output=True,
                           timeout=20)
        check(p.returncode == 0, p.stderr.decode())
        got = [peer.recv(100) for _ in range(3)]
        check(got == [b"one", b"two", b"three"], got)
    finally:
        peer.close()


def test_a_raw_socket_looks_a_name_up_without_a_port():
    # glibc has no ports for SOCK_RAW (EAI_SERVICE): the host alone is
    # looked up for it, and the port typed put in after, as ping does.
    status, out, err = lib.run("socket raw inet icmp\n")
    if status != 0:
        raise lib.Skip("no raw socket here (CAP_NET_RAW)")
    status, out, err = lib.run("socket raw inet icmp\nsendto "
                               "hex:0800f7fd00010001 localhost 0\n"
                               "sendto x localhost:echo\n"
                               "connect localhost 0\n")
    check('getaddrinfo("localhost", NULL, {ai_family=AF_INET, ai_socktype='
          'SOCK_RAW}, &res) = 0 ([127.0.0.1:0])' in out, out)
    check('sendto(3, "\\x08\\0\\xf7\\xfd\\0\\x01\\0\\x01", 8, 0, '
          '{AF_INET, 127.0.0.1:0}, 16) = 8' in out, out)
    check(status == 1 and 'line 3: sendto: port "echo": a raw socket has '
          'no services (give a number)' in err, err)
    # connect too: its peer is the name's first address.
    check(out.count('getaddrinfo("localhost", NULL, ') == 2 and
          out.endswith("connect(3, {AF_INET, 127.0.0.1:0}, 16) = 0\n"), out)


def test_gethostname_getnameinfo_and_services():
    out, err = lib.run_ok("gethostname\ngetnameinfo 127.0.0.1 80 "
                          "numerichost,numericserv\ngetnameinfo 127.0.0.1 "
                          "80\n")
    check('gethostname("%s", 256) = 0' % socket.gethostname() in out, out)
    check('getnameinfo({AF_INET, 127.0.0.1:80}, 16, "127.0.0.1", 1025, '
          '"80", 32, NI_NUMERICHOST|NI_NUMERICSERV) = 0' in out, out)
    host, serv = socket.getnameinfo(("127.0.0.1", 80), 0)
    check('getnameinfo({AF_INET, 127.0.0.1:80}, 16, "%s", 1025, "%s", 32, '
          '0) = 0' % (host, serv) in out, out)
    try:
        port = socket.getservbyname("http", "tcp")
        name = socket.getservbyport(port, "tcp")
    except OSError:
        raise lib.Skip("no http in the services database")
    out, err = lib.run_ok("getservbyname http tcp\ngetservbyport %d tcp\n"
                          % port)
    check('getservbyname("http", "tcp") = {s_name="http", s_port=htons(%d)}'
          % port in out, out)
    check('getservbyport(htons(%d), "tcp") = {s_name="%s", s_port=htons(%d)}'
          % (port, name, port) in out, out)
    out, err = lib.run_ok("getservbyname http tcp\ngetservbyport %d\n"
                          % port, args=["-q"])
    check(out.splitlines() == [str(port), name], out)
    status, out, err = lib.run("getservbyname no-such-svc tcp\n")
    check(status == 1 and 'getservbyname("no-such-svc", "tcp") = NULL' in out
          and 'getservbyname: no service "no-such-svc" for tcp in the '
          'services database' in err, out + err)


def dual_name():
    """A name that resolves to ::1 and 127.0.0.1 here: (name, env) where
    env runs sockrepl where it does (a mount namespace with its own
    /etc/hosts when the machine's has none), or None."""
    lib.need_ipv6()
    for name in ["localhost"] + sorted(hosts_names()):
        try:
            addrs = {sa[0] for *_, sa in socket.getaddrinfo(
                name, 1, 0, socket.SOCK_STREAM)}
        except socket.gaierror:
            continue
        if {"::1", "127.0.0.1"} <= addrs and len(addrs) == 2:
            return name, None
    unshare = shutil.which("unshare")
    if unshare is None:
        return None
    d = tempdir()
    hosts = os.path.join(d, "hosts")
    with open(hosts, "w") as f:
        f.write("127.0.0.1 localhost\n::1 dual.test\n127.0.0.1 dual.test\n")
    wrap = [unshare, "-rm", "sh", "-c", 'mount --bind "$0" /etc/hosts && '
            'exec "$@"', hosts]
    p = subprocess.run(wrap + ["getent", "ahosts", "dual.test"],
                       capture_output=True, timeout=10)
    if p.returncode != 0 or b"::1" not in p.stdout:
        return None
    return "dual.test", wrap


_made = []


def tempdir():
    d = lib.tempdir()
    _made.append(d)
    return d


def run_in(wrap, script, args=()):
    if wrap is None:
        return lib.run(script, args=args)
    p = subprocess.run(wrap + [lib.SOCKREPL, *args], input=script.encode(),
                       capture_output=True, timeout=lib.TIMEOUT)
    out, err = p.stdout.decode("latin-1"), p.stderr.decode("latin-1")
    lib.no_sanitizer_report(err)
    return p.returncode, out, err


def fallback(cmd):
    """cmd NAME PORT against a name of two addresses, the second alone
    listening: the first is refused, the second connects."""
    found = dual_name()
    if found is None:
        raise lib.Skip("no name resolves to both ::1 and 127.0.0.1 here, "
                       "and no mount namespace to give one")
    name, wrap = found
    status, out, err = run_in(wrap, "getaddrinfo %s 1 tcp\n" % name)
    order = [a.rsplit(":", 1)[0].strip("[]") for a in answers(out)]
    check(sorted(order) == ["127.0.0.1", "::1"], out + err)
    second = order[1]
    fam = socket.AF_INET6 if ":" in second else socket.AF_INET
    srv = lib.listener(fam, second)
    port = srv.getsockname()[1]
    # The first address on the same port: nothing listens there.
    try:
        status, out, err = run_in(wrap, "%s %s %d\nlist\n" % (cmd, name,
                                                              port))
        check(status == 0, "status %d\n%s\n%s" % (status, out, err))
        first = order[0]
        shown = lambda a: "[%s]:%d" % (a, port) if ":" in a else \
            "%s:%d" % (a, port)
        fam_of = lambda a: "AF_INET6" if ":" in a else "AF_INET"
        want = [
            'getaddrinfo("%s", "%d", {ai_family=AF_UNSPEC, ai_socktype='
            'SOCK_STREAM}, &res) = 0 ([%s, %s])' % (name, port, shown(first),
                                                    shown(second)),
            "socket(%s, SOCK_STREAM, IPPROTO_TCP) = 3" % fam_of(first),
            "connect(3, {%s, %s}, " % (fam_of(first), shown(first)),
            "(%s: ECONNREFUSED; trying the next address)" % shown(first),
            "close(3) = 0",
            "socket(%s, SOCK_STREAM, IPPROTO_TCP) = 3" % fam_of(second),
            "connect(3, {%s, %s}, " % (fam_of(second), shown(second)),
        ]
        lines = out.splitlines()
        for i, w in enumerate(want):
            check(i < len(lines) and lines[i].startswith(w),
                  "line %d: want %r\n%s" % (i + 1, w, out))
        check("ECONNREFUSED (Connection refused)" in lines[2], out)
        check(lines[6].endswith(") = 0"), out)
        check(re.search(r"^\* +3 +inet6? +tcp +connected ", out, re.M), out)
        check(err == "", err)
    finally:
        srv.close()


def test_create_connection_falls_back_to_the_next_address():
    fallback("create_connection")


def test_connect_to_a_name_tries_each_address():
    fallback("connect")


def test_exported_fallback_runs():
    """The first address refused, the second listening, with and without a
    timeout: the exported programs allow that refusal (C: errno, Python:
    ConnectionRefusedError) and go on to the next address, as the session
    did, instead of ending there."""
    found = dual_name()
    if found is None:
        raise lib.Skip("no name resolves to both ::1 and 127.0.0.1 here, "
                       "and no mount namespace to give one")
    name, wrap = found
    status, out, err = run_in(wrap, "getaddrinfo %s 1 tcp\n" % name)
    order = [a.rsplit(":", 1)[0].strip("[]") for a in answers(out)]
    second = order[1]
    srv = lib.listener(socket.AF_INET6 if ":" in second else socket.AF_INET,
                       second)
    port = srv.getsockname()[1]
    d = tempdir()
    c, py = os.path.join(d, "f.c"), os.path.join(d, "f.py")
    try:
        status, out, err = run_in(
            wrap, "create_connection %s %d 5\nclose\nconnect %s %d\n"
            "close\nexport c %s\nexport python %s\n" % (
                name, port, name, port, c, py))
        check(status == 0 and out.count("trying the next address") == 2,
              "status %d\n%s\n%s" % (status, out, err))
        with open(py) as f:
            text = f.read()
        check(text.count("except ConnectionRefusedError:\n        pass")
              == 2, text)
        runs = [[sys.executable, py]]
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc is not None:
            p = subprocess.run([cc, "-std=c11", "-D_GNU_SOURCE", "-Wall",
                                "-Wextra", "-Werror", "-o", c[:-2], c],
                               capture_output=True, timeout=60)
            check(p.returncode == 0, p.stderr.decode())
            runs.append([c[:-2]])
        for argv in runs:
            if wrap is not None:
                argv = wrap + argv
            p = subprocess.run(argv, capture_output=True, timeout=20)
            check(p.returncode == 0, "%s: %d\n%s" % (
                argv[-1], p.returncode, p.stderr.decode()))
    finally:
        srv.close()


def test_a_timeout_on_the_users_socket_stops_the_tries():
    """A name of two addresses, the first silent (its listener's backlog is
    full, so SYNs are dropped): on the user's own socket with a timeout the
    next address is not tried (the socket is still connecting: another
    connect on it would be EALREADY), and the timeout is reported once,
    after the note; create_connection goes on to the next on a new
    socket."""
    from t_core_blocking import full_listener
    unshare = shutil.which("unshare")
    if unshare is None:
        raise lib.Skip("no unshare to give a name two addresses")
    second = socket.socket()
    try:
        second.bind(("127.0.0.2", 0))
    except OSError:
        raise lib.Skip("127.0.0.2 is not a loopback address here")
    srv, fillers = full_listener()
    port = srv.getsockname()[1]
    second.close()
    second = socket.socket()
    try:
        second.bind(("127.0.0.2", port))
        second.listen(5)
        d = tempdir()
        hosts = os.path.join(d, "hosts")
        with open(hosts, "w") as f:
            f.write("127.0.0.1 localhost\n127.0.0.1 two.test\n"
                    "127.0.0.2 two.test\n")
        wrap = [unshare, "-rm", "sh", "-c", 'mount --bind "$0" /etc/hosts '
                '&& exec "$@"', hosts]
        p = subprocess.run(wrap + ["true"], capture_output=True, timeout=10)
        if p.returncode != 0:
            raise lib.Skip("no mount namespace here")
        status, out, err = run_in(wrap, "socket\nsettimeout 0.5\nconnect "
                                  "two.test %d\ncreate_connection two.test "
                                  "%d 0.5\nlist\n" % (port, port))
        # Non-blocking: EINPROGRESS ends the tries at once, as a numeric
        # connect would, and is the outcome.
        nb = run_in(wrap, "socket\nsetblocking false\nconnect two.test %d\n"
                    "expect error EINPROGRESS\n" % port)
        # Exported, both programs time out on the first address (Python
        # sets the attempt's timeout too) and connect to the second.
        c, py = os.path.join(d, "t.c"), os.path.join(d, "t.py")
        ex = run_in(wrap, "create_connection two.test %d 0.5\nclose\n"
                    "export c %s\nexport python %s\n" % (port, c, py))
        check(ex[0] == 0, "status %d\n%s\n%s" % ex)
        runs = [[sys.executable, py]]
        cc = shutil.which("cc") or shutil.which("gcc")
        if cc is not None:
            p = subprocess.run([cc, "-std=c11", "-D_GNU_SOURCE", "-Wall",
                                "-Wextra", "-Werror", "-o", c[:-2], c],
                               capture_output=True, timeout=60)
            check(p.returncode == 0, p.stderr.decode())
            runs.append([c[:-2]])
        for argv in runs:
            p = subprocess.run(wrap + argv, capture_output=True, timeout=20)
            check(p.returncode == 0, "%s: %d\n%s" % (
                argv[-1], p.returncode, p.stderr.decode()))
    finally:
        second.close()
        for f in fillers:
            f.close()
        srv.close()
    check("(127.0.0.1:%d: timed out; fd 3 is still connecting, so the next "
          "address is not tried on it: create_connection tries each on a "
          "new socket)" % port in out, out)
    check("EALREADY" not in out + err, out + err)
    check(err.count("connect: timed out after 0.5 s") == 1, err)
    check("(127.0.0.1:%d: timed out; trying the next address)" % port in out
          and "close(4) = 0" in out, out)
    check(re.search(r"^\* +4 +inet +tcp +connected .*127\.0\.0\.2:%d "
                    % port, out, re.M), out)
    check(nb[0] == 0 and "trying the next" not in nb[1] and "EALREADY" not
          in nb[1] + nb[2] and nb[1].count("connect(3, ") == 1,
          "status %d\n%s\n%s" % nb)


def free_port_both():
    """A port nothing holds on 127.0.0.1 nor on ::1 (each bound at once,
    then let go)."""
    for _ in range(20):
        a = socket.socket()
        a.bind(("127.0.0.1", 0))
        port = a.getsockname()[1]
        b = socket.socket(socket.AF_INET6)
        try:
            b.bind(("::1", port))
            return port
        except OSError:
            continue
        finally:
            a.close()
            b.close()
    raise lib.Skip("no port free on both 127.0.0.1 and ::1")


def test_every_address_refused_leaves_no_socket_made():
    # Two addresses, nothing listening: both refused, and the sockets
    # sockrepl made are closed, the last too, as Python's create_connection
    # closes each; the outcome stays the connect's. The user's own socket
    # stays, failed.
    found = dual_name()
    if found is None:
        raise lib.Skip("no name resolves to both ::1 and 127.0.0.1 here, "
                       "and no mount namespace to give one")
    name, wrap = found
    port = free_port_both()
    for cmd in ("create_connection %s %d", "create_connection %s %d 5",
                "connect %s %d", "connect_ex %s %d"):
        typed = cmd % (name, port)
        # create_connection leaves the current socket alone; connect with
        # none makes its own.
        mine = cmd.startswith("create")
        fd = 4 if mine else 3
        status, out, err = run_in(wrap, "%s%s\nexpect error ECONNREFUSED\n"
                                  "list\n" % ("socket udp\n" if mine else "",
                                               typed))
        check(status == 0, "%s: status %d\n%s\n%s" % (typed, status, out,
                                                       err))
        lines = out.splitlines()
        made = [l for l in lines if l.startswith("socket(")]
        check(len(made) == 2 + mine, "%s:\n%s" % (typed, out))
        # Each attempt: a socket, a refused connect, its close.
        refused = [i for i, l in enumerate(lines) if l.startswith(
            "connect(%d, " % fd) and "ECONNREFUSED" in l or
            l.startswith("getsockopt(%d, SOL_SOCKET, SO_ERROR, "
                         "[ECONNREFUSED]" % fd)]
        closes = [i for i, l in enumerate(lines) if l == "close(%d) = 0"
                  % fd]
        check(len(refused) == 2 and len(closes) == 2 and
              refused[0] < closes[0] < refused[1] < closes[1],
              "%s:\n%s" % (typed, out))
        check("; trying the next address)" in lines[refused[0] + 1],
              "%s:\n%s" % (typed, out))
        # Nothing left of them: the user's UDP socket alone, still current.
        table = [l for l in lines if re.match(r"^[* ] +\d+ ", l)]
        if mine:
            check(len(table) == 1 and re.match(r"^\* +3 +inet +udp +new ",
                                               table[0]),
                  "%s:\n%s" % (typed, out))
        else:
            check(table == [] and "no sockets" in out,
                  "%s:\n%s" % (typed, out))
        if cmd.startswith("connect_ex"):
            check("%d ECONNREFUSED" % socket.errno.ECONNREFUSED in lines,
                  out)
        else:
            check("(expected) %s: ECONNREFUSED: " % typed.split()[0] in out,
                  out + err)
    # On the user's own socket: its family's address alone, and it stays.
    status, out, err = run_in(wrap, "socket inet6\nconnect %s %d\n"
                              "expect error ECONNREFUSED\nlist\n"
                              % (name, port))
    check(status == 0 and "close(" not in out and
          re.search(r"^\* +3 +inet6 +tcp +failed ", out, re.M),
          "status %d\n%s\n%s" % (status, out, err))


def test_create_connection_none_answers():
    # Nothing listens: the last attempt's error is reported.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    status, out, err = lib.run("create_connection localhost %d 2\n"
                               "expect error ECONNREFUSED\nlist\n" % port)
    check(status == 0, "status %d\n%s" % (status, err))
    check("fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0" in out, out)
    check("getsockopt(3, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0"
          in out, out)
    # The socket it made is closed, as Python's does.
    check(out.index("close(3) = 0") > out.index("SO_ERROR") and
          "no sockets" in out, out)
    check("create_connection: ECONNREFUSED: nothing is listening" in out,
          out)
    # The numeric form too; exported, the programs expect the connect's
    # error, not the close's, and run to the end.
    cc = shutil.which("cc") or shutil.which("gcc")
    d = tempdir()
    c, py = os.path.join(d, "r.c"), os.path.join(d, "r.py")
    out, err = lib.run_ok("create_connection 127.0.0.1 %d 2\nexpect error "
                          "ECONNREFUSED\ncreate_connection 127.0.0.1:%d\n"
                          "expect error ECONNREFUSED\nlist\nexport python %s"
                          "\nexport c %s\n" % (port, port, py, c))
    check(out.count("close(3) = 0") == 2 and "no sockets" in out, out)
    runs = [[sys.executable, py]]
    if cc is not None:
        p = subprocess.run([cc, "-std=c11", "-D_GNU_SOURCE", "-o", c[:-2],
                            c], capture_output=True, timeout=60)
        check(p.returncode == 0, p.stderr.decode())
        runs.append([c[:-2]])
    for argv in runs:
        p = subprocess.run(argv, capture_output=True, timeout=20)
        check(p.returncode == 0, "%s: %d\n%s" % (argv[-1], p.returncode,
                                                  p.stderr.decode()))


def test_create_server_and_a_client():
    out, err = lib.run_ok("create_server 127.0.0.1 0 backlog=5\n"
                          "set p $port\ncreate_connection 127.0.0.1 $p\n"
                          "on 3 accept\nsend hi\non 4 recv 10\n")
    lines = out.splitlines()
    check(lines[:3] == ["socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3",
                        "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0",
                        "bind(3, {AF_INET, 127.0.0.1:0}, 16) = 0"], out)
    check(lines[4] == "listen(3, 5) = 0", out)
    check('recv(4, "hi", 10, 0) = 2' in out, out)
    # A wildcard server with IPv6 and dualstack takes IPv4 clients too.
    lib.need_ipv6()
    out, err = lib.run_ok("create_server 0 family=inet6 dualstack_ipv6 "
                          "reuse_port\nset p $port\nsocket\n"
                          "connect 127.0.0.1 $p\non 3 accept\n")
    check("setsockopt(3, SOL_SOCKET, SO_REUSEPORT, [1], 4) = 0" in out, out)
    check("setsockopt(3, IPPROTO_IPV6, IPV6_V6ONLY, [0], 4) = 0" in out, out)
    check("bind(3, {AF_INET6, [::]:0}, 28) = 0" in out, out)
    check("listen(3, 128) = 0" in out, out)
    check(re.search(r"accept\(3, \{AF_INET6, \[::ffff:127\.0\.0\.1\]:\d+\}",
                    out), out)
    status, out, err = lib.run("create_server 0 family=unix\n"
                               "create_server 1.2.3.4 0 dualstack_ipv6\n")
    check('line 1: create_server: "family=unix": the family is inet or '
          'inet6' in err, err)
    check("line 2: create_server: dualstack_ipv6 needs family=inet6" in err,
          err)


def test_names_export_to_programs_that_run():
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise lib.Skip("no C compiler")
    d = tempdir()
    c, py = os.path.join(d, "n.c"), os.path.join(d, "n.py")
    out, err = lib.run_ok("""getaddrinfo localhost 80 tcp
getaddrinfo x 80 numerichost
expect error EAI_NONAME
getnameinfo 127.0.0.1 80 numerichost
gethostname
getservbyport 80 tcp
create_server 127.0.0.1 0
set p $port
create_connection localhost $p
on 3 accept
send "hello, names"
on 4 recv 100
export c %s
export python %s
""" % (c, py))
    exe = c[:-2]
    p = subprocess.run([cc, "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra",
                        "-Werror", "-o", exe, c], capture_output=True,
                       timeout=60)
    check(p.returncode == 0, p.stderr.decode() + open(c).read())
    for argv in ([exe], [sys.executable, py]):
        p = subprocess.run(argv, capture_output=True, timeout=20)
        check(p.returncode == 0 and p.stdout == b"hello, names",
              "%s: %d %r\n%s" % (argv[-1], p.returncode, p.stdout,
                                 p.stderr.decode()))
        check(b"getnameinfo" in p.stderr and b"gethostname" in p.stderr,
              p.stderr)


try:
    lib.main()
finally:
    for d in _made:
        shutil.rmtree(d, ignore_errors=True)
