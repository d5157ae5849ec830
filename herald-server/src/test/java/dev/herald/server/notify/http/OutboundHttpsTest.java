package dev.herald.server.notify.http;

import dev.herald.server.notify.http.OutboundResult.Failure;
import dev.herald.server.notify.http.OutboundResult.Response;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SelfSignedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTPS through the pinned address: OutboundHttp connects to the IP it checked, yet TLS still sends the
 * host name (SNI) and verifies the certificate against it, and {@code Host} names it.
 */
class OutboundHttpsTest {
    static Vertx vertx;
    static SelfSignedCertificate certificate;
    static HttpServer server;
    static OutboundHttp http;
    static final Queue<String> seen = new ConcurrentLinkedQueue<>();
    /** A dotted name (the JDK sends no SNI for "localhost"), resolved by the test's stand-in for DNS. */
    static final String HOST = "hooks.example.test";

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        certificate = SelfSignedCertificate.create(HOST);
        server = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setSni(true).setKeyCertOptions(certificate.keyCertOptions()))
                .requestHandler(request -> {
                    seen.add(request.connection().indicatedServerName() + " " + request.headers().get("Host"));
                    request.response().end("secure");
                });
        server.listen(0, "127.0.0.1").await();
        http = new OutboundHttp(vertx, Duration.ofSeconds(5), Duration.ofSeconds(10), 1024, certificate.trustOptions(),
                host -> host.equals(HOST) ? new InetAddress[] {InetAddress.getLoopbackAddress()} : InetAddress.getAllByName(host));
    }

    @AfterAll
    static void stop() {
        http.close();
        server.close().await();
        vertx.close().await();
        certificate.delete();
    }

    @Test
    void tls_uses_the_host_name_for_sni_and_verification_while_connecting_to_the_checked_address() throws Exception {
        URI url = URI.create("https://" + HOST + ":" + server.actualPort() + "/hook");
        OutboundResult result = http.postJson(url, Map.of(), "{}", AddressPolicy.allowingLoopback()).get(20, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(Response.class);
        assertThat(((Response) result).body()).isEqualTo("secure");
        assertThat(seen).containsExactly(HOST + " " + HOST + ":" + server.actualPort());
    }

    @Test
    void a_certificate_for_another_name_fails_the_connection() throws Exception {
        URI url = URI.create("https://127.0.0.1:" + server.actualPort() + "/hook"); // the certificate names HOST
        OutboundResult result = http.postJson(url, Map.of(), "{}", AddressPolicy.allowingLoopback()).get(20, TimeUnit.SECONDS);
        assertThat(result).isInstanceOf(Failure.class);
        assertThat(((Failure) result).reason()).isEqualTo(OutboundResult.Reason.CONNECT_FAILED);
    }
}
