package dev.herald.server.notify.http;

import dev.herald.server.notify.http.OutboundResult.Failure;
import dev.herald.server.notify.http.OutboundResult.Reason;
import dev.herald.server.notify.http.OutboundResult.Response;
import dev.herald.server.testing.ScriptedReceiver;
import io.vertx.core.Vertx;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.herald.server.testing.ScriptedReceiver.answer;
import static org.assertj.core.api.Assertions.assertThat;

class OutboundHttpTest {
    static final Duration TOTAL = Duration.ofMillis(800);
    static Vertx vertx;
    static OutboundHttp http;
    /** For the timeout tests only: the others get a generous timeout (a loaded CI machine is slow). */
    static OutboundHttp impatient;
    ScriptedReceiver receiver;

    @BeforeAll
    static void startClient() {
        vertx = Vertx.vertx();
        http = new OutboundHttp(vertx, Duration.ofSeconds(5), Duration.ofSeconds(10), 1024);
        impatient = new OutboundHttp(vertx, Duration.ofSeconds(5), TOTAL, 1024);
    }

    @AfterAll
    static void stopClient() {
        http.close();
        impatient.close();
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

    private OutboundResult post(String url, AddressPolicy policy) throws Exception {
        return post(http, url, policy);
    }

    private OutboundResult post(OutboundHttp http, String url, AddressPolicy policy) throws Exception {
        return http.postJson(URI.create(url), Map.of("x-extra", "1"), "{\"a\":1}", policy).get(10, TimeUnit.SECONDS);
    }

    @Test
    void posts_json_with_headers_and_returns_status_headers_and_body() throws Exception {
        receiver.then(answer(202, "{\"ok\":true}").header("Retry-After", "3"));
        OutboundResult result = post(receiver.url("/hook?key=k"), AddressPolicy.allowingLoopback());
        assertThat(result).isEqualTo(new Response(202, ((Response) result).headers(), "{\"ok\":true}", false));
        assertThat(((Response) result).header("Retry-After")).isEqualTo("3");
        ScriptedReceiver.Request request = receiver.awaitRequests(1).getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.uri()).isEqualTo("/hook?key=k");
        assertThat(request.body()).isEqualTo("{\"a\":1}");
        assertThat(request.header("content-type")).startsWith("application/json");
        assertThat(request.header("x-extra")).isEqualTo("1");
    }

    @Test
    void a_redirect_is_returned_not_followed() throws Exception {
        receiver.then(answer(302).header("Location", receiver.url("/elsewhere")));
        OutboundResult result = post(receiver.url("/hook"), AddressPolicy.allowingLoopback());
        assertThat(result).isInstanceOf(Response.class).extracting(r -> ((Response) r).status()).isEqualTo(302);
        assertThat(receiver.requests()).hasSize(1);
    }

    @Test
    void a_closed_port_is_a_connect_failure() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        OutboundResult result = post("http://127.0.0.1:" + closed + "/hook", AddressPolicy.allowingLoopback());
        assertThat(result).isInstanceOf(Failure.class).extracting(r -> ((Failure) r).reason()).isEqualTo(Reason.CONNECT_FAILED);
    }

    @Test
    void an_endpoint_that_never_answers_ends_at_the_total_timeout() throws Exception {
        receiver.then(ScriptedReceiver.silence());
        long start = System.nanoTime();
        OutboundResult result = post(impatient, receiver.url("/hook"), AddressPolicy.allowingLoopback());
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(result).isInstanceOf(Failure.class).extracting(r -> ((Failure) r).reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(tookMs).isBetween(TOTAL.toMillis() - 50, TOTAL.toMillis() + 2_000);
    }

    @Test
    void an_endpoint_that_trickles_forever_still_ends_at_the_total_timeout_and_loses_its_connection() throws Exception {
        receiver.then(ScriptedReceiver.trickle());
        long start = System.nanoTime();
        OutboundResult result = post(impatient, receiver.url("/hook"), AddressPolicy.allowingLoopback());
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(result).isInstanceOf(Failure.class).extracting(r -> ((Failure) r).reason()).isEqualTo(Reason.TIMEOUT);
        assertThat(tookMs).isBetween(TOTAL.toMillis() - 50, TOTAL.toMillis() + 2_000);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> receiver.connectionsClosed() == 1);
    }

    @Test
    void an_oversized_body_is_cut_at_the_cap() throws Exception {
        receiver.then(ScriptedReceiver.oversized(10 * 1024 * 1024));
        OutboundResult result = post(receiver.url("/hook"), AddressPolicy.allowingLoopback());
        assertThat(result).isInstanceOf(Response.class);
        Response response = (Response) result;
        assertThat(response.truncated()).isTrue();
        assertThat(response.body()).hasSize(1024);
        assertThat(response.status()).isEqualTo(200);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> receiver.connectionsClosed() == 1);
    }

    @Test
    void a_host_name_resolving_to_loopback_is_refused_at_send_time() throws Exception {
        String url = "http://localhost:" + receiver.port() + "/hook";
        AddressPolicy.publicOnly().checkUrl(url); // a name passes validation: it is judged when resolved
        OutboundResult result = post(url, AddressPolicy.publicOnly());
        assertThat(result).isInstanceOf(Failure.class);
        assertThat(((Failure) result).reason()).isEqualTo(Reason.ADDRESS_NOT_ALLOWED);
        assertThat(((Failure) result).detail()).contains("loopback").doesNotContain("/hook");
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void a_host_name_resolving_to_loopback_is_reached_when_loopback_is_allowed_and_keeps_its_host_header() throws Exception {
        String url = "http://localhost:" + receiver.port() + "/hook";
        OutboundResult result = post(url, AddressPolicy.allowingLoopback());
        assertThat(result).isInstanceOf(Response.class).extracting(r -> ((Response) r).status()).isEqualTo(200);
        assertThat(receiver.awaitRequests(1).getFirst().header("host")).isEqualTo("localhost:" + receiver.port());
    }

    @Test
    void a_literal_refused_address_never_connects() throws Exception {
        OutboundResult result = post(receiver.url("/hook"), AddressPolicy.publicOnly());
        assertThat(result).isInstanceOf(Failure.class).extracting(r -> ((Failure) r).reason()).isEqualTo(Reason.ADDRESS_NOT_ALLOWED);
        assertThat(receiver.requests()).isEmpty();
    }

    @Test
    void an_unknown_host_does_not_resolve() throws Exception {
        OutboundResult result = post("http://no-such-host.invalid/hook", AddressPolicy.publicOnly());
        assertThat(result).isInstanceOf(Failure.class).extracting(r -> ((Failure) r).reason()).isEqualTo(Reason.UNRESOLVED);
    }

    @Test
    void every_resolved_address_must_be_allowed() throws Exception {
        OutboundHttp mixed = new OutboundHttp(vertx, Duration.ofSeconds(5), Duration.ofSeconds(10), 1024, null,
                host -> new InetAddress[] {InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.0.0.7")});
        try {
            OutboundResult result = post(mixed, "http://mixed.example.test/hook", AddressPolicy.publicOnly());
            assertThat(result).isInstanceOf(Failure.class);
            assertThat(((Failure) result).reason()).isEqualTo(Reason.ADDRESS_NOT_ALLOWED);
            assertThat(((Failure) result).detail()).isEqualTo("address not allowed: mixed.example.test resolves to a private address");
        } finally {
            mixed.close();
        }
    }

    @Test
    void the_name_is_resolved_once_and_the_connection_goes_to_the_checked_address() throws Exception {
        // A rebinding DNS: the first answer is the receiver (allowed here), every later answer a refused address.
        AtomicInteger lookups = new AtomicInteger();
        OutboundHttp rebinding = new OutboundHttp(vertx, Duration.ofSeconds(5), Duration.ofSeconds(10), 1024, null,
                host -> new InetAddress[] {lookups.getAndIncrement() == 0 ? InetAddress.getLoopbackAddress() : InetAddress.getByName("10.9.9.9")});
        try {
            OutboundResult result = post(rebinding, "http://rebind.example.test:" + receiver.port() + "/hook", AddressPolicy.allowingLoopback());
            assertThat(result).isInstanceOf(Response.class);
            assertThat(lookups).hasValue(1);
            assertThat(receiver.awaitRequests(1).getFirst().header("host")).isEqualTo("rebind.example.test:" + receiver.port());
        } finally {
            rebinding.close();
        }
    }
}
