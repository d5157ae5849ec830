package dev.herald.server.store;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.herald.core.notify.Attempt;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.JobState;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.notify.SendResult;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How channel deliveries are laid out in {@code notify_jobs} rows (see {@code V2__notifications.sql}): the
 * {@link Notification} and the attempts as JSON text, the state as {@link JobState#wireName()}. Shared by
 * writes and reads. Stateless and thread-safe.
 */
final class NotifyRows {
    private static final JsonFactory JSON = new JsonFactory();

    /** The columns {@link #job} reads and {@link #INSERT_JOB} writes, in this order. */
    static final String JOB_COLUMNS = "id, message_id, channel, user_id, dest_channel, dest_address, dest_secret, content, "
            + "created_at, due_at, deadline, state, attempts, attempt_count, last_error";
    /** A job whose id is already stored is left as it is (an enqueue repeated after an unknown commit outcome). */
    static final String INSERT_JOB = "INSERT INTO notify_jobs (" + JOB_COLUMNS + ") "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";

    /** The states a claim or a completion applies to, as the partial index {@code notify_jobs_due} names them. */
    static final String LIVE = "state IN ('pending', 'waiting_ack')";

    private NotifyRows() { }

    /** Binds {@code job} to the parameters of {@link #INSERT_JOB}. */
    static void bind(PreparedStatement s, NotifyJob job) throws SQLException {
        Destination d = job.destination();
        s.setString(1, job.id());
        s.setString(2, job.messageId());
        s.setString(3, job.channel());
        s.setString(4, job.userId());
        s.setString(5, d == null ? null : d.channel());
        s.setString(6, d == null ? null : d.address());
        s.setString(7, d == null ? null : d.secret());
        s.setString(8, encodeContent(job.content()));
        s.setLong(9, job.createdAt());
        s.setLong(10, job.dueAt());
        s.setLong(11, job.deadline());
        s.setString(12, job.state().wireName());
        s.setString(13, encodeAttempts(job.attempts()));
        s.setInt(14, job.attemptCount());
        s.setString(15, job.lastError());
    }

    /** Reads the {@link #JOB_COLUMNS} of the current row. */
    static NotifyJob job(ResultSet rs) throws SQLException {
        String destChannel = rs.getString(5);
        Destination destination = destChannel == null ? null : new Destination(destChannel, rs.getString(6), rs.getString(7));
        return new NotifyJob(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), destination,
                decodeContent(rs.getString(8)), rs.getLong(9), rs.getLong(10), rs.getLong(11), state(rs.getString(12)),
                decodeAttempts(rs.getString(13)), rs.getInt(14), rs.getString(15));
    }

    static JobState state(String wireName) {
        return JobState.valueOf(wireName.toUpperCase(Locale.ROOT));
    }

    static String encodeContent(Notification n) {
        StringWriter out = new StringWriter(256 + n.text().length() + (n.dataJson() == null ? 0 : n.dataJson().length()));
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("deliveryId", n.deliveryId());
            g.writeStringField("messageId", n.messageId());
            g.writeStringField("userId", n.userId());
            g.writeNumberField("ts", n.timestamp());
            g.writeStringField("title", n.title());
            g.writeStringField("text", n.text());
            g.writeStringField("html", n.html());
            g.writeStringField("markdown", n.markdown());
            g.writeStringField("data", n.dataJson()); // as text: it must come back byte-exact
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static Notification decodeContent(String json) {
        String deliveryId = null, messageId = null, userId = null, title = null, text = null, html = null, markdown = null, data = null;
        long ts = 0;
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, json);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                String s = value == JsonToken.VALUE_NULL ? null : p.getText();
                switch (field) {
                    case "deliveryId" -> deliveryId = s;
                    case "messageId" -> messageId = s;
                    case "userId" -> userId = s;
                    case "ts" -> ts = p.getLongValue();
                    case "title" -> title = s;
                    case "text" -> text = s;
                    case "html" -> html = s;
                    case "markdown" -> markdown = s;
                    case "data" -> data = s;
                    default -> p.skipChildren(); // written by a newer version: ignored
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Notification(deliveryId, messageId, userId, ts, title, text, html, markdown, data);
    }

    /** The attempts as a JSON array, {@code null} for none (a new job). */
    static String encodeAttempts(List<Attempt> attempts) {
        if (attempts.isEmpty()) {
            return null;
        }
        StringWriter out = new StringWriter(attempts.size() * 96);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (Attempt a : attempts) {
                g.writeStartObject();
                g.writeNumberField("n", a.number());
                g.writeNumberField("at", a.at());
                g.writeNumberField("ms", a.latencyMs());
                g.writeStringField("outcome", a.outcome().name());
                g.writeNumberField("status", a.statusCode());
                g.writeStringField("error", a.error());
                g.writeEndObject();
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static List<Attempt> decodeAttempts(String json) {
        if (json == null) {
            return List.of();
        }
        List<Attempt> attempts = new ArrayList<>();
        try (JsonParser p = JSON.createParser(json)) {
            expect(p.nextToken(), JsonToken.START_ARRAY, json);
            while (p.nextToken() == JsonToken.START_OBJECT) {
                int number = 0, status = 0;
                long at = 0, latency = 0;
                SendResult.Outcome outcome = null;
                String error = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (field) {
                        case "n" -> number = p.getIntValue();
                        case "at" -> at = p.getLongValue();
                        case "ms" -> latency = p.getLongValue();
                        case "outcome" -> outcome = SendResult.Outcome.valueOf(p.getText());
                        case "status" -> status = p.getIntValue();
                        case "error" -> error = value == JsonToken.VALUE_NULL ? null : p.getText();
                        default -> p.skipChildren();
                    }
                }
                attempts.add(new Attempt(number, at, latency, outcome, status, error));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return attempts;
    }

    /** {@code attempts} plus {@code latest}, keeping the latest {@link NotifyJob#MAX_KEPT_ATTEMPTS}. */
    static List<Attempt> appended(List<Attempt> attempts, Attempt latest) {
        List<Attempt> all = new ArrayList<>(attempts.size() + 1);
        all.addAll(attempts);
        all.add(latest);
        return all.subList(Math.max(0, all.size() - NotifyJob.MAX_KEPT_ATTEMPTS), all.size());
    }

    private static void expect(JsonToken actual, JsonToken expected, String json) {
        if (actual != expected) {
            throw new IllegalStateException("not a JSON " + expected + " in notify_jobs: " + json.length() + " characters");
        }
    }
}
