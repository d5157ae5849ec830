package dev.herald.server.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL location as configured: {@code postgresql://user:password@host:port/db?param=value} (the libpq
 * form, also {@code postgres://}) or the driver's own {@code jdbc:postgresql://host:port/db?user=...}. Query
 * parameters go to the driver as they are (e.g. {@code currentSchema}, {@code sslmode}, {@code connectTimeout}).
 *
 * @param jdbcUrl  what the driver gets, without user and password when they came in the authority part
 * @param user     from the authority part, or {@code null} (then the driver takes it from the parameters)
 * @param password from the authority part, or {@code null}
 * @param schema   the {@code currentSchema} parameter, or {@code null}: migrations create it when missing
 * @param display  for logs: the URL with any password replaced by {@code ***}
 */
public record PostgresUrl(String jdbcUrl, String user, String password, String schema, String display) {
    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)([?&]password=)[^&]*");
    private static final Pattern USER_INFO_PASSWORD = Pattern.compile("(//[^/?#@:]*:)[^/?#@]*@");
    private static final Pattern SCHEMA_PARAM = Pattern.compile("[?&]currentSchema=([^&]*)");

    @Override
    public String toString() {
        return display;
    }

    /** Whether the driver URL sets this parameter itself. */
    boolean hasParam(String name) {
        return Pattern.compile("[?&]" + Pattern.quote(name) + "=").matcher(jdbcUrl).find();
    }

    public static boolean matches(String url) {
        return url.startsWith("postgresql://") || url.startsWith("postgres://") || url.startsWith("jdbc:postgresql:");
    }

    public static PostgresUrl parse(String url) {
        String schema = param(url, SCHEMA_PARAM);
        if (url.startsWith("jdbc:postgresql:")) {
            return new PostgresUrl(url, null, null, schema, mask(url.substring("jdbc:".length())));
        }
        int schemeEnd = url.indexOf("://");
        if (schemeEnd < 0 || !matches(url)) {
            throw new IllegalArgumentException("not a PostgreSQL URL (postgresql://user@host:port/db): " + redact(url));
        }
        String rest = url.substring(schemeEnd + 3);
        int authorityEnd = firstOf(rest, '/', '?');
        String authority = rest.substring(0, authorityEnd);
        String pathAndQuery = rest.substring(authorityEnd);
        int at = authority.lastIndexOf('@');
        String user = null;
        String password = null;
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
            authority = authority.substring(at + 1);
        }
        String hosts = authority.isEmpty() ? "localhost" : authority;
        String display = "postgresql://" + (user == null ? "" : user + "@") + hosts + mask(pathAndQuery);
        return new PostgresUrl("jdbc:postgresql://" + hosts + pathAndQuery, user, password, schema, display);
    }

    private static int firstOf(String s, char a, char b) {
        int i = s.indexOf(a);
        int j = s.indexOf(b);
        if (i < 0) {
            return j < 0 ? s.length() : j;
        }
        return j < 0 ? i : Math.min(i, j);
    }

    private static String param(String url, Pattern p) {
        Matcher m = p.matcher(url);
        return m.find() && !m.group(1).isEmpty() ? decode(m.group(1)) : null;
    }

    /** Percent-decoding as libpq does it: a '+' stays a '+'. */
    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String mask(String s) {
        return PASSWORD_PARAM.matcher(s).replaceAll("$1***");
    }

    /** Any URL with its password (in the authority part or a {@code password} parameter) replaced by {@code ***}. */
    static String redact(String url) {
        return mask(USER_INFO_PASSWORD.matcher(url).replaceFirst("$1***@"));
    }
}
