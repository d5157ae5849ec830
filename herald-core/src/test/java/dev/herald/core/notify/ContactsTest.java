package dev.herald.core.notify;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ContactsTest {
    @Test
    void contacts_are_listed_by_channel_name_whatever_order_they_were_given_in() {
        Map<String, Destination> given = new HashMap<>();
        for (String channel : List.of("wecom", "email", "slack", "dingtalk", "webhook", "feishu")) {
            given.put(channel, new Destination(channel, "address-of-" + channel, null));
        }
        Contacts contacts = new Contacts(given, Map.of("webhook", "HTTP 410 Gone", "email", "bounced"), 0);

        assertThat(contacts.destinations().keySet()).containsExactly("dingtalk", "email", "feishu", "slack", "webhook", "wecom");
        assertThat(contacts.disabled().keySet()).containsExactly("email", "webhook");
    }
}
