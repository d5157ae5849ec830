package dev.herald.bench.soak;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class TrendTest {
    @Test
    void a_steady_rise_is_its_slope_per_hour() {
        double[] t = {0, 600, 1200, 1800};
        double[] mb = {100, 101, 102, 103}; // 1 MB per 10 minutes

        assertThat(Trend.perHour(t, mb, 0)).isCloseTo(6.0, within(1e-9));
    }

    @Test
    void the_warm_up_and_missing_samples_are_left_out() {
        double[] t = {0, 10, 20, 30, 40};
        double[] v = {0, 500, Double.NaN, 500, 500}; // the ramp to 500, then flat with one sample without a value

        assertThat(Trend.perHour(t, v, 10)).isCloseTo(0.0, within(1e-9));
        assertThat(Trend.perHour(t, v, 0)).isPositive();
    }

    @Test
    void fewer_than_two_points_have_no_slope() {
        assertThat(Trend.perHour(new double[] {5}, new double[] {1}, 0)).isNaN();
        assertThat(Trend.perHour(new double[] {5, 5}, new double[] {1, 2}, 0)).isNaN();
    }
}
