"""The core: every socket call through stdin, checked against real peers."""
import lib
from lib import check


def test_echo_both_halves_in_one_session():
    s = lib.Session()
    try:
        s.send("bind 127.0.0.1 0")
        port = s.expect(r"getsockname\(3, \{AF_INET, 127\.0\.0\.1:(\d+)\}").group(1).decode()
        s.send("listen 5")
        s.expect(r"^listen\(3, 5\) = 0$")
        s.send("socket")
        s.expect(r"^socket\(AF_INET, SOCK_STREAM, IPPROTO_TCP\) = 4$")
        s.send("connect localhost " + port)
        s.expect(r"^connect\(4, \{AF_INET, 127\.0\.0\.1:%s\}, 16\) = 0$" % port)
        s.send("send holle world!")
        s.expect(r'^send\(4, "holle world!", 12, 0\) = 12$')
        s.send("on 3 accept")
        s.expect(r"^accept\(3, \{AF_INET, 127\.0\.0\.1:\d+\}, \[16\]\) = 5$")
        s.send("recv 1024")
        s.expect(r'^recv\(5, "holle world!", 1024, 0\) = 12$')
        s.send('send "HOLLE WORLD!"')
        s.send("on 4 recv 1024")
        s.expect(r'^recv\(4, "HOLLE WORLD!", 1024, 0\) = 12$')
        s.send("close")
        s.expect(r"^close\(5\) = 0$")
        status, out = s.close()
        check(status == 0, "status %d\n%s" % (status, out))
    finally:
        s.kill()


if __name__ == "__main__":
    lib.main()
