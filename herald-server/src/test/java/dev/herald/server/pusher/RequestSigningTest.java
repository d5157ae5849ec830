package dev.herald.server.pusher;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.error.HeraldException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTP API's request check with Pusher's published example request, and each way a request can fail it. */
class RequestSigningTest {
    private static final byte[] BODY = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}"
            .getBytes(StandardCharsets.UTF_8);
    private static final long SIGNED_AT = 1353088179;
    private static final String URI = "/apps/3/events?auth_key=278d425bdf160c739803&auth_timestamp=1353088179&auth_version=1.0"
            + "&body_md5=ec365a775a4cd0599faeb73354201b6f&auth_signature=da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c";

    private final RequestSigning signing = new RequestSigning(new PusherSignatures("278d425bdf160c739803", "7ad3773142a6692b25b8"));

    @Test
    void pushers_published_example_request_is_accepted_within_ten_minutes_of_its_timestamp() {
        assertThat(signing.verify("POST", URI, BODY, SIGNED_AT)).containsEntry("auth_key", "278d425bdf160c739803");
        assertThat(signing.verify("POST", URI, BODY, SIGNED_AT + 600)).isNotEmpty();
        assertThat(signing.verify("POST", URI, BODY, SIGNED_AT - 600)).isNotEmpty();
    }

    @Test
    void a_request_older_or_newer_than_ten_minutes_is_refused() {
        assertUnauthorized(() -> signing.verify("POST", URI, BODY, SIGNED_AT + 601), "auth_timestamp");
        assertUnauthorized(() -> signing.verify("POST", URI, BODY, SIGNED_AT - 601), "auth_timestamp");
    }

    @Test
    void a_changed_body_method_path_or_parameter_is_refused() {
        assertUnauthorized(() -> signing.verify("POST", URI, "{}".getBytes(StandardCharsets.UTF_8), SIGNED_AT), "body_md5");
        assertUnauthorized(() -> signing.verify("PUT", URI, BODY, SIGNED_AT), "auth_signature");
        assertUnauthorized(() -> signing.verify("POST", URI.replace("/apps/3/", "/apps/4/"), BODY, SIGNED_AT), "auth_signature");
        assertUnauthorized(() -> signing.verify("POST", URI + "&info=user_count", BODY, SIGNED_AT), "auth_signature");
        assertUnauthorized(() -> signing.verify("POST", URI.replace("auth_key=278d", "auth_key=378d"), BODY, SIGNED_AT), "auth_key");
        assertUnauthorized(() -> signing.verify("POST", URI.replace("auth_version=1.0", "auth_version=2.0"), BODY, SIGNED_AT), "auth_version");
        assertUnauthorized(() -> signing.verify("POST", URI.replaceAll("&auth_signature=[0-9a-f]+", ""), BODY, SIGNED_AT), "auth_signature");
    }

    @Test
    void a_parameter_given_twice_is_a_bad_request() {
        assertThatThrownBy(() -> signing.verify("POST", URI + "&auth_key=x", BODY, SIGNED_AT))
                .isInstanceOfSatisfying(HeraldException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }

    private static void assertUnauthorized(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String naming) {
        assertThatThrownBy(call).isInstanceOfSatisfying(HeraldException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
            assertThat(e.getMessage()).contains(naming);
        });
    }
}
