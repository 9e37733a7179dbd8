"""diagram: the session as a ladder diagram, as text, SVG (well-formed, one
lifeline per socket) and Mermaid; with and without the wire. Without the
wire (or on a build without libpcap) the calls and data still make it."""
import os
import re
import shutil
import socket
import subprocess
import xml.etree.ElementTree as ET

import lib
from lib import check

SVG = "{http://www.w3.org/2000/svg}"

# The echo exercise in one session: listener 3, client 4, accepted 5.
ECHO = """bind 127.0.0.1 0
listen 5
set P $port
socket
connect 127.0.0.1 $P
on 3 accept
on 4 send hello
recv 100
send hello
on 4 recv 100
on 4 shutdown wr
recv 100
close
on 4 close
on 3 close
"""


def can_capture():
    """Whether the wire can run here; a build without libpcap must say so."""
    out = subprocess.run([lib.SOCKREPL, "--version"], capture_output=True,
                         text=True).stdout
    st, out2, err = lib.run("wire on\nsocketpair\ndiagram\n")
    if "wire no" in out:
        check(st == 1 and "wire: sockrepl was built without libpcap" in err,
              err)
        check("socketpair = 0 [3, 4]" in out2, "diagram goes on:\n" + out2)
        return False
    if "not permitted" in err:
        raise lib.Skip("no CAP_NET_RAW here: " + err.strip())
    return st == 0


def test_text_echo_without_wire():
    out, err = lib.run_ok(ECHO + "diagram\n", args=["-q"])
    lines = out.splitlines()
    i = next(i for i, l in enumerate(lines) if "fd 3 tcp listening" in l)
    head, addrs, body = lines[i], lines[i + 1], lines[i + 2:]
    check(re.search(r"fd 3 tcp listening +fd 4 tcp +fd 5 tcp$", head), head)
    port = re.search(r"127\.0\.0\.1:(\d+)", addrs).group(1)
    # The client's own port, if sockrepl learnt it, else where it went.
    check(re.search(r"127\.0\.0\.1:%s +(to 127\.0\.0\.1:%s|127\.0\.0\.1:\d+) +"
                    r"127\.0\.0\.1:%s$" % (port, port, port), addrs), addrs)
    text = "\n".join(body)
    # Data from the client to the accepted socket and back, as arrows.
    check(re.search(r'\|=+ send "hello" = 5 =+>\|', text), text)
    check(re.search(r'\|<=+ send "hello" = 5 =+\|', text), text)
    check(re.search(r"\* connect 127\.0\.0\.1:%s = 0" % port, text), text)
    check(re.search(r"\* accept = 5 127\.0\.0\.1:\d+", text), text)
    check(re.search(r"\* shutdown SHUT_WR = 0", text), text)
    check(re.search(r"\* recv = 0 \(EOF\)", text), text)
    check(len(re.findall(r"X close = 0", text)) == 3, text)
    # Time order: the connect, then its accept, then the data.
    check(text.index("connect") < text.index("accept") <
          text.index('send "hello"') < text.index("EOF"), text)


def test_text_with_wire():
    if not can_capture():
        return
    out, err = lib.run_ok("wire on\n" + ECHO + "diagram\n", args=["-q"])
    text = out[out.index("fd 3 tcp listening"):]
    for rx in (r"\|<-+ \[S\] seq 0 -+\|", r"\|-+ \[S\.\] seq 0 ack 1 -+>\|",
               r"\|<-+ \[\.\] ack 1 -+\|", r'\[P\.\] seq 1:6 ack 1 len 5 '
               r'"hello"', r"\[F\.\] seq 6 ack 6"):
        check(re.search(rx, text), "%r not in:\n%s" % (rx, text))
    # The sends are calls on their column: the packets are the arrows.
    check(re.search(r'\* send "hello" = 5', text), text)
    check("===" not in text, text)


def svg_of(script, d):
    path = os.path.join(d, "s.svg")
    out, err = lib.run_ok(script + "diagram svg %s\n" % path)
    check("diagram: svg written to %s" % path in out, out)
    return ET.parse(path).getroot()


def test_svg_one_lifeline_per_socket():
    d = lib.tempdir()
    try:
        root = svg_of(ECHO, d)
        check(root.tag == SVG + "svg", root.tag)
        lifelines = [e for e in root.iter(SVG + "line")
                     if e.get("class") == "lifeline"]
        check(len(lifelines) == 3, "want 3 lifelines, got %d"
              % len(lifelines))
        xs = sorted(float(e.get("x1")) for e in lifelines)
        check(len(set(xs)) == 3, "lifelines overlap: %r" % xs)
        texts = [t.text or "" for t in root.iter(SVG + "text")]
        check("fd 3 tcp listening" in texts and "fd 4 tcp" in texts and
              "fd 5 tcp" in texts, texts)
        check(any(t.startswith('send "hello"') for t in texts), texts)
        check(int(root.get("width")) > 0 and int(root.get("height")) > 0,
              root.attrib)
        # A socketpair and data that needs escaping for XML.
        root = svg_of('socketpair\nsend "<a & b>"\non 4 recv 10\n', d)
        lifelines = [e for e in root.iter(SVG + "line")
                     if e.get("class") == "lifeline"]
        check(len(lifelines) == 2, "socketpair: %d lifelines"
              % len(lifelines))
        texts = [t.text or "" for t in root.iter(SVG + "text")]
        check('send "<a & b>" = 7' in texts, texts)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_svg_with_wire_and_a_peer():
    if not can_capture():
        return
    d = lib.tempdir()
    srv = lib.listener()
    port = srv.getsockname()[1]

    def peer():
        c, _ = srv.accept()
        c.sendall(c.recv(100))
        c.close()
    h = lib.in_thread(peer)
    try:
        root = svg_of("wire on\nconnect 127.0.0.1 %d\nsend ping\nrecv 100\n"
                      "recv 100\nclose\nsleep 0.1\n" % port, d)
        h.join()
        heads = [t.text for t in root.iter(SVG + "text")]
        check("peer" in heads and "127.0.0.1:%d" % port in heads, heads)
        lifelines = [e for e in root.iter(SVG + "line")
                     if e.get("class") == "lifeline"]
        check(len(lifelines) == 2, "socket and peer: %d" % len(lifelines))
        segs = [e for e in root.iter(SVG + "line") if e.get("class") == "seg"]
        check(len(segs) >= 7, "handshake, data, FINs: %d arrows" % len(segs))
    finally:
        srv.close()
        shutil.rmtree(d, ignore_errors=True)


def test_mermaid():
    d = lib.tempdir()
    try:
        path = os.path.join(d, "m.mmd")
        out, err = lib.run_ok(ECHO + "diagram mermaid %s\n" % path)
        check("diagram: mermaid written to %s" % path in out, out)
        text = open(path).read()
        lines = text.splitlines()
        check(lines[0] == "sequenceDiagram", lines[0])
        parts = [l for l in lines if l.startswith("    participant ")]
        check(len(parts) == 3, parts)
        check(re.fullmatch(r"    participant c0 as fd 3 tcp listening "
                           r"127\.0\.0\.1:\d+", parts[0]), parts[0])
        check(re.search(r'^    c1->>c2: send "hello" = 5$', text, re.M), text)
        check(re.search(r'^    c2->>c1: send "hello" = 5$', text, re.M), text)
        check(re.search(r"^    Note over c0: listen 5 = 0$", text, re.M), text)
        # Every line is a participant, a note or a message.
        for l in lines[1:]:
            check(re.fullmatch(r"    (participant c\d+ as .+|Note over c\d+: "
                               r".+|c\d+(->>|-\))c\d+: .+)", l), l)
        # Mermaid's own ; and # are written as its entity codes.
        out, err = lib.run_ok('socketpair\nsend "a;b#c"\ndiagram mermaid\n',
                              args=["-q"])
        check('send "a#59;b#35;c" = 5' in out, out)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_udp_and_refused_connect():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()
    st, out, err = lib.run("connect 127.0.0.1 %d\nsocket dgram\n"
                           "bind 127.0.0.1 0\nset P $port\nsocket dgram\n"
                           "sendto hi 127.0.0.1 $P\non 4 recvfrom 10\n"
                           "diagram\n" % closed, args=["-q"])
    check(st == 1, "the refused connect fails: %d" % st)
    text = out[out.index("fd 3 tcp"):]
    check(re.search(r"to 127\.0\.0\.1:%d +127\.0\.0\.1:\d+\n" % closed, text),
          text)
    check(re.search(r"\* connect 127\.0\.0\.1:%d = -1 ECONNREFUSED" % closed,
                    text), text)
    check(re.search(r'\|<=+ sendto "hi" 127\.0\.0\.1:\d+ = 2 =+\||'
                    r'sendto "hi" 127\.0\.0\.1:\d+ = 2 *\|?\n[ |]*\|<=+\|', text),
          text)
    check(re.search(r'\* recvfrom = 2 127\.0\.0\.1:\d+ "hi"|'
                    r'\* recvfrom = 2 "hi"', text), text)


def test_bad_form_and_empty():
    st, out, err = lib.run("diagram\ndiagram png\ndiagram svg ''\n")
    check("diagram: nothing to draw yet (no socket has been made)" in out,
          out)
    check('line 2: diagram: "png" is not a form (text, svg or mermaid)'
          in err, err)
    check('line 3: diagram: "" is not a file name' in err, err)
    st, out, err = lib.run("socketpair\ndiagram svg /nonexistent/x.svg\n")
    check(st == 1 and "diagram: /nonexistent/x.svg: No such file or "
          "directory" in err, err)


def test_completion_knows_the_forms():
    from t_interactive import session

    def body(p):
        p.type("diag\t")
        p.expect(r"diagram $")
        p.type("m\t")
        p.expect(r"mermaid $")
        p.type("\x15wire o\t\t")
        p.expect(r"off\s+on")
        p.type("\x15")
    session(body)


def test_many_sockets_bounded_to_the_latest():
    # Twenty open sockets (fds 3..22): text draws the 12 with the latest
    # events and says what it left out; Mermaid and SVG draw up to 40.
    out, err = lib.run_ok("socket udp\n" * 20 + "diagram\n", args=["-q"])
    head = out.split("\n* socket udp", 1)[0]
    fds = [int(m) for m in re.findall(r"fd (\d+) udp", head)]
    check(fds == list(range(11, 23)), "columns %r:\n%s" % (fds, out))
    check("(12 of the session's 20 sockets drawn, those with the latest "
          "events, 12 columns at most; 8 events of the others left out)\n"
          in out, out)
    out, err = lib.run_ok("socket udp\n" * 20 + "diagram mermaid\n",
                          args=["-q"])
    check(out.count("participant") == 20, out)
    check("left out" not in out, out)
    # Thousands made and closed: as wide as 12 columns, not 3000.
    out, err = lib.run_ok("socket udp\nclose\n" * 3000 + "diagram\n"
                          "diagram mermaid\n", args=["-q"])
    text, mermaid = out.split("sequenceDiagram\n")
    check(max(len(line) for line in text.splitlines()) < 12 * 34 + 10,
          "too wide")
    check(text.count("X close = 0") == 12, text)
    check("(12 of the session's 3000 sockets drawn" in text, text[-400:])
    check(mermaid.count("participant") == 40, mermaid[:2000])
    check("Note over c0,c39: (40 of the session's 3000 sockets drawn"
          in mermaid, mermaid[-400:])


# A long session: more events than the diagram keeps (20000). The first
# exchange, on a socketpair (3, 4) and on a TCP connection (6 to 7 from
# listener 5), is pushed out by 20500 getsockopt; the last one is drawn,
# its columns still knowing their other end and address, and each form
# says at the top how many earlier events it leaves out.
LONG = """socketpair
send first-pair
on 4 recv 100
socket
bind 127.0.0.1 0
listen 5
set P $port
socket
connect 127.0.0.1 $P
on 5 accept
on 6 send first-tcp
on 7 recv 100
repeat 20500 on 3 getsockopt SO_TYPE
on 3 send last-pair
on 4 recv 100
on 6 send last-tcp
on 7 recv 100
use 5
set P2 $port
"""


def test_long_session_keeps_the_latest_events():
    d = lib.tempdir()
    try:
        svg, mmd = os.path.join(d, "s.svg"), os.path.join(d, "s.mmd")
        out, err = lib.run_ok(LONG + "diagram\ndiagram svg %s\n"
                              "diagram mermaid %s\n" % (svg, mmd),
                              args=["-q"], timeout=120)
        text = out[out.index("fd 3 stream"):out.index("diagram: svg")]
        lines = text.splitlines()
        check(re.match(r" *fd 3 stream +fd 4 stream +fd 6 tcp +fd 7 tcp$",
                       lines[0]), lines[0])
        # fd 7 was accepted before the ring's start: its listener's address.
        check(re.search(r"to 127\.0\.0\.1:(\d+) +127\.0\.0\.1:\1$",
                        lines[1]), lines[1])
        # 12 calls drawn before the repeat (bind's port read back by a
        # getsockname), 20500 in it, 4 after, and $port's getsockname: the
        # 517 earliest are left out, and that is said before the rows. The
        # listener, with only that getsockname in the ring, gets no column.
        note = "(517 earlier events not shown: the diagram keeps the " \
               "latest 20000)"
        check(lines[2] == note, lines[:3])
        check("first" not in text, "the first exchange is drawn")
        # A row for each call kept but $port's getsockname.
        check(len(lines) == 3 + 19999, "%d lines" % len(lines))
        # The last exchange, as arrows between the right columns.
        check(re.search(r'\|=+ send "last-pair" = 9 =+>\|', lines[-4]),
              lines[-4])
        check(re.search(r'\* recv = 9 "last-pair" +\|', lines[-3]),
              lines[-3])
        check(re.search(r'\|=+ send "last-tcp" = 8 =+>\|$', lines[-2]),
              lines[-2])
        check(re.search(r'\* recv = 8 "last-tcp"$', lines[-1]), lines[-1])
        check("sockets drawn" not in out, out[-500:])
        # SVG: the same note, above the first row, and the last exchange.
        root = ET.parse(svg).getroot()
        texts = [t for t in root.iter(SVG + "text")]
        words = [t.text or "" for t in texts]
        check(note in words, words[:12])
        check(not any("first" in w for w in words), "first in the SVG")
        check('send "last-tcp" = 8' in words, words[-4:])
        y = {w: float(t.get("y")) for w, t in zip(words, texts)}
        check(y[note] < min(v for w, v in y.items()
                            if w.startswith("getsockopt")), y[note])
        lifelines = [e for e in root.iter(SVG + "line")
                     if e.get("class") == "lifeline"]
        check(len(lifelines) == 4, "%d lifelines" % len(lifelines))
        # Mermaid: a note over every column before the first row.
        with open(mmd) as f:
            m = f.read().splitlines()
        check(m[5] == "    Note over c0,c3: " + note, m[:7])
        check(not any("first" in l for l in m), "first in Mermaid")
        check(m[-2:] == ['    c2->>c3: send "last-tcp" = 8',
                         '    Note over c3: recv = 8 "last-tcp"'], m[-2:])
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_tls_setup_drawn_only_when_it_fails():
    # A handshake between two of the session's own non-blocking sockets:
    # OpenSSL's setting up is no row unless it fails; the handshake is.
    version = subprocess.run([lib.SOCKREPL, "--version"], capture_output=True,
                             text=True).stdout
    script = ("socket\nbind 127.0.0.1 0\nlisten\nset p $port\nsocket\n"
              "connect 127.0.0.1 $p\non 3 accept\non 4 setblocking false\n"
              "on 5 setblocking false\non 4 starttls -cafile nonesuch.pem\n"
              "on 4 starttls -k\non 5 starttls -server -selfsigned\n"
              "on 4 starttls\non 4 send hi\non 5 recv\ndiagram\n")
    st, out, err = lib.run(script, args=["-q"])
    if "tls no" in version:
        check("starttls: this sockrepl was built without TLS" in err, err)
        return
    text = out[out.index("fd 3 tcp listening"):]
    check("(openssl)" not in text and "SSL_CTX_new" not in text, text)
    check(re.search(r"\* SSL_CTX_load_verify_locations = -1 ENOENT", text),
          text)
    check(re.search(r"\* SSL_connect = -1 EAGAIN[\s\S]*"
                    r"\* SSL_accept = -1 EAGAIN[\s\S]*\* SSL_connect = 1",
                    text), text)
    check(re.search(r'\|=+ send "hi" = 2 =+>\|', text), text)


if __name__ == "__main__":
    lib.main()
