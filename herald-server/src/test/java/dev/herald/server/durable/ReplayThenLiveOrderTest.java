package dev.herald.server.durable;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seam between replay and live delivery: a client that connects (or reconnects) while messages
 * keep being published to its user must get every message exactly once, in id order (ids sort in
 * publish order), whatever moment it connects at.
 */
class ReplayThenLiveOrderTest {
    private static final int MESSAGES = 300;
    private static final int PUBLISHERS = 2;
    private static final int CONNECT_AFTER = 100;
    private static final int ROUNDS = 4;

    private final TestServer server = TestServer.devMode();
    private final ExecutorService threads = Executors.newFixedThreadPool(PUBLISHERS);

    @AfterEach
    void stop() {
        threads.shutdownNow();
        server.close();
    }

    /**
     * {@link #MESSAGES} messages to one user from {@link #PUBLISHERS} threads, as fast as the server answers;
     * with {@code broadcastEvery} n > 0, every n-th one goes to everyone instead.
     */
    private final class Stream {
        final String uid;
        /** data (a JSON string) → message id, for every answered publish */
        final Map<String, String> idByData = new ConcurrentHashMap<>();
        final AtomicInteger answered = new AtomicInteger();
        final CompletableFuture<Void> done;

        Stream(String uid) {
            this(uid, 0);
        }

        Stream(String uid, int broadcastEvery) {
            this.uid = uid;
            List<CompletableFuture<Void>> each = new ArrayList<>();
            for (int t = 0; t < PUBLISHERS; t++) {
                int thread = t;
                each.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < MESSAGES / PUBLISHERS; i++) {
                        String data = "m-" + thread + "-" + i;
                        idByData.put(data, broadcastEvery > 0 && i % broadcastEvery == 0 ? broadcast(data)
                                : server.publishToUser(uid, "\"" + data + "\""));
                        answered.incrementAndGet();
                    }
                }, threads));
            }
            done = CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
        }

        private String broadcast(String data) {
            Http.Response r = server.http().postJson("/api/v1/messages", "{\"to\":{\"all\":true},\"data\":\"" + data + "\"}");
            assertThat(r.status()).as(r.body()).isIn(200, 202);
            return new JsonObject(r.body()).getString("id");
        }

        void awaitAnswered(int count) {
            Awaitility.await().atMost(WsClient.WAIT).until(() -> answered.get() >= count || done.isDone());
        }

        /** Every id published, sorted: the order a client must see them in. */
        List<String> allIds() {
            done.orTimeout(30, TimeUnit.SECONDS).join();
            return idByData.values().stream().sorted().toList();
        }

        /** The greatest id answered so far: every smaller id is committed too (ids are taken in commit order). */
        String cursorNow() {
            return idByData.values().stream().max(String::compareTo).orElseThrow();
        }
    }

    @Test
    void a_herald_client_connecting_without_since_mid_stream_gets_every_message_once_in_order() {
        for (int round = 1; round <= ROUNDS; round++) {
            Stream stream = new Stream("nosince-" + round);
            stream.awaitAnswered(CONNECT_AFTER);

            WsClient client = server.connectHerald(stream.uid);

            List<String> expected = stream.allIds();
            assertThat(client.awaitMessageIds(expected.size())).as("round %d", round).containsExactlyElementsOf(expected);
            client.close();
        }
    }

    @Test
    void a_herald_client_connecting_with_since_mid_stream_gets_every_later_message_once_in_order() {
        for (int round = 1; round <= ROUNDS; round++) {
            Stream stream = new Stream("since-" + round);
            stream.awaitAnswered(CONNECT_AFTER);
            String cursor = stream.cursorNow();

            WsClient client = server.connect("uid=" + stream.uid + "&since=" + cursor);

            List<String> expected = stream.allIds().stream().filter(id -> id.compareTo(cursor) > 0).toList();
            assertThat(client.awaitMessageIds(expected.size())).as("round %d", round).containsExactlyElementsOf(expected);
            client.close();
        }
    }

    @Test
    void a_herald_client_resuming_mid_stream_of_direct_messages_and_broadcasts_gets_both_once_in_order() {
        for (int round = 1; round <= ROUNDS; round++) {
            Stream stream = new Stream("mixed-" + round, 3);
            stream.awaitAnswered(CONNECT_AFTER);
            String cursor = stream.cursorNow();

            WsClient client = server.connect("uid=" + stream.uid + "&since=" + cursor);

            List<String> expected = stream.allIds().stream().filter(id -> id.compareTo(cursor) > 0).toList();
            assertThat(client.awaitMessageIds(expected.size())).as("round %d", round).containsExactlyElementsOf(expected);
            client.close();
            client.awaitClose();
        }
    }

    @Test
    void a_herald_client_reconnecting_with_since_again_and_again_mid_stream_misses_nothing_and_sees_nothing_twice() {
        Stream stream = new Stream("resume");
        stream.awaitAnswered(CONNECT_AFTER / 2);
        List<String> seen = new ArrayList<>();
        WsClient client = server.connectHerald(stream.uid);
        for (int reconnect = 1; reconnect <= ROUNDS && !stream.done.isDone(); reconnect++) {
            stream.awaitAnswered(stream.answered.get() + 20);
            // what this connection showed so far is what the client saw; anything still in flight is lost with the socket
            seen.addAll(client.messageIds());
            client.abort();
            client = server.connect("uid=" + stream.uid + (seen.isEmpty() ? "" : "&since=" + seen.get(seen.size() - 1)));
            client.awaitFrame(f -> f.contains("\"type\":\"welcome\""));
        }

        List<String> expected = stream.allIds();
        WsClient last = client;
        Awaitility.await().atMost(WsClient.WAIT).until(() -> seen.size() + last.messageIds().size() >= expected.size());
        seen.addAll(last.messageIds());
        assertThat(seen).containsExactlyElementsOf(expected);
    }

    @Test
    void a_seed_client_connecting_mid_stream_gets_every_raw_body_once_in_order() {
        for (int round = 1; round <= ROUNDS; round++) {
            Stream stream = new Stream("seed-" + round);
            stream.awaitAnswered(CONNECT_AFTER);

            WsClient client = server.connectSeed(stream.uid);

            List<String> expected = stream.allIds();
            client.awaitFrameCount(f -> true, expected.size());
            List<String> received = client.frames().stream().map(stream.idByData::get).toList();
            assertThat(received).as("round %d", round).containsExactlyElementsOf(expected);
            client.close();
        }
    }

    @Test
    void the_replayed_and_the_live_messages_are_recorded_as_delivered() {
        Stream stream = new Stream("receipts");
        stream.awaitAnswered(CONNECT_AFTER);
        WsClient client = server.connectHerald(stream.uid);
        List<String> expected = stream.allIds();
        client.awaitMessageIds(expected.size());

        for (String id : List.of(expected.get(0), expected.get(expected.size() / 2), expected.get(expected.size() - 1))) {
            Awaitility.await().atMost(WsClient.WAIT).until(() -> {
                Http.Response r = server.http().get("/api/v1/messages/" + id);
                return new JsonObject(r.body()).getJsonArray("recipients").getJsonObject(0).getString("status").equals("delivered");
            });
        }
    }
}
