package dev.herald.bench.soak;

/**
 * The trend of a sampled figure: the least-squares slope of value over time, per hour. A soak's figures (RSS, heap
 * after GC, file descriptors, threads) should have a slope near zero once the load is steady; a leak shows as a
 * slope that stays positive however long the run. Pure arithmetic, thread-safe.
 */
public final class Trend {
    private Trend() {
    }

    /**
     * Slope per hour of {@code values} against {@code seconds}, using only the points whose value is a number and whose
     * time is at least {@code fromSecond} (the warm-up is left out). NaN with fewer than two such points or no spread
     * in time.
     */
    public static double perHour(double[] seconds, double[] values, double fromSecond) {
        int n = 0;
        double sumT = 0, sumV = 0;
        for (int i = 0; i < seconds.length; i++) {
            if (seconds[i] >= fromSecond && !Double.isNaN(values[i])) {
                n++;
                sumT += seconds[i];
                sumV += values[i];
            }
        }
        if (n < 2) {
            return Double.NaN;
        }
        double meanT = sumT / n, meanV = sumV / n, cov = 0, var = 0;
        for (int i = 0; i < seconds.length; i++) {
            if (seconds[i] >= fromSecond && !Double.isNaN(values[i])) {
                cov += (seconds[i] - meanT) * (values[i] - meanV);
                var += (seconds[i] - meanT) * (seconds[i] - meanT);
            }
        }
        return var == 0 ? Double.NaN : cov / var * 3600;
    }
}
