package dev.herald.server.ws;

import dev.herald.core.session.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.vertx.core.http.WebSocketFrameType.BINARY;
import static io.vertx.core.http.WebSocketFrameType.CONTINUATION;
import static io.vertx.core.http.WebSocketFrameType.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

class MessageAssemblerTest {
    private final List<Object> messages = new ArrayList<>();
    private final MessageAssembler assembler = assembler(messages);

    /** An assembler with a 16-byte limit that puts texts, and binaries as "[1, 2]", in {@code messages}. */
    private static MessageAssembler assembler(List<Object> messages) {
        return new MessageAssembler(16, new MessageAssembler.Sink() {
            @Override
            public void text(String text) {
                messages.add(text);
            }

            @Override
            public void binary(byte[] data) {
                messages.add(Arrays.toString(data));
            }
        });
    }

    private static ByteBuf bytes(int... values) {
        ByteBuf buffer = Unpooled.buffer();
        for (int v : values) {
            buffer.writeByte(v);
        }
        return buffer;
    }

    private static ByteBuf utf8(String text) {
        return Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void a_four_byte_character_split_over_three_fragments_is_one_character() {
        // U+1F600 is F0 9F 98 80
        assertThat(assembler.frame(TEXT, false, bytes(0x61, 0xf0))).isNull();
        assertThat(assembler.frame(CONTINUATION, false, bytes(0x9f))).isNull();
        assertThat(assembler.frame(CONTINUATION, true, bytes(0x98, 0x80, 0x62))).isNull();

        assertThat(messages).containsExactly("a\uD83D\uDE00b");
    }

    @Test
    void a_message_that_ends_inside_a_character_is_invalid() {
        assertThat(assembler.frame(TEXT, false, utf8("ab"))).isNull();

        assertThat(assembler.frame(CONTINUATION, true, bytes(0xe2, 0x82))).isEqualTo(CloseReason.INVALID_PAYLOAD);
        assertThat(messages).isEmpty();
    }

    @Test
    void an_impossible_byte_fails_before_the_message_ends() {
        assertThat(assembler.frame(TEXT, false, utf8("ab"))).isNull();

        // F4 90 can only start a code point above U+10FFFF: refused without waiting for the rest
        assertThat(assembler.frame(CONTINUATION, false, bytes(0xf4, 0x90))).isEqualTo(CloseReason.INVALID_PAYLOAD);
    }

    @Test
    void overlong_forms_and_surrogates_are_not_utf8() {
        assertThat(assembler.frame(TEXT, true, bytes(0xc0, 0xaf))).isEqualTo(CloseReason.INVALID_PAYLOAD);
        assertThat(assembler(messages).frame(TEXT, true, bytes(0xed, 0xa0, 0x80))).isEqualTo(CloseReason.INVALID_PAYLOAD);
        assertThat(messages).isEmpty();
    }

    @Test
    void empty_messages_and_empty_fragments_are_messages_too() {
        assertThat(assembler.frame(TEXT, true, Unpooled.EMPTY_BUFFER)).isNull();
        assertThat(assembler.frame(TEXT, false, Unpooled.EMPTY_BUFFER)).isNull();
        assertThat(assembler.frame(CONTINUATION, false, Unpooled.EMPTY_BUFFER)).isNull();
        assertThat(assembler.frame(CONTINUATION, true, Unpooled.EMPTY_BUFFER)).isNull();
        assertThat(assembler.frame(BINARY, false, Unpooled.EMPTY_BUFFER)).isNull();
        assertThat(assembler.frame(CONTINUATION, true, bytes(7))).isNull();

        assertThat(messages).containsExactly("", "", "[7]");
    }

    @Test
    void the_size_limit_counts_the_whole_message_not_each_fragment() {
        assertThat(assembler.frame(TEXT, false, utf8("0123456789"))).isNull();

        assertThat(assembler.frame(CONTINUATION, true, utf8("0123456"))).isEqualTo(CloseReason.MESSAGE_TOO_BIG);
        assertThat(messages).isEmpty();
    }

    @Test
    void messages_of_exactly_the_limit_pass_and_the_count_starts_again_for_the_next() {
        assertThat(assembler.frame(BINARY, false, Unpooled.wrappedBuffer(new byte[8]))).isNull();
        assertThat(assembler.frame(CONTINUATION, true, Unpooled.wrappedBuffer(new byte[8]))).isNull();
        assertThat(assembler.frame(TEXT, true, utf8("0123456789abcdef"))).isNull();

        assertThat(messages).hasSize(2);
    }

    @Test
    void fragments_must_continue_a_message_and_messages_must_not_interleave() {
        assertThat(assembler.frame(CONTINUATION, true, utf8("x"))).isEqualTo(CloseReason.WEBSOCKET_PROTOCOL_ERROR);
        MessageAssembler other = assembler(messages);
        assertThat(other.frame(TEXT, false, utf8("x"))).isNull();
        assertThat(other.frame(BINARY, true, bytes(1))).isEqualTo(CloseReason.WEBSOCKET_PROTOCOL_ERROR);
    }

    @Test
    void connections_on_one_thread_decode_whole_messages_independently_of_each_other() {
        // whole messages share one decoder per thread: a failure on one connection must not leak into the next
        // message of another, nor into a fragmented message that one of them is assembling meanwhile
        List<Object> others = new ArrayList<>();
        MessageAssembler other = assembler(others);
        assertThat(assembler.frame(TEXT, false, bytes(0x61, 0xc3))).isNull(); // 'a' and the first byte of 'é'

        assertThat(other.frame(TEXT, true, bytes(0x62, 0xc3))).isEqualTo(CloseReason.INVALID_PAYLOAD);
        MessageAssembler third = assembler(others);
        assertThat(third.frame(TEXT, true, utf8("{\"uid\":\"é\"}"))).isNull();
        assertThat(assembler.frame(CONTINUATION, true, bytes(0xa9))).isNull();

        assertThat(others).containsExactly("{\"uid\":\"é\"}");
        assertThat(messages).containsExactly("aé");
    }
}
