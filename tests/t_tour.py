"""The guided tour: every lesson walked through a real pseudo-terminal by
typing what each step says (a second sockrepl plays the other terminal),
any correct way passing a step, leaving and resuming, progress kept across
sessions, and lesson files with mistakes reported."""
import os
import re
import shutil
import subprocess

import lib
from lib import check
from t_interactive import Pty, PROMPT

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def lessons():
    """The lesson files, as tour numbers them."""
    d = os.path.join(TOP, "lessons")
    if not os.path.isdir(d):
        # make check-sanitize's copy has them too; a partial tree has not.
        raise lib.Skip("no lessons/ in this tree")
    return sorted(f for f in os.listdir(d) if f.endswith(".txt"))


def other_terminal():
    return lib.Session()


def run_other(other, cmd):
    """Type cmd in the other terminal; wait for its call to succeed."""
    other.send(cmd)
    call = cmd.split()[0]
    other.expect(r"^%s\(.*\) = (?!-1)" % re.escape(call))


def step_lines(p, n, k):
    """The commands step k of lesson n says to type, from the screen."""
    screen = p.text()
    head = "Lesson %d, step %d of " % (n, k)
    check(head in screen, "no %r on the screen:\n%s" % (head, screen[-3000:]))
    block = screen[screen.rindex(head):]
    block = re.split(PROMPT, block)[0]
    lines = re.findall(r"^  (Type|In the other terminal): (.*)$", block,
                       re.M)
    check(lines, "step %d of lesson %d says nothing to type:\n%s" % (
        k, n, block))
    check(not any(re.search(r"\bFD\b|\bPORT\b", c) for _, c in lines),
          "a placeholder found no socket:\n" + block)
    return lines


def walk(p, n):
    """Do lesson n as its steps say. Returns the number of steps."""
    p.line("tour %d" % n)
    m = re.search(r"Lesson %d, step 1 of (\d+):" % n, p.text())
    check(m, "lesson %d did not start:\n%s" % (n, p.text()[-2000:]))
    steps = int(m.group(1))
    other = None
    try:
        for k in range(1, steps + 1):
            start = len(p.text())
            for kind, cmd in step_lines(p, n, k):
                if kind == "Type":
                    p.line(cmd)
                else:
                    if other is None:
                        other = other_terminal()
                    run_other(other, cmd)
            done = "Step %d of %d done." % (k, steps)
            check(done in p.text()[start:],
                  "lesson %d step %d did not pass after its own commands:"
                  "\n%s" % (n, k, p.text()[start:]))
    finally:
        if other is not None:
            other.kill()
    check("Lesson %d is done" % n in p.text(), p.text()[-1500:])
    return steps


def test_every_lesson_walked_at_the_prompt():
    names = lessons()
    check(len(names) >= 6, names)
    for i in range(len(names)):
        p = Pty()
        try:
            p.expect(r"sockrepl> $")
            walk(p, i + 1)
            # Each lesson leaves its sockets; the session goes on.
            p.line("tour")
            check(re.search(r"^\s+%d  .*\(done\)$" % (i + 1), p.text(),
                            re.M), p.text()[-2000:])
        finally:
            p.kill()


def test_any_correct_way_passes():
    """Lesson 1 done by other commands than it suggests: the checks look
    at the calls and the table, not at the text."""
    p = Pty()
    try:
        p.expect(r"sockrepl> $")
        p.line("tour 1")
        # Not yet: a socket alone is no bound socket.
        p.line("socket")
        check("Step 1 of" not in p.text(), p.text())
        p.type("bind 127.0.0.1:0\r")
        port = p.expect(r"127\.0\.0\.1:(\d+)\}, \[16\]\) = 0").group(1)
        p.expect("Step 1 of 6 done.")
        p.expect(PROMPT)
        # A failed listen does not pass; a plain one does.
        p.line("listen -1")
        check("Step 2 of" not in p.text(), p.text())
        p.line("listen")
        check("Step 2 of 6 done." in p.text(), p.text())
        p.line("socket")
        p.line("connect_ex 127.0.0.1 %s" % port)
        check("Step 3 of 6 done." in p.text(), p.text())
        # again shows the step, leave stops, tour 1 comes back to it.
        p.line("tour again")
        check(p.text().count("Lesson 1, step 4 of 6") == 2, p.text())
        p.line("tour leave")
        check("Left lesson 1 at step 4" in p.text(), p.text())
        p.line("on 3 accept")
        check("Step 4 of 6 done." not in p.text(), p.text())
        p.line("tour")
        check(re.search(r"^\s+1  .*\(left at step 4\)$", p.text(), re.M),
              p.text())
        p.line("tour 1")
        check("(resumed)" in p.text() and
              p.text().count("Lesson 1, step 4 of 6") == 3, p.text())
        # Step 4 needs an accept made since it began.
        p.line("socket")
        p.line("connect 127.0.0.1 %s" % port)
        p.line("on 3 accept")
        check("Step 4 of 6 done." in p.text(), p.text())
        p.line("tour skip")
        check("Step 5 of 6 skipped." in p.text() and
              "Lesson 1, step 6 of 6" in p.text(), p.text())
    finally:
        p.kill()


def test_skip_claims_nothing_the_step_did_not_make():
    """tour skip does not show the step's explanation (it speaks of a
    listener that is not there), says how to make what the next step
    needs, and the next step says why its PORT has no value."""
    p = Pty()
    try:
        p.expect(r"sockrepl> $")
        p.line("tour 2")
        p.line("tour skip")
        screen = p.text()
        check("Step 1 of 4 skipped." in screen, screen)
        check("Step 1 of 4 done." not in screen, screen)
        check("The listener is ready" not in screen, screen)
        flat = re.sub(r"\s+", " ", screen)
        check("make it first (it said: bind localhost 0; listen 1), or "
              "tour 2 1 to do the step." in flat, screen)
        check("Type: connect localhost PORT" in screen, screen)
        check("(FD or PORT above stands for a socket this step needs that "
              "is not there yet" in flat, screen)
        # Made by hand, the socket fills the placeholder in.
        p.line("bind localhost 0")
        p.line("listen 1")
        port = re.findall(r"getsockname\(\d+, \{AF_INET, 127\.0\.0\.1:"
                          r"(\d+)\}", p.text())[-1]
        p.line("tour again")
        block = p.text()[p.text().rindex("Lesson 2, step 2 of 4"):]
        check("Type: connect localhost %s" % port in block, block)
        check("PORT" not in block, block)
    finally:
        p.kill()


def test_progress_is_kept_across_sessions():
    home = lib.tempdir()
    p = Pty(home=home)
    try:
        p.expect(r"sockrepl> $")
        p.line("tour 3")
        p.line("tour skip")
        p.line("tour skip")
        st, _ = p.finish()
        q = Pty(home=home)
        try:
            q.expect(r"sockrepl> $")
            q.line("tour")
            check(re.search(r"^\s+3  .*\(left at step 3\)$", q.text(),
                            re.M), q.text())
            # The sockets are gone: the lesson starts again, and says so.
            q.line("tour 3")
            check("in an earlier session" in q.text() and
                  "Lesson 3, step 1 of" in q.text(), q.text())
        finally:
            q.kill()
    finally:
        p.kill()
        shutil.rmtree(home, ignore_errors=True)


def write_lesson(d, name, text):
    with open(os.path.join(d, name), "w") as f:
        f.write(text)


def test_lesson_files_with_mistakes_are_named():
    d = lib.tempdir()
    try:
        write_lesson(d, "01-ok.txt", "title: fine\nstep: s\ntext\n"
                     "check: no socket listening\ndone:\nok\n")
        write_lesson(d, "02-bad.txt", "title: bad\nstep: s\n"
                     "check: call bind sometimes\n")
        write_lesson(d, "03-nocheck.txt", "title: x\nstep: s\ntext\n")
        env = dict(os.environ, SOCKREPL_LESSONS=d)
        st, out, err = lib.run("tour\ntour 2\ntour 3\ntour 4\ntour 1\n"
                               "tour again\n", env=env)
        check("1  fine" in out, out)
        check("02-bad.txt: line 3: \"sometimes\": not a condition a call "
              "can meet" in err, err)
        check("03-nocheck.txt: step 1 (s) has no check: line" in err, err)
        check("tour: lesson 4: too large" in err or "lesson 4" in err, err)
        check("Lesson 1, step 1 of 1: s" in out, out)
        # Checks run after each command, not after tour itself.
        check("Step 1 of 1 done" not in out, out)
        st, out, err = lib.run("tour 1\nlist\n", env=env)
        check("Step 1 of 1 done." in out and "Lesson 1 is done" in out, out)
        env["SOCKREPL_LESSONS"] = os.path.join(d, "missing")
        st, out, err = lib.run("tour\nlist\n", env=env)
        check(st == 1 and "tour: " in err and "missing" in err and
              "No such file" in err, err)
        check("no sockets" in out, out)
    finally:
        shutil.rmtree(d)


def test_conditions_on_the_table_and_the_calls():
    d = lib.tempdir()
    try:
        write_lesson(d, "01.txt", """title: conditions
step: one
check: call socket ok udp
check: call bind EADDRINUSE
check: call bind ok
check: sockets 2 udp
check: socket udp bound !current
check: no socket tcp
done:
bound at {port udp bound}
step: two
check: call sendto ret>=3
check: call recvfrom ret=3 udp
""")
        env = dict(os.environ, SOCKREPL_LESSONS=d)
        st, out, err = lib.run(
            "tour 1\n"
            "socket udp\nbind 127.0.0.1 0\n"       # not yet: no EADDRINUSE
            "socket udp\nbind 127.0.0.1 $port\n", env=env)
        check("Step 1 of 2 done" not in out, out)
        st, out, err = lib.run(
            "tour 1\n"
            "socket udp\nbind 127.0.0.1 0\nset p $port\n"
            "socket udp\nbind 127.0.0.1 $p\n"      # EADDRINUSE, in order
            "bind 127.0.0.1 0\n"
            "socket udp\n"                          # current: !current holds
            "sendto abc 127.0.0.1 $p\n"
            "on 3 recvfrom\n", env=env)
        check("Step 1 of 2 done." in out, out)
        m = re.search(r"bound at (\d+)", out)
        check(m, out)
        check("Lesson 1 is done" in out, out)
    finally:
        shutil.rmtree(d)


def test_completion_knows_tour_and_errno_names():
    p = Pty()
    try:
        p.expect(r"sockrepl> $")
        p.type("tou\t")
        p.expect(r"tour $")
        p.type("sk\t")
        p.expect(r"skip $")
        p.type("\x15help ECONNREF\t")
        p.expect(r"ECONNREFUSED $")
        p.type("\r")
        p.expect(r"Usual causes:")
    finally:
        p.kill()


if __name__ == "__main__":
    lib.main()
