package dev.herald.server.api;

import dev.herald.server.testing.RawHttp;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Not a test: the exact bytes Herald's event loops allocate per seed {@code /send} (non-durable, to one connected seed
 * WebSocket), from the request read to the frame written. One keep-alive connection sends the requests one after the
 * other, with the headers of the independent harness's Go client; the event-loop threads' allocated bytes
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) are read before and after each of three rounds of
 * {@code requests}, after {@code warmup} requests (the JIT's escape analysis removes some allocations only once it
 * has compiled the path: too short a warm-up reads high). Counts, not times: they hold on a loaded machine. What escape
 * analysis removes differs between JVM runs (by a few hundred bytes with the same jar); run with
 * {@code -XX:-DoEscapeAnalysis} to count every allocation the code makes, the same within a few bytes run after run.
 *
 * <pre>
 * java [-XX:-DoEscapeAnalysis] -cp herald-server/target/herald.jar:herald-server/target/test-classes:(awaitility, hamcrest) dev.herald.server.api.SendAllocationProbe [requests [warmup]]
 * </pre>
 */
public final class SendAllocationProbe {
    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        try (TestServer server = TestServer.devMode()) {
            WsClient seed = server.connectSeed("u1");
            String fields = "uid=u1&message=1763938000000000000-1234&persist=false";
            String head = "Host: 127.0.0.1:" + server.port() + "\r\nUser-Agent: Go-http-client/1.1\r\n";
            String get = "GET /send?" + fields + " HTTP/1.1\r\n" + head + "Accept-Encoding: gzip\r\n\r\n";
            String form = "POST /send HTTP/1.1\r\n" + head + "Content-Length: " + fields.length()
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept-Encoding: gzip\r\n\r\n" + fields;
            for (String[] mode : new String[][] {{"GET /send?uid=&message=&persist=false", get}, {"POST /send form", form}}) {
                try (Socket socket = new Socket("127.0.0.1", server.port())) {
                    run(socket, mode[1], warmup); // until the JIT has compiled (and scalar-replaced) what it will
                    for (int round = 0; round < 3; round++) {
                        long before = eventLoopAllocatedBytes();
                        run(socket, mode[1], requests);
                        long after = eventLoopAllocatedBytes();
                        System.out.printf("%s: %d bytes allocated per request (event loops, %d requests)%n", mode[0],
                                (after - before) / requests, requests);
                    }
                }
            }
            seed.close();
        }
    }

    private static void run(Socket socket, String request, int times) throws Exception {
        byte[] bytes = request.getBytes(StandardCharsets.ISO_8859_1);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        for (int i = 0; i < times; i++) {
            out.write(bytes);
            out.flush();
            RawHttp.Response r = RawHttp.read(in, false);
            if (r.status() != 200) {
                throw new IllegalStateException("answer " + r.status() + " " + r.body());
            }
        }
    }

    private static long eventLoopAllocatedBytes() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("vert.x-eventloop-thread")) {
                sum += threads.getThreadAllocatedBytes(t.threadId());
            }
        }
        return sum;
    }
}
