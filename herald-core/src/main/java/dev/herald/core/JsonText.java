package dev.herald.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Small JSON text helpers shared by the codec and the API. */
public final class JsonText {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private JsonText() { }

    /**
     * What a seed-protocol client receives for a message whose data is {@code dataJson}: the string's
     * content when the data is a JSON string, otherwise the JSON text itself (as at publish time).
     */
    public static byte[] rawBody(String dataJson) {
        try (JsonParser p = JSON.createParser(dataJson)) {
            if (p.nextToken() == JsonToken.VALUE_STRING) {
                return p.getText().getBytes(StandardCharsets.UTF_8);
            }
            return dataJson.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("stored data is not JSON", e);
        }
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        char[] escaped = JsonStringEncoder.getInstance().quoteAsString(s);
        return new StringBuilder(escaped.length + 2).append('"').append(escaped).append('"').toString();
    }

    /** {@code s} shortened and stripped of control characters, safe to echo in an error message or log. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && sb.length() < 64; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 64 ? sb + "…" : sb.toString();
    }
}
