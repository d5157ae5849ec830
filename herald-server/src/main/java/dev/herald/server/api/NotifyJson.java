package dev.herald.server.api;

import dev.herald.core.notify.Attempt;
import dev.herald.core.notify.Contacts;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.JobState;
import dev.herald.core.notify.NotifyJob;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * JSON shapes of channel deliveries (in receipts and as dead letters) and of contacts ({@code docs/api.md}).
 * Secrets never appear: a destination shows whether it has one, and URLs lose their path and query
 * (robot tokens live there).
 */
final class NotifyJson {
    private NotifyJson() { }

    static JsonObject delivery(NotifyJob job) {
        JsonObject out = new JsonObject().put("id", job.id()).put("messageId", job.messageId())
                .put("channel", job.channel()).put("user", job.userId())
                .put("state", job.state().wireName())
                .put("title", job.content().title())
                .put("createdAt", job.createdAt()).put("deadline", job.deadline())
                .put("attemptCount", job.attemptCount()).put("lastError", job.lastError());
        // always present: null for a user's delivery, whose address is read from the contacts at each attempt
        out.put("target", job.destination() == null ? null : job.destination().redactedAddress());
        if (job.state() == JobState.PENDING || job.state() == JobState.WAITING_ACK) {
            out.put("dueAt", job.dueAt());
        }
        JsonArray attempts = new JsonArray();
        for (Attempt a : job.attempts()) {
            attempts.add(new JsonObject().put("number", a.number()).put("at", a.at()).put("latencyMs", a.latencyMs())
                    .put("outcome", a.outcome().name().toLowerCase(Locale.ROOT))
                    .put("status", a.statusCode() == 0 ? null : a.statusCode()).put("error", a.error()));
        }
        return out.put("attempts", attempts);
    }

    static JsonArray deliveries(List<NotifyJob> jobs) {
        JsonArray out = new JsonArray();
        jobs.forEach(j -> out.add(delivery(j)));
        return out;
    }

    static JsonObject deadLetterPage(List<NotifyJob> jobs, int limit) {
        JsonObject body = new JsonObject().put("deadLetters", deliveries(jobs));
        body.put("next", jobs.size() == limit ? jobs.get(jobs.size() - 1).id() : null);
        return body;
    }

    static JsonObject contacts(String userId, Contacts contacts) {
        return contacts(userId, contacts, Destination::redactedAddress);
    }

    /** The contacts as {@link #contacts(String, Contacts)} gives them, with each address shown as {@code shown} says. */
    static JsonObject contacts(String userId, Contacts contacts, Function<Destination, String> shown) {
        JsonObject channels = new JsonObject();
        for (Map.Entry<String, Destination> e : contacts.destinations().entrySet()) {
            Destination d = e.getValue();
            JsonObject c = new JsonObject().put(d.address().contains("://") ? "url" : "address", shown.apply(d))
                    .put("secret", d.hasSecret());
            String disabled = contacts.disabled().get(e.getKey());
            if (disabled != null) {
                c.put("disabled", disabled);
            }
            channels.put(e.getKey(), c);
        }
        return new JsonObject().put("user", userId).put("contacts", channels).put("updatedAt", contacts.updatedAt());
    }
}
