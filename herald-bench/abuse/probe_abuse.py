#!/usr/bin/env python3
"""What an unauthenticated peer costs Herald: CPU per 1,000 abusive requests of each kind, heap after GC, open files,
threads and log lines, measured on the packaged server started with auth on (API key and JWT secret set).

Run by bench/probe-abuse (which finds the JDK); figures go to stdout as a Markdown table, for docs/security.md and
bench/RESULTS.md. Run it on a quiet machine: CPU figures taken beside other work are noise.
"""
import os, re, socket, subprocess, sys, tempfile, time, urllib.request

JAR = os.environ.get("JAR", "herald-server/target/herald.jar")
N = int(os.environ.get("N", "1000"))
JAVA_HOME = os.environ["JAVA_HOME"]
API_KEY = "probe-abuse-api-key-0123456789"
JWT_SECRET = "probe-abuse-jwt-secret-0123456789abcdef"
TICK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def heap_after_gc_mib(pid):
    jcmd = os.path.join(JAVA_HOME, "bin", "jcmd")
    subprocess.run([jcmd, str(pid), "GC.run"], capture_output=True, check=True)
    info = subprocess.run([jcmd, str(pid), "GC.heap_info"], capture_output=True, text=True, check=True).stdout
    used = re.search(r"used (\d+)K", info)
    return int(used.group(1)) / 1024 if used else float("nan")


def open_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def threads(pid):
    return int(re.search(r"Threads:\s+(\d+)", open(f"/proc/{pid}/status").read()).group(1))


def exchange(port, raw, read=True):
    """Sends raw bytes on a new connection; returns the status code of the answer (or 'closed')."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(raw)
        if not read:
            return "sent"
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
        return m.group(1).decode() if m else "closed"


def upgrade(path):
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode()


BODY = b'{"to":{"user":"u1"},"data":"x"}'
KINDS = [
    ("WebSocket upgrade with a forged token", lambda: upgrade("/ws?token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.forged")),
    ("WebSocket upgrade with a malformed % escape", lambda: upgrade("/ws?token=%ZZ")),
    ("publish without an API key", lambda: b"POST /api/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(BODY)}\r\nConnection: close\r\n\r\n".encode() + BODY),
    ("publish with a wrong API key", lambda: b"POST /api/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer wrong-key-wrong-key-0000\r\n"
        + f"Content-Type: application/json\r\nContent-Length: {len(BODY)}\r\nConnection: close\r\n\r\n".encode() + BODY),
    ("query with a malformed % escape", lambda: b"GET /send?uid=%ZZ&message=x HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"),
    ("request with a 64 KiB header", lambda: b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 65536 + b"\r\nConnection: close\r\n\r\n"),
    ("garbage request line", lambda: b"GARBAGE\r\n\r\n"),
]


def main():
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="probe-abuse-")
    log_path = os.path.join(data_dir, "server.log")
    log = open(log_path, "w")
    server = subprocess.Popen([os.path.join(JAVA_HOME, "bin", "java"), "-jar", JAR, "serve", "--port", str(port),
                               "--data-dir", data_dir, "--auth.api-keys", API_KEY, "--auth.jwt-secret", JWT_SECRET],
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1).read()
                break
            except Exception:
                if time.time() > deadline or server.poll() is not None:
                    sys.exit(f"probe-abuse: the server did not start; see {log_path}")
                time.sleep(0.2)
        pid = server.pid
        # warm up the JIT on each path, so the figures are steady-state costs
        for _, make in KINDS:
            for _ in range(200):
                exchange(port, make())
        heap0, fds0, threads0 = heap_after_gc_mib(pid), open_fds(pid), threads(pid)
        log.flush()
        lines0 = sum(1 for _ in open(log_path))
        rows = []
        for name, make in KINDS:
            statuses = {}
            before = cpu_seconds(pid)
            for _ in range(N):
                status = exchange(port, make())
                statuses[status] = statuses.get(status, 0) + 1
            rows.append((name, statuses, (cpu_seconds(pid) - before) * 1000 * 1000 / N))
        # silent sockets: opened, never written to; the header-read timeout must close them
        silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
        started = time.time()
        still_open = 0
        for s in silent:
            s.settimeout(max(0.1, started + 60 - time.time()))
            try:
                s.recv(1)  # b"" (or a 408 answer, then b"") once the server closes it
            except socket.timeout:
                still_open += 1
            except OSError:
                pass
        silent_closed_after = time.time() - started
        for s in silent:
            s.close()
        heap1, fds1, threads1 = heap_after_gc_mib(pid), open_fds(pid), threads(pid)
        log.flush()
        log_lines = open(log_path).read().splitlines()[lines0:]
        warn_error = [l for l in log_lines if " WARN " in l or " ERROR " in l]
        print(f"Herald {JAR}, auth on, {N} requests of each kind on new connections, after 200 of each as warm-up; "
              f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n")
        print("| request | answers | server CPU per 1,000 |\n|---|---|---|")
        for name, statuses, cpu_ms in rows:
            answers = ", ".join(f"{n}× {s}" for s, n in sorted(statuses.items()))
            print(f"| {name} | {answers} | {cpu_ms:.0f} ms |")
        print(f"\n200 silent sockets: {200 - still_open} closed by the server within {silent_closed_after:.1f} s, {still_open} still open after 60 s.")
        print(f"Heap after GC {heap0:.1f} → {heap1:.1f} MiB; open files {fds0} → {fds1}; threads {threads0} → {threads1}.")
        print(f"Log lines written during the probe: {len(log_lines)} ({len(warn_error)} at WARN or ERROR).")
        for l in warn_error[:5]:
            print(f"    {l[:200]}")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
