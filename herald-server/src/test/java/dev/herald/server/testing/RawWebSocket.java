package dev.herald.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client over a plain socket that writes frames byte for byte, for what well-behaved
 * clients (the JDK's, browsers) never send: reserved bits and opcodes, invalid UTF-8, fragments in
 * odd places. Several frames given to one {@link #send} go out in one TCP write, so the server reads
 * them together. Blocking, one thread; every read waits at most {@link WsClient#WAIT}.
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CONTINUATION = 0x0;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** A frame as read from the server. */
    public record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame (1005 when it has none). */
        public int closeCode() {
            return payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Opens {@code uri} (ws://host:port/path?query) and completes the handshake. */
    public static RawWebSocket connect(URI uri) {
        try {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) WsClient.WAIT.toMillis());
            socket.setSoTimeout((int) WsClient.WAIT.toMillis());
            socket.setTcpNoDelay(true);
            RawWebSocket ws = new RawWebSocket(socket);
            ws.handshake(uri);
            return ws;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends a WebSocket upgrade request to {@code uri} and reads the answer when it is not an upgrade:
     * status, headers and body (by Content-Length). The JDK's HTTP client cannot send {@code Upgrade}, so
     * this is how a test reads the HTTP errors Herald answers before an upgrade. Fails on a 101.
     */
    public static Http.Response refusedUpgrade(URI uri) {
        return refusedUpgrade(uri, java.util.function.UnaryOperator.identity());
    }

    /**
     * {@link #refusedUpgrade(URI)} with the request text changed by {@code edit} first, e.g. a header replaced
     * or dropped, for the handshake errors a real client does not make.
     */
    public static Http.Response refusedUpgrade(URI uri, java.util.function.UnaryOperator<String> edit) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), (int) WsClient.WAIT.toMillis());
            socket.setSoTimeout((int) WsClient.WAIT.toMillis());
            RawWebSocket raw = new RawWebSocket(socket);
            raw.out.write(edit.apply(upgradeRequest(uri)).getBytes(StandardCharsets.US_ASCII));
            raw.out.flush();
            String status = raw.readLine();
            if (status.startsWith("HTTP/1.1 101")) {
                throw new AssertionError("the upgrade was accepted: " + status);
            }
            java.util.Map<String, List<String>> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (String line = raw.readLine(); !line.isEmpty(); line = raw.readLine()) {
                int colon = line.indexOf(':');
                headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>()).add(line.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("Content-Length", List.of("0")).getFirst());
            byte[] body = new byte[length];
            raw.in.readFully(body);
            return new Http.Response(Integer.parseInt(status.split(" ")[1]), new String(body, StandardCharsets.UTF_8),
                    java.net.http.HttpHeaders.of(headers, (name, value) -> true));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The upgrade request a well-behaved client sends to {@code uri}, as text (CRLF line ends). */
    public static String upgradeRequest(URI uri) {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return "GET " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    private void handshake(URI uri) throws IOException {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = readLine();
        if (!status.startsWith("HTTP/1.1 101")) {
            throw new IOException("handshake refused: " + status);
        }
        while (!readLine().isEmpty()) {
            // skip the response headers
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed during the handshake");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    /** One masked frame, as a client must send it. {@code rsv} is the three reserved bits (0–7). */
    public static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    public static byte[] text(String text) {
        return frame(true, 0, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the given frames in one write. */
    public void send(byte[]... frames) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] frame : frames) {
            all.writeBytes(frame);
        }
        try {
            out.write(all.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The next frame from the server, or null when it closed the TCP connection instead. The server's heartbeat pings
     * are skipped: a connection's first one may come at any moment after it opens (the heartbeat wheel's next tick).
     */
    public Frame read() {
        Frame frame;
        do {
            frame = readAny();
        } while (frame != null && frame.opcode() == PING);
        return frame;
    }

    private Frame readAny() {
        try {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[Math.toIntExact(length)];
            in.readFully(payload);
            return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 0x7, b0 & 0x0f, payload);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no frame from the server within " + WsClient.WAIT, e);
        } catch (EOFException e) {
            return null;
        } catch (IOException e) {
            if ("Connection reset".equals(e.getMessage())) {
                return null;
            }
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads until the server's close frame and returns every frame before it and the close frame
     * itself last; fails when the server drops the connection without a close frame.
     */
    public List<Frame> readUntilClose() {
        List<Frame> frames = new ArrayList<>();
        Frame frame;
        while ((frame = read()) != null) {
            frames.add(frame);
            if (frame.opcode() == CLOSE) {
                return frames;
            }
        }
        throw new AssertionError("the server dropped the connection without a close frame; frames before: " + frames.size());
    }

    /** Reads until the server's close frame and returns its code. */
    public int awaitCloseCode() {
        List<Frame> frames = readUntilClose();
        return frames.get(frames.size() - 1).closeCode();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
