package dev.herald.server.listen;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A private Linux desktop for tests: an X server (Xvfb), a D-Bus session bus of its own (dbus-run-session, with no
 * service files, so a stopped daemon is not restarted behind the test's back), the dunst notification daemon, and
 * dbus-monitor recording every Notify call. The tools come from Debian's dbus, xvfb and dunst packages (.ci/run
 * installs them); without them the test fails saying so.
 */
final class DesktopSession implements AutoCloseable {
    static final List<String> TOOLS = List.of("Xvfb", "dbus-run-session", "dbus-monitor", "dbus-send", "dunst");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final Process bus;
    private final String display;
    private final String busAddress;
    private Process dunst;
    private final Path monitorLog;

    DesktopSession() throws IOException, InterruptedException {
        List<String> missing = TOOLS.stream().filter(t -> !onPath(t)).toList();
        if (!missing.isEmpty()) {
            // as root with apt-get, desktop-tools.sh installs them (as clients/js/test-tools.sh does for Chromium)
            Process install = new ProcessBuilder("bash", "desktop-tools.sh").inheritIO().start();
            if (!install.waitFor(10, java.util.concurrent.TimeUnit.MINUTES) || install.exitValue() != 0) {
                install.destroyForcibly();
                throw new AssertionError("the desktop test needs " + missing + " on the PATH: apt-get install -y --no-install-recommends "
                        + "dbus dbus-bin xvfb dunst (herald-server/desktop-tools.sh could not install them)");
            }
        }
        dir = Files.createTempDirectory("herald-desktop");
        Path displayFile = dir.resolve("display");
        Process xvfb = start(List.of("sh", "-c", "exec Xvfb -displayfd 3 -screen 0 800x600x24 -nolisten tcp 3>\"$0\"", displayFile.toString()), Map.of(), "xvfb");
        await().atMost(WAIT).until(() -> xvfb.isAlive() && Files.exists(displayFile) && !Files.readString(displayFile).isBlank());
        display = ":" + Files.readString(displayFile).strip();

        Path config = dir.resolve("session.conf");
        Files.writeString(config, """
                <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
                 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
                <busconfig>
                  <type>session</type>
                  <listen>unix:dir=%s</listen>
                  <auth>EXTERNAL</auth>
                  <policy context="default">
                    <allow send_destination="*" eavesdrop="true"/>
                    <allow eavesdrop="true"/>
                    <allow own="*"/>
                  </policy>
                </busconfig>
                """.formatted(dir));
        Path addressFile = dir.resolve("bus-address");
        // the session lives as long as its command, which waits on its stdin: closed by close()
        bus = start(List.of("dbus-run-session", "--config-file=" + config, "--", "sh", "-c",
                "echo \"$DBUS_SESSION_BUS_ADDRESS\" > \"$0\"; exec cat", addressFile.toString()), Map.of(), "dbus");
        await().atMost(WAIT).until(() -> Files.exists(addressFile) && Files.readString(addressFile).endsWith("\n"));
        busAddress = Files.readString(addressFile).strip();

        monitorLog = dir.resolve("dbus-monitor.log");
        Process monitor = new ProcessBuilder("dbus-monitor", "--address", busAddress,
                "interface='org.freedesktop.Notifications',member='Notify'")
                .redirectErrorStream(true).redirectOutput(monitorLog.toFile()).start();
        processes.add(monitor);
        await().atMost(WAIT).until(() -> Files.size(monitorLog) > 0); // its own NameAcquired signal: it is listening
        startDaemon();
    }

    /** Starts dunst and waits until it owns org.freedesktop.Notifications. */
    void startDaemon() throws IOException {
        dunst = start(List.of("dunst"), Map.of("DISPLAY", display), "dunst");
        await().atMost(WAIT).until(this::daemonRunning);
    }

    /** Stops dunst and waits until the bus name is gone. */
    void stopDaemon() throws InterruptedException {
        dunst.destroy();
        dunst.waitFor(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> !daemonRunning());
    }

    boolean daemonRunning() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dbus-send", "--bus=" + busAddress, "--print-reply", "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.Notifications")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out.contains("boolean true");
    }

    String busAddress() {
        return busAddress;
    }

    Path dir() {
        return dir;
    }

    /** What dbus-monitor printed so far: one block per Notify call. */
    String monitorOutput() throws IOException {
        return Files.readString(monitorLog);
    }

    /** The arguments of each Notify call seen so far, as dbus-monitor printed them (strings unquoted). */
    List<List<String>> notifyCalls() throws IOException {
        List<List<String>> calls = new ArrayList<>();
        List<String> call = null;
        for (String line : monitorOutput().lines().toList()) {
            if (line.startsWith("method call") && line.contains("member=Notify")) {
                call = new ArrayList<>();
                calls.add(call);
            } else if (line.startsWith("method call") || line.startsWith("signal")) {
                call = null;
            } else if (call != null && line.startsWith("   ") && !line.startsWith("    ")) {
                String arg = line.strip();
                call.add(arg.startsWith("string \"") ? arg.substring(8, arg.length() - 1) : arg);
            }
        }
        return calls;
    }

    private Process start(List<String> command, Map<String, String> env, String name) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        if (!env.containsKey("DBUS_SESSION_BUS_ADDRESS") && busAddress != null) {
            pb.environment().put("DBUS_SESSION_BUS_ADDRESS", busAddress);
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        for (Process p : processes.reversed()) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        try {
            bus.getOutputStream().close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
