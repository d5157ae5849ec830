package dev.herald.server.docs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runnable examples of one section of a Markdown document, in reading order: {@code curl} commands with
 * the status, body and pushed frames the text shows for them, browser-console WebSocket lines with the frames
 * they log, and the flags of {@code ./herald serve} lines (the settings the examples need).
 *
 * <p>What is read:
 * <ul>
 *   <li>{@code ```sh} blocks: {@code curl} commands (shell quoting, {@code \} continuations, trailing
 *       {@code # comments}); after a command, {@code # HTTP/1.1 202 Accepted} is its status, {@code # {…}} or
 *       {@code # […]} its body, and {@code # console: <frame>} or {@code # browser, … Messages: <frame>} the
 *       next frame the browser's {@code ws} receives. {@code ./herald serve --key value…} gives settings.</li>
 *   <li>A {@code ```json} block right after an {@code sh} block: the body of that block's last command.</li>
 *   <li>{@code ```js} blocks: {@code ws = new WebSocket('…')}, {@code ws.send('…')}, and {@code // <frame>}
 *       lines, the frames {@code ws} receives next ({@code ws.onmessage = …} only logs them).</li>
 * </ul>
 * Anything else in those blocks is refused, so an example the test cannot run does not pass unnoticed.
 */
final class DocWalkthrough {
    sealed interface Step permits Curl, Connect, SendFrame, ExpectFrame { }

    /** A {@code curl} command and what the text shows for it ({@code null}: not shown). */
    record Curl(String method, String url, Map<String, String> headers, String body, Integer status, String expectedBody,
                String source) implements Step {
        Curl withExpectedBody(String json) {
            return new Curl(method, url, headers, body, status, json, source);
        }

        Curl withStatus(int code) {
            return new Curl(method, url, headers, body, code, expectedBody, source);
        }
    }

    record Connect(String url) implements Step { }

    record SendFrame(String text) implements Step { }

    record ExpectFrame(String frame, String source) implements Step { }

    final List<Step> steps = new ArrayList<>();
    final Map<String, String> settings = new LinkedHashMap<>();

    private static final Pattern FENCE = Pattern.compile("(?ms)^```(\\w*)\\n(.*?)^```\\s*$");
    private static final Pattern STATUS = Pattern.compile("^HTTP/[0-9.]+ (\\d{3})\\b.*");
    private static final Pattern FRAME_COMMENT = Pattern.compile("^(?:console|browser, [^:]*Messages): (.*)$");
    private static final Pattern NEW_WS = Pattern.compile("^ws = new WebSocket\\('([^']*)'\\)\\s*(//.*)?$");
    private static final Pattern WS_SEND = Pattern.compile("^ws\\.send\\('([^']*)'\\)\\s*(//.*)?$");

    /** The examples between the heading line {@code from} and the next heading line {@code to} (exclusive). */
    static DocWalkthrough of(String document, String from, String to) {
        String markdown = "\n" + document;
        int start = markdown.indexOf("\n" + from + "\n");
        int end = markdown.indexOf("\n" + to + "\n", start + 1);
        if (start < 0 || end < 0) {
            throw new AssertionError("no section from '" + from + "' to '" + to + "'");
        }
        DocWalkthrough w = new DocWalkthrough();
        Matcher m = FENCE.matcher(markdown.substring(start, end));
        String previousLanguage = null;
        int previousEnd = -1;
        while (m.find()) {
            String language = m.group(1);
            String code = m.group(2);
            boolean adjacent = previousEnd >= 0 && m.group().length() > 0
                    && markdown.substring(start, end).substring(previousEnd, m.start()).isBlank();
            switch (language) {
                case "sh" -> w.shell(code);
                case "js" -> w.javascript(code);
                case "json" -> {
                    if (!"sh".equals(previousLanguage) || !adjacent || !(w.lastStep() instanceof Curl c)) {
                        throw new AssertionError("a json block that does not follow a curl command:\n" + code);
                    }
                    w.steps.set(w.steps.size() - 1, c.withExpectedBody(code.strip()));
                }
                default -> { } // html, java…: not run here
            }
            previousLanguage = language;
            previousEnd = m.end();
        }
        return w;
    }

    private Step lastStep() {
        return steps.isEmpty() ? null : steps.get(steps.size() - 1);
    }

    private void shell(String code) {
        for (String command : logicalLines(code)) {
            String line = command.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                comment(line.substring(1).strip());
                continue;
            }
            List<String> words = words(line);
            if (words.get(0).equals("curl") && words.contains("-N")) {
                continue; // an event stream, open until stopped: ReadmeSseExampleTest runs it with the real curl
            }
            if (words.get(0).equals("curl")) {
                steps.add(curl(words, line));
            } else if (words.size() >= 2 && words.get(0).equals("./herald") && words.get(1).equals("serve")) {
                for (int i = 2; i < words.size(); i += 2) {
                    if (!words.get(i).startsWith("--") || i + 1 >= words.size()) {
                        throw new AssertionError("not a --key value flag in: " + line);
                    }
                    settings.put(words.get(i).substring(2), words.get(i + 1));
                }
            } else {
                throw new AssertionError("a command the walkthrough test cannot run: " + line);
            }
        }
    }

    private void comment(String text) {
        Step last = lastStep();
        Matcher frame = FRAME_COMMENT.matcher(text);
        if (frame.matches()) {
            steps.add(new ExpectFrame(frame.group(1), text));
        } else if (last instanceof Curl c && STATUS.matcher(text).matches()) {
            Matcher s = STATUS.matcher(text);
            s.matches();
            steps.set(steps.size() - 1, c.withStatus(Integer.parseInt(s.group(1))));
        } else if (last instanceof Curl c && (text.startsWith("{") || text.startsWith("["))) {
            if (c.expectedBody() != null) {
                throw new AssertionError("two bodies shown for " + c.source());
            }
            steps.set(steps.size() - 1, c.withExpectedBody(text));
        }
        // other comments are prose
    }

    private void javascript(String code) {
        for (String raw : code.split("\n")) {
            String line = raw.strip();
            Matcher connect = NEW_WS.matcher(line);
            Matcher send = WS_SEND.matcher(line);
            if (line.isEmpty() || line.startsWith("ws.onmessage = ")) {
                continue;
            } else if (line.startsWith("// ")) {
                steps.add(new ExpectFrame(line.substring(3), line));
            } else if (connect.matches()) {
                steps.add(new Connect(connect.group(1)));
            } else if (send.matches()) {
                steps.add(new SendFrame(send.group(1)));
            } else {
                throw new AssertionError("a JavaScript line the walkthrough test cannot run: " + line);
            }
        }
    }

    private static Curl curl(List<String> words, String source) {
        String method = null;
        String url = null;
        String body = null;
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            switch (w) {
                case "-X" -> method = words.get(++i);
                case "-H" -> {
                    String[] h = words.get(++i).split(":\\s*", 2);
                    headers.put(h[0], h[1]);
                }
                case "-d", "--data" -> body = words.get(++i);
                case "-i" -> { } // prints the status line: shown as "# HTTP/1.1 …"
                default -> {
                    if (w.startsWith("-") || url != null) {
                        throw new AssertionError("a curl option the walkthrough test does not know: " + w + " in " + source);
                    }
                    url = w;
                }
            }
        }
        if (method == null) {
            method = body == null ? "GET" : "POST";
        }
        return new Curl(method, url, headers, body, null, null, source);
    }

    /** Splits shell code into commands and comment lines: newlines inside quotes or after {@code \} continue a command. */
    static List<String> logicalLines(String code) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (quote == 0 && c == '\\' && i + 1 < code.length() && code.charAt(i + 1) == '\n') {
                i++;
                current.append(' ');
                continue;
            }
            if (quote == 0 && c == '\n') {
                out.add(current.toString());
                current.setLength(0);
                continue;
            }
            if (quote == 0 && c == '#' && current.toString().isBlank()) {
                // a comment line: quotes in it are prose
                int endOfLine = code.indexOf('\n', i);
                endOfLine = endOfLine < 0 ? code.length() : endOfLine;
                current.append(code, i, endOfLine);
                i = endOfLine - 1;
                continue;
            }
            if (quote == 0 && c == '#' && (current.isEmpty() || Character.isWhitespace(current.charAt(current.length() - 1)))
                    && !current.toString().isBlank()) {
                // a trailing comment: skip to the end of the line
                while (i + 1 < code.length() && code.charAt(i + 1) != '\n') {
                    i++;
                }
                continue;
            }
            if (quote == 0 && (c == '\'' || c == '"')) {
                quote = c;
            } else if (quote == c && !(c == '"' && code.charAt(i - 1) == '\\')) {
                quote = 0;
            }
            current.append(c);
        }
        out.add(current.toString());
        return out;
    }

    /** Shell words: single quotes literal, double quotes with backslash escapes. */
    static List<String> words(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (Character.isWhitespace(c)) {
                if (w != null) {
                    out.add(w.toString());
                    w = null;
                }
                continue;
            }
            w = w == null ? new StringBuilder() : w;
            if (c == '\'') {
                int close = line.indexOf('\'', i + 1);
                w.append(line, i + 1, close);
                i = close;
            } else if (c == '"') {
                for (i++; line.charAt(i) != '"'; i++) {
                    if (line.charAt(i) == '\\') {
                        i++;
                    }
                    w.append(line.charAt(i));
                }
            } else {
                w.append(c);
            }
        }
        if (w != null) {
            out.add(w.toString());
        }
        return out;
    }
}
