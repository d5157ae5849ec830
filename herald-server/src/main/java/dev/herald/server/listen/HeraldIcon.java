package dev.herald.server.listen;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;

/**
 * Herald's 128×128 PNG icon, shipped in the jar and written to a real file: notification daemons take an icon as a
 * path, and GNOME shows a blank notice without one. Kept in {@code $XDG_CACHE_HOME/herald} (or {@code ~/.cache/herald}).
 */
public final class HeraldIcon {
    static final String RESOURCE = "/dev/herald/server/listen/herald-128.png";
    static final String FILE_NAME = "herald-128.png";

    private HeraldIcon() { }

    /** The icon's path, written (again) when missing or different from the shipped one. */
    public static Path install(Map<String, String> env) {
        String cache = env.get("XDG_CACHE_HOME");
        Path dir = cache != null && !cache.isBlank() ? Path.of(cache, "herald") : Path.of(System.getProperty("user.home"), ".cache", "herald");
        Path target = dir.resolve(FILE_NAME);
        try (InputStream in = HeraldIcon.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            byte[] png = in.readAllBytes();
            if (!Files.isRegularFile(target) || !Arrays.equals(Files.readAllBytes(target), png)) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, FILE_NAME, ".tmp");
                Files.write(tmp, png);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return target.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Herald's icon to " + target, e);
        }
    }
}
