package dev.herald.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small real HTTP client for tests (JDK HttpClient). Sends the API key when one is set. */
public final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private final String apiKey;

    public Http(URI base, String apiKey) {
        this.base = base;
        this.apiKey = apiKey;
    }

    /** The response: status and body. */
    public record Response(int status, String body, java.net.http.HttpHeaders headers) {
        public String errorCode() {
            var m = java.util.regex.Pattern.compile("\"code\":\"([a-z_]+)\"").matcher(body);
            return m.find() ? m.group(1) : null;
        }

        /** The value of one sample of a Prometheus scrape ({@code GET /metrics}), by metric name (labels ignored). */
        public double metric(String name) {
            var m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+)$")
                    .matcher(body);
            if (!m.find()) {
                throw new AssertionError("no metric " + name + " in scrape:\n"
                        + body.lines().filter(l -> l.contains("herald")).toList());
            }
            return Double.parseDouble(m.group(2));
        }
    }

    public Response get(String path) {
        return send(request(path).GET());
    }

    public Response delete(String path) {
        return send(request(path).DELETE());
    }

    public Response postJson(String path, String json) {
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response postForm(String path, String form) {
        return send(request(path).header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    public Response send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> r = CLIENT.send(builder.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A request builder for {@code path}, with the API key if configured. */
    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    /** Same server, no API key (for 401 tests). */
    public Http anonymous() {
        return new Http(base, null);
    }
}
