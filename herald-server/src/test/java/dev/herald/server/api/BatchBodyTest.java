package dev.herald.server.api;

import dev.herald.core.PushCenter;
import dev.herald.core.error.ErrorCode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The publish answers written as bytes are the JSON the {@link JsonObject} rendering gave, entry for entry. */
class BatchBodyTest {

    @Test
    void every_kind_of_entry_renders_as_the_json_objects_did() {
        List<PushCenter.BatchResult> results = List.of(
                new PushCenter.BatchResult(new PushCenter.Published("01JABCDEFGHJKMNPQRSTVWXYZ0", 12345, false, false), null),
                new PushCenter.BatchResult(new PushCenter.Published("01JABCDEFGHJKMNPQRSTVWXYZ1", 0, true, false), null),
                new PushCenter.BatchResult(new PushCenter.Published("01JABCDEFGHJKMNPQRSTVWXYZ2", 0, true, true), null),
                new PushCenter.BatchResult(null, ErrorCode.INVALID_REQUEST.exception("messages[3].to has \"quotes\", a \\ and\na line ü")));

        Buffer body = ApiRoutes.batchBody(results);

        JsonArray expected = new JsonArray()
                .add(new JsonObject().put("id", "01JABCDEFGHJKMNPQRSTVWXYZ0").put("delivered", 12345))
                .add(new JsonObject().put("id", "01JABCDEFGHJKMNPQRSTVWXYZ1").put("delivered", 0).put("queued", true))
                .add(new JsonObject().put("id", "01JABCDEFGHJKMNPQRSTVWXYZ2").put("delivered", 0).put("duplicate", true))
                .add(ErrorRenderer.body(results.get(3).error()));
        assertThat(new JsonObject(body)).isEqualTo(new JsonObject().put("results", expected));
        assertThat(new JsonObject(body).getJsonArray("results").getJsonObject(3).getJsonObject("error").getString("message"))
                .isEqualTo("messages[3].to has \"quotes\", a \\ and\na line ü");
    }

    @Test
    void a_single_publish_answer_is_byte_for_byte_what_the_json_object_encoded() {
        for (PushCenter.Published p : List.of(
                new PushCenter.Published("01JABCDEFGHJKMNPQRSTVWXYZ0", 1, false, false),
                new PushCenter.Published("01JABCDEFGHJKMNPQRSTVWXYZ0", 9, false, false),
                new PushCenter.Published("01JABCDEFGHJKMNPQRSTVWXYZ0", 10, false, false),
                new PushCenter.Published("01JABCDEFGHJKMNPQRSTVWXYZ1", 0, true, false),
                new PushCenter.Published("01JABCDEFGHJKMNPQRSTVWXYZ2", 3, true, true))) {
            JsonObject before = new JsonObject().put("id", p.id()).put("delivered", p.delivered());
            if (p.queued()) {
                before.put("queued", true);
            }
            if (p.duplicate()) {
                before.put("duplicate", true);
            }
            assertThat(ApiRoutes.publishedBody(p).toString()).isEqualTo(before.encode());
        }
    }
}
