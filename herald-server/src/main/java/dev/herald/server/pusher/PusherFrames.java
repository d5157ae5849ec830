package dev.herald.server.pusher;

import io.vertx.core.json.JsonObject;

/**
 * The frames Herald sends on its own account. Server-sent {@code data} is a JSON <em>string</em> holding JSON (Pusher's
 * double encoding), except in {@code pusher:error}, whose data is an object, as Pusher sends it.
 */
final class PusherFrames {
    private PusherFrames() { }

    static String event(String name, String channel, JsonObject data) {
        JsonObject o = new JsonObject().put("event", name);
        if (channel != null) {
            o.put("channel", channel);
        }
        return o.put("data", data.encode()).encode();
    }

    static String connectionEstablished(String socketId, long activityTimeoutSeconds) {
        return event("pusher:connection_established", null,
                new JsonObject().put("socket_id", socketId).put("activity_timeout", activityTimeoutSeconds));
    }

    static String pong() {
        return event("pusher:pong", null, new JsonObject());
    }

    /** {@code code} {@code null}: an error that does not close the connection and has no Pusher code. */
    static String error(Integer code, String message) {
        return new JsonObject().put("event", "pusher:error")
                .put("data", new JsonObject().put("code", code).put("message", message)).encode();
    }

    static String subscriptionSucceeded(String channel, JsonObject data) {
        return event("pusher_internal:subscription_succeeded", channel, data);
    }

    /** What pusher-js reads from a refused subscription: {@code type}, {@code error} and an HTTP-like {@code status}. */
    static String subscriptionError(String channel, String type, String error, int status) {
        return new JsonObject().put("event", "pusher:subscription_error").put("channel", channel)
                .put("data", new JsonObject().put("type", type).put("error", error).put("status", status)).encode();
    }

    static String cacheMiss(String channel) {
        return event("pusher:cache_miss", channel, new JsonObject());
    }
}
