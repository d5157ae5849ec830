package dev.herald.server.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.herald.core.message.Target;
import dev.herald.core.store.StoredMessage;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** How messages and streams are laid out in rows; shared by writes and reads. Stateless and thread-safe. */
final class StoreRows {
    private static final JsonFactory JSON = new JsonFactory();

    /** The columns {@link #message} reads, in its order. */
    static final String MESSAGE_COLUMNS = "m.id, m.ts, m.expires_at, m.data, m.users, m.topics, m.to_all, m.idempotency_key, m.recipient";
    static final int MESSAGE_COLUMN_COUNT = 9;

    static final String USER_PREFIX = "u:";

    private StoreRows() { }

    /** The stream key of a target: {@code u:<user>}, {@code t:<topic>} or {@code *}. */
    static String streamKey(Target target) {
        return switch (target) {
            case Target.User u -> USER_PREFIX + u.userId();
            case Target.Topic t -> "t:" + t.name();
            case Target.Everyone e -> "*";
        };
    }

    /**
     * The user a message to exactly one user is for, or {@code null}: such a message keeps that user in
     * {@code messages.recipient} (and {@code users} NULL) and the user's delivery status in its own row, with no
     * {@code recipients} row (V7: about 54 B of pages less per message).
     */
    static String soloRecipient(StoredMessage m) {
        return m.users().size() == 1 ? m.users().get(0) : null;
    }

    /** What {@code messages.users} holds: the users as a JSON array, {@code null} for none or a {@link #soloRecipient}. */
    static String encodeUsers(StoredMessage m) {
        return m.users().size() == 1 ? null : encodeList(m.users());
    }

    /** A list as a JSON array of strings, {@code null} for an empty list (the common case for topics). */
    static String encodeList(List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        StringWriter out = new StringWriter(values.size() * 16);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static List<String> decodeList(String json) {
        if (json == null) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalStateException("not a JSON array in the store: " + json);
            }
            while (p.nextToken() == JsonToken.VALUE_STRING) {
                values.add(p.getText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return values;
    }

    /** Reads the {@link #MESSAGE_COLUMNS} of the current row. */
    static StoredMessage message(ResultSet rs) throws SQLException {
        String recipient = rs.getString(9);
        return new StoredMessage(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4),
                recipient != null ? List.of(recipient) : decodeList(rs.getString(5)), decodeList(rs.getString(6)),
                rs.getInt(7) == 1, rs.getString(8));
    }
}
