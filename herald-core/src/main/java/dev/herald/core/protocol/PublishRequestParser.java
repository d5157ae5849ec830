package dev.herald.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import dev.herald.core.JsonText;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.message.NotifyRequest;
import dev.herald.core.message.PublishRequest;
import dev.herald.core.message.Durations;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notifiers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the JSON bodies of {@code POST /api/v1/messages} and {@code /batch}. Keeps {@code data}
 * byte-exact (it is sliced from the input, never re-encoded), rejects unknown fields by name, and
 * reports syntax errors with their line and column. Thread-safe.
 */
public final class PublishRequestParser {
    private static final JsonFactory JSON = JsonErrors.STRICT;

    /** Parses one message. Syntax and validation problems throw {@code invalid_json} / {@code invalid_request}. */
    public PublishRequest parseOne(String body) {
        try (JsonParser p = JSON.createParser(body)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "the body must be a JSON object");
            PublishRequest request = readMessage(p, body, -1);
            if (p.nextToken() != null) {
                throw ErrorCode.INVALID_JSON.exception("unexpected content after the JSON object");
            }
            return request;
        } catch (JsonProcessingException e) {
            throw invalidJson(e);
        } catch (IOException e) {
            throw ErrorCode.INVALID_JSON.exception("invalid JSON");
        }
    }

    /**
     * Parses a batch: {@code {"messages":[…]}} or a bare array. A malformed body fails as a whole;
     * an invalid item becomes a per-item error, so one bad message does not sink the others.
     */
    public List<Item> parseBatch(String body, int maxMessages) {
        try (JsonParser p = JSON.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_OBJECT) {
                String name = p.nextFieldName();
                if (!"messages".equals(name)) {
                    throw ErrorCode.INVALID_REQUEST.exception(name == null
                            ? "messages is required" : "unknown field '" + JsonText.printable(name) + "' (expected messages)");
                }
                expect(p.nextToken(), JsonToken.START_ARRAY, "messages must be an array");
            } else {
                expect(first, JsonToken.START_ARRAY, "the body must be {\"messages\":[…]} or an array");
            }
            List<Item> items = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (items.size() == maxMessages) {
                    throw ErrorCode.BATCH_TOO_LARGE.exception("a batch holds at most " + maxMessages + " messages");
                }
                int index = items.size();
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    p.skipChildren();
                    items.add(new Item(null, ErrorCode.INVALID_REQUEST.exception("messages[" + index + "] must be an object")));
                    continue;
                }
                JsonStreamContext batchArray = p.getParsingContext().getParent();
                try {
                    items.add(new Item(readMessage(p, body, index), null));
                } catch (HeraldException e) {
                    if (e.code() != ErrorCode.INVALID_REQUEST) {
                        throw e;
                    }
                    skipRestOfItem(p, batchArray);
                    items.add(new Item(null, e));
                }
            }
            if (first == JsonToken.START_OBJECT && p.nextToken() != JsonToken.END_OBJECT) {
                throw ErrorCode.INVALID_REQUEST.exception("unknown field '" + JsonText.printable(String.valueOf(p.currentName())) + "' (expected only messages)");
            }
            if (p.nextToken() != null) {
                throw ErrorCode.INVALID_JSON.exception("unexpected content after the JSON value");
            }
            if (items.isEmpty()) {
                throw ErrorCode.INVALID_REQUEST.exception("messages must not be empty");
            }
            return items;
        } catch (JsonProcessingException e) {
            throw invalidJson(e);
        } catch (IOException e) {
            throw ErrorCode.INVALID_JSON.exception("invalid JSON");
        }
    }

    /** One batch entry: a request, or the reason it was refused. */
    public record Item(PublishRequest request, HeraldException error) { }

    /**
     * A field's path in error messages: {@code messages[3].to.users} in a batch ({@code index} ≥ 0), {@code to.users}
     * for a single message ({@code index} -1). Built only when an error is reported, not per item parsed.
     */
    private static String path(int index, String field) {
        return index < 0 ? field : "messages[" + index + "]." + field;
    }

    /**
     * Reads the fields of one message object; the parser is on its START_OBJECT and ends on its END_OBJECT.
     * {@code index}: the item's position in a batch, or -1 for a single message (see {@link #path}).
     */
    private PublishRequest readMessage(JsonParser p, String body, int index) throws IOException {
        Recipients to = null;
        String dataJson = null;
        byte[] raw = null;
        boolean persist = true;
        Duration ttl = null;
        String idempotencyKey = null;
        List<String> channels = null;
        NotifyRequest.Fallback fallback = null;
        NotifyRequest.Content content = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "to" -> to = readRecipients(p, index);
                case "channels" -> channels = readChannels(p, path(index, "channels"));
                case "fallback" -> fallback = readFallback(p, path(index, "fallback"));
                case "notification" -> content = readContent(p, path(index, "notification"));
                case "data" -> {
                    int start = (int) p.currentTokenLocation().getCharOffset();
                    // a string's length finishes the token (so the location below is past its closing quote)
                    int textLength = value == JsonToken.VALUE_STRING ? p.getTextLength() : -1;
                    p.skipChildren();
                    int end = (int) p.currentLocation().getCharOffset();
                    dataJson = body.substring(start, end);
                    if (value == JsonToken.VALUE_STRING) {
                        // no escapes (as long as the quoted text) and ASCII: its bytes straight from the body
                        raw = textLength == end - start - 2 ? asciiBytes(body, start + 1, end - 1) : null;
                        if (raw == null) {
                            raw = p.getText().getBytes(StandardCharsets.UTF_8);
                        }
                    } else {
                        raw = dataJson.getBytes(StandardCharsets.UTF_8);
                    }
                }
                case "persist" -> {
                    if (!value.isBoolean()) {
                        throw ErrorCode.INVALID_REQUEST.exception(path(index, "persist") + " must be true or false");
                    }
                    persist = p.getBooleanValue();
                }
                case "ttl" -> ttl = readTtl(p, value, path(index, "ttl"));
                case "idempotencyKey" -> idempotencyKey = readIdempotencyKey(p, value, path(index, "idempotencyKey"));
                default -> throw ErrorCode.INVALID_REQUEST.exception("unknown field '" + JsonText.printable(path(index, field)) + "'");
            }
        }
        if (to == null) {
            throw ErrorCode.INVALID_REQUEST.exception(path(index, "to") + " is required: {\"users\":[…],\"topics\":[…],\"all\":false}");
        }
        if (dataJson == null) {
            throw ErrorCode.INVALID_REQUEST.exception(path(index, "data") + " is required (any JSON value)");
        }
        if (!to.all && to.users.isEmpty() && to.topics.isEmpty() && to.targets.isEmpty()) {
            throw ErrorCode.INVALID_REQUEST.exception(path(index, "to") + " names no recipient: give users, topics, all:true or a channel target");
        }
        // the in-app default is shared, not built per message
        NotifyRequest notify = channels == null && to.targets.isEmpty() && fallback == null && content == null
                ? NotifyRequest.IN_APP
                : new NotifyRequest(channels == null ? NotifyRequest.IN_APP.channels() : channels, to.targets, fallback, content);
        return new PublishRequest(to.users, to.topics, to.all, dataJson, raw, persist, ttl, idempotencyKey, notify);
    }

    private static Duration readTtl(JsonParser p, JsonToken value, String path) throws IOException {
        Duration ttl = null;
        if (value == JsonToken.VALUE_NUMBER_INT && p.getLongValue() > 0 && p.getLongValue() < 1_000_000_000L) {
            ttl = Duration.ofSeconds(p.getLongValue());
        } else if (value == JsonToken.VALUE_STRING) {
            try {
                ttl = Durations.parse(p.getText());
            } catch (ArithmeticException e) {
                ttl = null; // reported below
            }
        }
        if (ttl == null || ttl.isZero()) {
            throw ErrorCode.INVALID_REQUEST.exception(path + " must be a positive number of seconds or a duration like \"90s\", \"15m\", \"24h\", \"7d\"");
        }
        return ttl;
    }

    /** {@code s[from, to)} as bytes when it is all ASCII (then they are its UTF-8 bytes), else {@code null}. */
    private static byte[] asciiBytes(String s, int from, int to) {
        byte[] out = new byte[to - from];
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                return null;
            }
            out[i - from] = (byte) c;
        }
        return out;
    }

    /** Idempotency keys: 1-256 printable characters (they are echoed in errors and stored). */
    public static String validIdempotencyKey(String key, String path) {
        if (key.isEmpty() || key.length() > PublishRequest.MAX_IDEMPOTENCY_KEY_LENGTH
                || key.chars().anyMatch(Character::isISOControl)) {
            throw ErrorCode.INVALID_REQUEST.exception(path + " must be 1-" + PublishRequest.MAX_IDEMPOTENCY_KEY_LENGTH
                    + " characters without control characters");
        }
        return key;
    }

    private static String readIdempotencyKey(JsonParser p, JsonToken value, String path) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw ErrorCode.INVALID_REQUEST.exception(path + " must be a string");
        }
        return validIdempotencyKey(p.getText(), path);
    }

    private record Recipients(List<String> users, List<String> topics, boolean all, List<Destination> targets) { }

    private Recipients readRecipients(JsonParser p, int index) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw ErrorCode.INVALID_REQUEST.exception(path(index, "to") + " must be an object");
        }
        List<String> users = List.of();
        List<String> topics = List.of();
        boolean all = false;
        List<Destination> targets = List.of(); // a list only when a channel target is named
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "users" -> users = readStrings(p, index, "to.users");
                case "topics" -> topics = readStrings(p, index, "to.topics");
                case "all" -> {
                    if (!value.isBoolean()) {
                        throw ErrorCode.INVALID_REQUEST.exception(path(index, "to.all") + " must be true or false");
                    }
                    all = p.getBooleanValue();
                }
                // any other key names a channel: explicit targets, checked against the configured channels later
                default -> {
                    if (targets.isEmpty()) {
                        targets = new ArrayList<>();
                    }
                    readTargets(p, field, path(index, "to." + field), targets);
                }
            }
        }
        return new Recipients(users, topics, all, targets);
    }

    /** Longest list of explicit targets, channels or fallback channels one message may name. */
    public static final int MAX_TARGETS = 20;

    /**
     * {@code "webhook":{"url":…,"secret":…}}, {@code "email":"ops@example.com"}, or an array of either. The
     * channel name is checked against the configured channels by {@code PushCenter}, which also asks the
     * channel's notifier to validate each destination.
     */
    private static void readTargets(JsonParser p, String channel, String path, List<Destination> out) throws IOException {
        JsonToken t = p.currentToken();
        if (!isChannelName(channel) || (t != JsonToken.START_ARRAY && t != JsonToken.START_OBJECT && t != JsonToken.VALUE_STRING)) {
            throw ErrorCode.INVALID_REQUEST.exception("unknown field '" + JsonText.printable(path) + "'"
                    + (isChannelName(channel) ? " (a channel target is an address string or {\"url\":…,\"secret\":…})" : ""));
        }
        if (p.currentToken() == JsonToken.START_ARRAY) {
            int i = 0;
            while (p.nextToken() != JsonToken.END_ARRAY) {
                out.add(readDestination(p, channel, path + "[" + i++ + "]"));
                checkTargetCount(out.size(), path);
            }
        } else {
            out.add(readDestination(p, channel, path));
            checkTargetCount(out.size(), path);
        }
    }

    private static void checkTargetCount(int count, String path) {
        if (count > MAX_TARGETS) {
            throw ErrorCode.INVALID_REQUEST.exception(path + ": a message names at most " + MAX_TARGETS + " explicit targets");
        }
    }

    /** Longest destination address (a URL; e-mail addresses are shorter still). */
    public static final int MAX_ADDRESS_LENGTH = 2048;
    /** Longest signing secret. */
    public static final int MAX_SECRET_LENGTH = 512;

    /** A destination: a string (the address) or {@code {"url"|"address":…, "secret":…}}. */
    public static Destination readDestination(JsonParser p, String channel, String path) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            if (p.getText().length() > MAX_ADDRESS_LENGTH) {
                throw ErrorCode.INVALID_REQUEST.exception(path + " is longer than " + MAX_ADDRESS_LENGTH + " characters");
            }
            return new Destination(channel, p.getText().strip(), null);
        }
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw ErrorCode.INVALID_REQUEST.exception(path + " must be an address string or an object {\"url\":…,\"secret\":…}");
        }
        String address = null;
        String addressField = "url";
        String secret = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "url", "address" -> {
                    address = string(p, value, path + "." + field);
                    addressField = field;
                }
                case "secret" -> secret = string(p, value, path + ".secret");
                default -> throw ErrorCode.INVALID_REQUEST.exception("unknown field '" + JsonText.printable(path + "." + field)
                        + "' (expected url or address, and secret)");
            }
        }
        if (address == null || address.isBlank()) {
            throw ErrorCode.INVALID_REQUEST.exception(path + ".url is required");
        }
        if (address.length() > MAX_ADDRESS_LENGTH) {
            throw ErrorCode.INVALID_REQUEST.exception(path + "." + addressField + " is longer than " + MAX_ADDRESS_LENGTH + " characters");
        }
        if (secret != null && secret.length() > MAX_SECRET_LENGTH) {
            throw ErrorCode.INVALID_REQUEST.exception(path + ".secret is longer than " + MAX_SECRET_LENGTH + " characters");
        }
        return new Destination(channel, address.strip(), secret == null || secret.isEmpty() ? null : secret);
    }

    private static String string(JsonParser p, JsonToken value, String path) throws IOException {
        if (value != JsonToken.VALUE_STRING) {
            throw ErrorCode.INVALID_REQUEST.exception(path + " must be a string");
        }
        return p.getText();
    }

    /** Channel names: lower-case letters, digits and dashes (they are metric tags and URL-free keys). */
    public static boolean isChannelName(String name) {
        return name.length() >= 1 && name.length() <= 32 && name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    }

    private List<String> readChannels(JsonParser p, String path) throws IOException {
        List<String> channels = readStrings(p, -1, path);
        if (channels.isEmpty()) {
            throw ErrorCode.INVALID_REQUEST.exception(path + " must name at least one channel, e.g. [\"" + Notifiers.WS + "\"]");
        }
        if (channels.size() > MAX_TARGETS) {
            throw ErrorCode.INVALID_REQUEST.exception(path + " names at most " + MAX_TARGETS + " channels");
        }
        for (String c : channels) {
            if (!isChannelName(c)) {
                throw ErrorCode.INVALID_REQUEST.exception(path + " has an invalid channel name '" + JsonText.printable(c) + "'");
            }
        }
        return channels.stream().distinct().toList();
    }

    private NotifyRequest.Fallback readFallback(JsonParser p, String path) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw ErrorCode.INVALID_REQUEST.exception(path + " must be an object {\"after\":\"30s\",\"channels\":[…]}");
        }
        Duration after = null;
        List<String> channels = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "after" -> after = readTtl(p, value, path + ".after");
                case "channels" -> channels = readChannels(p, path + ".channels");
                default -> throw ErrorCode.INVALID_REQUEST.exception("unknown field '" + JsonText.printable(path + "." + field) + "'");
            }
        }
        if (after == null) {
            throw ErrorCode.INVALID_REQUEST.exception(path + ".after is required, e.g. \"30s\"");
        }
        if (channels == null) {
            throw ErrorCode.INVALID_REQUEST.exception(path + ".channels is required, e.g. [\"email\"]");
        }
        if (channels.contains(Notifiers.WS)) {
            throw ErrorCode.INVALID_REQUEST.exception(path + ".channels must not contain " + Notifiers.WS + ": the fallback is for when the in-app message was not acked");
        }
        return new NotifyRequest.Fallback(after, channels);
    }

    private static NotifyRequest.Content readContent(JsonParser p, String path) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw ErrorCode.INVALID_REQUEST.exception(path + " must be an object {\"title\":…,\"text\":…,\"html\":…,\"markdown\":…}");
        }
        String title = null;
        String text = null;
        String html = null;
        String markdown = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken value = p.nextToken();
            switch (field) {
                case "title" -> title = string(p, value, path + ".title");
                case "text" -> text = string(p, value, path + ".text");
                case "html" -> html = string(p, value, path + ".html");
                case "markdown" -> markdown = string(p, value, path + ".markdown");
                default -> throw ErrorCode.INVALID_REQUEST.exception("unknown field '" + JsonText.printable(path + "." + field)
                        + "' (expected title, text, html, markdown)");
            }
        }
        if (title != null && (title.length() > MAX_TITLE_LENGTH || title.chars().anyMatch(c -> c == '\r' || c == '\n'))) {
            throw ErrorCode.INVALID_REQUEST.exception(path + ".title must be one line of at most " + MAX_TITLE_LENGTH + " characters");
        }
        return new NotifyRequest.Content(title, text, html, markdown);
    }

    /** Longest notification title (an e-mail subject line, a robot's heading). */
    public static final int MAX_TITLE_LENGTH = 200;

    /** A JSON array of strings at {@code path(index, field)}; a one-element array needs no list growth. */
    private List<String> readStrings(JsonParser p, int index, String field) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw ErrorCode.INVALID_REQUEST.exception(path(index, field) + " must be an array of strings");
        }
        String first = null;
        List<String> out = null;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            // VALUE_NUMBER_INT: numeric user ids, as the seed's {"uid": 123}
            if (t != JsonToken.VALUE_STRING && t != JsonToken.VALUE_NUMBER_INT) {
                throw ErrorCode.INVALID_REQUEST.exception(path(index, field) + " must be an array of strings");
            }
            String s = p.getText();
            if (first == null && out == null) {
                first = s;
            } else {
                if (out == null) {
                    out = new ArrayList<>();
                    out.add(first);
                }
                out.add(s);
            }
        }
        return out != null ? out : first != null ? List.of(first) : List.of();
    }

    /** After a per-item error somewhere inside an item, moves the parser to that item's END_OBJECT. */
    private static void skipRestOfItem(JsonParser p, JsonStreamContext batchArray) throws IOException {
        while (!(p.currentToken() == JsonToken.END_OBJECT && p.getParsingContext() == batchArray)) {
            if (p.nextToken() == null) {
                return;
            }
        }
    }

    private static void expect(JsonToken actual, JsonToken expected, String message) {
        if (actual != expected) {
            throw ErrorCode.INVALID_REQUEST.exception(message);
        }
    }

    static HeraldException invalidJson(JsonProcessingException e) {
        return ErrorCode.INVALID_JSON.exception("invalid JSON " + JsonErrors.describe(e));
    }
}
