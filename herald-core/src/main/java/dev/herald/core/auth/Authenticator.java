package dev.herald.core.auth;

/**
 * Turns what a connecting client presents into a {@link Principal}. Implementations are
 * thread-safe and do not block (no network calls: keys are configured locally).
 */
public interface Authenticator {

    /** Verifies a token; throws {@link AuthenticationException} saying why it was refused. */
    Principal authenticate(String token) throws AuthenticationException;

    /**
     * Dev mode only: accepts a bare user id (the seed's {@code {"uid":"123"}} login) and returns
     * its principal, or throws when authentication is configured and bare ids are refused.
     */
    Principal authenticateUid(String uid) throws AuthenticationException;

    /** Whether bare user ids are accepted (dev mode). */
    boolean devMode();

    /** Thrown when a token or uid is refused. The message is safe to send to the client. */
    final class AuthenticationException extends Exception {
        private final boolean forbidden;

        public AuthenticationException(String message, boolean forbidden) {
            super(message, null, false, false);
            this.forbidden = forbidden;
        }

        /** {@code true}: the method itself is not allowed here (4003); {@code false}: bad credentials (4001). */
        public boolean forbidden() {
            return forbidden;
        }
    }
}
