package dev.herald.server.durable;

import dev.herald.server.testing.Http;
import dev.herald.server.testing.TestServer;
import dev.herald.server.testing.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
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
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seam between replay and live delivery: a client that connects (or reconnects) while messages
 * keep being published to its user must get every message exactly once, in position order per stream
 * (the order the store committed them in, which the pull API lists), whatever moment it connects at.
 * Ids are taken before the commit, so concurrent publishers' ids need not be in that order.
 */
@Tag(TestServer.EVENT_LOOPS_TAG)
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

        /** Waits for every publish to be answered. */
        void awaitDone() {
            done.orTimeout(30, TimeUnit.SECONDS).join();
        }

        /** Every id published to the user, in inbox position order: the order a client must see them in. */
        List<String> inboxOrder() {
            awaitDone();
            Http.Response r = server.http().get("/api/v1/users/" + uid + "/messages?limit=1000");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            JsonArray messages = new JsonObject(r.body()).getJsonArray("messages");
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) {
                ids.add(messages.getJsonObject(i).getString("id"));
            }
            return ids;
        }

        /** How many broadcasts this stream published. */
        int broadcasts() {
            awaitDone();
            return (int) idByData.keySet().stream().filter(data -> broadcastData(data)).count();
        }
    }

    private static boolean broadcastData(String data) {
        return Integer.parseInt(data.substring(data.lastIndexOf('-') + 1)) % 3 == 0;
    }

    /** The ids after {@code last} in {@code order} ({@code null}: all of them). */
    private static List<String> after(List<String> order, String last) {
        return last == null ? order : order.subList(order.indexOf(last) + 1, order.size());
    }

    /** A message frame's {@code pos}@{@code epoch}. */
    private static String cursorOf(String frame) {
        JsonObject json = new JsonObject(frame);
        return json.getLong("pos") + "@" + json.getString("epoch");
    }

    private static long positionOf(String frame) {
        return new JsonObject(frame).getLong("pos");
    }

    private static boolean isBroadcast(String frame) {
        return WsClient.isMessage(frame) && frame.contains("\"all\":true");
    }

    private static boolean isDirect(String frame) {
        return WsClient.isMessage(frame) && !frame.contains("\"all\":true");
    }

    @Test
    void a_herald_client_connecting_without_since_mid_stream_gets_every_message_once_in_order() {
        for (int round = 1; round <= ROUNDS; round++) {
            Stream stream = new Stream("nosince-" + round);
            stream.awaitAnswered(CONNECT_AFTER);

            WsClient client = server.connectHerald(stream.uid);

            List<String> expected = stream.inboxOrder();
            assertThat(client.awaitMessageIds(expected.size())).as("round %d", round).containsExactlyElementsOf(expected);
            client.close();
        }
    }

    @Test
    void a_herald_client_connecting_with_since_mid_stream_gets_every_later_message_once_in_order() {
        for (int round = 1; round <= ROUNDS; round++) {
            Stream stream = new Stream("since-" + round);
            stream.awaitAnswered(CONNECT_AFTER);
            // the cursor a real client keeps: the id of the last message it received
            WsClient first = server.connectHerald(stream.uid);
            List<String> seen = first.awaitMessageIds(CONNECT_AFTER / 2);
            first.abort();
            String cursor = seen.get(seen.size() - 1);

            WsClient client = server.connect("uid=" + stream.uid + "&since=" + cursor);

            List<String> expected = after(stream.inboxOrder(), cursor);
            assertThat(client.awaitMessageIds(expected.size())).as("round %d", round).containsExactlyElementsOf(expected);
            client.close();
        }
    }

    /**
     * Order is promised per stream: the inbox and the broadcast log each arrive in position order, each message
     * once. The client resumes each stream by position (an id cursor is exact only in its own stream).
     */
    @Test
    void a_herald_client_resuming_mid_stream_of_direct_messages_and_broadcasts_gets_both_once_in_order() {
        int broadcastsBefore = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            Stream stream = new Stream("mixed-" + round, 3);
            stream.awaitAnswered(CONNECT_AFTER);
            WsClient first = server.connectHerald(stream.uid);
            first.awaitFrameCount(ReplayThenLiveOrderTest::isBroadcast, 1);
            first.awaitFrameCount(ReplayThenLiveOrderTest::isDirect, 1);
            first.abort();
            List<String> seen = first.frames();
            String lastDirect = seen.stream().filter(ReplayThenLiveOrderTest::isDirect).reduce((a, b) -> b).orElseThrow();
            String lastBroadcast = seen.stream().filter(ReplayThenLiveOrderTest::isBroadcast).reduce((a, b) -> b).orElseThrow();

            WsClient client = server.connect("uid=" + stream.uid + "&since=" + cursorOf(lastDirect) + "&sinceAll=" + cursorOf(lastBroadcast));

            List<String> expectedDirect = after(stream.inboxOrder(), WsClient.idOf(lastDirect));
            int broadcastsNow = broadcastsBefore + stream.broadcasts();
            long broadcastHead = broadcastsNow;
            List<Long> expectedBroadcasts = LongStream.rangeClosed(positionOf(lastBroadcast) + 1, broadcastHead).boxed().toList();
            client.awaitFrameCount(WsClient::isMessage, expectedDirect.size() + expectedBroadcasts.size());
            List<String> got = client.frames();
            assertThat(got.stream().filter(ReplayThenLiveOrderTest::isDirect).map(WsClient::idOf).toList())
                    .as("round %d: the inbox", round).containsExactlyElementsOf(expectedDirect);
            assertThat(got.stream().filter(ReplayThenLiveOrderTest::isBroadcast).map(ReplayThenLiveOrderTest::positionOf).toList())
                    .as("round %d: the broadcast log", round).containsExactlyElementsOf(expectedBroadcasts);
            assertThat(got.stream().filter(WsClient::isMessage).map(WsClient::idOf).toList()).doesNotHaveDuplicates();
            client.close();
            client.awaitClose();
            broadcastsBefore = broadcastsNow;
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

        List<String> expected = stream.inboxOrder();
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

            List<String> expected = stream.inboxOrder();
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
        List<String> expected = stream.inboxOrder();
        client.awaitMessageIds(expected.size());

        for (String id : List.of(expected.get(0), expected.get(expected.size() / 2), expected.get(expected.size() - 1))) {
            Awaitility.await().atMost(WsClient.WAIT).until(() -> {
                Http.Response r = server.http().get("/api/v1/messages/" + id);
                return new JsonObject(r.body()).getJsonArray("recipients").getJsonObject(0).getString("status").equals("delivered");
            });
        }
    }
}
