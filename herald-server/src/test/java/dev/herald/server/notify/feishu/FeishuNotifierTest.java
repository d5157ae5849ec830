package dev.herald.server.notify.feishu;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.SendResult;
import dev.herald.core.notify.SendResult.Outcome;
import dev.herald.server.notify.http.ChannelTestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static dev.herald.server.testing.ScriptedReceiver.answer;
import static org.assertj.core.api.Assertions.assertThat;

/** Against a stand-in that checks Feishu's documented custom-bot format and signature. */
class FeishuNotifierTest extends ChannelTestSupport {
    static final String TOKEN = "2a4b6c8d-1234-5678-9abc-def012345678";
    static final String SECRET = "qB3kF9xZp0LmNvT7wYcR2d";

    private final FeishuNotifier notifier = new FeishuNotifier(http, LOOPBACK);

    @BeforeEach
    void actLikeFeishu() {
        receiver.byDefault(request -> {
            if (!request.uri().equals("/open-apis/bot/v2/hook/" + TOKEN)) {
                return answer(200, "{\"code\":19001,\"msg\":\"param invalid: incoming webhook access token invalid\"}");
            }
            JsonObject body = new JsonObject(request.body());
            if (body.containsKey("sign") && !validSign(body.getValue("timestamp"), body.getString("sign"))) {
                return answer(200, "{\"code\":19021,\"msg\":\"sign match fail or timestamp is not within one hour from current time\"}");
            }
            return answer(200, "{\"code\":0,\"data\":{},\"msg\":\"success\"}");
        });
    }

    /** Feishu's documented check: timestamp is a string of seconds; sign = base64(HmacSHA256(key = timestamp + "\n" + secret, data = "")). */
    private static boolean validSign(Object timestamp, String sign) {
        try {
            String ts = (String) timestamp;
            return Math.abs(System.currentTimeMillis() / 1000 - Long.parseLong(ts)) < 3600
                    && base64HmacSha256(ts + "\n" + SECRET, "").equals(sign);
        } catch (Exception e) {
            return false;
        }
    }

    private Destination bot(String secret) {
        return notifier.validate(new Destination("feishu", receiver.url("/open-apis/bot/v2/hook/" + TOKEN), secret), "contacts.feishu.url");
    }

    @Test
    void a_signed_bot_gets_a_text_message_with_timestamp_and_sign_that_verify() throws Exception {
        assertThat(await(notifier.send(plain("Alert", "CPU high"), bot(SECRET)))).isEqualTo(SendResult.ok(200));
        JsonObject body = new JsonObject(receiver.awaitRequests(1).getFirst().body());
        assertThat(body.getString("msg_type")).isEqualTo("text");
        assertThat(body.getJsonObject("content")).isEqualTo(new JsonObject().put("text", "Alert\nCPU high"));
        assertThat(body.getValue("timestamp")).isInstanceOf(String.class);
        assertThat(validSign(body.getValue("timestamp"), body.getString("sign"))).isTrue();
    }

    @Test
    void a_wrong_secret_is_refused_by_the_bot_and_permanent() throws Exception {
        SendResult result = await(notifier.send(plain("A", "B"), bot("not-the-secret")));
        assertThat(result.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(result.detail()).startsWith("Feishu code 19021: sign match fail").doesNotContain("not-the-secret");
    }

    @Test
    void an_unsigned_bot_gets_no_signature_fields() throws Exception {
        assertThat(await(notifier.send(plain("A", "B"), bot(null))).outcome()).isEqualTo(Outcome.OK);
        assertThat(new JsonObject(receiver.awaitRequests(1).getFirst().body()).fieldNames()).containsExactlyInAnyOrder("msg_type", "content");
    }

    @Test
    void markdown_becomes_an_interactive_card_with_a_markdown_element() throws Exception {
        assertThat(await(notifier.send(markdown("Deploy", "done", "**v2** is live"), bot(SECRET))).outcome()).isEqualTo(Outcome.OK);
        JsonObject body = new JsonObject(receiver.awaitRequests(1).getFirst().body());
        assertThat(body.getString("msg_type")).isEqualTo("interactive");
        JsonObject card = body.getJsonObject("card");
        assertThat(card.getJsonObject("header").getJsonObject("title"))
                .isEqualTo(new JsonObject().put("tag", "plain_text").put("content", "Deploy"));
        assertThat(card.getJsonArray("elements")).isEqualTo(new JsonArray().add(new JsonObject().put("tag", "markdown").put("content", "**v2** is live")));
    }

    @Test
    void codes_in_a_200_decide_the_outcome_in_both_answer_forms() throws Exception {
        receiver.then(answer(200, "{\"StatusCode\":0,\"StatusMessage\":\"success\"}"),
                answer(200, "{\"code\":11232,\"msg\":\"frequency limited psm[lark.oapi.app_platform_runtime]appID[1]\"}"),
                answer(200, "{\"code\":9499,\"msg\":\"Too Many Request\"}"),
                answer(200, "{\"code\":19024,\"msg\":\"Key Words Not Found\"}"));
        assertThat(await(notifier.send(plain("A", "B"), bot(null))).outcome()).isEqualTo(Outcome.OK);
        assertThat(await(notifier.send(plain("A", "B"), bot(null))).outcome()).isEqualTo(Outcome.RETRY);
        assertThat(await(notifier.send(plain("A", "B"), bot(null))).outcome()).isEqualTo(Outcome.RETRY);
        SendResult keywords = await(notifier.send(plain("A", "B"), bot(null)));
        assertThat(keywords.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(keywords.detail()).isEqualTo("Feishu code 19024: Key Words Not Found");
    }

    @Test
    void a_rate_limit_code_wins_over_a_refusing_status() throws Exception {
        receiver.then(answer(400, "{\"code\":9499,\"msg\":\"Too Many Request\",\"data\":{}}"),
                answer(400, "{\"code\":19001,\"msg\":\"param invalid\"}"));
        SendResult limited = await(notifier.send(plain("A", "B"), bot(null)));
        assertThat(limited.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(limited.statusCode()).isEqualTo(400);
        assertThat(await(notifier.send(plain("A", "B"), bot(null))).outcome()).isEqualTo(Outcome.PERMANENT);
    }
}
