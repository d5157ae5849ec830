package dev.herald.server.listen;

import org.freedesktop.dbus.annotations.DBusInterfaceName;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.exceptions.DBusExecutionException;
import org.freedesktop.dbus.interfaces.DBusInterface;
import org.freedesktop.dbus.types.UInt32;
import org.freedesktop.dbus.types.Variant;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Linux: calls {@code org.freedesktop.Notifications.Notify} on the session bus directly (the Desktop Notifications
 * Specification), with Herald's icon as a file path: GNOME shows nothing useful without one. The bus is the one
 * {@code DBUS_SESSION_BUS_ADDRESS} names; the connection is opened on first use and again after a failure.
 */
public final class DbusDesktopNotifier implements DesktopNotifier {
    static final String APP_NAME = "Herald";

    /** The specification's interface, as the notification daemon exports it. */
    @DBusInterfaceName("org.freedesktop.Notifications")
    public interface Notifications extends DBusInterface {
        @SuppressWarnings("checkstyle:MethodName") // D-Bus method names are the specification's
        UInt32 Notify(String appName, UInt32 replacesId, String appIcon, String summary, String body,
                      List<String> actions, Map<String, Variant<?>> hints, int expireTimeout);
    }

    private final String busAddress;
    private final Path icon;
    private DBusConnection connection;

    /** @param busAddress the session bus (env DBUS_SESSION_BUS_ADDRESS), or null when the process has none */
    public DbusDesktopNotifier(String busAddress, Path icon) {
        this.busAddress = busAddress;
        this.icon = icon;
    }

    @Override
    public void show(String title, String body, Urgency urgency, int timeoutMillis) throws DesktopUnavailableException {
        if (busAddress == null || busAddress.isBlank()) {
            throw new DesktopUnavailableException("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)", null);
        }
        try {
            if (connection == null) {
                connection = DBusConnectionBuilder.forAddress(busAddress).withShared(false).build();
            }
            Notifications service = connection.getRemoteObject("org.freedesktop.Notifications", "/org/freedesktop/Notifications", Notifications.class);
            Map<String, Variant<?>> hints = Map.of(
                    "urgency", new Variant<>((byte) urgency.ordinal()),
                    "image-path", new Variant<>(icon.toString()));
            service.Notify(APP_NAME, new UInt32(0), icon.toString(), title, body, List.of(), hints, timeoutMillis);
        } catch (DBusException | DBusExecutionException | IllegalStateException e) {
            close(); // the bus or the daemon went away: connect afresh next time
            throw new DesktopUnavailableException("no notification service answered on the D-Bus session bus (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String fix() {
        return "start a notification daemon in your desktop session (GNOME Shell, KDE Plasma, dunst, xfce4-notifyd, mako), "
                + "and run herald listen inside that session so DBUS_SESSION_BUS_ADDRESS points at its bus";
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // already gone
            }
            connection = null;
        }
    }
}
