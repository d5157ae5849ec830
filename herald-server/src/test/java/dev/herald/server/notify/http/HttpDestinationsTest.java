package dev.herald.server.notify.http;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import dev.herald.core.notify.Destination;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpDestinationsTest {
    private final AddressPolicy policy = AddressPolicy.publicOnly();

    @Test
    void normalises_blanks_scheme_channel_and_an_empty_secret() {
        Destination d = HttpDestinations.validate(new Destination("x", "  HTTPS://Example.com/Hook?Key=AbC ", " "), "p", "slack", policy);
        assertThat(d).isEqualTo(new Destination("slack", "https://Example.com/Hook?Key=AbC", null));
    }

    @Test
    void errors_name_the_path_and_never_echo_the_url_or_secret() {
        assertThatThrownBy(() -> HttpDestinations.validate(new Destination("x", "http://10.0.0.1/hook?key=T0KEN", null), "contacts.wecom.url", "wecom", policy))
                .isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessage("contacts.wecom.url points to an address that is not allowed (private)");
        String longSecret = "S".repeat(HttpDestinations.MAX_SECRET_LENGTH + 1);
        assertThatThrownBy(() -> HttpDestinations.validate(new Destination("x", "https://example.com/h", longSecret), "contacts.feishu.url", "feishu", policy))
                .hasMessage("contacts.feishu.secret is longer than 512 characters");
        assertThatThrownBy(() -> HttpDestinations.validate(new Destination("x", "javascript:alert(1)", null), "p", "webhook", policy))
                .hasMessage("p must be an http or https URL");
    }
}
