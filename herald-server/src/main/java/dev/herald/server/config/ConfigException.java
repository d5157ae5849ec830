package dev.herald.server.config;

/** Invalid or incomplete configuration. The message names the key and what is wrong; never its secret value. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message, null, false, false);
    }
}
