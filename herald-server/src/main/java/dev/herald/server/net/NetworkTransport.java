package dev.herald.server.net;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;

/**
 * The Netty transport a Vert.x instance runs on. Herald asks for the native one (epoll on Linux
 * x86-64, whose library is on the class path): no NIO selector and channel wrappers, fewer system
 * calls. Elsewhere, or when the library cannot load, Vert.x falls back to NIO and {@link #fallbackCause}
 * says why; Herald works the same either way.
 *
 * @param name          {@code epoll}, {@code io_uring}, {@code kqueue} or {@code nio}
 * @param fallbackCause why the native transport is not used, or {@code null} when it is
 */
public record NetworkTransport(String name, String fallbackCause) {

    public static NetworkTransport of(Vertx vertx) {
        if (vertx.isNativeTransportEnabled()) {
            Transport chosen = Transport.nativeTransport();
            return new NetworkTransport(chosen == null ? "native" : chosen.name(), null);
        }
        return new NetworkTransport("nio", fallbackCause(vertx.unavailableNativeTransportCause()));
    }

    private static String fallbackCause(Throwable loadFailure) {
        if (loadFailure != null) {
            return loadFailure.toString();
        }
        Transport candidate = Transport.nativeTransport();
        if (candidate == null) {
            return "none for this operating system";
        }
        return candidate.available() ? "not requested (VertxOptions.preferNativeTransport)" : String.valueOf(candidate.unavailabilityCause());
    }

    public boolean isNative() {
        return fallbackCause == null;
    }

    /** For the start-up log. */
    public String describe() {
        return isNative() ? name + " (native)" : name + " (native transport unavailable: " + fallbackCause + ")";
    }
}
