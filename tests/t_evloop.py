"""Event loops one call at a time (select, epoll_create, epoll_ctl,
epoll_wait), and sendfile, dup, unlink and getblocking: real sockets on
loopback, real peers."""
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys

import lib
from lib import check

_made = []


def tempdir():
    d = lib.tempdir()
    _made.append(d)
    return d


def events_of(out):
    """Each epoll_wait's events as a list of (fd, events) lists."""
    waits = []
    for m in re.finditer(r"^epoll_wait\(\d+, \[(.*)\], \d+, -?\d+\) = (\d+)",
                         out, re.M):
        evs = re.findall(r"\{events=([A-Z|]+), data=\{u32=(\d+), u64=\d+\}\}",
                         m.group(1))
        check(len(evs) == int(m.group(2)), m.group(0))
        waits.append([(int(fd), ev) for ev, fd in evs])
    return waits


def test_epoll_loop_of_several_sockets():
    # A server by hand: the listener in the set, three Python clients, each
    # connection added as accept takes it, then the data of each.
    srv_script = """create_server 127.0.0.1 0
set p $port
epoll_create
epoll_ctl add 3 in
list
"""
    s = lib.Session()
    clients = []
    try:
        for line in srv_script.splitlines():
            s.send(line)
        m = s.expect(r"getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)\}")
        port = int(m.group(1))
        s.expect(r"^listen\(3, 128\) = 0$")
        s.expect(r"^epoll_ctl\(4, EPOLL_CTL_ADD, 3, \{events=EPOLLIN, "
                 r"data=\{u32=3, u64=3\}\}\) = 0$")
        s.expect(r"^ +4 +- +epoll +- ")
        for i in range(3):
            c = socket.create_connection(("127.0.0.1", port), timeout=5)
            clients.append(c)
        for fd in (5, 6, 7):
            s.send("epoll_wait 8 5")
            s.expect(r"^epoll_wait\(4, \[\{events=EPOLLIN, data=\{u32=3, "
                     r"u64=3\}\}\], 8, 5000\) = 1$")
            s.send("on 3 accept")
            s.expect(r"^accept\(3, .* = %d$" % fd)
            s.send("epoll_ctl add %d in,rdhup" % fd)
            s.expect(r"^epoll_ctl\(4, EPOLL_CTL_ADD, %d, \{events="
                     r"EPOLLIN\|EPOLLRDHUP, .*\) = 0$" % fd)
        # The queue is empty now: a wait times out, which is no failure.
        s.send("epoll_wait 8 0")
        s.expect(r"^epoll_wait\(4, \[\], 8, 0\) = 0 \(Timeout\)$")
        for i, c in enumerate(clients):
            c.sendall(b"from client %d" % i)
        clients[2].shutdown(socket.SHUT_WR)
        s.send("poll 5 6 7 in 5")
        s.send("sleep 0.2")
        s.send("epoll_wait 8 5")
        m = s.expect(r"^(epoll_wait\(4, .*) = (\d+)$")
        line = m.group(0).decode()
        got = dict(events_of(line)[0])
        check(set(got) == {5, 6, 7}, line)
        check(got[5] == "EPOLLIN" and got[6] == "EPOLLIN", line)
        check(got[7] == "EPOLLIN|EPOLLRDHUP", line)
        for fd in (5, 6, 7):
            s.send("on %d recv 100" % fd)
            s.expect(r'^recv\(%d, "from client %d", 100, 0\) = 13$'
                     % (fd, fd - 5))
        s.send("epoll_ctl del 7")
        s.expect(r"^epoll_ctl\(4, EPOLL_CTL_DEL, 7, NULL\) = 0$")
        s.send("close 4")
        s.expect(r"^close\(4\) = 0$")
        s.send("list")
        s.send("epoll_wait")
        s.expect(r"epoll_wait: no epoll instance yet \(make one with "
                 r"epoll_create\)")
        status, out = s.close()
        check(status == 1, "status %d" % status)
        check(not re.search(r"^ +\d+ +- +epoll ", out.split("close(4) = 0")[1],
                            re.M), out)
    finally:
        for c in clients:
            c.close()
        s.kill()


def test_edge_and_level_triggering():
    out, err = lib.run_ok("""epoll_create
socketpair
socketpair
socketpair
epoll_ctl add 5 in
epoll_ctl add 7 in,et
epoll_ctl add 9 in,oneshot
on 4 send one
on 6 send one
on 8 send one
epoll_wait 8 0
epoll_wait 8 0
on 4 send two
on 6 send two
on 8 send two
epoll_wait 8 0
epoll_ctl mod 9 in,oneshot
epoll_wait 8 0
on 5 recv 100
on 7 recv 100
epoll_wait 8 0
""")
    waits = [sorted(fd for fd, _ in w) for w in events_of(out)]
    # Level: 5 while unread. Edge: 7 once per arrival. Oneshot: 9 once,
    # again only after mod re-arms it.
    check(waits == [[5, 7, 9], [5], [5, 7], [5, 9], []],
          "waits %r\n%s" % (waits, out))
    check("epoll_ctl(3, EPOLL_CTL_ADD, 7, {events=EPOLLIN|EPOLLET, "
          "data={u32=7, u64=7}}) = 0" in out, out)
    check("epoll_ctl(3, EPOLL_CTL_ADD, 9, {events=EPOLLIN|EPOLLONESHOT, "
          "data={u32=9, u64=9}}) = 0" in out, out)
    out, err = lib.run_ok("epoll_create\nsocketpair\nepoll_ctl add 4 in\n"
                          "on 5 send x\nepoll_wait\n", args=["-q"])
    check(out.splitlines() == ["3", "4 5", "4 EPOLLIN"], out)


def test_epoll_ctl_errors_have_hints():
    status, out, err = lib.run("""epoll_ctl add 3
epoll_create
socketpair
epoll_ctl add 4 in
epoll_ctl add 4 in
epoll_ctl mod 5 out
epoll_ctl add 3
epoll_ctl twist 4
epoll_ctl add 4 in,sideways
epoll_ctl del 4 in
on 4 epoll_wait 1 0
""")
    check(status == 1, "status %d" % status)
    want = [
        "line 1: epoll_ctl: no epoll instance yet (make one with "
        "epoll_create)",
        "line 5: epoll_ctl: EEXIST: that fd is in the epoll set already",
        "line 6: epoll_ctl: ENOENT: that fd is not in the epoll set",
        "line 7: epoll_ctl: EINVAL: an epoll instance cannot watch itself",
        'line 8: epoll_ctl: "twist" is not add, mod or del',
        'line 9: epoll_ctl: "in,sideways" is not events',
        "line 10: epoll_ctl: del takes no events",
    ]
    lines = err.splitlines()
    for w in want:
        check(any(l.startswith(w) for l in lines), "no %r in\n%s" % (w, err))
    # on FD picks a socket, not an instance: the newest instance it is.
    check("epoll_wait(3, [{events=EPOLLIN" not in out, out)
    check("epoll_wait(3, [], 1, 0) = 0 (Timeout)" in out, out)


def test_select_read_write_except():
    out, err = lib.run_ok("""socketpair
socketpair
select 3,5 4 - 0
on 4 send x
select 3,5 3,4 3 1.5
expect ret 3
""")
    check("select(6, [3 5], [4], [], {tv_sec=0, tv_usec=0}) = 1 "
          "(out [4])" in out, out)
    check("select(6, [3 5], [3 4], [3], {tv_sec=1, tv_usec=500000}) = 3 "
          "(in [3], out [3 4])" in out, out)
    out, err = lib.run_ok("socketpair\non 4 send x\nselect 3 - - 0\n",
                          args=["-q"])
    check(out.splitlines()[-1] == "3 POLLIN", out)
    status, out, err = lib.run("select - - - 1\nselect 3,x - -\n"
                               "select 3 - - soon\n")
    check(status == 1, "status %d" % status)
    check("line 1: select: every set is empty" in err, err)
    check('line 2: fd "x"' in err or 'fd x' in err or '"x"' in err, err)
    check("soon" in err.splitlines()[-1], err)


def test_sendfile_whole_file_and_a_range():
    d = tempdir()
    path = os.path.join(d, "f.bin")
    data = os.urandom(3 * 1024 * 1024 + 17)
    with open(path, "wb") as f:
        f.write(data)
    srv = lib.listener()
    port = srv.getsockname()[1]
    got = {}

    def drain():
        c, _ = srv.accept()
        c.settimeout(10)
        buf = bytearray()
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            buf += b
        got["data"] = bytes(buf)
        c.close()
    h = lib.in_thread(drain)
    try:
        out, err = lib.run_ok("connect 127.0.0.1 %d\nsendfile %s\n"
                              "sendfile %s 5 10\nclose\n" % (port, path,
                                                             path))
        h.join()
    finally:
        srv.close()
    check(got["data"] == data + data[5:15], "the peer got %d bytes, want %d"
          % (len(got["data"]), len(data) + 10))
    calls = re.findall(r"^sendfile\(3, \d+<%s>, \[(\d+)\] => \[(\d+)\], "
                       r"(\d+)\) = (\d+)$" % re.escape(path), out, re.M)
    check(calls, out)
    check(calls[0][0] == "0" and int(calls[0][2]) == len(data), out)
    check(calls[-1] == ("5", "15", "10", "10"), out)
    # Each call starts where the last ended.
    for a, b in zip(calls, calls[1:-1]):
        check(a[1] == b[0], "offsets do not follow: %r" % calls)
    if len(calls) > 4:
        check(re.search(r"^\.\.\. \d+ more sendfile calls: %d of %d bytes "
                        r"sent$" % (len(data), len(data)), out, re.M), out)
    status, out, err = lib.run("socketpair\nsendfile %s\nsendfile /nonexist"
                               "\nsendfile %s x\n" % (d, path))
    check("line 2: sendfile: %s: not a regular file" % d in err, err)
    check("line 3: sendfile: /nonexist: No such file" in err, err)
    check('offset' in err.splitlines()[-1], err)


def test_dup_shares_the_connection():
    out, err = lib.run_ok("""socketpair
dup 3
send "via the copy"
on 4 recv 100
close 3
on 4 send back
on 5 recv 100
list
""")
    check("dup(3) = 5" in out, out)
    check('send(5, "via the copy", 12, 0) = 12' in out, out)
    check('recv(4, "via the copy", 100, 0) = 12' in out, out)
    # The connection outlives the fd it was made with.
    check('recv(5, "back", 100, 0) = 4' in out, out)
    check(re.search(r"^\* +5 +unix +stream +connected ", out, re.M), out)
    out, err = lib.run_ok("epoll_create\ndup 3\nlist\n")
    check(re.search(r"^ +4 +- +epoll ", out, re.M), out)


def test_unlink_a_stale_socket_file():
    d = tempdir()
    path = os.path.join(d, "srv.sock")
    status, out, err = lib.run("""socket unix
bind %s
close
socket unix
bind %s
expect error EADDRINUSE
unlink %s
bind %s
unlink %s
unlink %s
""" % ((path,) * 6))
    check(status == 1, "status %d\n%s" % (status, err))
    check('unlink("%s") = 0' % path in out, out)
    check(out.count("bind(") == 3 and out.count('bind(3, {AF_UNIX, "%s"}, '
                                                '%d) = 0' % (path, 2 + len(path)
                                                              + 1)) == 2, out)
    check(err.splitlines()[-1] == "line 10: unlink: ENOENT: no file at that "
          "path (already removed?)", err)


def test_getblocking():
    out, err = lib.run_ok("socket\ngetblocking\nsetblocking false\n"
                          "getblocking\nsettimeout 1.5\ngetblocking\n")
    check([l for l in out.splitlines() if l in ("true", "false")] ==
          ["true", "false", "true"], out)
    check("(a timeout of 1.5 s: Python calls that blocking" in out, out)


def test_event_loop_exports_to_programs_that_run():
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise lib.Skip("no C compiler")
    d = tempdir()
    path = os.path.join(d, "f.bin")
    with open(path, "wb") as f:
        f.write(b"file bytes\n" * 5000)
    c, py = os.path.join(d, "e.c"), os.path.join(d, "e.py")
    lib.run_ok("""socket unix
bind %s/srv.sock
close
unlink %s/srv.sock
expect ok
create_server 127.0.0.1 0
set p $port
create_connection 127.0.0.1 $p
on 3 accept
epoll_create
epoll_ctl add 5 in,et
on 4 sendfile %s
on 4 shutdown wr
epoll_wait 4 5
select 5 - - 5
dup 5
recvall 100000
close 5
export c %s
export python %s
""" % (d, d, path, c, py))
    exe = c[:-2]
    p = subprocess.run([cc, "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra",
                        "-Werror", "-o", exe, c], capture_output=True,
                       timeout=60)
    check(p.returncode == 0, p.stderr.decode() + open(c).read())
    for argv in ([exe], [sys.executable, py]):
        p = subprocess.run(argv, capture_output=True, timeout=20)
        check(p.returncode == 0 and p.stdout == b"file bytes\n" * 5000,
              "%s: %d %d bytes\n%s" % (argv[-1], p.returncode, len(p.stdout),
                                      p.stderr.decode()))
        check(b"epoll_wait" in p.stderr, p.stderr)


try:
    lib.main()
finally:
    for d in _made:
        shutil.rmtree(d, ignore_errors=True)
