package dev.herald.server.cli;

import dev.herald.server.testing.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code herald listen} against a real server: output formats, acks, --exec, and how it stops. */
class ListenCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private final TestServer server = TestServer.devMode();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Thread running;

    @AfterEach
    void stop() {
        if (running != null) {
            running.interrupt(); // a run still waiting for messages
        }
        server.close();
    }

    /** Runs {@code herald listen …} in the background; its exit code when it ends. */
    private CompletableFuture<Integer> listen(String... args) {
        CommandLine cli = HeraldCommand.commandLine(Map.of());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = "listen";
        all[1] = "--url";
        all[2] = "http://127.0.0.1:" + server.port();
        System.arraycopy(args, 0, all, 3, args.length);
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread t = new Thread(() -> exit.complete(cli.execute(all)), "herald-listen-under-test");
        t.setDaemon(true);
        t.start();
        running = t;
        return exit;
    }

    private void awaitConnected(String uid) {
        try {
            await().atMost(WAIT).until(() -> err.toString().contains("connected to") && !server.server().hub().sessions(uid).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not connected; stdout: " + out + "; stderr: " + err, e);
        }
    }

    @Test
    void prints_a_readable_line_per_message_and_acks_it() throws Exception {
        CompletableFuture<Integer> run = listen("--uid", "alice", "--topic", "news", "--max-messages", "2");
        awaitConnected("alice");
        await().atMost(WAIT).until(() -> err.toString().contains("following news"));

        String id = server.publishToUser("alice", "\"Hello\\nWorld\"");
        server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":{\"headline\":\"rain\"}}");

        assertThat(run.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  inbox  Hello World");
        assertThat(lines.get(1)).endsWith("  news  {\"headline\":\"rain\"}");
        server.awaitStatus(id, "alice", "acked");
    }

    @Test
    void a_message_with_a_notification_prints_its_title_and_body_as_the_desktop_notice_does() throws Exception {
        CompletableFuture<Integer> run = listen("--uid", "nina", "--max-messages", "3");
        awaitConnected("nina");

        server.publishToUser("nina", "{\"notification\":{\"title\":\"Order shipped\",\"body\":\"parcel 42\\nleft\"},\"order\":42}");
        server.publishToUser("nina", "{\"notification\":{\"title\":\"Ping\"}}");
        server.publishToUser("nina", "{\"notification\":{\"text\":\"no title\"}}");

        assertThat(run.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(out.toString().lines().map(l -> l.substring(l.indexOf("  inbox  ") + 9)).toList())
                .containsExactly("Order shipped — parcel 42 left", "Ping", "Herald — no title");
    }

    @Test
    void json_prints_one_envelope_per_line() throws Exception {
        CompletableFuture<Integer> run = listen("--uid", "bob", "--json", "--max-messages", "1");
        awaitConnected("bob");

        String id = server.publishToUser("bob", "{\n  \"progress\": 50\n}");

        assertThat(run.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(1);
        JsonObject line = new JsonObject(lines.get(0));
        assertThat(line.getString("id")).isEqualTo(id);
        assertThat(line.getJsonObject("data").getInteger("progress")).isEqualTo(50);
        assertThat(line.getLong("pos")).isEqualTo(1L);
        assertThat(line.getString("epoch")).isNotEmpty();
    }

    @Test
    void with_a_state_file_the_next_run_resumes_topics_where_the_last_one_stopped() throws Exception {
        Path state = Files.createTempDirectory("herald-listen-state").resolve("ana.json");
        CompletableFuture<Integer> first = listen("--uid", "ana", "--topic", "news", "--state", state.toString(), "--max-messages", "1");
        awaitConnected("ana");
        await().atMost(WAIT).until(() -> err.toString().contains("following news"));
        server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"seen\"}");
        assertThat(first.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        server.awaitGone("ana");
        assertThat(new JsonObject(Files.readString(state)).getString("topic:news")).matches("1@\\w+");

        // published while nothing listened: a topic is only replayed to a subscribe that names where it stopped
        server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"missed 1\"}");
        server.publish("{\"to\":{\"topics\":[\"news\"]},\"data\":\"missed 2\"}");
        out.getBuffer().setLength(0);
        CompletableFuture<Integer> second = listen("--uid", "ana", "--topic", "news", "--state", state.toString(), "--max-messages", "2");

        assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(out.toString().lines().map(l -> l.substring(l.lastIndexOf("  ") + 2)).toList()).containsExactly("missed 1", "missed 2");
        assertThat(new JsonObject(Files.readString(state)).getString("topic:news")).matches("3@\\w+");
    }

    @Test
    void exec_runs_the_command_without_a_shell_with_the_message_on_stdin() throws Exception {
        Path dir = Files.createTempDirectory("herald listen exec");
        Path file = dir.resolve("got; rm -rf x.txt"); // a shell would split this; no shell runs it
        CompletableFuture<Integer> run = listen("--uid", "carol", "--max-messages", "1", "--exec", "tee -a '" + file + "'");
        awaitConnected("carol");

        String id = server.publishToUser("carol", "\"for the script\"");

        assertThat(run.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero(); // returns once the command finished
        String written = Files.readString(file);
        assertThat(new JsonObject(written.strip()).getString("id")).isEqualTo(id);
        assertThat(new JsonObject(written.strip()).getString("data")).isEqualTo("for the script");
    }

    @Test
    void exec_commands_that_run_too_long_are_killed_and_reported() throws Exception {
        CompletableFuture<Integer> run = listen("--uid", "dave", "--max-messages", "1", "--exec", "sleep 30", "--exec-timeout", "1");
        awaitConnected("dave");

        server.publishToUser("dave", "\"slow\"");

        assertThat(run.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
        assertThat(err.toString()).contains("--exec sleep for message", "killed after 1000 ms (--exec-timeout)");
    }

    @Test
    void a_kick_ends_it_with_exit_1_and_says_why() throws Exception {
        CompletableFuture<Integer> run = listen("--uid", "erin");
        awaitConnected("erin");

        server.http().delete("/api/v1/users/erin/connections");

        assertThat(run.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(HeraldCommand.EXIT_FAILURE);
        assertThat(err.toString()).contains("stopped: the server closed the connection with 4004");
    }

    @Test
    void it_needs_a_token_or_a_uid() throws Exception {
        assertThat(listen().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(HeraldCommand.EXIT_CONFIG);
        assertThat(err.toString()).contains("give --token (or env HERALD_TOKEN) or, against a dev-mode server, --uid");
    }
}
