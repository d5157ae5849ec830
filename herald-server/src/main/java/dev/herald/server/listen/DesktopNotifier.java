package dev.herald.server.listen;

/**
 * Shows one native desktop notification. Implementations per platform: {@link DbusDesktopNotifier} (Linux,
 * org.freedesktop.Notifications), {@link OsascriptDesktopNotifier} (macOS), {@link PowerShellDesktopNotifier}
 * (Windows). Called from one thread at a time ({@link DesktopNotices}); may block for up to a few seconds.
 */
public interface DesktopNotifier extends AutoCloseable {
    /** Low, normal or critical, as the freedesktop specification names them (0, 1, 2). */
    enum Urgency { LOW, NORMAL, CRITICAL }

    /**
     * Shows a notification.
     *
     * @param timeoutMillis how long it stays, -1 for the desktop's default, 0 for until dismissed
     * @throws DesktopUnavailableException when no notification service could show it
     */
    void show(String title, String body, Urgency urgency, int timeoutMillis) throws DesktopUnavailableException;

    /** One line: why notifications may not appear on this platform and what to do about it (the usual pitfalls). */
    String fix();

    @Override
    default void close() { }

    /** No notification service could be reached, or it refused the notification. */
    final class DesktopUnavailableException extends Exception {
        public DesktopUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
