package dev.herald.server.notify.email;

import java.net.IDN;
import java.util.Locale;

/**
 * A pragmatic check of one e-mail address ({@code local@domain}, RFC 5321 limits), strict enough that an
 * address can go into {@code RCPT TO} and a header as it is: no spaces, no control characters (so no CR/LF
 * header injection), no display name, comment, quoted local part or address literal, at most 254 characters.
 * The domain needs a dot ({@code localhost} excepted); an internationalised domain is converted to its ASCII
 * (punycode) form, since the SMTP client does not speak SMTPUTF8. Stateless.
 */
final class EmailAddresses {
    static final int MAX_LENGTH = 254;
    static final int MAX_LOCAL_PART = 64;
    static final int MAX_LABEL = 63;
    /** RFC 5322 atext besides letters and digits: what an unquoted local part may hold. */
    private static final String LOCAL_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    private EmailAddresses() {
    }

    /**
     * Returns the address normalised (surrounding blanks trimmed, domain lower-cased and in ASCII form), or throws
     * {@link IllegalArgumentException} with a reason written for the API caller (it never repeats the address).
     */
    static String normalise(String address) {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("is empty");
        }
        String trimmed = address.strip();
        for (int i = 0; i < trimmed.length(); i++) {
            char c = trimmed.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("contains a control character");
            }
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                throw new IllegalArgumentException("contains a space");
            }
        }
        int at = trimmed.lastIndexOf('@');
        if (at < 0 || trimmed.indexOf('@') != at) {
            throw new IllegalArgumentException("must contain exactly one @ (local@domain)");
        }
        String local = trimmed.substring(0, at);
        String domain = asciiDomain(trimmed.substring(at + 1));
        checkLocalPart(local);
        String normalised = local + "@" + domain;
        if (normalised.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("is longer than " + MAX_LENGTH + " characters");
        }
        return normalised;
    }

    private static void checkLocalPart(String local) {
        if (local.isEmpty()) {
            throw new IllegalArgumentException("has nothing before the @");
        }
        if (local.length() > MAX_LOCAL_PART) {
            throw new IllegalArgumentException("has more than " + MAX_LOCAL_PART + " characters before the @");
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            throw new IllegalArgumentException("has a misplaced dot before the @");
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            boolean ok = c < 128 && (Character.isLetterOrDigit(c) || c == '.' || LOCAL_SPECIALS.indexOf(c) >= 0);
            if (!ok) {
                throw new IllegalArgumentException("has a character that is not allowed before the @: only letters, digits, dots and "
                        + LOCAL_SPECIALS);
            }
        }
    }

    private static String asciiDomain(String domain) {
        if (domain.isEmpty()) {
            throw new IllegalArgumentException("has no domain after the @");
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("has an invalid domain");
        }
        if (ascii.endsWith(".")) {
            ascii = ascii.substring(0, ascii.length() - 1); // the root's dot: example.com. is example.com
        }
        if (!ascii.contains(".") && !ascii.equals("localhost")) {
            throw new IllegalArgumentException("needs a domain with a dot (e.g. example.com)");
        }
        for (String label : ascii.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL || label.startsWith("-") || label.endsWith("-")) {
                throw new IllegalArgumentException("has an invalid domain");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!(c < 128 && (Character.isLetterOrDigit(c) || c == '-'))) {
                    throw new IllegalArgumentException("has an invalid domain");
                }
            }
        }
        return ascii;
    }

    /** The domain of an address {@link #normalise} accepted. */
    static String domainOf(String normalisedAddress) {
        return normalisedAddress.substring(normalisedAddress.lastIndexOf('@') + 1);
    }
}
