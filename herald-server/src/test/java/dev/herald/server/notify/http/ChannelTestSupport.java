package dev.herald.server.notify.http;

import dev.herald.core.notify.Notification;
import dev.herald.core.notify.SendResult;
import dev.herald.server.testing.ScriptedReceiver;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A Vert.x, a shared {@link OutboundHttp} allowing loopback, and a fresh {@link ScriptedReceiver} per test. */
public abstract class ChannelTestSupport {
    protected static Vertx vertx;
    protected static OutboundHttp http;
    protected static final AddressPolicy LOOPBACK = AddressPolicy.allowingLoopback();
    protected ScriptedReceiver receiver;

    @BeforeAll
    static void startClient() {
        vertx = Vertx.vertx();
        http = new OutboundHttp(vertx, Duration.ofSeconds(5), Duration.ofSeconds(10), OutboundHttp.DEFAULT_MAX_RESPONSE_BYTES);
    }

    @AfterAll
    static void stopClient() {
        http.close();
        vertx.close().await();
    }

    @BeforeEach
    void startReceiver() {
        receiver = new ScriptedReceiver(vertx);
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    protected static SendResult await(CompletableFuture<SendResult> result) throws Exception {
        return result.get(20, TimeUnit.SECONDS);
    }

    protected static Notification plain(String title, String text) {
        return new Notification("dlv_01", "msg_01", "u1", 1_700_000_000_000L, title, text, null, null, "{\"k\":[1,2]}");
    }

    protected static Notification markdown(String title, String text, String markdown) {
        return new Notification("dlv_02", "msg_02", "u1", 1_700_000_000_000L, title, text, null, markdown, "null");
    }

    /** HMAC-SHA256, computed here independently of the code under test. */
    protected static String base64HmacSha256(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }

    protected static String base64HmacSha256(String key, String data) throws Exception {
        return base64HmacSha256(key.getBytes(StandardCharsets.UTF_8), data);
    }
}
