package dev.herald.bench.peers;

import io.vertx.core.http.HttpMethod;

import java.util.concurrent.ThreadLocalRandom;

/**
 * What one publish request of a scenario is: the seed's {@code /send} to one user, a broadcast to every connection,
 * or one Herald batch of personal messages. The generator stamps the message body (intended send time) and asks the
 * workload for the request carrying it; every message of a request shares that body.
 */
interface Workload {

    /** One HTTP request and the number of messages it publishes (what {@code sent}, {@code ok} and {@code errors} count). */
    record Request(HttpMethod method, String uri, String body, int messages) {
    }

    /** The request that publishes {@code message} (ASCII letters, digits and '-' only: no escaping needed). */
    Request request(String message);

    /** Whether a 2xx answer's body still reports a failure (a batch answers 200 with per-message errors). */
    default boolean failed(String answerBody) {
        return false;
    }

    /** The seed's {@code GET /send?uid=&message=} to one connected user, chosen at random. */
    static Workload personal(String sendPath, String sendQuery, int[] uids) {
        return message -> new Request(HttpMethod.GET,
                sendPath + "?uid=u" + randomUid(uids) + "&message=" + message + sendQuery, null, 1);
    }

    /** The peers' bench adapter {@code GET /broadcast?message=}. */
    static Workload seedBroadcast(String path) {
        return message -> new Request(HttpMethod.GET, path + "?message=" + message, null, 1);
    }

    /** Herald's own API: {@code POST /api/v1/messages} to everyone, not stored (like the peers' broadcasts). */
    static Workload heraldBroadcast(String path) {
        return message -> new Request(HttpMethod.POST, path,
                "{\"to\":{\"all\":true},\"data\":\"" + message + "\",\"persist\":false}", 1);
    }

    /** Herald's {@code POST /api/v1/messages/batch}: {@code size} personal messages, each to a random connected user, not stored. */
    static Workload heraldBatch(String path, int size, int[] uids) {
        return new Workload() {
            @Override
            public Request request(String message) {
                StringBuilder b = new StringBuilder(size * (message.length() + 60)).append("{\"messages\":[");
                for (int i = 0; i < size; i++) {
                    b.append(i == 0 ? "" : ",").append("{\"to\":{\"users\":[\"u").append(randomUid(uids))
                            .append("\"]},\"data\":\"").append(message).append("\",\"persist\":false}");
                }
                return new Request(HttpMethod.POST, path, b.append("]}").toString(), size);
            }

            @Override
            public boolean failed(String answerBody) {
                return answerBody.contains("\"error\"");
            }
        };
    }

    private static int randomUid(int[] uids) {
        return uids[ThreadLocalRandom.current().nextInt(uids.length)];
    }
}
