"""The documentation keeps step with the program: every command that help
lists has a man page entry with the same usage line, under the subsection
of COMMANDS that matches help's heading for it, the man page is clean
under mandoc's linter, and the README gives the build and test commands."""
import os
import re
import shlex
import shutil
import subprocess

import lib
from lib import check


def source_top():
    """
    The tree holding man/ and README.md: the tests' parent, or, under make
    check-sanitize (which copies only Makefile, src and tests into .san/),
    the nearest directory above it that has them.
    """
    d = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    while True:
        if os.path.exists(os.path.join(d, "man", "sockrepl.1")):
            return d
        up = os.path.dirname(d)
        if up == d:
            raise lib.TestFailure("man/sockrepl.1 not found above tests/")
        d = up


TOP = source_top()
MAN = os.path.join(TOP, "man", "sockrepl.1")
README = os.path.join(TOP, "README.md")

# Messages that depend on which manuals this machine has installed, not on
# the page itself: a fresh CI machine has none of socket(2) and friends.
LINT_ENVIRONMENT = re.compile(
    r"referenced manual not found|mandoc\.db|makewhatis")


def help_commands():
    """The command names help lists, in its order."""
    status, out, err = lib.run("help\n")
    check(status == 0, "help failed: %d\n%s" % (status, err))
    names = []
    for line in out.splitlines():
        # "  bind ADDR          give the socket a local address"
        m = re.match(r"^  (\S+)", line)
        if m:
            names.append(m.group(1))
    check(len(names) >= 20, "help listed only %r" % names)
    return names


def usage_lines(names):
    """The program's own usage line for each command, from help NAME."""
    script = "".join("help %s\n" % n for n in names)
    status, out, err = lib.run(script)
    check(status == 0, "help NAME failed: %d\n%s" % (status, err))
    usages = [line[len("usage: "):] for line in out.splitlines()
              if line.startswith("usage: ")]
    check(len(usages) == len(names),
          "expected %d usage lines, got %d:\n%s" % (len(names),
                                                    len(usages), out))
    return dict(zip(names, usages))


def man_entries():
    """Every ".It Ic NAME ..." line of the man page, as the source holds it."""
    with open(MAN) as f:
        return [line.rstrip("\n") for line in f
                if line.startswith(".It Ic ")]


def render_entries(entries):
    """
    How mandoc renders each .It line, alone: a scratch page holds one list
    item per entry, each on a line of its own, so nothing else can be
    mistaken for an entry.
    """
    page = [".Dd January 1, 2000", ".Dt X 1", ".Os", ".Sh NAME", ".Nm x",
            ".Nd x", ".Sh ENTRIES", ".Bl -ohang -compact"]
    page += entries
    page += [".El"]
    p = subprocess.run(["mandoc", "-T", "ascii", "-O", "width=200"],
                       input="\n".join(page) + "\n", capture_output=True,
                       text=True, timeout=lib.TIMEOUT)
    check(p.returncode == 0, "mandoc failed:\n" + p.stderr)
    # Drop the overstrikes of bold and underline, as col -b does.
    lines = [re.sub(r".\x08", "", l).strip()
             for l in p.stdout.splitlines()]
    start = lines.index("ENTRIES")
    # The items come one per line; the page footer follows them.
    rendered = [l for l in lines[start + 1:] if l][:len(entries)]
    check(len(rendered) == len(entries),
          "rendered %d entries from %d .It lines:\n%s" % (
              len(rendered), len(entries), "\n".join(rendered)))
    return rendered


def test_every_command_has_a_man_entry():
    names = help_commands()
    usages = usage_lines(names)
    entries = man_entries()
    by_name = {}
    if shutil.which("mandoc") is None:
        # Without mandoc, at least each command must have an entry.
        for e in entries:
            by_name.setdefault(e.split()[2], []).append(e)
        missing = [n for n in names if n not in by_name]
        check(not missing, "no .It Ic entry in man/sockrepl.1 for: " +
              ", ".join(missing))
        print("note: mandoc not installed; usage lines not compared")
        return
    for e, r in zip(entries, render_entries(entries)):
        by_name.setdefault(e.split()[2], []).append(r)
    problems = []
    for n in names:
        if n not in by_name:
            problems.append("%s: no .It Ic %s entry in man/sockrepl.1 "
                            "(program says: %s)" % (n, n, usages[n]))
        elif usages[n] not in by_name[n]:
            problems.append("%s: man page says %r, program says %r" % (
                n, " / ".join(by_name[n]), usages[n]))
    check(not problems, "\n".join(problems))


def help_groups():
    """Each command help lists, with the heading it is listed under."""
    status, out, err = lib.run("help\n")
    check(status == 0, "help failed: %d\n%s" % (status, err))
    heading, groups = None, {}
    for line in out.splitlines():
        # "Life cycle:" then "  socket [TYPE] [FAMILY]   make a new ..."
        m = re.match(r"^(\S[^:]*):$", line)
        if m:
            heading = m.group(1)
            continue
        m = re.match(r"^  (\S+)", line)
        if m and heading is not None:
            groups[m.group(1)] = heading
    check(len(groups) >= 20, "help grouped only %r" % groups)
    return groups


def man_subsections():
    """
    Each command of the man page's COMMANDS section, with the .Ss headings
    it is given under (None for an entry before the first subsection).
    """
    with open(MAN) as f:
        lines = [l.rstrip("\n") for l in f]
    start = lines.index(".Sh COMMANDS")
    sub, found = None, {}
    for line in lines[start + 1:]:
        if line.startswith(".Sh "):
            break
        if line.startswith(".Ss "):
            sub = line[4:].strip()
        elif line.startswith(".It Ic "):
            found.setdefault(line.split()[2], []).append(sub)
    return found


def group_of_subsection(title):
    """
    The help heading a man page subsection stands for: "Scripting
    commands" is Scripting, "Data: lines, files and formats" is Data.
    """
    title = title.split(":")[0].strip()
    if title.endswith(" commands"):
        title = title[:-len(" commands")]
    return title.lower()


def test_man_subsections_match_help_groups():
    groups = help_groups()
    subs = man_subsections()
    problems = []
    for name, heading in groups.items():
        for sub in subs.get(name, []):
            if sub is None:
                problems.append("%s: man page gives it before COMMANDS' "
                                "subsections; help lists it under %s" % (
                                    name, heading))
            elif group_of_subsection(sub) != heading.lower():
                problems.append("%s: man page gives it under .Ss %s; help "
                                "lists it under %s" % (name, sub, heading))
    check(not problems, "\n".join(problems))


def help_pages(names):
    """help NAME's output for each command, split at the usage lines."""
    script = "".join("help %s\n" % n for n in names)
    status, out, err = lib.run(script)
    check(status == 0, "help NAME failed: %d\n%s" % (status, err))
    pages = re.split(r"^(?=usage: )", out, flags=re.M)[1:]
    check(len(pages) == len(names), "expected %d help pages, got %d" % (
        len(names), len(pages)))
    return dict(zip(names, pages))


def man_calls():
    """
    For each command, the prototypes its man entries give (.Ft then .Fn,
    rebuilt as one C line) and the Python lines (.Ql after "In Python:").
    """
    with open(MAN) as f:
        lines = [l.rstrip("\n") for l in f]
    found, name, ft, python_next = {}, None, None, False
    for line in lines:
        # Only a .Fn right after its .Ft is a prototype: other .Fn lines
        # name Python methods in the text.
        if not line.startswith(".Fn "):
            ft = ft if line.startswith(".Ft ") else None
        if line.startswith(".It Ic "):
            name = line.split()[2]
            found.setdefault(name, ([], []))
        elif line.startswith((".El", ".Ss", ".Sh")):
            name = None
        elif name is None:
            continue
        elif line.startswith(".Ft "):
            ft = line[4:].strip()
        elif line.startswith(".Fn ") and ft is not None:
            words = shlex.split(line[4:])
            if words[-1] == ";":
                words.pop()
            # A pointer's star sits against the name, as the man pages
            # write struct servent *getservbyname(...).
            # "char *" and the name join with no blank, as C writes it.
            found[name][0].append("%s%s%s(%s);" % (
                ft, "" if ft.endswith("*") else " ", words[0],
                ", ".join(words[1:])))
        elif line == "In Python:":
            python_next = True
            continue
        elif python_next and line.startswith(".Ql "):
            found[name][1].append(line[4:].replace("\\e", "\\"))
        python_next = False
    return found


def test_help_and_man_agree_on_the_calls():
    names = help_commands()
    pages = help_pages(names)
    man = man_calls()
    problems, with_calls = [], 0
    for n in names:
        page = pages[n]
        protos = re.findall(r"^  In C: +(.*)$", page, re.M)
        pythons = re.findall(r"^  In Python: +(.*)$", page, re.M)
        got_protos, got_pythons = man.get(n, ([], []))
        if protos:
            with_calls += 1
        if protos != got_protos:
            problems.append(
                "%s: help gives prototypes %r, the man page %r (under its "
                ".It Ic entry write, as bind's does, \"In C:\" then .Ft "
                "TYPE and .Fn NAME \"ARG\" ... ; for each, from the rows "
                "of src/help-calls.c)" % (n, protos, got_protos))
        if pythons[:1] != got_pythons[:1]:
            problems.append("%s: help gives Python %r, the man page %r"
                            % (n, pythons[:1], got_pythons[:1]))
        # A call with no row in src/help-calls.c yet shows no prototype
        # (help says so); it is the rows that must agree with the page.
    check(with_calls >= 20, "only %d commands show a prototype" % with_calls)
    check(not problems, "\n".join(problems))


def test_help_errors_and_man_agree():
    status, out, err = lib.run("help errors\n")
    check(status == 0, err)
    listed = dict(re.findall(r"^  (E[A-Z0-9]+) +(.*)$", out, re.M))
    check(len(listed) >= 20, "help errors listed only %r" % listed)
    with open(MAN) as f:
        text = f.read()
    section = text[text.index(".Sh ERROR NAMES"):]
    section = section[:section.index("\n.Sh ", 1)]
    entries = dict(re.findall(r"^\.It Bq Er (\S+)\n([^\n]*)", section,
                              re.M))
    check(set(entries) == set(listed),
          "help errors and ERROR NAMES differ: only in help %s, only in "
          "the man page %s" % (sorted(set(listed) - set(entries)),
                               sorted(set(entries) - set(listed))))
    # The meaning help gives starts the man page's entry (its first line
    # there is cut by help's wrapping: compare what both have).
    for name, meaning in listed.items():
        check(entries[name].lower().startswith(meaning.lower()),
              "%s: help says %r, the man page %r" % (name, meaning,
                                                     entries[name]))


def test_man_page_lints_clean():
    if shutil.which("mandoc") is None:
        print("note: mandoc not installed; man page lint skipped "
              "(.ci/run installs it)")
        return
    p = subprocess.run(["mandoc", "-T", "lint", MAN], capture_output=True,
                       text=True, timeout=lib.TIMEOUT)
    messages = [l for l in (p.stdout + p.stderr).splitlines()
                if l.strip() and not LINT_ENVIRONMENT.search(l)]
    check(not messages, "mandoc -T lint man/sockrepl.1:\n" +
          "\n".join(messages))


def test_man_page_keeps_its_sections():
    with open(MAN) as f:
        sections = [l.split(None, 1)[1].strip() for l in f
                    if l.startswith(".Sh ")]
    for s in ("NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "ADDRESSES",
              "DATA", "INTERACTIVE USE", "SCRIPTING", "EXIT STATUS",
              "EXAMPLES", "SEE ALSO"):
        check(s in sections, "man page lacks section " + s)


def test_readme_gives_build_and_test_commands():
    with open(README) as f:
        text = f.read()
    check("make && ./sockrepl" in text, "README lacks make && ./sockrepl")
    check("make check" in text, "README lacks make check")
    # Near the top: a new user should not have to scroll for them.
    check(text.index("make check") < 1500,
          "README's make check is not near the top")


if __name__ == "__main__":
    lib.main()
