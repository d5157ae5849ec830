package dev.herald.core.protocol;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.message.NotifyRequest;
import dev.herald.core.message.PublishRequest;
import dev.herald.core.notify.Destination;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PublishRequestParserTest {
    private final PublishRequestParser parser = new PublishRequestParser();

    @Test
    void data_is_kept_byte_exact_whatever_its_json_type() {
        for (String data : List.of("{\"a\": [1, 2.50, 1e3]}", "[ ]", "\"text with \\\"quotes\\\" and \\u00e9\"", "12.500", "null", "true",
                "{\"nested\":{\"deep\":[{\"x\":\"你好\"}]}}")) {
            PublishRequest r = parser.parseOne("{\"to\":{\"users\":[\"u\"]},\"data\":" + data + "}");
            assertThat(r.dataJson()).isEqualTo(data);
        }
    }

    @Test
    void raw_body_is_the_string_content_for_string_data_and_the_json_text_otherwise() {
        PublishRequest text = parser.parseOne("{\"data\":\"Hello \\\"World\\\"\",\"to\":{\"users\":[\"u\"]}}");
        PublishRequest object = parser.parseOne("{\"to\":{\"users\":[\"u\"]},\"data\":{\"a\":1}}");

        assertThat(new String(text.rawBody(), StandardCharsets.UTF_8)).isEqualTo("Hello \"World\"");
        assertThat(new String(object.rawBody(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    }

    @Test
    void raw_body_of_string_data_is_its_utf8_content_with_or_without_escapes_and_non_ascii() {
        // "plain" takes the copy-from-the-body path; the others (escapes, non-ASCII, both, empty) decode the string
        List<String[]> cases = List.of(
                new String[] {"\"plain ascii 123\"", "plain ascii 123"},
                new String[] {"\"\"", ""},
                new String[] {"\"caf\u00e9 你好 \uD83D\uDE00\"", "caf\u00e9 你好 \uD83D\uDE00"},
                new String[] {"\"tab\\there \\u00e9\"", "tab\there \u00e9"},
                new String[] {"\"line\\nbreak\"", "line\nbreak"});
        for (String[] c : cases) {
            PublishRequest one = parser.parseOne("{\"to\":{\"users\":[\"u\"]},\"data\":" + c[0] + ",\"persist\":false}");
            List<PublishRequestParser.Item> batch = parser.parseBatch("[{\"data\":" + c[0] + ",\"to\":{\"users\":[\"u\"]}},"
                    + "{\"to\":{\"users\":[\"v\"]},\"data\":" + c[0] + "}]", 10);
            for (PublishRequest r : List.of(one, batch.get(0).request(), batch.get(1).request())) {
                assertThat(new String(r.rawBody(), StandardCharsets.UTF_8)).as(c[0]).isEqualTo(c[1]);
                assertThat(r.dataJson()).isEqualTo(c[0]);
            }
        }
    }

    @Test
    void batch_errors_name_the_item_and_field() {
        List<PublishRequestParser.Item> items = parser.parseBatch("[{\"to\":{\"users\":[\"u\"]},\"data\":1},"
                + "{\"to\":{\"users\":[1.5]},\"data\":1},{\"to\":{\"all\":1},\"data\":1},{\"to\":{\"users\":[\"u\"]},\"data\":1,\"persist\":\"no\"}]", 10);

        assertThat(items.get(0).error()).isNull();
        assertThat(items.get(0).request().delivery()).isSameAs(NotifyRequest.IN_APP);
        assertThat(items.get(1).error().getMessage()).isEqualTo("messages[1].to.users must be an array of strings");
        assertThat(items.get(2).error().getMessage()).isEqualTo("messages[2].to.all must be true or false");
        assertThat(items.get(3).error().getMessage()).isEqualTo("messages[3].persist must be true or false");
        assertThatThrownBy(() -> parser.parseOne("{\"to\":{\"users\":\"u\"},\"data\":1}"))
                .hasMessage("to.users must be an array of strings");
    }

    @Test
    void recipients_are_read_from_users_topics_and_all() {
        PublishRequest r = parser.parseOne("{\"to\":{\"users\":[\"a\",42],\"topics\":[\"orders\"],\"all\":false},\"data\":1}");

        assertThat(r.users()).containsExactly("a", "42");
        assertThat(r.topics()).containsExactly("orders");
        assertThat(r.all()).isFalse();
        assertThat(parser.parseOne("{\"to\":{\"all\":true},\"data\":1}").all()).isTrue();
    }

    @Test
    void syntax_errors_are_invalid_json_with_line_and_column() {
        assertThatThrownBy(() -> parser.parseOne("{\"to\":{\"users\":[\"a\"]},\n\"data\":{]}"))
                .isInstanceOf(HeraldException.class)
                .satisfies(e -> assertThat(((HeraldException) e).code()).isEqualTo(ErrorCode.INVALID_JSON))
                .hasMessageContaining("line 2");
        assertThatThrownBy(() -> parser.parseOne("{\"to\":{\"users\":[\"a\"]},\"data\":1} trailing"))
                .satisfies(e -> assertThat(((HeraldException) e).code()).isEqualTo(ErrorCode.INVALID_JSON));
    }

    @Test
    void invalid_requests_name_the_field() {
        assertInvalid("{\"data\":1}", "to is required");
        assertInvalid("{\"to\":{\"users\":[\"a\"]}}", "data is required");
        assertInvalid("{\"to\":{},\"data\":1}", "no recipient");
        assertInvalid("{\"to\":{\"users\":[\"a\"]},\"data\":1,\"colour\":\"red\"}", "unknown field 'colour'");
        assertInvalid("{\"to\":{\"Users\":[\"a\"]},\"data\":1}", "unknown field 'to.Users'");
        assertInvalid("{\"to\":{\"webhook\":{\"uri\":\"http://x\"}},\"data\":1}", "unknown field 'to.webhook.uri'");
        assertInvalid("{\"to\":{\"webhook\":{\"url\":\"https://x/\",\"secret\":\"" + "s".repeat(513) + "\"}},\"data\":1}", "to.webhook.secret is longer than 512");
        assertInvalid("{\"to\":{\"webhook\":\"https://x/" + "p".repeat(2048) + "\"},\"data\":1}", "to.webhook is longer than 2048");
        assertInvalid("{\"to\":{\"webhook\":7},\"data\":1}", "unknown field 'to.webhook' (a channel target is an address string");
        assertInvalid("{\"to\":{\"users\":[\"a\"]},\"data\":1,\"fallback\":{\"channels\":[\"email\"]}}", "fallback.after is required");
        assertInvalid("{\"to\":{\"users\":[\"a\"]},\"data\":1,\"fallback\":{\"after\":\"30s\",\"channels\":[\"ws\"]}}", "must not contain ws");
        assertInvalid("{\"to\":{\"users\":[\"a\"]},\"data\":1,\"channels\":[]}", "channels must name at least one channel");
        assertInvalid("{\"to\":{\"users\":[\"a\"]},\"data\":1,\"notification\":{\"title\":\"a\\nb\"}}", "notification.title must be one line");
        assertInvalid("{\"to\":{\"users\":\"a\"},\"data\":1}", "to.users must be an array");
        assertInvalid("{\"to\":{\"all\":\"yes\"},\"data\":1}", "to.all must be true or false");
        assertInvalid("[1]", "must be a JSON object");
    }

    @Test
    void channels_targets_fallback_and_content_are_read() {
        PublishRequest r = parser.parseOne("{\"to\":{\"users\":[\"a\"],\"webhook\":[{\"url\":\"https://h.example/x\",\"secret\":\"s3cr3t\"}],"
                + "\"email\":\"ops@example.com\"},\"data\":\"hi\",\"channels\":[\"ws\",\"email\",\"email\"],"
                + "\"fallback\":{\"after\":\"30s\",\"channels\":[\"slack\"]},"
                + "\"notification\":{\"title\":\"Build\",\"html\":\"<b>ok</b>\"}}");
        assertThat(r.delivery().channels()).containsExactly("ws", "email");
        assertThat(r.delivery().targets()).containsExactly(
                new Destination("webhook", "https://h.example/x", "s3cr3t"), new Destination("email", "ops@example.com", null));
        assertThat(r.delivery().fallback()).isEqualTo(new NotifyRequest.Fallback(Duration.ofSeconds(30), List.of("slack")));
        assertThat(r.delivery().content()).isEqualTo(new NotifyRequest.Content("Build", null, "<b>ok</b>", null));
        assertThat(r.inAppUsers()).containsExactly("a");
        assertThat(parser.parseOne("{\"to\":{\"users\":[\"a\"]},\"data\":1}").delivery()).isEqualTo(NotifyRequest.IN_APP);
        assertThat(parser.parseOne("{\"to\":{\"users\":[\"a\"]},\"data\":1,\"channels\":[\"email\"]}").inAppUsers()).isEmpty();
    }

    @Test
    void a_batch_keeps_good_items_and_reports_bad_ones_by_index() {
        List<PublishRequestParser.Item> items = parser.parseBatch("{\"messages\":["
                + "{\"to\":{\"users\":[\"a\"]},\"data\":1},"
                + "{\"to\":{\"users\":[\"a\"],\"nope\":{\"x\":[1,{\"y\":2}]}},\"data\":2},"
                + "7,"
                + "{\"to\":{\"topics\":[\"t\"]},\"data\":[3]}]}", 10);

        assertThat(items).hasSize(4);
        assertThat(items.get(0).request().dataJson()).isEqualTo("1");
        assertThat(items.get(1).error()).hasMessageContaining("messages[1].to.nope");
        assertThat(items.get(2).error()).hasMessageContaining("messages[2] must be an object");
        assertThat(items.get(3).request().dataJson()).isEqualTo("[3]");
    }

    @Test
    void a_batch_may_be_a_bare_array_and_is_bounded() {
        assertThat(parser.parseBatch("[{\"to\":{\"all\":true},\"data\":1}]", 1)).hasSize(1);
        assertThatThrownBy(() -> parser.parseBatch("[{\"to\":{\"all\":true},\"data\":1},{\"to\":{\"all\":true},\"data\":2}]", 1))
                .satisfies(e -> assertThat(((HeraldException) e).code()).isEqualTo(ErrorCode.BATCH_TOO_LARGE));
        assertThatThrownBy(() -> parser.parseBatch("[]", 5))
                .satisfies(e -> assertThat(((HeraldException) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    private void assertInvalid(String body, String message) {
        assertThatThrownBy(() -> parser.parseOne(body))
                .isInstanceOf(HeraldException.class)
                .satisfies(e -> assertThat(((HeraldException) e).code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining(message);
    }
}
