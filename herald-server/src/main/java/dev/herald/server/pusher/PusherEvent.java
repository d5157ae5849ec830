package dev.herald.server.pusher;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One Pusher event on its way through Herald. A Pusher event travels as an ordinary Herald message (so it reaches
 * Herald topic subscribers and other nodes through the broker) whose data is this envelope:
 * {@code {"event":"order.shipped","data":"<string>","socket_id"?:"…","user_id"?:"…"}}. Herald subscribers see that
 * envelope; Pusher connections see the Pusher frame it stands for. A Herald message whose data is not such an envelope
 * reaches Pusher connections as event {@value #HERALD_EVENT}, its data JSON-encoded (a JSON string as the string itself).
 *
 * @param name          the event name
 * @param data          the event data, a string as Pusher frames carry it
 * @param excludeSocket the socket id that must not get it (the sender's), or {@code null}
 * @param userId        the sender's user id (client events on presence channels), or {@code null}
 */
public record PusherEvent(String name, String data, String excludeSocket, String userId) {
    /** The event name of a Herald message that does not name a Pusher event. */
    public static final String HERALD_EVENT = "herald.message";

    /** The envelope as Herald message data (JSON text). */
    public String toHeraldData() {
        JsonObject o = new JsonObject().put("event", name).put("data", data);
        if (excludeSocket != null) {
            o.put("socket_id", excludeSocket);
        }
        if (userId != null) {
            o.put("user_id", userId);
        }
        return o.encode();
    }

    /** The event a Herald message's data stands for (see the class comment). */
    public static PusherEvent fromHeraldData(Object data) {
        if (data instanceof JsonObject o && o.getValue("event") instanceof String name && o.getValue("data") instanceof String text) {
            return new PusherEvent(name, text, o.getValue("socket_id") instanceof String s ? s : null,
                    o.getValue("user_id") instanceof String u ? u : null);
        }
        return new PusherEvent(HERALD_EVENT, data instanceof String s ? s : Json.encode(data), null, null);
    }

    /** The frame a Pusher client gets: {@code {"event","channel"?,"data":"<string>","user_id"?}}. */
    public String frame(String channel) {
        JsonObject o = new JsonObject().put("event", name);
        if (channel != null) {
            o.put("channel", channel);
        }
        o.put("data", data);
        if (userId != null) {
            o.put("user_id", userId);
        }
        return o.encode();
    }
}
