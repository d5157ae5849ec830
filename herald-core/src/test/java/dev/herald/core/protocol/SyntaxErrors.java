package dev.herald.core.protocol;

import java.util.regex.Pattern;

/**
 * The fuzz targets' oracle for "errors never echo the input": a JSON syntax error's message has one of a few shapes
 * whose only free text is Jackson's fixed description of what it expected.
 */
final class SyntaxErrors {
    private SyntaxErrors() { }

    static final Pattern SHAPE = Pattern.compile(
            "invalid JSON|unexpected content after the JSON (object|value)"
            + "|invalid JSON at line \\d+, column \\d+: (the JSON is nested too deeply or holds a value that is too long"
            + "|a number is out of range|a field name is repeated in an object|the JSON ends too early"
            + "|expected a JSON value \\(strings need double quotes\\)|a control character in a string must be escaped"
            + "|a closing bracket does not match the opening one|invalid escape sequence in a string|invalid number"
            + "|malformed JSON|comments are not allowed in JSON|unexpected character(, (was expecting|expected) [A-Za-z ,'()\\-]+)?)");
}
