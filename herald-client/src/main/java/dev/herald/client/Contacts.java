package dev.herald.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A user's addresses, one per channel, as written by {@link HeraldClient#putContacts}. Immutable:
 * <pre>{@code
 * Contacts.none().email("ann@example.com").webhook("https://crm.example.com/hooks/herald", "whsec_…")
 *         .robot("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=…", "SEC…")
 * }</pre>
 * Writing replaces all of the user's contacts. {@link #toString()} never shows secrets or tokens.
 */
public record Contacts(Map<String, Target> byChannel) {
    public Contacts {
        byChannel = Collections.unmodifiableMap(new LinkedHashMap<>(byChannel));
    }

    public static Contacts none() {
        return new Contacts(Map.of());
    }

    public Contacts email(String address) {
        return with(Target.email(address));
    }

    /** A webhook, signed when {@code secret} ({@code whsec_…}) is given; may be {@code null}. */
    public Contacts webhook(String url, String secret) {
        return with(Target.webhook(url, secret));
    }

    /** A robot of {@code wecom}, {@code dingtalk}, {@code feishu} or {@code slack}; {@code secret} may be {@code null}. */
    public Contacts robot(String channel, String url, String secret) {
        return with(Target.robot(channel, url, secret));
    }

    /** The contact for the target's channel, replacing an earlier one of the same channel. */
    public Contacts with(Target target) {
        Objects.requireNonNull(target, "target");
        Map<String, Target> next = new LinkedHashMap<>(byChannel);
        next.put(target.channel(), target);
        return new Contacts(next);
    }
}
