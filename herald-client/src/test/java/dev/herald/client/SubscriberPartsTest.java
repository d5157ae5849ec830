package dev.herald.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The subscriber's pure parts: frame reading, positions, backoff, the close-code rule. */
class SubscriberPartsTest {
    @Test
    void a_message_frame_keeps_its_data_exactly_as_sent() {
        ServerFrame f = ServerFrame.parse("{\"type\":\"message\",\"id\":\"01M84KBE4PAF4KCWDQ92K0TFCT\",\"ts\":5,\"topic\":\"news\","
                + "\"pos\":2,\"epoch\":\"b41d77e0\",\"data\":{\"a\": [1, 2.50, \"\\u00e9\"]},\"future\":{\"x\":1}}");
        assertThat(f.type()).isEqualTo("message");
        assertThat(f.topic()).isEqualTo("news");
        assertThat(f.pos()).isEqualTo(2L);
        assertThat(f.dataJson()).isEqualTo("{\"a\": [1, 2.50, \"\\u00e9\"]}");

        ServerFrame text = ServerFrame.parse("{\"type\":\"message\",\"id\":\"x\",\"data\":\"Hello \\\"World\\\"\",\"all\":true}");
        assertThat(text.dataJson()).isEqualTo("\"Hello \\\"World\\\"\"");
        assertThat(text.all()).isTrue();
        assertThat(new ReceivedMessage("x", 0, null, true, null, text.dataJson(), null).text()).isEqualTo("Hello \"World\"");
        assertThat(ServerFrame.parse("{\"type\":\"message\",\"data\":42}").dataJson()).isEqualTo("42");
    }

    @Test
    void a_positions_frame_names_the_inbox_the_broadcast_log_and_topics() {
        ServerFrame f = ServerFrame.parse("{\"type\":\"positions\",\"inbox\":\"3@3f9a0c12\",\"all\":\"0\",\"topics\":{\"news\":\"2@b41d77e0\"},\"ref\":2}");
        assertThat(f.inbox()).isEqualTo("3@3f9a0c12");
        assertThat(f.allCursor()).isEqualTo("0");
        assertThat(f.all()).isFalse();
        assertThat(f.topicCursors()).isEqualTo(Map.of("news", "2@b41d77e0"));
        assertThat(f.ref()).isEqualTo("2");
        assertThat(ServerFrame.parse("not json")).isNull();
        assertThat(ServerFrame.parse("[1]")).isNull();
    }

    @Test
    void positions_parse_as_the_server_writes_them() {
        assertThat(StreamPosition.parse("7@3f9a0c12")).isEqualTo(new StreamPosition(7, "3f9a0c12"));
        assertThat(StreamPosition.parse("0")).isEqualTo(StreamPosition.START);
        assertThat(StreamPosition.parse("07@x")).isNull();
        assertThat(StreamPosition.parse("01M84KBE4PAF4KCWDQ92K0TFCT")).isNull();
        assertThat(new StreamPosition(7, "e").toString()).isEqualTo("7@e");

        StreamCursors cursors = new StreamCursors();
        cursors.set(StreamCursors.INBOX, new StreamPosition(5, "a"));
        assertThat(cursors.isRepeat(StreamCursors.INBOX, new StreamPosition(5, "a"))).isTrue();
        assertThat(cursors.isRepeat(StreamCursors.INBOX, new StreamPosition(6, "a"))).isFalse();
        assertThat(cursors.replacedBy(StreamCursors.INBOX, new StreamPosition(1, "b"))).isEqualTo(new StreamPosition(5, "a"));
        cursors.set(StreamCursors.topic("news"), StreamPosition.START);
        assertThat(cursors.replacedBy(StreamCursors.topic("news"), new StreamPosition(1, "b"))).isNull();
        assertThat(StreamCursors.of(cursors.snapshot()).snapshot()).isEqualTo(Map.of("inbox", "5@a", "topic:news", "0"));
    }

    @Test
    void backoff_doubles_up_to_its_cap_and_jitter_takes_a_random_share_off() {
        Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 1, Duration.ofMinutes(1));
        assertThat(b.delay(0, () -> 0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(b.delay(3, () -> 0)).isEqualTo(Duration.ofSeconds(8));
        assertThat(b.delay(40, () -> 0)).isEqualTo(Duration.ofSeconds(30));
        assertThat(b.delay(3, () -> 0.5)).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void reconnect_follows_the_close_code_table() {
        for (int yes : new int[] {1000, 1001, 1006, 4002, 4008, 4010, 4029, 4500, 4999}) {
            assertThat(CloseCodes.reconnectAfter(yes, false, null)).as("%d", yes).isTrue();
        }
        for (int no : new int[] {1002, 1003, 1007, 1009, 4001, 4003, 4004, 4006, 4009}) {
            assertThat(CloseCodes.reconnectAfter(no, false, null)).as("%d", no).isFalse();
        }
        assertThat(CloseCodes.reconnectAfter(4001, true, null)).isTrue();
        assertThat(CloseCodes.reconnectAfter(4001, true, 4001)).isFalse();
    }

    @Test
    void urls_become_the_ws_endpoint() {
        assertThat(HeraldSubscriber.Builder.webSocketUrl(java.net.URI.create("http://127.0.0.1:8181")).toString()).isEqualTo("ws://127.0.0.1:8181/ws");
        assertThat(HeraldSubscriber.Builder.webSocketUrl(java.net.URI.create("https://push.example.com/")).toString()).isEqualTo("wss://push.example.com/ws");
        assertThat(HeraldSubscriber.Builder.webSocketUrl(java.net.URI.create("ws://h:1/custom/ws")).toString()).isEqualTo("ws://h:1/custom/ws");
    }
}
