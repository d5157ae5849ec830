package dev.herald.client;

import java.util.Map;

/**
 * A user's contacts as Herald shows them ({@code GET /api/v1/users/{uid}/contacts}): without secrets or
 * tokens.
 *
 * @param contacts  per channel
 * @param updatedAt when they were last written, ms since the epoch
 */
public record UserContacts(String user, Map<String, Contact> contacts, long updatedAt) {
    public UserContacts {
        contacts = Map.copyOf(contacts);
    }

    /**
     * One channel's address.
     *
     * @param address  an e-mail address, or a URL cut to its scheme and host ({@code https://hooks.example.com/…})
     * @param secret   whether a secret is set (it is never shown)
     * @param disabled why Herald stopped using it (e.g. {@code HTTP 410 …}) until the contacts are written again, or {@code null}
     */
    public record Contact(String address, boolean secret, String disabled) {
        public boolean enabled() {
            return disabled == null;
        }
    }

    /** The contact for {@code channel}, or {@code null}. */
    public Contact contact(String channel) {
        return contacts.get(channel);
    }
}
