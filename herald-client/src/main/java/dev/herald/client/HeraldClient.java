package dev.herald.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Publishes to Herald from a business system. Thread-safe; share one instance. Every call has a
 * timeout, and every failure is a {@link HeraldApiException} with Herald's error code.
 * <pre>{@code
 * HeraldClient herald = HeraldClient.builder(URI.create("http://127.0.0.1:8181")).apiKey(key).build();
 * Published p = herald.publish(Publish.toUsers("123").json("{\"progress\":50}"));
 * herald.putContacts("123", Contacts.none().email("ann@example.com"));
 * herald.publish(Publish.toUsers("123").text("Approve invoice 991?").fallback(Duration.ofMinutes(15), "email"));
 * }</pre>
 */
public final class HeraldClient {
    /** Default time allowed for one API call, connect included. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final String apiKey;
    private final Duration timeout;
    private final HttpClient http;

    private HeraldClient(Builder b) {
        this.base = b.base;
        this.apiKey = b.apiKey;
        this.timeout = b.timeout;
        this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(b.timeout).build();
    }

    public static Builder builder(URI base) {
        return new Builder(base);
    }

    /** The seed's {@code /send}: plain text to one user, stored for them if they are offline ({@code queued}). */
    public Published send(String uid, String message) {
        String form = "uid=" + URLEncoder.encode(uid, StandardCharsets.UTF_8) + "&message=" + URLEncoder.encode(message, StandardCharsets.UTF_8);
        HttpRequest request = request("/send").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        return published(call(request));
    }

    public Published publish(Publish message) {
        return published(call(jsonPost("/api/v1/messages", Json.message(message))));
    }

    /** The receipt of a stored message; {@code message_not_found} for unknown or purged ids. */
    public Receipt receipt(String messageId) {
        HttpResponse<String> response = call(request("/api/v1/messages/" + segment(messageId)).GET().build());
        Object result = Json.parseReceipt(response.body(), response.statusCode());
        if (result instanceof HeraldApiException e) {
            throw e;
        }
        return (Receipt) result;
    }

    /** Non-blocking {@link #publish}. */
    public CompletableFuture<Published> publishAsync(Publish message) {
        return http.sendAsync(jsonPost("/api/v1/messages", Json.message(message)), HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    if (error != null) {
                        throw new CompletionException(unreachable(error));
                    }
                    return published(response);
                });
    }

    /**
     * Publishes up to the server's batch limit (1,000 by default) in one request. The result has one
     * entry per message, in order: a {@link Published} or the {@link HeraldApiException} for that message.
     */
    public List<Object> publishBatch(List<Publish> messages) {
        HttpResponse<String> response = call(jsonPost("/api/v1/messages/batch", Json.batch(messages)));
        if (response.statusCode() != 200) {
            throw asError(response);
        }
        return new ArrayList<>(Json.parseBatch(response.body(), response.statusCode()));
    }

    /** The channels this server has enabled: {@code ws} (in-app) and e.g. {@code webhook}, {@code email}, {@code slack}. */
    public List<String> channels() {
        return read(call(request("/api/v1/channels").GET().build()), NotifyJson::channels);
    }

    /**
     * Replaces all of {@code uid}'s contacts; each address is validated by its channel ({@code invalid_request}
     * naming the field). The answer shows them without secrets or tokens.
     */
    public UserContacts putContacts(String uid, Contacts contacts) {
        HttpRequest request = request(contactsPath(uid)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(Json.contacts(contacts))).build();
        return read(call(request), NotifyJson::contacts);
    }

    /** {@code uid}'s contacts without secrets or tokens; {@code contacts_not_found} when there are none. */
    public UserContacts contacts(String uid) {
        return read(call(request(contactsPath(uid)).GET().build()), NotifyJson::contacts);
    }

    /** Deletes all of {@code uid}'s contacts; {@code contacts_not_found} when there are none. */
    public void deleteContacts(String uid) {
        noContent(call(request(contactsPath(uid)).DELETE().build()));
    }

    /** A page of dead letters, newest first; pass {@link DeadLetterPage#next()} to {@link DeadLetterQuery#before}. */
    public DeadLetterPage deadLetters(DeadLetterQuery query) {
        StringBuilder path = new StringBuilder("/api/v1/dead-letters");
        char sep = '?';
        for (String[] param : new String[][] {{"channel", query.channel()}, {"user", query.user()},
                {"message", query.messageId()}, {"before", query.before()},
                {"limit", query.limit() == 0 ? null : Integer.toString(query.limit())}}) {
            if (param[1] != null) {
                path.append(sep).append(param[0]).append('=').append(URLEncoder.encode(param[1], StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        return read(call(request(path.toString()).GET().build()), NotifyJson::deadLetterPage);
    }

    /** One dead letter; {@code dead_letter_not_found} for unknown ids. */
    public Delivery deadLetter(String id) {
        return read(call(request(deadLetterPath(id)).GET().build()), NotifyJson::delivery);
    }

    /** Makes a dead letter pending again with fresh attempts and deadline; returns it as it is now. */
    public Delivery retryDeadLetter(String id) {
        HttpRequest request = request(deadLetterPath(id) + "/retry").POST(HttpRequest.BodyPublishers.noBody()).build();
        return read(call(request), NotifyJson::delivery);
    }

    public void deleteDeadLetter(String id) {
        noContent(call(request(deadLetterPath(id)).DELETE().build()));
    }

    private static String contactsPath(String uid) {
        return "/api/v1/users/" + segment(uid) + "/contacts";
    }

    private static String deadLetterPath(String id) {
        return "/api/v1/dead-letters/" + segment(id);
    }

    /** A path segment: URLEncoder is for forms, where a space is '+'; in a path it must be %20. */
    private static String segment(String value) {
        return URLEncoder.encode(Objects.requireNonNull(value), StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static <T> T read(HttpResponse<String> response, Json.Reader<T> reader) {
        if (response.statusCode() / 100 != 2) {
            throw asError(response);
        }
        return Json.read(response.body(), response.statusCode(), reader);
    }

    private static void noContent(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw asError(response);
        }
    }

    private HttpRequest jsonPost(String path, String body) {
        return request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Accept", "application/json");
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    private HttpResponse<String> call(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HeraldApiException(0, "interrupted", "interrupted while calling Herald", e);
        }
    }

    private static HeraldApiException unreachable(Throwable e) {
        return new HeraldApiException(0, "unreachable", "Herald could not be reached: " + e, e);
    }

    private static Published published(HttpResponse<String> response) {
        Object result = Json.parseObject(response.body(), response.statusCode());
        if (result instanceof HeraldApiException e) {
            throw e;
        }
        if (response.statusCode() / 100 != 2) {
            throw new HeraldApiException(response.statusCode(), "http_" + response.statusCode(), "unexpected response from Herald");
        }
        return (Published) result;
    }

    private static HeraldApiException asError(HttpResponse<String> response) {
        Object result = Json.parseObject(response.body(), response.statusCode());
        return result instanceof HeraldApiException e ? e
                : new HeraldApiException(response.statusCode(), "http_" + response.statusCode(), "unexpected response from Herald");
    }

    /** Configures a {@link HeraldClient}. */
    public static final class Builder {
        private final URI base;
        private String apiKey;
        private Duration timeout = DEFAULT_TIMEOUT;
        private HttpClient http;

        private Builder(URI base) {
            this.base = Objects.requireNonNull(base, "base");
        }

        /** The API key ({@code auth.api-keys}); omit in dev mode. */
        public Builder apiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Use your own {@link HttpClient} (proxy, TLS, executor). */
        public Builder httpClient(HttpClient http) {
            this.http = http;
            return this;
        }

        public HeraldClient build() {
            return new HeraldClient(this);
        }
    }
}
