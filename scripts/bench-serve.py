#!/usr/bin/env python3
"""Save-to-reload latency of `runbook serve`: starts the server on a generated book, opens
the live-reload event stream, rewrites one runbook (write + rename, like an editor) and times
until the `reload` event arrives. Prints each run and the median.

usage: scripts/bench-serve.py RUNBOOK_BINARY BOOK_DIR [RUNS]
"""
import os
import socket
import statistics
import subprocess
import sys
import time

def main() -> None:
    binary, book = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    server = subprocess.Popen([binary, "serve", book, "--port", "0"], stdout=subprocess.PIPE,
                              stderr=None if os.environ.get("BENCH_VERBOSE") else subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        host, port = line.split("http://", 1)[1].split("/", 1)[0].rsplit(":", 1)
        events = socket.create_connection((host, int(port)))
        events.sendall(b"GET /__runbook/events HTTP/1.1\r\nHost: x\r\n\r\n")
        events.settimeout(30)
        events.recv(4096)  # headers and ": connected"
        target = sorted(p for p in (os.path.join(d, f) for d, _, fs in os.walk(book) for f in fs)
                        if p.endswith(".md"))[0]
        original = open(target).read()
        timings = []
        for run in range(runs):
            text = original + f"\n<!-- edit {run} -->\n"
            tmp = os.path.join(book, ".bench-save.tmp")
            open(tmp, "w").write(text)
            start = time.monotonic()
            os.rename(tmp, target)
            buffer = b""
            while b"event: reload" not in buffer:
                buffer += events.recv(4096)
            elapsed = (time.monotonic() - start) * 1000
            timings.append(elapsed)
            print(f"run {run + 1}: {elapsed:.0f} ms from save to reload event")
            time.sleep(0.3)
        open(target, "w").write(original)
        print(f"median: {statistics.median(timings):.0f} ms")
    finally:
        server.terminate()
        server.wait()

if __name__ == "__main__":
    main()
