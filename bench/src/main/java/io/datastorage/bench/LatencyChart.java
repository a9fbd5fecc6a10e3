package io.datastorage.bench;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.text.DecimalFormat;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Latency against offered load, one panel per scenario (p50, p95, p99 on a log scale), drawn with
 * JFreeChart into one PNG.
 */
final class LatencyChart {
    private static final int PANEL_WIDTH = 640;
    private static final int PANEL_HEIGHT = 400;

    private LatencyChart() {
    }

    static void write(List<Summary.Scenario> scenarios, String title, Path file) {
        int columns = 2;
        int rows = (scenarios.size() + columns - 1) / columns;
        BufferedImage image = new BufferedImage(PANEL_WIDTH * columns, PANEL_HEIGHT * rows + 40, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setColor(Color.BLACK);
            g.drawString(title, 12, 24);
            for (int i = 0; i < scenarios.size(); i++) {
                Rectangle2D area = new Rectangle2D.Double((i % columns) * PANEL_WIDTH, 40 + (i / columns) * PANEL_HEIGHT,
                        PANEL_WIDTH, PANEL_HEIGHT);
                panel(scenarios.get(i)).draw(g, area);
            }
        } finally {
            g.dispose();
        }
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static JFreeChart panel(Summary.Scenario scenario) {
        XYSeries p50 = new XYSeries("p50");
        XYSeries p95 = new XYSeries("p95");
        XYSeries p99 = new XYSeries("p99");
        for (Summary.Step step : scenario.steps()) {
            double offered = step.offeredPerSecond() * scenario.recordsPerRequest();
            p50.add(offered, Math.max(0.01, step.p50Ms()));
            p95.add(offered, Math.max(0.01, step.p95Ms()));
            p99.add(offered, Math.max(0.01, step.p99Ms()));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(p50);
        data.addSeries(p95);
        data.addSeries(p99);
        String unit = scenario.recordsPerRequest() > 1 ? "records/s offered (in batches of " + scenario.recordsPerRequest() + ")"
                : "requests/s offered";
        JFreeChart chart = ChartFactory.createXYLineChart(scenario.name(), unit, "latency ms (log)", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis latency = new LogAxis("latency ms (log)");
        latency.setSmallestValue(0.01);
        latency.setStandardTickUnits(NumberAxis.createStandardTickUnits());
        latency.setNumberFormatOverride(new DecimalFormat("#,##0.##")); // milliseconds, not powers of ten
        plot.setRangeAxis(latency);
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(true);
        plot.setRenderer(new XYLineAndShapeRenderer(true, true));
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return chart;
    }
}
