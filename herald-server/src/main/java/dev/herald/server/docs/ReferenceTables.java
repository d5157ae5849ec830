package dev.herald.server.docs;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.protocol.ProtocolError;
import dev.herald.server.config.Setting;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The reference tables of the docs, written from the code that defines them: the settings ({@link Setting})
 * and the error catalog ({@link ErrorCode}, {@link ProtocolError}). {@code herald config --keys} prints
 * {@link #settings}; {@link GeneratedSections} puts all of them into README.md and docs/*.md, and a test
 * fails when a file no longer matches.
 */
public final class ReferenceTables {
    private ReferenceTables() { }

    /** Every setting. */
    public static final Predicate<Setting> ALL = s -> true;

    /**
     * The README's selection: everything but the notification channels' settings ({@code notify.*},
     * {@code email.*}), which docs/configuration.md and docs/channels.md describe.
     */
    public static final Predicate<Setting> COMMON = s -> !s.key().startsWith("notify.") && !s.key().startsWith("email.");

    /** A Markdown table of the settings: key, env var, unit, default, meaning. */
    public static String settings(Predicate<Setting> which) {
        StringBuilder out = new StringBuilder("| key | env var | unit | default | meaning |\n|---|---|---|---|---|\n");
        for (Setting s : Setting.values()) {
            if (which.test(s)) {
                out.append("| `").append(s.key()).append("` | `").append(s.envName()).append("` | ").append(s.unit()).append(" | ")
                        .append(s.defaultValue().isEmpty() ? "—" : "`" + s.defaultValue() + "`").append(" | ")
                        .append(cell(s.description())).append(" |\n");
            }
        }
        return out.toString();
    }

    /** A Markdown table of the HTTP error catalog, by status then code: HTTP, code, meaning, retryable. */
    public static String errorCodes() {
        StringBuilder out = new StringBuilder("| HTTP | code | meaning | retry? |\n|---|---|---|---|\n");
        Arrays.stream(ErrorCode.values())
                .sorted(Comparator.comparingInt(ErrorCode::httpStatus).thenComparing(ErrorCode::code))
                .forEach(e -> out.append("| ").append(e.httpStatus()).append(" | `").append(e.code()).append("` | ")
                        .append(cell(e.defaultMessage())).append(" | ").append(e.retryable() ? "yes, with backoff" : "no").append(" |\n"));
        return out.toString();
    }

    /** The codes of WebSocket error frames, in catalog order, as one Markdown line. */
    public static String errorFrames() {
        List<String> codes = Arrays.stream(ProtocolError.values()).map(p -> "`" + p.code() + "`").toList();
        return codes.stream().collect(Collectors.joining(", ")) + "\n";
    }

    /** Text fit for a table cell: Markdown renderers would drop {@code <key>} as an unknown HTML tag. */
    private static String cell(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|").replace("\n", " ");
    }
}
