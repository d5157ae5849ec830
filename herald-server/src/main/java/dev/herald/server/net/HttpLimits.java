package dev.herald.server.net;

import dev.herald.server.config.HeraldConfig;
import io.vertx.core.http.HttpServerOptions;

/**
 * The HTTP request limits of Herald's server options, from its configuration. A form body ({@code POST /send}
 * with {@code application/x-www-form-urlencoded}) is decoded by Vert.x, whose own limit on one form attribute
 * (8,192 bytes by default) would refuse a message far below {@code http.max-body-size}: the body limit is the
 * only limit.
 */
public final class HttpLimits {
    private HttpLimits() { }

    /** Sets the limits on {@code options} and returns it. */
    public static HttpServerOptions apply(HttpServerOptions options, HeraldConfig config) {
        int maxBody = (int) Math.min(Integer.MAX_VALUE, config.maxBodySize());
        return options.setMaxFormAttributeSize(maxBody).setMaxFormBufferedBytes(maxBody);
    }
}
