package dev.herald.server.ws;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link NettySession#smallText} writes the bytes Netty's server-side encoder writes for the same text frame. */
class SmallTextFrameTest {
    /** What {@code WebSocket08FrameEncoder} (unmasked, as a server's) sends for {@code payload}, every buffer joined. */
    private static byte[] netty(byte[] payload) {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
        channel.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf b; (b = channel.readOutbound()) != null; b.release()) {
            out.writeBytes(ByteBufUtil.getBytes(b));
        }
        channel.finishAndReleaseAll();
        return out.toByteArray();
    }

    @Test
    void every_small_length_is_framed_as_netty_frames_it() {
        Random random = new Random(7);
        for (int length = 0; length <= NettySession.SMALL_TEXT_FRAME; length++) {
            byte[] payload = new byte[length];
            random.nextBytes(payload);
            ByteBuf mine = NettySession.smallText(ByteBufAllocator.DEFAULT, payload);
            try {
                assertThat(ByteBufUtil.getBytes(mine)).as("length %d", length).isEqualTo(netty(payload));
            } finally {
                mine.release();
            }
        }
    }
}
