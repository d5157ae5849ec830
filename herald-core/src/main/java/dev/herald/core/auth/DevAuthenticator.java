package dev.herald.core.auth;

/**
 * Dev mode: no secrets configured, so any uid is believed and any topic may be followed. The
 * server only allows this on a loopback address, and says so loudly at start-up.
 */
public final class DevAuthenticator implements Authenticator {
    @Override
    public Principal authenticate(String token) throws AuthenticationException {
        throw new AuthenticationException("tokens cannot be verified: no JWT key is configured (dev mode); log in with a uid", false);
    }

    @Override
    public Principal authenticateUid(String uid) {
        return new Principal(uid, Principal.ALL_TOPICS);
    }

    @Override
    public boolean devMode() {
        return true;
    }
}
