package io.nsnet.peerbench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.nsnet.bench.Stats;

/** RESULTS.md: the targets first, then one table per operation, min/median/max per tool and nsnet/peer. */
final class Report {
    /** An inclusive range of the scale (k or N) that one block of rows summarises. */
    record Window(String label, int lo, int hi) {
    }

    record Target(String target, String measured, String verdict) {
    }

    private final Samples samples;
    private final List<Target> targets = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();

    Report(Samples samples) {
        this.samples = samples;
    }

    void target(String target, String measured, boolean met) {
        targets.add(new Target(target, measured, met ? "met" : "**missed**"));
    }

    void target(String target, String measured, String verdict) {
        targets.add(new Target(target, measured, verdict));
    }

    void text(String markdown) {
        body.append(markdown).append("\n\n");
    }

    static String ms(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }

    /** Median wall ms of a tool's op in a window. */
    double median(String tool, String op, int lo, int hi) {
        return Stats.of(Samples.wall(samples.of(tool, op, lo, hi))).median();
    }

    void table(String op, String title, String xName, List<Window> windows, String plot) {
        body.append("### ").append(title).append("\n\n");
        if (plot != null) {
            body.append("![").append(op).append("](").append(plot).append(")\n\n");
        }
        body.append("| ").append(xName).append(" | tool | n | min ms | median ms | max ms | CPU ms/op (mean) | nsnet/peer (median) |\n");
        body.append("|---|---|---|---|---|---|---|---|\n");
        for (Window w : windows) {
            double nsnet = median("nsnet", op, w.lo(), w.hi());
            for (String tool : samples.tools(op)) {
                List<Sample> s = samples.of(tool, op, w.lo(), w.hi());
                if (s.isEmpty()) {
                    continue;
                }
                Stats st = Stats.of(Samples.wall(s));
                String ratio = tool.equals("nsnet") || Double.isNaN(nsnet) ? ""
                        : nsnet <= st.median()
                                ? String.format(Locale.ROOT, "%.3f (nsnet %.1f× faster)", nsnet / st.median(), st.median() / nsnet)
                                : String.format(Locale.ROOT, "%.3f (nsnet %.1f× slower)", nsnet / st.median(), nsnet / st.median());
                body.append("| ").append(w.label()).append(" | ").append(tool).append(" | ").append(st.n()).append(" | ")
                        .append(ms(st.min())).append(" | ").append(ms(st.median())).append(" | ").append(ms(st.max()))
                        .append(" | ").append(ms(Samples.meanCpu(s))).append(" | ").append(ratio).append(" |\n");
            }
        }
        body.append('\n');
    }

    String render(String header) {
        StringBuilder b = new StringBuilder(header).append("\n\n## Targets\n\n| target | measured (this run) | verdict |\n|---|---|---|\n");
        for (Target t : targets) {
            b.append("| ").append(t.target()).append(" | ").append(t.measured()).append(" | ").append(t.verdict()).append(" |\n");
        }
        return b.append("\n").append(body).toString();
    }
}
