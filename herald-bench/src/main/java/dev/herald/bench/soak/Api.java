package dev.herald.bench.soak;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The few HTTP calls the soak makes against Herald's API, on a keep-alive Vert.x client (the generator's one event
 * loop). An answer is its status and body; an I/O failure is status 0.
 */
final class Api {
    record Answer(int status, String body) {
        /** The {@code "id"} of a publish answer, or null. */
        String id() {
            int i = body.indexOf("\"id\":\"");
            return i < 0 ? null : body.substring(i + 6, body.indexOf('"', i + 6));
        }

        /** The {@code "delivered"} count of a publish answer (connections it was written to), or -1. */
        int delivered() {
            int i = body.indexOf("\"delivered\":");
            if (i < 0) {
                return -1;
            }
            int from = i + 12;
            int to = from;
            while (to < body.length() && Character.isDigit(body.charAt(to))) {
                to++;
            }
            return to == from ? -1 : Integer.parseInt(body.substring(from, to));
        }
    }

    private final HttpClient http;

    Api(HttpClient http) {
        this.http = http;
    }

    /** {@code POST /api/v1/messages} to one user; {@code data} is a JSON value as text. */
    Future<Answer> publish(String user, String data, boolean durable) {
        String body = "{\"to\":{\"users\":[\"" + user + "\"]},\"data\":" + data + (durable ? "" : ",\"persist\":false") + "}";
        return call(HttpMethod.POST, "/api/v1/messages", body);
    }

    /** {@code DELETE /api/v1/users/{uid}/connections}: closes every connection of the user with 4004. */
    Future<Answer> kick(String user) {
        return call(HttpMethod.DELETE, "/api/v1/users/" + user + "/connections", null);
    }

    /** {@code GET /api/v1/users/{uid}/messages}: one page of the user's stored messages after {@code since} (null: from the oldest). */
    Future<Answer> stored(String user, String since, int limit) {
        return call(HttpMethod.GET, "/api/v1/users/" + user + "/messages?limit=" + limit + (since == null ? "" : "&since=" + since), null);
    }

    private Future<Answer> call(HttpMethod method, String uri, String body) {
        RequestOptions options = new RequestOptions().setMethod(method).setURI(uri).setTimeout(30_000);
        if (body != null) {
            options.putHeader("content-type", "application/json");
        }
        return http.request(options)
                .compose(req -> body == null ? req.send() : req.send(Buffer.buffer(body)))
                .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), b.toString())))
                .recover(e -> Future.succeededFuture(new Answer(0, String.valueOf(e.getMessage()))));
    }
}
