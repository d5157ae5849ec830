package dev.herald.server.listen;

import java.nio.file.Path;
import java.util.List;

/**
 * Windows: a toast through PowerShell's access to the WinRT notification API. The title, body and icon path are
 * passed as script arguments ($args), never spliced into the script. Untested on this project's machines.
 */
public final class PowerShellDesktopNotifier implements DesktopNotifier {
    private static final String SCRIPT = String.join("; ",
            "[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] > $null",
            "$t = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent([Windows.UI.Notifications.ToastTemplateType]::ToastImageAndText02)",
            "$x = $t.GetElementsByTagName('text')",
            "$x.Item(0).AppendChild($t.CreateTextNode($args[0])) > $null",
            "$x.Item(1).AppendChild($t.CreateTextNode($args[1])) > $null",
            "$t.GetElementsByTagName('image').Item(0).SetAttribute('src', $args[2])",
            "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('Herald').Show([Windows.UI.Notifications.ToastNotification]::new($t))");

    private final Path icon;

    public PowerShellDesktopNotifier(Path icon) {
        this.icon = icon;
    }

    @Override
    public void show(String title, String body, Urgency urgency, int timeoutMillis) throws DesktopUnavailableException {
        OsascriptDesktopNotifier.Commands.run(List.of("powershell.exe", "-NoProfile", "-NonInteractive", "-Command",
                "& {" + SCRIPT + "}", title, body, icon.toString()));
    }

    @Override
    public String fix() {
        return "Windows blocks toasts from elevated processes: run herald listen from a shell that is not \"Run as administrator\", "
                + "and check that notifications and Focus assist allow them";
    }
}
