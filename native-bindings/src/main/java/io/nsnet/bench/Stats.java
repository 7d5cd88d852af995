package io.nsnet.bench;

import java.util.Arrays;

/** min/median/max of a sample of durations in milliseconds. */
public record Stats(int n, double min, double median, double max, double p90) {

    public static Stats of(double[] ms) {
        double[] s = ms.clone();
        Arrays.sort(s);
        if (s.length == 0) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return new Stats(s.length, s[0], median, s[s.length - 1], s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.9) - 1)]);
    }

    public String row(String label) {
        return String.format("| %-34s | %5d | %8.3f | %8.3f | %8.3f | %8.3f |", label, n, min, median, p90, max);
    }

    public static String header() {
        return "| operation                          |     n |  min ms  | median ms|  p90 ms  |  max ms  |\n"
             + "|------------------------------------|-------|----------|----------|----------|----------|";
    }
}
