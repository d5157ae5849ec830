package dev.herald.server.notify.wecom;

import dev.herald.core.notify.Destination;
import dev.herald.core.notify.SendResult;
import dev.herald.core.notify.SendResult.Outcome;
import dev.herald.server.notify.http.ChannelTestSupport;
import dev.herald.server.testing.ScriptedReceiver.Request;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static dev.herald.server.testing.ScriptedReceiver.answer;
import static org.assertj.core.api.Assertions.assertThat;

/** Against a stand-in that checks WeCom's documented group-robot format and answers like WeCom. */
class WeComNotifierTest extends ChannelTestSupport {
    static final String KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa";

    private final WeComNotifier notifier = new WeComNotifier(http, LOOPBACK);

    @BeforeEach
    void actLikeWeCom() {
        receiver.byDefault(request -> {
            JsonObject body = new JsonObject(request.body());
            String type = body.getString("msgtype");
            boolean wellFormed = request.uri().equals("/cgi-bin/webhook/send?key=" + KEY)
                    && ("text".equals(type) && body.getJsonObject("text").getString("content") != null
                    || "markdown".equals(type) && body.getJsonObject("markdown").getString("content") != null);
            return answer(200, wellFormed ? "{\"errcode\":0,\"errmsg\":\"ok\"}" : "{\"errcode\":40008,\"errmsg\":\"invalid message type\"}");
        });
    }

    private Destination robot() {
        return notifier.validate(new Destination("wecom", receiver.url("/cgi-bin/webhook/send?key=" + KEY), null), "contacts.wecom.url");
    }

    @Test
    void posts_a_text_message_with_title_and_text() throws Exception {
        assertThat(await(notifier.send(plain("Disk full", "db-1 at 97%"), robot()))).isEqualTo(SendResult.ok(200));
        JsonObject body = new JsonObject(receiver.awaitRequests(1).getFirst().body());
        assertThat(body).isEqualTo(new JsonObject().put("msgtype", "text").put("text", new JsonObject().put("content", "Disk full\ndb-1 at 97%")));
    }

    @Test
    void posts_markdown_when_the_notification_has_it() throws Exception {
        assertThat(await(notifier.send(markdown("Deploy", "done", "> **v2** is live"), robot())).outcome()).isEqualTo(Outcome.OK);
        JsonObject body = new JsonObject(receiver.awaitRequests(1).getFirst().body());
        assertThat(body.getString("msgtype")).isEqualTo("markdown");
        assertThat(body.getJsonObject("markdown").getString("content")).isEqualTo("**Deploy**\n> **v2** is live");
    }

    @Test
    void long_text_is_cut_to_wecoms_limit() throws Exception {
        await(notifier.send(plain("T", "汉".repeat(5000)), robot()));
        Request request = receiver.awaitRequests(1).getFirst();
        String content = new JsonObject(request.body()).getJsonObject("text").getString("content");
        assertThat(content.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(WeComNotifier.MAX_TEXT_BYTES);
        assertThat(content).endsWith("…");
    }

    @Test
    void errcodes_in_a_200_decide_the_outcome() throws Exception {
        receiver.then(answer(200, "{\"errcode\":45009,\"errmsg\":\"api freq out of limit\"}"),
                answer(200, "{\"errcode\":-1,\"errmsg\":\"system busy\"}"),
                answer(200, "{\"errcode\":93000,\"errmsg\":\"invalid webhook url, hint: [x], more info at https://open.work.weixin.qq.com/devtool/query?e=93000 key=" + KEY + "\"}"),
                answer(200, "<html>proxy error</html>"));
        SendResult limited = await(notifier.send(plain("T", "B"), robot()));
        assertThat(limited.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(limited.detail()).isEqualTo("WeCom errcode 45009: api freq out of limit");
        assertThat(limited.retryAfter()).isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(await(notifier.send(plain("T", "B"), robot())).outcome()).isEqualTo(Outcome.RETRY);
        SendResult invalid = await(notifier.send(plain("T", "B"), robot()));
        assertThat(invalid.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(invalid.detail()).startsWith("WeCom errcode 93000: invalid webhook url").doesNotContain(KEY);
        SendResult unreadable = await(notifier.send(plain("T", "B"), robot()));
        assertThat(unreadable.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(unreadable.detail()).startsWith("HTTP 200 with an unexpected answer");
    }
}
