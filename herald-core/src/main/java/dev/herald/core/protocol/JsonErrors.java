package dev.herald.core.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;

/** Turns Jackson's parse errors into one short line for API callers (no parser internals). */
final class JsonErrors {
    private JsonErrors() { }

    static String describe(JsonProcessingException e) {
        String message = String.valueOf(e.getOriginalMessage());
        int internals = message.indexOf(" (start marker at");
        if (internals < 0) {
            internals = message.indexOf("\n");
        }
        return internals < 0 ? message : message.substring(0, internals);
    }
}
