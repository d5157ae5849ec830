package dev.herald.server.api;

import dev.herald.core.store.Receipt;
import dev.herald.core.store.Replay;
import dev.herald.core.store.StoredMessage;
import dev.herald.core.store.StreamPosition;
import dev.herald.core.message.Target;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** JSON shapes of receipts and inbox pages ({@code docs/api.md}). Timestamps are ms since the epoch, like the envelope's {@code ts}. */
final class ReceiptJson {
    private ReceiptJson() { }

    static JsonObject receipt(Receipt receipt) {
        StoredMessage m = receipt.message();
        JsonArray recipients = new JsonArray();
        for (Receipt.Recipient r : receipt.recipients()) {
            recipients.add(new JsonObject().put("user", r.userId()).put("status", r.status().wireName())
                    .put("deliveredAt", r.deliveredAt()).put("ackedAt", r.ackedAt()).put("readAt", r.readAt()));
        }
        return new JsonObject().put("id", m.id()).put("ts", m.timestamp()).put("expiresAt", m.expiresAt())
                .put("to", new JsonObject().put("users", new JsonArray(m.users())).put("topics", new JsonArray(m.topics()))
                        .put("all", m.all()))
                .put("data", Json.decodeValue(m.dataJson()))
                .put("recipients", recipients)
                .put("deliveries", NotifyJson.deliveries(receipt.deliveries()));
    }

    /** A page of {@code stream}: each message with its position there. */
    static JsonObject page(Replay page, Target stream) {
        JsonArray messages = new JsonArray();
        for (StoredMessage m : page.messages()) {
            JsonObject json = new JsonObject().put("id", m.id()).put("ts", m.timestamp()).put("expiresAt", m.expiresAt());
            StreamPosition position = m.position(stream);
            if (position != null) {
                json.put("pos", position.position()).put("epoch", position.epoch());
            }
            messages.add(json.put("data", Json.decodeValue(m.dataJson())));
        }
        JsonObject body = new JsonObject().put("messages", messages).put("gap", page.gap()).put("more", page.more());
        if (!page.messages().isEmpty()) {
            body.put("next", page.messages().get(page.messages().size() - 1).id());
        }
        return body;
    }
}
