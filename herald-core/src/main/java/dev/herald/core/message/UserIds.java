package dev.herald.core.message;

/** User ids: 1–256 characters, no control characters. Anything else an application uses is fine. */
public final class UserIds {
    public static final int MAX_LENGTH = 256;

    private UserIds() { }

    public static boolean isValid(String userId) {
        if (userId == null || userId.isEmpty() || userId.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < userId.length(); i++) {
            if (Character.isISOControl(userId.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
