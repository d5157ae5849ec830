package dev.herald.server.pusher;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pusher's signatures against the vectors of its auth-signature and REST documentation (key 278d425bdf160c739803,
 * secret 7ad3773142a6692b25b8), recomputed from the spec. The presence example in Pusher's docs prints a digest that
 * belongs to another input ("Mr. Pusher", not the "Mr. Channels" it shows): both pairs are checked as they really are.
 */
class PusherSignaturesTest {
    private final PusherSignatures signatures = new PusherSignatures("278d425bdf160c739803", "7ad3773142a6692b25b8");

    @Test
    void a_private_channel_auth_is_the_hmac_of_socket_id_and_channel() {
        assertThat(signatures.sign(PusherSignatures.channelText("1234.1234", "private-foobar")))
                .isEqualTo("58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4");
        assertThat(signatures.verifyAuth("278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4",
                "1234.1234:private-foobar")).isTrue();
    }

    @Test
    void a_presence_channel_auth_signs_the_channel_data_too() {
        assertThat(signatures.sign(PusherSignatures.presenceText("1234.1234", "presence-foobar",
                "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Pusher\"}}")))
                .isEqualTo("afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c");
        assertThat(signatures.sign(PusherSignatures.presenceText("1234.1234", "presence-foobar",
                "{\"user_id\":10,\"user_info\":{\"name\":\"Mr. Channels\"}}")))
                .isEqualTo("31935e7d86dba64c2a90aed31fdc61869f9b22ba9d8863bba239c03ca481bc80");
    }

    @Test
    void a_user_sign_in_signs_socket_id_user_and_user_data() {
        assertThat(signatures.sign(PusherSignatures.userText("1234.1234", "{\"id\":\"12345\"}")))
                .isEqualTo("4708d583dada6a56435fb8bc611c77c359a31eebde13337c16ab43aa6de336ba");
    }

    @Test
    void an_auth_with_another_key_a_wrong_digest_or_no_colon_is_refused() {
        String digest = "58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4";
        assertThat(signatures.verifyAuth("another-key:" + digest, "1234.1234:private-foobar")).isFalse();
        assertThat(signatures.verifyAuth("278d425bdf160c739803:" + digest.replace('5', '6'), "1234.1234:private-foobar")).isFalse();
        assertThat(signatures.verifyAuth("278d425bdf160c739803:" + digest, "1234.1235:private-foobar")).isFalse();
        assertThat(signatures.verifyAuth(digest, "1234.1234:private-foobar")).isFalse();
        assertThat(signatures.verifyAuth(null, "1234.1234:private-foobar")).isFalse();
    }

    @Test
    void the_rest_signature_covers_method_path_and_the_sorted_query_with_the_body_md5() {
        String body = "{\"name\":\"foo\",\"channels\":[\"project-3\"],\"data\":\"{\\\"some\\\":\\\"data\\\"}\"}";
        assertThat(RequestSigning.md5(body.getBytes(StandardCharsets.UTF_8))).isEqualTo("ec365a775a4cd0599faeb73354201b6f");
        Map<String, String> params = new TreeMap<>(Map.of("auth_version", "1.0", "auth_key", "278d425bdf160c739803",
                "auth_timestamp", "1353088179", "body_md5", "ec365a775a4cd0599faeb73354201b6f"));
        String text = RequestSigning.stringToSign("POST", "/apps/3/events", params);
        assertThat(text).isEqualTo("POST\n/apps/3/events\nauth_key=278d425bdf160c739803&auth_timestamp=1353088179"
                + "&auth_version=1.0&body_md5=ec365a775a4cd0599faeb73354201b6f");
        assertThat(signatures.sign(text)).isEqualTo("da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c");
    }
}
