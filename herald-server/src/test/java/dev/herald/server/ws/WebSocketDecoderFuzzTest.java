package dev.herald.server.ws;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.herald.core.auth.DevAuthenticator;
import dev.herald.core.delivery.RecipientStore;
import dev.herald.core.delivery.ReceiptListener;
import dev.herald.core.hub.Hub;
import dev.herald.core.hub.HubStats;
import dev.herald.core.connection.ClientConnection;
import dev.herald.core.protocol.ClientFrameParser;
import dev.herald.core.protocol.ProtocolLimits;
import dev.herald.core.session.CloseReason;
import dev.herald.core.store.MemoryMessageStore;
import dev.herald.core.store.StoreLimits;
import dev.herald.server.testing.TestServer;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpServerOptions;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Any bytes a client sends after the upgrade: Netty's {@link WebSocket08FrameDecoder} configured as Vert.x configures it
 * from Herald's {@link WebSocketOptions}, then Herald's {@link WebSocketFrameHandler}, {@link MessageAssembler} and a
 * dev-mode {@link ClientConnection}, on an {@link EmbeddedChannel}. Whatever arrives, no exception leaves the pipeline
 * and every close frame Herald sends carries a valid code (its own are documented). The first byte sets the size of the chunks the rest
 * is written in (TCP may split anywhere). Corpus: {@code WebSocketDecoderFuzzTestInputs/}.
 */
class WebSocketDecoderFuzzTest {
    private static final HttpServerOptions OPTIONS = WebSocketOptions.httpServerOptions(TestServer.config(Map.of()));
    private static final Set<Integer> DOCUMENTED_CODES = Arrays.stream(CloseReason.values()).map(CloseReason::code)
            .collect(Collectors.toSet());
    private static final ProtocolLimits LIMITS = new ProtocolLimits(10, 100, Duration.ofSeconds(20), Duration.ofSeconds(10));
    private final HubStats stats = new HubStats();
    private final Hub hub = new Hub(4, stats);
    private final RecipientStore recipientStore = new RecipientStore(new MemoryMessageStore(StoreLimits.defaults()), Clock.systemUTC(), stats, ReceiptListener.NONE, 100);

    @FuzzTest(maxDuration = "50s")
    void decode(byte[] input) {
        WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(true)
                .allowExtensions(OPTIONS.getPerMessageWebSocketCompressionSupported() || OPTIONS.getPerFrameWebSocketCompressionSupported())
                .maxFramePayloadLength(OPTIONS.getMaxWebSocketFrameSize())
                .allowMaskMismatch(OPTIONS.isAcceptUnmaskedFrames())
                .closeOnProtocolViolation(false)
                .build();
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocket08FrameDecoder(config));
        NettySession session = new NettySession("fuzz", channel, 1 << 20, stats, Instant.now());
        ClientConnection connection = new ClientConnection(session, hub, new DevAuthenticator(), new ClientFrameParser(), LIMITS,
                "fuzz-node", recipientStore);
        channel.pipeline().addLast(new WebSocketFrameHandler(session, new MessageAssembler(OPTIONS.getMaxWebSocketMessageSize(),
                MessageAssembler.Sink.of(connection)), () -> { }));
        connection.start(null, null, null);
        try {
            int chunk = input.length == 0 ? 1 : 1 + Byte.toUnsignedInt(input[0]) % 64;
            for (int i = 1; i < input.length && channel.isOpen(); i += chunk) {
                channel.writeInbound(Unpooled.wrappedBuffer(input, i, Math.min(chunk, input.length - i)));
                channel.runPendingTasks();
                channel.checkException(); // rethrows what reached the end of the pipeline unhandled
            }
            channel.runPendingTasks();
            channel.checkException();
            Object out;
            while ((out = channel.readOutbound()) != null) {
                if (out instanceof CloseWebSocketFrame close && close.statusCode() != -1) {
                    // Herald's own close carries a documented code; the echo of the peer's close carries the peer's,
                    // which Netty's decoder has already checked to be a valid RFC 6455 code
                    assertThat(DOCUMENTED_CODES.contains(close.statusCode())
                            || WebSocketCloseStatus.isValidStatusCode(close.statusCode())).isTrue();
                }
                ReferenceCountUtil.release(out);
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
