package dev.herald.server.web;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The browser SDK's own tests ({@code clients/js}, {@code npm test}): unit tests in Node, then end-to-end
 * tests in headless Chromium against the packaged jar started as a child process (restarts included).
 * Missing tools fail this test rather than skip it: a green build must mean the SDK was tested.
 */
class BrowserSdkIT {
    private static final Path CLIENTS_JS = Path.of("..", "clients", "js").toAbsolutePath().normalize();
    /** clients/js/test-tools.sh, run by Maven before the integration tests, writes the Chromium it found here. */
    private static final String CHROMIUM_FILE = "herald.chromium.file";

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void the_browser_sdk_tests_pass_in_node_and_headless_chromium() throws Exception {
        String jar = System.getProperty("herald.jar");
        assertThat(jar).as("herald.jar system property (set by failsafe)").isNotNull();
        assertThat(Path.of(jar)).as("the packaged server").exists();
        Path chromium = requireTools();

        ProcessBuilder npm = new ProcessBuilder("npm", "test").directory(CLIENTS_JS.toFile()).redirectErrorStream(true);
        npm.environment().put("HERALD_JAR", jar);
        npm.environment().put("CHROMIUM", chromium.toString());
        npm.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process process = npm.start();
        List<String> failures = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                System.out.println("[clients/js] " + line); // streamed: a slow browser test shows where it is
                if (line.startsWith("not ok ")) {
                    failures.add(line);
                }
            }
        }
        int exit = process.waitFor();

        assertThat(exit).as("npm test in %s exited with %d (whole output: failsafe-reports/%s-output.txt); failed:%n%s",
                CLIENTS_JS, exit, BrowserSdkIT.class.getName(), String.join("\n", failures)).isZero();
    }

    private static Path requireTools() throws InterruptedException, IOException {
        if (!Files.isDirectory(CLIENTS_JS.resolve("node_modules/playwright-core"))) {
            fail("playwright-core is not installed in " + CLIENTS_JS + ": clients/js/test-tools.sh (run by ./mvnw verify) does it");
        }
        String file = System.getProperty(CHROMIUM_FILE);
        assertThat(file).as(CHROMIUM_FILE + " system property (set by failsafe)").isNotNull();
        assertThat(Path.of(file)).as("the Chromium path clients/js/test-tools.sh writes before the integration tests").exists();
        Path chromium = Path.of(Files.readString(Path.of(file)).strip());
        if (!Files.isExecutable(chromium)) {
            fail("Chromium is missing at " + chromium + ": apt-get install -y chromium, or set CHROMIUM");
        }
        try {
            Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(node.waitFor()).as("node --version").isZero();
            assertThat(Integer.parseInt(version.replaceAll("^v(\\d+).*", "$1"))).as("Node.js major version of %s", version).isGreaterThanOrEqualTo(20);
        } catch (IOException e) {
            fail("Node.js 20 or newer is needed on PATH to test the browser SDK: " + e.getMessage());
        }
        return chromium;
    }
}
