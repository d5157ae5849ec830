package dev.herald.core.notify;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DestinationTest {

    @Test
    void to_string_hides_the_secret_and_a_urls_path_and_query() {
        Destination robot = new Destination("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/t0ken?x=y", "s3cret");
        assertThat(robot.toString()).isEqualTo("feishu https://open.feishu.cn/… (secret set)");
        assertThat(new Destination("wecom", "https://qyapi.weixin.qq.com:443?key=k3y", null).toString())
                .isEqualTo("wecom https://qyapi.weixin.qq.com:443/…");
        assertThat(new Destination("webhook", "http://user:pw@example.com/h", null).toString()).isEqualTo("webhook http://example.com/…");
    }

    @Test
    void an_email_address_shows_as_it_is() {
        assertThat(new Destination("email", "ops@example.com", null).toString()).isEqualTo("email ops@example.com");
    }
}
