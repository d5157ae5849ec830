package dev.herald.server.net;

import dev.herald.server.testing.WsClient;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link VertxInternals} is the one class on Vert.x's non-public API, and it still works with the Vert.x that
 * is pinned. A Vert.x upgrade fails {@link #the_pinned_vertx_is_the_one_the_internals_were_checked_against}
 * with the list of what to re-check.
 */
class VertxInternalsTest {
    private static final Path SOURCES = Path.of("src/main/java");
    private static final Path ROOT_POM = Path.of("..", "pom.xml");
    /** A Vert.x package that is not public API: {@code io.vertx.core.net.impl}, {@code io.vertx.core.internal.buffer}… */
    private static final Pattern INTERNAL = Pattern.compile("\\bio\\.vertx\\.[a-z.]*?\\b(impl|internal)\\b");

    private static final String RECHECK = """
            Vert.x is upgraded: re-check VertxInternals against the new Vert.x sources before changing \
            VertxInternals.CHECKED_WITH:
              1. io.vertx.core.net.impl.ConnectionBase: every HTTP server connection still extends it, and channel() is \
            the socket's Netty channel (WebSocketEndpoint takes it over after the upgrade; HttpConnectionGuard counts it);
              2. io.vertx.core.net.impl.VertxHandler: still the class of Vert.x's handler in an upgraded WebSocket \
            channel's pipeline (WebSocketEndpoint.wire replaces it by Herald's WebSocketFrameHandler);
              3. io.vertx.core.internal.buffer.BufferInternal.getByteBuf(): still the buffer's bytes, not a copy \
            (request bodies, Replies.jsonBody);
            then run VertxInternalsTest, NettySessionWriteBatchingTest, the ws tests and AutobahnConformanceIT.""";

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void stop() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void the_pinned_vertx_is_the_one_the_internals_were_checked_against() {
        String pinned = pinnedInRootPom();
        String onClassPath = vertxCoreOnClassPath();

        assertThat(onClassPath).as("vertx-core on the class path vs the root pom's vertx.version").isEqualTo(pinned);
        assertThat(onClassPath)
                .as("vertx-core %s is on the class path, VertxInternals was checked against %s.%n%s",
                        onClassPath, VertxInternals.CHECKED_WITH, RECHECK)
                .isEqualTo(VertxInternals.CHECKED_WITH);
    }

    @Test
    void no_other_main_class_uses_vertx_internal_packages() throws IOException {
        List<String> users;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            users = files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> INTERNAL.matcher(read(f)).find())
                    .map(f -> SOURCES.relativize(f).toString().replace('\\', '/'))
                    .toList();
        }

        assertThat(users).as("Vert.x internals are used only through VertxInternals")
                .containsExactly("dev/herald/server/net/VertxInternals.java");
    }

    @Test
    void an_upgraded_websockets_channel_and_its_vertx_handler_are_found() throws Exception {
        CompletableFuture<Channel> channelOfRequest = new CompletableFuture<>();
        CompletableFuture<ChannelHandler> handlerAfterUpgrade = new CompletableFuture<>();
        HttpServer server = vertx.createHttpServer().requestHandler(request -> {
            Channel channel = VertxInternals.channel(request);
            channelOfRequest.complete(channel);
            request.toWebSocket().onSuccess(ws -> handlerAfterUpgrade.complete(VertxInternals.webSocketHandler(channel.pipeline())))
                    .onFailure(handlerAfterUpgrade::completeExceptionally);
        }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);

        WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + server.actualPort() + "/ws"), Map.of());

        Channel channel = channelOfRequest.get(10, TimeUnit.SECONDS);
        assertThat(channel.isActive()).as("the request's Netty channel is the open socket").isTrue();
        assertThat(channel.remoteAddress()).as(RECHECK).isNotNull();
        assertThat(handlerAfterUpgrade.get(10, TimeUnit.SECONDS)).as("Vert.x's handler in the upgraded pipeline.%n%s", RECHECK)
                .isNotNull();
        client.abort();
    }

    @Test
    void a_buffers_view_has_its_bytes() {
        byte[] utf8 = "grüße, 世界".getBytes(StandardCharsets.UTF_8);

        ByteBuffer view = VertxInternals.view(Buffer.buffer(utf8));

        byte[] seen = new byte[view.remaining()];
        view.get(seen);
        assertThat(seen).isEqualTo(utf8);
    }

    private static String pinnedInRootPom() {
        Matcher m = Pattern.compile("<vertx\\.version>([^<]+)</vertx\\.version>").matcher(read(ROOT_POM));
        assertThat(m.find()).as("the root pom pins <vertx.version>").isTrue();
        return m.group(1).strip();
    }

    /** The version of the vertx-core jar that {@link Vertx} was loaded from, from its Maven metadata. */
    private static String vertxCoreOnClassPath() {
        try (InputStream in = Vertx.class.getResourceAsStream("/META-INF/maven/io.vertx/vertx-core/pom.properties")) {
            assertThat(in).as("vertx-core's pom.properties on the class path").isNotNull();
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
