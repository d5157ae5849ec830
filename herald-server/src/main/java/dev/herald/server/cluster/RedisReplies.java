package dev.herald.server.cluster;

import io.vertx.redis.client.Response;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reading Redis hash replies, which arrive in two shapes: a map under RESP3 ({@code HGETALL} on a RESP3 connection)
 * and a flat list of name, value pairs under RESP2 or from a Lua script. The cluster views and the Pusher channel
 * directory both read hashes, on connections that may speak either. Stateless.
 */
public final class RedisReplies {
    private RedisReplies() {
    }

    /** A hash reply as a map, whichever shape it came in; empty for {@code null} (no reply). */
    public static Map<String, String> asMap(Response r) {
        if (r == null) {
            return new LinkedHashMap<>();
        }
        try {
            Set<String> names = r.getKeys();
            if (names != null && !names.isEmpty()) {
                Map<String, String> out = new LinkedHashMap<>();
                names.forEach(k -> out.put(k, r.get(k).toString()));
                return out;
            }
        } catch (RuntimeException notAMap) {
            // a flat list: read it in pairs below
        }
        return pairs(r, 0);
    }

    /** A flat list of name, value pairs from index {@code from} on (a Lua script's answer may lead with other values). */
    public static Map<String, String> pairs(Response r, int from) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = from; i + 1 < r.size(); i += 2) {
            out.put(r.get(i).toString(), r.get(i + 1).toString());
        }
        return out;
    }
}
