package dev.herald.client;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The notification-channel parts of the JSON ({@code docs/channels.md}): a message's channels, fallback,
 * notification and explicit targets, contacts, deliveries and dead letters. Written exactly as the
 * server's {@code PublishRequestParser} and {@code ContactsParser} read them.
 */
final class NotifyJson {
    private NotifyJson() { }

    /** The explicit targets, as fields of {@code to}: one array of destinations per channel. */
    static void writeTargets(JsonGenerator g, List<Target> targets) throws IOException {
        Map<String, List<Target>> byChannel = new LinkedHashMap<>();
        for (Target t : targets) {
            byChannel.computeIfAbsent(t.channel(), c -> new ArrayList<>()).add(t);
        }
        for (Map.Entry<String, List<Target>> e : byChannel.entrySet()) {
            g.writeArrayFieldStart(e.getKey());
            for (Target t : e.getValue()) {
                writeDestination(g, t);
            }
            g.writeEndArray();
        }
    }

    /** {@code "ops@example.com"} or {@code {"url":…,"secret":…}}. */
    private static void writeDestination(JsonGenerator g, Target t) throws IOException {
        if (!t.isUrl() && t.secret() == null) {
            g.writeString(t.address());
            return;
        }
        g.writeStartObject();
        g.writeStringField(t.isUrl() ? "url" : "address", t.address());
        if (t.secret() != null) {
            g.writeStringField("secret", t.secret());
        }
        g.writeEndObject();
    }

    /** {@code channels}, {@code fallback} and {@code notification}, each only when set. */
    static void writeDelivery(JsonGenerator g, Publish p) throws IOException {
        if (!p.channels().isEmpty()) {
            writeStrings(g, "channels", p.channels());
        }
        if (p.fallback() != null) {
            g.writeObjectFieldStart("fallback");
            writeDuration(g, "after", p.fallback().after());
            writeStrings(g, "channels", p.fallback().channels());
            g.writeEndObject();
        }
        Notification n = p.notification();
        if (n != null) {
            g.writeObjectFieldStart("notification");
            writeIfSet(g, "title", n.title());
            writeIfSet(g, "text", n.text());
            writeIfSet(g, "html", n.html());
            writeIfSet(g, "markdown", n.markdown());
            g.writeEndObject();
        }
    }

    /** Whole seconds as a number, anything finer as {@code "1500ms"}. */
    private static void writeDuration(JsonGenerator g, String field, Duration d) throws IOException {
        if (d.toMillis() % 1000 == 0) {
            g.writeNumberField(field, d.toSeconds());
        } else {
            g.writeStringField(field, d.toMillis() + "ms");
        }
    }

    private static void writeStrings(JsonGenerator g, String field, List<String> values) throws IOException {
        g.writeArrayFieldStart(field);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }

    private static void writeIfSet(JsonGenerator g, String field, String value) throws IOException {
        if (value != null) {
            g.writeStringField(field, value);
        }
    }

    /** The body of {@code PUT /api/v1/users/{uid}/contacts}: one destination per channel. */
    static void writeContacts(JsonGenerator g, Contacts contacts) throws IOException {
        g.writeStartObject();
        for (Target t : contacts.byChannel().values()) {
            g.writeFieldName(t.channel());
            writeDestination(g, t);
        }
        g.writeEndObject();
    }

    /** Reads {@code {"user":…,"contacts":{channel:{"url"|"address":…,"secret":bool,"disabled":…}},"updatedAt":…}}. */
    static UserContacts contacts(JsonParser p) throws IOException {
        String user = null;
        long updatedAt = 0;
        Map<String, UserContacts.Contact> contacts = new HashMap<>();
        String field;
        while ((field = p.nextFieldName()) != null) {
            p.nextToken();
            switch (field) {
                case "user" -> user = text(p);
                case "updatedAt" -> updatedAt = p.getValueAsLong();
                case "contacts" -> {
                    String channel;
                    while ((channel = p.nextFieldName()) != null) {
                        p.nextToken();
                        contacts.put(channel, contact(p));
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new UserContacts(user, contacts, updatedAt);
    }

    private static UserContacts.Contact contact(JsonParser p) throws IOException {
        String address = null;
        boolean secret = false;
        String disabled = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            p.nextToken();
            switch (field) {
                case "url", "address" -> address = text(p);
                case "secret" -> secret = p.getValueAsBoolean();
                case "disabled" -> disabled = text(p);
                default -> p.skipChildren();
            }
        }
        return new UserContacts.Contact(address, secret, disabled);
    }

    /** Reads {@code {"deadLetters":[…],"next":…}}. */
    static DeadLetterPage deadLetterPage(JsonParser p) throws IOException {
        List<Delivery> deadLetters = List.of();
        String next = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            p.nextToken();
            switch (field) {
                case "deadLetters" -> deadLetters = deliveries(p);
                case "next" -> next = text(p);
                default -> p.skipChildren();
            }
        }
        return new DeadLetterPage(deadLetters, next);
    }

    /** Reads an array of deliveries; the parser is on its START_ARRAY. */
    static List<Delivery> deliveries(JsonParser p) throws IOException {
        List<Delivery> out = new ArrayList<>();
        while (p.nextToken() == JsonToken.START_OBJECT) {
            out.add(delivery(p));
        }
        return out;
    }

    /** Reads one delivery; the parser is on its START_OBJECT. */
    static Delivery delivery(JsonParser p) throws IOException {
        String id = null;
        String messageId = null;
        String channel = null;
        String user = null;
        String target = null;
        String state = null;
        String title = null;
        long createdAt = 0;
        long deadline = 0;
        Long dueAt = null;
        int attemptCount = 0;
        String lastError = null;
        List<Delivery.Attempt> attempts = new ArrayList<>();
        String field;
        while ((field = p.nextFieldName()) != null) {
            p.nextToken();
            switch (field) {
                case "id" -> id = text(p);
                case "messageId" -> messageId = text(p);
                case "channel" -> channel = text(p);
                case "user" -> user = text(p);
                case "target" -> target = text(p);
                case "state" -> state = text(p);
                case "title" -> title = text(p);
                case "createdAt" -> createdAt = p.getValueAsLong();
                case "deadline" -> deadline = p.getValueAsLong();
                case "dueAt" -> dueAt = longOrNull(p);
                case "attemptCount" -> attemptCount = p.getValueAsInt();
                case "lastError" -> lastError = text(p);
                case "attempts" -> {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        attempts.add(attempt(p));
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new Delivery(id, messageId, channel, user, target, state, title, createdAt, deadline, dueAt,
                attemptCount, lastError, attempts);
    }

    private static Delivery.Attempt attempt(JsonParser p) throws IOException {
        int number = 0;
        long at = 0;
        long latencyMs = 0;
        String outcome = null;
        Integer status = null;
        String error = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            p.nextToken();
            switch (field) {
                case "number" -> number = p.getValueAsInt();
                case "at" -> at = p.getValueAsLong();
                case "latencyMs" -> latencyMs = p.getValueAsLong();
                case "outcome" -> outcome = text(p);
                case "status" -> {
                    Long s = longOrNull(p);
                    status = s == null ? null : s.intValue();
                }
                case "error" -> error = text(p);
                default -> p.skipChildren();
            }
        }
        return new Delivery.Attempt(number, at, latencyMs, outcome, status, error);
    }

    /** Reads {@code {"channels":[…]}}. */
    static List<String> channels(JsonParser p) throws IOException {
        List<String> out = new ArrayList<>();
        String field;
        while ((field = p.nextFieldName()) != null) {
            if (p.nextToken() == JsonToken.START_ARRAY && field.equals("channels")) {
                while (p.nextToken() == JsonToken.VALUE_STRING) {
                    out.add(p.getText());
                }
            } else {
                p.skipChildren();
            }
        }
        return out;
    }

    /** A string value, {@code null} for JSON null (Jackson's getText would give "null"). */
    private static String text(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
    }

    private static Long longOrNull(JsonParser p) throws IOException {
        return p.currentToken() == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
    }
}
