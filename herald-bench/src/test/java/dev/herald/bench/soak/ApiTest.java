package dev.herald.bench.soak;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiTest {
    @Test
    void a_publish_to_nobody_is_told_by_delivered_zero_not_by_a_404() {
        // docs/api.md: a persist:false publish with no recipient connected is 200 with "delivered":0
        Api.Answer nobody = new Api.Answer(200, "{\"id\":\"01M84KBE4PAF4KCWDQ92K0TFCT\",\"delivered\":0}");
        Api.Answer two = new Api.Answer(200, "{\"id\":\"01M84KBE4PAF4KCWDQ92K0TFCT\",\"delivered\":12}");

        assertThat(nobody.delivered()).isZero();
        assertThat(nobody.id()).isEqualTo("01M84KBE4PAF4KCWDQ92K0TFCT");
        assertThat(two.delivered()).isEqualTo(12);
        assertThat(new Api.Answer(0, "connection refused").delivered()).isEqualTo(-1);
    }
}
