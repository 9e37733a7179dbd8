# sockrepl: type the BSD socket API, one call per command.

VERSION = 0.1
PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANPREFIX = $(PREFIX)/share/man

CC ?= cc
CFLAGS ?= -O2 -g
WARN = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wpointer-arith -Wundef
CPPFLAGS += -D_GNU_SOURCE -DSOCKREPL_VERSION='"$(VERSION)"'
RL_CFLAGS != pkg-config --cflags readline 2>/dev/null || true
RL_LIBS != pkg-config --libs readline 2>/dev/null || echo -lreadline

SRCS = src/main.c src/script.c src/interactive.c src/cmd.c src/cmd-life.c src/cmd-send.c src/cmd-recv.c \
	src/cmd-script.c src/vars.c src/rbuf.c src/datain.c \
	src/cmd-opt.c src/cmd-info.c src/cmd-misc.c src/lex.c src/num.c \
	src/addr.c src/names.c src/hints.c src/out.c src/table.c src/wait.c
SRCS += src/events.c src/complete.c src/history.c src/color.c
SRCS += src/buf.c src/outcome.c src/call.c src/trace.c src/log.c src/export.c src/export-c.c src/export-py.c
OBJS = $(SRCS:.c=.o)
# The pure parts, linked into the unit tests without the read loop.
LIB_OBJS = src/buf.o src/rbuf.o src/datain.o src/lex.o src/num.o src/addr.o src/names.o src/hints.o \
	src/out.o src/color.o src/table.o

all: sockrepl

sockrepl: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(RL_LIBS) -lm

.c.o:
	$(CC) $(CPPFLAGS) $(RL_CFLAGS) $(WARN) $(CFLAGS) -c -o $@ $<

$(OBJS): src/sockrepl.h

tests/unit: tests/unit.c $(LIB_OBJS) src/sockrepl.h
	$(CC) $(CPPFLAGS) -Isrc $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ \
		tests/unit.c $(LIB_OBJS) -lm

check: sockrepl tests/unit
	sh tests/run.sh

# The whole suite again under AddressSanitizer and UBSan, in its own tree of
# objects so the normal build is left alone.
SAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
check-sanitize:
	rm -rf .san && mkdir -p .san
	tar cf - --exclude='*.o' --exclude=tests/unit Makefile src tests man README.md | \
		(cd .san && tar xf -)
	ASAN_OPTIONS=detect_leaks=1:exitcode=99 UBSAN_OPTIONS=exitcode=99 \
		$(MAKE) -C .san CFLAGS="$(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" check

# Side-by-side speed figures (bench/README.md); not part of check.
bench/floor: bench/floor.c
	$(CC) $(WARN) $(CFLAGS) $(LDFLAGS) -o $@ bench/floor.c

bench: sockrepl bench/floor
	python3 bench/bench.py

install: sockrepl
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANPREFIX)/man1
	cp -f sockrepl $(DESTDIR)$(BINDIR)/sockrepl
	chmod 755 $(DESTDIR)$(BINDIR)/sockrepl
	cp -f man/sockrepl.1 $(DESTDIR)$(MANPREFIX)/man1/sockrepl.1
	chmod 644 $(DESTDIR)$(MANPREFIX)/man1/sockrepl.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sockrepl $(DESTDIR)$(MANPREFIX)/man1/sockrepl.1

clean:
	rm -f sockrepl $(OBJS) tests/unit bench/floor
	rm -rf .san

.PHONY: all check check-sanitize bench install uninstall clean
