package dev.herald.core.auth;

import java.util.List;

/**
 * An authenticated user and what it may follow.
 *
 * @param userId      the user id (JWT {@code sub}, or the dev-mode uid)
 * @param topicGrants topics the user may subscribe to: exact names, or prefixes ending in {@code *}
 *                    ({@code "orders.*"}); {@code ["*"]} grants every topic
 */
public record Principal(String userId, List<String> topicGrants) {
    public static final List<String> ALL_TOPICS = List.of("*");

    public Principal {
        topicGrants = List.copyOf(topicGrants);
    }

    public boolean maySubscribe(String topic) {
        for (String grant : topicGrants) {
            if (grant.endsWith("*") ? topic.startsWith(grant.substring(0, grant.length() - 1)) : grant.equals(topic)) {
                return true;
            }
        }
        return false;
    }
}
