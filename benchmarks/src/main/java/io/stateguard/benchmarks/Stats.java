package io.stateguard.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Medians and spreads of small samples (a few rounds). */
public final class Stats {

    private Stats() {
    }

    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    public static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    public static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** {@code median (min–max)} with {@code decimals} decimals. */
    public static String spread(List<Double> values, int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " (" + f + "–" + f + ")", median(values), min(values), max(values));
    }

    /** Shares (0–1) as {@code median% (min–max%)} with {@code decimals} decimals. */
    public static String spreadPercent(List<Double> shares, int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + "%% (" + f + "–" + f + "%%)", 100 * median(shares), 100 * min(shares),
                100 * max(shares));
    }

    public static String format(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** Thousands with a thin separator: {@code 123,456}. */
    public static String thousands(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }
}
