package dev.herald.client;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** Request encoding and response decoding for the SDK (streaming Jackson, no object mapper). */
final class Json {
    private static final JsonFactory JSON = new JsonFactory();

    private Json() { }

    static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    static String message(Publish p) {
        return write(g -> writeMessage(g, p));
    }

    static String batch(List<Publish> messages) {
        return write(g -> {
            g.writeStartObject();
            g.writeArrayFieldStart("messages");
            for (Publish p : messages) {
                writeMessage(g, p);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    private static void writeMessage(JsonGenerator g, Publish p) throws IOException {
        if (p.dataJson() == null) {
            throw new IllegalArgumentException("a message needs data: call text(…) or json(…)");
        }
        g.writeStartObject();
        g.writeObjectFieldStart("to");
        if (p.all()) {
            g.writeBooleanField("all", true);
        }
        if (!p.users().isEmpty()) {
            g.writeArrayFieldStart("users");
            for (String u : p.users()) {
                g.writeString(u);
            }
            g.writeEndArray();
        }
        if (!p.topics().isEmpty()) {
            g.writeArrayFieldStart("topics");
            for (String t : p.topics()) {
                g.writeString(t);
            }
            g.writeEndArray();
        }
        NotifyJson.writeTargets(g, p.targets());
        g.writeEndObject();
        g.writeFieldName("data");
        g.writeRawValue(p.dataJson());
        if (!p.persist()) {
            g.writeBooleanField("persist", false);
        }
        if (p.ttl() != null) {
            g.writeNumberField("ttl", Math.max(1, p.ttl().toSeconds()));
        }
        if (p.idempotencyKey() != null) {
            g.writeStringField("idempotencyKey", p.idempotencyKey());
        }
        NotifyJson.writeDelivery(g, p);
        g.writeEndObject();
    }

    static String contacts(Contacts contacts) {
        return write(g -> NotifyJson.writeContacts(g, contacts));
    }

    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    /** Reads one kind of answer; the parser is on the body's START_OBJECT. */
    interface Reader<T> {
        T read(JsonParser p) throws IOException;
    }

    /** Reads a successful answer's JSON object with {@code reader}. */
    static <T> T read(String body, int status, Reader<T> reader) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new HeraldApiException(status, "invalid_response", "expected a JSON object from Herald");
            }
            return reader.read(p);
        } catch (IOException e) {
            throw new HeraldApiException(status, "invalid_response", "Herald's response is not JSON: " + e.getMessage(), e);
        }
    }

    private static String write(Writer writer) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writer.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Reads {"id":…,"delivered":…}, or an {"error":{…}} object into an exception. */
    static Object publishedOrError(JsonParser p, int status) throws IOException {
        String id = null;
        int delivered = 0;
        boolean queued = false;
        boolean duplicate = false;
        HeraldApiException error = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            p.nextToken();
            switch (field) {
                case "id" -> id = p.getText();
                case "delivered" -> delivered = p.getIntValue();
                case "queued" -> queued = p.getBooleanValue();
                case "duplicate" -> duplicate = p.getBooleanValue();
                case "error" -> error = error(p, status);
                default -> p.skipChildren();
            }
        }
        return error != null ? error : new Published(id, delivered, queued, duplicate);
    }

    static HeraldApiException error(JsonParser p, int status) throws IOException {
        String code = "unknown";
        String message = "";
        String field;
        while ((field = p.nextFieldName()) != null) {
            p.nextToken();
            switch (field) {
                case "code" -> code = p.getText();
                case "message" -> message = p.getText();
                default -> p.skipChildren();
            }
        }
        return new HeraldApiException(status, code, message);
    }

    static Object parseObject(String body, int status) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new HeraldApiException(status, "invalid_response", "expected a JSON object from Herald");
            }
            return publishedOrError(p, status);
        } catch (IOException e) {
            return new HeraldApiException(status, "invalid_response", "Herald's response is not JSON: " + e.getMessage());
        }
    }

    /** Reads a receipt, or an {"error":{…}} object into an exception. */
    static Object parseReceipt(String body, int status) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new HeraldApiException(status, "invalid_response", "expected a JSON object from Herald");
            }
            String id = null;
            long ts = 0;
            long expiresAt = 0;
            List<Receipt.Recipient> recipients = new ArrayList<>();
            List<Delivery> deliveries = List.of();
            String field;
            while ((field = p.nextFieldName()) != null) {
                p.nextToken();
                switch (field) {
                    case "error" -> {
                        return error(p, status);
                    }
                    case "id" -> id = p.getText();
                    case "ts" -> ts = p.getLongValue();
                    case "expiresAt" -> expiresAt = p.getLongValue();
                    case "recipients" -> {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            recipients.add(recipient(p));
                        }
                    }
                    case "deliveries" -> deliveries = NotifyJson.deliveries(p);
                    default -> p.skipChildren();
                }
            }
            return new Receipt(id, ts, expiresAt, recipients, deliveries);
        } catch (IOException e) {
            return new HeraldApiException(status, "invalid_response", "Herald's response is not JSON: " + e.getMessage());
        }
    }

    private static Receipt.Recipient recipient(JsonParser p) throws IOException {
        String user = null;
        String status = null;
        Long delivered = null;
        Long acked = null;
        Long read = null;
        String field;
        while ((field = p.nextFieldName()) != null) {
            JsonToken t = p.nextToken();
            Long time = t == JsonToken.VALUE_NUMBER_INT ? p.getLongValue() : null;
            switch (field) {
                case "user" -> user = p.getText();
                case "status" -> status = p.getText();
                case "deliveredAt" -> delivered = time;
                case "ackedAt" -> acked = time;
                case "readAt" -> read = time;
                default -> p.skipChildren();
            }
        }
        return new Receipt.Recipient(user, status, delivered, acked, read);
    }

    static List<Object> parseBatch(String body, int status) {
        List<Object> results = new ArrayList<>();
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT || !"results".equals(p.nextFieldName()) || p.nextToken() != JsonToken.START_ARRAY) {
                throw new HeraldApiException(status, "invalid_response", "expected {\"results\":[…]} from Herald");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                results.add(publishedOrError(p, 200));
            }
        } catch (IOException e) {
            throw new HeraldApiException(status, "invalid_response", "Herald's response is not JSON: " + e.getMessage(), e);
        }
        return results;
    }
}
