package dev.herald.server.ws;

import dev.herald.core.hub.HubStats;
import dev.herald.server.net.VertxInternals;
import dev.herald.server.testing.WsClient;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link NettySession}'s drain: the frames queued for one connection leave with one flush (one
 * gathering write), in order, and a durable frame is reported delivered only once it was flushed.
 */
class NettySessionWriteBatchingTest {
    private static final long QUEUE_BYTES = 4L * 1024 * 1024;

    private final Vertx vertx = Vertx.vertx();
    /** Flushes that reached the socket end of the pipeline (the head), i.e. write system calls. */
    private final AtomicInteger flushes = new AtomicInteger();
    private final CompletableFuture<Opened> opened = new CompletableFuture<>();
    private HttpServer http;
    private WsClient client;

    private record Opened(NettySession session, Context context) { }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.abort();
        }
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    private Opened connect() throws Exception {
        HttpServerOptions options = new HttpServerOptions(WebSocketOptions.httpServerOptions(
                AutobahnEchoServer.config(0, Map.of())));
        http = vertx.createHttpServer(options).requestHandler(request -> request.toWebSocket().onSuccess(ws -> {
            Channel channel = VertxInternals.channel(request);
            channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
                @Override
                public void flush(ChannelHandlerContext ctx) {
                    flushes.incrementAndGet();
                    ctx.flush();
                }
            });
            NettySession session = new NettySession("t1", channel, QUEUE_BYTES, new HubStats(), Instant.now());
            opened.complete(new Opened(session, vertx.getOrCreateContext()));
        })).listen().await(10, TimeUnit.SECONDS);
        client = WsClient.connect(URI.create("ws://127.0.0.1:" + http.actualPort() + "/ws"), Map.of());
        return opened.get(10, TimeUnit.SECONDS);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Runs on the connection's event loop, so the drain scheduled by the first send runs only after all of them. */
    private static void onEventLoop(Opened o, Runnable sends) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        o.context().runOnContext(v -> {
            sends.run();
            done.complete(null);
        });
        done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void frames_queued_together_leave_in_order_with_one_flush() throws Exception {
        Opened o = connect();
        int before = flushes.get();

        onEventLoop(o, () -> {
            for (int i = 0; i < 5; i++) {
                assertThat(o.session().send(utf8("m" + i))).isTrue();
            }
        });

        client.awaitFrameCount(f -> f.startsWith("m"), 5);
        assertThat(client.frames()).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(flushes.get() - before).as("flushes for 5 queued frames").isEqualTo(1);
        assertThat(o.session().queuedBytes()).isZero();
    }

    @Test
    void frames_of_every_header_size_arrive_whole_and_in_order() throws Exception {
        Opened o = connect();
        int[] lengths = {0, 1, 125, 126, NettySession.SMALL_TEXT_FRAME, NettySession.SMALL_TEXT_FRAME + 1, 65_535, 65_536};
        List<String> sent = new java.util.ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            sent.add(String.valueOf((char) ('a' + i)).repeat(lengths[i]));
        }

        onEventLoop(o, () -> {
            for (int i = 0; i < sent.size(); i++) {
                o.session().deliver("id-" + i, utf8(sent.get(i)), i % 2 == 0); // tracked and plain frames alike
            }
        });

        client.awaitFrameCount(f -> true, sent.size());
        assertThat(client.frames()).containsExactlyElementsOf(sent);
        assertThat(o.session().queuedBytes()).isZero();
    }

    @Test
    void a_durable_frame_is_reported_delivered_only_after_its_flush() throws Exception {
        Opened o = connect();
        List<String> flushesAtDelivery = new CopyOnWriteArrayList<>();
        o.session().onDelivered(id -> flushesAtDelivery.add(id + "@" + flushes.get()));
        int before = flushes.get();

        onEventLoop(o, () -> {
            o.session().deliver("id-a", utf8("a"), true);
            o.session().deliver("id-b", utf8("b"), false);
            o.session().deliver("id-c", utf8("c"), true);
            assertThat(flushesAtDelivery).as("nothing is delivered while it is only queued").isEmpty();
        });

        client.awaitFrameCount(f -> true, 3);
        assertThat(client.frames()).containsExactly("a", "b", "c");
        Awaitility.await().atMost(WsClient.WAIT).until(() -> flushesAtDelivery.size() == 2);
        assertThat(flushesAtDelivery).containsExactly("id-a@" + (before + 1), "id-c@" + (before + 1));
    }

    @Test
    void a_burst_larger_than_the_socket_buffer_is_written_in_a_few_flushes_and_resumes_until_all_are_sent() throws Exception {
        Opened o = connect();
        int count = 400;
        String pad = "x".repeat(1_000);
        int before = flushes.get();

        // 400 KB: several times Netty's 64 KiB high-water mark, so the drain must stop and resume.
        onEventLoop(o, () -> {
            for (int i = 0; i < count; i++) {
                assertThat(o.session().send(utf8(i + ":" + pad))).isTrue();
            }
        });

        client.awaitFrameCount(f -> f.endsWith(pad), count);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(i + ":" + pad);
        }
        assertThat(client.frames()).containsExactlyElementsOf(expected);
        assertThat(flushes.get() - before).as("flushes for %d frames", count).isBetween(2, count / 20);
        Awaitility.await().atMost(WsClient.WAIT).until(() -> o.session().queuedBytes() == 0);
    }
}
