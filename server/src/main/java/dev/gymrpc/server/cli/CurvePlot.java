package dev.gymrpc.server.cli;

import dev.gymrpc.server.store.LearningCurves.Curve;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Draws learning curves with Java2D, in the style of the paper's figures: per group the mean across seeds
 * as a line and the 95% confidence interval as a translucent band, axes with round tick values, a legend
 * with the number of seeds. No plotting library: the JDK's {@code java.awt} and {@code ImageIO} only.
 */
final class CurvePlot {

    /** Matplotlib's tab10 palette, so the figures look familiar next to Python plots. */
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf),
    };

    private CurvePlot() {
    }

    static BufferedImage render(List<Curve> curves, String title, String xLabel, String yLabel, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int left = 80;
        int right = 24;
        int top = 48;
        int bottom = 60;
        int pw = width - left - right;
        int ph = height - top - bottom;

        double xmin = Double.POSITIVE_INFINITY;
        double xmax = Double.NEGATIVE_INFINITY;
        double ymin = Double.POSITIVE_INFINITY;
        double ymax = Double.NEGATIVE_INFINITY;
        for (Curve c : curves) {
            for (int i = 0; i < c.x().length; i++) {
                xmin = Math.min(xmin, c.x()[i]);
                xmax = Math.max(xmax, c.x()[i]);
                for (double v : new double[] {c.mean()[i], c.low()[i], c.high()[i]}) {
                    if (Double.isFinite(v)) {
                        ymin = Math.min(ymin, v);
                        ymax = Math.max(ymax, v);
                    }
                }
            }
        }
        if (!(xmax > xmin)) {
            xmax = xmin + 1;
        }
        if (!Double.isFinite(ymin)) {
            ymin = 0;
            ymax = 1;
        }
        if (!(ymax > ymin)) {
            ymax = ymin + 1;
            ymin -= 1;
        }
        double pad = (ymax - ymin) * 0.05;
        ymin -= pad;
        ymax += pad;
        double[] xt = ticks(xmin, xmax, 8);
        double[] yt = ticks(ymin, ymax, 6);
        final double x0 = xmin;
        final double x1 = xmax;
        final double y0 = ymin;
        final double y1 = ymax;
        java.util.function.DoubleUnaryOperator sx = x -> left + (x - x0) / (x1 - x0) * pw;
        java.util.function.DoubleUnaryOperator sy = y -> top + ph - (y - y0) / (y1 - y0) * ph;

        // Grid and ticks.
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double t : xt) {
            int px = (int) Math.round(sx.applyAsDouble(t));
            g.setColor(new Color(0xe8e8e8));
            g.drawLine(px, top, px, top + ph);
            g.setColor(Color.DARK_GRAY);
            String s = format(t);
            g.drawString(s, px - fm.stringWidth(s) / 2, top + ph + 18);
        }
        for (double t : yt) {
            int py = (int) Math.round(sy.applyAsDouble(t));
            g.setColor(new Color(0xe8e8e8));
            g.drawLine(left, py, left + pw, py);
            g.setColor(Color.DARK_GRAY);
            String s = format(t);
            g.drawString(s, left - 8 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(left, top, pw, ph);

        // Bands, then lines on top.
        g.setClip(left, top, pw + 1, ph + 1);
        for (int k = 0; k < curves.size(); k++) {
            Curve c = curves.get(k);
            Color col = PALETTE[k % PALETTE.length];
            Path2D band = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < c.x().length; i++) {
                if (!Double.isFinite(c.high()[i])) {
                    continue;
                }
                double px = sx.applyAsDouble(c.x()[i]);
                double py = sy.applyAsDouble(c.high()[i]);
                if (!started) {
                    band.moveTo(px, py);
                    started = true;
                } else {
                    band.lineTo(px, py);
                }
            }
            for (int i = c.x().length - 1; i >= 0; i--) {
                if (Double.isFinite(c.low()[i])) {
                    band.lineTo(sx.applyAsDouble(c.x()[i]), sy.applyAsDouble(c.low()[i]));
                }
            }
            if (started) {
                band.closePath();
                g.setColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 60));
                g.fill(band);
            }
        }
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int k = 0; k < curves.size(); k++) {
            Curve c = curves.get(k);
            Path2D line = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < c.x().length; i++) {
                if (!Double.isFinite(c.mean()[i])) {
                    continue;
                }
                double px = sx.applyAsDouble(c.x()[i]);
                double py = sy.applyAsDouble(c.mean()[i]);
                if (!started) {
                    line.moveTo(px, py);
                    started = true;
                } else {
                    line.lineTo(px, py);
                }
            }
            g.setColor(PALETTE[k % PALETTE.length]);
            g.draw(line);
        }
        g.setClip(null);

        // Labels, title, legend.
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        fm = g.getFontMetrics();
        g.drawString(xLabel, left + pw / 2 - fm.stringWidth(xLabel) / 2, height - 18);
        Graphics2D gy = (Graphics2D) g.create();
        gy.rotate(-Math.PI / 2);
        gy.drawString(yLabel, -(top + ph / 2) - fm.stringWidth(yLabel) / 2, 20);
        gy.dispose();
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        fm = g.getFontMetrics();
        g.drawString(title, left + pw / 2 - fm.stringWidth(title) / 2, 30);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        fm = g.getFontMetrics();
        int lw = 0;
        for (Curve c : curves) {
            lw = Math.max(lw, fm.stringWidth(legend(c)));
        }
        int lh = fm.getHeight();
        int lx = left + pw - lw - 48;
        int ly = top + ph - lh * curves.size() - 14;
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(lx - 8, ly - 6, lw + 48, lh * curves.size() + 12);
        g.setColor(Color.GRAY);
        g.drawRect(lx - 8, ly - 6, lw + 48, lh * curves.size() + 12);
        for (int k = 0; k < curves.size(); k++) {
            int yy = ly + k * lh + lh / 2;
            Color col = PALETTE[k % PALETTE.length];
            g.setColor(new Color(col.getRed(), col.getGreen(), col.getBlue(), 60));
            g.fillRect(lx, yy - 5, 26, 10);
            g.setColor(col);
            g.setStroke(new BasicStroke(2f));
            g.drawLine(lx, yy, lx + 26, yy);
            g.setColor(Color.BLACK);
            g.drawString(legend(curves.get(k)), lx + 34, yy + fm.getAscent() / 2 - 1);
        }
        g.dispose();
        return img;
    }

    private static String legend(Curve c) {
        return c.group() + " (n=" + c.runs() + ")";
    }

    static void write(BufferedImage img, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            java.nio.file.Files.createDirectories(parent);
        }
        if (!ImageIO.write(img, "png", out.toFile())) {
            throw new IOException("no PNG writer in this Java runtime");
        }
    }

    /** About {@code n} round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]. */
    static double[] ticks(double lo, double hi, int n) {
        double raw = (hi - lo) / Math.max(1, n);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw / mag < 1.5 ? mag : raw / mag < 3.5 ? 2 * mag : raw / mag < 7.5 ? 5 * mag : 10 * mag;
        double first = Math.ceil(lo / step) * step;
        int count = (int) Math.floor((hi - first) / step + 1e-9) + 1;
        double[] t = new double[Math.max(count, 0)];
        for (int i = 0; i < t.length; i++) {
            t[i] = first + i * step;
        }
        return t;
    }

    private static String format(double v) {
        double a = Math.abs(v);
        if (a != 0 && (a >= 1e6 || a < 1e-3)) {
            return String.format("%.1e", v);
        }
        if (a >= 1000 && v == Math.rint(v)) {
            return a >= 10_000 ? String.format("%.0fk", v / 1000) : String.format("%.0f", v);
        }
        return v == Math.rint(v) ? String.format("%.0f", v) : String.format("%.2f", v).replaceAll("0+$", "");
    }
}
