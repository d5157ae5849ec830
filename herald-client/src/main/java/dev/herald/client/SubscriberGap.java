package dev.herald.client;

/**
 * Messages of one stream were lost (docs/protocol.md, "gap").
 *
 * @param since the cursor the client resumed from (a position, or a message id)
 * @param topic the topic whose log has the gap, or null
 * @param all   whether it is the broadcast log's
 */
public record SubscriberGap(String since, String topic, boolean all) { }
