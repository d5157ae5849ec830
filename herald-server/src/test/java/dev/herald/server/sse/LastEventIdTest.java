package dev.herald.server.sse;

import dev.herald.core.error.HeraldException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The SSE event id (every stream's cursor in one value), the frame header it is moved by, and the event encoding. */
class LastEventIdTest {
    private static FrameHeader header(String json) {
        return FrameHeader.of(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void the_id_follows_messages_positions_and_gaps_of_every_stream() {
        LastEventId id = new LastEventId();
        assertThat(id.observe(header("{\"type\":\"welcome\",\"connection\":\"s1\"}"))).isFalse();
        assertThat(id.observe(header("{\"type\":\"positions\",\"inbox\":\"0\",\"all\":\"0\"}"))).isTrue();
        assertThat(id.render()).isEqualTo("inbox=0,all=0");
        id.observe(header("{\"type\":\"message\",\"id\":\"x\",\"ts\":1,\"pos\":3,\"epoch\":\"ab\",\"data\":{\"pos\":99,\"topic\":\"no\"}}"));
        id.observe(header("{\"type\":\"message\",\"id\":\"y\",\"ts\":1,\"topic\":\"a:b\",\"pos\":2,\"epoch\":\"cd\",\"data\":1}"));
        id.observe(header("{\"type\":\"message\",\"id\":\"z\",\"ts\":1,\"all\":true,\"pos\":7,\"epoch\":\"ef\",\"data\":1}"));
        assertThat(id.render()).isEqualTo("inbox=3@ab,all=7@ef,topic:a:b=2@cd");
        id.observe(header("{\"type\":\"gap\",\"since\":\"1@cd\",\"topic\":\"a:b\",\"position\":\"5@cd\"}"));
        assertThat(id.render()).isEqualTo("inbox=3@ab,all=7@ef,topic:a:b=5@cd");
        assertThat(id.observe(header("{\"type\":\"message\",\"id\":\"f\",\"ts\":1,\"data\":\"fire and forget\"}"))).isFalse();
        assertThat(id.render()).isEqualTo("inbox=3@ab,all=7@ef,topic:a:b=5@cd");
    }

    @Test
    void an_id_reads_back_as_the_cursors_it_names() throws HeraldException {
        LastEventId id = LastEventId.parse("inbox=3@ab,all=0,topic:a:b=2@cd");
        assertThat(id.inbox()).isEqualTo("3@ab");
        assertThat(id.all()).isEqualTo("0");
        assertThat(id.topics()).isEqualTo(Map.of("a:b", "2@cd"));
        assertThat(LastEventId.parse("01M84KBE2MRP239X1K0NX1QNTP").inbox()).isEqualTo("01M84KBE2MRP239X1K0NX1QNTP");
        assertThat(LastEventId.parse("").inbox()).isNull();
    }

    @Test
    void an_id_this_server_could_not_have_sent_is_invalid_cursor() {
        for (String bad : new String[] {"inbox=banana", "nope=1@ab", "topic:bad topic=1@ab", "garbage", "inbox", "x".repeat(20_000)}) {
            assertThatThrownBy(() -> LastEventId.parse(bad)).as(bad).isInstanceOfSatisfying(HeraldException.class,
                    e -> assertThat(e.code().code()).isEqualTo("invalid_cursor"));
        }
    }

    @Test
    void an_event_puts_each_line_of_a_pretty_printed_frame_on_a_data_line_of_its_own() {
        byte[] event = SseSession.encode("message", "inbox=1@ab", "{\"a\":\r\n1,\n\"b\":2}".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(event, StandardCharsets.UTF_8))
                .isEqualTo("id: inbox=1@ab\nevent: message\ndata: {\"a\":\ndata: 1,\ndata: \"b\":2}\n\n");
        assertThat(SseSession.eventName("error")).isEqualTo("herald-error");
    }
}
