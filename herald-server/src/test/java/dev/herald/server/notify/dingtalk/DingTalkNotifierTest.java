package dev.herald.server.notify.dingtalk;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.SendResult;
import dev.herald.core.notify.SendResult.Outcome;
import dev.herald.server.notify.http.ChannelTestSupport;
import dev.herald.server.testing.ScriptedReceiver.Request;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.herald.server.testing.ScriptedReceiver.answer;
import static org.assertj.core.api.Assertions.assertThat;

/** Against a stand-in that checks DingTalk's documented custom-robot format and signature. */
class DingTalkNotifierTest extends ChannelTestSupport {
    static final String TOKEN = "50cb6e954c89afa14fb97754eafd886d";
    static final String SECRET = "SEC5a3ecf88f2b3eb50db30ecfc00f53033ac909c99bf7f88fd612bda89d7f3a9dc";

    private final DingTalkNotifier notifier = new DingTalkNotifier(http, LOOPBACK);

    @BeforeEach
    void actLikeDingTalk() {
        receiver.byDefault(request -> {
            Map<String, String> query = query(request);
            if (!TOKEN.equals(query.get("access_token"))) {
                return answer(200, "{\"errcode\":300001,\"errmsg\":\"token is not exist\"}");
            }
            if (query.containsKey("sign") && !validSign(query.get("timestamp"), query.get("sign"))) {
                return answer(200, "{\"errcode\":310000,\"errmsg\":\"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]\"}");
            }
            return answer(200, "{\"errcode\":0,\"errmsg\":\"ok\"}");
        });
    }

    /** DingTalk's documented check: sign = urlencode(base64(HmacSHA256(secret, timestamp + "\n" + secret))), within an hour. */
    private static boolean validSign(String timestamp, String sign) {
        try {
            long ts = Long.parseLong(timestamp);
            return Math.abs(System.currentTimeMillis() - ts) < 3_600_000 && base64HmacSha256(SECRET, ts + "\n" + SECRET).equals(sign);
        } catch (Exception e) {
            return false;
        }
    }

    private static Map<String, String> query(Request request) {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = URI.create(request.uri()).getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            int eq = pair.indexOf('=');
            query.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    private Destination robot(String secret) {
        return notifier.validate(new Destination("dingtalk", receiver.url("/robot/send?access_token=" + TOKEN), secret), "contacts.dingtalk.url");
    }

    @Test
    void a_signed_robot_gets_timestamp_and_sign_that_verify() throws Exception {
        assertThat(await(notifier.send(plain("Alert", "CPU high"), robot(SECRET)))).isEqualTo(SendResult.ok(200));
        Request request = receiver.awaitRequests(1).getFirst();
        Map<String, String> query = query(request);
        assertThat(query.keySet()).containsExactly("access_token", "timestamp", "sign");
        assertThat(validSign(query.get("timestamp"), query.get("sign"))).isTrue();
        assertThat(new JsonObject(request.body())).isEqualTo(new JsonObject().put("msgtype", "text")
                .put("text", new JsonObject().put("content", "Alert\nCPU high")));
    }

    @Test
    void a_wrong_secret_is_refused_by_the_robot_and_permanent() throws Exception {
        SendResult result = await(notifier.send(plain("Alert", "CPU high"), robot("SECwrong")));
        assertThat(result.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(result.detail()).startsWith("DingTalk errcode 310000: sign not match").doesNotContain("SECwrong");
    }

    @Test
    void an_unsigned_robot_gets_no_signature_parameters() throws Exception {
        assertThat(await(notifier.send(plain("A", "B"), robot(null))).outcome()).isEqualTo(Outcome.OK);
        assertThat(query(receiver.awaitRequests(1).getFirst()).keySet()).containsExactly("access_token");
    }

    @Test
    void markdown_uses_the_markdown_message_type_with_a_title() throws Exception {
        await(notifier.send(markdown("Deploy", "done", "- **v2** is live"), robot(SECRET)));
        JsonObject body = new JsonObject(receiver.awaitRequests(1).getFirst().body());
        assertThat(body.getString("msgtype")).isEqualTo("markdown");
        assertThat(body.getJsonObject("markdown").getString("title")).isEqualTo("Deploy");
        assertThat(body.getJsonObject("markdown").getString("text")).isEqualTo("#### Deploy\n\n- **v2** is live");
    }

    @Test
    void sending_too_fast_is_retried_and_other_errcodes_are_permanent() throws Exception {
        receiver.then(answer(200, "{\"errcode\":130101,\"errmsg\":\"send too fast, exceed 20 times per minute\"}"),
                answer(200, "{\"errcode\":310000,\"errmsg\":\"keywords not in content\"}"));
        SendResult tooFast = await(notifier.send(plain("A", "B"), robot(SECRET)));
        assertThat(tooFast.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(tooFast.retryAfter()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(await(notifier.send(plain("A", "B"), robot(SECRET))).outcome()).isEqualTo(Outcome.PERMANENT);
    }

    @Test
    void the_signature_matches_a_published_vector() {
        // A published vector (the Rust dingding crate's test of the same documented algorithm), URL-decoded.
        assertThat(DingTalkNotifier.sign("secret", 1_700_000_000_000L)).isEqualTo("OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY=");
    }
}
