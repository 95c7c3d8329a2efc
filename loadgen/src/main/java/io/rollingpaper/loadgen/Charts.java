package io.rollingpaper.loadgen;

import static io.rollingpaper.loadgen.ChartStyle.AXIS;
import static io.rollingpaper.loadgen.ChartStyle.PALETTE;
import static io.rollingpaper.loadgen.ChartStyle.TICKS;
import static io.rollingpaper.loadgen.ChartStyle.TITLE;
import static io.rollingpaper.loadgen.ChartStyle.hollowWhenOutside;
import static io.rollingpaper.loadgen.ChartStyle.percentileStroke;
import static io.rollingpaper.loadgen.ChartStyle.legendItem;
import static io.rollingpaper.loadgen.ChartStyle.dashed;
import static io.rollingpaper.loadgen.ChartStyle.boundMarker;
import static io.rollingpaper.loadgen.ChartStyle.rateAxis;
import static io.rollingpaper.loadgen.ChartStyle.latencyAxis;
import static io.rollingpaper.loadgen.ChartStyle.thousands;
import static io.rollingpaper.loadgen.ChartStyle.chart;
import static io.rollingpaper.loadgen.ChartStyle.style;
import static io.rollingpaper.loadgen.ChartStyle.finish;
import static io.rollingpaper.loadgen.ChartStyle.subtitle;
import static io.rollingpaper.loadgen.ChartStyle.finite;
import static io.rollingpaper.loadgen.ChartRuns.fileLabel;
import static io.rollingpaper.loadgen.ChartRuns.read;

import io.rollingpaper.loadgen.ChartRuns.Run;
import io.rollingpaper.loadgen.ChartRuns.Step;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Stroke;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PNG charts of ramp and fanout summaries (the JSON the scenarios write), drawn headless with JFreeChart:
 * one ramp's latency percentiles and delivered rate against the offered load, and comparisons of several
 * runs (latency against delivered rate, highest sustained rate, CPU per 1,000 delivered).
 */
final class Charts {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  static final int WIDTH = 1200;
  static final int HEIGHT = 700;
  static final List<String> PERCENTILES = List.of("p50", "p90", "p99", "p99.9");

  private Charts() {
  }

  // ---- one ramp ------------------------------------------------------------------------------

  /** Writes NAME-latency.png and NAME-rate.png next to NAME.json; returns their paths. */
  static List<Path> writeRampCharts(Path json, int width, int height) throws IOException {
    Run run = read(json, null);
    String base = fileLabel(json);
    Path dir = json.toAbsolutePath().getParent();
    Path latency = dir.resolve(base + "-latency.png");
    Path rate = dir.resolve(base + "-rate.png");
    save(rampLatency(run), latency, width, height);
    save(rampRate(run), rate, width, height);
    return List.of(latency, rate);
  }

  static JFreeChart rampLatency(Run run) {
    XYSeriesCollection data = new XYSeriesCollection();
    List<Boolean> within = new ArrayList<>();
    List<String> topDown = new ArrayList<>(PERCENTILES);
    java.util.Collections.reverse(topDown); // the legend lists the lines in the order they are drawn, top to bottom
    for (String p : topDown) {
      XYSeries s = new XYSeries(p, false, true);
      for (Step step : run.steps()) {
        addLatency(s, step.offered(), step.percentile(p));
      }
      data.addSeries(s);
    }
    for (Step step : run.steps()) {
      within.add(step.withinBound());
    }
    XYPlot plot = new XYPlot(data, rateAxis("offered load (messages to deliver per second)"), latencyAxis(), null);
    XYLineAndShapeRenderer r = hollowWhenOutside(List.of(within, within, within, within));
    for (int i = 0; i < topDown.size(); i++) {
      r.setSeriesPaint(i, PALETTE[i]);
      r.setSeriesStroke(i, new BasicStroke(topDown.get(i).equals("p99") ? 3f : 2f));
    }
    plot.setRenderer(r);
    boundMarker(plot, run.p99BoundMs());
    JFreeChart chart = chart("End-to-end latency against offered load — " + run.label(), plot);
    subtitle(chart, run.setup() + (run.stopReason() != null ? " · stopped: " + run.stopReason() : ""));
    subtitle(chart, best(run) + " · hollow markers: step outside the bound");
    return chart;
  }

  static JFreeChart rampRate(Run run) {
    XYSeriesCollection data = new XYSeriesCollection();
    XYSeries delivered = new XYSeries("delivered", false, true);
    double top = 0;
    List<Boolean> within = new ArrayList<>();
    for (Step step : run.steps()) {
      if (finite(step.offered()) && finite(step.delivered())) {
        delivered.add(step.offered(), step.delivered());
        within.add(step.withinBound());
        top = Math.max(top, Math.max(step.offered(), step.delivered()));
      }
    }
    XYSeries ideal = new XYSeries("delivered = offered", false, true);
    ideal.add(0, 0);
    ideal.add(top * 1.05, top * 1.05);
    data.addSeries(delivered);
    data.addSeries(ideal);
    XYPlot plot = new XYPlot(data, rateAxis("offered load (messages to deliver per second)"),
        rateAxis("delivered (messages per second)"), null);
    XYLineAndShapeRenderer r = hollowWhenOutside(List.of(within, List.of()));
    r.setSeriesPaint(0, PALETTE[0]);
    r.setSeriesStroke(0, new BasicStroke(3f));
    r.setSeriesPaint(1, Color.GRAY);
    r.setSeriesStroke(1, dashed(1.5f, 6f, 6f));
    r.setSeriesShapesVisible(1, false);
    plot.setRenderer(r);
    JFreeChart chart = chart("Delivered against offered rate — " + run.label(), plot);
    subtitle(chart, run.setup() + (run.stopReason() != null ? " · stopped: " + run.stopReason() : ""));
    subtitle(chart, best(run) + " · hollow markers: step outside the bound");
    return chart;
  }

  // ---- comparisons ---------------------------------------------------------------------------

  /** Latency percentiles of every run against its delivered rate: colour per run, line style per percentile. */
  static JFreeChart compareLatency(List<Run> runs, List<String> percentiles) {
    XYSeriesCollection data = new XYSeriesCollection();
    List<List<Boolean>> within = new ArrayList<>();
    List<Paint> paints = new ArrayList<>();
    List<Stroke> strokes = new ArrayList<>();
    double bound = Double.NaN;
    for (int k = 0; k < runs.size(); k++) {
      Run run = runs.get(k);
      if (finite(run.p99BoundMs())) {
        bound = run.p99BoundMs();
      }
      for (String p : percentiles) {
        XYSeries s = new XYSeries(run.label() + " " + p, false, true);
        List<Boolean> w = new ArrayList<>();
        for (Step step : run.steps()) {
          if (addLatency(s, step.delivered(), step.percentile(p))) {
            w.add(step.withinBound());
          }
        }
        data.addSeries(s);
        within.add(w);
        paints.add(PALETTE[k % PALETTE.length]);
        strokes.add(percentileStroke(p));
      }
    }
    XYPlot plot = new XYPlot(data, rateAxis("delivered (messages per second)"), latencyAxis(), null);
    XYLineAndShapeRenderer r = hollowWhenOutside(within);
    for (int i = 0; i < paints.size(); i++) {
      r.setSeriesPaint(i, paints.get(i));
      r.setSeriesStroke(i, strokes.get(i));
    }
    plot.setRenderer(r);
    LegendItemCollection legend = new LegendItemCollection();
    for (int k = 0; k < runs.size(); k++) {
      Paint paint = PALETTE[k % PALETTE.length];
      legend.add(legendItem(runs.get(k).label(), paint, new BasicStroke(3f), true));
    }
    for (String p : percentiles) {
      legend.add(legendItem(p, new Color(0x444444), percentileStroke(p), false));
    }
    plot.setFixedLegendItems(legend);
    boundMarker(plot, bound);
    JFreeChart chart = chart("End-to-end latency against delivered rate", plot);
    subtitle(chart, "colour: run · line style: percentile · hollow markers: step outside the bound");
    return chart;
  }

  /** The highest delivered rate within the bound, one bar per run. */
  static JFreeChart compareMaxRate(List<Run> runs) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    double bound = Double.NaN;
    for (Run run : runs) {
      if (finite(run.p99BoundMs())) {
        bound = run.p99BoundMs();
      }
      String label = "fanout".equals(run.scenario()) ? run.label() + " (fixed rate)" : run.label();
      data.addValue(run.best() == null ? 0.0 : run.best().delivered(), "highest sustained", label);
    }
    CategoryAxis x = new CategoryAxis(null);
    x.setTickLabelFont(AXIS);
    x.setMaximumCategoryLabelLines(3);
    NumberAxis y = rateAxis("delivered (messages per second)");
    y.setUpperMargin(0.12);
    BarRenderer r = new BarRenderer() {
      @Override
      public Paint getItemPaint(int row, int column) {
        return PALETTE[column % PALETTE.length];
      }
    };
    r.setBarPainter(new StandardBarPainter());
    r.setShadowVisible(false);
    r.setMaximumBarWidth(0.18);
    r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2} msg/s", thousands()));
    r.setDefaultItemLabelsVisible(true);
    r.setDefaultItemLabelFont(new Font("SansSerif", Font.BOLD, 14));
    CategoryPlot plot = new CategoryPlot(data, x, y, r);
    plot.setOrientation(PlotOrientation.VERTICAL);
    style(plot);
    JFreeChart chart = new JFreeChart("Highest sustained delivered rate", TITLE, plot, false);
    finish(chart);
    subtitle(chart, (finite(bound) ? String.format(Locale.ROOT, "the highest step with p99 ≤ %.0f ms", bound)
        : "the highest step within the bound") + ", no errors, every op acknowledged");
    return chart;
  }

  /** Server CPU seconds per 1,000 delivered messages against the delivered rate, one line per run. */
  static JFreeChart compareCpu(List<Run> runs) {
    XYSeriesCollection data = new XYSeriesCollection();
    List<List<Boolean>> within = new ArrayList<>();
    for (Run run : runs) {
      XYSeries s = new XYSeries(run.label(), false, true);
      List<Boolean> w = new ArrayList<>();
      for (Step step : run.steps()) {
        if (finite(step.delivered()) && finite(step.cpuPer1000())) {
          s.add(step.delivered(), step.cpuPer1000() * 1000);
          w.add(step.withinBound());
        }
      }
      data.addSeries(s);
      within.add(w);
    }
    NumberAxis y = new NumberAxis("server CPU per 1,000 delivered (ms of CPU)");
    y.setAutoRangeIncludesZero(true);
    y.setLabelFont(AXIS);
    y.setTickLabelFont(TICKS);
    XYPlot plot = new XYPlot(data, rateAxis("delivered (messages per second)"), y, null);
    XYLineAndShapeRenderer r = hollowWhenOutside(within);
    for (int i = 0; i < runs.size(); i++) {
      r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
      r.setSeriesStroke(i, new BasicStroke(2.5f));
    }
    plot.setRenderer(r);
    JFreeChart chart = chart("Server CPU per 1,000 delivered messages", plot);
    subtitle(chart, "utime + stime of the --pids processes (nodes, Redis, balancer) in each window · lower is better · "
        + "hollow markers: step outside the bound");
    return chart;
  }

  // ---- helpers -------------------------------------------------------------------------------

  static void save(JFreeChart chart, Path file, int width, int height) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
  }

  private static boolean addLatency(XYSeries s, double x, double ms) {
    if (!finite(x) || !finite(ms)) {
      return false;
    }
    s.add(x, Math.max(ms, 0.001)); // a log axis has no 0
    return true;
  }

  private static String best(Run run) {
    if (run.best() == null) {
      return "no step within the bound";
    }
    return String.format(Locale.ROOT, "highest within the bound: %s msg/s delivered (p50 %.2f ms, p99 %.2f ms)",
        thousands().format(run.best().delivered()), run.best().p50(), run.best().p99());
  }
}
