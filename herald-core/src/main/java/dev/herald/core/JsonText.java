package dev.herald.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

import dev.herald.core.error.ErrorCode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
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
        if (!needsEscape(s)) {
            // the common text (a seed's /send message): one String built, not Jackson's char[], a builder and a copy
            return "\"" + s + "\"";
        }
        char[] escaped = JsonStringEncoder.getInstance().quoteAsString(s);
        return new StringBuilder(escaped.length + 2).append('"').append(escaped).append('"').toString();
    }

    /** Whether Jackson's {@code quoteAsString} changes {@code s}: it escapes controls below U+0020, {@code "} and {@code \\} only. */
    static boolean needsEscape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code bytes} decoded as UTF-8, strictly: a malformed or truncated sequence, an encoded surrogate or an overlong
     * form is {@code invalid_json} (RFC 8259 §8.1 requires UTF-8), where a lenient decoding would put U+FFFD in the
     * message's data instead of the bytes that were sent. The message names the byte offset, not the bytes.
     */
    public static String strictUtf8(ByteBuffer bytes) {
        int start = bytes.position();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        CharBuffer out = CharBuffer.allocate(bytes.remaining());
        CoderResult result = utf8.decode(bytes, out, true);
        if (!result.isError()) {
            result = utf8.flush(out);
        }
        if (result.isError()) {
            throw ErrorCode.INVALID_JSON.exception("the body is not valid UTF-8 (at byte " + (bytes.position() - start) + ")");
        }
        return out.flip().toString();
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
