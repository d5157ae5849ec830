package dev.herald.server.listen;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * macOS: {@code osascript -e 'display notification …'}, with the title and body passed as arguments (argv, never
 * spliced into the script), so a message cannot inject AppleScript. Untested on this project's machines.
 */
public final class OsascriptDesktopNotifier implements DesktopNotifier {
    private static final String SCRIPT = "on run argv\ndisplay notification (item 2 of argv) with title (item 1 of argv)\nend run";

    @Override
    public void show(String title, String body, Urgency urgency, int timeoutMillis) throws DesktopUnavailableException {
        Commands.run(List.of("osascript", "-e", SCRIPT, title, body));
    }

    @Override
    public String fix() {
        return "macOS files these notices under the app that runs herald (Terminal, iTerm…): allow notifications for it in "
                + "System Settings > Notifications, and check Focus";
    }

    /** Runs a short command and waits for it; a failure to start or a non-zero exit means no notice was shown. */
    static final class Commands {
        private Commands() { }

        static void run(List<String> argv) throws DesktopUnavailableException {
            try {
                Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new DesktopUnavailableException(argv.get(0) + " did not finish within 10 s", null);
                }
                if (p.exitValue() != 0) {
                    throw new DesktopUnavailableException(argv.get(0) + " exited with " + p.exitValue(), null);
                }
            } catch (IOException e) {
                throw new DesktopUnavailableException(argv.get(0) + " could not run: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DesktopUnavailableException("interrupted", e);
            }
        }
    }
}
