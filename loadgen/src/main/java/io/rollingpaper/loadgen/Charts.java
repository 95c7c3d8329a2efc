package io.rollingpaper.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf), new Color(0x7f7f7f), new Color(0xbcbd22)};
  private static final Font TITLE = new Font("SansSerif", Font.BOLD, 20);
  private static final Font SUBTITLE = new Font("SansSerif", Font.PLAIN, 13);
  private static final Font AXIS = new Font("SansSerif", Font.PLAIN, 14);
  private static final Font TICKS = new Font("SansSerif", Font.PLAIN, 12);
  private static final Color GRID = new Color(0xdddddd);

  private Charts() {
  }

  /** One step of a ramp (or a fanout's single window). Latencies in ms; NaN when absent. */
  record Step(double ratePerPaper, double offered, double delivered, double p50, double p90, double p99, double p999,
      double max, double cpuPer1000, boolean withinBound, String failure) {

    double percentile(String name) {
      return switch (name) {
        case "p50" -> p50;
        case "p90" -> p90;
        case "p99" -> p99;
        case "p99.9" -> p999;
        case "max" -> max;
        default -> throw new IllegalArgumentException("unknown percentile " + name + " (p50, p90, p99, p99.9, max)");
      };
    }
  }

  /** A ramp or fanout summary as the charts need it. */
  record Run(String label, String scenario, String target, Path file, List<Step> steps, Step best, double p99BoundMs,
      String stopReason, String setup) {
  }

  static Run read(Path file, String label) throws IOException {
    JsonNode root = JSON.readTree(file.toFile());
    String scenario = root.path("scenario").asText("");
    JsonNode config = root.path("config");
    List<Step> steps = new ArrayList<>();
    Step best = null;
    if (root.has("steps")) {
      for (JsonNode s : root.path("steps")) {
        Step step = step(s, s.path("within_bound").asBoolean(true));
        steps.add(step);
        if (step.withinBound() && (best == null || step.delivered() > best.delivered())) {
          best = step;
        }
      }
    } else if (root.has("result") && root.path("result").has("delivered_per_s")) {
      Step step = step(root.path("result"), true);
      steps.add(step);
      best = step;
    } else {
      throw new IllegalArgumentException(file + ": not a ramp or fanout summary (no steps, no result.delivered_per_s)");
    }
    String target = target(root);
    String setup = String.format(Locale.ROOT, "clients over %d URL(s), %d papers × %d clients, %d-byte notes",
        config.path("urls").size(), config.path("papers").asInt(), config.path("clients_per_paper").asInt(),
        config.path("note_bytes").asInt());
    return new Run(label != null ? label : fileLabel(file), scenario, target, file, steps, best,
        config.path("p99_bound_ms").asDouble(Double.NaN), root.path("stop_reason").asText(null), setup);
  }

  /** The system under test as the summary names it ("target" at the top or in "config"), or null. */
  static String target(JsonNode root) {
    for (JsonNode n : List.of(root.path("target"), root.path("config").path("target"))) {
      if (n.isTextual() && !n.asText().isBlank()) {
        return n.asText();
      }
    }
    return null;
  }

  private static Step step(JsonNode s, boolean within) {
    JsonNode lat = s.path("latency");
    double offered = s.path("expected_deliveries_per_s").asDouble(Double.NaN);
    return new Step(s.path("rate_per_paper").asDouble(Double.NaN), offered, s.path("delivered_per_s").asDouble(Double.NaN),
        lat.path("p50_ms").asDouble(Double.NaN), lat.path("p90_ms").asDouble(Double.NaN),
        lat.path("p99_ms").asDouble(Double.NaN), lat.path("p99_9_ms").asDouble(Double.NaN),
        lat.path("max_ms").asDouble(Double.NaN),
        s.path("cpu").path("server_cpu_s_per_1000_delivered").asDouble(Double.NaN), within,
        s.path("failure").asText(null));
  }

  static String fileLabel(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
  }

  /**
   * Labels of the runs: the given ones first (in order), else the summary's target, else the file name;
   * a target shared by several runs gets the file name added so that every label is distinct.
   */
  static List<String> labels(List<Path> files, List<String> given, List<String> targets) {
    Map<String, Integer> count = new HashMap<>();
    for (String t : targets) {
      if (t != null) {
        count.merge(t, 1, Integer::sum);
      }
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String t = targets.get(i);
      if (i < given.size() && given.get(i) != null && !given.get(i).isBlank()) {
        out.add(given.get(i));
      } else if (t != null) {
        out.add(count.get(t) > 1 ? t + " (" + fileLabel(files.get(i)) + ")" : t);
      } else {
        out.add(fileLabel(files.get(i)));
      }
    }
    return out;
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

  /** Filled markers for steps within the bound, hollow (white inside) ones for the others. */
  private static XYLineAndShapeRenderer hollowWhenOutside(List<List<Boolean>> within) {
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true) {
      @Override
      public Paint getItemFillPaint(int series, int item) {
        List<Boolean> w = series < within.size() ? within.get(series) : List.of();
        return item >= w.size() || w.get(item) ? getItemPaint(series, item) : Color.WHITE;
      }

      @Override
      public Paint lookupSeriesFillPaint(int series) {
        return lookupSeriesPaint(series); // the legend: filled
      }
    };
    r.setUseFillPaint(true);
    r.setDrawOutlines(true);
    r.setLegendLine(new Line2D.Double(-16, 0, 16, 0));
    r.setUseOutlinePaint(false);
    r.setAutoPopulateSeriesShape(false);
    r.setDefaultShape(new Ellipse2D.Double(-4.5, -4.5, 9, 9));
    r.setDefaultOutlineStroke(new BasicStroke(2f));
    r.setAutoPopulateSeriesOutlineStroke(false);
    return r;
  }

  private static Stroke percentileStroke(String p) {
    return switch (p) {
      case "p50" -> dashed(2f, 2f, 4f);
      case "p90" -> dashed(2f, 8f, 5f);
      case "p99" -> new BasicStroke(3f);
      case "p99.9" -> dashed(2f, 14f, 4f, 3f, 4f);
      default -> new BasicStroke(1f);
    };
  }

  private static LegendItem legendItem(String label, Paint paint, Stroke line, boolean shape) {
    return new LegendItem(label, null, null, null, shape, new Ellipse2D.Double(-4.5, -4.5, 9, 9), true, paint, false,
        paint, new BasicStroke(1f), true, new Line2D.Double(-22, 0, 22, 0), line, paint);
  }

  private static Stroke dashed(float width, float... pattern) {
    return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, pattern, 0f);
  }

  /**
   * Draws the bound and fixes the latency range: from the decade below the lowest value (so at least two
   * labelled decades show) to above the highest value or the bound, whichever is higher.
   */
  private static void boundMarker(XYPlot plot, double boundMs) {
    double lo = Double.MAX_VALUE;
    double hi = 0;
    XYSeriesCollection data = (XYSeriesCollection) plot.getDataset();
    for (int i = 0; i < data.getSeriesCount(); i++) {
      for (int j = 0; j < data.getItemCount(i); j++) {
        double y = data.getYValue(i, j);
        lo = Math.min(lo, y);
        hi = Math.max(hi, y);
      }
    }
    if (finite(boundMs)) {
      hi = Math.max(hi, boundMs);
    }
    if (hi > 0) {
      plot.getRangeAxis().setRange(0.9 * Math.pow(10, Math.floor(Math.log10(lo)) - (lo == hi ? 1 : 0)), hi * 1.6);
    }
    if (!finite(boundMs)) {
      return;
    }
    ValueMarker m = new ValueMarker(boundMs, new Color(0x555555), dashed(1.5f, 10f, 6f));
    m.setLabel(String.format(Locale.ROOT, "p99 bound %.0f ms", boundMs));
    m.setLabelFont(SUBTITLE);
    m.setLabelPaint(new Color(0x333333));
    m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
    m.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
    m.setLabelOffset(new RectangleInsets(4, 8, 4, 8));
    m.setLabelBackgroundColor(new Color(255, 255, 255, 0));
    plot.addRangeMarker(m, Layer.BACKGROUND);
  }

  private static NumberAxis rateAxis(String label) {
    NumberAxis a = new NumberAxis(label);
    a.setNumberFormatOverride(thousands());
    a.setAutoRangeIncludesZero(true);
    a.setLabelFont(AXIS);
    a.setTickLabelFont(TICKS);
    return a;
  }

  private static LogAxis latencyAxis() {
    LogAxis a = new LogAxis("latency (ms, log scale)");
    a.setBase(10);
    a.setSmallestValue(0.01);
    a.setTickUnit(new NumberTickUnit(1));
    a.setMinorTickMarksVisible(true);
    a.setMinorTickCount(9);
    a.setNumberFormatOverride(new DecimalFormat("#,##0.###", DecimalFormatSymbols.getInstance(Locale.ROOT)));
    a.setLabelFont(AXIS);
    a.setTickLabelFont(TICKS);
    return a;
  }

  private static DecimalFormat thousands() {
    return new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT));
  }

  private static JFreeChart chart(String title, XYPlot plot) {
    style(plot);
    JFreeChart chart = new JFreeChart(title, TITLE, plot, true);
    LegendTitle legend = chart.getLegend();
    legend.setItemFont(SUBTITLE);
    legend.setPosition(RectangleEdge.RIGHT);
    legend.setFrame(new org.jfree.chart.block.BlockBorder(Color.LIGHT_GRAY));
    legend.setMargin(new RectangleInsets(0, 8, 0, 4));
    finish(chart);
    return chart;
  }

  private static void style(org.jfree.chart.plot.Plot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setOutlinePaint(Color.GRAY);
    if (plot instanceof XYPlot xy) {
      xy.setDomainGridlinePaint(GRID);
      xy.setRangeGridlinePaint(GRID);
      xy.setRangeMinorGridlinesVisible(true);
      xy.setRangeMinorGridlinePaint(new Color(0xf2f2f2));
      xy.setAxisOffset(RectangleInsets.ZERO_INSETS);
    } else if (plot instanceof CategoryPlot c) {
      c.setRangeGridlinePaint(GRID);
    }
  }

  private static void finish(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(true);
    chart.setPadding(new RectangleInsets(8, 8, 8, 12));
  }

  private static void subtitle(JFreeChart chart, String text) {
    TextTitle t = new TextTitle(text, SUBTITLE);
    t.setPaint(new Color(0x444444));
    t.setHorizontalAlignment(HorizontalAlignment.CENTER);
    chart.addSubtitle(t);
  }

  private static boolean finite(double v) {
    return !Double.isNaN(v) && !Double.isInfinite(v);
  }
}
