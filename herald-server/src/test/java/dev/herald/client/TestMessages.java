package dev.herald.client;

/** Builds {@link ReceivedMessage}s for tests of what consumes them (their constructor is the SDK's own). */
public final class TestMessages {
    private TestMessages() { }

    /** A direct message (or one through {@code topic}) with {@code dataJson}; ack and read do nothing. */
    public static ReceivedMessage received(String id, String topic, String dataJson) {
        return new ReceivedMessage(id, 1_796_675_535_000L, topic, false, new StreamPosition(1, "e"), dataJson, null);
    }
}
