package dev.herald.server.notify.email;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny SMTP server on a raw socket that speaks just enough of RFC 5321 for one mail, with scripted faults:
 * a reply of choice to a command ({@code RCPT} → {@code 451}), a STARTTLS offer backed by a test certificate,
 * or no answer at all. It records every command it receives, marked {@code [tls]} when the session was encrypted,
 * so tests can check what crossed the wire in clear. A hand-written fake, not a mock: the client talks real SMTP.
 */
final class ScriptedSmtpServer implements AutoCloseable {
    private final ServerSocket server;
    private final Map<String, String> replies = new ConcurrentHashMap<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Every command line received, in order; {@code [tls] } in front when it came over TLS. */
    final List<String> commands = new CopyOnWriteArrayList<>();
    /** The DATA of every mail accepted with 250. */
    final List<String> mails = new CopyOnWriteArrayList<>();
    /** Connections the client closed while this server stayed silent. */
    final AtomicInteger clientClosed = new AtomicInteger();
    private volatile boolean silent;
    private volatile SSLContext startTls;
    private volatile String greeting = "220 scripted.test ESMTP";

    ScriptedSmtpServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("scripted-smtp-accept").start(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Accepts connections and never says a word. */
    ScriptedSmtpServer silent() {
        silent = true;
        return this;
    }

    ScriptedSmtpServer greeting(String line) {
        greeting = line;
        return this;
    }

    /** Offers STARTTLS in the EHLO reply and upgrades with this server-side context. */
    ScriptedSmtpServer offerStartTls(SSLContext context) {
        startTls = context;
        return this;
    }

    /** The reply to a command verb ({@code MAIL}, {@code RCPT}, {@code DATA}) or to the end of DATA ({@code .}). */
    ScriptedSmtpServer reply(String verb, String line) {
        replies.put(verb, line);
        return this;
    }

    /** Commands starting with {@code prefix}, the {@code [tls] } mark ignored. */
    List<String> received(String prefix) {
        return commands.stream().map(c -> c.replace("[tls] ", "")).filter(c -> c.startsWith(prefix)).toList();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                sockets.add(socket);
                Thread.ofVirtual().name("scripted-smtp-session").start(() -> session(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void session(Socket plain) {
        if (silent) {
            try {
                while (plain.getInputStream().read() >= 0) {
                    // whatever the client says goes unanswered
                }
            } catch (IOException e) {
                // reset by the client: closed all the same
            }
            clientClosed.incrementAndGet();
            return;
        }
        try {
            Socket socket = plain;
            boolean tls = false;
            write(socket, greeting);
            BufferedReader in = reader(socket);
            String line;
            while ((line = in.readLine()) != null) {
                commands.add((tls ? "[tls] " : "") + line);
                String verb = line.split(" ", 2)[0].toUpperCase();
                switch (verb) {
                    case "EHLO" -> write(socket, "250-scripted.test" + (startTls != null && !tls ? "\r\n250-STARTTLS" : "")
                            + "\r\n250 8BITMIME");
                    case "HELO", "NOOP", "RSET" -> write(socket, "250 ok");
                    case "STARTTLS" -> {
                        write(socket, "220 ready to start TLS");
                        SSLSocket secure = (SSLSocket) startTls.getSocketFactory()
                                .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                        secure.setUseClientMode(false);
                        secure.startHandshake(); // throws when the client refuses the certificate
                        socket = secure;
                        sockets.add(secure);
                        in = reader(socket);
                        tls = true;
                    }
                    case "DATA" -> {
                        String reply = replies.getOrDefault("DATA", "354 end with <CRLF>.<CRLF>");
                        write(socket, reply);
                        if (reply.startsWith("354")) {
                            StringBuilder data = new StringBuilder();
                            String dataLine;
                            while ((dataLine = in.readLine()) != null && !dataLine.equals(".")) {
                                data.append(dataLine).append("\r\n");
                            }
                            String end = replies.getOrDefault(".", "250 2.0.0 queued");
                            if (end.startsWith("250")) {
                                mails.add(data.toString());
                            }
                            write(socket, end);
                        }
                    }
                    case "QUIT" -> {
                        write(socket, "221 bye");
                        socket.close();
                        return;
                    }
                    default -> write(socket, replies.getOrDefault(verb, verb.equals("MAIL") || verb.equals("RCPT")
                            ? "250 ok" : "502 5.5.1 not implemented"));
                }
            }
        } catch (IOException e) {
            // the client went away (or refused our certificate): the session ends
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void write(Socket socket, String reply) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
