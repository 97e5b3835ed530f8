#!/usr/bin/env python3
"""Drives a program on a real terminal (a pty), as a person would.

Usage: tty_drive.py TRANSCRIPT SCRIPT -- COMMAND...
SCRIPT is a file of lines "EXPECT<TAB>ANSWER": wait (10 s at most) until
the program's output since the last answer contains EXPECT, then type
ANSWER and Enter; "^C" as ANSWER sends Ctrl-C instead, "-" nothing.
Everything the program wrote goes to TRANSCRIPT.  Exits with the
program's exit status (128 + N for signal N), or 99 when an EXPECT never
came."""
import os
import pty
import select
import sys
import time


def main():
    transcript, script = sys.argv[1], sys.argv[2]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    steps = []
    with open(script, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                want, _, answer = line.partition("\t")
                steps.append((want, answer))
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out = open(transcript, "wb")
    seen = b""
    status = None

    def pump(timeout):
        nonlocal seen
        r, _, _ = select.select([fd], [], [], timeout)
        if not r:
            return True
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        out.write(data)
        out.flush()
        seen += data
        return True

    for want, answer in steps:
        end = time.time() + 10
        while want.encode() not in seen:
            if time.time() > end or not pump(0.2):
                if want.encode() not in seen:
                    out.write(b"\n[tty_drive: never saw %r]\n" % want.encode())
                    out.close()
                    os.kill(pid, 9)
                    os.waitpid(pid, 0)
                    return 99
        seen = b""
        if answer == "^C":
            os.write(fd, b"\x03")
        elif answer != "-":
            os.write(fd, answer.encode() + b"\r")
    end = time.time() + 60
    while time.time() < end:
        if not pump(0.2):
            break
    _, st = os.waitpid(pid, 0)
    out.close()
    if os.WIFSIGNALED(st):
        return 128 + os.WTERMSIG(st)
    return os.WEXITSTATUS(st)


if __name__ == "__main__":
    sys.exit(main())
