package dev.herald.server.notify.slack;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.SendResult;
import dev.herald.core.notify.SendResult.Outcome;
import dev.herald.server.notify.http.ChannelTestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.herald.server.testing.ScriptedReceiver.answer;
import static org.assertj.core.api.Assertions.assertThat;

/** Against a stand-in that answers like a Slack incoming webhook. */
class SlackNotifierTest extends ChannelTestSupport {
    static final String PATH = "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX";

    private final SlackNotifier notifier = new SlackNotifier(http, LOOPBACK);

    @BeforeEach
    void actLikeSlack() {
        receiver.byDefault(request -> {
            if (!request.uri().equals(PATH)) {
                return answer(404, "no_service");
            }
            JsonObject body = new JsonObject(request.body());
            return body.getString("text") == null && body.getJsonArray("blocks") == null ? answer(400, "no_text") : answer(200, "ok");
        });
    }

    private Destination hook() {
        return notifier.validate(new Destination("slack", receiver.url(PATH), null), "contacts.slack.url");
    }

    @Test
    void posts_text() throws Exception {
        assertThat(await(notifier.send(plain("Disk full", "db-1 at 97%"), hook()))).isEqualTo(SendResult.ok(200));
        assertThat(new JsonObject(receiver.awaitRequests(1).getFirst().body()))
                .isEqualTo(new JsonObject().put("text", "Disk full\ndb-1 at 97%"));
    }

    @Test
    void markdown_goes_in_a_mrkdwn_section_with_the_text_as_fallback() throws Exception {
        await(notifier.send(markdown("Deploy", "v2 is live", "_v2_ is *live*"), hook()));
        JsonObject body = new JsonObject(receiver.awaitRequests(1).getFirst().body());
        assertThat(body.getString("text")).isEqualTo("Deploy\nv2 is live");
        assertThat(body.getJsonArray("blocks")).isEqualTo(new JsonArray().add(new JsonObject().put("type", "section")
                .put("text", new JsonObject().put("type", "mrkdwn").put("text", "*Deploy*\n_v2_ is *live*"))));
    }

    @Test
    void slacks_error_answers_map_to_outcomes_with_its_error_string() throws Exception {
        receiver.then(answer(400, "invalid_payload"), answer(403, "action_prohibited"), answer(404, "channel_not_found"),
                answer(410, "channel_is_archived"), answer(429, "rate_limited").header("Retry-After", "12"), answer(500, "rollup_error"));
        SendResult invalid = await(notifier.send(plain("A", "B"), hook()));
        assertThat(invalid.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(invalid.detail()).isEqualTo("HTTP 400: invalid_payload");
        assertThat(await(notifier.send(plain("A", "B"), hook())).detail()).isEqualTo("HTTP 403: action_prohibited");
        assertThat(await(notifier.send(plain("A", "B"), hook())).outcome()).isEqualTo(Outcome.PERMANENT);
        SendResult archived = await(notifier.send(plain("A", "B"), hook()));
        assertThat(archived.outcome()).isEqualTo(Outcome.GONE);
        assertThat(archived.detail()).isEqualTo("HTTP 410: channel_is_archived");
        SendResult limited = await(notifier.send(plain("A", "B"), hook()));
        assertThat(limited.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(12));
        assertThat(await(notifier.send(plain("A", "B"), hook())).outcome()).isEqualTo(Outcome.RETRY);
    }

    @Test
    void a_wrong_hook_path_is_permanent_without_showing_the_path() throws Exception {
        Destination wrong = notifier.validate(new Destination("slack", receiver.url("/services/T0/B0/WRONGSECRETxxxxxxxx"), null), "p");
        SendResult result = await(notifier.send(plain("A", "B"), wrong));
        assertThat(result.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(result.detail()).isEqualTo("HTTP 404: no_service");
        assertThat(wrong.toString()).doesNotContain("WRONGSECRET");
    }
}
