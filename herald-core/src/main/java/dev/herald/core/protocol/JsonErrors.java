package dev.herald.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * Turns Jackson's parse errors into one short line for clients: where (line and column) and what was expected, never
 * the input itself. Jackson's own messages quote the offending token ({@code Unrecognized token 'hunter2'}), which
 * sends an unquoted secret straight back in the error; so only the kind of error is kept, in Herald's words.
 */
final class JsonErrors {
    /**
     * The factory of every parser of client JSON: a repeated field name is an error (otherwise the last {@code to}
     * would silently win), at any depth.
     */
    static final JsonFactory STRICT = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private JsonErrors() { }

    /** {@code "at line L, column C: what"} (no location when Jackson has none). */
    static String describe(JsonProcessingException e) {
        JsonLocation where = e.getLocation();
        String at = where == null || where.getLineNr() < 0 ? "" : "at line " + where.getLineNr() + ", column " + where.getColumnNr() + ": ";
        return at + what(e);
    }

    private static String what(JsonProcessingException e) {
        if (e instanceof StreamConstraintsException) {
            return "the JSON is nested too deeply or holds a value that is too long";
        }
        if (e instanceof InputCoercionException) {
            return "a number is out of range";
        }
        String m = String.valueOf(e.getOriginalMessage());
        if (m.startsWith("Duplicate field")) {
            return "a field name is repeated in an object";
        }
        if (m.contains("end-of-input")) {
            return "the JSON ends too early";
        }
        if (m.startsWith("Unrecognized token")) {
            return "expected a JSON value (strings need double quotes)";
        }
        if (m.startsWith("Illegal unquoted character")) {
            return "a control character in a string must be escaped";
        }
        if (m.startsWith("Unexpected close marker")) {
            return "a closing bracket does not match the opening one";
        }
        if (m.startsWith("Unrecognized character escape") || m.contains("escape sequence")) {
            return "invalid escape sequence in a string";
        }
        if (m.contains("numeric value") || m.contains("Numeric value")) {
            return "invalid number";
        }
        if (m.startsWith("Unexpected character")) {
            if (m.contains("comment")) {
                return "comments are not allowed in JSON";
            }
            // "Unexpected character ('x' (code 120)): was expecting comma …": after the code, Jackson's own words only
            int code = m.indexOf(" (code ");
            int rest = code < 0 ? -1 : m.indexOf("): ", code);
            String expected = rest < 0 ? "" : m.substring(rest + 3);
            if (expected.startsWith("was expecting ") || expected.startsWith("expected ")) {
                int internals = expected.indexOf(" (for ");
                return "unexpected character, " + (internals < 0 ? expected : expected.substring(0, internals));
            }
            return "unexpected character";
        }
        return "malformed JSON";
    }
}
