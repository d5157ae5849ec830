package dev.herald.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Parses client text frames into {@link ClientFrame}s. Thread-safe and allocation-light. */
public final class ClientFrameParser {
    private static final JsonFactory JSON = JsonErrors.STRICT;
    /** Longest string value Herald reads from a frame (tokens included); the frame size limit bounds the rest. */
    static final int MAX_FIELD_LENGTH = 16 * 1024;
    /** Longest list ({@code topics}, {@code ids}) Herald reads from a frame. */
    static final int MAX_LIST_LENGTH = 1_000;

    public ClientFrame parse(String text) throws ProtocolError.Failure {
        try (JsonParser p = JSON.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ProtocolError.Failure(ProtocolError.INVALID_JSON, "a frame must be a JSON object");
            }
            String type = null, token = null, uid = null, since = null, sinceAll = null, id = null, ref = null;
            List<String> topics = null;
            List<String> ids = null;
            String field;
            while ((field = p.nextFieldName()) != null) {
                JsonToken value = p.nextToken();
                switch (field) {
                    case "type" -> type = string(p, value, field);
                    case "token" -> token = string(p, value, field);
                    case "uid" -> uid = scalar(p, value, field);
                    case "since" -> since = string(p, value, field);
                    case "sinceAll" -> sinceAll = string(p, value, field);
                    case "id" -> id = scalar(p, value, field);
                    case "ref" -> ref = scalar(p, value, field);
                    case "topic" -> topics = List.of(string(p, value, field));
                    case "topics" -> topics = strings(p, value, field);
                    case "ids" -> ids = strings(p, value, field);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new ProtocolError.Failure(ProtocolError.INVALID_JSON, "unexpected content after the JSON object");
            }
            return new ClientFrame(type, token, uid, since, sinceAll, topics, id, ids, ref);
        } catch (JsonProcessingException e) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_JSON, "invalid JSON " + JsonErrors.describe(e));
        } catch (IOException e) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_JSON, "invalid JSON");
        }
    }

    private static String string(JsonParser p, JsonToken value, String field) throws IOException, ProtocolError.Failure {
        if (value != JsonToken.VALUE_STRING) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_FRAME, field + " must be a string");
        }
        return bounded(p.getText(), field);
    }

    /** Strings, or integers written as numbers (the seed sends {@code {"uid": 123}} as often as {@code "123"}). */
    private static String scalar(JsonParser p, JsonToken value, String field) throws IOException, ProtocolError.Failure {
        if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NUMBER_INT) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_FRAME, field + " must be a string");
        }
        return bounded(p.getText(), field);
    }

    private static List<String> strings(JsonParser p, JsonToken value, String field) throws IOException, ProtocolError.Failure {
        if (value != JsonToken.START_ARRAY) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_FRAME, field + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (out.size() == MAX_LIST_LENGTH) {
                throw new ProtocolError.Failure(ProtocolError.INVALID_FRAME, field + " holds at most " + MAX_LIST_LENGTH + " entries");
            }
            out.add(string(p, t, field));
        }
        return out;
    }

    private static String bounded(String s, String field) throws ProtocolError.Failure {
        if (s.length() > MAX_FIELD_LENGTH) {
            throw new ProtocolError.Failure(ProtocolError.INVALID_FRAME, field + " is too long");
        }
        return s;
    }
}
