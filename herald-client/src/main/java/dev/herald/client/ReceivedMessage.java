package dev.herald.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * A message a {@link HeraldSubscriber} received (docs/protocol.md, "The message envelope"). Immutable; {@link #ack()}
 * and {@link #read()} may be called from any thread.
 */
public final class ReceivedMessage {
    private static final JsonFactory JSON = new JsonFactory();

    private final String id;
    private final long ts;
    private final String topic;
    private final boolean all;
    private final StreamPosition position;
    private final String dataJson;
    private final HeraldSubscriber from;

    ReceivedMessage(String id, long ts, String topic, boolean all, StreamPosition position, String dataJson, HeraldSubscriber from) {
        this.id = id;
        this.ts = ts;
        this.topic = topic;
        this.all = all;
        this.position = position;
        this.dataJson = dataJson;
        this.from = from;
    }

    /** The message id, a ULID: ids sort as strings in publish order. */
    public String id() {
        return id;
    }

    /** When Herald accepted it, milliseconds since the Unix epoch. */
    public long ts() {
        return ts;
    }

    /** The topic it came through, or null (a direct message or a broadcast). */
    public String topic() {
        return topic;
    }

    /** Whether it came through the broadcast to everyone. */
    public boolean all() {
        return all;
    }

    /** Its position in the stream it came through; null for fire-and-forget messages. */
    public StreamPosition position() {
        return position;
    }

    /** The publisher's data as the JSON text the server sent (an object, a string in quotes, a number…). */
    public String dataJson() {
        return dataJson;
    }

    /** The data when it is a JSON string (e.g. from {@code /send?message=}); otherwise its JSON text. */
    public String text() {
        if (dataJson == null || dataJson.isEmpty() || dataJson.charAt(0) != '"') {
            return dataJson;
        }
        try (JsonParser p = JSON.createParser(dataJson)) {
            return p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : dataJson;
        } catch (IOException e) {
            return dataJson;
        }
    }

    /** Acknowledges it (batched; kept across reconnects until sent). Needed only without auto-ack. */
    public void ack() {
        from.ack(id);
    }

    /** Marks it read (implies acked). */
    public void read() {
        from.read(id);
    }

    @Override
    public String toString() {
        return "ReceivedMessage[" + id + (topic != null ? " topic=" + topic : "") + (all ? " all" : "") + " data=" + dataJson + "]";
    }
}
