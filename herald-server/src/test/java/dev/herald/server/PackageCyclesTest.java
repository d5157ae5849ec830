package dev.herald.server;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The server's rooms (the packages right under {@code dev.herald.server}, each with its sub-packages:
 * {@code notify} holds {@code notify.webhook}, {@code notify.http}…) depend on each other without cycles, so
 * each can be read, tested and changed from the rooms below it. The composition root ({@code dev.herald.server}
 * itself) may use every room.
 *
 * <p>Read from the sources, not the class files: javac inlines constants ({@code static final int}), so a
 * dependency through one leaves no trace in the bytecode. Every {@code dev.herald.server.<room>} reference in
 * code counts (imports and qualified names); comments do not.
 */
class PackageCyclesTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/herald/server");
    private static final String ROOT = "(composition root)";
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.herald\\.server\\.(\\w+)");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void rooms_form_no_cycle() {
        Map<String, Set<String>> uses = roomGraph();

        assertThat(uses).as("the room graph was read").containsKeys("notify", "receipts", "config");
        assertThat(cycles(uses)).as("room dependencies: %s", uses).isEmpty();
    }

    @Test
    void notify_uses_neither_config_nor_receipts() {
        Map<String, Set<String>> uses = roomGraph();

        // the channels know nothing of the configuration (the composition root reads it) nor of the receipt
        // webhook, which is a client of the notify pipeline
        assertThat(uses.getOrDefault("notify", Set.of())).doesNotContain("config", "receipts");
        assertThat(uses.get("receipts")).doesNotContain("config");
    }

    /** Room → the other rooms its code names. */
    private static Map<String, Set<String>> roomGraph() {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path dir = SOURCES.relativize(file.getParent());
                String room = dir.toString().isEmpty() ? ROOT : dir.getName(0).toString();
                Set<String> used = uses.computeIfAbsent(room, r -> new TreeSet<>());
                Matcher m = REFERENCE.matcher(COMMENTS.matcher(Files.readString(file)).replaceAll(""));
                while (m.find()) {
                    String name = m.group(1);
                    String target = Character.isUpperCase(name.charAt(0)) ? ROOT : name;
                    if (!target.equals(room)) {
                        used.add(target);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return uses;
    }

    /** The strongly connected groups of more than one room (Tarjan's algorithm). */
    private static List<Set<String>> cycles(Map<String, Set<String>> uses) {
        return new Object() {
            final Map<String, Integer> index = new TreeMap<>();
            final Map<String, Integer> low = new TreeMap<>();
            final List<String> stack = new ArrayList<>();
            final List<Set<String>> found = new ArrayList<>();

            List<Set<String>> run() {
                for (String room : uses.keySet()) {
                    if (!index.containsKey(room)) {
                        visit(room);
                    }
                }
                return found;
            }

            void visit(String room) {
                index.put(room, index.size());
                low.put(room, index.get(room));
                stack.add(room);
                for (String next : uses.getOrDefault(room, Set.of())) {
                    if (!index.containsKey(next)) {
                        visit(next);
                        low.put(room, Math.min(low.get(room), low.get(next)));
                    } else if (stack.contains(next)) {
                        low.put(room, Math.min(low.get(room), index.get(next)));
                    }
                }
                if (low.get(room).equals(index.get(room))) {
                    Set<String> group = new TreeSet<>();
                    String member;
                    do {
                        member = stack.removeLast();
                        group.add(member);
                    } while (!member.equals(room));
                    if (group.size() > 1) {
                        found.add(Set.copyOf(group));
                    }
                }
            }
        }.run();
    }
}
