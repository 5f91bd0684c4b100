#!/usr/bin/env python3
"""Preview server for `make serve` (standard library only).

Builds the site with `gen/gen build --dev`, serves site/ on http://127.0.0.1:8000/
(PORT overrides), and rebuilds whenever a file under content/, templates/ or static/
changes (mtimes polled every 0.5 s). A failed build prints gen's messages and keeps
the previous site. Pages built with --dev load _dev/reload.js, which reloads them
after each successful rebuild. Ctrl-C stops.

The site is also served under the path of base_url in content/site.yaml (such as
/portal/), so 404.html, whose links are absolute, works in the preview too.
"""

import functools
import http.server
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = os.path.join(ROOT, "site")
GEN = os.path.join(ROOT, "gen", "gen")
WATCHED = ("content", "templates", "static")
POLL_SECONDS = 0.5
SETTLE_SECONDS = 0.1


def log(msg):
    print("serve: " + msg, file=sys.stderr, flush=True)


def ignored(name):
    """Editor droppings (swap, backup, lock files) and hidden files change nothing."""
    return name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))


def snapshot():
    """Returns {path: (mtime_ns, size)} for every watched file and directory."""
    state = {}
    for top in WATCHED:
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, top)):
            dirnames[:] = [d for d in dirnames if not ignored(d)]
            for name in [""] + [f for f in filenames if not ignored(f)]:
                path = os.path.join(dirpath, name) if name else dirpath
                try:
                    st = os.stat(path)
                except OSError:  # removed while we walked: the next poll sees it
                    continue
                state[path] = (st.st_mtime_ns, st.st_size)
    return state


def base_path():
    """The path part of base_url in content/site.yaml, as "/x/", or "/"."""
    try:
        with open(os.path.join(ROOT, "content", "site.yaml"), encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return "/"
    m = re.search(r"""^base_url:\s*["']?([^"'\s#]+)""", text, re.M)
    if not m:
        return "/"
    path = urllib.parse.urlsplit(m.group(1)).path or "/"
    return path if path.endswith("/") else path + "/"


def build(server=None):
    """Runs gen build --dev and reports; returns True on success."""
    started = time.monotonic()
    try:
        r = subprocess.run([GEN, "build", "--dev"], cwd=ROOT, capture_output=True,
                           text=True, errors="replace")
    except OSError as e:
        log(f"cannot run {GEN}: {e}")
        return False
    output = "\n".join(s.rstrip() for s in (r.stdout, r.stderr) if s.strip())
    if r.returncode != 0:
        log(f"build failed (gen exited {r.returncode}); still serving the previous site")
        if output:
            print(output, file=sys.stderr, flush=True)
        return False
    if output:
        print(output, file=sys.stderr, flush=True)
    if server is not None:
        server.base_path = base_path()
    log(f"built in {time.monotonic() - started:.2f} s")
    return True


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the directory given as directory=, re-resolving it on every request so
    that each rebuild's freshly renamed site/ is what is served."""

    def log_message(self, format, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def translate_path(self, path):
        base = self.server.base_path
        if base != "/":
            bare = path.split("?", 1)[0].split("#", 1)[0]
            if bare.startswith(base):
                path = path[len(base) - 1:]
            elif bare == base[:-1]:
                path = "/" + path[len(bare):]
        return super().translate_path(path)

    def list_directory(self, path):
        """A static host lists no folders: a folder without index.html is not found."""
        self.send_error(404)
        return None

    def send_error(self, code, message=None, explain=None):
        if code == 404 and self.command in ("GET", "HEAD"):
            try:
                with open(os.path.join(self.directory, "404.html"), "rb") as f:
                    body = f.read()
            except OSError:
                body = None
            if body is not None:
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command == "GET":
                    self.wfile.write(body)
                return
        super().send_error(code, message, explain)


def stop(signum, frame):
    raise KeyboardInterrupt


def main():
    try:
        port = int(os.environ.get("PORT", "8000"))
        if not 0 < port < 65536:
            raise ValueError
    except ValueError:
        log(f"PORT must be a port number, not {os.environ.get('PORT')!r}")
        return 2
    if not os.access(GEN, os.X_OK):
        log(f"{GEN} is missing: run `make build` first (or use `make serve`)")
        return 2
    signal.signal(signal.SIGINT, stop)  # even where a parent shell ignored it
    signal.signal(signal.SIGTERM, stop)

    handler = functools.partial(Handler, directory=SITE)
    try:
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as e:
        log(f"cannot listen on 127.0.0.1:{port}: {e.strerror} (set PORT for another port)")
        return 1
    httpd.base_path = base_path()

    seen = snapshot()
    build(httpd)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    where = f"http://127.0.0.1:{port}/"
    if httpd.base_path != "/":
        where += f" (also http://127.0.0.1:{port}{httpd.base_path})"
    log(f"serving {where}; watching {', '.join(WATCHED)}; Ctrl-C stops")
    try:
        while True:
            time.sleep(POLL_SECONDS)
            now = snapshot()
            if now == seen:
                continue
            for _ in range(20):  # let an editor finish a burst of writes
                time.sleep(SETTLE_SECONDS)
                again = snapshot()
                if again == now:
                    break
                now = again
            seen = now
            build(httpd)
    except KeyboardInterrupt:
        log("stopped")
    finally:
        httpd.shutdown()
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
