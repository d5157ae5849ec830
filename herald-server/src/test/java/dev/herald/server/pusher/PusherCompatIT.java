package dev.herald.server.pusher;

import dev.herald.server.config.Setting;
import dev.herald.server.testing.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The Pusher ecosystem against Herald's Pusher endpoint ({@code clients/pusher-compat}, {@code npm test}): pusher-js,
 * laravel-echo and the {@code pusher} server SDK at the versions of its package-lock.json, in Node, against the packaged
 * jar started as a child process (a restart included), two such processes as a cluster on Redis and PostgreSQL, and
 * pusher-js's web bundle in headless Chromium. Missing tools fail this test rather than skip it.
 */
class PusherCompatIT {
    private static final Path COMPAT = Path.of("..", "clients", "pusher-compat").toAbsolutePath().normalize();

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void pusher_js_laravel_echo_and_the_pusher_server_sdk_work_against_herald_unchanged() throws Exception {
        String jar = System.getProperty("herald.jar");
        assertThat(jar).as("herald.jar system property (set by failsafe)").isNotNull();
        assertThat(Path.of(jar)).as("the packaged server").exists();
        for (String p : List.of("pusher-js", "laravel-echo", "pusher", "playwright-core")) {
            if (!Files.isDirectory(COMPAT.resolve("node_modules").resolve(p))) {
                fail(p + " is not installed in " + COMPAT + ": clients/pusher-compat/test-tools.sh (run by ./mvnw verify) does it");
            }
        }
        // cluster.test.js runs two nodes as child processes on a PostgreSQL database and a Redis prefix of their own
        try (TestCluster cluster = new TestCluster()) {
            Map<Setting, String> node = cluster.settings("compat", TestCluster.REDIS.getPort(), TestCluster.postgresPort(), Map.of());
            run(jar, Map.of("HERALD_CLUSTER_STORE", node.get(Setting.STORE), "HERALD_CLUSTER_BROKER", node.get(Setting.BROKER),
                    "HERALD_CLUSTER_PREFIX", node.get(Setting.CLUSTER_CHANNEL_PREFIX)));
        }
    }

    private static void run(String jar, Map<String, String> env) throws Exception {
        ProcessBuilder npm = new ProcessBuilder("npm", "test").directory(COMPAT.toFile()).redirectErrorStream(true);
        npm.environment().putAll(env);
        npm.environment().put("HERALD_JAR", jar);
        npm.environment().put("CHROMIUM", chromium().toString());
        npm.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process process = npm.start();
        List<String> failures = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("[pusher-compat] " + line); // streamed: a slow test shows where it is
                if (line.startsWith("not ok ")) {
                    failures.add(line);
                }
            }
        }
        int exit = process.waitFor();
        assertThat(exit).as("npm test in %s exited with %d (whole output: failsafe-reports/%s-output.txt); failed:%n%s",
                COMPAT, exit, PusherCompatIT.class.getName(), String.join("\n", failures)).isZero();
    }

    /** The Chromium clients/js/test-tools.sh found (or installed) before the integration tests, for browser.test.js. */
    private static Path chromium() throws java.io.IOException {
        String file = System.getProperty("herald.chromium.file");
        assertThat(file).as("herald.chromium.file system property (set by failsafe)").isNotNull();
        assertThat(Path.of(file)).as("the Chromium path clients/js/test-tools.sh writes before the integration tests").exists();
        Path chromium = Path.of(Files.readString(Path.of(file)).strip());
        if (!Files.isExecutable(chromium)) {
            fail("Chromium is missing at " + chromium + ": apt-get install -y chromium, or set CHROMIUM");
        }
        return chromium;
    }
}
