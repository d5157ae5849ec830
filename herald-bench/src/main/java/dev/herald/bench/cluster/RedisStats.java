package dev.herald.bench.cluster;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads Redis's own counters for the cluster benchmark: {@code INFO commandstats} (calls per command since the
 * server started) and the server's pid ({@code INFO server}), over a short-lived plain socket. Deltas of the calls
 * over a window, divided by the messages published in it, give Redis commands per message; no {@code CONFIG
 * RESETSTAT}, so other users of the same Redis are not disturbed (but their commands do count: run on a quiet Redis).
 */
final class RedisStats {
    private final String host;
    private final int port;

    RedisStats(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        this.host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        this.port = colon < 0 ? 6379 : Integer.parseInt(hostPort.substring(colon + 1));
    }

    /** Calls per command ("publish", "hset", …) since Redis started. */
    Map<String, Long> commandCalls() throws IOException {
        return parseCommandCalls(info("commandstats"));
    }

    /** {@code total_net_output_bytes} of {@code INFO stats}: bytes Redis wrote to its clients since it started; -1 if absent. */
    long netOutputBytes() throws IOException {
        for (String line : info("stats").split("\r?\n")) {
            if (line.startsWith("total_net_output_bytes:")) {
                return Long.parseLong(line.substring("total_net_output_bytes:".length()).trim());
            }
        }
        return -1;
    }

    /** The redis-server process id, for its CPU time from /proc. */
    long pid() throws IOException {
        for (String line : info("server").split("\r?\n")) {
            if (line.startsWith("process_id:")) {
                return Long.parseLong(line.substring("process_id:".length()).trim());
            }
        }
        throw new IOException("no process_id in INFO server");
    }

    /** {@code cmdstat_publish:calls=12,usec=…} lines into command → calls. */
    static Map<String, Long> parseCommandCalls(String info) {
        Map<String, Long> calls = new LinkedHashMap<>();
        for (String line : info.split("\r?\n")) {
            if (!line.startsWith("cmdstat_")) {
                continue;
            }
            int colon = line.indexOf(':');
            int start = line.indexOf("calls=", colon);
            int end = line.indexOf(',', start);
            if (colon < 0 || start < 0) {
                continue;
            }
            calls.put(line.substring("cmdstat_".length(), colon),
                    Long.parseLong(line.substring(start + 6, end < 0 ? line.length() : end)));
        }
        return calls;
    }

    /** Sum of the calls in {@code after} minus {@code before}, over every command. */
    static long totalDelta(Map<String, Long> before, Map<String, Long> after) {
        long d = 0;
        for (Map.Entry<String, Long> e : after.entrySet()) {
            d += e.getValue() - before.getOrDefault(e.getKey(), 0L);
        }
        return d;
    }

    private String info(String section) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(2000);
            s.getOutputStream().write(("INFO " + section + "\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String header = readLine(in);   // a bulk string: $<length>
            if (!header.startsWith("$")) {
                throw new IOException("unexpected answer to INFO: " + header);
            }
            byte[] body = in.readNBytes(Integer.parseInt(header.substring(1)));
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }
}
