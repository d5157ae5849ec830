package dev.herald.server.notify.http;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.notify.Destination;

import java.net.URI;

/**
 * Validation shared by the HTTP channels: the address must be a URL the {@link AddressPolicy} accepts.
 * Vendor hosts are deliberately not pinned (a robot URL may go through a self-hosted proxy); the policy
 * is what keeps the server from being aimed at its own network. Error messages name the field path and
 * never repeat the URL or the secret.
 */
public final class HttpDestinations {
    /** Longer secrets are refused: no vendor issues one, and a secret is kept with every contact. */
    public static final int MAX_SECRET_LENGTH = 512;

    private HttpDestinations() { }

    /**
     * Checks {@code destination.address()} and the secret's length, naming {@code path} (the field that
     * holds the address, e.g. {@code contacts.webhook.url}, as {@link dev.herald.core.notify.Notifier#validate}
     * documents) in errors; returns the destination with the address stripped of
     * surrounding blanks, its scheme in lower case, and the channel set to {@code channel}.
     *
     * @throws HeraldException {@link ErrorCode#INVALID_REQUEST}
     */
    public static Destination validate(Destination destination, String path, String channel, AddressPolicy policy) {
        String url = destination.address().strip();
        try {
            URI uri = policy.checkUrl(url);
            url = uri.getScheme().toLowerCase(java.util.Locale.ROOT) + url.substring(uri.getScheme().length()); // HTTPS:// → https://
        } catch (IllegalArgumentException e) {
            throw new HeraldException(ErrorCode.INVALID_REQUEST, path + " " + e.getMessage());
        }
        String secret = destination.secret();
        if (secret != null && secret.length() > MAX_SECRET_LENGTH) {
            throw new HeraldException(ErrorCode.INVALID_REQUEST, secretPath(path) + " is longer than " + MAX_SECRET_LENGTH + " characters");
        }
        if (secret != null && secret.isBlank()) {
            secret = null;
        }
        return new Destination(channel, url, secret);
    }

    /** The field of the secret next to the address field {@code path}: {@code to.webhook.url} → {@code to.webhook.secret}. */
    public static String secretPath(String path) {
        return (path.endsWith(".url") ? path.substring(0, path.length() - ".url".length()) : path) + ".secret";
    }

    /** The parsed URL of a destination that passed {@link #validate}. */
    public static URI uri(Destination destination) {
        return URI.create(destination.address());
    }
}
