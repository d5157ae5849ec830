package dev.herald.server.notify.http;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressPolicyTest {
    private final AddressPolicy publicOnly = AddressPolicy.publicOnly();

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1/hook", "http://127.9.9.9:8080/", "http://[::1]/", "http://0.0.0.0/", "http://0.1.2.3/",
            "http://10.0.0.1/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/", "http://100.64.0.1/",
            "http://169.254.169.254/latest/meta-data/", "http://169.254.1.1/", "http://[fe80::1]/", "http://[fc00::1]/",
            "http://[fd12:3456::1]/", "http://[fec0::1]/", "http://224.0.0.1/", "http://255.255.255.255/", "http://240.0.0.1/",
            "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/", "http://[::ffff:a9fe:a9fe]/", "http://[::ffff:10.0.0.1]/",
            "http://[::127.0.0.1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:7f00:1::]/", "http://[ff02::1]/", "http://[::]/",
            "http://127.1/", "http://2130706433/", "http://0x7f.0.0.1/", "http://017700000001/", "http://[fe80::1%25eth0]/"})
    void refuses_internal_and_ambiguous_literals(String url) {
        assertThatThrownBy(() -> publicOnly.checkUrl(url)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining(url);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://example.com/x", "file:///etc/passwd", "gopher://example.com/", "example.com/hook", "https:///nohost",
            "https://user:pass@example.com/hook", "https://example.com/hook#frag", "", "  ", "http://exa mple.com/"})
    void refuses_urls_that_are_not_plain_http(String url) {
        assertThatThrownBy(() -> publicOnly.checkUrl(url)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refuses_overlong_urls() {
        String url = "https://example.com/" + "a".repeat(AddressPolicy.MAX_URL_LENGTH);
        assertThatThrownBy(() -> publicOnly.checkUrl(url)).hasMessageContaining("longer than");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://example.com/hook?key=abc", "http://93.184.216.34/x", "https://[2606:4700:4700::1111]/x",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "HTTPS://EXAMPLE.COM/", "http://localhost:8080/"})
    void accepts_public_targets_and_names_resolved_later(String url) {
        assertThatCode(() -> publicOnly.checkUrl(url)).doesNotThrowAnyException();
    }

    @Test
    void loopback_is_allowed_only_when_configured() throws Exception {
        AddressPolicy loopback = AddressPolicy.allowingLoopback();
        assertThat(loopback.allows(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(loopback.allows(InetAddress.getByName("::1"))).isTrue();
        assertThat(loopback.allows(InetAddress.getByName("10.0.0.1"))).isFalse();
        assertThat(loopback.allows(InetAddress.getByName("169.254.169.254"))).isFalse();
        assertThat(publicOnly.allows(InetAddress.getByName("127.0.0.1"))).isFalse();
    }

    @Test
    void private_ranges_are_allowed_only_when_configured_and_never_link_local() throws Exception {
        AddressPolicy intranet = new AddressPolicy(false, true, List.of());
        assertThat(intranet.allows(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(intranet.allows(InetAddress.getByName("192.168.0.10"))).isTrue();
        assertThat(intranet.allows(InetAddress.getByName("fd00::5"))).isTrue();
        assertThat(intranet.allows(InetAddress.getByName("127.0.0.1"))).isFalse();
        assertThat(intranet.allows(InetAddress.getByName("169.254.169.254"))).isFalse();
    }

    @Test
    void the_operators_own_destinations_may_be_anywhere() throws Exception {
        AddressPolicy any = AddressPolicy.anyAddress();
        for (String address : List.of("127.0.0.1", "::1", "10.1.2.3", "169.254.169.254", "fe80::1", "0.0.0.0", "93.184.216.34", "::ffff:127.0.0.1")) {
            assertThat(any.allows(InetAddress.getByName(address))).as(address).isTrue();
        }
        assertThatThrownBy(() -> any.checkUrl("https://user:pw@example.com/")).hasMessageContaining("user info");
    }

    @Test
    void an_allow_list_block_opens_exactly_that_block() throws Exception {
        AddressPolicy policy = new AddressPolicy(false, false, List.of(Cidr.parse("10.20.0.0/16"), Cidr.parse("fd00:1::/32")));
        assertThat(policy.allows(InetAddress.getByName("10.20.3.4"))).isTrue();
        assertThat(policy.allows(InetAddress.getByName("10.21.3.4"))).isFalse();
        assertThat(policy.allows(InetAddress.getByName("fd00:1::9"))).isTrue();
        assertThat(policy.allows(InetAddress.getByName("fd00:2::9"))).isFalse();
        assertThatCode(() -> policy.checkUrl("http://10.20.0.7:9000/hook")).doesNotThrowAnyException();
    }

    @Test
    void public_addresses_are_allowed() throws Exception {
        assertThat(publicOnly.allows(InetAddress.getByName("8.8.8.8"))).isTrue();
        assertThat(publicOnly.allows(InetAddress.getByName("2606:4700:4700::1111"))).isTrue();
        assertThat(publicOnly.allows(InetAddress.getByName("172.32.0.1"))).isTrue(); // just outside 172.16/12
        assertThat(publicOnly.allows(InetAddress.getByName("100.128.0.1"))).isTrue(); // just outside 100.64/10
    }

    @Test
    void cidr_parsing_rejects_names_and_bad_prefixes() {
        assertThatThrownBy(() -> Cidr.parse("example.com/8")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Cidr.parse("10.0.0.0/8").toString()).isEqualTo("10.0.0.0/8");
    }
}
