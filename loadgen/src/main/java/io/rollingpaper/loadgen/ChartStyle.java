package io.rollingpaper.loadgen;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.List;
import java.util.Locale;

/** How the charts look: fonts, colours, strokes, axes, the bound marker, and the frame of every chart. */
final class ChartStyle {
  static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf), new Color(0x7f7f7f), new Color(0xbcbd22)};
  static final Font TITLE = new Font("SansSerif", Font.BOLD, 20);
  static final Font SUBTITLE = new Font("SansSerif", Font.PLAIN, 13);
  static final Font AXIS = new Font("SansSerif", Font.PLAIN, 14);
  static final Font TICKS = new Font("SansSerif", Font.PLAIN, 12);
  private static final Color GRID = new Color(0xdddddd);

  private ChartStyle() {
  }

  /** Filled markers for steps within the bound, hollow (white inside) ones for the others. */
  static XYLineAndShapeRenderer hollowWhenOutside(List<List<Boolean>> within) {
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

  static Stroke percentileStroke(String p) {
    return switch (p) {
      case "p50" -> dashed(2f, 2f, 4f);
      case "p90" -> dashed(2f, 8f, 5f);
      case "p99" -> new BasicStroke(3f);
      case "p99.9" -> dashed(2f, 14f, 4f, 3f, 4f);
      default -> new BasicStroke(1f);
    };
  }

  static LegendItem legendItem(String label, Paint paint, Stroke line, boolean shape) {
    return new LegendItem(label, null, null, null, shape, new Ellipse2D.Double(-4.5, -4.5, 9, 9), true, paint, false,
        paint, new BasicStroke(1f), true, new Line2D.Double(-22, 0, 22, 0), line, paint);
  }

  static Stroke dashed(float width, float... pattern) {
    return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, pattern, 0f);
  }

  /**
   * Draws the bound and fixes the latency range: from the decade below the lowest value (so at least two
   * labelled decades show) to above the highest value or the bound, whichever is higher.
   */
  static void boundMarker(XYPlot plot, double boundMs) {
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

  static NumberAxis rateAxis(String label) {
    NumberAxis a = new NumberAxis(label);
    a.setNumberFormatOverride(thousands());
    a.setAutoRangeIncludesZero(true);
    a.setLabelFont(AXIS);
    a.setTickLabelFont(TICKS);
    return a;
  }

  static LogAxis latencyAxis() {
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

  static DecimalFormat thousands() {
    return new DecimalFormat("#,##0", DecimalFormatSymbols.getInstance(Locale.ROOT));
  }

  static JFreeChart chart(String title, XYPlot plot) {
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

  static void style(org.jfree.chart.plot.Plot plot) {
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

  static void finish(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(true);
    chart.setPadding(new RectangleInsets(8, 8, 8, 12));
  }

  static void subtitle(JFreeChart chart, String text) {
    TextTitle t = new TextTitle(text, SUBTITLE);
    t.setPaint(new Color(0x444444));
    t.setHorizontalAlignment(HorizontalAlignment.CENTER);
    chart.addSubtitle(t);
  }

  static boolean finite(double v) {
    return !Double.isNaN(v) && !Double.isInfinite(v);
  }
}
