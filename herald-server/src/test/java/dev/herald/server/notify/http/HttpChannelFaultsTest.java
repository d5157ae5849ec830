package dev.herald.server.notify.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notification;
import dev.herald.core.notify.Notifier;
import dev.herald.core.notify.SendResult;
import dev.herald.core.notify.SendResult.Outcome;
import dev.herald.server.notify.dingtalk.DingTalkNotifier;
import dev.herald.server.notify.feishu.FeishuNotifier;
import dev.herald.server.notify.slack.SlackNotifier;
import dev.herald.server.notify.webhook.WebhookNotifier;
import dev.herald.server.notify.wecom.WeComNotifier;
import dev.herald.server.testing.ScriptedReceiver;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

import static dev.herald.server.testing.ScriptedReceiver.answer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every HTTP channel against the same faults: the shared mapping of statuses and broken endpoints to
 * {@link SendResult}s, the address policy, and secrets kept out of details, {@code toString} and logs.
 */
class HttpChannelFaultsTest {
    static final String TOKEN = "tok3n-in-the-url-9f8e7d";
    static final String SECRET = "SECsupersecretvalue0123456789abcdef";
    /** The timeout tests' total timeout; the others get a generous one (a loaded CI machine is slow). */
    static final Duration TOTAL = Duration.ofMillis(700);
    static Vertx vertx;
    static OutboundHttp http;
    static OutboundHttp impatient;
    ScriptedReceiver receiver;
    ListAppender<ILoggingEvent> logs;

    record Channel(String name, BiFunction<OutboundHttp, AddressPolicy, Notifier> factory) {
        Notifier notifier(AddressPolicy policy) {
            return factory.apply(http, policy);
        }

        Notifier impatientNotifier() {
            return factory.apply(impatient, AddressPolicy.allowingLoopback());
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Channel> channels() {
        return List.of(new Channel("webhook", WebhookNotifier::new), new Channel("wecom", WeComNotifier::new),
                new Channel("dingtalk", DingTalkNotifier::new), new Channel("feishu", FeishuNotifier::new),
                new Channel("slack", SlackNotifier::new));
    }

    @BeforeAll
    static void startClient() {
        vertx = Vertx.vertx();
        http = new OutboundHttp(vertx, Duration.ofSeconds(5), Duration.ofSeconds(10), 4096);
        impatient = new OutboundHttp(vertx, Duration.ofSeconds(5), TOTAL, 4096);
    }

    @AfterAll
    static void stopClient() {
        http.close();
        impatient.close();
        vertx.close().await();
    }

    @BeforeEach
    void start() {
        receiver = new ScriptedReceiver(vertx);
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void stop() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        receiver.close();
    }

    private Destination destination(Channel channel, String baseUrl) {
        String secret = channel.name().equals("webhook") ? "whsec_" + java.util.Base64.getEncoder().encodeToString(SECRET.getBytes()) : SECRET;
        return new Destination(channel.name(), baseUrl + "/hook/" + TOKEN + "?key=" + TOKEN, secret);
    }

    private SendResult send(Channel channel, AddressPolicy policy, Destination destination) throws Exception {
        return send(channel.notifier(policy), channel, destination);
    }

    private SendResult send(Notifier notifier, Channel channel, Destination destination) throws Exception {
        Destination valid = notifier.validate(destination, "contacts." + channel.name() + ".url");
        SendResult result = notifier.send(notification(), valid).get(10, TimeUnit.SECONDS);
        assertNoSecretIn(result.detail());
        assertNoSecretIn(valid.toString());
        assertNoSecretIn(notifier.endpointKey(valid));
        for (ILoggingEvent event : logs.list) {
            assertNoSecretIn(event.getFormattedMessage());
            if (event.getThrowableProxy() != null) {
                assertNoSecretIn(ThrowableProxyUtil.asString(event.getThrowableProxy()));
            }
        }
        return result;
    }

    private SendResult send(Channel channel) throws Exception {
        return send(channel, AddressPolicy.allowingLoopback(), destination(channel, receiver.url("")));
    }

    static void assertNoSecretIn(String text) {
        if (text != null) {
            assertThat(text).doesNotContain(TOKEN).doesNotContain(SECRET).doesNotContain("supersecret");
        }
    }

    static Notification notification() {
        return new Notification("dlv_1", "msg_1", "u1", 1_700_000_000_000L, "Title", "Body", null, null, "{\"k\":1}");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("channels")
    void server_errors_are_retried(Channel channel) throws Exception {
        receiver.then(answer(500), answer(503, "busy"), answer(502));
        for (int i = 0; i < 3; i++) {
            SendResult result = send(channel);
            assertThat(result.outcome()).isEqualTo(Outcome.RETRY);
            assertThat(result.statusCode()).isIn(500, 502, 503);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("channels")
    void a_429_is_retried_after_its_retry_after_in_seconds_or_as_a_date(Channel channel) throws Exception {
        String inTwoMinutes = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(120));
        receiver.then(answer(429).header("Retry-After", "30"), answer(429).header("Retry-After", inTwoMinutes));
        SendResult seconds = send(channel);
        assertThat(seconds.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(seconds.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        SendResult date = send(channel);
        assertThat(date.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(date.retryAfter()).isBetween(Duration.ofSeconds(100), Duration.ofSeconds(120));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("channels")
    void gone_is_gone_and_other_client_errors_are_permanent(Channel channel) throws Exception {
        receiver.then(answer(410, "channel_is_archived"), answer(400, "invalid_payload"), answer(404, "no_service"));
        SendResult gone = send(channel);
        assertThat(gone.outcome()).isEqualTo(Outcome.GONE);
        assertThat(gone.statusCode()).isEqualTo(410);
        SendResult bad = send(channel);
        assertThat(bad.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(bad.detail()).isEqualTo("HTTP 400: invalid_payload");
        assertThat(send(channel).outcome()).isEqualTo(Outcome.PERMANENT);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("channels")
    void a_redirect_is_permanent_and_not_followed(Channel channel) throws Exception {
        receiver.then(answer(307).header("Location", "http://169.254.169.254/latest/meta-data/"));
        SendResult result = send(channel);
        assertThat(result.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(result.statusCode()).isEqualTo(307);
        assertThat(receiver.requests()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("channels")
    void a_closed_port_is_retried(Channel channel) throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        SendResult result = send(channel, AddressPolicy.allowingLoopback(), destination(channel, "http://127.0.0.1:" + closed));
        assertThat(result.outcome()).isEqualTo(Outcome.RETRY);
        assertThat(result.statusCode()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("channels")
    void a_silent_or_trickling_endpoint_is_retried_after_the_total_timeout(Channel channel) throws Exception {
        receiver.then(ScriptedReceiver.silence(), ScriptedReceiver.trickle());
        Notifier notifier = channel.impatientNotifier();
        long start = System.nanoTime();
        assertThat(send(notifier, channel, destination(channel, receiver.url(""))).outcome()).isEqualTo(Outcome.RETRY);
        assertThat(send(notifier, channel, destination(channel, receiver.url(""))).outcome()).isEqualTo(Outcome.RETRY);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(TOTAL.multipliedBy(2), TOTAL.multipliedBy(2).plusSeconds(4));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("channels")
    void internal_literals_are_refused_at_validation_naming_the_field(Channel channel) {
        Notifier notifier = channel.notifier(AddressPolicy.publicOnly());
        for (String host : List.of("http://127.0.0.1", "http://10.0.0.8", "http://169.254.169.254", "http://[::1]", "http://[::ffff:192.168.0.1]")) {
            assertThatThrownBy(() -> notifier.validate(destination(channel, host), "contacts." + channel.name() + ".url"))
                    .isInstanceOfSatisfying(HeraldException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                        assertThat(e.getMessage()).startsWith("contacts." + channel.name() + ".url ").contains("not allowed");
                        assertNoSecretIn(e.getMessage());
                    });
        }
        assertThatThrownBy(() -> notifier.validate(new Destination(channel.name(), "ftp://example.com/x", null), "p"))
                .isInstanceOf(HeraldException.class).hasMessage("p must be an http or https URL");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("channels")
    void localhost_is_refused_at_send_time_unless_loopback_is_allowed(Channel channel) throws Exception {
        String localhost = "http://localhost:" + receiver.port();
        SendResult refused = send(channel, AddressPolicy.publicOnly(), destination(channel, localhost));
        assertThat(refused.outcome()).isEqualTo(Outcome.PERMANENT);
        assertThat(refused.detail()).startsWith("address not allowed");
        assertThat(receiver.requests()).isEmpty();

        receiver.byDefault(request -> answer(200, "{\"errcode\":0,\"code\":0}"));
        SendResult allowed = send(channel, AddressPolicy.allowingLoopback(), destination(channel, localhost));
        assertThat(allowed.outcome()).isEqualTo(Outcome.OK);
        assertThat(receiver.requests()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("channels")
    void an_oversized_answer_does_not_hang_or_fill_memory(Channel channel) throws Exception {
        receiver.then(ScriptedReceiver.oversized(5 * 1024 * 1024));
        SendResult result = send(channel);
        // A webhook's 200 is its answer; a robot's answer cut short cannot prove delivery.
        assertThat(result.outcome()).isEqualTo(channel.name().equals("webhook") || channel.name().equals("slack") ? Outcome.OK : Outcome.PERMANENT);
    }
}
