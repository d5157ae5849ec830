package dev.herald.server.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The parts of README.md and docs/*.md written from code: each sits between
 * {@code <!-- generated:NAME … -->} and {@code <!-- /generated -->}; everything around them is hand-written
 * and left alone. {@link #drifted} tells which files no longer match the code, {@link #regenerate} rewrites
 * them. {@code GeneratedDocsTest} runs both: {@value #REGENERATE}.
 */
public final class GeneratedSections {
    /** The one command that rewrites every generated section (from the repository root). */
    public static final String REGENERATE = "./mvnw -q -o -pl herald-server -am test -Dtest=GeneratedDocsTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dherald.docs.regenerate=true";

    private static final String END = "<!-- /generated -->";

    /** File (relative to the repository root) → section name → its content. */
    static Map<String, Map<String, Supplier<String>>> sections() {
        Map<String, Map<String, Supplier<String>>> files = new LinkedHashMap<>();
        files.put("README.md", Map.of("config-keys", () -> ReferenceTables.settings(ReferenceTables.COMMON)));
        files.put("docs/configuration.md", Map.of("config-keys", () -> ReferenceTables.settings(ReferenceTables.ALL)));
        files.put("docs/errors.md", Map.of("error-codes", ReferenceTables::errorCodes, "error-frames", ReferenceTables::errorFrames));
        return files;
    }

    private GeneratedSections() { }

    /** The files under {@code root} whose generated sections differ from the code's, with a reason. */
    public static List<String> drifted(Path root) throws IOException {
        List<String> out = new ArrayList<>();
        for (var file : sections().entrySet()) {
            String text = Files.readString(root.resolve(file.getKey()), StandardCharsets.UTF_8);
            String wanted = render(file.getKey(), text, file.getValue());
            if (!wanted.equals(text)) {
                out.add(file.getKey());
            }
        }
        return out;
    }

    /** Rewrites the generated sections of every file under {@code root}; returns the files it changed. */
    public static List<String> regenerate(Path root) throws IOException {
        List<String> changed = new ArrayList<>();
        for (var file : sections().entrySet()) {
            Path path = root.resolve(file.getKey());
            String text = Files.readString(path, StandardCharsets.UTF_8);
            String wanted = render(file.getKey(), text, file.getValue());
            if (!wanted.equals(text)) {
                Files.writeString(path, wanted, StandardCharsets.UTF_8);
                changed.add(file.getKey());
            }
        }
        return changed;
    }

    /** {@code text} with each named section's body replaced; a missing or unclosed marker is an error. */
    static String render(String file, String text, Map<String, Supplier<String>> bodies) {
        String out = text;
        for (var section : bodies.entrySet()) {
            String open = "<!-- generated:" + section.getKey();
            int start = out.indexOf(open);
            if (start < 0 || out.indexOf(open, start + 1) >= 0) {
                throw new IllegalStateException(file + ": needs exactly one '" + open + " -->' … '" + END + "' section");
            }
            int bodyStart = out.indexOf("-->", start);
            int end = bodyStart < 0 ? -1 : out.indexOf(END, bodyStart);
            if (end < 0) {
                throw new IllegalStateException(file + ": '" + open + "' is not closed by '" + END + "'");
            }
            bodyStart = out.indexOf('\n', bodyStart) + 1;
            out = out.substring(0, bodyStart) + section.getValue().get() + out.substring(end);
        }
        return out;
    }

    /** {@code java -cp herald.jar dev.herald.server.docs.GeneratedSections [repository root]}: regenerates in place. */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : ".");
        List<String> changed = regenerate(root);
        System.out.println(changed.isEmpty() ? "generated sections are up to date" : "regenerated: " + String.join(", ", changed));
    }
}
