package dev.herald.server.net;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Herald's HTTP and WebSocket port served from several event loops. Vert.x gives a server the context it is
 * listened from, and every connection it accepts runs there; a single server listened from the main thread
 * therefore puts all connections on one loop (one core). Here each of {@code count} verticle instances, each
 * on its own event loop, creates and listens one {@link HttpServer} on the same host and port: Vert.x binds
 * the socket once and hands accepted connections to the servers round robin.
 * <p>
 * Port 0 would give every server its own port, so it becomes Vert.x's shared random port (a negative port):
 * the first server binds a free port and the others join it.
 */
public final class HttpListeners {
    /** Vert.x's "one random port, shared by every server listening with this same negative port". */
    static final int SHARED_RANDOM_PORT = -1;

    private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
    private final int count;

    private HttpListeners(int count) {
        this.count = count;
    }

    /**
     * Listens {@code count} servers; returns once all are bound, or throws (and closes those that were).
     * {@code requests} is called once per server, on its event loop: each gets its own request handler
     * (vertx-web's advice: one Router per verticle instance). {@code invalidRequests} answers what the HTTP decoder
     * could not read (a garbage request line, a URL or headers over the limits, conflicting Content-Lengths); the
     * connection is closed after its answer.
     */
    public static HttpListeners listen(Vertx vertx, int count, HttpServerOptions options,
                                       Handler<HttpConnection> connections, Supplier<Handler<HttpServerRequest>> requests,
                                       Handler<HttpServerRequest> invalidRequests, long timeoutSeconds) throws Exception {
        HttpListeners listeners = new HttpListeners(count);
        HttpServerOptions shared = new HttpServerOptions(options);
        if (shared.getPort() == 0) {
            shared.setPort(SHARED_RANDOM_PORT);
        }
        try {
            vertx.deployVerticle(() -> new VerticleBase() {
                @Override
                public Future<?> start() {
                    return vertx.createHttpServer(shared).connectionHandler(connections).requestHandler(requests.get())
                            .invalidRequestHandler(invalidRequests)
                            .listen().onSuccess(listeners.servers::add);
                }
            }, new DeploymentOptions().setInstances(count)).await(timeoutSeconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            listeners.close(timeoutSeconds); // a deployment that failed undeploys itself; this covers a timeout
            throw e;
        }
        return listeners;
    }

    /** The port all servers share (the one chosen when the configured port is 0). */
    public int port() {
        return servers.getFirst().actualPort();
    }

    /** How many servers (and event loops) serve the port. */
    public int count() {
        return count;
    }

    /** Closes every server: the port is released once the last one is closed. */
    public void close(long timeoutSeconds) throws Exception {
        Future.join(servers.stream().map(HttpServer::close).toList()).await(timeoutSeconds, TimeUnit.SECONDS);
    }
}
