package io.nsnet.peerbench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG scatter plots (XChart) of latency against scale, one series per tool. The y axis is logarithmic: the
 * tools differ by orders of magnitude, and on a linear axis nsnet's points would sit on the floor.
 */
final class Charts {
    private Charts() {
    }

    /** Plots every tool's samples of {@code op}; returns the file name, or null if there were none. */
    static String plot(Samples samples, String op, String xLabel, Path dir) throws IOException {
        List<String> tools = samples.tools(op);
        if (tools.isEmpty()) {
            return null;
        }
        XYChart chart = new XYChartBuilder().width(1000).height(600).title(op + " (wall time, log scale)")
                .xAxisTitle(xLabel).yAxisTitle("ms").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        // XChart's default palette gives two of six series near-identical yellows; these stay apart.
        chart.getStyler().setSeriesColors(new java.awt.Color[] {new java.awt.Color(0x1f77b4), new java.awt.Color(0x17becf),
            new java.awt.Color(0x9467bd), new java.awt.Color(0x2ca02c), new java.awt.Color(0xd62728),
            new java.awt.Color(0xff7f0e), new java.awt.Color(0x7f7f7f)});
        for (String tool : tools) {
            List<Sample> s = samples.of(tool, op);
            double[] x = s.stream().mapToDouble(Sample::x).toArray();
            double[] y = s.stream().mapToDouble(v -> Math.max(0.01, v.wallMs())).toArray();
            XYSeries series = chart.addSeries(tool + " (median " + String.format(java.util.Locale.ROOT, "%.2f",
                    io.nsnet.bench.Stats.of(Samples.wall(s)).median()) + " ms)", x, y);
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        String file = Samples.fileName(op) + ".png";
        BitmapEncoder.saveBitmap(chart, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }
}
