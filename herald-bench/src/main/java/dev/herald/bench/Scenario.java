package dev.herald.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One load shape: which endpoint, how many messages per request, and either a fixed offered rate
 * (open loop) or a fixed number of requests in flight (closed loop, to find the maximum).
 * Written on the command line as {@code single@5000}, {@code single@max}, {@code batch@50000},
 * {@code batch@max}: the number is <em>messages</em> per second, whatever the batch size.
 *
 * @param kind             {@code single} ({@code POST /api/v1/messages}) or {@code batch} ({@code POST /api/v1/messages/batch})
 * @param messagesPerSecond offered rate in messages/s, or 0 for closed loop
 */
public record Scenario(Kind kind, int messagesPerSecond) {

    public enum Kind {
        SINGLE("/api/v1/messages"),
        BATCH("/api/v1/messages/batch");

        private final String path;

        Kind(String path) {
            this.path = path;
        }

        public String path() {
            return path;
        }
    }

    public static final Scenario SINGLE_MAX = new Scenario(Kind.SINGLE, 0);
    public static final Scenario BATCH_MAX = new Scenario(Kind.BATCH, 0);

    public boolean closedLoop() {
        return messagesPerSecond == 0;
    }

    /** Messages carried by one request of this scenario. */
    public int messagesPerRequest(int batchSize) {
        return kind == Kind.SINGLE ? 1 : batchSize;
    }

    /** As written on the command line and in the result tables. */
    public String label() {
        return kind.name().toLowerCase(Locale.ROOT) + "@" + (closedLoop() ? "max" : Integer.toString(messagesPerSecond));
    }

    @Override
    public String toString() {
        return label();
    }

    public static Scenario parse(String spec) {
        String[] parts = spec.trim().split("@", 2);
        if (parts.length != 2) {
            throw new IllegalArgumentException("scenario '" + spec + "': write single@<msgs/s>, single@max, batch@<msgs/s> or batch@max");
        }
        Kind kind = Kind.valueOf(parts[0].toUpperCase(Locale.ROOT));
        if (parts[1].equalsIgnoreCase("max")) {
            return new Scenario(kind, 0);
        }
        int rate = Integer.parseInt(parts[1]);
        if (rate <= 0) {
            throw new IllegalArgumentException("scenario '" + spec + "': the rate must be positive");
        }
        return new Scenario(kind, rate);
    }

    public static List<Scenario> parseList(String specs) {
        List<Scenario> out = new ArrayList<>();
        for (String s : specs.split(",")) {
            if (!s.isBlank()) {
                out.add(parse(s));
            }
        }
        return out;
    }
}
