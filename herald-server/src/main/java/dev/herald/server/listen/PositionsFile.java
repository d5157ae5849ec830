package dev.herald.server.listen;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code herald listen --state FILE}: the subscriber's resume positions ({@code inbox}, {@code all},
 * {@code topic:<name>} to {@code <pos>@<epoch>}) kept in a small JSON file, so a new process resumes each stream where
 * the last one stopped; without it, topics and broadcasts published while nothing listened are not replayed. Written
 * whole to a temporary file and moved into place, so a crash leaves the previous version. Thread-safe.
 */
public final class PositionsFile {
    private final Path file;

    public PositionsFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    /** The positions last saved; empty when the file does not exist yet. */
    public Map<String, String> load() {
        if (!Files.exists(file)) {
            return Map.of();
        }
        try {
            Map<String, String> positions = new LinkedHashMap<>();
            new JsonObject(Files.readString(file, StandardCharsets.UTF_8)).forEach(e -> {
                if (e.getValue() instanceof String cursor) {
                    positions.put(e.getKey(), cursor);
                }
            });
            return positions;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read --state " + file, e);
        } catch (DecodeException e) {
            throw new IllegalArgumentException("--state " + file + " is not a positions file written by herald listen: " + e.getMessage());
        }
    }

    public synchronized void save(Map<String, String> positions) {
        if (positions.isEmpty()) {
            return; // the subscriber had nothing to say (closed): keep what was saved
        }
        try {
            Path dir = file.getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, new JsonObject(new LinkedHashMap<>(positions)).encode() + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write --state " + file, e);
        }
    }
}
