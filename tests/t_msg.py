"""The rest of the socket API: send flags and out-of-band data with
sockatmark, sockets of any family, type and protocol (raw ICMP, ping
sockets), options by name with readable values (multicast, strings,
structs) and by number (sendmsg and recvmsg: t_msg_anc.py). Each
session is also exported to C and Python, built and run."""
import os
import re
import shutil
import socket
import struct
import subprocess
import sys

import lib
from lib import check

CC_FLAGS = ["-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-Werror"]
_made = []


def tempdir():
    d = lib.tempdir()
    _made.append(d)
    return d


def exported(script, status=0):
    """Run the session, export it both ways, build the C, run both: they
    exit with status and print the same bytes. Returns (trace, output)."""
    tmp = tempdir()
    c, py = os.path.join(tmp, "s.c"), os.path.join(tmp, "s.py")
    st, out, err = lib.run(script + "export c %s\nexport python %s\n"
                           % (c, py))
    check(os.path.exists(c) and os.path.exists(py),
          "export failed: %d\n%s\n%s" % (st, out, err))
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise lib.Skip("no C compiler")
    exe = c[:-2]
    p = subprocess.run([cc, *CC_FLAGS, "-o", exe, c], capture_output=True,
                       timeout=60)
    check(p.returncode == 0, "the C does not build:\n%s\n%s" % (
        p.stderr.decode(errors="replace"), open(c).read()))
    outs = []
    for argv, src in (([exe], c), ([sys.executable, py], py)):
        p = subprocess.run(argv, capture_output=True, timeout=20)
        check(p.returncode == status, "%s exited %d, want %d\n%s\n%s" % (
            src, p.returncode, status, p.stderr.decode(
                errors="replace"), open(src).read()))
        outs.append(p.stdout)
    check(outs[0] == outs[1], "C and Python received different bytes: %r"
          % outs)
    return out, outs[0]


def listener_script():
    return ("socket\nbind 127.0.0.1 0\nlisten\nset p $port\nsocket\n"
            "connect 127.0.0.1 $p\n")


def test_send_flags_and_oob_with_sockatmark():
    out, got = exported(listener_script() + """send abc
send -m oob,nosignal "!"
sendall -m MSG_NOSIGNAL def
sendline -m nosignal ghi
on 3 accept
sleep 0.2
sockatmark
expect ret 0
recv 3
expect abc
sockatmark
expect ret 1
recv 1 oob
expect !
recvuntil "\\n"
expect "defghi\\n"
""")
    check('send(4, "!", 1, MSG_OOB|MSG_NOSIGNAL) = 1' in out, out)
    check('send(4, "def", 3, MSG_NOSIGNAL) = 3' in out, out)
    check("ioctl(5, SIOCATMARK, [0]) = 0" in out, out)
    check("ioctl(5, SIOCATMARK, [1]) = 0" in out, out)
    check(got == b"abc!defghi\n", got)


def test_send_flags_are_checked():
    st, out, err = lib.run("socketpair\nsend -m bogus x\nsend -m\n"
                           "send -m dontwait,more ok\non 4 recv\n")
    check(st == 1, out + err)
    check('line 2: send: flags "bogus": use oob, more, nosignal, dontwait, '
          'eor, confirm, dontroute (or MSG_ names, or a number), joined by | '
          'or commas' in err, err)
    check("line 3: send: -m needs flags" in err, err)
    check('send(3, "ok", 2, MSG_DONTWAIT|MSG_MORE) = 2' in out, out)
    check('recv(4, "ok", 65536, 0) = 2' in out, out)


def test_send_and_recv_flags_alike():
    # Both separators and numbers, in send -m and in recv, shown by name.
    st, out, err = lib.run("socketpair\nsend -m 0x40 a\nsend -m more|0x4000 b\n"
                           "send -m dontwait c\non 4 recv 10 2\n"
                           "on 4 recv 10 peek,dontwait\n"
                           "on 4 recv 10 2|dontwait\n"
                           "on 4 recvmsg 10 2\non 4 recv 10 -2\n"
                           "send -m 1.5 x\n")
    check(st == 1, out + err)
    check('send(3, "a", 1, MSG_DONTWAIT) = 1' in out, out)
    check('send(3, "b", 1, MSG_NOSIGNAL|MSG_MORE) = 1' in out, out)
    check('recv(4, "abc", 10, MSG_PEEK) = 3' in out, out)
    check('recv(4, "abc", 10, MSG_PEEK|MSG_DONTWAIT) = 3' in out, out)
    check(out.count('recv(4, "abc", 10, MSG_PEEK|MSG_DONTWAIT) = 3') == 2, out)
    check("msg_flags=0}, MSG_PEEK) = " in out, out)
    check('recv: flags "-2": use peek' in err and
          'send: flags "1.5": use oob' in err, err)


def test_socket_by_number_and_protocol_names():
    out, _ = lib.run_ok("socket 2 2 17\nsocket udplite\nsocket AF_INET6 "
                        "SOCK_DGRAM IPPROTO_UDP\nsocketpair raw\nlist\n")
    check("socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP) = 3" in out, out)
    check("socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE) = 4" in out, out)
    check("socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP) = 5" in out, out)
    # The kernel makes an AF_UNIX SOCK_RAW pair a datagram pair.
    check("socketpair(AF_UNIX, SOCK_RAW, 0, [6, 7]) = 0" in out, out)
    check("(the kernel made them SOCK_DGRAM: that is what list shows)"
          in out, out)
    check(re.search(r"\n\*? +6 +unix +dgram +connected", out), out)
    # list names a socket by its protocol where that says more.
    check(re.search(r"\n +4 +inet +udplite +new", out), out)


def test_packet_socket():
    if not can_raw():
        raise lib.Skip("no CAP_NET_RAW here")
    out, _ = lib.run_ok("socket packet\ngetsockname\nlist\n")
    check("socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)) = 3" in out, out)
    check("getsockname(3, {AF_PACKET, any/0x0003}, [12]) = 0" in out, out)
    check(re.search(r"\n\* +3 +packet +packet +new .*any/0x0003", out), out)


def test_raw_socket_without_protocol_gets_its_hint():
    st, out, err = lib.run("socket SOCK_RAW\n")
    check(st == 1, err)
    check("a raw socket needs a protocol: socket raw inet icmp" in err, err)
    check("SCTP" not in err, err)


def can_raw():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW,
                      socket.IPPROTO_ICMP).close()
        return True
    except PermissionError:
        return False


def icmp_echo(ident, seq, data):
    hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
    p = hdr + data + b"\0" * (len(data) % 2)
    s = sum(struct.unpack("!%dH" % (len(p) // 2), p))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return struct.pack("!BBHHH", 8, 0, ~s & 0xffff, ident, seq) + data


HEXLINE = re.compile(r"^< [0-9a-f]{8}  ((?:[0-9a-f]{2} {1,2})+)")


def hexdumps(text):
    """The bytes of each hexdump in the output, in order."""
    dumps, cur = [], None
    for line in text.splitlines():
        m = HEXLINE.match(line)
        if m:
            if line.startswith("< 00000000"):
                cur = bytearray()
                dumps.append(cur)
            cur += bytes.fromhex(m.group(1).replace(" ", ""))
    return [bytes(d) for d in dumps]


def test_icmp_echo_through_a_raw_socket():
    if not can_raw():
        st, out, err = lib.run("socket raw inet icmp\n")
        check("CAP_NET_RAW" in err and "ping_group_range" in err, err)
        raise lib.Skip("no CAP_NET_RAW here: the EPERM hint was checked "
                       "instead")
    ident = os.getpid() & 0xffff
    echo = icmp_echo(ident, 7, b"sockrepl-ping")
    s = lib.Session()
    try:
        s.send("socket raw inet icmp")
        s.send("settimeout 5")
        s.send("sendto hex:%s 127.0.0.1 0" % echo.hex())
        s.expect(r"^sendto\(3, .*, %d, 0, \{AF_INET, 127.0.0.1:0\}, 16\) = %d"
                 % (len(echo), len(echo)))
        # The socket sees every ICMP packet: read until our reply comes.
        for _ in range(20):
            s.send("recvfrom -f hex")
            s.expect(r"^recvfrom\(3, buf, 65536, 0, .*\) = \d+")
            s.send("fileno")
            s.expect(r"^3$")
            for d in hexdumps(s.text()):
                ihl = (d[0] & 0xf) * 4
                icmp = d[ihl:]
                if icmp[:1] == b"\0" and icmp[4:8] == echo[4:8] and \
                        icmp[8:] == b"sockrepl-ping":
                    return
        raise lib.TestFailure("no echo reply came:\n" + s.text())
    finally:
        s.kill()


def test_ping_socket_where_the_group_range_allows():
    """An unprivileged ping socket. The host's range may exclude every
    group, so when it does the test runs in a network namespace of its
    own whose range it may set."""
    with open("/proc/sys/net/ipv4/ping_group_range") as f:
        lo, hi = map(int, f.read().split())
    script = ("socket dgram inet icmp\nsendto hex:%s 127.0.0.1 0\n"
              "settimeout 5\nrecvfrom -f hex\n"
              % icmp_echo(0, 1, b"pingsock").hex())
    if lo <= os.getgid() <= hi:
        st, out, err = lib.run(script)
    else:
        unshare, ip = shutil.which("unshare"), shutil.which("ip")
        if unshare is None or ip is None:
            raise lib.Skip("ping_group_range %d %d excludes group %d, and "
                           "no unshare or ip to make a namespace" %
                           (lo, hi, os.getgid()))
        p = subprocess.run(
            [unshare, "-n", "sh", "-c", 'ip link set lo up && echo "0 '
             '2147483647" > /proc/sys/net/ipv4/ping_group_range && exec "$0"',
             lib.SOCKREPL], input=script.encode(), capture_output=True,
            timeout=lib.TIMEOUT)
        if p.returncode != 0 and b"socket(" not in p.stdout:
            raise lib.Skip("ping_group_range %d %d excludes group %d and no "
                           "namespace could be made: %s" % (
                               lo, hi, os.getgid(), p.stderr.decode()))
        st, out, err = p.returncode, p.stdout.decode(), p.stderr.decode()
    check(st == 0, out + err)
    check("socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP) = 3" in out, out)
    d = hexdumps(out)
    # A ping socket returns the ICMP reply alone: type 0, our data.
    check(d and d[-1][0] == 0 and d[-1][8:] == b"pingsock", out)


def test_ping_socket_refused_gets_its_hint():
    with open("/proc/sys/net/ipv4/ping_group_range") as f:
        lo, hi = map(int, f.read().split())
    if lo <= os.getgid() <= hi:
        raise lib.Skip("this group may open ping sockets here")
    st, out, err = lib.run("socket dgram inet icmp\n")
    check("EACCES: ping sockets are open only to the groups in "
          "net.ipv4.ping_group_range (now \"%d %d\")" % (lo, hi) in err, err)


def lo_has_multicast():
    try:
        with open("/sys/class/net/lo/flags") as f:
            return int(f.read(), 16) & 0x1000 != 0
    except OSError:
        return False


def test_multicast_group_on_loopback():
    group = "239.%d.%d.%d" % (os.getpid() % 200 + 1, 7, 7)
    script = """socket udp
setsockopt SO_REUSEADDR 1
bind 0.0.0.0 0
set p $port
setsockopt IP_ADD_MEMBERSHIP %s 127.0.0.1
socket udp
setsockopt IP_MULTICAST_IF 127.0.0.1
setsockopt IP_MULTICAST_LOOP 1
sendto to-the-group %s $p
on 3 settimeout 2
on 3 recvfrom
expect to-the-group
on 3 setsockopt IP_DROP_MEMBERSHIP %s 127.0.0.1
""" % (group, group, group)
    st, out, err = lib.run(script)
    if st != 0 and not lo_has_multicast():
        raise lib.Skip("lo lacks the MULTICAST flag and multicast on it "
                       "does not work here: %s" % err.strip())
    check(st == 0, out + err)
    check('setsockopt(3, IPPROTO_IP, IP_ADD_MEMBERSHIP, {imr_multiaddr='
          'inet_addr("%s"), imr_interface=inet_addr("127.0.0.1")}, 8) = 0'
          % group in out, out)
    check('recvfrom(3, "to-the-group", 65536, 0, {AF_INET, 127.0.0.1:' in
          out, out)
    out, got = exported(script)
    check(got == b"to-the-group", got)


def test_ipv6_group_and_interface_by_name():
    lib.need_ipv6()
    out, _ = lib.run_ok("socket udp inet6\nsetsockopt IPV6_JOIN_GROUP "
                        "ff02::4242 lo\nsetsockopt IPV6_MULTICAST_IF lo\n"
                        "getsockopt IPV6_MULTICAST_IF\nsetsockopt "
                        "IPV6_LEAVE_GROUP ff02::4242 lo\n")
    check('setsockopt(3, IPPROTO_IPV6, IPV6_JOIN_GROUP, {ipv6mr_multiaddr='
          'inet_pton(AF_INET6, "ff02::4242"), ipv6mr_interface='
          'if_nametoindex("lo")}, 20) = 0' in out, out)
    check('getsockopt(3, IPPROTO_IPV6, IPV6_MULTICAST_IF, '
          '[if_nametoindex("lo")], [4]) = 0' in out, out)


def test_string_struct_and_numeric_options():
    script = """socket
setsockopt TCP_CONGESTION reno
getsockopt TCP_CONGESTION
setsockopt TCP_USER_TIMEOUT 3000
setsockopt SOL_SOCKET 7 65536
getsockopt socket 7
setsockopt IPPROTO_TCP 4 30
getsockopt TCP_KEEPIDLE 4
socketpair
getsockopt SO_PEERCRED
setsockopt SO_PASSCRED 1
"""
    out, _ = exported(script)
    check('setsockopt(3, IPPROTO_TCP, TCP_CONGESTION, "reno", 4) = 0' in out,
          out)
    check('getsockopt(3, IPPROTO_TCP, TCP_CONGESTION, "reno", [16]) = 0' in
          out, out)
    # A number the table knows is shown by its name.
    check("setsockopt(3, SOL_SOCKET, SO_SNDBUF, [65536], 4) = 0" in out, out)
    check(re.search(r"getsockopt\(3, SOL_SOCKET, SO_SNDBUF, \[\d+\], \[4\]\)"
                    r" = 0", out), out)
    check("setsockopt(3, IPPROTO_TCP, TCP_KEEPIDLE, [30], 4) = 0" in out, out)
    # With a length, any option's bytes, as a hexdump.
    check(re.search(r'getsockopt\(3, IPPROTO_TCP, 4, "\\x1e\\0\\0\\0", \[4\]\)'
                    r' = 0', out), out)
    check("< 00000000  1e 00 00 00" in out, out)
    check(re.search(r"getsockopt\(4, SOL_SOCKET, SO_PEERCRED, \{pid=\d+, "
                    r"uid=%d, gid=%d\}, \[12\]\) = 0" % (os.getuid(),
                                                          os.getgid()), out),
          out)


def test_unknown_option_number_and_bad_values():
    st, out, err = lib.run("socket\nsetsockopt SOL_SOCKET 200 5\n"
                           "setsockopt IP_ADD_MEMBERSHIP 999.1.1.1\n"
                           "setsockopt IPV6_JOIN_GROUP ff02::1 nosuchif0\n"
                           "setsockopt 77777x 1 1\nsetsockopt SO_PEERCRED 1\n"
                           "getsockopt tcp\nsetsockopt SO_BINDTODEVICE\n")
    check(st == 1, out + err)
    for want in (
            'setsockopt(3, SOL_SOCKET, 200, [5], 4) = -1 '
            'ENOPROTOOPT',):
        check(want in out, out)
    for want in (
            "line 2: setsockopt: ENOPROTOOPT: no option by that number at "
            "that level",
            'line 3: setsockopt: IP_ADD_MEMBERSHIP: "999.1.1.1" is not an '
            'IPv4 address',
            'line 4: setsockopt: IPV6_JOIN_GROUP: no interface "nosuchif0"',
            'line 5: setsockopt: unknown option "77777x"',
            "line 6: setsockopt: SO_PEERCRED can only be read",
            "line 7: getsockopt: level tcp: give the option's name or number",
            "line 8: usage: setsockopt [LEVEL] NAME VALUE ..."):
        check(want in err, err)


if __name__ == "__main__":
    try:
        lib.main()
    finally:
        for d in _made:
            shutil.rmtree(d, ignore_errors=True)
