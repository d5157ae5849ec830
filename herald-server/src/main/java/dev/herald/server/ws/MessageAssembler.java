package dev.herald.server.ws;

import dev.herald.core.connection.ClientConnection;
import dev.herald.core.session.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.vertx.core.http.WebSocketFrameType;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Joins the data frames of one connection into messages (RFC 6455 §5.4), strictly: a text message
 * must be valid UTF-8 (§8.1) and no message may grow past {@code maxMessageBytes}.
 *
 * <p>Herald uses this instead of Vert.x's {@code textMessageHandler}/{@code binaryMessageHandler}
 * because the Autobahn suite showed two flaws in Vert.x 5.0's aggregator: it decodes invalid UTF-8
 * to U+FFFD instead of failing the connection with 1007, and it silently drops a fragmented message
 * whose first fragment is empty (it decides what a continuation frame belongs to by the length of
 * the buffered data, not by the opening frame's type).
 *
 * <p>Text is checked as it arrives, fragment by fragment, so an invalid byte fails the connection at
 * once instead of after the whole message (a sequence split across two fragments is checked when
 * its end arrives). The decoding is the JDK's, which refuses overlong forms, UTF-16 surrogates and
 * code points above U+10FFFF, as the RFC requires.
 *
 * <p>Not thread-safe: one per connection, fed on the connection's event loop. Control frames (ping,
 * pong, close) are not given to it; {@link WebSocketFrameHandler} handles those. The payloads are read,
 * never kept nor released: the caller owns them.
 */
final class MessageAssembler {
    /** Where complete messages go. */
    interface Sink {
        void text(String text);

        void binary(byte[] data);

        /** Whole messages go to the client's connection: a text is a frame to parse, a binary is refused there. */
        static Sink of(ClientConnection connection) {
            return new Sink() {
                @Override
                public void text(String text) {
                    connection.onText(text);
                }

                @Override
                public void binary(byte[] data) {
                    connection.onBinary();
                }
            };
        }
    }

    private final int maxMessageBytes;
    private final Sink sink;
    /** Type of the message being assembled, or null between messages. */
    private WebSocketFrameType type;
    private long bytes;
    /** Made for the first fragmented text message (most connections never send one). */
    private CharsetDecoder utf8;
    /** Text decoded so far, for a fragmented text message. */
    private StringBuilder text;
    /** The first bytes of a UTF-8 sequence that the next fragment completes (at most 3). */
    private ByteBuffer carry;
    /** Data so far, for a fragmented binary message. */
    private ByteArrayOutputStream binary;

    MessageAssembler(int maxMessageBytes, Sink sink) {
        this.maxMessageBytes = maxMessageBytes;
        this.sink = sink;
    }

    /**
     * Takes one text, binary or continuation frame. Returns null when all is well (a completed
     * message has been given to the sink), or the reason to close the connection with; after a
     * non-null answer the assembler must not be fed again.
     */
    CloseReason frame(WebSocketFrameType frameType, boolean isFinal, ByteBuf payload) {
        switch (frameType) {
            case TEXT, BINARY -> {
                if (type != null) {
                    return CloseReason.WEBSOCKET_PROTOCOL_ERROR; // a new message before the last one ended
                }
                type = frameType;
                bytes = 0;
            }
            case CONTINUATION -> {
                if (type == null) {
                    return CloseReason.WEBSOCKET_PROTOCOL_ERROR; // a continuation of nothing
                }
            }
            default -> throw new IllegalArgumentException("not a data frame: " + frameType);
        }
        bytes += payload.readableBytes();
        if (bytes > maxMessageBytes) {
            return CloseReason.MESSAGE_TOO_BIG;
        }
        CloseReason failure = type == WebSocketFrameType.TEXT ? text(payload, isFinal) : binary(payload, isFinal);
        if (isFinal) {
            type = null;
        }
        return failure;
    }

    /**
     * The strict decoder for whole messages, one per thread: a whole message is decoded in one call that keeps no state
     * once it returns (the text is handed to the sink only after), so the connections of an event loop can share it.
     * One per connection was kept for the connection's life (~40 B per idle connection) after decoding a single login
     * frame. A fragmented message keeps its own decoder ({@link #utf8}), since its state spans frames.
     */
    private static final ThreadLocal<CharsetDecoder> WHOLE_MESSAGE_UTF8 = ThreadLocal.withInitial(MessageAssembler::strictUtf8);

    private static CharsetDecoder strictUtf8() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private CloseReason text(ByteBuf payload, boolean isFinal) {
        if (isFinal && text == null) {
            // The common case: a whole message in one frame.
            String message;
            try {
                // read in place (a view of the frame's bytes, no copy); decode() resets the decoder first
                message = WHOLE_MESSAGE_UTF8.get().decode(payload.nioBuffer()).toString();
            } catch (CharacterCodingException e) {
                return CloseReason.INVALID_PAYLOAD;
            }
            sink.text(message);
            return null;
        }
        if (utf8 == null) {
            utf8 = strictUtf8();
        }
        if (text == null) {
            utf8.reset();
            text = new StringBuilder();
            carry = null;
        }
        ByteBuffer in = withCarry(ByteBufUtil.getBytes(payload));
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        CoderResult result = utf8.decode(in, out, isFinal);
        if (!result.isError() && isFinal) {
            result = utf8.flush(out);
        }
        if (result.isError() || isFinal && in.hasRemaining()) {
            text = null;
            return CloseReason.INVALID_PAYLOAD;
        }
        text.append(out.flip());
        carry = in.hasRemaining() ? in : null;
        if (isFinal) {
            String message = text.toString();
            text = null;
            sink.text(message);
        }
        return null;
    }

    private ByteBuffer withCarry(byte[] fragment) {
        if (carry == null) {
            return ByteBuffer.wrap(fragment);
        }
        ByteBuffer joined = ByteBuffer.allocate(carry.remaining() + fragment.length);
        joined.put(carry).put(fragment).flip();
        return joined;
    }

    private CloseReason binary(ByteBuf payload, boolean isFinal) {
        if (isFinal && binary == null) {
            sink.binary(ByteBufUtil.getBytes(payload));
            return null;
        }
        if (binary == null) {
            binary = new ByteArrayOutputStream();
        }
        binary.writeBytes(ByteBufUtil.getBytes(payload));
        if (isFinal) {
            byte[] message = binary.toByteArray();
            binary = null;
            sink.binary(message);
        }
        return null;
    }
}
