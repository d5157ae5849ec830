package dev.herald.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 with a failure switch, for tests of what happens when a database goes away:
 * {@link #cut()} closes every open connection and refuses new ones (as a crashed server or a broken network
 * would), {@link #silence()} keeps every connection open but forwards nothing either way (a silent network split:
 * no reset, no answer), {@link #restore()} lets connections through again; {@link #freeze()} turns only the
 * connections open now into a black hole (bytes are swallowed, nothing is closed: a peer gone without a word).
 * Thread-safe; one daemon thread per direction of each connection.
 */
public final class ToxicProxy implements AutoCloseable {
    private final InetSocketAddress upstream;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Set<Socket> frozen = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private volatile boolean cut;
    private volatile boolean silent;
    private volatile boolean closed;

    public ToxicProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "toxic-proxy-accept-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far (including refused ones). */
    public long accepted() {
        return accepted.get();
    }

    /** Closes every open connection; new ones are closed as soon as they are accepted, until {@link #restore()}. */
    public void cut() {
        cut = true;
        for (Socket s : open) {
            closeQuietly(s);
        }
        open.clear();
    }

    /** The connections open now swallow whatever either side sends and stay open; new connections work normally. */
    public void freeze() {
        frozen.addAll(open);
    }

    /**
     * From now on, bytes read on either side are dropped instead of forwarded, and connections stay open (new ones are
     * accepted too): to the peers the other side has gone silent. Until {@link #restore()}; what was dropped stays lost.
     */
    public void silence() {
        silent = true;
    }

    public void restore() {
        cut = false;
        silent = false;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                throw new UncheckedIOException(e);
            }
            accepted.incrementAndGet();
            if (cut) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket backend = new Socket();
                backend.connect(upstream, 5_000);
                open.add(client);
                open.add(backend);
                if (cut) { // cut() ran while this one was connecting
                    closeQuietly(client);
                    closeQuietly(backend);
                    continue;
                }
                pump(client, backend, "up");
                pump(backend, client, "down");
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, String direction) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (silent || frozen.contains(from)) {
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // the other side or cut() closed it
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
                frozen.remove(from);
                frozen.remove(to);
            }
        }, "toxic-proxy-" + direction + "-" + port());
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        cut();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }
}
